#!/usr/bin/python3
"""Plots the loudnorm element's short-term loudness before and after, for docs/loudnorm.md.

Every loudness on the plot comes from the element's own `loudnorm` meter messages
(short-term loudness every 100 ms), through GStreamer (F32, stereo, 48 kHz):

  before     appsrc ! loudnorm mode=analyze post-messages=true ! appsink
  file mode  appsrc ! loudnorm preset=ebu-r128 (mode=file)
                    ! loudnorm mode=analyze post-messages=true ! appsink
  live mode  appsrc ! loudnorm mode=live preset=ebu-r128 (lookahead 3 s, 2 dB/s)
                    ! loudnorm mode=analyze post-messages=true ! appsink

The programme is 2.5 minutes of synthetic music (kick, snare, hi-hats, bass and a
chord pad at 120 bpm) at three levels with a pause: 45 s quiet, 45 s loud (13 dB
louder), 10 s of room tone (noise at -80 dBFS, under the -70 LUFS gate: a pause to the
meters, yet the gain can be seen on it), 50 s in between (7 dB under the loud part). The second analyzer measures what the normalizer put out;
the lower panel is the gain each mode applied, measured on the audio (output over
input power per 100 ms, where the input is not silent).

Usage (Debian's interpreter: it has gi, numpy and matplotlib):
    /usr/bin/python3 scripts/plot-loudnorm.py [--plugin-dir build/gst]
                                              [--outdir docs/images]
or from the build tree:  ninja -C build loudnorm-plots

Writes loudnorm-before-after.png into OUTDIR and prints each run's loudnorm-summary,
the live gain's fastest change and its drift over the pause. Exit status 1 when the
element cannot be found, a pipeline fails, the sample count changes, file mode misses
the target by more than 0.1 LU or an output's true peak is over the ceiling.
"""

import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from plotkit import (check_frames, finish, interval_s, pull_all, push_all,  # noqa: E402
                     require, run_one, save)

RATE = 48000
TARGET = -23.0          # preset=ebu-r128
CEILING = -1.0
INTERVAL_MS = 100
BLOCK = 4800            # frames per appsrc buffer (100 ms)
# (start s, end s, level dB relative to the loud part; None: the pause, label)
SECTIONS = [(0.0, 45.0, -13.0, "quiet"), (45.0, 90.0, 0.0, "loud"),
            (90.0, 100.0, None, "pause"), (100.0, 150.0, -7.0, "in between")]
LOUD_SCALE = 0.9        # sample scale of the loud part (about -17 LUFS)
ROOM_TONE_DB = -80.0    # the pause: noise this far under full scale (RMS), under the
                        # -70 LUFS gate, so that the gain can be seen on the audio


# ---------------------------------------------------------------- the programme

def music(n, rate=RATE, seed=6):
    """n frames of stereo music-like material at 120 bpm (float64, n x 2): a kick whose
    pitch falls from 150 to 50 Hz on every beat, a snare-like noise burst on beats 2
    and 4, hi-hats on the eighths (left and right in turn), a bass on the bar's root and
    a pad of three notes with five harmonics each, the chord changing every bar (2 s)."""
    rng = np.random.default_rng(seed)
    t = np.arange(n) / rate
    beat = 0.5
    tb = np.mod(t, beat)
    k = np.floor(t / beat).astype(np.int64)
    # kick: f(t) = 50 + 100 exp(-t / 20 ms), its phase in closed form
    phase = 2 * np.pi * (50.0 * tb + 100.0 * 0.02 * (1.0 - np.exp(-tb / 0.02)))
    kick = np.sin(phase) * np.exp(-tb / 0.15)
    noise = rng.standard_normal((n, 2))
    snare = noise * (np.exp(-tb / 0.06) * (k % 2 == 1))[:, None]
    te = np.mod(t, beat / 2)
    ke = np.floor(t / (beat / 2)).astype(np.int64)
    hiss = np.diff(rng.standard_normal((n + 1, 2)), axis=0)       # bright noise
    hat_env = np.exp(-te / 0.02)
    hats = hiss * hat_env[:, None] * np.stack([ke % 2 == 0, ke % 2 == 1], axis=1)
    # A minor, F, C, G: root (Hz) and the chord's three notes
    roots = [110.0, 87.31, 130.81, 98.0]
    chords = [[220.0, 261.63, 329.63], [174.61, 220.0, 261.63],
              [261.63, 329.63, 392.0], [196.0, 246.94, 293.66]]
    bar = np.floor(t / (4 * beat)).astype(np.int64) % 4
    root = np.take(roots, bar)
    bass = np.sin(2 * np.pi * np.cumsum(root) / rate) * (0.6 + 0.4 * np.exp(-tb / 0.2))
    pad = np.zeros((n, 2))
    for v in range(3):
        f = np.take([c[v] for c in chords], bar)
        ph = 2 * np.pi * np.cumsum(f) / rate
        for h in range(1, 6):
            for c, detune in ((0, 0.0), (1, 0.7)):
                pad[:, c] += np.sin(h * ph + h * detune + v) / h
    pad *= (0.7 + 0.3 * np.sin(2 * np.pi * t / 8.0))[:, None] / 6.0
    x = (0.9 * kick[:, None] + 0.25 * snare + 0.08 * hats + 0.35 * bass[:, None]
         + 0.3 * pad)
    return x / np.max(np.abs(x))


def programme(rate=RATE):
    n = int(SECTIONS[-1][1] * rate)
    x = music(n, rate) * LOUD_SCALE
    ramp = int(0.01 * rate)
    rng = np.random.default_rng(7)
    for a, b, level, _ in SECTIONS:
        i0, i1 = int(a * rate), int(b * rate)
        if level is None:
            x[i0:i1] = 10 ** (ROOM_TONE_DB / 20) * rng.standard_normal((i1 - i0, 2))
            continue
        g = np.full(i1 - i0, 10 ** (level / 20))
        g[:ramp] *= np.linspace(0.0, 1.0, ramp)        # 10 ms fades at the joins
        g[-ramp:] *= np.linspace(1.0, 0.0, ramp)
        x[i0:i1] *= g[:, None]
    return x.astype(np.float32)


# ---------------------------------------------------------------- running the element

def run(Gst, chain, x, rate=RATE):
    """x (n x 2 float32) through appsrc ! CHAIN ! appsink, where CHAIN is a gst-launch
    description whose elements are named. Returns (output n x 2, {element name:
    [(interval end s, short-term LUFS)]}, {element name: loudnorm-summary dict});
    raises on an error message or when the frame count changes."""
    require(Gst, "loudnorm")
    caps = f"audio/x-raw,format=F32LE,layout=interleaved,rate={rate},channels=2"
    pipe = Gst.parse_launch(
        f"appsrc name=src caps={caps} format=time ! {chain} ! "
        f"appsink name=sink sync=false caps={caps}")
    src, sink = pipe.get_by_name("src"), pipe.get_by_name("sink")
    pipe.set_state(Gst.State.PLAYING)
    push_all(Gst, src, x, BLOCK, rate, "<f4")
    y = pull_all(sink, "<f4")
    meters, summaries = {}, {}

    def on_element(who, s):
        if s.get_name() == "loudnorm":
            meters.setdefault(who, []).append((interval_s(s)[1], s.get_value("short-term")))
        elif s.get_name() == "loudnorm-summary":
            summaries[who] = {s.nth_field_name(i): s.get_value(s.nth_field_name(i))
                              for i in range(s.n_fields())}

    def on_warning(msg):
        print(f"  warning: {msg.parse_warning()[0].message}")
    finish(Gst, pipe, chain, on_element, on_warning)
    y = y.reshape(-1, 2)
    check_frames(y.shape[0], x.shape[0], chain)
    return y, meters, summaries


def block_gain_db(x, y, rate=RATE, seconds=INTERVAL_MS / 1000.0):
    """Gain applied per block of the given length (output over input power), NaN where
    the input is silent; the block centres in seconds."""
    blk = int(rate * seconds)
    nb = x.shape[0] // blk
    px = np.sum(x[:nb * blk].astype(np.float64).reshape(nb, -1) ** 2, axis=1)
    py = np.sum(y[:nb * blk].astype(np.float64).reshape(nb, -1) ** 2, axis=1)
    g = np.full(nb, np.nan)
    ok = px > 1e-9 * blk
    g[ok] = 10 * np.log10(py[ok] / px[ok])
    return (np.arange(nb) + 0.5) * blk / rate, g


def fmt(s):
    keys = ("input-integrated", "input-loudness-range", "input-true-peak",
            "output-integrated", "output-true-peak", "gain", "gain-reduction", "target-met")
    return ", ".join(f"{k} {s[k]:.2f}" if isinstance(s[k], float) else f"{k} {s[k]}"
                     for k in keys if k in s)


# ---------------------------------------------------------------- the plot

def plot(Gst, plt, path, report):
    x = programme()
    meter = "loudnorm name=meter mode=analyze post-messages=true"
    _, m_in, s_in = run(Gst, meter, x)
    y_file, m_file, s_file = run(Gst, f"loudnorm name=norm preset=ebu-r128 ! {meter}", x)
    y_live, m_live, s_live = run(
        Gst, f"loudnorm name=norm mode=live preset=ebu-r128 ! {meter}", x)

    runs = (("input", m_in, s_in), ("file mode", m_file, s_file),
            ("live mode", m_live, s_live))
    for name, _, s in runs:
        report.append(f"{name:<10} meter: {fmt(s['meter'])}")
        if "norm" in s:
            report.append(f"{'':<10} norm:  {fmt(s['norm'])}")

    tg, g_live = block_gain_db(x, y_live)
    _, g_file = block_gain_db(x, y_file)
    # the gain's rate over 1 s blocks (the limiter's work on single peaks averages out)
    t1, g1 = block_gain_db(x, y_live, seconds=1.0)
    fastest = np.nanmax(np.abs(np.diff(g1)))
    pause = [(a, b) for a, b, lv, _ in SECTIONS if lv is None][0]
    def mean_gain(a, b):
        return np.nanmean(g_live[(tg > a) & (tg < b)])
    report.append(f"live gain: fastest change {fastest:.2f} dB per 1 s block; over the "
                  f"pause: {mean_gain(pause[0] - 1, pause[0]):+.2f} dB in its last second "
                  f"before, {mean_gain(pause[0], pause[0] + 1):+.2f} dB in its first, "
                  f"{mean_gain(pause[1] - 4, pause[1] - 3):+.2f} dB 3-4 s before its end, "
                  f"{mean_gain(pause[1] - 1, pause[1]):+.2f} dB in its last second, "
                  f"{mean_gain(pause[1], pause[1] + 1):+.2f} dB after it")

    fig = plt.figure(figsize=(10, 7.0))
    gs = fig.add_gridspec(2, 1, height_ratios=[1.6, 1])
    ax = fig.add_subplot(gs[0])
    gx = fig.add_subplot(gs[1], sharex=ax)
    styles = (("0.55", 1.0), ("C0", 1.1), ("C2", 1.6))
    for (name, m, s), (c, lw) in zip(runs, styles):
        tt = np.array([t for t, _ in m["meter"]])
        st = np.array([v for _, v in m["meter"]])
        st = np.where(st <= -70.0, np.nan, st)
        summ = s["meter"]
        ax.plot(tt, st, color=c, lw=lw,
                label=f"{name}: I {summ['input-integrated']:.1f} LUFS, "
                      f"LRA {summ['input-loudness-range']:.1f} LU, "
                      f"true peak {summ['input-true-peak']:.1f} dBTP")
    ax.axhline(TARGET, color="C3", ls="--", lw=1.0, label=f"target {TARGET:g} LUFS")
    for a, b, level, label in SECTIONS:
        ax.text((a + b) / 2, -6.5, label, ha="center", fontsize=8.5, color="0.3")
        if level is None:
            ax.axvspan(a, b, color="0.5", alpha=0.12, lw=0)
            gx.axvspan(a, b, color="0.5", alpha=0.12, lw=0)
    ax.set_ylim(-42, -5)
    ax.set_ylabel("short-term loudness (LUFS)")
    ax.set_title("loudnorm preset=ebu-r128 (-23 LUFS, -1 dBTP) on 2.5 min of music at three "
                 "levels:\nshort-term loudness from the loudnorm messages of an analyzer "
                 "before and after it", fontsize=10)
    ax.grid(True, alpha=0.35)
    ax.legend(loc="lower left", fontsize=8)
    gx.plot(tg, g_file, "C0", lw=1.1,
            label=f"file mode: one static gain, {s_file['norm']['gain']:+.2f} dB "
                  f"(the limiter took at most {s_file['norm']['gain-reduction']:.1f} dB "
                  f"off peaks)")
    gx.plot(tg, g_live, "C2", lw=1.6,
            label="live mode: follows the programme at <= 2 dB/s, 3 s ahead; holds over "
                  "the pause")
    gx.set_xlim(0, SECTIONS[-1][1])
    gx.set_xlabel("programme time (s)")
    gx.set_ylabel("gain applied (dB)")
    gx.set_title("gain applied, measured on the audio (output / input power per 100 ms; "
                 f"the pause is noise at {ROOM_TONE_DB:g} dBFS, under the gates)", fontsize=10)
    gx.grid(True, alpha=0.35)
    lo, hi = np.nanmin(g_live), np.nanmax(g_live)
    gx.set_ylim(lo - 1.5, hi + 5.0)                 # room for the legend above
    gx.legend(loc="upper right", fontsize=8)
    plt.setp(ax.get_xticklabels(), visible=False)

    status = 0
    if abs(s_file["meter"]["input-integrated"] - TARGET) > 0.1:
        print(f"plot-loudnorm: file mode output {s_file['meter']['input-integrated']:.2f} "
              f"LUFS, target {TARGET:g}", file=sys.stderr)
        status = 1
    for name, s in (("file", s_file), ("live", s_live)):
        if s["meter"]["input-true-peak"] > CEILING + 0.1:
            print(f"plot-loudnorm: {name} mode output true peak "
                  f"{s['meter']['input-true-peak']:.2f} dBTP", file=sys.stderr)
            status = 1
    return save(fig, path, plt), status


def main(argv=None):
    return run_one("plot-loudnorm", "Plots loudnorm's loudness before and after.",
                   "loudnorm-before-after.png", plot, argv)


if __name__ == "__main__":
    sys.exit(main())
