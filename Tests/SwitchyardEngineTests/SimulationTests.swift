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

    @Test("Firing in place gives the calendar's own trace, under until, maxEvents and same-time events", arguments: [
        (Double.infinity, Int.max), (20.5, Int.max), (50, 17),
    ])
    func fireInPlaceMatchesCalendar(end: Double, maxEvents: Int) {
        func run(inPlace: Bool) -> (trace: [TraceRecord<TickEvent>], log: [String], fired: Int, reason: StopReason) {
            var sim = Simulation<TickEvent>(tracing: true)
            var model = TickingModel(inPlace: inPlace)
            sim.schedule(.tick, at: .zero)
            // Sparse events on tick instants (scheduled before the tick: they go first),
            // between ticks, and `ahead`.
            sim.schedule(.sparse(1), at: SimTime(hours: 2))
            sim.schedule(.sparse(2), at: SimTime(hours: 4.5))
            sim.schedule(.sparse(3), at: SimTime(hours: 10), ahead: true)
            sim.schedule(.sparse(4), at: SimTime(hours: 10))
            sim.schedule(.sparse(5), at: SimTime(hours: 33))
            let reason = sim.run(&model, until: end.isFinite ? SimTime(hours: end) : nil, maxEvents: maxEvents)
            return (sim.trace!, model.log, sim.eventsFired, reason)
        }
        let calendar = run(inPlace: false)
        let inPlace = run(inPlace: true)
        #expect(inPlace.trace == calendar.trace)
        #expect(inPlace.log == calendar.log)
        #expect(inPlace.fired == calendar.fired)
        #expect(inPlace.reason == calendar.reason)
        #expect(calendar.log.count >= 17)
        #expect(calendar.log.contains("sparse(101)@2.0"), "the scenario exercises reactions at a tick instant")
    }

    @Test("fireInPlace refuses outside a run, after stop(), before now and with an event due")
    func fireInPlaceRefusals() {
        var sim = Simulation<TestEvent>()
        let outside = sim.fireInPlace(.label("x"), at: SimTime(hours: 1))
        #expect(!outside, "no run in progress")
        sim.schedule(.label("a"), at: SimTime(hours: 1))
        sim.schedule(.label("due"), at: SimTime(hours: 3))
        var model = ScriptedModel()
        var answers: [Bool] = []
        model.actions["a"] = { sim in
            answers.append(sim.fireInPlace(.label("early"), at: SimTime(hours: 0.5)))  // before now
            answers.append(sim.fireInPlace(.label("tie"), at: SimTime(hours: 3)))  // "due" fires first
            answers.append(sim.fireInPlace(.label("ok"), at: SimTime(hours: 2)))
            sim.stop()
            answers.append(sim.fireInPlace(.label("stopped"), at: SimTime(hours: 2.5)))
        }
        #expect(sim.run(&model) == .stopped)
        #expect(answers == [false, false, true, false])
        #expect(sim.now == SimTime(hours: 2) && sim.eventsFired == 2)
        let after = sim.fireInPlace(.label("after"), at: SimTime(hours: 2.5))
        #expect(!after, "the run is over")
    }

    @Test("Tracing is off by default")
    func traceOffByDefault() {
        let sim = Simulation<TestEvent>()
        #expect(sim.trace == nil)
    }
}
