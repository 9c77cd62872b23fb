// SPDX-License-Identifier: GPL-3.0-or-later

public import SwitchyardModel

/// The monthly ledger of one path as CSV. Column order is stable (see README).
public enum LedgerCSV {
    public static let columns: [(name: String, value: @Sendable (MonthRow) -> Double?)] = [
        ("mining_revenue_usd", { $0.miningRevenueUSD }),
        ("gpu_cloud_revenue_usd", { $0.gpuCloudRevenueUSD }),
        ("colocation_revenue_usd", { $0.colocationRevenueUSD }),
        ("curtailment_credits_usd", { $0.curtailmentCreditsUSD }),
        ("asset_sales_usd", { $0.assetSalesUSD }),
        ("ppa_settlement_usd", { $0.ppaSettlementUSD }),
        ("revenue_usd", { $0.revenueUSD }),
        ("energy_cost_usd", { $0.energyCostUSD }),
        ("opex_usd", { $0.opexUSD }),
        ("capex_usd", { $0.capexUSD }),
        ("transmission_usd", { $0.transmissionUSD }),
        ("free_cash_flow_usd", { $0.freeCashFlowUSD }),
        ("terminal_value_usd", { $0.terminalValueUSD }),
        ("mining_energy_mwh", { $0.miningEnergyMWh }),
        ("gpu_energy_mwh", { $0.gpuEnergyMWh }),
        ("colocation_energy_mwh", { $0.colocationEnergyMWh }),
        ("curtailed_energy_mwh", { $0.curtailedEnergyMWh }),
        ("peak_grid_mw", { $0.peakGridMW }),
        ("btc_mined", { $0.btcMined }),
        ("btc_price_usd", { $0.averageBTCPriceUSD }),
        ("hashprice_usd_per_ph_day", { $0.averageHashpriceUSDPerPHDay }),
        ("site_hashrate_ths", { $0.averageSiteHashrateTHs }),
        ("network_hashrate_ehs", { $0.averageNetworkHashrateEHs }),
        ("hashrate_share", { $0.hashrateShare }),
        ("market_power_price_usd_per_mwh", { $0.averageMarketPowerPriceUSDPerMWh }),
        ("gpu_price_usd_per_gpu_hour", { $0.averageGPUPriceUSDPerGPUHour }),
        ("gpu_hours", { $0.gpuHoursBilled }),
        ("gpu_utilisation", { $0.gpuUtilisation }),
        ("jobs_completed", { Double($0.jobsCompleted) }),
        ("jobs_waiting", { Double($0.jobsWaitingAtEnd) }),
        ("jobs_lost", { Double($0.jobsLost) }),
        ("lost_gpu_hours", { $0.lostGPUHours }),
        ("fragmented_gpu_hours", { $0.fragmentedGPUHours }),
    ]

    public static func table(_ result: PathResult) -> CSVTable {
        var table = CSVTable(header: ["month", "date"] + columns.map(\.name))
        for row in result.months {
            table.append([String(row.month), row.label + "-01"] + columns.map { CSVTable.number($0.value(row) ?? .nan) })
        }
        return table
    }
}

/// The annual roll-up (``YearRow``) as CSV: one row a run year.
public enum YearlyCSV {
    public static func table(_ years: [YearRow]) -> CSVTable {
        var table = CSVTable(header: ["year", "months"] + YearRow.columns.map(\.name))
        for y in years {
            table.append([String(y.year), y.label] + YearRow.columns.map { CSVTable.number($0.value(y)) })
        }
        return table
    }
}
