// SPDX-License-Identifier: GPL-3.0-or-later

import Foundation
import SwitchyardModel
import Testing
import Yams

/// Runs the built `switchyard` executable (the products folder of this test bundle).
func switchyard(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
    let products = Bundle.main.bundleURL.hasDirectoryPath
        ? Bundle.main.bundleURL : Bundle.main.bundleURL.deletingLastPathComponent()
    let binary = products.appendingPathComponent("switchyard")
    guard FileManager.default.isExecutableFile(atPath: binary.path) else {
        throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: binary.path])
    }
    let process = Process()
    process.executableURL = binary
    process.arguments = arguments
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let stdout = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    return (process.terminationStatus, stdout, stderr)
}

/// One part of a zip file (an XLSX workbook), via unzip.
func zipPart(_ file: String, _ part: String) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", "import sys,zipfile;sys.stdout.write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]).decode())", file, part]
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(decoding: data, as: UTF8.self)
}

/// The small reference site over 6 months (its conversion in month 2), with `adding`
/// appended, written to DIR/short.yaml.
func shortSmallMiner(in dir: URL, adding: String = "") throws -> (file: URL, text: String) {
    let file = dir.appendingPathComponent("short.yaml")
    let text = try String(contentsOf: repositoryRoot.appendingPathComponent("Models/small-miner-20mw.yaml"), encoding: .utf8)
        .replacingOccurrences(of: "horizonMonths: 60", with: "horizonMonths: 6")
        .replacingOccurrences(of: "startMonth: 7", with: "startMonth: 2") + adding
    try text.write(to: file, atomically: true, encoding: .utf8)
    return (file, text)
}

func scratchDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("switchyard-cli-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

struct CLITests {
    @Test("An invalid scenario exits non-zero, lists its problems and writes nothing")
    func invalidScenarioWritesNothing() throws {
        let dir = try scratchDirectory()
        let scenario = dir.appendingPathComponent("bad.yaml")
        let text = try String(contentsOf: repositoryRoot.appendingPathComponent("Models/texas-200mw.yaml"), encoding: .utf8)
            .replacingOccurrences(of: "interconnectMW: 200", with: "interconnectMW: -200")
        try text.write(to: scenario, atomically: true, encoding: .utf8)
        let ledger = dir.appendingPathComponent("ledger.csv")
        let run = try switchyard(["simulate", scenario.path, "--ledger", ledger.path])
        #expect(run.status != 0)
        #expect(run.stderr.contains("site.interconnectMW = -200: must be between 0.001 and 100000.0"))
        #expect(run.stderr.contains("bad.yaml"))
        #expect(!FileManager.default.fileExists(atPath: ledger.path))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["bad.yaml"], "no temporary files left")
    }

    @Test("simulate writes a ledger whose numbers parse back; an existing file needs --force")
    func ledgerRoundTrip() throws {
        let dir = try scratchDirectory()
        let ledger = dir.appendingPathComponent("ledger.csv")
        let scenario = repositoryRoot.appendingPathComponent("Models/small-miner-20mw.yaml").path
        let run = try switchyard(["simulate", scenario, "--seed", "7", "--ledger", ledger.path])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("NPV at 15.0%"))
        let lines = try String(contentsOf: ledger, encoding: .utf8).components(separatedBy: "\r\n").filter { !$0.isEmpty }
        #expect(lines.count == 61, "header + 60 months")
        let header = lines[0].split(separator: ",").map(String.init)
        #expect(header.prefix(3) == ["month", "date", "mining_revenue_usd"])
        let fcf = header.firstIndex(of: "free_cash_flow_usd")!
        let revenue = header.firstIndex(of: "revenue_usd")!
        let cost = ["energy_cost_usd", "opex_usd", "capex_usd"].map { header.firstIndex(of: $0)! }
        for line in lines.dropFirst() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            let values = fields.map { Double($0) }
            let recomputed = values[revenue]! - cost.reduce(0) { $0 + values[$1]! }
            #expect(abs(values[fcf]! - recomputed) <= 1e-6 * max(1, abs(recomputed)), "\(fields[1])")
        }
        let again = try switchyard(["simulate", scenario, "--ledger", ledger.path])
        #expect(again.status != 0)
        #expect(again.stderr.contains("already exists; pass --force"))
        let forced = try switchyard(["simulate", scenario, "--ledger", ledger.path, "--force"])
        #expect(forced.status == 0)
    }

    @Test("With no scenario, simulate runs the built-in reference site")
    func builtinReferenceSite() throws {
        let run = try switchyard(["simulate", "--seed", "3"])
        #expect(run.status == 0)
        #expect(run.stdout.contains("Texas 200 MW reference site"))
    }

    @Test("risk --csv writes the same bytes for any --threads; bad options are refused")
    func riskCSV() throws {
        let dir = try scratchDirectory()
        let scenario = try shortSmallMiner(in: dir).file
        var files: [[String: Data]] = []
        for threads in ["1", "2"] {
            let out = dir.appendingPathComponent("t\(threads)")
            let run = try switchyard([
                "risk", scenario.path, "--paths", "12", "--seed", "4", "--threads", threads, "--tornado", "--csv", out.path,
                "--quiet",
            ])
            #expect(run.status == 0, "\(run.stderr)")
            #expect(run.stdout.contains("NPV mean"))
            var contents: [String: Data] = [:]
            for name in ["paths.csv", "monthly.csv", "summary.csv", "sensitivity.csv"] {
                contents[name] = try Data(contentsOf: out.appendingPathComponent(name))
            }
            files.append(contents)
        }
        #expect(files[0] == files[1])
        let bad = try switchyard(["risk", scenario.path, "--precision", "150%"])
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("--precision must be a share from 1e-06 up to (not including) 1"))
        let tiny = try switchyard(["risk", scenario.path, "--precision", "1e-300"])
        #expect(tiny.status == 64, "a usage error: \(tiny.stderr)")
        // --max-loss takes a share the same way, and only with its objective.
        let percent = try switchyard(["plan", "--objective", "loss", "--max-loss", "250%"])
        #expect(percent.stderr.contains("--max-loss must be a share"))
        let alone = try switchyard(["plan", "--max-loss", "5%"])
        #expect(alone.stderr.contains("--max-loss applies only with --objective loss"))
        let negative = try switchyard(["risk", "--seed", "-1"])
        #expect(negative.status == 64)
        #expect(negative.stderr.contains("'-1' is invalid for '--seed"), "\(negative.stderr)")
    }

    @Test("simulate and risk write --xlsx and --json; existing files need --force")
    func workbookAndJSON() throws {
        let dir = try scratchDirectory()
        let book = dir.appendingPathComponent("site.xlsx").path
        let json = dir.appendingPathComponent("site.json").path
        let run = try switchyard(["simulate", "--seed", "2", "--xlsx", book, "--json", json])
        #expect(run.status == 0, "\(run.stderr)")
        let header = try Data(contentsOf: URL(fileURLWithPath: book)).prefix(2)
        #expect(header == Data("PK".utf8), "an XLSX file is a zip")
        struct PathJSON: Decodable { var command: String; var seed: UInt64; var npvUSD: Double }
        let decoded = try JSONDecoder().decode(PathJSON.self, from: Data(contentsOf: URL(fileURLWithPath: json)))
        #expect(decoded.command == "simulate" && decoded.seed == 2)
        #expect(decoded.npvUSD.isFinite)
        let again = try switchyard(["simulate", "--xlsx", book])
        #expect(again.status != 0 && again.stderr.contains("already exists; pass --force"))
    }

    @Test("plan prints a recommendation and writes a workbook with a Plan sheet")
    func plan() throws {
        let dir = try scratchDirectory()
        let scenario = dir.appendingPathComponent("short.yaml")
        let text = try String(contentsOf: repositoryRoot.appendingPathComponent("Models/small-miner-20mw.yaml"), encoding: .utf8)
            .replacingOccurrences(of: "horizonMonths: 60", with: "horizonMonths: 12")
            .replacingOccurrences(of: "startMonth: 7", with: "startMonth: 2")
        try text.write(to: scenario, atomically: true, encoding: .utf8)
        let book = dir.appendingPathComponent("plan.xlsx").path
        let run = try switchyard([
            "plan", scenario.path, "--paths", "4", "--training-paths", "2", "--step", "6", "--xlsx", book, "--quiet",
        ])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("Recommendation: "))
        #expect(run.stdout.contains("Value of flexibility"))
        #expect(!run.stderr.contains("WARNING"), "libxlsxwriter accepted every chart setting: \(run.stderr)")
        let workbook = try zipPart(book, "xl/workbook.xml")
        #expect(workbook.contains("<sheet name=\"Plan\""))
        #expect(workbook.contains("<sheet name=\"Conversion months\""))
        #expect(run.stdout.contains("When the recommended policy converts (fresh paths):"))
        #expect(run.stdout.contains("Block 1 ("))
        let bad = try switchyard(["plan", scenario.path, "--objective", "cvar"])
        #expect(bad.status != 0 && bad.stderr.contains("--objective cvar needs --max-cvar"))
    }

    /// Killed while its outputs are written: the run is held with its outputs staged (the
    /// test hook SWITCHYARD_TEST_PAUSE_BEFORE_COMMIT) and killed with SIGKILL, which no
    /// handler sees. No output may exist under its own name; the staged temporaries may
    /// stay (nothing can remove them after SIGKILL), under names that say so. A writer
    /// that wrote straight to the destination (checked by replacing AtomicFile's staging
    /// with a direct write) leaves risk.xlsx and risk.xlsx.json here and fails.
    @Test("A run killed (SIGKILL) while writing leaves no output file under its own name")
    func killedRunLeavesNothing() throws {
        let dir = try scratchDirectory()
        let book = dir.appendingPathComponent("risk.xlsx").path
        let process = Process()
        let products = Bundle.main.bundleURL.hasDirectoryPath
            ? Bundle.main.bundleURL : Bundle.main.bundleURL.deletingLastPathComponent()
        process.executableURL = products.appendingPathComponent("switchyard")
        process.arguments = ["risk", "--paths", "20", "--xlsx", book, "--json", book + ".json", "--quiet"]
        var environment = ProcessInfo.processInfo.environment
        environment["SWITCHYARD_TEST_PAUSE_BEFORE_COMMIT"] = "10"
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        var staged: [String] = []
        for _ in 0..<600 where staged.count < 2 {
            Thread.sleep(forTimeInterval: 0.05)
            staged = ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).filter { $0.hasSuffix(".tmp") }
        }
        #expect(staged.count == 2, "the run staged both outputs: \(staged)")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path)
        #expect(!names.contains("risk.xlsx") && !names.contains("risk.xlsx.json"), "no output under its own name: \(names)")
        #expect(names.allSatisfy { $0.hasSuffix(".tmp") && $0.hasPrefix(".") }, "only hidden temporaries: \(names)")
    }

    @Test("calibrate refuses the BTC file's null rows, then fits with --skip-bad-rows")
    func calibrate() throws {
        let file = repositoryRoot.appendingPathComponent("Examples/data/btc-usd-daily-2014-2021.csv").path
        let refused = try switchyard(["calibrate", file])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("line 2041"))
        let fitted = try switchyard(["calibrate", file, "--skip-bad-rows", "--model", "gbm"])
        #expect(fitted.status == 0)
        #expect(fitted.stdout.contains("volatility     0.755014"))
    }
}

/// The valuation options on the command line.
struct ValuationCLITests {
    @Test("simulate shows the terminal value and its parts; --no-terminal-value gives the truncated view")
    func terminalValueSwitch() throws {
        let dir = try scratchDirectory()
        let json = dir.appendingPathComponent("path.json").path
        let on = try switchyard(["simulate", "--json", json])
        #expect(on.status == 0, "\(on.stderr)")
        #expect(on.stdout.contains("Terminal value at the end of 2040-12"))
        #expect(on.stdout.contains("terminal value included"))
        let text = try String(contentsOfFile: json, encoding: .utf8)
        #expect(text.contains("\"terminalValue\""))
        let off = try switchyard(["simulate", "--no-terminal-value"])
        #expect(off.status == 0)
        #expect(off.stdout.contains("no terminal value: nothing after 2040-12 counts"))
        #expect(!off.stdout.contains("Terminal value at"))
    }

    @Test("The two-hall example: simulate reports the cloud's placement and fragmentation, in the text, the JSON and the ledger")
    func twoHallExample() throws {
        let dir = try scratchDirectory()
        let json = dir.appendingPathComponent("two-hall.json").path
        let ledger = dir.appendingPathComponent("ledger.csv").path
        let scenario = repositoryRoot.appendingPathComponent("Examples/two-hall-gpu-cloud/two-hall-gpu-cloud.yaml").path
        let run = try switchyard(["simulate", scenario, "--json", json, "--ledger", ledger])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("jobs placed within one pod of 4 racks (best fit):"), "\(run.stdout)")
        // The committed ledger is this run's.
        let committed = try String(contentsOfFile: repositoryRoot.appendingPathComponent("Examples/two-hall-gpu-cloud/ledger.csv").path, encoding: .utf8)
        #expect(try String(contentsOfFile: ledger, encoding: .utf8) == committed)
        // The JSON's totals are the ledger's column sums.
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as? [String: Any]
        let cloud = try #require(object?["gpuCloud"] as? [String: Any])
        #expect(cloud["placementDomain"] as? String == "pod")
        let rows = committed.split(separator: "\r\n").map { $0.split(separator: ",").map(String.init) }
        let column = try #require(rows.first?.firstIndex(of: "fragmented_gpu_hours"))
        let total = rows.dropFirst().reduce(0.0) { $0 + (Double($1[column]) ?? .nan) }
        let fragmented = try #require(cloud["fragmentedGPUHours"] as? Double)
        #expect(total > 0 && abs(fragmented - total) <= 1e-9 * total, "\(fragmented) vs \(total)")
    }

    @Test("Bad valuation keys are reported with the file, field, value and rule")
    func badValuation() throws {
        let dir = try scratchDirectory()
        let scenario = dir.appendingPathComponent("bad.yaml")
        let text = try String(contentsOf: repositoryRoot.appendingPathComponent("Models/texas-200mw.yaml"), encoding: .utf8)
            .replacingOccurrences(of: "  growthPerYear: 0.03          # GUESS: a refreshed", with: "  growthPerYear: 0.2           # GUESS: a refreshed")
            .replacingOccurrences(of: "terminalValue: gordon", with: "terminalValue: gordon\n  multipel: 3")
            .replacingOccurrences(of: "probability: 0.75", with: "probability: 1.75")
        try text.write(to: scenario, atomically: true, encoding: .utf8)
        let run = try switchyard(["simulate", scenario.path])
        #expect(run.status != 0)
        let message = run.stderr + run.stdout
        #expect(message.contains("valuation.growthPerYear = 0.2: must be at least 1 point below discountRatePerYear"), "\(message)")
        #expect(message.contains("valuation.multipel"), "\(message)")
        #expect(message.contains("renewals.probability = 1.75: must be between 0 and 1"), "\(message)")
    }

    @Test("risk --compare never: the paired difference against never converting")
    func compareNever() throws {
        let run = try switchyard(["risk", "--paths", "20", "--compare", "never", "--quiet"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("(never convert) minus Texas 200 MW reference site"))
        #expect(run.stdout.contains("difference P5"))
        #expect(run.stdout.contains("is worse on"))
    }
}

/// Issue 15's hostile inputs that trapped, hung or gave non-finite numbers: each now
/// gets a clean error (non-zero exit, the field named, no trap).
struct HostileInputTests {
    static let cases: [(file: String, old: String, new: String, field: String)] = [
        ("small-miner-20mw", "gpusPerJob: [8, 16, 32, 64, 128]", "gpusPerJob: [1e19]", "gpusPerJob[0]"),
        ("small-miner-20mw", "gpus: 1024                   #", "gpus: 9223372036854775807 #", "gpuCloud.gpus"),
        ("texas-200mw", "initialBlockHeight: 930400", "initialBlockHeight: 9223372036854775807", "initialBlockHeight"),
        ("texas-200mw", "kWPerRack: 50", "kWPerRack: 1e20", "kWPerRack"),
        ("small-miner-20mw", "sdHours: 96", "sdHours: 1e308", "sdHours"),
        ("texas-200mw", "    volatility: 0.29           # fit", "    volatility: 1e308          # fit", "bitcoin.network.volatility"),
        ("texas-200mw", "logVolatility: 4.65", "logVolatility: 1e308", "fees.logVolatility"),
        ("texas-200mw", "    volatility: 39 ", "    volatility: 1e308 ", "market.volatility"),
        ("small-miner-20mw", "    volatility: 0.25", "    volatility: 1e308", "price.volatility"),
        ("texas-200mw", "spikesPerYear: 0 ", "spikesPerYear: 1e13 ", "spikesPerYear"),
        ("small-miner-20mw", "spikeLogSD: 0.4", "spikeLogSD: 1e3", "spikeLogSD"),
        ("small-miner-20mw", "spikeLogMean: 1.2", "spikeLogMean: 1e3", "spikeLogMean"),
        ("small-miner-20mw", "jumpLogMean: -0.03", "jumpLogMean: 1e3", "jumpLogMean"),
        ("small-miner-20mw", "jumpLogSD: 0.12", "jumpLogSD: 100", "jumpLogSD"),
        ("small-miner-20mw", "jumpsPerYear: 6 ", "jumpsPerYear: 1e100 ", "jumpsPerYear"),
        ("texas-200mw", "initialHashrateEHs: 1045", "initialHashrateEHs: 1e308", "initialHashrateEHs"),
        ("texas-200mw", "btcPerBlock: 0.02 ", "btcPerBlock: 1e308 ", "btcPerBlock"),
        ("texas-200mw", "initialUSD: 87509", "initialUSD: 1e308", "initialUSD"),
        ("texas-200mw", "      low: 60000               # GUESS", "      low: -1                  # GUESS", "sensitivity.ranges[1].low"),
    ]

    @Test("Hostile scenario values are refused with the field named, never a trap", arguments: 0..<19)
    func refused(index: Int) throws {
        let c = Self.cases[index]
        let dir = try scratchDirectory()
        let path = dir.appendingPathComponent("hostile.yaml")
        let text = try String(contentsOf: repositoryRoot.appendingPathComponent("Models/\(c.file).yaml"), encoding: .utf8)
        #expect(text.contains(c.old), "case \(index): the scenario no longer has '\(c.old)'")
        try text.replacingOccurrences(of: c.old, with: c.new).write(to: path, atomically: true, encoding: .utf8)
        let run = try switchyard(["simulate", path.path])
        #expect(run.status == 1, "case \(index): exit \(run.status)")
        #expect(run.stderr.contains(c.field), "case \(index): \(run.stderr)")
    }

    @Test("A run whose arithmetic overflows stops with the path and month named, in simulate, risk and plan")
    func nonFiniteStops() throws {
        let dir = try scratchDirectory()
        let path = dir.appendingPathComponent("overflow.yaml")
        let text = try String(contentsOf: repositoryRoot.appendingPathComponent("Models/texas-200mw.yaml"), encoding: .utf8)
            .replacingOccurrences(of: "    model: gbm", with: "    model: merton")
            .replacingOccurrences(of: "    drift: 0.15                # GUESS", with: "    drift: 0.15\n    jumpsPerYear: 1000\n    jumpLogMean: 5\n    jumpLogSD: 1")
        try text.write(to: path, atomically: true, encoding: .utf8)
        let json = dir.appendingPathComponent("r.json").path
        for arguments in [["simulate", path.path], ["risk", path.path, "--paths", "8", "--quiet", "--json", json], ["plan", path.path, "--paths", "4", "--training-paths", "3", "--quiet"]] {
            let run = try switchyard(arguments)
            #expect(run.status == 1, "\(arguments[0]): exit \(run.status)")
            #expect(run.stderr.contains("gave a non-finite"), "\(arguments[0]): \(run.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: json), "no output from a failed run")
    }
}

/// Output paths are checked before any work.
struct OutputCheckTests {
    @Test("Two outputs on one file, a device, a folder or a missing folder are refused before the run")
    func refusedBeforeTheRun() throws {
        let dir = try scratchDirectory()
        let x = dir.appendingPathComponent("x.out").path
        let same = try switchyard(["simulate", "--xlsx", x, "--json", x, "--force"])
        #expect(same.status != 0)
        #expect(same.stderr.contains("are the same file"), "\(same.stderr)")
        #expect(!FileManager.default.fileExists(atPath: x))
        let device = try switchyard(["simulate", "--json", "/dev/null", "--force"])
        #expect(device.status != 0)
        #expect(device.stderr.contains("is not a regular file"), "\(device.stderr)")
        let folder = try switchyard(["simulate", "--json", dir.path, "--force"])
        #expect(folder.stderr.contains("is a folder"), "\(folder.stderr)")
        let missing = try switchyard(["risk", "--paths", "100000", "--json", dir.appendingPathComponent("no/such/r.json").path])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("does not exist"), "\(missing.stderr)")
        // The scenario the run reads is not an output, even with --force (through a link too).
        let (scenario, text) = try shortSmallMiner(in: dir)
        let input = try switchyard(["simulate", scenario.path, "--json", scenario.path, "--force"])
        #expect(input.status != 0)
        #expect(input.stderr.contains("is a file this run reads"), "\(input.stderr)")
        #expect(try String(contentsOf: scenario, encoding: .utf8) == text)
        let link = dir.appendingPathComponent("link.json")
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: scenario)
        let linked = try switchyard(["simulate", scenario.path, "--json", link.path, "--force"])
        #expect(linked.stderr.contains("is a file this run reads"), "\(linked.stderr)")
        // A link to nothing is still a name in use: --force is needed to replace it.
        let dangling = dir.appendingPathComponent("dangling.json")
        try FileManager.default.createSymbolicLink(at: dangling, withDestinationURL: dir.appendingPathComponent("nothing.json"))
        let refused = try switchyard(["simulate", scenario.path, "--json", dangling.path])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("exists"), "\(refused.stderr)")
    }

    @Test("plan: a size list with a size that gives no GPU is refused; too few least-squares paths is refused")
    func planSizeRules() throws {
        let dir = try scratchDirectory()
        let (scenario, text) = try shortSmallMiner(in: dir)
        try text.replacingOccurrences(of: "    megawatts: 4 ", with: "    megawatts: [4, 0.001] ").write(to: scenario, atomically: true, encoding: .utf8)
        let run = try switchyard(["plan", scenario.path, "--training-paths", "4", "--paths", "4", "--quiet"])
        #expect(run.status == 1)
        #expect(run.stderr.contains("conversions[0].megawatts = 0.001: gives no GPU at this size"), "\(run.stderr)")
        let few = try switchyard(["plan", "--least-squares-paths", "20"])
        #expect(few.status == 64)
        #expect(few.stderr.contains("--least-squares-paths must be at least 30"), "\(few.stderr)")
    }

    @Test("An undefined figure is null in JSON, never \"nan\"")
    func nullNotNaN() throws {
        let dir = try scratchDirectory()
        let json = dir.appendingPathComponent("p.json").path
        let run = try switchyard(["simulate", "--json", json])
        #expect(run.status == 0)
        let text = try String(contentsOfFile: json, encoding: .utf8)
        #expect(!text.contains("\"nan\"") && !text.contains("\"inf\""))
        // The Texas site's IRR is not meaningful: written as null, with the reason beside it.
        #expect(text.contains("\"irr\" : null"), "\(text.prefix(600))")
    }
}

/// Interrupted runs leave the previous outputs whole and no temporary file.
struct InterruptTests {
    @Test("SIGINT and SIGTERM while the outputs are staged: old outputs intact, no temporaries, exit 130/143")
    func interruptWhileWriting() throws {
        let dir = try scratchDirectory()
        let csv = dir.appendingPathComponent("csv").path
        let json = dir.appendingPathComponent("r.json").path
        let xlsx = dir.appendingPathComponent("r.xlsx").path
        let first = try switchyard(["risk", "--paths", "20", "--csv", csv, "--json", json, "--xlsx", xlsx, "--quiet"])
        #expect(first.status == 0, "\(first.stderr)")
        let before = try [json, xlsx, csv + "/paths.csv", csv + "/summary.csv"].map { try Data(contentsOf: URL(fileURLWithPath: $0)) }
        for (signal, code) in [(SIGINT, Int32(130)), (SIGTERM, Int32(143))] {
            let products = Bundle.main.bundleURL.hasDirectoryPath ? Bundle.main.bundleURL : Bundle.main.bundleURL.deletingLastPathComponent()
            let process = Process()
            process.executableURL = products.appendingPathComponent("switchyard")
            // Another seed: new outputs would differ from the old ones.
            process.arguments = ["risk", "--paths", "20", "--seed", "7", "--csv", csv, "--json", json, "--xlsx", xlsx, "--quiet", "--force"]
            var environment = ProcessInfo.processInfo.environment
            environment["SWITCHYARD_TEST_PAUSE_BEFORE_COMMIT"] = "5"
            process.environment = environment
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            // Wait until the outputs are staged (their temporaries exist), then interrupt.
            var staged = false
            for _ in 0..<600 where !staged {
                Thread.sleep(forTimeInterval: 0.05)
                let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
                let csvNames = (try? FileManager.default.contentsOfDirectory(atPath: csv)) ?? []
                staged = (names + csvNames).filter { $0.hasSuffix(".tmp") }.count >= 6
            }
            #expect(staged, "the run staged its outputs")
            kill(process.processIdentifier, signal)
            process.waitUntilExit()
            #expect(process.terminationStatus == code)
            let names = try FileManager.default.contentsOfDirectory(atPath: dir.path) + FileManager.default.contentsOfDirectory(atPath: csv)
            #expect(names.allSatisfy { !$0.hasSuffix(".tmp") }, "temporaries left: \(names)")
            let after = try [json, xlsx, csv + "/paths.csv", csv + "/summary.csv"].map { try Data(contentsOf: URL(fileURLWithPath: $0)) }
            #expect(after == before, "the previous outputs are intact")
        }
    }
}

/// A bug that traps reaches the user as exit 70 and one line, not a bare crash.
struct InternalErrorTests {
    @Test("A trap exits 70 with a one-line request to report it")
    func trapIsExit70() throws {
        let products = Bundle.main.bundleURL.hasDirectoryPath ? Bundle.main.bundleURL : Bundle.main.bundleURL.deletingLastPathComponent()
        let process = Process()
        process.executableURL = products.appendingPathComponent("switchyard")
        process.arguments = ["version"]
        var environment = ProcessInfo.processInfo.environment
        environment["SWITCHYARD_TEST_TRAP"] = "1"
        environment.removeValue(forKey: "SWITCHYARD_BACKTRACE")
        process.environment = environment
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 70)
        #expect(stderr.contains("internal error (exit 70): this is a bug; please report it"), "\(stderr)")
    }
}

/// The rest of issue 15's command-line cases.
struct HostileCommandTests {
    @Test("Absurd path counts, demand rates and calibration inputs are refused before any work")
    func refused() throws {
        let paths = try switchyard(["risk", "--paths", "1000000000000"])
        #expect(paths.status == 64)
        #expect(paths.stderr.contains("--paths must be at most 10,000,000"))
        let dir = try scratchDirectory()
        let scenario = dir.appendingPathComponent("rate.yaml")
        try String(contentsOf: repositoryRoot.appendingPathComponent("Models/small-miner-20mw.yaml"), encoding: .utf8)
            .replacingOccurrences(of: "jobsPerDay: 6 ", with: "jobsPerDay: 1e6 ")
            .write(to: scenario, atomically: true, encoding: .utf8)
        let rate = try switchyard(["simulate", scenario.path])
        #expect(rate.status == 1)
        #expect(rate.stderr.contains("jobsPerDay = 1e6: must be between"), "\(rate.stderr)")
        // A constant-growth series: no volatility to fit, said at once.
        var csv = "Close\n"
        for d in 0..<400 { csv += "\(100 * exp(0.001 * Double(d)))\n" }
        let series = dir.appendingPathComponent("geo.csv")
        try csv.write(to: series, atomically: true, encoding: .utf8)
        let merton = try switchyard(["calibrate", series.path, "--model", "merton"])
        #expect(merton.status == 1)
        #expect(merton.stderr.contains("the returns do not vary"), "\(merton.stderr)")
        // An existing --yaml is refused before the fit is printed.
        let yaml = dir.appendingPathComponent("fit.yaml")
        try "x".write(to: yaml, atomically: true, encoding: .utf8)
        let exists = try switchyard(["calibrate", repositoryRoot.appendingPathComponent("Examples/data/btc-usd-daily-2014-2021.csv").path, "--skip-bad-rows", "--yaml", yaml.path])
        #expect(exists.status != 0)
        #expect(exists.stdout.isEmpty, "nothing printed before the refusal")
        #expect(exists.stderr.contains("already exists"))
    }

    @Test("simulate WORKBOOK.xlsx runs the scenario of its Inputs sheet: the same ledger as the YAML; scenario export writes it back")
    func workbookAsScenario() throws {
        let dir = try scratchDirectory()
        let scenario = repositoryRoot.appendingPathComponent("Models/small-miner-20mw.yaml").path
        let book = dir.appendingPathComponent("run.xlsx").path
        let ledger = dir.appendingPathComponent("ledger.csv").path
        let first = try switchyard(["simulate", scenario, "--seed", "9", "--xlsx", book, "--ledger", ledger])
        #expect(first.status == 0, "\(first.stderr)")
        let again = dir.appendingPathComponent("again.csv").path
        let second = try switchyard(["simulate", book, "--seed", "9", "--ledger", again])
        #expect(second.status == 0, "\(second.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: ledger)) == Data(contentsOf: URL(fileURLWithPath: again)))
        // Export to YAML and run that: the same ledger again.
        let yaml = dir.appendingPathComponent("site.yaml").path
        let export = try switchyard(["scenario", "export", book, "-o", yaml])
        #expect(export.status == 0, "\(export.stderr)")
        let third = dir.appendingPathComponent("third.csv").path
        #expect(try switchyard(["simulate", yaml, "--seed", "9", "--ledger", third]).status == 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: ledger)) == Data(contentsOf: URL(fileURLWithPath: third)))
        // The export refuses to overwrite without --force, its own input even with it, and an empty name.
        let refused = try switchyard(["scenario", "export", book, "-o", yaml])
        #expect(refused.status != 0 && refused.stderr.contains("already exists"), "\(refused.stderr)")
        let own = try switchyard(["scenario", "export", book, "-o", book, "--force"])
        #expect(own.status != 0 && own.stderr.contains("is the file being exported"), "\(own.stderr)")
        #expect(try switchyard(["simulate", book, "--seed", "9"]).status == 0, "the workbook is intact")
        let empty = try switchyard(["scenario", "export", book, "-o", ""])
        #expect(empty.status != 0 && empty.stderr.contains("empty file name"), "\(empty.stderr)")
    }

    /// The scalar leaves of a YAML document as dotted keys (`bitcoin.price.drift`).
    static func leaves(_ yaml: String) throws -> [(String, String)] {
        func walk(_ node: Node, _ path: String) -> [(String, String)] {
            switch node {
            case .mapping(let m): return m.flatMap { walk($0.value, path.isEmpty ? $0.key.string! : "\(path).\($0.key.string!)") }
            case .sequence(let items): return items.enumerated().flatMap { walk($1, "\(path)[\($0)]") }
            case .scalar(let scalar): return [(path, scalar.string)]
            case .alias: return []
            }
        }
        return try Yams.compose(yaml: yaml).map { walk($0, "") } ?? []
    }

    @Test("calibrate --yaml: every fragment's keys merge into a scenario as they are, and the scenario runs")
    func calibrateFragmentsPaste() throws {
        let dir = try scratchDirectory()
        // Synthetic daily fees and hourly power prices (deterministic), and real BTC closes.
        var fees = "date,fees_btc\n", power = "date,hour_ending,price\n"
        var x = 0.0, y = 0.0
        var state: UInt64 = 12345
        func noise() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53) - 0.5
        }
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd"
        formatter.timeZone = TimeZone(identifier: "UTC")
        for day in 0..<730 {
            let date = formatter.string(from: Date(timeIntervalSince1970: 1_577_836_800 + Double(day) * 86_400))
            x = 0.9 * x + noise()
            fees += "\(date),\(String(format: "%.4f", 144 * 0.05 * exp(x)))\n"
            for hour in 1...24 {
                y = 0.8 * y + 0.6 * noise()
                let season = 0.2 * sin(2 * Double.pi * Double(day) / 365)
                power += "\(date),\(hour),\(String(format: "%.2f", 30 * exp(season + y)))\n"
            }
        }
        let feesFile = dir.appendingPathComponent("fees.csv").path
        let powerFile = dir.appendingPathComponent("power.csv").path
        try fees.write(toFile: feesFile, atomically: true, encoding: .utf8)
        try power.write(toFile: powerFile, atomically: true, encoding: .utf8)
        let btc = repositoryRoot.appendingPathComponent("Examples/data/btc-usd-daily-2014-2021.csv").path
        let runs: [(String, [String])] = [
            ("gbm", [btc, "--model", "gbm", "--column", "Close", "--date-column", "Date", "--skip-bad-rows"]),
            ("merton", [btc, "--model", "merton", "--column", "Close", "--date-column", "Date", "--skip-bad-rows"]),
            ("ou", [feesFile, "--model", "ou", "--column", "fees_btc", "--date-column", "date", "--skip-bad-rows"]),
            ("fees", [feesFile, "--model", "fees", "--column", "fees_btc", "--date-column", "date"]),
            ("electricity", [powerFile, "--model", "electricity", "--column", "price", "--date-column", "date", "--hour-column", "hour_ending", "--periods-per-year", "8760", "--step-hours", "6"]),
        ]
        let base = try ScenarioLoader.builtin()
        for (name, arguments) in runs {
            let fragment = dir.appendingPathComponent("\(name).yaml").path
            let fit = try switchyard(["calibrate"] + arguments + ["--yaml", fragment])
            #expect(fit.status == 0, "\(name): \(fit.stderr)")
            let text = try String(contentsOfFile: fragment, encoding: .utf8)
            #expect(text.contains("--date-column") && text.contains("--periods-per-year"), "\(name): the header gives the whole command")
            // Merge: the fragment's keys replace the scenario's, key by key.
            var entries = ScenarioExport.entries(base)
            let keys = try Self.leaves(text)
            #expect(!keys.isEmpty, "\(name)")
            for (key, value) in keys {
                if let k = entries.firstIndex(where: { $0.key == key }) {
                    entries[k].value = .text(value)
                } else {
                    entries.append(ScenarioEntry(key: key, value: .text(value)))
                }
            }
            if name == "electricity" || name == "ou" {
                // The fit gives the base level; the scenario's long-run mean gives way to it.
                entries.removeAll { $0.key == "electricity.market.meanPriceUSDPerMWh" }
            }
            let merged: Scenario
            do {
                merged = try ScenarioLoader.load(entries: entries, file: "\(name) pasted", baseDirectory: nil) { "row \($0)" }
            } catch {
                Issue.record("\(name): the pasted fragment does not load: \(error)")
                continue
            }
            // The fitted values are the scenario's now.
            let volatility = keys.first { $0.0.hasSuffix(".volatility") || $0.0.hasSuffix(".logVolatility") }.flatMap { Double($0.1) }
            switch name {
            case "gbm", "merton": #expect(merged.bitcoin.volatility == volatility && merged.bitcoin.priceModel.rawValue == name)
            case "fees": #expect(merged.bitcoin.feeLogVolatility == volatility)
            default: #expect(merged.electricity.market.volatility == volatility)
            }
            let file = dir.appendingPathComponent("\(name)-scenario.yaml").path
            try ScenarioExport.yaml(merged).write(toFile: file, atomically: true, encoding: .utf8)
            let run = try switchyard(["simulate", file, "--seed", "1"])
            #expect(run.status == 0, "\(name): \(run.stderr)")
        }
        // A file name with line breaks stays in the header's comment: no key comes of it.
        let hostile = dir.appendingPathComponent("x\rbitcoin: {price: {volatility: 4}} #\nhorizonMonths: 1 #.csv").path
        try FileManager.default.copyItem(atPath: feesFile, toPath: hostile)
        let fragment = try switchyard(["calibrate", hostile, "--model", "fees", "--column", "fees_btc", "--date-column", "date", "--yaml", "-"])
        #expect(fragment.status == 0, "\(fragment.stderr)")
        let yamlPart = fragment.stdout[fragment.stdout.range(of: "# switchyard calibrate")!.lowerBound...]
        let keys = try Self.leaves(String(yamlPart)).map(\.0)
        #expect(!keys.isEmpty && keys.allSatisfy { $0.hasPrefix("bitcoin.fees.") }, "\(keys)")
    }

    @Test("Analyst output: summary.csv numbers only in `value`, JSON null for undefined figures, monthly.csv as the sheet, labels that say what was done")
    func analystConsistency() throws {
        let dir = try scratchDirectory()
        let (scenario, text) = try shortSmallMiner(
            in: dir, adding: "\nsensitivity:\n  swing: 0.1\n  ranges:\n    - {input: BTC price (initial), low: 60000, high: 120000}\n")
        let other = dir.appendingPathComponent("longer.yaml")
        try text.replacingOccurrences(of: "horizonMonths: 6", with: "horizonMonths: 7").write(to: other, atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("csv")
        let json = dir.appendingPathComponent("risk.json").path
        let run = try switchyard([
            "risk", scenario.path, "--paths", "16", "--seed", "3", "--tornado", "--swing", "30%", "--compare", other.path,
            "--csv", out.path, "--json", json, "--xlsx", dir.appendingPathComponent("risk.xlsx").path, "--quiet",
        ])
        #expect(run.status == 0, "\(run.stderr)")
        // summary.csv: the value column parses as a number on every row (or is blank).
        let summary = try String(contentsOf: out.appendingPathComponent("summary.csv"), encoding: .utf8)
        // CSV lines end in CRLF (RFC 4180).
        let rows = summary.components(separatedBy: "\r\n").filter { !$0.isEmpty }.map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        #expect(rows[0] == ["statistic", "value", "unit", "note"])
        for row in rows.dropFirst() {
            #expect(row[1].isEmpty || Double(row[1]) != nil, "\(row)")
        }
        #expect(rows.contains { $0[0] == "scenario" && $0[1].isEmpty && $0.last!.contains("Small miner") })
        // monthly.csv: the Monthly sheet's revenue and input columns.
        let monthly = try String(contentsOf: out.appendingPathComponent("monthly.csv"), encoding: .utf8)
        for column in ["mining_revenue_mean_usd", "curtailment_credits_revenue_mean_usd", "btc_price_p50_usd", "gpu_price_p95_usd_per_gpu_hour"] {
            #expect(monthly.components(separatedBy: "\r\n")[0].contains(column), "\(column)")
        }
        // JSON: undefined figures are null, not missing.
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as! [String: Any]
        for key in ["irr", "equityNPVUSD", "probabilityCashOut", "reachedPrecision"] {
            #expect(object.keys.contains(key), "\(key) present")
            #expect(object[key] is NSNull, "\(key) is null here")
        }
        // The tornado says how each input moved: the scenario's range, or its swing (0.1), not --swing.
        #expect(run.stdout.contains("BTC price (initial)") && run.stdout.contains("60,000") && run.stdout.contains("range"))
        #expect(run.stdout.contains("-/+10%") && !run.stdout.contains("-/+30%"), "\(run.stdout)")
        // Losses are said as losses, with the convention once.
        #expect(run.stdout.contains("VaR and CVaR are losses"))
        #expect(run.stdout.contains("VaR95 loss USD") || run.stdout.contains("VaR95 none"))
        #expect(!run.stderr.contains("[WARNING]"), "libxlsxwriter accepted every chart setting")
        // --compare warns when the horizons differ.
        #expect(run.stderr.contains("warning: --compare") && run.stderr.contains("horizonMonths 6 vs 7"), "\(run.stderr)")
    }
}

/// Issue 16: `risk --shard K/N` and `merge` give the single run's outputs byte for byte.
struct ShardCLITests {
    /// The files of an XLSX (a zip) as text, with the cell that records the command line
    /// taken out (the only one that may differ).
    static func workbookText(_ path: String) throws -> String {
        let unzip = Process()
        unzip.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        let pipe = Pipe()
        unzip.arguments = ["python3", "-c", "import zipfile,sys; z=zipfile.ZipFile(sys.argv[1]); [print(n, z.read(n).decode('utf-8','replace')) for n in sorted(z.namelist())]", path]
        unzip.standardOutput = pipe
        try unzip.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        unzip.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
            .replacingOccurrences(of: #"<t>(risk|merge|plan) [^<]*</t>"#, with: "<t>COMMAND</t>", options: .regularExpression)
    }

    @Test("Shards 1, 2, 3 and 7 of a risk run merge into its CSVs, JSON and workbook byte for byte", arguments: [1, 2, 3, 7])
    func mergeIsExact(n: Int) throws {
        let dir = try scratchDirectory()
        func path(_ name: String) -> String { dir.appendingPathComponent(name).path }
        let scenario = repositoryRoot.appendingPathComponent("Examples/two-hall-gpu-cloud/two-hall-gpu-cloud.yaml").path
        let single = try switchyard(["risk", scenario, "--paths", "15", "--seed", "4", "--csv", path("single"), "--json", path("single.json"), "--xlsx", path("single.xlsx"), "--quiet", "--threads", "2"])
        #expect(single.status == 0, "\(single.stderr)")
        var shards: [String] = []
        for k in 1...n {
            let file = path("s\(k).shard")
            let run = try switchyard(["risk", scenario, "--paths", "15", "--seed", "4", "--shard", "\(k)/\(n)", "--shard-file", file, "--quiet", "--threads", "1"])
            #expect(run.status == 0, "\(run.stderr)")
            shards.append(file)
        }
        let merged = try switchyard(["merge"] + shards.reversed() + ["--csv", path("merged"), "--json", path("merged.json"), "--xlsx", path("merged.xlsx"), "--quiet"])
        #expect(merged.status == 0, "\(merged.stderr)")
        for name in ["paths.csv", "monthly.csv", "yearly.csv", "summary.csv", "../single.json|../merged.json"] {
            let (a, b) = name.contains("|") ? ("single.json", "merged.json") : ("single/\(name)", "merged/\(name)")
            let one = try #require(FileManager.default.contents(atPath: path(a)), "\(a)")
            let other = try #require(FileManager.default.contents(atPath: path(b)), "\(b)")
            #expect(one.count > 100 && one == other, "\(name)")
        }
        #expect(try Self.workbookText(path("single.xlsx")) == Self.workbookText(path("merged.xlsx")))
        #expect(merged.stdout.components(separatedBy: "\nwrote").first == single.stdout.components(separatedBy: "\nwrote").first)
    }

    @Test("Shards of a risk run with --tornado and --compare merge into its outputs byte for byte (1, 2, 3 and 7 shards)")
    func tornadoAndCompareMergeExactly() throws {
        let dir = try scratchDirectory()
        func path(_ name: String) -> String { dir.appendingPathComponent(name).path }
        // The reference site over 38 months (its fleet refresh is in month 37): fast enough
        // for 2 x 15 tornado variants and the comparison on 7 paths.
        let yaml = try String(contentsOf: repositoryRoot.appendingPathComponent("Models/texas-200mw.yaml"), encoding: .utf8)
        let short = yaml.replacingOccurrences(of: "\nhorizonMonths: 180 ", with: "\nhorizonMonths: 38 ")
        #expect(short != yaml)
        let scenario = path("texas-38.yaml")
        try short.write(toFile: scenario, atomically: true, encoding: .utf8)
        let common = [scenario, "--paths", "7", "--seed", "11", "--tornado", "--compare", "never", "--quiet"]
        let single = try switchyard(["risk"] + common + ["--csv", path("single"), "--json", path("single.json"), "--xlsx", path("single.xlsx"), "--threads", "2"])
        #expect(single.status == 0, "\(single.stderr)")
        #expect(single.stdout.contains("Tornado:") && single.stdout.contains("Comparison on the same paths"))
        for n in [1, 2, 3, 7] {
            var shards: [String] = []
            for k in 1...n {
                let file = path("n\(n)-s\(k).shard")
                let run = try switchyard(["risk"] + common + ["--shard", "\(k)/\(n)", "--shard-file", file, "--threads", "1"])
                #expect(run.status == 0, "\(run.stderr)")
                shards.append(file)
            }
            let out = "n\(n)"
            let merged = try switchyard(["merge"] + shards.reversed() + ["--csv", path(out), "--json", path(out + ".json"), "--xlsx", path(out + ".xlsx"), "--quiet"])
            #expect(merged.status == 0, "\(merged.stderr)")
            for (a, b) in ["paths.csv", "monthly.csv", "yearly.csv", "summary.csv", "sensitivity.csv"].map({ ("single/\($0)", "\(out)/\($0)") })
                + [("single.json", out + ".json")]
            {
                let one = try #require(FileManager.default.contents(atPath: path(a)), "\(a)")
                let other = try #require(FileManager.default.contents(atPath: path(b)), "\(b)")
                #expect(one.count > 100 && one == other, "n = \(n): \(b)")
            }
            #expect(try Self.workbookText(path("single.xlsx")) == Self.workbookText(path(out + ".xlsx")), "n = \(n)")
            #expect(merged.stdout.components(separatedBy: "\nwrote").first == single.stdout.components(separatedBy: "\nwrote").first, "n = \(n)")
        }
        // A shard without the tornado, or compared with another scenario, is not of this run.
        let plain = try switchyard(["risk", scenario, "--paths", "7", "--seed", "11", "--compare", "never", "--quiet", "--shard", "2/2", "--shard-file", path("plain.shard")])
        #expect(plain.status == 0, "\(plain.stderr)")
        let mixed = try switchyard(["merge", path("n2-s1.shard"), path("plain.shard"), "--json", path("m.json")])
        #expect(mixed.status != 0 && mixed.stderr.contains("plain.shard is not a shard of the same run") && mixed.stderr.contains("no --tornado, not --tornado"), "\(mixed.stderr)")
        let otherCompare = try switchyard(["risk", scenario, "--paths", "7", "--seed", "11", "--tornado", "--compare", scenario, "--quiet", "--shard", "2/2", "--shard-file", path("other.shard")])
        #expect(otherCompare.status == 0, "\(otherCompare.stderr)")
        let compared = try switchyard(["merge", path("n2-s1.shard"), path("other.shard"), "--json", path("m.json")])
        #expect(compared.status != 0 && compared.stderr.contains("other.shard is not a shard of the same run") && compared.stderr.contains("--compare with 'Texas 200 MW reference site' (digest"), "\(compared.stderr)")
    }

    /// The small miner over 12 months: a plan that runs in seconds.
    static func shortPlanScenario(in dir: URL) throws -> String {
        let scenario = dir.appendingPathComponent("short.yaml")
        let text = try String(contentsOf: repositoryRoot.appendingPathComponent("Models/small-miner-20mw.yaml"), encoding: .utf8)
            .replacingOccurrences(of: "horizonMonths: 60", with: "horizonMonths: 12")
            .replacingOccurrences(of: "startMonth: 7", with: "startMonth: 2")
        try text.write(to: scenario, atomically: true, encoding: .utf8)
        return scenario.path
    }

    @Test("A plan trained once and re-scored in 1, 2, 3 and 7 shards merges into the one-machine plan's JSON, workbook and text")
    func planMergeIsExact() throws {
        let dir = try scratchDirectory()
        func path(_ name: String) -> String { dir.appendingPathComponent(name).path }
        let scenario = try Self.shortPlanScenario(in: dir)
        let settings = ["--paths", "14", "--comparison-paths", "7", "--training-paths", "4", "--step", "6", "--seed", "3", "--quiet"]
        let single = try switchyard(["plan", scenario] + settings + ["--json", path("single.json"), "--xlsx", path("single.xlsx")])
        #expect(single.status == 0, "\(single.stderr)")
        let train = try switchyard(["plan", scenario] + settings + ["--stage", "train", "--training-file", path("t.train")])
        #expect(train.status == 0 && train.stdout.contains("wrote \(path("t.train"))"), "\(train.stderr)")
        for n in [1, 2, 3, 7] {
            var shards: [String] = []
            for k in 1...n {
                let file = path("n\(n)-\(k).shard")
                let run = try switchyard(["plan", "--training-file", path("t.train"), "--shard", "\(k)/\(n)", "--shard-file", file, "--quiet", "--threads", "1"])
                #expect(run.status == 0, "\(run.stderr)")
                shards.append(file)
            }
            let out = "n\(n)"
            let merged = try switchyard(["merge"] + shards.reversed() + ["--json", path(out + ".json"), "--xlsx", path(out + ".xlsx"), "--quiet"])
            #expect(merged.status == 0, "\(merged.stderr)")
            let one = try #require(FileManager.default.contents(atPath: path("single.json")))
            let other = try #require(FileManager.default.contents(atPath: path(out + ".json")))
            #expect(one.count > 100 && one == other, "n = \(n)")
            #expect(try Self.workbookText(path("single.xlsx")) == Self.workbookText(path(out + ".xlsx")), "n = \(n)")
            #expect(merged.stdout.components(separatedBy: "\nwrote").first == single.stdout.components(separatedBy: "\nwrote").first, "n = \(n)")
        }
        // The whole fresh-path stage from the training file, on one machine.
        let whole = try switchyard(["plan", "--training-file", path("t.train"), "--json", path("whole.json"), "--quiet"])
        #expect(whole.status == 0 && FileManager.default.contents(atPath: path("whole.json")) == FileManager.default.contents(atPath: path("single.json")), "\(whole.stderr)")
    }

    @Test("A training in 3 shards (the search, then a share of its last round each) merges into the training file of one job, and on to the same plan")
    func trainingShardsMerge() throws {
        let dir = try scratchDirectory()
        func path(_ name: String) -> String { dir.appendingPathComponent(name).path }
        let scenario = try Self.shortPlanScenario(in: dir)
        // 40 training paths: screened on 4, a middle round on 13, the last round on 40.
        let settings = [
            "--paths", "10", "--comparison-paths", "5", "--training-paths", "40", "--screening-paths", "4", "--least-squares-paths", "30",
            "--step", "12", "--seed", "3", "--quiet",
        ]
        let single = try switchyard(["plan", scenario] + settings + ["--json", path("single.json")])
        #expect(single.status == 0, "\(single.stderr)")
        let whole = try switchyard(["plan", scenario] + settings + ["--stage", "train", "--training-file", path("whole.train")])
        #expect(whole.status == 0, "\(whole.stderr)")
        var shards: [String] = []
        for k in 1...3 {
            let run = try switchyard(["plan", scenario] + settings + ["--stage", "train", "--shard", "\(k)/3", "--shard-file", path("t\(k).tshard"), "--threads", "1"])
            #expect(run.status == 0 && run.stdout.contains("training shard \(k) of 3"), "\(run.stderr)")
            shards.append(path("t\(k).tshard"))
        }
        let merged = try switchyard(["merge"] + shards.reversed() + ["--training-file", path("merged.train"), "--quiet"])
        #expect(merged.status == 0, "\(merged.stderr)")
        // The same training; the manifest's command line aside (its second line).
        let a = try String(contentsOfFile: path("whole.train"), encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        let b = try String(contentsOfFile: path("merged.train"), encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(a.count == 4 && b.count == 4 && a[0] == b[0] && a[2] == b[2] && a[2].count > 1_000)
        for k in 1...2 {
            let run = try switchyard(["plan", "--training-file", path("merged.train"), "--shard", "\(k)/2", "--shard-file", path("p\(k).shard"), "--quiet"])
            #expect(run.status == 0, "\(run.stderr)")
        }
        let plan = try switchyard(["merge", path("p1.shard"), path("p2.shard"), "--json", path("merged.json"), "--quiet"])
        #expect(plan.status == 0, "\(plan.stderr)")
        #expect(FileManager.default.contents(atPath: path("merged.json")) == FileManager.default.contents(atPath: path("single.json")))
        // A missing shard, another seed's shard, outputs that a training merge does not write.
        let missing = try switchyard(["merge", shards[0], shards[2], "--training-file", path("m.train")])
        #expect(missing.status != 0 && missing.stderr.contains("missing shard 2 of 3"), "\(missing.stderr)")
        let other = try switchyard(["plan", scenario] + settings.dropLast(3) + ["--seed", "4", "--quiet", "--stage", "train", "--shard", "2/3", "--shard-file", path("seed4.tshard")])
        #expect(other.status == 0, "\(other.stderr)")
        let foreign = try switchyard(["merge", shards[0], path("seed4.tshard"), shards[2], "--training-file", path("m.train")])
        #expect(foreign.status != 0 && foreign.stderr.contains("seed4.tshard is not a shard of the same training") && foreign.stderr.contains("seed 4"), "\(foreign.stderr)")
        let noOut = try switchyard(["merge"] + shards)
        #expect(noOut.status != 0 && noOut.stderr.contains("give --training-file FILE"), "\(noOut.stderr)")
        let both = try switchyard(["plan", scenario, "--stage", "train", "--shard", "1/3", "--shard-file", path("x"), "--training-file", path("y")])
        #expect(both.status != 0 && both.stderr.contains("writes a training shard"), "\(both.stderr)")
        #expect(!FileManager.default.fileExists(atPath: path("m.train")))
    }

    @Test("Plan shards: missing, duplicated, foreign shards and the wrong training file are refused by name; settings cannot be given twice")
    func badPlanShards() throws {
        let dir = try scratchDirectory()
        func path(_ name: String) -> String { dir.appendingPathComponent(name).path }
        let scenario = try Self.shortPlanScenario(in: dir)
        let settings = ["--paths", "6", "--comparison-paths", "3", "--training-paths", "3", "--step", "12", "--quiet"]
        for seed in ["1", "2"] {
            let train = try switchyard(["plan", scenario] + settings + ["--seed", seed, "--stage", "train", "--training-file", path("t\(seed).train")])
            #expect(train.status == 0, "\(train.stderr)")
            for k in 1...3 {
                let run = try switchyard(["plan", "--training-file", path("t\(seed).train"), "--shard", "\(k)/3", "--shard-file", path("s\(k)-t\(seed).shard"), "--quiet"])
                #expect(run.status == 0, "\(run.stderr)")
            }
        }
        let (s1, s2, s3, foreign) = (path("s1-t1.shard"), path("s2-t1.shard"), path("s3-t1.shard"), path("s2-t2.shard"))
        let missing = try switchyard(["merge", s1, s3, "--json", path("m.json")])
        #expect(missing.status != 0 && missing.stderr.contains("missing shard 2 of 3"), "\(missing.stderr)")
        let twice = try switchyard(["merge", s1, s2, s2, s3, "--json", path("m.json")])
        #expect(twice.status != 0 && twice.stderr.contains("shard 2 of 3 is given 2 times"), "\(twice.stderr)")
        let other = try switchyard(["merge", s1, foreign, s3, "--json", path("m.json")])
        #expect(other.status != 0 && other.stderr.contains("\(foreign) is not a shard of the same plan") && other.stderr.contains("another training"), "\(other.stderr)")
        let wrongTraining = try switchyard(["merge", s1, s2, s3, "--training-file", path("t2.train"), "--json", path("m.json")])
        #expect(wrongTraining.status != 0 && wrongTraining.stderr.contains("t2.train is not the training the shards were scored for"), "\(wrongTraining.stderr)")
        let risk = try switchyard(["risk", "--paths", "4", "--shard", "1/1", "--shard-file", path("r.shard"), "--quiet"])
        #expect(risk.status == 0, "\(risk.stderr)")
        let mixed = try switchyard(["merge", s1, s2, s3, path("r.shard"), "--json", path("m.json")])
        #expect(mixed.status != 0 && mixed.stderr.contains("the files are of different kinds") && mixed.stderr.contains("r.shard (risk shard)"), "\(mixed.stderr)")
        #expect(!FileManager.default.fileExists(atPath: path("m.json")), "nothing written")
        // A damaged training file.
        let text = try String(contentsOfFile: path("t1.train"), encoding: .utf8)
        try String(text.prefix(text.count - 200)).write(toFile: path("cut.train"), atomically: true, encoding: .utf8)
        let cut = try switchyard(["plan", "--training-file", path("cut.train"), "--shard", "1/2", "--shard-file", path("x.shard")])
        #expect(cut.status == 1 && cut.stderr.contains("cut.train: the training does not match its digest"), "\(cut.stderr)")
        // Stage 2 does not overwrite the training it reads.
        let own = try switchyard(["plan", "--training-file", path("t1.train"), "--json", path("t1.train"), "--force"])
        #expect(own.status != 0 && own.stderr.contains("is a file this run reads"), "\(own.stderr)")
        // The training fixes the scenario and the settings; the stages go together.
        let again = try switchyard(["plan", "--training-file", path("t1.train"), "--paths", "8", "--shard", "1/2", "--shard-file", path("x.shard")])
        #expect(again.status != 0 && again.stderr.contains("--paths cannot be given"), "\(again.stderr)")
        let withScenario = try switchyard(["plan", scenario, "--training-file", path("t1.train"), "--shard", "1/2", "--shard-file", path("x.shard")])
        #expect(withScenario.status != 0 && withScenario.stderr.contains("the scenario comes from the training file"), "\(withScenario.stderr)")
        let noTraining = try switchyard(["plan", "--shard", "1/2", "--shard-file", path("x.shard")])
        #expect(noTraining.status != 0 && noTraining.stderr.contains("--shard needs --training-file"), "\(noTraining.stderr)")
        let noFile = try switchyard(["plan", "--stage", "train"])
        #expect(noFile.status != 0 && noFile.stderr.contains("--stage train needs --training-file"), "\(noFile.stderr)")
        let tooMany = try switchyard(["plan", "--training-file", path("t1.train"), "--shard", "7/7", "--shard-file", path("x.shard")])
        #expect(tooMany.status != 0 && tooMany.stderr.contains("more shards (7) than paths (6)"), "\(tooMany.stderr)")
    }

    @Test("Damaged, edited or impossible shards are refused by name, never a crash; a replay changed between shards is caught")
    func damagedShards() throws {
        let dir = try scratchDirectory()
        func path(_ name: String) -> String { dir.appendingPathComponent(name).path }
        for k in 1...3 {
            let run = try switchyard(["risk", "--paths", "6", "--seed", "2", "--shard", "\(k)/3", "--shard-file", path("s\(k).shard"), "--quiet"])
            #expect(run.status == 0, "\(run.stderr)")
        }
        let whole = try Data(contentsOf: URL(fileURLWithPath: path("s1.shard")))
        // The first shard cut short, one byte longer, or one byte of a record flipped.
        var flipped = whole
        flipped[flipped.count - 500] ^= 0x40
        for (name, data) in [("cut", whole.prefix(whole.count - 1)), ("long", whole + Data([0x78])), ("flipped", flipped)] {
            try data.write(to: URL(fileURLWithPath: path("\(name).shard")))
            let run = try switchyard(["merge", path("\(name).shard"), path("s2.shard"), path("s3.shard"), "--json", path("m.json")])
            #expect(run.status == 1 && run.stderr.contains("\(name).shard: its records do not match their digest"), "\(name): \(run.status) \(run.stderr)")
        }
        // A manifest whose scenario was edited (its digest kept).
        let text = String(decoding: whole, as: UTF8.self)
        let edited = text.replacingOccurrences(of: "discountRatePerYear: ", with: "discountRatePerYear: 0")
        #expect(edited != text)
        try Data(edited.utf8).write(to: URL(fileURLWithPath: path("edited.shard")))
        let scenarioEdited = try switchyard(["merge", path("edited.shard"), path("s2.shard"), path("s3.shard"), "--json", path("m.json")])
        #expect(scenarioEdited.status == 1 && scenarioEdited.stderr.contains("its scenario does not match its digest"), "\(scenarioEdited.stderr)")
        // Every manifest edited to another seed: the records no longer match.
        #expect(text.contains("\"seed\":2"))
        for k in 1...3 {
            let shard = String(decoding: try Data(contentsOf: URL(fileURLWithPath: path("s\(k).shard"))), as: UTF8.self)
            try Data(shard.replacingOccurrences(of: "\"seed\":2", with: "\"seed\":9").utf8).write(to: URL(fileURLWithPath: path("seed\(k).shard")))
        }
        let seedEdited = try switchyard(["merge", path("seed1.shard"), path("seed2.shard"), path("seed3.shard"), "--json", path("m.json")])
        #expect(seedEdited.status == 1 && seedEdited.stderr.contains("seed1.shard: its records do not match their digest"), "\(seedEdited.stderr)")
        // A file that is not there, or a folder.
        let missing = try switchyard(["merge", path("s1.shard"), path("s2.shard"), path("nothing.shard")])
        #expect(missing.status == 1 && missing.stderr.contains("nothing.shard: cannot be read"), "\(missing.stderr)")
        let folder = try switchyard(["merge", path("s1.shard"), dir.path])
        #expect(folder.status == 1 && folder.stderr.contains("cannot be read"), "\(folder.stderr)")
        #expect(!FileManager.default.fileExists(atPath: path("m.json")))
        // A replayed price file changed between two shards, or after them: caught.
        let yaml = try String(contentsOf: repositoryRoot.appendingPathComponent("Examples/backtest/backtest-2024.yaml"), encoding: .utf8)
            .replacingOccurrences(of: "replay: ../../../shared/data/btc_usd_daily.csv", with: "replay: prices.csv")
        try yaml.write(toFile: path("replayed.yaml"), atomically: true, encoding: .utf8)
        func prices(_ scale: Double) throws {
            var csv = "date,close_usd\n"
            var day = DateComponents(calendar: Calendar(identifier: .gregorian), timeZone: TimeZone(identifier: "UTC"), year: 2023, month: 12, day: 1).date!
            for k in 0..<800 {
                let f = DateFormatter()
                f.dateFormat = "yyyy-MM-dd"
                f.timeZone = TimeZone(identifier: "UTC")
                csv += "\(f.string(from: day)),\(scale * (40_000 + 30 * Double(k)))\n"
                day = day.addingTimeInterval(86_400)
            }
            try csv.write(toFile: path("prices.csv"), atomically: true, encoding: .utf8)
        }
        try prices(1)
        let r1 = try switchyard(["risk", path("replayed.yaml"), "--paths", "4", "--shard", "1/2", "--shard-file", path("r1.shard"), "--quiet"])
        #expect(r1.status == 0, "\(r1.stderr)")
        try prices(2)
        let r2 = try switchyard(["risk", path("replayed.yaml"), "--paths", "4", "--shard", "2/2", "--shard-file", path("r2.shard"), "--quiet"])
        #expect(r2.status == 0, "\(r2.stderr)")
        let changed = try switchyard(["merge", path("r1.shard"), path("r2.shard"), "--json", path("m.json")])
        #expect(changed.status == 1 && changed.stderr.contains("other replayed data"), "\(changed.stderr)")
        let again = try switchyard(["risk", path("replayed.yaml"), "--paths", "4", "--shard", "1/2", "--shard-file", path("r1.shard"), "--quiet", "--force"])
        #expect(again.status == 0, "\(again.stderr)")
        try prices(3)
        let after = try switchyard(["merge", path("r1.shard"), path("r2.shard"), "--json", path("m.json")])
        #expect(after.status == 1 && after.stderr.contains("changed after the shards ran"), "\(after.stderr)")
        // No output may overwrite a replayed data file, or a compared workbook.
        let overData = try switchyard(["risk", path("replayed.yaml"), "--paths", "2", "--json", path("prices.csv"), "--force", "--quiet"])
        #expect(overData.status != 0 && overData.stderr.contains("is a file this run reads"), "\(overData.stderr)")
        let book = try switchyard(["risk", "--paths", "2", "--xlsx", path("other.xlsx"), "--quiet"])
        #expect(book.status == 0, "\(book.stderr)")
        let overCompared = try switchyard(["risk", "--paths", "2", "--compare", path("other.xlsx"), "--xlsx", path("other.xlsx"), "--force", "--quiet"])
        #expect(overCompared.status != 0 && overCompared.stderr.contains("is a file this run reads"), "\(overCompared.stderr)")
        let emptyCSV = try switchyard(["risk", "--paths", "2", "--csv", "", "--quiet"])
        #expect(emptyCSV.status != 0 && emptyCSV.stderr.contains("empty folder name"), "\(emptyCSV.stderr)")
    }

    @Test("A missing, duplicated or foreign shard is refused with a message naming it")
    func badShardSets() throws {
        let dir = try scratchDirectory()
        func path(_ name: String) -> String { dir.appendingPathComponent(name).path }
        for (k, seed) in [(1, "1"), (2, "1"), (3, "1"), (2, "9")] {
            let run = try switchyard(["risk", "--paths", "6", "--seed", seed, "--shard", "\(k)/3", "--shard-file", path("s\(k)-seed\(seed).shard"), "--quiet"])
            #expect(run.status == 0, "\(run.stderr)")
        }
        let (s1, s2, s3, foreign) = (path("s1-seed1.shard"), path("s2-seed1.shard"), path("s3-seed1.shard"), path("s2-seed9.shard"))
        let missing = try switchyard(["merge", s1, s3, "--json", path("m.json")])
        #expect(missing.status != 0 && missing.stderr.contains("missing shard 2 of 3"), "\(missing.stderr)")
        let twice = try switchyard(["merge", s1, s2, s2, s3, "--json", path("m.json")])
        #expect(twice.status != 0 && twice.stderr.contains("shard 2 of 3 is given 2 times"), "\(twice.stderr)")
        let other = try switchyard(["merge", s1, foreign, s3, "--json", path("m.json")])
        #expect(other.status != 0 && other.stderr.contains("\(foreign) is not a shard of the same run") && other.stderr.contains("seed 9, not 1"), "\(other.stderr)")
        try Data("not a shard".utf8).write(to: URL(fileURLWithPath: path("junk.shard")))
        let junk = try switchyard(["merge", path("junk.shard"), "--json", path("m.json")])
        #expect(junk.status != 0 && junk.stderr.contains("junk.shard: not a switchyard risk shard"), "\(junk.stderr)")
        // A shard cut short.
        let whole = try Data(contentsOf: URL(fileURLWithPath: s2))
        try whole.prefix(whole.count - 100).write(to: URL(fileURLWithPath: path("cut.shard")))
        let cut = try switchyard(["merge", s1, path("cut.shard"), s3, "--json", path("m.json")])
        #expect(cut.status == 1 && cut.stderr.contains("cut.shard: its records do not match their digest"), "\(cut.stderr)")
        #expect(!FileManager.default.fileExists(atPath: path("m.json")), "nothing written")
        // Manifests that do not describe a shard (edited by hand): refused, not trusted.
        let text = String(decoding: whole, as: UTF8.self)
        for (old, new) in [("\"paths\":6", "\"paths\":0"), ("\"count\":2", "\"count\":99999999999"), ("\"shard\":2", "\"shard\":-5")] {
            #expect(text.contains(old), "\(old)")
            let edited = Data(text.replacingOccurrences(of: old, with: new).utf8)
            try edited.write(to: URL(fileURLWithPath: path("edited.shard")))
            let run = try switchyard(["merge", path("edited.shard"), "--json", path("m.json")])
            #expect(run.status == 1 && run.stderr.contains("edited.shard: the manifest does not describe a shard"), "\(new): \(run.stderr)")
        }
        // Bad --shard values.
        for bad in ["0/3", "4/3", "3", "a/b", "1/0"] {
            let run = try switchyard(["risk", "--paths", "6", "--shard", bad, "--shard-file", path("x.shard")])
            #expect(run.status != 0 && run.stderr.contains("--shard must be K/N"), "\(bad): \(run.stderr)")
        }
        let csvToo = try switchyard(["risk", "--paths", "6", "--shard", "1/2", "--shard-file", path("x.shard"), "--csv", path("c")])
        #expect(csvToo.status != 0 && csvToo.stderr.contains("merge SHARDS... --csv"), "\(csvToo.stderr)")
    }
}
