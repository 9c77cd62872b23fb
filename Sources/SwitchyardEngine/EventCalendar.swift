// SPDX-License-Identifier: GPL-3.0-or-later

/// Identifies one scheduled event so that it can be cancelled or rescheduled.
///
/// A handle stays valid until its event fires or is cancelled; after that every
/// operation on it is a no-op that reports `false`/`nil`, even if the calendar has
/// since reused the storage for another event (a generation counter tells them apart).
public struct EventHandle: Hashable, Sendable {
    @usableFromInline let slot: UInt32
    @usableFromInline let generation: UInt32

    @inlinable
    init(slot: UInt32, generation: UInt32) {
        self.slot = slot
        self.generation = generation
    }
}

/// One entry of the calendar's heap: the ordering key and the slot that holds the
/// event. Plain data, so that sifting moves 24 bytes and no reference counts.
@usableFromInline
struct _CalendarEntry: Sendable {
    @usableFromInline var time: Double
    @usableFromInline var sequence: UInt64
    @usableFromInline var slot: UInt32

    @inlinable
    init(time: Double, sequence: UInt64, slot: UInt32) {
        self.time = time
        self.sequence = sequence
        self.slot = slot
    }

    /// Strict (time, sequence) order: earlier first, and among equal times the one
    /// scheduled first. Sequences are unique, so the order is total.
    @inlinable
    func precedes(_ other: _CalendarEntry) -> Bool {
        time < other.time || (time == other.time && sequence < other.sequence)
    }
}

/// One slot of the calendar's slot table: the pending event's payload (`nil` once it
/// fired or was cancelled, so the payload's presence is the "pending" flag), the
/// generation that stale handles are checked against, and the free-list link.
@usableFromInline
struct _CalendarSlot<Event> {
    @usableFromInline var payload: Event?
    @usableFromInline var generation: UInt32
    @usableFromInline var nextFree: UInt32

    @inlinable
    init(payload: Event?, generation: UInt32, nextFree: UInt32) {
        self.payload = payload
        self.generation = generation
        self.nextFree = nextFree
    }
}

/// A future-event list ordered by (time, insertion sequence).
///
/// Events scheduled for the same instant fire in the order they were scheduled, so a
/// run is a deterministic function of its inputs.
///
/// Layout: an indirect binary heap. The heap holds only ordering keys; each event's
/// payload sits in a slot table, written once when scheduled and read once when it
/// fires. Cancellation is lazy and O(1): the slot is marked dead and its payload
/// dropped; the heap entry is discarded when it surfaces (or when dead entries
/// outnumber live ones and the heap is compacted), and only then is the slot reused.
public struct EventCalendar<Event> {
    @usableFromInline var heap: ContiguousArray<_CalendarEntry> = []
    @usableFromInline var slots: ContiguousArray<_CalendarSlot<Event>> = []
    /// Head of the free-slot list threaded through `nextFree`; `noSlot` when empty.
    @usableFromInline var firstFree: UInt32 = _noSlot
    @usableFromInline var nextSequence: UInt64 = 0
    @usableFromInline var liveCount: Int = 0

    public init() {}

    /// Number of live (pending) events.
    @inlinable public var count: Int { liveCount }

    /// True when no event is pending.
    @inlinable public var isEmpty: Bool { liveCount == 0 }

    /// Schedules `event` at `time` (hours). With `ahead`, the event fires before every
    /// event at the same time that was scheduled without it (events scheduled `ahead`
    /// keep their scheduling order among themselves): how a model makes a bookkeeping
    /// event, such as a period end, come first at its instant however late it was
    /// scheduled.
    ///
    /// - Complexity: O(log n).
    @inlinable
    @discardableResult
    public mutating func schedule(_ event: Event, at time: Double, ahead: Bool = false) -> EventHandle {
        defer { nextSequence &+= 1 }
        return insert(event, at: time, key: ahead ? nextSequence : nextSequence | _behindBit)
    }

    /// Schedules `event` at `time` with a sequence number taken earlier by
    /// ``takeSequence()``: it fires among the events at `time` as if it had been
    /// scheduled when that number was taken. This is how a copy of a run (a fork) adds
    /// an event that the run it copies would have scheduled long before, and keeps the
    /// tie order of the run that had it from the start.
    @inlinable
    @discardableResult
    public mutating func schedule(_ event: Event, at time: Double, reservedSequence: UInt64) -> EventHandle {
        precondition(reservedSequence < nextSequence, "EventCalendar: sequence \(reservedSequence) was not taken")
        return insert(event, at: time, key: reservedSequence | _behindBit)
    }

    @inlinable
    mutating func insert(_ event: Event, at time: Double, key: UInt64) -> EventHandle {
        precondition(!time.isNaN, "EventCalendar: cannot schedule an event at NaN")
        let slot: UInt32
        if firstFree != _noSlot {
            slot = firstFree
            firstFree = slots[Int(slot)].nextFree
            slots[Int(slot)].payload = event
        } else {
            precondition(slots.count < Int(_noSlot), "EventCalendar: too many pending events")
            slot = UInt32(truncatingIfNeeded: slots.count)
            slots.append(_CalendarSlot(payload: event, generation: 0, nextFree: _noSlot))
        }
        // The tie key: the scheduling sequence, with the top bit set for ordinary events.
        let entry = _CalendarEntry(time: time, sequence: key, slot: slot)
        heap.append(entry)
        liveCount += 1
        siftUp(heap.count - 1, entry)
        return EventHandle(slot: slot, generation: slots[Int(slot)].generation)
    }

    /// Takes the sequence number that scheduling an event now would take, for an
    /// event fired without passing through the calendar (``Simulation/fireInPlace(_:at:)``),
    /// so that the tie order of every later event is as if it had been scheduled.
    @inlinable
    public mutating func takeSequence() -> UInt64 {
        defer { nextSequence &+= 1 }
        return nextSequence
    }

    /// True while the event behind `handle` has neither fired nor been cancelled.
    @inlinable
    public func isPending(_ handle: EventHandle) -> Bool {
        let slot = Int(handle.slot)
        return slot < slots.count && slots[slot].generation == handle.generation && slots[slot].payload != nil
    }

    /// The payload of a pending event.
    @inlinable
    public func event(for handle: EventHandle) -> Event? {
        isPending(handle) ? slots[Int(handle.slot)].payload : nil
    }

    /// Cancels a pending event. Returns `false` (and does nothing) if it already fired
    /// or was cancelled. A cancelled event never fires.
    ///
    /// - Complexity: O(1) amortised.
    @inlinable
    @discardableResult
    public mutating func cancel(_ handle: EventHandle) -> Bool {
        guard isPending(handle) else { return false }
        slots[Int(handle.slot)].payload = nil
        liveCount -= 1
        if heap.count > 64 && heap.count > 2 * liveCount { compact() }
        return true
    }

    /// The time of the earliest pending event, or `nil` when the calendar is empty.
    @inlinable
    public mutating func nextTime() -> Double? {
        dropDeadTop()
        return heap.first?.time
    }

    /// Removes and returns the earliest pending event with its time and sequence number.
    ///
    /// - Complexity: O(log n) amortised.
    @inlinable
    public mutating func popFirst() -> (time: Double, sequence: UInt64, event: Event)? {
        popFirst(notAfter: .infinity)
    }

    /// Removes and returns the earliest pending event if its time is at most `limit`.
    /// One pass over the top of the heap, for the simulation's run loop.
    @inlinable
    public mutating func popFirst(notAfter limit: Double) -> (time: Double, sequence: UInt64, event: Event)? {
        dropDeadTop()
        guard let top = heap.first, top.time <= limit else { return nil }
        removeTop()
        let event = slots[Int(top.slot)].payload.take().unsafelyUnwrapped
        liveCount -= 1
        freeSlot(top.slot)
        return (top.time, top.sequence & ~_behindBit, event)
    }

    // MARK: - Internals

    /// Returns a slot whose heap entry has left the heap to the free list.
    @inlinable
    mutating func freeSlot(_ slot: UInt32) {
        slots[Int(slot)].generation &+= 1
        slots[Int(slot)].nextFree = firstFree
        firstFree = slot
    }

    @inlinable
    mutating func dropDeadTop() {
        while let top = heap.first, slots[Int(top.slot)].payload == nil {
            removeTop()
            freeSlot(top.slot)
        }
    }

    /// Removes the root, moving the last entry down into its place.
    @inlinable
    mutating func removeTop() {
        let last = heap.removeLast()
        if !heap.isEmpty { siftDown(0, last) }
    }

    /// Moves `item`, which belongs at `start`, up to its place.
    @inlinable
    mutating func siftUp(_ start: Int, _ item: _CalendarEntry) {
        heap.withUnsafeMutableBufferPointer { buffer in
            var index = start
            while index > 0 {
                let parent = (index - 1) >> 1
                guard item.precedes(buffer[parent]) else { break }
                buffer[index] = buffer[parent]
                index = parent
            }
            buffer[index] = item
        }
    }

    /// Moves `item`, which belongs at `start`, down to its place.
    @inlinable
    mutating func siftDown(_ start: Int, _ item: _CalendarEntry) {
        heap.withUnsafeMutableBufferPointer { buffer in
            let count = buffer.count
            var index = start
            while true {
                var child = 2 * index + 1
                if child >= count { break }
                if child + 1 < count && buffer[child + 1].precedes(buffer[child]) { child += 1 }
                guard buffer[child].precedes(item) else { break }
                buffer[index] = buffer[child]
                index = child
            }
            buffer[index] = item
        }
    }

    /// Drops dead entries, frees their slots and rebuilds the heap (Floyd's O(n) heapify).
    @usableFromInline
    mutating func compact() {
        var kept = ContiguousArray<_CalendarEntry>()
        kept.reserveCapacity(liveCount)
        for entry in heap {
            if slots[Int(entry.slot)].payload != nil { kept.append(entry) } else { freeSlot(entry.slot) }
        }
        heap = kept
        var index = heap.count / 2 - 1
        while index >= 0 {
            siftDown(index, heap[index])
            index -= 1
        }
    }
}

/// Marks the end of the free-slot list.
@usableFromInline let _noSlot = UInt32.max

extension _CalendarSlot: Sendable where Event: Sendable {}
extension EventCalendar: Sendable where Event: Sendable {}

/// Set in the tie key of events not scheduled `ahead`, so that `ahead` events sort first.
@usableFromInline let _behindBit: UInt64 = 1 << 63
