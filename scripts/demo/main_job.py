#!/usr/bin/python3
"""gst-mixmaster main job: synthesize demo stems, mix them with the music ducked under the
lead (sidechainduck), master the mix through the plugin's elements with GStreamer (Python
GI), and print a before/after report.

Usage: main_job.py [OUTDIR] [--seconds S] [--no-espeak] [--no-plot]
OUTDIR defaults to $MIXMASTER_OUT or out/main-job. Needs the plugin on GST_PLUGIN_PATH
(scripts/main-job.sh sets it to build/gst).

Writes into OUTDIR: stems/*.wav, demo-mix.wav (the mix stage's output: drums + bass + pad
ducked under the lead, plus the lead; the master chain's input), demo-master.wav (32-bit
float), stages/mix-1-music-bus.wav and stages/mix-2-duck.wav (the music bus into and out
of the ducker), stages/NN-NAME.wav (what each master stage but the last put out in the
chain, 32-bit float: the stages are measured on their own input and output), report.txt,
report.json and, when matplotlib is installed, demo-report.png.
Exit status: 0 when the chain ran and every check passed, 1 when a check failed,
2 when the chain could not run.
"""

import argparse
import math
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import gi  # noqa: E402
import numpy as np  # noqa: E402

gi.require_version("Gst", "1.0")
from gi.repository import Gst  # noqa: E402

import chain  # noqa: E402
import generate  # noqa: E402
import report  # noqa: E402
import wavio  # noqa: E402

TIME_FIELDS = {"timestamp", "stream-time", "running-time", "duration", "endtime", "t"}
LF_HZ = 120.0


def meter_summaries(msgs):
    fields = []
    for m in msgs:
        for k, v in m.items():
            if k not in TIME_FIELDS and isinstance(v, float) and k not in fields:
                fields.append(k)
    return {f: report.summarize_messages(msgs, f) for f in fields}


# ---------------------------------------------------------------- mix stage (sidechainduck)

DUCK_GR_TOL_DB = 0.01       # the ducker may read this much past its depth (float gains)
DUCK_APPLIED_TOL_DB = 1.0   # music bus out/in while the lead sings vs the meter there
DUCK_METER_TOL_DB = 0.05    # the element's meter vs the reduction applied to the audio
DUCK_SETTLE_RELEASES = 5.0  # "lead silent": below threshold for hold + 5 releases


def key_as_detected(lead, rate, hpf, lpf):
    """The key as sidechainduck's detector sees it: the channels summed, through 12 dB/
    octave Butterworth high- and low-pass magnitudes (zero phase here: for levels)."""
    key = np.sum(lead, axis=1)

    def response(f):
        h = np.ones_like(f)
        if hpf > 0:
            h = h * generate.highpass(hpf, 2)(f)
        if lpf > 0:
            h = h * generate.lowpass(lpf, 2)(f)
        return h
    return generate.fft_filter(key, rate, response) if (hpf > 0 or lpf > 0) else key


def lead_level_db(lead, rate):
    """The lead's level as the ducker's key detector sees it (plain mean square in dB,
    as the detector's threshold: a full-scale sine on one channel reads -3 dB), gated
    like report.gated_rms_dbfs: its level while it sings."""
    p = chain.MIX_DUCK
    key = key_as_detected(lead, rate, float(p["key-hpf"]), float(p["key-lpf"]))
    return report.gated_rms_dbfs(key[:, None], rate)


def duck_analysis(stage, music, ducked, mix, lead, stem_frames, rate, msgs, lead_db):
    """Measures the mix stage's ducker on its own input (the music bus, tapped before
    it) and output (tapped after it), against its `gain-reduction` messages: the gain
    it applied to every frame (output over input, the largest reduction across
    channels), and, per meter interval (100 ms), the music bus's energy in and out and
    the key's level as its detector sees it. Intervals where the key is over the
    threshold are "lead sings"; those where it has been under it for hold + 5 releases
    (the dip released to < 0.05 dB) are "lead silent"; the rest are release tails."""
    p = dict(stage.props)
    depth, thr = float(p["depth"]), float(p["threshold"])
    out = {"name": stage.name, "stage": stage, "label": stage.what, "props": p,
           "depth": depth, "threshold": thr, "lead_level_db": lead_db,
           "meter": report.summarize_messages(msgs, "gain-reduction"),
           "messages": [(m["t"], m["gain-reduction"]) for m in msgs
                        if isinstance(m.get("t"), float)
                        and isinstance(m.get("gain-reduction"), float)],
           "frames": {"stems": stem_frames, "music_bus": int(music.shape[0]),
                      "ducked": int(ducked.shape[0]), "mix": int(mix.shape[0])}}
    if music.shape != ducked.shape:
        out["why_not_measured"] = "the ducked bus is not as long as the music bus"
        return out
    out["finite"] = bool(np.all(np.isfinite(ducked)) and np.all(np.isfinite(mix)))
    gr = _applied_reduction_db(music, ducked, 0.0)
    valid = np.isfinite(gr)
    out["applied_max_db"] = float(np.max(gr[valid])) if np.any(valid) else None
    out["curve"] = _reduction_curve(gr, rate)
    _meter_vs_audio(out, msgs, gr, rate, 0)

    key = key_as_detected(lead, rate, float(p["key-hpf"]), float(p["key-lpf"]))
    rows = []
    for m in msgs:
        t0, dur = m.get("stream-time"), m.get("duration")
        if not isinstance(t0, int) or not isinstance(dur, int):
            continue
        a = int(round(t0 * rate / 1e9))
        b = min(a + int(round(dur * rate / 1e9)), music.shape[0])
        if b <= a:
            continue
        rows.append((a, b, float(np.sum(music[a:b] ** 2)), float(np.sum(ducked[a:b] ** 2)),
                     report.db_power(np.mean(key[a:b] ** 2)), m["gain-reduction"]))
    if not rows:
        out["why_not_measured"] = "no meter intervals with times"
        return out
    a, b, e_in, e_out, key_db, meter = (np.array(c) for c in zip(*rows))
    sings = key_db >= thr
    settle = int(round((float(p["hold"]) + DUCK_SETTLE_RELEASES * float(p["release"]))
                       * rate / 1000.0))
    # the last frame of an interval where the lead sang, carried forward
    last_sung = np.maximum.accumulate(np.where(sings, b, -10 ** 12))
    silent = ~sings & (a - last_sung >= settle)
    n_ch = music.shape[1]

    def part(sel):
        if not np.any(sel) or np.sum(e_in[sel]) <= 0:
            return None
        frames = float(np.sum(b[sel] - a[sel])) * n_ch
        return {"n": int(np.sum(sel)),
                "in_dbfs": report.db_power(np.sum(e_in[sel]) / frames),
                "out_dbfs": report.db_power(np.sum(e_out[sel]) / frames),
                "applied_db": report.db_power(np.sum(e_out[sel]) / np.sum(e_in[sel])),
                "meter_mean_db": float(np.mean(meter[sel])),
                "meter_max_db": float(np.max(meter[sel]))}
    out["sings"], out["silent"] = part(sings), part(silent)
    out["tails"] = int(np.sum(~sings & ~silent))
    return out


def duck_table(duck, premix_level, premix_peak, mix_level, mix_peak):
    """The mix stage section of the report."""
    st, p = duck["stage"], duck["props"]
    lines = [f"mix stage ({st.factory} '{duck['name']}'): the music bus ("
             f"{' + '.join(chain.MIX_MUSIC)}) ducked under the {chain.MIX_KEY}, plus the "
             f"{chain.MIX_KEY}: demo-mix.wav",
             f"  {duck['label']}",
             f"  (threshold: the {chain.MIX_KEY}'s level as the key detector sees it, "
             f"{duck['lead_level_db']:.2f} dB gated RMS of L+R, {p['key-hpf']:g} Hz - "
             f"{p['key-lpf'] / 1000:g} kHz, minus {chain.MIX_DUCK_BELOW_LEAD_DB:g} dB, "
             f"rounded)"]
    fr = duck["frames"]
    lines.append(f"frames: stems {fr['stems']}, music bus {fr['music_bus']}, ducked bus "
                 f"{fr['ducked']}, mix {fr['mix']}")
    mt = duck["meter"]
    if mt:
        lines.append(f"gain reduction from its {mt['n']} messages (largest per interval): "
                     f"mean {mt['mean']:.2f} dB, max {mt['max']:.3f} dB (depth "
                     f"{duck['depth']:g} dB)")
    if duck.get("applied_max_db") is not None:
        lines.append(f"gain reduction applied to the music bus (its input vs output, per "
                     f"frame): max {duck['applied_max_db']:.4f} dB")
    if "meter_vs_audio_db" in duck:
        lines.append(f"its messages vs the largest reduction applied in their intervals: "
                     f"max {duck['meter_vs_audio_db']:.4f} dB off "
                     f"({duck['meter_vs_audio_n']} intervals)")
    s, q = duck.get("sings"), duck.get("silent")
    if s:
        w0 = 44
        head = f"{'music bus, 100 ms intervals':<{w0}} {'lead sings':>11} {'lead silent':>11}"
        lines += ["", head, "-" * len(head)]

        def row(label, key, fmt):
            vals = [fmt.format(x[key]) if x else "n/a" for x in (s, q)]
            lines.append(f"{label:<{w0}} {vals[0]:>11} {vals[1]:>11}")
        row("intervals", "n", "{:d}")
        row("level into the ducker (dBFS)", "in_dbfs", "{:.2f}")
        row("level out of it (dBFS)", "out_dbfs", "{:.2f}")
        row("gain applied, out / in energy (dB)", "applied_db", "{:+.2f}")
        row("its meter there, mean (dB of reduction)", "meter_mean_db", "{:.2f}")
        row("its meter there, max (dB of reduction)", "meter_max_db", "{:.2f}")
        if q:
            d_in = s["in_dbfs"] - q["in_dbfs"]
            d_out = s["out_dbfs"] - q["out_dbfs"]
            lines.append(f"music bus while the {chain.MIX_KEY} sings vs while it is silent: "
                         f"{d_in:+.2f} dB into the ducker, {d_out:+.2f} dB out of it: "
                         f"{d_out - d_in:+.2f} dB")
        lines.append(f"(lead sings: its key over the threshold in the interval; silent: "
                     f"under it for hold + {DUCK_SETTLE_RELEASES:g} releases; "
                     f"{duck['tails']} intervals of release tails in neither)")
    lines.append(f"mix vs the plain sum of the stems (no ducking): gated RMS "
                 f"{mix_level:.2f} vs {premix_level:.2f} dBFS ({mix_level - premix_level:+.2f}"
                 f" dB), sample peak {mix_peak:.2f} vs {premix_peak:.2f} dBFS")
    if duck.get("why_not_measured"):
        lines.append(f"(not measured on the audio: {duck['why_not_measured']})")
    return "\n".join(lines)


def duck_checks(duck, check):
    if duck is None:
        return
    name, depth = duck["name"], duck["depth"]
    fr = duck["frames"]
    check(f"{name}: mix as long as the stems",
          fr["mix"] == fr["stems"] and fr["music_bus"] == fr["stems"]
          and fr["ducked"] == fr["stems"],
          f"stems {fr['stems']}, music bus {fr['music_bus']}, ducked {fr['ducked']}, "
          f"mix {fr['mix']} frames")
    if "finite" in duck:
        check(f"{name}: finite output", duck["finite"], "no NaN/Inf in the ducked bus or the mix")
    mt = duck["meter"]
    lo, hi = 0.5 * depth, depth + DUCK_GR_TOL_DB
    if mt is None:
        check(f"{name}: gain-reduction messages", False, "none received")
    else:
        check(f"{name}: gain reduction {lo:g}-{hi:g} dB", lo <= mt["max"] <= hi,
              f"messages: max {mt['max']:.3f} dB, mean {mt['mean']:.2f} dB (depth "
              f"{depth:g}: want a max of 0.5 x depth to depth + {DUCK_GR_TOL_DB:g})")
    s = duck.get("sings")
    if s is None:
        check(f"{name}: music bus dips under the lead", False,
              duck.get("why_not_measured") or "no interval where the lead sings")
    else:
        d = -s["applied_db"] - s["meter_mean_db"]
        check(f"{name}: music bus dips under the lead", abs(d) <= DUCK_APPLIED_TOL_DB,
              f"{s['n']} intervals where it sings: out/in {s['applied_db']:+.2f} dB, its "
              f"meter there {s['meter_mean_db']:.2f} dB (mean; max {s['meter_max_db']:.2f}):"
              f" {d:+.2f} dB off (want +- {DUCK_APPLIED_TOL_DB:g})")
    if duck.get("applied_max_db") is not None:
        ok = duck["applied_max_db"] <= depth + DUCK_GR_TOL_DB and (
            mt is None or mt["max"] <= depth + DUCK_GR_TOL_DB)
        check(f"{name}: never past its depth", ok,
              f"largest reduction applied to a frame {duck['applied_max_db']:.4f} dB, in its "
              f"messages {mt['max'] if mt else float('nan'):.4f} dB (depth {depth:g}, want "
              f"<= {depth + DUCK_GR_TOL_DB:g})")
    if "meter_vs_audio_db" in duck:
        d = duck["meter_vs_audio_db"]
        check(f"{name}: meter = gain applied", d <= DUCK_METER_TOL_DB,
              f"{duck['meter_vs_audio_n']} intervals: messages vs the audio's largest "
              f"reduction, max {d:.4f} dB off (want <= {DUCK_METER_TOL_DB:g})")


# ---------------------------------------------------------------- master EQ (mixeq)

EQ_TOL_SETTINGS_DB = 0.25   # a band's region on the mix vs what the settings ask for
EQ_TOL_CURVE_DB = 0.1       # third octaves on the mix vs the element's own response
EQ_TOL_PROTOTYPE_DB = 0.5   # the element's response vs the settings, 20 Hz - 20 kHz


def eq_bands(stage):
    """A mixeq stage's bands as dicts, from its "num-bands" and "bandN::prop" props."""
    n = int(stage.props.get("num-bands", 4))
    bands = [{} for _ in range(n)]
    for key, v in stage.props.items():
        child, sep, prop = key.partition("::")
        if sep and child.startswith("band") and child[4:].isdigit() and int(child[4:]) < n:
            bands[int(child[4:])][prop] = v
    return bands


def _band_region(band, rate):
    """Where a band's effect shows, for the report: (label, lo Hz, hi Hz) or None."""
    b = dict(report.EQ_BAND_DEFAULTS, **band)
    kind, f0 = str(b["type"]), min(float(b["freq"]), 0.49 * rate)
    top = min(20000.0, 0.45 * rate)
    name = f"{f0 / 1000:g} kHz" if f0 >= 1000 else f"{f0:g} Hz"
    if kind == "high-pass":
        return f"high-pass {name} {int(b['slope'])} dB/oct: below {name}", 0.0, f0
    if kind == "low-pass":
        return f"low-pass {name}: {name} - {top / 1000:g} kHz", f0, top
    if kind == "low-shelf":
        return (f"low-shelf {name} {float(b['gain']):+g} dB: {f0 / 2.5:.0f}-{f0 / 1.25:.0f} Hz",
                f0 / 2.5, f0 / 1.25)
    if kind == "high-shelf" and 1.25 * f0 < top:
        return (f"high-shelf {name} {float(b['gain']):+g} dB: "
                f"{1.25 * f0 / 1000:g}-{top / 1000:g} kHz", 1.25 * f0, top)
    if kind in ("peaking", "notch", "band-pass"):
        g = f" {float(b['gain']):+g} dB" if kind == "peaking" else ""
        return (f"{'bell' if kind == 'peaking' else kind} {name}{g}: third octave",
                f0 * 2 ** (-1 / 6), f0 * 2 ** (1 / 6))
    return None


def eq_analysis(stages, x_in, x_out, rate, stage_out=None):
    """Measures the (first) mixeq stage: its response from an impulse through the element
    (set up as in the chain), what its settings ask for, and the change it made to the
    mix. The change on the mix is measured on the mid, (L+R)/2: on what the EQ put out in
    the chain when stage_out ({stage name: array}, the chain's taps) has it, else on the
    chain's output when every later stage leaves the mid's magnitude alone (stereowidth
    with mid-gain 0: its bass-mono all-pass only turns the phase); else "on_mix" is None.
    Its input is the mix when it comes first, else the previous stage's tap (without
    one, "on_mix" is None too). Returns None without a mixeq stage."""
    proc = [st for st in stages if st not in (chain.METER_BEFORE, chain.METER_AFTER)]
    idx = next((i for i, st in enumerate(proc) if st.factory == "mixeq"), None)
    if idx is None:
        return None
    st = proc[idx]
    bands = eq_bands(st)
    h_mid = chain.impulse_response(st, rate, (1.0, 1.0))
    h_side = chain.impulse_response(st, rate, (1.0, -1.0))
    h_mid = 0.5 * (h_mid[:, 0] + h_mid[:, 1])
    h_side = 0.5 * (h_side[:, 0] - h_side[:, 1])
    f = np.geomspace(10.0, rate / 2.0, 600)
    mid_db = 10 * np.log10(np.maximum(report.impulse_power(h_mid, rate, f), 1e-30))
    side_db = 10 * np.log10(np.maximum(report.impulse_power(h_side, rate, f), 1e-30))
    settings_db = report.eq_prototype_db(bands, f, rate, "mid")
    out = {"name": st.name, "stage": st, "bands": bands, "f": f, "mid_db": mid_db,
           "side_db": side_db, "settings_db": settings_db, "points": None, "on_mix": None,
           "label": st.what or st.factory}
    audio = (f >= 20.0) & (f <= min(20000.0, 0.49 * rate))
    if settings_db is not None:
        keep = audio & (settings_db > -40.0)
        out["curve_vs_settings_db"] = float(np.max(np.abs(mid_db - settings_db)[keep]))

    # stages after the EQ that change the mid's magnitude spectrum
    changers = [s for s in proc[idx + 1:]
                if not (s.factory == "stereowidth"
                        and float(s.props.get("mid-gain", 0.0)) == 0.0)]
    x_eq = (stage_out or {}).get(st.name)
    if x_eq is not None:
        changers, x_out = [], x_eq
        out["measured_on"] = f"the EQ's own output in the chain (tap after '{st.name}')"
    # what goes into the EQ: the mix, or what the stage before it put out
    untapped_before = False
    if idx > 0:
        x_prev = (stage_out or {}).get(proc[idx - 1].name)
        if x_prev is not None:
            x_in = x_prev
        else:
            untapped_before = True
    m_in, s_in = report.mid_side(x_in)
    spec_in = report.Spectrum(m_in, rate)
    h2_mid = report.impulse_power(h_mid, rate, spec_in.f)
    side_in = report.Spectrum(s_in, rate)
    h2_side = report.impulse_power(h_side, rate, side_in.f)
    # what the EQ alone does to side-to-mid above 4 x LF_HZ (for the width check)
    lo, hi = 4.0 * LF_HZ, rate / 2.0 + 1.0
    out["hf_side_to_mid_change_db"] = (
        report.db_power(side_in.power(lo, hi, h2_side)) - report.db_power(side_in.power(lo, hi))
        - report.db_power(spec_in.power(lo, hi, h2_mid)) + report.db_power(spec_in.power(lo, hi)))
    if changers:
        out["why_not_on_mix"] = ("later stages change the mid: "
                                 + ", ".join(f"{s.factory} '{s.name}'" for s in changers))
        return out
    if untapped_before:
        out["why_not_on_mix"] = (f"its input, the output of {proc[idx - 1].factory} "
                                 f"'{proc[idx - 1].name}', was not written")
        return out
    m_out, _ = report.mid_side(x_out)
    spec_out = report.Spectrum(m_out, rate)
    h2_set = (10 ** (report.eq_prototype_db(bands, spec_in.f, rate, "mid") / 10)
              if settings_db is not None else None)
    floor = max(spec_in.power(a, b) for _, a, b in zip(*report.third_octaves())) * 1e-6

    def change(a, b):
        pin = spec_in.power(a, b)
        if pin <= floor:
            return None
        return {"measured": report.db_power(spec_out.power(a, b)) - report.db_power(pin),
                "curve": report.db_power(spec_in.power(a, b, h2_mid)) - report.db_power(pin),
                "settings": (report.db_power(spec_in.power(a, b, h2_set))
                             - report.db_power(pin)) if h2_set is not None else None,
                "level_dbfs": report.db_power(pin)}

    rows = []
    for i, band in enumerate(bands):
        reg = _band_region(band, rate)
        if reg is None:
            continue
        label, a, b = reg
        c = change(a, b)
        if c is not None:
            rows.append(dict(c, band=f"band{i}", label=label))
    fc, lo3, hi3 = report.third_octaves(25.0, min(20000.0, 0.45 * rate))
    pts = [(c_, change(a, b)) for c_, a, b in zip(fc, lo3, hi3)]
    pts = [(c_, ch) for c_, ch in pts if ch is not None]
    out["rows"] = rows
    out["points"] = (np.array([p[0] for p in pts]), np.array([p[1]["measured"] for p in pts]))
    out["thirds_vs_curve_db"] = max(abs(p[1]["measured"] - p[1]["curve"]) for p in pts)
    out["on_mix"] = True
    return out


def eq_table(eq):
    """The master EQ section of the report."""
    lines = [f"master EQ ({eq['stage'].factory} '{eq['name']}', {len(eq['bands'])} bands):",
             f"  {eq['label']}"]
    if "curve_vs_settings_db" in eq:
        lines.append(f"element response vs settings, 20 Hz - 20 kHz: largest difference "
                     f"{eq['curve_vs_settings_db']:.3f} dB")
    if not eq.get("on_mix"):
        lines.append(f"(not measured on the mix: {eq.get('why_not_on_mix', 'n/a')})")
        return "\n".join(lines)
    if eq.get("measured_on"):
        lines.append(f"on mix = measured on {eq['measured_on']}")
    w0 = 44
    head = (f"{'mid (L+R)/2, output vs input':<{w0}} {'settings':>8} {'element':>8} "
            f"{'on mix':>8}")
    lines += ["", head, "-" * len(head)]
    for r in eq["rows"]:
        st = "n/a" if r["settings"] is None else f"{r['settings']:+8.2f}"
        lines.append(f"{r['band'] + ' ' + r['label']:<{w0}} {st:>8} {r['curve']:+8.2f} "
                     f"{r['measured']:+8.2f}")
    lines.append("(the whole EQ's change in dB over each band's region of the input spectrum:"
                 "\n what the settings ask for (analog prototypes), what the element's impulse"
                 "\n response predicts, and what the chain did to the demo mix)")
    return "\n".join(lines)


def eq_checks(eq, check):
    if eq is None:
        return
    if "curve_vs_settings_db" in eq:
        d = eq["curve_vs_settings_db"]
        check("EQ response follows its settings", d <= EQ_TOL_PROTOTYPE_DB,
              f"element vs analog prototypes, 20 Hz-20 kHz: max {d:.3f} dB "
              f"(want <= {EQ_TOL_PROTOTYPE_DB:g})")
    if not eq.get("on_mix"):
        return
    for r in eq["rows"]:
        if r["settings"] is None:
            continue
        d = r["measured"] - r["settings"]
        check(f"EQ {r['band']} {r['label'].split(':')[0]}", abs(d) <= EQ_TOL_SETTINGS_DB,
              f"mid changed {r['measured']:+.2f} dB, settings ask {r['settings']:+.2f} "
              f"(+- {EQ_TOL_SETTINGS_DB:g})")
    d = eq["thirds_vs_curve_db"]
    check("EQ on the mix = element response", d <= EQ_TOL_CURVE_DB,
          f"{len(eq['points'][0])} third octaves 25 Hz-20 kHz: max {d:.3f} dB off "
          f"(want <= {EQ_TOL_CURVE_DB:g})")

# ---------------------------------------------------------------- glue compressor (mixcomp)

COMP_GR_RANGE_DB = (0.3, 6.0)  # largest gain reduction a glue compressor should show
COMP_LEVEL_TOL_DB = 0.5        # makeup keeps the level: gated RMS out vs in
COMP_METER_TOL_DB = 0.05       # the element's meter vs the reduction applied to the audio
COMP_PLOT_BLOCK_S = 0.01       # the applied reduction is plotted as its max per 10 ms
COMP_DEFAULTS = {"threshold": -18.0, "ratio": 4.0, "knee": 6.0, "attack": 10.0,
                 "release": 150.0, "makeup": 0.0, "auto-makeup": False, "mix": 1.0,
                 "lookahead": 0.0, "interval": 100 * Gst.MSECOND}


_MEMO = {}


def _memo(fn, x, rate):
    """fn(x, rate), computed once per array: a stage's output is the next stage's input,
    measured by both stages' analyses (the array is kept with the result, so its id
    stays its own)."""
    key = (fn.__name__, id(x), rate)
    if key not in _MEMO or _MEMO[key][0] is not x:
        _MEMO[key] = (x, fn(x, rate))
    return _MEMO[key][1]


def _hf_side_to_mid_db(x, rate):
    return _memo(_hf_side_to_mid_db_of, x, rate)


def _ebur128(x, rate):
    return _memo(report.ebur128_measure, x, rate)


def _hf_side_to_mid_db_of(x, rate):
    m, s = report.mid_side(x)
    lo, hi = 4.0 * LF_HZ, rate / 2.0 + 1.0
    return (report.db_power(report.band_power(s, rate, lo, hi))
            - report.db_power(report.band_power(m, rate, lo, hi)))


def _applied_reduction_db(x, y, gain_db):
    """The gain reduction applied to every frame, the largest across channels: the
    input times gain_db over the output (the element keeps the timestamps, so output
    frame k is input frame k times its gain); -inf where the input is near silence."""
    ok = np.abs(x) > 1e-5
    gr = np.full(x.shape, -np.inf)
    gr[ok] = gain_db - 20.0 * np.log10(np.abs(y[ok]) / np.abs(x[ok]))
    return np.max(gr, axis=1)


def _reduction_curve(gr, rate):
    """For the plot: the largest reduction per COMP_PLOT_BLOCK_S, as (end times, dB)."""
    blk = int(round(COMP_PLOT_BLOCK_S * rate))
    n = gr.size // blk
    gmax = np.max(gr[:n * blk].reshape(n, blk), axis=1)
    return ((np.arange(n) + 1) * blk / rate, np.where(np.isfinite(gmax), gmax, np.nan))


def _meter_vs_audio(out, msgs, gr, rate, shift, at_least_zero=False):
    """Each gain-reduction message against the largest reduction applied to the frames
    of its interval (which leave the element `shift` frames earlier on the output's
    time line); the largest difference goes into out."""
    diffs = []
    for m in msgs:
        t0, dur = m.get("stream-time"), m.get("duration")
        if not isinstance(t0, int) or not isinstance(dur, int):
            continue
        a = int(round(t0 * rate / 1e9)) - shift
        b = a + int(round(dur * rate / 1e9))
        seg = gr[max(a, 0):max(b, 0)]
        seg = seg[np.isfinite(seg)]
        if seg.size:
            applied = np.maximum(seg, 0.0) if at_least_zero else seg
            diffs.append(float(np.max(applied)) - m["gain-reduction"])
    if diffs:
        out["meter_vs_audio_db"] = max(abs(d) for d in diffs)
        out["meter_vs_audio_n"] = len(diffs)


def comp_analysis(stages, x_in, x_out, rate, stage_out, messages):
    """Measures the (first) mixcomp stage on its own input and output in the chain (the
    previous stage's tap, or the mix when it comes first; its own tap, or the master when
    it is last): the gain reduction it applied to every sample (input over output, the
    makeup taken out; per channel, the largest across channels), against its own
    `gain-reduction` messages interval by interval; and the level in and out. Returns
    None without a mixcomp stage."""
    proc = [st for st in stages if st not in (chain.METER_BEFORE, chain.METER_AFTER)]
    idx = next((i for i, st in enumerate(proc) if st.factory == "mixcomp"), None)
    if idx is None:
        return None
    st = proc[idx]
    p = dict(COMP_DEFAULTS, **st.props)
    x = x_in if idx == 0 else stage_out.get(proc[idx - 1].name)
    y = x_out if idx == len(proc) - 1 else stage_out.get(st.name)
    msgs = messages.get(st.name) or []
    out = {"name": st.name, "stage": st, "label": st.what or st.factory, "props": p,
           "meter": report.summarize_messages(msgs, "gain-reduction"),
           "messages": [(m["t"], m["gain-reduction"]) for m in msgs
                        if isinstance(m.get("t"), float)
                        and isinstance(m.get("gain-reduction"), float)]}
    if x is None or y is None:
        out["why_not_measured"] = "no tap of its input or output"
        return out
    out["finite"] = bool(np.all(np.isfinite(y)))
    out["level_in_dbfs"] = report.gated_rms_dbfs(x, rate)
    out["level_out_dbfs"] = report.gated_rms_dbfs(y, rate)
    out["hf_side_to_mid_change_db"] = _hf_side_to_mid_db(y, rate) - _hf_side_to_mid_db(x, rate)
    if float(p["mix"]) != 1.0:
        out["why_not_measured"] = f"mix={p['mix']:g}: the output is not the input times a gain"
        return out
    # output frame k is input frame k times the gain (the element keeps the timestamps,
    # with or without lookahead); the gain it computed while reading input frame k is
    # applied to frame k - lookahead
    makeup = float(p["makeup"])
    if p["auto-makeup"]:
        makeup -= float(report.compressor_curve_db(0.0, p["threshold"], p["ratio"], p["knee"]))
    gr = _applied_reduction_db(x, y, makeup)
    valid = np.isfinite(gr)
    out["applied_mean_db"] = float(np.mean(gr[valid])) if np.any(valid) else None
    out["applied_max_db"] = float(np.max(gr[valid])) if np.any(valid) else None
    out["curve"] = _reduction_curve(gr, rate)
    _meter_vs_audio(out, msgs, gr, rate, int(round(float(p["lookahead"]) * rate / 1000.0)))
    return out


def comp_table(comp):
    """The glue compressor section of the report."""
    st = comp["stage"]
    lines = [f"glue compressor ({st.factory} '{comp['name']}'):", f"  {comp['label']}"]
    mt = comp["meter"]
    if mt:
        lines.append(f"gain reduction from its {mt['n']} messages (largest per interval): "
                     f"mean {mt['mean']:.2f} dB, max {mt['max']:.2f} dB")
    if comp.get("applied_max_db") is not None:
        lines.append(f"gain reduction applied to the audio (its input vs output, makeup "
                     f"taken out): mean {comp['applied_mean_db']:.2f} dB, "
                     f"max {comp['applied_max_db']:.2f} dB")
    if "level_in_dbfs" in comp:
        d = comp["level_out_dbfs"] - comp["level_in_dbfs"]
        lines.append(f"level (gated RMS) into it {comp['level_in_dbfs']:.2f} dBFS, out "
                     f"{comp['level_out_dbfs']:.2f} dBFS ({d:+.2f} dB, makeup "
                     f"{float(comp['props']['makeup']):+g} dB included)")
    if comp.get("why_not_measured"):
        lines.append(f"(not measured on the audio: {comp['why_not_measured']})")
    return "\n".join(lines)


def comp_checks(comp, check):
    if comp is None:
        return
    name = comp["name"]
    mt = comp["meter"]
    lo, hi = COMP_GR_RANGE_DB
    if mt is None:
        check(f"{name}: gain-reduction messages", False, "none received")
    else:
        check(f"{name}: gain reduction {lo:g}-{hi:g} dB", lo <= mt["max"] <= hi,
              f"messages: max {mt['max']:.2f} dB, mean {mt['mean']:.2f} dB "
              f"(want a max of {lo:g} to {hi:g} dB)")
    if "finite" in comp:
        check(f"{name}: finite output", comp["finite"], "no NaN/Inf samples out of it")
    if "level_in_dbfs" in comp:
        d = comp["level_out_dbfs"] - comp["level_in_dbfs"]
        check(f"{name}: makeup keeps the level", abs(d) <= COMP_LEVEL_TOL_DB,
              f"gated RMS {d:+.2f} dB through it (want +- {COMP_LEVEL_TOL_DB:g})")
    if "meter_vs_audio_db" in comp:
        d = comp["meter_vs_audio_db"]
        check(f"{name}: meter = gain applied", d <= COMP_METER_TOL_DB,
              f"{comp['meter_vs_audio_n']} intervals: messages vs the audio's largest "
              f"reduction, max {d:.4f} dB off (want <= {COMP_METER_TOL_DB:g})")


# ---------------------------------------------------------------- limiter (masterlimiter)

LIMIT_FINE_TOL_DB = 0.1         # the 16x sinc true peak may read this much over the ceiling
LIMIT_GR_RANGE_DB = (0.1, 12.0)  # largest gain reduction a master limiter should show
LIMIT_METER_TOL_DB = 0.05       # the element's meter vs the reduction applied to the audio
LIMIT_DEFAULTS = {"ceiling": -1.0, "input-gain": 0.0, "lookahead": 5.0, "release": 150.0,
                  "auto-release": True, "true-peak": True, "oversampling": 8,
                  "stereo-link": 1.0, "interval": 100 * Gst.MSECOND}


def _measure_stage(out, x, y, rate):
    """What every level stage's report carries, measured on its own input x and output
    y: frames in and out, finite output, sample and true peaks (16x sinc and
    libebur128, in and out), loudness in and out, the change of level and of high
    side-to-mid. False (with the reason in out) when it cannot be measured."""
    if x is None or y is None:
        out["why_not_measured"] = "no tap of its input or output"
        return False
    out["frames_in"], out["frames_out"] = int(x.shape[0]), int(y.shape[0])
    out["finite"] = bool(np.all(np.isfinite(y)))
    if out["frames_in"] != out["frames_out"]:
        out["why_not_measured"] = "its output is not as long as its input"
        return False
    out["sample_peak_dbfs"] = report.sample_peak_dbfs(y)
    out["true_peak_16x_dbtp"] = report.true_peak_sinc_dbtp(y, 16)
    out["in_true_peak_16x_dbtp"] = report.true_peak_sinc_dbtp(x, 16)
    eb_in, eb_out = _ebur128(x, rate), _ebur128(y, rate)
    if eb_out is not None:
        out["true_peak_ebur128_dbtp"] = eb_out["true_peak_dbtp"]
        out["loudness_out_lufs"] = eb_out["integrated_lufs"]
    if eb_in is not None:
        out["in_true_peak_ebur128_dbtp"] = eb_in["true_peak_dbtp"]
        out["loudness_in_lufs"] = eb_in["integrated_lufs"]
    out["hf_side_to_mid_change_db"] = _hf_side_to_mid_db(y, rate) - _hf_side_to_mid_db(x, rate)
    out["level_change_db"] = report.gated_rms_dbfs(y, rate) - report.gated_rms_dbfs(x, rate)
    return True


def limit_analysis(stages, x_in, x_out, rate, stage_out, messages, latency):
    """Measures the (first) masterlimiter stage on its own input and output in the chain
    (the previous stage's tap, or the mix when it comes first; its own tap, or the master
    when it is last): frames in and out, the output's sample peak and true peak (libebur128,
    4x below 96 kHz, and a 16x windowed sinc), loudness in and out (libebur128), the gain
    reduction applied to every sample (input times input-gain over output, the largest
    across channels) against its `gain-reduction` messages interval by interval (a message
    covers the gain computed while its interval's input was read, applied `latency`
    earlier on the output's time line). Returns None without a masterlimiter stage."""
    proc = [st for st in stages if st not in (chain.METER_BEFORE, chain.METER_AFTER)]
    idx = next((i for i, st in enumerate(proc) if st.factory == "masterlimiter"), None)
    if idx is None:
        return None
    st = proc[idx]
    p = dict(LIMIT_DEFAULTS, **st.props)
    x = x_in if idx == 0 else stage_out.get(proc[idx - 1].name)
    y = x_out if idx == len(proc) - 1 else stage_out.get(st.name)
    msgs = messages.get(st.name) or []
    lat_ns = (latency or {}).get(st.name)
    out = {"name": st.name, "stage": st, "label": st.what or st.factory, "props": p,
           "meter": report.summarize_messages(msgs, "gain-reduction"),
           "messages": [(m["t"], m["gain-reduction"]) for m in msgs
                        if isinstance(m.get("t"), float)
                        and isinstance(m.get("gain-reduction"), float)],
           "latency_ns": lat_ns,
           "latency_frames": None if lat_ns is None else int(round(lat_ns * rate / 1e9))}
    if not _measure_stage(out, x, y, rate):
        return out
    # output frame k is input frame k times input-gain times the gain (the element keeps
    # the timestamps and takes its delay out)
    gr = _applied_reduction_db(x, y, float(p["input-gain"]))
    valid = np.isfinite(gr)
    if np.any(valid):
        out["applied_max_db"] = float(np.max(gr[valid]))
        out["applied_mean_db"] = float(np.mean(np.maximum(gr[valid], 0.0)))
        out["limited_fraction"] = float(np.mean(gr[valid] > 0.01))
    out["curve"] = _reduction_curve(gr, rate)
    if out["latency_frames"] is None:
        out["why_no_meter_match"] = "its latency could not be queried"
        return out
    _meter_vs_audio(out, msgs, gr, rate, out["latency_frames"], at_least_zero=True)
    return out


def limit_table(lim):
    """The limiter section of the report."""
    st, p = lim["stage"], lim["props"]
    lines = [f"limiter ({st.factory} '{lim['name']}'):", f"  {lim['label']}"]
    if lim.get("latency_frames") is not None:
        lines.append(f"latency (its LATENCY query): {lim['latency_frames']} frames, "
                     f"{lim['latency_ns'] / 1e6:.3f} ms; frames in {lim.get('frames_in', 'n/a')}"
                     f", out {lim.get('frames_out', 'n/a')}")
    mt = lim["meter"]
    if mt:
        lines.append(f"gain reduction from its {mt['n']} messages (largest per interval): "
                     f"mean {mt['mean']:.2f} dB, max {mt['max']:.2f} dB")
    if lim.get("applied_max_db") is not None:
        lines.append(f"gain reduction applied to the audio (input x input-gain vs output): "
                     f"max {lim['applied_max_db']:.2f} dB, mean {lim['applied_mean_db']:.2f} dB;"
                     f" {100 * lim['limited_fraction']:.1f} % of the frames limited")
    if "sample_peak_dbfs" in lim:
        c = float(p["ceiling"])
        eb = lim.get("true_peak_ebur128_dbtp")
        ebi = lim.get("in_true_peak_ebur128_dbtp")
        lines.append(f"{'':<34} {'into it':>9} {'out':>9}   ceiling {c:g} dBTP")
        lines.append(f"{'true peak, 16x sinc (dBTP)':<34} "
                     f"{lim['in_true_peak_16x_dbtp']:9.2f} {lim['true_peak_16x_dbtp']:9.3f}")
        if eb is not None:
            lines.append(f"{'true peak, libebur128 4x (dBTP)':<34} {ebi:9.2f} {eb:9.3f}")
        lines.append(f"{'sample peak (dBFS)':<34} {'':>9} {lim['sample_peak_dbfs']:9.3f}")
        if lim.get("loudness_out_lufs") is not None:
            lines.append(f"{'integrated loudness (LUFS)':<34} {lim['loudness_in_lufs']:9.2f} "
                         f"{lim['loudness_out_lufs']:9.2f}   "
                         f"(+{float(p['input-gain']):g} dB of input-gain)")
    for key in ("why_not_measured", "why_no_meter_match"):
        if lim.get(key):
            lines.append(f"({lim[key]})")
    return "\n".join(lines)


def limit_checks(lim, check):
    if lim is None:
        return
    name, p = lim["name"], lim["props"]
    c = float(p["ceiling"])
    if "frames_in" in lim:
        check(f"{name}: same length", lim["frames_in"] == lim["frames_out"],
              f"{lim['frames_in']} frames in, {lim['frames_out']} out "
              f"(latency {lim.get('latency_frames')} frames)")
    if "finite" in lim:
        check(f"{name}: finite output", lim["finite"], "no NaN/Inf samples out of it")
    if "sample_peak_dbfs" in lim:
        check(f"{name}: sample peak <= ceiling", lim["sample_peak_dbfs"] <= c,
              f"{lim['sample_peak_dbfs']:.3f} dBFS (ceiling {c:g})")
        eb = lim.get("true_peak_ebur128_dbtp")
        if eb is None:
            check(f"{name}: true peak <= ceiling (libebur128)", False,
                  "libebur128 could not be loaded (libebur128-1)")
        else:
            check(f"{name}: true peak <= ceiling (libebur128)", eb <= c,
                  f"{eb:.3f} dBTP, 4x (ceiling {c:g})")
        tp = lim["true_peak_16x_dbtp"]
        check(f"{name}: true peak, 16x sinc", tp <= c + LIMIT_FINE_TOL_DB,
              f"{tp:.3f} dBTP (want <= {c + LIMIT_FINE_TOL_DB:g})")
    mt = lim["meter"]
    lo, hi = LIMIT_GR_RANGE_DB
    if mt is None:
        check(f"{name}: gain-reduction messages", False, "none received")
    else:
        check(f"{name}: gain reduction {lo:g}-{hi:g} dB",
              lo <= mt["max"] <= hi and mt["min"] >= 0.0,
              f"messages: max {mt['max']:.2f} dB, mean {mt['mean']:.2f} dB, min "
              f"{mt['min']:.2f} (want a max of {lo:g} to {hi:g} dB, none negative)")
    if "meter_vs_audio_db" in lim:
        d = lim["meter_vs_audio_db"]
        check(f"{name}: meter = gain applied", d <= LIMIT_METER_TOL_DB,
              f"{lim['meter_vs_audio_n']} intervals: messages vs the audio's largest "
              f"reduction, max {d:.4f} dB off (want <= {LIMIT_METER_TOL_DB:g})")
    elif lim.get("why_no_meter_match"):
        check(f"{name}: meter = gain applied", False, lim["why_no_meter_match"])


# ---------------------------------------------------------------- delivery loudness (loudnorm)

LOUD_TARGET_TOL_LU = 0.1     # the master's integrated loudness (libebur128) vs target
LOUD_FINE_TOL_DB = 0.1       # the 16x sinc true peak may read this much over the ceiling
LOUD_SUMMARY_TOL_LU = 0.05   # its summary's loudness vs libebur128's on its input and output
LOUD_GAIN_TOL_DB = 0.05      # its summary's gain vs the gain measured on the audio
LOUD_METER_TOL_LU = 0.02     # running meter (0.01 LU histograms) vs the exact summary
LOUD_PRESETS = {"ebu-r128": (-23.0, -1.0), "atsc-a85": (-24.0, -2.0),
                "streaming": (-14.0, -1.0), "apple-music": (-16.0, -1.0),
                "podcast": (-16.0, -1.0)}
LOUD_DEFAULTS = {"mode": "file", "preset": "streaming", "target": -14.0,
                 "max-true-peak": -1.0, "max-gain": 24.0, "interval": 100 * Gst.MSECOND}
LOUD_SUMMARY_FIELDS = ("input-integrated", "input-true-peak", "input-loudness-range",
                       "output-integrated", "output-true-peak", "gain")
LOUD_METER_FIELDS = ("momentary", "short-term", "integrated", "loudness-range", "true-peak")
REPLAYGAIN_REFERENCE_LUFS = -18.0   # ReplayGain 2.0


def loud_settings(props):
    """(mode, target, ceiling) a loudnorm stage's props ask for: properties apply in
    order, a preset sets target and ceiling, target or ceiling set after it win."""
    mode, target, ceiling = "file", LOUD_DEFAULTS["target"], LOUD_DEFAULTS["max-true-peak"]
    for k, v in props.items():
        if k == "mode":
            mode = str(v)
        elif k == "preset" and str(v) in LOUD_PRESETS:
            target, ceiling = LOUD_PRESETS[str(v)]
        elif k == "target":
            target = float(v)
        elif k == "max-true-peak":
            ceiling = float(v)
    return mode, target, ceiling


def loud_analysis(stages, x_in, x_out, rate, stage_out, messages, extra, sink_tags):
    """Measures the (first) loudnorm stage on its own input and output in the chain (the
    previous stage's tap, or the mix when it comes first; its own tap, or the master when
    it is last): frames in and out, integrated loudness and true peak in and out
    (libebur128; the 16x windowed sinc too for the output's true peak), the gain it
    applied to the audio (output over input per sample: one static gain, the limiter
    only ever taking some off, so the median over the samples is that gain when the
    limiter leaves most of them alone), its `loudnorm` meter messages and its
    `loudnorm-summary`, and the ReplayGain tags the output file's sink saw. Returns None
    without a loudnorm stage."""
    proc = [st for st in stages if st not in (chain.METER_BEFORE, chain.METER_AFTER)]
    idx = next((i for i, st in enumerate(proc) if st.factory == "loudnorm"), None)
    if idx is None:
        return None
    st = proc[idx]
    mode, target, ceiling = loud_settings(st.props)
    x = x_in if idx == 0 else stage_out.get(proc[idx - 1].name)
    y = x_out if idx == len(proc) - 1 else stage_out.get(st.name)
    msgs = messages.get(st.name) or []
    summaries = (extra.get(st.name) or {}).get("loudnorm-summary") or []
    out = {"name": st.name, "stage": st, "label": st.what or st.factory, "mode": mode,
           "target": target, "ceiling": ceiling, "n_meter": len(msgs),
           "n_summary": len(summaries), "summary": summaries[-1] if summaries else None,
           "meter_last": msgs[-1] if msgs else None,
           "meter_fields_missing": sorted({f for m in msgs for f in LOUD_METER_FIELDS
                                           if not isinstance(m.get(f), float)})}
    rg = [t for t in sink_tags if "replaygain-track-gain" in t or "replaygain-track-peak" in t]
    out["replaygain"] = rg[-1] if rg else None
    if not _measure_stage(out, x, y, rate):
        return out
    big = np.abs(x) > 1e-3
    if np.any(big):
        ratio = np.abs(y[big]) / np.abs(x[big])
        gain = float(np.median(ratio))
        out["applied_gain_db"] = report.db_amp(gain)
        out["applied_max_db"] = report.db_amp(float(np.max(ratio)))
        out["limited_fraction"] = float(np.mean(ratio < gain * 10 ** (-0.01 / 20.0)))
    return out


def loud_table(loud):
    """The delivery loudness section of the report."""
    st = loud["stage"]
    lines = [f"delivery loudness ({st.factory} '{loud['name']}', mode {loud['mode']}):",
             f"  {loud['label']}"]
    if "frames_in" in loud:
        lines.append(f"frames in {loud['frames_in']}, out {loud['frames_out']}")
    s = loud["summary"]
    if "loudness_out_lufs" in loud:
        lines.append(f"{'':<34} {'into it':>9} {'out':>9}   target {loud['target']:g} LUFS,"
                     f" ceiling {loud['ceiling']:g} dBTP")
        lines.append(f"{'integrated loudness, libebur128':<34} {loud['loudness_in_lufs']:9.3f} "
                     f"{loud['loudness_out_lufs']:9.3f}   (LUFS)")
        if s:
            lines.append(f"{'integrated loudness, its summary':<34} "
                         f"{s.get('input-integrated', math.nan):9.3f} "
                         f"{s.get('output-integrated', math.nan):9.3f}")
        lines.append(f"{'true peak, libebur128 4x (dBTP)':<34} "
                     f"{loud['in_true_peak_ebur128_dbtp']:9.3f} "
                     f"{loud['true_peak_ebur128_dbtp']:9.3f}")
        if s:
            lines.append(f"{'true peak, its summary (dBTP)':<34} "
                         f"{s.get('input-true-peak', math.nan):9.3f} "
                         f"{s.get('output-true-peak', math.nan):9.3f}")
        lines.append(f"{'true peak, 16x sinc (dBTP)':<34} {'':>9} "
                     f"{loud['true_peak_16x_dbtp']:9.3f}")
    if s:
        lines.append(f"its summary: gain {s.get('gain', math.nan):+.3f} dB, loudness range "
                     f"{s.get('input-loudness-range', math.nan):.2f} LU, gain reduction "
                     f"{s.get('gain-reduction', math.nan):.2f} dB, target-met "
                     f"{s.get('target-met')}")
    if loud.get("applied_gain_db") is not None:
        lines.append(f"gain applied to the audio (output / input, median over samples): "
                     f"{loud['applied_gain_db']:+.3f} dB, largest {loud['applied_max_db']:+.3f}"
                     f" dB; {100 * loud['limited_fraction']:.2f} % of the samples limited")
    rg = loud.get("replaygain")
    if rg:
        lines.append("ReplayGain tags at the output file's sink: " + ", ".join(
            f"{k} {v:.3f}" if isinstance(v, float) else f"{k} {v}"
            for k, v in rg.items() if k.startswith("replaygain")))
    if loud.get("why_not_measured"):
        lines.append(f"({loud['why_not_measured']})")
    return "\n".join(lines)


def loud_checks(loud, check):
    if loud is None:
        return
    name, target, c = loud["name"], loud["target"], loud["ceiling"]
    if "frames_in" in loud:
        check(f"{name}: same length", loud["frames_in"] == loud["frames_out"],
              f"{loud['frames_in']} frames in, {loud['frames_out']} out")
    if "finite" in loud:
        check(f"{name}: finite output", loud["finite"], "no NaN/Inf samples out of it")
    if "true_peak_16x_dbtp" in loud:
        eo = loud.get("loudness_out_lufs")
        if eo is None:
            check(f"{name}: on target (libebur128)", False,
                  "libebur128 could not be loaded (libebur128-1)")
        else:
            check(f"{name}: integrated on target (libebur128)",
                  abs(eo - target) <= LOUD_TARGET_TOL_LU,
                  f"{eo:.3f} LUFS (want {target:g} +- {LOUD_TARGET_TOL_LU:g})")
            tp = loud["true_peak_ebur128_dbtp"]
            check(f"{name}: true peak <= ceiling (libebur128)", tp <= c,
                  f"{tp:.3f} dBTP, 4x (ceiling {c:g})")
        tp = loud["true_peak_16x_dbtp"]
        check(f"{name}: true peak, 16x sinc", tp <= c + LOUD_FINE_TOL_DB,
              f"{tp:.3f} dBTP (want <= {c + LOUD_FINE_TOL_DB:g})")
    s = loud["summary"]
    if s is None or loud["n_summary"] != 1:
        check(f"{name}: loudnorm-summary", False,
              f"{loud['n_summary']} loudnorm-summary messages (want 1)")
    else:
        missing = [f for f in LOUD_SUMMARY_FIELDS if not isinstance(s.get(f), float)
                   or not math.isfinite(s[f])]
        if loud["mode"] == "file":
            if s.get("target") != target or s.get("max-true-peak") != c:
                missing.append(f"target/max-true-peak {s.get('target')}/"
                               f"{s.get('max-true-peak')} (want {target:g}/{c:g})")
            if s.get("target-met") is not True:
                missing.append(f"target-met {s.get('target-met')}")
        check(f"{name}: loudnorm-summary", not missing,
              "one, with the DESIGN.md fields" + (", target-met" if loud["mode"] == "file"
                                                  else "")
              + ("" if not missing else f"; wrong or missing: {', '.join(missing)}"))
        if "loudness_out_lufs" in loud and not missing:
            d_in = s["input-integrated"] - loud["loudness_in_lufs"]
            d_out = s["output-integrated"] - loud["loudness_out_lufs"]
            check(f"{name}: summary loudness = libebur128",
                  max(abs(d_in), abs(d_out)) <= LOUD_SUMMARY_TOL_LU,
                  f"input {s['input-integrated']:.3f} ({d_in:+.4f}), output "
                  f"{s['output-integrated']:.3f} LUFS ({d_out:+.4f}) "
                  f"(want +- {LOUD_SUMMARY_TOL_LU:g})")
            check(f"{name}: summary true peak <= ceiling", s["output-true-peak"] <= c,
                  f"output-true-peak {s['output-true-peak']:.3f} dBTP (ceiling {c:g})")
        if loud.get("applied_gain_db") is not None and not missing:
            d = s["gain"] - loud["applied_gain_db"]
            d_lu = (loud.get("loudness_out_lufs", math.nan)
                    - loud.get("loudness_in_lufs", math.nan))
            check(f"{name}: summary gain = gain applied", abs(d) <= LOUD_GAIN_TOL_DB,
                  f"summary {s['gain']:+.3f} dB, audio {loud['applied_gain_db']:+.3f} dB "
                  f"(median output/input; loudness change {d_lu:+.3f} LU)"
                  f" (want +- {LOUD_GAIN_TOL_DB:g})")
            check(f"{name}: never above its gain", loud["applied_max_db"] <= s["gain"] + 1e-3,
                  f"largest output/input {loud['applied_max_db']:+.4f} dB (gain "
                  f"{s['gain']:+.3f}: the limiter only takes some off)")
    lm = loud["meter_last"]
    if lm is None:
        check(f"{name}: loudnorm messages", False, "none received")
    else:
        bad = list(loud["meter_fields_missing"])
        detail = f"{loud['n_meter']} messages with {', '.join(LOUD_METER_FIELDS)}"
        if s is not None and isinstance(lm.get("integrated"), float) \
                and isinstance(s.get("output-integrated"), float):
            d = lm["integrated"] - s["output-integrated"]
            detail += (f"; the last one's integrated {lm['integrated']:.3f} vs the summary's "
                       f"{d:+.4f} LU (want +- {LOUD_METER_TOL_LU:g})")
            if abs(d) > LOUD_METER_TOL_LU:
                bad.append("integrated")
        check(f"{name}: loudnorm messages", not bad,
              detail + (f"; wrong or missing: {', '.join(bad)}" if bad else ""))
    rg = loud.get("replaygain")
    if s is not None and isinstance(s.get("output-integrated"), float):
        if rg is None:
            check(f"{name}: ReplayGain tags at the sink", False,
                  "no replaygain tags reached the output file's sink")
        else:
            want_gain = REPLAYGAIN_REFERENCE_LUFS - s["output-integrated"]
            want_peak = 10 ** (s["output-true-peak"] / 20.0)
            ok = (abs(rg.get("replaygain-track-gain", math.nan) - want_gain) <= 1e-6
                  and abs(rg.get("replaygain-track-peak", math.nan) - want_peak) <= 1e-6
                  and rg.get("replaygain-reference-level") == 89.0)
            check(f"{name}: ReplayGain tags at the sink", ok,
                  f"track gain {rg.get('replaygain-track-gain', math.nan):+.3f} dB (want "
                  f"{want_gain:+.3f}), peak {rg.get('replaygain-track-peak', math.nan):.4f} "
                  f"(want {want_peak:.4f}), reference level "
                  f"{rg.get('replaygain-reference-level')} (want 89)")


def run_checks(before, after, meters, stages, eq=None, comp=None, lim=None, loud=None):
    """What this chain promises, checked on the rendered files. Extend with each stage."""
    checks = []

    def check(name, ok, detail):
        checks.append((name, bool(ok), detail))

    check("same length", before["frames"] == after["frames"],
          f"{before['frames']} -> {after['frames']} frames")
    check("finite output", after["finite"], "no NaN/Inf samples")
    names = {st.factory for st in stages}
    if "stereowidth" in names:
        # LR4 crossover: -6 dB at the frequency, steeper below; half an octave under it
        # the side should be essentially gone
        d_lf = after["lf_side_to_mid_db"] - before["lf_side_to_mid_db"]
        check(f"bass mono below {LF_HZ:g} Hz", d_lf <= -6.0,
              f"side-to-mid below {LF_HZ:g} Hz changed {d_lf:+.1f} dB (want <= -6)")
        d_sub = after["sub_side_dbfs"] - before["sub_side_dbfs"]
        # a limiter after it raises everything by its drive less its reduction, and the
        # loudness normalizer after that by its gain: those level changes (measured on
        # their own input and output) are not the crossover's
        taken_out = []
        for st_an in (lim, loud):
            level = (st_an or {}).get("level_change_db")
            if level is not None:
                d_sub -= level
                taken_out.append(f"{st_an['name']}'s level change {level:+.2f} dB")
        check(f"bass mono below {LF_HZ / 2:g} Hz", d_sub <= -20.0,
              f"side below {LF_HZ / 2:g} Hz changed {d_sub:+.1f} dB (want <= -20"
              + ("; " + " and ".join(taken_out) + " taken out" if taken_out else "") + ")")
        # well above the crossover the side signal is scaled by width (mid untouched)
        width = next(st.props.get("width", 1.0) for st in stages if st.factory == "stereowidth"
                     and st not in (chain.METER_BEFORE, chain.METER_AFTER))
        want = 20.0 * math.log10(width) if width > 0 else -120.0
        # an EQ earlier in the chain filters mid and side alike, but their spectra differ,
        # so it moves side-to-mid a little too: predicted from the input and its response
        eq_shift = eq["hf_side_to_mid_change_db"] if eq else 0.0
        want += eq_shift
        # a compressor before it scales mid and side by the same gain, but that gain
        # follows the material (the drums in the mid), so it moves side-to-mid a little:
        # measured on its own input and output
        comp_shift = (comp or {}).get("hf_side_to_mid_change_db")
        if comp_shift is not None:
            want += comp_shift
        # so does a limiter after it (one linked gain for both, following the drums), and
        # the loudness normalizer's limiter when it takes overs (its static gain does not)
        lim_shift = (lim or {}).get("hf_side_to_mid_change_db")
        if lim_shift is not None:
            want += lim_shift
        loud_shift = (loud or {}).get("hf_side_to_mid_change_db")
        if loud_shift is not None:
            want += loud_shift
        d_w = after["hf_side_to_mid_db"] - before["hf_side_to_mid_db"]
        shares = ([f"EQ's share {eq_shift:+.2f}"] if eq else []) + (
            [f"{comp['name']}'s {comp_shift:+.2f}"] if comp_shift is not None else []) + (
            [f"{lim['name']}'s {lim_shift:+.2f}"] if lim_shift is not None else []) + (
            [f"{loud['name']}'s {loud_shift:+.2f}"] if loud_shift is not None else [])
        check(f"width {width:g} above {4 * LF_HZ:g} Hz", abs(d_w - want) <= 0.25,
              f"side-to-mid changed {d_w:+.2f} dB (want {want:+.2f} +- 0.25"
              + (", " + ", ".join(shares) if shares else "") + ")")
        for key, ana in (("before", before), ("after", after)):
            summ = (meters.get(key) or {}).get("correlation")
            if summ:
                diff = summ["mean"] - ana["correlation_windows_mean"]
                check(f"element correlation agrees ({key})", abs(diff) <= 0.05,
                      f"element mean {summ['mean']:.3f} vs numpy {ana['correlation_windows_mean']:.3f}")
            summ = (meters.get(key) or {}).get("side-to-mid")
            if summ:
                diff = summ["mean"] - ana["side_to_mid_windows_mean_db"]
                check(f"element side-to-mid agrees ({key})", abs(diff) <= 0.5,
                      f"element mean {summ['mean']:.2f} dB vs numpy "
                      f"{ana['side_to_mid_windows_mean_db']:.2f} dB")
    eq_checks(eq, check)
    comp_checks(comp, check)
    limit_checks(lim, check)
    loud_checks(loud, check)
    return checks


def main(argv=None):
    ap = argparse.ArgumentParser(description="gst-mixmaster main job")
    ap.add_argument("outdir", nargs="?",
                    default=os.environ.get("MIXMASTER_OUT") or "out/main-job")
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--no-espeak", action="store_true", help="synthesized lead only")
    ap.add_argument("--no-plot", action="store_true")
    args = ap.parse_args(argv)

    t0 = time.monotonic()
    Gst.init(None)
    outdir = args.outdir
    os.makedirs(outdir, exist_ok=True)
    print(f"gst-mixmaster main job  ({Gst.version_string()}, output: {outdir})")

    # resolve the chain first: a missing plugin fails fast (the mix stage's threshold
    # comes from the lead stem later; a placeholder checks the rest)
    try:
        stages, notes = chain.plan(chain.MASTER_CHAIN)
        chain.check_mix(chain.mix_duck_stage(-30.0))
    except chain.ChainError as e:
        print(f"main job: the chain cannot run: {e}", file=sys.stderr)
        return 2

    # 1. demo material: the stems (the mix stage below makes the mix)
    info = generate.generate(outdir, args.seconds, use_espeak=not args.no_espeak,
                             write_mix=False)
    t_gen = time.monotonic()
    print(f"[1/3] generated {info['seconds']:.1f} s stereo, {info['rate']} Hz, stems "
          f"{', '.join(info['stems'])} (lead: {info['lead']}) in {outdir}/stems/")

    # 2. the mix stage: the music bus ducked under the lead, plus the lead, into
    # demo-mix.wav; its threshold 10 dB under the lead's level as its key detector sees it
    stems = {k: wavio.read_wav(path)[0] for k, path in info["stems"].items()}
    rate = info["rate"]
    lead_db = lead_level_db(stems[chain.MIX_KEY], rate)
    duck = chain.mix_duck_stage(float(round(lead_db - chain.MIX_DUCK_BELOW_LEAD_DB)))
    mix_path = os.path.join(outdir, "demo-mix.wav")
    os.makedirs(os.path.join(outdir, "stages"), exist_ok=True)
    mix_taps = {"music_bus": os.path.join(outdir, "stages", "mix-1-music-bus.wav"),
                duck.name: os.path.join(outdir, "stages", f"mix-2-{duck.name}.wav")}
    try:
        chain.check_mix(duck)
        mix_res = chain.run_mix(info["stems"], mix_path, duck, rate, taps=mix_taps)
    except chain.ChainError as e:
        print(f"main job: the mix stage could not run: {e}", file=sys.stderr)
        return 2
    t_mix = time.monotonic()

    # the master chain; what each processing stage but the last puts out is written too
    master = os.path.join(outdir, "demo-master.wav")
    proc = [st for st in stages if st not in (chain.METER_BEFORE, chain.METER_AFTER)]
    taps = {st.name: os.path.join(outdir, "stages", f"{i + 1:02d}-{st.name}.wav")
            for i, st in enumerate(proc[:-1])}
    try:
        res = chain.run(mix_path, master, stages, taps=taps)
    except chain.ChainError as e:
        print(f"main job: the chain could not run: {e}", file=sys.stderr)
        return 2
    t_chain = time.monotonic()
    print(f"[2/3] mixed {mix_path}: {' + '.join(chain.MIX_MUSIC)} (audiomixer) -> "
          f"{duck.factory} ({duck.what}; key: {chain.MIX_KEY}) -> + {chain.MIX_KEY} "
          f"(audiomixer)")
    print(f"      rendered {master} through: "
          + " -> ".join(f"{st.factory} ({st.what})" for st in proc))
    for n in notes:
        print(f"      note: {n}")
    for w in mix_res["warnings"] + res["warnings"]:
        print(f"      warning: {w}")
    print(f"      mix pipeline: gst-launch-1.0 {mix_res['launch']}")
    print(f"      master pipeline: gst-launch-1.0 {res['launch']}")

    # 3. measure and report
    x_in, rate_in, _ = wavio.read_wav(mix_path)
    if rate_in != rate or x_in.shape[1] != 2:
        print(f"main job: unexpected mix {rate_in} Hz, {x_in.shape[1]} channels",
              file=sys.stderr)
        return 2
    mix_tap = {}
    for name, path in mix_taps.items():
        x_tap, rate_tap, _ = wavio.read_wav(path)
        if rate_tap != rate or x_tap.shape[1] != 2:
            print(f"main job: {path}: {rate_tap} Hz, {x_tap.shape[1]} channels, expected "
                  f"{rate} Hz stereo", file=sys.stderr)
            return 2
        mix_tap[name] = x_tap
    premix = sum(stems.values())
    duck_an = duck_analysis(duck, mix_tap["music_bus"], mix_tap[duck.name], x_in,
                            stems[chain.MIX_KEY], info["frames"], rate,
                            mix_res["messages"][duck.name], lead_db)
    x_out, rate_out, fmt_out = wavio.read_wav(master)
    if rate_out != rate or x_out.shape[1] != 2:
        print(f"main job: unexpected output {rate_out} Hz, {x_out.shape[1]} channels",
              file=sys.stderr)
        return 2
    stage_out = {}
    for name, path in taps.items():
        x_tap, rate_tap, _ = wavio.read_wav(path)
        if rate_tap != rate or x_tap.shape != x_in.shape:
            print(f"main job: {path}: {x_tap.shape[0]} frames at {rate_tap} Hz, "
                  f"expected {x_in.shape[0]} at {rate}", file=sys.stderr)
            return 2
        stage_out[name] = x_tap
    before = report.analyze(x_in, rate, LF_HZ)
    after = report.analyze(x_out, rate, LF_HZ)
    msgs = res["messages"]
    meters = {}
    if chain.METER_BEFORE in stages:
        meters["before"] = meter_summaries(msgs[chain.METER_BEFORE.name])
    if chain.METER_AFTER in stages:
        meters["after"] = meter_summaries(msgs[chain.METER_AFTER.name])
    elif proc and proc[-1].message == "stereowidth":
        meters["after"] = meter_summaries(msgs[proc[-1].name])
    per_stage = {duck.name: len(mix_res["messages"][duck.name])}
    per_stage.update({st.name: len(msgs[st.name]) for st in stages if st.message})

    text = report.table(before, after, meters, LF_HZ)
    try:
        eq = eq_analysis(stages, x_in, x_out, rate, stage_out)
    except chain.ChainError as e:
        print(f"main job: could not measure the EQ: {e}", file=sys.stderr)
        return 2
    comp = comp_analysis(stages, x_in, x_out, rate, stage_out, msgs)
    lim = limit_analysis(stages, x_in, x_out, rate, stage_out, msgs, res.get("latency"))
    loud = loud_analysis(stages, x_in, x_out, rate, stage_out, msgs,
                         res.get("extra_messages") or {}, res.get("sink_tags") or [])
    checks = []
    duck_checks(duck_an, lambda *c: checks.append((c[0], bool(c[1]), c[2])))
    checks += run_checks(before, after, meters, stages, eq, comp, lim, loud)
    duck_text = duck_table(duck_an, report.gated_rms_dbfs(premix, rate),
                           report.sample_peak_dbfs(premix), before["gated_rms_dbfs"],
                           before["sample_peak_dbfs"])
    lines = ["", f"[3/3] report: demo-mix.wav (before) vs demo-master.wav (after, {fmt_out})",
             "", text, "", duck_text, ""] + ([eq_table(eq), ""] if eq else []) + (
             [comp_table(comp), ""] if comp else []) + (
             [limit_table(lim), ""] if lim else []) + (
             [loud_table(loud), ""] if loud else []) + [
             "element messages per stage: "
             + ", ".join(f"{k}: {v}" for k, v in per_stage.items()), "", "checks:"]
    for name, ok, detail in checks:
        lines.append(f"  {'PASS' if ok else 'FAIL'}  {name:<36} {detail}")
    print("\n".join(lines))

    with open(os.path.join(outdir, "report.txt"), "w") as f:
        f.write("\n".join(lines).lstrip("\n") + "\n")
    report.write_json(os.path.join(outdir, "report.json"), {
        "input": dict(info, mix=mix_path), "output": master, "launch": res["launch"],
        "mix_stage": {
            "launch": mix_res["launch"], "music": list(chain.MIX_MUSIC), "key": chain.MIX_KEY,
            "taps": mix_taps, "messages": mix_res["messages"][duck.name],
            **{k: duck_an.get(k) for k in (
                "name", "props", "lead_level_db", "threshold", "depth", "meter", "frames",
                "applied_max_db", "meter_vs_audio_db", "sings", "silent", "tails",
                "why_not_measured")}},
        "stages": [{"name": st.name, "factory": st.factory,
                    "props": {k: v for k, v in st.props.items()}} for st in stages],
        "before": before, "after": after, "element_meters": meters,
        "master_eq": None if eq is None else {
            "name": eq["name"], "bands": eq["bands"],
            "curve_vs_settings_db": eq.get("curve_vs_settings_db"),
            "thirds_vs_curve_db": eq.get("thirds_vs_curve_db"),
            "regions": eq.get("rows"),
            "curve": {"f_hz": eq["f"].tolist(), "mid_db": eq["mid_db"].tolist(),
                      "side_db": eq["side_db"].tolist()}},
        "glue_compressor": None if comp is None else {
            k: comp.get(k) for k in ("name", "props", "meter", "applied_mean_db",
                                     "applied_max_db", "level_in_dbfs", "level_out_dbfs",
                                     "hf_side_to_mid_change_db", "meter_vs_audio_db",
                                     "why_not_measured")},
        "limiter": None if lim is None else {
            k: lim.get(k) for k in ("name", "props", "meter", "latency_ns", "latency_frames",
                                     "frames_in", "frames_out", "sample_peak_dbfs",
                                     "true_peak_16x_dbtp", "true_peak_ebur128_dbtp",
                                     "in_true_peak_16x_dbtp", "in_true_peak_ebur128_dbtp",
                                     "loudness_in_lufs", "loudness_out_lufs",
                                     "applied_max_db", "applied_mean_db", "limited_fraction",
                                     "meter_vs_audio_db", "hf_side_to_mid_change_db",
                                     "why_not_measured", "why_no_meter_match")},
        "loudnorm": None if loud is None else {
            k: loud.get(k) for k in ("name", "mode", "target", "ceiling", "summary",
                                     "meter_last", "n_meter", "replaygain", "frames_in",
                                     "frames_out", "loudness_in_lufs", "loudness_out_lufs",
                                     "in_true_peak_ebur128_dbtp", "true_peak_ebur128_dbtp",
                                     "true_peak_16x_dbtp", "sample_peak_dbfs",
                                     "applied_gain_db", "applied_max_db", "limited_fraction",
                                     "level_change_db", "hf_side_to_mid_change_db",
                                     "why_not_measured")},
        "sink_tags": res.get("sink_tags"),
        "stage_latency_ns": res.get("latency"),
        "stage_outputs": taps,
        "messages": msgs, "extra_messages": res.get("extra_messages"),
        "checks": [{"name": n, "pass": ok, "detail": d} for n, ok, d in checks],
    })
    if not args.no_plot:
        png = os.path.join(outdir, "demo-report.png")
        why = report.plot(png, x_in, x_out, rate, before, after,
                          {"before": msgs.get(chain.METER_BEFORE.name),
                           "after": msgs.get(chain.METER_AFTER.name)}, LF_HZ,
                          title="gst-mixmaster main job: "
                                + " -> ".join(st.factory for st in proc), eq=eq, comp=comp,
                          limiter=lim, duck=dict(duck_an, label=(
                              f"threshold {duck_an['threshold']:g} dBFS, depth "
                              f"{duck_an['depth']:g} dB, key: {chain.MIX_KEY}")))
        print(f"\nplot: {png}" if why is None else f"\nplot skipped: {why}")
    t1 = time.monotonic()
    print(f"files: {outdir}/stems/, demo-mix.wav, demo-master.wav, stages/, report.txt, "
          f"report.json"
          f"\ntime: {t1 - t0:.1f} s (generate {t_gen - t0:.1f} s, mix {t_mix - t_gen:.2f} s, "
          f"chain {t_chain - t_mix:.2f} s, measure and plot {t1 - t_chain:.1f} s)")
    failed = [c for c in checks if not c[1]]
    if failed:
        print(f"main job: {len(failed)} check(s) failed", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
