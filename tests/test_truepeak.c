/* dsp/truepeak against sines whose true peak is known exactly.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <glib.h>
#include <math.h>

#include "truepeak.h"

/* The detector's largest reading of a sine of amplitude 1 (faded in so its
 * start is band-limited), in dB; fed in blocks of changing size. */
static double
detected_db (const MmTruePeak *tp, double freq_ratio, double phase)
{
  MmTruePeakState *s = g_new (MmTruePeakState, 1);
  const int n = 4800, fade = 480;
  float x[MM_TRUEPEAK_BLOCK], peaks[MM_TRUEPEAK_BLOCK];
  double top = 0.0;
  int done = 0, chunk = 1;

  mm_true_peak_reset_state (s);
  while (done < n) {
    int len = MIN (chunk, n - done);
    for (int i = 0; i < len; i++) {
      int k = done + i;
      double g = k < fade ? 0.5 - 0.5 * cos (G_PI * k / fade) : 1.0;
      x[i] = (float) (g * sin (2.0 * G_PI * freq_ratio * k + phase));
    }
    mm_true_peak_process (tp, s, x, peaks, len);
    for (int i = 0; i < len; i++)
      if (done + i - tp->delay > 2 * fade)
        top = fmax (top, peaks[i]);
    done += len;
    chunk = chunk * 3 % (MM_TRUEPEAK_BLOCK + 1) + 1;
  }
  g_free (s);
  return 20.0 * log10 (top);
}

/* A sine read at F points per sample can hide at most cos(pi f / F) between
 * them; the cascade adds no more than 0.05 dB either way. */
static void
test_sines (void)
{
  const int factors[] = { 2, 4, 8 };
  for (guint k = 0; k < G_N_ELEMENTS (factors); k++) {
    MmTruePeak tp;
    mm_true_peak_init (&tp, factors[k]);
    for (double ratio = 0.001; ratio <= 0.45; ratio *= 1.13) {
      for (double phase = 0.0; phase < G_PI; phase += 0.37) {
        double got = detected_db (&tp, ratio, phase);
        double under = 20.0 * log10 (cos (G_PI * ratio / factors[k]));
        if (!(got <= 0.05 && got >= under - 0.05))
          g_error ("%dx at %.4f fs: reads %.3f dB (allowed %.3f .. 0.05)",
              factors[k], ratio, got, under - 0.05);
      }
    }
  }
}

/* The report delay of each factor, and sample-peak mode. */
static void
test_delay_and_sample_mode (void)
{
  const int factors[] = { 2, 4, 8 }, delays[] = { 32, 34, 35 };
  MmTruePeakState *s = g_new (MmTruePeakState, 1);
  float x[64] = { 0 }, peaks[64];

  x[5] = -0.8f;
  for (guint k = 0; k < G_N_ELEMENTS (factors); k++) {
    MmTruePeak tp;
    mm_true_peak_init (&tp, factors[k]);
    g_assert_cmpint (tp.delay, ==, delays[k]);
    mm_true_peak_reset_state (s);
    mm_true_peak_process (&tp, s, x, peaks, 64);
    for (int i = 0; i < 64; i++) {
      if (i == 5 + tp.delay || i == 6 + tp.delay)
        g_assert_cmpfloat (peaks[i], ==, 0.8f);
      else
        g_assert_cmpfloat (peaks[i], <, 0.8f);
    }
  }
  MmTruePeak tp;
  mm_true_peak_init (&tp, 1);
  g_assert_cmpint (tp.delay, ==, 0);
  mm_true_peak_process (&tp, s, x, peaks, 64);
  g_assert_cmpfloat (peaks[5], ==, 0.8f);
  g_assert_cmpfloat (peaks[4], ==, 0.0f);
  g_free (s);
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
