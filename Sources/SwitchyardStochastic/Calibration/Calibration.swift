// SPDX-License-Identifier: GPL-3.0-or-later

import Foundation

/// The models `switchyard calibrate` can fit.
public enum CalibrationModel: String, Hashable, Sendable, CaseIterable {
    case gbm, merton, ou
    /// The power price process: seasonality, mean reversion, volatility and spikes.
    case electricity
    /// The network hashrate that answers profitability.
    case network
    /// Transaction fees a block: mean-reverting log fees with spikes.
    case fees
}

/// One fitted parameter with its standard error.
public struct FittedParameter: Hashable, Sendable {
    public var name: String
    public var value: Double
    public var standardError: Double
    public var unit: String
}

/// The result of a fit.
public struct CalibrationResult: Hashable, Sendable {
    public var model: CalibrationModel
    public var parameters: [FittedParameter]
    /// Log-likelihood of the observations at the fitted parameters.
    public var logLikelihood: Double
    public var observations: Int
    public var periodsPerYear: Double
    /// Akaike information criterion, 2k - 2 ln L.
    public var aic: Double { 2 * Double(parameters.count) - 2 * logLikelihood }

    public subscript(name: String) -> FittedParameter? { parameters.first { $0.name == name } }
}

/// Fits price processes to a history by closed-form estimators (GBM, OU) or maximum
/// likelihood (Merton). Time is in years: one observation step is `1 / periodsPerYear`.
public enum Calibration {
    /// GBM from log returns r_i (Campbell, Lo and MacKinlay 1997, ch. 9):
    /// ```
    /// sigma = sd(r) sqrt(P),  mu = mean(r) P + sigma^2 / 2
    /// SE(sigma) = sigma / sqrt(2 (n - 1)),  SE(mu) = sqrt(sigma^2 P / n + sigma^4 / (2 (n - 1)))
    /// ```
    public static func fitGBM(logReturns r: [Double], periodsPerYear p: Double) throws(CalibrationError)
        -> CalibrationResult
    {
        let n = r.count
        guard n >= 3 else { throw .tooFewObservations(file: "returns", count: n, needed: 3) }
        let mean = r.reduce(0, +) / Double(n)
        let variance = r.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n - 1)
        let sigma = (variance * p).squareRoot()
        let mu = mean * p + sigma * sigma / 2
        let seSigma = sigma / (2 * Double(n - 1)).squareRoot()
        let seMu = (sigma * sigma * p / Double(n) + pow(sigma, 4) / (2 * Double(n - 1))).squareRoot()
        let dt = 1 / p
        let logLikelihood = r.reduce(0) {
            $0 + gaussianLogDensity($1, mean: (mu - sigma * sigma / 2) * dt, variance: sigma * sigma * dt)
        }
        return CalibrationResult(
            model: .gbm,
            parameters: [
                FittedParameter(name: "drift", value: mu, standardError: seMu, unit: "per year"),
                FittedParameter(name: "volatility", value: sigma, standardError: seSigma, unit: "per sqrt(year)"),
            ],
            logLikelihood: logLikelihood, observations: n, periodsPerYear: p)
    }

    /// Ornstein-Uhlenbeck on `x` (e.g. log prices) by the exact AR(1) regression
    /// x(i+1) = a + b x(i) + e (Brigo et al. 2009, "A stochastic processes toolkit for
    /// risk management"):
    /// ```
    /// kappa = -ln(b) / dt,  theta = a / (1 - b),  sigma = sd(e) sqrt(2 kappa / (1 - b^2))
    /// ```
    /// with standard errors by the delta method from the OLS covariance of (a, b).
    public static func fitOU(_ x: [Double], periodsPerYear p: Double, file: String = "series")
        throws(CalibrationError) -> CalibrationResult
    {
        let n = x.count - 1
        guard n >= 10 else { throw .tooFewObservations(file: file, count: x.count, needed: 11) }
        let xs = x.dropLast()
        let ys = x.dropFirst()
        let mx = xs.reduce(0, +) / Double(n)
        let my = ys.reduce(0, +) / Double(n)
        var sxx = 0.0
        var sxy = 0.0
        for (u, v) in zip(xs, ys) {
            sxx += (u - mx) * (u - mx)
            sxy += (u - mx) * (v - my)
        }
        let b = sxy / sxx
        let a = my - b * mx
        guard b > 0 && b < 1 else { throw .noMeanReversion(file: file, slope: b) }
        var sse = 0.0
        for (u, v) in zip(xs, ys) { sse += (v - a - b * u) * (v - a - b * u) }
        let s2 = sse / Double(n - 2)
        let s = s2.squareRoot()
        let varB = s2 / sxx
        let varA = s2 * (1 / Double(n) + mx * mx / sxx)
        let covAB = -mx * s2 / sxx
        let dt = 1 / p
        let kappa = -log(b) / dt
        let theta = a / (1 - b)
        func scale(_ b: Double) -> Double { (2 * (-log(b) / dt) / (1 - b * b)).squareRoot() }
        let sigma = s * scale(b)
        let dKappa = -1 / (b * dt)
        let (dThetaA, dThetaB) = (1 / (1 - b), a / ((1 - b) * (1 - b)))
        let h = 1e-6 * b
        let dScale = (scale(b + h) - scale(b - h)) / (2 * h)
        let seKappa = abs(dKappa) * varB.squareRoot()
        let seTheta = (dThetaA * dThetaA * varA + dThetaB * dThetaB * varB + 2 * dThetaA * dThetaB * covAB).squareRoot()
        let seSigma = (scale(b) * scale(b) * s2 / (2 * Double(n - 2)) + s2 * dScale * dScale * varB).squareRoot()
        let logLikelihood = zip(xs, ys).reduce(0) { $0 + gaussianLogDensity($1.1, mean: a + b * $1.0, variance: s2) }
        return CalibrationResult(
            model: .ou,
            parameters: [
                FittedParameter(name: "meanReversion", value: kappa, standardError: seKappa, unit: "per year"),
                FittedParameter(name: "longRunMean", value: theta, standardError: seTheta, unit: "same as series"),
                FittedParameter(name: "volatility", value: sigma, standardError: seSigma, unit: "per sqrt(year)"),
            ],
            logLikelihood: logLikelihood, observations: n, periodsPerYear: p)
    }

    /// Merton jump diffusion by maximum likelihood on log returns. The density of one
    /// return over dt is the Poisson mixture
    /// ```
    /// f(r) = sum_k e^(-lambda dt) (lambda dt)^k / k! * N(r; m dt + k muJ, sigma^2 dt + k sigmaJ^2)
    /// ```
    /// (m = mu - lambda k_J - sigma^2/2), truncated where the Poisson weight is negligible.
    /// Minimised by Nelder-Mead over (m, ln sigma, ln lambda, muJ, ln sigmaJ); standard
    /// errors from the inverse numerical Hessian, mapped by the delta method.
    public static func fitMerton(logReturns r: [Double], periodsPerYear p: Double) throws(CalibrationError)
        -> CalibrationResult
    {
        let n = r.count
        guard n >= 50 else { throw .tooFewObservations(file: "returns", count: n, needed: 50) }
        guard n <= 200_000 else {
            throw .fitFailed(model: "merton", reason: "\(n) returns: the likelihood fit is limited to 200,000 (use a shorter or coarser history)")
        }
        let dt = 1 / p
        let mean = r.reduce(0, +) / Double(n)
        let sd = (r.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n - 1)).squareRoot()
        guard sd > 1e-12 * max(1, abs(mean)) else {
            throw .fitFailed(model: "merton", reason: "the returns do not vary (a constant-growth series): there is no volatility or jump to fit")
        }
        // Start: returns beyond 3 sd are taken as jumps.
        let tails = r.filter { abs($0 - mean) > 3 * sd }
        let lambda0 = max(Double(tails.count), 1) / (Double(n) * dt)
        let muJ0 = tails.isEmpty ? 0 : tails.reduce(0, +) / Double(tails.count)
        let sigmaJ0 = max(2 * sd, 1e-4)
        let inner = r.filter { abs($0 - mean) <= 3 * sd }
        let innerMean = inner.reduce(0, +) / Double(max(inner.count, 1))
        let innerSD = (inner.reduce(0) { $0 + ($1 - innerMean) * ($1 - innerMean) } / Double(max(inner.count - 1, 1)))
            .squareRoot()
        let start = [innerMean / dt, log(max(innerSD, 1e-6) / dt.squareRoot()), log(lambda0), muJ0, log(sigmaJ0)]
        let negativeLogLikelihood: ([Double]) -> Double = { theta in
            -mertonLogLikelihood(r, dt: dt, theta: theta)
        }
        let fit: (x: [Double], value: Double, iterations: Int)
        do {
            // Two rounds: restarting Nelder-Mead from its own optimum avoids early collapse.
            let first = try Numerics.nelderMead(
                start: start, steps: [abs(start[0]) * 0.5 + 0.1, 0.3, 0.5, 0.02, 0.3], tolerance: 1e-7, maxIterations: 3_000,
                negativeLogLikelihood)
            fit = try Numerics.nelderMead(
                start: first.x, steps: [0.05, 0.05, 0.1, 0.005, 0.05], tolerance: 1e-9, maxIterations: 3_000, negativeLogLikelihood)
        } catch {
            throw .fitFailed(model: "merton", reason: error.description)
        }
        guard fit.iterations < 3_000 else {
            throw .fitFailed(model: "merton", reason: "the likelihood search did not converge in 3,000 iterations (the data may not show jumps)")
        }
        let theta = fit.x
        // Natural parameters: drift mu, sigma, lambda, muJ, sigmaJ.
        func natural(_ t: [Double]) -> [Double] {
            let sigma = exp(t[1])
            let lambda = exp(t[2])
            let sigmaJ = exp(t[4])
            let k = expm1(t[3] + sigmaJ * sigmaJ / 2)
            return [t[0] + lambda * k + sigma * sigma / 2, sigma, lambda, t[3], sigmaJ]
        }
        var standardErrors = [Double](repeating: .nan, count: 5)
        if let covariance = try? Numerics.inverse(Numerics.hessian(at: theta, negativeLogLikelihood)) {
            // Delta method: J Cov J^T with a numerical Jacobian of `natural`.
            var jacobian = [[Double]](repeating: [Double](repeating: 0, count: 5), count: 5)
            for j in 0..<5 {
                let h = 1e-6 * max(1, abs(theta[j]))
                var plus = theta, minus = theta
                plus[j] += h
                minus[j] -= h
                let (np, nm) = (natural(plus), natural(minus))
                for i in 0..<5 { jacobian[i][j] = (np[i] - nm[i]) / (2 * h) }
            }
            for i in 0..<5 {
                var v = 0.0
                for a in 0..<5 { for b in 0..<5 { v += jacobian[i][a] * covariance[a][b] * jacobian[i][b] } }
                standardErrors[i] = v > 0 ? v.squareRoot() : .nan
            }
        }
        let values = natural(theta)
        let names = ["drift", "volatility", "jumpsPerYear", "jumpLogMean", "jumpLogSD"]
        let units = ["per year", "per sqrt(year)", "jumps per year", "log size", "log size"]
        return CalibrationResult(
            model: .merton,
            parameters: (0..<5).map {
                FittedParameter(name: names[$0], value: values[$0], standardError: standardErrors[$0], unit: units[$0])
            },
            logLikelihood: -fit.value, observations: n, periodsPerYear: p)
    }

    static func mertonLogLikelihood(_ r: [Double], dt: Double, theta: [Double]) -> Double {
        let m = theta[0]
        let sigma2 = exp(2 * theta[1])
        let lambdaDt = exp(theta[2]) * dt
        let muJ = theta[3]
        let sigmaJ2 = exp(2 * theta[4])
        guard lambdaDt < 50, sigma2 > 0, sigmaJ2 > 0 else { return -.infinity }
        // Poisson weights up to where they are negligible (at least 3 terms).
        var weights: [Double] = []
        var weight = exp(-lambdaDt)
        var k = 0
        while k < 3 || (weight > 1e-12 && k < 60) {
            weights.append(weight)
            k += 1
            weight *= lambdaDt / Double(k)
        }
        var total = 0.0
        for x in r {
            var density = 0.0
            for (j, w) in weights.enumerated() {
                let variance = sigma2 * dt + Double(j) * sigmaJ2
                let d = x - m * dt - Double(j) * muJ
                density += w * exp(-d * d / (2 * variance)) / (2 * Double.pi * variance).squareRoot()
            }
            guard density > 0 else { return -.infinity }
            total += log(density)
        }
        return total
    }

    static func gaussianLogDensity(_ x: Double, mean: Double, variance: Double) -> Double {
        -0.5 * (log(2 * Double.pi * variance) + (x - mean) * (x - mean) / variance)
    }
}
