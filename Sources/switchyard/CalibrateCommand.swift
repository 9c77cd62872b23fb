// SPDX-License-Identifier: GPL-3.0-or-later

public import ArgumentParser
import Foundation
import SwitchyardReport
import SwitchyardStochastic

extension CalibrationModel: ExpressibleByArgument {}

/// `switchyard calibrate FILE --model gbm|merton|ou`: fits a price process to a history.
struct CalibrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calibrate",
        abstract: "Fit a price process (GBM, Merton jump diffusion, OU) to a price history CSV.",
        discussion: """
            The CSV needs a header row, a date column (ISO dates, increasing) and a value
            column. Rows with a missing, non-numeric or non-positive value are listed with
            their line numbers; the fit refuses to run until the file is fixed or
            --skip-bad-rows is given (a return then spans the gap).

            gbm and merton fit log returns; ou fits the log of the values (a mean-reverting
            log price, as used for electricity). Parameters are annualised with
            --periods-per-year (365 for daily data that trades every day, 252 for exchange
            trading days, 8760 for hourly power prices).
            """
    )

    @Argument(help: "The price history (CSV).")
    var file: String

    @Option(help: "The model to fit.")
    var model: CalibrationModel = .gbm

    @Option(help: "The value column.")
    var column: String = "Close"

    @Option(help: "The date column (used to check the row order; may be absent).")
    var dateColumn: String = "Date"

    @Option(help: "Observations per year, to annualise the parameters.")
    var periodsPerYear: Double = 365

    @Flag(help: "Skip rows without a usable value (they are still listed).")
    var skipBadRows = false

    @Option(help: "Also write the parameters as a YAML fragment for a scenario file.")
    var yaml: String?

    @Flag(help: "Replace an existing --yaml file.")
    var force = false

    func validate() throws {
        guard periodsPerYear.isFinite, periodsPerYear > 0 else {
            throw ValidationError("--periods-per-year must be a positive number, got \(periodsPerYear)")
        }
    }

    func run() throws {
        let history = try PriceHistory(
            contentsOf: file, column: column, dateColumn: dateColumn, skipBadRows: skipBadRows)
        if !history.skippedRows.isEmpty {
            var message = "\(file): skipped \(history.skippedRows.count) row(s) without a usable '\(column)':\n"
            for row in history.skippedRows { message += "  \(row)\n" }
            FileHandle.standardError.write(Data(message.utf8))
        }
        let result: CalibrationResult =
            switch model {
            case .gbm: try Calibration.fitGBM(logReturns: history.logReturns, periodsPerYear: periodsPerYear)
            case .merton: try Calibration.fitMerton(logReturns: history.logReturns, periodsPerYear: periodsPerYear)
            case .ou: try Calibration.fitOU(history.values.map { log($0) }, periodsPerYear: periodsPerYear, file: file)
            }
        let span = history.dates.isEmpty ? "" : ", \(history.dates.first!) to \(history.dates.last!)"
        print("\(model.rawValue) fit of \(file) [\(column)]: \(history.values.count) values\(span)")
        print("observations used: \(result.observations), periods per year: \(format(periodsPerYear))")
        print("")
        let nameWidth = max(9, result.parameters.map(\.name.count).max() ?? 0)
        print("parameter".padding(toLength: nameWidth, withPad: " ", startingAt: 0) + "        value    std error  unit")
        for parameter in result.parameters {
            print(
                parameter.name.padding(toLength: nameWidth, withPad: " ", startingAt: 0)
                    + String(format: " %12.6f %12.6f  %@", parameter.value, parameter.standardError, parameter.unit))
        }
        print("")
        print(String(format: "log-likelihood %.3f, AIC %.3f", result.logLikelihood, result.aic))
        if let yaml {
            try AtomicFile.write(yamlFragment(result, history: history), to: yaml, replace: force)
            print("wrote \(yaml)")
        }
    }

    func yamlFragment(_ result: CalibrationResult, history: PriceHistory) -> String {
        var text = """
            # switchyard calibrate \(file) --model \(model.rawValue) --column \(column)
            # \(result.observations) observations, \(format(periodsPerYear)) per year; standard errors in comments.
            \(model.rawValue):

            """
        for parameter in result.parameters {
            text += "  \(parameter.name): \(format(parameter.value))  # +/- \(format(parameter.standardError)) \(parameter.unit)\n"
        }
        return text
    }

    func format(_ value: Double) -> String { String(format: "%.6g", value) }
}
