// Package workflowstemplates holds the caller workflows an application
// repository copies (or `timetracker-ci init` writes), embedded so the
// binary carries the same files this folder publishes.
package workflowstemplates

import "embed"

// FS holds the templates: *.yml and dependabot/dependabot.yml.
//
//go:embed *.yml dependabot/dependabot.yml
var FS embed.FS
