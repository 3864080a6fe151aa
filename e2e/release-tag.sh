#!/usr/bin/env bash
# Runs release.yml's own "Rewrite to the digest and the tag" and "Commit and
# tag the release" steps (read from the workflow, so the end-to-end run tests
# what the release runs), with a stand-in image digest. Used by
# e2e/workflows/release-credential-path.yml: the push goes to the fake
# GitHub's git server with whatever token the checkout kept.
#
#   bash e2e/release-tag.sh v9.9.0
set -euo pipefail
tag=$1
python=${E2E_PYTHON:-python3}
for step in "Rewrite to the digest and the tag" "Commit and tag the release"; do
  script=$("$python" - "$step" <<'PY'
import sys, yaml
wf = yaml.safe_load(open(".github/workflows/release.yml"))
runs = [s["run"] for s in wf["jobs"]["tag"]["steps"] if s.get("name") == sys.argv[1]]
if len(runs) != 1:
    sys.exit("release.yml's tag job has no step named %r" % sys.argv[1])
print(runs[0])
PY
)
  echo "--- release.yml: $step"
  IMAGE=ghcr.io/org/timetracker-ci DIGEST="sha256:$(printf 'e2e%.0s' {1..21})e" TAG=$tag bash -euo pipefail -c "$script"
done
