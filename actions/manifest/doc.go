// Package manifestaction is the glue of the manifest action: inputs to
// pkg/manifest options, resolution of the image in its registry with
// pkg/registry, the platform check, writing the files, outputs, summary and
// annotations that point at a broken template's file and line.
package manifestaction
