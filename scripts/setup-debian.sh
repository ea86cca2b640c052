#!/bin/sh
# Installs the Debian 12 packages gst-mixmaster needs to build, test, benchmark and run
# its main job. Installs only what is missing; safe to run again.
# Usage: scripts/setup-debian.sh [build|test|bench|demo|all]   (default: all)
set -eu

want=${1:-all}

build_pkgs="meson ninja-build pkg-config gcc libc6-dev libglib2.0-dev
  libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev liborc-0.4-dev liborc-0.4-dev-bin
  libebur128-dev gstreamer1.0-tools gstreamer1.0-plugins-base"
test_pkgs="gstreamer1.0-plugins-good python3 python3-gi python3-gst-1.0 python3-numpy
  gir1.2-gstreamer-1.0 gir1.2-gst-plugins-base-1.0"
bench_pkgs="gstreamer1.0-plugins-bad ffmpeg lsp-plugins-lv2 x42-plugins sox"
demo_pkgs="espeak-ng python3-matplotlib"

case "$want" in
  build) pkgs="$build_pkgs" ;;
  test) pkgs="$build_pkgs $test_pkgs" ;;
  bench) pkgs="$build_pkgs $test_pkgs $bench_pkgs" ;;
  demo) pkgs="$build_pkgs $test_pkgs $demo_pkgs" ;;
  all) pkgs="$build_pkgs $test_pkgs $bench_pkgs $demo_pkgs" ;;
  *) echo "setup-debian.sh: unknown set '$want' (build, test, bench, demo or all)" >&2; exit 2 ;;
esac

missing=""
for p in $pkgs; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $p"
  fi
done

[ -z "$missing" ] && exit 0

echo "Installing Debian packages:$missing"
if [ "$(id -u)" -eq 0 ]; then
  sudo=""
elif command -v sudo >/dev/null 2>&1; then
  sudo="sudo"
else
  echo "setup-debian.sh: need root or sudo to install:$missing" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
# shellcheck disable=SC2086
$sudo apt-get install -y -q --no-install-recommends $missing
