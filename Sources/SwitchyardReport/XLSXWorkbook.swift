// SPDX-License-Identifier: GPL-3.0-or-later

internal import CXLSXWriter
import Foundation

/// A thin owner of a libxlsxwriter workbook. Not Sendable: one report is built by one
/// task. Every C string and option struct handed to the library stays alive until the
/// workbook is closed: libxlsxwriter keeps some of these pointers (table columns, for
/// one) and reads them only when `workbook_close` writes the file.
final class XLSXWorkbook {
    let handle: UnsafeMutablePointer<lxw_workbook>
    let path: String
    private var cStrings: [UnsafeMutablePointer<CChar>] = []
    private var structs: [UnsafeMutableRawPointer] = []
    private var closed = false

    init(path: String) throws {
        let options = UnsafeMutablePointer<lxw_workbook_options>.allocate(capacity: 1)
        options.initialize(to: lxw_workbook_options())
        options.pointee.use_zip64 = 1
        defer { options.deallocate() }  // read by workbook_new_opt only
        guard let handle = workbook_new_opt(path, options) else {
            throw OutputError.writeFailed(path: path, reason: "libxlsxwriter could not create the workbook")
        }
        self.handle = handle
        self.path = path
    }

    deinit {
        if !closed { _ = workbook_close(handle) }
        for pointer in cStrings { free(pointer) }
        for pointer in structs { pointer.deallocate() }
    }

    /// A copy of `value` owned by the workbook until it is closed.
    func keep<T>(_ value: T) -> UnsafeMutablePointer<T> {
        let pointer = UnsafeMutablePointer<T>.allocate(capacity: 1)
        pointer.initialize(to: value)
        structs.append(UnsafeMutableRawPointer(pointer))
        return pointer
    }

    /// A null-terminated array of pointers owned by the workbook until it is closed.
    func keep<T>(array values: [UnsafeMutablePointer<T>]) -> UnsafeMutablePointer<UnsafeMutablePointer<T>?> {
        let pointer = UnsafeMutablePointer<UnsafeMutablePointer<T>?>.allocate(capacity: values.count + 1)
        for (i, value) in values.enumerated() { (pointer + i).initialize(to: value) }
        (pointer + values.count).initialize(to: nil)
        structs.append(UnsafeMutableRawPointer(pointer))
        return pointer
    }

    /// A C string owned by the workbook until it is closed.
    func keep(_ text: String) -> UnsafeMutablePointer<CChar> {
        let pointer = strdup(text)!
        cStrings.append(pointer)
        return pointer
    }

    /// A worksheet set to print landscape, one page wide.
    func sheet(_ name: String) -> XLSXSheet {
        let sheet = workbook_add_worksheet(handle, name)!
        worksheet_set_landscape(sheet)
        worksheet_fit_to_pages(sheet, 1, 0)
        return XLSXSheet(workbook: self, handle: sheet)
    }

    func format(_ numberFormat: String? = nil, bold: Bool = false) -> UnsafeMutablePointer<lxw_format> {
        let format = workbook_add_format(handle)!
        if let numberFormat { format_set_num_format(format, numberFormat) }
        if bold { format_set_bold(format) }
        return format
    }

    /// A workbook-level defined name, e.g. `NPV_Mean` -> `=Summary!$B$5`.
    func define(_ name: String, _ formula: String) {
        _ = workbook_define_name(handle, name, formula)
    }

    func chart(_ type: lxw_chart_type) -> XLSXChart {
        XLSXChart(workbook: self, handle: workbook_add_chart(handle, UInt8(type.rawValue))!)
    }

    /// A sheet that is one chart, landscape: for the charts of long tables, which print
    /// at a readable size this way.
    func chartsheet(_ name: String, _ chart: XLSXChart) {
        let sheet = workbook_add_chartsheet(handle, name)!
        chartsheet_set_landscape(sheet)
        _ = chartsheet_set_chart(sheet, chart.handle)
    }

    /// A format that wraps text at the cell's width, aligned to the top.
    func wrapped(bold: Bool = false) -> UnsafeMutablePointer<lxw_format> {
        let format = self.format(bold: bold)
        format_set_text_wrap(format)
        format_set_align(format, UInt8(LXW_ALIGN_VERTICAL_TOP.rawValue))
        return format
    }

    /// Writes the file. Throws with libxlsxwriter's reason on failure.
    func close() throws {
        closed = true
        let status = workbook_close(handle)
        guard status == LXW_NO_ERROR else {
            throw OutputError.writeFailed(path: path, reason: String(cString: lxw_strerror(status)))
        }
    }
}

@available(*, unavailable)
extension XLSXWorkbook: Sendable {}

/// One worksheet.
struct XLSXSheet {
    let workbook: XLSXWorkbook
    let handle: UnsafeMutablePointer<lxw_worksheet>

    func write(_ row: Int, _ column: Int, _ value: Double?, _ format: UnsafeMutablePointer<lxw_format>? = nil) {
        guard let value, value.isFinite else { return }  // NaN / undefined: a blank cell
        worksheet_write_number(handle, lxw_row_t(row), lxw_col_t(column), value, format)
    }

    func write(_ row: Int, _ column: Int, _ text: String, _ format: UnsafeMutablePointer<lxw_format>? = nil) {
        worksheet_write_string(handle, lxw_row_t(row), lxw_col_t(column), text, format)
    }

    /// A date (first of the month for "YYYY-MM" labels) as a real Excel date.
    func writeMonth(_ row: Int, _ column: Int, _ label: String, _ format: UnsafeMutablePointer<lxw_format>) {
        let parts = label.split(separator: "-").compactMap { Int($0) }
        let date = lxw_datetime(year: Int32(parts[0]), month: Int32(parts[1]), day: 1, hour: 0, min: 0, sec: 0)
        worksheet_write_datetime(handle, lxw_row_t(row), lxw_col_t(column), workbook.keep(date), format)
    }

    func width(_ first: Int, _ last: Int, _ width: Double, _ format: UnsafeMutablePointer<lxw_format>? = nil) {
        worksheet_set_column(handle, lxw_col_t(first), lxw_col_t(last), width, format)
    }

    func freezeHeader() {
        worksheet_freeze_panes(handle, 1, 0)
        _ = worksheet_repeat_rows(handle, 0, 0)  // the header on every printed page
    }

    /// Printed pages break before these rows (so a chart is not cut in two).
    func pageBreaks(_ rows: [Int]) {
        let breaks = rows.filter { $0 > 0 }.map { lxw_row_t($0) } + [0]
        breaks.withUnsafeBufferPointer { buffer in
            _ = worksheet_set_h_pagebreaks(handle, UnsafeMutablePointer(mutating: buffer.baseAddress!))
        }
    }

    /// What prints: rows and columns `0...lastRow`, `0...lastColumn`. A table wider
    /// than 16 columns prints over pages 12 columns wide, not shrunk onto one.
    func printArea(lastRow: Int, lastColumn: Int) {
        _ = worksheet_print_area(handle, 0, 0, lxw_row_t(max(0, lastRow)), lxw_col_t(max(0, lastColumn)))
        if lastColumn >= 16 {
            worksheet_fit_to_pages(handle, UInt16((lastColumn + 1 + 11) / 12), 0)
            worksheet_repeat_columns(handle, 0, 1)
        }
    }

    func hide() { worksheet_hide(handle) }

    /// Text across columns `first...last` of `row`, wrapped, the row tall enough for `lines`.
    func paragraph(_ row: Int, _ first: Int, _ last: Int, _ text: String, _ format: UnsafeMutablePointer<lxw_format>, lines: Int) {
        _ = worksheet_merge_range(handle, lxw_row_t(row), lxw_col_t(first), lxw_row_t(row), lxw_col_t(last), text, format)
        _ = worksheet_set_row(handle, lxw_row_t(row), 15 * Double(max(1, lines)), nil)
    }

    /// An Excel table over rows `0...lastRow` (row 0 the header) and `headers.count` columns.
    func table(_ name: String, lastRow: Int, headers: [String]) {
        guard lastRow >= 1 else { return }  // a table needs at least one data row
        let columns = headers.map { header -> UnsafeMutablePointer<lxw_table_column> in
            var column = lxw_table_column()
            column.header = workbook.keep(header)
            return workbook.keep(column)
        }
        var options = lxw_table_options()
        options.name = workbook.keep(name)
        options.style_type = UInt8(LXW_TABLE_STYLE_TYPE_MEDIUM.rawValue)
        options.style_type_number = 2
        options.columns = workbook.keep(array: columns)
        _ = worksheet_add_table(handle, 0, 0, lxw_row_t(lastRow), lxw_col_t(headers.count - 1), workbook.keep(options))
    }

    func insert(_ chart: XLSXChart, row: Int, column: Int, widthScale: Double = 1.6, heightScale: Double = 1.4) {
        var options = lxw_chart_options()
        options.x_scale = widthScale
        options.y_scale = heightScale
        worksheet_insert_chart_opt(handle, lxw_row_t(row), lxw_col_t(column), chart.handle, workbook.keep(options))
    }
}

/// One native chart.
struct XLSXChart {
    let workbook: XLSXWorkbook
    let handle: UnsafeMutablePointer<lxw_chart>

    /// Adds a series from ranges such as `=Monthly!$A$2:$A$121`.
    @discardableResult
    func series(_ name: String, categories: String?, values: String) -> UnsafeMutablePointer<lxw_chart_series> {
        let series = chart_add_series(handle, categories, values)!
        chart_series_set_name(series, name)
        return series
    }

    func title(_ text: String) { chart_title_set_name(handle, text) }
    func xAxis(_ name: String, numberFormat: String? = nil) {
        chart_axis_set_name(handle.pointee.x_axis, name)
        if let numberFormat { chart_axis_set_num_format(handle.pointee.x_axis, numberFormat) }
    }
    func yAxis(_ name: String, numberFormat: String? = nil) {
        chart_axis_set_name(handle.pointee.y_axis, name)
        if let numberFormat { chart_axis_set_num_format(handle.pointee.y_axis, numberFormat) }
    }
    /// A bar chart's category labels at the left edge, clear of bars that go negative
    /// (in a bar chart libxlsxwriter's y axis is the vertical, category one).
    func barCategoryLabelsLow() {
        chart_axis_set_label_position(handle.pointee.y_axis, UInt8(LXW_CHART_AXIS_LABEL_POSITION_LOW.rawValue))
    }
    func legendBottom() { chart_legend_set_position(handle, UInt8(LXW_CHART_LEGEND_BOTTOM.rawValue)) }
    func noLegend() { chart_legend_set_position(handle, UInt8(LXW_CHART_LEGEND_NONE.rawValue)) }
    /// Category (date) labels at the bottom of the plot, whatever the sign of the values.
    func xLabelsLow() {
        chart_axis_set_label_position(handle.pointee.x_axis, UInt8(LXW_CHART_AXIS_LABEL_POSITION_LOW.rawValue))
    }
    func yRange(min: Double? = nil, max: Double? = nil) {
        if let min { chart_axis_set_min(handle.pointee.y_axis, min) }
        if let max { chart_axis_set_max(handle.pointee.y_axis, max) }
    }
    func xRange(min: Double? = nil, max: Double? = nil) {
        if let min { chart_axis_set_min(handle.pointee.x_axis, min) }
        if let max { chart_axis_set_max(handle.pointee.x_axis, max) }
    }
    /// Legend entries removed (0-based series indices), e.g. a fan's invisible base.
    func hideFromLegend(_ series: [Int16]) {
        let list = UnsafeMutablePointer<Int16>.allocate(capacity: series.count + 1)
        for (k, v) in series.enumerated() { list[k] = v }
        list[series.count] = -1
        _ = chart_legend_delete_series(handle, list)
        list.deallocate()
    }

    /// A series filled with `color` (0xRRGGBB) at `transparency` percent, or not at all.
    static func fill(_ series: UnsafeMutablePointer<lxw_chart_series>, color: UInt32?, transparency: UInt8 = 0) {
        var fill = lxw_chart_fill()
        if let color { fill.color = color; fill.transparency = transparency } else { fill.none = 1 }
        chart_series_set_fill(series, &fill)
        var line = lxw_chart_line()
        line.none = 1
        chart_series_set_line(series, &line)
    }

    static func line(_ series: UnsafeMutablePointer<lxw_chart_series>, color: UInt32, width: Float = 2.25) {
        var line = lxw_chart_line()
        line.color = color
        line.width = width
        chart_series_set_line(series, &line)
    }
    func overlap(_ value: Int8) { chart_set_series_overlap(handle, value) }
    func gap(_ value: UInt16) { chart_set_series_gap(handle, value) }
}

/// A1-style references.
enum Cell {
    /// Column letters for a 0-based index (0 -> A, 26 -> AA).
    static func column(_ index: Int) -> String {
        var n = index + 1
        var letters = ""
        while n > 0 {
            let r = (n - 1) % 26
            letters = String(UnicodeScalar(UInt8(65 + r))) + letters
            n = (n - 1) / 26
        }
        return letters
    }

    /// `=Sheet!$C$2:$C$121` for 0-based rows and column.
    static func range(_ sheet: String, column: Int, rows: ClosedRange<Int>) -> String {
        "='\(sheet)'!$\(Self.column(column))$\(rows.lowerBound + 1):$\(Self.column(column))$\(rows.upperBound + 1)"
    }

    /// `=Sheet!$B$5` for a 0-based cell.
    static func absolute(_ sheet: String, row: Int, column: Int) -> String {
        "='\(sheet)'!$\(Self.column(column))$\(row + 1)"
    }
}
