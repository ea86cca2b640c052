/* dsp/blocklimiter: the profile against the meter and the detector it
 * summarizes, the block limiter's ceiling, and its loudness model against the
 * loudness of the audio it renders.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <glib.h>
#include <math.h>
#include <string.h>

#include "blocklimiter.h"
#include "limiter.h"
#include "loudness.h"
#include "truepeak.h"

static double
db (double linear)
{
  return 20.0 * log10 (linear);
}

/* Noise with loud bursts, like drums over a bed: stereo, interleaved. */
static float *
bursts (size_t frames, double rate, guint32 seed)
{
  GRand *rand = g_rand_new_with_seed (seed);
  float *x = g_new (float, 2 * frames);
  double lp[2] = { 0.0, 0.0 };
  for (size_t i = 0; i < frames; i++) {
    double t = (double) i / rate, beat = fmod (t, 0.5);
    double hit = beat < 0.08 ? 4.0 * exp (-beat / 0.02) : 0.0;
    for (int c = 0; c < 2; c++) {
      lp[c] = 0.7 * lp[c] + 0.3 * g_rand_double_range (rand, -1.0, 1.0);
      x[2 * i + c] = (float) (0.08 * lp[c] * (1.0 + hit) +
          0.02 * hit * sin (2.0 * G_PI * 60.0 * t));
    }
  }
  g_rand_free (rand);
  return x;
}

typedef struct
{
  size_t n_blocks;
  float *peak, *energy;
} Profile;

/* The programme through the meter and the profiler in chunks of random
 * size (1 .. 512 frames). */
static Profile
profile_of (const float *x, size_t frames, double rate, size_t block_frames,
    MmLoudness *meter, guint32 seed)
{
  MmBlockProfiler *p = mm_block_profiler_new (2, rate, block_frames);
  GRand *rand = g_rand_new_with_seed (seed);
  Profile prof;
  size_t capacity = frames / block_frames + MM_BLOCK_PROFILER_MAX_BLOCKS;
  float energy[MM_TRUEPEAK_BLOCK];
  prof.peak = g_new (float, capacity);
  prof.energy = g_new (float, capacity);
  prof.n_blocks = 0;
  g_assert_nonnull (p);
  for (size_t done = 0; done < frames;) {
    size_t n = (size_t) g_rand_int_range (rand, 1, 513);
    n = MIN (n, frames - done);
    mm_loudness_add_f32_energies (meter, x + 2 * done, n, energy);
    prof.n_blocks += mm_block_profiler_add_f32 (p, x + 2 * done, energy, n,
        prof.peak + prof.n_blocks, prof.energy + prof.n_blocks);
    done += n;
  }
  prof.n_blocks += mm_block_profiler_finish (
      p, prof.peak + prof.n_blocks, prof.energy + prof.n_blocks);
  mm_block_profiler_free (p);
  g_rand_free (rand);
  return prof;
}

static void
profile_clear (Profile *prof)
{
  g_free (prof->peak);
  g_free (prof->energy);
}

/* Each block's peak is the largest true peak of its frames (the detector run
 * alone), its energy sums to what the meter integrates, and every frame is in
 * a block, also for programmes shorter than the detector's delay. */
static void
test_profile_matches_detector_and_meter (void)
{
  const double rate = 44100.0;
  const size_t lengths[] = { 3, 40, 44, 45, 1000, 44100 + 5 };
  const size_t block_sizes[] = { 1, 7, 8, 64 };

  for (guint l = 0; l < G_N_ELEMENTS (lengths); l++) {
    for (guint b = 0; b < G_N_ELEMENTS (block_sizes); b++) {
      const size_t frames = lengths[l], d = block_sizes[b];
      float *x = bursts (frames, rate, 7 + l);
      MmLoudness *meter = mm_loudness_new (2, rate, NULL);
      mm_loudness_set_true_peak (meter, false);
      Profile prof = profile_of (x, frames, rate, d, meter, 11 + b);

      if (prof.n_blocks != (frames + d - 1) / d)
        g_error ("%zu frames, D %zu: %zu blocks", frames, d, prof.n_blocks);

      /* the detector alone, flushed with silence */
      MmTruePeak tp;
      mm_true_peak_init (&tp, 8, rate);
      float *linked = g_new0 (float, frames + MM_TRUEPEAK_BLOCK);
      for (int c = 0; c < 2; c++) {
        MmTruePeakState *s = g_new0 (MmTruePeakState, 1);
        float in[MM_TRUEPEAK_BLOCK], out[MM_TRUEPEAK_BLOCK];
        size_t total = frames + (size_t) tp.delay;
        for (size_t done = 0; done < total;) {
          size_t n = MIN ((size_t) MM_TRUEPEAK_BLOCK, total - done);
          for (size_t i = 0; i < n; i++)
            in[i] = done + i < frames ? x[2 * (done + i) + c] : 0.0f;
          mm_true_peak_process (&tp, s, in, out, n);
          for (size_t i = 0; i < n; i++) {
            ptrdiff_t frame = (ptrdiff_t) (done + i) - tp.delay;
            if (frame >= 0 && (size_t) frame < frames)
              linked[frame] = MAX (linked[frame], out[i]);
          }
          done += n;
        }
        g_free (s);
      }
      double energy_sum = 0.0;
      for (size_t k = 0; k < prof.n_blocks; k++) {
        float expect = 0.0f;
        for (size_t i = k * d; i < MIN ((k + 1) * d, frames); i++)
          expect = MAX (expect, linked[i]);
        if (prof.peak[k] != expect)
          g_error ("%zu frames, D %zu: block %zu peak %.9g, detector %.9g",
              frames, d, k, prof.peak[k], expect);
        energy_sum += prof.energy[k];
      }

      /* the meter's own integration of the same energies */
      MmLoudness *again = mm_loudness_new (2, rate, NULL);
      mm_loudness_set_true_peak (again, false);
      mm_loudness_add_energies (again, prof.energy, prof.n_blocks - 1, d);
      mm_loudness_add_energies (again, prof.energy + prof.n_blocks - 1, 1,
          frames - (prof.n_blocks - 1) * d);
      MmLoudnessReading direct, integrated;
      mm_loudness_read_final (meter, &direct);
      mm_loudness_read_final (again, &integrated);
      /* exact frame by frame; with longer blocks the energy of a block that
       * straddles two 10 ms steps is shared out evenly */
      if (isfinite (direct.integrated) || isfinite (integrated.integrated))
        g_assert_cmpfloat_with_epsilon (direct.integrated,
            integrated.integrated, d == 1 ? 1e-5 : 0.002 * (double) d);
      g_assert_true (energy_sum > 0.0);

      mm_loudness_free (meter);
      mm_loudness_free (again);
      profile_clear (&prof);
      g_free (linked);
      g_free (x);
    }
  }
}

/* Limiter gains for a profile at input gain gain_db: n_blocks + 1 values, the
 * last the gain at the programme's end. */
static double *
block_gains (MmBlockLimiter *bl, const Profile *prof, double rate,
    double gain_db, double ceiling_db, double release_ms, gboolean automatic)
{
  const size_t delay = mm_block_limiter_delay_blocks (bl);
  const size_t fed = prof->n_blocks + delay + 1;
  float *peak = g_new0 (float, fed);
  double *out = g_new (double, fed);
  double *gain = g_new (double, prof->n_blocks + 1);
  memcpy (peak, prof->peak, prof->n_blocks * sizeof (float));
  mm_block_limiter_start (bl, rate, gain_db, ceiling_db, release_ms, automatic);
  /* in uneven pieces, as a caller reading a spool would */
  for (size_t done = 0; done < fed;) {
    size_t n = MIN ((size_t) 333, fed - done);
    mm_block_limiter_run (bl, peak + done, out + done, n);
    done += n;
  }
  memcpy (gain, out + delay, (prof->n_blocks + 1) * sizeof (double));
  g_free (peak);
  g_free (out);
  return gain;
}

/* Every frame's gain times its block's peak stays under the ceiling less the
 * margin; gains that need not act are exactly 1. */
static void
test_block_limiter_ceiling (void)
{
  const double rate = 48000.0;
  const size_t frames = 48000 * 4, d = 8;
  float *x = bursts (frames, rate, 3);
  MmLoudness *meter = mm_loudness_new (2, rate, NULL);
  Profile prof = profile_of (x, frames, rate, d, meter, 5);
  const double gains_db[] = { -6.0, 0.0, 6.0, 14.0, 24.0 };
  const double releases[] = { 5.0, 150.0 };
  const double ceiling =
      pow (10.0, (-1.0 - MM_LIMITER_TRUE_PEAK_MARGIN_DB) / 20.0);
  MmBlockLimiter *bl = mm_block_limiter_new (d, 240);

  g_assert_cmpuint (mm_block_limiter_delay_blocks (bl), ==, 30);
  for (guint g = 0; g < G_N_ELEMENTS (gains_db); g++) {
    for (guint r = 0; r < G_N_ELEMENTS (releases); r++) {
      const double lin = pow (10.0, gains_db[g] / 20.0);
      double *gain =
          block_gains (bl, &prof, rate, gains_db[g], -1.0, releases[r], r == 1);
      size_t acting = 0;
      for (size_t k = 0; k < prof.n_blocks; k++) {
        double top = MAX (gain[k], gain[k + 1]);
        g_assert_cmpfloat (top, <=, 1.0);
        if (!(lin * prof.peak[k] * top <= ceiling))
          g_error ("gain %+.0f dB: block %zu at %.6f dB over the ceiling",
              gains_db[g], k, db (lin * prof.peak[k] * top / ceiling));
        acting += gain[k] < 1.0;
        if (lin * prof.peak[k] < 0.5 * ceiling && k > 0 && gain[k - 1] == 1.0 &&
            gain[k + 1] == 1.0)
          g_assert_cmpfloat (gain[k], ==, 1.0);
      }
      if (gains_db[g] <= -6.0)
        g_assert_cmpuint (acting, ==, 0);
      if (gains_db[g] >= 14.0)
        g_assert_cmpuint (acting, >, prof.n_blocks / 50);
      g_free (gain);
    }
  }
  mm_block_limiter_free (bl);
  mm_loudness_free (meter);
  profile_clear (&prof);
  g_free (x);
}

/* Rendering with the block gains: the loudness the profile predicts against
 * the loudness of the rendered audio (within 0.03 LU), and the rendered
 * audio's true peak (the 8x detector) under the ceiling; at 44.1 and 48 kHz
 * and both formats' paths. */
static void
test_render_matches_model (void)
{
  const double rates[] = { 44100.0, 48000.0 };
  for (guint ri = 0; ri < G_N_ELEMENTS (rates); ri++) {
    const double rate = rates[ri];
    const size_t frames = (size_t) rate * 20 + 77;
    const size_t d = rate > 46000 ? 8 : 7;
    float *x = bursts (frames, rate, 21 + ri);
    MmLoudness *meter = mm_loudness_new (2, rate, NULL);
    mm_loudness_set_true_peak (meter, false);
    Profile prof = profile_of (x, frames, rate, d, meter, 9);
    MmLoudnessReading in;
    mm_loudness_read_final (meter, &in);
    MmBlockLimiter *bl = mm_block_limiter_new (d, (size_t) (0.005 * rate));
    const double gains_db[] = { 3.0, 10.0, 18.0 };

    for (guint g = 0; g < G_N_ELEMENTS (gains_db); g++) {
      const double lin = pow (10.0, gains_db[g] / 20.0);
      double *gain =
          block_gains (bl, &prof, rate, gains_db[g], -1.0, 150.0, TRUE);

      /* the model */
      float *modelled = g_new (float, prof.n_blocks);
      double modelled_peak = 0.0;
      for (size_t k = 0; k < prof.n_blocks; k++) {
        modelled[k] = (float) (prof.energy[k] * lin * lin *
            mm_block_limiter_power (gain[k], gain[k + 1]));
        modelled_peak = MAX (
            modelled_peak, lin * prof.peak[k] * MAX (gain[k], gain[k + 1]));
      }
      MmLoudness *model = mm_loudness_new (2, rate, NULL);
      mm_loudness_set_true_peak (model, false);
      mm_loudness_add_energies (model, modelled, prof.n_blocks - 1, d);
      mm_loudness_add_energies (model, modelled + prof.n_blocks - 1, 1,
          frames - (prof.n_blocks - 1) * d);

      /* the audio, rendered in both formats */
      float *y = g_memdup2 (x, 2 * frames * sizeof (float));
      double *y64 = g_new (double, 2 * frames);
      for (size_t i = 0; i < 2 * frames; i++)
        y64[i] = x[i];
      for (size_t start = 0; start < frames;) {
        /* in pieces of uneven length, across block boundaries */
        size_t n = MIN (1 + start % 997, frames - start);
        mm_block_limiter_apply_f32 (
            y + 2 * start, 2, d, start % d, n, gain + start / d, lin);
        mm_block_limiter_apply_f64 (
            y64 + 2 * start, 2, d, start % d, n, gain + start / d, lin);
        start += n;
      }
      for (size_t i = 0; i < 2 * frames; i++)
        g_assert_cmpfloat (
            fabs (y64[i] - y[i]), <=, 1e-6 * fabs (y64[i]) + 1e-30);
      MmLoudness *out = mm_loudness_new (2, rate, NULL);
      mm_loudness_add_f32 (out, y, frames);

      MmLoudnessReading m, o;
      mm_loudness_read_final (model, &m);
      mm_loudness_read_final (out, &o);
      g_test_message ("%.0f Hz, gain %+.0f dB: input %.3f LUFS, model %.4f, "
                      "rendered %.4f LUFS, %.3f dBTP (model %.3f)",
          rate, gains_db[g], in.integrated, m.integrated, o.integrated,
          db (o.true_peak), db (modelled_peak));
      g_assert_cmpfloat (fabs (m.integrated - o.integrated), <=, 0.03);
      /* the peak the profile predicts: the detector's on the output */
      g_assert_cmpfloat (fabs (db (modelled_peak / o.true_peak)), <=, 0.02);
      /* the 8x grid, and a margin for the gain's glide within the
       * interpolator's span */
      g_assert_cmpfloat (db (o.true_peak), <=, -1.0 - 0.1);
      if (gains_db[g] >= 10.0)
        g_assert_cmpfloat (o.integrated, <, in.integrated + gains_db[g] - 0.05);

      mm_loudness_free (model);
      mm_loudness_free (out);
      g_free (modelled);
      g_free (gain);
      g_free (y);
      g_free (y64);
    }
    mm_block_limiter_free (bl);
    mm_loudness_free (meter);
    profile_clear (&prof);
    g_free (x);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/blocklimiter/profile-matches-detector-and-meter",
      test_profile_matches_detector_and_meter);
  g_test_add_func ("/blocklimiter/ceiling", test_block_limiter_ceiling);
  g_test_add_func (
      "/blocklimiter/render-matches-model", test_render_matches_model);
  return g_test_run ();
}
