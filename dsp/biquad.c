/* gst-mixmaster
 * Copyright (C) 2026 gst-mixmaster developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "biquad.h"

#include <complex.h>
#include <math.h>

#include "filter-design.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

#define STATE_FLUSH 1e-30

void
mm_biquad_design (
    MmBiquadCoefs *coefs, MmBiquadType type, double rate, double freq, double q)
{
  mm_biquad_design_gain (coefs, type, rate, freq, q, 0.0);
}

void
mm_biquad_design_gain (MmBiquadCoefs *coefs, MmBiquadType type, double rate,
    double freq, double q, double gain_db)
{
  mm_filter_clamp_design (rate, &freq, &q);

  double A = pow (10.0, gain_db / 40.0);
  double w0 = 2.0 * M_PI * freq / rate;
  double cos_w0 = cos (w0);
  double alpha = sin (w0) / (2.0 * q);
  double shelf = 2.0 * sqrt (A) * alpha;
  double b0, b1, b2, a0, a1, a2;

  a0 = 1.0 + alpha;
  a1 = -2.0 * cos_w0;
  a2 = 1.0 - alpha;
  switch (type) {
    case MM_BIQUAD_LOWPASS:
      b0 = (1.0 - cos_w0) / 2.0;
      b1 = 1.0 - cos_w0;
      b2 = b0;
      break;
    case MM_BIQUAD_HIGHPASS:
      b0 = (1.0 + cos_w0) / 2.0;
      b1 = -(1.0 + cos_w0);
      b2 = b0;
      break;
    case MM_BIQUAD_BANDPASS:
      b0 = alpha;
      b1 = 0.0;
      b2 = -alpha;
      break;
    case MM_BIQUAD_PEAKING:
      b0 = 1.0 + alpha * A;
      b1 = -2.0 * cos_w0;
      b2 = 1.0 - alpha * A;
      a0 = 1.0 + alpha / A;
      a2 = 1.0 - alpha / A;
      break;
    case MM_BIQUAD_LOW_SHELF:
      b0 = A * ((A + 1.0) - (A - 1.0) * cos_w0 + shelf);
      b1 = 2.0 * A * ((A - 1.0) - (A + 1.0) * cos_w0);
      b2 = A * ((A + 1.0) - (A - 1.0) * cos_w0 - shelf);
      a0 = (A + 1.0) + (A - 1.0) * cos_w0 + shelf;
      a1 = -2.0 * ((A - 1.0) + (A + 1.0) * cos_w0);
      a2 = (A + 1.0) + (A - 1.0) * cos_w0 - shelf;
      break;
    case MM_BIQUAD_HIGH_SHELF:
      b0 = A * ((A + 1.0) + (A - 1.0) * cos_w0 + shelf);
      b1 = -2.0 * A * ((A - 1.0) + (A + 1.0) * cos_w0);
      b2 = A * ((A + 1.0) + (A - 1.0) * cos_w0 - shelf);
      a0 = (A + 1.0) - (A - 1.0) * cos_w0 + shelf;
      a1 = 2.0 * ((A - 1.0) - (A + 1.0) * cos_w0);
      a2 = (A + 1.0) - (A - 1.0) * cos_w0 - shelf;
      break;
    case MM_BIQUAD_ALLPASS:
    default:
      b0 = 1.0 - alpha;
      b1 = -2.0 * cos_w0;
      b2 = 1.0 + alpha;
      break;
  }

  coefs->b0 = b0 / a0;
  coefs->b1 = b1 / a0;
  coefs->b2 = b2 / a0;
  coefs->a1 = a1 / a0;
  coefs->a2 = a2 / a0;
}

void
mm_biquad_flush_denormals (MmBiquadState *state)
{
  if (fabs (state->z1) < STATE_FLUSH)
    state->z1 = 0.0;
  if (fabs (state->z2) < STATE_FLUSH)
    state->z2 = 0.0;
}

void
mm_biquad_reset (MmBiquadState *state)
{
  state->z1 = 0.0;
  state->z2 = 0.0;
}

#define DEFINE_BIQUAD_PROCESS(suffix, type)                                    \
  void mm_biquad_process_##suffix (const MmBiquadCoefs *coefs,                 \
      MmBiquadState *state, type *samples, size_t n_samples)                   \
  {                                                                            \
    const MmBiquadCoefs c = *coefs;                                            \
    double z1 = state->z1, z2 = state->z2;                                     \
    for (size_t i = 0; i < n_samples; i++)                                     \
      samples[i] = (type) mm_biquad_tick (&c, &z1, &z2, samples[i]);           \
    state->z1 = z1;                                                            \
    state->z2 = z2;                                                            \
    mm_biquad_flush_denormals (state);                                         \
  }

DEFINE_BIQUAD_PROCESS (f32, float)
DEFINE_BIQUAD_PROCESS (f64, double)

double
mm_biquad_response_db (const MmBiquadCoefs *coefs, double rate, double freq)
{
  double complex z = cexp (I * 2.0 * M_PI * freq / rate);
  double complex zi = 1.0 / z;
  double complex num = coefs->b0 + coefs->b1 * zi + coefs->b2 * zi * zi;
  double complex den = 1.0 + coefs->a1 * zi + coefs->a2 * zi * zi;
  return 20.0 * log10 (cabs (num / den));
}
