#!/usr/bin/env bash
# Every test of timetracker-ci: the README's test command, and what CI runs.
#
#   bash scripts/test.sh            # everything
#   FUZZTIME=30s bash scripts/test.sh
#
# Steps: install what is missing (Debian packages when root, Go tools into
# .tools/bin), gofmt, go vet, staticcheck, go test -race (the container
# contract test, registry and pytest tests start what they need and skip with
# a message when a prerequisite is missing), the catalog check, actionlint,
# brief fuzzing of every parser, the example application's pytest suite, the
# README's run command in a fresh Debian root (scripts/fresh-machine.sh), the
# CI and release templates end to end under act (e2e/run.sh), and the
# benchmarks in a short mode (figures only; they fail on wrong results).
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.tools/bin:$PATH"
fuzztime=${FUZZTIME:-4s}
passed=0 failed=0 failures=()

step() {
  local name=$1; shift
  echo "== $name"
  local start=$SECONDS
  if "$@"; then
    passed=$((passed + 1)); echo "-- $name: ok ($((SECONDS - start))s)"
  else
    failed=$((failed + 1)); failures+=("$name"); echo "-- $name: FAILED ($((SECONDS - start))s)"
  fi
}

gofmt_check() {
  local bad
  bad=$(gofmt -l $(git ls-files '*.go') 2>&1)
  [ -z "$bad" ] || { echo "gofmt would change:"; echo "$bad"; return 1; }
}

catalog_check() {
  go run ./cmd/timetracker-ci catalog | diff -u action-catalog.md - ||
    { echo "action-catalog.md is stale: go run ./cmd/timetracker-ci catalog > action-catalog.md"; return 1; }
}

lint_workflows() {
  local files
  files=$(ls .github/workflows/*.y*ml workflows-templates/*.y*ml 2>/dev/null)
  [ -n "$files" ] || { echo "no workflows to lint"; return 1; }
  actionlint $files
}

fuzz_all() {
  local pkg fn ok=0
  while read -r file; do
    pkg=./$(dirname "$file")
    for fn in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$file" | cut -d' ' -f2); do
      echo "fuzz $pkg $fn ($fuzztime)"
      if ! go test -run='^$' -fuzz="^$fn\$" -fuzztime="$fuzztime" "$pkg" >/tmp/fuzz.$$ 2>&1; then
        # go's fuzzing coordinator can report "context deadline exceeded" when
        # a short -fuzztime ends mid-run, with no failing input: that is the
        # tool, not a finding, so run the target once more.
        if grep -q 'context deadline exceeded' /tmp/fuzz.$$ && ! grep -q 'Failing input written' /tmp/fuzz.$$; then
          echo "  (fuzzing ended with a deadline and no finding; running $fn again)"
          go test -run='^$' -fuzz="^$fn\$" -fuzztime="$fuzztime" "$pkg" >/tmp/fuzz.$$ 2>&1 && continue
        fi
        cat /tmp/fuzz.$$; ok=1
      fi
    done
  done < <(git ls-files '*_test.go' | xargs grep -l '^func Fuzz')
  rm -f /tmp/fuzz.$$
  return $ok
}

example_app() {
  # Debian's packages live in /usr/bin/python3's path; a python3 earlier on
  # PATH (pyenv, a venv) may not see them.
  local py
  for py in "${PYTHON:-}" python3 /usr/bin/python3; do
    [ -n "$py" ] && "$py" -c 'import pytest, pytest_cov, flask, flask_sqlalchemy, flask_migrate' 2>/dev/null && break
    py=
  done
  if [ -z "$py" ]; then
    echo "the example app's tests need python3-pytest, python3-pytest-cov, python3-flask, python3-flask-sqlalchemy and python3-flask-migrate (bash scripts/install-deps.sh as root installs them)"
    [ "${CI:-}" = true ] && return 1 # CI installs them: missing there is a failure, not a skip
    echo "skipped"; return 0
  fi
  echo "using $py"
  (cd examples/timetracker && "$py" -m pytest -q -p no:cacheprovider)
}

# The benchmarks in a short mode: figures printed, failing only on a crash
# or a wrong result (counts, makespan, plan accuracy), never on a time.
benchmarks() {
  local ok=0
  export BENCH_FIGURES_ONLY=1
  bash scripts/bench-report.sh 200000 || ok=1
  bash scripts/bench-plan.sh || ok=1
  BENCH_RUNS=5 bash scripts/bench-start.sh || ok=1
  bash scripts/bench-shard.sh 1 || ok=1
  BENCH_COMMITS=20000 BENCH_TAGS=2000 BENCH_RUNS=3 bash scripts/bench-version.sh || ok=1
  bash scripts/bench-release.sh || ok=1
  return $ok
}

step "install prerequisites" bash scripts/install-deps.sh
step "gofmt" gofmt_check
step "go vet" go vet ./...
step "staticcheck" staticcheck ./...
step "go test -race" go test -race -timeout 20m ./...
step "both binaries build" go build -o /dev/null ./cmd/timetracker-ci ./cmd/timetracker-ci-local
step "catalog" catalog_check
step "actionlint" lint_workflows
step "fuzz" fuzz_all
step "example app (pytest)" example_app
step "run command on a fresh Debian root" bash scripts/fresh-machine.sh
step "end to end under act" bash e2e/run.sh
step "benchmarks (short)" benchmarks

echo
[ "$failed" -eq 0 ] || echo "failed steps: ${failures[*]}"
echo "checks: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
