#!/usr/bin/env bash
# Plan accuracy on a suite of TimeTracker's shape: for each tier, the
# makespan against max(longest file, total/shards) (goal: within 5%) and
# each shard's predicted time against its actual time (goal: within 10%),
# with timings from an earlier run (durations simulated as JUnit reports
# them; see TestPlanAccuracy in pkg/tiers).
#
#   scripts/bench-plan.sh                 # a generated suite of that shape
#   scripts/bench-plan.sh path/to/repo    # a real repository's tests/ (copied first: it is read-only)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
suite=""
if [ $# -gt 0 ]; then
  tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
  cp -r "$1/." "$tmp/"
  suite=$tmp
fi
cd "$root"
TIERS_SUITE=$suite go test -count=1 -run '^TestPlanAccuracy$' -v ./pkg/tiers/ |
  sed -n 's/^ *accuracy_test.go:[0-9]*: //p'
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
