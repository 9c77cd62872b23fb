// SPDX-License-Identifier: GPL-3.0-or-later

/// A model driven by a ``Simulation``: it reacts to each event by changing its own
/// state and scheduling further events or requesting resources.
///
/// Events are value types (usually an enum) handled by a `switch`; the engine knows
/// nothing of their meaning.
public protocol SimulationModel {
    associatedtype Event
    /// Handles one event at `simulation.now`.
    mutating func handle(_ event: Event, in simulation: inout Simulation<Event>)
}

/// Why ``Simulation/run(_:until:maxEvents:)`` returned.
public enum StopReason: Hashable, Sendable {
    /// No event was pending.
    case calendarEmpty
    /// The next event lies after the end time; the clock stands at the end time.
    case reachedEndTime
    /// The model called ``Simulation/stop()``.
    case stopped
    /// `maxEvents` events fired.
    case eventLimit
}

/// One fired event, as recorded by the optional trace.
public struct TraceRecord<Event> {
    public var time: SimTime
    /// The calendar's insertion sequence number (ties fire in this order).
    public var sequence: UInt64
    public var event: Event

    @inlinable
    init(time: SimTime, sequence: UInt64, event: Event) {
        self.time = time
        self.sequence = sequence
        self.event = event
    }
}

extension TraceRecord: Equatable where Event: Equatable {}
extension TraceRecord: Sendable where Event: Sendable {}

/// The discrete-event kernel: a clock, an event calendar and the resources events compete for.
///
/// One simulation is owned by one task; parallelism belongs across simulations
/// (Monte Carlo paths), never inside the event loop.
///
/// ```swift
/// var sim = Simulation<MyEvent>()
/// let grid = sim.addCapacity("grid", capacity: 200)       // MW
/// sim.schedule(.arrival, at: .zero)
/// sim.run(&model, until: SimTime(hours: 8760))
/// ```
public struct Simulation<Event> {
    @usableFromInline var _now: SimTime = .zero
    /// The current simulated instant. Never decreases.
    @inlinable public var now: SimTime { _now }
    @usableFromInline var calendar = EventCalendar<Event>()
    @usableFromInline var resources: ContiguousArray<_ResourceCore<Event>> = []
    @usableFromInline var _eventsFired = 0
    /// Events fired since the simulation was created.
    @inlinable public var eventsFired: Int { _eventsFired }
    @usableFromInline var stopRequested = false
    /// The current run's end time and events it may still fire (in-place firing
    /// checks them); no run: end time -infinity.
    @usableFromInline var runEndHours = -Double.infinity
    @usableFromInline var runEventsLeft = 0
    @usableFromInline var _trace: [TraceRecord<Event>]?
    /// Fired events in order, when tracing was enabled at creation; otherwise `nil`.
    public var trace: [TraceRecord<Event>]? { _trace }

    /// Creates an empty simulation at time zero.
    /// - Parameter tracing: record every fired event in ``trace``.
    public init(tracing: Bool = false) {
        _trace = tracing ? [] : nil
    }

    /// Number of pending events.
    @inlinable public var pendingEvents: Int { calendar.count }

    // MARK: Scheduling

    /// Schedules `event` at the instant `time`, which must not be in the past.
    ///
    /// - Complexity: O(log n).
    @inlinable
    @discardableResult
    public mutating func schedule(_ event: Event, at time: SimTime) -> EventHandle {
        precondition(time.hours >= now.hours, "Simulation: cannot schedule at \(time), before now (\(now))")
        return calendar.schedule(event, at: time.hours)
    }

    /// Schedules `event` at `time`, to fire before every event at that time scheduled
    /// without `ahead` (see ``EventCalendar/schedule(_:at:ahead:)``).
    @inlinable
    @discardableResult
    public mutating func schedule(_ event: Event, at time: SimTime, ahead: Bool) -> EventHandle {
        precondition(time.hours >= now.hours, "Simulation: cannot schedule at \(time), before now (\(now))")
        return calendar.schedule(event, at: time.hours, ahead: ahead)
    }

    /// Takes a sequence number for an event that may be scheduled later with
    /// ``schedule(_:at:reservedSequence:)`` (by this run or a copy of it).
    @inlinable
    public mutating func reserveSequence() -> UInt64 { calendar.takeSequence() }

    /// Schedules `event` at `time` in the tie order of a sequence number taken earlier
    /// with ``reserveSequence()`` (see ``EventCalendar/schedule(_:at:reservedSequence:)``).
    @inlinable
    @discardableResult
    public mutating func schedule(_ event: Event, at time: SimTime, reservedSequence: UInt64) -> EventHandle {
        precondition(time.hours >= now.hours, "Simulation: cannot schedule at \(time), before now (\(now))")
        return calendar.schedule(event, at: time.hours, reservedSequence: reservedSequence)
    }

    /// Schedules `event` after `delay` (>= 0) from now.
    @inlinable
    @discardableResult
    public mutating func schedule(_ event: Event, after delay: SimDuration) -> EventHandle {
        precondition(delay.hours >= 0, "Simulation: negative delay \(delay)")
        return calendar.schedule(event, at: now.hours + delay.hours)
    }

    /// Cancels a pending event; returns `false` if it already fired or was cancelled.
    @inlinable
    @discardableResult
    public mutating func cancel(_ handle: EventHandle) -> Bool { calendar.cancel(handle) }

    /// True while the event has neither fired nor been cancelled.
    @inlinable
    public func isPending(_ handle: EventHandle) -> Bool { calendar.isPending(handle) }

    /// Moves a pending event to `time`. The old handle becomes invalid; the event takes
    /// a new place in the tie order, as if scheduled now. Returns `nil` (and schedules
    /// nothing) if the event already fired or was cancelled.
    public mutating func reschedule(_ handle: EventHandle, to time: SimTime) -> EventHandle? {
        precondition(time.hours >= now.hours, "Simulation: cannot reschedule to \(time), before now (\(now))")
        guard let event = calendar.event(for: handle) else { return nil }
        calendar.cancel(handle)
        return calendar.schedule(event, at: time.hours)
    }

    // MARK: Running

    /// Fires events in (time, sequence) order until the calendar is empty, the next
    /// event lies after `end`, the model calls ``stop()``, or `maxEvents` have fired.
    ///
    /// When `end` is given and reached (or the calendar empties before it), the clock
    /// is left at `end`, so time averages cover the whole horizon.
    @inlinable
    @discardableResult
    public mutating func run<Model: SimulationModel>(
        _ model: inout Model, until end: SimTime? = nil, maxEvents: Int = .max
    ) -> StopReason where Model.Event == Event {
        stopRequested = false
        let endHours = end?.hours ?? .infinity
        runEndHours = endHours
        runEventsLeft = maxEvents
        defer {
            runEndHours = -.infinity
            runEventsLeft = 0
        }
        while true {
            if stopRequested { return .stopped }
            if runEventsLeft <= 0 { return .eventLimit }
            guard let (time, sequence, event) = calendar.popFirst(notAfter: endHours) else {
                if calendar.isEmpty {
                    if let end, end > _now { _now = end }
                    return .calendarEmpty
                }
                _now = SimTime(hours: endHours)
                return .reachedEndTime
            }
            _now = SimTime(hours: time)
            runEventsLeft -= 1
            _eventsFired += 1
            if _trace != nil { _trace!.append(TraceRecord(time: _now, sequence: sequence, event: event)) }
            model.handle(event, in: &self)
        }
    }

    /// Fires `event` at `time` in place, from inside the handler of the current event:
    /// when no pending event is due at or before `time`, the clock moves to `time`, the
    /// event counts as fired (and is traced) exactly as if it had been scheduled and
    /// popped, and the caller goes on to handle it itself. Returns `false`, changing
    /// nothing, when an event is due at or before `time`, `time` lies after the run's
    /// end time or before now, the run's event budget is spent, ``stop()`` was called,
    /// or no run is in progress; the caller then schedules the event as usual.
    ///
    /// This is how a fixed-step process inside an event-driven model (a hybrid model:
    /// a price tick every six hours between sparse discrete events) runs step after
    /// step without calendar traffic, in exactly the order the calendar would give.
    @inlinable
    public mutating func fireInPlace(_ event: Event, at time: SimTime) -> Bool {
        guard !stopRequested, runEventsLeft > 0, time.hours >= _now.hours, time.hours <= runEndHours else {
            return false
        }
        // Strictly after: an event due at the same instant was scheduled earlier (or
        // `ahead`) and fires first.
        if let next = calendar.nextTime(), !(next > time.hours) { return false }
        let sequence = calendar.takeSequence()
        _now = time
        runEventsLeft -= 1
        _eventsFired += 1
        if _trace != nil { _trace!.append(TraceRecord(time: _now, sequence: sequence, event: event)) }
        return true
    }

    /// Asks the current ``run(_:until:maxEvents:)`` to return after the event being handled.
    @inlinable
    public mutating func stop() { stopRequested = true }
}

@available(*, unavailable)
extension Simulation: Sendable {}
