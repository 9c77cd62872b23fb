// SPDX-License-Identifier: GPL-3.0-or-later

/// Arrival times of a Poisson process on [start, end), homogeneous or not.
///
/// The non-homogeneous case uses thinning (Lewis and Shedler 1979): candidates from a
/// homogeneous process at `maximumRate` are kept with probability `rate(t) / maximumRate`.
public struct PoissonArrivals: Sendable {
    public let maximumRate: Double
    let rate: @Sendable (Double) -> Double
    let isHomogeneous: Bool

    /// A homogeneous process with `rate` arrivals per unit of time.
    public init(rate: Double) {
        precondition(rate >= 0 && rate.isFinite, "PoissonArrivals: rate must be finite and >= 0")
        maximumRate = rate
        self.rate = { _ in rate }
        isHomogeneous = true
    }

    /// A non-homogeneous process; `rate(t)` must never exceed `maximumRate` (checked).
    public init(maximumRate: Double, rate: @escaping @Sendable (Double) -> Double) {
        precondition(maximumRate >= 0 && maximumRate.isFinite, "PoissonArrivals: maximumRate must be finite and >= 0")
        self.maximumRate = maximumRate
        self.rate = rate
        isHomogeneous = false
    }

    /// The next arrival after `time`, or `nil` if none comes before `end`.
    public func next(after time: Double, before end: Double, stream: RandomStream) -> Double? {
        guard maximumRate > 0 else { return nil }
        var t = time
        while true {
            t += stream.exponential(mean: 1 / maximumRate)
            if t >= end { return nil }
            if isHomogeneous { return t }
            let r = rate(t)
            precondition(r <= maximumRate * (1 + 1e-12) && r >= 0, "PoissonArrivals: rate(\(t)) = \(r) outside [0, max]")
            if stream.uniform() * maximumRate < r { return t }
        }
    }

    /// All arrivals in [start, end).
    public func arrivals(from start: Double, to end: Double, stream: RandomStream) -> [Double] {
        var times: [Double] = []
        var t = start
        while let next = next(after: t, before: end, stream: stream) {
            times.append(next)
            t = next
        }
        return times
    }
}
