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
