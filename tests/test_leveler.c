/* dsp/leveler: the live loudness leveler brings a programme with level
 * changes to its target, never moves its gain faster than allowed, holds
 * through pauses and starts at the right gain.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <glib.h>
#include <math.h>
#include <string.h>

#include "leveler.h"
#include "loudness.h"

#define RATE 48000.0
#define CHUNK 4800

/* Stereo noise, a little pink, at `level` dB (peak of the white part). */
static void
noise_chunk (double *x, size_t n, double level_db, GRand *rand, double *state)
{
  double a = level_db <= -200.0 ? 0.0 : pow (10.0, level_db / 20.0);
  for (size_t i = 0; i < n; i++)
    for (int c = 0; c < 2; c++) {
      double w = g_rand_double_range (rand, -1.0, 1.0);
      state[c] = 0.95 * state[c] + 0.2 * w;
      x[2 * i + c] = a * (0.5 * w + state[c]);
    }
}

typedef struct
{
  double seconds, level_db; /* level -300: silence */
} Segment;

typedef struct
{
  double integrated_out;
  double fastest_db_per_s; /* over 100 ms steps of the applied gain */
  double gain_first_db; /* at the first frame of programme out */
  double gain_before_pause_db, gain_after_pause_db, gain_drift_in_pause_db;
} Run;

/* Streams the segments through a leveler (target, lookahead, rate limit) and
 * measures the output and the gain it applied (output over delayed input). */
static Run
run (const Segment *segments, guint n_segments, double target, double rate_db,
    double lookahead_ms, int pause_segment)
{
  MmLeveler *lev = mm_leveler_new (2, RATE, NULL, 10000.0);
  MmLoudness *meter = mm_loudness_new (2, RATE, NULL);
  GRand *rand = g_rand_new_with_seed (3);
  const size_t delay = (size_t) lround (lookahead_ms * RATE / 1000.0);
  double *x = g_new (double, 2 * CHUNK), *y = g_new (double, 2 * CHUNK);
  double *history = g_new0 (double, 2 * (delay + CHUNK));
  double state[2] = { 0.0, 0.0 };
  size_t t = 0, hist = 0;
  double last_gain = NAN, last_step_gain = NAN, fastest = 0.0;
  double last_gain_time = 0.0, last_step_time = 0.0;
  size_t step_frames = 0;
  Run r = { 0 };
  r.gain_first_db = NAN;

  mm_leveler_set_lookahead (lev, lookahead_ms);
  mm_leveler_set_target (lev, target);
  mm_leveler_set_max_rate (lev, rate_db);
  mm_leveler_set_max_gain (lev, 30.0);
  double pause_start = 0.0;
  for (int s = 0; s < pause_segment; s++)
    pause_start += segments[s].seconds;
  /* the segments, then silence to push the lookahead out */
  double total = 0.0;
  for (guint s = 0; s < n_segments; s++)
    total += segments[s].seconds;
  const size_t n = (size_t) (total * RATE) + delay;
  size_t seg = 0;
  double seg_end = segments[0].seconds;
  while (t < n) {
    size_t len = MIN (CHUNK, n - t);
    for (size_t i = 0; i < len; i += 480) {
      double when = (t + i) / RATE;
      while (seg < n_segments && when >= seg_end) {
        seg++;
        seg_end += seg < n_segments ? segments[seg].seconds : 0.0;
      }
      double level = seg < n_segments ? segments[seg].level_db : -300.0;
      noise_chunk (x + 2 * i, MIN (480, len - i), level, rand, state);
    }
    /* keep the input for the gain measurement: a ring of delay + CHUNK */
    for (size_t i = 0; i < 2 * len; i++)
      history[(hist + i) % (2 * (delay + CHUNK))] = x[i];
    memcpy (y, x, 2 * len * sizeof (double));
    mm_leveler_process_f64 (lev, y, len);
    if (t + len > delay) {
      size_t skip = t >= delay ? 0 : delay - t;
      mm_loudness_add_f64 (meter, y + 2 * skip, len - skip);
    }
    for (size_t i = 0; i < len; i++) {
      if (t + i < delay)
        continue;
      /* the input frame that left now */
      size_t at = (hist + 2 * i + 2 * (delay + CHUNK) - 2 * delay) %
          (2 * (delay + CHUNK));
      double in = history[at], out = y[2 * i];
      double out_time = (t + i - delay) / RATE;
      if (fabs (in) > 1e-4) {
        double g = 20.0 * log10 (fabs (out / in));
        if (isnan (r.gain_first_db))
          r.gain_first_db = g;
        last_gain = g;
        last_gain_time = out_time;
        if (pause_segment >= 0) {
          if (out_time < pause_start)
            r.gain_before_pause_db = g;
          else if (out_time < pause_start + segments[pause_segment].seconds)
            ; /* silence: nothing to measure */
          else if (r.gain_after_pause_db == 0.0)
            r.gain_after_pause_db = g;
        }
      }
      /* every 100 ms: the rate since the previous measurable gain (a pause
       * in between counts its whole length) */
      if (++step_frames == (size_t) (RATE / 10)) {
        if (!isnan (last_step_gain) && !isnan (last_gain) &&
            last_gain_time > last_step_time)
          fastest = fmax (fastest,
              fabs (last_gain - last_step_gain) /
                  (last_gain_time - last_step_time));
        last_step_gain = last_gain;
        last_step_time = last_gain_time;
        step_frames = 0;
      }
    }
    hist = (hist + 2 * len) % (2 * (delay + CHUNK));
    t += len;
  }
  MmLoudnessReading reading;
  mm_loudness_read_final (meter, &reading);
  r.integrated_out = reading.integrated;
  r.fastest_db_per_s = fastest;
  mm_leveler_free (lev);
  mm_loudness_free (meter);
  g_rand_free (rand);
  g_free (x);
  g_free (y);
  g_free (history);
  return r;
}

/* A ten-minute programme whose level jumps by up to 18 dB comes out within
 * 1 LU of the target, the gain never faster than its limit. */
static void
test_programme_reaches_target (void)
{
  const Segment programme[] = { { 150, -30 }, { 120, -12 }, { 90, -24 },
    { 3, -300 }, { 150, -18 }, { 87, -27 } };
  Run r = run (programme, G_N_ELEMENTS (programme), -23.0, 2.0, 3000.0, -1);
  g_test_message ("integrated %.2f LUFS (target -23), fastest gain change "
                  "%.3f dB/s (allowed 2), first gain %.2f dB",
      r.integrated_out, r.fastest_db_per_s, r.gain_first_db);
  g_assert_cmpfloat (fabs (r.integrated_out + 23.0), <=, 1.0);
  g_assert_cmpfloat (r.fastest_db_per_s, <=, 2.0 * 1.01 + 0.02);
}

/* The gain holds through a pause long enough to empty the window, and the
 * first gain out is already the programme's (no slow ramp from 0 dB). */
static void
test_holds_through_pauses (void)
{
  const Segment programme[] = { { 20, -33 }, { 20, -300 }, { 20, -33 } };
  Run r = run (programme, G_N_ELEMENTS (programme), -23.0, 1.0, 3000.0, 1);
  g_test_message ("first gain %.2f dB; before the pause %.2f, after %.2f",
      r.gain_first_db, r.gain_before_pause_db, r.gain_after_pause_db);
  /* noise at -33 dB peak reads about -33.x LUFS: +10 dB or a little more */
  g_assert_cmpfloat (r.gain_first_db, >, 8.0);
  g_assert_cmpfloat (
      fabs (r.gain_after_pause_db - r.gain_before_pause_db), <, 0.2);
  g_assert_cmpfloat (fabs (r.integrated_out + 23.0), <=, 0.5);
}

/* The output is the input delayed by the lookahead, times the gain; NaN and
 * Inf come out as silence. */
static void
test_delay_and_bad_input (void)
{
  const size_t n = 48000;
  MmLeveler *lev = mm_leveler_new (2, RATE, NULL, 500.0);
  mm_leveler_set_lookahead (lev, 250.0);
  g_assert_cmpuint (mm_leveler_latency_frames (lev), ==, 12000);
  float *x = g_new (float, 2 * n), *y = g_new (float, 2 * n);
  for (size_t i = 0; i < n; i++)
    x[2 * i] = x[2 * i + 1] = (float) (0.1 * sin (0.05 * i));
  x[2 * 5000] = NAN;
  x[2 * 6000 + 1] = -INFINITY;
  memcpy (y, x, 2 * n * sizeof (float));
  mm_leveler_process_f32 (lev, y, n);
  double g = mm_leveler_gain_db (lev);
  for (size_t i = 0; i < 12000; i++)
    g_assert_true (y[2 * i] == 0.0f);
  for (size_t i = 12000 + 100; i < n; i++) {
    g_assert_true (isfinite (y[2 * i]) && isfinite (y[2 * i + 1]));
    if (i - 12000 == 5000 || i - 12000 == 6000)
      continue;
    g_assert_cmpfloat (
        fabs (y[2 * i] - x[2 * (i - 12000)] * pow (10, g / 20)), <, 1e-4);
  }
  g_assert_true (y[2 * (12000 + 5000)] == 0.0f);
  g_assert_true (y[2 * (12000 + 6000) + 1] == 0.0f);
  mm_leveler_free (lev);
  g_free (x);
  g_free (y);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func (
      "/leveler/programme-reaches-target", test_programme_reaches_target);
  g_test_add_func ("/leveler/holds-through-pauses", test_holds_through_pauses);
  g_test_add_func ("/leveler/delay-and-bad-input", test_delay_and_bad_input);
  return g_test_run ();
}
