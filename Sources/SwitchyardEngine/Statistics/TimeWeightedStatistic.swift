// SPDX-License-Identifier: GPL-3.0-or-later

/// The time average of a piecewise-constant quantity (units in use, queue length).
///
/// ```
/// mean = (1 / (t_end - t_start)) * integral of x(t) dt
/// ```
/// The value is recorded whenever it changes; the integral is accumulated exactly
/// for each constant piece.
public struct TimeWeightedStatistic: Hashable, Sendable {
    @usableFromInline var startTime: Double
    @usableFromInline var lastTime: Double
    @usableFromInline var current: Double
    @usableFromInline var area: Double = 0
    @usableFromInline var areaOfSquares: Double = 0
    @usableFromInline var _maximum: Double

    /// The value now (since the last change).
    public var value: Double { current }
    /// The largest value seen since the start (or the last reset).
    public var maximum: Double { _maximum }

    /// Starts observing at `time` with the value `value`.
    public init(value: Double = 0, at time: Double = 0) {
        startTime = time
        lastTime = time
        current = value
        _maximum = value
    }

    /// Records that the quantity changes to `value` at `time` (never earlier than the last change).
    @inlinable
    public mutating func record(_ value: Double, at time: Double) {
        let span = time - lastTime
        area += current * span
        areaOfSquares += current * current * span
        lastTime = time
        current = value
        if value > _maximum { _maximum = value }
    }

    /// Time average from the start up to `time`; the current value if no time has elapsed.
    public func mean(at time: Double) -> Double {
        let span = time - startTime
        guard span > 0 else { return current }
        return (area + current * (time - lastTime)) / span
    }

    /// Time-weighted variance up to `time`.
    public func variance(at time: Double) -> Double {
        let span = time - startTime
        guard span > 0 else { return 0 }
        let m = mean(at: time)
        let squares = (areaOfSquares + current * current * (time - lastTime)) / span
        return max(0, squares - m * m)
    }

    /// Forgets the history before `time` (e.g. the warm-up of a steady-state run),
    /// keeping the current value.
    public mutating func reset(at time: Double) {
        startTime = time
        lastTime = time
        area = 0
        areaOfSquares = 0
        _maximum = current
    }
}
