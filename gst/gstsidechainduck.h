/* gst-mixmaster
 * Copyright (C) 2026 gst-mixmaster developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#ifndef __GST_SIDECHAIN_DUCK_H__
#define __GST_SIDECHAIN_DUCK_H__

#include <gst/audio/audio.h>
#include <gst/base/gstaggregator.h>
#include <gst/gst.h>

#include "ducker.h"

G_BEGIN_DECLS

#define GST_TYPE_SIDECHAIN_DUCK (gst_sidechain_duck_get_type ())
G_DECLARE_FINAL_TYPE (
    GstSidechainDuck, gst_sidechain_duck, GST, SIDECHAIN_DUCK, GstAggregator)

struct _GstSidechainDuck
{
  GstAggregator parent;

  GstAggregatorPad *main_pad;
  GstAggregatorPad *key_pad; /* NULL until requested; object lock */
  /* the key pad's EOS is the element's own (nothing was linked to it), not
   * the end of a key; object lock */
  gboolean key_placeholder;
  GCond key_arrived; /* a stream started on the key pad */

  /* properties, under the object lock */
  gdouble threshold;
  gdouble depth;
  gdouble ratio;
  gdouble knee;
  gdouble attack;
  gdouble hold;
  gdouble release;
  gdouble lookahead; /* ms */
  gdouble key_hpf;
  gdouble key_lpf;
  gboolean post_messages;
  guint64 interval;
  gboolean settings_changed;

  /* caps (streaming thread) */
  GstAudioInfo main_info, key_info;
  gboolean have_main_info, have_key_info;
  GstCaps *main_caps;

  /* streaming thread only */
  MmDucker ducker;
  gboolean ducker_ready;
  guint64 lookahead_frames; /* L: the key runs this far ahead of the main */
  /* the frame grid: frame k sits at running time origin + k / rate */
  GstClockTime origin;
  guint64 main_frames; /* main frames done (the next one's index) */
  /* the main buffer being ducked, taken off its pad so that upstream can
   * bring the next one meanwhile; pushed whole when all its gains are in */
  GstBuffer *main_buf;
  gsize main_offset; /* frames of main_buf with their gains */
  gfloat *main_gains; /* main_buf's gains */
  gsize main_gains_capacity;
  gboolean main_unity; /* every gain so far is 1 */
  GstBuffer *key_buf; /* the key buffer being read, taken off its pad */
  guint64 key_frames; /* key frames through the detector */
  gint64 key_expected; /* where the next key buffer should start (frames
                        * before the main's first are negative) */
  gsize key_offset; /* frames of the current key buffer done */
  /* gains of key frames [main_frames + L, key_frames), oldest first */
  gfloat *gains;
  gsize gains_capacity, gains_start, gains_count;
  gfloat *scratch; /* a mono key block */

  /* meter */
  guint64 meter_frames;
  GstClockTime meter_start;
  gfloat meter_lowest;
};

GST_ELEMENT_REGISTER_DECLARE (sidechainduck);

G_END_DECLS

#endif /* __GST_SIDECHAIN_DUCK_H__ */
