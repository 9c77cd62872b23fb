// SPDX-License-Identifier: GPL-3.0-or-later

import Foundation
import SwitchyardEngine
import Testing

@testable import SwitchyardModel

/// A mining fleet replaced by another ASIC generation at a month: old units sold at
/// salvage, the new ones bought at the catalogue price, in the same proportion when a
/// conversion took part of the fleet first.
struct FleetRefreshTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The loader's message for a scenario text ("" when it loads).
    static func loadError(_ text: String) -> String {
        do {
            _ = try ScenarioLoader.load(yaml: text, file: "s.yaml", baseDirectory: root.appendingPathComponent("Models").path)
            return ""
        } catch {
            return error.description
        }
    }

    /// The Texas site with hall B's S19 XP fleet refreshed by `refresh` (YAML lines under
    /// `refresh:`), and its conversion starting at `conversionMonth` (nil: none).
    static func scenario(refresh: String?, conversionMonth: Int? = nil, horizon: Int = 36) throws -> (Scenario?, String) {
        var text = try String(contentsOf: root.appendingPathComponent("Models/texas-200mw.yaml"), encoding: .utf8)
        text = text.replacingOccurrences(of: #"horizonMonths: \d+"#, with: "horizonMonths: \(horizon)", options: .regularExpression)
        // The site's own fleets, without the refreshes the reference file states.
        let mining = text.range(of: "mining:\n")!
        let conversions = text.range(of: "\nconversions:")!
        text.replaceSubrange(
            mining.lowerBound..<conversions.lowerBound,
            with: """
                mining:
                  - hall: A
                    asic: Antminer S21
                    units: 25000
                    uptime: 0.97
                    opexUSDPerMWh: 3
                  - hall: B
                    asic: Antminer S19 XP
                    units: 30000
                    uptime: 0.96
                    opexUSDPerMWh: 3

                """ + (refresh.map { "    refresh:\n" + $0 } ?? ""))
        if let conversionMonth {
            text = text.replacingOccurrences(of: "    startMonth: 7\n    leadTimeMonths: 12", with: "    startMonth: \(conversionMonth)\n    leadTimeMonths: 12")
        } else {
            let start = text.range(of: "conversions:\n")!
            let end = text.range(of: "\nopex:")!
            text.replaceSubrange(start.lowerBound..<end.lowerBound, with: "")
        }
        do {
            return (try ScenarioLoader.load(yaml: text, file: "refresh.yaml", baseDirectory: root.appendingPathComponent("Models").path), "")
        } catch {
            return (nil, error.description)
        }
    }

    @Test("At the refresh month the old units are sold at salvage and the new bought at catalogue price; hashrate follows")
    func refreshAccounting() throws {
        let (loaded, message) = try Self.scenario(refresh: "      month: 13\n      asic: Antminer S21 XP\n      salvageFraction: 0.2\n")
        let s = try #require(loaded, "\(message)")
        let r = try #require(s.mining[1].refresh)
        // By default as many S21 XP (3,645 W) as the S19 XP's power allows: 30,000 x 3,010 / 3,645.
        #expect(r.units == 24_773)
        let (plain, _) = try Self.scenario(refresh: nil)
        let base = try #require(plain)
        let a = SiteModel.run(scenario: s, seed: 4, path: 0)
        let b = SiteModel.run(scenario: base, seed: 4, path: 0)
        let old = s.mining[1].asic
        let new = r.asic
        let m13 = a.months[12]
        #expect(abs(m13.assetSalesUSD - 30_000 * old.priceUSD * 0.2) < 1e-6)
        #expect(abs(m13.miningCapexUSD - 24_773 * new.priceUSD) < 1e-6)
        #expect(abs(m13.capexUSD - b.months[12].capexUSD - 24_773 * new.priceUSD) < 1e-6)
        // Before the refresh the two runs are the same path; after it the site hashes more
        // on no more power (S21 XP: 270 TH/s at 3,645 W against 140 at 3,010).
        #expect(a.months[5].averageSiteHashrateTHs == b.months[5].averageSiteHashrateTHs)
        let before = 30_000 * 140 * 0.96
        let after = 24_773 * 270 * 0.96
        let expected = (after - before)
        let gained = a.months[20].averageSiteHashrateTHs - b.months[20].averageSiteHashrateTHs
        // The new fleet runs whenever the old one would (it earns more per MWh), so the
        // gain is at least the full difference, and the site never exceeds its capacity.
        #expect(gained >= 0.98 * expected, "gained \(gained) TH/s, at least \(expected) expected")
        #expect(a.months[20].averageSiteHashrateTHs <= (25_000 * 200 * 0.97 + after) * (1 + 1e-9))
    }

    @Test("A conversion before the refresh retires part of the fleet; the refresh replaces the rest in proportion")
    func proportionalAfterConversion() throws {
        let (loaded, message) = try Self.scenario(refresh: "      month: 13\n      asic: Antminer S21 XP\n      units: 20000\n      salvageFraction: 0.2\n", conversionMonth: 2)
        let s = try #require(loaded, "\(message)")
        let model = SiteModel.run(scenario: s, seed: 1, path: 0)
        // The conversion takes 60 MW of hall B's 97.5 MW: ceil(60 / (3,010 W x 1.08)) units.
        let retired = Int((60 / (3_010 * 1.08 / 1e6)).rounded(.up))
        let left = 30_000 - retired
        let new = try #require(s.mining[1].refresh?.asic)
        let bought = Int((20_000.0 * Double(left) / 30_000).rounded(.down))
        #expect(abs(model.months[12].miningCapexUSD - Double(bought) * new.priceUSD) < 1e-6)
    }

    @Test("A retired fleet is not counted as curtailed; refresh errors name the field and the rule")
    func curtailmentAndErrors() throws {
        let (loaded, message) = try Self.scenario(refresh: "      month: 13\n      asic: Antminer S21 XP\n      salvageFraction: 0.2\n")
        let s = try #require(loaded, "\(message)")
        var sim = Simulation<SiteModel.Event>()
        var model = SiteModel(scenario: s, seed: 1, path: 0, simulation: &sim)
        model.fleetsChanged()
        let allMW = model.curtailableMW
        let capacity = model.miningCapacityMW()
        model.month = 13
        model.refreshFleets(in: &sim)
        // Only the new fleet (and hall A's) can be curtailed: the old units are gone.
        let newMW = 24_773 * 3_645 * 1.08 / 1e6
        let oldMW = 30_000 * 3_010 * 1.08 / 1e6
        #expect(abs(model.curtailableMW - (allMW - oldMW + newMW)) < 1e-6)
        // The new fleet draws no more than the old (it replaces it in the same hall).
        #expect(abs(model.miningCapacityMW() - (capacity - oldMW + newMW)) < 1e-6)
        #expect(newMW <= oldMW)
        let (_, tooMany) = try Self.scenario(refresh: "      month: 13\n      asic: Antminer S21 XP\n      units: 30000\n      salvageFraction: 0.2\n")
        #expect(tooMany.contains("mining[1].refresh.units = 30000"), "\(tooMany)")
        #expect(tooMany.contains("at most 24773"))
        let (_, late) = try Self.scenario(refresh: "      month: 40\n      asic: Antminer S21 XP\n      salvageFraction: 0.2\n")
        #expect(late.contains("mining[1].refresh.month = 40: after the horizon (36 months)"), "\(late)")
        let (_, typo) = try Self.scenario(refresh: "      month: 13\n      asic: Antminer S21X\n      salvageFraction: 0.2\n")
        #expect(typo.contains("not in the ASIC catalogue"), "\(typo)")
        let (_, missing) = try Self.scenario(refresh: "      month: 13\n      asic: Antminer S21 XP\n")
        #expect(missing.contains("mining[1].refresh.salvageFraction"), "\(missing)")
    }

    /// A conversion starting in a refresh month retires its miners first; the refresh then
    /// replaces what is left (it used to buy a whole new fleet and sell part of it at once).
    @Test("A conversion and a refresh in the same month: the conversion goes first")
    func conversionBeforeRefresh() throws {
        let (loaded, message) = try Self.scenario(
            refresh: "      month: 13\n      asic: Antminer S21 XP\n      units: 20000\n      salvageFraction: 0.2\n", conversionMonth: 13)
        let s = try #require(loaded, "\(message)")
        let r = SiteModel.run(scenario: s, seed: 1, path: 0)
        let retired = Int((60 / (3_010 * 1.08 / 1e6)).rounded(.up))
        let bought = Int((20_000.0 * Double(30_000 - retired) / 30_000).rounded(.down))
        let new = try #require(s.mining[1].refresh?.asic)
        #expect(abs(r.months[12].miningCapexUSD - Double(bought) * new.priceUSD) < 1e-6)
        // Sales: the retired S19 XP at the conversion's salvage, the rest at the refresh's.
        let old = s.mining[1].asic.priceUSD
        let expected = Double(retired) * old * s.conversions[0].asicSalvageFraction + Double(30_000 - retired) * old * 0.2
        #expect(abs(r.months[12].assetSalesUSD - expected) < 1e-6)
    }

    @Test("The network's hashrate must include the site's: a network smaller than twice the site is refused")
    func networkIncludesSite() throws {
        var text = try String(contentsOf: Self.root.appendingPathComponent("Models/texas-200mw.yaml"), encoding: .utf8)
        text = text.replacingOccurrences(of: "initialHashrateEHs: 1045", with: "initialHashrateEHs: 20")
        let message = Self.loadError(text)
        #expect(message.contains("bitcoin.network.initialHashrateEHs = 20.0: the network's hashrate includes the site's"), "\(message)")
    }

    @Test("Later refreshes buy the frontier machine: the network's efficiency then, at the first model's price per watt")
    func frontierRefresh() throws {
        let (loaded, message) = try Self.scenario(
            refresh: "      month: 13\n      asic: Antminer S21 XP\n      salvageFraction: 0.3\n      thenEveryMonths: 24\n      priceChangePerYear: -0.1\n",
            horizon: 40)
        var s = try #require(loaded, "\(message)")
        s.bitcoin.networkUncertainty = .init()
        let network = try #require(s.bitcoin.profitability)
        let first = try #require(s.mining[1].refresh)
        let r = SiteModel.run(scenario: s, seed: 2, path: 0)
        // Month 37: the 24,773 S21 XP sold at 30% of 6,900 USD, as many frontier units bought
        // at 6,900 x 0.9^2 (two years after the first refresh).
        let m37 = r.months[36]
        let price = first.asic.priceUSD * pow(0.9, Double(24) * Scenario.hoursPerMonth / 8_760)
        #expect(abs(m37.assetSalesUSD - Double(first.units) * first.asic.priceUSD * 0.3) < 1e-6)
        #expect(abs(m37.miningCapexUSD - Double(first.units) * price) < 1e-6 * m37.miningCapexUSD)
        // Their hashrate: the S21 XP's power over the frontier efficiency at the month's start.
        var sim = Simulation<SiteModel.Event>()
        var model = SiteModel(scenario: s, seed: 2, path: 0, simulation: &sim)
        for month in [13, 37] {
            model.month = month
            model.refreshFleets(in: &sim)
        }
        let next = try #require(model.fleetSuccessor[1])
        let years = 36 * Scenario.hoursPerMonth / 8_760
        let efficiency = network.efficiencyJPerTH * exp(-network.efficiencyImprovementPerYear * years)
        #expect(abs(model.fleetTHsPerUnit[next] - first.asic.powerW / efficiency * 0.96) < 1e-9 * model.fleetTHsPerUnit[next])
        #expect(model.fleetUnits[next] == first.units)
        // Without the profitability network there is no frontier: refused.
        var text = try String(contentsOf: Self.root.appendingPathComponent("Models/small-miner-20mw.yaml"), encoding: .utf8)
        text = text.replacingOccurrences(of: "    units: 4000                # 4,000 x 3.068 kW x 1.1 = 13.5 MW\n", with: "    units: 4000\n    refresh: {month: 13, asic: Antminer S21, salvageFraction: 0.2, thenEveryMonths: 24}\n")
        let networkKey = text.range(of: "  network:")!
        let mining = text.range(of: "\nmining:")!
        text.replaceSubrange(
            networkKey.lowerBound..<mining.lowerBound,
            with: "  network:\n    initialBlockHeight: 930400\n    initialHashrateEHs: 1045\n    growthPerYear: 0.1\n")
        let message2 = Self.loadError(text)
        #expect(message2.contains("mining[0].refresh.thenEveryMonths = 24: needs bitcoin.network.model: profitability"), "\(message2)")
    }
}
