#!/usr/bin/env bash
set -euo pipefail
cd "$GITHUB_WORKSPACE"
host="linux/$(docker version --format '{{.Server.Arch}}')"
args=(build --platform "${PLATFORMS:-$host}")
case "${PLATFORMS:-$host}" in
  *,*) echo "::error title=build-push stand-in::the classic builder builds one platform; run one job per platform (got $PLATFORMS)"; exit 1 ;;
  "$host") ;;
  *) echo "::error title=build-push stand-in::cannot build $PLATFORMS on $host offline (no emulation)"; exit 1 ;;
esac
[ -n "$FILE" ] && args+=(-f "$FILE")
[ -n "$TARGET" ] && args+=(--target "$TARGET")
[ "$NO_CACHE" = true ] && args+=(--no-cache)
while read -r l; do [ -n "$l" ] && args+=(--label "$l"); done < <(printf '%s\n' "$LABELS")
while read -r l; do [ -n "$l" ] && args+=(--build-arg "$l"); done < <(printf '%s\n' "$BUILD_ARGS")
mapfile -t tags < <(printf '%s\n' "$TAGS" | tr ',' '\n' | awk 'NF{print $1}')
for t in "${tags[@]}"; do args+=(-t "$t"); done
iidfile=$(mktemp)
args+=(--iidfile "$iidfile" "$CTX")
echo "docker ${args[*]}"
DOCKER_BUILDKIT=0 docker "${args[@]}"
iid=$(cat "$iidfile")
echo "imageid=$iid" >> "$GITHUB_OUTPUT"
digest=""
if [ "$PUSH" = true ]; then
  for t in "${tags[@]}"; do
    out=$(docker push "$t")
    echo "$out"
    digest=$(echo "$out" | sed -n 's/.*digest: \(sha256:[0-9a-f]*\).*/\1/p' | tail -1)
  done
fi
case ",$OUTPUTS," in
  *type=image*push-by-digest=true*|*push-by-digest=true*type=image*)
    name=$(printf '%s' "$OUTPUTS" | tr ',' '\n' | sed -n 's/^name=//p' | head -1)
    [ -n "$name" ] || { echo "::error title=build-push stand-in::outputs has push-by-digest but no name="; exit 1; }
    crane=${E2E_CRANE:?E2E_CRANE is not set: the end-to-end script exports it}
    tar=$(mktemp --suffix .tar)
    docker save "$iid" -o "$tar"
    digest=$("$crane" digest --tarball "$tar")
    # By digest: no tag is written, as with buildx's push-by-digest.
    "$crane" push "$tar" "$name@$digest" >/dev/null
    rm -f "$tar"
    echo "pushed $name@$digest"
    ;;
esac
echo "digest=$digest" >> "$GITHUB_OUTPUT"
echo "metadata={\"containerimage.digest\":\"$digest\",\"containerimage.config.digest\":\"$iid\"}" >> "$GITHUB_OUTPUT"
rm -f "$iidfile"
