#!/usr/bin/python3
"""gst-mixmaster benchmark: each element against the peers a user would otherwise pick.

Run it through tests/bench/run-bench.sh. For every element in table.py it times whole
processes (gst-launch-1.0, ffmpeg or sox) that read one generated WAV file of 48 kHz stereo F32
audio, process it and discard the result; it prints x-realtime (audio seconds per wall
second) for ours and each peer, and their ratio. See README.md for the method.
"""

import argparse
import functools
import importlib.util
import json
import os
import platform
import shlex
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True   # loading table.py must not leave __pycache__ in the tree

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
PLUGIN_DIR = os.path.join(ROOT, "build", "gst")
PLUGIN_SO = os.path.join(PLUGIN_DIR, "libgstmixmaster.so")

RATE = 48000
CHANNELS = 2
FRAME_BYTES = 4 * CHANNELS
GST_CAPS = "audio/x-raw,format=F32LE,rate=%d,channels=%d" % (RATE, CHANNELS)
FF_FMT = "aformat=sample_fmts=flt:channel_layouts=stereo"
# the key (side-chain) input of a sidechain element: a second file, mono F32 at the same rate
KEY_CHANNELS = 1
KEY_FRAME_BYTES = 4 * KEY_CHANNELS
GST_KEY_CAPS = "audio/x-raw,format=F32LE,rate=%d,channels=%d" % (RATE, KEY_CHANNELS)
FF_KEY_FMT = "aformat=sample_fmts=flt:channel_layouts=mono"
# wavparse pushes 40 ms buffers (1920 frames at 48 kHz); ffmpeg's wav demuxer is told to
# deliver the same block size (its default is 4096 bytes = 512 frames).
BLOCK_FRAMES = RATE // 25
# sox's --buffer counts samples of all channels (the manual says bytes, but libsox allocates
# and reads that many sox_sample_t): 3840 samples = the same 1920-frame blocks.
SOX_BUFFER = BLOCK_FRAMES * CHANNELS

# the peer kinds a table entry can use (its key in table.py), the program each one runs,
# and the Debian package to name when it is missing
KINDS = ("gst", "ffmpeg", "sox")
PROGRAM = {"gst": "gst-launch-1.0", "ffmpeg": "ffmpeg", "sox": "sox"}
PROGRAM_PACKAGE = {"gst": "gstreamer1.0-tools", "ffmpeg": "ffmpeg", "sox": "sox"}
PACKAGE_HINT = {"gst": "gstreamer1.0-plugins-base/-good/-bad", "ffmpeg": "ffmpeg", "sox": "sox"}


def log(msg):
    print(msg, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------
# test signal


def wav_header(frames, channels=CHANNELS):
    frame_bytes = 4 * channels
    data = frames * frame_bytes
    fmt = struct.pack("<HHIIHH", 3, channels, RATE, RATE * frame_bytes, frame_bytes, 32)
    return (b"RIFF" + struct.pack("<I", 4 + (8 + len(fmt)) + 12 + 8 + data) + b"WAVE"
            + b"fmt " + struct.pack("<I", len(fmt)) + fmt
            + b"fact" + struct.pack("<II", 4, frames)
            + b"data" + struct.pack("<I", data))


def write_signal(path, seconds, seed=20240601):
    """Pink and white noise, partly correlated between channels, plus tones at 55 Hz
    (with a side component), 440 Hz (left) and 2.5 kHz (right); about -16 dBFS RMS."""
    frames = int(round(seconds * RATE))
    try:
        import numpy as np
    except ImportError:
        return write_signal_gst(path, frames)
    rng = np.random.default_rng(seed)
    chunk = 1 << 18
    with open(path, "wb") as f:
        f.write(wav_header(frames))
        done = 0
        while done < frames:
            n = min(chunk, frames - done)
            white = rng.standard_normal((3, n))
            spec = np.fft.rfft(white, axis=1)
            freq = np.fft.rfftfreq(n, 1.0 / RATE)
            spec *= 1.0 / np.sqrt(np.maximum(freq, 20.0))
            pink = np.fft.irfft(spec, n, axis=1)
            pink /= np.sqrt(np.mean(pink ** 2, axis=1, keepdims=True)) + 1e-12
            common, left, right = pink
            t = (done + np.arange(n)) / RATE
            w = 2 * np.pi
            out = np.empty((n, 2))
            out[:, 0] = (0.09 * common + 0.06 * left + 0.02 * white[1]
                         + 0.08 * np.sin(w * 55 * t) + 0.05 * np.sin(w * 440 * t)
                         + 0.01 * np.sin(w * 2500 * t))
            out[:, 1] = (0.09 * common + 0.06 * right + 0.02 * white[2]
                         + 0.08 * np.sin(w * 55 * t + 1.0) + 0.01 * np.sin(w * 440 * t)
                         + 0.05 * np.sin(w * 2500 * t))
            np.clip(out, -0.99, 0.99, out=out)
            f.write(out.astype("<f4").tobytes())
            done += n
    return "pink and white noise + tones (numpy)"


def write_signal_gst(path, frames):
    """Fallback without numpy: GStreamer's pink noise, identical in both channels."""
    per = BLOCK_FRAMES
    bufs = (frames + per - 1) // per
    desc = ("audiotestsrc wave=pink-noise volume=0.2 samplesperbuffer=%d num-buffers=%d ! %s "
            "! wavenc ! filesink location=\"%s\"" % (per, bufs, GST_CAPS, path))
    subprocess.run(["gst-launch-1.0", "-q", desc], check=True, stdout=subprocess.DEVNULL)
    return "pink noise (GStreamer audiotestsrc; numpy not found)"


KEY_PERIOD = 2.0      # s: a burst of KEY_ON s, then silence
KEY_ON = 1.0
KEY_RMS = 0.125       # -18 dBFS RMS in a burst: 12 dB over sidechainduck's default threshold
KEY_RAMP = 0.005      # s: raised-cosine fades at the burst edges


def key_path(path):
    """The key file that goes with the signal file path ("$KEY" for "$SIGNAL")."""
    if path == "$SIGNAL":
        return "$KEY"
    return os.path.splitext(path)[0] + "-key.wav"


def key_envelope(t):
    """The bursts' gate: 1 for the first KEY_ON s of every KEY_PERIOD, with fades."""
    import numpy as np
    ph = np.mod(t, KEY_PERIOD)
    g = (ph < KEY_ON).astype(np.float64)
    up = ph < KEY_RAMP
    g[up] = 0.5 - 0.5 * np.cos(np.pi * ph[up] / KEY_RAMP)
    down = (ph >= KEY_ON - KEY_RAMP) & (ph < KEY_ON)
    g[down] = 0.5 - 0.5 * np.cos(np.pi * (KEY_ON - ph[down]) / KEY_RAMP)
    return g


def write_key(path, seconds, seed=20240602):
    """The key of a sidechain element: voice-band noise (300 Hz - 3 kHz) in bursts, 1 s on
    and 1 s off, -18 dBFS RMS in a burst; mono F32 at the signal's rate and length."""
    frames = int(round(seconds * RATE))
    try:
        import numpy as np
    except ImportError:
        return write_key_plain(path, frames)
    rng = np.random.default_rng(seed)
    chunk = 1 << 18
    with open(path, "wb") as f:
        f.write(wav_header(frames, KEY_CHANNELS))
        done = 0
        while done < frames:
            n = min(chunk, frames - done)
            spec = np.fft.rfft(rng.standard_normal(n))
            freq = np.fft.rfftfreq(n, 1.0 / RATE)
            spec[(freq < 300.0) | (freq > 3000.0)] = 0.0
            band = np.fft.irfft(spec, n)
            band *= KEY_RMS / (np.sqrt(np.mean(band ** 2)) + 1e-12)
            out = band * key_envelope((done + np.arange(n)) / RATE)
            np.clip(out, -0.99, 0.99, out=out)
            f.write(out.astype("<f4").tobytes())
            done += n
    return "voice-band noise bursts, 1 s on / 1 s off, -18 dBFS RMS (numpy)"


def write_key_plain(path, frames):
    """Fallback without numpy: one period (a burst of white noise through a 300 Hz - 3 kHz
    band-pass, then silence) computed in Python and repeated."""
    import array
    import math
    import random
    rng = random.Random(20240602)
    period = int(KEY_PERIOD * RATE)
    on, ramp = int(KEY_ON * RATE), int(KEY_RAMP * RATE)
    # RBJ band-pass (constant 0 dB peak gain) at 950 Hz, Q 0.4: about 300 Hz - 3 kHz
    w0 = 2 * math.pi * 950.0 / RATE
    alpha = math.sin(w0) / (2 * 0.4)
    a0 = 1 + alpha
    b0, b2, a1, a2 = alpha / a0, -alpha / a0, -2 * math.cos(w0) / a0, (1 - alpha) / a0
    x1 = x2 = y1 = y2 = 0.0
    burst = []
    for _ in range(on):
        x = rng.gauss(0.0, 1.0)
        y = b0 * x + b2 * x2 - a1 * y1 - a2 * y2
        x2, x1, y2, y1 = x1, x, y1, y
        burst.append(y)
    scale = KEY_RMS / math.sqrt(sum(v * v for v in burst) / on)
    one = array.array("f", [0.0] * period)
    for i, v in enumerate(burst):
        g = 1.0
        if i < ramp:
            g = 0.5 - 0.5 * math.cos(math.pi * i / ramp)
        elif i >= on - ramp:
            g = 0.5 - 0.5 * math.cos(math.pi * (on - i) / ramp)
        one[i] = max(-0.99, min(0.99, v * scale * g))
    if sys.byteorder != "little":
        one.byteswap()
    data = one.tobytes()
    with open(path, "wb") as f:
        f.write(wav_header(frames, KEY_CHANNELS))
        whole, rest = divmod(frames, period)
        for _ in range(whole):
            f.write(data)
        f.write(data[:rest * KEY_FRAME_BYTES])
    return "voice-band noise bursts, 1 s on / 1 s off, -18 dBFS RMS (one period repeated)"


# --------------------------------------------------------------------------------------
# contenders


class Contender:
    def __init__(self, cid, role, element, label, kind, spec, note=None, package=None,
                 env=None, inputs=1, name=None, against=None):
        self.id = cid
        self.role = role          # "ours", "peer", "baseline"
        self.element = element
        self.label = label
        self.kind = kind          # "gst", "ffmpeg" or "sox"
        self.spec = spec          # gst fragment, ffmpeg filter chain, sox effects, or None
                                  # (baseline)
        self.note = note
        self.package = package
        self.env = env or {}
        # ffmpeg: the files it reads, "main" (the signal) or "key" (the key file); an int N
        # is the signal N times
        self.inputs = ["main"] * inputs if isinstance(inputs, int) else list(inputs)
        self.name = name or label # ours: the table's name (label without the ORC suffix)
        self.against = against    # peer: names of the ours rows it is compared with (None: all)
        self.missing = None       # reason it cannot run
        self.failed = None        # reason a timed run failed
        self.walls = []
        self.cpus = []

    def argv(self, path, out=None, report=False):
        """The command; with out, it writes its output to the WAV file out (F32) instead of
        discarding it (--check); with report, it also prints what it measures itself
        (gst-launch's messages and tags, ffmpeg's info log: --check)."""
        if self.kind == "gst":
            src = 'filesrc location="%s" ! wavparse ! %s' % (path, GST_CAPS)
            key = 'filesrc location="%s" ! wavparse ! %s' % (key_path(path), GST_KEY_CAPS)
            sink = "%s ! fakesink sync=false" % GST_CAPS
            if out:
                sink = '%s ! wavenc ! filesink location="%s"' % (GST_CAPS, out)
            if self.spec is None:
                desc = "%s ! %s" % (src, sink if out else "fakesink sync=false")
            elif "{src}" in self.spec:
                desc = (self.spec.replace("{src}", src).replace("{key}", key)
                        .replace("{sink}", sink))
            else:
                desc = "%s ! %s ! %s" % (src, self.spec, sink)
            # gst-launch-1.0 escapes the spaces in each argument, so split like a shell would
            return ["gst-launch-1.0"] + (["-m", "-t"] if report else ["-q"]) + shlex.split(desc)
        if self.kind == "sox":
            # -n: the null output (nothing is written or encoded); the effects follow it
            dest = ["-e", "floating-point", "-b", "32", out] if out else ["-n"]
            return (["sox", "-V1", "--buffer", str(SOX_BUFFER), path] + dest
                    + shlex.split(self.spec or ""))
        argv = ["ffmpeg", "-nostdin", "-hide_banner", "-nostats", "-loglevel",
                "info" if report else "error"]
        fmts = []
        for which in self.inputs:
            is_key = which == "key"
            block = BLOCK_FRAMES * (KEY_FRAME_BYTES if is_key else FRAME_BYTES)
            argv += ["-max_size", str(block), "-i", key_path(path) if is_key else path]
            fmts.append(FF_KEY_FMT if is_key else FF_FMT)
        if len(self.inputs) > 1 and self.spec is None:
            # a multi-input floor: every input decoded and mapped to the null muxer
            graph = ";".join("[%d:a]%s[out%d]" % (i, f, i) for i, f in enumerate(fmts))
            argv += ["-filter_complex", graph]
            for i in range(len(fmts)):
                argv += ["-map", "[out%d]" % i]
        elif len(self.inputs) > 1:
            graph = ";".join("[%d:a]%s[in%d]" % (i, f, i) for i, f in enumerate(fmts))
            graph += ";%s,%s[out]" % (self.spec, FF_FMT)
            argv += ["-filter_complex", graph, "-map", "[out]"]
        elif self.spec is None:
            argv += ["-af", FF_FMT]
        else:
            argv += ["-af", "%s,%s,%s" % (FF_FMT, self.spec, FF_FMT)]
        return argv + ["-c:a", "pcm_f32le"] + (["-f", "wav", "-y", out] if out
                                               else ["-f", "null", "-"])

    def uses_key(self):
        """Whether the command reads the key file too."""
        if self.kind == "gst":
            return bool(self.spec) and "{key}" in self.spec
        return "key" in self.inputs

    def shown(self, path):
        """The command line as a reader would type it."""
        argv = self.argv(path)
        env = "".join("%s=%s " % kv for kv in sorted(self.env.items()))
        if self.kind == "gst":
            return env + "gst-launch-1.0 -q " + " ".join(shlex.quote(a) for a in argv[2:])
        return env + " ".join(shlex.quote(a) for a in argv)

    def median_wall(self):
        return statistics.median(self.walls) if self.walls and not self.failed else None

    def xrt(self, seconds):
        m = self.median_wall()
        return seconds / m if m else None


# Elements benchmarked with a key input, in table.py's format plus two keys: "{key}" in a gst
# fragment expands to "filesrc ! wavparse ! <mono caps>" of the key file, an ffmpeg peer's
# "inputs" lists the files it reads in order ("main", "key"), and "baselines" are the
# element's own decode-only rows (its net ratios count from them). They join the default
# table unless it has an entry of the same element (moving one there changes nothing).
KEY_ELEMENTS = [
    {
        # Issue 7: music ducked under a voice. 10 minutes of the bench signal (about -16 dBFS
        # RMS) as the main, the key file (voice-band noise bursts 1 s on / 1 s off, -18 dBFS
        # RMS in a burst: 12 dB over the threshold) on the sidechain pad. sidechainduck's
        # defaults: threshold -30 dBFS, ratio 8, knee 6, depth 12 dB, attack 20 ms, hold
        # 150 ms, release 400 ms; the curve asks 10.5 dB in a burst (under the depth).
        "element": "sidechainduck",
        "ours": [
            {"name": "defaults (T-30 R8 depth 12 A20 H150 R400)",
             "gst": "{src} ! sidechainduck name=d ! {sink} {key} ! d.sidechain"},
            {"name": "lookahead=10 key-hpf=150 key-lpf=5000",
             "gst": "{src} ! sidechainduck name=d lookahead=10 key-hpf=150 key-lpf=5000 ! "
                    "{sink} {key} ! d.sidechain"},
        ],
        "peers": [
            {"name": "ffmpeg sidechaincompress",
             "ffmpeg": "[in0][in1]sidechaincompress=threshold=0.031623:ratio=8:knee=2"
                       ":attack=20:release=400:makeup=1",
             "inputs": ["main", "key"],
             "package": "ffmpeg",
             "note": "ffmpeg sidechaincompress (main [in0] stereo, key [in1] mono): threshold "
                     "0.031623 (linear, -30 dBFS), ratio 8, knee=2 (a linear ratio: 6.02 dB, "
                     "ours' 6; its default is 2.83 = 9 dB), attack 20, release 400, makeup 1 "
                     "(0 dB), detection=rms (its default: acompressor's asymmetric one-pole "
                     "on the squared level, which reads close to peak, and whose times are "
                     "not 63 % times: see mixcomp). It has no hold and no depth limit. "
                     "Measured on 30 s of the bench files (output over input power per "
                     "10 ms, median of 14 bursts): in the middle of a burst ours takes "
                     "11.2 dB off (the curve asks 10.5 on the burst's RMS; the smoother "
                     "follows its louder moments), ffmpeg 14.9 dB; in the second half of a "
                     "gap ours is still 2.2 dB down (hold 150 + release 400 ms), ffmpeg "
                     "back at 0; 63 % of the dip 35 ms (ours) and 15 ms (ffmpeg) after a "
                     "burst starts, 63 % back 465 and 245 ms after it ends. It works in "
                     "double, so ffmpeg adds flt->dbl->flt conversions, counted as part of "
                     "the peer"},
        ],
        "baselines": [
            {"name": "gst two-input decode",
             "gst": "{src} ! fakesink sync=false {key} ! fakesink sync=false",
             "note": "gst two-input decode: the signal and the key file, each filesrc ! "
                     "wavparse ! caps ! fakesink sync=false, in one pipeline"},
            {"name": "ffmpeg two-input decode",
             "ffmpeg": None, "inputs": ["main", "key"],
             "note": "ffmpeg two-input decode: both files through aformat and -map'ed to the "
                     "null muxer (-c:a pcm_f32le -f null -), no filter between"},
        ],
    },
]


def load_table(path, extra=()):
    spec = importlib.util.spec_from_file_location("bench_table", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    have = {e["element"] for e in mod.ELEMENTS}
    return list(mod.ELEMENTS) + [e for e in extra if e["element"] not in have]


def build_contenders(table, only, orc_backup):
    cons = [
        Contender("baseline-gst", "baseline", "baseline", "gst decode only", "gst", None),
        Contender("baseline-ffmpeg", "baseline", "baseline", "ffmpeg decode only", "ffmpeg",
                  None),
    ]
    groups = []
    want_sox = False
    for entry in table:
        el = entry["element"]
        if only and el not in only:
            continue
        ours, peers = [], []
        for i, o in enumerate(entry["ours"]):
            variants = [({}, "")]
            if orc_backup:
                variants.append(({"ORC_CODE": "backup"}, " [ORC_CODE=backup]"))
            for env, suffix in variants:
                c = Contender("%s-ours%d%s" % (el, i, "-orcbackup" if env else ""), "ours", el,
                              o["name"] + suffix, "gst", o["gst"], env=env, name=o["name"])
                ours.append(c)
        for i, p in enumerate(entry.get("peers", [])):
            kinds = [k for k in KINDS if k in p]
            if len(kinds) != 1:
                raise SystemExit("table: %s peer '%s' needs exactly one of %s"
                                 % (el, p.get("name"), ", ".join(KINDS)))
            kind = kinds[0]
            against = p.get("against")
            if against is not None:
                names = [o["name"] for o in entry["ours"]]
                bad = [a for a in against if a not in names]
                if bad:
                    raise SystemExit("table: %s peer '%s': 'against' names no ours row %s"
                                     % (el, p["name"], ", ".join(repr(a) for a in bad)))
            want_sox = want_sox or kind == "sox"
            peers.append(Contender("%s-peer%d" % (el, i), "peer", el, p["name"], kind, p[kind],
                                   note=p.get("note"), package=p.get("package"),
                                   inputs=p.get("inputs", 1), against=against))
        # the element's own decode-only floor (a sidechain element reads two files); its
        # rows' net ratios count from it instead of the one-file baselines
        bases = []
        for i, b in enumerate(entry.get("baselines", [])):
            kinds = [k for k in KINDS if k in b]
            if len(kinds) != 1:
                raise SystemExit("table: %s baseline '%s' needs exactly one of %s"
                                 % (el, b.get("name"), ", ".join(KINDS)))
            bases.append(Contender("%s-baseline%d" % (el, i), "baseline", el, b["name"],
                                   kinds[0], b[kinds[0]], note=b.get("note"),
                                   inputs=b.get("inputs", 1)))
        cons += bases + ours + peers
        groups.append((el, ours, peers, bases))
    if want_sox:
        # sox's own decode-only run, only when a sox peer is in the run
        cons.insert(2, Contender("baseline-sox", "baseline", "baseline", "sox decode only",
                                 "sox", None))
    return cons, groups


# --------------------------------------------------------------------------------------
# running


def run_once(c, path, env, errpath, timeout=None):
    full_env = dict(env)
    full_env.update(c.env)
    with open(errpath, "wb") as err:
        t0 = time.perf_counter()
        p = subprocess.Popen(c.argv(path), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=err, env=full_env)
        try:
            if timeout:
                p.wait(timeout)   # only used for the short probe
                wall = time.perf_counter() - t0
                return wall, None, p.returncode
            _, status, ru = os.wait4(p.pid, 0)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
            return None, None, "timeout"
        wall = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
    return wall, ru.ru_utime + ru.ru_stime, p.returncode


def stderr_reason(errpath):
    try:
        with open(errpath, "r", errors="replace") as f:
            lines = [l.strip() for l in f if l.strip()]
    except OSError:
        lines = []
    for l in lines:
        if "no element" in l or "No such filter" in l or "could not" in l.lower() \
                or "not found" in l.lower():
            return l
    return lines[-1] if lines else "no error output"


def gst_has(element, env):
    try:
        # without --atleast-version, --exists also demands the plugin be >= GStreamer's version
        argv = ["gst-inspect-1.0", "--exists", "--atleast-version=0.0.0", element]
        return subprocess.run(argv, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL).returncode == 0
    except OSError:
        return False


def setup_peers(notes):
    script = os.path.join(ROOT, "scripts", "setup-debian.sh")
    if not os.path.exists(script):
        notes.append("scripts/setup-debian.sh not found: peers were only detected, not installed")
        return
    if not shutil.which("dpkg-query"):
        notes.append("not a Debian system: peers were only detected, not installed")
        return
    log("== scripts/setup-debian.sh bench")
    r = subprocess.run(["sh", script, "bench"], stdout=sys.stderr, stderr=sys.stderr)
    if r.returncode != 0:
        notes.append("scripts/setup-debian.sh bench failed (exit %d): continuing with the peers "
                     "that are installed" % r.returncode)


def build_plugin(notes):
    if os.path.exists(PLUGIN_SO):
        return
    log("== %s is missing: running scripts/build.sh" % os.path.relpath(PLUGIN_SO, ROOT))
    r = subprocess.run(["sh", os.path.join(ROOT, "scripts", "build.sh")],
                       stdout=sys.stderr, stderr=sys.stderr)
    if r.returncode != 0 or not os.path.exists(PLUGIN_SO):
        notes.append("scripts/build.sh failed: our elements are not benchmarked")


def orc_note(env):
    if env.get("ORC_CODE"):
        return ("ORC_CODE=%s is set in the environment and applies to every GStreamer "
                "contender (ours and audioconvert alike)" % env["ORC_CODE"])
    if not os.path.exists(PLUGIN_SO) or not shutil.which("ldd"):
        return None
    try:
        out = subprocess.run(["ldd", PLUGIN_SO], capture_output=True, text=True).stdout
    except OSError:
        return None
    if "liborc" not in out:
        return None
    return ("the plugin uses ORC kernels; ORC_CODE=backup in the environment forces ORC's C "
            "fallback (--orc-backup adds such rows for our elements)")


# --------------------------------------------------------------------------------------
# output


def fmt_xrt(x):
    if x is None:
        return "-"
    return "%.0f" % x if x >= 100 else "%.1f" % x


def status_text(c, seconds):
    if c.missing:
        return "missing"
    if c.failed:
        return "failed"
    return fmt_xrt(c.xrt(seconds))


def make_rows(cons, groups, seconds):
    byid = {c.id: c for c in cons}
    rows = []

    base = {k: byid["baseline-" + k].median_wall() for k in KINDS if "baseline-" + k in byid}
    # elements with their own baselines (a key input: two files read) count from those
    own_base = {el: {b.kind: b.median_wall() for b in bases}
                for el, _, _, bases in groups if bases}

    def net(c):
        """Wall time above the decode-only baseline of the contender's framework (the
        element's own baseline for that framework when it has one)."""
        m = c.median_wall()
        b = own_base[c.element].get(c.kind) if c.element in own_base else base.get(c.kind)
        return m - b if m and b and c.role != "baseline" else None

    def row(el, o, p):
        ox, px = o.xrt(seconds), p.xrt(seconds)
        ratio = ox / px if ox and px else None
        on, pn = net(o), net(p)
        # only when both elements cost clearly more than their baseline (1 ms)
        net_ratio = pn / on if on and pn and on > 1e-3 and pn > 1e-3 else None
        rows.append({"element": el, "ours": o.label, "peer": p.label, "ours_id": o.id,
                     "peer_id": p.id, "ours_xrt": ox, "peer_xrt": px, "ratio": ratio,
                     "ours_net_s": on, "peer_net_s": pn, "net_ratio": net_ratio,
                     "_o": o, "_p": p})

    row("baseline", byid["baseline-gst"], byid["baseline-ffmpeg"])
    if "baseline-sox" in byid:
        row("baseline", byid["baseline-gst"], byid["baseline-sox"])
    for el, ours, peers, bases in groups:
        gst_bases = [b for b in bases if b.kind == "gst"]
        for b in bases:
            if b.kind != "gst" and gst_bases:
                row(el, gst_bases[0], b)
        for o in ours:
            for p in peers:
                if p.against is None or o.name in p.against:
                    row(el, o, p)
    return rows


def print_table(rows, seconds):
    head = ["element", "ours", "x-rt", "peer", "x-rt", "ratio", "net ratio"]
    body = []
    for r in rows:
        body.append([r["element"], r["ours"], status_text(r["_o"], seconds), r["peer"],
                     status_text(r["_p"], seconds),
                     "%.2f" % r["ratio"] if r["ratio"] else "-",
                     "%.2f" % r["net_ratio"] if r["net_ratio"] else "-"])
    widths = [max(len(x[i]) for x in [head] + body) for i in range(len(head))]
    right = {2, 4, 5, 6}

    def line(cells):
        return "  ".join(c.rjust(w) if i in right else c.ljust(w)
                         for i, (c, w) in enumerate(zip(cells, widths))).rstrip()

    print(line(head))
    print(line(["-" * w for w in widths]))
    last = None
    for cells in body:
        if last is not None and cells[0] != last:
            print()
        last = cells[0]
        print(line(cells))


def wrap(text, indent="  ", width=96):
    words, lines, cur = text.split(), [], ""
    for w in words:
        if cur and len(cur) + 1 + len(w) > width - len(indent) - 2:
            lines.append(cur)
            cur = w
        else:
            cur = (cur + " " + w) if cur else w
    if cur:
        lines.append(cur)
    return "\n".join((indent + "- " if i == 0 else indent + "  ") + l
                     for i, l in enumerate(lines))


# --------------------------------------------------------------------------------------
# --check: does each contender really process the audio?


def read_wav_f32(path):
    """Samples of a 32-bit float WAV file (plain or WAVE_FORMAT_EXTENSIBLE) as (frames,
    channels) float64, or None. Tolerates the 0 / 0xFFFFFFFF sizes of unfinished headers."""
    import numpy as np
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        return None
    pos, fmt = 12, None
    while pos + 8 <= len(data):
        cid, size = data[pos:pos + 4], struct.unpack("<I", data[pos + 4:pos + 8])[0]
        body = pos + 8
        if cid == b"fmt ":
            tag, chans = struct.unpack("<HH", data[body:body + 4])
            bits = struct.unpack("<H", data[body + 14:body + 16])[0]
            if tag == 0xFFFE:
                tag = struct.unpack("<H", data[body + 24:body + 26])[0]
            fmt = (tag, chans, bits)
        elif cid == b"data":
            if not fmt or fmt[0] != 3 or fmt[2] != 32:
                return None
            end = len(data) if size in (0, 0xFFFFFFFF) else min(len(data), body + size)
            n = (end - body) // (4 * fmt[1])
            return np.frombuffer(data[body:body + n * 4 * fmt[1]], "<f4").reshape(
                n, fmt[1]).astype(np.float64)
        pos = body + size + (size & 1)
    return None


def level_stats(x, skip):
    """Sample peak, true peak (16x windowed-sinc interpolation; None without scipy) and RMS,
    all in dBFS, of x after its first skip frames."""
    import numpy as np
    x = x[skip:] if len(x) > skip else x

    def db(v):
        return 20 * np.log10(max(v, 1e-12))

    try:
        from scipy.signal import resample_poly
        # in blocks (16x of 10 minutes would be 7 GB), each with 64 frames of context on
        # either side (the interpolation filter reaches 10 input frames)
        tp, block, pad = 0.0, 1 << 20, 64
        for a in range(0, len(x), block):
            lo, hi = max(0, a - pad), min(len(x), a + block + pad)
            y = resample_poly(x[lo:hi], 16, 1, axis=0, window=("kaiser", 12.0))
            y = y[16 * (a - lo):16 * (min(len(x), a + block) - lo)]
            tp = max(tp, np.abs(y).max())
        tp = db(tp)
    except ImportError:
        tp = None
    return db(np.abs(x).max()), tp, db(np.sqrt(np.mean(x ** 2)))


@functools.lru_cache(maxsize=None)
def _report():
    """The main job's measurement module (scripts/demo/report.py): its libebur128 meter."""
    here = os.path.dirname(os.path.abspath(__file__))
    spec = importlib.util.spec_from_file_location(
        "report", os.path.join(here, "..", "..", "scripts", "demo", "report.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def ebur128_lib():
    """libebur128 through ctypes (Debian: libebur128-1), or None."""
    return _report().ebur128_lib()


def loudness_stats(x):
    """Integrated loudness (LUFS) and true peak (dBTP; libebur128 oversamples 4x at 48 kHz)
    of the whole of x, by libebur128; (None, None) without it."""
    if not len(x):
        return None, None
    m = _report().ebur128_measure(x, RATE)
    return (None, None) if m is None else (m["integrated_lufs"], m["true_peak_dbtp"])


def compare_input(x, y):
    """How the output y differs from the input x: 'identical' (bit for bit), 'max diff N dB'
    (largest sample difference, dBFS), or the difference in length."""
    import numpy as np
    if y.shape != x.shape:
        return "%+d frames" % (len(y) - len(x)) if y.shape[1:] == x.shape[1:] else "-"
    d = np.abs(y - x).max()
    return "identical" if d == 0 else "max diff %.1f dB" % (20 * np.log10(d))


def reported(text):
    """What a contender printed about its own measurement (--check runs gst-launch with -m -t
    and ffmpeg at -loglevel info): our loudnorm-summary, ReplayGain tags, ffmpeg ebur128's
    summary. '' when none of them is there."""
    import re
    out = []
    m = re.search(r"loudnorm-summary, (.*?);?\s*$", text, re.M)
    if m:
        f = dict(re.findall(r"([\w-]+)=\([a-z0-9]+\)([^,]+)", m.group(1)))

        def g(k, fmt):
            try:
                return fmt % float(f[k])
            except (KeyError, ValueError):
                return "?"
        msg = ("in %s LUFS %s dBTP, gain %s dB" % (g("input-integrated", "%.2f"),
               g("input-true-peak", "%.2f"), g("gain", "%+.2f")))
        if "gain-reduction" in f:
            msg += ", limiter %s dB" % g("gain-reduction", "%.2f")
        msg += ", out %s LUFS %s dBTP" % (g("output-integrated", "%.2f"),
                                          g("output-true-peak", "%.2f"))
        out.append("loudnorm-summary: " + msg)
    elif "replaygain track gain" in text:
        gain = re.search(r"replaygain track gain: ([-\d.]+)", text)
        peak = re.search(r"replaygain track peak: ([-\d.]+)", text)
        msg = "ReplayGain tags: track gain %+.2f dB" % float(gain.group(1))
        if peak:
            import math
            msg += ", track peak %.2f dBFS" % (20 * math.log10(max(float(peak.group(1)), 1e-12)))
        out.append(msg)
    tail = text[text.rfind("Summary:"):] if "Summary:" in text else ""
    m = re.search(r"\bI:\s+([-\d.]+) LUFS", tail)
    if m:
        peak = re.search(r"\bPeak:\s+([-\d.]+) dBFS", tail)
        out.append("ebur128 summary: I %s LUFS" % m.group(1)
                   + (", true peak %s dBFS" % peak.group(1) if peak else ""))
    return "; ".join(out)


def check_contenders(cons, signal, seconds, env, tmp):
    """Run each contender once with its output written to a file; print its levels next to
    the input's. A pass-through shows the input's levels (a dynamics peer that was not
    enabled, a filter at unity settings). Also: each output's integrated loudness and true
    peak by libebur128, whether it is the input unchanged, and what the contender reported
    about its own measurement (our summary message, ReplayGain tags, ffmpeg's ebur128)."""
    try:
        import numpy  # noqa: F401
    except ImportError:
        log("--check needs numpy (Debian: python3-numpy)")
        return 1
    x = read_wav_f32(signal)
    skip = RATE   # the first second: envelopes and smoothers settle
    rows = [("input", "", len(x)) + level_stats(x, skip) + loudness_stats(x) + ("", "")]
    empty = (None,) * 6 + ("", "")
    errpath = os.path.join(tmp, "stderr.txt")
    for c in cons:
        if c.missing or c.role == "baseline":
            if c.missing:
                rows.append((c.element, c.label) + empty)
            continue
        log("   %-13s %s" % (c.element, c.label))
        out = os.path.join(tmp, "out-%s.wav" % c.id)
        full_env = dict(env)
        full_env.update(c.env)
        with open(errpath, "wb") as err:
            rc = subprocess.run(c.argv(signal, out, report=True), stdin=subprocess.DEVNULL,
                                stdout=err, stderr=subprocess.STDOUT,
                                env=full_env).returncode
        with open(errpath, "r", errors="replace") as f:
            said = reported(f.read())
        y = read_wav_f32(out) if rc == 0 and os.path.exists(out) else None
        if y is None:
            log("   %s '%s': %s" % (c.element, c.label, "exit %d: %s" % (rc, stderr_reason(
                errpath)) if rc else "no 32-bit float WAV output"))
            rows.append((c.element, c.label) + empty)
        else:
            rows.append((c.element, c.label, len(y)) + level_stats(y, skip)
                        + loudness_stats(y) + (compare_input(x, y), said))
        try:
            os.unlink(out)
        except OSError:
            pass
    print()
    print("gst-mixmaster benchmark --check: %g s of the bench signal through each contender "
          "once, output kept; sample peak, true peak (16x interpolation) and RMS in dBFS from "
          "1 s on; integrated loudness (LUFS) and true peak (dBTP, 4x) of the whole output "
          "by libebur128" % seconds)
    print()
    head = ["element", "contender", "frames", "sample peak", "true peak", "RMS", "LUFS",
            "dBTP", "vs input"]

    def f(v):
        return "-" if v is None else "%.2f" % v

    body = [[e, l, "-" if n is None else str(n), f(sp), f(tp), f(r), f(li), f(lt), cmp]
            for e, l, n, sp, tp, r, li, lt, cmp, _ in rows]
    widths = [max(len(r[i]) for r in [head] + body) for i in range(len(head))]
    for r in [head, ["-" * w for w in widths]] + body:
        print("  ".join(c.rjust(w) if i >= 2 else c.ljust(w)
                        for i, (c, w) in enumerate(zip(r, widths))).rstrip())
    said = [(e, l, s) for e, l, _, _, _, _, _, _, _, s in rows if s]
    if said:
        print()
        print("Reported by the contenders themselves:")
        for e, l, s in said:
            print(wrap("%s '%s': %s" % (e, l, s)))
    if ebur128_lib() is None:
        print()
        print(wrap("libebur128 not found (Debian: libebur128-1): no LUFS and dBTP columns"))
    return 0


# --------------------------------------------------------------------------------------


def main():
    ap = argparse.ArgumentParser(
        description="Benchmark gst-mixmaster elements against GStreamer, LV2 and ffmpeg peers.")
    ap.add_argument("--runs", type=int, default=3,
                    help="timed runs per contender (median; default 3)")
    ap.add_argument("--seconds", type=float, default=None,
                    help="length of the generated test signal in seconds (default 600; "
                         "30 with --check)")
    ap.add_argument("--warmup", type=int, default=0,
                    help="untimed full runs per contender before timing (default 0; every "
                         "contender always does one short untimed probe run)")
    ap.add_argument("--only", action="append", metavar="ELEMENT",
                    help="benchmark only this element (repeatable); baselines always run")
    ap.add_argument("--json", metavar="FILE", help="also write the results to FILE as JSON")
    ap.add_argument("--table", metavar="FILE", default=os.path.join(HERE, "table.py"),
                    help="benchmark table (default tests/bench/table.py)")
    ap.add_argument("--orc-backup", action="store_true",
                    help="also time our elements with ORC_CODE=backup (ORC's C fallback)")
    ap.add_argument("--no-install", action="store_true",
                    help="do not run scripts/setup-debian.sh bench; only detect peers")
    ap.add_argument("--no-build", action="store_true",
                    help="do not run scripts/build.sh when the plugin is missing")
    ap.add_argument("--list", action="store_true",
                    help="print the contenders and their commands, run nothing")
    ap.add_argument("--check", action="store_true",
                    help="time nothing: run each contender once on a short signal with its "
                         "output kept and print its peak, true peak and RMS next to the "
                         "input's, to see that every peer really processes the audio")
    ap.add_argument("-v", "--verbose", action="store_true", help="print every command line")
    args = ap.parse_args()
    if args.seconds is None:
        args.seconds = 30.0 if args.check else 600.0
    if args.runs < 1 or args.seconds <= 0 or args.warmup < 0:
        ap.error("--runs must be >= 1, --seconds > 0, --warmup >= 0")

    notes = []
    default_table = os.path.abspath(args.table) == os.path.join(HERE, "table.py")
    table = load_table(args.table, KEY_ELEMENTS if default_table else ())
    known = {e["element"] for e in table}
    only = set()
    for o in args.only or []:
        only.update(x for x in o.split(",") if x)
    for o in sorted(only - known):
        notes.append("--only %s: not in %s" % (o, os.path.relpath(args.table)))
    cons, groups = build_contenders(table, only, args.orc_backup)

    if args.list:
        for c in cons:
            print("%-9s %-14s %s\n          %s" % (c.role, c.element, c.label,
                                                  c.shown("$SIGNAL")))
        return 0

    if not args.no_install:
        setup_peers(notes)
    if not args.no_build:
        build_plugin(notes)

    env = dict(os.environ)
    env["GST_PLUGIN_PATH"] = PLUGIN_DIR + (os.pathsep + env["GST_PLUGIN_PATH"]
                                           if env.get("GST_PLUGIN_PATH") else "")

    have = {k: bool(shutil.which(PROGRAM[k])) for k in KINDS}
    used = {c.kind for c in cons}
    for k in KINDS:
        if k in used and not have[k]:
            notes.append("%s not found (Debian: %s): %s rows skipped"
                         % (PROGRAM[k], PROGRAM_PACKAGE[k], "GStreamer" if k == "gst" else k))
    for c in cons:
        if not have[c.kind]:
            c.missing = "%s not installed" % PROGRAM[c.kind]
    if have["gst"] and shutil.which("gst-inspect-1.0"):
        for el, ours, _, _ in groups:
            if not gst_has(el, env):
                why = ("%s has no element %s yet" % (os.path.relpath(PLUGIN_SO, ROOT), el)
                       if os.path.exists(PLUGIN_SO) else
                       "%s not built" % os.path.relpath(PLUGIN_SO, ROOT))
                for o in ours:
                    o.missing = why
                notes.append("%s: ours skipped (%s)" % (el, why))

    tmp = tempfile.mkdtemp(prefix="mixmaster-bench-")
    try:
        probe = os.path.join(tmp, "probe.wav")
        signal = os.path.join(tmp, "signal.wav")
        errpath = os.path.join(tmp, "stderr.txt")
        log("== generating %.0f s of 48 kHz stereo F32 (%.0f MB) in %s"
            % (args.seconds, args.seconds * RATE * FRAME_BYTES / 1e6, tmp))
        t0 = time.perf_counter()
        write_signal(probe, 1.0)
        material = write_signal(signal, args.seconds)
        key_material = None
        if any(c.uses_key() for c in cons):
            log("   and the key: %.0f s of 48 kHz mono F32 (%.0f MB)"
                % (args.seconds, args.seconds * RATE * KEY_FRAME_BYTES / 1e6))
            write_key(key_path(probe), 1.0)
            key_material = write_key(key_path(signal), args.seconds)
        log("   done in %.1f s" % (time.perf_counter() - t0))

        # probe: one short untimed run each, to find what cannot run (missing peer, LV2
        # plugin, property) and to warm binaries and the plugin registry
        for c in cons:
            if c.missing:
                continue
            wall, _, rc = run_once(c, probe, env, errpath, timeout=120)
            if rc != 0:
                why = stderr_reason(errpath)
                hint = c.package or PACKAGE_HINT.get(c.kind)
                c.missing = why + (" (Debian package: %s)" % hint if c.role != "ours" and hint
                                   else "")
                notes.append("%s: %s '%s' skipped: %s" % (c.element, c.role, c.label, c.missing))
        if args.check:
            return check_contenders(cons, signal, args.seconds, env, tmp)
        for path in [signal] + ([key_path(signal)] if key_material else []):
            with open(path, "rb") as f:      # make sure the file sits in the page cache
                while f.read(1 << 24):
                    pass

        active = [c for c in cons if not c.missing]
        total = args.warmup + args.runs
        for r in range(total):
            timed = r >= args.warmup
            k = r % len(active) if active else 0
            order = active[k:] + active[:k]     # rotate the order each round
            for c in order:
                if c.failed:
                    continue
                if args.verbose:
                    log("   $ " + c.shown(signal))
                wall, cpu, rc = run_once(c, signal, env, errpath)
                tag = "run %d/%d" % (r - args.warmup + 1, args.runs) if timed else \
                    "warm-up %d/%d" % (r + 1, args.warmup)
                if rc != 0:
                    c.failed = "exit %s: %s" % (rc, stderr_reason(errpath))
                    notes.append("%s: %s '%s' failed: %s" % (c.element, c.role, c.label, c.failed))
                    log("   %-12s %-13s %-40s FAILED" % (tag, c.element, c.label))
                    continue
                log("   %-12s %-13s %-40s %7.2f s  %7.0fx" % (tag, c.element, c.label, wall,
                                                              args.seconds / wall))
                if timed:
                    c.walls.append(wall)
                    c.cpus.append(cpu)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    rows = make_rows(cons, groups, args.seconds)
    if args.json:
        result = {
            "config": {"seconds": args.seconds, "runs": args.runs, "warmup": args.warmup,
                       "rate": RATE, "channels": CHANNELS, "format": "F32LE",
                       "block_frames": BLOCK_FRAMES, "material": material,
                       "key_material": key_material},
            "environment": {"machine": platform.machine(), "cpus": os.cpu_count(),
                            "python": platform.python_version(),
                            "gstreamer": first_line(["gst-launch-1.0", "--version"], 1),
                            "ffmpeg": first_line(["ffmpeg", "-version"], 0),
                            "sox": (first_line(["sox", "--version"], 0)
                                    if "sox" in used and have["sox"] else None),
                            "orc_code": env.get("ORC_CODE")},
            "contenders": [{
                "id": c.id, "role": c.role, "element": c.element, "label": c.label,
                "kind": c.kind, "command": c.shown("$SIGNAL"), "env": c.env,
                "wall_s": c.walls, "cpu_s": c.cpus, "median_wall_s": c.median_wall(),
                "median_cpu_s": statistics.median(c.cpus) if c.cpus and not c.failed else None,
                "x_realtime": c.xrt(args.seconds),
                "note": c.note, "missing": c.missing, "failed": c.failed} for c in cons],
            "rows": [{k: v for k, v in r.items() if not k.startswith("_")} for r in rows],
            "notes": notes + (["ORC: " + orc_note(env)] if orc_note(env) else []),
        }
        with open(args.json, "w") as f:
            json.dump(result, f, indent=2)
            f.write("\n")
        log("== wrote %s" % args.json)
    sys.stderr.flush()
    print()
    print("gst-mixmaster benchmark: %g s of 48 kHz stereo F32 audio (%s),"
          % (args.seconds, material))
    print("median of %d run%s per contender, wall clock of the whole process, %s, %d CPUs"
          % (args.runs, "" if args.runs == 1 else "s", platform.machine(), os.cpu_count() or 0))
    print("x-rt = audio seconds / wall seconds; ratio = ours / peer (> 1: ours is faster)")
    print()
    print_table(rows, args.seconds)
    print()
    print("Notes:")
    method = [
        "Every contender is one process that reads the same WAV file (from the page cache) "
        "and discards its output; rounds rotate the order of contenders.",
        "GStreamer: filesrc ! wavparse ! %s ! <element> ! %s ! fakesink sync=false. "
        "The caps filters keep interleaved F32 stereo at 48 kHz on both sides, so no "
        "conversion happens; wavparse pushes 40 ms (1920-frame) buffers." % (GST_CAPS, GST_CAPS),
        "ffmpeg: -max_size %d -i file -af %s,<filter>,%s -c:a pcm_f32le -f null -. "
        "aformat keeps packed float stereo around the filter, pcm_f32le avoids the null "
        "muxer's default conversion to s16, -max_size makes the wav demuxer deliver the same "
        "1920-frame blocks as wavparse." % (BLOCK_FRAMES * FRAME_BYTES, FF_FMT, FF_FMT),
        "The baseline row is decode-only (no filter) in each framework: its x-rt is the "
        "ceiling set by process start-up and I/O, which every other row also pays.",
    ]
    if key_material:
        method.append(
            "Key (side-chain) input: a second file, %s, 48 kHz mono F32 of the same length, "
            "framed as filesrc ! wavparse ! %s in GStreamer and as a second -i with "
            "-max_size %d and %s in ffmpeg (-filter_complex [in0][in1]<filter>). Such an "
            "element has its own two-input baseline row (both files decoded and discarded), "
            "and its net ratios count from that."
            % (key_material, GST_KEY_CAPS, BLOCK_FRAMES * KEY_FRAME_BYTES, FF_KEY_FMT))
    if "sox" in used:
        method.insert(3,
            "sox: sox -V1 --buffer %d file -n <effects>. -n is sox's null output, so nothing "
            "is written; sox converts the float input to its 32-bit integer samples on "
            "reading (part of its decode-only baseline) and processes blocks of %d samples "
            "(--buffer counts samples of all channels), the same 1920 frames."
            % (SOX_BUFFER, SOX_BUFFER))
    method += [
        "net ratio = (peer wall - its framework's baseline wall) / (ours wall - GStreamer "
        "baseline wall): the cost of the processing alone, without start-up and I/O; "
        "'-' when a contender is within 1 ms of its baseline. It is noisier than ratio.",
    ]
    for m in method:
        print(wrap(m))
    seen = set()
    for c in cons:
        if c.note and c.note not in seen:
            seen.add(c.note)
            print(wrap(c.note))
    n = orc_note(env)
    if n:
        print(wrap("ORC: " + n))
    for n in notes:
        print(wrap(n))
    if args.verbose:
        print("Commands ($SIGNAL is the generated WAV file):")
        for c in cons:
            print("  %s\n    %s" % (c.label, c.shown("$SIGNAL")))

    return 0


def first_line(argv, index):
    try:
        out = subprocess.run(argv, capture_output=True, text=True).stdout.splitlines()
        return out[index].strip() if len(out) > index else None
    except OSError:
        return None


if __name__ == "__main__":
    sys.exit(main())
