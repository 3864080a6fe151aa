// Package fakegithub is the hidden fake-github subcommand: it serves the
// project's fake GitHub API (pkg/githubapi/githubfake) on a local port so
// that scripts, such as the end-to-end run under act, can point
// GITHUB_API_URL at it and inspect what the actions published.
package fakegithub
