// SPDX-License-Identifier: GPL-3.0-or-later

import ArgumentParser
import SwitchyardReport
import SwitchyardStochastic

/// Prints the version of Switchyard and of the C libraries it links.
struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "version",
        abstract: "Print the versions of Switchyard, GSL and libxlsxwriter."
    )

    func run() {
        print("switchyard \(Switchyard.version)")
        print("GNU GSL \(StochasticLibrary.gslVersion)")
        print("libxlsxwriter \(ReportLibrary.xlsxwriterVersion)")
    }
}
