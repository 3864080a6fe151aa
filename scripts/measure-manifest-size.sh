#!/usr/bin/env bash
# What the manifest action costs in the image: the stripped static binary
# (the whole image is FROM scratch with only it) built from HEAD with and
# without the manifest action, and with text/template linked in, which is why
# pkg/manifest/tmpl exists. Sizes are `gzip -9` of the binary, per GOARCH.
#
#   bash scripts/measure-manifest-size.sh            # amd64 and arm64
set -euo pipefail
cd "$(dirname "$0")/.."
wt=$(mktemp -d); out=$(mktemp -d)
trap 'git worktree remove --force "$wt" >/dev/null 2>&1 || rm -rf "$wt"; rm -rf "$out"' EXIT
git worktree add -q --detach "$wt" HEAD

build() { # name goarch
  (cd "$wt" && CGO_ENABLED=0 GOOS=linux GOARCH=$2 go build -trimpath -ldflags='-s -w' -o "$out/$1-$2" ./cmd/timetracker-ci)
  printf '%-26s %-6s %10d bytes  gzip -9 %9d bytes (%.2f MiB)\n' "$1" "$2" "$(wc -c <"$out/$1-$2")" \
    "$(gzip -9 <"$out/$1-$2" | wc -c)" "$(echo "$(gzip -9 <"$out/$1-$2" | wc -c) / 1048576" | bc -l)"
}
for arch in amd64 arm64; do
  build with-manifest "$arch"
  cp "$wt/actions/actions.go" "$out/actions.go"
  sed -i -e '/actions\/manifest"$/d' -e '/manifest\.Action(),/d' "$wt/actions/actions.go"
  build without-manifest "$arch"
  cp "$out/actions.go" "$wt/actions/actions.go"
  # Any text/template Execute anywhere keeps every exported method of every type.
  cat >"$wt/cmd/timetracker-ci/zz_texttemplate.go" <<'GO'
package main

import (
	"os"
	"text/template"
)

func init() {
	if len(os.Args) > 5 {
		template.Must(template.New("x").Parse(os.Args[5])).Execute(os.Stdout, os.Args)
	}
}
GO
  build with-text-template "$arch"
  rm "$wt/cmd/timetracker-ci/zz_texttemplate.go"
done
echo "budget: 8 MiB = 8388608 bytes compressed per platform"
