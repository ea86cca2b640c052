/* gst-mixmaster
 * Copyright (C) 2026 gst-mixmaster developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#ifndef MM_FILTER_DESIGN_H
#define MM_FILTER_DESIGN_H

/* Keeps a second-order design computable: frequency inside (0, 0.49 rate), where
 * tan(pi f / rate) stays finite, and a positive Q. NaN falls to the lower bound. */
static inline void
mm_filter_clamp_design (double rate, double *freq, double *q)
{
  double max_freq = 0.49 * rate;
  if (!(*freq > 1e-3))
    *freq = 1e-3;
  if (*freq > max_freq)
    *freq = max_freq;
  if (!(*q > 1e-3))
    *q = 1e-3;
}

#endif
