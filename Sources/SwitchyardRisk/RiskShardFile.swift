// SPDX-License-Identifier: GPL-3.0-or-later

public import Foundation
public import SwitchyardModel

/// What a shard of a risk run says about itself: enough to check that shards belong
/// together and to rebuild the scenario for the merged outputs.
public struct RiskShardManifest: Codable, Hashable, Sendable {
    public var format = 3
    public var version: String
    public var scenarioName: String
    /// FNV-1a 64 of `scenarioYAML`, in hex: shards of one run have the same.
    public var scenarioDigest: String
    /// The scenario as `scenario export` writes it (after command-line adjustments).
    public var scenarioYAML: String
    /// The folder its relative file references (replays, traces) are read from.
    public var baseDirectory: String?
    public var seed: UInt64
    public var paths: Int
    /// This shard, 1-based, of `shards`; its paths are `first ..< first + count`.
    public var shard: Int
    public var shards: Int
    public var first: Int
    public var count: Int
    public var command: String
    /// With `--tornado`: the swing asked for and the inputs, in order; each path holds
    /// the NPV of each input's low then high variant.
    public var tornadoSwing: Double?
    public var tornadoInputs: [String]?
    /// With `--compare`: the other scenario's name and the digest of its export; each
    /// path holds its NPV (after the tornado's).
    public var compareName: String?
    public var compareDigest: String?

    /// FNV-1a 64 of the records' bytes (everything after the manifest line) and of the
    /// data the scenario replays (``Scenario/dataDigest``): a damaged or edited shard, or
    /// a data file changed between two shards, is caught.
    public var recordsDigest = ""
    public var dataDigest = ""

    /// The manifest's fields that decide what the records mean, sealed into their digest:
    /// a manifest edited by hand (another seed, range, tornado, ...) no longer matches.
    var seal: String {
        let tornado = "\(tornadoSwing.map { "\($0.bitPattern)" } ?? "-") \((tornadoInputs ?? []).joined(separator: "|"))"
        return "\(version) \(seed) \(paths) \(shard)/\(shards) \(first)+\(count) \(scenarioDigest) \(dataDigest) \(tornado) \(compareName ?? "-") \(compareDigest ?? "-")\n"
    }

    /// The NPVs each path holds beyond its record: the tornado's, then the comparison's.
    public var extrasPerPath: Int { 2 * (tornadoInputs?.count ?? 0) + (compareName != nil ? 1 : 0) }

    public init(
        version: String, scenarioName: String, scenarioYAML: String, baseDirectory: String?, seed: UInt64, paths: Int,
        shard: Int, shards: Int, command: String
    ) {
        self.version = version
        self.scenarioName = scenarioName
        self.scenarioDigest = Self.digest(scenarioYAML)
        self.scenarioYAML = scenarioYAML
        self.baseDirectory = baseDirectory
        self.seed = seed
        self.paths = paths
        self.shard = shard
        self.shards = shards
        let range = RiskRunner.shardRange(k: shard - 1, of: shards, paths: paths)
        first = range.lowerBound
        count = range.count
        self.command = command
    }

    /// FNV-1a 64 of the UTF-8 text, 16 hex digits (an identity check, not a signature).
    public static func digest(_ text: String) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            h ^= UInt64(byte)
            h &*= 0x0000_0100_0000_01b3
        }
        return String(h, radix: 16).leftPaddedHex(16)
    }
}

extension String {
    fileprivate func leftPaddedHex(_ width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}

/// Why shards cannot be merged, or a shard file cannot be read; the message names the file.
public struct RiskShardError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// A shard file: the magic line `switchyard-risk-shard 1`, the manifest as one JSON line,
/// then each path's record in path order, little-endian: the outcome (doubles as their
/// bits, optionals with a flag byte), the monthly figures and the years. Doubles are
/// kept to the bit, so merged shards give the single run's outputs byte for byte.
public enum RiskShardFile {
    static let magic = "switchyard-risk-shard 3\n"

    /// `extras[i]`: the NPVs path `records[i]` holds beyond its record
    /// (``RiskShardManifest/extrasPerPath`` of them; empty when there are none).
    public static func encode(manifest: RiskShardManifest, records: [RiskRunner.PathRecord], extras: [[Double]] = []) throws -> Data {
        precondition(extras.isEmpty ? manifest.extrasPerPath == 0 : extras.count == records.count)
        var w = Writer(data: Data())
        let yearFields = Self.yearFields
        w.int(records.count)
        for (i, r) in records.enumerated() {
            let o = r.outcome
            w.u64(o.path)
            w.double(o.npvUSD)
            w.optionalDouble(o.irr)
            w.optionalInt(o.paybackMonth)
            w.double(o.totalFreeCashFlowUSD)
            w.double(o.btcMined)
            w.double(o.gpuUtilisation)
            w.double(o.curtailedEnergyMWh)
            w.double(o.revenueUSD)
            w.double(o.terminalValueUSD)
            w.optionalDouble(o.equityNPVUSD)
            w.optionalInt(o.cashOutMonth)
            w.int(r.monthlyFigures.count)
            for x in r.monthlyFigures { w.double(x) }
            w.int(r.years.count)
            for y in r.years {
                w.int(y.year)
                w.string(y.label)
                for key in yearFields { w.double(y[keyPath: key]) }
            }
            let more = extras.isEmpty ? [] : extras[i]
            precondition(more.count == manifest.extrasPerPath)
            for x in more { w.double(x) }
        }
        var manifest = manifest
        manifest.recordsDigest = digest(Data(manifest.seal.utf8), w.data)
        var data = Data(magic.utf8)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        data.append(try encoder.encode(manifest))
        data.append(0x0A)
        data.append(w.data)
        return data
    }

    /// FNV-1a 64 of bytes, 16 hex digits (an identity and damage check, not a signature).
    package static func digest(_ data: some Sequence<UInt8>) -> String { digest(Data(), data) }

    /// FNV-1a 64 of `head` then `body` (no copy of the body: a shard is read once).
    package static func digest(_ head: Data, _ body: some Sequence<UInt8>) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        func add(_ bytes: UnsafeRawBufferPointer) {
            for byte in bytes {
                h ^= UInt64(byte)
                h &*= 0x0000_0100_0000_01b3
            }
        }
        head.withUnsafeBytes(add)
        if let data = body as? Data {
            data.withUnsafeBytes(add)
        } else if body.withContiguousStorageIfAvailable({ add(UnsafeRawBufferPointer($0)) }) == nil {
            Array(body).withUnsafeBytes(add)
        }
        let hex = String(h, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// The manifest of a shard file (reads only its first lines).
    public static func manifest(path: String) throws(RiskShardError) -> RiskShardManifest {
        try decode(path: path, records: false).manifest
    }

    /// The manifest, every record of a shard file and each record's extra NPVs.
    public static func read(path: String) throws(RiskShardError) -> (manifest: RiskShardManifest, records: [RiskRunner.PathRecord], extras: [[Double]]) {
        let (manifest, records) = try decode(path: path, records: true)
        return (manifest, records?.map(\.0) ?? [], records?.map(\.1) ?? [])
    }

    static func decode(path: String, records wanted: Bool) throws(RiskShardError)
        -> (manifest: RiskShardManifest, records: [(RiskRunner.PathRecord, [Double])]?)
    {
        let (data, manifest, end): (Data, RiskShardManifest, Int) = try header(path: path, magic: magic, kind: "risk shard")
        // A manifest that does not describe a shard (damaged or written by hand).
        guard manifest.format == 3 else { throw RiskShardError("\(path): shard format \(manifest.format); this switchyard reads format 3") }
        guard (manifest.tornadoInputs?.count ?? 0) <= 1_000, manifest.tornadoSwing.map({ $0.isFinite }) ?? true,
            (manifest.tornadoSwing == nil) == (manifest.tornadoInputs == nil)
        else {
            throw RiskShardError("\(path): the manifest's tornado is damaged (tornadoSwing and tornadoInputs go together)")
        }
        guard (manifest.compareName == nil) == (manifest.compareDigest == nil) else {
            throw RiskShardError("\(path): the manifest's comparison is damaged (compareName and compareDigest go together)")
        }
        guard manifest.scenarioDigest == RiskShardManifest.digest(manifest.scenarioYAML) else {
            throw RiskShardError("\(path): its scenario does not match its digest (the file was edited)")
        }
        guard manifest.paths >= 1, manifest.paths <= 10_000_000, manifest.shards >= 1, manifest.shards <= manifest.paths,
            manifest.shard >= 1, manifest.shard <= manifest.shards,
            RiskRunner.shardRange(k: manifest.shard - 1, of: manifest.shards, paths: manifest.paths).lowerBound == manifest.first,
            RiskRunner.shardRange(k: manifest.shard - 1, of: manifest.shards, paths: manifest.paths).count == manifest.count
        else {
            throw RiskShardError(
                "\(path): the manifest does not describe a shard (shard \(manifest.shard) of \(manifest.shards), paths \(manifest.first) + \(manifest.count) of \(manifest.paths))")
        }
        guard wanted else { return (manifest, nil) }
        guard digest(Data(manifest.seal.utf8), data[(end + 1)...]) == manifest.recordsDigest else {
            throw RiskShardError("\(path): its records do not match their digest (the file is damaged, cut short or edited)")
        }
        var r = Reader(data: data, position: end + 1)
        // (Each record takes at least 100 bytes: a damaged count cannot ask for more.)
        guard let count = r.int(), count == manifest.count, count <= (data.count - r.position) / 100 + 1 else {
            throw RiskShardError("\(path): the shard should hold \(manifest.count) paths; its records are cut short or damaged")
        }
        var records: [(RiskRunner.PathRecord, [Double])] = []
        records.reserveCapacity(count)
        let yearFields = Self.yearFields
        let extras = manifest.extrasPerPath
        for _ in 0..<count {
            guard let record = r.record(yearFields: yearFields), let more = r.doubles(extras) else {
                throw RiskShardError("\(path): record \(records.count + 1) of \(count) is cut short or damaged")
            }
            records.append((record, more))
        }
        guard r.position == data.count else { throw RiskShardError("\(path): \(data.count - r.position) unexpected bytes after the last record") }
        return (manifest, records)
    }

    /// The shards of one run, in shard order, after checking that they belong together:
    /// the same version, scenario, seed, paths and shard count, each shard exactly once.
    public static func check(_ shards: [(path: String, manifest: RiskShardManifest)]) throws(RiskShardError) -> [(path: String, manifest: RiskShardManifest)] {
        guard let first = shards.first else { throw RiskShardError("merge: no shard files given") }
        var problems: [String] = []
        for (path, m) in shards.dropFirst() {
            var differs: [String] = []
            if m.version != first.manifest.version { differs.append("switchyard version \(m.version), not \(first.manifest.version)") }
            if m.scenarioDigest != first.manifest.scenarioDigest { differs.append("another scenario (digest \(m.scenarioDigest), not \(first.manifest.scenarioDigest))") }
            if m.dataDigest != first.manifest.dataDigest {
                differs.append("other replayed data (digest \(m.dataDigest), not \(first.manifest.dataDigest): a replay or trace file changed between the shards)")
            }
            if m.seed != first.manifest.seed { differs.append("seed \(m.seed), not \(first.manifest.seed)") }
            if m.paths != first.manifest.paths { differs.append("\(m.paths) paths, not \(first.manifest.paths)") }
            if m.shards != first.manifest.shards { differs.append("one of \(m.shards) shards, not \(first.manifest.shards)") }
            if m.tornadoSwing != first.manifest.tornadoSwing {
                func tornado(_ m: RiskShardManifest) -> String { m.tornadoSwing.map { "--tornado --swing \($0)" } ?? "no --tornado" }
                differs.append("\(tornado(m)), not \(tornado(first.manifest))")
            } else if m.tornadoInputs != first.manifest.tornadoInputs {
                differs.append("other tornado inputs (\((m.tornadoInputs ?? []).joined(separator: ", ")))")
            }
            if m.compareDigest != first.manifest.compareDigest || m.compareName != first.manifest.compareName {
                func compared(_ m: RiskShardManifest) -> String {
                    m.compareName.map { "--compare with '\($0)' (digest \(m.compareDigest ?? "-"))" } ?? "no --compare"
                }
                differs.append("\(compared(m)), not \(compared(first.manifest))")
            }
            if !differs.isEmpty { problems.append("\(path) is not a shard of the same run as \(first.path): \(differs.joined(separator: "; "))") }
        }
        problems += setProblems(shards.map { ($0.path, $0.manifest.shard) }, of: first.manifest.shards)
        guard problems.isEmpty else { throw RiskShardError("cannot merge:\n  " + problems.joined(separator: "\n  ")) }
        return shards.sorted { $0.manifest.shard < $1.manifest.shard }
    }

    /// A file's contents, its manifest (the JSON line after the magic line) and where
    /// the manifest line ends. `kind` names the file in messages ("risk shard").
    package static func header<M: Decodable>(path: String, magic: String, kind: String) throws(RiskShardError) -> (Data, M, Int) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RiskShardError("\(path): cannot be read (no such file, or not a file)")
        }
        let magicBytes = Data(magic.utf8)
        let stem = Data(magic.prefix { $0 != " " }.utf8 + [0x20])
        if data.prefix(stem.count) == stem, data.prefix(magicBytes.count) != magicBytes {
            let line = String(decoding: data.prefix(40).prefix { $0 != 0x0A }, as: UTF8.self).replacingOccurrences(of: "\r", with: "\\r")
            throw RiskShardError("\(path): '\(line)' is another format; this switchyard writes and reads '\(magic.dropLast())' (re-run it with this version)")
        }
        guard data.count > magicBytes.count, data.prefix(magicBytes.count) == magicBytes else {
            throw RiskShardError("\(path): not a switchyard \(kind) (it does not start with '\(magic.dropLast())')")
        }
        guard let end = data[magicBytes.count...].firstIndex(of: 0x0A) else {
            throw RiskShardError("\(path): the \(kind)'s manifest line is cut short")
        }
        do {
            return (data, try JSONDecoder().decode(M.self, from: data[magicBytes.count..<end]), end)
        } catch {
            throw RiskShardError("\(path): the \(kind)'s manifest is not readable: \(describe(error))")
        }
    }

    /// A decoding error as "field: what" (the field's path in the JSON).
    package static func describe(_ error: any Error) -> String {
        func at(_ path: [any CodingKey]) -> String {
            path.isEmpty ? "the top level" : path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch error as? DecodingError {
        case .dataCorrupted(let c)?: return "\(at(c.codingPath)): \(c.debugDescription)"
        case .keyNotFound(let key, let c)?: return "\(at(c.codingPath + [key])) is missing"
        case .typeMismatch(let type, let c)?: return "\(at(c.codingPath)) is not a \(type) (\(c.debugDescription))"
        case .valueNotFound(let type, let c)?: return "\(at(c.codingPath)) has no \(type) value"
        default: return "\(error)"
        }
    }

    /// What is wrong with a set of shards of one run of `n` shards: shards given more
    /// than once, and missing ones (empty when each shard is there exactly once).
    package static func setProblems(_ shards: [(path: String, shard: Int)], of n: Int) -> [String] {
        var problems: [String] = []
        var byShard: [Int: [String]] = [:]
        for (path, k) in shards { byShard[k, default: []].append(path) }
        for (k, paths) in byShard.sorted(by: { $0.key < $1.key }) where paths.count > 1 {
            problems.append("shard \(k) of \(n) is given \(paths.count) times: \(paths.joined(separator: ", "))")
        }
        let missing = (1...max(1, n)).filter { byShard[$0] == nil }
        if !missing.isEmpty {
            // Runs of consecutive shards as ranges ("3-7"), at most 20 of them.
            var ranges: [ClosedRange<Int>] = []
            for k in missing {
                if let last = ranges.last, last.upperBound == k - 1 { ranges[ranges.count - 1] = last.lowerBound...k } else { ranges.append(k...k) }
            }
            let shown = ranges.prefix(20).map { $0.count == 1 ? "\($0.lowerBound)" : "\($0.lowerBound)-\($0.upperBound)" }
            let more = ranges.count > 20 ? " and \(ranges.count - 20) more ranges" : ""
            problems.append("missing shard\(missing.count == 1 ? "" : "s") \(shown.joined(separator: ", "))\(more) of \(n) (re-run those array tasks)")
        }
        return problems
    }

    /// What is wrong with a record of a run of `months` months (nil when it is sound): the
    /// number of monthly figures, a figure the run guarantees finite that is not.
    public static func problem(in record: RiskRunner.PathRecord, months: Int, years yearCount: Int) -> String? {
        guard record.years.count == yearCount else { return "it holds \(record.years.count) years; the run has \(yearCount)" }
        let o = record.outcome
        guard record.monthlyFigures.count == months * FanAccumulator.figuresPerMonth else {
            return "it holds \(record.monthlyFigures.count / FanAccumulator.figuresPerMonth) months of figures; the scenario has \(months)"
        }
        let years = record.years.flatMap { y in yearFields.map { y[keyPath: $0] } }
        let finite = [o.npvUSD, o.totalFreeCashFlowUSD, o.btcMined, o.curtailedEnergyMWh, o.revenueUSD, o.terminalValueUSD]
            + [o.irr, o.equityNPVUSD].compactMap { $0 } + record.monthlyFigures + years + (o.gpuUtilisation.isNaN ? [] : [o.gpuUtilisation])
        // (1e15: a thousand trillion USD, or of any figure: beyond what a site can reach,
        // and far from where sums of a million paths overflow.)
        guard finite.allSatisfy({ $0.isFinite && abs($0) <= 1e15 }) else { return "it holds a number that is not finite or is beyond 1e15" }
        guard o.paybackMonth.map({ (1...months).contains($0) }) ?? true, o.cashOutMonth.map({ (1...months).contains($0) }) ?? true else {
            return "its payback or cash-out month is outside 1...\(months)"
        }
        return nil
    }

    /// The years' figures in file order (a function: key paths are not `Sendable`).
    static var yearFields: [WritableKeyPath<YearRow, Double>] {
        [
        \.miningRevenueUSD, \.gpuCloudRevenueUSD, \.colocationRevenueUSD, \.powerContractsUSD, \.assetSalesUSD,
        \.energyCostUSD, \.operatingCostUSD, \.ebitdaUSD, \.capexUSD, \.taxUSD, \.debtDrawsUSD, \.debtServiceUSD,
        \.projectCashFlowUSD, \.equityCashFlowUSD, \.terminalValueUSD,
        ]
    }

    package struct Writer {
        package var data: Data
        package init(data: Data) { self.data = data }
        package mutating func u64(_ x: UInt64) { withUnsafeBytes(of: x.littleEndian) { data.append(contentsOf: $0) } }
        package mutating func int(_ x: Int) { u64(UInt64(bitPattern: Int64(x))) }
        package mutating func double(_ x: Double) { u64(x.bitPattern) }
        package mutating func optionalDouble(_ x: Double?) {
            data.append(x == nil ? 0 : 1)
            double(x ?? 0)
        }
        package mutating func optionalInt(_ x: Int?) {
            data.append(x == nil ? 0 : 1)
            int(x ?? 0)
        }
        package mutating func string(_ s: String) {
            let bytes = Array(s.utf8)
            int(bytes.count)
            data.append(contentsOf: bytes)
        }
    }

    package struct Reader {
        package let data: Data
        package var position: Int
        package init(data: Data, position: Int) {
            self.data = data
            self.position = position
        }
        package mutating func u64() -> UInt64? {
            guard position + 8 <= data.count else { return nil }
            var x: UInt64 = 0
            for i in 0..<8 { x |= UInt64(data[data.startIndex + position + i]) << (8 * UInt64(i)) }
            position += 8
            return x
        }
        package mutating func int() -> Int? { u64().map { Int(Int64(bitPattern: $0)) } }
        package mutating func double() -> Double? { u64().map(Double.init(bitPattern:)) }
        package mutating func flag() -> Bool? {
            guard position < data.count else { return nil }
            defer { position += 1 }
            switch data[data.startIndex + position] {
            case 0: return false
            case 1: return true
            default: return nil
            }
        }
        package mutating func optionalDouble() -> Double?? {
            guard let present = flag(), let x = double() else { return nil }
            return .some(present ? x : nil)
        }
        package mutating func optionalInt() -> Int?? {
            guard let present = flag(), let x = int() else { return nil }
            return .some(present ? x : nil)
        }
        package mutating func doubles(_ n: Int) -> [Double]? {
            var xs: [Double] = []
            xs.reserveCapacity(n)
            for _ in 0..<n {
                guard let x = double() else { return nil }
                xs.append(x)
            }
            return xs
        }
        package mutating func string() -> String? {
            guard let n = int(), n >= 0, n <= 1_000_000, position + n <= data.count else { return nil }
            defer { position += n }
            return String(decoding: data[(data.startIndex + position)..<(data.startIndex + position + n)], as: UTF8.self)
        }
        mutating func record(yearFields: [WritableKeyPath<YearRow, Double>]) -> RiskRunner.PathRecord? {
            guard let path = u64(), let npv = double(), let irr = optionalDouble(), let payback = optionalInt(),
                let fcf = double(), let btc = double(), let gpu = double(), let curtailed = double(), let revenue = double(),
                let terminal = double(), let equity = optionalDouble(), let cashOut = optionalInt(), let figureCount = int(),
                figureCount >= 0, figureCount <= 1_000_000
            else { return nil }
            var figures: [Double] = []
            figures.reserveCapacity(figureCount)
            for _ in 0..<figureCount {
                guard let x = double() else { return nil }
                figures.append(x)
            }
            guard let yearCount = int(), yearCount >= 0, yearCount <= 10_000 else { return nil }
            var years: [YearRow] = []
            for _ in 0..<yearCount {
                guard let year = int(), let label = string() else { return nil }
                var row = YearRow(year: year, label: label)
                for key in yearFields {
                    guard let x = double() else { return nil }
                    row[keyPath: key] = x
                }
                years.append(row)
            }
            let outcome = PathOutcome(
                path: path, npvUSD: npv, irr: irr, paybackMonth: payback, totalFreeCashFlowUSD: fcf, btcMined: btc,
                gpuUtilisation: gpu, curtailedEnergyMWh: curtailed, revenueUSD: revenue, terminalValueUSD: terminal,
                equityNPVUSD: equity, cashOutMonth: cashOut)
            return RiskRunner.PathRecord(outcome: outcome, monthlyFigures: figures, years: years)
        }
    }
}

extension Scenario {
    /// The data files the scenario reads (replays, a GPU trace): inputs no output may
    /// overwrite.
    public var dataFiles: [String] {
        var files = [bitcoin.priceReplay, bitcoin.feesReplay, electricity.market.replay, gpuCloud?.priceReplay].compactMap { $0?.file }
        if case .trace(let path, _)? = gpuCloud?.demand { files.append(path) }
        return files
    }

    /// FNV-1a 64 of the data the scenario replays (the replays' values and the GPU
    /// trace's jobs, as loaded): shard and training files record it, so a data file that
    /// changed between two shards, or before a merge, is caught. Empty data hashes too.
    public var dataDigest: String {
        var bytes: [UInt8] = []
        func add(_ x: UInt64) { withUnsafeBytes(of: x.littleEndian) { bytes.append(contentsOf: $0) } }
        let replays: [Replay?] = [bitcoin.priceReplay, bitcoin.feesReplay, electricity.market.replay, gpuCloud?.priceReplay]
        for replay in replays {
            add(UInt64(replay?.values.count ?? 0))
            for v in replay?.values ?? [] { add(v.bitPattern) }
        }
        if case .trace(_, let jobs)? = gpuCloud?.demand {
            add(UInt64(jobs.count))
            for job in jobs {
                bytes.append(contentsOf: Array(job.id.utf8) + [0])
                add(job.submitSeconds.bitPattern)
                add(UInt64(bitPattern: Int64(job.gpus)))
                add(job.durationSeconds.bitPattern)
            }
        }
        return RiskShardFile.digest(bytes)
    }
}
