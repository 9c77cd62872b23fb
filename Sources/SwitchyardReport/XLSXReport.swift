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
            sheet.width(0, 0, 48)
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
            // Losses as losses: a tail that gains shows a loss of 0, and the tail's own
            // NPV (the P5, the mean of the worst 5%) says by how much it gains.
            writer.line("VaR 95% (USD lost at the P5; 0: the P5 gains)", max(0, npv.valueAtRisk95), f.usd, name: "VaR95")
            writer.line("CVaR 95% (USD lost on the worst 5%; 0: they gain)", max(0, npv.conditionalValueAtRisk95), f.usd, name: "CVaR95")
            writer.line("Mean NPV of the worst 5% of paths (USD)", -npv.conditionalValueAtRisk95, f.usd, name: "NPV_Worst5Mean")
            writer.line("VaR 99% (USD lost at the P1; 0: the P1 gains)", max(0, npv.valueAtRisk99), f.usd, name: "VaR99")
            writer.line("CVaR 99% (USD lost on the worst 1%; 0: they gain)", max(0, npv.conditionalValueAtRisk99), f.usd, name: "CVaR99")
            writer.line("Mean NPV of the worst 1% of paths (USD)", -npv.conditionalValueAtRisk99, f.usd, name: "NPV_Worst1Mean")
            writer.line("Probability of loss", npv.probabilityOfLoss, f.percent, name: "ProbabilityOfLoss")
            writer.line("IRR defined on (share of paths)", r.irrDefinedShare, f.percent)
            writer.line("IRR P50", r.irr?.percentiles[4], f.percent, name: "IRR_P50")
            writer.line("Payback within horizon (share of paths)", r.paybackShare, f.percent)
            writer.line("Payback month P50", r.paybackMonth?.percentiles[4], f.number, name: "Payback_P50")
            if let p50 = r.paybackMonth?.percentiles[4] {
                writer.text("Payback P50 date", Scenario.monthLabel(scenario.startMonth, month: max(1, Int(p50.rounded()))))
            }
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
            writer.skip()
            writer.text("Sign convention", "VaR and CVaR are losses: positive when money is lost, 0 when even the tail gains")
            let data = ChartData(w, f)
            // Charts below the figures, one a row.
            var chartRow = writer.row + 2
            let chartRows = chartRow
            if let histogram = Charts.histogram(
                w, data, title: "NPV distribution (\(r.paths.count) paths)", axis: "NPV (USD)", numberFormat: "$#,##0.0,,\"M\"",
                values: r.paths.map(\.npvUSD))
            {
                summary.insert(histogram, row: chartRow, column: 0, widthScale: 1.5, heightScale: 1.2)
                chartRow += 22
            }
            if let curve = Charts.sCurve(
                w, data, title: "NPV S-curve", axis: "NPV (USD)", numberFormat: "$#,##0.0,,\"M\"",
                samples: [("NPV", r.paths.map(\.npvUSD))])
            {
                summary.insert(curve, row: chartRow, column: 0, widthScale: 1.5, heightScale: 1.2)
                chartRow += 22
            }
            summary.printArea(lastRow: chartRow, lastColumn: 9)
            summary.pageBreaks([chartRows, chartRows + 22])

            readingGuide(w, f, kind: .risk)
            inputs(w, f, scenario)

            // Monthly: the fan chart's percentiles, revenue means and the inputs' percentiles.
            let monthly = w.sheet("Monthly")
            let levels = MonthStatistics.levels.map { "P\(Int(($0 * 100).rounded()))" }
            let marketHeaders = MonthStatistics.markets.flatMap { market in levels.map { "\(market.name) \($0) (\(market.unit))" } }
            let headers = ["Month", "Date", "Cash flow mean (USD)"] + levels.map { "Cash flow \($0) (USD)" }
                + ["Cumulative cash mean (USD)"] + levels.map { "Cumulative cash \($0) (USD)" }
                + MonthStatistics.revenueStreams.map { "\($0) revenue mean (USD)" } + marketHeaders
            for (c, h) in headers.enumerated() { monthly.write(0, c, h, f.header) }
            for (i, m) in r.months.enumerated() {
                let rr = i + 1
                monthly.write(rr, 0, Double(m.month), f.number)
                monthly.writeMonth(rr, 1, m.label, f.month)
                let values = [m.cashFlowMeanUSD] + m.cashFlowPercentilesUSD + [m.cumulativeCashMeanUSD]
                    + m.cumulativeCashPercentilesUSD + m.revenueMeansUSD
                for (k, v) in values.enumerated() { monthly.write(rr, 2 + k, v, f.usd) }
                for (k, v) in m.marketPercentiles.flatMap({ $0 }).enumerated() { monthly.write(rr, 2 + values.count + k, v, f.decimal) }
            }
            monthly.width(0, 0, 8)
            monthly.width(1, 1, 10)
            monthly.width(2, headers.count - 1, 18)
            monthly.freezeHeader()
            monthly.table("MonthlyTable", lastRow: r.months.count, headers: headers)
            monthly.printArea(lastRow: r.months.count, lastColumn: headers.count - 1)
            let last = r.months.count
            w.chartsheet("Cash fan", Charts.fan(
                w, data, title: "Cumulative cash: P5-P95 fan (\(r.paths.count) paths)", axis: "USD", numberFormat: "$#,##0.0,,\"M\"",
                labels: r.months.map(\.label), percentiles: r.months.map(\.cumulativeCashPercentilesUSD)))
            w.chartsheet("Revenue", revenueChart(w, title: "Mean monthly revenue by stream", firstColumn: 14, months: last))
            inputFans(w, data, months: r.months, hasGPUs: Self.hasGPUs(scenario))

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
                    "Swing (USD)", "Low - base (USD)", "High - base (USD)", "Moved by",
                ]
                for (c, h) in sh.enumerated() { s.write(0, c, h, f.header) }
                // The chart reads bottom-up, so the largest swing is written last to sit on top.
                // Inputs the scenario does not have first; then the others, smallest swing
                // first (the chart reads bottom-up, so the largest sits on top).
                let ordered = tornado.filter { $0.lowValue == nil } + tornado.filter { $0.lowValue != nil }.reversed()
                for (i, bar) in ordered.enumerated() {
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
                    s.write(rr, 9, bar.basis)
                }
                s.width(0, 0, 28)
                s.width(1, sh.count - 1, 18)
                s.freezeHeader()
                s.table("SensitivityTable", lastRow: tornado.count, headers: sh)
                // The chart shows the inputs the scenario has (written last, so the rows
                // after the absent ones), every label.
                let absent = tornado.filter { $0.lowValue == nil }.count
                let shown = (absent + 1)...max(absent + 1, tornado.count)
                let chart = w.chart(LXW_CHART_BAR)
                chart.series("Input low", categories: Cell.range("Sensitivity", column: 0, rows: shown),
                    values: Cell.range("Sensitivity", column: 7, rows: shown))
                chart.series("Input high", categories: Cell.range("Sensitivity", column: 0, rows: shown),
                    values: Cell.range("Sensitivity", column: 8, rows: shown))
                chart.overlap(100)
                chart.gap(40)
                chart.barCategoryLabelsLow()
                chart_axis_set_interval_unit(chart.handle.pointee.y_axis, 1)
                chart.title("Tornado: change in mean NPV from the base (inputs at their low and high values)")
                chart.xAxis("USD vs the base mean NPV", numberFormat: "$#,##0.0,,\"M\"")
                chart.legendBottom()
                s.insert(chart, row: tornado.count + 3, column: 0, widthScale: 1.8, heightScale: max(1.2, Double(shown.count) * 0.12))
                s.printArea(lastRow: tornado.count + 26, lastColumn: sh.count - 1)
            }
            yearlySheet(w, f, r.yearlyMeans, title: "Yearly")
            data.finish()
            try w.close()
        }
    }

    public static func hasGPUs(_ s: Scenario) -> Bool {
        s.gpuCloud != nil || s.conversions.contains { if case .gpuCloud = $0.target { true } else { false } }
    }

    /// The inputs' fans (P5-P95 bands), each chart on its own rows of an "Input fans" sheet.
    static func inputFans(_ w: XLSXWorkbook, _ data: ChartData, months: [MonthStatistics], hasGPUs: Bool) {
        guard let first = months.first, first.marketPercentiles.allSatisfy({ $0.count == 5 }) else { return }
        let sheet = w.sheet("Input fans")
        sheet.write(0, 0, "The inputs over time across paths: P5-P95 (light) and P25-P75 (dark) bands of each month's average.", data.formats.bold)
        var row = 2
        var breaks: [Int] = []
        for (k, market) in MonthStatistics.markets.enumerated() where k != 4 || hasGPUs {
            if row > 2 { breaks.append(row) }
            let chart = Charts.fan(
                w, data, title: market.name, axis: market.unit, numberFormat: k == 2 ? "$#,##0" : "#,##0.0", 
                labels: months.map(\.label), percentiles: months.map { $0.marketPercentiles[k] })
            sheet.insert(chart, row: row, column: 0, widthScale: 1.6, heightScale: 1.2)
            row += 22
        }
        sheet.printArea(lastRow: row, lastColumn: 12)
        sheet.pageBreaks(breaks)
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
            let chartRow = writer.row + 2
            readingGuide(w, f, kind: .simulate)
            inputs(w, f, scenario)
            let monthly = w.sheet("Monthly")
            let headers = ["Month", "Date"] + LedgerCSV.columns.map(\.name)
            for (c, h) in headers.enumerated() { monthly.write(0, c, h, f.header) }
            for (i, m) in result.months.enumerated() {
                monthly.write(i + 1, 0, Double(m.month), f.number)
                monthly.writeMonth(i + 1, 1, m.label, f.month)
                for (k, column) in LedgerCSV.columns.enumerated() {
                    let format =
                        column.name.hasSuffix("_usd") ? f.usd
                        : column.name.contains("utilisation") || column.name == "hashrate_share" ? f.percent
                        : column.name.hasPrefix("jobs_") ? f.number : f.decimal
                    monthly.write(i + 1, 2 + k, column.value(m), format)
                }
            }
            monthly.width(0, 1, 10)
            monthly.width(2, headers.count - 1, 16)
            monthly.freezeHeader()
            monthly.table("LedgerTable", lastRow: result.months.count, headers: headers)
            let last = result.months.count
            let revenue = revenueChart(w, title: "Monthly revenue by stream", firstColumn: 2, months: last)
            summary.insert(revenue, row: chartRow, column: 0, widthScale: 1.6, heightScale: 1.3)
            summary.printArea(lastRow: chartRow + 24, lastColumn: 9)
            monthly.printArea(lastRow: result.months.count, lastColumn: headers.count - 1)
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
            case .text(let t): sheet.write(i + 1, 1, Self.literalUnderscores(t))
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

    enum GuideKind { case simulate, risk, plan }

    /// "How to read this": what the figures mean, the sign conventions, which paths.
    static func readingGuide(_ w: XLSXWorkbook, _ f: Formats, kind: GuideKind) {
        let sheet = w.sheet("How to read this")
        let wrap = w.wrapped()
        sheet.width(0, 0, 30)
        sheet.width(1, 1, 110)
        sheet.write(0, 0, "Term", f.header)
        sheet.write(0, 1, "Meaning", f.header)
        var rows: [(String, String)] = [
            ("NPV", "Net present value at the scenario's discountRatePerYear of the monthly free cash flows (revenue - energy - opex - capex - transmission), plus the value at the horizon (valuation section) discounted from the last month. Before tax and financing unless the scenario has a finance section (then see the equity figures)."),
            ("Value at the horizon", "What the site is worth at the end of the run: leases still running (at the contract rate), operations as a going concern or powered land, and the option to convert blocks not started. Without it, halls would be worth nothing after the horizon."),
            ("Paths", "Monte Carlo paths: each draws the BTC price, fees, network hashrate, power prices, GPU prices and AI demand. Path k uses the same random numbers in every run with the same seed, whatever the thread count, so two policies or scenarios compared on the same paths differ only by the decision."),
            ("Percentiles (P5, P50, P95)", "P5 is the value that 5% of paths fall below. Fan charts shade P5-P95 (light) and P25-P75 (dark)."),
            ("VaR and CVaR", TextFormat.tailConvention + ". A negative VaR or CVaR means even the tail gains: there is no loss at that level."),
            ("Probability of loss", "The share of paths with a negative NPV."),
            ("IRR", "Annual internal rate of return, where the flows change sign once; an operating site earns before it spends, so it often has none: use NPV."),
            ("Inputs sheet", "Every scenario key, defaults included, and the catalogue entries used. Edit a value and run `switchyard simulate|risk|plan THIS.xlsx`, or `switchyard scenario export THIS.xlsx -o site.yaml`. A blank value means the key's default."),
            ("Amounts", "USD, nominal. Charts show millions (M)."),
        ]
        if kind == .plan {
            rows += [
                ("Training and fresh paths", "Every candidate policy is scored on the training paths; the best of each family is then re-scored on fresh, independent paths. The training score of the winner is optimistic (it won a selection on those paths); the fresh-path figures are the ones to quote."),
                ("NPV minus never", "On each fresh path, the policy's NPV minus the NPV of never converting on the same path: the value of the decision itself."),
                ("Breakeven hashprice", "The hashprice (USD per PH/s per day) at which a fleet's revenue pays its power and running cost, at the long-run power price: 0.024 x J/TH x PUE x (power price + opex)."),
            ]
        }
        if kind == .risk {
            rows.append(("Tornado", "Each input at a low and a high value (the scenario's sensitivity.ranges, else -/+ the swing), the others at base, on the same paths; bars show the change in mean NPV."))
        }
        for (k, row) in rows.enumerated() {
            sheet.write(k + 1, 0, row.0, f.bold)
            sheet.write(k + 1, 1, row.1, wrap)
        }
        sheet.printArea(lastRow: rows.count, lastColumn: 1)
    }

    /// Text with a literal `_xHHHH_` written as `_x005F_xHHHH_`, as OOXML wants, so a
    /// reader does not take it for an escaped character (libxlsxwriter escapes control
    /// characters that way, but not the underscores of such text).
    static func literalUnderscores(_ text: String) -> String {
        guard text.contains("_x") else { return text }
        return text.replacingOccurrences(of: #"_(x[0-9A-Fa-f]{4}_)"#, with: "_x005F_$1", options: .regularExpression)
    }

    /// Equal-width bins over [min, max].
    /// `tails`: the bins span the tails...(1 - tails) quantiles, and the values beyond
    /// are counted in the end bins (one path far out would otherwise squeeze the rest
    /// into a few bins).
    static func histogram(_ values: [Double], bins: Int, tails: Double? = nil) -> [(centre: Double, count: Int)] {
        guard var low = values.min(), var high = values.max() else { return [] }
        if let tails { (low, high) = range(values, tails: tails) ?? (low, high) }
        guard high > low else { return [(low, values.count)] }
        let width = (high - low) / Double(bins)
        var counts = [Int](repeating: 0, count: bins)
        for v in values { counts[XLSXReport.bin(v, low: low, width: width, bins: bins)] += 1 }
        return counts.enumerated().map { (low + (Double($0.offset) + 0.5) * width, $0.element) }
    }

    /// The tails and 1 - tails quantiles of `values` (nil when they are equal), and how
    /// many values lie outside them.
    static func range(_ values: [Double], tails: Double) -> (low: Double, high: Double)? {
        let sorted = values.sorted()
        guard sorted.count > 1 else { return nil }
        let low = sorted[Int((tails * Double(sorted.count - 1)).rounded(.down))]
        let high = sorted[Int(((1 - tails) * Double(sorted.count - 1)).rounded(.up))]
        return high > low ? (low, high) : nil
    }

    /// The bin of `v` among `bins` of `width` from `low`, values outside in the end bins
    /// (clamped as a Double first: a far outlier would not fit an Int).
    static func bin(_ v: Double, low: Double, width: Double, bins: Int) -> Int {
        let x = (v - low) / width
        return x < 1 ? 0 : x >= Double(bins - 1) ? bins - 1 : Int(x)
    }

    static func outside(_ values: [Double], tails: Double) -> Int {
        guard let (low, high) = range(values, tails: tails) else { return 0 }
        return values.filter { $0 < low || $0 > high }.count
    }
}
