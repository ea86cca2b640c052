#!/usr/bin/python3
# gst-mixmaster
# Copyright (C) 2026 gst-mixmaster developers
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Ducks a music file under a voice file with the gst-mixmaster sidechainduck element
(Python, GObject introspection), writes the result as a WAV file and prints the largest
gain reduction from the element's meter messages.

    filesrc MUSIC ! decodebin ! audioconvert ! audioresample ! RATE ! duck.sink
    filesrc VOICE ! decodebin ! audioconvert ! audioresample ! RATE ! duck.sidechain
    sidechainduck name=duck ! audioconvert ! FORMAT ! wavenc ! filesink OUT

The sidechain pad is a request pad (Gst.Element.request_pad_simple("sidechain")). Both
inputs are resampled to one rate (--rate, 48000 by default): the key must run at the
main's rate. The output has the music's length; where the voice is shorter the music
passes unchanged after it.

Examples (Debian's /usr/bin/python3 has gi; GST_PLUGIN_PATH=build/gst when not installed):
    examples/duck.py music.wav voice.wav ducked.wav
    examples/duck.py music.ogg voice.flac ducked.wav --depth 15 --threshold -35 \\
        --key-hpf 150 --key-lpf 5000 --lookahead 10
    examples/duck.py music.wav voice.wav ducked.wav --verbose   # every meter message

Exit status: 0 when the file was written, 1 on any error (a file that cannot be read or
decoded, no audio in it, the element missing, a pipeline error), with the reason on
stderr (a partly written output file is removed), 2 for bad arguments.
"""

import argparse
import os
import signal
import sys

import gi

gi.require_version("Gst", "1.0")
from gi.repository import GLib, Gst  # noqa: E402

# option -> (element property, argparse type, default, help)
SETTINGS = [
    ("threshold", float, -30.0, "voice level (RMS, dBFS) where ducking sets in"),
    ("depth", float, 12.0, "most the music is turned down (dB)"),
    ("ratio", float, 8.0, "voice dB over the threshold per dB of ducking"),
    ("knee", float, 6.0, "soft knee width (dB)"),
    ("attack", float, 20.0, "time for the dip to go 63 %% of the way down (ms)"),
    ("hold", float, 150.0, "time the dip holds after the voice falls (ms)"),
    ("release", float, 400.0, "time for the music to come 63 %% of the way back (ms)"),
    ("lookahead", float, 0.0, "read the voice this far ahead, so the dip starts before "
                              "it (ms, 0-50)"),
    ("key-hpf", float, 0.0, "high-pass on the voice before detection (Hz, 0 = off)"),
    ("key-lpf", float, 0.0, "low-pass on the voice before detection (Hz, 0 = off)"),
]
FORMATS = {"s16": "S16LE", "s24": "S24LE", "f32": "F32LE"}


class Failure(Exception):
    """An error to report on stderr before exiting with status 1."""


def make(factory, name=None, **props):
    """Gst.ElementFactory.make with properties; a clear error when it is missing."""
    el = Gst.ElementFactory.make(factory, name)
    if el is None:
        hint = ("is gst-mixmaster installed, or GST_PLUGIN_PATH set to its build/gst?"
                if factory == "sidechainduck" else "check the GStreamer plugin packages")
        raise Failure(f"could not create the '{factory}' element: {hint}")
    for k, v in props.items():
        el.set_property(k.replace("_", "-"), v)
    return el


def readable(path, what):
    if not os.path.isfile(path):
        raise Failure(f"{what} '{path}': no such file")
    if not os.access(path, os.R_OK):
        raise Failure(f"{what} '{path}': not readable (permission denied)")


class Ducker:
    def __init__(self, args):
        self.args = args
        self.loop = GLib.MainLoop()
        self.pipeline = Gst.Pipeline.new("duck-example")
        self.error = None
        self.eos_sent = False
        self.readings = 0
        self.largest = (0.0, 0.0)       # (gain reduction dB, stream time s)
        self.ducked_ns = 0              # time with more than 1 dB of reduction
        self.branches = {}              # decodebin -> (what, path, first element)

        self.duck = make("sidechainduck", "duck")
        for option, _, _, _ in SETTINGS:
            value = getattr(args, option.replace("-", "_"))
            spec = self.duck.find_property(option)
            if not spec.minimum <= value <= spec.maximum:
                raise Failure(f"--{option} {value:g} is out of range: {option} takes "
                              f"{spec.minimum:g} to {spec.maximum:g}")
            self.duck.set_property(option, value)
        self.duck.set_property("post-messages", True)
        self.duck.set_property("interval", int(args.interval_ms * Gst.MSECOND))

        out = [self.duck, make("audioconvert", "convert-out"),
               make("capsfilter", "format", caps=Gst.Caps.from_string(
                   f"audio/x-raw,format={FORMATS[args.format]}")),
               make("wavenc"), make("filesink", location=args.output)]
        for el in out:
            self.pipeline.add(el)
        for a, b in zip(out, out[1:]):
            if not a.link(b):
                raise Failure(f"could not link {a.get_name()} to {b.get_name()}")

        self.add_input("music", args.music, self.duck.get_static_pad("sink"))
        key_pad = self.duck.request_pad_simple("sidechain")
        if key_pad is None:
            raise Failure("sidechainduck gave no 'sidechain' pad")
        self.add_input("voice", args.voice, key_pad)

    def add_input(self, what, path, duck_pad):
        """filesrc ! decodebin, and audioconvert ! audioresample ! rate ! duck_pad for
        the decoded audio (linked when decodebin exposes it)."""
        src = make("filesrc", f"{what}-file", location=path)
        dec = make("decodebin", f"{what}-decode")
        chain = [make("audioconvert", f"{what}-convert"),
                 make("audioresample", f"{what}-resample"),
                 make("capsfilter", f"{what}-rate", caps=Gst.Caps.from_string(
                     f"audio/x-raw,rate={self.args.rate}"))]
        for el in [src, dec] + chain:
            self.pipeline.add(el)
        src.link(dec)
        for a, b in zip(chain, chain[1:]):
            a.link(b)
        if chain[-1].get_static_pad("src").link(duck_pad) != Gst.PadLinkReturn.OK:
            raise Failure(f"could not link the {what} to sidechainduck")
        self.branches[dec] = (what, path, chain[0])
        dec.connect("pad-added", self.on_pad_added)
        dec.connect("no-more-pads", self.on_no_more_pads)

    def on_pad_added(self, dec, pad):
        caps = pad.get_current_caps() or pad.query_caps(None)
        if not caps.get_structure(0).get_name().startswith("audio/"):
            return
        what, _, first = self.branches[dec]
        sinkpad = first.get_static_pad("sink")
        if sinkpad.is_linked():
            return                      # only the first audio stream of a file
        ret = pad.link(sinkpad)
        if ret != Gst.PadLinkReturn.OK:
            self.fail(f"could not link the decoded {what}: {ret.value_nick}")

    def on_no_more_pads(self, dec):
        what, path, first = self.branches[dec]
        if not first.get_static_pad("sink").is_linked():
            self.fail(f"{what} '{path}': no audio stream in it")

    def fail(self, text):
        """Called from any thread: stop with this error (the first one wins)."""
        def stop():
            if self.error is None:
                self.error = text
            self.loop.quit()
            return False
        GLib.idle_add(stop)

    def on_message(self, bus, msg):
        t = msg.type
        if t == Gst.MessageType.ELEMENT and msg.src == self.duck:
            s = msg.get_structure()
            if s.get_name() == "sidechainduck":
                self.on_meter(s)
        elif t == Gst.MessageType.EOS:
            self.loop.quit()
        elif t == Gst.MessageType.ERROR:
            err, dbg = msg.parse_error()
            text = f"{msg.src.get_name()}: {err.message}"
            # a decoder's or file reader's error: say which input
            for dec, (what, path, _) in self.branches.items():
                if msg.src.get_name().startswith(what) or msg.src.has_as_ancestor(dec):
                    text = f"{what} '{path}': {err.message}"
            if self.args.verbose and dbg:
                text += f"\n  ({dbg})"
            if self.error is None:
                self.error = text
            self.loop.quit()
        elif t == Gst.MessageType.WARNING:
            w, _ = msg.parse_warning()
            print(f"warning from {msg.src.get_name()}: {w.message}", file=sys.stderr)
        return True

    def on_meter(self, s):
        gr = s.get_value("gain-reduction")
        st = s.get_value("stream-time")
        self.readings += 1
        if gr > 1.0:
            self.ducked_ns += s.get_value("duration")
        if gr > self.largest[0]:
            self.largest = (gr, st / Gst.SECOND)
        if self.args.verbose:
            bar = "#" * int(round(gr * 2))
            print(f"{st / Gst.SECOND:8.2f} s  gain reduction {gr:5.2f} dB  {bar}")

    def on_sigint(self):
        if not self.eos_sent:
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
        if self.pipeline.set_state(Gst.State.PLAYING) == Gst.StateChangeReturn.FAILURE:
            msg = bus.pop_filtered(Gst.MessageType.ERROR)
            if msg:
                self.on_message(bus, msg)
            if self.error is None:
                self.error = "the pipeline refused to start"
        else:
            self.loop.run()
        self.pipeline.set_state(Gst.State.NULL)
        bus.remove_signal_watch()
        if self.error is not None:
            raise Failure(self.error)
        gr, at = self.largest
        print(f"wrote {self.args.output}")
        if self.readings == 0:
            print("no meter messages: the music was shorter than one interval")
        elif gr > 0.0:
            print(f"largest gain reduction: {gr:.2f} dB at {at:.2f} s; ducked by more "
                  f"than 1 dB for {self.ducked_ns / Gst.SECOND:.2f} s "
                  f"({self.readings} meter readings)")
        else:
            print(f"largest gain reduction: 0.00 dB: the voice never went over the "
                  f"threshold ({self.args.threshold:g} dBFS); try a lower --threshold")


def main(argv=None):
    ap = argparse.ArgumentParser(
        description="Duck a music file under a voice file with sidechainduck and write the "
                    "result as WAV.")
    ap.add_argument("music", help="the music (any format GStreamer decodes)")
    ap.add_argument("voice", help="the voice that ducks it (the key)")
    ap.add_argument("output", help="the WAV file to write")
    for option, kind, default, text in SETTINGS:
        ap.add_argument(f"--{option}", type=kind, default=default,
                        help=f"{text} (default {default:g})")
    ap.add_argument("--rate", type=int, default=48000,
                    help="sample rate of the processing and the output (default 48000)")
    ap.add_argument("--format", choices=sorted(FORMATS), default="s16",
                    help="output sample format (default s16, dithered by audioconvert)")
    ap.add_argument("--interval-ms", type=float, default=100.0,
                    help="meter interval in ms (default 100)")
    ap.add_argument("-v", "--verbose", action="store_true",
                    help="print every meter message (and debug details of errors)")
    args = ap.parse_args(argv)
    if not 8000 <= args.rate <= 384000:
        ap.error("--rate must be 8000-384000 Hz")
    if args.interval_ms < 1:
        ap.error("--interval-ms must be at least 1")

    # a closed pipe (duck.py ... -v | head) ends the program quietly, as for any filter
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    Gst.init(None)
    before = None
    try:
        readable(args.music, "music")
        readable(args.voice, "voice")
        if os.path.abspath(args.output) in (os.path.abspath(args.music),
                                            os.path.abspath(args.voice)):
            raise Failure(f"the output '{args.output}' is one of the inputs")
        out_dir = os.path.dirname(os.path.abspath(args.output))
        if not os.path.isdir(out_dir):
            raise Failure(f"cannot write '{args.output}': no directory '{out_dir}'")
        if not os.access(out_dir, os.W_OK):
            raise Failure(f"cannot write '{args.output}': directory '{out_dir}' is not "
                          "writable")
        before = stat(args.output)
        Ducker(args).run()
    except Failure as e:
        print(f"duck.py: {e}", file=sys.stderr)
        after = stat(args.output)
        if after is not None and after != before:
            os.unlink(args.output)          # no half-written result
        return 1
    return 0


def stat(path):
    """What tells whether a file was (re)written: (inode, size, mtime), or None."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns)


if __name__ == "__main__":
    sys.exit(main())
