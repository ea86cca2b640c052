/* gst-mixmaster
 * Copyright (C) 2026 gst-mixmaster developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "limiter.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mixmaster-orc-init.h"
#include "mixmaster-orc.h"
#include "ramp.h"
#include "truepeak.h"

/* The running sum is recomputed this often, so rounding cannot accumulate. */
#define RESUM_FRAMES 65536
/* automatic release: how much faster after transients, and how far under the
 * sustained reduction (0.5 dB) the gain counts as recovering from one */
#define AUTO_FAST_RATIO 4.0
#define AUTO_TRANSIENT_RATIO 0.944

void
mm_limiter_gain_init (MmLimiterGain *lg, size_t length, double *storage)
{
  lg->length = length < 1 ? 1 : length;
  lg->inverse_length = 1.0 / (double) lg->length;
  lg->segment = storage;
  lg->suffix = storage + lg->length;
  lg->ring = storage + 2 * lg->length;
  lg->ceiling = 1.0;
  lg->release = 1.0;
  lg->automatic = false;
  lg->release_fast = 1.0;
  lg->sustained_fall = lg->sustained_rise = 1.0;
  mm_limiter_gain_reset (lg);
}

void
mm_limiter_gain_set_ceiling (MmLimiterGain *lg, double ceiling_linear)
{
  lg->ceiling = ceiling_linear;
}

/* per-frame factor for a rise of 20 dB in `frames` */
static double
rise_per_frame (double frames)
{
  return frames > 0.0 ? pow (10.0, 1.0 / frames) : INFINITY;
}

void
mm_limiter_gain_set_release (
    MmLimiterGain *lg, double rate, double release_ms, bool automatic)
{
  double frames = release_ms * rate / 1000.0;
  lg->release = rise_per_frame (frames);
  lg->automatic = automatic;
  lg->release_fast = rise_per_frame (frames / AUTO_FAST_RATIO);
  /* the average follows a new reduction within about a release time and
   * forgets it over four */
  lg->sustained_fall = 1.0 - exp (-1.0 / fmax (frames, 1.0));
  lg->sustained_rise = 1.0 - exp (-1.0 / fmax (4.0 * frames, 1.0));
}

void
mm_limiter_gain_reset (MmLimiterGain *lg)
{
  lg->segment_pos = 0;
  lg->all_ones = true;
  lg->prefix = 1.0;
  lg->window_min = 1.0;
  lg->released = 1.0;
  lg->sustained = 1.0;
  for (size_t i = 0; i < lg->length; i++)
    lg->segment[i] = lg->suffix[i] = lg->ring[i] = 1.0;
  lg->ring_pos = 0;
  lg->sum = (double) lg->length;
  lg->below_one = 0;
  lg->since_resum = 0;
}

void
mm_limiter_gain_copy (MmLimiterGain *dst, const MmLimiterGain *src)
{
  double *segment = dst->segment, *suffix = dst->suffix, *ring = dst->ring;
  memcpy (segment, src->segment, src->length * sizeof (double));
  memcpy (suffix, src->suffix, src->length * sizeof (double));
  memcpy (ring, src->ring, src->length * sizeof (double));
  *dst = *src;
  dst->segment = segment;
  dst->suffix = suffix;
  dst->ring = ring;
}

/* The core over n frames; the state lives in locals for the loop. */
static double
gain_core_run (
    MmLimiterGain *lg, const float *need_in, double *gain_out, size_t n)
{
  double lowest = 1.0;
  const size_t length = lg->length;
  const double inverse_length = lg->inverse_length;
  const double release = lg->release, release_fast = lg->release_fast;
  const double fall = lg->sustained_fall, rise_back = lg->sustained_rise;
  const bool automatic = lg->automatic;
  double *const segment = lg->segment, *const suffix = lg->suffix;
  double *const ring = lg->ring;
  size_t segment_pos = lg->segment_pos, ring_pos = lg->ring_pos;
  size_t below_one = lg->below_one;
  double prefix = lg->prefix, window_min = lg->window_min;
  double released = lg->released, sustained = lg->sustained, sum = lg->sum;
  uint32_t since_resum = lg->since_resum;

  for (size_t i = 0; i < n; i++) {
    const double need = need_in[i];

    /* sliding minimum over the last `length` frames: the current segment's
     * running minimum and the minimum of the previous segment's frames still
     * in the window */
    segment[segment_pos] = need;
    prefix = segment_pos == 0 || need < prefix ? need : prefix;
    window_min = prefix;
    if (segment_pos + 1 < length) {
      const double before = suffix[segment_pos + 1];
      window_min = before < prefix ? before : prefix;
      segment_pos++;
    } else {
      /* the segment is complete: its suffix minima serve the next one */
      double m = segment[length - 1];
      suffix[length - 1] = m;
      for (size_t k = length - 1; k-- > 0;) {
        m = segment[k] < m ? segment[k] : m;
        suffix[k] = m;
      }
      segment_pos = 0;
    }

    /* release: rise at most by the release factor per frame */
    double rise = release;
    if (automatic) {
      sustained += (window_min < sustained ? fall : rise_back) *
          (window_min - sustained);
      if (released < sustained * AUTO_TRANSIENT_RATIO)
        rise = release_fast;
    }
    released *= rise;
    if (released > window_min)
      released = window_min;

    /* boxcar of the same length */
    const double leaving = ring[ring_pos];
    below_one += (size_t) (released < 1.0) - (size_t) (leaving < 1.0);
    sum += released - leaving;
    ring[ring_pos] = released;
    if (++ring_pos == length)
      ring_pos = 0;
    if (below_one == 0) {
      /* all ones: exactly transparent again, whatever rounding the sum had */
      sum = (double) length;
      since_resum = 0;
      gain_out[i] = 1.0;
      continue;
    }
    if (++since_resum >= RESUM_FRAMES) {
      sum = 0.0;
      for (size_t k = 0; k < length; k++)
        sum += ring[k];
      since_resum = 0;
    }
    double gain = sum * inverse_length;
    /* The mean is at most the frame's need, but its rounding is not: bound it
     * by the oldest value in the box (m' of the frame itself), which is
     * exact. */
    const double oldest = ring[ring_pos];
    gain = gain > oldest ? oldest : gain;
    gain_out[i] = gain;
    lowest = gain < lowest ? gain : lowest;
  }

  lg->segment_pos = segment_pos;
  lg->all_ones = false;
  lg->prefix = prefix;
  lg->window_min = window_min;
  lg->ring_pos = ring_pos;
  lg->below_one = below_one;
  lg->released = released;
  lg->sustained = sustained;
  lg->sum = sum;
  lg->since_resum = since_resum;
  return lowest;
}

double
mm_limiter_gain_run (
    MmLimiterGain *lg, const float *need, double *gain, size_t n)
{
  return gain_core_run (lg, need, gain, n);
}

static inline double
gain_tick_need (MmLimiterGain *lg, double need)
{
  double gain;
  /* the core takes float needs: never round one up */
  float need_f = (float) need;
  if (need_f > need)
    need_f = nextafterf (need_f, 0.0f);
  gain_core_run (lg, &need_f, &gain, 1);
  return gain;
}

/* the gain a frame needs for its peak */
static inline double
need_for_peak (double ceiling, double peak)
{
  return peak > ceiling ? ceiling / peak : 1.0;
}

double
mm_limiter_gain_tick (MmLimiterGain *lg, double peak)
{
  return gain_tick_need (lg, need_for_peak (lg->ceiling, peak));
}

/* ---- the limiter ---- */

/* The detector can read a peak between its points low: its 8x grid by up to
 * cos(pi f / 8) (0.13 dB at 0.45 of the rate, 0.17 dB towards Nyquist), its
 * first stage by up to 0.2 dB past 0.48 of the rate. The gain cores aim this
 * much under the ceiling so that a finer measurement of the output stays
 * within 0.1 dB of it even for full-band white noise. Sample-peak mode only
 * covers the rounding of the gain and of the product to the stream's
 * format. */
#define TRUE_PEAK_MARGIN_DB MM_LIMITER_TRUE_PEAK_MARGIN_DB
#define SAMPLE_PEAK_MARGIN_DB 0.001
/* Samples beyond +180 dBFS are clipped there before anything else. */
#define INPUT_LIMIT 1e9
#define INPUT_GAIN_GLIDE_MS 10.0
/* Float needs are computed from a ceiling this much lower, so that neither
 * the ceiling's rounding nor the division's can round a need up. */
#define NEED_ROUNDING (1.0 - 0x1p-22)

struct MmLimiter
{
  int channels;
  double rate;
  size_t max_lookahead, lookahead;

  MmTruePeak detector;
  MmTruePeakState *detect; /* [channels] */
  MmLimiterGain gain[MM_LIMITER_MAX_CHANNELS];
  double *gain_values;

  /* the delayed audio, in the stream's own format */
  void *ring;
  void *refeed; /* history + held frames, for a reconfiguration */
  size_t ring_capacity, ring_write;
  size_t ring_sample_size; /* 0 until the first block */

  double ceiling_db, link, release_ms;
  bool cores_linked; /* core 0 alone holds the state */
  size_t handover; /* frames left in which all cores run, see compute_gains */
  size_t silent_frames; /* input frames of exact silence in a row */
  bool automatic;
  MmRamp input_gain; /* linear */
  bool started;
  double lowest_gain; /* since the last take */

  float in[MM_LIMITER_MAX_CHANNELS][MM_LIMITER_BLOCK];
  float peak[MM_LIMITER_MAX_CHANNELS][MM_LIMITER_BLOCK];
  float loudest[MM_LIMITER_BLOCK];
  float need[MM_LIMITER_BLOCK];
  double frame_gain[MM_LIMITER_MAX_CHANNELS][MM_LIMITER_BLOCK];
  float sample_gain_f32[MM_LIMITER_MAX_CHANNELS * MM_LIMITER_BLOCK];
  double sample_gain_f64[MM_LIMITER_MAX_CHANNELS * MM_LIMITER_BLOCK];
};

static size_t
core_length (const MmLimiter *l)
{
  /* a core of L + 1 frames delays by L: the lookahead is the latency the user
   * set, plus the detector's */
  return l->lookahead + 1;
}

size_t
mm_limiter_latency_frames (const MmLimiter *l)
{
  return l->lookahead + (size_t) l->detector.delay;
}

size_t
mm_limiter_get_lookahead_frames (const MmLimiter *l)
{
  return l->lookahead;
}

static void
apply_gain_settings (MmLimiter *l)
{
  const double margin =
      l->detector.factor > 1 ? TRUE_PEAK_MARGIN_DB : SAMPLE_PEAK_MARGIN_DB;
  const double ceiling = pow (10.0, (l->ceiling_db - margin) / 20.0);
  for (int c = 0; c < l->channels; c++) {
    mm_limiter_gain_set_ceiling (&l->gain[c], ceiling);
    mm_limiter_gain_set_release (
        &l->gain[c], l->rate, l->release_ms, l->automatic);
  }
}

MmLimiter *
mm_limiter_new (int channels, double rate, double max_lookahead_ms)
{
  if (channels < 1 || channels > MM_LIMITER_MAX_CHANNELS || !(rate > 0.0) ||
      !(max_lookahead_ms >= 0.0))
    return NULL;
  MmLimiter *l = calloc (1, sizeof (MmLimiter));
  if (!l)
    return NULL;
  l->channels = channels;
  l->rate = rate;
  l->max_lookahead = (size_t) lround (max_lookahead_ms * rate / 1000.0);
  if (l->max_lookahead < 1)
    l->max_lookahead = 1;
  l->lookahead = l->max_lookahead;

  const size_t core_max = l->max_lookahead + 1;
  l->detect = calloc ((size_t) channels, sizeof (MmTruePeakState));
  l->gain_values = calloc ((size_t) channels * 3 * core_max, sizeof (double));
  l->ring_capacity =
      l->max_lookahead + MM_TRUEPEAK_HISTORY + MM_LIMITER_BLOCK + 1;
  l->ring = calloc (l->ring_capacity * (size_t) channels, sizeof (double));
  l->refeed =
      calloc ((MM_TRUEPEAK_HISTORY + l->max_lookahead + MM_TRUEPEAK_MAX_DELAY) *
              (size_t) channels,
          sizeof (double));
  if (!l->detect || !l->gain_values || !l->ring || !l->refeed) {
    mm_limiter_free (l);
    return NULL;
  }
  l->ceiling_db = -1.0;
  l->link = 1.0;
  l->release_ms = 150.0;
  l->automatic = false;
  mm_ramp_init (&l->input_gain, 1.0,
      (uint32_t) fmax (1.0, lround (INPUT_GAIN_GLIDE_MS * rate / 1000.0)));
  mm_true_peak_init (&l->detector, 8, rate);
  mm_limiter_reset (l);
  return l;
}

void
mm_limiter_free (MmLimiter *l)
{
  if (!l)
    return;
  free (l->detect);
  free (l->gain_values);
  free (l->ring);
  free (l->refeed);
  free (l);
}

void
mm_limiter_reset (MmLimiter *l)
{
  const size_t core_max = l->max_lookahead + 1;
  for (int c = 0; c < l->channels; c++) {
    mm_true_peak_reset_state (&l->detect[c]);
    mm_limiter_gain_init (&l->gain[c], core_length (l),
        l->gain_values + (size_t) c * 3 * core_max);
  }
  apply_gain_settings (l);
  memset (
      l->ring, 0, l->ring_capacity * (size_t) l->channels * sizeof (double));
  l->ring_write = 0;
  l->ring_sample_size = 0;
  l->cores_linked = true;
  l->handover = 0;
  l->silent_frames = 0;
  l->lowest_gain = 1.0;
  mm_limiter_snap (l);
}

void
mm_limiter_snap (MmLimiter *l)
{
  mm_ramp_snap (&l->input_gain, l->input_gain.target);
  l->started = false;
}

static size_t
clamp_lookahead (const MmLimiter *l, size_t frames)
{
  return frames < 1 ? 1
                    : (frames > l->max_lookahead ? l->max_lookahead : frames);
}

/* The core whose gain is lowest: the one in charge when linked. */
static int
lowest_core (const MmLimiter *l)
{
  int lowest = 0;
  if (l->cores_linked && l->handover == 0)
    return 0;
  for (int c = 1; c < l->channels; c++)
    if (l->gain[c].released < l->gain[lowest].released)
      lowest = c;
  return lowest;
}

void
mm_limiter_set_lookahead_frames (MmLimiter *l, size_t frames)
{
  l->lookahead = clamp_lookahead (l, frames);
  mm_limiter_reset (l);
}

void
mm_limiter_set_oversampling (MmLimiter *l, int factor)
{
  mm_true_peak_init (&l->detector, factor, l->rate);
  mm_limiter_reset (l);
}

void
mm_limiter_set_ceiling_db (MmLimiter *l, double ceiling_db)
{
  l->ceiling_db = ceiling_db;
  apply_gain_settings (l);
}

void
mm_limiter_set_input_gain_db (MmLimiter *l, double gain_db)
{
  double target = pow (10.0, gain_db / 20.0);
  if (l->started)
    mm_ramp_set_target (&l->input_gain, target);
  else
    mm_ramp_snap (&l->input_gain, target);
}

void
mm_limiter_set_release (MmLimiter *l, double release_ms, bool automatic)
{
  l->release_ms = release_ms;
  l->automatic = automatic;
  apply_gain_settings (l);
}

void
mm_limiter_set_stereo_link (MmLimiter *l, double link)
{
  l->link = link < 0.0 ? 0.0 : (link > 1.0 ? 1.0 : link);
}

double
mm_limiter_take_reduction_db (MmLimiter *l)
{
  double db = l->lowest_gain < 1.0 ? -20.0 * log10 (l->lowest_gain) : 0.0;
  l->lowest_gain = 1.0;
  return db;
}

static inline double
next_input_gain (MmLimiter *l)
{
  return mm_ramp_advance (&l->input_gain, 1);
}

/* Detector and gain cores over one block of the (already scaled) input in
 * l->in; fills l->frame_gain for the frames leaving the delay.
 *
 * Fully linked, one core serves every channel. Leaving full link, the other
 * cores start from its state: its gains were computed for the loudest
 * channel, so they are at most what any channel needs. Coming back, every
 * core runs on the loudest channel for one core length and each frame gets
 * the lowest of their gains: the core of the channel that was loudest at a
 * frame had the loudest peak for it. After that, core 0 alone holds only
 * linked history. */
static void
compute_gains (MmLimiter *l, size_t n)
{
  const int channels = l->channels;
  double lowest = l->lowest_gain;

  for (int c = 0; c < channels; c++)
    mm_true_peak_process (&l->detector, &l->detect[c], l->in[c], l->peak[c], n);

  float *loudest = l->peak[0];
  if (channels > 1) {
    loudest = l->loudest;
    mixmaster_orc_max_f32 (loudest, l->peak[0], l->peak[1], (int) n);
    for (int c = 2; c < channels; c++)
      for (size_t i = 0; i < n; i++)
        loudest[i] = l->peak[c][i] > loudest[i] ? l->peak[c][i] : loudest[i];
  }

  const double link = l->link;
  const bool linked = channels == 1 || link >= 1.0;
  if (!linked && l->cores_linked) {
    for (int c = 1; c < channels; c++)
      mm_limiter_gain_copy (&l->gain[c], &l->gain[0]);
  } else if (linked && !l->cores_linked) {
    l->handover = core_length (l);
  }
  l->cores_linked = linked;

  if (linked && l->handover == 0) {
    double *g = l->frame_gain[0];
    /* apart from the serial core, so the divisions vectorize */
    mixmaster_orc_need_f32 (l->need, loudest,
        (float) (l->gain[0].ceiling * NEED_ROUNDING), (int) n);
    double low = gain_core_run (&l->gain[0], l->need, g, n);
    lowest = low < lowest ? low : lowest;
    for (int c = 1; c < channels; c++)
      memcpy (l->frame_gain[c], g, n * sizeof (double));
  } else if (linked) {
    for (size_t i = 0; i < n; i++) {
      double g = 1.0;
      for (int c = 0; c < channels; c++) {
        double gc = mm_limiter_gain_tick (&l->gain[c], loudest[i]);
        g = gc < g ? gc : g;
      }
      for (int c = 0; c < channels; c++)
        l->frame_gain[c][i] = g;
      lowest = g < lowest ? g : lowest;
      if (l->handover > 0)
        l->handover--;
    }
  } else {
    for (int c = 0; c < channels; c++) {
      const float *own = l->peak[c];
      double *g = l->frame_gain[c];
      for (size_t i = 0; i < n; i++) {
        g[i] = mm_limiter_gain_tick (
            &l->gain[c], own[i] + link * (loudest[i] - own[i]));
        lowest = g[i] < lowest ? g[i] : lowest;
      }
    }
  }
  l->lowest_gain = lowest;
}

/* Whether the cores in charge rest at a gain of exactly 1 with only ones in
 * their windows: then a block of silence changes nothing but their clocks. */
static bool
cores_at_rest (const MmLimiter *l)
{
  const int cores = l->cores_linked ? 1 : l->channels;
  if (l->handover > 0)
    return false;
  for (int c = 0; c < cores; c++) {
    const MmLimiterGain *lg = &l->gain[c];
    if (lg->below_one != 0 || lg->released != 1.0 || lg->window_min != 1.0)
      return false;
  }
  return true;
}

/* What n frames of silence would do to resting cores, the delay and the
 * input-gain glide. */
static void
skip_silence (MmLimiter *l, size_t n)
{
  const int cores = l->cores_linked ? 1 : l->channels;
  for (int c = 0; c < cores; c++) {
    MmLimiterGain *lg = &l->gain[c];
    /* every need in the window was 1 and so are these: whatever the
     * minimum's storage will be asked for from now on reads 1 */
    if (!lg->all_ones) {
      for (size_t k = 0; k < lg->length; k++)
        lg->segment[k] = lg->suffix[k] = 1.0;
      lg->prefix = 1.0;
      lg->all_ones = true;
    }
    lg->segment_pos = (lg->segment_pos + n) % lg->length;
    lg->ring_pos = (lg->ring_pos + n) % lg->length;
    if (lg->automatic)
      lg->sustained +=
          (1.0 - lg->sustained) * (1.0 - pow (1.0 - lg->sustained_rise, n));
  }
  const size_t sample_size = l->ring_sample_size;
  const size_t frame_bytes = sample_size * (size_t) l->channels;
  size_t w = l->ring_write,
         first = l->ring_capacity - w < n ? l->ring_capacity - w : n;
  memset ((char *) l->ring + w * frame_bytes, 0, first * frame_bytes);
  memset (l->ring, 0, (n - first) * frame_bytes);
  l->ring_write = w + n >= l->ring_capacity ? w + n - l->ring_capacity : w + n;
  mm_ramp_advance (&l->input_gain, n);
}

/* The input into the delay (scaled) and into the detector: the common case
 * of finite samples within range at a steady input gain, in passes the
 * compiler vectorizes; false when the block needs the checked path. */
#define DEFINE_INPUT(SUFFIX, TYPE, FABS)                                        \
  static bool take_input_##SUFFIX (MmLimiter *l, const TYPE *f, size_t n)       \
  {                                                                             \
    const int channels = l->channels;                                           \
    const size_t samples = n * (size_t) channels;                               \
    const double gain = l->input_gain.current;                                  \
    if (!mm_ramp_is_settled (&l->input_gain))                                   \
      return false;                                                             \
    const TYPE limit = (TYPE) (INPUT_LIMIT / gain);                             \
    int in_range = 1;                                                           \
    for (size_t k = 0; k < samples; k++)                                        \
      in_range &= FABS (f[k]) <= limit;                                         \
    if (!in_range)                                                              \
      return false;                                                             \
                                                                                \
    TYPE *ring = l->ring;                                                       \
    size_t w = l->ring_write;                                                   \
    for (size_t done = 0; done < n;) {                                          \
      size_t len =                                                              \
          l->ring_capacity - w < n - done ? l->ring_capacity - w : n - done;    \
      TYPE *dst = ring + w * (size_t) channels;                                 \
      const TYPE *src = f + done * (size_t) channels;                           \
      const size_t count = len * (size_t) channels;                             \
      if (gain == 1.0)                                                          \
        memcpy (dst, src, count * sizeof (TYPE));                               \
      else                                                                      \
        for (size_t k = 0; k < count; k++)                                      \
          dst[k] = (TYPE) (src[k] * gain);                                      \
      for (int c = 0; c < channels; c++) {                                      \
        float *in = l->in[c] + done;                                            \
        for (size_t i = 0; i < len; i++)                                        \
          in[i] = (float) dst[i * channels + c];                                \
      }                                                                         \
      done += len;                                                              \
      w = 0;                                                                    \
    }                                                                           \
    return true;                                                                \
  }                                                                             \
                                                                                \
  /* NaN and Inf become 0, out-of-range samples are clipped, the input gain   \
   * may glide. */ \
  static void take_input_checked_##SUFFIX (                                     \
      MmLimiter *l, const TYPE *f, size_t n)                                    \
  {                                                                             \
    const int channels = l->channels;                                           \
    TYPE *ring = l->ring;                                                       \
    size_t w = l->ring_write;                                                   \
    for (size_t i = 0; i < n; i++) {                                            \
      const double gain = next_input_gain (l);                                  \
      TYPE *slot = ring + w * (size_t) channels;                                \
      for (int c = 0; c < channels; c++) {                                      \
        double v = f[i * channels + c];                                         \
        v = isfinite (v) ? v * gain : 0.0;                                      \
        v = v > INPUT_LIMIT ? INPUT_LIMIT                                       \
                            : (v < -INPUT_LIMIT ? -INPUT_LIMIT : v);            \
        slot[c] = (TYPE) v;                                                     \
        l->in[c][i] = (float) slot[c];                                          \
      }                                                                         \
      if (++w == l->ring_capacity)                                              \
        w = 0;                                                                  \
    }                                                                           \
  }

DEFINE_INPUT (f32, float, fabsf)
DEFINE_INPUT (f64, double, fabs)

/* One implementation for both sample formats. */
#define DEFINE_PROCESS(SUFFIX, TYPE, SAMPLE_GAIN, ORC_MUL)                     \
  void mm_limiter_process_##SUFFIX (                                           \
      MmLimiter *l, TYPE *frames, size_t n_frames)                             \
  {                                                                            \
    const int channels = l->channels;                                          \
    const size_t capacity = l->ring_capacity;                                  \
    const size_t delay = mm_limiter_latency_frames (l);                        \
    TYPE *ring = l->ring;                                                      \
                                                                               \
    if (l->ring_sample_size != sizeof (TYPE)) {                                \
      /* a new stream or a format change: the delay holds silence */           \
      memset (l->ring, 0, capacity *(size_t) channels * sizeof (double));      \
      l->ring_sample_size = sizeof (TYPE);                                     \
    }                                                                          \
    l->started = true;                                                         \
    for (size_t done = 0; done < n_frames;) {                                  \
      const size_t n = n_frames - done < MM_LIMITER_BLOCK ? n_frames - done    \
                                                          : MM_LIMITER_BLOCK;  \
      TYPE *f = frames + done * (size_t) channels;                             \
      const size_t start = l->ring_write;                                      \
                                                                               \
      int silent = 1;                                                          \
      for (size_t k = 0; k < n * (size_t) channels; k++)                       \
        silent &= f[k] == 0;                                                   \
      if (silent && l->silent_frames >= delay + MM_TRUEPEAK_HISTORY &&         \
          cores_at_rest (l)) {                                                 \
        /* all held audio and the detector's history are silence as well:    \
         * the output is this silence */ \
        skip_silence (l, n);                                                   \
        l->silent_frames += n;                                                 \
        done += n;                                                             \
        continue;                                                              \
      }                                                                        \
      l->silent_frames = silent ? l->silent_frames + n : 0;                    \
      if (!take_input_##SUFFIX (l, f, n))                                      \
        take_input_checked_##SUFFIX (l, f, n);                                 \
      l->ring_write =                                                          \
          start + n >= capacity ? start + n - capacity : start + n;            \
                                                                               \
      compute_gains (l, n);                                                    \
      TYPE *sample_gain = l->SAMPLE_GAIN;                                      \
      for (size_t i = 0; i < n; i++)                                           \
        for (int c = 0; c < channels; c++)                                     \
          sample_gain[i * channels + c] = (TYPE) l->frame_gain[c][i];          \
                                                                               \
      /* the frames `delay` before the ones just written, in two pieces     \
       * where the ring wraps */  \
      size_t r = start + capacity - delay;                                     \
      if (r >= capacity)                                                       \
        r -= capacity;                                                         \
      size_t first = capacity - r < n ? capacity - r : n;                      \
      ORC_MUL (f, ring + r * (size_t) channels, sample_gain,                   \
          (int) (first * (size_t) channels));                                  \
      if (first < n)                                                           \
        ORC_MUL (f + first * (size_t) channels, ring,                          \
            sample_gain + first * (size_t) channels,                           \
            (int) ((n - first) * (size_t) channels));                          \
      done += n;                                                               \
    }                                                                          \
  }

DEFINE_PROCESS (f32, float, sample_gain_f32, mixmaster_orc_mul_f32)
DEFINE_PROCESS (f64, double, sample_gain_f64, mixmaster_orc_mul_f64)

/* The held audio and the history before it are fed again through the new
 * configuration, so its detector sees across the change and its gain starts
 * from where the old one was (see mm_limiter_reconfigure_f32 ()). */
#define DEFINE_RECONFIGURE(SUFFIX, TYPE)                                        \
  size_t mm_limiter_reconfigure_##SUFFIX (                                      \
      MmLimiter *l, size_t lookahead, int factor, TYPE *out, size_t *trim)      \
  {                                                                             \
    const size_t channels = (size_t) l->channels;                               \
    const size_t held = mm_limiter_latency_frames (l);                          \
    const size_t history = MM_TRUEPEAK_HISTORY;                                 \
    const size_t capacity = l->ring_capacity;                                   \
    const TYPE *ring = l->ring;                                                 \
    TYPE *again = l->refeed;                                                    \
                                                                                \
    *trim = 0;                                                                  \
    if (l->ring_sample_size != sizeof (TYPE)) {                                 \
      /* nothing went through yet */                                            \
      l->lookahead = clamp_lookahead (l, lookahead);                            \
      mm_true_peak_init (&l->detector, factor, l->rate);                        \
      mm_limiter_reset (l);                                                     \
      return 0;                                                                 \
    }                                                                           \
    /* the last history + held frames written, oldest first */                  \
    size_t r = l->ring_write + 2 * capacity - held - history;                   \
    for (size_t i = 0; i < history + held; i++) {                               \
      size_t slot = (r + i) % capacity;                                         \
      memcpy (again + i * channels, ring + slot * channels,                     \
          channels * sizeof (TYPE));                                            \
    }                                                                           \
    const MmLimiterGain carried = l->gain[lowest_core (l)];                     \
    const MmRamp input_gain = l->input_gain;                                    \
                                                                                \
    l->lookahead = clamp_lookahead (l, lookahead);                              \
    mm_true_peak_init (&l->detector, factor, l->rate);                          \
    mm_limiter_reset (l);                                                       \
    for (int c = 0; c < l->channels; c++) {                                     \
      l->gain[c].released = carried.released;                                   \
      l->gain[c].sustained = carried.sustained;                                 \
    }                                                                           \
    /* the frames in the delay are scaled already */                            \
    mm_ramp_snap (&l->input_gain, 1.0);                                         \
    mm_limiter_process_##SUFFIX (l, again, history + held);                     \
    l->input_gain = input_gain;                                                 \
                                                                                \
    /* output j of that pass is frame j - latency of the history and held     \
     * frames: the held ones come out from j = history + latency */ \
    const size_t latency = mm_limiter_latency_frames (l);                       \
    if (latency >= held) {                                                      \
      *trim = latency - held;                                                   \
      return 0;                                                                 \
    }                                                                           \
    memcpy (out, again + (history + latency) * channels,                        \
        (held - latency) * channels * sizeof (TYPE));                           \
    return held - latency;                                                      \
  }

DEFINE_RECONFIGURE (f32, float)
DEFINE_RECONFIGURE (f64, double)
