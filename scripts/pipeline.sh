#!/usr/bin/env bash
# The README's run command: build timetracker-ci-local and run the whole pipeline
# locally on the example app (version, test tiers with pytest, image to an
# in-process registry, deployment manifests, release in dry-run into dist/).
#
#   bash scripts/pipeline.sh                      # examples/timetracker → dist/
#   bash scripts/pipeline.sh --dir path/to/app --out out
#
# Extra arguments go to `timetracker-ci-local pipeline` (see its --help).
#
# Prerequisites are installed the way scripts/test.sh installs them: when a
# python3 with pytest, pytest-cov (and, for the example app, Flask,
# Flask-SQLAlchemy, Flask-Migrate) is missing, scripts/install-deps.sh
# installs .ci/apt-packages-pipeline.txt as root with apt-get; otherwise it
# prints the one command to run and this exits 2.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v go >/dev/null; then
  echo "pipeline.sh: Go is not installed: install Go 1.26 or newer (https://go.dev/dl/) and run this again" >&2
  exit 2
fi

# The example app imports Flask and friends; another --dir needs only pytest.
modules=pytest,pytest_cov,flask,flask_sqlalchemy,flask_migrate
for a in "$@"; do
  case $a in --dir | --dir=* | --python | --python=*) modules=pytest,pytest_cov ;; esac
done
find_python() {
  local py
  for py in "${PYTHON:-}" python3 /usr/bin/python3; do
    if [ -n "$py" ] && "$py" -c "import $modules" 2>/dev/null; then
      echo "$py"
      return 0
    fi
  done
  return 1
}
if ! py=$(find_python); then
  echo "pipeline.sh: no python3 with $modules: looking for Debian's packages (.ci/apt-packages-pipeline.txt)" >&2
  bash scripts/install-deps.sh --packages .ci/apt-packages-pipeline.txt --no-tools --require
  py=$(find_python) || {
    echo "pipeline.sh: python3 still cannot import $modules after installing .ci/apt-packages-pipeline.txt" >&2
    exit 2
  }
fi
export PYTHON=$py

mkdir -p bin
go build -o bin/timetracker-ci-local ./cmd/timetracker-ci-local
start=${EPOCHREALTIME/[.,]/}
status=0
bin/timetracker-ci-local pipeline "$@" || status=$?
ms=$(( (${EPOCHREALTIME/[.,]/} - start) / 1000 ))
printf 'pipeline: %d.%ds wall time (exit %d)\n' $((ms / 1000)) $((ms % 1000 / 100)) "$status" >&2
exit "$status"
