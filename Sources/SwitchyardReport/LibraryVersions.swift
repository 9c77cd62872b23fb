// SPDX-License-Identifier: GPL-3.0-or-later

internal import CXLSXWriter

/// Versions of the output libraries this build links.
public enum ReportLibrary {
    /// The libxlsxwriter version string, e.g. "1.1.5".
    public static var xlsxwriterVersion: String { String(cString: cxlsx_version()) }
}
