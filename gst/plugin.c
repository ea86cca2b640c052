/* gst-mixmaster
 * Copyright (C) 2026 gst-mixmaster developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/gst.h>

#include "gstloudnorm.h"
#include "gstmasterlimiter.h"
#include "gstmixcomp.h"
#include "gstmixeq.h"
#include "gstsidechainduck.h"
#include "gststereowidth.h"
#include "mixmaster-orc-init.h"

static gboolean
plugin_init (GstPlugin *plugin)
{
  gboolean ret = FALSE;

  mixmaster_orc_init ();
  ret |= GST_ELEMENT_REGISTER (loudnorm, plugin);
  ret |= GST_ELEMENT_REGISTER (masterlimiter, plugin);
  ret |= GST_ELEMENT_REGISTER (mixcomp, plugin);
  ret |= GST_ELEMENT_REGISTER (mixeq, plugin);
  ret |= GST_ELEMENT_REGISTER (sidechainduck, plugin);
  ret |= GST_ELEMENT_REGISTER (stereowidth, plugin);

  return ret;
}

GST_PLUGIN_DEFINE (GST_VERSION_MAJOR, GST_VERSION_MINOR, mixmaster,
    "Mixing and mastering elements: EQ, dynamics, stereo width, true-peak "
    "limiting, loudness normalization and album sequencing",
    plugin_init, VERSION, GST_LICENSE, GST_PACKAGE_NAME, GST_PACKAGE_ORIGIN)
