/* gst-mixmaster
 * Copyright (C) 2026 gst-mixmaster developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstmmutil.h"

#include "sanitize.h"

static gboolean
buffer_has_nonfinite (GstBuffer *buf, gboolean is_f32)
{
  GstMapInfo map;
  gboolean bad;

  if (!gst_buffer_map (buf, &map, GST_MAP_READ))
    return FALSE;
  bad = is_f32 ? mm_has_nonfinite_f32 (
                     (const float *) map.data, map.size / sizeof (float))
               : mm_has_nonfinite_f64 (
                     (const double *) map.data, map.size / sizeof (double));
  gst_buffer_unmap (buf, &map);
  return bad;
}

static void
buffer_sanitize_writable (GstBuffer *buf, gboolean is_f32)
{
  GstMapInfo map;

  if (!gst_buffer_map (buf, &map, GST_MAP_READWRITE))
    return;
  if (is_f32)
    mm_sanitize_f32 ((float *) map.data, map.size / sizeof (float));
  else
    mm_sanitize_f64 ((double *) map.data, map.size / sizeof (double));
  gst_buffer_unmap (buf, &map);
}

void
gst_mm_buffer_sanitize (GstBuffer *buf, gboolean is_f32)
{
  if (buffer_has_nonfinite (buf, is_f32))
    buffer_sanitize_writable (buf, is_f32);
}

GstBuffer *
gst_mm_buffer_sanitized (GstBuffer *buf, gboolean is_f32)
{
  if (!buffer_has_nonfinite (buf, is_f32))
    return buf;
  buf = gst_buffer_make_writable (buf);
  buffer_sanitize_writable (buf, is_f32);
  return buf;
}

gboolean
gst_mm_refuse_caps (GstBaseTransform *trans, GstPadDirection direction,
    GstCaps *caps, const gchar *summary, const gchar *hint)
{
  gchar *caps_str;

  if (direction != GST_PAD_SINK || !gst_caps_is_fixed (caps))
    return FALSE;
  caps_str = gst_caps_to_string (caps);
  GST_ELEMENT_ERROR (trans, CORE, NEGOTIATION, ("%s", summary),
      ("%s Offered caps: %s", hint, caps_str));
  g_free (caps_str);
  return FALSE;
}

GstStructure *
gst_mm_meter_structure_new (const gchar *name, const GstSegment *segment,
    GstClockTime start, GstClockTime duration)
{
  return gst_structure_new (name, "timestamp", G_TYPE_UINT64, start,
      "stream-time", G_TYPE_UINT64,
      gst_segment_to_stream_time (segment, GST_FORMAT_TIME, start),
      "running-time", G_TYPE_UINT64,
      gst_segment_to_running_time (segment, GST_FORMAT_TIME, start), "duration",
      G_TYPE_UINT64, duration, NULL);
}

void
gst_mm_sync_controls (
    GstBaseTransform *trans, GstObject *object, GstClockTime pts)
{
  GstClockTime stream_time;

  if (!GST_CLOCK_TIME_IS_VALID (pts))
    return;
  stream_time =
      gst_segment_to_stream_time (&trans->segment, GST_FORMAT_TIME, pts);
  if (GST_CLOCK_TIME_IS_VALID (stream_time))
    gst_object_sync_values (object, stream_time);
}
