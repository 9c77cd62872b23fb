// SPDX-License-Identifier: GPL-3.0-or-later

import Foundation
import SwitchyardStochastic

/// Sample mean, variance and the standard errors of both (the latter from the fourth
/// central moment: Var(s^2) ~ (m4 - s^4) / n).
struct SampleMoments {
    let mean: Double
    let variance: Double
    let meanSE: Double
    let varianceSE: Double

    init(_ x: [Double]) {
        let n = Double(x.count)
        mean = x.reduce(0, +) / n
        let m = mean
        variance = x.reduce(0) { $0 + ($1 - m) * ($1 - m) } / (n - 1)
        let m4 = x.reduce(0) { $0 + pow($1 - m, 4) } / n
        meanSE = (variance / n).squareRoot()
        varianceSE = (max(m4 - variance * variance, 0) / n).squareRoot()
    }
}

func stream(_ path: UInt64 = 0, seed: UInt64 = 2026, _ process: ProcessID = .auxiliary) -> RandomStream {
    RandomStream(seed: seed, path: path, process: process)
}

/// A data file shipped in the package's `Examples/data/` (copied from the shared data
/// sets with their attribution). Tests that need one fail loudly if it is absent.
func exampleData(_ name: String) -> String {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    return root.appendingPathComponent("Examples/data/\(name)").path
}
