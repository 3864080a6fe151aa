// Package githubfake is a stateful, in-memory fake of the parts of GitHub's
// REST API the project uses: the repository, git refs, tags, commits and
// compare, releases (drafts included), release assets on a separate uploads
// path, generate-notes, and what reviewers see: pull requests' issue
// comments and check runs with their annotations (reviews.go). It answers with go-github's JSON shapes, GitHub's
// 422 validation bodies, Link pagination and rate-limit headers, and injects
// the faults publishers must survive: 5xx, secondary rate limits on 403 and
// 429 with and without retry-after, the primary limit, connection resets,
// responses lost after the change was applied, half-uploaded ("starter")
// assets, and a token without write permission.
//
// Tests start it with Start; scripts serve its Handler (the hidden
// fake-github subcommand does). The API is
// served under /api/v3 and uploads under /api/uploads, the GitHub Enterprise
// Server layout, so a client derives the uploads base exactly as it would in
// production.
package githubfake
