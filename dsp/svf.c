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

int
mm_svf_section_from_biquad (
    MmSvfSection *section, const double b[3], const double a[3])
{
  double a1 = a[1] / a[0], a2 = a[2] / a[0];
  double b0 = b[0] / a[0], b1 = b[1] / a[0], b2 = b[2] / a[0];

  if (!(fabs (a2) < 1.0 && fabs (a1) < 1.0 + a2))
    return 0;

  double g = sqrt ((1.0 + a1 + a2) / (1.0 - a1 + a2));
  double k = 2.0 * (1.0 - a2) / ((1.0 - a1 + a2) * g);
  double d0 = 1.0 + g * k + g * g;
  double d1 = 2.0 * (g * g - 1.0);
  double m0 = (b0 - b1 + b2) * d0 / 4.0;
  double m2 = (b1 * d0 - m0 * d1) / (2.0 * g * g);
  double m1 = (b0 * d0 - m0 * d0 - m2 * g * g) / g;

  section->g = g;
  section->k = k;
  section->m0 = m0;
  section->m1 = m1;
  section->m2 = m2;
  return 1;
}

void
mm_svf_section_identity (MmSvfSection *section)
{
  section->m0 = 1.0;
  section->m1 = 0.0;
  section->m2 = 0.0;
}

void
mm_svf_section_coefs (const MmSvfSection *section, MmSvfCoefs *coefs)
{
  double g = section->g, k = section->k;
  coefs->k = k;
  coefs->a1 = 1.0 / (1.0 + g * (g + k));
  coefs->a2 = g * coefs->a1;
  coefs->a3 = g * coefs->a2;
}

double
mm_svf_section_response_db (const MmSvfSection *s, double rate, double freq)
{
  double g = s->g, k = s->k, w = 2.0 * M_PI * freq / rate;
  double d[3] = { 1.0 + g * k + g * g, 2.0 * (g * g - 1.0),
    1.0 - g * k + g * g };
  double n[3] = { s->m0 * d[0] + s->m1 * g + s->m2 * g * g,
    s->m0 * d[1] + 2.0 * s->m2 * g * g,
    s->m0 * d[2] - s->m1 * g + s->m2 * g * g };
  double nr = n[0] + n[1] * cos (w) + n[2] * cos (2 * w);
  double ni = -n[1] * sin (w) - n[2] * sin (2 * w);
  double dr = d[0] + d[1] * cos (w) + d[2] * cos (2 * w);
  double di = -d[1] * sin (w) - d[2] * sin (2 * w);
  return 10.0 * log10 ((nr * nr + ni * ni) / (dr * dr + di * di));
}

void
mm_svf_section_state_space (const MmSvfSection *s, MmSvfStateSpace *ss)
{
  MmSvfCoefs c;
  mm_svf_section_coefs (s, &c);
  /* v1 = a1 ic1 + a2 (x - ic2), v2 = ic2 + a2 ic1 + a3 (x - ic2),
   * ic1' = 2 v1 - ic1, ic2' = 2 v2 - ic2, y = m0 x + m1 v1 + m2 v2 */
  ss->a11 = 2.0 * c.a1 - 1.0;
  ss->a12 = -2.0 * c.a2;
  ss->b1 = 2.0 * c.a2;
  ss->a21 = 2.0 * c.a2;
  ss->a22 = 1.0 - 2.0 * c.a3;
  ss->b2 = 2.0 * c.a3;
  ss->c1 = s->m1 * c.a1 + s->m2 * c.a2;
  ss->c2 = -s->m1 * c.a2 + s->m2 * (1.0 - c.a3);
  ss->d = s->m0 + s->m1 * c.a2 + s->m2 * c.a3;
}
