/* The EBU Tech 3341 / 3342 signals of common/ebu.c, measured by libebur128
 * and held to the specs' expectations and tolerances, at 48 and 44.1 kHz.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * M and S are read after every 10 ms of audio (the momentary update-rate
 * pitfall, loudness-and-delivery.md 2.1). Asking libebur128 for a 3 s window
 * every 10 ms costs a 3 s sum each time, so the readings are built from
 * libebur128's own K-weighted energy of each 10 ms chunk
 * (ebur128_loudness_window) averaged over the last 40 or 300 chunks, which is
 * exactly its 400 ms / 3 s window; every 100 ms (M) and 500 ms (S) that is
 * checked against ebur128_loudness_momentary / _shortterm themselves. */

#include <glib.h>
#include <math.h>
#include <string.h>

#include <ebur128.h>

#include "ebu.h"

#define M_CHUNKS 40 /* 400 ms of 10 ms chunks */
#define S_CHUNKS 300 /* 3 s */

typedef struct
{
  guint spec; /* 3341 or 3342 */
  guint tcase;
  gdouble rate;
} Case;

typedef struct
{
  gdouble *seg_m, *seg_s; /* largest M and S per segment */
  gdouble m_min, m_max, s_min, s_max; /* M, S readings at `from` or later */
  gdouble integrated, lra, true_peak;
  guint n_cross; /* readings checked against libebur128's own M or S */
} Results;

static gdouble
energy_to_lufs (gdouble e)
{
  return e > 0.0 ? 10.0 * log10 (e) - 0.691 : -INFINITY;
}

static gdouble
lufs_to_energy (gdouble l)
{
  return isfinite (l) ? pow (10.0, (l + 0.691) / 10.0) : 0.0;
}

static ebur128_state *
meter_new (guint channels, gdouble rate, int mode)
{
  ebur128_state *st = ebur128_init (channels, (unsigned long) rate, mode);

  g_assert_nonnull (st);
  /* every channel explicitly: stereo L R, 5.0 L R C Ls Rs */
  if (channels == 2) {
    g_assert_cmpint (ebur128_set_channel (st, 0, EBUR128_LEFT), ==, 0);
    g_assert_cmpint (ebur128_set_channel (st, 1, EBUR128_RIGHT), ==, 0);
  } else {
    static const int map[5] = { EBUR128_LEFT, EBUR128_RIGHT, EBUR128_CENTER,
      EBUR128_LEFT_SURROUND, EBUR128_RIGHT_SURROUND };
    g_assert_cmpuint (channels, ==, 5);
    for (guint c = 0; c < 5; c++)
      g_assert_cmpint (ebur128_set_channel (st, c, map[c]), ==, 0);
  }
  return st;
}

static void
cross_check (const gchar *what, gdouble ours, gdouble theirs)
{
  /* filter residue after a tone: both far below anything audible, where the
   * sums are down to denormals and agree on nothing but being tiny */
  if (MAX (ours, theirs) < -200.0 || (isnan (ours) && isnan (theirs)))
    return;
  if (!(fabs (ours - theirs) < 1e-6))
    g_error ("%s from 10 ms chunks %.9f, libebur128 %.9f", what, ours, theirs);
}

/* Reads s with libebur128 as the expectations e[0..n_e) need. */
static void
measure (const MmEbuSignal *s, const MmEbuExpect *e, guint n_e, Results *r)
{
  gboolean need_ms = FALSE;
  gdouble from_m = INFINITY, from_s = INFINITY, tail = 0.0;
  int mode = 0;
  guint n_groups = s->reset_per_segment ? s->n_segments : 1;
  gsize chunk = (gsize) lround (s->rate / 100.0);

  /* 10 ms chunks tile libebur128's 400 ms and 3 s windows exactly */
  g_assert_cmpfloat (chunk * 100.0, ==, s->rate);

  memset (r, 0, sizeof (*r));
  r->seg_m = g_new (gdouble, s->n_segments);
  r->seg_s = g_new (gdouble, s->n_segments);
  for (guint i = 0; i < s->n_segments; i++)
    r->seg_m[i] = r->seg_s[i] = -INFINITY;
  r->m_min = r->s_min = INFINITY;
  r->m_max = r->s_max = r->integrated = r->lra = r->true_peak = -INFINITY;

  for (guint k = 0; k < n_e; k++) {
    switch (e[k].measure) {
      case MM_EBU_MOMENTARY_ALL:
        from_m = MIN (from_m, e[k].from);
        /* fall through */
      case MM_EBU_MOMENTARY_MAX:
        need_ms = TRUE;
        break;
      case MM_EBU_SHORT_TERM_ALL:
        from_s = MIN (from_s, e[k].from);
        /* fall through */
      case MM_EBU_SHORT_TERM_MAX:
        need_ms = TRUE;
        break;
      case MM_EBU_INTEGRATED:
        mode |= EBUR128_MODE_I;
        break;
      case MM_EBU_LOUDNESS_RANGE:
        mode |= EBUR128_MODE_LRA;
        break;
      case MM_EBU_TRUE_PEAK:
        mode |= EBUR128_MODE_TRUE_PEAK;
        break;
    }
    tail = MAX (tail, e[k].tail);
  }
  if (need_ms)
    mode |= EBUR128_MODE_M | EBUR128_MODE_S;
  else
    chunk *= 100; /* nothing is read on the way: 1 s pieces */

  for (guint g = 0; g < n_groups; g++) {
    gsize start = s->reset_per_segment ? s->segment_start[g] : 0;
    gsize end = s->reset_per_segment ? s->segment_end[g] : s->n_frames;
    ebur128_state *st = meter_new (s->channels, s->rate, mode);
    gdouble ring[S_CHUNKS] = { 0 };
    guint64 n_chunks = 0;
    guint seg = g;

    for (gsize pos = start; pos < end;) {
      gsize len = MIN (chunk, end - pos);
      gdouble m, sh;

      g_assert_cmpint (
          ebur128_add_frames_double (st, s->frames + pos * s->channels, len),
          ==, 0);
      pos += len;
      if (!need_ms)
        continue;

      if (len == chunk) {
        gdouble l, em = 0.0, es = 0.0;
        g_assert_cmpint (ebur128_loudness_window (st, 10, &l), ==, 0);
        ring[n_chunks % S_CHUNKS] = lufs_to_energy (l);
        n_chunks++;
        for (guint j = 0; j < S_CHUNKS; j++) {
          gdouble c = ring[(n_chunks + S_CHUNKS - 1 - j) % S_CHUNKS];
          if (j < M_CHUNKS)
            em += c;
          es += c;
        }
        m = energy_to_lufs (em / M_CHUNKS);
        sh = energy_to_lufs (es / S_CHUNKS);
        if (n_chunks % 10 == 0) {
          gdouble direct;
          g_assert_cmpint (ebur128_loudness_momentary (st, &direct), ==, 0);
          cross_check ("M", m, direct);
          r->n_cross++;
        }
        if (n_chunks % 50 == 0) {
          gdouble direct;
          g_assert_cmpint (ebur128_loudness_shortterm (st, &direct), ==, 0);
          cross_check ("S", sh, direct);
          r->n_cross++;
        }
      } else {
        /* a short last piece: ask libebur128 directly */
        g_assert_cmpint (ebur128_loudness_momentary (st, &m), ==, 0);
        g_assert_cmpint (ebur128_loudness_shortterm (st, &sh), ==, 0);
      }

      /* the reading at pos belongs to the segment with start < pos <= end */
      while (!s->reset_per_segment && pos > s->segment_end[seg])
        seg++;
      r->seg_m[seg] = MAX (r->seg_m[seg], m);
      r->seg_s[seg] = MAX (r->seg_s[seg], sh);
      if (pos >= from_m * s->rate) {
        r->m_min = MIN (r->m_min, m);
        r->m_max = MAX (r->m_max, m);
      }
      if (pos >= from_s * s->rate) {
        r->s_min = MIN (r->s_min, sh);
        r->s_max = MAX (r->s_max, sh);
      }
    }

    if (tail > 0.0) {
      gsize n = (gsize) lround (tail * s->rate);
      gdouble *zeros = g_new0 (gdouble, n * s->channels);
      g_assert_cmpint (ebur128_add_frames_double (st, zeros, n), ==, 0);
      g_free (zeros);
    }
    if ((mode & EBUR128_MODE_I) == EBUR128_MODE_I)
      g_assert_cmpint (ebur128_loudness_global (st, &r->integrated), ==, 0);
    if ((mode & EBUR128_MODE_LRA) == EBUR128_MODE_LRA)
      g_assert_cmpint (ebur128_loudness_range (st, &r->lra), ==, 0);
    if ((mode & EBUR128_MODE_TRUE_PEAK) == EBUR128_MODE_TRUE_PEAK) {
      for (guint c = 0; c < s->channels; c++) {
        gdouble peak;
        g_assert_cmpint (ebur128_true_peak (st, c, &peak), ==, 0);
        r->true_peak = MAX (r->true_peak, 20.0 * log10 (peak));
      }
    }
    ebur128_destroy (&st);
  }
}

static void
results_clear (Results *r)
{
  g_free (r->seg_m);
  g_free (r->seg_s);
}

/* Checks r against e[0..n_e), reports every value; returns the failures. */
static guint
check (const gchar *name, const MmEbuSignal *s, const MmEbuExpect *e, guint n_e,
    const Results *r)
{
  guint failures = 0;

  for (guint k = 0; k < n_e; k++) {
    const MmEbuExpect *x = &e[k];
    const gchar *what = mm_ebu_measure_name (x->measure);
    gdouble v = mm_ebu_expect_value (x, 0);
    gboolean ok = TRUE;

    switch (x->measure) {
      case MM_EBU_MOMENTARY_MAX:
      case MM_EBU_SHORT_TERM_MAX: {
        const gdouble *seg =
            x->measure == MM_EBU_MOMENTARY_MAX ? r->seg_m : r->seg_s;
        GString *line = g_string_new (NULL);
        gdouble worst = 0.0;
        for (guint i = 0; i < s->n_segments; i++) {
          gdouble err = seg[i] - mm_ebu_expect_value (x, i);
          g_string_append_printf (line, " %.3f", seg[i]);
          if (!mm_ebu_expect_check (x, i, seg[i]))
            ok = FALSE;
          if (fabs (err) > fabs (worst) || isnan (err))
            worst = err;
        }
        g_test_message ("%s: %s per segment (expect %.1f%s, +-%.1f):%s; "
                        "worst error %+.3f",
            name, what, v, x->step != 0.0 ? " + 1 per segment" : "", x->above,
            line->str, worst);
        g_string_free (line, TRUE);
        break;
      }
      case MM_EBU_MOMENTARY_ALL:
      case MM_EBU_SHORT_TERM_ALL: {
        gboolean is_m = x->measure == MM_EBU_MOMENTARY_ALL;
        gdouble lo = is_m ? r->m_min : r->s_min;
        gdouble hi = is_m ? r->m_max : r->s_max;
        ok = mm_ebu_expect_check (x, 0, lo) && mm_ebu_expect_check (x, 0, hi);
        g_test_message ("%s: %s from %.1f s: %.3f .. %.3f (expect %.1f +-%.1f)",
            name, what, x->from, lo, hi, v, x->above);
        break;
      }
      case MM_EBU_INTEGRATED:
      case MM_EBU_LOUDNESS_RANGE:
      case MM_EBU_TRUE_PEAK: {
        gdouble got = x->measure == MM_EBU_INTEGRATED ? r->integrated
            : x->measure == MM_EBU_LOUDNESS_RANGE     ? r->lra
                                                      : r->true_peak;
        ok = mm_ebu_expect_check (x, 0, got);
        g_test_message ("%s: %s %.3f (expect %.1f +%.1f/-%.1f)", name, what,
            got, v, x->above, x->below);
        break;
      }
    }
    if (!ok) {
      g_test_message ("%s: %s FAILS", name, what);
      failures++;
    }
  }
  return failures;
}

static void
test_case (gconstpointer data)
{
  const Case *c = data;
  gchar *name = g_strdup_printf ("%u-%u @ %g Hz", c->spec, c->tcase, c->rate);
  MmEbuSignal s;
  const MmEbuExpect *e;
  guint n_e, failures;
  Results r;

  if (c->spec == 3341) {
    g_assert_true (mm_ebu3341_signal (c->tcase, c->rate, &s));
    e = mm_ebu3341_expect (c->tcase, &n_e);
  } else {
    g_assert_true (mm_ebu3342_signal (c->tcase, c->rate, &s));
    e = mm_ebu3342_expect (c->tcase, &n_e);
  }
  g_assert_nonnull (e);
  g_assert_cmpuint (n_e, >, 0);
  g_assert_cmpfloat (s.rate, ==, c->rate);
  g_assert_cmpuint (s.channels, ==, c->spec == 3341 && c->tcase == 6 ? 5 : 2);

  measure (&s, e, n_e, &r);
  failures = check (name, &s, e, n_e, &r);
  if (r.n_cross > 0)
    g_test_message (
        "%s: %u M/S readings equal libebur128's own", name, r.n_cross);
  results_clear (&r);

  if (c->spec == 3342) {
    /* "the expected response is unchanged if the test signal is repeated" */
    MmEbuSignal twice = s;
    gchar *name2 = g_strdup_printf ("%s, played twice", name);
    gsize bytes = s.n_frames * s.channels * sizeof (gdouble);

    twice.frames = g_malloc (2 * bytes);
    memcpy (twice.frames, s.frames, bytes);
    memcpy ((guint8 *) twice.frames + bytes, s.frames, bytes);
    twice.n_frames = 2 * s.n_frames;
    twice.segment_end = &twice.n_frames;
    measure (&twice, e, n_e, &r);
    failures += check (name2, &twice, e, n_e, &r);
    results_clear (&r);
    g_free (twice.frames);
    g_free (name2);
  }

  if (failures > 0)
    g_test_fail_printf ("%s: %u expectation(s) not met", name, failures);
  mm_ebu_signal_clear (&s);
  g_free (name);
}

static gboolean
all_zero (const gdouble *x, gsize n)
{
  for (gsize i = 0; i < n; i++)
    if (x[i] != 0.0)
      return FALSE;
  return TRUE;
}

static gdouble
peak_of (const gdouble *x, gsize n)
{
  gdouble p = 0.0;
  for (gsize i = 0; i < n; i++)
    p = MAX (p, fabs (x[i]));
  return p;
}

/* Segments tile the signal; cases 10 and 13 are their parts back to back,
 * each part silence, tone, silence with exact zeros; 11 and 14 are runs of
 * 6 s and 0.8 s, tone i at -38 + i dBFS. */
static void
test_segments (void)
{
  const gdouble rates[] = { 48000.0, 44100.0 };

  for (guint ri = 0; ri < G_N_ELEMENTS (rates); ri++) {
    gdouble rate = rates[ri];

    /* one single-segment case stands for all (test_case checks the rest) */
    const guint tcases[] = { 1, 10, 11, 13, 14 };
    for (guint ci = 0; ci < G_N_ELEMENTS (tcases); ci++) {
      guint tcase = tcases[ci];
      MmEbuSignal s;
      gsize at = 0;
      g_assert_true (mm_ebu3341_signal (tcase, rate, &s));
      g_assert_cmpuint (s.n_segments, ==,
          (tcase >= 10 && tcase <= 11) || (tcase >= 13 && tcase <= 14) ? 20
                                                                       : 1);
      g_assert_true (s.reset_per_segment == (tcase == 10 || tcase == 13));
      for (guint i = 0; i < s.n_segments; i++) {
        g_assert_cmpuint (s.segment_start[i], ==, at);
        g_assert_cmpuint (s.segment_end[i], >, at);
        at = s.segment_end[i];
      }
      g_assert_cmpuint (at, ==, s.n_frames);

      if (tcase == 10 || tcase == 13) {
        gdouble gap = tcase == 10 ? 0.15 : 0.02, len = tcase == 10 ? 3.0 : 0.4;
        for (guint i = 0; i < 20; i++) {
          MmEbuSignal p;
          gsize lead = (gsize) lround (i * gap * rate);
          gsize tone = (gsize) lround ((i * gap + len) * rate) - lead;
          gsize trail = (gsize) lround (rate);
          const gdouble *x;
          g_assert_true (mm_ebu3341_signal_part (tcase, i, rate, &p));
          g_assert_cmpuint (p.n_segments, ==, 1);
          g_assert_false (p.reset_per_segment);
          g_assert_cmpuint (
              p.n_frames, ==, s.segment_end[i] - s.segment_start[i]);
          g_assert_true (memcmp (p.frames, s.frames + s.segment_start[i] * 2,
                             p.n_frames * 2 * sizeof (gdouble)) == 0);
          g_assert_cmpuint (p.n_frames, ==, lead + tone + trail);
          x = p.frames;
          g_assert_true (all_zero (x, lead * 2));
          g_assert_true (all_zero (x + (lead + tone) * 2, trail * 2));
          g_assert_cmpfloat (x[lead * 2], ==, 0.0); /* sin 0 */
          g_assert_cmpfloat (x[lead * 2 + 2], >, 0.0);
          g_assert_cmpfloat_with_epsilon (peak_of (x + lead * 2, tone * 2),
              pow (10.0, -23.0 / 20.0), 2e-3 * pow (10.0, -23.0 / 20.0));
          mm_ebu_signal_clear (&p);
        }
      }
      if (tcase == 11 || tcase == 14) {
        gdouble run = tcase == 11 ? 6.0 : 0.8;
        for (guint i = 0; i < 20; i++) {
          gdouble a = pow (10.0, (-38.0 + i) / 20.0);
          gsize n = s.segment_end[i] - s.segment_start[i];
          g_assert_cmpuint (
              s.segment_start[i], ==, (gsize) lround (i * run * rate));
          g_assert_cmpfloat_with_epsilon (
              peak_of (s.frames + s.segment_start[i] * 2, n * 2), a, 2e-3 * a);
        }
      }
      mm_ebu_signal_clear (&s);
    }
  }
}

/* True-peak signals: stereo, both channels alike, faded at both ends; the
 * sample peaks the construction implies. */
static void
test_true_peak_signals (void)
{
  const gdouble rates[] = { 48000.0, 44100.0 };
  const gdouble a6 = pow (10.0, -6.0 / 20.0);
  /* 15-19: A |sin| at the best sample: 0 deg at fs/4 hits the crest; 45 deg
   * at fs/4, 60 deg at fs/6 and 67.5 deg at fs/8 miss it by half a step */
  const gdouble sample_peak[5] = { a6, a6 * sqrt (0.5), a6 * sqrt (0.75),
    a6 * cos (G_PI / 8.0), 1.0 };

  for (guint ri = 0; ri < G_N_ELEMENTS (rates); ri++) {
    gdouble peaks[4];
    /* 20-23 do not depend on the rate but for the length of the ramps */
    for (guint tcase = 15; tcase <= (ri == 0 ? 23u : 19u); tcase++) {
      MmEbuSignal s;
      gsize r = (gsize) lround (0.01 * rates[ri]);
      g_assert_true (mm_ebu3341_signal (tcase, rates[ri], &s));
      g_assert_cmpuint (s.channels, ==, 2);
      g_assert_cmpuint (s.n_frames, ==, (gsize) lround (2.0 * rates[ri]));
      for (gsize k = 0; k < s.n_frames; k++)
        g_assert_cmpfloat (s.frames[2 * k], ==, s.frames[2 * k + 1]);
      /* faded: small at both ends */
      g_assert_cmpfloat (fabs (s.frames[0]), <, 1e-3);
      g_assert_cmpfloat (fabs (s.frames[2 * (s.n_frames - 1)]), <, 1e-3);
      g_assert_cmpfloat (peak_of (s.frames, r) /* first r/2 frames */, <,
          0.6 * peak_of (s.frames, 2 * s.n_frames));
      if (tcase <= 19)
        g_assert_cmpfloat_with_epsilon (
            peak_of (s.frames, 2 * s.n_frames), sample_peak[tcase - 15], 1e-12);
      else
        peaks[tcase - 20] = peak_of (s.frames, 2 * s.n_frames);
      mm_ebu_signal_clear (&s);
    }
    if (ri > 0)
      continue;
    /* offset 0 keeps the burst's crest, 2 lands farthest from it, 1 and 3
     * are mirror images */
    g_test_message ("20-23 @ %g Hz: sample peaks %.4f %.4f %.4f %.4f",
        rates[ri], peaks[0], peaks[1], peaks[2], peaks[3]);
    g_assert_cmpfloat (peaks[0], >, peaks[1]);
    g_assert_cmpfloat (peaks[1], >, peaks[2]);
    g_assert_cmpfloat_with_epsilon (peaks[1], peaks[3], 1e-6);
    g_assert_cmpfloat (peaks[0], >, 0.95);
    g_assert_cmpfloat (peaks[0], <, 1.0);
  }
}

/* Cases without a synthesized signal, and cases that do not exist. */
static void
test_not_synthesized (void)
{
  MmEbuSignal s;
  guint n;

  /* the cases made are tested below; here the ones not made */
  for (guint tcase = 0; tcase <= 25; tcase++) {
    gboolean exists = tcase >= 1 && tcase <= 23;
    gboolean made = exists && tcase != 7 && tcase != 8;
    if (!made) {
      memset (&s, 0xab, sizeof (s));
      g_assert_false (mm_ebu3341_signal (tcase, 48000.0, &s));
      g_assert_null (s.frames);
      g_assert_cmpuint (s.n_frames, ==, 0);
      mm_ebu_signal_clear (&s);
    }
    g_assert_true ((mm_ebu3341_expect (tcase, &n) != NULL) == exists);
    g_assert_true ((n > 0) == exists);
  }
  for (guint tcase = 0; tcase <= 8; tcase++) {
    gboolean exists = tcase >= 1 && tcase <= 6;
    gboolean made = exists && tcase <= 4;
    if (!made) {
      memset (&s, 0xab, sizeof (s));
      g_assert_false (mm_ebu3342_signal (tcase, 48000.0, &s));
      g_assert_null (s.frames);
      mm_ebu_signal_clear (&s);
    }
    g_assert_true ((mm_ebu3342_expect (tcase, &n) != NULL) == exists);
    g_assert_true ((n > 0) == exists);
  }
  g_assert_false (mm_ebu3341_signal_part (11, 0, 48000.0, &s));
  g_assert_false (mm_ebu3341_signal_part (10, 20, 48000.0, &s));
  g_assert_null (s.frames);
}

int
main (int argc, char **argv)
{
  const gdouble rates[] = { 48000.0, 44100.0 };
  GPtrArray *cases = g_ptr_array_new_with_free_func (g_free);
  int ret;

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/ebu/not-synthesized", test_not_synthesized);
  g_test_add_func ("/ebu/segments", test_segments);
  g_test_add_func ("/ebu/true-peak-signals", test_true_peak_signals);

  for (guint ri = 0; ri < G_N_ELEMENTS (rates); ri++) {
    for (guint spec = 3341; spec <= 3342; spec++) {
      for (guint tcase = 1; tcase <= (spec == 3341 ? 23u : 4u); tcase++) {
        Case *c;
        gchar *path;
        if (spec == 3341 && (tcase == 7 || tcase == 8))
          continue;
        c = g_new (Case, 1);
        c->spec = spec;
        c->tcase = tcase;
        c->rate = rates[ri];
        g_ptr_array_add (cases, c);
        path = g_strdup_printf ("/ebu/%u/%g/case-%02u", spec, rates[ri], tcase);
        g_test_add_data_func (path, c, test_case);
        g_free (path);
      }
    }
  }

  ret = g_test_run ();
  g_ptr_array_unref (cases);
  return ret;
}
