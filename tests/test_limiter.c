/* dsp/limiter: the gain core's no-overshoot guarantee, transparency, release
 * and smoothness.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <glib.h>
#include <math.h>

#include "limiter.h"
#include "mmtest.h"

#define RATE 48000.0

typedef struct
{
  MmLimiterGain lg;
  double *values;
  uint64_t *frames;
} Core;

static void
core_init (Core *c, size_t length)
{
  c->values = g_new (double, 2 * length);
  c->frames = g_new (uint64_t, length);
  mm_limiter_gain_init (&c->lg, length, c->values, c->frames);
}

static void
core_clear (Core *c)
{
  g_free (c->values);
  g_free (c->frames);
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
      mm_limiter_gain_set_release (&c.lg, RATE, releases[r]);
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
  mm_limiter_gain_set_release (&c.lg, RATE, 150.0);
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
  mm_limiter_gain_set_release (&c.lg, RATE, release_ms);
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

/* The whole limiter (8x true-peak detector, 5 ms lookahead, ceiling -1 dB):
 * sample peak <= ceiling and the 16x windowed-sinc true peak <= ceiling + 0.1 dB
 * on hot noise, a full-scale square driven hard, and lone impulses; the output
 * is the input delayed where nothing needs limiting. */
static void
test_limiter_holds_the_ceiling (void)
{
  const size_t n = 24000, length = 240;
  const double ceiling_db = -1.0, ceiling = pow (10.0, ceiling_db / 20.0);
  GRand *rand = g_rand_new_with_seed (7);

  for (int signal = 0; signal < 3; signal++) {
    size_t delay = mm_limiter_delay_frames (8, length);
    double *gv = g_new (double, 2 * length);
    uint64_t *gf = g_new (uint64_t, length);
    double *ds = g_new (double, 2 * (delay + 1));
    double *x = g_new0 (double, 2 * (n + delay));
    MmLimiter *l = g_new (MmLimiter, 1);

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
    mm_limiter_init (l, 2, 8, length, gv, gf, ds);
    mm_limiter_set_ceiling_db (l, ceiling_db);
    mm_limiter_set_release (l, RATE, 150.0);
    mm_limiter_process_f64 (l, x, n + delay);
    for (int c = 0; c < 2; c++) {
      double sample_peak = mmtest_sample_peak (x, n + delay, 2, c);
      double true_peak = mmtest_true_peak (x, n + delay, 2, c, 16);
      if (!(sample_peak <= ceiling))
        g_error ("signal %d: sample peak %.4f dB over %.1f", signal,
            20.0 * log10 (sample_peak), ceiling_db);
      if (!(20.0 * log10 (true_peak) <= ceiling_db + 0.1))
        g_error ("signal %d: true peak %.4f dB over %.1f + 0.1", signal,
            20.0 * log10 (true_peak), ceiling_db);
    }
    g_free (l);
    g_free (gv);
    g_free (gf);
    g_free (ds);
    g_free (x);
  }
  g_rand_free (rand);
}

static void
test_limiter_transparent (void)
{
  const size_t n = 9600, length = 240;
  size_t delay = mm_limiter_delay_frames (8, length);
  double *gv = g_new (double, 2 * length);
  uint64_t *gf = g_new (uint64_t, length);
  double *ds = g_new (double, 2 * (delay + 1));
  double *x = g_new0 (double, 2 * (n + delay)), *in = g_new0 (double, 2 * n);
  MmLimiter *l = g_new (MmLimiter, 1);

  for (size_t i = 0; i < n; i++)
    for (int c = 0; c < 2; c++)
      x[2 * i + c] = in[2 * i + c] = 0.5 * sin (0.01 * i + c);
  mm_limiter_init (l, 2, 8, length, gv, gf, ds);
  mm_limiter_set_ceiling_db (l, -1.0);
  mm_limiter_process_f64 (l, x, n + delay);
  for (size_t i = 0; i < 2 * n; i++)
    g_assert_true (x[2 * delay + i] == in[i]);
  g_free (l);
  g_free (gv);
  g_free (gf);
  g_free (ds);
  g_free (x);
  g_free (in);
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
  return g_test_run ();
}
