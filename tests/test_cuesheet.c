/* dsp/cuesheet: ISRC normalization and its problems on a table of good and
 * bad codes; CATALOG against EAN-13 check digits computed here from the right
 * end; MSF times and their exactness at 44.1, 48 and other rates against
 * plain integer arithmetic; the writer's exact text, its snprintf contract
 * at every buffer size; write -> parse round trips of 1, 3 and 99 tracks,
 * and of random sheets; the parser on the usual CUE variants, on each of
 * its errors, on every prefix of a valid sheet and on random garbage.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <glib.h>
#include <string.h>

#include "cuesheet.h"

/* ---- ISRC ----------------------------------------------------------------- */

typedef struct
{
  const char *text;
  const char *code; /* NULL when invalid */
  const char *problem; /* a part of the expected problem */
} IsrcCase;

static const IsrcCase isrc_cases[] = {
  { "USS1Z9900001", "USS1Z9900001", NULL },
  { "US-S1Z-99-00001", "USS1Z9900001", NULL },
  { "us-s1z-99-00001", "USS1Z9900001", NULL },
  { "  US S1Z 99 00001  ", "USS1Z9900001", NULL },
  { "ISRC US-S1Z-99-00001", "USS1Z9900001", NULL },
  { "isrc:USS1Z9900001", "USS1Z9900001", NULL },
  { "ISRC: gb-a1b-23-45678", "GBA1B2345678", NULL },
  { "Isrc\tFR-Z03-98-00212", "FRZ039800212", NULL },
  /* a code that itself starts with ISRC (country IS, registrant RC1) */
  { "ISRC12300001", "ISRC12300001", NULL },
  { "IS-RC1-23-00001", "ISRC12300001", NULL },
  { "GB-123-00-00000", "GB1230000000", NULL },
  { "", NULL, "is empty" },
  { "   ", NULL, "is empty" },
  { "ISRC", NULL, "is empty" },
  { "ISRC:", NULL, "is empty" },
  { "-", NULL, "is empty" },
  { "US-S1Z-99-0000", NULL,
      "has 11 characters; an ISRC has 12 (CC-XXX-YY-NNNNN)" },
  { "U", NULL, "has 1 character;" },
  { "US-S1Z-99-000011", NULL, "has 13 characters" },
  { "ISRC US-S1Z-99-000011", NULL, "has 13 characters" },
  { "1SS1Z9900001", NULL, "country code (characters 1-2) must be letters" },
  { "U1S1Z9900001", NULL, "country code" },
  { "USS1Z9A00001", NULL, "the year (characters 6-7) must be digits" },
  { "USS1ZA900001", NULL, "the year (characters 6-7) must be digits" },
  { "USS1Z990000X", NULL, "designation code (characters 8-12)" },
  { "USS1Z99O0001", NULL, "designation code" },
  { "US_S1Z_99_00001", NULL, "only letters, digits, hyphens and spaces" },
  { "US/S1Z/99/00001", NULL, "only letters, digits" },
  { "USS1Z99000\xc3\xa9", NULL, "only letters, digits" },
  { "ISRC:: USS1Z9900001", NULL, "only letters, digits" },
};

static bool
isrc_ok_here (const char *c)
{
  if (strlen (c) != 12)
    return false;
  for (int i = 0; i < 12; i++) {
    gboolean ok = i < 2 ? g_ascii_isupper (c[i])
        : i < 5         ? (g_ascii_isupper (c[i]) || g_ascii_isdigit (c[i]))
                        : g_ascii_isdigit (c[i]);
    if (!ok)
      return false;
  }
  return true;
}

static void
test_isrc (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (isrc_cases); i++) {
    const IsrcCase *c = &isrc_cases[i];
    char code[13];
    memset (code, 'Z', sizeof code);
    gboolean ok = mm_isrc_normalize (c->text, code);
    const char *problem = mm_isrc_problem (c->text);
    g_test_message ("'%s': %s", c->text, problem ? problem : "valid");
    if (c->code) {
      g_assert_true (ok);
      g_assert_cmpstr (code, ==, c->code);
      g_assert_null (problem);
    } else {
      g_assert_false (ok);
      g_assert_cmpstr (code, ==, "");
      g_assert_nonnull (problem);
      g_assert_nonnull (strstr (problem, c->problem));
    }
  }

  /* NULL, a NULL code and a long input */
  char code[13] = "x";
  g_assert_false (mm_isrc_normalize (NULL, code));
  g_assert_cmpstr (code, ==, "");
  g_assert_cmpstr (mm_isrc_problem (NULL), ==, "is missing");
  g_assert_true (mm_isrc_normalize ("USS1Z9900001", NULL));
  g_assert_false (mm_isrc_normalize ("USS1Z990000", NULL));
  gsize big = 100000;
  char *long_text = g_malloc (big + 1);
  memset (long_text, 'A', big);
  long_text[big] = '\0';
  g_assert_false (mm_isrc_normalize (long_text, code));
  g_assert_nonnull (strstr (mm_isrc_problem (long_text), "more than 20"));
  /* a valid code followed by many hyphens and spaces is still valid */
  memcpy (long_text, "USS1Z9900001", 12);
  for (gsize i = 12; i < big; i++)
    long_text[i] = (i % 2) ? '-' : ' ';
  g_assert_true (mm_isrc_normalize (long_text, code));
  g_assert_cmpstr (code, ==, "USS1Z9900001");
  g_free (long_text);

  /* random strings over a CUE-ish alphabet: normalize and problem agree,
   * and every code accepted is well-formed by the check written here */
  static const char alphabet[] = "AZaz09US-S1Z99 :isrcISRC\xc3\xa9_";
  GRand *rand = g_rand_new_with_seed (12);
  guint n_valid = 0;
  for (int k = 0; k < 200000; k++) {
    int n = g_rand_int_range (rand, 0, 24);
    char *t = g_malloc (n + 1); /* exact size: valgrind sees over-reads */
    for (int i = 0; i < n; i++)
      t[i] = alphabet[g_rand_int_range (rand, 0, sizeof alphabet - 1)];
    t[n] = '\0';
    gboolean ok = mm_isrc_normalize (t, code);
    g_assert_true (ok == (mm_isrc_problem (t) == NULL));
    if (ok) {
      g_assert_true (isrc_ok_here (code));
      n_valid++;
    }
    g_free (t);
  }
  /* and structured random codes in display form */
  for (int k = 0; k < 20000; k++) {
    char c[13], disp[32];
    for (int i = 0; i < 12; i++) {
      int d = g_rand_int_range (rand, 0, 36);
      char any = d < 10 ? '0' + d : 'A' + d - 10;
      c[i] = i < 2 ? 'A' + g_rand_int_range (rand, 0, 26)
          : i < 5  ? any
                   : '0' + g_rand_int_range (rand, 0, 10);
    }
    c[12] = '\0';
    g_snprintf (
        disp, sizeof disp, "isrc %.2s-%.3s-%.2s-%.5s", c, c + 2, c + 5, c + 7);
    for (char *p = disp; *p; p++)
      *p = g_ascii_tolower (*p);
    g_assert_true (mm_isrc_normalize (disp, code));
    g_assert_cmpstr (code, ==, c);
    n_valid++;
  }
  g_rand_free (rand);
  g_test_message ("%u valid codes among the random ones", n_valid);
}

/* ---- CATALOG -------------------------------------------------------------- */

/* the EAN-13 check digit the way GS1 writes it: from the right, the digit
 * next to the check digit weighs 3, then 1, 3, ...; the check digit makes
 * the weighted sum a multiple of 10 */
static int
ean13_check_here (const char digits[12])
{
  int sum = 0;
  for (int pos = 1; pos <= 12; pos++) {
    int d = digits[12 - pos] - '0';
    sum += (pos % 2 == 1) ? 3 * d : d;
  }
  int check = 0;
  while ((sum + check) % 10 != 0)
    check++;
  return check;
}

static void
test_catalog (void)
{
  /* published examples */
  g_assert_true (mm_catalog_valid ("4006381333931"));
  g_assert_true (mm_catalog_valid ("0012345678905")); /* UPC-A 012345678905 */
  g_assert_true (mm_catalog_valid ("9780306406157")); /* an ISBN-13 */
  g_assert_true (mm_catalog_valid ("0000000000000"));
  g_assert_false (mm_catalog_valid ("4006381333932"));
  g_assert_nonnull (
      strstr (mm_catalog_problem ("4006381333932"), "check digit"));
  g_assert_null (mm_catalog_problem ("4006381333931"));

  static const struct
  {
    const char *text, *problem;
  } bad[] = {
    { "", "is empty" },
    { "400638133393", "has 12 digits" },
    { "1", "has 1 digit;" },
    { "40063813339310", "more than 13" },
    { "400638133393A", "only digits" },
    { " 4006381333931", "only digits" },
    { "4006381333931 ", "only digits" },
    { "4006-381333931", "only digits" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++) {
    const char *p = mm_catalog_problem (bad[i].text);
    g_test_message ("catalog '%s': %s", bad[i].text, p ? p : "valid");
    g_assert_false (mm_catalog_valid (bad[i].text));
    g_assert_nonnull (p);
    g_assert_nonnull (strstr (p, bad[i].problem));
  }
  g_assert_false (mm_catalog_valid (NULL));
  g_assert_nonnull (mm_catalog_problem (NULL));

  /* random prefixes: of the ten possible last digits exactly the one
   * computed here is valid */
  GRand *rand = g_rand_new_with_seed (13);
  for (int k = 0; k < 20000; k++) {
    char t[14];
    for (int i = 0; i < 12; i++)
      t[i] = '0' + g_rand_int_range (rand, 0, 10);
    t[13] = '\0';
    int check = ean13_check_here (t);
    for (int d = 0; d < 10; d++) {
      t[12] = '0' + d;
      g_assert_true (mm_catalog_valid (t) == (d == check));
    }
  }
  g_rand_free (rand);
}

/* ---- MSF ---------------------------------------------------------------- */

static guint64
msf_frames (unsigned m, unsigned s, unsigned f)
{
  return ((guint64) m * 60 + s) * 75 + f;
}

static void
test_msf (void)
{
  unsigned m, s, f;

  G_STATIC_ASSERT (
      MM_CD_RATE == MM_CD_SAMPLES_PER_FRAME * MM_CD_FRAMES_PER_SECOND);
  g_assert_true (mm_cue_msf (MM_CD_RATE, MM_CD_RATE, &m, &s, &f));
  g_assert_true (m == 0 && s == 1 && f == 0);
  g_assert_true (mm_cue_msf (MM_CD_SAMPLES_PER_FRAME, MM_CD_RATE, &m, &s, &f));
  g_assert_true (m == 0 && s == 0 && f == 1);

  /* 44.1 kHz: exact on multiples of 588 and only there */
  for (guint64 k = 0; k < 20000; k += 7) {
    g_assert_true (mm_cue_msf (k * 588, 44100, &m, &s, &f));
    g_assert_cmpuint (msf_frames (m, s, f), ==, k);
    g_assert_cmpuint (s, <=, 59);
    g_assert_cmpuint (f, <=, 74);
    for (guint64 off = 1; off < 588; off += 17) {
      g_assert_false (mm_cue_msf (k * 588 + off, 44100, &m, &s, &f));
      g_assert_cmpuint (msf_frames (m, s, f), ==, off < 294 ? k : k + 1);
    }
    /* the tie rounds up */
    mm_cue_msf (k * 588 + 294, 44100, &m, &s, &f);
    g_assert_cmpuint (msf_frames (m, s, f), ==, k + 1);
  }
  g_assert_true (mm_cue_msf (44100, 44100, &m, &s, &f));
  g_assert_true (m == 0 && s == 1 && f == 0);
  g_assert_true (mm_cue_msf (44100 * 61 + 588 * 74, 44100, &m, &s, &f));
  g_assert_true (m == 1 && s == 1 && f == 74);
  /* 74.5 frames rounds up into the next second */
  g_assert_false (mm_cue_msf (44100 * 2 - 294, 44100, &m, &s, &f));
  g_assert_true (m == 0 && s == 2 && f == 0);

  /* 48 kHz: exact on multiples of 640 */
  for (guint64 k = 0; k < 20000; k += 3) {
    g_assert_true (mm_cue_msf (k * 640, 48000, &m, &s, &f));
    g_assert_cmpuint (msf_frames (m, s, f), ==, k);
    g_assert_false (mm_cue_msf (k * 640 + 1, 48000, NULL, NULL, NULL));
    g_assert_false (mm_cue_msf (k * 640 + 588, 48000, NULL, NULL, NULL));
  }

  /* several rates against plain arithmetic */
  static const int rates[] = { 8000, 11025, 22050, 32000, 44100, 48000, 88200,
    96000, 176400, 192000, 384000, 1, 7, 75, 44099 };
  GRand *rand = g_rand_new_with_seed (14);
  for (gsize r = 0; r < G_N_ELEMENTS (rates); r++) {
    guint64 rate = rates[r];
    for (int k = 0; k < 20000; k++) {
      guint64 sample = g_rand_int_range (rand, 0, 1 << 30);
      if (k % 3 == 0) /* often on a frame */
        sample = (sample / 75) * rate / 75 * 75;
      gboolean exact = mm_cue_msf (sample, rates[r], &m, &s, &f);
      g_assert_true (exact == ((sample * 75) % rate == 0));
      /* nearest: |frame * rate - sample * 75| smallest, ties up */
      guint64 fr = msf_frames (m, s, f);
      gint64 diff = (gint64) (fr * rate) - (gint64) (sample * 75);
      g_assert_cmpint (2 * diff, <=, (gint64) rate);
      g_assert_cmpint (2 * diff, >, -(gint64) rate);
      g_assert_cmpuint (s, <=, 59);
      g_assert_cmpuint (f, <=, 74);
    }
  }
  g_rand_free (rand);

  /* impossible rates and huge samples */
  m = s = f = 9;
  g_assert_false (mm_cue_msf (44100, 0, &m, &s, &f));
  g_assert_true (m == 0 && s == 0 && f == 0);
  g_assert_false (mm_cue_msf (44100, -44100, &m, &s, &f));
  g_assert_false (mm_cue_msf (G_MAXUINT64, 1, &m, &s, &f));
  g_assert_cmpuint (m, ==, G_MAXUINT);
  g_assert_cmpuint (s, <=, 59);
  g_assert_cmpuint (f, <=, 74);
  mm_cue_msf (G_MAXUINT64, G_MAXINT, &m, &s, &f);
  g_assert_cmpuint (s, <=, 59);
  g_assert_cmpuint (f, <=, 74);
}

/* ---- writer ------------------------------------------------------------- */

static void
test_write_exact (void)
{
  const MmCueTrack tracks[2] = {
    { 1, "One \"quoted\"", "Perf\tA", "us-s1z-99-00001", TRUE, 0, 88200 },
    { 2, "", NULL, "bad isrc", FALSE, 0, 44100 * 61 + 588 * 74 + 100 },
  };
  const MmCueSheet sheet = { "4006381333931", "Album", "Band\n", "a b.wav",
    "WAVE", 44100, 2, tracks };
  static const char expected[] = "CATALOG 4006381333931\n"
                                 "PERFORMER \"Band \"\n"
                                 "TITLE \"Album\"\n"
                                 "FILE \"a b.wav\" WAVE\n"
                                 "  TRACK 01 AUDIO\n"
                                 "    TITLE \"One 'quoted'\"\n"
                                 "    PERFORMER \"Perf A\"\n"
                                 "    ISRC USS1Z9900001\n"
                                 "    INDEX 00 00:00:00\n"
                                 "    INDEX 01 00:02:00\n"
                                 "  TRACK 02 AUDIO\n"
                                 "    INDEX 01 01:01:74\n";
  char buf[1024];
  size_t n = mm_cue_write (&sheet, buf, sizeof buf);
  g_assert_cmpstr (buf, ==, expected);
  g_assert_cmpuint (n, ==, strlen (expected));

  /* a bad catalog, no strings, an odd file type */
  const MmCueSheet bare = { "4006381333932", NULL, "", NULL, "\"x y\"", 48000,
    1, tracks + 1 };
  mm_cue_write (&bare, buf, sizeof buf);
  g_assert_cmpstr (buf, ==,
      "FILE \"\" xy\n  TRACK 02 AUDIO\n    INDEX 01 00:56:71\n" /* 48 kHz */);
  const MmCueSheet notype = { NULL, NULL, NULL, "f.flac", "--", 44100, 0,
    NULL };
  mm_cue_write (&notype, buf, sizeof buf);
  g_assert_cmpstr (buf, ==, "FILE \"f.flac\" WAVE\n");
  g_assert_cmpuint (mm_cue_write (NULL, buf, sizeof buf), ==, 0);
  g_assert_cmpstr (buf, ==, "");
}

/* the snprintf contract at every size */
static void
test_write_small (void)
{
  MmCueTrack tracks[3] = {
    { 1, "A", "B", "USS1Z9900001", TRUE, 0, 88200 },
    { 2, "C", NULL, NULL, FALSE, 0, 588 * 1000 },
    { 3, NULL, "D", NULL, TRUE, 588 * 2000, 588 * 2150 },
  };
  const MmCueSheet sheet = { "4006381333931", "T", "P", "f.wav", "WAVE", 44100,
    3, tracks };
  size_t need = mm_cue_write (&sheet, NULL, 0);
  g_assert_cmpuint (need, >, 100);
  char *full = g_malloc (need + 1);
  g_assert_cmpuint (mm_cue_write (&sheet, full, need + 1), ==, need);
  g_assert_cmpuint (strlen (full), ==, need);
  char *buf = g_malloc (need + 16);
  for (size_t size = 0; size <= need + 8; size++) {
    memset (buf, '#', need + 16);
    g_assert_cmpuint (mm_cue_write (&sheet, buf, size), ==, need);
    if (size == 0) {
      g_assert_cmpint (buf[0], ==, '#');
    } else {
      size_t got = MIN (need, size - 1);
      g_assert_cmpint (memcmp (buf, full, got), ==, 0);
      g_assert_cmpint (buf[got], ==, '\0');
    }
    for (size_t i = MAX (size, 1); i < need + 16; i++)
      if (i != MIN (need, size - 1) || size == 0)
        g_assert_cmpint (buf[i], ==, '#');
  }
  g_free (buf);
  g_free (full);
}

/* ---- round trips ---------------------------------------------------------- */

/* what the writer promises to make of a string, cut as the parser cuts */
static char *
expected_string (const char *s)
{
  GString *e = g_string_new (NULL);
  for (const unsigned char *p = (const unsigned char *) s; p && *p; p++) {
    unsigned char c = *p;
    g_string_append_c (e,
        c == '"'                      ? '\''
            : (c < 0x20 || c == 0x7f) ? ' '
                                      : (char) c);
  }
  if (e->len > 255) {
    gsize cut = 255;
    while (cut > 0 && ((unsigned char) e->str[cut] & 0xc0) == 0x80)
      cut--;
    g_string_truncate (e, cut);
  }
  return g_string_free (e, FALSE);
}

static void
assert_string (const char *got, const char *written)
{
  char *e = expected_string (written);
  g_assert_cmpstr (got, ==, e);
  g_free (e);
}

static char *
write_alloc (const MmCueSheet *sheet)
{
  size_t n = mm_cue_write (sheet, NULL, 0);
  char *buf = g_malloc (n + 1);
  g_assert_cmpuint (mm_cue_write (sheet, buf, n + 1), ==, n);
  return buf;
}

/* the parse of a written sheet is the sheet */
static void
assert_round_trip (const MmCueSheet *sheet, const char *text)
{
  MmCueParsed *out = g_new (MmCueParsed, 1);
  size_t line = 77;
  int r = mm_cue_parse (text, strlen (text), sheet->rate, out, &line);
  if (r != MM_CUE_OK)
    g_error (
        "parse: %s at line %zu of\n%s", mm_cue_error_string (r), line, text);
  g_assert_cmpuint (line, ==, 0);
  if (sheet->catalog && mm_catalog_valid (sheet->catalog))
    g_assert_cmpstr (out->catalog, ==, sheet->catalog);
  else
    g_assert_cmpstr (out->catalog, ==, "");
  assert_string (out->title, sheet->title);
  assert_string (out->performer, sheet->performer);
  assert_string (out->file, sheet->file);
  g_assert_cmpuint (out->n_tracks, ==, sheet->n_tracks);
  for (size_t i = 0; i < sheet->n_tracks; i++) {
    const MmCueTrack *t = &sheet->tracks[i];
    const MmCueParsedTrack *p = &out->tracks[i];
    char isrc[13];
    g_assert_cmpuint (p->number, ==, t->number);
    assert_string (p->title, t->title);
    assert_string (p->performer, t->performer);
    if (t->isrc && mm_isrc_normalize (t->isrc, isrc))
      g_assert_cmpstr (p->isrc, ==, isrc);
    else
      g_assert_cmpstr (p->isrc, ==, "");
    g_assert_true (p->has_index1);
    g_assert_true (p->has_index0 == t->has_index0);
    g_assert_false (p->has_pregap || p->has_postgap);
    if (sheet->rate == 44100) {
      /* sample-exact on 588 multiples, else the nearest frame's start */
      guint64 want1 = (t->index1 + 294) / 588 * 588;
      g_assert_cmpuint (p->index1, ==, want1);
      if (t->index1 % 588 == 0)
        g_assert_cmpuint (p->index1, ==, t->index1);
      if (t->has_index0)
        g_assert_cmpuint (p->index0, ==, (t->index0 + 294) / 588 * 588);
    }
  }
  g_free (out);
}

static const char *const utf8_titles[] = {
  "Bj\xc3\xb6rk \xe2\x80\x94 J\xc3\xb3ga \xe2\x99\xab",
  "Say \"hi\" to \"them\"",
  "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x81\xae\xe6\x9b\xb2",
  "tab\there, new\nline, cr\r, del\x7f",
  "  spaces around  ",
  "\xf0\x9f\x8e\xb8 guitar",
};

static void
run_round_trip (size_t n_tracks, guint32 seed)
{
  GRand *rand = g_rand_new_with_seed (seed);
  MmCueTrack *tracks = g_new0 (MmCueTrack, n_tracks);
  char **strings = g_new0 (char *, 3 * n_tracks);
  guint64 pos = 0;
  for (size_t i = 0; i < n_tracks; i++) {
    MmCueTrack *t = &tracks[i];
    t->number = i + 1;
    strings[3 * i] = g_strdup_printf (
        "%s %zu", utf8_titles[i % G_N_ELEMENTS (utf8_titles)], i + 1);
    strings[3 * i + 1] = g_strdup_printf ("Perf\"%zu\"", i);
    strings[3 * i + 2] = g_strdup_printf ("%c%c-%03zu-%02u-%05u",
        'A' + (int) (i % 26), 'A' + (int) (i / 26), i, (unsigned) (i % 100),
        g_rand_int_range (rand, 0, 100000));
    t->title = strings[3 * i];
    t->performer = (i % 4 == 3) ? NULL : strings[3 * i + 1];
    t->isrc = (i % 5 == 4) ? NULL : strings[3 * i + 2];
    t->has_index0 = i % 2 == 0;
    t->index0 = pos;
    if (t->has_index0)
      pos += 588 * g_rand_int_range (rand, 0, 300);
    t->index1 = pos;
    pos += 588 * g_rand_int_range (rand, 300, 20000);
  }
  MmCueSheet sheet = { "4006381333931", "Album \"title\" \xc3\xa9\xc3\xa8",
    "Various \xe2\x99\xaa", "album.wav", "WAVE", 44100, n_tracks, tracks };
  char *text = write_alloc (&sheet);
  if (n_tracks <= 3)
    g_test_message ("%s", text);
  assert_round_trip (&sheet, text);
  g_free (text);

  /* CRLF line ends and the same at 48 kHz */
  sheet.rate = 48000;
  text = write_alloc (&sheet);
  GString *crlf = g_string_new (NULL);
  for (char *p = text; *p; p++) {
    if (*p == '\n')
      g_string_append_c (crlf, '\r');
    g_string_append_c (crlf, *p);
  }
  MmCueParsed *out = g_new (MmCueParsed, 1);
  g_assert_cmpint (
      mm_cue_parse (crlf->str, crlf->len, 48000, out, NULL), ==, MM_CUE_OK);
  g_assert_cmpuint (out->n_tracks, ==, n_tracks);
  for (size_t i = 0; i < n_tracks; i++) {
    /* at 48 kHz a frame is 640 samples; index1 is off the grid in general */
    g_assert_cmpuint (out->tracks[i].index1 % 640, ==, 0);
    gint64 d = (gint64) out->tracks[i].index1 - (gint64) tracks[i].index1;
    g_assert_cmpint (ABS (d), <=, 320);
    assert_string (out->tracks[i].title, tracks[i].title);
  }
  g_free (out);
  g_string_free (crlf, TRUE);
  g_free (text);

  for (size_t i = 0; i < 3 * n_tracks; i++)
    g_free (strings[i]);
  g_free (strings);
  g_free (tracks);
  g_rand_free (rand);
}

static void
test_round_trip (void)
{
  run_round_trip (1, 1);
  run_round_trip (3, 3);
  run_round_trip (99, 99);

  /* a long UTF-8 title is cut at 255 bytes without splitting a character:
   * 300 two-byte characters keep 127 of them, 254 bytes */
  GString *longt = g_string_new (NULL);
  for (int i = 0; i < 300; i++)
    g_string_append (longt, "\xc3\xa9");
  MmCueTrack t = { 1, longt->str, NULL, NULL, FALSE, 0, 0 };
  MmCueSheet sheet = { NULL, longt->str, NULL, "x.wav", "WAVE", 44100, 1, &t };
  char *text = write_alloc (&sheet);
  MmCueParsed *out = g_new (MmCueParsed, 1);
  g_assert_cmpint (
      mm_cue_parse (text, strlen (text), 44100, out, NULL), ==, MM_CUE_OK);
  g_assert_cmpuint (strlen (out->title), ==, 254);
  g_assert_cmpuint (strlen (out->tracks[0].title), ==, 254);
  g_assert_true (g_utf8_validate (out->title, -1, NULL));
  g_assert_cmpint (memcmp (out->title, longt->str, 254), ==, 0);
  assert_round_trip (&sheet, text);
  g_free (out);
  g_free (text);
  g_string_free (longt, TRUE);
}

/* a random string of 0..299 bytes 1..255, kept in strs to be freed */
static char *
rstr (GRand *rand, char **strs, int *n_strs)
{
  int len = g_rand_int_range (rand, 0, 300);
  char *s = g_malloc (len + 1);
  for (int j = 0; j < len; j++)
    s[j] = (char) g_rand_int_range (rand, 1, 256);
  s[len] = '\0';
  strs[(*n_strs)++] = s;
  return s;
}

/* random sheets of random bytes: whatever the strings, the writer's text
 * parses back to them (as the writer sanitizes them) */
static void
test_round_trip_random (void)
{
  GRand *rand = g_rand_new_with_seed (21);
  for (int k = 0; k < 2000; k++) {
    size_t n = g_rand_int_range (rand, 0, 12);
    MmCueTrack tracks[12];
    char *strs[40];
    int n_strs = 0;
    for (size_t i = 0; i < n; i++) {
      tracks[i].number = g_rand_int_range (rand, 1, 100);
      tracks[i].title = rstr (rand, strs, &n_strs);
      tracks[i].performer = rstr (rand, strs, &n_strs);
      tracks[i].isrc = (i % 2) ? "us-s1z-99-00001" : NULL;
      tracks[i].has_index0 = g_rand_boolean (rand);
      tracks[i].index0 = g_rand_int (rand);
      tracks[i].index1 = (guint64) g_rand_int_range (rand, 0, 1 << 30) * 588;
    }
    MmCueSheet sheet = { "0012345678905", rstr (rand, strs, &n_strs),
      rstr (rand, strs, &n_strs), rstr (rand, strs, &n_strs),
      rstr (rand, strs, &n_strs), 44100, n, tracks };
    char *text = write_alloc (&sheet);
    assert_round_trip (&sheet, text);
    g_free (text);
    for (int i = 0; i < n_strs; i++)
      g_free (strs[i]);
  }
  g_rand_free (rand);
}

/* ---- parser ----------------------------------------------------------------- */

static void
test_parse_variants (void)
{
  static const char text[] = "\xef\xbb\xbfREM GENRE Rock\r\n"
                             "REM DATE 2026\r\n"
                             "rem comment \"quoted\r\n"
                             "catalog 4006381333931\r\n"
                             "PERFORMER The Unquoted Band  \r\n"
                             "\tTitle \"Quoted \xc3\xa9\"\r\n"
                             "SONGWRITER \"someone\"\r\n"
                             "\r\n"
                             "FILE album.flac FLAC\r\n"
                             "TRACK 1 AUDIO\r\n"
                             "\tFLAGS DCP PRE\r\n"
                             "\tTITLE   First track\t\r\n"
                             "\tISRC US-S1Z-99-00001\r\n"
                             "\tPREGAP 00:02:00\r\n"
                             "\tINDEX 01 00:00:00\r\n"
                             "\tINDEX 02 00:10:00\r\n"
                             "  track 02 audio\n"
                             "    performer \"Unterminated\n"
                             "    index 0 01:00:00\n"
                             "    INDEX 1 01:02:74\n"
                             "    POSTGAP 00:00:01\n"
                             "\rTRACK 99 MODE1/2352\r"
                             "INDEX 01 9999999:59:74";
  MmCueParsed *out = g_new (MmCueParsed, 1);
  size_t line = 5;
  int r = mm_cue_parse (text, strlen (text), 44100, out, &line);
  g_assert_cmpint (r, ==, MM_CUE_OK);
  g_assert_cmpuint (line, ==, 0);
  g_assert_cmpstr (out->catalog, ==, "4006381333931");
  g_assert_cmpstr (out->performer, ==, "The Unquoted Band");
  g_assert_cmpstr (out->title, ==, "Quoted \xc3\xa9");
  g_assert_cmpstr (out->file, ==, "album.flac");
  g_assert_cmpstr (out->file_type, ==, "FLAC");
  g_assert_cmpuint (out->n_tracks, ==, 3);
  const MmCueParsedTrack *t = out->tracks;
  g_assert_cmpuint (t[0].number, ==, 1);
  g_assert_cmpstr (t[0].title, ==, "First track");
  g_assert_cmpstr (t[0].isrc, ==, "USS1Z9900001");
  g_assert_true (t[0].has_pregap);
  g_assert_cmpuint (t[0].pregap, ==, 88200);
  g_assert_false (t[0].has_index0);
  g_assert_true (t[0].has_index1);
  g_assert_cmpuint (t[0].index1, ==, 0);
  g_assert_cmpuint (t[1].number, ==, 2);
  g_assert_cmpstr (t[1].performer, ==, "Unterminated");
  g_assert_cmpstr (t[1].title, ==, "");
  g_assert_true (t[1].has_index0);
  g_assert_cmpuint (t[1].index0, ==, 60 * 44100);
  g_assert_cmpuint (t[1].index1, ==, 62 * 44100 + 74 * 588);
  g_assert_true (t[1].has_postgap);
  g_assert_cmpuint (t[1].postgap, ==, 588);
  g_assert_cmpuint (t[2].number, ==, 99);
  g_assert_cmpuint (
      t[2].index1, ==, ((guint64) 9999999 * 60 + 59) * 44100 + 74 * 588);

  /* times at 48 kHz and at a rate that is no multiple of 75 */
  static const char at[] = "TRACK 01 AUDIO\nINDEX 01 00:01:01\n";
  g_assert_cmpint (mm_cue_parse (at, strlen (at), 48000, out, NULL), ==, 0);
  g_assert_cmpuint (out->tracks[0].index1, ==, 48640);
  g_assert_cmpint (mm_cue_parse (at, strlen (at), 11025, out, NULL), ==, 0);
  g_assert_cmpuint (out->tracks[0].index1, ==, 11025 + 147);
  g_assert_cmpint (mm_cue_parse (at, strlen (at), 1000, out, NULL), ==, 0);
  g_assert_cmpuint (out->tracks[0].index1, ==, 1013); /* 13.33 */

  /* empty input */
  g_assert_cmpint (mm_cue_parse ("", 0, 44100, out, &line), ==, MM_CUE_OK);
  g_assert_cmpuint (out->n_tracks, ==, 0);
  g_assert_cmpint (mm_cue_parse (NULL, 0, 44100, out, &line), ==, MM_CUE_OK);
  g_assert_cmpint (mm_cue_parse ("\n\n\r\n\r\r  \t\n", 10, 44100, out, &line),
      ==, MM_CUE_OK);
  g_free (out);
}

typedef struct
{
  const char *text;
  int code;
  size_t line;
} ErrorCase;

static const ErrorCase error_cases[] = {
  { "INDEX 01 00:00:00\n", MM_CUE_ERROR_NOT_IN_TRACK, 1 },
  { "FILE \"a\" WAVE\nISRC USS1Z9900001\n", MM_CUE_ERROR_NOT_IN_TRACK, 2 },
  { "FLAGS DCP\n", MM_CUE_ERROR_NOT_IN_TRACK, 1 },
  { "PREGAP 00:02:00\n", MM_CUE_ERROR_NOT_IN_TRACK, 1 },
  { "TRACK 01 AUDIO\nINDEX 01 00:60:00\n", MM_CUE_ERROR_TIME, 2 },
  { "TRACK 01 AUDIO\nINDEX 01 00:00:75\n", MM_CUE_ERROR_TIME, 2 },
  { "TRACK 01 AUDIO\nINDEX 01 00:00\n", MM_CUE_ERROR_TIME, 2 },
  { "TRACK 01 AUDIO\nINDEX 01 00:00:00:00\n", MM_CUE_ERROR_TIME, 2 },
  { "TRACK 01 AUDIO\nINDEX 01 0a:00:00\n", MM_CUE_ERROR_TIME, 2 },
  { "TRACK 01 AUDIO\nINDEX 01 10000000:00:00\n", MM_CUE_ERROR_TIME, 2 },
  { "TRACK 01 AUDIO\nINDEX 01 -1:00:00\n", MM_CUE_ERROR_TIME, 2 },
  { "TRACK 01 AUDIO\nINDEX 01 ::\n", MM_CUE_ERROR_TIME, 2 },
  { "TRACK 01 AUDIO\nINDEX 01\n", MM_CUE_ERROR_TIME, 2 },
  { "TRACK 01 AUDIO\nINDEX 100 00:00:00\n", MM_CUE_ERROR_SYNTAX, 2 },
  { "TRACK 01 AUDIO\nINDEX\n", MM_CUE_ERROR_SYNTAX, 2 },
  { "TRACK 01 AUDIO\nINDEX 01 00:00:00\nPOSTGAP 1:2\n", MM_CUE_ERROR_TIME, 3 },
  { "TRACK 00 AUDIO\nINDEX 01 00:00:00\n", MM_CUE_ERROR_TRACK_NUMBER, 1 },
  { "TRACK 100 AUDIO\n", MM_CUE_ERROR_TRACK_NUMBER, 1 },
  { "TRACK x AUDIO\n", MM_CUE_ERROR_TRACK_NUMBER, 1 },
  { "TRACK 01\n", MM_CUE_ERROR_SYNTAX, 1 },
  { "TRACK\n", MM_CUE_ERROR_SYNTAX, 1 },
  { "TITLE\n", MM_CUE_ERROR_SYNTAX, 1 },
  { "FILE\n", MM_CUE_ERROR_SYNTAX, 1 },
  { "CATALOG\n", MM_CUE_ERROR_SYNTAX, 1 },
  { "CATALOG 4006381333932\n", MM_CUE_ERROR_CATALOG, 1 },
  { "CATALOG 400638133393\n", MM_CUE_ERROR_CATALOG, 1 },
  { "TRACK 01 AUDIO\nISRC US-S1Z-99-0000\n", MM_CUE_ERROR_ISRC, 2 },
  { "FILE a WAVE\nREM\nFILE b WAVE\n", MM_CUE_ERROR_UNSUPPORTED, 3 },
  { "TRACK 01 AUDIO\nINDEX 00 00:00:00\nTRACK 02 AUDIO\nINDEX 01 00:00:00\n",
      MM_CUE_ERROR_NO_INDEX1, 1 },
  { "TRACK 01 AUDIO\nINDEX 01 00:00:00\nTRACK 02 AUDIO\nTITLE x\n",
      MM_CUE_ERROR_NO_INDEX1, 3 },
  { "TRACK 01 AUDIO\r\nINDEX 01 00:00:00\r\nTRACK 02 AUDIO\r\nTITLE x\r\n",
      MM_CUE_ERROR_NO_INDEX1, 3 },
};

static void
test_parse_errors (void)
{
  MmCueParsed *out = g_new (MmCueParsed, 1);
  for (gsize i = 0; i < G_N_ELEMENTS (error_cases); i++) {
    const ErrorCase *c = &error_cases[i];
    size_t line = 1234;
    int r = mm_cue_parse (c->text, strlen (c->text), 44100, out, &line);
    g_test_message (
        "%zu: %d (%s) at line %zu", i, r, mm_cue_error_string (r), line);
    g_assert_cmpint (r, ==, c->code);
    g_assert_cmpuint (line, ==, c->line);
    g_assert_cmpstr (mm_cue_error_string (r), !=, "unknown error");
  }

  /* 99 tracks are fine, 100 are too many */
  GString *s = g_string_new (NULL);
  for (int i = 1; i <= 99; i++)
    g_string_append_printf (
        s, "TRACK %02d AUDIO\nINDEX 01 00:%02d:00\n", i, i % 60);
  size_t line = 1;
  g_assert_cmpint (
      mm_cue_parse (s->str, s->len, 44100, out, &line), ==, MM_CUE_OK);
  g_assert_cmpuint (out->n_tracks, ==, 99);
  g_string_append (s, "TRACK 99 AUDIO\nINDEX 01 00:00:00\n");
  g_assert_cmpint (mm_cue_parse (s->str, s->len, 44100, out, &line), ==,
      MM_CUE_ERROR_TOO_MANY_TRACKS);
  g_assert_cmpuint (line, ==, 199);
  g_assert_cmpuint (out->n_tracks, ==, 99);
  g_string_free (s, TRUE);

  /* arguments */
  g_assert_cmpint (
      mm_cue_parse ("", 0, 0, out, &line), ==, MM_CUE_ERROR_ARGUMENT);
  g_assert_cmpuint (line, ==, 0);
  g_assert_cmpint (
      mm_cue_parse ("", 0, -1, out, NULL), ==, MM_CUE_ERROR_ARGUMENT);
  g_assert_cmpint (
      mm_cue_parse ("", 0, 44100, NULL, &line), ==, MM_CUE_ERROR_ARGUMENT);
  g_assert_cmpint (
      mm_cue_parse (NULL, 5, 44100, out, &line), ==, MM_CUE_ERROR_ARGUMENT);
  g_assert_cmpstr (mm_cue_error_string (-999), ==, "unknown error");
  g_free (out);
}

/* the length of s, or cap when no NUL is among its first cap bytes */
static size_t
bounded_len (const char *s, size_t cap)
{
  const char *nul = memchr (s, '\0', cap);
  return nul ? (size_t) (nul - s) : cap;
}

/* every string of a parse is terminated inside its array */
static void
assert_sane (int r, const MmCueParsed *out)
{
  g_assert_cmpint (r, <=, 0);
  g_assert_cmpint (r, >=, MM_CUE_ERROR_UNSUPPORTED);
  g_assert_cmpuint (out->n_tracks, <=, MM_CUE_MAX_TRACKS);
  g_assert_cmpuint (bounded_len (out->catalog, 14), <, 14);
  g_assert_true (out->catalog[0] == '\0' || mm_catalog_valid (out->catalog));
  g_assert_cmpuint (bounded_len (out->title, 256), <, 256);
  g_assert_cmpuint (bounded_len (out->performer, 256), <, 256);
  g_assert_cmpuint (bounded_len (out->file, 256), <, 256);
  g_assert_cmpuint (bounded_len (out->file_type, 256), <, 256);
  for (size_t i = 0; i < out->n_tracks; i++) {
    const MmCueParsedTrack *t = &out->tracks[i];
    g_assert_cmpuint (t->number, >=, 1);
    g_assert_cmpuint (t->number, <=, 99);
    g_assert_cmpuint (bounded_len (t->title, 256), <, 256);
    g_assert_cmpuint (bounded_len (t->performer, 256), <, 256);
    g_assert_cmpuint (bounded_len (t->isrc, 13), <, 13);
    g_assert_true (t->isrc[0] == '\0' || isrc_ok_here (t->isrc));
  }
}

static void
test_parse_prefixes (void)
{
  MmCueTrack tracks[99];
  for (int i = 0; i < 99; i++)
    tracks[i] = (MmCueTrack){ i + 1, "T\xc3\xa9tle \"q\"", "P",
      "US-S1Z-99-00001", i % 2, 588 * 10 * i, 588 * (10 * i + 5) };
  MmCueSheet sheet = { "4006381333931", "Album", "Perf", "f.wav", "WAVE", 44100,
    99, tracks };
  char *text = write_alloc (&sheet);
  size_t n = strlen (text);
  MmCueParsed *out = g_new (MmCueParsed, 1);
  guint n_ok = 0;
  for (size_t len = 0; len <= n; len++) {
    char *copy = g_malloc (len ? len : 1); /* no NUL: only len is readable */
    memcpy (copy, text, len);
    size_t line;
    int r = mm_cue_parse (copy, len, 44100, out, &line);
    assert_sane (r, out);
    n_ok += r == MM_CUE_OK;
    g_free (copy);
  }
  g_test_message ("%zu prefixes of a 99-track sheet, %u parse OK", n + 1, n_ok);
  g_assert_cmpuint (n_ok, >, 99); /* at least where each track is complete */
  g_free (out);
  g_free (text);
}

static void
test_parse_garbage (void)
{
  static const char *const pieces[] = { "TRACK ", "INDEX ", "01 ", "00 ",
    "AUDIO", "TITLE ", "PERFORMER ", "FILE ", "ISRC ", "CATALOG ", "REM ",
    "FLAGS ", "PREGAP ", "POSTGAP ", "\"", "\n", "\r\n", "\r", "\t", " ", ":",
    "00:00:00", "9999999:59:74", "4006381333931", "USS1Z9900001", "\xc3\xa9",
    "\xe2\x99", "\xef\xbb\xbf", "99", "100", "0", "WAVE" };
  GRand *rand = g_rand_new_with_seed (42);
  MmCueParsed *out = g_new (MmCueParsed, 1);
  guint counts[11] = { 0 };
  const int n_strings = 30000;
  for (int k = 0; k < n_strings; k++) {
    /* half of them inside a track, to reach the track commands */
    GString *s =
        g_string_new (k % 2 ? "FILE \"a\" WAVE\nTRACK 01 AUDIO\n" : "");
    int n = g_rand_int_range (rand, 0, 120);
    gboolean raw = k % 4 == 0;
    for (int i = 0; i < n; i++) {
      if (raw || g_rand_int_range (rand, 0, 8) == 0)
        g_string_append_c (s, (char) g_rand_int_range (rand, 0, 256));
      else
        g_string_append (
            s, pieces[g_rand_int_range (rand, 0, G_N_ELEMENTS (pieces))]);
    }
    if (k % 50 == 0) /* some long lines */
      for (int i = 0; i < 600; i++)
        g_string_append_c (s, 'a' + i % 26);
    char *copy = g_malloc (s->len ? s->len : 1);
    memcpy (copy, s->str, s->len);
    size_t line = 0;
    int r = mm_cue_parse (copy, s->len, 44100, out, &line);
    assert_sane (r, out);
    if (r != MM_CUE_OK) {
      g_assert_cmpuint (line, >=, 1);
    }
    counts[-r]++;
    g_free (copy);
    g_string_free (s, TRUE);
  }
  for (int i = 0; i < 11; i++)
    g_test_message ("%d: %u", -i, counts[i]);
  /* the mix exercises success and most errors */
  g_assert_cmpuint (counts[0], >, 0);
  g_assert_cmpuint (counts[-MM_CUE_ERROR_TIME], >, 0);
  g_assert_cmpuint (counts[-MM_CUE_ERROR_SYNTAX], >, 0);
  g_free (out);
  g_rand_free (rand);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cuesheet/isrc", test_isrc);
  g_test_add_func ("/cuesheet/catalog", test_catalog);
  g_test_add_func ("/cuesheet/msf", test_msf);
  g_test_add_func ("/cuesheet/write-exact", test_write_exact);
  g_test_add_func ("/cuesheet/write-small", test_write_small);
  g_test_add_func ("/cuesheet/round-trip", test_round_trip);
  g_test_add_func ("/cuesheet/round-trip-random", test_round_trip_random);
  g_test_add_func ("/cuesheet/parse-variants", test_parse_variants);
  g_test_add_func ("/cuesheet/parse-errors", test_parse_errors);
  g_test_add_func ("/cuesheet/parse-prefixes", test_parse_prefixes);
  g_test_add_func ("/cuesheet/parse-garbage", test_parse_garbage);
  return g_test_run ();
}
