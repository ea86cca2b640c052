#!/usr/bin/python3
"""gst-mixmaster main job: synthesize a demo mix, master it through the plugin's elements
with GStreamer (Python GI), and print a before/after report.

Usage: main_job.py [OUTDIR] [--seconds S] [--no-espeak] [--no-plot]
OUTDIR defaults to $MIXMASTER_OUT or out/main-job. Needs the plugin on GST_PLUGIN_PATH
(scripts/main-job.sh sets it to build/gst).

Writes into OUTDIR: demo-mix.wav (input), stems/*.wav, demo-master.wav (32-bit float),
report.txt, report.json and, when matplotlib is installed, demo-report.png.
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


def eq_analysis(stages, x_in, x_out, rate):
    """Measures the (first) mixeq stage: its response from an impulse through the element
    (set up as in the chain), what its settings ask for, and the change it made to the
    mix. The change on the mix is measured on the mid, (L+R)/2, when every later stage
    leaves the mid's magnitude alone (stereowidth with mid-gain 0: its bass-mono all-pass
    only turns the phase); else "on_mix" is None. Returns None without a mixeq stage."""
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


def run_checks(before, after, meters, stages, eq=None):
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
        check(f"bass mono below {LF_HZ / 2:g} Hz", d_sub <= -20.0,
              f"side below {LF_HZ / 2:g} Hz changed {d_sub:+.1f} dB (want <= -20)")
        # well above the crossover the side signal is scaled by width (mid untouched)
        width = next(st.props.get("width", 1.0) for st in stages if st.factory == "stereowidth"
                     and st not in (chain.METER_BEFORE, chain.METER_AFTER))
        want = 20.0 * math.log10(width) if width > 0 else -120.0
        # an EQ earlier in the chain filters mid and side alike, but their spectra differ,
        # so it moves side-to-mid a little too: predicted from the input and its response
        eq_shift = eq["hf_side_to_mid_change_db"] if eq else 0.0
        want += eq_shift
        d_w = after["hf_side_to_mid_db"] - before["hf_side_to_mid_db"]
        check(f"width {width:g} above {4 * LF_HZ:g} Hz", abs(d_w - want) <= 0.25,
              f"side-to-mid changed {d_w:+.2f} dB (want {want:+.2f} +- 0.25"
              + (f", EQ's share {eq_shift:+.2f})" if eq else ")"))
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

    # resolve the chain first: a missing plugin fails fast
    try:
        stages, notes = chain.plan(chain.MASTER_CHAIN)
    except chain.ChainError as e:
        print(f"main job: the chain cannot run: {e}", file=sys.stderr)
        return 2

    # 1. demo material
    info = generate.generate(outdir, args.seconds, use_espeak=not args.no_espeak)
    t_gen = time.monotonic()
    print(f"[1/3] generated {info['mix']}: {info['seconds']:.1f} s stereo, {info['rate']} Hz, "
          f"drums + bass + pad + lead ({info['lead']}); stems in {outdir}/stems/")

    # 2. the chain
    master = os.path.join(outdir, "demo-master.wav")
    try:
        res = chain.run(info["mix"], master, stages)
    except chain.ChainError as e:
        print(f"main job: the chain could not run: {e}", file=sys.stderr)
        return 2
    t_chain = time.monotonic()
    proc = [st for st in stages if st not in (chain.METER_BEFORE, chain.METER_AFTER)]
    print(f"[2/3] rendered {master} through: "
          + " -> ".join(f"{st.factory} ({st.what})" for st in proc))
    for n in notes:
        print(f"      note: {n}")
    for w in res["warnings"]:
        print(f"      warning: {w}")
    print(f"      pipeline: gst-launch-1.0 {res['launch']}")

    # 3. measure and report
    x_in, rate, _ = wavio.read_wav(info["mix"])
    x_out, rate_out, fmt_out = wavio.read_wav(master)
    if rate_out != rate or x_out.shape[1] != 2:
        print(f"main job: unexpected output {rate_out} Hz, {x_out.shape[1]} channels",
              file=sys.stderr)
        return 2
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
    per_stage = {st.name: len(msgs[st.name]) for st in stages if st.message}

    text = report.table(before, after, meters, LF_HZ)
    try:
        eq = eq_analysis(stages, x_in, x_out, rate)
    except chain.ChainError as e:
        print(f"main job: could not measure the EQ: {e}", file=sys.stderr)
        return 2
    checks = run_checks(before, after, meters, stages, eq)
    lines = ["", f"[3/3] report: demo-mix.wav (before) vs demo-master.wav (after, {fmt_out})",
             "", text, ""] + ([eq_table(eq), ""] if eq else []) + [
             "element messages per stage: "
             + ", ".join(f"{k}: {v}" for k, v in per_stage.items()), "", "checks:"]
    for name, ok, detail in checks:
        lines.append(f"  {'PASS' if ok else 'FAIL'}  {name:<36} {detail}")
    print("\n".join(lines))

    with open(os.path.join(outdir, "report.txt"), "w") as f:
        f.write("\n".join(lines).lstrip("\n") + "\n")
    report.write_json(os.path.join(outdir, "report.json"), {
        "input": info, "output": master, "launch": res["launch"],
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
        "messages": msgs, "checks": [{"name": n, "pass": ok, "detail": d}
                                     for n, ok, d in checks],
    })
    if not args.no_plot:
        png = os.path.join(outdir, "demo-report.png")
        why = report.plot(png, x_in, x_out, rate, before, after,
                          {"before": msgs.get(chain.METER_BEFORE.name),
                           "after": msgs.get(chain.METER_AFTER.name)}, LF_HZ,
                          title="gst-mixmaster main job: "
                                + " -> ".join(st.factory for st in proc), eq=eq)
        print(f"\nplot: {png}" if why is None else f"\nplot skipped: {why}")
    t1 = time.monotonic()
    print(f"files: {outdir}/demo-mix.wav, demo-master.wav, report.txt, report.json"
          f"\ntime: {t1 - t0:.1f} s (generate {t_gen - t0:.1f} s, chain {t_chain - t_gen:.2f} s,"
          f" measure and plot {t1 - t_chain:.1f} s)")
    failed = [c for c in checks if not c[1]]
    if failed:
        print(f"main job: {len(failed)} check(s) failed", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
