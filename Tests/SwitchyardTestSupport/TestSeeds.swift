// SPDX-License-Identifier: GPL-3.0-or-later

import Foundation

/// Seeds for the statistical tests, so that each can be run over many seeds
/// (`scripts/seed-sweep.sh TEST N`).
///
/// A statistical test takes `TestSeeds.sweep` as an argument: `[0]` normally, so it runs
/// once with its own seed, or the offsets `SWITCHYARD_TEST_SEEDS` lists (`1-100`, or
/// `3,7,11`). ``seed(_:_:)`` turns the test's own seed and an offset into the seed used:
/// offset 0 is the test's seed itself.
public enum TestSeeds {
    public static let sweep: [UInt64] = offsets(ProcessInfo.processInfo.environment["SWITCHYARD_TEST_SEEDS"])

    /// `1-100` or `3,7,11` (whitespace ignored); nil or empty: `[0]`. An unreadable list
    /// stops the run: a sweep that silently ran the default seed would report nothing.
    public static func offsets(_ text: String?) -> [UInt64] {
        guard let text = text?.replacingOccurrences(of: " ", with: ""), !text.isEmpty else { return [0] }
        var result: [UInt64] = []
        for part in text.split(separator: ",") {
            let bounds = part.split(separator: "-")
            if bounds.count == 2, let low = UInt64(bounds[0]), let high = UInt64(bounds[1]), low <= high, high - low < 100_000 {
                result += Array(low...high)
            } else if bounds.count == 1, let value = UInt64(bounds[0]) {
                result.append(value)
            } else {
                fatalError("SWITCHYARD_TEST_SEEDS='\(text)': expected offsets like 1-100 or 3,7,11")
            }
        }
        return result
    }

    /// The seed for a test whose own seed is `base`, at sweep offset `offset` (0: `base`).
    public static func seed(_ base: UInt64, _ offset: UInt64) -> UInt64 {
        offset == 0 ? base : base &+ offset &* 0x9E37_79B9_7F4A_7C15
    }
}
