// SPDX-License-Identifier: GPL-3.0-or-later

import Foundation
public import SwitchyardModel
public import SwitchyardRisk

/// Machine-readable summaries (`--json FILE`): stable keys, numbers as JSON numbers,
/// `null` where a figure is undefined. Keys are sorted, so the file is deterministic.
public enum JSONSummary {
    struct Distribution: ExplicitNulls {
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

    struct Risk: ExplicitNulls {
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
        var equityNPVUSD: Distribution?
        var probabilityCashOut: Double?
        /// The annual roll-up, mean over paths.
        var yearlyMeans: [Year]
        var gpuUtilisation: Distribution?
        var tornado: [Bar]?
        var comparison: Compared?
    }

    struct Bar: ExplicitNulls {
        var input: String
        var lowValue, highValue: Double?
        /// Null for an input the scenario does not have (nothing moved).
        var meanNPVLowUSD, meanNPVHighUSD, swingUSD: Double?
        var movedBy: String
    }

    struct Compared: ExplicitNulls {
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
        var finance: Finance?
        var years: [Year]
        var btcMined: Double
        var months: Int
        var gpuCloud: GPUCloudTotals?

        private enum CodingKeys: String, CodingKey {
            case command, version, scenario, seed, path, npvUSD, irr, rateOfReturn, paybackMonth, totalFreeCashFlowUSD
            case terminalValue, finance, years, btcMined, months, gpuCloud
        }

        /// Undefined figures (IRR, payback, terminal value, finance) are written as null.
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(command, forKey: .command)
            try c.encode(version, forKey: .version)
            try c.encode(scenario, forKey: .scenario)
            try c.encode(seed, forKey: .seed)
            try c.encode(path, forKey: .path)
            try c.encode(npvUSD, forKey: .npvUSD)
            try c.encode(irr, forKey: .irr)
            try c.encode(rateOfReturn, forKey: .rateOfReturn)
            try c.encode(paybackMonth, forKey: .paybackMonth)
            try c.encode(totalFreeCashFlowUSD, forKey: .totalFreeCashFlowUSD)
            try c.encode(terminalValue, forKey: .terminalValue)
            try c.encode(finance, forKey: .finance)
            try c.encode(years, forKey: .years)
            try c.encode(btcMined, forKey: .btcMined)
            try c.encode(months, forKey: .months)
            try c.encode(gpuCloud, forKey: .gpuCloud)
        }
    }

    /// The GPU cloud over the run (null without one): jobs, GPU-hours billed and lost,
    /// and GPU-hours fragmented (free while a waiting job could not be placed).
    struct GPUCloudTotals: Encodable {
        var placementDomain: String
        var jobsCompleted: Int
        var jobsLost: Int
        var gpuHoursBilled: Double
        var lostGPUHours: Double
        var fragmentedGPUHours: Double
    }

    struct Finance: Encodable {
        var projectNPVUSD, equityNPVUSD: Double
        var projectIRR, equityIRR, minimumDSCR: Double?
        var projectRateOfReturn, equityRateOfReturn: String
        var cashOutMonth: Int?

        private enum CodingKeys: String, CodingKey {
            case projectNPVUSD, equityNPVUSD, projectIRR, equityIRR, minimumDSCR, projectRateOfReturn, equityRateOfReturn, cashOutMonth
        }

        /// Undefined figures as null.
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(projectNPVUSD, forKey: .projectNPVUSD)
            try c.encode(equityNPVUSD, forKey: .equityNPVUSD)
            try c.encode(projectIRR, forKey: .projectIRR)
            try c.encode(equityIRR, forKey: .equityIRR)
            try c.encode(minimumDSCR, forKey: .minimumDSCR)
            try c.encode(projectRateOfReturn, forKey: .projectRateOfReturn)
            try c.encode(equityRateOfReturn, forKey: .equityRateOfReturn)
            try c.encode(cashOutMonth, forKey: .cashOutMonth)
        }
    }

    /// One run year: the ``YearRow`` columns by name.
    struct Year: Encodable {
        var year: Int
        var months: String
        var values: [String: Double]

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: AnyKey.self)
            try c.encode(year, forKey: AnyKey("year"))
            try c.encode(months, forKey: AnyKey("months"))
            for (k, v) in values { try c.encode(v, forKey: AnyKey(k)) }
        }

        init(_ y: YearRow) {
            year = y.year
            months = y.label
            values = Dictionary(uniqueKeysWithValues: YearRow.columns.map { ($0.name, $0.value(y)) })
        }
    }

    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ s: String) { stringValue = s }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    struct TerminalValue: ExplicitNulls {
        var totalUSD, leasesUSD, operationsUSD, goingConcernUSD, landUSD, conversionOptionUSD: Double
    }

    static func encode(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        // An undefined figure is null, as the README says (not "nan"): the encoder
        // marks non-finite numbers with a token no real string holds, replaced here.
        let token = "\u{1}nonfinite\u{1}"
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: token, negativeInfinity: token, nan: token)
        let text = String(decoding: try encoder.encode(value), as: UTF8.self)
        return text.replacingOccurrences(of: "\"\\u0001nonfinite\\u0001\"", with: "null") + "\n"
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
                equityNPVUSD: r.equityNPV.map(Distribution.init), probabilityCashOut: r.probabilityCashOut,
                yearlyMeans: r.yearlyMeans.map(Year.init),
                gpuUtilisation: r.gpuUtilisation.map(Distribution.init),
                tornado: tornado.isEmpty
                    ? nil
                    : tornado.map {
                        let present = $0.lowValue != nil
                        return Bar(
                            input: $0.input, lowValue: $0.lowValue, highValue: $0.highValue, meanNPVLowUSD: present ? $0.meanNPVLowUSD : nil,
                            meanNPVHighUSD: present ? $0.meanNPVHighUSD : nil, swingUSD: present ? $0.swingUSD : nil, movedBy: $0.basis)
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
                        goingConcernUSD: $0.goingConcernUSD, landUSD: $0.landUSD, conversionOptionUSD: $0.conversionOptionUSD)
                },
                finance: p.finance.map {
                    Finance(
                        projectNPVUSD: $0.projectNPVUSD, equityNPVUSD: $0.equityNPVUSD, projectIRR: $0.projectRateOfReturn.value,
                        equityIRR: $0.equityRateOfReturn.value, minimumDSCR: $0.minimumDSCR,
                        projectRateOfReturn: $0.projectRateOfReturn.description, equityRateOfReturn: $0.equityRateOfReturn.description,
                        cashOutMonth: $0.cashOutMonth)
                },
                years: YearRow.years(of: p).map(Year.init), btcMined: p.totalBTCMined, months: p.months.count,
                gpuCloud: scenario.gpuCloud.map { cloud in
                    GPUCloudTotals(
                        placementDomain: cloud.placement.domain.name, jobsCompleted: p.months.reduce(0) { $0 + $1.jobsCompleted },
                        jobsLost: p.months.reduce(0) { $0 + $1.jobsLost }, gpuHoursBilled: p.months.reduce(0) { $0 + $1.gpuHoursBilled },
                        lostGPUHours: p.months.reduce(0) { $0 + $1.lostGPUHours },
                        fragmentedGPUHours: p.months.reduce(0) { $0 + $1.fragmentedGPUHours })
                }))
    }
}

/// Encodes every stored property by name, an absent optional as `null` (the synthesized
/// encoding leaves the key out, and a reader cannot tell "undefined" from "not written").
public protocol ExplicitNulls: Encodable {}

extension ExplicitNulls {
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: JSONSummary.AnyKey.self)
        for child in Mirror(reflecting: self).children {
            guard let label = child.label, let value = child.value as? any Encodable else { continue }
            try c.encode(value, forKey: JSONSummary.AnyKey(label))
        }
    }
}
