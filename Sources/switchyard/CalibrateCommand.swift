// SPDX-License-Identifier: GPL-3.0-or-later

public import ArgumentParser
import Foundation
import SwitchyardModel
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
            log price). electricity fits the scenario's power price process (seasonal
            level, mean reversion, volatility, upward spikes) to a timed series: give
            --hour-column for hourly data (hour ending 1-24, as ERCOT publishes); zero
            and negative prices are kept and floored at --floor for the log. Parameters
            are annualised with --periods-per-year (365 for daily data that trades every
            day, 252 for exchange trading days, 8760 for hourly power prices).

            network fits the hashrate that answers profitability to daily history: the
            file's hashrate (TH/s), network revenue (USD/day) and BTC price columns, and
            --efficiency, a CSV of network efficiency (J/TH) by date; days are averaged
            into --step-days blocks.

            fees fits the fee process (mean-reverting log fees with upward spikes, no
            seasonality) to daily fees: the column is BTC a day (blockchain.com's
            transaction-fees chart), divided by --blocks-per-day (144; 1 for a series
            already per block). --from and --to keep a date range (electricity, fees):
              switchyard calibrate btc_fees_daily.csv --model fees --column fees_btc
                --date-column date --from 2016-01-01 --to 2023-12-31

            Example (ERCOT West hub, 2024):
              switchyard calibrate ercot_hub_lz_prices_hourly_2024.csv --model electricity
                --column HB_WEST_dam_spp_usd_mwh --date-column delivery_date
                --hour-column hour_ending --periods-per-year 8760
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

    @Option(parsing: .unconditional, help: "Observations per year, to annualise the parameters.")
    var periodsPerYear: Double = 365

    @Option(help: "With --model electricity: the hour-ending column (1-24) of hourly data.")
    var hourColumn: String?

    @Option(parsing: .unconditional, help: "With --model electricity or fees: values below this are floored for the log (default 1 USD/MWh; 1e-6 BTC a block).")
    var floor: Double?

    @Option(parsing: .unconditional, help: "With --model fees: blocks a day; the column (BTC a day) is divided by it.")
    var blocksPerDay: Double = 144

    @Option(help: "With --model electricity or fees: the first date kept (YYYY-MM-DD).")
    var from: String?

    @Option(help: "With --model electricity or fees: the last date kept (YYYY-MM-DD).")
    var to: String?

    @Option(help: "With --model network: the network revenue column, USD per day.")
    var revenueColumn: String = "revenue_usd"

    @Option(help: "With --model network: the BTC price column, USD.")
    var priceColumn: String = "btc_usd_close"

    @Option(help: "With --model network: a CSV of network efficiency by date (J/TH), e.g. CBECI's.")
    var efficiency: String?

    @Option(help: "With --model network: the efficiency column.")
    var efficiencyColumn: String = "efficiency_estimated_j_per_th"

    @Option(help: "With --model network: the date the YAML's levels (efficiencyJPerTH, costUSDPerMWh) are given at, the fitted trends carried to it (default: the day after the data; set it to your scenario's start).")
    var asOf: String?

    @Option(parsing: .unconditional, help: "With --model network: average days into blocks of this many (e.g. 7) before the fit.")
    var stepDays: Int = 7

    @Option(parsing: .unconditional, help: "With --model electricity: average the series over blocks of this many hours first (the scenario's stepHours, e.g. 6); --periods-per-year is then 8760 / this.")
    var stepHours: Double?

    @Flag(help: "Skip rows without a usable value (they are still listed).")
    var skipBadRows = false

    @Option(help: "Also write the parameters as scenario keys (a YAML fragment) to this file ('-' for standard output).")
    var yaml: String?

    @Flag(help: "Replace an existing --yaml file.")
    var force = false

    func validate() throws {
        guard periodsPerYear.isFinite, periodsPerYear > 0, periodsPerYear <= 1_000_000 else {
            throw ValidationError("--periods-per-year must be a positive number up to 1,000,000 (one a minute is 525,600), got \(periodsPerYear)")
        }
    }

    func run() throws {
        if let yaml, yaml != "-" { try OutputPaths.check([yaml], replace: force, inputs: [file] + (efficiency.map { [$0] } ?? [])) }
        if model == .electricity { return try runElectricity() }
        if model == .network { return try runNetwork() }
        if model == .fees { return try runFees() }
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
            case .electricity, .network, .fees: preconditionFailure("handled by runElectricity, runNetwork and runFees")
            }
        let span = history.dates.isEmpty ? "" : ", \(history.dates.first!) to \(history.dates.last!)"
        print("\(model.rawValue) fit of \(file) [\(column)]: \(history.values.count) values\(span)")
        print("observations used: \(result.observations), periods per year: \(format(periodsPerYear))")
        print("")
        printTable(result)
        print("")
        print(String(format: "log-likelihood %.3f, AIC %.3f", result.logLikelihood, result.aic))
        if let yaml {
            try writeFragment(yamlFragment(result, history: history), to: yaml)
        }
    }

    /// The dates kept (--from, --to), as day numbers.
    func dateRange() throws -> ClosedRange<Int> {
        func day(_ text: String?, _ flag: String, _ fallback: Int) throws -> Int {
            guard let text else { return fallback }
            guard let day = TimedSeries.dayNumber(text) else { throw ValidationError("\(flag) must be a date as YYYY-MM-DD, got '\(text)'") }
            return day
        }
        let first = try day(from, "--from", Int.min)
        let last = try day(to, "--to", Int.max)
        guard first <= last else { throw ValidationError("--from \(from ?? "") is after --to \(to ?? "")") }
        return first...last
    }

    /// The value column as a timed series (hourly with --hour-column), bad rows listed on
    /// stderr when skipped, cut to --from ... --to.
    func timedSeries() throws -> (series: TimedSeries, times: [Double], values: [Double]) {
        let range = try dateRange()
        let series = try TimedSeries(
            contentsOf: file, column: column, dateColumn: dateColumn, hourColumn: hourColumn, skipBadRows: skipBadRows)
        if !series.skippedRows.isEmpty {
            var message = "\(file): skipped \(series.skippedRows.count) row(s) without a usable '\(column)':\n"
            for row in series.skippedRows.prefix(20) { message += "  \(row)\n" }
            FileHandle.standardError.write(Data(message.utf8))
        }
        let kept = series.days.indices.filter { range.contains(series.days[$0]) }
        if kept.isEmpty { throw ValidationError("\(file): no rows between \(from ?? "the start") and \(to ?? "the end")") }
        return (series, kept.map { series.times[$0] }, kept.map { series.values[$0] })
    }

    func runFees() throws {
        let floor = self.floor ?? 1e-6
        guard floor.isFinite, floor > 0 else { throw ValidationError("--floor must be a positive fee, got \(floor)") }
        guard blocksPerDay.isFinite, blocksPerDay > 0 else { throw ValidationError("--blocks-per-day must be positive, got \(blocksPerDay)") }
        let (series, times, perDay) = try timedSeries()
        let values = perDay.map { $0 / blocksPerDay }
        let result = try Calibration.fitFees(times: times, feesBTCPerBlock: values, periodsPerYear: periodsPerYear, floor: floor, file: file)
        let first = series.days[series.times.firstIndex(of: times[0]) ?? 0]
        let last = series.days[series.times.lastIndex(of: times[times.count - 1]) ?? 0]
        let span = "\(TimedSeries.date(fromDay: first)) to \(TimedSeries.date(fromDay: last))"
        print("fees fit of \(file) [\(column) / \(format(blocksPerDay)) blocks a day]: \(values.count) values, \(span), \(result.observations) consecutive pairs")
        print(String(format: "%d value(s) below the floor of %g BTC a block were floored for the log", values.filter { $0 < floor }.count, floor))
        print("")
        printTable(result)
        let sampleMean = values.reduce(0, +) / Double(values.count)
        print("")
        print(String(format: "mean fee: sample %.4f BTC a block; fitted model %.4f", sampleMean, result["btcPerBlock"]!.value))
        if let yaml {
            var text = "# switchyard calibrate \(safe(file)) --model fees --column \(safe(column)) --date-column \(safe(dateColumn))"
            text += " --periods-per-year \(format(periodsPerYear)) --blocks-per-day \(format(blocksPerDay)) --floor \(format(floor))"
            text += (from.map { " --from \(safe($0))" } ?? "") + (to.map { " --to \(safe($0))" } ?? "") + (skipBadRows ? " --skip-bad-rows" : "") + "\n"
            text += "# \(span); \(result.observations) consecutive pairs; standard errors in comments.\n"
            text += "# These keys replace the same keys of your scenario's bitcoin: fees: block.\n"
            text += "bitcoin:\n  fees:\n"
            text += parameterLines(result, indent: "    ")
            try writeFragment(text, to: yaml)
        }
    }

    func runElectricity() throws {
        let floor = self.floor ?? 1
        guard floor.isFinite, floor > 0 else { throw ValidationError("--floor must be a positive price, got \(floor)") }
        var (series, times, values) = try timedSeries()
        var periods = periodsPerYear
        if let stepHours {
            guard stepHours.isFinite, stepHours >= 1, stepHours <= 730 else {
                throw ValidationError("--step-hours must be between 1 and 730, got \(stepHours)")
            }
            (times, values) = TimedSeries.averaged(times: times, values: values, overHours: stepHours, observationHours: 8_760 / periodsPerYear)
            periods = 8_760 / stepHours
        }
        let result = try Calibration.fitElectricity(times: times, prices: values, periodsPerYear: periods, floor: floor, file: file)
        let floored = values.filter { $0 < floor }.count
        let sampleMean = values.reduce(0, +) / Double(max(1, values.count))
        let blocks = stepHours.map { String(format: ", averaged over %g-hour blocks: %d blocks", $0, values.count) } ?? ""
        print("electricity fit of \(file) [\(column)]: \(series.values.count) values\(blocks), \(result.observations) consecutive pairs")
        print(String(format: "%d value(s) below the floor of %.2f USD/MWh were floored for the log", floored, floor))
        print("")
        printTable(result)
        let process = ElectricityPriceProcess(
            basePriceUSDPerMWh: result["basePriceUSDPerMWh"]!.value, seasonalAmplitude: result["seasonalAmplitude"]!.value,
            seasonalPeak: result["seasonalPeak"]!.value, meanReversion: result["meanReversionPerYear"]!.value,
            volatility: result["volatility"]!.value, spikeIntensity: result["spikesPerYear"]!.value,
            spikeLogMean: result["spikeLogMean"]!.value, spikeLogSD: result["spikeLogSD"]!.value)
        let modelMean = process.basePriceUSDPerMWh * process.meanFactor(stepYears: 1 / periods)
        print("")
        print(
            String(
                format: "mean price: sample %.2f USD/MWh; fitted model %.2f USD/MWh (stepped every %.3g hours)", sampleMean, modelMean,
                8_760 / periods))
        if let yaml {
            let hours = hourColumn.map { " --hour-column \(safe($0))" } ?? ""
            var text = "# switchyard calibrate \(safe(file)) --model electricity --column \(safe(column)) --date-column \(safe(dateColumn))\(hours)"
            text += " --periods-per-year \(format(periodsPerYear))\(stepHours.map { " --step-hours \(format($0))" } ?? "") --floor \(format(floor))"
            text += "\(skipBadRows ? " --skip-bad-rows" : "")\n"
            text += "# \(result.observations) consecutive pairs; standard errors in comments.\n"
            text += "# These keys replace the same keys of your scenario's electricity: market: block (remove a\n"
            text += "# meanPriceUSDPerMWh there: the fit gives the base level).\n"
            text += "electricity:\n  market:\n"
            text += parameterLines(result, indent: "    ")
            try writeFragment(text, to: yaml)
        }
    }

    func runNetwork() throws {
        guard let efficiency else {
            throw ValidationError("--model network needs --efficiency FILE (network efficiency in J/TH by date, e.g. CBECI's)")
        }
        guard stepDays >= 1, stepDays <= 365 else { throw ValidationError("--step-days must be between 1 and 365, got \(stepDays)") }
        func read(_ path: String, _ column: String) throws -> TimedSeries {
            let series = try TimedSeries(contentsOf: path, column: column, dateColumn: dateColumn, hourColumn: nil, skipBadRows: skipBadRows)
            if !series.skippedRows.isEmpty {
                var message = "\(path): skipped \(series.skippedRows.count) row(s) without a usable '\(column)':\n"
                for row in series.skippedRows.prefix(10) { message += "  \(row)\n" }
                FileHandle.standardError.write(Data(message.utf8))
            }
            return series
        }
        // --as-of, checked before the fit (within 50 years of the data's range).
        var requestedAsOf: Int?
        if let asOf {
            guard let day = TimedSeries.dayNumber(asOf) else { throw ValidationError("--as-of must be a date as YYYY-MM-DD, got '\(asOf)'") }
            requestedAsOf = day
        }
        let hashrate = try read(file, column)
        let revenue = try read(file, revenueColumn)
        let price = try read(file, priceColumn)
        let eff = try read(efficiency, efficiencyColumn)
        var byDay: [[Int: Double]] = [[:], [:], [:], [:]]
        for (k, series) in [hashrate, revenue, price, eff].enumerated() {
            for (day, value) in zip(series.days, series.values) { byDay[k][day] = value }
        }
        let common = byDay[0].keys.filter { d in (1...3).allSatisfy { byDay[$0][d] != nil } }.sorted()
        guard let first = common.first else { throw ValidationError("\(file) and \(efficiency) share no dates") }
        // Blocks of stepDays consecutive days, averaged over the days present (at least half).
        var blocks: [Int: [Int]] = [:]
        for day in common { blocks[(day - first) / stepDays, default: []].append(day) }
        var times: [Double] = []
        var h: [Double] = []
        var r: [Double] = []
        var p: [Double] = []
        var e: [Double] = []
        for index in blocks.keys.sorted() {
            let days = blocks[index]!
            guard days.count * 2 >= stepDays else { continue }
            func mean(_ k: Int) -> Double { days.reduce(0) { $0 + byDay[k][$1]! } / Double(days.count) }
            times.append(Double(index * stepDays) / 365)
            h.append(mean(0) / 1e6)  // TH/s -> EH/s
            r.append(mean(1))
            p.append(mean(2))
            e.append(mean(3))
        }
        let periods = 365 / Double(stepDays)
        let result = try Calibration.fitNetwork(
            times: times, hashrateEHs: h, revenueUSDPerDay: r, priceUSD: p, efficiencyJPerTH: e, periodsPerYear: periods, file: file)
        let startDate = TimedSeries.date(fromDay: first)
        let endDate = TimedSeries.date(fromDay: common.last!)
        print("network fit of \(file) [\(column), \(revenueColumn), \(priceColumn)] and \(efficiency) [\(efficiencyColumn)]")
        print("\(common.count) common days \(startDate) to \(endDate), \(h.count) blocks of \(stepDays) days, \(result.observations) consecutive pairs")
        print("")
        printTable(result)
        let model = ProfitabilityHashrate(
            efficiencyJPerTH: result["efficiencyJPerTH"]!.value, efficiencyImprovementPerYear: result["efficiencyImprovementPerYear"]!.value,
            costUSDPerMWh: result["costUSDPerMWh"]!.value, entryPerYear: result["entryPerYear"]!.value,
            exitPerYear: result["exitPerYear"]!.value, priceLagYears: result["priceLagYears"]!.value,
            volatility: result["volatility"]!.value)
            .with { $0.costGrowthPerYear = result["costGrowthPerYear"]!.value }
        let lastHashprice = r.last! / (h.last! * 1_000)
        print("")
        print(
            String(
                format: "at %@: hashprice %.1f USD/PH/day against the fitted break-even cost of hashing %.1f (network %.1f J/TH, %.0f USD/MWh all-in)",
                endDate, lastHashprice, model.hashCostUSDPerPHDay(atYear: times.last!), e.last!,
                model.costUSDPerMWh * exp(model.costGrowthPerYear * times.last!)))
        // The levels at --as-of: the fitted frontier and all-in cost carried there (the
        // cost was fitted against the fitted frontier, not against any one day's
        // efficiency estimate: the two go together).
        let asOfDay = requestedAsOf ?? common.last! + 1
        let tAsOf = Double(asOfDay - first) / 365
        let efficiencyAsOf = model.efficiencyJPerTH * exp(-model.efficiencyImprovementPerYear * tAsOf)
        let costAsOf = model.costUSDPerMWh * exp(model.costGrowthPerYear * tAsOf)
        let span = Double(common.last! - first) / 365
        guard tAsOf >= -50, tAsOf <= span + 50, efficiencyAsOf.isFinite, efficiencyAsOf > 0, costAsOf.isFinite, costAsOf > 0 else {
            throw ValidationError(
                "--as-of \(TimedSeries.date(fromDay: asOfDay)) is too far from the data (\(startDate) to \(endDate)): carry the fitted trends at most 50 years")
        }
        let asOfDate = TimedSeries.date(fromDay: asOfDay)
        print(
            String(
                format: "at %@ (--as-of): fitted frontier %.2f J/TH, all-in cost %.2f USD/MWh, cost of hashing %.1f USD/PH/day",
                asOfDate, efficiencyAsOf, costAsOf, 0.024 * efficiencyAsOf * costAsOf))
        if let yaml {
            var text = "# switchyard calibrate \(safe(file)) --model network --column \(safe(column)) --revenue-column \(safe(revenueColumn))"
            text += " --price-column \(safe(priceColumn)) --efficiency \(safe(efficiency)) --efficiency-column \(safe(efficiencyColumn)) --step-days \(stepDays)"
            text += " --as-of \(asOfDate)\(skipBadRows ? " --skip-bad-rows" : "")\n"
            text += "# \(result.observations) pairs of \(stepDays)-day blocks, \(startDate) to \(endDate); standard errors in comments.\n"
            text += "# These keys replace the same keys of the bitcoin: network: block of a scenario starting \(asOfDate) (keep its\n"
            text += "# initialBlockHeight and initialHashrateEHs; drop trend keys). efficiencyJPerTH and costUSDPerMWh are the fitted\n"
            text += "# trends at that date (they go together: the cost was fitted against the fitted frontier, so do not\n"
            text += "# replace the efficiency by a day's estimate alone). `uncertainty` draws the rates and the speed per path.\n"
            text += "bitcoin:\n  network:\n    model: profitability\n"
            for parameter in result.parameters {
                var value = parameter.value
                var note = "+/- \(format(parameter.standardError)) \(parameter.unit)"
                if parameter.name == "efficiencyJPerTH" {
                    value = efficiencyAsOf
                    note = "J/TH at \(asOfDate) (fit: \(format(parameter.value)) +/- \(format(parameter.standardError)) at \(startDate))"
                } else if parameter.name == "costUSDPerMWh" {
                    value = costAsOf
                    note = "USD/MWh at \(asOfDate) (fit: \(format(parameter.value)) +/- \(format(parameter.standardError)) at \(startDate))"
                }
                text += "    \(parameter.name): \(format(value))  # \(note)\n"
            }
            text += "    uncertainty:\n"
            text += "      costGrowthPerYear: \(format(result["costGrowthPerYear"]!.standardError))\n"
            text += "      efficiencyImprovementPerYear: \(format(result["efficiencyImprovementPerYear"]!.standardError))\n"
            text += "      entryPerYear: \(format(result["entryPerYear"]!.standardError))\n"
            if result["exitPerYear"]!.value != result["entryPerYear"]!.value {
                text += "      exitPerYear: \(format(result["exitPerYear"]!.standardError))\n"
            }
            try writeFragment(text, to: yaml)
        }
    }

    func printTable(_ result: CalibrationResult) {
        let nameWidth = max(9, result.parameters.map(\.name.count).max() ?? 0)
        print("parameter".padding(toLength: nameWidth, withPad: " ", startingAt: 0) + "        value    std error  unit")
        for parameter in result.parameters {
            print(
                parameter.name.padding(toLength: nameWidth, withPad: " ", startingAt: 0)
                    + String(format: " %12.6f %12.6f  %@", parameter.value, parameter.standardError, parameter.unit))
        }
    }

    /// The fit as scenario keys, under their full path from the top of a scenario file
    /// (`bitcoin: price: ...` or `electricity: market: ...`), so the keys merge into a
    /// scenario as they are.
    func yamlFragment(_ result: CalibrationResult, history: PriceHistory) -> String {
        var header = "# switchyard calibrate \(safe(file)) --model \(model.rawValue) --column \(safe(column)) --date-column \(safe(dateColumn))"
        header += " --periods-per-year \(format(periodsPerYear))\(skipBadRows ? " --skip-bad-rows" : "")\n"
        let span = history.dates.isEmpty ? "" : ", \(history.dates.first!) to \(history.dates.last!)"
        header += "# \(result.observations) observations\(span); standard errors in comments.\n"
        let se = { (name: String) in "+/- \(format(result[name]!.standardError)) \(result[name]!.unit)" }
        var keys: [(String, String, String)] = []
        switch model {
        case .gbm, .merton:
            header += "# These keys replace the same keys of your scenario's bitcoin: price: block. initialUSD is the last\n"
            header += "# value of the file: set it to the price at your scenario's startMonth.\n"
            keys.append(("model", model.rawValue, ""))
            keys.append(("initialUSD", format(history.values.last ?? 0), "the file's last value"))
            keys.append(("drift", format(result["drift"]!.value), se("drift")))
            keys.append(("volatility", format(result["volatility"]!.value), se("volatility")))
            if model == .merton {
                keys.append(("jumpsPerYear", format(result["jumpsPerYear"]!.value), se("jumpsPerYear")))
                keys.append(("jumpLogMean", format(result["jumpLogMean"]!.value), se("jumpLogMean")))
                keys.append(("jumpLogSD", format(result["jumpLogSD"]!.value), se("jumpLogSD")))
            }
            return header + "bitcoin:\n  price:\n" + keys.map { "    \($0.0): \($0.1)\($0.2.isEmpty ? "" : "  # \($0.2)")\n" }.joined()
        case .ou:
            // The fit is of the log of the values: exp(longRunMean) is the median level.
            header += "# An Ornstein-Uhlenbeck fit of the log of the values, as a power price without seasons or spikes:\n"
            header += "# these keys replace the same keys of your scenario's electricity: market: block.\n"
            let theta = result["longRunMean"]!
            keys.append(("basePriceUSDPerMWh", format(exp(theta.value)), "exp(longRunMean \(format(theta.value)) +/- \(format(theta.standardError)))"))
            keys.append(("seasonalAmplitude", "0", "not fitted by --model ou (see --model electricity)"))
            keys.append(("meanReversionPerYear", format(result["meanReversion"]!.value), se("meanReversion")))
            keys.append(("volatility", format(result["volatility"]!.value), se("volatility")))
            return header + "electricity:\n  market:\n" + keys.map { "    \($0.0): \($0.1)  # \($0.2)\n" }.joined()
        case .electricity, .network, .fees:
            preconditionFailure("written by runElectricity, runNetwork and runFees")
        }
    }

    /// The parameters as YAML lines under a key, their standard errors in comments.
    func parameterLines(_ result: CalibrationResult, indent: String = "  ") -> String {
        result.parameters.map { "\(indent)\($0.name): \(format($0.value))  # +/- \(format($0.standardError)) \($0.unit)\n" }.joined()
    }

    /// Writes a YAML fragment atomically (--force to replace) and says so; `-` prints it.
    func writeFragment(_ text: String, to path: String) throws {
        if path == "-" {
            print("", terminator: "\n")
            print(text, terminator: "")
            return
        }
        try AtomicFile.write(text, to: path, replace: force)
        print("wrote \(path)")
    }

    /// A file name or column as it may appear in a comment line: no line breaks or
    /// control characters (they would end the comment and start a key).
    func safe(_ text: String) -> String { String(yamlComment(text).dropFirst(2)).replacingOccurrences(of: "\n# ", with: " ") }

    func format(_ value: Double) -> String { String(format: "%.6g", value) }
}
