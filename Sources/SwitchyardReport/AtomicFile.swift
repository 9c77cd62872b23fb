// SPDX-License-Identifier: GPL-3.0-or-later

public import Foundation

/// Why an output file could not be written.
public enum OutputError: Error, Equatable, CustomStringConvertible {
    case exists(path: String)
    case writeFailed(path: String, reason: String)
    case unusable(path: String, reason: String)
    case sameFile(path: String, other: String)

    public var description: String {
        switch self {
        case .exists(let path): "\(path): already exists; pass --force to replace it"
        case .writeFailed(let path, let reason): "\(path): cannot write: \(reason)"
        case .unusable(let path, let reason): "\(path): \(reason)"
        case .sameFile(let path, let other): "\(path) and \(other) are the same file: give each output its own"
        }
    }
}

/// Checks a run's output paths before any work, so that a long run does not end on an
/// unwritable folder or overwrite one output with another.
public enum OutputPaths {
    /// - Throws: ``OutputError`` for a path that exists and `replace` is false, is a
    ///   folder or not a regular file (a device, a pipe: never replaced, even with
    ///   --force), lies in a folder that does not exist or cannot be written, or is the
    ///   same file as another output.
    public static func check(_ paths: [String], replace: Bool) throws(OutputError) {
        var seen: [String: String] = [:]
        for path in paths {
            let url = URL(fileURLWithPath: path)
            let canonical = url.deletingLastPathComponent().resolvingSymlinksInPath().appendingPathComponent(url.lastPathComponent).standardizedFileURL.path
            if let other = seen[canonical] { throw .sameFile(path: path, other: other) }
            seen[canonical] = path
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
                if isDirectory.boolValue { throw .unusable(path: path, reason: "is a folder; give a file name") }
                var info = stat()
                if lstat(path, &info) == 0 && (info.st_mode & S_IFMT) != S_IFREG && (info.st_mode & S_IFMT) != S_IFLNK {
                    throw .unusable(path: path, reason: "is not a regular file (a device or a pipe); Switchyard writes regular files only")
                }
                if !replace { throw .exists(path: path) }
            }
            let folder = url.deletingLastPathComponent().path
            var folderIsDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: folder, isDirectory: &folderIsDirectory), folderIsDirectory.boolValue else {
                throw .unusable(path: path, reason: "the folder \(folder) does not exist")
            }
            guard access(folder, W_OK) == 0 else { throw .unusable(path: path, reason: "the folder \(folder) cannot be written") }
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
