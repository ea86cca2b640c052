/* gst-mixmaster
 * Copyright (C) 2026 gst-mixmaster developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#ifndef MM_STEREO_H
#define MM_STEREO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "svf.h"
#include "ramp.h"

/* Mid/side stereo width with a phase-coherent bass-to-mono crossover.
 *
 *   M = (L + R) / 2            S = (L - R) / 2
 *   L' = gm * M' + gs * S'     R' = gm * M' - gs * S'
 *   gm = mid gain,  gs = width * side gain
 *
 * With bass mono off, M' = M and S' = S: the mono sum L' + R' = 2 gm M is untouched
 * by width and side gain. With bass mono at f, S' is the 4th-order Linkwitz-Riley
 * high-pass of S and M' is the matching 2nd-order all-pass (the sum of the LR4
 * low- and high-pass), so mid and side above f stay in phase and the stereo image
 * above the crossover is kept, while everything below f is mono.
 *
 * Processing is in place on interleaved stereo frames, blockwise, with no
 * allocation. Settings glide over glide_ms; mm_stereo_width_snap() applies them
 * at once. */

#define MM_STEREO_BLOCK 256

typedef union
{
  float f32[MM_STEREO_BLOCK];
  double f64[MM_STEREO_BLOCK];
} MmStereoScratch;

typedef struct
{
  double rate;
  uint32_t glide_frames;

  double width;
  double mid_gain_db;
  double side_gain_db;
  double bass_mono_freq; /* 0 = off */

  MmRamp mid_gain; /* linear */
  MmRamp side_gain; /* linear, width included */
  MmRamp bass_mix; /* 0 = full-band side, 1 = high-passed side */

  bool filters_active;
  double freq_current;
  double freq_step_ratio; /* per sub-block, while the crossover glides */
  uint32_t freq_steps_left;
  MmSvfCoefs crossover; /* mid all-pass and side high-pass share it */
  MmSvfState mid_state;
  MmSvfState side_state[2];

  MmStereoScratch mid, side, dry_mid, dry_side, coef_a, coef_b;
} MmStereoWidth;

void mm_stereo_width_init (MmStereoWidth *sw, double rate, double glide_ms);
void mm_stereo_width_set_width (MmStereoWidth *sw, double width);
void mm_stereo_width_set_mid_gain_db (MmStereoWidth *sw, double gain_db);
void mm_stereo_width_set_side_gain_db (MmStereoWidth *sw, double gain_db);
/* freq in Hz, 0 switches the crossover off */
void mm_stereo_width_set_bass_mono_freq (MmStereoWidth *sw, double freq);
/* Finishes every glide at once. */
void mm_stereo_width_snap (MmStereoWidth *sw);
/* Forgets the signal history (flush, discontinuity); settings are kept and snapped. */
void mm_stereo_width_reset (MmStereoWidth *sw);
/* True when the settings are unity and settled: processing leaves finite samples
 * bit-identical. */
bool mm_stereo_width_is_identity (const MmStereoWidth *sw);

void mm_stereo_width_process_f32 (
    MmStereoWidth *sw, float *frames, size_t n_frames);
void mm_stereo_width_process_f64 (
    MmStereoWidth *sw, double *frames, size_t n_frames);

/* Phase correlation and side/mid balance of interleaved stereo over an interval. */
typedef struct
{
  double sum_ll, sum_rr, sum_lr;
  uint64_t n_frames;
} MmStereoMeter;

void mm_stereo_meter_reset (MmStereoMeter *meter);
void mm_stereo_meter_add_f32 (
    MmStereoMeter *meter, const float *frames, size_t n_frames);
void mm_stereo_meter_add_f64 (
    MmStereoMeter *meter, const double *frames, size_t n_frames);
/* sum(LR) / sqrt(sum(L^2) sum(R^2)), in -1..1; 0 when either channel is silent */
double mm_stereo_meter_correlation (const MmStereoMeter *meter);
/* side energy over mid energy in dB, clamped to -120..+120 */
double mm_stereo_meter_side_to_mid_db (const MmStereoMeter *meter);

#endif
