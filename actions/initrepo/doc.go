// Package initcmd is the glue of `timetracker-ci init`: flags in,
// pkg/initrepo's Detect, Render and Apply, lines out.
package initcmd
