/* gst-mixmaster
 * Copyright (C) 2026 gst-mixmaster developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#ifndef MM_KWEIGHT_H
#define MM_KWEIGHT_H

#include "biquad.h"

/* ITU-R BS.1770's K-weighting: a high shelf (+4 dB above ~1.7 kHz) and a
 * 38 Hz high-pass, from the analog prototype's bilinear transform (the
 * constants libebur128 derived), so that every rate gets the same response:
 * the 48 kHz coefficients of BS.1770's tables to 14 digits. */
typedef struct
{
  MmBiquadCoefs shelf, highpass;
} MmKWeighting;

void mm_k_weighting_design (MmKWeighting *k, double rate);

/* One sample through both sections; z holds the caller's 4 state values. */
static inline double
mm_k_weighting_tick (const MmKWeighting *k, double *z, double x)
{
  return mm_biquad_tick (
      &k->highpass, z + 2, z + 3, mm_biquad_tick (&k->shelf, z, z + 1, x));
}

#endif
