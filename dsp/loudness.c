/* gst-mixmaster
 * Copyright (C) 2026 gst-mixmaster developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "loudness.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kweight.h"
#include "truepeak.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

#define MAX_CHANNELS 8
#define STEPS_PER_HOP 10 /* 10 ms steps in each 100 ms hop */
#define MOMENTARY_STEPS 40 /* 400 ms */
#define SHORT_TERM_STEPS 300 /* 3 s */
#define ABSOLUTE_GATE -70.0
#define BIN_WIDTH 0.01 /* LU */
#define BIN_LOW -70.0
#define BINS 9000 /* -70 .. +20 LUFS */

/* The histogram of gated values: counts and energy sums per 0.01 LU bin, for
 * readings while running; the exact values are kept too, for the final one. */
typedef struct
{
  unsigned *count;
  double *energy;
  double gated_energy; /* of every value over the absolute gate */
  size_t gated_count;
  double *values; /* energies, in order */
  long *next; /* of values in the same bin, -1 at the end */
  long *head; /* per bin: its latest value, -1 when empty */
  size_t n_values, capacity;
} Gated;

struct MmLoudness
{
  int channels;
  double rate;
  double weight[MAX_CHANNELS];
  MmKWeighting k_weighting;
  double state[MAX_CHANNELS][4]; /* shelf z1 z2, high-pass z1 z2 */

  /* the 10 ms steps of each 100 ms hop: their lengths in frames */
  size_t step_length[STEPS_PER_HOP];
  size_t step, step_filled; /* current step in the hop, frames in it */
  double step_energy; /* weighted sum of squares so far in it */
  /* the last SHORT_TERM_STEPS steps: energies and lengths */
  double ring_energy[SHORT_TERM_STEPS];
  size_t ring_length[SHORT_TERM_STEPS];
  size_t ring_pos, steps_done;

  double momentary, short_term, momentary_max, short_term_max;
  Gated blocks; /* 400 ms gating blocks every 100 ms */
  Gated short_terms; /* short-term values every 100 ms, for the range */

  MmTruePeak detector;
  MmTruePeakState *detect;
  float scratch[MM_TRUEPEAK_BLOCK], peaks[MM_TRUEPEAK_BLOCK];
  double true_peak, true_peak_recent, sample_peak;
  bool with_true_peak;
};

static bool
gated_init (Gated *g)
{
  memset (g, 0, sizeof (*g));
  g->count = calloc (BINS, sizeof (unsigned));
  g->energy = calloc (BINS, sizeof (double));
  g->capacity = 1024;
  g->values = malloc (g->capacity * sizeof (double));
  g->next = malloc (g->capacity * sizeof (long));
  g->head = malloc (BINS * sizeof (long));
  return g->count && g->energy && g->values && g->next && g->head;
}

static void
gated_clear (Gated *g)
{
  free (g->count);
  free (g->energy);
  free (g->values);
  free (g->next);
  free (g->head);
}

static void
gated_reset (Gated *g)
{
  memset (g->count, 0, BINS * sizeof (unsigned));
  memset (g->energy, 0, BINS * sizeof (double));
  g->gated_energy = 0.0;
  g->gated_count = 0;
  g->n_values = 0;
  for (long b = 0; b < BINS; b++)
    g->head[b] = -1;
}

static double
energy_to_lufs (double energy)
{
  return energy > 0.0 ? -0.691 + 10.0 * log10 (energy) : -INFINITY;
}

static double
lufs_to_energy (double lufs)
{
  return pow (10.0, (lufs + 0.691) / 10.0);
}

static void
gated_add (Gated *g, double energy)
{
  double lufs = energy_to_lufs (energy);
  if (!(lufs >= ABSOLUTE_GATE))
    return;
  if (g->n_values == g->capacity) {
    double *values = realloc (g->values, 2 * g->capacity * sizeof (double));
    if (values)
      g->values = values;
    long *next = realloc (g->next, 2 * g->capacity * sizeof (long));
    if (next)
      g->next = next;
    if (!values || !next)
      return; /* out of memory: the readings use what they have */
    g->capacity *= 2;
  }
  long bin = lround ((lufs - BIN_LOW) / BIN_WIDTH - 0.5);
  bin = bin < 0 ? 0 : (bin >= BINS ? BINS - 1 : bin);
  g->values[g->n_values] = energy;
  g->next[g->n_values] = g->head[bin];
  g->head[bin] = (long) g->n_values;
  g->n_values++;
  g->count[bin]++;
  g->energy[bin] += energy;
  g->gated_energy += energy;
  g->gated_count++;
}

static long
bin_of (double lufs)
{
  long bin = (long) floor ((lufs - BIN_LOW) / BIN_WIDTH);
  return bin < 0 ? 0 : (bin >= BINS ? BINS : bin);
}

/* Integrated loudness: the power mean of the values over the relative gate
 * (the absolute-gated power mean less 10 LU). */
static double
integrated_from_bins (const Gated *g)
{
  if (g->gated_count == 0)
    return -INFINITY;
  double gate =
      energy_to_lufs (g->gated_energy / (double) g->gated_count) - 10.0;
  /* the bins over the gate, and of the one it falls in the values over it */
  const long first = bin_of (gate);
  const double gate_energy = lufs_to_energy (gate);
  double energy = 0.0, count = 0.0;
  for (long b = first + 1; b < BINS; b++) {
    energy += g->energy[b];
    count += g->count[b];
  }
  for (long i = first < BINS ? g->head[first] : -1; i >= 0; i = g->next[i])
    if (g->values[i] >= gate_energy) {
      energy += g->values[i];
      count += 1.0;
    }
  return count > 0.0 ? energy_to_lufs (energy / count) : -INFINITY;
}

/* The relative gate over the stored values: their power mean less `lu`. */
static double
relative_gate_exact (const Gated *g, double lu)
{
  double mean = 0.0;
  for (size_t i = 0; i < g->n_values; i++)
    mean += g->values[i];
  return lufs_to_energy (energy_to_lufs (mean / (double) g->n_values) - lu);
}

static double
integrated_exact (const Gated *g)
{
  if (g->n_values == 0)
    return -INFINITY;
  double gate = relative_gate_exact (g, 10.0);
  double energy = 0.0;
  size_t count = 0;
  for (size_t i = 0; i < g->n_values; i++)
    if (g->values[i] >= gate) {
      energy += g->values[i];
      count++;
    }
  return count ? energy_to_lufs (energy / (double) count) : -INFINITY;
}

/* Tech 3342: of the short-term values over -70 LUFS and over their power
 * mean less 20 LU, the 95th percentile less the 10th. */
static double
range_from_bins (const Gated *g)
{
  if (g->gated_count == 0)
    return -INFINITY;
  double gate =
      energy_to_lufs (g->gated_energy / (double) g->gated_count) - 20.0;
  long first = bin_of (gate);
  const double gate_energy = lufs_to_energy (gate);
  /* values of the gate's own bin under it are left out of the ranks */
  size_t below = 0;
  for (long i = first < BINS ? g->head[first] : -1; i >= 0; i = g->next[i])
    below += g->values[i] < gate_energy;
  size_t n = 0;
  for (long b = first; b < BINS; b++)
    n += g->count[b];
  n -= below;
  if (n == 0)
    return -INFINITY;
  size_t low_rank = (size_t) ((double) (n - 1) * 0.10 + 0.5);
  size_t high_rank = (size_t) ((double) (n - 1) * 0.95 + 0.5);
  double low = NAN, high = NAN;
  size_t seen = 0;
  for (long b = first; b < BINS; b++) {
    size_t in_bin = g->count[b] - (b == first ? below : 0);
    if (in_bin == 0)
      continue;
    double centre = BIN_LOW + (b + 0.5) * BIN_WIDTH;
    if (isnan (low) && low_rank < seen + in_bin)
      low = centre;
    if (high_rank < seen + in_bin) {
      high = centre;
      break;
    }
    seen += in_bin;
  }
  return high - low;
}

static int
compare_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

static double
range_exact (const Gated *g)
{
  if (g->n_values == 0)
    return -INFINITY;
  double gate = relative_gate_exact (g, 20.0);
  double *kept = malloc (g->n_values * sizeof (double));
  if (!kept)
    return range_from_bins (g);
  size_t n = 0;
  for (size_t i = 0; i < g->n_values; i++)
    if (g->values[i] >= gate)
      kept[n++] = g->values[i];
  if (n == 0) {
    free (kept);
    return -INFINITY;
  }
  qsort (kept, n, sizeof (double), compare_double);
  double low = energy_to_lufs (kept[(size_t) ((double) (n - 1) * 0.10 + 0.5)]);
  double high = energy_to_lufs (kept[(size_t) ((double) (n - 1) * 0.95 + 0.5)]);
  free (kept);
  return high - low;
}

MmLoudness *
mm_loudness_new (int channels, double rate, const double *weights)
{
  if (channels < 1 || channels > MAX_CHANNELS || !(rate >= 8000.0))
    return NULL;
  MmLoudness *l = calloc (1, sizeof (MmLoudness));
  if (!l)
    return NULL;
  l->channels = channels;
  l->rate = rate;
  for (int c = 0; c < channels; c++)
    l->weight[c] = weights ? weights[c] : 1.0;
  mm_k_weighting_design (&l->k_weighting, rate);
  /* 100 ms "to the nearest sample" as libebur128 takes it, in ten steps */
  size_t hop = (size_t) ((rate + 5.0) / 10.0);
  for (int s = 0; s < STEPS_PER_HOP; s++)
    l->step_length[s] =
        (size_t) lround ((double) hop * (s + 1) / STEPS_PER_HOP) -
        (size_t) lround ((double) hop * s / STEPS_PER_HOP);
  mm_true_peak_init (&l->detector, 8, rate);
  l->with_true_peak = true;
  l->detect = calloc ((size_t) channels, sizeof (MmTruePeakState));
  if (!l->detect || !gated_init (&l->blocks) || !gated_init (&l->short_terms)) {
    mm_loudness_free (l);
    return NULL;
  }
  mm_loudness_reset (l);
  return l;
}

void
mm_loudness_set_true_peak (MmLoudness *l, bool measure)
{
  l->with_true_peak = measure;
}

void
mm_loudness_free (MmLoudness *l)
{
  if (!l)
    return;
  gated_clear (&l->blocks);
  gated_clear (&l->short_terms);
  free (l->detect);
  free (l);
}

void
mm_loudness_reset (MmLoudness *l)
{
  memset (l->state, 0, sizeof (l->state));
  l->step = l->step_filled = 0;
  l->step_energy = 0.0;
  memset (l->ring_energy, 0, sizeof (l->ring_energy));
  memset (l->ring_length, 0, sizeof (l->ring_length));
  l->ring_pos = l->steps_done = 0;
  l->momentary = l->short_term = -INFINITY;
  l->momentary_max = l->short_term_max = -INFINITY;
  gated_reset (&l->blocks);
  gated_reset (&l->short_terms);
  for (int c = 0; c < l->channels; c++)
    mm_true_peak_reset_state (&l->detect[c]);
  l->true_peak = l->true_peak_recent = l->sample_peak = 0.0;
}

/* Mean square over the last `steps` steps: the ring's two runs, without a
 * division per step. */
static double
window_energy (const MmLoudness *l, size_t steps)
{
  double energy = 0.0;
  size_t frames = 0;
  size_t end = l->ring_pos; /* one past the newest */
  size_t first = end >= steps ? end - steps : 0;
  for (size_t i = first; i < end; i++) {
    energy += l->ring_energy[i];
    frames += l->ring_length[i];
  }
  for (size_t i = SHORT_TERM_STEPS - (steps - (end - first));
       i < SHORT_TERM_STEPS; i++) {
    energy += l->ring_energy[i];
    frames += l->ring_length[i];
  }
  return frames ? energy / (double) frames : 0.0;
}

/* A 10 ms step is complete: update momentary and short-term, and at the end
 * of a hop the gating block and the short-term value for the range. */
static void
end_step (MmLoudness *l)
{
  l->ring_energy[l->ring_pos] = l->step_energy;
  l->ring_length[l->ring_pos] = l->step_filled;
  l->ring_pos = (l->ring_pos + 1) % SHORT_TERM_STEPS;
  l->steps_done++;
  l->step_energy = 0.0;
  l->step_filled = 0;

  if (l->steps_done >= MOMENTARY_STEPS) {
    double m = window_energy (l, MOMENTARY_STEPS);
    l->momentary = energy_to_lufs (m);
    l->momentary_max = fmax (l->momentary_max, l->momentary);
    if (l->step == STEPS_PER_HOP - 1)
      gated_add (&l->blocks, m);
  }
  if (l->steps_done >= SHORT_TERM_STEPS) {
    double s = window_energy (l, SHORT_TERM_STEPS);
    l->short_term = energy_to_lufs (s);
    l->short_term_max = fmax (l->short_term_max, l->short_term);
    if (l->step == STEPS_PER_HOP - 1)
      gated_add (&l->short_terms, s);
  }
  l->step = (l->step + 1) % STEPS_PER_HOP;
}

/* One implementation for both sample formats. */
#define DEFINE_ADD(SUFFIX, TYPE)                                               \
  static void add_##SUFFIX (                                                   \
      MmLoudness *l, const TYPE *frames, size_t n_frames, float *frame_energy) \
  {                                                                            \
    const int channels = l->channels;                                          \
    for (size_t done = 0; done < n_frames;) {                                  \
      /* up to the end of the current step, and of a detector block */         \
      size_t n = l->step_length[l->step] - l->step_filled;                     \
      n = n < n_frames - done ? n : n_frames - done;                           \
      n = n < MM_TRUEPEAK_BLOCK ? n : MM_TRUEPEAK_BLOCK;                       \
      const TYPE *f = frames + done * (size_t) channels;                       \
      double energy = 0.0, peak = l->sample_peak;                              \
      float *fe = frame_energy ? frame_energy + done : NULL;                   \
      if (fe)                                                                  \
        memset (fe, 0, n * sizeof (float));                                    \
      /* two channels at a time: their filters' chains interleave */           \
      int c = 0;                                                               \
      for (; c + 1 < channels; c += 2) {                                       \
        /* locals, so that nothing in the loop goes through memory */          \
        const MmKWeighting k = l->k_weighting;                                 \
        const double wa = l->weight[c], wb = l->weight[c + 1];                 \
        double za[4], zb[4];                                                   \
        memcpy (za, l->state[c], sizeof (za));                                 \
        memcpy (zb, l->state[c + 1], sizeof (zb));                             \
        double sa = 0.0, sb = 0.0;                                             \
        for (size_t i = 0; i < n; i++) {                                       \
          double a = f[i * channels + c], b = f[i * channels + c + 1];         \
          a = isfinite (a) ? a : 0.0;                                          \
          b = isfinite (b) ? b : 0.0;                                          \
          peak = fabs (a) > peak ? fabs (a) : peak;                            \
          peak = fabs (b) > peak ? fabs (b) : peak;                            \
          double ya = mm_k_weighting_tick (&k, za, a);                         \
          double yb = mm_k_weighting_tick (&k, zb, b);                         \
          sa += ya * ya;                                                       \
          sb += yb * yb;                                                       \
          if (fe)                                                              \
            fe[i] += (float) (wa * ya * ya + wb * yb * yb);                    \
        }                                                                      \
        memcpy (l->state[c], za, sizeof (za));                                 \
        memcpy (l->state[c + 1], zb, sizeof (zb));                             \
        energy += wa * sa + wb * sb;                                           \
      }                                                                        \
      for (; c < channels; c++) {                                              \
        double *z = l->state[c], sum = 0.0;                                    \
        for (size_t i = 0; i < n; i++) {                                       \
          double x = f[i * channels + c];                                      \
          x = isfinite (x) ? x : 0.0;                                          \
          peak = fabs (x) > peak ? fabs (x) : peak;                            \
          double y = mm_k_weighting_tick (&l->k_weighting, z, x);              \
          sum += y * y;                                                        \
          if (fe)                                                              \
            fe[i] += (float) (l->weight[c] * y * y);                           \
        }                                                                      \
        energy += l->weight[c] * sum;                                          \
      }                                                                        \
      l->sample_peak = peak;                                                   \
      for (c = 0; c < channels && l->with_true_peak; c++) {                    \
        for (size_t i = 0; i < n; i++) {                                       \
          double x = f[i * channels + c];                                      \
          l->scratch[i] = isfinite (x) ? (float) x : 0.0f;                     \
        }                                                                      \
        mm_true_peak_process (                                                 \
            &l->detector, &l->detect[c], l->scratch, l->peaks, n);             \
        float top = 0.0f;                                                      \
        for (size_t i = 0; i < n; i++)                                         \
          top = l->peaks[i] > top ? l->peaks[i] : top;                         \
        l->true_peak = fmax (l->true_peak, top);                               \
        l->true_peak_recent = fmax (l->true_peak_recent, top);                 \
      }                                                                        \
      l->step_energy += energy;                                                \
      l->step_filled += n;                                                     \
      if (l->step_filled == l->step_length[l->step])                           \
        end_step (l);                                                          \
      done += n;                                                               \
    }                                                                          \
  }                                                                            \
                                                                               \
  void mm_loudness_add_##SUFFIX (                                              \
      MmLoudness *l, const TYPE *frames, size_t n_frames)                      \
  {                                                                            \
    add_##SUFFIX (l, frames, n_frames, NULL);                                  \
  }                                                                            \
                                                                               \
  void mm_loudness_add_##SUFFIX##_energies (                                   \
      MmLoudness *l, const TYPE *frames, size_t n_frames, float *frame_energy) \
  {                                                                            \
    add_##SUFFIX (l, frames, n_frames, frame_energy);                          \
  }

DEFINE_ADD (f32, float)
DEFINE_ADD (f64, double)

void
mm_loudness_add_energies (
    MmLoudness *l, const float *energy, size_t n, size_t frames_each)
{
  for (size_t k = 0; k < n; k++) {
    /* spread evenly over the steps the run of frames falls in */
    const double per_frame = (double) energy[k] / (double) frames_each;
    for (size_t left = frames_each; left > 0;) {
      size_t take = l->step_length[l->step] - l->step_filled;
      take = take < left ? take : left;
      l->step_energy += per_frame * (double) take;
      l->step_filled += take;
      left -= take;
      if (l->step_filled == l->step_length[l->step])
        end_step (l);
    }
  }
}

void
mm_loudness_add_true_peak (MmLoudness *l, double peak)
{
  l->true_peak = fmax (l->true_peak, peak);
  l->true_peak_recent = fmax (l->true_peak_recent, peak);
}

static void
read_common (MmLoudness *l, MmLoudnessReading *out)
{
  out->momentary = l->momentary;
  out->short_term = l->short_term;
  out->momentary_max = l->momentary_max;
  out->short_term_max = l->short_term_max;
  out->true_peak = l->true_peak;
  out->sample_peak = l->sample_peak;
  out->true_peak_recent = l->true_peak_recent;
}

void
mm_loudness_read (MmLoudness *l, MmLoudnessReading *out, bool take)
{
  read_common (l, out);
  out->integrated = integrated_from_bins (&l->blocks);
  out->range = range_from_bins (&l->short_terms);
  if (take) {
    l->momentary_max = l->short_term_max = -INFINITY;
    l->true_peak_recent = 0.0;
  }
}

void
mm_loudness_read_final (MmLoudness *l, MmLoudnessReading *out)
{
  /* the detector still holds its last frames */
  float zeros[MM_TRUEPEAK_BLOCK] = { 0 };
  for (int c = 0; c < l->channels && l->with_true_peak; c++) {
    mm_true_peak_process (&l->detector, &l->detect[c], zeros, l->peaks,
        (size_t) l->detector.delay + 1);
    for (int i = 0; i <= l->detector.delay; i++) {
      l->true_peak = fmax (l->true_peak, l->peaks[i]);
      l->true_peak_recent = fmax (l->true_peak_recent, l->peaks[i]);
    }
  }
  read_common (l, out);
  out->integrated = integrated_exact (&l->blocks);
  out->range = range_exact (&l->short_terms);
}
