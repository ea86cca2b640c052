/* masterlimiter element tests (GstHarness): the guarantees of issue 5 -- the
 * ceiling on hard material at every rate class, transparency under it, low
 * distortion, latency and sample count, robustness.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <ebur128.h>
#include <gst/gst.h>
#include <gst/check/gstharness.h>
#include <gst/controller/gstdirectcontrolbinding.h>
#include <gst/controller/gstinterpolationcontrolsource.h>
#include <math.h>
#include <string.h>

#include "limiter.h"
#include "mmtest.h"

#define CEILING_DB -1.0
/* the 16x windowed-sinc measurement may read this much over the ceiling */
#define FINE_TOLERANCE_DB 0.1
/* and libebur128 this much (rounding only) */
#define EBUR128_TOLERANCE_DB 1e-6

static const GstAudioFormat formats[] = { GST_AUDIO_FORMAT_F32,
  GST_AUDIO_FORMAT_F64 };

static void
quantize (gdouble *x, gsize n_samples, GstAudioFormat format)
{
  if (format == GST_AUDIO_FORMAT_F32)
    for (gsize i = 0; i < n_samples; i++)
      x[i] = (gfloat) x[i];
}

static gdouble
max_sample_peak (const gdouble *y, gsize n, guint channels)
{
  gdouble peak = 0.0;
  for (guint c = 0; c < channels; c++)
    peak = MAX (peak, mmtest_sample_peak (y, n, channels, c));
  return peak;
}

/* libebur128's true peak (4x below 96 kHz, 2x below 192 kHz, else the
 * sample peak), the largest over the channels, in dBTP */
static gdouble
ebur128_true_peak_db (const gdouble *y, gsize n, guint channels, gint rate)
{
  ebur128_state *st = ebur128_init (channels, rate, EBUR128_MODE_TRUE_PEAK);
  gdouble peak = 0.0;

  g_assert_nonnull (st);
  /* every channel measured, whatever the default map leaves unused */
  for (guint c = 0; c < channels; c++)
    ebur128_set_channel (st, c, EBUR128_CENTER);
  g_assert_cmpint (ebur128_add_frames_double (st, y, n), ==, EBUR128_SUCCESS);
  for (guint c = 0; c < channels; c++) {
    gdouble tp;
    g_assert_cmpint (ebur128_true_peak (st, c, &tp), ==, EBUR128_SUCCESS);
    peak = MAX (peak, tp);
  }
  ebur128_destroy (&st);
  return mmtest_db (peak);
}

static gboolean
all_finite (const gdouble *y, gsize n_samples)
{
  for (gsize i = 0; i < n_samples; i++)
    if (!isfinite (y[i]))
      return FALSE;
  return TRUE;
}

/* what check_ceiling () found over the ceiling in the running test */
static GString *violations;

/* Fails the running test with every violation check_ceiling () found. */
static void
assert_no_violations (void)
{
  if (violations && violations->len > 0) {
    g_test_fail_printf ("over the ceiling:%s", violations->str);
    g_string_truncate (violations, 0);
  }
}

/* Runs x through "masterlimiter <props>" and checks the ceiling guarantee:
 * the sample peak never over the ceiling, and with true_peak neither
 * libebur128's true peak nor (within FINE_TOLERANCE_DB) the 16x one. A
 * violation is recorded for assert_no_violations () and the other cases still
 * run, so that one run shows every failing case with its numbers. */
static void
check_ceiling (const gchar *what, const gchar *props, const MmTestStream *st,
    gdouble *x, gsize n, gboolean true_peak)
{
  gchar *desc = g_strdup_printf ("masterlimiter %s", props);
  const gdouble ceiling = pow (10.0, CEILING_DB / 20.0);
  gsize out_n;
  gdouble *y, sp, ebu = -INFINITY, fine = -INFINITY;
  gboolean ok = TRUE;

  quantize (x, n * st->channels, st->format);
  y = mmtest_process (desc, st, x, n, &out_n);
  g_assert_cmpuint (out_n, ==, n);
  g_assert_true (all_finite (y, n * st->channels));
  sp = max_sample_peak (y, n, st->channels);
  ok = sp <= ceiling;
  if (true_peak) {
    ebu = ebur128_true_peak_db (y, n, st->channels, st->rate);
    fine = mmtest_db (mmtest_true_peak_all (y, n, st->channels, 16));
    ok = ok && ebu <= CEILING_DB + EBUR128_TOLERANCE_DB &&
        fine <= CEILING_DB + FINE_TOLERANCE_DB;
  }
  if (true_peak)
    g_test_message ("%s %s, %d Hz %u ch %s: sample peak %.6f dBFS, "
                    "libebur128 %.6f dBTP, 16x %.4f dBTP",
        ok ? "ok" : "OVER", what, st->rate, st->channels,
        st->format == GST_AUDIO_FORMAT_F32 ? "F32" : "F64", mmtest_db (sp), ebu,
        fine);
  else
    g_test_message ("%s %s, true-peak off, %d Hz %u ch %s: sample peak "
                    "%.6f dBFS",
        ok ? "ok" : "OVER", what, st->rate, st->channels,
        st->format == GST_AUDIO_FORMAT_F32 ? "F32" : "F64", mmtest_db (sp));
  if (!ok) {
    if (!violations)
      violations = g_string_new (NULL);
    g_string_append_printf (violations,
        "\n  %s (%s), %d Hz, %u ch, %s: sample peak %.9f dBFS (%.12f, "
        "ceiling %.12f), libebur128 %.6f dBTP, 16x %.4f dBTP",
        what, props, st->rate, st->channels,
        st->format == GST_AUDIO_FORMAT_F32 ? "F32" : "F64", mmtest_db (sp), sp,
        ceiling, ebu, fine);
  }
  g_free (desc);
  g_free (y);
}

/* ---- material ---- */

typedef void (*Generator) (
    gdouble *x, gsize n, guint channels, gdouble rate, gdouble param);

/* a naive square wave at param Hz, +-1 (full scale) */
static void
gen_square (gdouble *x, gsize n, guint channels, gdouble rate, gdouble freq)
{
  for (guint c = 0; c < channels; c++)
    for (gsize i = 0; i < n; i++)
      x[i * channels + c] =
          sin (2.0 * G_PI * freq * i / rate + 0.7 * c) >= 0.0 ? 1.0 : -1.0;
}

static void
gen_white (gdouble *x, gsize n, guint channels, gdouble rate, gdouble seed)
{
  for (guint c = 0; c < channels; c++)
    mmtest_noise (x, n, channels, c, 1.0, (guint32) seed + c);
}

static void
gen_pink (gdouble *x, gsize n, guint channels, gdouble rate, gdouble seed)
{
  for (guint c = 0; c < channels; c++)
    mmtest_pink_noise (x, n, channels, c, 1.0, (guint32) seed + c);
}

/* one sample of 1.0 in silence, at a different frame in each channel */
static void
gen_impulse (gdouble *x, gsize n, guint channels, gdouble rate, gdouble unused)
{
  memset (x, 0, n * channels * sizeof (gdouble));
  for (guint c = 0; c < channels; c++)
    x[(n / 2 + 17 * c) * channels + c] = 1.0;
}

/* A loud synthetic master: sines at 3, 5, 7, 9 and 11 kHz (scaled with the
 * rate) summed to a peak of about 2.5 and hard-clipped at +-1: flat tops whose
 * band-limited waveform rings over full scale between the samples. */
static void
gen_clipped_master (
    gdouble *x, gsize n, guint channels, gdouble rate, gdouble unused)
{
  const gdouble freqs[] = { 3000, 5000, 7000, 9000, 11000 };
  for (guint c = 0; c < channels; c++)
    for (gsize i = 0; i < n; i++) {
      gdouble v = 0.0;
      for (guint k = 0; k < G_N_ELEMENTS (freqs); k++)
        v += 0.5 *
            sin (2.0 * G_PI * (freqs[k] / 48000.0) * i + 0.9 * k + 0.4 * c);
      x[i * channels + c] = CLAMP (v, -1.0, 1.0);
    }
}

/* a sine of amplitude 0.9 at param Hz, or at param * rate when param < 1 */
static void
gen_sine (gdouble *x, gsize n, guint channels, gdouble rate, gdouble freq)
{
  if (freq < 1.0)
    freq *= rate;
  for (guint c = 0; c < channels; c++)
    mmtest_sine (x, n, channels, c, rate, freq, 0.9, 0.5 * c);
}

/* 10 ms linear fades at both ends, as in the EBU signals */
static void
fade_ends (gdouble *x, gsize n, guint channels, gsize ramp)
{
  ramp = MIN (ramp, n / 2);
  for (gsize i = 0; i < ramp; i++) {
    gdouble g = (gdouble) i / ramp;
    for (guint c = 0; c < channels; c++) {
      x[i * channels + c] *= g;
      x[(n - 1 - i) * channels + c] *= g;
    }
  }
}

/* EBU Tech 3341 cases 15-19: A sin (2 pi i / k + phi); param = case */
static void
gen_ebu_tone (gdouble *x, gsize n, guint channels, gdouble rate, gdouble which)
{
  static const struct
  {
    gdouble period, amplitude, phase_deg;
  } cases[] = {
    { 4, 0.5012, 0.0 },
    { 4, 0.5012, 45.0 },
    { 6, 0.5012, 60.0 },
    { 8, 0.5012, 67.5 },
    { 4, 1.4125, 45.0 },
  };
  gint k = (gint) which - 15;
  g_assert_true (k >= 0 && k < (gint) G_N_ELEMENTS (cases));
  for (gsize i = 0; i < n; i++)
    for (guint c = 0; c < channels; c++)
      x[i * channels + c] = cases[k].amplitude *
          sin (2.0 * G_PI * i / cases[k].period +
              cases[k].phase_deg * G_PI / 180.0);
  fade_ends (x, n, channels, (gsize) lround (0.01 * rate));
}

static gdouble
bessel_i0 (gdouble x)
{
  gdouble sum = 1.0, term = 1.0;
  for (gint k = 1; k < 60; k++) {
    term *= (x / (2.0 * k)) * (x / (2.0 * k));
    sum += term;
  }
  return sum;
}

#define EBU_FIR_TAPS 1023

/* EBU Tech 3341 cases 20-23 (param = case): made at 4 fs, 0.5 sin (2 pi n / 24)
 * with one period of 1.0 sin (2 pi n / 16) from a rising zero crossing, phase
 * continuous, 10 ms fades, a 1023-tap Kaiser (beta 10) low-pass at 0.475 fs,
 * then every fourth sample from offset case - 20. */
static void
gen_ebu_burst (gdouble *x, gsize n, guint channels, gdouble rate, gdouble which)
{
  const gint offset = (gint) which - 20;
  const gsize n4 = 4 * n, burst = 24 * ((n4 / 2) / 24);
  const gint half = EBU_FIR_TAPS / 2;
  gdouble *s = g_new (gdouble, n4), h[EBU_FIR_TAPS], sum = 0.0;
  const gdouble fc = 0.475 / 4.0;

  g_assert_true (offset >= 0 && offset < 4);
  for (gsize i = 0; i < n4; i++) {
    if (i < burst)
      s[i] = 0.5 * sin (2.0 * G_PI * i / 24.0);
    else if (i < burst + 16)
      s[i] = sin (2.0 * G_PI * (i - burst) / 16.0);
    else
      s[i] = 0.5 * sin (2.0 * G_PI * (i - burst - 16) / 24.0);
  }
  fade_ends (s, n4, 1, (gsize) lround (0.01 * 4 * rate));
  for (gint k = 0; k < EBU_FIR_TAPS; k++) {
    gdouble t = (gdouble) (k - half);
    gdouble r = t / half;
    gdouble w =
        bessel_i0 (10.0 * sqrt (MAX (0.0, 1.0 - r * r))) / bessel_i0 (10.0);
    h[k] = (t == 0.0 ? 2.0 * fc : sin (2.0 * G_PI * fc * t) / (G_PI * t)) * w;
    sum += h[k];
  }
  for (gint k = 0; k < EBU_FIR_TAPS; k++)
    h[k] /= sum;
  for (gsize m = 0; m < n; m++) {
    gint64 centre = 4 * (gint64) m + offset;
    gdouble acc = 0.0;
    for (gint k = 0; k < EBU_FIR_TAPS; k++) {
      gint64 idx = centre + half - k;
      if (idx >= 0 && idx < (gint64) n4)
        acc += h[k] * s[idx];
    }
    for (guint c = 0; c < channels; c++)
      x[m * channels + c] = acc;
  }
  g_free (s);
}

typedef struct
{
  const gchar *name;
  Generator generate;
  gdouble param;
  const gchar *props;
} Material;

static const Material true_peak_material[] = {
  { "square 997 Hz", gen_square, 997.0, "" },
  { "square 997 Hz +12", gen_square, 997.0, "input-gain=12" },
  { "square 3 kHz", gen_square, 3000.0, "" },
  { "square 3 kHz +12", gen_square, 3000.0, "input-gain=12" },
  { "white noise +20", gen_white, 11, "input-gain=20" },
  { "pink noise +20", gen_pink, 21, "input-gain=20" },
  { "impulse +20", gen_impulse, 0, "input-gain=20" },
  { "clipped master +6", gen_clipped_master, 0, "input-gain=6" },
  { "EBU 3341-15 +12", gen_ebu_tone, 15, "input-gain=12" },
  { "EBU 3341-16 +12", gen_ebu_tone, 16, "input-gain=12" },
  { "EBU 3341-17 +12", gen_ebu_tone, 17, "input-gain=12" },
  { "EBU 3341-18 +12", gen_ebu_tone, 18, "input-gain=12" },
  { "EBU 3341-19 +12", gen_ebu_tone, 19, "input-gain=12" },
  { "EBU 3341-20 +12", gen_ebu_burst, 20, "input-gain=12" },
  { "EBU 3341-21 +12", gen_ebu_burst, 21, "input-gain=12" },
  { "EBU 3341-22 +12", gen_ebu_burst, 22, "input-gain=12" },
  { "EBU 3341-23 +12", gen_ebu_burst, 23, "input-gain=12" },
  { "sine 20 Hz +12", gen_sine, 20.0, "input-gain=12" },
  { "sine 1 kHz +12", gen_sine, 1000.0, "input-gain=12" },
  { "sine 5 kHz +12", gen_sine, 5000.0, "input-gain=12" },
  { "sine 0.3 fs +12", gen_sine, 0.3, "input-gain=12" },
  { "sine 0.4 fs +12", gen_sine, 0.4, "input-gain=12" },
  { "sine 0.45 fs +12", gen_sine, 0.45, "input-gain=12" },
  /* other settings */
  { "white noise +20 unlinked", gen_white, 12, "input-gain=20 stereo-link=0" },
  { "pink noise +20, 1 ms fixed release", gen_pink, 22,
      "input-gain=20 release=1 auto-release=false" },
  { "clipped master +6, 0.5 ms lookahead", gen_clipped_master, 0,
      "input-gain=6 lookahead=0.5" },
};

typedef struct
{
  gint rate;
  GstAudioFormat format;
  guint channels;
  guint buffer_frames;
  gdouble seconds;
} RateCase;

/* every rate class; formats, channel counts and buffer sizes spread over them,
 * short signals at the high rates */
static const RateCase rate_cases[] = {
  { 8000, GST_AUDIO_FORMAT_F32, 1, 160, 0.25 },
  { 22050, GST_AUDIO_FORMAT_F64, 1, 333, 0.2 },
  { 44100, GST_AUDIO_FORMAT_F32, 6, 1024, 0.1 },
  { 48000, GST_AUDIO_FORMAT_F32, 2, 480, 0.2 },
  { 48000, GST_AUDIO_FORMAT_F64, 2, 997, 0.2 },
  { 96000, GST_AUDIO_FORMAT_F64, 2, 4096, 0.1 },
  { 192000, GST_AUDIO_FORMAT_F32, 2, 4096, 0.1 },
  { 384000, GST_AUDIO_FORMAT_F64, 2, 3840, 0.05 },
};

/* True-peak on (the defaults, ceiling -1 dBTP): nothing over the ceiling on
 * any of the material of issue 5. */
static void
test_true_peak_ceiling (gconstpointer data)
{
  const RateCase *rc = data;
  MmTestStream st = { rc->format, rc->rate, (gint) rc->channels,
    rc->buffer_frames };
  gsize n = (gsize) lround (rc->seconds * rc->rate);
  gdouble *x = g_new (gdouble, n * rc->channels);

  for (guint m = 0; m < G_N_ELEMENTS (true_peak_material); m++) {
    const Material *mat = &true_peak_material[m];
    if (mat->generate == gen_sine && mat->param >= 1.0 &&
        mat->param > 0.45 * rc->rate)
      continue;
    mat->generate (x, n, rc->channels, rc->rate, mat->param);
    check_ceiling (mat->name, mat->props, &st, x, n, TRUE);
  }
  g_free (x);
  assert_no_violations ();
}

/* True-peak off: the sample peak never exceeds the ceiling. */
static void
test_sample_peak_ceiling (void)
{
  static const Material material[] = {
    { "white noise +20", gen_white, 31, "true-peak=false input-gain=20" },
    { "square 997 Hz +12", gen_square, 997.0, "true-peak=false input-gain=12" },
    { "square 3 kHz", gen_square, 3000.0, "true-peak=false" },
    { "impulse +20", gen_impulse, 0, "true-peak=false input-gain=20" },
    { "sine 0.45 fs +12", gen_sine, 0.45, "true-peak=false input-gain=12" },
    { "clipped master +6", gen_clipped_master, 0,
        "true-peak=false input-gain=6" },
  };
  static const RateCase cases[] = {
    { 8000, GST_AUDIO_FORMAT_F64, 2, 100, 0.25 },
    { 44100, GST_AUDIO_FORMAT_F32, 2, 441, 0.2 },
    { 48000, GST_AUDIO_FORMAT_F64, 6, 1000, 0.1 },
    { 192000, GST_AUDIO_FORMAT_F32, 1, 2048, 0.1 },
  };

  for (guint r = 0; r < G_N_ELEMENTS (cases); r++) {
    const RateCase *rc = &cases[r];
    MmTestStream st = { rc->format, rc->rate, (gint) rc->channels,
      rc->buffer_frames };
    gsize n = (gsize) lround (rc->seconds * rc->rate);
    gdouble *x = g_new (gdouble, n * rc->channels);
    for (guint m = 0; m < G_N_ELEMENTS (material); m++) {
      material[m].generate (x, n, rc->channels, rc->rate, material[m].param);
      check_ceiling (material[m].name, material[m].props, &st, x, n, FALSE);
    }
    g_free (x);
  }
  assert_no_violations ();
}

/* The tabulated 16x measurement is the one of mmtest_true_peak (). */
static void
test_fast_true_peak_is_the_reference (void)
{
  const gsize n = 600;
  gdouble *x = g_new (gdouble, 2 * n);

  gen_clipped_master (x, n, 2, 48000, 0);
  mmtest_noise (x, n, 2, 1, 1.0, 3);
  g_assert_cmpfloat_with_epsilon (mmtest_true_peak_all (x, n, 2, 16),
      MAX (
          mmtest_true_peak (x, n, 2, 0, 16), mmtest_true_peak (x, n, 2, 1, 16)),
      1e-12);
  g_free (x);
}

/* ---- transparency ---- */

/* Audio whose true peak stays 0.5 dB or more under the ceiling comes out
 * bit-exact, at its own times, whatever the buffer size. */
static void
test_transparent_under_the_ceiling (void)
{
  const guint sizes[] = { 1, 7, 480, 1023 };
  const gsize n = 4800;

  for (guint f = 0; f < G_N_ELEMENTS (formats); f++)
    for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
      for (guint kind = 0; kind < 2; kind++) {
        MmTestStream st = { formats[f], 48000, 2, sizes[s] };
        gdouble *x = g_new (gdouble, 2 * n);
        for (guint c = 0; c < 2; c++) {
          if (kind == 0)
            mmtest_sine (x, n, 2, c, 48000, 997.0, 0.5, 0.3 * c);
          else
            mmtest_noise (x, n, 2, c, 0.25, 40 + c);
        }
        quantize (x, 2 * n, formats[f]);
        g_assert_cmpfloat (mmtest_db (mmtest_true_peak_all (x, n, 2, 16)), <=,
            CEILING_DB - 0.5);
        mmtest_assert_unchanged ("masterlimiter", &st, x, n);
        g_free (x);
      }
}

/* ---- distortion ---- */

/* A 1 kHz sine 6 dB over the ceiling: after 100 ms, THD+N <= -50 dB. */
static void
test_thd_n_of_a_sine_over_the_ceiling (void)
{
  for (guint f = 0; f < G_N_ELEMENTS (formats); f++) {
    MmTestStream st = { formats[f], 48000, 2, 1024 };
    const gsize n = 28800, skip = 4800;
    gdouble *x = g_new (gdouble, 2 * n), *y;
    gsize out_n;
    gdouble amp = pow (10.0, CEILING_DB / 20.0);

    mmtest_sine (x, n, 2, 0, 48000, 1000.0, amp, 0.0);
    mmtest_sine (x, n, 2, 1, 48000, 1000.0, amp, 0.0);
    quantize (x, 2 * n, formats[f]);
    y = mmtest_process ("masterlimiter input-gain=6", &st, x, n, &out_n);
    g_assert_cmpuint (out_n, ==, n);
    for (guint c = 0; c < 2; c++) {
      gdouble thd =
          mmtest_thd_n_db (y + skip * 2, n - skip, 2, c, 48000, 1000.0);
      g_test_message ("THD+N %s channel %u: %.2f dB",
          formats[f] == GST_AUDIO_FORMAT_F32 ? "F32" : "F64", c, thd);
      g_assert_cmpfloat (thd, <=, -50.0);
    }
    g_free (x);
    g_free (y);
  }
}

/* ---- latency, sample count, timestamps ---- */

static guint
expected_latency_frames (gint channels, gint rate, gdouble lookahead_ms,
    gint factor, gsize *lookahead_frames)
{
  MmLimiter *l = mm_limiter_new (channels, rate, 20.0);
  guint frames;

  g_assert_nonnull (l);
  mm_limiter_set_lookahead_frames (
      l, (size_t) MAX (1, lround (lookahead_ms * rate / 1000.0)));
  mm_limiter_set_oversampling (l, factor);
  frames = (guint) mm_limiter_latency_frames (l);
  if (lookahead_frames)
    *lookahead_frames = mm_limiter_get_lookahead_frames (l);
  mm_limiter_free (l);
  return frames;
}

static GstBuffer *
silent_buffer (const MmTestStream *st, guint frames, GstClockTime pts)
{
  gsize bpf = st->channels *
      (st->format == GST_AUDIO_FORMAT_F32 ? sizeof (gfloat) : sizeof (gdouble));
  GstBuffer *buf = gst_buffer_new_allocate (NULL, frames * bpf, NULL);
  gst_buffer_memset (buf, 0, 0, frames * bpf);
  GST_BUFFER_PTS (buf) = pts;
  GST_BUFFER_DURATION (buf) =
      gst_util_uint64_scale_int (frames, GST_SECOND, st->rate);
  return buf;
}

/* The LATENCY query reports the lookahead plus the detector's delay, in
 * frames converted to time rounded to the nearest ns. */
static void
test_latency_query (void)
{
  static const struct
  {
    gint rate;
    gint channels;
    gdouble lookahead;
    const gchar *props;
    gint factor;
    gsize lookahead_frames;
  } cases[] = {
    { 48000, 2, 5.0, "", 8, 240 },
    { 44100, 2, 0.5, "lookahead=0.5 oversampling=4", 4, 22 },
    { 8000, 1, 0.5, "lookahead=0.5", 8, 4 },
    { 96000, 6, 20.0, "lookahead=20 true-peak=false", 1, 1920 },
    { 384000, 2, 20.0, "lookahead=20 oversampling=2", 2, 7680 },
    { 22050, 8, 3.3, "lookahead=3.3", 8, 73 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    MmTestStream st = { GST_AUDIO_FORMAT_F32, cases[i].rate, cases[i].channels,
      0 };
    gchar *desc = g_strdup_printf ("masterlimiter %s", cases[i].props);
    GstHarness *h = mmtest_harness_new (desc, &st);
    gsize lookahead_frames;
    guint frames = expected_latency_frames (cases[i].channels, cases[i].rate,
        cases[i].lookahead, cases[i].factor, &lookahead_frames);
    GstClockTime expected =
        gst_util_uint64_scale_int_round (frames, GST_SECOND, cases[i].rate);
    GstBuffer *out;

    g_assert_cmpuint (lookahead_frames, ==, cases[i].lookahead_frames);
    g_assert_cmpuint (frames, >=, lookahead_frames);
    if (cases[i].factor == 1)
      g_assert_cmpuint (frames, ==, lookahead_frames);
    g_test_message ("%s at %d Hz: latency %u frames (lookahead %" G_GSIZE_FORMAT
                    "), %" GST_TIME_FORMAT,
        desc, cases[i].rate, frames, lookahead_frames,
        GST_TIME_ARGS (expected));
    g_assert_cmpint (
        gst_harness_push (h, silent_buffer (&st, 64, 0)), ==, GST_FLOW_OK);
    while ((out = gst_harness_try_pull (h)))
      gst_buffer_unref (out);
    g_assert_cmpuint (gst_harness_query_latency (h), ==, expected);
    gst_harness_teardown (h);
    g_free (desc);
  }
}

/* Output sample count equals the input's, for any buffer size, also when
 * the limiter works hard. */
static void
test_sample_count (void)
{
  const guint sizes[] = { 1, 2, 7, 64, 239, 240, 241, 287, 1000, 4096 };
  const gsize n = 3001;
  gdouble *x = g_new (gdouble, 2 * n);

  gen_white (x, n, 2, 48000, 50);
  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++) {
    MmTestStream st = { formats[s % 2], 48000, 2, sizes[s] };
    gsize out_n;
    gdouble *y =
        mmtest_process ("masterlimiter input-gain=20", &st, x, n, &out_n);
    g_assert_cmpuint (out_n, ==, n);
    g_assert_true (all_finite (y, 2 * n));
    g_free (y);
  }
  g_free (x);
}

/* Output timestamps run on from the first input's without a gap, the sample
 * count is kept, the tail comes at EOS. */
static void
test_timestamps (void)
{
  MmTestStream st = { GST_AUDIO_FORMAT_F32, 48000, 2, 300 };
  GstHarness *h = mmtest_harness_new ("masterlimiter lookahead=10", &st);
  const GstClockTime start = 3 * GST_SECOND;
  GstClockTime expected = start;
  guint64 frames = 0;

  for (guint i = 0; i < 20; i++) {
    GstBuffer *buf = silent_buffer (&st, 300,
        start + gst_util_uint64_scale_int (i * 300, GST_SECOND, 48000));
    g_assert_cmpint (gst_harness_push (h, buf), ==, GST_FLOW_OK);
    mmtest_pull_contiguous (h, &st, &expected, &frames);
  }
  g_assert_true (gst_harness_push_event (h, gst_event_new_eos ()));
  mmtest_pull_contiguous (h, &st, &expected, &frames);
  g_assert_cmpuint (frames, ==, 20 * 300);
  g_assert_cmpuint (expected, ==,
      start + gst_util_uint64_scale_int (6000, GST_SECOND, 48000));
  gst_harness_teardown (h);
}

/* A discontinuity drains the old timeline's delayed frames first: no frame is
 * lost or added, and each part keeps its own times. */
static void
test_discont_keeps_every_frame (void)
{
  MmTestStream st = { GST_AUDIO_FORMAT_F32, 48000, 2, 480 };
  GstHarness *h = mmtest_harness_new ("masterlimiter", &st);
  guint latency = expected_latency_frames (2, 48000, 5.0, 8, NULL);
  GstClockTime expected = 0;
  guint64 frames = 0;

  g_assert_cmpuint (latency, <, 480);
  for (guint i = 0; i < 10; i++) {
    /* the second half jumps one second ahead */
    GstBuffer *buf = silent_buffer (&st, 480,
        (i >= 5 ? GST_SECOND : 0) +
            gst_util_uint64_scale_int (i * 480, GST_SECOND, 48000));
    if (i == 5) {
      GstBuffer *out;
      GST_BUFFER_FLAG_SET (buf, GST_BUFFER_FLAG_DISCONT);
      mmtest_pull_contiguous (h, &st, &expected, &frames);
      g_assert_cmpuint (frames, ==, 5 * 480 - latency);
      g_assert_cmpint (gst_harness_push (h, buf), ==, GST_FLOW_OK);
      /* the drained tail, on the old timeline, up to 50 ms */
      out = gst_harness_pull (h);
      g_assert_cmpuint (GST_BUFFER_PTS (out), ==, expected);
      g_assert_cmpuint (gst_buffer_get_size (out), ==, latency * 8);
      g_assert_cmpuint (GST_BUFFER_PTS (out) + GST_BUFFER_DURATION (out), ==,
          50 * GST_MSECOND);
      frames += latency;
      gst_buffer_unref (out);
      /* then the new timeline */
      expected = GST_SECOND + 50 * GST_MSECOND;
      mmtest_pull_contiguous (h, &st, &expected, &frames);
      continue;
    }
    g_assert_cmpint (gst_harness_push (h, buf), ==, GST_FLOW_OK);
    mmtest_pull_contiguous (h, &st, &expected, &frames);
  }
  g_assert_true (gst_harness_push_event (h, gst_event_new_eos ()));
  mmtest_pull_contiguous (h, &st, &expected, &frames);
  g_assert_cmpuint (frames, ==, 10 * 480);
  g_assert_cmpuint (expected, ==, GST_SECOND + 100 * GST_MSECOND);
  gst_harness_teardown (h);
}

static void
test_flush_resets (void)
{
  MmTestStream st = { GST_AUDIO_FORMAT_F32, 48000, 2, 480 };
  gdouble *a = g_new (gdouble, 2 * 4800), *b = g_new (gdouble, 2 * 4800);
  gen_white (a, 4800, 2, 48000, 60);
  gen_pink (b, 4800, 2, 48000, 62);
  mmtest_check_flush_resets ("masterlimiter input-gain=12", &st, a, b, 4800);
  g_free (a);
  g_free (b);
}

static guint
pop_latency_messages (GstHarness *h)
{
  GstBus *bus = gst_element_get_bus (h->element);
  GstMessage *msg;
  guint count = 0;

  while ((msg = gst_bus_pop_filtered (bus, GST_MESSAGE_LATENCY))) {
    count++;
    gst_message_unref (msg);
  }
  gst_object_unref (bus);
  return count;
}

static gdouble *
harness_finish (GstHarness *h, const MmTestStream *st, gsize *out_frames)
{
  GArray *out = g_array_new (FALSE, FALSE, sizeof (gdouble));
  GstBuffer *buf;

  g_assert_true (gst_harness_push_event (h, gst_event_new_eos ()));
  while ((buf = gst_harness_try_pull (h))) {
    GstMapInfo map;
    g_assert_true (gst_buffer_map (buf, &map, GST_MAP_READ));
    if (st->format == GST_AUDIO_FORMAT_F32)
      for (gsize i = 0; i < map.size / sizeof (gfloat); i++) {
        gdouble v = ((const gfloat *) map.data)[i];
        g_array_append_val (out, v);
      }
    else
      g_array_append_vals (out, map.data, map.size / sizeof (gdouble));
    gst_buffer_unmap (buf, &map);
    gst_buffer_unref (buf);
  }
  *out_frames = out->len / st->channels;
  return (gdouble *) g_array_free (out, FALSE);
}

/* lookahead, true-peak and oversampling may change while playing: the held
 * audio drains through the old setting, a latency message is posted, the
 * LATENCY query gives the new latency, and no frame is lost, added or
 * changed. */
static void
test_reconfigure_while_playing (void)
{
  /* what each change leads to */
  static const struct
  {
    gdouble lookahead;
    gint factor;
  } changes[] = {
    { 12.0, 8 }, /* lookahead=12 */
    { 0.5, 8 }, /* lookahead=0.5 */
    { 5.0, 1 }, /* true-peak=false */
    { 5.0, 2 }, /* oversampling=2 */
  };
  const guint sizes[] = { 7, 480 };
  const gsize n = 9600, half = 4801;

  for (guint k = 0; k < G_N_ELEMENTS (changes); k++)
    for (guint s = 0; s < G_N_ELEMENTS (sizes); s++) {
      MmTestStream st = { formats[(k + s) % 2], 48000, 2, sizes[s] };
      GstHarness *h = mmtest_harness_new ("masterlimiter", &st);
      GstElement *limiter = gst_harness_find_element (h, "masterlimiter");
      gdouble *x = g_new (gdouble, 2 * n), *y1, *y2, *y3, *y;
      gsize n1, n2, n3;
      GstClockTime pts = 0;
      guint latency;

      mmtest_noise (x, n, 2, 0, 0.25, 70);
      mmtest_sine (x, n, 2, 1, 48000, 440.0, 0.5, 0.0);
      quantize (x, 2 * n, st.format);
      y1 = mmtest_harness_process (h, &st, x, half, &pts, &n1);
      pop_latency_messages (h);
      if (k == 0)
        g_object_set (limiter, "lookahead", 12.0, NULL);
      else if (k == 1)
        g_object_set (limiter, "lookahead", 0.5, NULL);
      else if (k == 2)
        g_object_set (limiter, "true-peak", FALSE, NULL);
      else
        g_object_set (limiter, "oversampling", 2, NULL);
      y2 = mmtest_harness_process (h, &st, x + 2 * half, n - half, &pts, &n2);
      g_assert_cmpuint (pop_latency_messages (h), >=, 1);
      latency = expected_latency_frames (
          2, 48000, changes[k].lookahead, changes[k].factor, NULL);
      g_assert_cmpuint (gst_harness_query_latency (h), ==,
          gst_util_uint64_scale_int_round (latency, GST_SECOND, 48000));
      y3 = harness_finish (h, &st, &n3);
      g_assert_cmpuint (n1 + n2 + n3, ==, n);
      y = g_new (gdouble, 2 * n);
      memcpy (y, y1, 2 * n1 * sizeof (gdouble));
      memcpy (y + 2 * n1, y2, 2 * n2 * sizeof (gdouble));
      memcpy (y + 2 * (n1 + n2), y3, 2 * n3 * sizeof (gdouble));
      g_assert_cmpmem (
          x, 2 * n * sizeof (gdouble), y, 2 * n * sizeof (gdouble));
      g_free (x);
      g_free (y);
      g_free (y1);
      g_free (y2);
      g_free (y3);
      gst_object_unref (limiter);
      gst_harness_teardown (h);
    }
}

/* And while it limits, changes of lookahead and oversampling keep every frame
 * and the ceiling, also right at the changes: the new setting sees the audio
 * before them. */
static void
test_reconfigure_while_limiting (void)
{
  MmTestStream st = { GST_AUDIO_FORMAT_F32, 48000, 2, 256 };
  GstHarness *h = mmtest_harness_new ("masterlimiter input-gain=20", &st);
  GstElement *limiter = gst_harness_find_element (h, "masterlimiter");
  const gsize n = 9600, cuts[] = { 0, 3000, 6000, n };
  gdouble *x = g_new (gdouble, 2 * n), *y = g_new (gdouble, 2 * n), *part;
  gsize done = 0, m;
  GstClockTime pts = 0;

  gen_white (x, n, 2, 48000, 80);
  quantize (x, 2 * n, st.format);
  for (guint k = 0; k < 3; k++) {
    if (k == 1)
      g_object_set (limiter, "lookahead", 2.0, NULL);
    else if (k == 2)
      g_object_set (limiter, "lookahead", 9.0, "oversampling", 4, NULL);
    part = mmtest_harness_process (
        h, &st, x + 2 * cuts[k], cuts[k + 1] - cuts[k], &pts, &m);
    g_assert_cmpuint (done + m, <=, n);
    memcpy (y + 2 * done, part, 2 * m * sizeof (gdouble));
    done += m;
    g_free (part);
  }
  part = harness_finish (h, &st, &m);
  g_assert_cmpuint (done + m, ==, n);
  memcpy (y + 2 * done, part, 2 * m * sizeof (gdouble));
  g_free (part);
  g_assert_true (all_finite (y, 2 * n));
  g_assert_cmpfloat (
      max_sample_peak (y, n, 2), <=, pow (10.0, CEILING_DB / 20.0));
  /* the new configuration saw the audio before the change too */
  gdouble fine = mmtest_db (mmtest_true_peak_all (y, n, 2, 16));
  gdouble ebu = ebur128_true_peak_db (y, n, 2, 48000);
  g_test_message ("across the changes: 16x true peak %.3f dBTP, libebur128 "
                  "%.3f dBTP",
      fine, ebu);
  g_assert_cmpfloat (fine, <=, CEILING_DB + 0.1);
  g_assert_cmpfloat (ebu, <=, CEILING_DB);
  g_free (x);
  g_free (y);
  gst_object_unref (limiter);
  gst_harness_teardown (h);
}

/* ---- messages ---- */

/* A steady sine 6 dB over the ceiling reads about 6.1 dB of reduction. */
static void
test_meter_messages (void)
{
  MmTestStream st = { GST_AUDIO_FORMAT_F32, 48000, 2, 333 };
  GstHarness *h = mmtest_harness_new ("masterlimiter input-gain=6 "
                                      "post-messages=true interval=50000000",
      &st);
  const gsize n = 48000;
  gdouble *x = g_new (gdouble, 2 * n), *y;
  gdouble amp = pow (10.0, CEILING_DB / 20.0);
  GstClockTime pts = 0;
  gsize out_n;
  GList *msgs;
  guint count = 0;

  mmtest_sine (x, n, 2, 0, 48000, 1000.0, amp, 0.0);
  mmtest_sine (x, n, 2, 1, 48000, 1000.0, amp, 0.0);
  y = mmtest_harness_process (h, &st, x, n, &pts, &out_n);
  msgs = mmtest_harness_collect_messages (h, "masterlimiter");
  for (GList *l = msgs; l; l = l->next) {
    gdouble gr;
    GstClockTime ts, duration;
    g_assert_true (gst_structure_get_double (l->data, "gain-reduction", &gr));
    g_assert_true (gst_structure_get_uint64 (l->data, "timestamp", &ts));
    g_assert_true (gst_structure_get_uint64 (l->data, "duration", &duration));
    g_assert_true (gst_structure_has_field (l->data, "stream-time"));
    g_assert_true (gst_structure_has_field (l->data, "running-time"));
    g_assert_cmpuint (duration, ==, 50 * GST_MSECOND);
    g_assert_cmpuint (ts, ==, count * 50 * GST_MSECOND);
    g_assert_cmpfloat (gr, >=, 0.0);
    if (count >= 2) {
      g_test_message ("gain-reduction at %" GST_TIME_FORMAT ": %.3f dB",
          GST_TIME_ARGS (ts), gr);
      g_assert_cmpfloat_with_epsilon (gr, 6.1, 0.5);
    }
    count++;
  }
  g_assert_cmpuint (count, ==, 20);
  g_list_free_full (msgs, (GDestroyNotify) gst_structure_free);
  g_free (x);
  g_free (y);
  gst_harness_teardown (h);
}

/* ---- release ---- */

/* Frames from the end of a short burst until the gain is back within 0.5 dB
 * of unity for good. */
static gsize
recovery_frames (const gchar *props)
{
  MmTestStream st = { GST_AUDIO_FORMAT_F64, 48000, 1, 512 };
  const gsize n = 48000, burst_start = 9600, burst_len = 96;
  gdouble *x = g_new (gdouble, n), *y;
  gsize out_n, last_low = burst_start + burst_len;

  mmtest_sine (x, n, 1, 0, 48000, 1000.0, 0.1, 0.0);
  for (gsize i = burst_start; i < burst_start + burst_len; i++)
    x[i] *= 40.0;
  y = mmtest_process (props, &st, x, n, &out_n);
  g_assert_cmpuint (out_n, ==, n);
  for (gsize i = burst_start + burst_len; i < n; i++)
    if (fabs (x[i]) > 0.05 && y[i] / x[i] < pow (10.0, -0.5 / 20.0))
      last_low = i;
  g_free (x);
  g_free (y);
  return last_low - (burst_start + burst_len);
}

/* auto-release: after a single short burst the gain comes back faster than
 * with the fixed release. */
static void
test_auto_release_recovers_faster_after_a_burst (void)
{
  gsize fixed = recovery_frames ("masterlimiter auto-release=false");
  gsize automatic = recovery_frames ("masterlimiter auto-release=true");

  g_test_message ("recovery after a 2 ms burst: fixed %.1f ms, auto %.1f ms",
      fixed / 48.0, automatic / 48.0);
  g_assert_cmpuint (fixed, >, 0);
  g_assert_cmpuint (automatic, <, fixed);
}

/* stereo-link 0: a quiet channel is untouched; 1: both get the same gain. */
static void
test_stereo_link (void)
{
  MmTestStream st = { GST_AUDIO_FORMAT_F64, 48000, 2, 1000 };
  const gsize n = 9600;
  gdouble *x = g_new (gdouble, 2 * n), *linked, *free_;
  gsize out_n;
  gboolean some_reduced = FALSE;

  mmtest_noise (x, n, 2, 0, 1.0, 90);
  mmtest_sine (x, n, 2, 1, 48000, 300.0, 0.1, 0.0);
  free_ = mmtest_process (
      "masterlimiter input-gain=10 stereo-link=0", &st, x, n, &out_n);
  linked = mmtest_process (
      "masterlimiter input-gain=10 stereo-link=1", &st, x, n, &out_n);
  for (gsize i = 0; i < n; i++) {
    gdouble gain = pow (10.0, 10.0 / 20.0);
    g_assert_cmpfloat_with_epsilon (
        free_[2 * i + 1], gain * x[2 * i + 1], 1e-9);
    if (fabs (x[2 * i]) > 0.1 && fabs (x[2 * i + 1]) > 0.02) {
      gdouble gl = linked[2 * i] / x[2 * i];
      gdouble gr = linked[2 * i + 1] / x[2 * i + 1];
      g_assert_cmpfloat_with_epsilon (gl, gr, 1e-9);
      some_reduced |= gr < 0.5 * gain;
    }
  }
  g_assert_true (some_reduced);
  g_free (x);
  g_free (linked);
  g_free (free_);
}

/* ceiling follows the controller while playing. */
static void
test_controlled_ceiling (void)
{
  MmTestStream st = { GST_AUDIO_FORMAT_F64, 48000, 2, 512 };
  GstHarness *h = mmtest_harness_new ("masterlimiter", &st);
  GstElement *limiter = gst_harness_find_element (h, "masterlimiter");
  GstControlSource *cs = gst_interpolation_control_source_new ();
  const gsize n = 28800;
  gdouble *x = g_new (gdouble, 2 * n), *y, *tail;
  gsize out_n, tail_n;
  GstClockTime pts = 0;
  gdouble before, after;

  g_object_set (cs, "mode", GST_INTERPOLATION_MODE_NONE, NULL);
  gst_timed_value_control_source_set (
      GST_TIMED_VALUE_CONTROL_SOURCE (cs), 0, -1.0);
  gst_timed_value_control_source_set (
      GST_TIMED_VALUE_CONTROL_SOURCE (cs), 300 * GST_MSECOND, -6.0);
  gst_object_add_control_binding (GST_OBJECT (limiter),
      gst_direct_control_binding_new_absolute (
          GST_OBJECT (limiter), "ceiling", cs));
  mmtest_sine (x, n, 2, 0, 48000, 1000.0, 1.0, 0.0);
  mmtest_sine (x, n, 2, 1, 48000, 1000.0, 1.0, 0.0);
  y = mmtest_harness_process (h, &st, x, n, &pts, &out_n);
  tail = harness_finish (h, &st, &tail_n);
  g_assert_cmpuint (out_n + tail_n, ==, n);
  before = mmtest_db (max_sample_peak (y + 2 * 2400, 11520, 2));
  after = mmtest_db (max_sample_peak (y + 2 * 19200, out_n - 19200, 2));
  g_test_message (
      "peak before the change %.3f dB, after %.3f dB", before, after);
  g_assert_cmpfloat (before, <=, -1.0);
  g_assert_cmpfloat (before, >, -1.5);
  g_assert_cmpfloat (after, <=, -6.0);
  g_assert_cmpfloat (after, >, -6.5);
  g_free (x);
  g_free (y);
  g_free (tail);
  gst_object_unref (cs);
  gst_object_unref (limiter);
  gst_harness_teardown (h);
}

static guint64
pull_frames (GstHarness *h, gsize bpf)
{
  guint64 frames = 0;
  GstBuffer *buf;
  while ((buf = gst_harness_try_pull (h))) {
    g_assert_cmpuint (gst_buffer_get_size (buf) % bpf, ==, 0);
    frames += gst_buffer_get_size (buf) / bpf;
    gst_buffer_unref (buf);
  }
  return frames;
}

/* New caps mid-stream: the audio held under the old caps comes out before
 * them, so every frame arrives in its own format. */
static void
test_caps_change_drains (void)
{
  MmTestStream f32 = { GST_AUDIO_FORMAT_F32, 48000, 2, 500 };
  MmTestStream f64 = { GST_AUDIO_FORMAT_F64, 44100, 1, 441 };
  GstHarness *h = mmtest_harness_new ("masterlimiter input-gain=12", &f32);
  gdouble *x = g_new (gdouble, 2 * 4000), *y;
  GstClockTime pts = 0;
  gsize out_n;
  GstAudioInfo info;
  GstCaps *caps;

  gen_white (x, 4000, 2, 48000, 120);
  y = mmtest_harness_process (h, &f32, x, 3000, &pts, &out_n);
  g_free (y);
  g_assert_cmpuint (out_n, <, 3000);
  gst_audio_info_set_format (&info, f64.format, f64.rate, f64.channels, NULL);
  caps = gst_audio_info_to_caps (&info);
  gst_harness_set_src_caps (h, caps);
  /* the rest of the first stream, in its format (F32 stereo) */
  g_assert_cmpuint (out_n + pull_frames (h, 8), ==, 3000);
  y = mmtest_harness_process (h, &f64, x, 4000, &pts, &out_n);
  g_free (y);
  g_assert_true (gst_harness_push_event (h, gst_event_new_eos ()));
  g_assert_cmpuint (out_n + pull_frames (h, 8), ==, 4000);
  g_free (x);
  gst_harness_teardown (h);
}

/* ---- robustness ---- */

/* NaN and Inf input: the output is finite and within the ceiling; under the
 * ceiling the bad samples come out as 0.0 and the rest bit-exact. */
static void
test_nonfinite_input (void)
{
  const gsize n = 4800;
  const gsize bad[] = { 10, 11, 1000, 3001, 4799 * 2 + 1 };
  const gdouble values[] = { NAN, INFINITY, -INFINITY, NAN, INFINITY };

  for (guint f = 0; f < G_N_ELEMENTS (formats); f++) {
    MmTestStream st = { formats[f], 48000, 2, 256 };
    gdouble *x = g_new (gdouble, 2 * n), *y;
    gsize out_n;

    /* driven */
    gen_white (x, n, 2, 48000, 100);
    for (guint b = 0; b < G_N_ELEMENTS (bad); b++)
      x[bad[b]] = values[b];
    check_ceiling (
        "white noise +20 with NaN and Inf", "input-gain=20", &st, x, n, TRUE);

    /* under the ceiling */
    mmtest_noise (x, n, 2, 0, 0.25, 101);
    mmtest_noise (x, n, 2, 1, 0.25, 102);
    quantize (x, 2 * n, formats[f]);
    for (guint b = 0; b < G_N_ELEMENTS (bad); b++)
      x[bad[b]] = values[b];
    y = mmtest_process ("masterlimiter", &st, x, n, &out_n);
    g_assert_cmpuint (out_n, ==, n);
    for (guint b = 0; b < G_N_ELEMENTS (bad); b++)
      x[bad[b]] = 0.0;
    g_assert_cmpmem (x, 2 * n * sizeof (gdouble), y, 2 * n * sizeof (gdouble));
    g_free (x);
    g_free (y);
  }
  assert_no_violations ();
}

static void
tweak (GstElement *element, GRand *rand)
{
  g_object_set (element, "ceiling", g_rand_double_range (rand, -20.0, 0.0),
      "input-gain", g_rand_double_range (rand, -12.0, 24.0), "release",
      g_rand_double_range (rand, 1.0, 2000.0), "auto-release",
      g_rand_boolean (rand), "stereo-link", g_rand_double (rand),
      "post-messages", g_rand_boolean (rand), "interval",
      (guint64) g_rand_int_range (rand, 1, 200) * GST_MSECOND, NULL);
  /* now and then the settings that drain and restart */
  switch (g_rand_int_range (rand, 0, 40)) {
    case 0:
      g_object_set (
          element, "lookahead", g_rand_double_range (rand, 0.5, 20.0), NULL);
      break;
    case 1:
      g_object_set (element, "true-peak", g_rand_boolean (rand), NULL);
      break;
    case 2:
      g_object_set (
          element, "oversampling", 2 << g_rand_int_range (rand, 0, 3), NULL);
      break;
    default:
      break;
  }
}

/* Settings changing from another thread while audio flows: finite output,
 * never over full scale (the highest ceiling), every frame kept. */
static void
test_changes_from_another_thread (void)
{
  const guint sizes[] = { 113, 1024 };
  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++) {
    MmTestStream st = { formats[s], 48000, 2, sizes[s] };
    GstHarness *h = mmtest_harness_new ("masterlimiter", &st);
    const gsize n = 96000;
    gdouble *x = g_new (gdouble, 2 * n), *y, *tail;
    gsize out_n, tail_n;

    gen_pink (x, n, 2, 48000, 110);
    y = mmtest_process_while_tweaking (
        h, "masterlimiter", &st, x, n, tweak, &out_n);
    tail = harness_finish (h, &st, &tail_n);
    g_assert_cmpuint (out_n + tail_n, ==, n);
    g_assert_true (all_finite (y, 2 * out_n));
    g_assert_true (all_finite (tail, 2 * tail_n));
    g_assert_cmpfloat (max_sample_peak (y, out_n, 2), <=, 1.0);
    g_assert_cmpfloat (max_sample_peak (tail, tail_n, 2), <=, 1.0);
    g_free (x);
    g_free (y);
    g_free (tail);
    gst_harness_teardown (h);
  }
}

/* oversampling takes 2, 4 or 8; anything else is refused with a warning
 * that names the property and the allowed values, keeping the old value. */
static void
test_oversampling_refuses_other_factors (void)
{
  GstElement *e = gst_element_factory_make ("masterlimiter", NULL);
  gint factor;

  g_assert_nonnull (e);
  g_object_get (e, "oversampling", &factor, NULL);
  g_assert_cmpint (factor, ==, 8);
  g_object_set (e, "oversampling", 4, NULL);
  for (gint bad = 3; bad <= 7; bad += 2) {
    g_test_expect_message (
        NULL, G_LOG_LEVEL_WARNING, "*oversampling=*refused*2, 4 or 8*");
    g_object_set (e, "oversampling", bad, NULL);
    g_test_assert_expected_messages ();
    g_object_get (e, "oversampling", &factor, NULL);
    g_assert_cmpint (factor, ==, 4);
  }
  gst_object_unref (e);
}

static GstPadProbeReturn
count_frames (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  *(guint64 *) data +=
      gst_buffer_get_size (GST_PAD_PROBE_INFO_BUFFER (info)) / 8;
  return GST_PAD_PROBE_OK;
}

/* A pipeline can run, go back to READY and run again: each run gives every
 * frame. */
static void
test_restart_after_ready (void)
{
  GError *error = NULL;
  GstElement *pipeline = gst_parse_launch (
      "audiotestsrc num-buffers=10 samplesperbuffer=480 wave=white-noise ! "
      "audio/x-raw,format=F32LE,rate=48000,channels=2 ! "
      "masterlimiter input-gain=20 ! fakesink name=sink sync=false",
      &error);
  GstElement *sink;
  GstPad *pad;
  guint64 frames = 0;

  g_assert_no_error (error);
  sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  pad = gst_element_get_static_pad (sink, "sink");
  gst_pad_add_probe (
      pad, GST_PAD_PROBE_TYPE_BUFFER, count_frames, &frames, NULL);
  for (guint run = 0; run < 2; run++) {
    GstBus *bus = gst_element_get_bus (pipeline);
    GstMessage *msg;
    frames = 0;
    g_assert_cmpint (gst_element_set_state (pipeline, GST_STATE_PLAYING), !=,
        GST_STATE_CHANGE_FAILURE);
    msg = gst_bus_timed_pop_filtered (
        bus, 30 * GST_SECOND, GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
    g_assert_nonnull (msg);
    g_assert_cmpint (GST_MESSAGE_TYPE (msg), ==, GST_MESSAGE_EOS);
    gst_message_unref (msg);
    gst_object_unref (bus);
    g_assert_cmpuint (frames, ==, 10 * 480);
    g_assert_cmpint (gst_element_set_state (pipeline, GST_STATE_READY), !=,
        GST_STATE_CHANGE_FAILURE);
  }
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (pad);
  gst_object_unref (sink);
  gst_object_unref (pipeline);
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/masterlimiter/fast-true-peak-is-the-reference",
      test_fast_true_peak_is_the_reference);
  for (guint r = 0; r < G_N_ELEMENTS (rate_cases); r++) {
    gchar *path = g_strdup_printf (
        "/masterlimiter/true-peak-ceiling/%d-%s-%uch", rate_cases[r].rate,
        rate_cases[r].format == GST_AUDIO_FORMAT_F32 ? "f32" : "f64",
        rate_cases[r].channels);
    g_test_add_data_func (path, &rate_cases[r], test_true_peak_ceiling);
    g_free (path);
  }
  g_test_add_func (
      "/masterlimiter/sample-peak-ceiling", test_sample_peak_ceiling);
  g_test_add_func ("/masterlimiter/transparent-under-the-ceiling",
      test_transparent_under_the_ceiling);
  g_test_add_func ("/masterlimiter/thd-n-of-a-sine-over-the-ceiling",
      test_thd_n_of_a_sine_over_the_ceiling);
  g_test_add_func ("/masterlimiter/latency-query", test_latency_query);
  g_test_add_func ("/masterlimiter/sample-count", test_sample_count);
  g_test_add_func ("/masterlimiter/timestamps", test_timestamps);
  g_test_add_func ("/masterlimiter/discont-keeps-every-frame",
      test_discont_keeps_every_frame);
  g_test_add_func ("/masterlimiter/flush-resets", test_flush_resets);
  g_test_add_func ("/masterlimiter/reconfigure-while-playing",
      test_reconfigure_while_playing);
  g_test_add_func ("/masterlimiter/reconfigure-while-limiting",
      test_reconfigure_while_limiting);
  g_test_add_func ("/masterlimiter/meter-messages", test_meter_messages);
  g_test_add_func ("/masterlimiter/auto-release-recovers-faster-after-a-burst",
      test_auto_release_recovers_faster_after_a_burst);
  g_test_add_func ("/masterlimiter/stereo-link", test_stereo_link);
  g_test_add_func (
      "/masterlimiter/controlled-ceiling", test_controlled_ceiling);
  g_test_add_func (
      "/masterlimiter/caps-change-drains", test_caps_change_drains);
  g_test_add_func ("/masterlimiter/nonfinite-input", test_nonfinite_input);
  g_test_add_func ("/masterlimiter/changes-from-another-thread",
      test_changes_from_another_thread);
  g_test_add_func ("/masterlimiter/oversampling-refuses-other-factors",
      test_oversampling_refuses_other_factors);
  g_test_add_func (
      "/masterlimiter/restart-after-ready", test_restart_after_ready);
  return g_test_run ();
}
