#!/usr/bin/env bash
# Print the user-facing error messages (errors.New, fmt.Errorf without %w,
# InputErrorf, UsageErrorf in pkg/, actions/, cmd/) that
# docs/troubleshooting.md does not list yet; the same rule as the test
# TestTroubleshootingListsEveryError in pkg/workflowcheck.
#
#   scripts/list-errors.sh              # undocumented messages, file:line: message
#   scripts/list-errors.sh -markdown    # as table rows to complete and paste
#   scripts/list-errors.sh -all         # every message
set -euo pipefail
cd "$(dirname "$0")/.."
exec go run ./internal/tools/list-errors "$@"
