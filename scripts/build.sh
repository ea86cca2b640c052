#!/bin/sh
# Configures (once) and builds gst-mixmaster in BUILD_DIR (default: build).
# Extra arguments go to `meson setup`, e.g. scripts/build.sh -Dorc=disabled
set -eu
cd "$(dirname "$0")/.."
builddir=${BUILD_DIR:-build}
if [ ! -f "$builddir/build.ninja" ]; then
  meson setup "$builddir" "$@"
elif [ $# -gt 0 ]; then
  meson configure "$builddir" "$@"
fi
meson compile -C "$builddir"
