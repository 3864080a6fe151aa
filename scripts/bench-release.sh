#!/usr/bin/env bash
# Figures for the release publisher: requests per fresh publish and per
# unchanged re-run (against the fake GitHub API), hashing throughput, the
# retrying transport's overhead and changelog rendering of 5,000 commits;
# then the fault, race and re-run tests that back the correctness claims.
set -euo pipefail
cd "$(dirname "$0")/.."
go test -run '^$' -bench 'FreshPublish|UnchangedRerun|HashFile' -benchtime 20x ./pkg/release
go test -run '^$' -bench . -benchtime 20x ./pkg/githubapi ./pkg/changelog
go test -count=1 -v -run 'TestFreshPublishAndUnchangedRerun|TestRacingPublishers|TestRerunAfterCrashMidUpload|TestPublishSurvivesFaults|TestPrimaryLimitSpentMidPublish' ./pkg/release \
  | grep -E '^(---|ok|FAIL)|requests|rounds'
