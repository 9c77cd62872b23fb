// SPDX-License-Identifier: GPL-3.0-or-later

import Foundation
import SwitchyardModel
@testable import SwitchyardPlanner
import SwitchyardRisk
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
        s.bitcoin.drift = 0
        s.bitcoin.volatility = 0
        s.bitcoin.feeLogVolatility = 0
        s.bitcoin.hashrateGrowthPerYear = 0
        s.bitcoin.hashrateVolatility = 0
        s.bitcoin.hashratePriceElasticity = 0
        s.bitcoin.initialBlockHeight = 1_050_000 - 74_400
        s.electricity.ppaShare = 0
        s.electricity.demandResponseCreditUSDPerMWh = 0
        s.electricity.market.basePriceUSDPerMWh = 40
        s.electricity.market.seasonalAmplitude = 0
        s.electricity.market.volatility = 0
        s.electricity.market.spikesPerYear = 0
        s.mining = [s.mining[0]]  // the S21 fleet, moved to hall B
        s.mining[0].hall = "B"
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
        block.target = .colocation(lease)
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
        let runs = Planner.runLeastSquares(trained.rule, scenario: s, seed: 99, count: 4, threads: 2)
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
        let runs = Planner.runLeastSquares(trained.rule, scenario: same, seed: 99, count: 4, threads: 2)
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
        for run in Planner.runLeastSquares(cheapRule, scenario: cheap, seed: 99, count: 4, threads: 2) {
            #expect(run.starts[0] == 13 || run.starts[0] == 19, "block 1 starts in \(String(describing: run.starts[0]))")
            #expect(run.starts[1] == nil, "block 2 starts in \(String(describing: run.starts[1]))")
        }
    }

    @Test("A block never starts before the one before it, under every policy the planner scores")
    func blocksInOrder() throws {
        var s = try ScenarioLoader.builtin("texas-200mw")
        s.horizonMonths = 36
        s.stepHours = 24
        var second = s.conversions[0]
        second.megawatts = 20
        s.conversions[0].megawatts = 40
        s.conversions.append(second)
        let settings = PlanSettings(trainingPaths: 40, evaluationPaths: 40, seed: 3, threads: 2, scheduleStepMonths: 12)
        let result = try Planner.plan(scenario: s, settings: settings)
        for score in [result.leastSquares, result.bestTrigger] {
            #expect(score.startMonths.count == 40)
            for starts in score.startMonths {
                #expect(starts.count == 2)
                if let b = starts[1] { #expect(starts[0].map { $0 <= b } == true, "\(starts)") }
            }
        }
        #expect(result.candidates.contains { if case .leastSquares = $0.policy { true } else { false } })
    }

    @Test("With a small policy space, in-sample and out-of-sample values differ by no more than sampling error")
    func inSampleVersusOutOfSample() throws {
        var s = try ScenarioLoader.builtin("texas-200mw")
        s.horizonMonths = 24
        s.stepHours = 24
        s.conversions[0].startMonth = 3
        let settings = PlanSettings(trainingPaths: 120, evaluationPaths: 240, seed: 5, threads: 2, scheduleStepMonths: 12)
        let result = try Planner.plan(scenario: s, settings: settings)
        let inSample = result.recommendedInSample.npv
        let outOfSample = result.recommended.npv
        let se = (inSample.standardError * inSample.standardError + outOfSample.standardError * outOfSample.standardError)
            .squareRoot()
        #expect(abs(inSample.mean - outOfSample.mean) < 3 * se, "in \(inSample.mean), out \(outOfSample.mean), SE \(se)")
        #expect(result.candidates.count < 60, "a small policy space (\(result.candidates.count) candidates)")
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
