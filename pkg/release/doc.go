// Package release publishes a GitHub release so that running it twice, in
// parallel, or again after a crash ends in the same place: exactly one
// published release for the tag, every asset present once with the right
// checksum.
//
// The order of work is what makes that true. The tag is created first (so
// every run agrees on the commit); the release is looked up by tag and among
// drafts (the by-tag endpoint hides drafts); a run that must create one
// creates a draft, then lists again and keeps the lowest-numbered draft, so
// racing runs converge on one and the losers delete their empty duplicates;
// assets are compared by name and SHA-256 before any upload; the release is
// published last, so nobody sees it half-filled.
//
// Every mutating call is recorded as a Step. In dry-run mode the steps are
// only recorded, which makes the plan exactly what a real run would do.
package release
