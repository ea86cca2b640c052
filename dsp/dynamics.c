/* gst-mixmaster
 * Copyright (C) 2026 gst-mixmaster developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "dynamics.h"

#include <math.h>
#include <string.h>

static float
one_pole (double rate, double ms)
{
  double frames = ms * rate / 1000.0;
  return frames > 0.0 ? (float) exp (-1.0 / frames) : 0.0f;
}

void
mm_gain_curve_init (
    MmGainCurve *c, double threshold_db, double ratio, double knee_db)
{
  c->threshold = (float) threshold_db;
  c->ratio = (float) (ratio < 1.0 ? 1.0 : ratio);
  c->knee = (float) (knee_db < 0.0 ? 0.0 : knee_db);
  c->knee_start_power =
      (float) pow (10.0, (threshold_db - 0.5 * c->knee) / 10.0);
}

void
mm_detector_init (MmDetector *d, double rate, MmDetectMode mode, double rms_ms,
    double highpass_hz)
{
  memset (d, 0, sizeof (*d));
  d->mode = mode;
  d->rms_coef = 1.0f - one_pole (rate, rms_ms);
  d->highpass = highpass_hz > 0.0;
  if (d->highpass) {
    MmSvfCoefs c;
    mm_svf_design (&c, rate, highpass_hz, 0.70710678118654752440);
    /* the SVF high-pass output as a mixed section: x - k v1 - v2 */
    d->highpass_section = (MmSvfSection){ 0.0, 0.0, 1.0, -c.k, -1.0 };
    d->highpass_coefs = c;
  }
}

void
mm_detector_reset_state (MmDetectorState *s)
{
  memset (s, 0, sizeof (*s));
}

void
mm_smoother_init (MmSmoother *s, double rate, double attack_ms,
    double release_ms, double hold_ms)
{
  s->attack_coef = one_pole (rate, attack_ms);
  s->release_coef = one_pole (rate, release_ms);
  s->hold_frames = (uint32_t) lround (hold_ms * rate / 1000.0);
}
