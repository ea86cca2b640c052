/* gst-mixmaster
 * Copyright (C) 2026 gst-mixmaster developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "leveler.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kweight.h"

#define MAX_CHANNELS 8
#define MAX_MEMORY_S 60.0
#define HOPS_PER_BLOCK 4 /* 400 ms gating blocks every 100 ms */
#define ABSOLUTE_GATE_LUFS -70.0
#define RELATIVE_GATE_LU 10.0
/* the gain is exact at the ends of these steps and linear in between */
#define GAIN_STEP 64

struct MmLeveler
{
  int channels;
  double rate;
  double weight[MAX_CHANNELS];
  MmKWeighting k_weighting;
  double z[MAX_CHANNELS][4];

  size_t hop, hop_filled;
  double hop_energy;
  double *hops; /* weighted sums of squares of the last hops */
  size_t hops_capacity, hops_pos, hops_done;

  double target, max_gain, max_rate, memory_s;
  size_t lookahead, max_lookahead;
  double aim, gain_db, gain_linear;
  bool holding, started, measured;
  size_t frames_in; /* since the reset, up to the lookahead + 1 */
  size_t step_left; /* frames left in the current gain step */
  double step_increment; /* linear gain per frame within it */

  double *ring; /* the delayed audio */
  size_t ring_capacity, ring_write;
  size_t ring_sample_size;
};

static double
energy_to_lufs (double energy)
{
  return energy > 0.0 ? -0.691 + 10.0 * log10 (energy) : -INFINITY;
}

MmLeveler *
mm_leveler_new (
    int channels, double rate, const double *weights, double max_lookahead_ms)
{
  if (channels < 1 || channels > MAX_CHANNELS || !(rate >= 8000.0) ||
      !(max_lookahead_ms >= 0.0))
    return NULL;
  MmLeveler *l = calloc (1, sizeof (MmLeveler));
  if (!l)
    return NULL;
  l->channels = channels;
  l->rate = rate;
  for (int c = 0; c < channels; c++)
    l->weight[c] = weights ? weights[c] : 1.0;
  mm_k_weighting_design (&l->k_weighting, rate);
  l->hop = (size_t) ((rate + 5.0) / 10.0);
  l->max_lookahead = (size_t) lround (max_lookahead_ms * rate / 1000.0);
  l->hops_capacity = (size_t) ceil (MAX_MEMORY_S * 10.0) +
      l->max_lookahead / l->hop + HOPS_PER_BLOCK + 2;
  l->hops = calloc (l->hops_capacity, sizeof (double));
  l->ring_capacity = l->max_lookahead + 1;
  l->ring = calloc (l->ring_capacity * (size_t) channels, sizeof (double));
  if (!l->hops || !l->ring) {
    mm_leveler_free (l);
    return NULL;
  }
  l->target = -23.0;
  l->max_gain = 20.0;
  l->max_rate = 2.0;
  l->memory_s = 10.0;
  l->lookahead = l->max_lookahead;
  mm_leveler_reset (l);
  return l;
}

void
mm_leveler_free (MmLeveler *l)
{
  if (!l)
    return;
  free (l->hops);
  free (l->ring);
  free (l);
}

void
mm_leveler_reset (MmLeveler *l)
{
  memset (l->z, 0, sizeof (l->z));
  l->hop_filled = 0;
  l->hop_energy = 0.0;
  memset (l->hops, 0, l->hops_capacity * sizeof (double));
  l->hops_pos = l->hops_done = 0;
  l->aim = l->gain_db = 0.0;
  l->gain_linear = 1.0;
  l->holding = true;
  l->started = l->measured = false;
  l->frames_in = 0;
  l->step_left = 0;
  l->step_increment = 0.0;
  memset (
      l->ring, 0, l->ring_capacity * (size_t) l->channels * sizeof (double));
  l->ring_write = 0;
  l->ring_sample_size = 0;
}

void
mm_leveler_set_lookahead (MmLeveler *l, double lookahead_ms)
{
  size_t frames = (size_t) lround (lookahead_ms * l->rate / 1000.0);
  l->lookahead = frames > l->max_lookahead ? l->max_lookahead : frames;
  mm_leveler_reset (l);
}

size_t
mm_leveler_latency_frames (const MmLeveler *l)
{
  return l->lookahead;
}

void
mm_leveler_set_target (MmLeveler *l, double target_lufs)
{
  l->target = target_lufs;
}

void
mm_leveler_set_max_gain (MmLeveler *l, double max_gain_db)
{
  l->max_gain = max_gain_db;
}

void
mm_leveler_set_max_rate (MmLeveler *l, double db_per_second)
{
  l->max_rate = db_per_second > 0.0 ? db_per_second : 0.0;
}

void
mm_leveler_set_memory (MmLeveler *l, double seconds)
{
  l->memory_s =
      seconds < 0.4 ? 0.4 : (seconds > MAX_MEMORY_S ? MAX_MEMORY_S : seconds);
}

double
mm_leveler_gain_db (const MmLeveler *l)
{
  return l->gain_db;
}

bool
mm_leveler_holding (const MmLeveler *l)
{
  return l->holding;
}

static void
set_aim (MmLeveler *l, double loudness)
{
  double aim = l->target - loudness;
  l->aim = aim > l->max_gain ? l->max_gain : aim;
  l->holding = false;
  l->measured = true;
}

/* The mean square of the gating block that ended `back` hops ago. */
static double
block_energy (const MmLeveler *l, size_t back)
{
  double e = 0.0;
  for (size_t h = 0; h < HOPS_PER_BLOCK; h++)
    e += l->hops[(l->hops_pos + l->hops_capacity - 1 - back - h) %
        l->hops_capacity];
  return e / (double) (HOPS_PER_BLOCK * l->hop);
}

/* A hop is complete: the gated loudness of the window ending here (the
 * lookahead's end) sets the aim. */
static void
end_hop (MmLeveler *l)
{
  l->hops[l->hops_pos] = l->hop_energy;
  l->hops_pos = (l->hops_pos + 1) % l->hops_capacity;
  l->hops_done++;
  l->hop_energy = 0.0;
  l->hop_filled = 0;

  size_t window =
      (size_t) lround ((l->memory_s + (double) l->lookahead / l->rate) * 10.0);
  if (window > l->hops_capacity)
    window = l->hops_capacity;
  if (window > l->hops_done)
    window = l->hops_done;
  if (window < HOPS_PER_BLOCK) {
    /* less than a block so far: the mean square of what there is */
    double e = 0.0;
    for (size_t h = 0; h < window; h++)
      e += l->hops[(l->hops_pos + l->hops_capacity - 1 - h) % l->hops_capacity];
    e /= (double) (window * l->hop);
    if (energy_to_lufs (e) >= ABSOLUTE_GATE_LUFS)
      set_aim (l, energy_to_lufs (e));
    else
      l->holding = true;
    return;
  }

  /* the window's block energies (mean squares), gated absolutely and then
   * relatively */
  const double absolute = pow (10.0, (ABSOLUTE_GATE_LUFS + 0.691) / 10.0);
  const size_t blocks = window - HOPS_PER_BLOCK + 1;
  double sum = 0.0, gated_sum = 0.0;
  size_t gated = 0, kept = 0;
  for (size_t b = 0; b < blocks; b++) {
    double e = block_energy (l, b);
    if (e >= absolute) {
      gated_sum += e;
      gated++;
    }
  }
  if (gated == 0) {
    l->holding = true;
    return;
  }
  const double relative =
      gated_sum / (double) gated * pow (10.0, -RELATIVE_GATE_LU / 10.0);
  for (size_t b = 0; b < blocks; b++) {
    double e = block_energy (l, b);
    if (e >= absolute && e >= relative) {
      sum += e;
      kept++;
    }
  }
  set_aim (l, energy_to_lufs (sum / (double) kept));
}

/* The linear gain for the next frame out, moving towards the aim at no more
 * than max_rate: exact at the ends of GAIN_STEP frames, linear in between. */
static inline double
next_gain (MmLeveler *l)
{
  if (!l->started) {
    /* nothing over the gates has left yet (the delay still held its priming
     * silence, or the programme has not begun): start where the programme
     * needs, with all the lookahead measured */
    if (l->frames_in > l->lookahead && l->measured)
      l->started = true;
    l->gain_db = l->aim;
    l->gain_linear = pow (10.0, l->gain_db / 20.0);
    return l->gain_linear;
  }
  if (l->step_left == 0) {
    const double most = l->max_rate * GAIN_STEP / l->rate;
    double next = l->gain_db;
    if (!l->holding) {
      double change = l->aim - l->gain_db;
      change = change > most ? most : (change < -most ? -most : change);
      next += change;
    }
    const double next_linear = pow (10.0, next / 20.0);
    l->step_increment = (next_linear - l->gain_linear) / GAIN_STEP;
    l->gain_db = next;
    l->step_left = GAIN_STEP;
    if (l->step_increment == 0.0) {
      l->gain_linear = next_linear;
    }
  }
  l->step_left--;
  if (l->step_increment != 0.0) {
    l->gain_linear += l->step_increment;
    if (l->step_left == 0)
      l->gain_linear = pow (10.0, l->gain_db / 20.0);
  }
  return l->gain_linear;
}

#define DEFINE_PROCESS(SUFFIX, TYPE)                                           \
  void mm_leveler_process_##SUFFIX (                                           \
      MmLeveler *l, TYPE *frames, size_t n_frames)                             \
  {                                                                            \
    const int channels = l->channels;                                          \
    const size_t delay = l->lookahead;                                         \
    TYPE *ring = (TYPE *) l->ring;                                             \
    if (l->ring_sample_size != sizeof (TYPE)) {                                \
      memset (                                                                 \
          l->ring, 0, l->ring_capacity *(size_t) channels * sizeof (double));  \
      l->ring_sample_size = sizeof (TYPE);                                     \
    }                                                                          \
    for (size_t i = 0; i < n_frames; i++) {                                    \
      TYPE *f = frames + i * (size_t) channels;                                \
      TYPE *slot = ring + l->ring_write * (size_t) channels;                   \
      double energy = 0.0;                                                     \
      for (int c = 0; c < channels; c++) {                                     \
        double x = isfinite (f[c]) ? f[c] : 0.0;                               \
        double y = mm_k_weighting_tick (&l->k_weighting, l->z[c], x);          \
        energy += l->weight[c] * y * y;                                        \
        /* read before write: the slot holds the frame `delay` ago */          \
        TYPE out = delay ? slot[c] : (TYPE) x;                                 \
        slot[c] = (TYPE) x;                                                    \
        f[c] = out;                                                            \
      }                                                                        \
      if (delay && ++l->ring_write == delay)                                   \
        l->ring_write = 0;                                                     \
      if (l->frames_in <= delay)                                               \
        l->frames_in++;                                                        \
      l->hop_energy += energy;                                                 \
      if (++l->hop_filled == l->hop)                                           \
        end_hop (l);                                                           \
      const double gain = next_gain (l);                                       \
      for (int c = 0; c < channels; c++)                                       \
        f[c] = (TYPE) (f[c] * gain);                                           \
    }                                                                          \
  }

DEFINE_PROCESS (f32, float)
DEFINE_PROCESS (f64, double)
