/* gst-mixmaster
 * Copyright (C) 2026 gst-mixmaster developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "eq.h"

#include <math.h>
#include <string.h>

#include "sanitize.h"

static bool
settings_are_identity (const MmEqBandSettings *s)
{
  return !s->enabled || mm_eq_shape_is_identity (&s->shape);
}

static bool
is_pass_type (MmEqType type)
{
  return type == MM_EQ_LOW_PASS || type == MM_EQ_HIGH_PASS;
}

static void
clear_state (MmEqBand *b)
{
  memset (b->state, 0, sizeof (b->state));
}

/* The design the band is heading for at its current (gliding) shape. */
static void
design_target (const MmEq *eq, const MmEqBand *b, MmEqDesign *d)
{
  if (!b->target.enabled)
    d->n_sections = 0;
  else
    mm_eq_design (d, &b->shape, eq->rate);
}

/* Extends d to n sections with pass-through sections that borrow g and k from
 * ref, so that interpolating between the two stays well defined. */
static void
pad_design (MmEqDesign *d, int n, const MmEqDesign *ref)
{
  for (int i = d->n_sections; i < n; i++) {
    if (i < ref->n_sections)
      d->sections[i] = ref->sections[i];
    else
      d->sections[i] = (MmSvfSection){ 1.0, 1.0, 1.0, 0.0, 0.0 };
    mm_svf_section_identity (&d->sections[i]);
  }
  if (d->n_sections < n)
    d->n_sections = n;
}

static void
blend_designs (
    const MmEqDesign *a_in, const MmEqDesign *b_in, double t, MmEqDesign *out)
{
  MmEqDesign a = *a_in, b = *b_in;
  int n = a.n_sections > b.n_sections ? a.n_sections : b.n_sections;
  pad_design (&a, n, &b);
  pad_design (&b, n, &a);
  out->n_sections = n;
  for (int i = 0; i < n; i++) {
    const MmSvfSection *x = &a.sections[i], *y = &b.sections[i];
    out->sections[i] = (MmSvfSection){ x->g + t * (y->g - x->g),
      x->k + t * (y->k - x->k), x->m0 + t * (y->m0 - x->m0),
      x->m1 + t * (y->m1 - x->m1), x->m2 + t * (y->m2 - x->m2) };
  }
}

static void
update_static_coefs (MmEqBand *b)
{
  for (int i = 0; i < b->to.n_sections; i++) {
    mm_svf_section_coefs (&b->to.sections[i], &b->coefs[i]);
    mm_svf_section_state_space (&b->to.sections[i], &b->state_space[i]);
  }
  b->steady = true;
}

static void
snap_band (const MmEq *eq, MmEqBand *b)
{
  b->shape = b->target.shape;
  b->glide_left = 0;
  b->morph = 1.0;
  b->route = b->target.route;
  design_target (eq, b, &b->to);
  b->from = b->to;
  update_static_coefs (b);
  b->active = !settings_are_identity (&b->target);
  if (!b->active)
    clear_state (b);
}

void
mm_eq_init (MmEq *eq, double rate, int channels, double glide_ms,
    uint32_t control_frames)
{
  memset (eq, 0, sizeof (*eq));
  eq->rate = rate;
  eq->channels = channels < 1
      ? 1
      : (channels > MM_EQ_MAX_CHANNELS ? MM_EQ_MAX_CHANNELS : channels);
  eq->glide_frames = (uint32_t) lround (glide_ms * rate / 1000.0);
  if (control_frames < 1)
    control_frames = 1;
  if (control_frames > MM_EQ_MAX_CONTROL_FRAMES)
    control_frames = MM_EQ_MAX_CONTROL_FRAMES;
  eq->control_frames = control_frames;
  mm_ramp_init (&eq->output_gain, 1.0, eq->glide_frames);
  for (int i = 0; i < MM_EQ_MAX_BANDS; i++) {
    MmEqBand *b = &eq->bands[i];
    b->target = (MmEqBandSettings){ { MM_EQ_PEAKING, 1000.0, 0.0, 0.707, 12 },
      MM_EQ_ROUTE_ALL, false };
    snap_band (eq, b);
  }
}

static bool
settings_equal (const MmEqBandSettings *a, const MmEqBandSettings *b)
{
  return a->enabled == b->enabled && a->route == b->route &&
      a->shape.type == b->shape.type && a->shape.freq == b->shape.freq &&
      a->shape.gain_db == b->shape.gain_db && a->shape.q == b->shape.q &&
      a->shape.slope == b->shape.slope;
}

void
mm_eq_set_band (MmEq *eq, int index, const MmEqBandSettings *s)
{
  mm_eq_set_band_glide (eq, index, s, eq->glide_frames);
}

void
mm_eq_set_band_glide (
    MmEq *eq, int index, const MmEqBandSettings *s, uint32_t glide_frames)
{
  if (index < 0 || index >= MM_EQ_MAX_BANDS)
    return;
  MmEqBand *b = &eq->bands[index];
  MmEqBandSettings old = b->target;

  if (settings_equal (&old, s))
    return;
  b->target = *s;

  if (s->route != b->route) {
    b->route = s->route;
    clear_state (b);
  }

  bool structural = old.enabled != s->enabled ||
      old.shape.type != s->shape.type ||
      (is_pass_type (s->shape.type) && old.shape.slope != s->shape.slope);

  if (glide_frames == 0) {
    snap_band (eq, b);
    return;
  }

  if (structural) {
    /* crossfade the coefficients from what plays now to the new design */
    if (b->active)
      b->morph_from = b->to;
    else
      b->morph_from.n_sections = 0;
    if (!b->active)
      clear_state (b);
    b->shape = s->shape;
    b->glide_left = 0;
    b->morph = 0.0;
    b->morph_step = 1.0 / glide_frames;
  } else {
    b->glide_left = glide_frames;
    b->log_freq_step =
        (log (s->shape.freq) - log (b->shape.freq)) / glide_frames;
    b->gain_step = (s->shape.gain_db - b->shape.gain_db) / glide_frames;
    b->log_q_step = (log (s->shape.q) - log (b->shape.q)) / glide_frames;
  }
  b->steady = false;
  if (!b->active) {
    /* start from what the band sounds like now: nothing */
    design_target (eq, b, &b->to);
    if (structural)
      b->to.n_sections = 0;
    b->from = b->to;
  }
  b->active = true;
}

void
mm_eq_set_output_gain_db (MmEq *eq, double gain_db)
{
  mm_ramp_set_target (&eq->output_gain, pow (10.0, gain_db / 20.0));
}

void
mm_eq_snap (MmEq *eq)
{
  for (int i = 0; i < MM_EQ_MAX_BANDS; i++)
    snap_band (eq, &eq->bands[i]);
  mm_ramp_snap (&eq->output_gain, eq->output_gain.target);
}

void
mm_eq_reset (MmEq *eq)
{
  for (int i = 0; i < MM_EQ_MAX_BANDS; i++)
    clear_state (&eq->bands[i]);
  mm_eq_snap (eq);
}

bool
mm_eq_is_identity (const MmEq *eq)
{
  for (int i = 0; i < MM_EQ_MAX_BANDS; i++)
    if (eq->bands[i].active)
      return false;
  return mm_ramp_is_settled (&eq->output_gain) &&
      eq->output_gain.current == 1.0;
}

/* ---- per block ---- */

/* Moves the band's glide and crossfade on by n frames and designs the
 * coefficients for the end of the block. Returns whether they moved. */
static bool
advance_band (const MmEq *eq, MmEqBand *b, uint32_t n)
{
  bool gliding = b->glide_left > 0, morphing = b->morph < 1.0;
  if (!gliding && !morphing) {
    if (b->from.n_sections != b->to.n_sections ||
        memcmp (b->from.sections, b->to.sections,
            b->to.n_sections * sizeof (MmSvfSection)) != 0) {
      b->from = b->to;
      update_static_coefs (b);
    }
    return false;
  }

  b->from = b->to;
  b->steady = false;
  if (gliding) {
    uint32_t step = n < b->glide_left ? n : b->glide_left;
    b->glide_left -= step;
    if (b->glide_left == 0) {
      b->shape = b->target.shape;
    } else {
      b->shape.freq = exp (log (b->shape.freq) + step * b->log_freq_step);
      b->shape.gain_db += step * b->gain_step;
      b->shape.q = exp (log (b->shape.q) + step * b->log_q_step);
    }
  }
  MmEqDesign target;
  if (b->glide_left > 0 && b->target.enabled)
    mm_eq_design_quick (&target, &b->shape, eq->rate);
  else
    design_target (eq, b, &target);
  if (morphing) {
    b->morph += n * b->morph_step;
    if (b->morph >= 1.0)
      b->morph = 1.0;
  }
  if (b->morph < 1.0)
    blend_designs (&b->morph_from, &target, b->morph, &b->to);
  else
    b->to = target;
  int n_sections = b->from.n_sections > b->to.n_sections ? b->from.n_sections
                                                         : b->to.n_sections;
  MmEqDesign ref = b->to;
  pad_design (&b->to, n_sections, &b->from);
  pad_design (&b->from, n_sections, &ref);
  return true;
}

static void
run_sections (
    MmEqBand *b, MmSvfState *state, double *x, uint32_t n, bool interpolate)
{
  for (int s = 0; s < b->to.n_sections; s++) {
    MmSvfState st = state[s];
    if (!interpolate) {
      const MmSvfSection sec = b->to.sections[s];
      const MmSvfCoefs c = b->coefs[s];
      for (uint32_t i = 0; i < n; i++)
        x[i] = mm_svf_section_tick (&sec, &c, &st, x[i]);
    } else {
      const MmSvfSection p0 = b->from.sections[s], p1 = b->to.sections[s];
      for (uint32_t i = 0; i < n; i++) {
        double t = (double) (i + 1) / n;
        MmSvfSection sec = { p0.g + t * (p1.g - p0.g), p0.k + t * (p1.k - p0.k),
          p0.m0 + t * (p1.m0 - p0.m0), p0.m1 + t * (p1.m1 - p0.m1),
          p0.m2 + t * (p1.m2 - p0.m2) };
        MmSvfCoefs c;
        mm_svf_section_coefs (&sec, &c);
        x[i] = mm_svf_section_tick (&sec, &c, &st, x[i]);
      }
    }
    if (!(isfinite (st.ic1) && isfinite (st.ic2)))
      st = (MmSvfState){ 0.0, 0.0 };
    mm_svf_flush_denormals (&st);
    state[s] = st;
  }
}

static void
run_band (MmEq *eq, MmEqBand *b, uint32_t n, bool interpolate)
{
  MmEqRoute route = b->route;
  int channels = eq->channels;

  if (channels != 2 && (route == MM_EQ_ROUTE_MID || route == MM_EQ_ROUTE_SIDE))
    route = MM_EQ_ROUTE_ALL;
  if (channels < 2 && route == MM_EQ_ROUTE_RIGHT)
    route = MM_EQ_ROUTE_ALL;

  switch (route) {
    case MM_EQ_ROUTE_ALL:
      for (int c = 0; c < channels; c++)
        run_sections (b, b->state[c], eq->planar[c], n, interpolate);
      break;
    case MM_EQ_ROUTE_LEFT:
      run_sections (b, b->state[0], eq->planar[0], n, interpolate);
      break;
    case MM_EQ_ROUTE_RIGHT:
      run_sections (b, b->state[1], eq->planar[1], n, interpolate);
      break;
    case MM_EQ_ROUTE_MID:
    case MM_EQ_ROUTE_SIDE: {
      double *l = eq->planar[0], *r = eq->planar[1];
      double mid[MM_EQ_MAX_CONTROL_FRAMES], side[MM_EQ_MAX_CONTROL_FRAMES];
      for (uint32_t i = 0; i < n; i++) {
        mid[i] = 0.5 * (l[i] + r[i]);
        side[i] = 0.5 * (l[i] - r[i]);
      }
      run_sections (b, b->state[0], route == MM_EQ_ROUTE_MID ? mid : side, n,
          interpolate);
      for (uint32_t i = 0; i < n; i++) {
        l[i] = mid[i] + side[i];
        r[i] = mid[i] - side[i];
      }
      break;
    }
  }
}

static void
process_block (MmEq *eq, uint32_t n)
{
  for (int i = 0; i < MM_EQ_MAX_BANDS; i++) {
    MmEqBand *b = &eq->bands[i];
    if (!b->active)
      continue;
    bool interpolate = advance_band (eq, b, n);
    run_band (eq, b, n, interpolate);
    if (!interpolate && settings_are_identity (&b->target)) {
      b->active = false;
      clear_state (b);
    }
  }
}

/* ---- steady state: every active band fixed and on all channels ----
 * The common case (an EQ that is set, not moving) runs one fused loop straight
 * on the interleaved frames: sample by sample through every section, so that
 * the sections' recursions overlap in the CPU instead of waiting on each other,
 * with a stereo frame in one vector. */

#define MM_EQ_MAX_CHAIN (MM_EQ_MAX_BANDS * MM_EQ_MAX_SECTIONS)

static bool
runs_steady (const MmEq *eq)
{
  if (!mm_ramp_is_settled (&eq->output_gain))
    return false;
  for (int i = 0; i < MM_EQ_MAX_BANDS; i++) {
    const MmEqBand *b = &eq->bands[i];
    if (b->active && (!b->steady || b->route != MM_EQ_ROUTE_ALL))
      return false;
  }
  return true;
}

/* While steady, each section runs as a transposed direct form II biquad (five
 * multiplies, the fewest a biquad can have); its state is mapped from the SVF
 * integrators on the way in and back on the way out, through the observability
 * matrix T = [C; C A + a1 C] of the section's state-space form. */
typedef struct
{
  double b0, b1, b2, a1, a2;
  double t11, t12, t21, t22;
} SteadySection;

typedef struct
{
  int n;
  SteadySection sec[MM_EQ_MAX_CHAIN];
  MmSvfState *svf[MM_EQ_MAX_CHAIN]; /* channel 0's; channel c at + c * stride */
  double z1[MM_EQ_MAX_CHAIN][MM_EQ_MAX_CHANNELS];
  double z2[MM_EQ_MAX_CHAIN][MM_EQ_MAX_CHANNELS];
} SteadyChain;

#define STATE_STRIDE MM_EQ_MAX_SECTIONS

static void
steady_section (const MmSvfStateSpace *m, SteadySection *s)
{
  /* denominator from the characteristic polynomial of A */
  s->a1 = -(m->a11 + m->a22);
  s->a2 = m->a11 * m->a22 - m->a12 * m->a21;
  double cb = m->c1 * m->b1 + m->c2 * m->b2;
  double ca1 = m->c1 * m->a11 + m->c2 * m->a21;
  double ca2 = m->c1 * m->a12 + m->c2 * m->a22;
  double cab = ca1 * m->b1 + ca2 * m->b2;
  s->b0 = m->d;
  s->b1 = cb + s->a1 * m->d;
  s->b2 = cab + s->a1 * cb + s->a2 * m->d;
  s->t11 = m->c1;
  s->t12 = m->c2;
  s->t21 = ca1 + s->a1 * m->c1;
  s->t22 = ca2 + s->a1 * m->c2;
}

static void
gather_chain (MmEq *eq, SteadyChain *chain)
{
  chain->n = 0;
  for (int i = 0; i < MM_EQ_MAX_BANDS; i++) {
    MmEqBand *b = &eq->bands[i];
    if (!b->active)
      continue;
    for (int s = 0; s < b->to.n_sections; s++) {
      const MmSvfSection *sec = &b->to.sections[s];
      /* pass-through padding left over from a crossfade */
      if (sec->m0 == 1.0 && sec->m1 == 0.0 && sec->m2 == 0.0)
        continue;
      SteadySection *ss = &chain->sec[chain->n];
      steady_section (&b->state_space[s], ss);
      chain->svf[chain->n] = &b->state[0][s];
      for (int c = 0; c < eq->channels; c++) {
        const MmSvfState *st = &b->state[c][s];
        chain->z1[chain->n][c] = ss->t11 * st->ic1 + ss->t12 * st->ic2;
        chain->z2[chain->n][c] = ss->t21 * st->ic1 + ss->t22 * st->ic2;
      }
      chain->n++;
    }
  }
}

static void
scatter_chain (const MmEq *eq, const SteadyChain *chain)
{
  for (int k = 0; k < chain->n; k++) {
    const SteadySection *ss = &chain->sec[k];
    double det = ss->t11 * ss->t22 - ss->t12 * ss->t21;
    for (int c = 0; c < eq->channels; c++) {
      MmSvfState *st = &chain->svf[k][c * STATE_STRIDE];
      double z1 = chain->z1[k][c], z2 = chain->z2[k][c];
      if (fabs (det) > 1e-300) {
        st->ic1 = (ss->t22 * z1 - ss->t12 * z2) / det;
        st->ic2 = (ss->t11 * z2 - ss->t21 * z1) / det;
      }
      if (!(isfinite (st->ic1) && isfinite (st->ic2)))
        *st = (MmSvfState){ 0.0, 0.0 };
      mm_svf_flush_denormals (st);
    }
  }
}

#if defined(__GNUC__) || defined(__clang__)
typedef double v2d __attribute__ ((vector_size (16)));
#define HAVE_V2D 1
#endif

#define DEFINE_STEADY_SCALAR(sfx, type)                                        \
  static void run_steady_scalar_##sfx (                                        \
      MmEq *eq, SteadyChain *chain, type *frames, size_t n_frames)             \
  {                                                                            \
    const int channels = eq->channels;                                         \
    const double gain = eq->output_gain.current;                               \
    for (int c = 0; c < channels; c++) {                                       \
      for (size_t i = 0; i < n_frames; i++) {                                  \
        double x = frames[i * channels + c];                                   \
        for (int k = 0; k < chain->n; k++) {                                   \
          const SteadySection *m = &chain->sec[k];                             \
          double y = m->b0 * x + chain->z1[k][c];                              \
          chain->z1[k][c] = m->b1 * x - m->a1 * y + chain->z2[k][c];           \
          chain->z2[k][c] = m->b2 * x - m->a2 * y;                             \
          x = y;                                                               \
        }                                                                      \
        frames[i * channels + c] = (type) (x * gain);                          \
      }                                                                        \
    }                                                                          \
  }

DEFINE_STEADY_SCALAR (f32, float)
DEFINE_STEADY_SCALAR (f64, double)

#ifdef HAVE_V2D
/* Stereo: the frame is one vector, processed over chunks of frames. */

#define STEREO_CHUNK 256

typedef struct
{
  v2d b0, b1, b2, a1, a2;
} V2Section;

typedef struct
{
  V2Section m;
  v2d z1, z2;
} V2Lane;

static void
load_lane (const SteadyChain *chain, int k, V2Lane *lane)
{
  const SteadySection *s = &chain->sec[k];
  lane->m = (V2Section){ { s->b0, s->b0 }, { s->b1, s->b1 }, { s->b2, s->b2 },
    { s->a1, s->a1 }, { s->a2, s->a2 } };
  lane->z1 = (v2d){ chain->z1[k][0], chain->z1[k][1] };
  lane->z2 = (v2d){ chain->z2[k][0], chain->z2[k][1] };
}

static void
store_lane (SteadyChain *chain, int k, const V2Lane *lane)
{
  for (int c = 0; c < 2; c++) {
    chain->z1[k][c] = lane->z1[c];
    chain->z2[k][c] = lane->z2[c];
  }
}

static inline v2d
lane_tick (V2Lane *l, v2d x)
{
  v2d y = l->m.b0 * x + l->z1;
  l->z1 = l->m.b1 * x - l->m.a1 * y + l->z2;
  l->z2 = l->m.b2 * x - l->m.a2 * y;
  return y;
}

/* All sections of a group in one pass, sample by sample: their recursions are
 * independent from one sample to the next, so the CPU overlaps them and a frame
 * costs about one recursion's latency instead of one per section. */
#define LANE_GROUP 8

static inline __attribute__ ((always_inline)) void
run_lane_group (SteadyChain *chain, int k, const int count, v2d *buf, size_t n)
{
  V2Lane lanes[LANE_GROUP];
  for (int j = 0; j < count; j++)
    load_lane (chain, k + j, &lanes[j]);
  for (size_t i = 0; i < n; i++) {
    v2d x = buf[i];
#pragma GCC unroll 8
    for (int j = 0; j < count; j++)
      x = lane_tick (&lanes[j], x);
    buf[i] = x;
  }
  for (int j = 0; j < count; j++)
    store_lane (chain, k + j, &lanes[j]);
}

static void
run_lanes (SteadyChain *chain, int k, int count, v2d *buf, size_t n)
{
  /* a constant count per case lets the compiler keep the lanes in registers */
  switch (count) {
    case 1:
      run_lane_group (chain, k, 1, buf, n);
      break;
    case 2:
      run_lane_group (chain, k, 2, buf, n);
      break;
    case 3:
      run_lane_group (chain, k, 3, buf, n);
      break;
    case 4:
      run_lane_group (chain, k, 4, buf, n);
      break;
    case 5:
      run_lane_group (chain, k, 5, buf, n);
      break;
    case 6:
      run_lane_group (chain, k, 6, buf, n);
      break;
    case 7:
      run_lane_group (chain, k, 7, buf, n);
      break;
    default:
      run_lane_group (chain, k, 8, buf, n);
      break;
  }
}

/* Up to LANE_GROUP sections: one pass straight from and to the frames. */
#define DEFINE_STEREO_FUSED(sfx, type)                                         \
  static inline __attribute__ ((always_inline)) void run_fused_##sfx (         \
      SteadyChain *chain, const int count, v2d gain, type *frames,             \
      size_t n_frames)                                                         \
  {                                                                            \
    V2Lane lanes[LANE_GROUP];                                                  \
    for (int j = 0; j < count; j++)                                            \
      load_lane (chain, j, &lanes[j]);                                         \
    for (size_t i = 0; i < n_frames; i++) {                                    \
      v2d x = { frames[2 * i], frames[2 * i + 1] };                            \
      _Pragma ("GCC unroll 8") for (int j = 0; j < count; j++) x =             \
          lane_tick (&lanes[j], x);                                            \
      x *= gain;                                                               \
      frames[2 * i] = (type) x[0];                                             \
      frames[2 * i + 1] = (type) x[1];                                         \
    }                                                                          \
    for (int j = 0; j < count; j++)                                            \
      store_lane (chain, j, &lanes[j]);                                        \
  }

DEFINE_STEREO_FUSED (f32, float)
DEFINE_STEREO_FUSED (f64, double)

#define DEFINE_STEADY_STEREO(sfx, type)                                        \
  static void run_steady_stereo_##sfx (                                        \
      MmEq *eq, SteadyChain *chain, type *frames, size_t n_frames)             \
  {                                                                            \
    const v2d gain = { eq->output_gain.current, eq->output_gain.current };     \
    switch (chain->n) {                                                        \
      case 0:                                                                  \
        run_fused_##sfx (chain, 0, gain, frames, n_frames);                    \
        return;                                                                \
      case 1:                                                                  \
        run_fused_##sfx (chain, 1, gain, frames, n_frames);                    \
        return;                                                                \
      case 2:                                                                  \
        run_fused_##sfx (chain, 2, gain, frames, n_frames);                    \
        return;                                                                \
      case 3:                                                                  \
        run_fused_##sfx (chain, 3, gain, frames, n_frames);                    \
        return;                                                                \
      case 4:                                                                  \
        run_fused_##sfx (chain, 4, gain, frames, n_frames);                    \
        return;                                                                \
      case 5:                                                                  \
        run_fused_##sfx (chain, 5, gain, frames, n_frames);                    \
        return;                                                                \
      case 6:                                                                  \
        run_fused_##sfx (chain, 6, gain, frames, n_frames);                    \
        return;                                                                \
      case 7:                                                                  \
        run_fused_##sfx (chain, 7, gain, frames, n_frames);                    \
        return;                                                                \
      case 8:                                                                  \
        run_fused_##sfx (chain, 8, gain, frames, n_frames);                    \
        return;                                                                \
      default:                                                                 \
        break;                                                                 \
    }                                                                          \
    v2d buf[STEREO_CHUNK];                                                     \
    for (size_t off = 0; off < n_frames; off += STEREO_CHUNK) {                \
      size_t n =                                                               \
          n_frames - off < STEREO_CHUNK ? n_frames - off : STEREO_CHUNK;       \
      type *f = frames + 2 * off;                                              \
      for (size_t i = 0; i < n; i++)                                           \
        buf[i] = (v2d){ f[2 * i], f[2 * i + 1] };                              \
      for (int k = 0; k < chain->n; k += LANE_GROUP)                           \
        run_lanes (chain, k,                                                   \
            chain->n - k < LANE_GROUP ? chain->n - k : LANE_GROUP, buf, n);    \
      for (size_t i = 0; i < n; i++) {                                         \
        v2d y = buf[i] * gain;                                                 \
        f[2 * i] = (type) y[0];                                                \
        f[2 * i + 1] = (type) y[1];                                            \
      }                                                                        \
    }                                                                          \
  }

DEFINE_STEADY_STEREO (f32, float)
DEFINE_STEADY_STEREO (f64, double)
#define STEADY_STEREO_AVAILABLE 1
#endif

#ifdef STEADY_STEREO_AVAILABLE
#define STEADY_STEREO_DISPATCH(sfx)                                            \
  if (eq->channels == 2)                                                       \
    run_steady_stereo_##sfx (eq, &chain, frames, n_frames);                    \
  else
#else
#define STEADY_STEREO_DISPATCH(sfx)
#endif

#define DEFINE_STEADY(sfx, type)                                               \
  static void run_steady_##sfx (MmEq *eq, type *frames, size_t n_frames)       \
  {                                                                            \
    static _Thread_local SteadyChain chain;                                    \
    gather_chain (eq, &chain);                                                 \
    STEADY_STEREO_DISPATCH (sfx)                                               \
    run_steady_scalar_##sfx (eq, &chain, frames, n_frames);                    \
    scatter_chain (eq, &chain);                                                \
  }

DEFINE_STEADY (f32, float)
DEFINE_STEADY (f64, double)

#define DEFINE_EQ_PROCESS(sfx, type)                                           \
  void mm_eq_process_##sfx (MmEq *eq, type *frames, size_t n_frames)           \
  {                                                                            \
    const int channels = eq->channels;                                         \
    mm_sanitize_##sfx (frames, n_frames *channels);                            \
    if (mm_eq_is_identity (eq))                                                \
      return;                                                                  \
    if (runs_steady (eq)) {                                                    \
      run_steady_##sfx (eq, frames, n_frames);                                 \
      return;                                                                  \
    }                                                                          \
    for (size_t off = 0; off < n_frames;) {                                    \
      uint32_t n = (uint32_t) (n_frames - off < eq->control_frames             \
              ? n_frames - off                                                 \
              : eq->control_frames);                                           \
      type *block = frames + off * channels;                                   \
      for (uint32_t i = 0; i < n; i++)                                         \
        for (int c = 0; c < channels; c++)                                     \
          eq->planar[c][i] = block[i * channels + c];                          \
      process_block (eq, n);                                                   \
      mm_ramp_fill_f64 (&eq->output_gain, eq->gain_values, n);                 \
      for (uint32_t i = 0; i < n; i++)                                         \
        for (int c = 0; c < channels; c++) {                                   \
          double y = eq->planar[c][i] * eq->gain_values[i];                    \
          block[i * channels + c] = (type) (isfinite (y) ? y : 0.0);           \
        }                                                                      \
      off += n;                                                                \
    }                                                                          \
  }

DEFINE_EQ_PROCESS (f32, float)
DEFINE_EQ_PROCESS (f64, double)
