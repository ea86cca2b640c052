/* gst-mixmaster
 * Copyright (C) 2026 gst-mixmaster developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#ifndef MM_SANITIZE_H
#define MM_SANITIZE_H

#include <stddef.h>

/* Bad input never poisons filter or envelope state: every NaN or +-Inf sample is
 * replaced by 0.0 before any processing sees it. The scan is branch-free so that
 * the common all-finite case stays cheap; samples are written only when needed.
 * Returns the number of samples replaced. */
size_t mm_sanitize_f32 (float *samples, size_t n_samples);
size_t mm_sanitize_f64 (double *samples, size_t n_samples);

/* True when any sample is NaN or +-Inf: lets a read-only caller decide whether it
 * needs write access at all. */
int mm_has_nonfinite_f32 (const float *samples, size_t n_samples);
int mm_has_nonfinite_f64 (const double *samples, size_t n_samples);

#endif
