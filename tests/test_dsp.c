/* dsp/ unit tests against closed-form references.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <glib.h>
#include <math.h>
#include <string.h>

#include "biquad.h"
#include "ramp.h"
#include "sanitize.h"
#include "stereo.h"
#include "svf.h"

#define RATE 48000.0

/* Analog Butterworth 2nd-order high-pass |H(j W)| in dB, W = f / f0. */
static double
analog_butterworth_hp_db (double w)
{
  return 10.0 * log10 (pow (w, 4) / (1.0 + pow (w, 4)));
}

/* The bilinear transform maps digital f onto the analog prototype at
 * W = tan(pi f / fs) / tan(pi f0 / fs): only this warp may differ. */
static double
warped (double f, double f0, double rate)
{
  return tan (G_PI * f / rate) / tan (G_PI * f0 / rate);
}

static void
test_biquad_highpass_matches_prototype (void)
{
  const double f0s[] = { 20.0, 120.0, 500.0, 5000.0 };
  for (guint k = 0; k < G_N_ELEMENTS (f0s); k++) {
    MmBiquadCoefs c;
    mm_biquad_design (
        &c, MM_BIQUAD_HIGHPASS, RATE, f0s[k], MM_BIQUAD_Q_BUTTERWORTH);
    for (double f = 10.0; f < 20000.0; f *= 1.25) {
      double got = mm_biquad_response_db (&c, RATE, f);
      double want = analog_butterworth_hp_db (warped (f, f0s[k], RATE));
      g_assert_cmpfloat_with_epsilon (got, want, 1e-6 + 1e-6 * fabs (want));
    }
    /* -3.01 dB at the corner, as the analog prototype */
    g_assert_cmpfloat_with_epsilon (
        mm_biquad_response_db (&c, RATE, f0s[k]), -3.0103, 0.001);
  }
}

static double
sine_gain_through (const MmBiquadCoefs *c, double freq)
{
  const gsize n = 48000;
  float *x = g_new (float, n);
  MmBiquadState st;
  double in_sum = 0.0, out_sum = 0.0;

  for (gsize i = 0; i < n; i++)
    x[i] = (float) sin (2.0 * G_PI * freq * i / RATE);
  mm_biquad_reset (&st);
  mm_biquad_process_f32 (c, &st, x, n);
  /* skip the first half second of settling */
  for (gsize i = n / 2; i < n; i++) {
    double ref = sin (2.0 * G_PI * freq * i / RATE);
    in_sum += ref * ref;
    out_sum += (double) x[i] * x[i];
  }
  g_free (x);
  return 10.0 * log10 (out_sum / in_sum);
}

static void
test_biquad_process_matches_design (void)
{
  MmBiquadCoefs c;
  mm_biquad_design (
      &c, MM_BIQUAD_HIGHPASS, RATE, 200.0, MM_BIQUAD_Q_BUTTERWORTH);
  const double freqs[] = { 100.0, 200.0, 400.0, 1000.0 };
  for (guint i = 0; i < G_N_ELEMENTS (freqs); i++)
    g_assert_cmpfloat_with_epsilon (sine_gain_through (&c, freqs[i]),
        mm_biquad_response_db (&c, RATE, freqs[i]), 0.01);
}

/* LR4 low-pass + LR4 high-pass == the 2nd-order all-pass, sample by sample. */
static void
test_linkwitz_riley_sums_to_allpass (void)
{
  const gsize n = 4096;
  double *lp = g_new0 (double, n), *hp = g_new0 (double, n),
         *ap = g_new0 (double, n);
  MmBiquadCoefs clp, chp, cap;
  MmBiquadState s1 = { 0 }, s2 = { 0 }, s3 = { 0 }, s4 = { 0 }, s5 = { 0 };

  lp[0] = hp[0] = ap[0] = 1.0;
  mm_biquad_design (
      &clp, MM_BIQUAD_LOWPASS, RATE, 120.0, MM_BIQUAD_Q_BUTTERWORTH);
  mm_biquad_design (
      &chp, MM_BIQUAD_HIGHPASS, RATE, 120.0, MM_BIQUAD_Q_BUTTERWORTH);
  mm_biquad_design (
      &cap, MM_BIQUAD_ALLPASS, RATE, 120.0, MM_BIQUAD_Q_BUTTERWORTH);
  mm_biquad_process_f64 (&clp, &s1, lp, n);
  mm_biquad_process_f64 (&clp, &s2, lp, n);
  mm_biquad_process_f64 (&chp, &s3, hp, n);
  mm_biquad_process_f64 (&chp, &s4, hp, n);
  mm_biquad_process_f64 (&cap, &s5, ap, n);
  for (gsize i = 0; i < n; i++)
    g_assert_cmpfloat_with_epsilon (lp[i] + hp[i], ap[i], 1e-12);
  for (double f = 10.0; f < 20000.0; f *= 1.5)
    g_assert_cmpfloat_with_epsilon (
        mm_biquad_response_db (&cap, RATE, f), 0.0, 1e-9);
  g_free (lp);
  g_free (hp);
  g_free (ap);
}

/* The trapezoidal SVF realises the same transfer functions as the bilinear
 * biquads: identical impulse responses. */
static void
test_svf_matches_biquad (void)
{
  const gsize n = 2048;
  const double freqs[] = { 20.0, 120.0, 500.0, 15000.0 };

  for (guint k = 0; k < G_N_ELEMENTS (freqs); k++) {
    MmBiquadCoefs bhp, bap;
    MmBiquadState shp = { 0 }, sap = { 0 };
    MmSvfCoefs c;
    MmSvfState vhp = { 0 }, vap = { 0 };
    double *hp = g_new0 (double, n), *ap = g_new0 (double, n);

    hp[0] = ap[0] = 1.0;
    mm_biquad_design (&bhp, MM_BIQUAD_HIGHPASS, RATE, freqs[k], 0.9);
    mm_biquad_design (&bap, MM_BIQUAD_ALLPASS, RATE, freqs[k], 0.9);
    mm_biquad_process_f64 (&bhp, &shp, hp, n);
    mm_biquad_process_f64 (&bap, &sap, ap, n);
    mm_svf_design (&c, RATE, freqs[k], 0.9);
    for (gsize i = 0; i < n; i++) {
      double x = i == 0 ? 1.0 : 0.0;
      g_assert_cmpfloat_with_epsilon (
          mm_svf_highpass (&c, &vhp, x), hp[i], 1e-12);
      g_assert_cmpfloat_with_epsilon (
          mm_svf_allpass (&c, &vap, x), ap[i], 1e-12);
    }
    g_free (hp);
    g_free (ap);
  }
}

/* Frequency jumps every 32 samples across 20-500 Hz do not kick the SVF: an LR4
 * high-pass of +-0.5 noise stays within the peak it reaches unmodulated (~0.7)
 * plus a small margin. */
static void
test_svf_modulation_is_quiet (void)
{
  const gsize n = 96000;
  GRand *rand = g_rand_new_with_seed (3);
  MmSvfCoefs c;
  MmSvfState s1 = { 0 }, s2 = { 0 };
  double peak = 0.0;

  for (gsize i = 0; i < n; i++) {
    if (i % 32 == 0)
      mm_svf_design (&c, RATE, g_rand_double_range (rand, 20.0, 500.0),
          MM_SVF_Q_BUTTERWORTH);
    double x = g_rand_double_range (rand, -0.5, 0.5);
    peak = MAX (
        peak, fabs (mm_svf_highpass (&c, &s2, mm_svf_highpass (&c, &s1, x))));
  }
  g_assert_cmpfloat (peak, <, 1.0);
  g_rand_free (rand);
}

static void
test_ramp_glides_and_lands (void)
{
  MmRamp r;
  float v[150];

  mm_ramp_init (&r, 1.0, 100);
  mm_ramp_set_target (&r, 2.0);
  mm_ramp_fill_f32 (&r, v, 50);
  g_assert_cmpfloat_with_epsilon (v[0], 1.01, 1e-6);
  g_assert_cmpfloat_with_epsilon (v[49], 1.5, 1e-6);
  /* retarget mid-glide: a fresh glide from 1.5 */
  mm_ramp_set_target (&r, 1.0);
  mm_ramp_fill_f32 (&r, v, 150);
  g_assert_cmpfloat_with_epsilon (v[49], 1.25, 1e-6);
  g_assert_true (v[99] == 1.0f);
  g_assert_true (v[149] == 1.0f);
  g_assert_true (mm_ramp_is_settled (&r));
  g_assert_true (r.current == 1.0);

  mm_ramp_set_glide (&r, 0);
  mm_ramp_set_target (&r, 3.0);
  g_assert_true (mm_ramp_is_settled (&r));
  g_assert_cmpfloat (mm_ramp_advance (&r, 10), ==, 3.0);
}

static void
test_sanitize (void)
{
  float f[130];
  double d[7] = { 1.0, NAN, -INFINITY, 0.5, INFINITY, -0.0, 1e-310 };

  for (guint i = 0; i < G_N_ELEMENTS (f); i++)
    f[i] = (float) i * 0.01f;
  g_assert_false (mm_has_nonfinite_f32 (f, G_N_ELEMENTS (f)));
  g_assert_cmpuint (mm_sanitize_f32 (f, G_N_ELEMENTS (f)), ==, 0);
  f[3] = NAN;
  f[64] = INFINITY;
  f[129] = -INFINITY;
  g_assert_true (mm_has_nonfinite_f32 (f, G_N_ELEMENTS (f)));
  g_assert_cmpuint (mm_sanitize_f32 (f, G_N_ELEMENTS (f)), ==, 3);
  g_assert_true (f[3] == 0.0f && f[64] == 0.0f && f[129] == 0.0f);
  g_assert_true (f[4] == 0.04f);

  g_assert_cmpuint (mm_sanitize_f64 (d, G_N_ELEMENTS (d)), ==, 3);
  g_assert_true (d[1] == 0.0 && d[2] == 0.0 && d[4] == 0.0);
  g_assert_true (d[0] == 1.0 && d[3] == 0.5 && d[6] == 1e-310);
}

static float *
noise_stereo (gsize n_frames, guint32 seed)
{
  GRand *rand = g_rand_new_with_seed (seed);
  float *x = g_new (float, 2 * n_frames);
  for (gsize i = 0; i < 2 * n_frames; i++)
    x[i] = (float) g_rand_double_range (rand, -0.5, 0.5);
  g_rand_free (rand);
  return x;
}

static void
test_stereo_identity_is_bit_exact (void)
{
  const gsize n = 3001;
  float *x = noise_stereo (n, 7);
  float *y = g_memdup2 (x, 2 * n * sizeof (float));
  MmStereoWidth *sw = g_new (MmStereoWidth, 1);

  mm_stereo_width_init (sw, RATE, 20.0);
  g_assert_true (mm_stereo_width_is_identity (sw));
  mm_stereo_width_process_f32 (sw, y, n);
  g_assert_cmpmem (x, 2 * n * sizeof (float), y, 2 * n * sizeof (float));

  /* a glide away and back ends bit-exact again */
  mm_stereo_width_set_width (sw, 2.0);
  mm_stereo_width_process_f32 (sw, y, n);
  mm_stereo_width_set_width (sw, 1.0);
  memcpy (y, x, 2 * n * sizeof (float));
  mm_stereo_width_process_f32 (sw, y, n);
  g_assert_true (mm_stereo_width_is_identity (sw));
  memcpy (y, x, 2 * n * sizeof (float));
  mm_stereo_width_process_f32 (sw, y, n);
  g_assert_cmpmem (x, 2 * n * sizeof (float), y, 2 * n * sizeof (float));

  g_free (sw);
  g_free (x);
  g_free (y);
}

/* Hard-left content above the crossover stays hard left: the all-pass on the mid
 * keeps mid and side in phase (R' = LR4 low-pass of the input / 2). */
static void
test_stereo_bass_mono_is_phase_coherent (void)
{
  const gsize n = 48000;
  double *x = g_new0 (double, 2 * n);
  MmStereoWidth *sw = g_new (MmStereoWidth, 1);
  double l_sum = 0.0, r_sum = 0.0;

  for (gsize i = 0; i < n; i++)
    x[2 * i] = 0.5 * sin (2.0 * G_PI * 1000.0 * i / RATE);
  mm_stereo_width_init (sw, RATE, 20.0);
  mm_stereo_width_set_bass_mono_freq (sw, 120.0);
  mm_stereo_width_snap (sw);
  mm_stereo_width_process_f64 (sw, x, n);
  for (gsize i = n / 2; i < n; i++) {
    l_sum += x[2 * i] * x[2 * i];
    r_sum += x[2 * i + 1] * x[2 * i + 1];
  }
  /* LR4 low-pass at 1000/120 Hz: -73.7 dB */
  g_assert_cmpfloat (10.0 * log10 (r_sum / l_sum), <, -70.0);
  g_assert_cmpfloat_with_epsilon (
      10.0 * log10 (l_sum / (n / 2) * 2.0 / 0.25), 0.0, 0.01);
  g_free (sw);
  g_free (x);
}

/* Settings are stepped while a 100 Hz side tone plays: no sample jumps more than
 * the tone itself moves plus the glide's share. */
static void
test_stereo_changes_glide (void)
{
  const gsize n = 9600;
  float *x = g_new (float, 2 * n);
  MmStereoWidth *sw = g_new (MmStereoWidth, 1);
  double max_step = 0.0;

  for (gsize i = 0; i < n; i++) {
    float s = (float) (0.25 * sin (2.0 * G_PI * 100.0 * i / RATE));
    x[2 * i] = 0.25f + s;
    x[2 * i + 1] = 0.25f - s;
  }
  mm_stereo_width_init (sw, RATE, 20.0);
  for (gsize off = 0; off < n; off += 480) {
    if (off == 1920)
      mm_stereo_width_set_width (sw, 4.0);
    if (off == 3840)
      mm_stereo_width_set_bass_mono_freq (sw, 200.0);
    if (off == 5760)
      mm_stereo_width_set_side_gain_db (sw, -24.0);
    if (off == 7680)
      mm_stereo_width_set_bass_mono_freq (sw, 0.0);
    mm_stereo_width_process_f32 (sw, x + 2 * off, 480);
  }
  for (gsize i = 1; i < n; i++)
    max_step = MAX (max_step, fabs (x[2 * i] - x[2 * i - 2]));
  /* tone slope at width 4: 4 * 0.25 * 2 pi 100 / 48000 = 0.013 */
  g_assert_cmpfloat (max_step, <, 0.03);
  g_free (sw);
  g_free (x);
}

/* Stereo frames that are only 4-byte aligned (as GStreamer allows) give the same
 * result as 8-byte aligned ones, in every processing path. */
static void
test_stereo_misaligned_frames (void)
{
  const gsize n = 2000;
  float *x = noise_stereo (n, 13);
  float *aligned = g_aligned_alloc (2 * n, sizeof (float), 64);
  float *base = g_aligned_alloc (2 * n + 1, sizeof (float), 64);
  float *odd = base + 1;
  MmStereoWidth *a = g_new (MmStereoWidth, 1), *b = g_new (MmStereoWidth, 1);

  memcpy (aligned, x, 2 * n * sizeof (float));
  memcpy (odd, x, 2 * n * sizeof (float));
  mm_stereo_width_init (a, RATE, 5.0);
  mm_stereo_width_init (b, RATE, 5.0);
  for (gsize off = 0; off < n; off += 500) {
    if (off == 500) {
      mm_stereo_width_set_width (a, 1.8);
      mm_stereo_width_set_width (b, 1.8);
    }
    if (off == 1000) {
      mm_stereo_width_set_bass_mono_freq (a, 90.0);
      mm_stereo_width_set_bass_mono_freq (b, 90.0);
    }
    mm_stereo_width_process_f32 (a, aligned + 2 * off, 500);
    mm_stereo_width_process_f32 (b, odd + 2 * off, 500);
  }
  g_assert_cmpmem (
      aligned, 2 * n * sizeof (float), odd, 2 * n * sizeof (float));
  g_free (a);
  g_free (b);
  g_aligned_free (aligned);
  g_aligned_free (base);
  g_free (x);
}

static void
test_stereo_meter (void)
{
  const gsize n = 48000;
  float *x = noise_stereo (n, 11);
  MmStereoMeter m;

  mm_stereo_meter_reset (&m);
  mm_stereo_meter_add_f32 (&m, x, n);
  g_assert_cmpfloat (fabs (mm_stereo_meter_correlation (&m)), <, 0.02);
  g_assert_cmpfloat_with_epsilon (
      mm_stereo_meter_side_to_mid_db (&m), 0.0, 0.2);

  for (gsize i = 0; i < n; i++)
    x[2 * i + 1] = x[2 * i];
  mm_stereo_meter_reset (&m);
  mm_stereo_meter_add_f32 (&m, x, n);
  g_assert_cmpfloat_with_epsilon (mm_stereo_meter_correlation (&m), 1.0, 1e-9);
  g_assert_cmpfloat (mm_stereo_meter_side_to_mid_db (&m), ==, -120.0);

  for (gsize i = 0; i < n; i++)
    x[2 * i + 1] = -x[2 * i];
  mm_stereo_meter_reset (&m);
  mm_stereo_meter_add_f32 (&m, x, n);
  g_assert_cmpfloat_with_epsilon (mm_stereo_meter_correlation (&m), -1.0, 1e-9);
  g_assert_cmpfloat (mm_stereo_meter_side_to_mid_db (&m), ==, 120.0);

  mm_stereo_meter_reset (&m);
  g_assert_cmpfloat (mm_stereo_meter_correlation (&m), ==, 0.0);
  g_free (x);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/dsp/biquad/highpass-matches-prototype",
      test_biquad_highpass_matches_prototype);
  g_test_add_func (
      "/dsp/biquad/process-matches-design", test_biquad_process_matches_design);
  g_test_add_func ("/dsp/biquad/linkwitz-riley-sums-to-allpass",
      test_linkwitz_riley_sums_to_allpass);
  g_test_add_func ("/dsp/svf/matches-biquad", test_svf_matches_biquad);
  g_test_add_func (
      "/dsp/svf/modulation-is-quiet", test_svf_modulation_is_quiet);
  g_test_add_func ("/dsp/ramp/glides-and-lands", test_ramp_glides_and_lands);
  g_test_add_func ("/dsp/sanitize", test_sanitize);
  g_test_add_func (
      "/dsp/stereo/identity-is-bit-exact", test_stereo_identity_is_bit_exact);
  g_test_add_func ("/dsp/stereo/bass-mono-is-phase-coherent",
      test_stereo_bass_mono_is_phase_coherent);
  g_test_add_func ("/dsp/stereo/changes-glide", test_stereo_changes_glide);
  g_test_add_func (
      "/dsp/stereo/misaligned-frames", test_stereo_misaligned_frames);
  g_test_add_func ("/dsp/stereo/meter", test_stereo_meter);

  return g_test_run ();
}
