/* gst-mixmaster
 * Copyright (C) 2026 gst-mixmaster developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#ifndef MM_TRUEPEAK_H
#define MM_TRUEPEAK_H

#include <stddef.h>

/* A true-peak detector in the manner of ITU-R BS.1770 Annex 2, on the
 * detector path only: the signal is interpolated at factor - 1 points between
 * samples by a cascade of half-band interpolators. The first stage (the only
 * one whose band reaches Nyquist) has 80 taps, a minimax fit flat within
 * 0.0053 dB up to 0.475 of the rate; the 4x and 8x stages see a signal that
 * fills at most half their band and get by with 8 and 6 taps. At 8x that is
 * 40 + 2 x 4 + 4 x 3 tap pairs per sample, against 7 x 80 taps for a direct
 * polyphase filter of the same first-stage quality.
 *
 * It also reads the points a BS.1770 meter in the manner of libebur128 reads
 * (a 49-tap Hann-windowed sinc: 4x under 96 kHz, 2x under 192 kHz). That
 * interpolator over-reads content near Nyquist by up to about half a dB; a
 * limiter that must read under its ceiling on such a meter has to see what
 * it sees.
 *
 * For frame c it reports the largest magnitude among x[c - 1], x[c] and the
 * points between c - 1 and c + 1, `delay` frames after x[c] arrived. Factor 1
 * reports |x[c]| at once. */

#define MM_TRUEPEAK_MAX_FACTOR 8
#define MM_TRUEPEAK_FIRST_PAIRS 40
#define MM_TRUEPEAK_STAGE2_PAIRS 4
#define MM_TRUEPEAK_STAGE3_PAIRS 3
/* the BS.1770 meter's interpolator: taps per point, at most */
#define MM_TRUEPEAK_METER_TAPS 24
/* The largest delay, at 8x (see mm_true_peak_init). */
#define MM_TRUEPEAK_MAX_DELAY (MM_TRUEPEAK_FIRST_PAIRS + 3)
/* Frames one call may process. */
#define MM_TRUEPEAK_BLOCK 512

typedef struct
{
  int factor; /* 1 (sample peak), 2, 4 or 8 */
  int delay; /* frames between a sample's arrival and its peak's report */
  float first[MM_TRUEPEAK_FIRST_PAIRS];
  float stage2[MM_TRUEPEAK_STAGE2_PAIRS];
  float stage3[MM_TRUEPEAK_STAGE3_PAIRS];
  /* the meter's points as tap pairs: its half-sample point, and at 4x half
   * the sum and half the difference of its quarter points */
  int meter_factor, meter_pairs;
  float meter_half[MM_TRUEPEAK_METER_TAPS / 2];
  float meter_sum[MM_TRUEPEAK_METER_TAPS / 2];
  float meter_difference[MM_TRUEPEAK_METER_TAPS / 2];
} MmTruePeak;

/* history and the interpolated streams, per channel */
#define MM_TRUEPEAK_HISTORY (2 * MM_TRUEPEAK_FIRST_PAIRS + 16)
#define MM_TRUEPEAK_SPAN (MM_TRUEPEAK_HISTORY + MM_TRUEPEAK_BLOCK)
typedef struct
{
  /* x, x + 1/2, x + 1/4, x + 3/4, x + 1/8, x + 3/8, x + 5/8, x + 7/8 */
  float stream[8][MM_TRUEPEAK_SPAN];
  float meter_point[3][MM_TRUEPEAK_SPAN];
  float point_peak[MM_TRUEPEAK_SPAN]; /* max of x[c] and the points after */
} MmTruePeakState;

/* rate: for the meter's interpolator, whose factor depends on it */
void mm_true_peak_init (MmTruePeak *tp, int factor, double rate);
void mm_true_peak_reset_state (MmTruePeakState *s);
/* x: n <= MM_TRUEPEAK_BLOCK new samples (finite, |x| < 1e18); peaks[i] is the
 * peak of the frame that arrived `delay` frames before x[i] (0 before the
 * first sample). */
void mm_true_peak_process (const MmTruePeak *tp, MmTruePeakState *s,
    const float *x, float *peaks, size_t n);

#endif
