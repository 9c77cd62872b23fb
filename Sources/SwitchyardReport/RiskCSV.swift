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
                + ["network_hashrate_p10_ehs", "network_hashrate_p50_ehs", "network_hashrate_p90_ehs"]
                + ["hashprice_p10_usd_per_ph_day", "hashprice_p50_usd_per_ph_day", "hashprice_p90_usd_per_ph_day"])
        for m in result.months {
            table.append(
                [String(m.month), m.label + "-01", n(m.cashFlowMeanUSD)] + m.cashFlowPercentilesUSD.map(n)
                    + [n(m.cumulativeCashMeanUSD)] + m.cumulativeCashPercentilesUSD.map(n)
                    + m.networkHashrateEHsPercentiles.map(n) + m.hashpricePercentiles.map(n))
        }
        return table
    }

    /// summary.csv: `statistic,value` rows, NPV first.
    public static func summary(_ result: RiskResult) -> CSVTable {
        var table = CSVTable(header: ["statistic", "value"])
        table.append(["scenario", result.scenarioName])
        table.append(["seed", String(result.settings.seed)])
        table.append(["paths", String(result.paths.count)])
        func add(_ prefix: String, _ s: DistributionSummary?) {
            guard let s else { return }
            table.append(["\(prefix)_mean", n(s.mean)])
            table.append(["\(prefix)_standard_error", n(s.standardError)])
            table.append(["\(prefix)_ci95_low", n(s.confidenceInterval95.lowerBound)])
            table.append(["\(prefix)_ci95_high", n(s.confidenceInterval95.upperBound)])
            table.append(["\(prefix)_sd", n(s.standardDeviation)])
            for (level, value) in zip(DistributionSummary.levels, s.percentiles) { table.append(["\(prefix)_\(label(level))", n(value)]) }
            table.append(["\(prefix)_min", n(s.minimum)])
            table.append(["\(prefix)_max", n(s.maximum)])
        }
        add("npv_usd", result.npv)
        table.append(["npv_var95_usd", n(result.npv.valueAtRisk95)])
        table.append(["npv_cvar95_usd", n(result.npv.conditionalValueAtRisk95)])
        table.append(["npv_var99_usd", n(result.npv.valueAtRisk99)])
        table.append(["npv_cvar99_usd", n(result.npv.conditionalValueAtRisk99)])
        table.append(["probability_of_loss", n(result.npv.probabilityOfLoss)])
        table.append(["irr_defined_share", n(result.irrDefinedShare)])
        add("irr", result.irr)
        table.append(["payback_within_horizon_share", n(result.paybackShare)])
        add("payback_month", result.paybackMonth)
        add("btc_mined", result.btcMined)
        add("gpu_utilisation", result.gpuUtilisation)
        add("curtailed_energy_mwh", result.curtailedEnergyMWh)
        add("terminal_value_usd", result.terminalValue)
        add("equity_npv_usd", result.equityNPV)
        if let p = result.probabilityCashOut { table.append(["probability_cash_out", n(p)]) }
        return table
    }

    /// sensitivity.csv: one row per tornado bar, largest swing first.
    public static func sensitivity(_ bars: [TornadoBar]) -> CSVTable {
        var table = CSVTable(header: [
            "input", "base_value", "low_value", "high_value", "mean_npv_low_usd", "mean_npv_high_usd", "swing_usd",
        ])
        for bar in bars {
            table.append([
                bar.input, n(bar.baseValue), n(bar.lowValue), n(bar.highValue), n(bar.meanNPVLowUSD),
                n(bar.meanNPVHighUSD), n(bar.swingUSD),
            ])
        }
        return table
    }
}
