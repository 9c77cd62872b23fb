// SPDX-License-Identifier: GPL-3.0-or-later

import Foundation
public import SwitchyardRisk

/// The CSV files of a risk run (`--csv DIR`). Column orders are stable (see README).
public enum RiskCSV {
    static func n(_ value: Double?) -> String { value.map(CSVTable.number) ?? "" }
    static func label(_ level: Double) -> String { "p\(Int((level * 100).rounded()))" }

    /// paths.csv: one row per path.
    public static func paths(_ result: RiskResult) -> CSVTable {
        var table = CSVTable(header: [
            "path", "npv_usd", "irr", "payback_month", "total_free_cash_flow_usd", "revenue_usd", "btc_mined",
            "gpu_utilisation", "curtailed_energy_mwh", "terminal_value_usd",
        ])
        for p in result.paths {
            table.append([
                String(p.path), n(p.npvUSD), n(p.irr), p.paybackMonth.map(String.init) ?? "", n(p.totalFreeCashFlowUSD),
                n(p.revenueUSD), n(p.btcMined), n(p.gpuUtilisation), n(p.curtailedEnergyMWh), n(p.terminalValueUSD),
            ])
        }
        return table
    }

    /// monthly.csv: the fan chart, one row per month.
    public static func monthly(_ result: RiskResult) -> CSVTable {
        let levels = MonthStatistics.levels.map(label)
        var table = CSVTable(
            header: ["month", "date", "cash_flow_mean_usd"] + levels.map { "cash_flow_\($0)_usd" }
                + ["cumulative_cash_mean_usd"] + levels.map { "cumulative_cash_\($0)_usd" }
                + marketColumns + revenueColumns)
        for m in result.months {
            table.append(
                [String(m.month), m.label + "-01", n(m.cashFlowMeanUSD)] + m.cashFlowPercentilesUSD.map(n)
                    + [n(m.cumulativeCashMeanUSD)] + m.cumulativeCashPercentilesUSD.map(n)
                    + m.marketPercentiles.flatMap { $0.map(n) } + m.revenueMeansUSD.map(n))
        }
        return table
    }

    /// The inputs' percentiles: `network_hashrate_p5_ehs` ... `gpu_price_p95_usd_per_gpu_hour`.
    static let marketColumns = MonthStatistics.markets.flatMap { market in
        MonthStatistics.marketLevels.map { "\(market.column)_\(label($0))_\(market.unitColumn)" }
    }

    /// The monthly mean revenue of each stream (as the Monthly sheet).
    static let revenueColumns = MonthStatistics.revenueStreams.map {
        $0.lowercased().replacingOccurrences(of: " ", with: "_") + "_revenue_mean_usd"
    }

    /// summary.csv: `statistic,value,unit,note` rows, NPV first. `value` is always a
    /// number (empty where undefined); text goes in `note`.
    public static func summary(_ result: RiskResult) -> CSVTable {
        var table = CSVTable(header: ["statistic", "value", "unit", "note"])
        func row(_ statistic: String, _ value: Double?, _ unit: String, _ note: String = "") {
            table.append([statistic, n(value), unit, note])
        }
        row("scenario", nil, "", result.scenarioName)
        row("seed", Double(result.settings.seed), "")
        row("paths", Double(result.paths.count), "paths")
        func add(_ prefix: String, _ s: DistributionSummary?, _ unit: String, _ note: String = "", missing: String? = nil) {
            guard let s else {
                if let missing { row("\(prefix)_mean", nil, unit, missing) }
                return
            }
            row("\(prefix)_mean", s.mean, unit, note)
            row("\(prefix)_standard_error", s.standardError, unit)
            row("\(prefix)_ci95_low", s.confidenceInterval95.lowerBound, unit)
            row("\(prefix)_ci95_high", s.confidenceInterval95.upperBound, unit)
            row("\(prefix)_sd", s.standardDeviation, unit)
            for (level, value) in zip(DistributionSummary.levels, s.percentiles) { row("\(prefix)_\(label(level))", value, unit) }
            row("\(prefix)_min", s.minimum, unit)
            row("\(prefix)_max", s.maximum, unit)
        }
        add("npv_usd", result.npv, "USD")
        let loss = "a loss, positive when lost (minus the percentile)"
        row("npv_var95_usd", result.npv.valueAtRisk95, "USD", loss)
        row("npv_cvar95_usd", result.npv.conditionalValueAtRisk95, "USD", "a loss, positive when lost (minus the mean of the worst 5%)")
        row("npv_var99_usd", result.npv.valueAtRisk99, "USD", loss)
        row("npv_cvar99_usd", result.npv.conditionalValueAtRisk99, "USD", "a loss, positive when lost (minus the mean of the worst 1%)")
        row("probability_of_loss", result.npv.probabilityOfLoss, "share", "of paths with NPV < 0")
        row("irr_defined_share", result.irrDefinedShare, "share", "of paths with an IRR")
        add("irr", result.irr, "per year", "over the paths with an IRR", missing: "no path has an IRR")
        row("payback_within_horizon_share", result.paybackShare, "share")
        add("payback_month", result.paybackMonth, "month", "over the paths that pay back", missing: "no path pays back within the horizon")
        add("btc_mined", result.btcMined, "BTC")
        add("gpu_utilisation", result.gpuUtilisation, "share")
        add("curtailed_energy_mwh", result.curtailedEnergyMWh, "MWh")
        add("terminal_value_usd", result.terminalValue, "USD", "undiscounted, at the horizon")
        add("equity_npv_usd", result.equityNPV, "USD")
        row("probability_cash_out", result.probabilityCashOut, "share", result.probabilityCashOut == nil ? "no starting cash in the scenario" : "")
        return table
    }

    /// sensitivity.csv: one row per tornado bar, largest swing first.
    public static func sensitivity(_ bars: [TornadoBar]) -> CSVTable {
        var table = CSVTable(header: [
            "input", "base_value", "low_value", "high_value", "mean_npv_low_usd", "mean_npv_high_usd", "swing_usd", "moved_by",
        ])
        for bar in bars {
            table.append([
                bar.input, n(bar.baseValue), n(bar.lowValue), n(bar.highValue), n(bar.lowValue == nil ? nil : bar.meanNPVLowUSD),
                n(bar.lowValue == nil ? nil : bar.meanNPVHighUSD), n(bar.lowValue == nil ? nil : bar.swingUSD), bar.basis,
            ])
        }
        return table
    }
}
