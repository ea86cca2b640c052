#!/usr/bin/python3
"""Plots the sidechainduck element at work for docs/sidechainduck.md: music ducked under a
voice.

Everything is measured from the element's output, through GStreamer (F32, 48 kHz):

  appsrc (main: music, stereo) ! sidechainduck post-messages=true interval=10 ms ! appsink
  appsrc (key: voice, mono) ! sidechainduck.sidechain

The main is 12 s of synthetic music (a chord pad, a bass and hi-hats, about -17 dBFS
RMS); the key is a synthetic voice (a buzz at 110-150 Hz through three formants, in
syllables of 100-200 ms grouped into words and phrases, about -20 dBFS RMS while
speaking) with a long phrase, a short pause (0.63 s, about hold + release), a second
phrase and a last short one. Three runs with the element's defaults (threshold -30, ratio
8, knee 6, depth 12 dB, attack 20 ms, hold 150 ms, release 400 ms):

  music     the music as main: the levels panel (main in, main out, key; RMS over 50 ms)
            and the gain measured on the audio (output over input power per 10 ms)
  probe     a constant main (DC 0.25 in both channels) with the same key: the output over
            0.25 is the gain of every frame exactly; the element's meter messages
            (gain-reduction, 10 ms interval) must agree with it
  lookahead the probe again with lookahead=10: the same gain, 10 ms earlier

Usage (Debian's interpreter: it has gi, numpy and matplotlib):
    /usr/bin/python3 scripts/plot-sidechainduck.py [--plugin-dir build/gst]
                                                   [--outdir docs/images]
or from the build tree:  ninja -C build sidechainduck-plots

Writes sidechainduck-voiceover.png into OUTDIR and prints what it measured: the dip in
the middle of a phrase, the 63 % attack and release times after the voice starts and
stops, the lookahead's shift, the latency the element reports, and how far the meter
messages are from the gain measured on the output. Exit status 1 when the element cannot
be found, a pipeline fails, the frame count changes, the music's output is not the music
times the probe's gain, the meter is more than 0.01 dB off the output or a dip goes past
the depth.
"""

import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from plotkit import (check_frames, finish, interval_s, latency_ns,  # noqa: E402
                     pull_all, push, require, run_one, save)

RATE = 48000
SECONDS = 12.0
BLOCK = 1024            # frames per appsrc buffer
METER_MS = 10
DEFAULTS = {"threshold": -30.0, "ratio": 8.0, "knee": 6.0, "depth": 12.0, "attack": 20.0,
            "hold": 150.0, "release": 400.0}
DC = 0.25
# the voice: phrases as (start s, [syllables per word]); words are 60 ms apart, and
# syllables run on without a gap inside a word
PHRASES = [(2.0, [2, 3, 1, 2, 3]), (4.4, [3, 2]), (7.5, [2, 1, 3, 2]), (10.8, [2])]


# ---------------------------------------------------------------- the signals

def music(n, rate=RATE, seed=11):
    """n frames of stereo music (float64, n x 2): a pad of three notes with six harmonics
    each (the chord changes every 2 s), a bass on the chord's root pulsing on the beats
    (120 bpm) and hi-hats on the eighths, left and right in turn."""
    rng = np.random.default_rng(seed)
    t = np.arange(n) / rate
    roots = [110.0, 87.31, 130.81, 98.0]
    chords = [[220.0, 261.63, 329.63], [174.61, 220.0, 261.63],
              [261.63, 329.63, 392.0], [196.0, 246.94, 293.66]]
    bar = np.floor(t / 2.0).astype(np.int64) % 4
    pad = np.zeros((n, 2))
    for v in range(3):
        ph = 2 * np.pi * np.cumsum(np.take([c[v] for c in chords], bar)) / rate
        for h in range(1, 7):
            for c, detune in ((0, 0.0), (1, 0.9)):
                pad[:, c] += np.sin(h * ph + h * detune + v) / h
    pad /= 6.0
    tb = np.mod(t, 0.5)
    bass = (np.sin(2 * np.pi * np.cumsum(np.take(roots, bar)) / rate)
            * (0.5 + 0.5 * np.exp(-tb / 0.15)))
    te = np.mod(t, 0.25)
    ke = np.floor(t / 0.25).astype(np.int64)
    hiss = np.diff(rng.standard_normal((n + 1, 2)), axis=0)
    hats = hiss * np.exp(-te / 0.025)[:, None] * np.stack([ke % 2 == 0, ke % 2 == 1], 1)
    x = 0.45 * pad + 0.35 * bass[:, None] + 0.06 * hats
    return 0.5 * x / np.max(np.abs(x))


def voice(n, rate=RATE, seed=12):
    """n frames of a mono synthetic voice (float64) and the list of its phrases as
    (start s, end s): a buzz (harmonics of 110-150 Hz, falling 6 dB an octave) through
    formant resonances at 600, 1400 and 2600 Hz, in syllables of 100-200 ms with a
    raised-cosine envelope, each at its own level (within 6 dB)."""
    rng = np.random.default_rng(seed)
    t = np.arange(n) / rate
    f0 = 130.0 + 20.0 * np.sin(2 * np.pi * 0.7 * t)
    phase = 2 * np.pi * np.cumsum(f0) / rate
    buzz = np.zeros(n)
    for h in range(1, 40):
        f = h * 130.0
        if f > 5000:
            break
        formants = sum(a / (1.0 + ((f - fc) / bw) ** 2)
                       for fc, bw, a in ((600, 150, 1.0), (1400, 200, 0.6),
                                         (2600, 300, 0.35)))
        buzz += (0.15 + formants) * np.sin(h * phase) / h
    buzz /= np.sqrt(np.mean(buzz ** 2))
    env = np.zeros(n)
    spans = []
    for start_s, words in PHRASES:
        at = start_s
        for syllables in words:
            for _ in range(syllables):
                dur = rng.uniform(0.10, 0.20)
                i0, i1 = int(at * rate), min(n, int((at + dur) * rate))
                w = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(i1 - i0) / (i1 - i0))
                env[i0:i1] = np.maximum(env[i0:i1], w * 10 ** (rng.uniform(-6, 0) / 20))
                at += dur
            at += 0.06
        spans.append((start_s, at - 0.06))
    # about -20 dBFS RMS while speaking
    y = buzz * env
    speaking = env > 0
    y *= 0.1 / np.sqrt(np.mean(y[speaking] ** 2))
    return y, spans


# ---------------------------------------------------------------- running the element

def run(Gst, main, key, props):
    """main (n x channels) and key (n) through sidechainduck with props (and
    post-messages=true, interval 10 ms). Returns (output n x channels, [(interval start s,
    interval end s, gain-reduction dB)], latency in ns from the element's LATENCY query
    or None); raises on an error message or when the frame count changes."""
    require(Gst, "sidechainduck")
    ch = main.shape[1]
    caps_main = f"audio/x-raw,format=F32LE,layout=interleaved,rate={RATE},channels={ch}"
    caps_key = f"audio/x-raw,format=F32LE,layout=interleaved,rate={RATE},channels=1"
    settings = " ".join(f"{k}={v}" for k, v in props.items())
    pipe = Gst.parse_launch(
        f"appsrc name=main caps={caps_main} format=time ! "
        f"sidechainduck name=duck {settings} post-messages=true "
        f"interval={METER_MS * 1000000} ! appsink name=sink sync=false caps={caps_main} "
        f"appsrc name=key caps={caps_key} format=time ! duck.sidechain")
    src_main, src_key = pipe.get_by_name("main"), pipe.get_by_name("key")
    sink, duck = pipe.get_by_name("sink"), pipe.get_by_name("duck")
    pipe.set_state(Gst.State.PLAYING)
    for i0 in range(0, main.shape[0], BLOCK):
        push(Gst, src_key, key, i0, BLOCK, RATE, "<f4")
        push(Gst, src_main, main, i0, BLOCK, RATE, "<f4")
    src_key.emit("end-of-stream")
    src_main.emit("end-of-stream")
    y = pull_all(sink, "<f4")
    latency = latency_ns(Gst, duck)
    meter = []

    def on_element(_, s):
        if s.get_name() == "sidechainduck":
            meter.append(interval_s(s) + (s.get_value("gain-reduction"),))
    what = f"sidechainduck {settings}"
    finish(Gst, pipe, what, on_element)
    y = y.reshape(-1, ch)
    check_frames(y.shape[0], main.shape[0], what)
    return y.astype(np.float64), meter, latency


# ---------------------------------------------------------------- measurements

def rms_db(x, block):
    """RMS in dBFS (all channels) per block of frames; the block centres in s."""
    x = x.reshape(x.shape[0], -1)
    nb = x.shape[0] // block
    p = np.mean(x[:nb * block].reshape(nb, block, -1) ** 2, axis=(1, 2))
    return (np.arange(nb) + 0.5) * block / RATE, 10 * np.log10(np.maximum(p, 1e-12))


def block_gain_db(x, y, block):
    """Output over input power per block (dB); the block centres in s."""
    nb = x.shape[0] // block
    px = np.sum(x[:nb * block].reshape(nb, -1) ** 2, axis=1)
    py = np.sum(y[:nb * block].reshape(nb, -1) ** 2, axis=1)
    return (np.arange(nb) + 0.5) * block / RATE, 10 * np.log10(py / px)


def crossing(t, g, t0, level, falling):
    """First time from t0 on where g goes below (falling) or above level."""
    sel = t >= t0
    hit = (g[sel] <= level) if falling else (g[sel] >= level)
    return t[sel][np.argmax(hit)] if hit.any() else float("nan")


def analyse(t, g, spans, report):
    """Dip, attack and release of the probe's per-frame gain g (dB) around the first
    phrase. Returns (dip dB, attack s, release s)."""
    a, b = spans[0]
    mid = (t > a + 0.5) & (t < b - 0.2)
    dip = -np.median(g[mid])
    attack = crossing(t, g, a, -0.63 * dip, True) - a
    # the release: from the phrase's end to 63 % of the way back (hold included)
    g_end = g[int(b * RATE)]
    release = crossing(t, g, b, 0.37 * g_end, False) - b
    report.append(f"first phrase ({a:.2f}-{b:.2f} s): dip {dip:.2f} dB in its middle "
                  f"(median), at most {-g.min():.2f} dB over the run; 63 % of the dip "
                  f"{attack * 1000:.0f} ms after the voice starts; 63 % back "
                  f"{release * 1000:.0f} ms after it stops ({-g_end:.2f} dB then)")
    return dip, attack, release


# ---------------------------------------------------------------- the plot

def plot(Gst, plt, path, report):
    n = int(SECONDS * RATE)
    x = music(n)
    key, spans = voice(n)
    dc = np.full((n, 2), DC)
    status = 0

    y, meter_music, _ = run(Gst, x, key, {})
    probe, meter, latency0 = run(Gst, dc, key, {})
    ahead, _, latency10 = run(Gst, dc, key, {"lookahead": 10})
    g = probe[:, 0] / DC                       # the gain of every frame
    g_ahead = ahead[:, 0] / DC
    t = np.arange(n) / RATE
    gdb = 20 * np.log10(g)
    gdb_ahead = 20 * np.log10(g_ahead)

    # the music's output is the music times the same gains
    err = np.max(np.abs(y - x.astype(np.float32).astype(np.float64) * g[:, None]))
    report.append(f"music output vs music x probe gain: largest difference {err:.2e}")
    if err > 1e-6:
        print(f"plot-sidechainduck: the music's output is not the music times the gain "
              f"({err:.2e})", file=sys.stderr)
        status = 1

    # the meter against the gain measured on the output, interval by interval
    worst = 0.0
    for a, b, gr in meter:
        i0, i1 = int(round(a * RATE)), int(round(b * RATE))
        measured = -20 * np.log10(np.min(g[i0:i1]))
        worst = max(worst, abs(measured - gr))
    same = meter == meter_music
    report.append(f"{len(meter)} meter messages (every {METER_MS} ms): largest distance "
                  f"from the gain on the output {worst:.4f} dB; the music run's messages "
                  f"{'are the same' if same else 'DIFFER'}")
    if worst > 0.01 or not same:
        status = 1
    if -gdb.min() > DEFAULTS["depth"] + 1e-3:
        print(f"plot-sidechainduck: dip {-gdb.min():.3f} dB, past the depth",
              file=sys.stderr)
        status = 1

    dip, attack, release = analyse(t, gdb, spans, report)
    a = spans[0][0]
    shift = (crossing(t, gdb, a - 0.05, -1.0, True)
             - crossing(t, gdb_ahead, a - 0.05, -1.0, True))
    report.append(f"lookahead=10: the gain reaches -1 dB {shift * 1000:.1f} ms earlier; "
                  f"latency reported {latency0 / 1e6 if latency0 is not None else 'n/a'} ms "
                  f"without, {latency10 / 1e6 if latency10 is not None else 'n/a'} ms with")
    tb, gb = block_gain_db(x, y, 480)

    fig = plt.figure(figsize=(10, 8.2))
    gs = fig.add_gridspec(3, 1, height_ratios=[1.25, 1, 0.95])
    ax = fig.add_subplot(gs[0])
    gx = fig.add_subplot(gs[1], sharex=ax)
    zx = fig.add_subplot(gs[2])

    tl, lin = rms_db(x, 2400)
    _, lout = rms_db(y, 2400)
    _, lkey = rms_db(key, 2400)
    ax.plot(tl, lin, color="0.6", lw=1.0, label="main in (music)")
    ax.plot(tl, lout, color="C0", lw=1.4, label="main out (sidechainduck's output)")
    ax.plot(tl, np.where(lkey < -70, np.nan, lkey), color="C1", lw=1.0,
            label="key (voice)")
    ax.axhline(DEFAULTS["threshold"], color="C3", ls="--", lw=0.9,
               label=f"threshold {DEFAULTS['threshold']:g} dBFS")
    for s0, s1 in spans:
        for axis in (ax, gx):
            axis.axvspan(s0, s1, color="C1", alpha=0.08, lw=0)
    ax.set_ylim(-56, 4)
    ax.set_ylabel("level, RMS over 50 ms (dBFS)")
    ax.set_title("sidechainduck (defaults: threshold -30, ratio 8, knee 6, depth 12 dB, "
                 "attack 20 ms, hold 150 ms,\nrelease 400 ms): music ducked under a voice, "
                 "measured on the element's output", fontsize=10)
    ax.grid(True, alpha=0.35)
    ax.legend(loc="upper right", fontsize=8, ncol=4)

    gx.plot(t, gdb, "C0", lw=1.4, label="gain of every frame (constant main: output / input)")
    gx.plot(tb, gb, ".", color="C2", ms=2.5,
            label="music: output / input power per 10 ms")
    mt = np.array([[a0, b0] for a0, b0, _ in meter]).ravel()
    mv = np.repeat([-gr for _, _, gr in meter], 2)
    gx.plot(mt, mv, color="C3", lw=0.8, ls="--",
            label=f"meter messages: -gain-reduction every {METER_MS} ms")
    gx.axhline(-DEFAULTS["depth"], color="0.4", ls=":", lw=0.9,
               label=f"depth {DEFAULTS['depth']:g} dB")
    gx.set_xlim(0, SECONDS)
    gx.set_ylim(-21, 1.5)
    gx.set_xlabel("time (s); shaded: the voice's phrases")
    gx.set_ylabel("gain (dB)")
    gx.grid(True, alpha=0.35)
    gx.legend(loc="lower right", fontsize=8, ncol=2)

    z0, z1 = a - 0.05, a + 0.25
    sel = (t >= z0) & (t <= z1)
    tk, kfine = rms_db(key, 240)
    ks = (tk >= z0) & (tk <= z1)
    zx.plot((t[sel] - a) * 1000, gdb[sel], "C0", lw=1.6, label="gain, lookahead=0")
    zx.plot((t[sel] - a) * 1000, gdb_ahead[sel], "C4", lw=1.6, label="gain, lookahead=10")
    zx.set_ylim(-13, 1)
    zx.set_ylabel("gain (dB)")
    zx.set_xlabel(f"time from the first syllable (ms): the onset at {a:g} s")
    zx.grid(True, alpha=0.35)
    kx = zx.twinx()
    kx.plot((tk[ks] - a) * 1000, np.where(kfine[ks] < -80, np.nan, kfine[ks]), color="C1",
            lw=1.0, label="key, RMS over 5 ms")
    kx.set_ylim(-70, 10)
    kx.set_ylabel("key (dBFS)", color="C1")
    h1, l1 = zx.get_legend_handles_labels()
    h2, l2 = kx.get_legend_handles_labels()
    zx.legend(h1 + h2, l1 + l2, loc="lower left", fontsize=8)
    zx.set_title(f"close-up of the onset: 63 % of the dip in {attack * 1000:.0f} ms; with "
                 f"lookahead=10 the dip starts 10 ms before the voice", fontsize=10)
    plt.setp(ax.get_xticklabels(), visible=False)
    return save(fig, path, plt), status


def main(argv=None):
    return run_one("plot-sidechainduck", "Plots sidechainduck ducking music under a voice.",
                   "sidechainduck-voiceover.png", plot, argv)


if __name__ == "__main__":
    sys.exit(main())
