# shellcheck shell=bash disable=SC2154 # app_src, work, fake_root, caller_dir, offline_inputs come from e2e/run.sh
# Pull request scenarios of the end-to-end run, sourced by e2e/run.sh (which
# provides make_app, publish_app, caller, run_act, check, the fake GitHub at
# $fake_root and the work folder $work).
#
#   pull-request       main's run leaves its failures in the timings cache;
#                      a pull request from a branch adds 55 failing tests:
#                      one comment on the pull request (55 new, 1 already
#                      failing on main) and a check run carrying all 56
#                      failures as annotations (two requests: 50 + 6).
#   fork-pull-request  a pull request from a fork: CI (read-only token) posts
#                      nothing and keeps its results and event; the ci-report
#                      template (workflow_run) posts the comment and the
#                      check run.

# Fast CI for these scenarios: the unit tier alone, nothing built.
# report-name=CI: in a called workflow GitHub gives github.workflow the
# caller's name (CI), act (0.2.89) the called workflow's: named here as
# GitHub would, so the fork reporter (workflow_run.name, CI) finds the comment.
pr_inputs=(tiers=unit smoke-tier= shards=unit=1 migrations=false container-test=false coverage-threshold=0 sqlite-tiers= report-name=CI)

# pr_failing FILE COUNT MESSAGE: a unit test module with COUNT failing tests.
pr_failing() {
  cat >"$app_src/tests/$1" <<PY
import pytest


@pytest.mark.unit
@pytest.mark.parametrize("n", range($2))
def test_e2e_failure(n):
    assert n < 0, "$3"
PY
}

# pr_open NUMBER HEAD_BRANCH HEAD_SHA MERGE_SHA FORK(true|false): the pull
# request's refs on the "GitHub" side and in the fake API.
pr_open() {
  git -C "$app_src" push -q --force "$work/git/org/timetracker" "$3:refs/pull/$1/head" "$4:refs/pull/$1/merge"
  curl -fsS -X POST "$fake_root/_fake/pulls?number=$1&head=$2&base=main&sha=$3&fork=$5" >/dev/null
}

# pr_event NUMBER HEAD_BRANCH HEAD_SHA BASE_SHA HEAD_REPO → event file
pr_event() {
  local file="$work/event-pr-$1-$RANDOM.json"
  jq --argjson n "$1" --arg head "$2" --arg sha "$3" --arg base "$4" --arg repo "$5" '
    {action: "synchronize", number: $n,
     pull_request: {number: $n, title: "e2e",
       head: {ref: $head, sha: $sha, repo: {full_name: $repo, fork: ($repo != "org/timetracker")}},
       base: {ref: "main", sha: $base, repo: {full_name: "org/timetracker"}}},
     repository: .repository, sender: .sender}' e2e/events/push-branch.json >"$file"
  echo "$file"
}

# pr_merge BRANCH → sha of BRANCH merged into main (GitHub's refs/pull/N/merge)
pr_merge() {
  git -C "$app_src" checkout -q --detach main
  git -C "$app_src" merge -q --no-ff --no-edit -m "Merge $1 into main" "$1" >/dev/null
  git -C "$app_src" rev-parse HEAD
}

pr_comments() { curl -fsS "$fake_root/_fake/comments" | jq --argjson n "$1" '[(. // [])[] | select(.Issue == $n)]'; }
pr_check_runs() { curl -fsS "$fake_root/_fake/check-runs" | jq --arg sha "$1" '[(. // [])[] | select(.HeadSHA == $sha)]'; }

# pr_ci LABEL EVENT_NAME EVENT_FILE: the CI template with the fast inputs.
pr_ci() {
  rm -rf "${caller_dir:?}/$1"
  caller workflows-templates/ci.yml "$caller_dir/$1/ci.yml" "${offline_inputs[@]}" "${pr_inputs[@]}"
  run_act "$1" "$caller_dir/$1/ci.yml" "$2" "$3"
}

scenario_pull_request() {
  log "scenario pull-request: the report comments on a pull request and annotates every failure in a check run"
  make_app timetracker
  pr_failing test_e2e_known.py 1 "already broken on main"
  git -C "$app_src" add -A && git -C "$app_src" commit -qm "test: a test already failing on main"
  publish_app
  # 1. main: the report keeps this run's failures in the timings cache.
  if pr_ci pr-main push "$(write_event push-branch refs/heads/main)"; then
    check "pull-request: main's run fails on its broken test" false
  else
    check "pull-request: main's run fails on its broken test" true
  fi
  check "pull-request: main's failures are in the timings cache" bash -c "for f in '$work'/cache/*.tar; do tar -tf \"\$f\" | grep -q 'failures.json' && exit 0; done; exit 1"
  check "pull-request: no comment outside a pull request" test "$(curl -fsS "$fake_root/_fake/comments" | jq 'length')" = 0

  # 2. A pull request from a branch with 55 new failing tests.
  git -C "$app_src" checkout -q -b feature main
  pr_failing test_e2e_new.py 55 "new in this pull request"
  git -C "$app_src" add -A && git -C "$app_src" commit -qm "test: 55 failing tests"
  local head base merge
  head=$(git -C "$app_src" rev-parse HEAD)
  base=$(git -C "$app_src" rev-parse main)
  publish_app
  merge=$(pr_merge feature)
  pr_open 7 feature "$head" "$merge" false
  # act takes github.sha from the checked-out commit: the merge, as on GitHub.
  if pr_ci pr-branch pull_request "$(pr_event 7 feature "$head" "$base" org/timetracker)"; then
    check "pull-request: the run fails (55 new failures)" false
  else
    check "pull-request: the run fails (55 new failures)" true
  fi
  git -C "$app_src" checkout -q main
  local cs runs
  cs=$(pr_comments 7)
  echo "  comment on #7: $(jq -r '.[0].Body // "none"' <<<"$cs" | head -n 4 | tr '\n' ' ')"
  check "pull-request: exactly one comment on #7" test "$(jq length <<<"$cs")" = 1
  jq -r '.[0].Body // ""' <<<"$cs" >"$work/comment-7.md"
  check "pull-request: the comment carries the workflow's marker" grep -qF '<!-- timetracker-ci test-report: CI -->' "$work/comment-7.md"
  check "pull-request: 55 new failures" grep -qF '**New failures (55)**' "$work/comment-7.md"
  check "pull-request: 1 already failing on main" grep -qF '**Already failing on main (1)**' "$work/comment-7.md"
  check "pull-request: counts per tier in the comment" grep -qE '^\| unit \| [0-9]+ \| [0-9]+ \| 56 \|' "$work/comment-7.md"
  check "pull-request: shard timing in the comment" grep -qF 'Shard timing' "$work/comment-7.md"
  runs=$(pr_check_runs "$head")
  check "pull-request: one check run on the head commit" test "$(jq length <<<"$runs")" = 1
  check "pull-request: the check run concludes failure" test "$(jq -r '.[0].Conclusion' <<<"$runs")" = failure
  check "pull-request: all 56 failures annotated (beyond 10 per step)" test "$(jq '.[0].Annotations | length' <<<"$runs")" = 56
  check "pull-request: in two requests (50 per request)" test "$(jq '.[0].Requests' <<<"$runs")" = 2
  check "pull-request: annotations point at the test file" test "$(jq '[.[0].Annotations[] | select(.path == "tests/test_e2e_new.py")] | length' <<<"$runs")" = 55
}

scenario_fork_pull_request() {
  log "scenario fork-pull-request: a pull request from a fork, reported by the ci-report template (workflow_run)"
  # Builds on pull-request's repository (main with its known failure, in the cache).
  git -C "$app_src" checkout -q -b fork-feature main
  pr_failing test_e2e_fork.py 3 "new in the fork"
  git -C "$app_src" add -A && git -C "$app_src" commit -qm "test: 3 failing tests from a fork"
  local head base merge ev
  head=$(git -C "$app_src" rev-parse HEAD)
  base=$(git -C "$app_src" rev-parse main)
  merge=$(pr_merge fork-feature)
  # A fork's branch is not in the repository: only refs/pull/8/*.
  pr_open 8 fork-feature "$head" "$merge" true
  if pr_ci fork-ci pull_request "$(pr_event 8 fork-feature "$head" "$base" someone/timetracker)"; then
    check "fork-pull-request: CI fails (3 new failures)" false
  else
    check "fork-pull-request: CI fails (3 new failures)" true
  fi
  git -C "$app_src" checkout -q main
  check "fork-pull-request: CI itself posts no comment (read-only token)" test "$(pr_comments 8 | jq length)" = 0
  check "fork-pull-request: CI itself creates no check run" test "$(pr_check_runs "$head" | jq length)" = 0
  check "fork-pull-request: CI keeps the event for the reporter (pr-event artifact)" test -s "$work/artifacts/pr-event/event.json"

  # The reporter, on workflow_run, with the tested run's artifacts.
  ev="$work/event-workflow-run-$RANDOM.json"
  jq --arg sha "$head" '{action: "completed",
    workflow_run: {id: 4242, name: "CI", event: "pull_request", status: "completed", conclusion: "failure",
      head_sha: $sha, head_branch: "fork-feature", head_repository: {full_name: "someone/timetracker"},
      repository: {full_name: "org/timetracker"}, pull_requests: []},
    repository: .repository, sender: .sender}' e2e/events/push-branch.json >"$ev"
  rm -rf "${caller_dir:?}/fork-report"
  caller workflows-templates/ci-report.yml "$caller_dir/fork-report/ci-report.yml"
  if keep_artifacts=1 run_act fork-report "$caller_dir/fork-report/ci-report.yml" workflow_run "$ev"; then
    check "fork-pull-request: the reporter fails with the tests (3 new failures)" false
  else
    check "fork-pull-request: the reporter fails with the tests (3 new failures)" true
  fi
  check "fork-pull-request: job Report the pull request ran" bash -c "grep -qE '\\[[^]]*Report the pull request[^]]*\\].*Job (succeeded|failed)' '$work/logs/fork-report.log'"
  local cs runs
  cs=$(pr_comments 8)
  check "fork-pull-request: one comment on #8" test "$(jq length <<<"$cs")" = 1
  jq -r '.[0].Body // ""' <<<"$cs" >"$work/comment-8.md"
  check "fork-pull-request: under CI's marker" grep -qF '<!-- timetracker-ci test-report: CI -->' "$work/comment-8.md"
  check "fork-pull-request: 3 new failures" grep -qF '**New failures (3)**' "$work/comment-8.md"
  check "fork-pull-request: 1 already failing on main" grep -qF '**Already failing on main (1)**' "$work/comment-8.md"
  runs=$(pr_check_runs "$head")
  check "fork-pull-request: a check run on the fork's head commit with 4 annotations" test "$(jq '[.[] | select(.Name == "Test results (CI)")][0].Annotations | length' <<<"$runs")" = 4
}
