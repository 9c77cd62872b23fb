// SPDX-License-Identifier: GPL-3.0-or-later

import Foundation

/// Turns the operations' monthly rows into project and equity cash flows: landlord
/// opex, corporate tax with depreciation and losses carried forward, project debt, and
/// the value at the horizon after tax. A pure function of the rows and the terms; the
/// event loop never sees it.
///
/// ```
/// EBITDA_m      = revenue_m - asset sales_m - energy_m - opex_m - transmission_m - landlord opex_m
/// taxable_y     = sum_{m in y} (EBITDA_m + asset sales_m) - depreciation_y [- interest_y, levered]
/// tax_y         = t x max(0, taxable_y - min(losses carried, s x taxable_y)), paid in equal
///                 monthly parts over year y (as estimated payments)
/// project_m     = EBITDA_m + asset sales_m - capex_m - tax(unlevered)_m (+ TV after tax in month H)
/// equity_m      = project_m + (tax(unlevered)_m - tax(levered)_m) + draws_m - interest_m - principal_m
///                 (- debt outstanding at H, in month H)
/// TV after tax  = (TV - landlord opex share x leases' TV) (1 - t) + t x tax basis not yet
///                 depreciated at H
/// ```
/// Year y is months 12(y-1)+1 ... 12y of the run (the last may be short). Asset sales
/// are taxed in full (retired ASICs are taken to have no tax basis left). Debt: each
/// month's capex x loan-to-cost is drawn as a tranche, repaid from the next month over
/// the tenor; what is left at H is repaid from the value at the horizon.
public enum FinanceLayer {
    /// One month of finance.
    public struct Month: Hashable, Sendable {
        public var landlordOpexUSD = 0.0
        public var ebitdaUSD = 0.0
        public var depreciationUSD = 0.0
        public var taxUSD = 0.0
        public var leveredTaxUSD = 0.0
        public var debtDrawUSD = 0.0
        public var interestUSD = 0.0
        public var principalUSD = 0.0
        public var debtBalanceUSD = 0.0
        /// After-tax unlevered cash flow to the project (value at the horizon included).
        public var projectCashFlowUSD = 0.0
        /// Cash flow to equity (after debt service and levered tax).
        public var equityCashFlowUSD = 0.0
        /// Starting cash plus equity cash flows so far (nil without starting cash).
        public var cashBalanceUSD: Double?
    }

    public struct Result: Hashable, Sendable {
        public var months: [Month]
        public var projectNPVUSD: Double
        public var equityNPVUSD: Double
        public var projectRateOfReturn: CashFlows.RateOfReturn
        public var equityRateOfReturn: CashFlows.RateOfReturn
        /// Lowest yearly debt-service cover: (EBITDA - levered tax) / (interest + principal).
        public var minimumDSCR: Double?
        /// First month the cash balance falls below zero (nil: never, or no starting cash).
        public var cashOutMonth: Int?
        /// The value at the horizon after tax (counted in month H's project flow).
        public var terminalValueAfterTaxUSD: Double
    }

    /// Applies `terms` to `rows` (the last row carrying the terminal value, whose lease
    /// part is `contractsTV`), discounting at `scenario`'s rates.
    public static func apply(rows: [MonthRow], terminal: TerminalValue?, scenario: Scenario) -> Result {
        let terms = scenario.finance
        let n = rows.count
        var months = [Month](repeating: Month(), count: n)
        // Landlord opex and EBITDA.
        for (i, row) in rows.enumerated() {
            switch terms.colocationOpex {
            case .shareOfRent(let share)?: months[i].landlordOpexUSD = share * row.colocationRevenueUSD
            case .usdPerKWMonth(let rate)?: months[i].landlordOpexUSD = rate * row.colocationContractedKW
            case nil: break
            }
            months[i].ebitdaUSD = row.revenueUSD - row.assetSalesUSD - row.energyCostUSD - row.opexUSD - row.transmissionUSD
                - months[i].landlordOpexUSD
        }
        // Debt: tranches drawn on capex.
        var draws = [Double](repeating: 0, count: n)
        if let debt = terms.debt {
            let i = debt.ratePerYear / 12
            let tenor = max(1, Int((debt.tenorYears * 12).rounded()))
            for (m, row) in rows.enumerated() where row.capexUSD > 0 {
                let amount = row.capexUSD * debt.loanToCost
                draws[m] += amount
                var balance = amount
                let payment = i > 0 ? amount * i / (1 - pow(1 + i, -Double(tenor))) : amount / Double(tenor)
                for k in 1...tenor where m + k < n {
                    let interest = balance * i
                    let principal: Double
                    switch debt.amortisation {
                    case .annuity: principal = k == tenor ? balance : payment - interest
                    case .straightLine: principal = amount / Double(tenor)
                    case .bullet: principal = k == tenor ? balance : 0
                    }
                    months[m + k].interestUSD += interest
                    months[m + k].principalUSD += principal
                    balance -= principal
                }
            }
            var balance = 0.0
            for m in 0..<n {
                balance += draws[m] - months[m].principalUSD
                months[m].debtDrawUSD = draws[m]
                months[m].debtBalanceUSD = max(0, balance)
            }
        }
        // Depreciation by run year, from capex by class.
        let years = (n + 11) / 12
        var depreciation = [Double](repeating: 0, count: years)
        var basisLeft = 0.0
        if let tax = terms.tax {
            for y in 0..<years {
                let slice = rows[(12 * y)..<min(n, 12 * y + 12)]
                // ASICs are 5-year property like GPUs (MACRS: computers and peripherals).
                let gpu = slice.reduce(0) { $0 + $1.gpuCapexUSD + $1.miningCapexUSD }
                let conversion = slice.reduce(0) { $0 + $1.capexUSD } - gpu
                for (basis, schedule) in [(conversion, tax.conversion), (gpu, tax.gpus)] where basis > 0 {
                    for (k, rate) in schedule.rates.enumerated() {
                        if y + k < years { depreciation[y + k] += basis * rate } else { basisLeft += basis * rate }
                    }
                }
            }
        }
        // Tax by year, unlevered and levered, paid in the year's last month.
        func taxes(levered: Bool) -> [Double] {
            guard let tax = terms.tax else { return [Double](repeating: 0, count: years) }
            var losses = 0.0
            return (0..<years).map { y in
                let range = (12 * y)..<min(n, 12 * y + 12)
                var taxable = range.reduce(0) { $0 + months[$1].ebitdaUSD + rows[$1].assetSalesUSD } - depreciation[y]
                if levered { taxable -= range.reduce(0) { $0 + months[$1].interestUSD } }
                if taxable <= 0 {
                    losses -= taxable
                    return 0
                }
                let used = min(losses, tax.lossOffsetShare * taxable)
                losses -= used
                return tax.rate * (taxable - used)
            }
        }
        let unlevered = taxes(levered: false)
        let levered = taxes(levered: true)
        for y in 0..<years {
            let first = 12 * y
            let last = min(n, 12 * y + 12) - 1
            let count = Double(last - first + 1)
            for m in first...last {
                months[m].depreciationUSD = depreciation[y] / count
                months[m].taxUSD = unlevered[y] / count
                months[m].leveredTaxUSD = levered[y] / count
            }
        }
        // Value at the horizon, after landlord opex and tax. Landlord opex on the leases'
        // value: its share of rent (for a rate per kW-month, the share it is of the last
        // month's rent).
        let rate = terms.tax?.rate ?? 0
        var opexShare = 0.0
        switch terms.colocationOpex {
        case .shareOfRent(let share)?: opexShare = share
        case .usdPerKWMonth(let perKW)?:
            if let last = rows.last, last.colocationRevenueUSD > 0 { opexShare = perKW * last.colocationContractedKW / last.colocationRevenueUSD }
        case nil: break
        }
        let leasesNet = (terminal?.leasesUSD ?? 0) * (1 - opexShare)
        let tv = (terminal?.totalUSD ?? 0) - (terminal?.leasesUSD ?? 0) * opexShare
        let tvAfterTax = terminal == nil ? 0 : tv * (1 - rate) + rate * basisLeft
        // Cash flows.
        for (m, row) in rows.enumerated() {
            let base = months[m].ebitdaUSD + row.assetSalesUSD - row.capexUSD
            months[m].projectCashFlowUSD = base - months[m].taxUSD
            months[m].equityCashFlowUSD =
                base - months[m].leveredTaxUSD + months[m].debtDrawUSD - months[m].interestUSD - months[m].principalUSD
        }
        if n > 0 {
            months[n - 1].projectCashFlowUSD += tvAfterTax
            months[n - 1].equityCashFlowUSD += tvAfterTax - months[n - 1].debtBalanceUSD
        }
        // Cash balance.
        var cashOut: Int?
        if let cash = terms.startingCashUSD {
            var balance = cash
            for m in 0..<n {
                balance += months[m].equityCashFlowUSD - (m == n - 1 ? tvAfterTax - months[m].debtBalanceUSD : 0)
                months[m].cashBalanceUSD = balance
                if balance < 0 && cashOut == nil { cashOut = m + 1 }
            }
        }
        // DSCR by year.
        var dscr: Double?
        for y in 0..<years {
            let range = (12 * y)..<min(n, 12 * y + 12)
            let service = range.reduce(0) { $0 + months[$1].interestUSD + months[$1].principalUSD }
            guard service > 0 else { continue }
            let cover = (range.reduce(0) { $0 + months[$1].ebitdaUSD } - levered[y]) / service
            dscr = min(dscr ?? cover, cover)
        }
        // Present values: contracted rent (net of landlord opex, after tax) and the leases'
        // value at the horizon at the contract rate, the rest at the scenario's rate.
        let r = scenario.discountRatePerYear
        let project = months.map(\.projectCashFlowUSD)
        var projectNPV = CashFlows.npv(project, annualRate: r)
        if terms.contractDiscountRatePerYear != nil {
            // Contracted rent (net, after tax) at the contract rate from its signing and at
            // the scenario's rate before: a lease signed in month s is not a contract at
            // time 0, so only its flows after s earn the lower rate. Each row's flows carry
            // their leases' weight ((1 + r) / (1 + r_c))^(m - s); the premium over the
            // scenario's rate is the flow times (weight - 1).
            let perMonth = 1 / (1 + CashFlows.monthlyRate(annual: r))
            var factor = 1.0
            var premium = 0.0
            for (m, row) in rows.enumerated() {
                factor *= perMonth
                var contracted = (row.colocationRevenueUSD - months[m].landlordOpexUSD) * (1 - rate)
                var weighted = row.colocationRevenueUSD > 0
                    ? contracted * row.colocationRevenueContractWeightedUSD / row.colocationRevenueUSD : 0
                if m == n - 1, let terminal, terminal.leasesUSD != 0 {
                    contracted += leasesNet * (1 - rate)
                    weighted += leasesNet * (1 - rate) * terminal.leasesContractWeightedUSD / terminal.leasesUSD
                }
                premium += (weighted - contracted) * factor
            }
            projectNPV += premium
        }
        let equity = months.map(\.equityCashFlowUSD)
        return Result(
            months: months, projectNPVUSD: projectNPV,
            equityNPVUSD: CashFlows.npv(equity, annualRate: terms.equityDiscountRatePerYear ?? r),
            projectRateOfReturn: CashFlows.rateOfReturn(project, discountRate: r),
            equityRateOfReturn: CashFlows.rateOfReturn(equity, discountRate: terms.equityDiscountRatePerYear ?? r),
            minimumDSCR: dscr, cashOutMonth: cashOut, terminalValueAfterTaxUSD: tvAfterTax)
    }
}
