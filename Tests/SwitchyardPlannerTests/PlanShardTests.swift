// SPDX-License-Identifier: GPL-3.0-or-later

import Foundation
import SwitchyardModel
@testable import SwitchyardPlanner
import SwitchyardRisk
import SwitchyardTestSupport
import Testing

/// Issue 16: a plan trained once, re-scored on fresh paths in shards and finished from
/// the shards is the one-machine plan, to the bit.
struct PlanShardTests {
    /// Every reported figure of a plan as JSON bytes (doubles in their shortest exact
    /// form, so equal bytes are equal bits).
    static func fingerprint(_ r: PlanResult) throws -> Data {
        struct View: Encodable {
            var scores: [PolicyScore]
            var candidates: [PolicyScore]
            var flexibility: DistributionSummary
            var texts: [String]
            var cash: [[Double]]
            var rounds: [PlanResult.Round]
            var sizes: [PlanResult.SizeChoice]
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "+inf", negativeInfinity: "-inf", nan: "nan")
        return try encoder.encode(
            View(
                scores: [r.recommended, r.never, r.convertNow, r.bestSchedule, r.bestTrigger, r.leastSquares, r.recommendedInSample],
                candidates: r.candidates, flexibility: r.valueOfFlexibility,
                texts: [r.recommendation, r.selection, r.flexibilityBaseline], cash: r.recommendedCumulativeCash, rounds: r.rounds,
                sizes: r.sizeChoices))
    }

    /// The known-answer site of ``PlannerTests`` with a random BTC price: paths differ,
    /// and converting (around the halving) stays the answer.
    static func scenario() throws -> Scenario {
        var s = try PlannerTests.knownAnswerScenario()
        s.bitcoin.volatility = 0.4
        return s
    }

    @Test("A plan's fresh paths in 1, 2, 3 and 7 shards, through the training and shard files, finish as the one-machine plan")
    func shardedPlanIsExact() throws {
        let s = try Self.scenario()
        let settings = PlanSettings(
            trainingPaths: 6, evaluationPaths: 15, seed: 2, threads: 2, scheduleStepMonths: 6, leastSquaresPaths: 6, comparisonPaths: 8)
        let single = try Planner.plan(scenario: s, settings: settings)
        #expect(single.recommended.policy != .never, "the recommendation converts, so it is re-scored apart from never")
        let reference = try Self.fingerprint(single)
        // The training through its file.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("plan-shards-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let trained = try Planner.train(scenario: s, settings: settings)
        let manifest = PlanTrainingManifest(
            version: "t", scenarioName: s.name, scenarioYAML: "name: t\n", baseDirectory: nil, settings: settings, command: "test")
        let trainingPath = dir.appendingPathComponent("training").path
        try PlanTrainingFile.encode(manifest: manifest, training: trained).write(to: URL(fileURLWithPath: trainingPath))
        let (readManifest, training, digest) = try PlanTrainingFile.read(path: trainingPath)
        var written = readManifest
        #expect(written.trainingDigest.count == 16)
        written.trainingDigest = ""
        #expect(written == manifest)
        #expect(training == trained)
        for n in [1, 2, 3, 7] {
            var parts: [PlanFreshRuns] = []
            for k in 0..<n {
                let range = RiskRunner.shardRange(k: k, of: n, paths: settings.evaluationPaths)
                var one = settings
                one.threads = 1
                let runs = try Planner.rescore(training, scenario: s, settings: one, first: range.lowerBound, count: range.count)
                // Through the shard file.
                let shardManifest = PlanShardManifest(
                    version: "t", trainingFile: trainingPath, trainingDigest: digest, evaluationPaths: settings.evaluationPaths, shard: k + 1,
                    shards: n, command: "test")
                let file = dir.appendingPathComponent("n\(n)-\(k + 1)").path
                try PlanShardFile.encode(manifest: shardManifest, runs: runs).write(to: URL(fileURLWithPath: file))
                let (m, read) = try PlanShardFile.read(path: file)
                var written = m
                #expect(written.runsDigest.count == 16)
                written.runsDigest = ""
                #expect(written == shardManifest)
                #expect(read.runs == runs.runs && read.first == range.lowerBound)
                #expect(Planner.checkShard(read, count: range.count, training: training, scenario: s, settings: settings) == nil)
                parts.append(read)
            }
            let merged = Planner.finish(training, scenario: s, settings: settings, runs: parts)
            #expect(try Self.fingerprint(merged) == reference, "n = \(n)")
        }
    }

    @Test("A training in 1, 2, 3 and 7 shards (the search, then a share of its last round each) merges into the whole training")
    func shardedTrainingIsExact() throws {
        let s = try Self.scenario()
        // 16 training paths: screened on 4, a middle round on 8, the last round on all 16.
        let settings = PlanSettings(
            trainingPaths: 16, evaluationPaths: 4, seed: 4, threads: 2, scheduleStepMonths: 12, screeningPaths: 4, leastSquaresPaths: 8,
            comparisonPaths: 4)
        #expect(settings.middlePaths == 8)
        let whole = try Planner.train(scenario: s, settings: settings)
        #expect(whole.rounds.last?.paths == 16)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let reference = try encoder.encode(whole)
        for n in [1, 2, 3, 7] {
            var one = settings
            one.threads = 1
            let shards = try (0..<n).map { try Planner.trainShard(scenario: s, settings: one, shard: $0, of: n) }
            let slices = shards.map(\.slice)
            // Every shard reaches the same search state; the slices tile the last round's paths.
            #expect(shards.allSatisfy { $0.state == shards[0].state }, "n = \(n)")
            #expect(slices.map(\.count).reduce(0, +) == 16 - slices[0].from, "n = \(n)")
            #expect(slices[0].from < 16 && slices.last.map { $0.first + $0.count } == 16)
            let merged = try Planner.trainMerge(shards[0].state, slices: slices, settings: settings)
            #expect(try encoder.encode(merged) == reference, "n = \(n)")
            if n == 3 {
                // A slice missing, or out of order: refused.
                #expect(throws: PlannerError.self) { try Planner.trainMerge(shards[0].state, slices: [slices[0], slices[2]], settings: settings) }
                #expect(throws: PlannerError.self) { try Planner.trainMerge(shards[0].state, slices: [slices[1], slices[0], slices[2]], settings: settings) }
                // A state edited by hand: refused, not a crash.
                var edits: [(inout PlanSearchState) -> Void] = [
                    { $0.laterKeeps = [-1] }, { $0.have.append(3) }, { $0.screeningPaths = 0 }, { $0.blocks = 0 },
                    { $0.runs[0][0].npv = .nan }, { $0.runs[0] = [] }, { $0.finalists.append(Planner.Candidate(sizes: [1], policy: .never)) },
                ]
                edits.append { $0.from = 99 }
                for (k, edit) in edits.enumerated() {
                    var state = shards[0].state
                    edit(&state)
                    #expect(throws: PlannerError.self, "edit \(k + 1)") { try Planner.trainMerge(state, slices: slices, settings: settings) }
                }
            }
        }
    }

    @Test("Shard runs that do not fit the training are named")
    func checkShard() throws {
        let s = try Self.scenario()
        let settings = PlanSettings(trainingPaths: 3, evaluationPaths: 6, seed: 1, threads: 2, scheduleStepMonths: 12, comparisonPaths: 4)
        let training = try Planner.train(scenario: s, settings: settings)
        let runs = try Planner.rescore(training, scenario: s, settings: settings, first: 3, count: 3)
        #expect(Planner.checkShard(runs, count: 3, training: training, scenario: s, settings: settings) == nil)
        // Paths 3 to 5: the comparison policies (4 paths) have a run for path 3 only.
        #expect(runs.runs.dropFirst(2).allSatisfy { $0.count == 1 })
        var short = runs
        short.runs[0].removeLast()
        #expect(Planner.checkShard(short, count: 3, training: training, scenario: s, settings: settings)?.contains("policy 1 has 2 runs, not 3") == true)
        var fewer = runs
        fewer.runs.removeLast()
        #expect(Planner.checkShard(fewer, count: 3, training: training, scenario: s, settings: settings)?.contains("policies") == true)
    }

    @Test("A training that does not fit its scenario (an edited file) is named before it runs")
    func trainingProblems() throws {
        let s = try Self.scenario()
        let settings = PlanSettings(trainingPaths: 3, evaluationPaths: 4, seed: 1, threads: 2, scheduleStepMonths: 12, comparisonPaths: 4)
        let training = try Planner.train(scenario: s, settings: settings)
        #expect(Planner.problem(in: training, for: s) == nil)
        var twoMonths = training
        twoMonths.bestSchedule.policy = .schedule([1, 2])
        #expect(Planner.problem(in: twoMonths, for: s)?.contains("the best schedule: a schedule of 2 start months for 1 blocks") == true)
        var late = training
        late.now.policy = .schedule([s.horizonMonths + 5])
        #expect(Planner.problem(in: late, for: s)?.contains("convert now") == true)
        var badRule = training
        if case .leastSquares(var rule) = badRule.leastSquares.policy {
            rule.stages[0].exercise = rule.stages[0].exercise.map { $0.map { $0.map { _ in Double.nan } } }
            rule.stages[0].exercise[0] = [Double](repeating: .nan, count: Planner.regressorNames.count)
            badRule.leastSquares.policy = .leastSquares(rule)
        }
        #expect(Planner.problem(in: badRule, for: s)?.contains("least-squares rule that does not fit") == true)
        var sizes = training
        sizes.never.sizes = [-1]
        #expect(Planner.problem(in: sizes, for: s)?.contains("never") == true)
        var swapped = training
        swapped.leastSquares = swapped.never
        #expect(Planner.problem(in: swapped, for: s) != nil)
    }
}
