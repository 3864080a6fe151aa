#!/usr/bin/env bash
# Figures of the manifest action: rendering and validating the built-in
# TimeTracker files, the template executor, and the whole action against
# go-containerregistry's in-process registry (resolve the tag, check the
# platforms, render, validate, write). Sizes: scripts/measure-manifest-size.sh.
#
#   bash scripts/bench-manifest.sh            # BENCHTIME=2s by default
set -euo pipefail
cd "$(dirname "$0")/.."
go test -run '^$' -bench . -benchmem -benchtime "${BENCHTIME:-2s}" \
  ./pkg/manifest/ ./pkg/manifest/tmpl/ ./actions/manifest/ | grep -E '^(Benchmark|ok|FAIL)'
