// SPDX-License-Identifier: GPL-3.0-or-later

import ArgumentParser
import Foundation
import SwitchyardModel
import SwitchyardPlanner
import SwitchyardReport
import SwitchyardRisk

/// `switchyard risk [SCENARIO] --paths N --seed S [--threads T]`.
struct RiskCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "risk",
        abstract: "Monte Carlo risk run: NPV distribution, VaR/CVaR, fan chart, tornado, comparison.",
        discussion: """
            Paths run in parallel; the same seed gives byte-identical output for any
            --threads. With no SCENARIO, runs the built-in reference site.
            """
    )

    @OptionGroup var options: ScenarioOptions
    @OptionGroup var parallel: ParallelOptions

    @Option(parsing: .unconditional, help: "Number of paths (the maximum with --precision).")
    var paths: Int = 1_000

    @Option(parsing: .unconditional, help: "Stop when the 95% CI half-width of mean NPV is below this share of it, e.g. 1%.")
    var precision: String?

    @Flag(help: "Also compute a tornado: each key input moved by --swing, on the same paths.")
    var tornado = false

    @Option(parsing: .unconditional, help: "Relative move of each tornado input, e.g. 20% (a scenario's sensitivity section takes precedence).")
    var swing: String = "20%"

    @Option(help: "Compare with another scenario on the same paths, or with 'never': this scenario with no conversion.")
    var compare: String?

    @Option(help: "Write paths.csv, monthly.csv, summary.csv (and sensitivity.csv) to this folder.")
    var csv: String?

    func validate() throws {
        guard paths > 0 else { throw ValidationError("--paths must be at least 1, got \(paths)") }
        guard paths <= 10_000_000 else {
            throw ValidationError("--paths must be at most 10,000,000 on one machine (each path keeps about 200 bytes of results: \(paths) would need \(paths / 5_000_000) GB), got \(paths)")
        }
        if let precision { _ = try Self.share(precision, option: "--precision") }
        _ = try Self.share(swing, option: "--swing")
    }

    /// "1%" or "0.01" as a share in (0, 1).
    static func share(_ text: String, option: String, smallest: Double = 1e-6, allowZero: Bool = false) throws -> Double {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let value = trimmed.hasSuffix("%") ? Double(trimmed.dropLast()).map { $0 / 100 } : Double(trimmed)
        guard let value, value.isFinite, value < 1, value >= smallest || (allowZero && value == 0) else {
            throw ValidationError(
                "\(option) must be a share from \(allowZero ? "0" : String(smallest)) up to (not including) 1, such as 1% or 0.01, got '\(text)'")
        }
        return value
    }

    func run() throws {
        let base = try options.load()
        let other = try compare.map { name -> Scenario in
            if name == "never" && !FileManager.default.fileExists(atPath: name) {
                var never = ConversionPolicy.never.apply(to: base)
                never.name = base.name + " (never convert)"
                return never
            }
            return options.adjust(try WorkbookScenario.loadAny(path: name))
        }
        let csvFiles = csv.map { dir in
            (["paths.csv", "monthly.csv", "yearly.csv", "summary.csv"] + (tornado ? ["sensitivity.csv"] : [])).map {
                (dir as NSString).appendingPathComponent($0)
            }
        } ?? []
        if let csv {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: csv, isDirectory: &isDirectory), !isDirectory.boolValue {
                throw OutputError.unusable(path: csv, reason: "is a file; --csv takes a folder")
            }
            try FileManager.default.createDirectory(atPath: csv, withIntermediateDirectories: true)
        }
        try options.checkOutputs(csvFiles)
        let (seed, threads, force) = (options.seed, parallel.threads, options.force)
        let settings = RiskSettings(
            paths: paths, seed: seed, threads: threads, precision: try precision.map { try Self.share($0, option: "--precision") })
        let bar = ProgressBar(enabled: parallel.showProgress, unit: "paths")
        let result = try RiskRunner.run(scenario: base, settings: settings) { bar.update($0, of: $1) }
        bar.finish()
        print(RiskReport.text(result, scenario: base))
        var bars: [TornadoBar] = []
        if tornado {
            let tornadoBar = ProgressBar(enabled: parallel.showProgress, unit: "inputs")
            var runSettings = settings
            runSettings.paths = result.paths.count
            bars = try RiskRunner.tornado(
                scenario: base, settings: runSettings, swing: try Self.share(swing, option: "--swing")
            ) { tornadoBar.update($0, of: $1) }
            tornadoBar.finish()
            print(RiskReport.tornado(bars, swing: swing))
        }
        var comparison: Comparison?
        if let other {
            var runSettings = settings
            runSettings.paths = result.paths.count
            comparison = try RiskRunner.compare(base, with: other, settings: runSettings)
            print(RiskReport.comparison(comparison!))
        }
        // Every output written first, then all renamed into place together.
        let outputs = OutputSet(replace: force)
        if let xlsx = options.xlsx {
            try outputs.produce(at: xlsx) { temporary in
                try XLSXReport.writeRisk(
                    result, scenario: base, tornado: bars, comparison: comparison, info: options.runInfo, to: temporary,
                    replace: true)
            }
        }
        if let json = options.json {
            try outputs.write(JSONSummary.risk(result, tornado: bars, comparison: comparison, version: Switchyard.version), to: json)
        }
        if let csv {
            func write(_ name: String, _ table: CSVTable) throws {
                try outputs.write(table.text, to: (csv as NSString).appendingPathComponent(name))
            }
            try write("paths.csv", RiskCSV.paths(result))
            try write("monthly.csv", RiskCSV.monthly(result))
            try write("yearly.csv", YearlyCSV.table(result.yearlyMeans))
            try write("summary.csv", RiskCSV.summary(result))
            if tornado { try write("sensitivity.csv", RiskCSV.sensitivity(bars)) }
        }
        try outputs.commit()
        if let xlsx = options.xlsx { print("wrote \(xlsx)") }
        if let json = options.json { print("wrote \(json)") }
        if let csv { print("wrote \(csv)/{paths,monthly,yearly,summary\(tornado ? ",sensitivity" : "")}.csv") }
    }
}

/// Progress on stderr when it is a terminal: a bar, items per second and ETA.
final class ProgressBar {
    let enabled: Bool
    let unit: String
    let start = Date()

    init(enabled: Bool, unit: String) {
        self.enabled = enabled
        self.unit = unit
    }

    func update(_ done: Int, of total: Int) {
        guard enabled else { return }
        let elapsed = Date().timeIntervalSince(start)
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        let eta = rate > 0 ? Double(total - done) / rate : 0
        let width = 30
        let filled = total > 0 ? width * done / total : width
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        let line = String(format: "\r[%@] %d/%d %@  %.0f %@/s  ETA %.0fs ", bar, done, total, unit, rate, unit, eta)
        FileHandle.standardError.write(Data(line.utf8))
    }

    func finish() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\n".utf8))
    }
}

/// Terminal reports of risk runs.
enum RiskReport {
    static func text(_ r: RiskResult, scenario: Scenario) -> String {
        let npv = r.npv
        var lines: [String] = []
        lines.append("\(r.scenarioName) — \(r.paths.count) paths, seed \(r.settings.seed)")
        if let reached = r.reachedPrecision {
            lines.append(reached ? "stopped: the 95% CI of mean NPV reached the requested precision" : "precision not reached within --paths")
        }
        lines.append("")
        lines.append(
            "NPV mean \(Summary.money(npv.mean)) USD  (SE \(Summary.money(npv.standardError)); 95% CI \(Summary.money(npv.confidenceInterval95.lowerBound)) to \(Summary.money(npv.confidenceInterval95.upperBound)))")
        let names = DistributionSummary.levels.map { "P\(Int(($0 * 100).rounded()))" }
        lines.append("NPV percentiles: " + zip(names, npv.percentiles).map { "\($0) \(Summary.money($1))" }.joined(separator: "  "))
        lines.append(
            "VaR95 \(Summary.money(npv.valueAtRisk95))  CVaR95 \(Summary.money(npv.conditionalValueAtRisk95))  VaR99 \(Summary.money(npv.valueAtRisk99))  CVaR99 \(Summary.money(npv.conditionalValueAtRisk99))  P(loss) \(String(format: "%.1f%%", npv.probabilityOfLoss * 100))")
        if let irr = r.irr {
            lines.append(String(format: "IRR (defined on %.0f%% of paths): P10 %.1f%%  P50 %.1f%%  P90 %.1f%%", r.irrDefinedShare * 100, irr.percentiles[2] * 100, irr.percentiles[4] * 100, irr.percentiles[6] * 100))
        } else {
            lines.append("IRR: not meaningful on any path (an operating site's flows rarely change sign exactly once; use NPV)")
        }
        if let payback = r.paybackMonth {
            lines.append(String(format: "Payback within the horizon on %.0f%% of paths: P10 month %.0f  P50 %.0f  P90 %.0f", r.paybackShare * 100, payback.percentiles[2], payback.percentiles[4], payback.percentiles[6]))
        }
        if let equity = r.equityNPV {
            lines.append(
                "Equity NPV (after debt service and tax) mean \(Summary.money(equity.mean))  P5 \(Summary.money(equity.percentiles[1]))  P50 \(Summary.money(equity.percentiles[4]))  P95 \(Summary.money(equity.percentiles[7]))")
        }
        if let p = r.probabilityCashOut {
            lines.append(String(format: "Cash runs out on %.1f%% of paths (starting cash and equity cash flows)", p * 100))
        }
        if let tv = r.terminalValue, let last = r.months.last {
            lines.append(
                "Terminal value at the end of \(last.label) (undiscounted; the NPV counts it discounted): mean \(Summary.money(tv.mean))  P10 \(Summary.money(tv.percentiles[2]))  P50 \(Summary.money(tv.percentiles[4]))  P90 \(Summary.money(tv.percentiles[6]))")
        } else {
            lines.append("No terminal value: nothing after the horizon counts in the NPV")
        }
        lines.append(String(format: "BTC mined: P10 %.0f  P50 %.0f  P90 %.0f", r.btcMined.percentiles[2], r.btcMined.percentiles[4], r.btcMined.percentiles[6]))
        lines.append(String(format: "Curtailed energy (MWh): P10 %.0f  P50 %.0f  P90 %.0f", r.curtailedEnergyMWh.percentiles[2], r.curtailedEnergyMWh.percentiles[4], r.curtailedEnergyMWh.percentiles[6]))
        if let u = r.gpuUtilisation {
            lines.append(String(format: "GPU utilisation: P10 %.1f%%  P50 %.1f%%  P90 %.1f%%", u.percentiles[2] * 100, u.percentiles[4] * 100, u.percentiles[6] * 100))
        }
        lines.append("")
        lines.append("Cumulative cash (fan chart), USD:")
        lines.append("  month       P5       P25       P50       P75       P95")
        for m in r.months where m.month % 12 == 0 || m.month == r.months.count {
            let cells = m.cumulativeCashPercentilesUSD.map { Summary.money($0).padding(toLength: 9, withPad: " ", startingAt: 0) }
            lines.append("  \(m.label)  " + cells.joined(separator: " "))
        }
        return lines.joined(separator: "\n")
    }

    static func tornado(_ bars: [TornadoBar], swing: String) -> String {
        var lines = ["", "Tornado (each input -/+ \(swing), same paths), mean NPV:"]
        for bar in bars {
            let name = bar.input.padding(toLength: 28, withPad: " ", startingAt: 0)
            lines.append("  \(name) low \(Summary.money(bar.meanNPVLowUSD))  high \(Summary.money(bar.meanNPVHighUSD))  swing \(Summary.money(bar.swingUSD))\(bar.baseValue == nil ? "  (not in this scenario)" : "")")
        }
        return lines.joined(separator: "\n")
    }

    static func comparison(_ c: Comparison) -> String {
        let d = c.difference
        return """

            Comparison on the same paths: \(c.otherName) minus \(c.baseName)
              mean NPV: \(Summary.money(c.base.mean)) vs \(Summary.money(c.other.mean)); difference \(Summary.money(d.mean)) (SE \(Summary.money(d.standardError)), 95% CI \(Summary.money(d.confidenceInterval95.lowerBound)) to \(Summary.money(d.confidenceInterval95.upperBound)))
              difference P5 \(Summary.money(d.percentile(0.05)!))  P50 \(Summary.money(d.percentile(0.5)!))  P95 \(Summary.money(d.percentile(0.95)!))
              \(c.otherName) is worse on \(String(format: "%.1f%%", d.probabilityOfLoss * 100)) of paths, better on \(String(format: "%.1f%%", Double(c.betterCount) / Double(max(1, d.count)) * 100))
            """
    }
}
