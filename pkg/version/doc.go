// Package version decides, for one CI event, the version being built, its git
// tag, the image tags and the OCI labels.
//
// Resolve takes the event (Event), the repository's history (History: tags
// peeled to commits, commit counts, commit messages, commit times) and the
// user's options, and returns a Result; it reads no environment, so every rule
// is testable on a repository built by a test. GitHistory reads a local clone
// through pkg/gitrepo; APIHistory reads the same facts from the GitHub API for
// shallow clones.
//
// Release tags are `<prefix><semver>` (prefix `v` by default, bare semver
// accepted too when the prefix is `v` or empty); other tags are ignored and
// counted. Image tags come from tag rules in docker/metadata-action's syntax
// (ParseRules, ParseFlavor), with that action's semantics, its four default
// rules when there is none (MetadataActionDefaultRules), and one exception:
// under latest=auto, `latest`, `X.Y` and `X` never move back to an older
// release. The single rule type=timetracker (TimetrackerRules) is the
// built-in scheme instead, whose image tags never carry the prefix.
package version
