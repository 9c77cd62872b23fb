// SPDX-License-Identifier: GPL-3.0-or-later

internal import CSwitchyardKernels
import Foundation

/// The exponential of a whole block of values at once, for simulations that step
/// several log-processes on a grid and need the levels of every step.
///
/// One call to the C library's `exp` costs about as much as the rest of a process's
/// step; over a block, a branch-free polynomial evaluation vectorises (four values per
/// instruction with AVX2, chosen at run time; two with SSE2) and independent values
/// overlap in the pipeline. The kernel is C (`CSwitchyardKernels`), the one way in
/// this package to compile a function for AVX2 and pick it by a CPU check.
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
/// multiplications are used, in a fixed order and never fused, so the results are the
/// same on every machine and instruction set. Arguments outside [-708, 708] (where 2^n
/// would leave the normal range), infinities and NaN go to `Foundation.exp`.
public enum BlockExp {
    /// Which compiled kernel to use.
    public enum InstructionSet: Sendable {
        /// AVX2 when the CPU has it, the baseline otherwise (the default).
        case fastest
        /// The baseline (SSE2 on x86-64): for checking that both give the same bits.
        case baseline
    }

    /// Replaces each of the first `count` values with its exponential.
    public static func exponentiate(_ values: inout [Double], count: Int, using set: InstructionSet = .fastest) {
        precondition(count >= 0 && count <= values.count, "BlockExp: count \(count) outside 0...\(values.count)")
        values.withUnsafeMutableBufferPointer { buffer in
            exponentiate(UnsafeMutableBufferPointer(rebasing: buffer[0..<count]), using: set)
        }
    }

    /// Replaces each value of `buffer` with its exponential.
    public static func exponentiate(_ buffer: UnsafeMutableBufferPointer<Double>, using set: InstructionSet = .fastest) {
        guard let base = buffer.baseAddress else { return }
        // The kernel checks the range first and does the whole block, or nothing (a
        // block with an argument it does not cover goes value by value).
        let done =
            switch set {
            case .fastest: switchyard_exp_block(base, buffer.count, limit)
            case .baseline: switchyard_exp_block_baseline(base, buffer.count, limit)
            }
        if done == 0 {
            for j in 0..<buffer.count { base[j] = exp(base[j]) }
        }
    }

    /// e^x for one value through the block kernel (for tests, and scalar callers who
    /// want the same bits as a block).
    public static func exp(_ x: Double) -> Double {
        abs(x) <= limit ? kernel(x) : Foundation.exp(x)
    }

    /// Arguments the kernel covers: 2^n stays a normal number for |x| <= 708.
    public static let limit = 708.0

    /// Whether this CPU takes the AVX2 path (four values per instruction; two with
    /// SSE2). Either path gives the same bits.
    public static var usesAVX2: Bool { switchyard_exp_block_uses_avx2() != 0 }

    /// The kernel on one value (the C kernel, as for a block).
    @inline(__always)
    static func kernel(_ x: Double) -> Double {
        var value = x
        _ = switchyard_exp_block(&value, 1, limit)
        return value
    }
}
