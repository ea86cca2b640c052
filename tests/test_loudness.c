/* dsp/loudness against libebur128, the reference implementation of BS.1770 /
 * EBU Tech 3341-3342, on programme-like signals at several rates and channel
 * layouts.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <ebur128.h>
#include <glib.h>
#include <math.h>

#include "kweight.h"
#include "loudness.h"

/* Pink-ish noise whose level steps every few seconds, with short bursts, so
 * that the gates, the range and the maxima all have something to do. */
static double *
programme (size_t n, int channels, double rate, guint32 seed)
{
  GRand *rand = g_rand_new_with_seed (seed);
  double *x = g_new (double, n *channels);
  double state[8][3] = { { 0 } };
  for (size_t i = 0; i < n; i++) {
    double t = i / rate;
    double level_db = -20.0 - 12.0 * (((int) (t / 4.0)) % 3) +
        (fmod (t, 2.7) < 0.05 ? 14.0 : 0.0);
    double a = pow (10.0, level_db / 20.0);
    if (fmod (t, 11.0) > 9.5)
      a = 0.0; /* a pause under the absolute gate */
    for (int c = 0; c < channels; c++) {
      double w = g_rand_double_range (rand, -1.0, 1.0);
      /* a cheap pink-ish tilt */
      state[c][0] = 0.99 * state[c][0] + 0.1 * w;
      state[c][1] = 0.9 * state[c][1] + 0.3 * w;
      x[i * channels + c] = a * (state[c][0] + state[c][1] + 0.5 * w);
    }
  }
  g_rand_free (rand);
  return x;
}

static void
compare (int channels, double rate, const double *weights,
    const int *ebur128_channels, size_t chunk)
{
  const size_t n = (size_t) (40.0 * rate);
  double *x = programme (n, channels, rate, 7 + channels);
  MmLoudness *l = mm_loudness_new (channels, rate, weights);
  ebur128_state *ref = ebur128_init (channels, (unsigned long) rate,
      EBUR128_MODE_M | EBUR128_MODE_S | EBUR128_MODE_I | EBUR128_MODE_LRA |
          EBUR128_MODE_TRUE_PEAK);
  const size_t hop = (size_t) ((rate + 5.0) / 10.0);
  double worst_m = 0.0, worst_s = 0.0;
  MmLoudnessReading r;

  for (int c = 0; c < channels; c++)
    ebur128_set_channel (ref, c, ebur128_channels[c]);
  /* feed both a hop at a time and compare momentary and short-term at the
   * hop boundaries, where both evaluate the same windows */
  for (size_t done = 0; done + hop <= n; done += hop) {
    for (size_t k = 0; k < hop; k += chunk)
      mm_loudness_add_f64 (l, x + (done + k) * channels, MIN (chunk, hop - k));
    ebur128_add_frames_double (ref, x + done * channels, hop);
    double m, s;
    mm_loudness_read (l, &r, TRUE);
    if (done >= 4 * hop && ebur128_loudness_momentary (ref, &m) == 0 &&
        m > -70.0)
      worst_m = fmax (worst_m, fabs (r.momentary - m));
    if (done >= 30 * hop && ebur128_loudness_shortterm (ref, &s) == 0 &&
        s > -70.0)
      worst_s = fmax (worst_s, fabs (r.short_term - s));
  }
  double integrated, range, running_i = r.integrated, running_lra = r.range;
  ebur128_loudness_global (ref, &integrated);
  ebur128_loudness_range (ref, &range);
  double ref_peak = 0.0;
  for (int c = 0; c < channels; c++) {
    double p;
    ebur128_true_peak (ref, c, &p);
    ref_peak = fmax (ref_peak, p);
  }
  mm_loudness_read_final (l, &r);
  g_test_message ("%d ch at %g Hz, chunks of %zu: I %.4f (libebur128 %.4f, "
                  "running %.4f), LRA %.3f (%.3f, running %.3f), TP %.3f dB "
                  "(%.3f), worst M %.4f S %.4f LU",
      channels, rate, chunk, r.integrated, integrated, running_i, r.range,
      range, running_lra, 20 * log10 (r.true_peak), 20 * log10 (ref_peak),
      worst_m, worst_s);
  g_assert_cmpfloat (fabs (r.integrated - integrated), <, 0.01);
  g_assert_cmpfloat (fabs (running_i - integrated), <, 0.001);
  /* libebur128 takes a short-term value every second, Tech 3342 (and this
   * meter) ten times as often: the range agrees within the spec's 1 LU */
  g_assert_cmpfloat (fabs (r.range - range), <, 1.0);
  g_assert_cmpfloat (fabs (running_lra - r.range), <, 0.05);
  g_assert_cmpfloat (worst_m, <, 0.01);
  g_assert_cmpfloat (worst_s, <, 0.01);
  /* reads at least what libebur128's 4x reads; more on content near Nyquist,
   * where that interpolator reads low (the anchors test holds the 8x reading
   * to a sine's true peak) */
  g_assert_cmpfloat (r.true_peak, >=, ref_peak * (1.0 - 1e-5));
  g_assert_cmpfloat (20 * log10 (r.true_peak / ref_peak), <, 0.6);
  mm_loudness_free (l);
  ebur128_destroy (&ref);
  g_free (x);
}

static void
test_stereo (void)
{
  const int map[] = { EBUR128_LEFT, EBUR128_RIGHT };
  compare (2, 48000, NULL, map, 1024);
  compare (2, 44100, NULL, map, 333);
  compare (2, 96000, NULL, map, 4800);
}

/* 5.1 with surrounds at 1.41 and the LFE left out; mono as dual mono. */
static void
test_weights (void)
{
  const double w51[] = { 1.0, 1.0, 1.0, 0.0, 1.41, 1.41 };
  const int map51[] = { EBUR128_LEFT, EBUR128_RIGHT, EBUR128_CENTER,
    EBUR128_UNUSED, EBUR128_LEFT_SURROUND, EBUR128_RIGHT_SURROUND };
  const double dual[] = { 2.0 };
  const int map_dual[] = { EBUR128_DUAL_MONO };
  const double one[] = { 1.0 };
  const int map_one[] = { EBUR128_CENTER };
  compare (6, 48000, w51, map51, 480);
  compare (1, 48000, dual, map_dual, 100);
  compare (1, 22050, one, map_one, 1000);
}

/* A 997 Hz stereo sine at -23 dBFS reads -23 LUFS; silence reads nothing;
 * NaN and Inf count as silence. */
static void
test_anchors (void)
{
  const double rate = 48000;
  const size_t n = 10 * 48000;
  double *x = g_new (double, 2 * n);
  MmLoudnessReading r;
  MmLoudness *l = mm_loudness_new (2, rate, NULL);
  for (size_t i = 0; i < n; i++)
    x[2 * i] = x[2 * i + 1] =
        pow (10.0, -23.0 / 20.0) * sin (2 * G_PI * 997.0 * i / rate);
  /* where the sine is 0 anyway */
  x[0] = NAN;
  x[1] = INFINITY;
  mm_loudness_add_f64 (l, x, n);
  mm_loudness_read_final (l, &r);
  g_assert_cmpfloat (fabs (r.integrated + 23.0), <, 0.05);
  g_assert_cmpfloat (fabs (r.momentary_max + 23.0), <, 0.05);
  g_assert_cmpfloat (fabs (r.short_term + 23.0), <, 0.05);
  g_assert_cmpfloat (fabs (20 * log10 (r.true_peak) + 23.0), <, 0.05);
  g_assert_true (isfinite (r.integrated) && isfinite (r.range));

  /* without the true peak: the same loudness, no peak */
  double with_peak = r.integrated;
  mm_loudness_reset (l);
  mm_loudness_set_true_peak (l, FALSE);
  mm_loudness_add_f64 (l, x, n);
  mm_loudness_read_final (l, &r);
  g_assert_cmpfloat (r.integrated, ==, with_peak);
  g_assert_cmpfloat (r.true_peak, ==, 0.0);
  mm_loudness_set_true_peak (l, TRUE);

  mm_loudness_reset (l);
  for (size_t i = 0; i < 2 * n; i++)
    x[i] = 0.0;
  mm_loudness_add_f64 (l, x, n);
  mm_loudness_read (l, &r, FALSE);
  g_assert_true (r.integrated == -INFINITY && r.momentary == -INFINITY);
  mm_loudness_free (l);
  g_free (x);
  g_assert_null (mm_loudness_new (9, rate, NULL));
  g_assert_null (mm_loudness_new (2, 4000, NULL));
}

/* The K-weighting's coefficients: BS.1770's 48 kHz tables, and the 44.1 kHz
 * values derived from the same prototype (the reference's table). */
static void
test_k_weighting (void)
{
  MmKWeighting k;
  mm_k_weighting_design (&k, 48000);
  const double shelf48[] = { 1.53512485958697, -2.69169618940638,
    1.19839281085285, -1.69065929318241, 0.73248077421585 };
  const double hp48[] = { -1.99004745483398, 0.99007225036621 };
  const double got48[] = { k.shelf.b0, k.shelf.b1, k.shelf.b2, k.shelf.a1,
    k.shelf.a2 };
  for (int i = 0; i < 5; i++)
    g_assert_cmpfloat_with_epsilon (got48[i], shelf48[i], 1e-12);
  g_assert_cmpfloat_with_epsilon (k.highpass.a1, hp48[0], 1e-9);
  g_assert_cmpfloat_with_epsilon (k.highpass.a2, hp48[1], 1e-9);
  mm_k_weighting_design (&k, 44100);
  const double shelf44[] = { 1.53084123005035, -2.65097999515473,
    1.16907907992159, -1.66365511325602, 0.71259542807323 };
  const double got44[] = { k.shelf.b0, k.shelf.b1, k.shelf.b2, k.shelf.a1,
    k.shelf.a2 };
  for (int i = 0; i < 5; i++)
    g_assert_cmpfloat_with_epsilon (got44[i], shelf44[i], 1e-12);
  g_assert_cmpfloat_with_epsilon (k.highpass.a1, -1.98916967362980, 1e-12);
  g_assert_cmpfloat_with_epsilon (k.highpass.a2, 0.98919903578704, 1e-12);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/loudness/k-weighting", test_k_weighting);
  g_test_add_func ("/loudness/stereo", test_stereo);
  g_test_add_func ("/loudness/weights", test_weights);
  g_test_add_func ("/loudness/anchors", test_anchors);
  return g_test_run ();
}
