/* gst-mixmaster
 * Copyright (C) 2026 gst-mixmaster developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "truepeak.h"

#include <math.h>
#include <string.h>

#include "mixmaster-orc-init.h"
#include "mixmaster-orc.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

#define KAISER_BETA 8.0

/* stream indices in MmTruePeakState */
enum
{
  AT_0,
  AT_4_8,
  AT_2_8,
  AT_6_8,
  AT_1_8,
  AT_3_8,
  AT_5_8,
  AT_7_8
};

/* The 4x and 8x stages carry a signal whose band ends at a quarter and an
 * eighth of their rate: their taps are the minimax fit (iteratively reweighted
 * least squares) of a unit half-sample delay over that band, within 0.0042 dB
 * and 0.00001 dB. */
static const float later_pairs[2][MM_TRUEPEAK_LATER_PAIRS] = {
  { 6.107414496e-01f, -1.446465750e-01f, 4.114160840e-02f, -7.476103052e-03f },
  { 6.014034855e-01f, -1.256461796e-01f, 2.744732176e-02f, -3.205298442e-03f },
};

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
mm_true_peak_init (MmTruePeak *tp, int factor)
{
  const int pairs = MM_TRUEPEAK_FIRST_PAIRS;
  double first[MM_TRUEPEAK_FIRST_PAIRS], norm = 0.0;

  memset (tp, 0, sizeof (*tp));
  mixmaster_orc_init ();
  tp->factor = factor >= 8 ? 8 : factor >= 4 ? 4 : factor >= 2 ? 2 : 1;
  for (int k = 1; k <= pairs; k++) {
    double d = k - 0.5, r = d / (pairs + 0.5);
    double window = bessel_i0 (KAISER_BETA * sqrt (fmax (0.0, 1.0 - r * r))) /
        bessel_i0 (KAISER_BETA);
    first[k - 1] = sin (M_PI * d) / (M_PI * d) * window;
    norm += 2.0 * first[k - 1];
  }
  /* unity gain at DC, so a constant is not over- or under-read */
  for (int k = 0; k < pairs; k++)
    tp->first[k] = (float) (first[k] / norm);
  memcpy (tp->later, later_pairs, sizeof (later_pairs));

  /* Each stage looks this many frames ahead of the points it makes: the
   * first K pairs, a later stage of 4 pairs over 2 or 4 streams
   * floor((K + S - 1) / S). */
  tp->delay = 0;
  if (tp->factor >= 2)
    tp->delay += pairs;
  if (tp->factor >= 4)
    tp->delay += (MM_TRUEPEAK_LATER_PAIRS + 1) / 2;
  if (tp->factor >= 8)
    tp->delay += (MM_TRUEPEAK_LATER_PAIRS + 3) / 4;
}

void
mm_true_peak_reset_state (MmTruePeakState *s)
{
  memset (s, 0, sizeof (*s));
}

static ptrdiff_t
floor_div (ptrdiff_t a, ptrdiff_t b)
{
  return a >= 0 ? a / b : -((-a + b - 1) / b);
}

/* out[i], i in [lo, hi): the point halfway between v[m] and v[m + 1], m =
 * S i + r, where the interleaved sequence v[S j + s] = streams[s][j]. */
static void
half_band_stage (float *out, float *const *streams, int n_streams, int r,
    const float *pairs, int n_pairs, ptrdiff_t lo, ptrdiff_t hi)
{
  const ptrdiff_t m = (ptrdiff_t) n_streams * lo + r;
  for (int k0 = 0; k0 < n_pairs; k0 += 4) {
    const float *src[8];
    for (int q = 0; q < 4; q++) {
      const ptrdiff_t k = k0 + q + 1;
      const ptrdiff_t before = m + 1 - k, after = m + k;
      src[2 * q] = streams[before - n_streams * floor_div (before, n_streams)] +
          floor_div (before, n_streams);
      src[2 * q + 1] =
          streams[after - n_streams * floor_div (after, n_streams)] +
          floor_div (after, n_streams);
    }
    const float *p = pairs + k0;
    if (k0 == 0)
      mixmaster_orc_halfband4_f32 (out + lo, src[0], src[1], src[2], src[3],
          src[4], src[5], src[6], src[7], p[0], p[1], p[2], p[3],
          (int) (hi - lo));
    else
      mixmaster_orc_halfband4_acc_f32 (out + lo, src[0], src[1], src[2], src[3],
          src[4], src[5], src[6], src[7], p[0], p[1], p[2], p[3],
          (int) (hi - lo));
  }
}

void
mm_true_peak_process (const MmTruePeak *tp, MmTruePeakState *s, const float *x,
    float *peaks, size_t n)
{
  const ptrdiff_t history = MM_TRUEPEAK_HISTORY;
  float **st;
  float *streams[8];

  if (n == 0)
    return;
  if (tp->factor == 1) {
    for (size_t i = 0; i < n; i++)
      peaks[i] = fabsf (x[i]);
    return;
  }

  for (int k = 0; k < 8; k++)
    streams[k] = s->stream[k];
  st = streams;
  memcpy (st[AT_0] + history, x, n * sizeof (float));

  /* frames [c0, c1) are reported; each needs the points on both its sides */
  const ptrdiff_t c0 = history - tp->delay, c1 = c0 + (ptrdiff_t) n;
  ptrdiff_t lo = c0 - 1, hi = c1;
  float *const x4[4] = { st[AT_0], st[AT_2_8], st[AT_4_8], st[AT_6_8] };
  float *const x2[2] = { st[AT_0], st[AT_4_8] };

  if (tp->factor >= 8) {
    /* the 8x points need the 4x sequence one frame back and ahead */
    const ptrdiff_t lo4 = lo - 1, hi4 = hi + 1;
    const ptrdiff_t lo2 = lo4 - 2, hi2 = hi4 + 2;
    half_band_stage (
        st[AT_4_8], st, 1, 0, tp->first, MM_TRUEPEAK_FIRST_PAIRS, lo2, hi2);
    half_band_stage (
        st[AT_2_8], x2, 2, 0, tp->later[0], MM_TRUEPEAK_LATER_PAIRS, lo4, hi4);
    half_band_stage (
        st[AT_6_8], x2, 2, 1, tp->later[0], MM_TRUEPEAK_LATER_PAIRS, lo4, hi4);
    for (int r = 0; r < 4; r++)
      half_band_stage (st[AT_1_8 + r], x4, 4, r, tp->later[1],
          MM_TRUEPEAK_LATER_PAIRS, lo, hi);
    mixmaster_orc_abs_max4_f32 (s->point_peak + lo, st[AT_0] + lo,
        st[AT_1_8] + lo, st[AT_2_8] + lo, st[AT_3_8] + lo, (int) (hi - lo));
    mixmaster_orc_abs_max4_acc_f32 (s->point_peak + lo, st[AT_4_8] + lo,
        st[AT_5_8] + lo, st[AT_6_8] + lo, st[AT_7_8] + lo, (int) (hi - lo));
  } else if (tp->factor == 4) {
    const ptrdiff_t lo2 = lo - 2, hi2 = hi + 2;
    half_band_stage (
        st[AT_4_8], st, 1, 0, tp->first, MM_TRUEPEAK_FIRST_PAIRS, lo2, hi2);
    half_band_stage (
        st[AT_2_8], x2, 2, 0, tp->later[0], MM_TRUEPEAK_LATER_PAIRS, lo, hi);
    half_band_stage (
        st[AT_6_8], x2, 2, 1, tp->later[0], MM_TRUEPEAK_LATER_PAIRS, lo, hi);
    mixmaster_orc_abs_max4_f32 (s->point_peak + lo, st[AT_0] + lo,
        st[AT_2_8] + lo, st[AT_4_8] + lo, st[AT_6_8] + lo, (int) (hi - lo));
  } else {
    half_band_stage (
        st[AT_4_8], st, 1, 0, tp->first, MM_TRUEPEAK_FIRST_PAIRS, lo, hi);
    mixmaster_orc_abs_max4_f32 (s->point_peak + lo, st[AT_0] + lo,
        st[AT_4_8] + lo, st[AT_0] + lo, st[AT_4_8] + lo, (int) (hi - lo));
  }
  /* frame c: x[c], the points after it and the points before it */
  mixmaster_orc_max_f32 (
      peaks, s->point_peak + c0 - 1, s->point_peak + c0, (int) n);

  /* keep the newest `history` samples for the next call */
  memmove (st[AT_0], st[AT_0] + n, history * sizeof (float));
}
