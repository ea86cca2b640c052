/* gst-mixmaster
 * Copyright (C) 2026 gst-mixmaster developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/**
 * SECTION:element-stereowidth
 * @title: stereowidth
 *
 * Mid/side stereo width for mixing and mastering: narrows or widens the stereo
 * image without touching the mono sum, makes the bass mono below a crossover
 * frequency, and meters the phase correlation.
 *
 * The signal is split into mid M = (L+R)/2 and side S = (L-R)/2. The side is
 * scaled by #GstStereoWidth:width and #GstStereoWidth:side-gain, the mid by
 * #GstStereoWidth:mid-gain. With #GstStereoWidth:bass-mono-freq set, the side
 * goes through a 4th-order Linkwitz-Riley high-pass and the mid through the
 * matching all-pass, so everything below the crossover is mono and mid and side
 * stay in phase above it.
 *
 * Settings made before playback apply from the first sample; changes while
 * playing glide over 20 ms. All properties are controllable. With the default
 * settings the element is bit-exact pass-through.
 *
 * With #GstStereoWidth:post-messages, an element message named `stereowidth` is
 * posted every #GstStereoWidth:interval with the fields `correlation` (gdouble,
 * -1..1: +1 mono, 0 unrelated channels, -1 out of phase) and `side-to-mid`
 * (gdouble, dB, side energy over mid energy, -120..120), plus `timestamp`,
 * `stream-time`, `running-time` and `duration` as the `level` element has.
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 audiotestsrc wave=pink-noise num-buffers=200 ! \
 *     audio/x-raw,channels=2 ! audioconvert ! \
 *     stereowidth width=1.4 bass-mono-freq=120 post-messages=true ! \
 *     audioconvert ! autoaudiosink
 * ]| Widens the image by 40 % with the bass below 120 Hz in mono.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gststereowidth.h"

#include <gst/audio/audio.h>

#include "gstmmutil.h"

GST_DEBUG_CATEGORY_STATIC (gst_stereo_width_debug);
#define GST_CAT_DEFAULT gst_stereo_width_debug

#define DEFAULT_WIDTH 1.0
#define DEFAULT_BASS_MONO_FREQ 0.0
#define DEFAULT_MID_GAIN 0.0
#define DEFAULT_SIDE_GAIN 0.0
#define DEFAULT_POST_MESSAGES FALSE
#define DEFAULT_INTERVAL (100 * GST_MSECOND)

#define MIN_BASS_MONO_FREQ 20.0
#define MAX_BASS_MONO_FREQ 500.0
#define MIN_GAIN -24.0
#define MAX_GAIN 12.0
#define GLIDE_MS 20.0
/* the controller is followed at least this often */
#define CONTROL_INTERVAL_MS 10

enum
{
  PROP_0,
  PROP_WIDTH,
  PROP_BASS_MONO_FREQ,
  PROP_MID_GAIN,
  PROP_SIDE_GAIN,
  PROP_POST_MESSAGES,
  PROP_INTERVAL,
};

#define STEREO_WIDTH_CAPS                                                      \
  "audio/x-raw, "                                                              \
  "format = (string) { " GST_AUDIO_NE (F32) ", " GST_AUDIO_NE (                \
      F64) " }, "                                                              \
           "rate = (int) [ 8000, 384000 ], "                                   \
           "channels = (int) 2, "                                              \
           "layout = (string) interleaved"

#define gst_stereo_width_parent_class parent_class
G_DEFINE_TYPE (GstStereoWidth, gst_stereo_width, GST_TYPE_AUDIO_FILTER);
GST_ELEMENT_REGISTER_DEFINE_WITH_CODE (stereowidth, "stereowidth",
    GST_RANK_NONE, GST_TYPE_STEREO_WIDTH,
    GST_DEBUG_CATEGORY_INIT (
        gst_stereo_width_debug, "stereowidth", 0, "mid/side stereo width"));

static void gst_stereo_width_set_property (
    GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec);
static void gst_stereo_width_get_property (
    GObject *object, guint prop_id, GValue *value, GParamSpec *pspec);
static gboolean gst_stereo_width_setup (
    GstAudioFilter *filter, const GstAudioInfo *info);
static gboolean gst_stereo_width_accept_caps (
    GstBaseTransform *trans, GstPadDirection direction, GstCaps *caps);
static gboolean gst_stereo_width_sink_event (
    GstBaseTransform *trans, GstEvent *event);
static gboolean gst_stereo_width_stop (GstBaseTransform *trans);
static GstFlowReturn gst_stereo_width_transform_ip (
    GstBaseTransform *trans, GstBuffer *buf);

static void
gst_stereo_width_class_init (GstStereoWidthClass *klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseTransformClass *trans_class = GST_BASE_TRANSFORM_CLASS (klass);
  GstAudioFilterClass *filter_class = GST_AUDIO_FILTER_CLASS (klass);
  GstCaps *caps;
  const GParamFlags flags =
      G_PARAM_READWRITE | GST_PARAM_CONTROLLABLE | G_PARAM_STATIC_STRINGS;

  gobject_class->set_property = gst_stereo_width_set_property;
  gobject_class->get_property = gst_stereo_width_get_property;

  g_object_class_install_property (gobject_class, PROP_WIDTH,
      g_param_spec_double ("width", "Width",
          "Stereo width: 0 mono, 1 unchanged, 2 side doubled (scales the side "
          "signal; the mono sum is untouched)",
          0.0, 4.0, DEFAULT_WIDTH, flags));
  g_object_class_install_property (gobject_class, PROP_BASS_MONO_FREQ,
      g_param_spec_double ("bass-mono-freq", "Bass mono frequency",
          "Side content below this frequency is removed by a phase-coherent "
          "Linkwitz-Riley crossover (Hz; 0 = off, else 20-500)",
          0.0, MAX_BASS_MONO_FREQ, DEFAULT_BASS_MONO_FREQ, flags));
  g_object_class_install_property (gobject_class, PROP_MID_GAIN,
      g_param_spec_double ("mid-gain", "Mid gain",
          "Gain of the mid (L+R) "
          "signal (dB)",
          MIN_GAIN, MAX_GAIN, DEFAULT_MID_GAIN, flags));
  g_object_class_install_property (gobject_class, PROP_SIDE_GAIN,
      g_param_spec_double ("side-gain", "Side gain",
          "Gain of the side (L-R) "
          "signal, on top of width (dB)",
          MIN_GAIN, MAX_GAIN, DEFAULT_SIDE_GAIN, flags));
  g_object_class_install_property (gobject_class, PROP_POST_MESSAGES,
      g_param_spec_boolean ("post-messages", "Post messages",
          "Post a 'stereowidth' element message with the correlation every "
          "interval",
          DEFAULT_POST_MESSAGES, flags));
  g_object_class_install_property (gobject_class, PROP_INTERVAL,
      g_param_spec_uint64 ("interval", "Interval",
          "Interval between meter messages (ns)", GST_MSECOND, G_MAXUINT64,
          DEFAULT_INTERVAL, flags));

  gst_element_class_set_static_metadata (element_class, "Stereo width",
      "Filter/Effect/Audio",
      "Mid/side stereo width with bass-to-mono crossover and correlation meter",
      "gst-mixmaster developers");

  caps = gst_caps_from_string (STEREO_WIDTH_CAPS);
  gst_audio_filter_class_add_pad_templates (filter_class, caps);
  gst_caps_unref (caps);

  filter_class->setup = GST_DEBUG_FUNCPTR (gst_stereo_width_setup);
  trans_class->accept_caps = GST_DEBUG_FUNCPTR (gst_stereo_width_accept_caps);
  trans_class->sink_event = GST_DEBUG_FUNCPTR (gst_stereo_width_sink_event);
  trans_class->stop = GST_DEBUG_FUNCPTR (gst_stereo_width_stop);
  trans_class->transform_ip = GST_DEBUG_FUNCPTR (gst_stereo_width_transform_ip);
  trans_class->transform_ip_on_passthrough = FALSE;
}

static void
gst_stereo_width_init (GstStereoWidth *self)
{
  self->width = DEFAULT_WIDTH;
  self->bass_mono_freq = DEFAULT_BASS_MONO_FREQ;
  self->mid_gain = DEFAULT_MID_GAIN;
  self->side_gain = DEFAULT_SIDE_GAIN;
  self->post_messages = DEFAULT_POST_MESSAGES;
  self->interval = DEFAULT_INTERVAL;
  self->meter_start = GST_CLOCK_TIME_NONE;

  gst_base_transform_set_in_place (GST_BASE_TRANSFORM (self), TRUE);
  gst_base_transform_set_gap_aware (GST_BASE_TRANSFORM (self), TRUE);
}

static void
gst_stereo_width_set_property (
    GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  GstStereoWidth *self = GST_STEREO_WIDTH (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_WIDTH:
      self->width = g_value_get_double (value);
      break;
    case PROP_BASS_MONO_FREQ: {
      gdouble freq = g_value_get_double (value);
      if (freq > 0.0 && freq < MIN_BASS_MONO_FREQ) {
        GST_OBJECT_UNLOCK (self);
        g_warning ("%s: bass-mono-freq=%g Hz refused: use 0 (off) or "
                   "%g-%g Hz; keeping %g Hz",
            GST_OBJECT_NAME (self), freq, MIN_BASS_MONO_FREQ,
            MAX_BASS_MONO_FREQ, self->bass_mono_freq);
        return;
      }
      self->bass_mono_freq = freq;
      break;
    }
    case PROP_MID_GAIN:
      self->mid_gain = g_value_get_double (value);
      break;
    case PROP_SIDE_GAIN:
      self->side_gain = g_value_get_double (value);
      break;
    case PROP_POST_MESSAGES:
      self->post_messages = g_value_get_boolean (value);
      break;
    case PROP_INTERVAL:
      self->interval = g_value_get_uint64 (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_stereo_width_get_property (
    GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  GstStereoWidth *self = GST_STEREO_WIDTH (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_WIDTH:
      g_value_set_double (value, self->width);
      break;
    case PROP_BASS_MONO_FREQ:
      g_value_set_double (value, self->bass_mono_freq);
      break;
    case PROP_MID_GAIN:
      g_value_set_double (value, self->mid_gain);
      break;
    case PROP_SIDE_GAIN:
      g_value_set_double (value, self->side_gain);
      break;
    case PROP_POST_MESSAGES:
      g_value_set_boolean (value, self->post_messages);
      break;
    case PROP_INTERVAL:
      g_value_set_uint64 (value, self->interval);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_stereo_width_reset_meter (GstStereoWidth *self)
{
  mm_stereo_meter_reset (&self->meter);
  self->meter_start = GST_CLOCK_TIME_NONE;
}

static gboolean
gst_stereo_width_setup (GstAudioFilter *filter, const GstAudioInfo *info)
{
  GstStereoWidth *self = GST_STEREO_WIDTH (filter);

  if (!self->dsp_ready || self->dsp.rate != GST_AUDIO_INFO_RATE (info)) {
    mm_stereo_width_init (&self->dsp, GST_AUDIO_INFO_RATE (info), GLIDE_MS);
    self->dsp_ready = TRUE;
    self->snap_settings = TRUE;
  }
  gst_stereo_width_reset_meter (self);
  return TRUE;
}

/* Refused caps would otherwise end in a bare "not-negotiated" from upstream;
 * say what this element takes and how to get there. */
static gboolean
gst_stereo_width_accept_caps (
    GstBaseTransform *trans, GstPadDirection direction, GstCaps *caps)
{
  gint channels;
  gchar *summary;
  gboolean ret;

  if (GST_BASE_TRANSFORM_CLASS (parent_class)
          ->accept_caps (trans, direction, caps))
    return TRUE;
  if (!gst_caps_is_fixed (caps))
    return FALSE;

  if (gst_structure_get_int (
          gst_caps_get_structure (caps, 0), "channels", &channels) &&
      channels != 2) {
    summary = g_strdup_printf ("stereowidth needs stereo input (2 channels), "
                               "got %d channel%s.",
        channels, channels == 1 ? "" : "s");
    ret = gst_mm_refuse_caps (trans, direction, caps, summary,
        "Put 'audioconvert ! audio/x-raw,channels=2' in front of it to mix "
        "to stereo.");
    g_free (summary);
    return ret;
  }
  return gst_mm_refuse_caps (trans, direction, caps,
      "stereowidth takes interleaved F32 or F64 stereo audio at 8000-384000 "
      "Hz.",
      "Put 'audioconvert' (and 'audioresample' for other rates) in front of "
      "it.");
}

static gboolean
gst_stereo_width_sink_event (GstBaseTransform *trans, GstEvent *event)
{
  GstStereoWidth *self = GST_STEREO_WIDTH (trans);

  if (GST_EVENT_TYPE (event) == GST_EVENT_FLUSH_STOP) {
    if (self->dsp_ready)
      mm_stereo_width_reset (&self->dsp);
    self->snap_settings = TRUE;
    gst_stereo_width_reset_meter (self);
  }
  return GST_BASE_TRANSFORM_CLASS (parent_class)->sink_event (trans, event);
}

static gboolean
gst_stereo_width_stop (GstBaseTransform *trans)
{
  GstStereoWidth *self = GST_STEREO_WIDTH (trans);

  self->dsp_ready = FALSE;
  gst_stereo_width_reset_meter (self);
  return TRUE;
}

/* Hands the current property values to the DSP: they glide while playing and
 * apply at once before the first sample. Returns whether meters are wanted and
 * their interval. */
static gboolean
gst_stereo_width_apply_settings (GstStereoWidth *self, guint64 *interval)
{
  gdouble width, bass_mono_freq, mid_gain, side_gain;
  gboolean post_messages;

  GST_OBJECT_LOCK (self);
  width = self->width;
  bass_mono_freq = self->bass_mono_freq;
  mid_gain = self->mid_gain;
  side_gain = self->side_gain;
  post_messages = self->post_messages;
  *interval = self->interval;
  GST_OBJECT_UNLOCK (self);

  mm_stereo_width_set_width (&self->dsp, width);
  mm_stereo_width_set_bass_mono_freq (&self->dsp, bass_mono_freq);
  mm_stereo_width_set_mid_gain_db (&self->dsp, mid_gain);
  mm_stereo_width_set_side_gain_db (&self->dsp, side_gain);
  if (self->snap_settings) {
    mm_stereo_width_snap (&self->dsp);
    self->snap_settings = FALSE;
  }
  return post_messages;
}

static void
gst_stereo_width_post_meter (GstStereoWidth *self, GstClockTime duration)
{
  GstBaseTransform *trans = GST_BASE_TRANSFORM (self);
  GstSegment *segment = &trans->segment;
  GstClockTime start = self->meter_start;
  GstStructure *s;

  s = gst_mm_meter_structure_new ("stereowidth", segment, start, duration);
  gst_structure_set (s, "correlation", G_TYPE_DOUBLE,
      mm_stereo_meter_correlation (&self->meter), "side-to-mid", G_TYPE_DOUBLE,
      mm_stereo_meter_side_to_mid_db (&self->meter), NULL);
  gst_element_post_message (
      GST_ELEMENT (self), gst_message_new_element (GST_OBJECT (self), s));
}

/* Feeds the output frames to the correlation meter, posting a message each time
 * an interval fills up. frames is NULL for a GAP buffer (silence). */
static void
gst_stereo_width_meter (GstStereoWidth *self, const guint8 *frames,
    guint n_frames, GstClockTime pts, guint64 interval)
{
  GstAudioFilter *filter = GST_AUDIO_FILTER (self);
  gint rate = GST_AUDIO_FILTER_RATE (filter);
  gint bpf = GST_AUDIO_FILTER_BPF (filter);
  gboolean is_f32 = GST_AUDIO_FILTER_FORMAT (filter) == GST_AUDIO_FORMAT_F32;
  guint64 interval_frames =
      MAX (1, gst_util_uint64_scale_round (interval, rate, GST_SECOND));
  guint done = 0;

  while (done < n_frames) {
    guint64 room = interval_frames > self->meter.n_frames
        ? interval_frames - self->meter.n_frames
        : 1;
    guint len = (guint) MIN (room, (guint64) (n_frames - done));

    if (self->meter.n_frames == 0)
      self->meter_start = GST_CLOCK_TIME_IS_VALID (pts)
          ? pts + gst_util_uint64_scale_int_round (done, GST_SECOND, rate)
          : 0;

    if (frames == NULL)
      self->meter.n_frames += len;
    else if (is_f32)
      mm_stereo_meter_add_f32 (
          &self->meter, (const float *) (frames + (gsize) done * bpf), len);
    else
      mm_stereo_meter_add_f64 (
          &self->meter, (const double *) (frames + (gsize) done * bpf), len);
    done += len;

    if (self->meter.n_frames >= interval_frames) {
      gst_stereo_width_post_meter (self,
          gst_util_uint64_scale_int (self->meter.n_frames, GST_SECOND, rate));
      gst_stereo_width_reset_meter (self);
    }
  }
}

static GstFlowReturn
gst_stereo_width_transform_ip (GstBaseTransform *trans, GstBuffer *buf)
{
  GstStereoWidth *self = GST_STEREO_WIDTH (trans);
  GstAudioFilter *filter = GST_AUDIO_FILTER (trans);
  gint rate = GST_AUDIO_FILTER_RATE (filter);
  gint bpf = GST_AUDIO_FILTER_BPF (filter);
  gboolean is_f32 = GST_AUDIO_FILTER_FORMAT (filter) == GST_AUDIO_FORMAT_F32;
  GstClockTime pts = GST_BUFFER_PTS (buf);
  guint n_frames, chunk_frames, done, len;
  gboolean post_messages;
  guint64 interval;
  GstMapInfo map;

  if (G_UNLIKELY (!self->dsp_ready || rate <= 0 || bpf <= 0))
    return GST_FLOW_NOT_NEGOTIATED;

  if (GST_BUFFER_FLAG_IS_SET (buf, GST_BUFFER_FLAG_DISCONT))
    mm_stereo_width_reset (&self->dsp);

  n_frames = gst_buffer_get_size (buf) / bpf;
  gst_mm_sync_controls (GST_BASE_TRANSFORM (self), GST_OBJECT (self), pts);
  post_messages = gst_stereo_width_apply_settings (self, &interval);

  if (GST_BUFFER_FLAG_IS_SET (buf, GST_BUFFER_FLAG_GAP)) {
    /* Silence in, silence out: no filter tail worth computing. */
    mm_stereo_width_reset (&self->dsp);
    if (post_messages)
      gst_stereo_width_meter (self, NULL, n_frames, pts, interval);
    return GST_FLOW_OK;
  }

  if (mm_stereo_width_is_identity (&self->dsp) &&
      !gst_object_has_active_control_bindings (GST_OBJECT (self))) {
    gst_mm_buffer_sanitize (buf, is_f32);
  } else {
    if (!gst_buffer_map (buf, &map, GST_MAP_READWRITE)) {
      GST_ELEMENT_ERROR (self, RESOURCE, WRITE, (NULL),
          ("Could not map the buffer for writing"));
      return GST_FLOW_ERROR;
    }
    /* Follow the controller every CONTROL_INTERVAL_MS of audio at least. */
    chunk_frames = MAX (1, rate * CONTROL_INTERVAL_MS / 1000);
    for (done = 0; done < n_frames; done += len) {
      gpointer data = map.data + (gsize) done * bpf;

      len = MIN (chunk_frames, n_frames - done);
      if (done > 0 && GST_CLOCK_TIME_IS_VALID (pts)) {
        gst_mm_sync_controls (GST_BASE_TRANSFORM (self), GST_OBJECT (self),
            pts + gst_util_uint64_scale_int_round (done, GST_SECOND, rate));
        post_messages = gst_stereo_width_apply_settings (self, &interval);
      }
      if (is_f32)
        mm_stereo_width_process_f32 (&self->dsp, data, len);
      else
        mm_stereo_width_process_f64 (&self->dsp, data, len);
    }
    gst_buffer_unmap (buf, &map);
  }

  if (post_messages && n_frames > 0 &&
      gst_buffer_map (buf, &map, GST_MAP_READ)) {
    gst_stereo_width_meter (self, map.data, n_frames, pts, interval);
    gst_buffer_unmap (buf, &map);
  }

  return GST_FLOW_OK;
}
