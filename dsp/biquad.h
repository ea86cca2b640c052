/* gst-mixmaster
 * Copyright (C) 2026 gst-mixmaster developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#ifndef MM_BIQUAD_H
#define MM_BIQUAD_H

#include <stddef.h>

/* Second-order IIR sections designed by the bilinear transform (frequency pre-warped)
 * of the analog prototypes in R. Bristow-Johnson's Audio EQ Cookbook, run in
 * transposed direct form II with double-precision state. */

typedef enum
{
  MM_BIQUAD_LOWPASS,
  MM_BIQUAD_HIGHPASS,
  MM_BIQUAD_ALLPASS,
  MM_BIQUAD_BANDPASS, /* 0 dB at the centre */
  MM_BIQUAD_PEAKING,
  MM_BIQUAD_LOW_SHELF,
  MM_BIQUAD_HIGH_SHELF,
} MmBiquadType;

typedef struct
{
  /* normalised so that a0 == 1 */
  double b0, b1, b2, a1, a2;
} MmBiquadCoefs;

typedef struct
{
  double z1, z2;
} MmBiquadState;

/* Q of each section of a Butterworth / Linkwitz-Riley 2nd-order design */
#define MM_BIQUAD_Q_BUTTERWORTH 0.70710678118654752440

/* freq is clamped into (0, 0.49 * rate) */
void mm_biquad_design (MmBiquadCoefs *coefs, MmBiquadType type, double rate,
    double freq, double q);

/* The same, with a gain for the peaking and shelving types (dB; A = 10^(gain/40)). */
void mm_biquad_design_gain (MmBiquadCoefs *coefs, MmBiquadType type,
    double rate, double freq, double q, double gain_db);

void mm_biquad_reset (MmBiquadState *state);

/* One sample through a section whose state the caller keeps in registers. */
static inline double
mm_biquad_tick (const MmBiquadCoefs *c, double *z1, double *z2, double x)
{
  double y = c->b0 * x + *z1;
  *z1 = c->b1 * x - c->a1 * y + *z2;
  *z2 = c->b2 * x - c->a2 * y;
  return y;
}

/* State below ~1e-30 is denormal-prone noise far under any audio resolution. */
void mm_biquad_flush_denormals (MmBiquadState *state);

/* In place over a planar (one channel, contiguous) block. */
void mm_biquad_process_f32 (const MmBiquadCoefs *coefs, MmBiquadState *state,
    float *samples, size_t n_samples);
void mm_biquad_process_f64 (const MmBiquadCoefs *coefs, MmBiquadState *state,
    double *samples, size_t n_samples);

/* Magnitude response of the digital section at freq (Hz), in dB. */
double mm_biquad_response_db (
    const MmBiquadCoefs *coefs, double rate, double freq);

#endif
