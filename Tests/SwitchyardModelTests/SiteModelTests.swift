// SPDX-License-Identifier: GPL-3.0-or-later

import Foundation
import SwitchyardEngine
import SwitchyardModel
import Testing

/// A deterministic generator for building random scenarios (not for simulation draws).
struct ScenarioDice {
    var state: UInt64
    mutating func next() -> Double {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Double(state >> 11) * 0x1p-53
    }
    mutating func range(_ low: Double, _ high: Double) -> Double { low + (high - low) * next() }
}

func examplesFile(_ name: String) -> String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Examples/data/\(name)").path
}

struct SiteModelTests {
    /// A random variation of the small-miner site: interconnect headroom, fleet sizes,
    /// GPU demand, scheduler, price volatility, conversion timing.
    static func randomScenario(_ seed: UInt64) throws -> Scenario {
        var dice = ScenarioDice(state: seed)
        var s = try ScenarioLoader.builtin("small-miner-20mw")
        s.horizonMonths = 36
        s.stepHours = [6.0, 12, 24][Int(dice.range(0, 2.999))]
        s.site.interconnectMW = s.site.halls.reduce(0) { $0 + $1.powerMW } * dice.range(1, 1.3)
        s.mining[0].units = Int(Double(s.mining[0].units) * dice.range(0.3, 1))
        s.electricity.market.volatility = dice.range(0.5, 5)
        s.electricity.market.spikesPerYear = dice.range(0, 40)
        s.bitcoin.volatility = dice.range(0.2, 1)
        s.gpuCloud!.scheduler = GPUCloud.Scheduler.allCases[Int(dice.range(0, 2.999))]
        s.gpuCloud!.demand = .poisson(
            jobsPerDay: dice.range(2, 20), gpusPerJob: [8, 16, 64, 256], meanHours: dice.range(4, 48),
            sdHours: dice.range(0, 48))
        s.conversions[0].startMonth = Int(dice.range(1, 12))
        s.conversions[0].leadTimeMonths = Int(dice.range(0, 12))
        // Placement: a domain and policy, jobs no larger than the domain; a second
        // conversion in hall A half the time (the cloud then spans both halls).
        let domains: [GPUCloud.Placement.Domain] = [.cloud, .hall, .rack, .pod(racks: 2)]
        let domain = domains[Int(dice.range(0, 3.999))]
        s.gpuCloud!.placement = GPUCloud.Placement(domain: domain, policy: dice.next() < 0.5 ? .firstFit : .bestFit)
        if case .poisson(let rate, _, let mean, let sd) = s.gpuCloud!.demand {
            let sizes: [Int] =
                switch domain {
                case .rack: [8, 16, 24]
                case .pod: [8, 16, 48]
                default: [8, 16, 64, 256]
                }
            s.gpuCloud!.demand = .poisson(jobsPerDay: rate, gpusPerJob: sizes, meanHours: mean, sdHours: sd)
        }
        if dice.next() < 0.5 {
            var a = s.conversions[0]
            a.hall = "A"
            a.megawatts = 2
            a.startMonth = Int(dice.range(1, 12))
            a.target = .gpuCloud(gpus: 1_024)
            s.conversions.append(a)
        }
        return s
    }

    @Test("Power never exceeds the interconnect or a hall; racks used never exceed racks or a rack its kW; running jobs hold their GPUs and power", arguments: Array(UInt64(1)...8))
    func invariantsAtEveryEvent(seed: UInt64) throws {
        let scenario = try Self.randomScenario(seed)
        var sim = Simulation<SiteModel.Event>()
        var model = SiteModel(scenario: scenario, seed: seed, path: 0, simulation: &sim)
        let end = SimTime(hours: scenario.horizonHours)
        var violations: [String] = []
        var events = 0
        while sim.run(&model, until: end, maxEvents: 1) == .eventLimit {
            events += 1
            let grid = sim.inUse(of: model.grid)
            if grid > scenario.site.interconnectMW + 1e-6 { violations.append("t=\(sim.now): grid \(grid) MW") }
            // Each hall: the engine's holding within its capacity, and the model's own
            // accounts never above what the engine holds.
            let engine = model.hallHoldings(in: sim)
            for (name, mw) in model.hallPower() {
                let hall = scenario.site.halls[scenario.site.hallIndex(named: name)!]
                if mw > hall.powerMW + 1e-6 { violations.append("t=\(sim.now): hall \(name) \(mw) MW") }
                if (engine[name] ?? 0) > hall.powerMW + 1e-9 { violations.append("t=\(sim.now): hall \(name) holds \(engine[name]!) MW") }
                if mw > (engine[name] ?? 0) + 1e-6 { violations.append("t=\(sim.now): hall \(name) accounts \(mw) MW, holds \(engine[name] ?? 0)") }
            }
            // Racks used within racks; no rack over its kW.
            violations += model.rackViolations(in: sim).map { "t=\(sim.now): \($0)" }
            if !model.runningJobsHoldTheirResources(in: sim) { violations.append("t=\(sim.now): a job runs without its GPUs") }
            if violations.count > 5 { break }
        }
        #expect(violations.isEmpty, "\(violations)")
        #expect(events > 1_000)
        #expect(model.jobRecords.contains { $0.endHours != nil }, "some jobs ran")
    }

    @Test("Energy in the ledger equals the grid's integrated power; GPU-hours equal the jobs' GPU-hours", arguments: Array(UInt64(11)...16))
    func balances(seed: UInt64) throws {
        let scenario = try Self.randomScenario(seed)
        var sim = Simulation<SiteModel.Event>()
        var model = SiteModel(scenario: scenario, seed: seed, path: 0, simulation: &sim)
        sim.run(&model, until: SimTime(hours: scenario.horizonHours))
        let result = model.result(eventsFired: sim.eventsFired)
        let ledgerMWh = result.months.reduce(0) { $0 + $1.miningEnergyMWh + $1.gpuEnergyMWh + $1.colocationEnergyMWh }
        let gridMWh = sim.statistics(of: model.grid).meanInUse * scenario.horizonHours
        #expect(abs(ledgerMWh - gridMWh) <= 1e-9 * gridMWh, "ledger \(ledgerMWh) MWh, grid \(gridMWh) MWh")
        let ledgerGPUHours = result.months.reduce(0) { $0 + $1.gpuHoursBilled }
        let jobGPUHours = model.jobRecords.reduce(0.0) { total, job in
            guard let start = job.startHours else { return total }
            return total + Double(job.gpus) * (min(job.endHours ?? scenario.horizonHours, scenario.horizonHours) - start)
        }
        #expect(abs(ledgerGPUHours - jobGPUHours) <= 1e-9 * max(jobGPUHours, 1))
        #expect(result.months.count == scenario.horizonMonths)
    }

    /// A site whose environment is constant: no volatility, no growth, no price response.
    static func constantScenario() throws -> Scenario {
        var s = try ScenarioLoader.builtin("texas-200mw")
        s.horizonMonths = 1
        s.bitcoin.drift = 0
        s.bitcoin.volatility = 0
        s.bitcoin.feeLogVolatility = 0
        s.bitcoin.hashrateGrowthPerYear = 0
        s.bitcoin.hashrateVolatility = 0
        s.bitcoin.hashratePriceElasticity = 0
        s.bitcoin.profitability = nil  // the trend model, with no trend
        s.bitcoin.feeSpikesPerYear = 0
        s.bitcoin.initialFeesBTCPerBlock = nil
        s.bitcoin.initialBlockHeight = 2_016 * 434  // at a retarget boundary
        s.electricity.market.volatility = 0
        s.electricity.market.spikesPerYear = 0
        s.electricity.market.seasonalAmplitude = 0
        s.conversions = []
        return s
    }

    @Test("BTC mined and hashprice agree with the closed form on a constant path")
    func btcClosedForm() throws {
        let s = try Self.constantScenario()
        let result = SiteModel.run(scenario: s, seed: 1, path: 0)
        let row = result.months[0]
        // Network: H = D 2^32 / 600 exactly, so the first window's 2016 blocks take 336 h.
        // Core measures 2015 intervals, so D rises by 2016/2015; the second window then
        // takes 336 * 2016/2015 h and measures exactly on target (D stays). The rest of
        // the 730 h month runs at that rate.
        let slow = 2016.0 / 2015
        let rest = 730 - 336 - 336 * slow
        let blocks = 4_032 + rest * 6 / slow
        let siteTHs = s.mining.reduce(0.0) { $0 + Double($1.units) * $1.asic.hashrateTHs * $1.uptime }
        let share = siteTHs * 1e12 / (s.bitcoin.initialHashrateEHs * 1e18)
        let expectedBTC = share * blocks * (3.125 + s.bitcoin.feesBTCPerBlock)
        #expect(abs(row.btcMined - expectedBTC) < 1e-9 * expectedBTC, "BTC \(row.btcMined) vs \(expectedBTC)")
        #expect(abs(row.miningRevenueUSD - expectedBTC * s.bitcoin.initialPriceUSD) < 1e-6 * row.miningRevenueUSD)
        // Hashprice (time-weighted over the month): 144 blocks/day in the first window,
        // 144/slow afterwards.
        let hp144 = 144 * (3.125 + s.bitcoin.feesBTCPerBlock) * s.bitcoin.initialPriceUSD / (s.bitcoin.initialHashrateEHs * 1_000)
        let expectedHP = (336 * hp144 + (730 - 336) * hp144 / slow) / 730
        #expect(abs(row.averageHashpriceUSDPerPHDay - expectedHP) < 1e-9 * expectedHP)
        #expect(row.curtailedEnergyMWh == 0, "mining pays at 38 USD/MWh, so it is never curtailed")
    }

    @Test("Replaying the Tiresias trace with FIFO on 8 GPUs gives the hand-computed times")
    func tiresiasFIFO() throws {
        var s = try ScenarioLoader.builtin("small-miner-20mw")
        s.horizonMonths = 2
        s.conversions = []
        s.gpuCloud!.gpus = 8
        s.gpuCloud!.scheduler = .fifo
        let jobs = try JobTrace.load(path: examplesFile("tiresias-60-jobs.csv"))
        #expect(jobs.count == 60)
        s.gpuCloud!.demand = .trace(path: "tiresias", jobs: jobs)
        var sim = Simulation<SiteModel.Event>()
        var model = SiteModel(scenario: s, seed: 1, path: 0, simulation: &sim)
        sim.run(&model, until: SimTime(hours: s.horizonHours))
        let records = model.jobRecords
        // By hand (seconds): job 0 (1 GPU, 164 s) runs 0-164. Job 1 (8 GPUs, submitted at
        // 30) waits for all 8: 164-311. FIFO holds job 2 (2 GPUs, at 53) behind it: 311-438.
        // Jobs 3 (1 GPU) and 4 (4 GPUs) start with it at 311 and end at 432. Job 5
        // (8 GPUs, at 132) waits for job 2's end: 438-576.
        let expected: [(start: Double, end: Double)] = [(0, 164), (164, 311), (311, 438), (311, 432), (311, 432), (438, 576)]
        for (i, times) in expected.enumerated() {
            #expect(abs((records[i].startHours ?? -1) * 3_600 - times.start) < 1e-6, "job \(i) start")
            #expect(abs((records[i].endHours ?? -1) * 3_600 - times.end) < 1e-6, "job \(i) end")
        }
        #expect(records.allSatisfy { $0.endHours != nil }, "all 60 jobs finish")
    }

    @Test("The same seed and path give the same ledger; another seed, or another path, another")
    func determinism() throws {
        let s = try ScenarioLoader.builtin("small-miner-20mw")
        let a = SiteModel.run(scenario: s, seed: 5, path: 2)
        let b = SiteModel.run(scenario: s, seed: 5, path: 2)
        let otherPath = SiteModel.run(scenario: s, seed: 5, path: 3)
        let otherSeed = SiteModel.run(scenario: s, seed: 6, path: 2)
        #expect(a == b)
        #expect(a.npvUSD != otherPath.npvUSD)
        #expect(a.npvUSD != otherSeed.npvUSD)
    }
}

struct ConversionEdgeTests {
    @Test("A later conversion skips a fleet that an earlier one retired entirely")
    func secondConversionAfterAFleetIsGone() throws {
        var s = try ScenarioLoader.builtin("texas-200mw")
        s.horizonMonths = 30
        s.mining[0].hall = "B"  // two fleets in hall B; the first is retired whole by conversion 1
        let fleet0MW = Double(s.mining[0].units) * s.mining[0].asic.powerW * 1.08 / 1e6
        var first = s.conversions[0]
        first.megawatts = fleet0MW
        first.startMonth = 2
        var second = first
        second.megawatts = 10
        second.startMonth = 4
        s.conversions = [first, second]
        let result = SiteModel.run(scenario: s, seed: 1, path: 0)
        #expect(result.conversionStartMonths == [2, 4])
        #expect(result.months[5].averageSiteHashrateTHs > 0, "the second fleet still mines")
    }
}
