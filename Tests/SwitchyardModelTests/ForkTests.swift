// SPDX-License-Identifier: GPL-3.0-or-later

import SwitchyardModel
import Testing

/// A variant forked from the never-convert run at its first start month gives, to the
/// bit, what simulating the variant from month 1 gives.
struct ForkTests {
    static func never(_ s: Scenario) -> Scenario {
        var n = s
        n.conversions = s.conversions.map {
            var c = $0
            c.startMonth = s.horizonMonths + 1
            c.trigger = nil
            return c
        }
        return n
    }

    static func variant(_ never: Scenario, starts: [Int?], megawatts: [Double]? = nil) -> Scenario {
        var v = never
        for k in v.conversions.indices {
            v.conversions[k].startMonth = starts[k] ?? never.horizonMonths + 1
            if let megawatts { v.conversions[k] = v.conversions[k].resized(to: megawatts[k]) }
        }
        return v
    }

    /// The built-in sites, each also with a second block (hall A for Texas's lease; a
    /// second GPU block in the small miner's hall B), and with execution risk on.
    static func sites() throws -> [Scenario] {
        var result: [Scenario] = []
        for name in ["texas-200mw", "small-miner-20mw"] {
            let s = try ScenarioLoader.builtin(name)
            result.append(s)
            var two = s
            var second = s.conversions[0]
            if name == "texas-200mw" {
                second.hall = "A"
                second.megawatts = 30
            } else {
                second.megawatts = 2
                if case .gpuCloud(let gpus) = second.target { second.target = .gpuCloud(gpus: gpus / 2) }
            }
            two.conversions.append(second)
            result.append(two)
        }
        return result
    }

    @Test("Forked schedules equal runs from month 1, on both sites, one and two blocks, many start months")
    func forkedEqualsFromScratch() throws {
        var dice: UInt64 = 0x5EED
        func roll(_ n: Int) -> Int {
            dice = dice &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((dice >> 33) % UInt64(n))
        }
        var compared = 0
        for site in try Self.sites() {
            let never = Self.never(site)
            let h = site.horizonMonths
            for path in UInt64(0)..<2 {
                // Month 1, the last month, equal months, a block not started, random ones.
                var schedules: [[Int?]] = [site.conversions.map { _ in 1 }, site.conversions.map { _ in h }]
                for _ in 0..<5 {
                    schedules.append(site.conversions.map { _ in roll(5) == 0 ? nil : 1 + roll(h) })
                }
                if site.conversions.count > 1 {
                    schedules.append([7, 7])
                    schedules.append([nil, 13])
                    schedules.append([25, 2])
                }
                schedules.append(site.conversions.map { _ in nil })
                let variants = schedules.map { Self.variant(never, starts: $0) }
                let (forked, neverResult) = SiteModel.runForked(never: never, variants: variants, seed: 11, path: path, includeNever: true)
                for (v, result) in zip(variants, forked) {
                    let direct = SiteModel.run(scenario: v, seed: 11, path: path)
                    #expect(result == direct, "\(site.name), path \(path), starts \(v.conversions.map(\.startMonth))")
                    compared += 1
                }
                #expect(neverResult == SiteModel.run(scenario: never, seed: 11, path: path))
            }
        }
        #expect(compared > 50)
    }

    @Test("Forked variants with other block sizes equal runs from month 1 (never at another size too)")
    func forkedSizes() throws {
        for site in try Self.sites() where site.conversions.count == 1 {
            let never = Self.never(site)
            let full = site.conversions[0].megawatts
            let variants = [
                Self.variant(never, starts: [9], megawatts: [full / 2]), Self.variant(never, starts: [9], megawatts: [full]),
                Self.variant(never, starts: [40], megawatts: [full / 3]), Self.variant(never, starts: [nil], megawatts: [full / 2]),
            ]
            let (forked, _) = SiteModel.runForked(never: never, variants: variants, seed: 5, path: 2)
            for (v, result) in zip(variants, forked) {
                #expect(result == SiteModel.run(scenario: v, seed: 5, path: 2), "\(site.name) \(v.conversions[0].megawatts) MW")
            }
            // The sizes matter: half the block is not the whole block.
            #expect(forked[0].npvUSD != forked[1].npvUSD)
        }
    }
}
