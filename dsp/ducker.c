/* gst-mixmaster
 * Copyright (C) 2026 gst-mixmaster developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "ducker.h"

#include <math.h>
#include <string.h>

#include "fastmath.h"

/* the detector's mean-square window: a syllable's level, not its cycles */
#define KEY_RMS_MS 10.0
#define BUTTERWORTH_Q 0.70710678118654752440
/* +300 dBFS: the largest key sample whose square (and that of the filters'
 * overshoot) still fits a float */
#define KEY_MAX 1e15f

static double
clamp_frequency (double rate, double hz)
{
  return hz < 0.49 * rate ? hz : 0.49 * rate;
}

static void
design_detector (MmDucker *d)
{
  double highpass =
      d->highpass_hz > 0.0 ? clamp_frequency (d->rate, d->highpass_hz) : 0.0;
  mm_detector_init (&d->detector, d->rate, MM_DETECT_RMS, KEY_RMS_MS, highpass);
  d->lowpass = d->lowpass_hz > 0.0;
  if (d->lowpass)
    mm_svf_design (&d->lowpass_coefs, d->rate,
        clamp_frequency (d->rate, d->lowpass_hz), BUTTERWORTH_Q);
}

void
mm_ducker_init (MmDucker *d, double rate)
{
  memset (d, 0, sizeof (*d));
  d->rate = rate;
  mm_ducker_set_curve (d, -30.0, 8.0, 6.0, 12.0);
  mm_ducker_set_times (d, 20.0, 150.0, 400.0);
  mm_ducker_set_key_filter (d, 0.0, 0.0);
  mm_ducker_reset (d);
}

void
mm_ducker_set_curve (MmDucker *d, double threshold_db, double ratio,
    double knee_db, double depth_db)
{
  d->threshold = threshold_db;
  d->ratio = ratio;
  d->knee = knee_db;
  d->depth = depth_db < 0.0 ? 0.0 : depth_db;
  mm_gain_curve_init (&d->curve, threshold_db, ratio, knee_db);
  d->floor_db = (float) -d->depth;
  d->floor_gain = (float) pow (10.0, -d->depth / 20.0);
  /* the key power from which on the curve asks for at least the depth:
   * the level where it crosses -depth (it falls steadily), found by
   * bisection, plus a margin for the fast logarithm */
  if (d->depth <= 0.0) {
    d->floor_power = 0.0f;
  } else if (d->curve.ratio <= 1.0f) {
    d->floor_power = INFINITY;
  } else {
    double low = threshold_db - 0.5 * d->curve.knee;
    double high = threshold_db + 0.5 * d->curve.knee +
        d->depth * d->curve.ratio / (d->curve.ratio - 1.0) + 1.0;
    for (int i = 0; i < 60; i++) {
      double mid = 0.5 * (low + high);
      if (mm_gain_curve_db (&d->curve, (float) mid) > -d->depth)
        low = mid;
      else
        high = mid;
    }
    d->floor_power = (float) pow (10.0, (high + 0.01) / 10.0);
  }
}

void
mm_ducker_set_times (
    MmDucker *d, double attack_ms, double hold_ms, double release_ms)
{
  d->attack = attack_ms;
  d->hold = hold_ms;
  d->release = release_ms;
  mm_smoother_init (&d->smoother, d->rate / MM_DUCKER_CONTROL_FRAMES, attack_ms,
      release_ms, 0.0);
  d->hold_ticks = (uint32_t) lround (
      hold_ms * d->rate / (1000.0 * MM_DUCKER_CONTROL_FRAMES));
  /* a shorter hold applies at once, also to one under way */
  if (d->hold_left > d->hold_ticks)
    d->hold_left = d->hold_ticks;
}

void
mm_ducker_set_key_filter (MmDucker *d, double highpass_hz, double lowpass_hz)
{
  bool had_highpass = d->detector.highpass, had_lowpass = d->lowpass;
  d->highpass_hz = highpass_hz > 0.0 ? highpass_hz : 0.0;
  d->lowpass_hz = lowpass_hz > 0.0 ? lowpass_hz : 0.0;
  design_detector (d);
  /* a filter switched on starts from silence; one retuned keeps its state */
  if (d->detector.highpass && !had_highpass)
    mm_svf_reset (&d->detect.highpass);
  if (d->lowpass && !had_lowpass)
    mm_svf_reset (&d->lowpass_state);
}

void
mm_ducker_reset (MmDucker *d)
{
  mm_detector_reset_state (&d->detect);
  mm_svf_reset (&d->lowpass_state);
  d->smooth.gain_db = 0.0f;
  d->smooth.hold_left = 0;
  d->held_db = 0.0f;
  d->hold_left = 0;
  d->gain = d->next_gain = 1.0f;
  d->last_db = 0.0f;
  d->last_gain = 1.0f;
  d->step = 0.0f;
  d->phase = 0;
  d->lowest = 1.0f;
}

/* A control point: the key's level now sets the gain the next block glides
 * to. */
static void
control_point (MmDucker *d)
{
  float power = d->detect.mean_square, target;
  /* the block's last frame, just handed out, had the old next gain (the
   * gains of a block lie between its ends) */
  d->lowest = d->next_gain < d->lowest ? d->next_gain : d->lowest;
  if (power >= d->floor_power) {
    /* loud enough for the full depth: no logarithm */
    target = d->floor_db;
  } else {
    float change = mm_gain_curve_for_power (&d->curve, power);
    target = change < d->floor_db ? d->floor_db : change;
  }
  /* The hold works on what the key asks for, not on the gain: after every
   * fall of the key (into a pause between words, or to a lower level) the
   * deepest dip asked for stays for the hold time, then the release
   * follows the key. Holding the gain instead would spend the hold on the
   * first fall and release at once at the next. */
  if (target <= d->held_db) {
    d->held_db = target;
    d->hold_left = d->hold_ticks;
  } else if (d->hold_left > 0) {
    d->hold_left--;
  } else {
    d->held_db = target;
  }
  float db = mm_smoother_tick (&d->smoother, &d->smooth, d->held_db);
  d->gain = d->next_gain;
  if (db != d->last_db) {
    /* a settled gain needs no new exponential */
    d->last_db = db;
    d->last_gain = mm_fast_db_to_gain (db);
    /* the fast exponential is off by up to 4e-5 dB: at the depth it must
     * not go past it (below it, after a smaller depth was set, the release
     * brings the gain back up smoothly instead) */
    if (db >= d->floor_db && d->last_gain < d->floor_gain)
      d->last_gain = d->floor_gain;
  }
  d->next_gain = d->last_gain;
  d->step = (d->next_gain - d->gain) / (float) MM_DUCKER_CONTROL_FRAMES;
}

/* NaN and Inf count as silence; finite samples are capped at KEY_MAX: a
 * square that overflows to Inf would make the mean square Inf - Inf = NaN,
 * and the ducker stuck at the full depth for good. */
static inline float
key_clamp (float x)
{
  if (fabsf (x) <= KEY_MAX)
    return x;
  return isfinite (x) ? copysignf (KEY_MAX, x) : 0.0f;
}

/* The gain of the frame that completes phase frames of the block. */
static inline float
frame_gain (MmDucker *d)
{
  /* exactly the next control point's gain at the block's end: 1.0 stays
   * 1.0 */
  return d->phase == MM_DUCKER_CONTROL_FRAMES
      ? d->next_gain
      : d->gain + d->step * (float) d->phase;
}

/* The detector's mean square through n key frames (NULL: silence), the
 * gains of the frames out, a control point every MM_DUCKER_CONTROL_FRAMES;
 * the mean square stays in a register. */
static void
detect_frames (MmDucker *d, const float *key, float *gain, size_t n)
{
  const float coef = d->detector.rms_coef;
  float ms = d->detect.mean_square;
  for (size_t i = 0; i < n; i++) {
    float x = key ? key_clamp (key[i]) : 0.0f;
    ms += coef * (x * x - ms);
    d->phase++;
    gain[i] = frame_gain (d);
    if (d->phase == MM_DUCKER_CONTROL_FRAMES) {
      if (ms < 1e-30f)
        ms = 0.0f;
      d->detect.mean_square = ms;
      d->phase = 0;
      control_point (d);
    }
  }
  d->detect.mean_square = ms < 1e-30f ? 0.0f : ms;
}

#define FILTER_BLOCK 256

/* n key frames (NULL: silence), capped, through the low-pass and the
 * high-pass into out; the filters' state in locals for the block. */
static void
filter_key (MmDucker *d, const float *key, float *out, size_t n)
{
  MmSvfState low = d->lowpass_state, high = d->detect.highpass;
  const bool lowpass = d->lowpass, highpass = d->detector.highpass;
  for (size_t i = 0; i < n; i++) {
    double x = key ? key_clamp (key[i]) : 0.0f;
    if (lowpass) {
      double band, lowpassed;
      mm_svf_tick (&d->lowpass_coefs, &low, x, &band, &lowpassed);
      x = (float) lowpassed;
    }
    if (highpass)
      x = (float) mm_svf_section_tick (
          &d->detector.highpass_section, &d->detector.highpass_coefs, &high, x);
    out[i] = (float) x;
  }
  d->lowpass_state = low;
  d->detect.highpass = high;
}

static void
process_frames (MmDucker *d, const float *key, float *gain, size_t n)
{
  if (!d->lowpass && !d->detector.highpass) {
    detect_frames (d, key, gain, n);
    return;
  }
  for (size_t done = 0; done < n;) {
    float filtered[FILTER_BLOCK];
    size_t m = n - done < FILTER_BLOCK ? n - done : FILTER_BLOCK;
    /* an absent key is silence through the filters too */
    filter_key (d, key ? key + done : NULL, filtered, m);
    detect_frames (d, filtered, gain + done, m);
    done += m;
  }
  /* after the key falls silent the filters would end in a limit cycle of
   * subnormal numbers, slow on every sample (~2x on this path) */
  mm_svf_flush_denormals (&d->detect.highpass);
  mm_svf_flush_denormals (&d->lowpass_state);
}

static void
process (MmDucker *d, const float *key, float *gain, size_t n)
{
  process_frames (d, key, gain, n);
  /* a block cut short: its last frame handed out is its lowest so far */
  if (n > 0 && gain[n - 1] < d->lowest)
    d->lowest = gain[n - 1];
}

void
mm_ducker_process (MmDucker *d, const float *key, float *gain, size_t n)
{
  process (d, key, gain, n);
}

void
mm_ducker_process_silence (MmDucker *d, float *gain, size_t n)
{
  process (d, NULL, gain, n);
}

#define DEFINE_APPLY(SUFFIX, TYPE)                                             \
  void mm_ducker_apply_##SUFFIX (                                              \
      TYPE *frames, int channels, const float *gain, size_t n)                 \
  {                                                                            \
    const size_t ch = (size_t) channels;                                       \
    if (ch == 2) {                                                             \
      for (size_t i = 0; i < n; i++) {                                         \
        frames[2 * i] *= gain[i];                                              \
        frames[2 * i + 1] *= gain[i];                                          \
      }                                                                        \
      return;                                                                  \
    }                                                                          \
    for (size_t i = 0; i < n; i++)                                             \
      for (size_t c = 0; c < ch; c++)                                          \
        frames[i * ch + c] *= gain[i];                                         \
  }

DEFINE_APPLY (f32, float)
DEFINE_APPLY (f64, double)

double
mm_ducker_take_reduction_db (MmDucker *d)
{
  double db = d->lowest < 1.0f ? -20.0 * log10 ((double) d->lowest) : 0.0;
  /* the next span starts from the gain of the last frame handed out */
  d->lowest = d->phase == 0 ? d->gain : d->gain + d->step * (float) d->phase;
  return db;
}
