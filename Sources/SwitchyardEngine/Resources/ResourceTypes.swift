// SPDX-License-Identifier: GPL-3.0-or-later

/// A continuous capacity, such as the megawatts of a grid interconnect or a hall.
public struct CapacityID: Hashable, Sendable {
    @usableFromInline let index: Int
    @inlinable init(index: Int) { self.index = index }
}

/// A pool of identical discrete units, such as racks or GPUs.
public struct PoolID: Hashable, Sendable {
    @usableFromInline let index: Int
    @inlinable init(index: Int) { self.index = index }
}

/// One request on a resource, waiting or holding. Valid until it is released,
/// withdrawn or wholly preempted.
public struct ResourceTicket: Hashable, Sendable {
    @usableFromInline let resource: UInt32
    @usableFromInline let slot: UInt32
    @usableFromInline let generation: UInt32

    @inlinable
    init(resource: UInt32, slot: UInt32, generation: UInt32) {
        self.resource = resource
        self.slot = slot
        self.generation = generation
    }

    /// Whether this ticket is for `capacity` (a model holding several capacities tells
    /// its grants apart).
    @inlinable public func isFor(_ capacity: CapacityID) -> Bool { Int(resource) == capacity.index }

    /// Whether this ticket is for `pool`.
    @inlinable public func isFor(_ pool: PoolID) -> Bool { Int(resource) == pool.index }
}

/// The order in which waiting requests are served when capacity frees up.
public enum QueueDiscipline: String, Hashable, Sendable, CaseIterable {
    /// First come, first served; the head of the queue blocks the requests behind it
    /// until it fits (no overtaking).
    case fifo
    /// Highest priority first, first come first served among equal priorities;
    /// the head blocks the requests behind it.
    case priority
    /// Arrival order, but any waiting request that fits is served, so small requests
    /// can overtake a large one at the head (may starve large requests).
    case firstFit
}

/// Whether, and how, a holder gives capacity back to a higher-priority request.
public enum Preemption: String, Hashable, Sendable, CaseIterable {
    /// The holding is never taken back.
    case never
    /// The whole holding can be taken back; the ticket then ends.
    case whole
    /// The holding can be reduced by exactly the amount needed (curtailment); the
    /// ticket ends if it is reduced to zero.
    case partial
}

/// The result of a request.
public enum RequestOutcome: Hashable, Sendable {
    /// Granted at once; the request's `onGrant` event will not fire.
    case granted(ResourceTicket)
    /// Waiting; the request's `onGrant` event fires when it is granted.
    case queued(ResourceTicket)

    @inlinable public var ticket: ResourceTicket {
        switch self {
        case .granted(let ticket), .queued(let ticket): ticket
        }
    }

    @inlinable public var isGranted: Bool {
        if case .granted = self { return true }
        return false
    }
}

/// A snapshot of a holding.
public struct Holding: Hashable, Sendable {
    /// The amount held now (less than requested after partial preemption or release).
    public var amount: Double
    public var priority: Int
    public var requestedAt: SimTime
    public var grantedAt: SimTime

    @inlinable
    init(amount: Double, priority: Int, requestedAt: SimTime, grantedAt: SimTime) {
        self.amount = amount
        self.priority = priority
        self.requestedAt = requestedAt
        self.grantedAt = grantedAt
    }

    /// Time spent waiting before the grant.
    @inlinable public var wait: SimDuration { grantedAt - requestedAt }
}

/// Usage statistics of one resource, up to the instant they were read.
public struct ResourceStatistics: Hashable, Sendable {
    public var name: String
    public var capacity: Double
    /// Time-average amount in use.
    public var meanInUse: Double
    /// `meanInUse / mean capacity`, both time averages (capacity may change during a run).
    public var utilisation: Double
    /// Time-average number of waiting requests.
    public var meanQueueLength: Double
    public var maximumInUse: Double
    public var maximumQueueLength: Double
    /// Waiting times of granted requests, in hours.
    public var waits: Tally
    public var grants: Int
    public var preemptions: Int
}
