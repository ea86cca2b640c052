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

#ifndef __GST_MASTER_LIMITER_H__
#define __GST_MASTER_LIMITER_H__

#include <gst/gst.h>
#include <gst/audio/gstaudiofilter.h>

#include "limiter.h"

G_BEGIN_DECLS

#define GST_TYPE_MASTER_LIMITER (gst_master_limiter_get_type ())
G_DECLARE_FINAL_TYPE (
    GstMasterLimiter, gst_master_limiter, GST, MASTER_LIMITER, GstAudioFilter)

struct _GstMasterLimiter
{
  GstAudioFilter parent;

  /* properties, under the object lock */
  gdouble ceiling;
  gdouble input_gain;
  gdouble lookahead;
  gdouble release;
  gboolean auto_release;
  gboolean true_peak;
  gint oversampling;
  gdouble stereo_link;
  gboolean post_messages;
  guint64 interval;
  /* what the LATENCY query reports, under the object lock */
  GstClockTime latency;

  /* streaming thread only (dsp_ready is written under the object lock) */
  MmLimiter *dsp;
  gboolean dsp_ready;
  gboolean snap_settings;
  gsize lookahead_frames; /* configured in the DSP */
  gint factor; /* detector oversampling configured in the DSP, 1 = off */
  guint latency_frames; /* mm_limiter_latency_frames () */
  guint trim_left; /* leading delay-line frames not yet dropped */
  GstClockTime base_pts; /* time of the first output frame since a restart */
  guint64 out_frames; /* frames output since then */
  gboolean started; /* a buffer came since the last restart */
  /* settings last handed to the DSP */
  gdouble applied_ceiling;
  gdouble applied_input_gain;
  gdouble applied_release;
  gboolean applied_auto_release;
  gdouble applied_stereo_link;
  /* meter */
  guint64 meter_frames;
  GstClockTime meter_start;
  gdouble meter_reduction;
};

GST_ELEMENT_REGISTER_DECLARE (masterlimiter);

G_END_DECLS

#endif /* __GST_MASTER_LIMITER_H__ */
