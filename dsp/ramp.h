/* gst-mixmaster
 * Copyright (C) 2026 gst-mixmaster developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#ifndef MM_RAMP_H
#define MM_RAMP_H

#include <stddef.h>
#include <stdint.h>

/* A parameter that glides linearly to a new target over a fixed number of frames,
 * so that changes while playing make no click and no zipper noise. A new target set
 * mid-glide starts a fresh glide from wherever the value is. */
typedef struct
{
  double current;
  double target;
  double step;
  uint32_t remaining;
  uint32_t glide_frames;
} MmRamp;

void mm_ramp_init (MmRamp *ramp, double value, uint32_t glide_frames);
void mm_ramp_set_glide (MmRamp *ramp, uint32_t glide_frames);
/* Glides to target (or jumps there when glide_frames is 0). */
void mm_ramp_set_target (MmRamp *ramp, double target);
/* Jumps to value at once. */
void mm_ramp_snap (MmRamp *ramp, double value);
static inline int
mm_ramp_is_settled (const MmRamp *ramp)
{
  return ramp->remaining == 0;
}

/* Writes the next n_frames values (n_frames may exceed the glide) and advances. */
void mm_ramp_fill_f32 (MmRamp *ramp, float *values, size_t n_frames);
void mm_ramp_fill_f64 (MmRamp *ramp, double *values, size_t n_frames);
/* Advances n_frames without writing values; returns the value reached. */
double mm_ramp_advance (MmRamp *ramp, size_t n_frames);

#endif
