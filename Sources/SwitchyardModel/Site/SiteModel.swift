// SPDX-License-Identifier: GPL-3.0-or-later

import Foundation
public import SwitchyardEngine
import SwitchyardStochastic

/// A site played through the discrete-event engine against one path of the environment.
///
/// Power: the grid (the interconnect) and, under it, each hall (its facility MW) are
/// engine capacities; every holder of power holds it in its hall and in the grid at
/// once. Colocation tenants (priority 20) and GPU jobs (priority 10) hold megawatts that
/// are never taken back; mining holds the rest, hall by hall, as a partially
/// preemptible load (priority 0): AI takes what it needs from it at once, in its hall
/// first, and it is curtailed on price. Racks are engine pools: each hall's rack
/// positions (mining shelves, tenants' racks, the cloud's first GPU racks) and each
/// conversion's new racks. A GPU job's GPUs are placed on the cloud's racks within one
/// placement domain (``GPURacks``). Between events everything is constant, and
/// energy, blocks, BTC and money are integrated exactly over each constant piece.
public struct SiteModel: SimulationModel {
    public enum Event: Hashable, Sendable, CustomStringConvertible {
        case tick
        case monthEnd(Int)
        case jobArrival
        case traceArrival(Int)
        case gpusGranted(job: Int, ResourceTicket)
        case powerGranted(job: Int, ResourceTicket)
        case jobFinished(job: Int)
        case jobRenege(job: Int)
        case miningPreempted(ResourceTicket)
        case conversionStart(Int)
        case conversionComplete(Int)
        case colocationGranted(Int, ResourceTicket)
        /// Fleets refreshed this month (after any conversion starting at the same time).
        case fleetRefresh

        public var description: String {
            switch self {
            case .tick: "tick"
            case .monthEnd(let m): "monthEnd(\(m))"
            case .jobArrival: "jobArrival"
            case .traceArrival(let i): "traceArrival(\(i))"
            case .gpusGranted(let job, _): "gpusGranted(job \(job))"
            case .powerGranted(let job, _): "powerGranted(job \(job))"
            case .jobFinished(let job): "jobFinished(job \(job))"
            case .jobRenege(let job): "jobRenege(job \(job))"
            case .miningPreempted: "miningPreempted"
            case .conversionStart(let k): "conversionStart(\(k))"
            case .conversionComplete(let k): "conversionComplete(\(k))"
            case .fleetRefresh: "fleetRefresh"
            case .colocationGranted(let k, _): "colocationGranted(\(k))"
            }
        }
    }

    struct Job {
        var gpus: Int
        /// GPUs it holds: its own, or its whole servers' (``GPUCloud/Placement/wholeServers``).
        var heldGPUs: Int
        var durationHours: Double
        var submitHours: Double
        var startHours: Double?
        var endHours: Double?
        var gpuTicket: ResourceTicket?
        /// The grid's power (each hall's is in its power parts).
        var powerTicket: ResourceTicket?
        /// The GPU or power request while it waits (withdrawn if the job reneges).
        var waitingTicket: ResourceTicket?
        var powerMW: Double
        /// Where its GPUs are: with unconstrained placement all in group `group` (the
        /// common case, nothing logged) or across groups in `shareLog[shares]`; with a
        /// placement domain, by rack in `shareLog[shares]`.
        var group = -1
        var shares: Range<Int> = 0..<0
        /// The MW its GPUs draw in its first hall (`part0`) and in any other
        /// (`partLog[moreParts]`), and how many of those parts it holds so far.
        var part0: PowerPart?
        var moreParts: Range<Int> = 0..<0
        var partsHeld = 0
        /// Its place in `runningList` while it runs.
        var runningSlot = -1
        var partCount: Int { (part0 == nil ? 0 : 1) + moreParts.count }
        /// Waiting for placement (the model's own queue, when placement is constrained).
        var placementWaiting = false
    }

    struct Lease {
        var terms: ColocationLease { schedule.terms }
        var schedule: LeaseSchedule
        /// Renewals this tenant takes on this path (drawn at the start of the path).
        var renewalsTaken: Int
        /// Its hall's index.
        var hall: Int
        /// The month this tenant defaults on this path (nil: it does not).
        var defaultMonth: Int? = nil
        /// The last month whose re-let fit-out was paid (a month's lease update may run twice).
        var fitOutPaidMonth = 0
        /// The grid's power and its hall's.
        var ticket: ResourceTicket?
        var hallTicket: ResourceTicket?
        var heldMW = 0.0
        /// Contracted IT kW billed this month, and the month's rent (escalated).
        var billedKW = 0.0
        var billedRentUSDPerMonth = 0.0
        /// The month the contract was signed, as a discounting exponent: 0 for the
        /// scenario's leases (signed before the run), s - 1 for a conversion started in
        /// month s (re-lets keep it).
        var signedMonth = 0
        /// contractPremium^(month - signedMonth) and the month it is for (one pow a
        /// month rather than one a step).
        var premiumMonth = Int.min
        var premium = 1.0
    }

    /// The scenario (a fork swaps in its own: see ``runForked(never:variants:seed:path:)``).
    private(set) var scenario: Scenario
    var environment: Environment
    /// (1 + r) / (1 + r_c) a month, r the scenario's rate and r_c the contract rate (1:
    /// no contract rate): contracted rent m months after signing is worth this^m times
    /// its value at the scenario's rate.
    let contractPremium: Double
    private(set) var demandStream: RandomStream
    /// The interconnect, as an engine resource.
    public let grid: CapacityID
    /// Each hall's facility MW (in the order of `site.halls`), as engine resources.
    public let hallCapacity: [CapacityID]
    /// Each hall's rack positions of its own kind, and each conversion's new racks
    /// (none until it completes), as engine pools.
    public let hallRacks: [PoolID]
    public let conversionRacks: [PoolID]
    /// Per fleet: its hall's index, ASICs a rack, and its holding of rack positions;
    /// per hall, its fleets.
    let fleetHall: [Int]
    /// Fleets by hall: hall h's are `fleetsByHall[hallFleetStart[h]..<hallFleetStart[h + 1]]`.
    let fleetsByHall: [Int]
    let hallFleetStart: [Int]
    let fleetPerRack: [Int]
    var fleetRackTicket: [ResourceTicket?]
    /// The GPU cloud's racks and where each job's GPUs are (none without a cloud).
    public private(set) var gpuRacks = GPURacks()
    let hasCloud: Bool
    /// Placement in the model's own queue (a domain smaller than the cloud); otherwise
    /// the engine's GPU pool queues jobs and placement only records where they run.
    let placementConstrained: Bool
    /// Jobs waiting for placement, in arrival order.
    var placementQueue: [Int] = []
    /// Where every placed job's GPUs are and the power they draw in each hall, in
    /// placement order (jobs keep ranges into them: no allocation per job).
    var shareLog: [GPURacks.Share] = []
    var partLog: [PowerPart] = []
    struct PowerPart {
        var hall: Int
        var mw: Double
        var ticket: ResourceTicket?
    }
    /// The cloud's constants, read per job.
    let gpuWattsPerGPU: Double
    let gpusPerServer: Int
    let wholeServers: Bool
    let gpuScheduler: GPUCloud.Scheduler
    let maxWaitHours: Double?
    /// Free GPUs that a waiting job could use by count but not by placement (0 unless so).
    var fragmentedGPUs = 0
    /// Mining per hall: its holding in the hall and in the grid (always equal), and the
    /// MW it wants and holds.
    var hallMiningTicket: [ResourceTicket?]
    var hallMiningGridTicket: [ResourceTicket?]
    var hallMiningWantedMW: [Double]
    var hallMiningHeldMW: [Double]
    /// Over the running fleets at full power (all halls), kept by ``fleetsChanged()``:
    /// TH/s, and mining opex in USD per hour.
    var runningTHs = 0.0
    var runningOpexPerHour = 0.0
    /// Mining's hashrate and opex per hour now: each hall's running fleets at the share
    /// of its wanted power it holds (AI may have taken some). Kept by
    /// ``miningRatesChanged()`` whenever fleets or holdings change.
    var miningTHsNow = 0.0
    var miningOpexPerHourNow = 0.0
    /// Set when the fleets' wanted power may have changed (``fleetsChanged()``); a
    /// refresh with it clear and mining holding all it wants has nothing to do.
    var miningWantMayHaveChanged = true
    /// MW held by running GPU jobs in each hall.
    var gpuPowerByHall: [Double]
    let gpuPool: PoolID?
    let stepHours: Double
    /// The mining fleets: the scenario's, then the successor of each one refreshed
    /// (installed at its refresh month, no units before), and each fleet's successor.
    let fleets: [MiningFleet]
    let fleetSuccessor: [Int?]
    /// Units of each mining fleet still installed.
    var fleetUnits: [Int]
    /// Per fleet, fixed for the run: facility MW per unit (W x hall PUE), effective
    /// TH/s per unit (x uptime), opex per MWh.
    let fleetMWPerUnit: [Double]
    var fleetTHsPerUnit: [Double]
    /// What a unit of each fleet cost (catalogue, or paid at a later refresh), USD.
    var fleetUnitPriceUSD: [Double]
    let fleetOpexPerMWh: [Double]
    /// Effective TH/s per facility MW of each fleet (hashrate x uptime / (W x PUE)).
    var fleetTHsPerMW: [Double]
    /// Installed mining power (changes only when a conversion retires miners).
    var miningCapacity = 0.0
    /// Tariff constants, read on every accrual.
    let ppaShare: Double
    let ppaPrice: Double
    let demandResponseCredit: Double
    let demandResponseThreshold: Double
    let demandResponseAvailabilityPerMWHour: Double
    /// A PPA contract and whether it runs this month.
    let ppa: Electricity.PPA?
    var ppaActive = false
    /// A fleet counts as curtailed (earning curtailment credits) only while it is off
    /// for price and would earn at least this typical price per MWh (the process's
    /// seasonal median level); a fleet that does not is idle and earns nothing.
    let typicalPowerPrice: Double
    /// Per fleet: earns at least the typical price (set at each mining decision).
    var fleetEconomic: [Bool]
    /// MW of mining load curtailed for price now, and MW curtailable (running or
    /// curtailed for price: what a demand-response programme pays availability on).
    var curtailedMW = 0.0
    var curtailableMW = 0.0
    /// 4CP: the highest market price seen this month and the site's load then.
    var peakPriceThisMonth = -Double.infinity
    var peakLoadThisMonthMW = 0.0
    /// Per run month (index m - 1): whether it is a 4CP peak month.
    let fourCPMonth: [Bool]
    /// GPU cloud operating cost per GPU-hour (nil without a cloud) and fixed opex per hour.
    let gpuOpexPerGPUHour: Double?
    let fixedOpexPerHour: Double
    /// Share of each fleet running (price curtailment), before preemption by AI.
    var fleetRunning: [Double]
    /// Mining MW wanted (running fleets) and held (after preemption), over the halls.
    var miningWantedMW = 0.0
    var miningHeldMW = 0.0
    var gpuPowerMW = 0.0
    var gpusBusy = 0
    var gpusInstalled: Int
    var jobs: [Job] = []
    /// The jobs running now, in no particular order (each knows its slot).
    var runningList: [Int] = []
    /// Jobs holding GPUs and power now.
    var leases: [Lease] = []
    var chain: ChainState
    /// Per conversion: the month it started (nil: not yet) and capex installments paid.
    var conversionStartMonth: [Int?]
    var capexInstallmentsPaid: [Int]
    /// Hours the hashprice has stayed below the next triggered project's level.
    var hoursBelowTrigger = 0.0
    /// Projects that start on a trigger, in order, and how many of them have started.
    let triggered: [(project: Int, trigger: ConversionTrigger)]
    /// Per project, the mining fleets in its hall, in retirement order.
    let conversionHallFleets: [[Int]]
    var triggeredStarted = 0
    var lastAccrual = 0.0
    var month = 1
    var row: MonthRow
    var rows: [MonthRow] = []
    /// Mining capacity (MW) at each month's end: the going concern at the horizon scales
    /// the mining in its window to the capacity left.
    var miningCapacityByMonth: [Double] = []
    var monthHoursAccrued = 0.0
    var trace: [TraceJob]
    /// Renewals each lease's tenant takes on this path: the scenario's leases, then one
    /// per conversion project (drawn up front, one uniform per option, so that a
    /// policy's timing never changes a tenant's decisions).
    let colocationRenewals: [Int]
    let conversionRenewals: [Int]
    /// Years from each conversion lease's start to its tenant's default (infinity: none).
    let conversionDefaultYears: [Double]
    /// Each conversion's lead time (months) and capex (USD) on this path: as planned, or
    /// drawn from its execution-risk ranges.
    let conversionLead: [Int]
    private(set) var conversionCapex: [Double]
    /// Each conversion's drawn capex multiplier (nil: no capex risk), kept so that a
    /// fork with other block sizes prices its blocks with the same draws.
    let conversionCapexFactor: [Double?]
    /// The calendar sequence number each conversion's start takes (reserved at set-up
    /// whether or not it is scheduled, so a fork can schedule it in the same tie order).
    private(set) var conversionSequence: [UInt64] = []
    /// GPU batches (month installed, count) for replacement at the end of their life.
    var gpuBatches: [(month: Int, gpus: Int)] = []

    /// Sets up the model and its resources in `simulation` and schedules the first events.
    public init(scenario s: Scenario, seed: UInt64, path: UInt64, simulation: inout Simulation<Event>) {
        scenario = s
        environment = Environment(scenario: s, seed: seed, path: path)
        contractPremium =
            s.finance.contractDiscountRatePerYear.map {
                (1 + CashFlows.monthlyRate(annual: s.discountRatePerYear)) / (1 + CashFlows.monthlyRate(annual: $0))
            } ?? 1
        demandStream = RandomStream(seed: seed, path: path, process: .aiDemand)
        stepHours = s.stepHours
        grid = simulation.addCapacity("grid", capacity: s.site.interconnectMW)
        hallCapacity = s.site.halls.map { simulation.addCapacity("hall \($0.name)", capacity: $0.powerMW) }
        hallRacks = s.site.halls.map { simulation.addPool("racks of hall \($0.name)", units: $0.racks) }
        conversionRacks = s.conversions.indices.map { simulation.addPool("racks of conversion \($0 + 1)", units: 0) }
        var fleets = s.mining
        var successors = [Int?](repeating: nil, count: s.mining.count)
        var units = s.mining.map(\.units)
        for (f, fleet) in s.mining.enumerated() {
            guard let r = fleet.refresh else { continue }
            successors[f] = fleets.count
            successors.append(nil)
            units.append(0)
            fleets.append(MiningFleet(hall: fleet.hall, asic: r.asic, units: r.units, uptime: fleet.uptime, opexUSDPerMWh: fleet.opexUSDPerMWh))
        }
        self.fleets = fleets
        fleetSuccessor = successors
        fleetUnits = units
        fleetMWPerUnit = fleets.map { $0.asic.powerW * s.site.halls[s.site.hallIndex(named: $0.hall)!].pue / 1e6 }
        fleetTHsPerUnit = fleets.map { $0.asic.hashrateTHs * $0.uptime }
        fleetUnitPriceUSD = fleets.map(\.asic.priceUSD)
        fleetOpexPerMWh = fleets.map(\.opexUSDPerMWh)
        fleetTHsPerMW = zip(fleetTHsPerUnit, fleetMWPerUnit).map { $0 / $1 }
        let hallOf = fleets.map { s.site.hallIndex(named: $0.hall)! }
        fleetHall = hallOf
        let byHall = s.site.halls.indices.map { h in hallOf.indices.filter { hallOf[$0] == h } }
        fleetsByHall = byHall.flatMap { $0 }
        hallFleetStart = [0] + byHall.reduce(into: [Int]()) { starts, fleets in starts.append((starts.last ?? 0) + fleets.count) }
        fleetPerRack = fleets.enumerated().map { f, fleet in s.site.halls[hallOf[f]].rackKind.perRack(watts: fleet.asic.powerW) }
        fleetRackTicket = fleets.map { _ in nil }
        let hallCount = s.site.halls.count
        hallMiningTicket = Array(repeating: nil, count: hallCount)
        hallMiningGridTicket = Array(repeating: nil, count: hallCount)
        hallMiningWantedMW = Array(repeating: 0, count: hallCount)
        hallMiningHeldMW = Array(repeating: 0, count: hallCount)
        gpuPowerByHall = Array(repeating: 0, count: hallCount)
        ppaShare = s.electricity.ppaShare
        ppaPrice = s.electricity.ppaPriceUSDPerMWh
        demandResponseCredit = s.electricity.demandResponseCreditUSDPerMWh
        demandResponseThreshold = s.electricity.demandResponseThresholdUSDPerMWh
        demandResponseAvailabilityPerMWHour = s.electricity.demandResponseAvailabilityUSDPerMWMonth / Scenario.hoursPerMonth
        ppa = s.electricity.ppa
        ppaActive = s.electricity.ppa?.isActive(month: 1) ?? false
        typicalPowerPrice = s.electricity.market.processBase(stepHours: s.stepHours)
        fleetEconomic = fleets.map { _ in true }
        if let t = s.electricity.transmission {
            let first = Int(s.startMonth.suffix(2)) ?? 1
            fourCPMonth = (0..<s.horizonMonths).map { t.peakMonths.contains((first - 1 + $0) % 12 + 1) }
        } else {
            fourCPMonth = []
        }
        gpuOpexPerGPUHour = s.gpuCloud?.opexUSDPerGPUHour
        fixedOpexPerHour = s.opex.fixedUSDPerMonth / Scenario.hoursPerMonth
        fleetRunning = fleets.map { _ in 1 }
        gpusInstalled = s.gpuCloud?.gpus ?? 0
        placementConstrained = s.gpuCloud.map { $0.placement.domain != .cloud } ?? false
        gpuWattsPerGPU = s.gpuCloud?.gpu.serverPowerWPerGPU ?? 0
        gpusPerServer = max(1, s.gpuCloud?.gpu.gpusPerServer ?? 1)
        wholeServers = s.gpuCloud?.placement.wholeServers ?? false
        gpuScheduler = s.gpuCloud?.scheduler ?? .fifo
        maxWaitHours = s.gpuCloud?.maxWaitHours
        hasCloud = s.gpuCloud != nil
        var firstGPURacks = 0
        if let cloud = s.gpuCloud, let h = s.site.hallIndex(named: cloud.hall) {
            var racks = GPURacks(cloud: cloud)
            firstGPURacks = racks.install(gpus: cloud.gpus, hall: h, pue: s.site.halls[h].pue, kind: s.site.halls[h].rackKind)
            gpuRacks = racks
        }
        if let cloud = s.gpuCloud, !placementConstrained {
            let discipline: QueueDiscipline =
                switch cloud.scheduler {
                case .fifo: .fifo
                case .backfill: .firstFit
                case .priority: .priority
                }
            gpuPool = simulation.addPool("gpus", units: cloud.gpus, discipline: discipline)
        } else {
            gpuPool = nil
        }
        // The current retarget window is assumed to have run at the target pace so far.
        let intoWindow = s.bitcoin.initialBlockHeight % BitcoinProtocol.retargetInterval
        chain = ChainState(
            height: s.bitcoin.initialBlockHeight,
            difficulty: BitcoinProtocol.difficulty(forHashrate: s.bitcoin.initialHashrateEHs * 1e18),
            windowElapsedSeconds: Double(intoWindow) * BitcoinProtocol.targetBlockSeconds)
        row = MonthRow(month: 1, label: Self.label(s.startMonth, month: 1))
        trace = []
        conversionStartMonth = s.conversions.map { _ in nil }
        triggered = s.conversions.enumerated().compactMap { k, c in c.trigger.map { (k, $0) } }
        conversionHallFleets = s.conversions.map { c in fleets.indices.filter { fleets[$0].hall == c.hall } }
        capexInstallmentsPaid = s.conversions.map { _ in 0 }
        if case .trace(_, let jobs) = s.gpuCloud?.demand { trace = jobs }
        var renewalStream: RandomStream?
        let uncertain = (s.colocation + s.conversions.compactMap { c in
            if case .colocation(let l) = c.target { l } else { nil }
        }).contains { $0.renewals.options > 0 && $0.renewals.probability > 0 && $0.renewals.probability < 1 }
        if uncertain { renewalStream = RandomStream(seed: seed, path: path, process: .leaseRenewals) }
        func renewals(_ lease: ColocationLease) -> Int {
            let draws = (0..<lease.renewals.options).map { _ in renewalStream?.uniform() ?? 0.5 }
            return LeaseSchedule(terms: lease, market: nil, pue: 1).renewalsTaken(uniforms: draws)
        }
        colocationRenewals = s.colocation.map(renewals)
        conversionRenewals = s.conversions.map { c in
            if case .colocation(let l) = c.target { return renewals(l) }
            return 0
        }
        // Tenant defaults: one exponential time per lease, in years from its start.
        let defaultStream =
            (s.colocation.contains { $0.defaultPerYear > 0 }
            || s.conversions.contains { if case .colocation(let l) = $0.target { l.defaultPerYear > 0 } else { false } })
            ? RandomStream(seed: seed, path: path, process: .tenantDefault) : nil
        func defaultYears(_ lease: ColocationLease) -> Double {
            guard let defaultStream else { return .infinity }
            let draw = defaultStream.exponential(mean: 1)
            return lease.defaultPerYear > 0 ? draw / lease.defaultPerYear : .infinity
        }
        let colocationDefaults = s.colocation.map(defaultYears)
        conversionDefaultYears = s.conversions.map { c in
            if case .colocation(let l) = c.target { return defaultYears(l) }
            return defaultYears(ColocationLease(hall: "", criticalITMW: 0, priceUSDPerKWMonth: 0, termMonths: 1, escalatorPerYear: 0, startMonth: 1, rampMonths: 0))
        }
        // Execution risk: two draws per conversion, in order, whether it is used or not.
        let executionStream =
            s.conversions.contains { $0.leadTimeRisk != nil || $0.capexFactorRisk != nil }
            ? RandomStream(seed: seed, path: path, process: .execution) : nil
        var leads: [Int] = []
        var capex: [Double] = []
        var factors: [Double?] = []
        for c in s.conversions {
            let leadDraw = executionStream.map { stream in (c.leadTimeRisk ?? .constant(Double(c.leadTimeMonths))).sample(stream) }
            let factorDraw = executionStream.map { stream in (c.capexFactorRisk ?? .constant(1)).sample(stream) }
            leads.append(c.leadTimeRisk == nil ? c.leadTimeMonths : max(0, Int((leadDraw ?? 0).rounded())))
            capex.append(c.capexFactorRisk == nil ? c.capexUSD : c.capexUSD * (factorDraw ?? 1))
            factors.append(c.capexFactorRisk == nil ? nil : factorDraw ?? 1)
        }
        conversionLead = leads
        conversionCapex = capex
        conversionCapexFactor = factors
        if let cloud = s.gpuCloud, cloud.replaceAtEndOfLife, cloud.gpus > 0 {
            gpuBatches = [(1 - Int((cloud.initialAgeYears * 12).rounded()), cloud.gpus)]
        }
        leases = zip(zip(s.colocation, colocationRenewals), colocationDefaults).map { item, years in
            let (lease, n) = item
            let h = s.site.hallIndex(named: lease.hall)!
            return Lease(
                schedule: LeaseSchedule(terms: lease, market: s.colocationMarket, pue: s.site.halls[h].pue),
                renewalsTaken: n, hall: h, defaultMonth: Self.defaultMonth(start: lease.startMonth, years: years))
        }
        miningCapacity = (0..<fleetUnits.count).reduce(0) { $0 + Double(fleetUnits[$1]) * fleetMWPerUnit[$1] }
        // Racks: the mining shelves, the cloud's first GPU racks and the tenants' racks,
        // all in their halls' rack positions (the validator has checked that they fit).
        for f in fleets.indices { holdFleetRacks(f, in: &simulation) }
        if let cloud = s.gpuCloud, firstGPURacks > 0, let h = s.site.hallIndex(named: cloud.hall) {
            simulation.request(firstGPURacks, from: hallRacks[h]) { _ in .tick }
        }
        for lease in s.colocation {
            guard let h = s.site.hallIndex(named: lease.hall) else { continue }
            let n = s.site.halls[h].rackKind.racks(itMW: lease.criticalITMW)
            if n > 0 { simulation.request(n, from: hallRacks[h]) { _ in .tick } }
        }
        // Every fleet starts running: mining wants all of it and holds nothing until the
        // first tick requests it.
        miningWantedMW = miningCapacity
        for f in fleets.indices { hallMiningWantedMW[fleetHall[f]] += fleetPowerMW(f) }
        fleetsChanged()
        // Leases that start in month 1 bill and hold power from the first hour (later
        // months are set up by each month's start).
        if !leases.isEmpty { updateLeases(in: &simulation) }
        // First events.
        simulation.schedule(.tick, at: .zero)
        // Month ends are scheduled one at a time (each schedules the next), which keeps
        // the calendar a few events deep, and `ahead`: a month end closes its month
        // before anything else happens at that instant.
        simulation.schedule(.monthEnd(1), at: SimTime(hours: Scenario.hoursPerMonth), ahead: true)
        // A start after the horizon is how a planner says "never" (keeping block indices).
        // Every block takes its sequence number, scheduled or not (see `conversionSequence`).
        for (k, c) in s.conversions.enumerated() {
            let sequence = simulation.reserveSequence()
            conversionSequence.append(sequence)
            guard c.trigger == nil && c.startMonth <= s.horizonMonths else { continue }
            simulation.schedule(
                .conversionStart(k), at: SimTime(hours: Double(c.startMonth - 1) * Scenario.hoursPerMonth), reservedSequence: sequence)
        }
        if case .poisson = s.gpuCloud?.demand { scheduleNextArrival(after: 0, in: &simulation) }
        if let first = trace.first {
            simulation.schedule(.traceArrival(0), at: SimTime(hours: first.submitSeconds / 3_600))
        }
    }

    /// Runs a path to the horizon and returns its ledger and results.
    public static func run(scenario: Scenario, seed: UInt64, path: UInt64) -> PathResult {
        var simulation = Simulation<Event>()
        var model = SiteModel(scenario: scenario, seed: seed, path: path, simulation: &simulation)
        simulation.run(&model, until: SimTime(hours: scenario.horizonHours))
        return model.result(eventsFired: simulation.eventsFired)
    }

    /// Runs path `path` of `never` (every block's start after the horizon, no triggers)
    /// and of each variant: the same scenario with some blocks started at fixed months
    /// (and possibly other block sizes). A variant's path is the same as never's until
    /// its first start, so it is not simulated from month 1: the never run stops just
    /// before that month begins, is copied (state, calendar and random streams), the
    /// copy takes the variant's scenario and start events, and runs to the horizon.
    /// The results are those of ``run(scenario:seed:path:)`` on each variant, to the bit
    /// (tested): the start events take the sequence numbers they would have had.
    ///
    /// - Returns: one result per variant, in order, and never's own (nil unless
    ///   `includeNever`: the never run then stops at the last fork).
    public static func runForked(never: Scenario, variants: [Scenario], seed: UInt64, path: UInt64, includeNever: Bool = false)
        -> (variants: [PathResult], never: PathResult?)
    {
        let h = never.horizonMonths
        precondition(never.conversions.allSatisfy { $0.trigger == nil && $0.startMonth > h }, "runForked: the base must be never")
        // The first start of each variant (nil: it starts nothing and is never itself).
        let firsts: [Int?] = variants.map { v in
            precondition(
                v.conversions.count == never.conversions.count && v.conversions.allSatisfy { $0.trigger == nil }
                    && v.horizonMonths == h, "runForked: a variant must be the base with fixed start months")
            return v.conversions.map(\.startMonth).filter { $0 <= h }.min()
        }
        var simulation = Simulation<Event>()
        var model = SiteModel(scenario: never, seed: seed, path: path, simulation: &simulation)
        var results = [PathResult?](repeating: nil, count: variants.count)
        let order = variants.indices.filter { firsts[$0] != nil }.sorted { (firsts[$0]!, $0) < (firsts[$1]!, $1) }
        var neverResult: PathResult?
        for i in order {
            let month = firsts[i]!
            // Everything before the month's first instant (its month end comes first at it).
            let start = Double(month - 1) * Scenario.hoursPerMonth
            if start > 0 { simulation.run(&model, until: SimTime(hours: start.nextDown)) }
            var fork = model
            var forkSimulation = simulation
            fork.detach(as: variants[i])
            for (k, c) in variants[i].conversions.enumerated() where c.startMonth <= h {
                forkSimulation.schedule(
                    .conversionStart(k), at: SimTime(hours: Double(c.startMonth - 1) * Scenario.hoursPerMonth),
                    reservedSequence: fork.conversionSequence[k])
            }
            forkSimulation.run(&fork, until: SimTime(hours: variants[i].horizonHours))
            results[i] = fork.result(eventsFired: forkSimulation.eventsFired)
        }
        if includeNever || firsts.contains(where: { $0 == nil }) {
            simulation.run(&model, until: SimTime(hours: never.horizonHours))
            neverResult = model.result(eventsFired: simulation.eventsFired)
            for i in variants.indices where firsts[i] == nil {
                // Never with other block sizes: the same run, but the option to convert
                // at the horizon is valued at the variant's sizes.
                var copy = model
                copy.adopt(variants[i])
                results[i] = copy.result(eventsFired: simulation.eventsFired)
            }
        }
        return (results.map { $0! }, includeNever ? neverResult : nil)
    }

    /// Makes this copy of a run independent of the original (its own random streams)
    /// and gives it `scenario`: the same site with other start months or block sizes.
    mutating func detach(as variant: Scenario) {
        environment.detachStreams()
        demandStream = demandStream.clone()
        adopt(variant)
    }

    /// Takes `variant` as the scenario (block sizes and start months may differ).
    mutating func adopt(_ variant: Scenario) {
        scenario = variant
        conversionCapex = zip(variant.conversions, conversionCapexFactor).map { c, factor in
            factor.map { c.capexUSD * $0 } ?? c.capexUSD
        }
    }

    public func result(eventsFired: Int) -> PathResult {
        var rows = rows
        var terminal: TerminalValue?
        if scenario.valuation.isOn, !rows.isEmpty {
            let value = terminalValue()
            rows[rows.count - 1].terminalValueUSD = value.totalUSD
            terminal = value
        }
        let cash = rows.map(\.freeCashFlowUSD)
        if scenario.finance.isOn {
            let finance = FinanceLayer.apply(rows: rows, terminal: terminal, scenario: scenario)
            let projectCash = finance.months.enumerated().map { m, f in
                f.projectCashFlowUSD - (m == rows.count - 1 ? finance.terminalValueAfterTaxUSD : 0)
            }
            return PathResult(
                months: rows, npvUSD: finance.projectNPVUSD, irr: finance.projectRateOfReturn.value,
                rateOfReturn: finance.projectRateOfReturn, paybackMonth: CashFlows.paybackMonth(projectCash),
                eventsFired: eventsFired, conversionStartMonths: conversionStartMonth, terminalValue: terminal,
                finance: finance)
        }
        let flows = terminal == nil ? cash : rows.map(\.valueFlowUSD)
        let rate = CashFlows.rateOfReturn(flows, discountRate: scenario.discountRatePerYear)
        return PathResult(
            months: rows, npvUSD: CashFlows.npv(flows, annualRate: scenario.discountRatePerYear),
            irr: rate.value, rateOfReturn: rate, paybackMonth: CashFlows.paybackMonth(cash), eventsFired: eventsFired,
            conversionStartMonths: conversionStartMonth, terminalValue: terminal)
    }

    /// The site's value at the end of the horizon (see ``TerminalValue``).
    func terminalValue() -> TerminalValue {
        let v = scenario.valuation
        let h = scenario.horizonMonths
        let d = 1 / (1 + CashFlows.monthlyRate(annual: scenario.finance.contractDiscountRatePerYear ?? scenario.discountRatePerYear))
        let dOperations = 1 / (1 + CashFlows.monthlyRate(annual: scenario.discountRatePerYear))
        var result = TerminalValue()
        var committedMW = 0.0
        func addLease(_ schedule: LeaseSchedule, renewals n: Int, defaultMonth: Int?, signed: Int) {
            let value = schedule.expectedValue(
                after: h, renewalsTaken: n, defaultMonth: defaultMonth, monthlyDiscount: d, landValueUSDPerMW: v.landValueUSDPerMW)
            result.contractsUSD += value
            result.leasesUSD += value
            result.leasesContractWeightedUSD += value * pow(contractPremium, Double(h - signed))
            // A lease still running (or re-let) after h holds its megawatts; a shell is free.
            let over = schedule.renewalOdds(knownAt: h, renewalsTaken: n).enumerated().contains { n, odds in
                guard odds > 0 else { return false }
                if case .relet = schedule.terms.afterTerm, schedule.market != nil { return true }
                return schedule.end(renewalsTaken: n, defaultMonth: defaultMonth) > h
            }
            if over { committedMW += schedule.terms.criticalITMW * schedule.pue }
        }
        for lease in leases {
            addLease(lease.schedule, renewals: lease.renewalsTaken, defaultMonth: lease.defaultMonth, signed: lease.signedMonth)
        }
        // Conversions under way at h: capex still to pay, and the lease from completion.
        for (k, c) in scenario.conversions.enumerated() {
            let lead = conversionLead[k]
            guard let start = conversionStartMonth[k], start + lead > h else { continue }
            for i in capexInstallmentsPaid[k]..<lead {
                result.contractsUSD -= conversionCapex[k] / Double(lead) * pow(dOperations, Double(start + i - h))
            }
            guard case .colocation(var terms) = c.target else { continue }
            // The lease has not been added unless completion fell exactly on h.
            if leases.contains(where: { $0.terms.hall == c.hall && $0.terms.startMonth == start + lead }) { continue }
            terms.criticalITMW = c.criticalITMW
            terms.startMonth = start + lead
            addLease(
                LeaseSchedule(terms: terms, market: scenario.colocationMarket, pue: c.newPUE), renewals: conversionRenewals[k],
                defaultMonth: Self.defaultMonth(start: start + lead, years: conversionDefaultYears[k]), signed: start - 1)
        }
        // A financial PPA running past h: its settlements at the long-run mean price.
        if let ppa, case .fixedMW(let volume) = ppa.volume {
            let mean = scenario.electricity.market.longRunMean(stepHours: scenario.stepHours)
            for m in max(h + 1, ppa.startMonth)..<max(h + 1, ppa.startMonth + ppa.termMonths) {
                result.contractsUSD += (mean - ppa.strikeUSDPerMWh) * volume * Scenario.hoursPerMonth * pow(dOperations, Double(m - h))
            }
        }
        // Periodic refreshes carry on after h: a year's share of the next one, net of salvage.
        var recurring = 0.0
        var window = 12
        for (f, fleet) in scenario.mining.enumerated() {
            guard let r = fleet.refresh, let every = r.everyMonths, let next = fleetSuccessor[f] else { continue }
            recurring += Double(fleetUnits[next]) * fleetUnitPriceUSD[next] * (1 - r.salvageFraction) * 12 / Double(every)
            window = max(window, every)
        }
        // A conversion inside the window retired mining whose cash flow is still in it:
        // the window's operating cash flow is scaled to the mining capacity left (the
        // whole of it, site opex included, for a site that is mostly mining).
        let recent = miningCapacityByMonth.suffix(window)
        let average = recent.isEmpty ? 0 : recent.reduce(0, +) / Double(recent.count)
        let scale = average > 0 && miningCapacity < average * (1 - 1e-9) ? miningCapacity / average : 1
        result.goingConcernUSD = scale * TerminalValue.goingConcern(
            rows, method: v.method, annualRate: scenario.discountRatePerYear, recurringCapexPerYear: recurring / scale, window: window)
        result.landUSD = v.landValueUSDPerMW * max(0, scenario.site.interconnectMW - committedMW)
        result.operationsUSD = max(result.goingConcernUSD, result.landUSD)
        // The option to convert at the horizon: a block not started by h can still be
        // converted then, so operations are worth at least the going concern of the
        // mining that would stay plus each such block's lease (from h + 1 + its lead
        // time) less its capex. Without it a policy converting in the last month would
        // collect the lease's value at the contract rate that "never" is denied.
        let pending = scenario.conversions.indices.filter { conversionStartMonth[$0] == nil }
        if !pending.isEmpty, v.method != .none {
            var value = 0.0
            var freedMW = 0.0
            var leasedMW = 0.0
            var units = fleetUnits
            for k in pending {
                let c = scenario.conversions[k]
                guard case .colocation(var terms) = c.target else { continue }
                let lead = conversionLead[k]
                // The miners it retires are sold, as a conversion started then would.
                var toFree = c.megawatts
                for f in conversionHallFleets[k] where units[f] > 0 && toFree > 1e-9 {
                    let retired = min(units[f], Int((toFree / fleetMWPerUnit[f]).rounded(.up)))
                    units[f] -= retired
                    toFree -= Double(retired) * fleetMWPerUnit[f]
                    value += Double(retired) * fleetUnitPriceUSD[f] * c.asicSalvageFraction * dOperations
                }
                leasedMW += c.criticalITMW * c.newPUE
                for i in 0..<max(1, lead) {
                    value -= conversionCapex[k] / Double(max(1, lead)) * pow(dOperations, Double(1 + i))
                }
                terms.criticalITMW = c.criticalITMW
                terms.startMonth = h + 1 + lead
                value += LeaseSchedule(terms: terms, market: scenario.colocationMarket, pue: c.newPUE).expectedValue(
                    after: h, renewalsTaken: 0, monthlyDiscount: d, landValueUSDPerMW: v.landValueUSDPerMW)
                freedMW += c.megawatts
            }
            let keep = miningCapacity > 0 ? max(0, 1 - freedMW / miningCapacity) : 1
            if freedMW > 0 {
                let land = v.landValueUSDPerMW * max(0, scenario.site.interconnectMW - committedMW - leasedMW)
                result.conversionOptionUSD = value + max(result.goingConcernUSD * keep, land)
                result.operationsUSD = max(result.operationsUSD, result.conversionOptionUSD)
            }
        }
        return result
    }

    static func label(_ start: String, month: Int) -> String { Scenario.monthLabel(start, month: month) }

    /// The month a tenant defaults: its lease's first month plus whole months to the
    /// default time (nil when it never comes within 10,000 years).
    static func defaultMonth(start: Int, years: Double) -> Int? {
        guard years.isFinite, years < 10_000 else { return nil }
        return start + Int((years * 12).rounded(.down))
    }

    // MARK: Events

    public mutating func handle(_ event: Event, in sim: inout Simulation<Event>) {
        accrue(to: sim.now.hours)
        switch event {
        case .tick:
            // Tick after tick in place while no other event falls before the next one
            // (the engine checks), each as the calendar would have fired it.
            var t = sim.now.hours
            while true {
                if t > 0 { environment.advance() }
                decideMining(in: &sim)
                if !fourCPMonth.isEmpty && month <= fourCPMonth.count && fourCPMonth[month - 1]
                    && environment.marketPriceUSDPerMWh > peakPriceThisMonth
                {
                    peakPriceThisMonth = environment.marketPriceUSDPerMWh
                    peakLoadThisMonthMW = miningHeldMW + gpuPowerMW
                }
                checkTriggers(in: &sim)
                let next = t + stepHours
                guard next < scenario.horizonHours else { break }
                guard sim.fireInPlace(.tick, at: SimTime(hours: next)) else {
                    sim.schedule(.tick, at: SimTime(hours: next))
                    break
                }
                // What `handle` does after one event and before the next.
                row.peakGridMW = max(row.peakGridMW, sim.inUse(of: grid))
                accrue(to: next)
                t = next
            }
        case .monthEnd(let m):
            closeMonth(m, in: &sim)
        case .jobArrival:
            let (gpus, hours) = drawJob()
            startJob(gpus: gpus, hours: hours, in: &sim)
            scheduleNextArrival(after: sim.now.hours, in: &sim)
        case .traceArrival(let i):
            startJob(gpus: trace[i].gpus, hours: trace[i].durationSeconds / 3_600, in: &sim)
            if i + 1 < trace.count {
                sim.schedule(.traceArrival(i + 1), at: SimTime(hours: max(sim.now.hours, trace[i + 1].submitSeconds / 3_600)))
            }
        case .gpusGranted(let job, let ticket):
            guard jobs[job].endHours == nil else { break }  // it left at this instant
            jobs[job].waitingTicket = nil
            jobs[job].gpuTicket = ticket
            place(job, domain: nil)
            requestJobPower(job, in: &sim)
        case .powerGranted(let job, let ticket):
            guard jobs[job].endHours == nil else { break }
            jobs[job].waitingTicket = nil
            recordPower(ticket, of: job)
            requestJobPower(job, in: &sim)
        case .jobFinished(let job):
            finishJob(job, in: &sim)
        case .jobRenege(let job):
            renege(job, in: &sim)
        case .miningPreempted:
            syncMining(in: &sim)
        case .conversionStart(let k):
            startConversion(k, in: &sim)
        case .conversionComplete(let k):
            completeConversion(k, in: &sim)
        case .colocationGranted(let k, let ticket):
            // Its hall's power first, then the grid's.
            if ticket.isFor(hallCapacity[leases[k].hall]) {
                leases[k].hallTicket = ticket
                requestLeaseGrid(k, in: &sim)
            } else {
                leases[k].ticket = ticket
                leases[k].heldMW = sim.holding(ticket)?.amount ?? 0
            }
        case .fleetRefresh:
            refreshFleets(in: &sim)
        }
        row.peakGridMW = max(row.peakGridMW, sim.inUse(of: grid))
    }

    // MARK: Accrual

    /// Integrates everything from the last accrual to `now` with the current state.
    mutating func accrue(to now: Double) {
        let hours = now - lastAccrual
        guard hours > 0 else { return }
        lastAccrual = now
        monthHoursAccrued += hours
        // Bitcoin: network blocks over the span, the site's share of them.
        let networkEHs = environment.networkHashrateEHs
        let production = chain.advance(seconds: hours * 3_600, hashesPerSecond: networkEHs * 1e18)
        // Mining's hashrate and opex (kept by ``miningRatesChanged()``).
        let siteTHs = miningTHsNow
        let miningOpexPerHour = miningOpexPerHourNow
        // The network's hashrate includes the site's: its share of the blocks is at most
        // all of them (a network model that falls below the site is held there).
        // (Written so that a NaN passes through: a non-finite run must still be caught.)
        let rawShare = siteTHs * 1e-6 * environment.inverseNetworkHashrateEHs
        let share = rawShare > 1 ? 1 : rawShare
        let rewardBTC = production.subsidyBTC + production.blocks * environment.feesBTCPerBlock
        let btc = share * rewardBTC
        let price = environment.btcPriceUSD
        row.btcMined += btc
        row.miningRevenueUSD += btc * price
        // Energy and its cost (colocation energy is the tenants').
        let market = environment.marketPriceUSDPerMWh
        let miningMWh = miningHeldMW * hours
        let gpuMWh = gpuPowerMW * hours
        row.miningEnergyMWh += miningMWh
        row.gpuEnergyMWh += gpuMWh
        if !leases.isEmpty { row.colocationEnergyMWh += leases.reduce(0) { $0 + $1.heldMW } * hours }
        // Curtailed for price: load that would run at the typical price but is off.
        let curtailedMWh = curtailedMW * hours
        row.curtailedEnergyMWh += curtailedMWh
        if ppaActive, let ppa {
            switch ppa.volume {
            case .fixedMW(let volume):
                // A contract for difference: all energy at market, the block settled.
                row.energyCostUSD += (miningMWh + gpuMWh) * market
                row.ppaSettlementUSD += (market - ppa.strikeUSDPerMWh) * volume * hours
            case .shareOfLoad(let share):
                row.energyCostUSD += (miningMWh + gpuMWh) * (share * ppa.strikeUSDPerMWh + (1 - share) * market)
            }
        } else {
            // The share-of-consumption PPA of older scenarios: PPA energy not used while
            // curtailed is resold at market.
            let unitCost = ppaShare * ppaPrice + (1 - ppaShare) * market
            row.energyCostUSD += (miningMWh + gpuMWh) * unitCost
            row.curtailmentCreditsUSD += curtailedMWh * ppaShare * max(0, market - ppaPrice)
        }
        if demandResponseCredit > 0 && market > demandResponseThreshold {
            row.curtailmentCreditsUSD += curtailedMWh * demandResponseCredit
        }
        if demandResponseAvailabilityPerMWHour > 0 {
            row.curtailmentCreditsUSD += curtailableMW * demandResponseAvailabilityPerMWHour * hours
        }
        // Mining opex per MWh drawn.
        if miningHeldMW > 0 { row.opexUSD += miningOpexPerHour * hours }
        // GPU cloud.
        if let gpuOpexPerGPUHour {
            let gpuHours = Double(gpusBusy) * hours
            row.gpuHoursBilled += gpuHours
            row.gpuCloudRevenueUSD += gpuHours * environment.gpuPriceUSDPerGPUHour
            row.averageGPUPriceUSDPerGPUHour += environment.gpuPriceUSDPerGPUHour * hours
            row.opexUSD += gpuHours * gpuOpexPerGPUHour
            row.gpuUtilisation += Double(gpusInstalled) * hours  // installed GPU-hours, divided at month end
            if fragmentedGPUs > 0 { row.fragmentedGPUHours += Double(fragmentedGPUs) * hours }
        }
        // Colocation rent: contracted kW x price, per hour of the month.
        for k in leases.indices where leases[k].billedKW > 0 {
            row.colocationRevenueUSD += leases[k].billedRentUSDPerMonth * hours / Scenario.hoursPerMonth
            if contractPremium != 1 {
                if leases[k].premiumMonth != month {
                    leases[k].premiumMonth = month
                    leases[k].premium = pow(contractPremium, Double(month - leases[k].signedMonth))
                }
                row.colocationRevenueContractWeightedUSD +=
                    leases[k].billedRentUSDPerMonth * hours / Scenario.hoursPerMonth * leases[k].premium
            }
        }
        row.opexUSD += fixedOpexPerHour * hours
        // Averages (time-weighted; divided at month end).
        row.averageBTCPriceUSD += price * hours
        row.averageSiteHashrateTHs += siteTHs * hours
        row.averageNetworkHashrateEHs += networkEHs * hours
        row.averageMarketPowerPriceUSDPerMWh += market * hours
        // Hashprice of this span from the blocks actually found in it (exact across a
        // retarget or a halving inside the span): USD per PH/s per day.
        row.averageHashpriceUSDPerPHDay += rewardBTC * price * environment.inverseNetworkHashrateEHs * 0.024
    }

    mutating func closeMonth(_ m: Int, in sim: inout Simulation<Event>) {
        let hours = max(monthHoursAccrued, 1e-12)
        row.averageBTCPriceUSD /= hours
        row.averageSiteHashrateTHs /= hours
        row.averageNetworkHashrateEHs /= hours
        row.averageMarketPowerPriceUSDPerMWh /= hours
        row.averageGPUPriceUSDPerGPUHour /= hours
        row.averageHashpriceUSDPerPHDay /= hours
        row.gpuUtilisation = row.gpuUtilisation > 0 ? row.gpuHoursBilled / row.gpuUtilisation : 0
        row.jobsWaitingAtEnd = gpuPool.map { sim.queueLength(of: $0) } ?? placementQueue.count
        if !leases.isEmpty { row.colocationContractedKW = leases.reduce(0) { $0 + $1.billedKW } }
        if let t = scenario.electricity.transmission, m <= fourCPMonth.count, fourCPMonth[m - 1] {
            row.transmissionUSD = t.usdPerKWYear * peakLoadThisMonthMW * 1_000 / Double(t.peakMonths.count)
        }
        peakPriceThisMonth = -.infinity
        peakLoadThisMonthMW = 0
        rows.append(row)
        miningCapacityByMonth.append(miningCapacity)
        month = m + 1
        monthHoursAccrued = 0
        row = MonthRow(month: month, label: Self.label(scenario.startMonth, month: month))
        guard m < scenario.horizonMonths else { return }
        sim.schedule(.monthEnd(m + 1), at: SimTime(hours: Double(m + 1) * Scenario.hoursPerMonth), ahead: true)
        startMonth(in: &sim)
    }

    /// Month start: capex of conversions under way (one installment a month over the
    /// lead time, the first paid at the start), colocation ramps and terms.
    mutating func startMonth(in sim: inout Simulation<Event>) {
        ppaActive = ppa?.isActive(month: month) ?? false
        // Refreshes go after the month's other events at this time: a conversion starting
        // now retires its miners first, and the refresh replaces what is left.
        if scenario.mining.contains(where: { fleet in
            guard let r = fleet.refresh else { return false }
            return r.month == month || (r.everyMonths.map { month > r.month && (month - r.month) % $0 == 0 } ?? false)
        }) {
            sim.schedule(.fleetRefresh, at: sim.now)
        }
        if let cloud = scenario.gpuCloud, !gpuBatches.isEmpty {
            let life = max(1, Int((cloud.gpu.lifetimeYears * 12).rounded()))
            for batch in gpuBatches where month > batch.month && (month - batch.month) % life == 0 {
                row.capexUSD += Double(batch.gpus) * cloud.gpu.priceUSD
                row.gpuCapexUSD += Double(batch.gpus) * cloud.gpu.priceUSD
            }
        }
        for k in conversionStartMonth.indices where conversionStartMonth[k] != nil {
            let lead = conversionLead[k]
            if capexInstallmentsPaid[k] < lead {
                row.capexUSD += conversionCapex[k] / Double(lead)
                capexInstallmentsPaid[k] += 1
            }
        }
        updateLeases(in: &sim)
    }

    /// Fleets refreshed at this month's start: the units left are sold at salvage, and
    /// the successor bought in the same proportion (a fleet a conversion took half of is
    /// replaced half); mining's grid holding follows.
    mutating func refreshFleets(in sim: inout Simulation<Event>) {
        var changed = false
        for f in scenario.mining.indices {
            guard let r = scenario.mining[f].refresh, let next = fleetSuccessor[f] else { continue }
            if r.month == month {
                let left = fleetUnits[f]
                let original = scenario.mining[f].units
                row.assetSalesUSD += Double(left) * fleetUnitPriceUSD[f] * r.salvageFraction
                miningCapacity -= Double(left) * fleetMWPerUnit[f]
                fleetUnits[f] = 0
                let bought = original > 0 ? Int((Double(r.units) * Double(left) / Double(original) + 1e-9).rounded(.down)) : 0
                fleetUnits[next] = bought
                miningCapacity += Double(bought) * fleetMWPerUnit[next]
                holdFleetRacks(f, in: &sim)
                holdFleetRacks(next, in: &sim)
                let cost = Double(bought) * r.asic.priceUSD
                row.capexUSD += cost
                row.miningCapexUSD += cost
                changed = true
            } else if let every = r.everyMonths, month > r.month, (month - r.month) % every == 0,
                let network = environment.profitability
            {
                // The frontier machine of the day, in units of the same power: the
                // network's frontier efficiency, at the first machine's price per watt
                // moved by priceChangePerYear since the first refresh.
                let years = Double(month - 1) * Scenario.hoursPerMonth / 8_760
                let efficiency = network.efficiencyJPerTH * exp(-network.efficiencyImprovementPerYear * years)
                let units = fleetUnits[next]
                row.assetSalesUSD += Double(units) * fleetUnitPriceUSD[next] * r.salvageFraction
                let sinceFirst = Double(month - r.month) * Scenario.hoursPerMonth / 8_760
                let price = r.asic.priceUSD * pow(1 + r.priceChangePerYear, sinceFirst)
                fleetUnitPriceUSD[next] = price
                fleetTHsPerUnit[next] = r.asic.powerW / efficiency * fleets[next].uptime
                fleetTHsPerMW[next] = fleetTHsPerUnit[next] / fleetMWPerUnit[next]
                row.capexUSD += Double(units) * price
                row.miningCapexUSD += Double(units) * price
                changed = true
            }
        }
        guard changed else { return }
        fleetsChanged()
        refreshMiningHolding(in: &sim)
    }

    /// The hashprice now, USD per PH/s per day: what a TH/s earns in an hour, times
    /// 1,000 TH/s a PH/s and 24 hours.
    @inline(__always) func currentHashpriceUSDPerPHDay() -> Double { revenuePerTHHourUSD() * 24_000 }

    /// The mining margin of project `k`'s hall now, USD/MWh: revenue per MWh of the
    /// first fleet in the hall with machines left (the one a conversion retires first)
    /// minus the market power price; -infinity when the hall has no miners left to lose.
    func currentMiningMarginUSDPerMWh(project k: Int) -> Double {
        guard let f = conversionHallFleets[k].first(where: { fleetUnits[$0] > 0 }) else { return -.infinity }
        return miningRevenuePerMWh(f, perTHHour: revenuePerTHHourUSD()) - environment.marketPriceUSDPerMWh
    }

    /// Starts the next triggered project once its signal has stayed below its level
    /// for its number of days, inside its window of months.
    mutating func checkTriggers(in sim: inout Simulation<Event>) {
        guard triggeredStarted < triggered.count else { return }
        let (k, trigger) = triggered[triggeredStarted]
        let value =
            switch trigger.signal {
            case .hashprice: currentHashpriceUSDPerPHDay()
            case .miningMargin: currentMiningMarginUSDPerMWh(project: k)
            }
        if value < trigger.below {
            hoursBelowTrigger += stepHours
        } else {
            hoursBelowTrigger = 0
        }
        guard month >= trigger.earliestMonth && month <= trigger.latestMonth else { return }
        // Below now (a tick counted), and for at least the required days.
        if hoursBelowTrigger > 0 && hoursBelowTrigger >= trigger.forDays * 24 {
            hoursBelowTrigger = 0
            triggeredStarted += 1
            startConversion(k, in: &sim)
        }
    }

    mutating func updateLeases(in sim: inout Simulation<Event>) {
        for k in leases.indices {
            let state = leases[k].schedule.month(month, renewalsTaken: leases[k].renewalsTaken, defaultMonth: leases[k].defaultMonth)
            let itMW = state.itMW
            leases[k].billedKW = itMW * 1_000
            leases[k].billedRentUSDPerMonth = state.rentUSD
            if state.fitOutUSD > 0 && leases[k].fitOutPaidMonth != month {
                row.capexUSD += state.fitOutUSD
                leases[k].fitOutPaidMonth = month
            }
            let wantMW = itMW * leases[k].schedule.pue
            if abs(wantMW - leases[k].heldMW) < 1e-12 && (wantMW == 0 || leases[k].ticket != nil) { continue }
            if let ticket = leases[k].ticket { sim.release(ticket) }
            if let ticket = leases[k].hallTicket { sim.release(ticket) }
            leases[k].ticket = nil
            leases[k].hallTicket = nil
            leases[k].heldMW = 0
            guard wantMW > 0 else {
                refreshMiningHolding(in: &sim)
                continue
            }
            let outcome = sim.request(wantMW, from: hallCapacity[leases[k].hall], priority: 20) { .colocationGranted(k, $0) }
            syncMining(in: &sim)
            if case .granted(let ticket) = outcome {
                leases[k].hallTicket = ticket
                requestLeaseGrid(k, in: &sim)
            }
            refreshMiningHolding(in: &sim)
        }
    }

    /// A tenant holding its hall's power asks the grid for the same.
    mutating func requestLeaseGrid(_ k: Int, in sim: inout Simulation<Event>) {
        guard let hallTicket = leases[k].hallTicket, let amount = sim.holding(hallTicket)?.amount else { return }
        let outcome = sim.request(amount, from: grid, priority: 20) { .colocationGranted(k, $0) }
        syncMining(in: &sim)
        if case .granted(let ticket) = outcome {
            leases[k].ticket = ticket
            leases[k].heldMW = amount
        }
    }

    // MARK: Mining

    @inline(__always)
    func fleetPowerMW(_ f: Int) -> Double { Double(fleetUnits[f]) * fleetMWPerUnit[f] }

    func miningCapacityMW() -> Double { miningCapacity }

    /// Recomputes the sums over the running fleets; call after changing `fleetRunning`
    /// or `fleetUnits`.
    mutating func fleetsChanged() {
        var ths = 0.0
        var opex = 0.0
        for f in fleetUnits.indices {
            ths += Double(fleetUnits[f]) * fleetRunning[f] * fleetTHsPerUnit[f]
            opex += fleetPowerMW(f) * fleetRunning[f] * fleetOpexPerMWh[f]
        }
        runningTHs = ths
        runningOpexPerHour = opex
        // (Every call is followed by a refresh of mining's holding, which updates the
        // rates ``miningRatesChanged()`` keeps.)
        miningWantMayHaveChanged = true
        var curtailed = 0.0
        var curtailable = 0.0
        for f in fleetUnits.indices where fleetEconomic[f] {
            let mw = fleetPowerMW(f)
            curtailable += mw
            if fleetRunning[f] == 0 { curtailed += mw }
        }
        curtailedMW = curtailed
        curtailableMW = curtailable
    }

    /// Recomputes ``miningTHsNow`` and ``miningOpexPerHourNow``.
    mutating func miningRatesChanged() {
        // The common case: every hall's mining holds all it wants.
        if miningHeldMW == miningWantedMW {
            miningTHsNow = miningWantedMW > 0 ? runningTHs : 0
            miningOpexPerHourNow = miningWantedMW > 0 ? runningOpexPerHour : 0
            return
        }
        var ths = 0.0
        var opex = 0.0
        for h in hallMiningWantedMW.indices where hallMiningHeldMW[h] > 0 {
            let heldShare = hallMiningHeldMW[h] / hallMiningWantedMW[h]
            var hallTHs = 0.0
            var hallOpex = 0.0
            for i in hallFleetStart[h]..<hallFleetStart[h + 1] {
                let f = fleetsByHall[i]
                hallTHs += Double(fleetUnits[f]) * fleetRunning[f] * fleetTHsPerUnit[f]
                hallOpex += fleetPowerMW(f) * fleetRunning[f] * fleetOpexPerMWh[f]
            }
            ths += hallTHs * min(1, heldShare)
            opex += hallOpex * heldShare
        }
        miningTHsNow = ths
        miningOpexPerHourNow = opex
    }

    /// Holds the rack positions fleet `f`'s units take in its hall (after its units changed).
    mutating func holdFleetRacks(_ f: Int, in sim: inout Simulation<Event>) {
        let racks = fleetPerRack[f] > 0 ? (fleetUnits[f] + fleetPerRack[f] - 1) / fleetPerRack[f] : 0
        let held = fleetRackTicket[f].flatMap { sim.holding($0).map { Int($0.amount) } } ?? 0
        guard racks != held else { return }
        if let ticket = fleetRackTicket[f] { sim.release(ticket) }
        fleetRackTicket[f] = nil
        guard racks > 0 else { return }
        let pool = hallRacks[fleetHall[f]]
        // More than the free positions can only come from a scenario built in code
        // (the loader checks): the shelves then stand outside the racks.
        guard racks <= sim.available(of: pool) else { return }
        if case .granted(let ticket) = sim.request(racks, from: pool, onGrant: { _ in .tick }) { fleetRackTicket[f] = ticket }
    }

    /// USD a TH/s earns in an hour at the current difficulty, subsidy, fees and price:
    /// the site's expected share of blocks, H_site / (D 2^32) blocks a second, does not
    /// depend on the network hashrate.
    @inline(__always) func revenuePerTHHourUSD() -> Double {
        let blocksPerTHHour = 1e12 * 3_600 * chain.blocksPerHash
        return blocksPerTHHour * (chain.subsidyBTC + environment.feesBTCPerBlock) * environment.btcPriceUSD
    }

    /// Revenue per MWh fleet `f` earns, net of its opex, given what a TH/s earns in an
    /// hour (``revenuePerTHHourUSD()``).
    @inline(__always) func miningRevenuePerMWh(_ f: Int, perTHHour: Double) -> Double {
        fleetTHsPerMW[f] * perTHHour - fleetOpexPerMWh[f]
    }

    /// Runs each fleet whose revenue per MWh covers the market price (the marginal cost:
    /// PPA energy not used is resold at market), and resizes mining's grid holding.
    mutating func decideMining(in sim: inout Simulation<Event>) {
        let market = environment.marketPriceUSDPerMWh
        let perTHHour = revenuePerTHHourUSD()
        var flipped = false
        for f in fleetUnits.indices {
            let perMWh = miningRevenuePerMWh(f, perTHHour: perTHHour)
            let running: Double = perMWh >= market ? 1 : 0
            let economic = perMWh >= typicalPowerPrice
            if running != fleetRunning[f] || economic != fleetEconomic[f] {
                fleetRunning[f] = running
                fleetEconomic[f] = economic
                flipped = true
            }
        }
        // Every other change of the fleets is followed by a refresh, so unless a fleet
        // flipped, mining still wants what it wanted: only a lost holding of something
        // wanted needs one (with every fleet off there is nothing to hold), and a cut
        // holding only when its hall and the grid have power free or AI is waiting for
        // it (otherwise the refresh would take back exactly what mining holds).
        if flipped { fleetsChanged() }
        if flipped || miningCanChange(in: sim) { refreshMiningHolding(in: &sim) }
    }

    /// Whether a hall's mining holds less than it wants while its hall and the grid have
    /// power free, or someone waits for power.
    @inline(__always) func miningCanChange(in sim: borrowing Simulation<Event>) -> Bool {
        guard miningHeldMW != miningWantedMW else { return false }
        if sim.queueLength(of: grid) > 0 { return true }
        let gridFree = sim.available(of: grid) > 1e-9
        for h in hallMiningWantedMW.indices where hallMiningHeldMW[h] != hallMiningWantedMW[h] {
            if sim.queueLength(of: hallCapacity[h]) > 0 || (gridFree && sim.available(of: hallCapacity[h]) > 1e-9) { return true }
        }
        return false
    }

    /// Mining takes, hall by hall, what its running fleets want of what the hall and the
    /// grid have free (nothing while AI waits for power there).
    mutating func refreshMiningHolding(in sim: inout Simulation<Event>) {
        // The common call (a job ended, nothing else changed): mining holds all it wants.
        if !miningWantMayHaveChanged && miningHeldMW == miningWantedMW { return }
        miningWantMayHaveChanged = false
        var totalWanted = 0.0
        var totalHeld = 0.0
        do {
            for h in 0..<hallCapacity.count {
                var wanted = 0.0
                for i in hallFleetStart[h]..<hallFleetStart[h + 1] {
                    let f = fleetsByHall[i]
                    wanted += fleetPowerMW(f) * fleetRunning[f]
                }
                totalWanted += wanted
                // Nothing to do when this hall's mining already holds all it wants.
                if wanted == hallMiningWantedMW[h], hallMiningHeldMW[h] == wanted, wanted == 0 || hallMiningTicket[h] != nil {
                    totalHeld += hallMiningHeldMW[h]
                    continue
                }
                hallMiningWantedMW[h] = wanted
                // Less than it holds: give back the difference (in the hall and the grid).
                if wanted > 1e-9, wanted <= hallMiningHeldMW[h], let a = hallMiningTicket[h], let b = hallMiningGridTicket[h] {
                    let excess = hallMiningHeldMW[h] - wanted
                    if excess > 0 {
                        sim.release(excess, of: a)
                        sim.release(excess, of: b)
                    }
                    hallMiningHeldMW[h] = wanted
                    totalHeld += wanted
                    continue
                }
                // More than it holds, and the rest fits in the hall and the grid: take it.
                if let a = hallMiningTicket[h], let b = hallMiningGridTicket[h], wanted > hallMiningHeldMW[h] {
                    let extra = wanted - hallMiningHeldMW[h]
                    if sim.grow(a, by: extra) {
                        if sim.grow(b, by: extra) {
                            hallMiningHeldMW[h] = wanted
                            totalHeld += wanted
                            continue
                        }
                        sim.release(extra, of: a)
                    }
                }
                if let ticket = hallMiningTicket[h] { sim.release(ticket) }
                if let ticket = hallMiningGridTicket[h] { sim.release(ticket) }
                hallMiningTicket[h] = nil
                hallMiningGridTicket[h] = nil
                hallMiningHeldMW[h] = 0
                let amount = min(wanted, sim.available(of: hallCapacity[h]), sim.available(of: grid))
                guard amount > 1e-9, sim.queueLength(of: grid) == 0, sim.queueLength(of: hallCapacity[h]) == 0 else { continue }
                // Both fit, so both are granted at once (the grant events are never used).
                let inHall = sim.request(amount, from: hallCapacity[h], priority: 0, preemption: .partial, onPreempt: { .miningPreempted($0) }) { _ in .tick }
                let inGrid = sim.request(amount, from: grid, priority: 0, preemption: .partial, onPreempt: { .miningPreempted($0) }) { _ in .tick }
                if case .granted(let a) = inHall, case .granted(let b) = inGrid {
                    hallMiningTicket[h] = a
                    hallMiningGridTicket[h] = b
                    hallMiningHeldMW[h] = amount
                    totalHeld += amount
                }
            }
        }
        miningWantedMW = totalWanted
        miningHeldMW = totalHeld
        miningRatesChanged()
    }

    /// After AI took power from mining in a hall or in the grid (preemption), mining
    /// gives back the same in the other, so that it holds as much in each.
    mutating func syncMining(in sim: inout Simulation<Event>) {
        var total = 0.0
        for h in hallMiningTicket.indices where hallMiningTicket[h] != nil || hallMiningGridTicket[h] != nil {
            let inHall = hallMiningTicket[h].flatMap { sim.holding($0)?.amount } ?? 0
            let inGrid = hallMiningGridTicket[h].flatMap { sim.holding($0)?.amount } ?? 0
            let held = min(inHall, inGrid)
            if held <= 1e-12 {
                if let ticket = hallMiningTicket[h] { sim.release(ticket) }
                if let ticket = hallMiningGridTicket[h] { sim.release(ticket) }
                hallMiningTicket[h] = nil
                hallMiningGridTicket[h] = nil
                hallMiningHeldMW[h] = 0
                continue
            }
            if inHall > held, let ticket = hallMiningTicket[h] { sim.release(inHall - held, of: ticket) }
            if inGrid > held, let ticket = hallMiningGridTicket[h] { sim.release(inGrid - held, of: ticket) }
            hallMiningHeldMW[h] = held
            total += held
        }
        miningHeldMW = total
        miningRatesChanged()
    }

    // MARK: GPU jobs

    mutating func scheduleNextArrival(after time: Double, in sim: inout Simulation<Event>) {
        guard case .poisson(let perDay, _, _, _) = scenario.gpuCloud?.demand else { return }
        let next = time + demandStream.exponential(mean: 24 / perDay)
        if next < scenario.horizonHours { sim.schedule(.jobArrival, at: SimTime(hours: next)) }
    }

    func drawJob() -> (gpus: Int, hours: Double) {
        guard case .poisson(_, let sizes, let mean, let sd) = scenario.gpuCloud?.demand else { return (1, 1) }
        let gpus = sizes[demandStream.index(below: sizes.count)]
        let hours = sd > 0 ? Distribution.lognormal(mean: mean, sd: sd).sample(demandStream) : mean
        return (gpus, hours)
    }

    mutating func startJob(gpus: Int, hours: Double, in sim: inout Simulation<Event>) {
        guard hasCloud else { return }
        let id = jobs.count
        let held = wholeServers ? (gpus + gpusPerServer - 1) / gpusPerServer * gpusPerServer : gpus
        jobs.append(Job(gpus: gpus, heldGPUs: held, durationHours: hours, submitHours: sim.now.hours, powerMW: 0))
        // Jobs arrive only while the cloud can serve them: none before its GPUs exist,
        // none bigger than it is now, or than its largest placement domain (lost
        // demand, not a backlog).
        guard held <= gpusInstalled, !placementConstrained || held <= gpuRacks.largestDomain else {
            row.jobsLost += 1
            row.lostGPUHours += Double(gpus) * hours
            return
        }
        if let pool = gpuPool {
            let priority = gpuScheduler == .priority ? gpus : 0
            let outcome = sim.request(held, from: pool, priority: priority) { .gpusGranted(job: id, $0) }
            switch outcome {
            case .granted(let ticket):
                jobs[id].gpuTicket = ticket
                place(id, domain: nil)
                requestJobPower(id, in: &sim)
            case .queued(let ticket):
                jobs[id].waitingTicket = ticket
                if let wait = maxWaitHours { sim.schedule(.jobRenege(job: id), after: .hours(wait)) }
            }
        } else {
            jobs[id].placementWaiting = true
            placementQueue.append(id)
            servePlacementQueue(in: &sim)
            if jobs[id].placementWaiting, let wait = maxWaitHours { sim.schedule(.jobRenege(job: id), after: .hours(wait)) }
        }
    }

    /// Puts job `id`'s GPUs on racks of `domain` (nil: anywhere) and works out the
    /// power they draw in each hall.
    mutating func place(_ id: Int, domain: Int?) {
        guard hasCloud else { return }
        let first = shareLog.count
        let parts: [(hall: Int, mw: Double)]
        if placementConstrained {
            let count = gpuRacks.take(jobs[id].heldGPUs, in: domain, into: &shareLog)
            jobs[id].shares = first..<first + count
            parts = gpuRacks.power(of: shareLog[first..<first + count], wattsPerGPU: gpuWattsPerGPU)
        } else if let group = gpuRacks.takeFromGroups(jobs[id].heldGPUs, into: &shareLog) {
            // One hall at one PUE: exactly gpus x W x PUE / 1e6, nothing allocated.
            jobs[id].group = group
            // Power for its own GPUs (with whole servers, the rest of its servers idle).
            let mw = gpuRacks.power(ofGroup: group, gpus: jobs[id].gpus, wattsPerGPU: gpuWattsPerGPU)
            jobs[id].part0 = PowerPart(hall: gpuRacks.groups[group].hall, mw: mw)
            jobs[id].powerMW = mw
            return
        } else {
            jobs[id].shares = first..<shareLog.count
            parts = gpuRacks.power(ofGroups: shareLog[first..<shareLog.count], wattsPerGPU: gpuWattsPerGPU)
        }
        var total = 0.0
        // Power for its own GPUs (with whole servers, the rest of its servers idle).
        let own = jobs[id].gpus == jobs[id].heldGPUs ? 1 : Double(jobs[id].gpus) / Double(jobs[id].heldGPUs)
        for (i, part) in parts.enumerated() {
            let mw = own == 1 ? part.mw : part.mw * own
            if i == 0 {
                jobs[id].part0 = PowerPart(hall: part.hall, mw: mw)
            } else {
                partLog.append(PowerPart(hall: part.hall, mw: mw))
            }
            total += mw
        }
        jobs[id].moreParts = partLog.count - max(0, parts.count - 1)..<partLog.count
        jobs[id].powerMW = total
    }

    /// Starts the waiting jobs that can be placed now, in the scheduler's order: FIFO
    /// and priority (larger jobs first) stop at the first job that cannot be placed;
    /// backfill goes on to any that can.
    mutating func servePlacementQueue(in sim: inout Simulation<Event>) {
        guard hasCloud, !placementQueue.isEmpty else {
            fragmentedGPUs = 0
            return
        }
        var order = placementQueue
        if gpuScheduler == .priority {
            order = order.enumerated().sorted { a, b in
                let (ga, gb) = (jobs[a.element].heldGPUs, jobs[b.element].heldGPUs)
                return ga != gb ? ga > gb : a.offset < b.offset
            }.map(\.element)
        }
        var placed: [Int] = []
        for id in order {
            if let d = gpuRacks.domain(for: jobs[id].heldGPUs) {
                place(id, domain: gpuRacks.domainKind == .cloud ? nil : d)
                jobs[id].placementWaiting = false
                placed.append(id)
            } else if gpuScheduler != .backfill {
                break
            }
        }
        if !placed.isEmpty { placementQueue.removeAll { !jobs[$0].placementWaiting } }
        updateFragmentation()
        for id in placed { requestJobPower(id, in: &sim) }
    }

    /// Free GPUs count as fragmented while some waiting job needs no more than are free
    /// but more than any one domain has free.
    mutating func updateFragmentation() {
        fragmentedGPUs = 0
        guard !placementQueue.isEmpty else { return }
        let largestFree = gpuRacks.domainFree.max() ?? 0
        let free = gpuRacks.totalFree
        if placementQueue.contains(where: { jobs[$0].heldGPUs <= free && jobs[$0].heldGPUs > largestFree }) { fragmentedGPUs = free }
    }

    /// A job that has waited `maxWaitHours` without starting leaves: its requests are
    /// withdrawn (GPUs it already holds while waiting for power are released).
    mutating func renege(_ job: Int, in sim: inout Simulation<Event>) {
        guard jobs[job].startHours == nil, jobs[job].endHours == nil else { return }
        if let ticket = jobs[job].waitingTicket { sim.release(ticket) }
        if let ticket = jobs[job].gpuTicket { sim.release(ticket) }
        if let ticket = jobs[job].powerTicket { sim.release(ticket) }
        releaseHallPower(of: job, in: &sim)
        releaseGPUs(of: job)
        jobs[job].waitingTicket = nil
        jobs[job].gpuTicket = nil
        jobs[job].powerTicket = nil
        jobs[job].endHours = sim.now.hours
        row.jobsLost += 1
        row.lostGPUHours += Double(jobs[job].gpus) * jobs[job].durationHours
        if placementConstrained {
            jobs[job].placementWaiting = false
            placementQueue.removeAll { $0 == job }
            servePlacementQueue(in: &sim)
        }
        refreshMiningHolding(in: &sim)
    }

    /// Asks for the job's power: in each hall its GPUs are in, then in the grid; starts
    /// it once it holds all (a request that has to wait continues on its grant).
    mutating func requestJobPower(_ job: Int, in sim: inout Simulation<Event>) {
        while true {
            let stage = jobs[job].partsHeld
            let outcome: RequestOutcome
            let capacity: CapacityID
            let amount: Double
            if stage < jobs[job].partCount {
                let part = self.part(stage, of: job)
                (capacity, amount) = (hallCapacity[part.hall], part.mw)
            } else if jobs[job].powerTicket == nil {
                (capacity, amount) = (grid, jobs[job].powerMW)
            } else {
                beginRunning(job, in: &sim)
                return
            }
            let preempted = sim.preemptionCount(of: capacity)
            outcome = sim.request(amount, from: capacity, priority: 10) { .powerGranted(job: job, $0) }
            // Mining gave some up: it gives the same up in the other capacity.
            if sim.preemptionCount(of: capacity) != preempted { syncMining(in: &sim) }
            switch outcome {
            case .granted(let ticket): recordPower(ticket, of: job)
            case .queued(let ticket):
                jobs[job].waitingTicket = ticket  // withdrawn if the job reneges
                return
            }
        }
    }

    mutating func recordPower(_ ticket: ResourceTicket, of job: Int) {
        if ticket.isFor(grid) {
            jobs[job].powerTicket = ticket
        } else {
            if jobs[job].partsHeld == 0 {
                jobs[job].part0!.ticket = ticket
            } else {
                partLog[jobs[job].moreParts.lowerBound + jobs[job].partsHeld - 1].ticket = ticket
            }
            jobs[job].partsHeld += 1
        }
    }

    /// Part `i` of a job's power (0: the first hall's).
    @inline(__always) func part(_ i: Int, of job: Int) -> PowerPart {
        i == 0 ? jobs[job].part0! : partLog[jobs[job].moreParts.lowerBound + i - 1]
    }

    /// Gives back the GPUs a job holds in the cloud's racks.
    mutating func releaseGPUs(of job: Int) {
        if jobs[job].group >= 0 {
            gpuRacks.giveToGroup(jobs[job].group, gpus: jobs[job].heldGPUs)
        } else if !jobs[job].shares.isEmpty {
            if placementConstrained {
                gpuRacks.give(shareLog[jobs[job].shares])
            } else {
                gpuRacks.giveToGroups(shareLog[jobs[job].shares])
            }
        }
        jobs[job].group = -1
        jobs[job].shares = 0..<0
    }

    /// Releases the power a job holds in halls.
    mutating func releaseHallPower(of job: Int, in sim: inout Simulation<Event>) {
        if jobs[job].partsHeld > 0, let ticket = jobs[job].part0?.ticket {
            sim.release(ticket)
            jobs[job].part0!.ticket = nil
        }
        for p in jobs[job].moreParts.prefix(max(0, jobs[job].partsHeld - 1)) {
            if let ticket = partLog[p].ticket { sim.release(ticket) }
            partLog[p].ticket = nil
        }
        jobs[job].partsHeld = 0
    }

    mutating func beginRunning(_ job: Int, in sim: inout Simulation<Event>) {
        gpusBusy += jobs[job].gpus
        gpuPowerMW += jobs[job].powerMW
        for i in 0..<jobs[job].partCount {
            let part = self.part(i, of: job)
            gpuPowerByHall[part.hall] += part.mw
        }
        jobs[job].startHours = sim.now.hours
        jobs[job].runningSlot = runningList.count
        runningList.append(job)
        sim.schedule(.jobFinished(job: job), after: .hours(jobs[job].durationHours))
    }

    mutating func finishJob(_ job: Int, in sim: inout Simulation<Event>) {
        gpusBusy -= jobs[job].gpus
        gpuPowerMW -= jobs[job].powerMW
        for i in 0..<jobs[job].partCount {
            let part = self.part(i, of: job)
            gpuPowerByHall[part.hall] -= part.mw
            if gpuPowerByHall[part.hall] < 1e-12 { gpuPowerByHall[part.hall] = 0 }
        }
        jobs[job].endHours = sim.now.hours
        let slot = jobs[job].runningSlot
        let last = runningList.removeLast()
        if last != job {
            runningList[slot] = last
            jobs[last].runningSlot = slot
        }
        jobs[job].runningSlot = -1
        if gpuPowerMW < 1e-12 { gpuPowerMW = 0 }
        row.jobsCompleted += 1
        if let ticket = jobs[job].powerTicket { sim.release(ticket) }
        releaseHallPower(of: job, in: &sim)
        if let ticket = jobs[job].gpuTicket { sim.release(ticket) }
        releaseGPUs(of: job)
        jobs[job].powerTicket = nil
        jobs[job].gpuTicket = nil
        if placementConstrained { servePlacementQueue(in: &sim) }
        // Mining takes back what the job gave up (until the next tick re-decides).
        refreshMiningHolding(in: &sim)
    }

    /// One GPU job as it went: submit, start and end times in hours (`nil`: not yet).
    public struct JobRecord: Hashable, Sendable {
        public var gpus: Int
        public var submitHours: Double
        public var startHours: Double?
        public var endHours: Double?
    }

    /// Every job submitted so far, in submission order.
    public var jobRecords: [JobRecord] {
        jobs.map { JobRecord(gpus: $0.gpus, submitHours: $0.submitHours, startHours: $0.startHours, endHours: $0.endHours) }
    }

    /// GPUs held by running jobs, and whether each running job holds exactly its GPUs
    /// and its power (for the invariant tests).
    public func runningJobsHoldTheirResources(in sim: Simulation<Event>) -> Bool {
        for index in runningList {
            let job = jobs[index]
            guard let power = job.powerTicket, sim.holding(power) != nil,
                job.group >= 0 || shareLog[job.shares].reduce(0, { $0 + $1.gpus }) == job.heldGPUs,
                job.partsHeld == job.partCount,
                (0..<job.partCount).allSatisfy({ i in part(i, of: index).ticket.flatMap { sim.holding($0)?.amount } == part(i, of: index).mw })
            else { return false }
            if gpuPool != nil {
                guard let gpu = job.gpuTicket, sim.holding(gpu)?.amount == Double(job.heldGPUs) else { return false }
            }
        }
        return gpusBusy <= gpusInstalled
    }

    // MARK: Conversions

    mutating func startConversion(_ k: Int, in sim: inout Simulation<Event>) {
        let c = scenario.conversions[k]
        // Retire miners in the hall, fleet by fleet, until the MW are freed.
        var toFree = c.megawatts
        for f in conversionHallFleets[k] where fleetUnits[f] > 0 && toFree > 1e-9 {
            let perUnit = fleetMWPerUnit[f]
            let units = min(fleetUnits[f], Int((toFree / perUnit).rounded(.up)))
            fleetUnits[f] -= units
            miningCapacity -= Double(units) * perUnit
            toFree -= Double(units) * perUnit
            row.assetSalesUSD += Double(units) * fleetUnitPriceUSD[f] * c.asicSalvageFraction
            holdFleetRacks(f, in: &sim)
        }
        fleetsChanged()
        // The new racks take rack positions out of the hall for the lead time (the
        // validator has checked the freed positions hold them).
        let h = scenario.site.hallIndex(named: c.hall)!
        let positions = min(conversionRackCount(k), sim.available(of: hallRacks[h]))
        if positions > 0 { sim.setUnits(sim.units(of: hallRacks[h]) - positions, of: hallRacks[h]) }
        conversionStartMonth[k] = month
        let lead = conversionLead[k]
        if lead == 0 {
            row.capexUSD += conversionCapex[k]
        } else {
            row.capexUSD += conversionCapex[k] / Double(lead)
            capexInstallmentsPaid[k] = 1
        }
        refreshMiningHolding(in: &sim)
        let done = sim.now + .hours(Double(lead) * Scenario.hoursPerMonth)
        if done.hours <= scenario.horizonHours {
            if done == sim.now { completeConversion(k, in: &sim) } else { sim.schedule(.conversionComplete(k), at: done) }
        }
    }

    /// Racks of its own kind conversion `k` installs: for its GPUs, or its tenant's IT load.
    func conversionRackCount(_ k: Int) -> Int {
        let c = scenario.conversions[k]
        let h = scenario.site.hallIndex(named: c.hall)!
        let kind = c.racks ?? scenario.site.halls[h].rackKind
        switch c.target {
        case .gpuCloud(let gpus):
            guard hasCloud, gpuRacks.serversPerRack(kind) > 0 else { return 0 }
            return gpuRacks.racksNeeded(gpus: gpus, kind: kind)
        case .colocation: return kind.racks(itMW: c.criticalITMW)
        }
    }

    mutating func completeConversion(_ k: Int, in sim: inout Simulation<Event>) {
        let c = scenario.conversions[k]
        // Its racks stand in the hall, and its GPUs or its tenant take them.
        let racks = conversionRackCount(k)
        if racks > 0 {
            sim.setUnits(racks, of: conversionRacks[k])
            sim.request(racks, from: conversionRacks[k]) { _ in .tick }
        }
        switch c.target {
        case .colocation(var terms):
            terms.criticalITMW = c.criticalITMW
            terms.startMonth = month
            leases.append(
                Lease(
                    schedule: LeaseSchedule(terms: terms, market: scenario.colocationMarket, pue: c.newPUE),
                    renewalsTaken: conversionRenewals[k], hall: scenario.site.hallIndex(named: c.hall)!,
                    defaultMonth: Self.defaultMonth(start: month, years: conversionDefaultYears[k]),
                    signedMonth: (conversionStartMonth[k] ?? month) - 1))
            updateLeases(in: &sim)
        case .gpuCloud(let gpus):
            guard let cloud = scenario.gpuCloud else { return }
            let h = scenario.site.hallIndex(named: c.hall)!
            gpuRacks.install(gpus: gpus, hall: h, pue: c.newPUE, kind: c.racks ?? scenario.site.halls[h].rackKind)
            gpusInstalled += gpus
            row.capexUSD += Double(gpus) * cloud.gpu.priceUSD
            row.gpuCapexUSD += Double(gpus) * cloud.gpu.priceUSD
            if cloud.replaceAtEndOfLife { gpuBatches.append((month, gpus)) }
            if let pool = gpuPool { sim.setUnits(gpusInstalled, of: pool) } else { servePlacementQueue(in: &sim) }
        }
    }

    // MARK: Invariants

    /// MW drawn in each hall now, by the model's own accounts: mining (by fleet, at its
    /// hall's held share), GPU jobs (where their GPUs are), colocation.
    public func hallPower() -> [String: Double] {
        var power: [String: Double] = [:]
        for (f, fleet) in fleets.enumerated() {
            let h = fleetHall[f]
            let scale = hallMiningWantedMW[h] > 0 ? min(1, hallMiningHeldMW[h] / hallMiningWantedMW[h]) : 0
            power[fleet.hall, default: 0] += fleetPowerMW(f) * fleetRunning[f] * scale
        }
        for (h, hall) in scenario.site.halls.enumerated() { power[hall.name, default: 0] += gpuPowerByHall[h] }
        for lease in leases { power[lease.terms.hall, default: 0] += lease.heldMW }
        return power
    }

    /// Rack positions and racks in use against their number, in every pool (halls' and
    /// conversions'), and GPU racks over their kW (for the invariant tests): the
    /// descriptions of what is wrong, empty when nothing is.
    public func rackViolations(in sim: Simulation<Event>) -> [String] {
        var wrong: [String] = []
        for (h, pool) in hallRacks.enumerated() where sim.inUse(of: pool) > sim.units(of: pool) {
            wrong.append("hall \(scenario.site.halls[h].name): \(sim.inUse(of: pool)) racks used of \(sim.units(of: pool))")
        }
        for (k, pool) in conversionRacks.enumerated() where sim.inUse(of: pool) > sim.units(of: pool) {
            wrong.append("conversion \(k + 1): \(sim.inUse(of: pool)) racks used of \(sim.units(of: pool))")
        }
        // Mining shelves: as many ASICs a rack as its kW holds, all of them in racks.
        for f in fleets.indices where fleetUnits[f] > 0 {
            let held = fleetRackTicket[f].flatMap { sim.holding($0) }.map { Int($0.amount) } ?? 0
            if held * fleetPerRack[f] < fleetUnits[f] { wrong.append("fleet \(f): \(fleetUnits[f]) units on \(held) racks") }
            let kW = scenario.site.halls[fleetHall[f]].kWPerRack
            if Double(fleetPerRack[f]) * fleets[f].asic.powerW / 1_000 > kW * (1 + 1e-9) { wrong.append("fleet \(f): shelves over \(kW) kW") }
        }
        if let cloud = scenario.gpuCloud {
            let racks = gpuRacks
            for r in racks.overloadedRacks(wattsPerGPU: cloud.gpu.serverPowerWPerGPU) { wrong.append("GPU rack \(r) over its kW") }
            if racks.installed != gpusInstalled { wrong.append("\(racks.installed) GPUs on racks, \(gpusInstalled) installed") }
        }
        return wrong
    }

    /// MW the engine's hall capacities hold now, by hall name.
    public func hallHoldings(in sim: Simulation<Event>) -> [String: Double] {
        Dictionary(uniqueKeysWithValues: scenario.site.halls.enumerated().map { ($1.name, sim.inUse(of: hallCapacity[$0])) })
    }
}
