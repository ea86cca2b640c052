/* EBU Tech 3341 and Tech 3342 test signals, synthesized from the specs
 * Copyright (C) 2026 gst-mixmaster developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * See ebu.h for what each signal is and how it is made. */

#include "ebu.h"

#include <math.h>
#include <string.h>

#define SILENCE (-INFINITY)

/* one run of a 1 kHz tone (or of silence) */
typedef struct
{
  gdouble seconds;
  gdouble dbfs; /* per-channel peak level; SILENCE for exact zeros */
} Tone;

static void
signal_alloc (MmEbuSignal *s, gsize n_frames, guint channels, gdouble rate,
    guint n_segments)
{
  memset (s, 0, sizeof (*s));
  s->frames = g_new0 (gdouble, n_frames * channels);
  s->n_frames = n_frames;
  s->channels = channels;
  s->rate = rate;
  s->n_segments = n_segments;
  s->segment_start = g_new0 (gsize, n_segments);
  s->segment_end = g_new0 (gsize, n_segments);
  if (n_segments == 1)
    s->segment_end[0] = n_frames;
}

void
mm_ebu_signal_clear (MmEbuSignal *s)
{
  if (s == NULL)
    return;
  g_free (s->frames);
  g_free (s->segment_start);
  g_free (s->segment_end);
  memset (s, 0, sizeof (*s));
}

static gsize
seconds_to_frames (gdouble seconds, gdouble rate)
{
  return (gsize) lround (seconds * rate);
}

/* Frames the tones t[0..n) take: boundaries at round(cumulated time * rate). */
static gsize
tones_frames (const Tone *t, guint n, gdouble rate)
{
  gdouble total = 0.0;
  for (guint i = 0; i < n; i++)
    total += t[i].seconds;
  return seconds_to_frames (total, rate);
}

/* sin (2 pi 1000 k / rate); 1000 k is exact in a double and so is the fmod,
 * so the phase stays exact however long the signal */
static gdouble
tone_sample (gsize k, gdouble rate)
{
  return sin (2.0 * G_PI * fmod (1000.0 * (gdouble) k, rate) / rate);
}

/* Writes the tones t[0..n) to frames, one phase index counted from frames[0],
 * channel c at t[i].dbfs + ch_db[c] (ch_db NULL: all channels alike). If
 * bounds is given, it receives the n + 1 run boundaries (frame indices). */
static void
tones_write (gdouble *frames, guint channels, gdouble rate, const Tone *t,
    guint n, const gdouble *ch_db, gsize *bounds)
{
  gdouble start_time = 0.0, *table = NULL;
  gsize start = 0, period = 0;

  /* At an integer rate the tone repeats every rate / gcd (rate, 1000)
   * samples (48 at 48 kHz, 441 at 44.1 kHz): one period, computed once. */
  if (rate == floor (rate)) {
    guint64 a = (guint64) rate, b = 1000;
    while (b != 0) {
      guint64 rem = a % b;
      a = b;
      b = rem;
    }
    period = (gsize) ((guint64) rate / a);
    table = g_new (gdouble, period);
    for (gsize k = 0; k < period; k++)
      table[k] = tone_sample (k, rate);
  }
  if (bounds != NULL)
    bounds[0] = 0;
  for (guint i = 0; i < n; i++) {
    gsize end = seconds_to_frames (start_time + t[i].seconds, rate);
    gdouble amp[8];

    g_assert (channels <= G_N_ELEMENTS (amp));
    for (guint c = 0; c < channels; c++) {
      gdouble db = t[i].dbfs + (ch_db != NULL ? ch_db[c] : 0.0);
      amp[c] = isfinite (db) ? pow (10.0, db / 20.0) : 0.0;
    }
    for (gsize k = start, j = period > 0 ? start % period : 0; k < end; k++) {
      gdouble s = table != NULL ? table[j] : tone_sample (k, rate);
      if (++j == period)
        j = 0;
      for (guint c = 0; c < channels; c++)
        frames[k * channels + c] = amp[c] != 0.0 ? amp[c] * s : 0.0;
    }
    start_time += t[i].seconds;
    start = end;
    if (bounds != NULL)
      bounds[i + 1] = end;
  }
  g_free (table);
}

/* A signal of one segment: the tones t[0..n), stereo. */
static void
tones_signal (MmEbuSignal *s, gdouble rate, const Tone *t, guint n)
{
  signal_alloc (s, tones_frames (t, n, rate), 2, rate, 1);
  tones_write (s->frames, 2, rate, t, n, NULL, NULL);
}

/* Tones repeated `times` times. */
static void
tones_repeat_signal (
    MmEbuSignal *s, gdouble rate, const Tone *t, guint n, guint times)
{
  Tone all[50];

  g_assert (n * times <= G_N_ELEMENTS (all));
  for (guint r = 0; r < times; r++)
    memcpy (all + r * n, t, n * sizeof (Tone));
  tones_signal (s, rate, all, n * times);
}

/* Part i of case 10 (S, 3 s tones) or 13 (M, 400 ms tones). */
static void
part_tones (guint tcase, guint i, Tone t[3])
{
  gboolean s_case = tcase == 10;
  t[0] = (Tone){ i * (s_case ? 0.15 : 0.02), SILENCE };
  t[1] = (Tone){ s_case ? 3.0 : 0.4, -23.0 };
  t[2] = (Tone){ 1.0, SILENCE };
}

/* Cases 10 and 13: twenty parts back to back, each with its own phase index
 * (each is a separate file in the EBU set). */
static void
parts_signal (MmEbuSignal *s, guint tcase, gdouble rate)
{
  gsize lengths[20], total = 0;
  Tone t[3];

  for (guint i = 0; i < 20; i++) {
    part_tones (tcase, i, t);
    lengths[i] = tones_frames (t, 3, rate);
    total += lengths[i];
  }
  signal_alloc (s, total, 2, rate, 20);
  s->reset_per_segment = TRUE;
  total = 0;
  for (guint i = 0; i < 20; i++) {
    part_tones (tcase, i, t);
    tones_write (s->frames + total * 2, 2, rate, t, 3, NULL, NULL);
    s->segment_start[i] = total;
    total += lengths[i];
    s->segment_end[i] = total;
  }
}

/* Cases 11 and 14: one stream of twenty (silence, tone at -38 + i, silence)
 * runs, one segment each. */
static void
live_signal (MmEbuSignal *s, guint tcase, gdouble rate)
{
  gboolean s_case = tcase == 11;
  gdouble gap = s_case ? 0.15 : 0.02, len = s_case ? 3.0 : 0.4;
  Tone t[60];
  gsize bounds[61];

  for (guint i = 0; i < 20; i++) {
    t[3 * i] = (Tone){ i * gap, SILENCE };
    t[3 * i + 1] = (Tone){ len, -38.0 + i };
    t[3 * i + 2] = (Tone){ len - i * gap, SILENCE };
  }
  signal_alloc (s, tones_frames (t, 60, rate), 2, rate, 20);
  tones_write (s->frames, 2, rate, t, 60, NULL, bounds);
  for (guint i = 0; i < 20; i++) {
    s->segment_start[i] = bounds[3 * i];
    s->segment_end[i] = bounds[3 * i + 3];
  }
}

/* Linear fade-in and fade-out of r samples each over a signal of n:
 * 0 at both ends, 1 from r to n - 1 - r. */
static gdouble
ramp (gsize k, gsize n, gsize r)
{
  gdouble g = 1.0;
  if (k < r)
    g = (gdouble) k / r;
  if (n - 1 - k < r)
    g = MIN (g, (gdouble) (n - 1 - k) / r);
  return g;
}

/* Cases 15-19: amp sin(2 pi k / period + phase), 2 s, 10 ms ramps, stereo. */
static void
tp_sine_signal (
    MmEbuSignal *s, gdouble rate, guint period, gdouble phase_deg, gdouble amp)
{
  gsize n = seconds_to_frames (2.0, rate), r = seconds_to_frames (0.01, rate);

  signal_alloc (s, n, 2, rate, 1);
  for (gsize k = 0; k < n; k++) {
    gdouble x = amp * ramp (k, n, r) *
        sin (2.0 * G_PI * (k % period) / period + phase_deg * G_PI / 180.0);
    s->frames[2 * k] = s->frames[2 * k + 1] = x;
  }
}

/* Modified Bessel function of the first kind, order 0 (power series). */
static gdouble
bessel_i0 (gdouble x)
{
  gdouble sum = 1.0, term = 1.0, q = x * x / 4.0;
  for (guint k = 1; k < 500 && term > 1e-17 * sum; k++) {
    term *= q / ((gdouble) k * k);
    sum += term;
  }
  return sum;
}

#define BURST_TAPS 1023

/* Cases 20-23 (see ebu.h): made at 4 fs, low-passed, decimated at offset. */
static void
tp_burst_signal (MmEbuSignal *s, gdouble rate, guint offset)
{
  const gint half = BURST_TAPS / 2;
  const gdouble fc = 0.475 / 4.0, beta = 10.0; /* cycles per 4 fs sample */
  gsize n = seconds_to_frames (2.0, rate), n4 = 4 * n;
  gsize r4 = seconds_to_frames (0.01, 4.0 * rate), n0 = n4 / 2 / 24 * 24;
  /* x4 with `half` zeros either side, so that the filter needs no checks */
  gdouble *x4 = g_new0 (gdouble, n4 + 2 * half) + half;
  gdouble h[BURST_TAPS], sum = 0.0;

  for (gsize k = 0; k < n4; k++) {
    gdouble x;
    if (k < n0)
      x = 0.5 * sin (2.0 * G_PI * (k % 24) / 24.0);
    else if (k < n0 + 16)
      x = sin (2.0 * G_PI * (k - n0) / 16.0);
    else
      x = 0.5 * sin (2.0 * G_PI * ((k - n0 - 16) % 24) / 24.0);
    x4[k] = ramp (k, n4, r4) * x;
  }

  for (gint t = 0; t < BURST_TAPS; t++) {
    gdouble d = t - half, u = d / half;
    gdouble w =
        bessel_i0 (beta * sqrt (MAX (0.0, 1.0 - u * u))) / bessel_i0 (beta);
    h[t] = w * (d == 0.0 ? 2.0 * fc : sin (2.0 * G_PI * fc * d) / (G_PI * d));
    sum += h[t];
  }
  for (gint t = 0; t < BURST_TAPS; t++)
    h[t] /= sum;

  signal_alloc (s, n, 2, rate, 1);
  for (gsize j = 0; j < n; j++) {
    /* y4[m] = sum_t h[t] x4[m + half - t]; h is symmetric */
    const gdouble *xm = x4 + 4 * j + offset;
    gdouble y = h[half] * xm[0];
    for (gint d = 1; d <= half; d++)
      y += h[half - d] * (xm[d] + xm[-d]);
    s->frames[2 * j] = s->frames[2 * j + 1] = y;
  }
  g_free (x4 - half);
}

gboolean
mm_ebu3341_signal (guint tcase, gdouble rate, MmEbuSignal *out)
{
  g_return_val_if_fail (out != NULL, FALSE);
  memset (out, 0, sizeof (*out));
  g_return_val_if_fail (rate >= 8000.0 && rate <= 384000.0, FALSE);

  switch (tcase) {
    case 1:
    case 2: {
      Tone t[] = { { 20.0, tcase == 1 ? -23.0 : -33.0 } };
      tones_signal (out, rate, t, G_N_ELEMENTS (t));
      return TRUE;
    }
    case 3: {
      Tone t[] = { { 10.0, -36.0 }, { 60.0, -23.0 }, { 10.0, -36.0 } };
      tones_signal (out, rate, t, G_N_ELEMENTS (t));
      return TRUE;
    }
    case 4: {
      Tone t[] = { { 10.0, -72.0 }, { 10.0, -36.0 }, { 60.0, -23.0 },
        { 10.0, -36.0 }, { 10.0, -72.0 } };
      tones_signal (out, rate, t, G_N_ELEMENTS (t));
      return TRUE;
    }
    case 5: {
      Tone t[] = { { 20.0, -26.0 }, { 20.1, -20.0 }, { 20.0, -26.0 } };
      tones_signal (out, rate, t, G_N_ELEMENTS (t));
      return TRUE;
    }
    case 6: {
      /* L R C Ls Rs */
      static const gdouble ch_db[5] = { -28.0, -28.0, -24.0, -30.0, -30.0 };
      Tone t[] = { { 20.0, 0.0 } };
      signal_alloc (out, tones_frames (t, 1, rate), 5, rate, 1);
      tones_write (out->frames, 5, rate, t, 1, ch_db, NULL);
      return TRUE;
    }
    case 9: {
      Tone t[] = { { 1.34, -20.0 }, { 1.66, -30.0 } };
      tones_repeat_signal (out, rate, t, G_N_ELEMENTS (t), 5);
      return TRUE;
    }
    case 12: {
      Tone t[] = { { 0.18, -20.0 }, { 0.22, -30.0 } };
      tones_repeat_signal (out, rate, t, G_N_ELEMENTS (t), 25);
      return TRUE;
    }
    case 10:
    case 13:
      parts_signal (out, tcase, rate);
      return TRUE;
    case 11:
    case 14:
      live_signal (out, tcase, rate);
      return TRUE;
    case 15:
      tp_sine_signal (out, rate, 4, 0.0, pow (10.0, -6.0 / 20.0));
      return TRUE;
    case 16:
      tp_sine_signal (out, rate, 4, 45.0, pow (10.0, -6.0 / 20.0));
      return TRUE;
    case 17:
      tp_sine_signal (out, rate, 6, 60.0, pow (10.0, -6.0 / 20.0));
      return TRUE;
    case 18:
      tp_sine_signal (out, rate, 8, 67.5, pow (10.0, -6.0 / 20.0));
      return TRUE;
    case 19:
      tp_sine_signal (out, rate, 4, 45.0, G_SQRT2);
      return TRUE;
    case 20:
    case 21:
    case 22:
    case 23:
      tp_burst_signal (out, rate, tcase - 20);
      return TRUE;
    default:
      /* 7 and 8 are EBU's recordings; the rest do not exist */
      return FALSE;
  }
}

gboolean
mm_ebu3341_signal_part (guint tcase, guint part, gdouble rate, MmEbuSignal *out)
{
  Tone t[3];

  g_return_val_if_fail (out != NULL, FALSE);
  memset (out, 0, sizeof (*out));
  g_return_val_if_fail (rate >= 8000.0 && rate <= 384000.0, FALSE);
  if ((tcase != 10 && tcase != 13) || part >= 20)
    return FALSE;
  part_tones (tcase, part, t);
  tones_signal (out, rate, t, 3);
  return TRUE;
}

gboolean
mm_ebu3342_signal (guint tcase, gdouble rate, MmEbuSignal *out)
{
  static const Tone cases[4][5] = {
    { { 20.0, -20.0 }, { 20.0, -30.0 } },
    { { 20.0, -20.0 }, { 20.0, -15.0 } },
    { { 20.0, -40.0 }, { 20.0, -20.0 } },
    { { 20.0, -50.0 }, { 20.0, -35.0 }, { 20.0, -20.0 }, { 20.0, -35.0 },
        { 20.0, -50.0 } },
  };

  g_return_val_if_fail (out != NULL, FALSE);
  memset (out, 0, sizeof (*out));
  g_return_val_if_fail (rate >= 8000.0 && rate <= 384000.0, FALSE);
  if (tcase < 1 || tcase > 4)
    return FALSE; /* 5 and 6 are EBU's recordings */
  tones_signal (out, rate, cases[tcase - 1], tcase == 4 ? 5 : 2);
  return TRUE;
}

/* ---- expectations ---- */

#define LU 0.1, 0.1
#define TP 0.4, 0.2
#define LRA 1.0, 1.0

static const MmEbuExpect expect_3341[][3] = {
  [1] = { { MM_EBU_MOMENTARY_ALL, -23.0, 0.0, LU, 0.4, 0.0 },
      { MM_EBU_SHORT_TERM_ALL, -23.0, 0.0, LU, 3.0, 0.0 },
      { MM_EBU_INTEGRATED, -23.0, 0.0, LU, 0.0, 0.0 } },
  [2] = { { MM_EBU_MOMENTARY_ALL, -33.0, 0.0, LU, 0.4, 0.0 },
      { MM_EBU_SHORT_TERM_ALL, -33.0, 0.0, LU, 3.0, 0.0 },
      { MM_EBU_INTEGRATED, -33.0, 0.0, LU, 0.0, 0.0 } },
  [3] = { { MM_EBU_INTEGRATED, -23.0, 0.0, LU, 0.0, 0.0 } },
  [4] = { { MM_EBU_INTEGRATED, -23.0, 0.0, LU, 0.0, 0.0 } },
  [5] = { { MM_EBU_INTEGRATED, -23.0, 0.0, LU, 0.0, 0.0 } },
  [6] = { { MM_EBU_INTEGRATED, -23.0, 0.0, LU, 0.0, 0.0 } },
  [7] = { { MM_EBU_INTEGRATED, -23.0, 0.0, LU, 0.0, 0.0 } },
  [8] = { { MM_EBU_INTEGRATED, -23.0, 0.0, LU, 0.0, 0.0 } },
  [9] = { { MM_EBU_SHORT_TERM_ALL, -23.0, 0.0, LU, 3.0, 0.0 } },
  [10] = { { MM_EBU_SHORT_TERM_MAX, -23.0, 0.0, LU, 0.0, 0.0 } },
  [11] = { { MM_EBU_SHORT_TERM_MAX, -38.0, 1.0, LU, 0.0, 0.0 } },
  [12] = { { MM_EBU_MOMENTARY_ALL, -23.0, 0.0, LU, 1.0, 0.0 } },
  [13] = { { MM_EBU_MOMENTARY_MAX, -23.0, 0.0, LU, 0.0, 0.0 } },
  [14] = { { MM_EBU_MOMENTARY_MAX, -38.0, 1.0, LU, 0.0, 0.0 } },
  [15] = { { MM_EBU_TRUE_PEAK, -6.0, 0.0, TP, 0.0, 0.0 } },
  [16] = { { MM_EBU_TRUE_PEAK, -6.0, 0.0, TP, 0.0, 0.0 } },
  [17] = { { MM_EBU_TRUE_PEAK, -6.0, 0.0, TP, 0.0, 0.0 } },
  [18] = { { MM_EBU_TRUE_PEAK, -6.0, 0.0, TP, 0.0, 0.0 } },
  [19] = { { MM_EBU_TRUE_PEAK, 3.0, 0.0, TP, 0.0, 0.0 } },
  [20] = { { MM_EBU_TRUE_PEAK, 0.0, 0.0, TP, 0.0, 0.0 } },
  [21] = { { MM_EBU_TRUE_PEAK, 0.0, 0.0, TP, 0.0, 0.0 } },
  [22] = { { MM_EBU_TRUE_PEAK, 0.0, 0.0, TP, 0.0, 0.0 } },
  [23] = { { MM_EBU_TRUE_PEAK, 0.0, 0.0, TP, 0.0, 0.0 } },
};

static const MmEbuExpect expect_3342[][1] = {
  [1] = { { MM_EBU_LOUDNESS_RANGE, 10.0, 0.0, LRA, 0.0, 1.5 } },
  [2] = { { MM_EBU_LOUDNESS_RANGE, 5.0, 0.0, LRA, 0.0, 1.5 } },
  [3] = { { MM_EBU_LOUDNESS_RANGE, 20.0, 0.0, LRA, 0.0, 1.5 } },
  [4] = { { MM_EBU_LOUDNESS_RANGE, 15.0, 0.0, LRA, 0.0, 1.5 } },
  [5] = { { MM_EBU_LOUDNESS_RANGE, 5.0, 0.0, LRA, 0.0, 1.5 } },
  [6] = { { MM_EBU_LOUDNESS_RANGE, 15.0, 0.0, LRA, 0.0, 1.5 } },
};

const MmEbuExpect *
mm_ebu3341_expect (guint tcase, guint *n_expect)
{
  guint n = 0;

  if (tcase >= 1 && tcase < G_N_ELEMENTS (expect_3341))
    n = tcase <= 2 ? 3 : 1;
  if (n_expect != NULL)
    *n_expect = n;
  return n > 0 ? expect_3341[tcase] : NULL;
}

const MmEbuExpect *
mm_ebu3342_expect (guint tcase, guint *n_expect)
{
  gboolean ok = tcase >= 1 && tcase < G_N_ELEMENTS (expect_3342);

  if (n_expect != NULL)
    *n_expect = ok ? 1 : 0;
  return ok ? expect_3342[tcase] : NULL;
}

gdouble
mm_ebu_expect_value (const MmEbuExpect *e, guint segment)
{
  return e->value + segment * e->step;
}

gboolean
mm_ebu_expect_check (const MmEbuExpect *e, guint segment, gdouble measured)
{
  gdouble v = mm_ebu_expect_value (e, segment);
  /* NaN and -inf fail */
  return measured >= v - e->below && measured <= v + e->above;
}

const gchar *
mm_ebu_measure_name (MmEbuMeasure measure)
{
  switch (measure) {
    case MM_EBU_MOMENTARY_MAX:
      return "momentary max";
    case MM_EBU_SHORT_TERM_MAX:
      return "short-term max";
    case MM_EBU_MOMENTARY_ALL:
      return "momentary";
    case MM_EBU_SHORT_TERM_ALL:
      return "short-term";
    case MM_EBU_INTEGRATED:
      return "integrated";
    case MM_EBU_LOUDNESS_RANGE:
      return "loudness range";
    case MM_EBU_TRUE_PEAK:
      return "true peak";
  }
  return "?";
}
