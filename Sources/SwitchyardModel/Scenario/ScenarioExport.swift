// SPDX-License-Identifier: GPL-3.0-or-later

import Foundation
import SwitchyardStochastic

/// One scenario key and its value, as the Inputs sheet of a workbook and
/// `switchyard scenario export` write it: `key` is the YAML path with list indices
/// (`site.halls[0].powerMW`), so the rows of a sheet rebuild the file exactly.
public struct ScenarioEntry: Hashable, Sendable {
    public enum Value: Hashable, Sendable {
        case number(Double)
        case integer(Int)
        case text(String)
        case flag(Bool)
    }

    public var key: String
    public var value: Value
    /// The unit, or what the value means, for a reader (not read back).
    public var unit: String

    public init(key: String, value: Value, unit: String = "") {
        self.key = key
        self.value = value
        self.unit = unit
    }
}

/// The scenario as the keys of a scenario file: every key, defaults included, and the
/// catalogue entries it uses (inline, under `catalog`), so that loading the entries
/// gives back the same ``Scenario``.
public enum ScenarioExport {
    public static func entries(_ s: Scenario) -> [ScenarioEntry] {
        var out: [ScenarioEntry] = []
        func n(_ key: String, _ value: Double, _ unit: String = "") { out.append(ScenarioEntry(key: key, value: .number(value), unit: unit)) }
        func i(_ key: String, _ value: Int, _ unit: String = "") { out.append(ScenarioEntry(key: key, value: .integer(value), unit: unit)) }
        func t(_ key: String, _ value: String, _ unit: String = "") { out.append(ScenarioEntry(key: key, value: .text(value), unit: unit)) }
        func b(_ key: String, _ value: Bool, _ unit: String = "") { out.append(ScenarioEntry(key: key, value: .flag(value), unit: unit)) }
        func replay(_ key: String, _ r: Replay) {
            let periods = r.periodHours == 1 ? "hours" : "days"
            let filled = r.filledPeriods > 0 ? "; \(r.filledPeriods) \(periods) carried forward" : ""
            t(key + ".replay", r.file, "CSV file (\(r.values.count) \(periods) replayed\(filled))")
            t(key + ".column", r.column, "column replayed")
            t(key + ".dateColumn", r.dateColumn, "column of dates (YYYY-MM-DD)")
            if let hour = r.hourColumn { t(key + ".hourColumn", hour, "column of hours ending 1-24") }
            n(key + ".scale", r.scale, "multiplier on the file's values")
            t(key + ".fill", r.fillPrevious ? "previous" : "none", "none | previous")
        }

        t("name", s.name)
        t("startMonth", s.startMonth, "YYYY-MM: month 1 of the run")
        i("horizonMonths", s.horizonMonths, "months")
        n("stepHours", s.stepHours, "hours per simulation step")
        n("discountRatePerYear", s.discountRatePerYear, "per year (project cash flows)")

        // Catalogue entries the scenario uses, in order of first use.
        var asics: [ASICModel] = []
        for fleet in s.mining {
            for model in [fleet.asic] + (fleet.refresh.map { [$0.asic] } ?? []) where !asics.contains(model) { asics.append(model) }
        }
        for (k, a) in asics.enumerated() {
            let p = "catalog.asics[\(k)]"
            t(p + ".name", a.name, "ASIC model")
            n(p + ".hashrateTHs", a.hashrateTHs, "TH/s per unit")
            n(p + ".powerW", a.powerW, "W per unit")
            n(p + ".priceUSD", a.priceUSD, "USD per unit")
        }
        if let gpu = s.gpuCloud?.gpu {
            t("catalog.gpus[0].name", gpu.name, "GPU model")
            n("catalog.gpus[0].serverPowerWPerGPU", gpu.serverPowerWPerGPU, "W of server power per GPU")
            i("catalog.gpus[0].gpusPerServer", gpu.gpusPerServer, "GPUs per server")
            n("catalog.gpus[0].priceUSD", gpu.priceUSD, "USD per GPU, installed")
            n("catalog.gpus[0].lifetimeYears", gpu.lifetimeYears, "years")
        }

        n("site.interconnectMW", s.site.interconnectMW, "MW at the meter")
        for (k, h) in s.site.halls.enumerated() {
            let p = "site.halls[\(k)]"
            t(p + ".name", h.name)
            t(p + ".cooling", h.cooling.rawValue, Cooling.allCases.map(\.rawValue).joined(separator: " | "))
            n(p + ".pue", h.pue, "facility / IT power")
            n(p + ".powerMW", h.powerMW, "MW facility power")
            i(p + ".racks", h.racks, "racks")
            n(p + ".kWPerRack", h.kWPerRack, "kW per rack")
        }

        let e = s.electricity
        if let p = e.ppa {
            switch p.volume {
            case .fixedMW(let v): n("electricity.ppa.volumeMW", v, "MW (financial contract for difference)")
            case .shareOfLoad(let share): n("electricity.ppa.shareOfLoad", share, "share of consumption (physical delivery)")
            }
            n("electricity.ppa.strikeUSDPerMWh", p.strikeUSDPerMWh, "USD/MWh")
            i("electricity.ppa.startMonth", p.startMonth, "month of the run")
            i("electricity.ppa.termMonths", p.termMonths, "months")
        } else {
            n("electricity.ppaShare", e.ppaShare, "share of consumption at the fixed price")
            n("electricity.ppaPriceUSDPerMWh", e.ppaPriceUSDPerMWh, "USD/MWh")
        }
        let m = e.market
        if let r = m.replay { replay("electricity.market", r) }
        let replayMean = m.replay.map { max(0.01, $0.values.reduce(0, +) / Double(max(1, $0.values.count))) }
        if m.meanPriceUSDPerMWh != replayMean, let mean = m.meanPriceUSDPerMWh {
            n("electricity.market.meanPriceUSDPerMWh", mean, "USD/MWh (long-run mean)")
        }
        if m.basePriceUSDPerMWh != m.meanPriceUSDPerMWh {
            n("electricity.market.basePriceUSDPerMWh", m.basePriceUSDPerMWh, "USD/MWh (seasonal median level)")
        }
        n("electricity.market.seasonalAmplitude", m.seasonalAmplitude, "log amplitude of the yearly cycle")
        n("electricity.market.seasonalPeak", m.seasonalPeak, "fraction of the year at the seasonal peak")
        n("electricity.market.meanReversionPerYear", m.meanReversionPerYear, "per year")
        n("electricity.market.volatility", m.volatility, "per sqrt(year), log price")
        n("electricity.market.spikesPerYear", m.spikesPerYear, "per year")
        n("electricity.market.spikeLogMean", m.spikeLogMean, "log multiplier")
        n("electricity.market.spikeLogSD", m.spikeLogSD, "log multiplier")
        n("electricity.demandResponse.creditUSDPerMWh", e.demandResponseCreditUSDPerMWh, "USD/MWh curtailed")
        n("electricity.demandResponse.thresholdUSDPerMWh", e.demandResponseThresholdUSDPerMWh, "USD/MWh")
        n("electricity.demandResponse.availabilityUSDPerMWMonth", e.demandResponseAvailabilityUSDPerMWMonth, "USD per MW-month")
        if let charge = e.transmission {
            n("electricity.transmission.fourCPUSDPerKWYear", charge.usdPerKWYear, "USD per kW-year")
            for (k, month) in charge.peakMonths.enumerated() { i("electricity.transmission.peakMonths[\(k)]", month, "calendar month 1-12") }
        }

        let btc = s.bitcoin
        if let r = btc.priceReplay { replay("bitcoin.price", r) }
        t("bitcoin.price.model", btc.priceModel.rawValue, BitcoinMarket.PriceModel.allCases.map(\.rawValue).joined(separator: " | "))
        if btc.priceReplay == nil { n("bitcoin.price.initialUSD", btc.initialPriceUSD, "USD") }
        n("bitcoin.price.drift", btc.drift, "per year")
        n("bitcoin.price.volatility", btc.volatility, "per sqrt(year)")
        n("bitcoin.price.jumpsPerYear", btc.jumpsPerYear, "per year (model: merton)")
        n("bitcoin.price.jumpLogMean", btc.jumpLogMean, "log return per jump")
        n("bitcoin.price.jumpLogSD", btc.jumpLogSD, "log return per jump")
        if let r = btc.feesReplay {
            replay("bitcoin.fees", r)
        } else {
            n("bitcoin.fees.btcPerBlock", btc.feesBTCPerBlock, "BTC per block (long-run median)")
        }
        if let first = btc.initialFeesBTCPerBlock { n("bitcoin.fees.initialBTCPerBlock", first, "BTC per block at the start") }
        n("bitcoin.fees.logVolatility", btc.feeLogVolatility, "per sqrt(year), log fees")
        n("bitcoin.fees.meanReversionPerYear", btc.feeMeanReversionPerYear, "per year")
        n("bitcoin.fees.spikesPerYear", btc.feeSpikesPerYear, "per year")
        n("bitcoin.fees.spikeLogMean", btc.feeSpikeLogMean, "log multiplier")
        n("bitcoin.fees.spikeLogSD", btc.feeSpikeLogSD, "log multiplier")
        let net = "bitcoin.network"
        i(net + ".initialBlockHeight", btc.initialBlockHeight, "blocks")
        n(net + ".initialHashrateEHs", btc.initialHashrateEHs, "EH/s")
        if let p = btc.profitability {
            t(net + ".model", "profitability", "trend | profitability")
            n(net + ".efficiencyJPerTH", p.efficiencyJPerTH, "J/TH, network fleet")
            n(net + ".efficiencyImprovementPerYear", p.efficiencyImprovementPerYear, "per year")
            n(net + ".costUSDPerMWh", p.costUSDPerMWh, "USD/MWh, marginal miner's all-in cost")
            n(net + ".costGrowthPerYear", p.costGrowthPerYear, "per year")
            n(net + ".entryPerYear", p.entryPerYear, "per year")
            n(net + ".exitPerYear", p.exitPerYear, "per year")
            let u = btc.networkUncertainty
            n(net + ".uncertainty.costUSDPerMWh", u.costUSDPerMWh, "USD/MWh, SD drawn per path")
            n(net + ".uncertainty.costGrowthPerYear", u.costGrowthPerYear, "per year, SD")
            n(net + ".uncertainty.efficiencyImprovementPerYear", u.efficiencyImprovementPerYear, "per year, SD")
            n(net + ".uncertainty.entryPerYear", u.entryPerYear, "per year, SD")
            n(net + ".uncertainty.exitPerYear", u.exitPerYear, "per year, SD")
        } else {
            t(net + ".model", "trend", "trend | profitability")
            n(net + ".growthPerYear", btc.hashrateGrowthPerYear, "per year")
            n(net + ".priceElasticity", btc.hashratePriceElasticity, "hashrate response to price")
            n(net + ".adjustmentPerYear", btc.hashrateAdjustmentPerYear, "per year")
        }
        n(net + ".priceLagYears", btc.hashratePriceLagYears, "years")
        n(net + ".volatility", btc.hashrateVolatility, "per sqrt(year), log hashrate")
        n(net + ".priceCorrelation", btc.priceHashrateCorrelation, "-1 to 1")

        for (k, f) in s.mining.enumerated() {
            let p = "mining[\(k)]"
            t(p + ".hall", f.hall)
            t(p + ".asic", f.asic.name, "catalogue model")
            i(p + ".units", f.units, "units")
            n(p + ".uptime", f.uptime, "share of time hashing")
            n(p + ".opexUSDPerMWh", f.opexUSDPerMWh, "USD/MWh")
            if let r = f.refresh {
                i(p + ".refresh.month", r.month, "month of the run")
                t(p + ".refresh.asic", r.asic.name, "catalogue model")
                i(p + ".refresh.units", r.units, "units")
                n(p + ".refresh.salvageFraction", r.salvageFraction, "of the old units' price")
                if let every = r.everyMonths {
                    i(p + ".refresh.thenEveryMonths", every, "months (then the network's frontier machine)")
                    n(p + ".refresh.priceChangePerYear", r.priceChangePerYear, "per year, USD per TH")
                }
            }
        }

        if let c = s.gpuCloud {
            t("gpuCloud.hall", c.hall)
            t("gpuCloud.gpu", c.gpu.name, "catalogue model")
            i("gpuCloud.gpus", c.gpus, "GPUs at the start")
            t("gpuCloud.scheduler", c.scheduler.rawValue, GPUCloud.Scheduler.allCases.map(\.rawValue).joined(separator: " | "))
            if let r = c.priceReplay { replay("gpuCloud.price", r) }
            n("gpuCloud.price.initialUSDPerGPUHour", c.initialPriceUSDPerGPUHour, "USD per GPU-hour")
            n("gpuCloud.price.floorUSDPerGPUHour", c.floorPriceUSDPerGPUHour, "USD per GPU-hour")
            n("gpuCloud.price.decayPerYear", c.priceDecayPerYear, "per year")
            n("gpuCloud.price.meanReversionPerYear", c.priceMeanReversionPerYear, "per year")
            n("gpuCloud.price.volatility", c.priceVolatility, "per sqrt(year)")
            switch c.demand {
            case .trace(let path, _):
                t("gpuCloud.demand.trace", path, "CSV job trace")
            case .poisson(let rate, let sizes, let mean, let sd):
                n("gpuCloud.demand.jobsPerDay", rate, "jobs per day")
                for (k, size) in sizes.enumerated() { i("gpuCloud.demand.gpusPerJob[\(k)]", size, "GPUs (drawn with equal weight)") }
                n("gpuCloud.demand.meanHours", mean, "hours per job")
                n("gpuCloud.demand.sdHours", sd, "hours")
            }
            n("gpuCloud.opexUSDPerGPUHour", c.opexUSDPerGPUHour, "USD per GPU-hour")
            b("gpuCloud.replaceAtEndOfLife", c.replaceAtEndOfLife, "true | false")
            if let wait = c.maxWaitHours { n("gpuCloud.maxWaitHours", wait, "hours") }
            n("gpuCloud.initialAgeYears", c.initialAgeYears, "years")
            if c.placement != GPUCloud.Placement() {
                t("gpuCloud.placement.domain", c.placement.domain.name, "cloud | hall | rack | pod")
                if case .pod(let racks) = c.placement.domain { i("gpuCloud.placement.podRacks", racks, "racks a pod") }
                t("gpuCloud.placement.policy", c.placement.policy.rawValue, "firstFit | bestFit")
                if let servers = c.placement.serversPerRack { i("gpuCloud.placement.serversPerRack", servers, "servers a rack at most") }
                b("gpuCloud.placement.wholeServers", c.placement.wholeServers, "true | false")
            }
        }

        func lease(_ p: String, _ l: ColocationLease, standalone: Bool) {
            if standalone {
                t(p + ".hall", l.hall)
                n(p + ".criticalITMW", l.criticalITMW, "MW of IT load")
                i(p + ".startMonth", l.startMonth, "month of the run")
            }
            n(p + ".priceUSDPerKWMonth", l.priceUSDPerKWMonth, "USD per kW-month")
            i(p + ".termMonths", l.termMonths, "months")
            n(p + ".escalatorPerYear", l.escalatorPerYear, "per year")
            i(p + ".rampMonths", l.rampMonths, "months")
            n(p + ".defaultPerYear", l.defaultPerYear, "tenant default hazard per year")
            if l.renewals != LeaseRenewals() {
                i(p + ".renewals.options", l.renewals.options, "options")
                i(p + ".renewals.termMonths", l.renewals.termMonths, "months each")
                n(p + ".renewals.probability", l.renewals.probability, "of each option being taken")
                t(p + ".renewals.rent", l.renewals.rent.rawValue, LeaseRenewals.Rent.allCases.map(\.rawValue).joined(separator: " | "))
                n(p + ".renewals.marketSpread", l.renewals.marketSpread, "over the market rent")
            }
            switch l.afterTerm {
            case .shell: t(p + ".afterTerm", "shell", "shell | relet")
            case .relet(let vacancy, let term):
                t(p + ".afterTerm", "relet", "shell | relet")
                i(p + ".reletVacancyMonths", vacancy, "months")
                i(p + ".reletTermMonths", term, "months")
                n(p + ".reletCapexUSDPerMW", l.reletCapexUSDPerMW, "USD per MW")
            }
        }
        for (k, l) in s.colocation.enumerated() { lease("colocation[\(k)]", l, standalone: true) }

        func range(_ p: String, _ d: Distribution, shift: Double, withMode: Bool, unit: String) {
            let (low, mode, high, shape): (Double, Double, Double, String)
            switch d {
            case .pert(let l, let m, let h): (low, mode, high, shape) = (l, m, h, "pert")
            case .triangular(let l, let m, let h): (low, mode, high, shape) = (l, m, h, "triangular")
            default: return
            }
            // The file gave x; the scenario holds shift + x. Twelve digits give back the x
            // typed (1 + x - 1 has rounding noise), and shift + x is the same double again.
            func entered(_ v: Double) -> Double {
                guard shift != 0 else { return v }
                let x = v - shift
                let clean = Double(String(format: "%.12g", x)) ?? x
                return clean + shift == v ? clean : x
            }
            n(p + ".low", entered(low), unit)
            if withMode { n(p + ".mode", entered(mode), unit) }
            n(p + ".high", entered(high), unit)
            t(p + ".shape", shape, "pert | triangular")
        }
        for (k, c) in s.conversions.enumerated() {
            let p = "conversions[\(k)]"
            t(p + ".hall", c.hall)
            if c.sizeOptions.isEmpty {
                n(p + ".megawatts", c.megawatts, "MW facility power")
            } else {
                for (k, size) in c.sizeOptions.enumerated() {
                    n(p + ".megawatts[\(k)]", size, k == 0 ? "MW facility power: the sizes plan chooses from (simulate and risk use the first)" : "MW facility power")
                }
            }
            i(p + ".startMonth", c.startMonth, "month of the run")
            i(p + ".leadTimeMonths", c.leadTimeMonths, "months")
            n(p + ".capexUSDPerMW", c.capexUSDPerMW, "USD per MW of critical IT")
            n(p + ".newPUE", c.newPUE, "facility / IT power after conversion")
            n(p + ".reusableFraction", c.reusableFraction, "of capex saved by reuse")
            n(p + ".asicSalvageFraction", c.asicSalvageFraction, "of the retired ASICs' price")
            if let d = c.leadTimeRisk { range(p + ".leadTimeRange", d, shift: 0, withMode: false, unit: "months (the mode is leadTimeMonths)") }
            if let d = c.capexFactorRisk { range(p + ".capexOverrun", d, shift: 1, withMode: true, unit: "share of capex (capex x (1 + overrun))") }
            if let r = c.racks {
                t(p + ".racks.cooling", r.cooling.rawValue, Cooling.allCases.map(\.rawValue).joined(separator: " | "))
                n(p + ".racks.kWPerRack", r.kWPerRack, "kW per rack it installs")
            }
            switch c.target {
            case .colocation(let l): lease(p + ".target.colocation", l, standalone: false)
            case .gpuCloud(let gpus): i(p + ".target.gpuCloud.gpus", gpus, "GPUs")
            }
        }

        n("opex.fixedUSDPerMonth", s.opex.fixedUSDPerMonth, "USD per month")
        if let market = s.colocationMarket {
            n("colocationMarket.rentUSDPerKWMonth", market.rentUSDPerKWMonth, "USD per kW-month")
            n("colocationMarket.growthPerYear", market.growthPerYear, "per year")
        }
        switch s.valuation.method {
        case .none: t("valuation.terminalValue", "none", "none | gordon | multiple")
        case .gordon(let g):
            t("valuation.terminalValue", "gordon", "none | gordon | multiple")
            n("valuation.growthPerYear", g, "per year")
        case .multiple(let k):
            t("valuation.terminalValue", "multiple", "none | gordon | multiple")
            n("valuation.multiple", k, "x trailing 12-month operating cash flow")
        }
        n("valuation.landValueUSDPerMW", s.valuation.landValueUSDPerMW, "USD per MW")

        let fin = s.finance
        switch fin.colocationOpex {
        case .shareOfRent(let share)?: n("finance.colocationOpex.shareOfRent", share, "of rent")
        case .usdPerKWMonth(let rate)?: n("finance.colocationOpex.usdPerKWMonth", rate, "USD per kW-month")
        case nil: break
        }
        func depreciation(_ p: String, _ d: FinanceTerms.Depreciation) {
            var schedule = d
            if case .bonus(let share, let rest) = d {
                n(p + ".bonusShare", share, "expensed in year 1")
                schedule = rest
            }
            switch schedule {
            case .straightLine(let years):
                t(p + ".method", "straightLine", "straightLine | macrs")
                i(p + ".years", years, "years")
            case .macrs(let years):
                t(p + ".method", "macrs", "straightLine | macrs")
                i(p + ".years", years, "years")
            case .bonus: break
            }
        }
        if let tax = fin.tax {
            n("finance.tax.rate", tax.rate, "of taxable profit")
            n("finance.tax.lossOffsetShare", tax.lossOffsetShare, "of losses offset")
            depreciation("finance.tax.conversionDepreciation", tax.conversion)
            depreciation("finance.tax.gpuDepreciation", tax.gpus)
        }
        if let debt = fin.debt {
            n("finance.debt.loanToCost", debt.loanToCost, "of capex")
            n("finance.debt.ratePerYear", debt.ratePerYear, "per year")
            n("finance.debt.tenorYears", debt.tenorYears, "years")
            t("finance.debt.amortisation", debt.amortisation.rawValue, FinanceTerms.Debt.Amortisation.allCases.map(\.rawValue).joined(separator: " | "))
        }
        if let r = fin.equityDiscountRatePerYear { n("finance.equityDiscountRatePerYear", r, "per year") }
        if let r = fin.contractDiscountRatePerYear { n("finance.contractDiscountRatePerYear", r, "per year") }
        if let cash = fin.startingCashUSD { n("finance.startingCashUSD", cash, "USD") }

        if let swing = s.sensitivity.swing { n("sensitivity.swing", swing, "relative move of inputs without a range") }
        for (k, name) in s.sensitivity.ranges.keys.sorted().enumerated() {
            let r = s.sensitivity.ranges[name]!
            t("sensitivity.ranges[\(k)].input", name, "tornado input")
            n("sensitivity.ranges[\(k)].low", r.lowerBound, "in the input's own unit")
            n("sensitivity.ranges[\(k)].high", r.upperBound, "in the input's own unit")
        }
        return out
    }

    /// The scenario as a YAML scenario file (every key, the catalogue entries inline).
    /// Throws only if the export's own keys failed to nest (a bug: they are fixed names
    /// with indices counted from 0), naming the key, rather than trapping.
    public static func yaml(_ s: Scenario, header: String? = nil) throws(ScenarioDocument.KeyError) -> String {
        let document = try ScenarioDocument(entries(s))
        var text = header.map { yamlComment($0) + "\n" } ?? ""
        text += document.yaml
        return text
    }
}

/// `text` as YAML comment lines: each line of it behind "# ", and any other line
/// break or control character (a carriage return, U+2028, ...) shown as a space, so no
/// text in a comment (a scenario's name, a file's path) can become a key.
public func yamlComment(_ text: String) -> String {
    text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
        var safe = ""
        for scalar in line.unicodeScalars {
            let breaks = scalar.properties.generalCategory == .control || scalar.properties.generalCategory == .lineSeparator
                || scalar.properties.generalCategory == .paragraphSeparator || scalar.value == 0xFEFF
            safe.unicodeScalars.append(breaks ? " " : scalar)
        }
        return "# " + safe
    }.joined(separator: "\n")
}

/// Entries (`a.b[0].c` keys) nested into a YAML document, with, for every line of
/// the text, the entry it came from (so a problem found on a line names the entry).
public struct ScenarioDocument: Sendable {
    public struct KeyError: Error, Sendable, CustomStringConvertible {
        public var description: String { "scenario key \(entry + 1) of the export \(rule)" }
        public var entry: Int
        public var rule: String
        /// The earlier entry it clashes with, if any.
        public var other: Int?
    }

    /// The longest key and the deepest nesting a scenario key can have (the deepest real
    /// one, `conversions[0].target.colocation.renewals.options`, has 7 steps).
    static let maximumKeyLength = 200
    static let maximumSteps = 16

    indirect enum Node {
        case leaf(Int)
        case map([(String, Node)])
        case list([Node])
    }

    public let yaml: String
    /// entryOfLine[k]: the entry on YAML line k + 1 (for a parent line, its first leaf).
    public let entryOfLine: [Int]

    enum Step: Equatable {
        case key(String)
        case index(Int)
    }

    static func steps(_ key: String) -> [Step]? {
        guard key.utf8.count <= maximumKeyLength else { return nil }
        var steps: [Step] = []
        for part in key.split(separator: ".", omittingEmptySubsequences: false) {
            var name = Substring(part)
            var indices: [Int] = []
            while name.hasSuffix("]"), let open = name.lastIndex(of: "[") {
                guard let index = Int(name[name.index(after: open)..<name.index(before: name.endIndex)]), index >= 0, index < 100_000 else { return nil }
                indices.insert(index, at: 0)
                name = name[..<open]
            }
            guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }), name.first!.isLetter else { return nil }
            steps.append(.key(String(name)))
            steps += indices.map(Step.index)
        }
        return steps.count <= maximumSteps ? steps : nil
    }

    public init(_ entries: [ScenarioEntry]) throws(KeyError) {
        var root = Node.map([])
        for (e, entry) in entries.enumerated() {
            guard let steps = Self.steps(entry.key) else {
                throw KeyError(
                    entry: e,
                    rule: "is not a scenario key: words joined by '.', lists as name[0], name[1], ... (at most \(Self.maximumKeyLength) characters and \(Self.maximumSteps) levels)")
            }
            guard Self.insert(&root, steps[...], leaf: e) else {
                // The earlier key it clashes with: the same key, or one inside or around it.
                let other = entries[..<e].lastIndex { $0.key == entry.key || $0.key.hasPrefix(entry.key + ".") || $0.key.hasPrefix(entry.key + "[")
                    || entry.key.hasPrefix($0.key + ".") || entry.key.hasPrefix($0.key + "[") }
                let rule = other.map { entries[$0].key == entry.key ? "is given twice" : "clashes with the key '\(entries[$0].key)' (a value where a group of keys is, or the other way round)" }
                    ?? "has a list index out of order: a list's indices count 0, 1, 2, ... in order"
                throw KeyError(entry: e, rule: rule, other: other)
            }
        }
        var lines: [String] = []
        var owners: [Int] = []
        Self.render(root, indent: 0, entries: entries, lines: &lines, owners: &owners)
        yaml = lines.joined(separator: "\n") + "\n"
        entryOfLine = owners
    }

    static func insert(_ node: inout Node, _ steps: ArraySlice<Step>, leaf: Int) -> Bool {
        guard let step = steps.first else { return false }
        let rest = steps.dropFirst()
        switch (node, step) {
        case (.map(var items), .key(let key)):
            if let k = items.firstIndex(where: { $0.0 == key }) {
                guard !rest.isEmpty else { return false }
                var child = items[k].1
                guard insert(&child, rest, leaf: leaf) else { return false }
                items[k].1 = child
            } else {
                guard let child = fresh(rest, leaf: leaf) else { return false }
                items.append((key, child))
            }
            node = .map(items)
            return true
        case (.list(var items), .index(let index)):
            if index < items.count {
                guard !rest.isEmpty else { return false }
                var child = items[index]
                guard insert(&child, rest, leaf: leaf) else { return false }
                items[index] = child
            } else {
                guard index == items.count, let child = fresh(rest, leaf: leaf) else { return false }
                items.append(child)
            }
            node = .list(items)
            return true
        default:
            return false
        }
    }

    /// A new subtree holding `leaf` at the end of `steps`.
    static func fresh(_ steps: ArraySlice<Step>, leaf: Int) -> Node? {
        guard let step = steps.first else { return .leaf(leaf) }
        guard let child = fresh(steps.dropFirst(), leaf: leaf) else { return nil }
        switch step {
        case .key(let key): return .map([(key, child)])
        case .index(let index): return index == 0 ? .list([child]) : nil
        }
    }

    static func firstLeaf(_ node: Node) -> Int {
        switch node {
        case .leaf(let e): return e
        case .map(let items): return firstLeaf(items[0].1)
        case .list(let items): return firstLeaf(items[0])
        }
    }

    static func render(_ node: Node, indent: Int, entries: [ScenarioEntry], lines: inout [String], owners: inout [Int]) {
        let pad = String(repeating: " ", count: indent)
        switch node {
        case .leaf: break
        case .map(let items):
            for (key, child) in items {
                if case .leaf(let e) = child {
                    lines.append("\(pad)\(key): \(scalar(entries[e].value))")
                    owners.append(e)
                } else {
                    lines.append("\(pad)\(key):")
                    owners.append(firstLeaf(child))
                    render(child, indent: indent + 2, entries: entries, lines: &lines, owners: &owners)
                }
            }
        case .list(let items):
            for child in items {
                switch child {
                case .leaf(let e):
                    lines.append("\(pad)- \(scalar(entries[e].value))")
                    owners.append(e)
                case .map:
                    // "- " then the mapping's first key on the same line.
                    let first = lines.count
                    render(child, indent: indent + 2, entries: entries, lines: &lines, owners: &owners)
                    lines[first] = pad + "- " + lines[first].dropFirst(indent + 2)
                case .list:
                    lines.append("\(pad)-")
                    owners.append(firstLeaf(child))
                    render(child, indent: indent + 2, entries: entries, lines: &lines, owners: &owners)
                }
            }
        }
    }

    /// A YAML scalar: numbers in their shortest exact form, text quoted when plain YAML
    /// would read it as something else.
    static func scalar(_ value: ScenarioEntry.Value) -> String {
        switch value {
        case .integer(let v): return String(v)
        case .flag(let v): return v ? "true" : "false"
        case .number(let v):
            if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
            return "\(v)"
        case .text(let t): return text(t)
        }
    }

    static func text(_ t: String) -> String {
        let special: Set<String> = ["true", "false", "yes", "no", "on", "off", "null", "y", "n"]
        let plain = t.range(of: #"^[A-Za-z][A-Za-z0-9 _./()+-]*[A-Za-z0-9_)]$|^[A-Za-z]$"#, options: .regularExpression) != nil
            && !special.contains(t.lowercased()) && !t.contains(" #") && !t.contains(": ")
        if plain { return t }
        var quoted = "\""
        for scalar in t.unicodeScalars {
            switch scalar {
            case "\"": quoted += "\\\""
            case "\\": quoted += "\\\\"
            case "\n": quoted += "\\n"
            case "\t": quoted += "\\t"
            case "\r": quoted += "\\r"
            case "\u{2028}": quoted += "\\L"  // YAML folds these line breaks unless escaped
            case "\u{2029}": quoted += "\\P"
            case "\u{FEFF}": quoted += "\\uFEFF"
            default:
                if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) {
                    quoted += String(format: "\\x%02X", scalar.value)
                } else {
                    quoted.unicodeScalars.append(scalar)
                }
            }
        }
        return quoted + "\""
    }
}

extension ScenarioLoader {
    /// Loads a scenario from entries (the rows of a workbook's Inputs sheet, say).
    /// `place(k)` names where entry k came from ("book.xlsx, sheet Inputs, row 12"),
    /// for the messages.
    public static func load(
        entries: [ScenarioEntry], file: String, baseDirectory: String?, place: (Int) -> String
    ) throws(ScenarioError) -> Scenario {
        let document: ScenarioDocument
        do {
            document = try ScenarioDocument(entries)
        } catch {
            let e = entries[error.entry]
            let rule = error.other.map { "\(error.rule) (\(place($0)))" } ?? error.rule
            let key = e.key.count > 80 ? String(e.key.prefix(80)) + "..." : e.key
            throw ScenarioError(issues: [
                ScenarioIssue(file: place(error.entry), line: nil, path: key, value: ScenarioDocument.scalar(e.value), rule: rule)
            ])
        }
        do {
            return try load(yaml: document.yaml, file: file, baseDirectory: baseDirectory)
        } catch {
            // Lines of the document are entries; a problem without a line is placed by its key.
            throw ScenarioError(issues: error.issues.map { issue in
                var placed = issue
                guard issue.file == file else { return placed }
                if issue.rule.hasPrefix("is required") {
                    // No row holds a missing key: the line found is its parent's.
                    placed.rule += " (no row has this key: add it)"
                } else if let k = entries.firstIndex(where: { $0.key == issue.path }) {
                    placed.file = place(k)
                } else if let line = issue.line, document.entryOfLine.indices.contains(line - 1) {
                    placed.file = place(document.entryOfLine[line - 1])
                } else if let k = entries.firstIndex(where: { $0.key == issue.path || $0.key.hasPrefix(issue.path + ".") || $0.key.hasPrefix(issue.path + "[") }) {
                    placed.file = place(k)
                }
                placed.line = nil
                return placed
            })
        }
    }
}
