/* gst-mixmaster
 * Copyright (C) 2026 gst-mixmaster developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#ifndef MM_CUESHEET_H
#define MM_CUESHEET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ISRC and CATALOG checks, CD (MSF) times, and a CUE sheet writer and parser
 * (for albumsequencer).
 *
 * Pure C11: no allocation, no locale (character classes are ASCII), no
 * global state. Every function accepts any input, NULL pointers included,
 * without reading or writing out of bounds. Strings are NUL-terminated C
 * strings except the parser's input, which is `len` bytes of any content. */

/* ---- ISRC ---------------------------------------------------------------
 *
 * An ISRC is 12 characters: country (2 letters), registrant (3 letters or
 * digits), year (2 digits), designation (5 digits). The display form
 * "CC-XXX-YY-NNNNN" is accepted: hyphens, spaces and tabs anywhere are
 * dropped, as is a leading "ISRC" in any case with an optional colon
 * ("ISRC: us-s1z-99-00001"), and letters are uppercased. The prefix is only
 * dropped when the text without it is not already a valid code, so a code
 * that itself begins with "ISRC" (country IS, registrant RC.) stays intact. */

/* Writes the 12-character code and a NUL to `code` and returns true when
 * `text` is a valid ISRC; returns false otherwise (then `code` holds "" when
 * it is not NULL). */
bool mm_isrc_normalize (const char *text, char code[13]);

/* NULL when `text` is a valid ISRC, else a static English phrase that says
 * what is wrong and reads after "The ISRC ...", for instance
 * "has 11 characters; an ISRC has 12 (CC-XXX-YY-NNNNN)" or
 * "the year (characters 6-7) must be digits". */
const char *mm_isrc_problem (const char *text);

/* ---- CATALOG (UPC/EAN) ---------------------------------------------------
 *
 * Exactly 13 ASCII digits, nothing else, with a correct EAN-13 check digit:
 * digits 1..12 weighted 1, 3, 1, 3, ..., check = (10 - sum mod 10) mod 10. */

bool mm_catalog_valid (const char *text);

/* NULL when valid, else a static English phrase, as mm_isrc_problem. */
const char *mm_catalog_problem (const char *text);

/* ---- CD times -------------------------------------------------------------
 *
 * A CD frame (sector) is 1/75 s, 588 samples at 44.1 kHz. CUE times are
 * mm:ss:ff with ss <= 59 and ff <= 74. */

#define MM_CD_RATE 44100 /* Hz */
#define MM_CD_SAMPLES_PER_FRAME 588
#define MM_CD_FRAMES_PER_SECOND 75

/* The CD frame nearest to `sample` at `rate` Hz (a tie rounds up), as
 * minutes, seconds and frames (any of the pointers may be NULL). Returns
 * true when that frame starts exactly at `sample`: at 44.1 kHz on multiples
 * of 588; at 48 kHz on multiples of 640; at rates that are no multiple of 75
 * only where sample * 75 is a multiple of the rate. rate <= 0 gives
 * 00:00:00 and false; minutes beyond UINT_MAX are clamped (and false). */
bool mm_cue_msf (
    uint64_t sample, int rate, unsigned *min, unsigned *sec, unsigned *frame);

/* ---- Writer -----------------------------------------------------------------
 *
 * One FILE, one AUDIO track per MmCueTrack, in this order:
 *
 *   CATALOG 4006381333931
 *   PERFORMER "album performer"
 *   TITLE "album title"
 *   FILE "album.wav" WAVE
 *     TRACK 01 AUDIO
 *       TITLE "track title"
 *       PERFORMER "track performer"
 *       ISRC USS1Z9900001
 *       INDEX 00 00:00:00
 *       INDEX 01 00:02:00
 *
 * Lines end in "\n". A NULL or empty catalog, title, performer or isrc omits
 * its line; a catalog or ISRC that is not valid (mm_catalog_problem,
 * mm_isrc_problem) is omitted too, and an ISRC is written in its normalized
 * form. In quoted strings, `"` becomes `'` and control characters (bytes
 * below 0x20 and 0x7f, so also tabs and newlines) become spaces; other bytes,
 * UTF-8 included, are copied as they are. A NULL file is written as "";
 * file_type keeps only its ASCII letters and digits and is "WAVE" when that
 * leaves nothing. It is not translated: CUE's file types are BINARY,
 * MOTOROLA, AIFF, WAVE and MP3, and audio in other containers (FLAC, ...)
 * is by convention declared WAVE, so pass "WAVE" (or NULL) for a .flac.
 * Track numbers are written as given (%02u; CUE wants 1..99). Indexes
 * are samples at `rate` from the start of the file, written as the nearest
 * CD frame (mm_cue_msf); rate <= 0 writes 00:00:00.
 * The parser reads minutes up to 9999999 (over 19 years), so a sheet with
 * later indexes does not read back. */

typedef struct
{
  unsigned number; /* 1..99 */
  const char *title, *performer, *isrc; /* NULL or "" to omit */
  bool has_index0; /* write INDEX 00 (start of the pregap) */
  uint64_t index0, index1; /* samples */
} MmCueTrack;

typedef struct
{
  const char *catalog, *title, *performer; /* NULL or "" to omit */
  const char *file, *file_type; /* "album.wav", "WAVE" */
  int rate; /* Hz, of the index samples */
  size_t n_tracks;
  const MmCueTrack *tracks; /* n_tracks of them (NULL counts as none) */
} MmCueSheet;

/* snprintf-style: writes at most size - 1 bytes of the sheet and a NUL to
 * `buf` when size > 0 (buf may be NULL when size is 0), and returns the
 * length of the whole sheet without the NUL, so a return >= size means it
 * was cut short. A NULL sheet is the empty text. */
size_t mm_cue_write (const MmCueSheet *sheet, char *buf, size_t size);

/* ---- Parser -----------------------------------------------------------------
 *
 * Reads what mm_cue_write writes and the common variants: commands in any
 * case and with any indentation (spaces, tabs), "\n", "\r\n" or "\r" line
 * ends, a UTF-8 byte order mark, REM comments, FLAGS, PREGAP, POSTGAP,
 * INDEX 02..99 (checked, not stored), unknown commands (SONGWRITER,
 * CDTEXTFILE, ...; ignored) and unquoted values: TITLE and PERFORMER take
 * the rest of the line, FILE the next word as the name and the one after as
 * the type. An unterminated quote ends at the end of the line. Strings are
 * cut to 255 bytes (at a UTF-8 character boundary) and are always
 * NUL-terminated. Times are mm:ss:ff (mm <= 9999999, ss <= 59, ff <= 74) and
 * are stored as the nearest sample at `rate` (frame * 588 at 44.1 kHz).
 *
 * It checks the syntax, not the CD-DA rules: track numbers need only be
 * 1..99, and indexes need not increase. Every track needs an INDEX 01. Only
 * one FILE is supported. */

#define MM_CUE_MAX_TRACKS 99
#define MM_CUE_MAX_STRING 256 /* 255 bytes and the NUL */

typedef struct
{
  unsigned number;
  char title[MM_CUE_MAX_STRING];
  char performer[MM_CUE_MAX_STRING];
  char isrc[13]; /* normalized, "" when absent */
  bool has_index0, has_index1;
  uint64_t index0, index1; /* samples */
  bool has_pregap, has_postgap;
  uint64_t pregap, postgap; /* samples of silence not in the file */
} MmCueParsedTrack;

typedef struct
{
  char catalog[14]; /* "" when absent */
  char title[MM_CUE_MAX_STRING];
  char performer[MM_CUE_MAX_STRING];
  char file[MM_CUE_MAX_STRING];
  char file_type[MM_CUE_MAX_STRING];
  size_t n_tracks;
  MmCueParsedTrack tracks[MM_CUE_MAX_TRACKS];
} MmCueParsed;

enum
{
  MM_CUE_OK = 0,
  MM_CUE_ERROR_ARGUMENT = -1, /* out NULL, text NULL with len > 0, rate <= 0 */
  MM_CUE_ERROR_SYNTAX = -2, /* missing or malformed argument */
  MM_CUE_ERROR_TIME = -3, /* not mm:ss:ff within range */
  MM_CUE_ERROR_TRACK_NUMBER = -4, /* TRACK number not 1..99 */
  MM_CUE_ERROR_TOO_MANY_TRACKS = -5, /* more than 99 TRACKs */
  MM_CUE_ERROR_NOT_IN_TRACK = -6, /* FLAGS, ISRC, INDEX, ... before TRACK */
  MM_CUE_ERROR_ISRC = -7, /* mm_isrc_problem */
  MM_CUE_ERROR_CATALOG = -8, /* mm_catalog_problem */
  MM_CUE_ERROR_NO_INDEX1 = -9, /* a track without INDEX 01 */
  MM_CUE_ERROR_UNSUPPORTED = -10, /* a second FILE */
};

/* Parses `len` bytes of `text` (NUL bytes included; `text` may be NULL when
 * len is 0) into `out`, which it clears first. Returns MM_CUE_OK or one of
 * the negative MM_CUE_ERROR_* codes; then *error_line (when error_line is
 * not NULL) is the 1-based line of the error (for NO_INDEX1 the line of the
 * TRACK), 0 for an argument error, and `out` holds what was read before it.
 * On success *error_line is 0. */
int mm_cue_parse (const char *text, size_t len, int rate, MmCueParsed *out,
    size_t *error_line);

/* A static English phrase for an MM_CUE_* code ("unknown error" for others). */
const char *mm_cue_error_string (int code);

#endif
