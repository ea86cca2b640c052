#!/usr/bin/python3
"""Plots the mixcomp element's static curve and time response for docs/mixcomp.md.

Everything labelled "mixcomp" is measured from the element itself, through
appsrc ! mixcomp ! appsink (F64, mono, 48 kHz) with GStreamer:

  static curve   a staircase of steady 1 kHz sines rising from -60 to 0 dBFS (peak) in
                 1 dB steps (0.5 dB across the knee), detector=peak, attack 0.01 ms,
                 release 5 s: each step asks for more reduction than the one before, so
                 the gain settles on the curve within a cycle and the slow release keeps
                 it there. The output level is read from the last 20 ms of each step.
                 Drawn over the analytic quadratic soft knee (Giannoulis, Massberg,
                 Reiss 2012), which numpy computes here.
  time response  a 1 kHz tone burst (-30 -> -6 -> -30 dBFS), threshold -18, ratio 4,
                 knee 6, attack 10 ms, release 150 ms: the gain reduction applied to each
                 sample (input over output), without and with 5 ms of lookahead, and the
                 RMS detector for comparison; the element's own meter messages (10 ms
                 interval) on top; the ideal one-pole attack and release in dB dotted.

Usage (Debian's interpreter: it has gi, numpy and matplotlib):
    /usr/bin/python3 scripts/plot-mixcomp-curve.py [--plugin-dir build/gst]
                                                   [--outdir docs/images]
or from the build tree:  ninja -C build mixcomp-plots

Writes mixcomp-curve.png and mixcomp-time.png into OUTDIR and prints the largest
distance of each measured curve from the analytic one and the measured 63 % attack and
release times. Exit status 1 when the element cannot be found or a pipeline fails.
"""

import math
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "demo"))
from plotkit import run_mono, save, start  # noqa: E402
from report import compressor_curve_db  # noqa: E402  (the main job's curve)

RATE = 48000
TONE_HZ = 1000.0  # 48 samples a cycle at 48 kHz, one of them on the crest: the sample
                  # peak is the true peak, so the peak detector reads the sine's level

# the static curves: (threshold dBFS, ratio, knee dB)
CURVES = [(-18.0, 4.0, 6.0), (-24.0, 3.0, 0.0), (-12.0, 10.0, 12.0)]

# the tone burst of the time response
BURST = {"before_s": 0.1, "burst_s": 0.4, "after_s": 0.6, "low_db": -30.0, "high_db": -6.0}
BURST_SETTINGS = {"threshold": -18.0, "ratio": 4.0, "knee": 6.0, "attack": 10.0,
                  "release": 150.0}
METER_INTERVAL_MS = 10


# ---------------------------------------------------------------- analytic curve

# ---------------------------------------------------------------- GStreamer measurement

class Measure:
    def __init__(self, Gst):
        self.Gst = Gst

    def run(self, x, props, rate=RATE):
        """x through mixcomp (plotkit.run_mono): (output, [(interval end s,
        gain-reduction dB)])."""
        y, _, meter = run_mono(self.Gst, "mixcomp", x, props, rate)
        return y, meter


def tone(amplitudes, rate=RATE):
    """A 1 kHz sine, sine phase from frame 0, with a per-frame amplitude."""
    n = np.arange(amplitudes.size)
    return amplitudes * np.sin(2.0 * np.pi * TONE_HZ / rate * n)


def staircase_levels(threshold, knee):
    """-60 .. 0 dBFS: 1 dB steps, 0.5 dB within 2 dB of the knee."""
    lo, hi = threshold - knee / 2.0 - 2.0, threshold + knee / 2.0 + 2.0
    levels = [v for v in np.arange(-60.0, 0.01, 1.0) if not lo < v < hi]
    levels += list(np.arange(math.ceil(lo * 2) / 2, hi, 0.5))
    return np.array(sorted(set(round(v, 2) for v in levels if -60.0 <= v <= 0.0)))


def measure_static(m, threshold, ratio, knee, step_s=0.06, read_s=0.02):
    """Measured (input level, output level) in dBFS peak, from one rising staircase."""
    levels = staircase_levels(threshold, knee)
    n_step = int(step_s * RATE)
    amps = np.repeat(10.0 ** (levels / 20.0), n_step)
    x = tone(amps)
    y, _ = m.run(x, {"threshold": threshold, "ratio": ratio, "knee": knee,
                     "detector": "peak", "attack": 0.01, "release": 5000.0})
    n_read = int(read_s * RATE)
    out = []
    for i, lv in enumerate(levels):
        end = (i + 1) * n_step
        seg_in, seg_out = x[end - n_read:end], y[end - n_read:end]
        gain = math.sqrt(np.dot(seg_out, seg_out) / np.dot(seg_in, seg_in))
        out.append(lv + 20.0 * math.log10(gain))
    return levels, np.array(out)


def burst_signal():
    b = BURST
    n0, n1, n2 = (int(b[k] * RATE) for k in ("before_s", "burst_s", "after_s"))
    env = np.concatenate([np.full(n0, 10 ** (b["low_db"] / 20.0)),
                          np.full(n1, 10 ** (b["high_db"] / 20.0)),
                          np.full(n2, 10 ** (b["low_db"] / 20.0))])
    return tone(env), env, n0 / RATE, (n0 + n1) / RATE


def applied_reduction(x, y, env):
    """Gain reduction (dB) applied to each sample: -20 log10(y/x) where the input is
    at least a third of its envelope (elsewhere NaN). Output frame k is input frame k
    times the gain, with or without lookahead (the element keeps the timestamps)."""
    ok = np.abs(x) >= env / 3.0
    gr = np.full(x.size, np.nan)
    gr[ok] = -20.0 * np.log10(y[ok] / x[ok])
    return gr


def time_to(t, gr, t0, target, rising):
    """First time >= t0 at which gr reaches target (going up or down), minus t0."""
    sel = t >= t0
    tt, gg = t[sel], gr[sel]
    hit = np.nonzero((gg >= target) if rising else (gg <= target))[0]
    return float(tt[hit[0]] - t0) if hit.size else math.nan


# ---------------------------------------------------------------- plotting helpers

# ---------------------------------------------------------------- the plots

def plot_curve(m, plt, path, summary):
    fig = plt.figure(figsize=(11, 6.6))
    gs = fig.add_gridspec(2, 2, width_ratios=[1.15, 1], height_ratios=[1.6, 1])
    ax = fig.add_subplot(gs[:, 0])
    gx = fig.add_subplot(gs[0, 1])
    ex = fig.add_subplot(gs[1, 1], sharex=gx)
    grid = np.linspace(-60.0, 0.0, 1201)
    ax.plot(grid, grid, color="0.6", ls=":", lw=1.0, label="1:1 (no compression)")
    for i, (thr, ratio, knee) in enumerate(CURVES):
        c = f"C{i}"
        lab = f"threshold {thr:g}, ratio {ratio:g}, knee {knee:g} dB"
        ana = compressor_curve_db(grid, thr, ratio, knee)
        lv, out = measure_static(m, thr, ratio, knee)
        err = out - (lv + compressor_curve_db(lv, thr, ratio, knee))
        ax.plot(grid, grid + ana, "k--", lw=0.9, zorder=2,
                label="analytic soft-knee curve" if i == 0 else None)
        ax.plot(lv, out, c + "o", ms=3.4, zorder=3, label=f"mixcomp, {lab}")
        gx.plot(grid, -ana, "k--", lw=0.9, zorder=2)
        gx.plot(lv, lv - out, c + "o", ms=3.0, zorder=3)
        ex.plot(lv, err, c + "o-", ms=2.6, lw=0.8)
        if knee > 0:
            for a in (ax, gx):
                a.axvspan(thr - knee / 2, thr + knee / 2, color=c, alpha=0.08, lw=0)
        summary.append(("static curve", lab, f"max |measured - analytic| "
                        f"{np.max(np.abs(err)):.4f} dB over {lv.size} levels"))
    ax.set_xlim(-60, 0)
    ax.set_ylim(-60, 0)
    ax.set_xlabel("input level (dBFS, peak)")
    ax.set_ylabel("output level (dBFS, peak)")
    ax.set_title("static curve: measured (dots) over the analytic\n"
                 "quadratic soft knee (dashed; shaded: the knee)", fontsize=10.5)
    ax.grid(True, alpha=0.35)
    ax.legend(loc="upper left", fontsize=8)
    gx.set_xlim(-36, 0)
    gx.set_ylim(-0.3, 12.5)
    gx.set_ylabel("gain reduction (dB)")
    gx.set_title("gain reduction: the knees, close up", fontsize=10.5)
    gx.grid(True, alpha=0.35)
    plt.setp(gx.get_xticklabels(), visible=False)
    ex.axhline(0.0, color="k", lw=0.6)
    ex.set_ylim(-0.01, 0.01)
    ex.set_xlabel("input level (dBFS, peak)")
    ex.set_ylabel("measured minus\nanalytic (dB)")
    ex.grid(True, alpha=0.35)
    fig.suptitle("mixcomp static curve: steady 1 kHz sines through the element, "
                 "detector=peak, attack 0.01 ms, release 5 s", fontsize=11)
    return save(fig, path, plt)


def plot_time(m, plt, path, summary):
    x, env, t_on, t_off = burst_signal()
    # the same burst as a square wave: its peak level is constant within a cycle, so
    # the peak detector's gain follows the attack and release time constants exactly
    square = env * np.where(np.sin(2.0 * np.pi * TONE_HZ / RATE * np.arange(x.size) + 1e-9)
                            >= 0.0, 1.0, -1.0)
    t = np.arange(x.size) / RATE
    base = dict(BURST_SETTINGS, **{"post-messages": True,
                                   "interval": METER_INTERVAL_MS * 1000000})
    s = BURST_SETTINGS
    full = float(-compressor_curve_db(BURST["high_db"], s["threshold"], s["ratio"], s["knee"]))
    # (label, signal, properties, colour, line width)
    cases = [
        ("sine, detector=peak", x, dict(base, detector="peak"), "C0", 2.0),
        ("sine, detector=peak lookahead=5", x, dict(base, detector="peak", lookahead=5.0),
         "C3", 1.5),
        ("sine, detector=rms (default)", x, dict(base, detector="rms"), "C2", 1.3),
        ("square wave, detector=peak", square, dict(base, detector="peak"), "C1", 3.0),
    ]
    fig = plt.figure(figsize=(10, 9.2))
    gs = fig.add_gridspec(2, 2, height_ratios=[1.25, 1])
    ax = fig.add_subplot(gs[0, :])
    zg = fig.add_subplot(gs[1, 0])
    zx = fig.add_subplot(gs[1, 1])
    outputs = {}
    z_lo, z_hi = t_on - 0.01, t_on + 0.06
    zsel = (t >= z_lo) & (t <= z_hi)
    for label, sig, props, c, lw in cases:
        y, meter = m.run(sig, props)
        outputs[label] = y
        gr = applied_reduction(sig, y, env)
        for a, sel, t0 in ((ax, slice(None), 0.0), (zg, zsel, t_on)):
            a.plot((t[sel] - t0) * 1000.0, gr[sel], c, lw=lw, label=f"mixcomp, {label}",
                   alpha=0.6 if c == "C1" else 1.0)
        if label == cases[0][0] and meter:
            mt, mg = zip(*meter)
            ax.step(np.array(mt) * 1000.0, mg, color="navy", where="pre", lw=0.9, ls="--",
                    label=f"   its meter messages (max per {METER_INTERVAL_MS} ms)")
        settled = float(np.nanmax(gr[(t > t_on) & (t < t_off)]))
        ta = time_to(t, gr, t_on, 0.632 * settled, rising=True)
        tr = time_to(t, gr, t_off, (1 - 0.632) * settled, rising=False)
        start = time_to(t, gr, 0.0, 0.05, rising=True) - t_on
        summary.append(("time response", label,
                        f"settles at {settled:.2f} dB (curve {full:.2f}); 63 % of that in "
                        f"{ta * 1000:.1f} ms (attack {s['attack']:g}), back in "
                        f"{tr * 1000:.1f} ms (release {s['release']:g}); starts "
                        f"{start * 1000:+.1f} ms from the onset"))
    # the ideal one-pole attack and release of the gain in dB
    ta = np.linspace(t_on, t_off, 600)
    ideal_a = full * (1.0 - np.exp(-(ta - t_on) / (s["attack"] / 1000.0)))
    tr = np.linspace(t_off, t[-1], 400)
    ideal_r = ideal_a[-1] * np.exp(-(tr - t_off) / (s["release"] / 1000.0))
    for a, t0 in ((ax, 0.0), (zg, t_on)):
        a.plot((ta - t0) * 1000.0, ideal_a, "k:", lw=1.1,
               label="one-pole in dB, tau = attack / release")
        a.plot((tr - t0) * 1000.0, ideal_r, "k:", lw=1.1)
        a.axhline(0.632 * full, color="0.5", lw=0.6)
        a.grid(True, alpha=0.35)
    ax.text(t_off * 1000.0 - 5, 0.632 * full + 0.15, "63 % of the curve's 9 dB",
            fontsize=8, color="0.35", ha="right")
    for tt in (t_on, t_off):
        ax.axvline(tt * 1000.0, color="0.5", lw=0.6, ls="-.")
    ax.set_xlim(0, t[-1] * 1000.0)
    ax.set_ylim(-0.3, full + 1.4)
    ax.set_xlabel("time (ms)")
    ax.set_ylabel("gain reduction (dB)")
    ax.set_title(f"mixcomp time response: 1 kHz burst {BURST['low_db']:g} -> "
                 f"{BURST['high_db']:g} -> {BURST['low_db']:g} dBFS (peak); "
                 f"threshold {s['threshold']:g}, ratio {s['ratio']:g}, knee {s['knee']:g},\n"
                 f"attack {s['attack']:g} ms, release {s['release']:g} ms: gain reduction "
                 f"applied to each sample (input / output)", fontsize=10.5)
    ax.legend(loc="upper right", fontsize=8)

    zg.axvline(0.0, color="0.5", lw=0.6, ls="-.")
    zg.set_xlim((z_lo - t_on) * 1000.0, (z_hi - t_on) * 1000.0)
    zg.set_ylim(-0.3, full + 0.5)
    zg.set_xlabel("time from the burst's onset (ms)")
    zg.set_ylabel("gain reduction (dB)")
    zg.set_title("the attack, close up", fontsize=10)

    # the onset's waveform: what lookahead does
    lo, hi = t_on - 0.006, t_on + 0.02
    sel = (t >= lo) & (t <= hi)
    tz = (t[sel] - t_on) * 1000.0
    zx.plot(tz, x[sel], color="0.75", lw=1.0, label="input")
    zx.plot(tz, outputs[cases[0][0]][sel], "C0", lw=1.3, label="output, detector=peak")
    zx.plot(tz, outputs[cases[1][0]][sel], "C3", lw=1.3, label="output, ... lookahead=5")
    zx.axvline(0.0, color="0.5", lw=0.6, ls="-.")
    zx.set_xlim(tz[0], tz[-1])
    zx.set_xlabel("time from the burst's onset (ms)")
    zx.set_ylabel("sample value")
    zx.set_title("the onset: lookahead=5 turns the gain down\n5 ms early "
                 "(same timestamps, 5 ms latency)", fontsize=10)
    zx.grid(True, alpha=0.35)
    zx.legend(loc="lower left", fontsize=7.5)
    return save(fig, path, plt)


def main(argv=None):
    started = start("plot-mixcomp-curve", "Plots mixcomp's measured curve and timing.", argv)
    if started is None:
        return 1
    outdir, plt, Gst = started
    try:
        m = Measure(Gst)
    except RuntimeError as e:
        print(f"plot-mixcomp-curve: {e}", file=sys.stderr)
        return 1
    summary = []
    for name, fn in (("mixcomp-curve.png", plot_curve), ("mixcomp-time.png", plot_time)):
        path = os.path.join(outdir, name)
        try:
            size = fn(m, plt, path, summary)
        except RuntimeError as e:
            print(f"plot-mixcomp-curve: {name}: {e}", file=sys.stderr)
            return 1
        print(f"wrote {path} ({size // 1024} KB)")
    for what, label, text in summary:
        print(f"  {what:<14} {label:<40} {text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
