/* gst-mixmaster
 * Copyright (C) 2026 gst-mixmaster developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#ifndef MIXMASTER_ORC_INIT_H
#define MIXMASTER_ORC_INIT_H

/* Makes the ORC runtime ready before the first kernel call; cheap and idempotent. */
void mixmaster_orc_init (void);

#endif
