// SPDX-License-Identifier: GPL-3.0-or-later

import Foundation
import SwitchyardTestSupport
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
        s.finance = FinanceTerms()
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
        block.leadTimeRisk = nil
        block.capexFactorRisk = nil
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

    @Test("With every finance item off and no contract or execution risk, the NPV is the operations' own")
    func offIsOperations() throws {
        var s = try Self.leaseOnly()
        s.finance = FinanceTerms()
        let result = SiteModel.run(scenario: s, seed: 1, path: 0)
        #expect(result.finance == nil)
        // The NPV of the ledger's own free cash flows, discounted here.
        let npv = result.months.reduce(0.0) { $0 + $1.freeCashFlowUSD / pow(1 + s.discountRatePerYear, Double($1.month) / 12) }
        #expect(abs(result.npvUSD - npv) <= 1e-9 * abs(npv))
        // A zero tenant-default hazard and no execution ranges draw nothing and change nothing.
        var zero = s
        guard case .colocation(var lease) = zero.conversions[0].target else { Issue.record("a lease"); return }
        lease.defaultPerYear = 0
        zero.conversions[0].target = .colocation(lease)
        #expect(SiteModel.run(scenario: zero, seed: 1, path: 0).months == result.months)
    }

    @Test("GPUs bought again at the end of their life")
    func gpuReplacement() throws {
        var s = try ScenarioLoader.builtin("small-miner-20mw")
        s.horizonMonths = 30
        s.conversions = []
        s.gpuCloud!.replaceAtEndOfLife = true
        s.gpuCloud!.initialAgeYears = s.gpuCloud!.gpu.lifetimeYears - 1  // due after 12 months
        let result = SiteModel.run(scenario: s, seed: 1, path: 0)
        let batch = Double(s.gpuCloud!.gpus) * s.gpuCloud!.gpu.priceUSD
        for row in result.months {
            #expect(row.gpuCapexUSD == (row.month == 13 ? batch : 0), "month \(row.month)")
        }
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

/// Tenant default and execution risk, each on its own stream.
struct ContractRiskTests {
    /// False-failure rate: one 4-SE check (0.006% of seeds); swept over 100 seeds.
    @Test("Tenant default without re-letting: mean lease value is the survival-weighted annuity (4 SE)", arguments: TestSeeds.sweep)
    func survivalWeightedAnnuity(offset: UInt64) throws {
        let seed = TestSeeds.seed(3, offset)
        var s = try ValuationTests.leaseOnly(
            horizon: 60, renewals: LeaseRenewals(), valuation: Valuation())
        s.colocation[0].afterTerm = .shell
        s.colocation[0].termMonths = 60
        s.colocation[0].escalatorPerYear = 0
        s.colocation[0].defaultPerYear = 0.25
        let d = 1 / pow(1.12, 1.0 / 12)
        let rent = 50_000 * 100.0
        // Rent in month m is paid while the tenant has not defaulted: P = exp(-lambda m / 12).
        var expected = 0.0
        for m in 1...60 {
            let survival: Double = exp(-0.25 * Double(m) / 12)
            expected += rent * survival * pow(d, Double(m))
        }
        let npvs = (0..<400 as Range<UInt64>).map { SiteModel.run(scenario: s, seed: seed, path: $0).npvUSD }
        let mean = npvs.reduce(0, +) / Double(npvs.count)
        let variance: Double = npvs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(npvs.count - 1)
        let se = (variance / Double(npvs.count)).squareRoot()
        #expect(abs(mean - expected) <= 4 * se, "mean \(mean), expected \(expected), SE \(se)")
        let noDefault = (1...60).reduce(0.0) { $0 + rent * pow(d, Double($1)) }
        #expect(noDefault - expected > 6 * se, "the check can tell a default rate of 0.25 from none")
    }

    @Test("Value after the horizon with a default hazard: shell and re-let, against sums over every default month")
    func terminalValueWithDefault() {
        var lease = ColocationLease(
            hall: "A", criticalITMW: 10, priceUSDPerKWMonth: 100, termMonths: 60, escalatorPerYear: 0.03, startMonth: 1, rampMonths: 0)
        lease.defaultPerYear = 0.1
        let market = ColocationMarket(rentUSDPerKWMonth: 120, growthPerYear: 0.02)
        let d = 0.99
        let h = 20
        for relet in [false, true] {
            lease.afterTerm = relet ? .relet(vacancyMonths: 3, termMonths: 12) : .shell
            let schedule = LeaseSchedule(terms: lease, market: market, pue: 1.2)
            // Brute force: the value for each default month k in (h, 61), weighted.
            func survival(_ k: Int) -> Double { exp(-0.1 * Double(k - h) / 12) }
            var expected = 0.0
            for k in (h + 1)...61 {
                let weight = k <= 60 ? survival(k - 1) - survival(k) : survival(60)
                let v = schedule.value(after: h, renewalsTaken: 0, defaultMonth: k <= 60 ? k : nil, monthlyDiscount: d, landValueUSDPerMW: 50_000)
                expected += weight * v
            }
            let value = schedule.expectedValue(after: h, renewalsTaken: 0, monthlyDiscount: d, landValueUSDPerMW: 50_000)
            #expect(abs(value - expected) <= 1e-9 * expected, "relet \(relet): \(value) vs \(expected)")
        }
    }

    /// False-failure rate: two 4-SE checks (about 0.01% of seeds); swept over 100 seeds.
    @Test("Execution risk: capex and lead time drawn from their PERT ranges, on their own stream", arguments: TestSeeds.sweep)
    func executionRisk(offset: UInt64) throws {
        let seed = TestSeeds.seed(7, offset)
        var s = try ScenarioLoader.builtin("texas-200mw")
        s.horizonMonths = 48
        s.stepHours = 24
        s.conversions[0].startMonth = 1
        s.conversions[0].leadTimeRisk = .pert(low: 10, mode: 12, high: 24)
        s.conversions[0].capexFactorRisk = .pert(low: 0.95, mode: 1.0, high: 1.5)
        // No tenant default: a default re-lets the hall, whose fit-out is capex too.
        if case .colocation(var lease) = s.conversions[0].target {
            lease.defaultPerYear = 0
            s.conversions[0].target = .colocation(lease)
        }
        var capex: [Double] = []
        var online: [Double] = []
        for path in 0..<300 as Range<UInt64> {
            let r = SiteModel.run(scenario: s, seed: seed, path: path)
            capex.append(r.months.reduce(0) { $0 + $1.capexUSD - $1.miningCapexUSD })  // the conversion's (not the fleet refreshes')
            // The lease bills from the month the conversion completes.
            online.append(Double(r.months.first { $0.colocationRevenueUSD > 0 }?.month ?? 0))
        }
        func meanSE(_ x: [Double]) -> (Double, Double) {
            let m = x.reduce(0, +) / Double(x.count)
            let variance: Double = x.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(x.count - 1)
            return (m, (variance / Double(x.count)).squareRoot())
        }
        let (capexMean, capexSE) = meanSE(capex)
        let planned = s.conversions[0].capexUSD
        let factorMean = (0.95 + 4 * 1.0 + 1.5) / 6
        #expect(abs(capexMean - planned * factorMean) <= 4 * capexSE, "capex \(capexMean) vs \(planned * factorMean)")
        // Online in month 1 + lead, lead = round(PERT(10, 12, 24)): its mean, by summing the
        // PERT density over each whole month's rounding interval, is close to the PERT mean.
        let (onlineMean, onlineSE) = meanSE(online)
        #expect(abs(onlineMean - (1 + (10 + 48 + 24) / 6.0)) <= 4 * onlineSE + 0.05, "online month \(onlineMean)")
        #expect(Set(online).count > 3, "lead times vary")
        // Without risk: as planned, on every path.
        s.conversions[0].leadTimeRisk = nil
        s.conversions[0].capexFactorRisk = nil
        let plain = SiteModel.run(scenario: s, seed: seed, path: 0)
        #expect(abs(plain.months.reduce(0) { $0 + $1.capexUSD - $1.miningCapexUSD } - planned) <= 1e-6 * planned)
    }
}
