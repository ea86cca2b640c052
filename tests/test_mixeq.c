/* mixeq element tests (GstHarness): response measured from the element's own
 * impulse response, mid/side, automation, bad input.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <complex.h>
#include <gst/gst.h>
#include <gst/check/gstharness.h>
#include <gst/controller/gstdirectcontrolbinding.h>
#include <gst/controller/gstinterpolationcontrolsource.h>
#include <math.h>
#include <string.h>

#include "eq.h"
#include "mmtest.h"

static const GstAudioFormat formats[] = { GST_AUDIO_FORMAT_F32,
  GST_AUDIO_FORMAT_F64 };

static double
dft_db (const gdouble *h, gsize n, guint channels, guint channel, double rate,
    double f)
{
  double complex acc = 0.0;
  for (gsize i = 0; i < n; i++)
    acc += h[i * channels + channel] * cexp (-I * 2.0 * G_PI * f * i / rate);
  return 20.0 * log10 (cabs (acc));
}

/* The element's impulse response (F64, mono, 1 s). */
static gdouble *
impulse_response (const gchar *desc, gint rate, gsize *n)
{
  MmTestStream st = { GST_AUDIO_FORMAT_F64, rate, 1, 4096 };
  gsize len = rate;
  gdouble *x = g_new0 (gdouble, len);
  gdouble *y;
  x[0] = 1.0;
  y = mmtest_process (desc, &st, x, len, n);
  g_assert_cmpuint (*n, ==, len);
  g_free (x);
  return y;
}

static void
test_bare_is_bit_exact (void)
{
  const gint channels[] = { 1, 2, 6 };
  for (guint f = 0; f < G_N_ELEMENTS (formats); f++) {
    for (guint c = 0; c < G_N_ELEMENTS (channels); c++) {
      MmTestStream st = { formats[f], 44100, channels[c], 1000 };
      gsize n = 10000, out_n;
      gdouble *x = g_new (gdouble, n * channels[c]);
      for (gint ch = 0; ch < channels[c]; ch++)
        mmtest_noise (x, n, channels[c], ch, 0.5, 10 + ch);
      if (formats[f] == GST_AUDIO_FORMAT_F32)
        for (gsize i = 0; i < n * channels[c]; i++)
          x[i] = (gfloat) x[i];
      gdouble *y = mmtest_process ("mixeq", &st, x, n, &out_n);
      g_assert_cmpuint (out_n, ==, n);
      g_assert_cmpmem (x, n * channels[c] * sizeof (gdouble), y,
          n * channels[c] * sizeof (gdouble));
      g_free (y);
      /* bells and shelves at 0 dB are transparent too */
      y = mmtest_process ("mixeq num-bands=3 band0::freq=100 band1::gain=0 "
                          "band2::type=high-shelf",
          &st, x, n, &out_n);
      g_assert_cmpmem (x, n * channels[c] * sizeof (gdouble), y,
          n * channels[c] * sizeof (gdouble));
      g_free (y);
      g_free (x);
    }
  }
}

/* Bells and shelves follow the analog prototype, measured from the impulse
 * response: 0.5 dB at 44.1/48 kHz, 0.1 dB at 96 kHz. */
static void
test_response_matches_prototype (void)
{
  const gint rates[] = { 44100, 48000, 96000 };
  const MmEqType types[] = { MM_EQ_PEAKING, MM_EQ_LOW_SHELF, MM_EQ_HIGH_SHELF };
  const gchar *names[] = { "peaking", "low-shelf", "high-shelf" };
  const double f0s[] = { 20.0, 200.0, 2000.0, 10000.0, 11638.0, 16000.0 };
  const double qs[] = { 0.5, 2.0, 4.0 };
  const double gains[] = { -12.0, 12.0 };

  for (guint r = 0; r < G_N_ELEMENTS (rates); r++) {
    double tol = rates[r] < 90000 ? 0.5 : 0.1;
    for (guint t = 0; t < G_N_ELEMENTS (types); t++)
      for (guint fi = 0; fi < G_N_ELEMENTS (f0s); fi++)
        for (guint qi = 0; qi < G_N_ELEMENTS (qs); qi++)
          for (guint gi = 0; gi < G_N_ELEMENTS (gains); gi++) {
            gchar *desc =
                g_strdup_printf ("mixeq num-bands=1 band0::type=%s "
                                 "band0::freq=%g band0::q=%g band0::gain=%g",
                    names[t], f0s[fi], qs[qi], gains[gi]);
            MmEqShape shape = { types[t], f0s[fi], gains[gi], qs[qi], 12 };
            gsize n;
            gdouble *h = impulse_response (desc, rates[r], &n);
            for (double f = 20.0; f <= 20000.0; f *= 1.25) {
              double got = dft_db (h, n, 1, 0, rates[r], f);
              double want = mm_eq_prototype_db (&shape, f);
              if (fabs (got - want) > tol)
                g_error ("%s at %d Hz: %.3f dB at %.0f Hz, prototype %.3f",
                    desc, rates[r], got, f, want);
            }
            g_free (h);
            g_free (desc);
          }
  }
}

static void
test_pass_filters (void)
{
  const gint slopes[] = { 6, 12, 18, 24, 36, 48 };
  for (guint s = 0; s < G_N_ELEMENTS (slopes); s++) {
    for (int hp = 0; hp < 2; hp++) {
      double fc = hp ? 1000.0 : 6000.0; /* both at or below rate / 8 */
      gchar *desc = g_strdup_printf ("mixeq num-bands=1 band0::type=%s "
                                     "band0::freq=%g band0::slope=%d",
          hp ? "high-pass" : "low-pass", fc, slopes[s]);
      gsize n;
      gdouble *h = impulse_response (desc, 48000, &n);
      g_assert_cmpfloat_with_epsilon (
          dft_db (h, n, 1, 0, 48000, fc), -3.0103, 0.1);
      g_assert_cmpfloat_with_epsilon (
          dft_db (h, n, 1, 0, 48000, hp ? fc / 2 : fc * 2), -slopes[s], 1.0);
      g_free (h);
      g_free (desc);
    }
  }
}

/* channels=side high-pass at 150 Hz: side below gone, mid unchanged. */
static void
test_side_high_pass (void)
{
  const gsize n = 48000;
  MmTestStream st = { GST_AUDIO_FORMAT_F32, 48000, 2, 1024 };
  gdouble *x = g_new (gdouble, 2 * n), *y;
  gsize out_n;
  double max_mid = 0.0, max_err = 0.0, side_in = 0.0, side_out = 0.0;

  mmtest_noise (x, n, 2, 0, 0.3, 1);
  for (gsize i = 0; i < n; i++) {
    double mid = x[2 * i], side = 0.3 * sin (2.0 * G_PI * 50.0 * i / 48000.0);
    x[2 * i] = (gfloat) (mid + side);
    x[2 * i + 1] = (gfloat) (mid - side);
  }
  y = mmtest_process ("mixeq num-bands=1 band0::type=high-pass "
                      "band0::freq=150 band0::channels=side",
      &st, x, n, &out_n);
  g_assert_cmpuint (out_n, ==, n);
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
  /* 12 dB/oct at 150 Hz: -19 dB at 50 Hz */
  g_assert_cmpfloat (10.0 * log10 (side_out / side_in), <, -18.0);
  g_free (x);
  g_free (y);
}

/* A 1 s controller sweep (freq 100 Hz -> 10 kHz, gain -12 -> +12 dB) on a band
 * while a sine plays matches a reference redesigned at every sample. */
static void
test_controller_sweep (void)
{
  const gint rate = 48000;
  const gsize n = rate;
  MmTestStream st = { GST_AUDIO_FORMAT_F64, rate, 1, 4800 };
  GstHarness *h = mmtest_harness_new ("mixeq num-bands=1 band0::q=1", &st);
  GstElement *eq = gst_harness_find_element (h, "mixeq");
  GstObject *band = GST_OBJECT (
      gst_child_proxy_get_child_by_name (GST_CHILD_PROXY (eq), "band0"));
  GstControlSource *freq_cs = gst_interpolation_control_source_new ();
  GstControlSource *gain_cs = gst_interpolation_control_source_new ();
  gdouble *x = g_new (gdouble, n), *ref = g_new (gdouble, n), *y;
  MmEq *dsp = g_new (MmEq, 1);
  GstClockTime pts = 0;
  gsize out_n;
  double err = 0.0, sig = 0.0;

  g_object_set (freq_cs, "mode", GST_INTERPOLATION_MODE_LINEAR, NULL);
  g_object_set (gain_cs, "mode", GST_INTERPOLATION_MODE_LINEAR, NULL);
  gst_timed_value_control_source_set (
      GST_TIMED_VALUE_CONTROL_SOURCE (freq_cs), 0, 100.0);
  gst_timed_value_control_source_set (
      GST_TIMED_VALUE_CONTROL_SOURCE (freq_cs), GST_SECOND, 10000.0);
  gst_timed_value_control_source_set (
      GST_TIMED_VALUE_CONTROL_SOURCE (gain_cs), 0, -12.0);
  gst_timed_value_control_source_set (
      GST_TIMED_VALUE_CONTROL_SOURCE (gain_cs), GST_SECOND, 12.0);
  gst_object_add_control_binding (
      band, gst_direct_control_binding_new_absolute (band, "freq", freq_cs));
  gst_object_add_control_binding (
      band, gst_direct_control_binding_new_absolute (band, "gain", gain_cs));

  mmtest_sine (x, n, 1, 0, rate, 1000.0, 0.5, 0.0);
  y = mmtest_harness_process (h, &st, x, n, &pts, &out_n);
  g_assert_cmpuint (out_n, ==, n);

  memcpy (ref, x, n * sizeof (gdouble));
  mm_eq_init (dsp, rate, 1, 20.0, 1);
  for (gsize i = 0; i < n; i++) {
    GstClockTime t = gst_util_uint64_scale_int_round (i, GST_SECOND, rate);
    MmEqBandSettings s = { { MM_EQ_PEAKING, 0.0, 0.0, 1.0, 12 },
      MM_EQ_ROUTE_ALL, true };
    gst_control_source_get_value (freq_cs, t, &s.shape.freq);
    gst_control_source_get_value (gain_cs, t, &s.shape.gain_db);
    mm_eq_set_band_glide (dsp, 0, &s, 1);
    if (i == 0)
      mm_eq_snap (dsp);
    mm_eq_process_f64 (dsp, ref + i, 1);
  }
  for (gsize i = 0; i < n; i++) {
    err += (y[i] - ref[i]) * (y[i] - ref[i]);
    sig += ref[i] * ref[i];
  }
  g_test_message ("controller sweep against per-sample reference: %.1f dB",
      10.0 * log10 (err / sig));
  g_assert_cmpfloat (10.0 * log10 (err / sig), <, -60.0);

  g_free (dsp);
  g_free (x);
  g_free (ref);
  g_free (y);
  gst_object_unref (freq_cs);
  gst_object_unref (gain_cs);
  gst_object_unref (band);
  gst_object_unref (eq);
  gst_harness_teardown (h);
}

static guint
count_warnings (GstHarness *h, const gchar *needle)
{
  GstBus *bus = gst_element_get_bus (h->element);
  GstMessage *msg;
  guint count = 0;
  while ((msg = gst_bus_pop_filtered (bus, GST_MESSAGE_WARNING))) {
    GError *err = NULL;
    gst_message_parse_warning (msg, &err, NULL);
    if (strstr (err->message, needle))
      count++;
    g_clear_error (&err);
    gst_message_unref (msg);
  }
  gst_object_unref (bus);
  return count;
}

/* freq at or above Nyquist: clamped, one warning naming the band. */
static void
test_nyquist_clamp_warns_once (void)
{
  MmTestStream st = { GST_AUDIO_FORMAT_F32, 48000, 2, 480 };
  GstHarness *h = mmtest_harness_new ("mixeq num-bands=2 band1::freq=30000 "
                                      "band1::gain=6",
      &st);
  gdouble *x = g_new0 (gdouble, 2 * 4800), *y;
  GstClockTime pts = 0;
  gsize n;

  mmtest_noise (x, 4800, 2, 0, 0.5, 3);
  mmtest_noise (x, 4800, 2, 1, 0.5, 4);
  y = mmtest_harness_process (h, &st, x, 4800, &pts, &n);
  for (gsize i = 0; i < 2 * n; i++)
    g_assert_true (isfinite (y[i]));
  g_assert_cmpuint (count_warnings (h, "band1"), ==, 1);
  g_free (x);
  g_free (y);
  gst_harness_teardown (h);
}

/* mid/side bands on mono act on all channels and say so once. */
static void
test_mid_side_on_mono_warns_once (void)
{
  MmTestStream st = { GST_AUDIO_FORMAT_F32, 48000, 1, 480 };
  GstHarness *h = mmtest_harness_new ("mixeq num-bands=1 band0::gain=6 "
                                      "band0::channels=side",
      &st);
  gdouble *x = g_new0 (gdouble, 4800), *y;
  GstClockTime pts = 0;
  gsize n;

  mmtest_sine (x, 4800, 1, 0, 48000, 1000.0, 0.25, 0.0);
  y = mmtest_harness_process (h, &st, x, 4800, &pts, &n);
  g_assert_cmpuint (count_warnings (h, "needs stereo"), ==, 1);
  /* the bell acted: +6 dB at 1 kHz */
  g_assert_cmpfloat_with_epsilon (
      mmtest_db (
          mmtest_sine_amplitude (y + 2400, 2400, 1, 0, 48000, 1000.0) / 0.25),
      6.0, 0.1);
  g_free (x);
  g_free (y);
  gst_harness_teardown (h);
}

static void
test_nonfinite_input (void)
{
  for (guint f = 0; f < G_N_ELEMENTS (formats); f++) {
    MmTestStream st = { formats[f], 48000, 2, 256 };
    gsize n = 4800, out_n;
    gdouble *x = g_new0 (gdouble, 2 * n), *y;
    mmtest_noise (x, n, 2, 0, 0.5, 5);
    mmtest_noise (x, n, 2, 1, 0.5, 6);
    x[100] = NAN;
    x[101] = INFINITY;
    x[3000] = -INFINITY;
    y = mmtest_process ("mixeq num-bands=2 band0::gain=12 band0::q=8 "
                        "band1::type=low-pass band1::slope=48 band1::freq=2000",
        &st, x, n, &out_n);
    g_assert_cmpuint (out_n, ==, n);
    for (gsize i = 0; i < 2 * n; i++)
      g_assert_true (isfinite (y[i]));
    g_free (x);
    g_free (y);
  }
}

/* Children are reachable by name from C, as gst-launch and Python reach them. */
static void
test_child_proxy (void)
{
  GstElement *eq = gst_element_factory_make ("mixeq", NULL);
  gdouble gain;

  g_object_set (eq, "num-bands", 6, NULL);
  g_assert_cmpuint (
      gst_child_proxy_get_children_count (GST_CHILD_PROXY (eq)), ==, 6);
  gst_child_proxy_set (GST_CHILD_PROXY (eq), "band5::gain", -4.5, NULL);
  gst_child_proxy_get (GST_CHILD_PROXY (eq), "band5::gain", &gain, NULL);
  g_assert_cmpfloat (gain, ==, -4.5);
  g_object_set (eq, "num-bands", 2, NULL);
  g_assert_null (
      gst_child_proxy_get_child_by_name (GST_CHILD_PROXY (eq), "band5"));
  gst_object_unref (eq);
}

/* After a flush the filter history is gone: output equals a fresh element's. */
static void
test_flush_resets (void)
{
  MmTestStream st = { GST_AUDIO_FORMAT_F32, 48000, 2, 480 };
  gsize n = 4800;
  gdouble *a = g_new (gdouble, 2 * n), *b = g_new (gdouble, 2 * n);

  mmtest_noise (a, n, 2, 0, 0.5, 7);
  mmtest_noise (a, n, 2, 1, 0.5, 8);
  mmtest_noise (b, n, 2, 0, 0.5, 9);
  mmtest_noise (b, n, 2, 1, 0.5, 10);
  mmtest_check_flush_resets ("mixeq num-bands=2 band0::gain=9 band0::freq=300 "
                             "band1::type=high-pass band1::freq=80",
      &st, a, b, n);
  g_free (a);
  g_free (b);
}

/* GAP buffers pass as flagged silence and leave no filter tail behind. */
static void
test_gap_buffers (void)
{
  MmTestStream st = { GST_AUDIO_FORMAT_F32, 48000, 2, 480 };
  GstHarness *h = mmtest_harness_new ("mixeq num-bands=1 band0::gain=12 "
                                      "band0::q=10 band0::freq=200",
      &st);
  gdouble *x = g_new (gdouble, 2 * 4800), *y;
  GstClockTime pts = 0;
  GstBuffer *gap;
  GstMapInfo map;
  gsize n;

  mmtest_sine (x, 4800, 2, 0, 48000, 200.0, 0.5, 0.0);
  mmtest_sine (x, 4800, 2, 1, 48000, 200.0, 0.5, 0.0);
  y = mmtest_harness_process (h, &st, x, 4800, &pts, &n);
  gap = gst_buffer_new_allocate (NULL, 480 * 8, NULL);
  gst_buffer_memset (gap, 0, 0, 480 * 8);
  GST_BUFFER_PTS (gap) = pts;
  GST_BUFFER_DURATION (gap) = 10 * GST_MSECOND;
  GST_BUFFER_FLAG_SET (gap, GST_BUFFER_FLAG_GAP);
  gap = gst_harness_push_and_pull (h, gap);
  g_assert_true (GST_BUFFER_FLAG_IS_SET (gap, GST_BUFFER_FLAG_GAP));
  gst_buffer_map (gap, &map, GST_MAP_READ);
  for (gsize i = 0; i < 480 * 2; i++)
    g_assert_true (((gfloat *) map.data)[i] == 0.0f);
  gst_buffer_unmap (gap, &map);
  gst_buffer_unref (gap);
  g_free (x);
  g_free (y);
  gst_harness_teardown (h);
}

static void
tweak_bands (GstElement *element, GRand *rand)
{
  const gint slopes[] = { 6, 12, 18, 24, 36, 48 };
  guint n = g_rand_int_range (rand, 1, MM_EQ_MAX_BANDS + 1);
  g_object_set (element, "num-bands", n, "output-gain",
      g_rand_double_range (rand, -24.0, 24.0), NULL);
  for (guint i = 0; i < 4; i++) {
    gchar *name = g_strdup_printf ("band%u", g_rand_int_range (rand, 0, n));
    GObject *band =
        gst_child_proxy_get_child_by_name (GST_CHILD_PROXY (element), name);
    if (band) {
      g_object_set (band, "type", g_rand_int_range (rand, 0, 9), "freq",
          exp (g_rand_double_range (rand, log (1.0), log (192000.0))), "gain",
          g_rand_double_range (rand, -36.0, 36.0), "q",
          exp (g_rand_double_range (rand, log (0.1), log (40.0))), "slope",
          slopes[g_rand_int_range (rand, 0, 6)], "channels",
          g_rand_int_range (rand, 0, 5), "enabled", g_rand_boolean (rand),
          NULL);
      g_object_unref (band);
    }
    g_free (name);
  }
}

/* Every setting changes from another thread while audio flows: no crash, no
 * lost sample, finite output. */
static void
test_changes_from_another_thread (void)
{
  const gsize n = 96000;
  MmTestStream st = { GST_AUDIO_FORMAT_F32, 48000, 2, 113 };
  GstHarness *h = mmtest_harness_new ("mixeq", &st);
  gdouble *x = g_new (gdouble, 2 * n), *y;
  gsize out_n;

  mmtest_noise (x, n, 2, 0, 0.5, 11);
  mmtest_noise (x, n, 2, 1, 0.5, 12);
  y = mmtest_process_while_tweaking (
      h, "mixeq", &st, x, n, tweak_bands, &out_n);
  g_assert_cmpuint (out_n, ==, n);
  for (gsize i = 0; i < 2 * n; i++)
    g_assert_true (isfinite (y[i]));
  /* warnings about Nyquist clamps are expected here */
  g_free (x);
  g_free (y);
  gst_harness_teardown (h);
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/mixeq/bare-is-bit-exact", test_bare_is_bit_exact);
  g_test_add_func (
      "/mixeq/response-matches-prototype", test_response_matches_prototype);
  g_test_add_func ("/mixeq/pass-filters", test_pass_filters);
  g_test_add_func ("/mixeq/side-high-pass", test_side_high_pass);
  g_test_add_func ("/mixeq/controller-sweep", test_controller_sweep);
  g_test_add_func (
      "/mixeq/nyquist-clamp-warns-once", test_nyquist_clamp_warns_once);
  g_test_add_func (
      "/mixeq/mid-side-on-mono-warns-once", test_mid_side_on_mono_warns_once);
  g_test_add_func ("/mixeq/nonfinite-input", test_nonfinite_input);
  g_test_add_func ("/mixeq/child-proxy", test_child_proxy);
  g_test_add_func ("/mixeq/flush-resets", test_flush_resets);
  g_test_add_func ("/mixeq/gap-buffers", test_gap_buffers);
  g_test_add_func (
      "/mixeq/changes-from-another-thread", test_changes_from_another_thread);
  return g_test_run ();
}
