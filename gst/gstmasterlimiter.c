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
 * SECTION:element-masterlimiter
 * @title: masterlimiter
 *
 * A lookahead brickwall limiter for the last stage of a master: it raises the
 * mix by #GstMasterLimiter:input-gain and holds its peaks at or under
 * #GstMasterLimiter:ceiling, with no overshoot.
 *
 * With #GstMasterLimiter:true-peak (the default) the peaks are measured
 * between the samples too, as a DAC or a lossy encoder will see them: the
 * detector oversamples #GstMasterLimiter:oversampling times with a cascade of
 * half-band FIRs, and also reads the points a BS.1770 meter such as
 * libebur128 reads (on the detector path only; the audio stays at its own
 * rate). What it guarantees (at the default 8x):
 *
 * - true-peak on: the output's sample peak never exceeds the ceiling, nor does
 *   its true peak as measured by a 4x meter such as libebur128; a finer
 *   (16x windowed-sinc) measurement stays within 0.1 dB of it;
 * - true-peak off: the output's sample peak never exceeds the ceiling;
 * - audio whose true peak stays at least 0.5 dB under the ceiling comes out
 *   bit-exact, only delayed (the gain is exactly 1.0);
 * - NaN and Inf input samples come out as silence; the output is always
 *   finite.
 *
 * The gain is a sliding minimum of the gain each frame needs over the
 * lookahead window, smoothed by a moving average of the same length, so it
 * starts to fall a whole #GstMasterLimiter:lookahead before a peak arrives and
 * never lets one through. #GstMasterLimiter:release sets how fast it comes back
 * (the time to recover 20 dB); with #GstMasterLimiter:auto-release it recovers
 * four times faster after short transients, until the gain is back near the
 * reduction the program has been getting, and at the set release from there
 * (so sustained overs do not pump).
 *
 * The audio is delayed by the lookahead plus the true-peak detector's own
 * delay of a few dozen frames (see mm_limiter_latency_frames ()). The LATENCY
 * query reports that delay, converted from frames to time rounded to the
 * nearest nanosecond (gst_util_uint64_scale_int_round ()); the lookahead in
 * frames is #GstMasterLimiter:lookahead × rate / 1000 rounded to the nearest
 * frame, at least 1. The output keeps the input's timestamps and sample
 * count: the delay line's first frames are dropped, and its tail is drained at
 * EOS and before a discontinuity. State is reset on FLUSH_STOP.
 *
 * #GstMasterLimiter:lookahead, #GstMasterLimiter:true-peak and
 * #GstMasterLimiter:oversampling may change while playing: at the next buffer
 * the audio held in the delay line runs again through the new configuration
 * (with the frames before it, so the detector sees across the change, and
 * with the gain where it was), no frame is lost or added, and a latency
 * message is posted so the pipeline can query the new latency.
 *
 * With #GstMasterLimiter:post-messages, an element message named
 * `masterlimiter` is posted every #GstMasterLimiter:interval with the field
 * `gain-reduction` (gdouble, dB, >= 0: the largest over the interval, across
 * channels), plus `timestamp`, `stream-time`, `running-time` and `duration`.
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 filesrc location=mix.wav ! wavparse ! audioconvert ! \
 *     masterlimiter input-gain=6 ceiling=-1 ! audioconvert ! wavenc ! \
 *     filesink location=master.wav
 * ]| Raises a mix by 6 dB and holds it at -1 dBTP, the usual streaming
 * delivery ceiling.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstmasterlimiter.h"

#include <gst/audio/audio.h>
#include <math.h>

#include "gstmmutil.h"

GST_DEBUG_CATEGORY_STATIC (gst_master_limiter_debug);
#define GST_CAT_DEFAULT gst_master_limiter_debug

#define DEFAULT_CEILING -1.0
#define DEFAULT_INPUT_GAIN 0.0
#define DEFAULT_LOOKAHEAD 5.0
#define DEFAULT_RELEASE 150.0
#define DEFAULT_AUTO_RELEASE TRUE
#define DEFAULT_TRUE_PEAK TRUE
#define DEFAULT_OVERSAMPLING 8
#define DEFAULT_STEREO_LINK 1.0
#define DEFAULT_POST_MESSAGES FALSE
#define DEFAULT_INTERVAL (100 * GST_MSECOND)

#define MIN_LOOKAHEAD_MS 0.5
#define MAX_LOOKAHEAD_MS 20.0
#define CONTROL_INTERVAL_MS 10

enum
{
  PROP_0,
  PROP_CEILING,
  PROP_INPUT_GAIN,
  PROP_LOOKAHEAD,
  PROP_RELEASE,
  PROP_AUTO_RELEASE,
  PROP_TRUE_PEAK,
  PROP_OVERSAMPLING,
  PROP_STEREO_LINK,
  PROP_POST_MESSAGES,
  PROP_INTERVAL,
};

#define MASTER_LIMITER_CAPS                                                    \
  "audio/x-raw, "                                                              \
  "format = (string) { " GST_AUDIO_NE (F32) ", " GST_AUDIO_NE (                \
      F64) " }, "                                                              \
           "rate = (int) [ 8000, 384000 ], "                                   \
           "channels = (int) [ 1, 8 ], "                                       \
           "layout = (string) interleaved"

#define gst_master_limiter_parent_class parent_class
G_DEFINE_TYPE (GstMasterLimiter, gst_master_limiter, GST_TYPE_AUDIO_FILTER);
GST_ELEMENT_REGISTER_DEFINE_WITH_CODE (masterlimiter, "masterlimiter",
    GST_RANK_NONE, GST_TYPE_MASTER_LIMITER,
    GST_DEBUG_CATEGORY_INIT (
        gst_master_limiter_debug, "masterlimiter", 0, "true-peak limiter"));

static void gst_master_limiter_finalize (GObject *object);
static void gst_master_limiter_set_property (
    GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec);
static void gst_master_limiter_get_property (
    GObject *object, guint prop_id, GValue *value, GParamSpec *pspec);
static gboolean gst_master_limiter_setup (
    GstAudioFilter *filter, const GstAudioInfo *info);
static gboolean gst_master_limiter_accept_caps (
    GstBaseTransform *trans, GstPadDirection direction, GstCaps *caps);
static gboolean gst_master_limiter_sink_event (
    GstBaseTransform *trans, GstEvent *event);
static gboolean gst_master_limiter_query (
    GstBaseTransform *trans, GstPadDirection direction, GstQuery *query);
static gboolean gst_master_limiter_start (GstBaseTransform *trans);
static gboolean gst_master_limiter_stop (GstBaseTransform *trans);
static GstFlowReturn gst_master_limiter_generate_output (
    GstBaseTransform *trans, GstBuffer **outbuf);
static void gst_master_limiter_drain (GstMasterLimiter *self);

static void
gst_master_limiter_class_init (GstMasterLimiterClass *klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseTransformClass *trans_class = GST_BASE_TRANSFORM_CLASS (klass);
  GstAudioFilterClass *filter_class = GST_AUDIO_FILTER_CLASS (klass);
  const GParamFlags flags = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS;
  const GParamFlags ctl = flags | GST_PARAM_CONTROLLABLE;
  GstCaps *caps;

  gobject_class->finalize = gst_master_limiter_finalize;
  gobject_class->set_property = gst_master_limiter_set_property;
  gobject_class->get_property = gst_master_limiter_get_property;

  g_object_class_install_property (gobject_class, PROP_CEILING,
      g_param_spec_double ("ceiling", "Ceiling",
          "Highest level of the output: its true peak with true-peak on, else "
          "its sample peak (dBTP)",
          -20.0, 0.0, DEFAULT_CEILING, ctl));
  g_object_class_install_property (gobject_class, PROP_INPUT_GAIN,
      g_param_spec_double ("input-gain", "Input gain",
          "Gain before the limiter: how hard it is driven (dB)", -12.0, 24.0,
          DEFAULT_INPUT_GAIN, ctl));
  g_object_class_install_property (gobject_class, PROP_LOOKAHEAD,
      g_param_spec_double ("lookahead", "Lookahead",
          "Time the gain starts to fall before a peak; delays the audio, "
          "reported as latency (ms)",
          MIN_LOOKAHEAD_MS, MAX_LOOKAHEAD_MS, DEFAULT_LOOKAHEAD, flags));
  g_object_class_install_property (gobject_class, PROP_RELEASE,
      g_param_spec_double ("release", "Release",
          "Time for the gain to recover 20 dB once a peak has passed (ms)", 1.0,
          2000.0, DEFAULT_RELEASE, ctl));
  g_object_class_install_property (gobject_class, PROP_AUTO_RELEASE,
      g_param_spec_boolean ("auto-release", "Auto release",
          "Program-dependent release: four times faster after short "
          "transients, the set release on sustained overs",
          DEFAULT_AUTO_RELEASE, flags));
  g_object_class_install_property (gobject_class, PROP_TRUE_PEAK,
      g_param_spec_boolean ("true-peak", "True peak",
          "Limit the true peak, between the samples (off: the sample peak)",
          DEFAULT_TRUE_PEAK, flags));
  g_object_class_install_property (gobject_class, PROP_OVERSAMPLING,
      g_param_spec_int ("oversampling", "Oversampling",
          "Oversampling factor of the true-peak detector: 2, 4 or 8", 2, 8,
          DEFAULT_OVERSAMPLING, flags));
  g_object_class_install_property (gobject_class, PROP_STEREO_LINK,
      g_param_spec_double ("stereo-link", "Stereo link",
          "0: each channel on its own; 1: one gain, from the loudest channel",
          0.0, 1.0, DEFAULT_STEREO_LINK, ctl));
  g_object_class_install_property (gobject_class, PROP_POST_MESSAGES,
      g_param_spec_boolean ("post-messages", "Post messages",
          "Post a 'masterlimiter' element message with the gain reduction "
          "every interval",
          DEFAULT_POST_MESSAGES, flags));
  g_object_class_install_property (gobject_class, PROP_INTERVAL,
      g_param_spec_uint64 ("interval", "Interval",
          "Interval between meter messages (ns)", GST_MSECOND, G_MAXUINT64,
          DEFAULT_INTERVAL, flags));

  gst_element_class_set_static_metadata (element_class, "True-peak limiter",
      "Filter/Effect/Audio",
      "Lookahead brickwall limiter that holds the true peak under a ceiling",
      "gst-mixmaster developers");

  caps = gst_caps_from_string (MASTER_LIMITER_CAPS);
  gst_audio_filter_class_add_pad_templates (filter_class, caps);
  gst_caps_unref (caps);

  filter_class->setup = GST_DEBUG_FUNCPTR (gst_master_limiter_setup);
  trans_class->accept_caps = GST_DEBUG_FUNCPTR (gst_master_limiter_accept_caps);
  trans_class->sink_event = GST_DEBUG_FUNCPTR (gst_master_limiter_sink_event);
  trans_class->query = GST_DEBUG_FUNCPTR (gst_master_limiter_query);
  trans_class->start = GST_DEBUG_FUNCPTR (gst_master_limiter_start);
  trans_class->stop = GST_DEBUG_FUNCPTR (gst_master_limiter_stop);
  trans_class->generate_output =
      GST_DEBUG_FUNCPTR (gst_master_limiter_generate_output);
}

static void
gst_master_limiter_init (GstMasterLimiter *self)
{
  self->ceiling = DEFAULT_CEILING;
  self->input_gain = DEFAULT_INPUT_GAIN;
  self->lookahead = DEFAULT_LOOKAHEAD;
  self->release = DEFAULT_RELEASE;
  self->auto_release = DEFAULT_AUTO_RELEASE;
  self->true_peak = DEFAULT_TRUE_PEAK;
  self->oversampling = DEFAULT_OVERSAMPLING;
  self->stereo_link = DEFAULT_STEREO_LINK;
  self->post_messages = DEFAULT_POST_MESSAGES;
  self->interval = DEFAULT_INTERVAL;
  self->latency = 0;
  self->base_pts = GST_CLOCK_TIME_NONE;
  self->meter_start = GST_CLOCK_TIME_NONE;
  gst_base_transform_set_gap_aware (GST_BASE_TRANSFORM (self), FALSE);
}

static void
gst_master_limiter_finalize (GObject *object)
{
  GstMasterLimiter *self = GST_MASTER_LIMITER (object);

  if (self->dsp)
    mm_limiter_free (self->dsp);
  self->dsp = NULL;
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
gst_master_limiter_set_property (
    GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  GstMasterLimiter *self = GST_MASTER_LIMITER (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_CEILING:
      self->ceiling = g_value_get_double (value);
      break;
    case PROP_INPUT_GAIN:
      self->input_gain = g_value_get_double (value);
      break;
    case PROP_LOOKAHEAD:
      self->lookahead = g_value_get_double (value);
      break;
    case PROP_RELEASE:
      self->release = g_value_get_double (value);
      break;
    case PROP_AUTO_RELEASE:
      self->auto_release = g_value_get_boolean (value);
      break;
    case PROP_TRUE_PEAK:
      self->true_peak = g_value_get_boolean (value);
      break;
    case PROP_OVERSAMPLING: {
      gint factor = g_value_get_int (value);
      if (factor != 2 && factor != 4 && factor != 8)
        g_warning ("%s: oversampling=%d refused: use 2, 4 or 8; keeping %d",
            GST_OBJECT_NAME (self), factor, self->oversampling);
      else
        self->oversampling = factor;
      break;
    }
    case PROP_STEREO_LINK:
      self->stereo_link = g_value_get_double (value);
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
gst_master_limiter_get_property (
    GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  GstMasterLimiter *self = GST_MASTER_LIMITER (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_CEILING:
      g_value_set_double (value, self->ceiling);
      break;
    case PROP_INPUT_GAIN:
      g_value_set_double (value, self->input_gain);
      break;
    case PROP_LOOKAHEAD:
      g_value_set_double (value, self->lookahead);
      break;
    case PROP_RELEASE:
      g_value_set_double (value, self->release);
      break;
    case PROP_AUTO_RELEASE:
      g_value_set_boolean (value, self->auto_release);
      break;
    case PROP_TRUE_PEAK:
      g_value_set_boolean (value, self->true_peak);
      break;
    case PROP_OVERSAMPLING:
      g_value_set_int (value, self->oversampling);
      break;
    case PROP_STEREO_LINK:
      g_value_set_double (value, self->stereo_link);
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

/* Frames of real input held in the delay line: what a drain gives out. */
static guint
gst_master_limiter_held_frames (GstMasterLimiter *self)
{
  if (!self->dsp_ready)
    return 0;
  return self->latency_frames - MIN (self->trim_left, self->latency_frames);
}

static void
gst_master_limiter_restart_stream (GstMasterLimiter *self)
{
  if (self->dsp_ready)
    mm_limiter_reset (self->dsp);
  self->trim_left = self->latency_frames;
  self->base_pts = GST_CLOCK_TIME_NONE;
  self->started = FALSE;
  self->out_frames = 0;
  self->snap_settings = TRUE;
  self->meter_frames = 0;
  self->meter_reduction = 0.0;
  self->meter_start = GST_CLOCK_TIME_NONE;
}

/* The lookahead (frames) and detector factor the properties ask for. */
static void
gst_master_limiter_wanted_config (
    GstMasterLimiter *self, gint rate, gsize *lookahead_frames, gint *factor)
{
  gdouble lookahead;
  gboolean true_peak;
  gint oversampling;

  GST_OBJECT_LOCK (self);
  lookahead = self->lookahead;
  true_peak = self->true_peak;
  oversampling = self->oversampling;
  GST_OBJECT_UNLOCK (self);

  *lookahead_frames = (gsize) MAX (1, lround (lookahead * rate / 1000.0));
  *factor = true_peak ? oversampling : 1;
}

/* Sets the lookahead and detector (which resets the DSP's state) and the
 * latency they make. */
static void
gst_master_limiter_note_config (
    GstMasterLimiter *self, gint rate, gsize lookahead_frames, gint factor)
{
  GstClockTime latency;

  self->lookahead_frames = lookahead_frames;
  self->factor = factor;
  self->latency_frames = (guint) mm_limiter_latency_frames (self->dsp);
  latency = gst_mm_frames_to_time (rate, self->latency_frames);
  GST_OBJECT_LOCK (self);
  self->latency = latency;
  GST_OBJECT_UNLOCK (self);
  GST_DEBUG_OBJECT (self,
      "lookahead %" G_GSIZE_FORMAT " frames, oversampling %d: latency %u "
      "frames (%" GST_TIME_FORMAT ")",
      lookahead_frames, factor, self->latency_frames, GST_TIME_ARGS (latency));
}

static void
gst_master_limiter_configure (
    GstMasterLimiter *self, gint rate, gsize lookahead_frames, gint factor)
{
  mm_limiter_set_lookahead_frames (self->dsp, lookahead_frames);
  mm_limiter_set_oversampling (self->dsp, factor);
  gst_master_limiter_note_config (self, rate, lookahead_frames, factor);
}

static gboolean
gst_master_limiter_setup (GstAudioFilter *filter, const GstAudioInfo *info)
{
  GstMasterLimiter *self = GST_MASTER_LIMITER (filter);
  gint rate = GST_AUDIO_INFO_RATE (info);
  gint channels = GST_AUDIO_INFO_CHANNELS (info);
  MmLimiter *dsp;
  gsize lookahead_frames;
  gint factor;

  /* the audio still held belongs to the old caps (the filter's info is still
   * the old one here, and the new caps go downstream after this) */
  if (gst_master_limiter_held_frames (self) > 0)
    gst_master_limiter_drain (self);

  dsp = mm_limiter_new (channels, rate, MAX_LOOKAHEAD_MS);
  if (dsp == NULL) {
    GST_ELEMENT_ERROR (self, RESOURCE, FAILED, (NULL),
        ("Could not set up the limiter for %d channels at %d Hz", channels,
            rate));
    return FALSE;
  }

  GST_OBJECT_LOCK (self);
  self->dsp_ready = FALSE;
  GST_OBJECT_UNLOCK (self);
  if (self->dsp)
    mm_limiter_free (self->dsp);
  self->dsp = dsp;

  gst_master_limiter_wanted_config (self, rate, &lookahead_frames, &factor);
  gst_master_limiter_configure (self, rate, lookahead_frames, factor);
  self->applied_ceiling = NAN;
  self->applied_input_gain = NAN;
  self->applied_release = NAN;
  self->applied_auto_release = -1;
  self->applied_stereo_link = NAN;
  GST_OBJECT_LOCK (self);
  self->dsp_ready = TRUE;
  GST_OBJECT_UNLOCK (self);
  gst_master_limiter_restart_stream (self);
  gst_element_post_message (
      GST_ELEMENT (self), gst_message_new_latency (GST_OBJECT (self)));
  return TRUE;
}

static gboolean
gst_master_limiter_accept_caps (
    GstBaseTransform *trans, GstPadDirection direction, GstCaps *caps)
{
  if (GST_BASE_TRANSFORM_CLASS (parent_class)
          ->accept_caps (trans, direction, caps))
    return TRUE;
  return gst_mm_refuse_caps (trans, direction, caps,
      "masterlimiter takes interleaved F32 or F64 audio with 1 to 8 channels "
      "at 8000-384000 Hz.",
      "Put 'audioconvert' (and 'audioresample' for other rates) in front of "
      "it.");
}

static gboolean
gst_master_limiter_query (
    GstBaseTransform *trans, GstPadDirection direction, GstQuery *query)
{
  GstMasterLimiter *self = GST_MASTER_LIMITER (trans);

  if (direction == GST_PAD_SRC && GST_QUERY_TYPE (query) == GST_QUERY_LATENCY) {
    gboolean live;
    GstClockTime min, max, ours;

    if (!gst_pad_peer_query (GST_BASE_TRANSFORM_SINK_PAD (trans), query))
      return FALSE;
    gst_query_parse_latency (query, &live, &min, &max);
    GST_OBJECT_LOCK (self);
    ours = self->dsp_ready ? self->latency : 0;
    GST_OBJECT_UNLOCK (self);
    GST_DEBUG_OBJECT (
        self, "adding %" GST_TIME_FORMAT " of delay", GST_TIME_ARGS (ours));
    min += ours;
    if (GST_CLOCK_TIME_IS_VALID (max))
      max += ours;
    gst_query_set_latency (query, live, min, max);
    return TRUE;
  }
  return GST_BASE_TRANSFORM_CLASS (parent_class)
      ->query (trans, direction, query);
}

/* Hands the properties to the DSP. Returns whether meters are wanted. */
static gboolean
gst_master_limiter_apply_settings (GstMasterLimiter *self, guint64 *interval)
{
  gdouble ceiling, input_gain, release, link;
  gboolean auto_release, post_messages;

  GST_OBJECT_LOCK (self);
  ceiling = self->ceiling;
  input_gain = self->input_gain;
  release = self->release;
  auto_release = self->auto_release;
  link = self->stereo_link;
  post_messages = self->post_messages;
  *interval = self->interval;
  GST_OBJECT_UNLOCK (self);

  if (ceiling != self->applied_ceiling) {
    mm_limiter_set_ceiling_db (self->dsp, ceiling);
    self->applied_ceiling = ceiling;
  }
  if (input_gain != self->applied_input_gain) {
    mm_limiter_set_input_gain_db (self->dsp, input_gain);
    self->applied_input_gain = input_gain;
  }
  if (release != self->applied_release ||
      auto_release != self->applied_auto_release) {
    mm_limiter_set_release (self->dsp, release, auto_release);
    self->applied_release = release;
    self->applied_auto_release = auto_release;
  }
  if (link != self->applied_stereo_link) {
    mm_limiter_set_stereo_link (self->dsp, link);
    self->applied_stereo_link = link;
  }
  if (self->snap_settings) {
    mm_limiter_snap (self->dsp);
    self->snap_settings = FALSE;
  }
  return post_messages;
}

static void
gst_master_limiter_meter (GstMasterLimiter *self, guint n_frames,
    GstClockTime start, guint64 interval)
{
  gint rate = GST_AUDIO_FILTER_RATE (GST_AUDIO_FILTER (self));
  guint64 interval_frames =
      MAX (1, gst_util_uint64_scale_round (interval, rate, GST_SECOND));
  gdouble reduction = mm_limiter_take_reduction_db (self->dsp);

  if (self->meter_frames == 0)
    self->meter_start = start;
  self->meter_reduction = MAX (self->meter_reduction, reduction);
  self->meter_frames += n_frames;
  if (self->meter_frames >= interval_frames) {
    GstStructure *s = gst_mm_meter_structure_new ("masterlimiter",
        &GST_BASE_TRANSFORM (self)->segment, self->meter_start,
        gst_mm_frames_to_time (rate, self->meter_frames));
    gst_structure_set (
        s, "gain-reduction", G_TYPE_DOUBLE, self->meter_reduction, NULL);
    gst_element_post_message (
        GST_ELEMENT (self), gst_message_new_element (GST_OBJECT (self), s));
    self->meter_frames = 0;
    self->meter_reduction = 0.0;
  }
}

/* Limits a writable buffer in place, following the controller every
 * CONTROL_INTERVAL_MS of audio. in_pts is the time of its first frame; a drain
 * (silence pushed through to get the held audio out) neither syncs the
 * controller nor meters. */
static gboolean
gst_master_limiter_process (GstMasterLimiter *self, GstBuffer *buf,
    GstClockTime in_pts, gboolean draining)
{
  GstAudioFilter *filter = GST_AUDIO_FILTER (self);
  gint rate = GST_AUDIO_FILTER_RATE (filter);
  gint bpf = GST_AUDIO_FILTER_BPF (filter);
  gboolean is_f32 = GST_AUDIO_FILTER_FORMAT (filter) == GST_AUDIO_FORMAT_F32;
  guint chunk = MAX (1, rate * CONTROL_INTERVAL_MS / 1000);
  guint n_frames, done, len;
  GstMapInfo map;

  if (!gst_buffer_map (buf, &map, GST_MAP_READWRITE))
    return FALSE;
  n_frames = map.size / bpf;
  for (done = 0; done < n_frames; done += len) {
    GstClockTime t = GST_CLOCK_TIME_IS_VALID (in_pts)
        ? in_pts + gst_mm_frames_to_time (rate, done)
        : GST_CLOCK_TIME_NONE;
    guint64 interval;
    gboolean meter;
    gpointer data = map.data + (gsize) done * bpf;

    if (!draining)
      gst_mm_sync_controls (GST_BASE_TRANSFORM (self), GST_OBJECT (self), t);
    meter = gst_master_limiter_apply_settings (self, &interval) && !draining;
    len = MIN (chunk, n_frames - done);
    if (meter) {
      /* end the chunk where the meter interval ends */
      guint64 interval_frames =
          MAX (1, gst_util_uint64_scale_round (interval, rate, GST_SECOND));
      if (self->meter_frames < interval_frames)
        len = MIN (len, interval_frames - self->meter_frames);
    }
    if (is_f32)
      mm_limiter_process_f32 (self->dsp, data, len);
    else
      mm_limiter_process_f64 (self->dsp, data, len);
    if (meter)
      gst_master_limiter_meter (self, len, t, interval);
  }
  gst_buffer_unmap (buf, &map);
  return TRUE;
}

/* Drops the delay line's leading frames. Returns NULL when all was dropped. */
static GstBuffer *
gst_master_limiter_trim (GstMasterLimiter *self, GstBuffer *buf)
{
  gint bpf = GST_AUDIO_FILTER_BPF (GST_AUDIO_FILTER (self));
  gsize n_frames = gst_buffer_get_size (buf) / bpf;

  if (self->trim_left > 0) {
    gsize drop = MIN (self->trim_left, n_frames);
    self->trim_left -= drop;
    if (drop == n_frames) {
      gst_buffer_unref (buf);
      return NULL;
    }
    gst_buffer_resize (buf, drop * bpf, -1);
  }
  return buf;
}

/* Stamps an output buffer so output frame k carries the time of input frame
 * k. */
static void
gst_master_limiter_stamp (GstMasterLimiter *self, GstBuffer *buf)
{
  GstAudioFilter *filter = GST_AUDIO_FILTER (self);
  gsize n_frames = gst_buffer_get_size (buf) / GST_AUDIO_FILTER_BPF (filter);

  gint rate = GST_AUDIO_FILTER_RATE (filter);

  if (GST_CLOCK_TIME_IS_VALID (self->base_pts)) {
    /* from the frame count, so that rounding never accumulates */
    GstClockTime end = self->base_pts +
        gst_mm_frames_to_time (rate, self->out_frames + n_frames);
    GST_BUFFER_PTS (buf) =
        self->base_pts + gst_mm_frames_to_time (rate, self->out_frames);
    GST_BUFFER_DURATION (buf) = end - GST_BUFFER_PTS (buf);
  }
  self->out_frames += n_frames;
}

/* The held audio, pushed out of the delay line by silence: trimmed, not
 * stamped, or NULL when nothing is held. */
static GstBuffer *
gst_master_limiter_drain_buffer (GstMasterLimiter *self)
{
  gint bpf = GST_AUDIO_FILTER_BPF (GST_AUDIO_FILTER (self));
  GstBuffer *buf;

  if (gst_master_limiter_held_frames (self) == 0)
    return NULL;
  buf =
      gst_buffer_new_allocate (NULL, (gsize) self->latency_frames * bpf, NULL);
  gst_buffer_memset (buf, 0, 0, gst_buffer_get_size (buf));
  if (!gst_master_limiter_process (self, buf, GST_CLOCK_TIME_NONE, TRUE)) {
    gst_buffer_unref (buf);
    return NULL;
  }
  return gst_master_limiter_trim (self, buf);
}

/* At EOS and before a discontinuity, the last frames are still in the delay
 * line. */
static void
gst_master_limiter_drain (GstMasterLimiter *self)
{
  GstBuffer *buf = gst_master_limiter_drain_buffer (self);

  if (buf == NULL)
    return;
  gst_master_limiter_stamp (self, buf);
  gst_pad_push (GST_BASE_TRANSFORM_SRC_PAD (self), buf);
}

/* A new lookahead or detector while playing: the held audio runs again
 * through the new configuration, so the gain and the detector carry across
 * the change. What is due at once (the latency shrank) comes back, trimmed,
 * for the front of this output; a longer latency means more frames to drop. */
static GstBuffer *
gst_master_limiter_reconfigure (
    GstMasterLimiter *self, gint rate, gsize lookahead_frames, gint factor)
{
  GstAudioFilter *filter = GST_AUDIO_FILTER (self);
  gint bpf = GST_AUDIO_FILTER_BPF (filter);
  GstBuffer *buf =
      gst_buffer_new_allocate (NULL, (gsize) self->latency_frames * bpf, NULL);
  GstMapInfo map;
  gsize due = 0, more = 0;

  if (gst_buffer_map (buf, &map, GST_MAP_WRITE)) {
    if (GST_AUDIO_FILTER_FORMAT (filter) == GST_AUDIO_FORMAT_F32)
      due = mm_limiter_reconfigure_f32 (
          self->dsp, lookahead_frames, factor, (gfloat *) map.data, &more);
    else
      due = mm_limiter_reconfigure_f64 (
          self->dsp, lookahead_frames, factor, (gdouble *) map.data, &more);
    gst_buffer_unmap (buf, &map);
  } else {
    /* without room for what is due, start afresh as after a drain */
    gst_buffer_unref (buf);
    buf = gst_master_limiter_drain_buffer (self);
    gst_master_limiter_configure (self, rate, lookahead_frames, factor);
    self->trim_left = self->latency_frames;
    return buf;
  }
  gst_master_limiter_note_config (self, rate, lookahead_frames, factor);
  gst_buffer_resize (buf, 0, (gssize) (due * bpf));
  if (due == 0) {
    gst_buffer_unref (buf);
    buf = NULL;
  } else {
    buf = gst_master_limiter_trim (self, buf);
  }
  self->trim_left += more;
  return buf;
}

static GstFlowReturn
gst_master_limiter_generate_output (GstBaseTransform *trans, GstBuffer **outbuf)
{
  GstMasterLimiter *self = GST_MASTER_LIMITER (trans);
  GstBuffer *buf = trans->queued_buf, *head = NULL;
  GstClockTime pts;
  gsize lookahead_frames;
  gint factor, rate;

  *outbuf = NULL;
  trans->queued_buf = NULL;
  if (buf == NULL)
    return GST_FLOW_OK;
  if (G_UNLIKELY (!self->dsp_ready)) {
    gst_buffer_unref (buf);
    return GST_FLOW_NOT_NEGOTIATED;
  }
  rate = GST_AUDIO_FILTER_RATE (GST_AUDIO_FILTER (self));

  pts = GST_BUFFER_PTS (buf);
  if (GST_BUFFER_FLAG_IS_SET (buf, GST_BUFFER_FLAG_DISCONT) && self->started) {
    /* the frames still in the delay line belong to the old timeline */
    gst_master_limiter_drain (self);
    gst_master_limiter_restart_stream (self);
  }
  if (!self->started) {
    self->base_pts = pts;
    self->started = TRUE;
  }

  gst_master_limiter_wanted_config (self, rate, &lookahead_frames, &factor);
  if (lookahead_frames != self->lookahead_frames || factor != self->factor) {
    head =
        gst_master_limiter_reconfigure (self, rate, lookahead_frames, factor);
    gst_element_post_message (
        GST_ELEMENT (self), gst_message_new_latency (GST_OBJECT (self)));
  }

  buf = gst_buffer_make_writable (buf);
  GST_BUFFER_FLAG_UNSET (buf, GST_BUFFER_FLAG_GAP);
  if (!gst_master_limiter_process (self, buf, pts, FALSE)) {
    gst_buffer_unref (buf);
    if (head)
      gst_buffer_unref (head);
    GST_ELEMENT_ERROR (self, RESOURCE, WRITE, (NULL),
        ("Could not map the buffer for writing"));
    return GST_FLOW_ERROR;
  }
  buf = gst_master_limiter_trim (self, buf);
  if (head) {
    if (buf) {
      gst_buffer_insert_memory (buf, 0, gst_buffer_get_all_memory (head));
      gst_buffer_unref (head);
    } else {
      buf = head;
    }
  }
  if (buf)
    gst_master_limiter_stamp (self, buf);
  *outbuf = buf;
  return GST_FLOW_OK;
}

static gboolean
gst_master_limiter_sink_event (GstBaseTransform *trans, GstEvent *event)
{
  GstMasterLimiter *self = GST_MASTER_LIMITER (trans);

  switch (GST_EVENT_TYPE (event)) {
    case GST_EVENT_EOS:
      gst_master_limiter_drain (self);
      break;
    case GST_EVENT_FLUSH_STOP:
      gst_master_limiter_restart_stream (self);
      break;
    default:
      break;
  }
  return GST_BASE_TRANSFORM_CLASS (parent_class)->sink_event (trans, event);
}

static gboolean
gst_master_limiter_start (GstBaseTransform *trans)
{
  gst_master_limiter_restart_stream (GST_MASTER_LIMITER (trans));
  return TRUE;
}

static gboolean
gst_master_limiter_stop (GstBaseTransform *trans)
{
  GstMasterLimiter *self = GST_MASTER_LIMITER (trans);

  GST_OBJECT_LOCK (self);
  self->dsp_ready = FALSE;
  GST_OBJECT_UNLOCK (self);
  if (self->dsp)
    mm_limiter_free (self->dsp);
  self->dsp = NULL;
  return TRUE;
}
