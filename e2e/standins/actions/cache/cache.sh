#!/usr/bin/env bash
# Offline actions/cache: entries are tarballs in E2E_CACHE_DIR named by key.
#   cache.sh restore|save   (inputs in KEY, RESTORE_KEYS, CACHE_PATH)
set -euo pipefail
dir="${E2E_CACHE_DIR:?E2E_CACHE_DIR is not set: the end-to-end script exports it}"
mkdir -p "$dir"
cd "$GITHUB_WORKSPACE"
enc() { printf '%s' "$1" | sha256sum | cut -c1-32; }
mapfile -t paths < <(printf '%s\n' "$CACHE_PATH" | awk 'NF')
case "$1" in
  restore)
    hit=false matched=""
    if [ -f "$dir/$(enc "$KEY").tar" ]; then hit=true matched=$KEY; fi
    if [ -z "$matched" ]; then
      # restore-keys are prefixes: the newest entry whose key starts with one wins.
      while read -r prefix; do
        [ -n "$prefix" ] || continue
        cand=$(grep -lF -- "$prefix" "$dir"/*.key 2>/dev/null | while read -r f; do case "$(cat "$f")" in "$prefix"*) echo "$f";; esac; done | xargs -r ls -t 2>/dev/null | head -1 || true)
        if [ -n "$cand" ]; then matched=$(cat "$cand"); break; fi
      done < <(printf '%s\n' "$RESTORE_KEYS")
    fi
    if [ -n "$matched" ]; then
      tar -xf "$dir/$(enc "$matched").tar"
      echo "cache restored from key: $matched"
    else
      echo "cache not found for key: $KEY (restore-keys: $(printf "%s" "$RESTORE_KEYS" | tr "\n" " "))"
    fi
    { echo "cache-hit=$hit"; echo "cache-primary-key=$KEY"; echo "cache-matched-key=$matched"; } >> "$GITHUB_OUTPUT"
    ;;
  save)
    if [ -f "$dir/$(enc "$KEY").tar" ]; then echo "cache entry $KEY exists: not saving (as on GitHub)"; exit 0; fi
    existing=()
    for p in "${paths[@]}"; do [ -e "$p" ] && existing+=("$p"); done
    if [ ${#existing[@]} -eq 0 ]; then echo "::warning::cache path does not exist: nothing saved"; exit 0; fi
    tar -cf "$dir/$(enc "$KEY").tar.tmp" "${existing[@]}"
    mv "$dir/$(enc "$KEY").tar.tmp" "$dir/$(enc "$KEY").tar"
    printf '%s' "$KEY" > "$dir/$(enc "$KEY").key"
    echo "cache saved with key: $KEY"
    ;;
esac
