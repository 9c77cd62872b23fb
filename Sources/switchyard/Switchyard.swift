// SPDX-License-Identifier: GPL-3.0-or-later

import ArgumentParser
import SwitchyardReport

@main
struct Switchyard: ParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "switchyard",
        abstract: "Capacity planning for power-constrained compute sites: when to convert Bitcoin mining to AI.",
        discussion: """
            Run a command on a scenario file (YAML) and open the CSV/XLSX it writes.
            See README.md for a tour of the commands and the scenario file reference.
            """,
        version: version,
        subcommands: [PlanCommand.self, SimulateCommand.self, RiskCommand.self, CalibrateCommand.self, VersionCommand.self]
    )

    /// SIGINT and SIGTERM remove unfinished outputs' temporary files before exiting.
    static func main() {
        OutputSet.installSignalCleanup()
        main(nil)
    }
}
