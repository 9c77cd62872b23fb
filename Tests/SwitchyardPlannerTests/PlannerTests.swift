// SPDX-License-Identifier: GPL-3.0-or-later

import Foundation
import SwitchyardModel
@testable import SwitchyardPlanner
import SwitchyardRisk
import SwitchyardTestSupport
import Testing

struct PlannerTests {
    /// A deterministic site whose answer is known. The subsidy halves at the start of
    /// month 18 (initial height chosen so), which cuts the mining margin of hall B from
    /// about 61k to 17.5k USD per MW-month, while the converted hall would earn 30.8k
    /// (40 USD/kW-month on IT = MW / 1.3). The hall earns nothing during the 12-month
    /// conversion, so the value of starting in month m grows by (mining margin in month
    /// m - rent) per month of delay: converting pays from the month the margin falls
    /// below the rent, i.e. month 18.
    static func knownAnswerScenario() throws -> Scenario {
        var s = try ScenarioLoader.builtin("texas-200mw")
        s.horizonMonths = 48
        s.stepHours = 24
        // The truncated view, and a lease that ends: the answer is worked out without
        // terminal value, renewals or re-lets.
        s.valuation = Valuation()
        s.finance = FinanceTerms()
        s.bitcoin.drift = 0
        s.bitcoin.volatility = 0
        s.bitcoin.feeLogVolatility = 0
        s.bitcoin.hashrateGrowthPerYear = 0
        s.bitcoin.hashrateVolatility = 0
        s.bitcoin.hashratePriceElasticity = 0
        s.bitcoin.initialBlockHeight = 1_050_000 - 74_400
        // The network and market this answer was worked out for (the reference site's of
        // late 2024): a fixed network of 780 EH/s, BTC at 95,000, 0.09 BTC fees a block.
        s.bitcoin.profitability = nil
        s.bitcoin.networkUncertainty = .init()
        s.bitcoin.initialHashrateEHs = 780
        s.bitcoin.initialPriceUSD = 95_000
        s.bitcoin.feesBTCPerBlock = 0.09
        s.bitcoin.feeSpikesPerYear = 0
        s.bitcoin.initialFeesBTCPerBlock = nil
        s.electricity.ppaShare = 0
        s.electricity.demandResponseCreditUSDPerMWh = 0
        s.electricity.market.level = 40  // no noise, no seasons: the mean is the level
        s.electricity.ppa = nil
        s.electricity.transmission = nil
        s.electricity.market.seasonalAmplitude = 0
        s.electricity.market.volatility = 0
        s.electricity.market.spikesPerYear = 0
        s.mining = [s.mining[0]]  // the S21 fleet, moved to hall B, never refreshed
        s.mining[0].hall = "B"
        s.mining[0].refresh = nil
        s.mining[0].opexUSDPerMWh = 0
        s.opex.fixedUSDPerMonth = 0
        var block = s.conversions[0]
        block.hall = "B"
        block.megawatts = 60
        block.leadTimeMonths = 12
        block.capexUSDPerMW = 10_000
        block.newPUE = 1.3
        block.reusableFraction = 0
        block.asicSalvageFraction = 0
        guard case .colocation(var lease) = block.target else { throw PlannerError.noConversionProjects(scenario: "test") }
        lease.priceUSDPerKWMonth = 40
        lease.escalatorPerYear = 0
        lease.rampMonths = 0
        lease.termMonths = 120
        lease.renewals = LeaseRenewals()
        lease.afterTerm = .shell
        lease.defaultPerYear = 0
        block.target = .colocation(lease)
        block.leadTimeRisk = nil
        block.capexFactorRisk = nil
        s.conversions = [block]
        return s
    }

    @Test("On a site whose answer is known, the planner converts at the right month")
    func knownAnswer() throws {
        let s = try Self.knownAnswerScenario()
        // Brute force: the NPV of starting in each month (the path is deterministic).
        let npvs = (1...36).map { m in
            SiteModel.run(scenario: ConversionPolicy.schedule([m]).apply(to: s), seed: 1, path: 0).npvUSD
        }
        let bruteForce = npvs.indices.max { npvs[$0] < npvs[$1] }! + 1
        #expect(bruteForce == 18, "the economics put the optimum at month 18, brute force says \(bruteForce)")
        let result = try Planner.plan(
            scenario: s, settings: PlanSettings(trainingPaths: 2, evaluationPaths: 2, seed: 1, threads: 2, scheduleStepMonths: 3))
        #expect(result.bestSchedule.policy == .schedule([18]))
        #expect(result.recommendation.contains("month 18"), "\(result.recommendation)")
        // The trigger rule finds the halving: it converts in month 17 or 18 (the halving
        // falls 4 hours before month 18 starts) and is worth as much as the schedule.
        #expect(abs(result.bestTrigger.npv.mean - result.bestSchedule.npv.mean) < 0.01 * abs(result.bestSchedule.npv.mean))
        #expect(result.valueOfFlexibility.mean > 0, "waiting beats converting now")
        #expect(result.leastSquares.startMonths.count == 2, "the least-squares policy is evaluated on the fresh paths too")
        #expect(result.never.npv.mean < result.bestSchedule.npv.mean)
    }

    @Test("The least-squares Monte Carlo policy converts one decision step from month 18 on the known-answer site")
    func leastSquaresKnownAnswer() throws {
        let s = try Self.knownAnswerScenario()
        let settings = PlanSettings(trainingPaths: 30, evaluationPaths: 4, seed: 1, threads: 2)
        let trained = try Planner.trainLeastSquares(scenario: s, settings: settings, stepMonths: 6)
        #expect(trained.rule.months == [1, 7, 13, 19, 25, 31, 37, 43])
        let runs = try Planner.runLeastSquares(trained.rule, scenario: s, seed: 99, count: 4, threads: 2)
        let starts = Set(runs.map { $0.starts[0] })
        // Decisions every 6 months: month 18 itself is not a decision month; 13 or 19
        // are one step away (the path is deterministic, so every path agrees).
        #expect(starts.count == 1)
        #expect(starts.first == 13 || starts.first == 19, "converts in month \(String(describing: starts.first))")
        let never = SiteModel.run(scenario: ConversionPolicy.never.apply(to: s), seed: 99, path: 0).npvUSD
        let best = SiteModel.run(scenario: ConversionPolicy.schedule([18]).apply(to: s), seed: 99, path: 0).npvUSD
        #expect(runs[0].npv > never)
        #expect(runs[0].npv > best - 0.02 * abs(best))
    }

    @Test("Trigger rules: a mining-margin trigger fires at the halving; the earliest month holds back a rule that always fires")
    func triggerSignals() throws {
        let s = try Self.knownAnswerScenario()
        func start(_ trigger: ConversionTrigger) -> Int? {
            SiteModel.run(scenario: ConversionPolicy.trigger(trigger).apply(to: s), seed: 1, path: 0).conversionStartMonths[0]
        }
        // Hall B's margin: ~84 USD/MWh before the halving (61k USD per MW-month), ~24
        // after (17.5k). The halving falls 4 hours before month 18, at a tick of month 17.
        #expect(start(ConversionTrigger(signal: .miningMargin, below: 50, forDays: 0, earliestMonth: 1, latestMonth: 48)) == 17)
        #expect(start(ConversionTrigger(signal: .miningMargin, below: 90, forDays: 0, earliestMonth: 1, latestMonth: 48)) == 1)
        #expect(start(ConversionTrigger(signal: .miningMargin, below: 10, forDays: 0, earliestMonth: 1, latestMonth: 48)) == nil)
        // Staying below for 60 days: two months later.
        #expect(start(ConversionTrigger(signal: .miningMargin, below: 50, forDays: 60, earliestMonth: 1, latestMonth: 48)) == 19)
        // A level always above the signal fires at the earliest month, never after the latest.
        #expect(start(ConversionTrigger(signal: .hashprice, below: 1e9, forDays: 0, earliestMonth: 10, latestMonth: 48)) == 10)
        #expect(start(ConversionTrigger(signal: .hashprice, below: 1, forDays: 0, earliestMonth: 1, latestMonth: 48)) == nil)
    }

    /// The known-answer site with hall B's fleet converted in two 30 MW blocks; the
    /// second block's lease pays `secondRent` USD/kW-month.
    static func twoBlockScenario(secondRent: Double) throws -> Scenario {
        var s = try knownAnswerScenario()
        var first = s.conversions[0]
        first.megawatts = 30
        var second = first
        guard case .colocation(var lease) = second.target else { throw PlannerError.noConversionProjects(scenario: "test") }
        lease.priceUSDPerKWMonth = secondRent
        second.target = .colocation(lease)
        s.conversions = [first, second]
        return s
    }

    @Test("Staged least-squares Monte Carlo: block after block, each at its own right time")
    func stagedLeastSquares() throws {
        let settings = PlanSettings(trainingPaths: 30, evaluationPaths: 4, seed: 1, threads: 2)
        // Both blocks earn the same rent: both convert one decision step from month 18
        // (block 2 may start in the month block 1 does).
        let same = try Self.twoBlockScenario(secondRent: 40)
        let trained = try Planner.trainLeastSquares(scenario: same, settings: settings, stepMonths: 6)
        #expect(trained.rule.stages.count == 2)
        let runs = try Planner.runLeastSquares(trained.rule, scenario: same, seed: 99, count: 4, threads: 2)
        for run in runs {
            #expect(run.starts[0] == 13 || run.starts[0] == 19, "block 1 starts in \(String(describing: run.starts[0]))")
            #expect(run.starts[1] == run.starts[0], "block 2 starts in \(String(describing: run.starts[1]))")
        }
        // In-sample runs are the simulated NPVs of the chosen schedules.
        let p0 = trained.runs[0]
        let replay = SiteModel.run(scenario: ConversionPolicy.schedule(p0.starts).apply(to: same), seed: 1, path: 0)
        #expect(abs(replay.npvUSD - p0.npv) <= 1e-6 * abs(p0.npv))
        #expect(replay.conversionStartMonths == p0.starts)
        // A second block whose lease pays less than mining still earns after the halving
        // (15 USD/kW-month against ~17.5k USD per MW-month of margin): it stays mining.
        let cheap = try Self.twoBlockScenario(secondRent: 15)
        let brute = [Int?]([nil] + Array(stride(from: 1, through: 43, by: 6))).map { m2 in
            SiteModel.run(scenario: ConversionPolicy.schedule([19, m2]).apply(to: cheap), seed: 1, path: 0).npvUSD
        }
        #expect(brute[0] == brute.max(), "brute force: block 2 is best never converted")
        let cheapRule = try Planner.trainLeastSquares(scenario: cheap, settings: settings, stepMonths: 6).rule
        for run in try Planner.runLeastSquares(cheapRule, scenario: cheap, seed: 99, count: 4, threads: 2) {
            #expect(run.starts[0] == 13 || run.starts[0] == 19, "block 1 starts in \(String(describing: run.starts[0]))")
            #expect(run.starts[1] == nil, "block 2 starts in \(String(describing: run.starts[1]))")
        }
    }

    /// Two blocks both worth converting (80 USD/kW-month), on a noisy BTC price, so that
    /// block 2 does start on most paths under both rules and the order is checked (the
    /// test requires it to have started somewhere: an ordering check that never ran would
    /// pass whatever the planner did).
    @Test("A block never starts before the one before it, under every policy the planner scores")
    func blocksInOrder() throws {
        var s = try Self.twoBlockScenario(secondRent: 80)
        guard case .colocation(var lease) = s.conversions[0].target else { throw PlannerError.noConversionProjects(scenario: "test") }
        lease.priceUSDPerKWMonth = 80
        s.conversions[0].target = .colocation(lease)
        s.bitcoin.volatility = 0.5
        let settings = PlanSettings(trainingPaths: 40, evaluationPaths: 40, seed: 3, threads: 2, scheduleStepMonths: 12)
        let result = try Planner.plan(scenario: s, settings: settings)
        for score in [result.leastSquares, result.bestTrigger] {
            #expect(score.startMonths.count == 40)
            let second = score.startMonths.filter { $0.count == 2 && $0[1] != nil }.count
            #expect(second > 0, "block 2 starts on some path (\(second) of 40)")
            for starts in score.startMonths {
                #expect(starts.count == 2)
                if let b = starts[1] { #expect(starts[0].map { $0 <= b } == true, "\(starts)") }
            }
        }
        #expect(result.candidates.contains { if case .leastSquares = $0.policy { true } else { false } })
    }

    /// One 4-SE check (in- and out-of-sample are independent path sets; selection makes
    /// in-sample optimistic, which a small policy space keeps within the noise); swept
    /// over 100 seeds.
    @Test("With a small policy space, in-sample and out-of-sample values differ by no more than sampling error (4 SE)", arguments: TestSeeds.sweep)
    func inSampleVersusOutOfSample(offset: UInt64) throws {
        var s = try ScenarioLoader.builtin("texas-200mw")
        s.horizonMonths = 24
        s.stepHours = 24
        s.conversions[0].startMonth = 3
        // The setting this bound was made for: no value at the horizon, no finance terms.
        s.valuation = Valuation()
        s.finance = FinanceTerms()
        let settings = PlanSettings(
            trainingPaths: 120, evaluationPaths: 240, seed: TestSeeds.seed(5, offset), threads: 2, scheduleStepMonths: 12)
        let result = try Planner.plan(scenario: s, settings: settings)
        let inSample = result.recommendedInSample.npv
        let outOfSample = result.recommended.npv
        let se = (inSample.standardError * inSample.standardError + outOfSample.standardError * outOfSample.standardError)
            .squareRoot()
        #expect(abs(inSample.mean - outOfSample.mean) < 4 * se, "in \(inSample.mean), out \(outOfSample.mean), SE \(se)")
        #expect(result.candidates.count < 80, "a small policy space (\(result.candidates.count) candidates)")
        #expect(outOfSample.count == 240)
    }

    @Test("Objectives: a CVaR limit that nothing meets is reported, not ignored")
    func infeasibleLimit() throws {
        var s = try Self.knownAnswerScenario()
        s.horizonMonths = 30
        let settings = PlanSettings(
            trainingPaths: 2, evaluationPaths: 2, seed: 1, threads: 1,
            objective: .meanNPVWithCVaRLimit(maxCVaR95USD: -1e12), scheduleStepMonths: 6)
        #expect(throws: PlannerError.self) { try Planner.plan(scenario: s, settings: settings) }
    }
}

/// The valuation issue's checks: the decision against "never", the simpler policy,
/// and an answer that does not depend on where the horizon is put.
struct DecisionTests {
    @Test("Where the answer is to keep mining, the value of flexibility is 0 and the figures against never are reported")
    func keepMining() throws {
        var s = try PlannerTests.knownAnswerScenario()
        s.horizonMonths = 30
        guard case .colocation(var lease) = s.conversions[0].target else { Issue.record("a lease"); return }
        lease.priceUSDPerKWMonth = 1  // rent far below what mining earns
        s.conversions[0].target = .colocation(lease)
        s.conversions[0].capexUSDPerMW = 9_000_000
        let settings = PlanSettings(trainingPaths: 3, evaluationPaths: 3, seed: 1, threads: 2, scheduleStepMonths: 12)
        let result = try Planner.plan(scenario: s, settings: settings)
        #expect(result.recommended.policy == .never)
        #expect(result.valueOfFlexibility.mean == 0)
        #expect(result.flexibilityBaseline == "never convert")
        #expect(result.recommendation.hasPrefix("Keep mining"))
        let now = try #require(result.convertNow.incremental)
        #expect(now.npv.mean < 0)
        #expect(now.probabilityWorse == 1)
        #expect(now.paybackMonth == nil, "a conversion that loses money never pays back")
        let never = try #require(result.recommended.incremental)
        #expect(never.npv.mean == 0 && never.probabilityWorse == 0)
    }

    @Test("A schedule is recommended in words with calendar dates: start, and online after the lead time")
    func headlineDates() throws {
        let s = try PlannerTests.knownAnswerScenario()
        let settings = PlanSettings(trainingPaths: 2, evaluationPaths: 2, seed: 1, threads: 2, scheduleStepMonths: 6)
        let result = try Planner.plan(scenario: s, settings: settings)
        // The known answer is month 18: June 2027 from a January 2026 start, online June 2028.
        if case .schedule = result.recommended.policy {
            #expect(result.recommendation.contains("in June 2027 (month 18); online June 2028"), "\(result.recommendation)")
        } else {
            Issue.record("expected a schedule: \(result.recommendation)")
        }
    }

    @Test("Incremental IRR of policy minus never: two sign changes are not meaningful (MIRR given); one gives the IRR")
    func incrementalRateOfReturn() {
        let never: [[Double]] = [[10, 10, 10], [20, 5, 7]]
        let twoChanges = never.map { zip($0, [-100.0, 230, -132]).map(+) }
        let a = Incremental(npvs: [1, 3], never: [2, 2], flows: twoChanges, neverFlows: never, discountRate: 0.12)
        let f = pow(1.12, 1.0 / 12) - 1
        let mirr = pow(pow(230 * (1 + f) / (100 / (1 + f) + 132 / pow(1 + f, 3)), 1.0 / 3), 12) - 1
        guard case .notMeaningful(let changes, let m) = a.rateOfReturn else {
            Issue.record("expected not meaningful, got \(a.rateOfReturn)")
            return
        }
        #expect(changes == 2)
        #expect(abs((m ?? 0) - mirr) < 1e-12)
        #expect(a.probabilityWorse == 0.5)
        #expect(a.npv.mean == 0)
        // -100 then +121 two months later: 10% a month.
        let oneChange = never.map { zip($0, [-100.0, 0, 121]).map(+) }
        let b = Incremental(npvs: [1, 1], never: [0, 0], flows: oneChange, neverFlows: never, discountRate: 0.12)
        #expect(abs((b.rateOfReturn.value ?? 0) - (pow(1.1, 12) - 1)) < 1e-8)
        #expect(b.paybackMonth == 3)
    }

    static func score(_ policy: ConversionPolicy, _ npvs: [Double]) -> PolicyScore {
        let npv = DistributionSummary(npvs)
        return PolicyScore(
            policy: policy, npv: npv, objective: npv.mean, feasible: true, convertedShare: 0, startMonthPercentiles: nil,
            startMonths: [], npvs: npvs)
    }

    @Test("The simpler policy wins unless the more complex one is better by more than 2 paired standard errors")
    func simplerPolicy() {
        func rank(_ p: ConversionPolicy) -> Int {
            switch p {
            case .never: 0
            case .schedule: 1
            case .trigger: 2
            case .leastSquares: 3
            }
        }
        let never = Self.score(.never, [100, 110, 90, 105])
        // Differences from never: 1, 3, 1, 3: mean 2, paired SE 0.577; 2 SE = 1.15 < 2.
        let schedule = Self.score(.schedule([6]), [101, 113, 91, 108])
        // Differences from the schedule: +2, -1, +2, -1: mean 0.5, SE 0.866: within 2 SE.
        let trigger = Self.score(
            .trigger(ConversionTrigger(below: 40, forDays: 0, earliestMonth: 1, latestMonth: 12)), [103, 112, 93, 107])
        let (chosen, why) = Planner.simplest([trigger, schedule, never], rank: rank)
        #expect(chosen.policy == .schedule([6]), "\(why)")
        #expect(why.contains("within 2 paired standard errors"))
        // A schedule only 1 better on every path but one: 1, 1, 1, -1: mean 0.5, SE 0.5: kept never.
        let weak = Self.score(.schedule([6]), [101, 111, 91, 104])
        #expect(Planner.simplest([weak, never], rank: rank).0.policy == .never)
        // A trigger 0.1 better on every path: far beyond 2 paired SEs (0.006), but 0.1%
        // of the schedule's 103: under a 0.5% materiality the schedule is kept.
        let slight = Self.score(
            .trigger(ConversionTrigger(below: 40, forDays: 0, earliestMonth: 1, latestMonth: 12)), [101.1, 113.11, 91.1, 108.11])
        let noiseOnly = Planner.simplest([slight, schedule, never], rank: rank)
        #expect(noiseOnly.0.policy == slight.policy)
        let material = Planner.simplest([slight, schedule, never], rank: rank, materiality: 0.005)
        #expect(material.0.policy == .schedule([6]), "\(material.1)")
        #expect(material.1.contains("less than the materiality threshold (0.5% of"), "\(material.1)")
    }

    /// Fast version of the horizon table in BENCHMARKS.md: fixed schedules on common
    /// paths at horizons of 15, 20 and 25 years; the best start and its mean NPV hold.
    @Test("Horizon invariance (reduced): the best start month and its mean NPV do not depend on the horizon")
    func horizonInvariance() throws {
        let base = try ScenarioLoader.builtin("texas-200mw")
        var best: [(month: Int?, npv: Double)] = []
        for horizon in [180, 240, 300] {
            var s = base
            s.horizonMonths = horizon
            s.stepHours = 24
            let candidates: [Int?] = [1, 25, 49, nil]
            let means = try candidates.map { m in
                let runs = try Planner.run(.schedule([m]), scenario: s, seed: 3, count: 12, threads: 2)
                return runs.map(\.npv).reduce(0, +) / Double(runs.count)
            }
            let i = means.indices.max { means[$0] < means[$1] }!
            best.append((candidates[i], means[i]))
        }
        #expect(Set(best.map { $0.month ?? -1 }).count == 1, "best start by horizon: \(best)")
        // Within 15%: measured 405M, 425M and 455M (5% and 12% above 180 months). The
        // refreshed fleets' cash flow grows a little faster after the horizon than the
        // Gordon rate assumes (BENCHMARKS.md, "Horizon invariance"); with the 2025
        // inputs and no refreshes the spread was under 3%, and without a value at the
        // horizon it is several times 15%.
        for b in best.dropFirst() {
            #expect(abs(b.npv - best[0].npv) <= 0.15 * abs(best[0].npv), "mean NPVs \(best.map(\.npv))")
        }
    }
}
