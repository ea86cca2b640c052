/* gst-mixmaster
 * Copyright (C) 2026 gst-mixmaster developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#ifndef __GST_MM_SPOOL_H__
#define __GST_MM_SPOOL_H__

#include <glib.h>

G_BEGIN_DECLS

/* A stream's bytes held for a second pass: in memory up to max_memory bytes,
 * the rest in a nameless temporary file (named after name_template, e.g.
 * "gst-loudnorm-XXXXXX.raw", while it is created). Written once from the
 * start, then read (again and again) from the start. Reads are in whole
 * frames of bpf bytes for the chunking; any length works. */
typedef struct _GstMmSpool GstMmSpool;

GstMmSpool *gst_mm_spool_new (
    gsize bpf, guint64 max_memory, const gchar *name_template);
void gst_mm_spool_free (GstMmSpool *spool);
/* Bytes written. */
guint64 gst_mm_spool_bytes (const GstMmSpool *spool);
guint64 gst_mm_spool_max_memory (const GstMmSpool *spool);
/* Whether the bytes went past max_memory, into the file. */
gboolean gst_mm_spool_uses_file (const GstMmSpool *spool);
gboolean gst_mm_spool_append (
    GstMmSpool *spool, const guint8 *data, gsize len, GError **error);
/* The writes done, reading starts (again) from the beginning. */
gboolean gst_mm_spool_rewind (GstMmSpool *spool, GError **error);
/* Reads the next len bytes; what lies past the end reads as zeros. */
gboolean gst_mm_spool_read (
    GstMmSpool *spool, guint8 *dst, gsize len, GError **error);

G_END_DECLS

#endif
