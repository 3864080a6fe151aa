#!/usr/bin/env bash
# What the manifest action costs in the image: the stripped static binary
# (the whole image is FROM scratch with only it) built from HEAD as is, with
# the manifest action replaced by a stub that links none of pkg/manifest
# (compose-go, k8s.io/api), and with text/template linked in, which is why
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
  mkdir -p "$out/glue" && mv "$wt"/actions/manifest/*.go "$out/glue/"
  cat >"$wt/actions/manifest/stub.go" <<'GO'
package manifest

import (
	"context"
	_ "embed"

	"github.com/org/timetracker-ci/pkg/action"
)

//go:embed action.yml
var metadata []byte

func Action() *action.Action {
	return &action.Action{Name: "manifest", Metadata: metadata, Run: func(context.Context, *action.Runtime) error { return nil }}
}
GO
  build without-manifest "$arch"
  rm "$wt/actions/manifest/stub.go" && mv "$out"/glue/*.go "$wt/actions/manifest/"
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
