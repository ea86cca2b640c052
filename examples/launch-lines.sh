#!/bin/sh
# gst-launch-1.0 recipes for the gst-mixmaster elements (stereowidth, mixeq, mixcomp,
# masterlimiter, loudnorm, sidechainduck).
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

for element in stereowidth mixeq mixcomp masterlimiter loudnorm sidechainduck; do
  if ! gst-inspect-1.0 "$element" >/dev/null 2>&1; then
    echo "FAIL  $element not found (build the plugin, or set GST_PLUGIN_PATH)"
    exit 1
  fi
done

# ---------------------------------------------------------------- stereowidth

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

# ---------------------------------------------------------------- mixeq
# The recipes of docs/mixeq.md, line for line, writing into the temporary directory
# instead of /tmp.

# Low cut on a track: 18 dB/octave Butterworth high-pass at 60 Hz.
run "mixeq: low cut 60 Hz on a track" "" -- \
  audiotestsrc wave=pink-noise num-buffers=200 ! audioconvert ! \
  mixeq num-bands=1 band0::type=high-pass band0::freq=60 band0::slope=18 ! \
  audioconvert ! wavenc ! filesink location="$tmp/mixeq-lowcut.wav"

# Vocal: low cut at 80 Hz, 3 dB less mud at 300 Hz, 2.5 dB presence at 3 kHz.
run "mixeq: vocal presence and mud" "" -- \
  audiotestsrc wave=pink-noise num-buffers=200 ! audioconvert ! \
  mixeq num-bands=3 band0::type=high-pass band0::freq=80 \
    band1::freq=300 band1::gain=-3 band1::q=1.2 \
    band2::freq=3000 band2::gain=2.5 band2::q=0.8 ! \
  audioconvert ! wavenc ! filesink location="$tmp/mixeq-vocal.wav"

# Kick and bass carving: the bass dips where the kick's fundamental sits (60 Hz),
# the kick gets its click back at 4 kHz; both mixed into one file.
run "mixeq: kick and bass carving" "" -- \
  audiomixer name=mix ! audioconvert ! wavenc ! \
    filesink location="$tmp/mixeq-kick-bass.wav" \
  audiotestsrc wave=saw freq=55 volume=0.3 num-buffers=200 ! audioconvert ! \
    mixeq num-bands=1 band0::freq=60 band0::gain=-4 band0::q=2 ! mix. \
  audiotestsrc wave=ticks freq=60 num-buffers=200 ! audioconvert ! \
    mixeq num-bands=2 band0::freq=60 band0::gain=2 band0::q=1.4 \
      band1::freq=4000 band1::gain=3 band1::q=1 ! mix.

# M/S low-end cleanup on a stereo master: the side loses everything under 150 Hz,
# the mid is untouched.
run "mixeq: M/S low-end cleanup (side high-pass 150 Hz)" "" -- \
  interleave name=i ! audioconvert ! \
    mixeq num-bands=1 band0::channels=side band0::type=high-pass band0::freq=150 ! \
    audioconvert ! wavenc ! filesink location="$tmp/mixeq-ms.wav" \
  audiotestsrc wave=pink-noise num-buffers=200 ! audio/x-raw,channels=1 ! i. \
  audiotestsrc wave=pink-noise num-buffers=200 ! audio/x-raw,channels=1 ! i.

# The 5-band mastering EQ of docs/images/mixeq-mastering.png, on a stereo WAV,
# rendered as 24-bit WAV.
run "mixeq: write a stereo test WAV" "" -- \
  interleave name=i ! audioconvert ! wavenc ! filesink location="$tmp/mixeq-in.wav" \
  audiotestsrc wave=pink-noise num-buffers=200 ! audio/x-raw,channels=1,rate=48000 ! i. \
  audiotestsrc wave=pink-noise num-buffers=200 ! audio/x-raw,channels=1,rate=48000 ! i.
run "mixeq: 5-band mastering EQ, file to 24-bit WAV" "" -- \
  filesrc location="$tmp/mixeq-in.wav" ! wavparse ! audioconvert ! \
  mixeq num-bands=5 \
    band0::type=high-pass band0::freq=25 band0::slope=24 \
    band1::type=low-shelf band1::freq=90 band1::gain=1 \
    band2::freq=300 band2::gain=-1.5 band2::q=1 \
    band3::freq=2500 band3::gain=-1 band3::q=2 \
    band4::type=high-shelf band4::freq=10000 band4::gain=1.5 ! \
  audioconvert ! audio/x-raw,format=S24LE ! wavenc ! \
  filesink location="$tmp/mixeq-master.wav"

# A band set at or above Nyquist is clamped to 0.49 x the rate, with one warning that
# names it (here 30 kHz at 44.1 kHz).
run "mixeq: freq above Nyquist warns and plays" "band0: freq 30000 Hz" -- \
  audiotestsrc num-buffers=20 ! audio/x-raw,rate=44100 ! audioconvert ! \
  mixeq num-bands=1 band0::type=high-shelf band0::freq=30000 band0::gain=3 ! fakesink

# ---------------------------------------------------------------- mixcomp
# The recipes of docs/mixcomp.md, writing into the temporary directory instead of /tmp.
# audiotestsrc stands in for the track or bus; ticks make drum-like transients.

# Vocal, 3:1: soft knee, fast attack, medium release, 4 dB of makeup.
run "mixcomp: vocal 3:1" "" -- \
  audiotestsrc wave=pink-noise num-buffers=300 ! audioconvert ! \
  mixcomp threshold=-24 ratio=3 knee=6 attack=5 release=120 makeup=4 ! \
  audioconvert ! wavenc ! filesink location="$tmp/mixcomp-vocal.wav"

# Drum bus: a kick (60 Hz, twice a second) and hats (7 kHz, every 125 ms); fast attack,
# short release, 4:1, the side-chain high-pass keeps the kick from pumping the bus, and
# mix=0.7 keeps 30 % of the dry transients (punch).
run "mixcomp: drum bus, side-chain high-pass, mix 0.7" "" -- \
  audiomixer name=mix ! audioconvert ! \
    mixcomp threshold=-20 ratio=4 knee=6 attack=2 release=80 sidechain-hpf=120 mix=0.7 ! \
    audioconvert ! wavenc ! filesink location="$tmp/mixcomp-drums.wav" \
  audiotestsrc wave=ticks freq=60 sine-periods-per-tick=6 tick-interval=500000000 \
    num-buffers=300 ! mix. \
  audiotestsrc wave=ticks freq=7000 volume=0.15 sine-periods-per-tick=300 \
    tick-interval=125000000 num-buffers=300 ! mix.

# The same drum bus metered, without and with the side-chain high-pass: -m prints the
# gain-reduction messages (the kick alone drives the first one much harder).
for hpf in 0 120; do
  run "mixcomp: drum bus meter, sidechain-hpf=$hpf (-m)" "gain-reduction=(double)" -- -m \
    audiomixer name=mix ! audioconvert ! \
      mixcomp threshold=-20 ratio=4 knee=6 attack=2 release=80 sidechain-hpf=$hpf \
        post-messages=true interval=50000000 ! fakesink \
    audiotestsrc wave=ticks freq=60 sine-periods-per-tick=6 tick-interval=500000000 \
      num-buffers=100 ! mix. \
    audiotestsrc wave=ticks freq=7000 volume=0.15 sine-periods-per-tick=300 \
      tick-interval=125000000 num-buffers=100 ! mix.
done

# Mix-bus glue on a stereo file: 2:1, wide knee, slow attack, 300 ms release (100 ms
# for a busier mix), about 1-2 dB of gain reduction, rendered as 24-bit WAV.
run "mixcomp: write a stereo test WAV" "" -- \
  interleave name=i ! audioconvert ! wavenc ! filesink location="$tmp/mixcomp-in.wav" \
  audiotestsrc wave=pink-noise num-buffers=300 ! audio/x-raw,channels=1,rate=48000 ! i. \
  audiotestsrc wave=pink-noise num-buffers=300 ! audio/x-raw,channels=1,rate=48000 ! i.
run "mixcomp: mix-bus glue, file to 24-bit WAV" "" -- \
  filesrc location="$tmp/mixcomp-in.wav" ! wavparse ! audioconvert ! \
  mixcomp threshold=-18 ratio=2 knee=8 attack=30 release=300 makeup=1.5 ! \
  audioconvert ! audio/x-raw,format=S24LE ! wavenc ! \
  filesink location="$tmp/mixcomp-glue.wav"

# Parallel (New York) compression: squash hard, bring the squashed copy up with
# makeup, blend 40 % of it under the dry signal (the dry path is delay-matched).
run "mixcomp: parallel (New York) compression, mix 0.4" "" -- \
  audiotestsrc wave=pink-noise num-buffers=300 ! audioconvert ! \
  mixcomp threshold=-35 ratio=10 knee=0 attack=1 release=100 makeup=12 mix=0.4 ! \
  audioconvert ! wavenc ! filesink location="$tmp/mixcomp-parallel.wav"

# Transient control with 5 ms lookahead: the gain is down before the hit arrives. The
# lookahead is reported as latency; the output keeps the input's timestamps and length.
run "mixcomp: lookahead 5 ms, peak detector" "" -- \
  audiotestsrc wave=ticks freq=60 sine-periods-per-tick=6 tick-interval=500000000 \
    num-buffers=100 ! audioconvert ! \
  mixcomp threshold=-20 ratio=8 knee=0 attack=1 release=80 detector=peak lookahead=5 ! \
  audioconvert ! wavenc ! filesink location="$tmp/mixcomp-lookahead.wav"

# An impossible side-chain high-pass (between 0 and 20 Hz) is refused with a warning
# that names the property and the allowed values; the pipeline plays on.
run "mixcomp: sidechain-hpf=10 is refused and plays" "sidechain-hpf=10 Hz refused" -- \
  audiotestsrc num-buffers=20 ! audioconvert ! mixcomp sidechain-hpf=10 ! fakesink

# ---------------------------------------------------------------- masterlimiter
# The recipes of docs/masterlimiter.md, writing into the temporary directory.

run "masterlimiter: write a stereo test WAV" "" -- \
  interleave name=i ! audioconvert ! wavenc ! \
    filesink location="$tmp/masterlimiter-in.wav" \
  audiotestsrc wave=pink-noise num-buffers=300 ! audio/x-raw,channels=1,rate=48000 ! i. \
  audiotestsrc wave=pink-noise num-buffers=300 ! audio/x-raw,channels=1,rate=48000 ! i.

# Streaming master: +6 dB into -1 dBTP, 24-bit WAV.
run "masterlimiter: streaming master at -1 dBTP" "" -- \
  filesrc location="$tmp/masterlimiter-in.wav" ! wavparse ! audioconvert ! \
  masterlimiter input-gain=6 ceiling=-1 ! audioconvert ! \
  audio/x-raw,format=S24LE ! wavenc ! filesink location="$tmp/master-stream.wav"

# CD master: resample first, limit to -0.3 dBTP, then 16 bit with TPDF dither and
# noise shaping.
run "masterlimiter: CD master at -0.3 dBTP, 16 bit dithered" "" -- \
  filesrc location="$tmp/masterlimiter-in.wav" ! wavparse ! \
  audioresample ! audio/x-raw,rate=44100 ! audioconvert ! \
  masterlimiter input-gain=6 ceiling=-0.3 ! \
  audioconvert dithering=tpdf noise-shaping=high ! audio/x-raw,format=S16LE ! \
  wavenc ! filesink location="$tmp/master-cd.wav"

# Low latency for live use: 1 ms lookahead, 4x detector.
run "masterlimiter: live, lookahead 1 ms, oversampling 4" "" -- \
  audiotestsrc wave=pink-noise num-buffers=300 ! \
  audio/x-raw,rate=48000,channels=2 ! audioconvert ! \
  masterlimiter input-gain=8 ceiling=-1 lookahead=1 oversampling=4 ! \
  audioconvert ! wavenc ! filesink location="$tmp/masterlimiter-live.wav"

# The meter: a masterlimiter message with the gain reduction every 50 ms.
run "masterlimiter: meter messages (-m)" "gain-reduction=(double)" -- -m \
  filesrc location="$tmp/masterlimiter-in.wav" ! wavparse ! audioconvert ! \
  masterlimiter input-gain=6 ceiling=-1 post-messages=true interval=50000000 ! \
  fakesink

# oversampling takes 2, 4 or 8; anything else is refused with a warning that says so.
run "masterlimiter: oversampling=3 is refused and plays" "oversampling=3 refused" -- \
  audiotestsrc num-buffers=20 ! audioconvert ! masterlimiter oversampling=3 ! fakesink

# ---------------------------------------------------------------- loudnorm
# The recipes of docs/loudnorm.md, writing into the temporary directory. -m shows the
# loudnorm-summary the checks look for.

# Stand-ins for a recording: 20 s of pink noise, mono and stereo.
run "loudnorm: write a mono test WAV" "" -- \
  audiotestsrc wave=pink-noise volume=0.3 samplesperbuffer=4800 num-buffers=200 ! \
  audio/x-raw,channels=1,rate=48000 ! audioconvert ! wavenc ! \
  filesink location="$tmp/loudnorm-episode-mono.wav"
run "loudnorm: write a stereo test WAV" "" -- \
  interleave name=i ! audioconvert ! wavenc ! \
    filesink location="$tmp/loudnorm-episode.wav" \
  audiotestsrc wave=pink-noise volume=0.3 samplesperbuffer=4800 num-buffers=200 ! \
    audio/x-raw,channels=1,rate=48000 ! i. \
  audiotestsrc wave=pink-noise volume=0.3 samplesperbuffer=4800 num-buffers=200 ! \
    audio/x-raw,channels=1,rate=48000 ! i.

# A podcast on -16 LUFS, -1 dBTP (file mode, both passes in one run), 16-bit WAV.
run "loudnorm: podcast to -16 LUFS, stereo" "target-met=(boolean)true" -- -m \
  filesrc location="$tmp/loudnorm-episode.wav" ! wavparse ! audioconvert ! \
  loudnorm preset=podcast ! audioconvert ! audio/x-raw,format=S16LE ! wavenc ! \
  filesink location="$tmp/loudnorm-episode-16lufs.wav"
run "loudnorm: podcast to -16 LUFS, mono" "target-met=(boolean)true" -- -m \
  filesrc location="$tmp/loudnorm-episode-mono.wav" ! wavparse ! audioconvert ! \
  loudnorm preset=podcast ! audioconvert ! audio/x-raw,format=S16LE ! wavenc ! \
  filesink location="$tmp/loudnorm-episode-mono-16lufs.wav"

# Check the result on its own: the meter reads -16.0 LUFS.
run "loudnorm: measure the result (mode=analyze)" \
  "input-integrated=(double)-\(16\.00\|15\.99\)" -- -m \
  filesrc location="$tmp/loudnorm-episode-16lufs.wav" ! wavparse ! \
  audioconvert ! loudnorm mode=analyze ! fakesink

# EBU R 128 broadcast chain: a live source held on -23 LUFS and -1 dBTP in live mode
# (3 s lookahead, reported as latency), metered once a second after the normalizer.
run "loudnorm: EBU R 128 live chain with a meter" "loudnorm-summary" -- -m \
  audiotestsrc is-live=true wave=pink-noise volume=0.1 samplesperbuffer=4800 \
    num-buffers=50 ! audio/x-raw,rate=48000,channels=2 ! audioconvert ! \
  loudnorm mode=live preset=ebu-r128 ! \
  loudnorm mode=analyze post-messages=true interval=1000000000 ! \
  audioconvert ! audio/x-raw,format=S16LE ! wavenc ! \
  filesink location="$tmp/loudnorm-live.wav"

# ---------------------------------------------------------------- sidechainduck
# The recipes of docs/sidechainduck.md, writing into the temporary directory. Generated
# files stand in for the music and the voice, and test sources for the live devices.

# Stand-ins: 10 s of stereo pink noise at 48 kHz (the music, about -26 dBFS RMS) and a
# mono "voice" at 44.1 kHz, a 300 Hz tone 1 s on, 2 s off (about -13.5 dBFS RMS).
run "sidechainduck: write a music stand-in" "" -- \
  interleave name=i ! audioconvert ! wavenc ! filesink location="$tmp/duck-music.wav" \
  audiotestsrc wave=pink-noise volume=0.3 samplesperbuffer=4800 num-buffers=100 ! \
    audio/x-raw,channels=1,rate=48000 ! i. \
  audiotestsrc wave=pink-noise volume=0.3 samplesperbuffer=4800 num-buffers=100 ! \
    audio/x-raw,channels=1,rate=48000 ! i.
run "sidechainduck: write a voice stand-in (44.1 kHz)" "" -- \
  audiotestsrc wave=ticks freq=300 volume=0.3 sine-periods-per-tick=300 \
    tick-interval=3000000000 samplesperbuffer=4410 num-buffers=100 ! \
  audio/x-raw,channels=1,rate=44100 ! audioconvert ! wavenc ! \
  filesink location="$tmp/duck-voice.wav"

# Voice-over on music: 12 dB under the voice, the voice read 10 ms ahead and band-limited
# for detection; both inputs resampled to 48 kHz (the key must run at the main's rate).
run "sidechainduck: voice-over on music" "gain-reduction=(double)11\.9" -- -m \
  sidechainduck name=duck threshold=-30 depth=12 lookahead=10 key-hpf=150 key-lpf=5000 \
    post-messages=true interval=250000000 ! \
  audioconvert ! audio/x-raw,format=S16LE ! wavenc ! \
  filesink location="$tmp/duck-voiceover.wav" \
  filesrc location="$tmp/duck-music.wav" ! decodebin ! audioconvert ! audioresample ! \
    audio/x-raw,rate=48000 ! duck.sink \
  filesrc location="$tmp/duck-voice.wav" ! decodebin ! audioconvert ! audioresample ! \
    audio/x-raw,rate=48000 ! duck.sidechain

# Kick-keyed pumping bass: a 55 Hz saw dips 20 dB on every kick (a 60 Hz tick twice a
# second) and comes back within the beat: fast attack, no hold, short release.
run "sidechainduck: kick-keyed pumping bass" "gain-reduction=(double)19\.9" -- -m \
  sidechainduck name=duck threshold=-30 depth=20 attack=1 hold=0 release=120 \
    post-messages=true interval=50000000 ! \
  audioconvert ! wavenc ! filesink location="$tmp/duck-pump.wav" \
  audiotestsrc wave=saw freq=55 volume=0.4 num-buffers=200 ! \
    audio/x-raw,format=F32LE,rate=48000,channels=2 ! duck.sink \
  audiotestsrc wave=ticks freq=60 sine-periods-per-tick=6 tick-interval=500000000 \
    num-buffers=200 ! audio/x-raw,format=F32LE,rate=48000,channels=1 ! duck.sidechain

# Live radio chain: the playlist ducked under the presenter's microphone, mixed with it,
# limited to -1 dBFS. In a studio the microphone is pulsesrc (or alsasrc) and the output
# autoaudiosink or an encoder; here a live test source (5 s) stands in for the microphone
# and a WAV file for the output.
run "sidechainduck: live radio chain (test source for the microphone)" \
  "gain-reduction=(double)14\.9" -- -m \
  filesrc location="$tmp/duck-music.wav" ! decodebin ! audioconvert ! audioresample ! \
    audio/x-raw,format=F32LE,rate=48000,channels=2 ! duck.sink \
  audiotestsrc is-live=true wave=ticks freq=300 volume=0.3 sine-periods-per-tick=300 \
    tick-interval=3000000000 samplesperbuffer=480 num-buffers=500 ! \
    audioconvert ! audioresample ! audio/x-raw,format=F32LE,rate=48000,channels=1 ! \
    tee name=mic \
  mic. ! queue ! duck.sidechain \
  sidechainduck name=duck threshold=-35 depth=15 lookahead=10 key-hpf=150 key-lpf=5000 \
    post-messages=true interval=500000000 ! mix. \
  mic. ! queue ! audioconvert ! mix. \
  audiomixer name=mix ! audio/x-raw,format=F32LE,rate=48000,channels=2 ! \
    masterlimiter ceiling=-1 ! audioconvert ! audio/x-raw,format=S16LE ! wavenc ! \
    filesink location="$tmp/duck-radio.wav"

echo "$pass OK, $fail FAIL"
exit "$fail"
