/* EBU Tech 3341 and Tech 3342 test signals, synthesized from the specs
 * Copyright (C) 2026 gst-mixmaster developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Plain C + GLib (no GStreamer), for the loudness conformance tests.
 * tests/test_ebu.c proves every signal here against libebur128 before an
 * element is tested with it.
 *
 * Signals are interleaved doubles (frames x channels) at any rate from 8 kHz
 * to 384 kHz:
 * - stereo L R, in phase, for every tone case and every Tech 3342 case;
 * - 5.0 for Tech 3341 case 6, in the order L R C Ls Rs (GStreamer: FRONT_LEFT,
 *   FRONT_RIGHT, FRONT_CENTER, REAR_LEFT, REAR_RIGHT, the 5.0 fallback mask;
 *   Ls and Rs weigh 1.41 there, see loudness-and-delivery.md 1.3);
 * - stereo, both channels equal, for the true-peak cases 15-23 (Tech 3341
 *   v4 says "stereo sine wave"; the EBU files are stereo too).
 *
 * How the signals are made (loudness-and-delivery.md 2, 3):
 * - Tones: 1 kHz, y[n] = A sin(2 pi 1000 n / fs) with one phase index over the
 *   whole signal; A = 10^(dBFS/20) per channel (peak level) changes at segment
 *   boundaries without resetting the phase. Silence is exact zeros. Segment
 *   boundaries sit at round(t fs) of the cumulated time t.
 * - Cases 15-19: A sin(2 pi n / k + phi), k = 4, 6, 8, 2 s long, 10 ms linear
 *   fade-in and fade-out; A = 10^(-6/20) (0.5012, -6.000 dBFS) for 15-18 and
 *   A = sqrt(2) (+3.010 dBFS, what the EBU file holds) for 19.
 * - Cases 20-23: at 4 fs, 0.5 sin(2 pi n / 24) (fs/6); from the rising zero
 *   crossing nearest the middle, one period of 1.0 sin(2 pi n / 16) (fs/4),
 *   after which fs/6 resumes at phase 0 (continuous on both sides); 10 ms
 *   linear ramps; 1023-tap Kaiser (beta 10) low-pass at 0.475 fs, delay
 *   compensated; the samples with n = offset (mod 4) are kept, offset = 0, 1, 2,
 *   3 for cases 20, 21, 22, 23. Offset 0 holds the burst's crest sample. 2 s.
 *
 * Meter readings and segments: a meter read after the frames [0, p) have
 * been fed gives a reading "at p"; it belongs to segment i when
 * segment_start[i] < p <= segment_end[i]. Read M and S at least every 10 ms
 * of audio (chop buffers): the nearest read can miss a 400 ms burst by up to
 * half the hop, which costs case 13 about 0.46 dB at a 100 ms hop. */

#ifndef MM_EBU_H
#define MM_EBU_H

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  gdouble *frames; /* interleaved, n_frames * channels */
  gsize n_frames;
  guint channels;
  gdouble rate; /* Hz */
  /* Segments, always at least one. Cases 10 and 13: the 20 parts; 11 and 14:
   * the 20 (silence, tone, silence) runs, one per expected value; otherwise
   * one segment covering the whole signal. */
  guint n_segments;
  gsize *segment_start; /* first frame of segment i */
  gsize *segment_end; /* one past its last frame */
  /* TRUE for cases 10 and 13: each segment is a separate EBU file to be
   * measured on its own by a freshly reset meter. (Concatenated as here, an
   * unreset meter gives the same per-segment maxima, since the gaps are
   * longer than the window; but a test that resets proves more.) */
  gboolean reset_per_segment;
} MmEbuSignal;

/* What is read, and when. */
typedef enum
{
  MM_EBU_MOMENTARY_MAX, /* largest M (LUFS) of each segment */
  MM_EBU_SHORT_TERM_MAX, /* largest S (LUFS) of each segment */
  MM_EBU_MOMENTARY_ALL, /* every M reading at `from` s or later */
  MM_EBU_SHORT_TERM_ALL, /* every S reading at `from` s or later */
  MM_EBU_INTEGRATED, /* I (LUFS) at the end */
  MM_EBU_LOUDNESS_RANGE, /* LRA (LU) at the end, `tail` s of silence fed */
  MM_EBU_TRUE_PEAK, /* largest true peak (dBTP) over all channels */
} MmEbuMeasure;

typedef struct
{
  MmEbuMeasure measure;
  gdouble value; /* expected value, in segment 0 */
  gdouble step; /* segment i expects value + i * step (11, 14); else 0 */
  gdouble below, above; /* pass: value - below <= measured <= value + above */
  gdouble from; /* _ALL: first reading time in s (the window is full) */
  gdouble tail; /* s of zeros to feed after the signal before reading */
} MmEbuExpect;

/* Tech 3341 case tcase (1-6, 9-23) at rate Hz into *out (clear it with
 * mm_ebu_signal_clear). FALSE, with *out zeroed, for 7 and 8 (they need
 * EBU's recordings) and for cases that do not exist. Cases 10 and 13 come as
 * their 20 parts back to back (see reset_per_segment). */
gboolean mm_ebu3341_signal (guint tcase, gdouble rate, MmEbuSignal *out);
/* Part `part` (0-19) of case 10 or 13 alone: exactly segment `part` of
 * mm_ebu3341_signal, one segment. FALSE for other cases. */
gboolean mm_ebu3341_signal_part (
    guint tcase, guint part, gdouble rate, MmEbuSignal *out);
/* Tech 3342 case tcase (1-4). FALSE for 5 and 6 (EBU's recordings, the
 * Tech 3341 case 7 and 8 files) and for cases that do not exist. */
gboolean mm_ebu3342_signal (guint tcase, gdouble rate, MmEbuSignal *out);
void mm_ebu_signal_clear (MmEbuSignal *s);

/* The spec's expectations of a case (static storage), *n_expect of them; NULL
 * and 0 for cases that do not exist. Cases 7, 8 (3341) and 5, 6 (3342) have
 * expectations though no signal is synthesized for them. Tolerances: 0.1 LU
 * either way for M, S, I; +0.2/-0.4 dB for true peak; 1 LU for LRA. */
const MmEbuExpect *mm_ebu3341_expect (guint tcase, guint *n_expect);
const MmEbuExpect *mm_ebu3342_expect (guint tcase, guint *n_expect);

/* What e expects in segment `segment`, and whether `measured` passes. */
gdouble mm_ebu_expect_value (const MmEbuExpect *e, guint segment);
gboolean mm_ebu_expect_check (
    const MmEbuExpect *e, guint segment, gdouble measured);
/* "momentary max", "short-term max", ..., "true peak" */
const gchar *mm_ebu_measure_name (MmEbuMeasure measure);

G_END_DECLS

#endif /* MM_EBU_H */
