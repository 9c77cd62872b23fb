// SPDX-License-Identifier: GPL-3.0-or-later

internal import CGSL

/// Small numerical routines on GSL shared by calibration and the planner.
public enum Numerics {
    /// Minimises `f` with GSL's Nelder-Mead simplex (`gsl_multimin_fminimizer_nmsimplex2`).
    ///
    /// - Parameters:
    ///   - start: initial point; `steps`: initial simplex step per coordinate.
    ///   - tolerance: stop when the simplex size falls below it.
    /// - Returns: the minimiser, the minimum and the iterations used.
    /// - Throws: ``GSLError`` if GSL reports a failure or the minimum is not finite.
    public static func nelderMead(
        start: [Double], steps: [Double], tolerance: Double = 1e-8, maxIterations: Int = 10_000,
        _ f: @escaping ([Double]) -> Double
    ) throws(GSLError) -> (x: [Double], value: Double, iterations: Int) {
        precondition(start.count == steps.count && !start.isEmpty)
        GSLRuntime.prepare()
        let n = start.count
        final class Box {
            let f: ([Double]) -> Double
            init(_ f: @escaping ([Double]) -> Double) { self.f = f }
        }
        let box = Box(f)
        let context = Unmanaged.passRetained(box)
        defer { context.release() }
        var function = gsl_multimin_function(
            f: { vector, params in
                let box = Unmanaged<Box>.fromOpaque(params!).takeUnretainedValue()
                let v = vector!
                let x = (0..<v.pointee.size).map { gsl_vector_get(v, $0) }
                let value = box.f(x)
                return value.isFinite ? value : .greatestFiniteMagnitude
            },
            n: n, params: context.toOpaque())
        let x = gsl_vector_alloc(n)!
        let step = gsl_vector_alloc(n)!
        defer {
            gsl_vector_free(x)
            gsl_vector_free(step)
        }
        for i in 0..<n {
            gsl_vector_set(x, i, start[i])
            gsl_vector_set(step, i, steps[i])
        }
        let minimizer = gsl_multimin_fminimizer_alloc(cgsl_multimin_nmsimplex2(), n)!
        defer { gsl_multimin_fminimizer_free(minimizer) }
        try GSLError.check(gsl_multimin_fminimizer_set(minimizer, &function, x, step), "Nelder-Mead set-up")
        var iterations = 0
        while iterations < maxIterations {
            iterations += 1
            let status = gsl_multimin_fminimizer_iterate(minimizer)
            if status != GSL_SUCCESS { break }  // GSL_ENOPROG: no further progress possible
            let size = gsl_multimin_fminimizer_size(minimizer)
            if gsl_multimin_test_size(size, tolerance) == GSL_SUCCESS { break }
        }
        let best = (0..<n).map { gsl_vector_get(minimizer.pointee.x, $0) }
        let value = minimizer.pointee.fval
        guard value.isFinite, value < .greatestFiniteMagnitude else {
            throw GSLError(status: Int32(GSL_EFAILED), context: "Nelder-Mead found no finite minimum")
        }
        return (best, value, iterations)
    }

    /// Minimises a function of one variable on [lower, upper] with GSL's Brent method
    /// (`gsl_min_fminimizer_brent`), starting from `guess`, which must lie strictly
    /// inside with f(guess) below f at both ends (a bracket).
    /// - Throws: ``GSLError`` (GSL_EINVAL when the points do not bracket a minimum).
    public static func brent(
        lower: Double, upper: Double, guess: Double, tolerance: Double = 1e-3, maxIterations: Int = 100,
        _ f: @escaping (Double) -> Double
    ) throws(GSLError) -> (x: Double, value: Double) {
        GSLRuntime.prepare()
        final class Box {
            let f: (Double) -> Double
            init(_ f: @escaping (Double) -> Double) { self.f = f }
        }
        let context = Unmanaged.passRetained(Box(f))
        defer { context.release() }
        var function = gsl_function(
            function: { x, params in Unmanaged<Box>.fromOpaque(params!).takeUnretainedValue().f(x) },
            params: context.toOpaque())
        let minimizer = gsl_min_fminimizer_alloc(cgsl_min_brent())!
        defer { gsl_min_fminimizer_free(minimizer) }
        try GSLError.check(gsl_min_fminimizer_set(minimizer, &function, guess, lower, upper), "Brent set-up")
        for _ in 0..<maxIterations {
            try GSLError.check(gsl_min_fminimizer_iterate(minimizer), "Brent iteration")
            let (a, b) = (gsl_min_fminimizer_x_lower(minimizer), gsl_min_fminimizer_x_upper(minimizer))
            if gsl_min_test_interval(a, b, tolerance, 0) == GSL_SUCCESS { break }
        }
        let x = gsl_min_fminimizer_x_minimum(minimizer)
        return (x, gsl_min_fminimizer_f_minimum(minimizer))
    }

    /// Central-difference Hessian of `f` at `x` with relative steps.
    public static func hessian(at x: [Double], _ f: ([Double]) -> Double) -> [[Double]] {
        let n = x.count
        let h = x.map { 1e-4 * max(1, abs($0)) }
        var result = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
        let f0 = f(x)
        for i in 0..<n {
            for j in i..<n {
                var value: Double
                if i == j {
                    var plus = x, minus = x
                    plus[i] += h[i]
                    minus[i] -= h[i]
                    value = (f(plus) - 2 * f0 + f(minus)) / (h[i] * h[i])
                } else {
                    var pp = x, pm = x, mp = x, mm = x
                    pp[i] += h[i]; pp[j] += h[j]
                    pm[i] += h[i]; pm[j] -= h[j]
                    mp[i] -= h[i]; mp[j] += h[j]
                    mm[i] -= h[i]; mm[j] -= h[j]
                    value = (f(pp) - f(pm) - f(mp) + f(mm)) / (4 * h[i] * h[j])
                }
                result[i][j] = value
                result[j][i] = value
            }
        }
        return result
    }

    /// Inverse of a square matrix by LU decomposition (`gsl_linalg_LU_decomp`/`_invert`).
    /// - Throws: ``GSLError`` if the matrix is singular.
    public static func inverse(_ matrix: [[Double]]) throws(GSLError) -> [[Double]] {
        GSLRuntime.prepare()
        let n = matrix.count
        let a = gsl_matrix_alloc(n, n)!
        let inverse = gsl_matrix_alloc(n, n)!
        let permutation = gsl_permutation_alloc(n)!
        defer {
            gsl_matrix_free(a)
            gsl_matrix_free(inverse)
            gsl_permutation_free(permutation)
        }
        for i in 0..<n { for j in 0..<n { gsl_matrix_set(a, i, j, matrix[i][j]) } }
        var sign: Int32 = 0
        try GSLError.check(gsl_linalg_LU_decomp(a, permutation, &sign), "LU decomposition")
        guard gsl_linalg_LU_det(a, sign) != 0 else { throw GSLError(status: Int32(GSL_ESING), context: "matrix inverse") }
        try GSLError.check(gsl_linalg_LU_invert(a, permutation, inverse), "matrix inverse")
        return (0..<n).map { i in (0..<n).map { j in gsl_matrix_get(inverse, i, j) } }
    }
}
