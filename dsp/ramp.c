/* gst-mixmaster
 * Copyright (C) 2026 gst-mixmaster developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "ramp.h"

void
mm_ramp_init (MmRamp *ramp, double value, uint32_t glide_frames)
{
  ramp->glide_frames = glide_frames;
  mm_ramp_snap (ramp, value);
}

void
mm_ramp_set_glide (MmRamp *ramp, uint32_t glide_frames)
{
  ramp->glide_frames = glide_frames;
}

void
mm_ramp_snap (MmRamp *ramp, double value)
{
  ramp->current = value;
  ramp->target = value;
  ramp->step = 0.0;
  ramp->remaining = 0;
}

void
mm_ramp_set_target (MmRamp *ramp, double target)
{
  if (target == ramp->target)
    return;
  if (ramp->glide_frames == 0) {
    mm_ramp_snap (ramp, target);
    return;
  }
  ramp->target = target;
  ramp->remaining = ramp->glide_frames;
  ramp->step = (target - ramp->current) / ramp->glide_frames;
}

/* The last frame of a glide lands exactly on the target, never a rounding off it,
 * so that a glide back to unity ends bit-exact. */
#define DEFINE_RAMP_FILL(suffix, type)                                         \
  void mm_ramp_fill_##suffix (MmRamp *ramp, type *values, size_t n_frames)     \
  {                                                                            \
    size_t i = 0;                                                              \
    for (; i < n_frames && ramp->remaining > 0; i++) {                         \
      ramp->remaining--;                                                       \
      ramp->current =                                                          \
          ramp->remaining ? ramp->current + ramp->step : ramp->target;         \
      values[i] = (type) ramp->current;                                        \
    }                                                                          \
    for (; i < n_frames; i++)                                                  \
      values[i] = (type) ramp->target;                                         \
  }

DEFINE_RAMP_FILL (f32, float)
DEFINE_RAMP_FILL (f64, double)

double
mm_ramp_advance (MmRamp *ramp, size_t n_frames)
{
  if (n_frames >= ramp->remaining) {
    mm_ramp_snap (ramp, ramp->target);
  } else {
    ramp->remaining -= (uint32_t) n_frames;
    ramp->current += ramp->step * (double) n_frames;
  }
  return ramp->current;
}
