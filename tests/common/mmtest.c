/* gst-mixmaster test helpers
 * Copyright (C) 2026 gst-mixmaster developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "mmtest.h"

#include <math.h>
#include <string.h>

void
mmtest_sine (gdouble *frames, gsize n_frames, guint channels, guint channel,
    gdouble rate, gdouble freq, gdouble amplitude, gdouble phase)
{
  for (gsize i = 0; i < n_frames; i++)
    frames[i * channels + channel] =
        amplitude * sin (2.0 * G_PI * freq * (gdouble) i / rate + phase);
}

void
mmtest_noise (gdouble *frames, gsize n_frames, guint channels, guint channel,
    gdouble amplitude, guint32 seed)
{
  GRand *rand = g_rand_new_with_seed (seed);
  for (gsize i = 0; i < n_frames; i++)
    frames[i * channels + channel] =
        g_rand_double_range (rand, -amplitude, amplitude);
  g_rand_free (rand);
}

void
mmtest_pink_noise (gdouble *frames, gsize n_frames, guint channels,
    guint channel, gdouble amplitude, guint32 seed)
{
  GRand *rand = g_rand_new_with_seed (seed);
  gdouble b[7] = { 0 }, peak = 0.0;

  for (gsize i = 0; i < n_frames; i++) {
    gdouble white = g_rand_double_range (rand, -1.0, 1.0), pink;
    b[0] = 0.99886 * b[0] + white * 0.0555179;
    b[1] = 0.99332 * b[1] + white * 0.0750759;
    b[2] = 0.96900 * b[2] + white * 0.1538520;
    b[3] = 0.86650 * b[3] + white * 0.3104856;
    b[4] = 0.55000 * b[4] + white * 0.5329522;
    b[5] = -0.7616 * b[5] - white * 0.0168980;
    pink = b[0] + b[1] + b[2] + b[3] + b[4] + b[5] + b[6] + white * 0.5362;
    b[6] = white * 0.115926;
    frames[i * channels + channel] = pink;
    peak = MAX (peak, fabs (pink));
  }
  for (gsize i = 0; i < n_frames && peak > 0.0; i++)
    frames[i * channels + channel] *= amplitude / peak;
  g_rand_free (rand);
}

GstHarness *
mmtest_harness_new (const gchar *element_desc, const MmTestStream *stream)
{
  GstHarness *h = gst_harness_new_parse (element_desc);
  GstAudioInfo info;
  GstCaps *caps;
  GstBus *bus = gst_bus_new ();

  gst_element_set_bus (h->element, bus);
  gst_object_unref (bus);

  gst_audio_info_set_format (
      &info, stream->format, stream->rate, stream->channels, NULL);
  caps = gst_audio_info_to_caps (&info);
  gst_harness_set_src_caps (h, caps);
  return h;
}

static GstBuffer *
make_buffer (const MmTestStream *stream, const gdouble *input, gsize n_frames,
    GstClockTime pts)
{
  gsize n_samples = n_frames * stream->channels;
  gsize sample_size = stream->format == GST_AUDIO_FORMAT_F32 ? sizeof (gfloat)
                                                             : sizeof (gdouble);
  GstBuffer *buf =
      gst_buffer_new_allocate (NULL, n_samples * sample_size, NULL);
  GstMapInfo map;

  gst_buffer_map (buf, &map, GST_MAP_WRITE);
  for (gsize i = 0; i < n_samples; i++) {
    if (stream->format == GST_AUDIO_FORMAT_F32)
      ((gfloat *) map.data)[i] = (gfloat) input[i];
    else
      ((gdouble *) map.data)[i] = input[i];
  }
  gst_buffer_unmap (buf, &map);

  GST_BUFFER_PTS (buf) = pts;
  GST_BUFFER_DURATION (buf) =
      gst_util_uint64_scale_int (n_frames, GST_SECOND, stream->rate);
  return buf;
}

static void
append_buffer (GArray *out, const MmTestStream *stream, GstBuffer *buf)
{
  GstMapInfo map;
  gsize sample_size = stream->format == GST_AUDIO_FORMAT_F32 ? sizeof (gfloat)
                                                             : sizeof (gdouble);

  g_assert_true (gst_buffer_map (buf, &map, GST_MAP_READ));
  for (gsize i = 0; i < map.size / sample_size; i++) {
    gdouble v = stream->format == GST_AUDIO_FORMAT_F32
        ? ((const gfloat *) map.data)[i]
        : ((const gdouble *) map.data)[i];
    g_array_append_val (out, v);
  }
  gst_buffer_unmap (buf, &map);
}

static void
pull_all (GstHarness *h, const MmTestStream *stream, GArray *out)
{
  GstBuffer *buf;
  while ((buf = gst_harness_try_pull (h))) {
    append_buffer (out, stream, buf);
    gst_buffer_unref (buf);
  }
}

gdouble *
mmtest_harness_process (GstHarness *h, const MmTestStream *stream,
    const gdouble *input, gsize n_frames, GstClockTime *pts, gsize *out_frames)
{
  guint block = stream->buffer_frames ? stream->buffer_frames : 1024;
  GArray *out = g_array_new (FALSE, FALSE, sizeof (gdouble));

  for (gsize off = 0; off < n_frames; off += block) {
    gsize len = MIN (block, n_frames - off);
    GstBuffer *buf =
        make_buffer (stream, input + off * stream->channels, len, *pts);
    *pts += GST_BUFFER_DURATION (buf);
    g_assert_cmpint (gst_harness_push (h, buf), ==, GST_FLOW_OK);
    pull_all (h, stream, out);
  }

  *out_frames = out->len / stream->channels;
  return (gdouble *) g_array_free (out, FALSE);
}

gdouble *
mmtest_process (const gchar *element_desc, const MmTestStream *stream,
    const gdouble *input, gsize n_frames, gsize *out_frames)
{
  GstHarness *h = mmtest_harness_new (element_desc, stream);
  GstClockTime pts = 0;
  gsize head_frames, tail_frames;
  gdouble *head =
      mmtest_harness_process (h, stream, input, n_frames, &pts, &head_frames);
  GArray *tail = g_array_new (FALSE, FALSE, sizeof (gdouble));
  gdouble *all;

  g_assert_true (gst_harness_push_event (h, gst_event_new_eos ()));
  pull_all (h, stream, tail);
  tail_frames = tail->len / stream->channels;

  all = g_new (gdouble, (head_frames + tail_frames) * stream->channels);
  if (head_frames)
    memcpy (all, head, head_frames * stream->channels * sizeof (gdouble));
  if (tail_frames)
    memcpy (all + head_frames * stream->channels, tail->data,
        tail_frames * stream->channels * sizeof (gdouble));
  *out_frames = head_frames + tail_frames;

  g_free (head);
  g_array_free (tail, TRUE);
  gst_harness_teardown (h);
  return all;
}

struct _MmTestTweaker
{
  GstElement *element;
  MmTestTweak tweak;
  gint stop;
  guint count;
  GThread *thread;
};

static gpointer
tweak_until_stopped (gpointer data)
{
  MmTestTweaker *t = data;
  GRand *rand = g_rand_new_with_seed (99);
  while (!g_atomic_int_get (&t->stop)) {
    t->tweak (t->element, rand);
    g_atomic_int_inc (&t->count);
    g_usleep (100);
  }
  g_rand_free (rand);
  return NULL;
}

MmTestTweaker *
mmtest_tweaker_start (GstElement *element, MmTestTweak tweak)
{
  MmTestTweaker *t = g_new0 (MmTestTweaker, 1);

  g_assert_nonnull (element);
  t->element = gst_object_ref (element);
  t->tweak = tweak;
  t->thread = g_thread_new ("tweak", tweak_until_stopped, t);
  return t;
}

guint
mmtest_tweaker_stop (MmTestTweaker *t)
{
  guint count;

  g_atomic_int_set (&t->stop, 1);
  g_thread_join (t->thread);
  count = (guint) g_atomic_int_get (&t->count);
  gst_object_unref (t->element);
  g_free (t);
  return count;
}

gdouble *
mmtest_process_while_tweaking (GstHarness *h, const gchar *element_name,
    const MmTestStream *stream, const gdouble *input, gsize n_frames,
    MmTestTweak tweak, gsize *out_frames)
{
  GstElement *element = gst_harness_find_element (h, element_name);
  MmTestTweaker *t;
  GstClockTime pts = 0;
  gdouble *out;

  g_assert_nonnull (element);
  t = mmtest_tweaker_start (element, tweak);
  gst_object_unref (element);
  out = mmtest_harness_process (h, stream, input, n_frames, &pts, out_frames);
  mmtest_tweaker_stop (t);
  return out;
}

void
mmtest_check_flush_resets (const gchar *element_desc,
    const MmTestStream *stream, const gdouble *before, const gdouble *after,
    gsize n_frames)
{
  GstHarness *h = mmtest_harness_new (element_desc, stream);
  GstClockTime pts = 0;
  gsize n1, n2, n3;
  gdouble *y1, *y2, *fresh;
  GstSegment segment;

  y1 = mmtest_harness_process (h, stream, before, n_frames, &pts, &n1);
  g_assert_true (gst_harness_push_event (h, gst_event_new_flush_start ()));
  g_assert_true (gst_harness_push_event (h, gst_event_new_flush_stop (TRUE)));
  gst_segment_init (&segment, GST_FORMAT_TIME);
  g_assert_true (gst_harness_push_event (h, gst_event_new_segment (&segment)));
  pts = 0;
  y2 = mmtest_harness_process (h, stream, after, n_frames, &pts, &n2);
  fresh = mmtest_process (element_desc, stream, after, n_frames, &n3);
  /* the fresh run was drained at EOS; a lookahead element holds its last
   * frames back until then, so compare what both have given */
  g_assert_cmpuint (n2, <=, n3);
  g_assert_cmpmem (y2, n2 * stream->channels * sizeof (gdouble), fresh,
      n2 * stream->channels * sizeof (gdouble));
  g_free (y1);
  g_free (y2);
  g_free (fresh);
  gst_harness_teardown (h);
}

GList *
mmtest_harness_collect_messages (GstHarness *h, const gchar *name)
{
  GstBus *bus = gst_element_get_bus (h->element);
  GList *structures = NULL;
  GstMessage *msg;

  while ((msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ELEMENT))) {
    const GstStructure *s = gst_message_get_structure (msg);
    if (s && gst_structure_has_name (s, name))
      structures = g_list_append (structures, gst_structure_copy (s));
    gst_message_unref (msg);
  }
  gst_object_unref (bus);
  return structures;
}

gdouble
mmtest_db (gdouble linear)
{
  return 20.0 * log10 (linear);
}

gdouble
mmtest_rms (
    const gdouble *frames, gsize n_frames, guint channels, guint channel)
{
  gdouble sum = 0.0;
  for (gsize i = 0; i < n_frames; i++) {
    gdouble v = frames[i * channels + channel];
    sum += v * v;
  }
  return n_frames ? sqrt (sum / n_frames) : 0.0;
}

gdouble
mmtest_sample_peak (
    const gdouble *frames, gsize n_frames, guint channels, guint channel)
{
  gdouble peak = 0.0;
  for (gsize i = 0; i < n_frames; i++)
    peak = MAX (peak, fabs (frames[i * channels + channel]));
  return peak;
}

#define SINC_HALF_TAPS 32

gdouble
mmtest_true_peak (const gdouble *frames, gsize n_frames, guint channels,
    guint channel, guint oversample)
{
  gdouble peak = mmtest_sample_peak (frames, n_frames, channels, channel);

  for (gsize i = 0; i + 1 < n_frames; i++) {
    for (guint k = 1; k < oversample; k++) {
      gdouble t = (gdouble) k / oversample;
      gdouble acc = 0.0;
      for (gint j = -SINC_HALF_TAPS + 1; j <= SINC_HALF_TAPS; j++) {
        gint64 idx = (gint64) i + j;
        gdouble x = t - j;
        gdouble sinc, window;
        if (idx < 0 || idx >= (gint64) n_frames)
          continue;
        sinc = fabs (x) < 1e-12 ? 1.0 : sin (G_PI * x) / (G_PI * x);
        /* Hann window over the +-SINC_HALF_TAPS span */
        window = 0.5 + 0.5 * cos (G_PI * x / SINC_HALF_TAPS);
        acc += frames[idx * channels + channel] * sinc * window;
      }
      peak = MAX (peak, fabs (acc));
    }
  }
  return peak;
}

gdouble
mmtest_true_peak_all (
    const gdouble *frames, gsize n_frames, guint channels, guint oversample)
{
  const gint taps = 2 * SINC_HALF_TAPS;
  gdouble *kernel = g_new0 (gdouble, (gsize) oversample * taps);
  gdouble peak = 0.0;

  /* kernel[k * taps + j + SINC_HALF_TAPS - 1]: weight of frame i + j for the
   * point k / oversample after frame i, as in mmtest_true_peak () */
  for (guint k = 1; k < oversample; k++)
    for (gint j = -SINC_HALF_TAPS + 1; j <= SINC_HALF_TAPS; j++) {
      gdouble x = (gdouble) k / oversample - j;
      gdouble sinc = fabs (x) < 1e-12 ? 1.0 : sin (G_PI * x) / (G_PI * x);
      gdouble window = 0.5 + 0.5 * cos (G_PI * x / SINC_HALF_TAPS);
      kernel[k * taps + j + SINC_HALF_TAPS - 1] = sinc * window;
    }
  for (guint c = 0; c < channels; c++) {
    peak = MAX (peak, mmtest_sample_peak (frames, n_frames, channels, c));
    for (gsize i = 0; i + 1 < n_frames; i++) {
      gint jmin = (gint) MAX (-SINC_HALF_TAPS + 1, -(gint64) i);
      gint jmax = (gint) MIN (SINC_HALF_TAPS, (gint64) (n_frames - 1 - i));
      for (guint k = 1; k < oversample; k++) {
        const gdouble *w = kernel + k * taps + SINC_HALF_TAPS - 1;
        gdouble acc = 0.0;
        for (gint j = jmin; j <= jmax; j++)
          acc += frames[(i + j) * channels + c] * w[j];
        peak = MAX (peak, fabs (acc));
      }
    }
  }
  g_free (kernel);
  return peak;
}

gdouble
mmtest_thd_n_db (const gdouble *frames, gsize n_frames, guint channels,
    guint channel, gdouble rate, gdouble freq)
{
  /* normal equations of x ~ a sin + b cos + c */
  gdouble m[3][4] = { { 0 } }, coef[3], resid = 0.0;

  for (gsize i = 0; i < n_frames; i++) {
    gdouble ph = 2.0 * G_PI * freq * (gdouble) i / rate;
    gdouble basis[3] = { sin (ph), cos (ph), 1.0 };
    gdouble v = frames[i * channels + channel];
    for (gint r = 0; r < 3; r++) {
      for (gint col = 0; col < 3; col++)
        m[r][col] += basis[r] * basis[col];
      m[r][3] += basis[r] * v;
    }
  }
  /* Gauss-Jordan with partial pivoting */
  for (gint col = 0; col < 3; col++) {
    gint pivot = col;
    for (gint r = col + 1; r < 3; r++)
      if (fabs (m[r][col]) > fabs (m[pivot][col]))
        pivot = r;
    for (gint k = 0; k < 4; k++) {
      gdouble t = m[col][k];
      m[col][k] = m[pivot][k];
      m[pivot][k] = t;
    }
    for (gint r = 0; r < 3; r++) {
      gdouble f;
      if (r == col)
        continue;
      f = m[r][col] / m[col][col];
      for (gint k = col; k < 4; k++)
        m[r][k] -= f * m[col][k];
    }
  }
  for (gint r = 0; r < 3; r++)
    coef[r] = m[r][3] / m[r][r];
  for (gsize i = 0; i < n_frames; i++) {
    gdouble ph = 2.0 * G_PI * freq * (gdouble) i / rate;
    gdouble e = frames[i * channels + channel] -
        (coef[0] * sin (ph) + coef[1] * cos (ph) + coef[2]);
    resid += e * e;
  }
  resid /= MAX (n_frames, 1);
  return 10.0 * log10 (resid / (0.5 * (coef[0] * coef[0] + coef[1] * coef[1])));
}

gdouble
mmtest_sine_amplitude (const gdouble *frames, gsize n_frames, guint channels,
    guint channel, gdouble rate, gdouble freq)
{
  const gdouble a0 = 0.35875, a1 = 0.48829, a2 = 0.14128, a3 = 0.01168;
  gdouble re = 0.0, im = 0.0, wsum = 0.0;

  for (gsize i = 0; i < n_frames; i++) {
    gdouble u = 2.0 * G_PI * (gdouble) i / (gdouble) (n_frames - 1);
    gdouble w = a0 - a1 * cos (u) + a2 * cos (2 * u) - a3 * cos (3 * u);
    gdouble ph = 2.0 * G_PI * freq * (gdouble) i / rate;
    gdouble v = frames[i * channels + channel] * w;
    re += v * cos (ph);
    im -= v * sin (ph);
    wsum += w;
  }
  return 2.0 * sqrt (re * re + im * im) / wsum;
}

gdouble
mmtest_max_step (
    const gdouble *frames, gsize n_frames, guint channels, guint channel)
{
  gdouble step = 0.0;
  for (gsize i = 1; i < n_frames; i++)
    step = MAX (step,
        fabs (frames[i * channels + channel] -
            frames[(i - 1) * channels + channel]));
  return step;
}

void
mmtest_assert_unchanged (const gchar *element_desc, const MmTestStream *stream,
    const gdouble *frames, gsize n_frames)
{
  gsize out_n;
  gdouble *y = mmtest_process (element_desc, stream, frames, n_frames, &out_n);
  g_assert_cmpuint (out_n, ==, n_frames);
  g_assert_cmpmem (frames, n_frames * stream->channels * sizeof (gdouble), y,
      n_frames * stream->channels * sizeof (gdouble));
  g_free (y);
}

void
mmtest_pull_contiguous (GstHarness *h, const MmTestStream *stream,
    GstClockTime *expected, guint64 *frames)
{
  gsize bpf = stream->channels *
      (stream->format == GST_AUDIO_FORMAT_F32 ? sizeof (gfloat)
                                              : sizeof (gdouble));
  GstBuffer *buf;
  while ((buf = gst_harness_try_pull (h))) {
    g_assert_cmpuint (GST_BUFFER_PTS (buf), ==, *expected);
    *expected += GST_BUFFER_DURATION (buf);
    *frames += gst_buffer_get_size (buf) / bpf;
    gst_buffer_unref (buf);
  }
}
