/* gst-mixmaster
 * Copyright (C) 2026 gst-mixmaster developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "kweight.h"

#include <math.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

void
mm_k_weighting_design (MmKWeighting *k, double rate)
{
  double f0 = 1681.974450955533, gain_db = 3.999843853973347;
  double q = 0.7071752369554196;
  double w = tan (M_PI * f0 / rate);
  double vh = pow (10.0, gain_db / 20.0), vb = pow (vh, 0.4996667741545416);
  double a0 = 1.0 + w / q + w * w;
  k->shelf.b0 = (vh + vb * w / q + w * w) / a0;
  k->shelf.b1 = 2.0 * (w * w - vh) / a0;
  k->shelf.b2 = (vh - vb * w / q + w * w) / a0;
  k->shelf.a1 = 2.0 * (w * w - 1.0) / a0;
  k->shelf.a2 = (1.0 - w / q + w * w) / a0;

  f0 = 38.13547087602444;
  q = 0.5003270373238773;
  w = tan (M_PI * f0 / rate);
  double d = 1.0 + w / q + w * w;
  k->highpass.b0 = 1.0;
  k->highpass.b1 = -2.0;
  k->highpass.b2 = 1.0;
  k->highpass.a1 = 2.0 * (w * w - 1.0) / d;
  k->highpass.a2 = (1.0 - w / q + w * w) / d;
}
