// SPDX-License-Identifier: GPL-3.0-or-later

internal import CGSL

/// Streaming statistics on `gsl_rstat`: mean, variance, skewness, kurtosis, extremes
/// and a P-square running median, in O(1) memory. Owned by one task (not `Sendable`).
public final class RunningStatistics {
    let workspace: UnsafeMutablePointer<gsl_rstat_workspace>

    public init() {
        GSLRuntime.prepare()
        guard let workspace = gsl_rstat_alloc() else { preconditionFailure("gsl_rstat_alloc failed") }
        self.workspace = workspace
    }

    deinit { gsl_rstat_free(workspace) }

    public func add(_ value: Double) {
        precondition(!value.isNaN, "RunningStatistics: NaN observation")
        _ = gsl_rstat_add(value, workspace)
    }

    public var count: Int { Int(gsl_rstat_n(workspace)) }
    public var mean: Double { gsl_rstat_mean(workspace) }
    /// Unbiased sample variance.
    public var variance: Double { gsl_rstat_variance(workspace) }
    public var standardDeviation: Double { gsl_rstat_sd(workspace) }
    /// Standard error of the mean (independent observations).
    public var standardError: Double { gsl_rstat_sd_mean(workspace) }
    public var skewness: Double { gsl_rstat_skew(workspace) }
    public var kurtosis: Double { gsl_rstat_kurtosis(workspace) }
    public var minimum: Double { gsl_rstat_min(workspace) }
    public var maximum: Double { gsl_rstat_max(workspace) }
    /// Running median estimate (P-square algorithm).
    public var median: Double { gsl_rstat_median(workspace) }
}

@available(*, unavailable)
extension RunningStatistics: Sendable {}

/// Exact sample quantiles.
public enum Quantiles {
    /// The p-quantiles of `values` (p in [0, 1]) with linear interpolation between
    /// order statistics at position (n - 1) p — the definition of Excel's
    /// PERCENTILE.INC and of `gsl_stats_quantile_from_sorted_data`.
    public static func percentiles(_ values: [Double], at probabilities: [Double]) -> [Double] {
        precondition(!values.isEmpty, "Quantiles: no values")
        precondition(probabilities.allSatisfy { $0 >= 0 && $0 <= 1 }, "Quantiles: probabilities must be in [0, 1]")
        precondition(!values.contains { $0.isNaN }, "Quantiles: NaN in values")
        var sorted = values
        sorted.withUnsafeMutableBufferPointer { gsl_sort($0.baseAddress, 1, $0.count) }
        return sorted.withUnsafeBufferPointer { buffer in
            probabilities.map { gsl_stats_quantile_from_sorted_data(buffer.baseAddress, 1, buffer.count, $0) }
        }
    }
}

/// A streaming estimate of one quantile in O(1) memory: the P-square algorithm of
/// Jain and Chlamtac (1985) as implemented by `gsl_rstat_quantile`. Deterministic for a
/// given order of observations. Exact for the first five observations, then an
/// estimate (typically within a fraction of a percent of the sample quantile for
/// smooth distributions and thousands of observations).
public final class StreamingQuantile {
    let workspace: UnsafeMutablePointer<gsl_rstat_quantile_workspace>
    public let probability: Double

    public init(probability: Double) {
        precondition(probability > 0 && probability < 1, "StreamingQuantile: probability must be in (0, 1)")
        GSLRuntime.prepare()
        guard let workspace = gsl_rstat_quantile_alloc(probability) else {
            preconditionFailure("gsl_rstat_quantile_alloc failed")
        }
        self.workspace = workspace
        self.probability = probability
    }

    deinit { gsl_rstat_quantile_free(workspace) }

    public func add(_ value: Double) {
        precondition(!value.isNaN, "StreamingQuantile: NaN observation")
        _ = gsl_rstat_quantile_add(value, workspace)
    }

    /// The current estimate (NaN before any observation).
    public var value: Double { workspace.pointee.n == 0 ? .nan : gsl_rstat_quantile_get(workspace) }
}

@available(*, unavailable)
extension StreamingQuantile: Sendable {}
