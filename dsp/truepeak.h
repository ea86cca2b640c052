/* gst-mixmaster
 * Copyright (C) 2026 gst-mixmaster developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#ifndef MM_TRUEPEAK_H
#define MM_TRUEPEAK_H

/* A true-peak detector in the manner of ITU-R BS.1770 Annex 2: the signal is
 * interpolated at factor - 1 points between samples by a polyphase
 * windowed-sinc FIR (Kaiser window), on the detector path only. For frame c it
 * reports the largest magnitude of x[c] and of the interpolated points on either
 * side, `delay` frames after x[c] arrived (the FIR needs that much future). */

#define MM_TRUEPEAK_MAX_FACTOR 8
#define MM_TRUEPEAK_MAX_HALF_TAPS 32

typedef struct
{
  int factor; /* 1 (sample peak), 2, 4 or 8 */
  int half_taps; /* taps on each side of a point */
  double coefs[MM_TRUEPEAK_MAX_FACTOR][2 * MM_TRUEPEAK_MAX_HALF_TAPS];
} MmTruePeak;

typedef struct
{
  double history[2 * MM_TRUEPEAK_MAX_HALF_TAPS + 1];
  double previous_interval; /* largest point between c - 1 and c */
} MmTruePeakState;

void mm_true_peak_init (MmTruePeak *tp, int factor, int half_taps);
void mm_true_peak_reset_state (MmTruePeakState *s);
/* Frames between a sample's arrival and its peak's report. */
static inline int
mm_true_peak_delay (const MmTruePeak *tp)
{
  return tp->factor > 1 ? tp->half_taps : 0;
}
double mm_true_peak_tick (const MmTruePeak *tp, MmTruePeakState *s, double x);

#endif
