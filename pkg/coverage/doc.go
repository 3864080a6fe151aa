// Package coverage reads Cobertura XML reports (coverage.py, pytest-cov and
// other tools) and Go cover profiles into one model: statements per file,
// hits per line (for diff coverage) and totals.
//
// Go profile blocks recorded more than once are merged exactly as
// golang.org/x/tools/cover ParseProfilesFromReader merges them (same file
// and range; counts summed, or or-ed in set mode), so percentages agree
// with go tool cover -func. Cobertura statements are the class-level
// <line> elements; the root's line-rate and counters are not trusted.
//
// Zero statements counts as 100% covered: nothing is left untested, and a
// coverage gate must not fail a change that adds no code.
//
// Paths turns the names tools write (Go import paths, Cobertura names
// relative to a <source>) into repository-relative paths, the ones git
// diff prints, so that diff coverage can look lines up with Report.Line.
package coverage
