// SPDX-License-Identifier: GPL-3.0-or-later

import Foundation

/// The Bitcoin protocol rules the model needs (DOMAIN.md, "Bitcoin protocol").
public enum BitcoinProtocol {
    /// Blocks between subsidy halvings.
    public static let halvingInterval = 210_000
    /// Blocks between difficulty retargets.
    public static let retargetInterval = 2_016
    /// Target seconds per block.
    public static let targetBlockSeconds = 600.0
    /// Hashes per unit of difficulty: a block at difficulty D takes D * 2^32 hashes on average.
    public static let hashesPerDifficulty = 4_294_967_296.0

    /// Block subsidy in BTC at `height`: 50 * 2^-floor(height / 210,000).
    public static func subsidyBTC(atHeight height: Int) -> Double {
        let halvings = height / halvingInterval
        return halvings >= 64 ? 0 : 50 / Double(UInt64(1) << UInt64(halvings))
    }

    /// The next height at which the subsidy halves, after `height`.
    public static func nextHalvingHeight(after height: Int) -> Int { (height / halvingInterval + 1) * halvingInterval }

    /// The next retarget height (a multiple of 2016) after `height`.
    public static func nextRetargetHeight(after height: Int) -> Int {
        (height / retargetInterval + 1) * retargetInterval
    }

    /// Difficulty after a retarget window whose 2016 blocks took `windowSeconds`.
    ///
    /// ```
    /// D_new = D_old * (2016 * 600) / actual,   actual clamped to [target/4, target*4]
    /// ```
    /// Bitcoin Core measures `actual` from the first to the last block of the window,
    /// i.e. over 2015 intervals; pass that measured span (see ``measuredWindowSeconds``).
    public static func retarget(difficulty: Double, measuredSeconds: Double) -> Double {
        let target = Double(retargetInterval) * targetBlockSeconds
        let clamped = min(max(measuredSeconds, target / 4), target * 4)
        return difficulty * target / clamped
    }

    /// What Core measures for a window of 2016 blocks arriving at a constant mean
    /// interval: 2015 intervals (the protocol's off-by-one).
    public static func measuredWindowSeconds(meanBlockSeconds: Double) -> Double {
        Double(retargetInterval - 1) * meanBlockSeconds
    }

    /// Network hashrate (hashes per second) implied by a difficulty at target pace:
    /// H = D * 2^32 / 600.
    public static func hashrate(fromDifficulty difficulty: Double) -> Double {
        difficulty * hashesPerDifficulty / targetBlockSeconds
    }

    /// Difficulty at which `hashesPerSecond` finds blocks every 600 s.
    public static func difficulty(forHashrate hashesPerSecond: Double) -> Double {
        hashesPerSecond * targetBlockSeconds / hashesPerDifficulty
    }

    /// Expected blocks per second at network hashrate H and difficulty D: H / (D * 2^32).
    public static func blockRate(hashesPerSecond: Double, difficulty: Double) -> Double {
        hashesPerSecond / (difficulty * hashesPerDifficulty)
    }

    /// Hashprice in USD per PH/s per day (DOMAIN.md):
    /// ```
    /// HP = blocks per day * (subsidy + fees) * P / H_PH
    /// ```
    public static func hashpriceUSDPerPHDay(
        blocksPerDay: Double, subsidyBTC: Double, feesBTCPerBlock: Double, priceUSD: Double, networkHashratePHs: Double
    ) -> Double {
        blocksPerDay * (subsidyBTC + feesBTCPerBlock) * priceUSD / networkHashratePHs
    }

    /// Breakeven power price (USD/MWh) below which mining pays:
    /// HP / (0.024 * J/TH * PUE) — 1 PH/s for a day at 1 J/TH uses 0.024 MWh.
    public static func breakevenPowerPriceUSDPerMWh(
        hashpriceUSDPerPHDay: Double, efficiencyJPerTH: Double, pue: Double
    ) -> Double {
        hashpriceUSDPerPHDay / (0.024 * efficiencyJPerTH * pue)
    }
}

/// The chain as the model advances it: height, difficulty and the retarget window,
/// with blocks produced as a fluid at rate H / (D 2^32) (the expected count; a site's
/// luck averages out over a month).
public struct ChainState: Hashable, Sendable {
    public private(set) var height: Double
    public private(set) var difficulty: Double
    /// Seconds since the start of the current retarget window (first block of it).
    public private(set) var windowElapsedSeconds: Double
    /// Retargets done so far, with the height and new difficulty of each.
    public private(set) var retargets: [(height: Int, difficulty: Double)] = []
    /// Whether to keep the retarget history (tests); off in Monte Carlo runs.
    public var recordsRetargets = false
    /// Cached until the next boundary is crossed: the next retarget and halving heights
    /// and the current subsidy.
    private var nextRetarget: Double
    private var nextHalving: Double
    /// Block subsidy at the current height, BTC.
    public private(set) var subsidyBTC: Double
    /// Expected blocks per hash at the current difficulty, 1 / (D 2^32): the block rate
    /// of a hashrate H is H times this (kept so that a step multiplies, not divides).
    public private(set) var blocksPerHash: Double

    public static func == (lhs: ChainState, rhs: ChainState) -> Bool {
        lhs.height == rhs.height && lhs.difficulty == rhs.difficulty
            && lhs.windowElapsedSeconds == rhs.windowElapsedSeconds
    }
    public func hash(into hasher: inout Hasher) {
        hasher.combine(height)
        hasher.combine(difficulty)
    }

    public init(height: Int, difficulty: Double, windowElapsedSeconds: Double = 0) {
        precondition(height >= 0 && difficulty > 0)
        self.height = Double(height)
        self.difficulty = difficulty
        self.windowElapsedSeconds = windowElapsedSeconds
        nextRetarget = Double(BitcoinProtocol.nextRetargetHeight(after: height))
        nextHalving = Double(BitcoinProtocol.nextHalvingHeight(after: height))
        subsidyBTC = BitcoinProtocol.subsidyBTC(atHeight: height)
        blocksPerHash = 1 / (difficulty * BitcoinProtocol.hashesPerDifficulty)
    }

    /// Result of advancing the chain.
    public struct Production: Hashable, Sendable {
        /// Blocks found (fractional: expected count).
        public var blocks: Double = 0
        /// Subsidy issued, BTC.
        public var subsidyBTC: Double = 0
    }

    /// Advances `seconds` at network hashrate `hashesPerSecond` (constant over the span),
    /// crossing halving and retarget boundaries exactly where they fall.
    public mutating func advance(seconds: Double, hashesPerSecond: Double) -> Production {
        guard seconds > 0 else { return Production() }
        // The common case: the span ends before the next retarget or halving.
        let rate = hashesPerSecond * blocksPerHash
        let blocks = seconds * rate
        if blocks < min(nextRetarget, nextHalving) - height {
            height += blocks
            windowElapsedSeconds += seconds
            return Production(blocks: blocks, subsidyBTC: blocks * subsidyBTC)
        }
        // A non-finite hashrate (a run whose arithmetic overflowed) would never reach the
        // next boundary: the span's production is NaN, and the run is stopped as
        // non-finite at its end. So is a span that crosses an absurd number of boundaries.
        guard rate.isFinite else { return Production(blocks: .nan, subsidyBTC: .nan) }
        var production = Production()
        var remaining = seconds
        var boundaries = 0
        while remaining > 0 {
            boundaries += 1
            if boundaries > 100_000 { return Production(blocks: .nan, subsidyBTC: .nan) }
            let rate = hashesPerSecond * blocksPerHash
            let boundary = min(nextRetarget, nextHalving)
            let blocksToBoundary = boundary - height
            let secondsToBoundary = blocksToBoundary / rate
            let span = min(remaining, secondsToBoundary)
            let blocks = span == secondsToBoundary ? blocksToBoundary : span * rate
            production.blocks += blocks
            production.subsidyBTC += blocks * subsidyBTC
            height += blocks
            windowElapsedSeconds += span
            remaining -= span
            if span == secondsToBoundary {
                height = boundary  // land exactly on the boundary
                let whole = Int(boundary)
                if boundary == nextHalving {
                    subsidyBTC = BitcoinProtocol.subsidyBTC(atHeight: whole)
                    nextHalving = Double(BitcoinProtocol.nextHalvingHeight(after: whole))
                }
                if boundary == nextRetarget {
                    nextRetarget = Double(BitcoinProtocol.nextRetargetHeight(after: whole))
                    // The window's 2016 blocks took windowElapsedSeconds; Core measures 2015 of them.
                    let mean = windowElapsedSeconds / Double(BitcoinProtocol.retargetInterval)
                    difficulty = BitcoinProtocol.retarget(
                        difficulty: difficulty,
                        measuredSeconds: BitcoinProtocol.measuredWindowSeconds(meanBlockSeconds: mean))
                    blocksPerHash = 1 / (difficulty * BitcoinProtocol.hashesPerDifficulty)
                    windowElapsedSeconds = 0
                    if recordsRetargets { retargets.append((Int(boundary), difficulty)) }
                }
            }
        }
        return production
    }
}
