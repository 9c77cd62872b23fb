// SPDX-License-Identifier: GPL-3.0-or-later

import ArgumentParser
import Foundation
import SwitchyardReport

@main
struct Switchyard: ParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "switchyard",
        abstract: "Capacity planning for power-constrained compute sites: when to convert Bitcoin mining to AI.",
        discussion: """
            Run a command on a scenario file (YAML, or a workbook whose Inputs sheet holds one) and open the CSV/XLSX it writes.
            See README.md for a tour of the commands and the scenario file reference.
            """,
        version: version,
        subcommands: [PlanCommand.self, SimulateCommand.self, RiskCommand.self, MergeCommand.self, CalibrateCommand.self, ScenarioCommand.self, VersionCommand.self]
    )

    /// SIGINT and SIGTERM remove unfinished outputs' temporary files before exiting; a
    /// trap (a bug) exits 70 with one line asking for a report instead of a bare crash
    /// (set SWITCHYARD_BACKTRACE=1 to get the Swift runtime's backtrace instead).
    static func main() {
        OutputSet.installSignalCleanup()
        if ProcessInfo.processInfo.environment["SWITCHYARD_BACKTRACE"] == nil {
            for sig in [SIGILL, SIGTRAP, SIGSEGV, SIGBUS, SIGFPE] { signal(sig, internalError) }
        }
        // A test hook: a deliberate trap, to check what a user would see.
        if ProcessInfo.processInfo.environment["SWITCHYARD_TEST_TRAP"] == "1" { preconditionFailure("test trap") }
        main(nil)
    }
}

/// Writes one line and exits 70. It runs in a signal context: a literal static string,
/// written without allocating.
private func internalError(_ signal: Int32) {
    let message: StaticString =
        "switchyard: internal error (exit 70): this is a bug; please report it with the command line and the scenario file\n"
    _ = write(2, message.utf8Start, message.utf8CodeUnitCount)
    _exit(70)
}
