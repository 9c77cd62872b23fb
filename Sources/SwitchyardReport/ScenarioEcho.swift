// SPDX-License-Identifier: GPL-3.0-or-later

public import SwitchyardModel

/// The scenario as (field, value, unit) rows for the Inputs sheet.
public enum ScenarioEcho {
    public enum Value: Hashable, Sendable {
        case number(Double)
        case text(String)
    }

    public static func rows(_ s: Scenario) -> [(field: String, value: Value, unit: String)] {
        var rows: [(String, Value, String)] = []
        func n(_ field: String, _ value: Double, _ unit: String = "") { rows.append((field, .number(value), unit)) }
        func t(_ field: String, _ value: String) { rows.append((field, .text(value), "")) }
        func replay(_ field: String, _ r: Replay?) {
            guard let r else { return }
            t(field + ".replay", r.file)
            t(field + ".column", r.column)
            n(field + ".replayPeriods", Double(r.values.count), r.periodHours == 1 ? "hours" : "days")
            if r.filledPeriods > 0 { n(field + ".filledPeriods", Double(r.filledPeriods), "carried forward (fill: previous)") }
        }
        t("name", s.name)
        t("startMonth", s.startMonth)
        n("horizonMonths", Double(s.horizonMonths), "months")
        n("stepHours", s.stepHours, "h")
        n("discountRatePerYear", s.discountRatePerYear, "per year")
        n("site.interconnectMW", s.site.interconnectMW, "MW")
        for (i, h) in s.site.halls.enumerated() {
            t("site.halls[\(i)].name", h.name)
            t("site.halls[\(i)].cooling", h.cooling.rawValue)
            n("site.halls[\(i)].pue", h.pue)
            n("site.halls[\(i)].powerMW", h.powerMW, "MW")
            n("site.halls[\(i)].racks", Double(h.racks))
            n("site.halls[\(i)].kWPerRack", h.kWPerRack, "kW")
        }
        let e = s.electricity
        n("electricity.ppaShare", e.ppaShare)
        n("electricity.ppaPriceUSDPerMWh", e.ppaPriceUSDPerMWh, "USD/MWh")
        if let p = e.ppa {
            switch p.volume {
            case .fixedMW(let v): n("electricity.ppa.volumeMW", v, "MW (contract for difference)")
            case .shareOfLoad(let share): n("electricity.ppa.shareOfLoad", share, "share of consumption (physical)")
            }
            n("electricity.ppa.strikeUSDPerMWh", p.strikeUSDPerMWh, "USD/MWh")
            n("electricity.ppa.startMonth", Double(p.startMonth), "month")
            n("electricity.ppa.termMonths", Double(p.termMonths), "months")
        }
        if let mean = e.market.meanPriceUSDPerMWh {
            n("electricity.market.meanPriceUSDPerMWh", mean, "USD/MWh (long-run mean)")
        } else {
            n("electricity.market.basePriceUSDPerMWh", e.market.basePriceUSDPerMWh, "USD/MWh (seasonal median level)")
        }
        n("electricity.market.seasonalAmplitude", e.market.seasonalAmplitude)
        n("electricity.market.meanReversionPerYear", e.market.meanReversionPerYear, "per year")
        n("electricity.market.volatility", e.market.volatility)
        n("electricity.market.spikesPerYear", e.market.spikesPerYear, "per year")
        replay("electricity.market", e.market.replay)
        n("electricity.demandResponse.creditUSDPerMWh", e.demandResponseCreditUSDPerMWh, "USD/MWh")
        n("electricity.demandResponse.thresholdUSDPerMWh", e.demandResponseThresholdUSDPerMWh, "USD/MWh")
        n("electricity.demandResponse.availabilityUSDPerMWMonth", e.demandResponseAvailabilityUSDPerMWMonth, "USD/MW-month")
        if let charge = e.transmission {
            n("electricity.transmission.fourCPUSDPerKWYear", charge.usdPerKWYear, "USD/kW-year")
            t("electricity.transmission.peakMonths", charge.peakMonths.map(String.init).joined(separator: ", "))
        }
        let b = s.bitcoin
        t("bitcoin.price.model", b.priceModel.rawValue)
        n("bitcoin.price.initialUSD", b.initialPriceUSD, "USD")
        n("bitcoin.price.drift", b.drift, "per year")
        n("bitcoin.price.volatility", b.volatility)
        replay("bitcoin.price", b.priceReplay)
        n("bitcoin.fees.btcPerBlock", b.feesBTCPerBlock, "BTC")
        n("bitcoin.fees.logVolatility", b.feeLogVolatility)
        n("bitcoin.fees.meanReversionPerYear", b.feeMeanReversionPerYear, "per year")
        n("bitcoin.fees.spikesPerYear", b.feeSpikesPerYear, "per year")
        replay("bitcoin.fees", b.feesReplay)
        n("bitcoin.network.initialBlockHeight", Double(b.initialBlockHeight))
        n("bitcoin.network.initialHashrateEHs", b.initialHashrateEHs, "EH/s")
        n("bitcoin.network.growthPerYear", b.hashrateGrowthPerYear, "per year")
        n("bitcoin.network.priceElasticity", b.hashratePriceElasticity)
        for (i, f) in s.mining.enumerated() {
            t("mining[\(i)].hall", f.hall)
            t("mining[\(i)].asic", f.asic.name)
            n("mining[\(i)].units", Double(f.units))
            n("mining[\(i)].uptime", f.uptime)
            if let r = f.refresh {
                n("mining[\(i)].refresh.month", Double(r.month), "month")
                t("mining[\(i)].refresh.asic", r.asic.name)
                n("mining[\(i)].refresh.units", Double(r.units))
                n("mining[\(i)].refresh.salvageFraction", r.salvageFraction, "of the old units' price")
                if let every = r.everyMonths {
                    n("mining[\(i)].refresh.thenEveryMonths", Double(every), "months (the frontier machine)")
                    n("mining[\(i)].refresh.priceChangePerYear", r.priceChangePerYear, "per year")
                }
            }
        }
        if let c = s.gpuCloud {
            t("gpuCloud.hall", c.hall)
            t("gpuCloud.gpu", c.gpu.name)
            n("gpuCloud.gpus", Double(c.gpus))
            t("gpuCloud.scheduler", c.scheduler.rawValue)
            n("gpuCloud.price.initialUSDPerGPUHour", c.initialPriceUSDPerGPUHour, "USD/GPU-h")
            n("gpuCloud.price.floorUSDPerGPUHour", c.floorPriceUSDPerGPUHour, "USD/GPU-h")
            replay("gpuCloud.price", c.priceReplay)
        }
        for (i, l) in s.colocation.enumerated() {
            t("colocation[\(i)].hall", l.hall)
            n("colocation[\(i)].criticalITMW", l.criticalITMW, "MW")
            n("colocation[\(i)].priceUSDPerKWMonth", l.priceUSDPerKWMonth, "USD/kW-month")
        }
        for (i, c) in s.conversions.enumerated() {
            t("conversions[\(i)].hall", c.hall)
            n("conversions[\(i)].megawatts", c.megawatts, "MW")
            n("conversions[\(i)].startMonth", Double(c.startMonth), "month")
            n("conversions[\(i)].leadTimeMonths", Double(c.leadTimeMonths), "months")
            n("conversions[\(i)].capexUSDPerMW", c.capexUSDPerMW, "USD/MW")
            switch c.target {
            case .colocation(let l): n("conversions[\(i)].target.colocation.priceUSDPerKWMonth", l.priceUSDPerKWMonth, "USD/kW-month")
            case .gpuCloud(let g): n("conversions[\(i)].target.gpuCloud.gpus", Double(g))
            }
        }
        n("opex.fixedUSDPerMonth", s.opex.fixedUSDPerMonth, "USD/month")
        if let market = s.colocationMarket {
            n("colocationMarket.rentUSDPerKWMonth", market.rentUSDPerKWMonth, "USD/kW-month")
            n("colocationMarket.growthPerYear", market.growthPerYear, "per year")
        }
        switch s.valuation.method {
        case .none: t("valuation.terminalValue", "none")
        case .gordon(let g):
            t("valuation.terminalValue", "gordon")
            n("valuation.growthPerYear", g, "per year")
        case .multiple(let k):
            t("valuation.terminalValue", "multiple")
            n("valuation.multiple", k, "x trailing 12-month operating cash flow")
        }
        n("valuation.landValueUSDPerMW", s.valuation.landValueUSDPerMW, "USD/MW")
        return rows
    }
}
