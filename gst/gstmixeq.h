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

#ifndef __GST_MIX_EQ_H__
#define __GST_MIX_EQ_H__

#include <gst/gst.h>
#include <gst/audio/gstaudiofilter.h>

#include "eq.h"

G_BEGIN_DECLS

#define GST_TYPE_MIX_EQ_BAND (gst_mix_eq_band_get_type ())
G_DECLARE_FINAL_TYPE (
    GstMixEqBand, gst_mix_eq_band, GST, MIX_EQ_BAND, GstObject)

#define GST_TYPE_MIX_EQ (gst_mix_eq_get_type ())
G_DECLARE_FINAL_TYPE (GstMixEq, gst_mix_eq, GST, MIX_EQ, GstAudioFilter)

struct _GstMixEq
{
  GstAudioFilter parent;

  /* under the object lock */
  guint num_bands;
  gdouble output_gain;

  /* all MM_EQ_MAX_BANDS exist; num_bands of them are children and play */
  GstMixEqBand *bands[MM_EQ_MAX_BANDS];

  /* set by every property write, taken by the streaming thread */
  gint settings_changed;

  /* streaming thread only */
  MmEq *dsp;
  gboolean dsp_ready;
  gboolean snap_settings;
  gboolean warned_route[MM_EQ_MAX_BANDS];
  gboolean warned_nyquist[MM_EQ_MAX_BANDS];
};

GST_ELEMENT_REGISTER_DECLARE (mixeq);

G_END_DECLS

#endif /* __GST_MIX_EQ_H__ */
