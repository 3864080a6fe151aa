#!/usr/bin/env bash
# Figures for the foundation's acceptance: the compressed image size per
# platform (what a registry stores and a runner pulls: the gzip'd layer plus
# config and manifest) and the median start-to-exit time of
# `timetracker-ci <action> --help` over many runs.
#
#   bash scripts/measure-image.sh            # builds timetracker-ci:measure for amd64 and arm64
set -euo pipefail
cd "$(dirname "$0")/.."
image=timetracker-ci:measure
IMAGE=$image bash scripts/build-image.sh >/dev/null
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
for arch in amd64 arm64; do
  mkdir -p "$tmp/$arch"
  docker save "$image-$arch" | tar -x -C "$tmp/$arch"
  total=0
  for layer in $(find "$tmp/$arch" -name layer.tar); do
    total=$((total + $(gzip -9 -c "$layer" | wc -c)))
  done
  for f in "$tmp/$arch"/*.json; do total=$((total + $(wc -c <"$f"))); done
  printf 'image linux/%s: %d bytes compressed (%.2f MiB), binary %d bytes\n' "$arch" "$total" \
    "$(echo "$total / 1048576" | bc -l)" "$(wc -c <dist/bin/linux-$arch/timetracker-ci)"
done
docker rmi -f "$image" "$image-amd64" "$image-arm64" >/dev/null 2>&1 || true

bin=dist/bin/linux-$(go env GOARCH)/timetracker-ci
actions=$("$bin" --help | awk '/^Actions:/{f=1;next} /^$/{f=0} f{print $1}')
runs=${RUNS:-101}
for a in $actions; do
  times=()
  for _ in $(seq "$runs"); do
    s=$(date +%s%N); "$bin" "$a" --help >/dev/null; e=$(date +%s%N)
    times+=($(( (e - s) / 1000 )))
  done
  median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}')
  printf 'timetracker-ci %s --help: median %.1f ms over %d runs\n' "$a" "$(echo "$median / 1000" | bc -l)" "$runs"
done
