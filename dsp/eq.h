/* gst-mixmaster
 * Copyright (C) 2026 gst-mixmaster developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#ifndef MM_EQ_H
#define MM_EQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "eqdesign.h"
#include "ramp.h"

/* A parametric EQ of up to 32 bands in series, each on all channels, on the mid or
 * the side of a stereo pair, or on one channel.
 *
 * Settings glide: a change of frequency, gain or Q moves the band's parameters
 * along a straight line (log frequency, dB, log Q) over the glide time; the
 * band is redesigned every control_frames frames and its SVF coefficients are
 * interpolated sample by sample in between. A change of type, slope or enabled
 * state crossfades the coefficients from the old design to the new. A change of
 * the channel routing applies at once. mm_eq_snap() makes every setting take
 * effect immediately. Processing is in place on interleaved frames and
 * allocates nothing. */

#define MM_EQ_MAX_BANDS 32
#define MM_EQ_MAX_CHANNELS 8
#define MM_EQ_MAX_CONTROL_FRAMES 64

typedef enum
{
  MM_EQ_ROUTE_ALL,
  MM_EQ_ROUTE_MID,
  MM_EQ_ROUTE_SIDE,
  MM_EQ_ROUTE_LEFT,
  MM_EQ_ROUTE_RIGHT,
} MmEqRoute;

typedef struct
{
  MmEqShape shape;
  MmEqRoute route;
  bool enabled;
} MmEqBandSettings;

typedef struct
{
  MmEqBandSettings target;
  MmEqRoute route; /* in effect */

  /* the shape being designed, gliding towards target.shape */
  MmEqShape shape;
  double log_freq_step, gain_step, log_q_step;
  uint32_t glide_left;

  /* crossfade from a frozen design after a type, slope or enable change */
  MmEqDesign morph_from;
  double morph, morph_step;

  MmEqDesign from, to; /* coefficients at the ends of the current block */
  MmSvfCoefs coefs[MM_EQ_MAX_SECTIONS];
  MmSvfStateSpace state_space[MM_EQ_MAX_SECTIONS];
  bool active;
  bool steady; /* from == to, coefs and steady are current */
  MmSvfState state[MM_EQ_MAX_CHANNELS][MM_EQ_MAX_SECTIONS];
} MmEqBand;

typedef struct
{
  double rate;
  int channels;
  uint32_t glide_frames;
  uint32_t control_frames;
  MmEqBand bands[MM_EQ_MAX_BANDS];
  MmRamp output_gain; /* linear */
  double planar[MM_EQ_MAX_CHANNELS][MM_EQ_MAX_CONTROL_FRAMES];
  double gain_values[MM_EQ_MAX_CONTROL_FRAMES];
} MmEq;

/* control_frames (1..64) sets how often gliding bands are redesigned. */
void mm_eq_init (MmEq *eq, double rate, int channels, double glide_ms,
    uint32_t control_frames);
void mm_eq_set_band (MmEq *eq, int index, const MmEqBandSettings *settings);
/* The same with its own glide length: a controller that knows the next value
 * glides to it over exactly the frames until then. */
void mm_eq_set_band_glide (MmEq *eq, int index,
    const MmEqBandSettings *settings, uint32_t glide_frames);
void mm_eq_set_output_gain_db (MmEq *eq, double gain_db);
void mm_eq_snap (MmEq *eq);
/* Forgets the signal history (flush, discontinuity) and snaps the settings. */
void mm_eq_reset (MmEq *eq);
/* True when processing leaves finite samples bit-identical. */
bool mm_eq_is_identity (const MmEq *eq);

void mm_eq_process_f32 (MmEq *eq, float *frames, size_t n_frames);
void mm_eq_process_f64 (MmEq *eq, double *frames, size_t n_frames);

#endif
