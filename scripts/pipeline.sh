#!/usr/bin/env bash
# The README's run command: build timetracker-ci and run the whole pipeline
# locally on the example app (version, test tiers with pytest, image to an
# in-process registry, deployment manifests, release in dry-run into dist/).
#
#   bash scripts/pipeline.sh                      # examples/timetracker → dist/
#   bash scripts/pipeline.sh --dir path/to/app --out out
#
# Extra arguments go to `timetracker-ci pipeline` (see its --help).
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p bin
go build -o bin/timetracker-ci ./cmd/timetracker-ci
start=$(date +%s.%N)
status=0
bin/timetracker-ci pipeline "$@" || status=$?
printf 'pipeline: %.1fs wall time (exit %d)\n' "$(echo "$(date +%s.%N) - $start" | bc)" "$status" >&2
exit "$status"
