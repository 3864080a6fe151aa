// Package doctor audits an application repository that uses timetracker-ci
// for the mistakes that break this kind of pipeline: pytest markers that
// are used but not registered (or registered and unused),
// --cov-fail-under in addopts, tests no tier selects, checkouts too shallow
// for an action that reads history, missing or broad permissions,
// unpinned third-party actions, a Dockerfile without a non-root user or a
// health check, migrations with more than one head, image names with upper
// case, and secrets read by jobs that produce outputs.
//
// Every finding has a file and line, why it matters and the fix; the
// messages are listed in docs/troubleshooting.md (a test checks it).
package doctor
