#!/bin/sh
# Regenerates orc/mixmaster-orc-dist.[ch] from orc/mixmaster.orc.
# Usage: update-orc-dist.sh ORCC SOURCE.orc OUTPUT_DIR
set -eu
orcc=$1
src=$2
dir=$3
"$orcc" --header -o "$dir/mixmaster-orc-dist.h" "$src"
"$orcc" --implementation -o "$dir/mixmaster-orc-dist.c" "$src"
echo "regenerated $dir/mixmaster-orc-dist.[ch]"
