// Package rollback puts a release back in one step: the moving tags
// (latest, stable, the major tag) go back to the exact index digest of an
// earlier release in every repository, the GitHub release of that version
// becomes "latest" again, the releases rolled back past are marked in their
// notes (never deleted), and the earlier release's deployment files are
// fetched as the current ones.
//
// Everything is checked before anything is written: the version must have
// been released (a version tag in every repository, one digest everywhere,
// its index intact, and a published GitHub release when a client is given).
// Version tags never move. A re-run finds the work done and changes nothing;
// after a failure part-way a re-run finishes it, because a moving tag is
// moved back wherever it still points at any release newer than the target.
package rollback
