"""The main job's processing chain: a list of stages run through GStreamer from Python GI.

A stage is one element with its properties. The chain runs
    filesrc ! wavparse ! audioconvert ! F32LE ! [meter-in] ! stage ! stage ... ! [meter-out]
        ! audioconvert ! wavenc ! filesink
with Gst.parse_launch, and collects every element message on the bus by the name of the
element that posted it (a stage's own message, and any others it names in
extra_messages, such as loudnorm's "loudnorm-summary" at EOS), and the tags that reach
the output file's sink.

The mastering order, from DESIGN.md, is
    mixeq -> mixcomp -> stereowidth -> masterlimiter -> loudnorm
with sidechainduck used at mix stage (music stems under the lead, keyed by the lead stem
that generate.py writes) and albumsequencer joining several masters into one album.
The mix stage runs first, as a pipeline of its own (run_mix, mix_launch_line):
    drums, bass, pad stems -> audiomixer (music bus) -> sidechainduck (key: lead stem)
        -> audiomixer (+ lead stem) -> demo-mix.wav
and the master chain then processes demo-mix.wav.
A stage whose element is not installed is an error when required, else skipped with a note.
run() can also write what comes out of given stages ("taps": a tee after the stage, its
copy written as F32 WAV on a branch of its own), so a stage can be measured on its own
input and output inside the chain.
Properties of GstChildProxy children go in a stage's props as "child::property" keys
(mixeq's bands: "band0::freq"); they are checked against the children and written into
the launch line after the element's own properties. impulse_response() measures one
stage's element on its own, set up the same way (the main job plots the master EQ curve
from it).
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
    extra_messages: tuple = ()  # other message names it posts (e.g. a summary at EOS)


# The mix stage, before the master chain: the music bus (drums + bass + pad, summed
# with audiomixer) ducks under the lead with sidechainduck keyed by the lead stem, and
# the ducked bus plus the lead (audiomixer) is the mix the master chain gets. Subtle
# ducking for a song, not a radio voice-over: at most 5 dB, 4:1 with a 6 dB soft knee
# from a threshold 10 dB under the lead's level as the key detector sees it (the key's
# channels summed, 150 Hz - 5 kHz: the voice, not its lows and sibilants; the main job
# measures it on the lead stem and sets the threshold), so the lead's syllables take
# the full depth and its quiet tails a little less; a quick attack (10 ms), a hold
# (100 ms) over the gaps between syllables and a 300 ms release, so the music comes
# back between phrases without pumping. No lookahead: the dip starts with the voice.
MIX_MUSIC = ("drums", "bass", "pad")   # the stems on the music bus
MIX_KEY = "lead"                        # the key, summed with the ducked bus into the mix
MIX_DUCK_BELOW_LEAD_DB = 10.0           # threshold: the lead's level minus this
MIX_DUCK = {
    "depth": 5.0, "ratio": 4.0, "knee": 6.0, "attack": 10.0, "hold": 100.0,
    "release": 300.0, "key-hpf": 150.0, "key-lpf": 5000.0, "post-messages": True,
    "interval": 100 * Gst.MSECOND,
}


def mix_duck_stage(threshold):
    """The mix stage's sidechainduck with its threshold (dBFS, the key's RMS)."""
    props = dict({"threshold": float(threshold)}, **MIX_DUCK)
    return Stage("duck", "sidechainduck", props, message="sidechainduck",
                 what=f"music bus under the lead: threshold {threshold:g} dBFS, depth "
                      f"{props['depth']:g} dB, {props['ratio']:g}:1, knee {props['knee']:g} "
                      f"dB, attack {props['attack']:g} ms, hold {props['hold']:g} ms, "
                      f"release {props['release']:g} ms, key {props['key-hpf']:g} Hz - "
                      f"{props['key-lpf'] / 1000:g} kHz")


# The master EQ (mixeq): broad mastering moves, the 5-band example of docs/mixeq.md.
# Bands are GstChildProxy children; "bandN::prop" keys go into the launch line as they
# are (Gst.parse_launch resolves them), after num-bands. No side high-pass here: the
# stereowidth stage below makes the bass mono with a phase-coherent LR4 crossover, which
# a plain side high-pass (band channels=side) cannot do (see docs/mixeq.md).
MASTER_EQ = {
    "num-bands": 5,
    "band0::type": "high-pass", "band0::freq": 25.0, "band0::slope": 24,
    "band1::type": "low-shelf", "band1::freq": 90.0, "band1::gain": 1.0,
    "band2::type": "peaking", "band2::freq": 300.0, "band2::gain": -1.5, "band2::q": 1.0,
    "band3::type": "peaking", "band3::freq": 2500.0, "band3::gain": -1.0, "band3::q": 2.0,
    "band4::type": "high-shelf", "band4::freq": 10000.0, "band4::gain": 1.5,
}

# The glue compressor (mixcomp): gentle mix-bus compression, the "glue" recipe of
# docs/mixcomp.md. RMS detector (10 ms, the default), stereo linked; 2:1 from a 6 dB
# soft knee around -20 dBFS, an attack slow enough (30 ms) to let the drums' transients
# through. On the demo mix (about -19.9 dBFS RMS after the EQ) that is up to 4 dB of gain
# reduction (1.3 dB on average), about 1.6 dB less level; the 2 dB of makeup brings the
# level back. (The threshold was -18 for the plain premix of the stems, 2.6 dB louder
# than this mix, whose music ducks under the lead: it follows the mix's level.)
MASTER_GLUE = {
    "threshold": -20.0, "ratio": 2.0, "knee": 6.0, "attack": 30.0, "release": 200.0,
    "makeup": 2.0, "post-messages": True, "interval": 100 * Gst.MSECOND,
}

# The limiter (masterlimiter): the last processor, the "streaming master" recipe of
# docs/masterlimiter.md. The demo mix comes out of the stages before it at about
# -18.6 LUFS with its true peak at -4 dBTP; 4.75 dB of drive into a -1 dBTP ceiling
# takes it to about -14 LUFS (near the streaming target; loudnorm after it puts it on
# the target exactly) with up to 2 dB of gain reduction on the loudest drum hits.
# (The drive was 2.5 dB for the plain premix of the stems, 2.3 LU louder than this mix.)
# Lookahead 5 ms, release 150 ms with auto-release and the 8x true-peak detector are
# the defaults.
MASTER_LIMIT = {
    "ceiling": -1.0, "input-gain": 4.75, "post-messages": True,
    "interval": 100 * Gst.MSECOND,
}

# Delivery (loudnorm): file mode, the streaming preset (-14 LUFS, -1 dBTP). It holds
# the whole master, measures it, and puts it out with one static gain on -14 LUFS; its
# true-peak limiter takes only what that gain would push over -1 dBTP. After the limiter
# above (-13.9 LUFS, -1.15 dBTP) that is a trim of about -0.1 dB and no limiting.
MASTER_LOUDNESS = {
    "mode": "file", "preset": "streaming", "post-messages": True,
    "interval": 100 * Gst.MSECOND,
}

# The master chain. Master-ish settings: a broad EQ, a little glue compression, a
# little wider with bass mono below 120 Hz, limited to -1 dBTP, then put on the
# streaming loudness target.
MASTER_CHAIN = [
    Stage("eq", "mixeq", MASTER_EQ,
          what="high-pass 25 Hz 24 dB/oct, low-shelf 90 Hz +1 dB, 300 Hz -1.5 dB, "
               "2.5 kHz -1 dB, high-shelf 10 kHz +1.5 dB"),
    Stage("glue", "mixcomp", MASTER_GLUE, message="mixcomp",
          what="threshold -20 dBFS, 2:1, knee 6 dB, attack 30 ms, release 200 ms, "
               "makeup +2 dB"),
    Stage("width", "stereowidth",
          {"width": 1.3, "bass-mono-freq": 120.0, "post-messages": True,
           "interval": 100 * Gst.MSECOND},
          message="stereowidth", what="width 1.3, bass mono below 120 Hz"),
    Stage("limit", "masterlimiter", MASTER_LIMIT, message="masterlimiter",
          what="input-gain +4.75 dB, ceiling -1 dBTP (lookahead 5 ms, release 150 ms auto, "
               "8x true peak)"),
    Stage("loud", "loudnorm", MASTER_LOUDNESS, message="loudnorm",
          extra_messages=("loudnorm-summary",),
          what="file mode, preset streaming: -14 LUFS, -1 dBTP (one static gain, "
               "true-peak limiter for the overs)"),
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


def _ordered_props(stage):
    """Element properties first (num-bands before any bandN::...), then child ones."""
    items = list(stage.props.items())
    return [kv for kv in items if "::" not in kv[0]] + [kv for kv in items if "::" in kv[0]]


def _find_property(el, name):
    """(object, pspec) for a property or a GstChildProxy path such as "band0::freq"."""
    if "::" in name and isinstance(el, Gst.ChildProxy):
        ok, target, pspec = Gst.ChildProxy.lookup(el, name)
        return (target, pspec) if ok else (None, None)
    pspec = el.find_property(name)
    return (el, pspec) if pspec is not None else (None, None)


def check_stage(stage):
    """Returns None if the stage can run, else a reason. Unknown properties, and numbers
    outside a property's range (which Gst.parse_launch would only warn about and
    ignore), are reported as a contract mismatch rather than left to a vague parse
    error or a silently different chain."""
    factory = Gst.ElementFactory.find(stage.factory)
    if factory is None:
        return (f"element '{stage.factory}' not found (is GST_PLUGIN_PATH pointing at "
                f"build/gst, and is the plugin built?)")
    el = factory.create(None)
    if el is None:
        return f"element '{stage.factory}' could not be created"
    for p, v in _ordered_props(stage):
        target, pspec = _find_property(el, p)
        if pspec is None:
            return f"element '{stage.factory}' has no property '{p}'"
        if (isinstance(v, (int, float)) and not isinstance(v, bool)
                and hasattr(pspec, "minimum") and hasattr(pspec, "maximum")
                and not pspec.minimum <= v <= pspec.maximum):
            return (f"element '{stage.factory}': {p}={v} is outside "
                    f"{pspec.minimum:g} .. {pspec.maximum:g}")
        enum_values = getattr(type(getattr(pspec, "default_value", None)),
                              "__enum_values__", None)
        if enum_values and not isinstance(v, bool):
            allowed = {e.value_nick for e in enum_values.values()}
            names = {e.value_name for e in enum_values.values()}
            if not (v in allowed or v in names
                    or (isinstance(v, int) and v in enum_values)):
                return (f"element '{stage.factory}': {p}={v!r} is not one of "
                        f"{', '.join(sorted(allowed, key=lambda a: (len(a), a)))}")
        if "::" not in p:
            # element properties come first: num-bands of mixeq reveals the children
            # the later "bandN::" keys are looked up in
            try:
                el.set_property(p, v)
            except (TypeError, ValueError) as e:
                return f"element '{stage.factory}': {p}={v!r} refused ({e})"
    return None


def stage_launch(stage):
    props = " ".join(f"{k}={_prop(v)}" for k, v in _ordered_props(stage))
    return f"{stage.factory} name={stage.name} {props}".strip()


def impulse_response(stage, rate, impulse, frames=1 << 16):
    """Runs a unit impulse through the stage's element alone, set up exactly as in the
    chain (same launch-line properties): appsrc ! ELEMENT ! appsink, F64 interleaved.
    impulse holds one input value per channel (e.g. (1, 1) for the mid, (1, -1) for the
    side of a stereo pair). Returns a (frames, channels) float64 numpy array."""
    import numpy as np
    channels = len(impulse)
    caps = (f"audio/x-raw,format=F64LE,layout=interleaved,rate={rate},channels={channels}"
            + (",channel-mask=(bitmask)0x3" if channels == 2 else ""))
    line = (f"appsrc name=src format=time caps={_quote(caps)} ! {stage_launch(stage)} ! "
            f"appsink name=sink sync=false caps={_quote(caps)}")
    try:
        pipeline = Gst.parse_launch(line)
    except GLib.Error as e:
        raise ChainError(f"could not build the pipeline: {e.message}\n  {line}") from e
    src, sink = pipeline.get_by_name("src"), pipeline.get_by_name("sink")
    x = np.zeros((frames, channels))
    x[0, :] = impulse
    buf = Gst.Buffer.new_wrapped(x.astype("<f8").tobytes())
    buf.pts = 0
    buf.duration = Gst.util_uint64_scale(frames, Gst.SECOND, rate)
    pipeline.set_state(Gst.State.PLAYING)
    src.emit("push-buffer", buf)
    src.emit("end-of-stream")
    chunks = []
    try:
        while True:
            sample = sink.emit("try-pull-sample", 10 * Gst.SECOND)
            if sample is None:
                break
            b = sample.get_buffer()
            chunks.append(np.frombuffer(b.extract_dup(0, b.get_size()), dtype="<f8"))
        msg = pipeline.get_bus().pop_filtered(Gst.MessageType.ERROR)
        if msg is not None:
            err, dbg = msg.parse_error()
            raise ChainError(f"{msg.src.get_name()}: {err.message}\n  ({dbg})")
    finally:
        pipeline.set_state(Gst.State.NULL)
    y = np.concatenate(chunks) if chunks else np.zeros(0)
    if y.size != frames * channels:
        raise ChainError(f"impulse response of '{stage.name}': {y.size // channels} "
                         f"frames out, {frames} in")
    return y.reshape(frames, channels)


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


def launch_line(in_path, out_path, stages, out_format="F32LE", taps=None):
    """taps: {stage name: WAV path}: what comes out of that stage is also written there
    (F32, exactly the samples the next stage gets), through a tee and a queue.
    The file sinks do not preroll (async=false): a stage that holds the whole stream
    until EOS (loudnorm mode=file) leaves the sinks after it nothing to preroll on
    until the end, while a tap's sink before it, prerolled, would block the paused
    pipeline's streaming (its queue fills, then the tee) before EOS ever reaches the
    holding stage. The output file's sink is named "master_sink"."""
    taps = taps or {}
    parts = [f"filesrc location={_quote(in_path)}", "wavparse", "audioconvert",
             "audio/x-raw,format=F32LE,layout=interleaved"]
    branches = []
    for st in stages:
        parts.append(stage_launch(st))
        if st.name in taps:
            parts += [f"tee name=tap_{st.name}", "queue"]
            branches.append(f"tap_{st.name}. ! queue ! wavenc ! "
                            f"filesink async=false location={_quote(taps[st.name])}")
    parts += ["audioconvert", f"audio/x-raw,format={out_format}", "wavenc",
              f"filesink name=master_sink async=false location={_quote(out_path)}"]
    return "  ".join([" ! ".join(parts)] + branches)


def check_mix(duck):
    """Raises ChainError when the mix stage cannot run: the ducker's element and
    properties (check_stage), and audiomixer (gst-plugins-base)."""
    why = check_stage(duck)
    if why is not None:
        raise ChainError(f"stage '{duck.name}': {why}")
    if Gst.ElementFactory.find("audiomixer") is None:
        raise ChainError("element 'audiomixer' not found (gst-plugins-base: "
                         "gstreamer1.0-plugins-base)")


def mix_launch_line(stems, out_path, duck, rate, taps=None):
    """The mix stage: the MIX_MUSIC stems summed by audiomixer "music_bus" into the
    ducker's main pad, the MIX_KEY stem into its sidechain pad and, through a tee, with
    the ducked bus into audiomixer "mix_bus", written to out_path (F32 WAV, sink
    "mix_sink"). stems: {name: WAV path}. taps: {"music_bus" or the ducker's name: WAV
    path} writes what goes into the ducker's main pad or comes out of it (F32). Every
    stem is brought to F32 stereo at rate, the caps after each mixer too (generate.py's
    stems already are: audioconvert and audioresample pass them through, and the
    mixers only add). The file sinks do not preroll (async=false), as in launch_line()."""
    taps = taps or {}
    caps = f"audio/x-raw,format=F32LE,layout=interleaved,rate={rate},channels=2"

    def src(name):
        return (f"filesrc location={_quote(stems[name])} ! wavparse ! audioconvert ! "
                f"audioresample ! {caps}")

    def tee(name):
        return (f" ! tee name=tap_{name} ! queue" if name in taps else "")

    parts = [f"audiomixer name=music_bus ! {caps}{tee('music_bus')} ! {duck.name}.sink",
             f"{stage_launch(duck)}{tee(duck.name)} ! mix_bus.",
             f"audiomixer name=mix_bus ! {caps} ! wavenc ! "
             f"filesink name=mix_sink async=false location={_quote(out_path)}"]
    parts += [f"{src(name)} ! queue ! music_bus." for name in MIX_MUSIC]
    parts += [f"{src(MIX_KEY)} ! tee name=key ! queue ! {duck.name}.sidechain",
              "key. ! queue ! mix_bus."]
    parts += [f"tap_{name}. ! queue ! wavenc ! filesink async=false "
              f"location={_quote(path)}" for name, path in taps.items()]
    return "  ".join(parts)


def run_mix(stems, out_path, duck, rate, taps=None, timeout_s=60):
    """Runs the mix stage (mix_launch_line) to EOS. Returns what run() returns (the
    ducker's messages under its name)."""
    return run_line(mix_launch_line(stems, out_path, duck, rate, taps), [duck], timeout_s,
                    sink_name="mix_sink")


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


def _latency_ns(pad):
    """The minimum latency a LATENCY query on pad reports, or None."""
    q = Gst.Query.new_latency()
    if pad is None or not pad.query(q):
        return None
    return q.parse_latency()[1]


def stage_latency_ns(pipeline, stage):
    """The latency the stage's element adds: what a LATENCY query reports on its
    source pad minus what its upstream peer reports (None when either fails)."""
    el = pipeline.get_by_name(stage.name)
    if el is None:
        return None
    sink = el.get_static_pad("sink")
    ours = _latency_ns(el.get_static_pad("src"))
    up = _latency_ns(sink.get_peer() if sink is not None else None)
    return None if ours is None or up is None else ours - up


def _tags(taglist):
    """A tag list as {tag: first value} (values gi can unpack)."""
    out = {}
    for i in range(taglist.n_tags()):
        name = taglist.nth_tag_name(i)
        try:
            v = taglist.get_value_index(name, 0)
        except TypeError:
            continue
        if isinstance(v, (bool, int, float, str)):
            out[name] = v
    return out


def run(in_path, out_path, stages, out_format="F32LE", timeout_s=120, taps=None):
    """Runs the chain to EOS. Returns {"launch": str, "messages": {element name: [dict]},
    "extra_messages": {element name: {message name: [dict]}}, "sink_tags": [dict],
    "warnings": [str], "latency": {element name: ns}} (extra_messages: the stages'
    extra_messages; sink_tags: every tag list the output file's sink saw, in order;
    latency: what each stage's element reports in the LATENCY query, asked at EOS).
    Raises ChainError on an error message or a timeout. taps: {stage name: WAV path} to
    write what comes out of those stages too."""
    line = launch_line(in_path, out_path, stages, out_format, taps)
    return run_line(line, stages, timeout_s)


def run_line(line, stages, timeout_s=120, sink_name="master_sink"):
    """Runs a launch line to EOS and collects what run() returns: the stages' messages
    and extra messages by element name, the tags that reach the element sink_name,
    warnings, and each stage's latency (asked at EOS). Raises ChainError on an error
    message or a timeout."""
    try:
        pipeline = Gst.parse_launch(line)
    except GLib.Error as e:
        raise ChainError(f"could not build the pipeline: {e.message}\n  {line}") from e
    messages = {st.name: [] for st in stages}
    extra = {st.name: {n: [] for n in st.extra_messages} for st in stages if st.extra_messages}
    wanted = {st.name: st.message for st in stages}
    sink_tags = []
    warnings = []
    bus = pipeline.get_bus()
    if pipeline.set_state(Gst.State.PLAYING) == Gst.StateChangeReturn.FAILURE:
        pipeline.set_state(Gst.State.NULL)
        raise ChainError(f"pipeline refused to start:\n  {line}")
    mask = (Gst.MessageType.ERROR | Gst.MessageType.EOS | Gst.MessageType.ELEMENT
            | Gst.MessageType.WARNING | Gst.MessageType.TAG)
    try:
        while True:
            msg = bus.timed_pop_filtered(timeout_s * Gst.SECOND, mask)
            if msg is None:
                raise ChainError(f"no EOS after {timeout_s} s:\n  {line}")
            if msg.type == Gst.MessageType.EOS:
                latency = {st.name: stage_latency_ns(pipeline, st) for st in stages}
                break
            if msg.type == Gst.MessageType.ERROR:
                err, dbg = msg.parse_error()
                raise ChainError(f"{msg.src.get_name()}: {err.message}\n  ({dbg})")
            if msg.type == Gst.MessageType.WARNING:
                w, _ = msg.parse_warning()
                warnings.append(f"{msg.src.get_name()}: {w.message}")
                continue
            src = msg.src.get_name() if msg.src else None
            if msg.type == Gst.MessageType.TAG:
                if src == sink_name:
                    sink_tags.append(_tags(msg.parse_tag()))
                continue
            s = msg.get_structure()
            if s is None or src not in wanted:
                continue
            if s.get_name() in extra.get(src, {}):
                extra[src][s.get_name()].append(_fields(s))
                continue
            if s.get_name() != wanted[src]:
                continue
            d = _fields(s)
            d["t"] = _message_time(s, msg)
            messages[src].append(d)
    finally:
        pipeline.set_state(Gst.State.NULL)
    return {"launch": line, "messages": messages, "extra_messages": extra,
            "sink_tags": sink_tags, "warnings": warnings, "latency": latency}
