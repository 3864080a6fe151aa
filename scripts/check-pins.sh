#!/usr/bin/env bash
# Check every pinned third-party action against its own repository: the
# 40-hex commit after @ must be the commit the tag in the version comment
# points at (annotated tags peeled), in <owner>/<repo> on GitHub.
#
#   bash scripts/check-pins.sh                    # needs github.com
#   PINS_MIRRORS=/path/to/clones bash scripts/check-pins.sh   # clones named <owner>+<repo>/ (or <owner>/<repo>/)
#
# Exit 0 when every pin matches its tag, 1 when one does not, 2 when a
# repository cannot be read.
set -euo pipefail
cd "$(dirname "$0")/.."
status=0
while read -r repo sha tag; do
    if [ -n "${PINS_MIRRORS:-}" ]; then
      dir="$PINS_MIRRORS/${repo/\//+}"
      [ -d "$dir" ] || dir="$PINS_MIRRORS/$repo"
      [ -e "$dir/repo" ] && dir="$dir/repo"
      got=$(git -C "$dir" rev-parse -q --verify "refs/tags/$tag^{commit}" 2>/dev/null) || { echo "$repo: no tag $tag in $dir" >&2; exit 2; }
    else
      refs=$(git ls-remote --tags "https://github.com/$repo" "refs/tags/$tag" "refs/tags/$tag^{}") || { echo "$repo: cannot read github.com/$repo (offline? set PINS_MIRRORS)" >&2; exit 2; }
      # The peeled line (^{}) of an annotated tag names the commit.
      got=$(awk '/\^\{\}$/ {print $1}' <<<"$refs")
      [ -n "$got" ] || got=$(awk 'NR==1 {print $1}' <<<"$refs")
    fi
    if [ "$got" = "$sha" ]; then
      echo "ok   $repo@$sha # $tag"
    else
      echo "DIFF $repo@$sha # $tag: the tag is $got" >&2
      status=1
    fi
done < <(grep -rhoE 'uses:[[:space:]]*[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+(/[^@[:space:]]*)?@[0-9a-f]{40}[[:space:]]*#[[:space:]]*v[0-9][0-9.]*' \
  .github/workflows workflows-templates docs e2e/workflows |
  sed -E 's/uses:[[:space:]]*//; s|^([^/]+/[^/@]+)[^@]*@([0-9a-f]{40})[[:space:]]*#[[:space:]]*(v[0-9.]+)$|\1 \2 \3|' | sort -u)
exit "$status"
