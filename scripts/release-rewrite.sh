#!/usr/bin/env bash
# Turn the working tree into a release commit's tree: every action.yml runs
# the released image by digest, every org/timetracker-ci/...@ref in the
# workflows and templates names the release tag.
#
#   scripts/release-rewrite.sh --image ghcr.io/org/timetracker-ci@sha256:<digest> --ref v1.2.3
#   scripts/release-rewrite.sh --verify --ref v1.2.3 [--image ...]   # check only
set -euo pipefail
cd "$(dirname "$0")/.."
exec go run ./internal/tools/release-rewrite "$@"
