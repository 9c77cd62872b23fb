// SPDX-License-Identifier: GPL-3.0-or-later

internal import CXLSXWriter
import Foundation
public import SwitchyardModel
public import SwitchyardRisk

/// Spreadsheet reports: real XLSX workbooks with native charts, tables, number formats,
/// frozen headers and defined names. Written atomically.
public enum XLSXReport {
    /// Identifies the run in the Summary sheet.
    public struct RunInfo: Sendable {
        public var version: String
        public var command: String
        public init(version: String, command: String) {
            self.version = version
            self.command = command
        }
    }

    /// Shared formats of a workbook.
    struct Formats {
        let header, usd, usdBold, number, decimal, percent, month, bold, general: UnsafeMutablePointer<lxw_format>
        init(_ w: XLSXWorkbook) {
            header = w.format(bold: true)
            usd = w.format("$#,##0")
            usdBold = w.format("$#,##0", bold: true)
            number = w.format("#,##0")
            decimal = w.format("#,##0.000")
            percent = w.format("0.0%")
            month = w.format("yyyy-mm")
            bold = w.format(bold: true)
            general = w.format("General")
        }
    }

    /// Writes label/value rows down a Summary sheet, defining names for key cells.
    final class SummaryWriter {
        let workbook: XLSXWorkbook
        let sheet: XLSXSheet
        var row = 0

        init(_ workbook: XLSXWorkbook, title: String, bold: UnsafeMutablePointer<lxw_format>) {
            self.workbook = workbook
            sheet = workbook.sheet("Summary")
            sheet.width(0, 0, 34)
            sheet.width(1, 1, 20)
            sheet.write(0, 0, title, bold)
            row = 2
        }

        func line(_ label: String, _ value: Double?, _ format: UnsafeMutablePointer<lxw_format>, name: String? = nil) {
            sheet.write(row, 0, label)
            sheet.write(row, 1, value, format)
            if let name { workbook.define(name, Cell.absolute("Summary", row: row, column: 1)) }
            row += 1
        }

        func text(_ label: String, _ value: String) {
            sheet.write(row, 0, label)
            sheet.write(row, 1, value)
            row += 1
        }

        func skip() { row += 1 }
    }

    static func workbook(at temporary: String) throws -> XLSXWorkbook {
        let w = try XLSXWorkbook(path: temporary)
        // A fixed creation date keeps the file byte-identical for the same inputs.
        var properties = lxw_doc_properties()
        properties.title = w.keep("Switchyard report")
        properties.created = 1_767_225_600  // 2026-01-01T00:00:00Z
        _ = workbook_set_properties(w.handle, w.keep(properties))
        return w
    }

    // MARK: Risk

    public static func writeRisk(
        _ r: RiskResult, scenario: Scenario, tornado: [TornadoBar], comparison: Comparison?, info: RunInfo,
        to path: String, replace: Bool
    ) throws {
        try AtomicFile.produce(at: path, replace: replace) { temporary in
            let w = try workbook(at: temporary)
            let f = Formats(w)
            // Summary
            let writer = SummaryWriter(w, title: "Switchyard risk report", bold: f.bold)
            let summary = writer.sheet
            writer.text("Scenario", r.scenarioName)
            writer.line("Seed", Double(r.settings.seed), f.number, name: "Seed")
            writer.line("Paths", Double(r.paths.count), f.number, name: "Paths")
            writer.text("Switchyard version", info.version)
            writer.text("Command", info.command)
            writer.skip()
            let npv = r.npv
            writer.line("Mean NPV (USD)", npv.mean, f.usdBold, name: "NPV_Mean")
            writer.line("Standard error (USD)", npv.standardError, f.usd, name: "NPV_StandardError")
            writer.line("95% CI low (USD)", npv.confidenceInterval95.lowerBound, f.usd, name: "NPV_CI95_Low")
            writer.line("95% CI high (USD)", npv.confidenceInterval95.upperBound, f.usd, name: "NPV_CI95_High")
            for (level, value) in zip(DistributionSummary.levels, npv.percentiles) {
                let p = Int((level * 100).rounded())
                writer.line("NPV P\(p) (USD)", value, f.usd, name: "NPV_P\(p)")
            }
            writer.line("VaR 95% (USD, loss at P5)", npv.valueAtRisk95, f.usd, name: "VaR95")
            writer.line("CVaR 95% (USD)", npv.conditionalValueAtRisk95, f.usd, name: "CVaR95")
            writer.line("VaR 99% (USD, loss at P1)", npv.valueAtRisk99, f.usd, name: "VaR99")
            writer.line("CVaR 99% (USD)", npv.conditionalValueAtRisk99, f.usd, name: "CVaR99")
            writer.line("Probability of loss", npv.probabilityOfLoss, f.percent, name: "ProbabilityOfLoss")
            writer.line("IRR defined on (share of paths)", r.irrDefinedShare, f.percent)
            writer.line("IRR P50", r.irr?.percentiles[4], f.percent, name: "IRR_P50")
            writer.line("Payback within horizon (share of paths)", r.paybackShare, f.percent)
            writer.line("Payback month P50", r.paybackMonth?.percentiles[4], f.number, name: "Payback_P50")
            writer.line("BTC mined P50", r.btcMined.percentiles[4], f.decimal)
            writer.line("Curtailed energy P50 (MWh)", r.curtailedEnergyMWh.percentiles[4], f.number)
            writer.line("Terminal value mean (USD, undiscounted)", r.terminalValue?.mean ?? 0, f.usd, name: "TerminalValue_Mean")
            if let equity = r.equityNPV { writer.line("Equity NPV mean (USD)", equity.mean, f.usd, name: "EquityNPV_Mean") }
            if let p = r.probabilityCashOut { writer.line("Probability cash runs out", p, f.percent, name: "ProbabilityCashOut") }
            writer.line("GPU utilisation P50", r.gpuUtilisation?.percentiles[4], f.percent)
            if let c = comparison {
                writer.skip()
                writer.text("Compared with", c.otherName)
                writer.line("Mean NPV difference (USD)", c.difference.mean, f.usd, name: "Comparison_Difference")
                writer.line("Standard error of the difference (USD)", c.difference.standardError, f.usd)
            }
            // NPV histogram data beside the figures, and its chart.
            let bins = histogram(r.paths.map(\.npvUSD), bins: 30)
            summary.write(0, 3, "NPV bin centre (USD)", f.header)
            summary.write(0, 4, "Paths", f.header)
            summary.width(3, 4, 18)
            for (i, bin) in bins.enumerated() {
                summary.write(i + 1, 3, bin.centre, f.usd)
                summary.write(i + 1, 4, Double(bin.count), f.number)
            }
            let histogramChart = w.chart(LXW_CHART_COLUMN)
            histogramChart.series(
                "Paths", categories: Cell.range("Summary", column: 3, rows: 1...bins.count),
                values: Cell.range("Summary", column: 4, rows: 1...bins.count))
            histogramChart.title("NPV distribution (\(r.paths.count) paths)")
            histogramChart.xAxis("NPV (USD)", numberFormat: "$#,##0.0,,\"M\"")
            histogramChart.yAxis("Paths")
            histogramChart.gap(10)
            summary.insert(histogramChart, row: 1, column: 6)

            inputs(w, f, scenario)

            // Monthly: fan chart data and revenue means.
            let monthly = w.sheet("Monthly")
            let levels = MonthStatistics.levels.map { "P\(Int(($0 * 100).rounded()))" }
            let headers = ["Month", "Date", "Cash flow mean (USD)"] + levels.map { "Cash flow \($0) (USD)" }
                + ["Cumulative cash mean (USD)"] + levels.map { "Cumulative cash \($0) (USD)" }
                + MonthStatistics.revenueStreams.map { "\($0) revenue mean (USD)" }
            for (c, h) in headers.enumerated() { monthly.write(0, c, h, f.header) }
            for (i, m) in r.months.enumerated() {
                let rr = i + 1
                monthly.write(rr, 0, Double(m.month), f.number)
                monthly.writeMonth(rr, 1, m.label, f.month)
                let values = [m.cashFlowMeanUSD] + m.cashFlowPercentilesUSD + [m.cumulativeCashMeanUSD]
                    + m.cumulativeCashPercentilesUSD + m.revenueMeansUSD
                for (k, v) in values.enumerated() { monthly.write(rr, 2 + k, v, f.usd) }
            }
            monthly.width(0, 0, 8)
            monthly.width(1, 1, 10)
            monthly.width(2, headers.count - 1, 18)
            monthly.freezeHeader()
            monthly.table("MonthlyTable", lastRow: r.months.count, headers: headers)
            let last = r.months.count
            let fan = w.chart(LXW_CHART_LINE)
            for (k, level) in levels.enumerated() {
                fan.series(
                    "Cumulative cash \(level)", categories: Cell.range("Monthly", column: 1, rows: 1...last),
                    values: Cell.range("Monthly", column: 9 + k, rows: 1...last))
            }
            fan.title("Cumulative cash: fan chart (P5-P95)")
            fan.xAxis("Month", numberFormat: "yyyy-mm")
            fan.yAxis("USD", numberFormat: "$#,##0.0,,\"M\"")
            fan.legendBottom()
            monthly.insert(fan, row: 2, column: headers.count + 1)
            let revenue = revenueChart(w, title: "Mean monthly revenue by stream", firstColumn: 14, months: last)
            monthly.insert(revenue, row: 24, column: headers.count + 1)

            // Paths
            let paths = w.sheet("Paths")
            let pathHeaders = [
                "Path", "NPV (USD)", "IRR", "Payback month", "Free cash flow (USD)", "Revenue (USD)", "BTC mined",
                "GPU utilisation", "Curtailed energy (MWh)", "Terminal value (USD, undiscounted)",
            ]
            for (c, h) in pathHeaders.enumerated() { paths.write(0, c, h, f.header) }
            for (i, p) in r.paths.enumerated() {
                let rr = i + 1
                paths.write(rr, 0, Double(p.path), f.number)
                paths.write(rr, 1, p.npvUSD, f.usd)
                paths.write(rr, 2, p.irr, f.percent)
                paths.write(rr, 3, p.paybackMonth.map(Double.init), f.number)
                paths.write(rr, 4, p.totalFreeCashFlowUSD, f.usd)
                paths.write(rr, 5, p.revenueUSD, f.usd)
                paths.write(rr, 6, p.btcMined, f.decimal)
                paths.write(rr, 7, p.gpuUtilisation, f.percent)
                paths.write(rr, 8, p.curtailedEnergyMWh, f.number)
                paths.write(rr, 9, p.terminalValueUSD, f.usd)
            }
            paths.width(0, 0, 8)
            paths.width(1, pathHeaders.count - 1, 18)
            paths.freezeHeader()
            paths.table("PathsTable", lastRow: r.paths.count, headers: pathHeaders)

            // Sensitivity
            if !tornado.isEmpty {
                let s = w.sheet("Sensitivity")
                let sh = [
                    "Input", "Base value", "Low value", "High value", "Mean NPV low (USD)", "Mean NPV high (USD)",
                    "Swing (USD)", "Low - base (USD)", "High - base (USD)",
                ]
                for (c, h) in sh.enumerated() { s.write(0, c, h, f.header) }
                // The chart reads bottom-up, so the largest swing is written last to sit on top.
                for (i, bar) in tornado.reversed().enumerated() {
                    let rr = i + 1
                    s.write(rr, 0, bar.input)
                    s.write(rr, 1, bar.baseValue, f.decimal)
                    s.write(rr, 2, bar.lowValue, f.decimal)
                    s.write(rr, 3, bar.highValue, f.decimal)
                    s.write(rr, 4, bar.meanNPVLowUSD, f.usd)
                    s.write(rr, 5, bar.meanNPVHighUSD, f.usd)
                    s.write(rr, 6, bar.swingUSD, f.usd)
                    s.write(rr, 7, bar.meanNPVLowUSD - r.npv.mean, f.usd)
                    s.write(rr, 8, bar.meanNPVHighUSD - r.npv.mean, f.usd)
                }
                s.width(0, 0, 28)
                s.width(1, sh.count - 1, 18)
                s.freezeHeader()
                s.table("SensitivityTable", lastRow: tornado.count, headers: sh)
                let chart = w.chart(LXW_CHART_BAR)
                chart.series("Input low", categories: Cell.range("Sensitivity", column: 0, rows: 1...tornado.count),
                    values: Cell.range("Sensitivity", column: 7, rows: 1...tornado.count))
                chart.series("Input high", categories: Cell.range("Sensitivity", column: 0, rows: 1...tornado.count),
                    values: Cell.range("Sensitivity", column: 8, rows: 1...tornado.count))
                chart.overlap(100)
                chart.gap(40)
                chart.categoryLabelsLow()
                chart.title("Tornado: change in mean NPV")
                chart.xAxis("USD vs the base mean NPV", numberFormat: "$#,##0.0,,\"M\"")
                chart.legendBottom()
                s.insert(chart, row: tornado.count + 3, column: 0)
            }
            yearlySheet(w, f, r.yearlyMeans, title: "Yearly")
            try w.close()
        }
    }

    // MARK: Simulate

    public static func writeSimulation(
        _ result: PathResult, scenario: Scenario, seed: UInt64, path pathIndex: UInt64, info: RunInfo,
        to path: String, replace: Bool
    ) throws {
        try AtomicFile.produce(at: path, replace: replace) { temporary in
            let w = try workbook(at: temporary)
            let f = Formats(w)
            let writer = SummaryWriter(w, title: "Switchyard path report", bold: f.bold)
            let summary = writer.sheet
            writer.text("Scenario", scenario.name)
            writer.line("Seed", Double(seed), f.number, name: "Seed")
            writer.line("Path", Double(pathIndex), f.number, name: "Path")
            writer.text("Switchyard version", info.version)
            writer.skip()
            writer.line("NPV (USD)", result.npvUSD, f.usdBold, name: "NPV")
            writer.line("IRR", result.irr, f.percent, name: "IRR")
            if result.irr == nil { writer.text("IRR (why none)", result.rateOfReturn.description) }
            writer.line("Payback month", result.paybackMonth.map(Double.init), f.number, name: "PaybackMonth")
            writer.line("Terminal value (USD, in the last month)", result.terminalValue?.totalUSD ?? 0, f.usd, name: "TerminalValue")
            if let tv = result.terminalValue {
                writer.line("  of which leases (USD)", tv.contractsUSD, f.usd, name: "TerminalValue_Leases")
                writer.line("  of which operations (USD)", tv.operationsUSD, f.usd, name: "TerminalValue_Operations")
                writer.line("  operations as a going concern (USD)", tv.goingConcernUSD, f.usd, name: "TerminalValue_GoingConcern")
                writer.line("  powered land not under lease (USD)", tv.landUSD, f.usd, name: "TerminalValue_Land")
                writer.line("  converting the blocks left at the horizon (USD)", tv.conversionOptionUSD, f.usd, name: "TerminalValue_ConversionOption")
            }
            if let fin = result.finance {
                writer.line("Equity NPV (USD)", fin.equityNPVUSD, f.usdBold, name: "EquityNPV")
                writer.line("Equity IRR", fin.equityRateOfReturn.value, f.percent, name: "EquityIRR")
                writer.line("Lowest yearly DSCR", fin.minimumDSCR, f.decimal, name: "MinimumDSCR")
                writer.line("Month cash runs out", fin.cashOutMonth.map(Double.init), f.number, name: "CashOutMonth")
            }
            writer.line("Total free cash flow (USD)", result.totalFreeCashFlowUSD, f.usd, name: "TotalFreeCashFlow")
            writer.line("BTC mined", result.totalBTCMined, f.decimal, name: "BTCMined")
            inputs(w, f, scenario)
            let monthly = w.sheet("Monthly")
            let headers = ["Month", "Date"] + LedgerCSV.columns.map(\.name)
            for (c, h) in headers.enumerated() { monthly.write(0, c, h, f.header) }
            for (i, m) in result.months.enumerated() {
                monthly.write(i + 1, 0, Double(m.month), f.number)
                monthly.writeMonth(i + 1, 1, m.label, f.month)
                for (k, column) in LedgerCSV.columns.enumerated() {
                    let format = column.name.hasSuffix("_usd") ? f.usd : column.name.contains("utilisation") || column.name == "hashrate_share" ? f.percent : f.decimal
                    monthly.write(i + 1, 2 + k, column.value(m), format)
                }
            }
            monthly.width(0, 1, 10)
            monthly.width(2, headers.count - 1, 16)
            monthly.freezeHeader()
            monthly.table("LedgerTable", lastRow: result.months.count, headers: headers)
            let last = result.months.count
            let revenue = revenueChart(w, title: "Monthly revenue by stream", firstColumn: 2, months: last)
            summary.insert(revenue, row: 1, column: 3)
            yearlySheet(w, f, YearRow.years(of: result), title: "Yearly")
            try w.close()
        }
    }

    // MARK: Shared

    /// The annual roll-up: one row a run year, the ``YearRow`` columns.
    static func yearlySheet(_ w: XLSXWorkbook, _ f: Formats, _ years: [YearRow], title: String) {
        guard !years.isEmpty else { return }
        let sheet = w.sheet(title)
        let headers = ["Year", "Months"] + YearRow.columns.map(\.name)
        for (c, h) in headers.enumerated() { sheet.write(0, c, h, f.header) }
        for (i, y) in years.enumerated() {
            sheet.write(i + 1, 0, Double(y.year), f.number)
            sheet.write(i + 1, 1, y.label)
            for (k, column) in YearRow.columns.enumerated() { sheet.write(i + 1, 2 + k, column.value(y), f.usd) }
        }
        sheet.width(0, 0, 6)
        sheet.width(1, 1, 20)
        sheet.width(2, headers.count - 1, 18)
        sheet.freezeHeader()
        sheet.table("\(title.replacingOccurrences(of: " ", with: ""))Table", lastRow: years.count, headers: headers)
    }

    /// Stacked columns of the four revenue streams, read from consecutive columns of the
    /// Monthly sheet (dates in column B).
    static func revenueChart(_ w: XLSXWorkbook, title: String, firstColumn: Int, months: Int) -> XLSXChart {
        let chart = w.chart(LXW_CHART_COLUMN_STACKED)
        for (k, stream) in MonthStatistics.revenueStreams.enumerated() {
            chart.series(
                stream, categories: Cell.range("Monthly", column: 1, rows: 1...months),
                values: Cell.range("Monthly", column: firstColumn + k, rows: 1...months))
        }
        chart.title(title)
        chart.xAxis("Month", numberFormat: "yyyy-mm")
        chart.yAxis("USD", numberFormat: "$#,##0.0,,\"M\"")
        chart.legendBottom()
        chart.gap(20)
        return chart
    }

    /// Every scenario key (defaults included) and the catalogue entries used, one a row:
    /// what `switchyard simulate|risk|plan WORKBOOK.xlsx` reads back. A number is
    /// written as a number when the file's 16 digits hold it exactly, else as its
    /// exact text, so the scenario read back is the one run.
    static func inputs(_ w: XLSXWorkbook, _ f: Formats, _ scenario: Scenario) {
        let sheet = w.sheet(WorkbookScenario.sheetName)
        let headers = ["Key", "Value", "Unit or meaning"]
        for (c, h) in headers.enumerated() { sheet.write(0, c, h, f.header) }
        let entries = ScenarioExport.entries(scenario)
        for (i, e) in entries.enumerated() {
            sheet.write(i + 1, 0, e.key)
            switch e.value {
            case .number(let v):
                if Double(String(format: "%.16G", v)) == v { sheet.write(i + 1, 1, v, f.general) } else { sheet.write(i + 1, 1, "\(v)") }
            case .integer(let v): sheet.write(i + 1, 1, Double(v), f.general)
            case .text(let t): sheet.write(i + 1, 1, t)
            case .flag(let b): sheet.write(i + 1, 1, b ? "true" : "false")
            }
            sheet.write(i + 1, 2, e.unit)
        }
        sheet.width(0, 0, 52)
        sheet.width(1, 1, 24)
        sheet.width(2, 2, 48)
        sheet.freezeHeader()
        sheet.table("InputsTable", lastRow: entries.count, headers: headers)
    }

    /// Equal-width bins over [min, max].
    static func histogram(_ values: [Double], bins: Int) -> [(centre: Double, count: Int)] {
        guard let low = values.min(), let high = values.max() else { return [] }
        guard high > low else { return [(low, values.count)] }
        let width = (high - low) / Double(bins)
        var counts = [Int](repeating: 0, count: bins)
        for v in values { counts[min(bins - 1, Int((v - low) / width))] += 1 }
        return counts.enumerated().map { (low + (Double($0.offset) + 0.5) * width, $0.element) }
    }
}
