// Package archtest holds the repository's layering rules as tests, so a
// change that breaks them fails `go test ./...` instead of waiting for a
// review: glue packages under actions/ are leaves (none imports another),
// nothing under pkg/ reaches back into the action runtime, golden files
// have one -update flag (package golden), and programs live outside pkg/
// (development tools in internal/tools/).
// See docs/architecture.md.
package archtest
