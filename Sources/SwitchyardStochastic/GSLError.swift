// SPDX-License-Identifier: GPL-3.0-or-later

internal import CGSL
import Synchronization

/// A GSL routine returned a non-zero status code.
public struct GSLError: Error, Equatable, CustomStringConvertible {
    /// The GSL status code (`GSL_EDOM`, `GSL_ENOMEM`, ...).
    public let status: Int32
    /// What was being done, e.g. "Cholesky factor of the correlation matrix".
    public let context: String

    public var description: String {
        "\(context): \(String(cString: gsl_strerror(status))) (GSL status \(status))"
    }

    /// Throws unless `status` is `GSL_SUCCESS`.
    static func check(_ status: Int32, _ context: @autoclosure () -> String) throws(GSLError) {
        guard status == GSL_SUCCESS else { throw GSLError(status: status, context: context()) }
    }
}

/// GSL's default error handler prints and calls `abort()`. Every entry point of this
/// module that calls GSL first makes sure it has been switched off, once per process,
/// so that failures come back as status codes and become ``GSLError``s.
enum GSLRuntime {
    private static let configured = Mutex(false)

    static func prepare() {
        configured.withLock { done in
            guard !done else { return }
            gsl_set_error_handler_off()
            done = true
        }
    }

    /// The linked GSL version, e.g. "2.7.1".
    static var version: String { String(cString: cgsl_version()) }
}

/// Versions of the numerical libraries this build links.
public enum StochasticLibrary {
    /// The GSL version string, e.g. "2.7.1".
    public static var gslVersion: String { GSLRuntime.version }
}
