/* gst-mixmaster
 * Copyright (C) 2026 gst-mixmaster developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#ifndef MM_DUCKER_H
#define MM_DUCKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dynamics.h"
#include "svf.h"

/* Side-chain ducking: a key signal (a voice, a kick) sets the gain of a main
 * programme (the music). The key, band-limited by an optional high-pass and
 * low-pass (12 dB/octave Butterworth each), goes through the dynamics core
 * of mixcomp: an RMS detector (10 ms), the compressor curve (threshold,
 * ratio, soft knee centred on the threshold), capped at `depth` dB of
 * attenuation; the deepest dip asked for is held for `hold` after each fall
 * of the key, and the attack / release smoother in dB follows it. The gain is
 * computed every MM_DUCKER_CONTROL_FRAMES frames and glides linearly in
 * between.
 *
 * The caller aligns key and main (for a lookahead, the key runs ahead of
 * the main) and applies the gains. */

#define MM_DUCKER_CONTROL_FRAMES 4

typedef struct
{
  double rate;
  double threshold, ratio, knee, depth;
  double attack, hold, release; /* ms */
  double highpass_hz, lowpass_hz; /* 0: off */

  MmDetector detector; /* RMS, with the key high-pass */
  MmDetectorState detect;
  bool lowpass;
  MmSvfCoefs lowpass_coefs;
  MmSvfState lowpass_state;
  MmGainCurve curve;
  float floor_db; /* -depth */
  float floor_gain; /* 10^(-depth / 20), the lowest gain */
  float floor_power; /* key power from which the curve asks for the depth */
  float last_db, last_gain; /* the smoother's last value and its gain */
  float held_db; /* the dip asked for, held */
  uint32_t hold_ticks, hold_left; /* control points */
  MmSmoother smoother; /* at rate / MM_DUCKER_CONTROL_FRAMES, no hold */
  MmSmootherState smooth;
  float gain; /* linear, at the last control point */
  float lowest; /* since the last take */
  size_t phase; /* frames into the current control block */
  float next_gain, step; /* the glide towards the next control point */
} MmDucker;

void mm_ducker_init (MmDucker *d, double rate);
/* threshold dBFS (the key's RMS level), ratio >= 1, knee dB, depth dB >= 0
 * (the most attenuation) */
void mm_ducker_set_curve (MmDucker *d, double threshold_db, double ratio,
    double knee_db, double depth_db);
void mm_ducker_set_times (
    MmDucker *d, double attack_ms, double hold_ms, double release_ms);
/* 0 Hz: off; frequencies at or above 0.49 of the rate are clamped there */
void mm_ducker_set_key_filter (
    MmDucker *d, double highpass_hz, double lowpass_hz);
/* Back to no ducking (gain 1), the key filters and detector silent. */
void mm_ducker_reset (MmDucker *d);

/* n frames of the mono key in; gain[i] the linear gain for frame i (the
 * glide between control points). NaN and Inf in the key count as silence. */
void mm_ducker_process (MmDucker *d, const float *key, float *gain, size_t n);
/* The same for n frames of silent (or absent) key. */
void mm_ducker_process_silence (MmDucker *d, float *gain, size_t n);

/* Frames times gains, in place. */
void mm_ducker_apply_f32 (
    float *frames, int channels, const float *gain, size_t n);
void mm_ducker_apply_f64 (
    double *frames, int channels, const float *gain, size_t n);

/* The largest attenuation (dB, >= 0) of the gains handed out since the last
 * call. */
double mm_ducker_take_reduction_db (MmDucker *d);

#endif
