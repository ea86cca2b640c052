/* dsp/limiter: the gain core's no-overshoot guarantee, transparency, release
 * and smoothness.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <glib.h>
#include <math.h>
#include <string.h>

#include "limiter.h"
#include "mmtest.h"

#define RATE 48000.0

typedef struct
{
  MmLimiterGain lg;
  double *storage;
} Core;

static void
core_init (Core *c, size_t length)
{
  c->storage = g_new (double, 3 * length);
  mm_limiter_gain_init (&c->lg, length, c->storage);
}

static void
core_clear (Core *c)
{
  g_free (c->storage);
}

/* The gain applied to each frame never exceeds the gain that frame needs, for
 * random peaks with bursts, several lengths and release times. */
static void
test_never_overshoots (void)
{
  const size_t lengths[] = { 1, 2, 7, 240, 960 };
  const double releases[] = { 1.0, 50.0, 2000.0 };
  GRand *rand = g_rand_new_with_seed (1);

  for (guint l = 0; l < G_N_ELEMENTS (lengths); l++) {
    for (guint r = 0; r < G_N_ELEMENTS (releases); r++) {
      const size_t n = 48000, length = lengths[l];
      double *need = g_new (double, n);
      Core c;
      core_init (&c, length);
      mm_limiter_gain_set_ceiling (&c.lg, 0.5);
      mm_limiter_gain_set_release (&c.lg, RATE, releases[r], false);
      for (size_t i = 0; i < n; i++) {
        double peak = g_rand_double_range (rand, 0.0, 0.6);
        if (g_rand_int_range (rand, 0, 100) == 0)
          peak = g_rand_double_range (rand, 0.5, 8.0);
        need[i] = peak > 0.5 ? 0.5 / peak : 1.0;
        double g = mm_limiter_gain_tick (&c.lg, peak);
        if (i + 1 >= length) {
          size_t k = i + 1 - length;
          if (!(g <= need[k]))
            g_error ("L %zu release %g: frame %zu gets %.17g, needs %.17g",
                length, releases[r], k, g, need[k]);
        }
      }
      core_clear (&c);
      g_free (need);
    }
  }
  g_rand_free (rand);
}

/* Below the ceiling the gain is exactly 1. */
static void
test_transparent_below_ceiling (void)
{
  Core c;
  GRand *rand = g_rand_new_with_seed (2);
  core_init (&c, 240);
  mm_limiter_gain_set_ceiling (&c.lg, 0.9);
  mm_limiter_gain_set_release (&c.lg, RATE, 150.0, false);
  for (int i = 0; i < 200000; i++)
    g_assert_true (mm_limiter_gain_tick (
                       &c.lg, g_rand_double_range (rand, 0.0, 0.9)) == 1.0);
  core_clear (&c);
  g_rand_free (rand);
}

/* After one peak needing -12 dB, the gain comes back no faster than 20 dB per
 * release time, moves by at most 1/L per frame, and reaches 1 again. */
static void
test_release_and_smoothness (void)
{
  const size_t length = 240;
  const double release_ms = 100.0;
  Core c;
  double prev = 1.0, lowest = 1.0, max_step = 0.0;
  int low_frame = -1, back_frame = -1;

  core_init (&c, length);
  mm_limiter_gain_set_ceiling (&c.lg, 0.25);
  mm_limiter_gain_set_release (&c.lg, RATE, release_ms, false);
  for (int i = 0; i < 48000; i++) {
    double g = mm_limiter_gain_tick (&c.lg, i == 1000 ? 1.0 : 0.1);
    max_step = fmax (max_step, fabs (g - prev));
    if (g < lowest)
      lowest = g, low_frame = i;
    if (low_frame >= 0 && back_frame < 0 && g == 1.0)
      back_frame = i;
    prev = g;
  }
  /* -12 dB is reached (the peak frame itself gets it) */
  g_assert_cmpfloat_with_epsilon (20.0 * log10 (lowest), -12.04, 0.01);
  g_assert_cmpfloat (max_step, <=, 1.0 / length + 1e-12);
  /* 12 dB back at 20 dB per 100 ms takes 60 ms, then the boxcar's length */
  double ms = (back_frame - low_frame) / RATE * 1000.0;
  g_assert_cmpfloat (ms, >=, 60.0);
  g_assert_cmpfloat (ms, <=, 60.0 + 2.0 * length / RATE * 1000.0 + 1.0);
  core_clear (&c);
}

/* Runs the limiter over interleaved doubles in blocks of changing size, as
 * F64 or (through a float copy) F32. */
static void
run (MmLimiter *l, double *x, size_t n_frames, int channels, gboolean f32)
{
  size_t done = 0, chunk = 1;
  float *tmp = f32 ? g_new (float, n_frames *channels) : NULL;
  if (f32)
    for (size_t i = 0; i < n_frames * channels; i++)
      tmp[i] = (float) x[i];
  while (done < n_frames) {
    size_t len = MIN (chunk, n_frames - done);
    if (f32)
      mm_limiter_process_f32 (l, tmp + done * channels, len);
    else
      mm_limiter_process_f64 (l, x + done * channels, len);
    done += len;
    chunk = chunk * 7 % 1500 + 1;
  }
  if (f32)
    for (size_t i = 0; i < n_frames * channels; i++)
      x[i] = tmp[i];
  g_free (tmp);
}

/* Hot noise, a full-scale square driven hard and lone impulses, in F32 and
 * F64: with the 8x detector the sample peak stays <= ceiling and the 16x
 * windowed-sinc true peak <= ceiling + 0.1 dB; in sample-peak mode the sample
 * peak stays <= ceiling. */
static void
test_limiter_holds_the_ceiling (void)
{
  const size_t n = 24000;
  const double ceiling_db = -1.0, ceiling = pow (10.0, ceiling_db / 20.0);
  GRand *rand = g_rand_new_with_seed (7);

  for (int factor = 1; factor <= 8; factor *= 8) {
    for (int f32 = 0; f32 < 2; f32++) {
      for (int signal = 0; signal < 3; signal++) {
        MmLimiter *l = mm_limiter_new (2, RATE, 20.0);
        mm_limiter_set_lookahead_frames (l, 240);
        mm_limiter_set_oversampling (l, factor);
        mm_limiter_set_ceiling_db (l, ceiling_db);
        mm_limiter_set_release (l, 150.0, TRUE);
        size_t delay = mm_limiter_latency_frames (l);
        double *x = g_new0 (double, 2 * (n + delay));
        for (size_t i = 0; i < n; i++)
          for (int c = 0; c < 2; c++) {
            double v;
            if (signal == 0)
              v = g_rand_double_range (rand, -10.0, 10.0);
            else if (signal == 1)
              v = ((i / 37) % 2 ? 3.0 : -3.0);
            else
              v = (i % 4000 == 1000) ? (c ? -6.0 : 6.0) : 0.0;
            x[2 * i + c] = v;
          }
        run (l, x, n + delay, 2, f32);
        for (int c = 0; c < 2; c++) {
          double sample_peak = mmtest_sample_peak (x, n + delay, 2, c);
          double true_peak = mmtest_true_peak (x, n + delay, 2, c, 16);
          if (!(sample_peak <= ceiling))
            g_error ("%dx %s signal %d: sample peak %.5f dB over %.1f", factor,
                f32 ? "F32" : "F64", signal, 20.0 * log10 (sample_peak),
                ceiling_db);
          if (factor > 1 && !(20.0 * log10 (true_peak) <= ceiling_db + 0.1))
            g_error ("%dx %s signal %d: true peak %.4f dB over %.1f + 0.1",
                factor, f32 ? "F32" : "F64", signal, 20.0 * log10 (true_peak),
                ceiling_db);
        }
        mm_limiter_free (l);
        g_free (x);
      }
    }
  }
  g_rand_free (rand);
}

/* Below the ceiling the output is the input delayed by the latency,
 * bit-exact; the latency is the lookahead plus the detector's delay. */
static void
test_limiter_transparent (void)
{
  const size_t n = 9600;
  for (int f32 = 0; f32 < 2; f32++) {
    MmLimiter *l = mm_limiter_new (2, RATE, 20.0);
    mm_limiter_set_lookahead_frames (l, 240);
    mm_limiter_set_ceiling_db (l, -1.0);
    size_t delay = mm_limiter_latency_frames (l);
    g_assert_cmpuint (delay, ==, 240 + 43);
    double *x = g_new0 (double, 2 * (n + delay)), *in = g_new0 (double, 2 * n);
    for (size_t i = 0; i < n; i++)
      for (int c = 0; c < 2; c++) {
        /* values an F32 stream can carry */
        volatile float v = (float) (0.7 * sin (0.01 * i + c));
        x[2 * i + c] = in[2 * i + c] = v;
      }
    run (l, x, n + delay, 2, f32);
    for (size_t i = 0; i < 2 * delay; i++)
      g_assert_true (x[i] == 0.0);
    for (size_t i = 0; i < 2 * n; i++)
      if (x[2 * delay + i] != in[i])
        g_error ("%s sample %zu: %a in, %a out", f32 ? "F32" : "F64", i, in[i],
            x[2 * delay + i]);
    g_assert_cmpfloat (mm_limiter_take_reduction_db (l), ==, 0.0);
    mm_limiter_free (l);
    g_free (x);
    g_free (in);
  }
}

/* Stereo link 0 leaves a quiet channel alone while the other is limited;
 * link 1 gives both the loud channel's gain; in between, in between. */
static void
test_stereo_link (void)
{
  const size_t n = 9600;
  const double links[] = { 0.0, 0.5, 1.0 };
  double quiet_gain_db[3];
  for (guint k = 0; k < G_N_ELEMENTS (links); k++) {
    MmLimiter *l = mm_limiter_new (2, RATE, 20.0);
    mm_limiter_set_lookahead_frames (l, 240);
    mm_limiter_set_stereo_link (l, links[k]);
    size_t delay = mm_limiter_latency_frames (l);
    double *x = g_new0 (double, 2 * (n + delay));
    for (size_t i = 0; i < n; i++) {
      x[2 * i] = 3.0 * sin (0.02 * i);
      x[2 * i + 1] = 0.3 * sin (0.03 * i);
    }
    run (l, x, n + delay, 2, FALSE);
    /* in steady state, the right channel's level against its input */
    double out = 0.0;
    for (size_t i = n / 2; i < n; i++)
      out = fmax (out, fabs (x[2 * (i + delay) + 1]));
    quiet_gain_db[k] = 20.0 * log10 (out / 0.3);
    mm_limiter_free (l);
    g_free (x);
  }
  /* the loud channel needs 20 log10 (3 / 0.891) + 0.15 = 10.7 dB */
  g_assert_cmpfloat (fabs (quiet_gain_db[0]), <, 0.01);
  g_assert_cmpfloat (fabs (quiet_gain_db[2] + 10.69), <, 0.1);
  g_assert_cmpfloat (quiet_gain_db[1], <, -1.0);
  g_assert_cmpfloat (quiet_gain_db[1], >, quiet_gain_db[2] + 1.0);
}

/* Changing the link while running hands the gain state over without an
 * over: the cores start from the linked state, and on the way back every core
 * runs until the linked core has only linked history. */
static void
test_link_changes_hold_the_ceiling (void)
{
  const size_t n = 48000, step = 2400;
  const double links[] = { 1.0, 0.0, 1.0, 0.5, 1.0, 0.0, 0.3, 1.0 };
  const double ceiling = pow (10.0, -1.0 / 20.0);
  GRand *rand = g_rand_new_with_seed (11);
  MmLimiter *l = mm_limiter_new (2, RATE, 20.0);
  mm_limiter_set_lookahead_frames (l, 240);
  size_t delay = mm_limiter_latency_frames (l);
  double *x = g_new0 (double, 2 * (n + delay));
  for (size_t i = 0; i < n; i++) {
    /* the louder channel alternates every 1000 frames */
    double a = (i / 1000) % 2 ? 6.0 : 1.5, b = (i / 1000) % 2 ? 1.5 : 6.0;
    x[2 * i] = g_rand_double_range (rand, -a, a);
    x[2 * i + 1] = g_rand_double_range (rand, -b, b);
  }
  for (size_t done = 0, k = 0; done < n + delay; done += step, k++) {
    mm_limiter_set_stereo_link (l, links[k % G_N_ELEMENTS (links)]);
    mm_limiter_process_f64 (l, x + 2 * done, MIN (step, n + delay - done));
  }
  for (int c = 0; c < 2; c++) {
    g_assert_cmpfloat (mmtest_sample_peak (x, n + delay, 2, c), <=, ceiling);
    g_assert_cmpfloat (20.0 * log10 (mmtest_true_peak (x, n + delay, 2, c, 16)),
        <=, -1.0 + 0.1);
  }
  mm_limiter_free (l);
  g_free (x);
  g_rand_free (rand);
}

/* Appends what the limiter gave to y, dropping *trim frames first. */
static void
collect (double *y, size_t *have, const double *frames, size_t n, size_t *trim,
    int channels)
{
  size_t drop = MIN (*trim, n);
  *trim -= drop;
  memcpy (y + *have * channels, frames + drop * channels,
      (n - drop) * channels * sizeof (double));
  *have += n - drop;
}

/* Lookahead and oversampling changed between blocks, as an element does it:
 * every frame comes out once and in order, the ceiling holds across the
 * changes (the detector sees across them), and audio under the ceiling comes
 * through bit-exact. */
static void
test_reconfigure_while_running (void)
{
  const size_t n = 24000, step = 3000;
  const size_t lookaheads[] = { 240, 24, 960, 96, 480, 1, 240, 700 };
  const int mixed_factors[] = { 8, 8, 4, 2, 8, 1, 8, 8 };
  const double ceiling = pow (10.0, -1.0 / 20.0);
  GRand *rand = g_rand_new_with_seed (12);

  /* 8x throughout (the true peak holds), then through every factor (the
   * sample peak holds), each loud and quiet */
  for (int run = 0; run < 4; run++) {
    const gboolean loud = run % 2, mixed = run / 2;
    MmLimiter *l = mm_limiter_new (2, RATE, 20.0);
    mm_limiter_set_lookahead_frames (l, lookaheads[0]);
    double *x = g_new (double, 2 * n), *y = g_new0 (double, 2 * (n + 4800));
    double *held = g_new (double, 2 * 4800), *chunk = g_new (double, 2 * 4800);
    size_t have = 0, trim = mm_limiter_latency_frames (l);
    for (size_t i = 0; i < 2 * n; i++)
      x[i] = loud ? g_rand_double_range (rand, -6.0, 6.0)
                  : (float) (0.5 * sin (0.003 * i));
    for (size_t done = 0, k = 0; done < n; done += step, k++) {
      if (k > 0) {
        size_t more,
            r = mm_limiter_reconfigure_f64 (l,
                lookaheads[k % G_N_ELEMENTS (lookaheads)],
                mixed ? mixed_factors[k % G_N_ELEMENTS (mixed_factors)] : 8,
                held, &more);
        collect (y, &have, held, r, &trim, 2);
        trim += more;
      }
      memcpy (chunk, x + 2 * done, 2 * step * sizeof (double));
      mm_limiter_process_f64 (l, chunk, step);
      collect (y, &have, chunk, step, &trim, 2);
    }
    size_t tail = mm_limiter_latency_frames (l);
    memset (chunk, 0, 2 * tail * sizeof (double));
    mm_limiter_process_f64 (l, chunk, tail);
    collect (y, &have, chunk, tail, &trim, 2);

    g_assert_cmpuint (have, ==, n);
    if (loud) {
      for (int c = 0; c < 2; c++) {
        g_assert_cmpfloat (mmtest_sample_peak (y, n, 2, c), <=, ceiling);
        if (!mixed)
          g_assert_cmpfloat (
              20.0 * log10 (mmtest_true_peak (y, n, 2, c, 16)), <=, -1.0 + 0.1);
      }
    } else {
      for (size_t i = 0; i < 2 * n; i++)
        if (y[i] != x[i])
          g_error ("sample %zu: %.9g in, %.9g out", i, x[i], y[i]);
    }
    mm_limiter_free (l);
    g_free (x);
    g_free (y);
    g_free (held);
    g_free (chunk);
  }
  g_rand_free (rand);
}

/* Long silences are skipped (the cores rest, the delay holds zeros), and
 * what follows them is limited as ever: a quiet sine comes out bit-exact, a
 * loud burst within the ceiling, the silence as zeros. */
static void
test_silence_between (void)
{
  const size_t gap = 9000, part = 4000;
  const size_t n = 3 * gap + 2 * part;
  const double ceiling = pow (10.0, -1.0 / 20.0);
  GRand *rand = g_rand_new_with_seed (13);

  for (int f32 = 0; f32 < 2; f32++) {
    MmLimiter *l = mm_limiter_new (2, RATE, 20.0);
    mm_limiter_set_release (l, 100.0, TRUE);
    size_t delay = mm_limiter_latency_frames (l);
    double *x = g_new0 (double, 2 * (n + delay)), *in = g_new0 (double, 2 * n);
    for (size_t i = 0; i < part; i++)
      for (int c = 0; c < 2; c++) {
        volatile float v = (float) (0.5 * sin (0.01 * i + c));
        in[2 * (gap + i) + c] = v;
        in[2 * (2 * gap + part + i) + c] =
            (float) g_rand_double_range (rand, -4.0, 4.0);
      }
    memcpy (x, in, 2 * n * sizeof (double));
    run (l, x, n + delay, 2, f32);
    for (size_t i = 0; i < 2 * delay; i++)
      g_assert_true (x[i] == 0.0);
    double *y = x + 2 * delay;
    for (size_t i = 0; i < 2 * n; i++) {
      size_t frame = i / 2;
      gboolean in_sine = frame >= gap && frame < gap + part;
      gboolean in_burst = frame >= 2 * gap + part && frame < 2 * gap + 2 * part;
      if (in_sine)
        g_assert_true (y[i] == in[i]);
      else if (in_burst) {
        g_assert_cmpfloat (fabs (y[i]), <=, ceiling);
        /* every held frame comes out: the gain never reaches 0 */
        g_assert_true (y[i] != 0.0 || in[i] == 0.0);
      } else if (frame < 2 * gap + part - 100 ||
          frame > 2 * gap + 2 * part + 100)
        g_assert_true (y[i] == 0.0);
    }
    g_assert_cmpfloat (mmtest_sample_peak (y, n, 2, 0), <=, ceiling);
    g_assert_cmpfloat (
        20.0 * log10 (mmtest_true_peak (y, n, 2, 0, 16)), <=, -1.0 + 0.1);
    mm_limiter_free (l);
    g_free (x);
    g_free (in);
  }
  g_rand_free (rand);
}

/* Frames from the end of a burst until the gain is back within 0.5 dB. */
static size_t
recovery_frames (gboolean automatic, size_t burst_frames)
{
  const size_t n = 96000, start = 4800;
  MmLimiter *l = mm_limiter_new (1, RATE, 20.0);
  mm_limiter_set_lookahead_frames (l, 240);
  mm_limiter_set_release (l, 200.0, automatic);
  size_t delay = mm_limiter_latency_frames (l);
  double *x = g_new0 (double, n + delay);
  /* a steady 1 kHz tone under the ceiling, with a burst 12 dB over */
  for (size_t i = 0; i < n; i++)
    x[i] = 0.25 * sin (2.0 * G_PI * 1000.0 * i / RATE) *
        (i >= start && i < start + burst_frames ? 14.0 : 1.0);
  double *in = g_memdup2 (x, n * sizeof (double));
  run (l, x, n + delay, 1, FALSE);
  size_t back = n;
  for (size_t i = n - 480; i > start + burst_frames; i -= 48) {
    /* gain over one millisecond of the tone */
    double o = 0.0, r = 0.0;
    for (size_t k = i; k < i + 48; k++)
      o = fmax (o, fabs (x[k + delay])), r = fmax (r, fabs (in[k]));
    if (20.0 * log10 (o / r) < -0.5)
      break;
    back = i;
  }
  mm_limiter_free (l);
  g_free (x);
  g_free (in);
  return back - (start + burst_frames);
}

/* Automatic release: after a short burst the gain comes back much faster than
 * at the set release; after a long one, at about the set release. */
static void
test_auto_release (void)
{
  size_t short_auto = recovery_frames (TRUE, 96);
  size_t short_fixed = recovery_frames (FALSE, 96);
  size_t long_auto = recovery_frames (TRUE, 48000);
  size_t long_fixed = recovery_frames (FALSE, 48000);
  g_test_message ("recovery (ms) short burst: auto %.1f fixed %.1f; long: "
                  "auto %.1f fixed %.1f",
      short_auto / 48.0, short_fixed / 48.0, long_auto / 48.0,
      long_fixed / 48.0);
  g_assert_cmpuint (short_auto * 2, <, short_fixed);
  g_assert_cmpuint (long_auto * 10, >, long_fixed * 7);
}

/* Input gain changes glide: no step larger than the ramp's. */
static void
test_input_gain_glides (void)
{
  const size_t n = 4800;
  MmLimiter *l = mm_limiter_new (1, RATE, 20.0);
  mm_limiter_set_lookahead_frames (l, 48);
  size_t delay = mm_limiter_latency_frames (l);
  double *x = g_new (double, n + delay);
  for (size_t i = 0; i < n + delay; i++)
    x[i] = 0.1;
  mm_limiter_process_f64 (l, x, 1000);
  mm_limiter_set_input_gain_db (l, 20.0 * log10 (2.0));
  mm_limiter_process_f64 (l, x + 1000, n + delay - 1000);
  double max_step = 0.0;
  for (size_t i = delay + 1; i < n + delay; i++)
    max_step = fmax (max_step, fabs (x[i] - x[i - 1]));
  /* 0.1 -> 0.2 over 10 ms */
  g_assert_cmpfloat (max_step, <=, 0.1 / 480.0 * 1.01);
  g_assert_cmpfloat (fabs (x[n + delay - 1] - 0.2), <, 1e-12);
  mm_limiter_free (l);
  g_free (x);
}

/* NaN and Inf come out as silence and do not poison the gain; the meter reads
 * the reduction of a steady over. */
static void
test_bad_input_and_meter (void)
{
  const size_t n = 48000;
  MmLimiter *l = mm_limiter_new (2, RATE, 20.0);
  size_t delay = mm_limiter_latency_frames (l);
  double *x = g_new0 (double, 2 * (n + delay));
  for (size_t i = 0; i < n; i++)
    for (int c = 0; c < 2; c++)
      x[2 * i + c] = 2.0 * sin (2.0 * G_PI * 1000.0 * i / RATE);
  x[2 * 1000] = NAN;
  x[2 * 2000 + 1] = INFINITY;
  x[2 * 3000] = -INFINITY;
  x[2 * 4000] = 1e300;
  run (l, x, n + delay, 2, FALSE);
  for (size_t i = 0; i < 2 * (n + delay); i++)
    g_assert_true (isfinite (x[i]) && fabs (x[i]) <= pow (10.0, -1.0 / 20.0));
  mm_limiter_free (l);

  l = mm_limiter_new (2, RATE, 20.0);
  for (size_t i = 0; i < n; i++)
    for (int c = 0; c < 2; c++)
      x[2 * i + c] = 2.0 * sin (2.0 * G_PI * 1000.0 * i / RATE);
  run (l, x, n, 2, FALSE);
  /* 2.0 to -1 dBTP less the margin: 6.02 + 1 + 0.15 dB */
  g_assert_cmpfloat (fabs (mm_limiter_take_reduction_db (l) - 7.17), <, 0.05);
  g_assert_cmpfloat (mm_limiter_take_reduction_db (l), ==, 0.0);
  mm_limiter_free (l);
  g_free (x);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/limiter/never-overshoots", test_never_overshoots);
  g_test_add_func (
      "/limiter/transparent-below-ceiling", test_transparent_below_ceiling);
  g_test_add_func (
      "/limiter/release-and-smoothness", test_release_and_smoothness);
  g_test_add_func (
      "/limiter/limiter-holds-the-ceiling", test_limiter_holds_the_ceiling);
  g_test_add_func ("/limiter/limiter-transparent", test_limiter_transparent);
  g_test_add_func ("/limiter/stereo-link", test_stereo_link);
  g_test_add_func ("/limiter/link-changes-hold-the-ceiling",
      test_link_changes_hold_the_ceiling);
  g_test_add_func (
      "/limiter/reconfigure-while-running", test_reconfigure_while_running);
  g_test_add_func ("/limiter/silence-between", test_silence_between);
  g_test_add_func ("/limiter/auto-release", test_auto_release);
  g_test_add_func ("/limiter/input-gain-glides", test_input_gain_glides);
  g_test_add_func ("/limiter/bad-input-and-meter", test_bad_input_and_meter);
  return g_test_run ();
}
