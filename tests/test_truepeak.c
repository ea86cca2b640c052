/* dsp/truepeak against sines whose true peak is known exactly.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <glib.h>
#include <math.h>

#include <ebur128.h>

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
    mm_true_peak_init (&tp, factors[k], 192000.0);
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
  const int factors[] = { 2, 4, 8 }, delays[] = { 40, 42, 43 };
  MmTruePeakState *s = g_new (MmTruePeakState, 1);
  float x[64] = { 0 }, peaks[64];

  x[5] = -0.8f;
  for (guint k = 0; k < G_N_ELEMENTS (factors); k++) {
    MmTruePeak tp;
    mm_true_peak_init (&tp, factors[k], 192000.0);
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
  mm_true_peak_init (&tp, 1, 48000.0);
  g_assert_cmpint (tp.delay, ==, 0);
  mm_true_peak_process (&tp, s, x, peaks, 64);
  g_assert_cmpfloat (peaks[5], ==, 0.8f);
  g_assert_cmpfloat (peaks[4], ==, 0.0f);
  g_free (s);
}

/* The detector's largest reading of a mono signal, fed in blocks. */
static double
detector_max (const MmTruePeak *tp, const float *x, size_t n)
{
  MmTruePeakState *s = g_new (MmTruePeakState, 1);
  float *peaks = g_new (float, MM_TRUEPEAK_BLOCK);
  float *zeros = g_new0 (float, MM_TRUEPEAK_BLOCK);
  double top = 0.0;
  mm_true_peak_reset_state (s);
  /* n and then a block of silence, so the last frames are reported too */
  for (size_t done = 0; done < n + MM_TRUEPEAK_BLOCK;
       done += MM_TRUEPEAK_BLOCK) {
    size_t len = MIN (MM_TRUEPEAK_BLOCK, n + MM_TRUEPEAK_BLOCK - done);
    mm_true_peak_process (tp, s, done < n ? x + done : zeros, peaks, len);
    for (size_t i = 0; i < len; i++)
      top = fmax (top, peaks[i]);
  }
  g_free (s);
  g_free (peaks);
  g_free (zeros);
  return top;
}

/* What libebur128 reads as the true peak of a mono signal. */
static double
ebur128_max (const float *x, size_t n, double rate)
{
  ebur128_state *st = ebur128_init (1, (unsigned long) rate,
      EBUR128_MODE_TRUE_PEAK | EBUR128_MODE_SAMPLE_PEAK);
  double peak;
  ebur128_add_frames_float (st, x, n);
  ebur128_true_peak (st, 0, &peak);
  ebur128_destroy (&st);
  return peak;
}

/* The detector reads at least what a libebur128 meter reads, at every rate
 * class, on white noise, a sine close to Nyquist and a clipped square: the
 * limiter aims under its ceiling on that meter too. */
static void
test_reads_what_the_meter_reads (void)
{
  const double rates[] = { 8000, 44100, 48000, 96000, 192000 };
  GRand *rand = g_rand_new_with_seed (3);
  for (guint r = 0; r < G_N_ELEMENTS (rates); r++) {
    for (int signal = 0; signal < 3; signal++) {
      const size_t n = 48000;
      /* whole blocks, the signal then silence */
      const size_t padded = 100 * MM_TRUEPEAK_BLOCK;
      float *x = g_new0 (float, padded);
      for (size_t i = 0; i < n; i++) {
        if (signal == 0)
          x[i] = (float) g_rand_double_range (rand, -0.5, 0.5);
        else if (signal == 1)
          x[i] = (float) (0.5 * sin (2.0 * G_PI * 0.45 * i + 0.3));
        else
          x[i] = (i / 7) % 2 ? 0.5f : -0.5f;
      }
      double meter = ebur128_max (x, padded, rates[r]);
      for (int factor = 2; factor <= 8; factor *= 2) {
        MmTruePeak tp;
        mm_true_peak_init (&tp, factor, rates[r]);
        double ours = detector_max (&tp, x, padded);
        if (!(ours >= meter * (1.0 - 1e-5)))
          g_error ("%g Hz, %dx, signal %d: reads %.5f dB, libebur128 %.5f dB",
              rates[r], factor, signal, 20.0 * log10 (ours),
              20.0 * log10 (meter));
      }
      g_free (x);
    }
  }
  g_rand_free (rand);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/truepeak/sines", test_sines);
  g_test_add_func (
      "/truepeak/delay-and-sample-mode", test_delay_and_sample_mode);
  g_test_add_func (
      "/truepeak/reads-what-the-meter-reads", test_reads_what_the_meter_reads);
  return g_test_run ();
}
