// SPDX-License-Identifier: GPL-3.0-or-later
// Shim over libxlsxwriter (pkg-config `xlsxwriter`, Debian `libxlsxwriter-dev`).
#ifndef SWITCHYARD_CXLSXWRITER_SHIM_H
#define SWITCHYARD_CXLSXWRITER_SHIM_H
#include <xlsxwriter.h>

/// The library version string, e.g. "1.1.5" (a macro, so not visible to Swift directly).
static inline const char *cxlsx_version(void) { return LXW_VERSION; }
#endif
