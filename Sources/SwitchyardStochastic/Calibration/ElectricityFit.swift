// SPDX-License-Identifier: GPL-3.0-or-later

import Foundation

extension Calibration {
    /// Fits ``ElectricityPriceProcess`` (seasonal log level, mean-reverting deviation,
    /// upward spikes) to a price series observed every `1 / periodsPerYear` years.
    ///
    /// 1. Seasonality: ordinary least squares of y = ln(max(P, floor)) on
    ///    [1, cos 2 pi t, sin 2 pi t]: A = sqrt(a^2 + b^2), peak = atan2(b, a) / 2 pi.
    /// 2. Spikes: with X the residual, an innovation e = X(i+1) - phi X(i) above
    ///    `threshold` robust standard deviations (1.4826 x median absolute deviation) is a
    ///    spike; phi and the threshold are refined twice. Large falls (spikes decaying
    ///    faster than the model's mean reversion) are left out of the diffusion fit and
    ///    not counted as spikes.
    /// 3. Diffusion: the AR(1) regression X(i+1) = c + phi X(i) + e on the other pairs:
    ///    kappa = -ln(phi) / dt, sigma = sd(e) sqrt(2 kappa / (1 - phi^2)).
    /// 4. Spikes per year = count / years; their log size: mean and sd of the flagged
    ///    innovations, the diffusion's share of the variance removed.
    /// 5. The base level: e^(intercept - lambda muJ / kappa) (the residual's mean is the
    ///    spikes' stationary contribution).
    ///
    /// Pairs of observations more than 1.5 steps apart (gaps in the file) are skipped.
    /// Standard errors: the AR(1) ones from OLS by the delta method; the seasonal ones
    /// from OLS inflated by sqrt((1 + phi) / (1 - phi)) for the residuals'
    /// autocorrelation; spikes: sqrt(count) / years, sd / sqrt(count), sd / sqrt(2 count).
    public static func fitElectricity(
        times t: [Double], prices: [Double], periodsPerYear p: Double, floor: Double = 1, threshold: Double = 5,
        seasonal: Bool = true, file: String = "series"
    ) throws(CalibrationError) -> CalibrationResult {
        let n = prices.count
        guard n >= 100, t.count == n else { throw .tooFewObservations(file: file, count: n, needed: 100) }
        let y = prices.map { log(max($0, floor)) }
        // 1. Seasonality by OLS (normal equations, 3 x 3; without seasonality the
        //    cosine and sine columns are zero and their diagonal one, so b = 0).
        var xtx = [[Double]](repeating: [0, 0, 0], count: 3)
        var xty = [0.0, 0, 0]
        if !seasonal {
            xtx[1][1] = 1
            xtx[2][2] = 1
        }
        for i in 0..<n {
            let row = seasonal ? [1, cos(2 * .pi * t[i]), sin(2 * .pi * t[i])] : [1, 0, 0]
            for a in 0..<3 {
                xty[a] += row[a] * y[i]
                for b in 0..<3 { xtx[a][b] += row[a] * row[b] }
            }
        }
        let inverse: [[Double]]
        do { inverse = try Numerics.inverse(xtx) } catch { throw .noMeanReversion(file: file, slope: .nan) }
        let beta = (0..<3).map { a in (0..<3).reduce(0) { $0 + inverse[a][$1] * xty[$1] } }
        let x = (0..<n).map { i in y[i] - beta[0] - beta[1] * cos(2 * .pi * t[i]) - beta[2] * sin(2 * .pi * t[i]) }
        let residualVariance = x.reduce(0) { $0 + $1 * $1 } / Double(n - (seasonal ? 3 : 1))
        // Consecutive pairs only.
        let dt = 1 / p
        let pairs = (0..<(n - 1)).filter { t[$0 + 1] - t[$0] < 1.5 * dt && t[$0 + 1] > t[$0] }
        guard pairs.count >= 50 else { throw .tooFewObservations(file: file, count: pairs.count, needed: 50) }
        // 2-3. AR(1) with spikes screened out, refined.
        var phi = 0.9
        var c = 0.0
        var spikes: [Int] = []
        var diffusion: [Int] = pairs
        for _ in 0..<3 {
            let innovations = pairs.map { x[$0 + 1] - c - phi * x[$0] }
            let median = Quantiles.percentiles(innovations, at: [0.5])[0]
            let mad = Quantiles.percentiles(innovations.map { abs($0 - median) }, at: [0.5])[0]
            let robust = 1.4826 * mad
            guard robust > 0 else {
                throw .fitFailed(
                    model: seasonal ? "electricity" : "fees",
                    reason: "\(file): more than half the changes are zero (values at the floor or repeated): nothing to fit; check the data or lower --floor")
            }
            spikes = []
            diffusion = []
            for (k, i) in pairs.enumerated() {
                if innovations[k] > threshold * robust {
                    spikes.append(i)
                } else if innovations[k] >= -threshold * robust {
                    diffusion.append(i)
                }
            }
            guard diffusion.count >= 50 else { throw .tooFewObservations(file: file, count: diffusion.count, needed: 50) }
            let (a, b) = ols(diffusion.map { x[$0] }, diffusion.map { x[$0 + 1] })
            (c, phi) = (a, b)
        }
        guard phi > 0 && phi < 1 else { throw .noMeanReversion(file: file, slope: phi) }
        let xs = diffusion.map { x[$0] }
        let ys = diffusion.map { x[$0 + 1] }
        let m = Double(xs.count)
        let mx = xs.reduce(0, +) / m
        let sxx = xs.reduce(0) { $0 + ($1 - mx) * ($1 - mx) }
        let sse = zip(xs, ys).reduce(0) { $0 + ($1.1 - c - phi * $1.0) * ($1.1 - c - phi * $1.0) }
        let s2 = sse / (m - 2)
        let kappa = -log(phi) / dt
        func scale(_ b: Double) -> Double { (2 * (-log(b) / dt) / (1 - b * b)).squareRoot() }
        let sigma = s2.squareRoot() * scale(phi)
        let varPhi = s2 / sxx
        let h = 1e-6 * phi
        let dScale = (scale(phi + h) - scale(phi - h)) / (2 * h)
        let seKappa = varPhi.squareRoot() / (phi * dt)
        let seSigma = (scale(phi) * scale(phi) * s2 / (2 * (m - 2)) + s2 * dScale * dScale * varPhi).squareRoot()
        // 4. Spikes.
        let years = Double(pairs.count) * dt
        let sizes = spikes.map { x[$0 + 1] - c - phi * x[$0] }
        let count = Double(sizes.count)
        let lambda = count / years
        let muJ = count > 0 ? sizes.reduce(0, +) / count : 0
        let sdJ =
            count > 1 ? max(0, sizes.reduce(0) { $0 + ($1 - muJ) * ($1 - muJ) } / (count - 1) - s2).squareRoot() : 0
        // 5. Level and seasonality.
        let inflation = ((1 + phi) / (1 - phi)).squareRoot()
        let seBeta = (0..<3).map { (inverse[$0][$0] * residualVariance).squareRoot() * inflation }
        let amplitude = (beta[1] * beta[1] + beta[2] * beta[2]).squareRoot()
        var peak = atan2(beta[2], beta[1]) / (2 * .pi)
        if peak < 0 { peak += 1 }
        let seAmplitude = amplitude > 0
            ? ((beta[1] * beta[1] * seBeta[1] * seBeta[1] + beta[2] * beta[2] * seBeta[2] * seBeta[2])).squareRoot() / amplitude : seBeta[1]
        let sePeak = amplitude > 0 ? (seBeta[1] + seBeta[2]) / 2 / amplitude / (2 * .pi) : 0.5
        let logBase = beta[0] - lambda * muJ / kappa
        let base = exp(logBase)
        let seBase = base * seBeta[0]
        // Log-likelihood of the diffusion pairs (the spikes' part left out): for AIC only.
        let logLikelihood = zip(xs, ys).reduce(0) { $0 + gaussianLogDensity($1.1, mean: c + phi * $1.0, variance: s2) }
        return CalibrationResult(
            model: .electricity,
            parameters: [
                FittedParameter(name: "basePriceUSDPerMWh", value: base, standardError: seBase, unit: "USD/MWh (seasonal median level)"),
                FittedParameter(name: "seasonalAmplitude", value: amplitude, standardError: seAmplitude, unit: "log"),
                FittedParameter(name: "seasonalPeak", value: peak, standardError: sePeak, unit: "fraction of the year"),
                FittedParameter(name: "meanReversionPerYear", value: kappa, standardError: seKappa, unit: "per year"),
                FittedParameter(name: "volatility", value: sigma, standardError: seSigma, unit: "per sqrt(year)"),
                FittedParameter(name: "spikesPerYear", value: lambda, standardError: count.squareRoot() / years, unit: "per year"),
                FittedParameter(
                    name: "spikeLogMean", value: muJ, standardError: count > 0 ? (sdJ * sdJ + s2).squareRoot() / count.squareRoot() : 0,
                    unit: "log"),
                // The flagged sizes carry the diffusion's variance s2 too: by the delta
                // method on sdJ = sqrt(var(sizes) - s2), SE = (sdJ^2 + s2) / (sdJ sqrt(2 (count - 1))).
                FittedParameter(
                    name: "spikeLogSD", value: sdJ,
                    standardError: count > 1 && sdJ > 0 ? (sdJ * sdJ + s2) / (sdJ * (2 * (count - 1)).squareRoot()) : 0, unit: "log"),
            ],
            logLikelihood: logLikelihood, observations: pairs.count, periodsPerYear: p)
    }

    /// Fits the fee process (``ElectricityPriceProcess`` with no seasonality: a
    /// mean-reverting log fee with upward spikes) to fees per block, by
    /// ``fitElectricity(times:prices:periodsPerYear:floor:threshold:seasonal:file:)``.
    /// The level is the model's mean fee, spikes included (`btcPerBlock`, as a scenario
    /// takes it): the median level times the stepped process's mean factor.
    public static func fitFees(
        times t: [Double], feesBTCPerBlock fees: [Double], periodsPerYear p: Double, floor: Double = 1e-6,
        threshold: Double = 5, file: String = "series"
    ) throws(CalibrationError) -> CalibrationResult {
        let fit = try fitElectricity(times: t, prices: fees, periodsPerYear: p, floor: floor, threshold: threshold, seasonal: false, file: file)
        let base = fit["basePriceUSDPerMWh"]!
        let process = ElectricityPriceProcess(
            basePriceUSDPerMWh: 1, meanReversion: fit["meanReversionPerYear"]!.value, volatility: fit["volatility"]!.value,
            spikeIntensity: fit["spikesPerYear"]!.value, spikeLogMean: fit["spikeLogMean"]!.value, spikeLogSD: fit["spikeLogSD"]!.value)
        let factor = process.meanFactor(stepYears: 1 / p)
        // The mean's standard error by the delta method on ln(base x factor), the
        // parameters taken as independent: the spikes' share of the mean is often the
        // larger part, and its error with it.
        var logVariance = pow(base.standardError / base.value, 2)
        let names = ["meanReversionPerYear", "volatility", "spikesPerYear", "spikeLogMean", "spikeLogSD"]
        for name in names {
            let q = fit[name]!
            guard q.standardError > 0 else { continue }
            let h = max(1e-6, 1e-4 * abs(q.value))
            func logFactor(_ value: Double) -> Double {
                var values = Dictionary(uniqueKeysWithValues: names.map { ($0, fit[$0]!.value) })
                values[name] = value
                return log(
                    ElectricityPriceProcess(
                        basePriceUSDPerMWh: 1, meanReversion: max(1e-9, values["meanReversionPerYear"]!), volatility: values["volatility"]!,
                        spikeIntensity: max(0, values["spikesPerYear"]!), spikeLogMean: values["spikeLogMean"]!,
                        spikeLogSD: max(0, values["spikeLogSD"]!)
                    ).meanFactor(stepYears: 1 / p))
            }
            let derivative = (logFactor(q.value + h) - logFactor(q.value - h)) / (2 * h)
            logVariance += pow(derivative * q.standardError, 2)
        }
        let meanFee = base.value * factor
        func renamed(_ name: String, as newName: String) -> FittedParameter {
            let q = fit[name]!
            return FittedParameter(name: newName, value: q.value, standardError: q.standardError, unit: q.unit)
        }
        return CalibrationResult(
            model: .fees,
            parameters: [
                FittedParameter(
                    name: "btcPerBlock", value: meanFee, standardError: meanFee * logVariance.squareRoot(),
                    unit: "BTC a block (the mean, spikes included)"),
                renamed("volatility", as: "logVolatility"),
                fit["meanReversionPerYear"]!,
                fit["spikesPerYear"]!,
                fit["spikeLogMean"]!,
                fit["spikeLogSD"]!,
            ],
            logLikelihood: fit.logLikelihood, observations: fit.observations, periodsPerYear: p)
    }

    /// Intercept and slope of y on x.
    static func ols(_ x: [Double], _ y: [Double]) -> (Double, Double) {
        let n = Double(x.count)
        let mx = x.reduce(0, +) / n
        let my = y.reduce(0, +) / n
        var sxx = 0.0
        var sxy = 0.0
        for (u, v) in zip(x, y) {
            sxx += (u - mx) * (u - mx)
            sxy += (u - mx) * (v - my)
        }
        let b = sxx > 0 ? sxy / sxx : 0
        return (my - b * mx, b)
    }
}
