#!/bin/sh
# gst-mixmaster main job: one command on a fresh Debian 12 machine.
#   1. installs what is missing (scripts/setup-debian.sh demo)
#   2. builds the plugin (scripts/build.sh -> build/gst/libgstmixmaster.so)
#   3. synthesizes ~20 s of stereo demo stems (numpy, espeak-ng; nothing is downloaded),
#      mixes them with the music ducked under the lead (sidechainduck), masters the mix
#      through the plugin's elements with GStreamer from Python, and prints a
#      before/after report (level, peaks, true peak, correlation, width, bass mono,
#      and what each stage did).
#
# Usage: scripts/main-job.sh [OUTDIR]        (default: $MIXMASTER_OUT or out/main-job)
# Output: OUTDIR/stems/, demo-mix.wav, demo-master.wav, stages/, report.txt, report.json
#         and demo-report.png (when matplotlib is installed).
# Set MAIN_JOB_SKIP_SETUP=1 to skip the package step (e.g. without root or sudo).
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
# OUTDIR given on the command line or in MIXMASTER_OUT is relative to where you are;
# the default is relative to the source tree.
outdir=${1:-${MIXMASTER_OUT:-}}
case "$outdir" in
  "") outdir="$root/out/main-job" ;;
  /*) ;;
  *) outdir="$(pwd)/$outdir" ;;
esac
cd "$root"

if [ "${MAIN_JOB_SKIP_SETUP:-0}" != 1 ]; then
  echo "== setup: Debian packages (scripts/setup-debian.sh demo)"
  scripts/setup-debian.sh demo
fi

echo "== build (scripts/build.sh)"
scripts/build.sh

builddir=${BUILD_DIR:-build}
case "$builddir" in
  /*) plugindir="$builddir/gst" ;;
  *) plugindir="$root/$builddir/gst" ;;
esac
if [ ! -f "$plugindir/libgstmixmaster.so" ]; then
  echo "main-job.sh: $plugindir/libgstmixmaster.so was not built" >&2
  exit 1
fi
GST_PLUGIN_PATH="$plugindir${GST_PLUGIN_PATH:+:$GST_PLUGIN_PATH}"
export GST_PLUGIN_PATH

# Debian's interpreter: it has gi (python3-gi, python3-gst-1.0) and numpy; a python3
# earlier on PATH (pyenv, venv) may not.
py=/usr/bin/python3
[ -x "$py" ] || py=python3

echo "== main job"
exec "$py" scripts/demo/main_job.py "$outdir"
