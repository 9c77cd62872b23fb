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

/// One entry of the calendar's heap. Dead entries (cancelled events) stay in the heap
/// until they reach the top or the heap is compacted; `generation` tells them apart.
@usableFromInline
struct _CalendarEntry<Event> {
    @usableFromInline var time: Double
    @usableFromInline var sequence: UInt64
    @usableFromInline var slot: UInt32
    @usableFromInline var generation: UInt32
    @usableFromInline var event: Event

    @inlinable
    init(time: Double, sequence: UInt64, slot: UInt32, generation: UInt32, event: Event) {
        self.time = time
        self.sequence = sequence
        self.slot = slot
        self.generation = generation
        self.event = event
    }

    /// Strict (time, sequence) order: earlier first, and among equal times the one
    /// scheduled first. Sequences are unique, so the order is total.
    @inlinable
    func precedes(_ other: _CalendarEntry<Event>) -> Bool {
        time < other.time || (time == other.time && sequence < other.sequence)
    }
}

/// A future-event list ordered by (time, insertion sequence).
///
/// Events scheduled for the same instant fire in the order they were scheduled, so a
/// run is a deterministic function of its inputs. Cancellation is lazy: the entry is
/// marked dead in O(1) and skipped when it surfaces; the heap is compacted when dead
/// entries outnumber live ones, so memory stays proportional to the live events.
public struct EventCalendar<Event> {
    @usableFromInline var heap: ContiguousArray<_CalendarEntry<Event>> = []
    /// Current generation of each slot. A heap entry is live iff its generation equals
    /// the slot's; firing or cancelling bumps the slot's generation.
    @usableFromInline var generations: ContiguousArray<UInt32> = []
    @usableFromInline var freeSlots: ContiguousArray<UInt32> = []
    @usableFromInline var nextSequence: UInt64 = 0
    @usableFromInline var liveCount: Int = 0
    /// Number of live (pending) events.
    @inlinable public var count: Int { liveCount }

    public init() {}

    /// True when no event is pending.
    @inlinable public var isEmpty: Bool { count == 0 }

    /// Schedules `event` at `time` (hours).
    ///
    /// - Complexity: O(log n).
    @inlinable
    @discardableResult
    public mutating func schedule(_ event: Event, at time: Double) -> EventHandle {
        precondition(!time.isNaN, "EventCalendar: cannot schedule an event at NaN")
        let slot: UInt32
        if let reused = freeSlots.popLast() {
            slot = reused
        } else {
            precondition(generations.count < Int(UInt32.max), "EventCalendar: too many pending events")
            slot = UInt32(truncatingIfNeeded: generations.count)
            generations.append(0)
        }
        let generation = generations[Int(slot)]
        let entry = _CalendarEntry(time: time, sequence: nextSequence, slot: slot, generation: generation, event: event)
        heap.append(entry)
        nextSequence &+= 1
        liveCount += 1
        siftUp(heap.count - 1, entry)
        return EventHandle(slot: slot, generation: generation)
    }

    /// True while the event behind `handle` has neither fired nor been cancelled.
    @inlinable
    public func isPending(_ handle: EventHandle) -> Bool {
        Int(handle.slot) < generations.count && generations[Int(handle.slot)] == handle.generation
    }

    /// Cancels a pending event. Returns `false` (and does nothing) if it already fired
    /// or was cancelled. A cancelled event never fires.
    ///
    /// - Complexity: O(1) amortised.
    @inlinable
    @discardableResult
    public mutating func cancel(_ handle: EventHandle) -> Bool {
        guard isPending(handle) else { return false }
        retire(slot: handle.slot)
        if heap.count > 64 && heap.count > 2 * count { compact() }
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
        dropDeadTop()
        guard !heap.isEmpty else { return nil }
        let first = removeTop()
        retire(slot: first.slot)
        return (first.time, first.sequence, first.event)
    }

    /// Removes and returns the earliest pending event if its time is at most `limit`.
    /// One pass over the top of the heap, for the simulation's run loop.
    @inlinable
    public mutating func popFirst(notAfter limit: Double) -> (time: Double, sequence: UInt64, event: Event)? {
        dropDeadTop()
        guard let top = heap.first, top.time <= limit else { return nil }
        let first = removeTop()
        retire(slot: first.slot)
        return (first.time, first.sequence, first.event)
    }

    // MARK: - Internals

    @inlinable
    mutating func retire(slot: UInt32) {
        generations[Int(slot)] &+= 1
        freeSlots.append(slot)
        liveCount -= 1
    }

    @inlinable
    func isLive(_ entry: _CalendarEntry<Event>) -> Bool {
        generations[Int(entry.slot)] == entry.generation
    }

    @inlinable
    mutating func dropDeadTop() {
        while let top = heap.first, !isLive(top) {
            _ = removeTop()
        }
    }

    @inlinable
    mutating func removeTop() -> _CalendarEntry<Event> {
        let last = heap.removeLast()
        guard !heap.isEmpty else { return last }
        let top = heap[0]
        siftDown(0, last)
        return top
    }

    /// Moves `item`, which belongs at `start`, up to its place. The item is passed by
    /// value rather than re-read from the buffer: reading back an entry just written
    /// stalls on store forwarding, which cost ~40% of this routine.
    @inlinable
    mutating func siftUp(_ start: Int, _ item: _CalendarEntry<Event>) {
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
    mutating func siftDown(_ start: Int, _ item: _CalendarEntry<Event>) {
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

    /// Drops dead entries and rebuilds the heap (Floyd's O(n) heapify).
    @usableFromInline
    mutating func compact() {
        let generations = self.generations
        heap.removeAll(where: { generations[Int($0.slot)] != $0.generation })
        var index = heap.count / 2 - 1
        while index >= 0 {
            siftDown(index, heap[index])
            index -= 1
        }
    }
}

extension _CalendarEntry: Sendable where Event: Sendable {}
extension EventCalendar: Sendable where Event: Sendable {}
