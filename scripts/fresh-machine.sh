#!/usr/bin/env bash
# Proof of the README's run command on a fresh machine: a clean Debian root
# filesystem built with debootstrap from Debian's packages (no python3, no
# pytest, no Flask), Go from this machine, a clean clone of the committed
# tree. In it:
#   1. as an unprivileged user, scripts/pipeline.sh must print the one
#      apt-get command to run and exit 2, changing nothing;
#   2. as root, it must install the packages itself (scripts/install-deps.sh
#      with apt-get) and finish: a version, test counts per tier, an image
#      digest.
# A step of scripts/test.sh. Needs root (debootstrap, chroot, mount) and the
# Debian mirror; without them it skips, or fails under CI=true.
#
#   bash scripts/fresh-machine.sh      # DEBIAN_SUITE, DEBIAN_MIRROR override the host's
set -euo pipefail
cd "$(dirname "$0")/.."
src=$PWD

# What pipeline.sh installs must be what CI installs too.
extra=$(comm -23 <(grep -v '^\s*#' .ci/apt-packages-pipeline.txt | awk 'NF' | sort -u) \
  <(grep -v '^\s*#' .ci/apt-packages.txt | sed 's/\s*#.*//' | awk 'NF' | sort -u))
if [ -n "$extra" ]; then
  echo "fresh-machine: in .ci/apt-packages-pipeline.txt but not in .ci/apt-packages.txt: $extra"
  exit 1
fi

skip() {
  echo "fresh-machine: $1"
  [ "${CI:-}" = true ] && exit 1 # CI has root and installs debootstrap: missing there is a failure
  echo "skipped"
  exit 0
}
[ "$(id -u)" = 0 ] || skip "needs root (debootstrap, chroot, mount)"
command -v debootstrap >/dev/null || skip "needs debootstrap (bash scripts/install-deps.sh as root installs it)"
# shellcheck disable=SC1091 # the host's file, read at run time
suite=${DEBIAN_SUITE:-$(. /etc/os-release && echo "${VERSION_CODENAME:-}")}
[ -n "$suite" ] || skip "cannot tell the Debian suite: set DEBIAN_SUITE"
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}

work=$(mktemp -d "${TMPDIR:-/tmp}/fresh-machine.XXXXXX")
rootfs=$work/rootfs
mounts=()
cleanup() {
  local i
  for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do umount "${mounts[$i]}" 2>/dev/null || umount -l "${mounts[$i]}" || true; done
  # Never delete through a mount that is still there (the caches, /dev).
  if grep -qF " $work/" /proc/self/mounts; then
    echo "fresh-machine: mounts under $work remain; not deleting it" >&2
    return
  fi
  rm -rf "$work"
}
trap cleanup EXIT
bind() { # bind SRC DST [ro]
  mkdir -p "$2"
  mount --bind "$1" "$2"
  mounts+=("$2")
  if [ "${3:-}" = ro ]; then mount -o remount,bind,ro "$2"; fi
}

start=$SECONDS
echo "debootstrap $suite (minbase, plus git to clone) from $mirror"
if ! debootstrap --variant=minbase --include=git,ca-certificates "$suite" "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1; then
  tail -20 "$work/debootstrap.log"
  echo "fresh-machine: debootstrap failed"
  exit 1
fi
echo "root filesystem ready in $((SECONDS - start))s"

# Go as a user has it: the toolchain, and the module and build caches (a
# warm cache only saves downloads from the module proxy).
bind "$(go env GOROOT)" "$rootfs/usr/local/go" ro
bind "$(go env GOMODCACHE)" "$rootfs/root/go/pkg/mod"
bind "$(go env GOCACHE)" "$rootfs/root/.cache/go-build"
mount -t proc proc "$rootfs/proc" && mounts+=("$rootfs/proc")
bind /dev "$rootfs/dev"
cp /etc/resolv.conf "$rootfs/etc/resolv.conf"
git clone -q --no-hardlinks "$src" "$rootfs/opt/timetracker-ci"
chmod -R a+rX "$rootfs/opt/timetracker-ci"

in_root() { # in_root [setpriv args --] command...: a clean environment in the new root
  chroot "$rootfs" env -i HOME=/root PATH=/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    GOPROXY="$(go env GOPROXY)" GOFLAGS=-modcacherw "$@"
}

if in_root python3 -c 'import pytest' 2>/dev/null; then
  echo "fresh-machine: the new root already has pytest: it proves nothing"
  exit 1
fi

echo "== as an unprivileged user: must print the command and exit 2"
status=0
in_root setpriv --reuid=65534 --regid=65534 --clear-groups env HOME=/tmp \
  bash /opt/timetracker-ci/scripts/pipeline.sh >"$work/user.log" 2>&1 || status=$?
cat "$work/user.log"
if [ "$status" != 2 ] || ! grep -q 'sudo apt-get install -y --no-install-recommends .*python3-pytest' "$work/user.log"; then
  echo "fresh-machine: want exit 2 and the apt-get command, got exit $status"
  exit 1
fi
if [ -e "$rootfs/opt/timetracker-ci/bin" ] || [ -e "$rootfs/opt/timetracker-ci/dist" ]; then
  echo "fresh-machine: the refused run left files behind"
  exit 1
fi

echo "== as root: must install the packages and finish"
start=$SECONDS
status=0
in_root bash /opt/timetracker-ci/scripts/pipeline.sh >"$work/root.log" 2>&1 || status=$?
cat "$work/root.log"
echo "(pipeline.sh as root on the fresh root: $((SECONDS - start))s)"
[ "$status" = 0 ] || { echo "fresh-machine: pipeline.sh exited $status"; exit 1; }
for want in 'installing Debian packages: .*python3-pytest' '^version   ' '^          unit ' '^digest    sha256:[0-9a-f]{64}'; do
  grep -Eq "$want" "$work/root.log" || { echo "fresh-machine: the output lacks /$want/"; exit 1; }
done
echo "fresh-machine: ok"
