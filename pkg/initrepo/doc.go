// Package initrepo sets an application repository up for timetracker-ci:
// [Detect] reads what the repository has (Python version, requirements,
// pytest markers, Dockerfile and health endpoint, migrations, default
// branch, image name from the git remote), [Render] turns the caller
// workflow templates into files for it, pinned to a release, and [Apply]
// writes them: idempotent, a diff in dry-run, and never over a file the
// user changed unless forced.
package initrepo
