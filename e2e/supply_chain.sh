# Supply-chain scenarios of the end-to-end run, sourced by e2e/run.sh (which
# defines work, registry, tls, app_src, check, log_has, job_ok, ...).
#
#   release (extra checks): the promoted index has an SBOM per platform and a
#     provenance attached as referrers (timetracker-ci verify passes on it),
#     the SBOM was scanned and the SARIF report went to code scanning (the
#     stand-in), GitHub attestations were made (the stand-ins) for the index,
#     each platform's SBOM and the release assets.
#   vulnerable: a release whose image holds a package with a known
#     vulnerability above the threshold (a fixture OSV record for the Flask
#     in the offline base image) fails in the scan, before any tag moves and
#     before the release exists.

# e2e_osv_fixture SRC [high]: the OSV records of the offline run, in the app
# repository (the release workflow's vulnerability-database input): a low
# finding for Flask always, and with "high" one above the threshold.
e2e_osv_fixture() {
  local src=$1 level=${2:-}
  mkdir -p "$src/e2e-osv"
  cat >"$src/e2e-osv/E2E-FIXTURE-LOW.json" <<'JSON'
{"id": "E2E-FIXTURE-LOW", "summary": "End-to-end fixture: a low-severity issue in every Flask",
 "database_specific": {"severity": "LOW"},
 "affected": [{"package": {"ecosystem": "PyPI", "name": "flask"},
   "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}]}]}]}
JSON
  if [ "$level" = high ]; then
    cat >"$src/e2e-osv/E2E-FIXTURE-HIGH.json" <<'JSON'
{"id": "E2E-FIXTURE-HIGH", "summary": "End-to-end fixture: a high-severity issue in Flask before 99",
 "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N"}],
 "affected": [{"package": {"ecosystem": "PyPI", "name": "Flask"},
   "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "99.0"}]}]}]}
JSON
  fi
}

supply_chain_release_checks() {
  local digest=$1 hex=${1#sha256:}
  check "release: the SBOM was scanned (log)" log_has "OSV records:" release
  check "release: the scan found the low fixture and passed the high threshold" log_has "E2E-FIXTURE-LOW" release
  check "release: SARIF report uploaded to code scanning (stand-in)" \
    jq -e '.runs[0].results | map(.ruleId) | index("E2E-FIXTURE-LOW") != null' "$work/cache/sarif/image-release.sarif"
  # The stand-ins record the workflow that ran them: only the release's count.
  local rel_att
  rel_att=$(cat "$work"/cache/attestations/*.json 2>/dev/null | grep -F 'cd-release.yml@refs/tags/v1.2.0' || true)
  check "release: build provenance attested for the index $digest" grep -q "\"kind\":\"provenance\".*\"sha256\":\"$hex\"" <<<"$rel_att"
  check "release: an SBOM attested for each platform" grep -q '"kind":"sbom"' <<<"$rel_att"
  check "release: the release assets attested" grep -qE '"kind":"provenance".*\.yml"' <<<"$rel_att"
  check "release: the release job's verify passed" log_has "verified:" release
  check "release: timetracker-ci verify passes on the published index" \
    env SSL_CERT_FILE="$tls/ca.pem" "$work/bin/timetracker-ci" verify "$registry/org/timetracker@$digest" \
    --platforms "linux/$arch" --tags 1.2.0
}

scenario_vulnerable() {
  log "scenario vulnerable: a release whose image has a vulnerability above the threshold"
  make_app timetracker
  e2e_osv_fixture "$app_src" high
  git -C "$app_src" add -A && git -C "$app_src" commit -qm "chore: a vulnerable dependency"
  git -C "$app_src" tag -a v1.4.0 -m v1.4.0
  publish_app
  local before_releases
  before_releases=$(releases | jq length)
  if run_template vulnerable "workflows-templates/*release*.y*ml" push-tag refs/tags/v1.4.0 run-tests=false; then
    check "vulnerable: act reports failure" false
  else
    check "vulnerable: act reports failure" true
  fi
  show_failure vulnerable | head -n 6 || true
  check "vulnerable: the promote job failed" job_failed "Promote by digest" vulnerable
  check "vulnerable: the log names the vulnerability" log_has "E2E-FIXTURE-HIGH" vulnerable
  check "vulnerable: SARIF still uploaded with the finding" \
    jq -e '.runs[0].results | map(.ruleId) | index("E2E-FIXTURE-HIGH") != null' "$work/cache/sarif/image-release.sarif"
  local tags
  tags=$(registry_tags "$registry" org/timetracker | tr '\n' ' ')
  check "vulnerable: no tag 1.4.0 in the registry" test -z "$(grep -ow -- '1\.4\.0' <<<"$tags")"
  check "vulnerable: no release job passed" bash -c "! grep -qE '\\[[^]]*GitHub release[^]]*\\].*Job succeeded' '$work/logs/vulnerable.log'"
  check "vulnerable: no new release" test "$(releases | jq length)" = "$before_releases"
}
