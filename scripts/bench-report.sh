#!/usr/bin/env bash
# test-report on a generated JUnit report, the whole process as the runner
# starts it (the binary with INPUT_* variables), beside `grep -c
# '<testcase'` on the same file as the yardstick. A second attempt re-runs
# the failed tests: half pass (flaky), half fail again. Prints the counts
# (checked against what the generator wrote), MB/s wall and per CPU second,
# peak RSS, the summary's size and the load average. The files are written
# to a temporary folder and deleted after.
#
#   scripts/bench-report.sh                 # 1,000,000 test cases (~200 MB)
#   scripts/bench-report.sh 10000000        # ~2 GB
#   BENCH_FAIL_EVERY=1000 scripts/bench-report.sh 100000
#
# Goals: 1M cases at >= 150 MB/s with peak RSS <= 64 MiB; 10M cases with
# peak RSS <= 256 MiB; summary < 1 MiB. Exits non-zero only on a wrong
# count or a crash, never on a time or a size.
set -euo pipefail
n=${1:-1000000}
fail_every=${BENCH_FAIL_EVERY:-1000}
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench-report.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cd "$root"
CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$tmp/timetracker-ci" ./cmd/timetracker-ci
go build -o "$tmp/junitbench" ./internal/tools/junitbench
ws=$tmp/ws
mkdir -p "$ws/test-results"
"$tmp/junitbench" -generate "$n" -fail-every "$fail_every" "$ws/test-results/junit-unit-1.xml"
# The re-run: the failed cases again (names as junitgen writes them), every
# other one passing now.
awk -v n="$n" -v fe="$fail_every" 'BEGIN {
  print "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<testsuites><testsuite name=\"pytest\">"
  for (i = fe - 1; i < n; i += fe) {
    mod = int(i / 50) % 500
    printf "<testcase classname=\"tests.unit.test_module_%d.TestComponentBehaviour\" name=\"test_component_behaviour_under_load_%d[case-%d]\" file=\"tests/unit/test_module_%d.py\" line=\"%d\" time=\"0.5\"", mod, i, i % 7, mod, 10 + i % 900
    if (k++ % 2 == 0) print " />"; else print "><failure message=\"still failing\">again</failure></testcase>"
  }
  print "</testsuite></testsuites>"
}' >"$ws/test-results/junit-unit-1-a2.xml"
file=$ws/test-results/junit-unit-1.xml
bytes=$(( $(wc -c <"$file") + $(wc -c <"$ws/test-results/junit-unit-1-a2.xml") ))
mb=$(echo "$bytes / 1000000" | bc -l)
# What the generator wrote: junitgen's rule (every fail_every-th fails,
# every 23rd other one is skipped).
read -r failed skipped < <(awk -v n="$n" -v fe="$fail_every" 'BEGIN {
  for (i = 0; i < n; i++) { if (i % fe == fe - 1) f++; else if (i % 23 == 22) s++ }
  print f + 0, s + 0 }')
refailed=$(( failed / 2 )); flaky=$(( failed - refailed ))
want="total=$n passed=$(( n - failed - skipped + flaky )) failed=$refailed errors=0 skipped=$skipped flaky=$flaky"

cat "$file" "$ws/test-results/junit-unit-1-a2.xml" >/dev/null # both sides read from the page cache
ms() { date +%s%N; }
s=$(ms); grepped=$(grep -c '<testcase' "$file"); e=$(ms)
grep_ms=$(( (e - s) / 1000000 ))
summary=$tmp/summary.md
: >"$summary"
s=$(ms)
status=0
env -i PATH="$PATH" HOME="$tmp" GITHUB_WORKSPACE="$ws" RUNNER_TEMP="$tmp" GITHUB_STEP_SUMMARY="$summary" \
  INPUT_FILES='test-results/junit-*.xml' INPUT_MIN-TESTS=1 INPUT_TIMINGS-FILE=timings.json \
  /usr/bin/time -v -o "$tmp/time.txt" "$tmp/timetracker-ci" test-report >"$tmp/out.txt" 2>&1 || status=$?
e=$(ms)
ours_ms=$(( (e - s) / 1000000 ))
if [ "$status" -ne 1 ] || ! grep -q '^total=' "$tmp/out.txt"; then # 1: the report fails on the failing tests, as it should
  echo "bench-report: test-report exited $status:" >&2; tail -20 "$tmp/out.txt" >&2; exit 1
fi
got=$(for k in total passed failed errors skipped flaky; do grep "^$k=" "$tmp/out.txt"; done | tr '\n' ' ' | sed 's/ $//')
rss_kb=$(sed -n 's/.*Maximum resident set size (kbytes): *//p' "$tmp/time.txt")
cpu=$(awk -F': ' '/User time|System time/ {s += $2} END {printf "%.2f", s}' "$tmp/time.txt")
printf 'file: %.0f MB, %d <testcase> elements (grep -c), %s\n' "$mb" "$grepped" "$got"
printf 'test-report: %6d ms wall, %s s CPU, %.0f MB/s wall, %.0f MB/s per CPU second, peak RSS %d MiB, summary %d bytes\n' \
  "$ours_ms" "$cpu" "$(echo "$mb / ($ours_ms / 1000)" | bc -l)" "$(echo "$mb / $cpu" | bc -l)" $(( rss_kb / 1024 )) "$(wc -c <"$summary")"
total=$(grep '^total=' "$tmp/out.txt" | cut -d= -f2)
printf "grep -c '<testcase': %6d ms wall   time ratio test-report / grep: %.1f   tests counted / <testcase> elements: %.4f\n" \
  "$grep_ms" "$(echo "$ours_ms / ($grep_ms + 0.001)" | bc -l)" "$(echo "$total / $grepped" | bc -l)"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores (wall times grow with load; the CPU figures much less)"
if [ "$got" != "$want" ]; then
  echo "bench-report: wrong counts: got $got, want $want" >&2
  exit 1
fi
if [ "$(wc -c <"$summary")" -ge $((1 << 20)) ]; then
  echo "bench-report: the summary is over GitHub's 1 MiB" >&2
  exit 1
fi
