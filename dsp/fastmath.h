/* gst-mixmaster
 * Copyright (C) 2026 gst-mixmaster developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#ifndef MM_FASTMATH_H
#define MM_FASTMATH_H

#include <stdint.h>
#include <string.h>

/* For the small per-sample helpers of the hot loops. */
#if defined(__GNUC__) || defined(__clang__)
#define MM_ALWAYS_INLINE inline __attribute__ ((always_inline))
#else
#define MM_ALWAYS_INLINE inline
#endif

/* log2 and exp2 for level and gain math in dB, accurate to about 2e-4 dB and
 * 4e-5 dB (polynomial fits on one octave, tested against libm). Level and gain
 * computers call them once per sample and channel, where libm's log10/pow are the
 * cost. */

/* x > 0, finite */
static inline float
mm_fast_log2 (float x)
{
  uint32_t bits;
  memcpy (&bits, &x, sizeof (bits));
  float exponent = (float) ((int32_t) ((bits >> 23) & 0xff) - 127);
  bits = (bits & 0x007fffffu) | 0x3f800000u;
  float m;
  memcpy (&m, &bits, sizeof (m));
  /* log2 (m) on [1, 2), degree 5 */
  float p = 0.04342891f;
  p = p * m - 0.40486717f;
  p = p * m + 1.59390136f;
  p = p * m - 3.49249428f;
  p = p * m + 5.04687605f;
  p = p * m - 2.78681295f;
  return exponent + p;
}

/* clamped to 2^-126 .. 2^127 */
static inline float
mm_fast_exp2 (float x)
{
  if (x < -126.0f)
    x = -126.0f;
  if (x > 127.0f)
    x = 127.0f;
  float fl = (float) (int32_t) x;
  if (fl > x)
    fl -= 1.0f;
  float f = x - fl;
  /* 2^f on [0, 1), degree 4, exact at f = 0 and 1 so that 0 dB is a gain of
   * exactly 1 */
  float p = 0.01354787660844392f;
  p = p * f + 0.05202490415269167f;
  p = p * f + 0.24140407091213564f;
  p = p * f + 0.6930231483267287f;
  p = p * f + 1.0f;
  uint32_t bits = (uint32_t) ((int32_t) fl + 127) << 23;
  float scale;
  memcpy (&scale, &bits, sizeof (scale));
  return p * scale;
}

/* 10 log10 (power) and 10^(db / 20) */
#define MM_DB_PER_LOG2_POWER 3.0102999566f /* 10 log10 (2) */
#define MM_LOG2_PER_DB_AMPLITUDE 0.1660964047f /* log2 (10) / 20 */

static inline float
mm_fast_power_to_db (float power)
{
  return MM_DB_PER_LOG2_POWER * mm_fast_log2 (power);
}

static inline float
mm_fast_db_to_gain (float db)
{
  return mm_fast_exp2 (db * MM_LOG2_PER_DB_AMPLITUDE);
}

#endif
