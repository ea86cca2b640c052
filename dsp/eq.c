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
        memcmp (&b->from, &b->to, sizeof (b->to)) != 0) {
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

typedef struct
{
  int n;
  MmSvfStateSpace ss[MM_EQ_MAX_CHAIN];
  MmSvfState
      *state[MM_EQ_MAX_CHAIN]; /* channel 0's; channel c at + c * stride */
} SteadyChain;

static void
gather_chain (MmEq *eq, SteadyChain *chain)
{
  chain->n = 0;
  for (int i = 0; i < MM_EQ_MAX_BANDS; i++) {
    MmEqBand *b = &eq->bands[i];
    if (!b->active)
      continue;
    for (int s = 0; s < b->to.n_sections; s++) {
      chain->ss[chain->n] = b->state_space[s];
      chain->state[chain->n] = &b->state[0][s];
      chain->n++;
    }
  }
}

#define STATE_STRIDE MM_EQ_MAX_SECTIONS

static void
finish_state (MmSvfState *st)
{
  if (!(isfinite (st->ic1) && isfinite (st->ic2)))
    *st = (MmSvfState){ 0.0, 0.0 };
  mm_svf_flush_denormals (st);
}

#if defined(__GNUC__) || defined(__clang__)
typedef double v2d __attribute__ ((vector_size (16)));
#define HAVE_V2D 1
#endif

#define DEFINE_STEADY_SCALAR(sfx, type)                                        \
  static void run_steady_scalar_##sfx (                                        \
      MmEq *eq, const SteadyChain *chain, type *frames, size_t n_frames)       \
  {                                                                            \
    const int channels = eq->channels;                                         \
    const double gain = eq->output_gain.current;                               \
    for (int c = 0; c < channels; c++) {                                       \
      double ic1[MM_EQ_MAX_CHAIN], ic2[MM_EQ_MAX_CHAIN];                       \
      for (int k = 0; k < chain->n; k++) {                                     \
        ic1[k] = chain->state[k][c * STATE_STRIDE].ic1;                        \
        ic2[k] = chain->state[k][c * STATE_STRIDE].ic2;                        \
      }                                                                        \
      for (size_t i = 0; i < n_frames; i++) {                                  \
        double x = frames[i * channels + c];                                   \
        for (int k = 0; k < chain->n; k++) {                                   \
          const MmSvfStateSpace *m = &chain->ss[k];                            \
          double y = m->c1 * ic1[k] + m->c2 * ic2[k] + m->d * x;               \
          double n1 = m->a11 * ic1[k] + m->a12 * ic2[k] + m->b1 * x;           \
          double n2 = m->a21 * ic1[k] + m->a22 * ic2[k] + m->b2 * x;           \
          ic1[k] = n1;                                                         \
          ic2[k] = n2;                                                         \
          x = y;                                                               \
        }                                                                      \
        frames[i * channels + c] = (type) (x * gain);                          \
      }                                                                        \
      for (int k = 0; k < chain->n; k++) {                                     \
        MmSvfState *st = &chain->state[k][c * STATE_STRIDE];                   \
        st->ic1 = ic1[k];                                                      \
        st->ic2 = ic2[k];                                                      \
        finish_state (st);                                                     \
      }                                                                        \
    }                                                                          \
  }

DEFINE_STEADY_SCALAR (f32, float)
DEFINE_STEADY_SCALAR (f64, double)

#ifdef HAVE_V2D
/* Stereo: the frame is one vector; sections run in pairs whose states and
 * coefficients stay in registers, sample by sample, over chunks of frames. */

#define STEREO_CHUNK 256

typedef struct
{
  v2d a11, a12, a21, a22, b1, b2, c1, c2, d;
} V2StateSpace;

static V2StateSpace
broadcast (const MmSvfStateSpace *m)
{
  V2StateSpace v = { { m->a11, m->a11 }, { m->a12, m->a12 }, { m->a21, m->a21 },
    { m->a22, m->a22 }, { m->b1, m->b1 }, { m->b2, m->b2 }, { m->c1, m->c1 },
    { m->c2, m->c2 }, { m->d, m->d } };
  return v;
}

static inline v2d
v2_tick (const V2StateSpace *m, v2d *ic1, v2d *ic2, v2d x)
{
  v2d y = m->c1 * *ic1 + m->c2 * *ic2 + m->d * x;
  v2d n1 = m->a11 * *ic1 + m->a12 * *ic2 + m->b1 * x;
  v2d n2 = m->a21 * *ic1 + m->a22 * *ic2 + m->b2 * x;
  *ic1 = n1;
  *ic2 = n2;
  return y;
}

static void
load_v2_state (MmSvfState *st, v2d *ic1, v2d *ic2)
{
  *ic1 = (v2d){ st[0].ic1, st[STATE_STRIDE].ic1 };
  *ic2 = (v2d){ st[0].ic2, st[STATE_STRIDE].ic2 };
}

static void
store_v2_state (MmSvfState *st, v2d ic1, v2d ic2)
{
  for (int c = 0; c < 2; c++) {
    st[c * STATE_STRIDE].ic1 = ic1[c];
    st[c * STATE_STRIDE].ic2 = ic2[c];
  }
}

static void
run_pair (const SteadyChain *chain, int k, v2d *buf, size_t n)
{
  const V2StateSpace m0 = broadcast (&chain->ss[k]);
  const V2StateSpace m1 = broadcast (&chain->ss[k + 1]);
  v2d p1, p2, q1, q2;
  load_v2_state (chain->state[k], &p1, &p2);
  load_v2_state (chain->state[k + 1], &q1, &q2);
  for (size_t i = 0; i < n; i++)
    buf[i] = v2_tick (&m1, &q1, &q2, v2_tick (&m0, &p1, &p2, buf[i]));
  store_v2_state (chain->state[k], p1, p2);
  store_v2_state (chain->state[k + 1], q1, q2);
}

static void
run_triple (const SteadyChain *chain, int k, v2d *buf, size_t n)
{
  const V2StateSpace m0 = broadcast (&chain->ss[k]);
  const V2StateSpace m1 = broadcast (&chain->ss[k + 1]);
  const V2StateSpace m2 = broadcast (&chain->ss[k + 2]);
  v2d p1, p2, q1, q2, r1, r2;
  load_v2_state (chain->state[k], &p1, &p2);
  load_v2_state (chain->state[k + 1], &q1, &q2);
  load_v2_state (chain->state[k + 2], &r1, &r2);
  for (size_t i = 0; i < n; i++)
    buf[i] = v2_tick (&m2, &r1, &r2,
        v2_tick (&m1, &q1, &q2, v2_tick (&m0, &p1, &p2, buf[i])));
  store_v2_state (chain->state[k], p1, p2);
  store_v2_state (chain->state[k + 1], q1, q2);
  store_v2_state (chain->state[k + 2], r1, r2);
}

static void
run_single (const SteadyChain *chain, int k, v2d *buf, size_t n)
{
  const V2StateSpace m0 = broadcast (&chain->ss[k]);
  v2d p1, p2;
  load_v2_state (chain->state[k], &p1, &p2);
  for (size_t i = 0; i < n; i++)
    buf[i] = v2_tick (&m0, &p1, &p2, buf[i]);
  store_v2_state (chain->state[k], p1, p2);
}

#define DEFINE_STEADY_STEREO(sfx, type)                                        \
  static void run_steady_stereo_##sfx (                                        \
      MmEq *eq, const SteadyChain *chain, type *frames, size_t n_frames)       \
  {                                                                            \
    const v2d gain = { eq->output_gain.current, eq->output_gain.current };     \
    v2d buf[STEREO_CHUNK];                                                     \
    for (size_t off = 0; off < n_frames; off += STEREO_CHUNK) {                \
      size_t n =                                                               \
          n_frames - off < STEREO_CHUNK ? n_frames - off : STEREO_CHUNK;       \
      type *f = frames + 2 * off;                                              \
      for (size_t i = 0; i < n; i++)                                           \
        buf[i] = (v2d){ f[2 * i], f[2 * i + 1] };                              \
      int k = 0;                                                               \
      /* an odd count starts with three: a lone section waits on itself */     \
      if (chain->n >= 3 && chain->n % 2) {                                     \
        run_triple (chain, 0, buf, n);                                         \
        k = 3;                                                                 \
      }                                                                        \
      for (; k + 1 < chain->n; k += 2)                                         \
        run_pair (chain, k, buf, n);                                           \
      if (k < chain->n)                                                        \
        run_single (chain, k, buf, n);                                         \
      for (size_t i = 0; i < n; i++) {                                         \
        v2d y = buf[i] * gain;                                                 \
        f[2 * i] = (type) y[0];                                                \
        f[2 * i + 1] = (type) y[1];                                            \
      }                                                                        \
    }                                                                          \
    for (int k = 0; k < chain->n; k++)                                         \
      for (int c = 0; c < 2; c++)                                              \
        finish_state (&chain->state[k][c * STATE_STRIDE]);                     \
  }

DEFINE_STEADY_STEREO (f32, float)
DEFINE_STEADY_STEREO (f64, double)
#define STEADY_STEREO_AVAILABLE 1
#endif

#define DEFINE_STEADY(sfx, type)                                               \
  static void run_steady_##sfx (MmEq *eq, type *frames, size_t n_frames)       \
  {                                                                            \
    static _Thread_local SteadyChain chain;                                    \
    gather_chain (eq, &chain);                                                 \
    STEADY_STEREO_DISPATCH (sfx);                                              \
    run_steady_scalar_##sfx (eq, &chain, frames, n_frames);                    \
  }

#ifdef STEADY_STEREO_AVAILABLE
#define STEADY_STEREO_DISPATCH(sfx)                                            \
  if (eq->channels == 2) {                                                     \
    run_steady_stereo_##sfx (eq, &chain, frames, n_frames);                    \
    return;                                                                    \
  }
#else
#define STEADY_STEREO_DISPATCH(sfx)
#endif

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
