#!/usr/bin/python3
# Python GI test: every element of the mixmaster plugin is created with
# Gst.ElementFactory.make, every writable property is set (minimum, maximum and
# default) and read back, and a short pipeline runs through each element; then each
# element's own checks from Python (masterlimiter: numpy through appsrc/appsink, its
# ceiling, length, latency query and meter; loudnorm: presets, the analyze meter and
# file mode measured with libebur128 through the main job's ctypes meter in
# scripts/demo/report.py).
# SPDX-License-Identifier: LGPL-2.1-or-later

import math
import os
import sys
import unittest

import gi

gi.require_version("Gst", "1.0")
from gi.repository import GLib, GObject, Gst  # noqa: E402

import numpy as np  # noqa: E402

# the main job's meters: libebur128 through ctypes, a 16x windowed-sinc true peak
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                os.pardir, "scripts", "demo"))
from report import ebur128_measure, true_peak_sinc_dbtp  # noqa: E402

Gst.init(None)

# Elements whose pipelines need more than one input are driven by their own tests.
SINGLE_INPUT_PIPELINE = "audiotestsrc wave=pink-noise num-buffers=20 samplesperbuffer=960 " \
    "! audio/x-raw,rate=48000,channels=2 ! audioconvert ! {element} ! audioconvert " \
    "! appsink name=sink sync=false"


def mixmaster_factories():
    plugin = Gst.Registry.get().find_plugin("mixmaster")
    if plugin is None:
        raise RuntimeError("plugin 'mixmaster' not found; is GST_PLUGIN_PATH set to the build's gst/?")
    features = Gst.Registry.get().get_feature_list_by_plugin("mixmaster")
    return sorted(f.get_name() for f in features if isinstance(f, Gst.ElementFactory))


def values_to_try(pspec):
    t = pspec.value_type
    if t in (GObject.TYPE_DOUBLE, GObject.TYPE_FLOAT, GObject.TYPE_INT, GObject.TYPE_UINT,
             GObject.TYPE_INT64, GObject.TYPE_UINT64, GObject.TYPE_LONG, GObject.TYPE_ULONG):
        return [pspec.minimum, pspec.maximum, pspec.default_value]
    if t == GObject.TYPE_BOOLEAN:
        return [True, False, pspec.default_value]
    if t.is_a(GObject.TYPE_ENUM):
        klass = pspec.enum_class
        return [v for v in klass.__enum_values__.values()] + [pspec.default_value]
    return []


def run_pipeline(description, timeout_s=20):
    pipeline = Gst.parse_launch(description)
    sink = pipeline.get_by_name("sink")
    chunks = []

    def on_sample(appsink):
        sample = appsink.emit("pull-sample")
        buf = sample.get_buffer()
        ok, info = buf.map(Gst.MapFlags.READ)
        chunks.append(np.frombuffer(bytes(info.data), dtype=np.float32))
        buf.unmap(info)
        return Gst.FlowReturn.OK

    sink.set_property("emit-signals", True)
    sink.set_property("caps", Gst.Caps.from_string("audio/x-raw,format=F32LE"))
    sink.connect("new-sample", on_sample)
    bus = pipeline.get_bus()
    messages = []
    pipeline.set_state(Gst.State.PLAYING)
    error = None
    while True:
        msg = bus.timed_pop_filtered(timeout_s * Gst.SECOND,
                                     Gst.MessageType.EOS | Gst.MessageType.ERROR |
                                     Gst.MessageType.ELEMENT)
        if msg is None:
            error = "timeout"
            break
        if msg.type == Gst.MessageType.ELEMENT:
            messages.append(msg.get_structure().copy())
            continue
        if msg.type == Gst.MessageType.ERROR:
            err, debug = msg.parse_error()
            error = "%s (%s)" % (err.message, debug)
        break
    pipeline.set_state(Gst.State.NULL)
    samples = np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.float32)
    return error, samples, messages


def push_through(element, x, rate, fmt="F32LE", block=1000, tags=None):
    """Pushes x (frames, channels) through appsrc ! element ! appsink in `block`-frame
    buffers. Returns (output (frames, channels) float64, the element's own latency in ns
    from a LATENCY query on its source pad while playing, [element message structures]).
    tags: a list that gets every tag list the element sends downstream (a copy)."""
    channels = x.shape[1]
    dtype = "<f4" if fmt == "F32LE" else "<f8"
    caps = Gst.Caps.from_string(
        "audio/x-raw,format=%s,layout=interleaved,rate=%d,channels=%d" % (fmt, rate, channels))
    pipeline = Gst.Pipeline.new(None)
    src = Gst.ElementFactory.make("appsrc", None)
    sink = Gst.ElementFactory.make("appsink", None)
    src.set_property("caps", caps)
    src.set_property("format", Gst.Format.TIME)
    sink.set_property("caps", caps)
    sink.set_property("sync", False)
    for e in (src, element, sink):
        pipeline.add(e)
    src.link(element)
    element.link(sink)
    if tags is not None:
        def on_event(pad, info):
            event = info.get_event()
            if event.type == Gst.EventType.TAG:
                tags.append(event.parse_tag().copy())
            return Gst.PadProbeReturn.OK
        element.get_static_pad("src").add_probe(Gst.PadProbeType.EVENT_DOWNSTREAM, on_event)
    pipeline.set_state(Gst.State.PLAYING)
    for i0 in range(0, x.shape[0], block):
        chunk = np.ascontiguousarray(x[i0:i0 + block], dtype=dtype)
        buf = Gst.Buffer.new_wrapped(chunk.tobytes())
        buf.pts = Gst.util_uint64_scale(i0, Gst.SECOND, rate)
        buf.duration = Gst.util_uint64_scale(chunk.shape[0], Gst.SECOND, rate)
        src.emit("push-buffer", buf)
    src.emit("end-of-stream")
    chunks = []
    latency = None
    while True:
        sample = sink.emit("try-pull-sample", 10 * Gst.SECOND)
        if sample is None:
            break
        b = sample.get_buffer()
        chunks.append(np.frombuffer(b.extract_dup(0, b.get_size()), dtype=dtype))
        if latency is None:
            # asked while the caps are set and data flows
            query = Gst.Query.new_latency()
            if element.get_static_pad("src").query(query):
                latency = query.parse_latency()[1]
    messages, error = [], None
    bus = pipeline.get_bus()
    while True:
        msg = bus.pop()
        if msg is None:
            break
        if msg.type == Gst.MessageType.ERROR:
            err, debug = msg.parse_error()
            error = "%s (%s)" % (err.message, debug)
        elif msg.type == Gst.MessageType.ELEMENT:
            messages.append(msg.get_structure().copy())
    pipeline.set_state(Gst.State.NULL)
    if error:
        raise AssertionError(error)
    y = np.concatenate(chunks).astype(np.float64) if chunks else np.zeros(0)
    return y.reshape(-1, channels), latency, messages


def true_peak_16x(x, half_taps=32, beta=9.0):
    """Largest magnitude of x (frames, channels) and of 15 points between each pair of
    samples, from a 64-tap Kaiser-windowed sinc (beta 9: within 0.005 dB on sines up to
    0.45 x rate); x is 0 outside its ends."""
    k = np.arange(-half_taps + 1, half_taps + 1)
    u = np.arange(1, 16)[None, :] / 16.0 - k[:, None]
    taps = np.sinc(u) * np.i0(beta * np.sqrt(np.clip(1.0 - (u / half_taps) ** 2, 0.0, None)))
    taps /= np.i0(beta)
    peak = float(np.max(np.abs(x)))
    for ch in range(x.shape[1]):
        xp = np.concatenate([np.zeros(half_taps), x[:, ch], np.zeros(half_taps + 1)])
        for i0 in range(0, x.shape[0], 8192):
            n = np.arange(i0, min(i0 + 8192, x.shape[0]))
            peak = max(peak, float(np.max(np.abs(xp[n[:, None] + half_taps + k] @ taps))))
    return peak


def drum_loop(rate, seconds, seed=5):
    """Stereo test material: kick-like decaying sines and noise bursts over a quiet bed."""
    rng = np.random.default_rng(seed)
    n = int(rate * seconds)
    t = np.arange(n) / rate
    x = 0.05 * rng.standard_normal((n, 2))
    x += 0.1 * np.sin(2 * np.pi * 220.0 * t)[:, None]
    for i0 in range(int(0.05 * rate), n, int(0.25 * rate)):
        m = n - i0
        tt = np.arange(m) / rate
        hit = 0.6 * np.sin(2 * np.pi * np.cumsum(60.0 + 90.0 * np.exp(-tt / 0.012)) / rate) \
            * np.exp(-tt / 0.1)
        hit += 0.2 * rng.standard_normal(m) * np.exp(-tt / 0.02)
        x[i0:, 0] += hit
        x[i0:, 1] += 0.8 * hit
    return x


def db(v):
    return 20.0 * np.log10(max(v, 1e-30))


# masterlimiter's delay: lookahead frames (lookahead x rate / 1000 rounded to the
# nearest, at least 1) plus its true-peak detector's own delay per oversampling factor
# (dsp/truepeak.c). When the detector changes, change this and the latency table of
# docs/masterlimiter.md with it.
LIMITER_DETECTOR_DELAY = {2: 40, 4: 42, 8: 43}
LIMITER_DELAY_HINT = ("masterlimiter's latency is not the documented one: update "
                      "LIMITER_DETECTOR_DELAY in tests/test_gi.py and the latency table "
                      "of docs/masterlimiter.md if the detector's delay changed")


def lookahead_frames(lookahead_ms, rate):
    return max(1, int(math.floor(lookahead_ms * rate / 1000.0 + 0.5)))


def assert_property_specs(test, element, want):
    """want: {name: (minimum, maximum, default, controllable)}: the element's
    pspecs say so and the element starts at the default."""
    for name, (lo, hi, default, controllable) in want.items():
        with test.subTest(property=name):
            pspec = element.find_property(name)
            test.assertIsNotNone(pspec)
            test.assertEqual((pspec.minimum, pspec.maximum, pspec.default_value),
                             (lo, hi, default))
            test.assertEqual(bool(pspec.flags & Gst.PARAM_CONTROLLABLE), controllable)
            test.assertEqual(element.get_property(name), default)


class TestMixmasterGI(unittest.TestCase):
    def test_plugin_has_elements(self):
        self.assertIn("stereowidth", mixmaster_factories())

    def test_every_element_properties(self):
        for name in mixmaster_factories():
            element = Gst.ElementFactory.make(name, None)
            self.assertIsNotNone(element, name)
            for pspec in element.list_properties():
                if pspec.owner_type in (Gst.Object.__gtype__, GObject.Object.__gtype__):
                    continue
                # GstAggregator's own: its 'latency' maximum is GST_CLOCK_TIME_NONE, which
                # the setter refuses with a critical (a GStreamer quirk, not ours)
                if GObject.type_name(pspec.owner_type) == "GstAggregator":
                    continue
                writable = pspec.flags & GObject.ParamFlags.WRITABLE
                if not writable or pspec.flags & GObject.ParamFlags.CONSTRUCT_ONLY:
                    continue
                for value in values_to_try(pspec):
                    with self.subTest(element=name, property=pspec.name, value=value):
                        element.set_property(pspec.name, value)
                        got = element.get_property(pspec.name)
                        if isinstance(value, float):
                            self.assertAlmostEqual(got, value, places=6)
                        else:
                            self.assertEqual(got, value)

    def test_every_child_property(self):
        for name in mixmaster_factories():
            element = Gst.ElementFactory.make(name, None)
            if not isinstance(element, Gst.ChildProxy):
                continue
            for index in range(element.get_children_count()):
                child = element.get_child_by_index(index)
                for pspec in child.list_properties():
                    if pspec.owner_type in (Gst.Object.__gtype__, GObject.Object.__gtype__):
                        continue
                    for value in values_to_try(pspec):
                        with self.subTest(element=name, child=child.get_name(),
                                          property=pspec.name, value=value):
                            child.set_property(pspec.name, value)
                            got = child.get_property(pspec.name)
                            if isinstance(value, float):
                                self.assertAlmostEqual(got, value, places=6)
                            else:
                                self.assertEqual(got, value)

    def test_every_element_runs(self):
        for name in mixmaster_factories():
            with self.subTest(element=name):
                error, samples, _ = run_pipeline(SINGLE_INPUT_PIPELINE.format(element=name))
                self.assertIsNone(error, name)
                self.assertEqual(len(samples), 20 * 960 * 2)
                self.assertTrue(np.all(np.isfinite(samples)))

    def test_stereowidth_from_python(self):
        error, samples, messages = run_pipeline(SINGLE_INPUT_PIPELINE.format(
            element="stereowidth width=0 post-messages=true interval=20000000"))
        self.assertIsNone(error)
        frames = samples.reshape(-1, 2)
        self.assertTrue(np.array_equal(frames[:, 0], frames[:, 1]))
        corr = [m.get_value("correlation") for m in messages if m.get_name() == "stereowidth"]
        self.assertEqual(len(corr), 20)
        self.assertTrue(all(abs(c - 1.0) < 1e-6 for c in corr), corr)

    def test_mixeq_bands_from_python(self):
        # a +6 dB bell at 1 kHz set through Gst.ChildProxy, measured on a 1 kHz sine
        pipeline = Gst.parse_launch(
            "audiotestsrc freq=1000 volume=0.25 num-buffers=50 samplesperbuffer=960 "
            "! audio/x-raw,rate=48000,channels=2 ! audioconvert ! mixeq name=eq "
            "! audioconvert ! appsink name=sink sync=false")
        eq = pipeline.get_by_name("eq")
        eq.set_property("num-bands", 2)
        band = eq.get_child_by_name("band1")
        band.set_property("freq", 1000.0)
        band.set_property("gain", 6.0)
        band.set_property("q", 2.0)
        eq.get_child_by_name("band0").set_property("type", "high-pass")
        self.assertEqual(eq.get_children_count(), 2)
        pipeline.set_state(Gst.State.NULL)
        error, samples, _ = run_pipeline(
            "audiotestsrc freq=1000 volume=0.25 num-buffers=50 samplesperbuffer=960 "
            "! audio/x-raw,rate=48000,channels=2 ! audioconvert "
            "! mixeq num-bands=2 band0::type=high-pass band0::freq=20 "
            "band1::freq=1000 band1::gain=6 band1::q=2 "
            "! audioconvert ! appsink name=sink sync=false")
        self.assertIsNone(error)
        left = samples.reshape(-1, 2)[24000:, 0].astype(np.float64)
        level_db = 20 * np.log10(np.sqrt(np.mean(left ** 2)) * np.sqrt(2) / 0.25)
        self.assertAlmostEqual(level_db, 6.0, delta=0.1)

    def test_mixcomp_from_python(self):
        # gain reduction is metered, and a lookahead keeps the sample count
        error, samples, messages = run_pipeline(
            "audiotestsrc wave=white-noise volume=0.8 num-buffers=20 samplesperbuffer=960 "
            "! audio/x-raw,rate=48000,channels=2 ! audioconvert "
            "! mixcomp threshold=-30 ratio=4 knee=0 lookahead=5 post-messages=true "
            "interval=20000000 ! audioconvert ! appsink name=sink sync=false")
        self.assertIsNone(error)
        self.assertEqual(len(samples), 20 * 960 * 2)
        reductions = [m.get_value("gain-reduction") for m in messages
                      if m.get_name() == "mixcomp"]
        self.assertEqual(len(reductions), 20)
        self.assertGreater(max(reductions), 10.0)
        self.assertTrue(all(r >= 0.0 for r in reductions))

    def test_masterlimiter_properties(self):
        # the interface of issue 5: ranges, defaults, what is controllable
        lim = Gst.ElementFactory.make("masterlimiter", None)
        self.assertIsNotNone(lim)
        want = {"ceiling": (-20.0, 0.0, -1.0, True), "input-gain": (-12.0, 24.0, 0.0, True),
                "lookahead": (0.5, 20.0, 5.0, False), "release": (1.0, 2000.0, 150.0, True),
                "stereo-link": (0.0, 1.0, 1.0, True), "oversampling": (2, 8, 8, False)}
        assert_property_specs(self, lim, want)
        for name, default in (("auto-release", True), ("true-peak", True),
                              ("post-messages", False)):
            self.assertEqual(lim.get_property(name), default, name)
        self.assertEqual(lim.get_property("interval"), 100 * Gst.MSECOND)
        for name, value in (("ceiling", -0.3), ("input-gain", 6.5), ("lookahead", 2.5),
                            ("release", 60.0), ("stereo-link", 0.25), ("oversampling", 4),
                            ("auto-release", False), ("true-peak", False)):
            lim.set_property(name, value)
            self.assertEqual(lim.get_property(name), value, name)
        # oversampling takes 2, 4 or 8 only: 3 is refused with a warning, the value kept
        old_handler = GLib.log_set_always_fatal(GLib.LogLevelFlags.LEVEL_ERROR)
        try:
            lim.set_property("oversampling", 3)
        finally:
            GLib.log_set_always_fatal(old_handler)
        self.assertEqual(lim.get_property("oversampling"), 4)
        # outside a range GObject refuses the value and keeps the old one
        old_handler = GLib.log_set_always_fatal(GLib.LogLevelFlags.LEVEL_ERROR)
        try:
            lim.set_property("ceiling", 3.0)
        except (TypeError, ValueError, OverflowError):
            pass
        finally:
            GLib.log_set_always_fatal(old_handler)
        self.assertEqual(lim.get_property("ceiling"), -0.3)

    def test_masterlimiter_from_python(self):
        # a drum loop driven 6 dB into -1 dBTP, stereo F32 at 48 kHz, odd buffer size
        rate = 48000
        x = drum_loop(rate, 1.0)
        drive = 10 ** (6.0 / 20)
        tp_in = db(true_peak_16x(x * drive))
        self.assertGreater(tp_in, 5.0)
        lim = Gst.ElementFactory.make("masterlimiter", None)
        for name, value in (("ceiling", -1.0), ("input-gain", 6.0), ("post-messages", True),
                            ("interval", 50 * Gst.MSECOND)):
            lim.set_property(name, value)
        y, latency, messages = push_through(lim, x, rate, block=777)
        self.assertEqual(y.shape, x.shape)
        self.assertTrue(np.all(np.isfinite(y)))
        self.assertLessEqual(float(np.max(np.abs(y))), 10 ** (-1.0 / 20))
        self.assertLessEqual(db(true_peak_16x(y)), -1.0 + 0.1)
        # latency: 5 ms = 240 frames of lookahead plus the 8x detector's delay
        self.assertEqual(latency, Gst.util_uint64_scale_int_round(
            lookahead_frames(5.0, rate) + LIMITER_DETECTOR_DELAY[8], Gst.SECOND, rate),
            LIMITER_DELAY_HINT)
        reductions = [m.get_value("gain-reduction") for m in messages
                      if m.get_name() == "masterlimiter"]
        self.assertEqual(len(reductions), 20)
        self.assertTrue(all(r >= 0.0 for r in reductions), reductions)
        # the loudest hit goes tp_in + 1 dB over the ceiling; the gain aims 0.1 dB under
        # it, and its detector's grid reads within a few tenths of the 16x one
        self.assertGreater(max(reductions), tp_in + 1.0 - 0.2)
        self.assertLess(max(reductions), tp_in + 1.0 + 0.7)
        for m in messages:
            for field in ("timestamp", "stream-time", "running-time", "duration"):
                self.assertTrue(m.has_field(field), field)
        # output frame k is input frame k times input-gain times the gain (<= 1)
        big = np.abs(x) > 1e-3
        gain = y[big] / (x[big] * drive)
        self.assertTrue(np.all(gain > 0.0) and np.all(gain <= 1.0 + 1e-6))
        self.assertAlmostEqual(max(reductions), -db(float(np.min(gain))), delta=0.05)

    def test_masterlimiter_latency_and_sample_peak_mode(self):
        # lookahead frames = round(lookahead x rate / 1000); the detector adds its delay
        # only with true-peak on; true-peak off holds the sample peak under the ceiling
        rate = 44100
        x = drum_loop(rate, 0.5, seed=9)
        for true_peak, factor, lookahead in ((False, 8, 2.5), (True, 2, 2.5), (True, 4, 10.0)):
            with self.subTest(true_peak=true_peak, oversampling=factor, lookahead=lookahead):
                lim = Gst.ElementFactory.make("masterlimiter", None)
                for name, value in (("ceiling", -3.0), ("input-gain", 10.0),
                                    ("true-peak", true_peak), ("oversampling", factor),
                                    ("lookahead", lookahead)):
                    lim.set_property(name, value)
                y, latency, _ = push_through(lim, x, rate, fmt="F64LE", block=4096)
                self.assertEqual(y.shape, x.shape)
                frames = lookahead_frames(lookahead, rate)
                frames += LIMITER_DETECTOR_DELAY[factor] if true_peak else 0
                self.assertEqual(latency, Gst.util_uint64_scale_int_round(
                    frames, Gst.SECOND, rate), LIMITER_DELAY_HINT)
                self.assertLessEqual(float(np.max(np.abs(y))), 10 ** (-3.0 / 20))

    def test_masterlimiter_transparent_below_the_ceiling(self):
        # true peak at least 0.5 dB under the ceiling: bit-exact, only delayed (and the
        # element's timestamps take the delay out again)
        rate = 48000
        x = drum_loop(rate, 0.5, seed=3)
        x *= 10 ** (-4.0 / 20) / true_peak_16x(x)
        x = x.astype(np.float32).astype(np.float64)
        lim = Gst.ElementFactory.make("masterlimiter", None)
        lim.set_property("ceiling", -3.0)
        lim.set_property("post-messages", True)
        y, _, messages = push_through(lim, x, rate)
        self.assertTrue(np.array_equal(y, x))
        self.assertTrue(all(m.get_value("gain-reduction") == 0.0 for m in messages
                            if m.get_name() == "masterlimiter"))

    # ---- loudnorm (issue 6): presets, the analyze meter and file mode from Python

    LOUDNORM_PRESETS = (("custom", None, None), ("ebu-r128", -23.0, -1.0),
                        ("atsc-a85", -24.0, -2.0), ("streaming", -14.0, -1.0),
                        ("apple-music", -16.0, -1.0), ("podcast", -16.0, -1.0))
    LOUDNORM_METER_FIELDS = ("momentary", "short-term", "integrated", "loudness-range",
                             "true-peak")
    LOUDNORM_SUMMARY_FIELDS = ("input-integrated", "input-true-peak", "input-loudness-range",
                               "output-integrated", "output-true-peak", "gain")

    def test_loudnorm_properties_and_presets(self):
        ln = Gst.ElementFactory.make("loudnorm", None)
        self.assertIsNotNone(ln)
        self.assertEqual(ln.get_property("mode").value_nick, "file")
        self.assertEqual(ln.get_property("preset").value_nick, "streaming")
        assert_property_specs(self, ln, {"target": (-70.0, 0.0, -14.0, True),
                                         "max-true-peak": (-9.0, 0.0, -1.0, True),
                                         "max-gain": (0.0, 60.0, 24.0, True)})
        self.assertEqual(ln.get_property("max-memory"), 64)
        self.assertFalse(ln.get_property("post-messages"))
        self.assertEqual(ln.get_property("interval"), 100 * Gst.MSECOND)
        self.assertFalse(ln.get_property("dual-mono"))
        modes = ln.find_property("mode").enum_class.__enum_values__
        self.assertEqual({v.value_nick for v in modes.values()}, {"analyze", "file", "live"})
        presets = ln.find_property("preset").enum_class.__enum_values__
        self.assertEqual([presets[k].value_nick for k in sorted(presets)],
                         [p[0] for p in self.LOUDNORM_PRESETS])

        # a preset sets target and ceiling (and says so to notify:: listeners)
        notified = []
        ln.connect("notify::target", lambda *a: notified.append("target"))
        ln.connect("notify::max-true-peak", lambda *a: notified.append("max-true-peak"))
        for nick, target, ceiling in self.LOUDNORM_PRESETS[1:]:
            with self.subTest(preset=nick):
                del notified[:]
                ln.set_property("preset", nick)
                self.assertEqual(ln.get_property("preset").value_nick, nick)
                self.assertEqual(ln.get_property("target"), target)
                self.assertEqual(ln.get_property("max-true-peak"), ceiling)
                self.assertEqual(sorted(set(notified)), ["max-true-peak", "target"])
        # setting target (or the ceiling) afterwards makes the preset custom, the other
        # value kept
        ln.set_property("preset", "ebu-r128")
        self.assertEqual((ln.get_property("target"), ln.get_property("max-true-peak")),
                         (-23.0, -1.0))
        ln.set_property("target", -20.0)
        self.assertEqual(ln.get_property("preset").value_nick, "custom")
        self.assertEqual((ln.get_property("target"), ln.get_property("max-true-peak")),
                         (-20.0, -1.0))
        ln.set_property("preset", "podcast")
        ln.set_property("max-true-peak", -2.0)
        self.assertEqual(ln.get_property("preset").value_nick, "custom")
        self.assertEqual(ln.get_property("target"), -16.0)
        # preset custom leaves both as they are
        ln.set_property("preset", "custom")
        self.assertEqual((ln.get_property("target"), ln.get_property("max-true-peak")),
                         (-16.0, -2.0))
        # launch lines apply properties in order
        bin_ = Gst.parse_launch("loudnorm name=a preset=atsc-a85 "
                                "loudnorm name=b preset=ebu-r128 target=-18")
        a, b = bin_.get_by_name("a"), bin_.get_by_name("b")
        self.assertEqual((a.get_property("target"), a.get_property("max-true-peak")),
                         (-24.0, -2.0))
        self.assertEqual(a.get_property("preset").value_nick, "atsc-a85")
        self.assertEqual((b.get_property("target"), b.get_property("max-true-peak")),
                         (-18.0, -1.0))
        self.assertEqual(b.get_property("preset").value_nick, "custom")

    def _loudnorm_messages(self, messages, seconds, interval_s=0.1):
        """Checks the periodic meter messages (DESIGN.md's fields, like level's times) and
        returns (meters, the one summary)."""
        meters = [m for m in messages if m.get_name() == "loudnorm"]
        summaries = [m for m in messages if m.get_name() == "loudnorm-summary"]
        self.assertEqual(len(summaries), 1)
        self.assertEqual(len(meters), int(round(seconds / interval_s)))
        step = int(round(interval_s * Gst.SECOND))
        for k, m in enumerate(meters):
            for field in self.LOUDNORM_METER_FIELDS + ("momentary-max", "short-term-max",
                                                       "true-peak-interval"):
                self.assertIsInstance(m.get_value(field), float, field)
                self.assertTrue(math.isfinite(m.get_value(field)), field)
            for field in ("momentary", "short-term", "integrated", "true-peak"):
                self.assertGreaterEqual(m.get_value(field), -70.0, field)
            self.assertGreaterEqual(m.get_value("loudness-range"), 0.0)
            self.assertGreaterEqual(m.get_value("momentary-max"), m.get_value("momentary"))
            self.assertGreaterEqual(m.get_value("true-peak"), m.get_value("true-peak-interval"))
            for field in ("timestamp", "stream-time", "running-time"):
                self.assertEqual(m.get_value(field), k * step, field)
            self.assertEqual(m.get_value("duration"), step)
        summary = summaries[0]
        for field in self.LOUDNORM_SUMMARY_FIELDS:
            self.assertIsInstance(summary.get_value(field), float, field)
            self.assertTrue(math.isfinite(summary.get_value(field)), field)
        self.assertEqual(summary.get_value("duration"), int(round(seconds * Gst.SECOND)))
        # the running readings (histograms of 0.01 LU) end where the exact summary is
        self.assertAlmostEqual(meters[-1].get_value("integrated"),
                               summary.get_value("output-integrated"), delta=0.02)
        self.assertAlmostEqual(meters[-1].get_value("true-peak"),
                               summary.get_value("output-true-peak"), delta=1e-6)
        return meters, summary

    def _replaygain(self, tags, summary):
        """The last tag list the element sent carries ReplayGain 2.0 track values of its
        output."""
        self.assertTrue(tags, "no tag event out of loudnorm")
        last = tags[-1]
        ok, gain = last.get_double(Gst.TAG_TRACK_GAIN)
        self.assertTrue(ok, "no replaygain-track-gain")
        self.assertAlmostEqual(gain, -18.0 - summary.get_value("output-integrated"), delta=1e-6)
        ok, peak = last.get_double(Gst.TAG_TRACK_PEAK)
        self.assertTrue(ok, "no replaygain-track-peak")
        self.assertAlmostEqual(peak, 10 ** (summary.get_value("output-true-peak") / 20),
                               delta=1e-6)
        ok, ref = last.get_double(Gst.TAG_REFERENCE_LEVEL)
        self.assertTrue(ok, "no replaygain-reference-level")
        self.assertEqual(ref, 89.0)

    def test_loudnorm_analyze_from_python(self):
        # a meter: the very samples out, the measurements on the bus, libebur128's reading
        rate, seconds = 48000, 3.0
        x = drum_loop(rate, seconds, seed=11) * 0.5
        ref = ebur128_measure(x, rate)
        if ref is None:
            self.skipTest("libebur128 could not be loaded through ctypes")
        ln = Gst.ElementFactory.make("loudnorm", None)
        ln.set_property("mode", "analyze")
        ln.set_property("post-messages", True)
        tags = []
        y, latency, messages = push_through(ln, x, rate, block=777, tags=tags)
        self.assertEqual(y.shape, x.shape)
        self.assertTrue(np.array_equal(y, x.astype(np.float32).astype(np.float64)))
        self.assertEqual(latency, 0)
        meters, summary = self._loudnorm_messages(messages, seconds)
        # the meter is held to libebur128 (tests/test_loudness.c: 0.0001 LU)
        self.assertAlmostEqual(summary.get_value("input-integrated"), ref["integrated_lufs"],
                               delta=0.01)
        # its true peak (an 8x detector that also reads what libebur128's 4x one reads)
        tp = summary.get_value("input-true-peak")
        self.assertGreaterEqual(tp, ref["true_peak_dbtp"] - 0.01)
        self.assertAlmostEqual(tp, true_peak_sinc_dbtp(x), delta=0.2)
        self.assertGreaterEqual(summary.get_value("input-loudness-range"), 0.0)
        # the output is the input
        self.assertEqual(summary.get_value("gain"), 0.0)
        for what in ("integrated", "true-peak"):
            self.assertEqual(summary.get_value("output-" + what),
                             summary.get_value("input-" + what), what)
        # no 400 ms window yet in the first interval, the loudness of the loop after it
        self.assertEqual(meters[0].get_value("momentary"), -70.0)
        for m in meters[4:]:
            self.assertAlmostEqual(m.get_value("momentary"), ref["integrated_lufs"], delta=2.0)
        self._replaygain(tags, summary)

    def test_loudnorm_file_mode_from_python(self):
        # the whole stream on the target under the ceiling, measured by libebur128 and a
        # 16x sinc: -18.4 LUFS drums lifted 4.6 dB into -1 dBTP (the limiter takes the
        # overs), and taken down 5.5 dB for ATSC (transparent: one gain for every sample)
        seconds = 3.0
        for rate, fmt, preset, limited in ((48000, "F32LE", "streaming", True),
                                           (44100, "F64LE", "atsc-a85", False)):
            with self.subTest(rate=rate, format=fmt, preset=preset):
                x = drum_loop(rate, seconds, seed=11) * 0.5
                if fmt == "F32LE":
                    x = x.astype(np.float32).astype(np.float64)
                ref_in = ebur128_measure(x, rate)
                if ref_in is None:
                    self.skipTest("libebur128 could not be loaded through ctypes")
                ln = Gst.ElementFactory.make("loudnorm", None)
                ln.set_property("preset", preset)
                ln.set_property("post-messages", True)
                target = ln.get_property("target")
                ceiling = ln.get_property("max-true-peak")
                tags = []
                y, _, messages = push_through(ln, x, rate, fmt=fmt, block=1000, tags=tags)
                self.assertEqual(y.shape, x.shape)
                self.assertTrue(np.all(np.isfinite(y)))
                ref = ebur128_measure(y, rate)
                self.assertAlmostEqual(ref["integrated_lufs"], target, delta=0.1)
                self.assertLessEqual(ref["true_peak_dbtp"], ceiling)
                self.assertLessEqual(true_peak_sinc_dbtp(y), ceiling + 0.1)
                _, summary = self._loudnorm_messages(messages, seconds)
                self.assertEqual(summary.get_value("target"), target)
                self.assertEqual(summary.get_value("max-true-peak"), ceiling)
                self.assertTrue(summary.get_value("target-met"))
                self.assertAlmostEqual(summary.get_value("input-integrated"),
                                       ref_in["integrated_lufs"], delta=0.01)
                self.assertAlmostEqual(summary.get_value("output-integrated"),
                                       ref["integrated_lufs"], delta=0.05)
                self.assertLessEqual(summary.get_value("output-true-peak"), ceiling)
                # one static gain: every sample the limiter left alone is the input times
                # it, none above it
                gain = summary.get_value("gain")
                big = np.abs(x) > 1e-3
                applied = 20 * np.log10(y[big] / x[big])
                self.assertLessEqual(float(np.max(applied)), gain + 1e-4)
                self.assertAlmostEqual(float(np.median(applied)), gain, delta=1e-4)
                if limited:
                    self.assertGreater(gain, target - ref_in["integrated_lufs"])
                    self.assertGreater(summary.get_value("gain-reduction"), 0.5)
                else:
                    self.assertAlmostEqual(gain, target - ref_in["integrated_lufs"], delta=0.01)
                    self.assertEqual(summary.get_value("gain-reduction"), 0.0)
                    self.assertTrue(np.allclose(y, x * 10 ** (gain / 20), rtol=1e-9, atol=0))
                self._replaygain(tags, summary)

    def test_stereowidth_refuses_bad_bass_mono_freq(self):
        element = Gst.ElementFactory.make("stereowidth", None)
        element.set_property("bass-mono-freq", 120.0)
        # 0 < f < 20 Hz is refused with a warning naming the property; the value is kept
        old_handler = GLib.log_set_always_fatal(GLib.LogLevelFlags.LEVEL_ERROR)
        try:
            element.set_property("bass-mono-freq", 5.0)
        finally:
            GLib.log_set_always_fatal(old_handler)
        self.assertEqual(element.get_property("bass-mono-freq"), 120.0)


# ---- sidechainduck: a two-input aggregator, driven with two appsrcs ----

def duck_key(rate, seconds, bursts, rms_db=-10.0, channels=1):
    """A voice-band key (300 Hz + 1.2 kHz) at rms_db RMS during each (start, end) of
    bursts (seconds), silent elsewhere; (frames, channels) float32."""
    t = np.arange(int(seconds * rate)) / rate
    amp = 10 ** (rms_db / 20)  # two equal tones: RMS = amp
    v = amp * (np.sin(2 * np.pi * 300 * t) + np.sin(2 * np.pi * 1200 * t + 0.5))
    on = np.zeros_like(t, dtype=bool)
    for a, b in bursts:
        on |= (t >= a) & (t < b)
    v = np.where(on, v, 0.0)
    return np.repeat(v[:, None], channels, axis=1).astype(np.float32)


def duck_through(duck, main, key, rate=48000, block=960):
    """main (frames, 2) and key (frames, channels) float32 through two appsrcs into
    duck's sink and requested sidechain pads, out through an appsink. Returns
    (output (frames, 2) float32, [element message structures], error or None)."""
    pipeline = Gst.Pipeline.new(None)
    sink = Gst.ElementFactory.make("appsink", None)
    sink.set_property("sync", False)
    pipeline.add(duck)
    pipeline.add(sink)
    duck.link(sink)
    sources = []
    for x, pad in ((main, duck.get_static_pad("sink")),
                   (key, duck.request_pad_simple("sidechain"))):
        src = Gst.ElementFactory.make("appsrc", None)
        src.set_property("caps", Gst.Caps.from_string(
            "audio/x-raw,format=F32LE,layout=interleaved,rate=%d,channels=%d"
            % (rate, x.shape[1])))
        src.set_property("format", Gst.Format.TIME)
        src.set_property("max-bytes", 0)
        pipeline.add(src)
        assert src.get_static_pad("src").link(pad) == Gst.PadLinkReturn.OK
        sources.append((src, x))
    # every buffer queued before PLAYING: both inputs start together
    for src, x in sources:
        for i0 in range(0, x.shape[0], block):
            chunk = np.ascontiguousarray(x[i0:i0 + block], dtype="<f4")
            buf = Gst.Buffer.new_wrapped(chunk.tobytes())
            buf.pts = Gst.util_uint64_scale(i0, Gst.SECOND, rate)
            buf.duration = Gst.util_uint64_scale(i0 + chunk.shape[0], Gst.SECOND, rate) \
                - buf.pts
            src.emit("push-buffer", buf)
        src.emit("end-of-stream")
    pipeline.set_state(Gst.State.PLAYING)
    chunks = []
    while True:
        sample = sink.emit("try-pull-sample", 10 * Gst.SECOND)
        if sample is None:
            break
        b = sample.get_buffer()
        chunks.append(np.frombuffer(b.extract_dup(0, b.get_size()), dtype="<f4"))
    messages, error = [], None
    bus = pipeline.get_bus()
    while True:
        msg = bus.pop()
        if msg is None:
            break
        if msg.type == Gst.MessageType.ERROR and error is None:
            err, debug = msg.parse_error()
            error = "%s (%s)" % (err.message, debug)
        elif msg.type == Gst.MessageType.ELEMENT and msg.has_name("sidechainduck"):
            messages.append(msg.get_structure().copy())
    pipeline.set_state(Gst.State.NULL)
    y = np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.float32)
    return y.reshape(-1, 2), messages, error


class TestSidechainDuckGI(unittest.TestCase):
    def test_sidechainduck_properties(self):
        duck = Gst.ElementFactory.make("sidechainduck", None)
        self.assertIsNotNone(duck)
        # name: (minimum, maximum, default, controllable)
        want = {"threshold": (-80.0, 0.0, -30.0, True), "depth": (0.0, 60.0, 12.0, True),
                "ratio": (1.0, 100.0, 8.0, True), "knee": (0.0, 40.0, 6.0, False),
                "attack": (0.1, 2000.0, 20.0, True), "hold": (0.0, 5000.0, 150.0, True),
                "release": (1.0, 10000.0, 400.0, True), "lookahead": (0.0, 50.0, 0.0, False),
                "key-hpf": (0.0, 20000.0, 0.0, False), "key-lpf": (0.0, 100000.0, 0.0, False)}
        assert_property_specs(self, duck, want)
        for name, (lo, hi, _, _) in want.items():
            with self.subTest(property=name):
                for value in (lo, hi, (lo + hi) / 3):
                    duck.set_property(name, value)
                    self.assertAlmostEqual(duck.get_property(name), value, places=9)
        self.assertFalse(duck.get_property("post-messages"))
        duck.set_property("post-messages", True)
        self.assertTrue(duck.get_property("post-messages"))
        self.assertEqual(duck.get_property("interval"), 100 * Gst.MSECOND)
        duck.set_property("interval", 25 * Gst.MSECOND)
        self.assertEqual(duck.get_property("interval"), 25 * Gst.MSECOND)
        # the pads: sink always, sidechain on request (one), src
        factory = duck.get_factory()
        templates = {t.name_template: t.presence for t in factory.get_static_pad_templates()}
        self.assertEqual(templates, {"sink": Gst.PadPresence.ALWAYS,
                                     "sidechain": Gst.PadPresence.REQUEST,
                                     "src": Gst.PadPresence.ALWAYS})
        pad = duck.request_pad_simple("sidechain")
        self.assertIsNotNone(pad)
        self.assertEqual(pad.get_name(), "sidechain")
        # (a second request is not tried: GStreamer itself logs a critical for a
        # request of a pad name that exists)
        duck.release_request_pad(pad)
        again = duck.request_pad_simple("sidechain")
        self.assertIsNotNone(again)
        self.assertEqual(again.get_name(), "sidechain")

    def test_sidechainduck_from_python(self):
        # pink-ish stereo main, 1 s bursts of a key 20 dB over the threshold: the main
        # dips by the depth, the meter says by how much per interval
        rate = 48000
        rng = np.random.default_rng(4)
        main = (0.2 * rng.standard_normal((3 * rate, 2))).clip(-0.9, 0.9).astype(np.float32)
        key = duck_key(rate, 3.0, [(0.0, 1.0), (2.0, 3.0)])
        duck = Gst.ElementFactory.make("sidechainduck", None)
        duck.set_property("depth", 10.0)
        duck.set_property("post-messages", True)
        duck.set_property("interval", 50 * Gst.MSECOND)
        self.assertEqual(duck.get_property("depth"), 10.0)
        y, messages, error = duck_through(duck, main, key)
        self.assertIsNone(error)
        self.assertEqual(y.shape, main.shape)
        self.assertTrue(np.all(np.isfinite(y)))
        # the gain of each frame, from the louder channel where it is readable
        louder = np.argmax(np.abs(main), axis=1)
        idx = np.arange(main.shape[0])
        x1, y1 = main[idx, louder].astype(np.float64), y[idx, louder].astype(np.float64)
        ok = np.abs(x1) > 1e-3
        gain_db = np.full(x1.shape, np.nan)
        gain_db[ok] = 20 * np.log10(y1[ok] / x1[ok])
        in_burst = gain_db[int(0.15 * rate):rate]
        self.assertLess(np.nanmax(np.abs(in_burst + 10.0)), 0.5)
        self.assertGreaterEqual(np.nanmin(gain_db), -10.01)
        self.assertLessEqual(np.nanmax(gain_db), 1e-5)
        # 60 intervals of 50 ms; each one's reduction is the measured largest
        self.assertEqual(len(messages), 60)
        for n, m in enumerate(messages):
            for field in ("timestamp", "stream-time", "running-time", "duration"):
                self.assertTrue(m.has_field(field), field)
            self.assertEqual(m.get_value("timestamp"), n * 50 * Gst.MSECOND)
            self.assertEqual(m.get_value("duration"), 50 * Gst.MSECOND)
            seg = gain_db[n * rate // 20:(n + 1) * rate // 20]
            measured = max(0.0, -float(np.nanmin(seg)))
            self.assertAlmostEqual(m.get_value("gain-reduction"), measured, delta=0.1,
                                   msg="interval %d" % n)
        reductions = [m.get_value("gain-reduction") for m in messages]
        self.assertAlmostEqual(max(reductions), 10.0, delta=0.05)
        # after the first burst (1 s) the dip holds 150 ms, then releases
        self.assertAlmostEqual(reductions[21], 10.0, delta=0.1)  # 1.05 to 1.1 s
        self.assertLess(reductions[39], 2.0)  # 1.95 to 2 s


if __name__ == "__main__":
    result = unittest.main(verbosity=2, exit=False).result
    sys.exit(0 if result.wasSuccessful() else 1)
