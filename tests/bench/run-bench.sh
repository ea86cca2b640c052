#!/bin/sh
# gst-mixmaster benchmark: times each element against its peers and prints a table.
# Usage: tests/bench/run-bench.sh [--runs N] [--seconds S] [--json FILE] [--only ELEMENT] ...
#        tests/bench/run-bench.sh --help
# Installs missing peers (scripts/setup-debian.sh bench), builds the plugin if
# build/gst/libgstmixmaster.so is missing, then runs tests/bench/bench.py. See README.md.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
# Debian's interpreter (it has numpy for the test signal); the python3 first on PATH may not be
if [ -x /usr/bin/python3 ]; then py=/usr/bin/python3; else py=python3; fi
exec "$py" "$here/bench.py" "$@"
