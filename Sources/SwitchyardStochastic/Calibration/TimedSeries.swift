// SPDX-License-Identifier: GPL-3.0-or-later

import Foundation

/// A price series with a time for each value: an ISO date column and, for hourly data,
/// an hour-ending column (1-24, as ERCOT publishes). Unlike ``PriceHistory`` it keeps
/// zero and negative prices (power prices go negative); a row without a usable date,
/// hour or value is listed, and refused unless `skipBadRows`.
public struct TimedSeries: Sendable {
    public let file: String
    /// Years since 1 January of the first row's year (365-day years).
    public let times: [Double]
    /// Each row's day, as days since 1970-01-01 (to join series by date).
    public let days: [Int]
    public let values: [Double]
    /// Each row's hour of the day, 0-23 (hour ending h is hour h - 1; 0 without an hour column).
    public let hoursOfDay: [Int]
    public let skippedRows: [BadRow]

    public init(
        contentsOf path: String, column: String, dateColumn: String, hourColumn: String?, skipBadRows: Bool = false
    ) throws(CalibrationError) {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw .cannotRead(file: path, reason: error.localizedDescription)
        }
        try self.init(csv: text, file: path, column: column, dateColumn: dateColumn, hourColumn: hourColumn, skipBadRows: skipBadRows)
    }

    public init(
        csv text: String, file: String, column: String, dateColumn: String, hourColumn: String?, skipBadRows: Bool = false
    ) throws(CalibrationError) {
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map(String.init)
        while lines.last?.isEmpty == true { lines.removeLast() }
        guard let headerLine = lines.first else { throw .emptyFile(file: file) }
        let header = PriceHistory.fields(headerLine).map { $0.trimmingCharacters(in: .whitespaces) }
        guard let valueIndex = header.firstIndex(of: column) else {
            throw .missingColumn(file: file, column: column, available: header)
        }
        guard let dateIndex = header.firstIndex(of: dateColumn) else {
            throw .missingColumn(file: file, column: dateColumn, available: header)
        }
        var hourIndex: Int?
        if let hourColumn {
            guard let index = header.firstIndex(of: hourColumn) else {
                throw .missingColumn(file: file, column: hourColumn, available: header)
            }
            hourIndex = index
        }
        var times: [Double] = []
        var days: [Int] = []
        var values: [Double] = []
        var hoursOfDay: [Int] = []
        var bad: [BadRow] = []
        var origin: Int?
        var lastStamp: Double?
        for (offset, line) in lines.enumerated().dropFirst() {
            let number = offset + 1
            let fields = PriceHistory.fields(line)
            guard fields.count == header.count else {
                bad.append(BadRow(line: number, text: line, reason: "has \(fields.count) fields, header has \(header.count)"))
                continue
            }
            let dateText = fields[dateIndex].trimmingCharacters(in: .whitespaces)
            guard let day = Self.dayNumber(dateText) else {
                bad.append(BadRow(line: number, text: line, reason: "\(dateColumn) = '\(dateText)' is not a date (YYYY-MM-DD)"))
                continue
            }
            var hour = 1.0
            if let hourIndex {
                let raw = fields[hourIndex].trimmingCharacters(in: .whitespaces)
                guard let h = Int(raw), (1...24).contains(h) else {
                    bad.append(BadRow(line: number, text: line, reason: "\(hourColumn!) = '\(raw)' is not an hour ending 1-24"))
                    continue
                }
                hour = Double(h)
            }
            let raw = fields[valueIndex].trimmingCharacters(in: .whitespaces)
            guard let value = Double(raw), value.isFinite else {
                bad.append(BadRow(line: number, text: line, reason: "\(column) = '\(raw)' is not a finite number"))
                continue
            }
            if origin == nil { origin = Self.dayNumber(String(dateText.prefix(4)) + "-01-01") }
            let stamp = (Double(day - origin!) + (hour - 1) / 24) / 365
            if let lastStamp, stamp <= lastStamp {
                throw .datesNotIncreasing(file: file, line: number, date: dateText + (hourIndex == nil ? "" : " hour \(Int(hour))"), previous: "the row before")
            }
            lastStamp = stamp
            times.append(stamp)
            days.append(day)
            values.append(value)
            hoursOfDay.append(Int(hour) - 1)
        }
        if !bad.isEmpty && !skipBadRows { throw .badRows(file: file, column: column, rows: bad) }
        self.file = file
        self.times = times
        self.days = days
        self.values = values
        self.hoursOfDay = hoursOfDay
        self.skippedRows = bad
    }

    /// The series averaged over blocks of `hours` (block k covers [k h, (k + 1) h) hours
    /// of the year): the model's own step, e.g. 6 hours. A block is kept only when every
    /// one of its `hours / observation step` observations is present.
    public func averaged(overHours hours: Double, observationHours: Double) -> (times: [Double], values: [Double]) {
        Self.averaged(times: times, values: values, overHours: hours, observationHours: observationHours)
    }

    /// ``averaged(overHours:observationHours:)`` of any (times, values).
    public static func averaged(
        times sourceTimes: [Double], values sourceValues: [Double], overHours hours: Double, observationHours: Double
    ) -> (times: [Double], values: [Double]) {
        var times: [Double] = []
        var values: [Double] = []
        let needed = max(1, Int((hours / observationHours).rounded()))
        var current: Int?
        var sum = 0.0
        var count = 0
        func flush() {
            if let current, count == needed {
                times.append(Double(current) * hours / 8_760)
                values.append(sum / Double(count))
            }
        }
        for (t, v) in zip(sourceTimes, sourceValues) {
            let block = Int((t * 8_760 / hours + 1e-9).rounded(.down))
            if block != current {
                flush()
                current = block
                sum = 0
                count = 0
            }
            sum += v
            count += 1
        }
        flush()
        return (times, values)
    }

    /// YYYY-MM-DD of a day number (days since 1970-01-01).
    public static func date(fromDay day: Int) -> String {
        // Howard Hinnant's civil_from_days.
        let z = day + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        return String(format: "%04d-%02d-%02d", y, m, d)
    }

    /// Days since 1970-01-01 of an ISO date (proleptic Gregorian), or nil.
    public static func dayNumber(_ text: String) -> Int? {
        let parts = text.split(separator: "-")
        guard parts.count == 3, let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
            (1...12).contains(m), (1...31).contains(d), (1...9999).contains(y)
        else { return nil }
        let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
        let lengths = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        guard d <= lengths[m - 1] else { return nil }
        // Howard Hinnant's days_from_civil.
        let yy = m <= 2 ? y - 1 : y
        let era = (yy >= 0 ? yy : yy - 399) / 400
        let yoe = yy - era * 400
        let mp = (m + 9) % 12
        let doy = (153 * mp + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}
