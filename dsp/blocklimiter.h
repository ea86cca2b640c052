/* gst-mixmaster
 * Copyright (C) 2026 gst-mixmaster developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#ifndef MM_BLOCKLIMITER_H
#define MM_BLOCKLIMITER_H

#include <stdbool.h>
#include <stddef.h>

#include "truepeak.h"

/* A lookahead true-peak limiter for a programme held whole (loudnorm's file
 * mode), in two parts:
 *
 * - MmBlockProfiler, while the programme is first measured: per block of D
 *   frames, its true peak (8x, largest channel) and its K-weighted energy
 *   (what it adds to the loudness, from mm_loudness_add_*_energies).
 * - MmBlockLimiter, from that profile alone: the masterlimiter's gain core
 *   (MmLimiterGain) run once per block, for any gain in front. Trying a gain
 *   costs a pass over the profile, not over the audio, and rendering needs
 *   neither a detector nor a delay line: the gains are read ahead.
 *
 * Block k's frames take a gain moving linearly from h[k] to h[k+1]. The core
 * sees block k as the larger of its peak and its predecessor's, so both ends
 * are at most ceiling / P[k], and so is every gain between them: no frame
 * goes over the ceiling at the detector's resolution (the core aims
 * MM_LIMITER_TRUE_PEAK_MARGIN_DB under it, as masterlimiter's does).
 *
 * The loudness of the output follows from the profile too: block k's energy
 * times G^2 (h[k]^2 + h[k] h[k+1] + h[k+1]^2) / 3, the mean square of its
 * gain. That is exact where the gain is 1 (the K-weighting is linear) and a
 * close model where the limiter acts (the filter sees the gain's change
 * too). */

/* the blocks one mm_block_profiler_add_* call can complete, at most */
#define MM_BLOCK_PROFILER_MAX_BLOCKS                                           \
  (MM_TRUEPEAK_BLOCK + MM_TRUEPEAK_MAX_DELAY + 2)

typedef struct MmBlockProfiler MmBlockProfiler;

/* NULL when out of memory or given 0 or more than 8 channels, block_frames 0
 * or a rate under 8 kHz. */
MmBlockProfiler *mm_block_profiler_new (
    int channels, double rate, size_t block_frames);
void mm_block_profiler_free (MmBlockProfiler *p);
void mm_block_profiler_reset (MmBlockProfiler *p);

/* n <= MM_TRUEPEAK_BLOCK interleaved frames and their energies; writes the
 * blocks completed (peak, linear; energy) and returns how many. The peaks
 * trail the frames by the detector's delay, so blocks complete a little
 * after their last frame. NaN and Inf count as silence. */
size_t mm_block_profiler_add_f32 (MmBlockProfiler *p, const float *frames,
    const float *frame_energy, size_t n, float *peak, float *energy);
size_t mm_block_profiler_add_f64 (MmBlockProfiler *p, const double *frames,
    const float *frame_energy, size_t n, float *peak, float *energy);
/* The end of the programme: the remaining blocks, the last one partial when
 * the length is not a multiple of D. */
size_t mm_block_profiler_finish (
    MmBlockProfiler *p, float *peak, float *energy);
/* The largest true peak reported since the last call (linear). */
double mm_block_profiler_take_peak (MmBlockProfiler *p);

typedef struct MmBlockLimiter MmBlockLimiter;

/* Blocks of block_frames; the lookahead is rounded up to whole blocks. */
MmBlockLimiter *mm_block_limiter_new (
    size_t block_frames, size_t lookahead_frames);
void mm_block_limiter_free (MmBlockLimiter *bl);
/* Resets the state for a pass with this gain in front (dB), the ceiling
 * (dBTP) and the release (ms at rate; automatic as masterlimiter's). */
void mm_block_limiter_start (MmBlockLimiter *bl, double rate, double gain_db,
    double ceiling_db, double release_ms, bool automatic);
/* Gains come out this many blocks after the peaks that went in. */
size_t mm_block_limiter_delay_blocks (const MmBlockLimiter *bl);
/* Feeds n blocks' peaks (the profile's: before the gain); gain[i] receives
 * the limiter's gain (<= 1, the gain in front not included) at the start of
 * the block delay blocks before block i. At the start, the first delay
 * values stand for blocks before the programme (1); at the end, feed
 * delay + 1 silent blocks (peak 0) for the last block's h[k + 1]. Returns
 * the lowest gain of these. */
double mm_block_limiter_run (
    MmBlockLimiter *bl, const float *peak, double *gain, size_t n);

/* n_frames frames, the first `offset` frames into its block (offset <
 * block_frames): block k's at input_gain times the gain gliding from gain[k]
 * to gain[k + 1] over block_frames, gain[0] being the first frame's block.
 * gain holds one more entry than the blocks touched. */
void mm_block_limiter_apply_f32 (float *frames, int channels,
    size_t block_frames, size_t offset, size_t n_frames, const double *gain,
    double input_gain);
void mm_block_limiter_apply_f64 (double *frames, int channels,
    size_t block_frames, size_t offset, size_t n_frames, const double *gain,
    double input_gain);

/* The mean square of a gain gliding linearly from a to b. */
static inline double
mm_block_limiter_power (double a, double b)
{
  return (a * a + a * b + b * b) / 3.0;
}

#endif
