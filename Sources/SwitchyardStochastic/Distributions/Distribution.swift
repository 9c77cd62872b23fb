// SPDX-License-Identifier: GPL-3.0-or-later

internal import CGSL
import Foundation

/// A univariate distribution for scenario inputs (capex, lead times, prices, ...).
///
/// Parametrisations are named so they cannot be confused: `lognormal(logMean:logSD:)`
/// takes the parameters of the underlying normal; ``lognormal(mean:sd:)`` takes the
/// mean and standard deviation of the variable itself. `exponential(mean:)` takes the
/// mean (as GSL's `mu` does), not the rate.
public indirect enum Distribution: Hashable, Sendable {
    case constant(Double)
    case normal(mean: Double, sd: Double)
    case lognormal(logMean: Double, logSD: Double)
    case gamma(shape: Double, scale: Double)
    case beta(a: Double, b: Double)
    case exponential(mean: Double)
    case poisson(mean: Double)
    case uniform(low: Double, high: Double)
    case triangular(low: Double, mode: Double, high: Double)
    /// PERT: a beta on [low, high] with mean (low + 4 mode + high) / 6
    /// (shape alpha = 1 + 4 (mode - low)/(high - low), beta = 1 + 4 (high - mode)/(high - low)).
    case pert(low: Double, mode: Double, high: Double)
    /// Resampling with replacement from observed values (bootstrap).
    case empirical([Double])
    /// `base` conditioned on [low, high].
    case truncated(Distribution, low: Double, high: Double)

    /// A lognormal with the given mean and standard deviation of the variable itself:
    /// `sigma^2 = ln(1 + sd^2/mean^2)`, `mu = ln(mean) - sigma^2/2`.
    public static func lognormal(mean: Double, sd: Double) -> Distribution {
        let logVariance = log1p(sd * sd / (mean * mean))
        return .lognormal(logMean: log(mean) - logVariance / 2, logSD: logVariance.squareRoot())
    }

    // MARK: Validation

    /// Problems with the parameters, as rules broken; empty when valid.
    public var problems: [String] {
        func finite(_ values: Double...) -> Bool { values.allSatisfy(\.isFinite) }
        switch self {
        case .constant(let value):
            return finite(value) ? [] : ["value must be finite"]
        case .normal(let mean, let sd), .lognormal(let mean, let sd):
            return finite(mean, sd) && sd >= 0 ? [] : ["mean must be finite and sd >= 0"]
        case .gamma(let shape, let scale):
            return finite(shape, scale) && shape > 0 && scale > 0 ? [] : ["shape and scale must be > 0"]
        case .beta(let a, let b):
            return finite(a, b) && a > 0 && b > 0 ? [] : ["a and b must be > 0"]
        case .exponential(let mean):
            return finite(mean) && mean > 0 ? [] : ["mean must be > 0"]
        case .poisson(let mean):
            return finite(mean) && mean >= 0 ? [] : ["mean must be >= 0"]
        case .uniform(let low, let high):
            return finite(low, high) && low < high ? [] : ["low must be < high"]
        case .triangular(let low, let mode, let high), .pert(let low, let mode, let high):
            return finite(low, mode, high) && low <= mode && mode <= high && low < high
                ? [] : ["need low <= mode <= high and low < high"]
        case .empirical(let values):
            if values.isEmpty { return ["needs at least one value"] }
            return values.allSatisfy(\.isFinite) ? [] : ["values must be finite"]
        case .truncated(let base, let low, let high):
            var problems = base.problems
            if !(low < high) { problems.append("truncation needs low < high") }
            if problems.isEmpty, let mass = base.probability(between: low, and: high), mass < 1e-12 {
                problems.append("truncation interval [\(low), \(high)] has (almost) no probability")
            }
            return problems
        }
    }

    // MARK: Sampling

    /// One draw from `stream`.
    public func sample(_ stream: RandomStream) -> Double {
        let rng = stream.rng
        switch self {
        case .constant(let value): return value
        case .normal(let mean, let sd): return mean + gsl_ran_gaussian_ziggurat(rng, sd)
        case .lognormal(let mu, let sigma): return gsl_ran_lognormal(rng, mu, sigma)
        case .gamma(let shape, let scale): return gsl_ran_gamma(rng, shape, scale)
        case .beta(let a, let b): return gsl_ran_beta(rng, a, b)
        case .exponential(let mean): return gsl_ran_exponential(rng, mean)
        case .poisson(let mean): return Double(gsl_ran_poisson(rng, mean))
        case .uniform(let low, let high): return gsl_ran_flat(rng, low, high)
        case .triangular(let low, let mode, let high):
            return Self.triangularQuantile(gsl_rng_uniform(rng), low, mode, high)
        case .pert(let low, let mode, let high):
            let (a, b) = Self.pertShape(low, mode, high)
            return low + (high - low) * gsl_ran_beta(rng, a, b)
        case .empirical(let values):
            return values[Int(gsl_rng_uniform_int(rng, UInt(values.count)))]
        case .truncated(let base, let low, let high):
            // Exact inversion where the base CDF and quantile are known; rejection otherwise.
            if let pLow = base.cdf(low), let pHigh = base.cdf(high) {
                let u = pLow + (pHigh - pLow) * gsl_rng_uniform_pos(rng)
                if let x = base.quantile(u) { return min(max(x, low), high) }
            }
            for _ in 0..<1_000_000 {
                let x = base.sample(stream)
                if x >= low && x <= high { return x }
            }
            preconditionFailure("Distribution.truncated: acceptance rate too low (validate with `problems`)")
        }
    }

    // MARK: Moments

    /// The mean, where it has a closed form.
    public var mean: Double? {
        switch self {
        case .constant(let value): return value
        case .normal(let mean, _): return mean
        case .lognormal(let mu, let sigma): return exp(mu + sigma * sigma / 2)
        case .gamma(let shape, let scale): return shape * scale
        case .beta(let a, let b): return a / (a + b)
        case .exponential(let mean), .poisson(let mean): return mean
        case .uniform(let low, let high): return (low + high) / 2
        case .triangular(let low, let mode, let high): return (low + mode + high) / 3
        case .pert(let low, let mode, let high): return (low + 4 * mode + high) / 6
        case .empirical(let values): return values.reduce(0, +) / Double(values.count)
        case .truncated(.normal(let mu, let sd), let low, let high):
            let (alpha, beta) = ((low - mu) / sd, (high - mu) / sd)
            let z = gsl_cdf_ugaussian_P(beta) - gsl_cdf_ugaussian_P(alpha)
            return mu + sd * (gsl_ran_ugaussian_pdf(alpha) - gsl_ran_ugaussian_pdf(beta)) / z
        case .truncated: return nil
        }
    }

    /// The variance, where it has a closed form.
    public var variance: Double? {
        switch self {
        case .constant: return 0
        case .normal(_, let sd): return sd * sd
        case .lognormal(let mu, let sigma): return expm1(sigma * sigma) * exp(2 * mu + sigma * sigma)
        case .gamma(let shape, let scale): return shape * scale * scale
        case .beta(let a, let b): return a * b / ((a + b) * (a + b) * (a + b + 1))
        case .exponential(let mean): return mean * mean
        case .poisson(let mean): return mean
        case .uniform(let low, let high): return (high - low) * (high - low) / 12
        case .triangular(let a, let c, let b): return (a * a + b * b + c * c - a * b - a * c - b * c) / 18
        case .pert(let low, let mode, let high):
            let (a, b) = Self.pertShape(low, mode, high)
            return (high - low) * (high - low) * a * b / ((a + b) * (a + b) * (a + b + 1))
        case .empirical(let values):
            let m = values.reduce(0, +) / Double(values.count)
            return values.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(values.count)
        case .truncated(.normal(let mu, let sd), let low, let high):
            let (alpha, beta) = ((low - mu) / sd, (high - mu) / sd)
            let z = gsl_cdf_ugaussian_P(beta) - gsl_cdf_ugaussian_P(alpha)
            let (pa, pb) = (gsl_ran_ugaussian_pdf(alpha), gsl_ran_ugaussian_pdf(beta))
            let a = alpha.isFinite ? alpha * pa : 0
            let b = beta.isFinite ? beta * pb : 0
            return sd * sd * (1 + (a - b) / z - ((pa - pb) / z) * ((pa - pb) / z))
        case .truncated: return nil
        }
    }

    // MARK: CDF and quantile (where GSL has them)

    /// P(X <= x), where available.
    public func cdf(_ x: Double) -> Double? {
        switch self {
        case .normal(let mean, let sd): return gsl_cdf_gaussian_P(x - mean, sd)
        case .lognormal(let mu, let sigma): return x <= 0 ? 0 : gsl_cdf_lognormal_P(x, mu, sigma)
        case .gamma(let shape, let scale): return x <= 0 ? 0 : gsl_cdf_gamma_P(x, shape, scale)
        case .beta(let a, let b): return x <= 0 ? 0 : x >= 1 ? 1 : gsl_cdf_beta_P(x, a, b)
        case .exponential(let mean): return x <= 0 ? 0 : gsl_cdf_exponential_P(x, mean)
        case .uniform(let low, let high): return min(1, max(0, (x - low) / (high - low)))
        default: return nil
        }
    }

    /// The p-quantile, where available.
    public func quantile(_ p: Double) -> Double? {
        switch self {
        case .normal(let mean, let sd): return mean + gsl_cdf_gaussian_Pinv(p, sd)
        case .lognormal(let mu, let sigma): return gsl_cdf_lognormal_Pinv(p, mu, sigma)
        case .gamma(let shape, let scale): return gsl_cdf_gamma_Pinv(p, shape, scale)
        case .beta(let a, let b): return gsl_cdf_beta_Pinv(p, a, b)
        case .exponential(let mean): return gsl_cdf_exponential_Pinv(p, mean)
        case .uniform(let low, let high): return low + p * (high - low)
        default: return nil
        }
    }

    /// P(low <= X <= high), where the CDF is available.
    func probability(between low: Double, and high: Double) -> Double? {
        guard let a = cdf(low), let b = cdf(high) else { return nil }
        return b - a
    }

    static func triangularQuantile(_ u: Double, _ low: Double, _ mode: Double, _ high: Double) -> Double {
        let split = (mode - low) / (high - low)
        return u < split
            ? low + ((high - low) * (mode - low) * u).squareRoot()
            : high - ((high - low) * (high - mode) * (1 - u)).squareRoot()
    }

    static func pertShape(_ low: Double, _ mode: Double, _ high: Double) -> (Double, Double) {
        (1 + 4 * (mode - low) / (high - low), 1 + 4 * (high - mode) / (high - low))
    }
}
