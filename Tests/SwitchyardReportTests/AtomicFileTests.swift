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

    /// The write fails at the rename (a directory stands where the file should go). A
    /// writer that did not clean up would leave its temporary beside it, and one that
    /// replaced whatever was there would take the directory: either fails this test.
    @Test("A failed write names the path, leaves no temporary and does not touch what was there")
    func failedWrite() throws {
        let directory = try temporaryDirectory()
        let target = directory.appendingPathComponent("out.yaml")
        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: false)
        try "keep\n".write(to: target.appendingPathComponent("inside.txt"), atomically: false, encoding: .utf8)
        let error = #expect(throws: OutputError.self) { try AtomicFile.write("x", to: target.path, replace: true) }
        #expect(error?.description.hasPrefix(target.path) == true, "\(String(describing: error))")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["out.yaml"], "no temporary left")
        #expect(try FileManager.default.contentsOfDirectory(atPath: target.path) == ["inside.txt"])
        #expect(try String(contentsOf: target.appendingPathComponent("inside.txt"), encoding: .utf8) == "keep\n")
    }
}
