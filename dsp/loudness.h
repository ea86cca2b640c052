/* gst-mixmaster
 * Copyright (C) 2026 gst-mixmaster developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#ifndef MM_LOUDNESS_H
#define MM_LOUDNESS_H

#include <stdbool.h>
#include <stddef.h>

/* An ITU-R BS.1770 / EBU Tech 3341 and 3342 loudness meter.
 *
 * K-weighting per channel (the analog prototype's bilinear transform, the
 * same at every rate), channel weights as given (1.0 front, 1.41 surround,
 * 0 for LFE, 2.0 for a mono channel counted as both sides), mean squares
 * over sub-blocks of a tenth of 100 ms, so that momentary (400 ms) and
 * short-term (3 s) loudness are evaluated every 10 ms and their maxima miss
 * nothing (Tech 3341's update-rate pitfall). Gating blocks of 400 ms every
 * 100 ms give the integrated loudness (absolute gate -70 LUFS, relative
 * -10 LU), short-term values every 100 ms the loudness range (Tech 3342:
 * -70 and -20 LU gates, 10th to 95th percentile). The true peak comes from
 * the 8x detector of truepeak.h (which also reads what a libebur128 meter
 * reads).
 *
 * Readings while running use histograms of 0.01 LU bins for the gates and
 * percentiles (exact at the gate's own bin), so that a reading costs the same
 * after an hour as after a second; mm_loudness_read_final () computes them
 * exactly from every block.
 *
 * Why not libebur128 itself: its momentary and short-term readings sum their
 * whole window at every call, so tracking them every 10 ms runs at 27x
 * realtime (stereo 48 kHz), and its true-peak mode at 129x; this meter runs
 * at about 380x with both. tests/test_loudness.c holds it to libebur128:
 * the same integrated loudness to 0.0001 LU and the same momentary and
 * short-term values at every 100 ms. */

typedef struct MmLoudness MmLoudness;

/* NULL weights: 1.0 for every channel. NULL when out of memory or given 0 or
 * more than 8 channels or a rate under 8 kHz. */
MmLoudness *mm_loudness_new (int channels, double rate, const double *weights);
void mm_loudness_free (MmLoudness *l);
/* Whether to measure the true peak (on by default; off, the true-peak fields
 * read 0 and the meter is about three times as fast). */
void mm_loudness_set_true_peak (MmLoudness *l, bool measure);
void mm_loudness_reset (MmLoudness *l);

/* Interleaved frames; NaN and Inf samples count as silence. */
void mm_loudness_add_f32 (MmLoudness *l, const float *frames, size_t n_frames);
void mm_loudness_add_f64 (MmLoudness *l, const double *frames, size_t n_frames);

/* As mm_loudness_add_f32/f64, and frame_energy[i] receives what frame i adds
 * to the loudness: the weighted sum over channels of its K-weighted squares. */
void mm_loudness_add_f32_energies (
    MmLoudness *l, const float *frames, size_t n_frames, float *frame_energy);
void mm_loudness_add_f64_energies (
    MmLoudness *l, const double *frames, size_t n_frames, float *frame_energy);

/* n runs of frames_each frames whose energies (as frame_energy above, summed
 * over the run) are known: the meter integrates them without filtering, each
 * spread evenly over its frames. */
void mm_loudness_add_energies (
    MmLoudness *l, const float *energy, size_t n, size_t frames_each);

/* A true peak measured outside the meter (linear), for a meter whose own
 * detector is off. */
void mm_loudness_add_true_peak (MmLoudness *l, double peak);

/* Levels in LUFS (LU for the range), -INFINITY while there is nothing to
 * measure (less than a window, or nothing over the gates); peaks linear. */
typedef struct
{
  double momentary, short_term; /* at the last 10 ms step */
  /* the largest at any 10 ms step since the previous taking read */
  double momentary_max, short_term_max;
  double integrated, range;
  double true_peak, sample_peak; /* since the start, largest channel */
  double true_peak_recent; /* since the previous taking read */
} MmLoudnessReading;

/* take: start new maxima (momentary_max, short_term_max, true_peak_recent)
 * from here. */
void mm_loudness_read (MmLoudness *l, MmLoudnessReading *out, bool take);
/* Exact gates and percentiles over every block; call at the end of a stream
 * (the detector's last frames are pushed through first). */
void mm_loudness_read_final (MmLoudness *l, MmLoudnessReading *out);

#endif
