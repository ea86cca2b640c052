/* gst-mixmaster
 * Copyright (C) 2026 gst-mixmaster developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "eqdesign.h"

#include <complex.h>
#include <math.h>

#include "biquad.h"
#include "filter-design.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

#define FIT_POINTS 48
#define FIT_LOG_POINTS 32
#define LAWSON_ITERATIONS 12
/* a single section straying further than this gets a correction section */
#define CORRECTION_THRESHOLD_DB 0.3
#define CORRECTION_ROUNDS 3
#define FIT_LOW_HZ 20.0
#define FIT_HIGH_HZ 20000.0
/* impulse invariance is trusted for a pair below this fraction of Nyquist */
#define MAPPABLE_OMEGA (0.9 * M_PI)

typedef struct Biquad
{
  double b[3], a[3];
} Biquad;

static double biquad_mag2 (const Biquad *q, double w);

/* ---- analog prototypes ---- */

static double complex
prototype_response (const MmEqShape *shape, double f)
{
  double A = pow (10.0, shape->gain_db / 40.0);
  double q = shape->q;
  double complex s = I * f / shape->freq;
  double complex s2 = s * s;

  switch (shape->type) {
    case MM_EQ_PEAKING:
      return (s2 + s * A / q + 1.0) / (s2 + s / (A * q) + 1.0);
    case MM_EQ_LOW_SHELF:
      return A * (s2 + sqrt (A) / q * s + A) /
          (A * s2 + sqrt (A) / q * s + 1.0);
    case MM_EQ_HIGH_SHELF:
      return A * (A * s2 + sqrt (A) / q * s + 1.0) /
          (s2 + sqrt (A) / q * s + A);
    case MM_EQ_TILT_SHELF:
      return (A * s2 + sqrt (A) / q * s + 1.0) / (s2 + sqrt (A) / q * s + A);
    case MM_EQ_BAND_PASS:
      return (s / q) / (s2 + s / q + 1.0);
    case MM_EQ_NOTCH:
      return (s2 + 1.0) / (s2 + s / q + 1.0);
    case MM_EQ_ALL_PASS:
      return (s2 - s / q + 1.0) / (s2 + s / q + 1.0);
    case MM_EQ_LOW_PASS:
    case MM_EQ_HIGH_PASS: {
      int order = shape->slope / 6;
      double w2n = pow (f / shape->freq, 2.0 * order);
      double mag =
          shape->type == MM_EQ_LOW_PASS ? 1.0 / (1.0 + w2n) : w2n / (1.0 + w2n);
      return sqrt (mag);
    }
  }
  return 1.0;
}

double
mm_eq_prototype_db (const MmEqShape *shape, double f)
{
  return 20.0 * log10 (cabs (prototype_response (shape, f)));
}

bool
mm_eq_shape_is_identity (const MmEqShape *shape)
{
  switch (shape->type) {
    case MM_EQ_PEAKING:
    case MM_EQ_LOW_SHELF:
    case MM_EQ_HIGH_SHELF:
    case MM_EQ_TILT_SHELF:
      return shape->gain_db == 0.0;
    default:
      return false;
  }
}

/* ---- squared-magnitude algebra ----
 * |p0 + p1 z^-1 + p2 z^-2|^2 on the unit circle is P . phi(w) with
 * P = ((p0+p1+p2)^2, (p0-p1+p2)^2, -4 p0 p2) and
 * phi(w) = (cos^2(w/2), sin^2(w/2), sin^2(w)). */

static void
phi_of (double w, double phi[3])
{
  double c = cos (w / 2.0), s = sin (w / 2.0);
  phi[0] = c * c;
  phi[1] = s * s;
  phi[2] = 4.0 * phi[0] * phi[1];
}

static void
squared_form (const double p[3], double P[3])
{
  P[0] = (p[0] + p[1] + p[2]) * (p[0] + p[1] + p[2]);
  P[1] = (p[0] - p[1] + p[2]) * (p[0] - p[1] + p[2]);
  P[2] = -4.0 * p[0] * p[2];
}

static double
dot3 (const double x[3], const double y[3])
{
  return x[0] * y[0] + x[1] * y[1] + x[2] * y[2];
}

/* The minimum-phase polynomial whose squared magnitude is P . phi, if any. */
static bool
factor_squared_form (const double P[3], double p[3])
{
  if (!(P[0] >= 0.0 && P[1] >= 0.0))
    return false;
  double w = sqrt (P[0]), v = sqrt (P[1]);
  double sum = (w + v) / 2.0, product = -P[2] / 4.0;
  double disc = sum * sum - 4.0 * product;
  if (!(disc >= 0.0))
    return false;
  double r = sqrt (disc);
  p[0] = (sum + r) / 2.0;
  p[1] = (w - v) / 2.0;
  p[2] = sum - p[0];
  return p[0] != 0.0 && isfinite (p[0]) && isfinite (p[1]) && isfinite (p[2]);
}

/* Denominator of a pole pair at w (rad/sample) with quality q, by impulse
 * invariance; the same map places a zero pair. */
static void
impulse_invariant_pair (double w, double q, double a[3])
{
  double zeta = 1.0 / (2.0 * q);
  double decay = exp (-zeta * w);
  a[0] = 1.0;
  if (zeta <= 1.0)
    a[1] = -2.0 * decay * cos (w * sqrt (1.0 - zeta * zeta));
  else
    a[1] = -2.0 * decay * cosh (w * sqrt (zeta * zeta - 1.0));
  a[2] = decay * decay;
}

static bool
is_stable (const double a[3])
{
  double a1 = a[1] / a[0], a2 = a[2] / a[0];
  return fabs (a2) < 1.0 && fabs (a1) < 1.0 + a2;
}

typedef struct
{
  const MmEqShape *shape;
  double rate;
  bool inverse; /* fit 1/|H|^2 */
  bool section; /* one 2nd-order section of shape's type, at shape->q */
  const struct Biquad *divide_by; /* fit what this section leaves over */
} Target;

/* A single second-order low-, high- or band-pass section 1/(s^2 + s/q + 1) etc. */
static double complex
section_response (const MmEqShape *shape, double f)
{
  double complex s = I * f / shape->freq;
  double complex den = s * s + s / shape->q + 1.0;
  switch (shape->type) {
    case MM_EQ_LOW_PASS:
      return 1.0 / den;
    case MM_EQ_HIGH_PASS:
      return s * s / den;
    default:
      return (s / shape->q) / den;
  }
}

static double
target_mag2 (const Target *t, double w)
{
  double f = w * t->rate / (2.0 * M_PI);
  if (f < 1e-9)
    f = 1e-9;
  double m = cabs (t->section ? section_response (t->shape, f)
                              : prototype_response (t->shape, f));
  m *= m;
  if (t->divide_by)
    m /= biquad_mag2 (t->divide_by, w);
  return t->inverse ? 1.0 / m : m;
}

static void
fit_grid (double rate, double f0, double w[FIT_POINTS])
{
  double lo = fmin (FIT_LOW_HZ, f0 / 4.0);
  double hi = fmin (FIT_HIGH_HZ, 0.49 * rate);
  /* log-spaced over the band, plus linear points over the top two octaves,
   * where a design near Nyquist strays between log points */
  for (int i = 0; i < FIT_LOG_POINTS; i++)
    w[i] = 2.0 * M_PI * lo * pow (hi / lo, (double) i / (FIT_LOG_POINTS - 1)) /
        rate;
  for (int i = 0; i < FIT_POINTS - FIT_LOG_POINTS; i++)
    w[FIT_LOG_POINTS + i] = 2.0 * M_PI * hi *
        (0.25 + 0.75 * (i + 0.5) / (FIT_POINTS - FIT_LOG_POINTS)) / rate;
}

/* Solves the 3x3 system m x = r by Cramer's rule. */
static bool
solve3 (double m[3][3], const double r[3], double x[3])
{
  double det = m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) -
      m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) +
      m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
  if (!(fabs (det) > 1e-300))
    return false;
  for (int c = 0; c < 3; c++) {
    double t[3][3];
    for (int i = 0; i < 3; i++)
      for (int j = 0; j < 3; j++)
        t[i][j] = j == c ? r[i] : m[i][j];
    x[c] = (t[0][0] * (t[1][1] * t[2][2] - t[1][2] * t[2][1]) -
               t[0][1] * (t[1][0] * t[2][2] - t[1][2] * t[2][0]) +
               t[0][2] * (t[1][0] * t[2][1] - t[1][1] * t[2][0])) /
        det;
  }
  return true;
}

/* Numerator b for the fixed denominator a such that |b/a|^2 follows the target
 * over the grid: relative least squares, then a few Lawson reweightings that push
 * it towards the smallest worst-case error. */
static bool
fit_numerator (
    const Target *t, const double a[3], const double w[FIT_POINTS], double b[3])
{
  double A[3], B[3], phi[FIT_POINTS][3], scale[FIT_POINTS], weight[FIT_POINTS];
  bool solved = false;

  squared_form (a, A);
  for (int i = 0; i < FIT_POINTS; i++) {
    phi_of (w[i], phi[i]);
    scale[i] = 1.0 / (target_mag2 (t, w[i]) * dot3 (phi[i], A));
    weight[i] = 1.0;
  }
  for (int iteration = 0; iteration < LAWSON_ITERATIONS; iteration++) {
    double m[3][3] = { { 0 } }, r[3] = { 0 }, x[3], total = 0.0;
    for (int i = 0; i < FIT_POINTS; i++) {
      double ws = weight[i] * scale[i];
      for (int j = 0; j < 3; j++) {
        r[j] += weight[i] * phi[i][j] * scale[i];
        for (int k = 0; k < 3; k++)
          m[j][k] += phi[i][j] * phi[i][k] * ws * scale[i];
      }
    }
    if (!solve3 (m, r, x))
      break;
    B[0] = x[0], B[1] = x[1], B[2] = x[2];
    solved = true;
    for (int i = 0; i < FIT_POINTS; i++) {
      weight[i] *= fabs (dot3 (phi[i], B) * scale[i] - 1.0) + 1e-12;
      total += weight[i];
    }
    for (int i = 0; i < FIT_POINTS; i++)
      weight[i] *= FIT_POINTS / total;
  }
  return solved && factor_squared_form (B, b);
}

/* Numerator b for a such that |b/a|^2 equals the target exactly at three points. */
static bool
match_numerator (
    const Target *t, const double a[3], const double w[3], double b[3])
{
  double A[3], m[3][3], r[3], B[3];
  squared_form (a, A);
  for (int i = 0; i < 3; i++) {
    phi_of (w[i], m[i]);
    r[i] = target_mag2 (t, w[i]) * dot3 (m[i], A);
  }
  return solve3 (m, r, B) && factor_squared_form (B, b);
}

static double
biquad_mag2 (const Biquad *q, double w)
{
  double phi[3], B[3], A[3];
  phi_of (w, phi);
  squared_form (q->b, B);
  squared_form (q->a, A);
  return dot3 (phi, B) / dot3 (phi, A);
}

static double
max_error_db (const Target *t, const Biquad *q, const double w[FIT_POINTS])
{
  double worst = 0.0;
  for (int i = 0; i < FIT_POINTS; i++) {
    double e =
        fabs (10.0 * log10 (biquad_mag2 (q, w[i]) / target_mag2 (t, w[i])));
    if (!(e <= worst))
      worst = isfinite (e) ? e : INFINITY;
  }
  return worst;
}

/* Zero and pole pairs (frequency in rad/sample, quality) of the bell and shelf
 * prototypes. */
static void
root_pairs (
    const MmEqShape *shape, double rate, double zeros[2], double poles[2])
{
  double A = pow (10.0, shape->gain_db / 40.0);
  double w0 = 2.0 * M_PI * shape->freq / rate;
  switch (shape->type) {
    case MM_EQ_PEAKING:
      zeros[0] = w0, zeros[1] = shape->q / A;
      poles[0] = w0, poles[1] = shape->q * A;
      break;
    case MM_EQ_LOW_SHELF:
      zeros[0] = w0 * sqrt (A), zeros[1] = shape->q;
      poles[0] = w0 / sqrt (A), poles[1] = shape->q;
      break;
    default: /* high and tilt shelf */
      zeros[0] = w0 / sqrt (A), zeros[1] = shape->q;
      poles[0] = w0 * sqrt (A), poles[1] = shape->q;
      break;
  }
}

static void
bilinear_bell_or_shelf (const MmEqShape *shape, double rate, Biquad *q)
{
  static const MmBiquadType types[] = {
    [MM_EQ_PEAKING] = MM_BIQUAD_PEAKING,
    [MM_EQ_LOW_SHELF] = MM_BIQUAD_LOW_SHELF,
    [MM_EQ_HIGH_SHELF] = MM_BIQUAD_HIGH_SHELF,
    [MM_EQ_TILT_SHELF] = MM_BIQUAD_HIGH_SHELF,
  };
  MmBiquadCoefs c;
  mm_biquad_design_gain (
      &c, types[shape->type], rate, shape->freq, shape->q, shape->gain_db);
  q->b[0] = c.b0, q->b[1] = c.b1, q->b[2] = c.b2;
  q->a[0] = 1.0, q->a[1] = c.a1, q->a[2] = c.a2;
  if (shape->type == MM_EQ_TILT_SHELF) {
    double inv_a = pow (10.0, -shape->gain_db / 40.0);
    for (int i = 0; i < 3; i++)
      q->b[i] *= inv_a;
  }
}

static double
design_bell_or_shelf (const MmEqShape *shape, double rate, Biquad *best)
{
  double w[FIT_POINTS], zeros[2], poles[2];
  double best_error;
  Target direct = { shape, rate, false, false, NULL };
  Target inverse = { shape, rate, true, false, NULL };
  Biquad cand;

  fit_grid (rate, shape->freq, w);
  root_pairs (shape, rate, zeros, poles);

  bilinear_bell_or_shelf (shape, rate, best);
  best_error = max_error_db (&direct, best, w);

  /* poles mapped, zeros fitted */
  if (poles[0] < MAPPABLE_OMEGA) {
    impulse_invariant_pair (poles[0], poles[1], cand.a);
    if (fit_numerator (&direct, cand.a, w, cand.b)) {
      double e = max_error_db (&direct, &cand, w);
      if (e < best_error)
        best_error = e, *best = cand;
    }
  }
  /* zeros mapped, poles fitted: the same fit on the inverse response */
  if (zeros[0] < MAPPABLE_OMEGA) {
    double num[3], den[3];
    impulse_invariant_pair (zeros[0], zeros[1], num);
    if (fit_numerator (&inverse, num, w, den) && is_stable (den)) {
      for (int i = 0; i < 3; i++)
        cand.b[i] = num[i], cand.a[i] = den[i];
      double e = max_error_db (&direct, &cand, w);
      if (e < best_error)
        best_error = e, *best = cand;
    }
  }
  return best_error;
}

/* A resonant shelf whose root pair sits near Nyquist is more than one biquad can
 * follow: a second section takes the rest. Its poles are placed at the first
 * section's worst frequency; then the two numerators are refitted in turn, each
 * to what the other leaves over. Returns whether the pair beats the single
 * section on the grid. */
static double
pair_error (const Target *plain, const Biquad *a, const Biquad *b,
    const double w[FIT_POINTS])
{
  double e = 0.0;
  for (int k = 0; k < FIT_POINTS; k++)
    e = fmax (e,
        fabs (10.0 *
            log10 (biquad_mag2 (a, w[k]) * biquad_mag2 (b, w[k]) /
                target_mag2 (plain, w[k]))));
  return isfinite (e) ? e : INFINITY;
}

static bool
design_correction (const MmEqShape *shape, double rate, Biquad *first,
    double first_error, Biquad *correction)
{
  static const double qs[] = { 1.0, 4.0, 16.0 };
  double w[FIT_POINTS], worst_w = 0.0, worst = 0.0, best_error = first_error;
  Target plain = { shape, rate, false, false, NULL };
  Target over_first = { shape, rate, false, false, first };
  Biquad best_first = *first;
  bool found = false;

  fit_grid (rate, shape->freq, w);
  for (int i = 0; i < FIT_POINTS; i++) {
    double e = fabs (10.0 * log10 (target_mag2 (&over_first, w[i])));
    if (e > worst)
      worst = e, worst_w = w[i];
  }
  for (unsigned i = 0; i < sizeof (qs) / sizeof (qs[0]); i++) {
    Biquad one = *first, two;
    bool ok = true;
    impulse_invariant_pair (fmin (worst_w, MAPPABLE_OMEGA), qs[i], two.a);
    for (int round = 0; round < CORRECTION_ROUNDS && ok; round++) {
      Target over_one = { shape, rate, false, false, &one };
      Target over_two = { shape, rate, false, false, &two };
      ok = fit_numerator (&over_one, two.a, w, two.b);
      if (ok && round + 1 < CORRECTION_ROUNDS)
        ok = fit_numerator (&over_two, one.a, w, one.b);
    }
    if (!ok)
      continue;
    double e = pair_error (&plain, &one, &two, w);
    if (e < best_error)
      best_error = e, best_first = one, *correction = two, found = true;
  }
  *first = best_first;
  return found;
}

/* ---- fourth-order magnitude fit, for what two matched sections cannot do ----
 * |H(e^jw)|^2 of two biquads is P(x) / Q(x) with P, Q of degree 4 in x = cos w.
 * P and Q are fitted to the prototype by Sanathanan-Koerner iteration (linear
 * least squares weighted by the previous Q, with Lawson reweighting), then each
 * is split into its minimum-phase factor: the roots of z^4 P((z + 1/z) / 2)
 * come in pairs r, 1/r, and those inside the unit circle make the sections.
 * Poorly conditioned at low frequencies, so only tried for the shelves near
 * Nyquist that the matched sections miss. */

#define RATIONAL_DEGREE 4
#define RATIONAL_POINTS 96
#define RATIONAL_ITERATIONS 8

static bool
solve_linear (int n, double *m, double *r)
{
  /* Gaussian elimination with partial pivoting on the n x n matrix m (row-major),
   * solution into r */
  for (int c = 0; c < n; c++) {
    int pivot = c;
    for (int i = c + 1; i < n; i++)
      if (fabs (m[i * n + c]) > fabs (m[pivot * n + c]))
        pivot = i;
    if (!(fabs (m[pivot * n + c]) > 1e-300))
      return false;
    if (pivot != c) {
      for (int j = 0; j < n; j++) {
        double t = m[c * n + j];
        m[c * n + j] = m[pivot * n + j];
        m[pivot * n + j] = t;
      }
      double t = r[c];
      r[c] = r[pivot];
      r[pivot] = t;
    }
    for (int i = c + 1; i < n; i++) {
      double f = m[i * n + c] / m[c * n + c];
      for (int j = c; j < n; j++)
        m[i * n + j] -= f * m[c * n + j];
      r[i] -= f * r[c];
    }
  }
  for (int c = n - 1; c >= 0; c--) {
    for (int j = c + 1; j < n; j++)
      r[c] -= m[c * n + j] * r[j];
    r[c] /= m[c * n + c];
  }
  return true;
}

static double
poly_eval (const double *c, int degree, double x)
{
  double y = 0.0;
  for (int k = degree; k >= 0; k--)
    y = y * x + c[k];
  return y;
}

/* The roots of the real polynomial sum c[k] z^k (c[degree] != 0), by
 * Durand-Kerner iteration. */
static bool
poly_roots (const double *c, int degree, double complex *roots)
{
  double complex seed = 0.4 + 0.9 * I;
  roots[0] = 1.0;
  for (int i = 1; i < degree; i++)
    roots[i] = roots[i - 1] * seed;
  for (int iteration = 0; iteration < 500; iteration++) {
    double moved = 0.0;
    for (int i = 0; i < degree; i++) {
      double complex num = c[degree], den = c[degree];
      for (int k = degree - 1; k >= 0; k--)
        num = num * roots[i] + c[k];
      for (int j = 0; j < degree; j++)
        if (j != i)
          den *= roots[i] - roots[j];
      double complex step = num / den;
      roots[i] -= step;
      moved = fmax (moved, cabs (step));
    }
    if (moved < 1e-14)
      return true;
  }
  return false;
}

/* The roots inside the unit circle of the minimum-phase factor A(z) with
 * |A(e^jw)|^2 = C(cos w). */
static bool
min_phase_roots (
    const double c[RATIONAL_DEGREE + 1], double complex inside[RATIONAL_DEGREE])
{
  /* z^4 C((z + 1/z) / 2) as a polynomial of degree 8 in z */
  double poly[2 * RATIONAL_DEGREE + 1] = { 0 };
  double complex roots[2 * RATIONAL_DEGREE];
  for (int k = 0; k <= RATIONAL_DEGREE; k++) {
    /* ((z + 1/z) / 2)^k = 2^-k sum_j binom(k, j) z^(k - 2j) */
    double binom = 1.0;
    for (int j = 0; j <= k; j++) {
      poly[RATIONAL_DEGREE + k - 2 * j] += c[k] * binom / ldexp (1.0, k);
      binom = binom * (k - j) / (j + 1);
    }
  }
  if (!poly_roots (poly, 2 * RATIONAL_DEGREE, roots))
    return false;
  int n = 0;
  for (int i = 0; i < 2 * RATIONAL_DEGREE; i++) {
    if (cabs (roots[i]) < 1.0 - 1e-9) {
      if (n == RATIONAL_DEGREE)
        return false;
      inside[n++] = roots[i];
    }
  }
  return n == RATIONAL_DEGREE;
}

/* Pairs the roots into real second-order polynomials 1 - s z^-1 + p z^-2. */
static bool
root_pairs_to_sections (double complex r[RATIONAL_DEGREE], double out[2][3])
{
  int used[RATIONAL_DEGREE] = { 0 }, n = 0;
  for (int i = 0; i < RATIONAL_DEGREE; i++) {
    if (used[i])
      continue;
    used[i] = 1;
    int partner = -1;
    double best = INFINITY;
    for (int j = 0; j < RATIONAL_DEGREE; j++) {
      if (used[j])
        continue;
      /* the conjugate of a complex root; any other real root for a real one */
      double d = fabs (cimag (r[i])) > 1e-12 ? cabs (r[j] - conj (r[i]))
                                             : fabs (cimag (r[j])) + 1e-6;
      if (d < best)
        best = d, partner = j;
    }
    if (partner < 0 || n == 2)
      return false;
    used[partner] = 1;
    double complex sum = r[i] + r[partner], product = r[i] * r[partner];
    out[n][0] = 1.0;
    out[n][1] = -creal (sum);
    out[n][2] = creal (product);
    n++;
  }
  return n == 2;
}

static bool
design_rational (const MmEqShape *shape, double rate, Biquad *first,
    Biquad *second, double *error)
{
  const int n_coef = 2 * RATIONAL_DEGREE + 1; /* p0..p4, q1..q4 */
  double x[RATIONAL_POINTS], t[RATIONAL_POINTS], q_prev[RATIONAL_POINTS];
  double weight[RATIONAL_POINTS];
  double p[RATIONAL_DEGREE + 1], q[RATIONAL_DEGREE + 1];
  double w[RATIONAL_POINTS];
  Target plain = { shape, rate, false, false, NULL };
  double hi = fmin (FIT_HIGH_HZ, 0.49 * rate),
         lo = fmin (FIT_LOW_HZ, shape->freq / 4.0);

  for (int i = 0; i < RATIONAL_POINTS; i++) {
    double f = i < 64 ? lo * pow (hi / lo, i / 63.0)
                      : hi * (0.25 + 0.75 * (i - 64) / 31.0);
    w[i] = 2.0 * M_PI * f / rate;
    x[i] = cos (w[i]);
    t[i] = target_mag2 (&plain, w[i]);
    q_prev[i] = 1.0;
    weight[i] = 1.0;
  }
  for (int iteration = 0; iteration < RATIONAL_ITERATIONS; iteration++) {
    double m[9 * 9] = { 0 }, r[9] = { 0 };
    for (int i = 0; i < RATIONAL_POINTS; i++) {
      double row[9], scale = weight[i] / (t[i] * q_prev[i]);
      double xk = 1.0;
      for (int k = 0; k <= RATIONAL_DEGREE; k++, xk *= x[i])
        row[k] = xk * scale;
      xk = x[i];
      for (int k = 1; k <= RATIONAL_DEGREE; k++, xk *= x[i])
        row[RATIONAL_DEGREE + k] = -t[i] * xk * scale;
      for (int a = 0; a < n_coef; a++) {
        r[a] += row[a] * t[i] * scale;
        for (int b = 0; b < n_coef; b++)
          m[a * n_coef + b] += row[a] * row[b];
      }
    }
    if (!solve_linear (n_coef, m, r))
      return false;
    for (int k = 0; k <= RATIONAL_DEGREE; k++)
      p[k] = r[k];
    q[0] = 1.0;
    for (int k = 1; k <= RATIONAL_DEGREE; k++)
      q[k] = r[RATIONAL_DEGREE + k];
    double total = 0.0;
    for (int i = 0; i < RATIONAL_POINTS; i++) {
      q_prev[i] = poly_eval (q, RATIONAL_DEGREE, x[i]);
      if (!(q_prev[i] > 0.0))
        return false;
      weight[i] *=
          fabs (
              poly_eval (p, RATIONAL_DEGREE, x[i]) / (q_prev[i] * t[i]) - 1.0) +
          1e-12;
      total += weight[i];
    }
    for (int i = 0; i < RATIONAL_POINTS; i++)
      weight[i] *= RATIONAL_POINTS / total;
  }

  double complex zeros[RATIONAL_DEGREE], poles[RATIONAL_DEGREE];
  double num[2][3], den[2][3];
  if (!min_phase_roots (p, zeros) || !min_phase_roots (q, poles) ||
      !root_pairs_to_sections (zeros, num) ||
      !root_pairs_to_sections (poles, den))
    return false;
  for (int i = 0; i < 3; i++) {
    first->b[i] = num[0][i], first->a[i] = den[0][i];
    second->b[i] = num[1][i], second->a[i] = den[1][i];
  }
  if (!is_stable (first->a) || !is_stable (second->a))
    return false;
  /* the overall gain, matched in the middle of the grid */
  double mid = w[RATIONAL_POINTS / 3];
  double k = sqrt (target_mag2 (&plain, mid) /
      (biquad_mag2 (first, mid) * biquad_mag2 (second, mid)));
  if (!isfinite (k))
    return false;
  for (int i = 0; i < 3; i++)
    first->b[i] *= k;

  double e = 0.0;
  for (int i = 0; i < RATIONAL_POINTS; i++)
    e = fmax (e,
        fabs (10.0 *
            log10 (biquad_mag2 (first, w[i]) * biquad_mag2 (second, w[i]) /
                t[i])));
  *error = isfinite (e) ? e : INFINITY;
  return true;
}

/* A second-order section of the analog prototype `section` (low-pass, high-pass,
 * band-pass) with impulse-invariant poles and a numerator matched at DC, at the
 * section frequency and at Nyquist; bilinear if that fails. */
static void
design_matched_section (const MmEqShape *section, double rate, Biquad *q)
{
  Target t = { section, rate, false, true, NULL };
  double w0 = 2.0 * M_PI * section->freq / rate;
  double points[3] = { 0.0, w0, M_PI };

  impulse_invariant_pair (w0, section->q, q->a);
  if (match_numerator (&t, q->a, points, q->b))
    return;

  static const MmBiquadType types[] = {
    [MM_EQ_LOW_PASS] = MM_BIQUAD_LOWPASS,
    [MM_EQ_HIGH_PASS] = MM_BIQUAD_HIGHPASS,
    [MM_EQ_BAND_PASS] = MM_BIQUAD_BANDPASS,
  };
  MmBiquadCoefs c;
  mm_biquad_design (&c, types[section->type], rate, section->freq, section->q);
  q->b[0] = c.b0, q->b[1] = c.b1, q->b[2] = c.b2;
  q->a[0] = 1.0, q->a[1] = c.a1, q->a[2] = c.a2;
}

/* First-order low- or high-pass: impulse-invariant pole, numerator matched at DC
 * and at the cutoff (-3.01 dB). */
static void
design_first_order (MmEqType type, double rate, double freq, Biquad *q)
{
  double w0 = 2.0 * M_PI * freq / rate;
  double pole = exp (-w0);
  double a_dc = (1.0 - pole) * (1.0 - pole);
  double a_ny = (1.0 + pole) * (1.0 + pole);
  double c2 = cos (w0 / 2.0) * cos (w0 / 2.0), s2 = 1.0 - c2;
  double den_at_w0 = a_dc * c2 + a_ny * s2;
  /* (b0+b1)^2 at DC, (b0-b1)^2 from |H(w0)|^2 = 1/2 */
  double sum2 = type == MM_EQ_LOW_PASS ? a_dc : 0.0;
  double diff2 = (0.5 * den_at_w0 - sum2 * c2) / s2;
  double sum = sqrt (sum2), diff = sqrt (fmax (diff2, 0.0));

  q->b[0] = (sum + diff) / 2.0;
  q->b[1] = (sum - diff) / 2.0;
  q->b[2] = 0.0;
  q->a[0] = 1.0, q->a[1] = -pole, q->a[2] = 0.0;
}

static void
add_section (MmEqDesign *design, const Biquad *q)
{
  MmSvfSection *s = &design->sections[design->n_sections];
  if (mm_svf_section_from_biquad (s, q->b, q->a))
    design->n_sections++;
}

static void
design_pass (MmEqDesign *design, const MmEqShape *shape, double rate)
{
  int order = shape->slope / 6;
  Biquad q;

  if (order < 1)
    order = 1;
  if (order > 2 * MM_EQ_MAX_SECTIONS)
    order = 2 * MM_EQ_MAX_SECTIONS;
  if (order % 2) {
    design_first_order (shape->type, rate, shape->freq, &q);
    add_section (design, &q);
  }
  for (int k = 1; k <= order / 2; k++) {
    MmEqShape section = *shape;
    /* Butterworth pole angles from the negative real axis */
    double angle =
        order % 2 ? k * M_PI / order : (2 * k - 1) * M_PI / (2.0 * order);
    section.q = 1.0 / (2.0 * cos (angle));
    design_matched_section (&section, rate, &q);
    add_section (design, &q);
  }
}

static void design_shape (
    MmEqDesign *design, const MmEqShape *requested, double rate, bool correct);

void
mm_eq_design (MmEqDesign *design, const MmEqShape *requested, double rate)
{
  design_shape (design, requested, rate, true);
}

void
mm_eq_design_quick (MmEqDesign *design, const MmEqShape *requested, double rate)
{
  design_shape (design, requested, rate, false);
}

static void
design_shape (
    MmEqDesign *design, const MmEqShape *requested, double rate, bool correct)
{
  MmEqShape shape = *requested;
  Biquad q;

  mm_filter_clamp_design (rate, &shape.freq, &shape.q);
  design->n_sections = 0;

  switch (shape.type) {
    case MM_EQ_PEAKING:
    case MM_EQ_LOW_SHELF:
    case MM_EQ_HIGH_SHELF:
    case MM_EQ_TILT_SHELF: {
      double error = design_bell_or_shelf (&shape, rate, &q);
      add_section (design, &q);
      if (correct && error > CORRECTION_THRESHOLD_DB) {
        Biquad first = q, second, rational_first, rational_second;
        double rational_error;
        bool two = design_correction (&shape, rate, &first, error, &second);
        if (two) {
          double w[FIT_POINTS];
          Target plain = { &shape, rate, false, false, NULL };
          fit_grid (rate, shape.freq, w);
          error = pair_error (&plain, &first, &second, w);
        }
        if (design_rational (&shape, rate, &rational_first, &rational_second,
                &rational_error) &&
            rational_error < error) {
          first = rational_first, second = rational_second, two = true;
        }
        if (two) {
          design->n_sections = 0;
          add_section (design, &first);
          add_section (design, &second);
        }
      }
      break;
    }
    case MM_EQ_LOW_PASS:
    case MM_EQ_HIGH_PASS:
      design_pass (design, &shape, rate);
      break;
    case MM_EQ_BAND_PASS:
      design_matched_section (&shape, rate, &q);
      add_section (design, &q);
      break;
    case MM_EQ_NOTCH: {
      double w0 = 2.0 * M_PI * shape.freq / rate;
      impulse_invariant_pair (w0, shape.q, q.a);
      /* zeros exactly on the unit circle at f0, unity gain at DC */
      double dc = (q.a[0] + q.a[1] + q.a[2]) / (2.0 - 2.0 * cos (w0));
      q.b[0] = dc, q.b[1] = -2.0 * cos (w0) * dc, q.b[2] = dc;
      add_section (design, &q);
      break;
    }
    case MM_EQ_ALL_PASS: {
      double w0 = 2.0 * M_PI * shape.freq / rate;
      impulse_invariant_pair (w0, shape.q, q.a);
      q.b[0] = q.a[2], q.b[1] = q.a[1], q.b[2] = q.a[0];
      add_section (design, &q);
      break;
    }
  }
}

double
mm_eq_design_response_db (const MmEqDesign *design, double rate, double f)
{
  double db = 0.0;
  for (int i = 0; i < design->n_sections; i++)
    db += mm_svf_section_response_db (&design->sections[i], rate, f);
  return db;
}
