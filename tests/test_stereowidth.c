/* stereowidth element tests (GstHarness), with the tolerances of the issue.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <gst/gst.h>
#include <gst/check/gstharness.h>
#include <gst/controller/gstdirectcontrolbinding.h>
#include <gst/controller/gstinterpolationcontrolsource.h>
#include <math.h>
#include <string.h>

#include "mmtest.h"

static const GstAudioFormat formats[] = { GST_AUDIO_FORMAT_F32,
  GST_AUDIO_FORMAT_F64 };

static MmTestStream
stereo_stream (GstAudioFormat format, gint rate, guint buffer_frames)
{
  MmTestStream s = { format, rate, 2, buffer_frames };
  return s;
}

static gdouble *
stereo_noise (gsize n_frames, guint32 seed)
{
  gdouble *x = g_new (gdouble, 2 * n_frames);
  mmtest_noise (x, n_frames, 2, 0, 0.5, seed);
  mmtest_noise (x, n_frames, 2, 1, 0.5, seed + 1);
  return x;
}

/* Input converted to the stream's sample format, as the element sees it. */
static void
quantize (gdouble *x, gsize n_samples, GstAudioFormat format)
{
  if (format == GST_AUDIO_FORMAT_F32)
    for (gsize i = 0; i < n_samples; i++)
      x[i] = (gfloat) x[i];
}

static void
test_defaults_bit_exact (void)
{
  const guint sizes[] = { 1, 7, 1024, 4800 };
  const gsize n = 24000;

  for (guint f = 0; f < G_N_ELEMENTS (formats); f++) {
    for (guint b = 0; b < G_N_ELEMENTS (sizes); b++) {
      MmTestStream st = stereo_stream (formats[f], 48000, sizes[b]);
      gdouble *x = stereo_noise (n, 1);

      quantize (x, 2 * n, formats[f]);
      mmtest_assert_unchanged ("stereowidth", &st, x, n);
      g_free (x);
    }
  }
}

static void
test_width_zero_is_mono (void)
{
  const gsize n = 24000;
  for (guint f = 0; f < G_N_ELEMENTS (formats); f++) {
    MmTestStream st = stereo_stream (formats[f], 44100, 1000);
    gdouble *x = stereo_noise (n, 2);
    gsize out_n;
    gdouble *y = mmtest_process ("stereowidth width=0", &st, x, n, &out_n);

    g_assert_cmpuint (out_n, ==, n);
    for (gsize i = 0; i < n; i++)
      g_assert_true (y[2 * i] == y[2 * i + 1]);
    g_free (x);
    g_free (y);
  }
}

/* With bass mono off, L+R is unchanged by any width and side gain. */
static void
test_mid_invariant (void)
{
  const gchar *settings[] = { "width=0", "width=0.5", "width=1.5", "width=2",
    "width=4", "width=3 side-gain=12", "side-gain=-24" };
  const gsize n = 24000;

  for (guint f = 0; f < G_N_ELEMENTS (formats); f++) {
    for (guint k = 0; k < G_N_ELEMENTS (settings); k++) {
      MmTestStream st = stereo_stream (formats[f], 48000, 512);
      gdouble *x = stereo_noise (n, 3);
      gchar *desc = g_strdup_printf ("stereowidth %s", settings[k]);
      gsize out_n;
      gdouble *y;
      gdouble max_mid = 0.0, max_err = 0.0;

      quantize (x, 2 * n, formats[f]);
      y = mmtest_process (desc, &st, x, n, &out_n);
      g_assert_cmpuint (out_n, ==, n);
      for (gsize i = 0; i < n; i++) {
        gdouble mid_in = x[2 * i] + x[2 * i + 1];
        gdouble mid_out = y[2 * i] + y[2 * i + 1];
        max_mid = MAX (max_mid, fabs (mid_in));
        max_err = MAX (max_err, fabs (mid_out - mid_in));
      }
      if (max_err > 1e-6 * max_mid)
        g_error ("%s: mid changed by %g (relative %g)", desc, max_err,
            max_err / max_mid);
      g_free (desc);
      g_free (x);
      g_free (y);
    }
  }
}

/* Side sines: an output side amplitude relative to width * input side. */
static gdouble
side_gain_db (const gchar *desc, GstAudioFormat format, gint rate, gdouble freq,
    gdouble width)
{
  const gsize n = rate * 2;
  MmTestStream st = stereo_stream (format, rate, 1024);
  gdouble *x = g_new0 (gdouble, 2 * n);
  gdouble *side;
  gsize out_n;
  gdouble *y;
  gdouble amp;

  mmtest_sine (x, n, 2, 0, rate, freq, 0.25, 0.0);
  mmtest_sine (x, n, 2, 1, rate, freq, -0.25, 0.0);
  y = mmtest_process (desc, &st, x, n, &out_n);
  g_assert_cmpuint (out_n, ==, n);

  /* the last second, after the crossover has settled */
  side = g_new (gdouble, n / 2);
  for (gsize i = 0; i < n / 2; i++)
    side[i] = 0.5 * (y[2 * (i + n / 2)] - y[2 * (i + n / 2) + 1]);
  amp = mmtest_sine_amplitude (side, n / 2, 1, 0, rate, freq);
  g_free (side);
  g_free (x);
  g_free (y);
  return mmtest_db (amp / (0.25 * width));
}

static void
test_bass_mono (void)
{
  const gdouble low[] = { 20.0, 30.0, 45.0, 60.0 };
  const gdouble high[] = { 500.0, 1000.0, 5000.0, 15000.0 };

  for (guint f = 0; f < G_N_ELEMENTS (formats); f++) {
    for (guint i = 0; i < G_N_ELEMENTS (low); i++) {
      gdouble db = side_gain_db ("stereowidth bass-mono-freq=120 width=1.5",
          formats[f], 48000, low[i], 1.5);
      if (db > -24.0)
        g_error ("side at %g Hz only %.2f dB down (need >= 24)", low[i], -db);
    }
    for (guint i = 0; i < G_N_ELEMENTS (high); i++) {
      gdouble db = side_gain_db ("stereowidth bass-mono-freq=120 width=1.5",
          formats[f], 48000, high[i], 1.5);
      if (fabs (db) > 0.5)
        g_error ("side at %g Hz off by %.2f dB (need within 0.5)", high[i], db);
    }
  }
}

static void
test_odd_rates (void)
{
  const gint rates[] = { 8000, 11025, 22050, 96000, 192000, 384000 };
  for (guint r = 0; r < G_N_ELEMENTS (rates); r++) {
    gdouble low = side_gain_db ("stereowidth bass-mono-freq=120 width=2",
        GST_AUDIO_FORMAT_F32, rates[r], 50.0, 2.0);
    gdouble high = side_gain_db ("stereowidth bass-mono-freq=120 width=2",
        GST_AUDIO_FORMAT_F32, rates[r], MIN (1000.0, rates[r] * 0.2), 2.0);
    g_assert_cmpfloat (low, <, -24.0);
    g_assert_cmpfloat (fabs (high), <, 0.5);
  }
}

static gdouble
correlation_of (const gdouble *x, gsize n)
{
  MmTestStream st = stereo_stream (GST_AUDIO_FORMAT_F32, 48000, 480);
  GstHarness *h = mmtest_harness_new ("stereowidth post-messages=true "
                                      "interval=100000000",
      &st);
  GstClockTime pts = 0;
  gsize out_n;
  gdouble *y = mmtest_harness_process (h, &st, x, n, &pts, &out_n);
  GList *msgs = mmtest_harness_collect_messages (h, "stereowidth");
  gdouble corr, last = 0.0;
  guint count = 0;

  for (GList *l = msgs; l; l = l->next) {
    GstStructure *s = l->data;
    GstClockTime ts, duration;
    g_assert_true (gst_structure_get_double (s, "correlation", &corr));
    g_assert_true (gst_structure_get_uint64 (s, "timestamp", &ts));
    g_assert_true (gst_structure_get_uint64 (s, "duration", &duration));
    g_assert_true (gst_structure_has_field (s, "stream-time"));
    g_assert_true (gst_structure_has_field (s, "running-time"));
    g_assert_true (gst_structure_has_field (s, "side-to-mid"));
    g_assert_cmpuint (ts, ==, count * 100 * GST_MSECOND);
    g_assert_cmpuint (duration, ==, 100 * GST_MSECOND);
    last = corr;
    count++;
  }
  /* one message per 100 ms */
  g_assert_cmpuint (count, ==, n / 4800);
  g_list_free_full (msgs, (GDestroyNotify) gst_structure_free);
  g_free (y);
  gst_harness_teardown (h);
  return last;
}

static void
test_correlation_meter (void)
{
  const gsize n = 48000;
  gdouble *x = stereo_noise (n, 5);

  g_assert_cmpfloat (fabs (correlation_of (x, n)), <, 0.05);
  for (gsize i = 0; i < n; i++)
    x[2 * i + 1] = x[2 * i];
  g_assert_cmpfloat_with_epsilon (correlation_of (x, n), 1.0, 1e-6);
  for (gsize i = 0; i < n; i++)
    x[2 * i + 1] = -x[2 * i];
  g_assert_cmpfloat_with_epsilon (correlation_of (x, n), -1.0, 1e-6);
  g_free (x);
}

static void
test_mono_caps_refused (void)
{
  const gint bad_channels[] = { 1, 6 };

  for (guint i = 0; i < G_N_ELEMENTS (bad_channels); i++) {
    GstHarness *h = gst_harness_new ("stereowidth");
    GstBus *bus = gst_bus_new ();
    GstAudioInfo info;
    GstCaps *caps;
    GstMessage *msg;
    GError *err = NULL;
    gchar *debug = NULL;
    GstSegment segment;

    gst_element_set_bus (h->element, bus);
    gst_audio_info_set_format (
        &info, GST_AUDIO_FORMAT_F32, 48000, bad_channels[i], NULL);
    caps = gst_audio_info_to_caps (&info);
    gst_pad_push_event (h->srcpad, gst_event_new_stream_start ("test"));
    /* a refused sticky event still counts as stored: the error and the next
     * buffer tell */
    gst_pad_push_event (h->srcpad, gst_event_new_caps (caps));
    gst_caps_unref (caps);
    gst_segment_init (&segment, GST_FORMAT_TIME);
    gst_pad_push_event (h->srcpad, gst_event_new_segment (&segment));
    g_assert_cmpint (
        gst_harness_push (
            h, gst_buffer_new_allocate (NULL, 4 * bad_channels[i], NULL)),
        ==, GST_FLOW_NOT_NEGOTIATED);

    msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
    g_assert_nonnull (msg);
    gst_message_parse_error (msg, &err, &debug);
    g_assert_true (
        g_error_matches (err, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION));
    g_assert_nonnull (strstr (err->message, "2 channels"));
    g_assert_nonnull (strstr (debug, "audioconvert"));
    g_clear_error (&err);
    g_free (debug);
    gst_message_unref (msg);
    gst_object_unref (bus);
    gst_harness_teardown (h);
  }
}

/* NaN and Inf come out as silence and never reach the filter state. */
static void
test_nonfinite_input (void)
{
  const gchar *descs[] = { "stereowidth",
    "stereowidth width=1.7 bass-mono-freq=150" };
  const gsize n = 9600;

  for (guint f = 0; f < G_N_ELEMENTS (formats); f++) {
    for (guint d = 0; d < G_N_ELEMENTS (descs); d++) {
      MmTestStream st = stereo_stream (formats[f], 48000, 256);
      gdouble *x = stereo_noise (n, 9);
      gdouble *clean;
      gsize out_n, clean_n;
      gdouble *y, *want;

      quantize (x, 2 * n, formats[f]);
      clean = g_memdup2 (x, 2 * n * sizeof (gdouble));
      x[100] = NAN;
      x[2001] = INFINITY;
      x[5000] = -INFINITY;
      x[5001] = NAN;
      clean[100] = clean[2001] = clean[5000] = clean[5001] = 0.0;
      y = mmtest_process (descs[d], &st, x, n, &out_n);
      want = mmtest_process (descs[d], &st, clean, n, &clean_n);
      g_assert_cmpuint (out_n, ==, n);
      g_assert_cmpmem (
          y, 2 * n * sizeof (gdouble), want, 2 * n * sizeof (gdouble));
      g_free (x);
      g_free (clean);
      g_free (y);
      g_free (want);
    }
  }
}

/* Output does not depend on how the stream is cut into buffers. */
static void
test_buffer_size_independent (void)
{
  const guint sizes[] = { 1, 13, 480, 4096 };
  const gsize n = 20000;
  gdouble *x = stereo_noise (n, 21);
  gdouble *first = NULL;

  for (guint b = 0; b < G_N_ELEMENTS (sizes); b++) {
    MmTestStream st = stereo_stream (GST_AUDIO_FORMAT_F32, 48000, sizes[b]);
    gsize out_n;
    gdouble *y = mmtest_process ("stereowidth width=1.3 mid-gain=-2 "
                                 "bass-mono-freq=100",
        &st, x, n, &out_n);
    g_assert_cmpuint (out_n, ==, n);
    if (!first)
      first = y;
    else {
      g_assert_cmpmem (
          first, 2 * n * sizeof (gdouble), y, 2 * n * sizeof (gdouble));
      g_free (y);
    }
  }
  g_free (first);
  g_free (x);
}

/* A value set before the first buffer applies from the first sample; one set
 * while playing glides, without a click. */
static void
test_settings_apply_then_glide (void)
{
  const gsize n = 9600;
  MmTestStream st = stereo_stream (GST_AUDIO_FORMAT_F32, 48000, 480);
  GstHarness *h = mmtest_harness_new ("stereowidth width=2", &st);
  GstElement *sw = gst_harness_find_element (h, "stereowidth");
  gdouble *x = g_new0 (gdouble, 2 * n);
  GstClockTime pts = 0;
  gsize n1, n2;
  gdouble *y1, *y2;

  mmtest_sine (x, n, 2, 0, 48000, 100.0, 0.25, 0.0);
  mmtest_sine (x, n, 2, 1, 48000, 100.0, -0.25, 0.0);
  y1 = mmtest_harness_process (h, &st, x, n, &pts, &n1);
  /* width 2 from sample 0: side doubled */
  for (gsize i = 0; i < n1; i++)
    g_assert_cmpfloat_with_epsilon (y1[2 * i], 2.0 * x[2 * i], 1e-6);

  g_object_set (sw, "width", 0.0, NULL);
  y2 = mmtest_harness_process (h, &st, x, n, &pts, &n2);
  /* glides down within ~20 ms: no jump beyond the tone's own slope */
  g_assert_cmpfloat (mmtest_max_step (y2, n2, 2, 0), <, 0.02);
  g_assert_cmpfloat (fabs (y2[2 * 400]), >, 0.1);
  for (gsize i = 2400; i < n2; i++)
    g_assert_cmpfloat (fabs (y2[2 * i]), <, 1e-6);

  g_free (x);
  g_free (y1);
  g_free (y2);
  gst_object_unref (sw);
  gst_harness_teardown (h);
}

/* The controller is followed within the buffer, at least every 10 ms. */
static void
test_controller (void)
{
  const gsize n = 48000;
  MmTestStream st = stereo_stream (GST_AUDIO_FORMAT_F64, 48000, 48000);
  GstHarness *h = mmtest_harness_new ("stereowidth", &st);
  GstElement *sw = gst_harness_find_element (h, "stereowidth");
  GstControlSource *cs = gst_interpolation_control_source_new ();
  GstTimedValueControlSource *tvcs = GST_TIMED_VALUE_CONTROL_SOURCE (cs);
  gdouble *x = g_new0 (gdouble, 2 * n);
  GstClockTime pts = 0;
  gsize out_n;
  gdouble *y;

  g_object_set (cs, "mode", GST_INTERPOLATION_MODE_LINEAR, NULL);
  /* width is 0..4, so the control value 0.25 is width 1 and 0.5 is width 2 */
  gst_timed_value_control_source_set (tvcs, 0, 0.25);
  gst_timed_value_control_source_set (tvcs, GST_SECOND, 0.5);
  gst_object_add_control_binding (GST_OBJECT (sw),
      gst_direct_control_binding_new (GST_OBJECT (sw), "width", cs));

  for (gsize i = 0; i < n; i++) {
    x[2 * i] = 0.25;
    x[2 * i + 1] = -0.25;
  }
  y = mmtest_harness_process (h, &st, x, n, &pts, &out_n);
  /* side = 0.25 * width(t): within one 10 ms step and the glide behind it */
  for (gsize t = 4800; t < n; t += 4800) {
    gdouble width = 1.0 + (gdouble) t / n;
    gdouble side = 0.5 * (y[2 * t] - y[2 * t + 1]);
    g_assert_cmpfloat_with_epsilon (side / 0.25, width, 0.04);
  }

  g_free (x);
  g_free (y);
  gst_object_unref (cs);
  gst_object_unref (sw);
  gst_harness_teardown (h);
}

/* After a flush the filter history is gone: output equals a fresh element's. */
static void
test_flush_resets (void)
{
  const gsize n = 4800;
  MmTestStream st = stereo_stream (GST_AUDIO_FORMAT_F32, 48000, 480);
  gdouble *a = stereo_noise (n, 31), *b = stereo_noise (n, 41);

  mmtest_check_flush_resets (
      "stereowidth width=1.5 bass-mono-freq=200", &st, a, b, n);
  g_free (a);
  g_free (b);
}

/* GAP buffers pass as silence, flagged GAP, with the meter still counting. */
static void
test_gap_buffers (void)
{
  MmTestStream st = stereo_stream (GST_AUDIO_FORMAT_F32, 48000, 4800);
  GstHarness *h = mmtest_harness_new ("stereowidth width=2 "
                                      "bass-mono-freq=100 post-messages=true",
      &st);
  GstBuffer *buf = gst_buffer_new_allocate (NULL, 4800 * 8, NULL);
  GstMapInfo map;
  GList *msgs;

  gst_buffer_memset (buf, 0, 0, 4800 * 8);
  GST_BUFFER_PTS (buf) = 0;
  GST_BUFFER_DURATION (buf) = 100 * GST_MSECOND;
  GST_BUFFER_FLAG_SET (buf, GST_BUFFER_FLAG_GAP);
  buf = gst_harness_push_and_pull (h, buf);
  g_assert_true (GST_BUFFER_FLAG_IS_SET (buf, GST_BUFFER_FLAG_GAP));
  gst_buffer_map (buf, &map, GST_MAP_READ);
  for (gsize i = 0; i < 4800 * 2; i++)
    g_assert_true (((gfloat *) map.data)[i] == 0.0f);
  gst_buffer_unmap (buf, &map);
  gst_buffer_unref (buf);

  msgs = mmtest_harness_collect_messages (h, "stereowidth");
  g_assert_cmpuint (g_list_length (msgs), ==, 1);
  g_list_free_full (msgs, (GDestroyNotify) gst_structure_free);
  gst_harness_teardown (h);
}

static void
tweak_properties (GstElement *element, GRand *rand)
{
  gdouble freq =
      g_rand_boolean (rand) ? 0.0 : g_rand_double_range (rand, 20.0, 500.0);
  g_object_set (element, "width", g_rand_double_range (rand, 0.0, 4.0),
      "bass-mono-freq", freq, "mid-gain",
      g_rand_double_range (rand, -24.0, 12.0), "side-gain",
      g_rand_double_range (rand, -24.0, 12.0), "post-messages",
      g_rand_boolean (rand), "interval",
      (guint64) g_rand_int_range (rand, 1, 50) * GST_MSECOND, NULL);
}

/* Every property changes from another thread while audio flows: no crash, no
 * lost sample, nothing but finite output within the reachable gain. */
static void
test_changes_from_another_thread (void)
{
  const gsize n = 96000;
  MmTestStream st = stereo_stream (GST_AUDIO_FORMAT_F32, 48000, 97);
  GstHarness *h = mmtest_harness_new ("stereowidth", &st);
  gdouble *x = stereo_noise (n, 51);
  gsize out_n;
  gdouble *y = mmtest_process_while_tweaking (
      h, "stereowidth", &st, x, n, tweak_properties, &out_n);
  GList *msgs;

  g_assert_cmpuint (out_n, ==, n);
  /* gm * |M| + gs * |S| <= (4 + 16) * 0.5 at 12 dB gains and width 4; the
   * crossover's all-pass and high-pass ring somewhat above their input's peak,
   * so allow twice that: a runaway filter would go far beyond */
  for (gsize i = 0; i < 2 * n; i++)
    if (!isfinite (y[i]) || fabs (y[i]) >= 20.0)
      g_error ("sample %" G_GSIZE_FORMAT ": %g", i, y[i]);
  msgs = mmtest_harness_collect_messages (h, "stereowidth");
  g_list_free_full (msgs, (GDestroyNotify) gst_structure_free);

  g_free (x);
  g_free (y);
  gst_harness_teardown (h);
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/stereowidth/defaults-bit-exact", test_defaults_bit_exact);
  g_test_add_func ("/stereowidth/width-zero-is-mono", test_width_zero_is_mono);
  g_test_add_func ("/stereowidth/mid-invariant", test_mid_invariant);
  g_test_add_func ("/stereowidth/bass-mono", test_bass_mono);
  g_test_add_func ("/stereowidth/odd-rates", test_odd_rates);
  g_test_add_func ("/stereowidth/correlation-meter", test_correlation_meter);
  g_test_add_func ("/stereowidth/mono-caps-refused", test_mono_caps_refused);
  g_test_add_func ("/stereowidth/nonfinite-input", test_nonfinite_input);
  g_test_add_func (
      "/stereowidth/buffer-size-independent", test_buffer_size_independent);
  g_test_add_func (
      "/stereowidth/settings-apply-then-glide", test_settings_apply_then_glide);
  g_test_add_func ("/stereowidth/controller", test_controller);
  g_test_add_func ("/stereowidth/flush-resets", test_flush_resets);
  g_test_add_func ("/stereowidth/gap-buffers", test_gap_buffers);
  g_test_add_func ("/stereowidth/changes-from-another-thread",
      test_changes_from_another_thread);

  return g_test_run ();
}
