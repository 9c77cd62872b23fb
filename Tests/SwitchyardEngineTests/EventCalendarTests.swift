// SPDX-License-Identifier: GPL-3.0-or-later

import MMcQueue
@testable import SwitchyardEngine
import Testing

struct EventCalendarTests {
    @Test("Simultaneous events fire in scheduling order")
    func simultaneousEventsFireInSchedulingOrder() {
        var sim = Simulation<TestEvent>()
        for name in ["a", "b", "c", "d", "e"] { sim.schedule(.label(name), at: SimTime(hours: 5)) }
        sim.schedule(.label("early"), at: SimTime(hours: 1))
        var model = ScriptedModel()
        // An event scheduled *during* t=5 for t=5 fires after those already scheduled.
        model.actions["b"] = { $0.schedule(.label("b-child"), after: .zero) }
        sim.run(&model)
        #expect(model.labels == ["early", "a", "b", "c", "d", "e", "b-child"])
    }

    @Test("Events scheduled ahead fire first at their time, in their own scheduling order; sequences stay plain")
    func aheadEventsFireFirst() {
        var sim = Simulation<TestEvent>(tracing: true)
        sim.schedule(.label("a"), at: SimTime(hours: 5))
        sim.schedule(.label("b"), at: SimTime(hours: 5))
        sim.schedule(.label("late-ahead-1"), at: SimTime(hours: 5), ahead: true)
        sim.schedule(.label("late-ahead-2"), at: SimTime(hours: 5), ahead: true)
        sim.schedule(.label("earlier"), at: SimTime(hours: 4))
        sim.schedule(.label("later-ahead"), at: SimTime(hours: 6), ahead: true)
        var model = ScriptedModel()
        sim.run(&model)
        #expect(model.labels == ["earlier", "late-ahead-1", "late-ahead-2", "a", "b", "later-ahead"])
        // Reported sequences are the scheduling order, whatever the tie class.
        #expect(sim.trace?.map(\.sequence) == [4, 2, 3, 0, 1, 5])
    }

    @Test("Events come out in (time, sequence) order for random schedules", arguments: [1, 2, 3])
    func randomScheduleMatchesSortedReference(seed: UInt64) {
        var generator = Xoshiro256StarStar(seed: seed)
        var calendar = EventCalendar<Int>()
        var reference: [(time: Double, id: Int)] = []
        var handles: [EventHandle] = []
        for id in 0..<5_000 {
            // Coarse times so that many ties occur.
            let time = Double(generator.next() % 200)
            handles.append(calendar.schedule(id, at: time))
            reference.append((time, id))
        }
        // Cancel every third event.
        var cancelled = Set<Int>()
        for id in stride(from: 0, to: 5_000, by: 3) {
            let result1 = calendar.cancel(handles[id])
            #expect(result1)
            cancelled.insert(id)
        }
        let expected = reference.filter { !cancelled.contains($0.id) }
            .sorted { ($0.time, $0.id) < ($1.time, $1.id) }.map(\.id)
        #expect(calendar.count == expected.count)
        var fired: [Int] = []
        var lastTime = -Double.infinity
        while let (time, _, id) = calendar.popFirst() {
            #expect(time >= lastTime, "time ran backwards")
            lastTime = time
            fired.append(id)
        }
        #expect(fired == expected)
        #expect(calendar.isEmpty)
    }

    @Test("A cancelled event never fires; cancel after firing reports false")
    func cancelSemantics() {
        var sim = Simulation<TestEvent>()
        let doomed = sim.schedule(.label("doomed"), at: SimTime(hours: 2))
        let kept = sim.schedule(.label("kept"), at: SimTime(hours: 1))
        #expect(sim.isPending(doomed))
        let result2 = sim.cancel(doomed)
        #expect(result2)
        #expect(!sim.isPending(doomed))
        let result3 = sim.cancel(doomed)
        #expect(!result3, "second cancel is a no-op")
        var model = ScriptedModel()
        sim.run(&model)
        #expect(model.labels == ["kept"])
        let result4 = sim.cancel(kept)
        #expect(!result4, "cannot cancel an event that fired")
        #expect(sim.pendingEvents == 0)
    }

    @Test("A stale handle does not cancel the event that reuses its storage")
    func staleHandleDoesNotTouchReusedSlot() {
        var calendar = EventCalendar<String>()
        let first = calendar.schedule("first", at: 1)
        let result5 = calendar.cancel(first)
        #expect(result5)
        let second = calendar.schedule("second", at: 2)  // reuses the freed slot
        let result6 = calendar.cancel(first)
        #expect(!result6)
        #expect(calendar.isPending(second))
        #expect(calendar.popFirst()?.event == "second")
    }

    @Test("Reschedule moves a pending event and invalidates the old handle")
    func rescheduleMovesEvent() {
        var sim = Simulation<TestEvent>()
        let handle = sim.schedule(.label("moved"), at: SimTime(hours: 10))
        sim.schedule(.label("fixed"), at: SimTime(hours: 5))
        let newHandle = sim.reschedule(handle, to: SimTime(hours: 1))
        #expect(newHandle != nil)
        #expect(!sim.isPending(handle))
        #expect(sim.reschedule(handle, to: SimTime(hours: 2)) == nil, "stale handle")
        var model = ScriptedModel()
        sim.run(&model)
        #expect(model.log.map(\.time) == [1, 5])
        #expect(model.labels == ["moved", "fixed"])
        #expect(sim.reschedule(newHandle!, to: SimTime(hours: 20)) == nil, "already fired")
    }

    @Test("Mass cancellation compacts the heap without disturbing order")
    func compactionKeepsOrder() {
        var calendar = EventCalendar<Int>()
        let handles = (0..<1_000).map { calendar.schedule($0, at: Double(1_000 - $0)) }
        for handle in handles.dropLast(10) { calendar.cancel(handle) }
        #expect(calendar.count == 10)
        #expect(calendar.heap.count < 100, "dead entries were compacted away")
        var fired: [Int] = []
        while let entry = calendar.popFirst() { fired.append(entry.event) }
        #expect(fired == Array((990..<1_000).reversed()))
    }

    @Test("Scheduling in the past is a programming error")
    func schedulingInThePastTraps() async {
        await #expect(processExitsWith: .failure) {
            var sim = Simulation<TestEvent>()
            var model = ScriptedModel()
            sim.schedule(.label("x"), at: SimTime(hours: 5))
            sim.run(&model)
            sim.schedule(.label("past"), at: SimTime(hours: 1))
        }
    }
}
