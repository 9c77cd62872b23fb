// SPDX-License-Identifier: GPL-3.0-or-later

import SwitchyardModel
@testable import SwitchyardPlanner
import SwitchyardRisk
import Testing

/// How much: the planner chooses a block's size with its timing.
struct SizingTests {
    /// The known-answer site with two fleets in hall B, retired in the order listed: 40
    /// MW of S19j Pro first (curtailed after the halving of month 18: it earns nothing
    /// then), then 60 MW of S21 (which still earns ~17.5k USD per MW-month after it). A
    /// lease at 15 USD/kW-month (11.5k USD per facility MW-month) beats the S19j Pro's
    /// margin after the halving but not the S21's: the best size is the 40 MW of S19j
    /// Pro, not the largest.
    static func scenario(sizes: [Double]) throws -> Scenario {
        var s = try PlannerTests.knownAnswerScenario()
        let catalog = try ScenarioLoader.builtin("small-miner-20mw").mining[0].asic
        #expect(catalog.name == "Antminer S19j Pro")
        var old = s.mining[0]
        old.asic = catalog
        old.units = 12_073  // 12,073 x 3,068 W x 1.08 = 40.0 MW
        var new = s.mining[0]
        new.units = 15_873  // 15,873 x 3,500 W x 1.08 = 60.0 MW
        s.mining = [old, new]
        guard case .colocation(var lease) = s.conversions[0].target else { throw PlannerError.noConversionProjects(scenario: "test") }
        lease.priceUSDPerKWMonth = 15
        s.conversions[0].target = .colocation(lease)
        s.conversions[0].megawatts = sizes[0]
        s.conversions[0].sizeOptions = sizes
        return s
    }

    @Test("A block with sizes [20, 40, 60]: brute force and the planner both choose 40 MW, not the largest")
    func bestSizeIsNotTheLargest() throws {
        let s = try Self.scenario(sizes: [60, 20, 40])
        // Brute force on the deterministic path: every size, every start month.
        var best: (npv: Double, size: Double, month: Int?) = (-.infinity, 0, nil)
        for size in [20.0, 40, 60] {
            let sized = Planner.sized(s, [size])
            for month in (1...36).map(Optional.some) + [nil] {
                let npv = SiteModel.run(scenario: ConversionPolicy.schedule([month]).apply(to: sized), seed: 1, path: 0).npvUSD
                if npv > best.npv { best = (npv, size, month) }
            }
        }
        #expect(best.size == 40, "brute force: \(best)")
        #expect(best.month != nil)
        let result = try Planner.plan(
            scenario: s, settings: PlanSettings(trainingPaths: 2, evaluationPaths: 2, seed: 1, threads: 2, scheduleStepMonths: 3))
        #expect(result.sized)
        #expect(result.recommended.sizes == [40], "\(result.recommendation)")
        #expect(result.recommendation.contains("40 MW of hall B"), "\(result.recommendation)")
        #expect(result.recommendation.contains("the best of 20, 40 or 60 MW"), "\(result.recommendation)")
        // How much: every size's best schedule, best first, paired with the first.
        #expect(result.sizeChoices.map(\.sizes).first == [40])
        #expect(Set(result.sizeChoices.map(\.sizes)) == [[20], [40], [60]])
        #expect(result.sizeChoices.first?.difference == nil)
        for choice in result.sizeChoices.dropFirst() {
            let d = try #require(choice.difference)
            #expect(d.mean < 0, "\(choice.sizes) MW against 40 MW")
        }
        // The best schedule at 40 MW is brute force's, to the month step of the search.
        let at40 = try #require(result.sizeChoices.first)
        #expect(abs(at40.bestSchedule.npv.mean - best.npv) <= 0.005 * abs(best.npv), "\(at40.bestSchedule.npv.mean) vs \(best.npv)")
    }

    @Test("A block's GPUs scale with its size (rounded down); capex and a lease's IT load follow the megawatts")
    func resized() throws {
        let small = try ScenarioLoader.builtin("small-miner-20mw").conversions[0]
        guard case .gpuCloud(let gpus) = small.target else { Issue.record("a GPU block"); return }
        #expect(gpus == 2_048 && small.megawatts == 4)
        let half = small.resized(to: 3)
        #expect(half.target == .gpuCloud(gpus: 1_536))
        #expect(abs(half.capexUSD - small.capexUSD * 0.75) < 1e-6 * small.capexUSD)
        #expect(small.resized(to: 1.3).target == .gpuCloud(gpus: 665))  // 2,048 x 1.3 / 4 = 665.6
        let lease = try ScenarioLoader.builtin("texas-200mw").conversions[0]
        #expect(abs(lease.resized(to: 30).criticalITMW - lease.criticalITMW / 2) < 1e-12)
    }
}

/// The review's cases: a size at which never beats every schedule, and the value of
/// flexibility when the answer is never.
struct SizingEdgeTests {
    @Test("A size whose best schedule loses to never still gets its best converting schedule in How much")
    func sizeWhereNeverWins() throws {
        // At 10 USD/kW-month (7.7k per facility MW-month) the 40 MW of S19j Pro are worth
        // converting after the halving; all 100 MW (the S21s too, 17.5k a month) are not.
        var s = try SizingTests.scenario(sizes: [100, 40])
        guard case .colocation(var lease) = s.conversions[0].target else { Issue.record("a lease"); return }
        lease.priceUSDPerKWMonth = 10
        s.conversions[0].target = .colocation(lease)
        let never = SiteModel.run(scenario: ConversionPolicy.never.apply(to: s), seed: 1, path: 0).npvUSD
        let all = (1...36).map { SiteModel.run(scenario: ConversionPolicy.schedule([$0]).apply(to: s), seed: 1, path: 0).npvUSD }
        #expect(all.max()! < never, "at 100 MW no start month beats never")
        let result = try Planner.plan(
            scenario: s, settings: PlanSettings(trainingPaths: 2, evaluationPaths: 2, seed: 1, threads: 2, scheduleStepMonths: 3))
        #expect(result.recommended.sizes == [40], "\(result.recommendation)")
        #expect(result.sizeChoices.map(\.sizes) == [[40], [100]])
        for choice in result.sizeChoices {
            guard case .schedule(let months) = choice.bestSchedule.policy else {
                Issue.record("\(choice.sizes) MW: \(choice.bestSchedule.policy)")
                continue
            }
            #expect(months.contains { $0 != nil }, "the best converting schedule, not never")
        }
        #expect(result.sizeChoices[1].bestSchedule.npv.mean < never)
    }

    @Test("When the answer is never (here by a 90% materiality threshold), the value of flexibility is 0")
    func flexibilityWhenNever() throws {
        var settings = PlanSettings(trainingPaths: 2, evaluationPaths: 2, seed: 1, threads: 2, scheduleStepMonths: 6)
        settings.materiality = 0.9
        let result = try Planner.plan(scenario: try PlannerTests.knownAnswerScenario(), settings: settings)
        #expect(result.recommended.policy == .never)
        #expect(result.valueOfFlexibility.mean == 0)
        #expect(result.flexibilityBaseline == "never convert")
        #expect(result.selection.contains("less than the materiality threshold (90% of"), "\(result.selection)")
    }
}
