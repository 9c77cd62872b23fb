// SPDX-License-Identifier: GPL-3.0-or-later

import ArgumentParser
import Foundation
import SwitchyardModel
import SwitchyardReport

/// `switchyard scenario export`: a scenario (a YAML file, a workbook's Inputs sheet or
/// the built-in site) written out as a complete YAML scenario file.
struct ScenarioCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scenario",
        abstract: "Work with scenario files and the Inputs sheet of workbooks.",
        subcommands: [ExportCommand.self]
    )

    struct ExportCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "export",
            abstract: "Write a scenario (YAML file, workbook or built-in site) as a complete YAML scenario file.",
            discussion: """
                Every key is written, defaults included, with the catalogue entries the scenario uses inline \
                (catalog: asics/gpus), and file paths (replays, traces) made absolute. Loading the file gives the \
                same scenario, so an analyst can edit a workbook's Inputs sheet in Excel, export it and keep it \
                under version control:

                  switchyard scenario export out/plan.xlsx -o site.yaml
                """
        )

        @Argument(help: "Scenario file (YAML) or Switchyard workbook (.xlsx). Omit for the built-in reference site.")
        var source: String?

        @Option(name: [.short, .customLong("output")], help: "The YAML file to write ('-' for standard output).")
        var output: String

        @Flag(help: "Replace the output file if it exists.")
        var force = false

        func run() throws {
            let scenario = try source.map { try WorkbookScenario.loadAny(path: $0) } ?? ScenarioLoader.builtin()
            let header = """
                Switchyard scenario "\(scenario.name)", exported by switchyard \(Switchyard.version) from \(source ?? "the built-in reference site").
                Every key is listed, defaults included; see the README's scenario file reference.
                """
            let text = try ScenarioExport.yaml(scenario, header: header)
            if let source, output != "-" {
                // Never over its own input, even with --force: that would lose the workbook.
                let a = URL(fileURLWithPath: source).resolvingSymlinksInPath().standardizedFileURL.path
                let b = URL(fileURLWithPath: output).resolvingSymlinksInPath().standardizedFileURL.path
                if a == b { throw ValidationError("-o \(output) is the file being exported; write the YAML to another file") }
            }
            if output == "-" {
                print(text, terminator: "")
            } else {
                try OutputPaths.check([output], replace: force)
                try AtomicFile.write(text, to: output, replace: force)
                FileHandle.standardError.write(Data("wrote \(output)\n".utf8))
            }
        }
    }
}
