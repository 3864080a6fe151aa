// Package releaserewrite turns a commit of this repository into a release
// commit, and checks that a tree is one.
//
// In a release commit every actions/<name>/action.yml runs the released image
// by digest (docker://ghcr.io/org/timetracker-ci@sha256:…) rather than the
// floating :main tag, and every org/timetracker-ci/…@<ref> reference in the
// reusable workflows and the templates names the release. A commit cannot
// contain its own hash, so the reference is the release tag (vX.Y.Z), which
// points at that commit and is never moved; vX and vX.Y are moved to it by
// the release, and users who pin a commit SHA get the same files.
//
// Rewrite is line-based on purpose: it keeps comments, quoting and layout,
// so the release commit's diff shows exactly the pinned references.
package releaserewrite
