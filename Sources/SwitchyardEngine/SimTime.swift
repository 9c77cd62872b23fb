// SPDX-License-Identifier: GPL-3.0-or-later

/// An instant on the simulation clock, in hours since the start of the run.
///
/// Instants and spans are separate types (as `NIODeadline` and `TimeAmount` are in
/// swift-nio) so that `start + duration` type-checks and `start + start` does not.
/// Hours are the unit because the domain bills energy in MWh and money by the
/// month; a `Double` resolves better than a microsecond over a 30-year horizon.
public struct SimTime: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Hours since the start of the run.
    public var hours: Double

    /// Creates an instant `hours` after the start of the run.
    @inlinable
    public init(hours: Double) {
        self.hours = hours
    }

    /// The start of the run.
    public static let zero = SimTime(hours: 0)

    @inlinable
    public static func < (lhs: SimTime, rhs: SimTime) -> Bool { lhs.hours < rhs.hours }

    @inlinable
    public static func + (lhs: SimTime, rhs: SimDuration) -> SimTime { SimTime(hours: lhs.hours + rhs.hours) }

    @inlinable
    public static func - (lhs: SimTime, rhs: SimDuration) -> SimTime { SimTime(hours: lhs.hours - rhs.hours) }

    /// The span from `rhs` to `lhs`.
    @inlinable
    public static func - (lhs: SimTime, rhs: SimTime) -> SimDuration { SimDuration(hours: lhs.hours - rhs.hours) }

    @inlinable
    public static func += (lhs: inout SimTime, rhs: SimDuration) { lhs.hours += rhs.hours }

    public var description: String { "t=\(hours)h" }
}

/// A span of simulated time, in hours. Never negative when used to schedule.
public struct SimDuration: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The length of the span in hours.
    public var hours: Double

    @inlinable
    public init(hours: Double) {
        self.hours = hours
    }

    @inlinable public static func hours(_ value: Double) -> SimDuration { SimDuration(hours: value) }
    @inlinable public static func minutes(_ value: Double) -> SimDuration { SimDuration(hours: value / 60) }
    @inlinable public static func seconds(_ value: Double) -> SimDuration { SimDuration(hours: value / 3600) }
    @inlinable public static func days(_ value: Double) -> SimDuration { SimDuration(hours: value * 24) }

    public static let zero = SimDuration(hours: 0)

    /// The span in seconds.
    @inlinable public var seconds: Double { hours * 3600 }

    @inlinable
    public static func < (lhs: SimDuration, rhs: SimDuration) -> Bool { lhs.hours < rhs.hours }

    @inlinable
    public static func + (lhs: SimDuration, rhs: SimDuration) -> SimDuration {
        SimDuration(hours: lhs.hours + rhs.hours)
    }

    @inlinable
    public static func - (lhs: SimDuration, rhs: SimDuration) -> SimDuration {
        SimDuration(hours: lhs.hours - rhs.hours)
    }

    @inlinable
    public static func * (lhs: SimDuration, rhs: Double) -> SimDuration { SimDuration(hours: lhs.hours * rhs) }

    public var description: String { "\(hours)h" }
}
