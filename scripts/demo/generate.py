#!/usr/bin/python3
"""Synthesizes the gst-mixmaster demo mix with numpy: no downloads, deterministic.

A ~20 s, 48 kHz stereo pop-ish loop at 120 BPM in A minor (Am F C G):

  drums  kick on every beat, snare on 2 and 4, 16th hats a little right of centre
  bass   detuned PolyBLEP saws plus a sub sine, with a little stereo spread below
         120 Hz on purpose (a common "wide synth bass" problem that bass-mono fixes)
  pad    chord pad, separate detuned oscillators per side: wide and decorrelated
  lead   a spoken/sung line from espeak-ng when installed, else a formant-filtered
         synth lead; dry in the centre plus a quiet ping-pong echo

Writes stems/<name>.wav and demo-mix.wav (32-bit float) into the output directory;
the stems sum to that mix, a plain premix scaled to a -3 dBFS peak (the stems carry the
same scale). The main job writes no premix (generate(write_mix=False)): its mix stage
sums the stems itself, with the music ducked under the lead (chain.py, run_mix).
Usage: generate.py [OUTDIR] [--seconds S] [--no-espeak]
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wavio  # noqa: E402

RATE = 48000
BPM = 120.0
# A minor, one chord per bar: MIDI notes (root for the bass, voicing for the pad)
PROGRESSION = [
    (45, [57, 60, 64, 69]),  # Am
    (41, [57, 60, 65, 69]),  # F
    (48, [55, 60, 64, 67]),  # C
    (43, [55, 59, 62, 67]),  # G
]
LEAD_TEXT = "Mix it up, turn the music loud. Master it, and make it proud."
LEAD_MELODY = [69, 72, 74, 76, 74, 72, 69, 67, 69, 72, 76, 79, 76, 74, 72, 74]


def midi_hz(n):
    return 440.0 * 2.0 ** ((np.asarray(n, dtype=np.float64) - 69.0) / 12.0)


def polyblep_saw(freq, rate, phase0=0.0):
    """Band-limited-ish sawtooth for a per-sample frequency array (PolyBLEP)."""
    dt = np.asarray(freq, dtype=np.float64) / rate
    t = np.mod(phase0 + np.cumsum(dt), 1.0)
    y = 2.0 * t - 1.0
    lo = t < dt
    tl = t[lo] / dt[lo]
    y[lo] -= tl + tl - tl * tl - 1.0
    hi = t > 1.0 - dt
    th = (t[hi] - 1.0) / dt[hi]
    y[hi] -= th * th + th + th + 1.0
    return y


def sine(freq, rate, phase0=0.0):
    return np.sin(2.0 * np.pi * (phase0 + np.cumsum(np.asarray(freq, dtype=np.float64) / rate)))


def fft_filter(x, rate, response):
    """Zero-phase filtering of a whole track: multiplies its spectrum by response(f)."""
    n = x.shape[0]
    nfft = 1 << int(np.ceil(np.log2(n + rate // 10)))  # pad: keep tails off the start
    spec = np.fft.rfft(x, nfft, axis=0)
    f = np.fft.rfftfreq(nfft, 1.0 / rate)
    h = response(f)
    if spec.ndim == 2:
        h = h[:, None]
    return np.fft.irfft(spec * h, nfft, axis=0)[:n]


def lowpass(fc, order=2):
    return lambda f: 1.0 / np.sqrt(1.0 + (f / fc) ** (2 * order))


def highpass(fc, order=2):
    return lambda f: 1.0 / np.sqrt(1.0 + (fc / np.maximum(f, 1e-3)) ** (2 * order))


def peak(fc, bw, gain):
    return lambda f: gain / (1.0 + ((f - fc) / bw) ** 2)


def place(track, hit, start):
    """Adds hit (frames[, ch]) into track at sample index start, clipped to the end."""
    if start >= track.shape[0]:
        return
    end = min(track.shape[0], start + hit.shape[0])
    track[start:end] += hit[:end - start]


def pan(mono, position):
    """Constant-power pan, position -1 (left) .. +1 (right)."""
    a = (position + 1.0) * np.pi / 4.0
    return np.stack([mono * np.cos(a), mono * np.sin(a)], axis=1)


def make_drums(n, rate, rng):
    beat = int(round(rate * 60.0 / BPM))
    six = beat // 4
    kick = np.zeros(n)
    t = np.arange(int(0.45 * rate)) / rate
    kf = 48.0 + 110.0 * np.exp(-t / 0.035)
    khit = np.sin(2 * np.pi * np.cumsum(kf) / rate) * np.exp(-t / 0.22)
    khit += 0.3 * np.exp(-t / 0.003) * rng.standard_normal(t.size) * (t < 0.004)
    snare = np.zeros(n)
    st = np.arange(int(0.3 * rate)) / rate
    snoise = rng.standard_normal(st.size) * np.exp(-st / 0.07)
    stone = 0.6 * np.sin(2 * np.pi * 185.0 * st) * np.exp(-st / 0.05)
    hats = np.zeros(n)
    ht = np.arange(int(0.12 * rate)) / rate
    nbeats = n // beat + 1
    for b in range(nbeats):
        bar = b // 4
        if bar >= 1:  # intro bar has only hats and pad
            place(kick, khit, b * beat)
        if b % 2 == 1 and bar >= 1:
            place(snare, 0.5 * snoise + stone, b * beat)
        for s in range(4):
            accent = (0.9, 0.35, 0.6, 0.35)[s]
            decay = 0.09 if s == 2 else 0.025  # "open" hat on the off-beat 8th
            hhit = accent * rng.standard_normal(ht.size) * np.exp(-ht / decay)
            place(hats, hhit, b * beat + s * six)
    snare = fft_filter(snare, rate, lambda f: highpass(150)(f) * lowpass(7000)(f))
    hats = fft_filter(hats, rate, highpass(7000, 3))
    out = pan(0.95 * kick, 0.0) + pan(0.45 * snare, 0.0) + pan(0.12 * hats, 0.35)
    return out


def bar_steps(n, rate, values):
    """Per-sample array holding values[bar % len(values)] for each bar."""
    bar = int(round(4 * rate * 60.0 / BPM))
    idx = (np.arange(n) // bar) % len(values)
    return np.asarray(values, dtype=np.float64)[idx]


def make_bass(n, rate):
    beat = rate * 60.0 / BPM
    root = bar_steps(n, rate, [r for r, _ in PROGRESSION])
    # 8th-note pattern: root, root, octave, root ... with short gaps (staccato)
    pos8 = (np.arange(n) / (beat / 2.0))
    step = pos8.astype(np.int64) % 8
    octave = np.isin(step, (3, 6)).astype(np.float64) * 12.0
    f = midi_hz(root + octave)
    frac = pos8 - np.floor(pos8)
    gate = np.clip(frac / 0.02, 0, 1) * np.clip((0.85 - frac) / 0.08, 0, 1)
    env = gate * (0.65 + 0.35 * np.exp(-frac * 4.0))
    sub = sine(midi_hz(root), rate)
    # the stereo "problem": left and right saws slightly detuned against each other,
    # so the low end drifts in and out of phase between the speakers
    left = polyblep_saw(f * (1.0 - 0.0015), rate)
    right = polyblep_saw(f * (1.0 + 0.0015), rate, 0.1)
    saws = np.stack([left, right], axis=1)
    saws = fft_filter(saws, rate, lowpass(700, 2))
    bass = 0.5 * saws + 0.55 * sub[:, None]
    bass *= env[:, None]
    bar = int(round(4 * beat))
    bass[:bar] = 0.0  # enters in bar 2
    return 0.55 * bass


def make_pad(n, rate, rng):
    beat = rate * 60.0 / BPM
    bar = 4 * beat
    # one oscillator per chord note common to both sides, plus two detuned ones per side
    # with their own detune and phase: wide, partly decorrelated
    freqs = [midi_hz(bar_steps(n, rate, [v[voice] for _, v in PROGRESSION]))
             for voice in range(4)]
    common = sum(polyblep_saw(f, rate, rng.random()) for f in freqs)
    chans = []
    for ch in range(2):
        acc = np.zeros(n)
        for f in freqs:
            for det in (-1.0, 1.0):
                cents = det * (7.0 + 4.0 * rng.random()) + (2.0 if ch else -2.0)
                acc += polyblep_saw(f * 2.0 ** (cents / 1200.0), rate, rng.random())
        chans.append(1.3 * common + 0.7 * acc)
    pad = np.stack(chans, axis=1)
    pad = fft_filter(pad, rate, lambda f: lowpass(1800, 2)(f) * highpass(180, 2)(f))
    pos = np.arange(n) / bar
    frac = pos - np.floor(pos)
    env = np.clip(frac / 0.15, 0, 1) * np.clip((1.0 - frac) / 0.05, 0.25, 1)
    # slow, opposite tremolo on each side adds movement and decorrelation
    t = np.arange(n) / rate
    trem = np.stack([1 + 0.15 * np.sin(2 * np.pi * 0.23 * t),
                     1 + 0.15 * np.sin(2 * np.pi * 0.23 * t + np.pi)], axis=1)
    return 0.05 * pad * env[:, None] * trem


def espeak_lead(rate, text=LEAD_TEXT):
    exe = shutil.which("espeak-ng") or shutil.which("espeak")
    if not exe:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        wav = os.path.join(tmp, "lead.wav")
        cmd = [exe, "-v", "en-us", "-s", "150", "-p", "60", "-a", "160", "-w", wav, text]
        try:
            subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, timeout=30)
            x, src_rate, _ = wavio.read_wav(wav)
        except (OSError, subprocess.SubprocessError, wavio.WavError):
            return None
    x = x.mean(axis=1)
    if x.size == 0 or not np.any(x):
        return None
    # FFT resampling to the mix rate
    m = int(round(x.size * rate / src_rate))
    y = np.fft.irfft(np.fft.rfft(x), m) * (m / x.size)
    y = fft_filter(y, rate, highpass(120, 2))
    return y / (np.max(np.abs(y)) + 1e-12)


def formant_lead(rate, rng):
    beat = rate * 60.0 / BPM
    step = int(round(beat / 2))
    n = step * len(LEAD_MELODY)
    notes = np.repeat(np.asarray(LEAD_MELODY, dtype=np.float64), step)[:n]
    t = np.arange(n) / rate
    f = midi_hz(notes) * 2.0 ** (0.2 * np.sin(2 * np.pi * 5.5 * t) / 12.0)  # vibrato
    x = polyblep_saw(f, rate, rng.random())
    vowel = lambda fr: (peak(700, 90, 1.0)(fr) + peak(1220, 110, 0.5)(fr)
                        + peak(2600, 160, 0.25)(fr) + 0.02)
    x = fft_filter(x, rate, vowel)
    frac = (np.arange(n) % step) / step
    x *= np.clip(frac / 0.05, 0, 1) * np.clip((1.0 - frac) / 0.15, 0, 1)
    return x / (np.max(np.abs(x)) + 1e-12)


def make_lead(n, rate, rng, use_espeak=True):
    line = espeak_lead(rate) if use_espeak else None
    source = "espeak-ng" if line is not None else "formant synth"
    if line is None:
        line = formant_lead(rate, rng)
    bar = int(round(4 * rate * 60.0 / BPM))
    dry = np.zeros(n)
    for start_bar in (2, 6):
        place(dry, line, start_bar * bar)
    out = pan(0.6 * dry, 0.0)
    # ping-pong echo: 3/8 note, alternating sides, filtered
    d = int(round(1.5 * rate * 60.0 / BPM / 2))
    wet = fft_filter(dry, rate, lambda f: highpass(300)(f) * lowpass(4000)(f))
    for k, (side, g) in enumerate([(0, 0.35), (1, 0.25), (0, 0.17), (1, 0.11)]):
        shift = (k + 1) * d
        out[shift:, side] += 0.6 * g * wet[:n - shift]
    return out, source


def generate(outdir, seconds=20.0, rate=RATE, seed=20240601, use_espeak=True,
             peak_dbfs=-3.0, write_mix=True):
    """Writes stems/*.wav and, with write_mix, demo-mix.wav (their plain sum); returns a
    dict describing what it made ("mix": the premix's path, None without write_mix;
    "scale": the gain the stems and the premix carry, which puts the premix's sample
    peak on peak_dbfs; "frames": the stems' length)."""
    rng = np.random.default_rng(seed)
    n = int(round(seconds * rate))
    stems = {
        "drums": make_drums(n, rate, rng),
        "bass": make_bass(n, rate),
        "pad": make_pad(n, rate, rng),
    }
    stems["lead"], lead_source = make_lead(n, rate, rng, use_espeak)
    # fade the last second out, 5 ms in
    fade = np.ones(n)
    fl = min(n, rate)
    fade[n - fl:] = np.cos(np.linspace(0, np.pi / 2, fl)) ** 2
    fade[:int(0.005 * rate)] = np.linspace(0, 1, int(0.005 * rate))
    for k in stems:
        stems[k] = stems[k] * fade[:, None]
    mix = sum(stems.values())
    scale = 10 ** (peak_dbfs / 20.0) / np.max(np.abs(mix))
    mix *= scale
    os.makedirs(os.path.join(outdir, "stems"), exist_ok=True)
    paths = {}
    for k, v in stems.items():
        paths[k] = os.path.join(outdir, "stems", f"{k}.wav")
        wavio.write_wav_f32(paths[k], v * scale, rate)
    mix_path = None
    if write_mix:
        mix_path = os.path.join(outdir, "demo-mix.wav")
        wavio.write_wav_f32(mix_path, mix, rate)
    return {"mix": mix_path, "stems": paths, "rate": rate, "seconds": n / rate,
            "frames": n, "lead": lead_source, "seed": seed, "scale": float(scale)}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("outdir", nargs="?", default="out/main-job")
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--no-espeak", action="store_true", help="use the synthesized lead")
    args = ap.parse_args(argv)
    info = generate(args.outdir, args.seconds, use_espeak=not args.no_espeak)
    print(f"wrote {info['mix']} ({info['seconds']:.1f} s, {info['rate']} Hz, "
          f"lead: {info['lead']}) and {len(info['stems'])} stems")


if __name__ == "__main__":
    main()
