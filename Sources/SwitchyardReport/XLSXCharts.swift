// SPDX-License-Identifier: GPL-3.0-or-later

internal import CXLSXWriter
import Foundation
import SwitchyardRisk

/// The columns charts read, kept apart from the tables an analyst reads: fan bands,
/// histogram bins and S-curves, on a "Chart data" sheet (last in the workbook).
final class ChartData {
    static let sheetName = "Chart data"
    let workbook: XLSXWorkbook
    let formats: XLSXReport.Formats
    private var sheet: XLSXSheet?
    private var column = 0
    private var pending: [(XLSXSheet) -> Void] = []

    init(_ workbook: XLSXWorkbook, _ formats: XLSXReport.Formats) {
        self.workbook = workbook
        self.formats = formats
    }

    /// Columns written under `headers` from row 1; returns each column's range.
    /// They are written when ``finish()`` adds the sheet (after the others).
    func columns(_ headers: [String], _ values: [[Double]], format: UnsafeMutablePointer<lxw_format>? = nil) -> [String] {
        let first = column
        column += headers.count + 1  // a blank column between blocks
        let f = formats
        pending.append { sheet in
            for (k, header) in headers.enumerated() {
                sheet.write(0, first + k, header, f.header)
                for (r, v) in values[k].enumerated() { sheet.write(r + 1, first + k, v, format) }
            }
        }
        return values.enumerated().map { k, v in Cell.range(Self.sheetName, column: first + k, rows: 1...max(1, v.count)) }
    }

    /// A column of text (category names).
    func textColumn(_ header: String, _ values: [String]) -> String {
        let first = column
        column += 1
        let f = formats
        pending.append { sheet in
            sheet.write(0, first, header, f.header)
            for (r, v) in values.enumerated() { sheet.write(r + 1, first, v) }
        }
        return Cell.range(Self.sheetName, column: first, rows: 1...max(1, values.count))
    }

    /// A date column (first of each month) for the months labelled "YYYY-MM".
    func dates(_ labels: [String]) -> String {
        let first = column
        column += 1
        let f = formats
        pending.append { sheet in
            sheet.write(0, first, "Date", f.header)
            for (r, label) in labels.enumerated() { sheet.writeMonth(r + 1, first, label, f.month) }
        }
        return Cell.range(Self.sheetName, column: first, rows: 1...max(1, labels.count))
    }

    /// Adds the sheet with every block written so far. Call once, after the other sheets.
    func finish() {
        guard !pending.isEmpty else { return }
        let sheet = workbook.sheet(Self.sheetName)
        sheet.hide()  // helper columns: visible with Unhide, never printed
        sheet.width(0, column, 14)
        for write in pending { write(sheet) }
        sheet.write(0, column + 1, "Helper columns for the charts (fan bands are differences between percentiles).")
    }
}

enum Charts {
    static let blue: UInt32 = 0x1F4E79
    static let lightBlue: UInt32 = 0x9DC3E6
    static let darkBlue: UInt32 = 0x2E75B6
    static let palette: [UInt32] = [0x2E75B6, 0xC55A11, 0x548235, 0x7030A0, 0xBF9000, 0x404040]

    /// A fan chart: P5-P95 and P25-P75 shaded bands over the months (stacked areas on
    /// an invisible base at P5). `percentiles[m]` = P5, P25, P50, P75, P95 of month m.
    static func fan(
        _ w: XLSXWorkbook, _ data: ChartData, title: String, axis: String, numberFormat: String, labels: [String],
        percentiles: [[Double]]
    ) -> XLSXChart {
        let dates = data.dates(labels)
        let p = (0..<5).map { k in percentiles.map { $0.count == 5 ? $0[k] : .nan } }
        let bands = [p[0]] + (1..<5).map { k in zip(p[k], p[k - 1]).map { $0 - $1 } }
        let ranges = data.columns(
            ["\(title): P5", "P5 to P25", "P25 to P50", "P50 to P75", "P75 to P95"], bands, format: data.formats.decimal)
        let chart = w.chart(LXW_CHART_AREA_STACKED)
        let names = ["P5", "P5-P25", "P25-P50 (P50 at the edge)", "P50-P75", "P75-P95"]
        let colours: [UInt32?] = [nil, lightBlue, darkBlue, darkBlue, lightBlue]
        for k in 0..<5 {
            let series = chart.series(names[k], categories: dates, values: ranges[k])
            XLSXChart.fill(series, color: colours[k], transparency: k == 0 ? 0 : (k == 1 || k == 4 ? 35 : 10))
        }
        chart.hideFromLegend([0])
        chart.title(title)
        chart.xAxis("Month", numberFormat: "yyyy-mm")
        chart.xLabelsLow()
        chart.yAxis(axis, numberFormat: numberFormat)
        chart.legendBottom()
        return chart
    }

    /// Cumulative probability against value (an S-curve), one line a series: 101
    /// quantiles of each sample, sharing the probability column.
    static func sCurve(
        _ w: XLSXWorkbook, _ data: ChartData, title: String, axis: String, numberFormat: String,
        samples: [(name: String, values: [Double])]
    ) -> XLSXChart? {
        let samples = samples.filter { !$0.values.isEmpty }
        guard !samples.isEmpty else { return nil }
        let probabilities = (0...100).map { Double($0) / 100 }
        let quantiles = samples.map { sample -> [Double] in
            let sorted = sample.values.sorted()
            return probabilities.map { p in
                let x = p * Double(sorted.count - 1)
                let i = Int(x.rounded(.down))
                let j = min(sorted.count - 1, i + 1)
                return sorted[i] + (sorted[j] - sorted[i]) * (x - Double(i))
            }
        }
        let ranges = data.columns(["\(title): cumulative probability"] + samples.map(\.name), [probabilities] + quantiles, format: data.formats.decimal)
        let chart = w.chart(LXW_CHART_SCATTER_STRAIGHT)
        for (k, sample) in samples.enumerated() {
            let series = chart.series(sample.name, categories: ranges[k + 1], values: ranges[0])
            XLSXChart.line(series, color: palette[k % palette.count])
        }
        chart.title(title)
        chart.xAxis(axis, numberFormat: numberFormat)
        chart.yAxis("Share of paths at or below", numberFormat: "0%")
        chart.yRange(min: 0, max: 1)
        chart_axis_set_crossing_min(chart.handle.pointee.x_axis)  // the probability axis at the left edge
        chart.legendBottom()
        return chart
    }

    /// Histograms of several samples over the same equal bins, as lines (share of each
    /// sample's paths a bin), so the policies' distributions can be laid over each other.
    static func histograms(
        _ w: XLSXWorkbook, _ data: ChartData, title: String, axis: String, numberFormat: String,
        samples: [(name: String, values: [Double])], bins: Int = 30, tails: Double? = nil
    ) -> XLSXChart? {
        let samples = samples.filter { !$0.values.isEmpty }
        let all = samples.flatMap(\.values)
        guard var low = all.min(), var high = all.max(), high > low else { return nil }
        if let tails { (low, high) = XLSXReport.range(all, tails: tails) ?? (low, high) }
        let width = (high - low) / Double(bins)
        let centres = (0..<bins).map { low + (Double($0) + 0.5) * width }
        let shares = samples.map { sample -> [Double] in
            var counts = [Double](repeating: 0, count: bins)
            for v in sample.values { counts[XLSXReport.bin(v, low: low, width: width, bins: bins)] += 1 }
            return counts.map { $0 / Double(sample.values.count) }
        }
        let ranges = data.columns(["\(title): bin centre"] + samples.map(\.name), [centres] + shares, format: data.formats.decimal)
        let chart = w.chart(LXW_CHART_SCATTER_STRAIGHT)
        for (k, sample) in samples.enumerated() {
            let series = chart.series(sample.name, categories: ranges[0], values: ranges[k + 1])
            XLSXChart.line(series, color: palette[k % palette.count])
        }
        chart.title(title)
        chart.xAxis(axis, numberFormat: numberFormat)
        chart.yAxis("Share of paths in the bin", numberFormat: "0%")
        chart.yRange(min: 0)
        chart_axis_set_crossing_min(chart.handle.pointee.x_axis)
        chart.legendBottom()
        return chart
    }

    /// A histogram of `values` in `bins` equal bins.
    static func histogram(
        _ w: XLSXWorkbook, _ data: ChartData, title: String, axis: String, numberFormat: String, values: [Double], bins: Int = 30,
        tails: Double? = nil
    ) -> XLSXChart? {
        let counts = XLSXReport.histogram(values, bins: bins, tails: tails)
        guard !counts.isEmpty else { return nil }
        let ranges = data.columns(["\(title): bin centre", "Paths"], [counts.map(\.centre), counts.map { Double($0.count) }], format: data.formats.decimal)
        let chart = w.chart(LXW_CHART_COLUMN)
        chart.series("Paths", categories: ranges[0], values: ranges[1])
        chart.title(title)
        chart.xAxis(axis, numberFormat: numberFormat)
        chart.xLabelsLow()
        chart.yAxis("Paths")
        chart.yRange(min: 0)
        chart.gap(10)
        chart.noLegend()
        return chart
    }
}
