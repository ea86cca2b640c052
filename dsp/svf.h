/* gst-mixmaster
 * Copyright (C) 2026 gst-mixmaster developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#ifndef MM_SVF_H
#define MM_SVF_H

/* Second-order state-variable filter integrated with the trapezoidal rule
 * (A. Simper, "Linear trapezoidal integrated SVF", Cytomic 2013). Its responses are
 * those of the bilinear-transformed analog prototypes, exactly as the biquads of
 * biquad.h, but its state is a pair of integrator charges that mean the same thing
 * whatever the coefficients: frequency changes while audio runs do not kick the
 * output the way a direct-form biquad's do. Use it for filters that glide. */

/* Q of each section of a Butterworth / Linkwitz-Riley 2nd-order design */
#define MM_SVF_Q_BUTTERWORTH 0.70710678118654752440

typedef struct
{
  double a1, a2, a3;
  double k; /* 1 / Q */
} MmSvfCoefs;

typedef struct
{
  double ic1, ic2;
} MmSvfState;

/* freq is clamped into (0, 0.49 * rate) */
void mm_svf_design (MmSvfCoefs *coefs, double rate, double freq, double q);
void mm_svf_reset (MmSvfState *state);
/* State below ~1e-30 is denormal-prone noise far under any audio resolution. */
void mm_svf_flush_denormals (MmSvfState *state);

/* One sample; returns the band-pass (v1) and low-pass (v2) outputs, from which
 * high = x - k v1 - v2 and all-pass = x - 2 k v1. */
static inline void
mm_svf_tick (
    const MmSvfCoefs *c, MmSvfState *s, double x, double *band, double *low)
{
  double v3 = x - s->ic2;
  double v1 = c->a1 * s->ic1 + c->a2 * v3;
  double v2 = s->ic2 + c->a2 * s->ic1 + c->a3 * v3;
  s->ic1 = 2.0 * v1 - s->ic1;
  s->ic2 = 2.0 * v2 - s->ic2;
  *band = v1;
  *low = v2;
}

static inline double
mm_svf_highpass (const MmSvfCoefs *c, MmSvfState *s, double x)
{
  double band, low;
  mm_svf_tick (c, s, x, &band, &low);
  return x - c->k * band - low;
}

static inline double
mm_svf_allpass (const MmSvfCoefs *c, MmSvfState *s, double x)
{
  double band, low;
  mm_svf_tick (c, s, x, &band, &low);
  return x - 2.0 * c->k * band;
}

/* Any stable biquad as a trapezoidal SVF plus an output mix,
 *   y = m0 x + m1 v1 + m2 v2,
 * after A. Simper's "Solving the continuous SVF equations using trapezoidal
 * integration". g > 0 and k > 0 for every stable denominator, and a straight line
 * between two such parameter sets stays stable: coefficient glides interpolate
 * these five numbers. */
typedef struct
{
  double g, k, m0, m1, m2;
} MmSvfSection;

/* b and a are numerator and denominator (a[0] != 0). Returns 0 when the
 * denominator is not strictly stable (the section is then left unchanged). */
int mm_svf_section_from_biquad (
    MmSvfSection *section, const double b[3], const double a[3]);
/* A section that passes its input unchanged, keeping g and k. */
void mm_svf_section_identity (MmSvfSection *section);
/* The section's integrator coefficients. */
void mm_svf_section_coefs (const MmSvfSection *section, MmSvfCoefs *coefs);
/* Magnitude in dB of the section at freq (Hz). */
double mm_svf_section_response_db (
    const MmSvfSection *section, double rate, double freq);

/* The same section as a 2x2 state-space recursion on the SVF's own state,
 *   ic' = A ic + B x,  y = C ic + D x,
 * fewer operations per sample than the SVF equations; for fixed coefficients. */
typedef struct
{
  double a11, a12, a21, a22, b1, b2, c1, c2, d;
} MmSvfStateSpace;

void mm_svf_section_state_space (
    const MmSvfSection *section, MmSvfStateSpace *ss);

static inline double
mm_svf_section_tick (
    const MmSvfSection *s, const MmSvfCoefs *c, MmSvfState *state, double x)
{
  double band, low;
  mm_svf_tick (c, state, x, &band, &low);
  return s->m0 * x + s->m1 * band + s->m2 * low;
}

#endif
