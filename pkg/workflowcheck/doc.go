// Package workflowcheck checks GitHub Actions workflow files against the
// contracts this repository publishes, as a library returning findings as
// values (in the manner of actionlint, which checks the general syntax; this
// package checks what actionlint cannot see):
//
//   - a step using one of our actions (org/timetracker-ci/actions/<x>@ref)
//     passes only inputs that actions/<x>/action.yml declares, passes every
//     required input that has no default, and reads only declared outputs,
//     through steps.<id>.outputs.<y>, job outputs built from them,
//     needs.<job>.outputs.<y> and a reusable workflow's outputs;
//   - a job calling one of our reusable workflows passes only declared inputs
//     and secrets, and every required one;
//   - every third-party action is pinned to a full 40-hex commit SHA with its
//     version in a comment (docker:// images to a sha256 digest);
//   - every job declares permissions:;
//   - no run: script expands github.event, github.head_ref or inputs
//     directly (script injection: pass them through env:);
//   - a reusable workflow never uses ./ actions, which would resolve in the
//     caller's workspace rather than in this repository.
package workflowcheck
