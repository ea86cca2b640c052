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
  mm_gain_curve_init (&c->curve, 0.0, 1.0, 0.0);
  c->link = 1.0f;
  mm_ramp_init (&c->makeup, 1.0, glide);
  mm_ramp_init (&c->mix, 1.0, glide);
  mm_detector_init (&c->detector, rate, MM_DETECT_PEAK, 10.0, 0.0);
  mm_smoother_init (
      &c->smoother, rate / MM_COMPRESSOR_CONTROL_FRAMES, 10.0, 150.0, 0.0);
  mm_delay_init (&c->delay, storage, c->channels, max_lookahead, lookahead);
  mm_compressor_reset (c);
}

void
mm_compressor_set_curve (
    MmCompressor *c, double threshold_db, double ratio, double knee_db)
{
  mm_gain_curve_init (&c->curve, threshold_db, ratio, knee_db);
  update_makeup (c);
}

void
mm_compressor_set_times (
    MmCompressor *c, double attack_ms, double release_ms, double hold_ms)
{
  mm_smoother_init (&c->smoother, c->rate / MM_COMPRESSOR_CONTROL_FRAMES,
      attack_ms, release_ms, hold_ms);
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
    c->gain[ch] = 1.0f;
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

/* One control point from the block's detected powers: linked targets,
 * smoothing in dB, linear gains. */
static MM_ALWAYS_INLINE void
control_point (MmCompressor *c, const float *power, float *gain)
{
  const int channels = c->channels;
  float loudest = 0.0f;

  for (int ch = 0; ch < channels; ch++)
    if (power[ch] > loudest)
      loudest = power[ch];
  /* the curve falls with level, so the loudest channel asks the most */
  float most = mm_gain_curve_for_power (&c->curve, loudest);
  if (c->link >= 1.0f) {
    /* fully linked: one smoother, every channel follows it */
    float g_db = mm_smoother_tick (&c->smoother, &c->smooth_state[0], most);
    float g = g_db == 0.0f ? 1.0f : mm_fast_db_to_gain (g_db);
    for (int ch = 0; ch < channels; ch++) {
      c->smooth_state[ch] = c->smooth_state[0];
      gain[ch] = g;
    }
    if (-g_db > c->max_reduction_db)
      c->max_reduction_db = -g_db;
    return;
  }
  for (int ch = 0; ch < channels; ch++) {
    float own = mm_gain_curve_for_power (&c->curve, power[ch]);
    float g_db = mm_smoother_tick (
        &c->smoother, &c->smooth_state[ch], own + c->link * (most - own));
    gain[ch] = g_db == 0.0f ? 1.0f : mm_fast_db_to_gain (g_db);
    if (-g_db > c->max_reduction_db)
      c->max_reduction_db = -g_db;
  }
}

/* The common stereo case, fully linked RMS with no lookahead and settled
 * makeup and mix, with the detector states and gains kept in registers. */
#define DEFINE_STEREO_LINKED_RMS(sfx, type)                                    \
  static void run_stereo_linked_rms_##sfx (MmCompressor *c, type *frames,      \
      size_t n_frames, double keep, double scale)                              \
  {                                                                            \
    const float coef = c->detector.rms_coef;                                   \
    float ms0 = c->detect_state[0].mean_square;                                \
    float ms1 = c->detect_state[1].mean_square;                                \
    double g = c->gain[0];                                                     \
    for (size_t i0 = 0; i0 < n_frames; i0 += MM_COMPRESSOR_CONTROL_FRAMES) {   \
      size_t n = n_frames - i0 < MM_COMPRESSOR_CONTROL_FRAMES                  \
          ? n_frames - i0                                                      \
          : MM_COMPRESSOR_CONTROL_FRAMES;                                      \
      type *f = frames + 2 * i0;                                               \
      for (size_t i = 0; i < n; i++) {                                         \
        float l = (float) f[2 * i], r = (float) f[2 * i + 1];                  \
        ms0 += coef * (l * l - ms0);                                           \
        ms1 += coef * (r * r - ms1);                                           \
      }                                                                        \
      float power[MM_COMPRESSOR_MAX_CHANNELS] = { ms0, ms1 };                  \
      float gain[MM_COMPRESSOR_MAX_CHANNELS];                                  \
      control_point (c, power, gain);                                          \
      double step = (gain[0] - g) / (double) n;                                \
      for (size_t i = 0; i < n; i++) {                                         \
        g += step;                                                             \
        double factor = keep + scale * g;                                      \
        f[2 * i] = (type) (f[2 * i] * factor);                                 \
        f[2 * i + 1] = (type) (f[2 * i + 1] * factor);                         \
      }                                                                        \
      g = gain[0];                                                             \
    }                                                                          \
    c->detect_state[0].mean_square = ms0 < 1e-30f ? 0.0f : ms0;                \
    c->detect_state[1].mean_square = ms1 < 1e-30f ? 0.0f : ms1;                \
    c->gain[0] = c->gain[1] = (float) g;                                       \
  }

DEFINE_STEREO_LINKED_RMS (f32, float)
DEFINE_STEREO_LINKED_RMS (f64, double)

#define DEFINE_COMPRESSOR_PROCESS(sfx, type)                                     \
  void mm_compressor_process_##sfx (                                             \
      MmCompressor *c, type *frames, size_t n_frames)                            \
  {                                                                              \
    const int channels = c->channels;                                            \
    const bool identity = mm_compressor_is_identity (c);                         \
    const bool delayed = c->delay.delay > 0;                                     \
    const bool steady =                                                          \
        mm_ramp_is_settled (&c->makeup) && mm_ramp_is_settled (&c->mix);         \
    double makeup = c->makeup.current, mix = c->mix.current;                     \
    mm_sanitize_##sfx (frames, n_frames *channels);                              \
    if (identity && !delayed)                                                    \
      return;                                                                    \
    if (channels == 2 && !identity && !delayed && steady && c->link >= 1.0f &&   \
        !c->detector.highpass && c->detector.mode == MM_DETECT_RMS) {            \
      run_stereo_linked_rms_##sfx (                                              \
          c, frames, n_frames, 1.0 - mix, mix * makeup);                         \
      return;                                                                    \
    }                                                                            \
    for (size_t i0 = 0; i0 < n_frames; i0 += MM_COMPRESSOR_CONTROL_FRAMES) {     \
      size_t n = n_frames - i0 < MM_COMPRESSOR_CONTROL_FRAMES                    \
          ? n_frames - i0                                                        \
          : MM_COMPRESSOR_CONTROL_FRAMES;                                        \
      type *block = frames + i0 * channels;                                      \
      float power[MM_COMPRESSOR_MAX_CHANNELS] = { 0.0f };                        \
      float gain[MM_COMPRESSOR_MAX_CHANNELS];                                    \
      if (!identity) {                                                           \
        if (!c->detector.highpass && c->detector.mode == MM_DETECT_RMS) {        \
          /* the common case, with the state in a register: the mean square    \
           * is smooth, so its value at the control point stands for the block */ \
          for (int ch = 0; ch < channels; ch++) {                                \
            float ms = c->detect_state[ch].mean_square;                          \
            const float coef = c->detector.rms_coef;                             \
            for (size_t i = 0; i < n; i++) {                                     \
              float x = (float) block[i * channels + ch];                        \
              ms += coef * (x * x - ms);                                         \
            }                                                                    \
            if (ms < 1e-30f)                                                     \
              ms = 0.0f;                                                         \
            c->detect_state[ch].mean_square = ms;                                \
            power[ch] = ms;                                                      \
          }                                                                      \
        } else {                                                                 \
          for (size_t i = 0; i < n; i++)                                         \
            for (int ch = 0; ch < channels; ch++) {                              \
              float p = mm_detector_power (&c->detector, &c->detect_state[ch],   \
                  (float) block[i * channels + ch]);                             \
              if (p > power[ch])                                                 \
                power[ch] = p;                                                   \
            }                                                                    \
        }                                                                        \
        control_point (c, power, gain);                                          \
      }                                                                          \
      /* the gain moves linearly to the new control point over the block */      \
      double g[MM_COMPRESSOR_MAX_CHANNELS], step[MM_COMPRESSOR_MAX_CHANNELS];    \
      for (int ch = 0; ch < channels; ch++) {                                    \
        g[ch] = c->gain[ch];                                                     \
        step[ch] = identity ? 0.0 : (gain[ch] - c->gain[ch]) / (double) n;       \
      }                                                                          \
      for (size_t i = 0; i < n; i++) {                                           \
        type *f = block + i * channels;                                          \
        double in[MM_COMPRESSOR_MAX_CHANNELS];                                   \
        double delayed_frame[MM_COMPRESSOR_MAX_CHANNELS];                        \
        const double *dry = in;                                                  \
        for (int ch = 0; ch < channels; ch++)                                    \
          in[ch] = f[ch];                                                        \
        if (delayed) {                                                           \
          mm_delay_tick (&c->delay, in, delayed_frame);                          \
          dry = delayed_frame;                                                   \
        }                                                                        \
        if (identity) {                                                          \
          for (int ch = 0; ch < channels; ch++)                                  \
            f[ch] = (type) dry[ch];                                              \
          continue;                                                              \
        }                                                                        \
        if (!steady) {                                                           \
          makeup = mm_ramp_advance (&c->makeup, 1);                              \
          mix = mm_ramp_advance (&c->mix, 1);                                    \
        }                                                                        \
        const double keep = 1.0 - mix, scale = mix * makeup;                     \
        for (int ch = 0; ch < channels; ch++) {                                  \
          g[ch] += step[ch];                                                     \
          f[ch] = (type) (dry[ch] * (keep + scale * g[ch]));                     \
        }                                                                        \
      }                                                                          \
      if (!identity)                                                             \
        for (int ch = 0; ch < channels; ch++)                                    \
          c->gain[ch] = gain[ch];                                                \
    }                                                                            \
  }

DEFINE_COMPRESSOR_PROCESS (f32, float)
DEFINE_COMPRESSOR_PROCESS (f64, double)
