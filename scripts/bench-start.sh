#!/usr/bin/env bash
# Start time of the actions beside their yardsticks, in one run:
#   - `timetracker-ci <action> --help`, best of 21, beside a hello-world Go
#     binary built with the same flags (goal: at most 2x), and three floors:
#     hello world padded to our binary's size, and hello world linking the
#     same third-party packages (their init runs before any code of ours),
#     and hello world linking only the fixed libraries' packages;
#   - `timetracker-ci version` on a tag push in a small repository, median,
#     beside hello world (goal: at most 4x) and, when its checkout is given,
#     docker/metadata-action's bundle under node on the same event (goal:
#     ours at least 30x faster). Both talk to the same local fake GitHub API
#     (metadata-action asks it for the repository).
# Wall times (best, median), CPU times (user + system, mean) and peak RSS,
# with the load average: on a shared machine the CPU figures move less.
#
#   scripts/bench-start.sh                              # ours and hello world
#   scripts/bench-start.sh path/to/metadata-action      # and metadata-action's dist/index.cjs (or index.js)
#   BENCH_RUNS=5 scripts/bench-start.sh                 # a short run (CI)
#
# Needs hyperfine and jq (Debian packages). Exits non-zero only when a
# command fails, never on a time.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
runs=${BENCH_RUNS:-21}
mda=${1:-}
for tool in hyperfine jq; do
  command -v "$tool" >/dev/null || { echo "bench-start: $tool is missing: apt-get install -y $tool" >&2; exit 1; }
done
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench-start.XXXXXX")
fake_pid=
cleanup() { [ -n "$fake_pid" ] && kill "$fake_pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
flags=(-trimpath -ldflags "-s -w")
mkdir -p "$tmp/hello"
cat >"$tmp/hello/main.go" <<'GO'
package main

import "fmt"

func main() { fmt.Println("hello, world") }
GO
printf 'module hello\n\ngo 1.22\n' >"$tmp/hello/go.mod"
(cd "$tmp/hello" && CGO_ENABLED=0 go build "${flags[@]}" -o "$tmp/hello-world" .)
(cd "$root" && CGO_ENABLED=0 go build "${flags[@]}" -o "$tmp/timetracker-ci" ./cmd/timetracker-ci &&
  go build -o "$tmp/timetracker-ci-local" ./cmd/timetracker-ci-local)
bin=$tmp/timetracker-ci

# Two floors beside hello world, built with the same flags: hello world
# padded to our binary's size (does the size alone cost?), and hello world
# linking every third-party package the shipped binary links, doing nothing
# with them (what their package init and the runtime's start cost before
# any line of ours runs).
mkdir -p "$tmp/padded" "$tmp/deps"
head -c $(( $(wc -c <"$bin") - $(wc -c <"$tmp/hello-world") )) /dev/urandom >"$tmp/padded/pad.bin"
cat >"$tmp/padded/main.go" <<'GO'
package main

import (
	_ "embed"
	"fmt"
	"os"
)

//go:embed pad.bin
var pad []byte

func main() {
	if len(os.Args) > 99 {
		os.Stdout.Write(pad)
	}
	fmt.Println("hello, world")
}
GO
printf 'module padded\n\ngo 1.22\n' >"$tmp/padded/go.mod"
(cd "$tmp/padded" && CGO_ENABLED=0 go build "${flags[@]}" -o "$tmp/hello-padded" .)
cp "$root/go.mod" "$root/go.sum" "$tmp/deps/"
{
  printf 'package main\n\nimport (\n\t"fmt"\n'
  (cd "$root" && go list -deps ./cmd/timetracker-ci) | grep -v "^$(cd "$root" && go list -m)" |
    grep '^[^/]*\.[^/]*/' | grep -v '/internal\(/\|$\)' | sed 's/.*/\t_ "&"/'
  printf ')\n\nfunc main() { fmt.Println("hello, world") }\n'
} >"$tmp/deps/main.go"
(cd "$tmp/deps" && CGO_ENABLED=0 go build "${flags[@]}" -o "$tmp/hello-deps" .)
# The third floor: hello world linking only the packages of the four fixed
# libraries (go-githubactions, go-github, go-containerregistry, semver) that
# the shipped binary links. Their package init (semver's regular
# expressions, go-containerregistry's zstd tables and digest algorithms)
# runs in every Go program that uses them: no action can start faster.
mkdir -p "$tmp/fixed"
cp "$root/go.mod" "$root/go.sum" "$tmp/fixed/"
{
  printf 'package main\n\nimport (\n\t"fmt"\n'
  grep -E '^\s_ "(github.com/sethvargo/go-githubactions|github.com/google/go-github/|github.com/google/go-containerregistry/|github.com/Masterminds/semver/)' "$tmp/deps/main.go"
  printf ')\n\nfunc main() { fmt.Println("hello, world") }\n'
} >"$tmp/fixed/main.go"
(cd "$tmp/fixed" && CGO_ENABLED=0 go build "${flags[@]}" -o "$tmp/hello-fixed" .)

# figures FILE: one line per command of a hyperfine JSON export.
figures() {
  jq -r '.results[] | [.command, (.times | min * 1000), (.times | sort | .[(length - 1) / 2 | floor] * 1000),
    ((.user + .system) * 1000)] | @tsv' "$1"
}
stat_of() { jq -r --arg c "$2" ".results[] | select(.command == \$c) | $3" "$1"; }

echo "== <action> --help, best of $runs (goal: at most 2x hello world)"
actions=$("$bin" --help | awk '/^Actions:/{f=1;next} /^$/{f=0} f{print $1}')
cmds=("$tmp/hello-world" "$tmp/hello-padded" "$tmp/hello-fixed" "$tmp/hello-deps")
for a in $actions; do cmds+=("$bin $a --help"); done
hyperfine -N --warmup 3 --runs "$runs" --export-json "$tmp/help.json" "${cmds[@]}" >/dev/null 2>&1
hello_min=$(stat_of "$tmp/help.json" "$tmp/hello-world" '.times | min')
fixed_min=$(stat_of "$tmp/help.json" "$tmp/hello-fixed" '.times | min')
figures "$tmp/help.json" | while IFS=$'\t' read -r cmd best median cpu; do
  printf '  %-44s best %6.2f ms (%4.2fx hello, %4.2fx fixed)  median %6.2f ms  cpu %6.2f ms\n' \
    "${cmd#"$tmp/"}" "$best" "$(echo "$best / ($hello_min * 1000)" | bc -l)" "$(echo "$best / ($fixed_min * 1000)" | bc -l)" "$median" "$cpu"
done
echo "  (hello-padded: hello world padded to our binary's size; hello-fixed: hello world linking the $(grep -c '_ "' "$tmp/fixed/main.go") packages"
echo "   of the four fixed libraries that we link; hello-deps: hello world linking all our $(grep -c '_ "' "$tmp/deps/main.go") third-party packages)"

# Instructions executed (valgrind's callgrind; the same count whatever else
# the machine does), when valgrind is installed: the part of the start
# that is CPU work, separate from exec and page faults.
if command -v valgrind >/dev/null; then
  # asyncpreemptoff: on a busy machine the runtime's preemption signal
  # trips an assertion in callgrind's signal handling.
  instr() { GODEBUG=asyncpreemptoff=1 valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null |
    awk '/Collected/{n=$4} END {print (n == "" ? "(valgrind failed)" : n)}'; }
  echo "  instructions (callgrind): hello-world $(instr "$tmp/hello-world"), hello-fixed $(instr "$tmp/hello-fixed")," \
    "hello-deps $(instr "$tmp/hello-deps"), version --help $(instr "$bin" version --help)"
fi

echo "== version on a tag push (goals: median at most 4x hello world; at least 30x faster than metadata-action)"
repo=$tmp/repo
git init -q -b main "$repo"
git -C "$repo" -c user.name=bench -c user.email=bench@example.com commit -q --allow-empty -m "feat: first"
git -C "$repo" -c user.name=bench -c user.email=bench@example.com tag -a v1.2.3 -m v1.2.3
git clone -q --bare "$repo" "$tmp/bare.git"
sha=$(git -C "$repo" rev-parse HEAD)
"$tmp/timetracker-ci-local" fake-github --listen 127.0.0.1:0 --owner org --repo timetracker \
  --git "$tmp/bare.git" --url-file "$tmp/url" >"$tmp/fake.log" 2>&1 &
fake_pid=$!
for _ in $(seq 100); do [ -s "$tmp/url" ] && break; sleep 0.1; done
[ -s "$tmp/url" ] || { echo "bench-start: the fake GitHub did not start: $(cat "$tmp/fake.log")" >&2; exit 1; }
printf '{"ref":"refs/tags/v1.2.3","after":"%s","repository":{"full_name":"org/timetracker","name":"timetracker","owner":{"login":"org"},"default_branch":"main"}}\n' "$sha" >"$tmp/event.json"
for f in out env state summary; do : >"$tmp/$f.txt"; done
api=$(cat "$tmp/url")
export GITHUB_ACTIONS=true GITHUB_EVENT_NAME=push GITHUB_REF=refs/tags/v1.2.3 GITHUB_REF_NAME=v1.2.3 GITHUB_REF_TYPE=tag \
  GITHUB_SHA=$sha GITHUB_REPOSITORY=org/timetracker GITHUB_REPOSITORY_OWNER=org GITHUB_SERVER_URL=https://github.com \
  GITHUB_API_URL=$api GITHUB_WORKSPACE=$repo GITHUB_EVENT_PATH=$tmp/event.json GITHUB_OUTPUT=$tmp/out.txt \
  GITHUB_STEP_SUMMARY=$tmp/summary.txt GITHUB_ENV=$tmp/env.txt GITHUB_STATE=$tmp/state.txt RUNNER_TEMP=$tmp \
  GITHUB_RUN_ID=1 GITHUB_RUN_NUMBER=1 GITHUB_RUN_ATTEMPT=1 GITHUB_ACTOR=bench GITHUB_WORKFLOW=ci GITHUB_JOB=bench RUNNER_OS=Linux \
  INPUT_IMAGES=ghcr.io/org/timetracker INPUT_TAGS=type=timetracker
cd "$repo"
"$bin" version >"$tmp/ours.log" 2>&1 || { echo "bench-start: timetracker-ci version failed:" >&2; cat "$tmp/ours.log" >&2; exit 1; }
grep -q "^version<<" "$tmp/out.txt" || { echo "bench-start: timetracker-ci version set no version output" >&2; exit 1; }
cmds=("$tmp/hello-world" "$bin version")
if [ -n "$mda" ]; then
  bundle=$mda/dist/index.cjs
  [ -f "$bundle" ] || bundle=$mda/dist/index.js
  [ -f "$bundle" ] || { echo "bench-start: no dist/index.cjs or dist/index.js under $mda" >&2; exit 1; }
  # metadata-action knows no type=timetracker: it runs its default tag rules
  # (an empty tags input), which ours would run on the same input too.
  env "INPUT_GITHUB-TOKEN=bench" INPUT_TAGS= node "$bundle" >"$tmp/mda.log" 2>&1 || { echo "bench-start: metadata-action failed:" >&2; tail -20 "$tmp/mda.log" >&2; exit 1; }
  cmds+=("env INPUT_TAGS= node $bundle")
  echo "  metadata-action: $(cd "$mda" && git log -1 --format='%h %cs' 2>/dev/null || echo "$bundle"), $(node --version)"
fi
env "INPUT_GITHUB-TOKEN=bench" hyperfine -N --warmup 2 --runs "$runs" --export-json "$tmp/version.json" "${cmds[@]}" >/dev/null 2>&1
hello_med=$(stat_of "$tmp/version.json" "$tmp/hello-world" '.times | sort | .[(length - 1) / 2 | floor]')
ours_med=$(stat_of "$tmp/version.json" "$bin version" '.times | sort | .[(length - 1) / 2 | floor]')
figures "$tmp/version.json" | while IFS=$'\t' read -r cmd best median cpu; do
  # Peak RSS of one more run (hyperfine does not record it).
  # shellcheck disable=SC2086 # cmd is a command line
  rss=$(env "INPUT_GITHUB-TOKEN=bench" /usr/bin/time -f '%M' $cmd 2>&1 >/dev/null | tail -1)
  printf '  %-44s median %7.2f ms (%6.1fx hello, %5.1fx ours)  best %7.2f ms  cpu %7.2f ms  rss %6.1f MiB\n' \
    "${cmd#"$tmp/"}" "$median" "$(echo "$median / ($hello_med * 1000)" | bc -l)" "$(echo "$median / ($ours_med * 1000)" | bc -l)" "$best" "$cpu" "$(echo "$rss / 1024" | bc -l)"
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
