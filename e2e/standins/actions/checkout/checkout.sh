#!/usr/bin/env bash
# Offline actions/checkout: the same git commands the real action runs
# (init, fetch by SHA with --depth, checkout), against a local bare repository.
set -euo pipefail
src="${E2E_GIT_ROOT:?E2E_GIT_ROOT is not set: the end-to-end script exports it}/$REPOSITORY"
[ -d "$src" ] || { echo "::error title=checkout::no local repository $REPOSITORY under E2E_GIT_ROOT"; exit 1; }
dest="$GITHUB_WORKSPACE/$DEST"
mkdir -p "$dest"
cd "$dest"
if [ "$CLEAN" = true ]; then find . -mindepth 1 -maxdepth 1 -exec rm -rf {} +; fi
git init -q .
git config --global --add safe.directory "$dest" 2>/dev/null || true
git remote add origin "file://$src" 2>/dev/null || git remote set-url origin "file://$src"
depth=()
[ "$DEPTH" != 0 ] && depth=(--depth="$DEPTH")
ref=${REF:-$GITHUB_REF}
sha=$GITHUB_SHA
if [ -n "$REF" ]; then
  sha=$(git ls-remote origin "$REF" "refs/heads/$REF" "refs/tags/$REF" | awk 'NR==1{print $1}')
  [ -n "$sha" ] || sha=$REF # a SHA
  case "$REF" in refs/*) ;; *) if git ls-remote --exit-code origin "refs/heads/$REF" >/dev/null; then ref=refs/heads/$REF; elif git ls-remote --exit-code origin "refs/tags/$REF" >/dev/null; then ref=refs/tags/$REF; else ref=$sha; fi ;; esac
fi
tags=(--no-tags)
if [ "$DEPTH" = 0 ]; then
  # Like actions/checkout: the whole history, every branch and tag.
  git fetch -q --prune --no-recurse-submodules origin '+refs/heads/*:refs/remotes/origin/*' '+refs/tags/*:refs/tags/*'
  tags=()
fi
[ "$FETCH_TAGS" = true ] && tags=(--tags)
case "$ref" in
  refs/heads/*) b=${ref#refs/heads/}; git fetch -q "${tags[@]}" "${depth[@]}" origin "+$sha:refs/remotes/origin/$b"; git checkout -q --force -B "$b" "refs/remotes/origin/$b" ;;
  refs/tags/*) git fetch -q "${tags[@]}" "${depth[@]}" origin "+$sha:$ref"; git checkout -q --force "$ref" ;;
  *) git fetch -q "${tags[@]}" "${depth[@]}" origin "$sha"; git checkout -q --force --detach "$sha" ;;
esac
# As actions/checkout persists the token for later git commands: where the
# run has a git server that checks tokens (the fake GitHub's), pushes go
# there with it, so GitHub's refusals (workflow files) apply.
if [ -n "${E2E_GIT_HTTP:-}" ] && [ "${PERSIST:-true}" = true ] && [ -n "${TOKEN:-}" ]; then
  git remote set-url --push origin "http://x-access-token:$TOKEN@$E2E_GIT_HTTP/$REPOSITORY.git"
fi
echo "checked out $REPOSITORY $ref at $(git rev-parse --short HEAD) (fetch-depth $DEPTH$( [ -f .git/shallow ] && echo ', shallow'))"
{ echo "ref=$ref"; echo "commit=$(git rev-parse HEAD)"; } >> "$GITHUB_OUTPUT"
