// SPDX-License-Identifier: GPL-3.0-or-later

import MMcQueue
import SwitchyardEngine
import Testing

struct ResourceTests {
    /// Requests `amount` MW for `name` at the current instant and logs the outcome.
    static func ask(
        _ sim: inout Simulation<TestEvent>, _ grid: CapacityID, _ name: String, _ amount: Double,
        priority: Int = 0, preemption: Preemption = .never
    ) -> RequestOutcome {
        sim.request(amount, from: grid, priority: priority, preemption: preemption, onPreempt: { .preempted(name, $0) }) {
            .granted(name, $0)
        }
    }

    @Test("FIFO: the head blocks smaller requests behind it; grants fire at release time")
    func fifoHeadOfLine() {
        var sim = Simulation<TestEvent>()
        let grid = sim.addCapacity("grid", capacity: 10)
        let big = Self.ask(&sim, grid, "big", 8)
        #expect(big.isGranted)
        let large = Self.ask(&sim, grid, "large", 5)
        let small = Self.ask(&sim, grid, "small", 1)
        #expect(!large.isGranted && !small.isGranted, "small waits behind large even though 2 MW are free")
        #expect(sim.queueLength(of: grid) == 2)
        var model = ScriptedModel()
        model.actions["free"] = { $0.release(big.ticket) }
        sim.schedule(.label("free"), at: SimTime(hours: 3))
        sim.run(&model)
        #expect(model.labels == ["free", "granted:large", "granted:small"])
        #expect(model.log.map(\.time) == [3, 3, 3])
        #expect(sim.inUse(of: grid) == 6)
        #expect(sim.holding(large.ticket)?.wait == .hours(3))
    }

    @Test("A holding grows only when the extra fits and nobody waits; preemption counts and ticket owners")
    func growHolding() {
        var sim = Simulation<TestEvent>()
        let grid = sim.addCapacity("grid", capacity: 10)
        let hall = sim.addCapacity("hall", capacity: 4)
        let a = Self.ask(&sim, grid, "a", 3, preemption: .partial)
        let grew = sim.grow(a.ticket, by: 5)
        #expect(grew)
        #expect(sim.holding(a.ticket)?.amount == 8 && sim.inUse(of: grid) == 8)
        let tooMuch = sim.grow(a.ticket, by: 2.5)
        #expect(!tooMuch, "only 2 MW are free")
        #expect(sim.holding(a.ticket)?.amount == 8 && sim.inUse(of: grid) == 8)
        let notANumber = sim.grow(a.ticket, by: .nan)
        let negative = sim.grow(a.ticket, by: -1)
        #expect(!notANumber && !negative)
        // A higher priority takes part of the partial holding: the count moves.
        #expect(sim.preemptionCount(of: grid) == 0)
        let c = Self.ask(&sim, grid, "c", 4, priority: 5)
        #expect(c.isGranted && sim.preemptionCount(of: grid) == 1)
        #expect(sim.holding(a.ticket)?.amount == 6)
        sim.release(c.ticket)
        // A waiting request blocks growth even where the extra would fit (4 MW free).
        let b = Self.ask(&sim, grid, "b", 5)
        #expect(!b.isGranted)
        let behindWaiter = sim.grow(a.ticket, by: 1)
        #expect(!behindWaiter)
        #expect(sim.holding(a.ticket)?.amount == 6)
        // A released ticket no longer grows; tickets know their resource.
        sim.release(a.ticket)
        let released = sim.grow(a.ticket, by: 1)
        #expect(!released)
        #expect(a.ticket.isFor(grid) && !a.ticket.isFor(hall))
        let d = Self.ask(&sim, hall, "d", 1)
        #expect(d.ticket.isFor(hall) && !d.ticket.isFor(grid))
    }

    @Test("First fit lets a small request overtake a blocked large one")
    func firstFitOvertakes() {
        var sim = Simulation<TestEvent>()
        let grid = sim.addCapacity("grid", capacity: 10, discipline: .firstFit)
        _ = Self.ask(&sim, grid, "big", 8)
        let large = Self.ask(&sim, grid, "large", 5)
        let small = Self.ask(&sim, grid, "small", 1)
        #expect(!large.isGranted)
        #expect(small.isGranted)
    }

    @Test("Priority queue serves higher priority first, FIFO among equals")
    func priorityOrder() {
        var sim = Simulation<TestEvent>()
        let racks = sim.addPool("racks", units: 1, discipline: .priority)
        let holder = sim.request(1, from: racks) { .granted("holder", $0) }
        for (name, priority) in [("low1", 1), ("high1", 5), ("low2", 1), ("high2", 5), ("mid", 3)] {
            sim.request(1, from: racks, priority: priority) { .granted(name, $0) }
        }
        var model = ScriptedModel()
        var pending = [holder.ticket]
        // Each grant immediately releases, so the next in line is served.
        model.actions["release"] = { sim in
            for ticket in pending { sim.release(ticket) }
            pending = []
        }
        sim.schedule(.label("release"), at: SimTime(hours: 1))
        sim.run(&model)
        // Only the first waiter is granted (capacity 1, nobody releases it).
        #expect(model.labels == ["release", "granted:high1"])
        // Withdraw the rest one by one via the queue: release high1 and see high2 next.
        guard case .granted(_, let ticket) = model.log.last!.event else { Issue.record("no grant"); return }
        sim.release(ticket)
        sim.run(&model)
        #expect(model.labels.last == "granted:high2")
    }

    @Test("Withdrawing a waiting request unblocks those behind it")
    func withdrawWaiting() {
        var sim = Simulation<TestEvent>()
        let grid = sim.addCapacity("grid", capacity: 10)
        _ = Self.ask(&sim, grid, "base", 6)
        let blocked = Self.ask(&sim, grid, "blocker", 9)
        _ = Self.ask(&sim, grid, "small", 3)
        #expect(sim.isWaiting(blocked.ticket))
        let result1 = sim.release(blocked.ticket)
        #expect(result1)
        #expect(!sim.isWaiting(blocked.ticket))
        var model = ScriptedModel()
        sim.run(&model)
        #expect(model.labels == ["granted:small"])
        #expect(sim.inUse(of: grid) == 9)
    }

    @Test("Partial release (curtailment) frees exactly the amount given back")
    func partialRelease() {
        var sim = Simulation<TestEvent>()
        let grid = sim.addCapacity("grid", capacity: 100)
        let mining = Self.ask(&sim, grid, "mining", 100)
        let result2 = sim.release(30, of: mining.ticket)
        #expect(result2)
        #expect(sim.holding(mining.ticket)?.amount == 70)
        #expect(sim.available(of: grid) == 30)
        let result3 = sim.release(500, of: mining.ticket)
        #expect(result3, "releasing more than held releases all")
        #expect(sim.holding(mining.ticket) == nil)
        let result4 = sim.release(mining.ticket)
        #expect(!result4, "ticket is no longer current")
        #expect(sim.inUse(of: grid) == 0)
    }

    @Test("A higher-priority request curtails a partially preemptible holder by the shortfall only")
    func partialPreemption() {
        var sim = Simulation<TestEvent>()
        let grid = sim.addCapacity("grid", capacity: 200)
        let mining = Self.ask(&sim, grid, "mining", 190, priority: 0, preemption: .partial)
        let ai = Self.ask(&sim, grid, "ai", 25, priority: 10)
        #expect(ai.isGranted, "AI takes what it needs at once")
        #expect(sim.holding(mining.ticket)?.amount == 175, "mining gives back only 15 MW (10 were free)")
        #expect(sim.inUse(of: grid) == 200)
        var model = ScriptedModel()
        sim.run(&model)
        #expect(model.labels == ["preempted:mining"])
        #expect(sim.statistics(of: grid).preemptions == 1)
    }

    @Test("Whole preemption releases the victim; lowest priority and latest go first")
    func wholePreemptionOrder() {
        var sim = Simulation<TestEvent>()
        let gpus = sim.addPool("gpus", units: 8)
        let old = sim.request(4, from: gpus, priority: 1, preemption: .whole, onPreempt: { .preempted("old", $0) }) {
            .granted("old", $0)
        }
        let new = sim.request(4, from: gpus, priority: 1, preemption: .whole, onPreempt: { .preempted("new", $0) }) {
            .granted("new", $0)
        }
        let urgent = sim.request(2, from: gpus, priority: 9) { .granted("urgent", $0) }
        #expect(urgent.isGranted)
        #expect(sim.holding(new.ticket) == nil, "the most recent equal-priority holder is preempted")
        #expect(sim.holding(old.ticket)?.amount == 4)
        #expect(sim.inUse(of: gpus) == 6)
        var model = ScriptedModel()
        sim.run(&model)
        #expect(model.labels == ["preempted:new"])
    }

    @Test("Preemption is all or nothing, and never takes from equal or higher priority")
    func preemptionAllOrNothing() {
        var sim = Simulation<TestEvent>()
        let grid = sim.addCapacity("grid", capacity: 10)
        let low = Self.ask(&sim, grid, "low", 3, priority: 0, preemption: .partial)
        let peer = Self.ask(&sim, grid, "peer", 7, priority: 5, preemption: .partial)
        let request = Self.ask(&sim, grid, "req", 6, priority: 5)
        #expect(!request.isGranted, "only 3 MW are preemptible below priority 5")
        #expect(sim.holding(low.ticket)?.amount == 3)
        #expect(sim.holding(peer.ticket)?.amount == 7)
    }

    @Test("Cutting capacity below use curtails preemptible holders; raising it serves the queue")
    func capacityChanges() {
        var sim = Simulation<TestEvent>()
        let hall = sim.addCapacity("hall", capacity: 50)
        let mining = Self.ask(&sim, hall, "mining", 40, preemption: .partial)
        let fixed = Self.ask(&sim, hall, "fixed", 10)
        sim.setCapacity(30, of: hall)
        #expect(sim.holding(mining.ticket)?.amount == 20)
        #expect(sim.holding(fixed.ticket)?.amount == 10)
        let waiting = Self.ask(&sim, hall, "later", 15)
        #expect(!waiting.isGranted)
        sim.setCapacity(45, of: hall)
        #expect(sim.holding(waiting.ticket)?.amount == 15)
        #expect(sim.inUse(of: hall) == 45)
    }

    @Test("Time-weighted utilisation and queue length of a scripted schedule")
    func scriptedStatistics() {
        var sim = Simulation<TestEvent>()
        let racks = sim.addPool("racks", units: 2)
        var model = ScriptedModel()
        var tickets: [String: ResourceTicket] = [:]
        model.actions["a"] = { tickets["a"] = $0.request(2, from: racks) { .granted("a", $0) }.ticket }
        model.actions["b"] = { tickets["b"] = $0.request(1, from: racks) { .granted("b", $0) }.ticket }
        model.actions["end-a"] = { $0.release(tickets["a"]!) }
        sim.schedule(.label("a"), at: SimTime(hours: 0))  // 2 units on [0, 4)
        sim.schedule(.label("b"), at: SimTime(hours: 1))  // waits on [1, 4), then 1 unit on [4, 10)
        sim.schedule(.label("end-a"), at: SimTime(hours: 4))
        sim.run(&model, until: SimTime(hours: 10))
        let stats = sim.statistics(of: racks)
        #expect(abs(stats.meanInUse - (2 * 4 + 1 * 6) / 10.0) < 1e-12)
        #expect(abs(stats.utilisation - 0.7) < 1e-12)
        #expect(abs(stats.meanQueueLength - 0.3) < 1e-12)
        #expect(stats.waits.count == 2 && stats.waits.maximum == 3)
    }

    @Test("Random workloads never exceed capacity and holdings sum to what is in use", arguments: [1, 2, 3, 4])
    func randomWorkloadInvariants(seed: UInt64) {
        var generator = Xoshiro256StarStar(seed: seed)
        var sim = Simulation<TestEvent>()
        let discipline = QueueDiscipline.allCases[Int(seed) % 3]
        let grid = sim.addCapacity("grid", capacity: 100, discipline: discipline)
        var live: [ResourceTicket] = []
        for step in 0..<3_000 {
            let roll = generator.next() % 10
            if roll < 6 || live.isEmpty {
                let amount = Double(generator.next() % 4_000) / 100 + 0.01
                let priority = Int(generator.next() % 3)
                let preemption = Preemption.allCases[Int(generator.next() % 3)]
                live.append(Self.ask(&sim, grid, "r\(step)", amount, priority: priority, preemption: preemption).ticket)
            } else if roll < 9 {
                let ticket = live.remove(at: Int(generator.next() % UInt64(live.count)))
                sim.release(ticket)
            } else {
                let ticket = live[Int(generator.next() % UInt64(live.count))]
                sim.release(Double(generator.next() % 500) / 100, of: ticket)
            }
            let held = live.compactMap { sim.holding($0)?.amount }.reduce(0, +)
            #expect(sim.inUse(of: grid) <= 100 + 1e-7)
            #expect(abs(held - sim.inUse(of: grid)) < 1e-7)
            if sim.queueLength(of: grid) == 0 { continue }
            #expect(live.contains { sim.isWaiting($0) })
        }
    }
}
