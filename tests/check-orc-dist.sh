#!/bin/sh
# The checked-in ORC fallback must match what orcc makes of orc/mixmaster.orc, or
# builds without orcc (and -Dorc=disabled) would run stale kernels.
# Usage: check-orc-dist.sh GENERATED_C GENERATED_H DIST_C DIST_H
set -eu
if cmp -s "$1" "$3" && cmp -s "$2" "$4"; then
  echo "checked-in ORC fallback is up to date"
  exit 0
fi
echo "orc/mixmaster-orc-dist.[ch] are out of date with orc/mixmaster.orc:" \
  "run 'meson compile -C build update-orc-dist'"
exit 1
