// SPDX-License-Identifier: GPL-3.0-or-later

import Foundation
import SwitchyardModel
import SwitchyardReport
import SwitchyardRisk
import Testing

struct TextFormatTests {
    @Test("Amounts carry the currency and separators; losses read as losses")
    func money() {
        #expect(TextFormat.money(466_213_000) == "USD 466.2M")
        #expect(TextFormat.money(-3_900_000) == "USD -3.9M")
        #expect(TextFormat.money(1_250_000_000) == "USD 1.25bn")
        #expect(TextFormat.money(48_120.4) == "USD 48,120")
        #expect(TextFormat.money(-999) == "USD -999")
        #expect(TextFormat.grouped(12_096_348) == "12,096,348")
        #expect(TextFormat.grouped(-1_045.25, decimals: 1) == "-1,045.2" || TextFormat.grouped(-1_045.25, decimals: 1) == "-1,045.3")
        #expect(TextFormat.grouped(-0.01) == "0", "no minus sign on a rounded zero")
        #expect(TextFormat.valueAtRisk(7_900_000, level: 95) == "loss USD 7.9M")
        #expect(TextFormat.valueAtRisk(-390_000_000, level: 95) == "none (the P5 NPV is a gain of USD 390.0M)")
        #expect(TextFormat.conditionalValueAtRisk(-374_000_000, level: 95) == "none (even the worst 5% of paths gain USD 374.0M on average)")
        #expect(TextFormat.money(.nan) == "n/a")
    }

    @Test("Lines wrap at the width on spaces, keep their indent, and tables are left whole")
    func wrap() {
        let line = "  " + Array(repeating: "word", count: 40).joined(separator: " ")
        let wrapped = TextFormat.wrap(line, width: 50).split(separator: "\n")
        #expect(wrapped.count > 1)
        #expect(wrapped.allSatisfy { $0.count <= 50 })
        #expect(wrapped.dropFirst().allSatisfy { $0.hasPrefix("    ") }, "continuation lines indented")
        #expect(wrapped.joined(separator: " ").split(separator: " ").count == 40, "no word lost")
        let table = "  input        " + String(repeating: "x", count: 80)
        #expect(TextFormat.wrap(table, width: 50) == table)
        #expect(TextFormat.wrap(line, width: .max) == line)
    }

    @Test("Breakevens: 0.024 J/TH PUE (power + opex), and the BTC price giving that hashprice")
    func breakevens() throws {
        let s = try ScenarioLoader.builtin()
        let b = DecisionView.breakevens(s)
        #expect(b.count == s.mining.count)
        let fleet = s.mining[0]
        let efficiency = fleet.asic.powerW / fleet.asic.hashrateTHs
        let pue = s.site.halls.first { $0.name == fleet.hall }!.pue
        #expect(abs(b[0].hashpriceUSDPerPHDay - 0.024 * efficiency * pue * (b[0].powerUSDPerMWh + fleet.opexUSDPerMWh)) < 1e-9)
        // At the breakeven BTC price the start's hashprice equals the breakeven hashprice.
        let scale = b[0].startHashpriceUSDPerPHDay / s.bitcoin.initialPriceUSD
        #expect(abs(b[0].btcPriceUSD * scale - b[0].hashpriceUSDPerPHDay) < 1e-9 * b[0].hashpriceUSDPerPHDay)
        #expect(b[0].btcPriceAfterHalvingUSD > 1.5 * b[0].btcPriceUSD, "half the subsidy needs nearly twice the price")
    }
}
