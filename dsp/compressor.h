/* gst-mixmaster
 * Copyright (C) 2026 gst-mixmaster developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#ifndef MM_COMPRESSOR_H
#define MM_COMPRESSOR_H

#include <stdbool.h>
#include <stddef.h>

#include "delay.h"
#include "dynamics.h"
#include "ramp.h"

#define MM_COMPRESSOR_MAX_CHANNELS 8
/* The gain is computed every this many frames (the level is detected at every
 * frame, the peak of the block counts) and interpolated linearly in between. */
#define MM_COMPRESSOR_CONTROL_FRAMES 4

/* A feed-forward compressor on the dynamics core: detector -> static curve ->
 * stereo link -> attack/release smoothing in dB -> makeup, applied to the input
 * delayed by the lookahead; the dry signal takes the same delay, so `mix`
 * blends two aligned signals (parallel compression). In place on interleaved
 * frames; no allocation: the caller owns the lookahead storage. */

typedef struct
{
  double rate;
  int channels;

  MmGainCurve curve;
  MmDetector detector;
  MmSmoother smoother;
  float link; /* 0 independent .. 1 one gain for all */
  double makeup_db;
  bool auto_makeup;
  MmRamp makeup; /* linear, auto makeup included */
  MmRamp mix; /* 0 dry .. 1 compressed */

  MmDetectorState detect_state[MM_COMPRESSOR_MAX_CHANNELS];
  MmSmootherState smooth_state[MM_COMPRESSOR_MAX_CHANNELS];
  float
      gain[MM_COMPRESSOR_MAX_CHANNELS]; /* linear, at the last control point */
  MmDelayLine delay;
  float max_reduction_db; /* since the last mm_compressor_take_reduction */
} MmCompressor;

/* storage: channels * (max_lookahead + 1) doubles; lookahead in frames is fixed
 * for the life of the compressor. */
void mm_compressor_init (MmCompressor *c, double rate, int channels,
    double *storage, size_t max_lookahead, size_t lookahead, double glide_ms);
void mm_compressor_set_curve (
    MmCompressor *c, double threshold_db, double ratio, double knee_db);
void mm_compressor_set_times (
    MmCompressor *c, double attack_ms, double release_ms, double hold_ms);
void mm_compressor_set_detector (
    MmCompressor *c, MmDetectMode mode, double rms_ms, double highpass_hz);
void mm_compressor_set_link (MmCompressor *c, double link);
void mm_compressor_set_makeup (
    MmCompressor *c, double makeup_db, bool auto_makeup);
void mm_compressor_set_mix (MmCompressor *c, double mix);
/* The static gain reduction at a 0 dB level, which auto makeup adds back. */
double mm_compressor_auto_makeup_db (const MmCompressor *c);
void mm_compressor_snap (MmCompressor *c);
void mm_compressor_reset (MmCompressor *c);
/* ratio 1, no makeup, settled: the output is the input, delayed. */
bool mm_compressor_is_identity (const MmCompressor *c);
/* Largest gain reduction (dB, >= 0) since the last call. */
float mm_compressor_take_reduction (MmCompressor *c);

void mm_compressor_process_f32 (
    MmCompressor *c, float *frames, size_t n_frames);
void mm_compressor_process_f64 (
    MmCompressor *c, double *frames, size_t n_frames);

#endif
