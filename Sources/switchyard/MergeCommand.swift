// SPDX-License-Identifier: GPL-3.0-or-later

import ArgumentParser
import Foundation
import SwitchyardModel
import SwitchyardReport
import SwitchyardRisk

/// `switchyard merge SHARD... --csv DIR --xlsx F --json F`: the outputs of a sharded
/// risk run, byte for byte those of the same run on one machine.
struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Merge the shard files of a sharded risk run into its outputs.",
        discussion: """
            Each shard comes from 'switchyard risk SCENARIO --paths P --seed S --shard K/N
            --shard-file FILE' (K from 1 to N, e.g. one Slurm array task each). The shards
            must come from the same version, scenario, seed, paths and N, each shard
            exactly once: merge names any that is missing, given twice or from another
            run. The outputs are byte-identical to 'switchyard risk SCENARIO --paths P
            --seed S' on one machine (the workbook's cell recording the command line
            differs). Shards are read one at a time, in order.
            """
    )

    @Argument(help: "The shard files (any order).")
    var shards: [String]

    @Option(help: "Write paths.csv, monthly.csv, yearly.csv and summary.csv to this folder.")
    var csv: String?

    @Option(help: "Write an XLSX workbook.")
    var xlsx: String?

    @Option(help: "Write a JSON summary for programs.")
    var json: String?

    @Flag(help: "Replace existing output files.")
    var force = false

    @OptionGroup var parallel: ParallelOptions

    func validate() throws {
        guard !shards.isEmpty else { throw ValidationError("merge needs the shard files") }
    }

    func run() throws {
        var manifests: [(path: String, manifest: RiskShardManifest)] = []
        for path in shards { manifests.append((path, try RiskShardFile.manifest(path: path))) }
        let ordered = try RiskShardFile.check(manifests)
        let m = ordered[0].manifest
        let scenario = try ScenarioLoader.load(yaml: m.scenarioYAML, file: "\(ordered[0].path) (its scenario)", baseDirectory: m.baseDirectory)
        let csvFiles = csv.map { dir in ["paths.csv", "monthly.csv", "yearly.csv", "summary.csv"].map { (dir as NSString).appendingPathComponent($0) } } ?? []
        try RiskCommand.prepareCSVFolder(csv)
        try OutputPaths.check(([xlsx, json].compactMap { $0 }) + csvFiles, replace: force, inputs: shards)
        let settings = RiskSettings(paths: m.paths, seed: m.seed, threads: parallel.threads)
        // One shard in memory at a time, checked to follow the one before.
        var failure: RiskShardError?
        var next = 0
        let batches = ordered.lazy.compactMap { item -> [RiskRunner.PathRecord]? in
            guard failure == nil else { return nil }
            do {
                let (manifest, records) = try RiskShardFile.read(path: item.path)
                guard manifest == item.manifest, manifest.first == next, records.first.map({ Int($0.outcome.path) == next }) ?? true else {
                    failure = RiskShardError("\(item.path): its paths do not follow the shard before it (expected path \(next) first)")
                    return nil
                }
                next += records.count
                return records
            } catch {
                failure = (error as? RiskShardError) ?? RiskShardError("\(item.path): \(error)")
                return nil
            }
        }
        let result = RiskRunner.merge(scenario: scenario, settings: settings, records: batches)
        if let failure { throw failure }
        guard result.paths.count == m.paths else { throw RiskShardError("merge: the shards hold \(result.paths.count) paths, not \(m.paths)") }
        print(RiskReport.text(result, scenario: scenario))
        try RiskCommand.writeOutputs(
            result, scenario: scenario, tornado: nil, comparison: nil, csv: csv, xlsx: xlsx, json: json, force: force,
            info: .init(version: Switchyard.version, command: CommandLine.arguments.dropFirst().joined(separator: " ")))
    }
}
