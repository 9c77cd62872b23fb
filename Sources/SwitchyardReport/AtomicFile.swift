// SPDX-License-Identifier: GPL-3.0-or-later

public import Foundation

/// Why an output file could not be written.
public enum OutputError: Error, Equatable, CustomStringConvertible {
    case exists(path: String)
    case writeFailed(path: String, reason: String)

    public var description: String {
        switch self {
        case .exists(let path): "\(path): already exists; pass --force to replace it"
        case .writeFailed(let path, let reason): "\(path): cannot write: \(reason)"
        }
    }
}

/// Writes output files atomically: the content goes to a temporary file in the same
/// directory, which is then renamed over the destination, so a failure or a kill
/// half-way never leaves a partial file under the destination's name.
public enum AtomicFile {
    /// - Parameter replace: replace an existing file; otherwise an existing file is an error.
    public static func write(_ data: Data, to path: String, replace: Bool) throws(OutputError) {
        let url = URL(fileURLWithPath: path)
        if !replace && FileManager.default.fileExists(atPath: path) { throw .exists(path: path) }
        let directory = url.deletingLastPathComponent()
        let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).tmp")
        do {
            try data.write(to: temporary)
            if rename(temporary.path, url.path) != 0 {
                let reason = String(cString: strerror(errno))
                try? FileManager.default.removeItem(at: temporary)
                throw OutputError.writeFailed(path: path, reason: reason)
            }
        } catch let error as OutputError {
            throw error
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw .writeFailed(path: path, reason: error.localizedDescription)
        }
    }

    /// Lets `body` write a temporary file next to `path` (it receives the temporary
    /// path), then renames it into place. On any error the temporary file is removed and
    /// `path` is untouched. An existing `path` is an error unless `replace`.
    public static func produce(at path: String, replace: Bool, _ body: (String) throws -> Void) throws {
        if !replace && FileManager.default.fileExists(atPath: path) { throw OutputError.exists(path: path) }
        let url = URL(fileURLWithPath: path)
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).tmp").path
        do {
            try body(temporary)
            guard rename(temporary, url.path) == 0 else {
                throw OutputError.writeFailed(path: path, reason: String(cString: strerror(errno)))
            }
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw error
        }
    }

    public static func write(_ text: String, to path: String, replace: Bool) throws(OutputError) {
        try write(Data(text.utf8), to: path, replace: replace)
    }
}
