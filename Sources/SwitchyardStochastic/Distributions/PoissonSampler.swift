// SPDX-License-Identifier: GPL-3.0-or-later

import Foundation

/// Poisson counts with a fixed mean by inversion of a precomputed CDF table.
///
/// For the small means of per-step jump and spike counts (lambda dt << 1) almost every
/// draw is settled by one comparison, where `gsl_ran_poisson` would evaluate
/// `exp(-mean)` each time. The table runs until the remaining tail is below 1e-17,
/// beyond which a draw could not land in double precision; larger means fall back to
/// GSL.
public struct PoissonSampler: Hashable, Sendable {
    public let mean: Double
    /// cdf[k] = P(N <= k); empty when the mean is large (GSL is used instead).
    let cdf: [Double]

    public init(mean: Double) {
        precondition(mean >= 0 && mean.isFinite, "PoissonSampler: mean must be finite and >= 0")
        self.mean = mean
        guard mean <= 30 else {
            cdf = []
            return
        }
        var table: [Double] = []
        var term = exp(-mean)
        var total = term
        var k = 0
        table.append(total)
        while 1 - total > 1e-17 && k < 200 {
            k += 1
            term *= mean / Double(k)
            total += term
            table.append(total)
        }
        cdf = table
    }

    /// One count from `stream` (one uniform draw when the table is used).
    @inline(__always)
    public func sample(_ stream: RandomStream) -> Int {
        guard !cdf.isEmpty else { return stream.poisson(mean: mean) }
        let u = stream.uniform()
        var k = 0
        while k < cdf.count - 1 && u >= cdf[k] { k += 1 }
        return k
    }
}
