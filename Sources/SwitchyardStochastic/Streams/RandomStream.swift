// SPDX-License-Identifier: GPL-3.0-or-later

internal import CGSL

/// The GSL generator behind a stream.
public enum GeneratorKind: String, Hashable, Sendable, CaseIterable, Codable {
    /// Mersenne Twister MT19937 (GSL's own default). Its whole 624-word state is
    /// filled from the 64-bit stream key, so distinct keys give distinct streams.
    case mt19937
    /// RANLUX at luxury level 2 (double precision): slow, of the highest quality.
    /// Seeded through `gsl_rng_set` (32 bits of the key).
    case ranlxd2
    /// L'Ecuyer's maximally equidistributed combined Tausworthe generator (period
    /// 2^88), Switchyard's default: among GSL's fastest simulation-quality generators,
    /// with a 3-word state (a path's six streams stay in cache where six Mersenne
    /// Twisters take 15 KB). Its whole state is filled from the 64-bit stream key.
    case taus2

    var gslType: UnsafePointer<gsl_rng_type> {
        switch self {
        case .mt19937: cgsl_rng_mt19937()
        case .ranlxd2: cgsl_rng_ranlxd2()
        case .taus2: cgsl_rng_taus2()
        }
    }
}

/// A seeded GSL random number generator owned by one path and one process.
///
/// Not `Sendable`: a stream belongs to the task simulating its path. Create one per
/// (seed, path, process) with ``init(key:kind:)``; the same key always yields the same
/// sequence, on any thread, whatever other streams exist.
public final class RandomStream {
    let rng: UnsafeMutablePointer<gsl_rng>
    public let key: StreamKey
    public let kind: GeneratorKind

    /// Creates the stream for `key`.
    public init(key: StreamKey, kind: GeneratorKind = .taus2) {
        GSLRuntime.prepare()
        guard let rng = gsl_rng_alloc(kind.gslType) else {
            preconditionFailure("RandomStream: gsl_rng_alloc failed (out of memory)")
        }
        self.rng = rng
        self.key = key
        self.kind = kind
        let mixed = key.mixed
        if kind == .mt19937 && gsl_rng_size(rng) == Self.mt19937StateSize {
            Self.fillMT19937State(rng, from: mixed)
        } else if kind == .taus2 && gsl_rng_size(rng) == Self.taus2StateSize {
            Self.fillTaus2State(rng, from: mixed)
        } else {
            // gsl_rng_set takes an unsigned long; most GSL generators use 32 bits of it.
            gsl_rng_set(rng, UInt(truncatingIfNeeded: mixed))
        }
    }

    /// Convenience: the stream of `process` on `path` for a run seeded with `seed`.
    public convenience init(seed: UInt64, path: UInt64, process: ProcessID, kind: GeneratorKind = .taus2) {
        self.init(key: StreamKey(seed: seed, path: path, process: process), kind: kind)
    }

    /// A stream in the same state (`gsl_rng_clone`): it continues with the numbers this
    /// one would give next, independently of it (a copy of a path that goes its own way).
    public func clone() -> RandomStream { RandomStream(cloning: self) }

    private init(cloning other: RandomStream) {
        guard let rng = gsl_rng_clone(other.rng) else {
            preconditionFailure("RandomStream: gsl_rng_clone failed (out of memory)")
        }
        self.rng = rng
        key = other.key
        kind = other.kind
    }

    deinit { gsl_rng_free(rng) }

    /// GSL's mt19937 state: `struct { unsigned long mt[624]; int mti; }` (gsl/rng/mt.c).
    static let mt19937StateSize = 624 * MemoryLayout<UInt>.stride + MemoryLayout<UInt>.stride

    /// Fills all 624 words of the Mersenne Twister from SplitMix64(key) and sets
    /// `mti = 624` so that the first draw regenerates the block (as GSL's own
    /// seeding does). This gives 2^64 distinct streams instead of gsl_rng_set's 2^32.
    static func fillMT19937State(_ rng: UnsafeMutablePointer<gsl_rng>, from key: UInt64) {
        let raw = gsl_rng_state(rng)!
        let words = raw.bindMemory(to: UInt.self, capacity: 624)
        var mixer = SplitMix64(state: key)
        var anyNonZero = false
        for i in 0..<624 {
            let word = UInt(truncatingIfNeeded: mixer.next() & 0xFFFF_FFFF)
            anyNonZero = anyNonZero || word != 0
            words[i] = word
        }
        if !anyNonZero { words[0] = 0x8000_0000 }
        let mti = (raw + 624 * MemoryLayout<UInt>.stride).bindMemory(to: Int32.self, capacity: 1)
        mti.pointee = 624
    }

    /// GSL's taus2 state: `struct { unsigned long s1, s2, s3; }` (gsl/rng/taus.c).
    static let taus2StateSize = 3 * MemoryLayout<UInt>.stride

    /// Fills the three 32-bit components from SplitMix64(key), moved off the values
    /// the recurrence cannot leave (s1 < 2, s2 < 8, s3 < 16) as GSL's own seeding
    /// does, then discards six outputs as GSL does to warm up. Distinct keys give
    /// distinct starting points in a 2^88 state space, instead of gsl_rng_set's 2^32.
    static func fillTaus2State(_ rng: UnsafeMutablePointer<gsl_rng>, from key: UInt64) {
        let words = gsl_rng_state(rng)!.bindMemory(to: UInt.self, capacity: 3)
        var mixer = SplitMix64(state: key)
        for (i, floor) in [UInt(2), 8, 16].enumerated() {
            let word = UInt(truncatingIfNeeded: mixer.next() >> 32)
            words[i] = word < floor ? word + floor : word
        }
        for _ in 0..<6 { _ = gsl_rng_get(rng) }
    }

    // MARK: Draws

    /// Uniform on [0, 1).
    @inline(__always) public func uniform() -> Double { gsl_rng_uniform(rng) }

    /// Uniform on (0, 1), never exactly 0 (safe under `log`).
    @inline(__always) public func uniformPositive() -> Double { gsl_rng_uniform_pos(rng) }

    /// Standard normal N(0, 1) (GSL's ziggurat).
    @inline(__always) public func normal() -> Double { gsl_ran_gaussian_ziggurat(rng, 1) }

    /// Exponential with the given *mean* (GSL's `mu` is the mean, not the rate).
    @inline(__always) public func exponential(mean: Double) -> Double { gsl_ran_exponential(rng, mean) }

    /// Poisson count with the given mean.
    @inline(__always) public func poisson(mean: Double) -> Int { Int(gsl_ran_poisson(rng, mean)) }

    /// Gamma with shape `k` and scale `theta` (mean k * theta).
    public func gamma(shape: Double, scale: Double) -> Double { gsl_ran_gamma(rng, shape, scale) }

    /// Beta(a, b) on [0, 1].
    public func beta(_ a: Double, _ b: Double) -> Double { gsl_ran_beta(rng, a, b) }

    /// A uniformly chosen index in 0..<count.
    public func index(below count: Int) -> Int {
        precondition(count > 0, "RandomStream.index: count must be > 0")
        return Int(gsl_rng_uniform_int(rng, UInt(count)))
    }

    /// Raw generator output (for tests of the seeding).
    public func nextRaw() -> UInt { gsl_rng_get(rng) }
}

@available(*, unavailable)
extension RandomStream: Sendable {}
