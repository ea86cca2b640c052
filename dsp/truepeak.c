/* gst-mixmaster
 * Copyright (C) 2026 gst-mixmaster developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "truepeak.h"

#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "mixmaster-orc-init.h"
#include "mixmaster-orc.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

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

/* The first stage: minimax fit (iteratively reweighted least squares) of a
 * unit half-sample delay over 0 .. 0.475 of the rate, within 0.0053 dB. A
 * symmetric half-sample interpolator reads nothing at Nyquist itself; this one
 * is -0.2 dB at 0.48 and -3.1 dB at 0.49. */
static const float first_pairs[MM_TRUEPEAK_FIRST_PAIRS] = {
  6.3635073620e-01f,
  -2.1140093093e-01f,
  1.2598591726e-01f,
  -8.9081149426e-02f,
  6.8351485455e-02f,
  -5.4980489411e-02f,
  4.5581022968e-02f,
  -3.8568188522e-02f,
  3.3109065584e-02f,
  -2.8718447591e-02f,
  2.5098088931e-02f,
  -2.2053398995e-02f,
  1.9452617642e-02f,
  -1.7203144133e-02f,
  1.5238167668e-02f,
  -1.3508019671e-02f,
  1.1975151252e-02f,
  -1.0610418474e-02f,
  9.3910164861e-03f,
  -8.2985699485e-03f,
  7.3182982035e-03f,
  -6.4378462459e-03f,
  5.6469887209e-03f,
  -4.9368720937e-03f,
  4.2999597688e-03f,
  -3.7295358495e-03f,
  3.2197023722e-03f,
  -2.7651852763e-03f,
  2.3611411516e-03f,
  -2.0032682948e-03f,
  1.6876177489e-03f,
  -1.4104017323e-03f,
  1.1682913295e-03f,
  -9.5799568587e-04f,
  7.7650290329e-04f,
  -6.2089425753e-04f,
  4.8861478906e-04f,
  -3.7715212805e-04f,
  2.8431118515e-04f,
  -4.2478478142e-04f,
};

/* The 4x and 8x stages carry a signal whose band ends at a quarter and an
 * eighth of their rate: their taps are the same kind of fit over that band,
 * within 0.0042 dB (4 pairs) and 0.0003 dB (3 pairs). */
static const float stage2_pairs[MM_TRUEPEAK_STAGE2_PAIRS] = { 6.107414496e-01f,
  -1.446465750e-01f, 4.114160840e-02f, -7.476103052e-03f };
static const float stage3_pairs[MM_TRUEPEAK_STAGE3_PAIRS] = { 5.904092385e-01f,
  -1.046256222e-01f, 1.423576247e-02f };

/* A BS.1770 meter's interpolator as libebur128 builds it: a 49-tap sinc
 * cut at the original Nyquist, Hann-windowed, split into `factor` phases. */
static void
init_meter (MmTruePeak *tp, double rate)
{
  const int taps = 49;
  double phase_taps[3][MM_TRUEPEAK_METER_TAPS] = { { 0 } };

  tp->meter_factor = rate < 96000.0 ? 4 : (rate < 192000.0 ? 2 : 1);
  if (tp->meter_factor == 1)
    return;
  const int per_phase = (taps - 1) / tp->meter_factor, half = per_phase / 2;
  for (int j = 0; j < taps; j++) {
    const int phase = j % tp->meter_factor;
    if (phase == 0)
      continue;
    double m = j - (taps - 1) / 2.0, arg = M_PI * m / tp->meter_factor;
    double h = sin (arg) / arg;
    h *= 0.5 * (1.0 - cos (2.0 * M_PI * j / (taps - 1)));
    /* phase p's output at input n is the point p / factor after sample
     * c = n - half, tap t on x[n - t] = x[c + half - t] */
    phase_taps[phase - 1][j / tp->meter_factor] = h;
  }
  /* As pairs (x[c + k], x[c + 1 - k]), k = 1 .. half: the half-sample point
   * is symmetric; the quarter points mirror each other, and come as half
   * their sum (symmetric) and half their difference (antisymmetric). */
  tp->meter_pairs = half;
  const double *mid = phase_taps[tp->meter_factor / 2 - 1];
  for (int k = 1; k <= half; k++)
    tp->meter_half[k - 1] = (float) mid[half - k];
  if (tp->meter_factor == 4) {
    const double *quarter = phase_taps[0];
    for (int k = 1; k <= half; k++) {
      double a = quarter[half - k], b = quarter[half - 1 + k];
      tp->meter_sum[k - 1] = (float) (0.5 * (a + b));
      tp->meter_difference[k - 1] = (float) (0.5 * (a - b));
    }
  }
}

void
mm_true_peak_init (MmTruePeak *tp, int factor, double rate)
{
  memset (tp, 0, sizeof (*tp));
  mixmaster_orc_init ();
  tp->factor = factor >= 8 ? 8 : factor >= 4 ? 4 : factor >= 2 ? 2 : 1;
  memcpy (tp->first, first_pairs, sizeof (first_pairs));
  memcpy (tp->stage2, stage2_pairs, sizeof (stage2_pairs));
  memcpy (tp->stage3, stage3_pairs, sizeof (stage3_pairs));
  tp->meter_factor = 1;
  if (tp->factor > 1)
    init_meter (tp, rate);

  /* Each stage looks this many frames ahead of the points it makes: the
   * first K pairs, a later stage of K pairs over S streams
   * floor((K + S - 1) / S). The meter's points need at most 12, less than the
   * first stage alone. */
  tp->delay = 0;
  if (tp->factor >= 2)
    tp->delay += MM_TRUEPEAK_FIRST_PAIRS;
  if (tp->factor >= 4)
    tp->delay += (MM_TRUEPEAK_STAGE2_PAIRS + 1) / 2;
  if (tp->factor >= 8)
    tp->delay += (MM_TRUEPEAK_STAGE3_PAIRS + 3) / 4;
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
 * S i + r, where the interleaved sequence v[S j + s] = streams[s][j]:
 * sum_k pairs[k - 1] (v[m + 1 - k] + v[m + k]); antisymmetric, the pairs are
 * differences v[m + k] - v[m + 1 - k]. */
static void
half_band_stage (float *out, float *const *streams, int n_streams, int r,
    const float *pairs, int n_pairs, bool antisymmetric, ptrdiff_t lo,
    ptrdiff_t hi)
{
  const ptrdiff_t m = (ptrdiff_t) n_streams * lo + r;
  const int n = (int) (hi - lo);
  out += lo;
  for (int k0 = 0; k0 < n_pairs; k0 += 2) {
    const float *src[4] = { NULL, NULL, NULL, NULL };
    for (int q = 0; q < 2 && k0 + q < n_pairs; q++) {
      const ptrdiff_t k = k0 + q + 1;
      const ptrdiff_t before = m + 1 - k, after = m + k;
      const float *b =
          streams[before - n_streams * floor_div (before, n_streams)] +
          floor_div (before, n_streams);
      const float *a =
          streams[after - n_streams * floor_div (after, n_streams)] +
          floor_div (after, n_streams);
      src[2 * q] = antisymmetric ? a : b;
      src[2 * q + 1] = antisymmetric ? b : a;
    }
    const float *p = pairs + k0;
    if (k0 + 1 == n_pairs)
      mixmaster_orc_halfband1_acc_f32 (out, src[0], src[1], p[0], n);
    else if (antisymmetric && k0 == 0)
      mixmaster_orc_antisym2_f32 (
          out, src[0], src[1], src[2], src[3], p[0], p[1], n);
    else if (antisymmetric)
      mixmaster_orc_antisym2_acc_f32 (
          out, src[0], src[1], src[2], src[3], p[0], p[1], n);
    else if (k0 == 0)
      mixmaster_orc_halfband2_f32 (
          out, src[0], src[1], src[2], src[3], p[0], p[1], n);
    else
      mixmaster_orc_halfband2_acc_f32 (
          out, src[0], src[1], src[2], src[3], p[0], p[1], n);
  }
}

/* The meter's points over [lo, hi), folded into point_peak. */
static void
meter_points (
    const MmTruePeak *tp, MmTruePeakState *s, ptrdiff_t lo, ptrdiff_t hi)
{
  float *x[1] = { s->stream[0] };
  const int n = (int) (hi - lo);
  half_band_stage (s->meter_point[0], x, 1, 0, tp->meter_half, tp->meter_pairs,
      false, lo, hi);
  mixmaster_orc_abs_max4_acc_f32 (s->point_peak + lo, s->meter_point[0] + lo,
      s->meter_point[0] + lo, s->meter_point[0] + lo, s->meter_point[0] + lo,
      n);
  if (tp->meter_factor == 4) {
    half_band_stage (s->meter_point[1], x, 1, 0, tp->meter_sum, tp->meter_pairs,
        false, lo, hi);
    half_band_stage (s->meter_point[2], x, 1, 0, tp->meter_difference,
        tp->meter_pairs, true, lo, hi);
    mixmaster_orc_abs_sum_max_acc_f32 (
        s->point_peak + lo, s->meter_point[1] + lo, s->meter_point[2] + lo, n);
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
    half_band_stage (st[AT_4_8], st, 1, 0, tp->first, MM_TRUEPEAK_FIRST_PAIRS,
        false, lo2, hi2);
    half_band_stage (st[AT_2_8], x2, 2, 0, tp->stage2, MM_TRUEPEAK_STAGE2_PAIRS,
        false, lo4, hi4);
    half_band_stage (st[AT_6_8], x2, 2, 1, tp->stage2, MM_TRUEPEAK_STAGE2_PAIRS,
        false, lo4, hi4);
    for (int r = 0; r < 4; r++)
      half_band_stage (st[AT_1_8 + r], x4, 4, r, tp->stage3,
          MM_TRUEPEAK_STAGE3_PAIRS, false, lo, hi);
    mixmaster_orc_abs_max4_f32 (s->point_peak + lo, st[AT_0] + lo,
        st[AT_1_8] + lo, st[AT_2_8] + lo, st[AT_3_8] + lo, (int) (hi - lo));
    mixmaster_orc_abs_max4_acc_f32 (s->point_peak + lo, st[AT_4_8] + lo,
        st[AT_5_8] + lo, st[AT_6_8] + lo, st[AT_7_8] + lo, (int) (hi - lo));
  } else if (tp->factor == 4) {
    const ptrdiff_t lo2 = lo - 2, hi2 = hi + 2;
    half_band_stage (st[AT_4_8], st, 1, 0, tp->first, MM_TRUEPEAK_FIRST_PAIRS,
        false, lo2, hi2);
    half_band_stage (st[AT_2_8], x2, 2, 0, tp->stage2, MM_TRUEPEAK_STAGE2_PAIRS,
        false, lo, hi);
    half_band_stage (st[AT_6_8], x2, 2, 1, tp->stage2, MM_TRUEPEAK_STAGE2_PAIRS,
        false, lo, hi);
    mixmaster_orc_abs_max4_f32 (s->point_peak + lo, st[AT_0] + lo,
        st[AT_2_8] + lo, st[AT_4_8] + lo, st[AT_6_8] + lo, (int) (hi - lo));
  } else {
    half_band_stage (st[AT_4_8], st, 1, 0, tp->first, MM_TRUEPEAK_FIRST_PAIRS,
        false, lo, hi);
    mixmaster_orc_abs_max4_f32 (s->point_peak + lo, st[AT_0] + lo,
        st[AT_4_8] + lo, st[AT_0] + lo, st[AT_4_8] + lo, (int) (hi - lo));
  }
  if (tp->meter_factor > 1)
    meter_points (tp, s, lo, hi);
  /* frame c: x[c], the points after it and the points before it */
  mixmaster_orc_max_f32 (
      peaks, s->point_peak + c0 - 1, s->point_peak + c0, (int) n);

  /* keep the newest `history` samples for the next call */
  memmove (st[AT_0], st[AT_0] + n, history * sizeof (float));
}
