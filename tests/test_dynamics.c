/* dsp/dynamics and dsp/compressor against closed-form results.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <glib.h>
#include <math.h>
#include <string.h>

#include "compressor.h"
#include "dynamics.h"
#include "fastmath.h"

#define RATE 48000.0

static void
test_fast_log2_exp2 (void)
{
  for (double x = 1e-12; x < 1e6; x *= 1.0137) {
    double err_db =
        fabs (MM_DB_PER_LOG2_POWER * (mm_fast_log2 ((float) x) - log2 (x)));
    g_assert_cmpfloat (err_db, <, 3e-4);
  }
  for (double db = -150.0; db < 40.0; db += 0.0371) {
    double err_db = fabs (20.0 * log10 (mm_fast_db_to_gain ((float) db)) - db);
    g_assert_cmpfloat (err_db, <, 1e-4);
  }
  g_assert_true (mm_fast_db_to_gain (0.0f) == 1.0f);
  g_assert_true (mm_fast_exp2 (3.0f) == 8.0f);
}

/* Giannoulis et al. eq. 4: below the knee nothing, above it the ratio, in the
 * knee the quadratic that joins them. */
static void
test_gain_curve (void)
{
  MmGainCurve c = { -20.0f, 4.0f, 6.0f };
  g_assert_cmpfloat (mm_gain_curve_db (&c, -40.0f), ==, 0.0f);
  g_assert_cmpfloat (mm_gain_curve_db (&c, -23.0f), ==, 0.0f);
  /* at the threshold: (1/R - 1) W / 8 */
  g_assert_cmpfloat_with_epsilon (
      mm_gain_curve_db (&c, -20.0f), -0.75f * 6.0f / 8.0f, 1e-6);
  /* above the knee: (1/R - 1)(x - T) */
  g_assert_cmpfloat_with_epsilon (mm_gain_curve_db (&c, 0.0f), -15.0f, 1e-5);
  /* continuous at the knee edges */
  g_assert_cmpfloat_with_epsilon (
      mm_gain_curve_db (&c, -17.0f), -0.75f * 3.0f, 1e-5);
  MmGainCurve hard = { -20.0f, 2.0f, 0.0f };
  g_assert_cmpfloat (mm_gain_curve_db (&hard, -20.0f), ==, 0.0f);
  g_assert_cmpfloat_with_epsilon (
      mm_gain_curve_db (&hard, -10.0f), -5.0f, 1e-6);
}

/* RMS of a sine: half its peak power (-3.01 dB); the detector high-pass takes a
 * 30 Hz tone down by the Butterworth amount at a 120 Hz corner. */
static void
test_detector (void)
{
  MmDetector d;
  MmDetectorState st;
  double level = 0.0;

  mm_detector_init (&d, RATE, MM_DETECT_RMS, 10.0, 0.0);
  mm_detector_reset_state (&st);
  for (int i = 0; i < 48000; i++) {
    float p = mm_detector_power (
        &d, &st, (float) (0.5 * sin (2.0 * G_PI * 1000.0 * i / RATE)));
    if (i >= 47000)
      level += p;
  }
  g_assert_cmpfloat_with_epsilon (
      10.0 * log10 (level / 1000.0), 20.0 * log10 (0.5) - 3.0103, 0.05);

  /* 30 Hz through a 2nd-order 120 Hz high-pass: (30/120)^4 / (1 + ...) */
  mm_detector_init (&d, RATE, MM_DETECT_RMS, 50.0, 120.0);
  mm_detector_reset_state (&st);
  level = 0.0;
  for (int i = 0; i < 96000; i++) {
    float p = mm_detector_power (
        &d, &st, (float) (0.5 * sin (2.0 * G_PI * 30.0 * i / RATE)));
    if (i >= 48000)
      level += p;
  }
  double want = 10.0 * log10 (pow (0.25, 4) / (1.0 + pow (0.25, 4)));
  g_assert_cmpfloat_with_epsilon (
      10.0 * log10 (level / 48000.0 / 0.125), want, 0.3);
}

/* The smoother holds a reduction for the hold time before releasing. */
static void
test_smoother_hold (void)
{
  MmSmoother s;
  MmSmootherState st = { 0.0f, 0 };
  int i;

  mm_smoother_init (&s, RATE, 0.01, 10.0, 5.0);
  for (i = 0; i < 100; i++)
    mm_smoother_tick (&s, &st, -12.0f);
  g_assert_cmpfloat_with_epsilon (st.gain_db, -12.0f, 1e-3);
  /* 5 ms = 240 frames of hold */
  for (i = 0; i < 240; i++)
    g_assert_cmpfloat (mm_smoother_tick (&s, &st, 0.0f), ==, st.gain_db);
  g_assert_cmpfloat_with_epsilon (st.gain_db, -12.0f, 1e-3);
  mm_smoother_tick (&s, &st, 0.0f);
  g_assert_cmpfloat (st.gain_db, >, -12.0f);
}

static MmCompressor *
compressor_new (int channels, size_t lookahead, double **storage)
{
  MmCompressor *c = g_new (MmCompressor, 1);
  *storage = g_new0 (double, channels *(960 + 1));
  mm_compressor_init (c, RATE, channels, *storage, 960, lookahead, 20.0);
  return c;
}

/* Settled sines from -60 to 0 dBFS (peak detector) come out on the curve. */
static void
test_static_curve (void)
{
  const double settings[][3] = { { -18.0, 4.0, 6.0 }, { -30.0, 2.0, 0.0 },
    { -10.0, 10.0, 12.0 }, { -40.0, 1.5, 24.0 } };
  for (guint s = 0; s < G_N_ELEMENTS (settings); s++) {
    for (double in_db = -60.0; in_db <= 0.0; in_db += 3.0) {
      const gsize n = 48000;
      double *storage;
      MmCompressor *c = compressor_new (1, 0, &storage);
      double *x = g_new (double, n);
      double amp = pow (10.0, in_db / 20.0), sum = 0.0, sum_in = 0.0;
      MmGainCurve curve = { (float) settings[s][0], (float) settings[s][1],
        (float) settings[s][2] };

      mm_compressor_set_curve (
          c, settings[s][0], settings[s][1], settings[s][2]);
      mm_compressor_set_times (c, 1.0, 1000.0, 0.0);
      mm_compressor_set_detector (c, MM_DETECT_PEAK, 10.0, 0.0);
      mm_compressor_snap (c);
      for (gsize i = 0; i < n; i++)
        x[i] = amp * sin (2.0 * G_PI * 997.0 * i / RATE);
      mm_compressor_process_f64 (c, x, n);
      for (gsize i = n / 2; i < n; i++) {
        double ref = amp * sin (2.0 * G_PI * 997.0 * i / RATE);
        sum += x[i] * x[i];
        sum_in += ref * ref;
      }
      double got = 10.0 * log10 (sum / sum_in);
      double want = mm_gain_curve_db (&curve, (float) in_db);
      if (fabs (got - want) > 0.1)
        g_error ("T %g R %g W %g at %g dBFS: %.3f dB, curve %.3f",
            settings[s][0], settings[s][1], settings[s][2], in_db, got, want);
      g_free (x);
      g_free (storage);
      g_free (c);
    }
  }
}

/* First sample index at which the gain (dB) has gone 63 % of the way. */
static gsize
time_to_63 (
    const double *gain_db, gsize from, gsize n, double start, double end)
{
  double mark = start + 0.6321 * (end - start);
  for (gsize i = from; i < n; i++)
    if ((end < start) ? gain_db[i] <= mark : gain_db[i] >= mark)
      return i - from;
  return n;
}

static void
test_time_constants (void)
{
  const double attacks[] = { 1.0, 10.0, 50.0 };
  const double releases[] = { 20.0, 150.0, 500.0 };
  for (guint k = 0; k < G_N_ELEMENTS (attacks); k++) {
    const gsize step = 24000, n = 96000;
    double *storage;
    MmCompressor *c = compressor_new (1, 0, &storage);
    double *x = g_new (double, n), *g = g_new (double, n);
    /* a level 20 dB above a -40 dB threshold, ratio 4, hard knee: -15 dB */
    double quiet = pow (10.0, -50.0 / 20.0), loud = pow (10.0, -20.0 / 20.0);

    mm_compressor_set_curve (c, -40.0, 4.0, 0.0);
    mm_compressor_set_times (c, attacks[k], releases[k], 0.0);
    mm_compressor_set_detector (c, MM_DETECT_PEAK, 10.0, 0.0);
    mm_compressor_snap (c);
    for (gsize i = 0; i < n; i++)
      x[i] = (i >= step && i < 2 * step) ? loud : quiet;
    double *in = g_memdup2 (x, n * sizeof (double));
    mm_compressor_process_f64 (c, x, n);
    for (gsize i = 0; i < n; i++)
      g[i] = 20.0 * log10 (x[i] / in[i]);

    double attack = time_to_63 (g, step, n, 0.0, -15.0) / RATE * 1000.0;
    double release = time_to_63 (g, 2 * step, n, -15.0, 0.0) / RATE * 1000.0;
    g_assert_cmpfloat_with_epsilon (attack, attacks[k], 0.1 * attacks[k]);
    g_assert_cmpfloat_with_epsilon (release, releases[k], 0.1 * releases[k]);
    g_free (in);
    g_free (x);
    g_free (g);
    g_free (storage);
    g_free (c);
  }
}

/* ratio 1, no makeup: bit-exact, delayed by the lookahead. */
static void
test_unity_is_bit_exact (void)
{
  const gsize n = 5000, lookahead = 240;
  double *storage;
  MmCompressor *c = compressor_new (2, lookahead, &storage);
  float *x = g_new (float, 2 * n), *y = g_new (float, 2 * n);
  GRand *rand = g_rand_new_with_seed (3);

  for (gsize i = 0; i < 2 * n; i++)
    x[i] = (float) g_rand_double_range (rand, -1.0, 1.0);
  memcpy (y, x, 2 * n * sizeof (float));
  mm_compressor_process_f32 (c, y, n);
  for (gsize i = 0; i < 2 * n; i++)
    g_assert_true (y[i] == (i < 2 * lookahead ? 0.0f : x[i - 2 * lookahead]));
  g_rand_free (rand);
  g_free (x);
  g_free (y);
  g_free (storage);
  g_free (c);
}

static void
run_link (double link, double *left_gain_db, double *right_gain_db)
{
  const gsize n = 24000;
  double *storage;
  MmCompressor *c = compressor_new (2, 0, &storage);
  double *x = g_new (double, 2 * n), *in;

  mm_compressor_set_curve (c, -30.0, 4.0, 0.0);
  mm_compressor_set_times (c, 1.0, 100.0, 0.0);
  mm_compressor_set_detector (c, MM_DETECT_PEAK, 10.0, 0.0);
  mm_compressor_set_link (c, link);
  mm_compressor_snap (c);
  for (gsize i = 0; i < n; i++) {
    x[2 * i] = 0.5; /* -6 dBFS: loud */
    x[2 * i + 1] = 0.001; /* -60 dBFS: below threshold */
  }
  in = g_memdup2 (x, 2 * n * sizeof (double));
  mm_compressor_process_f64 (c, x, n);
  *left_gain_db = 20.0 * log10 (x[2 * (n - 1)] / in[2 * (n - 1)]);
  *right_gain_db = 20.0 * log10 (x[2 * (n - 1) + 1] / in[2 * (n - 1) + 1]);
  g_assert_true (link != 0.0 || x[2 * (n - 1) + 1] == in[2 * (n - 1) + 1]);
  g_free (in);
  g_free (x);
  g_free (storage);
  g_free (c);
}

static void
test_stereo_link (void)
{
  /* 0.5 is 6.02 dB below full scale: (1/4 - 1) (-6.02 + 30) */
  const double want = -0.75 * (20.0 * log10 (0.5) + 30.0);
  double l, r;
  run_link (1.0, &l, &r);
  g_assert_cmpfloat_with_epsilon (l, want, 0.01);
  g_assert_cmpfloat_with_epsilon (r, l, 1e-6);
  run_link (0.0, &l, &r);
  g_assert_cmpfloat_with_epsilon (l, want, 0.01);
  g_assert_cmpfloat (r, ==, 0.0);
}

/* mix 0.5 is the average of the dry (delayed) and the fully compressed signal. */
static void
test_parallel_mix (void)
{
  const gsize n = 9600, lookahead = 96;
  double *sa, *sb;
  MmCompressor *a = compressor_new (1, lookahead, &sa);
  MmCompressor *b = compressor_new (1, lookahead, &sb);
  double *x = g_new (double, n), *wet, *half;
  GRand *rand = g_rand_new_with_seed (5);

  for (gsize i = 0; i < n; i++)
    x[i] = g_rand_double_range (rand, -1.0, 1.0) * (i > n / 2 ? 1.0 : 0.05);
  wet = g_memdup2 (x, n * sizeof (double));
  half = g_memdup2 (x, n * sizeof (double));
  mm_compressor_set_curve (a, -20.0, 6.0, 6.0);
  mm_compressor_set_curve (b, -20.0, 6.0, 6.0);
  mm_compressor_set_mix (b, 0.5);
  mm_compressor_snap (a);
  mm_compressor_snap (b);
  mm_compressor_process_f64 (a, wet, n);
  mm_compressor_process_f64 (b, half, n);
  for (gsize i = lookahead; i < n; i++)
    g_assert_cmpfloat_with_epsilon (
        half[i], 0.5 * (x[i - lookahead] + wet[i]), 1e-6);
  g_rand_free (rand);
  g_free (x);
  g_free (wet);
  g_free (half);
  g_free (sa);
  g_free (sb);
  g_free (a);
  g_free (b);
}

/* The register-resident stereo path (linked RMS, no lookahead) computes the
 * gains the general path computes: compare with a lookahead run. */
static void
test_stereo_fast_path_matches_general (void)
{
  const gsize n = 9600, lookahead = 64;
  double *sa, *sb;
  MmCompressor *fast = compressor_new (2, 0, &sa);
  MmCompressor *general = compressor_new (2, lookahead, &sb);
  double *x = g_new (double, 2 * n), *a, *b;
  GRand *rand = g_rand_new_with_seed (8);

  for (gsize i = 0; i < 2 * n; i++)
    x[i] = g_rand_double_range (rand, -1.0, 1.0) * (i > n ? 0.9 : 0.05);
  a = g_memdup2 (x, 2 * n * sizeof (double));
  b = g_memdup2 (x, 2 * n * sizeof (double));
  mm_compressor_set_curve (fast, -24.0, 4.0, 6.0);
  mm_compressor_set_curve (general, -24.0, 4.0, 6.0);
  mm_compressor_set_detector (fast, MM_DETECT_RMS, 10.0, 0.0);
  mm_compressor_set_detector (general, MM_DETECT_RMS, 10.0, 0.0);
  mm_compressor_set_makeup (fast, 3.0, false);
  mm_compressor_set_makeup (general, 3.0, false);
  mm_compressor_snap (fast);
  mm_compressor_snap (general);
  for (gsize off = 0; off < n; off += 999) {
    mm_compressor_process_f64 (fast, a + 2 * off, MIN (999, n - off));
    mm_compressor_process_f64 (general, b + 2 * off, MIN (999, n - off));
  }
  /* with lookahead, frame i leaves at i + lookahead with the gain of that
   * moment: the gains of both runs must be the same sequence */
  for (gsize i = 0; i + lookahead < n; i++)
    for (int ch = 0; ch < 2; ch++) {
      double delayed_gain = b[2 * (i + lookahead) + ch] / x[2 * i + ch];
      double gain = a[2 * (i + lookahead) + ch] / x[2 * (i + lookahead) + ch];
      g_assert_cmpfloat_with_epsilon (delayed_gain, gain, 1e-9);
    }
  g_rand_free (rand);
  g_free (x);
  g_free (a);
  g_free (b);
  g_free (sa);
  g_free (sb);
  g_free (fast);
  g_free (general);
}

static void
test_nonfinite_input (void)
{
  const gsize n = 4800;
  double *storage;
  MmCompressor *c = compressor_new (2, 48, &storage);
  float *x = g_new0 (float, 2 * n);

  for (gsize i = 0; i < 2 * n; i++)
    x[i] = (float) sin (i * 0.01);
  x[10] = NAN;
  x[11] = INFINITY;
  x[2000] = -INFINITY;
  mm_compressor_set_curve (c, -20.0, 4.0, 6.0);
  mm_compressor_set_detector (c, MM_DETECT_RMS, 10.0, 100.0);
  mm_compressor_process_f32 (c, x, n);
  for (gsize i = 0; i < 2 * n; i++)
    g_assert_true (isfinite (x[i]));
  for (int ch = 0; ch < 2; ch++) {
    g_assert_true (isfinite (c->smooth_state[ch].gain_db));
    g_assert_true (isfinite (c->detect_state[ch].mean_square));
  }
  g_free (x);
  g_free (storage);
  g_free (c);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/dynamics/fast-log2-exp2", test_fast_log2_exp2);
  g_test_add_func ("/dynamics/gain-curve", test_gain_curve);
  g_test_add_func ("/dynamics/detector", test_detector);
  g_test_add_func ("/dynamics/smoother-hold", test_smoother_hold);
  g_test_add_func ("/dynamics/static-curve", test_static_curve);
  g_test_add_func ("/dynamics/time-constants", test_time_constants);
  g_test_add_func ("/dynamics/unity-is-bit-exact", test_unity_is_bit_exact);
  g_test_add_func ("/dynamics/stereo-link", test_stereo_link);
  g_test_add_func ("/dynamics/parallel-mix", test_parallel_mix);
  g_test_add_func ("/dynamics/stereo-fast-path-matches-general",
      test_stereo_fast_path_matches_general);
  g_test_add_func ("/dynamics/nonfinite-input", test_nonfinite_input);
  return g_test_run ();
}
