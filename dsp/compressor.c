/* gst-mixmaster
 * Copyright (C) 2026 gst-mixmaster developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "compressor.h"

#include <math.h>
#include <string.h>

#include "sanitize.h"

static void
update_makeup (MmCompressor *c)
{
  double db =
      c->makeup_db + (c->auto_makeup ? mm_compressor_auto_makeup_db (c) : 0.0);
  mm_ramp_set_target (&c->makeup, pow (10.0, db / 20.0));
}

void
mm_compressor_init (MmCompressor *c, double rate, int channels, double *storage,
    size_t max_lookahead, size_t lookahead, double glide_ms)
{
  uint32_t glide = (uint32_t) lround (glide_ms * rate / 1000.0);

  memset (c, 0, sizeof (*c));
  c->rate = rate;
  c->channels = channels < 1
      ? 1
      : (channels > MM_COMPRESSOR_MAX_CHANNELS ? MM_COMPRESSOR_MAX_CHANNELS
                                               : channels);
  c->curve = (MmGainCurve){ 0.0f, 1.0f, 0.0f };
  c->link = 1.0f;
  mm_ramp_init (&c->makeup, 1.0, glide);
  mm_ramp_init (&c->mix, 1.0, glide);
  mm_detector_init (&c->detector, rate, MM_DETECT_PEAK, 10.0, 0.0);
  mm_smoother_init (&c->smoother, rate, 10.0, 150.0, 0.0);
  mm_delay_init (&c->delay, storage, c->channels, max_lookahead, lookahead);
  mm_compressor_reset (c);
}

void
mm_compressor_set_curve (
    MmCompressor *c, double threshold_db, double ratio, double knee_db)
{
  c->curve.threshold = (float) threshold_db;
  c->curve.ratio = (float) (ratio < 1.0 ? 1.0 : ratio);
  c->curve.knee = (float) (knee_db < 0.0 ? 0.0 : knee_db);
  update_makeup (c);
}

void
mm_compressor_set_times (
    MmCompressor *c, double attack_ms, double release_ms, double hold_ms)
{
  mm_smoother_init (&c->smoother, c->rate, attack_ms, release_ms, hold_ms);
}

void
mm_compressor_set_detector (
    MmCompressor *c, MmDetectMode mode, double rms_ms, double highpass_hz)
{
  bool had_highpass = c->detector.highpass;
  mm_detector_init (&c->detector, c->rate, mode, rms_ms, highpass_hz);
  if (!had_highpass)
    for (int ch = 0; ch < c->channels; ch++)
      memset (&c->detect_state[ch].highpass, 0, sizeof (MmSvfState));
}

void
mm_compressor_set_link (MmCompressor *c, double link)
{
  c->link = (float) (link < 0.0 ? 0.0 : (link > 1.0 ? 1.0 : link));
}

void
mm_compressor_set_makeup (MmCompressor *c, double makeup_db, bool auto_makeup)
{
  c->makeup_db = makeup_db;
  c->auto_makeup = auto_makeup;
  update_makeup (c);
}

void
mm_compressor_set_mix (MmCompressor *c, double mix)
{
  mm_ramp_set_target (&c->mix, mix < 0.0 ? 0.0 : (mix > 1.0 ? 1.0 : mix));
}

double
mm_compressor_auto_makeup_db (const MmCompressor *c)
{
  return -mm_gain_curve_db (&c->curve, 0.0f);
}

void
mm_compressor_snap (MmCompressor *c)
{
  mm_ramp_snap (&c->makeup, c->makeup.target);
  mm_ramp_snap (&c->mix, c->mix.target);
}

void
mm_compressor_reset (MmCompressor *c)
{
  for (int ch = 0; ch < MM_COMPRESSOR_MAX_CHANNELS; ch++) {
    mm_detector_reset_state (&c->detect_state[ch]);
    c->smooth_state[ch] = (MmSmootherState){ 0.0f, 0 };
  }
  mm_delay_reset (&c->delay);
  c->max_reduction_db = 0.0f;
  mm_compressor_snap (c);
}

bool
mm_compressor_is_identity (const MmCompressor *c)
{
  return c->curve.ratio == 1.0f && mm_ramp_is_settled (&c->makeup) &&
      c->makeup.current == 1.0;
}

float
mm_compressor_take_reduction (MmCompressor *c)
{
  float r = c->max_reduction_db;
  c->max_reduction_db = 0.0f;
  return r;
}

/* One frame: levels, linked gains, smoothing; returns the gains to apply to
 * the delayed frame. */
static inline void
compute_gains (MmCompressor *c, const double *x, float *gain_db)
{
  const int channels = c->channels;
  float target[MM_COMPRESSOR_MAX_CHANNELS];
  float most = 0.0f;

  for (int ch = 0; ch < channels; ch++) {
    float level =
        mm_detector_tick (&c->detector, &c->detect_state[ch], (float) x[ch]);
    target[ch] = mm_gain_curve_db (&c->curve, level);
    if (target[ch] < most)
      most = target[ch];
  }
  for (int ch = 0; ch < channels; ch++) {
    float t = target[ch] + c->link * (most - target[ch]);
    gain_db[ch] = mm_smoother_tick (&c->smoother, &c->smooth_state[ch], t);
    if (-gain_db[ch] > c->max_reduction_db)
      c->max_reduction_db = -gain_db[ch];
  }
}

#define DEFINE_COMPRESSOR_PROCESS(sfx, type)                                   \
  void mm_compressor_process_##sfx (                                           \
      MmCompressor *c, type *frames, size_t n_frames)                          \
  {                                                                            \
    const int channels = c->channels;                                          \
    bool identity = mm_compressor_is_identity (c);                             \
    mm_sanitize_##sfx (frames, n_frames *channels);                            \
    for (size_t i = 0; i < n_frames; i++) {                                    \
      type *f = frames + i * channels;                                         \
      double in[MM_COMPRESSOR_MAX_CHANNELS], dry[MM_COMPRESSOR_MAX_CHANNELS];  \
      for (int ch = 0; ch < channels; ch++)                                    \
        in[ch] = f[ch];                                                        \
      mm_delay_tick (&c->delay, in, dry);                                      \
      if (identity) {                                                          \
        for (int ch = 0; ch < channels; ch++)                                  \
          f[ch] = (type) dry[ch];                                              \
        continue;                                                              \
      }                                                                        \
      float gain_db[MM_COMPRESSOR_MAX_CHANNELS];                               \
      compute_gains (c, in, gain_db);                                          \
      double makeup = mm_ramp_advance (&c->makeup, 1);                         \
      double mix = mm_ramp_advance (&c->mix, 1);                               \
      for (int ch = 0; ch < channels; ch++) {                                  \
        double wet = makeup * mm_fast_db_to_gain (gain_db[ch]);                \
        f[ch] = (type) (dry[ch] * (1.0 - mix + mix * wet));                    \
      }                                                                        \
    }                                                                          \
  }

DEFINE_COMPRESSOR_PROCESS (f32, float)
DEFINE_COMPRESSOR_PROCESS (f64, double)
