/* gst-mixmaster
 * Copyright (C) 2026 gst-mixmaster developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "mixmaster-orc-init.h"

#ifndef DISABLE_ORC
#include <orc/orc.h>
#endif

void
mixmaster_orc_init (void)
{
#ifndef DISABLE_ORC
  orc_init ();
#endif
}
