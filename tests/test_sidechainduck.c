/* sidechainduck: ducking depth and recovery against the tolerances,
 * sample count and timestamps whatever the key does, bit-exact pass-through
 * without a key, lookahead timing, buffer-size independence, and the error
 * for a key at another rate. Real pipelines with appsrc and appsink.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <gst/app/app.h>
#include <gst/audio/audio.h>
#include <gst/gst.h>
#include <math.h>
#include <string.h>

#include "mmtest.h"

#define RATE 48000

typedef enum
{
  KEY_NONE, /* the pad never requested */
  KEY_UNLINKED, /* requested, nothing linked */
  KEY_LINKED,
} KeyMode;

typedef struct
{
  const gfloat *main; /* stereo interleaved */
  gsize main_frames;
  const gfloat *key; /* key_channels interleaved */
  gsize key_frames;
  gint key_channels;
  gint key_rate;
  KeyMode key_mode;
  const gchar *props; /* on the element, gst-launch style */
  guint32 seed; /* 0: 4800-frame buffers; else random sizes 1..4800 */
} Run;

typedef struct
{
  gfloat *out;
  gsize frames;
  gboolean contiguous;
  GstClockTime first_pts;
  gdouble max_meter_reduction;
  gchar *error;
} Result;

static void
push_all (GstElement *src, const gfloat *data, gsize frames, gint channels,
    gint rate, guint32 seed)
{
  GRand *rand = seed ? g_rand_new_with_seed (seed) : NULL;
  gsize done = 0;

  while (done < frames) {
    gsize n = rand ? (gsize) g_rand_int_range (rand, 1, 4801) : 4800;
    GstBuffer *buf;
    n = MIN (n, frames - done);
    buf = gst_buffer_new_memdup (
        data + done * (gsize) channels, n * (gsize) channels * sizeof (gfloat));
    GST_BUFFER_PTS (buf) = gst_util_uint64_scale_int (done, GST_SECOND, rate);
    GST_BUFFER_DURATION (buf) =
        gst_util_uint64_scale_int (done + n, GST_SECOND, rate) -
        GST_BUFFER_PTS (buf);
    gst_app_src_push_buffer (GST_APP_SRC (src), buf);
    done += n;
  }
  gst_app_src_end_of_stream (GST_APP_SRC (src));
  if (rand)
    g_rand_free (rand);
}

static GstElement *
app_source (GstElement *pipeline, gint channels, gint rate)
{
  GstElement *src = gst_element_factory_make ("appsrc", NULL);
  GstCaps *caps = gst_caps_new_simple ("audio/x-raw", "format", G_TYPE_STRING,
      "F32LE", "rate", G_TYPE_INT, rate, "channels", G_TYPE_INT, channels,
      "layout", G_TYPE_STRING, "interleaved", NULL);
  g_object_set (src, "caps", caps, "format", GST_FORMAT_TIME, "max-bytes",
      (guint64) 0, NULL);
  gst_caps_unref (caps);
  gst_bin_add (GST_BIN (pipeline), src);
  return src;
}

static Result
run (const Run *r)
{
  GstElement *pipeline = gst_pipeline_new (NULL);
  gchar *desc = g_strdup_printf ("sidechainduck name=duck post-messages=true "
                                 "interval=100000000 %s",
      r->props ? r->props : "");
  GError *error = NULL;
  GstElement *duck = gst_parse_launch (desc, &error);
  GstElement *main_src, *key_src = NULL, *sink;
  GstBus *bus;
  Result res = { 0 };
  GByteArray *out = g_byte_array_new ();
  GstClockTime expected = GST_CLOCK_TIME_NONE;
  gboolean done = FALSE;

  g_assert_no_error (error);
  g_free (desc);
  res.contiguous = TRUE;
  res.first_pts = GST_CLOCK_TIME_NONE;
  sink = gst_element_factory_make ("appsink", NULL);
  g_object_set (sink, "sync", FALSE, NULL);
  gst_bin_add_many (GST_BIN (pipeline), duck, sink, NULL);
  g_assert_true (gst_element_link (duck, sink));
  main_src = app_source (pipeline, 2, RATE);
  g_assert_true (gst_element_link_pads (main_src, "src", duck, "sink"));
  if (r->key_mode != KEY_NONE) {
    GstPad *pad = gst_element_request_pad_simple (duck, "sidechain");
    g_assert_nonnull (pad);
    if (r->key_mode == KEY_LINKED) {
      GstPad *src_pad;
      key_src = app_source (
          pipeline, r->key_channels, r->key_rate ? r->key_rate : RATE);
      src_pad = gst_element_get_static_pad (key_src, "src");
      g_assert_cmpint (gst_pad_link (src_pad, pad), ==, GST_PAD_LINK_OK);
      gst_object_unref (src_pad);
    }
    gst_object_unref (pad);
  }
  push_all (main_src, r->main, r->main_frames, 2, RATE, r->seed);
  if (key_src)
    push_all (key_src, r->key, r->key_frames, r->key_channels,
        r->key_rate ? r->key_rate : RATE, r->seed ? r->seed + 1 : 0);

  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  bus = gst_element_get_bus (pipeline);
  while (!done) {
    GstSample *sample =
        gst_app_sink_try_pull_sample (GST_APP_SINK (sink), 10 * GST_MSECOND);
    GstMessage *msg;
    if (sample) {
      GstBuffer *buf = gst_sample_get_buffer (sample);
      GstMapInfo map;
      if (!GST_CLOCK_TIME_IS_VALID (res.first_pts))
        res.first_pts = GST_BUFFER_PTS (buf);
      if (GST_CLOCK_TIME_IS_VALID (expected) &&
          (GST_BUFFER_PTS (buf) > expected + 1 ||
              GST_BUFFER_PTS (buf) + 1 < expected))
        res.contiguous = FALSE;
      expected = GST_BUFFER_PTS (buf) + GST_BUFFER_DURATION (buf);
      gst_buffer_map (buf, &map, GST_MAP_READ);
      g_byte_array_append (out, map.data, (guint) map.size);
      gst_buffer_unmap (buf, &map);
      gst_sample_unref (sample);
      continue;
    }
    while ((msg = gst_bus_pop (bus))) {
      if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR) {
        GError *err;
        gst_message_parse_error (msg, &err, NULL);
        /* the first one says why; the rest follow from it */
        if (res.error == NULL)
          res.error = g_strdup (err->message);
        g_error_free (err);
        done = TRUE;
      } else if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_EOS) {
        done = TRUE;
      } else if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ELEMENT &&
          gst_message_has_name (msg, "sidechainduck")) {
        gdouble db;
        gst_structure_get_double (
            gst_message_get_structure (msg), "gain-reduction", &db);
        res.max_meter_reduction = MAX (res.max_meter_reduction, db);
      }
      gst_message_unref (msg);
    }
    if (!done && gst_app_sink_is_eos (GST_APP_SINK (sink)))
      done = TRUE;
  }
  /* what the sink still holds */
  {
    GstSample *sample;
    while ((sample = gst_app_sink_try_pull_sample (GST_APP_SINK (sink), 0))) {
      GstMapInfo map;
      GstBuffer *buf = gst_sample_get_buffer (sample);
      gst_buffer_map (buf, &map, GST_MAP_READ);
      g_byte_array_append (out, map.data, (guint) map.size);
      gst_buffer_unmap (buf, &map);
      gst_sample_unref (sample);
    }
  }
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (pipeline);
  res.frames = out->len / (2 * sizeof (gfloat));
  res.out = (gfloat *) g_byte_array_free (out, FALSE);
  return res;
}

static gfloat *
pink_main (gsize frames, guint32 seed)
{
  gdouble *d = g_new (gdouble, 2 * frames);
  gfloat *f = g_new (gfloat, 2 * frames);
  mmtest_pink_noise (d, frames, 2, 0, 0.3, seed);
  mmtest_pink_noise (d, frames, 2, 1, 0.3, seed + 1);
  for (gsize i = 0; i < 2 * frames; i++)
    f[i] = (gfloat) d[i];
  g_free (d);
  return f;
}

/* A voice-band key: 300 Hz and 1.2 kHz at rms_db (RMS) during [on, off)
 * of each period, silent otherwise. */
static gfloat *
burst_key (gsize frames, gint channels, gdouble rms_db, gdouble period,
    gdouble on, gdouble off)
{
  gfloat *k = g_new0 (gfloat, frames * (gsize) channels);
  gdouble amp = pow (10.0, rms_db / 20.0); /* two equal tones: RMS = amp */
  for (gsize i = 0; i < frames; i++) {
    gdouble t = (gdouble) i / RATE, in = fmod (t, period);
    if (in >= on && in < off) {
      gdouble v = amp * (sin (2 * G_PI * 300 * t) + sin (2 * G_PI * 1200 * t));
      for (gint c = 0; c < channels; c++)
        k[i * (gsize) channels + (gsize) c] = (gfloat) v;
    }
  }
  return k;
}

/* The gain applied to each frame (dB): output over input, from the left
 * channel's RMS over a window. */
static gdouble
gain_db_at (const gfloat *in, const gfloat *out, gsize at, gsize window)
{
  gdouble a = 0.0, b = 0.0;
  for (gsize i = at; i < at + window; i++) {
    a += (gdouble) in[2 * i] * in[2 * i];
    b += (gdouble) out[2 * i] * out[2 * i];
  }
  return 10.0 * log10 (b / a);
}

/* The test: 1 s bursts 20 dB over the threshold, 1 s silence. */
static void
test_ducks_by_depth_and_recovers (void)
{
  const gsize frames = 6 * RATE;
  gfloat *main = pink_main (frames, 3);
  gfloat *key = burst_key (frames, 1, -10.0, 2.0, 0.0, 1.0);
  Run r = { main, frames, key, frames, 1, 0, KEY_LINKED, NULL, 0 };
  Result res = run (&r);
  gdouble worst_in = 0.0, worst_back = 0.0, deepest = 0.0;

  g_assert_null (res.error);
  g_assert_cmpuint (res.frames, ==, frames);
  g_assert_true (res.contiguous);
  for (gint burst = 0; burst < 3; burst++) {
    gsize start = (gsize) (burst * 2 * RATE);
    /* from 150 ms into the burst to its end: depth 12 +- 0.5 dB */
    for (gsize at = start + RATE * 15 / 100; at + 480 <= start + RATE;
         at += 480) {
      gdouble g = gain_db_at (main, res.out, at, 480);
      worst_in = MAX (worst_in, fabs (g + 12.0));
    }
    /* hold 150 + 5 x release 400 = 2.15 s after the burst's end: back
     * (the next burst starts 1 s after the end, so check the last bursts'
     * tails only where they exist: the final silence) */
    if (burst == 2) {
      gsize back = start + RATE + RATE * 215 / 100;
      for (gsize at = back; at + 480 <= frames; at += 480)
        worst_back =
            MAX (worst_back, fabs (gain_db_at (main, res.out, at, 480)));
    }
  }
  for (gsize at = 0; at + 48 <= frames; at += 48)
    deepest = MIN (deepest, gain_db_at (main, res.out, at, 48));
  g_test_message ("in bursts: worst %.3f dB off -12; after hold + 5 release: "
                  "%.3f dB off 0; deepest %.3f dB; meter %.3f dB",
      worst_in, worst_back, deepest, res.max_meter_reduction);
  g_assert_cmpfloat (worst_in, <=, 0.5);
  g_assert_cmpfloat (worst_back, <=, 0.5);
  g_assert_cmpfloat (deepest, >=, -12.01);
  g_assert_cmpfloat (res.max_meter_reduction, <=, 12.0 + 1e-6);
  g_assert_cmpfloat (res.max_meter_reduction, >=, 11.5);
  g_free (res.out);
  g_free (main);
  g_free (key);
}

/* Without a key (never requested, or requested with nothing linked), and
 * with a silent key, the main comes out bit for bit. */
static void
test_no_key_is_bit_exact (void)
{
  const gsize frames = RATE + 123;
  gfloat *main = pink_main (frames, 5);
  gfloat *silence = g_new0 (gfloat, frames);
  const KeyMode modes[] = { KEY_NONE, KEY_UNLINKED, KEY_LINKED };

  for (guint m = 0; m < G_N_ELEMENTS (modes); m++) {
    Run r = { main, frames, silence, frames, 1, 0, modes[m], NULL, 0 };
    Result res = run (&r);
    g_assert_null (res.error);
    g_assert_cmpuint (res.frames, ==, frames);
    g_assert_true (res.contiguous);
    g_assert_cmpint (
        memcmp (res.out, main, frames * 2 * sizeof (gfloat)), ==, 0);
    g_free (res.out);
  }
  g_free (main);
  g_free (silence);
}

/* The output has the main's samples whether the key ends first or last,
 * and the first timestamp is the main's. */
static void
test_sample_count_follows_the_main (void)
{
  const gsize frames = 3 * RATE + 77;
  gfloat *main = pink_main (frames, 7);
  gfloat *key = burst_key (4 * RATE, 1, -10.0, 1.0, 0.0, 0.5);
  const gsize key_lengths[] = { RATE / 3, 4 * RATE };

  for (guint k = 0; k < G_N_ELEMENTS (key_lengths); k++) {
    Run r = { main, frames, key, key_lengths[k], 1, 0, KEY_LINKED, NULL, 0 };
    Result res = run (&r);
    g_assert_null (res.error);
    g_assert_cmpuint (res.frames, ==, frames);
    g_assert_true (res.contiguous);
    g_assert_cmpuint (res.first_pts, ==, 0);
    if (k == 0) {
      /* the key ended at 1/3 s: hold + 6 release times later the main is
       * back within 12 dB e^-6 */
      gdouble g = gain_db_at (main, res.out, frames - 4800, 4800);
      g_test_message ("key ended first: gain at the end %.4f dB", g);
      g_assert_cmpfloat (fabs (g), <=, 0.05);
    }
    g_free (res.out);
  }
  g_free (main);
  g_free (key);
}

/* Random buffer sizes on both pads give the same output as fixed ones. */
static void
test_buffer_sizes_do_not_matter (void)
{
  const gsize frames = 2 * RATE;
  gfloat *main = pink_main (frames, 9);
  gfloat *key = burst_key (frames, 2, -15.0, 0.5, 0.1, 0.3);
  Run fixed = { main, frames, key, frames, 2, 0, KEY_LINKED, "lookahead=7", 0 };
  Result a = run (&fixed);

  for (guint32 seed = 1; seed <= 3; seed++) {
    Run r = fixed;
    Result b;
    r.seed = seed;
    b = run (&r);
    g_assert_null (b.error);
    g_assert_cmpuint (b.frames, ==, frames);
    g_assert_true (b.contiguous);
    g_assert_cmpint (
        memcmp (a.out, b.out, frames * 2 * sizeof (gfloat)), ==, 0);
    g_free (b.out);
  }
  g_free (a.out);
  g_free (main);
  g_free (key);
}

/* With lookahead the dip starts that much before the key: the first frame
 * more than 0.1 dB down sits within 1 ms of onset - lookahead. */
static void
test_lookahead_starts_the_dip_early (void)
{
  const gsize frames = RATE;
  const gsize onset = RATE / 2;
  gfloat *main = g_new (gfloat, 2 * frames);
  gfloat *key = burst_key (frames, 1, -10.0, 1.0, 0.5, 0.9);
  const gdouble lookaheads[] = { 0.0, 20.0 };

  for (gsize i = 0; i < 2 * frames; i++)
    main[i] = 0.25f; /* DC: the gain reads off every frame */
  for (guint l = 0; l < G_N_ELEMENTS (lookaheads); l++) {
    gchar *props = g_strdup_printf ("lookahead=%g attack=1", lookaheads[l]);
    Run r = { main, frames, key, frames, 1, 0, KEY_LINKED, props, 0 };
    Result res = run (&r);
    gsize first = frames;
    gdouble expect_ms = 500.0 - lookaheads[l], got_ms;
    g_assert_null (res.error);
    g_assert_cmpuint (res.frames, ==, frames);
    for (gsize i = 0; i < frames; i++)
      if (20.0 * log10 (res.out[2 * i] / 0.25) < -0.1) {
        first = i;
        break;
      }
    got_ms = 1000.0 * (gdouble) first / RATE;
    g_test_message ("lookahead %.0f ms: the dip starts at %.3f ms (onset %zu)",
        lookaheads[l], got_ms, onset);
    g_assert_cmpfloat (fabs (got_ms - expect_ms), <=, 1.0);
    g_free (res.out);
    g_free (props);
  }
  g_free (main);
  g_free (key);
}

/* Stereo key of two identical channels at X ducks like a mono key at X + 6 dB
 * (the channels are summed). */
static void
test_key_channels_are_summed (void)
{
  const gsize frames = RATE;
  gfloat *main = pink_main (frames, 11);
  gfloat *mono = burst_key (frames, 1, -30.0 + 6.0206, 1.0, 0.0, 1.0);
  gfloat *stereo = burst_key (frames, 2, -30.0, 1.0, 0.0, 1.0);
  Run a = { main, frames, mono, frames, 1, 0, KEY_LINKED, "ratio=2 depth=40",
    0 };
  Run b = { main, frames, stereo, frames, 2, 0, KEY_LINKED, "ratio=2 depth=40",
    0 };
  Result ra = run (&a), rb = run (&b);
  gdouble ga = gain_db_at (main, ra.out, frames - 4800, 4800);
  gdouble gb = gain_db_at (main, rb.out, frames - 4800, 4800);

  g_test_message ("mono at X+6: %.3f dB; stereo at X: %.3f dB", ga, gb);
  g_assert_cmpfloat (ga, <, -1.0);
  g_assert_cmpfloat (fabs (ga - gb), <=, 0.05);
  g_free (ra.out);
  g_free (rb.out);
  g_free (main);
  g_free (mono);
  g_free (stereo);
}

/* NaN and Inf in the main come out as 0.0, the rest untouched; in the key
 * they count as silence. */
static void
test_non_finite_samples (void)
{
  const gsize frames = RATE / 2;
  gfloat *main = pink_main (frames, 17);
  gfloat *clean = g_memdup2 (main, frames * 2 * sizeof (gfloat));
  gfloat *key = g_new0 (gfloat, frames);

  main[1000] = NAN;
  main[2001] = INFINITY;
  main[30000] = -INFINITY;
  key[500] = NAN;
  key[7000] = INFINITY;
  for (gint linked = 0; linked < 2; linked++) {
    Run r = { main, frames, key, frames, 1, 0, linked ? KEY_LINKED : KEY_NONE,
      NULL, 0 };
    Result res = run (&r);
    g_assert_null (res.error);
    g_assert_cmpuint (res.frames, ==, frames);
    for (gsize i = 0; i < 2 * frames; i++) {
      if (i == 1000 || i == 2001 || i == 30000)
        g_assert_cmpfloat (res.out[i], ==, 0.0f);
      else
        g_assert_cmpfloat (res.out[i], ==, clean[i]);
    }
    g_free (res.out);
  }
  g_free (main);
  g_free (clean);
  g_free (key);
}

/* A key at another rate stops the pipeline with both rates in the text. */
static void
test_key_at_another_rate_is_an_error (void)
{
  const gsize frames = RATE / 2;
  gfloat *main = pink_main (frames, 13);
  gfloat *key = g_new0 (gfloat, frames);
  Run r = { main, frames, key, frames, 1, 44100, KEY_LINKED, NULL, 0 };
  Result res = run (&r);

  g_assert_nonnull (res.error);
  g_test_message ("error: %s", res.error);
  g_assert_nonnull (strstr (res.error, "44100"));
  g_assert_nonnull (strstr (res.error, "48000"));
  g_free (res.error);
  g_free (res.out);
  g_free (main);
  g_free (key);
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/sidechainduck/ducks-by-depth-and-recovers",
      test_ducks_by_depth_and_recovers);
  g_test_add_func (
      "/sidechainduck/no-key-is-bit-exact", test_no_key_is_bit_exact);
  g_test_add_func ("/sidechainduck/sample-count-follows-the-main",
      test_sample_count_follows_the_main);
  g_test_add_func ("/sidechainduck/buffer-sizes-do-not-matter",
      test_buffer_sizes_do_not_matter);
  g_test_add_func ("/sidechainduck/lookahead-starts-the-dip-early",
      test_lookahead_starts_the_dip_early);
  g_test_add_func (
      "/sidechainduck/key-channels-are-summed", test_key_channels_are_summed);
  g_test_add_func (
      "/sidechainduck/non-finite-samples", test_non_finite_samples);
  g_test_add_func ("/sidechainduck/key-at-another-rate-is-an-error",
      test_key_at_another_rate_is_an_error);
  return g_test_run ();
}
