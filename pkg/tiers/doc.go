// Package tiers defines test tiers and plans them into CI jobs.
//
// A tier is a named slice of a test suite selected by a pytest marker
// expression ("unit and not slow"), with a job timeout, whether it needs a
// database service, whether it collects coverage and how many shards it is
// split into. The built-in tiers are TimeTracker's five (smoke, unit,
// integration, security, database); a YAML document replaces them.
//
// Planning finds the test files from glob patterns, weighs them with the
// timings of earlier runs and splits each tier into shards with package
// shard. Files are the unit of work by default; where the timings know the
// individual tests of a file that is too heavy for one shard, the file is
// split into its test functions. A split file still runs whole on one
// shard, minus (--deselect) the functions placed on other shards, so tests
// added since the timings were recorded are never lost.
//
// The plan is a value: a GitHub Actions matrix, the exact pytest arguments
// of each shard and a JSON document the report checks against, so that a
// shard which never reported is a failure rather than a silent gap.
package tiers
