// Package gitrepo reads a git repository the way the pipeline needs it:
// tags peeled to commits, commit ranges, commit counts, commit times, shallow
// detection and the lines a change adds.
//
// It reads the repository files itself (refs, packed-refs, pack and loose
// objects, alternates, the commit-graph, config), so the action image needs
// no git binary and none of git's safe.directory checks apply. Of go-git it
// uses only the low-level packages (plumbing's hash and object types, the
// commit-graph format): go-git's repository API links OpenPGP, SSH and gob,
// whose package init every action of the binary would pay at start-up
// (internal/archtest keeps them out). Reads are tuned for large repositories
// (tens of thousands of tags, hundreds of thousands of commits): peeled tag
// values come from packed-refs when git recorded them, commit walks use the
// commit-graph file when present and stop as soon as the answer is known.
//
// A shallow clone lacks history: every function that would need a missing
// commit returns an error wrapping ErrShallow, whose message tells the user to
// check out with `fetch-depth: 0`.
package gitrepo
