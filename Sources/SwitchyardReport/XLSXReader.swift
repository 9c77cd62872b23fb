// SPDX-License-Identifier: GPL-3.0-or-later

import Foundation
internal import ZIPFoundation

/// Reads the cells of one worksheet of an XLSX file (as Switchyard, Excel or
/// LibreOffice write them): shared, inline and formula strings, numbers and booleans.
/// libxlsxwriter only writes, so this is the project's own reader; it reads the
/// package's XML with a small scanner, with limits on sizes so a hostile file cannot
/// take the machine.
public enum XLSXReader {
    public struct ReadError: Error, Sendable, CustomStringConvertible {
        public var path: String
        public var reason: String
        public var description: String { "\(path): \(reason)" }
    }

    /// One cell: its text as stored (a number as written, a string as is).
    public struct CellValue: Hashable, Sendable {
        public enum Kind: Hashable, Sendable { case number, text, flag, error }
        public var kind: Kind
        public var text: String
    }

    /// Cells by (1-based) row, then (0-based) column.
    public typealias Cells = [Int: [Int: CellValue]]

    /// The largest part of the package read (uncompressed).
    static let maximumPartBytes: UInt64 = 256 << 20

    /// The cells of the sheet named `name`.
    public static func sheet(_ name: String, in path: String) throws(ReadError) -> Cells {
        func fail(_ reason: String) -> ReadError { ReadError(path: path, reason: reason) }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw fail("no such file") }
        guard !isDirectory.boolValue else { throw fail("is a folder, not a workbook") }
        guard FileManager.default.isReadableFile(atPath: path) else { throw fail("cannot be read (permission denied)") }
        let archive: Archive
        do {
            archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .read)
        } catch {
            throw fail(FileManager.default.fileExists(atPath: path) ? "not an XLSX workbook (not a ZIP package)" : "no such file")
        }
        func part(_ name: String) throws(ReadError) -> [UInt8]? {
            guard let entry = archive[name] else { return nil }
            guard entry.uncompressedSize <= maximumPartBytes else {
                throw fail("part \(name) is \(entry.uncompressedSize) bytes uncompressed, more than the \(maximumPartBytes >> 20) MB read")
            }
            var bytes: [UInt8] = []
            bytes.reserveCapacity(Int(entry.uncompressedSize))
            do {
                _ = try archive.extract(entry) { chunk in
                    bytes.append(contentsOf: chunk)
                    if UInt64(bytes.count) > maximumPartBytes { throw CocoaError(.fileReadTooLarge) }
                }
            } catch {
                throw fail("part \(name) cannot be read: \(error)")
            }
            return bytes
        }
        guard let workbook = try part("xl/workbook.xml") else { throw fail("not an XLSX workbook (no xl/workbook.xml)") }
        var relation: String?
        var names: [String] = []
        for case .open(let tag, let attributes, _) in XMLScanner(workbook) where tag == "sheet" {
            let sheetName = attributes["name"] ?? ""
            names.append(sheetName)
            if sheetName == name { relation = attributes.first { $0.key == "id" || $0.key.hasSuffix(":id") }?.value }
        }
        guard let relation else {
            throw fail("has no sheet named '\(name)' (sheets: \(names.joined(separator: ", ")))")
        }
        guard let relations = try part("xl/_rels/workbook.xml.rels") else { throw fail("not an XLSX workbook (no xl/_rels/workbook.xml.rels)") }
        var target: String?
        for case .open(let tag, let attributes, _) in XMLScanner(relations) where tag == "Relationship" && attributes["Id"] == relation {
            target = attributes["Target"]
        }
        guard let target else { throw fail("sheet '\(name)' has no part (relationship \(relation) missing)") }
        let sheetPart = target.hasPrefix("/") ? String(target.dropFirst()) : "xl/" + target
        guard let sheetXML = try part(sheetPart) else { throw fail("sheet '\(name)' part \(sheetPart) is missing") }
        let shared = try part("xl/sharedStrings.xml").map(sharedStrings) ?? []
        return try cells(sheetXML, shared: shared, fail: fail)
    }

    static func sharedStrings(_ xml: [UInt8]) -> [String] {
        var strings: [String] = []
        var current = ""
        var inText = false
        var phonetic = 0
        for event in XMLScanner(xml) {
            switch event {
            case .open("si", _, let closed):
                current = ""
                if closed { strings.append("") }
            case .close("si"): strings.append(current)
            case .open("rPh", _, let closed): if !closed { phonetic += 1 }
            case .close("rPh"): phonetic -= 1
            case .open("t", _, let closed): inText = !closed
            case .close("t"): inText = false
            case .text(let text) where inText && phonetic == 0: current += unescape(text)
            default: break
            }
        }
        return strings
    }

    static func cells(_ xml: [UInt8], shared: [String], fail: (String) -> ReadError) throws(ReadError) -> Cells {
        var result: Cells = [:]
        var row = 0
        var column = -1
        var type = "n"
        var value: String?
        var inline = ""
        var capture: String?  // "v" or "t" while inside one
        var inCell = false
        var formula = false
        // Excel's own limit; a row number past it is not a worksheet's.
        let maximumRow = 1_048_576
        for event in XMLScanner(xml) {
            switch event {
            case .open("row", let attributes, _):
                row = attributes["r"].flatMap { Int($0) } ?? row + 1
                guard (1...maximumRow).contains(row) else { throw fail("row number \(attributes["r"] ?? String(row)) is out of range (1 to \(maximumRow))") }
                column = -1
            case .open("c", let attributes, let closed):
                if let reference = attributes["r"], let (r, c) = Self.reference(reference) {
                    row = r
                    column = c
                } else {
                    column += 1
                }
                guard (1...maximumRow).contains(row), column < 16_384 else { throw fail("cell \(attributes["r"] ?? "") is out of range") }
                type = attributes["t"] ?? "n"
                value = nil
                inline = ""
                formula = false
                inCell = !closed
            case .open("f", _, _) where inCell:
                formula = true
            case .open(let tag, _, let closed) where inCell && (tag == "v" || tag == "t"):
                capture = closed ? nil : tag
                if tag == "v" && closed { value = "" }
            case .close(let tag) where tag == "v" || tag == "t":
                capture = nil
            case .text(let text):
                if capture == "v" { value = (value ?? "") + text } else if capture == "t" { inline += text }
            case .close("c"):
                inCell = false
                var cell: CellValue?
                switch type {
                case "s":
                    guard let index = value.flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) }), shared.indices.contains(index) else {
                        throw fail("cell \(Cell.column(column))\(row) points to a shared string that is not there")
                    }
                    cell = CellValue(kind: .text, text: shared[index])
                case "inlineStr": cell = CellValue(kind: .text, text: unescape(inline))
                case "str": cell = value.map { CellValue(kind: .text, text: unescape($0)) }
                case "b": cell = value.map { CellValue(kind: .flag, text: ["1", "true"].contains($0.lowercased()) ? "true" : "false") }
                case "e": cell = value.map { CellValue(kind: .error, text: "is a spreadsheet error (\($0)), not a value") }
                default: cell = value.map { CellValue(kind: .number, text: $0.trimmingCharacters(in: .whitespaces)) }
                }
                // A formula whose result was never computed (a program wrote it, nothing
                // recalculated it): not a blank, which would quietly mean the default.
                if formula && (value ?? "").trimmingCharacters(in: .whitespaces).isEmpty && type != "inlineStr" {
                    cell = CellValue(kind: .error, text: "is a formula with no computed value: open the workbook in Excel or LibreOffice, recalculate and save, or type the value")
                }
                if let cell, column >= 0 { result[row, default: [:]][column] = cell }
            default: break
            }
        }
        return result
    }

    /// Text as OOXML stores it, with `_xHHHH_` escapes (control characters, and `_x005F_`
    /// for an underscore that would read as one) turned back into characters.
    static func unescape(_ text: String) -> String {
        guard text.contains("_x") else { return text }
        var out = ""
        var rest = Substring(text)
        while let start = rest.range(of: "_x") {
            out += rest[..<start.lowerBound]
            let after = rest[start.upperBound...]
            let hex = after.prefix(4)
            if hex.count == 4, after.dropFirst(4).first == "_", let code = UInt32(hex, radix: 16), let scalar = Unicode.Scalar(code) {
                out.unicodeScalars.append(scalar)
                rest = after.dropFirst(5)
            } else {
                out += "_x"
                rest = after
            }
        }
        return out + rest
    }

    /// "B12" as (12, 1).
    static func reference(_ text: String) -> (Int, Int)? {
        var column = 0
        var digits = Substring(text)
        for character in text {
            guard let ascii = character.asciiValue, character.isLetter else { break }
            column = column * 26 + Int(ascii & ~0x20) - 64
            digits = digits.dropFirst()
            if column > 20_000 { return nil }
        }
        guard column > 0, digits.count <= 9, let row = Int(digits), row > 0 else { return nil }
        return (row, column - 1)
    }
}

/// A minimal pull scanner for the XML of an XLSX package: start and end tags with
/// their attributes, and text with the five entities and character references
/// decoded. Namespace prefixes are dropped from tag names. DTDs are skipped, never
/// expanded.
struct XMLScanner: Sequence, IteratorProtocol {
    enum Event: Equatable {
        case open(String, [String: String], selfClosing: Bool)
        case close(String)
        case text(String)
    }

    let bytes: [UInt8]
    var i = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    mutating func next() -> Event? {
        while i < bytes.count {
            if bytes[i] != UInt8(ascii: "<") {
                let start = i
                while i < bytes.count && bytes[i] != UInt8(ascii: "<") { i += 1 }
                return .text(Self.decode(bytes[start..<i]))
            }
            if starts(with: "<![CDATA[") {
                let start = i + 9
                let end = find("]]>", from: start) ?? bytes.count
                i = Swift.min(bytes.count, end + 3)
                return .text(String(decoding: bytes[start..<end], as: UTF8.self))
            }
            if starts(with: "<!--") {
                i = (find("-->", from: i + 4) ?? bytes.count - 3) + 3
                continue
            }
            if starts(with: "<?") || starts(with: "<!") {
                i = (find(">", from: i) ?? bytes.count - 1) + 1
                continue
            }
            // A tag: up to the '>' outside quotes.
            var j = i + 1
            var quote: UInt8 = 0
            while j < bytes.count {
                let b = bytes[j]
                if quote != 0 { if b == quote { quote = 0 } } else if b == UInt8(ascii: "\"") || b == UInt8(ascii: "'") { quote = b } else if b == UInt8(ascii: ">") { break }
                j += 1
            }
            let inner = bytes[(i + 1)..<Swift.min(j, bytes.count)]
            i = j + 1
            if inner.first == UInt8(ascii: "/") {
                return .close(Self.localName(String(decoding: inner.dropFirst(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)))
            }
            let selfClosing = inner.last == UInt8(ascii: "/")
            let body = String(decoding: selfClosing ? inner.dropLast() : inner, as: UTF8.self)
            return Self.tag(body, selfClosing: selfClosing)
        }
        return nil
    }

    func starts(with prefix: String) -> Bool {
        let p = Array(prefix.utf8)
        return i + p.count <= bytes.count && Array(bytes[i..<(i + p.count)]) == p
    }

    func find(_ needle: String, from start: Int) -> Int? {
        let n = Array(needle.utf8)
        var k = start
        while k + n.count <= bytes.count {
            if bytes[k] == n[0] && Array(bytes[k..<(k + n.count)]) == n { return k }
            k += 1
        }
        return nil
    }

    static func localName(_ name: String) -> String {
        name.split(separator: ":").last.map(String.init) ?? name
    }

    static func tag(_ body: String, selfClosing: Bool) -> Event {
        let scalars = Array(body.unicodeScalars)
        var k = 0
        func skipSpace() { while k < scalars.count && CharacterSet.whitespacesAndNewlines.contains(scalars[k]) { k += 1 } }
        var name = ""
        while k < scalars.count && !CharacterSet.whitespacesAndNewlines.contains(scalars[k]) { name.unicodeScalars.append(scalars[k]); k += 1 }
        var attributes: [String: String] = [:]
        while true {
            skipSpace()
            guard k < scalars.count else { break }
            var key = ""
            while k < scalars.count && scalars[k] != "=" && !CharacterSet.whitespacesAndNewlines.contains(scalars[k]) { key.unicodeScalars.append(scalars[k]); k += 1 }
            skipSpace()
            guard k < scalars.count, scalars[k] == "=" else { if key.isEmpty { break } else { continue } }
            k += 1
            skipSpace()
            guard k < scalars.count, scalars[k] == "\"" || scalars[k] == "'" else { break }
            let quote = scalars[k]
            k += 1
            var value = ""
            while k < scalars.count && scalars[k] != quote { value.unicodeScalars.append(scalars[k]); k += 1 }
            k += 1
            attributes[key] = decode(Array(value.utf8)[...])
        }
        return .open(localName(name), attributes, selfClosing: selfClosing)
    }

    static func decode(_ raw: ArraySlice<UInt8>) -> String {
        let text = String(decoding: raw, as: UTF8.self)
        guard text.contains("&") else { return text }
        var out = ""
        var rest = Substring(text)
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            guard let semi = rest[amp...].firstIndex(of: ";"), rest.distance(from: amp, to: semi) <= 10 else {
                out += "&"
                rest = rest[rest.index(after: amp)...]
                continue
            }
            let entity = rest[rest.index(after: amp)..<semi]
            switch entity {
            case "amp": out += "&"
            case "lt": out += "<"
            case "gt": out += ">"
            case "quot": out += "\""
            case "apos": out += "'"
            default:
                var number: UInt32?
                if entity.hasPrefix("#x") || entity.hasPrefix("#X") { number = UInt32(entity.dropFirst(2), radix: 16) } else if entity.hasPrefix("#") { number = UInt32(entity.dropFirst()) }
                if let number, let scalar = Unicode.Scalar(number) { out.unicodeScalars.append(scalar) } else { out += "&" + entity + ";" }
            }
            rest = rest[rest.index(after: semi)...]
        }
        return out + rest
    }
}
