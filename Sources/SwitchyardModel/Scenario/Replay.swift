// SPDX-License-Identifier: GPL-3.0-or-later

import Foundation

/// A stochastic input replaced by a recorded series (`replay: FILE`): one value a
/// period (a day, or an hour with an hour column) from the scenario's first hour,
/// the same on every Monte Carlo path.
///
/// The value the site uses over a step [t, t + step) is the mean of the periods the
/// step covers, weighted by their overlap: with daily data and a 6-hour step, the
/// day's value itself; with hourly power prices and a 6-hour step, the mean of the six
/// hours.
public struct Replay: Hashable, Sendable {
    /// The file, as resolved, and the column read.
    public var file: String
    public var column: String
    /// 24 (daily rows) or 1 (hourly rows).
    public var periodHours: Double
    /// values[k] covers hours [k p, (k + 1) p) from the scenario's start.
    public var values: [Double]
    /// Periods missing from the file and carried forward from the one before
    /// (`fill: previous`; 0 unless asked for).
    public var filledPeriods = 0
    /// How the file was read (the keys of the scenario, for its export).
    public var dateColumn = "date"
    public var hourColumn: String?
    public var scale = 1.0
    public var fillPrevious = false

    public init(file: String, column: String, periodHours: Double, values: [Double], filledPeriods: Int = 0) {
        self.file = file
        self.column = column
        self.periodHours = periodHours
        self.values = values
        self.filledPeriods = filledPeriods
    }

    /// The mean over hours [start, start + hours): a step inside one period gets that
    /// period's value exactly. Hours past the series' end read its last period.
    public func mean(fromHour start: Double, hours: Double) -> Double {
        let last = values.count - 1
        let first = min(last, max(0, Int((start / periodHours + 1e-9).rounded(.down))))
        let end = start + hours
        let final = min(last, max(first, Int((end / periodHours - 1e-9).rounded(.up)) - 1))
        if final == first { return values[first] }
        var sum = 0.0
        for k in first...final {
            let lo = max(start, Double(k) * periodHours)
            let hi = k == final && final == last ? end : min(end, Double(k + 1) * periodHours)
            sum += values[k] * (hi - lo)
        }
        return sum / hours
    }

    /// The value a run stepped every `stepHours` uses over each of its `steps` steps
    /// (step k covers [k step, (k + 1) step)).
    public func stepValues(stepHours: Double, steps: Int) -> [Double] {
        (0..<steps).map { mean(fromHour: Double($0) * stepHours, hours: stepHours) }
    }
}
