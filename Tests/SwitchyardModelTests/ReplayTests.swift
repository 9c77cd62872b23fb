// SPDX-License-Identifier: GPL-3.0-or-later

import Foundation
import SwitchyardStochastic
import Testing

@testable import SwitchyardModel

/// A replayed BTC price: read exactly, the same on every path, refused with a clear
/// message when the file is bad or does not cover the horizon.
struct ReplayTests {
    static func scenario(replay csv: String, start: String = "2024-01", horizon: Int = 2) throws -> (Scenario?, String) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("switchyard-replay-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try csv.write(to: dir.appendingPathComponent("prices.csv"), atomically: true, encoding: .utf8)
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        var text = try String(contentsOf: root.appendingPathComponent("Models/texas-200mw.yaml"), encoding: .utf8)
        text = text.replacingOccurrences(of: "startMonth: 2025-01", with: "startMonth: \(start)")
        text = text.replacingOccurrences(of: "horizonMonths: 180 ", with: "horizonMonths: \(horizon) ")
        let price = text.range(of: "  price:\n")!
        let fees = text.range(of: "  fees:\n")!
        text.replaceSubrange(price.lowerBound..<fees.lowerBound, with: "  price:\n    replay: prices.csv\n    column: close\n")
        text = text.replacingOccurrences(of: "    startMonth: 7\n", with: "    startMonth: 1\n")
        do {
            return (try ScenarioLoader.load(yaml: text, file: dir.appendingPathComponent("s.yaml").path, baseDirectory: dir.path), "")
        } catch {
            return (nil, error.description)
        }
    }

    /// Daily prices for `days` days from 2024-01-01: 40,000 + 10 x day.
    static func csv(days: Int, skip: Int? = nil) -> String {
        var text = "date,close\n"
        for d in 0..<days where d != skip {
            text += "\(TimedSeries.date(fromDay: TimedSeries.dayNumber("2024-01-01")! + d)),\(40_000 + 10 * d)\n"
        }
        return text
    }

    @Test("A replayed price is read exactly, day by day, and is the same on every path")
    func readExactly() throws {
        let (loaded, message) = try Self.scenario(replay: Self.csv(days: 70))
        let s = try #require(loaded, "\(message)")
        let replay = try #require(s.bitcoin.priceReplay)
        #expect(replay.count == 62)  // 2 months of 730 h: 60.8 days, every day the run touches
        for (d, value) in replay.enumerated() { #expect(value == Double(40_000 + 10 * d)) }
        #expect(s.bitcoin.initialPriceUSD == 40_000)
        // In the environment: the price of the day each step ends in.
        var environment = Environment(scenario: s, seed: 1, path: 0)
        var other = Environment(scenario: s, seed: 99, path: 7)
        for k in 1...200 {
            environment.advance()
            other.advance()
            let day = Int(Double(k) * s.stepHours / 24)
            #expect(environment.btcPriceUSD == Double(40_000 + 10 * day), "step \(k)")
            #expect(other.btcPriceUSD == environment.btcPriceUSD)
        }
    }

    @Test("A replay that misses a day, ends early or has a bad value is refused with the file and the date")
    func badReplays() throws {
        let gap = try Self.scenario(replay: Self.csv(days: 70, skip: 20))
        #expect(gap.0 == nil)
        #expect(gap.1.contains("has no 'close' for 2024-01-21"), "\(gap.1)")
        #expect(gap.1.contains("every day from 2024-01-01 to 2024-03-02"))
        let short = try Self.scenario(replay: Self.csv(days: 30))
        #expect(short.1.contains("has no 'close' for 2024-01-31"))
        let bad = try Self.scenario(replay: "date,close\n2024-01-01,abc\n")
        #expect(bad.1.contains("is not a finite number"), "\(bad.1)")
        let missingColumn = try Self.scenario(replay: "date,price\n2024-01-01,1\n")
        #expect(missingColumn.1.contains("no column 'close'"))
        let negative = try Self.scenario(replay: Self.csv(days: 70).replacingOccurrences(of: "2024-01-05,40040", with: "2024-01-05,-3"))
        #expect(negative.1.contains("on 2024-01-05 is -3.0: a price must be > 0"), "\(negative.1)")
    }
}

/// The backtest example runs on the real replayed BTC price.
struct BacktestExampleTests {
    @Test("Examples/backtest loads, replays the real BTC close, and runs the profitability network")
    func backtestRuns() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let data = root.deletingLastPathComponent().appendingPathComponent("shared/data/btc_usd_daily.csv").path
        guard FileManager.default.fileExists(atPath: data) else {
            Issue.record("shared/data/btc_usd_daily.csv is not beside the repository (CI lays shared/ there)")
            return
        }
        var s = try ScenarioLoader.load(path: root.appendingPathComponent("Examples/backtest/backtest-2024.yaml").path)
        #expect(s.bitcoin.profitability != nil)
        // The close of 2024-01-01 in the data file.
        #expect(s.bitcoin.priceReplay?.first == 44_167.332031)
        s.horizonMonths = 24
        let r = SiteModel.run(scenario: s, seed: 1, path: 0)
        #expect(r.months.count == 24)
        #expect(r.months.allSatisfy { $0.averageNetworkHashrateEHs.isFinite && $0.averageNetworkHashrateEHs > 0 })
        // The hashprice fell at the April 2024 halving (month 4 to month 5).
        #expect(r.months[4].averageHashpriceUSDPerPHDay < 0.75 * r.months[3].averageHashpriceUSDPerPHDay)
    }
}
