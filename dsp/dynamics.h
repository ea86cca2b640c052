/* gst-mixmaster
 * Copyright (C) 2026 gst-mixmaster developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#ifndef MM_DYNAMICS_H
#define MM_DYNAMICS_H

#include <stdbool.h>
#include <stdint.h>

#include "fastmath.h"
#include "svf.h"

/* The shared dynamics core: a level detector, a static gain curve in the dB
 * domain with a quadratic soft knee (Giannoulis, Massberg, Reiss, "Digital
 * Dynamic Range Compressor Design - A Tutorial and Analysis", JAES 2012), and a
 * gain smoother in dB with separate attack and release (the branching form) and
 * an optional hold. Compressors, duckers and limiters build on these. */

/* ---- static curve ---- */

typedef struct
{
  float threshold; /* dB */
  float ratio; /* >= 1 */
  float knee; /* dB, full width */
  float knee_start_power; /* below this power the curve is 0 dB: no log */
} MmGainCurve;

void mm_gain_curve_init (
    MmGainCurve *c, double threshold_db, double ratio, double knee_db);

/* The gain change in dB (<= 0) the curve applies at level_db. */
static inline float
mm_gain_curve_db (const MmGainCurve *c, float level_db)
{
  float over = level_db - c->threshold;
  float slope = 1.0f / c->ratio - 1.0f;
  if (2.0f * over <= -c->knee)
    return 0.0f;
  if (2.0f * over < c->knee) {
    float t = over + 0.5f * c->knee;
    return slope * t * t / (2.0f * c->knee);
  }
  return slope * over;
}

/* ---- level detector ---- */

typedef enum
{
  MM_DETECT_PEAK,
  MM_DETECT_RMS,
} MmDetectMode;

typedef struct
{
  MmDetectMode mode;
  float rms_coef; /* one-pole coefficient of the mean square */
  bool highpass;
  MmSvfCoefs highpass_coefs;
  MmSvfSection highpass_section;
} MmDetector;

typedef struct
{
  float mean_square;
  MmSvfState highpass;
} MmDetectorState;

/* rms_ms: time constant of the mean-square average; highpass_hz 0 = off */
void mm_detector_init (MmDetector *d, double rate, MmDetectMode mode,
    double rms_ms, double highpass_hz);
void mm_detector_reset_state (MmDetectorState *s);

/* The detected power of x: x^2, or its mean square. */
static inline float
mm_detector_power (const MmDetector *d, MmDetectorState *s, float x)
{
  if (d->highpass)
    x = (float) mm_svf_section_tick (
        &d->highpass_section, &d->highpass_coefs, &s->highpass, x);
  float power = x * x;
  if (d->mode == MM_DETECT_RMS) {
    s->mean_square += d->rms_coef * (power - s->mean_square);
    if (s->mean_square < 1e-30f)
      s->mean_square = 0.0f;
    power = s->mean_square;
  }
  return power;
}

/* The curve's gain change for a detected power; most samples of a quiet
 * passage never reach the knee and need no logarithm. */
static inline float
mm_gain_curve_for_power (const MmGainCurve *c, float power)
{
  if (power <= c->knee_start_power)
    return 0.0f;
  return mm_gain_curve_db (c, mm_fast_power_to_db (power));
}

/* ---- gain smoother ---- */

typedef struct
{
  float attack_coef; /* per-sample pole, exp(-1 / (tau fs)) */
  float release_coef;
  uint32_t hold_frames;
} MmSmoother;

typedef struct
{
  float gain_db;
  uint32_t hold_left;
} MmSmootherState;

/* Time constants in ms: 63 % of a step in attack_ms / release_ms. */
void mm_smoother_init (MmSmoother *s, double rate, double attack_ms,
    double release_ms, double hold_ms);

/* target_db <= 0 is the gain the curve asks for; more reduction attacks, and
 * while the reduction asked for is reached the hold time starts over. */
static inline float
mm_smoother_tick (const MmSmoother *p, MmSmootherState *s, float target_db)
{
  if (target_db <= s->gain_db) {
    s->gain_db = target_db + p->attack_coef * (s->gain_db - target_db);
    s->hold_left = p->hold_frames;
  } else if (s->hold_left > 0) {
    s->hold_left--;
  } else {
    s->gain_db = target_db + p->release_coef * (s->gain_db - target_db);
  }
  return s->gain_db;
}

#endif
