// SPDX-License-Identifier: GPL-3.0-or-later

import SwitchyardModel
@testable import SwitchyardPlanner
import SwitchyardRisk
import Testing

/// Successive halving on common random numbers, and the forked runs it relies on.
struct RankingTests {
    static func noisySite() throws -> Scenario {
        var s = try PlannerTests.knownAnswerScenario()
        s.bitcoin.volatility = 0.6
        return s
    }

    @Test("Successive halving: every candidate screened, the best 10 (and each family's best) on more paths, the contenders on all")
    func rounds() throws {
        let s = try Self.noisySite()
        let settings = PlanSettings(
            trainingPaths: 40, evaluationPaths: 20, seed: 4, threads: 2, scheduleStepMonths: 6, screeningPaths: 8, leastSquaresPaths: 12,
            comparisonPaths: 10)
        #expect(settings.middlePaths == 18)  // sqrt(8 x 40) = 17.9
        let result = try Planner.plan(scenario: s, settings: settings)
        #expect(result.rounds.map(\.paths) == [8, 18, 40])
        let counts = result.rounds.map(\.candidates)
        #expect(counts[0] == result.candidates.count)
        #expect(counts[1] <= PlanSettings.keptAfterScreening + 3 && counts[1] >= PlanSettings.keptAfterScreening)
        #expect(counts[2] <= PlanSettings.keptAfterMiddleRound + 3 && counts[2] >= PlanSettings.keptAfterMiddleRound)
        // The report lists the contenders first, on all the training paths.
        let paths = result.candidates.map(\.npvs.count)
        #expect(paths.prefix(counts[2]).allSatisfy { $0 == 40 })
        #expect(paths.filter { $0 == 18 }.count == counts[1] - counts[2])
        #expect(paths.filter { $0 == 8 }.count == counts[0] - counts[1])
        // Nothing better on the screening paths than the 10th best was dropped there.
        func mean(_ x: ArraySlice<Double>) -> Double { x.reduce(0, +) / Double(x.count) }
        let screened = result.candidates.map { mean($0.npvs.prefix(8)) }.sorted(by: >)
        let cut = screened[PlanSettings.keptAfterScreening - 1]
        for c in result.candidates where mean(c.npvs.prefix(8)) > cut {
            #expect(c.npvs.count >= 18, "a candidate above the cut was dropped: \(c.policy)")
        }
        // Each family's best on the screening paths reached the middle round, and its
        // best on the middle round's paths the last.
        for family in 0..<4 {
            let members = result.candidates.filter { Planner.rank($0.policy) == family }
            if let best = members.max(by: { mean($0.npvs.prefix(8)) < mean($1.npvs.prefix(8)) }) { #expect(best.npvs.count >= 18) }
            let middle = members.filter { $0.npvs.count >= 18 }
            if let best = middle.max(by: { mean($0.npvs.prefix(18)) < mean($1.npvs.prefix(18)) }) {
                #expect(best.npvs.count == 40, "family \(family)'s best on 18 paths: \(best.policy)")
            }
        }
        // Common random numbers: a candidate's first 8 paths are those it was screened on.
        let top = result.candidates[0]
        let again = try Planner.run(top.policy, scenario: s, seed: 4, count: 8, threads: 1)
        #expect(again.map(\.npv) == Array(top.npvs.prefix(8)))
        #expect(result.recommendedInSample.npvs.count == 40)
        // Fresh paths: the recommended policy and never on all, the others on the first 10.
        #expect(result.recommended.npvs.count == 20)
        #expect(result.never.npvs.count == 20)
        for other in [result.convertNow, result.bestSchedule, result.bestTrigger, result.leastSquares] where other.policy != result.recommended.policy {
            #expect(other.npvs.count == 10)
            #expect(other.incremental?.npv.count == 10)
        }
    }

    @Test("Forked batches equal plain runs, for any order of jobs and 1 or 2 threads")
    func forkedBatches() throws {
        let s = try ScenarioLoader.builtin("small-miner-20mw")
        let never = ConversionPolicy.never.apply(to: s)
        let variants = [ConversionPolicy.schedule([3]).apply(to: s), ConversionPolicy.schedule([30]).apply(to: s), never]
        var jobs: [(scenario: Int, path: UInt64)] = []
        for p in UInt64(0)..<5 { for v in 0..<3 { jobs.append((v, p)) } }
        jobs.append((1, 2))  // a job twice
        jobs = jobs.enumerated().sorted { ($0.offset * 7) % 16 < ($1.offset * 7) % 16 }.map(\.element)
        let plain = try RiskRunner.run(scenarios: variants, seed: 9, jobs: jobs, threads: 1) { $1 }
        for threads in [1, 2] {
            let forked = try RiskRunner.runForked(never: never, variants: variants, seed: 9, jobs: jobs, threads: threads) { $1 }
            #expect(forked == plain)
        }
    }
}
