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
