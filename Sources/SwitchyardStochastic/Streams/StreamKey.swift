// SPDX-License-Identifier: GPL-3.0-or-later

/// The stochastic processes of a path, each with its own random stream, so that a
/// change to one process (or to the site's decisions) never changes another's draws.
public enum ProcessID: UInt64, Hashable, Sendable, CaseIterable, Codable {
    case bitcoinPrice = 1
    case transactionFees = 2
    case networkHashrate = 3
    case electricityPrice = 4
    case gpuRentalPrice = 5
    case aiDemand = 6
    case correlatedShocks = 7
    case operations = 8
    /// Tenants' renewal decisions (one uniform per renewal option of every lease).
    case leaseRenewals = 9
    /// Tenants' default times (one exponential draw per lease).
    case tenantDefault = 10
    /// Conversion lead times and capex overruns (two draws per conversion).
    case execution = 11
    /// Parameter uncertainty: one normal draw per uncertain parameter, in a fixed order.
    case parameters = 12
    /// Free for tests and tools.
    case auxiliary = 99
}

/// Identifies one random stream: the run's seed, the Monte Carlo path and the process.
///
/// The 64-bit stream key is a SplitMix64 hash chain of the three parts, so streams for
/// different (path, process) pairs are decorrelated and the key of a stream does not
/// depend on which other streams exist, on their creation order or on the thread.
public struct StreamKey: Hashable, Sendable {
    public var seed: UInt64
    public var path: UInt64
    public var process: UInt64

    public init(seed: UInt64, path: UInt64, process: ProcessID) {
        self.init(seed: seed, path: path, rawProcess: process.rawValue)
    }

    public init(seed: UInt64, path: UInt64, rawProcess: UInt64) {
        self.seed = seed
        self.path = path
        self.process = rawProcess
    }

    /// The mixed 64-bit key.
    public var mixed: UInt64 {
        var state = SplitMix64(state: seed)
        var h = state.next()
        state = SplitMix64(state: h ^ path)
        h = state.next()
        state = SplitMix64(state: h ^ (process &* 0x9E37_79B9_7F4A_7C15))
        return state.next()
    }
}

/// SplitMix64 (Steele, Lea and Flood, "Fast splittable pseudorandom number
/// generators", OOPSLA 2014): a bijective 64-bit mixer used to derive seeds and to
/// fill generator states, never to drive a simulation directly.
public struct SplitMix64: Sendable {
    public var state: UInt64

    public init(state: UInt64) { self.state = state }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
