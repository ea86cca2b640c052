#!/usr/bin/python3
"""Plots the frequency responses of the mixeq element for docs/mixeq.md.

Every curve labelled "mixeq" is measured from the element itself: a unit impulse is pushed
through  appsrc ! mixeq ! appsink  (F64, mono or stereo, 44.1 or 48 kHz) with
GStreamer, and the magnitude response is the FFT of what comes out. The analog
prototypes (Audio EQ Cookbook bells and shelves, Butterworth pass filters) and the
bilinear (RBJ cookbook) biquads drawn for comparison are computed here with numpy.

Usage (Debian's interpreter: it has gi, numpy and matplotlib):
    /usr/bin/python3 scripts/plot-mixeq-response.py [--plugin-dir build/gst]
                                                    [--outdir docs/images]
or from the build tree:  ninja -C build mixeq-plots

Writes mixeq-bells.png, mixeq-shelves.png, mixeq-pass.png, mixeq-mastering.png and
mixeq-mid-side.png into OUTDIR, and prints the largest distance of each measured curve
from its prototype between 20 Hz and 20 kHz. Exit status 1 when the element cannot be
found or a pipeline fails.
"""

import math
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "demo"))
from plotkit import (check_frames, element_pipeline, pull_all, push_all,  # noqa: E402
                     require, save, start)
from report import eq_band_prototype_db  # noqa: E402  (the main job's prototypes)

N_IMPULSE = 1 << 16          # frames pushed: 1.4 s at 48 kHz, 0.67 Hz resolution
F_MIN, F_MAX = 10.0, 24000.0  # plotted range (clipped to Nyquist)
N_PLOT = 700                 # log-spaced plot points (keeps the PNGs small)

# The 5-band mastering example of docs/mixeq.md (also the master EQ of the main job,
# scripts/demo/chain.py).
MASTERING = [
    {"type": "high-pass", "freq": 25.0, "slope": 24},
    {"type": "low-shelf", "freq": 90.0, "gain": 1.0},
    {"type": "peaking", "freq": 300.0, "gain": -1.5, "q": 1.0},
    {"type": "peaking", "freq": 2500.0, "gain": -1.0, "q": 2.0},
    {"type": "high-shelf", "freq": 10000.0, "gain": 1.5},
]
MASTERING_LABELS = ["high-pass 25 Hz, 24 dB/oct", "low-shelf 90 Hz +1 dB",
                    "bell 300 Hz -1.5 dB Q 1", "bell 2.5 kHz -1 dB Q 2",
                    "high-shelf 10 kHz +1.5 dB"]
# ---------------------------------------------------------------- GStreamer measurement

class Measure:
    def __init__(self, Gst):
        self.Gst = Gst
        require(Gst, "mixeq")

    def run(self, factory, setup, rate, impulse, n=N_IMPULSE):
        """Pushes one buffer of n frames, zero but for frame 0 = impulse (one value per
        channel), through appsrc ! FACTORY ! appsink; setup(element) sets its properties.
        Returns the output as an (n, channels) float64 array."""
        Gst = self.Gst
        channels = len(impulse)
        caps = Gst.Caps.from_string(
            f"audio/x-raw,format=F64LE,layout=interleaved,rate={rate},channels={channels}"
            + (",channel-mask=(bitmask)0x3" if channels == 2 else ""))
        pipe, src, el, sink = element_pipeline(Gst, factory, caps)
        setup(el)
        x = np.zeros((n, channels))
        x[0, :] = impulse
        pipe.set_state(Gst.State.PLAYING)
        push_all(Gst, src, x, n, rate, "<f8")          # one buffer
        y = pull_all(sink, "<f8")
        msg = pipe.get_bus().pop_filtered(Gst.MessageType.ERROR)
        pipe.set_state(Gst.State.NULL)
        if msg is not None:
            err, dbg = msg.parse_error()
            raise RuntimeError(f"{factory}: {err.message} ({dbg})")
        check_frames(y.size // channels, n, factory)
        return y.reshape(n, channels)

    def mixeq(self, bands, rate, impulse=(1.0,), output_gain=0.0):
        """bands: list of {band property: value}; values as gst-launch would take them."""
        Gst = self.Gst

        def setup(eq):
            eq.set_property("num-bands", len(bands))
            eq.set_property("output-gain", float(output_gain))
            for i, band in enumerate(bands):
                child = eq.get_child_by_name(f"band{i}")
                for k, v in band.items():
                    Gst.util_set_object_arg(child, k, str(v))
        return self.run("mixeq", setup, rate, impulse)


def magnitude_db(y, rate, f):
    """|FFT| of an impulse response in dB, interpolated at the frequencies f."""
    h = np.fft.rfft(y)
    fb = np.fft.rfftfreq(y.size, 1.0 / rate)
    return np.interp(f, fb, 20.0 * np.log10(np.maximum(np.abs(h), 1e-15)))


def plot_freqs(rate):
    return np.geomspace(F_MIN, min(F_MAX, rate / 2.0), N_PLOT)


# ---------------------------------------------------------------- references (numpy)

def prototype_db(band, f):
    """The analog prototype of one band (as in dsp/eqdesign.c), in dB at f (Hz)."""
    return eq_band_prototype_db(band, f, math.inf)


def rbj_peaking_db(f0, gain_db, q, rate, f):
    """The bilinear (RBJ Audio EQ Cookbook) peaking biquad, as GStreamer's equalizer
    and FFmpeg's equalizer filter design it, in dB at f."""
    A = 10.0 ** (gain_db / 40.0)
    w0 = 2 * np.pi * f0 / rate
    alpha = np.sin(w0) / (2 * q)
    b = np.array([1 + alpha * A, -2 * np.cos(w0), 1 - alpha * A])
    a = np.array([1 + alpha / A, -2 * np.cos(w0), 1 - alpha / A])
    z = np.exp(-1j * 2 * np.pi * np.asarray(f) / rate)
    h = (b[0] + b[1] * z + b[2] * z * z) / (a[0] + a[1] * z + a[2] * z * z)
    return 20.0 * np.log10(np.abs(h))


def audio_band(f, rate):
    return (f >= 20.0) & (f <= min(20000.0, 0.5 * rate))


# ---------------------------------------------------------------- plotting helpers

def new_figure(plt, with_error=True, height=6.4):
    if with_error:
        fig, (ax, ex) = plt.subplots(2, 1, figsize=(9, height), sharex=True,
                                     gridspec_kw={"height_ratios": [3, 1.25]})
    else:
        fig, ax = plt.subplots(1, 1, figsize=(9, height * 0.72))
        ex = None
    return fig, ax, ex


def style_axes(ax, rate, ylabel="magnitude (dB)", xlabel=True):
    ax.set_xscale("log")
    ax.set_xlim(F_MIN, min(F_MAX, rate / 2.0))
    ticks = [10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000]
    ax.set_xticks([t for t in ticks if t <= rate / 2.0])
    ax.set_xticklabels([f"{t // 1000}k" if t >= 1000 else str(t) for t in ticks
                        if t <= rate / 2.0])
    ax.grid(True, which="major", alpha=0.35)
    ax.grid(True, which="minor", alpha=0.12)
    ax.set_ylabel(ylabel)
    if xlabel:
        ax.set_xlabel("frequency (Hz)")


def shade_above_20k(axes, rate):
    """Marks 20 kHz - Nyquist: outside the band the designs are fitted over."""
    for a in axes:
        a.axvspan(20000.0, rate / 2.0, color="0.85", lw=0, zorder=0)
    axes[-1].text(20000.0, axes[-1].get_ylim()[0], " not\n fitted", fontsize=7,
                  color="0.35", va="bottom", ha="left")


class Summary:
    def __init__(self):
        self.rows = []

    def add(self, plot, label, err_db):
        self.rows.append((plot, label, float(np.max(np.abs(err_db)))))

    def print(self):
        print("largest |mixeq - prototype|, 20 Hz - 20 kHz (or Nyquist):")
        for plot, label, e in self.rows:
            print(f"  {plot:<10} {label:<52} {e:6.3f} dB")


# ---------------------------------------------------------------- the plots

def plot_bells(m, plt, path, summary):
    rate = 44100
    f = plot_freqs(rate)
    ab = audio_band(f, rate)
    fig, ax, ex = new_figure(plt)
    gain, q = 6.0, 1.0
    for i, f0 in enumerate([100.0, 1000.0, 5000.0, 10000.0, 16000.0]):
        band = {"type": "peaking", "freq": f0, "gain": gain, "q": q}
        y = m.mixeq([band], rate)[:, 0]
        meas = magnitude_db(y, rate, f)
        proto = prototype_db(band, f)
        c = f"C{i}"
        lab = f"{f0 / 1000:g} kHz" if f0 >= 1000 else f"{f0:g} Hz"
        ax.plot(f, meas, c, lw=1.8, label=f"mixeq, {lab}")
        ax.plot(f, proto, "k--", lw=0.8, label="analog prototype" if i == 0 else None)
        ex.plot(f, meas - proto, c, lw=1.4)
        summary.add("bells", f"+6 dB Q 1 at {lab}, 44.1 kHz", (meas - proto)[ab])
        if f0 >= 10000:
            rbj = rbj_peaking_db(f0, gain, q, rate, f)
            ax.plot(f, rbj, c, ls=":", lw=1.4, label=f"bilinear (RBJ) biquad, {lab}")
            ex.plot(f, rbj - proto, c, ls=":", lw=1.2)
            summary.add("bells", f"  bilinear (RBJ) biquad at {lab}", (rbj - proto)[ab])
    ax.set_ylim(-1, 7.5)
    ax.set_title("mixeq bells, +6 dB Q 1, at 44.1 kHz: measured vs analog prototype\n"
                 "no cramping near Nyquist; dotted: a bilinear biquad for comparison",
                 fontsize=11)
    ax.legend(loc="upper left", fontsize=8, ncol=2)
    style_axes(ax, rate, xlabel=False)
    ex.set_ylim(-4.5, 1.0)
    ex.axhline(0, color="k", lw=0.6)
    style_axes(ex, rate, ylabel="minus prototype (dB)")
    shade_above_20k((ax, ex), rate)
    return save(fig, path, plt)


def plot_shelves(m, plt, path, summary):
    rate = 44100
    f = plot_freqs(rate)
    ab = audio_band(f, rate)
    fig, ax, ex = new_figure(plt)
    cases = [
        ({"type": "low-shelf", "freq": 100.0, "gain": 6.0}, "low-shelf 100 Hz +6 dB"),
        ({"type": "low-shelf", "freq": 100.0, "gain": -6.0}, "low-shelf 100 Hz -6 dB"),
        ({"type": "high-shelf", "freq": 8000.0, "gain": 6.0}, "high-shelf 8 kHz +6 dB"),
        ({"type": "high-shelf", "freq": 8000.0, "gain": -6.0}, "high-shelf 8 kHz -6 dB"),
        ({"type": "high-shelf", "freq": 4000.0, "gain": 9.0, "q": 2.0},
         "high-shelf 4 kHz +9 dB Q 2"),
        ({"type": "tilt-shelf", "freq": 1000.0, "gain": 6.0}, "tilt 1 kHz, gain 6 (-3/+3 dB)"),
        ({"type": "tilt-shelf", "freq": 1000.0, "gain": -6.0},
         "tilt 1 kHz, gain -6 (+3/-3 dB)"),
    ]
    for i, (band, lab) in enumerate(cases):
        y = m.mixeq([band], rate)[:, 0]
        meas = magnitude_db(y, rate, f)
        proto = prototype_db(band, f)
        c = f"C{i}"
        ax.plot(f, meas, c, lw=1.8, label=lab)
        ax.plot(f, proto, "k--", lw=0.8, label="analog prototype" if i == 0 else None)
        ex.plot(f, meas - proto, c, lw=1.3)
        summary.add("shelves", lab + ", 44.1 kHz", (meas - proto)[ab])
    ax.set_ylim(-8, 13)
    ax.set_title("mixeq shelves and tilt (Q 0.707 unless noted) at 44.1 kHz:\n"
                 "measured vs analog prototype", fontsize=11)
    ax.legend(loc="upper left", fontsize=8, ncol=2)
    style_axes(ax, rate, xlabel=False)
    ex.set_ylim(-1.0, 1.0)
    ex.axhline(0, color="k", lw=0.6)
    style_axes(ex, rate, ylabel="minus prototype (dB)")
    shade_above_20k((ax, ex), rate)
    return save(fig, path, plt)


def plot_pass(m, plt, path, summary):
    rate = 48000
    f = plot_freqs(rate)
    ab = audio_band(f, rate)
    fig, ax, ex = new_figure(plt)
    for i, slope in enumerate([6, 12, 18, 24, 36, 48]):
        c = f"C{i}"
        for j, (kind, f0) in enumerate((("high-pass", 80.0), ("low-pass", 8000.0))):
            band = {"type": kind, "freq": f0, "slope": slope}
            y = m.mixeq([band], rate)[:, 0]
            meas = magnitude_db(y, rate, f)
            proto = prototype_db(band, f)
            ax.plot(f, meas, c, lw=1.6, label=f"{slope} dB/oct" if j == 0 else None)
            ax.plot(f, proto, "k--", lw=0.6,
                    label="Butterworth prototype" if (i == 0 and j == 0) else None)
            # compared down to -20 dB: deep in the stop band near Nyquist the digital
            # low-pass falls a few dB faster or slower than the analog curve
            keep = ab & (proto > -20.0)
            err = np.where(proto > -20.0, meas - proto, np.nan)
            ex.plot(f, err, c, lw=1.2)
            summary.add("pass", f"{kind} {f0:g} Hz {slope} dB/oct, 48 kHz (to -20 dB)",
                        (meas - proto)[keep])
            # the cutoff sits at -3.01 dB
            cut = m_cutoff_db(y, rate, f0)
            summary.add("pass", f"  {kind} {f0:g} Hz {slope} dB/oct: |H(f0)| + 3.01 dB",
                        np.array([cut + 3.0103]))
    ax.axhline(-3.01, color="0.4", lw=0.7, ls="-.")
    ax.text(12, -2.2, "-3.01 dB at the cutoff", fontsize=8, color="0.3")
    ax.set_ylim(-72, 4)
    ax.set_title("mixeq high-pass 80 Hz and low-pass 8 kHz at every slope, 48 kHz:\n"
                 "Butterworth, measured vs prototype", fontsize=11)
    ax.legend(loc="center", fontsize=8, ncol=2)
    style_axes(ax, rate, xlabel=False)
    ex.set_ylim(-1.2, 1.2)
    ex.axhline(0, color="k", lw=0.6)
    ex.text(0.01, 0.06, "down to -20 dB of the prototype", transform=ex.transAxes,
            fontsize=8, color="0.3")
    style_axes(ex, rate, ylabel="minus prototype (dB)")
    return save(fig, path, plt)


def m_cutoff_db(y, rate, f0):
    """|H| at exactly f0 (a DFT at one frequency, not a bin)."""
    n = np.arange(y.size)
    return 20.0 * np.log10(abs(np.sum(y * np.exp(-2j * np.pi * f0 / rate * n))))


def plot_mastering(m, plt, path, summary):
    rate = 48000
    f = plot_freqs(rate)
    ab = audio_band(f, rate)
    fig, ax, ex = new_figure(plt, with_error=False, height=6.4)
    y = m.mixeq(MASTERING, rate)[:, 0]
    meas = magnitude_db(y, rate, f)
    proto = sum(prototype_db(b, f) for b in MASTERING)
    for i, (b, lab) in enumerate(zip(MASTERING, MASTERING_LABELS)):
        ax.plot(f, prototype_db(b, f), f"C{i + 1}", ls="--", lw=1.4, zorder=3,
                label=f"band{i}: {lab}")
    ax.plot(f, meas, "C0", lw=2.4, label="mixeq, all five bands (measured)")
    ax.axhline(0, color="k", lw=0.6)
    summary.add("mastering", "5 bands, 48 kHz", (meas - proto)[ab & (proto > -40)])
    ax.set_ylim(-10, 3)
    ax.set_title("a mastering EQ with mixeq num-bands=5 at 48 kHz\n"
                 "(thick: the element's response; dashed: each band's prototype)", fontsize=11)
    ax.legend(loc="lower right", fontsize=8)
    style_axes(ax, rate)
    return save(fig, path, plt)


def plot_mid_side(m, plt, path, summary):
    rate = 48000
    f = plot_freqs(rate)
    fig, ax, ex = new_figure(plt, with_error=False, height=6.4)
    bands = [{"type": "high-pass", "freq": 150.0, "slope": 12, "channels": "side"}]
    # the element's 2x2 transfer matrix: impulse into left, then into right
    hl = m.mixeq(bands, rate, impulse=(1.0, 0.0))
    hr = m.mixeq(bands, rate, impulse=(0.0, 1.0))
    # mid in -> mid out, side in -> side out, M = (L+R)/2, S = (L-R)/2
    mid = 0.5 * ((hl[:, 0] + hr[:, 0]) + (hl[:, 1] + hr[:, 1]))
    side = 0.5 * ((hl[:, 0] - hr[:, 0]) - (hl[:, 1] - hr[:, 1]))
    mid_to_side = 0.5 * ((hl[:, 0] + hr[:, 0]) - (hl[:, 1] + hr[:, 1]))
    leak = hl[:, 1]  # a hard-left source showing up on the right
    ax.plot(f, magnitude_db(mid, rate, f), "C0", lw=2.2, label="mid (L+R) in -> mid out")
    side_db = magnitude_db(side, rate, f)
    ax.plot(f, side_db, "C3", lw=2.2, label="side (L-R) in -> side out")
    ax.plot(f, magnitude_db(leak, rate, f), "C1", lw=1.2,
            label="hard-left source: level in the right channel")
    summary.add("mid-side", "side high-pass 150 Hz 12 dB/oct, 48 kHz",
                (side_db - prototype_db(bands[0], f))[audio_band(f, rate)])
    summary.add("mid-side", "  mid response (0 dB wanted)",
                magnitude_db(mid, rate, f)[audio_band(f, rate)])
    worst = float(np.max(np.abs(mid_to_side)))
    if worst > 1e-12:
        print(f"warning: mid leaks into side ({worst:g})", file=sys.stderr)
    # for comparison: stereowidth's phase-coherent bass mono (LR4 + mid all-pass)
    try:
        sw = m.run("stereowidth", lambda e: e.set_property("bass-mono-freq", 150.0),
                   rate, (1.0, 0.0))
        ax.plot(f, magnitude_db(sw[:, 1], rate, f), "0.45", ls="--", lw=1.1,
                label="hard-left source, right channel, with stereowidth\n"
                      "bass-mono-freq=150 instead (LR4 + mid all-pass)")
    except RuntimeError as e:
        print(f"note: no stereowidth comparison ({e})", file=sys.stderr)
    ax.axvline(150.0, color="k", ls=":", lw=0.8)
    ax.set_ylim(-60, 4)
    ax.set_title("M/S low-end cleanup: mixeq band0::channels=side band0::type=high-pass\n"
                 "band0::freq=150 (stereo, 48 kHz): mid untouched, side rolled off",
                 fontsize=11)
    ax.legend(loc="lower left", bbox_to_anchor=(0.33, 0.02), fontsize=8)
    style_axes(ax, rate)
    return save(fig, path, plt)


def main(argv=None):
    started = start("plot-mixeq-response", "Plots mixeq's measured responses.", argv)
    if started is None:
        return 1
    outdir, plt, Gst = started
    try:
        m = Measure(Gst)
    except RuntimeError as e:
        print(f"plot-mixeq-response: {e}", file=sys.stderr)
        return 1
    summary = Summary()
    plots = [("mixeq-bells.png", plot_bells), ("mixeq-shelves.png", plot_shelves),
             ("mixeq-pass.png", plot_pass), ("mixeq-mastering.png", plot_mastering),
             ("mixeq-mid-side.png", plot_mid_side)]
    for name, fn in plots:
        path = os.path.join(outdir, name)
        try:
            size = fn(m, plt, path, summary)
        except RuntimeError as e:
            print(f"plot-mixeq-response: {name}: {e}", file=sys.stderr)
            return 1
        print(f"wrote {path} ({size // 1024} KB)")
    summary.print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
