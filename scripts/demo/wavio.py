"""Minimal WAV reader/writer on numpy (no scipy, no soundfile).

Reads PCM 8/16/24/32-bit and IEEE float 32/64-bit, plain or WAVE_FORMAT_EXTENSIBLE,
as float64 arrays shaped (frames, channels) scaled to -1..1. Writes 32-bit float WAV.
"""

import struct

import numpy as np

WAVE_FORMAT_PCM = 0x0001
WAVE_FORMAT_IEEE_FLOAT = 0x0003
WAVE_FORMAT_EXTENSIBLE = 0xFFFE


class WavError(Exception):
    pass


def read_wav(path):
    """Returns (samples float64 (frames, channels), rate, description)."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 12 or data[0:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise WavError(f"{path}: not a RIFF/WAVE file")
    pos = 12
    fmt = None
    payload = None
    while pos + 8 <= len(data):
        cid = data[pos:pos + 4]
        size = struct.unpack_from("<I", data, pos + 4)[0]
        body = pos + 8
        if cid == b"fmt ":
            fmt = data[body:body + size]
        elif cid == b"data":
            # Streaming writers may leave the size at 0 or 0xFFFFFFFF: take what is there.
            end = len(data) if size in (0, 0xFFFFFFFF) else min(len(data), body + size)
            payload = data[body:end]
        pos = body + size + (size & 1)
    if fmt is None or payload is None:
        raise WavError(f"{path}: missing fmt or data chunk")
    tag, channels, rate, _byterate, align, bits = struct.unpack_from("<HHIIHH", fmt, 0)
    if tag == WAVE_FORMAT_EXTENSIBLE and len(fmt) >= 26:
        tag = struct.unpack_from("<H", fmt, 24)[0]  # first two bytes of the sub-format GUID
    width = bits // 8
    frames = len(payload) // align
    payload = payload[:frames * align]
    if tag == WAVE_FORMAT_IEEE_FLOAT and bits in (32, 64):
        x = np.frombuffer(payload, dtype="<f4" if bits == 32 else "<f8").astype(np.float64)
        desc = f"F{bits}LE"
    elif tag == WAVE_FORMAT_PCM and bits == 8:
        x = (np.frombuffer(payload, dtype=np.uint8).astype(np.float64) - 128.0) / 128.0
        desc = "U8"
    elif tag == WAVE_FORMAT_PCM and bits in (16, 32):
        dt = "<i2" if bits == 16 else "<i4"
        x = np.frombuffer(payload, dtype=dt).astype(np.float64) / float(2 ** (bits - 1))
        desc = f"S{bits}LE"
    elif tag == WAVE_FORMAT_PCM and bits == 24:
        b = np.frombuffer(payload, dtype=np.uint8).reshape(-1, 3).astype(np.int32)
        v = b[:, 0] | (b[:, 1] << 8) | (b[:, 2] << 16)
        v = np.where(v & 0x800000, v - 0x1000000, v)
        x = v.astype(np.float64) / 8388608.0
        desc = "S24LE"
    else:
        raise WavError(f"{path}: unsupported WAV format tag 0x{tag:04x} with {bits} bits")
    if width * channels != align:
        raise WavError(f"{path}: odd block alignment {align} for {channels} x {bits} bits")
    return x.reshape(-1, channels), rate, desc


def write_wav_f32(path, samples, rate):
    """Writes samples (frames, channels) or (frames,) as 32-bit IEEE float WAV."""
    x = np.asarray(samples, dtype="<f4")
    if x.ndim == 1:
        x = x[:, None]
    channels = x.shape[1]
    payload = x.tobytes()
    align = 4 * channels
    fmt = struct.pack("<HHIIHHH", WAVE_FORMAT_IEEE_FLOAT, channels, rate, rate * align,
                      align, 32, 0)
    fact = struct.pack("<I", x.shape[0])
    riff_size = 4 + (8 + len(fmt)) + (8 + len(fact)) + (8 + len(payload))
    with open(path, "wb") as f:
        f.write(b"RIFF" + struct.pack("<I", riff_size) + b"WAVE")
        f.write(b"fmt " + struct.pack("<I", len(fmt)) + fmt)
        f.write(b"fact" + struct.pack("<I", len(fact)) + fact)
        f.write(b"data" + struct.pack("<I", len(payload)) + payload)
