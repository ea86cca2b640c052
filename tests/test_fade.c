/* dsp/fade against the closed forms of its curves: every curve runs from 0 to
 * 1 monotonically and is what its formula says, the equal-power and linear
 * curves are complementary, the logarithmic curve mirrors the exponential;
 * apply and crossfade give each frame the gain of its documented position on
 * F32 and F64 data, bit for bit however the fade is cut into calls; two
 * uncorrelated noises keep their power through an equal-power crossfade;
 * zero lengths, empty calls and extreme input stay harmless.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <float.h>
#include <glib.h>
#include <math.h>
#include <string.h>

#include "fade.h"

#define N_CURVES 5

static const MmFadeCurve curves[N_CURVES] = { MM_FADE_LINEAR,
  MM_FADE_EQUAL_POWER, MM_FADE_LOGARITHMIC, MM_FADE_EXPONENTIAL,
  MM_FADE_S_CURVE };
static const char *const curve_names[N_CURVES] = { "linear", "equal-power",
  "logarithmic", "exponential", "s-curve" };

/* The closed forms exactly as the header writes them, in double. Near the
 * ends some of them lose relative precision (1 - cos, a difference of two
 * powers of ten), so they are compared in absolute terms. */
static double
closed_exp (double x)
{
  return (exp (G_LN10 * (-3.0 * (1.0 - x))) - 1e-3) / (1.0 - 1e-3);
}

static double
closed_form (MmFadeCurve c, double x)
{
  switch (c) {
    case MM_FADE_LINEAR:
      return x;
    case MM_FADE_EQUAL_POWER:
      return sin (G_PI * x / 2.0);
    case MM_FADE_LOGARITHMIC:
      return 1.0 - closed_exp (1.0 - x);
    case MM_FADE_EXPONENTIAL:
      return closed_exp (x);
    case MM_FADE_S_CURVE:
      return (1.0 - cos (G_PI * x)) / 2.0;
  }
  g_assert_not_reached ();
}

/* The same curves rearranged so that each is accurate relative to its value
 * down to the smallest x (the reference for the relative tolerances):
 *   e(x) = 10^-3 (10^(3x) - 1) / (1 - 10^-3), and 10^y - 1 = 2 10^(y/2)
 *   sinh (y ln10 / 2);  1 - e(1 - x) = (1 - 10^(-3x)) / (1 - 10^-3);
 *   1 - cos t = sin^2 t / (1 + cos t), well-conditioned for t <= pi / 2. */
static double
ref_gain (MmFadeCurve c, double x)
{
  double h = 1.5 * G_LN10 * x, t = G_PI * x;
  switch (c) {
    case MM_FADE_LINEAR:
      return x;
    case MM_FADE_EQUAL_POWER:
      return sin (G_PI * x / 2.0);
    case MM_FADE_LOGARITHMIC:
      return 2.0 * exp (-h) * sinh (h) / (1.0 - 1e-3);
    case MM_FADE_EXPONENTIAL:
      return 2e-3 * exp (h) * sinh (h) / (1.0 - 1e-3);
    case MM_FADE_S_CURVE:
      if (x <= 0.5)
        return sin (t) * sin (t) / (2.0 * (1.0 + cos (t)));
      return (1.0 - cos (t)) / 2.0;
  }
  g_assert_not_reached ();
}

/* The documented position convention: fade-in frame k of len gets
 * g(k / len), fade-out frame k gets g((len - k) / len); beyond the end a
 * fade-in is 1 and a fade-out 0. */
static double
ref_frame_gain (MmFadeCurve c, MmFadeDirection dir, guint64 len, guint64 k)
{
  if (k >= len)
    return dir == MM_FADE_OUT ? 0.0 : 1.0;
  if (dir == MM_FADE_OUT)
    return ref_gain (c, (double) (len - k) / (double) len);
  return ref_gain (c, (double) k / (double) len);
}

/* |got - want| relative to want; a want of 0 must be met exactly. */
static double
rel_err (double got, double want)
{
  if (want == 0.0)
    return got == 0.0 ? 0.0 : INFINITY;
  return fabs (got - want) / fabs (want);
}

/* 1. Every curve: exact ends, clamping, monotonic, on its closed form. */
static void
test_curves (void)
{
  const guint64 grids[] = { 7, 44101, 48000, 1 << 20 };

  for (guint c = 0; c < N_CURVES; c++) {
    MmFadeCurve curve = curves[c];
    double worst_abs = 0.0, worst_rel = 0.0;

    g_assert_true (mm_fade_gain (curve, 0.0) == 0.0);
    g_assert_true (mm_fade_gain (curve, 1.0) == 1.0);
    g_assert_true (mm_fade_gain (curve, -0.0) == 0.0);
    g_assert_true (mm_fade_gain (curve, -0.25) == 0.0);
    g_assert_true (mm_fade_gain (curve, -INFINITY) == 0.0);
    g_assert_true (mm_fade_gain (curve, 1.0 + 1e-9) == 1.0);
    g_assert_true (mm_fade_gain (curve, 7.0) == 1.0);
    g_assert_true (mm_fade_gain (curve, INFINITY) == 1.0);
    g_assert_true (mm_fade_gain (curve, NAN) == 0.0);
    g_assert_true (mm_fade_gain (curve, DBL_TRUE_MIN) >= 0.0);
    g_assert_true (mm_fade_gain (curve, nextafter (1.0, 0.0)) <= 1.0);

    for (guint gi = 0; gi < G_N_ELEMENTS (grids); gi++) {
      guint64 m = grids[gi];
      double prev = 0.0;
      for (guint64 k = 0; k <= m; k++) {
        double x = (double) k / (double) m;
        double g = mm_fade_gain (curve, x);
        double abs_err = fabs (g - closed_form (curve, x));
        double r = rel_err (g, ref_gain (curve, x));
        if (!(g >= 0.0 && g <= 1.0 && g >= prev && abs_err <= 1e-12 &&
                r <= 1e-12))
          g_error ("%s at %" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT
                   ": %.17g (previous %.17g), closed form %.17g, "
                   "reference %.17g",
              curve_names[c], k, m, g, prev, closed_form (curve, x),
              ref_gain (curve, x));
        worst_abs = MAX (worst_abs, abs_err);
        worst_rel = MAX (worst_rel, r);
        prev = g;
      }
    }
    g_test_message ("%s: g(0) = 0, g(1) = 1, monotonic; off the closed form "
                    "by at most %.3g, off the reference by %.3g relative",
        curve_names[c], worst_abs, worst_rel);
  }

  /* complementary pairs and the mirror, on a grid that is not symmetric in
   * binary (1 - x is rounded) */
  double worst_power = 0.0, worst_lin = 0.0, worst_s = 0.0, worst_mirror = 0.0;
  double worst_db = 0.0;
  for (int k = 0; k <= 100000; k++) {
    double x = k / 100000.0;
    double ep = mm_fade_gain (MM_FADE_EQUAL_POWER, x);
    double ep1 = mm_fade_gain (MM_FADE_EQUAL_POWER, 1.0 - x);
    double e = mm_fade_gain (MM_FADE_EXPONENTIAL, x);
    worst_power = MAX (worst_power, fabs (ep * ep + ep1 * ep1 - 1.0));
    worst_lin = MAX (worst_lin,
        fabs (mm_fade_gain (MM_FADE_LINEAR, x) +
            mm_fade_gain (MM_FADE_LINEAR, 1.0 - x) - 1.0));
    worst_s = MAX (worst_s,
        fabs (mm_fade_gain (MM_FADE_S_CURVE, x) +
            mm_fade_gain (MM_FADE_S_CURVE, 1.0 - x) - 1.0));
    worst_mirror = MAX (worst_mirror,
        fabs (mm_fade_gain (MM_FADE_LOGARITHMIC, x) -
            (1.0 - mm_fade_gain (MM_FADE_EXPONENTIAL, 1.0 - x))));
    /* the exponential without its offset is a straight line in dB from -60
     * to 0 */
    worst_db = MAX (worst_db,
        fabs (20.0 * log10 (e * (1.0 - 1e-3) + 1e-3) + 60.0 * (1.0 - x)));
  }
  g_test_message ("equal-power g(x)^2 + g(1-x)^2 - 1: %.3g; linear g(x) + "
                  "g(1-x) - 1: %.3g; s-curve g(x) + g(1-x) - 1: %.3g; "
                  "logarithmic - (1 - exponential(1-x)): %.3g; exponential "
                  "off the -60..0 dB line by %.3g dB",
      worst_power, worst_lin, worst_s, worst_mirror, worst_db);
  g_assert_cmpfloat (worst_power, <=, 1e-12);
  g_assert_cmpfloat (worst_lin, <=, 1e-12);
  g_assert_cmpfloat (worst_s, <=, 1e-12);
  g_assert_cmpfloat (worst_mirror, <=, 1e-12);
  g_assert_cmpfloat (worst_db, <=, 1e-9);

  /* the halfway points, by hand */
  g_assert_cmpfloat_with_epsilon (
      mm_fade_gain (MM_FADE_LINEAR, 0.5), 0.5, 1e-15);
  g_assert_cmpfloat_with_epsilon (
      mm_fade_gain (MM_FADE_EQUAL_POWER, 0.5), sqrt (0.5), 1e-15);
  g_assert_cmpfloat_with_epsilon (
      mm_fade_gain (MM_FADE_S_CURVE, 0.5), 0.5, 1e-15);
  /* (10^-1.5 - 10^-3) / 0.999 */
  g_assert_cmpfloat_with_epsilon (mm_fade_gain (MM_FADE_EXPONENTIAL, 0.5),
      (0.031622776601683794 - 0.001) / 0.999, 1e-15);
  g_assert_cmpfloat_with_epsilon (mm_fade_gain (MM_FADE_LOGARITHMIC, 0.5),
      1.0 - (0.031622776601683794 - 0.001) / 0.999, 1e-15);
  /* the slow and the fast rise */
  g_assert_cmpfloat (mm_fade_gain (MM_FADE_EXPONENTIAL, 0.5), <, 0.1);
  g_assert_cmpfloat (mm_fade_gain (MM_FADE_LOGARITHMIC, 0.5), >, 0.9);
  /* an unknown curve is linear */
  g_assert_true (mm_fade_gain ((MmFadeCurve) 99, 0.375) == 0.375);
}

/* 2. The convention written out for a fade of 4 frames. */
static void
test_convention (void)
{
  const double in[] = { 0.0, 0.25, 0.5, 0.75, 1.0, 1.0 };
  const double out[] = { 1.0, 0.75, 0.5, 0.25, 0.0, 0.0 };
  double x[6], y[12];
  float xf[6];

  for (guint k = 0; k < 6; k++) {
    g_assert_true (
        mm_fade_frame_gain (MM_FADE_LINEAR, MM_FADE_IN, 4, k) == in[k]);
    g_assert_true (
        mm_fade_frame_gain (MM_FADE_LINEAR, MM_FADE_OUT, 4, k) == out[k]);
  }
  for (guint k = 0; k < 6; k++)
    x[k] = 1.0;
  mm_fade_apply_f64 (x, 1, 6, MM_FADE_LINEAR, MM_FADE_IN, 4, 0);
  for (guint k = 0; k < 6; k++)
    g_assert_true (x[k] == in[k]);
  for (guint k = 0; k < 6; k++)
    xf[k] = 1.0f;
  mm_fade_apply_f32 (xf, 1, 6, MM_FADE_LINEAR, MM_FADE_OUT, 4, 0);
  for (guint k = 0; k < 6; k++)
    g_assert_true (xf[k] == (float) out[k]);
  /* stereo, started at frame 1: both channels of a frame alike */
  for (guint k = 0; k < 12; k++)
    y[k] = 2.0;
  mm_fade_apply_f64 (y, 2, 6, MM_FADE_LINEAR, MM_FADE_OUT, 4, 1);
  for (guint k = 0; k < 6; k++)
    for (guint ch = 0; ch < 2; ch++)
      g_assert_true (y[2 * k + ch] == 2.0 * out[MIN (k + 1, 5)]);
  /* the last frame of a fade-out is not yet silent, the first of a fade-in
   * is */
  for (guint c = 0; c < N_CURVES; c++) {
    g_assert_true (mm_fade_frame_gain (curves[c], MM_FADE_IN, 4, 0) == 0.0);
    g_assert_true (mm_fade_frame_gain (curves[c], MM_FADE_OUT, 4, 0) == 1.0);
    g_assert_true (mm_fade_frame_gain (curves[c], MM_FADE_OUT, 4, 3) > 0.0);
    g_assert_true (mm_fade_frame_gain (curves[c], MM_FADE_IN, 4, 3) < 1.0);
  }
}

/* Random samples of magnitude 0.01 to 1, exact in float. */
static void
random_frames (double *x, gsize count, GRand *rand)
{
  for (gsize i = 0; i < count; i++) {
    double v = g_rand_double_range (rand, 0.01, 1.0);
    x[i] = (double) (float) (g_rand_boolean (rand) ? v : -v);
  }
}

/* apply / crossfade on double data, through float buffers for F32 */
static void
run_apply (gboolean f32, double *x, int ch, gsize n, MmFadeCurve curve,
    MmFadeDirection dir, guint64 len, guint64 pos)
{
  if (!f32) {
    mm_fade_apply_f64 (x, ch, n, curve, dir, len, pos);
    return;
  }
  float *f = g_new (float, n *ch + 1);
  for (gsize i = 0; i < n * ch; i++)
    f[i] = (float) x[i];
  mm_fade_apply_f32 (f, ch, n, curve, dir, len, pos);
  for (gsize i = 0; i < n * ch; i++)
    x[i] = f[i];
  g_free (f);
}

static void
run_crossfade (gboolean f32, double *out, const double *in, int ch, gsize n,
    MmFadeCurve curve, guint64 len, guint64 pos)
{
  if (!f32) {
    mm_fade_crossfade_f64 (out, in, ch, n, curve, len, pos);
    return;
  }
  float *o = g_new (float, n *ch + 1), *a = g_new (float, n *ch + 1);
  for (gsize i = 0; i < n * ch; i++) {
    o[i] = (float) out[i];
    a[i] = (float) in[i];
  }
  mm_fade_crossfade_f32 (o, a, ch, n, curve, len, pos);
  for (gsize i = 0; i < n * ch; i++)
    out[i] = o[i];
  g_free (o);
  g_free (a);
}

static const int channel_counts[] = { 1, 2, 6 };
static const guint64 lengths[] = { 1, 7, 48000, 44101 };
#define BEYOND 5

/* Checks y = x times the fade's gain from frame pos of the fade on; returns
 * the worst relative error within the fade. Beyond it: the input bit for bit
 * (fade-in) or +0.0 (fade-out). */
static double
check_faded (const double *x, const double *y, int ch, gsize n,
    MmFadeCurve curve, MmFadeDirection dir, guint64 len, guint64 pos,
    double tol, const char *what)
{
  double worst = 0.0;
  for (gsize i = 0; i < n; i++) {
    guint64 k = pos + i;
    double g = ref_frame_gain (curve, dir, len, k);
    g_assert_cmpfloat (
        rel_err (mm_fade_frame_gain (curve, dir, len, k), g), <=, 1e-12);
    for (int c = 0; c < ch; c++) {
      double in = x[i * ch + c], out = y[i * ch + c];
      if (k >= len) {
        gboolean ok = dir == MM_FADE_IN ? memcmp (&in, &out, sizeof out) == 0
                                        : (out == 0.0 && !signbit (out));
        if (!ok)
          g_error ("%s %s %s, %d ch, length %" G_GUINT64_FORMAT
                   ": frame %" G_GUINT64_FORMAT " beyond the fade: %.9g "
                   "from %.9g",
              what, curve_names[curve], dir == MM_FADE_IN ? "in" : "out", ch,
              len, k, out, in);
        continue;
      }
      double r = rel_err (out, in * g);
      if (!(r <= tol))
        g_error ("%s %s %s, %d ch, length %" G_GUINT64_FORMAT
                 ": frame %" G_GUINT64_FORMAT " channel %d: %.17g, want "
                 "%.17g x %.17g (relative error %.3g)",
            what, curve_names[curve], dir == MM_FADE_IN ? "in" : "out", ch, len,
            k, c, out, in, g, r);
      worst = MAX (worst, r);
    }
  }
  return worst;
}

/* 3. Each frame gets the gain of its position, F32 within 1e-6 and F64
 * within 1e-12 of the curve, from the start and from the middle of the
 * fade. */
static void
test_apply (void)
{
  GRand *rand = g_rand_new_with_seed (1);

  for (int f32 = 1; f32 >= 0; f32--) {
    double tol = f32 ? 1e-6 : 1e-12;
    for (guint c = 0; c < N_CURVES; c++) {
      double worst = 0.0;
      for (guint ci = 0; ci < G_N_ELEMENTS (channel_counts); ci++)
        for (guint li = 0; li < G_N_ELEMENTS (lengths); li++)
          for (int dir = MM_FADE_IN; dir <= MM_FADE_OUT; dir++) {
            int ch = channel_counts[ci];
            guint64 len = lengths[li];
            gsize n = len + BEYOND, from = len / 3;
            double *x = g_new (double, n *ch), *y = g_new (double, n *ch);

            random_frames (x, n * ch, rand);
            memcpy (y, x, n * ch * sizeof (double));
            run_apply (f32, y, ch, n, curves[c], dir, len, 0);
            worst = MAX (worst,
                check_faded (x, y, ch, n, curves[c], dir, len, 0, tol,
                    f32 ? "F32" : "F64"));
            /* a call that starts a third of the way in */
            memcpy (y, x, n * ch * sizeof (double));
            run_apply (f32, y, ch, n - from, curves[c], dir, len, from);
            worst = MAX (worst,
                check_faded (x, y, ch, n - from, curves[c], dir, len, from, tol,
                    f32 ? "F32" : "F64"));
            g_free (x);
            g_free (y);
          }
      g_test_message ("%s %s: each frame's gain within %.3g of the curve "
                      "(relative; tolerance %g)",
          f32 ? "F32" : "F64", curve_names[c], worst, tol);
    }
  }
  g_rand_free (rand);
}

/* Piece sizes: runs of short pieces and long ones, empty ones among them. */
static gsize
random_piece (GRand *rand, guint64 len)
{
  if (g_rand_boolean (rand))
    return g_rand_int_range (rand, 0, 11);
  return g_rand_int_range (rand, 0, (gint32) MIN (len / 3 + 3, 20000));
}

/* 4. A fade or crossfade cut into random pieces is bit for bit one call. */
static void
test_pieces (void)
{
  GRand *rand = g_rand_new_with_seed (2);
  guint runs = 0, calls = 0;

  for (int f32 = 0; f32 < 2; f32++)
    for (guint ci = 0; ci < G_N_ELEMENTS (channel_counts); ci++)
      for (guint li = 0; li < G_N_ELEMENTS (lengths); li++)
        for (guint c = 0; c < N_CURVES; c++) {
          int ch = channel_counts[ci];
          guint64 len = lengths[li];
          gsize n = len + 100, bytes = n * ch * sizeof (double);
          double *x = g_new (double, n *ch), *b = g_new (double, n *ch);
          double *one = g_new (double, n *ch), *cut = g_new (double, n *ch);

          random_frames (x, n * ch, rand);
          random_frames (b, n * ch, rand);
          for (int dir = MM_FADE_IN; dir <= MM_FADE_OUT; dir++) {
            memcpy (one, x, bytes);
            memcpy (cut, x, bytes);
            run_apply (f32, one, ch, n, curves[c], dir, len, 0);
            for (gsize off = 0; off < n;) {
              gsize m = random_piece (rand, len); /* MIN () evaluates twice */
              m = MIN (m, n - off);
              run_apply (f32, cut + off * ch, ch, m, curves[c], dir, len, off);
              off += m;
              calls++;
            }
            g_assert_true (memcmp (one, cut, bytes) == 0);
            runs++;
          }
          memcpy (one, x, bytes);
          memcpy (cut, x, bytes);
          run_crossfade (f32, one, b, ch, n, curves[c], len, 0);
          for (gsize off = 0; off < n;) {
            gsize m = random_piece (rand, len); /* MIN () evaluates twice */
            m = MIN (m, n - off);
            run_crossfade (
                f32, cut + off * ch, b + off * ch, ch, m, curves[c], len, off);
            off += m;
            calls++;
          }
          g_assert_true (memcmp (one, cut, bytes) == 0);
          runs++;
          g_free (x);
          g_free (b);
          g_free (one);
          g_free (cut);
        }
  g_test_message ("%u fades and crossfades in %u random pieces: bit-identical "
                  "to one call",
      runs, calls);
  g_rand_free (rand);
}

/* 5. Crossfades: the gains are the fade-out and fade-in gains of the frame,
 * linear and s-curve sum to 1, equal-power squares sum to 1, and an
 * equal-power crossfade of two uncorrelated noises keeps their power. */
static void
test_crossfade (void)
{
  for (int f32 = 1; f32 >= 0; f32--) {
    double tol = f32 ? 1e-6 : 1e-12;
    for (guint c = 0; c < N_CURVES; c++) {
      double worst = 0.0, worst_sum = 0.0, worst_power = 0.0;
      for (guint li = 0; li < G_N_ELEMENTS (lengths); li++) {
        const int ch = 2;
        guint64 len = lengths[li];
        gsize n = len + BEYOND;
        double *ones = g_new (double, n *ch), *zeros = g_new0 (double, n *ch);
        double *g_out = g_new (double, n *ch), *g_in = g_new (double, n *ch);
        double *sum = g_new (double, n *ch);

        for (gsize i = 0; i < n * ch; i++)
          ones[i] = 1.0;
        /* out-going 1, in-coming 0: the fade-out gain; and the other way */
        memcpy (g_out, ones, n * ch * sizeof (double));
        run_crossfade (f32, g_out, zeros, ch, n, curves[c], len, 0);
        memset (g_in, 0, n * ch * sizeof (double));
        run_crossfade (f32, g_in, ones, ch, n, curves[c], len, 0);
        /* both 1 */
        memcpy (sum, ones, n * ch * sizeof (double));
        run_crossfade (f32, sum, ones, ch, n, curves[c], len, 0);
        worst = MAX (worst,
            check_faded (ones, g_out, ch, n, curves[c], MM_FADE_OUT, len, 0,
                tol, "crossfade out"));
        worst = MAX (worst,
            check_faded (ones, g_in, ch, len, curves[c], MM_FADE_IN, len, 0,
                tol, "crossfade in"));
        for (gsize i = 0; i < n * ch; i++) {
          /* beyond the crossfade: the in-coming signal */
          if (i >= len * ch)
            g_assert_true (g_in[i] == 1.0 && sum[i] == 1.0);
          if (curves[c] == MM_FADE_LINEAR || curves[c] == MM_FADE_S_CURVE)
            worst_sum = MAX (worst_sum, fabs (sum[i] - 1.0));
          else
            worst_sum = MAX (worst_sum, fabs (sum[i] - (g_out[i] + g_in[i])));
          if (curves[c] == MM_FADE_EQUAL_POWER)
            worst_power = MAX (worst_power,
                fabs (g_out[i] * g_out[i] + g_in[i] * g_in[i] - 1.0));
        }
        g_free (ones);
        g_free (zeros);
        g_free (g_out);
        g_free (g_in);
        g_free (sum);
      }
      if (curves[c] == MM_FADE_EQUAL_POWER)
        g_test_message (
            "%s %s: gains within %.3g of the curve (relative), "
            "out^2 + in^2 - 1 within %.3g, 1 and 1 crossfaded = out + in "
            "within %.3g",
            f32 ? "F32" : "F64", curve_names[c], worst, worst_power, worst_sum);
      else
        g_test_message ("%s %s: gains within %.3g of the curve (relative), "
                        "1 and 1 crossfaded %s within %.3g",
            f32 ? "F32" : "F64", curve_names[c], worst,
            curves[c] == MM_FADE_EXPONENTIAL || curves[c] == MM_FADE_LOGARITHMIC
                ? "= out + in"
                : "= 1",
            worst_sum);
      /* the sum rounded once to float (up to 2: an ulp of 2^-22) */
      g_assert_cmpfloat (worst_sum, <=, f32 ? 3e-7 : 1e-15);
      g_assert_cmpfloat (worst_power, <=, f32 ? 3e-7 : 1e-12);
    }
  }

  /* two uncorrelated stereo noises of equal power, crossfaded over 1 s */
  const guint64 len = 48000;
  const int ch = 2, blocks = 10;
  const gsize block = len / blocks;
  GRand *rand = g_rand_new_with_seed (3);
  double *a = g_new (double, len *ch), *b = g_new (double, len *ch);
  double *y = g_new (double, len *ch);
  const double power = 1.0 / 3.0; /* uniform in [-1, 1] */

  for (gsize i = 0; i < len * ch; i++) {
    a[i] = (double) (float) g_rand_double_range (rand, -1.0, 1.0);
    b[i] = (double) (float) g_rand_double_range (rand, -1.0, 1.0);
  }
  for (int f32 = 0; f32 < 2; f32++)
    for (guint c = 0; c < N_CURVES; c++) {
      double worst = 0.0, mean_db = 0.0, mid_db = 0.0;
      GString *s = g_string_new (NULL);
      memcpy (y, a, len * ch * sizeof (double));
      run_crossfade (f32, y, b, ch, len, curves[c], len, 0);
      for (int blk = 0; blk < blocks; blk++) {
        double got = 0.0, want = 0.0;
        for (gsize i = blk * block; i < (blk + 1) * block; i++) {
          double go = ref_frame_gain (curves[c], MM_FADE_OUT, len, i);
          double gi = ref_frame_gain (curves[c], MM_FADE_IN, len, i);
          want += (go * go + gi * gi) * power * ch;
          for (int k = 0; k < ch; k++)
            got += y[i * ch + k] * y[i * ch + k];
        }
        double db = 10.0 * log10 (got / (block * ch) / power);
        double err = 10.0 * log10 (got / want);
        g_string_append_printf (s, " %+.2f", db);
        worst = MAX (worst, fabs (err));
        mean_db += db / blocks;
        if (blk == blocks / 2)
          mid_db = db;
        g_assert_cmpfloat (fabs (err), <=, 0.5);
      }
      g_test_message ("%s %s, noises: power by tenths%s dB; off the "
                      "expected by at most %.3f dB",
          f32 ? "F32" : "F64", curve_names[c], s->str, worst);
      g_string_free (s, TRUE);
      if (curves[c] == MM_FADE_EQUAL_POWER) {
        g_test_message ("equal-power: power on average %+.4f dB", mean_db);
        g_assert_cmpfloat (fabs (mean_db), <=, 0.1);
      }
      /* the dip that equal power avoids */
      if (curves[c] == MM_FADE_LINEAR)
        g_assert_cmpfloat (mid_db, <, -2.5);
    }
  g_rand_free (rand);
  g_free (a);
  g_free (b);
  g_free (y);
}

/* 6. Nothing to do, zero lengths, positions at the end of the range, an
 * unknown curve, and the largest and smallest finite samples. */
static void
test_edge_cases (void)
{
  const float fx[] = { FLT_MAX, -FLT_MAX, FLT_MIN, -FLT_MIN, FLT_TRUE_MIN,
    -FLT_TRUE_MIN, 0.0f, -0.0f, 1.0f, -1.0f, 3.5f, -1e30f };
  const double dx[] = { DBL_MAX, -DBL_MAX, DBL_MIN, -DBL_MIN, DBL_TRUE_MIN,
    -DBL_TRUE_MIN, 0.0, -0.0, 1.0, -1.0, 3.5, -1e300 };
  const gsize nx = G_N_ELEMENTS (fx); /* 12 samples: 6 frames of 2, ... */
  const guint64 big = G_MAXUINT64;
  float f[12], fa[12], fb[12];
  double d[12], da[12], db[12];

  /* n = 0 and channels <= 0: nothing read, nothing written */
  for (guint c = 0; c < N_CURVES; c++)
    for (int dir = MM_FADE_IN; dir <= MM_FADE_OUT; dir++) {
      mm_fade_apply_f32 (NULL, 2, 0, curves[c], dir, 100, 0);
      mm_fade_apply_f64 (NULL, 2, 0, curves[c], dir, 100, 0);
      mm_fade_crossfade_f32 (NULL, NULL, 2, 0, curves[c], 100, 0);
      mm_fade_crossfade_f64 (NULL, NULL, 2, 0, curves[c], 100, 0);
      mm_fade_apply_f32 (NULL, 0, 10, curves[c], dir, 100, 0);
      mm_fade_crossfade_f64 (NULL, NULL, -1, 10, curves[c], 100, 0);
      memcpy (d, dx, sizeof d);
      mm_fade_apply_f64 (d, 0, 6, curves[c], dir, 100, 0);
      mm_fade_apply_f64 (d, -2, 6, curves[c], dir, 100, 0);
      g_assert_true (memcmp (d, dx, sizeof d) == 0);
    }

  /* length 0: all beyond the fade */
  for (guint c = 0; c < N_CURVES; c++) {
    memcpy (f, fx, sizeof f);
    mm_fade_apply_f32 (f, 2, 6, curves[c], MM_FADE_IN, 0, 0);
    g_assert_true (memcmp (f, fx, sizeof f) == 0);
    mm_fade_apply_f32 (f, 2, 6, curves[c], MM_FADE_OUT, 0, 0);
    for (gsize i = 0; i < nx; i++)
      g_assert_true (f[i] == 0.0f && !signbit (f[i]));
    memcpy (d, dx, sizeof d);
    mm_fade_apply_f64 (d, 3, 4, curves[c], MM_FADE_IN, 0, 5);
    g_assert_true (memcmp (d, dx, sizeof d) == 0);
    memset (da, 0, sizeof da);
    mm_fade_crossfade_f64 (da, dx, 1, 12, curves[c], 0, 0);
    g_assert_true (memcmp (da, dx, sizeof da) == 0);
    g_assert_true (mm_fade_frame_gain (curves[c], MM_FADE_IN, 0, 0) == 1.0);
    g_assert_true (mm_fade_frame_gain (curves[c], MM_FADE_OUT, 0, 0) == 0.0);
  }

  /* the end of the uint64 range: no overflow of position + i */
  for (guint c = 0; c < N_CURVES; c++) {
    for (guint k = 0; k < nx; k++)
      d[k] = 1.0;
    mm_fade_apply_f64 (d, 1, 12, curves[c], MM_FADE_OUT, big, big - 3);
    for (guint k = 0; k < nx; k++) {
      g_assert_true (isfinite (d[k]) && d[k] >= 0.0 && d[k] < 1e-15);
      if (k >= 3)
        g_assert_true (d[k] == 0.0);
    }
    for (guint k = 0; k < nx; k++)
      d[k] = 1.0;
    mm_fade_apply_f64 (d, 2, 6, curves[c], MM_FADE_IN, big, big - 1);
    for (guint k = 0; k < nx; k++)
      g_assert_true (d[k] == 1.0);
    memcpy (da, dx, sizeof da);
    mm_fade_crossfade_f64 (da, dx, 3, 4, curves[c], big, big);
    g_assert_true (memcmp (da, dx, sizeof da) == 0);
  }

  /* extreme finite samples: finite out, for every curve and position; the
   * equal-power sum of two full-scale floats saturates */
  guint64 finite_checked = 0;
  for (guint c = 0; c < N_CURVES; c++)
    for (guint64 len = 1; len <= 9; len++)
      for (guint64 pos = 0; pos <= len; pos++)
        for (int ch = 1; ch <= 3; ch++) {
          gsize n = nx / ch;
          for (int dir = MM_FADE_IN; dir <= MM_FADE_OUT; dir++) {
            memcpy (f, fx, sizeof f);
            memcpy (d, dx, sizeof d);
            mm_fade_apply_f32 (f, ch, n, curves[c], dir, len, pos);
            mm_fade_apply_f64 (d, ch, n, curves[c], dir, len, pos);
            for (gsize i = 0; i < nx; i++)
              g_assert_true (isfinite (f[i]) && isfinite (d[i]));
            finite_checked += 2 * nx;
          }
          for (int r = 0; r < (int) nx; r++) {
            /* every pairing of the extremes: in is out rotated by r */
            for (gsize i = 0; i < nx; i++) {
              fa[i] = fx[i];
              fb[i] = fx[(i + r) % nx];
              da[i] = dx[i];
              db[i] = dx[(i + r) % nx];
            }
            mm_fade_crossfade_f32 (fa, fb, ch, n, curves[c], len, pos);
            mm_fade_crossfade_f64 (da, db, ch, n, curves[c], len, pos);
            for (gsize i = 0; i < nx; i++)
              g_assert_true (isfinite (fa[i]) && isfinite (da[i]));
            finite_checked += 2 * nx;
          }
        }
  for (gsize i = 0; i < 4; i++) {
    fa[i] = FLT_MAX;
    fb[i] = FLT_MAX;
    da[i] = -DBL_MAX;
    db[i] = -DBL_MAX;
  }
  /* frame 1 of 2: sin + cos of pi / 4 = 1.414 */
  mm_fade_crossfade_f32 (fa, fb, 2, 2, MM_FADE_EQUAL_POWER, 2, 0);
  mm_fade_crossfade_f64 (da, db, 2, 2, MM_FADE_EQUAL_POWER, 2, 0);
  g_assert_true (fa[0] == FLT_MAX && fa[2] == FLT_MAX);
  g_assert_true (da[0] == -DBL_MAX && da[2] == -DBL_MAX);

  /* random finite samples over the whole exponent range: never NaN */
  GRand *rand = g_rand_new_with_seed (4);
  const gsize n = 4096;
  double *x = g_new (double, 2 * n), *w = g_new (double, 2 * n);
  for (gsize i = 0; i < 2 * n; i++) {
    x[i] = ldexp (g_rand_double_range (rand, -1.0, 1.0),
        g_rand_int_range (rand, -1074, 1024));
    w[i] = ldexp (g_rand_double_range (rand, -1.0, 1.0),
        g_rand_int_range (rand, -1074, 1024));
  }
  for (guint c = 0; c < N_CURVES; c++) {
    double *y = g_memdup2 (x, 2 * n * sizeof (double));
    mm_fade_crossfade_f64 (y, w, 2, n, curves[c], n - 7, 3);
    for (gsize i = 0; i < 2 * n; i++)
      g_assert_true (isfinite (y[i]));
    memcpy (y, x, 2 * n * sizeof (double));
    mm_fade_apply_f64 (y, 2, n, curves[c], MM_FADE_OUT, n + 7, 3);
    for (gsize i = 0; i < 2 * n; i++)
      g_assert_true (isfinite (y[i]));
    finite_checked += 4 * n;
    g_free (y);
  }
  g_rand_free (rand);
  g_free (x);
  g_free (w);
  g_test_message ("%" G_GUINT64_FORMAT " outputs of extreme finite samples: "
                  "all finite",
      finite_checked);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/fade/curves", test_curves);
  g_test_add_func ("/fade/convention", test_convention);
  g_test_add_func ("/fade/apply", test_apply);
  g_test_add_func ("/fade/pieces", test_pieces);
  g_test_add_func ("/fade/crossfade", test_crossfade);
  g_test_add_func ("/fade/edge-cases", test_edge_cases);
  return g_test_run ();
}
