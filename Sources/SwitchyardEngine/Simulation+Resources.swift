// SPDX-License-Identifier: GPL-3.0-or-later

/// Resources: continuous capacities (megawatts) and pools of units (racks, GPUs).
///
/// A request is granted at once when it fits and nobody is waiting before it;
/// otherwise it waits, and its `onGrant` event is scheduled at the instant it is
/// granted. Holders of lower priority that allow preemption give capacity back to
/// the request at the head of the queue (see ``Preemption``).
extension Simulation {
    // MARK: Creating

    /// Adds a continuous capacity (e.g. the MW of an interconnect).
    public mutating func addCapacity(
        _ name: String, capacity: Double, discipline: QueueDiscipline = .fifo
    ) -> CapacityID {
        precondition(capacity.isFinite && capacity >= 0, "Simulation: capacity of \(name) must be finite and >= 0")
        resources.append(
            _ResourceCore(
                name: name, index: UInt32(resources.count), capacity: capacity, discipline: discipline,
                discrete: false, at: now.hours))
        return CapacityID(index: resources.count - 1)
    }

    /// Adds a pool of identical units (e.g. racks or GPUs).
    public mutating func addPool(_ name: String, units: Int, discipline: QueueDiscipline = .fifo) -> PoolID {
        precondition(units >= 0, "Simulation: unit count of \(name) must be >= 0")
        resources.append(
            _ResourceCore(
                name: name, index: UInt32(resources.count), capacity: Double(units), discipline: discipline,
                discrete: true, at: now.hours))
        return PoolID(index: resources.count - 1)
    }

    // MARK: Requesting and releasing

    /// Requests `amount` (> 0) of a capacity.
    ///
    /// The request gets its ticket first; `onGrant` (and `onPreempt`) are then called
    /// once, at once, to build the events to deliver later, so they may mention the
    /// ticket: `sim.request(5, from: grid) { .started(job, $0) }`.
    ///
    /// - Parameters:
    ///   - priority: higher is served first under ``QueueDiscipline/priority`` and may
    ///     preempt holders of lower priority.
    ///   - preemption: whether this holding can be taken back later.
    ///   - onPreempt: the event to schedule when the holding is preempted (`nil`: none).
    ///   - onGrant: the event to schedule if the request has to wait and is granted later.
    /// - Returns: `.granted` (and the grant event will not fire) or `.queued`.
    @inlinable
    @discardableResult
    public mutating func request(
        _ amount: Double, from resource: CapacityID, priority: Int = 0, preemption: Preemption = .never,
        onPreempt: (ResourceTicket) -> Event? = { _ in nil }, onGrant: (ResourceTicket) -> Event
    ) -> RequestOutcome {
        resources[resource.index].request(
            amount, priority: priority, preemption: preemption, onPreempt: onPreempt, onGrant: onGrant,
            now: now.hours, calendar: &calendar)
    }

    /// Requests `units` (> 0) of a pool. See ``request(_:from:priority:preemption:onPreempt:onGrant:)-capacity``.
    @inlinable
    @discardableResult
    public mutating func request(
        _ units: Int, from resource: PoolID, priority: Int = 0, preemption: Preemption = .never,
        onPreempt: (ResourceTicket) -> Event? = { _ in nil }, onGrant: (ResourceTicket) -> Event
    ) -> RequestOutcome {
        resources[resource.index].request(
            Double(units), priority: priority, preemption: preemption, onPreempt: onPreempt, onGrant: onGrant,
            now: now.hours, calendar: &calendar)
    }

    /// Releases a whole holding, or withdraws a waiting request. Waiting requests that
    /// now fit are granted at this instant. Returns `false` if the ticket is no longer
    /// current (already released or wholly preempted).
    @inlinable
    @discardableResult
    public mutating func release(_ ticket: ResourceTicket) -> Bool {
        resources[Int(ticket.resource)].release(ticket, amount: nil, now: now.hours, calendar: &calendar)
    }

    /// Gives back part of a holding (voluntary curtailment); all of it if `amount`
    /// is at least the holding.
    @inlinable
    @discardableResult
    public mutating func release(_ amount: Double, of ticket: ResourceTicket) -> Bool {
        precondition(amount >= 0 && amount.isFinite, "Simulation: release amount must be finite and >= 0")
        return resources[Int(ticket.resource)].release(ticket, amount: amount, now: now.hours, calendar: &calendar)
    }

    /// Adds `amount` to a capacity holding when it fits now and no request waits;
    /// returns `false` (and changes nothing) otherwise, or if the ticket is not a
    /// current holding. A holder that wants more without queueing uses it.
    @inlinable
    @discardableResult
    public mutating func grow(_ ticket: ResourceTicket, by amount: Double) -> Bool {
        resources[Int(ticket.resource)].grow(ticket, by: amount, now: now.hours)
    }

    /// Gives back some units of a pool holding.
    @inlinable
    @discardableResult
    public mutating func release(_ units: Int, of ticket: ResourceTicket) -> Bool {
        release(Double(units), of: ticket)
    }

    /// Changes a capacity (e.g. a hall goes offline for conversion). Cutting below what
    /// is in use preempts preemptible holders; cutting below the non-preemptible
    /// holdings is a programming error.
    public mutating func setCapacity(_ capacity: Double, of resource: CapacityID) {
        resources[resource.index].setCapacity(capacity, now: now.hours, calendar: &calendar)
    }

    /// Changes the number of units of a pool.
    public mutating func setUnits(_ units: Int, of resource: PoolID) {
        resources[resource.index].setCapacity(Double(units), now: now.hours, calendar: &calendar)
    }

    // MARK: Reading

    /// The holding behind a ticket, or `nil` if it is waiting or no longer current.
    @inlinable
    public func holding(_ ticket: ResourceTicket) -> Holding? {
        guard resources[Int(ticket.resource)].isCurrent(ticket) else { return nil }
        let record = resources[Int(ticket.resource)].requests[Int(ticket.slot)]
        guard record.state == .holding else { return nil }
        return Holding(
            amount: record.amount, priority: record.priority, requestedAt: SimTime(hours: record.requestTime),
            grantedAt: SimTime(hours: record.grantTime))
    }

    /// True while the request behind the ticket waits.
    @inlinable
    public func isWaiting(_ ticket: ResourceTicket) -> Bool {
        resources[Int(ticket.resource)].isCurrent(ticket)
            && resources[Int(ticket.resource)].requests[Int(ticket.slot)].state == .waiting
    }

    @inlinable public func capacity(of resource: CapacityID) -> Double { resources[resource.index].capacity }
    @inlinable public func inUse(of resource: CapacityID) -> Double { resources[resource.index].inUse }
    @inlinable public func available(of resource: CapacityID) -> Double { resources[resource.index].available }
    @inlinable public func units(of resource: PoolID) -> Int { Int(resources[resource.index].capacity) }
    @inlinable public func inUse(of resource: PoolID) -> Int { Int(resources[resource.index].inUse) }
    @inlinable public func available(of resource: PoolID) -> Int { Int(resources[resource.index].available) }
    @inlinable public func queueLength(of resource: CapacityID) -> Int { resources[resource.index].waiting.count }
    /// Holdings preempted on a capacity so far (a model checks whether a request took
    /// anything from its holders).
    @inlinable public func preemptionCount(of resource: CapacityID) -> Int { resources[resource.index].preemptions }
    @inlinable public func queueLength(of resource: PoolID) -> Int { resources[resource.index].waiting.count }

    /// Usage statistics of a capacity up to now.
    public func statistics(of resource: CapacityID) -> ResourceStatistics {
        resources[resource.index].statistics(at: now.hours)
    }

    /// Usage statistics of a pool up to now.
    public func statistics(of resource: PoolID) -> ResourceStatistics {
        resources[resource.index].statistics(at: now.hours)
    }

    /// Forgets the statistics gathered so far on every resource (end of a warm-up).
    public mutating func resetStatistics() {
        for index in resources.indices { resources[index].resetStatistics(at: now.hours) }
    }
}
