/* dsp/eqdesign against the analog prototypes of the Audio EQ Cookbook and
 * Butterworth, on the grid of the mixeq issue.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <glib.h>
#include <math.h>

#include "biquad.h"
#include "eqdesign.h"

static const double rates[] = { 44100.0, 48000.0, 96000.0, 192000.0 };
static const double gains[] = { -12.0, -6.0, -3.0, 3.0, 6.0, 12.0 };

/* Largest |design - prototype| in dB from 20 Hz to 20 kHz (below Nyquist). */
static double
worst_error_db (const MmEqShape *shape, double rate)
{
  MmEqDesign d;
  double worst = 0.0;
  mm_eq_design (&d, shape, rate);
  for (int k = 0; k < 200; k++) {
    double f = 20.0 * pow (1000.0, k / 199.0);
    if (f >= 0.5 * rate)
      break;
    double e = fabs (
        mm_eq_design_response_db (&d, rate, f) - mm_eq_prototype_db (shape, f));
    worst = fmax (worst, e);
  }
  return worst;
}

static void
check_grid (MmEqType type, const double *qs, int n_qs, double tol_44k,
    double tol_48k, double tol_96k)
{
  for (guint r = 0; r < G_N_ELEMENTS (rates); r++) {
    double tol =
        rates[r] < 45000.0 ? tol_44k : (rates[r] < 90000.0 ? tol_48k : tol_96k);
    for (int i = 0; i < 22; i++) {
      double f0 = 20.0 * pow (800.0, i / 21.0); /* 20 Hz .. 16 kHz */
      for (int qi = 0; qi < n_qs; qi++) {
        for (guint gi = 0; gi < G_N_ELEMENTS (gains); gi++) {
          MmEqShape shape = { type, f0, gains[gi], qs[qi], 12 };
          double e = worst_error_db (&shape, rates[r]);
          if (!(e <= tol))
            g_error ("type %d f0 %.0f Q %g gain %g at %.0f Hz: %.3f dB off the "
                     "prototype (tolerance %.2f)",
                type, f0, qs[qi], gains[gi], rates[r], e, tol);
        }
      }
    }
  }
}

static const double bell_qs[] = { 0.5, 0.707, 1.0, 2.0, 3.0, 4.0 };
static const double shelf_qs[] = { 0.5, 0.707, 1.0, 1.414, 2.0 };
static const double steep_shelf_qs[] = { 3.0, 4.0 };

static void
test_bells_match_prototype (void)
{
  check_grid (MM_EQ_PEAKING, bell_qs, G_N_ELEMENTS (bell_qs), 0.5, 0.5, 0.1);
}

static void
test_shelves_match_prototype (void)
{
  const MmEqType types[] = { MM_EQ_LOW_SHELF, MM_EQ_HIGH_SHELF,
    MM_EQ_TILT_SHELF };
  for (guint t = 0; t < G_N_ELEMENTS (types); t++) {
    check_grid (types[t], shelf_qs, G_N_ELEMENTS (shelf_qs), 0.5, 0.5, 0.1);
    /* resonant shelves near Nyquist take the fourth-order fit */
    check_grid (
        types[t], steep_shelf_qs, G_N_ELEMENTS (steep_shelf_qs), 0.5, 0.5, 0.1);
  }
}

/* The RBJ bilinear design misses the prototype by several dB near Nyquist: the
 * matched design is what makes the difference. */
static void
test_bilinear_cramps (void)
{
  MmEqShape shape = { MM_EQ_PEAKING, 15000.0, 6.0, 1.0, 12 };
  MmBiquadCoefs c;
  mm_biquad_design_gain (&c, MM_BIQUAD_PEAKING, 44100.0, 15000.0, 1.0, 6.0);
  double rbj = mm_biquad_response_db (&c, 44100.0, 20000.0);
  double proto = mm_eq_prototype_db (&shape, 20000.0);
  g_assert_cmpfloat (fabs (rbj - proto), >, 3.0);
  g_assert_cmpfloat (worst_error_db (&shape, 44100.0), <, 0.5);
}

static void
test_pass_filters_are_butterworth (void)
{
  const int slopes[] = { 6, 12, 18, 24, 36, 48 };
  const double pass_rates[] = { 8000.0, 44100.0, 48000.0, 96000.0, 192000.0 };
  for (guint r = 0; r < G_N_ELEMENTS (pass_rates); r++) {
    double rate = pass_rates[r];
    for (guint s = 0; s < G_N_ELEMENTS (slopes); s++) {
      for (int hp = 0; hp < 2; hp++) {
        for (int i = 0; i < 30; i++) {
          double fc = 20.0 * pow (0.4 * rate / 20.0, i / 29.0);
          MmEqShape shape = { hp ? MM_EQ_HIGH_PASS : MM_EQ_LOW_PASS, fc, 0.0,
            0.707, slopes[s] };
          MmEqDesign d;
          mm_eq_design (&d, &shape, rate);
          g_assert_cmpfloat_with_epsilon (
              mm_eq_design_response_db (&d, rate, fc), -3.0103, 0.1);
          if (fc <= rate / 8.0) {
            double octave = hp ? fc / 2.0 : fc * 2.0;
            g_assert_cmpfloat_with_epsilon (
                mm_eq_design_response_db (&d, rate, octave), -slopes[s], 1.0);
          }
        }
      }
    }
  }
}

static void
test_band_pass_notch_all_pass (void)
{
  const double freqs[] = { 50.0, 1000.0, 10000.0 };
  for (guint i = 0; i < G_N_ELEMENTS (freqs); i++) {
    double f0 = freqs[i];
    MmEqShape bp = { MM_EQ_BAND_PASS, f0, 0.0, 2.0, 12 };
    MmEqShape notch = { MM_EQ_NOTCH, f0, 0.0, 2.0, 12 };
    MmEqShape ap = { MM_EQ_ALL_PASS, f0, 0.0, 0.7, 12 };
    MmEqDesign d;

    mm_eq_design (&d, &bp, 48000.0);
    g_assert_cmpfloat_with_epsilon (
        mm_eq_design_response_db (&d, 48000.0, f0), 0.0, 0.1);
    g_assert_cmpfloat (
        mm_eq_design_response_db (&d, 48000.0, f0 / 8.0), <, -20.0);
    mm_eq_design (&d, &notch, 48000.0);
    g_assert_cmpfloat (mm_eq_design_response_db (&d, 48000.0, f0), <, -60.0);
    g_assert_cmpfloat_with_epsilon (
        mm_eq_design_response_db (&d, 48000.0, f0 / 8.0), 0.0, 0.2);
    mm_eq_design (&d, &ap, 48000.0);
    for (double f = 20.0; f < 24000.0; f *= 1.3)
      g_assert_cmpfloat_with_epsilon (
          mm_eq_design_response_db (&d, 48000.0, f), 0.0, 1e-9);
  }
}

/* Any stable biquad survives the trip to SVF form. */
static void
test_svf_section_from_biquad (void)
{
  const MmBiquadType types[] = { MM_BIQUAD_LOWPASS, MM_BIQUAD_HIGHPASS,
    MM_BIQUAD_BANDPASS, MM_BIQUAD_PEAKING, MM_BIQUAD_LOW_SHELF,
    MM_BIQUAD_HIGH_SHELF, MM_BIQUAD_ALLPASS };
  for (guint t = 0; t < G_N_ELEMENTS (types); t++) {
    for (double f0 = 30.0; f0 < 20000.0; f0 *= 3.0) {
      MmBiquadCoefs c;
      MmSvfSection s;
      mm_biquad_design_gain (&c, types[t], 48000.0, f0, 0.9, -7.0);
      double b[3] = { c.b0, c.b1, c.b2 }, a[3] = { 1.0, c.a1, c.a2 };
      g_assert_true (mm_svf_section_from_biquad (&s, b, a));
      for (double f = 20.0; f < 24000.0; f *= 1.7)
        g_assert_cmpfloat_with_epsilon (
            mm_svf_section_response_db (&s, 48000.0, f),
            mm_biquad_response_db (&c, 48000.0, f), 1e-6);
    }
  }
}

static void
test_identity_shapes (void)
{
  MmEqShape bell = { MM_EQ_PEAKING, 1000.0, 0.0, 1.0, 12 };
  MmEqShape hp = { MM_EQ_HIGH_PASS, 1000.0, 0.0, 1.0, 12 };
  g_assert_true (mm_eq_shape_is_identity (&bell));
  bell.gain_db = 0.1;
  g_assert_false (mm_eq_shape_is_identity (&bell));
  g_assert_false (mm_eq_shape_is_identity (&hp));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func (
      "/eqdesign/bells-match-prototype", test_bells_match_prototype);
  g_test_add_func (
      "/eqdesign/shelves-match-prototype", test_shelves_match_prototype);
  g_test_add_func ("/eqdesign/bilinear-cramps", test_bilinear_cramps);
  g_test_add_func ("/eqdesign/pass-filters-are-butterworth",
      test_pass_filters_are_butterworth);
  g_test_add_func (
      "/eqdesign/band-pass-notch-all-pass", test_band_pass_notch_all_pass);
  g_test_add_func (
      "/eqdesign/svf-section-from-biquad", test_svf_section_from_biquad);
  g_test_add_func ("/eqdesign/identity-shapes", test_identity_shapes);
  return g_test_run ();
}
