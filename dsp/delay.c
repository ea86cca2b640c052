/* gst-mixmaster
 * Copyright (C) 2026 gst-mixmaster developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "delay.h"

#include <string.h>

void
mm_delay_init (MmDelayLine *line, double *storage, int channels,
    size_t max_delay, size_t delay)
{
  line->buffer = storage;
  line->capacity = max_delay + 1;
  line->channels = channels;
  line->delay = delay < max_delay ? delay : max_delay;
  mm_delay_reset (line);
}

void
mm_delay_reset (MmDelayLine *line)
{
  memset (line->buffer, 0, line->capacity * line->channels * sizeof (double));
  line->write = 0;
}
