// SPDX-License-Identifier: GPL-3.0-or-later

import ArgumentParser
import Foundation
import SwitchyardModel
import SwitchyardPlanner
import SwitchyardReport
import SwitchyardRisk

/// `switchyard plan [SCENARIO] --paths N --objective ...`.
struct PlanCommand: ParsableCommand {
    enum ObjectiveChoice: String, ExpressibleByArgument, CaseIterable {
        case mean, cvar, loss, blend
    }

    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Find when and how much to convert: schedules, trigger rules and least-squares Monte Carlo on common paths, ranked by successive halving, re-scored out of sample.",
        discussion: """
            The scenario's conversion projects are the blocks to time; a block whose
            `megawatts` lists several sizes ([20, 40, 60]) is sized too. Candidates:
            fixed schedules (block k in month m_k, or never) at every combination of
            sizes, trigger rules (the next block starts once the hashprice or the
            hall's mining margin has stayed below a level for some days, not before an
            earliest month) and a staged least-squares Monte Carlo policy (block after
            block), both at the sizes of the best schedule.

            Ranking: every candidate is screened on the first --screening-paths
            training paths (common random numbers); the best 10 and the best of each
            family go on to a middle round, the best 3 and each family's best to all
            --training-paths: the contenders. A more complex family is preferred only
            when it beats the simpler one by more than 2 paired standard errors.
            Schedules are not simulated from month 1: each path's never-convert run is
            copied at the month a block starts (same numbers to the bit).

            The recommended policy and "never" are then re-scored on --paths fresh,
            independent paths; convert now, the best schedule, the best trigger rule
            and the least-squares policy on the first --comparison-paths of them.

            Objectives: mean (maximise mean NPV); cvar (mean NPV with CVaR95 at most
            --max-cvar USD); loss (mean NPV with P(loss) at most --max-loss); blend
            (mean NPV - --lambda x CVaR95).
            """
    )

    @OptionGroup var options: ScenarioOptions
    @OptionGroup var parallel: ParallelOptions

    @Option(parsing: .unconditional, help: "Fresh paths on which the recommended policy and never are re-scored.")
    var paths: Int = 10_000

    @Option(parsing: .unconditional, help: "Fresh paths (the first of --paths) on which the other reported policies are re-scored. (default: 2000, at most --paths)")
    var comparisonPaths: Int?

    @Option(parsing: .unconditional, help: "Training paths on which the contenders are scored.")
    var trainingPaths: Int = 2_000

    @Option(parsing: .unconditional, help: "Training paths (the first) on which every candidate is screened. (default: 100, at most --training-paths)")
    var screeningPaths: Int?

    @Option(parsing: .unconditional, help: "Training paths (the first) on which the least-squares regressions are fitted. (default: 400, at most --training-paths)")
    var leastSquaresPaths: Int?

    @Option(help: "The objective.")
    var objective: ObjectiveChoice = .mean

    @Option(parsing: .unconditional, help: "With --objective cvar: the largest acceptable CVaR95, USD.")
    var maxCvar: Double?

    @Option(parsing: .unconditional, help: "With --objective loss: the largest acceptable probability of loss, e.g. 0.05.")
    var maxLoss: String?

    @Option(parsing: .unconditional, help: "With --objective blend: the weight of CVaR95.")
    var lambda: Double = 0.5

    @Option(parsing: .unconditional, help: "Grid step of schedule months (refined month by month around the best) and of least-squares decisions (at least 3 months for those).")
    var step: Int = 6

    @Option(parsing: .unconditional, help: "A more complex family of policies (schedule, trigger rule, least squares) is recommended over a simpler one only if it gains at least this share of the simpler one's objective, as well as more than 2 paired standard errors: 0.5% or 0.005; 0 for the noise test alone.")
    var materiality: String = "0.5%"

    enum Stage: String, ExpressibleByArgument, CaseIterable { case train }

    @Option(help: "'train': run only the training (the search on the training paths) and write it to --training-file; with --shard K/N --shard-file F, one shard of it (the first stage of a plan in shards).")
    var stage: Stage?

    @Option(help: "With --stage train: where to write the training. Without: the training to re-score on fresh paths (its scenario and settings are used; give --shard K/N --shard-file F for one shard, or --xlsx/--json for the whole plan).")
    var trainingFile: String?

    @Option(help: "With --training-file: re-score only shard K of N of the fresh paths: paths (K-1)*P/N to K*P/N - 1; 'switchyard merge' writes the plan's outputs. With --stage train: shard K of N of the training (the search, then the K-th share of its last round); 'switchyard merge --training-file T' writes the training.")
    var shard: String?

    @Option(help: "The shard file to write with --shard.")
    var shardFile: String?

    /// The options a training file fixes (refused with --training-file, outside --stage train).
    static let settingsOptions = [
        "--paths", "--comparison-paths", "--training-paths", "--screening-paths", "--least-squares-paths", "--objective", "--max-cvar",
        "--max-loss", "--lambda", "--step", "--materiality", "--seed", "--no-terminal-value",
    ]

    /// Checks the staging options: --stage train, --training-file, --shard, --shard-file.
    func validateStages(arguments: [String]) throws {
        if stage == .train {
            guard options.xlsx == nil, options.json == nil else {
                throw ValidationError("--stage train writes only its --training-file (or --shard-file); then 'plan --training-file F --shard K/N --shard-file S' for each shard and 'switchyard merge' write the plan")
            }
            if shard != nil || shardFile != nil {
                guard let shard, shardFile != nil else { throw ValidationError("--shard K/N and --shard-file FILE go together") }
                guard trainingFile == nil else {
                    throw ValidationError("--stage train --shard writes a training shard (--shard-file); 'switchyard merge SHARDS... --training-file T' writes the training file")
                }
                _ = try RiskCommand.shardNumbers(shard, paths: trainingPaths)
            } else if trainingFile == nil {
                throw ValidationError("--stage train needs --training-file FILE (where the training is written), or --shard K/N --shard-file FILE")
            }
        } else if trainingFile != nil {
            guard options.scenario == nil else {
                throw ValidationError("with --training-file the scenario comes from the training file: do not give one ('\(options.scenario!)')")
            }
            let given = Self.settingsOptions.filter { option in arguments.contains { $0 == option || $0.hasPrefix(option + "=") } }
            guard given.isEmpty else {
                throw ValidationError("with --training-file the plan's settings come from the training file: \(given.joined(separator: ", ")) cannot be given")
            }
            if shard != nil || shardFile != nil {
                guard let shard, shardFile != nil else { throw ValidationError("--shard K/N and --shard-file FILE go together") }
                _ = try RiskCommand.shardNumbers(shard, paths: Int.max)
                guard options.xlsx == nil, options.json == nil else {
                    throw ValidationError("--shard writes only its --shard-file; 'switchyard merge SHARDS... --xlsx/--json' writes the plan")
                }
            }
        } else if shard != nil || shardFile != nil {
            throw ValidationError("--shard needs --training-file (written by 'plan --stage train --training-file F')")
        }
    }


    func validate() throws {
        guard paths > 1, trainingPaths > 1 else { throw ValidationError("--paths and --training-paths must be at least 2") }
        for (name, value, limit) in [
            ("--screening-paths", screeningPaths, trainingPaths), ("--least-squares-paths", leastSquaresPaths, trainingPaths),
            ("--comparison-paths", comparisonPaths, paths),
        ] {
            guard let value else { continue }
            // A least-squares regression needs at least 4 paths per regressor (7 of them).
            let least = name == "--least-squares-paths" ? 30 : 2
            guard value >= least else { throw ValidationError("\(name) must be at least \(least), got \(value)") }
            guard value <= limit else {
                throw ValidationError("\(name) (\(value)) must not exceed \(name == "--comparison-paths" ? "--paths" : "--training-paths") (\(limit))")
            }
        }
        guard paths <= 1_000_000, trainingPaths <= 100_000 else {
            throw ValidationError("--paths must be at most 1,000,000 and --training-paths at most 100,000 (each path's monthly flows are kept), got \(paths) and \(trainingPaths)")
        }
        if let maxCvar { guard maxCvar.isFinite else { throw ValidationError("--max-cvar must be a finite amount in USD, got \(maxCvar)") } }
        if maxCvar != nil && objective != .cvar { throw ValidationError("--max-cvar applies only with --objective cvar") }
        if maxLoss != nil && objective != .loss { throw ValidationError("--max-loss applies only with --objective loss") }
        guard step > 0 else { throw ValidationError("--step must be at least 1 month") }
        if objective == .cvar && maxCvar == nil { throw ValidationError("--objective cvar needs --max-cvar USD") }
        if objective == .loss {
            guard let maxLoss else { throw ValidationError("--objective loss needs --max-loss, a probability such as 5% or 0.05") }
            _ = try RiskCommand.share(maxLoss, option: "--max-loss", allowZero: true)
        }
        guard lambda.isFinite, lambda >= 0 else { throw ValidationError("--lambda must be >= 0") }
        _ = try RiskCommand.share(materiality, option: "--materiality", allowZero: true)
        try validateStages(arguments: Array(CommandLine.arguments.dropFirst()))
    }

    /// The plan's settings from the options.
    func settings(threads: Int) throws -> PlanSettings {
        let goal: PlanObjective =
            switch objective {
            case .mean: .meanNPV
            case .cvar: .meanNPVWithCVaRLimit(maxCVaR95USD: maxCvar!)
            case .loss: .meanNPVWithLossLimit(maxProbability: try RiskCommand.share(maxLoss!, option: "--max-loss", allowZero: true))
            case .blend: .riskAverse(lambda: lambda)
            }
        var settings = PlanSettings(
            trainingPaths: trainingPaths, evaluationPaths: paths, seed: options.seed, threads: parallel.threads, objective: goal,
            scheduleStepMonths: step, screeningPaths: screeningPaths, leastSquaresPaths: leastSquaresPaths,
            comparisonPaths: comparisonPaths)
        settings.materiality = try RiskCommand.share(materiality, option: "--materiality", allowZero: true)
        return settings
    }

    /// Shows the planner's phases on stderr (when it is a terminal).
    static func progress(_ showProgress: Bool) -> (progress: (Planner.PlanProgress) -> Void, finish: () -> Void) {
        final class State {
            var bar: ProgressBar?
            var phase = ""
        }
        let state = State()
        let units = [
            "fixed schedules": "candidates", "trigger rules": "candidates", "least-squares Monte Carlo": "blocks",
            "contenders": "rounds", "re-scoring on fresh paths": "policies",
        ]
        return (
            { p in
                guard showProgress else { return }
                if p.phase != state.phase {
                    state.bar?.finish()
                    state.phase = p.phase
                    state.bar = ProgressBar(
                        enabled: true, unit: units[p.phase] ?? "steps", label: "plan: \(p.phase)\(p.phase == "trigger rules" ? " (the total is a bound)" : "")")
                }
                state.bar?.update(p.done, of: p.total)
            },
            { state.bar?.finish() }
        )
    }

    func run() throws {
        if stage == .train, let shard, let shardFile { return try runTrainingShard(shard, to: shardFile) }
        if stage == .train, let trainingFile { return try runTraining(to: trainingFile) }
        if let trainingFile { return try runFromTraining(trainingFile) }
        let base = try options.load()
        try options.checkOutputs(inputs: base.dataFiles)
        let settings = try settings(threads: parallel.threads)
        noteCombinations(base)
        let (progress, finish) = Self.progress(parallel.showProgress)
        let result = try Planner.plan(scenario: base, settings: settings, progress: progress)
        finish()
        try Self.writeOutputs(
            result, scenario: base, settings: settings, xlsx: options.xlsx, json: options.json, force: options.force, info: options.runInfo,
            showProgress: parallel.showProgress)
    }

    func noteCombinations(_ base: Scenario) {
        let combinations = base.conversions.reduce(1) { $0 * max(1, $1.sizeOptions.count) }
        if combinations > 8 {
            FileHandle.standardError.write(
                Data("note: \(combinations) combinations of block sizes: the fixed-schedule search runs at each of them, so the plan takes longer\n".utf8))
        }
    }

    /// The search alone, written to a training file.
    func runTraining(to file: String) throws {
        let base = try options.load()
        try OutputPaths.check([file], replace: options.force, inputs: (options.scenario.map { [$0] } ?? []) + base.dataFiles)
        let settings = try settings(threads: parallel.threads)
        noteCombinations(base)
        let (progress, finish) = Self.progress(parallel.showProgress)
        let training = try Planner.train(scenario: base, settings: settings, progress: progress)
        finish()
        try Self.writeTraining(training, manifest: try trainingManifest(base, settings: settings), to: file, force: options.force, scenario: base)
    }

    /// The manifest of this command's training (its settings with 1 thread: the threads
    /// do not change a plan).
    func trainingManifest(_ base: Scenario, settings: PlanSettings) throws -> PlanTrainingManifest {
        var kept = settings
        kept.threads = 1
        var manifest = PlanTrainingManifest(
            version: Switchyard.version, scenarioName: base.name, scenarioYAML: try ScenarioExport.yaml(base), baseDirectory: options.baseDirectory,
            settings: kept, command: CommandLine.arguments.dropFirst().joined(separator: " "))
        manifest.dataDigest = base.dataDigest
        return manifest
    }

    /// Writes a training file (`plan --stage train` and the merge of training shards).
    static func writeTraining(_ training: PlanTraining, manifest: PlanTrainingManifest, to file: String, force: Bool, scenario base: Scenario) throws {
        let outputs = OutputSet(replace: force)
        let data = try PlanTrainingFile.encode(manifest: manifest, training: training)
        try outputs.produce(at: file) { temporary in try data.write(to: URL(fileURLWithPath: temporary)) }
        try outputs.commit()
        let winner = training.winner
        let settings = manifest.settings
        print(TextFormat.wrap("""
            \(base.name) — plan training on \(TextFormat.grouped(Double(settings.trainingPaths))) paths (seed \(settings.seed)): \(training.candidates.count) candidates
            In sample, the recommended policy: \(winner.policy.describe(for: winner.sizedScenario(base))) Mean NPV \(TextFormat.money(winner.npv.mean)) (training paths; optimistic by selection).
            Next: re-score it on \(TextFormat.grouped(Double(settings.evaluationPaths))) fresh paths: 'switchyard plan --training-file \(file) --shard K/N --shard-file S' for K = 1..N, then 'switchyard merge S...'.
            wrote \(file)
            """))
    }

    /// One shard of a training: the search, then its share of the last round.
    func runTrainingShard(_ text: String, to file: String) throws {
        let base = try options.load()
        let (k, n) = try RiskCommand.shardNumbers(text, paths: trainingPaths)
        try OutputPaths.check([file], replace: options.force, inputs: (options.scenario.map { [$0] } ?? []) + base.dataFiles)
        let settings = try settings(threads: parallel.threads)
        noteCombinations(base)
        let (progress, finish) = Self.progress(parallel.showProgress)
        let (slice, state) = try Planner.trainShard(scenario: base, settings: settings, shard: k - 1, of: n, progress: progress)
        finish()
        let manifest = PlanTrainShardManifest(training: try trainingManifest(base, settings: settings), shard: k, shards: n, slice: slice)
        let outputs = OutputSet(replace: options.force)
        let data = try PlanTrainShardFile.encode(manifest: manifest, slice: slice, state: state)
        try outputs.produce(at: file) { temporary in try data.write(to: URL(fileURLWithPath: temporary)) }
        try outputs.commit()
        let range = slice.count > 0 ? "training paths \(slice.first) to \(slice.first + slice.count - 1)" : "no training paths (the last round has fewer than shards)"
        print("training shard \(k) of \(n): the search, then its last round on \(range) of \(settings.trainingPaths) (seed \(settings.seed)); wrote \(file)")
    }

    /// The fresh-path stage from a training file: one shard, or the whole plan.
    func runFromTraining(_ file: String) throws {
        let (manifest, training, digest, scenario) = try PlanTrainingFile.open(path: file)
        var settings = manifest.settings
        settings.threads = parallel.threads
        let (progress, finish) = Self.progress(parallel.showProgress)
        guard let shard, let shardFile else {
            try options.checkOutputs(inputs: [file] + scenario.dataFiles)
            let runs = try Planner.rescore(training, scenario: scenario, settings: settings, first: 0, count: settings.evaluationPaths, progress: progress)
            finish()
            let result = Planner.finish(training, scenario: scenario, settings: settings, runs: [runs])
            return try Self.writeOutputs(
                result, scenario: scenario, settings: settings, xlsx: options.xlsx, json: options.json, force: options.force,
                info: options.runInfo, showProgress: parallel.showProgress)
        }
        let (k, n) = try RiskCommand.shardNumbers(shard, paths: settings.evaluationPaths)
        try OutputPaths.check([shardFile], replace: options.force, inputs: [file] + scenario.dataFiles)
        let range = RiskRunner.shardRange(k: k - 1, of: n, paths: settings.evaluationPaths)
        let runs = try Planner.rescore(training, scenario: scenario, settings: settings, first: range.lowerBound, count: range.count, progress: progress)
        finish()
        let shardManifest = PlanShardManifest(
            version: Switchyard.version, trainingFile: URL(fileURLWithPath: file).standardizedFileURL.path, trainingDigest: digest,
            evaluationPaths: settings.evaluationPaths, shard: k, shards: n, command: CommandLine.arguments.dropFirst().joined(separator: " "))
        let outputs = OutputSet(replace: options.force)
        let data = try PlanShardFile.encode(manifest: shardManifest, runs: runs)
        try outputs.produce(at: shardFile) { temporary in try data.write(to: URL(fileURLWithPath: temporary)) }
        try outputs.commit()
        print("plan shard \(k) of \(n): fresh paths \(range.lowerBound) to \(range.upperBound - 1) of \(settings.evaluationPaths) (seed \(settings.seed)); wrote \(shardFile)")
    }

    /// Prints the plan and writes its workbook and JSON, renamed into place together
    /// (`plan` and `merge` alike).
    static func writeOutputs(
        _ result: PlanResult, scenario base: Scenario, settings: PlanSettings, xlsx: String?, json: String?, force: Bool,
        info: XLSXReport.RunInfo, showProgress: Bool
    ) throws {
        let sheet = PlanReport.sheet(result, scenario: base)
        print(PlanReport.text(result, sheet))
        // Both outputs written first, then renamed into place together.
        let outputs = OutputSet(replace: force)
        if let xlsx {
            let decision = try PlanReport.decision(result, sheet, scenario: base, settings: settings, showProgress: showProgress)
            try outputs.produce(at: xlsx) { temporary in
                try XLSXReport.writePlan(sheet, scenario: base, decision: decision, info: info, to: temporary, replace: true)
            }
        }
        if let json { try outputs.write(JSONSummary.plan(sheet, version: Switchyard.version), to: json) }
        try outputs.commit()
        for written in [xlsx, json].compactMap({ $0 }) { print("wrote \(written)") }
    }
}

enum PlanReport {
    static func row(_ label: String, _ s: PolicyScore, scenario: Scenario) -> PlanSheet.Row {
        var row = baseRow(label, s, scenario: scenario)
        row.probabilityCashOut = s.probabilityCashOut
        row.paths = s.npvs.count
        return row
    }

    /// "3 MW of hall B" (blocks joined by " + ").
    static func sizeLabel(_ sizes: [Double], scenario: Scenario) -> String {
        zip(sizes, scenario.conversions).map { "\(Planner.mw($0)) MW of hall \($1.hall)" }.joined(separator: " + ")
    }

    static func baseRow(_ label: String, _ s: PolicyScore, scenario: Scenario) -> PlanSheet.Row {
        PlanSheet.Row(
            label: label, policy: s.policy.describe(for: s.sizedScenario(scenario)), meanNPVUSD: s.npv.mean, standardErrorUSD: s.npv.standardError,
            ci95LowUSD: s.npv.confidenceInterval95.lowerBound, ci95HighUSD: s.npv.confidenceInterval95.upperBound,
            cvar95USD: s.npv.conditionalValueAtRisk95, probabilityOfLoss: s.npv.probabilityOfLoss,
            convertedShare: s.convertedShare, startMonthP50: s.startMonthPercentiles?[1],
            versusNever: s.incremental.map { i in
                var mirr: Double?
                if case .notMeaningful(_, let m) = i.rateOfReturn { mirr = m }
                return PlanSheet.VersusNever(
                    meanUSD: i.npv.mean, standardErrorUSD: i.npv.standardError, p5USD: i.npv.percentile(0.05)!,
                    p50USD: i.npv.percentile(0.5)!, p95USD: i.npv.percentile(0.95)!, probabilityWorse: i.probabilityWorse,
                    irr: i.rateOfReturn.value, irrNote: i.rateOfReturn.description, mirr: mirr, paybackMonth: i.paybackMonth,
                    paybackShare: i.paybackShare, paybackMonthP50: i.paybackPercentiles?[1])
            })
    }

    /// The Decision sheet's data: the policies against never, breakevens, the timeline,
    /// and the inputs' fans from a run of "never" on (up to 1,000 of) the fresh paths.
    static func decision(
        _ r: PlanResult, _ sheet: PlanSheet, scenario: Scenario, settings: PlanSettings, showProgress: Bool
    ) throws -> DecisionView {
        var view = DecisionView()
        let policies: [(String, PolicyScore)] = [
            ("Recommended", r.recommended), ("Convert everything now", r.convertNow), ("Best fixed schedule", r.bestSchedule),
            ("Best trigger rule", r.bestTrigger), ("Least-squares Monte Carlo", r.leastSquares),
        ]
        view.differences = policies.map { name, score in (name, zip(score.npvs, r.never.npvs).map { $0 - $1 }) }
        view.cumulativeCash = r.recommendedCumulativeCash
        view.monthLabels = sheet.monthLabels
        view.breakevens = DecisionView.breakevens(scenario)
        view.hasGPUs = XLSXReport.hasGPUs(scenario)
        view.timeline = r.recommended.sizedScenario(scenario).conversions.enumerated().map { k, c in
            let (share, p) = r.recommended.converted(block: k)
            var gpuCapex = 0.0
            if case .gpuCloud(let gpus) = c.target, let gpu = scenario.gpuCloud?.gpu { gpuCapex = Double(gpus) * gpu.priceUSD }
            return DecisionView.Block(
                name: "Block \(k + 1)", hall: c.hall, megawatts: c.megawatts, capexUSD: c.capexUSD + gpuCapex, convertedShare: share,
                decisionMonthP50: p?[1], leadTimeMonths: c.leadTimeMonths)
        }
        let paths = min(settings.evaluationPaths, 1_000)
        let bar = ProgressBar(enabled: showProgress, unit: "paths", label: "plan: input fans")
        let run = try RiskRunner.run(
            scenario: ConversionPolicy.never.apply(to: scenario),
            settings: RiskSettings(paths: paths, seed: settings.evaluationSeed, threads: settings.threads)
        ) { bar.update($0, of: $1) }
        bar.finish()
        view.markets = run.months
        view.marketPaths = paths
        return view
    }

    /// The fitted trigger and least-squares rules, for applying them outside the tool.
    static func rules(_ r: PlanResult, scenario: Scenario) -> (PlanSheet.TriggerRule?, PlanSheet.LeastSquaresRule?) {
        var trigger: PlanSheet.TriggerRule?
        if case .trigger(let t) = r.bestTrigger.policy {
            trigger = PlanSheet.TriggerRule(
                signal: t.signal == .hashprice ? "hashprice" : "miningMargin", unit: t.unit, below: t.below, forDays: t.forDays,
                earliestMonth: t.earliestMonth, latestMonth: t.latestMonth)
        }
        var ls: PlanSheet.LeastSquaresRule?
        if case .leastSquares(let rule) = r.leastSquares.policy {
            ls = PlanSheet.LeastSquaresRule(
                regressors: Planner.regressorNames, months: rule.months,
                stages: rule.stages.enumerated().map { k, stage in
                    PlanSheet.LeastSquaresRule.Stage(
                        block: "Block \(k + 1) (hall \(scenario.conversions[k].hall))", exercise: stage.exercise,
                        continuation: stage.continuation)
                })
        }
        return (trigger, ls)
    }

    /// The recommended policy's start months, block by block.
    static func conversionMonths(_ r: PlanResult, scenario: Scenario) -> [PlanSheet.BlockStarts] {
        r.recommended.sizedScenario(scenario).conversions.enumerated().map { k, c in
            let starts = r.recommended.starts(ofBlock: k)
            var shares = [Double](repeating: 0, count: scenario.horizonMonths)
            for case let m? in starts where m >= 1 && m <= shares.count { shares[m - 1] += 1 / Double(starts.count) }
            let (share, p) = r.recommended.converted(block: k)
            return PlanSheet.BlockStarts(
                block: "Block \(k + 1) (\(Planner.mw(c.megawatts)) MW, hall \(c.hall))",
                convertedShare: share, p10: p?[0], p50: p?[1], p90: p?[2], shareByMonth: shares)
        }
    }

    static func sheet(_ r: PlanResult, scenario: Scenario) -> PlanSheet {
        var sheet = PlanSheet(
            scenario: r.scenarioName, seed: r.settings.seed, trainingPaths: r.settings.trainingPaths,
            evaluationPaths: r.settings.evaluationPaths, objective: r.settings.objective.description,
            recommendation: r.recommendation,
            policies: [
                row("Recommended", r.recommended, scenario: scenario),
                row("Never convert", r.never, scenario: scenario),
                row("Convert everything now", r.convertNow, scenario: scenario),
                row("Best fixed schedule", r.bestSchedule, scenario: scenario),
                row("Best trigger rule", r.bestTrigger, scenario: scenario),
                row("Least-squares Monte Carlo", r.leastSquares, scenario: scenario),
            ],
            recommendedInSampleMeanNPVUSD: r.recommendedInSample.npv.mean,
            valueOfFlexibilityUSD: r.valueOfFlexibility.mean, valueOfFlexibilitySEUSD: r.valueOfFlexibility.standardError,
            candidates: r.candidates.map {
                PlanSheet.Candidate(
                    policy: $0.policy.describe(for: $0.sizedScenario(scenario)), meanNPVUSD: $0.npv.mean, objective: $0.objective,
                    feasible: $0.feasible, paths: $0.npvs.count)
            })
        for k in sheet.policies.indices where sheet.policies[k].paths < r.recommended.npvs.count {
            let same = r.recommended.npvs.prefix(sheet.policies[k].paths)
            sheet.policies[k].recommendedOnSamePathsUSD = same.reduce(0, +) / Double(max(1, same.count))
        }
        sheet.conversionMonths = conversionMonths(r, scenario: scenario)
        sheet.sizes = r.sizeChoices.map { c in
            var row = PlanSheet.SizeRow(
                sizes: sizeLabel(c.sizes, scenario: scenario), megawatts: c.sizes,
                schedule: c.bestSchedule.policy.describe(for: c.bestSchedule.sizedScenario(scenario)),
                meanNPVUSD: c.bestSchedule.npv.mean, standardErrorUSD: c.bestSchedule.npv.standardError,
                differenceUSD: c.difference?.mean, differenceSEUSD: c.difference?.standardError)
            row.objective = c.bestSchedule.objective
            row.feasible = c.bestSchedule.feasible
            return row
        }
        sheet.rounds = r.rounds.map { PlanSheet.Round(paths: $0.paths, candidates: $0.candidates) }
        (sheet.screeningPaths, sheet.leastSquaresPaths, sheet.comparisonPaths) =
            (r.settings.screeningPaths, r.settings.leastSquaresPaths, r.settings.comparisonPaths)
        sheet.materiality = r.settings.materiality
        sheet.selection = r.selection
        var hurdle = String(format: "the discount rate is %.1f%%", scenario.discountRatePerYear * 100)
        if let rc = scenario.finance.contractDiscountRatePerYear {
            hurdle += String(format: ", %.1f%% on contracted rent and leases' value at the horizon", rc * 100)
        }
        sheet.hurdle = hurdle
        sheet.flexibilityBaseline = r.flexibilityBaseline
        (sheet.triggerRule, sheet.leastSquaresRule) = rules(r, scenario: scenario)
        sheet.monthLabels = (1...scenario.horizonMonths).map { Scenario.monthLabel(scenario.startMonth, month: $0) }
        return sheet
    }

    static func text(_ r: PlanResult, _ s: PlanSheet) -> String {
        let money = TextFormat.money
        func month(_ m: Double) -> String {
            let k = Int(m.rounded())
            return "month \(k) (\(Scenario.monthLabel(r.scenarioStartMonth, month: k)))"
        }
        var lines = [
            "\(r.scenarioName) — plan (\(r.settings.objective)), \(TextFormat.grouped(Double(r.settings.trainingPaths))) training paths, \(TextFormat.grouped(Double(r.settings.evaluationPaths))) fresh paths (\(TextFormat.grouped(Double(r.settings.comparisonPaths))) for the policies not recommended), seed \(r.settings.seed)",
            "",
            "Recommendation: \(r.recommendation)",
            "",
            "On the fresh paths (their number in brackets): mean NPV (95% CI) and CVaR95 as a loss (\(TextFormat.tailConvention)):",
        ]
        for p in s.policies {
            var cash = p.probabilityCashOut.map { "; cash runs out on \(TextFormat.percent($0)) of paths" } ?? ""
            if let same = p.recommendedOnSamePathsUSD { cash += " [the recommended policy on these paths: \(money(same))]" }
            lines.append(
                "  \(p.label) (\(TextFormat.grouped(Double(p.paths)))): \(money(p.meanNPVUSD)) (\(money(p.ci95LowUSD)) to \(money(p.ci95HighUSD))); CVaR95 \(TextFormat.conditionalValueAtRisk(p.cvar95USD, level: 95))\(cash)")
        }
        lines.append("")
        lines.append("Against never converting, on the same fresh paths (NPV difference):")
        for p in s.policies where p.label != "Never convert" {
            guard let v = p.versusNever else { continue }
            let payback = v.paybackMonth.map { "pays back in \(month(Double($0)))" } ?? "no payback within the horizon"
            lines.append(
                "  \(p.label): mean \(money(v.meanUSD)) (SE \(money(v.standardErrorUSD))), P5 \(money(v.p5USD)), P50 \(money(v.p50USD)), P95 \(money(v.p95USD)); worse on \(TextFormat.percent(v.probabilityWorse)) of paths; incremental IRR \(v.irr.map { TextFormat.percent($0) } ?? v.irrNote); \(payback)")
        }
        if !s.hurdle.isEmpty {
            lines.append("  (\(s.hurdle): an incremental IRR below it can still go with a positive NPV difference when part of the value is discounted at a lower rate)")
        }
        lines.append("")
        lines.append(
            "Value of flexibility (recommended - \(s.flexibilityBaseline), the better of never and now): \(money(s.valueOfFlexibilityUSD)) (SE \(money(s.valueOfFlexibilitySEUSD)))")
        if !s.selection.isEmpty { lines.append("Why this policy: \(s.selection)") }
        lines.append(
            "In-sample value of the recommended policy: \(money(s.recommendedInSampleMeanNPVUSD)) (training paths; optimistic by selection)")
        lines.append("")
        if !s.sizes.isEmpty {
            lines.append("How much: the best fixed schedule that converts, at each size, on the \(TextFormat.grouped(Double(r.settings.trainingPaths))) training paths (mean NPV; paired with the best size\(r.settings.objective == .meanNPV ? "" : ", ranked by the objective")):")
            for row in s.sizes {
                let against = row.differenceUSD.map { "; \(money($0)) against the best (SE \(money(row.differenceSEUSD ?? 0)))" } ?? " (best)"
                let objective = r.settings.objective == .meanNPV ? "" : "; objective \(money(row.objective))"
                lines.append("  \(row.sizes): \(money(row.meanNPVUSD))\(objective)\(row.feasible ? "" : " [infeasible: over the objective's limit]")\(against)")
            }
            if r.recommended.policy == .never,
                let never = r.candidates.first(where: { $0.policy == .never && $0.npvs.count == r.settings.trainingPaths })
            {
                lines.append("  Never converting: \(money(never.npv.mean)) on the same paths, the recommendation: no size pays.")
            }
            lines.append("")
        }
        lines.append("When the recommended policy converts (fresh paths):")
        for b in s.conversionMonths {
            let months = b.p50.map { _ in "; start P10 \(month(b.p10!)), P50 \(month(b.p50!)), P90 \(month(b.p90!))" } ?? ""
            lines.append("  \(b.block): converted on \(TextFormat.percent(b.convertedShare)) of paths" + months)
        }
        lines.append("")
        lines.append("Top candidates on the training paths (mean NPV, paths):")
        for c in s.candidates.prefix(8) {
            lines.append("  \(money(c.meanNPVUSD)) (\(TextFormat.grouped(Double(c.paths)))): \(c.feasible ? "" : "[infeasible] ")\(c.policy)")
        }
        let rounds = r.rounds.map { "\(TextFormat.grouped(Double($0.candidates))) on \(TextFormat.grouped(Double($0.paths))) paths" }
        lines.append(
            "(\(TextFormat.grouped(Double(s.candidates.count))) candidates, ranked by successive halving on common paths: \(rounds.joined(separator: ", then ")))")
        return TextFormat.wrap(lines.joined(separator: "\n"))
    }
}
