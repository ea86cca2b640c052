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

#ifndef __GST_STEREO_WIDTH_H__
#define __GST_STEREO_WIDTH_H__

#include <gst/gst.h>
#include <gst/audio/gstaudiofilter.h>

#include "stereo.h"

G_BEGIN_DECLS

#define GST_TYPE_STEREO_WIDTH (gst_stereo_width_get_type ())
G_DECLARE_FINAL_TYPE (
    GstStereoWidth, gst_stereo_width, GST, STEREO_WIDTH, GstAudioFilter)

struct _GstStereoWidth
{
  GstAudioFilter parent;

  /* properties, under the object lock */
  gdouble width;
  gdouble bass_mono_freq;
  gdouble mid_gain;
  gdouble side_gain;
  gboolean post_messages;
  guint64 interval;

  /* streaming thread only */
  MmStereoWidth dsp;
  gboolean dsp_ready;
  gboolean snap_settings;
  MmStereoMeter meter;
  GstClockTime meter_start;
  guint64 meter_start_offset;
};

GST_ELEMENT_REGISTER_DECLARE (stereowidth);

G_END_DECLS

#endif /* __GST_STEREO_WIDTH_H__ */
