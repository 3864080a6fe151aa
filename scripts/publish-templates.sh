#!/usr/bin/env bash
# Lay out the workflow templates the way GitHub reads them: the folder
# workflow-templates/ (singular) at the root of an organisation's .github
# repository, flat, each <name>.yml beside its <name>.properties.json.
# workflows-templates/ here stays the source; dependabot/ is not a workflow
# template (it is copied to .github/dependabot.yml) and is left out.
#
#   bash scripts/publish-templates.sh ../.github          # a clone of <org>/.github
#   cd ../.github && git add workflow-templates && git commit -m "timetracker-ci templates" && git push
#
# Run it from a release tag: the templates then call that release.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=${1:?usage: scripts/publish-templates.sh <clone of the organisation .github repository>}
[ -d "$dest" ] || { echo "publish-templates: $dest is not a folder: clone <org>/.github first" >&2; exit 2; }
out="$dest/workflow-templates"
mkdir -p "$out"
n=0
for wf in workflows-templates/*.yml; do
  name=$(basename "$wf" .yml)
  props="workflows-templates/$name.properties.json"
  [ -f "$props" ] || { echo "publish-templates: $wf has no $props: GitHub would not show it" >&2; exit 1; }
  cp "$wf" "$out/$name.yml"
  cp "$props" "$out/$name.properties.json"
  n=$((n + 1))
done
echo "published $n templates into $out"
