// SPDX-License-Identifier: GPL-3.0-or-later

public import Foundation
public import SwitchyardModel
public import SwitchyardRisk

/// What a training file says about itself: the scenario (as `scenario export` writes
/// it) and the plan's settings, so that the fresh-path shards and the merge plan the
/// same thing without being told again.
public struct PlanTrainingManifest: Codable, Hashable, Sendable {
    public var format = 1
    public var version: String
    public var scenarioName: String
    public var scenarioDigest: String
    public var scenarioYAML: String
    /// The folder its relative file references (replays, traces) are read from.
    public var baseDirectory: String?
    public var settings: PlanSettings
    public var command: String
    /// FNV-1a 64 of the training's JSON (set when written) and of the replayed data
    /// (``Scenario/dataDigest``).
    public var trainingDigest = ""
    public var dataDigest = ""

    /// The fields that decide what the training means, sealed into its digest.
    var seal: Data {
        var data = Data("\(version) \(scenarioDigest) \(dataDigest) \(baseDirectory ?? "-")\n".utf8)
        data.append((try? PlanTrainingFile.encoder().encode(settings)) ?? Data())
        data.append(0x0A)
        return data
    }

    /// What is wrong with the settings (nil when they are a plan's): the field, its value
    /// and the rule.
    public var settingsProblem: String? {
        let s = settings
        let rules: [(Bool, String)] = [
            (s.trainingPaths >= 2 && s.trainingPaths <= 100_000, "trainingPaths \(s.trainingPaths): from 2 to 100,000"),
            (s.evaluationPaths >= 2 && s.evaluationPaths <= 1_000_000, "evaluationPaths \(s.evaluationPaths): from 2 to 1,000,000"),
            (s.comparisonPaths >= 2 && s.comparisonPaths <= s.evaluationPaths, "comparisonPaths \(s.comparisonPaths): from 2 to evaluationPaths (\(s.evaluationPaths))"),
            (s.screeningPaths >= 2 && s.screeningPaths <= s.trainingPaths, "screeningPaths \(s.screeningPaths): from 2 to trainingPaths (\(s.trainingPaths))"),
            (s.leastSquaresPaths >= 2 && s.leastSquaresPaths <= s.trainingPaths, "leastSquaresPaths \(s.leastSquaresPaths): from 2 to trainingPaths (\(s.trainingPaths))"),
            (s.threads >= 1 && s.threads <= 4_096, "threads \(s.threads): from 1 to 4,096"),
            (s.scheduleStepMonths >= 1 && s.scheduleStepMonths <= 1_200, "scheduleStepMonths \(s.scheduleStepMonths): from 1 to 1,200"),
            (s.materiality.isFinite && s.materiality >= 0 && s.materiality < 1, "materiality \(s.materiality): from 0 up to 1"),
        ]
        if let broken = rules.first(where: { !$0.0 }) { return "the manifest's settings are not a plan's: \(broken.1)" }
        switch s.objective {
        case .meanNPV: return nil
        case .meanNPVWithCVaRLimit(let x), .riskAverse(let x), .meanNPVWithLossLimit(let x):
            return x.isFinite ? nil : "the manifest's settings are not a plan's: the objective's limit or weight \(x) is not a finite number"
        }
    }

    public init(version: String, scenarioName: String, scenarioYAML: String, baseDirectory: String?, settings: PlanSettings, command: String) {
        self.version = version
        self.scenarioName = scenarioName
        self.scenarioDigest = RiskShardManifest.digest(scenarioYAML)
        self.scenarioYAML = scenarioYAML
        self.baseDirectory = baseDirectory
        self.settings = settings
        self.command = command
    }
}

/// A training file (`plan --stage train --training-file F`): the magic line
/// `switchyard-plan-training 1`, the manifest as one JSON line, then the training
/// (``PlanTraining``) as JSON. Doubles are written in the shortest form that reads
/// back to the same bits, so the plan finished from it is the one-machine plan.
public enum PlanTrainingFile {
    static let magic = "switchyard-plan-training 1\n"

    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "+inf", negativeInfinity: "-inf", nan: "nan")
        return encoder
    }

    public static func encode(manifest: PlanTrainingManifest, training: PlanTraining) throws -> Data {
        let body = try encoder().encode(training)
        var manifest = manifest
        manifest.trainingDigest = RiskShardFile.digest(manifest.seal, body)
        var data = Data(magic.utf8)
        data.append(try encoder().encode(manifest))
        data.append(0x0A)
        data.append(body)
        data.append(0x0A)
        return data
    }

    /// The manifest and the training of a file, and the file's digest (what the shards
    /// record, to be merged only with the training they were scored for). The caller
    /// checks the training against the scenario (``Planner/problem(in:for:)``).
    public static func read(path: String) throws(RiskShardError) -> (manifest: PlanTrainingManifest, training: PlanTraining, digest: String) {
        let (data, manifest, end): (Data, PlanTrainingManifest, Int) = try RiskShardFile.header(path: path, magic: magic, kind: "plan training file")
        guard manifest.format == 1 else { throw RiskShardError("\(path): training file format \(manifest.format); this switchyard reads format 1") }
        if let problem = manifest.settingsProblem { throw RiskShardError("\(path): \(problem)") }
        var body = data[(end + 1)...]
        if body.last == 0x0A { body = body.dropLast() }
        guard RiskShardFile.digest(manifest.seal, body) == manifest.trainingDigest else {
            throw RiskShardError("\(path): the training does not match its digest (the file is damaged, cut short or edited)")
        }
        let training: PlanTraining
        do {
            training = try JSONDecoder.planDecoder().decode(PlanTraining.self, from: body)
        } catch {
            throw RiskShardError("\(path): the training is not readable (damaged or cut short): \(RiskShardFile.describe(error))")
        }
        guard manifest.scenarioDigest == RiskShardManifest.digest(manifest.scenarioYAML) else {
            throw RiskShardError("\(path): its scenario does not match its digest (the file was edited)")
        }
        return (manifest, training, digest(data))
    }

    /// FNV-1a 64 of the bytes, 16 hex digits.
    static func digest(_ data: Data) -> String { RiskShardFile.digest(data) }

    /// A training file read and its scenario loaded (its data files read again), after
    /// checking that the training fits the scenario and the data did not change since.
    public static func open(path: String) throws -> (manifest: PlanTrainingManifest, training: PlanTraining, digest: String, scenario: Scenario) {
        let (manifest, training, digest) = try read(path: path)
        let scenario = try ScenarioLoader.load(yaml: manifest.scenarioYAML, file: "\(path) (its scenario)", baseDirectory: manifest.baseDirectory)
        if let problem = Planner.problem(in: training, for: scenario) { throw RiskShardError("\(path): \(problem)") }
        guard scenario.dataDigest == manifest.dataDigest else {
            throw RiskShardError("\(path): a replay or trace file of its scenario changed since the training (re-run the training and its shards)")
        }
        return (manifest, training, digest, scenario)
    }
}

/// What a fresh-path shard of a plan says about itself.
public struct PlanShardManifest: Codable, Hashable, Sendable {
    public var format = 1
    public var version: String
    /// The training file it was scored for (as an absolute path) and its digest.
    public var trainingFile: String
    public var trainingDigest: String
    public var evaluationPaths: Int
    /// This shard, 1-based, of `shards`; its fresh paths are `first ..< first + count`.
    public var shard: Int
    public var shards: Int
    public var first: Int
    public var count: Int
    public var command: String
    /// FNV-1a 64 of the runs' bytes (set when written).
    public var runsDigest = ""

    /// The fields that decide what the runs mean, sealed into their digest.
    var seal: Data { Data("\(version) \(trainingDigest) \(evaluationPaths) \(shard)/\(shards) \(first)+\(count)\n".utf8) }

    public init(version: String, trainingFile: String, trainingDigest: String, evaluationPaths: Int, shard: Int, shards: Int, command: String) {
        self.version = version
        self.trainingFile = trainingFile
        self.trainingDigest = trainingDigest
        self.evaluationPaths = evaluationPaths
        self.shard = shard
        self.shards = shards
        let range = RiskRunner.shardRange(k: shard - 1, of: shards, paths: evaluationPaths)
        first = range.lowerBound
        count = range.count
        self.command = command
    }
}

/// A fresh-path shard of a plan: the magic line `switchyard-plan-shard 1`, the manifest
/// as one JSON line, then for each re-scored policy (in the plan's order) its number of
/// runs and each run, little-endian: NPV, start months, monthly flows, cash-out flag.
public enum PlanShardFile {
    static let magic = "switchyard-plan-shard 1\n"

    public static func encode(manifest: PlanShardManifest, runs: PlanFreshRuns) throws -> Data {
        var w = RiskShardFile.Writer(data: Data())
        writeRuns(runs.runs, into: &w)
        var manifest = manifest
        manifest.runsDigest = RiskShardFile.digest(manifest.seal, w.data)
        var data = Data(magic.utf8)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        data.append(try encoder.encode(manifest))
        data.append(0x0A)
        data.append(w.data)
        return data
    }

    /// Lists of runs: how many lists, then each list's count and runs (NPV, start months,
    /// monthly flows, cash-out flag).
    static func writeRuns(_ lists: [[PlanFreshRuns.PathRun]], into w: inout RiskShardFile.Writer) {
        w.int(lists.count)
        for list in lists {
            w.int(list.count)
            for r in list {
                w.double(r.npv)
                w.int(r.starts.count)
                for s in r.starts { w.optionalInt(s) }
                w.int(r.flows.count)
                for x in r.flows { w.double(x) }
                w.data.append(r.cashOut ? 1 : 0)
            }
        }
    }

    /// Reads what ``writeRuns(_:into:)`` wrote: at most `lists` lists of at most `runs`
    /// runs each; `name(k)` names list k in messages.
    static func readRuns(
        _ r: inout RiskShardFile.Reader, path: String, lists maxLists: Int, runs maxRuns: Int, name: (Int) -> String
    ) throws(RiskShardError) -> [[PlanFreshRuns.PathRun]] {
        func damaged(_ what: String) -> RiskShardError { RiskShardError("\(path): \(what) is cut short or damaged") }
        guard let count = r.int(), count >= 1, count <= maxLists else { throw damaged("the list of \(name(0).split(separator: " ").first ?? "runs")s") }
        var lists: [[PlanFreshRuns.PathRun]] = []
        for p in 0..<count {
            // (A run takes at least 25 bytes: a damaged count cannot ask for more.)
            guard let n = r.int(), n >= 0, n <= maxRuns, n <= (r.data.count - r.position) / 25 else { throw damaged("\(name(p))'s runs") }
            var list: [PlanFreshRuns.PathRun] = []
            list.reserveCapacity(n)
            for i in 0..<n {
                guard let npv = r.double(), let blocks = r.int(), blocks >= 0, blocks <= 1_000 else { throw damaged("\(name(p))'s run \(i + 1)") }
                var starts: [Int?] = []
                for _ in 0..<blocks {
                    guard let s = r.optionalInt() else { throw damaged("\(name(p))'s run \(i + 1)") }
                    starts.append(s)
                }
                guard let months = r.int(), months >= 0, months <= 100_000, let flows = r.doubles(months), let cashOut = r.flag() else {
                    throw damaged("\(name(p))'s run \(i + 1)")
                }
                list.append(PlanFreshRuns.PathRun(npv: npv, starts: starts, flows: flows, cashOut: cashOut))
            }
            lists.append(list)
        }
        return lists
    }

    public static func manifest(path: String) throws(RiskShardError) -> PlanShardManifest {
        try decode(path: path, runs: false).manifest
    }

    /// The manifest and the runs of a shard file.
    public static func read(path: String) throws(RiskShardError) -> (manifest: PlanShardManifest, runs: PlanFreshRuns) {
        let (manifest, runs) = try decode(path: path, runs: true)
        return (manifest, runs!)
    }

    static func decode(path: String, runs wanted: Bool) throws(RiskShardError) -> (manifest: PlanShardManifest, runs: PlanFreshRuns?) {
        let (data, manifest, end): (Data, PlanShardManifest, Int) = try RiskShardFile.header(path: path, magic: magic, kind: "plan shard")
        guard manifest.format == 1 else { throw RiskShardError("\(path): plan shard format \(manifest.format); this switchyard reads format 1") }
        guard manifest.evaluationPaths > 1, manifest.evaluationPaths <= 1_000_000, manifest.shards >= 1,
            manifest.shards <= manifest.evaluationPaths, manifest.shard >= 1, manifest.shard <= manifest.shards,
            RiskRunner.shardRange(k: manifest.shard - 1, of: manifest.shards, paths: manifest.evaluationPaths)
                == manifest.first..<(manifest.first + manifest.count)
        else {
            throw RiskShardError(
                "\(path): the manifest does not describe a shard (shard \(manifest.shard) of \(manifest.shards), paths \(manifest.first) + \(manifest.count) of \(manifest.evaluationPaths))")
        }
        guard wanted else { return (manifest, nil) }
        guard RiskShardFile.digest(manifest.seal, data[(end + 1)...]) == manifest.runsDigest else {
            throw RiskShardError("\(path): its runs do not match their digest (the file is damaged, cut short or edited)")
        }
        var r = RiskShardFile.Reader(data: data, position: end + 1)
        let runs = try readRuns(&r, path: path, lists: 6, runs: manifest.count) { "policy \($0 + 1)" }
        guard r.position == data.count else { throw RiskShardError("\(path): \(data.count - r.position) unexpected bytes after the last run") }
        return (manifest, PlanFreshRuns(first: manifest.first, runs: runs))
    }

    /// The shards of one plan, in shard order, after checking that they belong together:
    /// the same version, training (by digest), fresh paths and shard count, each shard
    /// exactly once.
    public static func check(_ shards: [(path: String, manifest: PlanShardManifest)]) throws(RiskShardError) -> [(path: String, manifest: PlanShardManifest)] {
        guard let first = shards.first else { throw RiskShardError("merge: no shard files given") }
        var problems: [String] = []
        for (path, m) in shards.dropFirst() {
            var differs: [String] = []
            if m.version != first.manifest.version { differs.append("switchyard version \(m.version), not \(first.manifest.version)") }
            if m.trainingDigest != first.manifest.trainingDigest {
                differs.append("another training (\(m.trainingFile), digest \(m.trainingDigest), not \(first.manifest.trainingFile), digest \(first.manifest.trainingDigest))")
            }
            if m.evaluationPaths != first.manifest.evaluationPaths { differs.append("\(m.evaluationPaths) fresh paths, not \(first.manifest.evaluationPaths)") }
            if m.shards != first.manifest.shards { differs.append("one of \(m.shards) shards, not \(first.manifest.shards)") }
            if !differs.isEmpty { problems.append("\(path) is not a shard of the same plan as \(first.path): \(differs.joined(separator: "; "))") }
        }
        problems += RiskShardFile.setProblems(shards.map { ($0.path, $0.manifest.shard) }, of: first.manifest.shards)
        guard problems.isEmpty else { throw RiskShardError("cannot merge:\n  " + problems.joined(separator: "\n  ")) }
        return shards.sorted { $0.manifest.shard < $1.manifest.shard }
    }

    /// What a file is, from its magic line: "risk shard", "plan shard", "plan training
    /// shard", "plan training file", or nil.
    public static func kind(path: String) -> String? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        let head = String(decoding: ((try? handle.read(upToCount: 40)) ?? Data()).prefix { $0 != 0x0A && $0 != 0x20 }, as: UTF8.self)
        return [
            "switchyard-risk-shard": "risk shard", "switchyard-plan-shard": "plan shard",
            "switchyard-plan-train-shard": "plan training shard", "switchyard-plan-training": "plan training file",
        ][head]
    }
}

extension Planner {
    /// Checks that shard runs fit the training: as many policies as it re-scores, and
    /// for each the runs of the shard's paths below the policy's count.
    public static func checkShard(_ runs: PlanFreshRuns, count: Int, training: PlanTraining, scenario: Scenario, settings: PlanSettings) -> String? {
        let policies = freshPolicies(training, settings: settings)
        guard runs.runs.count == policies.count else {
            return "it holds \(runs.runs.count) policies; the training re-scores \(policies.count)"
        }
        let blocks = scenario.conversions.count
        for (i, (list, policy)) in zip(runs.runs, policies).enumerated() {
            let expected = max(0, min(runs.first + count, policy.paths) - runs.first)
            guard list.count == expected else { return "policy \(i + 1) has \(list.count) runs, not \(expected)" }
            let months = scenario.horizonMonths
            for (k, run) in list.enumerated() {
                let at = "policy \(i + 1), run \(k + 1)"
                guard run.starts.count == blocks else { return "\(at) has \(run.starts.count) start months; the scenario has \(blocks) blocks" }
                guard run.starts.allSatisfy({ $0.map { (1...months + 1).contains($0) } ?? true }) else { return "\(at) has a start month outside 1...\(months)" }
                guard run.flows.count == months else { return "\(at) has \(run.flows.count) months of flows; the scenario has \(months)" }
                guard ([run.npv] + run.flows).allSatisfy({ $0.isFinite && abs($0) <= 1e15 }) else { return "\(at) holds a number that is not finite or is beyond 1e15" }
            }
        }
        return nil
    }
}

extension Planner {
    /// What is wrong with a training for a scenario (read from a file that may have been
    /// edited): a policy with another number of blocks, sizes or least-squares stages than
    /// the scenario has, start months outside the horizon, decision months out of order,
    /// non-finite levels or coefficients. Nil when it fits.
    public static func problem(in t: PlanTraining, for scenario: Scenario) -> String? {
        let blocks = scenario.conversions.count
        let horizon = scenario.horizonMonths
        func check(_ c: Candidate, _ name: String) -> String? {
            guard c.sizes.isEmpty || c.sizes.count == blocks, c.sizes.allSatisfy({ $0.isFinite && $0 > 0 }) else {
                return "\(name): \(c.sizes.count) block sizes for \(blocks) blocks, or a size that is not a positive number"
            }
            switch c.policy {
            case .never: return nil
            case .schedule(let months):
                guard months.count == blocks, months.allSatisfy({ $0.map { (1...horizon).contains($0) } ?? true }) else {
                    return "\(name): a schedule of \(months.count) start months for \(blocks) blocks, or a month outside 1...\(horizon)"
                }
            case .trigger(let trigger):
                guard trigger.below.isFinite, trigger.forDays.isFinite, trigger.forDays >= 0, trigger.earliestMonth >= 1,
                    trigger.latestMonth >= trigger.earliestMonth
                else { return "\(name): a trigger rule with a level, days or months out of range" }
            case .leastSquares(let rule):
                let width = regressorNames.count
                guard rule.stages.count == blocks, !rule.months.isEmpty, zip(rule.months, rule.months.dropFirst()).allSatisfy({ $0 < $1 }),
                    rule.months.allSatisfy({ (1...horizon).contains($0) }), rule.stepMonths > 0,
                    rule.stages.allSatisfy({ stage in
                        [stage.exercise, stage.continuation].allSatisfy { fits in
                            fits.count == rule.months.count && fits.allSatisfy { $0.map { $0.count == width && $0.allSatisfy(\.isFinite) } ?? true }
                        }
                    })
                else { return "\(name): a least-squares rule that does not fit the scenario (stages, decision months or coefficients)" }
            }
            return nil
        }
        let named: [(Candidate, String)] = [
            (t.never, "never"), (t.recommended, "the recommended policy"), (t.now, "convert now"), (t.bestSchedule, "the best schedule"),
            (t.bestTrigger, "the best trigger rule"), (t.leastSquares, "the least-squares policy"),
        ]
        for (c, name) in named { if let problem = check(c, name) { return problem } }
        guard case .leastSquares = t.leastSquares.policy, t.never.policy == .never else { return "the least-squares or never policy is not one" }
        guard t.winner.policy == t.recommended.policy, t.winner.sizes == t.recommended.sizes else {
            return "the recommended policy and its in-sample score disagree"
        }
        for (k, c) in t.candidates.enumerated() {
            if let problem = check(Candidate(sizes: c.sizes, policy: c.policy), "candidate \(k + 1)") { return problem }
        }
        // Scores as the reports read them: a start month per block on every path, as many
        // NPVs as paths, finite.
        let scores = [("the recommended policy's training score", t.winner)] + t.candidates.enumerated().map { ("candidate \($0 + 1)'s score", $1) }
            + t.sizeChoices.enumerated().map { ("size choice \($0 + 1)", $1.bestSchedule) }
        for (name, score) in scores {
            guard !score.npvs.isEmpty, score.npvs.count == score.startMonths.count, score.npvs.count == score.npv.count,
                score.startMonths.allSatisfy({ $0.count == blocks })
            else { return "\(name): its paths, start months or NPVs do not fit (\(score.npvs.count) NPVs, \(score.startMonths.count) paths of start months)" }
            guard score.npvs.allSatisfy({ $0.isFinite && abs($0) <= 1e15 }) else { return "\(name): an NPV is not finite or is beyond 1e15" }
        }
        return nil
    }
}

/// What a training shard says about itself: the training's manifest (scenario, settings,
/// version, command) and its place in the last round.
public struct PlanTrainShardManifest: Codable, Hashable, Sendable {
    public var format = 1
    public var training: PlanTrainingManifest
    /// This shard, 1-based, of `shards`; its share of the last round's paths.
    public var shard: Int
    public var shards: Int
    public var from: Int
    public var first: Int
    public var count: Int
    /// FNV-1a 64 of the search's state (its JSON line): the same in every shard of a
    /// training, since the search is deterministic.
    public var stateDigest: String = ""
    /// FNV-1a 64 of the runs' bytes (after the state line).
    public var runsDigest: String = ""

    /// The fields that decide what the state and runs mean, sealed into their digests.
    var seal: Data { training.seal + Data("\(shard)/\(shards) \(from) \(first)+\(count)\n".utf8) }

    public init(training: PlanTrainingManifest, shard: Int, shards: Int, slice: PlanFinalSlice) {
        self.training = training
        self.shard = shard
        self.shards = shards
        from = slice.from
        first = slice.first
        count = slice.count
    }
}

/// A training shard (`plan --stage train --shard K/N --shard-file F`): the magic line
/// `switchyard-plan-train-shard 1`, the manifest as one JSON line, the search's state
/// before its last round as one JSON line, then the runs of each finalist of the last
/// round on the shard's paths.
public enum PlanTrainShardFile {
    static let magic = "switchyard-plan-train-shard 1\n"

    public static func encode(manifest: PlanTrainShardManifest, slice: PlanFinalSlice, state: PlanSearchState) throws -> Data {
        let stateLine = try PlanTrainingFile.encoder().encode(state)
        var w = RiskShardFile.Writer(data: Data())
        PlanShardFile.writeRuns(slice.runs, into: &w)
        var manifest = manifest
        manifest.stateDigest = RiskShardFile.digest(manifest.training.seal, stateLine)
        manifest.runsDigest = RiskShardFile.digest(manifest.seal, w.data)
        var data = Data(magic.utf8)
        data.append(try PlanTrainingFile.encoder().encode(manifest))
        data.append(0x0A)
        data.append(stateLine)
        data.append(0x0A)
        data.append(w.data)
        return data
    }

    public static func manifest(path: String) throws(RiskShardError) -> PlanTrainShardManifest {
        try decode(path: path, runs: false).manifest
    }

    public static func read(path: String) throws(RiskShardError) -> (manifest: PlanTrainShardManifest, slice: PlanFinalSlice, state: PlanSearchState) {
        let (manifest, read) = try decode(path: path, runs: true)
        return (manifest, read!.slice, read!.state)
    }

    static func decode(path: String, runs wanted: Bool) throws(RiskShardError)
        -> (manifest: PlanTrainShardManifest, read: (slice: PlanFinalSlice, state: PlanSearchState)?)
    {
        let (data, manifest, end): (Data, PlanTrainShardManifest, Int) = try RiskShardFile.header(path: path, magic: magic, kind: "plan training shard")
        let s = manifest.training.settings
        guard manifest.format == 1, manifest.training.format == 1 else { throw RiskShardError("\(path): training shard format \(manifest.format); this switchyard reads format 1") }
        if let problem = manifest.training.settingsProblem { throw RiskShardError("\(path): \(problem)") }
        guard s.trainingPaths > 1, s.trainingPaths <= 100_000, manifest.shards >= 1, manifest.shards <= s.trainingPaths, manifest.shard >= 1,
            manifest.shard <= manifest.shards, manifest.from >= 0, manifest.from <= s.trainingPaths,
            RiskRunner.shardRange(k: manifest.shard - 1, of: manifest.shards, paths: s.trainingPaths - manifest.from)
                == (manifest.first - manifest.from)..<(manifest.first - manifest.from + manifest.count)
        else {
            throw RiskShardError(
                "\(path): the manifest does not describe a training shard (shard \(manifest.shard) of \(manifest.shards), paths \(manifest.first) + \(manifest.count) from \(manifest.from) of \(s.trainingPaths))")
        }
        guard manifest.training.scenarioDigest == RiskShardManifest.digest(manifest.training.scenarioYAML) else {
            throw RiskShardError("\(path): its scenario does not match its digest (the file was edited)")
        }
        guard wanted else { return (manifest, nil) }
        guard let stateEnd = data[(end + 1)...].firstIndex(of: 0x0A) else { throw RiskShardError("\(path): the search's state is cut short") }
        let stateLine = data[(end + 1)..<stateEnd]
        guard RiskShardFile.digest(manifest.training.seal, stateLine) == manifest.stateDigest else {
            throw RiskShardError("\(path): the search's state does not match its digest (damaged or edited)")
        }
        let state: PlanSearchState
        do {
            state = try JSONDecoder.planDecoder().decode(PlanSearchState.self, from: stateLine)
        } catch {
            throw RiskShardError("\(path): the search's state is not readable: \(RiskShardFile.describe(error))")
        }
        guard RiskShardFile.digest(manifest.seal, data[(stateEnd + 1)...]) == manifest.runsDigest else {
            throw RiskShardError("\(path): its runs do not match their digest (the file is damaged, cut short or edited)")
        }
        var r = RiskShardFile.Reader(data: data, position: stateEnd + 1)
        let runs = try PlanShardFile.readRuns(&r, path: path, lists: 1_000, runs: manifest.count) { "candidate \($0 + 1)" }
        guard r.position == data.count else { throw RiskShardError("\(path): \(data.count - r.position) unexpected bytes after the last run") }
        return (manifest, (PlanFinalSlice(from: manifest.from, first: manifest.first, count: manifest.count, runs: runs), state))
    }

    /// The settings that differ, "name a, not b".
    static func differences(_ a: PlanSettings, _ b: PlanSettings) -> String {
        let pairs: [(String, String, String)] = [
            ("seed", "\(a.seed)", "\(b.seed)"), ("trainingPaths", "\(a.trainingPaths)", "\(b.trainingPaths)"),
            ("evaluationPaths", "\(a.evaluationPaths)", "\(b.evaluationPaths)"), ("comparisonPaths", "\(a.comparisonPaths)", "\(b.comparisonPaths)"),
            ("screeningPaths", "\(a.screeningPaths)", "\(b.screeningPaths)"), ("leastSquaresPaths", "\(a.leastSquaresPaths)", "\(b.leastSquaresPaths)"),
            ("scheduleStepMonths", "\(a.scheduleStepMonths)", "\(b.scheduleStepMonths)"), ("objective", "\(a.objective)", "\(b.objective)"),
            ("materiality", "\(a.materiality)", "\(b.materiality)"), ("threads", "\(a.threads)", "\(b.threads)"),
        ]
        return pairs.filter { $0.1 != $0.2 }.map { "\($0.0) \($0.1), not \($0.2)" }.joined(separator: "; ")
    }

    /// The shards of one training, in shard order, after checking that they belong
    /// together: the same version, scenario, settings and shard count, each exactly once.
    public static func check(_ shards: [(path: String, manifest: PlanTrainShardManifest)]) throws(RiskShardError)
        -> [(path: String, manifest: PlanTrainShardManifest)]
    {
        guard let first = shards.first else { throw RiskShardError("merge: no shard files given") }
        var problems: [String] = []
        for (path, m) in shards.dropFirst() {
            var differs: [String] = []
            let (a, b) = (m.training, first.manifest.training)
            if a.version != b.version { differs.append("switchyard version \(a.version), not \(b.version)") }
            if a.scenarioDigest != b.scenarioDigest { differs.append("another scenario (digest \(a.scenarioDigest), not \(b.scenarioDigest))") }
            if a.dataDigest != b.dataDigest { differs.append("other replayed data (a replay or trace file changed between the shards)") }
            if a.settings != b.settings { differs.append("other plan settings (\(PlanTrainShardFile.differences(a.settings, b.settings)))") }
            if m.shards != first.manifest.shards { differs.append("one of \(m.shards) shards, not \(first.manifest.shards)") }
            if differs.isEmpty && m.stateDigest != first.manifest.stateDigest {
                differs.append("its search ended elsewhere (state digest \(m.stateDigest), not \(first.manifest.stateDigest): another build or machine arithmetic?)")
            }
            if !differs.isEmpty { problems.append("\(path) is not a shard of the same training as \(first.path): \(differs.joined(separator: "; "))") }
        }
        problems += RiskShardFile.setProblems(shards.map { ($0.path, $0.manifest.shard) }, of: first.manifest.shards)
        guard problems.isEmpty else { throw RiskShardError("cannot merge:\n  " + problems.joined(separator: "\n  ")) }
        return shards.sorted { $0.manifest.shard < $1.manifest.shard }
    }
}

extension JSONDecoder {
    /// Reads what ``PlanTrainingFile``'s encoder writes (non-finite numbers as strings).
    static func planDecoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "+inf", negativeInfinity: "-inf", nan: "nan")
        return decoder
    }
}
