// SPDX-License-Identifier: GPL-3.0-or-later

import Foundation
import SwitchyardModel
import Testing

struct BitcoinProtocolTests {
    @Test("Subsidy halves every 210,000 blocks", arguments: [(Int, Double)]([
        (0, 50.0), (209_999, 50), (210_000, 25), (629_999, 12.5), (630_000, 6.25), (839_999, 6.25), (840_000, 3.125),
        (1_049_999, 3.125), (1_050_000, 1.5625), (64 * 210_000, 0),
    ]))
    func subsidySchedule(height: Int, subsidy: Double) {
        #expect(BitcoinProtocol.subsidyBTC(atHeight: height) == subsidy)
    }

    @Test("Hashprice matches DOMAIN.md's worked example (about 55.7 USD/PH/day)")
    func hashpriceExample() {
        let d = 108.52e12
        let hPH = BitcoinProtocol.hashrate(fromDifficulty: d) / 1e15
        let hp = BitcoinProtocol.hashpriceUSDPerPHDay(
            blocksPerDay: 144, subsidyBTC: 3.125, feesBTCPerBlock: 0.093, priceUSD: 93_450, networkHashratePHs: hPH)
        #expect(abs(hp - 55.7) < 0.05, "hashprice \(hp)")
    }

    @Test("Breakeven power prices match DOMAIN.md at HP = 55", arguments: [(Double, Double)]([
        (29.5, 78.0), (21.5, 107), (17.5, 131), (13.5, 170),
    ]))
    func breakevens(jPerTH: Double, expected: Double) {
        // DOMAIN.md quotes them without PUE (PUE 1) and rounded to the dollar.
        let price = BitcoinProtocol.breakevenPowerPriceUSDPerMWh(hashpriceUSDPerPHDay: 55, efficiencyJPerTH: jPerTH, pue: 1)
        #expect(abs(price - expected) < 1, "\(jPerTH) J/TH: \(price)")
    }

    @Test("Retarget: the 2015-interval measurement, and the 4x clamp both ways")
    func retargetRule() {
        // Blocks exactly on target: Core measures 2015 x 600 s, so difficulty rises by 2016/2015.
        let measured = BitcoinProtocol.measuredWindowSeconds(meanBlockSeconds: 600)
        #expect(BitcoinProtocol.retarget(difficulty: 1e12, measuredSeconds: measured) == 1e12 * 2016 / 2015)
        #expect(BitcoinProtocol.retarget(difficulty: 1e12, measuredSeconds: 1) == 4e12)
        #expect(BitcoinProtocol.retarget(difficulty: 1e12, measuredSeconds: 1e12) == 0.25e12)
    }

    @Test("The chain retargets at multiples of 2016 with the protocol's rule")
    func chainRetargets() {
        let d0 = 1e14
        // Twice the hashrate the difficulty expects: blocks every 300 s.
        let hashrate = 2 * BitcoinProtocol.hashrate(fromDifficulty: d0)
        var chain = ChainState(height: 2_016 * 400, difficulty: d0)
        chain.recordsRetargets = true
        _ = chain.advance(seconds: 2_016 * 300 + 10, hashesPerSecond: hashrate)
        #expect(chain.retargets.count == 1)
        #expect(chain.retargets[0].height == 2_016 * 401)
        // Measured: 2015 intervals of 300 s -> D * 1,209,600 / 604,500.
        #expect(abs(chain.retargets[0].difficulty / (d0 * 1_209_600 / (2_015 * 300)) - 1) < 1e-12)
        // Ten times the hashrate: the change is clamped at 4x.
        var fast = ChainState(height: 2_016 * 400, difficulty: d0)
        fast.recordsRetargets = true
        _ = fast.advance(seconds: 2_016 * 60 + 1, hashesPerSecond: 10 * BitcoinProtocol.hashrate(fromDifficulty: d0))
        #expect(fast.retargets.first?.difficulty == 4 * d0)
    }

    @Test("Six-hour steps land on every retarget and halving that one long span crosses")
    func smallStepsMatchOneSpan() {
        let d0 = 1e14
        // 10% above the difficulty's pace: retargets move the difficulty each window.
        let hashrate = 1.1 * BitcoinProtocol.hashrate(fromDifficulty: d0)
        let start = 840_000 - 3_000  // a halving and several retargets ahead
        let seconds = 90.0 * 86_400
        var whole = ChainState(height: start, difficulty: d0)
        whole.recordsRetargets = true
        let once = whole.advance(seconds: seconds, hashesPerSecond: hashrate)
        var stepped = ChainState(height: start, difficulty: d0)
        stepped.recordsRetargets = true
        var blocks = 0.0
        var subsidy = 0.0
        for _ in 0..<Int(seconds / 21_600) {
            let production = stepped.advance(seconds: 21_600, hashesPerSecond: hashrate)
            blocks += production.blocks
            subsidy += production.subsidyBTC
        }
        #expect(whole.retargets.count >= 5)
        #expect(stepped.retargets.map(\.height) == whole.retargets.map(\.height))
        // Heights accumulate fractional blocks step by step (rounding at ~1e-10 of a
        // block each time), so the windows' measured spans agree to about 1e-12.
        for (a, b) in zip(stepped.retargets, whole.retargets) { #expect(abs(a.difficulty / b.difficulty - 1) < 1e-10) }
        #expect(abs(blocks / once.blocks - 1) < 1e-12)
        #expect(abs(subsidy / once.subsidyBTC - 1) < 1e-12)
        #expect(abs(stepped.height - whole.height) < 1e-6)
        #expect(whole.subsidyBTC == 3.125 && stepped.subsidyBTC == 3.125, "the halving at 840,000 was crossed")
        // A span of zero or less produces nothing and leaves the chain as it was.
        let before = stepped
        let nothing = stepped.advance(seconds: 0, hashesPerSecond: hashrate)
        #expect(nothing.blocks == 0 && nothing.subsidyBTC == 0)
        #expect(stepped == before)
    }

    @Test("Halvings happen at the right heights, mid-step")
    func halvingMidStep() {
        let d = 1e14
        let h = BitcoinProtocol.hashrate(fromDifficulty: d)  // a block every 600 s
        var chain = ChainState(height: 840_000 - 10, difficulty: d, windowElapsedSeconds: 0)
        let production = chain.advance(seconds: 30 * 600, hashesPerSecond: h)
        // 10 blocks at 6.25, then 20 at 3.125 (no retarget: 839,990 -> 840,020 is inside a window).
        #expect(abs(production.blocks - 30) < 1e-9)
        #expect(abs(production.subsidyBTC - (10 * 6.25 + 20 * 3.125)) < 1e-9)
        #expect(Int(chain.height.rounded()) == 840_020)
    }
}

struct CashFlowTests {
    @Test("NPV discounts end-of-month flows at the monthly equivalent rate")
    func npv() {
        let flows = [Double](repeating: 100, count: 12)
        let r = pow(1.1, 1.0 / 12) - 1
        let expected = (1...12).reduce(0.0) { $0 + 100 / pow(1 + r, Double($1)) }
        #expect(abs(CashFlows.npv(flows, annualRate: 0.1) - expected) < 1e-9)
    }

    @Test("IRR against closed forms; undefined without a sign change")
    func irr() throws {
        // -100 in month 1, 121 in month 25: (1 + r_m)^24 = 1.21, so the annual rate is 10%.
        let two = [-100.0] + [Double](repeating: 0, count: 23) + [121]
        #expect(abs(try #require(CashFlows.irr(two)) - 0.10) < 1e-9)
        // -1,000 in month 1, then 100 a month for 12 months at a monthly rate r: the annuity
        // factor (1 - (1 + r)^-12) / r = 10 (100 / (1 + r)^m for m = 2..13 against 1,000 / (1 + r)).
        // Solved here by bisection on that closed form, not by the code's NPV.
        var (low, high) = (0.0, 0.1)
        for _ in 0..<200 {
            let r = (low + high) / 2
            if (1 - pow(1 + r, -12)) / r > 10 { low = r } else { high = r }
        }
        let annual = pow(1 + low, 12) - 1
        let flows = [-1_000.0] + [Double](repeating: 100, count: 12)
        #expect(abs(try #require(CashFlows.irr(flows)) - annual) < 1e-9)
        #expect(CashFlows.irr([1, 2, 3]) == nil)
    }

    @Test("Payback is the month from which cumulative cash stays non-negative")
    func payback() {
        #expect(CashFlows.paybackMonth([-10, 4, 4, 4, -1, 5]) == 4)
        #expect(CashFlows.paybackMonth([-10, 4, 4, 4, -3, 5]) == 6)
        #expect(CashFlows.paybackMonth([-10, 1]) == nil)
        #expect(CashFlows.paybackMonth([5, 1]) == nil, "nothing to pay back: not month 0")
    }
}
