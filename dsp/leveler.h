/* gst-mixmaster
 * Copyright (C) 2026 gst-mixmaster developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#ifndef MM_LEVELER_H
#define MM_LEVELER_H

#include <stdbool.h>
#include <stddef.h>

/* The live loudness leveler: one gain for the whole programme that brings
 * its loudness to a target, moving slowly and never faster than a set rate.
 *
 * The audio is delayed by the lookahead. Every 100 ms the leveler measures
 * the gated loudness (BS.1770 blocks, -70 LUFS and -10 LU gates) of a window
 * that reaches `memory` seconds into the past and the whole lookahead into
 * the future of the frame leaving the delay, and aims the gain at target
 * minus that loudness (at most max_gain). The gain then moves towards the aim
 * at no more than max_rate dB per second. While the window holds nothing over
 * the gates (a pause, silence) the gain holds: nothing ramps up after a
 * pause, and a quiet start does not bring a burst of boost. A window long
 * against syllables and notes (the default memory is 10 s) follows the
 * programme, not its phrases. */

typedef struct MmLeveler MmLeveler;

/* weights: per channel as for MmLoudness (NULL: 1.0 each). max_lookahead_ms:
 * what set_lookahead may ask for later. NULL when out of memory or given 0 or
 * more than 8 channels or a rate under 8 kHz. */
MmLeveler *mm_leveler_new (
    int channels, double rate, const double *weights, double max_lookahead_ms);
void mm_leveler_free (MmLeveler *l);
/* Resets the state, as does a new lookahead. */
void mm_leveler_reset (MmLeveler *l);
void mm_leveler_set_lookahead (MmLeveler *l, double lookahead_ms);
size_t mm_leveler_latency_frames (const MmLeveler *l);

void mm_leveler_set_target (MmLeveler *l, double target_lufs);
void mm_leveler_set_max_gain (MmLeveler *l, double max_gain_db);
void mm_leveler_set_max_rate (MmLeveler *l, double db_per_second);
void mm_leveler_set_memory (MmLeveler *l, double seconds);

/* In place, interleaved: the output is the input delayed by the latency,
 * times the gain. NaN and Inf input samples come out as 0. */
void mm_leveler_process_f32 (MmLeveler *l, float *frames, size_t n_frames);
void mm_leveler_process_f64 (MmLeveler *l, double *frames, size_t n_frames);

/* The gain applied to the last frame out (dB), and whether it is holding. */
double mm_leveler_gain_db (const MmLeveler *l);
bool mm_leveler_holding (const MmLeveler *l);

#endif
