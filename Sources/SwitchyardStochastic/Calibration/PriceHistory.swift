// SPDX-License-Identifier: GPL-3.0-or-later

import Foundation

/// A row of a price file that could not be used, with its 1-based line number.
public struct BadRow: Hashable, Sendable, CustomStringConvertible {
    public var line: Int
    public var text: String
    public var reason: String
    public var description: String { "line \(line): \(reason) (\(text.prefix(60)))" }
}

/// A dated series of positive values read from a CSV file (a date column and a value
/// column, header on the first line), in file order.
public struct PriceHistory: Sendable {
    public let file: String
    public let column: String
    public let dates: [String]
    public let values: [Double]
    /// Rows skipped because the user allowed it (`skipBadRows`); empty otherwise.
    public let skippedRows: [BadRow]

    /// Reads `column` (and `dateColumn`, if present in the header) from a CSV file.
    ///
    /// Rows whose value is missing, `null`, not a number, not finite or not > 0 are bad:
    /// without `skipBadRows` they make the load fail with every bad line listed; with it
    /// they are skipped and listed in ``skippedRows``. Never silently.
    /// - Throws: ``CalibrationError``.
    public init(
        contentsOf path: String, column: String = "Close", dateColumn: String = "Date", skipBadRows: Bool = false
    ) throws(CalibrationError) {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw .cannotRead(file: path, reason: error.localizedDescription)
        }
        try self.init(csv: text, file: path, column: column, dateColumn: dateColumn, skipBadRows: skipBadRows)
    }

    /// Parses CSV text; `file` names it in messages.
    public init(
        csv text: String, file: String, column: String = "Close", dateColumn: String = "Date",
        skipBadRows: Bool = false
    ) throws(CalibrationError) {
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map(String.init)
        while lines.last?.isEmpty == true { lines.removeLast() }
        guard let headerLine = lines.first else { throw .emptyFile(file: file) }
        let header = Self.fields(headerLine).map { $0.trimmingCharacters(in: .whitespaces) }
        guard let valueIndex = header.firstIndex(of: column) else {
            throw .missingColumn(file: file, column: column, available: header)
        }
        let dateIndex = header.firstIndex(of: dateColumn)
        var dates: [String] = []
        var values: [Double] = []
        var bad: [BadRow] = []
        for (offset, line) in lines.enumerated().dropFirst() {
            let number = offset + 1
            if line.trimmingCharacters(in: .whitespaces).isEmpty {
                bad.append(BadRow(line: number, text: line, reason: "empty line"))
                continue
            }
            let fields = Self.fields(line)
            guard fields.count == header.count else {
                bad.append(BadRow(line: number, text: line, reason: "has \(fields.count) fields, header has \(header.count)"))
                continue
            }
            let raw = fields[valueIndex].trimmingCharacters(in: .whitespaces)
            guard let value = Double(raw) else {
                bad.append(BadRow(line: number, text: line, reason: "\(column) = '\(raw)' is not a number"))
                continue
            }
            guard value.isFinite, value > 0 else {
                bad.append(BadRow(line: number, text: line, reason: "\(column) = \(raw) must be finite and > 0"))
                continue
            }
            if let dateIndex {
                let date = fields[dateIndex].trimmingCharacters(in: .whitespaces)
                if let last = dates.last, date <= last {
                    throw .datesNotIncreasing(file: file, line: number, date: date, previous: last)
                }
                dates.append(date)
            }
            values.append(value)
        }
        if !bad.isEmpty && !skipBadRows { throw .badRows(file: file, column: column, rows: bad) }
        self.file = file
        self.column = column
        self.dates = dates
        self.values = values
        self.skippedRows = bad
    }

    /// Log returns between consecutive usable rows.
    public var logReturns: [Double] { zip(values, values.dropFirst()).map { log($1 / $0) } }

    /// Splits one CSV line (RFC 4180 quoting; no embedded newlines).
    static func fields(_ line: String) -> [String] {
        var fields: [String] = []
        var current = ""
        var quoted = false
        var iterator = line.makeIterator()
        while let character = iterator.next() {
            switch character {
            case "\"" where quoted:
                // A doubled quote inside quotes is a literal quote.
                current.append("\"")
                quoted = false
                if let next = iterator.next() {
                    if next == "\"" { quoted = true } else if next == "," {
                        current.removeLast()
                        fields.append(current)
                        current = ""
                    } else {
                        current.removeLast()
                        current.append(next)
                    }
                } else {
                    current.removeLast()
                }
            case "\"" where current.isEmpty: quoted = true
            case "," where !quoted:
                fields.append(current)
                current = ""
            default: current.append(character)
            }
        }
        fields.append(current)
        return fields
    }
}

/// Why a calibration could not be done.
public enum CalibrationError: Error, Equatable, CustomStringConvertible {
    case cannotRead(file: String, reason: String)
    case emptyFile(file: String)
    case missingColumn(file: String, column: String, available: [String])
    case badRows(file: String, column: String, rows: [BadRow])
    case datesNotIncreasing(file: String, line: Int, date: String, previous: String)
    case tooFewObservations(file: String, count: Int, needed: Int)
    case noMeanReversion(file: String, slope: Double)
    case fitFailed(model: String, reason: String)

    public var description: String {
        switch self {
        case .cannotRead(let file, let reason): return "\(file): cannot read: \(reason)"
        case .emptyFile(let file): return "\(file): the file is empty (a header line is required)"
        case .missingColumn(let file, let column, let available):
            return "\(file): no column '\(column)'; the header has: \(available.joined(separator: ", "))"
        case .badRows(let file, let column, let rows):
            let shown = rows.prefix(20).map { "  \($0)" }.joined(separator: "\n")
            let more = rows.count > 20 ? "\n  ... and \(rows.count - 20) more" : ""
            return """
                \(file): \(rows.count) row(s) with no usable '\(column)' value:
                \(shown)\(more)
                Fix the file, or pass --skip-bad-rows to skip these rows (a return then spans the gap).
                """
        case .datesNotIncreasing(let file, let line, let date, let previous):
            return "\(file): line \(line): date \(date) is not after the previous date \(previous): rows must be in increasing date order"
        case .tooFewObservations(let file, let count, let needed):
            return "\(file): \(count) usable value(s); the fit needs at least \(needed)"
        case .noMeanReversion(let file, let slope):
            return "\(file): no mean reversion in the series (AR(1) slope \(slope) is not in (0, 1)); an OU model does not fit"
        case .fitFailed(let model, let reason): return "\(model) fit failed: \(reason)"
        }
    }
}
