// Package testplanaction is the glue of the test-plan action: tier definitions
// (built-in or YAML), test file globs and earlier timings become a
// pkg/tiers plan, whose matrix, per-job pytest arguments and JSON become
// outputs and a summary. Given an earlier plan, it only looks up one job.
package testplanaction
