/* gst-mixmaster
 * Copyright (C) 2026 gst-mixmaster developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "sanitize.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

/* Chunked so the inner loop vectorizes: it only ORs exponent tests together. */
#define SCAN_CHUNK 64

#define DEFINE_SANITIZE(suffix, type, utype, exp_mask)                         \
  static inline int chunk_has_nonfinite_##suffix (                             \
      const type *samples, size_t len)                                         \
  {                                                                            \
    utype any_bad = 0;                                                         \
    if (len == SCAN_CHUNK) {                                                   \
      /* a constant trip count lets the compiler vectorize at -O2 */           \
      for (size_t i = 0; i < SCAN_CHUNK; i++) {                                \
        utype bits;                                                            \
        memcpy (&bits, samples + i, sizeof (bits));                            \
        any_bad |= (utype) ((bits & (exp_mask)) == (exp_mask));                \
      }                                                                        \
    } else {                                                                   \
      for (size_t i = 0; i < len; i++) {                                       \
        utype bits;                                                            \
        memcpy (&bits, samples + i, sizeof (bits));                            \
        any_bad |= (utype) ((bits & (exp_mask)) == (exp_mask));                \
      }                                                                        \
    }                                                                          \
    return any_bad != 0;                                                       \
  }                                                                            \
                                                                               \
  int mm_has_nonfinite_##suffix (const type *samples, size_t n_samples)        \
  {                                                                            \
    for (size_t start = 0; start < n_samples; start += SCAN_CHUNK) {           \
      size_t len =                                                             \
          n_samples - start < SCAN_CHUNK ? n_samples - start : SCAN_CHUNK;     \
      if (chunk_has_nonfinite_##suffix (samples + start, len))                 \
        return 1;                                                              \
    }                                                                          \
    return 0;                                                                  \
  }                                                                            \
                                                                               \
  size_t mm_sanitize_##suffix (type *samples, size_t n_samples)                \
  {                                                                            \
    size_t replaced = 0;                                                       \
    for (size_t start = 0; start < n_samples; start += SCAN_CHUNK) {           \
      size_t len =                                                             \
          n_samples - start < SCAN_CHUNK ? n_samples - start : SCAN_CHUNK;     \
      if (!chunk_has_nonfinite_##suffix (samples + start, len))                \
        continue;                                                              \
      for (size_t i = 0; i < len; i++) {                                       \
        if (!isfinite (samples[start + i])) {                                  \
          samples[start + i] = 0;                                              \
          replaced++;                                                          \
        }                                                                      \
      }                                                                        \
    }                                                                          \
    return replaced;                                                           \
  }

DEFINE_SANITIZE (f32, float, uint32_t, UINT32_C (0x7f800000))
DEFINE_SANITIZE (f64, double, uint64_t, UINT64_C (0x7ff0000000000000))
