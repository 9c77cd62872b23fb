// SPDX-License-Identifier: GPL-3.0-or-later

import Foundation
import Testing

@testable import SwitchyardModel

/// The finance layer against a spreadsheet written out here, line by line.
struct FinanceTests {
    /// 10 MW of hall B (all of its miners, sold for nothing) converted at once (no lead
    /// time) into an 8 MW IT lease at 120 USD/kW-month for 24 months; capex 2M USD per
    /// MW of IT = 16M in month 1. Nothing else earns or costs anything.
    static func leaseOnly() throws -> Scenario {
        var s = try ScenarioLoader.builtin("texas-200mw")
        s.horizonMonths = 24
        s.stepHours = 24
        s.valuation = Valuation()
        s.opex.fixedUSDPerMonth = 0
        s.electricity.ppa = nil
        s.electricity.ppaShare = 0
        s.electricity.transmission = nil
        s.electricity.demandResponseCreditUSDPerMWh = 0
        var fleet = s.mining[1]
        fleet.units = 3_077  // 3,077 x 3.01 kW x 1.08 = 10.0027 MW
        s.mining = [fleet]
        var block = s.conversions[0]
        block.megawatts = 10
        block.startMonth = 1
        block.leadTimeMonths = 0
        block.capexUSDPerMW = 2_000_000
        block.newPUE = 1.25
        block.reusableFraction = 0
        block.asicSalvageFraction = 0
        let lease = ColocationLease(
            hall: "B", criticalITMW: 1, priceUSDPerKWMonth: 120, termMonths: 24, escalatorPerYear: 0, startMonth: 1, rampMonths: 0)
        block.target = .colocation(lease)
        s.conversions = [block]
        s.finance.colocationOpex = .shareOfRent(0.15)
        s.finance.tax = FinanceTerms.Tax(rate: 0.21, conversion: .straightLine(years: 2))
        s.finance.debt = FinanceTerms.Debt(loanToCost: 0.6, ratePerYear: 0.08, tenorYears: 1.5)
        s.finance.equityDiscountRatePerYear = 0.15
        return s
    }

    /// NPV of end-of-month flows at an annual rate.
    static func npv(_ flows: [Double], _ annual: Double) -> Double {
        let v = pow(1 + annual, -1.0 / 12)
        return flows.enumerated().reduce(0) { $0 + $1.element * pow(v, Double($1.offset + 1)) }
    }

    /// Annual IRR by bisection on the monthly rate, written here (not CashFlows.irr).
    static func irr(_ flows: [Double]) -> Double {
        func f(_ monthly: Double) -> Double {
            flows.enumerated().reduce(0) { $0 + $1.element / pow(1 + monthly, Double($1.offset + 1)) }
        }
        var (low, high) = (-0.5, 1.0)
        for _ in 0..<200 {
            let mid = (low + high) / 2
            if (f(mid) > 0) == (f(low) > 0) { low = mid } else { high = mid }
        }
        return pow(1 + (low + high) / 2, 12) - 1
    }

    @Test("A lease-only, deterministic case: after-tax unlevered and levered NPV and IRR as a hand spreadsheet (0.1%)")
    func handSpreadsheet() throws {
        let s = try Self.leaseOnly()
        let result = SiteModel.run(scenario: s, seed: 1, path: 0)
        let finance = try #require(result.finance)
        // The spreadsheet.
        let rent = 8_000 * 120.0  // 8 MW IT
        let ebitda = rent * 0.85
        let capex = 16_000_000.0
        let depreciationPerYear = capex / 2
        let taxPerYear = 0.21 * (12 * ebitda - depreciationPerYear)
        // Tax paid in twelve equal parts over each year (estimated payments).
        var project = [Double](repeating: ebitda - taxPerYear / 12, count: 24)
        project[0] -= capex
        // Debt: 9.6M drawn in month 1, an 18-month annuity paid in months 2-19.
        let loan = 0.6 * capex
        let i = 0.08 / 12
        let payment = loan * i / (1 - pow(1 + i, -18))
        var balance = loan
        var interest = [Double](repeating: 0, count: 24)
        var principal = [Double](repeating: 0, count: 24)
        for m in 1...18 {
            interest[m] = balance * i
            principal[m] = payment - interest[m]
            balance -= principal[m]
        }
        var equity = [Double](repeating: 0, count: 24)
        for m in 0..<24 {
            equity[m] = ebitda - interest[m] - principal[m]
            if m == 0 { equity[m] += loan - capex }
        }
        let interestYear1 = interest[0..<12].reduce(0, +)
        let interestYear2 = interest[12..<24].reduce(0, +)
        #expect(abs(balance) < 1e-6, "repaid within the horizon")
        for m in 0..<12 { equity[m] -= 0.21 * (12 * ebitda - depreciationPerYear - interestYear1) / 12 }
        for m in 12..<24 { equity[m] -= 0.21 * (12 * ebitda - depreciationPerYear - interestYear2) / 12 }
        // Compare.
        func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 0.001 * abs(b) }
        #expect(close(finance.projectNPVUSD, Self.npv(project, 0.12)), "\(finance.projectNPVUSD) vs \(Self.npv(project, 0.12))")
        #expect(close(finance.equityNPVUSD, Self.npv(equity, 0.15)), "\(finance.equityNPVUSD) vs \(Self.npv(equity, 0.15))")
        #expect(close(try #require(finance.projectRateOfReturn.value), Self.irr(project)))
        #expect(close(try #require(finance.equityRateOfReturn.value), Self.irr(equity)))
        #expect(result.npvUSD == finance.projectNPVUSD, "with a finance section the NPV is the project's after tax")
        // DSCR: (EBITDA - levered tax) / debt service, by year.
        let service1 = (interest[0..<12].reduce(0, +) + principal[0..<12].reduce(0, +))
        let cover1 = (12 * ebitda - 0.21 * (12 * ebitda - depreciationPerYear - interestYear1)) / service1
        let service2 = (interest[12..<24].reduce(0, +) + principal[12..<24].reduce(0, +))
        let cover2 = (12 * ebitda - 0.21 * (12 * ebitda - depreciationPerYear - interestYear2)) / service2
        #expect(close(try #require(finance.minimumDSCR), min(cover1, cover2)))
    }

    @Test("Losses carried forward offset later profits, up to the offset share")
    func lossCarryForward() throws {
        var s = try Self.leaseOnly()
        s.finance.debt = nil
        // Depreciate everything in year 1 (100% bonus): a year-1 loss, carried into year 2.
        s.finance.tax = FinanceTerms.Tax(rate: 0.21, lossOffsetShare: 0.8, conversion: .bonus(share: 1, rest: .straightLine(years: 1)))
        let finance = try #require(SiteModel.run(scenario: s, seed: 1, path: 0).finance)
        let ebitdaYear = 12 * 8_000 * 120 * 0.85
        let lossYear1 = 16_000_000 - ebitdaYear
        #expect(finance.months[11].taxUSD == 0)
        let used = min(lossYear1, 0.8 * ebitdaYear)
        #expect(abs(12 * finance.months[23].taxUSD - 0.21 * (ebitdaYear - used)) < 1e-6)
    }

    @Test("MACRS tables sum to 1; bonus depreciation front-loads the rest")
    func depreciationSchedules() {
        for years in [3, 5, 7, 10, 15, 20] {
            let rates = FinanceTerms.Depreciation.macrs(years: years).rates
            #expect(rates.count == years + 1)
            #expect(abs(rates.reduce(0, +) - 1) < 1e-3, "MACRS \(years)")
        }
        let bonus = FinanceTerms.Depreciation.bonus(share: 0.4, rest: .straightLine(years: 5)).rates
        #expect(abs(bonus[0] - (0.4 + 0.6 / 5)) < 1e-15)
        #expect(abs(bonus.reduce(0, +) - 1) < 1e-12)
    }

    @Test("Starting cash: the month cash runs out")
    func cashRunsOut() throws {
        var s = try Self.leaseOnly()
        s.finance.debt = nil
        s.finance.startingCashUSD = 10_000_000  // less than the 16M capex
        let finance = try #require(SiteModel.run(scenario: s, seed: 1, path: 0).finance)
        #expect(finance.cashOutMonth == 1)
        s.finance.startingCashUSD = 20_000_000
        #expect(SiteModel.run(scenario: s, seed: 1, path: 0).finance?.cashOutMonth == nil)
    }

    @Test("A contract discount rate values contracted rent at its own rate")
    func contractDiscountRate() throws {
        var s = try Self.leaseOnly()
        s.finance.debt = nil
        s.finance.tax = nil
        let base = try #require(SiteModel.run(scenario: s, seed: 1, path: 0).finance)
        s.finance.contractDiscountRatePerYear = 0.08
        let contracted = try #require(SiteModel.run(scenario: s, seed: 1, path: 0).finance)
        let rentNet = [Double](repeating: 8_000 * 120 * 0.85, count: 24)
        let expected = base.projectNPVUSD - Self.npv(rentNet, 0.12) + Self.npv(rentNet, 0.08)
        #expect(abs(contracted.projectNPVUSD - expected) <= 1e-9 * abs(expected))
    }
}
