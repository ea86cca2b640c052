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
 * SECTION:element-sidechainduck
 * @title: sidechainduck
 *
 * Ducks a main programme under a key: the music (the main input, `sink`)
 * dips by up to #GstSidechainDuck:depth dB whenever the key (the
 * `sidechain` request pad: a voice, a presenter's microphone, a kick drum)
 * is over #GstSidechainDuck:threshold, and comes back when it stops.
 *
 * The key is summed to mono (any channel count), band-limited by
 * #GstSidechainDuck:key-hpf and #GstSidechainDuck:key-lpf (12 dB/octave
 * each; 0 = off), and measured by the dynamics core of `mixcomp`: a 10 ms
 * RMS detector, the compressor curve (#GstSidechainDuck:threshold is its
 * centre, #GstSidechainDuck:ratio, a soft #GstSidechainDuck:knee) capped at
 * #GstSidechainDuck:depth, and an attack / hold / release smoother in dB.
 *
 * Main and key are aligned by running time (a #GstAggregator), so live
 * sources work: the element reports its #GstSidechainDuck:lookahead on top
 * of the larger upstream latency, and a key that is late past that deadline
 * counts as silence. The output has the main's caps, timestamps and exactly
 * its samples; with #GstSidechainDuck:lookahead the key is read that far
 * ahead of the main (the main is in effect delayed), so the dip starts
 * before the first syllable. With no key (the pad not requested, or
 * requested with nothing linked to it), or once the key has ended (EOS),
 * the main passes unchanged (bit for bit once any dip has released). A key
 * linked while playing is waited for: from the link on, the main waits for
 * the key's stream to start (a live pipeline only until its latency
 * deadline). The output ends with the main.
 *
 * The key must run at the main's rate: its caps query offers only that
 * rate, so an `audioresample` before the key adapts; a key that arrives at
 * another rate stops the pipeline with an error naming both rates.
 *
 * With #GstSidechainDuck:post-messages the element posts an element message
 * named `sidechainduck` every #GstSidechainDuck:interval of main audio, with
 * `gain-reduction` (gdouble, dB >= 0, the largest over the interval) and
 * `timestamp`, `stream-time`, `running-time`, `duration` (guint64, ns).
 *
 * ## Example launch lines
 * |[
 * gst-launch-1.0 sidechainduck name=duck depth=12 ! audioconvert ! \
 *     autoaudiosink \
 *   filesrc location=music.wav ! decodebin ! audioconvert ! \
 *     audioresample ! audio/x-raw,rate=48000 ! duck.sink \
 *   filesrc location=voice.wav ! decodebin ! audioconvert ! \
 *     audioresample ! duck.sidechain
 * ]| Voice-over: the music dips 12 dB under the voice.
 * |[
 * gst-launch-1.0 audiotestsrc wave=pink-noise ! \
 *     audio/x-raw,format=F32LE,rate=48000,channels=2 ! \
 *     sidechainduck name=duck threshold=-30 depth=20 attack=1 hold=0 \
 *     release=120 ! audioconvert ! autoaudiosink \
 *   audiotestsrc wave=ticks tick-interval=500000000 ! \
 *     audio/x-raw,format=F32LE,rate=48000,channels=1 ! duck.sidechain
 * ]| Pumping: pink noise ducked by a tick twice a second, like a bass
 * keyed by a kick.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstsidechainduck.h"

#include <math.h>
#include <string.h>

#include "gstmmutil.h"

GST_DEBUG_CATEGORY_STATIC (gst_sidechain_duck_debug);
#define GST_CAT_DEFAULT gst_sidechain_duck_debug

#define DEFAULT_THRESHOLD -30.0
#define DEFAULT_DEPTH 12.0
#define DEFAULT_RATIO 8.0
#define DEFAULT_KNEE 6.0
#define DEFAULT_ATTACK 20.0
#define DEFAULT_HOLD 150.0
#define DEFAULT_RELEASE 400.0
#define DEFAULT_LOOKAHEAD 0.0
#define MAX_LOOKAHEAD 50.0
/* the stream of the EOS an unlinked key pad gets */
#define NO_KEY_STREAM_ID "sidechainduck-no-key"
/* how long an aggregate waits at most for a key just linked to start */
#define KEY_START_WAIT (20 * G_TIME_SPAN_MILLISECOND)
#define DEFAULT_KEY_HPF 0.0
#define DEFAULT_KEY_LPF 0.0
#define DEFAULT_POST_MESSAGES FALSE
#define DEFAULT_INTERVAL (100 * GST_MSECOND)

/* main frames per pass */
#define CHUNK_FRAMES 1024

enum
{
  PROP_0,
  PROP_THRESHOLD,
  PROP_DEPTH,
  PROP_RATIO,
  PROP_KNEE,
  PROP_ATTACK,
  PROP_HOLD,
  PROP_RELEASE,
  PROP_LOOKAHEAD,
  PROP_KEY_HPF,
  PROP_KEY_LPF,
  PROP_POST_MESSAGES,
  PROP_INTERVAL,
};

#define MAIN_CAPS                                                              \
  "audio/x-raw, "                                                              \
  "format = (string) { " GST_AUDIO_NE (F32) ", " GST_AUDIO_NE (                \
      F64) " }, "                                                              \
           "rate = (int) [ 8000, 384000 ], "                                   \
           "channels = (int) [ 1, 8 ], "                                       \
           "layout = (string) interleaved"

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE (
    "sink", GST_PAD_SINK, GST_PAD_ALWAYS, GST_STATIC_CAPS (MAIN_CAPS));
static GstStaticPadTemplate sidechain_template = GST_STATIC_PAD_TEMPLATE (
    "sidechain", GST_PAD_SINK, GST_PAD_REQUEST, GST_STATIC_CAPS (MAIN_CAPS));
static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE (
    "src", GST_PAD_SRC, GST_PAD_ALWAYS, GST_STATIC_CAPS (MAIN_CAPS));

#define gst_sidechain_duck_parent_class parent_class
G_DEFINE_TYPE (GstSidechainDuck, gst_sidechain_duck, GST_TYPE_AGGREGATOR);
GST_ELEMENT_REGISTER_DEFINE (
    sidechainduck, "sidechainduck", GST_RANK_NONE, GST_TYPE_SIDECHAIN_DUCK);

static void gst_sidechain_duck_set_property (
    GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec);
static void gst_sidechain_duck_get_property (
    GObject *object, guint prop_id, GValue *value, GParamSpec *pspec);
static void gst_sidechain_duck_finalize (GObject *object);
static void gst_sidechain_duck_release_pad (GstElement *element, GstPad *pad);
static GstPad *gst_sidechain_duck_request_new_pad (GstElement *element,
    GstPadTemplate *templ, const gchar *name, const GstCaps *caps);
static GstStateChangeReturn gst_sidechain_duck_change_state (
    GstElement *element, GstStateChange transition);
static GstAggregatorPad *gst_sidechain_duck_get_key_pad (
    GstSidechainDuck *self);
static GstAggregatorPad *gst_sidechain_duck_create_new_pad (GstAggregator *agg,
    GstPadTemplate *templ, const gchar *req_name, const GstCaps *caps);
static gboolean gst_sidechain_duck_sink_event (
    GstAggregator *agg, GstAggregatorPad *pad, GstEvent *event);
static gboolean gst_sidechain_duck_sink_query (
    GstAggregator *agg, GstAggregatorPad *pad, GstQuery *query);
static GstFlowReturn gst_sidechain_duck_update_src_caps (
    GstAggregator *agg, GstCaps *caps, GstCaps **ret);
static GstFlowReturn gst_sidechain_duck_aggregate (
    GstAggregator *agg, gboolean timeout);
static gboolean gst_sidechain_duck_start (GstAggregator *agg);
static gboolean gst_sidechain_duck_stop (GstAggregator *agg);
static GstFlowReturn gst_sidechain_duck_flush (GstAggregator *agg);
static GstFlowReturn gst_sidechain_duck_sink_event_pre_queue (
    GstAggregator *agg, GstAggregatorPad *pad, GstEvent *event);

static void
gst_sidechain_duck_class_init (GstSidechainDuckClass *klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstAggregatorClass *agg_class = GST_AGGREGATOR_CLASS (klass);
  const GParamFlags flags = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS;
  const GParamFlags controllable = flags | GST_PARAM_CONTROLLABLE;

  GST_DEBUG_CATEGORY_INIT (
      gst_sidechain_duck_debug, "sidechainduck", 0, "side-chain ducking");

  gobject_class->set_property = gst_sidechain_duck_set_property;
  gobject_class->get_property = gst_sidechain_duck_get_property;
  gobject_class->finalize = gst_sidechain_duck_finalize;

  g_object_class_install_property (gobject_class, PROP_THRESHOLD,
      g_param_spec_double ("threshold", "Threshold",
          "Key level (RMS, dBFS) at the centre of the knee, where ducking sets "
          "in",
          -80.0, 0.0, DEFAULT_THRESHOLD, controllable));
  g_object_class_install_property (gobject_class, PROP_DEPTH,
      g_param_spec_double ("depth", "Depth",
          "Most the main is attenuated, however loud the key (dB)", 0.0, 60.0,
          DEFAULT_DEPTH, controllable));
  g_object_class_install_property (gobject_class, PROP_RATIO,
      g_param_spec_double ("ratio", "Ratio",
          "Key dB over the threshold per dB of ducking, as a compressor's "
          "ratio (the attenuation is (1 - 1/ratio) dB per dB over)",
          1.0, 100.0, DEFAULT_RATIO, controllable));
  g_object_class_install_property (gobject_class, PROP_KNEE,
      g_param_spec_double ("knee", "Knee",
          "Width of the soft knee around the threshold (dB)", 0.0, 40.0,
          DEFAULT_KNEE, flags));
  g_object_class_install_property (gobject_class, PROP_ATTACK,
      g_param_spec_double ("attack", "Attack",
          "Time for the dip to go 63 % of the way down (ms)", 0.1, 2000.0,
          DEFAULT_ATTACK, controllable));
  g_object_class_install_property (gobject_class, PROP_HOLD,
      g_param_spec_double ("hold", "Hold",
          "Time the dip holds after the key falls, before it releases (ms)",
          0.0, 5000.0, DEFAULT_HOLD, controllable));
  g_object_class_install_property (gobject_class, PROP_RELEASE,
      g_param_spec_double ("release", "Release",
          "Time for the main to come back 63 % of the way (ms)", 1.0, 10000.0,
          DEFAULT_RELEASE, controllable));
  g_object_class_install_property (gobject_class, PROP_LOOKAHEAD,
      g_param_spec_double ("lookahead", "Lookahead",
          "How far ahead of the main the key is read, so that the dip starts "
          "before the key does; adds to the latency (ms). Read at start and "
          "after a flush",
          0.0, MAX_LOOKAHEAD, DEFAULT_LOOKAHEAD, flags));
  g_object_class_install_property (gobject_class, PROP_KEY_HPF,
      g_param_spec_double ("key-hpf", "Key high-pass",
          "High-pass on the key before detection (Hz, 0 = off), e.g. 150 for "
          "a voice",
          0.0, 20000.0, DEFAULT_KEY_HPF, flags));
  g_object_class_install_property (gobject_class, PROP_KEY_LPF,
      g_param_spec_double ("key-lpf", "Key low-pass",
          "Low-pass on the key before detection (Hz, 0 = off), e.g. 5000 for "
          "a voice",
          0.0, 100000.0, DEFAULT_KEY_LPF, flags));
  g_object_class_install_property (gobject_class, PROP_POST_MESSAGES,
      g_param_spec_boolean ("post-messages", "Post messages",
          "Post a 'sidechainduck' element message with the gain reduction "
          "every interval",
          DEFAULT_POST_MESSAGES, flags));
  g_object_class_install_property (gobject_class, PROP_INTERVAL,
      g_param_spec_uint64 ("interval", "Interval",
          "Interval between meter messages (ns)", GST_MSECOND, G_MAXUINT64,
          DEFAULT_INTERVAL, flags));

  gst_element_class_add_static_pad_template_with_gtype (
      element_class, &sink_template, GST_TYPE_AGGREGATOR_PAD);
  gst_element_class_add_static_pad_template_with_gtype (
      element_class, &sidechain_template, GST_TYPE_AGGREGATOR_PAD);
  gst_element_class_add_static_pad_template_with_gtype (
      element_class, &src_template, GST_TYPE_AGGREGATOR_PAD);
  gst_element_class_set_static_metadata (element_class, "Side-chain ducker",
      "Filter/Effect/Audio",
      "Ducks the main input under a key input (music under a voice)",
      "gst-mixmaster developers");

  element_class->release_pad =
      GST_DEBUG_FUNCPTR (gst_sidechain_duck_release_pad);
  element_class->request_new_pad =
      GST_DEBUG_FUNCPTR (gst_sidechain_duck_request_new_pad);
  element_class->change_state =
      GST_DEBUG_FUNCPTR (gst_sidechain_duck_change_state);
  agg_class->create_new_pad =
      GST_DEBUG_FUNCPTR (gst_sidechain_duck_create_new_pad);
  agg_class->sink_event = GST_DEBUG_FUNCPTR (gst_sidechain_duck_sink_event);
  agg_class->sink_event_pre_queue =
      GST_DEBUG_FUNCPTR (gst_sidechain_duck_sink_event_pre_queue);
  agg_class->sink_query = GST_DEBUG_FUNCPTR (gst_sidechain_duck_sink_query);
  agg_class->update_src_caps =
      GST_DEBUG_FUNCPTR (gst_sidechain_duck_update_src_caps);
  agg_class->aggregate = GST_DEBUG_FUNCPTR (gst_sidechain_duck_aggregate);
  agg_class->start = GST_DEBUG_FUNCPTR (gst_sidechain_duck_start);
  agg_class->stop = GST_DEBUG_FUNCPTR (gst_sidechain_duck_stop);
  agg_class->flush = GST_DEBUG_FUNCPTR (gst_sidechain_duck_flush);
  agg_class->get_next_time = gst_aggregator_simple_get_next_time;
}

static void
gst_sidechain_duck_init (GstSidechainDuck *self)
{
  GstPadTemplate *templ =
      gst_element_class_get_pad_template (GST_ELEMENT_GET_CLASS (self), "sink");

  self->main_pad = g_object_new (GST_TYPE_AGGREGATOR_PAD, "name", "sink",
      "direction", GST_PAD_SINK, "template", templ, NULL);
  gst_element_add_pad (GST_ELEMENT (self), GST_PAD (self->main_pad));

  self->threshold = DEFAULT_THRESHOLD;
  self->depth = DEFAULT_DEPTH;
  self->ratio = DEFAULT_RATIO;
  self->knee = DEFAULT_KNEE;
  self->attack = DEFAULT_ATTACK;
  self->hold = DEFAULT_HOLD;
  self->release = DEFAULT_RELEASE;
  self->lookahead = DEFAULT_LOOKAHEAD;
  self->key_hpf = DEFAULT_KEY_HPF;
  self->key_lpf = DEFAULT_KEY_LPF;
  self->post_messages = DEFAULT_POST_MESSAGES;
  self->interval = DEFAULT_INTERVAL;
  self->settings_changed = TRUE;
  self->scratch = g_new (gfloat, CHUNK_FRAMES);
  g_cond_init (&self->key_arrived);
}

static void
gst_sidechain_duck_finalize (GObject *object)
{
  GstSidechainDuck *self = GST_SIDECHAIN_DUCK (object);

  g_free (self->gains);
  g_free (self->scratch);
  g_free (self->main_gains);
  gst_caps_replace (&self->main_caps, NULL);
  g_cond_clear (&self->key_arrived);
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
gst_sidechain_duck_set_property (
    GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  GstSidechainDuck *self = GST_SIDECHAIN_DUCK (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_THRESHOLD:
      self->threshold = g_value_get_double (value);
      break;
    case PROP_DEPTH:
      self->depth = g_value_get_double (value);
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
    case PROP_HOLD:
      self->hold = g_value_get_double (value);
      break;
    case PROP_RELEASE:
      self->release = g_value_get_double (value);
      break;
    case PROP_LOOKAHEAD:
      self->lookahead = g_value_get_double (value);
      break;
    case PROP_KEY_HPF:
      self->key_hpf = g_value_get_double (value);
      break;
    case PROP_KEY_LPF:
      self->key_lpf = g_value_get_double (value);
      break;
    case PROP_POST_MESSAGES:
      self->post_messages = g_value_get_boolean (value);
      break;
    case PROP_INTERVAL:
      self->interval = g_value_get_uint64 (value);
      break;
    default:
      GST_OBJECT_UNLOCK (self);
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      return;
  }
  self->settings_changed = TRUE;
  GST_OBJECT_UNLOCK (self);
}

static void
gst_sidechain_duck_get_property (
    GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  GstSidechainDuck *self = GST_SIDECHAIN_DUCK (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_THRESHOLD:
      g_value_set_double (value, self->threshold);
      break;
    case PROP_DEPTH:
      g_value_set_double (value, self->depth);
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
    case PROP_HOLD:
      g_value_set_double (value, self->hold);
      break;
    case PROP_RELEASE:
      g_value_set_double (value, self->release);
      break;
    case PROP_LOOKAHEAD:
      g_value_set_double (value, self->lookahead);
      break;
    case PROP_KEY_HPF:
      g_value_set_double (value, self->key_hpf);
      break;
    case PROP_KEY_LPF:
      g_value_set_double (value, self->key_lpf);
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

/* ---- pads ---- */

static GstAggregatorPad *
gst_sidechain_duck_create_new_pad (GstAggregator *agg, GstPadTemplate *templ,
    const gchar *req_name, const GstCaps *caps)
{
  GstSidechainDuck *self = GST_SIDECHAIN_DUCK (agg);
  GstAggregatorPad *pad;

  GST_OBJECT_LOCK (self);
  if (self->key_pad) {
    GST_OBJECT_UNLOCK (self);
    GST_WARNING_OBJECT (self, "there is one sidechain pad, already requested");
    return NULL;
  }
  GST_OBJECT_UNLOCK (self);
  /* named after its template: the base class would name it sink_N */
  pad = g_object_new (GST_TYPE_AGGREGATOR_PAD, "name", "sidechain", "direction",
      GST_PAD_SINK, "template", templ, NULL);
  if (pad) {
    GST_OBJECT_LOCK (self);
    self->key_pad = pad;
    GST_OBJECT_UNLOCK (self);
  }
  return pad;
}

static void
gst_sidechain_duck_release_pad (GstElement *element, GstPad *pad)
{
  GstSidechainDuck *self = GST_SIDECHAIN_DUCK (element);

  GST_OBJECT_LOCK (self);
  if (GST_PAD (self->key_pad) == pad)
    self->key_pad = NULL;
  GST_OBJECT_UNLOCK (self);
  GST_ELEMENT_CLASS (parent_class)->release_pad (element, pad);
}

/* A key pad with nothing linked to it would hold the main back for ever
 * (an aggregator waits for data on every pad that has not ended): it ends
 * until something linked to it starts a stream, whose stream-start clears
 * that. */
static void
gst_sidechain_duck_end_unlinked_key (GstSidechainDuck *self, GstPad *pad)
{
  GstSegment segment;
  GstCaps *caps;

  if (pad == NULL || gst_pad_is_linked (pad) || !GST_PAD_IS_ACTIVE (pad))
    return;
  GST_DEBUG_OBJECT (self, "no key linked: it counts as silence");
  GST_OBJECT_LOCK (self);
  self->key_placeholder = TRUE;
  GST_OBJECT_UNLOCK (self);
  gst_segment_init (&segment, GST_FORMAT_TIME);
  gst_pad_send_event (pad, gst_event_new_stream_start (NO_KEY_STREAM_ID));
  /* caps before the segment, as sticky events go; marked, so that they
   * set nothing: the key that comes later brings its own */
  caps = gst_caps_new_simple ("audio/x-raw", "format", G_TYPE_STRING,
      GST_AUDIO_NE (F32), "rate", G_TYPE_INT,
      self->have_main_info ? GST_AUDIO_INFO_RATE (&self->main_info) : 48000,
      "channels", G_TYPE_INT, 1, "layout", G_TYPE_STRING, "interleaved",
      "sidechainduck-no-key", G_TYPE_BOOLEAN, TRUE, NULL);
  gst_pad_send_event (pad, gst_event_new_caps (caps));
  gst_caps_unref (caps);
  gst_pad_send_event (pad, gst_event_new_segment (&segment));
  gst_pad_send_event (pad, gst_event_new_eos ());
}

static GstPad *
gst_sidechain_duck_request_new_pad (GstElement *element, GstPadTemplate *templ,
    const gchar *name, const GstCaps *caps)
{
  GstPad *pad = GST_ELEMENT_CLASS (parent_class)
                    ->request_new_pad (element, templ, name, caps);

  /* while playing: the main goes on until a key source is linked and runs */
  gst_sidechain_duck_end_unlinked_key (GST_SIDECHAIN_DUCK (element), pad);
  return pad;
}

static GstStateChangeReturn
gst_sidechain_duck_change_state (GstElement *element, GstStateChange transition)
{
  GstSidechainDuck *self = GST_SIDECHAIN_DUCK (element);
  GstStateChangeReturn ret =
      GST_ELEMENT_CLASS (parent_class)->change_state (element, transition);

  if (ret != GST_STATE_CHANGE_FAILURE &&
      transition == GST_STATE_CHANGE_READY_TO_PAUSED) {
    GstPad *key = (GstPad *) gst_sidechain_duck_get_key_pad (self);
    gst_sidechain_duck_end_unlinked_key (self, key);
    if (key)
      gst_object_unref (key);
  }
  return ret;
}

/* The key pad, with a reference, or NULL. */
static GstAggregatorPad *
gst_sidechain_duck_get_key_pad (GstSidechainDuck *self)
{
  GstAggregatorPad *pad;

  GST_OBJECT_LOCK (self);
  pad = self->key_pad ? gst_object_ref (self->key_pad) : NULL;
  GST_OBJECT_UNLOCK (self);
  return pad;
}

/* ---- caps ---- */

/* The error for a key whose rate is not the main's; returns FALSE. */
static gboolean
gst_sidechain_duck_refuse_rate (
    GstSidechainDuck *self, gint key_rate, gint main_rate, GstCaps *caps)
{
  GST_ELEMENT_ERROR (self, CORE, NEGOTIATION,
      ("%s: the sidechain pad gets %d Hz, the main (sink) pad %d Hz; the key "
       "must run at the main's rate. Put 'audioresample' before the key.",
          GST_OBJECT_NAME (self), key_rate, main_rate),
      ("caps %" GST_PTR_FORMAT, caps));
  return FALSE;
}

/* The main's rate, 0 while unknown. The main pad's sticky caps come first:
 * they are there as soon as upstream sends them, while the aggregator hands
 * the CAPS event to us only when it gets to the main's queue — a key
 * negotiating in between must already see the main's rate. */
static gint
gst_sidechain_duck_main_rate (GstSidechainDuck *self)
{
  GstCaps *caps = gst_pad_get_current_caps (GST_PAD (self->main_pad));
  gint rate = 0;

  if (caps == NULL) {
    GST_OBJECT_LOCK (self);
    caps = self->main_caps ? gst_caps_ref (self->main_caps) : NULL;
    GST_OBJECT_UNLOCK (self);
  }
  if (caps) {
    gst_structure_get_int (gst_caps_get_structure (caps, 0), "rate", &rate);
    gst_caps_unref (caps);
  }
  return rate;
}

/* Whether what is upstream of the key can run at the main's rate (an
 * audioresample can; a source with a fixed rate cannot). When it cannot,
 * the rate error is posted. */
static gboolean
gst_sidechain_duck_key_can_follow (
    GstSidechainDuck *self, gint key_rate, gint main_rate, GstCaps *caps)
{
  GstPad *key = (GstPad *) gst_sidechain_duck_get_key_pad (self);
  GstCaps *want, *possible;
  gboolean can;

  if (key == NULL)
    return TRUE;
  want = gst_pad_get_pad_template_caps (key);
  want = gst_caps_make_writable (want);
  gst_caps_set_simple (want, "rate", G_TYPE_INT, main_rate, NULL);
  possible = gst_pad_peer_query_caps (key, want);
  can = !gst_caps_is_empty (possible);
  gst_caps_unref (possible);
  gst_caps_unref (want);
  gst_object_unref (key);
  return can ||
      gst_sidechain_duck_refuse_rate (self, key_rate, main_rate, caps);
}

/* The key came at another rate than the main's, negotiated before the main's
 * rate was known (or before the main changed it). If upstream of the key
 * can follow, it is asked to renegotiate (our caps query now names the
 * main's rate) and the key counts as silence until its new caps come;
 * otherwise the rate error. */
static gboolean
gst_sidechain_duck_renegotiate_key (
    GstSidechainDuck *self, gint key_rate, gint main_rate, GstCaps *caps)
{
  GstPad *key;

  if (!gst_sidechain_duck_key_can_follow (self, key_rate, main_rate, caps))
    return FALSE;
  GST_INFO_OBJECT (self, "key at %d Hz, main at %d Hz: renegotiating the key",
      key_rate, main_rate);
  key = (GstPad *) gst_sidechain_duck_get_key_pad (self);
  if (key) {
    gst_pad_push_event (key, gst_event_new_reconfigure ());
    gst_object_unref (key);
  }
  return TRUE;
}

static gboolean
gst_sidechain_duck_key_caps (GstSidechainDuck *self, GstCaps *caps)
{
  GstAudioInfo info;
  gint main_rate;
  GstStructure *st = gst_caps_get_structure (caps, 0);

  if (gst_structure_has_field (st, "sidechainduck-no-key"))
    return TRUE;
  if (!gst_audio_info_from_caps (&info, caps)) {
    /* the key's channels are summed: their positions do not matter */
    const gchar *format = gst_structure_get_string (st, "format");
    gint rate = 0, channels = 0;
    if (!format || !gst_structure_get_int (st, "rate", &rate) ||
        !gst_structure_get_int (st, "channels", &channels) || rate <= 0 ||
        channels < 1 || channels > 8) {
      GST_ELEMENT_ERROR (self, CORE, NEGOTIATION,
          ("%s: the sidechain pad cannot use these caps: %" GST_PTR_FORMAT
           "; it takes F32 or F64 audio with 1 to 8 channels at the main's "
           "rate.",
              GST_OBJECT_NAME (self), caps),
          (NULL));
      return FALSE;
    }
    gst_audio_info_set_format (
        &info, gst_audio_format_from_string (format), rate, channels, NULL);
  }
  main_rate = gst_sidechain_duck_main_rate (self);
  if (main_rate > 0 && GST_AUDIO_INFO_RATE (&info) != main_rate &&
      !gst_sidechain_duck_renegotiate_key (
          self, GST_AUDIO_INFO_RATE (&info), main_rate, caps))
    return FALSE;
  /* a key at another rate still counts, read at the main's rate, until its
   * new caps come */
  self->key_info = info;
  self->have_key_info = TRUE;
  return TRUE;
}

static gboolean
gst_sidechain_duck_main_caps (GstSidechainDuck *self, GstCaps *caps)
{
  GstAudioInfo info;

  if (!gst_audio_info_from_caps (&info, caps))
    return FALSE;
  if (self->have_key_info &&
      GST_AUDIO_INFO_RATE (&info) != GST_AUDIO_INFO_RATE (&self->key_info) &&
      !gst_sidechain_duck_renegotiate_key (self,
          GST_AUDIO_INFO_RATE (&self->key_info), GST_AUDIO_INFO_RATE (&info),
          caps))
    return FALSE;
  if (self->have_main_info &&
      GST_AUDIO_INFO_RATE (&info) != GST_AUDIO_INFO_RATE (&self->main_info))
    /* a new rate: the detector's constants and the lookahead change */
    self->ducker_ready = FALSE;
  self->main_info = info;
  self->have_main_info = TRUE;
  GST_OBJECT_LOCK (self);
  gst_caps_replace (&self->main_caps, caps);
  GST_OBJECT_UNLOCK (self);
  gst_pad_mark_reconfigure (GST_AGGREGATOR_SRC_PAD (self));
  return TRUE;
}

static GstFlowReturn
gst_sidechain_duck_update_src_caps (
    GstAggregator *agg, GstCaps *caps, GstCaps **ret)
{
  GstSidechainDuck *self = GST_SIDECHAIN_DUCK (agg);

  if (self->main_caps == NULL)
    return GST_AGGREGATOR_FLOW_NEED_DATA;
  *ret = gst_caps_intersect (caps, self->main_caps);
  if (gst_caps_is_empty (*ret)) {
    gst_caps_replace (ret, NULL);
    return GST_FLOW_NOT_NEGOTIATED;
  }
  return GST_FLOW_OK;
}

static gboolean
gst_sidechain_duck_sink_query (
    GstAggregator *agg, GstAggregatorPad *pad, GstQuery *query)
{
  GstSidechainDuck *self = GST_SIDECHAIN_DUCK (agg);

  if (GST_QUERY_TYPE (query) == GST_QUERY_CAPS) {
    GstCaps *filter, *caps;
    gst_query_parse_caps (query, &filter);
    if (pad == self->main_pad) {
      /* what downstream takes is what the main may bring */
      GstCaps *templ = gst_pad_get_pad_template_caps (GST_PAD (pad));
      GstCaps *peer =
          gst_pad_peer_query_caps (GST_AGGREGATOR_SRC_PAD (self), templ);
      caps = gst_caps_intersect (peer, templ);
      gst_caps_unref (peer);
      gst_caps_unref (templ);
    } else {
      /* any channels and format, at the main's rate once it is known */
      gint rate = gst_sidechain_duck_main_rate (self);
      caps = gst_pad_get_pad_template_caps (GST_PAD (pad));
      if (rate > 0) {
        caps = gst_caps_make_writable (caps);
        gst_caps_set_simple (caps, "rate", G_TYPE_INT, rate, NULL);
      }
    }
    if (filter) {
      GstCaps *both =
          gst_caps_intersect_full (filter, caps, GST_CAPS_INTERSECT_FIRST);
      gst_caps_unref (caps);
      caps = both;
    }
    gst_query_set_caps_result (query, caps);
    gst_caps_unref (caps);
    return TRUE;
  }
  if (GST_QUERY_TYPE (query) == GST_QUERY_ACCEPT_CAPS &&
      pad != self->main_pad) {
    GstCaps *caps;
    gint rate, main_rate = gst_sidechain_duck_main_rate (self);
    gst_query_parse_accept_caps (query, &caps);
    if (main_rate > 0 && gst_caps_is_fixed (caps) &&
        gst_structure_get_int (
            gst_caps_get_structure (caps, 0), "rate", &rate) &&
        rate != main_rate) {
      /* caps chosen before the main's rate was known: taken, and the key
       * renegotiates when they arrive, if upstream can follow; if not, say
       * why rather than leave upstream with a bare not-negotiated */
      GstCaps *templ = gst_pad_get_pad_template_caps (GST_PAD (pad));
      gboolean ok = gst_caps_can_intersect (caps, templ) &&
          gst_sidechain_duck_key_can_follow (self, rate, main_rate, caps);
      gst_caps_unref (templ);
      gst_query_set_accept_caps_result (query, ok);
      return TRUE;
    }
  }
  return GST_AGGREGATOR_CLASS (parent_class)->sink_query (agg, pad, query);
}

static gboolean
gst_sidechain_duck_sink_event (
    GstAggregator *agg, GstAggregatorPad *pad, GstEvent *event)
{
  GstSidechainDuck *self = GST_SIDECHAIN_DUCK (agg);

  switch (GST_EVENT_TYPE (event)) {
    case GST_EVENT_CAPS: {
      GstCaps *caps;
      gboolean ok;
      gst_event_parse_caps (event, &caps);
      ok = pad == self->main_pad ? gst_sidechain_duck_main_caps (self, caps)
                                 : gst_sidechain_duck_key_caps (self, caps);
      gst_event_unref (event);
      return ok;
    }
    case GST_EVENT_STREAM_START:
      if (pad != self->main_pad) {
        const gchar *id = NULL;
        gst_event_parse_stream_start (event, &id);
        if (g_strcmp0 (id, NO_KEY_STREAM_ID) != 0) {
          GST_OBJECT_LOCK (self);
          self->key_placeholder = FALSE;
          GST_OBJECT_UNLOCK (self);
        }
      }
      break;
    case GST_EVENT_SEGMENT:
      if (pad == self->main_pad) {
        const GstSegment *segment;
        gst_event_parse_segment (event, &segment);
        if (segment->format == GST_FORMAT_TIME)
          /* the output's timeline is the main's */
          gst_aggregator_update_segment (agg, segment);
      }
      break;
    default:
      break;
  }
  return GST_AGGREGATOR_CLASS (parent_class)->sink_event (agg, pad, event);
}

/* Runs in the upstream thread, as the event is queued: wakes an aggregate
 * that waits for a key just linked. */
static GstFlowReturn
gst_sidechain_duck_sink_event_pre_queue (
    GstAggregator *agg, GstAggregatorPad *pad, GstEvent *event)
{
  GstSidechainDuck *self = GST_SIDECHAIN_DUCK (agg);
  gboolean stream_start = GST_EVENT_TYPE (event) == GST_EVENT_STREAM_START;
  GstFlowReturn ret = GST_AGGREGATOR_CLASS (parent_class)
                          ->sink_event_pre_queue (agg, pad, event);

  if (stream_start && pad != self->main_pad) {
    GST_OBJECT_LOCK (self);
    g_cond_broadcast (&self->key_arrived);
    GST_OBJECT_UNLOCK (self);
  }
  return ret;
}

/* ---- state ---- */

static void
gst_sidechain_duck_reset_stream (GstSidechainDuck *self)
{
  self->origin = GST_CLOCK_TIME_NONE;
  self->main_frames = self->key_frames = self->key_expected = 0;
  self->main_offset = self->key_offset = 0;
  gst_buffer_replace (&self->main_buf, NULL);
  gst_buffer_replace (&self->key_buf, NULL);
  self->gains_start = self->gains_count = 0;
  self->meter_frames = 0;
  self->meter_start = GST_CLOCK_TIME_NONE;
  self->meter_lowest = 1.0f;
  if (self->ducker_ready)
    mm_ducker_reset (&self->ducker);
}

/* Settings into the ducker; with restart also the lookahead, the latency
 * and the gain queue's size. */
static void
gst_sidechain_duck_apply_settings (GstSidechainDuck *self, gboolean restart)
{
  gint rate = GST_AUDIO_INFO_RATE (&self->main_info);
  gdouble threshold, depth, ratio, knee, attack, hold, release, hpf, lpf;
  gdouble lookahead;

  GST_OBJECT_LOCK (self);
  threshold = self->threshold;
  depth = self->depth;
  ratio = self->ratio;
  knee = self->knee;
  attack = self->attack;
  hold = self->hold;
  release = self->release;
  hpf = self->key_hpf;
  lpf = self->key_lpf;
  lookahead = self->lookahead;
  self->settings_changed = FALSE;
  GST_OBJECT_UNLOCK (self);

  if (!self->ducker_ready) {
    mm_ducker_init (&self->ducker, rate);
    self->ducker_ready = TRUE;
    restart = TRUE;
  }
  mm_ducker_set_curve (&self->ducker, threshold, ratio, knee, depth);
  mm_ducker_set_times (&self->ducker, attack, hold, release);
  mm_ducker_set_key_filter (&self->ducker, hpf, lpf);
  if (restart) {
    guint64 frames = (guint64) lround (lookahead * rate / 1000.0);
    if (frames != self->lookahead_frames || self->gains == NULL) {
      GstClockTime latency = gst_mm_frames_to_time (rate, frames);
      self->lookahead_frames = frames;
      self->gains_capacity = (gsize) frames + 2 * CHUNK_FRAMES;
      g_free (self->gains);
      self->gains = g_new (gfloat, self->gains_capacity);
      gst_aggregator_set_latency (GST_AGGREGATOR (self), latency, latency);
    }
    gst_sidechain_duck_reset_stream (self);
  }
}

static gboolean
gst_sidechain_duck_start (GstAggregator *agg)
{
  GstSidechainDuck *self = GST_SIDECHAIN_DUCK (agg);
  gint rate;

  /* the latency is known before the caps: reported for the rate asked */
  GST_OBJECT_LOCK (self);
  rate = self->have_main_info ? GST_AUDIO_INFO_RATE (&self->main_info) : 0;
  if (rate == 0) {
    GstClockTime latency = (GstClockTime) (self->lookahead * GST_MSECOND);
    GST_OBJECT_UNLOCK (self);
    gst_aggregator_set_latency (agg, latency, latency);
  } else {
    GST_OBJECT_UNLOCK (self);
  }
  self->ducker_ready = FALSE;
  gst_sidechain_duck_reset_stream (self);
  return TRUE;
}

static gboolean
gst_sidechain_duck_stop (GstAggregator *agg)
{
  GstSidechainDuck *self = GST_SIDECHAIN_DUCK (agg);

  self->ducker_ready = FALSE;
  self->have_main_info = self->have_key_info = FALSE;
  GST_OBJECT_LOCK (self);
  self->key_placeholder = FALSE;
  gst_caps_replace (&self->main_caps, NULL);
  GST_OBJECT_UNLOCK (self);
  g_free (self->gains);
  self->gains = NULL;
  self->lookahead_frames = 0;
  gst_buffer_replace (&self->main_buf, NULL);
  gst_buffer_replace (&self->key_buf, NULL);
  return TRUE;
}

static GstFlowReturn
gst_sidechain_duck_flush (GstAggregator *agg)
{
  GstSidechainDuck *self = GST_SIDECHAIN_DUCK (agg);

  if (self->ducker_ready)
    gst_sidechain_duck_apply_settings (self, TRUE);
  else
    gst_sidechain_duck_reset_stream (self);
  return GST_FLOW_OK;
}

/* ---- the key ---- */

/* Frame index on the grid of a buffer at pts in segment (rounded), or -1. */
static gint64
gst_sidechain_duck_grid_frame (
    GstSidechainDuck *self, const GstSegment *segment, GstClockTime pts)
{
  gint rate = GST_AUDIO_INFO_RATE (&self->main_info);
  GstClockTime running;
  gint64 diff;

  if (!GST_CLOCK_TIME_IS_VALID (pts) || !GST_CLOCK_TIME_IS_VALID (self->origin))
    return G_MININT64;
  running = gst_segment_to_running_time (segment, GST_FORMAT_TIME, pts);
  if (!GST_CLOCK_TIME_IS_VALID (running))
    return G_MININT64;
  diff = GST_CLOCK_DIFF (self->origin, running);
  return diff >= 0
      ? (gint64) gst_util_uint64_scale_int_round (diff, rate, GST_SECOND)
      : -(gint64) gst_util_uint64_scale_int_round (-diff, rate, GST_SECOND);
}

/* Gains of key frames [key_frames, key_frames + n) into the queue; those of
 * frames the main has passed are dropped. */
static void
gst_sidechain_duck_queue_gains (
    GstSidechainDuck *self, const gfloat *key, gsize n)
{
  guint64 wanted = self->main_frames + self->lookahead_frames;

  for (gsize done = 0; done < n;) {
    gsize m = MIN (n - done, (gsize) CHUNK_FRAMES), skip = 0;
    gfloat gain[CHUNK_FRAMES];
    if (key)
      mm_ducker_process (&self->ducker, key + done, gain, m);
    else
      mm_ducker_process_silence (&self->ducker, gain, m);
    if (self->key_frames < wanted)
      skip = (gsize) MIN ((guint64) m, wanted - self->key_frames);
    /* into the ring in at most two runs */
    for (gsize i = skip; i < m;) {
      gsize at = (self->gains_start + self->gains_count) % self->gains_capacity;
      gsize run = MIN (m - i, self->gains_capacity - at);
      memcpy (self->gains + at, gain + i, run * sizeof (gfloat));
      self->gains_count += run;
      i += run;
    }
    self->key_frames += m;
    done += m;
  }
}

/* The key frame read for main frame i of a key buffer: the same frame at the
 * main's rate; the nearest earlier one while a key at another rate waits
 * for its renegotiation (the detector wants the level, which that keeps). */
static inline gsize
gst_sidechain_duck_key_index (GstSidechainDuck *self, gsize i)
{
  gint key_rate = GST_AUDIO_INFO_RATE (&self->key_info);
  gint main_rate = GST_AUDIO_INFO_RATE (&self->main_info);

  if (key_rate == main_rate)
    return i;
  return (gsize) (((guint64) i * (guint64) key_rate) / (guint64) main_rate);
}

/* Main frames covered by a key buffer of n frames. */
static gsize
gst_sidechain_duck_key_span (GstSidechainDuck *self, gsize n)
{
  gint key_rate = GST_AUDIO_INFO_RATE (&self->key_info);
  gint main_rate = GST_AUDIO_INFO_RATE (&self->main_info);

  if (key_rate == main_rate)
    return n;
  return (gsize) (((guint64) n * (guint64) main_rate) / (guint64) key_rate);
}

/* Main frames [from, from + n) of a key buffer's data, summed to mono,
 * through the detector. */
static void
gst_sidechain_duck_feed_key (
    GstSidechainDuck *self, const guint8 *data, gsize from, gsize n)
{
  gint channels = GST_AUDIO_INFO_CHANNELS (&self->key_info);
  gboolean is_f32 =
      GST_AUDIO_INFO_FORMAT (&self->key_info) == GST_AUDIO_FORMAT_F32;
  gboolean same_rate = GST_AUDIO_INFO_RATE (&self->key_info) ==
      GST_AUDIO_INFO_RATE (&self->main_info);

  if (channels == 1 && is_f32 && same_rate) {
    /* a mono F32 key is its own sum */
    gst_sidechain_duck_queue_gains (self, (const gfloat *) data + from, n);
    return;
  }
  for (gsize done = 0; done < n;) {
    gsize m = MIN (n - done, (gsize) CHUNK_FRAMES);
    for (gsize i = 0; i < m; i++) {
      gsize first = gst_sidechain_duck_key_index (self, from + done + i) *
          (gsize) channels;
      gfloat sum = 0.0f;
      if (is_f32) {
        const gfloat *f = (const gfloat *) data + first;
        for (gint c = 0; c < channels; c++)
          sum += f[c];
      } else {
        const gdouble *f = (const gdouble *) data + first;
        gdouble wide = 0.0;
        for (gint c = 0; c < channels; c++)
          wide += f[c];
        sum = (gfloat) wide;
      }
      self->scratch[i] = sum;
    }
    gst_sidechain_duck_queue_gains (self, self->scratch, m);
    done += m;
  }
}

/* The key buffer being read (borrowed), taken off the key pad when the
 * last one is done, or NULL. */
static GstBuffer *
gst_sidechain_duck_key_head (GstSidechainDuck *self, GstAggregatorPad *key)
{
  if (self->key_buf == NULL && key)
    self->key_buf = gst_aggregator_pad_pop_buffer (key);
  return self->key_buf;
}

/* Whether the key pad's EOS is the element's own while something is linked
 * to it now: its stream is on the way, and the main waits for it (a little
 * here, so that the aggregate loop does not spin). */
static gboolean
gst_sidechain_duck_key_starting (GstSidechainDuck *self, GstAggregatorPad *key)
{
  gboolean linked = gst_pad_is_linked (GST_PAD (key));
  gboolean starting;

  GST_OBJECT_LOCK (self);
  starting = linked && self->key_placeholder;
  if (starting) {
    GST_LOG_OBJECT (self, "waiting for the key just linked to start");
    g_cond_wait_until (&self->key_arrived, GST_OBJECT_GET_LOCK (self),
        g_get_monotonic_time () + KEY_START_WAIT);
  }
  GST_OBJECT_UNLOCK (self);
  return starting;
}

/* Done with the key buffer being read. */
static void
gst_sidechain_duck_key_next (GstSidechainDuck *self)
{
  gst_buffer_replace (&self->key_buf, NULL);
  self->key_offset = 0;
}

/* Runs the detector up to key frame `upto` from the key pad's buffers;
 * absent, ended or late (timeout) key data counts as silence. Returns
 * FALSE when it has to wait for key data. */
static gboolean
gst_sidechain_duck_advance_key (GstSidechainDuck *self, GstAggregatorPad *key,
    guint64 upto, gboolean timeout)
{
  while (self->key_frames < upto) {
    GstBuffer *buf = gst_sidechain_duck_key_head (self, key);
    GstMapInfo map;
    gint64 start;
    gsize n, bpf;

    if (buf == NULL) {
      if (key && !timeout &&
          (!gst_aggregator_pad_is_eos (key) ||
              gst_sidechain_duck_key_starting (self, key)))
        return FALSE;
      gst_sidechain_duck_queue_gains (
          self, NULL, (gsize) (upto - self->key_frames));
      return TRUE;
    }
    if (!self->have_key_info) {
      gst_sidechain_duck_key_next (self);
      continue;
    }
    bpf = GST_AUDIO_INFO_BPF (&self->key_info);
    n = gst_sidechain_duck_key_span (self, gst_buffer_get_size (buf) / bpf);
    if (self->key_offset == 0) {
      start = gst_sidechain_duck_grid_frame (
          self, &key->segment, GST_BUFFER_PTS (buf));
      /* contiguous within a frame: keep the count, not the rounding (a
       * key starting before the main's first frame sits at a negative
       * frame: what lies before the start goes) */
      if (start == G_MININT64 || llabs (start - self->key_expected) <= 1)
        start = self->key_expected;
      self->key_expected = start;
    } else {
      start = self->key_expected;
    }
    if (start + (gint64) n <= (gint64) self->key_frames) {
      /* all of it before what the detector has had: late */
      self->key_expected = start + (gint64) n;
      gst_sidechain_duck_key_next (self);
      continue;
    }
    if (start > (gint64) self->key_frames) {
      /* a gap before it: silence */
      guint64 gap = MIN ((guint64) start, upto) - self->key_frames;
      gst_sidechain_duck_queue_gains (self, NULL, (gsize) gap);
      continue;
    }
    {
      gsize from = (gsize) ((gint64) self->key_frames - start);
      gsize m = (gsize) MIN ((guint64) (n - from), upto - self->key_frames);
      if (!GST_BUFFER_FLAG_IS_SET (buf, GST_BUFFER_FLAG_GAP) &&
          gst_buffer_map (buf, &map, GST_MAP_READ)) {
        gst_sidechain_duck_feed_key (self, map.data, from, m);
        gst_buffer_unmap (buf, &map);
      } else {
        gst_sidechain_duck_queue_gains (self, NULL, m);
      }
      self->key_offset = from + m;
      if (self->key_offset >= n) {
        self->key_expected = start + (gint64) n;
        gst_sidechain_duck_key_next (self);
      }
    }
  }
  return TRUE;
}

/* ---- the main ---- */

static void
gst_sidechain_duck_post_meter (GstSidechainDuck *self, GstClockTime duration)
{
  GstStructure *s = gst_mm_meter_structure_new ("sidechainduck",
      &GST_AGGREGATOR_PAD (self->main_pad)->segment, self->meter_start,
      duration);
  gst_structure_set (s, "gain-reduction", G_TYPE_DOUBLE,
      self->meter_lowest < 1.0f ? -20.0 * log10 (self->meter_lowest) : 0.0,
      NULL);
  gst_element_post_message (
      GST_ELEMENT (self), gst_message_new_element (GST_OBJECT (self), s));
}

/* Meter bookkeeping for n output frames from pts with gains g. */
static void
gst_sidechain_duck_meter (
    GstSidechainDuck *self, GstClockTime pts, const gfloat *g, gsize n)
{
  gint rate = GST_AUDIO_INFO_RATE (&self->main_info);
  gboolean post;
  guint64 interval, interval_frames;
  gsize done = 0;

  GST_OBJECT_LOCK (self);
  post = self->post_messages;
  interval = self->interval;
  GST_OBJECT_UNLOCK (self);
  if (!post)
    return;
  interval_frames =
      MAX (1, gst_util_uint64_scale_round (interval, rate, GST_SECOND));
  while (done < n) {
    gsize m;
    if (self->meter_frames == 0) {
      self->meter_start = GST_CLOCK_TIME_IS_VALID (pts)
          ? pts + gst_mm_frames_to_time (rate, done)
          : GST_CLOCK_TIME_NONE;
      self->meter_lowest = 1.0f;
    }
    m = (gsize) MIN (
        (guint64) (n - done), interval_frames - self->meter_frames);
    for (gsize i = 0; i < m; i++)
      self->meter_lowest = MIN (self->meter_lowest, g[done + i]);
    self->meter_frames += m;
    done += m;
    if (self->meter_frames >= interval_frames) {
      gst_sidechain_duck_post_meter (
          self, gst_mm_frames_to_time (rate, self->meter_frames));
      self->meter_frames = 0;
    }
  }
}

/* The gains of the main buffer's next n frames, from the queue. */
static void
gst_sidechain_duck_take_gains (GstSidechainDuck *self, gsize n)
{
  gfloat *gain = self->main_gains + self->main_offset;
  gboolean unity = self->main_unity;

  g_assert (n <= self->gains_count);
  for (gsize i = 0; i < n;) {
    gsize at = (self->gains_start + i) % self->gains_capacity;
    gsize run = MIN (n - i, self->gains_capacity - at);
    memcpy (gain + i, self->gains + at, run * sizeof (gfloat));
    i += run;
  }
  for (gsize i = 0; i < n && unity; i++)
    unity = gain[i] == 1.0f;
  self->main_unity = unity;
  self->gains_start = (self->gains_start + n) % self->gains_capacity;
  self->gains_count -= n;
  self->main_offset += n;
  self->main_frames += n;
}

/* The main buffer, all its gains in, ducked and pushed. */
static GstFlowReturn
gst_sidechain_duck_push (GstSidechainDuck *self)
{
  gint channels = GST_AUDIO_INFO_CHANNELS (&self->main_info);
  gboolean is_f32 =
      GST_AUDIO_INFO_FORMAT (&self->main_info) == GST_AUDIO_FORMAT_F32;
  gsize n = self->main_offset;
  GstBuffer *out = self->main_buf;
  GstClockTime pts = GST_BUFFER_PTS (out);
  GstClockTime duration = gst_mm_frames_to_time (
      GST_AUDIO_INFO_RATE (&self->main_info), (guint64) n);
  GstMapInfo map;

  self->main_buf = NULL;
  self->main_offset = 0;
  if (!self->main_unity) {
    /* in place when upstream kept no reference: no copy */
    out = gst_buffer_make_writable (out);
    if (gst_buffer_map (out, &map, GST_MAP_READWRITE)) {
      if (is_f32)
        mm_ducker_apply_f32 (
            (gfloat *) map.data, channels, self->main_gains, n);
      else
        mm_ducker_apply_f64 (
            (gdouble *) map.data, channels, self->main_gains, n);
      gst_buffer_unmap (out, &map);
    }
  }
  /* NaN and Inf come out as 0.0, as from every element of the project */
  out = gst_mm_buffer_sanitized (out, is_f32);
  gst_sidechain_duck_meter (self, pts, self->main_gains, n);

  if (GST_CLOCK_TIME_IS_VALID (pts)) {
    GstSegment *segment =
        &GST_AGGREGATOR_PAD (GST_AGGREGATOR_SRC_PAD (self))->segment;
    GST_OBJECT_LOCK (self);
    /* where the next deadline counts from (live) */
    segment->position = pts + duration;
    GST_OBJECT_UNLOCK (self);
  }
  gst_aggregator_selected_samples (
      GST_AGGREGATOR (self), pts, GST_CLOCK_TIME_NONE, duration, NULL);
  return gst_aggregator_finish_buffer (GST_AGGREGATOR (self), out);
}

/* The main buffer's place on the grid: the origin at the first, and a
 * resync when its time strays more than a frame from the count. */
static void
gst_sidechain_duck_place_main (GstSidechainDuck *self, GstBuffer *buf)
{
  const GstSegment *segment = &self->main_pad->segment;
  GstClockTime pts = GST_BUFFER_PTS (buf);
  gint64 at;

  if (!GST_CLOCK_TIME_IS_VALID (self->origin)) {
    GstClockTime running = GST_CLOCK_TIME_IS_VALID (pts)
        ? gst_segment_to_running_time (segment, GST_FORMAT_TIME, pts)
        : GST_CLOCK_TIME_NONE;
    self->origin = GST_CLOCK_TIME_IS_VALID (running) ? running : 0;
    return;
  }
  at = gst_sidechain_duck_grid_frame (self, segment, pts);
  if (at == G_MININT64 || at < 0 ||
      llabs (at - (gint64) self->main_frames) <= 1)
    return;
  GST_DEBUG_OBJECT (self,
      "main jumps from frame %" G_GUINT64_FORMAT " to %" G_GINT64_FORMAT,
      self->main_frames, at);
  if ((guint64) at > self->main_frames) {
    /* forwards: the gains of the frames skipped go */
    guint64 skip =
        MIN ((guint64) at - self->main_frames, (guint64) self->gains_count);
    self->gains_start = (self->gains_start + skip) % self->gains_capacity;
    self->gains_count -= (gsize) skip;
    self->main_frames = (guint64) at;
  } else {
    /* backwards: a new timeline from here */
    self->origin = gst_segment_to_running_time (segment, GST_FORMAT_TIME, pts);
    self->main_frames = 0;
    self->key_frames = self->key_expected = 0;
    self->key_offset = 0;
    self->gains_start = self->gains_count = 0;
  }
}

/* The next main buffer off the main pad, placed on the grid, with the
 * settings and controls brought up to its time. */
static void
gst_sidechain_duck_take_main (GstSidechainDuck *self, GstBuffer *buf)
{
  gsize frames =
      gst_buffer_get_size (buf) / GST_AUDIO_INFO_BPF (&self->main_info);

  if (!self->ducker_ready)
    gst_sidechain_duck_apply_settings (self, TRUE);
  if (GST_CLOCK_TIME_IS_VALID (GST_BUFFER_PTS (buf))) {
    GstClockTime stream = gst_segment_to_stream_time (
        &self->main_pad->segment, GST_FORMAT_TIME, GST_BUFFER_PTS (buf));
    if (GST_CLOCK_TIME_IS_VALID (stream))
      /* controls follow the main's stream time, as in every element */
      gst_object_sync_values (GST_OBJECT (self), stream);
  }
  GST_OBJECT_LOCK (self);
  if (self->settings_changed) {
    GST_OBJECT_UNLOCK (self);
    gst_sidechain_duck_apply_settings (self, FALSE);
  } else {
    GST_OBJECT_UNLOCK (self);
  }
  gst_sidechain_duck_place_main (self, buf);
  if (frames > self->main_gains_capacity) {
    self->main_gains_capacity = frames;
    self->main_gains = g_renew (gfloat, self->main_gains, frames);
  }
  self->main_buf = buf;
  self->main_offset = 0;
  self->main_unity = TRUE;
}

static GstFlowReturn
gst_sidechain_duck_aggregate (GstAggregator *agg, gboolean timeout)
{
  GstSidechainDuck *self = GST_SIDECHAIN_DUCK (agg);
  GstAggregatorPad *key;
  gsize total;

  if (self->main_buf == NULL) {
    GstBuffer *buf = gst_aggregator_pad_pop_buffer (self->main_pad);
    if (buf == NULL) {
      if (gst_aggregator_pad_is_eos (self->main_pad)) {
        GST_DEBUG_OBJECT (self, "main ended: EOS");
        return GST_FLOW_EOS;
      }
      if (timeout) {
        /* the main is late: let the deadline move on */
        GstSegment *segment =
            &GST_AGGREGATOR_PAD (GST_AGGREGATOR_SRC_PAD (self))->segment;
        GST_OBJECT_LOCK (self);
        if (GST_CLOCK_TIME_IS_VALID (segment->position))
          segment->position += 10 * GST_MSECOND;
        GST_OBJECT_UNLOCK (self);
      }
      return GST_AGGREGATOR_FLOW_NEED_DATA;
    }
    if (!self->have_main_info) {
      gst_buffer_unref (buf);
      GST_ELEMENT_ERROR (
          self, CORE, NEGOTIATION, (NULL), ("main audio came before any caps"));
      return GST_FLOW_NOT_NEGOTIATED;
    }
    gst_sidechain_duck_take_main (self, buf);
  }

  total = gst_buffer_get_size (self->main_buf) /
      GST_AUDIO_INFO_BPF (&self->main_info);
  key = gst_sidechain_duck_get_key_pad (self);
  while (self->main_offset < total) {
    gsize want = MIN (total - self->main_offset, (gsize) CHUNK_FRAMES);
    if (!gst_sidechain_duck_advance_key (self, key,
            self->main_frames + self->lookahead_frames + want, timeout) &&
        self->gains_count == 0)
      break;
    gst_sidechain_duck_take_gains (self, MIN (want, self->gains_count));
  }
  if (key)
    gst_object_unref (key);
  if (self->main_offset < total)
    /* waiting for the key */
    return GST_AGGREGATOR_FLOW_NEED_DATA;
  return gst_sidechain_duck_push (self);
}
