"""Measurements and the before/after report of the main job (numpy only; matplotlib optional).

Conventions: levels in dB relative to full scale, RMS with the sine convention (a full-scale
sine reads -3.01 dBFS), M = (L + R) / 2, S = (L - R) / 2 as in dsp/stereo.h.
"""

import json
import math

import numpy as np

TINY = 1e-30


def db_power(p):
    return 10.0 * math.log10(max(float(p), TINY))


def db_amp(a):
    return 20.0 * math.log10(max(float(a), 1e-15))


# ---------------------------------------------------------------------------- levels

def gated_rms_dbfs(x, rate, block_s=0.4, overlap=0.75, abs_gate=-70.0, rel_gate=-10.0):
    """'Integrated-ish' level: BS.1770 gating (400 ms blocks, 75 % overlap, -70 dB absolute
    and -10 dB relative gates) applied to plain, unweighted mean square averaged over the
    channels. Close to LUFS in spirit, not K-weighted: not a loudness measurement."""
    ms = np.mean(x * x, axis=1)
    blk = int(block_s * rate)
    hop = max(1, int(blk * (1.0 - overlap)))
    if ms.size < blk:
        return db_power(np.mean(ms))
    c = np.concatenate([[0.0], np.cumsum(ms)])
    starts = np.arange(0, ms.size - blk + 1, hop)
    powers = (c[starts + blk] - c[starts]) / blk
    powers = powers[powers > 10 ** (abs_gate / 10.0)]
    if powers.size == 0:
        return -math.inf
    rel = np.mean(powers) * 10 ** (rel_gate / 10.0)
    powers = powers[powers > rel]
    return db_power(np.mean(powers))


def sample_peak_dbfs(x):
    return db_amp(np.max(np.abs(x)))


def true_peak_dbtp(x, factor=4):
    """Inter-sample peak from factor-x oversampling (a windowed-sinc interpolator in the
    manner of BS.1770-4 Annex 2: true_peak_sinc() below); the maximum over channels in
    dBTP."""
    return db_amp(true_peak_sinc(x, factor))


def _kaiser_sinc(u, half_taps, beta):
    """Kaiser-windowed sinc at the (fractional) offsets u, zero for |u| >= half_taps."""
    u = np.asarray(u, dtype=float)
    r = np.clip(1.0 - (u / half_taps) ** 2, 0.0, None)
    return np.where(np.abs(u) < half_taps,
                    np.sinc(u) * np.i0(beta * np.sqrt(r)) / np.i0(beta), 0.0)


def sinc_interpolate(x, factor=16, intervals=None, half_taps=32, beta=9.0):
    """Values of the 1-D signal x at n + p / factor, p = 0 .. factor - 1, for each n in
    intervals (default: every frame), as a (len(intervals), factor) array: a Kaiser-
    windowed sinc interpolator with 2 x half_taps taps per phase (64 taps, beta 9:
    within 0.005 dB on sines up to 0.45 x rate). x is taken as 0 outside its ends."""
    x = np.asarray(x, dtype=float)
    n_all = np.arange(x.size) if intervals is None else np.asarray(intervals)
    k = np.arange(-half_taps + 1, half_taps + 1)          # x[n + k] around interval n
    phases = np.arange(factor) / factor
    taps = _kaiser_sinc(phases[None, :] - k[:, None], half_taps, beta)  # (2h, factor)
    xp = np.concatenate([np.zeros(half_taps), x, np.zeros(half_taps + 1)])
    out = np.empty((n_all.size, factor))
    for i0 in range(0, n_all.size, 16384):
        n = n_all[i0:i0 + 16384]
        out[i0:i0 + n.size] = xp[n[:, None] + half_taps + k[None, :]] @ taps
    return out


def true_peak_sinc(x, factor=16, floor_db=-6.0):
    """Inter-sample peak (linear, max over channels) from sinc_interpolate() at factor
    x. Only the intervals between two samples of which one is within floor_db of the
    channel's sample peak are interpolated: a higher point elsewhere would need an
    overshoot of more than -floor_db over both neighbours. The sample peak counts."""
    x = np.asarray(x, dtype=float)
    if x.ndim == 1:
        x = x[:, None]
    peak = float(np.max(np.abs(x))) if x.size else 0.0
    for ch in range(x.shape[1]):
        a = np.abs(x[:, ch])
        if a.size < 2:
            continue
        near = np.maximum(a[:-1], a[1:]) >= np.max(a) * 10.0 ** (floor_db / 20.0)
        cand = np.nonzero(near)[0]
        if cand.size:
            peak = max(peak, float(np.max(np.abs(sinc_interpolate(x[:, ch], factor, cand)))))
    return peak


def true_peak_sinc_dbtp(x, factor=16):
    """true_peak_sinc() in dBTP."""
    return db_amp(true_peak_sinc(x, factor))


_EBUR128 = None


def ebur128_lib():
    """libebur128 through ctypes (Debian's libebur128-1; the build needs it anyway),
    or None when it cannot be loaded."""
    global _EBUR128
    if _EBUR128 is None:
        import ctypes
        import ctypes.util
        lib = False
        for name in (ctypes.util.find_library("ebur128"), "libebur128.so.1"):
            if not name:
                continue
            try:
                lib = ctypes.CDLL(name)
                break
            except OSError:
                continue
        if lib:
            vp, dp = ctypes.c_void_p, ctypes.POINTER(ctypes.c_double)
            lib.ebur128_init.restype = vp
            lib.ebur128_init.argtypes = [ctypes.c_uint, ctypes.c_ulong, ctypes.c_int]
            lib.ebur128_add_frames_double.argtypes = [vp, dp, ctypes.c_size_t]
            lib.ebur128_loudness_global.argtypes = [vp, dp]
            lib.ebur128_true_peak.argtypes = [vp, ctypes.c_uint, dp]
            lib.ebur128_sample_peak.argtypes = [vp, ctypes.c_uint, dp]
            lib.ebur128_destroy.argtypes = [ctypes.POINTER(vp)]
        _EBUR128 = lib
    return _EBUR128 or None


EBUR128_MODE_I = (1 << 2) | 1
EBUR128_MODE_TRUE_PEAK = (1 << 5) | (1 << 4) | 1


def ebur128_measure(x, rate):
    """Integrated loudness (LUFS) and true peak (dBTP, max over channels; libebur128
    oversamples 4x below 96 kHz) of x as libebur128 measures them:
    {"integrated_lufs", "true_peak_dbtp"}, or None without the library."""
    import ctypes
    lib = ebur128_lib()
    if lib is None:
        return None
    st = ctypes.c_void_p(lib.ebur128_init(x.shape[1], int(rate),
                                          EBUR128_MODE_I | EBUR128_MODE_TRUE_PEAK))
    if not st.value:
        return None
    try:
        # in blocks: a copy of ten minutes in double at once would be 460 MB
        for start in range(0, x.shape[0], 1 << 20):
            a = np.ascontiguousarray(x[start:start + (1 << 20)], dtype=np.float64)
            if lib.ebur128_add_frames_double(
                    st, a.ctypes.data_as(ctypes.POINTER(ctypes.c_double)), a.shape[0]) != 0:
                return None
        v = ctypes.c_double()
        lib.ebur128_loudness_global(st, ctypes.byref(v))
        integrated = v.value
        tp = 0.0
        for ch in range(x.shape[1]):
            lib.ebur128_true_peak(st, ch, ctypes.byref(v))
            tp = max(tp, v.value)
    finally:
        lib.ebur128_destroy(ctypes.byref(st))
    return {"integrated_lufs": integrated, "true_peak_dbtp": db_amp(tp)}


# ---------------------------------------------------------------------------- stereo

def mid_side(x):
    return 0.5 * (x[:, 0] + x[:, 1]), 0.5 * (x[:, 0] - x[:, 1])


def correlation(x):
    ll = float(np.dot(x[:, 0], x[:, 0]))
    rr = float(np.dot(x[:, 1], x[:, 1]))
    if ll <= 0.0 or rr <= 0.0:
        return 0.0
    return float(np.dot(x[:, 0], x[:, 1])) / math.sqrt(ll * rr)


def side_to_mid_db(x):
    m, s = mid_side(x)
    return db_power(np.dot(s, s)) - db_power(np.dot(m, m))


def windowed(x, rate, interval_s=0.1):
    """Per-interval correlation and side-to-mid (like the element's messages)."""
    w = max(1, int(round(interval_s * rate)))
    n = x.shape[0] // w
    xs = x[:n * w].reshape(n, w, 2)
    ll = np.sum(xs[:, :, 0] ** 2, axis=1)
    rr = np.sum(xs[:, :, 1] ** 2, axis=1)
    lr = np.sum(xs[:, :, 0] * xs[:, :, 1], axis=1)
    den = np.sqrt(ll * rr)
    corr = np.where(den > 0, lr / np.maximum(den, TINY), 0.0)
    mm = 0.25 * (ll + rr + 2 * lr)
    ss = 0.25 * (ll + rr - 2 * lr)
    s2m = 10 * np.log10(np.maximum(ss, TINY) / np.maximum(mm, TINY))
    s2m = np.clip(s2m, -120.0, 120.0)
    t = (np.arange(n) + 1) * w / rate  # end of each interval
    return t, corr, s2m, ll + rr > 0


def band_power(sig, rate, f_lo, f_hi):
    """Mean square of sig restricted to f_lo <= f < f_hi (brick-wall, via Parseval)."""
    spec = np.fft.rfft(sig)
    f = np.fft.rfftfreq(sig.size, 1.0 / rate)
    band = (f >= f_lo) & (f < f_hi)
    p = np.abs(spec[band]) ** 2
    # one-sided spectrum: bins other than DC and Nyquist count twice
    weight = np.where((f[band] == 0) | (f[band] == rate / 2), 1.0, 2.0)
    return float(np.sum(p * weight)) / (sig.size ** 2)


def average_spectrum_db(sig, rate, nfft=8192):
    """Welch-averaged power spectrum (Hann, 50 % overlap) in dB."""
    win = np.hanning(nfft)
    hop = nfft // 2
    segs = [sig[i:i + nfft] * win for i in range(0, sig.size - nfft + 1, hop)]
    if not segs:
        segs = [np.pad(sig, (0, nfft - sig.size)) * win]
    p = np.mean([np.abs(np.fft.rfft(s)) ** 2 for s in segs], axis=0)
    p /= np.sum(win ** 2) * rate / 2.0
    return np.fft.rfftfreq(nfft, 1.0 / rate), 10 * np.log10(np.maximum(p, TINY))


class Spectrum:
    """One full-length FFT of a signal, for many band powers (and weighted ones).
    power(lo, hi) is band_power(); power(lo, hi, h2) weights each bin by h2 (a filter's
    squared magnitude on the same bins): the band power the signal would have after that
    filter."""

    def __init__(self, sig, rate):
        self.n = sig.size
        self.f = np.fft.rfftfreq(sig.size, 1.0 / rate)
        w = np.where((self.f == 0) | (self.f == rate / 2), 1.0, 2.0)
        self.p = np.abs(np.fft.rfft(sig)) ** 2 * w / (sig.size ** 2)
        self.cum = np.concatenate([[0.0], np.cumsum(self.p)])

    def _range(self, lo, hi):
        return np.searchsorted(self.f, lo, "left"), np.searchsorted(self.f, hi, "left")

    def power(self, lo, hi, h2=None):
        a, b = self._range(lo, hi)
        if h2 is None:
            return float(self.cum[b] - self.cum[a])
        return float(np.dot(self.p[a:b], h2[a:b]))


# ---------------------------------------------------------------------------- EQ

# mixeq's band defaults (gst-inspect-1.0 mixeq, docs/mixeq.md)
EQ_BAND_DEFAULTS = {"type": "peaking", "freq": 1000.0, "gain": 0.0, "q": 0.707,
                    "slope": 12, "channels": "all", "enabled": True}


def eq_band_prototype_db(band, f, rate):
    """A mixeq band's analog prototype (Audio EQ Cookbook bells and shelves, Butterworth
    pass filters, as in dsp/eqdesign.c) in dB at f (Hz): what its settings ask for."""
    b = dict(EQ_BAND_DEFAULTS, **band)
    kind, q = str(b["type"]), max(float(b["q"]), 1e-3)
    f0 = min(max(float(b["freq"]), 1e-3), 0.49 * rate)
    A = 10.0 ** (float(b["gain"]) / 40.0)
    s = 1j * np.asarray(f, dtype=float) / f0
    s2 = s * s
    if kind == "peaking":
        h = (s2 + s * A / q + 1) / (s2 + s / (A * q) + 1)
    elif kind == "low-shelf":
        h = A * (s2 + np.sqrt(A) / q * s + A) / (A * s2 + np.sqrt(A) / q * s + 1)
    elif kind == "high-shelf":
        h = A * (A * s2 + np.sqrt(A) / q * s + 1) / (s2 + np.sqrt(A) / q * s + A)
    elif kind == "tilt-shelf":
        h = (A * s2 + np.sqrt(A) / q * s + 1) / (s2 + np.sqrt(A) / q * s + A)
    elif kind == "band-pass":
        h = (s / q) / (s2 + s / q + 1)
    elif kind == "notch":
        h = (s2 + 1) / (s2 + s / q + 1)
    elif kind in ("low-pass", "high-pass"):
        w2n = np.abs(s) ** (2 * (int(b["slope"]) // 6))
        h = np.sqrt(1 / (1 + w2n) if kind == "low-pass" else w2n / (1 + w2n))
    else:  # all-pass
        h = np.ones_like(s)
    return 20.0 * np.log10(np.maximum(np.abs(h), 1e-15))


def eq_prototype_db(bands, f, rate, route="mid"):
    """Sum of the enabled bands' prototypes that act on the mid (or the side) of a
    stereo signal: bands on channels all and mid (or side). None when a band works on
    left or right only (then mid and side are not filtered on their own)."""
    total = np.zeros(np.shape(f))
    for band in bands:
        b = dict(EQ_BAND_DEFAULTS, **band)
        if str(b["enabled"]).lower() in ("false", "0", "no"):
            continue
        ch = str(b["channels"])
        if ch in ("left", "right"):
            return None
        if ch in ("all", route):
            total = total + eq_band_prototype_db(b, f, rate)
    return total


def impulse_power(h, rate, f):
    """|H|^2 of an impulse response h, interpolated at the frequencies f."""
    H = np.abs(np.fft.rfft(h)) ** 2
    return np.interp(f, np.fft.rfftfreq(h.size, 1.0 / rate), H)


def third_octaves(f_lo=25.0, f_hi=20000.0):
    """Nominal-ish third-octave centres (base-2) from f_lo to f_hi and their edges."""
    k = np.arange(np.ceil(3 * np.log2(f_lo / 1000.0)), np.floor(3 * np.log2(f_hi / 1000.0)) + 1)
    fc = 1000.0 * 2.0 ** (k / 3.0)
    return fc, fc * 2.0 ** (-1 / 6), fc * 2.0 ** (1 / 6)


# ---------------------------------------------------------------------------- dynamics

def compressor_curve_db(level_db, threshold, ratio, knee):
    """The static gain change (dB, <= 0) of mixcomp's curve at level_db: the quadratic
    soft knee of Giannoulis, Massberg, Reiss, "Digital Dynamic Range Compressor Design -
    A Tutorial and Analysis", JAES 60(6), 2012 (as dsp/dynamics.h): no change below
    threshold - knee/2, (1/ratio - 1)(level - threshold) above threshold + knee/2."""
    x = np.asarray(level_db, dtype=float)
    over = x - float(threshold)
    slope = 1.0 / float(ratio) - 1.0
    knee = float(knee)
    g = np.where(2.0 * over > knee, slope * over, 0.0)
    if knee > 0.0:
        inside = np.abs(2.0 * over) <= knee
        g = np.where(inside, slope * (over + knee / 2.0) ** 2 / (2.0 * knee), g)
    return g


# ---------------------------------------------------------------------------- analysis

def analyze(x, rate, lf_hz=120.0, interval_s=0.1):
    m, s = mid_side(x)
    t, wc, ws, active = windowed(x, rate, interval_s)
    lf_side = band_power(s, rate, 0.0, lf_hz)
    lf_mid = band_power(m, rate, 0.0, lf_hz)
    # two octaves above the crossover: clear of its slope (an LR4 is -0.02 dB there)
    hf_side = band_power(s, rate, 4.0 * lf_hz, rate / 2.0 + 1.0)
    hf_mid = band_power(m, rate, 4.0 * lf_hz, rate / 2.0 + 1.0)
    return {
        "frames": int(x.shape[0]),
        "seconds": x.shape[0] / rate,
        "finite": bool(np.all(np.isfinite(x))),
        "gated_rms_dbfs": gated_rms_dbfs(x, rate),
        "sample_peak_dbfs": sample_peak_dbfs(x),
        "true_peak_dbtp": true_peak_dbtp(x),
        "correlation": correlation(x),
        "correlation_windows_mean": float(np.mean(wc[active])) if np.any(active) else 0.0,
        "side_to_mid_db": side_to_mid_db(x),
        "side_to_mid_windows_mean_db": float(np.mean(ws[active])) if np.any(active) else 0.0,
        "lf_side_dbfs": db_power(lf_side),
        "lf_side_to_mid_db": db_power(lf_side) - db_power(lf_mid),
        "sub_side_dbfs": db_power(band_power(s, rate, 0.0, lf_hz / 2.0)),
        "hf_side_to_mid_db": db_power(hf_side) - db_power(hf_mid),
        "_windows": {"t": t, "correlation": wc, "side_to_mid": ws},
    }


def summarize_messages(msgs, field):
    vals = [m[field] for m in msgs if isinstance(m.get(field), (int, float))]
    if not vals:
        return None
    return {"n": len(vals), "mean": float(np.mean(vals)), "min": float(np.min(vals)),
            "max": float(np.max(vals))}


# ---------------------------------------------------------------------------- output

def _fmt(v, unit_width=8, digits=2):
    if v is None:
        return "n/a".rjust(unit_width)
    if isinstance(v, float) and math.isinf(v):
        return ("-inf" if v < 0 else "inf").rjust(unit_width)
    return f"{v:{unit_width}.{digits}f}"


def table(before, after, meters=None, lf_hz=120.0):
    """Returns the before/after report as text. meters: {"before": {field: summary},
    "after": {...}} from the element's own messages (summaries from summarize_messages)."""
    rows = [
        ("level, gated RMS (dBFS)", "gated_rms_dbfs", 2),
        ("sample peak (dBFS)", "sample_peak_dbfs", 2),
        ("true peak, 4x oversampled (dBTP)", "true_peak_dbtp", 2),
        ("correlation, whole file", "correlation", 3),
        ("correlation, mean of 100 ms", "correlation_windows_mean", 3),
        ("side-to-mid, whole file (dB)", "side_to_mid_db", 2),
        ("side-to-mid, mean of 100 ms (dB)", "side_to_mid_windows_mean_db", 2),
        (f"side-to-mid above {4 * lf_hz:g} Hz (dB)", "hf_side_to_mid_db", 2),
        (f"side below {lf_hz:g} Hz (dBFS)", "lf_side_dbfs", 2),
        (f"side below {lf_hz / 2:g} Hz (dBFS)", "sub_side_dbfs", 2),
        (f"side-to-mid below {lf_hz:g} Hz (dB)", "lf_side_to_mid_db", 2),
    ]
    w0 = 40
    out = []
    head = f"{'measured from the WAV files (numpy)':<{w0}} {'before':>8} {'after':>8} {'change':>8}"
    out.append(head)
    out.append("-" * len(head))
    for label, key, d in rows:
        b, a = before[key], after[key]
        ch = a - b if all(math.isfinite(v) for v in (a, b)) else None
        out.append(f"{label:<{w0}} {_fmt(b, 8, d)} {_fmt(a, 8, d)} "
                   f"{_fmt(ch, 8, d) if ch is None else f'{ch:+8.{d}f}'}")
    if meters:
        out.append("")
        head2 = (f"{'from the stereowidth element messages':<{w0}} {'before':>8} {'after':>8}"
                 f" {'change':>8}")
        out.append(head2)
        out.append("-" * len(head2))
        fields = []
        for side in ("before", "after"):
            for f in (meters.get(side) or {}):
                if f not in fields:
                    fields.append(f)
        for f in fields:
            sb = (meters.get("before") or {}).get(f)
            sa = (meters.get("after") or {}).get(f)
            for stat in ("mean", "min", "max"):
                b = sb[stat] if sb else None
                a = sa[stat] if sa else None
                ch = a - b if (a is not None and b is not None) else None
                label = f"{f}, {stat} of messages"
                out.append(f"{label:<{w0}} {_fmt(b, 8, 3)} {_fmt(a, 8, 3)} "
                           f"{'' if ch is None else f'{ch:+8.3f}'}")
        n = [s[next(iter(s))]["n"] for s in (meters.get("before"), meters.get("after")) if s]
        if n:
            out.append(f"({' / '.join(str(k) for k in n)} messages)")
    return "\n".join(out)


def write_json(path, data):
    def clean(o):
        if isinstance(o, dict):
            return {k: clean(v) for k, v in o.items() if not k.startswith("_")}
        if isinstance(o, (list, tuple)):
            return [clean(v) for v in o]
        if isinstance(o, float) and not math.isfinite(o):
            return None
        if isinstance(o, (np.floating, np.integer)):
            return clean(o.item())
        return o
    with open(path, "w") as f:
        json.dump(clean(data), f, indent=2, sort_keys=True)
        f.write("\n")


def plot(path, before_x, after_x, rate, before, after, messages=None, lf_hz=120.0,
         title="gst-mixmaster main job", eq=None, comp=None, limiter=None, duck=None):
    """Side spectrum before/after, correlation over time and, when eq is given, the
    master EQ curve; when comp is given, the compressor's gain reduction over time.
    Returns None on success or a reason string when matplotlib is not
    available. eq: {"label", "f", "mid_db", "side_db" (or None), "settings_db" (or None),
    "points": (centres, measured dB), "name"} as main_job.eq_analysis() returns it.
    comp: {"name", "label", "messages": [(t, dB)], "curve": (t, dB) or absent} as
    main_job.comp_analysis() returns it; limiter likewise (main_job.limit_analysis()),
    its gain reduction in a panel of its own; duck likewise (main_job.duck_analysis():
    the mix stage's ducker, on the music bus)."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as e:
        return f"matplotlib not available ({e}); install python3-matplotlib for plots"
    ratios = [1, 0.8] + ([1] if eq else []) + ([0.7] if comp else []) + (
        [0.7] if limiter else []) + ([0.7] if duck else [])
    fig, axes = plt.subplots(len(ratios), 1, figsize=(10, 3.9 + 3.8 * sum(ratios[1:])),
                             gridspec_kw={"height_ratios": ratios})
    ax1, ax2 = axes[0], axes[1]
    ax3 = axes[2] if eq else None
    ax4 = axes[2 + bool(eq)] if comp else None
    ax5 = axes[2 + bool(eq) + bool(comp)] if limiter else None
    ax6 = axes[-1] if duck else None
    for x, label, style in ((before_x, "side before", "C0"), (after_x, "side after", "C3")):
        _, s = mid_side(x)
        f, p = average_spectrum_db(s, rate)
        ax1.semilogx(f[1:], p[1:], style, lw=1, label=label)
    m, _ = mid_side(before_x)
    f, p = average_spectrum_db(m, rate)
    ax1.semilogx(f[1:], p[1:], color="0.6", lw=0.8, label="mid before")
    ax1.axvline(lf_hz, color="k", ls="--", lw=0.8)
    ax1.text(lf_hz * 1.05, ax1.get_ylim()[1] - 10, f"{lf_hz:g} Hz", fontsize=8)
    ax1.set_xlim(20, rate / 2)
    ax1.set_xlabel("frequency (Hz)")
    ax1.set_ylabel("power density (dB)")
    ax1.set_title("side (L-R)/2 spectrum: bass mono below the crossover, wider above")
    ax1.grid(True, which="both", alpha=0.3)
    ax1.legend(loc="lower left", fontsize=8)
    for a, label, style in ((before, "before (numpy)", "C0"), (after, "after (numpy)", "C3")):
        w = a["_windows"]
        ax2.plot(w["t"], w["correlation"], style, lw=1, label=label)
    for key, style, label in (("before", "C0.", "before (element)"),
                              ("after", "C3.", "after (element)")):
        msgs = (messages or {}).get(key) or []
        pts = [(m["t"], m["correlation"]) for m in msgs
               if isinstance(m.get("t"), float) and isinstance(m.get("correlation"), float)]
        if pts:
            t, c = zip(*pts)
            ax2.plot(t, c, style, ms=3, label=label)
    ax2.set_ylim(-1.05, 1.05)
    ax2.set_xlabel("time (s)")
    ax2.set_ylabel("correlation")
    ax2.set_title("phase correlation per 100 ms")
    ax2.grid(True, alpha=0.3)
    ax2.legend(loc="lower right", fontsize=8, ncol=2)
    if eq:
        plot_eq(ax3, eq, rate)
    if comp:
        plot_comp(ax4, comp, xlim=ax2.get_xlim())
    if limiter:
        plot_comp(ax5, limiter, xlim=ax2.get_xlim(), what="limiter")
    if duck:
        plot_comp(ax6, duck, xlim=ax2.get_xlim(), what="mix stage: music bus ducker")
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return None


def plot_eq(ax, eq, rate):
    """The master EQ curve: the element's own response (its impulse response), what the
    settings ask for (analog prototypes), and the change measured on the mix."""
    f = eq["f"]
    if eq.get("settings_db") is not None:
        ax.semilogx(f, eq["settings_db"], "k--", lw=0.9, zorder=3,
                    label="settings (analog prototypes)")
    ax.semilogx(f, eq["mid_db"], "C2", lw=2.0, label=f"{eq['name']}: element response (mid)")
    if eq.get("side_db") is not None and np.max(np.abs(eq["side_db"] - eq["mid_db"])) > 0.01:
        ax.semilogx(f, eq["side_db"], "C4", lw=1.4, label=f"{eq['name']}: element response (side)")
    pts = eq.get("points")
    if pts is not None and len(pts[0]):
        ax.semilogx(pts[0], pts[1], "C3o", ms=4,
                    label="measured on the mix: mid out/in per third octave")
    ax.axhline(0.0, color="k", lw=0.6)
    lo = min(-3.0, float(np.min(eq["mid_db"][f >= 20.0])) if np.any(f >= 20.0) else -3.0)
    hi = max(3.0, float(np.max(eq["mid_db"])) + 0.5)
    ax.set_ylim(max(lo - 0.5, -12.0), hi)
    ax.set_xlim(10, rate / 2)
    ax.set_xlabel("frequency (Hz)")
    ax.set_ylabel("gain (dB)")
    ax.set_title(f"master EQ curve: {eq['label']}", fontsize=10)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(loc="lower right", fontsize=8)


def plot_comp(ax, comp, xlim=None, what="glue compressor"):
    """The compressor's (or limiter's) gain reduction over time: what it applied to the
    audio (its input over its output, the largest per 10 ms) and its own meter
    messages."""
    curve = comp.get("curve")
    if curve is not None:
        ax.plot(curve[0], curve[1], "C0", lw=0.9,
                label="applied to the audio (its input / output), max per 10 ms")
    if comp.get("messages"):
        t, g = zip(*comp["messages"])
        ax.plot(t, g, "C3.", ms=3.5, label=f"{comp['name']}: element messages, max per interval")
    # reduction grows downwards, like a gain-reduction meter; room below for the legend
    top = max(1.0, float((comp.get("meter") or {}).get("max") or 0.0))
    if curve is not None and np.any(np.isfinite(curve[1])):
        top = max(top, float(np.nanmax(curve[1])))
    ax.set_ylim(1.45 * top, -0.1 * top)
    if xlim is not None:
        ax.set_xlim(*xlim)
    ax.set_xlabel("time (s)")
    ax.set_ylabel("gain reduction (dB)")
    ax.set_title(f"{what}: {comp['label']}", fontsize=10)
    ax.grid(True, alpha=0.3)
    ax.legend(loc="lower right", fontsize=8)
