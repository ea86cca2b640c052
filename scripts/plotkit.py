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


def run_mono(Gst, element_name, x, props, rate):
    """Pushes the mono signal x (float64) through appsrc ! element_name ! appsink with
    the given properties (values as gst-launch takes them), in 1024-frame buffers.
    Returns (output float64 array, latency in frames from the element's LATENCY query
    or None, [(interval end s, gain-reduction dB)] from its meter messages); raises
    on an error message or when the frame count changes."""
    import numpy as np
    if Gst.ElementFactory.find(element_name) is None:
        raise RuntimeError(f"element '{element_name}' not found: build the plugin "
                           "(scripts/build.sh) and pass --plugin-dir build/gst")
    caps = Gst.Caps.from_string(
        f"audio/x-raw,format=F64LE,layout=interleaved,rate={rate},channels=1")
    pipe = Gst.Pipeline.new(None)
    src = Gst.ElementFactory.make("appsrc", None)
    element = Gst.ElementFactory.make(element_name, None)
    sink = Gst.ElementFactory.make("appsink", None)
    src.set_property("caps", caps)
    src.set_property("format", Gst.Format.TIME)
    sink.set_property("caps", caps)
    sink.set_property("sync", False)
    for e in (src, element, sink):
        pipe.add(e)
    src.link(element)
    element.link(sink)
    for k, v in props.items():
        Gst.util_set_object_arg(element, k, str(v).lower() if isinstance(v, bool) else str(v))
    pipe.set_state(Gst.State.PLAYING)
    block = 1024
    for i0 in range(0, x.size, block):
        chunk = np.ascontiguousarray(x[i0:i0 + block], dtype="<f8")
        buf = Gst.Buffer.new_wrapped(chunk.tobytes())
        buf.pts = Gst.util_uint64_scale(i0, Gst.SECOND, rate)
        buf.duration = Gst.util_uint64_scale(chunk.size, Gst.SECOND, rate)
        src.emit("push-buffer", buf)
    src.emit("end-of-stream")
    chunks = []
    while True:
        sample = sink.emit("pull-sample")
        if sample is None:
            break
        b = sample.get_buffer()
        chunks.append(np.frombuffer(b.extract_dup(0, b.get_size()), dtype="<f8"))
    query = Gst.Query.new_latency()
    latency = None
    if element.get_static_pad("src").query(query):
        latency = round(query.parse_latency()[1] * rate / Gst.SECOND)
    meter, error = [], None
    bus = pipe.get_bus()
    while True:
        msg = bus.pop()
        if msg is None:
            break
        if msg.type == Gst.MessageType.ERROR:
            error = msg.parse_error()
        elif msg.type == Gst.MessageType.ELEMENT:
            s = msg.get_structure()
            if s is not None and s.get_name() == element_name:
                ts, dur = s.get_value("timestamp"), s.get_value("duration")
                meter.append(((ts + dur) / 1e9, s.get_value("gain-reduction")))
    pipe.set_state(Gst.State.NULL)
    if error is not None:
        err, dbg = error
        raise RuntimeError(f"{element_name}: {err.message} ({dbg})")
    y = np.concatenate(chunks) if chunks else np.zeros(0)
    if y.size != x.size:
        raise RuntimeError(f"{element_name}: got {y.size} frames, sent {x.size}")
    return y, latency, meter
