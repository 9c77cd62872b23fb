// SPDX-License-Identifier: GPL-3.0-or-later

import ArgumentParser
import Foundation
import SwitchyardModel
import SwitchyardReport

/// The scenario argument and the output options shared by simulate, risk and plan.
struct ScenarioOptions: ParsableArguments {
    @Argument(help: "Scenario file (YAML), or a Switchyard workbook (.xlsx) whose Inputs sheet holds one. Omit for the built-in reference site (Models/texas-200mw.yaml).")
    var scenario: String?

    @Option(parsing: .unconditional, help: "Random seed.")
    var seed: UInt64 = 1

    @Option(help: "Write an XLSX workbook (native charts, tables, defined names).")
    var xlsx: String?

    @Option(help: "Write a JSON summary for programs.")
    var json: String?

    @Flag(help: "Replace existing output files.")
    var force = false

    @Flag(help: "Ignore the scenario's valuation section: no value after the horizon (the truncated view).")
    var noTerminalValue = false

    /// The scenario file, or the built-in reference site; fully validated.
    func load() throws -> Scenario {
        let loaded = try adjust(scenario.map { try WorkbookScenario.loadAny(path: $0) } ?? ScenarioLoader.builtin())
        Self.noteFilledReplays(loaded)
        return loaded
    }

    /// Says on stderr how many periods each replay carried forward (`fill: previous`).
    static func noteFilledReplays(_ s: Scenario) {
        let replays: [(String, Replay?)] = [
            ("bitcoin.price", s.bitcoin.priceReplay), ("bitcoin.fees", s.bitcoin.feesReplay),
            ("electricity.market", s.electricity.market.replay), ("gpuCloud.price", s.gpuCloud?.priceReplay),
        ]
        for case let (field, replay?) in replays where replay.filledPeriods > 0 {
            let unit = replay.periodHours == 1 ? "hour(s)" : "day(s)"
            FileHandle.standardError.write(
                Data("note: \(field).replay \(replay.file): \(replay.filledPeriods) missing \(unit) carried forward (fill: previous)\n".utf8))
        }
    }

    /// A scenario as the options say to run it (`--no-terminal-value`).
    func adjust(_ loaded: Scenario) -> Scenario {
        var s = loaded
        if noTerminalValue { s.valuation = Valuation() }
        return s
    }

    /// Fails before any work if an output cannot be written: it exists and --force was
    /// not given, it is a folder or a device, its folder is missing or read-only, or two
    /// outputs are the same file.
    func checkOutputs(_ more: [String?] = [], inputs: [String] = []) throws {
        try OutputPaths.check(([xlsx, json] + more).compactMap { $0 }, replace: force, inputs: inputs, rewritable: scenario.map { [$0] } ?? [])
    }

    /// The folder the scenario's relative file references are read from, as an absolute
    /// path (nil: the built-in site), as shard and training files record it: a merge run
    /// from another folder reads the same replays and traces.
    var baseDirectory: String? {
        scenario.map { URL(fileURLWithPath: $0).deletingLastPathComponent().standardizedFileURL.path }
    }

    /// Identifies the run in workbooks.
    var runInfo: XLSXReport.RunInfo {
        .init(version: Switchyard.version, command: CommandLine.arguments.dropFirst().joined(separator: " "))
    }
}

/// Parallel Monte Carlo options shared by risk and plan.
struct ParallelOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: "Worker threads (default: all cores). Results do not depend on it.")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    @Flag(help: "No progress on stderr.")
    var quiet = false

    func validate() throws {
        guard threads > 0 else { throw ValidationError("--threads must be at least 1, got \(threads)") }
    }

    /// Progress goes to stderr only when it is a terminal and --quiet is not given.
    var showProgress: Bool { !quiet && isatty(STDERR_FILENO) != 0 }
}
