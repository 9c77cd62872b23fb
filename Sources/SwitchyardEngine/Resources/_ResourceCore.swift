// SPDX-License-Identifier: GPL-3.0-or-later

/// One request record of a resource; a slot in `_ResourceCore.requests`. Plain data:
/// the events to deliver live in side tables so that reading a record costs no
/// reference counting.
@usableFromInline
struct _Request {
    @usableFromInline enum State { case free, waiting, holding }

    @usableFromInline var state: State = .free
    @usableFromInline var generation: UInt32 = 0
    @usableFromInline var amount: Double = 0
    @usableFromInline var priority: Int = 0
    @usableFromInline var sequence: UInt64 = 0
    @usableFromInline var requestTime: Double = 0
    @usableFromInline var grantTime: Double = 0
    @usableFromInline var partial: Bool = false
    @usableFromInline var preemptible: Bool = false

    @inlinable init() {}
}

/// The queueing logic shared by continuous capacities and unit pools: amounts are
/// `Double` (unit counts are exact integers in a `Double`).
@usableFromInline
struct _ResourceCore<Event> {
    @usableFromInline let name: String
    @usableFromInline let index: UInt32
    @usableFromInline var capacity: Double
    @usableFromInline var inUse: Double = 0
    @usableFromInline let discipline: QueueDiscipline
    /// Slack allowed when comparing amounts: relative for capacities (floating-point
    /// sums of megawatts drift by ulps), zero for unit pools.
    @usableFromInline let tolerance: Double
    @usableFromInline var requests: ContiguousArray<_Request> = []
    /// The event to schedule when a waiting request is granted, by slot.
    @usableFromInline var grantEvents: ContiguousArray<Event?> = []
    /// The event to schedule when a holding is preempted, by slot.
    @usableFromInline var preemptEvents: ContiguousArray<Event?> = []
    @usableFromInline var freeSlots: ContiguousArray<UInt32> = []
    /// Waiting requests' slots, in service order.
    @usableFromInline var waiting = _WaitQueue()
    @usableFromInline var nextSequence: UInt64 = 0
    @usableFromInline var busy: TimeWeightedStatistic
    @usableFromInline var capacityHistory: TimeWeightedStatistic
    @usableFromInline var queue: TimeWeightedStatistic
    @usableFromInline var waits = Tally()
    @usableFromInline var preemptions = 0
    /// Holders that allow preemption; the victim search runs only when there are some.
    @usableFromInline var preemptibleHolding = 0

    @usableFromInline
    init(name: String, index: UInt32, capacity: Double, discipline: QueueDiscipline, discrete: Bool, at time: Double) {
        self.name = name
        self.index = index
        self.capacity = capacity
        self.discipline = discipline
        self.tolerance = discrete ? 0 : 1e-9 * max(1, capacity)
        busy = TimeWeightedStatistic(value: 0, at: time)
        capacityHistory = TimeWeightedStatistic(value: capacity, at: time)
        queue = TimeWeightedStatistic(value: 0, at: time)
    }

    @inlinable var available: Double { max(0, capacity - inUse) }

    @inlinable
    func fits(_ amount: Double) -> Bool { inUse + amount <= capacity + tolerance }

    @inlinable
    func ticket(_ slot: UInt32) -> ResourceTicket {
        ResourceTicket(resource: index, slot: slot, generation: requests[Int(slot)].generation)
    }

    @inlinable
    func isCurrent(_ ticket: ResourceTicket) -> Bool {
        Int(ticket.slot) < requests.count && requests[Int(ticket.slot)].generation == ticket.generation
            && requests[Int(ticket.slot)].state != .free
    }

    // MARK: Request

    /// Enqueues a request and serves the queue. Returns the ticket and whether this
    /// request was granted immediately (in which case its `onGrant` is not scheduled).
    @inlinable
    mutating func request(
        _ amount: Double, priority: Int, preemption: Preemption,
        onPreempt: (ResourceTicket) -> Event?, onGrant: (ResourceTicket) -> Event,
        now: Double, calendar: inout EventCalendar<Event>
    ) -> RequestOutcome {
        precondition(amount.isFinite && amount > 0, "\(name): request amount must be finite and > 0, got \(amount)")
        let slot: UInt32
        if let reused = freeSlots.popLast() {
            slot = reused
        } else {
            slot = UInt32(truncatingIfNeeded: requests.count)
            requests.append(_Request())
            grantEvents.append(nil)
            preemptEvents.append(nil)
        }
        requests.withUnsafeMutableBufferPointer { buffer in
            let i = Int(slot)
            buffer[i].state = .waiting
            buffer[i].amount = amount
            buffer[i].priority = priority
            buffer[i].sequence = nextSequence
            buffer[i].requestTime = now
            buffer[i].partial = preemption == .partial
            buffer[i].preemptible = preemption != .never
        }
        nextSequence &+= 1
        let ticket = self.ticket(slot)
        if preemption != .never { preemptEvents[Int(slot)] = onPreempt(ticket) }
        // Fast path: nobody waiting and it fits.
        if waiting.isEmpty && fits(amount) {
            grant(slot, now: now)
            return .granted(ticket)
        }
        grantEvents[Int(slot)] = onGrant(ticket)
        enqueue(slot)
        queue.record(Double(waiting.count), at: now)
        serve(now: now, calendar: &calendar, immediate: slot)
        return requests[Int(slot)].state == .holding ? .granted(ticket) : .queued(ticket)
    }

    @inlinable
    mutating func enqueue(_ slot: UInt32) {
        guard discipline == .priority else {
            waiting.append(slot)
            return
        }
        // Keep (priority descending, sequence ascending): insert after every waiter of
        // higher or equal priority.
        let priority = requests[Int(slot)].priority
        var position = waiting.count
        while position > 0 && requests[Int(waiting[position - 1])].priority < priority {
            position -= 1
        }
        waiting.insert(slot, at: position)
    }

    @inlinable
    mutating func grant(_ slot: UInt32, now: Double) {
        let i = Int(slot)
        requests[i].state = .holding
        requests[i].grantTime = now
        if requests[i].preemptible { preemptibleHolding += 1 }
        inUse += requests[i].amount
        busy.record(inUse, at: now)
        waits.add(now - requests[i].requestTime)
    }

    /// Grants waiting requests that now fit, in the discipline's order, preempting
    /// lower-priority holders for the head of the queue where that is allowed.
    @inlinable
    mutating func serve(now: Double, calendar: inout EventCalendar<Event>, immediate: UInt32? = nil) {
        var changed = false
        switch discipline {
        case .fifo, .priority:
            while let head = waiting.first {
                let amount = requests[Int(head)].amount
                guard fits(amount) || (preemptibleHolding > 0 && preempt(for: head, now: now, calendar: &calendar))
                else { break }
                waiting.removeFirst()
                changed = true
                grant(head, now: now)
                if head != immediate { scheduleGrant(head, now: now, calendar: &calendar) }
            }
        case .firstFit:
            // One pass. Nothing is copied until a waiter is granted; from then on the
            // waiters left are kept in order and replace the queue at the end (O(n) a
            // dispatch; removing granted waiters one by one from the middle was O(n^2)).
            // As before, only the first waiter still waiting may preempt.
            var remaining: ContiguousArray<UInt32>?
            for position in 0..<waiting.count {
                let slot = waiting[position]
                let amount = requests[Int(slot)].amount
                let first = remaining.map { $0.isEmpty } ?? (position == 0)
                if fits(amount) || (first && preemptibleHolding > 0 && preempt(for: slot, now: now, calendar: &calendar)) {
                    if remaining == nil {
                        var kept = ContiguousArray<UInt32>()
                        kept.reserveCapacity(waiting.count - 1)
                        for earlier in 0..<position { kept.append(waiting[earlier]) }
                        remaining = kept
                    }
                    changed = true
                    grant(slot, now: now)
                    if slot != immediate { scheduleGrant(slot, now: now, calendar: &calendar) }
                } else {
                    remaining?.append(slot)
                }
            }
            if let remaining { waiting.replace(with: remaining) }
        }
        if changed { queue.record(Double(waiting.count), at: now) }
    }

    @inlinable
    mutating func scheduleGrant(_ slot: UInt32, now: Double, calendar: inout EventCalendar<Event>) {
        if let event = grantEvents[Int(slot)] {
            grantEvents[Int(slot)] = nil
            calendar.schedule(event, at: now)
        }
    }

    /// Takes capacity back from holders of strictly lower priority than the waiting
    /// request in `slot`, if together with the free capacity that is enough.
    /// All or nothing: if the preemptible capacity does not suffice, nobody is preempted.
    @usableFromInline
    mutating func preempt(for slot: UInt32, now: Double, calendar: inout EventCalendar<Event>) -> Bool {
        let victims = preemptibleHolders(below: requests[Int(slot)].priority)
        guard !victims.isEmpty else { return false }
        let shortfall = inUse + requests[Int(slot)].amount - capacity
        let reclaimable = victims.reduce(0.0) { $0 + requests[Int($1)].amount }
        guard reclaimable + tolerance >= shortfall else { return false }
        _ = reclaim(shortfall, from: victims, now: now, calendar: &calendar)
        return true
    }

    /// Holders that allow preemption and have a priority below `priority`, in victim
    /// order: lowest priority first, most recently requested first among equals.
    @usableFromInline
    func preemptibleHolders(below priority: Int) -> [UInt32] {
        var victims: [UInt32] = []
        for (i, record) in requests.enumerated()
        where record.state == .holding && record.preemptible && record.priority < priority {
            victims.append(UInt32(i))
        }
        return victims.sorted {
            let a = requests[Int($0)]
            let b = requests[Int($1)]
            return a.priority != b.priority ? a.priority < b.priority : a.sequence > b.sequence
        }
    }

    /// Takes `shortfall` back from `victims` in order: partial holders give only what is
    /// still missing, whole holders everything. Each victim's `onPreempt` is scheduled
    /// now. Returns what could not be reclaimed (0 when enough).
    @usableFromInline
    mutating func reclaim(
        _ shortfall: Double, from victims: [UInt32], now: Double, calendar: inout EventCalendar<Event>
    ) -> Double {
        var shortfall = shortfall
        for victim in victims where shortfall > tolerance {
            let i = Int(victim)
            let held = requests[i].amount
            let taken = requests[i].partial ? min(held, shortfall) : held
            let event = preemptEvents[i]
            shortfall -= taken
            preemptions += 1
            if taken >= held - tolerance {
                inUse -= held
                free(victim)
            } else {
                requests[i].amount = held - taken
                inUse -= taken
            }
            if let event { calendar.schedule(event, at: now) }
        }
        if inUse < 0 { inUse = 0 }
        busy.record(inUse, at: now)
        return max(0, shortfall)
    }

    // MARK: Release

    @inlinable
    mutating func free(_ slot: UInt32) {
        let i = Int(slot)
        if requests[i].state == .holding && requests[i].preemptible {
            preemptibleHolding -= 1
            preemptEvents[i] = nil
        }
        requests[i].state = .free
        requests[i].generation &+= 1
        grantEvents[i] = nil
        freeSlots.append(slot)
    }

    /// Releases `amount` of a holding (all of it when `nil`), or withdraws a waiting
    /// request. Returns `false` if the ticket is no longer current.
    @inlinable
    mutating func release(
        _ ticket: ResourceTicket, amount: Double?, now: Double, calendar: inout EventCalendar<Event>
    ) -> Bool {
        guard isCurrent(ticket) else { return false }
        let i = Int(ticket.slot)
        switch requests[i].state {
        case .holding:
            let held = requests[i].amount
            let released = min(held, amount ?? held)
            precondition(released >= 0, "\(name): cannot release a negative amount (\(released))")
            if released >= held - tolerance {
                inUse -= held
                free(ticket.slot)
            } else {
                requests[i].amount = held - released
                inUse -= released
            }
            if inUse < tolerance { inUse = max(0, inUse) }
            busy.record(inUse, at: now)
            serve(now: now, calendar: &calendar)
        case .waiting:
            if let position = waiting.firstIndex(of: ticket.slot) { waiting.remove(at: position) }
            free(ticket.slot)
            queue.record(Double(waiting.count), at: now)
            // The withdrawn request may have been blocking the head of the queue.
            serve(now: now, calendar: &calendar)
        case .free:
            return false
        }
        return true
    }

    /// Adds `amount` to a holding when it fits now and nobody waits (a holder taking
    /// more without queueing behind anyone); returns whether it did.
    @inlinable
    mutating func grow(_ ticket: ResourceTicket, by amount: Double, now: Double) -> Bool {
        guard isCurrent(ticket), amount >= 0, amount.isFinite, waiting.isEmpty, fits(amount) else { return false }
        let i = Int(ticket.slot)
        guard requests[i].state == .holding else { return false }
        requests[i].amount += amount
        inUse += amount
        busy.record(inUse, at: now)
        return true
    }

    /// Changes the capacity. A decrease below what is in use preempts holders that
    /// allow it (as a request of unbounded priority would); it is a programming
    /// error if that is not enough.
    @usableFromInline
    mutating func setCapacity(_ newCapacity: Double, now: Double, calendar: inout EventCalendar<Event>) {
        precondition(newCapacity.isFinite && newCapacity >= 0, "\(name): capacity must be finite and >= 0")
        capacity = newCapacity
        capacityHistory.record(newCapacity, at: now)
        if inUse > capacity + tolerance {
            let left = reclaim(inUse - capacity, from: preemptibleHolders(below: .max), now: now, calendar: &calendar)
            precondition(
                left <= tolerance,
                "\(name): capacity cut to \(newCapacity) below the non-preemptible holdings (\(inUse))")
        }
        busy.record(inUse, at: now)
        serve(now: now, calendar: &calendar)
    }

    @usableFromInline
    func statistics(at now: Double) -> ResourceStatistics {
        let meanInUse = busy.mean(at: now)
        let meanCapacity = capacityHistory.mean(at: now)
        return ResourceStatistics(
            name: name, capacity: capacity, meanInUse: meanInUse,
            utilisation: meanCapacity > 0 ? meanInUse / meanCapacity : 0,
            meanQueueLength: queue.mean(at: now), maximumInUse: busy.maximum,
            maximumQueueLength: queue.maximum, waits: waits,
            grants: waits.count, preemptions: preemptions)
    }

    @usableFromInline
    mutating func resetStatistics(at now: Double) {
        busy.reset(at: now)
        capacityHistory.reset(at: now)
        queue.reset(at: now)
        waits = Tally()
        preemptions = 0
    }
}
