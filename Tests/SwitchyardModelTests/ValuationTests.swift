// SPDX-License-Identifier: GPL-3.0-or-later

import Foundation
import SwitchyardModel
import SwitchyardTestSupport
import Testing

/// Leases with renewals and re-lets, and the value at the horizon, against formulas
/// computed here month by month (not with ``LeaseSchedule``).
struct ValuationTests {
    /// A site with one colocation lease and nothing else (no mining, no GPUs, no site
    /// opex): every cash flow is rent, known in advance.
    static func leaseOnly(horizon: Int, renewals: LeaseRenewals, valuation: Valuation) throws -> Scenario {
        var s = try ScenarioLoader.builtin("texas-200mw")
        s.horizonMonths = horizon
        s.stepHours = 24
        s.mining = []
        s.conversions = []
        s.gpuCloud = nil
        s.opex.fixedUSDPerMonth = 0
        s.finance = FinanceTerms()  // operations only: no tax, debt or landlord opex
        s.electricity.demandResponseCreditUSDPerMWh = 0
        s.electricity.ppa = nil
        s.electricity.transmission = nil
        var lease = ColocationLease(
            hall: "A", criticalITMW: 50, priceUSDPerKWMonth: 100, termMonths: 24, escalatorPerYear: 0.03, startMonth: 1,
            rampMonths: 0)
        lease.renewals = renewals
        lease.afterTerm = .relet(vacancyMonths: 3, termMonths: 12)
        s.colocation = [lease]
        s.colocationMarket = ColocationMarket(rentUSDPerKWMonth: 120, growthPerYear: 0.02)
        s.valuation = valuation
        return s
    }

    /// The rent of month m written out: a 24-month term at 100 USD/kW-month escalated
    /// 3% a year, `n` renewals of 12 months (escalated rent continued), then cycles of
    /// 3 vacant months and 12 months at the market rent of the re-let's first month
    /// (120 x 1.02^((m - 1) / 12)), escalated 3% a year within the re-let.
    static func rent(month m: Int, renewals n: Int) -> Double {
        let kW = 50_000.0
        if m <= 24 + 12 * n { return kW * 100 * pow(1.03, Double((m - 1) / 12)) }
        let intoCycle = (m - (25 + 12 * n)) % 15
        guard intoCycle >= 3 else { return 0 }
        let start = m - intoCycle + 3
        return kW * 120 * pow(1.02, Double(start - 1) / 12) * pow(1.03, Double((m - start) / 12))
    }

    /// sum_m rent_m d^m over 500 years (the rest is below 1e-20 of the total).
    static func presentValue(renewals n: Int, monthlyDiscount d: Double, from first: Int = 1) -> Double {
        var total = 0.0
        for m in first...6_000 { total += rent(month: m, renewals: n) * pow(d, Double(m)) }
        return total
    }

    /// Free cash flow and NPV by hand: the lease's rent written out (``rent(month:renewals:)``)
    /// less a fixed opex, discounted with pow here (not CashFlows.npv). A ledger that
    /// dropped the opex, or a cash flow summed with a sign wrong, fails.
    @Test("Free cash flow and NPV of a lease-only site equal the rent written out, less opex, to 1e-9")
    func cashFlowByHand() throws {
        var s = try Self.leaseOnly(horizon: 30, renewals: LeaseRenewals(), valuation: Valuation())
        s.opex.fixedUSDPerMonth = 25_000
        let result = SiteModel.run(scenario: s, seed: 1, path: 0)
        var npv = 0.0
        for row in result.months {
            let flow = Self.rent(month: row.month, renewals: 0) - 25_000
            #expect(abs(row.freeCashFlowUSD - flow) <= 1e-9 * abs(flow), "month \(row.month)")
            npv += flow / pow(1.12, Double(row.month) / 12)
        }
        #expect(abs(result.npvUSD - npv) <= 1e-9 * abs(npv))
    }

    @Test("Lease-only NPV with a renewal, re-lets and land value equals the month-by-month formula to 1e-9")
    func closedFormWithRenewal() throws {
        let land = 200_000.0
        let s = try Self.leaseOnly(
            horizon: 48, renewals: LeaseRenewals(options: 1, termMonths: 12, probability: 1, rent: .escalated),
            valuation: Valuation(method: .gordon(growthPerYear: 0.01), landValueUSDPerMW: land))
        let result = SiteModel.run(scenario: s, seed: 1, path: 0)
        let d = 1 / pow(1.12, 1.0 / 12)
        // Operations earn nothing (going concern 0), so they are worth the land not under
        // lease: 200 MW - 50 MW x PUE 1.08.
        let landValue = land * (200 - 50 * 1.08)
        let expected = Self.presentValue(renewals: 1, monthlyDiscount: d) + landValue * pow(d, 48)
        #expect(abs(result.npvUSD - expected) <= 1e-9 * expected, "NPV \(result.npvUSD) vs \(expected)")
        // Inside the horizon the ledger bills exactly the written-out rent.
        for row in result.months {
            #expect(abs(row.colocationRevenueUSD - Self.rent(month: row.month, renewals: 1)) <= 1e-6 * max(1, row.colocationRevenueUSD))
        }
        let tv = try #require(result.terminalValue)
        #expect(abs(tv.landUSD - landValue) <= 1e-6)
        #expect(tv.goingConcernUSD == 0)
    }

    @Test("Renewals still to be decided at the horizon are valued at their expectation")
    func expectedRenewalsAfterTheHorizon() throws {
        // Two options with probability 0.5, decided in months 25 and 37: after a
        // 20-month horizon the tenant takes 0, 1 or 2 with odds 1/2, 1/4, 1/4.
        let s = try Self.leaseOnly(
            horizon: 20, renewals: LeaseRenewals(options: 2, termMonths: 12, probability: 0.5, rent: .escalated),
            valuation: Valuation(method: .gordon(growthPerYear: 0), landValueUSDPerMW: 0))
        let d = 1 / pow(1.12, 1.0 / 12)
        let expected = 0.5 * Self.presentValue(renewals: 0, monthlyDiscount: d)
            + 0.25 * Self.presentValue(renewals: 1, monthlyDiscount: d) + 0.25 * Self.presentValue(renewals: 2, monthlyDiscount: d)
        for path in 0..<3 as Range<UInt64> {
            let npv = SiteModel.run(scenario: s, seed: 7, path: path).npvUSD
            #expect(abs(npv - expected) <= 1e-9 * expected, "path \(path): \(npv) vs \(expected)")
        }
    }

    /// False-failure rate: a 4-SE check fails on about 0.006% of seeds; swept over 100 seeds.
    @Test("Renewals drawn inside the horizon: mean NPV equals the probability-weighted formula within 4 SE", arguments: TestSeeds.sweep)
    func renewalsDrawnOnPaths(offset: UInt64) throws {
        let seed = TestSeeds.seed(11, offset)
        let s = try Self.leaseOnly(
            horizon: 60, renewals: LeaseRenewals(options: 2, termMonths: 12, probability: 0.6, rent: .escalated),
            valuation: Valuation(method: .gordon(growthPerYear: 0), landValueUSDPerMW: 0))
        let d = 1 / pow(1.12, 1.0 / 12)
        let expected = 0.4 * Self.presentValue(renewals: 0, monthlyDiscount: d)
            + 0.24 * Self.presentValue(renewals: 1, monthlyDiscount: d) + 0.36 * Self.presentValue(renewals: 2, monthlyDiscount: d)
        let npvs = (0..<400 as Range<UInt64>).map { SiteModel.run(scenario: s, seed: seed, path: $0).npvUSD }
        let mean = npvs.reduce(0, +) / Double(npvs.count)
        let sd = (npvs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(npvs.count - 1)).squareRoot()
        let se = sd / Double(npvs.count).squareRoot()
        #expect(se > 0, "the renewals must vary across paths")
        #expect(abs(mean - expected) <= 4 * se, "mean \(mean) vs \(expected), SE \(se)")
    }

    @Test("Going concern: Gordon on the last 12 months' operating cash flow, as the ledger shows it")
    func gordonOnOperations() throws {
        var s = try ScenarioLoader.builtin("texas-200mw")
        s.horizonMonths = 30
        s.stepHours = 24
        s.conversions = []
        s.bitcoin.volatility = 0
        s.electricity.market.volatility = 0
        s.electricity.market.spikesPerYear = 0
        s.valuation = Valuation(method: .gordon(growthPerYear: 0.02), landValueUSDPerMW: 0)
        s.electricity.ppa = nil  // a PPA's settlements are valued as a contract, not as operations
        s.finance = FinanceTerms()
        // Without periodic refreshes (their cost and cycle are tested on their own).
        s.mining = s.mining.map {
            var fleet = $0
            fleet.refresh = nil
            return fleet
        }
        let result = SiteModel.run(scenario: s, seed: 3, path: 0)
        let last12 = result.months.suffix(12).reduce(0.0) {
            $0 + $1.miningRevenueUSD + $1.gpuCloudRevenueUSD + $1.curtailmentCreditsUSD - $1.energyCostUSD - $1.opexUSD
                - $1.transmissionUSD
        }
        #expect(result.months.contains { $0.transmissionUSD > 0 }, "the 4CP charge is an operating cost")
        #expect(last12 > 0, "the test needs a site that earns")
        let gordon = last12 * 1.02 / (0.12 - 0.02)
        let tv = try #require(result.terminalValue)
        #expect(abs(tv.goingConcernUSD - gordon) <= 1e-9 * gordon)
        #expect(tv.totalUSD == tv.operationsUSD, "no leases")
        let d = 1 / pow(1.12, 1.0 / 12)
        var npv = 0.0
        for row in result.months { npv += row.freeCashFlowUSD * pow(d, Double(row.month)) }
        npv += gordon * pow(d, 30)
        #expect(abs(result.npvUSD - npv) <= 1e-9 * abs(npv))
        // An exit multiple instead.
        s.valuation = Valuation(method: .multiple(6), landValueUSDPerMW: 0)
        let multiple = SiteModel.run(scenario: s, seed: 3, path: 0)
        #expect(abs((multiple.terminalValue?.goingConcernUSD ?? 0) - 6 * last12) <= 1e-9 * 6 * last12)
    }

    @Test("Renewal probability 0 and no terminal value reproduce the plain lease exactly")
    func defaultsReproduce() throws {
        var plain = try ScenarioLoader.builtin("texas-200mw")
        plain.valuation = Valuation()
        plain.horizonMonths = 48
        plain.conversions[0].startMonth = 2
        guard case .colocation(var lease) = plain.conversions[0].target else { Issue.record("a lease"); return }
        lease.renewals = LeaseRenewals()
        lease.afterTerm = .shell
        lease.termMonths = 20
        plain.conversions[0].target = .colocation(lease)
        var withOptions = plain
        lease.renewals = LeaseRenewals(options: 2, termMonths: 60, probability: 0, rent: .market, marketSpread: 0.1)
        withOptions.conversions[0].target = .colocation(lease)
        let a = SiteModel.run(scenario: plain, seed: 5, path: 3)
        let b = SiteModel.run(scenario: withOptions, seed: 5, path: 3)
        #expect(a.months == b.months)
        #expect(a.npvUSD == b.npvUSD)
        #expect(a.terminalValue == nil)
        // And the lease really ended: no rent in the last months.
        #expect(a.months.last!.colocationRevenueUSD == 0)
        #expect(a.months[20].colocationRevenueUSD > 0)
    }

    @Test("A re-let chain's closed form equals a 500-year month-by-month sum")
    func reletChainClosedForm() {
        var lease = ColocationLease(
            hall: "A", criticalITMW: 50, priceUSDPerKWMonth: 100, termMonths: 24, escalatorPerYear: 0.03, startMonth: 1,
            rampMonths: 0)
        lease.afterTerm = .relet(vacancyMonths: 3, termMonths: 12)
        let schedule = LeaseSchedule(terms: lease, market: ColocationMarket(rentUSDPerKWMonth: 120, growthPerYear: 0.02), pue: 1.08)
        let d = 1 / pow(1.12, 1.0 / 12)
        for h in [0, 10, 24, 26, 30, 40, 100] {
            let expected = Self.presentValue(renewals: 0, monthlyDiscount: d, from: h + 1) / pow(d, Double(h))
            let value = schedule.value(after: h, renewalsTaken: 0, monthlyDiscount: d, landValueUSDPerMW: 0)
            #expect(abs(value - expected) <= 1e-9 * expected, "h = \(h): \(value) vs \(expected)")
        }
    }

    @Test("Re-let fit-out: paid as each tenant leaves, growing with the market rent; closed form against a 500-year sum")
    func reletFitOut() {
        var lease = ColocationLease(
            hall: "A", criticalITMW: 50, priceUSDPerKWMonth: 100, termMonths: 24, escalatorPerYear: 0.03, startMonth: 1,
            rampMonths: 0)
        lease.afterTerm = .relet(vacancyMonths: 3, termMonths: 12)
        lease.reletCapexUSDPerMW = 1_000_000
        let schedule = LeaseSchedule(terms: lease, market: ColocationMarket(rentUSDPerKWMonth: 120, growthPerYear: 0.02), pue: 1.08)
        let d = 1 / pow(1.12, 1.0 / 12)
        for h in [10, 30] {
            var expected = 0.0
            for m in (h + 1)...6_000 {
                var flow = Self.rent(month: m, renewals: 0)
                if m >= 25 && (m - 25) % 15 == 0 { flow -= 1_000_000 * 50 * pow(1.02, Double(m - 1) / 12) }
                expected += flow * pow(d, Double(m - h))
            }
            let value = schedule.value(after: h, renewalsTaken: 0, monthlyDiscount: d, landValueUSDPerMW: 0)
            #expect(abs(value - expected) <= 1e-9 * abs(expected), "h = \(h): \(value) vs \(expected)")
        }
        #expect(schedule.month(25, renewalsTaken: 0).fitOutUSD > 0 && schedule.month(26, renewalsTaken: 0).fitOutUSD == 0)
    }

    @Test("Renewal odds given what is known at the horizon")
    func renewalOdds() {
        var lease = ColocationLease(
            hall: "A", criticalITMW: 1, priceUSDPerKWMonth: 100, termMonths: 24, escalatorPerYear: 0, startMonth: 1, rampMonths: 0)
        lease.renewals = LeaseRenewals(options: 2, termMonths: 12, probability: 0.8)
        let schedule = LeaseSchedule(terms: lease, market: nil, pue: 1)
        // Nothing decided before month 25.
        func same(_ a: [Double], _ b: [Double]) -> Bool { a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) < 1e-15 } }
        #expect(same(schedule.renewalOdds(knownAt: 24, renewalsTaken: 0), [0.2, 0.8 * 0.2, 0.8 * 0.8]))
        // Decision 1 (month 25) known: refused.
        #expect(schedule.renewalOdds(knownAt: 25, renewalsTaken: 0) == [1, 0, 0])
        // Decision 1 taken, decision 2 (month 37) not yet made.
        #expect(same(schedule.renewalOdds(knownAt: 30, renewalsTaken: 2), [0, 0.2, 0.8]))
        #expect(schedule.renewalOdds(knownAt: 37, renewalsTaken: 1) == [0, 1, 0])
        // Draws: renew while the uniform is below the probability.
        #expect(schedule.renewalsTaken(uniforms: [0.1, 0.9]) == 1)
        #expect(schedule.renewalsTaken(uniforms: [0.9, 0.1]) == 0)
        #expect(schedule.renewalsTaken(uniforms: [0.1, 0.1]) == 2)
    }

    @Test("A shell lease is worth its rent to the end and the land value after")
    func shellAfterTheTerm() {
        let lease = ColocationLease(
            hall: "A", criticalITMW: 10, priceUSDPerKWMonth: 100, termMonths: 24, escalatorPerYear: 0, startMonth: 1, rampMonths: 0)
        let schedule = LeaseSchedule(terms: lease, market: nil, pue: 1.2)
        let d = 0.99
        var expected = 0.0
        for m in 11...24 { expected += 10_000 * 100 * pow(d, Double(m - 10)) }
        expected += 300_000 * 12 * pow(d, 15)  // 10 MW IT x PUE 1.2 in month 25
        #expect(abs(schedule.value(after: 10, renewalsTaken: 0, monthlyDiscount: d, landValueUSDPerMW: 300_000) - expected) <= 1e-6)
    }

    @Test("IRR only where it means something; MIRR and payback on hand-computed flows")
    func rateOfReturn() {
        // One sign change: monthly IRR 10%.
        let one = CashFlows.rateOfReturn([-100, 0, 121], discountRate: 0.12)
        #expect(abs((one.value ?? 0) - (pow(1.1, 12) - 1)) < 1e-8)
        // Two sign changes: -100, +230, -132 has monthly roots 10% and 20%: no single IRR.
        let two = CashFlows.rateOfReturn([-100, 230, -132], discountRate: 0.12)
        #expect(two.value == nil)
        let f = pow(1.12, 1.0 / 12) - 1
        let pvOut = 100 / (1 + f) + 132 / pow(1 + f, 3)
        let fvIn = 230 * (1 + f)
        let mirr = pow(pow(fvIn / pvOut, 1.0 / 3), 12) - 1
        guard case .notMeaningful(let changes, let m) = two else { Issue.record("expected not meaningful"); return }
        #expect(changes == 2)
        #expect(abs((m ?? 0) - mirr) < 1e-12)
        #expect("\(two)".contains("change sign 2 times"))
        // An IRR below -99% a year is not reported.
        #expect(CashFlows.rateOfReturn([-1_000_000, 1, 1, 1], discountRate: 0.12).value == nil)
        // Payback: never "month 0".
        #expect(CashFlows.paybackMonth([5, 1]) == nil)
        #expect(CashFlows.paybackMonth([-10, 4, 4, 4, -1, 5]) == 4)
    }

    @Test("The reference sites never report an IRR below -99%")
    func noAbsurdIRR() throws {
        for name in ScenarioLoader.builtinScenarioNames {
            let s = try ScenarioLoader.builtin(name)
            for path in 0..<20 as Range<UInt64> {
                let r = SiteModel.run(scenario: s, seed: 2, path: path)
                if let irr = r.irr { #expect(irr > -0.99) }
            }
        }
    }
}

/// Growth rates near the rates they are discounted at are refused with a message (they
/// made a perpetuity explode, or trapped).
struct ValuationValidationTests {
    static func texasText() throws -> String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return try String(contentsOf: root.appendingPathComponent("Models/texas-200mw.yaml"), encoding: .utf8)
    }

    func problems(_ text: String) -> String {
        do {
            _ = try ScenarioLoader.load(yaml: text, file: "t.yaml", baseDirectory: nil)
            return ""
        } catch {
            return error.description
        }
    }

    @Test("Market rent growth at or above the contract discount rate is refused (it trapped before)")
    func marketGrowthAgainstContractRate() throws {
        let text = try Self.texasText()
        #expect(problems(text) == "")
        let fast = text.replacingOccurrences(of: "  growthPerYear: 0.02          # GUESS: near inflation", with: "  growthPerYear: 0.1           # GUESS: near inflation")
        #expect(problems(fast).contains("colocationMarket.growthPerYear = 0.1: must be at least 1 point below the rate re-lets are discounted at (0.09"))
        let lowRate = text.replacingOccurrences(of: "contractDiscountRatePerYear: 0.09", with: "contractDiscountRatePerYear: 0")
        #expect(problems(lowRate).contains("colocationMarket.growthPerYear = 0.02: must be at least 1 point below"))
        let gordon = text.replacingOccurrences(of: "  growthPerYear: 0.03          # GUESS: a refreshed", with: "  growthPerYear: 0.1199        # GUESS: a refreshed")
        #expect(problems(gordon).contains("valuation.growthPerYear = 0.1199: must be at least 1 point below discountRatePerYear"))
    }

    @Test("A Gordon growth key under another method says why, and peak months are checked once")
    func clearMessages() throws {
        let text = try Self.texasText()
        let none = text.replacingOccurrences(of: "terminalValue: gordon", with: "terminalValue: none")
        let message = problems(none)
        #expect(message.contains("valuation.growthPerYear"))
        #expect(message.contains("applies only with terminalValue: gordon"))
        #expect(!message.contains("unknown key"))
        let month13 = problems(text.replacingOccurrences(of: "peakMonths: [6, 7, 8, 9]", with: "peakMonths: [13]"))
        #expect(month13.components(separatedBy: "peakMonths[0]").count == 2, "reported once: \(month13)")
        #expect(problems(text.replacingOccurrences(of: "peakMonths: [6, 7, 8, 9]", with: "peakMonths: []")).contains("needs at least one month"))
    }
}

/// A hostile YAML document is refused before it is expanded.
struct HostileYAMLTests {
    @Test("An alias bomb (nested aliases, one used as a mapping key) is refused without expanding it")
    func aliasBomb() {
        var text = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
        var previous = "a"
        for level in ["b", "c", "d", "e", "f", "g", "h", "i"] {
            text += "\(level): &\(level) [" + [String](repeating: "*\(previous)", count: 10).joined(separator: ", ") + "]\n"
            previous = level
        }
        text += "? *i\n: 1\n"
        do {
            _ = try ScenarioLoader.load(yaml: text, file: "bomb.yaml", baseDirectory: nil)
            Issue.record("the bomb was accepted")
        } catch {
            #expect(error.description.contains("bomb.yaml"))
            #expect(error.description.contains("YAML aliases"))
        }
    }
}
