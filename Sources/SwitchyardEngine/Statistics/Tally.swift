// SPDX-License-Identifier: GPL-3.0-or-later

/// Running mean, variance, minimum and maximum of a sequence of observations.
///
/// Uses the shifted-data sums: with `K` the first observation,
/// ```
/// mean     = K + S1 / n,            S1 = sum (x - K)
/// variance = (S2 - S1^2 / n) / (n - 1),  S2 = sum (x - K)^2
/// ```
/// (Chan, Golub and LeVeque, "Algorithms for computing the sample variance", 1983).
/// Shifting by a typical value avoids the cancellation of the naive sums, and unlike
/// Welford's update `add` needs no division, which matters on the engine's hot path.
public struct Tally: Hashable, Sendable {
    @usableFromInline var _count: Int = 0
    @usableFromInline var shift: Double = 0
    @usableFromInline var sum: Double = 0
    @usableFromInline var sumOfSquares: Double = 0
    @usableFromInline var _minimum: Double = .infinity
    @usableFromInline var _maximum: Double = -.infinity

    public init() {}

    /// Adds one observation.
    @inlinable
    public mutating func add(_ value: Double) {
        if _count == 0 { shift = value }
        _count += 1
        let deviation = value - shift
        sum += deviation
        sumOfSquares += deviation * deviation
        if value < _minimum { _minimum = value }
        if value > _maximum { _maximum = value }
    }

    /// Number of observations.
    public var count: Int { _count }
    /// Sample mean; 0 with no observations.
    public var mean: Double { _count > 0 ? shift + sum / Double(_count) : 0 }
    /// Sum of the observations.
    public var total: Double { shift * Double(_count) + sum }
    /// Smallest observation; +infinity with none.
    public var minimum: Double { _minimum }
    /// Largest observation; -infinity with none.
    public var maximum: Double { _maximum }

    /// Unbiased sample variance (n - 1 in the denominator); 0 with fewer than 2 observations.
    public var variance: Double {
        guard _count > 1 else { return 0 }
        return max(0, (sumOfSquares - sum * sum / Double(_count)) / Double(_count - 1))
    }

    public var standardDeviation: Double { variance.squareRoot() }

    /// Standard error of the mean, valid for independent observations only
    /// (use ``BatchMeans`` for autocorrelated simulation output).
    public var standardError: Double { _count > 1 ? (variance / Double(_count)).squareRoot() : .infinity }
}
