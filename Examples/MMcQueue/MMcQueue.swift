// SPDX-License-Identifier: GPL-3.0-or-later
//
// An M/M/c queue written against SwitchyardEngine's public API: Poisson arrivals,
// c identical servers held as units of a pool, exponential service. The engine's
// tests check it against Erlang C and the benchmark times it against SimPy.

public import SwitchyardEngine
internal import Foundation

/// An M/M/c queue driven by ``Simulation``.
public struct MMcQueue: SimulationModel {
    public enum Event: Hashable, Sendable {
        case arrival
        case start(ResourceTicket)
        case departure(ResourceTicket)
    }

    public let arrivalRate: Double
    public let serviceRate: Double
    /// Customers to generate; arrivals stop after this many.
    public let customers: Int
    public let servers: PoolID
    var generator: Xoshiro256StarStar
    public private(set) var arrived = 0
    public private(set) var departed = 0
    /// Waiting time of each customer in order of service start, when recording.
    public private(set) var waits: [Double]?
    /// Sums over customers (as the SimPy peer keeps); the resource tallies waits itself.
    public private(set) var totalWait = 0.0
    public private(set) var totalSojourn = 0.0

    /// Adds the server pool to `simulation` and schedules the first arrival.
    public init(
        servers: Int, arrivalRate: Double, serviceRate: Double, customers: Int, seed: UInt64,
        recordWaits: Bool = false, simulation: inout Simulation<Event>
    ) {
        precondition(servers > 0 && arrivalRate > 0 && serviceRate > 0 && customers > 0)
        self.arrivalRate = arrivalRate
        self.serviceRate = serviceRate
        self.customers = customers
        self.generator = Xoshiro256StarStar(seed: seed)
        self.servers = simulation.addPool("servers", units: servers)
        if recordWaits {
            waits = []
            waits!.reserveCapacity(customers)
        }
        simulation.schedule(.arrival, after: .hours(exponential(rate: arrivalRate)))
    }

    /// An exponential variate by inversion of a 53-bit uniform on (0, 1].
    @inline(__always)
    mutating func exponential(rate: Double) -> Double {
        let u = Double((generator.next() >> 11) + 1) * 0x1p-53
        return -log(u) / rate
    }

    public mutating func handle(_ event: Event, in simulation: inout Simulation<Event>) {
        switch event {
        case .arrival:
            arrived += 1
            if arrived < customers {
                simulation.schedule(.arrival, after: .hours(exponential(rate: arrivalRate)))
            }
            if case .granted(let ticket) = simulation.request(1, from: servers, onGrant: { .start($0) }) {
                startService(ticket, in: &simulation)
            }
        case .start(let ticket):
            startService(ticket, in: &simulation)
        case .departure(let ticket):
            if let holding = simulation.holding(ticket) {
                totalSojourn += (simulation.now - holding.requestedAt).hours
            }
            simulation.release(ticket)
            departed += 1
        }
    }

    mutating func startService(_ ticket: ResourceTicket, in simulation: inout Simulation<Event>) {
        let wait = simulation.holding(ticket)!.wait.hours
        totalWait += wait
        waits?.append(wait)
        simulation.schedule(.departure(ticket), after: .hours(exponential(rate: serviceRate)))
    }
}

/// Erlang's C formula: the probability that an arrival waits in an M/M/c queue, and
/// the mean wait `Wq = C / (c mu - lambda)` (Kleinrock, *Queueing Systems* I, 3.5).
public enum ErlangC {
    /// Probability of waiting, for offered load `a = lambda / mu` < `c`.
    public static func probabilityOfWaiting(servers c: Int, offeredLoad a: Double) -> Double {
        precondition(a < Double(c), "ErlangC: the queue is unstable (a >= c)")
        // Sum of a^k / k! for k < c, and the a^c / c! term, computed iteratively.
        var term = 1.0
        var sum = 0.0
        for k in 0..<c {
            sum += term
            term *= a / Double(k + 1)
        }
        let tail = term / (1 - a / Double(c))
        return tail / (sum + tail)
    }

    /// Mean time in queue.
    public static func meanWait(servers c: Int, arrivalRate lambda: Double, serviceRate mu: Double) -> Double {
        probabilityOfWaiting(servers: c, offeredLoad: lambda / mu) / (Double(c) * mu - lambda)
    }
}

/// xoshiro256** (Blackman and Vigna, 2018), seeded through SplitMix64: a small, fast
/// generator for the example and the engine's tests. Switchyard's models draw from
/// GSL streams (SwitchyardStochastic) instead.
public struct Xoshiro256StarStar: RandomNumberGenerator, Sendable {
    var state: (UInt64, UInt64, UInt64, UInt64)

    public init(seed: UInt64) {
        var x = seed
        func splitMix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        state = (splitMix(), splitMix(), splitMix(), splitMix())
    }

    @inline(__always)
    public mutating func next() -> UInt64 {
        let result = rotl(state.1 &* 5, 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = rotl(state.3, 45)
        return result
    }

    @inline(__always)
    func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }
}
