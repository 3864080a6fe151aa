#!/usr/bin/env bash
# Install the Debian packages the tests use (.ci/apt-packages.txt) and the
# Go tools the test command runs (into .tools/bin, outside our module graph).
# Safe to run again: it installs only what is missing.
#
#   bash scripts/install-deps.sh                    # what scripts/test.sh runs
#   bash scripts/install-deps.sh --packages .ci/apt-packages-pipeline.txt --no-tools --require
#                                                   # what scripts/pipeline.sh runs
#
# --packages FILE  the package list (default .ci/apt-packages.txt)
# --no-tools       Debian packages only, no Go tools
# --require        when packages are missing and this is not root with
#                  apt-get, print the one command that installs them and exit 2
#                  (default: print it and go on: tests that need them skip)
set -euo pipefail
cd "$(dirname "$0")/.."

list=.ci/apt-packages.txt tools=1 require=0
while [ $# -gt 0 ]; do
  case $1 in
    --packages) list=${2:?--packages needs a file}; shift 2 ;;
    --no-tools) tools=0; shift ;;
    --require) require=1; shift ;;
    *) echo "install-deps.sh: unknown argument $1 (see the header of scripts/install-deps.sh)" >&2; exit 2 ;;
  esac
done
[ -r "$list" ] || { echo "install-deps.sh: cannot read the package list $list" >&2; exit 2; }

mapfile -t wanted < <(grep -v '^\s*#' "$list" | sed 's/\s*#.*//' | awk 'NF' | sort -u)
missing=()
for p in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  elif [ "$require" = 1 ]; then
    echo "missing Debian packages: ${missing[*]}" >&2
    echo "install them with: sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 2
  else
    echo "missing Debian packages (tests that need them will skip): ${missing[*]}"
    echo "install them with: sudo apt-get install -y --no-install-recommends ${missing[*]}"
  fi
fi
[ "$tools" = 1 ] || exit 0

# Tools that must not share our module graph (actionlint and compose-go need
# different go.yaml.in/yaml/v4 versions), built from the Go module proxy.
export GOBIN="$PWD/.tools/bin"
declare -A tools=(
  [actionlint]=github.com/rhysd/actionlint/cmd/actionlint@v1.7.12
  [staticcheck]=honnef.co/go/tools/cmd/staticcheck@v0.7.0
  [act]=github.com/nektos/act@v0.2.89
  [crane]=github.com/google/go-containerregistry/cmd/crane@v0.22.1
  # BuildKit builds the way ci.yml and release.yml build the image, through
  # the engine's own BuildKit (docker driver): v0.12 speaks to Docker 20.10.
  # Standalone binary, also usable as the Docker CLI plugin docker-buildx.
  [buildx]=github.com/docker/buildx/cmd/buildx@v0.12.1
)
for name in "${!tools[@]}"; do
  want=${tools[$name]#*@}
  stamp="$GOBIN/.$name-$want"
  if [ ! -x "$GOBIN/$name" ] || [ ! -e "$stamp" ]; then
    echo "installing $name $want"
    go install "${tools[$name]}"
    touch "$stamp"
  fi
done
