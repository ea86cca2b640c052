#!/usr/bin/python3
# gst-mixmaster
# Copyright (C) 2026 gst-mixmaster developers
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Plays or renders audio through the gst-mixmaster stereowidth element from Python
(GObject introspection) and prints its correlation meter.

    filesrc/uridecodebin ! audioconvert ! stereowidth ! audioconvert ! SINK

SINK is autoaudiosink, or wavenc ! filesink with --output, or fakesink with --fakesink.
Without an input file, a stereo test signal (two independent pink-noise sources,
interleaved) is used. With --glide-to, a GLib timeout changes the width with
set_property() while the pipeline plays.

Examples (Debian's /usr/bin/python3 has gi; GST_PLUGIN_PATH=build/gst when not installed):
    examples/stereowidth.py --width 1.3 --bass-mono-freq 120 song.wav
    examples/stereowidth.py --width 0.5 --glide-to 1.8 --output wide.wav song.wav
    examples/stereowidth.py --fakesink --seconds 2
"""

import argparse
import os
import signal
import sys

import gi

gi.require_version("Gst", "1.0")
from gi.repository import GLib, Gst  # noqa: E402


def make(factory, name=None, **props):
    """Gst.ElementFactory.make with properties; a clear error when it is missing."""
    el = Gst.ElementFactory.make(factory, name)
    if el is None:
        hint = ("is gst-mixmaster installed, or GST_PLUGIN_PATH set to its build/gst?"
                if factory == "stereowidth" else "check the GStreamer plugin packages")
        raise SystemExit(f"could not create the '{factory}' element: {hint}")
    for k, v in props.items():
        el.set_property(k.replace("_", "-"), v)
    return el


def check_range(element, prop, value, option):
    spec = element.find_property(prop)
    if not spec.minimum <= value <= spec.maximum:
        raise SystemExit(f"{option} {value:g} is out of range: {prop} takes "
                         f"{spec.minimum:g} to {spec.maximum:g}")


class Player:
    def __init__(self, args):
        self.args = args
        self.loop = GLib.MainLoop()
        self.pipeline = Gst.Pipeline.new("stereowidth-example")
        self.exit_code = 0
        self.readings = []
        self.eos_sent = False

        self.convert = make("audioconvert", "convert-in")
        self.width = make("stereowidth", "width")
        check_range(self.width, "width", args.width, "--width")
        if args.glide_to is not None:
            check_range(self.width, "width", args.glide_to, "--glide-to")
        if args.bass_mono_freq and not 20.0 <= args.bass_mono_freq <= 500.0:
            raise SystemExit("--bass-mono-freq must be 0 (off) or 20-500 Hz")
        # Values set before PLAYING apply from the first sample.
        self.width.set_property("width", args.width)
        self.width.set_property("bass-mono-freq", args.bass_mono_freq)
        self.width.set_property("post-messages", True)
        self.width.set_property("interval", int(args.interval_ms * Gst.MSECOND))
        self.current_width = args.width
        convert_out = make("audioconvert", "convert-out")

        if args.output:
            sinks = [make("wavenc"),
                     make("filesink", location=args.output,
                          sync=args.glide_to is not None)]
        elif args.fakesink:
            sinks = [make("fakesink", sync=args.glide_to is not None)]
        else:
            sinks = [make("autoaudiosink")]

        chain = [self.convert, self.width, convert_out] + sinks
        for el in chain:
            self.pipeline.add(el)
        for a, b in zip(chain, chain[1:]):
            if not a.link(b):
                raise SystemExit(f"could not link {a.get_name()} to {b.get_name()}")
        self.add_source()

    def add_source(self):
        args = self.args
        if args.input:
            uri = args.input if Gst.uri_is_valid(args.input) else None
            if uri is None:
                if not os.path.exists(args.input):
                    raise SystemExit(f"no such file: {args.input}")
                uri = Gst.filename_to_uri(args.input)
            dec = make("uridecodebin", "decoder", uri=uri)
            self.pipeline.add(dec)
            dec.connect("pad-added", self.on_pad_added)
            return
        # Test signal: two independent pink-noise sources, interleaved into stereo.
        n = max(1, int(args.seconds * 48000 / 1024))
        inter = make("interleave", "interleave")
        self.pipeline.add(inter)
        for i in range(2):
            src = make("audiotestsrc", f"noise{i}", wave="pink-noise",
                       samplesperbuffer=1024, num_buffers=n, volume=0.25)
            caps = make("capsfilter", caps=Gst.Caps.from_string(
                "audio/x-raw,format=F32LE,rate=48000,channels=1"))
            self.pipeline.add(src)
            self.pipeline.add(caps)
            src.link(caps)
            caps.link(inter)
        inter.link(self.convert)

    def on_pad_added(self, dec, pad):
        caps = pad.get_current_caps() or pad.query_caps(None)
        if not caps.get_structure(0).get_name().startswith("audio/"):
            return
        sinkpad = self.convert.get_static_pad("sink")
        if sinkpad.is_linked():
            return
        ret = pad.link(sinkpad)
        if ret != Gst.PadLinkReturn.OK:
            print(f"could not link the decoded audio: {ret.value_nick}", file=sys.stderr)

    def on_message(self, bus, msg):
        t = msg.type
        if t == Gst.MessageType.ELEMENT and msg.src == self.width:
            s = msg.get_structure()
            if s.get_name() == "stereowidth":
                self.on_meter(s)
        elif t == Gst.MessageType.EOS:
            self.loop.quit()
        elif t == Gst.MessageType.ERROR:
            err, dbg = msg.parse_error()
            print(f"ERROR from {msg.src.get_name()}: {err.message}", file=sys.stderr)
            if dbg:
                print(f"debugging information: {dbg}", file=sys.stderr)
            self.exit_code = 1
            self.loop.quit()
        elif t == Gst.MessageType.WARNING:
            w, _ = msg.parse_warning()
            print(f"WARNING from {msg.src.get_name()}: {w.message}", file=sys.stderr)
        return True

    def on_meter(self, s):
        corr = s.get_value("correlation")
        s2m = s.get_value("side-to-mid")
        st = s.get_value("stream-time")
        self.readings.append(corr)
        if self.args.quiet:
            return
        pos = int(round((max(-1.0, min(1.0, corr)) + 1.0) * 10))
        bar = "".join("|" if i == pos else ("+" if i == 10 else "-") for i in range(21))
        print(f"{st / Gst.SECOND:7.2f} s  width {self.current_width:4.2f}  "
              f"correlation {corr:+.3f} [{bar}]  side/mid {s2m:6.1f} dB")

    def glide_tick(self):
        """Triangle sweep between --width and --glide-to, following the stream position."""
        ok, pos = self.pipeline.query_position(Gst.Format.TIME)
        if ok and pos >= 0:
            sweeps = pos / Gst.SECOND / self.args.glide_seconds
            phase = sweeps % 1.0
            if int(sweeps) % 2:
                phase = 1.0 - phase
            w = self.args.width + (self.args.glide_to - self.args.width) * phase
            if abs(w - self.current_width) >= 0.005:
                self.width.set_property("width", w)  # glides inside the element
                self.current_width = w
        return True

    def on_sigint(self):
        if self.args.output and not self.eos_sent:
            print("interrupted: finishing the file", file=sys.stderr)
            self.eos_sent = True
            self.pipeline.send_event(Gst.Event.new_eos())
        else:
            self.loop.quit()
        return True

    def run(self):
        bus = self.pipeline.get_bus()
        bus.add_signal_watch()
        bus.connect("message", self.on_message)
        GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGINT, self.on_sigint)
        if self.args.glide_to is not None:
            GLib.timeout_add(20, self.glide_tick)
        if self.pipeline.set_state(Gst.State.PLAYING) == Gst.StateChangeReturn.FAILURE:
            print("the pipeline refused to start", file=sys.stderr)
            self.exit_code = 1
            # the reason, if any, is on the bus
            msg = bus.pop_filtered(Gst.MessageType.ERROR)
            if msg:
                self.on_message(bus, msg)
        else:
            self.loop.run()
        self.pipeline.set_state(Gst.State.NULL)
        bus.remove_signal_watch()
        if self.readings:
            mean = sum(self.readings) / len(self.readings)
            print(f"{len(self.readings)} meter readings: mean correlation {mean:+.3f}, "
                  f"lowest {min(self.readings):+.3f}")
        if self.exit_code == 0 and self.args.output:
            print(f"wrote {self.args.output}")
        return self.exit_code


def main(argv=None):
    ap = argparse.ArgumentParser(
        description="Play or render audio through stereowidth and print its meter.")
    ap.add_argument("input", nargs="?", help="file or URI (default: stereo pink noise)")
    ap.add_argument("-w", "--width", type=float, default=1.0,
                    help="stereo width 0 (mono) .. 4, 1 = unchanged (default 1)")
    ap.add_argument("-b", "--bass-mono-freq", type=float, default=0.0,
                    help="mono below this frequency, Hz (20-500; 0 = off)")
    ap.add_argument("-g", "--glide-to", type=float,
                    help="sweep the width between --width and this value while playing")
    ap.add_argument("--glide-seconds", type=float, default=4.0,
                    help="seconds per sweep (default 4)")
    ap.add_argument("-o", "--output", help="render to this WAV file instead of playing")
    ap.add_argument("--fakesink", action="store_true",
                    help="process without playing or writing (headless)")
    ap.add_argument("--seconds", type=float, default=5.0,
                    help="length of the test signal when no input is given (default 5)")
    ap.add_argument("--interval-ms", type=float, default=250.0,
                    help="meter interval in ms (default 250)")
    ap.add_argument("-q", "--quiet", action="store_true", help="only print the summary")
    args = ap.parse_args(argv)
    if args.glide_seconds <= 0:
        ap.error("--glide-seconds must be positive")
    Gst.init(None)
    return Player(args).run()


if __name__ == "__main__":
    sys.exit(main())
