// SPDX-License-Identifier: GPL-3.0-or-later

import MMcQueue
import SwitchyardEngine
import Testing

struct SimulationTests {
    @Test("run(until:) stops before later events and leaves the clock at the end time")
    func runUntil() {
        var sim = Simulation<TestEvent>()
        sim.schedule(.label("a"), at: SimTime(hours: 1))
        sim.schedule(.label("b"), at: SimTime(hours: 3))
        sim.schedule(.label("edge"), at: SimTime(hours: 2))
        var model = ScriptedModel()
        #expect(sim.run(&model, until: SimTime(hours: 2)) == .reachedEndTime)
        #expect(model.labels == ["a", "edge"], "an event exactly at the end time fires")
        #expect(sim.now == SimTime(hours: 2))
        #expect(sim.run(&model, until: SimTime(hours: 10)) == .calendarEmpty)
        #expect(model.labels == ["a", "edge", "b"])
        #expect(sim.now == SimTime(hours: 10), "clock advances to the horizon when the calendar empties")
    }

    @Test("stop() ends the run after the current event; maxEvents bounds it")
    func stopConditions() {
        var sim = Simulation<TestEvent>()
        for hour in 1...5 { sim.schedule(.label("e\(hour)"), at: SimTime(hours: Double(hour))) }
        var model = ScriptedModel()
        model.actions["e2"] = { $0.stop() }
        #expect(sim.run(&model) == .stopped)
        #expect(model.labels == ["e1", "e2"])
        #expect(sim.run(&model, maxEvents: 2) == .eventLimit)
        #expect(model.labels == ["e1", "e2", "e3", "e4"])
        #expect(sim.run(&model) == .calendarEmpty)
        #expect(sim.eventsFired == 5)
    }

    @Test("The same seed gives an identical trace; another seed a different one")
    func sameSeedSameTrace() {
        func trace(seed: UInt64) -> [TraceRecord<MMcQueue.Event>] {
            var sim = Simulation<MMcQueue.Event>(tracing: true)
            var model = MMcQueue(
                servers: 3, arrivalRate: 2.5, serviceRate: 1, customers: 2_000, seed: seed, simulation: &sim)
            sim.run(&model)
            return sim.trace!
        }
        let first = trace(seed: 7)
        #expect(first.count > 4_000)
        #expect(first == trace(seed: 7))
        #expect(first != trace(seed: 8))
        #expect(zip(first, first.dropFirst()).allSatisfy { $0.time <= $1.time })
    }

    @Test("Tracing is off by default")
    func traceOffByDefault() {
        let sim = Simulation<TestEvent>()
        #expect(sim.trace == nil)
    }
}
