// SPDX-License-Identifier: GPL-3.0-or-later

/// One year of a path, rolled up from its months: revenue by stream, EBITDA, capex,
/// tax, debt service and the free cash flows to the project and to equity. Years are
/// run years (months 1-12, 13-24, ...; the last may be short).
public struct YearRow: Hashable, Sendable {
    public var year: Int
    /// "2025-01 to 2025-12".
    public var label: String
    public var miningRevenueUSD = 0.0
    public var gpuCloudRevenueUSD = 0.0
    public var colocationRevenueUSD = 0.0
    /// Curtailment and demand-response credits plus PPA settlements.
    public var powerContractsUSD = 0.0
    public var assetSalesUSD = 0.0
    public var energyCostUSD = 0.0
    /// Site and mining/GPU opex, landlord opex and transmission charges.
    public var operatingCostUSD = 0.0
    public var ebitdaUSD = 0.0
    public var capexUSD = 0.0
    public var taxUSD = 0.0
    public var debtDrawsUSD = 0.0
    public var debtServiceUSD = 0.0
    /// Cash flows within the year, the value at the horizon excluded.
    public var projectCashFlowUSD = 0.0
    public var equityCashFlowUSD = 0.0
    /// The value at the horizon (last year only), before tax.
    public var terminalValueUSD = 0.0

    public init(year: Int, label: String) {
        self.year = year
        self.label = label
    }

    /// The columns of CSV and sheet output, in order.
    public static let columns: [(name: String, value: @Sendable (YearRow) -> Double)] = [
        ("mining_revenue_usd", { $0.miningRevenueUSD }),
        ("gpu_cloud_revenue_usd", { $0.gpuCloudRevenueUSD }),
        ("colocation_revenue_usd", { $0.colocationRevenueUSD }),
        ("power_contracts_usd", { $0.powerContractsUSD }),
        ("asset_sales_usd", { $0.assetSalesUSD }),
        ("energy_cost_usd", { $0.energyCostUSD }),
        ("operating_cost_usd", { $0.operatingCostUSD }),
        ("ebitda_usd", { $0.ebitdaUSD }),
        ("capex_usd", { $0.capexUSD }),
        ("tax_usd", { $0.taxUSD }),
        ("debt_draws_usd", { $0.debtDrawsUSD }),
        ("debt_service_usd", { $0.debtServiceUSD }),
        ("project_cash_flow_usd", { $0.projectCashFlowUSD }),
        ("equity_cash_flow_usd", { $0.equityCashFlowUSD }),
        ("terminal_value_usd", { $0.terminalValueUSD }),
    ]

    /// Adds another row's figures to this one (for sums over paths).
    public mutating func add(_ other: YearRow) {
        miningRevenueUSD += other.miningRevenueUSD
        gpuCloudRevenueUSD += other.gpuCloudRevenueUSD
        colocationRevenueUSD += other.colocationRevenueUSD
        powerContractsUSD += other.powerContractsUSD
        assetSalesUSD += other.assetSalesUSD
        energyCostUSD += other.energyCostUSD
        operatingCostUSD += other.operatingCostUSD
        ebitdaUSD += other.ebitdaUSD
        capexUSD += other.capexUSD
        taxUSD += other.taxUSD
        debtDrawsUSD += other.debtDrawsUSD
        debtServiceUSD += other.debtServiceUSD
        projectCashFlowUSD += other.projectCashFlowUSD
        equityCashFlowUSD += other.equityCashFlowUSD
        terminalValueUSD += other.terminalValueUSD
    }

    /// Every figure times `factor` (a sum over paths into a mean).
    public func scaled(by factor: Double) -> YearRow {
        var y = YearRow(year: year, label: label)
        y.add(self)
        y.miningRevenueUSD *= factor
        y.gpuCloudRevenueUSD *= factor
        y.colocationRevenueUSD *= factor
        y.powerContractsUSD *= factor
        y.assetSalesUSD *= factor
        y.energyCostUSD *= factor
        y.operatingCostUSD *= factor
        y.ebitdaUSD *= factor
        y.capexUSD *= factor
        y.taxUSD *= factor
        y.debtDrawsUSD *= factor
        y.debtServiceUSD *= factor
        y.projectCashFlowUSD *= factor
        y.equityCashFlowUSD *= factor
        y.terminalValueUSD *= factor
        return y
    }

    /// The path's years. Without a finance section tax and debt are zero and both cash
    /// flows are the free cash flow.
    public static func years(of result: PathResult) -> [YearRow] {
        let months = result.months
        var years: [YearRow] = []
        for first in stride(from: 0, to: months.count, by: 12) {
            let last = min(months.count, first + 12) - 1
            var y = YearRow(year: first / 12 + 1, label: "\(months[first].label) to \(months[last].label)")
            for m in first...last {
                let row = months[m]
                y.miningRevenueUSD += row.miningRevenueUSD
                y.gpuCloudRevenueUSD += row.gpuCloudRevenueUSD
                y.colocationRevenueUSD += row.colocationRevenueUSD
                y.powerContractsUSD += row.curtailmentCreditsUSD + row.ppaSettlementUSD
                y.assetSalesUSD += row.assetSalesUSD
                y.energyCostUSD += row.energyCostUSD
                y.operatingCostUSD += row.opexUSD + row.transmissionUSD
                y.capexUSD += row.capexUSD
                y.terminalValueUSD += row.terminalValueUSD
                if let f = result.finance?.months[m] {
                    y.operatingCostUSD += f.landlordOpexUSD
                    y.ebitdaUSD += f.ebitdaUSD
                    y.taxUSD += f.taxUSD
                    y.debtDrawsUSD += f.debtDrawUSD
                    y.debtServiceUSD += f.interestUSD + f.principalUSD
                    y.projectCashFlowUSD += f.projectCashFlowUSD
                    y.equityCashFlowUSD += f.equityCashFlowUSD
                } else {
                    y.ebitdaUSD += row.revenueUSD - row.assetSalesUSD - row.energyCostUSD - row.opexUSD - row.transmissionUSD
                    y.projectCashFlowUSD += row.freeCashFlowUSD
                    y.equityCashFlowUSD += row.freeCashFlowUSD
                }
            }
            years.append(y)
        }
        // Finance puts the value at the horizon (after tax) into the last month's flows.
        if let f = result.finance, let last = f.months.last, !years.isEmpty {
            years[years.count - 1].projectCashFlowUSD -= f.terminalValueAfterTaxUSD
            years[years.count - 1].equityCashFlowUSD -= f.terminalValueAfterTaxUSD - last.debtBalanceUSD
        }
        return years
    }
}
