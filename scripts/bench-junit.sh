#!/bin/sh
# Measures the JUnit parser on a generated 1,000,000-test-case report
# (about 200 MB, pytest-like, with failures and skips): prints the parse
# throughput (MB/s) and the peak RSS of the parsing process.
# Targets: at least 150 MB/s, at most 64 MiB peak RSS.
# Usage: scripts/bench-junit.sh [test-cases [fail-every]]   (needs GNU time: apt-get install time)
#   scripts/bench-junit.sh 1000000 1   # every case fails: the held-failure bounds
set -eu
n=${1:-1000000}
fail_every=${2:-97}
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/junitbench" ./internal/tools/junitbench
"$tmp/junitbench" -generate "$n" -fail-every "$fail_every" "$tmp/report.xml"
if [ ! -x /usr/bin/time ]; then
	echo "bench-junit: /usr/bin/time (GNU time) is missing: apt-get install -y time" >&2
	exit 1
fi
# Read the file once so the measurement is of the parser, not the disk.
cat "$tmp/report.xml" >/dev/null
/usr/bin/time -v "$tmp/junitbench" "$tmp/report.xml" 2>"$tmp/time.txt"
rss_kb=$(sed -n 's/.*Maximum resident set size (kbytes): *//p' "$tmp/time.txt")
echo "peak RSS: $((rss_kb / 1024)) MiB ($rss_kb KiB)"
