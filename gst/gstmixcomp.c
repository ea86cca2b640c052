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
 * SECTION:element-mixcomp
 * @title: mixcomp
 *
 * A feed-forward compressor for vocals, drum and mix buses and mastering: a peak
 * or RMS detector (with an optional high-pass so bass does not pump it), a
 * static curve with a quadratic soft knee, attack and release smoothing of the
 * gain in dB, stereo link, makeup gain, lookahead and a dry/wet mix for
 * parallel compression.
 *
 * With #GstMixComp:lookahead the audio is delayed so the gain can move before a
 * transient arrives; the delay is reported in the LATENCY query, the output
 * keeps the input's timestamps and sample count, and the tail is drained at
 * EOS. `ratio=1` with no makeup is bit-exact pass-through.
 *
 * With #GstMixComp:post-messages, an element message named `mixcomp` is
 * posted every #GstMixComp:interval with the field `gain-reduction` (gdouble,
 * dB, >= 0: the largest over the interval, across channels), plus `timestamp`,
 * `stream-time`, `running-time` and `duration`.
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 audiotestsrc wave=pink-noise num-buffers=300 ! audioconvert ! \
 *     mixcomp threshold=-24 ratio=3 attack=5 release=120 makeup=4 ! \
 *     audioconvert ! autoaudiosink
 * ]| A vocal-style 3:1 compression with 4 dB of makeup.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstmixcomp.h"

#include <gst/audio/audio.h>
#include <math.h>

#include "gstmmutil.h"

GST_DEBUG_CATEGORY_STATIC (gst_mix_comp_debug);
#define GST_CAT_DEFAULT gst_mix_comp_debug

#define DEFAULT_THRESHOLD -18.0
#define DEFAULT_RATIO 4.0
#define DEFAULT_KNEE 6.0
#define DEFAULT_ATTACK 10.0
#define DEFAULT_RELEASE 150.0
#define DEFAULT_MAKEUP 0.0
#define DEFAULT_AUTO_MAKEUP FALSE
#define DEFAULT_DETECTOR MM_DETECT_RMS
#define DEFAULT_RMS_WINDOW 10.0
#define DEFAULT_STEREO_LINK 1.0
#define DEFAULT_LOOKAHEAD 0.0
#define DEFAULT_MIX 1.0
#define DEFAULT_SIDECHAIN_HPF 0.0
#define DEFAULT_POST_MESSAGES FALSE
#define DEFAULT_INTERVAL (100 * GST_MSECOND)

#define MAX_LOOKAHEAD_MS 20.0
#define MIN_SIDECHAIN_HPF 20.0
#define MAX_SIDECHAIN_HPF 500.0
#define GLIDE_MS 20.0
#define CONTROL_INTERVAL_MS 10

enum
{
  PROP_0,
  PROP_THRESHOLD,
  PROP_RATIO,
  PROP_KNEE,
  PROP_ATTACK,
  PROP_RELEASE,
  PROP_MAKEUP,
  PROP_AUTO_MAKEUP,
  PROP_DETECTOR,
  PROP_RMS_WINDOW,
  PROP_STEREO_LINK,
  PROP_LOOKAHEAD,
  PROP_MIX,
  PROP_SIDECHAIN_HPF,
  PROP_POST_MESSAGES,
  PROP_INTERVAL,
};

#define GST_TYPE_MIX_COMP_DETECTOR (gst_mix_comp_detector_get_type ())
static GType
gst_mix_comp_detector_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    { MM_DETECT_PEAK, "Peak: the sample level", "peak" },
    { MM_DETECT_RMS, "RMS: the mean square over rms-window", "rms" },
    { 0, NULL, NULL },
  };
  if (g_once_init_enter (&type))
    g_once_init_leave (
        &type, g_enum_register_static ("GstMixCompDetector", values));
  return type;
}

#define MIX_COMP_CAPS                                                          \
  "audio/x-raw, "                                                              \
  "format = (string) { " GST_AUDIO_NE (F32) ", " GST_AUDIO_NE (                \
      F64) " }, "                                                              \
           "rate = (int) [ 8000, 384000 ], "                                   \
           "channels = (int) [ 1, 8 ], "                                       \
           "layout = (string) interleaved"

#define gst_mix_comp_parent_class parent_class
G_DEFINE_TYPE (GstMixComp, gst_mix_comp, GST_TYPE_AUDIO_FILTER);
GST_ELEMENT_REGISTER_DEFINE_WITH_CODE (mixcomp, "mixcomp", GST_RANK_NONE,
    GST_TYPE_MIX_COMP,
    GST_DEBUG_CATEGORY_INIT (gst_mix_comp_debug, "mixcomp", 0, "compressor"));

static void gst_mix_comp_finalize (GObject *object);
static void gst_mix_comp_set_property (
    GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec);
static void gst_mix_comp_get_property (
    GObject *object, guint prop_id, GValue *value, GParamSpec *pspec);
static gboolean gst_mix_comp_setup (
    GstAudioFilter *filter, const GstAudioInfo *info);
static gboolean gst_mix_comp_accept_caps (
    GstBaseTransform *trans, GstPadDirection direction, GstCaps *caps);
static gboolean gst_mix_comp_sink_event (
    GstBaseTransform *trans, GstEvent *event);
static gboolean gst_mix_comp_query (
    GstBaseTransform *trans, GstPadDirection direction, GstQuery *query);
static gboolean gst_mix_comp_start (GstBaseTransform *trans);
static gboolean gst_mix_comp_stop (GstBaseTransform *trans);
static GstFlowReturn gst_mix_comp_generate_output (
    GstBaseTransform *trans, GstBuffer **outbuf);
static void gst_mix_comp_drain (GstMixComp *self);

static void
gst_mix_comp_class_init (GstMixCompClass *klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseTransformClass *trans_class = GST_BASE_TRANSFORM_CLASS (klass);
  GstAudioFilterClass *filter_class = GST_AUDIO_FILTER_CLASS (klass);
  const GParamFlags flags = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS;
  const GParamFlags ctl = flags | GST_PARAM_CONTROLLABLE;
  GstCaps *caps;

  gobject_class->finalize = gst_mix_comp_finalize;
  gobject_class->set_property = gst_mix_comp_set_property;
  gobject_class->get_property = gst_mix_comp_get_property;

  g_object_class_install_property (gobject_class, PROP_THRESHOLD,
      g_param_spec_double ("threshold", "Threshold",
          "Level where compression starts, at the middle of the knee (dBFS)",
          -60.0, 0.0, DEFAULT_THRESHOLD, ctl));
  g_object_class_install_property (gobject_class, PROP_RATIO,
      g_param_spec_double ("ratio", "Ratio",
          "Input dB over the threshold per output dB (1 = off)", 1.0, 100.0,
          DEFAULT_RATIO, ctl));
  g_object_class_install_property (gobject_class, PROP_KNEE,
      g_param_spec_double ("knee", "Knee",
          "Width of the soft knee around the threshold (dB, 0 = hard)", 0.0,
          24.0, DEFAULT_KNEE, ctl));
  g_object_class_install_property (gobject_class, PROP_ATTACK,
      g_param_spec_double ("attack", "Attack",
          "Time for 63 % of a gain reduction to set in (ms)", 0.01, 500.0,
          DEFAULT_ATTACK, ctl));
  g_object_class_install_property (gobject_class, PROP_RELEASE,
      g_param_spec_double ("release", "Release",
          "Time for 63 % of a gain reduction to recover (ms)", 1.0, 5000.0,
          DEFAULT_RELEASE, ctl));
  g_object_class_install_property (gobject_class, PROP_MAKEUP,
      g_param_spec_double ("makeup", "Makeup", "Gain after compression (dB)",
          -24.0, 24.0, DEFAULT_MAKEUP, ctl));
  g_object_class_install_property (gobject_class, PROP_AUTO_MAKEUP,
      g_param_spec_boolean ("auto-makeup", "Auto makeup",
          "Add the gain reduction the static curve applies to a 0 dB level "
          "(on top of makeup)",
          DEFAULT_AUTO_MAKEUP, ctl));
  g_object_class_install_property (gobject_class, PROP_DETECTOR,
      g_param_spec_enum ("detector", "Detector", "How the level is measured",
          GST_TYPE_MIX_COMP_DETECTOR, DEFAULT_DETECTOR, flags));
  g_object_class_install_property (gobject_class, PROP_RMS_WINDOW,
      g_param_spec_double ("rms-window", "RMS window",
          "Time constant of the RMS detector's mean square (ms)", 1.0, 100.0,
          DEFAULT_RMS_WINDOW, ctl));
  g_object_class_install_property (gobject_class, PROP_STEREO_LINK,
      g_param_spec_double ("stereo-link", "Stereo link",
          "0: each channel on its own; 1: one gain, from the loudest channel",
          0.0, 1.0, DEFAULT_STEREO_LINK, ctl));
  g_object_class_install_property (gobject_class, PROP_LOOKAHEAD,
      g_param_spec_double ("lookahead", "Lookahead",
          "Delay of the audio against the detector, reported as latency (ms)",
          0.0, MAX_LOOKAHEAD_MS, DEFAULT_LOOKAHEAD, flags));
  g_object_class_install_property (gobject_class, PROP_MIX,
      g_param_spec_double ("mix", "Mix",
          "0: dry only, 1: compressed only; between: parallel compression "
          "(the dry path is delay-matched)",
          0.0, 1.0, DEFAULT_MIX, ctl));
  g_object_class_install_property (gobject_class, PROP_SIDECHAIN_HPF,
      g_param_spec_double ("sidechain-hpf", "Side-chain high-pass",
          "High-pass on the detector path so bass does not pump the gain "
          "(Hz; 0 = off, else 20-500)",
          0.0, MAX_SIDECHAIN_HPF, DEFAULT_SIDECHAIN_HPF, ctl));
  g_object_class_install_property (gobject_class, PROP_POST_MESSAGES,
      g_param_spec_boolean ("post-messages", "Post messages",
          "Post a 'mixcomp' element message with the gain reduction every "
          "interval",
          DEFAULT_POST_MESSAGES, ctl));
  g_object_class_install_property (gobject_class, PROP_INTERVAL,
      g_param_spec_uint64 ("interval", "Interval",
          "Interval between meter messages (ns)", GST_MSECOND, G_MAXUINT64,
          DEFAULT_INTERVAL, ctl));

  gst_element_class_set_static_metadata (element_class, "Compressor",
      "Filter/Effect/Audio",
      "Compressor with soft knee, lookahead, stereo link and parallel mix",
      "gst-mixmaster developers");

  caps = gst_caps_from_string (MIX_COMP_CAPS);
  gst_audio_filter_class_add_pad_templates (filter_class, caps);
  gst_caps_unref (caps);

  filter_class->setup = GST_DEBUG_FUNCPTR (gst_mix_comp_setup);
  trans_class->accept_caps = GST_DEBUG_FUNCPTR (gst_mix_comp_accept_caps);
  trans_class->sink_event = GST_DEBUG_FUNCPTR (gst_mix_comp_sink_event);
  trans_class->query = GST_DEBUG_FUNCPTR (gst_mix_comp_query);
  trans_class->start = GST_DEBUG_FUNCPTR (gst_mix_comp_start);
  trans_class->stop = GST_DEBUG_FUNCPTR (gst_mix_comp_stop);
  trans_class->generate_output =
      GST_DEBUG_FUNCPTR (gst_mix_comp_generate_output);

  gst_type_mark_as_plugin_api (GST_TYPE_MIX_COMP_DETECTOR, 0);
}

static void
gst_mix_comp_init (GstMixComp *self)
{
  self->threshold = DEFAULT_THRESHOLD;
  self->ratio = DEFAULT_RATIO;
  self->knee = DEFAULT_KNEE;
  self->attack = DEFAULT_ATTACK;
  self->release = DEFAULT_RELEASE;
  self->makeup = DEFAULT_MAKEUP;
  self->auto_makeup = DEFAULT_AUTO_MAKEUP;
  self->detector = DEFAULT_DETECTOR;
  self->rms_window = DEFAULT_RMS_WINDOW;
  self->stereo_link = DEFAULT_STEREO_LINK;
  self->lookahead = DEFAULT_LOOKAHEAD;
  self->mix = DEFAULT_MIX;
  self->sidechain_hpf = DEFAULT_SIDECHAIN_HPF;
  self->post_messages = DEFAULT_POST_MESSAGES;
  self->interval = DEFAULT_INTERVAL;
  self->next_pts = GST_CLOCK_TIME_NONE;
  self->meter_start = GST_CLOCK_TIME_NONE;
  gst_base_transform_set_gap_aware (GST_BASE_TRANSFORM (self), FALSE);
}

static void
gst_mix_comp_finalize (GObject *object)
{
  g_free (GST_MIX_COMP (object)->delay_storage);
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
gst_mix_comp_set_property (
    GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  GstMixComp *self = GST_MIX_COMP (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_THRESHOLD:
      self->threshold = g_value_get_double (value);
      break;
    case PROP_RATIO:
      self->ratio = g_value_get_double (value);
      break;
    case PROP_KNEE:
      self->knee = g_value_get_double (value);
      break;
    case PROP_ATTACK:
      self->attack = g_value_get_double (value);
      break;
    case PROP_RELEASE:
      self->release = g_value_get_double (value);
      break;
    case PROP_MAKEUP:
      self->makeup = g_value_get_double (value);
      break;
    case PROP_AUTO_MAKEUP:
      self->auto_makeup = g_value_get_boolean (value);
      break;
    case PROP_DETECTOR:
      self->detector = g_value_get_enum (value);
      break;
    case PROP_RMS_WINDOW:
      self->rms_window = g_value_get_double (value);
      break;
    case PROP_STEREO_LINK:
      self->stereo_link = g_value_get_double (value);
      break;
    case PROP_LOOKAHEAD:
      if (self->dsp_ready)
        g_warning ("%s: lookahead can only change in the NULL or READY "
                   "state; keeping %g ms",
            GST_OBJECT_NAME (self), self->lookahead);
      else
        self->lookahead = g_value_get_double (value);
      break;
    case PROP_MIX:
      self->mix = g_value_get_double (value);
      break;
    case PROP_SIDECHAIN_HPF: {
      gdouble freq = g_value_get_double (value);
      if (freq > 0.0 && freq < MIN_SIDECHAIN_HPF)
        g_warning ("%s: sidechain-hpf=%g Hz refused: use 0 (off) or %g-%g "
                   "Hz; keeping %g Hz",
            GST_OBJECT_NAME (self), freq, MIN_SIDECHAIN_HPF, MAX_SIDECHAIN_HPF,
            self->sidechain_hpf);
      else
        self->sidechain_hpf = freq;
      break;
    }
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
gst_mix_comp_get_property (
    GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  GstMixComp *self = GST_MIX_COMP (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_THRESHOLD:
      g_value_set_double (value, self->threshold);
      break;
    case PROP_RATIO:
      g_value_set_double (value, self->ratio);
      break;
    case PROP_KNEE:
      g_value_set_double (value, self->knee);
      break;
    case PROP_ATTACK:
      g_value_set_double (value, self->attack);
      break;
    case PROP_RELEASE:
      g_value_set_double (value, self->release);
      break;
    case PROP_MAKEUP:
      g_value_set_double (value, self->makeup);
      break;
    case PROP_AUTO_MAKEUP:
      g_value_set_boolean (value, self->auto_makeup);
      break;
    case PROP_DETECTOR:
      g_value_set_enum (value, self->detector);
      break;
    case PROP_RMS_WINDOW:
      g_value_set_double (value, self->rms_window);
      break;
    case PROP_STEREO_LINK:
      g_value_set_double (value, self->stereo_link);
      break;
    case PROP_LOOKAHEAD:
      g_value_set_double (value, self->lookahead);
      break;
    case PROP_MIX:
      g_value_set_double (value, self->mix);
      break;
    case PROP_SIDECHAIN_HPF:
      g_value_set_double (value, self->sidechain_hpf);
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
gst_mix_comp_restart_stream (GstMixComp *self)
{
  if (self->dsp_ready)
    mm_compressor_reset (&self->dsp);
  self->trim_left = self->lookahead_frames;
  self->next_pts = GST_CLOCK_TIME_NONE;
  self->snap_settings = TRUE;
  self->meter_frames = 0;
  self->meter_reduction = 0.0f;
  self->meter_start = GST_CLOCK_TIME_NONE;
}

static gboolean
gst_mix_comp_setup (GstAudioFilter *filter, const GstAudioInfo *info)
{
  GstMixComp *self = GST_MIX_COMP (filter);
  gint rate = GST_AUDIO_INFO_RATE (info);
  gint channels = GST_AUDIO_INFO_CHANNELS (info);
  gsize max_frames = (gsize) ceil (MAX_LOOKAHEAD_MS * rate / 1000.0);
  gdouble lookahead;

  GST_OBJECT_LOCK (self);
  lookahead = self->lookahead;
  GST_OBJECT_UNLOCK (self);

  g_free (self->delay_storage);
  self->delay_storage = g_new0 (double, channels *(max_frames + 1));
  self->lookahead_frames = (guint) lround (lookahead * rate / 1000.0);
  mm_compressor_init (&self->dsp, rate, channels, self->delay_storage,
      max_frames, self->lookahead_frames, GLIDE_MS);
  self->applied_detector = -1;
  GST_OBJECT_LOCK (self);
  self->dsp_ready = TRUE;
  GST_OBJECT_UNLOCK (self);
  gst_mix_comp_restart_stream (self);
  gst_element_post_message (
      GST_ELEMENT (self), gst_message_new_latency (GST_OBJECT (self)));
  return TRUE;
}

static gboolean
gst_mix_comp_accept_caps (
    GstBaseTransform *trans, GstPadDirection direction, GstCaps *caps)
{
  if (GST_BASE_TRANSFORM_CLASS (parent_class)
          ->accept_caps (trans, direction, caps))
    return TRUE;
  return gst_mm_refuse_caps (trans, direction, caps,
      "mixcomp takes interleaved F32 or F64 audio with 1 to 8 channels at "
      "8000-384000 Hz.",
      "Put 'audioconvert' (and 'audioresample' for other rates) in front of "
      "it.");
}

static gboolean
gst_mix_comp_query (
    GstBaseTransform *trans, GstPadDirection direction, GstQuery *query)
{
  GstMixComp *self = GST_MIX_COMP (trans);

  if (direction == GST_PAD_SRC && GST_QUERY_TYPE (query) == GST_QUERY_LATENCY) {
    gboolean live;
    GstClockTime min, max, ours;

    if (!gst_pad_peer_query (GST_BASE_TRANSFORM_SINK_PAD (trans), query))
      return FALSE;
    gst_query_parse_latency (query, &live, &min, &max);
    ours = self->dsp_ready
        ? gst_mm_frames_to_time (
              GST_AUDIO_FILTER_RATE (GST_AUDIO_FILTER (self)),
              self->lookahead_frames)
        : 0;
    GST_DEBUG_OBJECT (
        self, "adding %" GST_TIME_FORMAT " of lookahead", GST_TIME_ARGS (ours));
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
gst_mix_comp_apply_settings (GstMixComp *self, guint64 *interval)
{
  gdouble threshold, ratio, knee, attack, release, makeup, rms_window, link,
      mix, hpf;
  gboolean auto_makeup, post_messages;
  MmDetectMode detector;

  GST_OBJECT_LOCK (self);
  threshold = self->threshold;
  ratio = self->ratio;
  knee = self->knee;
  attack = self->attack;
  release = self->release;
  makeup = self->makeup;
  auto_makeup = self->auto_makeup;
  detector = self->detector;
  rms_window = self->rms_window;
  link = self->stereo_link;
  mix = self->mix;
  hpf = self->sidechain_hpf;
  post_messages = self->post_messages;
  *interval = self->interval;
  GST_OBJECT_UNLOCK (self);

  mm_compressor_set_curve (&self->dsp, threshold, ratio, knee);
  mm_compressor_set_times (&self->dsp, attack, release, 0.0);
  if (detector != self->applied_detector ||
      rms_window != self->applied_rms_window || hpf != self->applied_hpf) {
    mm_compressor_set_detector (&self->dsp, detector, rms_window, hpf);
    self->applied_detector = detector;
    self->applied_rms_window = rms_window;
    self->applied_hpf = hpf;
  }
  mm_compressor_set_link (&self->dsp, link);
  mm_compressor_set_makeup (&self->dsp, makeup, auto_makeup);
  mm_compressor_set_mix (&self->dsp, mix);
  if (self->snap_settings) {
    mm_compressor_snap (&self->dsp);
    self->snap_settings = FALSE;
  }
  return post_messages;
}

static void
gst_mix_comp_meter (
    GstMixComp *self, guint n_frames, GstClockTime start, guint64 interval)
{
  gint rate = GST_AUDIO_FILTER_RATE (GST_AUDIO_FILTER (self));
  guint64 interval_frames =
      MAX (1, gst_util_uint64_scale_round (interval, rate, GST_SECOND));
  gfloat reduction = mm_compressor_take_reduction (&self->dsp);

  if (self->meter_frames == 0)
    self->meter_start = start;
  self->meter_reduction = MAX (self->meter_reduction, reduction);
  self->meter_frames += n_frames;
  if (self->meter_frames >= interval_frames) {
    GstStructure *s = gst_mm_meter_structure_new ("mixcomp",
        &GST_BASE_TRANSFORM (self)->segment, self->meter_start,
        gst_mm_frames_to_time (GST_AUDIO_FILTER_RATE (GST_AUDIO_FILTER (self)),
            self->meter_frames));
    gst_structure_set (s, "gain-reduction", G_TYPE_DOUBLE,
        (gdouble) self->meter_reduction, NULL);
    gst_element_post_message (
        GST_ELEMENT (self), gst_message_new_element (GST_OBJECT (self), s));
    self->meter_frames = 0;
    self->meter_reduction = 0.0f;
  }
}

/* Compresses a writable buffer in place, following the controller every
 * CONTROL_INTERVAL_MS of audio. in_pts is the time of its first frame. */
static gboolean
gst_mix_comp_process (GstMixComp *self, GstBuffer *buf, GstClockTime in_pts)
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
    GstClockTime t = GST_CLOCK_TIME_IS_VALID (in_pts) ? in_pts +
            gst_mm_frames_to_time (
                GST_AUDIO_FILTER_RATE (GST_AUDIO_FILTER (self)), done)
                                                      : GST_CLOCK_TIME_NONE;
    guint64 interval;
    gboolean meter;
    gpointer data = map.data + (gsize) done * bpf;

    gst_mm_sync_controls (GST_BASE_TRANSFORM (self), GST_OBJECT (self), t);
    meter = gst_mix_comp_apply_settings (self, &interval);
    len = MIN (chunk, n_frames - done);
    if (meter) {
      /* end the chunk where the meter interval ends */
      guint64 interval_frames =
          MAX (1, gst_util_uint64_scale_round (interval, rate, GST_SECOND));
      if (self->meter_frames < interval_frames)
        len = MIN (len, interval_frames - self->meter_frames);
    }
    if (is_f32)
      mm_compressor_process_f32 (&self->dsp, data, len);
    else
      mm_compressor_process_f64 (&self->dsp, data, len);
    if (meter)
      gst_mix_comp_meter (self, len, t, interval);
  }
  gst_buffer_unmap (buf, &map);
  return TRUE;
}

/* Drops the delay line's leading frames, then stamps the buffer so output frame
 * k carries the time of input frame k. Returns NULL when all was dropped. */
static GstBuffer *
gst_mix_comp_finish_output (GstMixComp *self, GstBuffer *buf)
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
    n_frames -= drop;
  }
  if (GST_CLOCK_TIME_IS_VALID (self->next_pts)) {
    GST_BUFFER_PTS (buf) = self->next_pts;
    GST_BUFFER_DURATION (buf) = gst_mm_frames_to_time (
        GST_AUDIO_FILTER_RATE (GST_AUDIO_FILTER (self)), n_frames);
    self->next_pts += GST_BUFFER_DURATION (buf);
  }
  return buf;
}

static GstFlowReturn
gst_mix_comp_generate_output (GstBaseTransform *trans, GstBuffer **outbuf)
{
  GstMixComp *self = GST_MIX_COMP (trans);
  GstBuffer *buf = trans->queued_buf;
  GstClockTime pts;

  *outbuf = NULL;
  trans->queued_buf = NULL;
  if (buf == NULL)
    return GST_FLOW_OK;
  if (G_UNLIKELY (!self->dsp_ready)) {
    gst_buffer_unref (buf);
    return GST_FLOW_NOT_NEGOTIATED;
  }

  pts = GST_BUFFER_PTS (buf);
  if (GST_BUFFER_FLAG_IS_SET (buf, GST_BUFFER_FLAG_DISCONT) &&
      GST_CLOCK_TIME_IS_VALID (self->next_pts)) {
    /* the frames still in the delay line belong to the old timeline */
    gst_mix_comp_drain (self);
    gst_mix_comp_restart_stream (self);
  }
  if (!GST_CLOCK_TIME_IS_VALID (self->next_pts))
    self->next_pts = pts;

  buf = gst_buffer_make_writable (buf);
  GST_BUFFER_FLAG_UNSET (buf, GST_BUFFER_FLAG_GAP);
  if (!gst_mix_comp_process (self, buf, pts)) {
    gst_buffer_unref (buf);
    GST_ELEMENT_ERROR (self, RESOURCE, WRITE, (NULL),
        ("Could not map the buffer for writing"));
    return GST_FLOW_ERROR;
  }
  *outbuf = gst_mix_comp_finish_output (self, buf);
  return GST_FLOW_OK;
}

/* At EOS the last `lookahead` frames are still in the delay line. */
static void
gst_mix_comp_drain (GstMixComp *self)
{
  gint bpf = GST_AUDIO_FILTER_BPF (GST_AUDIO_FILTER (self));
  GstBuffer *buf;

  if (!self->dsp_ready || self->lookahead_frames == 0 ||
      !GST_CLOCK_TIME_IS_VALID (self->next_pts))
    return;
  buf = gst_buffer_new_allocate (
      NULL, (gsize) self->lookahead_frames * bpf, NULL);
  gst_buffer_memset (buf, 0, 0, gst_buffer_get_size (buf));
  if (!gst_mix_comp_process (self, buf, GST_CLOCK_TIME_NONE)) {
    gst_buffer_unref (buf);
    return;
  }
  buf = gst_mix_comp_finish_output (self, buf);
  if (buf)
    gst_pad_push (GST_BASE_TRANSFORM_SRC_PAD (self), buf);
}

static gboolean
gst_mix_comp_sink_event (GstBaseTransform *trans, GstEvent *event)
{
  GstMixComp *self = GST_MIX_COMP (trans);

  switch (GST_EVENT_TYPE (event)) {
    case GST_EVENT_EOS:
      gst_mix_comp_drain (self);
      break;
    case GST_EVENT_FLUSH_STOP:
      gst_mix_comp_restart_stream (self);
      break;
    default:
      break;
  }
  return GST_BASE_TRANSFORM_CLASS (parent_class)->sink_event (trans, event);
}

static gboolean
gst_mix_comp_start (GstBaseTransform *trans)
{
  gst_mix_comp_restart_stream (GST_MIX_COMP (trans));
  return TRUE;
}

static gboolean
gst_mix_comp_stop (GstBaseTransform *trans)
{
  GstMixComp *self = GST_MIX_COMP (trans);

  GST_OBJECT_LOCK (self);
  self->dsp_ready = FALSE;
  GST_OBJECT_UNLOCK (self);
  return TRUE;
}
