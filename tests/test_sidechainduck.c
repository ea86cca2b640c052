/* sidechainduck: ducking depth and recovery against the tolerances
 * (frame by frame, the main being known), the meter against the measured
 * reduction, sample count and timestamps whatever the key does (ends first,
 * never requested, requested and unlinked, linked late, longer than the
 * main, starting before or after the main), bit-exact pass-through without a
 * key (F32 and F64), lookahead timing and latency, key rate and channel
 * handling, buffer-size independence, a flush seek, property changes while
 * streaming, non-finite samples, live sources and a controlled depth.
 * Real pipelines with appsrc / audiotestsrc and appsink.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <gst/app/app.h>
#include <gst/audio/audio.h>
#include <gst/controller/controller.h>
#include <gst/gst.h>
#include <math.h>
#include <string.h>

#include "mmtest.h"

#define RATE 48000
/* a run that takes longer has stalled */
#define RUN_DEADLINE_US (20 * G_USEC_PER_SEC)

typedef enum
{
  KEY_NONE, /* the pad never requested */
  KEY_UNLINKED, /* requested, nothing linked */
  KEY_LINKED,
  KEY_LATE, /* requested and linked while PLAYING, after link_after frames */
} KeyMode;


typedef struct
{
  const void *main; /* stereo interleaved, F32 or F64 (f64) */
  gsize main_frames;
  gboolean f64;
  const gfloat *key; /* key_channels interleaved */
  gsize key_frames;
  gint key_channels;
  gint key_rate; /* 0: RATE */
  gboolean key_f64; /* sent as F64 */
  gboolean key_no_mask; /* no channel-mask in the caps of > 2 channels */
  KeyMode key_mode;
  const gchar *props; /* on the element, gst-launch style */
  guint32 seed; /* 0: fixed buffers of `block`; else random 1..4800 */
  guint block; /* 0: 4800 */
  GstClockTime main_start, key_start; /* first PTS of each */
  gboolean resample_key; /* audioresample between the key and its pad */
  gboolean key_first; /* the key streams 200 ms before the main is pushed */
  gsize link_after; /* KEY_LATE: output frames before the key is linked */
  /* KEY_LATE: the key's source starts this long after it is linked and
   * all of the main is queued (a source slow to start) */
  gulong key_starts_after_us;
  MmTestTweak tweak; /* called from another thread while streaming */
  void (*setup) (GstElement *duck); /* before PLAYING */
} Run;

typedef struct
{
  GstClockTime timestamp, duration;
  gdouble reduction;
} Meter;

typedef struct
{
  guint8 *out; /* the main's format */
  gsize frames;
  gboolean contiguous;
  GstClockTime first_pts;
  GArray *meters; /* Meter */
  gchar *error;
  gboolean stalled;
  guint tweaks;
} Result;

/* Warnings logged (by GStreamer, GLib) instead of aborting the program:
 * an element bug must fail its own test, not take the others down with
 * it. Criticals still abort. */
static gint warnings;
static gchar *first_warning;

static GLogWriterOutput
count_warnings (GLogLevelFlags level, const GLogField *fields, gsize n_fields,
    gpointer data)
{
  if (level & G_LOG_LEVEL_WARNING) {
    if (g_atomic_int_add (&warnings, 1) == 0)
      for (gsize i = 0; i < n_fields; i++)
        if (g_strcmp0 (fields[i].key, "MESSAGE") == 0)
          first_warning = g_strdup (fields[i].value);
  }
  return g_log_writer_default (level, fields, n_fields, data);
}

/* Fails the test if a warning was logged since the last call. */
static void
check_no_warnings (const gchar *what)
{
  if (g_atomic_int_get (&warnings) > 0) {
    g_test_message ("%s: %d warnings, the first: %s", what,
        g_atomic_int_get (&warnings), first_warning);
    g_test_fail_printf ("%s: warning: %s", what, first_warning);
  }
  g_atomic_int_set (&warnings, 0);
  g_clear_pointer (&first_warning, g_free);
}

static void
result_clear (Result *res)
{
  g_free (res->out);
  g_array_unref (res->meters);
  g_free (res->error);
}

/* Frames [from, to) of data as buffers, PTS start + i / rate. */
static void
push_range (GstElement *src, const guint8 *data, gsize bpf, gint rate,
    gsize from, gsize to, GstClockTime start, GRand *rand, guint block)
{
  gsize done = from;

  while (done < to) {
    gsize n = rand ? (gsize) g_rand_int_range (rand, 1, 4801)
                   : (block ? block : 4800);
    GstBuffer *buf;
    n = MIN (n, to - done);
    buf = gst_buffer_new_memdup (data + done * bpf, n * bpf);
    GST_BUFFER_PTS (buf) =
        start + gst_util_uint64_scale_int (done, GST_SECOND, rate);
    GST_BUFFER_DURATION (buf) = start +
        gst_util_uint64_scale_int (done + n, GST_SECOND, rate) -
        GST_BUFFER_PTS (buf);
    g_assert_cmpint (
        gst_app_src_push_buffer (GST_APP_SRC (src), buf), ==, GST_FLOW_OK);
    done += n;
  }
}

static GstElement *
app_source (
    GstElement *pipeline, gint channels, gint rate, gboolean f64, gboolean mask)
{
  GstElement *src = gst_element_factory_make ("appsrc", NULL);
  GstCaps *caps = gst_caps_new_simple ("audio/x-raw", "format", G_TYPE_STRING,
      f64 ? "F64LE" : "F32LE", "rate", G_TYPE_INT, rate, "channels", G_TYPE_INT,
      channels, "layout", G_TYPE_STRING, "interleaved", NULL);
  if (channels > 2 && mask)
    gst_caps_set_simple (caps, "channel-mask", GST_TYPE_BITMASK,
        gst_audio_channel_get_fallback_mask (channels), NULL);
  g_object_set (src, "caps", caps, "format", GST_FORMAT_TIME, "max-bytes",
      (guint64) 0, NULL);
  gst_caps_unref (caps);
  gst_bin_add (GST_BIN (pipeline), src);
  return src;
}

/* The key's source (and audioresample) linked to the sidechain pad; the
 * key data as the source's format in *data (g_free it). */
static GstElement *
link_key (GstElement *pipeline, GstElement *duck, const Run *r, guint8 **data)
{
  gint rate = r->key_rate ? r->key_rate : RATE;
  GstElement *src =
      app_source (pipeline, r->key_channels, rate, r->key_f64, !r->key_no_mask);
  GstElement *last = src;
  GstPad *pad = gst_element_request_pad_simple (duck, "sidechain"), *src_pad;
  gsize n = r->key_frames * (gsize) r->key_channels;

  g_assert_nonnull (pad);
  if (r->resample_key) {
    last = gst_element_factory_make ("audioresample", NULL);
    gst_bin_add (GST_BIN (pipeline), last);
    g_assert_true (gst_element_link (src, last));
  }
  src_pad = gst_element_get_static_pad (last, "src");
  g_assert_cmpint (gst_pad_link (src_pad, pad), ==, GST_PAD_LINK_OK);
  gst_object_unref (src_pad);
  gst_object_unref (pad);
  if (r->key_f64) {
    gdouble *d = g_new (gdouble, n);
    for (gsize i = 0; i < n; i++)
      d[i] = r->key[i];
    *data = (guint8 *) d;
  } else {
    *data = g_memdup2 (r->key, n * sizeof (gfloat));
  }
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
  gboolean done = FALSE, linked = FALSE;
  gsize main_bpf = 2 * (r->f64 ? sizeof (gdouble) : sizeof (gfloat));
  gsize key_bpf = (gsize) r->key_channels *
      (r->key_f64 ? sizeof (gdouble) : sizeof (gfloat));
  gint key_rate = r->key_rate ? r->key_rate : RATE;
  GRand *main_rand = r->seed ? g_rand_new_with_seed (r->seed) : NULL;
  GRand *key_rand = r->seed ? g_rand_new_with_seed (r->seed + 1) : NULL;
  guint8 *key_data = NULL;
  MmTestTweaker *tweaker = NULL;
  gint64 deadline = g_get_monotonic_time () + RUN_DEADLINE_US;

  g_assert_no_error (error);
  g_free (desc);
  res.contiguous = TRUE;
  res.first_pts = GST_CLOCK_TIME_NONE;
  res.meters = g_array_new (FALSE, FALSE, sizeof (Meter));
  sink = gst_element_factory_make ("appsink", NULL);
  g_object_set (sink, "sync", FALSE, NULL);
  gst_bin_add_many (GST_BIN (pipeline), duck, sink, NULL);
  g_assert_true (gst_element_link (duck, sink));
  main_src = app_source (pipeline, 2, RATE, r->f64, TRUE);
  g_assert_true (gst_element_link_pads (main_src, "src", duck, "sink"));
  if (r->key_mode == KEY_UNLINKED) {
    GstPad *pad = gst_element_request_pad_simple (duck, "sidechain");
    g_assert_nonnull (pad);
    gst_object_unref (pad);
  } else if (r->key_mode == KEY_LINKED) {
    key_src = link_key (pipeline, duck, r, &key_data);
    push_range (key_src, key_data, key_bpf, key_rate, 0, r->key_frames,
        r->key_start, key_rand, r->block);
    gst_app_src_end_of_stream (GST_APP_SRC (key_src));
  }
  if (r->setup)
    r->setup (duck);
  if (r->key_first) {
    gst_element_set_state (pipeline, GST_STATE_PLAYING);
    g_usleep (200000);
  }
  push_range (main_src, r->main, main_bpf, RATE, 0,
      r->key_mode == KEY_LATE ? r->link_after : r->main_frames, r->main_start,
      main_rand, r->block);
  if (r->key_mode != KEY_LATE)
    gst_app_src_end_of_stream (GST_APP_SRC (main_src));

  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  if (r->tweak)
    tweaker = mmtest_tweaker_start (duck, r->tweak);
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
      if (r->key_mode == KEY_LATE && !linked &&
          out->len / main_bpf >= r->link_after) {
        /* request and link the key while PLAYING, then the rest of the
         * main */
        key_src = link_key (pipeline, duck, r, &key_data);
        push_range (key_src, key_data, key_bpf, key_rate, 0, r->key_frames,
            r->key_start, key_rand, r->block);
        gst_app_src_end_of_stream (GST_APP_SRC (key_src));
        if (r->key_starts_after_us == 0)
          g_assert_true (gst_element_sync_state_with_parent (key_src));
        push_range (main_src, r->main, main_bpf, RATE, r->link_after,
            r->main_frames, r->main_start, main_rand, r->block);
        gst_app_src_end_of_stream (GST_APP_SRC (main_src));
        if (r->key_starts_after_us > 0) {
          g_usleep (r->key_starts_after_us);
          g_assert_true (gst_element_sync_state_with_parent (key_src));
        }
        linked = TRUE;
      }
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
        const GstStructure *s = gst_message_get_structure (msg);
        Meter m;
        g_assert_true (
            gst_structure_get_double (s, "gain-reduction", &m.reduction));
        g_assert_true (gst_structure_get_uint64 (s, "timestamp", &m.timestamp));
        g_assert_true (gst_structure_get_uint64 (s, "duration", &m.duration));
        g_array_append_val (res.meters, m);
      }
      gst_message_unref (msg);
    }
    if (!done && gst_app_sink_is_eos (GST_APP_SINK (sink)))
      done = TRUE;
    if (!done && g_get_monotonic_time () > deadline) {
      res.stalled = TRUE;
      done = TRUE;
    }
  }
  if (tweaker)
    res.tweaks = mmtest_tweaker_stop (tweaker);
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
  if (main_rand)
    g_rand_free (main_rand);
  if (key_rand)
    g_rand_free (key_rand);
  g_free (key_data);
  res.frames = out->len / main_bpf;
  if (res.frames < r->main_frames) {
    /* short (a failed run): zeros to the main's length, so that the checks
     * after it fail rather than read past the end */
    guint len = out->len;
    g_byte_array_set_size (out, (guint) (r->main_frames * main_bpf));
    memset (out->data + len, 0, out->len - len);
  }
  res.out = g_byte_array_free (out, FALSE);
  check_no_warnings ("the run");
  return res;
}

/* A run that must go through cleanly. */
static Result
run_ok (const Run *r)
{
  Result res = run (r);
  g_assert_false (res.stalled);
  g_assert_null (res.error);
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

static gfloat *
dc_main (gsize frames)
{
  gfloat *f = g_new (gfloat, 2 * frames);
  for (gsize i = 0; i < 2 * frames; i++)
    f[i] = 0.25f;
  return f;
}

/* A voice-band key at `rate`: 300 Hz and 1.2 kHz (AM at 4 Hz, 30 %, like
 * syllables) at rms_db (RMS over whole AM periods) during [on, off) of
 * each period, for t < until; silent otherwise. */
static gfloat *
burst_key_at (gsize frames, gint channels, gint rate, gdouble rms_db,
    gdouble period, gdouble on, gdouble off, gdouble until)
{
  gfloat *k = g_new0 (gfloat, frames * (gsize) channels);
  /* two equal tones: RMS = amp; the AM adds (1 + 0.3^2 / 2) in power */
  gdouble amp = pow (10.0, rms_db / 20.0) / sqrt (1.0 + 0.045);
  for (gsize i = 0; i < frames; i++) {
    gdouble t = (gdouble) i / rate, in = fmod (t, period);
    if (t < until && in >= on && in < off) {
      gdouble v = amp * (1.0 + 0.3 * sin (2 * G_PI * 4 * t)) *
          (sin (2 * G_PI * 300 * t) + sin (2 * G_PI * 1200 * t + 0.5));
      for (gint c = 0; c < channels; c++)
        k[i * (gsize) channels + (gsize) c] = (gfloat) v;
    }
  }
  return k;
}

static gfloat *
burst_key (gsize frames, gint channels, gdouble rms_db, gdouble period,
    gdouble on, gdouble off)
{
  return burst_key_at (
      frames, channels, RATE, rms_db, period, on, off, G_MAXDOUBLE);
}

/* The gain (dB) of output frame i: output over input on the louder
 * channel; NaN where the input is too small to read it. */
static gdouble
frame_gain_db (const gfloat *in, const gfloat *out, gsize i)
{
  gsize c = fabsf (in[2 * i]) >= fabsf (in[2 * i + 1]) ? 2 * i : 2 * i + 1;
  if (!isfinite (in[c]) || fabsf (in[c]) < 1e-3f)
    return NAN;
  return 20.0 * log10 ((gdouble) out[c] / in[c]);
}

/* The gain of frames [at, at + window): output over input RMS (dB). */
static gdouble
gain_db_at (const gfloat *in, const gfloat *out, gsize at, gsize window)
{
  gdouble a = 0.0, b = 0.0;
  for (gsize i = at; i < at + window; i++) {
    a += (gdouble) in[2 * i] * in[2 * i] +
        (gdouble) in[2 * i + 1] * in[2 * i + 1];
    b += (gdouble) out[2 * i] * out[2 * i] +
        (gdouble) out[2 * i + 1] * out[2 * i + 1];
  }
  return 10.0 * log10 (b / a);
}

/* Largest |frame gain - target| over [from, to). */
static gdouble
worst_off (
    const gfloat *in, const gfloat *out, gsize from, gsize to, gdouble target)
{
  gdouble worst = 0.0;
  for (gsize i = from; i < to; i++) {
    gdouble g = frame_gain_db (in, out, i);
    if (!isnan (g))
      worst = MAX (worst, fabs (g - target));
  }
  return worst;
}

/* The first frame from `from` more than 0.1 dB down, or G_MAXSIZE. */
static gsize
first_dip (const gfloat *in, const gfloat *out, gsize from, gsize frames)
{
  for (gsize i = from; i < frames; i++) {
    gdouble g = frame_gain_db (in, out, i);
    if (!isnan (g) && g < -0.1)
      return i;
  }
  return G_MAXSIZE;
}

/* The test: 1 s bursts 20 dB over the threshold, 1 s silence;
 * frame by frame against depth, recovery and the meter. */
static void
test_ducks_by_depth_and_recovers (void)
{
  const gsize frames = 11 * RATE / 2;
  gfloat *main = pink_main (frames, 3);
  /* bursts [0, 1) and [2, 3) s, then silence to the end */
  gfloat *key = burst_key_at (frames, 1, RATE, -10.0, 2.0, 0.0, 1.0, 3.0);
  Run r = { main, frames, FALSE, key, frames, 1 };
  Result res;
  const gfloat *out;
  gdouble worst_in = 0.0, worst_back, deepest = 0.0, worst_meter = 0.0;
  gdouble meter_max = 0.0;

  r.key_mode = KEY_LINKED;
  res = run_ok (&r);
  out = (const gfloat *) res.out;
  g_assert_cmpuint (res.frames, ==, frames);
  g_assert_true (res.contiguous);
  for (gint burst = 0; burst < 2; burst++) {
    gsize start = (gsize) (burst * 2 * RATE);
    /* from 150 ms into the burst to its end: depth 12 +- 0.5 dB */
    worst_in = MAX (worst_in,
        worst_off (main, out, start + RATE * 15 / 100, start + RATE, -12.0));
  }
  /* hold 150 + 5 x release 400 = 2.15 s after the last burst's end */
  worst_back = worst_off (main, out, 3 * RATE + RATE * 215 / 100, frames, 0.0);
  for (gsize i = 0; i < frames; i++) {
    gdouble g = frame_gain_db (main, out, i);
    if (!isnan (g))
      deepest = MIN (deepest, g);
  }
  /* each meter message: the largest reduction over its interval */
  g_assert_cmpuint (res.meters->len, ==, frames / (RATE / 10));
  for (guint m = 0; m < res.meters->len; m++) {
    const Meter *me = &g_array_index (res.meters, Meter, m);
    gsize from =
        gst_util_uint64_scale_int_round (me->timestamp, RATE, GST_SECOND);
    gsize n = gst_util_uint64_scale_int_round (me->duration, RATE, GST_SECOND);
    gdouble measured = 0.0;
    g_assert_cmpuint (from, ==, m * (RATE / 10));
    g_assert_cmpuint (n, ==, RATE / 10);
    for (gsize i = from; i < from + n; i++) {
      gdouble g = frame_gain_db (main, out, i);
      if (!isnan (g))
        measured = MAX (measured, -g);
    }
    worst_meter = MAX (worst_meter, fabs (measured - me->reduction));
    meter_max = MAX (meter_max, me->reduction);
  }
  g_test_message ("in bursts from 150 ms: worst %.4f dB off -12; from hold + "
                  "5 release after the end: %.4f dB off 0; deepest %.4f dB; "
                  "%u meters, largest %.4f dB, worst %.4f dB off the "
                  "measured",
      worst_in, worst_back, deepest, res.meters->len, meter_max, worst_meter);
  g_assert_cmpfloat (worst_in, <=, 0.5);
  g_assert_cmpfloat (worst_back, <=, 0.5);
  g_assert_cmpfloat (deepest, >=, -12.01);
  g_assert_cmpfloat (deepest, <=, -11.5);
  g_assert_cmpfloat (worst_meter, <=, 0.1);
  g_assert_cmpfloat (meter_max, <=, 12.01);
  result_clear (&res);
  g_free (main);
  g_free (key);
}

/* Without a key (never requested, or requested with nothing linked), and
 * with a silent key, the main comes out bit for bit, F32 and F64. */
static void
test_no_key_is_bit_exact (void)
{
  const gsize frames = RATE + 123;
  gfloat *main = pink_main (frames, 5);
  gdouble *main64 = g_new (gdouble, 2 * frames);
  gfloat *silence = g_new0 (gfloat, frames);
  const KeyMode modes[] = { KEY_NONE, KEY_UNLINKED, KEY_LINKED };

  for (gsize i = 0; i < 2 * frames; i++)
    main64[i] = main[i] * (1.0 + 1e-9 * (gdouble) (i % 7)); /* not F32 values */
  for (gint f64 = 0; f64 < 2; f64++)
    for (guint m = 0; m < G_N_ELEMENTS (modes); m++) {
      Run r = { f64 ? (const void *) main64 : main, frames, f64, silence,
        frames, 1 };
      Result res;
      r.key_mode = modes[m];
      r.seed = 21 + m;
      res = run_ok (&r);
      g_assert_cmpuint (res.frames, ==, frames);
      g_assert_true (res.contiguous);
      g_assert_cmpint (
          memcmp (res.out, r.main,
              frames * 2 * (f64 ? sizeof (gdouble) : sizeof (gfloat))),
          ==, 0);
      result_clear (&res);
    }
  g_free (main);
  g_free (main64);
  g_free (silence);
}

/* The output has the main's samples and timeline (first PTS the main's,
 * contiguous) whatever the key does: ends first, never requested,
 * requested and unlinked, linked late, longer than the main. */
static void
test_sample_count_and_timestamps (void)
{
  const gsize frames = 3 * RATE + 77;
  const GstClockTime start = GST_SECOND + 12345;
  gfloat *main = pink_main (frames, 7);
  gfloat *key = burst_key (5 * RATE, 1, -10.0, 1.0, 0.0, 0.5);
  struct
  {
    const gchar *name;
    KeyMode mode;
    gsize key_frames;
  } cases[] = {
    { "key ends first", KEY_LINKED, RATE / 3 },
    { "key never requested", KEY_NONE, 0 },
    { "key requested, nothing linked", KEY_UNLINKED, 0 },
    { "key linked late", KEY_LATE, 5 * RATE },
    { "key longer than the main", KEY_LINKED, 5 * RATE },
  };

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++) {
    Run r = { main, frames, FALSE, key, cases[c].key_frames, 1 };
    Result res;
    r.key_mode = cases[c].mode;
    r.main_start = r.key_start = start;
    r.link_after = RATE;
    r.seed = 40 + c;
    res = run_ok (&r);
    g_test_message ("%s: %zu frames, first PTS %" GST_TIME_FORMAT
                    ", contiguous %d",
        cases[c].name, res.frames, GST_TIME_ARGS (res.first_pts),
        res.contiguous);
    g_assert_cmpuint (res.frames, ==, frames);
    g_assert_true (res.contiguous);
    g_assert_cmpuint (res.first_pts, ==, start);
    if (c == 0) {
      /* the key ended at 1/3 s: hold + 6 release times later the main is
       * back within 12 dB e^-6 */
      gdouble g = gain_db_at (main, (gfloat *) res.out, frames - 4800, 4800);
      g_test_message ("key ended first: gain at the end %.4f dB", g);
      g_assert_cmpfloat (fabs (g), <=, 0.05);
    }
    result_clear (&res);
  }
  g_free (main);
  g_free (key);
}

/* A key requested and linked while PLAYING (after 1 s of output): the main
 * runs on untouched until then, and ducks afterwards. */
static void
test_key_linked_late (void)
{
  const gsize frames = 4 * RATE;
  gfloat *main = pink_main (frames, 8);
  /* bursts at [0, 1), [2, 3) s; the first is before the link */
  gfloat *key = burst_key (frames, 1, -10.0, 2.0, 0.0, 1.0);
  Run r = { main, frames, FALSE, key, frames, 1 };
  Result res;
  gdouble before, during;

  r.key_mode = KEY_LATE;
  r.link_after = RATE;
  /* at once, and a source that starts 300 ms after it was linked while all
   * of the main is already queued: the main waits for the key */
  for (guint slow = 0; slow < 2; slow++) {
    r.key_starts_after_us = slow ? 300000 : 0;
    res = run_ok (&r);
    g_assert_cmpuint (res.frames, ==, frames);
    g_assert_true (res.contiguous);
    before = worst_off (main, (gfloat *) res.out, 0, RATE, 0.0);
    during = worst_off (
        main, (gfloat *) res.out, 2 * RATE + RATE * 15 / 100, 3 * RATE, -12.0);
    g_test_message ("linked after 1 s, source started %lu ms later: before "
                    "%.4f dB off 0, in the burst at 2 s %.4f dB off -12",
        r.key_starts_after_us / 1000, before, during);
    g_assert_cmpfloat (before, ==, 0.0);
    g_assert_cmpfloat (during, <=, 0.5);
    result_clear (&res);
  }
  g_free (main);
  g_free (key);
}

/* Key and main are aligned by running time: a key starting before the main
 * (its first second before the main's first frame) or after it puts its
 * burst at the same place. */
static void
test_key_aligned_by_time (void)
{
  const gsize frames = 2 * RATE;
  const GstClockTime main_start = GST_SECOND;
  gfloat *main = dc_main (frames);
  /* the burst at absolute time 1.5 s in each: key from 0 s and from 1.25 s */
  gfloat *early = burst_key (3 * RATE, 1, -10.0, 10.0, 1.5, 2.5);
  gfloat *late = burst_key (3 * RATE, 1, -10.0, 10.0, 0.25, 1.25);
  const struct
  {
    const gfloat *key;
    GstClockTime key_start;
  } cases[] = { { early, 0 }, { late, GST_SECOND + GST_SECOND / 4 } };

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++) {
    Run r = { main, frames, FALSE, cases[c].key, 3 * RATE, 1 };
    Result res;
    gsize first;
    gdouble got_ms;
    r.key_mode = KEY_LINKED;
    r.props = "attack=1";
    r.main_start = main_start;
    r.key_start = cases[c].key_start;
    res = run_ok (&r);
    g_assert_cmpuint (res.frames, ==, frames);
    first = first_dip (main, (gfloat *) res.out, 0, frames);
    got_ms = first == G_MAXSIZE ? -1.0 : 1000.0 * (gdouble) first / RATE;
    g_test_message ("key from %" GST_TIME_FORMAT
                    ", main from 1 s, burst at 1.5 s: the dip starts %.3f ms "
                    "into the main (expected 500)",
        GST_TIME_ARGS (cases[c].key_start), got_ms);
    g_assert_cmpfloat (fabs (got_ms - 500.0), <=, 1.0);
    result_clear (&res);
  }
  g_free (main);
  g_free (early);
  g_free (late);
}

/* Random buffer sizes on both pads give the same output as fixed ones. */
static void
test_buffer_sizes_do_not_matter (void)
{
  const gsize frames = 2 * RATE;
  gfloat *main = pink_main (frames, 9);
  gfloat *key = burst_key (frames, 2, -15.0, 0.5, 0.1, 0.3);
  Run fixed = { main, frames, FALSE, key, frames, 2 };
  Result a;
  gdouble dip;

  fixed.key_mode = KEY_LINKED;
  fixed.props = "lookahead=7";
  a = run_ok (&fixed);
  dip = gain_db_at (main, (gfloat *) a.out, RATE / 10 + RATE / 8, 480);
  g_test_message ("fixed buffers: %.3f dB 125 ms into a burst", dip);
  g_assert_cmpfloat (dip, <, -6.0);
  for (guint32 seed = 1; seed <= 3; seed++) {
    Run r = fixed;
    Result b;
    r.seed = seed;
    b = run_ok (&r);
    g_assert_cmpuint (b.frames, ==, frames);
    g_assert_true (b.contiguous);
    g_assert_cmpint (
        memcmp (a.out, b.out, frames * 2 * sizeof (gfloat)), ==, 0);
    result_clear (&b);
  }
  result_clear (&a);
  g_free (main);
  g_free (key);
}

/* With lookahead the dip starts that much before the key: the first frame
 * more than 0.1 dB down sits within 1 ms of onset - lookahead. */
static void
test_lookahead_starts_the_dip_early (void)
{
  const gsize frames = RATE;
  gfloat *main = dc_main (frames);
  gfloat *key = burst_key (frames, 1, -10.0, 1.0, 0.5, 0.9);
  const gdouble lookaheads[] = { 0.0, 20.0 };

  for (guint l = 0; l < G_N_ELEMENTS (lookaheads); l++) {
    gchar *props = g_strdup_printf ("lookahead=%g attack=1", lookaheads[l]);
    Run r = { main, frames, FALSE, key, frames, 1 };
    Result res;
    gsize first;
    gdouble expect_ms = 500.0 - lookaheads[l], got_ms;
    r.key_mode = KEY_LINKED;
    r.props = props;
    res = run_ok (&r);
    g_assert_cmpuint (res.frames, ==, frames);
    first = first_dip (main, (gfloat *) res.out, 0, frames);
    got_ms = first == G_MAXSIZE ? -1.0 : 1000.0 * (gdouble) first / RATE;
    g_test_message ("lookahead %.0f ms: the dip starts at %.3f ms (key at "
                    "500 ms)",
        lookaheads[l], got_ms);
    g_assert_cmpfloat (fabs (got_ms - expect_ms), <=, 1.0);
    result_clear (&res);
    g_free (props);
  }
  g_free (main);
  g_free (key);
}

/* A key of n identical channels at X ducks like a mono key at
 * X + 20 log10 (n) dB (the channels are summed), F32 and F64 keys. */
static void
test_key_channels_are_summed (void)
{
  const gsize frames = RATE;
  gfloat *main = pink_main (frames, 11);
  const gint channels[] = { 2, 6, 2 };
  const gboolean f64[] = { FALSE, FALSE, TRUE };

  for (guint c = 0; c < G_N_ELEMENTS (channels); c++) {
    gfloat *mono = burst_key (
        frames, 1, -30.0 + 20.0 * log10 (channels[c]), 1.0, 0.0, 1.0);
    gfloat *multi = burst_key (frames, channels[c], -30.0, 1.0, 0.0, 1.0);
    Run a = { main, frames, FALSE, mono, frames, 1 };
    Run b = { main, frames, FALSE, multi, frames, channels[c] };
    Result ra, rb;
    gdouble ga, gb;
    a.key_mode = b.key_mode = KEY_LINKED;
    a.props = b.props = "ratio=2 depth=40";
    b.key_f64 = f64[c];
    ra = run_ok (&a);
    rb = run_ok (&b);
    ga = gain_db_at (main, (gfloat *) ra.out, frames - 4800, 4800);
    gb = gain_db_at (main, (gfloat *) rb.out, frames - 4800, 4800);
    g_test_message ("mono at X+%.2f dB: %.4f dB; %d channels (%s) at X: "
                    "%.4f dB",
        20.0 * log10 (channels[c]), ga, channels[c], f64[c] ? "F64" : "F32",
        gb);
    g_assert_cmpfloat (ga, <, -1.0);
    g_assert_cmpfloat (fabs (ga - gb), <=, 0.05);
    result_clear (&ra);
    result_clear (&rb);
    g_free (mono);
    g_free (multi);
  }
  g_free (main);
}

/* A 6-channel key whose caps have no channel-mask (the template takes
 * them) must either duck or stop the pipeline with an error: not be taken
 * for silence without a word. */
static void
test_key_without_channel_mask (void)
{
  const gsize frames = RATE / 2;
  gfloat *main = pink_main (frames, 12);
  gfloat *key = burst_key (frames, 6, -10.0, 1.0, 0.0, 1.0);
  Run r = { main, frames, FALSE, key, frames, 6 };
  Result res;
  gdouble g;

  r.key_mode = KEY_LINKED;
  r.key_no_mask = TRUE;
  res = run (&r);
  g_assert_false (res.stalled);
  g = gain_db_at (main, (gfloat *) res.out, frames - 4800, 4800);
  g_test_message ("6-channel key without channel-mask: error %s, gain at the "
                  "end %.3f dB",
      res.error ? res.error : "none", g);
  if (res.error == NULL)
    g_assert_cmpfloat (g, <, -11.5);
  result_clear (&res);
  g_free (main);
  g_free (key);
}

/* NaN and Inf: in the key they count as silence and the gains stay within
 * [-depth, 0] dB; finite main frames stay finite; non-finite main samples
 * come out as 0.0 (what the element does, and says it does). */
static void
test_non_finite_samples (void)
{
  const gsize frames = RATE;
  gfloat *main = pink_main (frames, 17);
  gdouble *main64 = g_new (gdouble, 2 * frames);
  gfloat *clean = g_memdup2 (main, frames * 2 * sizeof (gfloat));
  gfloat *quiet = g_new0 (gfloat, frames);
  gfloat *loud = burst_key (frames, 1, -10.0, 1.0, 0.2, 0.8);
  const gsize bad[] = { 1000, 2001, 30000, 40001 };

  main[1000] = NAN;
  main[2001] = INFINITY;
  main[30000] = -INFINITY;
  main[40001] = NAN;
  for (gsize i = 0; i < 2 * frames; i++)
    main64[i] = main[i];
  quiet[500] = NAN;
  quiet[7000] = INFINITY;
  /* in a burst: single bad samples and a 10 ms run of Inf */
  loud[RATE / 2] = NAN;
  loud[RATE / 2 + 100] = -INFINITY;
  for (gsize i = 0; i < RATE / 100; i++)
    loud[RATE * 6 / 10 + i] = INFINITY;

  for (guint c = 0; c < 6; c++) {
    gboolean f64 = c >= 3;
    KeyMode mode = (c % 3) == 0 ? KEY_NONE : KEY_LINKED;
    const gfloat *key = (c % 3) == 2 ? loud : quiet;
    Run r = { f64 ? (const void *) main64 : main, frames, f64, key, frames, 1 };
    Result res;
    gsize zeroed = 0, nonfinite = 0;
    gdouble lowest = 0.0, highest = -100.0;
    r.key_mode = mode;
    res = run_ok (&r);
    g_assert_cmpuint (res.frames, ==, frames);
    for (gsize i = 0; i < 2 * frames; i++) {
      gdouble o = f64 ? ((gdouble *) res.out)[i] : ((gfloat *) res.out)[i];
      gboolean is_bad = FALSE;
      for (guint b = 0; b < G_N_ELEMENTS (bad); b++)
        is_bad |= i == bad[b];
      if (!isfinite (o))
        nonfinite++;
      if (is_bad) {
        zeroed += o == 0.0;
        continue;
      }
      g_assert_true (isfinite (o));
      if (key == quiet || mode == KEY_NONE) {
        g_assert_cmpfloat (o, ==, f64 ? main64[i] : clean[i]);
      } else if (fabs (clean[i]) > 1e-3) {
        gdouble g = 20.0 * log10 (o / clean[i]);
        lowest = MIN (lowest, g);
        highest = MAX (highest, g);
      }
    }
    g_test_message ("%s main, %s: %zu non-finite main samples out as 0.0, "
                    "%zu non-finite out; gains in [%.3f, %.3f] dB",
        f64 ? "F64" : "F32",
        mode == KEY_NONE ? "no key"
                         : (key == quiet ? "quiet key with NaN/Inf"
                                         : "loud key with NaN/Inf"),
        zeroed, nonfinite, key == loud ? lowest : 0.0,
        key == loud ? highest : 0.0);
    g_assert_cmpuint (nonfinite, ==, 0);
    g_assert_cmpuint (zeroed, ==, G_N_ELEMENTS (bad));
    if (key == loud) {
      g_assert_cmpfloat (lowest, >=, -12.01);
      g_assert_cmpfloat (lowest, <=, -11.5); /* it did duck */
      g_assert_cmpfloat (highest, <=, 1e-5);
    }
    result_clear (&res);
  }
  g_free (main);
  g_free (main64);
  g_free (clean);
  g_free (quiet);
  g_free (loud);
}

/* A key at another rate stops the pipeline with both rates in the text. */
static void
test_key_at_another_rate_is_an_error (void)
{
  const gsize frames = RATE / 2;
  gfloat *main = pink_main (frames, 13);
  gfloat *key = g_new0 (gfloat, frames);
  Run r = { main, frames, FALSE, key, frames, 1, 44100 };
  Result res;

  r.key_mode = KEY_LINKED;
  res = run (&r);
  g_assert_false (res.stalled);
  g_assert_nonnull (res.error);
  g_test_message ("error: %s", res.error);
  g_assert_nonnull (strstr (res.error, "44100"));
  g_assert_nonnull (strstr (res.error, "48000"));
  result_clear (&res);
  g_free (main);
  g_free (key);
}

/* With audioresample before it, a 44.1 kHz key runs and ducks: when both
 * start together, and when the key streams first (its caps before the
 * main's). */
static void
test_key_resampled (void)
{
  const gsize frames = 2 * RATE;

  /* The key's caps query can come before the main's caps reach the element
   * (both start together): the key then starts at 44.1 kHz, is read at the
   * main's rate until audioresample renegotiates, and ducks from the start
   * all the same. */
  gfloat *main = pink_main (frames, 14);
  gfloat *key = burst_key_at (2 * 44100, 1, 44100, -10.0, 2.0, 0.0, 1.0, 1.0);

  for (gint key_first = 0; key_first < 2; key_first++)
    for (gint i = 0; i < 3; i++) {
      Run r = { main, frames, FALSE, key, 2 * 44100, 1, 44100 };
      Result res;
      gdouble in;
      r.key_mode = KEY_LINKED;
      r.resample_key = TRUE;
      r.key_first = key_first;
      res = run (&r);
      g_test_message ("44.1 kHz key through audioresample%s, run %d: %s",
          key_first ? ", key streaming first" : "", i,
          res.error ? res.error : "no error");
      g_assert_false (res.stalled);
      g_assert_null (res.error);
      g_assert_cmpuint (res.frames, ==, frames);
      in = worst_off (main, (gfloat *) res.out, RATE * 15 / 100, RATE, -12.0);
      g_test_message ("  in the burst %.4f dB off -12", in);
      g_assert_cmpfloat (in, <=, 0.5);
      result_clear (&res);
    }
  g_free (main);
  g_free (key);
}

/* ---- properties from another thread ---- */

static void
tweak_everything (GstElement *duck, GRand *rand)
{
  switch (g_rand_int_range (rand, 0, 8)) {
    case 0:
      g_object_set (
          duck, "threshold", g_rand_double_range (rand, -80, 0), NULL);
      break;
    case 1:
      g_object_set (duck, "depth", g_rand_double_range (rand, 0, 60), NULL);
      break;
    case 2:
      g_object_set (duck, "ratio", g_rand_double_range (rand, 1, 100), NULL);
      break;
    case 3:
      g_object_set (
          duck, "attack", g_rand_double_range (rand, 0.1, 2000), NULL);
      break;
    case 4:
      g_object_set (duck, "hold", g_rand_double_range (rand, 0, 5000), NULL);
      break;
    case 5:
      g_object_set (
          duck, "release", g_rand_double_range (rand, 1, 10000), NULL);
      break;
    case 6:
      g_object_set (duck, "key-hpf",
          g_rand_boolean (rand) ? 0.0 : g_rand_double_range (rand, 0, 20000),
          NULL);
      break;
    default:
      g_object_set (duck, "key-lpf",
          g_rand_boolean (rand) ? 0.0 : g_rand_double_range (rand, 0, 100000),
          NULL);
      break;
  }
}

static void
test_property_changes_while_streaming (void)
{
  const gsize frames = 8 * RATE;
  gfloat *main = pink_main (frames, 19);
  gfloat *key = burst_key (frames, 2, -5.0, 0.3, 0.0, 0.15);
  Run r = { main, frames, FALSE, key, frames, 2 };
  Result res;
  const gfloat *out;
  gdouble lowest = 0.0, highest = -200.0;

  r.key_mode = KEY_LINKED;
  r.seed = 77;
  r.tweak = tweak_everything;
  res = run_ok (&r);
  out = (const gfloat *) res.out;
  g_assert_cmpuint (res.frames, ==, frames);
  g_assert_true (res.contiguous);
  for (gsize i = 0; i < 2 * frames; i++) {
    g_assert_true (isfinite (out[i]));
    if (fabsf (main[i]) > 1e-3f) {
      gdouble g = 20.0 * log10 (out[i] / main[i]);
      lowest = MIN (lowest, g);
      highest = MAX (highest, g);
    }
  }
  g_test_message ("%u property changes while streaming; gains in [%.3f, "
                  "%.6f] dB",
      res.tweaks, lowest, highest);
  g_assert_cmpuint (res.tweaks, >, 10);
  g_assert_cmpfloat (lowest, >=, -60.01);
  g_assert_cmpfloat (highest, <=, 1e-5);
  result_clear (&res);
  g_free (main);
  g_free (key);
}

/* ---- controlled depth ---- */

static void
ramp_depth (GstElement *duck)
{
  GstControlSource *cs = gst_interpolation_control_source_new ();
  g_object_set (cs, "mode", GST_INTERPOLATION_MODE_LINEAR, NULL);
  gst_timed_value_control_source_set (
      GST_TIMED_VALUE_CONTROL_SOURCE (cs), 0, 0.0);
  gst_timed_value_control_source_set (
      GST_TIMED_VALUE_CONTROL_SOURCE (cs), 2 * GST_SECOND, 24.0);
  g_assert_true (gst_object_add_control_binding (GST_OBJECT (duck),
      gst_direct_control_binding_new_absolute (
          GST_OBJECT (duck), "depth", cs)));
  gst_object_unref (cs);
}

static void
test_controlled_depth (void)
{
  const gsize frames = 2 * RATE;
  gfloat *main = pink_main (frames, 23);
  /* 30 dB over the threshold at ratio 100: the depth is the reduction */
  gfloat *key = burst_key (frames, 1, 0.0, 10.0, 0.0, 10.0);
  Run r = { main, frames, FALSE, key, frames, 1 };
  Result res;
  const gdouble at[] = { 0.25, 0.5, 1.0, 1.5, 1.9 };

  r.key_mode = KEY_LINKED;
  r.props = "ratio=100";
  r.block = 480;
  r.setup = ramp_depth;
  res = run_ok (&r);
  g_assert_cmpuint (res.frames, ==, frames);
  for (guint i = 0; i < G_N_ELEMENTS (at); i++) {
    gsize f = (gsize) (at[i] * RATE);
    gdouble g = gain_db_at (main, (gfloat *) res.out, f - 24, 48);
    g_test_message ("t %.2f s: depth %.2f dB, measured reduction %.3f dB",
        at[i], 12.0 * at[i], -g);
    g_assert_cmpfloat (fabs (-g - 12.0 * at[i]), <=, 0.5);
  }
  result_clear (&res);
  g_free (main);
  g_free (key);
}

/* ---- audiotestsrc pipelines: flush seek, live ---- */

#define SQUARE_MAIN                                                            \
  "audiotestsrc name=m wave=square volume=0.25 freq=100 samplesperbuffer=480 " \
  "%s ! audio/x-raw,format=F32LE,rate=48000,channels=2 ! sidechainduck "       \
  "name=duck %s ! appsink name=sink sync=false %s "                            \
  "audiotestsrc name=k wave=sine freq=700 volume=0.447 "                       \
  "samplesperbuffer=480 %s ! audio/x-raw,format=F32LE,rate=48000,channels=1 "  \
  "! duck.sidechain"

/* Samples from the sink into out until EOS (or an error), checking
 * contiguity. */
static gboolean
pull_until_eos (GstElement *pipeline, GstElement *sink, GArray *out,
    GstClockTime *first_pts, gboolean *contiguous, gsize stop_after)
{
  GstBus *bus = gst_element_get_bus (pipeline);
  GstClockTime expected = GST_CLOCK_TIME_NONE;
  gint64 deadline = g_get_monotonic_time () + RUN_DEADLINE_US;
  gboolean eos = FALSE;

  while (g_get_monotonic_time () < deadline) {
    GstSample *sample =
        gst_app_sink_try_pull_sample (GST_APP_SINK (sink), 10 * GST_MSECOND);
    GstMessage *msg;
    if (sample) {
      GstBuffer *buf = gst_sample_get_buffer (sample);
      GstMapInfo map;
      if (!GST_CLOCK_TIME_IS_VALID (*first_pts))
        *first_pts = GST_BUFFER_PTS (buf);
      if (GST_CLOCK_TIME_IS_VALID (expected) &&
          (GST_BUFFER_PTS (buf) > expected + 1 ||
              GST_BUFFER_PTS (buf) + 1 < expected))
        *contiguous = FALSE;
      expected = GST_BUFFER_PTS (buf) + GST_BUFFER_DURATION (buf);
      gst_buffer_map (buf, &map, GST_MAP_READ);
      g_array_append_vals (out, map.data, (guint) (map.size / sizeof (gfloat)));
      gst_buffer_unmap (buf, &map);
      gst_sample_unref (sample);
      if (stop_after && out->len / 2 >= stop_after)
        break;
      continue;
    }
    msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR | GST_MESSAGE_EOS);
    if (msg) {
      if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR) {
        GError *err;
        gst_message_parse_error (msg, &err, NULL);
        g_test_message ("error: %s", err->message);
        g_error_free (err);
      } else {
        eos = TRUE;
      }
      gst_message_unref (msg);
      break;
    }
    if (gst_app_sink_is_eos (GST_APP_SINK (sink))) {
      eos = TRUE;
      break;
    }
  }
  gst_object_unref (bus);
  return eos;
}

/* A flushing seek mid-stream: the output after it runs contiguous from the
 * seek position, to the stop, and still ducks. */
static void
test_flush_seek (void)
{
  gchar *desc = g_strdup_printf (SQUARE_MAIN, "", "", "max-buffers=4", "");
  GstElement *pipeline = gst_parse_launch (desc, NULL);
  GstElement *sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  GArray *before = g_array_new (FALSE, FALSE, sizeof (gfloat));
  GArray *after = g_array_new (FALSE, FALSE, sizeof (gfloat));
  GstClockTime first = GST_CLOCK_TIME_NONE, first_after = GST_CLOCK_TIME_NONE;
  gboolean contiguous = TRUE, contiguous_after = TRUE;
  gdouble worst = 0.0, before_db;
  const gfloat *o;

  g_assert_nonnull (pipeline);
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  /* a second of output, ducked */
  g_assert_false (
      pull_until_eos (pipeline, sink, before, &first, &contiguous, RATE));
  g_assert_true (contiguous);
  before_db =
      20.0 * log10 (fabsf (((gfloat *) before->data)[2 * (RATE - 1)]) / 0.25);
  g_assert_true (gst_element_seek (pipeline, 1.0, GST_FORMAT_TIME,
      GST_SEEK_FLAG_FLUSH | GST_SEEK_FLAG_ACCURATE, GST_SEEK_TYPE_SET,
      5 * GST_SECOND, GST_SEEK_TYPE_SET, 7 * GST_SECOND));
  g_assert_true (pull_until_eos (
      pipeline, sink, after, &first_after, &contiguous_after, 0));
  o = (const gfloat *) after->data;
  for (gsize i = RATE * 15 / 100; i < after->len / 2; i++)
    worst = MAX (worst, fabs (20.0 * log10 (fabsf (o[2 * i]) / 0.25) + 12.0));
  g_test_message (
      "before the seek %.3f dB at 1 s; after: first PTS %" GST_TIME_FORMAT
      ", %u frames, contiguous %d, from 150 ms "
      "%.4f dB off -12",
      before_db, GST_TIME_ARGS (first_after), after->len / 2, contiguous_after,
      worst);
  g_assert_cmpuint (first_after, ==, 5 * GST_SECOND);
  g_assert_true (contiguous_after);
  g_assert_cmpuint (after->len / 2, ==, 2 * RATE);
  g_assert_cmpfloat (worst, <=, 0.5);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (sink);
  gst_object_unref (pipeline);
  g_array_unref (before);
  g_array_unref (after);
  g_free (desc);
  check_no_warnings ("the seek");
}

/* Control values are looked up at the main's stream time, as in every
 * other element of the project (gst_mm_sync_controls) and in GStreamer's
 * own aggregators: after a seek to 5 s, depth programmed as 0 dB before
 * 5 s and 10 dB from 5 s ducks by 10 dB. (Running time restarts at 0
 * after the flush and would read 0 dB.) */
static void
test_controls_follow_stream_time (void)
{
  gchar *desc = g_strdup_printf (SQUARE_MAIN, "", "", "max-buffers=4", "");
  GstElement *pipeline = gst_parse_launch (desc, NULL);
  GstElement *sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  GstElement *duck = gst_bin_get_by_name (GST_BIN (pipeline), "duck");
  GstControlSource *cs = gst_interpolation_control_source_new ();
  GArray *out = g_array_new (FALSE, FALSE, sizeof (gfloat));
  GstClockTime first = GST_CLOCK_TIME_NONE;
  gboolean contiguous = TRUE;
  gdouble g;

  g_object_set (cs, "mode", GST_INTERPOLATION_MODE_NONE, NULL);
  gst_timed_value_control_source_set (
      GST_TIMED_VALUE_CONTROL_SOURCE (cs), 0, 0.0);
  gst_timed_value_control_source_set (
      GST_TIMED_VALUE_CONTROL_SOURCE (cs), 5 * GST_SECOND, 10.0);
  g_assert_true (gst_object_add_control_binding (GST_OBJECT (duck),
      gst_direct_control_binding_new_absolute (
          GST_OBJECT (duck), "depth", cs)));
  gst_object_unref (cs);
  gst_element_set_state (pipeline, GST_STATE_PAUSED);
  g_assert_cmpint (
      gst_element_get_state (pipeline, NULL, NULL, 10 * GST_SECOND), ==,
      GST_STATE_CHANGE_SUCCESS);
  g_assert_true (gst_element_seek (pipeline, 1.0, GST_FORMAT_TIME,
      GST_SEEK_FLAG_FLUSH | GST_SEEK_FLAG_ACCURATE, GST_SEEK_TYPE_SET,
      5 * GST_SECOND, GST_SEEK_TYPE_SET, 6 * GST_SECOND));
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  g_assert_true (pull_until_eos (pipeline, sink, out, &first, &contiguous, 0));
  g_assert_cmpuint (out->len / 2, ==, RATE);
  g_assert_cmpuint (first, ==, 5 * GST_SECOND);
  g = out->len / 2 >= RATE
      ? 20.0 * log10 (fabsf (((gfloat *) out->data)[2 * (RATE - 100)]) / 0.25)
      : 0.0;
  g_test_message ("after a seek to 5 s, depth 10 dB from 5 s (stream time): "
                  "gain %.3f dB at 6 s",
      g);
  g_assert_cmpfloat (fabs (g + 10.0), <=, 0.5);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (duck);
  gst_object_unref (sink);
  gst_object_unref (pipeline);
  g_array_unref (out);
  g_free (desc);
  check_no_warnings ("the run");
}

static GstClockTime
query_min_latency (GstElement *e, GstPad *pad, gboolean *live)
{
  GstQuery *q = gst_query_new_latency ();
  GstClockTime min = GST_CLOCK_TIME_NONE, max;
  gboolean ok = pad ? gst_pad_query (pad, q) : gst_element_query (e, q);
  g_assert_true (ok);
  gst_query_parse_latency (q, live, &min, &max);
  gst_query_unref (q);
  return min;
}

/* Live sources: the pipeline runs to EOS with the main's sample count, and
 * the latency is upstream's plus the lookahead. */
static void
test_live (void)
{
  const gdouble lookaheads[] = { 0.0, 20.0 };
  GstClockTime latency[2];

  for (guint l = 0; l < G_N_ELEMENTS (lookaheads); l++) {
    gchar *props = g_strdup_printf ("lookahead=%g", lookaheads[l]);
    gchar *desc =
        g_strdup_printf (SQUARE_MAIN, "is-live=true num-buffers=30", props,
            "sync=true processing-deadline=0", "is-live=true num-buffers=30");
    GstElement *pipeline = gst_parse_launch (desc, NULL);
    GstElement *sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
    GstElement *duck = gst_bin_get_by_name (GST_BIN (pipeline), "duck");
    GstElement *m = gst_bin_get_by_name (GST_BIN (pipeline), "m");
    GstPad *src_pad = gst_element_get_static_pad (duck, "src");
    GstPad *m_pad = gst_element_get_static_pad (m, "src");
    GArray *out = g_array_new (FALSE, FALSE, sizeof (gfloat));
    GstClockTime first = GST_CLOCK_TIME_NONE, upstream, pipe;
    gboolean contiguous = TRUE, live, eos;
    gdouble end_db;

    gst_element_set_state (pipeline, GST_STATE_PLAYING);
    g_assert_cmpint (
        gst_element_get_state (pipeline, NULL, NULL, 10 * GST_SECOND), ==,
        GST_STATE_CHANGE_SUCCESS);
    latency[l] = query_min_latency (duck, src_pad, &live);
    g_assert_true (live);
    upstream = query_min_latency (m, m_pad, &live);
    pipe = query_min_latency (pipeline, NULL, &live);
    eos = pull_until_eos (pipeline, sink, out, &first, &contiguous, 0);
    end_db = 20.0 * log10 (fabsf (((gfloat *) out->data)[out->len - 2]) / 0.25);
    g_test_message ("live, lookahead %.0f ms: latency %" GST_TIME_FORMAT
                    " (upstream %" GST_TIME_FORMAT
                    ", pipeline %" GST_TIME_FORMAT
                    "), %u frames, EOS %d, contiguous %d, "
                    "gain at the end %.3f dB",
        lookaheads[l], GST_TIME_ARGS (latency[l]), GST_TIME_ARGS (upstream),
        GST_TIME_ARGS (pipe), out->len / 2, eos, contiguous, end_db);
    g_assert_true (eos);
    g_assert_true (contiguous);
    g_assert_cmpuint (out->len / 2, ==, 30 * 480);
    g_assert_cmpuint (latency[l], ==,
        upstream + (GstClockTime) (lookaheads[l] * GST_MSECOND));
    g_assert_cmpuint (pipe, ==, latency[l]);
    /* the key ran all along: the end of the main is ducked */
    g_assert_cmpfloat (fabs (end_db + 12.0), <=, 0.5);
    gst_element_set_state (pipeline, GST_STATE_NULL);
    gst_object_unref (src_pad);
    gst_object_unref (m_pad);
    gst_object_unref (m);
    gst_object_unref (duck);
    gst_object_unref (sink);
    gst_object_unref (pipeline);
    g_array_unref (out);
    g_free (desc);
    g_free (props);
    check_no_warnings ("the live run");
  }
  g_assert_cmpuint (latency[1] - latency[0], ==, 20 * GST_MSECOND);
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  /* a failed check fails its test, and the rest still run */
  g_test_set_nonfatal_assertions ();
  g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
  g_log_set_writer_func (count_warnings, NULL, NULL);
  g_test_add_func ("/sidechainduck/ducks-by-depth-and-recovers",
      test_ducks_by_depth_and_recovers);
  g_test_add_func (
      "/sidechainduck/no-key-is-bit-exact", test_no_key_is_bit_exact);
  g_test_add_func ("/sidechainduck/sample-count-and-timestamps",
      test_sample_count_and_timestamps);
  g_test_add_func ("/sidechainduck/key-linked-late", test_key_linked_late);
  g_test_add_func (
      "/sidechainduck/key-aligned-by-time", test_key_aligned_by_time);
  g_test_add_func ("/sidechainduck/buffer-sizes-do-not-matter",
      test_buffer_sizes_do_not_matter);
  g_test_add_func ("/sidechainduck/lookahead-starts-the-dip-early",
      test_lookahead_starts_the_dip_early);
  g_test_add_func (
      "/sidechainduck/key-channels-are-summed", test_key_channels_are_summed);
  g_test_add_func (
      "/sidechainduck/key-without-channel-mask", test_key_without_channel_mask);
  g_test_add_func (
      "/sidechainduck/non-finite-samples", test_non_finite_samples);
  g_test_add_func ("/sidechainduck/key-at-another-rate-is-an-error",
      test_key_at_another_rate_is_an_error);
  g_test_add_func ("/sidechainduck/key-resampled", test_key_resampled);
  g_test_add_func ("/sidechainduck/property-changes-while-streaming",
      test_property_changes_while_streaming);
  g_test_add_func ("/sidechainduck/controlled-depth", test_controlled_depth);
  g_test_add_func ("/sidechainduck/flush-seek", test_flush_seek);
  g_test_add_func ("/sidechainduck/controls-follow-stream-time",
      test_controls_follow_stream_time);
  g_test_add_func ("/sidechainduck/live", test_live);
  return g_test_run ();
}
