#!/usr/bin/env bash
# Build the timetracker-ci image for each platform, by cross-compiling the
# static binary with GOARCH (no emulation, no image pulls).
#
#   scripts/build-image.sh                  # timetracker-ci:dev (this machine's platform) and :dev-<arch> per platform
#   IMAGE=timetracker-ci:test PLATFORMS=linux/amd64 scripts/build-image.sh
set -euo pipefail
cd "$(dirname "$0")/.."
image=${IMAGE:-timetracker-ci:dev}
platforms=${PLATFORMS:-linux/amd64,linux/arm64}
version=${VERSION:-$(git describe --tags --always --dirty 2>/dev/null || echo dev)}
host_arch=$(go env GOARCH)
# The Dockerfile has a stage per architecture: compile every one first.
for arch in amd64 arm64; do
  CGO_ENABLED=0 GOOS=linux GOARCH=$arch go build -trimpath -ldflags "-s -w -X main.version=$version" \
    -o "dist/bin/linux-$arch/timetracker-ci" ./cmd/timetracker-ci
done
for platform in ${platforms//,/ }; do
  arch=${platform#linux/}
  out=dist/bin/linux-$arch/timetracker-ci
  # --no-cache: the classic builder would reuse one platform's layers for another.
  # It has no TARGETARCH: the stage of the platform is the target (BuildKit picks it by itself).
  if ! log=$(DOCKER_BUILDKIT=0 docker build --no-cache --platform "$platform" --target "linux-$arch" -t "$image-$arch" . 2>&1); then
    echo "$log" >&2
    exit 1
  fi
  if [ "$arch" = "$host_arch" ]; then
    docker tag "$image-$arch" "$image"
  fi
  echo "built $image-$arch ($(du -h "$out" | cut -f1) binary)"
done
