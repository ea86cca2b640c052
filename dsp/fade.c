/* gst-mixmaster
 * Copyright (C) 2026 gst-mixmaster developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "fade.h"

#include <float.h>
#include <math.h>

#define HALF_PI 1.57079632679489661923
/* 10^(3 x) = exp (THREE_LN10 x) */
#define THREE_LN10 6.90775527898213705205

/* The curves for x in (0, 1), written without cancellation:
 *   e(x)      = (10^(-3 (1 - x)) - 10^-3) / (1 - 10^-3)
 *             = (10^(3 x) - 1) / 999                = expm1 (3 ln10 x) / 999
 *   1 - e(1 - x) = (1 - 10^(-3 x)) / (1 - 10^-3)    = -expm1 (-3 ln10 x) / 0.999
 *   (1 - cos (pi x)) / 2 = sin^2 (pi x / 2)
 * Rounding may not take a gain above 1 (monotonic up to the exact 1 at 1). */
static inline double
curve_gain (MmFadeCurve curve, double x)
{
  double g;
  switch (curve) {
    case MM_FADE_EQUAL_POWER:
      g = sin (HALF_PI * x);
      break;
    case MM_FADE_LOGARITHMIC:
      g = -expm1 (-THREE_LN10 * x) / (1.0 - 1e-3);
      break;
    case MM_FADE_EXPONENTIAL:
      g = expm1 (THREE_LN10 * x) / 999.0;
      break;
    case MM_FADE_S_CURVE:
      g = sin (HALF_PI * x);
      g *= g;
      break;
    case MM_FADE_LINEAR:
    default:
      g = x;
      break;
  }
  return g < 1.0 ? g : 1.0;
}

double
mm_fade_gain (MmFadeCurve curve, double x)
{
  if (!(x > 0.0)) /* NaN too */
    return 0.0;
  if (x >= 1.0)
    return 1.0;
  return curve_gain (curve, x);
}

/* The fade-in gain of frame k < length, and (out) the fade-out gain. */
static inline double
in_gain (MmFadeCurve curve, uint64_t length, uint64_t k)
{
  return mm_fade_gain (curve, (double) k / (double) length);
}

static inline double
out_gain (MmFadeCurve curve, uint64_t length, uint64_t k)
{
  return mm_fade_gain (curve, (double) (length - k) / (double) length);
}

double
mm_fade_frame_gain (
    MmFadeCurve curve, MmFadeDirection dir, uint64_t length, uint64_t position)
{
  if (position >= length)
    return dir == MM_FADE_OUT ? 0.0 : 1.0;
  return dir == MM_FADE_OUT ? out_gain (curve, length, position)
                            : in_gain (curve, length, position);
}

/* How many of n frames from `position` on lie within the fade. */
static inline size_t
frames_in_fade (uint64_t length, uint64_t position, size_t n)
{
  uint64_t left;
  if (position >= length)
    return 0;
  left = length - position;
  return left < (uint64_t) n ? (size_t) left : n;
}

#define DEFINE_FADE_APPLY(suffix, type)                                        \
  void mm_fade_apply_##suffix (type *frames, int channels, size_t n,           \
      MmFadeCurve curve, MmFadeDirection dir, uint64_t length,                 \
      uint64_t position)                                                       \
  {                                                                            \
    size_t c, fading, i, ch;                                                   \
    if (channels <= 0 || n == 0)                                               \
      return;                                                                  \
    c = (size_t) channels;                                                     \
    fading = frames_in_fade (length, position, n);                             \
    for (i = 0; i < fading; i++) {                                             \
      type *f = frames + i * c;                                                \
      double g = mm_fade_frame_gain (curve, dir, length, position + i);        \
      for (ch = 0; ch < c; ch++)                                               \
        f[ch] = (type) ((double) f[ch] * g);                                   \
    }                                                                          \
    /* beyond the fade: a fade-in stays at unity, a fade-out is silence */     \
    if (dir == MM_FADE_OUT)                                                    \
      for (i = fading * c; i < n * c; i++)                                     \
        frames[i] = (type) 0.0;                                                \
  }

DEFINE_FADE_APPLY (f32, float)
DEFINE_FADE_APPLY (f64, double)

/* The crossfade's sum in double, clamped to the format's finite range: two
 * near-full-range equal-power signals may add up beyond it. */
static inline float
saturate_f32 (double v)
{
  if (v > FLT_MAX)
    return FLT_MAX;
  if (v < -FLT_MAX)
    return -FLT_MAX;
  return (float) v;
}

static inline double
saturate_f64 (double v)
{
  if (v > DBL_MAX)
    return DBL_MAX;
  if (v < -DBL_MAX)
    return -DBL_MAX;
  return v;
}

#define DEFINE_FADE_CROSSFADE(suffix, type)                                    \
  void mm_fade_crossfade_##suffix (type *out, const type *in, int channels,    \
      size_t n, MmFadeCurve curve, uint64_t length, uint64_t position)         \
  {                                                                            \
    size_t c, fading, i, ch;                                                   \
    if (channels <= 0 || n == 0)                                               \
      return;                                                                  \
    c = (size_t) channels;                                                     \
    fading = frames_in_fade (length, position, n);                             \
    for (i = 0; i < fading; i++) {                                             \
      type *o = out + i * c;                                                   \
      const type *a = in + i * c;                                              \
      double g_out = out_gain (curve, length, position + i);                   \
      double g_in = in_gain (curve, length, position + i);                     \
      for (ch = 0; ch < c; ch++)                                               \
        o[ch] = saturate_##suffix (                                            \
            (double) o[ch] * g_out + (double) a[ch] * g_in);                   \
    }                                                                          \
    /* beyond the crossfade: the in-coming signal alone, as it is */           \
    for (i = fading * c; i < n * c; i++)                                       \
      out[i] = in[i];                                                          \
  }

DEFINE_FADE_CROSSFADE (f32, float)
DEFINE_FADE_CROSSFADE (f64, double)
