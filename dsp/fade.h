/* gst-mixmaster
 * Copyright (C) 2026 gst-mixmaster developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#ifndef MM_FADE_H
#define MM_FADE_H

#include <stddef.h>
#include <stdint.h>

/* Fade curves and crossfades (for albumsequencer).
 *
 * A curve is the gain of a fade-in at x in [0, 1]: 0 at 0, 1 at 1, monotonic.
 * With e(x) = (10^(-3 (1 - x)) - 10^-3) / (1 - 10^-3), the exponential curve:
 *
 *   MM_FADE_LINEAR       g(x) = x
 *   MM_FADE_EQUAL_POWER  g(x) = sin (pi x / 2), so g(x)^2 + g(1 - x)^2 = 1
 *   MM_FADE_LOGARITHMIC  g(x) = 1 - e(1 - x): fast rise, the mirror of e
 *   MM_FADE_EXPONENTIAL  g(x) = e(x): slow rise, linear in dB over 60 dB
 *                        (-60 dB at x = 0 before the offset that makes it 0)
 *   MM_FADE_S_CURVE      g(x) = (1 - cos (pi x)) / 2, raised cosine
 *
 * Each is evaluated in double in a form without cancellation near its ends
 * (expm1 for e, sin^2 (pi x / 2) for the raised cosine), so that even the
 * quietest frames of a long fade are within a few ulp of the closed form
 * relative to their value.
 *
 * Position convention. A fade is `length` (N) frames long; frame i of it,
 * 0 <= i < N, gets
 *
 *   fade-in:   g(i / N)        the first frame is silent (gain 0), the frame
 *                              after the fade would be unity;
 *   fade-out:  g((N - i) / N)  the first frame is unity (gain 1), the frame
 *                              after the last would be silent.
 *
 * So a crossfade of N frames, out-going frame i times g((N - i) / N) plus
 * in-coming frame i times g(i / N), is complementary: the linear and raised
 * cosine gains sum to 1, the equal-power gains' squares sum to 1. The
 * exponential and logarithmic curves are not complementary with themselves:
 * halfway, both gains are e(0.5) = 0.0307 (-24.3 dB on identical signals)
 * or 1 - e(0.5) = 0.969 (+5.8 dB).
 *
 * Frames beyond the fade (index i >= N) take the gain the fade ends on: a
 * fade-in leaves them untouched (unity, bit-exact), a fade-out sets them to
 * 0.0 (silence), a crossfade makes them the in-coming frame exactly. A fade of
 * length 0 is all "beyond": a fade-in does nothing, a fade-out is a cut to
 * silence, a crossfade is a cut to the in-coming signal.
 *
 * Processing works on caller-owned interleaved frames, the same gain on every
 * channel of a frame, and on a fade cut into pieces of any size: `position`
 * is the index within the fade of frames[0], and the gain of a frame depends
 * only on its index, so pieces give bit for bit the output of one call. The
 * gain is computed per frame in double and the product rounded once to the
 * sample format. Nothing allocates; channels <= 0 or n == 0 do nothing (the
 * pointers are then not read). Finite input gives finite output (a crossfade
 * sum beyond the format's range saturates at its largest finite value);
 * NaN and Inf are the caller's to remove first (mm_sanitize_*). */

typedef enum
{
  MM_FADE_LINEAR, /* g(x) = x */
  MM_FADE_EQUAL_POWER, /* g(x) = sin(pi x / 2): g(x)^2 + g(1-x)^2 = 1 */
  MM_FADE_LOGARITHMIC, /* fast rise: the mirror of exponential, g(x) = 1 - e(1 - x) */
  MM_FADE_EXPONENTIAL, /* slow rise, dB-linear over 60 dB: e(x) = (10^(-3(1-x)) - 10^-3) / (1 - 10^-3) */
  MM_FADE_S_CURVE, /* raised cosine: g(x) = (1 - cos(pi x)) / 2 */
} MmFadeCurve;

typedef enum
{
  MM_FADE_IN,
  MM_FADE_OUT
} MmFadeDirection;

/* The gain of a fade-in at x in [0, 1]: 0 at 0, 1 at 1 (exactly), monotonic.
 * x outside [0, 1] is clamped (NaN counts as 0). An unknown curve is linear. */
double mm_fade_gain (MmFadeCurve curve, double x);

/* The gain of frame `position` of a fade of `length` frames, by the position
 * convention above: g(position / length) fading in, g((length - position) /
 * length) fading out; 1 (in) or 0 (out) at and beyond the end. */
double mm_fade_frame_gain (
    MmFadeCurve curve, MmFadeDirection dir, uint64_t length, uint64_t position);

/* n frames of `channels` interleaved samples times the fade's gains, in
 * place; frames[0] is frame `position` of the fade. */
void mm_fade_apply_f32 (float *frames, int channels, size_t n,
    MmFadeCurve curve, MmFadeDirection dir, uint64_t length, uint64_t position);
void mm_fade_apply_f64 (double *frames, int channels, size_t n,
    MmFadeCurve curve, MmFadeDirection dir, uint64_t length, uint64_t position);

/* out[i] = out[i] * gain_out + in[i] * gain_in over a crossfade of `length`
 * frames, in place in `out` (`in` is only read; it may be `out` itself but
 * must not overlap it otherwise); out[0] and in[0] are frame `position` of
 * the crossfade. gain_out is the fade-out gain, gain_in the fade-in gain of
 * that frame, both of the one curve. */
void mm_fade_crossfade_f32 (float *out, const float *in, int channels, size_t n,
    MmFadeCurve curve, uint64_t length, uint64_t position);
void mm_fade_crossfade_f64 (double *out, const double *in, int channels,
    size_t n, MmFadeCurve curve, uint64_t length, uint64_t position);

#endif
