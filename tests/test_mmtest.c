/* The shared test helpers measure what they claim, against closed-form values.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <math.h>

#include "mmtest.h"

/* A sine at rate/4 sampled 45 degrees off its crests: every sample is at
 * 0.7071 of the true peak, the classic inter-sample over (+3.01 dB). Its ends are
 * faded: a hard start is not band-limited and really does ring above 1. */
static void
test_true_peak_finds_intersample_peak (void)
{
  const gsize n = 4800, fade = 480;
  gdouble *x = g_new (gdouble, n);

  mmtest_sine (x, n, 1, 0, 48000, 12000, 1.0, G_PI / 4);
  for (gsize i = 0; i < fade; i++) {
    gdouble g = 0.5 - 0.5 * cos (G_PI * i / fade);
    x[i] *= g;
    x[n - 1 - i] *= g;
  }
  g_assert_cmpfloat_with_epsilon (
      mmtest_sample_peak (x, n, 1, 0), (G_SQRT2 / 2.0), 1e-9);
  g_assert_cmpfloat_with_epsilon (
      mmtest_true_peak (x, n, 1, 0, 16), 1.0, 0.001);
  g_free (x);
}

static void
test_levels_of_a_sine (void)
{
  const gsize n = 48000;
  gdouble *x = g_new0 (gdouble, 2 * n);

  mmtest_sine (x, n, 2, 1, 48000, 997, 0.5, 0.3);
  mmtest_sine (x, n, 2, 0, 48000, 3000, 0.01, 0.0);
  g_assert_cmpfloat_with_epsilon (
      mmtest_rms (x, n, 2, 1), 0.5 * (G_SQRT2 / 2.0), 1e-4);
  g_assert_cmpfloat_with_epsilon (
      mmtest_sine_amplitude (x, n, 2, 1, 48000, 997), 0.5, 0.5 * 0.001);
  /* the other channel's tone is not read into this one */
  g_assert_cmpfloat (mmtest_sine_amplitude (x, n, 2, 1, 48000, 3000), <, 1e-6);
  g_assert_cmpfloat_with_epsilon (
      mmtest_db (mmtest_sine_amplitude (x, n, 2, 0, 48000, 3000)), -40.0, 0.01);
  g_assert_cmpfloat (
      mmtest_max_step (x, n, 2, 1), <=, 0.5 * 2 * G_PI * 997 / 48000 + 1e-9);
  g_free (x);
}

/* The harness helpers hand back exactly what went through, in order. */
static void
test_harness_round_trip (void)
{
  const gsize n = 1000;
  MmTestStream st = { GST_AUDIO_FORMAT_F64, 44100, 3, 77 };
  gdouble *x = g_new (gdouble, 3 * n);
  gsize out_n;
  gdouble *y;

  for (gsize i = 0; i < 3 * n; i++)
    x[i] = (gdouble) i / (3 * n);
  y = mmtest_process ("identity", &st, x, n, &out_n);
  g_assert_cmpuint (out_n, ==, n);
  g_assert_cmpmem (x, 3 * n * sizeof (gdouble), y, 3 * n * sizeof (gdouble));
  g_free (x);
  g_free (y);
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/mmtest/true-peak-finds-intersample-peak",
      test_true_peak_finds_intersample_peak);
  g_test_add_func ("/mmtest/levels-of-a-sine", test_levels_of_a_sine);
  g_test_add_func ("/mmtest/harness-round-trip", test_harness_round_trip);
  return g_test_run ();
}
