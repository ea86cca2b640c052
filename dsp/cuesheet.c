/* gst-mixmaster
 * Copyright (C) 2026 gst-mixmaster developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "cuesheet.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

/* ASCII character classes (the <ctype.h> ones depend on the locale) */
static bool
is_digit (unsigned char c)
{
  return c >= '0' && c <= '9';
}

static bool
is_upper (unsigned char c)
{
  return c >= 'A' && c <= 'Z';
}

static bool
is_alnum_upper (unsigned char c)
{
  return is_digit (c) || is_upper (c);
}

static unsigned char
to_upper (unsigned char c)
{
  return (c >= 'a' && c <= 'z') ? (unsigned char) (c - 'a' + 'A') : c;
}

static bool
is_blank (unsigned char c)
{
  return c == ' ' || c == '\t';
}

/* ---- ISRC ---------------------------------------------------------------- */

#define ISRC_LEN 12
#define ISRC_FORM "an ISRC has 12 (CC-XXX-YY-NNNNN)"
#define ISRC_LEN_MSG(n) "has " #n " characters; " ISRC_FORM

static const char *const isrc_length_msgs[] = {
  "is empty",
  "has 1 character; " ISRC_FORM,
  ISRC_LEN_MSG (2),
  ISRC_LEN_MSG (3),
  ISRC_LEN_MSG (4),
  ISRC_LEN_MSG (5),
  ISRC_LEN_MSG (6),
  ISRC_LEN_MSG (7),
  ISRC_LEN_MSG (8),
  ISRC_LEN_MSG (9),
  ISRC_LEN_MSG (10),
  ISRC_LEN_MSG (11),
  NULL,
  ISRC_LEN_MSG (13),
  ISRC_LEN_MSG (14),
  ISRC_LEN_MSG (15),
  ISRC_LEN_MSG (16),
  ISRC_LEN_MSG (17),
  ISRC_LEN_MSG (18),
  ISRC_LEN_MSG (19),
  ISRC_LEN_MSG (20),
};
#define N_ISRC_LENGTH_MSGS                                                     \
  (sizeof (isrc_length_msgs) / sizeof (isrc_length_msgs[0]))

/* `text` from `start` without hyphens, spaces and tabs, uppercased: the first
 * up to 12 characters into code (no NUL), the full count into *n; false when
 * a character other than a letter or digit remains. */
static bool
isrc_compact (const char *text, size_t start, char code[ISRC_LEN], size_t *n)
{
  bool ok = true;
  *n = 0;
  for (const unsigned char *p = (const unsigned char *) text + start; *p; p++) {
    unsigned char c = to_upper (*p);
    if (c == '-' || is_blank (c))
      continue;
    if (!is_alnum_upper (c))
      ok = false;
    if (*n < ISRC_LEN)
      code[*n] = (char) c;
    if (*n < SIZE_MAX)
      (*n)++;
  }
  return ok;
}

/* NULL when the 12 characters are an ISRC, else the problem */
static const char *
isrc_fields_problem (const char code[ISRC_LEN])
{
  const unsigned char *c = (const unsigned char *) code;
  for (int i = 0; i < 2; i++)
    if (!is_upper (c[i]))
      return "the country code (characters 1-2) must be letters";
  for (int i = 2; i < 5; i++)
    if (!is_alnum_upper (c[i]))
      return "the registrant code (characters 3-5) must be letters or digits";
  for (int i = 5; i < 7; i++)
    if (!is_digit (c[i]))
      return "the year (characters 6-7) must be digits";
  for (int i = 7; i < 12; i++)
    if (!is_digit (c[i]))
      return "the designation code (characters 8-12) must be digits";
  return NULL;
}

/* The problem of the text taken from `start`, NULL when valid (then code
 * holds the 12 characters). */
static const char *
isrc_check_from (const char *text, size_t start, char code[ISRC_LEN])
{
  size_t n;
  bool chars_ok = isrc_compact (text, start, code, &n);
  if (!chars_ok)
    return "may contain only letters, digits, hyphens and spaces";
  if (n != ISRC_LEN) {
    if (n < N_ISRC_LENGTH_MSGS)
      return isrc_length_msgs[n];
    return "has more than 20 characters; " ISRC_FORM;
  }
  return isrc_fields_problem (code);
}

/* The length of a leading "ISRC" prefix (blanks, "ISRC", blanks, ':'), or 0 */
static size_t
isrc_prefix_length (const char *text)
{
  size_t i = 0;
  while (is_blank ((unsigned char) text[i]))
    i++;
  for (int k = 0; k < 4; k++, i++)
    if (to_upper ((unsigned char) text[i]) != (unsigned char) "ISRC"[k])
      return 0;
  size_t j = i;
  while (is_blank ((unsigned char) text[j]))
    j++;
  if (text[j] == ':')
    return j + 1;
  return i;
}

/* NULL when valid (code then holds the 12 characters) */
static const char *
isrc_check (const char *text, char code[ISRC_LEN])
{
  if (!text)
    return "is missing";
  const char *problem = isrc_check_from (text, 0, code);
  if (!problem)
    return NULL;
  size_t prefix = isrc_prefix_length (text);
  if (prefix == 0)
    return problem;
  return isrc_check_from (text, prefix, code);
}

bool
mm_isrc_normalize (const char *text, char code[13])
{
  char tmp[ISRC_LEN];
  bool ok = isrc_check (text, tmp) == NULL;
  if (code) {
    if (ok) {
      memcpy (code, tmp, ISRC_LEN);
      code[ISRC_LEN] = '\0';
    } else {
      code[0] = '\0';
    }
  }
  return ok;
}

const char *
mm_isrc_problem (const char *text)
{
  char tmp[ISRC_LEN];
  return isrc_check (text, tmp);
}

/* ---- CATALOG --------------------------------------------------------------- */

#define CAT_FORM "a catalog number (UPC/EAN-13) has 13"
#define CAT_LEN_MSG(n) "has " #n " digits; " CAT_FORM

static const char *const catalog_length_msgs[] = {
  "is empty",
  "has 1 digit; " CAT_FORM,
  CAT_LEN_MSG (2),
  CAT_LEN_MSG (3),
  CAT_LEN_MSG (4),
  CAT_LEN_MSG (5),
  CAT_LEN_MSG (6),
  CAT_LEN_MSG (7),
  CAT_LEN_MSG (8),
  CAT_LEN_MSG (9),
  CAT_LEN_MSG (10),
  CAT_LEN_MSG (11),
  CAT_LEN_MSG (12),
};
#define N_CATALOG_LENGTH_MSGS                                                  \
  (sizeof (catalog_length_msgs) / sizeof (catalog_length_msgs[0]))

const char *
mm_catalog_problem (const char *text)
{
  if (!text)
    return "is missing";
  size_t n = 0;
  for (const unsigned char *p = (const unsigned char *) text; *p; p++) {
    if (!is_digit (*p))
      return "may contain only digits";
    n++;
  }
  if (n != 13) {
    if (n < N_CATALOG_LENGTH_MSGS)
      return catalog_length_msgs[n];
    return "has more than 13 digits; " CAT_FORM;
  }
  unsigned sum = 0;
  for (int i = 0; i < 12; i++)
    sum += (unsigned) (text[i] - '0') * ((i % 2) ? 3u : 1u);
  unsigned check = (10u - sum % 10u) % 10u;
  if ((unsigned) (text[12] - '0') != check)
    return "has a wrong check digit (digit 13)";
  return NULL;
}

bool
mm_catalog_valid (const char *text)
{
  return mm_catalog_problem (text) == NULL;
}

/* ---- CD times ------------------------------------------------------------- */

bool
mm_cue_msf (
    uint64_t sample, int rate, unsigned *min, unsigned *sec, unsigned *frame)
{
  unsigned m = 0, s = 0, f = 0;
  bool exact = false;
  if (rate > 0) {
    uint64_t r = (uint64_t) rate;
    uint64_t whole = sample / r, rem = sample % r;
    /* rem * 75 < 75 * INT_MAX: no overflow; nearest frame, a tie up */
    uint64_t fr = (2 * rem * MM_CD_FRAMES_PER_SECOND + r) / (2 * r);
    exact = (rem * MM_CD_FRAMES_PER_SECOND) % r == 0;
    if (fr == MM_CD_FRAMES_PER_SECOND) {
      fr = 0;
      whole++; /* whole < UINT64_MAX here: rem > 0 */
    }
    uint64_t minutes = whole / 60;
    if (minutes > UINT_MAX) {
      m = UINT_MAX;
      s = 59;
      f = MM_CD_FRAMES_PER_SECOND - 1;
      exact = false;
    } else {
      m = (unsigned) minutes;
      s = (unsigned) (whole % 60);
      f = (unsigned) fr;
    }
  }
  if (min)
    *min = m;
  if (sec)
    *sec = s;
  if (frame)
    *frame = f;
  return exact;
}

/* ---- Writer --------------------------------------------------------------- */

typedef struct
{
  char *buf;
  size_t size, len;
} Out;

static void
out_char (Out *o, char c)
{
  if (o->len + 1 < o->size)
    o->buf[o->len] = c;
  if (o->len < SIZE_MAX)
    o->len++;
}

static void
out_str (Out *o, const char *s)
{
  for (; *s; s++)
    out_char (o, *s);
}

/* a quoted string: '"' -> '\'', control characters -> ' ' */
static void
out_quoted (Out *o, const char *s)
{
  out_char (o, '"');
  for (const unsigned char *p = (const unsigned char *) s; p && *p; p++) {
    unsigned char c = *p;
    if (c == '"')
      c = '\'';
    else if (c < 0x20 || c == 0x7f)
      c = ' ';
    out_char (o, (char) c);
  }
  out_char (o, '"');
}

static bool
nonempty (const char *s)
{
  return s && *s;
}

static void
out_string_line (Out *o, const char *indent, const char *cmd, const char *s)
{
  if (!nonempty (s))
    return;
  out_str (o, indent);
  out_str (o, cmd);
  out_char (o, ' ');
  out_quoted (o, s);
  out_char (o, '\n');
}

static void
out_index (Out *o, unsigned number, uint64_t sample, int rate)
{
  unsigned m, s, f;
  char tmp[64];
  mm_cue_msf (sample, rate, &m, &s, &f);
  snprintf (
      tmp, sizeof tmp, "    INDEX %02u %02u:%02u:%02u\n", number, m, s, f);
  out_str (o, tmp);
}

size_t
mm_cue_write (const MmCueSheet *sheet, char *buf, size_t size)
{
  Out o = { buf, buf ? size : 0, 0 };
  char tmp[64];

  if (sheet) {
    if (nonempty (sheet->catalog) && mm_catalog_valid (sheet->catalog)) {
      out_str (&o, "CATALOG ");
      out_str (&o, sheet->catalog);
      out_char (&o, '\n');
    }
    out_string_line (&o, "", "PERFORMER", sheet->performer);
    out_string_line (&o, "", "TITLE", sheet->title);

    out_str (&o, "FILE ");
    out_quoted (&o, sheet->file);
    out_char (&o, ' ');
    bool any_type = false;
    for (const unsigned char *p = (const unsigned char *) sheet->file_type;
         p && *p; p++) {
      if (is_alnum_upper (to_upper (*p))) {
        out_char (&o, (char) *p);
        any_type = true;
      }
    }
    if (!any_type)
      out_str (&o, "WAVE");
    out_char (&o, '\n');

    size_t n = sheet->tracks ? sheet->n_tracks : 0;
    for (size_t i = 0; i < n; i++) {
      const MmCueTrack *t = &sheet->tracks[i];
      char isrc[13];
      snprintf (tmp, sizeof tmp, "  TRACK %02u AUDIO\n", t->number);
      out_str (&o, tmp);
      out_string_line (&o, "    ", "TITLE", t->title);
      out_string_line (&o, "    ", "PERFORMER", t->performer);
      if (nonempty (t->isrc) && mm_isrc_normalize (t->isrc, isrc)) {
        out_str (&o, "    ISRC ");
        out_str (&o, isrc);
        out_char (&o, '\n');
      }
      if (t->has_index0)
        out_index (&o, 0, t->index0, sheet->rate);
      out_index (&o, 1, t->index1, sheet->rate);
    }
  }

  if (o.size > 0)
    o.buf[o.len < o.size ? o.len : o.size - 1] = '\0';
  return o.len;
}

/* ---- Parser --------------------------------------------------------------- */

typedef struct
{
  const char *p, *end; /* the rest of the line */
} Line;

typedef struct
{
  const char *s;
  size_t len;
  bool quoted;
} Token;

static void
skip_blanks (Line *l)
{
  while (l->p < l->end && is_blank ((unsigned char) *l->p))
    l->p++;
}

/* the next word or quoted string; false at the end of the line */
static bool
next_token (Line *l, Token *t)
{
  skip_blanks (l);
  if (l->p >= l->end)
    return false;
  if (*l->p == '"') {
    const char *s = ++l->p;
    while (l->p < l->end && *l->p != '"')
      l->p++;
    t->s = s;
    t->len = (size_t) (l->p - s);
    t->quoted = true;
    if (l->p < l->end)
      l->p++; /* the closing quote */
  } else {
    const char *s = l->p;
    while (l->p < l->end && !is_blank ((unsigned char) *l->p))
      l->p++;
    t->s = s;
    t->len = (size_t) (l->p - s);
    t->quoted = false;
  }
  return true;
}

/* a string value: quoted, or the rest of the line without trailing blanks */
static bool
string_value (Line *l, Token *t)
{
  skip_blanks (l);
  if (l->p >= l->end)
    return false;
  if (*l->p == '"')
    return next_token (l, t);
  const char *e = l->end;
  while (e > l->p && is_blank ((unsigned char) e[-1]))
    e--;
  t->s = l->p;
  t->len = (size_t) (e - l->p);
  t->quoted = false;
  l->p = l->end;
  return true;
}

/* copies at most cap - 1 bytes, not ending inside a UTF-8 sequence */
static void
copy_string (char *dst, size_t cap, const char *s, size_t len)
{
  if (len >= cap) {
    len = cap - 1;
    /* back off the continuation bytes of a cut character and its lead */
    size_t k = len;
    while (k > 0 && ((unsigned char) s[k] & 0xc0) == 0x80)
      k--;
    len = k;
  }
  memcpy (dst, s, len);
  dst[len] = '\0';
}

static bool
token_is (const Token *t, const char *word)
{
  size_t n = strlen (word);
  if (t->quoted || t->len != n)
    return false;
  for (size_t i = 0; i < n; i++)
    if (to_upper ((unsigned char) t->s[i]) != (unsigned char) word[i])
      return false;
  return true;
}

/* a decimal number of 1..max_digits digits */
static bool
token_uint (const Token *t, size_t max_digits, unsigned long *v)
{
  if (t->len == 0 || t->len > max_digits)
    return false;
  unsigned long x = 0;
  for (size_t i = 0; i < t->len; i++) {
    if (!is_digit ((unsigned char) t->s[i]))
      return false;
    x = x * 10 + (unsigned long) (t->s[i] - '0');
  }
  *v = x;
  return true;
}

/* mm:ss:ff to samples at rate */
static bool
token_time (const Token *t, int rate, uint64_t *samples)
{
  unsigned long part[3] = { 0, 0, 0 };
  static const size_t max_digits[3] = { 7, 2, 2 };
  size_t i = 0;
  for (int k = 0; k < 3; k++) {
    Token d = { t->s + i, 0, false };
    while (i < t->len && t->s[i] != ':') {
      i++;
      d.len++;
    }
    if (!token_uint (&d, max_digits[k], &part[k]))
      return false;
    if (k < 2) {
      if (i >= t->len)
        return false;
      i++; /* ':' */
    }
  }
  if (t->quoted || i != t->len || part[1] > 59 || part[2] > 74)
    return false;
  /* seconds < 6.0e8 and rate < 2.2e9: the products fit in 64 bits; the
   * same as round (frames * rate / 75) */
  uint64_t seconds = (uint64_t) part[0] * 60 + part[1];
  *samples = seconds * (uint64_t) rate +
      ((uint64_t) part[2] * (uint64_t) rate * 2 + 75) / 150;
  return true;
}

static int
parse_line (Line *l, int rate, MmCueParsed *out, bool *have_file,
    size_t line_no, size_t *track_line)
{
  Token cmd, a, b;
  if (!next_token (l, &cmd))
    return MM_CUE_OK; /* an empty line */
  MmCueParsedTrack *tr = out->n_tracks ? &out->tracks[out->n_tracks - 1] : NULL;

  if (token_is (&cmd, "REM"))
    return MM_CUE_OK;

  if (token_is (&cmd, "TITLE") || token_is (&cmd, "PERFORMER")) {
    bool title = token_is (&cmd, "TITLE");
    if (!string_value (l, &a))
      return MM_CUE_ERROR_SYNTAX;
    char *dst = tr ? (title ? tr->title : tr->performer)
                   : (title ? out->title : out->performer);
    copy_string (dst, MM_CUE_MAX_STRING, a.s, a.len);
    return MM_CUE_OK;
  }

  if (token_is (&cmd, "CATALOG")) {
    char tmp[MM_CUE_MAX_STRING];
    if (!next_token (l, &a))
      return MM_CUE_ERROR_SYNTAX;
    copy_string (tmp, sizeof tmp, a.s, a.len);
    if (a.len >= sizeof tmp || !mm_catalog_valid (tmp))
      return MM_CUE_ERROR_CATALOG;
    memcpy (out->catalog, tmp, 14);
    return MM_CUE_OK;
  }

  if (token_is (&cmd, "FILE")) {
    if (*have_file)
      return MM_CUE_ERROR_UNSUPPORTED;
    if (!next_token (l, &a))
      return MM_CUE_ERROR_SYNTAX;
    copy_string (out->file, MM_CUE_MAX_STRING, a.s, a.len);
    if (next_token (l, &b))
      copy_string (out->file_type, MM_CUE_MAX_STRING, b.s, b.len);
    *have_file = true;
    return MM_CUE_OK;
  }

  if (token_is (&cmd, "TRACK")) {
    unsigned long number;
    if (tr && !tr->has_index1)
      return MM_CUE_ERROR_NO_INDEX1;
    if (!next_token (l, &a))
      return MM_CUE_ERROR_SYNTAX;
    if (!token_uint (&a, 3, &number) || number < 1 || number > 99)
      return MM_CUE_ERROR_TRACK_NUMBER;
    if (!next_token (l, &b)) /* the type, AUDIO or a data mode */
      return MM_CUE_ERROR_SYNTAX;
    if (out->n_tracks >= MM_CUE_MAX_TRACKS)
      return MM_CUE_ERROR_TOO_MANY_TRACKS;
    out->tracks[out->n_tracks].number = (unsigned) number;
    out->n_tracks++;
    *track_line = line_no;
    return MM_CUE_OK;
  }

  if (token_is (&cmd, "FLAGS")) {
    if (!tr)
      return MM_CUE_ERROR_NOT_IN_TRACK;
    return MM_CUE_OK;
  }

  if (token_is (&cmd, "ISRC")) {
    char tmp[MM_CUE_MAX_STRING];
    if (!tr)
      return MM_CUE_ERROR_NOT_IN_TRACK;
    if (!string_value (l, &a))
      return MM_CUE_ERROR_SYNTAX;
    copy_string (tmp, sizeof tmp, a.s, a.len);
    if (a.len >= sizeof tmp || !mm_isrc_normalize (tmp, tr->isrc))
      return MM_CUE_ERROR_ISRC;
    return MM_CUE_OK;
  }

  if (token_is (&cmd, "INDEX")) {
    unsigned long number;
    uint64_t samples;
    if (!tr)
      return MM_CUE_ERROR_NOT_IN_TRACK;
    if (!next_token (l, &a) || !token_uint (&a, 3, &number) || number > 99)
      return MM_CUE_ERROR_SYNTAX;
    if (!next_token (l, &b) || !token_time (&b, rate, &samples))
      return MM_CUE_ERROR_TIME;
    if (number == 0) {
      tr->has_index0 = true;
      tr->index0 = samples;
    } else if (number == 1) {
      tr->has_index1 = true;
      tr->index1 = samples;
    }
    return MM_CUE_OK;
  }

  if (token_is (&cmd, "PREGAP") || token_is (&cmd, "POSTGAP")) {
    bool pre = token_is (&cmd, "PREGAP");
    uint64_t samples;
    if (!tr)
      return MM_CUE_ERROR_NOT_IN_TRACK;
    if (!next_token (l, &a) || !token_time (&a, rate, &samples))
      return MM_CUE_ERROR_TIME;
    if (pre) {
      tr->has_pregap = true;
      tr->pregap = samples;
    } else {
      tr->has_postgap = true;
      tr->postgap = samples;
    }
    return MM_CUE_OK;
  }

  return MM_CUE_OK; /* SONGWRITER, CDTEXTFILE, ...: not ours */
}

int
mm_cue_parse (const char *text, size_t len, int rate, MmCueParsed *out,
    size_t *error_line)
{
  size_t dummy_line;
  if (!error_line)
    error_line = &dummy_line;
  *error_line = 0;
  if (out)
    memset (out, 0, sizeof *out);
  if (!out || (!text && len > 0) || rate <= 0)
    return MM_CUE_ERROR_ARGUMENT;
  if (!text)
    text = "";

  const char *p = text, *end = text + len;
  if (len >= 3 && (unsigned char) p[0] == 0xef &&
      (unsigned char) p[1] == 0xbb && (unsigned char) p[2] == 0xbf)
    p += 3;

  bool have_file = false;
  size_t line_no = 0, track_line = 0;
  while (p < end) {
    const char *e = p;
    while (e < end && *e != '\n' && *e != '\r')
      e++;
    line_no++;
    Line l = { p, e };
    int r = parse_line (&l, rate, out, &have_file, line_no, &track_line);
    if (r != MM_CUE_OK) {
      *error_line = r == MM_CUE_ERROR_NO_INDEX1 ? track_line : line_no;
      return r;
    }
    p = e;
    if (p < end && *p == '\r') {
      p++;
      if (p < end && *p == '\n')
        p++;
    } else if (p < end && *p == '\n') {
      p++;
    }
  }
  if (out->n_tracks && !out->tracks[out->n_tracks - 1].has_index1) {
    *error_line = track_line;
    return MM_CUE_ERROR_NO_INDEX1;
  }
  return MM_CUE_OK;
}

const char *
mm_cue_error_string (int code)
{
  switch (code) {
    case MM_CUE_OK:
      return "no error";
    case MM_CUE_ERROR_ARGUMENT:
      return "invalid argument";
    case MM_CUE_ERROR_SYNTAX:
      return "missing or malformed argument";
    case MM_CUE_ERROR_TIME:
      return "time is not mm:ss:ff (ss up to 59, ff up to 74)";
    case MM_CUE_ERROR_TRACK_NUMBER:
      return "track number is not 1 to 99";
    case MM_CUE_ERROR_TOO_MANY_TRACKS:
      return "more than 99 tracks";
    case MM_CUE_ERROR_NOT_IN_TRACK:
      return "track command before the first TRACK";
    case MM_CUE_ERROR_ISRC:
      return "invalid ISRC";
    case MM_CUE_ERROR_CATALOG:
      return "invalid CATALOG";
    case MM_CUE_ERROR_NO_INDEX1:
      return "track without INDEX 01";
    case MM_CUE_ERROR_UNSUPPORTED:
      return "more than one FILE";
    default:
      return "unknown error";
  }
}
