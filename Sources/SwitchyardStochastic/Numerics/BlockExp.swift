// SPDX-License-Identifier: GPL-3.0-or-later

import Foundation

/// The exponential of a whole block of values at once, for simulations that step
/// several log-processes on a grid and need the levels of every step.
///
/// One call to the C library's `exp` costs about as much as the rest of a process's
/// step; over a block, a branch-free polynomial evaluation vectorises (two or four
/// values per instruction) and independent values overlap in the pipeline.
///
/// Method (as in fdlibm and the ARM optimized-routines, without their table):
/// ```
/// x = n ln2 + r,   n = round(x / ln2),   |r| <= ln2 / 2 (Cody-Waite: ln2 in two parts)
/// e^x = 2^n (1 + (r + r^2 q(r))),   q(r) = 1/2! + r/3! + ... + r^11/13!
/// ```
/// The Taylor remainder r^14/14! is below 5e-18 over the range, so the error is that of
/// the last roundings: the tests find at most 1 ulp against `Foundation.exp` (glibc's,
/// itself within about half an ulp) over 300,000 arguments across the range, around
/// the reduction's half-way points and at the edges. Only IEEE additions and
/// multiplications are used, in a fixed order, so the results are the same on every
/// machine. Arguments outside [-708, 708] (where 2^n would leave the normal range),
/// infinities and NaN go to `Foundation.exp`.
public enum BlockExp {
    /// Replaces each of the first `count` values with its exponential.
    public static func exponentiate(_ values: inout [Double], count: Int) {
        precondition(count >= 0 && count <= values.count, "BlockExp: count \(count) outside 0...\(values.count)")
        values.withUnsafeMutableBufferPointer { buffer in
            exponentiate(UnsafeMutableBufferPointer(rebasing: buffer[0..<count]))
        }
    }

    /// Replaces each value of `buffer` with its exponential.
    public static func exponentiate(_ buffer: UnsafeMutableBufferPointer<Double>) {
        guard let base = buffer.baseAddress else { return }
        let count = buffer.count
        // A first pass counts the arguments the kernel does not cover, so that the
        // common block runs without a branch (and vectorises).
        var outside = 0
        for j in 0..<count { outside &+= abs(base[j]) <= limit ? 0 : 1 }
        if outside == 0 {
            for j in 0..<count { base[j] = kernel(base[j]) }
        } else {
            for j in 0..<count { base[j] = exp(base[j]) }
        }
    }

    /// e^x for one value through the block kernel (for tests, and scalar callers who
    /// want the same bits as a block).
    public static func exp(_ x: Double) -> Double {
        abs(x) <= limit ? kernel(x) : Foundation.exp(x)
    }

    /// Arguments the kernel covers: 2^n stays a normal number for |x| <= 708.
    public static let limit = 708.0

    // fdlibm's split of ln 2: `ln2High` has 32 significant bits, so n * ln2High is
    // exact for |n| < 2^21, and x - n * ln2High is exact near the reduction.
    private static let ln2High = 6.93147180369123816490e-01
    private static let ln2Low = 1.90821492927058770002e-10
    private static let log2e = 1.44269504088896338700e+00
    /// 1.5 * 2^52: adding it rounds to an integer held in the low bits of the significand.
    private static let shifter = 6_755_399_441_055_744.0

    @inline(__always)
    static func kernel(_ x: Double) -> Double {
        let k = x * log2e + shifter
        let n = k - shifter
        let r = (x - n * ln2High) - n * ln2Low
        // n as an integer: the low bits of k's pattern, less those of the shifter.
        let bits = k.bitPattern &- shifter.bitPattern
        let scale = Double(bitPattern: (bits &+ 1_023) &<< 52)
        // q(r) = 1/2! + r/3! + ... + r^11/13!, by Estrin's scheme: pairs, then
        // pairs of pairs, so the dependency chain is 7 operations deep instead of 22.
        let r2 = r * r
        let r4 = r2 * r2
        let r8 = r4 * r4
        let p01 = 1.0 / 2 + r * (1.0 / 6)
        let p23 = 1.0 / 24 + r * (1.0 / 120)
        let p45 = 1.0 / 720 + r * (1.0 / 5_040)
        let p67 = 1.0 / 40_320 + r * (1.0 / 362_880)
        let p89 = 1.0 / 3_628_800 + r * (1.0 / 39_916_800)
        let p1011 = 1.0 / 479_001_600 + r * (1.0 / 6_227_020_800)
        let p03 = p01 + r2 * p23
        let p47 = p45 + r2 * p67
        let p811 = p89 + r2 * p1011
        let q = (p03 + r4 * p47) + r8 * p811
        return scale * (1 + (r + r2 * q))
    }
}
