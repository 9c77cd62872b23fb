// SPDX-License-Identifier: GPL-3.0-or-later

import Foundation

/// How figures read on a terminal: a currency on every amount, thousands separators,
/// losses stated as losses, lines wrapped at the terminal's width.
public enum TextFormat {
    /// "USD 466.2M", "USD -3.9M", "USD 1.25bn", "USD 48,120".
    public static func money(_ usd: Double) -> String {
        guard usd.isFinite else { return "n/a" }
        let a = abs(usd)
        if a >= 1e9 { return String(format: "USD %.2fbn", usd / 1e9) }
        if a >= 1e6 { return String(format: "USD %.1fM", usd / 1e6) }
        // Next to millions, hundreds of thousands read better in the same unit.
        if a >= 1e5 { return String(format: "USD %.2fM", usd / 1e6) }
        return "USD " + grouped(usd, decimals: 0)
    }

    /// A count or an amount with thousands separators: "33,712", "1,045.3".
    public static func grouped(_ value: Double, decimals: Int = 0) -> String {
        guard value.isFinite else { return "n/a" }
        let text = String(format: "%.\(decimals)f", abs(value))
        let parts = text.split(separator: ".", maxSplits: 1)
        var digits = Array(parts[0])
        var out: [Character] = []
        while digits.count > 3 {
            out.insert(contentsOf: [","] + digits.suffix(3), at: 0)
            digits.removeLast(3)
        }
        out.insert(contentsOf: digits, at: 0)
        let sign = value < 0 && text.contains(where: { $0 != "0" && $0 != "." }) ? "-" : ""
        return sign + String(out) + (parts.count > 1 ? "." + parts[1] : "")
    }

    public static func percent(_ share: Double, decimals: Int = 1) -> String {
        guard share.isFinite else { return "n/a" }
        return String(format: "%.\(decimals)f%%", share * 100)
    }

    /// A value at risk as a loss: "loss USD 7.9M", or, when even the tail gains,
    /// "none (the P5 NPV is a gain of USD 390M)". `valueAtRisk` is minus the percentile.
    public static func valueAtRisk(_ valueAtRisk: Double, level: Int) -> String {
        valueAtRisk > 0 ? "loss \(money(valueAtRisk))" : "none (the P\(100 - level) NPV is a gain of \(money(-valueAtRisk)))"
    }

    /// A conditional value at risk as a loss: "loss USD 8.3M", or "none (even the worst
    /// 5% gain USD 374M on average)". `cvar` is minus the mean of the tail.
    public static func conditionalValueAtRisk(_ cvar: Double, level: Int) -> String {
        cvar > 0 ? "loss \(money(cvar))" : "none (even the worst \(100 - level)% of paths gain \(money(-cvar)) on average)"
    }

    /// The sign convention of the two, said once per report.
    public static let tailConvention =
        "VaR and CVaR are losses, stated as positive amounts: VaR95 = minus the P5 NPV; CVaR95 = minus the mean NPV of the worst 5% of paths"

    /// The terminal's width: COLUMNS, else the window's; no limit when standard output
    /// is not a terminal (a file or a pipe keeps each line whole for grep and scripts).
    public static var terminalWidth: Int {
        if let columns = ProcessInfo.processInfo.environment["COLUMNS"].flatMap(Int.init), columns >= 40 { return columns }
        var size = winsize()
        if isatty(STDOUT_FILENO) != 0, ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col >= 40 { return Int(size.ws_col) }
        return isatty(STDOUT_FILENO) != 0 ? 100 : Int.max
    }

    /// Each line wrapped at `width` on spaces; continuation lines keep the line's
    /// indentation plus two spaces. Lines that are tables (runs of two spaces inside)
    /// are left as they are.
    public static func wrap(_ text: String, width: Int = terminalWidth) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            // Tables (cells padded with runs of spaces) are left as they are.
            guard width < Int.max, line.count > width, !line.drop(while: { $0 == " " }).contains("   ") else { return String(line) }
            let indent = String(line.prefix { $0 == " " })
            var out: [String] = []
            var current = ""
            // A currency stays with its amount ("USD" and "-2.5M" on one line).
            var words: [Substring] = []
            for word in line.dropFirst(indent.count).split(separator: " ", omittingEmptySubsequences: false) {
                if let last = words.last, last.hasSuffix("USD"), !word.isEmpty {
                    words[words.count - 1] = Substring(String(last) + " " + word)
                } else {
                    words.append(word)
                }
            }
            for word in words {
                let prefix = out.isEmpty ? indent : indent + "  "
                if !current.isEmpty && prefix.count + current.count + 1 + word.count > width {
                    out.append(prefix + current)
                    current = String(word)
                } else {
                    current += current.isEmpty ? String(word) : " " + word
                }
            }
            out.append((out.isEmpty ? indent : indent + "  ") + current)
            return out.joined(separator: "\n")
        }.joined(separator: "\n")
    }
}
