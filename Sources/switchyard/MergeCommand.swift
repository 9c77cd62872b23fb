// SPDX-License-Identifier: GPL-3.0-or-later

import ArgumentParser
import Foundation
import SwitchyardModel
import SwitchyardPlanner
import SwitchyardReport
import SwitchyardRisk

/// `switchyard merge SHARD... --csv DIR --xlsx F --json F`: the outputs of a sharded
/// risk run, byte for byte those of the same run on one machine.
struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Merge the shard files of a sharded risk run or plan into its outputs.",
        discussion: """
            Each shard comes from 'switchyard risk SCENARIO --paths P --seed S --shard K/N
            --shard-file FILE' (K from 1 to N, e.g. one Slurm array task each). The shards
            must come from the same version, scenario, seed, paths and N, each shard
            exactly once: merge names any that is missing, given twice or from another
            run. The outputs are byte-identical to 'switchyard risk SCENARIO --paths P
            --seed S' on one machine (the workbook's cell recording the command line
            differs). Shards are read one at a time, in order.

            Shards of 'risk --tornado' (and --swing) or '--compare OTHER' also hold
            each path's NPV under every tornado variant and under OTHER, so the tornado
            and the comparison merge byte for byte too; all shards must agree on them.

            Plan shards come from 'switchyard plan --training-file T --shard K/N
            --shard-file FILE', after 'switchyard plan SCENARIO ... --stage train
            --training-file T'. Their merge reads T (the path the shards recorded, or
            --training-file) and writes the plan's --xlsx and --json, byte for byte
            those of 'switchyard plan SCENARIO ...' on one machine.

            Training shards come from 'switchyard plan SCENARIO ... --stage train --shard
            K/N --shard-file FILE': each runs the search up to its last round (the same
            in every shard), then its share of that round. Their merge (--training-file
            T, required) completes the training from the search's state and the shares
            and writes T: the training 'plan --stage train' would write.
            """
    )

    @Argument(help: "The shard files (any order).")
    var shards: [String]

    @Option(help: "Risk shards: write paths.csv, monthly.csv, yearly.csv and summary.csv (and sensitivity.csv for a tornado) to this folder.")
    var csv: String?

    @Option(help: "Write an XLSX workbook.")
    var xlsx: String?

    @Option(help: "Write a JSON summary for programs.")
    var json: String?

    @Flag(help: "Replace existing output files.")
    var force = false

    @Option(help: "Plan shards: the training file they were scored for (default: the path each shard recorded). Training shards: the training file to write.")
    var trainingFile: String?

    @OptionGroup var parallel: ParallelOptions

    func validate() throws {
        guard !shards.isEmpty else { throw ValidationError("merge needs the shard files") }
    }

    func run() throws {
        for path in shards {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
                FileManager.default.isReadableFile(atPath: path)
            else { throw RiskShardError("\(path): cannot be read (no such file, or not a file)") }
        }
        let kinds = shards.map { PlanShardFile.kind(path: $0) ?? "not a shard" }
        if Set(kinds).count > 1 {
            let listed = zip(shards, kinds).map { "\($0) (\($1))" }.joined(separator: ", ")
            throw RiskShardError("cannot merge: the files are of different kinds: \(listed); merge one run at a time")
        }
        switch kinds.first {
        case "plan shard": return try mergePlan()
        case "plan training shard": return try mergeTraining()
        case "plan training file":
            throw RiskShardError("\(shards[0]) is a plan's training file: merge its fresh-path shards, with --training-file \(shards[0]) if they moved")
        default: break
        }
        var manifests: [(path: String, manifest: RiskShardManifest)] = []
        for path in shards { manifests.append((path, try RiskShardFile.manifest(path: path))) }
        guard trainingFile == nil else { throw RiskShardError("merge: --training-file goes with plan shards; these are risk shards") }
        let ordered = try RiskShardFile.check(manifests)
        let m = ordered[0].manifest
        let scenario = try ScenarioLoader.load(yaml: m.scenarioYAML, file: "\(ordered[0].path) (its scenario)", baseDirectory: m.baseDirectory)
        guard scenario.dataDigest == m.dataDigest else {
            throw RiskShardError("\(ordered[0].path): a replay or trace file of its scenario changed after the shards ran (data digest \(scenario.dataDigest), not \(m.dataDigest)): re-run the shards")
        }
        // The tornado's variants as the shards ran them (the same inputs, in order).
        let variants = m.tornadoSwing.map { RiskRunner.tornadoVariants(scenario: scenario, swing: $0) } ?? []
        if let inputs = m.tornadoInputs, inputs != variants.map(\.bar.input) {
            throw RiskShardError("\(ordered[0].path): its tornado inputs (\(inputs.joined(separator: ", "))) are not this version's")
        }
        let tornado = m.tornadoInputs != nil
        let csvFiles = csv.map { dir in
            (["paths.csv", "monthly.csv", "yearly.csv", "summary.csv"] + (tornado ? ["sensitivity.csv"] : [])).map {
                (dir as NSString).appendingPathComponent($0)
            }
        } ?? []
        try RiskCommand.prepareCSVFolder(csv)
        try OutputPaths.check(([xlsx, json].compactMap { $0 }) + csvFiles, replace: force, inputs: shards)
        let settings = RiskSettings(paths: m.paths, seed: m.seed, threads: parallel.threads)
        // One shard in memory at a time, checked to follow the one before.
        var next = 0
        // The tornado's sums and the compared scenario's NPVs, in path order (the single
        // run's order of addition).
        var lowSums = [Double](repeating: 0, count: variants.count)
        var highSums = lowSums
        var otherNPVs: [Double] = []
        var years: Int?
        var remaining = ordered[...]
        let result = try RiskRunner.merge(scenario: scenario, settings: settings) { () throws -> [RiskRunner.PathRecord]? in
            guard let item = remaining.popFirst() else { return nil }
            let (manifest, records, extras) = try RiskShardFile.read(path: item.path)
            guard manifest == item.manifest, manifest.first == next else {
                throw RiskShardError("\(item.path): its paths do not follow the shard before it (expected path \(next) first)")
            }
            for (i, record) in records.enumerated() {
                guard Int(exactly: record.outcome.path) == next + i else { throw RiskShardError("\(item.path): record \(i + 1) is not path \(next + i)") }
                years = years ?? record.years.count
                if let problem = RiskShardFile.problem(in: record, months: scenario.horizonMonths, years: years!) {
                    throw RiskShardError("\(item.path): record \(i + 1): \(problem)")
                }
            }
            next += records.count
            for more in extras {
                guard more.allSatisfy({ $0.isFinite && abs($0) <= 1e15 }) else {
                    throw RiskShardError("\(item.path): a tornado or comparison NPV is not finite or is beyond 1e15")
                }
                for k in variants.indices {
                    lowSums[k] += more[2 * k]
                    highSums[k] += more[2 * k + 1]
                }
                if m.compareName != nil { otherNPVs.append(more[2 * variants.count]) }
            }
            return records
        }
        guard result.paths.count == m.paths else { throw RiskShardError("merge: the shards hold \(result.paths.count) paths, not \(m.paths)") }
        print(RiskReport.text(result, scenario: scenario))
        var bars: [TornadoBar]?
        if tornado {
            let n = Double(m.paths)
            bars = RiskRunner.tornadoBars(variants, means: zip(lowSums, highSums).map { ($0 / n, $1 / n) })
            print(RiskReport.tornado(bars!, baseMeanNPV: result.npv.mean))
        }
        let comparison = m.compareName.map {
            RiskRunner.comparison(baseName: scenario.name, otherName: $0, base: result.paths.map(\.npvUSD), other: otherNPVs)
        }
        if let comparison { print(RiskReport.comparison(comparison)) }
        try RiskCommand.writeOutputs(
            result, scenario: scenario, tornado: bars, comparison: comparison, csv: csv, xlsx: xlsx, json: json, force: force,
            info: .init(version: Switchyard.version, command: CommandLine.arguments.dropFirst().joined(separator: " ")))
    }

    /// The plan of fresh-path shards and their training file.
    func mergePlan() throws {
        guard csv == nil else { throw RiskShardError("merge: --csv is for risk shards: a plan writes --xlsx and --json") }
        var manifests: [(path: String, manifest: PlanShardManifest)] = []
        for path in shards { manifests.append((path, try PlanShardFile.manifest(path: path))) }
        let ordered = try PlanShardFile.check(manifests)
        let m = ordered[0].manifest
        let trainingPath = trainingFile ?? m.trainingFile
        let (trained, training, digest, scenario) = try PlanTrainingFile.open(path: trainingPath)
        guard digest == m.trainingDigest else {
            throw RiskShardError(
                "\(trainingPath) is not the training the shards were scored for (its digest is \(digest), theirs \(m.trainingDigest)): give that file with --training-file, or re-run the shards")
        }
        var settings = trained.settings
        settings.threads = parallel.threads
        guard settings.evaluationPaths == m.evaluationPaths else {
            throw RiskShardError("\(ordered[0].path): \(m.evaluationPaths) fresh paths; the training has \(settings.evaluationPaths)")
        }
        try OutputPaths.check([xlsx, json].compactMap { $0 }, replace: force, inputs: shards + [trainingPath])
        var parts: [PlanFreshRuns] = []
        for item in ordered {
            let (manifest, runs) = try PlanShardFile.read(path: item.path)
            guard manifest == item.manifest else { throw RiskShardError("\(item.path): changed while merging") }
            if let problem = Planner.checkShard(runs, count: manifest.count, training: training, scenario: scenario, settings: settings) {
                throw RiskShardError("\(item.path): \(problem)")
            }
            parts.append(runs)
        }
        let result = Planner.finish(training, scenario: scenario, settings: settings, runs: parts)
        try PlanCommand.writeOutputs(
            result, scenario: scenario, settings: settings, xlsx: xlsx, json: json, force: force,
            info: .init(version: Switchyard.version, command: CommandLine.arguments.dropFirst().joined(separator: " ")),
            showProgress: parallel.showProgress)
    }

    /// The training file from training shards.
    func mergeTraining() throws {
        guard let trainingFile else { throw RiskShardError("merge: training shards merge into a training file: give --training-file FILE") }
        guard csv == nil, xlsx == nil, json == nil else {
            throw RiskShardError("merge: training shards merge into --training-file only; the plan's outputs come from merging its fresh-path shards")
        }
        var manifests: [(path: String, manifest: PlanTrainShardManifest)] = []
        for path in shards { manifests.append((path, try PlanTrainShardFile.manifest(path: path))) }
        let ordered = try PlanTrainShardFile.check(manifests)
        let m = ordered[0].manifest.training
        let scenario = try ScenarioLoader.load(yaml: m.scenarioYAML, file: "\(ordered[0].path) (its scenario)", baseDirectory: m.baseDirectory)
        guard scenario.dataDigest == m.dataDigest else {
            throw RiskShardError("\(ordered[0].path): a replay or trace file of its scenario changed after the shards ran: re-run them")
        }
        try OutputPaths.check([trainingFile], replace: force, inputs: shards)
        var slices: [PlanFinalSlice] = []
        var state: PlanSearchState?
        for item in ordered {
            let (manifest, slice, searched) = try PlanTrainShardFile.read(path: item.path)
            guard manifest == item.manifest else { throw RiskShardError("\(item.path): changed while merging") }
            slices.append(slice)
            state = state ?? searched
        }
        var settings = m.settings
        settings.threads = parallel.threads
        let training = try Planner.trainMerge(state!, slices: slices, settings: settings)
        if let problem = Planner.problem(in: training, for: scenario) { throw RiskShardError("\(ordered[0].path): \(problem)") }
        var manifest = m
        manifest.command = CommandLine.arguments.dropFirst().joined(separator: " ")
        try PlanCommand.writeTraining(training, manifest: manifest, to: trainingFile, force: force, scenario: scenario)
    }
}
