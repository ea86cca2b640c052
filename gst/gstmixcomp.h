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

#ifndef __GST_MIX_COMP_H__
#define __GST_MIX_COMP_H__

#include <gst/gst.h>
#include <gst/audio/gstaudiofilter.h>

#include "compressor.h"

G_BEGIN_DECLS

#define GST_TYPE_MIX_COMP (gst_mix_comp_get_type ())
G_DECLARE_FINAL_TYPE (GstMixComp, gst_mix_comp, GST, MIX_COMP, GstAudioFilter)

struct _GstMixComp
{
  GstAudioFilter parent;

  /* properties, under the object lock */
  gdouble threshold;
  gdouble ratio;
  gdouble knee;
  gdouble attack;
  gdouble release;
  gdouble makeup;
  gboolean auto_makeup;
  MmDetectMode detector;
  gdouble rms_window;
  gdouble stereo_link;
  gdouble lookahead;
  gdouble mix;
  gdouble sidechain_hpf;
  gboolean post_messages;
  guint64 interval;

  /* streaming thread only */
  MmCompressor dsp;
  double *delay_storage;
  gboolean dsp_ready;
  gboolean snap_settings;
  guint lookahead_frames;
  guint trim_left; /* leading delay-line frames not yet dropped */
  GstClockTime next_pts;
  /* detector settings last handed to the DSP (its state survives only if kept) */
  MmDetectMode applied_detector;
  gdouble applied_rms_window;
  gdouble applied_hpf;
  /* meter */
  guint64 meter_frames;
  GstClockTime meter_start;
  gfloat meter_reduction;
};

GST_ELEMENT_REGISTER_DECLARE (mixcomp);

G_END_DECLS

#endif /* __GST_MIX_COMP_H__ */
