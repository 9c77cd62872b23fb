// SPDX-License-Identifier: GPL-3.0-or-later

import Foundation
import SwitchyardReport
import Testing

struct AtomicFileTests {
    func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("switchyard-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test("Writes the content and leaves no temporary file behind")
    func writes() throws {
        let directory = try temporaryDirectory()
        let path = directory.appendingPathComponent("out.yaml").path
        try AtomicFile.write("a: 1\n", to: path, replace: false)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "a: 1\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["out.yaml"])
    }

    @Test("An existing file is kept unless replacing is asked for")
    func existingFile() throws {
        let directory = try temporaryDirectory()
        let path = directory.appendingPathComponent("out.yaml").path
        try AtomicFile.write("old\n", to: path, replace: false)
        #expect(throws: OutputError.exists(path: path)) { try AtomicFile.write("new\n", to: path, replace: false) }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "old\n")
        try AtomicFile.write("new\n", to: path, replace: true)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "new\n")
    }

    @Test("A failed write names the path and leaves nothing behind")
    func failedWrite() throws {
        let path = "/nonexistent-switchyard-dir/out.yaml"
        let error = #expect(throws: OutputError.self) { try AtomicFile.write("x", to: path, replace: true) }
        #expect(error?.description.hasPrefix(path) == true)
        #expect(!FileManager.default.fileExists(atPath: path))
    }
}
