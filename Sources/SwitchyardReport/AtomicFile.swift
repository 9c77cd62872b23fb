// SPDX-License-Identifier: GPL-3.0-or-later

public import Foundation
import Synchronization
import Dispatch

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
    ///   An output may not be one of `inputs` or `rewritable` (files the run reads),
    ///   except a workbook written over a workbook of `rewritable` (the scenario's own
    ///   workbook: its Inputs sheet is written again).
    public static func check(_ paths: [String], replace: Bool, inputs: [String] = [], rewritable: [String] = []) throws(OutputError) {
        var seen: [String: String] = [:]
        func fullyResolved(_ path: String) -> String { URL(fileURLWithPath: path).resolvingSymlinksInPath().standardizedFileURL.path }
        let read = (inputs + rewritable).filter { FileManager.default.fileExists(atPath: $0) }.map { ($0, fullyResolved($0)) }
        let workbooks = Set(rewritable.filter { $0.lowercased().hasSuffix(".xlsx") })
        for path in paths {
            guard !path.isEmpty else { throw .unusable(path: "''", reason: "is an empty file name; give a file name") }
            let url = URL(fileURLWithPath: path)
            let canonical = url.deletingLastPathComponent().resolvingSymlinksInPath().appendingPathComponent(url.lastPathComponent).standardizedFileURL.path
            if let other = seen[canonical] { throw .sameFile(path: path, other: other) }
            seen[canonical] = path
            if let input = read.first(where: { $0.1 == fullyResolved(path) }),
                !(path.lowercased().hasSuffix(".xlsx") && workbooks.contains(input.0))
            {
                throw .unusable(path: path, reason: "is a file this run reads (\(input.0)); write the output elsewhere")
            }
            // A name that is there at all, even a link to nothing, is an existing file.
            var info = stat()
            if lstat(path, &info) == 0 {
                var isDirectory: ObjCBool = false
                if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
                    throw .unusable(path: path, reason: "is a folder; give a file name")
                }
                if (info.st_mode & S_IFMT) != S_IFREG && (info.st_mode & S_IFMT) != S_IFLNK {
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
        OutputSet.remember(temporary.path)
        defer { OutputSet.forget(temporary.path, remove: false) }
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
        OutputSet.remember(temporary)
        defer { OutputSet.forget(temporary, remove: false) }
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

/// A run's output files, committed together: each is written to a temporary file beside
/// its destination, and only when all are written are they renamed into place, one
/// after another (microseconds apart). A failure before that leaves every previous
/// output untouched and removes the temporaries; so does SIGINT or SIGTERM
/// (``OutputSet/installSignalCleanup()``).
public final class OutputSet {
    private var staged: [(temporary: String, destination: String)] = []
    private let replace: Bool

    public init(replace: Bool) { self.replace = replace }

    deinit {
        for item in staged { OutputSet.forget(item.temporary, remove: true) }
    }

    private func temporary(for path: String) throws(OutputError) -> String {
        if !replace && FileManager.default.fileExists(atPath: path) { throw .exists(path: path) }
        let url = URL(fileURLWithPath: path)
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).tmp").path
        OutputSet.remember(temporary)
        staged.append((temporary, path))
        return temporary
    }

    /// Stages `text` for `path`.
    public func write(_ text: String, to path: String) throws(OutputError) {
        let temporary = try temporary(for: path)
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: temporary))
        } catch {
            throw .writeFailed(path: path, reason: error.localizedDescription)
        }
    }

    /// Stages the file `body` writes at the temporary path it is given.
    public func produce(at path: String, _ body: (String) throws -> Void) throws {
        let temporary = try temporary(for: path)
        try body(temporary)
    }

    /// Renames every staged file into place. (For tests of interrupted runs, the
    /// environment variable SWITCHYARD_TEST_PAUSE_BEFORE_COMMIT holds the outputs staged
    /// for that many seconds first.)
    public func commit() throws(OutputError) {
        if let pause = ProcessInfo.processInfo.environment["SWITCHYARD_TEST_PAUSE_BEFORE_COMMIT"].flatMap(Double.init), pause > 0 {
            Thread.sleep(forTimeInterval: min(pause, 60))
        }
        for (index, item) in staged.enumerated() {
            guard rename(item.temporary, item.destination) == 0 else {
                let reason = String(cString: strerror(errno))
                for rest in staged[index...] { OutputSet.forget(rest.temporary, remove: true) }
                staged = []
                throw .writeFailed(path: item.destination, reason: reason)
            }
            OutputSet.forget(item.temporary, remove: false)
        }
        staged = []
    }

    // MARK: Temporaries to remove on a signal

    private static let live = Mutex<Set<String>>([])

    static func remember(_ path: String) { live.withLock { _ = $0.insert(path) } }

    static func forget(_ path: String, remove: Bool) {
        live.withLock { _ = $0.remove(path) }
        if remove { unlink(path) }
    }

    /// On SIGINT or SIGTERM: removes the temporaries of unfinished outputs, then exits
    /// with 128 + the signal (130, 143). Outputs already committed stay.
    public static func installSignalCleanup() {
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler {
                let paths = live.withLock { $0 }
                for path in paths { unlink(path) }
                exit(128 + sig)
            }
            source.resume()
            // The sources live as long as the process: keep them from being released.
            _ = Unmanaged.passRetained(source as AnyObject)
        }
    }
}
