#!/bin/sh
# The image publisher's closing figures:
#  1. how many registry requests it takes to promote a two-platform index to
#     6 tags in 2 registries, item by item against the budget in
#     pkg/registry/count_test.go (the test fails if a request is added), and
#     the same promotion re-run (reads only);
#  2. how long that promotion takes against the in-process registry and
#     against two local docker-registry servers (Debian package
#     docker-registry; skipped when it is not installed).
# Usage: scripts/bench-image.sh [benchtime, default 20x]
set -eu
cd "$(dirname "$0")/.."
go test -count=1 -run 'TestPromoteRequestCount|TestDistributionPublish$' -v ./pkg/registry |
	grep -v -e '^=== RUN' -e '^PASS$'
go test -count=1 -run '^$' -bench 'BenchmarkPromote' -benchtime "${1:-20x}" -benchmem ./pkg/registry
