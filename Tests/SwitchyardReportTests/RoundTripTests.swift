// SPDX-License-Identifier: GPL-3.0-or-later

import Foundation
import SwitchyardModel
import SwitchyardReport
import SwitchyardRisk
import Testing

/// The Inputs sheet and `scenario export` give back the scenario that was run: every
/// key, the catalogue entries, replays and traces.
struct RoundTripTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// A scenario that sets (nearly) every key to something other than its default,
    /// with replays of all four kinds and a job trace.
    static func kitchenSink(in directory: URL) throws -> Scenario {
        // Daily fees and GPU rents, hourly power prices, for 2015-01 and 2015-02.
        var fees = "date,fees_btc\n", rents = "day,usd\n", power = "date,hour_ending,price\n"
        var day = DateComponents(calendar: Calendar(identifier: .gregorian), timeZone: TimeZone(identifier: "UTC"), year: 2015, month: 1, day: 1).date!
        for k in 0..<62 {
            let label = ISO8601DateFormatter.string(from: day, timeZone: TimeZone(identifier: "UTC")!, formatOptions: [.withFullDate])
            if k != 10 { fees += "\(label),\(0.1 + 0.01 * Double(k % 7))\n" }  // day 11 missing: fill: previous
            rents += "\(label),\(2 + 0.01 * Double(k % 5))\n"
            for h in 1...24 { power += "\(label),\(h),\(20 + Double((k * 24 + h) % 37) * 1.5)\n" }
            day = day.addingTimeInterval(86_400)
        }
        try fees.write(to: directory.appendingPathComponent("fees.csv"), atomically: true, encoding: .utf8)
        try rents.write(to: directory.appendingPathComponent("rents.csv"), atomically: true, encoding: .utf8)
        try power.write(to: directory.appendingPathComponent("power.csv"), atomically: true, encoding: .utf8)
        let btc = repository.appendingPathComponent("Examples/data/btc-usd-daily-2014-2021.csv").path
        let trace = repository.appendingPathComponent("Examples/data/tiresias-60-jobs.csv").path
        let yaml = """
            name: "Kitchen sink: every key"
            startMonth: 2015-01
            horizonMonths: 2
            stepHours: 12
            discountRatePerYear: 0.11
            site:
              interconnectMW: 30
              halls:
                - {name: A, cooling: immersion, pue: 1.07, powerMW: 14, racks: 400, kWPerRack: 40}
                - {name: B, cooling: liquid, pue: 1.2, powerMW: 14, racks: 200, kWPerRack: 130}
            electricity:
              ppaShare: 0.25
              ppaPriceUSDPerMWh: 31.5
              market:
                replay: power.csv
                column: price
                hourColumn: hour_ending
                scale: 1.1
                basePriceUSDPerMWh: 33
                seasonalAmplitude: 0.2
                seasonalPeak: 0.6
                meanReversionPerYear: 50
                volatility: 1.5
                spikesPerYear: 3
                spikeLogMean: 0.30000000000000004
                spikeLogSD: 0.3
              demandResponse: {creditUSDPerMWh: 12, thresholdUSDPerMWh: 90, availabilityUSDPerMWMonth: 1500}
              transmission: {fourCPUSDPerKWYear: 55, peakMonths: [7, 8]}
            bitcoin:
              price: {replay: \(btc), column: Close, dateColumn: Date, fill: previous, model: merton, drift: 0.1, volatility: 0.6, jumpsPerYear: 4, jumpLogMean: -0.02, jumpLogSD: 0.1}
              fees: {replay: fees.csv, fill: previous, initialBTCPerBlock: 0.3, logVolatility: 2, meanReversionPerYear: 8, spikesPerYear: 1, spikeLogMean: 1, spikeLogSD: 0.2}
              network:
                model: trend
                initialBlockHeight: 336000
                initialHashrateEHs: 2
                growthPerYear: 0.5
                priceElasticity: 0.4
                adjustmentPerYear: 5
                priceLagYears: 0.25
                volatility: 0.2
                priceCorrelation: 0.3
            mining:
              - hall: A
                asic: Antminer S19j Pro
                units: 3000
                uptime: 0.93
                opexUSDPerMWh: 2.5
                refresh: {month: 2, asic: Antminer S21, units: 2000, salvageFraction: 0.2}
              - {hall: B, asic: Antminer S19j Pro, units: 1000}
            gpuCloud:
              hall: B
              gpu: H100 SXM
              gpus: 512
              scheduler: priority
              price: {replay: rents.csv, dateColumn: day, column: usd, floorUSDPerGPUHour: 1.2, decayPerYear: 0.3, meanReversionPerYear: 4, volatility: 0.2}
              demand: {trace: \(trace)}
              opexUSDPerGPUHour: 0.3
              replaceAtEndOfLife: true
              maxWaitHours: 48
              initialAgeYears: 1.5
              placement: {domain: pod, podRacks: 2, policy: bestFit, serversPerRack: 4, wholeServers: true}
            colocation:
              - hall: A
                criticalITMW: 1
                priceUSDPerKWMonth: 120
                termMonths: 60
                escalatorPerYear: 0.02
                startMonth: 1
                rampMonths: 3
                defaultPerYear: 0.01
                renewals: {options: 1, termMonths: 36, probability: 0.5, rent: escalated, marketSpread: 0.1}
            conversions:
              - hall: A
                megawatts: 5
                startMonth: 2
                leadTimeMonths: 1
                leadTimeRange: {low: 0, high: 3, shape: triangular}
                capexUSDPerMW: 8000000
                capexOverrun: {low: -0.1, mode: 0.05, high: 0.5}
                newPUE: 1.25
                reusableFraction: 0.1
                asicSalvageFraction: 0.3
                target:
                  colocation: {priceUSDPerKWMonth: 140, termMonths: 120, escalatorPerYear: 0.03, rampMonths: 2, afterTerm: relet, reletVacancyMonths: 4, reletTermMonths: 48, reletCapexUSDPerMW: 1000000}
              - {hall: B, megawatts: 2, startMonth: 2, leadTimeMonths: 1, capexUSDPerMW: 9000000, newPUE: 1.2, racks: {cooling: liquid, kWPerRack: 120}, target: {gpuCloud: {gpus: 256}}}
            opex: {fixedUSDPerMonth: 90000}
            colocationMarket: {rentUSDPerKWMonth: 125, growthPerYear: 0.01}
            valuation: {terminalValue: gordon, growthPerYear: 0.02, landValueUSDPerMW: 200000}
            finance:
              colocationOpex: {usdPerKWMonth: 12}
              tax:
                rate: 0.25
                lossOffsetShare: 0.7
                conversionDepreciation: {method: straightLine, years: 12, bonusShare: 0.4}
                gpuDepreciation: {method: macrs, years: 7}
              debt: {loanToCost: 0.5, ratePerYear: 0.09, tenorYears: 7.5, amortisation: straightLine}
              equityDiscountRatePerYear: 0.16
              contractDiscountRatePerYear: 0.085
              startingCashUSD: 25000000
            sensitivity:
              swing: 0.15
              ranges:
                - {input: conversion capex, low: 7000000, high: 11000000}
                - {input: BTC price (initial), low: 200, high: 400}
            """
        let file = directory.appendingPathComponent("kitchen-sink.yaml")
        try yaml.write(to: file, atomically: true, encoding: .utf8)
        return try ScenarioLoader.load(path: file.path)
    }

    /// The reference sites, the examples and the kitchen sink.
    static func scenarios() throws -> [Scenario] {
        let directory = try temporaryDirectory()
        var all = try ScenarioLoader.builtinScenarioNames.map { try ScenarioLoader.builtin($0) }
        for example in ["Examples/backtest/backtest-2024.yaml"] {
            let path = repository.appendingPathComponent(example).path
            // The examples replay files from ../shared/data, which a bare clone may not have.
            if let s = try? ScenarioLoader.load(path: path) { all.append(s) }
        }
        all.append(try kitchenSink(in: directory))
        return all
    }

    @Test("The kitchen sink sets every key the export writes for it to a non-default value where it can")
    func kitchenSinkIsRich() throws {
        let s = try Self.kitchenSink(in: try temporaryDirectory())
        let keys = Set(ScenarioExport.entries(s).map(\.key))
        for key in [
            "electricity.market.replay", "electricity.market.hourColumn", "bitcoin.price.replay", "bitcoin.fees.fill",
            "gpuCloud.price.replay", "gpuCloud.demand.trace", "mining[0].refresh.units", "colocation[0].renewals.rent",
            "conversions[0].target.colocation.reletCapexUSDPerMW", "conversions[0].capexOverrun.mode", "conversions[0].leadTimeRange.shape",
            "finance.tax.conversionDepreciation.bonusShare", "finance.debt.amortisation", "sensitivity.ranges[1].input",
            "catalog.asics[1].name", "catalog.gpus[0].lifetimeYears", "electricity.transmission.peakMonths[1]",
            "gpuCloud.placement.podRacks", "gpuCloud.placement.policy", "gpuCloud.placement.serversPerRack",
            "gpuCloud.placement.wholeServers", "conversions[1].racks.cooling", "conversions[1].racks.kWPerRack",
        ] {
            #expect(keys.contains(key), "\(key)")
        }
        #expect(s.bitcoin.feesReplay?.filledPeriods == 1)
    }

    /// The other branches of either-or keys: a physical PPA, a lease that ends as a
    /// shell, no value at the horizon, a multiple, straight-line debt, a bullet loan.
    static func variants() throws -> [Scenario] {
        var a = try ScenarioLoader.builtin()
        a.electricity.ppa = Electricity.PPA(volume: .shareOfLoad(0.35), strikeUSDPerMWh: 30.5, startMonth: 2, termMonths: 36)
        if case .colocation(var lease) = a.conversions[0].target {
            lease.afterTerm = .shell
            lease.reletCapexUSDPerMW = 0
            lease.renewals = LeaseRenewals()
            a.conversions[0].target = .colocation(lease)
        }
        a.valuation.method = .none
        a.finance.colocationOpex = .usdPerKWMonth(11.5)
        a.finance.debt?.amortisation = .bullet
        a.name = "Variant A"
        var b = try ScenarioLoader.builtin("small-miner-20mw")
        b.valuation.method = .gordon(growthPerYear: 0.01)
        b.finance.tax = FinanceTerms.Tax(rate: 0.3, lossOffsetShare: 0.5, conversion: .straightLine(years: 20), gpus: .bonus(share: 0.6, rest: .macrs(years: 5)))
        b.name = "Variant B"
        return [a, b]
    }

    @Test("scenario export: the YAML loads back to the same scenario, for every reference and example scenario")
    func yamlRoundTrip() throws {
        for s in try Self.scenarios() + Self.variants() {
            let text = try ScenarioExport.yaml(s, header: "test")
            let back = try ScenarioLoader.load(yaml: text, file: "export.yaml", baseDirectory: nil)
            #expect(back == s, "\(s.name)")
            // The export of the export is the same text: nothing drifts.
            #expect(try ScenarioExport.yaml(back, header: "test") == text, "\(s.name)")
        }
    }

    @Test("Each workbook's Inputs sheet reads back to the scenario that was run, every key")
    func workbookRoundTrip() throws {
        let directory = try temporaryDirectory()
        for s in try Self.scenarios() {
            let scenario = s
            let result = SiteModel.run(scenario: scenario, seed: 5, path: 0)
            let file = directory.appendingPathComponent("simulate-\(UUID().uuidString).xlsx").path
            try XLSXReport.writeSimulation(result, scenario: scenario, seed: 5, path: 0, info: .init(version: "t", command: "simulate"), to: file, replace: false)
            let back = try WorkbookScenario.load(path: file)
            #expect(back == scenario, "\(s.name)")
        }
        // The risk and plan workbooks carry the same sheet.
        let (s, r, bars) = try WorkbookTests.riskRun()
        let risk = directory.appendingPathComponent("risk.xlsx").path
        try XLSXReport.writeRisk(r, scenario: s, tornado: bars, comparison: nil, info: .init(version: "t", command: "risk"), to: risk, replace: false)
        #expect(try WorkbookScenario.load(path: risk) == s)
        let plan = directory.appendingPathComponent("plan.xlsx").path
        let sheet = PlanSheet(
            scenario: s.name, seed: 1, trainingPaths: 2, evaluationPaths: 2, objective: "maximise mean NPV", recommendation: "Keep mining.",
            policies: [], recommendedInSampleMeanNPVUSD: 0, valueOfFlexibilityUSD: 0, valueOfFlexibilitySEUSD: 0, candidates: [])
        try XLSXReport.writePlan(sheet, scenario: s, info: .init(version: "t", command: "plan"), to: plan, replace: false)
        #expect(try WorkbookScenario.load(path: plan) == s)
    }

    @Test("A bad value in the Inputs sheet is reported with the workbook, the sheet, the row and the key")
    func workbookErrors() throws {
        let directory = try temporaryDirectory()
        var s = try ScenarioLoader.builtin("small-miner-20mw")
        s.horizonMonths = 2
        let result = SiteModel.run(scenario: s, seed: 1, path: 0)
        let file = directory.appendingPathComponent("book.xlsx").path
        try XLSXReport.writeSimulation(result, scenario: s, seed: 1, path: 0, info: .init(version: "t", command: "simulate"), to: file, replace: false)
        // Edit the sheet as an analyst would: a negative volatility.
        var entries = ScenarioExport.entries(s)
        let k = entries.firstIndex { $0.key == "bitcoin.price.volatility" }!
        entries[k].value = .number(-1)
        do {
            _ = try ScenarioLoader.load(entries: entries, file: file, baseDirectory: nil) { "\(file), sheet Inputs, row \($0 + 2)" }
            Issue.record("a negative volatility was accepted")
        } catch {
            let message = "\(error)"
            #expect(message.contains("book.xlsx, sheet Inputs, row \(k + 2): bitcoin.price.volatility = -1: must be between 0.0 and 5.0"), "\(message)")
        }
        // A key that is not one, and an index out of order.
        entries = ScenarioExport.entries(s)
        entries.append(ScenarioEntry(key: "bitcoin.price.volatilty", value: .number(0.5)))
        do {
            _ = try ScenarioLoader.load(entries: entries, file: file, baseDirectory: nil) { "row \($0 + 2)" }
            Issue.record("a misspelt key was accepted")
        } catch {
            #expect("\(error)".contains("row \(entries.count + 1): bitcoin.price.volatilty: unknown key (did you mean 'volatility'?)"), "\(error)")
        }
        entries = ScenarioExport.entries(s)
        entries.append(ScenarioEntry(key: "site.halls[5].name", value: .text("C")))
        #expect(throws: ScenarioError.self) { try ScenarioLoader.load(entries: entries, file: file, baseDirectory: nil) { "row \($0)" } }
        // Not a workbook, and a workbook without an Inputs sheet.
        let text = directory.appendingPathComponent("not.xlsx")
        try "hello".write(to: text, atomically: true, encoding: .utf8)
        do {
            _ = try WorkbookScenario.load(path: text.path)
            Issue.record("a text file was read as a workbook")
        } catch {
            #expect("\(error)".contains("not an XLSX workbook"), "\(error)")
        }
    }
}

/// Hostile workbooks and names: each gets a clear message, never a crash, a hang or a
/// silently different scenario.
struct HostileWorkbookTests {
    /// A minimal XLSX package whose Inputs sheet has the given cells XML (`<row>`s).
    static func workbook(rows: String, at path: String) throws {
        let script = """
            import sys, zipfile
            rows = sys.argv[2]
            z = zipfile.ZipFile(sys.argv[1], 'w')
            z.writestr('[Content_Types].xml', '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
            z.writestr('xl/workbook.xml', '<workbook xmlns:r="r"><sheets><sheet name="Inputs" sheetId="1" r:id="rId1"/></sheets></workbook>')
            z.writestr('xl/_rels/workbook.xml.rels', '<Relationships><Relationship Id="rId1" Type="worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
            z.writestr('xl/worksheets/sheet1.xml', '<worksheet><sheetData>' + rows + '</sheetData></worksheet>')
            z.close()
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, path, rows]
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }

    static func message(_ path: String) -> String {
        do {
            _ = try WorkbookScenario.load(path: path)
            return "loaded"
        } catch {
            return "\(error)"
        }
    }

    @Test("A formula without a computed value, a folder, an absurd key or row: a message, not a default, a hang or a crash")
    func hostileWorkbooks() throws {
        let dir = try temporaryDirectory()
        let header = #"<row r="1"><c r="A1" t="inlineStr"><is><t>Key</t></is></c><c r="B1" t="inlineStr"><is><t>Value</t></is></c></row>"#
        let formula = dir.appendingPathComponent("formula.xlsx").path
        try Self.workbook(rows: header + #"<row r="2"><c r="A2" t="inlineStr"><is><t>name</t></is></c><c r="B2"><f>1+1</f></c></row>"#, at: formula)
        #expect(Self.message(formula).contains("row 2: name: is a formula with no computed value"), "\(Self.message(formula))")
        let longKey = dir.appendingPathComponent("long.xlsx").path
        let key = "valuation" + String(repeating: ".a", count: 50_000)
        try Self.workbook(rows: header + #"<row r="2"><c r="A2" t="inlineStr"><is><t>\#(key)</t></is></c><c r="B2"><v>1</v></c></row>"#, at: longKey)
        #expect(Self.message(longKey).contains("is not a scenario key"), "\(Self.message(longKey).prefix(300))")
        let overflow = dir.appendingPathComponent("overflow.xlsx").path
        try Self.workbook(rows: header + #"<row r="9223372036854775807"></row><row><c><v>1</v></c></row>"#, at: overflow)
        #expect(Self.message(overflow).contains("out of range"), "\(Self.message(overflow))")
        let folder = dir.appendingPathComponent("folder.xlsx")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        #expect(Self.message(folder.path).contains("is a folder, not a workbook"))
        let twice = dir.appendingPathComponent("twice.xlsx").path
        try Self.workbook(
            rows: header + #"<row r="2"><c r="A2" t="inlineStr"><is><t>name</t></is></c><c r="B2" t="inlineStr"><is><t>a</t></is></c></row>"#
                + #"<row r="3"><c r="A3" t="inlineStr"><is><t>name</t></is></c><c r="B3" t="inlineStr"><is><t>b</t></is></c></row>"#, at: twice)
        #expect(Self.message(twice).contains("row 3: name = b: is given twice"), "\(Self.message(twice))")
        #expect(Self.message(twice).contains("row 2"), "names the earlier row")
    }

    @Test("A missing key is reported as missing, not at another key's row")
    func missingKey() throws {
        var entries = ScenarioExport.entries(try ScenarioLoader.builtin("small-miner-20mw"))
        entries.removeAll { $0.key == "discountRatePerYear" }
        do {
            _ = try ScenarioLoader.load(entries: entries, file: "book.xlsx", baseDirectory: nil) { "book.xlsx, sheet Inputs, row \($0 + 2)" }
            Issue.record("a scenario without a discount rate loaded")
        } catch {
            #expect("\(error)".contains("book.xlsx: discountRatePerYear: is required (no row has this key: add it)"), "\(error)")
        }
    }

    @Test("A name with line breaks and control characters: the export and the workbook give back the same scenario, no key injected")
    func injectedNames() throws {
        var s = try ScenarioLoader.builtin("small-miner-20mw")
        s.name = "Site\rfinance: {tax: {rate: 0.9}} #\u{2028}horizonMonths: 1\u{1}\u{85}end_x0041_"
        let text = try ScenarioExport.yaml(s, header: "exported from \(s.name)")
        let back = try ScenarioLoader.load(yaml: text, file: "export.yaml", baseDirectory: nil)
        #expect(back == s)
        #expect(back.finance.tax == nil && back.horizonMonths == s.horizonMonths)
        let file = try temporaryDirectory().appendingPathComponent("names.xlsx").path
        s.horizonMonths = 3
        s.conversions[0].startMonth = 2
        let result = SiteModel.run(scenario: s, seed: 1, path: 0)
        try XLSXReport.writeSimulation(result, scenario: s, seed: 1, path: 0, info: .init(version: "t", command: "simulate"), to: file, replace: false)
        #expect(try WorkbookScenario.load(path: file) == s, "control characters survive the workbook (_xHHHH_ escapes)")
    }
}
