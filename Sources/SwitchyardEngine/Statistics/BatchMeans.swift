// SPDX-License-Identifier: GPL-3.0-or-later

/// Confidence interval for the steady-state mean of an autocorrelated output series
/// by the method of non-overlapping batch means.
///
/// The series is cut into `batches` equal consecutive batches; for batches long
/// compared with the autocorrelation time their means are nearly independent, so
/// ```
/// SE = sd(batch means) / sqrt(batches)
/// ```
/// (Law, *Simulation Modeling and Analysis*, 5th ed., section 9.5.3). Leftover
/// observations at the end that do not fill a batch are ignored.
public struct BatchMeans: Hashable, Sendable {
    /// The mean of the batch means (the grand mean of the observations used).
    public let mean: Double
    /// Standard error of `mean`.
    public let standardError: Double
    /// Number of batches used.
    public let batches: Int
    /// Observations per batch.
    public let batchSize: Int

    /// - Parameters:
    ///   - observations: the output series, in time order, warm-up already removed.
    ///   - batches: number of batches, at least 2 (20-30 is usual).
    public init(_ observations: some Collection<Double>, batches: Int = 30) {
        precondition(batches >= 2, "BatchMeans: need at least 2 batches")
        let size = observations.count / batches
        precondition(size >= 1, "BatchMeans: fewer observations than batches")
        var tally = Tally()
        var index = observations.startIndex
        for _ in 0..<batches {
            var sum = 0.0
            for _ in 0..<size {
                sum += observations[index]
                index = observations.index(after: index)
            }
            tally.add(sum / Double(size))
        }
        mean = tally.mean
        standardError = (tally.variance / Double(batches)).squareRoot()
        self.batches = batches
        batchSize = size
    }
}
