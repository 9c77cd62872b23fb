// SPDX-License-Identifier: GPL-3.0-or-later

import Foundation

extension Calibration {
    /// Fits ``ProfitabilityHashrate`` to a history observed every `1 / periodsPerYear`
    /// years: network hashrate H (EH/s), network revenue R (USD/day), the BTC price P
    /// and network efficiency e (J/TH). As in the model, the revenue that drives the
    /// hashrate is today's reward at the lagged price: R_L(i) = R(i) P(i - L) / P(i).
    ///
    /// 1. The efficiency frontier: ln e = ln e0 - g t by least squares.
    /// 2. With the all-in cost c(t) = c0 e^(gamma t), the model's step is linear:
    ///    ln H(i+1) - ln H(i) = a (x_i - ln c0 - gamma t_i) + eps,
    ///    x_i = ln R_L(i) - ln(24 e_i) - ln H_i, so the regression
    ///    y = b0 + a x + b2 t gives a, ln c0 = -b0 / a and gamma = -b2 / a; the lag L
    ///    (0 ... `maxLagYears`) is the one with the smallest residual sum of squares.
    /// 3. kappa = -ln(1 - a) / dt, one speed for entry and exit (the 2016-2023 network
    ///    rarely shrank: an exit speed of its own is not identified there);
    ///    sigma = sd(eps) / sqrt(dt).
    ///
    /// Standard errors: from the OLS covariance, by the delta method; e0 and g from their
    /// regression, inflated for autocorrelated residuals by sqrt((1 + rho) / (1 - rho)),
    /// rho their lag-1 autocorrelation. The lag is chosen, not estimated with an error.
    public static func fitNetwork(
        times t: [Double], hashrateEHs h: [Double], revenueUSDPerDay r: [Double], priceUSD price: [Double],
        efficiencyJPerTH e: [Double],
        periodsPerYear p: Double, maxLagYears: Double = 0.5, file: String = "series"
    ) throws(CalibrationError) -> CalibrationResult {
        let n = h.count
        guard n >= 30, t.count == n, r.count == n, e.count == n, price.count == n else {
            throw .tooFewObservations(file: file, count: n, needed: 30)
        }
        guard h.allSatisfy({ $0 > 0 && $0.isFinite }), r.allSatisfy({ $0 > 0 && $0.isFinite }), e.allSatisfy({ $0 > 0 && $0.isFinite }),
            price.allSatisfy({ $0 > 0 && $0.isFinite })
        else { throw .fitFailed(model: "network", reason: "\(file): hashrate, revenue and efficiency must all be finite and > 0") }
        let dt = 1 / p
        let lh = h.map { log($0) }
        let lr = r.map { log($0) }
        let le = e.map { log($0) }
        let lp = price.map { log($0) }
        // 1. Efficiency frontier.
        let (a0, slope) = ols(t, le)
        let frontierResiduals = zip(t, le).map { $1 - a0 - slope * $0 }
        let rho = lagOneCorrelation(frontierResiduals)
        let inflation = ((1 + max(-0.99, min(0.99, rho))) / (1 - max(-0.99, min(0.99, rho)))).squareRoot()
        let tMean = t.reduce(0, +) / Double(n)
        let stt = t.reduce(0) { $0 + ($1 - tMean) * ($1 - tMean) }
        let s2e = frontierResiduals.reduce(0) { $0 + $1 * $1 } / Double(n - 2)
        let seSlope = (s2e / stt).squareRoot() * inflation
        let seIntercept = (s2e * (1 / Double(n) + tMean * tMean / stt)).squareRoot() * inflation
        // 2. For each lag: y = b0 + a x + b2 t, x = ln R_L - ln(24 e) - ln H (OLS, 3 x 3).
        struct Fit { var beta: [Double]; var covariance: [[Double]]; var sse: Double; var count: Int }
        func fit(lag: Int) -> Fit? {
            var xtx = [[Double]](repeating: [0, 0, 0], count: 3)
            var xty = [0.0, 0, 0]
            var rows: [([Double], Double)] = []
            for i in lag..<(n - 1) where t[i + 1] - t[i] < 1.5 * dt {
                let x = lr[i] - lp[i] + lp[i - lag] - log(24.0) - le[i] - lh[i]
                let row = [1, x, t[i]]
                let y = lh[i + 1] - lh[i]
                rows.append((row, y))
                for a in 0..<3 {
                    xty[a] += row[a] * y
                    for b in 0..<3 { xtx[a][b] += row[a] * row[b] }
                }
            }
            guard rows.count > 10, let inverse = try? Numerics.inverse(xtx) else { return nil }
            let beta = (0..<3).map { a in (0..<3).reduce(0) { $0 + inverse[a][$1] * xty[$1] } }
            let sse = rows.reduce(0) { total, item in
                let e = item.1 - zip(beta, item.0).reduce(0) { $0 + $1.0 * $1.1 }
                return total + e * e
            }
            let s2 = sse / Double(rows.count - 3)
            return Fit(beta: beta, covariance: inverse.map { $0.map { $0 * s2 } }, sse: sse, count: rows.count)
        }
        var best: (lag: Int, fit: Fit)?
        let maxLag = Int((maxLagYears * p).rounded())
        for lag in 0...max(0, min(maxLag, n / 3)) {
            guard let f = fit(lag: lag) else { continue }
            if best == nil || f.sse < best!.fit.sse { best = (lag, f) }
        }
        guard let best, best.fit.beta[1] > 0, best.fit.beta[1] < 1 else {
            throw .fitFailed(
                model: "network",
                reason: "\(file): the hashrate does not close its gap to break-even in this history (adjustment \(best.map { String($0.fit.beta[1]) } ?? "n/a") a step, not in (0, 1))")
        }
        let (b0, a, b2) = (best.fit.beta[0], best.fit.beta[1], best.fit.beta[2])
        let v = best.fit.covariance
        // ln c0 = -b0 / a, gamma = -b2 / a, kappa = -ln(1 - a) / dt (delta method).
        let logCost = -b0 / a
        let gamma = -b2 / a
        let seLogCost = ((v[0][0] / (a * a)) + (b0 * b0 / pow(a, 4)) * v[1][1] - 2 * (b0 / pow(a, 3)) * v[0][1]).squareRoot()
        let seGamma = ((v[2][2] / (a * a)) + (b2 * b2 / pow(a, 4)) * v[1][1] - 2 * (b2 / pow(a, 3)) * v[1][2]).squareRoot()
        let kappa = -log(1 - a) / dt
        let seKappa = v[1][1].squareRoot() / ((1 - a) * dt)
        let s2 = best.fit.sse / Double(best.fit.count - 3)
        let sigma = (s2 / dt).squareRoot()
        let cost = exp(logCost)
        let logLikelihood = -0.5 * Double(best.fit.count) * (log(2 * Double.pi * s2) + 1)
        return CalibrationResult(
            model: .network,
            parameters: [
                FittedParameter(name: "efficiencyJPerTH", value: exp(a0), standardError: exp(a0) * seIntercept, unit: "J/TH at t = 0"),
                FittedParameter(name: "efficiencyImprovementPerYear", value: -slope, standardError: seSlope, unit: "per year (ln)"),
                FittedParameter(name: "costUSDPerMWh", value: cost, standardError: cost * seLogCost, unit: "USD/MWh all-in, at t = 0"),
                FittedParameter(name: "costGrowthPerYear", value: gamma, standardError: seGamma, unit: "per year (ln)"),
                FittedParameter(name: "entryPerYear", value: kappa, standardError: seKappa, unit: "per year"),
                FittedParameter(name: "exitPerYear", value: kappa, standardError: seKappa, unit: "per year (= entry: one speed fitted)"),
                FittedParameter(name: "priceLagYears", value: Double(best.lag) * dt, standardError: 0, unit: "years (chosen on a grid)"),
                FittedParameter(name: "volatility", value: sigma, standardError: sigma / (2 * Double(best.fit.count - 3)).squareRoot(), unit: "per sqrt(year)"),
            ],
            logLikelihood: logLikelihood, observations: best.fit.count, periodsPerYear: p)
    }

    static func lagOneCorrelation(_ x: [Double]) -> Double {
        guard x.count > 2 else { return 0 }
        let m = x.reduce(0, +) / Double(x.count)
        var num = 0.0
        var den = 0.0
        for i in 0..<(x.count - 1) { num += (x[i] - m) * (x[i + 1] - m) }
        for v in x { den += (v - m) * (v - m) }
        return den > 0 ? num / den : 0
    }
}
