/* gst-mixmaster
 * Copyright (C) 2026 gst-mixmaster developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "limiter.h"

#include <math.h>

/* The running sum is recomputed this often, so rounding cannot accumulate. */
#define RESUM_FRAMES 65536

void
mm_limiter_gain_init (MmLimiterGain *lg, size_t length, double *storage_values,
    uint64_t *storage_frames)
{
  lg->length = length < 1 ? 1 : length;
  lg->deque_value = storage_values;
  lg->ring = storage_values + lg->length;
  lg->deque_frame = storage_frames;
  lg->ceiling = 1.0;
  lg->release = 1.0;
  mm_limiter_gain_reset (lg);
}

void
mm_limiter_gain_set_ceiling (MmLimiterGain *lg, double ceiling_linear)
{
  lg->ceiling = ceiling_linear;
}

void
mm_limiter_gain_set_release (MmLimiterGain *lg, double rate, double release_ms)
{
  double frames = release_ms * rate / 1000.0;
  lg->release = frames > 0.0 ? pow (10.0, 1.0 / frames) : INFINITY;
}

void
mm_limiter_gain_reset (MmLimiterGain *lg)
{
  lg->deque_head = 0;
  lg->deque_count = 0;
  lg->frame = 0;
  lg->released = 1.0;
  for (size_t i = 0; i < lg->length; i++)
    lg->ring[i] = 1.0;
  lg->ring_pos = 0;
  lg->sum = (double) lg->length;
  lg->below_one = 0;
  lg->since_resum = 0;
}

double
mm_limiter_gain_tick (MmLimiterGain *lg, double peak)
{
  const size_t length = lg->length;
  double need = peak > lg->ceiling ? lg->ceiling / peak : 1.0;

  /* sliding minimum over frames [frame - length + 1, frame]: first drop the
   * frame that left the window from the front (so at most `length` entries
   * are ever kept), then larger values from the back */
  if (lg->deque_count > 0 &&
      lg->frame - lg->deque_frame[lg->deque_head] >= length) {
    lg->deque_head = (lg->deque_head + 1) % length;
    lg->deque_count--;
  }
  while (lg->deque_count > 0) {
    size_t back = (lg->deque_head + lg->deque_count - 1) % length;
    if (lg->deque_value[back] < need)
      break;
    lg->deque_count--;
  }
  size_t slot = (lg->deque_head + lg->deque_count) % length;
  lg->deque_value[slot] = need;
  lg->deque_frame[slot] = lg->frame;
  lg->deque_count++;
  double window_min = lg->deque_value[lg->deque_head];
  lg->frame++;

  /* release: rise at most by the release factor per frame */
  double released = lg->released * lg->release;
  if (released > window_min)
    released = window_min;
  lg->released = released;

  /* boxcar of the same length */
  double leaving = lg->ring[lg->ring_pos];
  lg->below_one += (released < 1.0) - (leaving < 1.0);
  lg->sum += released - leaving;
  lg->ring[lg->ring_pos] = released;
  if (++lg->ring_pos == length)
    lg->ring_pos = 0;
  if (lg->below_one == 0) {
    /* all ones: exactly transparent again, whatever rounding the sum had */
    lg->sum = (double) length;
    lg->since_resum = 0;
  } else if (++lg->since_resum >= RESUM_FRAMES) {
    lg->sum = 0.0;
    for (size_t i = 0; i < length; i++)
      lg->sum += lg->ring[i];
    lg->since_resum = 0;
  }
  double gain = lg->sum / (double) length;
  /* The mean is at most the frame's need, but its rounding is not: bound it by
   * the oldest value in the box (m' of the frame itself), which is exact. */
  double oldest = lg->ring[lg->ring_pos];
  if (gain > oldest)
    gain = oldest;
  return gain;
}

size_t
mm_limiter_delay_frames (int factor, size_t length)
{
  MmTruePeak tp;
  mm_true_peak_init (&tp, factor, MM_TRUEPEAK_MAX_HALF_TAPS);
  return (size_t) mm_true_peak_delay (&tp) + (length ? length - 1 : 0);
}

void
mm_limiter_init (MmLimiter *l, int channels, int factor, size_t length,
    double *gain_values, uint64_t *gain_frames, double *delay_storage)
{
  size_t delay = mm_limiter_delay_frames (factor, length);
  l->channels = channels < 1
      ? 1
      : (channels > MM_LIMITER_MAX_CHANNELS ? MM_LIMITER_MAX_CHANNELS
                                            : channels);
  l->input_gain = 1.0;
  mm_true_peak_init (&l->detector, factor, MM_TRUEPEAK_MAX_HALF_TAPS);
  mm_limiter_gain_init (&l->gain, length, gain_values, gain_frames);
  mm_delay_init (&l->delay, delay_storage, l->channels, delay, delay);
  mm_limiter_reset (l);
}

void
mm_limiter_set_ceiling_db (MmLimiter *l, double ceiling_db)
{
  mm_limiter_gain_set_ceiling (
      &l->gain, pow (10.0, (ceiling_db - MM_LIMITER_MARGIN_DB) / 20.0));
}

void
mm_limiter_set_input_gain_db (MmLimiter *l, double gain_db)
{
  l->input_gain = pow (10.0, gain_db / 20.0);
}

void
mm_limiter_set_release (MmLimiter *l, double rate, double release_ms)
{
  mm_limiter_gain_set_release (&l->gain, rate, release_ms);
}

void
mm_limiter_reset (MmLimiter *l)
{
  for (int c = 0; c < MM_LIMITER_MAX_CHANNELS; c++)
    mm_true_peak_reset_state (&l->detect_state[c]);
  mm_limiter_gain_reset (&l->gain);
  mm_delay_reset (&l->delay);
}

void
mm_limiter_process_f64 (MmLimiter *l, double *frames, size_t n_frames)
{
  const int channels = l->channels;
  for (size_t i = 0; i < n_frames; i++) {
    double *f = frames + i * channels;
    double in[MM_LIMITER_MAX_CHANNELS], out[MM_LIMITER_MAX_CHANNELS];
    double loudest = 0.0;
    for (int c = 0; c < channels; c++) {
      in[c] = isfinite (f[c]) ? f[c] * l->input_gain : 0.0;
      loudest = fmax (loudest,
          mm_true_peak_tick (&l->detector, &l->detect_state[c], in[c]));
    }
    double g = mm_limiter_gain_tick (&l->gain, loudest);
    mm_delay_tick (&l->delay, in, out);
    for (int c = 0; c < channels; c++)
      f[c] = out[c] * g;
  }
}
