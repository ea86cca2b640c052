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
  double inverse_length;
  double ceiling; /* linear */
  double release; /* per-frame factor towards 1 (> 1) */
  /* Automatic release: the gain rises at release_fast while it is well below
   * `sustained`, a slow average of the window minimum (the reduction the
   * program has been getting); from there on at `release`. Short transients
   * then cost little loudness, sustained overs do not pump. */
  bool automatic;
  double release_fast;
  double sustained, sustained_fall, sustained_rise;

  /* sliding minimum (van Herk / Gil-Werman): the needs of the current
   * segment of L frames, its running minimum, and the suffix minima of the
   * segment before; a window is a suffix of one and a prefix of the other */
  double *segment, *suffix;
  size_t segment_pos;
  double prefix;
  bool all_ones; /* segment and suffix hold only ones */
  double window_min; /* of the last frame */

  double released; /* m'[n-1] */
  /* boxcar over L values of m' */
  double *ring;
  size_t ring_pos;
  double sum;
  size_t below_one; /* entries of the box under 1: none, sum is exact */
  uint32_t since_resum;
} MmLimiterGain;

/* storage: 3 * length doubles */
void mm_limiter_gain_init (MmLimiterGain *lg, size_t length, double *storage);
void mm_limiter_gain_set_ceiling (MmLimiterGain *lg, double ceiling_linear);
/* Time for the gain to rise by 20 dB once the peak has passed (ms); with
 * `automatic`, that is the rate after sustained overs, and the gain comes back
 * four times faster after short ones. */
void mm_limiter_gain_set_release (
    MmLimiterGain *lg, double rate, double release_ms, bool automatic);
void mm_limiter_gain_reset (MmLimiterGain *lg);
/* State and settings of src into dst, which keeps its own storage (of at
 * least src's length). */
void mm_limiter_gain_copy (MmLimiterGain *dst, const MmLimiterGain *src);

/* Feeds the (linked) peak of the newest frame; returns the gain for the frame
 * length - 1 frames ago. */
double mm_limiter_gain_tick (MmLimiterGain *lg, double peak);
/* The same over n frames from their needs, min(1, ceiling / peak) (the core's
 * own ceiling is not used); returns the lowest gain. */
double mm_limiter_gain_run (
    MmLimiterGain *lg, const float *need, double *gain, size_t n);

/* ---- the limiter: true-peak detector, gain cores, delayed audio ---- */

#define MM_LIMITER_MAX_CHANNELS 8
/* How far under the ceiling (dB) the gain aims when peaks are true peaks: the
 * 8x detector can read a peak between its points up to 0.17 dB low. */
#define MM_LIMITER_TRUE_PEAK_MARGIN_DB 0.15
/* Frames handled per pass over the detector stages. */
#define MM_LIMITER_BLOCK 512

typedef struct MmLimiter MmLimiter;

/* Allocates for up to max_lookahead_ms at this rate; the lookahead starts at
 * that maximum, oversampling at 8x. NULL when out of memory or arguments are
 * outside 1..MM_LIMITER_MAX_CHANNELS channels / a positive rate. */
MmLimiter *mm_limiter_new (int channels, double rate, double max_lookahead_ms);
void mm_limiter_free (MmLimiter *l);

/* Lookahead in frames (1 .. the maximum; clamped) and detector factor (1 =
 * sample peak, 2, 4, 8). Both reset the state: drain the delayed audio first. */
void mm_limiter_set_lookahead_frames (MmLimiter *l, size_t frames);
void mm_limiter_set_oversampling (MmLimiter *l, int factor);
size_t mm_limiter_get_lookahead_frames (const MmLimiter *l);
/* The whole delay of the audio: the lookahead plus the detector's own. */
size_t mm_limiter_latency_frames (const MmLimiter *l);

/* Changes lookahead and detector factor in the middle of a stream without
 * losing a frame or the detector's view across the change: the frames held
 * in the delay and some before them run again through the new configuration,
 * whose gain starts from where the old one was. Returns how many of the held
 * frames are due at once (written to out, which holds the old latency's
 * frames; when the latency shrinks) and sets *trim to how many frames the
 * caller must drop from the front of what follows (when it grows). */
size_t mm_limiter_reconfigure_f32 (
    MmLimiter *l, size_t lookahead, int factor, float *out, size_t *trim);
size_t mm_limiter_reconfigure_f64 (
    MmLimiter *l, size_t lookahead, int factor, double *out, size_t *trim);

/* These may change while processing; the gain follows without a jump. */
void mm_limiter_set_ceiling_db (MmLimiter *l, double ceiling_db);
/* Glides over about 10 ms once processing has started. */
void mm_limiter_set_input_gain_db (MmLimiter *l, double gain_db);
void mm_limiter_set_release (MmLimiter *l, double release_ms, bool automatic);
/* 0: each channel its own gain; 1: one gain for all (the loudest channel). */
void mm_limiter_set_stereo_link (MmLimiter *l, double link);

void mm_limiter_reset (MmLimiter *l);
/* Applies input gain, ceiling and release at once (no glide). */
void mm_limiter_snap (MmLimiter *l);

/* In place, interleaved; the output is the input delayed by
 * mm_limiter_latency_frames (). NaN and Inf input samples count as 0. */
void mm_limiter_process_f32 (MmLimiter *l, float *frames, size_t n_frames);
void mm_limiter_process_f64 (MmLimiter *l, double *frames, size_t n_frames);

/* Largest gain reduction (dB, >= 0) applied since the last call. */
double mm_limiter_take_reduction_db (MmLimiter *l);

#endif
