// SPDX-License-Identifier: GPL-3.0-or-later

import Foundation
import SwitchyardStochastic
import Testing

struct BlockExpTests {
    /// |a - b| in units in the last place of b.
    func ulps(_ a: Double, _ b: Double) -> Double { abs(a - b) / b.ulp }

    @Test("Within 1 ulp of the C library's exp over the whole kernel range, and near 0, ±ln 2/2 and the edges")
    func accuracy() {
        let s = stream(1)
        var arguments: [Double] = (0..<200_000).map { _ in (2 * s.uniform() - 1) * BlockExp.limit }
        arguments += (0..<50_000).map { _ in (2 * s.uniform() - 1) * 1e-3 }
        // Around the reduction's half-way points, where n rounds either way.
        for k in -20...20 {
            let middle = (Double(k) + 0.5) * M_LN2
            arguments += (0..<200).map { _ in middle + (2 * s.uniform() - 1) * 1e-9 }
        }
        arguments += [0, -0.0, 1, -1, M_LN2, -M_LN2, 1e-300, -1e-300, 700, -700, 708, -708, BlockExp.limit.nextDown]
        var block = arguments
        BlockExp.exponentiate(&block, count: block.count)
        var worst = 0.0
        for (x, y) in zip(arguments, block) {
            worst = max(worst, ulps(y, exp(x)))
            #expect(BlockExp.exp(x) == y, "the scalar entry point gives the block's bits at \(x)")
        }
        #expect(worst <= 1, "worst error \(worst) ulp")
        #expect(BlockExp.exp(0) == 1)
    }

    @Test("Outside the kernel's range, infinities and NaN get the C library's answer; the rest of the block is unaffected")
    func edges() {
        let special: [Double] = [709, 709.78, 710, 1e6, .infinity, -709, -745, -745.2, -1e6, -.infinity, .nan, 708.5]
        // Mixed into a block of ordinary values, so the block takes its careful path.
        var block = [0.5, -3] + special + [11.4]
        let arguments = block
        BlockExp.exponentiate(&block, count: block.count)
        for (x, y) in zip(arguments, block) {
            if x.isNaN {
                #expect(y.isNaN)
            } else if abs(x) <= BlockExp.limit {
                // The ordinary values keep the kernel's bits whatever else is in the block.
                #expect(y == BlockExp.exp(x))
                #expect(ulps(y, exp(x)) <= 2)
            } else {
                #expect(y == exp(x), "exp(\(x)): \(y) against \(exp(x))")
            }
        }
        #expect(BlockExp.exp(710) == .infinity)
        #expect(BlockExp.exp(-.infinity) == 0)
        #expect(BlockExp.exp(-745) > 0, "a subnormal result, not a flush to zero")
    }

    @Test("The AVX2 and baseline kernels give the same bits")
    func instructionSetsAgree() {
        let s = stream(2)
        let arguments = (0..<100_003).map { _ in (2 * s.uniform() - 1) * BlockExp.limit }
        var fastest = arguments
        var baseline = arguments
        BlockExp.exponentiate(&fastest, count: fastest.count, using: .fastest)
        BlockExp.exponentiate(&baseline, count: baseline.count, using: .baseline)
        #expect(fastest.map(\.bitPattern) == baseline.map(\.bitPattern))
        // (On a CPU without AVX2 both calls take the baseline path.)
    }

    @Test("Only the first count values change")
    func countBound() {
        var block = [1.0, 2, 3, 4]
        BlockExp.exponentiate(&block, count: 2)
        #expect(block[2] == 3 && block[3] == 4)
        #expect(abs(block[0] - M_E) <= M_E.ulp && abs(block[1] - exp(2)) <= 2 * exp(2).ulp)
        BlockExp.exponentiate(&block, count: 0)
        #expect(block[2] == 3)
    }
}
