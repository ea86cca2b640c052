/* gst-mixmaster
 * Copyright (C) 2026 gst-mixmaster developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "svf.h"

#include <math.h>

#include "filter-design.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

void
mm_svf_design (MmSvfCoefs *coefs, double rate, double freq, double q)
{
  mm_filter_clamp_design (rate, &freq, &q);

  double g = tan (M_PI * freq / rate);
  coefs->k = 1.0 / q;
  coefs->a1 = 1.0 / (1.0 + g * (g + coefs->k));
  coefs->a2 = g * coefs->a1;
  coefs->a3 = g * coefs->a2;
}

void
mm_svf_reset (MmSvfState *state)
{
  state->ic1 = 0.0;
  state->ic2 = 0.0;
}

void
mm_svf_flush_denormals (MmSvfState *state)
{
  if (fabs (state->ic1) < 1e-30)
    state->ic1 = 0.0;
  if (fabs (state->ic2) < 1e-30)
    state->ic2 = 0.0;
}
