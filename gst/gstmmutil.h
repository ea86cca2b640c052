/* gst-mixmaster
 * Copyright (C) 2026 gst-mixmaster developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#ifndef __GST_MM_UTIL_H__
#define __GST_MM_UTIL_H__

#include <gst/base/gstbasetransform.h>
#include <gst/gst.h>

G_BEGIN_DECLS

/* NaN and Inf samples of an F32 or F64 buffer become 0.0, in place. Write access
 * is taken only when one is found, so a clean buffer is only read. */
void gst_mm_buffer_sanitize (GstBuffer *buf, gboolean is_f32);
/* The same for a buffer that need not be writable: takes buf and returns
 * it as it was when clean, else a writable copy (or itself, when writable)
 * with the fix. */
GstBuffer *gst_mm_buffer_sanitized (GstBuffer *buf, gboolean is_f32);

/* From an accept_caps vfunc that refused fixed sink caps: an error naming what
 * the element takes (summary) and how to get there (hint), instead of a bare
 * "not-negotiated" from upstream. Returns FALSE for the caller to return. */
gboolean gst_mm_refuse_caps (GstBaseTransform *trans, GstPadDirection direction,
    GstCaps *caps, const gchar *summary, const gchar *hint);

/* Syncs the controller bindings of object (the element or one of its children)
 * to buffer time pts in trans's segment; nothing without a valid time. */
void gst_mm_sync_controls (
    GstBaseTransform *trans, GstObject *object, GstClockTime pts);

/* A meter message structure named `name` with the time fields every meter
 * carries, like `level`'s: timestamp, stream-time, running-time, duration.
 * The caller adds its fields and posts it. */
GstStructure *gst_mm_meter_structure_new (const gchar *name,
    const GstSegment *segment, GstClockTime start, GstClockTime duration);

/* The time of `frames` frames at `rate`, rounded to the nearest
 * nanosecond: the one conversion the elements use for timestamps, durations
 * and latency, so that they agree. */
static inline GstClockTime
gst_mm_frames_to_time (gint rate, guint64 frames)
{
  return gst_util_uint64_scale_int_round (frames, GST_SECOND, rate);
}

G_END_DECLS

#endif
