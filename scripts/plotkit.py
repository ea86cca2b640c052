"""What the plot scripts share: GStreamer from Python with the built plugin,
matplotlib without a display, and small PNGs. SPDX-License-Identifier: LGPL-2.1-or-later"""

import io
import os
import sys


def gst_setup(plugin_dir):
    """Gst, initialised with plugin_dir (if any) first on GST_PLUGIN_PATH."""
    if plugin_dir:
        os.environ["GST_PLUGIN_PATH"] = (
            os.path.abspath(plugin_dir)
            + (os.pathsep + os.environ["GST_PLUGIN_PATH"]
               if os.environ.get("GST_PLUGIN_PATH") else ""))
    import gi
    gi.require_version("Gst", "1.0")
    from gi.repository import Gst
    Gst.init(None)
    return Gst


def start(program, description, argv=None):
    """What every plot script does first: its --plugin-dir and --outdir options
    (defaults build/gst and docs/images), pyplot, GStreamer with the plugin, the
    output directory. Returns (outdir, plt, Gst), or None with the reason printed."""
    import argparse
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser(prog=program, description=description)
    ap.add_argument("--plugin-dir", default=os.path.join(root, "build", "gst"),
                    help="directory holding libgstmixmaster.so (default: build/gst)")
    ap.add_argument("--outdir", default=os.path.join(root, "docs", "images"))
    args = ap.parse_args(argv)
    plt = load_pyplot(program)
    if plt is None:
        return None
    Gst = gst_setup(args.plugin_dir if os.path.isdir(args.plugin_dir) else None)
    os.makedirs(args.outdir, exist_ok=True)
    return args.outdir, plt, Gst


def load_pyplot(program):
    """matplotlib.pyplot on the Agg backend, or None with a message naming program."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as e:
        print(f"{program}: matplotlib is needed ({e}); run it with "
              "/usr/bin/python3 or install python3-matplotlib", file=sys.stderr)
        return None
    return plt


def save(fig, path, plt):
    """Saves as a small palette PNG when Pillow is there (the plots use few colours)."""
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, metadata={"Software": None})
    plt.close(fig)
    data = buf.getvalue()
    try:
        from PIL import Image
        img = Image.open(io.BytesIO(data)).convert("RGB")
        out = io.BytesIO()
        img.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE) \
            .save(out, format="PNG", optimize=True)
        if len(out.getvalue()) < len(data):
            data = out.getvalue()
    except ImportError:
        pass
    with open(path, "wb") as fh:
        fh.write(data)
    return len(data)


def run_one(program, description, filename, plot, argv=None):
    """main() of a script that writes one plot: start(), then plot(Gst, plt, path, report)
    with path OUTDIR/filename, which returns (PNG size, exit status) and appends lines to
    report; prints "wrote PATH (N KB)" and the report. Returns the exit status (1 with
    the message printed when plot raises RuntimeError)."""
    started = start(program, description, argv)
    if started is None:
        return 1
    outdir, plt, Gst = started
    path = os.path.join(outdir, filename)
    report = []
    try:
        size, status = plot(Gst, plt, path, report)
    except RuntimeError as e:
        print(f"{program}: {e}", file=sys.stderr)
        return 1
    print(f"wrote {path} ({size // 1024} KB)")
    for line in report:
        print(f"  {line}")
    return status


# ---------------------------------------------------------------- appsrc ! ... ! appsink

def element_pipeline(Gst, factory, caps):
    """appsrc ! FACTORY ! appsink, both ends on caps (a Gst.Caps), the appsrc in time
    format and the appsink not synchronised. Returns (pipeline, appsrc, element, appsink)."""
    pipe = Gst.Pipeline.new(None)
    src = Gst.ElementFactory.make("appsrc", None)
    element = Gst.ElementFactory.make(factory, None)
    sink = Gst.ElementFactory.make("appsink", None)
    src.set_property("caps", caps)
    src.set_property("format", Gst.Format.TIME)
    sink.set_property("caps", caps)
    sink.set_property("sync", False)
    for e in (src, element, sink):
        pipe.add(e)
    src.link(element)
    element.link(sink)
    return pipe, src, element, sink


def push(Gst, src, x, i0, block, rate, dtype):
    """Pushes frames i0 .. i0 + block of x (frames along its first axis) into the appsrc
    src as one buffer of samples of dtype ("<f4", "<f8"), stamped by frame position."""
    import numpy as np
    chunk = np.ascontiguousarray(x[i0:i0 + block], dtype=dtype)
    buf = Gst.Buffer.new_wrapped(chunk.tobytes())
    buf.pts = Gst.util_uint64_scale(i0, Gst.SECOND, rate)
    buf.duration = Gst.util_uint64_scale(chunk.shape[0], Gst.SECOND, rate)
    src.emit("push-buffer", buf)


def push_all(Gst, src, x, block, rate, dtype):
    """All of x into src in buffers of block frames (push()), then end-of-stream."""
    for i0 in range(0, x.shape[0], block):
        push(Gst, src, x, i0, block, rate, dtype)
    src.emit("end-of-stream")


def pull_all(sink, dtype):
    """Every sample the appsink sink hands out until end-of-stream, its buffers'
    samples (of dtype) one after the other in a flat array (float64 zeros(0) if none)."""
    import numpy as np
    chunks = []
    while True:
        sample = sink.emit("pull-sample")
        if sample is None:
            break
        b = sample.get_buffer()
        chunks.append(np.frombuffer(b.extract_dup(0, b.get_size()), dtype=dtype))
    return np.concatenate(chunks) if chunks else np.zeros(0)


def latency_ns(Gst, element):
    """The latency (ns) a LATENCY query on element's src pad answers, or None."""
    query = Gst.Query.new_latency()
    return query.parse_latency()[1] if element.get_static_pad("src").query(query) else None


def interval_s(s):
    """(start s, end s) of a meter message's structure (its timestamp and duration)."""
    ts, dur = s.get_value("timestamp"), s.get_value("duration")
    return ts / 1e9, (ts + dur) / 1e9


def finish(Gst, pipe, what, on_element=None, on_warning=None):
    """Pops every message on pipe's bus, in order: on_element(source name, structure) for
    each element message with a structure, on_warning(message) for each warning; sets
    pipe to NULL and raises RuntimeError("WHAT: error (debug)") on an error message (the
    last one)."""
    error = None
    bus = pipe.get_bus()
    while True:
        msg = bus.pop()
        if msg is None:
            break
        if msg.type == Gst.MessageType.ERROR:
            error = msg.parse_error()
        elif msg.type == Gst.MessageType.WARNING:
            if on_warning is not None:
                on_warning(msg)
        elif msg.type == Gst.MessageType.ELEMENT:
            s = msg.get_structure()
            if s is not None and on_element is not None:
                on_element(msg.src.get_name(), s)
    pipe.set_state(Gst.State.NULL)
    if error is not None:
        err, dbg = error
        raise RuntimeError(f"{what}: {err.message} ({dbg})")


def check_frames(got, sent, what):
    """Raises RuntimeError("WHAT: got N frames, sent M") when the counts differ."""
    if got != sent:
        raise RuntimeError(f"{what}: got {got} frames, sent {sent}")


def require(Gst, factory):
    """Raises RuntimeError naming the way to build the plugin when factory is missing."""
    if Gst.ElementFactory.find(factory) is None:
        raise RuntimeError(f"element '{factory}' not found: build the plugin "
                           "(scripts/build.sh) and pass --plugin-dir build/gst")


def run_mono(Gst, element_name, x, props, rate):
    """Pushes the mono signal x (float64) through appsrc ! element_name ! appsink with
    the given properties (values as gst-launch takes them), in 1024-frame buffers.
    Returns (output float64 array, latency in frames from the element's LATENCY query
    or None, [(interval end s, gain-reduction dB)] from its meter messages); raises
    on an error message or when the frame count changes."""
    require(Gst, element_name)
    caps = Gst.Caps.from_string(
        f"audio/x-raw,format=F64LE,layout=interleaved,rate={rate},channels=1")
    pipe, src, element, sink = element_pipeline(Gst, element_name, caps)
    for k, v in props.items():
        Gst.util_set_object_arg(element, k, str(v).lower() if isinstance(v, bool) else str(v))
    pipe.set_state(Gst.State.PLAYING)
    push_all(Gst, src, x, 1024, rate, "<f8")
    y = pull_all(sink, "<f8")
    ns = latency_ns(Gst, element)
    latency = None if ns is None else round(ns * rate / Gst.SECOND)
    meter = []

    def on_element(_, s):
        if s.get_name() == element_name:
            meter.append((interval_s(s)[1], s.get_value("gain-reduction")))
    finish(Gst, pipe, element_name, on_element)
    check_frames(y.size, x.size, element_name)
    return y, latency, meter
