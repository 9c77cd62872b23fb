// SPDX-License-Identifier: GPL-3.0-or-later

import Foundation
public import SwitchyardModel
public import SwitchyardRisk

/// Machine-readable summaries (`--json FILE`): stable keys, numbers as JSON numbers,
/// `null` where a figure is undefined. Keys are sorted, so the file is deterministic.
public enum JSONSummary {
    struct Distribution: Encodable {
        var mean, standardError, ci95Low, ci95High, standardDeviation, minimum, maximum: Double
        var percentiles: [String: Double]

        init(_ s: DistributionSummary) {
            mean = s.mean
            standardError = s.standardError
            ci95Low = s.confidenceInterval95.lowerBound
            ci95High = s.confidenceInterval95.upperBound
            standardDeviation = s.standardDeviation
            minimum = s.minimum
            maximum = s.maximum
            percentiles = Dictionary(
                uniqueKeysWithValues: zip(DistributionSummary.levels.map { "p\(Int(($0 * 100).rounded()))" }, s.percentiles))
        }
    }

    struct Risk: Encodable {
        var command = "risk"
        var version: String
        var scenario: String
        var seed: UInt64
        var paths: Int
        var reachedPrecision: Bool?
        var npvUSD: Distribution
        var valueAtRisk95USD, conditionalValueAtRisk95USD, valueAtRisk99USD, conditionalValueAtRisk99USD: Double
        var probabilityOfLoss: Double
        var irr: Distribution?
        var irrDefinedShare: Double
        var paybackMonth: Distribution?
        var paybackShare: Double
        var btcMined: Distribution
        var curtailedEnergyMWh: Distribution
        var terminalValueUSD: Distribution?
        var gpuUtilisation: Distribution?
        var tornado: [Bar]?
        var comparison: Compared?
    }

    struct Bar: Encodable {
        var input: String
        var lowValue, highValue: Double?
        var meanNPVLowUSD, meanNPVHighUSD, swingUSD: Double
    }

    struct Compared: Encodable {
        var other: String
        var meanDifferenceUSD, standardErrorUSD: Double
        /// Percentiles of the paired difference (other - base), and the share of paths
        /// on which the other scenario is worse.
        var p5DifferenceUSD, p50DifferenceUSD, p95DifferenceUSD, probabilityOtherWorse: Double
    }

    struct Path: Encodable {
        var command = "simulate"
        var version: String
        var scenario: String
        var seed: UInt64
        var path: UInt64
        var npvUSD: Double
        var irr: Double?
        /// The IRR, or why there is none (and the MIRR at the discount rate).
        var rateOfReturn: String
        var paybackMonth: Int?
        var totalFreeCashFlowUSD: Double
        var terminalValue: TerminalValue?
        var btcMined: Double
        var months: Int
    }

    struct TerminalValue: Encodable {
        var totalUSD, leasesUSD, operationsUSD, goingConcernUSD, landUSD: Double
    }

    static func encode(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return String(decoding: try encoder.encode(value), as: UTF8.self) + "\n"
    }

    public static func risk(_ r: RiskResult, tornado: [TornadoBar], comparison: Comparison?, version: String) throws -> String {
        try encode(
            Risk(
                version: version, scenario: r.scenarioName, seed: r.settings.seed, paths: r.paths.count,
                reachedPrecision: r.reachedPrecision, npvUSD: Distribution(r.npv),
                valueAtRisk95USD: r.npv.valueAtRisk95, conditionalValueAtRisk95USD: r.npv.conditionalValueAtRisk95,
                valueAtRisk99USD: r.npv.valueAtRisk99, conditionalValueAtRisk99USD: r.npv.conditionalValueAtRisk99,
                probabilityOfLoss: r.npv.probabilityOfLoss, irr: r.irr.map(Distribution.init),
                irrDefinedShare: r.irrDefinedShare, paybackMonth: r.paybackMonth.map(Distribution.init),
                paybackShare: r.paybackShare, btcMined: Distribution(r.btcMined),
                curtailedEnergyMWh: Distribution(r.curtailedEnergyMWh),
                terminalValueUSD: r.terminalValue.map(Distribution.init),
                gpuUtilisation: r.gpuUtilisation.map(Distribution.init),
                tornado: tornado.isEmpty
                    ? nil
                    : tornado.map {
                        Bar(input: $0.input, lowValue: $0.lowValue, highValue: $0.highValue, meanNPVLowUSD: $0.meanNPVLowUSD,
                            meanNPVHighUSD: $0.meanNPVHighUSD, swingUSD: $0.swingUSD)
                    },
                comparison: comparison.map {
                    Compared(
                        other: $0.otherName, meanDifferenceUSD: $0.difference.mean, standardErrorUSD: $0.difference.standardError,
                        p5DifferenceUSD: $0.difference.percentile(0.05)!, p50DifferenceUSD: $0.difference.percentile(0.5)!,
                        p95DifferenceUSD: $0.difference.percentile(0.95)!, probabilityOtherWorse: $0.difference.probabilityOfLoss)
                }))
    }

    public static func path(_ p: PathResult, scenario: Scenario, seed: UInt64, path: UInt64, version: String) throws -> String {
        try encode(
            Path(
                version: version, scenario: scenario.name, seed: seed, path: path, npvUSD: p.npvUSD, irr: p.irr,
                rateOfReturn: p.rateOfReturn.description, paybackMonth: p.paybackMonth,
                totalFreeCashFlowUSD: p.totalFreeCashFlowUSD,
                terminalValue: p.terminalValue.map {
                    TerminalValue(
                        totalUSD: $0.totalUSD, leasesUSD: $0.contractsUSD, operationsUSD: $0.operationsUSD,
                        goingConcernUSD: $0.goingConcernUSD, landUSD: $0.landUSD)
                }, btcMined: p.totalBTCMined, months: p.months.count))
    }
}
