// SPDX-License-Identifier: GPL-3.0-or-later

/// One problem found in a scenario or catalogue file.
public struct ScenarioIssue: Hashable, Sendable, CustomStringConvertible {
    public var file: String
    /// 1-based line of the offending node, when known.
    public var line: Int?
    /// Field path, e.g. `site.halls[1].powerMW`.
    public var path: String
    /// The offending value as written (empty when the field is missing).
    public var value: String
    /// The rule broken, e.g. "must be greater than 0".
    public var rule: String

    public init(file: String, line: Int?, path: String, value: String, rule: String) {
        self.file = file
        self.line = line
        self.path = path
        self.value = value
        self.rule = rule
    }

    public var description: String {
        let location = line.map { "\(file):\($0)" } ?? file
        return value.isEmpty ? "\(location): \(path): \(rule)" : "\(location): \(path) = \(value): \(rule)"
    }
}

/// A scenario file that cannot be used, with every problem found (not just the first).
public struct ScenarioError: Error, Hashable, Sendable, CustomStringConvertible {
    public var issues: [ScenarioIssue]

    public init(issues: [ScenarioIssue]) { self.issues = issues }

    public var description: String {
        let noun = issues.count == 1 ? "problem" : "problems"
        // A hostile file can have thousands; the first hundred say what is wrong.
        let shown = issues.prefix(100).map { "  \($0)" }.joined(separator: "\n")
        return "\(issues.count) \(noun) in the scenario:\n" + shown
            + (issues.count > 100 ? "\n  ... and \(issues.count - 100) more (fix these first)" : "")
    }
}
