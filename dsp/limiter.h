/* gst-mixmaster
 * Copyright (C) 2026 gst-mixmaster developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#ifndef MM_LIMITER_H
#define MM_LIMITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The gain core of a lookahead brickwall limiter (after Hamalainen, DAFx-02, and
 * x42 dpl), free of overshoot by construction:
 *
 *   r[n]  = min(1, ceiling / peak[n])         gain each frame needs
 *   m[n]  = min(r[n-L+1 .. n])                sliding minimum over L frames
 *   m'[n] = min(m[n], release(m'[n-1]))       rises no faster than the release
 *   g[n]  = mean(m'[n-L+1 .. n])              boxcar of the same length
 *
 * and g[n] is applied to the frame from L-1 frames ago. Every value averaged
 * into g[n] comes from a window that contained that frame, so each is at most
 * the gain the frame needs, and so is their mean: the output never exceeds the
 * ceiling at the detector's resolution. The caller owns all storage. */

typedef struct
{
  size_t length; /* L, frames */
  double ceiling; /* linear */
  double release; /* per-frame factor towards 1 (> 1) */

  /* sliding minimum: a monotonic deque of (value, frame) in caller storage */
  double *deque_value;
  uint64_t *deque_frame;
  size_t deque_head, deque_count;
  uint64_t frame;

  double released; /* m'[n-1] */
  /* boxcar over L values of m' */
  double *ring;
  size_t ring_pos;
  double sum;
  size_t below_one; /* entries of the box under 1: none, sum is exact */
  uint32_t since_resum;
} MmLimiterGain;

/* storage_values: 2 * length doubles, storage_frames: length uint64_t */
void mm_limiter_gain_init (MmLimiterGain *lg, size_t length,
    double *storage_values, uint64_t *storage_frames);
void mm_limiter_gain_set_ceiling (MmLimiterGain *lg, double ceiling_linear);
/* Time for the gain to rise by 20 dB once the peak has passed (ms). */
void mm_limiter_gain_set_release (
    MmLimiterGain *lg, double rate, double release_ms);
void mm_limiter_gain_reset (MmLimiterGain *lg);

/* Feeds the (linked) peak of the newest frame; returns the gain for the frame
 * length - 1 frames ago. */
double mm_limiter_gain_tick (MmLimiterGain *lg, double peak);

/* ---- the limiter: true-peak detector, linked gain core, delayed audio ---- */

#include "delay.h"
#include "truepeak.h"

#define MM_LIMITER_MAX_CHANNELS 8
/* The detector under-reads a peak between its points by up to
 * cos(pi 0.45 / factor) (0.13 dB at 8x, 0.54 dB at 4x); the gain core aims this
 * much lower than the ceiling so a finer measurement of the output stays
 * within 0.1 dB of it. */
#define MM_LIMITER_MARGIN_DB 0.1

typedef struct
{
  int channels;
  MmTruePeak detector;
  MmTruePeakState detect_state[MM_LIMITER_MAX_CHANNELS];
  MmLimiterGain gain;
  MmDelayLine delay;
  double input_gain; /* linear */
} MmLimiter;

/* Frames of storage each buffer needs for a lookahead of `length` frames. */
size_t mm_limiter_delay_frames (int factor, size_t length);
/* gain_values: 2 * length doubles; gain_frames: length uint64_t;
 * delay_storage: channels * (mm_limiter_delay_frames () + 1) doubles.
 * factor 1 limits the sample peak. */
void mm_limiter_init (MmLimiter *l, int channels, int factor, size_t length,
    double *gain_values, uint64_t *gain_frames, double *delay_storage);
void mm_limiter_set_ceiling_db (MmLimiter *l, double ceiling_db);
void mm_limiter_set_input_gain_db (MmLimiter *l, double gain_db);
void mm_limiter_set_release (MmLimiter *l, double rate, double release_ms);
void mm_limiter_reset (MmLimiter *l);
/* In place; the output is the input delayed by mm_limiter_delay_frames (). */
void mm_limiter_process_f64 (MmLimiter *l, double *frames, size_t n_frames);

#endif
