// SPDX-License-Identifier: GPL-3.0-or-later

internal import CGSL

/// Ordinary least squares on GSL (`gsl_multifit_linear`, SVD based, so nearly
/// collinear regressors do not blow up).
public enum LeastSquares {
    /// Coefficients c minimising |X c - y|^2, for `rows` observations of `columns`
    /// regressors stored row-major in `design`.
    /// - Throws: ``GSLError`` when GSL fails (e.g. out of memory).
    public static func fit(design: [Double], rows: Int, columns: Int, y: [Double]) throws(GSLError) -> [Double] {
        precondition(design.count == rows * columns && y.count == rows && rows >= columns && columns > 0)
        GSLRuntime.prepare()
        let x = gsl_matrix_alloc(rows, columns)!
        let yv = gsl_vector_alloc(rows)!
        let c = gsl_vector_alloc(columns)!
        let cov = gsl_matrix_alloc(columns, columns)!
        let work = gsl_multifit_linear_alloc(rows, columns)!
        defer {
            gsl_matrix_free(x)
            gsl_vector_free(yv)
            gsl_vector_free(c)
            gsl_matrix_free(cov)
            gsl_multifit_linear_free(work)
        }
        design.withUnsafeBufferPointer { source in
            // gsl_matrix is row-major with tda == columns for a fresh allocation.
            x.pointee.data.update(from: source.baseAddress!, count: rows * columns)
        }
        y.withUnsafeBufferPointer { source in yv.pointee.data.update(from: source.baseAddress!, count: rows) }
        var chisq = 0.0
        try GSLError.check(gsl_multifit_linear(x, yv, c, cov, &chisq, work), "least-squares fit")
        return (0..<columns).map { gsl_vector_get(c, $0) }
    }
}
