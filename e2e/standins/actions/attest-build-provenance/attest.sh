#!/usr/bin/env bash
# Shared by the attest-build-provenance and attest-sbom stand-ins.
set -euo pipefail
shopt -s globstar nullglob
root="${E2E_CACHE_DIR:?E2E_CACHE_DIR is not set: the end-to-end script exports it}/attestations"
mkdir -p "$root"
n=0
for v in "$SUBJECT_PATH" "$SUBJECT_DIGEST" "$SUBJECT_CHECKSUMS"; do [ -n "$v" ] && n=$((n + 1)); done
if [ "$n" -ne 1 ]; then
  echo "::error::One of subject-path, subject-digest, or subject-checksums must be provided"; exit 1
fi
subjects=()
if [ -n "$SUBJECT_DIGEST" ]; then
  [ -n "$SUBJECT_NAME" ] || { echo "::error::subject-name must be provided when using subject-digest"; exit 1; }
  [[ "$SUBJECT_DIGEST" =~ ^sha256:[0-9a-f]{64}$ ]] || { echo "::error::subject-digest must be in the format \"sha256:<hex-digest>\""; exit 1; }
  subjects+=("$SUBJECT_NAME ${SUBJECT_DIGEST#sha256:}")
elif [ -n "$SUBJECT_PATH" ]; then
  while read -r p; do
    [ -n "$p" ] || continue
    for f in $p; do [ -f "$f" ] && subjects+=("$(basename "$f") $(sha256sum "$f" | cut -d' ' -f1)"); done
  done < <(printf '%s\n' "$SUBJECT_PATH")
  [ ${#subjects[@]} -gt 0 ] || { echo "::error::Could not find subject at path $SUBJECT_PATH"; exit 1; }
else
  while read -r sum name; do subjects+=("$name $sum"); done <"$SUBJECT_CHECKSUMS"
fi
if [ -n "$SBOM_PATH" ]; then
  [ -f "$SBOM_PATH" ] || { echo "::error::SBOM file not found: $SBOM_PATH"; exit 1; }
  jq -e '.spdxVersion // .bomFormat' "$SBOM_PATH" >/dev/null || { echo "::error::Unsupported SBOM format: $SBOM_PATH"; exit 1; }
fi
id="$KIND-$(date +%s%N)"
{
  printf '{"kind":"%s","predicateType":"%s","workflow":"%s","subjects":[' "$KIND" "$PREDICATE_TYPE" "${GITHUB_WORKFLOW_REF:-}"
  sep=""
  for s in "${subjects[@]}"; do printf '%s{"name":"%s","sha256":"%s"}' "$sep" "${s% *}" "${s##* }"; sep=","; done
  printf ']}\n'
} >"$root/$id.json"
echo "attestation stand-in: $KIND for ${#subjects[@]} subject(s): ${subjects[*]}"
echo "bundle-path=$root/$id.json" >>"$GITHUB_OUTPUT"
echo "attestation-id=$id" >>"$GITHUB_OUTPUT"
