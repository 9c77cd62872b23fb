// SPDX-License-Identifier: GPL-3.0-or-later

internal import CGSL

/// Vectors of standard normals with a given correlation matrix, `Z = L e` where
/// `L L^T = C` is the Cholesky factor (`gsl_linalg_cholesky_decomp1`) and `e` are
/// independent N(0, 1) draws.
public struct CorrelatedNormals: Hashable, Sendable {
    public let dimension: Int
    /// Lower-triangular factor, row-major.
    let factor: [Double]

    /// - Throws: ``CorrelationError`` if the matrix is not square, symmetric, with unit
    ///   diagonal and entries in [-1, 1], or not positive definite.
    public init(correlation: [[Double]]) throws(CorrelationError) {
        let n = correlation.count
        guard n > 0, correlation.allSatisfy({ $0.count == n }) else { throw .notSquare }
        for i in 0..<n {
            guard correlation[i][i] == 1 else { throw .diagonalNotOne(index: i, value: correlation[i][i]) }
            for j in 0..<n {
                let c = correlation[i][j]
                guard c.isFinite, abs(c) <= 1 else { throw .outOfRange(row: i, column: j, value: c) }
                guard c == correlation[j][i] else { throw .notSymmetric(row: i, column: j) }
            }
        }
        GSLRuntime.prepare()
        let matrix = gsl_matrix_alloc(n, n)!
        defer { gsl_matrix_free(matrix) }
        for i in 0..<n { for j in 0..<n { gsl_matrix_set(matrix, i, j, correlation[i][j]) } }
        guard gsl_linalg_cholesky_decomp1(matrix) == GSL_SUCCESS else { throw .notPositiveDefinite }
        var factor = [Double](repeating: 0, count: n * n)
        for i in 0..<n { for j in 0...i { factor[i * n + j] = gsl_matrix_get(matrix, i, j) } }
        self.dimension = n
        self.factor = factor
    }

    /// Writes one correlated vector into `output` (count == dimension), drawing
    /// `dimension` independent normals from `stream`.
    public func sample(into output: inout [Double], stream: RandomStream) {
        precondition(output.count == dimension, "CorrelatedNormals: output has the wrong size")
        var independent = [Double](repeating: 0, count: dimension)
        for i in 0..<dimension { independent[i] = stream.normal() }
        for i in 0..<dimension {
            var sum = 0.0
            for j in 0...i { sum += factor[i * dimension + j] * independent[j] }
            output[i] = sum
        }
    }

    public func sample(_ stream: RandomStream) -> [Double] {
        var output = [Double](repeating: 0, count: dimension)
        sample(into: &output, stream: stream)
        return output
    }
}

/// Why a correlation matrix was rejected.
public enum CorrelationError: Error, Equatable, CustomStringConvertible {
    case notSquare
    case diagonalNotOne(index: Int, value: Double)
    case outOfRange(row: Int, column: Int, value: Double)
    case notSymmetric(row: Int, column: Int)
    case notPositiveDefinite

    public var description: String {
        switch self {
        case .notSquare: "correlation matrix must be square and non-empty"
        case .diagonalNotOne(let i, let v): "correlation[\(i)][\(i)] = \(v): diagonal entries must be 1"
        case .outOfRange(let i, let j, let v): "correlation[\(i)][\(j)] = \(v): must be in [-1, 1]"
        case .notSymmetric(let i, let j): "correlation[\(i)][\(j)] != correlation[\(j)][\(i)]: must be symmetric"
        case .notPositiveDefinite: "correlation matrix is not positive definite (inconsistent correlations)"
        }
    }
}
