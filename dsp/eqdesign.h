/* gst-mixmaster
 * Copyright (C) 2026 gst-mixmaster developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#ifndef MM_EQDESIGN_H
#define MM_EQDESIGN_H

#include <stdbool.h>

#include "svf.h"

/* Parametric EQ band designs that follow their analog prototypes up to Nyquist.
 *
 * Bells and shelves are the analog prototypes of R. Bristow-Johnson's Audio EQ
 * Cookbook (A = 10^(gain/40)). Each is a pole pair and a zero pair; the pair that
 * impulse invariance renders faithfully (the sharper one, below Nyquist) is mapped
 * by it, and the other pair is fitted to the prototype's magnitude by weighted
 * least squares over 20 Hz - 20 kHz (the matched-filter idea of M. Vicanek,
 * "Matched Second Order Digital Filters", 2016, with a fit in place of three
 * exact points). The bilinear design is a third candidate; the one that strays
 * least from the prototype on the fit grid wins. A shelf that still strays (its
 * resonant pair near Nyquist) becomes two sections: a correction section or a
 * fourth-order magnitude fit, whichever follows the prototype closer. Pass
 * filters are Butterworth cascades whose sections are matched at DC, the cutoff
 * and Nyquist, so the cutoff stays at -3.01 dB. Every section is returned in
 * SVF form, ready to glide. */

#define MM_EQ_MAX_SECTIONS 4

typedef enum
{
  MM_EQ_PEAKING,
  MM_EQ_LOW_SHELF,
  MM_EQ_HIGH_SHELF,
  MM_EQ_LOW_PASS,
  MM_EQ_HIGH_PASS,
  MM_EQ_BAND_PASS,
  MM_EQ_NOTCH,
  MM_EQ_ALL_PASS,
  MM_EQ_TILT_SHELF,
} MmEqType;

typedef struct
{
  MmEqType type;
  double freq; /* Hz */
  double gain_db; /* bells, shelves, tilt */
  double q; /* bells, shelves, band-pass, notch, all-pass */
  int slope; /* dB/octave for low/high-pass: 6, 12, 18, 24, 36, 48 */
} MmEqShape;

typedef struct
{
  int n_sections;
  MmSvfSection sections[MM_EQ_MAX_SECTIONS];
} MmEqDesign;

/* freq is clamped into (0, 0.49 rate) */
void mm_eq_design (MmEqDesign *design, const MmEqShape *shape, double rate);
/* The same without the correction section of resonant shelves near Nyquist
 * (a few times cheaper there): for the intermediate steps of a glide. */
void mm_eq_design_quick (
    MmEqDesign *design, const MmEqShape *shape, double rate);
/* True when the shape leaves every signal unchanged (a bell or shelf at 0 dB). */
bool mm_eq_shape_is_identity (const MmEqShape *shape);
/* The analog prototype's magnitude at f (Hz), in dB. */
double mm_eq_prototype_db (const MmEqShape *shape, double f);
/* The design's magnitude at f (Hz), in dB. */
double mm_eq_design_response_db (
    const MmEqDesign *design, double rate, double f);

#endif
