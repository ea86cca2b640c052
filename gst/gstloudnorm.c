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
 * SECTION:element-loudnorm
 * @title: loudnorm
 *
 * Measures loudness by ITU-R BS.1770 / EBU R 128 (momentary, short-term and
 * integrated loudness, loudness range, true peak) and normalizes a whole
 * programme to a delivery target such as -23 LUFS for broadcast or -14 LUFS
 * for streaming.
 *
 * ## Modes
 *
 * - `analyze`: a meter. The audio passes untouched (the very buffers that
 *   came in, bit for bit, with no added latency); the measurements are posted
 *   as messages, and at the end as a summary and ReplayGain tags.
 * - `file` (the default): two passes inside the element, for files and other
 *   non-live sources. The element takes in the whole stream while measuring
 *   it, then at its end sets one static gain, #GstLoudnorm:target minus the
 *   measured integrated loudness, and outputs the stream with that gain
 *   through a lookahead true-peak limiter (the `masterlimiter` gain core: 5
 *   ms lookahead, 8x true-peak detector, automatic release) that only takes
 *   the overs of #GstLoudnorm:max-true-peak. While it reads the stream the
 *   element also takes a profile of it: per block of about 0.17 ms (8 frames
 *   at 48 kHz), the true peak and the K-weighted energy. The limiter works
 *   from that profile: its gain glides linearly across each block, and no
 *   frame can pass the ceiling at the detector's resolution (the argument is
 *   in dsp/blocklimiter.h). Because the limiter takes some loudness off the
 *   transients it catches, the gain is first tried on the profile alone,
 *   which predicts the output's loudness (within 0.005 LU of the rendered
 *   audio at 2.4 LU of limiting in the dsp tests) without reading the audio
 *   again. While a trial misses the target by more than 0.01 LU the gain
 *   moves (by the shortfall, then along the loudness gained per dB) until
 *   two trials lie on either side of the target, then regula falsi between
 *   them (the loudness need not rise steadily with the gain: the automatic
 *   release can take back more at one gain than at a slightly higher one),
 *   at most 16 trials, the closest used. When the level of the input's true
 *   peak plus the gain stays 0.5 dB under the ceiling, the limiter is
 *   transparent and no trial is needed. The final render is then pushed,
 *   carrying the input's timestamps (the first buffer's timestamp plus the
 *   frames before; gaps between input timestamps are not reproduced) and
 *   exactly its sample count, in buffers the size of the first input buffer (10 ms to 1 s). The
 *   gain never changes within the programme: there is no silent switch to
 *   dynamic processing, whatever the material.
 *
 *   When the target cannot be met a warning message says so, naming the
 *   property that stood in the way: #GstLoudnorm:max-gain (0 to 60 dB,
 *   default +24) caps the boost of a quiet programme (cuts are never
 *   limited), or #GstLoudnorm:max-true-peak holds the output under the
 *   target at every gain up to max-gain: the gain then stops where the
 *   output comes within 1 LU of the loudest it can be, rather than squash
 *   the programme for the last fraction of an LU. A programme too short or
 *   too quiet to measure (no 400 ms block over -70 LUFS) keeps its level
 *   (gain 0 dB), with a warning. In every case the ceiling holds.
 *
 *   The audio held is kept in memory up to #GstLoudnorm:max-memory MiB and
 *   in a temporary file past that (in g_get_tmp_dir (), `$TMPDIR`; unlinked
 *   at once where the system allows, else removed when the programme ends),
 *   so memory stays bounded whatever the length, but for the meters'
 *   per-block values kept for the exact final gating (a few hundred bytes
 *   per second of audio per meter, two meters: some 20 to 45 MB for ten
 *   hours). Events that come in the middle of the audio (tags, custom
 *   events) go out at the same place in it; a GAP comes out as silence. File
 *   mode cannot run on a
 *   live source (it would hold the stream until its end): the element
 *   refuses one with an error saying so, when it answers the LATENCY query or
 *   at the first buffer. Use `mode=analyze` or `mode=live` there. So that
 *   the sinks after it can preroll while it holds the stream (a pipeline
 *   where the stream also goes elsewhere through a tee would otherwise wait
 *   for them for ever), it sends a GAP event when a programme starts.
 *
 * - `live`: one pass, for broadcast chains and streams, live sources
 *   included. The audio is delayed by #GstLoudnorm:lookahead (100 ms to 10 s,
 *   default 3 s) and goes out with one gain for the whole programme that
 *   follows it slowly: every 100 ms the BS.1770-gated loudness of a window
 *   from 10 s before the frame leaving to the end of the lookahead sets the
 *   aim, #GstLoudnorm:target minus that loudness (at most
 *   #GstLoudnorm:max-gain), and the gain moves towards it at no more than
 *   #GstLoudnorm:max-gain-rate dB per second (default 2): it follows the
 *   programme, not its syllables or notes. While the window holds nothing
 *   over the gates (a pause, silence) the gain holds, so nothing ramps up
 *   after a pause; at the start the gain is already where the first
 *   lookahead of programme needs it. The same true-peak limiter as file
 *   mode holds #GstLoudnorm:max-true-peak. The LATENCY query reports the
 *   lookahead plus the limiter's delay (5 ms and its detector's 43 frames);
 *   output frames keep their input frame's timestamps and the sample count
 *   is kept (the delay's tail is pushed out at the end). The target,
 *   ceiling, max-gain and max-gain-rate follow changes while playing, set
 *   directly or through a #GstController (they are controllable, synced at
 *   each buffer's running time); the
 *   lookahead is read when a programme starts. The summary's `gain` is the
 *   programme's level change as a whole (output minus input integrated
 *   loudness).
 *
 * A programme ends at EOS, and also at a new stream-start, a caps change or
 * a segment after audio (so that each track of a gapless stream gets its own
 * measurement and, in file mode, its own gain). A flush discards it.
 * #GstLoudnorm:mode is read when a programme's first audio arrives;
 * #GstLoudnorm:dual-mono when the caps are set; the target, ceiling and
 * #GstLoudnorm:max-gain at the end of the programme.
 *
 * ## Channels
 *
 * Interleaved F32 or F64, 1 to 8 channels, 8 kHz to 384 kHz; the output has
 * the input's caps (the element never resamples). The BS.1770 channel
 * weights come from the channel positions: front left, right and centre
 * 1.0; LFE excluded; side left/right and wide left/right (the M+-060 to
 * M+-120 positions of BS.1770 Annex 3) 1.41; rear left/right 1.41 when the
 * layout has no side channels (GStreamer's 4.0, 5.0 and 5.1 put their
 * surrounds there), 1.0 when it has them (7.1's back pair, M+-135); every
 * other position 1.0. A mono stream counts once (1.0), or as both sides of a
 * dual-mono stereo programme (2.0, +3 dB) with #GstLoudnorm:dual-mono.
 * Unpositioned multichannel audio is weighed 1.0 throughout, with one
 * warning.
 *
 * ## Messages
 *
 * With #GstLoudnorm:post-messages, an element message named `loudnorm` is
 * posted every #GstLoudnorm:interval of audio: of the input in analyze mode,
 * of the output as it is pushed in file mode (none during the trials). Its
 * fields (gdouble):
 *
 * - `momentary` (LUFS): the 400 ms loudness at the end of the interval;
 * - `short-term` (LUFS): the 3 s loudness at the end of the interval;
 * - `momentary-max`, `short-term-max` (LUFS): their largest values over the
 *   interval, evaluated every 10 ms of audio whatever the buffer size and
 *   interval (what an EBU meter's maximum shows: a 100 ms hop could miss a
 *   short burst by up to 0.58 dB);
 * - `integrated` (LUFS) and `loudness-range` (LU) since the programme began;
 * - `true-peak` (dBTP): the largest true peak since the programme began, over
 *   all channels; `true-peak-interval` (dBTP): the largest over the interval;
 *
 * plus `timestamp`, `stream-time`, `running-time` and `duration` (guint64,
 * ns) like `level`'s. Running readings gate with histograms of 0.01 LU; the
 * summary is exact. In file mode the output's loudness is measured on the
 * audio pushed; its true peak is the limiter's own account (each profile
 * block's true peak times the largest gain applied in it), which the tests
 * hold within 0.02 dB of the 8x detector run on the output.
 *
 * At the end of a programme an element message named `loudnorm-summary` is
 * posted with `input-integrated` (LUFS), `input-true-peak` (dBTP),
 * `input-loudness-range` (LU), `output-integrated` (LUFS),
 * `output-true-peak` (dBTP) and `gain` (dB applied; in analyze mode the
 * output is the input and the gain 0), plus `duration` (guint64, ns) and, in
 * file and live mode, `target` (LUFS), `max-true-peak` (dBTP),
 * `gain-reduction` (dB, the limiter's largest) and `target-met` (gboolean:
 * the output within 0.1 LU of the target in file mode, within 1 LU in live
 * mode, whose gain follows the programme). A tag event goes downstream with
 * `replaygain-track-gain` (-18 LUFS, ReplayGain 2.0's reference, minus the
 * output's integrated loudness, in dB), `replaygain-track-peak` (the
 * output's true peak, linear) and `replaygain-reference-level` (89.0, which
 * `rgvolume` expects), merged into the last stream tags from upstream: in
 * analyze and live mode at the end (before EOS); in file mode before the
 * first buffer, so that encoders writing tags in a header (`flacenc`) get
 * them, with the output's levels as they will be (exact when the limiter
 * stays transparent, else the limiter model's, within a few hundredths of a
 * dB), and when the limiter acted once more at the end with the levels
 * measured.
 *
 * Levels never read -inf or NaN: a loudness or peak with nothing to measure
 * (silence, or less than a 400 ms window) or under -70 reads -70 (LUFS or
 * dBTP: the BS.1770 absolute gate, as ffmpeg's ebur128 shows it), a loudness
 * range with nothing to measure reads 0 LU, and `replaygain-track-gain` is
 * left out when the integrated loudness is not measurable.
 *
 * ## Example launch lines
 * |[
 * gst-launch-1.0 filesrc location=episode.wav ! wavparse ! audioconvert ! \
 *     loudnorm preset=podcast ! audioconvert ! wavenc ! \
 *     filesink location=episode-16lufs.wav
 * ]| Puts a podcast episode on -16 LUFS with its true peak at or under
 * -1 dBTP, in one run.
 * |[
 * gst-launch-1.0 -m filesrc location=mix.wav ! wavparse ! audioconvert ! \
 *     loudnorm mode=analyze post-messages=true interval=1000000000 ! \
 *     fakesink
 * ]| Measures a mix and prints a meter message every second and the
 * `loudnorm-summary` at the end.
 * |[
 * gst-launch-1.0 pulsesrc ! audioconvert ! \
 *     loudnorm mode=live preset=ebu-r128 lookahead=3000 ! audioconvert ! \
 *     pulsesink
 * ]| Holds a live feed on -23 LUFS and -1 dBTP for broadcast, 3 s behind.
 * |[
 * gst-launch-1.0 filesrc location=master.flac ! flacparse ! flacdec ! \
 *     audioconvert ! loudnorm preset=ebu-r128 max-gain=12 ! audioconvert ! \
 *     audio/x-raw,format=S24LE ! wavenc ! filesink location=broadcast.wav
 * ]| Normalizes a master to EBU R 128 (-23 LUFS, -1 dBTP) for broadcast,
 * boosting by at most 12 dB.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstloudnorm.h"

#include <math.h>
#include <string.h>

#include "gstmmutil.h"

GST_DEBUG_CATEGORY_STATIC (gst_loudnorm_debug);
#define GST_CAT_DEFAULT gst_loudnorm_debug

#define DEFAULT_MODE GST_LOUDNORM_MODE_FILE
#define DEFAULT_PRESET GST_LOUDNORM_PRESET_STREAMING
#define DEFAULT_TARGET -14.0
#define DEFAULT_MAX_TRUE_PEAK -1.0
#define DEFAULT_MAX_GAIN 24.0
#define DEFAULT_MAX_MEMORY 64
#define DEFAULT_DUAL_MONO FALSE
#define DEFAULT_POST_MESSAGES FALSE
#define DEFAULT_INTERVAL (100 * GST_MSECOND)
#define DEFAULT_LOOKAHEAD 3000.0
#define MAX_LOOKAHEAD 10000.0
#define DEFAULT_MAX_GAIN_RATE 2.0

/* levels under this (and -inf) read this in messages */
#define LEVEL_FLOOR -70.0
/* ReplayGain 2.0 reference loudness (LUFS) and its legacy level (dB SPL) */
#define REPLAYGAIN_REFERENCE_LUFS -18.0
#define REPLAYGAIN_REFERENCE_LEVEL 89.0

/* the limiter: masterlimiter's defaults */
#define LIMITER_LOOKAHEAD_MS 5.0
#define LIMITER_RELEASE_MS 150.0
#define LIMITER_AUTO_RELEASE TRUE
/* a true peak this far under the ceiling passes the limiter at gain 1 */
#define TRANSPARENT_MARGIN_DB 0.5
/* a trial closer than this to the target is final */
#define TRIAL_TOLERANCE_LU 0.01
#define MAX_TRIALS 16
/* a target no gain up to max-gain reaches: the gain stops this close under
 * the loudest the ceiling allows */
#define UNREACHABLE_MARGIN_LU 1.0
/* when a dB more gain raises the output by less than this (LU), the limiter
 * takes nearly all of it back: the ceiling, not the gain, sets the loudness,
 * and more gain would only squash the programme */
#define MIN_LOUDNESS_PER_DB 0.2
/* farther than this from the target, the user is told */
#define WARN_TOLERANCE_LU 0.1
/* live mode follows the programme: its summary's target-met allows this */
#define LIVE_WARN_TOLERANCE_LU 1.0

/* frames per pass over silence (GAP events) */
#define WORK_FRAMES 4096
/* blocks per pass over the profile */
#define PLAN_CHUNK 4096

enum
{
  PROP_0,
  PROP_MODE,
  PROP_TARGET,
  PROP_MAX_TRUE_PEAK,
  PROP_PRESET,
  PROP_MAX_GAIN,
  PROP_MAX_MEMORY,
  PROP_DUAL_MONO,
  PROP_POST_MESSAGES,
  PROP_INTERVAL,
  PROP_LOOKAHEAD,
  PROP_MAX_GAIN_RATE,
  N_PROPERTIES
};

static GParamSpec *properties[N_PROPERTIES];

static const struct
{
  gdouble target, max_true_peak;
} presets[] = {
  [GST_LOUDNORM_PRESET_CUSTOM] = { NAN, NAN },
  [GST_LOUDNORM_PRESET_EBU_R128] = { -23.0, -1.0 },
  [GST_LOUDNORM_PRESET_ATSC_A85] = { -24.0, -2.0 },
  [GST_LOUDNORM_PRESET_STREAMING] = { -14.0, -1.0 },
  [GST_LOUDNORM_PRESET_APPLE_MUSIC] = { -16.0, -1.0 },
  [GST_LOUDNORM_PRESET_PODCAST] = { -16.0, -1.0 },
};

#define LOUDNORM_CAPS                                                          \
  "audio/x-raw, "                                                              \
  "format = (string) { " GST_AUDIO_NE (F32) ", " GST_AUDIO_NE (                \
      F64) " }, "                                                              \
           "rate = (int) [ 8000, 384000 ], "                                   \
           "channels = (int) [ 1, 8 ], "                                       \
           "layout = (string) interleaved"

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE (
    "sink", GST_PAD_SINK, GST_PAD_ALWAYS, GST_STATIC_CAPS (LOUDNORM_CAPS));
static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE (
    "src", GST_PAD_SRC, GST_PAD_ALWAYS, GST_STATIC_CAPS (LOUDNORM_CAPS));

GType
gst_loudnorm_mode_get_type (void)
{
  static gsize type = 0;
  static const GEnumValue values[] = {
    { GST_LOUDNORM_MODE_ANALYZE,
        "Measure only: the audio passes untouched, the measurements are "
        "posted",
        "analyze" },
    { GST_LOUDNORM_MODE_FILE,
        "Hold the whole stream, then output it with one static gain on the "
        "target, the true-peak limiter taking only the overs",
        "file" },
    { GST_LOUDNORM_MODE_LIVE,
        "One pass for broadcast and streams: the gain follows the programme "
        "slowly to the target, with lookahead",
        "live" },
    { 0, NULL, NULL },
  };

  if (g_once_init_enter (&type)) {
    GType t = g_enum_register_static ("GstLoudnormMode", values);
    g_once_init_leave (&type, t);
  }
  return (GType) type;
}

GType
gst_loudnorm_preset_get_type (void)
{
  static gsize type = 0;
  static const GEnumValue values[] = {
    { GST_LOUDNORM_PRESET_CUSTOM, "target and max-true-peak as set", "custom" },
    { GST_LOUDNORM_PRESET_EBU_R128, "EBU R 128 broadcast: -23 LUFS, -1 dBTP",
        "ebu-r128" },
    { GST_LOUDNORM_PRESET_ATSC_A85, "ATSC A/85 television: -24 LUFS, -2 dBTP",
        "atsc-a85" },
    { GST_LOUDNORM_PRESET_STREAMING,
        "Streaming (Spotify, YouTube, Tidal): -14 LUFS, -1 dBTP", "streaming" },
    { GST_LOUDNORM_PRESET_APPLE_MUSIC, "Apple Music: -16 LUFS, -1 dBTP",
        "apple-music" },
    { GST_LOUDNORM_PRESET_PODCAST, "Podcasts: -16 LUFS, -1 dBTP", "podcast" },
    { 0, NULL, NULL },
  };

  if (g_once_init_enter (&type)) {
    GType t = g_enum_register_static ("GstLoudnormPreset", values);
    g_once_init_leave (&type, t);
  }
  return (GType) type;
}

/* A plain GstElement with two pads rather than a GstBaseTransform: file mode
 * takes a whole programme in before anything comes out, then pushes all of
 * it (with the events held at their places, the summary and the tags) from
 * the EOS handler, which a transform's one-buffer-in, one-buffer-out model
 * and its event handling would only get in the way of; analyze mode pushes
 * the incoming buffers themselves. */
#define gst_loudnorm_parent_class parent_class
G_DEFINE_TYPE (GstLoudnorm, gst_loudnorm, GST_TYPE_ELEMENT);
GST_ELEMENT_REGISTER_DEFINE_WITH_CODE (loudnorm, "loudnorm", GST_RANK_NONE,
    GST_TYPE_LOUDNORM,
    GST_DEBUG_CATEGORY_INIT (
        gst_loudnorm_debug, "loudnorm", 0, "loudness normalizer"));

static void gst_loudnorm_finalize (GObject *object);
static void gst_loudnorm_set_property (
    GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec);
static void gst_loudnorm_get_property (
    GObject *object, guint prop_id, GValue *value, GParamSpec *pspec);
static GstStateChangeReturn gst_loudnorm_change_state (
    GstElement *element, GstStateChange transition);
static GstFlowReturn gst_loudnorm_chain (
    GstPad *pad, GstObject *parent, GstBuffer *buf);
static gboolean gst_loudnorm_sink_event (
    GstPad *pad, GstObject *parent, GstEvent *event);
static gboolean gst_loudnorm_latency_query (
    GstLoudnorm *self, GstPad *other, GstQuery *query);
static gboolean gst_loudnorm_sink_query (
    GstPad *pad, GstObject *parent, GstQuery *query);
static gboolean gst_loudnorm_src_query (
    GstPad *pad, GstObject *parent, GstQuery *query);

/* ---- the element ---- */

static void
gst_loudnorm_class_init (GstLoudnormClass *klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS;

  gobject_class->finalize = gst_loudnorm_finalize;
  gobject_class->set_property = gst_loudnorm_set_property;
  gobject_class->get_property = gst_loudnorm_get_property;

  properties[PROP_MODE] = g_param_spec_enum ("mode", "Mode",
      "analyze: measure, pass the audio untouched; file: hold the whole "
      "stream, then output it with one static gain on the target; live: one "
      "pass, a slow gain that follows the programme to the target",
      GST_TYPE_LOUDNORM_MODE, DEFAULT_MODE, flags);
  properties[PROP_TARGET] = g_param_spec_double ("target", "Target",
      "Integrated loudness of the output in file and live mode (LUFS); "
      "setting it makes the preset custom; controllable (live mode follows "
      "it while playing)",
      -70.0, 0.0, DEFAULT_TARGET, flags | GST_PARAM_CONTROLLABLE);
  properties[PROP_MAX_TRUE_PEAK] =
      g_param_spec_double ("max-true-peak", "Maximum true peak",
          "Ceiling of the output's true peak in file and live mode, held by a "
          "true-peak limiter (dBTP); setting it makes the preset custom; "
          "controllable (live mode follows it while playing)",
          -9.0, 0.0, DEFAULT_MAX_TRUE_PEAK, flags | GST_PARAM_CONTROLLABLE);
  properties[PROP_PRESET] = g_param_spec_enum ("preset", "Preset",
      "Delivery target: sets target and max-true-peak",
      GST_TYPE_LOUDNORM_PRESET, DEFAULT_PRESET, flags);
  properties[PROP_MAX_GAIN] = g_param_spec_double ("max-gain", "Maximum gain",
      "Largest boost file and live mode apply to reach the target; a "
      "quieter programme stays under it, with a warning in file mode (dB); "
      "controllable (live mode follows it while playing)",
      0.0, 60.0, DEFAULT_MAX_GAIN, flags | GST_PARAM_CONTROLLABLE);
  properties[PROP_MAX_MEMORY] =
      g_param_spec_uint ("max-memory", "Maximum memory",
          "Audio file mode holds in memory; the rest goes to a temporary file "
          "(MiB)",
          0, 1024 * 1024, DEFAULT_MAX_MEMORY, flags);
  properties[PROP_DUAL_MONO] = g_param_spec_boolean ("dual-mono", "Dual mono",
      "Measure a mono stream as both channels of a stereo programme (+3 dB), "
      "as for a mono signal played on two speakers",
      DEFAULT_DUAL_MONO, flags);
  properties[PROP_POST_MESSAGES] =
      g_param_spec_boolean ("post-messages", "Post messages",
          "Post a 'loudnorm' element message with the loudness every interval",
          DEFAULT_POST_MESSAGES, flags);
  properties[PROP_INTERVAL] = g_param_spec_uint64 ("interval", "Interval",
      "Interval between meter messages (ns)", GST_MSECOND, G_MAXUINT64,
      DEFAULT_INTERVAL, flags);
  properties[PROP_LOOKAHEAD] = g_param_spec_double ("lookahead", "Lookahead",
      "Live mode: how far ahead the gain sees the programme; delays the "
      "audio, reported as latency (ms)",
      100.0, MAX_LOOKAHEAD, DEFAULT_LOOKAHEAD, flags);
  properties[PROP_MAX_GAIN_RATE] =
      g_param_spec_double ("max-gain-rate", "Maximum gain rate",
          "Live mode: the fastest the gain may move (dB per second); "
          "controllable",
          0.1, 20.0, DEFAULT_MAX_GAIN_RATE, flags | GST_PARAM_CONTROLLABLE);
  g_object_class_install_properties (gobject_class, N_PROPERTIES, properties);

  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_add_static_pad_template (element_class, &src_template);
  gst_element_class_set_static_metadata (element_class, "Loudness normalizer",
      "Filter/Analyzer/Audio",
      "EBU R 128 / BS.1770 loudness meter and normalizer: measures, or puts a "
      "whole programme on a loudness target under a true-peak ceiling",
      "gst-mixmaster developers");

  element_class->change_state = GST_DEBUG_FUNCPTR (gst_loudnorm_change_state);

  gst_type_mark_as_plugin_api (GST_TYPE_LOUDNORM_MODE, 0);
  gst_type_mark_as_plugin_api (GST_TYPE_LOUDNORM_PRESET, 0);
}

static void
gst_loudnorm_init (GstLoudnorm *self)
{
  self->sinkpad = gst_pad_new_from_static_template (&sink_template, "sink");
  gst_pad_set_chain_function (
      self->sinkpad, GST_DEBUG_FUNCPTR (gst_loudnorm_chain));
  gst_pad_set_event_function (
      self->sinkpad, GST_DEBUG_FUNCPTR (gst_loudnorm_sink_event));
  gst_pad_set_query_function (
      self->sinkpad, GST_DEBUG_FUNCPTR (gst_loudnorm_sink_query));
  GST_PAD_SET_PROXY_CAPS (self->sinkpad);
  GST_PAD_SET_PROXY_ALLOCATION (self->sinkpad);
  gst_element_add_pad (GST_ELEMENT (self), self->sinkpad);

  self->srcpad = gst_pad_new_from_static_template (&src_template, "src");
  gst_pad_set_query_function (
      self->srcpad, GST_DEBUG_FUNCPTR (gst_loudnorm_src_query));
  GST_PAD_SET_PROXY_CAPS (self->srcpad);
  gst_element_add_pad (GST_ELEMENT (self), self->srcpad);

  self->mode = DEFAULT_MODE;
  self->preset = DEFAULT_PRESET;
  self->target = DEFAULT_TARGET;
  self->max_true_peak = DEFAULT_MAX_TRUE_PEAK;
  self->max_gain = DEFAULT_MAX_GAIN;
  self->max_memory = DEFAULT_MAX_MEMORY;
  self->dual_mono = DEFAULT_DUAL_MONO;
  self->post_messages = DEFAULT_POST_MESSAGES;
  self->interval = DEFAULT_INTERVAL;
  self->lookahead = DEFAULT_LOOKAHEAD;
  self->max_gain_rate = DEFAULT_MAX_GAIN_RATE;

  gst_segment_init (&self->segment, GST_FORMAT_TIME);
  g_queue_init (&self->held_events);
  self->ts_base = GST_CLOCK_TIME_NONE;
  self->base_pts = GST_CLOCK_TIME_NONE;
  self->meter_start = GST_CLOCK_TIME_NONE;
}

typedef struct
{
  guint64 offset; /* frames of audio before it */
  GstEvent *event;
} HeldEvent;

static void
held_event_free (gpointer data)
{
  HeldEvent *h = data;
  gst_event_unref (h->event);
  g_free (h);
}

/* Forgets the programme: a flush, a restart, or after its end. */
static void
gst_loudnorm_reset_programme (GstLoudnorm *self)
{
  self->started = FALSE;
  self->frames = 0;
  self->ts_base = GST_CLOCK_TIME_NONE;
  self->ts_frames = 0;
  self->base_pts = GST_CLOCK_TIME_NONE;
  gst_mm_spool_free (self->spool);
  self->spool = NULL;
  gst_mm_spool_free (self->profile);
  self->profile = NULL;
  self->profile_blocks = 0;
  if (self->profiler)
    mm_block_profiler_reset (self->profiler);
  g_queue_clear_full (&self->held_events, held_event_free);
  if (self->in_meter)
    mm_loudness_reset (self->in_meter);
  if (self->out_meter)
    mm_loudness_reset (self->out_meter);
  self->meter_frames = 0;
  self->meter_start = GST_CLOCK_TIME_NONE;
  self->live_latency = self->live_trim = self->out_frames = 0;
}

static void
gst_loudnorm_free_dsp (GstLoudnorm *self)
{
  if (self->in_meter)
    mm_loudness_free (self->in_meter);
  if (self->out_meter)
    mm_loudness_free (self->out_meter);
  if (self->limiter)
    mm_limiter_free (self->limiter);
  if (self->leveler)
    mm_leveler_free (self->leveler);
  mm_block_profiler_free (self->profiler);
  mm_block_limiter_free (self->block_limiter);
  self->in_meter = self->out_meter = NULL;
  self->limiter = NULL;
  self->leveler = NULL;
  self->profiler = NULL;
  self->block_limiter = NULL;
  g_free (self->work);
  self->work = NULL;
  self->work_frames = 0;
  self->have_info = FALSE;
  gst_caps_replace (&self->caps, NULL);
}

static void
gst_loudnorm_finalize (GObject *object)
{
  GstLoudnorm *self = GST_LOUDNORM (object);

  gst_loudnorm_reset_programme (self);
  gst_loudnorm_free_dsp (self);
  if (self->upstream_tags)
    gst_tag_list_unref (self->upstream_tags);
  self->upstream_tags = NULL;
  gst_caps_replace (&self->refused_caps, NULL);
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
gst_loudnorm_set_property (
    GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  GstLoudnorm *self = GST_LOUDNORM (object);
  gboolean notify_levels = FALSE, notify_preset = FALSE;

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_MODE:
      self->mode = g_value_get_enum (value);
      break;
    case PROP_TARGET:
      self->target = g_value_get_double (value);
      notify_preset = self->preset != GST_LOUDNORM_PRESET_CUSTOM;
      self->preset = GST_LOUDNORM_PRESET_CUSTOM;
      break;
    case PROP_MAX_TRUE_PEAK:
      self->max_true_peak = g_value_get_double (value);
      notify_preset = self->preset != GST_LOUDNORM_PRESET_CUSTOM;
      self->preset = GST_LOUDNORM_PRESET_CUSTOM;
      break;
    case PROP_PRESET: {
      GstLoudnormPreset preset = g_value_get_enum (value);
      self->preset = preset;
      if (preset != GST_LOUDNORM_PRESET_CUSTOM) {
        self->target = presets[preset].target;
        self->max_true_peak = presets[preset].max_true_peak;
        notify_levels = TRUE;
      }
      break;
    }
    case PROP_MAX_GAIN:
      self->max_gain = g_value_get_double (value);
      break;
    case PROP_MAX_MEMORY:
      self->max_memory = g_value_get_uint (value);
      break;
    case PROP_DUAL_MONO:
      self->dual_mono = g_value_get_boolean (value);
      break;
    case PROP_POST_MESSAGES:
      self->post_messages = g_value_get_boolean (value);
      break;
    case PROP_INTERVAL:
      self->interval = g_value_get_uint64 (value);
      break;
    case PROP_LOOKAHEAD:
      self->lookahead = g_value_get_double (value);
      break;
    case PROP_MAX_GAIN_RATE:
      self->max_gain_rate = g_value_get_double (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);

  if (notify_preset)
    g_object_notify_by_pspec (object, properties[PROP_PRESET]);
  if (notify_levels) {
    g_object_notify_by_pspec (object, properties[PROP_TARGET]);
    g_object_notify_by_pspec (object, properties[PROP_MAX_TRUE_PEAK]);
  }
}

static void
gst_loudnorm_get_property (
    GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  GstLoudnorm *self = GST_LOUDNORM (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_MODE:
      g_value_set_enum (value, self->mode);
      break;
    case PROP_TARGET:
      g_value_set_double (value, self->target);
      break;
    case PROP_MAX_TRUE_PEAK:
      g_value_set_double (value, self->max_true_peak);
      break;
    case PROP_PRESET:
      g_value_set_enum (value, self->preset);
      break;
    case PROP_MAX_GAIN:
      g_value_set_double (value, self->max_gain);
      break;
    case PROP_MAX_MEMORY:
      g_value_set_uint (value, self->max_memory);
      break;
    case PROP_DUAL_MONO:
      g_value_set_boolean (value, self->dual_mono);
      break;
    case PROP_POST_MESSAGES:
      g_value_set_boolean (value, self->post_messages);
      break;
    case PROP_INTERVAL:
      g_value_set_uint64 (value, self->interval);
      break;
    case PROP_LOOKAHEAD:
      g_value_set_double (value, self->lookahead);
      break;
    case PROP_MAX_GAIN_RATE:
      g_value_set_double (value, self->max_gain_rate);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static gboolean
gst_loudnorm_is_f32 (GstLoudnorm *self)
{
  return GST_AUDIO_INFO_FORMAT (&self->info) == GST_AUDIO_FORMAT_F32;
}

/* A level for a message: never -inf or NaN. */
static gdouble
level_field (gdouble level)
{
  return level > LEVEL_FLOOR ? level : LEVEL_FLOOR;
}

static gdouble
peak_db (gdouble linear)
{
  return level_field (20.0 * log10 (linear));
}

static gdouble
range_field (gdouble range)
{
  return isfinite (range) ? range : 0.0;
}

/* ---- caps and channel weights ---- */

/* BS.1770 weights from the channel positions (loudness-and-delivery.md 1.3).
 * Returns FALSE for unpositioned multichannel audio (all 1.0). */
static gboolean
gst_loudnorm_weights (
    const GstAudioInfo *info, gboolean dual_mono, gdouble *weights)
{
  gint channels = GST_AUDIO_INFO_CHANNELS (info);
  guint64 mask = 0;
  gboolean has_side;

  if (channels == 1) {
    weights[0] = dual_mono ? 2.0 : 1.0;
    return TRUE;
  }
  if (GST_AUDIO_INFO_IS_UNPOSITIONED (info)) {
    for (gint c = 0; c < channels; c++)
      weights[c] = 1.0;
    return FALSE;
  }
  for (gint c = 0; c < channels; c++) {
    GstAudioChannelPosition pos = GST_AUDIO_INFO_POSITION (info, c);
    if (pos >= 0 && pos < 64)
      mask |= G_GUINT64_CONSTANT (1) << pos;
  }
  has_side =
      (mask &
          ((G_GUINT64_CONSTANT (1) << GST_AUDIO_CHANNEL_POSITION_SIDE_LEFT) |
              (G_GUINT64_CONSTANT (1)
                  << GST_AUDIO_CHANNEL_POSITION_SIDE_RIGHT))) != 0;
  for (gint c = 0; c < channels; c++) {
    switch (GST_AUDIO_INFO_POSITION (info, c)) {
      case GST_AUDIO_CHANNEL_POSITION_LFE1:
      case GST_AUDIO_CHANNEL_POSITION_LFE2:
        weights[c] = 0.0;
        break;
      case GST_AUDIO_CHANNEL_POSITION_REAR_LEFT:
      case GST_AUDIO_CHANNEL_POSITION_REAR_RIGHT:
        /* the surrounds of 4.0 and 5.x (M+-110), or 7.1's back pair
         * (M+-135) */
        weights[c] = has_side ? 1.0 : 1.41;
        break;
      case GST_AUDIO_CHANNEL_POSITION_SIDE_LEFT:
      case GST_AUDIO_CHANNEL_POSITION_SIDE_RIGHT:
      case GST_AUDIO_CHANNEL_POSITION_WIDE_LEFT:
      case GST_AUDIO_CHANNEL_POSITION_WIDE_RIGHT:
        /* M+-090 and M+-060: BS.1770 Annex 3, 60 to 120 degrees */
        weights[c] = 1.41;
        break;
      default:
        weights[c] = 1.0;
        break;
    }
  }
  return TRUE;
}

static void
gst_loudnorm_refuse_caps (GstLoudnorm *self, GstCaps *caps)
{
  gchar *caps_str;
  gboolean again;

  /* once per caps: the accept-caps query and the caps event both come */
  GST_OBJECT_LOCK (self);
  again = self->refused_caps && gst_caps_is_equal (caps, self->refused_caps);
  if (!again)
    gst_caps_replace (&self->refused_caps, caps);
  GST_OBJECT_UNLOCK (self);
  if (again)
    return;
  caps_str = gst_caps_to_string (caps);

  GST_ELEMENT_ERROR (self, CORE, NEGOTIATION,
      ("loudnorm takes interleaved F32 or F64 audio with 1 to 8 channels at "
       "8000-384000 Hz."),
      ("Put 'audioconvert' (and 'audioresample' for other rates) in front of "
       "it. Offered caps: %s",
          caps_str));
  g_free (caps_str);
}

/* About 0.17 ms: the limiter's gain moves in straight steps this long,
 * far shorter than the 5 ms it takes to dip. */
static gsize
gst_loudnorm_block_frames (gint rate)
{
  return (gsize) MAX (1, (rate + 3000) / 6000);
}

static gboolean
gst_loudnorm_set_caps (GstLoudnorm *self, GstCaps *caps)
{
  GstAudioInfo info;
  gdouble weights[8];
  gboolean dual_mono;
  gint rate, channels;
  MmLoudness *in_meter, *out_meter;
  MmLimiter *limiter;
  MmLeveler *leveler;
  MmBlockProfiler *profiler;
  MmBlockLimiter *block_limiter;
  gsize block_frames;

  if (!gst_audio_info_from_caps (&info, caps) ||
      (GST_AUDIO_INFO_FORMAT (&info) != GST_AUDIO_FORMAT_F32 &&
          GST_AUDIO_INFO_FORMAT (&info) != GST_AUDIO_FORMAT_F64) ||
      GST_AUDIO_INFO_LAYOUT (&info) != GST_AUDIO_LAYOUT_INTERLEAVED ||
      GST_AUDIO_INFO_CHANNELS (&info) < 1 ||
      GST_AUDIO_INFO_CHANNELS (&info) > 8 ||
      GST_AUDIO_INFO_RATE (&info) < 8000 ||
      GST_AUDIO_INFO_RATE (&info) > 384000) {
    gst_loudnorm_refuse_caps (self, caps);
    return FALSE;
  }
  rate = GST_AUDIO_INFO_RATE (&info);
  channels = GST_AUDIO_INFO_CHANNELS (&info);

  GST_OBJECT_LOCK (self);
  dual_mono = self->dual_mono;
  GST_OBJECT_UNLOCK (self);
  if (!gst_loudnorm_weights (&info, dual_mono, weights))
    GST_ELEMENT_WARNING (self, STREAM, FORMAT,
        ("%s: the %d channels have no positions; each is weighed 1.0, as a "
         "front channel. Set a channel-mask in the caps for BS.1770 "
         "surround weights (1.41) and to leave out an LFE.",
            GST_OBJECT_NAME (self), channels),
        (NULL));
  for (gint c = 0; c < channels; c++)
    GST_DEBUG_OBJECT (self, "channel %d weight %.2f", c, weights[c]);

  in_meter = mm_loudness_new (channels, rate, weights);
  out_meter = mm_loudness_new (channels, rate, weights);
  limiter = mm_limiter_new (channels, rate, LIMITER_LOOKAHEAD_MS);
  leveler = mm_leveler_new (channels, rate, weights, MAX_LOOKAHEAD);
  block_frames = gst_loudnorm_block_frames (rate);
  profiler = mm_block_profiler_new (channels, rate, block_frames);
  block_limiter = mm_block_limiter_new (
      block_frames, (gsize) lround (LIMITER_LOOKAHEAD_MS * rate / 1000.0));
  if (in_meter == NULL || out_meter == NULL || limiter == NULL ||
      leveler == NULL || profiler == NULL || block_limiter == NULL) {
    if (in_meter)
      mm_loudness_free (in_meter);
    if (out_meter)
      mm_loudness_free (out_meter);
    if (limiter)
      mm_limiter_free (limiter);
    if (leveler)
      mm_leveler_free (leveler);
    mm_block_profiler_free (profiler);
    mm_block_limiter_free (block_limiter);
    GST_ELEMENT_ERROR (self, RESOURCE, FAILED, (NULL),
        ("Could not set up the meter and limiter for %d channels at %d Hz",
            channels, rate));
    return FALSE;
  }

  gst_loudnorm_free_dsp (self);
  self->in_meter = in_meter;
  self->out_meter = out_meter;
  self->limiter = limiter;
  self->leveler = leveler;
  self->profiler = profiler;
  self->block_limiter = block_limiter;
  self->block_frames = block_frames;
  self->work_frames = WORK_FRAMES;
  self->work = g_malloc (self->work_frames * GST_AUDIO_INFO_BPF (&info));
  self->info = info;
  self->have_info = TRUE;
  gst_caps_replace (&self->caps, caps);
  return TRUE;
}

/* ---- meters ---- */

static const GstSegment *
gst_loudnorm_time_segment (GstLoudnorm *self)
{
  static GstSegment fallback;
  static gsize init = 0;

  if (self->segment.format == GST_FORMAT_TIME)
    return &self->segment;
  if (g_once_init_enter (&init)) {
    gst_segment_init (&fallback, GST_FORMAT_TIME);
    g_once_init_leave (&init, 1);
  }
  return &fallback;
}

static void
gst_loudnorm_post_meter (GstLoudnorm *self, MmLoudness *meter)
{
  gint rate = GST_AUDIO_INFO_RATE (&self->info);
  MmLoudnessReading r;
  GstStructure *s;

  mm_loudness_read (meter, &r, TRUE);
  s = gst_mm_meter_structure_new ("loudnorm", gst_loudnorm_time_segment (self),
      self->meter_start, gst_mm_frames_to_time (rate, self->meter_frames));
  gst_structure_set (s, "momentary", G_TYPE_DOUBLE, level_field (r.momentary),
      "short-term", G_TYPE_DOUBLE, level_field (r.short_term), "integrated",
      G_TYPE_DOUBLE, level_field (r.integrated), "loudness-range",
      G_TYPE_DOUBLE, range_field (r.range), "true-peak", G_TYPE_DOUBLE,
      peak_db (r.true_peak), "momentary-max", G_TYPE_DOUBLE,
      level_field (r.momentary_max), "short-term-max", G_TYPE_DOUBLE,
      level_field (r.short_term_max), "true-peak-interval", G_TYPE_DOUBLE,
      peak_db (r.true_peak_recent), NULL);
  gst_element_post_message (
      GST_ELEMENT (self), gst_message_new_element (GST_OBJECT (self), s));
}

/* Feeds n frames to meter; with post, a meter message goes out whenever an
 * interval of audio is complete. The first frame sits at base plus
 * base_frames frames. */
static void
gst_loudnorm_meter_add (GstLoudnorm *self, MmLoudness *meter,
    const guint8 *data, gsize n, GstClockTime base, guint64 base_frames,
    gboolean post, guint64 interval)
{
  gint rate = GST_AUDIO_INFO_RATE (&self->info);
  gint bpf = GST_AUDIO_INFO_BPF (&self->info);
  gboolean is_f32 = gst_loudnorm_is_f32 (self);
  guint64 interval_frames;
  gsize done = 0;

  if (!post) {
    if (is_f32)
      mm_loudness_add_f32 (meter, (const float *) data, n);
    else
      mm_loudness_add_f64 (meter, (const double *) data, n);
    return;
  }
  interval_frames =
      MAX (1, gst_util_uint64_scale_round (interval, rate, GST_SECOND));
  while (done < n) {
    gsize len = 0;
    if (self->meter_frames == 0)
      self->meter_start = GST_CLOCK_TIME_IS_VALID (base)
          ? base + gst_mm_frames_to_time (rate, base_frames + done)
          : GST_CLOCK_TIME_NONE;
    if (self->meter_frames < interval_frames)
      len = (gsize) MIN (
          (guint64) (n - done), interval_frames - self->meter_frames);
    if (is_f32)
      mm_loudness_add_f32 (meter, (const float *) (data + done * bpf), len);
    else
      mm_loudness_add_f64 (meter, (const double *) (data + done * bpf), len);
    self->meter_frames += len;
    done += len;
    if (self->meter_frames >= interval_frames) {
      gst_loudnorm_post_meter (self, meter);
      self->meter_frames = 0;
    }
  }
}

/* ---- end of a programme: summary and tags ---- */

static void
gst_loudnorm_push_tags (GstLoudnorm *self, const MmLoudnessReading *out)
{
  GstTagList *tags = self->upstream_tags
      ? gst_tag_list_copy (self->upstream_tags)
      : gst_tag_list_new_empty ();

  if (isfinite (out->integrated))
    gst_tag_list_add (tags, GST_TAG_MERGE_REPLACE, GST_TAG_TRACK_GAIN,
        REPLAYGAIN_REFERENCE_LUFS - out->integrated, NULL);
  gst_tag_list_add (tags, GST_TAG_MERGE_REPLACE, GST_TAG_TRACK_PEAK,
      isfinite (out->true_peak) ? out->true_peak : 0.0, GST_TAG_REFERENCE_LEVEL,
      REPLAYGAIN_REFERENCE_LEVEL, NULL);
  GST_DEBUG_OBJECT (self, "tags %" GST_PTR_FORMAT, tags);
  gst_pad_push_event (self->srcpad, gst_event_new_tag (tags));
}

static GstStructure *
gst_loudnorm_summary_new (GstLoudnorm *self, const MmLoudnessReading *in,
    const MmLoudnessReading *out, gdouble gain)
{
  return gst_structure_new ("loudnorm-summary", "input-integrated",
      G_TYPE_DOUBLE, level_field (in->integrated), "input-true-peak",
      G_TYPE_DOUBLE, peak_db (in->true_peak), "input-loudness-range",
      G_TYPE_DOUBLE, range_field (in->range), "output-integrated",
      G_TYPE_DOUBLE, level_field (out->integrated), "output-true-peak",
      G_TYPE_DOUBLE, peak_db (out->true_peak), "gain", G_TYPE_DOUBLE, gain,
      "duration", G_TYPE_UINT64,
      gst_mm_frames_to_time (GST_AUDIO_INFO_RATE (&self->info), self->frames),
      NULL);
}

static void
gst_loudnorm_analyze_finish (GstLoudnorm *self)
{
  MmLoudnessReading r;
  GstStructure *s;

  mm_loudness_read_final (self->in_meter, &r);
  s = gst_loudnorm_summary_new (self, &r, &r, 0.0);
  GST_INFO_OBJECT (self, "%" GST_PTR_FORMAT, s);
  gst_element_post_message (
      GST_ELEMENT (self), gst_message_new_element (GST_OBJECT (self), s));
  gst_loudnorm_push_tags (self, &r);
}

/* ---- file mode: rendering ---- */

static gboolean
gst_loudnorm_aborted (GstLoudnorm *self)
{
  return GST_PAD_IS_FLUSHING (self->sinkpad);
}

/* The levels of a reading after a gain (dB). */
static void
gst_loudnorm_add_gain (MmLoudnessReading *r, gdouble gain_db)
{
  gdouble gain_lin = pow (10.0, gain_db / 20.0);

  r->integrated += gain_db;
  r->momentary += gain_db;
  r->short_term += gain_db;
  r->momentary_max += gain_db;
  r->short_term_max += gain_db;
  r->true_peak *= gain_lin;
  r->sample_peak *= gain_lin;
  r->true_peak_recent *= gain_lin;
}

/* ---- file mode: the profile ---- */

/* per block of the profile spool */
typedef struct
{
  float peak, energy;
} ProfileRecord;

static gboolean
gst_loudnorm_profile_write (GstLoudnorm *self, const float *peak,
    const float *energy, gsize n, GError **error)
{
  ProfileRecord records[MM_BLOCK_PROFILER_MAX_BLOCKS];

  for (gsize i = 0; i < n; i++) {
    records[i].peak = peak[i];
    records[i].energy = energy[i];
  }
  self->profile_blocks += n;
  return gst_mm_spool_append (self->profile, (const guint8 *) records,
      n * sizeof (ProfileRecord), error);
}

/* The input measured (file mode): loudness, and per block its true peak
 * and energy into the profile. */
static gboolean
gst_loudnorm_profile_add (
    GstLoudnorm *self, const guint8 *data, gsize n, GError **error)
{
  gsize bpf = GST_AUDIO_INFO_BPF (&self->info);
  gboolean is_f32 = gst_loudnorm_is_f32 (self);
  float frame_energy[MM_TRUEPEAK_BLOCK];
  float peak[MM_BLOCK_PROFILER_MAX_BLOCKS],
      energy[MM_BLOCK_PROFILER_MAX_BLOCKS];

  for (gsize done = 0; done < n;) {
    gsize m = MIN ((gsize) MM_TRUEPEAK_BLOCK, n - done), blocks;
    const guint8 *frames = data + done * bpf;
    if (is_f32) {
      mm_loudness_add_f32_energies (
          self->in_meter, (const float *) frames, m, frame_energy);
      blocks = mm_block_profiler_add_f32 (self->profiler,
          (const float *) frames, frame_energy, m, peak, energy);
    } else {
      mm_loudness_add_f64_energies (
          self->in_meter, (const double *) frames, m, frame_energy);
      blocks = mm_block_profiler_add_f64 (self->profiler,
          (const double *) frames, frame_energy, m, peak, energy);
    }
    if (!gst_loudnorm_profile_write (self, peak, energy, blocks, error))
      return FALSE;
    done += m;
  }
  mm_loudness_add_true_peak (
      self->in_meter, mm_block_profiler_take_peak (self->profiler));
  return TRUE;
}

/* The input's end: the profile's last blocks, the meter's last peaks. */
static gboolean
gst_loudnorm_profile_finish (GstLoudnorm *self, GError **error)
{
  float peak[MM_BLOCK_PROFILER_MAX_BLOCKS],
      energy[MM_BLOCK_PROFILER_MAX_BLOCKS];
  gsize blocks = mm_block_profiler_finish (self->profiler, peak, energy);

  mm_loudness_add_true_peak (
      self->in_meter, mm_block_profiler_take_peak (self->profiler));
  return gst_loudnorm_profile_write (self, peak, energy, blocks, error);
}

/* ---- file mode: the limiter's plan ---- */

/* The block limiter run over the profile, read ahead of what it serves:
 * blocks [base, base + held) have their peak and energy here, blocks
 * [base, base + known) their gain (the limiter's, <= 1). */
typedef struct
{
  GstLoudnorm *self;
  gsize delay, capacity;
  guint64 fed, base;
  gsize held, known;
  float *peak, *energy;
  double *gain;
  ProfileRecord *records;
  float *feed_peak;
  double *feed_gain;
} GstLoudnormPlan;

static gboolean
gst_loudnorm_plan_start (GstLoudnormPlan *plan, GstLoudnorm *self,
    gdouble gain_db, gdouble ceiling_db, GError **error)
{
  memset (plan, 0, sizeof (*plan));
  plan->self = self;
  plan->delay = mm_block_limiter_delay_blocks (self->block_limiter);
  plan->capacity = 2 * PLAN_CHUNK + plan->delay + 2;
  plan->peak = g_new (float, plan->capacity);
  plan->energy = g_new (float, plan->capacity);
  plan->gain = g_new (double, plan->capacity);
  plan->records = g_new (ProfileRecord, PLAN_CHUNK);
  plan->feed_peak = g_new (float, PLAN_CHUNK);
  plan->feed_gain = g_new (double, PLAN_CHUNK);
  mm_block_limiter_start (self->block_limiter,
      GST_AUDIO_INFO_RATE (&self->info), gain_db, ceiling_db,
      LIMITER_RELEASE_MS, LIMITER_AUTO_RELEASE);
  return gst_mm_spool_rewind (self->profile, error);
}

static void
gst_loudnorm_plan_clear (GstLoudnormPlan *plan)
{
  g_free (plan->peak);
  g_free (plan->energy);
  g_free (plan->gain);
  g_free (plan->records);
  g_free (plan->feed_peak);
  g_free (plan->feed_gain);
}

/* Gains known for every block before upto (at most PLAN_CHUNK + 1 past
 * base); past the programme's end the limiter is fed silence. */
static gboolean
gst_loudnorm_plan_ensure (GstLoudnormPlan *plan, guint64 upto, GError **error)
{
  const guint64 n_blocks = plan->self->profile_blocks;

  g_assert (upto <= plan->base + PLAN_CHUNK + 1);
  while (plan->base + plan->known < upto) {
    gsize r =
        (gsize) MIN ((guint64) PLAN_CHUNK, upto + plan->delay - plan->fed);
    gsize real = plan->fed < n_blocks
        ? (gsize) MIN ((guint64) r, n_blocks - plan->fed)
        : 0;
    if (!gst_mm_spool_read (plan->self->profile, (guint8 *) plan->records,
            real * sizeof (ProfileRecord), error))
      return FALSE;
    for (gsize i = 0; i < r; i++)
      plan->feed_peak[i] = i < real ? plan->records[i].peak : 0.0f;
    for (gsize i = 0; i < real; i++) {
      plan->peak[plan->held + i] = plan->records[i].peak;
      plan->energy[plan->held + i] = plan->records[i].energy;
    }
    plan->held += real;
    mm_block_limiter_run (
        plan->self->block_limiter, plan->feed_peak, plan->feed_gain, r);
    for (gsize i = 0; i < r; i++) {
      /* the first delay gains stand for blocks before the start */
      if (plan->fed + i >= plan->delay)
        plan->gain[plan->known++] = plan->feed_gain[i];
    }
    plan->fed += r;
  }
  return TRUE;
}

/* Blocks before upto are done with. */
static void
gst_loudnorm_plan_release (GstLoudnormPlan *plan, guint64 upto)
{
  gsize drop = (gsize) (upto - plan->base);

  if (drop == 0)
    return;
  g_assert (drop <= plan->held && drop <= plan->known);
  memmove (plan->peak, plan->peak + drop, (plan->held - drop) * sizeof (float));
  memmove (
      plan->energy, plan->energy + drop, (plan->held - drop) * sizeof (float));
  memmove (
      plan->gain, plan->gain + drop, (plan->known - drop) * sizeof (double));
  plan->held -= drop;
  plan->known -= drop;
  plan->base = upto;
}

/* The true peak the output of blocks [first, last] reaches: each block's
 * peak times the larger end of its gain's glide; *lowest takes their
 * smallest gain. */
static gdouble
gst_loudnorm_plan_peak (GstLoudnormPlan *plan, guint64 first, guint64 last,
    gdouble gain_lin, gdouble *lowest)
{
  gdouble peak = 0.0;

  for (guint64 k = first; k <= last; k++) {
    gsize i = (gsize) (k - plan->base);
    gdouble a = plan->gain[i], b = plan->gain[i + 1];
    peak = MAX (peak, plan->peak[i] * MAX (a, b));
    *lowest = MIN (*lowest, a);
  }
  return peak * gain_lin;
}

/* What the output would measure at gain_db in front of the limiter, from
 * the profile alone (see dsp/blocklimiter.h): loudness, true peak and the
 * largest gain reduction. */
static gboolean
gst_loudnorm_model (GstLoudnorm *self, gdouble gain_db, gdouble ceiling_db,
    MmLoudnessReading *out, gdouble *reduction_db, GError **error)
{
  const guint64 n_blocks = self->profile_blocks;
  const gsize d = self->block_frames;
  gdouble gain_lin = pow (10.0, gain_db / 20.0), peak = 0.0, lowest = 1.0;
  float modelled[PLAN_CHUNK];
  GstLoudnormPlan plan;
  gboolean ok =
      gst_loudnorm_plan_start (&plan, self, gain_db, ceiling_db, error);

  mm_loudness_set_true_peak (self->out_meter, FALSE);
  mm_loudness_reset (self->out_meter);
  while (ok && plan.base < n_blocks) {
    gsize m = (gsize) MIN ((guint64) PLAN_CHUNK, n_blocks - plan.base);
    if (!gst_loudnorm_plan_ensure (&plan, plan.base + m + 1, error)) {
      ok = FALSE;
      break;
    }
    for (gsize i = 0; i < m; i++)
      modelled[i] = (float) (plan.energy[i] * gain_lin * gain_lin *
          mm_block_limiter_power (plan.gain[i], plan.gain[i + 1]));
    peak = MAX (peak,
        gst_loudnorm_plan_peak (
            &plan, plan.base, plan.base + m - 1, gain_lin, &lowest));
    if (plan.base + m == n_blocks) {
      /* the last block holds what is left of the programme */
      mm_loudness_add_energies (self->out_meter, modelled, m - 1, d);
      mm_loudness_add_energies (self->out_meter, modelled + m - 1, 1,
          (gsize) (self->frames - (n_blocks - 1) * d));
    } else {
      mm_loudness_add_energies (self->out_meter, modelled, m, d);
    }
    gst_loudnorm_plan_release (&plan, plan.base + m);
  }
  gst_loudnorm_plan_clear (&plan);
  if (!ok)
    return FALSE;
  mm_loudness_add_true_peak (self->out_meter, peak);
  mm_loudness_read_final (self->out_meter, out);
  *reduction_db = -20.0 * log10 (lowest);
  return TRUE;
}

static void
gst_loudnorm_push_held_events (GstLoudnorm *self, guint64 upto)
{
  HeldEvent *h;

  while ((h = g_queue_peek_head (&self->held_events)) && h->offset <= upto) {
    g_queue_pop_head (&self->held_events);
    gst_pad_push_event (self->srcpad, gst_event_ref (h->event));
    held_event_free (h);
  }
}

static GstFlowReturn
gst_loudnorm_read_failed (GstLoudnorm *self, GError *error)
{
  GST_ELEMENT_ERROR (self, RESOURCE, READ, (NULL), ("%s", error->message));
  g_error_free (error);
  return GST_FLOW_ERROR;
}

/* n frames from out_pos through the plan's gains at gain_lin, in place;
 * returns their true peak (the plan's). */
static gboolean
gst_loudnorm_plan_apply (GstLoudnormPlan *plan, guint8 *data, guint64 out_pos,
    gsize n, gdouble gain_lin, gdouble *peak, gdouble *lowest, GError **error)
{
  GstLoudnorm *self = plan->self;
  const gsize d = self->block_frames;
  const gint channels = GST_AUDIO_INFO_CHANNELS (&self->info);
  const gsize bpf = GST_AUDIO_INFO_BPF (&self->info);
  /* at most PLAN_CHUNK - 1 blocks at a time, whatever the buffer size */
  const gsize span = (PLAN_CHUNK - 1) * d;

  *peak = 0.0;
  for (gsize done = 0; done < n;) {
    guint64 pos = out_pos + done;
    gsize m = MIN (span - (gsize) (pos % d), n - done);
    guint64 first = pos / d, last = (pos + m - 1) / d;
    const double *gain;
    if (!gst_loudnorm_plan_ensure (plan, last + 2, error))
      return FALSE;
    gain = plan->gain + (first - plan->base);
    if (gst_loudnorm_is_f32 (self))
      mm_block_limiter_apply_f32 ((float *) (data + done * bpf), channels, d,
          (gsize) (pos % d), m, gain, gain_lin);
    else
      mm_block_limiter_apply_f64 ((double *) (data + done * bpf), channels, d,
          (gsize) (pos % d), m, gain, gain_lin);
    *peak = MAX (
        *peak, gst_loudnorm_plan_peak (plan, first, last, gain_lin, lowest));
    gst_loudnorm_plan_release (plan, (pos + m) / d);
    done += m;
  }
  return TRUE;
}

/* Pushes the programme at gain_db through the plan's limiter and the
 * ceiling: held events at their places, the input's timestamps, meter
 * messages with post. The output is measured into *out (its true peak is
 * the plan's: each block's profiled peak times its gain); when the limiter
 * stays transparent and no messages are asked for, it is not measured
 * again, its levels are the input's (in) plus the gain. */
static GstFlowReturn
gst_loudnorm_render (GstLoudnorm *self, gdouble gain_db, gdouble ceiling_db,
    gboolean limit, gboolean post, guint64 interval,
    const MmLoudnessReading *in, const MmLoudnessReading *predicted,
    MmLoudnessReading *out, gdouble *reduction_db)
{
  gdouble gain_lin = pow (10.0, gain_db / 20.0), lowest = 1.0;
  gboolean measure = limit || post;
  gint rate = GST_AUDIO_INFO_RATE (&self->info);
  gsize bpf = GST_AUDIO_INFO_BPF (&self->info);
  guint64 n_frames = self->frames, out_pos = 0;
  GError *error = NULL;
  GstFlowReturn ret = GST_FLOW_OK;
  GstLoudnormPlan plan;

  mm_loudness_set_true_peak (self->out_meter, FALSE);
  mm_loudness_reset (self->out_meter);
  self->meter_frames = 0;
  if (!gst_loudnorm_plan_start (&plan, self, gain_db, ceiling_db, &error) ||
      !gst_mm_spool_rewind (self->spool, &error)) {
    gst_loudnorm_plan_clear (&plan);
    return gst_loudnorm_read_failed (self, error);
  }

  while (out_pos < n_frames) {
    GstClockTime pts = GST_CLOCK_TIME_IS_VALID (self->base_pts)
        ? self->base_pts + gst_mm_frames_to_time (rate, out_pos)
        : GST_CLOCK_TIME_NONE;
    gsize n;
    gdouble peak;
    GstBuffer *buf;
    GstMapInfo map;
    HeldEvent *h;

    if (gst_loudnorm_aborted (self)) {
      ret = GST_FLOW_FLUSHING;
      break;
    }
    gst_loudnorm_push_held_events (self, out_pos);
    if (out_pos == 0)
      /* before the audio, for encoders that write tags in a header */
      gst_loudnorm_push_tags (self, predicted);
    n = (gsize) MIN ((guint64) self->out_block, n_frames - out_pos);
    /* the next held event goes between two buffers */
    if ((h = g_queue_peek_head (&self->held_events)) && h->offset > out_pos)
      n = (gsize) MIN ((guint64) n, h->offset - out_pos);
    buf = gst_buffer_new_allocate (NULL, n * bpf, NULL);
    gst_buffer_map (buf, &map, GST_MAP_WRITE);
    if (!gst_mm_spool_read (self->spool, map.data, n * bpf, &error) ||
        !gst_loudnorm_plan_apply (
            &plan, map.data, out_pos, n, gain_lin, &peak, &lowest, &error)) {
      gst_buffer_unmap (buf, &map);
      gst_buffer_unref (buf);
      gst_loudnorm_plan_clear (&plan);
      return gst_loudnorm_read_failed (self, error);
    }
    if (measure) {
      mm_loudness_add_true_peak (self->out_meter, peak);
      gst_loudnorm_meter_add (self, self->out_meter, map.data, n,
          self->base_pts, out_pos, post, interval);
    }
    gst_buffer_unmap (buf, &map);
    GST_BUFFER_PTS (buf) = pts;
    if (GST_CLOCK_TIME_IS_VALID (pts))
      GST_BUFFER_DURATION (buf) =
          self->base_pts + gst_mm_frames_to_time (rate, out_pos + n) - pts;
    if (out_pos == 0)
      GST_BUFFER_FLAG_SET (buf, GST_BUFFER_FLAG_DISCONT);
    ret = gst_pad_push (self->srcpad, buf);
    if (ret != GST_FLOW_OK) {
      GST_DEBUG_OBJECT (self, "push: %s", gst_flow_get_name (ret));
      break;
    }
    out_pos += n;
  }
  gst_loudnorm_plan_clear (&plan);
  if (ret != GST_FLOW_OK)
    return ret;
  gst_loudnorm_push_held_events (self, G_MAXUINT64);
  if (measure) {
    mm_loudness_read_final (self->out_meter, out);
  } else {
    /* the input times gain_lin: its levels plus gain_db, exactly (but for
     * the rounding of the output format) */
    *out = *in;
    gst_loudnorm_add_gain (out, gain_db);
  }
  if (reduction_db)
    *reduction_db = -20.0 * log10 (lowest);
  return GST_FLOW_OK;
}

/* Whether the limiter would leave the input at gain_db alone: its true peak
 * stays TRANSPARENT_MARGIN_DB under the ceiling (the limiter's gain is then
 * exactly 1). */
static gboolean
gst_loudnorm_transparent (
    const MmLoudnessReading *in, gdouble gain_db, gdouble ceiling_db)
{
  return in->true_peak <= 0.0 ||
      20.0 * log10 (in->true_peak) + gain_db <
      ceiling_db - TRANSPARENT_MARGIN_DB;
}

/* ---- file mode: the gain ---- */

/* One trial: the model's output loudness at gain (dB). */
typedef struct
{
  gdouble gain, level;
} GstLoudnormTrial;

typedef struct
{
  GstLoudnorm *self;
  gdouble ceiling;
  guint count;
  GstLoudnormTrial best; /* closest to the aim so far */
  gdouble aim;
} GstLoudnormSearch;

static gboolean
gst_loudnorm_try (GstLoudnormSearch *search, gdouble gain,
    GstLoudnormTrial *trial, GError **error)
{
  MmLoudnessReading out;
  gdouble reduction;

  if (!gst_loudnorm_model (
          search->self, gain, search->ceiling, &out, &reduction, error))
    return FALSE;
  trial->gain = gain;
  trial->level = isfinite (out.integrated) ? out.integrated : LEVEL_FLOOR;
  GST_DEBUG_OBJECT (search->self,
      "trial %u: gain %.4f dB gives %.4f LUFS, %.3f dBTP, %.2f dB limited",
      search->count, gain, trial->level, 20.0 * log10 (out.true_peak),
      reduction);
  search->count++;
  if (fabs (trial->level - search->aim) <
      fabs (search->best.level - search->aim))
    search->best = *trial;
  return TRUE;
}

/* Between a trial under the aim and one over it, regula falsi (Illinois):
 * the loudness need not rise steadily with the gain (the automatic release
 * can take back more at one gain than at a slightly higher one), but it is
 * continuous, so a bracket always holds a crossing. */
static gboolean
gst_loudnorm_bracket (GstLoudnormSearch *search, GstLoudnormTrial low,
    GstLoudnormTrial high, gdouble tolerance, GError **error)
{
  gint side = 0;
  gdouble low_weight = 1.0, high_weight = 1.0;

  while (search->count < MAX_TRIALS &&
      fabs (search->best.level - search->aim) > tolerance) {
    GstLoudnormTrial t;
    gdouble lo = (low.level - search->aim) * low_weight;
    gdouble hi = (high.level - search->aim) * high_weight;
    gdouble gain = low.gain + (high.gain - low.gain) * (-lo) / (hi - lo);
    if (!(gain > MIN (low.gain, high.gain) && gain < MAX (low.gain, high.gain)))
      gain = 0.5 * (low.gain + high.gain);
    if (!gst_loudnorm_try (search, gain, &t, error))
      return FALSE;
    if (t.level < search->aim) {
      low = t;
      low_weight = 1.0;
      /* the same end twice: the other one's pull is halved */
      high_weight = side == -1 ? high_weight * 0.5 : 1.0;
      side = -1;
    } else {
      high = t;
      high_weight = 1.0;
      low_weight = side == 1 ? low_weight * 0.5 : 1.0;
      side = 1;
    }
  }
  return TRUE;
}

/* The gain that puts the limited output on target, tried on the profile;
 * from start (target minus the input's loudness). When no gain up to
 * max_gain reaches the target, *loudest is the most the ceiling allows
 * (the level at max_gain) and the gain stops where the output comes within
 * UNREACHABLE_MARGIN_LU of it: the last stretch would cost far more
 * limiting than it gives loudness. */
static gboolean
gst_loudnorm_find_gain (GstLoudnorm *self, gdouble start, gdouble target,
    gdouble ceiling, gdouble max_gain, gdouble *gain, gdouble *loudest,
    GError **error)
{
  GstLoudnormSearch search = { self, ceiling, 0, { start, INFINITY }, target };
  GstLoudnormTrial first, at, next;
  gdouble slope = 1.0;

  *loudest = NAN;
  if (!gst_loudnorm_try (&search, start, &first, error))
    return FALSE;
  at = first;
  /* widen from the start until the target lies between two trials */
  while (fabs (at.level - target) > TRIAL_TOLERANCE_LU &&
      search.count < MAX_TRIALS) {
    gdouble step =
        (target - at.level) / CLAMP (slope, MIN_LOUDNESS_PER_DB, 1.0);
    gdouble g = MIN (at.gain + step, max_gain);
    if (g <= at.gain && at.level < target) {
      /* at max-gain and still under: out of reach. The smallest gain
       * within the margin of the loudest (the start, when it is) */
      *loudest = at.level;
      search.aim = at.level - UNREACHABLE_MARGIN_LU;
      search.best = at;
      if (first.level >= search.aim) {
        *gain = first.gain;
        return TRUE;
      }
      if (!gst_loudnorm_bracket (&search, first, at, 0.1, error))
        return FALSE;
      break;
    }
    if (!gst_loudnorm_try (&search, g, &next, error))
      return FALSE;
    if ((at.level < target) != (next.level < target)) {
      if (!gst_loudnorm_bracket (&search, at.level < target ? at : next,
              at.level < target ? next : at, TRIAL_TOLERANCE_LU, error))
        return FALSE;
      break;
    }
    /* the limiter takes back part of each dB put in; a step that lost
     * loudness counts as the least slope */
    slope = (next.level - at.level) / (next.gain - at.gain);
    at = next;
  }
  *gain = search.best.gain;
  return TRUE;
}

/* The end of a file-mode programme: the gain, the trials, the final render
 * pushed, the summary, the tags. */
static GstFlowReturn
gst_loudnorm_file_finish (GstLoudnorm *self)
{
  const gchar *name = GST_OBJECT_NAME (self);
  gdouble target, ceiling, max_gain, gain, needed, reduction = 0.0;
  gdouble loudest = NAN;
  gboolean post, silent, capped, met, transparent;
  guint64 interval;
  MmLoudnessReading in, out, predicted;
  GstFlowReturn ret;
  GstStructure *s;
  GError *error = NULL;

  GST_OBJECT_LOCK (self);
  target = self->target;
  ceiling = self->max_true_peak;
  max_gain = self->max_gain;
  post = self->post_messages;
  interval = self->interval;
  GST_OBJECT_UNLOCK (self);

  if (!gst_loudnorm_profile_finish (self, &error))
    return gst_loudnorm_read_failed (self, error);
  mm_loudness_read_final (self->in_meter, &in);
  silent = !isfinite (in.integrated);
  needed = silent ? 0.0 : target - in.integrated;
  capped = needed > max_gain;
  gain = capped ? max_gain : needed;
  GST_INFO_OBJECT (self,
      "input: %" G_GUINT64_FORMAT " frames, %.3f LUFS, %.3f dBTP, LRA %.2f LU;"
      " gain %.3f dB",
      self->frames, in.integrated, 20.0 * log10 (in.true_peak), in.range, gain);

  /* the limiter takes loudness off what it catches: trials on the profile
   * until the output sits on the target */
  transparent = gst_loudnorm_transparent (&in, gain, ceiling);
  if (!silent && !capped && !transparent &&
      !gst_loudnorm_find_gain (
          self, gain, target, ceiling, max_gain, &gain, &loudest, &error))
    return gst_loudnorm_read_failed (self, error);

  transparent = gst_loudnorm_transparent (&in, gain, ceiling);
  /* what the output will read: exact without limiting, else the model's */
  if (transparent) {
    predicted = in;
    gst_loudnorm_add_gain (&predicted, gain);
  } else if (!gst_loudnorm_model (
                 self, gain, ceiling, &predicted, &reduction, &error)) {
    return gst_loudnorm_read_failed (self, error);
  }
  ret = gst_loudnorm_render (self, gain, ceiling, !transparent, post, interval,
      &in, &predicted, &out, &reduction);
  if (ret != GST_FLOW_OK)
    return ret;

  met = !silent && fabs (out.integrated - target) <= WARN_TOLERANCE_LU;
  GST_INFO_OBJECT (self, "output: %.3f LUFS, %.3f dBTP, gain %.3f dB",
      out.integrated, 20.0 * log10 (out.true_peak), gain);
  if (silent) {
    GST_ELEMENT_WARNING (self, STREAM, FAILED,
        ("%s: nothing to measure (silent, or shorter than a 400 ms block over "
         "-70 LUFS): the audio keeps its level (gain 0 dB) instead of "
         "target=%.1f LUFS.",
            name, target),
        (NULL));
  } else if (capped) {
    GST_ELEMENT_WARNING (self, STREAM, FAILED,
        ("%s: target=%.1f LUFS not reached: the input (%.1f LUFS) needs "
         "%+.1f dB, but max-gain=%.1f dB caps the boost; the output reads "
         "%.1f LUFS. Raise max-gain (0 to 60 dB) to reach the target.",
            name, target, in.integrated, needed, max_gain, out.integrated),
        (NULL));
  } else if (!met && out.integrated > target) {
    GST_ELEMENT_WARNING (self, STREAM, FAILED,
        ("%s: target=%.1f LUFS missed: the output reads %.1f LUFS at a gain "
         "of %+.1f dB. With max-true-peak=%.1f dBTP limiting up to %.1f dB, "
         "the loudness does not follow the gain closely enough for %d trials "
         "to land on the target; the closest was used. Lower the target or "
         "raise max-true-peak (-9 to 0 dBTP).",
            name, target, out.integrated, gain, ceiling, reduction, MAX_TRIALS),
        (NULL));
  } else if (!met && isfinite (loudest)) {
    GST_ELEMENT_WARNING (self, STREAM, FAILED,
        ("%s: target=%.1f LUFS not reached: with max-true-peak=%.1f dBTP the "
         "output reads at most %.1f LUFS at any gain up to max-gain=%.1f dB. "
         "The gain stops at %+.1f dB (%.1f LUFS, %.1f dB of limiting), within "
         "%.0f LU of that, as the rest would cost far more limiting than it "
         "gives loudness. Lower the target, or raise max-true-peak (-9 to 0 "
         "dBTP) or max-gain (0 to 60 dB).",
            name, target, ceiling, loudest, max_gain, gain, out.integrated,
            reduction, UNREACHABLE_MARGIN_LU),
        (NULL));
  } else if (!met) {
    GST_ELEMENT_WARNING (self, STREAM, FAILED,
        ("%s: target=%.1f LUFS not reached: the output reads %.1f LUFS at a "
         "gain of %+.1f dB with max-true-peak=%.1f dBTP limiting up to %.1f "
         "dB; %d trials did not land closer. Lower the target or raise "
         "max-true-peak (-9 to 0 dBTP).",
            name, target, out.integrated, gain, ceiling, reduction, MAX_TRIALS),
        (NULL));
  }

  s = gst_loudnorm_summary_new (self, &in, &out, gain);
  gst_structure_set (s, "target", G_TYPE_DOUBLE, target, "max-true-peak",
      G_TYPE_DOUBLE, ceiling, "gain-reduction", G_TYPE_DOUBLE, reduction,
      "target-met", G_TYPE_BOOLEAN, met, NULL);
  GST_INFO_OBJECT (self, "%" GST_PTR_FORMAT, s);
  gst_element_post_message (
      GST_ELEMENT (self), gst_message_new_element (GST_OBJECT (self), s));
  if (!transparent)
    /* the measured levels replace the model's */
    gst_loudnorm_push_tags (self, &out);
  return GST_FLOW_OK;
}

/* ---- live mode ---- */

/* What live mode follows while playing: target, ceiling, the gain's limits,
 * and the meter settings. */
static void
gst_loudnorm_live_settings (
    GstLoudnorm *self, gboolean *post, guint64 *interval)
{
  gdouble target, ceiling, max_gain, max_rate;

  GST_OBJECT_LOCK (self);
  target = self->target;
  ceiling = self->max_true_peak;
  max_gain = self->max_gain;
  max_rate = self->max_gain_rate;
  *post = self->post_messages;
  *interval = self->interval;
  GST_OBJECT_UNLOCK (self);
  mm_leveler_set_target (self->leveler, target);
  mm_leveler_set_max_gain (self->leveler, max_gain);
  mm_leveler_set_max_rate (self->leveler, max_rate);
  mm_limiter_set_ceiling_db (self->limiter, ceiling);
}

/* The delay of live mode with this lookahead: the leveler's and the
 * limiter's. */
static guint64
gst_loudnorm_live_latency_frames (GstLoudnorm *self, gdouble lookahead)
{
  gint rate = GST_AUDIO_INFO_RATE (&self->info);
  return (guint64) lround (lookahead * rate / 1000.0) +
      mm_limiter_latency_frames (self->limiter);
}

static void
gst_loudnorm_live_start (GstLoudnorm *self)
{
  gdouble lookahead;
  gboolean post;
  guint64 interval, latency;

  GST_OBJECT_LOCK (self);
  lookahead = self->lookahead;
  GST_OBJECT_UNLOCK (self);
  mm_leveler_set_lookahead (self->leveler, lookahead);
  mm_limiter_reset (self->limiter);
  mm_limiter_set_input_gain_db (self->limiter, 0.0);
  mm_limiter_set_release (
      self->limiter, LIMITER_RELEASE_MS, LIMITER_AUTO_RELEASE);
  gst_loudnorm_live_settings (self, &post, &interval);
  mm_limiter_snap (self->limiter);
  latency = gst_loudnorm_live_latency_frames (self, lookahead);
  self->live_latency = self->live_trim = latency;
  self->out_frames = 0;
  /* the pipeline asks again: the lookahead may have changed */
  gst_element_post_message (
      GST_ELEMENT (self), gst_message_new_latency (GST_OBJECT (self)));
}

/* Live mode: buf (writable) through the leveler and the limiter, in place.
 * The output is the input delayed: the first frames are the delay's priming
 * silence and are dropped; the rest is measured and pushed with the time of
 * the input frame it came from. draining: silence pushing the last frames
 * out, not measured as input. */
static GstFlowReturn
gst_loudnorm_live_push (GstLoudnorm *self, GstBuffer *buf, gboolean draining)
{
  gint rate = GST_AUDIO_INFO_RATE (&self->info);
  gsize bpf = GST_AUDIO_INFO_BPF (&self->info);
  gboolean is_f32 = gst_loudnorm_is_f32 (self);
  gboolean post;
  guint64 interval, drop;
  GstMapInfo map;
  gsize n;

  gst_loudnorm_live_settings (self, &post, &interval);
  if (!gst_buffer_map (buf, &map, GST_MAP_READWRITE)) {
    gst_buffer_unref (buf);
    GST_ELEMENT_ERROR (self, RESOURCE, WRITE, (NULL),
        ("Could not map the buffer for writing"));
    return GST_FLOW_ERROR;
  }
  n = map.size / bpf;
  if (!draining)
    gst_loudnorm_meter_add (
        self, self->in_meter, map.data, n, GST_CLOCK_TIME_NONE, 0, FALSE, 0);
  if (is_f32) {
    mm_leveler_process_f32 (self->leveler, (float *) map.data, n);
    mm_limiter_process_f32 (self->limiter, (float *) map.data, n);
  } else {
    mm_leveler_process_f64 (self->leveler, (double *) map.data, n);
    mm_limiter_process_f64 (self->limiter, (double *) map.data, n);
  }
  drop = MIN (self->live_trim, (guint64) n);
  self->live_trim -= drop;
  if (drop < n)
    gst_loudnorm_meter_add (self, self->out_meter, map.data + drop * bpf,
        n - drop, self->base_pts, self->out_frames, post, interval);
  gst_buffer_unmap (buf, &map);
  if (drop == n) {
    gst_buffer_unref (buf);
    return GST_FLOW_OK;
  }
  if (drop > 0)
    gst_buffer_resize (buf, (gssize) (drop * bpf), -1);
  n -= drop;
  if (GST_CLOCK_TIME_IS_VALID (self->base_pts)) {
    GstClockTime start =
        self->base_pts + gst_mm_frames_to_time (rate, self->out_frames);
    GST_BUFFER_PTS (buf) = start;
    GST_BUFFER_DURATION (buf) = self->base_pts +
        gst_mm_frames_to_time (rate, self->out_frames + n) - start;
  }
  GST_BUFFER_OFFSET (buf) = self->out_frames;
  GST_BUFFER_OFFSET_END (buf) = self->out_frames + n;
  self->out_frames += n;
  return gst_pad_push (self->srcpad, buf);
}

/* The end of a live programme: the frames still in the delay come out
 * (pushed out by silence), then the summary and the tags. */
static GstFlowReturn
gst_loudnorm_live_finish (GstLoudnorm *self)
{
  gsize bpf = GST_AUDIO_INFO_BPF (&self->info);
  MmLoudnessReading in, out;
  GstFlowReturn ret = GST_FLOW_OK;
  GstStructure *s;
  gdouble gain, target, ceiling;
  gboolean met;

  if (self->live_latency > 0) {
    GstBuffer *silence =
        gst_buffer_new_allocate (NULL, self->live_latency * bpf, NULL);
    gst_buffer_memset (silence, 0, 0, self->live_latency * bpf);
    ret = gst_loudnorm_live_push (self, silence, TRUE);
  }
  mm_loudness_read_final (self->in_meter, &in);
  mm_loudness_read_final (self->out_meter, &out);
  /* the level the programme gained as a whole */
  gain = isfinite (in.integrated) && isfinite (out.integrated)
      ? out.integrated - in.integrated
      : mm_leveler_gain_db (self->leveler);
  GST_OBJECT_LOCK (self);
  target = self->target;
  ceiling = self->max_true_peak;
  GST_OBJECT_UNLOCK (self);
  met = isfinite (out.integrated) &&
      fabs (out.integrated - target) <= LIVE_WARN_TOLERANCE_LU;
  s = gst_loudnorm_summary_new (self, &in, &out, gain);
  gst_structure_set (s, "target", G_TYPE_DOUBLE, target, "max-true-peak",
      G_TYPE_DOUBLE, ceiling, "gain-reduction", G_TYPE_DOUBLE,
      mm_limiter_take_reduction_db (self->limiter), "target-met",
      G_TYPE_BOOLEAN, met, NULL);
  GST_INFO_OBJECT (self, "%" GST_PTR_FORMAT, s);
  gst_element_post_message (
      GST_ELEMENT (self), gst_message_new_element (GST_OBJECT (self), s));
  gst_loudnorm_push_tags (self, &out);
  return ret;
}

/* The programme is over (EOS, or a new stream, caps or segment after audio):
 * file mode renders it; both post the summary and push the tags. */
static GstFlowReturn
gst_loudnorm_finish_programme (GstLoudnorm *self)
{
  GstFlowReturn ret = GST_FLOW_OK;

  if (self->started && self->have_info) {
    if (self->stream_mode == GST_LOUDNORM_MODE_FILE)
      ret = gst_loudnorm_file_finish (self);
    else if (self->stream_mode == GST_LOUDNORM_MODE_LIVE)
      ret = gst_loudnorm_live_finish (self);
    else
      gst_loudnorm_analyze_finish (self);
  }
  gst_loudnorm_reset_programme (self);
  /* nobody upstream hears of a failed push from an event handler */
  if (ret == GST_FLOW_NOT_LINKED || ret == GST_FLOW_NOT_NEGOTIATED)
    GST_ELEMENT_FLOW_ERROR (self, ret);
  return ret;
}

/* ---- taking audio in ---- */

static gboolean
gst_loudnorm_upstream_is_live (GstLoudnorm *self)
{
  GstQuery *query = gst_query_new_latency ();
  gboolean live = FALSE;

  if (gst_pad_peer_query (self->sinkpad, query))
    gst_query_parse_latency (query, &live, NULL, NULL);
  gst_query_unref (query);
  return live;
}

static void
gst_loudnorm_refuse_live (GstLoudnorm *self)
{
  if (g_atomic_int_compare_and_exchange (&self->live_refused, 0, 1))
    GST_ELEMENT_ERROR (self, STREAM, FAILED,
        ("%s: mode=file cannot run on a live source: it holds the whole "
         "stream and outputs nothing before its end. Use mode=live to "
         "normalize a live stream, mode=analyze to measure it.",
            GST_OBJECT_NAME (self)),
        ("upstream answers the LATENCY query as live"));
}

/* The first audio of a programme (n_frames of it, at pts). */
static GstFlowReturn
gst_loudnorm_start_programme (
    GstLoudnorm *self, GstClockTime pts, guint64 n_frames)
{
  gint rate = GST_AUDIO_INFO_RATE (&self->info);
  guint max_memory;

  GST_OBJECT_LOCK (self);
  self->stream_mode = self->mode;
  max_memory = self->max_memory;
  GST_OBJECT_UNLOCK (self);

  if (self->stream_mode == GST_LOUDNORM_MODE_FILE) {
    if (g_atomic_int_get (&self->live_refused) ||
        gst_loudnorm_upstream_is_live (self)) {
      gst_loudnorm_refuse_live (self);
      return GST_FLOW_ERROR;
    }
    self->spool = gst_mm_spool_new (GST_AUDIO_INFO_BPF (&self->info),
        (guint64) max_memory * 1024 * 1024, "gst-loudnorm-XXXXXX.raw");
    /* the profile is an eighth of the audio's size or less (stereo F32 at
     * 48 kHz: a sixteenth) */
    self->profile = gst_mm_spool_new (sizeof (ProfileRecord),
        (guint64) max_memory * 1024 * 1024 / 8, "gst-loudnorm-XXXXXX.raw");
    self->profile_blocks = 0;
    mm_block_profiler_reset (self->profiler);
    /* output buffers the size of the first input buffer, from 10 ms to 1 s */
    self->out_block =
        (guint) CLAMP (n_frames, (guint64) MAX (1, rate / 100), (guint64) rate);
  }
  if (!GST_CLOCK_TIME_IS_VALID (pts) && self->segment.format == GST_FORMAT_TIME)
    pts = self->segment.start;
  self->base_pts = pts;
  self->ts_base = pts;
  self->ts_frames = 0;
  self->started = TRUE;
  self->frames = 0;
  self->meter_frames = 0;
  /* file mode: the profiler's detector measures the input's true peak */
  mm_loudness_set_true_peak (
      self->in_meter, self->stream_mode != GST_LOUDNORM_MODE_FILE);
  if (self->stream_mode == GST_LOUDNORM_MODE_LIVE)
    gst_loudnorm_live_start (self);
  if (self->stream_mode == GST_LOUDNORM_MODE_FILE &&
      GST_CLOCK_TIME_IS_VALID (pts))
    /* nothing comes out before the end: let the sinks preroll meanwhile, or
     * a pipeline where the stream also goes elsewhere (a tee) would wait for
     * them for ever */
    gst_pad_push_event (self->srcpad, gst_event_new_gap (pts, 0));
  GST_DEBUG_OBJECT (self, "programme starts at %" GST_TIME_FORMAT ", mode %d",
      GST_TIME_ARGS (pts), self->stream_mode);
  return GST_FLOW_OK;
}

/* Follows the input's timestamps: frame-exact times from the last one that
 * did not fit, so that rounded timestamps never add up. */
static void
gst_loudnorm_sync_time (GstLoudnorm *self, GstClockTime pts)
{
  gint rate = GST_AUDIO_INFO_RATE (&self->info);

  if (!GST_CLOCK_TIME_IS_VALID (pts))
    return;
  if (GST_CLOCK_TIME_IS_VALID (self->ts_base)) {
    GstClockTime expected =
        self->ts_base + gst_mm_frames_to_time (rate, self->ts_frames);
    GstClockTime diff = pts > expected ? pts - expected : expected - pts;
    if (diff <= gst_mm_frames_to_time (rate, 1) / 2)
      return;
  }
  self->ts_base = pts;
  self->ts_frames = 0;
}

/* n frames of audio in a programme that has started: measured, and in file
 * mode held. */
static GstFlowReturn
gst_loudnorm_take (GstLoudnorm *self, const guint8 *data, gsize n)
{
  if (self->stream_mode == GST_LOUDNORM_MODE_ANALYZE) {
    gboolean post;
    guint64 interval;
    GST_OBJECT_LOCK (self);
    post = self->post_messages;
    interval = self->interval;
    GST_OBJECT_UNLOCK (self);
    gst_loudnorm_meter_add (self, self->in_meter, data, n, self->ts_base,
        self->ts_frames, post, interval);
  } else {
    GError *error = NULL;
    gboolean had_file = gst_mm_spool_uses_file (self->spool);
    if (!gst_loudnorm_profile_add (self, data, n, &error) ||
        !gst_mm_spool_append (
            self->spool, data, n * GST_AUDIO_INFO_BPF (&self->info), &error)) {
      GST_ELEMENT_ERROR (self, RESOURCE, WRITE,
          ("%s: could not hold the audio: %s", GST_OBJECT_NAME (self),
              error->message),
          ("max-memory=%" G_GUINT64_FORMAT " MiB; the rest goes to a "
           "temporary file in %s",
              gst_mm_spool_max_memory (self->spool) / (1024 * 1024),
              g_get_tmp_dir ()));
      g_error_free (error);
      return GST_FLOW_ERROR;
    }
    if (!had_file && gst_mm_spool_uses_file (self->spool))
      GST_INFO_OBJECT (self,
          "past max-memory (%" G_GUINT64_FORMAT " MiB): the rest goes to a "
          "temporary file in %s",
          gst_mm_spool_max_memory (self->spool) / (1024 * 1024),
          g_get_tmp_dir ());
  }
  self->frames += n;
  self->ts_frames += n;
  return GST_FLOW_OK;
}

static GstFlowReturn
gst_loudnorm_chain (GstPad *pad, GstObject *parent, GstBuffer *buf)
{
  GstLoudnorm *self = GST_LOUDNORM (parent);
  GstClockTime pts = GST_BUFFER_PTS (buf);
  GstFlowReturn ret;
  GstMapInfo map;
  gsize n;

  if (G_UNLIKELY (!self->have_info)) {
    gst_buffer_unref (buf);
    GST_ELEMENT_ERROR (
        self, CORE, NEGOTIATION, (NULL), ("audio came before any caps"));
    return GST_FLOW_NOT_NEGOTIATED;
  }
  n = gst_buffer_get_size (buf) / GST_AUDIO_INFO_BPF (&self->info);
  if (n == 0) {
    /* nothing to measure or hold */
    gst_buffer_unref (buf);
    return GST_FLOW_OK;
  }
  if (!self->started) {
    ret = gst_loudnorm_start_programme (self, pts, n);
    if (ret != GST_FLOW_OK) {
      gst_buffer_unref (buf);
      return ret;
    }
  }
  gst_loudnorm_sync_time (self, pts);

  if (self->stream_mode == GST_LOUDNORM_MODE_LIVE) {
    if (GST_CLOCK_TIME_IS_VALID (pts) &&
        self->segment.format == GST_FORMAT_TIME) {
      /* controlled properties at this buffer's running time */
      GstClockTime running =
          gst_segment_to_running_time (&self->segment, GST_FORMAT_TIME, pts);
      if (GST_CLOCK_TIME_IS_VALID (running))
        gst_object_sync_values (GST_OBJECT (self), running);
    }
    self->frames += n;
    self->ts_frames += n;
    return gst_loudnorm_live_push (self, gst_buffer_make_writable (buf), FALSE);
  }
  /* file mode's gain and the meters need finite samples */
  buf = gst_mm_buffer_sanitized (buf, gst_loudnorm_is_f32 (self));
  if (!gst_buffer_map (buf, &map, GST_MAP_READ)) {
    gst_buffer_unref (buf);
    GST_ELEMENT_ERROR (
        self, RESOURCE, READ, (NULL), ("Could not map the buffer for reading"));
    return GST_FLOW_ERROR;
  }
  ret = gst_loudnorm_take (self, map.data, n);
  gst_buffer_unmap (buf, &map);
  if (ret != GST_FLOW_OK || self->stream_mode == GST_LOUDNORM_MODE_FILE) {
    gst_buffer_unref (buf);
    return ret;
  }
  return gst_pad_push (self->srcpad, buf);
}

/* A GAP is silence: measured, and in file mode held (it comes out as
 * buffers of zeros). Returns whether the event was consumed. */
static gboolean
gst_loudnorm_gap (GstLoudnorm *self, GstEvent *event)
{
  gint rate = GST_AUDIO_INFO_RATE (&self->info);
  gsize bpf = GST_AUDIO_INFO_BPF (&self->info);
  GstClockTime ts, duration;
  guint64 n, done = 0;

  gst_event_parse_gap (event, &ts, &duration);
  if (!GST_CLOCK_TIME_IS_VALID (duration))
    return FALSE;
  n = gst_util_uint64_scale_round (duration, rate, GST_SECOND);
  if (n == 0)
    return FALSE;
  if (!self->started &&
      gst_loudnorm_start_programme (self, ts, n) != GST_FLOW_OK)
    return TRUE;
  gst_loudnorm_sync_time (self, ts);
  if (self->stream_mode == GST_LOUDNORM_MODE_LIVE) {
    /* silence through the delay, in place of the gap */
    GstBuffer *silence = gst_buffer_new_allocate (NULL, n * bpf, NULL);
    gst_buffer_memset (silence, 0, 0, n * bpf);
    self->frames += n;
    self->ts_frames += n;
    gst_loudnorm_live_push (self, silence, FALSE);
    return TRUE;
  }
  memset (self->work, 0, self->work_frames * bpf);
  while (done < n) {
    gsize len = (gsize) MIN ((guint64) self->work_frames, n - done);
    if (gst_loudnorm_take (self, self->work, len) != GST_FLOW_OK)
      return TRUE;
    done += len;
  }
  return self->stream_mode == GST_LOUDNORM_MODE_FILE;
}

static gboolean
gst_loudnorm_sink_event (GstPad *pad, GstObject *parent, GstEvent *event)
{
  GstLoudnorm *self = GST_LOUDNORM (parent);
  gboolean holding;

  GST_LOG_OBJECT (self, "%" GST_PTR_FORMAT, event);
  switch (GST_EVENT_TYPE (event)) {
    case GST_EVENT_FLUSH_STOP:
      gst_loudnorm_reset_programme (self);
      break;
    case GST_EVENT_STREAM_START:
      gst_loudnorm_finish_programme (self);
      if (self->upstream_tags)
        gst_tag_list_unref (self->upstream_tags);
      self->upstream_tags = NULL;
      break;
    case GST_EVENT_CAPS: {
      GstCaps *caps;
      gst_event_parse_caps (event, &caps);
      if (self->caps && gst_caps_is_equal (caps, self->caps))
        break;
      gst_loudnorm_finish_programme (self);
      if (!gst_loudnorm_set_caps (self, caps)) {
        gst_event_unref (event);
        return FALSE;
      }
      break;
    }
    case GST_EVENT_SEGMENT:
      gst_loudnorm_finish_programme (self);
      gst_event_copy_segment (event, &self->segment);
      break;
    case GST_EVENT_GAP:
      if (self->have_info && gst_loudnorm_gap (self, event)) {
        gst_event_unref (event);
        return TRUE;
      }
      break;
    case GST_EVENT_TAG: {
      GstTagList *tags;
      gst_event_parse_tag (event, &tags);
      if (gst_tag_list_get_scope (tags) == GST_TAG_SCOPE_STREAM) {
        if (self->upstream_tags)
          gst_tag_list_unref (self->upstream_tags);
        self->upstream_tags = gst_tag_list_copy (tags);
      }
      break;
    }
    case GST_EVENT_EOS:
      gst_loudnorm_finish_programme (self);
      break;
    default:
      break;
  }

  /* file mode: what comes in the middle of the audio keeps its place */
  holding = self->started && self->stream_mode == GST_LOUDNORM_MODE_FILE &&
      GST_EVENT_IS_SERIALIZED (event) &&
      GST_EVENT_TYPE (event) != GST_EVENT_FLUSH_STOP;
  if (holding) {
    HeldEvent *h = g_new (HeldEvent, 1);
    h->offset = self->frames;
    h->event = event;
    g_queue_push_tail (&self->held_events, h);
    return TRUE;
  }
  return gst_pad_event_default (pad, parent, event);
}

static gboolean
gst_loudnorm_sink_query (GstPad *pad, GstObject *parent, GstQuery *query)
{
  GstLoudnorm *self = GST_LOUDNORM (parent);

  if (GST_QUERY_TYPE (query) == GST_QUERY_LATENCY)
    return gst_loudnorm_latency_query (self, self->srcpad, query);
  if (GST_QUERY_TYPE (query) == GST_QUERY_ACCEPT_CAPS) {
    GstCaps *caps, *tmpl;
    gboolean ok;

    gst_query_parse_accept_caps (query, &caps);
    tmpl = gst_pad_get_pad_template_caps (pad);
    ok = gst_caps_is_subset (caps, tmpl);
    gst_caps_unref (tmpl);
    if (ok)
      ok = gst_pad_peer_query_accept_caps (self->srcpad, caps);
    else if (gst_caps_is_fixed (caps))
      gst_loudnorm_refuse_caps (self, caps);
    gst_query_set_accept_caps_result (query, ok);
    return TRUE;
  }
  return gst_pad_query_default (pad, parent, query);
}

/* The LATENCY query, asked at either pad: what the other side says, plus
 * live mode's delay. */
static gboolean
gst_loudnorm_latency_query (GstLoudnorm *self, GstPad *other, GstQuery *query)
{
  GstLoudnormMode mode;
  gboolean live;

  GST_OBJECT_LOCK (self);
  mode = self->mode;
  GST_OBJECT_UNLOCK (self);
  if (!gst_pad_peer_query (other, query)) {
    /* nobody there answers: live mode still has its own delay */
    if (mode != GST_LOUDNORM_MODE_LIVE)
      return FALSE;
    gst_query_set_latency (query, FALSE, 0, GST_CLOCK_TIME_NONE);
  }
  gst_query_parse_latency (query, &live, NULL, NULL);
  if (live && mode == GST_LOUDNORM_MODE_FILE) {
    /* the delay is the whole stream: no figure to give */
    gst_loudnorm_refuse_live (self);
    return FALSE;
  }
  if (mode == GST_LOUDNORM_MODE_LIVE) {
    GstClockTime min, max, ours;
    gdouble lookahead;
    GST_OBJECT_LOCK (self);
    lookahead = self->lookahead;
    GST_OBJECT_UNLOCK (self);
    /* the limiter's part needs the rate; before caps, its 5 ms lookahead
     * and the detector's few dozen frames are close to 6 ms */
    ours = self->have_info
        ? gst_mm_frames_to_time (GST_AUDIO_INFO_RATE (&self->info),
              gst_loudnorm_live_latency_frames (self, lookahead))
        : (GstClockTime) ((lookahead + LIMITER_LOOKAHEAD_MS + 1.0) *
              GST_MSECOND);
    gst_query_parse_latency (query, &live, &min, &max);
    min += ours;
    if (GST_CLOCK_TIME_IS_VALID (max))
      max += ours;
    gst_query_set_latency (query, live, min, max);
  }
  /* analyze adds nothing; file mode on a non-live source outputs all at the
   * end, where latency has no meaning */
  return TRUE;
}

static gboolean
gst_loudnorm_src_query (GstPad *pad, GstObject *parent, GstQuery *query)
{
  GstLoudnorm *self = GST_LOUDNORM (parent);

  if (GST_QUERY_TYPE (query) == GST_QUERY_LATENCY)
    return gst_loudnorm_latency_query (self, self->sinkpad, query);
  return gst_pad_query_default (pad, parent, query);
}

static GstStateChangeReturn
gst_loudnorm_change_state (GstElement *element, GstStateChange transition)
{
  GstLoudnorm *self = GST_LOUDNORM (element);
  GstStateChangeReturn ret;

  if (transition == GST_STATE_CHANGE_READY_TO_PAUSED) {
    gst_segment_init (&self->segment, GST_FORMAT_TIME);
    gst_loudnorm_reset_programme (self);
    g_atomic_int_set (&self->live_refused, 0);
    GST_OBJECT_LOCK (self);
    gst_caps_replace (&self->refused_caps, NULL);
    GST_OBJECT_UNLOCK (self);
  }
  ret = GST_ELEMENT_CLASS (parent_class)->change_state (element, transition);
  if (ret == GST_STATE_CHANGE_FAILURE)
    return ret;
  if (transition == GST_STATE_CHANGE_PAUSED_TO_READY) {
    gst_loudnorm_reset_programme (self);
    gst_loudnorm_free_dsp (self);
    if (self->upstream_tags)
      gst_tag_list_unref (self->upstream_tags);
    self->upstream_tags = NULL;
  }
  return ret;
}
