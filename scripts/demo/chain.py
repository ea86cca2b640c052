"""The main job's processing chain: a list of stages run through GStreamer from Python GI.

A stage is one element with its properties. The chain runs
    filesrc ! wavparse ! audioconvert ! F32LE ! [meter-in] ! stage ! stage ... ! [meter-out]
        ! audioconvert ! wavenc ! filesink
with Gst.parse_launch, and collects every element message on the bus by the name of the
element that posted it.

Extending it: append a Stage to MASTER_CHAIN below as each element lands. The intended
mastering order, from DESIGN.md, is
    mixeq -> mixcomp -> stereowidth -> masterlimiter -> loudnorm
with sidechainduck used at mix stage (music stems under the lead, keyed by the lead stem
that generate.py writes) and albumsequencer joining several masters into one album.
A stage whose element is not installed is an error when required, else skipped with a note.
"""

from dataclasses import dataclass, field

import gi

gi.require_version("Gst", "1.0")
from gi.repository import GLib, Gst  # noqa: E402


@dataclass
class Stage:
    name: str                   # element instance name in the pipeline
    factory: str                # element factory, e.g. "stereowidth"
    props: dict = field(default_factory=dict)
    message: str = None         # element message structure name it posts, if any
    required: bool = True       # missing element: error (True) or skip with a note
    what: str = ""              # one line for the report


# The master chain. Master-ish settings: a little wider, bass mono below 120 Hz.
MASTER_CHAIN = [
    Stage("width", "stereowidth",
          {"width": 1.3, "bass-mono-freq": 120.0, "post-messages": True,
           "interval": 100 * Gst.MSECOND},
          message="stereowidth", what="width 1.3, bass mono below 120 Hz"),
    # Next (once they exist; property names per DESIGN.md and each element's docs):
    # Stage("eq", "mixeq", {...}, message="mixeq"),
    # Stage("glue", "mixcomp", {...}, message="mixcomp"),
    # Stage("limit", "masterlimiter", {...}, message="masterlimiter"),
    # Stage("loud", "loudnorm", {...}, message="loudnorm"),
]

# stereowidth at unity is a bit-exact pass-through that still meters: use it to measure
# correlation and side-to-mid with the element itself before and after the chain.
METER_BEFORE = Stage("meter_before", "stereowidth",
                     {"width": 1.0, "post-messages": True, "interval": 100 * Gst.MSECOND},
                     message="stereowidth", required=False, what="meter (unity)")
METER_AFTER = Stage("meter_after", "stereowidth",
                    {"width": 1.0, "post-messages": True, "interval": 100 * Gst.MSECOND},
                    message="stereowidth", required=False, what="meter (unity)")


class ChainError(Exception):
    pass


def _quote(s):
    return '"' + str(s).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _prop(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return repr(v)
    if isinstance(v, int):
        return str(v)
    return _quote(v)


def check_stage(stage):
    """Returns None if the stage can run, else a reason. Unknown properties are reported
    as a contract mismatch rather than left to a vague parse error."""
    factory = Gst.ElementFactory.find(stage.factory)
    if factory is None:
        return (f"element '{stage.factory}' not found (is GST_PLUGIN_PATH pointing at "
                f"build/gst, and is the plugin built?)")
    el = factory.create(None)
    if el is None:
        return f"element '{stage.factory}' could not be created"
    for p in stage.props:
        if el.find_property(p) is None:
            return f"element '{stage.factory}' has no property '{p}'"
    return None


def stage_launch(stage):
    props = " ".join(f"{k}={_prop(v)}" for k, v in stage.props.items())
    return f"{stage.factory} name={stage.name} {props}".strip()


def plan(stages, meters=True):
    """Resolves which stages run. Returns (runnable stages, notes)."""
    run, notes = [], []
    seq = ([METER_BEFORE] if meters else []) + list(stages) + ([METER_AFTER] if meters else [])
    for st in seq:
        why = check_stage(st)
        if why is None:
            run.append(st)
        elif st.required:
            raise ChainError(f"stage '{st.name}': {why}")
        else:
            notes.append(f"skipped {st.name}: {why}")
    return run, notes


def launch_line(in_path, out_path, stages, out_format="F32LE"):
    parts = [f"filesrc location={_quote(in_path)}", "wavparse", "audioconvert",
             "audio/x-raw,format=F32LE,layout=interleaved"]
    parts += [stage_launch(st) for st in stages]
    parts += ["audioconvert", f"audio/x-raw,format={out_format}", "wavenc",
              f"filesink location={_quote(out_path)}"]
    return " ! ".join(parts)


def _message_time(s, msg):
    """End of the message's interval in seconds (stream time), like level's messages."""
    def get(name):
        ok, v = (False, None)
        if s.has_field(name):
            v = s.get_value(name)
            ok = isinstance(v, int) and v != Gst.CLOCK_TIME_NONE
        return v if ok else None
    start = get("stream-time")
    if start is None:
        start = get("timestamp")
    if start is None:
        start = get("running-time")
    dur = get("duration") or 0
    if start is None:
        return None
    return (start + dur) / 1e9


def _fields(s):
    out = {}
    for i in range(s.n_fields()):
        name = s.nth_field_name(i)
        try:
            v = s.get_value(name)
        except TypeError:  # arrays and other types gi cannot unpack: not needed here
            continue
        if isinstance(v, (bool, int, float, str)):
            out[name] = v
    return out


def run(in_path, out_path, stages, out_format="F32LE", timeout_s=120):
    """Runs the chain to EOS. Returns {"launch": str, "messages": {element name: [dict]},
    "warnings": [str]}. Raises ChainError on an error message or a timeout."""
    line = launch_line(in_path, out_path, stages, out_format)
    try:
        pipeline = Gst.parse_launch(line)
    except GLib.Error as e:
        raise ChainError(f"could not build the pipeline: {e.message}\n  {line}") from e
    messages = {st.name: [] for st in stages}
    wanted = {st.name: st.message for st in stages}
    warnings = []
    bus = pipeline.get_bus()
    if pipeline.set_state(Gst.State.PLAYING) == Gst.StateChangeReturn.FAILURE:
        pipeline.set_state(Gst.State.NULL)
        raise ChainError(f"pipeline refused to start:\n  {line}")
    mask = (Gst.MessageType.ERROR | Gst.MessageType.EOS | Gst.MessageType.ELEMENT
            | Gst.MessageType.WARNING)
    try:
        while True:
            msg = bus.timed_pop_filtered(timeout_s * Gst.SECOND, mask)
            if msg is None:
                raise ChainError(f"no EOS after {timeout_s} s:\n  {line}")
            if msg.type == Gst.MessageType.EOS:
                break
            if msg.type == Gst.MessageType.ERROR:
                err, dbg = msg.parse_error()
                raise ChainError(f"{msg.src.get_name()}: {err.message}\n  ({dbg})")
            if msg.type == Gst.MessageType.WARNING:
                w, _ = msg.parse_warning()
                warnings.append(f"{msg.src.get_name()}: {w.message}")
                continue
            s = msg.get_structure()
            src = msg.src.get_name() if msg.src else None
            if s is None or src not in wanted or s.get_name() != wanted[src]:
                continue
            d = _fields(s)
            d["t"] = _message_time(s, msg)
            messages[src].append(d)
    finally:
        pipeline.set_state(Gst.State.NULL)
    return {"launch": line, "messages": messages, "warnings": warnings}
