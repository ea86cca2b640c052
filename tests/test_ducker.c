/* dsp/ducker against closed-form results: the settled gain is the soft-knee
 * compressor curve of the key's RMS level capped at the depth, a silent key
 * leaves the main untouched, the depth is never exceeded, the attack / hold /
 * release times are what they say, the key filters are 2nd-order
 * Butterworths, the gain glides linearly between control points, and
 * parameter changes while running keep it continuous.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <glib.h>
#include <math.h>
#include <string.h>

#include "ducker.h"

/* the detector's mean-square time constant (ducker.c's KEY_RMS_MS) */
#define KEY_RMS_S 0.010
#define CHUNK 1024

typedef struct
{
  double threshold, ratio, knee, depth;
} Curve;

/* The soft-knee compressor curve written out (Giannoulis, Massberg, Reiss,
 * JAES 2012, eq. 4, knee centred on the threshold), capped at the depth. */
static double
ref_curve_db (const Curve *c, double level_db)
{
  double over = level_db - c->threshold;
  double slope = 1.0 / c->ratio - 1.0;
  double db;
  if (2.0 * over <= -c->knee)
    db = 0.0;
  else if (2.0 * over < c->knee)
    db = slope * (over + 0.5 * c->knee) * (over + 0.5 * c->knee) /
        (2.0 * c->knee);
  else
    db = slope * over;
  return db < -c->depth ? -c->depth : db;
}

static double
to_db (double gain)
{
  return 20.0 * log10 (gain);
}

static MmDucker *
ducker_new (double rate, const Curve *c, double attack, double hold,
    double release, double hpf, double lpf)
{
  MmDucker *d = g_new (MmDucker, 1);
  mm_ducker_init (d, rate);
  mm_ducker_set_curve (d, c->threshold, c->ratio, c->knee, c->depth);
  mm_ducker_set_times (d, attack, hold, release);
  mm_ducker_set_key_filter (d, hpf, lpf);
  mm_ducker_reset (d);
  return d;
}

/* A sine at rms_db dBFS RMS (peak 3.01 dB higher) into key[from, to). */
static void
fill_sine (
    float *key, gsize from, gsize to, double rate, double freq, double rms_db)
{
  double amp = G_SQRT2 * pow (10.0, rms_db / 20.0);
  for (gsize i = from; i < to; i++)
    key[i] = (float) (amp * sin (2.0 * G_PI * freq * (double) i / rate));
}

/* The whole key through the ducker in CHUNK-frame calls. */
static void
run (MmDucker *d, const float *key, float *gain, gsize n)
{
  for (gsize off = 0; off < n; off += CHUNK)
    mm_ducker_process (d, key + off, gain + off, MIN (CHUNK, n - off));
}

/* The mean gain in dB over the last 100 ms of a second of a sine key. */
static double
settled_db (MmDucker *d, double rate, double freq, double rms_db)
{
  const gsize n = (gsize) rate, tail = n / 10;
  float *key = g_new (float, n), *gain = g_new (float, n);
  double sum = 0.0;

  fill_sine (key, 0, n, rate, freq, rms_db);
  run (d, key, gain, n);
  for (gsize i = n - tail; i < n; i++)
    sum += to_db (gain[i]);
  g_free (key);
  g_free (gain);
  return sum / (double) tail;
}

/* 1. Settled sines from -60 to 0 dBFS RMS come out on the capped curve. */
static void
test_static_curve (void)
{
  const Curve settings[] = { { -30.0, 8.0, 6.0, 12.0 },
    { -20.0, 4.0, 0.0, 6.0 }, { -40.0, 100.0, 10.0, 30.0 },
    { -24.0, 2.0, 12.0, 60.0 } };
  const double rates[] = { 44100.0, 48000.0 };

  for (guint r = 0; r < G_N_ELEMENTS (rates); r++)
    for (guint s = 0; s < G_N_ELEMENTS (settings); s++) {
      const Curve *c = &settings[s];
      double worst = 0.0, worst_at = 0.0;
      for (double level = -60.0; level <= 0.0; level += 3.0) {
        MmDucker *d = ducker_new (rates[r], c, 10.0, 0.0, 100.0, 0.0, 0.0);
        double got = settled_db (d, rates[r], 1000.0, level);
        double want = ref_curve_db (c, level);
        if (fabs (got - want) > fabs (worst)) {
          worst = got - want;
          worst_at = level;
        }
        if (fabs (got - want) > 0.1)
          g_error ("%.0f Hz, T %g R %g W %g depth %g at %g dBFS: %.3f dB, "
                   "curve %.3f",
              rates[r], c->threshold, c->ratio, c->knee, c->depth, level, got,
              want);
        g_free (d);
      }
      g_test_message ("%.0f Hz, T %g R %g W %g depth %g: worst %+.4f dB "
                      "(at %g dBFS)",
          rates[r], c->threshold, c->ratio, c->knee, c->depth, worst, worst_at);
    }
}

static void
check_unity_apply (const float *gain, gsize n, GRand *rand)
{
  for (int ch = 1; ch <= 3; ch++) {
    float *x = g_new (float, ch *n), *y;
    double *xd = g_new (double, ch *n), *yd;
    for (gsize i = 0; i < ch * n; i++) {
      xd[i] = g_rand_double_range (rand, -2.0, 2.0);
      x[i] = (float) xd[i];
    }
    x[0] = -0.0f;
    xd[0] = -0.0;
    y = g_memdup2 (x, ch * n * sizeof (float));
    yd = g_memdup2 (xd, ch * n * sizeof (double));
    mm_ducker_apply_f32 (y, ch, gain, n);
    mm_ducker_apply_f64 (yd, ch, gain, n);
    g_assert_true (memcmp (x, y, ch * n * sizeof (float)) == 0);
    g_assert_true (memcmp (xd, yd, ch * n * sizeof (double)) == 0);
    g_free (x);
    g_free (y);
    g_free (xd);
    g_free (yd);
  }
}

/* 2. A silent key, or none, is a gain of exactly 1: the main bit-exact. */
static void
test_unity (void)
{
  const double rate = 48000.0;
  const gsize n = 48000;
  const Curve c = { -30.0, 8.0, 6.0, 12.0 };
  float *zeros = g_new0 (float, n), *gain = g_new (float, n);
  GRand *rand = g_rand_new_with_seed (11);

  for (int filters = 0; filters < 2; filters++) {
    MmDucker *d = ducker_new (rate, &c, 20.0, 150.0, 400.0,
        filters ? 150.0 : 0.0, filters ? 5000.0 : 0.0);
    run (d, zeros, gain, n);
    for (gsize i = 0; i < n; i++)
      g_assert_true (gain[i] == 1.0f);
    check_unity_apply (gain, n, rand);
    for (gsize off = 0; off < n; off += 777)
      mm_ducker_process_silence (d, gain + off, MIN (777, n - off));
    for (gsize i = 0; i < n; i++)
      g_assert_true (gain[i] == 1.0f);
    check_unity_apply (gain, n, rand);
    g_assert_cmpfloat (mm_ducker_take_reduction_db (d), ==, 0.0);
    g_free (d);
  }

  /* ducked, then hold + 20 release times of silence: back to 1 */
  const double times[][3] = { { 20.0, 150.0, 400.0 }, { 5.0, 0.0, 100.0 },
    { 50.0, 500.0, 50.0 } };
  const double depths[] = { 12.0, 30.0, 60.0 };
  for (guint t = 0; t < G_N_ELEMENTS (times); t++) {
    /* a 0 dBFS key asks for 0.99 (depth + 10) dB: the full depth */
    Curve deep = { -depths[t] - 10.0, 100.0, 0.0, depths[t] };
    MmDucker *d = ducker_new (
        rate, &deep, times[t][0], times[t][1], times[t][2], 0.0, 0.0);
    gsize loud = 24000;
    gsize quiet = (gsize) ((times[t][1] + 20.0 * times[t][2]) * rate / 1000.0);
    float *key = g_new (float, loud);
    float *g = g_new (float, quiet);
    fill_sine (key, 0, loud, rate, 1000.0, 0.0);
    run (d, key, gain, loud);
    double ducked = to_db (gain[loud - 1]);
    g_assert_cmpfloat (ducked, <, -depths[t] + 0.1);
    for (gsize off = 0; off < quiet; off += CHUNK)
      mm_ducker_process_silence (d, g + off, MIN (CHUNK, quiet - off));
    /* the smoother only nears 0 dB (a release is exponential), but below
     * ~1.8e-7 dB mm_fast_db_to_gain rounds to exactly 1 */
    gsize one = quiet;
    while (one > 0 && g[one - 1] == 1.0f)
      one--;
    g_test_message ("ducked %.2f dB, after hold %g + 20 x release %g ms: "
                    "gain %.9g (%.3g dB), smoother at %.3g dB; exactly 1 "
                    "from %.1f ms after the key",
        ducked, times[t][1], times[t][2], g[quiet - 1], to_db (g[quiet - 1]),
        d->smooth.gain_db, one * 1000.0 / rate);
    g_assert_cmpfloat (fabs (to_db (g[quiet - 1])), <, 1e-4);
    g_assert_true (g[quiet - 1] == 1.0f);
    check_unity_apply (g + one, quiet - one, rand);
    g_free (key);
    g_free (g);
    g_free (d);
  }
  g_rand_free (rand);
  g_free (zeros);
  g_free (gain);
}

/* A random key: silence, noise bursts from -60 to +20 dBFS peak (some with
 * a DC offset), with NaN and +-Inf sprinkled in. */
static void
random_key (float *key, gsize n, double rate, GRand *rand)
{
  gsize i = 0;
  while (i < n) {
    gsize len = (gsize) (g_rand_double_range (rand, 0.005, 0.3) * rate);
    double amp = g_rand_double (rand) < 0.3
        ? 0.0
        : pow (10.0, g_rand_double_range (rand, -60.0, 20.0) / 20.0);
    double dc = g_rand_double (rand) < 0.2 ? amp : 0.0;
    for (gsize j = 0; j < len && i < n; j++, i++) {
      key[i] = (float) (0.5 * dc +
          (amp - 0.5 * dc) * g_rand_double_range (rand, -1.0, 1.0));
      double u = g_rand_double (rand);
      if (u < 0.001)
        key[i] = NAN;
      else if (u < 0.002)
        key[i] = INFINITY;
      else if (u < 0.003)
        key[i] = -INFINITY;
    }
  }
}

/* 3. Whatever the key, the gain stays within [-depth, 0] dB and the meter
 * reports the largest attenuation handed out. */
static void
test_depth_never_exceeded (void)
{
  const double rate = 48000.0;
  const gsize n = 3 * 48000;
  const double depths[] = { 0.0, 3.0, 12.0, 30.0, 60.0 };
  const double shapes[][6] = {
    /* threshold, ratio, knee, attack, hold, release */
    { -30.0, 8.0, 6.0, 1.0, 0.0, 50.0 },
    { -50.0, 100.0, 0.0, 20.0, 150.0, 400.0 },
    { -20.0, 1.5, 12.0, 0.1, 10.0, 10.0 },
  };
  float *key = g_new (float, n), *gain = g_new (float, n);
  GRand *rand = g_rand_new_with_seed (23);

  for (guint k = 0; k < G_N_ELEMENTS (depths); k++)
    for (guint s = 0; s < G_N_ELEMENTS (shapes); s++)
      for (int filters = 0; filters < 2; filters++) {
        const double *p = shapes[s];
        Curve c = { p[0], p[1], p[2], depths[k] };
        MmDucker *d = ducker_new (rate, &c, p[3], p[4], p[5],
            filters ? 100.0 : 0.0, filters ? 8000.0 : 0.0);
        double floor_gain = pow (10.0, -depths[k] / 20.0) * (1.0 - 1e-6);
        double lowest = 1.0, seen = 0.0, worst_meter = 0.0;
        double most = 0.0;

        random_key (key, n, rate, rand);
        for (gsize off = 0; off < n;) {
          gsize m = (gsize) g_rand_int_range (rand, 1, 2000);
          m = MIN (m, n - off);
          mm_ducker_process (d, key + off, gain + off, m);
          for (gsize i = off; i < off + m; i++) {
            if (!(isfinite (gain[i]) && gain[i] <= 1.0f &&
                    gain[i] >= floor_gain))
              g_error ("depth %g shape %u filters %d: frame %zu gain %.9g "
                       "(%.7f dB), floor %.9g",
                  depths[k], s, filters, i, gain[i], to_db (gain[i]),
                  floor_gain);
            lowest = MIN (lowest, gain[i]);
          }
          off += m;
          if (g_rand_boolean (rand) || off == n) {
            double meter = mm_ducker_take_reduction_db (d);
            seen = -to_db (lowest);
            most = MAX (most, seen);
            worst_meter = MAX (worst_meter, fabs (meter - seen));
            if (meter > depths[k] + 1e-6 || fabs (meter - seen) > 0.01)
              g_error ("depth %g shape %u filters %d: meter %.6f dB, largest "
                       "attenuation handed out %.6f dB (to frame %zu)",
                  depths[k], s, filters, meter, seen, off);
            /* the gain of the last frame handed out starts the next span */
            lowest = gain[off - 1];
          }
        }
        g_test_message ("depth %g shape %u filters %d: deepest %.5f dB, "
                        "meter off by at most %.2g dB",
            depths[k], s, filters, most + 0.0, worst_meter);
        g_free (d);
      }
  g_rand_free (rand);
  g_free (key);
  g_free (gain);
}

/* A key of huge (finite) samples is loud, not poison: the ducker recovers
 * once it stops (the mean square of a +300 dBFS key takes ~0.8 s to fall
 * below the threshold). */
static void
test_huge_key (void)
{
  const double rate = 48000.0;
  const gsize n = 2 * 48000;
  const Curve c = { -30.0, 8.0, 6.0, 12.0 };
  float *key = g_new0 (float, n), *gain = g_new (float, n);

  for (int filters = 0; filters < 2; filters++) {
    MmDucker *d = ducker_new (rate, &c, 5.0, 0.0, 20.0, filters ? 100.0 : 0.0,
        filters ? 8000.0 : 0.0);
    memset (key, 0, n * sizeof (float));
    for (gsize i = 1000; i < 2000; i++)
      key[i] = (i & 1) ? 3e38f : -1e30f;
    run (d, key, gain, n);
    g_test_message ("filters %d: after the huge key %.3f dB, at the end %.3g "
                    "dB",
        filters, to_db (gain[3000]), to_db (gain[n - 1]));
    g_assert_cmpfloat (to_db (gain[3000]), <, -11.0);
    g_assert_true (isfinite (d->detect.mean_square));
    for (gsize i = 0; i < n; i++)
      g_assert_true (isfinite (gain[i]) && gain[i] > 0.25f && gain[i] <= 1.0f);
    g_assert_cmpfloat (fabs (to_db (gain[n - 1])), <, 1e-4);
    g_free (d);
  }
  g_free (key);
  g_free (gain);
}

/* ---- time constants: measured against the ideal continuous-time chain ---- */

/* First frame at or after from where the gain (dB) has gone 63.2 % of the way
 * from start to end; -1 if never. */
static double
time_to_63 (const float *gain, gsize from, gsize n, double start, double end,
    double rate)
{
  double mark = start + (1.0 - exp (-1.0)) * (end - start);
  for (gsize i = from; i < n; i++) {
    double db = to_db (gain[i]);
    if ((end < start) ? db <= mark : db >= mark)
      return (double) (i - from) * 1000.0 / rate;
  }
  return -1.0;
}

#define MODEL_DT 1e-6

/* The ideal chain in continuous time: a key of power p switched on at t = 0,
 * its mean square p (1 - exp (-t / 10 ms)), the capped curve of its level,
 * and a one-pole attack in dB. The time (ms) at which the gain has gone
 * 63.2 % of the way. */
static double
model_attack_ms (const Curve *c, double key_db, double attack_ms)
{
  double final = ref_curve_db (c, key_db), y = 0.0;
  double mark = (1.0 - exp (-1.0)) * final;
  double a = 1.0 - exp (-MODEL_DT / (attack_ms / 1000.0));
  for (double t = MODEL_DT; t < 1.0; t += MODEL_DT) {
    double ms = pow (10.0, key_db / 10.0) * (1.0 - exp (-t / KEY_RMS_S));
    double target = ref_curve_db (c, 10.0 * log10 (ms));
    if (target < y)
      y += a * (target - y);
    if (y <= mark)
      return t * 1000.0;
  }
  return -1.0;
}

/* The same after the key stops at t = 0 (its mean square decaying from p):
 * the gain holds for hold_ms, then releases towards the rising target. The
 * time (ms) at which it has come back 63.2 % of the way. */
static double
model_release_ms (
    const Curve *c, double key_db, double hold_ms, double release_ms)
{
  double y = ref_curve_db (c, key_db), mark = exp (-1.0) * y;
  double a = 1.0 - exp (-MODEL_DT / (release_ms / 1000.0));
  for (double t = MODEL_DT; t < 5.0; t += MODEL_DT) {
    double ms = pow (10.0, key_db / 10.0) * exp (-t / KEY_RMS_S);
    double target = ref_curve_db (c, 10.0 * log10 (ms));
    if (t * 1000.0 >= hold_ms)
      y += a * (target - y);
    if (y >= mark)
      return t * 1000.0;
  }
  return -1.0;
}

/* 4. A 1 kHz key steps from silence to 20 dB over the threshold (ratio 2,
 * hard knee: -10 dB) and back. */
static void
test_times (void)
{
  const double rate = 48000.0;
  const Curve c = { -30.0, 2.0, 0.0, 60.0 };
  const double key_db = -10.0;
  const gsize start = 4800, stop = 4800 + 48000, n = stop + 2 * 48000;
  const double attacks[] = { 5.0, 20.0, 50.0 };
  const double holds[] = { 0.0, 150.0, 500.0 };
  const double releases[] = { 100.0, 400.0 };
  float *key = g_new0 (float, n), *gain = g_new (float, n);

  fill_sine (key, start, stop, rate, 1000.0, key_db);
  for (guint a = 0; a < G_N_ELEMENTS (attacks); a++) {
    MmDucker *d = ducker_new (rate, &c, attacks[a], 150.0, 400.0, 0.0, 0.0);
    run (d, key, gain, n);
    double final = to_db (gain[stop - 1]);
    double got = time_to_63 (gain, start, stop, 0.0, final, rate);
    double model = model_attack_ms (&c, key_db, attacks[a]);
    double tol = 0.15 * attacks[a] + 0.5;
    g_test_message ("attack %g ms: 63 %% of %.3f dB after %.3f ms (ideal "
                    "chain with the 10 ms RMS window %.3f ms; allowed %.3f "
                    "+- %.3f)",
        attacks[a], final, got, model, model, tol);
    g_assert_cmpfloat_with_epsilon (final, ref_curve_db (&c, key_db), 0.05);
    g_assert_cmpfloat_with_epsilon (got, model, tol);
    g_free (d);
  }
  for (guint h = 0; h < G_N_ELEMENTS (holds); h++)
    for (guint r = 0; r < G_N_ELEMENTS (releases); r++) {
      MmDucker *d = ducker_new (rate, &c, 5.0, holds[h], releases[r], 0.0, 0.0);
      run (d, key, gain, n);
      double ducked = to_db (gain[stop - 1]);
      gsize held = stop + (gsize) (holds[h] * rate / 1000.0);
      double drift = 0.0;
      for (gsize i = stop; i < held; i++)
        drift = MAX (drift, fabs (to_db (gain[i]) - ducked));
      double got = time_to_63 (gain, stop, n, ducked, 0.0, rate);
      double model = model_release_ms (&c, key_db, holds[h], releases[r]);
      double tol = 0.15 * releases[r];
      g_test_message ("hold %g release %g ms: %.3f dB held within %.4f dB, "
                      "63 %% back after %.3f ms (ideal chain %.3f ms, "
                      "nominal hold + release %g; allowed %.3f +- %.3f)",
          holds[h], releases[r], ducked, drift, got, model,
          holds[h] + releases[r], model, tol);
      g_assert_cmpfloat (drift, <=, 0.5);
      g_assert_cmpfloat_with_epsilon (got, model, tol);
      g_free (d);
    }
  g_free (key);
  g_free (gain);
}

/* 4b. The hold after a key that falls in steps: 1 s at 18 dB over the
 * threshold (the full 12 dB), 1 s at 12 dB over (10.5 dB asked), then
 * silence. Each fall is held: the dip stays for the hold time after the
 * second step and again after the key stops, then releases to unity. */
static void
test_hold_after_each_fall (void)
{
  const double rate = 48000.0, hold_ms = 150.0, release_ms = 400.0;
  const Curve c = { -30.0, 8.0, 0.0, 12.0 };
  const gsize second = 48000, stop = 2 * 48000, n = 5 * 48000;
  const gsize hold = (gsize) (hold_ms * rate / 1000.0);
  /* the detector's 10 ms window: the key's fall reaches the curve late */
  const gsize detector_lag = 480;
  float *key = g_new0 (float, n), *gain = g_new (float, n);

  fill_sine (key, 0, second, rate, 1000.0, -12.0);
  fill_sine (key, second, stop, rate, 1000.0, -18.0);
  MmDucker *d = ducker_new (rate, &c, 20.0, hold_ms, release_ms, 0.0, 0.0);
  run (d, key, gain, n);

  /* the dip asked for before each fall: the gain stays at or below it
   * (still gliding towards it after the first step) */
  const gsize marks[] = { second, stop };
  const double asked[] = { -12.0, -10.5 };
  for (guint m = 0; m < G_N_ELEMENTS (marks); m++) {
    double at_fall = to_db (gain[marks[m] - 1]), highest = -G_MAXDOUBLE;
    for (gsize i = marks[m]; i < marks[m] + hold - 4; i++)
      highest = MAX (highest, to_db (gain[i]));
    /* and the release did start after the hold */
    double after = to_db (gain[marks[m] + hold + detector_lag + 4800]);
    g_test_message ("fall at %.1f s: %.3f dB, for %g ms at most %.3f dB "
                    "(held %.1f), 100 ms later %.3f dB",
        (double) marks[m] / rate, at_fall, hold_ms, highest, asked[m], after);
    g_assert_cmpfloat (highest, <=, MAX (at_fall, asked[m]) + 0.02);
    g_assert_cmpfloat (after, >, MAX (at_fall, asked[m]) + 0.1);
  }
  /* the second step asked for 10.5 dB: the gain came back to it */
  g_assert_cmpfloat_with_epsilon (to_db (gain[stop - 1]), -10.5, 0.25);
  /* hold + 5 releases after the key stopped: back within 0.05 dB */
  gsize back = stop + detector_lag + hold + (gsize) (5 * release_ms * 48.0);
  g_assert_cmpfloat (to_db (gain[back]), >, -0.1);
  g_free (d);
  g_free (key);
  g_free (gain);
}

/* |H|^2 in dB of the bilinear-transformed 2nd-order Butterworth high-pass or
 * low-pass with its corner at fc (prewarped), at f. */
static double
butterworth_db (double rate, double fc, double f, gboolean highpass)
{
  double w = tan (G_PI * f / rate) / tan (G_PI * fc / rate);
  double w4 = w * w * w * w;
  return 10.0 * log10 (highpass ? w4 / (1.0 + w4) : 1.0 / (1.0 + w4));
}

static double
filtered_settled_db (double rate, const Curve *c, double hpf, double lpf,
    double freq, double key_db)
{
  /* attack = release, no hold: a linear smoother that averages the
   * detector's ripple of a low key instead of holding its peaks */
  MmDucker *d = ducker_new (rate, c, 50.0, 0.0, 50.0, hpf, lpf);
  double db = settled_db (d, rate, freq, key_db);
  g_free (d);
  return db;
}

/* 5. The key high-pass and low-pass take a low / high key out of the
 * detector by the Butterworth amount. */
static void
test_key_filters (void)
{
  const double rates[] = { 44100.0, 48000.0 };
  const Curve c = { -30.0, 8.0, 6.0, 20.0 };

  for (guint r = 0; r < G_N_ELEMENTS (rates); r++) {
    double rate = rates[r];
    double low = filtered_settled_db (rate, &c, 0.0, 0.0, 50.0, -10.0);
    double low_hpf = filtered_settled_db (rate, &c, 150.0, 0.0, 50.0, -10.0);
    double high = filtered_settled_db (rate, &c, 0.0, 0.0, 12000.0, -10.0);
    double high_lpf =
        filtered_settled_db (rate, &c, 0.0, 5000.0, 12000.0, -10.0);
    double mid = filtered_settled_db (rate, &c, 0.0, 0.0, 1000.0, -10.0);
    double mid_both =
        filtered_settled_db (rate, &c, 150.0, 5000.0, 1000.0, -10.0);
    double want_low_hpf =
        ref_curve_db (&c, -10.0 + butterworth_db (rate, 150.0, 50.0, TRUE));
    double want_high_lpf = ref_curve_db (
        &c, -10.0 + butterworth_db (rate, 5000.0, 12000.0, FALSE));
    g_test_message ("%.0f Hz: 50 Hz key %.3f dB, with hpf 150 %.3f dB "
                    "(Butterworth %.3f); 12 kHz key %.3f dB, with lpf 5000 "
                    "%.3f dB (Butterworth %.3f); 1 kHz %.3f / both filters "
                    "%.3f dB (curve %.3f)",
        rate, low, low_hpf, want_low_hpf, high, high_lpf, want_high_lpf, mid,
        mid_both, ref_curve_db (&c, -10.0));
    /* unfiltered: on the curve, -17.5 dB of the 20 */
    g_assert_cmpfloat_with_epsilon (low, ref_curve_db (&c, -10.0), 0.1);
    g_assert_cmpfloat_with_epsilon (high, ref_curve_db (&c, -10.0), 0.1);
    g_assert_cmpfloat (low_hpf - low, >=, 10.0);
    g_assert_cmpfloat (high_lpf - high, >=, 10.0);
    g_assert_cmpfloat_with_epsilon (low_hpf, want_low_hpf, 0.5);
    g_assert_cmpfloat_with_epsilon (high_lpf, want_high_lpf, 0.5);
    g_assert_cmpfloat_with_epsilon (mid_both, mid, 0.2);
  }

  /* the responses: on a ratio-100 slope with no cap the gain change reads
   * the filtered key level almost 1:1 */
  const Curve slope = { -60.0, 100.0, 0.0, 80.0 };
  const double hp_freqs[] = { 40.0, 75.0, 150.0, 300.0, 1000.0 };
  const double lp_freqs[] = { 1000.0, 2500.0, 5000.0, 10000.0, 16000.0 };
  for (guint r = 0; r < G_N_ELEMENTS (rates); r++) {
    double rate = rates[r], worst = 0.0;
    for (guint f = 0; f < G_N_ELEMENTS (hp_freqs); f++)
      for (int lp = 0; lp < 2; lp++) {
        double freq = lp ? lp_freqs[f] : hp_freqs[f];
        double got = filtered_settled_db (
            rate, &slope, lp ? 0.0 : 150.0, lp ? 5000.0 : 0.0, freq, -6.0);
        double want = ref_curve_db (&slope,
            -6.0 + butterworth_db (rate, lp ? 5000.0 : 150.0, freq, !lp));
        g_test_message ("%.0f Hz: %s at %g Hz: %.3f dB, Butterworth %.3f", rate,
            lp ? "lpf 5000" : "hpf 150", freq, got, want);
        worst = MAX (worst, fabs (got - want));
        g_assert_cmpfloat_with_epsilon (got, want, 0.5);
      }
    g_test_message ("%.0f Hz: filter responses within %.3f dB", rate, worst);
  }
}

/* 6. Between control points the gain moves in equal steps; a key step with
 * a 1 ms attack moves it no more than 0.5 dB a frame. */
static void
test_glide (void)
{
  const double rates[] = { 44100.0, 48000.0 };
  const double depths[] = { 6.0, 12.0, 20.0 };

  for (guint r = 0; r < G_N_ELEMENTS (rates); r++)
    for (guint k = 0; k < G_N_ELEMENTS (depths); k++) {
      const double rate = rates[r];
      const gsize n = (gsize) rate;
      const Curve c = { -30.0, 8.0, 6.0, depths[k] };
      float *key = g_new0 (float, n), *gain = g_new (float, n);
      MmDucker *d = ducker_new (rate, &c, 1.0, 0.0, 50.0, 0.0, 0.0);
      double worst_step = 0.0, worst_jump = 0.0;

      /* steps of a 0 dBFS key: on at 0.1 s, off at 0.4 s, on at 0.7 s */
      fill_sine (key, n / 10, 4 * n / 10, rate, 1000.0, 0.0);
      fill_sine (key, 7 * n / 10, n, rate, 1000.0, 0.0);
      for (gsize off = 0; off < n;) {
        gsize m = MIN (n - off, 1 + (off * 7919) % 1001);
        mm_ducker_process (d, key + off, gain + off, m);
        off += m;
      }
      for (gsize b = 4; b + 4 <= n; b += MM_DUCKER_CONTROL_FRAMES) {
        double step = (double) gain[b] - gain[b - 1];
        for (gsize i = b + 1; i < b + 4; i++)
          worst_step = MAX (worst_step, fabs (gain[i] - gain[i - 1] - step));
      }
      for (gsize i = 1; i < n; i++)
        worst_jump =
            MAX (worst_jump, fabs (to_db (gain[i]) - to_db (gain[i - 1])));
      g_test_message ("%.0f Hz depth %g, attack 1 ms: steps in a block equal "
                      "within %.3g, largest jump %.4f dB a frame",
          rate, depths[k], worst_step, worst_jump);
      g_assert_cmpfloat (worst_step, <=, 1e-6);
      g_assert_cmpfloat (worst_jump, <=, 0.5);
      g_free (key);
      g_free (gain);
      g_free (d);
    }
}

/* Gains do not depend on how the key is cut into calls. */
static void
test_chunking (void)
{
  const double rate = 44100.0;
  const gsize n = 44100;
  const Curve c = { -35.0, 6.0, 8.0, 18.0 };
  float *key = g_new (float, n), *a = g_new (float, n), *b = g_new (float, n);
  GRand *rand = g_rand_new_with_seed (5);

  random_key (key, n, rate, rand);
  for (int filters = 0; filters < 2; filters++) {
    MmDucker *one = ducker_new (rate, &c, 3.0, 30.0, 80.0,
        filters ? 200.0 : 0.0, filters ? 4000.0 : 0.0);
    MmDucker *many = ducker_new (rate, &c, 3.0, 30.0, 80.0,
        filters ? 200.0 : 0.0, filters ? 4000.0 : 0.0);
    mm_ducker_process (one, key, a, n);
    for (gsize off = 0; off < n;) {
      gsize m = (gsize) g_rand_int_range (rand, 1, 10);
      m = MIN (m, n - off);
      mm_ducker_process (many, key + off, b + off, m);
      off += m;
    }
    g_assert_true (memcmp (a, b, n * sizeof (float)) == 0);
    g_free (one);
    g_free (many);
  }
  g_rand_free (rand);
  g_free (key);
  g_free (a);
  g_free (b);
}

static gboolean
subnormal (double x)
{
  return fpclassify (x) == FP_SUBNORMAL;
}

/* mm_ducker_process_silence is a key of zeros, key filters included (a key
 * that comes back after it starts from their silence), and a silent key
 * leaves no subnormal numbers in the filters. */
static void
test_silence_is_a_silent_key (void)
{
  const double rate = 48000.0;
  const gsize n = 48000;
  const Curve c = { -30.0, 8.0, 6.0, 12.0 };
  float *key = g_new (float, n), *zeros = g_new0 (float, CHUNK);
  float *a = g_new (float, n), *b = g_new (float, n);

  fill_sine (key, 0, n / 2, rate, 3000.0, -6.0);
  /* then a quiet key, far under the threshold */
  fill_sine (key, n / 2, n, rate, 3000.0, -70.0);
  for (int filters = 0; filters < 2; filters++) {
    MmDucker *absent = ducker_new (rate, &c, 5.0, 0.0, 50.0,
        filters ? 150.0 : 0.0, filters ? 5000.0 : 0.0);
    MmDucker *silent = ducker_new (rate, &c, 5.0, 0.0, 50.0,
        filters ? 150.0 : 0.0, filters ? 5000.0 : 0.0);
    mm_ducker_process (absent, key, a, n / 2);
    mm_ducker_process (silent, key, b, n / 2);
    /* 3 s: long enough for the high-pass state to decay into subnormals */
    for (gsize off = 0; off < 3 * n; off += CHUNK) {
      mm_ducker_process_silence (absent, a, CHUNK);
      mm_ducker_process (silent, zeros, b, CHUNK);
      g_assert_true (memcmp (a, b, CHUNK * sizeof (float)) == 0);
    }
    g_assert_false (subnormal (absent->lowpass_state.ic1) ||
        subnormal (absent->lowpass_state.ic2) ||
        subnormal (absent->detect.highpass.ic1) ||
        subnormal (absent->detect.highpass.ic2));
    g_assert_false (subnormal (silent->lowpass_state.ic1) ||
        subnormal (silent->lowpass_state.ic2) ||
        subnormal (silent->detect.highpass.ic1) ||
        subnormal (silent->detect.highpass.ic2));
    /* the quiet key after the silence: no ducking, the same either way */
    mm_ducker_process (absent, key + n / 2, a, n / 2);
    mm_ducker_process (silent, key + n / 2, b, n / 2);
    double lowest = 1.0;
    for (gsize i = 0; i < n / 2; i++)
      lowest = MIN (lowest, a[i]);
    g_test_message ("filters %d: a -70 dBFS key after a silence ducks by %.3g "
                    "dB",
        filters, -to_db (lowest) + 0.0);
    g_assert_true (memcmp (a, b, n / 2 * sizeof (float)) == 0);
    g_assert_cmpfloat (lowest, ==, 1.0);
    g_free (absent);
    g_free (silent);
  }
  g_free (key);
  g_free (zeros);
  g_free (a);
  g_free (b);
}

/* 7. Settings changed between calls: the gain stays finite, in range, and
 * continuous. */
static void
test_parameter_changes (void)
{
  const double rate = 48000.0;
  const gsize n = 4 * 48000, block = 1000;
  const Curve c = { -30.0, 8.0, 6.0, 24.0 };
  float *key = g_new (float, n), *gain = g_new (float, n);
  GRand *rand = g_rand_new_with_seed (7);

  /* a steady key, bursts on top: only the times change */
  for (gsize i = 0; i < n; i++)
    key[i] = (float) ((((i / 9600) % 3) ? 0.05 : 1.0) *
        sin (2.0 * G_PI * 440.0 * i / rate));
  MmDucker *d = ducker_new (rate, &c, 20.0, 150.0, 400.0, 0.0, 0.0);
  double worst = 0.0;
  for (gsize off = 0; off < n; off += block) {
    mm_ducker_set_times (d, g_rand_double_range (rand, 5.0, 100.0),
        g_rand_double_range (rand, 0.0, 500.0),
        g_rand_double_range (rand, 10.0, 1000.0));
    mm_ducker_process (d, key + off, gain + off, MIN (block, n - off));
  }
  for (gsize i = 0; i < n; i++) {
    g_assert_true (isfinite (gain[i]) && gain[i] > 0.0f && gain[i] <= 1.0f);
    if (i > 0)
      worst = MAX (worst, fabs (to_db (gain[i]) - to_db (gain[i - 1])));
  }
  g_test_message (
      "times changing every %zu frames: largest jump %.4f dB", block, worst);
  g_assert_cmpfloat (worst, <=, 1.0);
  g_free (d);

  /* curve, times and key filters all change at random */
  d = ducker_new (rate, &c, 20.0, 150.0, 400.0, 0.0, 0.0);
  random_key (key, n, rate, rand);
  worst = 0.0;
  for (gsize off = 0; off < n; off += block) {
    switch (g_rand_int_range (rand, 0, 3)) {
      case 0:
        mm_ducker_set_curve (d, g_rand_double_range (rand, -60.0, 0.0),
            g_rand_double_range (rand, 1.0, 50.0),
            g_rand_double_range (rand, 0.0, 20.0),
            g_rand_double_range (rand, 0.0, 40.0));
        break;
      case 1:
        mm_ducker_set_times (d, g_rand_double_range (rand, 5.0, 100.0),
            g_rand_double_range (rand, 0.0, 500.0),
            g_rand_double_range (rand, 10.0, 1000.0));
        break;
      default:
        mm_ducker_set_key_filter (d,
            g_rand_boolean (rand) ? g_rand_double_range (rand, 20.0, 500.0)
                                  : 0.0,
            g_rand_boolean (rand) ? g_rand_double_range (rand, 2000.0, 30000.0)
                                  : 0.0);
        break;
    }
    mm_ducker_process (d, key + off, gain + off, MIN (block, n - off));
  }
  for (gsize i = 0; i < n; i++) {
    g_assert_true (isfinite (gain[i]) && gain[i] > 0.0f && gain[i] <= 1.0f);
    if (i > 0)
      worst = MAX (worst, fabs (to_db (gain[i]) - to_db (gain[i - 1])));
  }
  g_test_message ("curve / times / filters changing: largest jump %.4f dB "
                  "(attack >= 5 ms)",
      worst);
  g_assert_cmpfloat (worst, <=, 1.0);
  g_free (d);

  /* a hold shortened to 0 while holding: the release starts at once */
  d = ducker_new (rate, &c, 5.0, 500.0, 100.0, 0.0, 0.0);
  memset (key, 0, n * sizeof (float));
  fill_sine (key, 0, 9600, rate, 1000.0, 0.0);
  run (d, key, gain, 9600 + 2400); /* 50 ms into the hold */
  double held = to_db (gain[9600 + 2400 - 1]);
  mm_ducker_set_times (d, 5.0, 0.0, 100.0);
  mm_ducker_process (d, key + 12000, gain + 12000, 4800);
  double after = to_db (gain[12000 + 4800 - 1]);
  g_test_message ("hold 500 -> 0 ms 50 ms into the hold: %.3f dB, 100 ms "
                  "later %.3f dB",
      held, after);
  g_assert_cmpfloat (held, <, -20.0);
  g_assert_cmpfloat (after - held, >, 3.0);
  g_free (d);

  g_rand_free (rand);
  g_free (key);
  g_free (gain);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/ducker/static-curve", test_static_curve);
  g_test_add_func ("/ducker/unity", test_unity);
  g_test_add_func ("/ducker/depth-never-exceeded", test_depth_never_exceeded);
  g_test_add_func ("/ducker/huge-key", test_huge_key);
  g_test_add_func ("/ducker/times", test_times);
  g_test_add_func ("/ducker/hold-after-each-fall", test_hold_after_each_fall);
  g_test_add_func ("/ducker/key-filters", test_key_filters);
  g_test_add_func ("/ducker/glide", test_glide);
  g_test_add_func ("/ducker/chunking", test_chunking);
  g_test_add_func (
      "/ducker/silence-is-a-silent-key", test_silence_is_a_silent_key);
  g_test_add_func ("/ducker/parameter-changes", test_parameter_changes);
  return g_test_run ();
}
