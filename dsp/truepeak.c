/* gst-mixmaster
 * Copyright (C) 2026 gst-mixmaster developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "truepeak.h"

#include <math.h>
#include <string.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

#define KAISER_BETA 8.0

static double
bessel_i0 (double x)
{
  double sum = 1.0, term = 1.0;
  for (int k = 1; k < 50; k++) {
    term *= (x / (2.0 * k)) * (x / (2.0 * k));
    sum += term;
  }
  return sum;
}

void
mm_true_peak_init (MmTruePeak *tp, int factor, int half_taps)
{
  memset (tp, 0, sizeof (*tp));
  if (factor < 1)
    factor = 1;
  if (factor > MM_TRUEPEAK_MAX_FACTOR)
    factor = MM_TRUEPEAK_MAX_FACTOR;
  if (half_taps < 1)
    half_taps = 1;
  if (half_taps > MM_TRUEPEAK_MAX_HALF_TAPS)
    half_taps = MM_TRUEPEAK_MAX_HALF_TAPS;
  tp->factor = factor;
  tp->half_taps = half_taps;
  /* point p / factor after sample c: sum over j of x[c + j] h(p / factor - j),
   * j = -half_taps + 1 .. half_taps */
  for (int p = 1; p < factor; p++) {
    double t = (double) p / factor, norm = 0.0;
    for (int j = -half_taps + 1; j <= half_taps; j++) {
      double d = t - j, r = d / (half_taps + 0.5);
      double sinc = fabs (d) < 1e-12 ? 1.0 : sin (M_PI * d) / (M_PI * d);
      double window = bessel_i0 (KAISER_BETA * sqrt (fmax (0.0, 1.0 - r * r))) /
          bessel_i0 (KAISER_BETA);
      tp->coefs[p][j + half_taps - 1] = sinc * window;
      norm += sinc * window;
    }
    /* unity gain at DC, so a constant is not over- or under-read */
    for (int j = 0; j < 2 * half_taps; j++)
      tp->coefs[p][j] /= norm;
  }
}

void
mm_true_peak_reset_state (MmTruePeakState *s)
{
  memset (s, 0, sizeof (*s));
}

double
mm_true_peak_tick (const MmTruePeak *tp, MmTruePeakState *s, double x)
{
  if (tp->factor == 1)
    return fabs (x);

  const int h = tp->half_taps;
  /* history[0 .. 2h]: x[n - 2h] .. x[n]; the centre c = n - h */
  memmove (s->history, s->history + 1, 2 * h * sizeof (double));
  s->history[2 * h] = x;
  const double *around = s->history + 1; /* x[c - h + 1] .. x[c + h] */
  double interval = 0.0;
  for (int p = 1; p < tp->factor; p++) {
    const double *c = tp->coefs[p];
    double y = 0.0;
    for (int j = 0; j < 2 * h; j++)
      y += c[j] * around[j];
    interval = fmax (interval, fabs (y));
  }
  double peak =
      fmax (fabs (s->history[h]), fmax (interval, s->previous_interval));
  s->previous_interval = interval;
  return peak;
}
