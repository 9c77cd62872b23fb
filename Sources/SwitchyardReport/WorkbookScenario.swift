// SPDX-License-Identifier: GPL-3.0-or-later

import Foundation
public import SwitchyardModel

/// A scenario read back from the Inputs sheet of a Switchyard workbook: column A the
/// key (`bitcoin.price.volatility`, `site.halls[0].powerMW`), column B the value,
/// under a header row whose first cell is "Key". An analyst edits the values in Excel
/// and runs `switchyard simulate|risk|plan WORKBOOK.xlsx`.
public enum WorkbookScenario {
    public static let sheetName = "Inputs"
    static let maximumKeys = 5_000

    /// A scenario file (YAML) or a workbook (`.xlsx`), by its extension.
    public static func loadAny(path: String) throws(ScenarioError) -> Scenario {
        path.lowercased().hasSuffix(".xlsx") ? try load(path: path) : try ScenarioLoader.load(path: path)
    }

    public static func load(path: String) throws(ScenarioError) -> Scenario {
        let cells: XLSXReader.Cells
        do {
            cells = try XLSXReader.sheet(sheetName, in: path)
        } catch {
            throw ScenarioError(issues: [ScenarioIssue(file: path, line: nil, path: "(workbook)", value: "", rule: error.reason)])
        }
        let (entries, rows) = try self.entries(cells, file: path)
        let base = URL(fileURLWithPath: path).deletingLastPathComponent().path
        return try ScenarioLoader.load(entries: entries, file: path, baseDirectory: base) { "\(path), sheet \(sheetName), row \(rows[$0])" }
    }

    /// The (key, value) rows under the header; blank values are left out (the key's
    /// default applies, or it is reported as required).
    static func entries(_ cells: XLSXReader.Cells, file: String) throws(ScenarioError) -> ([ScenarioEntry], [Int]) {
        func issue(_ row: Int, _ key: String, _ value: String, _ rule: String) -> ScenarioIssue {
            ScenarioIssue(file: "\(file), sheet \(sheetName), row \(row)", line: nil, path: key.isEmpty ? "(row)" : key, value: value, rule: rule)
        }
        let rowNumbers = cells.keys.sorted()
        guard let header = rowNumbers.first(where: { cells[$0]?[0]?.text.trimmingCharacters(in: .whitespaces).lowercased() == "key" }) else {
            throw ScenarioError(issues: [
                ScenarioIssue(file: file, line: nil, path: "(sheet \(sheetName))", value: "", rule: "has no header row with 'Key' in column A (and 'Value' in column B)")
            ])
        }
        var entries: [ScenarioEntry] = []
        var rows: [Int] = []
        var issues: [ScenarioIssue] = []
        // A scenario has a few hundred keys; tens of thousands are not one (and would
        // take minutes to check key by key).
        let keyed = rowNumbers.filter { $0 > header && cells[$0]?[1] != nil }.count
        guard keyed <= maximumKeys else {
            throw ScenarioError(issues: [
                ScenarioIssue(file: file, line: nil, path: "(sheet \(sheetName))", value: "\(keyed) rows with a value", rule: "has more than \(maximumKeys) keys: not a Switchyard scenario")
            ])
        }
        for row in rowNumbers where row > header {
            let line = cells[row] ?? [:]
            let key = (line[0]?.text ?? "").trimmingCharacters(in: .whitespaces)
            guard let cell = line[1], !(cell.kind == .text && cell.text.isEmpty) else {
                continue  // a blank value: the default applies
            }
            if key.isEmpty {
                issues.append(issue(row, key, cell.text, "has a value but no key in column A"))
                continue
            }
            if key.hasPrefix("#") { continue }  // a note
            let value: ScenarioEntry.Value
            switch cell.kind {
            case .number:
                guard let number = Double(cell.text), number.isFinite else {
                    issues.append(issue(row, key, cell.text, "is not a number Switchyard can read"))
                    continue
                }
                value = .number(number)
            case .text: value = .text(cell.text)
            case .flag: value = .flag(cell.text == "true")
            case .error:
                issues.append(issue(row, key, "", cell.text))
                continue
            }
            entries.append(ScenarioEntry(key: key, value: value))
            rows.append(row)
        }
        guard issues.isEmpty else { throw ScenarioError(issues: issues) }
        return (entries, rows)
    }
}
