#!/usr/bin/python3
"""Plots the masterlimiter element at work for docs/masterlimiter.md.

Everything labelled "masterlimiter" is measured from the element itself, through
appsrc ! masterlimiter ! appsink (F64, mono, 48 kHz) with GStreamer:

  transient  a synthetic drum hit (a 60 Hz kick whose pitch falls from 150 Hz, a
             click at its onset and a snare-like noise burst) over a quiet 220 Hz
             bed, driven with input-gain=12 into ceiling -1 dBTP (default lookahead
             5 ms, release 150 ms, auto-release, 8x true-peak detector): the input
             (times the input gain) and the output over 50 ms, the gain the element
             applied to each sample (output / input) against the gain each frame
             needs (ceiling over the true peak around it, 16x windowed sinc), and
             the output's true-peak envelope (16x) against the ceiling.
  release    a train of short drum hits (every 250 ms), a sustained over (a loud
             steady tone for 1.2 s), then hits again, input-gain=10, release 500 ms,
             with auto-release on and off: the gain reduction over time.

Usage (Debian's interpreter: it has gi, numpy and matplotlib):
    /usr/bin/python3 scripts/plot-masterlimiter.py [--plugin-dir build/gst]
                                                   [--outdir docs/images]
or from the build tree:  ninja -C build masterlimiter-plots

Writes masterlimiter-transient.png and masterlimiter-release.png into OUTDIR and prints
the latency, the largest gain reduction and the output's sample and true peaks (16x
windowed sinc, and libebur128's 4x when it loads). Exit status 1 when the element cannot
be found, a pipeline fails, or the output goes over the ceiling.
"""

import math
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "demo"))
from plotkit import run_mono, save, start  # noqa: E402
from report import ebur128_measure, sinc_interpolate  # noqa: E402  (the main job's meters)

RATE = 48000
CEILING = -1.0
DRIVE = 9.0             # input-gain of the transient plot
ONSET_S = 0.05           # the hit's onset in the transient signal
WINDOW_MS = (-8.0, 42.0)  # plotted around the onset
METER_INTERVAL_MS = 10
RELEASE_MS = 500.0        # release of the release plot


class Measure:
    def __init__(self, Gst):
        self.Gst = Gst

    def run(self, x, props, rate=RATE):
        """x through masterlimiter (plotkit.run_mono): (output, latency in frames,
        [(interval end s, gain-reduction dB)])."""
        return run_mono(self.Gst, "masterlimiter", x, props, rate)


# ---------------------------------------------------------------- signals

def drum_hit(n, rate=RATE, seed=1, level=1.0):
    """One kick+snare-like hit, n frames from its onset: a sine whose pitch falls from
    150 to 60 Hz (decay 150 ms), a 1 ms click and a noise burst (decay 40 ms)."""
    rng = np.random.default_rng(seed)
    t = np.arange(n) / rate
    f = 60.0 + 90.0 * np.exp(-t / 0.012)
    kick = np.sin(2.0 * np.pi * np.cumsum(f) / rate) * np.exp(-t / 0.15)
    click = rng.standard_normal(n) * np.exp(-t / 0.0004)
    noise = rng.standard_normal(n)
    # a little brighter than white: the first difference, mixed back in
    noise = noise + 0.6 * np.diff(noise, prepend=0.0)
    snare = noise * np.exp(-t / 0.03) * np.minimum(1.0, t / 0.0015)
    return level * (0.5 * kick + 0.1 * click + 0.07 * snare)


def bed(n, rate=RATE, level=0.03):
    """A quiet sustained 220 Hz tone with a fifth: what plays around the hits."""
    t = np.arange(n) / rate
    return level * (np.sin(2 * np.pi * 220.0 * t) + 0.6 * np.sin(2 * np.pi * 330.0 * t + 1.0))


def transient_signal():
    n = int(0.2 * RATE)
    x = bed(n)
    i0 = int(ONSET_S * RATE)
    x[i0:] += drum_hit(n - i0)
    return x


def release_signal():
    """Hits every 250 ms for 1.5 s, a sustained loud tone (1.2 s), hits again."""
    n = int(4.0 * RATE)
    x = bed(n, level=0.05)
    for k, t0 in enumerate(list(np.arange(0.1, 1.5, 0.25)) + list(np.arange(2.9, 3.9, 0.25))):
        i0 = int(t0 * RATE)
        x[i0:] += drum_hit(n - i0, seed=k)
    a, b = int(1.6 * RATE), int(2.8 * RATE)
    t = np.arange(b - a) / RATE
    env = np.minimum(1.0, t / 0.01) * np.minimum(1.0, (t[-1] - t) / 0.01)
    # a steady tone rich in harmonics (periodic: its peak level does not beat)
    tone = sum(np.sin(2 * np.pi * 110.0 * h * t + h) / h for h in range(1, 7))
    x[a:b] += 0.45 * env * tone
    return x


# ---------------------------------------------------------------- measurements

def frame_peaks(x, factor=16):
    """Per frame n: the largest magnitude of x between n - 1 and n + 1 (16x windowed
    sinc): the peak the limiter's gain must hold frame n's neighbourhood under."""
    v = np.abs(sinc_interpolate(x, factor))          # x at n + p / factor
    after = np.max(v, axis=1)                        # [n, n + 1)
    before = np.concatenate([[0.0], after[:-1]])     # [n - 1, n)
    return np.maximum(np.maximum(after, before), np.abs(x))


def applied_gain_db(xg, y, floor=1e-4):
    """Gain applied to each sample (dB): output over driven input, where the input is
    not too small (elsewhere NaN). Output frame k is input frame k times the gain: the
    element takes its delay out when it stamps the output."""
    ok = np.abs(xg) >= floor
    g = np.full(xg.size, np.nan)
    g[ok] = 20.0 * np.log10(np.abs(y[ok]) / np.abs(xg[ok]))
    return g


# ---------------------------------------------------------------- the plots

def plot_transient(m, plt, path, summary):
    x = transient_signal()
    props = {"ceiling": CEILING, "input-gain": DRIVE, "post-messages": True,
             "interval": METER_INTERVAL_MS * 1000000}
    y, latency, meter = m.run(x, props)
    xg = x * 10.0 ** (DRIVE / 20.0)
    t_ms = (np.arange(x.size) / RATE - ONSET_S) * 1000.0
    sel = (t_ms >= WINDOW_MS[0]) & (t_ms <= WINDOW_MS[1])
    gain = applied_gain_db(xg, y)
    need = np.minimum(0.0, CEILING - 20.0 * np.log10(np.maximum(frame_peaks(xg), 1e-12)))
    out_env = 20.0 * np.log10(np.maximum(frame_peaks(y), 1e-12))
    in_env = 20.0 * np.log10(np.maximum(frame_peaks(xg), 1e-12))
    ceil_lin = 10.0 ** (CEILING / 20.0)
    tp16 = float(np.max(out_env))
    sp = 20.0 * math.log10(float(np.max(np.abs(y))))
    eb = ebur128_measure(y[:, None], RATE)
    over = gain - need
    summary.append(("transient", f"input-gain {DRIVE:g}, ceiling {CEILING:g}",
                    f"latency {latency} frames; largest reduction {-np.nanmin(gain):.2f} dB "
                    f"(meter {max(g for _, g in meter):.2f}); output sample peak {sp:.3f} dBFS, "
                    f"true peak {tp16:.3f} dBTP (16x sinc)"
                    + (f", {eb['true_peak_dbtp']:.3f} dBTP (libebur128)" if eb else "")
                    + f"; driven input true peak {float(np.max(in_env)):.2f} dBTP; applied gain "
                      f"minus needed gain: max {np.nanmax(over):+.3f} dB"))

    fig = plt.figure(figsize=(10, 9.0))
    gs = fig.add_gridspec(3, 1, height_ratios=[1.35, 1, 0.8])
    ax = fig.add_subplot(gs[0])
    gx = fig.add_subplot(gs[1], sharex=ax)
    px = fig.add_subplot(gs[2], sharex=ax)
    tt = t_ms[sel]
    ax.plot(tt, xg[sel], color="0.72", lw=1.0,
            label=f"input x input-gain (+{DRIVE:g} dB), on the output's time line")
    ax.plot(tt, y[sel], "C0", lw=1.1, label="masterlimiter output")
    for sgn in (1, -1):
        ax.axhline(sgn * ceil_lin, color="C3", ls="--", lw=0.9,
                   label=f"ceiling {CEILING:g} dBTP" if sgn > 0 else None)
    ax.set_ylabel("sample value")
    ax.set_title(f"masterlimiter on a drum hit: input-gain={DRIVE:g} ceiling={CEILING:g} "
                 f"(lookahead 5 ms, release 150 ms, auto-release, 8x true peak);\n"
                 f"latency {latency} frames ({latency / RATE * 1000:.3f} ms), taken out by "
                 f"the element's timestamps: output frame k is input frame k times the gain",
                 fontsize=10)
    ax.grid(True, alpha=0.35)
    ax.legend(loc="upper right", fontsize=8)
    ax.set_ylim(-1.7, 2.3)

    gx.plot(tt, need[sel], "k", lw=0.9, ls="--",
            label="gain each frame needs: ceiling / true peak around it (16x)")
    gx.plot(tt, gain[sel], "C2", lw=1.8, label="gain masterlimiter applied (output / input)")
    mt = np.array([(t - ONSET_S) * 1000.0 for t, _ in meter])
    mg = np.array([-g for _, g in meter])
    lat_ms = latency / RATE * 1000.0
    msel = (mt - METER_INTERVAL_MS - lat_ms >= WINDOW_MS[0] - METER_INTERVAL_MS) & \
        (mt - lat_ms <= WINDOW_MS[1] + METER_INTERVAL_MS)
    gx.step(mt[msel] - lat_ms, mg[msel], "C1", where="pre", lw=0.9,
            label=f"its meter messages, -gain-reduction per {METER_INTERVAL_MS} ms "
                  f"(shifted by the latency)")
    gx.axvline(-5.0, color="0.5", lw=0.6, ls="-.")
    gx.text(-4.8, 0.3, "onset - lookahead", fontsize=7.5, color="0.35")
    gx.set_ylabel("gain (dB)")
    gx.set_ylim(min(-1.0, float(np.nanmin(need[sel])) - 5.0), 1.0)  # room for the legend
    gx.grid(True, alpha=0.35)
    gx.legend(loc="lower right", fontsize=8)

    px.plot(tt, in_env[sel], color="0.72", lw=1.0, label="input x input-gain")
    px.plot(tt, out_env[sel], "C0", lw=1.2, label="output")
    px.axhline(CEILING, color="C3", ls="--", lw=0.9, label="ceiling")
    px.set_ylim(CEILING - 6.0, float(np.max(in_env[sel])) + 1.0)
    px.set_xlim(*WINDOW_MS)
    px.set_xlabel("time from the hit's onset (ms)")
    px.set_ylabel("true peak (dBTP)")
    px.set_title(f"true peak around each frame (16x windowed sinc): the output's highest is "
                 f"{tp16:.2f} dBTP", fontsize=10)
    px.grid(True, alpha=0.35)
    px.legend(loc="upper right", fontsize=8)
    plt.setp(ax.get_xticklabels(), visible=False)
    plt.setp(gx.get_xticklabels(), visible=False)
    return save(fig, path, plt), tp16, sp


def plot_release(m, plt, path, summary):
    x = release_signal()
    drive = 10.0
    xg = x * 10.0 ** (drive / 20.0)
    t = np.arange(x.size) / RATE
    fig, ax = plt.subplots(1, 1, figsize=(10, 4.6))
    worst = -math.inf
    for auto, c, lw in ((True, "C0", 1.6), (False, "C3", 1.1)):
        props = {"ceiling": CEILING, "input-gain": drive, "release": RELEASE_MS,
                 "auto-release": auto}
        y, _, _ = m.run(x, props)
        gr = -applied_gain_db(xg, y, floor=1e-3)
        # the largest per 5 ms, for a readable line
        blk = int(0.005 * RATE)
        nb = gr.size // blk
        g = np.nanmax(np.where(np.isnan(gr[:nb * blk]), -np.inf,
                               gr[:nb * blk]).reshape(nb, blk), axis=1)
        tb = (np.arange(nb) + 0.5) * blk / RATE
        ax.plot(tb, np.where(np.isfinite(g), g, np.nan), c, lw=lw,
                label=f"auto-release={'true' if auto else 'false'} (release {RELEASE_MS:g} ms)")
        tp = float(np.max(frame_peaks(y)))
        worst = max(worst, tp)
        short = (t > 0.1) & (t < 1.5)
        sustained = (t > 2.0) & (t < 2.7)
        summary.append(("release", f"auto-release={'true' if auto else 'false'}",
                        f"mean reduction over the hits {np.nanmean(gr[short]):.2f} dB, "
                        f"over the sustained tone {np.nanmean(gr[sustained]):.2f} dB; "
                        f"output true peak {20 * math.log10(tp):.3f} dBTP (16x)"))
    ax.axvspan(1.6, 2.8, color="0.5", alpha=0.1, lw=0)
    ax.text(2.2, 0.3, "sustained tone", ha="center", fontsize=8, color="0.3")
    ax.text(0.8, 0.3, "short hits", ha="center", fontsize=8, color="0.3")
    ax.text(3.4, 0.3, "short hits", ha="center", fontsize=8, color="0.3")
    top = ax.get_ylim()[1]
    ax.set_ylim(top + 1.0, -0.5)
    ax.set_xlim(0, t[-1])
    ax.set_xlabel("time (s)")
    ax.set_ylabel("gain reduction (dB)")
    ax.set_title(f"masterlimiter release: drum hits every 250 ms, a sustained tone, hits "
                 f"again; input-gain={drive:g} ceiling={CEILING:g} release={RELEASE_MS:g};\n"
                 f"gain reduction applied (input / output, largest per 5 ms)", fontsize=10)
    ax.grid(True, alpha=0.35)
    ax.legend(loc="lower right", fontsize=8)
    return save(fig, path, plt), 20 * math.log10(worst)


def main(argv=None):
    started = start("plot-masterlimiter", "Plots masterlimiter on a drum transient.", argv)
    if started is None:
        return 1
    outdir, plt, Gst = started
    try:
        m = Measure(Gst)
    except RuntimeError as e:
        print(f"plot-masterlimiter: {e}", file=sys.stderr)
        return 1
    summary = []
    status = 0
    for name, fn in (("masterlimiter-transient.png", plot_transient),
                     ("masterlimiter-release.png", plot_release)):
        path = os.path.join(outdir, name)
        try:
            size, tp, *_ = fn(m, plt, path, summary)
        except RuntimeError as e:
            print(f"plot-masterlimiter: {name}: {e}", file=sys.stderr)
            return 1
        print(f"wrote {path} ({size // 1024} KB)")
        if tp > CEILING + 0.1:
            print(f"plot-masterlimiter: {name}: output true peak {tp:.3f} dBTP is over the "
                  f"ceiling {CEILING:g} + 0.1 dB", file=sys.stderr)
            status = 1
    for what, label, text in summary:
        print(f"  {what:<10} {label:<26} {text}")
    return status


if __name__ == "__main__":
    sys.exit(main())
