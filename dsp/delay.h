/* gst-mixmaster
 * Copyright (C) 2026 gst-mixmaster developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#ifndef MM_DELAY_H
#define MM_DELAY_H

#include <stddef.h>

/* A fixed delay of interleaved frames, for lookahead: the caller owns the
 * storage (channels * (max_delay + 1) doubles) and the delay is set once. */
typedef struct
{
  double *buffer;
  size_t capacity; /* frames */
  size_t delay; /* frames */
  size_t write; /* frame index */
  int channels;
} MmDelayLine;

/* storage holds channels * (max_delay + 1) doubles */
void mm_delay_init (MmDelayLine *line, double *storage, int channels,
    size_t max_delay, size_t delay);
void mm_delay_reset (MmDelayLine *line);
/* Pushes one frame, returns the frame from `delay` frames ago in out. */
static inline void
mm_delay_tick (MmDelayLine *line, const double *in, double *out)
{
  size_t read = line->write + line->capacity - line->delay;
  if (read >= line->capacity)
    read -= line->capacity;
  double *w = line->buffer + line->write * line->channels;
  const double *r = line->buffer + read * line->channels;
  for (int c = 0; c < line->channels; c++) {
    w[c] = in[c];
    out[c] = r[c];
  }
  if (++line->write == line->capacity)
    line->write = 0;
}

#endif
