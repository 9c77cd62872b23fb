// SPDX-License-Identifier: GPL-3.0-or-later

import Foundation
import SwitchyardModel
@testable import SwitchyardReport
import SwitchyardRisk
import Testing

/// Reads one part of a zip file (an XLSX workbook) with `unzip -p`, or Python's
/// zipfile where unzip is not installed.
func zipPart(_ file: String, _ part: String) throws -> String {
    let process = Process()
    if FileManager.default.isExecutableFile(atPath: "/usr/bin/unzip") {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/unzip")
        process.arguments = ["-p", file, part]
    } else {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import sys,zipfile;sys.stdout.write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]).decode())", file, part]
    }
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(decoding: data, as: UTF8.self)
}

func zipList(_ file: String) throws -> [String] {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", "import sys,zipfile;print('\\n'.join(zipfile.ZipFile(sys.argv[1]).namelist()))", file]
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
}

/// libxlsxwriter writes numbers with 16 significant digits (Excel keeps 15), so a
/// cell equals the run's double to about 1e-16 relative, not bit for bit.
func sameInExcel(_ cell: Double?, _ value: Double?) -> Bool {
    guard let cell, let value else { return cell == nil && value == nil }
    return abs(cell - value) <= 1e-15 * max(abs(value), 1e-300)
}

/// The numeric value of cell `reference` (e.g. "B9") in a worksheet part.
func cellNumber(_ sheetXML: String, _ reference: String) -> Double? {
    guard let range = sheetXML.range(of: "<c r=\"\(reference)\"[^>]*><v>([^<]*)</v>", options: .regularExpression) else { return nil }
    let match = String(sheetXML[range])
    guard let v = match.range(of: "<v>") else { return nil }
    return Double(match[v.upperBound...].dropLast(4))
}

/// The numeric cell `reference` ("B9") of the sheet named `sheet`, read with the
/// project's own XLSX reader.
func sheetNumber(_ file: String, _ sheet: String, _ reference: String) throws -> Double? {
    let cells = try XLSXReader.sheet(sheet, in: file)
    let letters = reference.prefix { $0.isLetter }
    let column = letters.unicodeScalars.reduce(0) { $0 * 26 + Int($1.value) - 64 } - 1
    guard let row = Int(reference.dropFirst(letters.count)), let cell = cells[row]?[column], cell.kind == .number else { return nil }
    return Double(cell.text)
}

func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("switchyard-report-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

struct WorkbookTests {
    /// Column letters of a 0-based index.
    static func letters(_ index: Int) -> String {
        var n = index + 1
        var text = ""
        while n > 0 {
            text = String(UnicodeScalar(UInt8(65 + (n - 1) % 26))) + text
            n = (n - 1) / 26
        }
        return text
    }

    static func riskRun(threads: Int = 2) throws -> (Scenario, RiskResult, [TornadoBar]) {
        var s = try ScenarioLoader.builtin("small-miner-20mw")
        s.horizonMonths = 12
        s.conversions[0].startMonth = 2
        let settings = RiskSettings(paths: 24, seed: 7, threads: threads)
        let result = try RiskRunner.run(scenario: s, settings: settings)
        let bars = try RiskRunner.tornado(scenario: s, settings: settings, inputs: Array(SensitivityInput.standard.prefix(3)))
        return (s, result, bars)
    }

    @Test("The risk workbook has its sheets, values, charts, tables and defined names")
    func riskWorkbook() throws {
        let (s, r, bars) = try Self.riskRun()
        let file = try temporaryDirectory().appendingPathComponent("risk.xlsx").path
        try XLSXReport.writeRisk(r, scenario: s, tornado: bars, comparison: nil, info: .init(version: "test", command: "risk"), to: file, replace: false)
        let workbook = try zipPart(file, "xl/workbook.xml")
        for sheet in ["Summary", "Inputs", "Monthly", "Paths", "Sensitivity"] {
            #expect(workbook.contains("<sheet name=\"\(sheet)\""), "sheet \(sheet)")
        }
        for name in ["NPV_Mean", "NPV_P5", "NPV_P95", "VaR95", "CVaR95", "ProbabilityOfLoss", "Paths", "Seed"] {
            #expect(workbook.contains("<definedName name=\"\(name)\">"), "defined name \(name)")
        }
        // Summary: B9 is the mean NPV, B14 the P5 (see the defined names).
        let summary = try zipPart(file, "xl/worksheets/sheet1.xml")
        #expect(workbook.contains("<definedName name=\"NPV_Mean\">'Summary'!$B$9</definedName>"))
        #expect(sameInExcel(cellNumber(summary, "B9"), r.npv.mean))
        #expect(sameInExcel(cellNumber(summary, "B14"), r.npv.percentile(0.05)))
        #expect(cellNumber(summary, "B5") == Double(r.paths.count))
        // Paths: one row per path, NPVs exact.
        for (i, p) in r.paths.enumerated() { #expect(sameInExcel(try sheetNumber(file, "Paths", "B\(i + 2)"), p.npvUSD)) }
        // Monthly: month 1's cumulative P50 (column L), and the BTC price's P50 of the last month.
        #expect(sameInExcel(try sheetNumber(file, "Monthly", "L2"), r.months[0].cumulativeCashPercentilesUSD[2]))
        let btcP50Column = 18 + 2 * 5 + 2  // after the revenue columns: hashrate, hashprice, then BTC price's P5, P25, P50
        #expect(sameInExcel(
            try sheetNumber(file, "Monthly", "\(Self.letters(btcP50Column))\(r.months.count + 1)"), r.months.last!.btcPricePercentiles[2]))
        let parts = try zipList(file)
        let charts = parts.filter { $0.hasPrefix("xl/charts/chart") }
        #expect(charts.count == 10, "histogram, S-curve, cash fan, revenue, five input fans (the site has a GPU cloud), tornado")
        let chartXML = try charts.map { try zipPart(file, $0) }.joined()
        for title in ["NPV distribution", "NPV S-curve", "Cumulative cash: P5-P95 fan", "Mean monthly revenue by stream", "Tornado", "BTC price", "GPU rental price"] {
            #expect(chartXML.contains(title), "\(title)")
        }
        #expect(chartXML.contains("<c:areaChart>") && chartXML.contains("<c:grouping val=\"stacked\"/>"), "fans are stacked areas")
        #expect(workbook.contains("<sheet name=\"How to read this\"") && workbook.contains("<sheet name=\"Input fans\""))
        #expect(chartXML.contains("<c:barDir val=\"bar\"/>"), "the tornado is a horizontal bar chart")
        let tables = try parts.filter { $0.hasPrefix("xl/tables/") }.map { try zipPart(file, $0) }.joined()
        for table in ["InputsTable", "MonthlyTable", "PathsTable", "SensitivityTable"] {
            #expect(tables.contains("name=\"\(table)\""), "table \(table)")
        }
        let styles = try zipPart(file, "xl/styles.xml")
        #expect(styles.contains("formatCode=\"yyyy-mm\"") && styles.contains("formatCode=\"0.0%\""))
        let monthly = try zipPart(file, "xl/worksheets/sheet4.xml")
        #expect(monthly.contains("<pane ySplit=\"1\""), "frozen header row")
    }

    @Test("The plan workbook: policies, candidates and the distribution of conversion months")
    func planWorkbook() throws {
        var s = try ScenarioLoader.builtin("small-miner-20mw")
        s.horizonMonths = 4
        let row = PlanSheet.Row(
            label: "Recommended", policy: "Convert in month 2", meanNPVUSD: 1e6, standardErrorUSD: 1e4, ci95LowUSD: 0.98e6,
            ci95HighUSD: 1.02e6, cvar95USD: -5e5, probabilityOfLoss: 0.01, convertedShare: 0.75, startMonthP50: 2)
        var plan = PlanSheet(
            scenario: s.name, seed: 7, trainingPaths: 10, evaluationPaths: 4, objective: "maximise mean NPV",
            recommendation: "Convert.", policies: [row, row], recommendedInSampleMeanNPVUSD: 1.1e6, valueOfFlexibilityUSD: 2e5,
            valueOfFlexibilitySEUSD: 1e4,
            candidates: [PlanSheet.Candidate(policy: "Convert in month 2", meanNPVUSD: 1.1e6, objective: 1.1e6, feasible: true, paths: 10)])
        plan.monthLabels = ["2025-01", "2025-02", "2025-03", "2025-04"]
        plan.conversionMonths = [
            PlanSheet.BlockStarts(block: "Block 1", convertedShare: 0.75, p10: 2, p50: 2, p90: 3, shareByMonth: [0, 0.5, 0.25, 0]),
            PlanSheet.BlockStarts(block: "Block 2", convertedShare: 0.25, p10: 4, p50: 4, p90: 4, shareByMonth: [0, 0, 0, 0.25]),
        ]
        let file = try temporaryDirectory().appendingPathComponent("plan.xlsx").path
        var decision = DecisionView()
        decision.differences = [("Recommended", [1, 2, 3, 4]), ("Convert everything now", [-1, -2, 0, 1])]
        decision.cumulativeCash = [[-2, -1, 0, 1, 2], [-3, -1, 0, 2, 3], [-4, -2, 0, 2, 4]]
        decision.breakevens = DecisionView.breakevens(s)
        decision.timeline = [DecisionView.Block(name: "Block 1", hall: "B", megawatts: 4, capexUSD: 1e7, convertedShare: 0.75, decisionMonthP50: 2, leadTimeMonths: 1)]
        try XLSXReport.writePlan(plan, scenario: s, decision: decision, info: .init(version: "test", command: "plan"), to: file, replace: false)
        let workbook = try zipPart(file, "xl/workbook.xml")
        let names = ["Summary", "Decision", "How to read this", "Inputs", "Plan", "Candidates", "Conversion months", "Chart data"]
        for sheet in names { #expect(workbook.contains("<sheet name=\"\(sheet)\""), "sheet \(sheet)") }
        // Block 1: share starting (C) and cumulative share (D); block 2 in E and F.
        let months = "Conversion months"
        #expect(try sheetNumber(file, months, "C3") == 0.5)
        #expect(try sheetNumber(file, months, "D4") == 0.75 && sheetNumber(file, months, "D5") == 0.75)
        #expect(try sheetNumber(file, months, "F5") == 0.25 && sheetNumber(file, months, "F4") == 0)
        #expect(try sheetNumber(file, months, "A5") == 4)
        let parts = try zipList(file)
        let charts = try parts.filter { $0.hasPrefix("xl/charts/chart") }.map { try zipPart(file, $0) }.joined()
        #expect(charts.contains("share of fresh paths converted by each month"))
        for title in ["Recommended minus never", "S-curves of the policies", "decision (P50), construction and online months", "cumulative cash, P5-P95"] {
            #expect(charts.contains(title), "\(title)")
        }
        // The breakeven hashprice of the first fleet, on the Decision sheet.
        let cells = try XLSXReader.sheet("Decision", in: file)
        let breakeven = cells.values.compactMap { row -> Double? in
            guard row[0]?.text.hasPrefix("mining[0]") == true, let cell = row[5] else { return nil }
            return Double(cell.text)
        }
        #expect(breakeven.count == 1 && sameInExcel(breakeven[0], decision.breakevens[0].hashpriceUSDPerPHDay))
        #expect(charts.contains("<c:lineChart>"))
        let tables = try parts.filter { $0.hasPrefix("xl/tables/") }.map { try zipPart(file, $0) }.joined()
        for table in ["PlanTable", "CandidatesTable", "ConversionMonthsTable"] { #expect(tables.contains("name=\"\(table)\"")) }
    }

    @Test("The same run gives a byte-identical workbook for any thread count")
    func deterministicWorkbook() throws {
        let dir = try temporaryDirectory()
        var files: [Data] = []
        for threads in [1, 2] {
            let (s, r, bars) = try Self.riskRun(threads: threads)
            let file = dir.appendingPathComponent("r\(threads).xlsx").path
            try XLSXReport.writeRisk(r, scenario: s, tornado: bars, comparison: nil, info: .init(version: "test", command: "risk"), to: file, replace: false)
            files.append(try Data(contentsOf: URL(fileURLWithPath: file)))
        }
        #expect(files[0] == files[1])
    }

    @Test("The path workbook holds the ledger; an existing file needs replace; a failed write leaves nothing")
    func simulationWorkbook() throws {
        let s = try ScenarioLoader.builtin("small-miner-20mw")
        let result = SiteModel.run(scenario: s, seed: 3, path: 0)
        let dir = try temporaryDirectory()
        let file = dir.appendingPathComponent("path.xlsx").path
        try XLSXReport.writeSimulation(result, scenario: s, seed: 3, path: 0, info: .init(version: "t", command: "simulate"), to: file, replace: false)
        #expect(sameInExcel(try sheetNumber(file, "Monthly", "C2"), result.months[0].miningRevenueUSD))
        #expect(sameInExcel(try sheetNumber(file, "Monthly", "N\(result.months.count + 1)"), result.months.last!.freeCashFlowUSD))
        let workbook = try zipPart(file, "xl/workbook.xml")
        #expect(workbook.contains("<definedName name=\"NPV\">"))
        #expect(throws: OutputError.exists(path: file)) {
            try XLSXReport.writeSimulation(result, scenario: s, seed: 3, path: 0, info: .init(version: "t", command: "s"), to: file, replace: false)
        }
        let missing = dir.appendingPathComponent("no/such/dir/path.xlsx").path
        #expect(throws: (any Error).self) {
            try XLSXReport.writeSimulation(result, scenario: s, seed: 3, path: 0, info: .init(version: "t", command: "s"), to: missing, replace: true)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["path.xlsx"], "no temporary file left")
    }

    @Test("CSV round trip: the ledger parses back to the same numbers")
    func csvRoundTrip() throws {
        let s = try ScenarioLoader.builtin("texas-200mw")
        let result = SiteModel.run(scenario: s, seed: 11, path: 4)
        let text = LedgerCSV.table(result).text
        let lines = text.components(separatedBy: "\r\n").filter { !$0.isEmpty }
        let header = lines[0].split(separator: ",").map(String.init)
        #expect(header.count == 2 + LedgerCSV.columns.count)
        for (row, line) in zip(result.months, lines.dropFirst()) {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            #expect(fields[1] == row.label + "-01")
            for (k, column) in LedgerCSV.columns.enumerated() {
                #expect(Double(fields[2 + k]) == column.value(row), "\(column.name) in \(row.label)")
            }
        }
    }

    @Test("RFC 4180 quoting")
    func csvQuoting() {
        var table = CSVTable(header: ["a", "b"])
        table.append(["x,y", "say \"hi\""])
        #expect(table.text == "a,b\r\n\"x,y\",\"say \"\"hi\"\"\"\r\n")
    }

    @Test("The JSON summary parses and matches the run")
    func jsonSummary() throws {
        let (_, r, bars) = try Self.riskRun()
        let text = try JSONSummary.risk(r, tornado: bars, comparison: nil, version: "t")
        // JSONDecoder parses numbers exactly (Linux Foundation's JSONSerialization does not).
        struct Summary: Decodable {
            struct NPV: Decodable { var mean: Double; var percentiles: [String: Double] }
            struct Bar: Decodable { var input: String }
            var paths: Int
            var npvUSD: NPV
            var tornado: [Bar]
        }
        let decoded = try JSONDecoder().decode(Summary.self, from: Data(text.utf8))
        #expect(decoded.paths == r.paths.count)
        #expect(decoded.npvUSD.mean == r.npv.mean, "exact round trip")
        #expect(decoded.npvUSD.percentiles["p95"] == r.npv.percentile(0.95))
        #expect(decoded.tornado.count == 3)
    }
}

struct HistogramTests {
    @Test("Histogram bins from P0.5 to P99.5: a far outlier lands in the end bin (no trap), every value is counted")
    func tails() {
        let values = (0..<1_000).map(Double.init) + [1e300, -1e300]
        let counts = XLSXReport.histogram(values, bins: 30, tails: 0.005)
        #expect(counts.count == 30)
        #expect(counts.reduce(0) { $0 + $1.count } == values.count)
        #expect(counts.first!.centre > -1 && counts.last!.centre < 1_000, "the bins span the middle 99%")
        #expect(XLSXReport.outside(values, tails: 0.005) >= 2)
        // Without tails, the bins span everything (the same values, two bins used).
        let wide = XLSXReport.histogram(values, bins: 30)
        #expect(wide.filter { $0.count > 0 }.count <= 3)
    }
}
