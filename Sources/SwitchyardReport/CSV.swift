// SPDX-License-Identifier: GPL-3.0-or-later

import Foundation

/// RFC 4180 CSV: comma separated, CRLF line ends, fields quoted when they contain a
/// comma, quote or line break; numbers with `.` decimals and no thousands separators.
public struct CSVTable: Sendable {
    public var header: [String]
    public var rows: [[String]]

    public init(header: [String], rows: [[String]] = []) {
        self.header = header
        self.rows = rows
    }

    public mutating func append(_ row: [String]) {
        precondition(row.count == header.count, "CSVTable: row has \(row.count) fields, header \(header.count)")
        rows.append(row)
    }

    public var text: String {
        ([header] + rows).map { $0.map(Self.escape).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
    }

    static func escape(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// A number as CSV text: shortest round-trip representation, no exponent for
    /// ordinary magnitudes, empty for NaN (a spreadsheet's blank cell).
    public static func number(_ value: Double) -> String {
        guard value.isFinite else { return "" }
        if value == value.rounded() && abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }
}
