/* gst-mixmaster
 * Copyright (C) 2026 gst-mixmaster developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "blocklimiter.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "limiter.h"

#define MAX_CHANNELS 8
/* completed energies waiting for their peaks: a call's frames are added
 * before its peaks, which trail by the detector's delay (blocks of one frame
 * at most) */
#define PENDING (MM_TRUEPEAK_BLOCK + MM_TRUEPEAK_MAX_DELAY + 2)
/* Float needs come from a ceiling this much lower, so that neither the
 * ceiling's rounding nor the division's can round a need up. */
#define NEED_ROUNDING (1.0 - 0x1p-22)
/* blocks per pass of the core */
#define CORE_CHUNK 256

struct MmBlockProfiler
{
  int channels;
  size_t block_frames;
  MmTruePeak detector;
  MmTruePeakState *detect; /* [channels] */
  size_t peaks_to_skip; /* the detector's first reports precede the start */

  double energy_sum; /* of the block being filled */
  size_t energy_fill;
  float peak_max;
  size_t peak_fill;
  float pending[PENDING]; /* energies of blocks whose peaks are due */
  size_t pending_head, pending_count;
  double peak_taken;

  float scratch[MM_TRUEPEAK_BLOCK];
  float channel_peak[MM_TRUEPEAK_BLOCK];
  float linked[MM_TRUEPEAK_BLOCK];
};

MmBlockProfiler *
mm_block_profiler_new (int channels, double rate, size_t block_frames)
{
  if (channels < 1 || channels > MAX_CHANNELS || block_frames == 0 ||
      !(rate >= 8000.0))
    return NULL;
  MmBlockProfiler *p = calloc (1, sizeof (MmBlockProfiler));
  if (!p)
    return NULL;
  p->channels = channels;
  p->block_frames = block_frames;
  mm_true_peak_init (&p->detector, 8, rate);
  p->detect = calloc ((size_t) channels, sizeof (MmTruePeakState));
  if (!p->detect) {
    free (p);
    return NULL;
  }
  mm_block_profiler_reset (p);
  return p;
}

void
mm_block_profiler_free (MmBlockProfiler *p)
{
  if (!p)
    return;
  free (p->detect);
  free (p);
}

void
mm_block_profiler_reset (MmBlockProfiler *p)
{
  for (int c = 0; c < p->channels; c++)
    mm_true_peak_reset_state (&p->detect[c]);
  p->peaks_to_skip = (size_t) p->detector.delay;
  p->energy_sum = 0.0;
  p->energy_fill = 0;
  p->peak_max = 0.0f;
  p->peak_fill = 0;
  p->pending_head = p->pending_count = 0;
  p->peak_taken = 0.0;
}

static void
add_energies (MmBlockProfiler *p, const float *frame_energy, size_t n)
{
  for (size_t i = 0; i < n; i++) {
    p->energy_sum += frame_energy[i];
    if (++p->energy_fill == p->block_frames) {
      /* cannot overflow: the peaks trail by less than PENDING frames */
      p->pending[(p->pending_head + p->pending_count) % PENDING] =
          (float) p->energy_sum;
      p->pending_count++;
      p->energy_sum = 0.0;
      p->energy_fill = 0;
    }
  }
}

/* Linked peaks of consecutive frames; returns the blocks completed. */
static size_t
add_peaks (MmBlockProfiler *p, const float *linked, size_t n, float *peak,
    float *energy)
{
  size_t blocks = 0;
  for (size_t i = 0; i < n; i++) {
    p->peak_max = linked[i] > p->peak_max ? linked[i] : p->peak_max;
    if (++p->peak_fill == p->block_frames) {
      peak[blocks] = p->peak_max;
      energy[blocks] = p->pending[p->pending_head];
      p->pending_head = (p->pending_head + 1) % PENDING;
      p->pending_count--;
      blocks++;
      p->peak_max = 0.0f;
      p->peak_fill = 0;
    }
  }
  return blocks;
}

/* The detector over n frames, the largest channel per frame into linked. */
static void
detect (MmBlockProfiler *p, size_t n, const float *const *channel_input)
{
  for (int c = 0; c < p->channels; c++) {
    mm_true_peak_process (
        &p->detector, &p->detect[c], channel_input[c], p->channel_peak, n);
    if (c == 0)
      memcpy (p->linked, p->channel_peak, n * sizeof (float));
    else
      for (size_t i = 0; i < n; i++)
        p->linked[i] = p->channel_peak[i] > p->linked[i] ? p->channel_peak[i]
                                                         : p->linked[i];
  }
  float top = 0.0f;
  for (size_t i = 0; i < n; i++)
    top = p->linked[i] > top ? p->linked[i] : top;
  p->peak_taken = fmax (p->peak_taken, top);
}

#define DEFINE_PROFILER_ADD(SUFFIX, TYPE)                                      \
  size_t mm_block_profiler_add_##SUFFIX (MmBlockProfiler *p,                   \
      const TYPE *frames, const float *frame_energy, size_t n, float *peak,    \
      float *energy)                                                           \
  {                                                                            \
    const int channels = p->channels;                                          \
    float in[MAX_CHANNELS][MM_TRUEPEAK_BLOCK];                                 \
    const float *channel_input[MAX_CHANNELS];                                  \
    if (n == 0)                                                                \
      return 0;                                                                \
    for (int c = 0; c < channels; c++) {                                       \
      for (size_t i = 0; i < n; i++) {                                         \
        TYPE x = frames[i * (size_t) channels + (size_t) c];                   \
        in[c][i] = isfinite (x) ? (float) x : 0.0f;                            \
      }                                                                        \
      channel_input[c] = in[c];                                                \
    }                                                                          \
    add_energies (p, frame_energy, n);                                         \
    detect (p, n, channel_input);                                              \
    size_t skip = p->peaks_to_skip < n ? p->peaks_to_skip : n;                 \
    p->peaks_to_skip -= skip;                                                  \
    return add_peaks (p, p->linked + skip, n - skip, peak, energy);            \
  }

DEFINE_PROFILER_ADD (f32, float)
DEFINE_PROFILER_ADD (f64, double)

size_t
mm_block_profiler_finish (MmBlockProfiler *p, float *peak, float *energy)
{
  static const float zeros[MM_TRUEPEAK_BLOCK];
  const float *channel_input[MAX_CHANNELS];
  size_t blocks = 0;

  /* the detector's last frames, pushed out by silence after the end */
  for (int c = 0; c < p->channels; c++)
    channel_input[c] = zeros;
  size_t due = (size_t) p->detector.delay;
  if (p->peaks_to_skip > 0) {
    /* shorter than the delay: only part of what comes out is programme */
    size_t programme = due - p->peaks_to_skip;
    detect (p, due, channel_input);
    blocks =
        add_peaks (p, p->linked + p->peaks_to_skip, programme, peak, energy);
    p->peaks_to_skip = 0;
  } else if (due > 0) {
    detect (p, due, channel_input);
    blocks = add_peaks (p, p->linked, due, peak, energy);
  }
  if (p->energy_fill > 0) {
    peak[blocks] = p->peak_max;
    energy[blocks] = (float) p->energy_sum;
    blocks++;
    p->energy_sum = 0.0;
    p->energy_fill = 0;
    p->peak_max = 0.0f;
    p->peak_fill = 0;
  }
  return blocks;
}

double
mm_block_profiler_take_peak (MmBlockProfiler *p)
{
  double peak = p->peak_taken;
  p->peak_taken = 0.0;
  return peak;
}

/* ---- the limiter ---- */

struct MmBlockLimiter
{
  size_t block_frames, delay;
  MmLimiterGain core;
  double *storage;
  double input_gain, ceiling; /* linear; the ceiling with the margin */
  float previous_peak;
};

MmBlockLimiter *
mm_block_limiter_new (size_t block_frames, size_t lookahead_frames)
{
  if (block_frames == 0)
    return NULL;
  MmBlockLimiter *bl = calloc (1, sizeof (MmBlockLimiter));
  if (!bl)
    return NULL;
  bl->block_frames = block_frames;
  bl->delay = (lookahead_frames + block_frames - 1) / block_frames;
  if (bl->delay < 1)
    bl->delay = 1;
  /* a core of delay + 1 values delays by delay, as masterlimiter's */
  bl->storage = calloc (3 * (bl->delay + 1), sizeof (double));
  if (!bl->storage) {
    free (bl);
    return NULL;
  }
  mm_limiter_gain_init (&bl->core, bl->delay + 1, bl->storage);
  bl->input_gain = bl->ceiling = 1.0;
  return bl;
}

void
mm_block_limiter_free (MmBlockLimiter *bl)
{
  if (!bl)
    return;
  free (bl->storage);
  free (bl);
}

void
mm_block_limiter_start (MmBlockLimiter *bl, double rate, double gain_db,
    double ceiling_db, double release_ms, bool automatic)
{
  bl->input_gain = pow (10.0, gain_db / 20.0);
  bl->ceiling =
      pow (10.0, (ceiling_db - MM_LIMITER_TRUE_PEAK_MARGIN_DB) / 20.0) *
      NEED_ROUNDING;
  mm_limiter_gain_set_release (
      &bl->core, rate / (double) bl->block_frames, release_ms, automatic);
  mm_limiter_gain_reset (&bl->core);
  bl->previous_peak = 0.0f;
}

size_t
mm_block_limiter_delay_blocks (const MmBlockLimiter *bl)
{
  return bl->delay;
}

double
mm_block_limiter_run (
    MmBlockLimiter *bl, const float *peak, double *gain, size_t n)
{
  float need[CORE_CHUNK];
  double lowest = 1.0;

  for (size_t done = 0; done < n;) {
    size_t m = n - done < CORE_CHUNK ? n - done : CORE_CHUNK;
    for (size_t i = 0; i < m; i++) {
      const float p = peak[done + i];
      const double level =
          bl->input_gain * (p > bl->previous_peak ? p : bl->previous_peak);
      bl->previous_peak = p;
      float r = 1.0f;
      if (level > bl->ceiling) {
        const double exact = bl->ceiling / level;
        r = (float) exact;
        if (r > exact)
          r = nextafterf (r, 0.0f);
      }
      need[i] = r;
    }
    double low = mm_limiter_gain_run (&bl->core, need, gain + done, m);
    lowest = low < lowest ? low : lowest;
    done += m;
  }
  return lowest;
}

#define DEFINE_APPLY(SUFFIX, TYPE)                                             \
  void mm_block_limiter_apply_##SUFFIX (TYPE *frames, int channels,            \
      size_t block_frames, size_t offset, size_t n_frames, const double *gain, \
      double input_gain)                                                       \
  {                                                                            \
    const size_t ch = (size_t) channels;                                       \
    const double step_scale = 1.0 / (double) block_frames;                     \
    for (size_t done = 0, k = 0; done < n_frames; k++, offset = 0) {           \
      const double a = input_gain * gain[k], b = input_gain * gain[k + 1];     \
      const double step = (b - a) * step_scale;                                \
      size_t m = block_frames - offset;                                        \
      m = m < n_frames - done ? m : n_frames - done;                           \
      TYPE *f = frames + done * ch;                                            \
      if (step == 0.0) {                                                       \
        for (size_t i = 0; i < m * ch; i++)                                    \
          f[i] = (TYPE) (f[i] * a);                                            \
      } else {                                                                 \
        for (size_t j = 0; j < m; j++) {                                       \
          const double g = a + step * (double) (offset + j);                   \
          for (size_t c = 0; c < ch; c++)                                      \
            f[j * ch + c] = (TYPE) (f[j * ch + c] * g);                        \
        }                                                                      \
      }                                                                        \
      done += m;                                                               \
    }                                                                          \
  }

DEFINE_APPLY (f32, float)
DEFINE_APPLY (f64, double)
