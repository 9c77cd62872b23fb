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

    @Option(help: "Write paths.csv, monthly.csv, yearly.csv, summary.csv (and sensitivity.csv with --tornado) to this folder.")
    var csv: String?

    @Option(help: "Run only shard K of N (K from 1 to N): paths (K-1)*P/N to K*P/N - 1, on the same random streams as the whole run. Writes --shard-file; 'switchyard merge' writes the outputs.")
    var shard: String?

    @Option(help: "The shard file to write with --shard.")
    var shardFile: String?

    func validate() throws {
        guard paths > 0 else { throw ValidationError("--paths must be at least 1, got \(paths)") }
        guard paths <= 10_000_000 else {
            throw ValidationError("--paths must be at most 10,000,000 on one machine (each path keeps about 200 bytes of results: \(paths) would need \(paths / 5_000_000) GB), got \(paths)")
        }
        if let precision { _ = try Self.share(precision, option: "--precision") }
        _ = try Self.share(swing, option: "--swing")
        if let shard {
            _ = try Self.shardNumbers(shard, paths: paths)
            guard shardFile != nil else { throw ValidationError("--shard needs --shard-file FILE (where the shard's paths are written)") }
            let others = [(csv != nil, "--csv"), (options.xlsx != nil, "--xlsx"), (options.json != nil, "--json")].filter(\.0).map(\.1)
            guard others.isEmpty else {
                throw ValidationError("--shard writes only its --shard-file; 'switchyard merge SHARDS... \(others.joined(separator: " "))' writes the outputs")
            }
            guard precision == nil else { throw ValidationError("--precision cannot be sharded: it decides when to stop from all the paths so far") }
        } else if shardFile != nil {
            throw ValidationError("--shard-file goes with --shard K/N")
        }
    }

    /// "K/N" with 1 <= K <= N <= paths.
    static func shardNumbers(_ text: String, paths: Int) throws -> (k: Int, n: Int) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let k = Int(parts[0]), let n = Int(parts[1]), n >= 1, k >= 1, k <= n else {
            throw ValidationError("--shard must be K/N with 1 <= K <= N, such as 3/8, got '\(text)'")
        }
        guard n <= paths else { throw ValidationError("--shard \(text): more shards (\(n)) than paths (\(paths))") }
        return (k, n)
    }

    /// Says on stderr where two compared scenarios differ in ways that make the paired
    /// difference more than "the same site, another decision": the horizon, the first
    /// month, or the models of the price and the network.
    static func warnIfUnlike(_ a: Scenario, _ b: Scenario) {
        var differences: [String] = []
        if a.horizonMonths != b.horizonMonths { differences.append("horizonMonths \(a.horizonMonths) vs \(b.horizonMonths): the NPVs cover different periods") }
        if a.startMonth != b.startMonth { differences.append("startMonth \(a.startMonth) vs \(b.startMonth): the same path index is a different calendar") }
        if a.stepHours != b.stepHours { differences.append("stepHours \(a.stepHours) vs \(b.stepHours): the random numbers are drawn on different steps, so the paths are not common") }
        if a.bitcoin.priceModel != b.bitcoin.priceModel || (a.bitcoin.priceReplay == nil) != (b.bitcoin.priceReplay == nil) {
            differences.append("bitcoin.price.model (or a replay): the BTC paths are not the same")
        }
        if (a.bitcoin.profitability == nil) != (b.bitcoin.profitability == nil) {
            differences.append("bitcoin.network.model (trend against profitability)")
        }
        if (a.electricity.market.replay == nil) != (b.electricity.market.replay == nil) {
            differences.append("electricity.market: one is replayed, the other simulated")
        }
        for d in differences {
            FileHandle.standardError.write(Data("warning: --compare: the compared scenario differs from this one: \(d)\n".utf8))
        }
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

    /// The scenario of --compare: a file, or 'never' (this one with no conversion).
    func compared(with base: Scenario) throws -> Scenario? {
        let other = try compare.map { name -> Scenario in
            if name == "never" && !FileManager.default.fileExists(atPath: name) {
                var never = ConversionPolicy.never.apply(to: base)
                never.name = base.name + " (never convert)"
                return never
            }
            return options.adjust(try WorkbookScenario.loadAny(path: name))
        }
        if let other { Self.warnIfUnlike(base, other) }
        return other
    }

    /// Says when the scenario's own sensitivity.swing overrides --swing.
    func noteOwnSwing(_ base: Scenario) {
        if let own = base.sensitivity.swing, swing != "20%" {
            FileHandle.standardError.write(
                Data("note: the scenario's sensitivity.swing (\(TextFormat.percent(own, decimals: 0))) is used, not --swing \(swing)\n".utf8))
        }
    }

    func run() throws {
        if let shard, let shardFile { return try runShard(shard, to: shardFile) }
        let base = try options.load()
        let other = try compared(with: base)
        let csvFiles = csv.map { dir in
            (["paths.csv", "monthly.csv", "yearly.csv", "summary.csv"] + (tornado ? ["sensitivity.csv"] : [])).map {
                (dir as NSString).appendingPathComponent($0)
            }
        } ?? []
        try Self.prepareCSVFolder(csv)
        try options.checkOutputs(csvFiles, inputs: (compare.map { [$0] } ?? []) + base.dataFiles + (other?.dataFiles ?? []))
        let (seed, threads, force) = (options.seed, parallel.threads, options.force)
        let settings = RiskSettings(
            paths: paths, seed: seed, threads: threads, precision: try precision.map { try Self.share($0, option: "--precision") })
        let bar = ProgressBar(enabled: parallel.showProgress, unit: "paths", label: "risk")
        let result = try RiskRunner.run(scenario: base, settings: settings) { bar.update($0, of: $1) }
        bar.finish()
        print(RiskReport.text(result, scenario: base))
        var bars: [TornadoBar] = []
        if tornado {
            noteOwnSwing(base)
            let tornadoBar = ProgressBar(enabled: parallel.showProgress, unit: "inputs", label: "tornado")
            var runSettings = settings
            runSettings.paths = result.paths.count
            bars = try RiskRunner.tornado(
                scenario: base, settings: runSettings, swing: try Self.share(swing, option: "--swing")
            ) { tornadoBar.update($0, of: $1) }
            tornadoBar.finish()
            print(RiskReport.tornado(bars, baseMeanNPV: result.npv.mean))
        }
        var comparison: Comparison?
        if let other {
            var runSettings = settings
            runSettings.paths = result.paths.count
            comparison = try RiskRunner.compare(base, with: other, settings: runSettings)
            print(RiskReport.comparison(comparison!))
        }
        try Self.writeOutputs(
            result, scenario: base, tornado: tornado ? bars : nil, comparison: comparison, csv: csv, xlsx: options.xlsx,
            json: options.json, force: force, info: options.runInfo)
    }

    /// Runs one shard's paths and writes them, exactly, with the manifest.
    func runShard(_ text: String, to file: String) throws {
        let base = try options.load()
        let other = try compared(with: base)
        let (k, n) = try Self.shardNumbers(text, paths: paths)
        try OutputPaths.check(
            [file], replace: options.force, inputs: (options.scenario.map { [$0] } ?? []) + (compare.map { [$0] } ?? []) + base.dataFiles + (other?.dataFiles ?? []))
        if tornado { noteOwnSwing(base) }
        let swingValue = try Self.share(swing, option: "--swing")
        // Each path also keeps its NPV under each tornado variant and the compared scenario.
        let variants = tornado ? RiskRunner.tornadoVariants(scenario: base, swing: swingValue) : []
        let extraScenarios = variants.flatMap { [$0.low, $0.high] } + (other.map { [$0] } ?? [])
        let range = RiskRunner.shardRange(k: k - 1, of: n, paths: paths)
        let bar = ProgressBar(enabled: parallel.showProgress, unit: "paths", label: "shard \(k)/\(n)")
        var records: [RiskRunner.PathRecord] = []
        var extras: [[Double]] = []
        records.reserveCapacity(range.count)
        var first = range.lowerBound
        while first < range.upperBound {
            let count = min(250, range.upperBound - first)
            records += try RiskRunner.pathRecords(scenario: base, seed: options.seed, first: first, count: count, threads: parallel.threads)
            if !extraScenarios.isEmpty {
                extras += try RiskRunner.npvs(scenarios: extraScenarios, seed: options.seed, first: first, count: count, threads: parallel.threads)
            }
            first += count
            bar.update(first - range.lowerBound, of: range.count)
        }
        bar.finish()
        var manifest = RiskShardManifest(
            version: Switchyard.version, scenarioName: base.name, scenarioYAML: try ScenarioExport.yaml(base),
            baseDirectory: options.baseDirectory,
            seed: options.seed, paths: paths, shard: k, shards: n, command: CommandLine.arguments.dropFirst().joined(separator: " "))
        manifest.dataDigest = base.dataDigest
        if tornado {
            manifest.tornadoSwing = swingValue
            manifest.tornadoInputs = variants.map(\.bar.input)
        }
        if let other {
            manifest.compareName = other.name
            // Its export and its replayed data: a compared scenario whose data changed between shards differs.
            manifest.compareDigest = RiskShardManifest.digest(try ScenarioExport.yaml(other) + "\n" + other.dataDigest)
        }
        let outputs = OutputSet(replace: options.force)
        let data = try RiskShardFile.encode(manifest: manifest, records: records, extras: extras)
        try outputs.produce(at: file) { temporary in try data.write(to: URL(fileURLWithPath: temporary)) }
        try outputs.commit()
        print("shard \(k) of \(n): paths \(range.lowerBound) to \(range.upperBound - 1) of \(paths) (seed \(options.seed)); wrote \(file)")
    }

    /// Makes the --csv folder (refusing a file of that name).
    static func prepareCSVFolder(_ csv: String?) throws {
        guard let csv else { return }
        guard !csv.isEmpty else { throw OutputError.unusable(path: "''", reason: "is an empty folder name; give --csv a folder") }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: csv, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw OutputError.unusable(path: csv, reason: "is a file; --csv takes a folder")
        }
        try FileManager.default.createDirectory(atPath: csv, withIntermediateDirectories: true)
    }

    /// Writes a risk run's outputs: the workbook, JSON and CSVs, all renamed into place
    /// together (`risk` and `merge` alike). `tornado` nil: no tornado was asked for.
    static func writeOutputs(
        _ result: RiskResult, scenario: Scenario, tornado bars: [TornadoBar]?, comparison: Comparison?, csv: String?, xlsx: String?,
        json: String?, force: Bool, info: XLSXReport.RunInfo
    ) throws {
        let outputs = OutputSet(replace: force)
        if let xlsx {
            try outputs.produce(at: xlsx) { temporary in
                try XLSXReport.writeRisk(
                    result, scenario: scenario, tornado: bars ?? [], comparison: comparison, info: info, to: temporary, replace: true)
            }
        }
        if let json {
            try outputs.write(JSONSummary.risk(result, tornado: bars ?? [], comparison: comparison, version: Switchyard.version), to: json)
        }
        if let csv {
            func write(_ name: String, _ table: CSVTable) throws {
                try outputs.write(table.text, to: (csv as NSString).appendingPathComponent(name))
            }
            try write("paths.csv", RiskCSV.paths(result))
            try write("monthly.csv", RiskCSV.monthly(result))
            try write("yearly.csv", YearlyCSV.table(result.yearlyMeans))
            try write("summary.csv", RiskCSV.summary(result))
            if let bars { try write("sensitivity.csv", RiskCSV.sensitivity(bars)) }
        }
        try outputs.commit()
        if let xlsx { print("wrote \(xlsx)") }
        if let json { print("wrote \(json)") }
        if let csv { print("wrote \(csv)/{paths,monthly,yearly,summary\(bars != nil ? ",sensitivity" : "")}.csv") }
    }
}

/// Progress on stderr when it is a terminal: a bar, counts, the rate and the ETA.
final class ProgressBar {
    let enabled: Bool
    let unit: String
    let label: String
    let start = Date()

    init(enabled: Bool, unit: String, label: String = "") {
        self.enabled = enabled
        self.unit = unit
        self.label = label
    }

    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "?" }
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%dh%02dm", s / 3600, s % 3600 / 60) : s >= 60 ? String(format: "%dm%02ds", s / 60, s % 60) : "\(s)s"
    }

    func update(_ done: Int, of total: Int) {
        guard enabled else { return }
        let elapsed = Date().timeIntervalSince(start)
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        let width = 24
        let filled = total > 0 ? min(width, width * done / total) : width
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        // Slow items read better as seconds each than as "0 inputs/s".
        let speed = rate >= 1 ? String(format: "%.0f %@/s", rate, unit) : done > 0 ? String(format: "%.1f s each", elapsed / Double(done)) : "starting"
        let eta = done > 0 ? "ETA \(Self.duration(Double(total - done) / rate))" : ""
        let prefix = label.isEmpty ? "" : label + " "
        let line = "\r\(prefix)[\(bar)] \(TextFormat.grouped(Double(done)))/\(TextFormat.grouped(Double(total))) \(unit)  \(speed)  \(eta)   "
        FileHandle.standardError.write(Data(line.utf8))
    }

    func finish() {
        guard enabled else { return }
        let elapsed = Date().timeIntervalSince(start)
        FileHandle.standardError.write(Data(" done in \(Self.duration(elapsed))\n".utf8))
    }
}

/// Terminal reports of risk runs.
enum RiskReport {
    static func text(_ r: RiskResult, scenario: Scenario) -> String {
        let npv = r.npv
        let money = TextFormat.money
        var lines: [String] = []
        lines.append("\(r.scenarioName) — \(TextFormat.grouped(Double(r.paths.count))) paths, seed \(r.settings.seed), \(scenario.horizonMonths) months from \(scenario.startMonth)")
        if let reached = r.reachedPrecision {
            lines.append(reached ? "stopped: the 95% CI of mean NPV reached the requested precision" : "precision not reached within --paths")
        }
        lines.append("")
        lines.append(
            "NPV mean \(money(npv.mean))  (SE \(money(npv.standardError)); 95% CI \(money(npv.confidenceInterval95.lowerBound)) to \(money(npv.confidenceInterval95.upperBound)))")
        let names = DistributionSummary.levels.map { "P\(Int(($0 * 100).rounded()))" }
        lines.append("NPV percentiles: " + zip(names, npv.percentiles).map { "\($0) \(money($1))" }.joined(separator: "  "))
        lines.append("Tail risk. \(TextFormat.tailConvention).")
        lines.append("  VaR95 \(TextFormat.valueAtRisk(npv.valueAtRisk95, level: 95));  CVaR95 \(TextFormat.conditionalValueAtRisk(npv.conditionalValueAtRisk95, level: 95))")
        lines.append("  VaR99 \(TextFormat.valueAtRisk(npv.valueAtRisk99, level: 99));  CVaR99 \(TextFormat.conditionalValueAtRisk(npv.conditionalValueAtRisk99, level: 99))")
        lines.append("  Probability of a negative NPV: \(TextFormat.percent(npv.probabilityOfLoss))")
        if let irr = r.irr {
            lines.append(String(format: "IRR (defined on %.0f%% of paths): P10 %.1f%%  P50 %.1f%%  P90 %.1f%%", r.irrDefinedShare * 100, irr.percentiles[2] * 100, irr.percentiles[4] * 100, irr.percentiles[6] * 100))
        } else {
            lines.append("IRR: not meaningful on any path (an operating site's flows rarely change sign exactly once; use NPV)")
        }
        func month(_ m: Double) -> String {
            let k = Int(m.rounded())
            return k >= 1 ? "month \(k) (\(Scenario.monthLabel(scenario.startMonth, month: k)))" : "month \(k)"
        }
        if let payback = r.paybackMonth {
            lines.append("Payback within the horizon on \(TextFormat.percent(r.paybackShare, decimals: 0)) of paths: P10 \(month(payback.percentiles[2])), P50 \(month(payback.percentiles[4])), P90 \(month(payback.percentiles[6]))")
        }
        if let equity = r.equityNPV {
            lines.append(
                "Equity NPV (after debt service and tax) mean \(money(equity.mean))  P5 \(money(equity.percentiles[1]))  P50 \(money(equity.percentiles[4]))  P95 \(money(equity.percentiles[7]))")
        }
        if let p = r.probabilityCashOut {
            lines.append("Cash runs out on \(TextFormat.percent(p)) of paths (starting cash and equity cash flows)")
        }
        if let tv = r.terminalValue, let last = r.months.last {
            lines.append(
                "Terminal value at the end of \(last.label) (undiscounted; the NPV counts it discounted): mean \(money(tv.mean))  P10 \(money(tv.percentiles[2]))  P50 \(money(tv.percentiles[4]))  P90 \(money(tv.percentiles[6]))")
        } else {
            lines.append("No terminal value: nothing after the horizon counts in the NPV")
        }
        let g = { TextFormat.grouped($0) }
        lines.append("BTC mined: P10 \(g(r.btcMined.percentiles[2]))  P50 \(g(r.btcMined.percentiles[4]))  P90 \(g(r.btcMined.percentiles[6]))")
        lines.append("Curtailed energy (MWh): P10 \(g(r.curtailedEnergyMWh.percentiles[2]))  P50 \(g(r.curtailedEnergyMWh.percentiles[4]))  P90 \(g(r.curtailedEnergyMWh.percentiles[6]))")
        if let u = r.gpuUtilisation {
            lines.append("GPU utilisation: P10 \(TextFormat.percent(u.percentiles[2]))  P50 \(TextFormat.percent(u.percentiles[4]))  P90 \(TextFormat.percent(u.percentiles[6]))")
        }
        lines.append("")
        lines.append("Cumulative cash (fan chart), USD millions:")
        let columns = ["P5", "P25", "P50", "P75", "P95"]
        lines.append("  month            " + columns.map { $0.leftPadded(10) }.joined())
        for m in r.months where m.month % 12 == 0 || m.month == r.months.count {
            let cells = m.cumulativeCashPercentilesUSD.map { TextFormat.grouped($0 / 1e6, decimals: 1).leftPadded(10) }
            lines.append("  \(String(m.month).leftPadded(5)) (\(m.label))  " + cells.joined())
        }
        return TextFormat.wrap(lines.joined(separator: "\n"))
    }

    static func tornado(_ bars: [TornadoBar], baseMeanNPV: Double) -> String {
        let bases = Set(bars.map(\.basis)).subtracting(["scenario range", "not in this scenario"]).sorted()
        var lines = [
            "",
            "Tornado: mean NPV with each input at a low and a high value, the others at base (same paths; base mean \(TextFormat.money(baseMeanNPV))).",
            "Inputs move over the scenario's sensitivity.ranges (\"range\") where it gives one, else by \(bases.isEmpty ? "the swing" : bases.joined(separator: ", ")); NPVs are means in USD M:",
        ]
        let header = ["input", "low value", "high value", "moved by", "NPV at low", "NPV at high", "swing"]
        let widths = [26, 11, 11, 9, 11, 11, 8]
        func row(_ cells: [String]) -> String {
            "  " + zip(cells, widths).enumerated().map { k, pair in
                k == 0 ? pair.0.padding(toLength: pair.1, withPad: " ", startingAt: 0) : pair.0.leftPadded(pair.1)
            }.joined(separator: " ")
        }
        lines.append(row(header))
        for bar in bars {
            guard let low = bar.lowValue, let high = bar.highValue else {
                lines.append("  " + bar.input.padding(toLength: 26, withPad: " ", startingAt: 0) + " (not in this scenario)")
                continue
            }
            lines.append(row([
                bar.input, Self.value(low), Self.value(high), bar.basis == "scenario range" ? "range" : bar.basis, Summary.millions(bar.meanNPVLowUSD),
                Summary.millions(bar.meanNPVHighUSD), Summary.millions(bar.swingUSD),
            ]))
        }
        return TextFormat.wrap(lines.joined(separator: "\n"))
    }

    /// An input value with separators and no more digits than it needs.
    static func value(_ v: Double) -> String {
        abs(v) >= 1_000 ? TextFormat.grouped(v) : abs(v) >= 1 ? TextFormat.grouped(v, decimals: 2) : String(format: "%.4g", v)
    }

    static func comparison(_ c: Comparison) -> String {
        let d = c.difference
        let money = TextFormat.money
        return TextFormat.wrap("""

            Comparison on the same paths: \(c.otherName) minus \(c.baseName)
              mean NPV of \(c.baseName): \(money(c.base.mean)); of \(c.otherName): \(money(c.other.mean)); difference \(money(d.mean)) (SE \(money(d.standardError)), 95% CI \(money(d.confidenceInterval95.lowerBound)) to \(money(d.confidenceInterval95.upperBound)))
              difference P5 \(money(d.percentile(0.05)!))  P50 \(money(d.percentile(0.5)!))  P95 \(money(d.percentile(0.95)!))
              \(c.otherName) is worse on \(TextFormat.percent(d.probabilityOfLoss)) of paths, better on \(TextFormat.percent(Double(c.betterCount) / Double(max(1, d.count))))
            """)
    }
}

extension String {
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
