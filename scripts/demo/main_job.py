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


def run_checks(before, after, meters, stages):
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
        d_w = after["hf_side_to_mid_db"] - before["hf_side_to_mid_db"]
        check(f"width {width:g} above {4 * LF_HZ:g} Hz", abs(d_w - want) <= 0.25,
              f"side-to-mid changed {d_w:+.2f} dB (want {want:+.2f} +- 0.25)")
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
    checks = run_checks(before, after, meters, stages)
    lines = ["", f"[3/3] report: demo-mix.wav (before) vs demo-master.wav (after, {fmt_out})",
             "", text, "",
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
        "messages": msgs, "checks": [{"name": n, "pass": ok, "detail": d}
                                     for n, ok, d in checks],
    })
    if not args.no_plot:
        png = os.path.join(outdir, "demo-report.png")
        why = report.plot(png, x_in, x_out, rate, before, after,
                          {"before": msgs.get(chain.METER_BEFORE.name),
                           "after": msgs.get(chain.METER_AFTER.name)}, LF_HZ,
                          title="gst-mixmaster main job: stereowidth width=1.3 "
                                f"bass-mono-freq={LF_HZ:g}")
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
