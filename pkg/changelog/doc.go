// Package changelog turns the commits between two tags into release notes
// people read: conventional-commit groups (breaking changes first, then
// features, fixes and performance, then everything else in one group),
// "(#123)" turned into pull-request links, the authors and first-time
// contributors, and a compare link. Pull-request merge commits stand for the
// commits they merged. The text is kept under GitHub's 125,000-character
// release-body limit by summarising the tail.
//
// It takes commits as values, so it is independent of how they were read
// (go-git, the API, a test).
package changelog
