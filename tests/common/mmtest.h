/* gst-mixmaster test helpers
 * Copyright (C) 2026 gst-mixmaster developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Signals are interleaved double arrays (frames x channels) so that tests can be
 * written once and run in F32 and F64. */

#ifndef MMTEST_H
#define MMTEST_H

#include <gst/gst.h>
#include <gst/audio/audio.h>
#include <gst/check/gstharness.h>

G_BEGIN_DECLS

/* ---- signals ---- */
/* amplitude * sin(2 pi freq t + phase) into one channel of an interleaved buffer */
void mmtest_sine (gdouble *frames, gsize n_frames, guint channels,
    guint channel, gdouble rate, gdouble freq, gdouble amplitude,
    gdouble phase);
/* uniform white noise in [-amplitude, amplitude), reproducible from seed */
void mmtest_noise (gdouble *frames, gsize n_frames, guint channels,
    guint channel, gdouble amplitude, guint32 seed);
/* pink noise (-3 dB per octave, Paul Kellet's filter on white noise), scaled so
 * that its sample peak is amplitude; reproducible from seed */
void mmtest_pink_noise (gdouble *frames, gsize n_frames, guint channels,
    guint channel, gdouble amplitude, guint32 seed);

/* ---- running an element ---- */
typedef struct
{
  GstAudioFormat format; /* GST_AUDIO_FORMAT_F32 or _F64 */
  gint rate;
  gint channels;
  guint buffer_frames; /* frames per pushed buffer; 0 = 1024 */
} MmTestStream;

/* A harness around `element_desc` (a gst_parse_bin_from_description or element
 * name with properties, e.g. "stereowidth width=2") with F32/F64 caps set. */
GstHarness *mmtest_harness_new (
    const gchar *element_desc, const MmTestStream *stream);
/* Pushes n_frames of input in buffers of stream->buffer_frames, with contiguous
 * timestamps starting at *pts (advanced), pulls every output buffer, returns the
 * output as interleaved doubles (g_free it) and its frame count. */
gdouble *mmtest_harness_process (GstHarness *h, const MmTestStream *stream,
    const gdouble *input, gsize n_frames, GstClockTime *pts, gsize *out_frames);
/* One-shot: new harness, process, EOS, free. */
gdouble *mmtest_process (const gchar *element_desc, const MmTestStream *stream,
    const gdouble *input, gsize n_frames, gsize *out_frames);

/* Runs x through a new harness of element_desc (drained at EOS) and asserts
 * the output is x itself: same frame count, bit for bit. */
void mmtest_assert_unchanged (const gchar *element_desc,
    const MmTestStream *stream, const gdouble *frames, gsize n_frames);

/* Pulls every buffer the harness holds, asserting that each starts where the
 * one before ended (*expected, advanced) and counting frames into *frames. */
void mmtest_pull_contiguous (GstHarness *h, const MmTestStream *stream,
    GstClockTime *expected, guint64 *frames);

typedef void (*MmTestTweak) (GstElement *element, GRand *rand);
typedef struct _MmTestTweaker MmTestTweaker;
/* A thread that calls tweak (element, rand) again and again, 100 us apart
 * (the same random sequence each run), until stopped; stopping returns how
 * many calls it made. */
MmTestTweaker *mmtest_tweaker_start (GstElement *element, MmTestTweak tweak);
guint mmtest_tweaker_stop (MmTestTweaker *tweaker);
/* Streams input through h with a tweaker on the element named element_name:
 * settings change at random moments while audio flows. Returns the output
 * (g_free it) and its frame count. */
gdouble *mmtest_process_while_tweaking (GstHarness *h,
    const gchar *element_name, const MmTestStream *stream, const gdouble *input,
    gsize n_frames, MmTestTweak tweak, gsize *out_frames);

/* Streams `before`, flushes, then streams `after` from time 0, and asserts that
 * the output after the flush equals a fresh element's output for `after`: no
 * history survives a flush. Both signals have n_frames. */
void mmtest_check_flush_resets (const gchar *element_desc,
    const MmTestStream *stream, const gdouble *before, const gdouble *after,
    gsize n_frames);

/* Element messages named `name` posted on the harness' bus so far (a list of
 * GstStructure copies; free with g_list_free_full (l, gst_structure_free)). */
GList *mmtest_harness_collect_messages (GstHarness *h, const gchar *name);

/* ---- measurement (over one channel of interleaved frames) ---- */
gdouble mmtest_db (gdouble linear);
gdouble mmtest_rms (
    const gdouble *frames, gsize n_frames, guint channels, guint channel);
gdouble mmtest_sample_peak (
    const gdouble *frames, gsize n_frames, guint channels, guint channel);
/* Peak of the band-limited waveform, by windowed-sinc interpolation with
 * `oversample` points per sample (e.g. 16). */
gdouble mmtest_true_peak (const gdouble *frames, gsize n_frames, guint channels,
    guint channel, guint oversample);
/* The largest mmtest_true_peak () over all channels, with the interpolation
 * kernel tabulated once: the same measurement, many times faster. */
gdouble mmtest_true_peak_all (
    const gdouble *frames, gsize n_frames, guint channels, guint oversample);
/* THD+N of a sine at freq (Hz), in dB: the least-squares fit of a sine and
 * cosine at freq plus DC is taken as fundamental (and DC); the RMS of what is
 * left, over the RMS of the fundamental. */
gdouble mmtest_thd_n_db (const gdouble *frames, gsize n_frames, guint channels,
    guint channel, gdouble rate, gdouble freq);
/* Amplitude of a sine at freq (Hz), by a Blackman-Harris windowed single-bin DFT;
 * accurate to ~0.01 dB when the analysed span holds several periods. */
gdouble mmtest_sine_amplitude (const gdouble *frames, gsize n_frames,
    guint channels, guint channel, gdouble rate, gdouble freq);
/* Largest absolute difference between consecutive samples of a channel. */
gdouble mmtest_max_step (
    const gdouble *frames, gsize n_frames, guint channels, guint channel);

G_END_DECLS

#endif
