// Package imageaction is the glue of the image action: it reads the inputs
// declared in action.yml, publishes with pkg/registry, and writes outputs,
// the step summary and annotations.
package imageaction
