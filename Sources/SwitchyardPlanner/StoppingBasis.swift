// SPDX-License-Identifier: GPL-3.0-or-later

import Foundation

/// Ready-made regression bases of one state variable x (a price, or a price over the
/// strike), the constant included: a choice for ``StoppingProblem/withBasis(width:_:)``.
///
/// - `laguerre(degree)`: Longstaff and Schwartz's weighted Laguerre polynomials
///   exp(-x/2) L_k(x), k = 0..degree, after the constant (their Table 1 uses degree 2
///   with x = S/K: four regressors).
/// - `polynomial(degree)`: 1, x, ..., x^degree.
/// - `logPolynomial(degree)`: 1, ln x, ..., (ln x)^degree (x > 0).
/// - `cubicSpline(knots)`: 1, x, x^2, x^3 and (x - k)+^3 for each knot: a regression
///   spline, which follows a continuation value that changes shape across the region
///   (the McDonald-Siegel test: +0.8% on the trigger against +7% for a cubic).
public enum StoppingBasis: Hashable, Sendable, CustomStringConvertible {
    case laguerre(degree: Int)
    case polynomial(degree: Int)
    case logPolynomial(degree: Int)
    case cubicSpline(knots: [Double])

    /// Regressors written, the constant included.
    public var width: Int {
        switch self {
        case .laguerre(let degree): degree + 2
        case .polynomial(let degree), .logPolynomial(let degree): degree + 1
        case .cubicSpline(let knots): 4 + knots.count
        }
    }

    public var description: String {
        switch self {
        case .laguerre(let degree): "weighted Laguerre polynomials to degree \(degree)"
        case .polynomial(let degree): "polynomial of degree \(degree)"
        case .logPolynomial(let degree): "polynomial of degree \(degree) in ln x"
        case .cubicSpline(let knots): "cubic regression spline, knots " + knots.map { String(format: "%g", $0) }.joined(separator: ", ")
        }
    }

    /// Writes the regressors of `x` into `into` (``width`` numbers).
    @inline(__always)
    public func fill(_ x: Double, _ into: UnsafeMutablePointer<Double>) {
        switch self {
        case .laguerre(let degree):
            // L_0 = 1, L_1 = 1 - x, (k + 1) L_{k+1} = (2k + 1 - x) L_k - k L_{k-1}.
            let w = exp(-x / 2)
            into[0] = 1
            var previous = 1.0
            var current = 1 - x
            into[1] = w
            if degree >= 1 { into[2] = w * current }
            if degree >= 2 {
                for k in 1..<degree {
                    let next = ((Double(2 * k + 1) - x) * current - Double(k) * previous) / Double(k + 1)
                    previous = current
                    current = next
                    into[k + 2] = w * current
                }
            }
        case .polynomial(let degree):
            var power = 1.0
            for k in 0...degree {
                into[k] = power
                power *= x
            }
        case .logPolynomial(let degree):
            let l = log(x)
            var power = 1.0
            for k in 0...degree {
                into[k] = power
                power *= l
            }
        case .cubicSpline(let knots):
            into[0] = 1
            into[1] = x
            into[2] = x * x
            into[3] = x * x * x
            for (k, knot) in knots.enumerated() {
                let d = max(x - knot, 0)
                into[4 + k] = d * d * d
            }
        }
    }

    /// ``fill(_:_:)`` with the choice of basis made once: a closure for the solver's
    /// inner loop (the paper's degree-2 Laguerre basis written out).
    public func filler() -> @Sendable (Double, UnsafeMutablePointer<Double>) -> Void {
        switch self {
        case .laguerre(let degree) where degree == 2:
            return { x, into in
                let w = exp(-x / 2)
                into[0] = 1
                into[1] = w
                into[2] = w * (1 - x)
                into[3] = w * (1 - 2 * x + x * x / 2)
            }
        case .polynomial(let degree) where degree == 3:
            return { x, into in
                into[0] = 1
                into[1] = x
                into[2] = x * x
                into[3] = x * x * x
            }
        default:
            let basis = self
            return { x, into in basis.fill(x, into) }
        }
    }

    /// The regressors of `x` as an array (for ``StoppingSolution/exerciseRegion(date:in:payoff:basis:)``).
    public func values(_ x: Double) -> [Double] {
        [Double](unsafeUninitializedCapacity: width) { buffer, count in
            fill(x, buffer.baseAddress!)
            count = width
        }
    }
}
