/* mixcomp element tests (GstHarness).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <gst/gst.h>
#include <gst/check/gstharness.h>
#include <math.h>
#include <string.h>

#include "dynamics.h"
#include "mmtest.h"

static const GstAudioFormat formats[] = { GST_AUDIO_FORMAT_F32,
  GST_AUDIO_FORMAT_F64 };

static gdouble *
noise (gsize n, guint channels, guint32 seed, gdouble amplitude)
{
  gdouble *x = g_new (gdouble, n * channels);
  for (guint c = 0; c < channels; c++)
    mmtest_noise (x, n, channels, c, amplitude, seed + c);
  return x;
}

static void
quantize (gdouble *x, gsize n, GstAudioFormat format)
{
  if (format == GST_AUDIO_FORMAT_F32)
    for (gsize i = 0; i < n; i++)
      x[i] = (gfloat) x[i];
}

/* ratio 1: the output is the input, sample for sample, at the input's times,
 * whatever the lookahead and buffer size; the lookahead is the latency. */
static void
test_unity_bit_exact_with_lookahead (void)
{
  const guint sizes[] = { 1, 7, 1000 };
  const gdouble lookaheads[] = { 0.0, 5.0, 20.0 };
  for (guint f = 0; f < G_N_ELEMENTS (formats); f++)
    for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
      for (guint l = 0; l < G_N_ELEMENTS (lookaheads); l++) {
        MmTestStream st = { formats[f], 48000, 2, sizes[s] };
        gsize n = 4000;
        gdouble *x = noise (n, 2, 1, 0.9);
        gchar *desc =
            g_strdup_printf ("mixcomp ratio=1 lookahead=%g", lookaheads[l]);
        quantize (x, 2 * n, formats[f]);
        mmtest_assert_unchanged (desc, &st, x, n);
        g_free (desc);
        g_free (x);
      }
}

/* Output timestamps run on from the first input's without a gap, the sample
 * count is kept, and the LATENCY query carries the lookahead. */
static void
test_latency_and_timestamps (void)
{
  MmTestStream st = { GST_AUDIO_FORMAT_F32, 48000, 2, 480 };
  GstHarness *h = mmtest_harness_new ("mixcomp lookahead=10", &st);
  GstClockTime expected = 0;
  guint64 frames = 0;

  for (guint i = 0; i < 20; i++) {
    GstBuffer *buf = gst_buffer_new_allocate (NULL, 300 * 8, NULL);
    gst_buffer_memset (buf, 0, 0, 300 * 8);
    GST_BUFFER_PTS (buf) =
        gst_util_uint64_scale_int (i * 300, GST_SECOND, 48000);
    GST_BUFFER_DURATION (buf) =
        gst_util_uint64_scale_int (300, GST_SECOND, 48000);
    g_assert_cmpint (gst_harness_push (h, buf), ==, GST_FLOW_OK);
    mmtest_pull_contiguous (h, &st, &expected, &frames);
  }
  g_assert_cmpuint (gst_harness_query_latency (h), ==, 10 * GST_MSECOND);
  g_assert_true (gst_harness_push_event (h, gst_event_new_eos ()));
  mmtest_pull_contiguous (h, &st, &expected, &frames);
  g_assert_cmpuint (frames, ==, 20 * 300);
  g_assert_cmpuint (
      expected, ==, gst_util_uint64_scale_int (6000, GST_SECOND, 48000));
  gst_harness_teardown (h);
}

/* A discontinuity drains the old timeline's delayed frames first: no frame is
 * lost or added, and each part keeps its own times. */
static void
test_discont_keeps_every_frame (void)
{
  MmTestStream st = { GST_AUDIO_FORMAT_F32, 48000, 2, 480 };
  GstHarness *h = mmtest_harness_new ("mixcomp lookahead=10", &st);
  GstClockTime expected = 0;
  guint64 frames = 0;

  for (guint i = 0; i < 10; i++) {
    GstBuffer *buf = gst_buffer_new_allocate (NULL, 480 * 8, NULL);
    gst_buffer_memset (buf, 0, 0, 480 * 8);
    /* the second half jumps one second ahead */
    GST_BUFFER_PTS (buf) = (i >= 5 ? GST_SECOND : 0) +
        gst_util_uint64_scale_int (i * 480, GST_SECOND, 48000);
    GST_BUFFER_DURATION (buf) = 10 * GST_MSECOND;
    if (i == 5) {
      GST_BUFFER_FLAG_SET (buf, GST_BUFFER_FLAG_DISCONT);
      mmtest_pull_contiguous (h, &st, &expected, &frames);
      g_assert_cmpuint (frames, ==, 5 * 480 - 480);
    }
    g_assert_cmpint (gst_harness_push (h, buf), ==, GST_FLOW_OK);
    if (i == 5) {
      /* the drained tail arrived, on the old timeline */
      mmtest_pull_contiguous (h, &st, &expected, &frames);
      g_assert_cmpuint (frames, ==, 5 * 480);
      expected = GST_SECOND + 50 * GST_MSECOND;
    }
  }
  g_assert_true (gst_harness_push_event (h, gst_event_new_eos ()));
  mmtest_pull_contiguous (h, &st, &expected, &frames);
  g_assert_cmpuint (frames, ==, 10 * 480);
  gst_harness_teardown (h);
}

/* Lookahead lets the gain move before a transient: the first loud sample is
 * already reduced. */
static void
test_lookahead_catches_the_transient (void)
{
  MmTestStream st = { GST_AUDIO_FORMAT_F64, 48000, 1, 512 };
  const gsize n = 9600, onset = 4800;
  gdouble *x = g_new0 (gdouble, n), *plain, *ahead;
  gsize out_n;

  for (gsize i = onset; i < n; i++)
    x[i] = 0.9;
  plain = mmtest_process ("mixcomp threshold=-30 ratio=10 knee=0 attack=1 "
                          "detector=peak",
      &st, x, n, &out_n);
  ahead = mmtest_process ("mixcomp threshold=-30 ratio=10 knee=0 attack=1 "
                          "detector=peak lookahead=5",
      &st, x, n, &out_n);
  g_assert_cmpuint (out_n, ==, n);
  /* without lookahead the onset passes at full level, with 5 ms (five
   * attack time constants) it is down by nearly the full 26 dB */
  g_assert_cmpfloat (plain[onset], >, 0.8);
  g_assert_cmpfloat (20.0 * log10 (ahead[onset] / 0.9), <, -20.0);
  g_free (x);
  g_free (plain);
  g_free (ahead);
}

static void
test_static_curve (void)
{
  const gdouble levels[] = { -40.0, -20.0, -10.0, -3.0 };
  MmGainCurve curve = { -24.0f, 3.0f, 6.0f };
  for (guint i = 0; i < G_N_ELEMENTS (levels); i++) {
    MmTestStream st = { GST_AUDIO_FORMAT_F32, 48000, 2, 1024 };
    gsize n = 48000, out_n;
    gdouble *x = g_new (gdouble, 2 * n), *y;
    gdouble amp = pow (10.0, levels[i] / 20.0);
    mmtest_sine (x, n, 2, 0, 48000, 997.0, amp, 0.0);
    mmtest_sine (x, n, 2, 1, 48000, 997.0, amp, 0.0);
    y = mmtest_process ("mixcomp threshold=-24 ratio=3 knee=6 attack=1 "
                        "release=1000 detector=peak",
        &st, x, n, &out_n);
    gdouble got = mmtest_db (
        mmtest_sine_amplitude (y + n, n / 2, 2, 0, 48000, 997.0) / amp);
    g_assert_cmpfloat_with_epsilon (
        got, mm_gain_curve_db (&curve, (float) levels[i]), 0.1);
    g_free (x);
    g_free (y);
  }
}

static void
test_stereo_link (void)
{
  MmTestStream st = { GST_AUDIO_FORMAT_F64, 48000, 2, 1000 };
  gsize n = 24000, out_n;
  gdouble *x = g_new (gdouble, 2 * n), *linked, *free_;
  for (gsize i = 0; i < n; i++) {
    x[2 * i] = 0.5 * ((i / 24) % 2 ? 1 : -1);
    x[2 * i + 1] = 0.001 * ((i / 24) % 2 ? 1 : -1);
  }
  linked = mmtest_process ("mixcomp threshold=-30 knee=0 detector=peak "
                           "stereo-link=1",
      &st, x, n, &out_n);
  free_ = mmtest_process ("mixcomp threshold=-30 knee=0 detector=peak "
                          "stereo-link=0",
      &st, x, n, &out_n);
  gsize i = n - 1;
  g_assert_cmpfloat_with_epsilon (
      linked[2 * i] / x[2 * i], linked[2 * i + 1] / x[2 * i + 1], 1e-6);
  g_assert_cmpfloat (linked[2 * i] / x[2 * i], <, 0.2);
  for (gsize k = 0; k < n; k++)
    g_assert_true (free_[2 * k + 1] == x[2 * k + 1]);
  g_free (x);
  g_free (linked);
  g_free (free_);
}

static void
test_parallel_mix (void)
{
  MmTestStream st = { GST_AUDIO_FORMAT_F64, 48000, 2, 777 };
  gsize n = 9600, out_n;
  gdouble *x = noise (n, 2, 3, 0.9), *wet, *half;
  wet = mmtest_process (
      "mixcomp threshold=-30 ratio=8 lookahead=2", &st, x, n, &out_n);
  half = mmtest_process (
      "mixcomp threshold=-30 ratio=8 lookahead=2 mix=0.5", &st, x, n, &out_n);
  for (gsize i = 0; i < 2 * n; i++)
    g_assert_cmpfloat_with_epsilon (half[i], 0.5 * (x[i] + wet[i]), 1e-6);
  g_free (x);
  g_free (wet);
  g_free (half);
}

static void
test_meter_messages (void)
{
  MmTestStream st = { GST_AUDIO_FORMAT_F32, 48000, 2, 333 };
  GstHarness *h = mmtest_harness_new ("mixcomp threshold=-20 ratio=4 knee=0 "
                                      "post-messages=true interval=50000000",
      &st);
  gdouble *x = noise (48000, 2, 4, 0.9), *y;
  GstClockTime pts = 0;
  gsize n;
  GList *msgs;
  guint count = 0;

  y = mmtest_harness_process (h, &st, x, 48000, &pts, &n);
  msgs = mmtest_harness_collect_messages (h, "mixcomp");
  for (GList *l = msgs; l; l = l->next) {
    gdouble gr;
    GstClockTime ts, duration;
    g_assert_true (gst_structure_get_double (l->data, "gain-reduction", &gr));
    g_assert_true (gst_structure_get_uint64 (l->data, "timestamp", &ts));
    g_assert_true (gst_structure_get_uint64 (l->data, "duration", &duration));
    g_assert_cmpuint (duration, ==, 50 * GST_MSECOND);
    g_assert_cmpuint (ts, ==, count * 50 * GST_MSECOND);
    g_assert_cmpfloat (gr, >=, 0.0);
    if (count > 2)
      g_assert_cmpfloat (gr, >, 3.0);
    count++;
  }
  g_assert_cmpuint (count, ==, 20);
  g_list_free_full (msgs, (GDestroyNotify) gst_structure_free);
  g_free (x);
  g_free (y);
  gst_harness_teardown (h);
}

static void
test_nonfinite_input (void)
{
  MmTestStream st = { GST_AUDIO_FORMAT_F32, 48000, 2, 256 };
  gsize n = 4800, out_n;
  gdouble *x = noise (n, 2, 5, 0.9), *y;
  x[10] = NAN;
  x[11] = INFINITY;
  x[3001] = -INFINITY;
  y = mmtest_process (
      "mixcomp lookahead=3 sidechain-hpf=100 detector=rms", &st, x, n, &out_n);
  g_assert_cmpuint (out_n, ==, n);
  for (gsize i = 0; i < 2 * n; i++)
    g_assert_true (isfinite (y[i]));
  g_free (x);
  g_free (y);
}

static void
test_flush_resets (void)
{
  MmTestStream st = { GST_AUDIO_FORMAT_F32, 48000, 2, 480 };
  gdouble *a = noise (4800, 2, 6, 0.9), *b = noise (4800, 2, 8, 0.9);
  mmtest_check_flush_resets (
      "mixcomp threshold=-30 lookahead=4", &st, a, b, 4800);
  g_free (a);
  g_free (b);
}

static void
tweak (GstElement *element, GRand *rand)
{
  gdouble hpf =
      g_rand_boolean (rand) ? 0.0 : g_rand_double_range (rand, 20.0, 500.0);
  g_object_set (element, "threshold", g_rand_double_range (rand, -60.0, 0.0),
      "ratio", g_rand_double_range (rand, 1.0, 100.0), "knee",
      g_rand_double_range (rand, 0.0, 24.0), "attack",
      g_rand_double_range (rand, 0.01, 500.0), "release",
      g_rand_double_range (rand, 1.0, 5000.0), "makeup",
      g_rand_double_range (rand, -24.0, 24.0), "auto-makeup",
      g_rand_boolean (rand), "rms-window",
      g_rand_double_range (rand, 1.0, 100.0), "stereo-link",
      g_rand_double (rand), "mix", g_rand_double (rand), "sidechain-hpf", hpf,
      "post-messages", g_rand_boolean (rand), NULL);
}

static void
test_changes_from_another_thread (void)
{
  MmTestStream st = { GST_AUDIO_FORMAT_F32, 48000, 2, 113 };
  GstHarness *h = mmtest_harness_new ("mixcomp lookahead=7", &st);
  gdouble *x = noise (96000, 2, 10, 0.9), *y;
  gsize n;

  y = mmtest_process_while_tweaking (h, "mixcomp", &st, x, 96000, tweak, &n);
  for (gsize i = 0; i < 2 * n; i++)
    g_assert_true (isfinite (y[i]));
  g_free (x);
  g_free (y);
  gst_harness_teardown (h);
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/mixcomp/unity-bit-exact-with-lookahead",
      test_unity_bit_exact_with_lookahead);
  g_test_add_func (
      "/mixcomp/latency-and-timestamps", test_latency_and_timestamps);
  g_test_add_func (
      "/mixcomp/discont-keeps-every-frame", test_discont_keeps_every_frame);
  g_test_add_func ("/mixcomp/lookahead-catches-the-transient",
      test_lookahead_catches_the_transient);
  g_test_add_func ("/mixcomp/static-curve", test_static_curve);
  g_test_add_func ("/mixcomp/stereo-link", test_stereo_link);
  g_test_add_func ("/mixcomp/parallel-mix", test_parallel_mix);
  g_test_add_func ("/mixcomp/meter-messages", test_meter_messages);
  g_test_add_func ("/mixcomp/nonfinite-input", test_nonfinite_input);
  g_test_add_func ("/mixcomp/flush-resets", test_flush_resets);
  g_test_add_func (
      "/mixcomp/changes-from-another-thread", test_changes_from_another_thread);
  return g_test_run ();
}
