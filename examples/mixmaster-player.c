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

/* mixmaster-player: plays an audio file through the stereowidth element, or
 * renders it to a WAV file, and prints the element's correlation meter.
 *
 *   uridecodebin ! audioconvert ! stereowidth ! audioconvert ! autoaudiosink
 *   uridecodebin ! audioconvert ! stereowidth ! audioconvert ! wavenc
 *       ! filesink
 *
 * With --glide-to, a timeout changes the width with g_object_set() while the
 * pipeline plays: it sweeps from --width to --glide-to and back, once per
 * --glide-seconds each way, following the stream position. The element glides
 * every change over a few milliseconds, so the sweep has no clicks. When
 * rendering with a glide, the file is written in real time (filesink sync) so
 * the timeout sees every position; without one, rendering runs flat out.
 *
 * Examples:
 *   mixmaster-player --width 1.3 --bass-mono-freq 120 song.wav
 *   mixmaster-player --width 0.5 --glide-to 1.8 song.flac
 *   mixmaster-player --output master.wav --width 1.3 song.wav
 *
 * The plugin must be found by GStreamer: install it, or run with
 * GST_PLUGIN_PATH=<builddir>/gst.
 */

#include <gst/gst.h>
#include <glib-unix.h>

#include <signal.h>

#define GLIDE_TICK_MS 20

typedef struct
{
  GMainLoop *loop;
  GstElement *pipeline;
  GstElement *convert; /* first element after the decoder */
  GstElement *width_element;

  /* settings */
  gdouble width;
  gdouble glide_to;
  gdouble glide_seconds;
  gboolean glide;
  gboolean quiet;
  const gchar *output;

  /* state */
  gboolean linked;
  gboolean eos_sent;
  gdouble current_width;
  guint n_meters;
  gdouble correlation_sum;
  gdouble correlation_min;
  gint exit_code;
} Player;

static gchar *
make_uri (const gchar *arg, GError **error)
{
  if (gst_uri_is_valid (arg))
    return g_strdup (arg);

  if (!g_file_test (arg, G_FILE_TEST_EXISTS)) {
    g_set_error (
        error, G_FILE_ERROR, G_FILE_ERROR_NOENT, "No such file: %s", arg);
    return NULL;
  }
  return gst_filename_to_uri (arg, error);
}

/* uridecodebin exposes one pad per stream; link the first audio stream. */
static void
on_pad_added (GstElement *decoder, GstPad *pad, Player *player)
{
  GstCaps *caps;
  GstStructure *s;
  GstPad *sinkpad;
  GstPadLinkReturn ret;
  gboolean is_audio;

  if (player->linked)
    return;

  caps = gst_pad_get_current_caps (pad);
  if (caps == NULL)
    caps = gst_pad_query_caps (pad, NULL);
  s = gst_caps_get_structure (caps, 0);
  is_audio = g_str_has_prefix (gst_structure_get_name (s), "audio/");
  gst_caps_unref (caps);
  if (!is_audio)
    return;

  sinkpad = gst_element_get_static_pad (player->convert, "sink");
  ret = gst_pad_link (pad, sinkpad);
  gst_object_unref (sinkpad);
  if (GST_PAD_LINK_FAILED (ret)) {
    g_printerr (
        "Could not link the decoded audio: %s\n", gst_pad_link_get_name (ret));
    return;
  }
  player->linked = TRUE;
}

static void
on_no_more_pads (GstElement *decoder, Player *player)
{
  if (!player->linked) {
    /* post from here so the main loop reports it like any other error */
    GST_ELEMENT_ERROR (decoder, STREAM, WRONG_TYPE,
        ("The input has no audio stream."), (NULL));
  }
}

/* A text meter: correlation -1..+1 on a 21-character scale. */
static void
format_meter (gchar *bar, gsize len, gdouble correlation)
{
  gint pos, i;

  g_assert (len >= 24);
  pos = (gint) ((CLAMP (correlation, -1.0, 1.0) + 1.0) * 10.0 + 0.5);
  bar[0] = '[';
  for (i = 0; i < 21; i++)
    bar[i + 1] = (i == pos) ? '|' : (i == 10 ? '+' : '-');
  bar[22] = ']';
  bar[23] = '\0';
}

static void
handle_meter (Player *player, const GstStructure *s)
{
  gdouble correlation = 0.0, side_to_mid = 0.0;
  GstClockTime stream_time = GST_CLOCK_TIME_NONE;
  gchar bar[24];

  if (!gst_structure_get_double (s, "correlation", &correlation))
    return;
  gst_structure_get_double (s, "side-to-mid", &side_to_mid);
  gst_structure_get_clock_time (s, "stream-time", &stream_time);

  player->n_meters++;
  player->correlation_sum += correlation;
  player->correlation_min = MIN (player->correlation_min, correlation);

  if (player->quiet)
    return;
  format_meter (bar, sizeof (bar), correlation);
  if (GST_CLOCK_TIME_IS_VALID (stream_time))
    g_print ("%3u:%05.2f", (guint) (stream_time / (60 * GST_SECOND)),
        (gdouble) (stream_time % (60 * GST_SECOND)) / GST_SECOND);
  else
    g_print ("       --");
  g_print ("  width %.2f  correlation %+.3f %s  side/mid %6.1f dB\n",
      player->current_width, correlation, bar, side_to_mid);
}

static gboolean
on_bus_message (GstBus *bus, GstMessage *message, Player *player)
{
  switch (GST_MESSAGE_TYPE (message)) {
    case GST_MESSAGE_ERROR: {
      GError *err = NULL;
      gchar *debug = NULL;

      gst_message_parse_error (message, &err, &debug);
      g_printerr (
          "ERROR from %s: %s\n", GST_OBJECT_NAME (message->src), err->message);
      if (debug)
        g_printerr ("Debugging information: %s\n", debug);
      g_clear_error (&err);
      g_free (debug);
      player->exit_code = 1;
      g_main_loop_quit (player->loop);
      break;
    }
    case GST_MESSAGE_WARNING: {
      GError *err = NULL;
      gchar *debug = NULL;

      gst_message_parse_warning (message, &err, &debug);
      g_printerr ("WARNING from %s: %s\n", GST_OBJECT_NAME (message->src),
          err->message);
      g_clear_error (&err);
      g_free (debug);
      break;
    }
    case GST_MESSAGE_EOS:
      g_main_loop_quit (player->loop);
      break;
    case GST_MESSAGE_ELEMENT: {
      const GstStructure *s = gst_message_get_structure (message);

      if (GST_MESSAGE_SRC (message) == GST_OBJECT (player->width_element) &&
          gst_structure_has_name (s, "stereowidth"))
        handle_meter (player, s);
      break;
    }
    default:
      break;
  }
  return G_SOURCE_CONTINUE;
}

/* Runs in the main loop every GLIDE_TICK_MS: sets the width for the current
 * stream position, a triangle between --width and --glide-to. */
static gboolean
glide_tick (Player *player)
{
  gint64 position;
  gdouble sweeps, phase, width;

  if (!gst_element_query_position (
          player->pipeline, GST_FORMAT_TIME, &position) ||
      position < 0)
    return G_SOURCE_CONTINUE;

  /* 0 -> 1 on even sweeps, 1 -> 0 on odd ones */
  sweeps = (gdouble) position / GST_SECOND / player->glide_seconds;
  phase = sweeps - (gdouble) (guint64) sweeps;
  if ((guint64) sweeps % 2 == 1)
    phase = 1.0 - phase;
  width = player->width + (player->glide_to - player->width) * phase;

  if (ABS (width - player->current_width) >= 0.005) {
    g_object_set (player->width_element, "width", width, NULL);
    player->current_width = width;
  }
  return G_SOURCE_CONTINUE;
}

/* Ctrl-C: finish cleanly. When rendering, send EOS so the WAV header is
 * completed; a second Ctrl-C quits at once. */
static gboolean
on_sigint (Player *player)
{
  if (player->output != NULL && !player->eos_sent) {
    g_printerr ("Interrupted: finishing %s\n", player->output);
    player->eos_sent = TRUE;
    gst_element_send_event (player->pipeline, gst_event_new_eos ());
    return G_SOURCE_CONTINUE;
  }
  g_printerr ("Interrupted\n");
  g_main_loop_quit (player->loop);
  return G_SOURCE_CONTINUE;
}

/* Creates an element and adds it to the pipeline, which then owns it. */
static GstElement *
add_element (Player *player, const gchar *factory, const gchar *name)
{
  GstElement *e = gst_element_factory_make (factory, name);

  if (e == NULL) {
    g_printerr ("Could not create the '%s' element.", factory);
    if (g_str_equal (factory, "stereowidth"))
      g_printerr (" Is gst-mixmaster installed, or GST_PLUGIN_PATH set to "
                  "its build/gst directory?");
    else
      g_printerr (" Check your GStreamer installation "
                  "(gstreamer1.0-plugins-base and -good).");
    g_printerr ("\n");
    return NULL;
  }
  gst_bin_add (GST_BIN (player->pipeline), e);
  return e;
}

static gboolean
check_range (GstElement *element, const gchar *property, gdouble value,
    const gchar *option)
{
  GParamSpec *pspec =
      g_object_class_find_property (G_OBJECT_GET_CLASS (element), property);
  GParamSpecDouble *range = G_PARAM_SPEC_DOUBLE (pspec);

  if (value < range->minimum || value > range->maximum) {
    g_printerr ("%s %g is out of range: %s takes %g to %g.\n", option, value,
        property, range->minimum, range->maximum);
    return FALSE;
  }
  return TRUE;
}

/* On failure the caller unrefs player->pipeline, which frees what was made. */
static gboolean
build_pipeline (Player *player, const gchar *uri, gdouble bass_mono_freq)
{
  GstElement *decoder, *convert_out, *encoder = NULL, *sink;

  player->pipeline = gst_pipeline_new ("mixmaster-player");
  if (!(decoder = add_element (player, "uridecodebin", "decoder")) ||
      !(player->convert = add_element (player, "audioconvert", "convert-in")) ||
      !(player->width_element = add_element (player, "stereowidth", "width")) ||
      !(convert_out = add_element (player, "audioconvert", "convert-out")))
    return FALSE;
  if (player->output != NULL) {
    if (!(encoder = add_element (player, "wavenc", "encoder")) ||
        !(sink = add_element (player, "filesink", "sink")))
      return FALSE;
  } else if (!(sink = add_element (player, "autoaudiosink", "sink"))) {
    return FALSE;
  }

  /* The element refuses out-of-range values with a warning; say it here in
   * terms of the command line instead. */
  if (!check_range (player->width_element, "width", player->width, "--width") ||
      (player->glide &&
          !check_range (
              player->width_element, "width", player->glide_to, "--glide-to")))
    return FALSE;
  if (bass_mono_freq != 0.0 &&
      (bass_mono_freq < 20.0 || bass_mono_freq > 500.0)) {
    g_printerr ("--bass-mono-freq must be 0 (off) or 20-500 Hz.\n");
    return FALSE;
  }

  /* Values set before PLAYING apply from the first sample. */
  g_object_set (player->width_element, "width", player->width, "bass-mono-freq",
      bass_mono_freq, "post-messages", TRUE, "interval",
      (guint64) 250 * GST_MSECOND, NULL);
  player->current_width = player->width;
  g_object_set (decoder, "uri", uri, NULL);

  if (player->output != NULL) {
    /* Rendering without a glide runs as fast as the machine can; with a
     * glide it runs in real time, so the timeout sees every position. */
    g_object_set (
        sink, "location", player->output, "sync", player->glide, NULL);
    if (!gst_element_link_many (player->convert, player->width_element,
            convert_out, encoder, sink, NULL)) {
      g_printerr ("Could not link the rendering chain.\n");
      return FALSE;
    }
  } else if (!gst_element_link_many (player->convert, player->width_element,
                 convert_out, sink, NULL)) {
    g_printerr ("Could not link the playback chain.\n");
    return FALSE;
  }

  g_signal_connect (decoder, "pad-added", G_CALLBACK (on_pad_added), player);
  g_signal_connect (
      decoder, "no-more-pads", G_CALLBACK (on_no_more_pads), player);
  return TRUE;
}

int
main (int argc, char *argv[])
{
  Player player = {
    0,
  };
  gdouble bass_mono_freq = 0.0;
  gchar *output = NULL;
  gchar *uri = NULL;
  GError *error = NULL;
  GOptionContext *context;
  GstBus *bus;
  guint bus_watch, sigint_watch, glide_watch = 0;
  GOptionEntry entries[] = {
    { "width", 'w', 0, G_OPTION_ARG_DOUBLE, &player.width,
        "Stereo width, 0 (mono) to 4; 1 leaves the image unchanged "
        "(default 1)",
        "W" },
    { "bass-mono-freq", 'b', 0, G_OPTION_ARG_DOUBLE, &bass_mono_freq,
        "Make everything below this frequency mono (Hz, 20-500; 0 = off)",
        "HZ" },
    { "glide-to", 'g', 0, G_OPTION_ARG_DOUBLE, &player.glide_to,
        "Sweep the width between --width and this value while playing", "W" },
    { "glide-seconds", 0, 0, G_OPTION_ARG_DOUBLE, &player.glide_seconds,
        "Seconds for each sweep (default 4)", "S" },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
        "Render to this WAV file instead of playing", "FILE" },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &player.quiet,
        "Do not print the meter, only the summary", NULL },
    { NULL }
  };

  player.width = 1.0;
  player.glide_to = -1.0; /* unset */
  player.glide_seconds = 4.0;
  player.correlation_min = 1.0;

  context = g_option_context_new ("FILE|URI - play audio through stereowidth");
  g_option_context_set_summary (context,
      "Plays or renders an audio file through the gst-mixmaster stereowidth "
      "element and prints its correlation meter.");
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_add_group (context, gst_init_get_option_group ());
  if (!g_option_context_parse (context, &argc, &argv, &error)) {
    g_printerr ("%s\n", error->message);
    g_clear_error (&error);
    g_option_context_free (context);
    return 2;
  }
  if (argc != 2) {
    gchar *help = g_option_context_get_help (context, TRUE, NULL);

    g_printerr ("%s", help);
    g_free (help);
    g_option_context_free (context);
    return 2;
  }
  g_option_context_free (context);
  player.output = output;
  player.glide = player.glide_to != -1.0;
  if (player.glide_seconds <= 0.0) {
    g_printerr ("--glide-seconds must be positive.\n");
    return 2;
  }

  uri = make_uri (argv[1], &error);
  if (uri == NULL) {
    g_printerr ("%s\n", error->message);
    g_clear_error (&error);
    return 1;
  }

  if (!build_pipeline (&player, uri, bass_mono_freq)) {
    gst_clear_object (&player.pipeline);
    g_free (uri);
    g_free (output);
    return 1;
  }

  player.loop = g_main_loop_new (NULL, FALSE);
  bus = gst_pipeline_get_bus (GST_PIPELINE (player.pipeline));
  bus_watch = gst_bus_add_watch (bus, (GstBusFunc) on_bus_message, &player);
  gst_object_unref (bus);
  sigint_watch = g_unix_signal_add (SIGINT, (GSourceFunc) on_sigint, &player);
  if (player.glide)
    glide_watch =
        g_timeout_add (GLIDE_TICK_MS, (GSourceFunc) glide_tick, &player);

  g_print ("%s %s: width %.2f", player.output ? "Rendering" : "Playing",
      argv[1], player.width);
  if (player.glide)
    g_print (" gliding to %.2f and back every %.1f s", player.glide_to,
        player.glide_seconds);
  if (bass_mono_freq > 0.0)
    g_print (", mono below %.0f Hz", bass_mono_freq);
  if (player.output)
    g_print (" -> %s%s", player.output, player.glide ? " (real time)" : "");
  g_print ("\n");

  if (gst_element_set_state (player.pipeline, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_FAILURE) {
    /* the reason, if any, is on the bus: let the loop print it */
    player.exit_code = 1;
    g_printerr ("The pipeline refused to start.\n");
  } else {
    g_main_loop_run (player.loop);
  }

  gst_element_set_state (player.pipeline, GST_STATE_NULL);
  if (glide_watch)
    g_source_remove (glide_watch);
  g_source_remove (sigint_watch);
  g_source_remove (bus_watch);

  if (player.n_meters > 0)
    g_print ("%u meter readings: mean correlation %+.3f, lowest %+.3f\n",
        player.n_meters, player.correlation_sum / player.n_meters,
        player.correlation_min);
  if (player.exit_code == 0 && player.output)
    g_print ("Wrote %s\n", player.output);

  gst_object_unref (player.pipeline);
  g_main_loop_unref (player.loop);
  g_free (uri);
  g_free (output);
  return player.exit_code;
}
