#!/bin/sh
# The test command of the README: installs what is missing, builds, runs every test.
set -eu
cd "$(dirname "$0")/.."
scripts/setup-debian.sh test
scripts/build.sh
meson test -C "${BUILD_DIR:-build}" --print-errorlogs "$@"
