/* Every ORC kernel against a plain C reference, over odd lengths and unaligned
 * pointers. Run both with ORC's compiled code and with ORC_CODE=backup.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <glib.h>
#include <math.h>
#include <string.h>

#include "mixmaster-orc-init.h"
#include "mixmaster-orc.h"

static const gsize lengths[] = { 0, 1, 2, 3, 5, 7, 8, 15, 16, 17, 31, 33, 63,
  64, 65, 127, 255, 257, 1001, 4099 };

#define MAX_LEN 4099
/* Misalignment in floats from a 64-byte aligned base. ORC needs each array aligned
 * to its own element size (8 bytes for a stereo frame, 4 for a planar sample);
 * within that every offset from a SIMD boundary is tried. Callers with stereo
 * frames that are only 4-byte aligned take the C path (see dsp/stereo.c). */
static const guint offsets[] = { 0, 2, 4, 6 };

/* relative to the signal's scale; ORC may keep more or less intermediate precision
 * than the C compiler but computes the same expression */
#define TOLERANCE 1e-6

typedef struct
{
  gfloat *base[6];
} Buffers;

static gfloat *
fill (gfloat *base, guint offset, gsize n, GRand *rand)
{
  gfloat *p = base + offset;
  for (gsize i = 0; i < n; i++)
    p[i] = (gfloat) g_rand_double_range (rand, -1.0, 1.0);
  return p;
}

static void
buffers_init (Buffers *b)
{
  for (guint i = 0; i < G_N_ELEMENTS (b->base); i++)
    b->base[i] = g_aligned_alloc0 (2 * MAX_LEN + 16, sizeof (gfloat), 64);
}

static void
buffers_clear (Buffers *b)
{
  for (guint i = 0; i < G_N_ELEMENTS (b->base); i++)
    g_aligned_free (b->base[i]);
}

static void
assert_close (const gfloat *got, const gfloat *want, gsize n, const gchar *what,
    gsize len, guint offset)
{
  for (gsize i = 0; i < n; i++) {
    if (fabsf (got[i] - want[i]) > TOLERANCE * (1.0f + fabsf (want[i])))
      g_error ("%s: n=%" G_GSIZE_FORMAT " offset=%u sample %" G_GSIZE_FORMAT
               ": got %.9g, want %.9g",
          what, len, offset, i, got[i], want[i]);
  }
}

static void
test_ms_matrix (void)
{
  Buffers b;
  GRand *rand = g_rand_new_with_seed (1);
  buffers_init (&b);
  for (guint o = 0; o < G_N_ELEMENTS (offsets); o++) {
    for (guint li = 0; li < G_N_ELEMENTS (lengths); li++) {
      gsize n = lengths[li];
      gfloat a = 0.8f, bb = -0.35f;
      gfloat *lr = fill (b.base[0], offsets[o], 2 * n, rand);
      gfloat *want = b.base[1];
      for (gsize i = 0; i < n; i++) {
        want[2 * i] = a * lr[2 * i] + bb * lr[2 * i + 1];
        want[2 * i + 1] = bb * lr[2 * i] + a * lr[2 * i + 1];
      }
      mixmaster_orc_ms_matrix_f32 (lr, a, bb, (int) n);
      assert_close (lr, want, 2 * n, "ms_matrix_f32", n, offsets[o]);
    }
  }
  buffers_clear (&b);
  g_rand_free (rand);
}

static void
test_ms_matrix_ramp (void)
{
  Buffers b;
  GRand *rand = g_rand_new_with_seed (2);
  buffers_init (&b);
  for (guint o = 0; o < G_N_ELEMENTS (offsets); o++) {
    for (guint li = 0; li < G_N_ELEMENTS (lengths); li++) {
      gsize n = lengths[li];
      gfloat *lr = fill (b.base[0], offsets[o], 2 * n, rand);
      gfloat *ca = fill (b.base[2], (offsets[o] + 1) % 4, n, rand);
      gfloat *cb = fill (b.base[3], (offsets[o] + 3) % 4, n, rand);
      gfloat *want = b.base[1];
      for (gsize i = 0; i < n; i++) {
        want[2 * i] = ca[i] * lr[2 * i] + cb[i] * lr[2 * i + 1];
        want[2 * i + 1] = cb[i] * lr[2 * i] + ca[i] * lr[2 * i + 1];
      }
      mixmaster_orc_ms_matrix_ramp_f32 (lr, ca, cb, (int) n);
      assert_close (lr, want, 2 * n, "ms_matrix_ramp_f32", n, offsets[o]);
    }
  }
  buffers_clear (&b);
  g_rand_free (rand);
}

static void
test_ms_encode (void)
{
  Buffers b;
  GRand *rand = g_rand_new_with_seed (3);
  buffers_init (&b);
  for (guint o = 0; o < G_N_ELEMENTS (offsets); o++) {
    for (guint li = 0; li < G_N_ELEMENTS (lengths); li++) {
      gsize n = lengths[li];
      gfloat *lr = fill (b.base[0], offsets[o], 2 * n, rand);
      gfloat *mid = b.base[1] + (offsets[o] + 1) % 4;
      gfloat *side = b.base[2] + (offsets[o] + 2) % 4;
      gfloat *want_mid = b.base[3], *want_side = b.base[4];
      for (gsize i = 0; i < n; i++) {
        want_mid[i] = (lr[2 * i] + lr[2 * i + 1]) * 0.5f;
        want_side[i] = (lr[2 * i] - lr[2 * i + 1]) * 0.5f;
      }
      mixmaster_orc_ms_encode_f32 (mid, side, lr, (int) n);
      assert_close (mid, want_mid, n, "ms_encode_f32 mid", n, offsets[o]);
      assert_close (side, want_side, n, "ms_encode_f32 side", n, offsets[o]);
    }
  }
  buffers_clear (&b);
  g_rand_free (rand);
}

static void
test_ms_decode (void)
{
  Buffers b;
  GRand *rand = g_rand_new_with_seed (4);
  buffers_init (&b);
  for (guint o = 0; o < G_N_ELEMENTS (offsets); o++) {
    for (guint li = 0; li < G_N_ELEMENTS (lengths); li++) {
      gsize n = lengths[li];
      gfloat gm = 1.25f, gs = 0.4f;
      gfloat *mid = fill (b.base[0], offsets[o], n, rand);
      gfloat *side = fill (b.base[1], (offsets[o] + 1) % 4, n, rand);
      gfloat *lr = b.base[2] + (offsets[o] + 2) % 8;
      gfloat *want = b.base[3];
      for (gsize i = 0; i < n; i++) {
        want[2 * i] = gm * mid[i] + gs * side[i];
        want[2 * i + 1] = gm * mid[i] - gs * side[i];
      }
      mixmaster_orc_ms_decode_f32 (lr, mid, side, gm, gs, (int) n);
      assert_close (lr, want, 2 * n, "ms_decode_f32", n, offsets[o]);
    }
  }
  buffers_clear (&b);
  g_rand_free (rand);
}

static void
test_ms_decode_ramp (void)
{
  Buffers b;
  GRand *rand = g_rand_new_with_seed (5);
  buffers_init (&b);
  for (guint o = 0; o < G_N_ELEMENTS (offsets); o++) {
    for (guint li = 0; li < G_N_ELEMENTS (lengths); li++) {
      gsize n = lengths[li];
      gfloat *mid = fill (b.base[0], offsets[o], n, rand);
      gfloat *side = fill (b.base[1], (offsets[o] + 1) % 4, n, rand);
      gfloat *gm = fill (b.base[2], (offsets[o] + 2) % 4, n, rand);
      gfloat *gs = fill (b.base[3], (offsets[o] + 3) % 4, n, rand);
      gfloat *lr = b.base[4] + offsets[o];
      gfloat *want = b.base[5];
      for (gsize i = 0; i < n; i++) {
        want[2 * i] = gm[i] * mid[i] + gs[i] * side[i];
        want[2 * i + 1] = gm[i] * mid[i] - gs[i] * side[i];
      }
      mixmaster_orc_ms_decode_ramp_f32 (lr, mid, side, gm, gs, (int) n);
      assert_close (lr, want, 2 * n, "ms_decode_ramp_f32", n, offsets[o]);
    }
  }
  buffers_clear (&b);
  g_rand_free (rand);
}

/* The true-peak detector's tap pairs, symmetric and antisymmetric: written,
 * then accumulated. Sources are shifted views of one stream, as the detector
 * uses them. */
static void
test_halfband_pairs (void)
{
  Buffers b;
  GRand *rand = g_rand_new_with_seed (6);
  const gfloat p[4] = { 0.61f, -0.145f, 0.041f, -0.0075f };
  buffers_init (&b);
  for (guint o = 0; o < G_N_ELEMENTS (offsets); o++) {
    for (guint li = 0; li < G_N_ELEMENTS (lengths); li++) {
      gsize n = lengths[li];
      gfloat *x = fill (b.base[0], offsets[o], n + 8, rand);
      gfloat *d = fill (b.base[1], (offsets[o] + 1) % 4, n, rand);
      gfloat *want = b.base[2];
      for (gsize i = 0; i < n; i++)
        want[i] = p[0] * (x[i + 1] + x[i + 2]) + p[1] * (x[i] + x[i + 3]);
      mixmaster_orc_halfband2_f32 (
          d, x + 1, x + 2, x, x + 3, p[0], p[1], (int) n);
      assert_close (d, want, n, "halfband2_f32", n, offsets[o]);
      for (gsize i = 0; i < n; i++)
        want[i] *= 2.0f;
      mixmaster_orc_halfband2_acc_f32 (
          d, x + 1, x + 2, x, x + 3, p[0], p[1], (int) n);
      assert_close (d, want, n, "halfband2_acc_f32", n, offsets[o]);

      for (gsize i = 0; i < n; i++)
        want[i] += p[2] * (x[i + 4] + x[i + 5]);
      mixmaster_orc_halfband1_acc_f32 (d, x + 4, x + 5, p[2], (int) n);
      assert_close (d, want, n, "halfband1_acc_f32", n, offsets[o]);

      for (gsize i = 0; i < n; i++)
        want[i] = p[0] * (x[i + 2] - x[i + 1]) + p[1] * (x[i + 3] - x[i]);
      mixmaster_orc_antisym2_f32 (
          d, x + 2, x + 1, x + 3, x, p[0], p[1], (int) n);
      assert_close (d, want, n, "antisym2_f32", n, offsets[o]);
      for (gsize i = 0; i < n; i++)
        want[i] *= 2.0f;
      mixmaster_orc_antisym2_acc_f32 (
          d, x + 2, x + 1, x + 3, x, p[0], p[1], (int) n);
      assert_close (d, want, n, "antisym2_acc_f32", n, offsets[o]);

      /* |a| + |b| is the larger of |a + b| and |a - b| */
      gfloat *kept = b.base[3];
      for (gsize i = 0; i < n; i++) {
        kept[i] = (i % 3 == 0) ? 4.0f : 0.0f;
        want[i] = fmaxf (
            kept[i], fmaxf (fabsf (x[i] + x[i + 1]), fabsf (x[i] - x[i + 1])));
      }
      mixmaster_orc_abs_sum_max_acc_f32 (kept, x, x + 1, (int) n);
      assert_close (kept, want, n, "abs_sum_max_acc_f32", n, offsets[o]);
    }
  }
  buffers_clear (&b);
  g_rand_free (rand);
}

/* Largest magnitude of four streams, alone and kept against d. */
static void
test_abs_max4 (void)
{
  Buffers b;
  GRand *rand = g_rand_new_with_seed (7);
  buffers_init (&b);
  for (guint o = 0; o < G_N_ELEMENTS (offsets); o++) {
    for (guint li = 0; li < G_N_ELEMENTS (lengths); li++) {
      gsize n = lengths[li];
      gfloat *s[4];
      for (int k = 0; k < 4; k++)
        s[k] = fill (b.base[k], (offsets[o] + k) % 4, n, rand);
      gfloat *d = b.base[4], *want = b.base[5];
      for (gsize i = 0; i < n; i++)
        want[i] = fmaxf (fmaxf (fabsf (s[0][i]), fabsf (s[1][i])),
            fmaxf (fabsf (s[2][i]), fabsf (s[3][i])));
      mixmaster_orc_abs_max4_f32 (d, s[0], s[1], s[2], s[3], (int) n);
      assert_close (d, want, n, "abs_max4_f32", n, offsets[o]);
      for (gsize i = 0; i < n; i++)
        d[i] = (i % 3 == 0) ? 2.0f : 0.0f;
      for (gsize i = 0; i < n; i++)
        want[i] = (i % 3 == 0) ? 2.0f : want[i];
      mixmaster_orc_abs_max4_acc_f32 (d, s[0], s[1], s[2], s[3], (int) n);
      assert_close (d, want, n, "abs_max4_acc_f32", n, offsets[o]);
      mixmaster_orc_max_f32 (d, s[0], s[0], (int) n);
      for (gsize i = 0; i < n; i++)
        want[i] = s[0][i];
      for (gsize i = 0; i < n; i++)
        s[0][i] = fabsf (s[0][i]);
      mixmaster_orc_max_f32 (d, s[0], s[1] /* negatives lose */, (int) n);
      for (gsize i = 0; i < n; i++)
        want[i] = fmaxf (s[0][i], s[1][i]);
      assert_close (d, want, n, "max_f32", n, offsets[o]);
    }
  }
  buffers_clear (&b);
  g_rand_free (rand);
}

/* The gain a peak needs under a ceiling; exactly 1 at or under it. */
static void
test_need (void)
{
  Buffers b;
  GRand *rand = g_rand_new_with_seed (9);
  const gfloat ceiling = 0.8f;
  buffers_init (&b);
  for (guint li = 0; li < G_N_ELEMENTS (lengths); li++) {
    gsize n = lengths[li];
    gfloat *peak = fill (b.base[0], 1, n, rand), *d = b.base[1] + 3;
    for (gsize i = 0; i < n; i++)
      peak[i] = 2.0f * fabsf (peak[i]);
    mixmaster_orc_need_f32 (d, peak, ceiling, (int) n);
    for (gsize i = 0; i < n; i++) {
      if (peak[i] <= ceiling)
        g_assert_true (d[i] == 1.0f);
      else
        g_assert_cmpfloat (
            fabsf (d[i] - ceiling / peak[i]), <=, 1e-7f * ceiling / peak[i]);
    }
  }
  buffers_clear (&b);
  g_rand_free (rand);
}

/* The limiter's gain multiply, both formats; a gain of 1 changes nothing. */
static void
test_mul (void)
{
  Buffers b;
  GRand *rand = g_rand_new_with_seed (8);
  buffers_init (&b);
  for (guint li = 0; li < G_N_ELEMENTS (lengths); li++) {
    gsize n = lengths[li];
    gfloat *x = fill (b.base[0], 1, n, rand), *g = fill (b.base[1], 3, n, rand);
    gfloat *d = b.base[2] + 2;
    for (gsize i = 0; i < n; i++)
      if (i % 2)
        g[i] = 1.0f;
    mixmaster_orc_mul_f32 (d, x, g, (int) n);
    for (gsize i = 0; i < n; i++)
      g_assert_true (d[i] == x[i] * g[i]);

    gdouble *xd = g_new (gdouble, n + 1), *gd = g_new (gdouble, n + 1),
            *dd = g_new (gdouble, n + 1);
    for (gsize i = 0; i < n; i++)
      xd[i] = g_rand_double_range (rand, -1.0, 1.0), gd[i] = i % 2 ? 1.0 : x[i];
    mixmaster_orc_mul_f64 (dd, xd, gd, (int) n);
    for (gsize i = 0; i < n; i++)
      g_assert_true (dd[i] == xd[i] * gd[i]);
    g_free (xd);
    g_free (gd);
    g_free (dd);
  }
  buffers_clear (&b);
  g_rand_free (rand);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  mixmaster_orc_init ();

  g_test_add_func ("/orc/ms_matrix_f32", test_ms_matrix);
  g_test_add_func ("/orc/ms_matrix_ramp_f32", test_ms_matrix_ramp);
  g_test_add_func ("/orc/ms_encode_f32", test_ms_encode);
  g_test_add_func ("/orc/ms_decode_f32", test_ms_decode);
  g_test_add_func ("/orc/ms_decode_ramp_f32", test_ms_decode_ramp);
  g_test_add_func ("/orc/halfband_pairs_f32", test_halfband_pairs);
  g_test_add_func ("/orc/abs_max4_f32", test_abs_max4);
  g_test_add_func ("/orc/need_f32", test_need);
  g_test_add_func ("/orc/mul", test_mul);

  return g_test_run ();
}
