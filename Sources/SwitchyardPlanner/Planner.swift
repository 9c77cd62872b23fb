// SPDX-License-Identifier: GPL-3.0-or-later

import Foundation
public import SwitchyardModel
public import SwitchyardRisk
import SwitchyardStochastic

/// What the planner maximises over the NPV distribution of a policy.
public enum PlanObjective: Hashable, Sendable, Codable, CustomStringConvertible {
    case meanNPV
    /// Mean NPV among policies whose CVaR95 (a loss, USD) is at most the limit.
    case meanNPVWithCVaRLimit(maxCVaR95USD: Double)
    /// Mean NPV among policies whose probability of loss is at most the limit.
    case meanNPVWithLossLimit(maxProbability: Double)
    /// Mean NPV - lambda x CVaR95.
    case riskAverse(lambda: Double)

    /// The objective value and whether the constraint holds.
    public func score(_ npv: DistributionSummary) -> (value: Double, feasible: Bool) {
        switch self {
        case .meanNPV: (npv.mean, true)
        case .meanNPVWithCVaRLimit(let limit): (npv.mean, npv.conditionalValueAtRisk95 <= limit)
        case .meanNPVWithLossLimit(let limit): (npv.mean, npv.probabilityOfLoss <= limit)
        case .riskAverse(let lambda): (npv.mean - lambda * npv.conditionalValueAtRisk95, true)
        }
    }

    public var description: String {
        switch self {
        case .meanNPV: "maximise mean NPV"
        case .meanNPVWithCVaRLimit(let limit): "maximise mean NPV with CVaR95 <= \(limit) USD"
        case .meanNPVWithLossLimit(let limit): "maximise mean NPV with P(loss) <= \(limit)"
        case .riskAverse(let lambda): "maximise mean NPV - \(lambda) x CVaR95"
        }
    }
}

/// A conversion policy for the scenario's conversion projects ("blocks").
public enum ConversionPolicy: Hashable, Sendable, Codable {
    /// Keep mining; convert nothing.
    case never
    /// Start block k at month m_k (nil: never).
    case schedule([Int?])
    /// Start blocks one after another when the trigger fires.
    case trigger(ConversionTrigger)
    /// Least-squares Monte Carlo: convert at the first decision month where the fitted
    /// value of converting now is positive and exceeds the fitted value of waiting.
    case leastSquares(LeastSquaresRule)

    /// The scenario with this policy's conversions. A block that is never converted
    /// stays in the scenario with a start after the horizon, so that results keep one
    /// start month per block, in the scenario's order.
    public func apply(to scenario: Scenario) -> Scenario {
        var s = scenario
        switch self {
        case .never:
            return ConversionPolicy.schedule(scenario.conversions.map { _ in nil }).apply(to: scenario)
        case .schedule(let months):
            precondition(months.count == scenario.conversions.count, "a schedule gives one month (or nil) per block")
            s.conversions = zip(scenario.conversions, months).map { block, month in
                var b = block
                b.startMonth = month ?? scenario.horizonMonths + 1
                b.trigger = nil
                return b
            }
        case .trigger(let trigger):
            s.conversions = scenario.conversions.map {
                var b = $0
                b.trigger = trigger
                return b
            }
        case .leastSquares:
            preconditionFailure("a least-squares policy decides path by path; see Planner.runLeastSquares")
        }
        return s
    }

    /// The policy in plain words.
    public func describe(for scenario: Scenario) -> String {
        func block(_ c: ConversionProject) -> String {
            let target: String =
                switch c.target {
                case .colocation: "a colocation lease"
                case .gpuCloud(let gpus): "\(Planner.grouped(gpus)) GPUs"
                }
            return "\(Planner.mw(c.megawatts)) MW of hall \(c.hall) to \(target)"
        }
        switch self {
        case .never:
            return "Keep mining: do not convert."
        case .schedule(let months):
            let parts = zip(scenario.conversions, months).map { c, m in
                m.map { "convert \(block(c)) in month \($0) (\(Scenario.monthLabel(scenario.startMonth, month: $0)))" }
                    ?? "do not convert \(block(c))"
            }
            return parts.joined(separator: "; ").prefix(1).uppercased() + parts.joined(separator: "; ").dropFirst() + "."
        case .leastSquares(let rule):
            let order = scenario.conversions.count > 1 ? ", each block not before the one before it" : ""
            if rule.stages.allSatisfy({ $0.exercise.allSatisfy { $0 == nil } }) {
                return "A least-squares rule for \(scenario.conversions.map(block).joined(separator: ", then ")) that could not be fitted (too few training paths for a regression at any decision month: at least 4 per regressor are needed, 28): it never converts."
            }
            return "Convert \(scenario.conversions.map(block).joined(separator: ", then ")) at the first decision month (every \(rule.stepMonths) months\(order)) where the regression on hashprice, BTC and power prices and calendar time says converting now is worth more than waiting."
        case .trigger(let t):
            let blocks = scenario.conversions.map(block).joined(separator: ", then ")
            let days = t.forDays > 0 ? String(format: " for %.0f days", t.forDays) : ""
            let signal =
                switch t.signal {
                case .hashprice: "the hashprice"
                case .miningMargin: "the mining margin of the hall being converted (ASIC revenue per MWh minus the market power price)"
                }
            return String(
                format: "Convert %@ when %@ has stayed below %.1f %@%@, not before month %d (%@) and not after month %d.",
                blocks, signal, t.below, t.unit, days, t.earliestMonth,
                Scenario.monthLabel(scenario.startMonth, month: t.earliestMonth), t.latestMonth)
        }
    }
}

/// A fitted least-squares Monte Carlo conversion rule: one stage per block, taken one
/// after another (block k is decided from the month block k - 1 started on).
public struct LeastSquaresRule: Hashable, Sendable, Codable {
    /// The fitted regressions of one block.
    public struct Stage: Hashable, Sendable, Codable {
        /// Regression coefficients of the value of converting now, and of waiting, by
        /// decision month (nil where no regression was possible: no conversion there).
        public var exercise: [[Double]?]
        public var continuation: [[Double]?]
    }

    /// Decision months, ascending.
    public var months: [Int]
    public var stepMonths: Int
    /// One stage per conversion block, in the scenario's order.
    public var stages: [Stage]

    /// The month to start block `stage` on a path whose states at the decision months
    /// are given, not before month `notBefore` (nil: never).
    func decide(stage: Int, _ states: [[Double]], notBefore: Int) -> Int? {
        let fit = stages[stage]
        for (k, month) in months.enumerated() where month >= notBefore {
            guard let b = fit.exercise[k] else { continue }
            let value = zip(b, states[k]).reduce(0) { $0 + $1.0 * $1.1 }
            let wait = fit.continuation[k].map { c in zip(c, states[k]).reduce(0) { $0 + $1.0 * $1.1 } } ?? 0
            if value > 0 && value > wait { return month }
        }
        return nil
    }

    /// The start month of every block on a path (a block that does not start stops
    /// the ones after it).
    func decide(_ states: [[Double]]) -> [Int?] {
        var starts: [Int?] = []
        var notBefore = 1
        for stage in stages.indices {
            guard let month = decide(stage: stage, states, notBefore: notBefore) else { break }
            starts.append(month)
            notBefore = month
        }
        return starts + [Int?](repeating: nil, count: stages.count - starts.count)
    }
}

/// Settings of a planning run.
///
/// Candidates are ranked by successive halving on common random numbers: every
/// candidate is screened on the first `screeningPaths` training paths, the best
/// ``keptAfterScreening`` (and the best of each family) go on to ``middlePaths``, and
/// the best ``keptAfterMiddleRound`` (and each family's best) to `trainingPaths`: the
/// contenders, among which the recommendation is chosen. A candidate's paths always
/// start at path 0, so a longer run extends a shorter one.
public struct PlanSettings: Hashable, Sendable, Codable {
    /// Paths the contenders are scored on (common random numbers).
    public var trainingPaths: Int
    /// Paths every candidate is screened on (the first of the training paths).
    public var screeningPaths: Int
    /// Training paths the least-squares regressions are fitted on (the first ones).
    public var leastSquaresPaths: Int
    /// Fresh, independent paths the recommended policy and "never" are re-scored on.
    public var evaluationPaths: Int
    /// The other reported policies (convert now, best schedule, trigger rule, least
    /// squares) are re-scored on the first this many fresh paths (all of them when one
    /// of these is the recommended policy).
    public var comparisonPaths: Int
    public var seed: UInt64
    public var threads: Int
    public var objective: PlanObjective
    /// Grid step of schedule months before local refinement.
    public var scheduleStepMonths: Int
    /// A more complex family of policies is recommended over a simpler one only if it
    /// gains more than 2 paired standard errors and at least this share of the simpler
    /// one's objective (0.5%: a rule that adds 0.07% of the value is not worth its
    /// complexity to a board; 0 keeps only the noise test).
    public var materiality = 0.005

    /// Candidates kept after screening, and after the middle round (plus the best of
    /// each family: never, schedules, trigger rules, least squares).
    public static let keptAfterScreening = 10
    public static let keptAfterMiddleRound = 3

    /// Defaults: 2,000 training paths (100 to screen, 400 to fit least squares), 10,000
    /// fresh paths (2,000 for the policies that are not recommended). Counts above the
    /// training or fresh paths are cut to them.
    public init(
        trainingPaths: Int = 2_000, evaluationPaths: Int = 10_000, seed: UInt64 = 1, threads: Int = 1,
        objective: PlanObjective = .meanNPV, scheduleStepMonths: Int = 6,
        screeningPaths: Int? = nil, leastSquaresPaths: Int? = nil, comparisonPaths: Int? = nil
    ) {
        precondition(trainingPaths > 1 && evaluationPaths > 1 && threads > 0 && scheduleStepMonths > 0)
        precondition((screeningPaths ?? 2) > 1 && (leastSquaresPaths ?? 2) > 1 && (comparisonPaths ?? 2) > 1)
        self.trainingPaths = trainingPaths
        self.evaluationPaths = evaluationPaths
        self.screeningPaths = min(trainingPaths, screeningPaths ?? 100)
        self.leastSquaresPaths = min(trainingPaths, leastSquaresPaths ?? 400)
        self.comparisonPaths = min(evaluationPaths, comparisonPaths ?? 2_000)
        self.seed = seed
        self.threads = threads
        self.objective = objective
        self.scheduleStepMonths = scheduleStepMonths
    }

    /// Paths of the middle round: the geometric mean of the screening and training paths.
    public var middlePaths: Int {
        min(trainingPaths, max(screeningPaths, Int((Double(screeningPaths) * Double(trainingPaths)).squareRoot().rounded())))
    }

    /// The seed of the evaluation paths: independent of the training paths.
    public var evaluationSeed: UInt64 { seed &+ 0x9E37_79B9_7F4A_7C15 }
}

/// A policy scored on a set of paths.
public struct PolicyScore: Hashable, Sendable, Codable {
    public var policy: ConversionPolicy
    public var npv: DistributionSummary
    public var objective: Double
    public var feasible: Bool
    /// Share of paths on which block 1 started, and its start-month percentiles (P10, P50, P90).
    public var convertedShare: Double
    public var startMonthPercentiles: [Double]?
    /// The start month of each block on each path: `startMonths[path][block]` (nil: not started).
    public var startMonths: [[Int?]]
    /// Each path's NPV (paths in order, so two scores on the same paths pair up).
    public var npvs: [Double] = []
    /// Against never converting on the same paths (set on the fresh paths).
    public var incremental: Incremental?
    /// The facility MW of each block this policy converts (the scenario's, or the sizes
    /// the planner chose among the blocks' `megawatts` options).
    public var sizes: [Double] = []
    /// With starting cash: the share of paths on which cash runs out (nil without).
    public var probabilityCashOut: Double?

    /// Start months of `block` over the paths.
    public func starts(ofBlock block: Int) -> [Int?] { startMonths.map { $0[block] } }

    /// Share of paths on which `block` started, and its start-month percentiles
    /// (P10, P50, P90) over those paths (nil if it never started).
    public func converted(block: Int) -> (share: Double, percentiles: [Double]?) {
        let started = startMonths.compactMap { $0[block] }.map(Double.init)
        return (
            Double(started.count) / Double(max(startMonths.count, 1)),
            started.isEmpty ? nil : Quantiles.percentiles(started, at: [0.1, 0.5, 0.9])
        )
    }
}

extension PlanResult {
    func with(_ change: (inout PlanResult) -> Void) -> PlanResult {
        var copy = self
        change(&copy)
        return copy
    }
}

/// A policy against "never convert", paired path by path.
public struct Incremental: Hashable, Sendable, Codable {
    /// NPV of the policy minus NPV of never, per path.
    public var npv: DistributionSummary
    /// Share of paths on which the policy is worth less than never.
    public var probabilityWorse: Double
    /// The IRR of the mean incremental cash flows (policy minus never, terminal value
    /// included), or why it is not meaningful.
    public var rateOfReturn: CashFlows.RateOfReturn
    /// The month the mean incremental cash flow pays back (nil: not within the
    /// horizon, or nothing to pay back).
    public var paybackMonth: Int?
    /// Share of paths whose own incremental flows pay back, and when (P10, P50, P90).
    public var paybackShare: Double
    public var paybackPercentiles: [Double]?

    /// Policy minus never, from their per-path NPVs and monthly flows (same paths).
    public init(npvs: [Double], never: [Double], flows: [[Double]], neverFlows: [[Double]], discountRate: Double) {
        let differences = zip(npvs, never).map { $0 - $1 }
        npv = DistributionSummary(differences)
        probabilityWorse = Double(differences.filter { $0 < 0 }.count) / Double(max(1, differences.count))
        let months = flows.first?.count ?? 0
        var mean = [Double](repeating: 0, count: months)
        var paybacks: [Double] = []
        for (a, b) in zip(flows, neverFlows) {
            let difference = zip(a, b).map { $0 - $1 }
            for m in 0..<min(months, difference.count) { mean[m] += difference[m] / Double(flows.count) }
            if let month = CashFlows.paybackMonth(difference) { paybacks.append(Double(month)) }
        }
        rateOfReturn = CashFlows.rateOfReturn(mean, discountRate: discountRate)
        paybackMonth = CashFlows.paybackMonth(mean)
        paybackShare = Double(paybacks.count) / Double(max(1, flows.count))
        paybackPercentiles = paybacks.isEmpty ? nil : Quantiles.percentiles(paybacks, at: [0.1, 0.5, 0.9])
    }
}

/// The outcome of planning.
public struct PlanResult: Sendable {
    public var scenarioName: String
    /// The scenario's first month (YYYY-MM), for dates in reports.
    public var scenarioStartMonth = "2025-01"
    public var settings: PlanSettings
    /// Every candidate scored on the training paths, best first.
    public var candidates: [PolicyScore]
    /// On the evaluation paths.
    public var never: PolicyScore
    public var convertNow: PolicyScore
    public var bestSchedule: PolicyScore
    public var bestTrigger: PolicyScore
    /// The least-squares Monte Carlo policy, out of sample.
    public var leastSquares: PolicyScore
    /// The recommended policy (best objective in training), re-scored out of sample.
    public var recommended: PolicyScore
    /// The recommended policy's objective on the training paths (optimistic).
    public var recommendedInSample: PolicyScore
    /// Recommended minus the better (by mean NPV on the fresh paths) of "never" and
    /// "convert everything now", paired on the evaluation paths: 0 when the answer is
    /// one of those two.
    public var valueOfFlexibility: DistributionSummary
    /// Which of the two the flexibility is measured against.
    public var flexibilityBaseline: String
    /// The headline: what to do, with calendar dates.
    public var recommendation: String
    /// Why this policy and not a more complex one (the 2-paired-SE rule).
    public var selection: String
    /// The recommended policy's cumulative cash on the fresh paths, month by month:
    /// P5, P25, P50, P75, P95 (exact percentiles over the paths). The last month is left
    /// out: its flow carries the value at the horizon, which is not cash.
    public var recommendedCumulativeCash: [[Double]] = []
    /// The successive-halving rounds on the training paths: paths, and how many
    /// candidates were scored on that many.
    public var rounds: [Round] = []
    /// Whether any block had several sizes to choose from.
    public var sized = false
    /// How much: with sizes to choose from, the best fixed schedule at each combination
    /// of sizes on all the training paths, best first, paired with the first.
    public var sizeChoices: [SizeChoice] = []

    public struct SizeChoice: Hashable, Sendable, Codable {
        /// Facility MW of each block.
        public var sizes: [Double]
        /// The best fixed schedule at these sizes, on the training paths.
        public var bestSchedule: PolicyScore
        /// Its NPV minus that of the best size's schedule, path by path (nil for the best).
        public var difference: DistributionSummary?
    }

    public struct Round: Hashable, Sendable, Codable {
        public var paths: Int
        public var candidates: Int
    }
}

extension PolicyScore {
    /// The scenario with this policy's block sizes.
    public func sizedScenario(_ scenario: Scenario) -> Scenario { Planner.sized(scenario, sizes) }
}

public enum PlannerError: Error, CustomStringConvertible {
    case noConversionProjects(scenario: String)
    case noFeasiblePolicy(objective: String)
    /// Training shards that do not fit the search (named in the text).
    case shards(String)

    public var description: String {
        switch self {
        case .noConversionProjects(let name):
            "\(name): the scenario has no conversion projects to plan (add a `conversions:` section)"
        case .noFeasiblePolicy(let objective):
            "no candidate policy satisfies the objective's limit (\(objective)); relax the limit"
        case .shards(let text):
            "the training shards do not fit the search: \(text)"
        }
    }
}

/// Searches conversion policies on common random numbers and re-scores the winners on
/// fresh paths.
public enum Planner {
    /// A path's NPV and the start month of each of the scenario's blocks.
    /// With `flows`: the path's monthly flows, terminal value included (else empty).
    typealias Run = (npv: Double, starts: [Int?], flows: [Double], cashOut: Bool)

    /// The flows the NPV discounts: the project's after tax with a finance section, else
    /// free cash flow plus the value at the horizon.
    static func flows(_ result: PathResult, keep: Bool) -> [Double] {
        guard keep else { return [] }
        return result.finance?.months.map(\.projectCashFlowUSD) ?? result.months.map(\.valueFlowUSD)
    }

    /// The scenario with block k at `sizes[k]` facility MW (the scenario's own sizes
    /// when `sizes` is empty).
    public static func sized(_ scenario: Scenario, _ sizes: [Double]) -> Scenario {
        guard !sizes.isEmpty else { return scenario }
        var s = scenario
        s.conversions = zip(scenario.conversions, sizes).map { $0.resized(to: $1) }
        return s
    }

    /// Every combination of the blocks' size options (block 1's varying slowest).
    static func sizeCombinations(_ scenario: Scenario) -> [[Double]] {
        var combos: [[Double]] = [[]]
        for c in scenario.conversions {
            let options = c.sizeOptions.isEmpty ? [c.megawatts] : c.sizeOptions
            combos = combos.flatMap { prefix in options.map { prefix + [$0] } }
        }
        return combos
    }

    /// What the planner runs on a path: the result's NPV, starts, flows (when kept) and
    /// cash-out flag.
    static func runOf(_ result: PathResult, keep: Bool) -> Run {
        (result.npvUSD, result.conversionStartMonths, flows(result, keep: keep), result.finance?.cashOutMonth != nil)
    }

    /// NPVs and start months of a policy on paths `first..<first + count` of `seed`
    /// (schedules forked from the never run of each path).
    static func run(
        _ policy: ConversionPolicy, scenario: Scenario, seed: UInt64, first: Int = 0, count: Int, threads: Int, flows keep: Bool = false
    ) throws -> [Run] {
        switch policy {
        case .never, .schedule:
            return try runSchedules(
                scenario, seed: seed, jobs: (first..<(first + count)).map { (path: $0, months: scheduleMonths(policy, scenario)) },
                threads: threads, flows: keep)
        case .trigger:
            return try RiskRunner.runBatch(scenario: policy.apply(to: scenario), seed: seed, first: first, count: count, threads: threads) {
                runOf($1, keep: keep)
            }
        case .leastSquares(let rule):
            return try runLeastSquares(rule, scenario: scenario, seed: seed, first: first, count: count, threads: threads, flows: keep)
        }
    }

    /// A never or schedule policy's start months.
    static func scheduleMonths(_ policy: ConversionPolicy, _ scenario: Scenario) -> [Int?] {
        if case .schedule(let months) = policy { return months }
        return scenario.conversions.map { _ in nil }
    }

    /// Runs path `jobs[i].path` with the blocks started at `jobs[i].months`, in
    /// parallel (each path its own schedule, on common random numbers), forked from
    /// each path's never run; results in the order of `jobs`.
    static func runSchedules(_ scenario: Scenario, seed: UInt64, jobs: [(path: Int, months: [Int?])], threads: Int, flows keep: Bool = false) throws -> [Run] {
        try runVariants(scenario, seed: seed, jobs: jobs.map { (path: $0.path, months: $0.months, sizes: [Double]()) }, threads: threads, flows: keep)
    }

    /// As ``runSchedules(_:seed:jobs:threads:flows:)``, each job with its block sizes too
    /// (empty: the scenario's).
    static func runVariants(
        _ scenario: Scenario, seed: UInt64, jobs: [(path: Int, months: [Int?], sizes: [Double])], threads: Int, flows keep: Bool = false
    ) throws -> [Run] {
        let never = ConversionPolicy.never.apply(to: scenario)
        var variants: [Scenario] = []
        var index: [[Double]: Int] = [:]
        let tasks = jobs.map { job -> (scenario: Int, path: UInt64) in
            let key = job.months.map { Double($0 ?? -1) } + [-2] + job.sizes
            if let known = index[key] { return (known, UInt64(job.path)) }
            variants.append(ConversionPolicy.schedule(job.months).apply(to: sized(scenario, job.sizes)))
            index[key] = variants.count - 1
            return (variants.count - 1, UInt64(job.path))
        }
        return try RiskRunner.runForked(never: never, variants: variants, seed: seed, jobs: tasks, threads: threads) {
            runOf($1, keep: keep)
        }
    }

    static func score(_ policy: ConversionPolicy, _ runs: [Run], objective: PlanObjective, cash: Bool = false) -> PolicyScore {
        let npv = DistributionSummary(runs.map(\.npv))
        let (value, feasible) = objective.score(npv)
        var result = PolicyScore(
            policy: policy, npv: npv, objective: value, feasible: feasible, convertedShare: 0, startMonthPercentiles: nil,
            startMonths: runs.map(\.starts), npvs: runs.map(\.npv))
        if cash {
            result.probabilityCashOut = Double(runs.filter(\.cashOut).count) / Double(max(1, runs.count))
        }
        (result.convertedShare, result.startMonthPercentiles) = result.converted(block: 0)
        return result
    }

    /// Where a plan is: the phase, candidates (or stages, or policies) done, and the
    /// phase's total (an upper bound for the trigger search, whose optimisers stop early).
    public struct PlanProgress: Sendable, Equatable {
        public var phase: String
        public var done: Int
        public var total: Int
    }

    /// A candidate: block sizes and a policy.
    public struct Candidate: Hashable, Sendable, Codable {
        public var sizes: [Double]
        public var policy: ConversionPolicy
    }

    /// Simpler policies win ties: never, then schedules, trigger rules, least squares.
    static func rank(_ p: ConversionPolicy) -> Int {
        switch p {
        case .never: 0
        case .schedule(let months): months.allSatisfy { $0 == nil } ? 0 : 1
        case .trigger: 2
        case .leastSquares: 3
        }
    }

    /// The search on the training paths (schedules, trigger rules, least squares,
    /// successive halving) and its choice: what ``rescore(_:scenario:settings:first:count:progress:)``
    /// then runs on fresh paths.
    public static func train(
        scenario: Scenario, settings: PlanSettings, progress: ((Planner.PlanProgress) -> Void)? = nil
    ) throws -> PlanTraining {
        guard case .training(let training) = try train(scenario: scenario, settings: settings, final: .run, progress: progress) else {
            preconditionFailure("a whole training ends with the training")
        }
        return training
    }

    /// Shard `k` of `n` (0-based) of a training: the search up to its last round (the
    /// same in every shard: it is deterministic), then the last round's runs on this
    /// shard's share of the training paths the contenders lack (``PlanFinalSlice``), with
    /// the search's state before that round (what ``trainMerge(_:slices:settings:)`` completes).
    public static func trainShard(
        scenario: Scenario, settings: PlanSettings, shard k: Int, of n: Int, progress: ((Planner.PlanProgress) -> Void)? = nil
    ) throws -> (slice: PlanFinalSlice, state: PlanSearchState) {
        precondition(n > 0 && k >= 0 && k < n)
        guard case .slice(let slice, let state) = try train(scenario: scenario, settings: settings, final: .slice(shard: k, of: n), progress: progress) else {
            preconditionFailure("a training shard ends with its slice")
        }
        return (slice, state)
    }

    /// Where the last round of the search (the contenders on all the training paths)
    /// gets its runs.
    enum FinalRound {
        /// Here, on every training path.
        case run
        /// Only shard `shard` of `of` of the paths the contenders lack; the search stops there.
        case slice(shard: Int, of: Int)
    }

    enum TrainOutcome {
        case training(PlanTraining)
        /// A shard's share of the last round, and the search's state before it.
        case slice(PlanFinalSlice, PlanSearchState)
    }

    static func train(
        scenario: Scenario, settings: PlanSettings, final: FinalRound, progress: ((Planner.PlanProgress) -> Void)?
    ) throws -> TrainOutcome {
        guard !scenario.conversions.isEmpty else { throw PlannerError.noConversionProjects(scenario: scenario.name) }
        var phase = PlanProgress(phase: "schedules", done: 0, total: 0)
        func begin(_ name: String, total: Int) {
            phase = PlanProgress(phase: name, done: 0, total: total)
            progress?(phase)
        }
        func step(_ n: Int = 1) {
            phase.done += n
            phase.total = max(phase.total, phase.done)
            progress?(phase)
        }
        // Every candidate's runs on training paths 0, 1, ... (common random numbers), in
        // the order the candidates were first scored (a deterministic order).
        var runs: [Candidate: [Run]] = [:]
        var order: [Candidate] = []
        // The least-squares rule's regressors on each training path (from any never run:
        // they are market figures, the same under every policy and size).
        let leastSquaresStep = max(settings.scheduleStepMonths, 3)
        let leastSquaresMonths = Array(stride(from: 1, to: scenario.horizonMonths, by: leastSquaresStep))
        var trainingStates: [[[Double]]?] = []
        func normalised(_ c: Candidate) -> Candidate {
            // A schedule that converts nothing is "never": one candidate, not two.
            if case .schedule(let months) = c.policy, months.allSatisfy({ $0 == nil }) { return Candidate(sizes: c.sizes, policy: .never) }
            return c
        }
        func scored(_ c: Candidate, paths n: Int? = nil) -> PolicyScore { Planner.scored(c, runs, paths: n, objective: settings.objective) }
        /// Scores the candidates on the first `n` training paths (running only the paths
        /// each one lacks): schedules forked in one batch, trigger rules in another.
        func extend(_ candidates: [Candidate], to n: Int) throws {
            var scheduleJobs: [(path: Int, months: [Int?], sizes: [Double])] = []
            var scheduleOwners: [Candidate] = []
            var triggerScenarios: [Scenario] = []
            var triggerJobs: [(scenario: Int, path: UInt64)] = []
            var triggerOwners: [Candidate] = []
            for c in candidates {
                let have = runs[c]?.count ?? 0
                guard have < n else { continue }
                if runs[c] == nil {
                    runs[c] = []
                    order.append(c)
                }
                switch c.policy {
                case .never:
                    // Run whole (nothing to fork from), keeping the regressors of each path.
                    let base = try RiskRunner.runBatch(
                        scenario: ConversionPolicy.never.apply(to: sized(scenario, c.sizes)), seed: settings.seed, first: have,
                        count: n - have, threads: settings.threads
                    ) { _, result in (runOf(result, keep: false), leastSquaresMonths.map { state(result.months, month: $0, scenario: scenario) }) }
                    if trainingStates.count < n { trainingStates += [[[Double]]?](repeating: nil, count: n - trainingStates.count) }
                    for (i, b) in base.enumerated() { trainingStates[have + i] = b.1 }
                    runs[c]! += base.map(\.0)
                case .schedule:
                    for p in have..<n {
                        scheduleJobs.append((p, scheduleMonths(c.policy, scenario), c.sizes))
                        scheduleOwners.append(c)
                    }
                case .trigger:
                    triggerScenarios.append(c.policy.apply(to: sized(scenario, c.sizes)))
                    for p in have..<n {
                        triggerJobs.append((triggerScenarios.count - 1, UInt64(p)))
                        triggerOwners.append(c)
                    }
                case .leastSquares(let rule):
                    // Never at the same sizes gives the paths that do not convert and the
                    // states; only the paths that convert run (forked).
                    let never = Candidate(sizes: c.sizes, policy: .never)
                    try extend([never], to: n)
                    var jobs: [(path: Int, months: [Int?])] = []
                    for p in have..<n {
                        let starts = rule.decide(trainingStates[p]!)
                        if starts.contains(where: { $0 != nil }) { jobs.append((p, starts)) }
                    }
                    var added = Array(runs[never]![have..<n])
                    let converted = try runSchedules(sized(scenario, c.sizes), seed: settings.seed, jobs: jobs, threads: settings.threads)
                    for (job, run) in zip(jobs, converted) { added[job.path - have] = run }
                    runs[c]! += added
                }
            }
            for (c, r) in zip(scheduleOwners, try runVariants(scenario, seed: settings.seed, jobs: scheduleJobs, threads: settings.threads)) {
                runs[c]!.append(r)
            }
            let triggered = try RiskRunner.run(scenarios: triggerScenarios, seed: settings.seed, jobs: triggerJobs, threads: settings.threads) {
                runOf($1, keep: false)
            }
            for (c, r) in zip(triggerOwners, triggered) { runs[c]!.append(r) }
        }
        // A path that gives a non-finite result stops the plan (after the trigger search,
        // whose optimisers cannot throw: the failed candidate scores as infeasible meanwhile).
        var failure: (any Error)?
        let n0 = settings.screeningPaths
        /// One candidate screened on the first n0 paths.
        func screen(_ candidate: Candidate) -> PolicyScore {
            let c = normalised(candidate)
            if let known = runs[c], known.count >= n0 { return scored(c, paths: n0) }
            do {
                try extend([c], to: n0)
            } catch {
                failure = failure ?? error
                runs[c] = nil
                order.removeAll { $0 == c }
                var s = score(c.policy, [Run](repeating: (0, scenario.conversions.map { _ in nil }, [], false), count: 2), objective: settings.objective)
                s.feasible = false
                s.objective = -.infinity
                return s
            }
            step()
            return scored(c, paths: n0)
        }
        /// Candidates screened together (one forked batch); their scores in order.
        func screen(batch: [Candidate]) throws -> [PolicyScore] {
            let cs = batch.map(normalised)
            var missing: [Candidate] = []
            var seen = Set<Candidate>()
            for c in cs where (runs[c]?.count ?? 0) < n0 && seen.insert(c).inserted { missing.append(c) }
            try extend(missing, to: n0)
            step(missing.count)
            return cs.map { scored($0, paths: n0) }
        }

        let blocks = scenario.conversions.count
        let lastStart = scenario.horizonMonths
        let combos = sizeCombinations(scenario)
        // Schedules, at every combination of sizes: a coordinate-wise grid, then month by
        // month around the best; each grid (all sizes at once) is one forked batch.
        let grid: [Int?] = Array(stride(from: 1, through: lastStart, by: settings.scheduleStepMonths)) + [nil]
        let passes = blocks > 1 ? 2 : 1
        let refine = settings.scheduleStepMonths > 1 ? 2 * settings.scheduleStepMonths - 1 : 0
        begin("fixed schedules", total: combos.count * (1 + passes * blocks * (grid.count + refine)))
        var months: [[Int?]] = combos.map { _ in scenario.conversions.map { $0.startMonth } }
        var best = try screen(batch: combos.indices.map { Candidate(sizes: combos[$0], policy: .schedule(months[$0])) })
        // Each combination's best schedule that converts something, apart from the
        // search's state (which may be "never"): how much is answered with these.
        var converting: [(score: PolicyScore, months: [Int?])?] = combos.indices.map { i in
            months[i].contains { $0 != nil } ? (best[i], months[i]) : nil
        }
        for _ in 0..<passes {
            for k in 0..<blocks {
                for refining in [false, true] {
                    var batch: [(combo: Int, months: [Int?])] = []
                    for (i, _) in combos.enumerated() {
                        let trial: [Int?]
                        if refining {
                            // Around the best start of block k (or, when the best is not to
                            // start it, around its best start among converting schedules).
                            guard let center = months[i][k] ?? converting[i]?.months[k], settings.scheduleStepMonths > 1 else { continue }
                            trial = Array(max(1, center - settings.scheduleStepMonths + 1)...min(lastStart, center + settings.scheduleStepMonths - 1))
                        } else {
                            trial = grid
                        }
                        for m in trial {
                            var candidate = months[i]
                            candidate[k] = m
                            batch.append((i, candidate))
                        }
                    }
                    let scores = try screen(batch: batch.map { Candidate(sizes: combos[$0.combo], policy: .schedule($0.months)) })
                    for (entry, s) in zip(batch, scores) {
                        if better(s, best[entry.combo]) {
                            best[entry.combo] = s
                            months[entry.combo] = entry.months
                        }
                        if entry.months.contains(where: { $0 != nil }), converting[entry.combo].map({ better(s, $0.score) }) ?? true {
                            converting[entry.combo] = (s, entry.months)
                        }
                    }
                }
            }
        }
        // The sizes the rules are searched at: those of the best schedule that converts
        // something (the scenario's first sizes when none does).
        let withConversion = combos.indices.filter { converting[$0] != nil }
        let chosen = withConversion.min { better(converting[$0]!.score, converting[$1]!.score) } ?? 0
        let sizes = combos[chosen]
        let scenarioAtSize = sized(scenario, sizes)
        // "Never" at other sizes differs only in the value of converting at the horizon:
        // the never family is represented at the chosen sizes.
        for c in order where c.policy == .never && c.sizes != sizes {
            runs[c] = nil
        }
        order.removeAll { runs[$0] == nil }
        // Triggers: a grid over levels of each signal and waiting days; around the best,
        // Brent on the level, Nelder-Mead over (level, days), then the earliest month.
        let signals = try triggerLevels(scenario: scenarioAtSize, settings: settings)
        // The grid, then at most 25 Brent and 40 Nelder-Mead steps and the earliest-month search.
        let triggerGrid = signals.reduce(0) { $0 + $1.levels.count * ($1.signal == .hashprice ? 3 : 2) }
        begin("trigger rules", total: 2 + triggerGrid + 25 + 40 + max(0, (lastStart / 2 - 13) / 12 + 1) + 6)
        _ = screen(Candidate(sizes: sizes, policy: .never))
        if let failure { throw failure }
        var bestTrigger: PolicyScore?
        func triggerPolicy(_ signal: ConversionTrigger.Signal, _ level: Double, _ days: Double, earliest: Int = 1) -> ConversionPolicy {
            // Hashprices are positive; margins may be negative.
            let level = signal == .hashprice ? max(0.1, level) : level
            return .trigger(
                ConversionTrigger(
                    signal: signal, below: (level * 10).rounded() / 10, forDays: min(365, max(0, days.rounded())),
                    earliestMonth: min(max(1, earliest), lastStart), latestMonth: lastStart))
        }
        func consider(_ policy: ConversionPolicy) -> Double {
            let s = screen(Candidate(sizes: sizes, policy: policy))
            if bestTrigger == nil || better(s, bestTrigger!) { bestTrigger = s }
            return s.feasible ? -s.objective : -s.objective + 1e15
        }
        for (signal, levels) in signals {
            for level in levels {
                for days in signal == .hashprice ? [0.0, 30, 90] : [0.0, 30] { _ = consider(triggerPolicy(signal, level, days)) }
            }
        }
        // Brent on the level alone, bracketed by the grid's neighbours of the best level.
        if case .trigger(let t) = bestTrigger!.policy, let levels = signals.first(where: { $0.signal == t.signal })?.levels,
            let i = levels.firstIndex(where: { abs(($0 * 10).rounded() / 10 - t.below) < 1e-9 }), i > 0, i + 1 < levels.count
        {
            _ = try? Numerics.brent(
                lower: levels[i - 1], upper: levels[i + 1], guess: levels[i], tolerance: 0.05, maxIterations: 25
            ) { consider(triggerPolicy(t.signal, $0, t.forDays)) }
        }
        if case .trigger(let t) = bestTrigger!.policy {
            _ = try? Numerics.nelderMead(
                start: [t.below, t.forDays], steps: [max(2, 0.1 * abs(t.below)), 15], tolerance: 0.5, maxIterations: 40
            ) { consider(triggerPolicy(t.signal, $0[0], $0[1])) }
        }
        // The earliest month: a yearly grid over the first half of the horizon, then
        // halving steps around the best.
        if case .trigger(let t) = bestTrigger!.policy {
            for earliest in stride(from: 13, through: max(13, lastStart / 2), by: 12) {
                _ = consider(triggerPolicy(t.signal, t.below, t.forDays, earliest: earliest))
            }
            for delta in [6, 3, 1] {
                guard case .trigger(let best) = bestTrigger!.policy else { break }
                for earliest in [best.earliestMonth - delta, best.earliestMonth + delta] where earliest >= 1 {
                    _ = consider(triggerPolicy(best.signal, best.below, best.forDays, earliest: earliest))
                }
            }
        }
        if let failure { throw failure }
        let nowCandidate = Candidate(sizes: sizes, policy: .schedule(scenario.conversions.map { _ in 1 }))
        _ = try screen(batch: [nowCandidate])
        // Least-squares Monte Carlo, block after block, fitted on the first paths.
        begin("least-squares Monte Carlo", total: blocks)
        var fitSettings = settings
        fitSettings.trainingPaths = settings.leastSquaresPaths
        let neverAtSize = Candidate(sizes: sizes, policy: .never)
        try extend([neverAtSize], to: settings.leastSquaresPaths)
        let fitPaths = settings.leastSquaresPaths
        let trained = try trainLeastSquares(
            scenario: scenarioAtSize, settings: fitSettings, stepMonths: leastSquaresStep,
            base: (trainingStates[0..<fitPaths].map { $0! }, Array(runs[neverAtSize]!.prefix(fitPaths)))
        ) { step() }
        let leastSquaresCandidate = Candidate(sizes: sizes, policy: .leastSquares(trained.rule))
        runs[leastSquaresCandidate] = trained.runs
        order.append(leastSquaresCandidate)
        try extend([leastSquaresCandidate], to: n0)
        // Successive halving: the best candidates (and each family's best) go on to more
        // paths; the contenders are scored on all the training paths.
        var rounds: [PlanResult.Round] = [.init(paths: n0, candidates: order.count)]
        func survivors(_ pool: [Candidate], keep: Int, paths n: Int) -> [Candidate] {
            Planner.survivors(pool, keep: keep, runs, paths: n, objective: settings.objective)
        }
        // With sizes to choose from, each size's best schedule goes to the last round too:
        // "how much" is answered on all the training paths.
        let bestBySize: [Candidate] =
            combos.count > 1 ? combos.indices.compactMap { i in converting[i].map { Candidate(sizes: combos[i], policy: .schedule($0.months)) } } : []
        var pool = order
        let roundPaths = [settings.middlePaths, settings.trainingPaths]
        let keeps = [PlanSettings.keptAfterScreening, PlanSettings.keptAfterMiddleRound]
        begin("contenders", total: 2)
        var previous = n0
        let rounds0: [(n: Int, keep: Int)] = zip(roundPaths, keeps).map { ($0, $1) }
        for (index, (n, keep)) in rounds0.enumerated() where n > previous || n == settings.trainingPaths {
            let kept = survivors(pool, keep: keep, paths: previous)
            pool = kept + bestBySize.filter { !kept.contains($0) }
            guard n == settings.trainingPaths else {
                try extend(pool, to: n)
                if n > previous { rounds.append(.init(paths: n, candidates: pool.count)) }
                previous = n
                step()
                continue
            }
            // The last round: the pool on every training path, and, when least squares
            // has paths to run, never at its sizes (whose runs give least squares' paths
            // that do not convert). What the rest of the training reads is the search's
            // state from here on.
            var finalists = pool
            let neverForLS = Candidate(sizes: leastSquaresCandidate.sizes, policy: .never)
            if pool.contains(leastSquaresCandidate) && (runs[leastSquaresCandidate]?.count ?? 0) < n && !finalists.contains(neverForLS) {
                finalists.append(neverForLS)
            }
            let have = finalists.map { runs[$0]?.count ?? 0 }
            func state() -> PlanSearchState {
                PlanSearchState(
                    order: order, runs: order.map { runs[$0]!.map(PlanFreshRuns.PathRun.init) }, pool: pool, finalists: finalists, have: have,
                    from: min(have.min() ?? n, n), paths: n, previous: previous, rounds: rounds,
                    laterKeeps: rounds0[(index + 1)...].filter { $0.n == settings.trainingPaths }.map(\.keep), bestBySize: bestBySize,
                    sizes: sizes, sized: combos.count > 1, bestTrigger: bestTrigger!.policy, now: nowCandidate, leastSquares: leastSquaresCandidate,
                    screeningPaths: n0, blocks: blocks)
            }
            switch final {
            case .run:
                try extend(pool, to: n)
                step()
                return .training(try complete(state(), settings: settings))
            case .slice(let k, let shards):
                let before = state()
                let share = RiskRunner.shardRange(k: k, of: shards, paths: n - before.from)
                let range = (before.from + share.lowerBound)..<(before.from + share.upperBound)
                // Each finalist starts at the slice's first path (placeholders before it,
                // never read): extend then runs exactly the slice's paths. (Never for least
                // squares too: in the whole round least squares extends it to every path,
                // whether or not this slice's least squares runs.)
                let placeholder: Run = (0, scenario.conversions.map { _ in nil }, [], false)
                for c in finalists where (runs[c]?.count ?? 0) < range.lowerBound {
                    runs[c, default: []] += [Run](repeating: placeholder, count: range.lowerBound - (runs[c]?.count ?? 0))
                }
                try extend(finalists, to: range.upperBound)
                let slice = zip(finalists, have).map { c, had in
                    let start = min(max(range.lowerBound, had), range.upperBound)
                    return runs[c]![start..<range.upperBound].map(PlanFreshRuns.PathRun.init)
                }
                return .slice(PlanFinalSlice(from: before.from, first: range.lowerBound, count: range.count, runs: slice), before)
            }
        }
        preconditionFailure("the rounds end with one on all the training paths")
    }

    /// The training from the search's state before its last round and the last round's
    /// shares (in shard order): what ``train(scenario:settings:progress:)`` gives, to the bit.
    /// - Throws: ``PlannerError/shards(_:)`` when the slices do not tile the last round.
    public static func trainMerge(_ state: PlanSearchState, slices: [PlanFinalSlice], settings: PlanSettings) throws -> PlanTraining {
        if let problem = state.problem { throw PlannerError.shards("the search's state is damaged: \(problem)") }
        var s = state
        // The slices must tile the paths from `from` to the last, each holding what each
        // finalist lacks on its paths.
        var next = s.from
        for (k, slice) in slices.enumerated() {
            guard slice.from == s.from, slice.first == next, slice.count >= 0, slice.runs.count == s.finalists.count else {
                throw PlannerError.shards(
                    "shard \(k + 1)'s last round (paths \(slice.first) + \(slice.count) from \(slice.from), \(slice.runs.count) candidates) does not follow the search's (paths from \(next), \(s.finalists.count) candidates)")
            }
            for (i, had) in s.have.enumerated() {
                let expected = max(0, slice.first + slice.count - max(slice.first, had))
                guard slice.runs[i].count == expected else {
                    throw PlannerError.shards("shard \(k + 1): candidate \(i + 1) has \(slice.runs[i].count) runs, not \(expected)")
                }
                guard slice.runs[i].allSatisfy({ $0.starts.count == s.blocks && $0.npv.isFinite && abs($0.npv) <= 1e15 && $0.starts.allSatisfy { ($0 ?? 1) >= 1 && ($0 ?? 1) <= 100_000 } }) else {
                    throw PlannerError.shards("shard \(k + 1): candidate \(i + 1) has a run with another number of blocks or a non-finite NPV")
                }
            }
            next += slice.count
        }
        guard next == s.paths else { throw PlannerError.shards("the shards cover the last round's paths \(s.from) to \(next - 1), not to \(s.paths - 1)") }
        // As the last round's extension would: new candidates join in the pool's order.
        for c in s.pool where !s.order.contains(c) {
            s.order.append(c)
            s.runs.append([])
        }
        for (i, c) in s.finalists.enumerated() {
            let at = s.order.firstIndex(of: c)!
            for slice in slices { s.runs[at] += slice.runs[i] }
        }
        return try complete(s, settings: settings)
    }

    /// The rest of the training once the last round has run (`state.runs` hold it).
    static func complete(_ state: PlanSearchState, settings: PlanSettings) throws -> PlanTraining {
        guard state.order.count == state.runs.count, state.finalists.count == state.have.count else {
            throw PlannerError.shards("the search's state is damaged")
        }
        var runs: [Candidate: [Run]] = [:]
        for (c, r) in zip(state.order, state.runs) { runs[c] = r.map(\.run) }
        let n2 = state.paths
        guard state.pool.allSatisfy({ (runs[$0]?.count ?? 0) >= n2 }) else { throw PlannerError.shards("the last round is incomplete") }
        let objective = settings.objective
        func scored(_ c: Candidate, paths n: Int? = nil) -> PolicyScore { Planner.scored(c, runs, paths: n, objective: objective) }
        func ranked(_ pool: [Candidate], paths n: Int) -> [Candidate] { Planner.ranked(pool, runs, paths: n, objective: objective) }
        var pool = state.pool
        var rounds = state.rounds
        if n2 > state.previous { rounds.append(.init(paths: n2, candidates: pool.count)) }
        // The last round repeated (when the middle round had all the training paths):
        // survivors again, every path already run.
        for keep in state.laterKeeps {
            let kept = Planner.survivors(pool, keep: keep, runs, paths: n2, objective: objective)
            pool = kept + state.bestBySize.filter { !kept.contains($0) }
        }
        let contenders = ranked(pool, paths: n2).map { scored($0, paths: n2) }
        // Every candidate for the report: the contenders first, then the others by their
        // score on the paths they got.
        let others = ranked(state.order.filter { !pool.contains($0) }, paths: state.screeningPaths).map { scored($0) }
        let candidates = contenders + others.sorted { a, b in
            a.npvs.count != b.npvs.count ? a.npvs.count > b.npvs.count : better(a, b)
        }
        guard let top = contenders.first, top.feasible else {
            throw PlannerError.noFeasiblePolicy(objective: settings.objective.description)
        }
        _ = top
        let (winner, selection) = simplest(contenders, rank: rank, materiality: settings.materiality)
        let winnerCandidate = Candidate(sizes: winner.sizes, policy: winner.policy)
        func bestOf(_ family: Int) -> Candidate? {
            contenders.first { rank($0.policy) == family }.map { Candidate(sizes: $0.sizes, policy: $0.policy) }
        }
        let bestScheduleCandidate = bestOf(1) ?? bestOf(0)!
        let bestTriggerCandidate = bestOf(2) ?? Candidate(sizes: state.sizes, policy: state.bestTrigger)
        var sizeChoices: [PlanResult.SizeChoice] = []
        var seenSizes = Set<[Double]>()
        for c in ranked(state.bestBySize, paths: n2) where seenSizes.insert(c.sizes).inserted {
            let s = scored(c, paths: n2)
            let difference = sizeChoices.first.map { best in DistributionSummary(zip(s.npvs, best.bestSchedule.npvs).map { $0 - $1 }) }
            sizeChoices.append(.init(sizes: c.sizes, bestSchedule: s, difference: difference))
        }
        return PlanTraining(
            candidates: candidates, winner: winner, selection: selection, rounds: rounds, sized: state.sized,
            sizeChoices: sizeChoices, never: Candidate(sizes: winner.policy == .never ? winner.sizes : state.sizes, policy: .never),
            recommended: winnerCandidate, now: state.now, bestSchedule: bestScheduleCandidate, bestTrigger: bestTriggerCandidate,
            leastSquares: state.leastSquares)
    }

    /// A candidate scored on its first `n` runs (all of them when nil).
    static func scored(_ c: Candidate, _ runs: [Candidate: [Run]], paths n: Int?, objective: PlanObjective) -> PolicyScore {
        let r = runs[c]!
        var s = score(c.policy, n.map { Array(r.prefix($0)) } ?? r, objective: objective)
        s.sizes = c.sizes
        return s
    }

    /// Feasible first, then the higher objective, then the simpler family.
    static func better(_ a: PolicyScore, _ b: PolicyScore) -> Bool {
        if a.feasible != b.feasible { return a.feasible }
        if a.objective != b.objective { return a.objective > b.objective }
        return rank(a.policy) < rank(b.policy)
    }

    /// Candidates best first on their first `n` runs (ties by their description).
    static func ranked(_ pool: [Candidate], _ runs: [Candidate: [Run]], paths n: Int, objective: PlanObjective) -> [Candidate] {
        let scores = pool.map { (c: $0, s: scored($0, runs, paths: n, objective: objective)) }
        return scores.sorted { better($0.s, $1.s) || (!better($1.s, $0.s) && "\($0.c)" < "\($1.c)") }.map(\.c)
    }

    /// The best `keep` candidates and the best of each family.
    static func survivors(_ pool: [Candidate], keep: Int, _ runs: [Candidate: [Run]], paths n: Int, objective: PlanObjective) -> [Candidate] {
        let sorted = ranked(pool, runs, paths: n, objective: objective)
        var kept = Array(sorted.prefix(keep))
        for family in 0..<4 {
            if let first = sorted.first(where: { rank($0.policy) == family }), !kept.contains(first) { kept.append(first) }
        }
        return kept
    }

    /// Plans a scenario's conversion: ``train(scenario:settings:progress:)`` on the
    /// training paths, then ``rescore(_:scenario:settings:first:count:progress:)`` on all
    /// the fresh paths and ``finish(_:scenario:settings:runs:)``.
    public static func plan(
        scenario: Scenario, settings: PlanSettings, progress: ((Planner.PlanProgress) -> Void)? = nil
    ) throws -> PlanResult {
        let training = try train(scenario: scenario, settings: settings, progress: progress)
        let runs = try rescore(training, scenario: scenario, settings: settings, first: 0, count: settings.evaluationPaths, progress: progress)
        return finish(training, scenario: scenario, settings: settings, runs: [runs])
    }

    /// The policies re-scored on fresh paths, each once, in order, with the number of
    /// fresh paths it is scored on: never and the recommended policy on all of them,
    /// convert now, the best schedule, the best trigger rule and the least-squares
    /// policy on the first `comparisonPaths` (a policy met again keeps its first count).
    static func freshPolicies(_ t: PlanTraining, settings: PlanSettings) -> [(candidate: Candidate, paths: Int)] {
        let all = settings.evaluationPaths
        let comparison = settings.comparisonPaths
        var list: [(candidate: Candidate, paths: Int)] = []
        for (c, n) in [
            (t.never, all), (t.recommended, all), (t.now, comparison), (t.bestSchedule, comparison), (t.bestTrigger, comparison),
            (t.leastSquares, comparison),
        ] where !list.contains(where: { $0.candidate == c }) {
            list.append((c, n))
        }
        return list
    }

    /// Runs the trained policies on fresh paths `first ..< first + count` (of the
    /// `evaluationPaths`; a policy scored on fewer paths runs only those below its
    /// count): `runs[policy][path - first]` in the order of ``freshPolicies(_:settings:)``.
    /// A path's runs depend only on the path, so the runs of consecutive ranges, put
    /// end to end, are those of the whole range (how sharded plans merge exactly).
    public static func rescore(
        _ t: PlanTraining, scenario: Scenario, settings: PlanSettings, first: Int, count: Int,
        progress: ((Planner.PlanProgress) -> Void)? = nil
    ) throws -> PlanFreshRuns {
        precondition(first >= 0 && count >= 0 && first + count <= settings.evaluationPaths)
        let policies = freshPolicies(t, settings: settings)
        var phase = PlanProgress(phase: "re-scoring on fresh paths", done: 0, total: 6)
        progress?(phase)
        func step() {
            phase.done += 1
            progress?(phase)
        }
        let fresh = settings.evaluationSeed
        // Never's runs, with the least-squares rule's states on each path.
        let neverScenario = ConversionPolicy.never.apply(to: sized(scenario, t.never.sizes))
        guard case .leastSquares(let rule) = t.leastSquares.policy else { preconditionFailure("the least-squares candidate") }
        let lsMonths = rule.months
        let neverRuns = try RiskRunner.runBatch(scenario: neverScenario, seed: fresh, first: first, count: count, threads: settings.threads) {
            _, result in (runOf(result, keep: true), lsMonths.map { m in state(result.months, month: m, scenario: scenario) })
        }
        step()
        var runs: [[Run]] = [neverRuns.map(\.0)]
        for (c, paths) in policies.dropFirst() {
            let n = max(0, min(first + count, paths) - first)
            if case .leastSquares(let rule) = c.policy, c.sizes == t.never.sizes {
                // The states come from never's fresh runs: only the paths that convert run.
                var results = Array(neverRuns.prefix(n).map(\.0))
                var jobs: [(path: Int, months: [Int?])] = []
                for p in 0..<n {
                    let starts = rule.decide(neverRuns[p].1)
                    if starts.contains(where: { $0 != nil }) { jobs.append((first + p, starts)) }
                }
                let converted = try runSchedules(sized(scenario, c.sizes), seed: fresh, jobs: jobs, threads: settings.threads, flows: true)
                for (job, run) in zip(jobs, converted) { results[job.path - first] = run }
                runs.append(results)
            } else if n > 0 {
                runs.append(try run(c.policy, scenario: sized(scenario, c.sizes), seed: fresh, first: first, count: n, threads: settings.threads, flows: true))
            } else {
                runs.append([])
            }
            step()
        }
        return PlanFreshRuns(first: first, runs: runs.map { $0.map(PlanFreshRuns.PathRun.init) })
    }

    /// The plan's result from its training and the runs of all the fresh paths (one
    /// ``rescore(_:scenario:settings:first:count:progress:)`` of every path, or the
    /// shards' runs in path order).
    public static func finish(_ t: PlanTraining, scenario: Scenario, settings: PlanSettings, runs parts: [PlanFreshRuns]) -> PlanResult {
        let policies = freshPolicies(t, settings: settings)
        var all = [[Run]](repeating: [], count: policies.count)
        for part in parts {
            for (i, r) in part.runs.enumerated() { all[i] += r.map(\.run) }
        }
        precondition(zip(all, policies).allSatisfy { $0.count == $1.paths }, "the fresh runs cover each policy's paths")
        let cash = scenario.finance.startingCashUSD != nil
        let neverRuns = all[0]
        func paired(_ runs: [Run], _ c: Candidate) -> (score: PolicyScore, flows: [[Double]]) {
            var scored = score(c.policy, runs, objective: settings.objective, cash: cash)
            scored.sizes = c.sizes
            let flows = runs.map(\.flows)
            let n = runs.count
            scored.incremental = Incremental(
                npvs: scored.npvs, never: neverRuns.prefix(n).map(\.npv), flows: flows, neverFlows: neverRuns.prefix(n).map(\.flows),
                discountRate: scenario.discountRatePerYear)
            return (scored, flows)
        }
        var evaluated: [Candidate: (score: PolicyScore, flows: [[Double]])] = [:]
        for (i, (c, _)) in policies.enumerated() { evaluated[c] = paired(all[i], c) }
        let winner = t.winner
        let recommended = evaluated[t.recommended]!.score
        let now = evaluated[t.now]!.score
        let schedule = evaluated[t.bestSchedule]!.score
        let trigger = evaluated[t.bestTrigger]!.score
        let leastSquares = evaluated[t.leastSquares]!.score
        let never = evaluated[t.never]!.score
        // The better of never and now, paired with the recommended policy on the paths both have.
        let nowMean = now.npv.mean
        let neverMean = DistributionSummary(Array(never.npvs.prefix(now.npvs.count))).mean
        // Measured against the better of never and now; against the answer itself when
        // the answer is one of them (0 then, by construction).
        let baseline = winner.policy == .never ? never : t.recommended == t.now ? now : neverMean >= nowMean ? never : now
        let paths = min(recommended.npvs.count, baseline.npvs.count)
        let flexibility = DistributionSummary(zip(recommended.npvs.prefix(paths), baseline.npvs.prefix(paths)).map { $0 - $1 })
        let recommendedScenario = sized(scenario, winner.sizes)
        return PlanResult(
            scenarioName: scenario.name, settings: settings, candidates: t.candidates, never: never,
            convertNow: now, bestSchedule: schedule, bestTrigger: trigger, leastSquares: leastSquares,
            recommended: recommended, recommendedInSample: winner, valueOfFlexibility: flexibility,
            flexibilityBaseline: baseline.policy == .never ? "never convert" : "convert everything now",
            recommendation: headline(recommended, scenario: recommendedScenario), selection: t.selection)
            .with {
                $0.scenarioStartMonth = scenario.startMonth
                $0.recommendedCumulativeCash = cumulativeCashPercentiles(evaluated[t.recommended]!.flows)
                $0.rounds = t.rounds
                $0.sized = t.sized
                $0.sizeChoices = t.sizeChoices
            }
    }


    /// Month by month, the P5, P25, P50, P75 and P95 of cumulative cash over paths
    /// (`flows[path][month]`), exact (sorted), interpolated as ``DistributionSummary``.
    static func cumulativeCashPercentiles(_ flows: [[Double]]) -> [[Double]] {
        guard let all = flows.first?.count, all > 1 else { return [] }
        let months = all - 1
        var running = [Double](repeating: 0, count: flows.count)
        var result: [[Double]] = []
        result.reserveCapacity(months)
        for m in 0..<months {
            for p in flows.indices { running[p] += m < flows[p].count ? flows[p][m] : 0 }
            let summary = DistributionSummary(running)
            result.append([0.05, 0.25, 0.5, 0.75, 0.95].map { summary.percentile($0)! })
        }
        return result
    }

    /// The simplest good policy: starting from the best "never", a more complex family
    /// (schedule, then trigger rule, then least squares) is taken only when its best
    /// candidate beats the current choice by more than 2 paired standard errors of the
    /// difference on the training paths (on the objective; feasibility first).
    static func simplest(_ candidates: [PolicyScore], rank: (ConversionPolicy) -> Int, materiality: Double = 0) -> (PolicyScore, String) {
        let families = ["never converting", "the best fixed schedule", "the best trigger rule", "the least-squares policy"]
        let bests = (0..<4).map { r in candidates.first { rank($0.policy) == r } }
        var choice: (score: PolicyScore, family: Int)?
        var notes: [String] = []
        for r in 0..<4 {
            guard let c = bests[r] else { continue }
            guard let current = choice else {
                if c.feasible { choice = (c, r) }
                continue
            }
            guard c.feasible else { continue }
            let differences = zip(c.npvs, current.score.npvs).map { $0 - $1 }
            let se = differences.count > 1 ? DistributionSummary(differences).standardError : 0
            let gain = c.objective - current.score.objective
            let material = materiality * abs(current.score.objective)
            if !current.score.feasible || (gain > 2 * se && gain >= material) {
                notes.append(
                    "\(families[r]) beats \(families[current.family]) by \(money(gain)) on the training paths, more than 2 paired standard errors (\(money(2 * se)))")
                choice = (c, r)
            } else if gain > 2 * se {
                notes.append(
                    "\(families[r]) beats \(families[current.family]) by \(money(gain)) on the training paths, more than 2 paired standard errors (\(money(2 * se))) but less than the materiality threshold (\(Self.percentText(materiality)) of \(money(abs(current.score.objective))), \(money(material))): the simpler one is kept")
            } else {
                notes.append(
                    gain >= -2 * se
                        ? "\(families[r]) scores \(money(abs(gain))) \(gain >= 0 ? "more" : "less") than \(families[current.family]), within 2 paired standard errors (\(money(2 * se))): the simpler one is kept"
                        : "\(families[r]) scores \(money(-gain)) less than \(families[current.family]) (2 paired standard errors: \(money(2 * se))): the simpler one is kept")
            }
        }
        let chosen = choice ?? (candidates[0], rank(candidates[0].policy))
        return (chosen.score, notes.isEmpty ? "" : notes.joined(separator: "; ") + ".")
    }

    /// A whole number with thousands separators: 2,048.
    static func grouped(_ n: Int) -> String {
        var digits = String(n.magnitude)
        var out = ""
        while digits.count > 3 {
            out = "," + digits.suffix(3) + out
            digits.removeLast(3)
        }
        return (n < 0 ? "-" : "") + digits + out
    }

    /// A share as a percentage: 0.5%.
    static func percentText(_ share: Double) -> String {
        let p = share * 100
        return (p == p.rounded() ? String(format: "%.0f", p) : String(format: "%g", p)) + "%"
    }

    /// Megawatts as written: 60, 2.5.
    public static func mw(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(format: "%g", value)
    }

    /// "1, 2, 3 or 4 MW", in ascending order.
    public static func sizeList(_ sizes: [Double]) -> String {
        let names = sizes.sorted().map(mw)
        return (names.count > 1 ? names.dropLast().joined(separator: ", ") + " or " + names.last! : names.joined()) + " MW"
    }

    static func money(_ usd: Double) -> String {
        let m = usd / 1e6
        return String(format: abs(m) >= 100 ? "USD %.0fM" : abs(m) >= 1 ? "USD %.1fM" : "USD %.2fM", m)
    }

    /// What to do, in words and calendar dates, from the policy and its fresh paths.
    static func headline(_ r: PolicyScore, scenario: Scenario) -> String {
        func name(_ month: Int) -> String { Scenario.monthName(scenario.startMonth, month: month) }
        func block(_ c: ConversionProject) -> String {
            let target: String =
                switch c.target {
                case .colocation: "a colocation lease"
                case .gpuCloud(let gpus): "\(Planner.grouped(gpus)) GPUs"
                }
            let options = c.sizeOptions.count > 1 ? " (the best of " + Self.sizeList(c.sizeOptions) + ")" : ""
            return String(format: "%@ MW of hall %@ to %@", Self.mw(c.megawatts), c.hall, target) + options
        }
        switch r.policy {
        case .never:
            let refreshed = scenario.mining.contains { $0.refresh != nil }
            let blocks = scenario.conversions.map { c in
                c.sizeOptions.count > 1
                    ? "any of " + Self.sizeList(c.sizeOptions) + " of hall \(c.hall)" : block(c)
            }
            return "Keep mining" + (refreshed ? " (with the fleet refreshes the scenario states)" : "")
                + ": do not convert " + blocks.joined(separator: " or ") + "."
        case .schedule(let months):
            let parts = zip(scenario.conversions, months).map { c, m -> String in
                guard let m else { return "do not convert \(block(c))" }
                let likely = c.leadTimeRisk == nil ? "" : " at the most likely lead time"
                return "start converting \(block(c)) in \(name(m)) (month \(m)); online \(name(m + c.leadTimeMonths))\(likely)"
            }
            let text = parts.joined(separator: "; ")
            return text.prefix(1).uppercased() + text.dropFirst() + "."
        case .trigger, .leastSquares:
            var text = r.policy.describe(for: scenario)
            for (k, c) in scenario.conversions.enumerated() {
                let (share, p) = r.converted(block: k)
                if share == 0 {
                    text += " On the fresh paths block \(k + 1) never converted: in effect, keep mining it."
                } else if let p {
                    let median = Int(p[1].rounded())
                    text += String(
                        format: " Block %d (%@) converts on %.0f%% of the fresh paths; at the median it starts in %@ (month %d, P10 %.0f, P90 %.0f) and is online in %@.",
                        k + 1, block(c), share * 100, name(median), median, p[0], p[2], name(median + c.leadTimeMonths))
                }
            }
            return text
        }
    }

    /// The names of the regressors of ``state(_:month:scenario:)``, in order. Prices are
    /// the previous month's averages (the scenario's initial values in month 1).
    public static let regressorNames = [
        "1", "h = hashprice / 100 (USD/PH/day)", "h^2", "BTC price / 100,000 (USD)", "market power price / 100 (USD/MWh)",
        "t = (month - 1) / 120", "t x h",
    ]

    /// The regressors of a decision month: known at its start (the previous month's
    /// averages; the scenario's initial values in month 1).
    static func state(_ rows: [MonthRow], month: Int, scenario: Scenario) -> [Double] {
        let b = scenario.bitcoin
        var hashprice: Double
        var btc: Double
        var power: Double
        if month <= 1 {
            let subsidy = BitcoinProtocol.subsidyBTC(atHeight: b.initialBlockHeight)
            hashprice = 144 * (subsidy + b.feesBTCPerBlock) * b.initialPriceUSD / (b.initialHashrateEHs * 1_000)
            btc = b.initialPriceUSD
            power = scenario.electricity.market.longRunMean(stepHours: scenario.stepHours)
        } else {
            let row = rows[month - 2]
            (hashprice, btc, power) = (row.averageHashpriceUSDPerPHDay, row.averageBTCPriceUSD, row.averageMarketPowerPriceUSDPerMWh)
        }
        let h = hashprice / 100
        // Calendar time (decades since the start), not months left: with a value at the
        // horizon the decision should not depend on where the horizon was put.
        let t = Double(month - 1) / 120
        return [1, h, h * h, btc / 100_000, power / 100, t, t * h]
    }

    /// Fits the least-squares rule on the training paths and returns it with its
    /// in-sample runs.
    ///
    /// Blocks are fitted one after another. For block k, every path carries the start
    /// months its earlier blocks got from their fitted rules; the payoff of starting
    /// block k at decision month m is the path's NPV with block k started at m minus
    /// its NPV with block k (and the later blocks) kept mining, both simulated on the
    /// path's own random numbers. Block k may start from the month block k - 1 started
    /// (the same month included), and only on paths where it did. The later blocks'
    /// own option to convert is not credited when block k is decided: a staged rule,
    /// not the joint optimum.
    /// `base`: the never runs of the training paths and their states at the decision
    /// months, when the caller has them (else they are run).
    static func trainLeastSquares(
        scenario: Scenario, settings: PlanSettings, stepMonths: Int, base known: (states: [[[Double]]], runs: [Run])? = nil,
        stageDone: () -> Void = {}
    ) throws -> (rule: LeastSquaresRule, runs: [Run]) {
        let months = Array(stride(from: 1, to: scenario.horizonMonths, by: stepMonths))
        let blocks = scenario.conversions.count
        let count = settings.trainingPaths
        let (states, base) =
            try known ?? decisionStates(scenario: scenario, months: months, seed: settings.seed, count: count, threads: settings.threads)
        var runs = base
        var stages: [LeastSquaresRule.Stage] = []
        for k in 0..<blocks {
            // Paths still staging and the first month block k may start on them.
            let notBefore: [Int?] = runs.map { run in k == 0 ? 1 : run.starts[k - 1] }
            var jobs: [(path: Int, months: [Int?])] = []
            var slots: [(path: Int, date: Int)] = []
            for p in 0..<count {
                guard let first = notBefore[p] else { continue }
                for (d, m) in months.enumerated() where m >= first {
                    var schedule = runs[p].starts
                    schedule[k] = m
                    jobs.append((p, schedule))
                    slots.append((p, d))
                }
            }
            let converted = try runSchedules(scenario, seed: settings.seed, jobs: jobs, threads: settings.threads)
            var payoff = [[Double]](repeating: [Double](repeating: 0, count: count), count: months.count)
            for (slot, run) in zip(slots, converted) { payoff[slot.date][slot.path] = run.npv - runs[slot.path].npv }
            var problem = StoppingProblem(
                paths: count, dates: months.count, discountPerDate: 1,
                payoff: { p, d in payoff[d - 1][p] }, basis: { p, d in states[p][d - 1] },
                decisionRegion: { p, d in notBefore[p].map { months[d - 1] >= $0 } ?? false })
            problem.regressPayoff = true
            let solution = try OptimalStopping.longstaffSchwartz(problem)
            stages.append(LeastSquaresRule.Stage(exercise: solution.payoffCoefficients, continuation: solution.coefficients))
            stageDone()
            for p in 0..<count {
                guard let date = solution.stoppingDates[p] else { continue }
                runs[p].npv += solution.discountedPayoffs[p]
                runs[p].starts[k] = months[date - 1]
            }
        }
        return (LeastSquaresRule(months: months, stepMonths: stepMonths, stages: stages), runs)
    }

    /// The never-convert runs of paths `0..<count` and the regressors of each path at
    /// each decision month. The market (BTC, fees, hashrate, power prices) does not
    /// depend on the site's decisions, so these states hold under any policy.
    static func decisionStates(scenario: Scenario, months: [Int], seed: UInt64, first: Int = 0, count: Int, threads: Int, flows keep: Bool = false)
        throws -> (states: [[[Double]]], runs: [Run])
    {
        let never = ConversionPolicy.never.apply(to: scenario)
        let base = try RiskRunner.runBatch(scenario: never, seed: seed, first: first, count: count, threads: threads) {
            ($1.npvUSD, $1.conversionStartMonths, $1.months, flows($1, keep: keep), $1.finance?.cashOutMonth != nil)
        }
        return (
            base.map { b in months.map { state(b.2, month: $0, scenario: scenario) } },
            base.map { ($0.0, $0.1, $0.3, $0.4) }
        )
    }

    /// Applies a least-squares rule to fresh paths: the never-convert path gives the
    /// states, the rule the start month of each block; the path is then re-run with
    /// those starts.
    static func runLeastSquares(
        _ rule: LeastSquaresRule, scenario: Scenario, seed: UInt64, first: Int = 0, count: Int, threads: Int, flows keep: Bool = false
    ) throws -> [Run] {
        let (states, base) = try decisionStates(
            scenario: scenario, months: rule.months, seed: seed, first: first, count: count, threads: threads, flows: keep)
        var results = base
        var jobs: [(path: Int, months: [Int?])] = []
        for p in 0..<count {
            let starts = rule.decide(states[p])
            if starts.contains(where: { $0 != nil }) { jobs.append((first + p, starts)) }
        }
        for (job, run) in zip(jobs, try runSchedules(scenario, seed: seed, jobs: jobs, threads: threads, flows: keep)) {
            results[job.path - first] = run
        }
        return results
    }

    /// Levels to try for each trigger signal: the 10th to 90th percentiles of its
    /// monthly average on a few training paths without conversion. The mining margin
    /// is that of the fleet block 1 would retire first (none if its hall has no miners).
    static func triggerLevels(scenario: Scenario, settings: PlanSettings) throws -> [(signal: ConversionTrigger.Signal, levels: [Double])] {
        let base = ConversionPolicy.never.apply(to: scenario)
        let count = min(settings.trainingPaths, 50)
        let rows = try RiskRunner.runBatch(scenario: base, seed: settings.seed, first: 0, count: count, threads: settings.threads) {
            $1.months.map { ($0.averageHashpriceUSDPerPHDay, $0.averageMarketPowerPriceUSDPerMWh) }
        }.flatMap { $0 }.filter { $0.0.isFinite && $0.0 > 0 && $0.1.isFinite }
        guard !rows.isEmpty else { return [(.hashprice, [50])] }
        let levels = [0.1, 0.25, 0.4, 0.55, 0.7, 0.9]
        var result: [(signal: ConversionTrigger.Signal, levels: [Double])] = [
            (.hashprice, Quantiles.percentiles(rows.map(\.0), at: levels))
        ]
        let hall = scenario.conversions[0].hall
        if let fleet = scenario.mining.first(where: { $0.hall == hall }),
            let pue = scenario.site.hallIndex(named: hall).map({ scenario.site.halls[$0].pue })
        {
            // USD/MWh = hashprice (USD per PH/s per day) x PH/s per unit / (MWh per unit-day).
            let phsPerUnit = fleet.asic.hashrateTHs * fleet.uptime / 1_000
            let mwPerUnit = fleet.asic.powerW * pue / 1e6
            let margins = rows.map { $0.0 * phsPerUnit / (mwPerUnit * 24) - fleet.opexUSDPerMWh - $0.1 }
            result.append((.miningMargin, Quantiles.percentiles(margins, at: levels)))
        }
        return result
    }
}

/// What the planner decides on the training paths: the report of the search and the
/// policies to re-score on fresh paths. It is all a sharded plan's fresh-path shards and
/// its merge need from the training stage (`plan --stage train --training-file`).
public struct PlanTraining: Hashable, Sendable, Codable {
    /// Every candidate scored on the training paths, best first.
    public var candidates: [PolicyScore]
    /// The recommended policy on the training paths (in sample), and why it was chosen.
    public var winner: PolicyScore
    public var selection: String
    public var rounds: [PlanResult.Round]
    public var sized: Bool
    public var sizeChoices: [PlanResult.SizeChoice]
    /// The policies re-scored on fresh paths.
    public var never: Planner.Candidate
    public var recommended: Planner.Candidate
    public var now: Planner.Candidate
    public var bestSchedule: Planner.Candidate
    public var bestTrigger: Planner.Candidate
    public var leastSquares: Planner.Candidate
}

/// The runs of the trained policies on a range of fresh paths (a shard's share, or all).
public struct PlanFreshRuns: Sendable {
    /// What the plan keeps of a policy on a path.
    public struct PathRun: Hashable, Sendable, Codable {
        public var npv: Double
        /// The start month of each block (nil: not started).
        public var starts: [Int?]
        /// The monthly flows the NPV discounts (terminal value included).
        public var flows: [Double]
        /// Whether cash ran out (with starting cash).
        public var cashOut: Bool

        public init(npv: Double, starts: [Int?], flows: [Double], cashOut: Bool) {
            self.npv = npv
            self.starts = starts
            self.flows = flows
            self.cashOut = cashOut
        }

        init(_ run: Planner.Run) { self.init(npv: run.npv, starts: run.starts, flows: run.flows, cashOut: run.cashOut) }
        var run: Planner.Run { (npv, starts, flows, cashOut) }
    }

    /// The first fresh path of the range.
    public var first: Int
    /// `runs[policy][path - first]`, policies in the plan's re-scoring order; a policy
    /// scored on fewer paths has runs only for the paths below its count.
    public var runs: [[PathRun]]

    public init(first: Int, runs: [[PathRun]]) {
        self.first = first
        self.runs = runs
    }
}

/// A training shard's share of the search's last round: the runs of each finalist (the
/// contenders, and never at the least-squares sizes) on the paths of `first ..< first +
/// count` it lacks. The last round covers the training paths from `from` (the fewest any
/// finalist had) to the last; shard k of n takes the k-th of n equal parts of those.
public struct PlanFinalSlice: Sendable, Equatable {
    public var from: Int
    public var first: Int
    public var count: Int
    public var runs: [[PlanFreshRuns.PathRun]]

    public init(from: Int, first: Int, count: Int, runs: [[PlanFreshRuns.PathRun]]) {
        self.from = from
        self.first = first
        self.count = count
        self.runs = runs
    }
}

/// The search when its last round begins: what the rest of the training reads. Every
/// training shard reaches the same one (the search is deterministic) and carries it, so
/// the merge completes the training without searching again.
public struct PlanSearchState: Codable, Equatable, Sendable {
    /// Every candidate scored so far, in the order first scored, and its runs (paths from 0).
    var order: [Planner.Candidate]
    var runs: [[PlanFreshRuns.PathRun]]
    /// The last round's pool, the candidates it extends and how many runs each had.
    var pool: [Planner.Candidate]
    var finalists: [Planner.Candidate]
    var have: [Int]
    /// The last round's paths: `from ..< paths`.
    var from: Int
    var paths: Int
    var previous: Int
    var rounds: [PlanResult.Round]
    /// Survivor counts of rounds after the last one on the same paths (rarely any).
    var laterKeeps: [Int]
    var bestBySize: [Planner.Candidate]
    var sizes: [Double]
    var sized: Bool
    var bestTrigger: ConversionPolicy
    var now: Planner.Candidate
    var leastSquares: Planner.Candidate
    var screeningPaths: Int
    var blocks: Int

    /// What does not hold together (nil when the state is sound): counts, ranges, runs
    /// with another number of blocks or a non-finite NPV, candidates the rounds read
    /// without runs.
    var problem: String? {
        guard blocks >= 1, paths >= 1, from >= 0, from <= paths, previous >= 0, screeningPaths >= 1, screeningPaths <= paths else {
            return "blocks \(blocks), paths \(paths), from \(from), previous \(previous), screening paths \(screeningPaths)"
        }
        guard order.count == runs.count, finalists.count == have.count, have.allSatisfy({ $0 >= 0 && $0 <= paths }) else {
            return "\(order.count) candidates with \(runs.count) lists of runs, \(finalists.count) finalists with \(have.count) counts"
        }
        guard laterKeeps.count <= 2, laterKeeps.allSatisfy({ $0 >= 1 && $0 <= 1_000 }) else { return "later rounds \(laterKeeps)" }
        let known = Set(order)
        guard known.count == order.count else { return "a candidate listed twice" }
        guard finalists.allSatisfy({ known.contains($0) || pool.contains($0) }), pool.allSatisfy({ finalists.contains($0) }),
            bestBySize.allSatisfy({ pool.contains($0) })
        else { return "a finalist, pool or size candidate that the search never scored" }
        for (i, (c, list)) in zip(order, runs).enumerated() {
            guard !list.isEmpty || pool.contains(c) else { return "candidate \(i + 1) has no runs" }
            guard list.allSatisfy({ $0.starts.count == blocks && $0.npv.isFinite && abs($0.npv) <= 1e15 && $0.starts.allSatisfy { ($0 ?? 1) >= 1 && ($0 ?? 1) <= 100_000 } }) else {
                return "candidate \(i + 1) has a run with another number of blocks, a start month out of range or an NPV not finite or beyond 1e15"
            }
        }
        for (c, had) in zip(finalists, have) {
            guard had == (order.firstIndex(of: c).map { runs[$0].count } ?? 0) else { return "a finalist's count of runs" }
        }
        return nil
    }
}
