// Package releaseaction is the release action's glue: inputs and git history in,
// pkg/changelog and pkg/release doing the work, outputs and summary out.
package releaseaction
