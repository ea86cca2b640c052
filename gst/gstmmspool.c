/* gst-mixmaster
 * Copyright (C) 2026 gst-mixmaster developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* pread () */
#define _POSIX_C_SOURCE 200809L

#include "gstmmspool.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

/* memory is taken, and the file read and written, in chunks of about this */
#define SPOOL_CHUNK_BYTES (256 * 1024)

struct _GstMmSpool
{
  gsize chunk_bytes; /* whole frames, at most SPOOL_CHUNK_BYTES */
  guint64 max_memory; /* bytes */
  GPtrArray *chunks; /* the first bytes, in memory */
  guint64 mem_bytes;
  gint fd; /* the rest, in the file; -1 until needed */
  gchar *path; /* set while the file still has a name */
  guint8 *io; /* write buffer, then read cache; chunk_bytes */
  gsize io_len; /* bytes pending (writing) or cached (reading) */
  guint64 io_start; /* file offset of the read cache */
  guint64 file_bytes; /* pending bytes included */
  gboolean reading;
  gchar *name_template;
  guint64 read_pos; /* bytes */
};

GstMmSpool *
gst_mm_spool_new (gsize bpf, guint64 max_memory, const gchar *name_template)
{
  GstMmSpool *s = g_new0 (GstMmSpool, 1);

  s->chunk_bytes = MAX (1, SPOOL_CHUNK_BYTES / bpf) * bpf;
  s->max_memory = max_memory;
  s->chunks = g_ptr_array_new_with_free_func (g_free);
  s->fd = -1;
  s->name_template = g_strdup (name_template);
  return s;
}

void
gst_mm_spool_free (GstMmSpool *s)
{
  if (s == NULL)
    return;
  g_ptr_array_unref (s->chunks);
  if (s->fd >= 0)
    close (s->fd);
  if (s->path) {
    g_unlink (s->path);
    g_free (s->path);
  }
  g_free (s->io);
  g_free (s->name_template);
  g_free (s);
}

guint64
gst_mm_spool_bytes (const GstMmSpool *s)
{
  return s->mem_bytes + s->file_bytes;
}

guint64
gst_mm_spool_max_memory (const GstMmSpool *s)
{
  return s->max_memory;
}

gboolean
gst_mm_spool_uses_file (const GstMmSpool *s)
{
  return s->fd >= 0;
}

static gboolean
spool_write_all (GstMmSpool *s, const guint8 *data, gsize len)
{
  while (len > 0) {
    gssize done = write (s->fd, data, len);
    if (done < 0 && errno == EINTR)
      continue;
    if (done <= 0)
      return FALSE;
    data += done;
    len -= (gsize) done;
  }
  return TRUE;
}

static gboolean
spool_open_file (GstMmSpool *s, GError **error)
{
  s->fd = g_file_open_tmp (s->name_template, &s->path, error);
  if (s->fd < 0)
    return FALSE;
  /* nameless from here on where the system allows: gone with the process */
  if (g_unlink (s->path) == 0) {
    g_free (s->path);
    s->path = NULL;
  }
  s->io = g_malloc (s->chunk_bytes);
  s->io_len = 0;
  return TRUE;
}

gboolean
gst_mm_spool_append (
    GstMmSpool *s, const guint8 *data, gsize len, GError **error)
{
  g_return_val_if_fail (!s->reading, FALSE);

  while (len > 0) {
    gsize n;

    if (s->fd < 0) {
      guint64 room = (guint64) s->chunks->len * s->chunk_bytes - s->mem_bytes;
      if (room == 0) {
        if ((guint64) (s->chunks->len + 1) * s->chunk_bytes <= s->max_memory) {
          g_ptr_array_add (s->chunks, g_malloc (s->chunk_bytes));
        } else if (!spool_open_file (s, error)) {
          return FALSE;
        }
        continue;
      }
      n = (gsize) MIN (room, len);
      memcpy ((guint8 *) g_ptr_array_index (s->chunks, s->chunks->len - 1) +
              (s->chunk_bytes - room),
          data, n);
      s->mem_bytes += n;
    } else {
      n = MIN (s->chunk_bytes - s->io_len, len);
      memcpy (s->io + s->io_len, data, n);
      s->io_len += n;
      s->file_bytes += n;
      if (s->io_len == s->chunk_bytes) {
        if (!spool_write_all (s, s->io, s->io_len))
          goto write_failed;
        s->io_len = 0;
      }
    }
    data += n;
    len -= n;
  }
  return TRUE;

write_failed:
  g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno),
      "Could not write the temporary file: %s", g_strerror (errno));
  return FALSE;
}

gboolean
gst_mm_spool_rewind (GstMmSpool *s, GError **error)
{
  if (!s->reading) {
    if (s->fd >= 0 && s->io_len > 0 && !spool_write_all (s, s->io, s->io_len)) {
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno),
          "Could not write the temporary file: %s", g_strerror (errno));
      return FALSE;
    }
    s->reading = TRUE;
    s->io_len = 0;
    s->io_start = 0;
  }
  s->read_pos = 0;
  return TRUE;
}

gboolean
gst_mm_spool_read (GstMmSpool *s, guint8 *dst, gsize len, GError **error)
{
  guint64 total = gst_mm_spool_bytes (s);

  while (len > 0 && s->read_pos < total) {
    gsize n;

    if (s->read_pos < s->mem_bytes) {
      guint64 off = s->read_pos % s->chunk_bytes;
      const guint8 *chunk =
          g_ptr_array_index (s->chunks, s->read_pos / s->chunk_bytes);
      n = (gsize) MIN (MIN ((guint64) len, s->chunk_bytes - off),
          s->mem_bytes - s->read_pos);
      memcpy (dst, chunk + off, n);
    } else {
      guint64 fpos = s->read_pos - s->mem_bytes;
      if (fpos < s->io_start || fpos >= s->io_start + s->io_len) {
        gsize want =
            (gsize) MIN ((guint64) s->chunk_bytes, s->file_bytes - fpos);
        gsize got = 0;
        while (got < want) {
          gssize r =
              pread (s->fd, s->io + got, want - got, (off_t) (fpos + got));
          if (r < 0 && errno == EINTR)
            continue;
          if (r <= 0) {
            g_set_error (error, G_FILE_ERROR,
                r < 0 ? g_file_error_from_errno (errno) : G_FILE_ERROR_IO,
                "Could not read the temporary file: %s",
                r < 0 ? g_strerror (errno) : "it is shorter than written");
            return FALSE;
          }
          got += (gsize) r;
        }
        s->io_start = fpos;
        s->io_len = got;
      }
      n = (gsize) MIN ((guint64) len, s->io_start + s->io_len - fpos);
      memcpy (dst, s->io + (fpos - s->io_start), n);
    }
    s->read_pos += n;
    dst += n;
    len -= n;
  }
  if (len > 0)
    memset (dst, 0, len);
  return TRUE;
}
