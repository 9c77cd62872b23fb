// SPDX-License-Identifier: GPL-3.0-or-later

/// One month of a simulated path. Money in USD, energy in MWh, power in MW.
public struct MonthRow: Hashable, Sendable {
    /// 1-based month index and its calendar label (YYYY-MM).
    public var month: Int
    public var label: String
    // Revenue by stream
    public var miningRevenueUSD = 0.0
    public var gpuCloudRevenueUSD = 0.0
    public var colocationRevenueUSD = 0.0
    /// The rent weighted for the contract discount rate: each lease's rent times
    /// ((1 + r) / (1 + r_c))^(months since it was signed) (0 without a contract rate).
    public var colocationRevenueContractWeightedUSD = 0.0
    /// PPA energy resold at market while curtailed, plus demand-response credits.
    public var curtailmentCreditsUSD = 0.0
    /// Retired ASICs sold.
    public var assetSalesUSD = 0.0
    /// Settlement of a financial PPA (contract for difference): (market - strike) x
    /// volume; negative when the market is below the strike.
    public var ppaSettlementUSD = 0.0
    // Energy
    public var miningEnergyMWh = 0.0
    public var gpuEnergyMWh = 0.0
    /// Tenants' energy: a pass-through, not in the site's energy cost.
    public var colocationEnergyMWh = 0.0
    public var curtailedEnergyMWh = 0.0
    public var energyCostUSD = 0.0
    // Costs
    public var opexUSD = 0.0
    public var capexUSD = 0.0
    /// Transmission charge (4CP-style), billed in each peak month.
    public var transmissionUSD = 0.0
    /// The part of `capexUSD` spent on GPUs, and on ASICs (fleet refreshes); the rest is
    /// conversion work.
    public var gpuCapexUSD = 0.0
    public var miningCapexUSD = 0.0
    /// Critical IT kW under lease contracts this month (what landlord opex is paid on).
    public var colocationContractedKW = 0.0
    /// Value at the horizon (last month only, when the scenario values it): not cash,
    /// so not in the free cash flow, but in the NPV.
    public var terminalValueUSD = 0.0
    // Operations
    public var btcMined = 0.0
    public var averageBTCPriceUSD = 0.0
    public var averageSiteHashrateTHs = 0.0
    public var averageNetworkHashrateEHs = 0.0
    public var averageHashpriceUSDPerPHDay = 0.0
    public var averageMarketPowerPriceUSDPerMWh = 0.0
    /// The GPU cloud's rental price (0 without a GPU cloud).
    public var averageGPUPriceUSDPerGPUHour = 0.0
    public var gpuHoursBilled = 0.0
    public var gpuUtilisation = 0.0
    public var jobsCompleted = 0
    public var jobsWaitingAtEnd = 0
    /// Demand lost: jobs that arrived when the cloud could not serve them (no GPUs, or
    /// fewer than they need) or left after waiting `maxWaitHours`; and their GPU-hours.
    public var jobsLost = 0
    public var lostGPUHours = 0.0
    /// GPU-hours free while a waiting job could have used them by count but not by
    /// placement (its GPUs must be in one domain: ``GPUCloud/Placement``).
    public var fragmentedGPUHours = 0.0
    public var peakGridMW = 0.0

    public var revenueUSD: Double {
        miningRevenueUSD + gpuCloudRevenueUSD + colocationRevenueUSD + curtailmentCreditsUSD + assetSalesUSD + ppaSettlementUSD
    }
    public var freeCashFlowUSD: Double { revenueUSD - energyCostUSD - opexUSD - capexUSD - transmissionUSD }
    /// Free cash flow plus the terminal value: the flows the NPV discounts.
    public var valueFlowUSD: Double { freeCashFlowUSD + terminalValueUSD }
    /// Share of the network hashrate.
    public var hashrateShare: Double {
        averageNetworkHashrateEHs > 0 ? averageSiteHashrateTHs / (averageNetworkHashrateEHs * 1e6) : 0
    }
}

/// The outcome of one path.
public struct PathResult: Hashable, Sendable {
    public var months: [MonthRow]
    public var npvUSD: Double
    /// Annualised IRR of the monthly flows (terminal value included), when it means
    /// something: the flows change sign exactly once and it is above -99% a year.
    public var irr: Double?
    /// The IRR, or why there is none (with the MIRR at the discount rate).
    public var rateOfReturn: CashFlows.RateOfReturn = .notMeaningful(signChanges: 0, mirr: nil)
    /// First month from which cumulative free cash flow stays >= 0 after having been
    /// negative (nil: never, or never negative).
    public var paybackMonth: Int?
    public var eventsFired: Int
    /// The month each conversion project started (nil: it never did).
    public var conversionStartMonths: [Int?] = []
    /// The value at the horizon and its parts (nil when the scenario puts none).
    public var terminalValue: TerminalValue?
    /// Project and equity cash flows (nil without a `finance` section: the NPV is then
    /// the operations' pre-tax, unlevered one).
    public var finance: FinanceLayer.Result?

    public var totalFreeCashFlowUSD: Double { months.reduce(0) { $0 + $1.freeCashFlowUSD } }
    public var totalBTCMined: Double { months.reduce(0) { $0 + $1.btcMined } }
}
