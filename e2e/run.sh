#!/usr/bin/env bash
# The pipeline end to end under act (nektos/act), offline:
#   - jobs run on this host (-P ubuntu-latest=-self-hosted),
#   - our actions run as the real image built from the Dockerfile
#     (ghcr.io/org/timetracker-ci:main, never pulled),
#   - Debian's docker-registry on a loopback port is the registry,
#   - `timetracker-ci-local fake-github` is the GitHub API,
#   - third-party actions are the stand-ins under e2e/standins/.
#
#   bash e2e/run.sh                      # every scenario
#   E2E_SCENARIOS="minimal ci" bash e2e/run.sh
#   E2E_KEEP=1 bash e2e/run.sh           # keep the work folder and logs
#
# Scenarios: minimal (our version action in a workflow of our own, full and
# shallow clones), ci (the CI template: every job passes), development (the
# development CD template: dev tags, a prerelease), release (the
# release template: tags, manifests pinned to the digest, the release and its
# assets), rerun (release again: nothing new), broken-test (a failing test:
# the CI template fails in the smoke job, nothing published), refused-push (a
# registry that refuses pushes: the release fails in the build job, nothing
# published), self-release (this repository's release.yml: with a plain
# GITHUB_TOKEN it stops before anything is pushed, saying what to set up;
# with a GitHub App its credentials check passes; the release commit's tag is
# refused from the GITHUB_TOKEN and accepted from the app's token by the fake
# GitHub's git server), vulnerable (a vulnerability above the threshold: the
# release fails in the scan, nothing published; e2e/supply_chain.sh), pull-request and fork-pull-request (the report's
# comment and check run, e2e/scenarios/pull-requests.sh). See e2e/README.md.
# Prints the wall time of every job and of every scenario. Exit status 0 when
# every scenario met its expectations. Missing prerequisites: a message naming
# them and exit 0 (exit 1 under CI=true, where they must be installed).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
export PATH="$root/.tools/bin:$PATH"
scenarios=${E2E_SCENARIOS:-minimal ci development release rerun rollback broken-test refused-push self-release vulnerable pull-request fork-pull-request}

log() { printf '\n=== %s\n' "$*"; }
# shellcheck source=e2e/supply_chain.sh
. e2e/supply_chain.sh
die() { echo "e2e: $*" >&2; exit 1; }

# ---------------------------------------------------------------- prerequisites
missing=()
command -v act >/dev/null || missing+=("act (bash scripts/install-deps.sh)")
command -v crane >/dev/null || missing+=("crane (bash scripts/install-deps.sh)")
command -v docker-registry >/dev/null || missing+=("docker-registry (apt-get install -y docker-registry)")
for t in git curl jq go openssl bc; do command -v "$t" >/dev/null || missing+=("$t"); done
for t in black flake8 isort; do command -v "$t" >/dev/null || missing+=("$t (apt-get install -y $t; the code quality job runs it)"); done
docker info >/dev/null 2>&1 || missing+=("a running Docker engine")
python=${E2E_PYTHON:-/usr/bin/python3}
"$python" -c 'import pytest, pytest_cov, flask, flask_sqlalchemy, flask_migrate, yaml' 2>/dev/null ||
  missing+=("$python with pytest, pytest-cov, Flask, Flask-SQLAlchemy, Flask-Migrate, PyYAML (apt-get install -y python3-pytest python3-pytest-cov python3-flask python3-flask-sqlalchemy python3-flask-migrate python3-yaml)")
if [ ${#missing[@]} -gt 0 ]; then
  printf 'e2e skipped: missing %s\n' "${missing[@]}"
  [ "${CI:-}" = true ] && exit 1
  exit 0
fi
arch=$(docker version --format '{{.Server.Arch}}')

work=$(mktemp -d "${TMPDIR:-/tmp}/tt-e2e.XXXXXX")
pids=()
cleanup() {
  # Services started in a command substitution record their pid in a file.
  [ -f "$work/pids" ] && mapfile -t -O "${#pids[@]}" pids <"$work/pids"
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ -n "${image_tag:-}" ] && docker rmi "ghcr.io/org/timetracker-ci:$image_tag" >/dev/null 2>&1
  if [ "${E2E_KEEP:-}" = 1 ]; then echo "work folder kept: $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
mkdir -p "$work/bin" "$work/logs" "$work/git/org" "$work/cache"
# Our repository as act reads it: the checkout's files, with one key act's
# workflow schema predates taken out (environment.deployment: false, which
# on GitHub stops Actions recording a deployment of its own beside ours;
# act records none either way).
ours="$work/ours"
mkdir -p "$ours"
git ls-files -z --cached --others --exclude-standard | tar --null --ignore-failed-read -T - -cf - 2>/dev/null | tar -C "$ours" -xf -
sed -i -E '/^[[:space:]]*deployment:[[:space:]]*false([[:space:]]*#.*)?$/d' "$ours"/.github/workflows/*.y*ml

free_port() { "$python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# ---------------------------------------------------------------- services
# The registries speak TLS with a certificate of our own, as ghcr.io does:
# the published workflows then need no insecure-registry switch. Go programs
# (our actions, crane) and curl trust it through SSL_CERT_FILE; the Docker
# engine treats loopback registries as insecure and skips verification.
tls="$work/tls"
make_cert() {
  mkdir -p "$tls"
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
    -addext subjectAltName=IP:127.0.0.1 -keyout "$tls/key.pem" -out "$tls/ca.pem" 2>/dev/null
}

# start_registry NAME [readonly] → prints host:port
start_registry() {
  local name=$1 mode=${2:-} port dir
  port=$(free_port)
  dir="$work/registry-$name"
  mkdir -p "$dir/data"
  [ -s "$tls/ca.pem" ] || make_cert
  cat >"$dir/config.yml" <<EOF
version: 0.1
log: {level: error, accesslog: {disabled: true}}
storage:
  filesystem: {rootdirectory: $dir/data}
  delete: {enabled: true}
  maintenance:
    uploadpurging: {enabled: false}
    readonly: {enabled: $([ "$mode" = readonly ] && echo true || echo false)}
http: {addr: 127.0.0.1:$port, tls: {certificate: $tls/ca.pem, key: $tls/key.pem}}
EOF
  docker-registry serve "$dir/config.yml" >"$dir/log" 2>&1 &
  echo $! >>"$work/pids" # called as $(start_registry …): a subshell, so not pids+=()
  for _ in $(seq 1 100); do
    curl -fsS --cacert "$tls/ca.pem" "https://127.0.0.1:$port/v2/" >/dev/null 2>&1 && { echo "127.0.0.1:$port"; return; }
    sleep 0.1
  done
  cat "$dir/log" >&2
  die "docker-registry did not answer on 127.0.0.1:$port"
}

start_fake_github() {
  rm -f "$work/fake-url"
  # It mirrors the branches and tags pushed to org/timetracker, as GitHub would.
  git init -q --bare "$work/git/org/timetracker"
  "$work/bin/timetracker-ci-local" fake-github --listen 127.0.0.1:0 --owner org --repo timetracker \
    --git "$work/git/org/timetracker" --url-file "$work/fake-url" >"$work/logs/fake-github.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 100); do [ -s "$work/fake-url" ] && break; sleep 0.1; done
  [ -s "$work/fake-url" ] || die "fake-github did not start: $(cat "$work/logs/fake-github.log")"
  api=$(cat "$work/fake-url")
  fake_root=${api%/api/v3}
}

# A base image for the example app built from this host's Python (the
# engine has nothing to pull): python3 with the Debian packages the app
# needs, plus the shared libraries they load. Built once, kept by tag.
seed_python_base() {
  local tag=timetracker-e2e/python-host:latest
  if docker image inspect "$tag" >/dev/null 2>&1; then return; fi
  log "building the stand-in Python base image $tag from the host's python3"
  local rootfs="$work/rootfs" py
  mkdir -p "$rootfs"
  py=$(readlink -f "$python")
  {
    echo "$py"; echo /bin/sh; readlink -f /bin/sh; echo /usr/bin/env
    echo /usr/lib/python3; echo "/usr/lib/$(basename "$py")"; echo /etc/ssl; echo /etc/passwd; echo /etc/group
    # Every shared library python and its C extensions load.
    { ldd "$py" /bin/sh; find /usr/lib/python3 "/usr/lib/$(basename "$py")" -name '*.so' -exec ldd {} + 2>/dev/null; } |
      awk '/=>/ {print $3} /^\t\/.*ld-linux/ {print $1}' | grep '^/' | sort -u
  } | sort -u | while read -r p; do [ -e "$p" ] && echo "$p"; done >"$work/rootfs.list"
  # Parents of symlinked libraries too (/lib → usr/lib on merged-/usr systems).
  tar -C / -chf - --files-from=<(sed 's|^/||' "$work/rootfs.list") 2>/dev/null | tar -C "$rootfs" -xf -
  ln -sf "$(basename "$py")" "$rootfs/usr/bin/python3" 2>/dev/null || true
  ln -sf python3 "$rootfs/usr/bin/python"
  [ -e "$rootfs/lib64" ] || ln -s usr/lib64 "$rootfs/lib64" 2>/dev/null || true
  tar -C "$rootfs" -cf - . | docker import -c 'ENV PATH=/usr/local/bin:/usr/bin:/bin' - "$tag" >/dev/null
  rm -rf "$rootfs"
}

# ---------------------------------------------------------------- the app repository
# make_app NAME: a git repository (the "GitHub" side, E2E_GIT_ROOT/org/NAME)
# holding the example app at its root and the workflows under test.
make_app() {
  local name=$1 src="$work/src-$1"
  rm -rf "$src"
  mkdir -p "$src/.github/workflows"
  cp -a examples/timetracker/. "$src/"
  rm -rf "$src/.pytest_cache" "$src"/**/__pycache__ 2>/dev/null || true
  # The offline image: the app's own Dockerfile on the host-Python base
  # (see seed_python_base): its RUN steps (pip, useradd) need the network or
  # a distribution, so they go; the base already holds the packages; the
  # gunicorn command becomes Flask's server, which the base has.
  sed -E -e 's|^FROM python:[^ ]+|FROM timetracker-e2e/python-host:latest|' -e '/^RUN /d' \
    -e 's|^CMD .*gunicorn.*|CMD ["sh", "-c", "exec python3 -m flask --app wsgi run --host 0.0.0.0 --port ${PORT}"]|' \
    "$src/Dockerfile" >"$src/Dockerfile.e2e"
  # Debian bookworm's Flask-Migrate 4.0.4 and Alembic 1.8 predate `flask db
  # check`: the same check by autogenerating a revision and looking for
  # operations in it.
  cat >"$src/e2e-drift-check.sh" <<'EOF'
#!/usr/bin/env bash
set -euo pipefail
rev=e2edrift$$
flask db migrate --rev-id "$rev" -m drift >/dev/null
f=$(ls migrations/versions/"$rev"_*.py)
ops=$(sed -n '/^def upgrade/,/^def downgrade/p' "$f" | grep -cE '^[[:space:]]+(op|batch_op)\.' || true)
rm -f "$f"
if [ "$ops" -ne 0 ]; then echo "drift: the models differ from the migrations ($ops operations to generate)"; exit 1; fi
echo "no drift between the models and the migrations"
EOF
  # Requirements the host satisfies offline (pip runs with PIP_NO_INDEX).
  printf '%s\n' Flask Flask-SQLAlchemy Flask-Migrate SQLAlchemy alembic >"$src/requirements-offline.txt"
  e2e_osv_fixture "$src" # the OSV records of the vulnerability scan
  git -C "$src" init -q -b main
  git -C "$src" config user.email e2e@example.invalid
  git -C "$src" config user.name "timetracker-ci e2e"
  git -C "$src" add -A
  git -C "$src" commit -qm "feat: time tracking app"
  git -C "$src" remote add origin "https://github.com/org/$name.git" # act derives github.repository from it
  rm -rf "$work/git/org/$name"
  git clone -q --bare "$src" "$work/git/org/$name"
  # As on GitHub: a job may fetch any commit by SHA.
  git -C "$work/git/org/$name" config uploadpack.allowAnySHA1InWant true
  app_src=$src
}

# publish_app: push the working copy (branches and tags) to the "GitHub" side.
publish_app() {
  git -C "$app_src" push -q --force "$work/git/org/timetracker" 'refs/heads/*:refs/heads/*' 'refs/tags/*:refs/tags/*'
}

# write_event KIND(push-branch|push-tag) REF → event file path
write_event() {
  local kind=$1 ref=$2 sha before file
  sha=$(git -C "$app_src" rev-parse HEAD)
  before=$(git -C "$app_src" rev-parse -q --verify HEAD~1 || echo 0000000000000000000000000000000000000000)
  file="$work/event-$kind-$RANDOM.json"
  jq --arg ref "$ref" --arg sha "$sha" --arg before "$before" \
    '.ref=$ref | .after=$sha | .before=$before | .head_commit.id=$sha' "e2e/events/$kind.json" >"$file"
  echo "$file"
}

# ---------------------------------------------------------------- act
# local_repos WORKFLOW_DIR: --local-repository for our repository at every
# ref the workflows use, and for every third-party action a stand-in.
local_repos() {
  local uses owner repo ref files
  # The callers under test and the reusable workflows they can reach.
  mapfile -t files < <(find "$@" -name '*.y*ml'; grep -l 'workflow_call' .github/workflows/*.y*ml)
  grep -hoE 'uses:[[:space:]]*[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+(/[^@[:space:]]*)?@[^[:space:]#]+' "${files[@]}" |
    sed -E 's/uses:[[:space:]]*//' | sort -u | while read -r uses; do
      owner=${uses%%/*}; repo=${uses#*/}; repo=${repo%%[/@]*}; ref=${uses##*@}
      if [ "$owner/$repo" = org/timetracker-ci ]; then
        echo "--local-repository=org/timetracker-ci@$ref=$ours"
      elif [ -d "e2e/standins/$owner/$repo" ]; then
        echo "--local-repository=$owner/$repo@$ref=$root/e2e/standins/$owner/$repo"
      else
        echo "e2e: no offline stand-in for $owner/$repo (used as $uses): add e2e/standins/$owner/$repo" >&2
        return 1
      fi
    done | sort -u
}

# act_extra: more act arguments for the next run_act (jobs, vars, secrets).
act_extra=()

# run_act LABEL WORKFLOW_FILE EVENT_NAME EVENT_FILE → act's exit status; log in $work/logs/LABEL.log
run_act() {
  local label=$1 wf=$2 event=$3 eventfile=$4 status=0 start
  local -a repos
  mapfile -t repos < <(local_repos "$(dirname "$wf")") || die "stand-ins missing"
  # A workflow_run reporter reads the artifacts of the run before it (keep_artifacts=1).
  [ "${keep_artifacts:-}" = 1 ] || rm -rf "$work/artifacts"
  mkdir -p "$work/artifacts" "$work/act-cache" "$work/container-tmp"
  start=$(date +%s.%N)
  set +e
  (
    cd "$app_src"
    act "$event" -W "$wf" -e "$eventfile" \
      -P ubuntu-latest=-self-hosted -P ubuntu-24.04-arm=-self-hosted \
      --pull=false --rebuild=false --no-skip-checkout --no-cache-server \
      --container-options "--network host -v $work/act-cache:$work/act-cache -v $work/container-tmp:/tmp -v $tls:$tls:ro" \
      --defaultbranch main \
      --action-cache-path "$work/act-cache" \
      "${repos[@]}" \
      --env GITHUB_API_URL="$api" --env GITHUB_SERVER_URL="$fake_root" \
      --env GITHUB_WORKFLOW_REF="org/timetracker/.github/workflows/$(basename "$wf")@$(jq -r .ref "$eventfile")" \
      --env E2E_GIT_ROOT="$work/git" --env E2E_CACHE_DIR="$work/cache" \
      --env E2E_ARTIFACT_DIR="$work/artifacts" --env E2E_CRANE="$(command -v crane)" \
      --env E2E_PYTHON="$python" --env SSL_CERT_FILE="$tls/ca.pem" \
      -s GITHUB_TOKEN=e2e-token --var E2E_REGISTRY="$registry" \
      "${act_extra[@]}"
  ) 2>&1 | while IFS= read -r line; do
    printf '%s %s\n' "$(date +%s.%N)" "$line"
  done >"$work/logs/$label.log"
  status=${PIPESTATUS[0]}
  set -e
  grep -q '🏁  Job succeeded\|🏁  Job failed' "$work/logs/$label.log" || status=1
  # Exit status of act itself: the last line says "Error: Job ... failed" on failure.
  if grep -q '^[0-9.]* Error: ' "$work/logs/$label.log"; then status=1; fi
  report_jobs "$label" "$start"
  return "$status"
}

# report_jobs LABEL START: wall time per job from the timestamped act log.
report_jobs() {
  local label=$1 start=$2
  awk -v start="$start" -v label="$label" '
    match($0, /^[0-9.]+ \[[^] ][^]]*\/[^]]+\]/) {
      t = $1; job = substr($0, length($1) + 2); job = substr(job, 2, index(job, "]") - 2)
      if (!(job in first)) { first[job] = t; order[n++] = job }
      last[job] = t
      if ($0 ~ /Job succeeded/) result[job] = "ok"
      if ($0 ~ /Job failed/) result[job] = "FAILED"
    }
    END {
      for (i = 0; i < n; i++) { j = order[i]; printf "  %-60s %6.1fs %s\n", j, last[j] - first[j], (j in result ? result[j] : "-") }
    }' "$work/logs/$label.log" | tee "$work/logs/$label.jobs"
  printf '  %-60s %6.1fs\n' "$label (total)" "$(echo "$(date +%s.%N) - $start" | bc)"
}

show_failure() {
  echo "--- what failed in $1.log (E2E_KEEP=1 keeps the work folder)"
  # act names a metadata file it cannot parse only by line and column: say which file it read last.
  awk '
    /subpath \x27[^\x27]*action.ya?ml\x27/ { match($0, /subpath \x27[^\x27]*\x27/); file = substr($0, RSTART + 9, RLENGTH - 10) }
    /^[0-9.]+ \[[^] ][^]]*\].*(❌|❗|::error|Error:|FAILED|error:)|^[0-9.]+ Error: / { sub(/^[0-9.]+ /, ""); print; next }
    /^[0-9.]+ \[[^] ][^]]*\] Line: [0-9]+ Column [0-9]+/ { sub(/^[0-9.]+ /, ""); print $0 " (in " file ")" }
  ' "$work/logs/$1.log" | tail -n 30
}

# ---------------------------------------------------------------- assertions
failures=()
check() { # check DESCRIPTION COMMAND...
  if "${@:2}"; then echo "  ok: $1"; else echo "  FAILED: $1"; failures+=("$1"); fi
}
job_ok() { grep -qiE "^[0-9.]+ \[[^]]*$1[^]]*\].*Job succeeded" "$work/logs/$2.log"; }
job_failed() { grep -qiE "^[0-9.]+ \[[^]]*$1[^]]*\].*Job failed" "$work/logs/$2.log"; }
log_has() { grep -qF -- "$1" "$work/logs/$2.log"; }
registry_tags() { { curl -fsS --cacert "$tls/ca.pem" "https://$1/v2/$2/tags/list" 2>/dev/null || echo '{}'; } | jq -r '.tags // [] | .[]' | sort; }
registry_catalog() { { curl -fsS --cacert "$tls/ca.pem" "https://$1/v2/_catalog" || echo '{}'; } | jq -r '.repositories // [] | .[]' | sort; }
registry_digest() {
  curl -fsSI -H 'Accept: application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json' \
    --cacert "$tls/ca.pem" "https://$1/v2/$2/manifests/$3" 2>/dev/null | tr -d '\r' | awk -F': ' 'tolower($1)=="docker-content-digest" {print $2}' || true
}
releases() { curl -fsS "$fake_root/_fake/releases" | jq '. // []'; }
deployments() { curl -fsS "$fake_root/_fake/deployments" | jq '. // []'; }
writes() { curl -fsS "$fake_root/_fake/requests" | jq '[(. // [])[] | select(.Method != "GET" and .Method != "HEAD")] | length'; }

# ---------------------------------------------------------------- setup
# The actions run this run's image under a tag of its own, so end-to-end
# runs of several checkouts on one engine never run each other's binary.
image_tag="e2e-$(basename "$work" | tr -c 'A-Za-z0-9_.\n-' '-')"
log "building timetracker-ci-local (the fake GitHub) and the timetracker-ci image (ghcr.io/org/timetracker-ci:$image_tag, also tagged :main, linux/$arch)"
go build -o "$work/bin/timetracker-ci-local" ./cmd/timetracker-ci-local
go build -o "$work/bin/timetracker-ci" ./cmd/timetracker-ci
IMAGE="ghcr.io/org/timetracker-ci:$image_tag" PLATFORMS="linux/$arch" bash scripts/build-image.sh
docker tag "ghcr.io/org/timetracker-ci:$image_tag" ghcr.io/org/timetracker-ci:main
sed -i "s|docker://ghcr.io/org/timetracker-ci:main|docker://ghcr.io/org/timetracker-ci:$image_tag|" "$ours"/actions/*/action.yml
registry=$(start_registry main)
start_fake_github
echo "registry https://$registry (certificate $tls/ca.pem), fake GitHub API $api"

wants() { case " $scenarios " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }
if wants ci || wants development || wants release || wants rerun || wants rollback || wants broken-test || wants refused-push; then seed_python_base; fi

caller_dir="$work/callers"
# caller TEMPLATE OUT [key=value...]: a template with the offline inputs set
# on its reusable-workflow job (only inputs the template's callee declares).
caller() {
  local template=$1 out=$2; shift 2
  mkdir -p "$(dirname "$out")"
  "$python" - "$template" "$out" "$@" <<'EOF'
import sys, yaml, re
src, out, pairs = sys.argv[1], sys.argv[2], sys.argv[3:]
# As GitHub does when a template is adopted.
wf = yaml.safe_load(open(src).read().replace("$default-branch", "main"))
for job in wf.get("jobs", {}).values():
    uses = job.get("uses", "")
    m = re.match(r"org/timetracker-ci/(\.github/workflows/[^@]+)@", uses)
    if not m:
        continue
    callee = yaml.safe_load(open(m.group(1)))
    on = callee.get("on") or callee.get(True)
    declared = (on.get("workflow_call") or {}).get("inputs") or {}
    w = job.setdefault("with", {})
    for p in pairs:
        k, v = p.split("=", 1)
        if k in declared:
            w[k] = yaml.safe_load(v) if declared[k].get("type") in ("boolean", "number") else v
# PyYAML reads the key on as true (YAML 1.1): write it back as on.
wf = {("on" if k is True else k): v for k, v in wf.items()}
yaml.safe_dump(wf, open(out, "w"), sort_keys=False)
EOF
}
offline_inputs=(python-version=3.11 requirements=requirements-offline.txt postgres=false
  platforms="linux/$arch" dockerfile=Dockerfile.e2e coverage-threshold=50 drift-check="bash e2e-drift-check.sh"
  image="$registry/org/timetracker" security-scans=false vulnerability-database=e2e-osv)
# E2E_INPUTS: extra key=value inputs for the callers, to diagnose a failure
# further down (never set in CI).
read -r -a extra_inputs <<<"${E2E_INPUTS:-}"
offline_inputs+=("${extra_inputs[@]}")

# init_ci_caller: the ci scenario runs what `timetracker-ci init` writes for
# a copy of the example app without .github/ (not the template as shipped),
# so init's output is what the end-to-end run proves. E2E_CI_TEMPLATE wins.
init_ci_caller() {
  local dir="$work/init-app"
  rm -rf "$dir" && mkdir -p "$dir"
  cp -a examples/timetracker/. "$dir/"
  rm -rf "$dir/.github"
  git -C "$dir" init -q -b main
  git -C "$dir" remote add origin https://github.com/org/timetracker.git
  "$work/bin/timetracker-ci" init --dir "$dir" --ref main >"$work/logs/init.log" ||
    { cat "$work/logs/init.log"; return 1; }
  ci_glob="$dir/.github/workflows/ci.yml"
  # init passes the app's requirements-dev.txt; offline, only the test tools
  # are installed (pip runs with PIP_NO_INDEX).
  offline_inputs+=("test-requirements=pytest pytest-cov pytest-xdist")
}

# ---------------------------------------------------------------- scenarios
total_start=$SECONDS
if wants minimal; then
  log "scenario minimal: our version action in a workflow of our own (full, shallow, shallow with a token)"
  make_app timetracker
  git -C "$app_src" tag -a v1.0.0 -m "v1.0.0"
  git -C "$app_src" commit -q --allow-empty -m "fix: a fix after 1.0.0"
  publish_app
  mkdir -p "$caller_dir/minimal"
  cp e2e/workflows/minimal.yml "$caller_dir/minimal/"
  ev=$(write_event push-branch refs/heads/main)
  if run_act minimal "$caller_dir/minimal/minimal.yml" push "$ev"; then :; else show_failure minimal; fi
  check "minimal: the version job ran and passed" job_ok version minimal
  check "minimal: version 1.0.1 after v1.0.0 and a fix" log_has "version=1.0.1" minimal
  check "minimal: a shallow clone without a token fails" job_failed "minimal/shallow " minimal
  check "minimal: ... saying to use fetch-depth: 0" log_has 'fetch-depth: 0' minimal
  check "minimal: a shallow clone with a token reads the tags from the API (1.0.1)" log_has "shallow-token version=1.0.1" minimal
fi

run_template() { # run_template LABEL TEMPLATE_GLOB EVENT_KIND REF [input=value...] → status
  local label=$1 glob=$2 kind=$3 ref=$4 t ev
  shift 4
  t=$(ls $glob 2>/dev/null | head -1)
  [ -n "$t" ] || { echo "  FAILED: no template matches $glob"; failures+=("$label: template $glob missing"); return 1; }
  rm -rf "${caller_dir:?}/$label"
  caller "$t" "$caller_dir/$label/$(basename "$t")" "${offline_inputs[@]}" "$@"
  ev=$(write_event "$kind" "$ref")
  run_act "$label" "$caller_dir/$label/$(basename "$t")" push "$ev"
}

if wants ci; then
  if [ -n "${E2E_CI_TEMPLATE:-}" ]; then ci_glob=$E2E_CI_TEMPLATE; else init_ci_caller; fi
  log "scenario ci: the CI template on a push to main"
  make_app timetracker
  publish_app
  if run_template ci "${ci_glob:-workflows-templates/ci.y*ml}" push-branch refs/heads/main; then
    check "ci: act reports success" true
  else
    show_failure ci; check "ci: act reports success" false
  fi
  for j in Plan Doctor "smoke (" "unit (" "integration (" "security (" "database (" "Migrations (sqlite)" "Code quality" "Image (linux/$arch)" Report; do
    check "ci: job $j passed" job_ok "$(sed 's/[()]/\\&/g' <<<"$j")" ci
  done
fi

dev_digest=""
if wants development || wants release || wants rerun || wants rollback; then
  make_app timetracker
  git -C "$app_src" commit -q --allow-empty -m "feat: reports per project"
  git -C "$app_src" tag -a v1.2.0 -m "v1.2.0"
  git -C "$app_src" branch develop
  publish_app
  sha7=$(git -C "$app_src" rev-parse --short=7 HEAD)
fi

if wants development; then
  log "scenario development: the development CD template on a push to develop"
  if run_template development "workflows-templates/cd-development.y*ml" push-branch refs/heads/develop; then
    check "development: act reports success" true
  else
    show_failure development; check "development: act reports success" false
  fi
  dtags=$(registry_tags "$registry" org/timetracker | tr '\n' ' ')
  echo "  registry tags: $dtags"
  check "development: tag develop in the registry" grep -qw -- develop <<<"$dtags"
  check "development: tag dev-$sha7 in the registry" grep -qw -- "dev-$sha7" <<<"$dtags"
  check "development: a dev-YYYYMMDD-HHMMSS tag in the registry" grep -qE '(^| )dev-[0-9]{8}-[0-9]{6}( |$)' <<<"$dtags"
  check "development: a development prerelease in the fake API" test "$(releases | jq '[.[] | select(.Prerelease)] | length')" -ge 1
  # The version reached the image as a build argument (ENV APP_VERSION in the app's Dockerfile).
  dev_env=$(SSL_CERT_FILE="$tls/ca.pem" crane config --platform "linux/$arch" "$registry/org/timetracker:dev-$sha7" 2>/dev/null | jq -r '.config.Env[]?' || true)
  check "development: the image carries APP_VERSION and VCS_REF from the version (build arguments)" \
    bash -c "grep -qE '^APP_VERSION=[0-9]+\\.[0-9]+\\.[0-9]+' <<<'$dev_env' && grep -qx 'APP_REVISION=$(git -C "$app_src" rev-parse HEAD)' <<<'$dev_env'"
  dev_digest=$(registry_digest "$registry" org/timetracker "dev-$sha7")
  echo "  dev-$sha7 is $dev_digest"
  check "development: a development deployment of dev-$sha7 recorded, success" test "$(deployments | jq --arg d "$dev_digest" \
    '[.[] | select(.Environment=="development" and .Payload.digest==$d and (.States|last)=="success")] | length')" = 1
fi

if wants release || wants rerun || wants rollback; then
  log "scenario release: the release template on a push of tag v1.2.0"
  if run_template release "workflows-templates/*release*.y*ml" push-tag refs/tags/v1.2.0; then
    check "release: act reports success" true
  else
    show_failure release; check "release: act reports success" false
  fi
  jobs=("smoke (" "unit (" "Code quality" "Version" "Promote by digest" "GitHub release")
  [ -n "$dev_digest" ] || jobs+=("Build (linux/$arch)") # without a development image the release builds
  for j in "${jobs[@]}"; do
    check "release: job $j passed" job_ok "$(sed 's/[()]/\\&/g' <<<"$j")" release
  done
  tags=$(registry_tags "$registry" org/timetracker | tr '\n' ' ')
  echo "  registry tags: $tags"
  for t in 1.2.0 1.2 1 latest stable; do check "release: tag $t in the registry" grep -qw -- "$t" <<<"$tags"; done
  digest=$(registry_digest "$registry" org/timetracker 1.2.0)
  echo "  1.2.0 is $digest"
  if [ -n "$dev_digest" ]; then
    # The commit's development image exists: promoted by digest, not rebuilt.
    check "release: the development image was promoted (1.2.0 = dev-$sha7)" test "$digest" = "$dev_digest"
    check "release: no build job ran" bash -c "! grep -qE '\\[[^]]*Build \\(linux[^]]*\\].*Job succeeded' '$work/logs/release.log'"
  fi
  rel=$(releases)
  check "release: one published release v1.2.0 in the fake API" test "$(jq '[.[] | select(.Tag=="v1.2.0" and (.Draft|not))] | length' <<<"$rel")" = 1
  check "release: the release has assets" test "$(jq '[.[] | select(.Tag=="v1.2.0") | (.Assets // [])[]] | length' <<<"$rel")" -gt 0
  # Every manifest attached to the release pins the registry's digest, and
  # names the image nowhere by tag alone.
  pinned_ok=true n=0
  for id in $(jq -r '.[] | select(.Tag=="v1.2.0") | (.Assets // [])[] | select(.Name|test("\\.(ya?ml|json)$")) | .ID' <<<"$rel"); do
    name=$(jq -r --argjson id "$id" '.[] | (.Assets // [])[] | select(.ID==$id) | .Name' <<<"$rel")
    body=$(curl -fsS -H 'Accept: application/octet-stream' "$api/repos/org/timetracker/releases/assets/$id" -L)
    grep -q "org/timetracker" <<<"$body" || continue
    n=$((n + 1))
    if ! grep -q "@$digest" <<<"$body"; then pinned_ok=false; echo "  $name does not mention @$digest"; fi
    # The human tag may stand in a comment beside the digest, never in the value.
    uncommented=$(sed -E 's/(^|[[:space:]])#.*$//' <<<"$body")
    if grep -nE "org/timetracker:[0-9A-Za-z._-]+" <<<"$uncommented"; then pinned_ok=false; echo "  $name names the image by tag (lines above)"; fi
    if grep -nE '^[[:space:]]*image:.*org/timetracker' <<<"$uncommented" | grep -v "@$digest"; then pinned_ok=false; echo "  $name has an image: not pinned to $digest (lines above)"; fi
  done
  check "release: $n manifest assets pin the image to the registry's digest $digest" test "$pinned_ok" = true -a "$n" -gt 0
  supply_chain_release_checks "$digest"
  writes_after_release=$(writes)
  for t in $tags; do echo "$t=$(registry_digest "$registry" org/timetracker "$t")"; done | sort >"$work/tags-after-release"
fi

if wants rerun; then
  log "scenario rerun: the same release again: nothing new"
  ev=$(write_event push-tag refs/tags/v1.2.0)
  if run_act rerun "$(ls "$caller_dir"/release/*)" push "$ev"; then check "rerun: act reports success" true; else show_failure rerun; check "rerun: act reports success" false; fi
  for t in $(registry_tags "$registry" org/timetracker); do echo "$t=$(registry_digest "$registry" org/timetracker "$t")"; done | sort >"$work/tags-after-rerun"
  check "rerun: registry tags and digests unchanged" diff -u "$work/tags-after-release" "$work/tags-after-rerun"
  check "rerun: still one release v1.2.0" test "$(releases | jq '[.[] | select(.Tag=="v1.2.0")] | length')" = 1
  check "rerun: no write to the GitHub API (was $writes_after_release writes, now $(writes))" test "$(writes)" = "$writes_after_release"
fi

if wants release; then
  # The release deployed its pinned files to staging, then production.
  deps=$(deployments)
  for env in staging production; do
    check "release: a $env deployment of $digest recorded, success" test "$(jq --arg e "$env" --arg d "$digest" \
      '[.[] | select(.Environment==$e and .Payload.digest==$d and (.States|last)=="success")] | length' <<<"$deps")" = 1
  done
fi

# run_dispatch LABEL TEMPLATE_GLOB INPUTS_JSON [input=value...]: a template
# started by hand (workflow_dispatch) with INPUTS_JSON as its inputs.
run_dispatch() {
  local label=$1 glob=$2 inputs=$3 t ev
  shift 3
  t=$(ls $glob 2>/dev/null | head -1)
  [ -n "$t" ] || { echo "  FAILED: no template matches $glob"; failures+=("$label: template $glob missing"); return 1; }
  rm -rf "${caller_dir:?}/$label"
  caller "$t" "$caller_dir/$label/$(basename "$t")" "${offline_inputs[@]}" "$@"
  ev="$work/event-dispatch-$RANDOM.json"
  jq --argjson in "$inputs" '.inputs=$in' e2e/events/workflow-dispatch.json >"$ev"
  run_act "$label" "$caller_dir/$label/$(basename "$t")" workflow_dispatch "$ev"
}

if wants rollback; then
  log "scenario rollback: release v1.3.0, roll back by hand to v1.2.0, then run the rollback again"
  git -C "$app_src" commit -q --allow-empty -m "feat: invoices"
  git -C "$app_src" tag -a v1.3.0 -m "v1.3.0"
  publish_app
  if run_template release2 "workflows-templates/cd-release.y*ml" push-tag refs/tags/v1.3.0 run-tests=false; then
    check "rollback: the v1.3.0 release succeeds" true
  else
    show_failure release2; check "rollback: the v1.3.0 release succeeds" false
  fi
  d12=$(registry_digest "$registry" org/timetracker 1.2.0)
  d13=$(registry_digest "$registry" org/timetracker 1.3.0)
  check "rollback: latest is 1.3.0 before the rollback" test "$(registry_digest "$registry" org/timetracker latest)" = "$d13"
  if run_dispatch rollback "workflows-templates/rollback.y*ml" '{"version":"","dry-run":false}' images="$registry/org/timetracker"; then
    check "rollback: act reports success" true
  else
    show_failure rollback; check "rollback: act reports success" false
  fi
  for t in latest stable 1; do
    check "rollback: $t is back on 1.2.0's digest" test "$(registry_digest "$registry" org/timetracker "$t")" = "$d12"
  done
  check "rollback: 1.3.0 did not move" test "$(registry_digest "$registry" org/timetracker 1.3.0)" = "$d13"
  rel=$(releases)
  check "rollback: v1.2.0 is the latest release again" test "$(jq -r '.[] | select(.Latest) | .Tag' <<<"$rel")" = v1.2.0
  check "rollback: v1.3.0's notes say it was rolled back" test "$(jq '[.[] | select(.Tag=="v1.3.0" and (.Body|contains("timetracker-ci:rolled-back")))] | length' <<<"$rel")" = 1
  check "rollback: a production deployment of 1.2.0's files recorded as a rollback, success" test "$(deployments | jq --arg d "$d12" \
    '[.[] | select(.Environment=="production" and .Payload.digest==$d and .Payload.rollback and (.States|last)=="success")] | length')" = 1
  for t in $(registry_tags "$registry" org/timetracker); do echo "$t=$(registry_digest "$registry" org/timetracker "$t")"; done | sort >"$work/tags-after-rollback"
  writes_after_rollback=$(writes)
  ev="$work/event-dispatch-again.json"
  jq '.inputs={"version":"","dry-run":false}' e2e/events/workflow-dispatch.json >"$ev"
  if run_act rollback-again "$(ls "$caller_dir"/rollback/*)" workflow_dispatch "$ev"; then
    check "rollback again: act reports success" true
  else
    show_failure rollback-again; check "rollback again: act reports success" false
  fi
  for t in $(registry_tags "$registry" org/timetracker); do echo "$t=$(registry_digest "$registry" org/timetracker "$t")"; done | sort >"$work/tags-after-rollback-again"
  check "rollback again: registry tags and digests unchanged" diff -u "$work/tags-after-rollback" "$work/tags-after-rollback-again"
  check "rollback again: no write to the GitHub API (was $writes_after_rollback, now $(writes))" test "$(writes)" = "$writes_after_rollback"
fi

if wants broken-test; then
  log "scenario broken-test: a failing test in the example app, on a release tag"
  make_app timetracker
  cat >"$app_src/tests/test_e2e_broken.py" <<'EOF'
import pytest


@pytest.mark.smoke
def test_deliberately_broken():
    assert 1 + 1 == 3, "deliberately broken by the end-to-end run"
EOF
  git -C "$app_src" add -A && git -C "$app_src" commit -qm "test: a broken test"
  git -C "$app_src" tag -a v9.9.9 -m v9.9.9
  publish_app
  tags_before=$(registry_tags "$registry" org/timetracker)
  before_releases=$(releases | jq length)
  if run_template broken-test "workflows-templates/*release*.y*ml" push-tag refs/tags/v9.9.9; then
    check "broken-test: act reports failure" false
  else
    check "broken-test: act reports failure" true
  fi
  show_failure broken-test | head -n 6 || true # head may close the pipe early
  check "broken-test: the smoke job failed" job_failed smoke broken-test
  check "broken-test: the log names the broken test" log_has "test_deliberately_broken" broken-test
  check "broken-test: no tier after smoke passed" bash -c "! grep -qiE '\\[[^]]*(unit|integration|security|database) \\([0-9][^]]*\\].*Job succeeded' '$work/logs/broken-test.log'"
  check "broken-test: no promotion and no release job passed" bash -c "! grep -qE '\\[[^]]*(Promote by digest|GitHub release)[^]]*\\].*Job succeeded' '$work/logs/broken-test.log'"
  check "broken-test: registry tags unchanged (no 9.9.9)" test "$(registry_tags "$registry" org/timetracker)" = "$tags_before"
  check "broken-test: no new release" test "$(releases | jq length)" = "$before_releases"
fi

if wants vulnerable; then scenario_vulnerable; fi

if wants refused-push; then
  log "scenario refused-push: a registry that refuses pushes"
  ro=$(start_registry readonly readonly)
  make_app timetracker
  git -C "$app_src" commit -q --allow-empty -m "feat: exports"
  git -C "$app_src" tag -a v1.3.0 -m v1.3.0
  publish_app
  before_releases=$(releases | jq length)
  saved=("${offline_inputs[@]}")
  offline_inputs=("${offline_inputs[@]/#image=*/image=$ro/org/timetracker}")
  if run_template refused-push "workflows-templates/*release*.y*ml" push-tag refs/tags/v1.3.0 run-tests=false; then
    check "refused-push: act reports failure" false
  else
    check "refused-push: act reports failure" true
  fi
  offline_inputs=("${saved[@]}")
  check "refused-push: a build or image job failed" bash -c "grep -qE '\\[[^]]*(Build|Promote|Image|image)[^]]*\\].*Job failed' '$work/logs/refused-push.log'"
  show_failure refused-push | head -n 6 || true
  check "refused-push: the log says the registry refused the push" bash -c "grep -qiE '405 Method Not Allowed|read-only mode|denied' '$work/logs/refused-push.log'"
  check "refused-push: no new release" test "$(releases | jq length)" = "$before_releases"
  check "refused-push: no tags in the refusing registry" test -z "$(registry_tags "$ro" org/timetracker)"
fi

# scenario_self_release: this repository's own release.yml and its credential
# path, against a second fake GitHub for org/timetracker-ci that serves git
# pushes (refusing workflow-file changes without the workflows permission)
# and has a GitHub App installed (contents and workflows write).
scenario_self_release() {
  log "scenario self-release: release.yml's credentials, and the release tag pushed with each token"
  local saved_api=$api saved_root=$fake_root saved_src=${app_src:-}
  local src="$work/src-timetracker-ci" bare="$work/git/org/timetracker-ci" key="$work/release-app.pem" ev
  rm -rf "$src" "$bare"
  git clone -q "$root" "$src"
  git -C "$src" checkout -q -B main "$(git -C "$root" rev-parse HEAD)"
  git -C "$src" remote set-url origin https://github.com/org/timetracker-ci.git # act derives github.repository from it
  git clone -q --bare "$src" "$bare"
  openssl genrsa -out "$key" 2048 2>/dev/null
  rm -f "$work/fake-url-release"
  "$work/bin/timetracker-ci-local" fake-github --listen 127.0.0.1:0 --owner org --repo timetracker-ci \
    --git "$bare" --git-push --app-client-id Iv23e2erelease --app-permissions contents=write,workflows=write \
    --url-file "$work/fake-url-release" >"$work/logs/fake-github-release.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 100); do [ -s "$work/fake-url-release" ] && break; sleep 0.1; done
  [ -s "$work/fake-url-release" ] || die "the release fake-github did not start: $(cat "$work/logs/fake-github-release.log")"
  api=$(cat "$work/fake-url-release")
  fake_root=${api%/api/v3}
  app_src=$src
  ev="$work/event-dispatch.json"
  jq -n '{ref: "refs/heads/main", inputs: {version: "9.9.0", platforms: "linux/amd64"}}' >"$ev"
  local tags_before writes_before
  tags_before=$(git -C "$bare" tag -l | tr '\n' ' ')
  writes_before=$(writes)
  local app=(--var RELEASE_APP_CLIENT_ID=Iv23e2erelease -s "RELEASE_APP_PRIVATE_KEY=$(cat "$key")" --env E2E_GIT_HTTP="${fake_root#http://}")

  # 1. The whole release.yml with nothing but the GITHUB_TOKEN.
  act_extra=(--env E2E_GIT_HTTP="${fake_root#http://}")
  if run_act self-release-plain "$src/.github/workflows/release.yml" workflow_dispatch "$ev"; then
    check "self-release (GITHUB_TOKEN only): act reports failure" false
  else
    check "self-release (GITHUB_TOKEN only): act reports failure" true
  fi
  check "self-release (GITHUB_TOKEN only): the Release credentials job failed" job_failed "Release credentials" self-release-plain
  check "self-release (GITHUB_TOKEN only): no image or tag job ran" bash -c "! grep -qE '\\[[^]]*(Image|Release commit and tag|Tags and GitHub release)[^]]*\\].*(Job succeeded|Job failed|⭐ Run)' '$work/logs/self-release-plain.log'"
  check "self-release (GITHUB_TOKEN only): no tag pushed" test "$(git -C "$bare" tag -l | tr '\n' ' ')" = "$tags_before"
  check "self-release (GITHUB_TOKEN only): no write to the GitHub API" test "$(writes)" = "$writes_before"
  # act loses the output of a job that fails at once when others wait on it:
  # the message is read from the credentials job alone.
  act_extra=(-j credentials --env E2E_GIT_HTTP="${fake_root#http://}")
  # act also races its log against a step that prints and exits within a
  # few milliseconds (seen once in a CI run: the job failed, its lines were
  # missing): up to three runs, the same message required.
  for _ in 1 2 3; do
    run_act self-release-message "$src/.github/workflows/release.yml" workflow_dispatch "$ev" || true
    log_has "set up a GitHub App (variable RELEASE_APP_CLIENT_ID, secret RELEASE_APP_PRIVATE_KEY" self-release-message && break
  done
  check "self-release (GITHUB_TOKEN only): the message says what to set up" log_has "set up a GitHub App (variable RELEASE_APP_CLIENT_ID, secret RELEASE_APP_PRIVATE_KEY" self-release-message

  # 2. release.yml's credentials job with the GitHub App set up: a token is minted.
  act_extra=(-j credentials "${app[@]}")
  if run_act self-release-app "$src/.github/workflows/release.yml" workflow_dispatch "$ev"; then :; else show_failure self-release-app; fi
  check "self-release (GitHub App): the Release credentials job passed" job_ok "Release credentials" self-release-app

  # 3. The release commit's tag, pushed with each token by release.yml's own steps.
  mkdir -p "$caller_dir/self-release"
  cp e2e/workflows/release-credential-path.yml "$caller_dir/self-release/"
  act_extra=("${app[@]}")
  run_act self-release-push "$caller_dir/self-release/release-credential-path.yml" workflow_dispatch "$ev" || true
  check "self-release push: refused from the GITHUB_TOKEN" job_failed "tag with the GITHUB_TOKEN" self-release-push
  check "self-release push: ... with GitHub's message" log_has "(refusing to allow a GitHub App to create or update workflow \`.github/workflows/" self-release-push
  check "self-release push: no tag v9.9.0" test -z "$(git -C "$bare" tag -l v9.9.0)"
  check "self-release push: accepted from the app's token" job_ok "tag with the GitHub App token" self-release-push
  check "self-release push: tag v9.9.1 holds workflow changes" test -n "$(git -C "$bare" diff --name-only v9.9.1^ v9.9.1 -- .github/workflows 2>/dev/null)"
  act_extra=()
  api=$saved_api fake_root=$saved_root app_src=$saved_src
}
if wants self-release; then scenario_self_release; fi
# shellcheck source=e2e/scenarios/pull-requests.sh
. e2e/scenarios/pull-requests.sh
if wants pull-request || wants fork-pull-request; then scenario_pull_request; fi
if wants fork-pull-request; then scenario_fork_pull_request; fi

log "summary"
for f in "$work"/logs/*.jobs; do [ -e "$f" ] && { echo "$(basename "$f" .jobs):"; cat "$f"; }; done
echo "total: $((SECONDS - total_start))s for scenarios: $scenarios; $SECONDS s with the image builds and services"
if [ ${#failures[@]} -gt 0 ]; then
  printf 'e2e FAILED:\n'; printf '  - %s\n' "${failures[@]}"
  exit 1
fi
echo "e2e: all checks passed"
