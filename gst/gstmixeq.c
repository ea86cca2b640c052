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
 * SECTION:element-mixeq
 * @title: mixeq
 *
 * A parametric EQ for mixing and mastering: up to 32 bands in series, each a
 * bell, shelf, tilt, pass, band-pass, notch or all-pass filter, on all channels
 * or on the mid, side, left or right of a stereo pair.
 *
 * The bands are children (#GstChildProxy) named `band0`, `band1`, ..., with the
 * properties `type`, `freq` (Hz), `gain` (dB), `q`, `slope` (dB/octave, pass
 * filters), `channels` and `enabled`; gst-launch reaches them as
 * `band0::freq=250`. Set #GstMixEq:num-bands before the band properties.
 *
 * Bells and shelves follow the analog prototypes of the Audio EQ Cookbook up to
 * Nyquist instead of cramping there like bilinear designs; pass filters are
 * Butterworth with -3.01 dB at the cutoff. Settings made before playback apply
 * from the first sample; changes while playing glide over 20 ms, and controller
 * bindings are followed every 32 samples. A bare mixeq, or one whose bells and
 * shelves are all at 0 dB, is bit-exact pass-through.
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 audiotestsrc wave=pink-noise num-buffers=200 ! audioconvert ! \
 *     mixeq num-bands=3 band0::type=high-pass band0::freq=30 \
 *     band1::freq=250 band1::gain=-3 band1::q=1.4 \
 *     band2::type=high-shelf band2::freq=10000 band2::gain=1.5 ! \
 *     audioconvert ! autoaudiosink
 * ]| A low cut at 30 Hz, a 3 dB dip at 250 Hz and a little air above 10 kHz.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstmixeq.h"

#include <gst/audio/audio.h>
#include <string.h>

#include "gstmmutil.h"

GST_DEBUG_CATEGORY_STATIC (gst_mix_eq_debug);
#define GST_CAT_DEFAULT gst_mix_eq_debug

#define DEFAULT_NUM_BANDS 4
#define DEFAULT_OUTPUT_GAIN 0.0
#define DEFAULT_TYPE MM_EQ_PEAKING
#define DEFAULT_FREQ 1000.0
#define DEFAULT_GAIN 0.0
#define DEFAULT_Q 0.707
#define DEFAULT_SLOPE 12
#define DEFAULT_CHANNELS MM_EQ_ROUTE_ALL
#define DEFAULT_ENABLED TRUE
#define GLIDE_MS 20.0
/* controller bindings are followed, and gliding bands redesigned, this often */
#define CONTROL_FRAMES 32
/* settings without bindings are picked up at least this often */
#define SETTINGS_INTERVAL_MS 10

/* ---- enums ---- */

#define GST_TYPE_MIX_EQ_BAND_TYPE (gst_mix_eq_band_type_get_type ())
static GType
gst_mix_eq_band_type_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    { MM_EQ_PEAKING, "Peaking (bell)", "peaking" },
    { MM_EQ_LOW_SHELF, "Low shelf", "low-shelf" },
    { MM_EQ_HIGH_SHELF, "High shelf", "high-shelf" },
    { MM_EQ_LOW_PASS, "Low-pass (Butterworth)", "low-pass" },
    { MM_EQ_HIGH_PASS, "High-pass (Butterworth)", "high-pass" },
    { MM_EQ_BAND_PASS, "Band-pass (0 dB at freq)", "band-pass" },
    { MM_EQ_NOTCH, "Notch", "notch" },
    { MM_EQ_ALL_PASS, "All-pass", "all-pass" },
    { MM_EQ_TILT_SHELF, "Tilt shelf (-gain/2 below, +gain/2 above)",
        "tilt-shelf" },
    { 0, NULL, NULL },
  };
  if (g_once_init_enter (&type))
    g_once_init_leave (
        &type, g_enum_register_static ("GstMixEqBandType", values));
  return type;
}

#define GST_TYPE_MIX_EQ_SLOPE (gst_mix_eq_slope_get_type ())
static GType
gst_mix_eq_slope_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    { 6, "6 dB/octave (1st order)", "6" },
    { 12, "12 dB/octave (2nd order)", "12" },
    { 18, "18 dB/octave (3rd order)", "18" },
    { 24, "24 dB/octave (4th order)", "24" },
    { 36, "36 dB/octave (6th order)", "36" },
    { 48, "48 dB/octave (8th order)", "48" },
    { 0, NULL, NULL },
  };
  if (g_once_init_enter (&type))
    g_once_init_leave (&type, g_enum_register_static ("GstMixEqSlope", values));
  return type;
}

#define GST_TYPE_MIX_EQ_CHANNELS (gst_mix_eq_channels_get_type ())
static GType
gst_mix_eq_channels_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    { MM_EQ_ROUTE_ALL, "Every channel", "all" },
    { MM_EQ_ROUTE_MID, "Mid (L+R) of a stereo pair", "mid" },
    { MM_EQ_ROUTE_SIDE, "Side (L-R) of a stereo pair", "side" },
    { MM_EQ_ROUTE_LEFT, "Left (first channel)", "left" },
    { MM_EQ_ROUTE_RIGHT, "Right (second channel)", "right" },
    { 0, NULL, NULL },
  };
  if (g_once_init_enter (&type))
    g_once_init_leave (
        &type, g_enum_register_static ("GstMixEqChannels", values));
  return type;
}

/* ---- band ---- */

struct _GstMixEqBand
{
  GstObject parent;

  /* under the band's object lock */
  MmEqType type;
  gdouble freq;
  gdouble gain;
  gdouble q;
  gint slope;
  MmEqRoute channels;
  gboolean enabled;

  /* the owning mixeq's change flag; set after every write */
  gint *settings_changed;
};

enum
{
  PROP_BAND_0,
  PROP_BAND_TYPE,
  PROP_BAND_FREQ,
  PROP_BAND_GAIN,
  PROP_BAND_Q,
  PROP_BAND_SLOPE,
  PROP_BAND_CHANNELS,
  PROP_BAND_ENABLED,
};

G_DEFINE_TYPE (GstMixEqBand, gst_mix_eq_band, GST_TYPE_OBJECT);

static void
gst_mix_eq_band_set_property (
    GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  GstMixEqBand *band = GST_MIX_EQ_BAND (object);

  GST_OBJECT_LOCK (band);
  switch (prop_id) {
    case PROP_BAND_TYPE:
      band->type = g_value_get_enum (value);
      break;
    case PROP_BAND_FREQ:
      band->freq = g_value_get_double (value);
      break;
    case PROP_BAND_GAIN:
      band->gain = g_value_get_double (value);
      break;
    case PROP_BAND_Q:
      band->q = g_value_get_double (value);
      break;
    case PROP_BAND_SLOPE:
      band->slope = g_value_get_enum (value);
      break;
    case PROP_BAND_CHANNELS:
      band->channels = g_value_get_enum (value);
      break;
    case PROP_BAND_ENABLED:
      band->enabled = g_value_get_boolean (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (band);
  if (band->settings_changed)
    g_atomic_int_set (band->settings_changed, 1);
}

static void
gst_mix_eq_band_get_property (
    GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  GstMixEqBand *band = GST_MIX_EQ_BAND (object);

  GST_OBJECT_LOCK (band);
  switch (prop_id) {
    case PROP_BAND_TYPE:
      g_value_set_enum (value, band->type);
      break;
    case PROP_BAND_FREQ:
      g_value_set_double (value, band->freq);
      break;
    case PROP_BAND_GAIN:
      g_value_set_double (value, band->gain);
      break;
    case PROP_BAND_Q:
      g_value_set_double (value, band->q);
      break;
    case PROP_BAND_SLOPE:
      g_value_set_enum (value, band->slope);
      break;
    case PROP_BAND_CHANNELS:
      g_value_set_enum (value, band->channels);
      break;
    case PROP_BAND_ENABLED:
      g_value_set_boolean (value, band->enabled);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (band);
}

static void
gst_mix_eq_band_class_init (GstMixEqBandClass *klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags =
      G_PARAM_READWRITE | GST_PARAM_CONTROLLABLE | G_PARAM_STATIC_STRINGS;

  gobject_class->set_property = gst_mix_eq_band_set_property;
  gobject_class->get_property = gst_mix_eq_band_get_property;

  g_object_class_install_property (gobject_class, PROP_BAND_TYPE,
      g_param_spec_enum ("type", "Type", "Filter type of the band",
          GST_TYPE_MIX_EQ_BAND_TYPE, DEFAULT_TYPE, flags));
  g_object_class_install_property (gobject_class, PROP_BAND_FREQ,
      g_param_spec_double ("freq", "Frequency",
          "Centre, corner or cutoff frequency (Hz; clamped to 0.49 x the "
          "sample rate)",
          1.0, 192000.0, DEFAULT_FREQ, flags));
  g_object_class_install_property (gobject_class, PROP_BAND_GAIN,
      g_param_spec_double ("gain", "Gain",
          "Gain of bells and shelves; a tilt shelf moves -gain/2 below and "
          "+gain/2 above freq (dB)",
          -36.0, 36.0, DEFAULT_GAIN, flags));
  g_object_class_install_property (gobject_class, PROP_BAND_Q,
      g_param_spec_double ("q", "Q",
          "Quality of bells, band-pass, notch and all-pass; the shelf's Q for "
          "shelves (0.707: no overshoot)",
          0.1, 40.0, DEFAULT_Q, flags));
  g_object_class_install_property (gobject_class, PROP_BAND_SLOPE,
      g_param_spec_enum ("slope", "Slope",
          "Slope of low- and high-pass bands (dB/octave, Butterworth)",
          GST_TYPE_MIX_EQ_SLOPE, DEFAULT_SLOPE, flags));
  g_object_class_install_property (gobject_class, PROP_BAND_CHANNELS,
      g_param_spec_enum ("channels", "Channels",
          "Which signal the band acts on (mid and side need stereo)",
          GST_TYPE_MIX_EQ_CHANNELS, DEFAULT_CHANNELS, flags));
  g_object_class_install_property (gobject_class, PROP_BAND_ENABLED,
      g_param_spec_boolean ("enabled", "Enabled",
          "Whether the band plays (off and on crossfade)", DEFAULT_ENABLED,
          flags));
}

static void
gst_mix_eq_band_init (GstMixEqBand *band)
{
  band->type = DEFAULT_TYPE;
  band->freq = DEFAULT_FREQ;
  band->gain = DEFAULT_GAIN;
  band->q = DEFAULT_Q;
  band->slope = DEFAULT_SLOPE;
  band->channels = DEFAULT_CHANNELS;
  band->enabled = DEFAULT_ENABLED;
}

/* ---- element ---- */

enum
{
  PROP_0,
  PROP_NUM_BANDS,
  PROP_OUTPUT_GAIN,
};

#define MIX_EQ_CAPS                                                            \
  "audio/x-raw, "                                                              \
  "format = (string) { " GST_AUDIO_NE (F32) ", " GST_AUDIO_NE (                \
      F64) " }, "                                                              \
           "rate = (int) [ 8000, 384000 ], "                                   \
           "channels = (int) [ 1, 8 ], "                                       \
           "layout = (string) interleaved"

static void gst_mix_eq_child_proxy_init (gpointer g_iface, gpointer iface_data);

#define gst_mix_eq_parent_class parent_class
G_DEFINE_TYPE_WITH_CODE (GstMixEq, gst_mix_eq, GST_TYPE_AUDIO_FILTER,
    G_IMPLEMENT_INTERFACE (GST_TYPE_CHILD_PROXY, gst_mix_eq_child_proxy_init));
GST_ELEMENT_REGISTER_DEFINE_WITH_CODE (mixeq, "mixeq", GST_RANK_NONE,
    GST_TYPE_MIX_EQ,
    GST_DEBUG_CATEGORY_INIT (gst_mix_eq_debug, "mixeq", 0, "parametric EQ"));

static void gst_mix_eq_finalize (GObject *object);
static void gst_mix_eq_set_property (
    GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec);
static void gst_mix_eq_get_property (
    GObject *object, guint prop_id, GValue *value, GParamSpec *pspec);
static gboolean gst_mix_eq_setup (
    GstAudioFilter *filter, const GstAudioInfo *info);
static gboolean gst_mix_eq_accept_caps (
    GstBaseTransform *trans, GstPadDirection direction, GstCaps *caps);
static gboolean gst_mix_eq_sink_event (
    GstBaseTransform *trans, GstEvent *event);
static gboolean gst_mix_eq_stop (GstBaseTransform *trans);
static GstFlowReturn gst_mix_eq_transform_ip (
    GstBaseTransform *trans, GstBuffer *buf);

static GObject *
gst_mix_eq_child_proxy_get_child_by_index (GstChildProxy *proxy, guint index)
{
  GstMixEq *self = GST_MIX_EQ (proxy);
  GObject *child = NULL;

  GST_OBJECT_LOCK (self);
  if (index < self->num_bands)
    child = g_object_ref (G_OBJECT (self->bands[index]));
  GST_OBJECT_UNLOCK (self);
  return child;
}

static guint
gst_mix_eq_child_proxy_get_children_count (GstChildProxy *proxy)
{
  GstMixEq *self = GST_MIX_EQ (proxy);
  guint count;

  GST_OBJECT_LOCK (self);
  count = self->num_bands;
  GST_OBJECT_UNLOCK (self);
  return count;
}

static void
gst_mix_eq_child_proxy_init (gpointer g_iface, gpointer iface_data)
{
  GstChildProxyInterface *iface = g_iface;

  iface->get_child_by_index = gst_mix_eq_child_proxy_get_child_by_index;
  iface->get_children_count = gst_mix_eq_child_proxy_get_children_count;
}

static void
gst_mix_eq_class_init (GstMixEqClass *klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseTransformClass *trans_class = GST_BASE_TRANSFORM_CLASS (klass);
  GstAudioFilterClass *filter_class = GST_AUDIO_FILTER_CLASS (klass);
  GstCaps *caps;

  gobject_class->finalize = gst_mix_eq_finalize;
  gobject_class->set_property = gst_mix_eq_set_property;
  gobject_class->get_property = gst_mix_eq_get_property;

  g_object_class_install_property (gobject_class, PROP_NUM_BANDS,
      g_param_spec_uint ("num-bands", "Number of bands",
          "Number of bands (children band0 ... band<n-1>); set it before "
          "the band properties",
          1, MM_EQ_MAX_BANDS, DEFAULT_NUM_BANDS,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (gobject_class, PROP_OUTPUT_GAIN,
      g_param_spec_double ("output-gain", "Output gain",
          "Gain after the bands (dB)", -24.0, 24.0, DEFAULT_OUTPUT_GAIN,
          G_PARAM_READWRITE | GST_PARAM_CONTROLLABLE | G_PARAM_STATIC_STRINGS));

  gst_element_class_set_static_metadata (element_class, "Parametric EQ",
      "Filter/Effect/Audio",
      "Analog-matched parametric EQ with up to 32 bands, mid/side and "
      "click-free automation",
      "gst-mixmaster developers");

  caps = gst_caps_from_string (MIX_EQ_CAPS);
  gst_audio_filter_class_add_pad_templates (filter_class, caps);
  gst_caps_unref (caps);

  filter_class->setup = GST_DEBUG_FUNCPTR (gst_mix_eq_setup);
  trans_class->accept_caps = GST_DEBUG_FUNCPTR (gst_mix_eq_accept_caps);
  trans_class->sink_event = GST_DEBUG_FUNCPTR (gst_mix_eq_sink_event);
  trans_class->stop = GST_DEBUG_FUNCPTR (gst_mix_eq_stop);
  trans_class->transform_ip = GST_DEBUG_FUNCPTR (gst_mix_eq_transform_ip);
  trans_class->transform_ip_on_passthrough = FALSE;

  gst_type_mark_as_plugin_api (GST_TYPE_MIX_EQ_BAND, 0);
  gst_type_mark_as_plugin_api (GST_TYPE_MIX_EQ_BAND_TYPE, 0);
  gst_type_mark_as_plugin_api (GST_TYPE_MIX_EQ_SLOPE, 0);
  gst_type_mark_as_plugin_api (GST_TYPE_MIX_EQ_CHANNELS, 0);
}

static void
gst_mix_eq_init (GstMixEq *self)
{
  self->num_bands = DEFAULT_NUM_BANDS;
  self->output_gain = DEFAULT_OUTPUT_GAIN;
  for (guint i = 0; i < MM_EQ_MAX_BANDS; i++) {
    gchar *name = g_strdup_printf ("band%u", i);
    self->bands[i] = g_object_new (GST_TYPE_MIX_EQ_BAND, "name", name, NULL);
    gst_object_ref_sink (self->bands[i]);
    gst_object_set_parent (GST_OBJECT (self->bands[i]), GST_OBJECT (self));
    self->bands[i]->settings_changed = &self->settings_changed;
    g_free (name);
  }
  self->dsp = g_new0 (MmEq, 1);

  gst_base_transform_set_in_place (GST_BASE_TRANSFORM (self), TRUE);
  gst_base_transform_set_gap_aware (GST_BASE_TRANSFORM (self), TRUE);
}

static void
gst_mix_eq_finalize (GObject *object)
{
  GstMixEq *self = GST_MIX_EQ (object);

  for (guint i = 0; i < MM_EQ_MAX_BANDS; i++) {
    gst_object_unparent (GST_OBJECT (self->bands[i]));
    gst_object_unref (self->bands[i]);
  }
  g_free (self->dsp);
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
gst_mix_eq_set_property (
    GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  GstMixEq *self = GST_MIX_EQ (object);

  switch (prop_id) {
    case PROP_NUM_BANDS: {
      guint old, n = g_value_get_uint (value);
      GST_OBJECT_LOCK (self);
      old = self->num_bands;
      self->num_bands = n;
      GST_OBJECT_UNLOCK (self);
      for (guint i = old; i < n; i++)
        gst_child_proxy_child_added (GST_CHILD_PROXY (self),
            G_OBJECT (self->bands[i]), GST_OBJECT_NAME (self->bands[i]));
      for (guint i = n; i < old; i++)
        gst_child_proxy_child_removed (GST_CHILD_PROXY (self),
            G_OBJECT (self->bands[i]), GST_OBJECT_NAME (self->bands[i]));
      break;
    }
    case PROP_OUTPUT_GAIN:
      GST_OBJECT_LOCK (self);
      self->output_gain = g_value_get_double (value);
      GST_OBJECT_UNLOCK (self);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  g_atomic_int_set (&self->settings_changed, 1);
}

static void
gst_mix_eq_get_property (
    GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  GstMixEq *self = GST_MIX_EQ (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_NUM_BANDS:
      g_value_set_uint (value, self->num_bands);
      break;
    case PROP_OUTPUT_GAIN:
      g_value_set_double (value, self->output_gain);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static gboolean
gst_mix_eq_setup (GstAudioFilter *filter, const GstAudioInfo *info)
{
  GstMixEq *self = GST_MIX_EQ (filter);

  if (!self->dsp_ready || self->dsp->rate != GST_AUDIO_INFO_RATE (info) ||
      self->dsp->channels != GST_AUDIO_INFO_CHANNELS (info)) {
    mm_eq_init (self->dsp, GST_AUDIO_INFO_RATE (info),
        GST_AUDIO_INFO_CHANNELS (info), GLIDE_MS, CONTROL_FRAMES);
    self->dsp_ready = TRUE;
    self->snap_settings = TRUE;
    memset (self->warned_route, 0, sizeof (self->warned_route));
    memset (self->warned_nyquist, 0, sizeof (self->warned_nyquist));
  }
  return TRUE;
}

static gboolean
gst_mix_eq_accept_caps (
    GstBaseTransform *trans, GstPadDirection direction, GstCaps *caps)
{
  if (GST_BASE_TRANSFORM_CLASS (parent_class)
          ->accept_caps (trans, direction, caps))
    return TRUE;
  return gst_mm_refuse_caps (trans, direction, caps,
      "mixeq takes interleaved F32 or F64 audio with 1 to 8 channels at "
      "8000-384000 Hz.",
      "Put 'audioconvert' (and 'audioresample' for other rates) in front of "
      "it.");
}

static gboolean
gst_mix_eq_sink_event (GstBaseTransform *trans, GstEvent *event)
{
  GstMixEq *self = GST_MIX_EQ (trans);

  if (GST_EVENT_TYPE (event) == GST_EVENT_FLUSH_STOP) {
    if (self->dsp_ready)
      mm_eq_reset (self->dsp);
    self->snap_settings = TRUE;
  }
  return GST_BASE_TRANSFORM_CLASS (parent_class)->sink_event (trans, event);
}

static gboolean
gst_mix_eq_stop (GstBaseTransform *trans)
{
  GST_MIX_EQ (trans)->dsp_ready = FALSE;
  return TRUE;
}

static gboolean
gst_mix_eq_has_bindings (GstMixEq *self)
{
  if (gst_object_has_active_control_bindings (GST_OBJECT (self)))
    return TRUE;
  for (guint i = 0; i < MM_EQ_MAX_BANDS; i++)
    if (gst_object_has_active_control_bindings (GST_OBJECT (self->bands[i])))
      return TRUE;
  return FALSE;
}

static void
gst_mix_eq_sync_controls (GstMixEq *self, GstClockTime pts)
{
  GstBaseTransform *trans = GST_BASE_TRANSFORM (self);

  gst_mm_sync_controls (trans, GST_OBJECT (self), pts);
  for (guint i = 0; i < MM_EQ_MAX_BANDS; i++)
    gst_mm_sync_controls (trans, GST_OBJECT (self->bands[i]), pts);
}

/* Hands the current settings to the DSP. glide_frames 0 uses the default glide;
 * a first buffer after setup or flush takes them at once. */
static void
gst_mix_eq_apply_settings (GstMixEq *self, guint glide_frames)
{
  gdouble rate = self->dsp->rate;
  guint num_bands;
  gdouble output_gain;

  GST_OBJECT_LOCK (self);
  num_bands = self->num_bands;
  output_gain = self->output_gain;
  GST_OBJECT_UNLOCK (self);

  for (guint i = 0; i < MM_EQ_MAX_BANDS; i++) {
    GstMixEqBand *band = self->bands[i];
    MmEqBandSettings s;

    GST_OBJECT_LOCK (band);
    s.shape.type = band->type;
    s.shape.freq = band->freq;
    s.shape.gain_db = band->gain;
    s.shape.q = band->q;
    s.shape.slope = band->slope;
    s.route = band->channels;
    s.enabled = band->enabled && i < num_bands;
    GST_OBJECT_UNLOCK (band);

    if (s.enabled && s.shape.freq >= 0.49 * rate) {
      if (!self->warned_nyquist[i])
        GST_ELEMENT_WARNING (self, LIBRARY, SETTINGS,
            ("mixeq band%u: freq %g Hz is at or above the Nyquist frequency "
             "of %g Hz; using %g Hz.",
                i, s.shape.freq, rate / 2.0, 0.49 * rate),
            (NULL));
      self->warned_nyquist[i] = TRUE;
      s.shape.freq = 0.49 * rate;
    } else {
      self->warned_nyquist[i] = FALSE;
    }
    if (s.enabled && self->dsp->channels != 2 &&
        (s.route == MM_EQ_ROUTE_MID || s.route == MM_EQ_ROUTE_SIDE) &&
        !self->warned_route[i]) {
      GST_ELEMENT_WARNING (self, STREAM, FORMAT,
          ("mixeq band%u: channels=%s needs stereo input; with %d channels "
           "the band acts on all channels.",
              i, s.route == MM_EQ_ROUTE_MID ? "mid" : "side",
              self->dsp->channels),
          (NULL));
      self->warned_route[i] = TRUE;
    }
    if (glide_frames)
      mm_eq_set_band_glide (self->dsp, i, &s, glide_frames);
    else
      mm_eq_set_band (self->dsp, i, &s);
  }
  mm_eq_set_output_gain_db (self->dsp, output_gain);

  if (self->snap_settings) {
    mm_eq_snap (self->dsp);
    self->snap_settings = FALSE;
  }
}

static GstFlowReturn
gst_mix_eq_transform_ip (GstBaseTransform *trans, GstBuffer *buf)
{
  GstMixEq *self = GST_MIX_EQ (trans);
  GstAudioFilter *filter = GST_AUDIO_FILTER (trans);
  gint rate = GST_AUDIO_FILTER_RATE (filter);
  gint bpf = GST_AUDIO_FILTER_BPF (filter);
  gboolean is_f32 = GST_AUDIO_FILTER_FORMAT (filter) == GST_AUDIO_FORMAT_F32;
  GstClockTime pts = GST_BUFFER_PTS (buf);
  gboolean bindings;
  guint n_frames, chunk_frames, done, len;
  GstMapInfo map;

  if (G_UNLIKELY (!self->dsp_ready || rate <= 0 || bpf <= 0))
    return GST_FLOW_NOT_NEGOTIATED;

  if (GST_BUFFER_FLAG_IS_SET (buf, GST_BUFFER_FLAG_DISCONT))
    mm_eq_reset (self->dsp);

  n_frames = gst_buffer_get_size (buf) / bpf;
  bindings = GST_CLOCK_TIME_IS_VALID (pts) && gst_mix_eq_has_bindings (self);

  if (!bindings) {
    if (self->snap_settings ||
        g_atomic_int_compare_and_exchange (&self->settings_changed, 1, 0))
      gst_mix_eq_apply_settings (self, 0);
    if (GST_BUFFER_FLAG_IS_SET (buf, GST_BUFFER_FLAG_GAP)) {
      /* silence in, silence out: forget the filter tails */
      mm_eq_reset (self->dsp);
      return GST_FLOW_OK;
    }
    if (mm_eq_is_identity (self->dsp)) {
      gst_mm_buffer_sanitize (buf, is_f32);
      return GST_FLOW_OK;
    }
  }

  if (!gst_buffer_map (buf, &map, GST_MAP_READWRITE)) {
    GST_ELEMENT_ERROR (self, RESOURCE, WRITE, (NULL),
        ("Could not map the buffer for writing"));
    return GST_FLOW_ERROR;
  }

  /* With bindings, each chunk glides to the controller's value at its last
   * frame, so the curve is followed without lag; otherwise settings are
   * picked up every SETTINGS_INTERVAL_MS and glide over GLIDE_MS. */
  chunk_frames =
      bindings ? CONTROL_FRAMES : MAX (1, rate * SETTINGS_INTERVAL_MS / 1000);
  for (done = 0; done < n_frames; done += len) {
    gpointer data = map.data + (gsize) done * bpf;

    len = MIN (chunk_frames, n_frames - done);
    if (bindings) {
      gst_mix_eq_sync_controls (self,
          pts +
              gst_util_uint64_scale_int_round (
                  done + len - 1, GST_SECOND, rate));
      gst_mix_eq_apply_settings (self, len);
    } else if (done > 0 &&
        g_atomic_int_compare_and_exchange (&self->settings_changed, 1, 0)) {
      gst_mix_eq_apply_settings (self, 0);
    }
    if (is_f32)
      mm_eq_process_f32 (self->dsp, data, len);
    else
      mm_eq_process_f64 (self->dsp, data, len);
  }
  gst_buffer_unmap (buf, &map);
  return GST_FLOW_OK;
}
