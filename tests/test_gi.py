#!/usr/bin/python3
# Python GI test: every element of the mixmaster plugin is created with
# Gst.ElementFactory.make, every writable property is set (minimum, maximum and
# default) and read back, and a short pipeline runs through each element.
# SPDX-License-Identifier: LGPL-2.1-or-later

import sys
import unittest

import gi

gi.require_version("Gst", "1.0")
from gi.repository import GLib, GObject, Gst  # noqa: E402

import numpy as np  # noqa: E402

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


if __name__ == "__main__":
    result = unittest.main(verbosity=2, exit=False).result
    sys.exit(0 if result.wasSuccessful() else 1)
