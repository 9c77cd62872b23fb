// SPDX-License-Identifier: GPL-3.0-or-later

import Foundation
internal import Yams
import SwitchyardStochastic

/// Reads and validates scenario and catalogue files (YAML). Every problem is reported
/// with file, line, field path, value and rule; all problems at once.
public enum ScenarioLoader {
    /// Loads a scenario file. Its `catalog:` key (a folder relative to the file, holding
    /// `asics.yaml` and `gpus.yaml`) defaults to the built-in catalogue.
    public static func load(path: String) throws(ScenarioError) -> Scenario {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            let reason = FileManager.default.fileExists(atPath: path) ? "cannot be read as UTF-8 text" : "no such file"
            throw ScenarioError(issues: [ScenarioIssue(file: path, line: nil, path: "(file)", value: "", rule: reason)])
        }
        let base = URL(fileURLWithPath: path).deletingLastPathComponent().path
        return try load(yaml: text, file: path, baseDirectory: base)
    }

    /// The built-in reference scenario `name` (see ``builtinScenarioNames``).
    public static func builtin(_ name: String = "texas-200mw") throws(ScenarioError) -> Scenario {
        guard let text = BuiltinFiles.files["\(name).yaml"] else {
            throw ScenarioError(issues: [
                ScenarioIssue(
                    file: "\(name).yaml", line: nil, path: "(built-in)", value: name,
                    rule: "no such built-in scenario; known: \(builtinScenarioNames.joined(separator: ", "))")
            ])
        }
        return try load(yaml: text, file: "Models/\(name).yaml", baseDirectory: nil)
    }

    public static var builtinScenarioNames: [String] {
        BuiltinFiles.files.keys.filter { !$0.hasPrefix("catalog/") }.map { String($0.dropLast(5)) }.sorted()
    }

    /// The catalogue shipped in Models/catalog (embedded in the binary).
    public static func builtinCatalog() throws(ScenarioError) -> Catalog {
        try loadCatalog(
            asics: BuiltinFiles.files["catalog/asics.yaml"]!, asicsFile: "Models/catalog/asics.yaml",
            gpus: BuiltinFiles.files["catalog/gpus.yaml"]!, gpusFile: "Models/catalog/gpus.yaml")
    }

    /// Parses scenario text. `baseDirectory` resolves relative paths (catalogue, traces).
    public static func load(yaml text: String, file: String, baseDirectory: String?) throws(ScenarioError) -> Scenario {
        let reader = YAMLReader(file: file)
        guard let root = reader.root(text) else { throw ScenarioError(issues: reader.issues) }
        var catalog: Catalog?
        if let node = root.node("catalog", required: false), case .mapping = node {
            // The entries themselves (as an export writes them).
            guard let inline = reader.fields(node, path: "catalog") else { throw ScenarioError(issues: reader.issues) }
            catalog = Catalog(asics: asicModels(inline, reader: reader), gpus: gpuModels(inline, reader: reader))
            inline.finish(known: [])
        } else if let folder = root.string("catalog", default: "") , !folder.isEmpty {
            let directory = resolve(folder, base: baseDirectory)
            do {
                catalog = try loadCatalog(directory: directory)
            } catch {
                throw ScenarioError(issues: reader.issues + error.issues)
            }
        } else {
            catalog = try builtinCatalog()
        }
        let parser = ScenarioParser(reader: reader, catalog: catalog!, baseDirectory: baseDirectory)
        let scenario = parser.scenario(root)
        guard reader.issues.isEmpty, let scenario else { throw ScenarioError(issues: reader.issues) }
        let problems = ScenarioValidator.validate(scenario, file: file, line: reader.line(of:))
        guard problems.isEmpty else { throw ScenarioError(issues: problems) }
        return scenario
    }

    public static func loadCatalog(directory: String) throws(ScenarioError) -> Catalog {
        let asicsFile = (directory as NSString).appendingPathComponent("asics.yaml")
        let gpusFile = (directory as NSString).appendingPathComponent("gpus.yaml")
        var issues: [ScenarioIssue] = []
        func read(_ path: String) -> String {
            if let text = try? String(contentsOfFile: path, encoding: .utf8) { return text }
            issues.append(ScenarioIssue(file: path, line: nil, path: "(file)", value: "", rule: "catalogue file not found"))
            return ""
        }
        let (asics, gpus) = (read(asicsFile), read(gpusFile))
        guard issues.isEmpty else { throw ScenarioError(issues: issues) }
        return try loadCatalog(asics: asics, asicsFile: asicsFile, gpus: gpus, gpusFile: gpusFile)
    }

    static func loadCatalog(asics: String, asicsFile: String, gpus: String, gpusFile: String) throws(ScenarioError)
        -> Catalog
    {
        let asicReader = YAMLReader(file: asicsFile)
        var asicModels: [ASICModel] = []
        if let root = asicReader.root(asics) {
            asicModels = Self.asicModels(root, reader: asicReader, required: true)
            root.finish(known: [])
        }
        let gpuReader = YAMLReader(file: gpusFile)
        var gpuModels: [GPUModel] = []
        if let root = gpuReader.root(gpus) {
            gpuModels = Self.gpuModels(root, reader: gpuReader, required: true)
            root.finish(known: [])
        }
        let issues = asicReader.issues + gpuReader.issues
        guard issues.isEmpty else { throw ScenarioError(issues: issues) }
        return Catalog(asics: asicModels, gpus: gpuModels)
    }

    /// The `asics:` list of a catalogue file (or of an inline `catalog:`).
    static func asicModels(_ root: Fields, reader: YAMLReader, required: Bool = false) -> [ASICModel] {
        var models: [ASICModel] = []
        for (node, path) in root.sequence("asics", required: required) {
            guard let f = reader.fields(node, path: path) else { continue }
            let name = f.string("name")
            let th = f.double("hashrateTHs", .range(0.001, 1e6))
            let w = f.double("powerW", .range(0.1, 1e6))
            let price = f.double("priceUSD", .range(0, 1e9))
            f.finish(known: [])
            if let name, let th, let w, let price {
                if models.contains(where: { $0.name == name }) {
                    reader.report(path: f.child("name"), line: f.line, value: name, rule: "names a model listed before")
                }
                models.append(ASICModel(name: name, hashrateTHs: th, powerW: w, priceUSD: price))
            }
        }
        return models
    }

    /// The `gpus:` list of a catalogue file (or of an inline `catalog:`).
    static func gpuModels(_ root: Fields, reader: YAMLReader, required: Bool = false) -> [GPUModel] {
        var models: [GPUModel] = []
        for (node, path) in root.sequence("gpus", required: required) {
            guard let f = reader.fields(node, path: path) else { continue }
            let name = f.string("name")
            let w = f.double("serverPowerWPerGPU", .range(0.1, 1e6))
            let perServer = f.int("gpusPerServer", .range(1, 1_000))
            let price = f.double("priceUSD", .range(0, 1e9))
            let life = f.double("lifetimeYears", .range(0.1, 100))
            f.finish(known: [])
            if let name, let w, let perServer, let price, let life {
                if models.contains(where: { $0.name == name }) {
                    reader.report(path: f.child("name"), line: f.line, value: name, rule: "names a model listed before")
                }
                models.append(GPUModel(name: name, serverPowerWPerGPU: w, gpusPerServer: perServer, priceUSD: price, lifetimeYears: life))
            }
        }
        return models
    }

    static func resolve(_ path: String, base: String?) -> String {
        // Absolute, so that a scenario exported to a workbook or a file elsewhere still
        // finds its data.
        let joined = path.hasPrefix("/") || base == nil ? path : (base! as NSString).appendingPathComponent(path)
        return URL(fileURLWithPath: joined).standardizedFileURL.path
    }
}

/// Field-by-field parsing of a scenario document (structure, types, ranges).
struct ScenarioParser {
    let reader: YAMLReader
    let catalog: Catalog
    let baseDirectory: String?

    func scenario(_ root: Fields) -> Scenario? {
        let name = root.string("name")
        let startMonth = root.string("startMonth", default: "2025-01")
        if let startMonth, startMonth.range(of: #"^\d{4}-(0[1-9]|1[0-2])$"#, options: .regularExpression) == nil {
            reader.report(path: "startMonth", line: root.node("startMonth", required: false)?.mark?.line, value: startMonth, rule: "must be a month as YYYY-MM")
        }
        let horizon = root.int("horizonMonths", .range(1, 600))
        let step = root.double("stepHours", default: 24, .range(1, 730))
        let discount = root.double("discountRatePerYear", .range(-0.5, 1))
        let site = root.fields("site").flatMap(site)
        let electricity = root.fields("electricity").flatMap { self.electricity($0, start: startMonth, horizon: horizon) }
        let bitcoin = root.fields("bitcoin").flatMap { self.bitcoin($0, start: startMonth, horizon: horizon) }
        let mining = root.sequence("mining").compactMap { item in reader.fields(item.node, path: item.path).flatMap(fleet) }
        let gpuCloud = root.fields("gpuCloud", required: false).flatMap { self.gpuCloud($0, start: startMonth, horizon: horizon) }
        let colocation = root.sequence("colocation").compactMap { item in
            reader.fields(item.node, path: item.path).flatMap { lease($0, hall: nil) }
        }
        let conversions = root.sequence("conversions").compactMap { item in
            reader.fields(item.node, path: item.path).flatMap(conversion)
        }
        let opex = root.fields("opex", required: false).map { f -> Opex in
            let fixed = f.double("fixedUSDPerMonth", default: 0, .range(0, 1e10)) ?? 0
            f.finish(known: [])
            return Opex(fixedUSDPerMonth: fixed)
        } ?? Opex(fixedUSDPerMonth: 0)
        let sensitivity = root.fields("sensitivity", required: false).map(sensitivity) ?? Sensitivity()
        let market = root.fields("colocationMarket", required: false).flatMap { f -> ColocationMarket? in
            let rent = f.double("rentUSDPerKWMonth", .positive)
            let growth = f.double("growthPerYear", default: 0, .range(-0.5, 0.5))
            f.finish(known: [])
            guard let rent, let growth else { return nil }
            return ColocationMarket(rentUSDPerKWMonth: rent, growthPerYear: growth)
        }
        let valuation = root.fields("valuation", required: false).map { self.valuation($0, discount: discount) } ?? Valuation()
        let finance = root.fields("finance", required: false).map(self.finance) ?? FinanceTerms()
        _ = root.node("catalog", required: false)
        root.finish(known: [])
        guard let name, let startMonth, let horizon, let step, let discount, let site, let electricity, let bitcoin
        else { return nil }
        return Scenario(
            name: name, startMonth: startMonth, horizonMonths: horizon, stepHours: step, discountRatePerYear: discount,
            site: site, electricity: electricity, bitcoin: bitcoin, mining: mining, gpuCloud: gpuCloud,
            colocation: colocation, conversions: conversions, opex: opex, colocationMarket: market,
            valuation: valuation, finance: finance, sensitivity: sensitivity)
    }

    /// `finance: {colocationOpex, tax, debt, equityDiscountRatePerYear, contractDiscountRatePerYear, startingCashUSD}`.
    func finance(_ f: Fields) -> FinanceTerms {
        var terms = FinanceTerms()
        if let o = f.fields("colocationOpex", required: false) {
            if o.has("shareOfRent") == o.has("usdPerKWMonth") {
                reader.report(path: o.path, line: o.line, value: "", rule: "needs exactly one of shareOfRent and usdPerKWMonth")
            }
            if o.has("shareOfRent"), let share = o.double("shareOfRent", .fraction) { terms.colocationOpex = .shareOfRent(share) }
            if o.has("usdPerKWMonth"), let rate = o.double("usdPerKWMonth", .range(0, 10_000)) { terms.colocationOpex = .usdPerKWMonth(rate) }
            o.finish(known: [])
        }
        if let t = f.fields("tax", required: false) {
            let rate = t.double("rate", .range(0, 0.9))
            let offset = t.double("lossOffsetShare", default: 1, .fraction)
            let conversion = t.fields("conversionDepreciation", required: false).flatMap(depreciation) ?? .macrs(years: 15)
            let gpus = t.fields("gpuDepreciation", required: false).flatMap(depreciation) ?? .macrs(years: 5)
            t.finish(known: [])
            if let rate, let offset { terms.tax = FinanceTerms.Tax(rate: rate, lossOffsetShare: offset, conversion: conversion, gpus: gpus) }
        }
        if let d = f.fields("debt", required: false) {
            let ltc = d.double("loanToCost", .fraction)
            let rate = d.double("ratePerYear", .range(0, 1))
            let tenor = d.double("tenorYears", .range(1.0 / 12, 50))
            let amortisation: FinanceTerms.Debt.Amortisation? = d.choice("amortisation", default: .annuity)
            d.finish(known: [])
            if let ltc, let rate, let tenor, let amortisation {
                terms.debt = FinanceTerms.Debt(loanToCost: ltc, ratePerYear: rate, tenorYears: tenor, amortisation: amortisation)
            }
        }
        if f.has("equityDiscountRatePerYear") { terms.equityDiscountRatePerYear = f.double("equityDiscountRatePerYear", .range(-0.5, 1)) }
        if f.has("contractDiscountRatePerYear") {
            terms.contractDiscountRatePerYear = f.double("contractDiscountRatePerYear", .range(-0.5, 1))
        }
        if f.has("startingCashUSD") { terms.startingCashUSD = f.double("startingCashUSD", .range(-1e12, 1e12)) }
        f.finish(known: [])
        return terms
    }

    /// `{method: straightLine|macrs, years: N, bonusShare: 0-1}`.
    func depreciation(_ f: Fields) -> FinanceTerms.Depreciation? {
        enum Method: String, CaseIterable { case straightLine, macrs }
        let method: Method? = f.choice("method")
        let years = f.int("years", .range(1, 50))
        let bonus = f.double("bonusShare", default: 0, .fraction)
        f.finish(known: [])
        guard let method, let years, let bonus else { return nil }
        var schedule = FinanceTerms.Depreciation.straightLine(years: years)
        if method == .macrs {
            guard FinanceTerms.Depreciation.macrsTables[years] != nil else {
                reader.report(path: f.child("years"), line: f.line, value: "\(years)", rule: "MACRS classes are 3, 5, 7, 10, 15 and 20 years")
                return nil
            }
            schedule = .macrs(years: years)
        }
        return bonus > 0 ? .bonus(share: bonus, rest: schedule) : schedule
    }

    /// `valuation: {terminalValue: none|gordon|multiple, growthPerYear, multiple, landValueUSDPerMW}`.
    func valuation(_ f: Fields, discount: Double?) -> Valuation {
        enum Kind: String, CaseIterable { case none, gordon, multiple }
        let kind: Kind? = f.choice("terminalValue")
        var result = Valuation()
        result.landValueUSDPerMW = f.double("landValueUSDPerMW", default: 0, .range(0, 1e9)) ?? 0
        switch kind {
        case .gordon:
            let g = f.double("growthPerYear", default: 0, .range(-0.5, 0.5)) ?? 0
            if let discount, g > discount - 0.01 {
                reader.report(
                    path: f.child("growthPerYear"), line: f.node("growthPerYear", required: false)?.mark?.line, value: "\(g)",
                    rule: "must be at least 1 point below discountRatePerYear (\(discount)): CF (1 + g) / (r - g) explodes as g nears r")
            }
            result.method = .gordon(growthPerYear: g)
        case .multiple:
            result.method = .multiple(f.double("multiple", .range(0, 100)) ?? 0)
        case .none?, nil:
            result.method = .none
        }
        if kind != .gordon && f.has("growthPerYear") {
            reader.report(
                path: f.child("growthPerYear"), line: f.node("growthPerYear", required: false)?.mark?.line, value: "",
                rule: "applies only with terminalValue: gordon (remove it, or set terminalValue: gordon)")
        }
        if kind != .multiple && f.has("multiple") {
            reader.report(
                path: f.child("multiple"), line: f.node("multiple", required: false)?.mark?.line, value: "",
                rule: "applies only with terminalValue: multiple (remove it, or set terminalValue: multiple)")
        }
        f.finish(known: ["growthPerYear", "multiple"])
        return result
    }

    /// `renewals: {options, termMonths, probability, rent: escalated|market, marketSpread}`.
    func renewals(_ f: Fields) -> LeaseRenewals? {
        let options = f.int("options", .range(0, 20))
        let term = f.int("termMonths", .range(1, 600))
        let probability = f.double("probability", .fraction)
        let rent: LeaseRenewals.Rent? = f.choice("rent", default: .escalated)
        let spread = f.double("marketSpread", default: 0, .range(-0.9, 2))
        f.finish(known: [])
        guard let options, let term, let probability, let rent, let spread else { return nil }
        return LeaseRenewals(options: options, termMonths: term, probability: probability, rent: rent, marketSpread: spread)
    }

    func sensitivity(_ f: Fields) -> Sensitivity {
        var result = Sensitivity(swing: f.has("swing") ? f.double("swing", .range(0.001, 0.99)) : nil)
        let known = SensitivityInput.standard.map(\.name)
        for (node, path) in f.sequence("ranges") {
            guard let r = reader.fields(node, path: path) else { continue }
            let name = r.string("input")
            let low = r.double("low")
            let high = r.double("high")
            r.finish(known: [])
            guard let name, let low, let high else { continue }
            if !known.contains(name) {
                reader.report(path: r.child("input"), line: r.line, value: name, rule: "not a sensitivity input; known: \(known.joined(separator: ", "))")
            } else if let input = SensitivityInput.standard.first(where: { $0.name == name }), !input.valid.contains(low) || !input.valid.contains(high) {
                reader.report(
                    path: r.child(input.valid.contains(low) ? "high" : "low"), line: r.line, value: "\(input.valid.contains(low) ? high : low)",
                    rule: "must be between \(input.valid.lowerBound) and \(input.valid.upperBound), as the scenario's own \(name) field")
            } else if !(low < high) {
                reader.report(path: r.child("low"), line: r.line, value: "\(low)", rule: "must be less than high (\(high))")
            } else if result.ranges[name] != nil {
                reader.report(path: r.child("input"), line: r.line, value: name, rule: "given twice")
            } else {
                result.ranges[name] = low...high
            }
        }
        f.finish(known: [])
        return result
    }

    func site(_ f: Fields) -> Site? {
        let interconnect = f.double("interconnectMW", .range(0.001, 100_000))
        let halls = f.sequence("halls", required: true).compactMap { item -> Hall? in
            guard let h = reader.fields(item.node, path: item.path) else { return nil }
            let name = h.string("name")
            let cooling: Cooling? = h.choice("cooling")
            let pue = h.double("pue", .range(1, 3))
            let power = h.double("powerMW", .range(0.001, 100_000))
            let racks = h.int("racks", .range(1, 10_000_000))
            let kW = h.double("kWPerRack", .range(0.01, 10_000))
            h.finish(known: [])
            guard let name, let cooling, let pue, let power, let racks, let kW else { return nil }
            return Hall(name: name, cooling: cooling, pue: pue, powerMW: power, racks: racks, kWPerRack: kW)
        }
        f.finish(known: [])
        guard let interconnect else { return nil }
        return Site(interconnectMW: interconnect, halls: halls)
    }

    func electricity(_ f: Fields, start firstMonth: String?, horizon horizonMonths: Int?) -> Electricity? {
        let hasPPA = f.has("ppa")
        let share = f.double("ppaShare", default: hasPPA ? 0 : nil, .fraction)
        let ppaPrice = f.double("ppaPriceUSDPerMWh", default: hasPPA ? 0 : nil, .range(0, 10_000))
        if hasPPA {
            for key in ["ppaShare", "ppaPriceUSDPerMWh"] where f.has(key) {
                reader.report(
                    path: f.child(key), line: f.node(key, required: false)?.mark?.line, value: "",
                    rule: "give either ppa (a contract) or ppaShare and ppaPriceUSDPerMWh, not both")
            }
        }
        let contract = f.fields("ppa", required: false).flatMap { p -> Electricity.PPA? in
            let volume = p.has("volumeMW") ? p.double("volumeMW", .range(0, 1e5)) : nil
            let shareOfLoad = p.has("shareOfLoad") ? p.double("shareOfLoad", .fraction) : nil
            let strike = p.double("strikeUSDPerMWh", .range(-1_000, 10_000))
            let start = p.int("startMonth", default: 1, .range(1, 600))
            let term = p.int("termMonths", .range(1, 1_200))
            if p.has("volumeMW") == p.has("shareOfLoad") {
                reader.report(path: p.path, line: p.line, value: "", rule: "needs exactly one of volumeMW (a financial contract for difference) and shareOfLoad (physical delivery)")
            }
            p.finish(known: [])
            guard let strike, let start, let term else { return nil }
            if let volume { return Electricity.PPA(volume: .fixedMW(volume), strikeUSDPerMWh: strike, startMonth: start, termMonths: term) }
            if let shareOfLoad { return Electricity.PPA(volume: .shareOfLoad(shareOfLoad), strikeUSDPerMWh: strike, startMonth: start, termMonths: term) }
            return nil
        }
        let market = f.fields("market").flatMap { marketPrice($0, start: firstMonth, horizon: horizonMonths) }
        var credit = 0.0
        var threshold = 0.0
        var availability = 0.0
        if let dr = f.fields("demandResponse", required: false) {
            credit = dr.double("creditUSDPerMWh", default: 0, .range(0, 10_000)) ?? 0
            threshold = dr.double("thresholdUSDPerMWh", default: 0, .range(0, 100_000)) ?? 0
            availability = dr.double("availabilityUSDPerMWMonth", default: 0, .range(0, 1e6)) ?? 0
            dr.finish(known: [])
        }
        let transmission = f.fields("transmission", required: false).flatMap { t -> Electricity.Transmission? in
            let rate = t.double("fourCPUSDPerKWYear", .range(0, 10_000))
            var months: [Int] = []
            let listed = t.has("peakMonths")
            for (node, path) in t.sequence("peakMonths") {
                guard let v = t.number(node, path: path, .range(1, 12)) else { continue }
                if v == v.rounded() { months.append(Int(v)) } else { reader.report(node, path: path, rule: "must be a whole calendar month, 1-12") }
            }
            if listed && months.isEmpty && t.sequence("peakMonths").isEmpty {
                reader.report(path: t.child("peakMonths"), line: t.line, value: "[]", rule: "needs at least one month (leave the key out for June-September)")
            }
            t.finish(known: [])
            guard let rate else { return nil }
            if Set(months).count != months.count {
                reader.report(path: t.child("peakMonths"), line: t.line, value: "\(months)", rule: "lists a month twice")
            }
            return Electricity.Transmission(usdPerKWYear: rate, peakMonths: months.isEmpty ? [6, 7, 8, 9] : months)
        }
        f.finish(known: [])
        guard let share, let ppaPrice, let market else { return nil }
        var result = Electricity(
            ppaShare: share, ppaPriceUSDPerMWh: ppaPrice, market: market, demandResponseCreditUSDPerMWh: credit,
            demandResponseThresholdUSDPerMWh: threshold)
        result.demandResponseAvailabilityUSDPerMWMonth = availability
        result.ppa = contract
        result.transmission = transmission
        return result
    }

    /// `electricity.market`: the price process, or a replay.
    func marketPrice(_ m: Fields, start firstMonth: String?, horizon horizonMonths: Int?) -> Electricity.MarketPrice? {
        let replaying = m.has("replay")
        let replay = replaying ? replayed(m, start: firstMonth, horizon: horizonMonths, defaultColumn: "price_usd_mwh", values: .any(magnitude: 100_000)) : nil
        if !replaying && m.has("meanPriceUSDPerMWh") == m.has("basePriceUSDPerMWh") {
            reader.report(
                path: m.path, line: m.line, value: "",
                rule: "needs exactly one of meanPriceUSDPerMWh (the long-run mean) and basePriceUSDPerMWh (the seasonal median level), or a replay")
        }
        // A replay's own mean stands for the level (a PPA's settlements past the horizon).
        let replayMean = replay.map { max(0.01, $0.values.reduce(0, +) / Double(max(1, $0.values.count))) }
        let mean = m.has("meanPriceUSDPerMWh") ? m.double("meanPriceUSDPerMWh", .range(0.01, 10_000)) : replayMean
        let base = m.has("basePriceUSDPerMWh") ? m.double("basePriceUSDPerMWh", .range(0.01, 10_000)) : mean
        let amplitude = m.double("seasonalAmplitude", default: 0, .range(0, 2))
        let peak = m.double("seasonalPeak", default: 0.55, .fraction)
        let kappa = m.double("meanReversionPerYear", default: replaying ? 1 : nil, .range(0.01, 100_000))
        let vol = m.double("volatility", default: replaying ? 0 : nil, .range(0, 100))
        let spikes = m.double("spikesPerYear", default: 0, .range(0, 10_000))
        let spikeMean = m.double("spikeLogMean", default: 0, .range(-10, 10))
        let spikeSD = m.double("spikeLogSD", default: 0, .range(0, 5))
        m.finish(known: [])
        guard let base, let amplitude, let peak, let kappa, let vol, let spikes, let spikeMean, let spikeSD
        else { return nil }
        var result = Electricity.MarketPrice(
            basePriceUSDPerMWh: base, seasonalAmplitude: amplitude, seasonalPeak: peak,
            meanReversionPerYear: kappa, volatility: vol, spikesPerYear: spikes, spikeLogMean: spikeMean,
            spikeLogSD: spikeSD)
        result.meanPriceUSDPerMWh = mean
        result.replay = replay
        if replaying && replay == nil { return nil }
        return result
    }

    func bitcoin(_ f: Fields, start: String?, horizon: Int?) -> BitcoinMarket? {
        let price = f.fields("price")
        var replay: Replay?
        let replaying = price?.has("replay") ?? false
        if let price, replaying {
            replay = replayed(price, start: start, horizon: horizon, defaultColumn: "close_usd", values: .positive(maximum: 1e12))
        }
        let model: BitcoinMarket.PriceModel? = price?.choice("model", default: .gbm)
        let initial = replaying ? replay?.values.first ?? 1 : price?.double("initialUSD", .range(1e-6, 1e12))
        let drift = price?.double("drift", default: replaying ? 0 : nil, .range(-2, 2))
        let vol = price?.double("volatility", default: replaying ? 0 : nil, .range(0, 5))
        let jumps = price?.double("jumpsPerYear", default: 0, .range(0, 1_000))
        let jumpMean = price?.double("jumpLogMean", default: 0, .range(-5, 5))
        let jumpSD = price?.double("jumpLogSD", default: 0, .range(0, 5))
        price?.finish(known: [])
        let fees = f.fields("fees")
        var feesReplay: Replay?
        let replayingFees = fees?.has("replay") ?? false
        if let fees, replayingFees {
            feesReplay = replayed(fees, start: start, horizon: horizon, defaultColumn: "fees_btc", values: .nonNegative(maximum: 100))
        }
        let feeMean = replayingFees ? feesReplay.map { $0.values.reduce(0, +) / Double(max(1, $0.values.count)) } ?? 0 : fees?.double("btcPerBlock", .range(0, 100))
        let feeVol = fees?.double("logVolatility", default: 0, .range(0, 20))
        let feeKappa = fees?.double("meanReversionPerYear", default: 12, .range(0.01, 10_000))
        let feeSpikes = fees?.double("spikesPerYear", default: 0, .range(0, 10_000))
        let feeSpikeMean = fees?.double("spikeLogMean", default: 0, .range(-10, 10))
        let feeSpikeSD = fees?.double("spikeLogSD", default: 0, .range(0, 5))
        let feeInitial = fees?.has("initialBTCPerBlock") == true ? fees?.double("initialBTCPerBlock", .range(1e-9, 100)) : nil
        fees?.finish(known: [])
        let network = f.fields("network")
        enum NetworkModel: String, CaseIterable { case trend, profitability }
        let networkModel: NetworkModel? = network?.choice("model", default: .trend)
        let height = network?.int("initialBlockHeight", .range(0, 6_930_000))
        let hashrate = network?.double("initialHashrateEHs", .range(1e-9, 1e9))
        var growth: Double? = 0
        var elasticity: Double? = 0
        var adjust: Double? = 4
        var profitability: ProfitabilityHashrate?
        var uncertainty = ProfitabilityHashrate.Uncertainty()
        if networkModel == .profitability {
            let efficiency = network?.double("efficiencyJPerTH", .range(0.1, 1e6))
            let improvement = network?.double("efficiencyImprovementPerYear", default: 0, .range(-1, 1))
            let cost = network?.double("costUSDPerMWh", .range(0.01, 10_000))
            let costGrowth = network?.double("costGrowthPerYear", default: 0, .range(-1, 1))
            let entry = network?.double("entryPerYear", .range(0.01, 1_000))
            let exit = network?.double("exitPerYear", .range(0.01, 1_000))
            if let efficiency, let improvement, let cost, let entry, let exit {
                profitability = ProfitabilityHashrate(
                    efficiencyJPerTH: efficiency, efficiencyImprovementPerYear: improvement, costUSDPerMWh: cost,
                    entryPerYear: entry, exitPerYear: exit, priceLagYears: 0, volatility: 0)
                profitability?.costGrowthPerYear = costGrowth ?? 0
            }
            if let u = network?.fields("uncertainty", required: false) {
                var sd = ProfitabilityHashrate.Uncertainty()
                sd.costUSDPerMWh = u.double("costUSDPerMWh", default: 0, .range(0, 10_000)) ?? 0
                sd.costGrowthPerYear = u.double("costGrowthPerYear", default: 0, .range(0, 1)) ?? 0
                sd.efficiencyImprovementPerYear = u.double("efficiencyImprovementPerYear", default: 0, .range(0, 1)) ?? 0
                sd.entryPerYear = u.double("entryPerYear", default: 0, .range(0, 1_000)) ?? 0
                sd.exitPerYear = u.double("exitPerYear", default: 0, .range(0, 1_000)) ?? 0
                u.finish(known: [])
                uncertainty = sd
            }
        } else {
            if let network {
                for key in ["efficiencyJPerTH", "efficiencyImprovementPerYear", "costUSDPerMWh", "costGrowthPerYear", "entryPerYear", "exitPerYear", "uncertainty"]
                where network.has(key) {
                    reader.report(
                        path: network.child(key), line: network.node(key, required: false)?.mark?.line, value: "",
                        rule: "applies only with model: profitability (this network is model: trend)")
                }
            }
            growth = network?.double("growthPerYear", default: 0, .range(-1, 3))
            elasticity = network?.double("priceElasticity", default: 0, .range(0, 5))
            adjust = network?.double("adjustmentPerYear", default: 4, .range(0.01, 1_000))
        }
        let lag = network?.double("priceLagYears", default: 0, .range(0, 5))
        let hvol = network?.double("volatility", default: 0, .range(0, 10))
        let rho = network?.double("priceCorrelation", default: 0, .correlation)
        network?.finish(known: networkModel == .profitability ? ["growthPerYear"] : ["efficiencyJPerTH", "uncertainty"])
        f.finish(known: [])
        guard let model, let initial, let drift, let vol, let jumps, let jumpMean, let jumpSD, let feeMean, let feeVol,
            let feeKappa, let height, let hashrate, let growth, let elasticity, let lag, let adjust, let hvol, let rho
        else { return nil }
        if networkModel == .profitability && profitability == nil { return nil }
        profitability?.priceLagYears = lag
        profitability?.volatility = hvol
        var market = BitcoinMarket(
            priceModel: model, initialPriceUSD: initial, drift: drift, volatility: vol, jumpsPerYear: jumps,
            jumpLogMean: jumpMean, jumpLogSD: jumpSD, feesBTCPerBlock: feeMean, feeLogVolatility: feeVol,
            feeMeanReversionPerYear: feeKappa, initialBlockHeight: height, initialHashrateEHs: hashrate,
            hashrateGrowthPerYear: growth, hashratePriceElasticity: elasticity, hashratePriceLagYears: lag,
            hashrateAdjustmentPerYear: adjust, hashrateVolatility: hvol, priceHashrateCorrelation: rho)
        market.profitability = profitability
        market.networkUncertainty = uncertainty
        market.priceReplay = replay
        market.feesReplay = feesReplay
        market.feeSpikesPerYear = feeSpikes ?? 0
        market.feeSpikeLogMean = feeSpikeMean ?? 0
        market.feeSpikeLogSD = feeSpikeSD ?? 0
        market.initialFeesBTCPerBlock = feeInitial
        return market
    }

    /// What a replayed series' values may be.
    enum ReplayValues {
        /// Prices that the model takes the log of (BTC, GPU rent): > 0, up to a bound.
        case positive(maximum: Double)
        /// Fees: >= 0, up to a bound.
        case nonNegative(maximum: Double)
        /// Power prices: either sign (they go negative), within a bound.
        case any(magnitude: Double)

        /// The rule a value (after `scale`) breaks, or nil. The bounds are those of the
        /// scenario fields the replay stands for.
        func check(_ value: Double) -> String? {
            switch self {
            case .positive(let maximum): value > 0 && value <= maximum ? nil : "must be > 0 and at most \(maximum)"
            case .nonNegative(let maximum): value >= 0 && value <= maximum ? nil : "must be between 0 and \(maximum)"
            case .any(let magnitude): abs(value) <= magnitude ? nil : "must be between -\(magnitude) and \(magnitude)"
            }
        }
    }

    /// The longest run of missing periods `fill: previous` carries a value over: a week
    /// of daily rows, two days of hourly ones.
    static func longestFill(hourly: Bool) -> Int { hourly ? 48 : 7 }

    /// `{replay: FILE, column: close_usd, dateColumn: date, hourColumn: hour_ending,
    /// scale: 1, fill: none|previous}`: one value a day (an hour with an hour column)
    /// from the scenario's first hour through its horizon, every period present unless
    /// `fill: previous` carries the last value over a gap (the first period must be there).
    func replayed(_ f: Fields, start: String?, horizon: Int?, defaultColumn: String, values rule: ReplayValues) -> Replay? {
        guard let path = f.string("replay") else { return nil }
        let column = f.string("column", default: defaultColumn) ?? defaultColumn
        let dateColumn = f.string("dateColumn", default: "date") ?? "date"
        let hourColumn = f.has("hourColumn") ? f.string("hourColumn") : nil
        let scale = f.double("scale", default: 1, .range(1e-12, 1e12)) ?? 1
        enum Fill: String, CaseIterable { case none, previous }
        let fill: Fill = f.choice("fill", default: Fill.none) ?? .none
        let line = f.node("replay", required: false)?.mark?.line
        guard let start, let horizon, let first = TimedSeries.dayNumber(start + "-01") else { return nil }
        let resolved = ScenarioLoader.resolve(path, base: baseDirectory)
        let series: TimedSeries
        do {
            // With fill: previous a row without a usable value is a gap like a missing row.
            series = try TimedSeries(
                contentsOf: resolved, column: column, dateColumn: dateColumn, hourColumn: hourColumn, skipBadRows: fill == .previous)
        } catch {
            var rule = error.description
            if case .badRows = error {
                rule = rule.replacingOccurrences(
                    of: "pass --skip-bad-rows to skip these rows (a return then spans the gap)",
                    with: "set fill: previous to carry the value before each over it")
            }
            reader.report(path: f.child("replay"), line: line, value: path, rule: rule)
            return nil
        }
        let hourly = hourColumn != nil
        let period = hourly ? 1.0 : 24.0
        // Period index from the scenario's first hour: hour ending h covers [h - 1, h).
        var byPeriod: [Int: Double] = [:]
        for (k, (day, value)) in zip(series.days, series.values).enumerated() {
            byPeriod[hourly ? (day - first) * 24 + series.hoursOfDay[k] : day - first] = value
        }
        func when(_ k: Int) -> String {
            hourly ? "\(TimedSeries.date(fromDay: first + k / 24)) hour ending \(k % 24 + 1)" : TimedSeries.date(fromDay: first + k)
        }
        let count = Int((Double(horizon) * Scenario.hoursPerMonth / period - 1e-9).rounded(.up))
        var values: [Double] = []
        values.reserveCapacity(count)
        var filled = 0
        var run = 0
        let lastInFile = byPeriod.keys.max() ?? -1
        let longest = Self.longestFill(hourly: hourly)
        for k in 0..<count {
            guard let value = byPeriod[k] else {
                // Never past the file's last row, never over a long gap: that would be
                // inventing data, not filling a hole.
                if fill == .previous, let previous = values.last, k < lastInFile, run < longest {
                    values.append(previous)
                    filled += 1
                    run += 1
                    continue
                }
                if fill == .previous, k < lastInFile, !values.isEmpty {
                    reader.report(
                        path: f.child("replay"), line: line, value: path,
                        rule: "misses more than \(longest) \(hourly ? "hours" : "days") in a row from \(when(k - run)): fill: previous carries a value over gaps of at most that; fix the file")
                    return nil
                }
                let unit = hourly ? "every hour" : "every day"
                let after = k > lastInFile
                reader.report(
                    path: f.child("replay"), line: line, value: path,
                    rule: "has no '\(column)' for \(when(k)): a replay needs \(unit) from \(when(0)) to \(when(count - 1)) (startMonth and horizonMonths)"
                        + (after ? "; the file ends before" : k > 0 ? "; fill: previous carries the last value over short gaps" : ""))
                return nil
            }
            run = 0
            let scaled = value * scale
            if let broken = rule.check(scaled) {
                let shown = scale == 1 ? "\(value)" : "\(value) x scale \(scale) = \(scaled)"
                reader.report(path: f.child("replay"), line: line, value: path, rule: "'\(column)' on \(when(k)) is \(shown): \(broken)")
                return nil
            }
            values.append(scaled)
        }
        var replay = Replay(file: resolved, column: column, periodHours: period, values: values, filledPeriods: filled)
        replay.dateColumn = dateColumn
        replay.hourColumn = hourColumn
        replay.scale = scale
        replay.fillPrevious = fill == .previous
        return replay
    }

    func asic(_ f: Fields, key: String) -> ASICModel? {
        guard let name = f.string(key) else { return nil }
        if let model = catalog.asics[name] { return model }
        reader.report(path: f.child(key), line: f.node(key, required: false)?.mark?.line, value: name, rule: "not in the ASIC catalogue" + suggest(name, catalog.asics.keys))
        return nil
    }

    func suggest(_ name: String, _ known: Dictionary<String, some Any>.Keys) -> String {
        guard let best = known.min(by: { editDistance($0, name) < editDistance($1, name) }) else { return "" }
        return editDistance(best, name) <= max(3, name.count / 3) ? " (did you mean '\(best)'?)" : "; known: \(known.sorted().joined(separator: ", "))"
    }

    func fleet(_ f: Fields) -> MiningFleet? {
        let hall = f.string("hall")
        let asic = asic(f, key: "asic")
        let units = f.int("units", .range(0, 100_000_000))
        let uptime = f.double("uptime", default: 0.97, .fraction)
        let opex = f.double("opexUSDPerMWh", default: 0, .range(0, 10_000))
        var refresh: FleetRefresh?
        var refreshFailed = false
        if let r = f.fields("refresh", required: false) {
            let month = r.int("month", .range(2, 600))
            let newASIC = self.asic(r, key: "asic")
            let salvage = r.double("salvageFraction", .fraction)
            var newUnits: Int? = nil
            if r.has("units") { newUnits = r.int("units", .range(0, 100_000_000)) }
            let every = r.has("thenEveryMonths") ? r.int("thenEveryMonths", .range(6, 600)) : nil
            let priceChange = r.double("priceChangePerYear", default: 0, .range(-0.9, 1))
            if r.has("priceChangePerYear") && !r.has("thenEveryMonths") {
                reader.report(path: r.child("priceChangePerYear"), line: r.node("priceChangePerYear", required: false)?.mark?.line, value: "", rule: "applies only with thenEveryMonths")
            }
            r.finish(known: [])
            if let month, let newASIC, let salvage, let asic, let units, !(r.has("units") && newUnits == nil) {
                // By default as many new units as the old fleet's power allows.
                let fitting = Int((Double(units) * asic.powerW / newASIC.powerW + 1e-9).rounded(.down))
                let count = newUnits ?? fitting
                if Double(count) * newASIC.powerW > Double(units) * asic.powerW * (1 + 1e-9) {
                    reader.report(
                        path: r.child("units"), line: r.node("units", required: false)?.mark?.line, value: "\(count)",
                        rule: "\(count) x \(newASIC.powerW) W is more power than the fleet it replaces (\(units) x \(asic.powerW) W): at most \(fitting)")
                    refreshFailed = true
                }
                refresh = FleetRefresh(month: month, asic: newASIC, units: count, salvageFraction: salvage)
                refresh?.everyMonths = every
                refresh?.priceChangePerYear = priceChange ?? 0
            } else {
                refreshFailed = true
            }
        }
        f.finish(known: [])
        guard let hall, let asic, let units, let uptime, let opex, !refreshFailed else { return nil }
        var fleet = MiningFleet(hall: hall, asic: asic, units: units, uptime: uptime, opexUSDPerMWh: opex)
        fleet.refresh = refresh
        return fleet
    }

    func gpuCloud(_ f: Fields, start: String?, horizon: Int?) -> GPUCloud? {
        let hall = f.string("hall")
        let gpuName = f.string("gpu")
        var gpu: GPUModel?
        if let gpuName {
            gpu = catalog.gpus[gpuName]
            if gpu == nil {
                reader.report(path: f.child("gpu"), line: f.node("gpu", required: false)?.mark?.line, value: gpuName, rule: "not in the GPU catalogue" + suggest(gpuName, catalog.gpus.keys))
            }
        }
        let gpus = f.int("gpus", default: 0, .range(0, 100_000_000))
        let scheduler: GPUCloud.Scheduler? = f.choice("scheduler", default: .fifo)
        let price = f.fields("price")
        let replaying = price?.has("replay") ?? false
        let replay = replaying ? price.flatMap { replayed($0, start: start, horizon: horizon, defaultColumn: "usd_per_gpu_hour", values: .positive(maximum: 1_000)) } : nil
        let initial = price?.double("initialUSDPerGPUHour", default: replay?.values.first, .range(0.0001, 1_000))
        let floor = price?.double("floorUSDPerGPUHour", default: replaying ? 0 : nil, .range(0, 1_000))
        let decay = price?.double("decayPerYear", default: 0, .range(0, 10))
        let kappa = price?.double("meanReversionPerYear", default: 6, .range(0.01, 1_000))
        let vol = price?.double("volatility", default: 0, .range(0, 10))
        price?.finish(known: [])
        if let initial, let floor, floor > initial {
            reader.report(path: f.child("price.floorUSDPerGPUHour"), line: nil, value: "\(floor)", rule: "must not exceed initialUSDPerGPUHour (\(initial))")
        }
        let demand = f.fields("demand").flatMap(demand)
        let opex = f.double("opexUSDPerGPUHour", default: 0, .range(0, 1_000))
        let replace = f.has("replaceAtEndOfLife") ? f.bool("replaceAtEndOfLife") : false
        let maxWait = f.has("maxWaitHours") ? f.double("maxWaitHours", .range(0.01, 100_000)) : nil
        let age = f.double("initialAgeYears", default: 0, .range(0, 50))
        let placement = f.fields("placement", required: false).map(self.placement) ?? GPUCloud.Placement()
        f.finish(known: [])
        guard let hall, let gpu, let gpus, let scheduler, let initial, let floor, let decay, let kappa, let vol,
            let demand, let opex, replay != nil || !replaying, let placement
        else { return nil }
        var cloud = GPUCloud(
            hall: hall, gpu: gpu, gpus: gpus, scheduler: scheduler, initialPriceUSDPerGPUHour: initial,
            floorPriceUSDPerGPUHour: floor, priceDecayPerYear: decay, priceMeanReversionPerYear: kappa,
            priceVolatility: vol, demand: demand, opexUSDPerGPUHour: opex, maxWaitHours: maxWait,
            replaceAtEndOfLife: replace ?? false, initialAgeYears: age ?? 0)
        cloud.priceReplay = replay
        cloud.placement = placement
        return cloud
    }

    /// `placement: {domain: cloud | hall | rack | pod, podRacks: N, policy: firstFit | bestFit,
    /// serversPerRack: N, wholeServers: true | false}`.
    func placement(_ f: Fields) -> GPUCloud.Placement? {
        enum Domain: String, CaseIterable { case cloud, hall, rack, pod }
        let domain: Domain? = f.choice("domain", default: .cloud)
        let policy: GPUCloud.Placement.Policy? = f.choice("policy", default: .firstFit)
        let servers = f.has("serversPerRack") ? f.int("serversPerRack", .range(1, 10_000)) : nil
        let whole = f.has("wholeServers") ? f.bool("wholeServers") : false
        var pod: Int?
        if domain == .pod {
            pod = f.int("podRacks", .range(1, 100_000))
        } else if let node = f.node("podRacks", required: false) {
            reader.report(node, path: f.child("podRacks"), rule: "applies only with domain: pod")
        }
        f.finish(known: ["serversPerRack", "wholeServers", "podRacks"])
        guard let domain, let policy, f.has("serversPerRack") == (servers != nil), let whole else { return nil }
        let d: GPUCloud.Placement.Domain
        switch domain {
        case .cloud: d = .cloud
        case .hall: d = .hall
        case .rack: d = .rack
        case .pod:
            guard let pod else { return nil }
            d = .pod(racks: pod)
        }
        return GPUCloud.Placement(domain: d, policy: policy, serversPerRack: servers, wholeServers: whole)
    }

    /// `racks: {cooling: liquid, kWPerRack: 130}` (kWPerRack defaults by cooling).
    func rackKind(_ f: Fields) -> RackKind? {
        let cooling: Cooling? = f.choice("cooling")
        // (A bad cooling is reported once: no "kWPerRack is required" besides it.)
        let kW = cooling == nil && !f.has("kWPerRack") ? nil : f.double("kWPerRack", default: cooling?.defaultKWPerRack, .range(0.01, 10_000))
        f.finish(known: ["kWPerRack"])
        guard let cooling, let kW else { return nil }
        return RackKind(cooling: cooling, kWPerRack: kW)
    }

    func demand(_ f: Fields) -> GPUCloud.Demand? {
        if f.has("trace") {
            let path = f.string("trace")
            f.finish(known: [])
            guard let path else { return nil }
            let resolved = ScenarioLoader.resolve(path, base: baseDirectory)
            do {
                return .trace(path: resolved, jobs: try JobTrace.load(path: resolved))
            } catch {
                reader.report(path: f.child("trace"), line: f.node("trace", required: false)?.mark?.line, value: path, rule: error.description)
                return nil
            }
        }
        let rate = f.double("jobsPerDay", .range(0.000001, 10_000))
        var sizes: [Int] = []
        for (node, path) in f.sequence("gpusPerJob", required: true) {
            if let value = f.number(node, path: path, .range(1, 1_000_000)), value == value.rounded() { sizes.append(Int(value)) } else if case .scalar = node {
                reader.report(node, path: path, rule: "must be a whole number of GPUs")
            }
        }
        let mean = f.double("meanHours", .range(0.001, 100_000))
        let sd = f.double("sdHours", .range(0, 100_000))
        f.finish(known: ["trace"])
        guard let rate, let mean, let sd, !sizes.isEmpty else { return nil }
        return .poisson(jobsPerDay: rate, gpusPerJob: sizes, meanHours: mean, sdHours: sd)
    }

    func lease(_ f: Fields, hall: String?) -> ColocationLease? {
        let hallName = hall ?? f.string("hall")
        let it = hall == nil ? f.double("criticalITMW", .range(0.001, 100_000)) : 1
        let price = f.double("priceUSDPerKWMonth", .range(0.01, 100_000))
        let term = f.int("termMonths", .range(1, 1_200))
        let escalator = f.double("escalatorPerYear", default: 0, .range(-0.5, 0.5))
        let start = hall == nil ? f.int("startMonth", .range(1, 600)) : 1
        let ramp = f.int("rampMonths", default: 0, .range(0, 600))
        let hazard = f.double("defaultPerYear", default: 0, .range(0, 10))
        let renewals = f.fields("renewals", required: false).map(self.renewals) ?? LeaseRenewals()
        enum After: String, CaseIterable { case shell, relet }
        let after: After? = f.choice("afterTerm", default: .shell)
        var afterTerm = ColocationLease.AfterTerm.shell
        var reletCapex: Double? = 0
        if after == .relet {
            let vacancy = f.int("reletVacancyMonths", default: 0, .range(0, 120))
            let reletTerm = f.int("reletTermMonths", .range(1, 600))
            reletCapex = f.double("reletCapexUSDPerMW", default: 0, .range(0, 1e9))
            if let vacancy, let reletTerm { afterTerm = .relet(vacancyMonths: vacancy, termMonths: reletTerm) }
        } else {
            for key in ["reletVacancyMonths", "reletTermMonths", "reletCapexUSDPerMW"] where f.has(key) {
                reader.report(path: f.child(key), line: f.node(key, required: false)?.mark?.line, value: "", rule: "applies only with afterTerm: relet")
            }
        }
        f.finish(known: [])
        guard let hallName, let it, let price, let term, let escalator, let start, let ramp, let renewals else { return nil }
        var lease = ColocationLease(
            hall: hallName, criticalITMW: it, priceUSDPerKWMonth: price, termMonths: term, escalatorPerYear: escalator,
            startMonth: start, rampMonths: ramp)
        lease.renewals = renewals
        lease.afterTerm = afterTerm
        lease.defaultPerYear = hazard ?? 0
        lease.reletCapexUSDPerMW = reletCapex ?? 0
        return lease
    }

    func conversion(_ f: Fields) -> ConversionProject? {
        let hall = f.string("hall")
        // One size, or the sizes the planner chooses from (the first is the one
        // simulate and risk use).
        var sizes: [Double] = []
        var mw: Double?
        let sizeNode = f.has("megawatts") ? f.node("megawatts", required: true) : nil
        if let sizeNode, case .sequence = sizeNode {
            let items = f.sequence("megawatts")
            for (node, path) in items {
                if let v = f.number(node, path: path, .range(0.001, 100_000)) { sizes.append(v) }
            }
            if items.isEmpty || items.count > 8 {
                reader.report(
                    sizeNode, path: f.child("megawatts"),
                    rule: "lists 1 to 8 sizes in MW, e.g. [20, 40, 60] (the first is the size simulate and risk use), not \(items.count)")
            } else if Set(sizes).count != sizes.count {
                reader.report(sizeNode, path: f.child("megawatts"), rule: "lists a size twice")
            } else if sizes.count == items.count {
                mw = sizes[0]
            }
        } else if let sizeNode, case .mapping = sizeNode {
            reader.report(sizeNode, path: f.child("megawatts"), rule: "must be a number of MW, or a list of sizes such as [20, 40, 60]")
        } else if sizeNode != nil || !f.has("megawatts") {
            // (Present but empty was reported when its node was read.)
            mw = f.double("megawatts", .range(0.001, 100_000))
        }
        let start = f.int("startMonth", .range(1, 600))
        let lead = f.int("leadTimeMonths", .range(0, 240))
        let capex = f.double("capexUSDPerMW", .range(0, 1e9))
        let pue = f.double("newPUE", .range(1, 3))
        let reuse = f.double("reusableFraction", default: 0, .fraction)
        let salvage = f.double("asicSalvageFraction", default: 0, .fraction)
        let leadRisk = f.fields("leadTimeRange", required: false).flatMap { r -> Distribution? in
            guard let lead else { return nil }
            return riskRange(r, mode: Double(lead), unit: "months", lowest: 0, highest: 120)
        }
        let capexRisk = f.fields("capexOverrun", required: false).flatMap { r -> Distribution? in
            guard let d = riskRange(r, mode: nil, unit: "share", lowest: -0.9, highest: 10) else { return nil }
            // A multiplier on capex: 1 + overrun.
            switch d {
            case .pert(let l, let m, let h): return .pert(low: 1 + l, mode: 1 + m, high: 1 + h)
            case .triangular(let l, let m, let h): return .triangular(low: 1 + l, mode: 1 + m, high: 1 + h)
            default: return nil
            }
        }
        var target: ConversionProject.Target?
        if let t = f.fields("target") {
            if let c = t.fields("colocation", required: false) {
                target = lease(c, hall: hall ?? "").map { .colocation($0) }
            } else if let g = t.fields("gpuCloud", required: false) {
                target = g.int("gpus", .range(1, 100_000_000)).map { .gpuCloud(gpus: $0) }
                g.finish(known: [])
            } else {
                reader.report(path: t.path, line: t.line, value: "", rule: "must name one target: colocation or gpuCloud")
            }
            t.finish(known: ["colocation", "gpuCloud"])
        }
        let hasRacks = f.has("racks")
        let racks = f.fields("racks", required: false).flatMap(rackKind)
        f.finish(known: [])
        guard let hall, let mw, let start, let lead, let capex, let pue, let reuse, let salvage, let target,
            racks != nil || !hasRacks
        else {
            return nil
        }
        var project = ConversionProject(
            hall: hall, megawatts: mw, startMonth: start, leadTimeMonths: lead, capexUSDPerMW: capex, newPUE: pue,
            reusableFraction: reuse, asicSalvageFraction: salvage, target: target, trigger: nil)
        project.leadTimeRisk = leadRisk
        project.capexFactorRisk = capexRisk
        project.sizeOptions = sizes.count > 1 ? sizes : []
        project.racks = racks
        return project
    }

    /// `{low, high, mode (unless given), shape: pert|triangular}` as a distribution.
    func riskRange(_ f: Fields, mode given: Double?, unit: String, lowest: Double, highest: Double) -> Distribution? {
        enum Shape: String, CaseIterable { case pert, triangular }
        let low = f.double("low", .range(lowest, highest))
        let high = f.double("high", .range(lowest, highest))
        let mode = given ?? f.double("mode", default: 0, .range(lowest, highest))
        let shape: Shape? = f.choice("shape", default: .pert)
        f.finish(known: [])
        guard let low, let high, let mode, let shape else { return nil }
        guard low <= mode && mode <= high && low < high else {
            reader.report(
                path: f.path, line: f.line, value: "low \(low), mode \(mode), high \(high)",
                rule: "needs low <= mode <= high and low < high (\(unit)\(given == nil ? "" : "; the mode is leadTimeMonths"))")
            return nil
        }
        return shape == .pert ? .pert(low: low, mode: mode, high: high) : .triangular(low: low, mode: mode, high: high)
    }
}
