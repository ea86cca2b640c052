# gst-mixmaster ORC kernels.  SPDX-License-Identifier: LGPL-2.1-or-later
#
# Non-recursive per-sample work only; filters and envelopes stay in C.
# Interleaved stereo F32 frames are read as one 8-byte element: splitql puts the
# first (left) sample in the low half, mergelq writes it back there.

# Stereo 2x2 matrix with constant coefficients, in place:
#   L' = a*L + b*R,  R' = b*L + a*R
.function mixmaster_orc_ms_matrix_f32
.dest 8 d1 float
.floatparam 4 a
.floatparam 4 b
.temp 4 l
.temp 4 r
.temp 4 al
.temp 4 br
.temp 4 bl
.temp 4 ar
splitql r, l, d1
mulf al, l, a
mulf br, r, b
mulf bl, l, b
mulf ar, r, a
addf al, al, br
addf ar, ar, bl
mergelq d1, al, ar

# The same matrix with per-frame coefficients, for parameter glides.
.function mixmaster_orc_ms_matrix_ramp_f32
.dest 8 d1 float
.source 4 a float
.source 4 b float
.temp 4 l
.temp 4 r
.temp 4 al
.temp 4 br
.temp 4 bl
.temp 4 ar
splitql r, l, d1
mulf al, l, a
mulf br, r, b
mulf bl, l, b
mulf ar, r, a
addf al, al, br
addf ar, ar, bl
mergelq d1, al, ar

# Interleaved L/R to planar mid and side: M = (L+R)/2, S = (L-R)/2.
.function mixmaster_orc_ms_encode_f32
.dest 4 m float
.dest 4 s float
.source 8 s1 float
.const 4 half 0.5
.temp 4 l
.temp 4 r
.temp 4 t
splitql r, l, s1
addf t, l, r
mulf m, t, half
subf t, l, r
mulf s, t, half

# Planar mid and side to interleaved L/R with gains:
#   L' = gm*M + gs*S,  R' = gm*M - gs*S
.function mixmaster_orc_ms_decode_f32
.dest 8 d1 float
.source 4 m float
.source 4 s float
.floatparam 4 gm
.floatparam 4 gs
.temp 4 mm
.temp 4 ss
.temp 4 l
.temp 4 r
mulf mm, m, gm
mulf ss, s, gs
addf l, mm, ss
subf r, mm, ss
mergelq d1, l, r

# The same decode with per-frame gains, for parameter glides.
.function mixmaster_orc_ms_decode_ramp_f32
.dest 8 d1 float
.source 4 m float
.source 4 s float
.source 4 gm float
.source 4 gs float
.temp 4 mm
.temp 4 ss
.temp 4 l
.temp 4 r
mulf mm, m, gm
mulf ss, s, gs
addf l, mm, ss
subf r, mm, ss
mergelq d1, l, r

# Half-band interpolation, two tap pairs: the point halfway between samples
# m and m+1 of a stream is sum_k b_k (v[m+1-k] + v[m+k]); each source pair is
# one k. The true-peak detector chains these stages (2x, 4x, 8x). (Kernels keep
# to four sources: ORC 0.4.33's x86 backend corrupts a callee-saved register
# with eight.)
.function mixmaster_orc_halfband2_f32
.dest 4 d1 float
.source 4 s1 float
.source 4 s2 float
.source 4 s3 float
.source 4 s4 float
.floatparam 4 p1
.floatparam 4 p2
.temp 4 t
.temp 4 u
addf t, s1, s2
mulf t, t, p1
addf u, s3, s4
mulf u, u, p2
addf d1, t, u

# The same, added to what d1 holds (the next pairs of a longer filter).
.function mixmaster_orc_halfband2_acc_f32
.dest 4 d1 float
.source 4 s1 float
.source 4 s2 float
.source 4 s3 float
.source 4 s4 float
.floatparam 4 p1
.floatparam 4 p2
.temp 4 t
.temp 4 u
addf t, s1, s2
mulf t, t, p1
addf u, s3, s4
mulf u, u, p2
addf t, t, u
addf d1, d1, t

# One more pair, added to what d1 holds.
.function mixmaster_orc_halfband1_acc_f32
.dest 4 d1 float
.source 4 s1 float
.source 4 s2 float
.floatparam 4 p1
.temp 4 t
addf t, s1, s2
mulf t, t, p1
addf d1, d1, t

# Antisymmetric pairs: sum_k p_k (s_{2k-1} - s_{2k}). With the symmetric sum
# of the same samples it gives two mirror-image interpolated points at once.
.function mixmaster_orc_antisym2_f32
.dest 4 d1 float
.source 4 s1 float
.source 4 s2 float
.source 4 s3 float
.source 4 s4 float
.floatparam 4 p1
.floatparam 4 p2
.temp 4 t
.temp 4 u
subf t, s1, s2
mulf t, t, p1
subf u, s3, s4
mulf u, u, p2
addf d1, t, u

.function mixmaster_orc_antisym2_acc_f32
.dest 4 d1 float
.source 4 s1 float
.source 4 s2 float
.source 4 s3 float
.source 4 s4 float
.floatparam 4 p1
.floatparam 4 p2
.temp 4 t
.temp 4 u
subf t, s1, s2
mulf t, t, p1
subf u, s3, s4
mulf u, u, p2
addf t, t, u
addf d1, d1, t

# max(|a + b|, |a - b|) = |a| + |b|: the larger of two mirror-image points
# from their half sum and half difference, kept when d1 is larger.
.function mixmaster_orc_abs_sum_max_acc_f32
.dest 4 d1 float
.source 4 s1 float
.source 4 s2 float
.const 4 magnitude 0x7fffffff
.temp 4 a
.temp 4 b
andl a, s1, magnitude
andl b, s2, magnitude
addf a, a, b
maxsl d1, d1, a

# Largest magnitude of four streams (magnitude by clearing the sign bit;
# non-negative floats order like their bit patterns).
.function mixmaster_orc_abs_max4_f32
.dest 4 d1 float
.source 4 s1 float
.source 4 s2 float
.source 4 s3 float
.source 4 s4 float
.const 4 magnitude 0x7fffffff
.temp 4 a
.temp 4 b
andl a, s1, magnitude
andl b, s2, magnitude
maxsl a, a, b
andl b, s3, magnitude
maxsl a, a, b
andl b, s4, magnitude
maxsl d1, a, b

# The same, kept when d1 is already larger.
.function mixmaster_orc_abs_max4_acc_f32
.dest 4 d1 float
.source 4 s1 float
.source 4 s2 float
.source 4 s3 float
.source 4 s4 float
.const 4 magnitude 0x7fffffff
.temp 4 a
.temp 4 b
andl a, s1, magnitude
andl b, s2, magnitude
maxsl a, a, b
andl b, s3, magnitude
maxsl a, a, b
andl b, s4, magnitude
maxsl a, a, b
maxsl d1, d1, a

# The gain a peak needs under a ceiling: p / max(s1, p).
.function mixmaster_orc_need_f32
.dest 4 d1 float
.source 4 s1 float
.floatparam 4 p1
.temp 4 t
maxf t, s1, p1
divf d1, p1, t

# Element-wise largest of two non-negative streams.
.function mixmaster_orc_max_f32
.dest 4 d1 float
.source 4 s1 float
.source 4 s2 float
maxsl d1, s1, s2

# Gain multiply: one gain per sample.
.function mixmaster_orc_mul_f32
.dest 4 d1 float
.source 4 s1 float
.source 4 s2 float
mulf d1, s1, s2

.function mixmaster_orc_mul_f64
.dest 8 d1 double
.source 8 s1 double
.source 8 s2 double
muld d1, s1, s2
