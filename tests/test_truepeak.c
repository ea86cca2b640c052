/* dsp/truepeak against sines whose true peak is known exactly.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <glib.h>
#include <math.h>

#include "truepeak.h"

/* The detector's largest reading of a sine of amplitude 1 (faded in so its
 * start is band-limited), in dB. */
static double
detected_db (const MmTruePeak *tp, double freq_ratio, double phase)
{
  MmTruePeakState s;
  const int n = 4800, fade = 480;
  double top = 0.0;
  mm_true_peak_reset_state (&s);
  for (int i = 0; i < n; i++) {
    double g = i < fade ? 0.5 - 0.5 * cos (G_PI * i / fade) : 1.0;
    double p = mm_true_peak_tick (
        tp, &s, g * sin (2.0 * G_PI * freq_ratio * i + phase));
    if (i > 2 * fade)
      top = fmax (top, p);
  }
  return 20.0 * log10 (top);
}

static void
test_sines (void)
{
  const int factors[] = { 2, 4, 8 };
  for (guint k = 0; k < G_N_ELEMENTS (factors); k++) {
    MmTruePeak tp;
    mm_true_peak_init (&tp, factors[k], 16);
    for (double ratio = 0.001; ratio <= 0.45; ratio *= 1.13) {
      for (double phase = 0.0; phase < G_PI; phase += 0.37) {
        double got = detected_db (&tp, ratio, phase);
        /* between two of the F points a sine can hide at most this much */
        double under = 20.0 * log10 (cos (G_PI * ratio / factors[k]));
        if (!(got <= 0.05 && got >= under - 0.05))
          g_error ("%dx at %.4f fs: reads %.3f dB (allowed %.3f .. 0.05)",
              factors[k], ratio, got, under - 0.05);
      }
    }
  }
}

/* Sample peak mode and the report delay. */
static void
test_delay_and_sample_mode (void)
{
  MmTruePeak tp;
  MmTruePeakState s;
  mm_true_peak_init (&tp, 4, 12);
  g_assert_cmpint (mm_true_peak_delay (&tp), ==, 12);
  mm_true_peak_reset_state (&s);
  for (int i = 0; i < 40; i++) {
    double p = mm_true_peak_tick (&tp, &s, i == 5 ? 0.8 : 0.0);
    if (i < 5 + 12 - 1)
      g_assert_cmpfloat (p, <, 0.8);
    if (i == 5 + 12)
      g_assert_cmpfloat (p, ==, 0.8);
  }
  mm_true_peak_init (&tp, 1, 12);
  g_assert_cmpint (mm_true_peak_delay (&tp), ==, 0);
  g_assert_cmpfloat (mm_true_peak_tick (&tp, &s, -0.3), ==, 0.3);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/truepeak/sines", test_sines);
  g_test_add_func (
      "/truepeak/delay-and-sample-mode", test_delay_and_sample_mode);
  return g_test_run ();
}
