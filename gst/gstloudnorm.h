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

#ifndef __GST_LOUDNORM_H__
#define __GST_LOUDNORM_H__

#include <gst/audio/audio.h>
#include <gst/gst.h>

#include "gstmmspool.h"
#include "blocklimiter.h"
#include "leveler.h"
#include "limiter.h"
#include "loudness.h"

G_BEGIN_DECLS

/**
 * GstLoudnormMode:
 * @GST_LOUDNORM_MODE_ANALYZE: measure only; the audio passes untouched
 * @GST_LOUDNORM_MODE_FILE: hold the whole stream, then output it with one
 *     static gain that puts it on the target (the true-peak limiter takes
 *     only the overs)
 */
typedef enum
{
  GST_LOUDNORM_MODE_ANALYZE,
  GST_LOUDNORM_MODE_FILE,
  GST_LOUDNORM_MODE_LIVE,
} GstLoudnormMode;

/**
 * GstLoudnormPreset:
 * @GST_LOUDNORM_PRESET_CUSTOM: target and max-true-peak as set
 * @GST_LOUDNORM_PRESET_EBU_R128: -23 LUFS, -1 dBTP (EBU R 128 broadcast)
 * @GST_LOUDNORM_PRESET_ATSC_A85: -24 LUFS, -2 dBTP (ATSC A/85, US television)
 * @GST_LOUDNORM_PRESET_STREAMING: -14 LUFS, -1 dBTP (Spotify, YouTube, Tidal)
 * @GST_LOUDNORM_PRESET_APPLE_MUSIC: -16 LUFS, -1 dBTP
 * @GST_LOUDNORM_PRESET_PODCAST: -16 LUFS, -1 dBTP (Apple Podcasts, AES TD1008)
 */
typedef enum
{
  GST_LOUDNORM_PRESET_CUSTOM,
  GST_LOUDNORM_PRESET_EBU_R128,
  GST_LOUDNORM_PRESET_ATSC_A85,
  GST_LOUDNORM_PRESET_STREAMING,
  GST_LOUDNORM_PRESET_APPLE_MUSIC,
  GST_LOUDNORM_PRESET_PODCAST,
} GstLoudnormPreset;

#define GST_TYPE_LOUDNORM_MODE (gst_loudnorm_mode_get_type ())
GType gst_loudnorm_mode_get_type (void);
#define GST_TYPE_LOUDNORM_PRESET (gst_loudnorm_preset_get_type ())
GType gst_loudnorm_preset_get_type (void);

#define GST_TYPE_LOUDNORM (gst_loudnorm_get_type ())
G_DECLARE_FINAL_TYPE (GstLoudnorm, gst_loudnorm, GST, LOUDNORM, GstElement)


struct _GstLoudnorm
{
  GstElement parent;

  GstPad *sinkpad, *srcpad;

  /* properties, under the object lock */
  GstLoudnormMode mode;
  gdouble target;
  gdouble max_true_peak;
  GstLoudnormPreset preset;
  gdouble max_gain;
  guint max_memory; /* MiB */
  gboolean dual_mono;
  gboolean post_messages;
  guint64 interval;
  gdouble lookahead; /* ms, live mode */
  gdouble max_gain_rate; /* dB/s, live mode */

  /* a live upstream was refused in file mode (atomic: the LATENCY query
   * comes from other threads) */
  gint live_refused;
  /* the caps last refused with an error (object lock) */
  GstCaps *refused_caps;

  /* streaming thread only */
  GstCaps *caps;
  GstAudioInfo info;
  gboolean have_info;
  GstSegment segment;
  MmLoudness *in_meter; /* the input, as it comes */
  MmLoudness *out_meter; /* the rendered output (file mode) */
  MmLimiter *limiter; /* live mode */
  MmLeveler *leveler; /* live mode */
  /* file mode: the profile taken of the input, and the limiter working from
   * it, per block of block_frames */
  MmBlockProfiler *profiler;
  MmBlockLimiter *block_limiter;
  gsize block_frames;
  guint8 *work; /* work_frames frames for the trial renders */
  gsize work_frames;
  GstTagList *upstream_tags; /* the last stream-scope tags from upstream */

  /* the programme: since the last start, flush or programme end */
  gboolean started; /* audio came */
  GstLoudnormMode stream_mode; /* mode latched when the audio started */
  guint64 frames; /* frames taken in */
  /* the input's timeline: frame k of it sits at ts_base plus
   * ts_frames + k frames (resynced when a timestamp strays from it) */
  GstClockTime ts_base;
  guint64 ts_frames;
  GstClockTime base_pts; /* time of the first frame */
  guint out_block; /* frames per output buffer in file mode */
  GstMmSpool *spool; /* file mode: the audio held */
  GstMmSpool *profile; /* file mode: peak and energy per block */
  guint64 profile_blocks;
  GQueue held_events; /* file mode: serialized events and their offsets */
  /* live mode: the delay (leveler and limiter), priming frames still to
   * drop from the output, frames pushed */
  guint64 live_latency, live_trim, out_frames;

  /* meter messages */
  guint64 meter_frames;
  GstClockTime meter_start;
};

GST_ELEMENT_REGISTER_DECLARE (loudnorm);

G_END_DECLS

#endif /* __GST_LOUDNORM_H__ */
