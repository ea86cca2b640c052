/* gst-mixmaster
 * Copyright (C) 2026 gst-mixmaster developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "stereo.h"

#include <math.h>
#include <string.h>

#include "mixmaster-orc-init.h"
#include "mixmaster-orc.h"
#include "sanitize.h"

/* While the crossover frequency glides, its coefficients are redesigned this often. */
#define FREQ_SUB_BLOCK 32

static double
db_to_linear (double db)
{
  return pow (10.0, db / 20.0);
}

static void
update_gain_targets (MmStereoWidth *sw)
{
  mm_ramp_set_target (&sw->mid_gain, db_to_linear (sw->mid_gain_db));
  mm_ramp_set_target (
      &sw->side_gain, sw->width * db_to_linear (sw->side_gain_db));
}

static void
design_crossover (MmStereoWidth *sw)
{
  mm_svf_design (
      &sw->crossover, sw->rate, sw->freq_current, MM_SVF_Q_BUTTERWORTH);
}

static void
clear_filter_state (MmStereoWidth *sw)
{
  mm_svf_reset (&sw->mid_state);
  mm_svf_reset (&sw->side_state[0]);
  mm_svf_reset (&sw->side_state[1]);
}

void
mm_stereo_width_init (MmStereoWidth *sw, double rate, double glide_ms)
{
  mixmaster_orc_init ();
  memset (sw, 0, sizeof (*sw));
  sw->rate = rate;
  sw->glide_frames = (uint32_t) lround (glide_ms * rate / 1000.0);
  sw->width = 1.0;
  mm_ramp_init (&sw->mid_gain, 1.0, sw->glide_frames);
  mm_ramp_init (&sw->side_gain, 1.0, sw->glide_frames);
  mm_ramp_init (&sw->bass_mix, 0.0, sw->glide_frames);
}

void
mm_stereo_width_set_width (MmStereoWidth *sw, double width)
{
  sw->width = width;
  update_gain_targets (sw);
}

void
mm_stereo_width_set_mid_gain_db (MmStereoWidth *sw, double gain_db)
{
  sw->mid_gain_db = gain_db;
  update_gain_targets (sw);
}

void
mm_stereo_width_set_side_gain_db (MmStereoWidth *sw, double gain_db)
{
  sw->side_gain_db = gain_db;
  update_gain_targets (sw);
}

void
mm_stereo_width_set_bass_mono_freq (MmStereoWidth *sw, double freq)
{
  if (freq == sw->bass_mono_freq)
    return;
  sw->bass_mono_freq = freq;

  if (freq <= 0.0) {
    mm_ramp_set_target (&sw->bass_mix, 0.0);
    return;
  }

  if (!sw->filters_active) {
    /* Starting from full-band side: fade the crossover in at its final frequency. */
    sw->filters_active = true;
    sw->freq_current = freq;
    sw->freq_steps_left = 0;
    clear_filter_state (sw);
    design_crossover (sw);
  } else {
    uint32_t steps = (sw->glide_frames + FREQ_SUB_BLOCK - 1) / FREQ_SUB_BLOCK;
    if (steps == 0) {
      sw->freq_current = freq;
      sw->freq_steps_left = 0;
      design_crossover (sw);
    } else {
      /* Glide on a log-frequency scale, as the ear hears a sweep. */
      sw->freq_step_ratio = pow (freq / sw->freq_current, 1.0 / steps);
      sw->freq_steps_left = steps;
    }
  }
  mm_ramp_set_target (&sw->bass_mix, 1.0);
}

void
mm_stereo_width_snap (MmStereoWidth *sw)
{
  mm_ramp_snap (&sw->mid_gain, sw->mid_gain.target);
  mm_ramp_snap (&sw->side_gain, sw->side_gain.target);
  mm_ramp_snap (&sw->bass_mix, sw->bass_mix.target);
  if (sw->bass_mono_freq > 0.0) {
    sw->filters_active = true;
    sw->freq_current = sw->bass_mono_freq;
    sw->freq_steps_left = 0;
    design_crossover (sw);
  } else if (sw->filters_active) {
    sw->filters_active = false;
    clear_filter_state (sw);
  }
}

void
mm_stereo_width_reset (MmStereoWidth *sw)
{
  clear_filter_state (sw);
  mm_stereo_width_snap (sw);
}

bool
mm_stereo_width_is_identity (const MmStereoWidth *sw)
{
  return !sw->filters_active && mm_ramp_is_settled (&sw->mid_gain) &&
      mm_ramp_is_settled (&sw->side_gain) && sw->mid_gain.current == 1.0 &&
      sw->side_gain.current == 1.0;
}

static void
advance_crossover_glide (MmStereoWidth *sw)
{
  if (sw->freq_steps_left == 0)
    return;
  sw->freq_steps_left--;
  sw->freq_current = sw->freq_steps_left
      ? sw->freq_current * sw->freq_step_ratio
      : sw->bass_mono_freq;
  design_crossover (sw);
}

/* ---- format kernels ----
 * Plain C for both formats; F32 goes through ORC when its stereo frames are 8-byte
 * aligned, as ORC requires of an 8-byte element (GStreamer only promises 4). ORC
 * cannot hold a 16-byte F64 frame, so F64 stays in C. */

#define DEFINE_C_KERNELS(sfx, type)                                            \
  static void matrix_c_##sfx (type *lr, double a, double b, size_t n)          \
  {                                                                            \
    const type ta = (type) a, tb = (type) b;                                   \
    for (size_t i = 0; i < n; i++) {                                           \
      type l = lr[2 * i], r = lr[2 * i + 1];                                   \
      lr[2 * i] = ta * l + tb * r;                                             \
      lr[2 * i + 1] = tb * l + ta * r;                                         \
    }                                                                          \
  }                                                                            \
  static void matrix_ramp_c_##sfx (                                            \
      type *lr, const type *a, const type *b, size_t n)                        \
  {                                                                            \
    for (size_t i = 0; i < n; i++) {                                           \
      type l = lr[2 * i], r = lr[2 * i + 1];                                   \
      lr[2 * i] = a[i] * l + b[i] * r;                                         \
      lr[2 * i + 1] = b[i] * l + a[i] * r;                                     \
    }                                                                          \
  }                                                                            \
  static void encode_c_##sfx (const type *lr, type *mid, type *side, size_t n) \
  {                                                                            \
    for (size_t i = 0; i < n; i++) {                                           \
      mid[i] = (lr[2 * i] + lr[2 * i + 1]) * (type) 0.5;                       \
      side[i] = (lr[2 * i] - lr[2 * i + 1]) * (type) 0.5;                      \
    }                                                                          \
  }                                                                            \
  static void decode_c_##sfx (type *lr, const type *mid, const type *side,     \
      double gm, double gs, size_t n)                                          \
  {                                                                            \
    const type tm = (type) gm, ts = (type) gs;                                 \
    for (size_t i = 0; i < n; i++) {                                           \
      type m = tm * mid[i], s = ts * side[i];                                  \
      lr[2 * i] = m + s;                                                       \
      lr[2 * i + 1] = m - s;                                                   \
    }                                                                          \
  }                                                                            \
  static void decode_ramp_c_##sfx (type *lr, const type *mid,                  \
      const type *side, const type *gm, const type *gs, size_t n)              \
  {                                                                            \
    for (size_t i = 0; i < n; i++) {                                           \
      type m = gm[i] * mid[i], s = gs[i] * side[i];                            \
      lr[2 * i] = m + s;                                                       \
      lr[2 * i + 1] = m - s;                                                   \
    }                                                                          \
  }

DEFINE_C_KERNELS (f32, float)
DEFINE_C_KERNELS (f64, double)

static inline bool
frames_orc_aligned (const float *lr)
{
  return ((uintptr_t) lr & 7) == 0;
}

static void
matrix_f32 (float *lr, double a, double b, size_t n)
{
  if (frames_orc_aligned (lr))
    mixmaster_orc_ms_matrix_f32 (lr, (float) a, (float) b, (int) n);
  else
    matrix_c_f32 (lr, a, b, n);
}

static void
matrix_ramp_f32 (float *lr, const float *a, const float *b, size_t n)
{
  if (frames_orc_aligned (lr))
    mixmaster_orc_ms_matrix_ramp_f32 (lr, a, b, (int) n);
  else
    matrix_ramp_c_f32 (lr, a, b, n);
}

static void
encode_f32 (const float *lr, float *mid, float *side, size_t n)
{
  if (frames_orc_aligned (lr))
    mixmaster_orc_ms_encode_f32 (mid, side, lr, (int) n);
  else
    encode_c_f32 (lr, mid, side, n);
}

static void
decode_f32 (float *lr, const float *mid, const float *side, double gm,
    double gs, size_t n)
{
  if (frames_orc_aligned (lr))
    mixmaster_orc_ms_decode_f32 (
        lr, mid, side, (float) gm, (float) gs, (int) n);
  else
    decode_c_f32 (lr, mid, side, gm, gs, n);
}

static void
decode_ramp_f32 (float *lr, const float *mid, const float *side,
    const float *gm, const float *gs, size_t n)
{
  if (frames_orc_aligned (lr))
    mixmaster_orc_ms_decode_ramp_f32 (lr, mid, side, gm, gs, (int) n);
  else
    decode_ramp_c_f32 (lr, mid, side, gm, gs, n);
}

#define matrix_f64 matrix_c_f64
#define matrix_ramp_f64 matrix_ramp_c_f64
#define encode_f64 encode_c_f64
#define decode_f64 decode_c_f64
#define decode_ramp_f64 decode_ramp_c_f64

/* ---- the block logic, written once for both formats ---- */

/* The mid all-pass and the two side high-pass sections run in one loop: three
 * independent recursions interleave, instead of three serial passes. */
#define DEFINE_STEREO_PROCESS(sfx, type)                                       \
  static void crossover_##sfx (                                                \
      MmStereoWidth *sw, type *mid, type *side, size_t n)                      \
  {                                                                            \
    const MmSvfCoefs c = sw->crossover;                                        \
    MmSvfState ms = sw->mid_state;                                             \
    MmSvfState s1 = sw->side_state[0], s2 = sw->side_state[1];                 \
    for (size_t i = 0; i < n; i++) {                                           \
      mid[i] = (type) mm_svf_allpass (&c, &ms, mid[i]);                        \
      side[i] = (type) mm_svf_highpass (                                       \
          &c, &s2, mm_svf_highpass (&c, &s1, side[i]));                        \
    }                                                                          \
    sw->mid_state = ms;                                                        \
    sw->side_state[0] = s1;                                                    \
    sw->side_state[1] = s2;                                                    \
    mm_svf_flush_denormals (&sw->mid_state);                                   \
    mm_svf_flush_denormals (&sw->side_state[0]);                               \
    mm_svf_flush_denormals (&sw->side_state[1]);                               \
  }                                                                            \
                                                                               \
  static void filter_ms_##sfx (                                                \
      MmStereoWidth *sw, type *mid, type *side, size_t n)                      \
  {                                                                            \
    for (size_t off = 0; off < n;) {                                           \
      size_t len = n - off;                                                    \
      if (sw->freq_steps_left > 0) {                                           \
        advance_crossover_glide (sw);                                          \
        if (len > FREQ_SUB_BLOCK)                                              \
          len = FREQ_SUB_BLOCK;                                                \
      }                                                                        \
      crossover_##sfx (sw, mid + off, side + off, len);                        \
      off += len;                                                              \
    }                                                                          \
  }                                                                            \
                                                                               \
  static void process_block_##sfx (MmStereoWidth *sw, type *lr, size_t n)      \
  {                                                                            \
    bool gains_settled = mm_ramp_is_settled (&sw->mid_gain) &&                 \
        mm_ramp_is_settled (&sw->side_gain);                                   \
    type *coef_a = sw->coef_a.sfx, *coef_b = sw->coef_b.sfx;                   \
                                                                               \
    if (!sw->filters_active) {                                                 \
      if (gains_settled) {                                                     \
        double gm = sw->mid_gain.current, gs = sw->side_gain.current;          \
        if (gm != 1.0 || gs != 1.0)                                            \
          matrix_##sfx (lr, 0.5 * (gm + gs), 0.5 * (gm - gs), n);              \
        return;                                                                \
      }                                                                        \
      mm_ramp_fill_##sfx (&sw->mid_gain, coef_a, n);                           \
      mm_ramp_fill_##sfx (&sw->side_gain, coef_b, n);                          \
      for (size_t i = 0; i < n; i++) {                                         \
        type gm = coef_a[i], gs = coef_b[i];                                   \
        coef_a[i] = (type) 0.5 * (gm + gs);                                    \
        coef_b[i] = (type) 0.5 * (gm - gs);                                    \
      }                                                                        \
      matrix_ramp_##sfx (lr, coef_a, coef_b, n);                               \
      return;                                                                  \
    }                                                                          \
                                                                               \
    type *mid = sw->mid.sfx, *side = sw->side.sfx;                             \
    bool crossfading = !mm_ramp_is_settled (&sw->bass_mix);                    \
    encode_##sfx (lr, mid, side, n);                                           \
    if (crossfading) {                                                         \
      memcpy (sw->dry_mid.sfx, mid, n * sizeof (type));                        \
      memcpy (sw->dry_side.sfx, side, n * sizeof (type));                      \
    }                                                                          \
    filter_ms_##sfx (sw, mid, side, n);                                        \
    if (crossfading) {                                                         \
      const type *dry_mid = sw->dry_mid.sfx, *dry_side = sw->dry_side.sfx;     \
      mm_ramp_fill_##sfx (&sw->bass_mix, coef_a, n);                           \
      for (size_t i = 0; i < n; i++) {                                         \
        mid[i] = dry_mid[i] + coef_a[i] * (mid[i] - dry_mid[i]);               \
        side[i] = dry_side[i] + coef_a[i] * (side[i] - dry_side[i]);           \
      }                                                                        \
    }                                                                          \
    if (gains_settled) {                                                       \
      decode_##sfx (                                                           \
          lr, mid, side, sw->mid_gain.current, sw->side_gain.current, n);      \
    } else {                                                                   \
      mm_ramp_fill_##sfx (&sw->mid_gain, coef_a, n);                           \
      mm_ramp_fill_##sfx (&sw->side_gain, coef_b, n);                          \
      decode_ramp_##sfx (lr, mid, side, coef_a, coef_b, n);                    \
    }                                                                          \
    if (mm_ramp_is_settled (&sw->bass_mix) && sw->bass_mix.current == 0.0) {   \
      sw->filters_active = false;                                              \
      clear_filter_state (sw);                                                 \
    }                                                                          \
  }                                                                            \
                                                                               \
  void mm_stereo_width_process_##sfx (                                         \
      MmStereoWidth *sw, type *frames, size_t n_frames)                        \
  {                                                                            \
    mm_sanitize_##sfx (frames, 2 * n_frames);                                  \
    if (mm_stereo_width_is_identity (sw))                                      \
      return;                                                                  \
    for (size_t off = 0; off < n_frames; off += MM_STEREO_BLOCK) {             \
      size_t n =                                                               \
          n_frames - off < MM_STEREO_BLOCK ? n_frames - off : MM_STEREO_BLOCK; \
      process_block_##sfx (sw, frames + 2 * off, n);                           \
    }                                                                          \
  }

DEFINE_STEREO_PROCESS (f32, float)
DEFINE_STEREO_PROCESS (f64, double)

/* ---- meter ---- */

void
mm_stereo_meter_reset (MmStereoMeter *meter)
{
  memset (meter, 0, sizeof (*meter));
}

#define DEFINE_METER_ADD(sfx, type)                                            \
  void mm_stereo_meter_add_##sfx (                                             \
      MmStereoMeter *meter, const type *frames, size_t n_frames)               \
  {                                                                            \
    double ll = 0.0, rr = 0.0, lr = 0.0;                                       \
    for (size_t i = 0; i < n_frames; i++) {                                    \
      double l = frames[2 * i], r = frames[2 * i + 1];                         \
      ll += l * l;                                                             \
      rr += r * r;                                                             \
      lr += l * r;                                                             \
    }                                                                          \
    meter->sum_ll += ll;                                                       \
    meter->sum_rr += rr;                                                       \
    meter->sum_lr += lr;                                                       \
    meter->n_frames += n_frames;                                               \
  }

DEFINE_METER_ADD (f32, float)
DEFINE_METER_ADD (f64, double)

double
mm_stereo_meter_correlation (const MmStereoMeter *meter)
{
  double denom = sqrt (meter->sum_ll * meter->sum_rr);
  if (!(denom > 0.0))
    return 0.0;
  double r = meter->sum_lr / denom;
  return r > 1.0 ? 1.0 : (r < -1.0 ? -1.0 : r);
}

double
mm_stereo_meter_side_to_mid_db (const MmStereoMeter *meter)
{
  double mid = meter->sum_ll + 2.0 * meter->sum_lr + meter->sum_rr;
  double side = meter->sum_ll - 2.0 * meter->sum_lr + meter->sum_rr;
  if (side < 0.0)
    side = 0.0;
  if (mid < 0.0)
    mid = 0.0;
  if (side <= mid * 1e-12)
    return -120.0;
  if (mid <= side * 1e-12)
    return 120.0;
  return 10.0 * log10 (side / mid);
}
