// SPDX-License-Identifier: GPL-3.0-or-later

import Foundation
public import SwitchyardStochastic

/// A validated scenario: one site, its markets and its plans. Built by
/// ``ScenarioLoader`` from a YAML file; every field has its unit in its name.
public struct Scenario: Hashable, Sendable {
    public var name: String
    /// First month of the run, e.g. "2025-01".
    public var startMonth: String
    public var horizonMonths: Int
    /// Time step of the exogenous processes and of curtailment decisions, hours.
    public var stepHours: Double
    public var discountRatePerYear: Double
    public var site: Site
    public var electricity: Electricity
    public var bitcoin: BitcoinMarket
    public var mining: [MiningFleet]
    public var gpuCloud: GPUCloud?
    public var colocation: [ColocationLease]
    public var conversions: [ConversionProject]
    public var opex: Opex
    /// Market rent of colocation space (for mark-to-market renewals and re-lets).
    public var colocationMarket: ColocationMarket?
    /// How the site is valued at the horizon (default: not at all, the truncated view).
    public var valuation = Valuation()
    /// Opex of leases, tax, debt, separate discount rates, starting cash (default: none).
    public var finance = FinanceTerms()
    /// Tornado settings: explicit low/high values for named inputs (others move by a
    /// relative swing).
    public var sensitivity = Sensitivity()

    public var horizonHours: Double { Double(horizonMonths) * Scenario.hoursPerMonth }
    /// Months are 1/12 of a 365-day year (730 h), so a year is exactly 12 months.
    public static let hoursPerMonth = 730.0

    /// "January 2027": the calendar name of 1-based `month` of a run starting at `start` (YYYY-MM).
    public static func monthName(_ start: String, month: Int) -> String {
        let names = [
            "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
            "November", "December",
        ]
        let label = monthLabel(start, month: month)
        let parts = label.split(separator: "-")
        guard parts.count == 2, let m = Int(parts[1]), (1...12).contains(m) else { return label }
        return "\(names[m - 1]) \(parts[0])"
    }

    /// The calendar label (YYYY-MM) of 1-based `month` of a run starting at `start` (YYYY-MM).
    public static func monthLabel(_ start: String, month: Int) -> String {
        let parts = start.split(separator: "-").compactMap { Int($0) }
        let index = parts[0] * 12 + (parts[1] - 1) + (month - 1)
        let (year, monthOfYear) = (index / 12, index % 12 + 1)
        return "\(year)-" + (monthOfYear < 10 ? "0" : "") + "\(monthOfYear)"
    }
}

public struct Site: Hashable, Sendable {
    public var interconnectMW: Double
    public var halls: [Hall]

    public func hallIndex(named name: String) -> Int? { halls.firstIndex { $0.name == name } }
}

public enum Cooling: String, Hashable, Sendable, CaseIterable {
    case air, hydro, immersion, liquid

    /// kW a rack of this cooling holds when a scenario gives no `kWPerRack` (GUESS, no
    /// public source: air-cooled shelves ~15-20 kW; hydro-cooled mining racks and
    /// immersion tanks ~100 kW; direct-to-chip liquid near a GB200 NVL72 rack, ~120-132 kW).
    public var defaultKWPerRack: Double {
        switch self {
        case .air: 20
        case .hydro: 100
        case .immersion: 100
        case .liquid: 130
        }
    }
}

/// Racks of one kind: how they are cooled and the kW each holds (IT power).
public struct RackKind: Hashable, Sendable {
    public var cooling: Cooling
    public var kWPerRack: Double

    public init(cooling: Cooling, kWPerRack: Double) {
        self.cooling = cooling
        self.kWPerRack = kWPerRack
    }

    /// Machines of `watts` (IT) a rack holds, at most `cap` (0 when one does not fit).
    public func perRack(watts: Double, cap: Int? = nil) -> Int {
        let fit = Int((kWPerRack * 1_000 / watts * (1 + 1e-12)).rounded(.down))
        return min(fit, cap ?? fit)
    }

    /// Racks for `units` machines of `watts` each.
    public func racks(units: Int, watts: Double, cap: Int? = nil) -> Int {
        let per = perRack(watts: watts, cap: cap)
        guard per > 0, units > 0 else { return units > 0 ? Int.max : 0 }
        return (units + per - 1) / per
    }

    /// Racks for a tenant's IT load.
    public func racks(itMW: Double) -> Int { itMW > 0 ? Int((itMW * 1_000 / kWPerRack * (1 - 1e-12)).rounded(.up)) : 0 }
}

public struct Hall: Hashable, Sendable {
    public var name: String
    public var cooling: Cooling
    public var pue: Double
    /// Facility power the hall can draw (IT x PUE), MW.
    public var powerMW: Double
    /// Rack positions, of the hall's own kind (mining shelves, tenants' racks and the
    /// GPU cloud's first racks); a conversion takes some out for racks of its own kind.
    public var racks: Int
    public var kWPerRack: Double

    public var rackKind: RackKind { RackKind(cooling: cooling, kWPerRack: kWPerRack) }
}

/// Power purchase: a fixed-price PPA share plus the stochastic market price, and the
/// credits earned when curtailing.
public struct Electricity: Hashable, Sendable {
    /// Share of consumption bought at the PPA price (the rest at market). When mining
    /// curtails, PPA energy it does not use is resold at market (Texas-style resale).
    public var ppaShare: Double
    public var ppaPriceUSDPerMWh: Double
    public var market: MarketPrice
    /// Demand-response credit per curtailed MWh while the market price exceeds the
    /// threshold (0 = no programme).
    public var demandResponseCreditUSDPerMWh: Double
    public var demandResponseThresholdUSDPerMWh: Double
    /// Demand-response availability payment per MW of curtailable load a month: mining
    /// load that runs or is curtailed for price (not retired, not idle).
    public var demandResponseAvailabilityUSDPerMWMonth = 0.0
    /// A PPA as a contract (replaces `ppaShare` and `ppaPriceUSDPerMWh`, then 0).
    public var ppa: PPA?
    /// A 4CP-style transmission charge (nil: none).
    public var transmission: Transmission?

    /// A power purchase agreement with a term. Outside it the site buys at market.
    public struct PPA: Hashable, Sendable {
        public enum Volume: Hashable, Sendable {
            /// Financially settled contract for difference on a fixed block: pays
            /// (market - strike) x MW every hour, negative when the market is below
            /// the strike, whatever the site consumes; all consumption is bought at market.
            case fixedMW(Double)
            /// Physical delivery of this share of what the site consumes, at the strike;
            /// nothing when the site draws nothing.
            case shareOfLoad(Double)
        }

        public var volume: Volume
        public var strikeUSDPerMWh: Double
        /// First month (1-based) and length of the contract.
        public var startMonth: Int
        public var termMonths: Int

        public init(volume: Volume, strikeUSDPerMWh: Double, startMonth: Int, termMonths: Int) {
            self.volume = volume
            self.strikeUSDPerMWh = strikeUSDPerMWh
            self.startMonth = startMonth
            self.termMonths = termMonths
        }

        public func isActive(month m: Int) -> Bool { m >= startMonth && m < startMonth + termMonths }
    }

    /// ERCOT-style four-coincident-peak charge: the site's load in the highest-priced
    /// step of each peak month (a proxy for the system peak interval), times
    /// `usdPerKWYear` / number of peak months, billed in that month.
    public struct Transmission: Hashable, Sendable {
        public var usdPerKWYear: Double
        /// Calendar months (1-12) with a coincident peak.
        public var peakMonths: [Int]

        public init(usdPerKWYear: Double, peakMonths: [Int] = [6, 7, 8, 9]) {
            self.usdPerKWYear = usdPerKWYear
            self.peakMonths = peakMonths
        }
    }

    public struct MarketPrice: Hashable, Sendable {
        /// The seasonal median level e^f(t) of the non-spike price (the process's own
        /// parameter). Given `meanPriceUSDPerMWh`, it is derived from it.
        public var basePriceUSDPerMWh: Double
        /// The long-run mean price the scenario asked for, if it gave one (then the
        /// base is set so that the process's stationary mean equals it).
        public var meanPriceUSDPerMWh: Double?
        public var seasonalAmplitude: Double
        public var seasonalPeak: Double
        public var meanReversionPerYear: Double
        public var volatility: Double
        public var spikesPerYear: Double
        public var spikeLogMean: Double
        public var spikeLogSD: Double
        /// A replayed market price (the same on every path; the process is unused).
        public var replay: Replay?
    }
}

extension Electricity.MarketPrice {
    /// The process's own base level for a run stepped every `stepHours`: as given, or,
    /// when the scenario gave the long-run mean, the base whose stationary mean it is
    /// (``ElectricityPriceProcess/meanFactor(stepYears:)``).
    public func processBase(stepHours: Double) -> Double {
        guard let mean = meanPriceUSDPerMWh else { return basePriceUSDPerMWh }
        return mean / process(base: 1).meanFactor(stepYears: stepHours / 8_760)
    }

    /// The long-run mean price for a run stepped every `stepHours`.
    public func longRunMean(stepHours: Double) -> Double {
        meanPriceUSDPerMWh ?? basePriceUSDPerMWh * process(base: 1).meanFactor(stepYears: stepHours / 8_760)
    }

    public func process(base: Double) -> ElectricityPriceProcess {
        ElectricityPriceProcess(
            basePriceUSDPerMWh: base, seasonalAmplitude: seasonalAmplitude, seasonalPeak: seasonalPeak,
            meanReversion: meanReversionPerYear, volatility: volatility, spikeIntensity: spikesPerYear,
            spikeLogMean: spikeLogMean, spikeLogSD: spikeLogSD)
    }

    /// The price level a tornado or a user moves: the mean when given, else the base.
    public var level: Double {
        get { meanPriceUSDPerMWh ?? basePriceUSDPerMWh }
        set {
            if meanPriceUSDPerMWh != nil { meanPriceUSDPerMWh = newValue } else { basePriceUSDPerMWh = newValue }
        }
    }
}

public struct BitcoinMarket: Hashable, Sendable {
    public enum PriceModel: String, Hashable, Sendable, CaseIterable { case gbm, merton }
    public var priceModel: PriceModel
    public var initialPriceUSD: Double
    public var drift: Double
    public var volatility: Double
    public var jumpsPerYear: Double
    public var jumpLogMean: Double
    public var jumpLogSD: Double
    /// Mean transaction fees per block, BTC, and the volatility of their log (OU).
    public var feesBTCPerBlock: Double
    public var feeLogVolatility: Double
    public var feeMeanReversionPerYear: Double
    /// Fee spikes: jumps of the log fee (Poisson, normal sizes) that decay at the mean
    /// reversion speed; the mean fee stays `feesBTCPerBlock` (the spikes are in it).
    public var feeSpikesPerYear = 0.0
    public var feeSpikeLogMean = 0.0
    public var feeSpikeLogSD = 0.0
    /// The fee at the start (nil: the mean); it returns to the mean at the reversion speed.
    public var initialFeesBTCPerBlock: Double?
    public var initialBlockHeight: Int
    public var initialHashrateEHs: Double
    public var hashrateGrowthPerYear: Double
    public var hashratePriceElasticity: Double
    public var hashratePriceLagYears: Double
    public var hashrateAdjustmentPerYear: Double
    public var hashrateVolatility: Double
    /// Correlation of BTC price and network hashrate shocks.
    public var priceHashrateCorrelation: Double
    /// A replayed BTC price (the same on every path; the price model's parameters are
    /// unused).
    public var priceReplay: Replay?
    /// Replayed fees, BTC a block (the fee process's parameters are unused).
    public var feesReplay: Replay?
    /// With it, the hashrate answers profitability (``ProfitabilityHashrate``; its lag
    /// and volatility are `hashratePriceLagYears` and `hashrateVolatility`); without,
    /// it follows the lagged price and a trend (growth, elasticity, adjustment).
    public var profitability: ProfitabilityHashrate?
    /// The SDs of the profitability model's parameters, drawn per path (none by default).
    public var networkUncertainty = ProfitabilityHashrate.Uncertainty()
}

public struct MiningFleet: Hashable, Sendable {
    public var hall: String
    public var asic: ASICModel
    public var units: Int
    /// Share of time a unit hashes when powered (maintenance, failures).
    public var uptime: Double
    /// Site operating cost of mining per MWh drawn (maintenance, staff), USD.
    public var opexUSDPerMWh: Double
    /// Replacement by another ASIC generation (none by default).
    public var refresh: FleetRefresh?
}

/// A fleet replaced at the start of a month: the units left are sold at a share of
/// their catalogue price, and the new model bought at its catalogue price, in the
/// same proportion (a fleet half converted away is refreshed half).
public struct FleetRefresh: Hashable, Sendable {
    /// Month of the run (2 or later) at whose start the fleet is replaced.
    public var month: Int
    public var asic: ASICModel
    /// New units for the whole fleet (by default as many as its power allows).
    public var units: Int
    /// Share of the old units' price (catalogue, or paid at a later refresh) they sell for.
    public var salvageFraction: Double
    /// Later refreshes, every this many months after the first (nil: none): the fleet is
    /// replaced by the frontier machine of the day, with the network model's frontier
    /// efficiency e(t) (``ProfitabilityHashrate``) in units of `asic`'s power, at
    /// `asic`'s price per watt changed by `priceChangePerYear` a year since the first.
    public var everyMonths: Int?
    public var priceChangePerYear = 0.0
}

public struct GPUCloud: Hashable, Sendable {
    public enum Scheduler: String, Hashable, Sendable, CaseIterable {
        /// Strict first come, first served.
        case fifo
        /// Any waiting job that fits starts (aggressive backfilling, no reservation).
        case backfill
        /// Larger jobs (more GPUs) first.
        case priority
    }

    public var hall: String
    public var gpu: GPUModel
    /// GPUs installed at the start (more arrive with conversions).
    public var gpus: Int
    public var scheduler: Scheduler
    public var initialPriceUSDPerGPUHour: Double
    public var floorPriceUSDPerGPUHour: Double
    public var priceDecayPerYear: Double
    public var priceMeanReversionPerYear: Double
    public var priceVolatility: Double
    public var demand: Demand
    /// Operating cost per GPU-hour billed (staff, network, software), USD.
    public var opexUSDPerGPUHour: Double
    /// A job that has waited this long without starting leaves (lost demand; nil: jobs
    /// wait as long as it takes).
    public var maxWaitHours: Double?
    /// Buy each batch of GPUs again (catalogue price) every `gpu.lifetimeYears` after it
    /// was installed; the first batch counts as installed `initialAgeYears` before the start.
    public var replaceAtEndOfLife = false
    public var initialAgeYears = 0.0
    /// A replayed rental price (the same on every path; the price process is unused).
    public var priceReplay: Replay?
    /// Where a job's GPUs may be: anywhere in the cloud (the default), or within one
    /// hall, one rack or one pod of racks.
    public var placement = Placement()

    /// How a training job's GPUs are placed on the cloud's racks.
    public struct Placement: Hashable, Sendable {
        public enum Domain: Hashable, Sendable {
            /// Anywhere: a job starts whenever enough GPUs are free (no placement constraint).
            case cloud
            /// All of a job's GPUs in one hall.
            case hall
            /// All in one rack (e.g. an NVL72 rack: one NVLink domain).
            case rack
            /// All in one pod of this many racks (consecutive racks of one installation).
            case pod(racks: Int)

            public var name: String {
                switch self {
                case .cloud: "cloud"
                case .hall: "hall"
                case .rack: "rack"
                case .pod: "pod"
                }
            }
        }

        public enum Policy: String, Hashable, Sendable, CaseIterable {
            /// The first domain (in installation order) with room.
            case firstFit
            /// The domain with the fewest free GPUs that has room (keeps big holes for big jobs).
            case bestFit
        }

        public var domain: Domain = .cloud
        public var policy: Policy = .firstFit
        /// Servers a rack holds at most (nil: as many as its kW allow).
        public var serversPerRack: Int?
        /// A job takes whole servers (bare-metal nodes): a 1-GPU job holds, and powers,
        /// all the GPUs of its server; it is billed for its own. The cloud's GPUs then
        /// come in whole servers.
        public var wholeServers = false

        public init(domain: Domain = .cloud, policy: Policy = .firstFit, serversPerRack: Int? = nil, wholeServers: Bool = false) {
            self.domain = domain
            self.policy = policy
            self.serversPerRack = serversPerRack
            self.wholeServers = wholeServers
        }
    }

    public enum Demand: Hashable, Sendable {
        /// Poisson arrivals; GPUs per job drawn from `gpusPerJob` (uniform choice);
        /// duration lognormal with the given mean and sd.
        case poisson(jobsPerDay: Double, gpusPerJob: [Int], meanHours: Double, sdHours: Double)
        /// Replay of a trace file (submit time, GPUs, duration, in seconds).
        case trace(path: String, jobs: [TraceJob])
    }
}

/// One job of a replayed trace.
public struct TraceJob: Hashable, Sendable {
    public var id: String
    public var submitSeconds: Double
    public var gpus: Int
    public var durationSeconds: Double
}

public struct ColocationLease: Hashable, Sendable {
    /// What happens when the contract (its term and every renewal taken) ends.
    public enum AfterTerm: Hashable, Sendable {
        /// The hall returns to a powered shell: rent stops, its megawatts are released,
        /// and it is worth the land value per MW (``Valuation/landValueUSDPerMW``).
        case shell
        /// The hall is re-let at the market rent after `vacancyMonths` without rent,
        /// for `termMonths`, again and again (each re-let followed by a vacancy).
        case relet(vacancyMonths: Int, termMonths: Int)
    }

    public var hall: String
    public var criticalITMW: Double
    public var priceUSDPerKWMonth: Double
    public var termMonths: Int
    public var escalatorPerYear: Double
    /// First month of the lease (1-based).
    public var startMonth: Int
    /// Months over which the tenant's IT load ramps linearly to `criticalITMW`.
    public var rampMonths: Int
    /// The tenant's renewal options (none by default).
    public var renewals = LeaseRenewals()
    public var afterTerm = AfterTerm.shell
    /// The tenant's default hazard, per year: the contract (term and renewals) ends at
    /// an exponential time with this rate, on the path's tenant-credit stream; then
    /// `afterTerm` applies (re-let after the vacancy, or a powered shell).
    public var defaultPerYear = 0.0
    /// Fit-out capex of each re-let, USD per MW of critical IT at the market's month-1
    /// prices (it grows with the market rent), paid in the month the previous tenant leaves.
    public var reletCapexUSDPerMW = 0.0

    public init(
        hall: String, criticalITMW: Double, priceUSDPerKWMonth: Double, termMonths: Int, escalatorPerYear: Double,
        startMonth: Int, rampMonths: Int, renewals: LeaseRenewals = LeaseRenewals(), afterTerm: AfterTerm = .shell
    ) {
        self.hall = hall
        self.criticalITMW = criticalITMW
        self.priceUSDPerKWMonth = priceUSDPerKWMonth
        self.termMonths = termMonths
        self.escalatorPerYear = escalatorPerYear
        self.startMonth = startMonth
        self.rampMonths = rampMonths
        self.renewals = renewals
        self.afterTerm = afterTerm
    }
}

/// Renewal options of a lease: up to `options` renewals of `termMonths` each; each is
/// taken with `probability` (given the ones before were), decided on the lease's own
/// random stream when the previous term ends.
public struct LeaseRenewals: Hashable, Sendable {
    public enum Rent: String, Hashable, Sendable, CaseIterable {
        /// The contract rent keeps escalating from the original start.
        case escalated
        /// The market rent at the renewal's start, times (1 + `marketSpread`), then
        /// escalated from the renewal's start.
        case market
    }

    public var options = 0
    public var termMonths = 0
    public var probability = 0.0
    public var rent = Rent.escalated
    public var marketSpread = 0.0

    public init(options: Int = 0, termMonths: Int = 0, probability: Double = 0, rent: Rent = .escalated, marketSpread: Double = 0) {
        self.options = options
        self.termMonths = termMonths
        self.probability = probability
        self.rent = rent
        self.marketSpread = marketSpread
    }
}

/// The market rent of colocation space: `rentUSDPerKWMonth` in month 1, growing at
/// `growthPerYear` (compounded monthly: rent_m = rent_1 (1 + g)^((m - 1) / 12)).
public struct ColocationMarket: Hashable, Sendable {
    public var rentUSDPerKWMonth: Double
    public var growthPerYear: Double

    public init(rentUSDPerKWMonth: Double, growthPerYear: Double) {
        self.rentUSDPerKWMonth = rentUSDPerKWMonth
        self.growthPerYear = growthPerYear
    }

    /// Market rent in (1-based) month `m` of the run, USD per kW-month.
    public func rent(month m: Int) -> Double { rentUSDPerKWMonth * pow(1 + growthPerYear, Double(m - 1) / 12) }
}

/// Value at the horizon. Off by default (old scenarios keep their numbers); see
/// ``TerminalValue`` for the formulas.
public struct Valuation: Hashable, Sendable {
    public enum Method: Hashable, Sendable {
        /// No value after the horizon (the truncated view).
        case none
        /// Gordon growth on the trailing 12 months' operating cash flow CF:
        /// CF (1 + g) / (r - g).
        case gordon(growthPerYear: Double)
        /// An exit multiple of the trailing 12 months' operating cash flow.
        case multiple(Double)
    }

    /// How operations (mining, GPU cloud, credits, their energy and opex) are valued;
    /// with any method but `none`, leases are valued too (remaining rent, expected
    /// renewals and what follows them) and the land value applies.
    public var method = Method.none
    /// Residual value of powered land, USD per MW of interconnect not under a lease.
    /// Operations are worth at least this at the horizon (the owner can sell or lease
    /// the powered land instead of operating at a loss).
    public var landValueUSDPerMW = 0.0

    public init(method: Method = .none, landValueUSDPerMW: Double = 0) {
        self.method = method
        self.landValueUSDPerMW = landValueUSDPerMW
    }

    /// Whether any value is put on the horizon.
    public var isOn: Bool { method != .none }
}

public struct ConversionProject: Hashable, Sendable {
    public enum Target: Hashable, Sendable {
        case colocation(ColocationLease)
        case gpuCloud(gpus: Int)
    }

    public var hall: String
    /// Facility MW taken from mining in that hall.
    public var megawatts: Double
    /// First month of the conversion (1-based). Scenario files must keep it within the
    /// horizon; in code, a later month means the block is never converted.
    public var startMonth: Int
    public var leadTimeMonths: Int
    /// Capex per MW of critical IT after conversion, USD.
    public var capexUSDPerMW: Double
    /// PUE of the converted space (liquid-cooled retrofit ~1.2).
    public var newPUE: Double
    /// Share of the capex saved by reusing mining infrastructure.
    public var reusableFraction: Double
    /// Resale value of a retired ASIC as a share of its catalogue price.
    public var asicSalvageFraction: Double
    public var target: Target
    /// When set, the project starts when the trigger fires instead of at `startMonth`.
    public var trigger: ConversionTrigger?
    /// Execution risk, drawn once a path on its own stream (nil: as planned): the lead
    /// time in months (rounded to whole months), and the capex multiplier (1 + overrun).
    public var leadTimeRisk: Distribution?
    public var capexFactorRisk: Distribution?

    /// Sizes the planner may choose from, facility MW (the scenario file's
    /// `megawatts: [20, 40, 60]`; empty: the size is fixed at `megawatts`). The first is
    /// `megawatts`, what `simulate` and `risk` use.
    public var sizeOptions: [Double] = []
    /// The racks it installs (nil: the hall's own kind): it takes out the rack positions
    /// of the miners it retires and puts in as many racks of this kind as its GPUs or
    /// its tenant's IT load need.
    public var racks: RackKind?

    /// Critical IT MW delivered: facility MW / new PUE.
    public var criticalITMW: Double { megawatts / newPUE }
    public var capexUSD: Double { capexUSDPerMW * criticalITMW * (1 - reusableFraction) }

    /// The block at another size: capex and a lease's IT load follow the megawatts (they
    /// are per MW); a GPU block's GPUs scale with them, rounded down.
    public func resized(to mw: Double) -> ConversionProject {
        var c = self
        guard mw != megawatts else { return c }
        c.megawatts = mw
        if case .gpuCloud(let gpus) = target {
            // (Capped so that a hostile size list cannot overflow; the loader caps GPUs at 1e8.)
            c.target = .gpuCloud(gpus: Int(min(1e15, (Double(gpus) * mw / megawatts).rounded(.down))))
        }
        return c
    }
}

public struct Sensitivity: Hashable, Sendable {
    /// Relative move of inputs without an explicit range (nil: the command's --swing).
    public var swing: Double?
    /// Explicit (low, high) values by input name (see `SensitivityInput.standard`).
    public var ranges: [String: ClosedRange<Double>] = [:]

    public init(swing: Double? = nil, ranges: [String: ClosedRange<Double>] = [:]) {
        self.swing = swing
        self.ranges = ranges
    }
}

/// Start a conversion when the hashprice has stayed below a level for a while, within a
/// window of months. Triggered projects start one after another: each needs the
/// condition to hold again, for `forDays`, after the previous one started.
/// Starts a conversion when a signal has stayed below a level for a number of days,
/// within a window of months.
public struct ConversionTrigger: Hashable, Sendable, Codable {
    public enum Signal: Hashable, Sendable, Codable {
        /// The network hashprice, USD per PH/s per day.
        case hashprice
        /// The mining margin of the block's hall, USD per MWh: what the fleet the
        /// block would retire first earns per MWh (net of its opex) minus the market
        /// power price (the marginal cost: PPA energy not used is resold at market).
        case miningMargin
    }

    public var signal: Signal
    /// The level, in the signal's unit.
    public var below: Double
    public var forDays: Double
    public var earliestMonth: Int
    public var latestMonth: Int

    public init(signal: Signal = .hashprice, below: Double, forDays: Double, earliestMonth: Int, latestMonth: Int) {
        self.signal = signal
        self.below = below
        self.forDays = forDays
        self.earliestMonth = earliestMonth
        self.latestMonth = latestMonth
    }

    /// The signal's unit, for reports.
    public var unit: String { signal == .hashprice ? "USD/PH/day" : "USD/MWh" }
}

public struct Opex: Hashable, Sendable {
    public var fixedUSDPerMonth: Double
}
