// SPDX-License-Identifier: GPL-3.0-or-later

import Foundation
internal import Yams

/// Reads a YAML document field by field, collecting every problem with its file, line,
/// field path, value and rule instead of stopping at the first.
final class YAMLReader {
    let file: String
    private(set) var issues: [ScenarioIssue] = []
    /// The line of every field and list item read, by its path: rules checked after
    /// reading (``ScenarioValidator``) report where their field is.
    private(set) var lines: [String: Int] = [:]

    func note(_ path: String, _ node: Node) {
        if let line = node.mark?.line, lines[path] == nil { lines[path] = line }
    }

    /// The line of `path`, or of the nearest enclosing field that was read.
    func line(of path: String) -> Int? {
        var p = Substring(path)
        while !p.isEmpty {
            if let line = lines[String(p)] { return line }
            guard let cut = p.lastIndex(where: { $0 == "." || $0 == "[" }) else { break }
            p = p[..<cut]
        }
        return nil
    }

    init(file: String) { self.file = file }

    /// Limits that keep a hostile document from taking the machine: its size, and the
    /// number of alias uses (nested aliases expand exponentially: "billion laughs").
    static let maximumBytes = 10_000_000
    static let maximumAliases = 16

    /// Parses `text`; a syntax error becomes an issue and `nil`.
    func root(_ text: String) -> Fields? {
        guard text.utf8.count <= Self.maximumBytes else {
            report(path: "(document)", line: nil, value: "\(text.utf8.count) bytes", rule: "larger than \(Self.maximumBytes) bytes: not a scenario file")
            return nil
        }
        // Alias uses: '*name' after a space, a bracket, a comma or a colon.
        let aliases = text.matches(of: /(^|[\s\[\{,:-])\*[A-Za-z0-9_\-]+/.anchorsMatchLineEndings()).count
        guard aliases <= Self.maximumAliases else {
            report(path: "(document)", line: nil, value: "\(aliases) aliases", rule: "uses more than \(Self.maximumAliases) YAML aliases (*name): write the values out")
            return nil
        }
        do {
            guard let node = try Yams.compose(yaml: text) else {
                report(path: "(document)", line: nil, value: "", rule: "the file is empty")
                return nil
            }
            return fields(node, path: "")
        } catch YamlError.duplicatedKeysInMapping(let duplicates, let context) {
            for key in duplicates.sorted() {
                report(path: key, line: context.mark.line, value: "", rule: "duplicate key")
            }
        } catch let error as YamlError {
            report(path: "(document)", line: nil, value: "", rule: "not valid YAML: \(error)")
        } catch {
            report(path: "(document)", line: nil, value: "", rule: "not valid YAML: \(error)")
        }
        return nil
    }

    func report(path: String, line: Int?, value: String, rule: String) {
        issues.append(ScenarioIssue(file: file, line: line, path: path.isEmpty ? "(top level)" : path, value: value, rule: rule))
    }

    func report(_ node: Node, path: String, rule: String) {
        report(path: path, line: node.mark?.line, value: Self.show(node), rule: rule)
    }

    /// A mapping node as ``Fields``, or an issue.
    func fields(_ node: Node, path: String) -> Fields? {
        guard case .mapping(let mapping) = node else {
            report(node, path: path, rule: "must be a mapping (key: value pairs)")
            return nil
        }
        note(path, node)
        return Fields(reader: self, mapping: mapping, path: path, line: node.mark?.line)
    }

    static func show(_ node: Node) -> String {
        switch node {
        case .scalar(let scalar): return scalar.string.isEmpty ? "''" : scalar.string
        case .mapping: return "{...}"
        case .sequence: return "[...]"
        case .alias: return "*alias"
        }
    }
}

/// The keys of one mapping, read one by one; ``finish()`` reports the unknown ones.
final class Fields {
    let reader: YAMLReader
    let path: String
    let line: Int?
    private var entries: [(key: String, node: Node)] = []
    private var used: Set<String> = []

    init(reader: YAMLReader, mapping: Node.Mapping, path: String, line: Int?) {
        self.reader = reader
        self.path = path
        self.line = line
        for (key, value) in mapping {
            let name = key.scalar?.string ?? YAMLReader.show(key)
            if entries.contains(where: { $0.key == name }) {
                reader.report(key, path: child(name), rule: "duplicate key")
            }
            entries.append((name, value))
        }
    }

    func child(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func has(_ key: String) -> Bool { entries.contains { $0.key == key } }

    /// The node under `key`, marked as used; reports a missing required key.
    func node(_ key: String, required: Bool) -> Node? {
        used.insert(key)
        if let found = entries.first(where: { $0.key == key })?.node { reader.note(child(key), found) }
        guard let node = entries.first(where: { $0.key == key })?.node else {
            if required { reader.report(path: child(key), line: line, value: "", rule: "is required") }
            return nil
        }
        if case .scalar(let scalar) = node, scalar.tag.description.hasSuffix(":null") || scalar.string == "~"
            || (scalar.string.isEmpty && scalar.style == .plain)
        {
            if required { reader.report(node, path: child(key), rule: "is required (the value is empty)") }
            return nil
        }
        return node
    }

    // MARK: Scalars

    func string(_ key: String, default fallback: String? = nil) -> String? {
        guard let node = node(key, required: fallback == nil) else { return fallback }
        guard case .scalar(let scalar) = node else {
            reader.report(node, path: child(key), rule: "must be a text value")
            return nil
        }
        return scalar.string
    }

    /// A finite number checked against `rule`; `nil` (after an issue) when absent or wrong.
    func double(_ key: String, default fallback: Double? = nil, _ rule: NumberRule = .any) -> Double? {
        guard let node = node(key, required: fallback == nil) else { return fallback }
        return number(node, path: child(key), rule)
    }

    func number(_ node: Node, path: String, _ rule: NumberRule) -> Double? {
        guard case .scalar(let scalar) = node else {
            reader.report(node, path: path, rule: "must be a number")
            return nil
        }
        let text = scalar.string.replacingOccurrences(of: "_", with: "")
        let lowered = text.lowercased()
        if [".nan", "nan", ".inf", "+.inf", "-.inf", "inf", "-inf", "infinity"].contains(lowered) {
            reader.report(node, path: path, rule: "must be a finite number")
            return nil
        }
        // Decimal numbers only: Double() would also read hexadecimal ("0xE" as 14).
        guard !lowered.contains("x"), let value = Double(text), value.isFinite else {
            reader.report(node, path: path, rule: "must be a number")
            return nil
        }
        if let broken = rule.check(value) {
            reader.report(node, path: path, rule: broken)
            return nil
        }
        return value
    }

    func int(_ key: String, default fallback: Int? = nil, _ rule: NumberRule = .any) -> Int? {
        guard let node = node(key, required: fallback == nil) else { return fallback }
        guard case .scalar(let scalar) = node, let value = Int(scalar.string.replacingOccurrences(of: "_", with: ""))
        else {
            // A whole number written as a decimal (12.0) is that number; one too large for
            // an integer breaks the range, not the type.
            if case .scalar(let scalar) = node, let d = Double(scalar.string), d.isFinite, d == d.rounded(),
                !scalar.string.lowercased().contains("x")
            {
                if let broken = rule.check(d) {
                    reader.report(node, path: child(key), rule: broken)
                    return nil
                }
                if abs(d) < 9e15 { return Int(d) }
            }
            reader.report(node, path: child(key), rule: "must be a whole number")
            return nil
        }
        if let broken = rule.check(Double(value)) {
            reader.report(node, path: child(key), rule: broken)
            return nil
        }
        return value
    }

    /// `true` or `false`.
    func bool(_ key: String) -> Bool? {
        guard let node = node(key, required: true) else { return nil }
        guard case .scalar(let scalar) = node, ["true", "false"].contains(scalar.string.lowercased()) else {
            reader.report(node, path: child(key), rule: "must be true or false")
            return nil
        }
        return scalar.string.lowercased() == "true"
    }

    func choice<T: RawRepresentable & CaseIterable>(_ key: String, default fallback: T? = nil) -> T?
    where T.RawValue == String {
        guard let text = string(key, default: fallback?.rawValue) else { return nil }
        guard let value = T(rawValue: text) else {
            let options = T.allCases.map(\.rawValue).joined(separator: ", ")
            reader.report(path: child(key), line: node(key, required: false)?.mark?.line, value: text, rule: "must be one of: \(options)")
            return nil
        }
        return value
    }

    // MARK: Structure

    func fields(_ key: String, required: Bool = true) -> Fields? {
        guard let node = node(key, required: required) else { return nil }
        return reader.fields(node, path: child(key))
    }

    /// The items of a sequence under `key` (an absent optional key is an empty list).
    func sequence(_ key: String, required: Bool = false) -> [(node: Node, path: String)] {
        guard let node = node(key, required: required) else { return [] }
        guard case .sequence(let items) = node else {
            reader.report(node, path: child(key), rule: "must be a list")
            return []
        }
        for (i, item) in items.enumerated() { reader.note("\(child(key))[\(i)]", item) }
        return items.enumerated().map { ($1, "\(child(key))[\($0)]") }
    }

    /// Reports every key that was never read, suggesting the closest known key.
    func finish(known: [String]) {
        for entry in entries where !used.contains(entry.key) {
            var rule = "unknown key"
            let candidates = Array(Set(known).union(used))
            if let suggestion = candidates.min(by: { editDistance($0, entry.key) < editDistance($1, entry.key) }),
                editDistance(suggestion, entry.key) <= max(2, entry.key.count / 3)
            {
                rule += " (did you mean '\(suggestion)'?)"
            } else if !candidates.isEmpty {
                rule += "; allowed here: \(candidates.sorted().joined(separator: ", "))"
            }
            reader.report(path: child(entry.key), line: entry.node.mark?.line, value: "", rule: rule)
        }
    }
}

/// A range rule for numbers, with the message a user sees when it is broken.
enum NumberRule {
    case any, positive, nonNegative, fraction, correlation
    case range(Double, Double)
    case atLeast(Double)

    func check(_ value: Double) -> String? {
        switch self {
        case .any: return nil
        case .positive: return value > 0 ? nil : "must be greater than 0"
        case .nonNegative: return value >= 0 ? nil : "must be 0 or more"
        case .fraction: return (0...1).contains(value) ? nil : "must be between 0 and 1"
        case .correlation: return (-1...1).contains(value) ? nil : "must be between -1 and 1"
        case .range(let low, let high): return (low...high).contains(value) ? nil : "must be between \(low) and \(high)"
        case .atLeast(let low): return value >= low ? nil : "must be at least \(low)"
        }
    }
}

/// Levenshtein distance, for "did you mean" suggestions.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a.lowercased())
    let b = Array(b.lowercased())
    if a.isEmpty || b.isEmpty { return max(a.count, b.count) }
    var previous = Array(0...b.count)
    for i in 1...a.count {
        var current = [i] + Array(repeating: 0, count: b.count)
        for j in 1...b.count {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        previous = current
    }
    return previous[b.count]
}
