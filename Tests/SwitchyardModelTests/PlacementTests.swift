// SPDX-License-Identifier: GPL-3.0-or-later

import Foundation
import SwitchyardEngine
import Testing

@testable import SwitchyardModel

/// Halls and racks as engine resources, placement of training jobs on racks, and a GPU
/// cloud that spans halls.
struct PlacementTests {
    /// The small miner with a cloud of `gpus` H100s (8 a server) in hall B, no
    /// conversion, one month, and these jobs.
    static func cloud(gpus: Int, placement: GPUCloud.Placement, scheduler: GPUCloud.Scheduler = .fifo, jobs: [TraceJob]) throws -> Scenario {
        var s = try ScenarioLoader.builtin("small-miner-20mw")
        s.horizonMonths = 1
        s.conversions = []
        s.gpuCloud!.gpus = gpus
        s.gpuCloud!.scheduler = scheduler
        s.gpuCloud!.placement = placement
        s.gpuCloud!.demand = .trace(path: "test", jobs: jobs)
        #expect(ScenarioValidator.validate(s, file: "test").isEmpty, "\(ScenarioValidator.validate(s, file: "test"))")
        return s
    }

    static func run(_ s: Scenario) -> (records: [SiteModel.JobRecord], result: PathResult, model: SiteModel) {
        var sim = Simulation<SiteModel.Event>()
        var model = SiteModel(scenario: s, seed: 1, path: 0, simulation: &sim)
        sim.run(&model, until: SimTime(hours: s.horizonHours))
        return (model.jobRecords, model.result(eventsFired: sim.eventsFired), model)
    }

    /// 128 GPUs: 4 racks of 4 servers (32 GPUs), 2 racks a pod. Eight 16-GPU jobs at
    /// t = 0 fill the cloud (first fit: jobs 0-3 in pod 0, jobs 4-7 in pod 1); the
    /// 1-hour jobs 0, 2, 4, 6 leave 32 GPUs free in each pod at t = 1 h; a 64-GPU job
    /// comes at t = 2 h.
    static let scattered: [TraceJob] =
        [1.0, 3, 1, 3, 1, 5, 1, 5].enumerated().map { TraceJob(id: "\($0)", submitSeconds: 0, gpus: 16, durationSeconds: $1 * 3_600) }
        + [TraceJob(id: "8", submitSeconds: 2 * 3_600, gpus: 64, durationSeconds: 3_600)]

    @Test("64 GPUs free but scattered over two pods: the 64-GPU job waits under pod placement, starts at once unconstrained; fragmentation reported")
    func scatteredGPUs() throws {
        let pods = Self.run(try Self.cloud(gpus: 128, placement: .init(domain: .pod(racks: 2), serversPerRack: 4), jobs: Self.scattered))
        let free = Self.run(try Self.cloud(gpus: 128, placement: .init(domain: .cloud, serversPerRack: 4), jobs: Self.scattered))
        // By hand: unconstrained, 64 GPUs are free at 2 h, so job 8 runs 2-3 h. In pods,
        // each pod has 32 free until jobs 1 and 3 end at 3 h and free pod 0: it runs 3-4 h.
        #expect(free.records[8].startHours == 2 && free.records[8].endHours == 3)
        #expect(pods.records[8].startHours == 3 && pods.records[8].endHours == 4)
        for i in 0..<8 { #expect(pods.records[i] == free.records[i], "job \(i)") }
        // From 2 h to 3 h, 64 GPUs were free that the waiting job could not use.
        #expect(pods.result.months[0].fragmentedGPUHours == 64)
        #expect(free.result.months[0].fragmentedGPUHours == 0)
        // Where the jobs went: pod 0 is racks 0 and 1.
        let racks = pods.model.gpuRacks
        #expect(racks.racks.count == 4 && racks.racks.map(\.domain) == [0, 0, 1, 1])
        #expect(racks.racks.allSatisfy { $0.gpus == 32 && $0.servers == 4 && $0.free == 32 })
    }

    @Test("Best fit keeps a whole pod for a big job that first fit splits")
    func bestFitAgainstFirstFit() throws {
        // 128 GPUs in two pods of 64. At t = 0: job 0 (16) and job 1 (48) fill pod 0,
        // job 2 (40) goes to pod 1 (24 left). Job 1 ends at 1 h: pod 0 has 48 free.
        // At 2 h a 24-GPU job: first fit puts it in pod 0 (24 left in each pod), best
        // fit in pod 1 (the fullest pod it fits). Then a 48-GPU job: under best fit
        // pod 0 has 48 and it starts at once; under first fit no pod has 48 though 48
        // are free, and it waits until job 2 ends and frees pod 1 at 10 h.
        let jobs = [
            TraceJob(id: "0", submitSeconds: 0, gpus: 16, durationSeconds: 10 * 3_600),
            TraceJob(id: "1", submitSeconds: 0, gpus: 48, durationSeconds: 3_600),  // pod 0 full
            TraceJob(id: "2", submitSeconds: 0, gpus: 40, durationSeconds: 10 * 3_600),  // pod 1
            TraceJob(id: "3", submitSeconds: 2 * 3_600, gpus: 24, durationSeconds: 10 * 3_600),
            TraceJob(id: "4", submitSeconds: 2 * 3_600, gpus: 48, durationSeconds: 3_600),
        ]
        let first = Self.run(try Self.cloud(gpus: 128, placement: .init(domain: .pod(racks: 2), policy: .firstFit, serversPerRack: 4), jobs: jobs))
        let best = Self.run(try Self.cloud(gpus: 128, placement: .init(domain: .pod(racks: 2), policy: .bestFit, serversPerRack: 4), jobs: jobs))
        #expect(first.records[3].startHours == 2 && best.records[3].startHours == 2)
        #expect(best.records[4].startHours == 2)
        #expect(first.records[4].startHours == 10)
        #expect(first.result.months[0].fragmentedGPUHours == 48 * 8, "48 GPUs free (24 + 24) from 2 h to 10 h")
        #expect(best.result.months[0].fragmentedGPUHours == 0)
    }

    @Test("Tiresias FIFO on 8 GPUs with whole 8-GPU servers (4 a rack): each job takes the server, hand-computed times")
    func tiresiasWholeServers() throws {
        let jobs = try JobTrace.load(path: examplesFile("tiresias-60-jobs.csv"))
        var s = try Self.cloud(gpus: 8, placement: .init(domain: .rack, serversPerRack: 4, wholeServers: true), jobs: jobs)
        s.horizonMonths = 2
        let records = Self.run(s).records
        // By hand (seconds): one server, so one job at a time in submission order.
        // Job 0 (164 s) 0-164; job 1 (147 s, at 30) 164-311; job 2 (127 s) 311-438;
        // job 3 (121 s) 438-559 (it ran beside job 2 with GPUs shared); job 4 (121 s)
        // 559-680; job 5 (138 s) 680-818.
        let expected: [(start: Double, end: Double)] = [(0, 164), (164, 311), (311, 438), (438, 559), (559, 680), (680, 818)]
        for (i, times) in expected.enumerated() {
            #expect(abs((records[i].startHours ?? -1) * 3_600 - times.start) < 1e-6, "job \(i) start")
            #expect(abs((records[i].endHours ?? -1) * 3_600 - times.end) < 1e-6, "job \(i) end")
        }
        // Strictly one at a time: each job starts when the one before ends, or at its submission.
        for i in 1..<records.count {
            let start = try #require(records[i].startHours)
            #expect(abs(start - max(records[i - 1].endHours ?? .infinity, records[i].submitHours)) < 1e-9, "job \(i)")
        }
    }

    @Test(
        "One big domain (the hall) in the placement queue gives the engine pool's times for every job",
        arguments: [(GPUCloud.Scheduler.fifo, 8), (.fifo, 16), (.backfill, 8), (.backfill, 12), (.priority, 8), (.priority, 16)])
    func placementQueueMatchesPool(scheduler: GPUCloud.Scheduler, gpus: Int) throws {
        let jobs = try JobTrace.load(path: examplesFile("tiresias-60-jobs.csv"))
        var pool = try Self.cloud(gpus: gpus, placement: .init(domain: .cloud), scheduler: scheduler, jobs: jobs)
        var hall = try Self.cloud(gpus: gpus, placement: .init(domain: .hall), scheduler: scheduler, jobs: jobs)
        pool.horizonMonths = 2
        hall.horizonMonths = 2
        let a = Self.run(pool).records
        let b = Self.run(hall).records
        #expect(a.count == 60 && b.count == 60)
        for i in a.indices { #expect(a[i] == b[i], "job \(i): \(a[i]) vs \(b[i])") }
        // And the queue did form (the check is not vacuous).
        #expect(a.contains { ($0.startHours ?? 0) > $0.submitHours })
    }

    /// The small miner with a second GPU conversion in hall A (air racks of 35 kW:
    /// 3 servers a rack), its cloud spanning both halls.
    static func twoHallCloud() throws -> Scenario {
        var s = try ScenarioLoader.builtin("small-miner-20mw")
        s.horizonMonths = 24
        var a = s.conversions[0]
        a.hall = "A"
        a.megawatts = 2
        a.startMonth = 2
        a.leadTimeMonths = 3
        a.target = .gpuCloud(gpus: 1_024)
        s.conversions[0].startMonth = 4
        s.conversions[0].leadTimeMonths = 6
        s.conversions.append(a)
        s.gpuCloud!.demand = .poisson(jobsPerDay: 30, gpusPerJob: [8, 16, 64, 256], meanHours: 48, sdHours: 24)
        return s
    }

    @Test("A GPU cloud spans halls: a conversion in hall A adds GPUs there, and jobs draw power in the hall their GPUs are in")
    func cloudSpansHalls() throws {
        let s = try Self.twoHallCloud()
        #expect(ScenarioValidator.validate(s, file: "test").isEmpty, "\(ScenarioValidator.validate(s, file: "test"))")
        var sim = Simulation<SiteModel.Event>()
        var model = SiteModel(scenario: s, seed: 3, path: 0, simulation: &sim)
        var sawHallA = false
        var violations: [String] = []
        while sim.run(&model, until: SimTime(hours: s.horizonHours), maxEvents: 1) == .eventLimit {
            if model.gpuPowerByHall[0] > 0 { sawHallA = true }
            let engine = model.hallHoldings(in: sim)
            for (name, mw) in model.hallPower() where mw > (engine[name] ?? 0) + 1e-6 {
                violations.append("t=\(sim.now) hall \(name): model \(mw) MW, engine \(engine[name] ?? 0) MW")
            }
            violations += model.rackViolations(in: sim)
            if violations.count > 5 { break }
        }
        #expect(violations.isEmpty, "\(violations)")
        #expect(sawHallA, "jobs ran on hall A's GPUs")
        let racks = model.gpuRacks
        #expect(racks.installed == 1_024 + 2_048 + 1_024)
        // Hall A's GPUs: one group at its conversion's PUE; 35 kW air racks hold 3 servers.
        #expect(racks.groups.filter { $0.hall == 0 }.map(\.gpus) == [1_024] && racks.groups.first { $0.hall == 0 }?.pue == 1.2)
        #expect(racks.racksNeeded(gpus: 1_024, kind: RackKind(cooling: .air, kWPerRack: 35)) == 43)
        // The conversion's racks: its pool holds them all; hall A gave up as many positions.
        #expect(sim.units(of: model.conversionRacks[1]) == 43 && sim.inUse(of: model.conversionRacks[1]) == 43)
        #expect(sim.units(of: model.hallRacks[0]) == 400 - 43)
    }

    @Test("A hall short of power: GPU jobs get theirs and the hall's mining is curtailed, not the other hall's")
    func shortHallCurtailsItsMining() throws {
        var s = try ScenarioLoader.builtin("small-miner-20mw")
        s.horizonMonths = 3
        s.conversions = []
        s.bitcoin.volatility = 0.01
        s.electricity.market.volatility = 0.01
        s.electricity.market.spikesPerYear = 0
        s.electricity.market.basePriceUSDPerMWh = 5  // every fleet mines
        // Hall B: 1,100 miners (4.05 MW) and 1,024 GPUs (1.57 MW) under 4.5 MW.
        s.site.halls[1].powerMW = 4.5
        s.gpuCloud!.demand = .poisson(jobsPerDay: 40, gpusPerJob: [64, 128], meanHours: 48, sdHours: 0)
        var sim = Simulation<SiteModel.Event>()
        var model = SiteModel(scenario: s, seed: 2, path: 0, simulation: &sim)
        var curtailedB = false
        var wrong: [String] = []
        while sim.run(&model, until: SimTime(hours: s.horizonHours), maxEvents: 1) == .eventLimit {
            let inB = sim.inUse(of: model.hallCapacity[1])
            if inB > 4.5 + 1e-9 { wrong.append("t=\(sim.now): hall B holds \(inB) MW") }
            if model.hallMiningHeldMW[1] < model.hallMiningWantedMW[1] - 1e-9 { curtailedB = true }
            // Hall A's mining holds all it wants (its hall and the grid have room).
            if model.hallMiningWantedMW[0] > 0 && model.hallMiningHeldMW[0] < model.hallMiningWantedMW[0] - 1e-9 {
                wrong.append("t=\(sim.now): hall A's mining cut to \(model.hallMiningHeldMW[0]) MW")
            }
            if !model.runningJobsHoldTheirResources(in: sim) { wrong.append("t=\(sim.now): a job without its power") }
            // Nobody waits for power: AI takes it from mining at once.
            if sim.queueLength(of: model.hallCapacity[1]) > 0 || sim.queueLength(of: model.grid) > 0 {
                wrong.append("t=\(sim.now): a request waits for power")
            }
            if wrong.count > 5 { break }
        }
        #expect(wrong.isEmpty, "\(wrong)")
        #expect(curtailedB, "hall B's mining gave way to the GPUs")
        #expect(model.jobRecords.contains { $0.endHours != nil })
    }

    // MARK: Loading: the hostile review's cases

    static func exampleText() throws -> String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return try String(contentsOf: root.appendingPathComponent("Examples/two-hall-gpu-cloud/two-hall-gpu-cloud.yaml"), encoding: .utf8)
    }

    static func load(_ text: String) -> (Scenario?, String) {
        do {
            return (try ScenarioLoader.load(yaml: text, file: "two-hall.yaml", baseDirectory: nil), "")
        } catch {
            return (nil, error.description)
        }
    }

    static func edited(_ pairs: [(String, String)]) throws -> String {
        var text = try exampleText()
        for (old, new) in pairs {
            #expect(text.contains(old), "\(old)")
            text = text.replacingOccurrences(of: old, with: new)
        }
        return text
    }

    @Test("The example loads; a block's GPUs beyond 1e8 are refused, not an overflow")
    func blockGPUsBounded() throws {
        #expect(Self.load(try Self.exampleText()).0 != nil)
        let huge = Self.load(try Self.edited([("gpus: 2048             # 3.13 MW in hall A, priced at 30k each on completion", "gpus: 9223372036854775807")]))
        #expect(huge.1.contains("conversions[1].target.gpuCloud.gpus") && huge.1.contains("must be between 1.0 and 100000000.0"), "\(huge.1)")
    }

    @Test("Placement domains are checked at the sizes simulate uses, not only the largest")
    func placementAtTheFirstSize() throws {
        // Block 1 converts 0.5 MW (256 GPUs) at its first size, 4 MW (2,048) at its
        // largest; block 2 brings 512. Pods of 20 racks: the largest pod holds 1,024 at
        // the first sizes (hall B's first GPUs), 1,920 at the largest. A 1,100-GPU job.
        let text = try Self.edited([
            ("    megawatts: 4\n    startMonth: 7", "    megawatts: [0.5, 4]\n    startMonth: 7"),
            ("        gpus: 2048             # 2,048 x 1.275 kW", "        gpus: 256             # 2,048 x 1.275 kW"),
            ("gpus: 2048             # 3.13 MW in hall A, priced at 30k each on completion", "gpus: 512"),
            ("podRacks: 4", "podRacks: 20"),
            ("gpusPerJob: [32, 64, 128, 256]", "gpusPerJob: [32, 1100]"),
        ])
        let (s, message) = Self.load(text)
        #expect(s == nil)
        #expect(message.contains("gpuCloud.placement.domain = pod") && message.contains("a job needs 1100 GPUs but the largest pod will hold 1024 at the sizes simulate and risk use"), "\(message)")
    }

    @Test("A later block's racks must fit the fewest positions an earlier block's sizes leave")
    func positionsAfterEverySize() throws {
        // Hall A: 364 positions, 360 shelves of S21s. Block 2 (hall A) may be 1 or 4 MW:
        // at 1 MW it frees 26 positions and takes 6, leaving 24 (at 4 MW, 86). Block 3
        // (hall A, 4 MW) frees 104 and needs 150 racks of 11 kW (one server each).
        let third = [
            "  - hall: A", "    megawatts: 4", "    startMonth: 30", "    leadTimeMonths: 6", "    capexUSDPerMW: 6000000",
            "    newPUE: 1.2", "    racks: {cooling: air, kWPerRack: 11}", "    target:", "      gpuCloud:", "        gpus: 1200", "",
            "opex:", "",
        ].joined(separator: "\n")
        let text = try Self.edited([
            ("      racks: 400\n", "      racks: 364\n"),
            ("    megawatts: 4               # GPU racks; the other", "    megawatts: [4, 1]          # GPU racks; the other"),
            ("\nopex:\n", "\n" + third),
        ])
        let (s, message) = Self.load(text)
        #expect(s == nil)
        #expect(message.contains("conversions[2].racks.kWPerRack = 11.0") && message.contains("needs 150 racks of 11.0 kW") && message.contains("only 128 rack positions"), "\(message)")
    }

    @Test("A cloud with no first GPUs needs no rack of its hall's kind; whole numbers written as 4.0 load")
    func emptyCloudHall() throws {
        let text = try Self.edited([
            ("  hall: B\n  gpu: H100 SXM", "  hall: A\n  gpu: H100 SXM"),
            ("gpus: 1024                   # 1,024 x", "gpus: 0                   # 1,024 x"),
            ("      racks: 400\n      kWPerRack: 35", "      racks: 2000\n      kWPerRack: 9"),
            ("podRacks: 4", "podRacks: 4.0"),
        ])
        let (s, message) = Self.load(text)
        #expect(s != nil, "\(message)")
        if case .pod(let n) = s?.gpuCloud?.placement.domain { #expect(n == 4) } else { Issue.record("not a pod") }
    }

    @Test("A trace job of more than 1e8 GPUs is refused with its line")
    func traceJobBounded() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("huge-\(UUID().uuidString).csv")
        try "job_id,num_gpu,submit_time,duration\n0,8,0,100\n1,9223372036854775807,10,100\n".write(to: file, atomically: true, encoding: .utf8)
        #expect(throws: (any Error).self) { try JobTrace.load(path: file.path) }
        do {
            _ = try JobTrace.load(path: file.path)
        } catch {
            #expect("\(error)".contains("line 3") && "\(error)".contains("num_gpu 1-100,000,000"), "\(error)")
        }
    }
}

