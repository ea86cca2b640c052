#!/bin/sh
# gst-launch-1.0 recipes for the gst-mixmaster stereowidth element.
#
# Each recipe is a working launch line; this script runs them all (headless: they end by
# themselves via num-buffers, and write to fakesink or to WAV files in a temporary
# directory) and reports OK or FAIL for each. Exit status is the number of failures.
#
# Usage: examples/launch-lines.sh [-v]     (-v shows each pipeline's output)
# Uses GST_PLUGIN_PATH when set, else the build tree's build/gst.
set -u

here=$(cd "$(dirname "$0")" && pwd)
if [ -z "${GST_PLUGIN_PATH:-}" ] && [ -d "$here/../build/gst" ]; then
  GST_PLUGIN_PATH=$(cd "$here/../build/gst" && pwd)
  export GST_PLUGIN_PATH
fi
verbose=0
[ "${1:-}" = "-v" ] && verbose=1

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mixmaster-launch.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
pass=0
fail=0

# run NAME EXPECT -- gst-launch-1.0 arguments...
# EXPECT is a string the output must contain ("" for none).
run () {
  name=$1
  expect=$2
  shift 3
  if timeout 60 gst-launch-1.0 "$@" >"$tmp/log" 2>&1 \
      && { [ -z "$expect" ] || grep -q -- "$expect" "$tmp/log"; }; then
    echo "OK    $name"
    pass=$((pass + 1))
    [ $verbose = 1 ] && sed 's/^/      /' "$tmp/log"
  else
    echo "FAIL  $name"
    echo "      gst-launch-1.0 $*"
    sed 's/^/      /' "$tmp/log" | tail -n 20
    fail=$((fail + 1))
  fi
  return 0
}

if ! gst-inspect-1.0 stereowidth >/dev/null 2>&1; then
  echo "FAIL  stereowidth not found (build the plugin, or set GST_PLUGIN_PATH)"
  exit 1
fi

# 1. Widen a stereo signal by 30 %. audiotestsrc is mono: interleave two independent
#    pink-noise sources into a real stereo signal.
run "widen independent noise (width=1.3)" "" -- \
  interleave name=i ! audioconvert ! stereowidth width=1.3 ! audioconvert ! fakesink \
  audiotestsrc wave=pink-noise num-buffers=100 ! audio/x-raw,channels=1 ! i. \
  audiotestsrc wave=pink-noise num-buffers=100 ! audio/x-raw,channels=1 ! i.

# 2. Watch the correlation meter: -m prints every element message (here every 50 ms).
#    A mono source upmixed to stereo has correlation +1.
run "print correlation messages (-m)" "correlation=(double)1" -- -m \
  audiotestsrc wave=sine num-buffers=50 ! audio/x-raw,channels=2 ! audioconvert ! \
  stereowidth post-messages=true interval=50000000 ! audioconvert ! fakesink

# 3. Fold to mono: width=0 leaves only the mid signal, in both channels.
run "fold to mono (width=0)" "" -- \
  interleave name=i ! audioconvert ! stereowidth width=0 ! audioconvert ! fakesink \
  audiotestsrc wave=pink-noise num-buffers=50 ! audio/x-raw,channels=1 ! i. \
  audiotestsrc wave=white-noise num-buffers=50 ! audio/x-raw,channels=1 ! i.

# 4. Make a test WAV, then master it from a file: wider, bass mono below 120 Hz,
#    written as 24-bit WAV.
run "write a stereo test WAV" "" -- \
  interleave name=i ! audioconvert ! wavenc ! filesink location="$tmp/in.wav" \
  audiotestsrc wave=pink-noise num-buffers=200 ! audio/x-raw,channels=1,rate=48000 ! i. \
  audiotestsrc wave=pink-noise num-buffers=200 ! audio/x-raw,channels=1,rate=48000 ! i.
run "file: width=1.3 bass-mono-freq=120 to 24-bit WAV" "" -- \
  filesrc location="$tmp/in.wav" ! wavparse ! audioconvert ! \
  stereowidth width=1.3 bass-mono-freq=120 ! \
  audioconvert ! audio/x-raw,format=S24LE ! wavenc ! filesink location="$tmp/master.wav"

# 5. Mid/side balance: a little less centre, a little more side, in 64-bit float.
run "mid-gain=-1.5 side-gain=2 at F64LE, 96 kHz" "" -- \
  filesrc location="$tmp/in.wav" ! wavparse ! audioresample ! audioconvert ! \
  audio/x-raw,format=F64LE,rate=96000 ! stereowidth mid-gain=-1.5 side-gain=2 ! \
  audioconvert ! fakesink

# 6. Meter a file before and after processing, each stereowidth named so the
#    messages say which is which (unity settings are a bit-exact pass-through).
run "meter before and after" "before" -- -m \
  filesrc location="$tmp/in.wav" ! wavparse ! audioconvert ! \
  stereowidth name=before post-messages=true ! \
  stereowidth width=0.6 ! stereowidth name=after post-messages=true ! fakesink

# 7. Decode anything with decodebin (here the WAV from recipe 4) and play it; with no
#    sound card here, fakesink stands in for autoaudiosink.
run "decodebin input" "" -- \
  filesrc location="$tmp/master.wav" ! decodebin ! audioconvert ! \
  stereowidth width=0.8 ! audioconvert ! fakesink

echo "$pass OK, $fail FAIL"
exit "$fail"
