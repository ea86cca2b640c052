/* dsp/eq: the multi-band processor, measured from its own output.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <complex.h>
#include <glib.h>
#include <math.h>
#include <string.h>

#include "eq.h"

static MmEqBandSettings
band (MmEqType type, double freq, double gain, double q)
{
  MmEqBandSettings s = { { type, freq, gain, q, 12 }, MM_EQ_ROUTE_ALL, true };
  return s;
}

/* Magnitude in dB at f of a (long, decayed) impulse response. */
static double
response_db (const double *h, gsize n, guint stride, double rate, double f)
{
  double complex acc = 0.0;
  for (gsize i = 0; i < n; i++)
    acc += h[i * stride] * cexp (-I * 2.0 * G_PI * f * i / rate);
  return 20.0 * log10 (cabs (acc));
}

static void
test_identity_bit_exact (void)
{
  const gsize n = 5000;
  float *x = g_new (float, 2 * n), *y = g_new (float, 2 * n);
  MmEq *eq = g_new (MmEq, 1);
  GRand *rand = g_rand_new_with_seed (1);
  MmEqBandSettings zero = band (MM_EQ_PEAKING, 500.0, 0.0, 1.0);

  for (gsize i = 0; i < 2 * n; i++)
    x[i] = (float) g_rand_double_range (rand, -1.0, 1.0);
  memcpy (y, x, 2 * n * sizeof (float));
  mm_eq_init (eq, 48000.0, 2, 20.0, 32);
  mm_eq_set_band (eq, 0, &zero);
  mm_eq_snap (eq);
  g_assert_true (mm_eq_is_identity (eq));
  mm_eq_process_f32 (eq, y, n);
  g_assert_cmpmem (x, 2 * n * sizeof (float), y, 2 * n * sizeof (float));
  g_rand_free (rand);
  g_free (eq);
  g_free (x);
  g_free (y);
}

/* The processed impulse response has the designed magnitude. */
static void
test_impulse_response_matches_design (void)
{
  const double rate = 48000.0;
  const gsize n = 48000;
  MmEqBandSettings bands[] = {
    band (MM_EQ_HIGH_PASS, 30.0, 0.0, 0.707),
    band (MM_EQ_LOW_SHELF, 100.0, 2.0, 0.707),
    band (MM_EQ_PEAKING, 400.0, -3.0, 1.0),
    band (MM_EQ_PEAKING, 3000.0, 2.0, 1.4),
    band (MM_EQ_HIGH_SHELF, 10000.0, 1.5, 0.707),
  };
  MmEq *eq = g_new (MmEq, 1);
  double *h = g_new0 (double, n);

  mm_eq_init (eq, rate, 1, 20.0, 32);
  for (guint i = 0; i < G_N_ELEMENTS (bands); i++)
    mm_eq_set_band (eq, i, &bands[i]);
  mm_eq_snap (eq);
  h[0] = 1.0;
  mm_eq_process_f64 (eq, h, n);

  for (double f = 20.0; f < 20000.0; f *= 1.2) {
    double want = 0.0;
    for (guint i = 0; i < G_N_ELEMENTS (bands); i++) {
      MmEqDesign d;
      mm_eq_design (&d, &bands[i].shape, rate);
      want += mm_eq_design_response_db (&d, rate, f);
    }
    g_assert_cmpfloat_with_epsilon (response_db (h, n, 1, rate, f), want, 0.01);
  }
  g_free (h);
  g_free (eq);
}

/* The stereo fast path (sections in vector pairs and triples) gives each
 * channel exactly what the mono path gives, for every chain length. */
static void
test_stereo_steady_matches_mono (void)
{
  const double rate = 48000.0;
  const gsize n = 2000;
  for (int n_bands = 1; n_bands <= 7; n_bands++) {
    MmEq *mono = g_new (MmEq, 1), *stereo = g_new (MmEq, 1);
    double *m = g_new0 (double, n), *st = g_new0 (double, 2 * n);
    mm_eq_init (mono, rate, 1, 20.0, 32);
    mm_eq_init (stereo, rate, 2, 20.0, 32);
    for (int i = 0; i < n_bands; i++) {
      MmEqBandSettings s =
          band (MM_EQ_PEAKING, 100.0 * (i + 1), 3.0 - i, 0.5 + i);
      /* from 5 bands on, two 48 dB/oct pass filters push the chain past one
       * register group of sections */
      if (n_bands >= 5 && i < 2) {
        s = band (i ? MM_EQ_LOW_PASS : MM_EQ_HIGH_PASS, i ? 12000.0 : 40.0, 0.0,
            0.707);
        s.shape.slope = 48;
      }
      mm_eq_set_band (mono, i, &s);
      mm_eq_set_band (stereo, i, &s);
    }
    mm_eq_snap (mono);
    mm_eq_snap (stereo);
    m[0] = 1.0;
    st[0] = 1.0;
    st[2 * 7 + 1] = 1.0; /* right: the impulse 7 frames later */
    mm_eq_process_f64 (mono, m, n);
    mm_eq_process_f64 (stereo, st, n);
    for (gsize i = 0; i < n; i++) {
      g_assert_cmpfloat_with_epsilon (st[2 * i], m[i], 1e-12);
      if (i >= 7)
        g_assert_cmpfloat_with_epsilon (st[2 * i + 1], m[i - 7], 1e-12);
    }
    g_free (mono);
    g_free (stereo);
    g_free (m);
    g_free (st);
  }
}

/* The steady path maps the SVF state to direct form and back at every call:
 * cutting the stream into many calls changes nothing. */
static void
test_state_round_trip (void)
{
  const gsize n = 9600;
  double *a = g_new (double, 2 * n), *b = g_new (double, 2 * n);
  MmEq *one = g_new (MmEq, 1), *many = g_new (MmEq, 1);
  MmEqBandSettings bands[] = { band (MM_EQ_HIGH_PASS, 30.0, 0.0, 0.707),
    band (MM_EQ_PEAKING, 400.0, -3.0, 1.0),
    band (MM_EQ_HIGH_SHELF, 10000.0, 1.5, 0.707) };
  GRand *rand = g_rand_new_with_seed (4);

  for (gsize i = 0; i < 2 * n; i++)
    a[i] = b[i] = g_rand_double_range (rand, -0.5, 0.5);
  mm_eq_init (one, 48000.0, 2, 20.0, 32);
  mm_eq_init (many, 48000.0, 2, 20.0, 32);
  for (guint i = 0; i < G_N_ELEMENTS (bands); i++) {
    mm_eq_set_band (one, i, &bands[i]);
    mm_eq_set_band (many, i, &bands[i]);
  }
  mm_eq_snap (one);
  mm_eq_snap (many);
  mm_eq_process_f64 (one, a, n);
  for (gsize off = 0; off < n; off += 7)
    mm_eq_process_f64 (many, b + 2 * off, MIN (7, n - off));
  for (gsize i = 0; i < 2 * n; i++)
    g_assert_cmpfloat_with_epsilon (a[i], b[i], 1e-12);
  g_rand_free (rand);
  g_free (one);
  g_free (many);
  g_free (a);
  g_free (b);
}

/* channels=side high-pass: side below the cutoff gone, mid untouched. */
static void
test_side_high_pass_keeps_mid (void)
{
  const double rate = 48000.0;
  const gsize n = 48000;
  double *x = g_new (double, 2 * n), *y = g_new (double, 2 * n);
  MmEq *eq = g_new (MmEq, 1);
  MmEqBandSettings s = band (MM_EQ_HIGH_PASS, 150.0, 0.0, 0.707);
  GRand *rand = g_rand_new_with_seed (2);
  double max_mid = 0.0, max_err = 0.0, side_in = 0.0, side_out = 0.0;

  s.route = MM_EQ_ROUTE_SIDE;
  s.shape.slope = 24;
  for (gsize i = 0; i < n; i++) {
    double mid = g_rand_double_range (rand, -0.4, 0.4);
    double side = 0.3 * sin (2.0 * G_PI * 40.0 * i / rate);
    x[2 * i] = mid + side;
    x[2 * i + 1] = mid - side;
  }
  memcpy (y, x, 2 * n * sizeof (double));
  mm_eq_init (eq, rate, 2, 20.0, 32);
  mm_eq_set_band (eq, 0, &s);
  mm_eq_snap (eq);
  mm_eq_process_f64 (eq, y, n);
  for (gsize i = 0; i < n; i++) {
    double mid_in = x[2 * i] + x[2 * i + 1], mid_out = y[2 * i] + y[2 * i + 1];
    max_mid = fmax (max_mid, fabs (mid_in));
    max_err = fmax (max_err, fabs (mid_out - mid_in));
    if (i > n / 2) {
      side_in += pow (x[2 * i] - x[2 * i + 1], 2);
      side_out += pow (y[2 * i] - y[2 * i + 1], 2);
    }
  }
  g_assert_cmpfloat (max_err, <=, 1e-6 * max_mid);
  /* 24 dB/oct Butterworth at 150 Hz: -46 dB at 40 Hz */
  g_assert_cmpfloat (10.0 * log10 (side_out / side_in), <, -40.0);
  g_rand_free (rand);
  g_free (eq);
  g_free (x);
  g_free (y);
}

/* A 1 s sweep of freq 100 Hz -> 10 kHz and gain -12 -> +12 dB while a sine plays,
 * followed block by block, matches a reference redesigned every sample. */
static void
test_sweep_matches_per_sample_reference (void)
{
  const double rate = 48000.0;
  const gsize n = 48000;
  double *a = g_new (double, n), *b = g_new (double, n);
  MmEq *fast = g_new (MmEq, 1), *ref = g_new (MmEq, 1);
  double err = 0.0, sig = 0.0;

  for (gsize i = 0; i < n; i++)
    a[i] = b[i] = 0.5 * sin (2.0 * G_PI * 1000.0 * i / rate);
  mm_eq_init (fast, rate, 1, 20.0, 32);
  mm_eq_init (ref, rate, 1, 20.0, 1);
  MmEqBandSettings s = band (MM_EQ_PEAKING, 100.0, -12.0, 1.0);
  mm_eq_set_band (fast, 0, &s);
  mm_eq_set_band (ref, 0, &s);
  mm_eq_snap (fast);
  mm_eq_snap (ref);

  for (gsize i = 0; i < n; i++) {
    if (i % 32 == 0) {
      /* the value at the end of this block, reached over the block */
      double t = (double) MIN (i + 32, n) / n;
      s.shape.freq = 100.0 * pow (100.0, t);
      s.shape.gain_db = -12.0 + 24.0 * t;
      mm_eq_set_band_glide (fast, 0, &s, 32);
      mm_eq_process_f64 (fast, a + i, MIN (32, n - i));
    }
    double t = (double) (i + 1) / n;
    MmEqBandSettings r = s;
    r.shape.freq = 100.0 * pow (100.0, t);
    r.shape.gain_db = -12.0 + 24.0 * t;
    mm_eq_set_band_glide (ref, 0, &r, 1);
    mm_eq_process_f64 (ref, b + i, 1);
  }
  for (gsize i = 0; i < n; i++) {
    err += (a[i] - b[i]) * (a[i] - b[i]);
    sig += b[i] * b[i];
  }
  g_test_message ("sweep error against per-sample reference: %.1f dB",
      10.0 * log10 (err / sig));
  g_assert_cmpfloat (10.0 * log10 (err / sig), <, -60.0);
  g_free (fast);
  g_free (ref);
  g_free (a);
  g_free (b);
}

/* Settings changed while a tone plays glide: no step beyond the tone's own. */
static void
test_changes_glide_without_clicks (void)
{
  const double rate = 48000.0;
  const gsize n = 9600;
  double *x = g_new (double, n);
  MmEq *eq = g_new (MmEq, 1);
  double max_step = 0.0;

  for (gsize i = 0; i < n; i++)
    x[i] = 0.5 * sin (2.0 * G_PI * 200.0 * i / rate);
  mm_eq_init (eq, rate, 1, 20.0, 32);
  for (gsize off = 0; off < n; off += 480) {
    MmEqBandSettings s;
    if (off == 960) {
      s = band (MM_EQ_PEAKING, 200.0, 12.0, 2.0);
      mm_eq_set_band (eq, 0, &s);
    } else if (off == 2880) {
      s = band (MM_EQ_HIGH_PASS, 400.0, 0.0, 0.707);
      mm_eq_set_band (eq, 0, &s);
    } else if (off == 4800) {
      s = band (MM_EQ_HIGH_PASS, 400.0, 0.0, 0.707);
      s.shape.slope = 48;
      mm_eq_set_band (eq, 0, &s);
    } else if (off == 6720) {
      s = band (MM_EQ_HIGH_PASS, 400.0, 0.0, 0.707);
      s.enabled = false;
      s.shape.slope = 48;
      mm_eq_set_band (eq, 0, &s);
    }
    mm_eq_process_f64 (eq, x + off, 480);
  }
  for (gsize i = 1; i < n; i++)
    max_step = fmax (max_step, fabs (x[i] - x[i - 1]));
  /* the tone at +12 dB moves at most 4 * 0.5 * 2 pi 200 / 48000 = 0.052 */
  g_test_message ("largest sample step: %.4f", max_step);
  g_assert_cmpfloat (max_step, <, 0.07);
  /* disabled again: exactly the input after the crossfade */
  g_assert_true (mm_eq_is_identity (eq));
  g_free (eq);
  g_free (x);
}

/* A 20 Hz bell at 192 kHz is stable, precise, and decays to exact zero. */
static void
test_low_bell_at_high_rate (void)
{
  const double rate = 192000.0;
  const gsize n = 192000 * 4;
  double *h = g_new0 (double, n);
  MmEq *eq = g_new (MmEq, 1);
  MmEqBandSettings s = band (MM_EQ_PEAKING, 20.0, 12.0, 1.0);
  MmEqDesign d;
  double tail = 0.0;

  mm_eq_init (eq, rate, 1, 20.0, 32);
  mm_eq_set_band (eq, 0, &s);
  mm_eq_snap (eq);
  h[0] = 1.0;
  mm_eq_process_f64 (eq, h, n);
  mm_eq_design (&d, &s.shape, rate);
  g_assert_cmpfloat_with_epsilon (response_db (h, n, 1, rate, 20.0),
      mm_eq_design_response_db (&d, rate, 20.0), 0.01);
  for (gsize i = n - 192000; i < n; i++)
    tail = fmax (tail, fabs (h[i]));
  g_assert_cmpfloat (20.0 * log10 (tail + 1e-300), <, -120.0);
  /* silence long enough flushes the state to exact zero: no denormals */
  memset (h, 0, n * sizeof (double));
  mm_eq_process_f64 (eq, h, n);
  for (int sct = 0; sct < MM_EQ_MAX_SECTIONS; sct++) {
    g_assert_true (eq->bands[0].state[0][sct].ic1 == 0.0);
    g_assert_true (eq->bands[0].state[0][sct].ic2 == 0.0);
  }
  g_free (eq);
  g_free (h);
}

static void
test_nonfinite_input (void)
{
  const gsize n = 4096;
  float *x = g_new0 (float, 2 * n);
  MmEq *eq = g_new (MmEq, 1);
  MmEqBandSettings s = band (MM_EQ_PEAKING, 1000.0, 12.0, 4.0);

  for (gsize i = 0; i < 2 * n; i++)
    x[i] = (float) sin (i * 0.1);
  x[10] = NAN;
  x[11] = INFINITY;
  x[500] = -INFINITY;
  mm_eq_init (eq, 48000.0, 2, 20.0, 32);
  mm_eq_set_band (eq, 0, &s);
  mm_eq_snap (eq);
  mm_eq_process_f32 (eq, x, n);
  for (gsize i = 0; i < 2 * n; i++)
    g_assert_true (isfinite (x[i]));
  g_free (eq);
  g_free (x);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/eq/identity-bit-exact", test_identity_bit_exact);
  g_test_add_func ("/eq/impulse-response-matches-design",
      test_impulse_response_matches_design);
  g_test_add_func ("/eq/state-round-trip", test_state_round_trip);
  g_test_add_func (
      "/eq/stereo-steady-matches-mono", test_stereo_steady_matches_mono);
  g_test_add_func (
      "/eq/side-high-pass-keeps-mid", test_side_high_pass_keeps_mid);
  g_test_add_func ("/eq/sweep-matches-per-sample-reference",
      test_sweep_matches_per_sample_reference);
  g_test_add_func (
      "/eq/changes-glide-without-clicks", test_changes_glide_without_clicks);
  g_test_add_func ("/eq/low-bell-at-high-rate", test_low_bell_at_high_rate);
  g_test_add_func ("/eq/nonfinite-input", test_nonfinite_input);
  return g_test_run ();
}
