// SPDX-License-Identifier: GPL-3.0-or-later

import Dispatch
import Foundation
public import SwitchyardModel
import SwitchyardStochastic
import Synchronization

/// Settings of a Monte Carlo run.
public struct RiskSettings: Hashable, Sendable {
    /// Paths to run (the maximum, when `precision` may stop earlier).
    public var paths: Int
    public var seed: UInt64
    /// Worker threads; results do not depend on it.
    public var threads: Int
    /// Stop when the 95% CI half-width of mean NPV is at most this share of |mean NPV|
    /// (checked after each batch, so still deterministic for a seed).
    public var precision: Double?
    /// Paths per batch: the unit of parallel work and of the sequential fold.
    public var batchSize: Int

    public init(paths: Int, seed: UInt64, threads: Int = 1, precision: Double? = nil, batchSize: Int = 250) {
        precondition(paths > 0 && threads > 0 && batchSize > 0)
        self.paths = paths
        self.seed = seed
        self.threads = threads
        self.precision = precision
        self.batchSize = batchSize
    }
}

/// The path-level results of one path (kept exactly, one per path).
public struct PathOutcome: Hashable, Sendable {
    public var path: UInt64
    public var npvUSD: Double
    public var irr: Double?
    public var paybackMonth: Int?
    public var totalFreeCashFlowUSD: Double
    public var btcMined: Double
    /// Mean monthly GPU utilisation (NaN without a GPU cloud).
    public var gpuUtilisation: Double
    public var curtailedEnergyMWh: Double
    public var revenueUSD: Double
    /// Value at the horizon, undiscounted (0 without a valuation section).
    public var terminalValueUSD: Double
    /// With a finance section: the equity's NPV and the month cash runs out (if it does).
    public var equityNPVUSD: Double?
    public var cashOutMonth: Int?

    init(
        path: UInt64, npvUSD: Double, irr: Double?, paybackMonth: Int?, totalFreeCashFlowUSD: Double, btcMined: Double,
        gpuUtilisation: Double, curtailedEnergyMWh: Double, revenueUSD: Double, terminalValueUSD: Double, equityNPVUSD: Double?,
        cashOutMonth: Int?
    ) {
        self.path = path
        self.npvUSD = npvUSD
        self.irr = irr
        self.paybackMonth = paybackMonth
        self.totalFreeCashFlowUSD = totalFreeCashFlowUSD
        self.btcMined = btcMined
        self.gpuUtilisation = gpuUtilisation
        self.curtailedEnergyMWh = curtailedEnergyMWh
        self.revenueUSD = revenueUSD
        self.terminalValueUSD = terminalValueUSD
        self.equityNPVUSD = equityNPVUSD
        self.cashOutMonth = cashOutMonth
    }

    init(path: UInt64, result: PathResult, hasGPUs: Bool) {
        self.path = path
        npvUSD = result.npvUSD
        irr = result.irr
        paybackMonth = result.paybackMonth
        totalFreeCashFlowUSD = result.totalFreeCashFlowUSD
        btcMined = result.totalBTCMined
        gpuUtilisation =
            hasGPUs ? result.months.reduce(0) { $0 + $1.gpuUtilisation } / Double(max(result.months.count, 1)) : .nan
        curtailedEnergyMWh = result.months.reduce(0) { $0 + $1.curtailedEnergyMWh }
        revenueUSD = result.months.reduce(0) { $0 + $1.revenueUSD }
        terminalValueUSD = result.terminalValue?.totalUSD ?? 0
        equityNPVUSD = result.finance?.equityNPVUSD
        cashOutMonth = result.finance?.cashOutMonth
    }
}

/// Fan-chart statistics of one month across paths.
public struct MonthStatistics: Hashable, Sendable {
    public static let levels = [0.05, 0.25, 0.50, 0.75, 0.95]
    public var month: Int
    public var label: String
    public var cashFlowMeanUSD: Double
    /// Streaming (P-square) estimates at ``levels``.
    public var cashFlowPercentilesUSD: [Double]
    public var cumulativeCashMeanUSD: Double
    public var cumulativeCashPercentilesUSD: [Double]
    /// Mean revenue by stream: mining, GPU cloud, colocation, curtailment credits.
    public var revenueMeansUSD: [Double]
    /// The inputs' monthly averages at ``marketLevels`` (P5, P25, P50, P75, P95),
    /// streaming estimates: the network hashrate (EH/s), the hashprice (USD/PH/day),
    /// the BTC price (USD), the market power price (USD/MWh) and the GPU cloud's
    /// rental price (USD/GPU-hour; 0 without one).
    public var networkHashrateEHsPercentiles: [Double] = []
    public var hashpricePercentiles: [Double] = []
    public var btcPricePercentiles: [Double] = []
    public var powerPricePercentiles: [Double] = []
    public var gpuPricePercentiles: [Double] = []
    public static let marketLevels = levels
    public static let revenueStreams = ["Mining", "GPU cloud", "Colocation", "Curtailment credits"]
}

/// The result of a Monte Carlo run.
public struct RiskResult: Sendable {
    public var scenarioName: String
    public var settings: RiskSettings
    /// One per path, in path order.
    public var paths: [PathOutcome]
    public var npv: DistributionSummary
    /// Over the paths whose IRR is defined (`nil` if none).
    public var irr: DistributionSummary?
    public var irrDefinedShare: Double
    /// Over the paths that pay back within the horizon.
    public var paybackMonth: DistributionSummary?
    public var paybackShare: Double
    public var btcMined: DistributionSummary
    public var gpuUtilisation: DistributionSummary?
    public var curtailedEnergyMWh: DistributionSummary
    /// The value at the horizon (undiscounted), when the scenario puts one.
    public var terminalValue: DistributionSummary?
    /// With a finance section: the equity NPV over paths.
    public var equityNPV: DistributionSummary?
    /// With starting cash: the share of paths on which cash runs out.
    public var probabilityCashOut: Double?
    /// The annual roll-up averaged over the paths (same years on every path).
    public var yearlyMeans: [YearRow] = []
    public var months: [MonthStatistics]
    /// Whether `precision` was reached (nil when no precision was asked for).
    public var reachedPrecision: Bool?
}

/// Monte Carlo over paths of a scenario: parallel, deterministic, streaming.
public enum RiskRunner {
    /// Runs up to `settings.paths` paths and summarises them. `progress(done, total)` is
    /// called after each batch on the calling thread.
    /// - Throws: ``NonFiniteResult`` (see ``run(scenarios:seed:jobs:threads:extract:)``).
    public static func run(
        scenario: Scenario, settings: RiskSettings, progress: ((Int, Int) -> Void)? = nil
    ) throws(NonFiniteResult) -> RiskResult {
        let aggregate = Aggregate(scenario: scenario, settings: settings)
        var reached: Bool? = settings.precision == nil ? nil : false
        var first = 0
        while first < settings.paths {
            let count = min(settings.batchSize, settings.paths - first)
            let batch = try pathRecords(scenario: scenario, seed: settings.seed, first: first, count: count, threads: settings.threads)
            aggregate.add(batch, threads: settings.threads)
            first += count
            progress?(first, settings.paths)
            if let precision = settings.precision, aggregate.outcomes.count >= 2 * settings.batchSize || first >= settings.paths {
                let summary = DistributionSummary(aggregate.outcomes.map(\.npvUSD))
                if 1.96 * summary.standardError <= precision * abs(summary.mean) {
                    reached = true
                    break
                }
            }
        }
        return aggregate.result(reachedPrecision: reached)
    }

    /// What a risk run keeps of one path: its outcome, its monthly figures (the fan
    /// chart's inputs) and its years. A shard holds these exactly, so that merged shards
    /// give the single run's result to the bit.
    public struct PathRecord: Hashable, Sendable {
        public var outcome: PathOutcome
        public var monthlyFigures: [Double]
        public var years: [YearRow]
    }

    /// The records of paths `first ..< first + count`, in path order.
    public static func pathRecords(scenario: Scenario, seed: UInt64, first: Int, count: Int, threads: Int) throws(NonFiniteResult)
        -> [PathRecord]
    {
        let hasGPUs = scenario.gpuCloud != nil
        return try runBatch(scenario: scenario, seed: seed, first: first, count: count, threads: threads) {
            PathRecord(
                outcome: PathOutcome(path: $0, result: $1, hasGPUs: hasGPUs), monthlyFigures: FanAccumulator.monthlyFigures($1),
                years: YearRow.years(of: $1))
        }
    }

    /// Shard `k` of `n` (0-based) of a run of `paths` paths: paths
    /// `k * paths / n ..< (k + 1) * paths / n` (integer division), the same paths, on the
    /// same streams, as in the single run.
    public static func shardRange(k: Int, of n: Int, paths: Int) -> Range<Int> {
        precondition(n > 0 && k >= 0 && k < n && paths >= 0)
        return (k * paths / n)..<((k + 1) * paths / n)
    }

    /// Summarises records given in path order, from path 0 to `settings.paths - 1`
    /// (the shards of a run, in order): the same result as ``run(scenario:settings:progress:)``
    /// without a precision target, to the bit.
    public static func merge(scenario: Scenario, settings: RiskSettings, records: some Sequence<[PathRecord]>) -> RiskResult {
        let aggregate = Aggregate(scenario: scenario, settings: settings)
        for batch in records { aggregate.add(batch, threads: settings.threads) }
        return aggregate.result(reachedPrecision: nil)
    }

    /// As ``merge(scenario:settings:records:)``, batches pulled from `next` until it
    /// returns nil; an error from `next` stops the merge (nothing is summarised).
    /// - Throws: `next`'s error, or ``RiskShardError`` when the batches hold no path.
    public static func merge(scenario: Scenario, settings: RiskSettings, next: () throws -> [PathRecord]?) throws -> RiskResult {
        let aggregate = Aggregate(scenario: scenario, settings: settings)
        while let batch = try next() { aggregate.add(batch, threads: settings.threads) }
        guard !aggregate.outcomes.isEmpty else { throw RiskShardError("merge: the shards hold no path") }
        return aggregate.result(reachedPrecision: nil)
    }

    /// The running summary of a risk run, fed batches of records in path order.
    final class Aggregate {
        let scenario: Scenario
        let settings: RiskSettings
        let hasGPUs: Bool
        var outcomes: [PathOutcome] = []
        let fan: FanAccumulator
        var yearlySums: [YearRow] = []

        init(scenario: Scenario, settings: RiskSettings) {
            self.scenario = scenario
            self.settings = settings
            hasGPUs = scenario.gpuCloud != nil
            outcomes.reserveCapacity(settings.paths)
            fan = FanAccumulator(months: scenario.horizonMonths)
        }

        func add(_ batch: [PathRecord], threads: Int) {
            outcomes += batch.map(\.outcome)
            // Sums in path order: the same for any thread count.
            for record in batch {
                if yearlySums.isEmpty { yearlySums = record.years.map { y in YearRow(year: y.year, label: y.label) } }
                for (k, y) in record.years.enumerated() where k < yearlySums.count { yearlySums[k].add(y) }
            }
            // Fold in path order (month by month, months in parallel): the same result for
            // any thread count.
            fan.add(batch.map(\.monthlyFigures), threads: threads)
        }

        func result(reachedPrecision reached: Bool?) -> RiskResult {
            let labels = (1...scenario.horizonMonths).map { Scenario.monthLabel(scenario.startMonth, month: $0) }
            let irrs = outcomes.compactMap(\.irr)
            let paybacks = outcomes.compactMap { $0.paybackMonth.map(Double.init) }
            let n = Double(outcomes.count)
            return RiskResult(
                scenarioName: scenario.name, settings: settings, paths: outcomes,
                npv: DistributionSummary(outcomes.map(\.npvUSD)),
                irr: irrs.isEmpty ? nil : DistributionSummary(irrs), irrDefinedShare: Double(irrs.count) / n,
                paybackMonth: paybacks.isEmpty ? nil : DistributionSummary(paybacks),
                paybackShare: Double(paybacks.count) / n,
                btcMined: DistributionSummary(outcomes.map(\.btcMined)),
                gpuUtilisation: hasGPUs ? DistributionSummary(outcomes.map(\.gpuUtilisation)) : nil,
                curtailedEnergyMWh: DistributionSummary(outcomes.map(\.curtailedEnergyMWh)),
                terminalValue: scenario.valuation.isOn ? DistributionSummary(outcomes.map(\.terminalValueUSD)) : nil,
                equityNPV: scenario.finance.isOn ? DistributionSummary(outcomes.compactMap(\.equityNPVUSD)) : nil,
                probabilityCashOut: scenario.finance.startingCashUSD == nil
                    ? nil : Double(outcomes.filter { $0.cashOutMonth != nil }.count) / n,
                yearlyMeans: yearlySums.map { $0.scaled(by: 1 / n) },
                months: fan.statistics(labels: labels), reachedPrecision: reached)
        }
    }

    /// Runs paths `first ..< first + count` on `threads` workers and returns
    /// `extract(path, result)` for each, in path order; each path's streams depend
    /// only on (seed, path).
    public static func runBatch<T: Sendable>(
        scenario: Scenario, seed: UInt64, first: Int, count: Int, threads: Int,
        extract: @escaping @Sendable (UInt64, PathResult) -> T
    ) throws(NonFiniteResult) -> [T] {
        try run(scenario: scenario, seed: seed, paths: (first..<(first + count)).map(UInt64.init), threads: threads, extract: extract)
    }

    /// Runs the listed paths on `threads` workers; results in the order of `paths`.
    public static func run<T: Sendable>(
        scenario: Scenario, seed: UInt64, paths: [UInt64], threads: Int,
        extract: @escaping @Sendable (UInt64, PathResult) -> T
    ) throws(NonFiniteResult) -> [T] {
        try run(scenarios: [scenario], seed: seed, jobs: paths.map { (0, $0) }, threads: threads, extract: extract)
    }

    /// Runs each job (an index into `variants`, a path), where every variant is `never`
    /// with fixed start months (and possibly other block sizes), forked from the never
    /// run of its path (``SiteModel/runForked(never:variants:seed:path:includeNever:)``):
    /// the jobs of one path share its never run up to each variant's first start.
    /// Results in the order of `jobs`, equal to the bit to
    /// ``run(scenarios:seed:jobs:threads:extract:)`` on the same jobs.
    public static func runForked<T: Sendable>(
        never: Scenario, variants: [Scenario], seed: UInt64, jobs: [(scenario: Int, path: UInt64)], threads: Int,
        extract: @escaping @Sendable (UInt64, PathResult) -> T
    ) throws(NonFiniteResult) -> [T] {
        guard !jobs.isEmpty else { return [] }
        // The jobs of each path, paths in order of first appearance.
        var grouping: [[Int]] = []
        var groupOf: [UInt64: Int] = [:]
        for (i, job) in jobs.enumerated() {
            if let g = groupOf[job.path] {
                grouping[g].append(i)
            } else {
                groupOf[job.path] = grouping.count
                grouping.append([i])
            }
        }
        let slots = Mutex([T?](repeating: nil, count: jobs.count))
        let failures = Mutex([Int: NonFiniteResult]())
        let next = Atomic<Int>(0)
        let groups = grouping
        DispatchQueue.concurrentPerform(iterations: max(1, min(threads, groups.count))) { _ in
            var local: [(Int, T)] = []
            var bad: [(Int, NonFiniteResult)] = []
            while true {
                let g = next.wrappingAdd(1, ordering: .relaxed).oldValue
                guard g < groups.count else { break }
                let members = groups[g]
                let path = jobs[members[0]].path
                // Each distinct variant once.
                var distinct: [Int] = []
                var position: [Int: Int] = [:]
                for i in members where position[jobs[i].scenario] == nil {
                    position[jobs[i].scenario] = distinct.count
                    distinct.append(jobs[i].scenario)
                }
                let results = SiteModel.runForked(never: never, variants: distinct.map { variants[$0] }, seed: seed, path: path).variants
                for i in members {
                    let result = results[position[jobs[i].scenario]!]
                    if let failure = NonFiniteResult.check(result, path: path, scenario: variants[jobs[i].scenario]) {
                        bad.append((i, failure))
                    } else {
                        local.append((i, extract(path, result)))
                    }
                }
            }
            slots.withLock { slots in
                for (index, value) in local { slots[index] = value }
            }
            if !bad.isEmpty { failures.withLock { for (i, f) in bad { $0[i] = f } } }
        }
        if let first = failures.withLock({ $0.min { $0.key < $1.key }?.value }) { throw first }
        return slots.withLock { $0.map { $0! } }
    }

    /// Runs each job (an index into `scenarios`, a path) on `threads` workers; results
    /// in the order of `jobs`. Paths of different scenarios share streams by path
    /// number (common random numbers), so a planner can give each path its own policy.
    ///
    /// - Throws: ``NonFiniteResult`` when a path's NPV or a month's cash flow is not a
    ///   finite number (the inputs drove the arithmetic out of range): the first such
    ///   path in job order, and its first bad month.
    public static func run<T: Sendable>(
        scenarios: [Scenario], seed: UInt64, jobs: [(scenario: Int, path: UInt64)], threads: Int,
        extract: @escaping @Sendable (UInt64, PathResult) -> T
    ) throws(NonFiniteResult) -> [T] {
        let count = jobs.count
        guard count > 0 else { return [] }
        let slots = Mutex([T?](repeating: nil, count: count))
        let failures = Mutex([Int: NonFiniteResult]())
        let workers = max(1, min(threads, count))
        // Workers take the next job as they free up (a virtual CPU that the host slows
        // down takes fewer); a job's result depends only on its scenario, seed and path,
        // and lands in its own slot, so the output does not depend on who ran what.
        let next = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            var local: [(Int, T)] = []
            while true {
                let i = next.wrappingAdd(1, ordering: .relaxed).oldValue
                guard i < count else { break }
                let (index, path) = jobs[i]
                let result = SiteModel.run(scenario: scenarios[index], seed: seed, path: path)
                if let failure = NonFiniteResult.check(result, path: path, scenario: scenarios[index]) {
                    failures.withLock { $0[i] = failure }
                    continue
                }
                local.append((i, extract(path, result)))
            }
            slots.withLock { slots in
                for (index, value) in local { slots[index] = value }
            }
        }
        if let first = failures.withLock({ $0.min { $0.key < $1.key }?.value }) { throw first }
        return slots.withLock { $0.map { $0! } }
    }
}

/// A path whose numbers left the finite range: named so the user can find the input.
public struct NonFiniteResult: Error, Equatable, CustomStringConvertible {
    public var scenario: String
    public var path: UInt64
    /// The first month (and its label) with a non-finite figure, and which figure.
    public var month: Int?
    public var label: String?
    public var figure: String

    public var description: String {
        let when = month.map { " in month \($0) (\(label ?? ""))" } ?? ""
        return "\(scenario): path \(path) gave a non-finite \(figure)\(when): the inputs drive the arithmetic out of range (look at volatilities, jump and spike sizes and rates, drifts over a long horizon); no result is reported"
    }

    /// The first non-finite figure of a path's result, if any.
    public static func check(_ r: PathResult, path: UInt64, scenario: Scenario) -> NonFiniteResult? {
        for row in r.months {
            let figures: [(String, Double)] = [
                ("free cash flow", row.freeCashFlowUSD), ("mining revenue", row.miningRevenueUSD),
                ("BTC price", row.averageBTCPriceUSD), ("network hashrate", row.averageNetworkHashrateEHs),
                ("market power price", row.averageMarketPowerPriceUSDPerMWh), ("terminal value", row.terminalValueUSD),
            ]
            if let bad = figures.first(where: { !$0.1.isFinite }) {
                return NonFiniteResult(scenario: scenario.name, path: path, month: row.month, label: row.label, figure: bad.0)
            }
        }
        if !r.npvUSD.isFinite { return NonFiniteResult(scenario: scenario.name, path: path, month: nil, label: nil, figure: "NPV") }
        if let f = r.finance, !f.equityNPVUSD.isFinite {
            return NonFiniteResult(scenario: scenario.name, path: path, month: nil, label: nil, figure: "equity NPV")
        }
        return nil
    }
}

/// The streaming estimators of one month: mean sums and P-square percentiles of the
/// cash flow and of cumulative cash.
struct MonthEstimators {
    var cashFlowSum = 0.0
    var cumulativeSum = 0.0
    var revenueSums = [Double](repeating: 0, count: MonthStatistics.revenueStreams.count)
    let cashFlow = MonthStatistics.levels.map { StreamingQuantile(probability: $0) }
    let cumulative = MonthStatistics.levels.map { StreamingQuantile(probability: $0) }
    /// The inputs' monthly averages: hashrate, hashprice, BTC price, power price, GPU price.
    let markets = (0..<5).map { _ in MonthStatistics.marketLevels.map { StreamingQuantile(probability: $0) } }
}

/// Streaming monthly statistics, fed one batch at a time in path order; memory does not
/// grow with paths. Months are independent, so a batch is folded month-chunk by
/// month-chunk in parallel; each chunk's estimators sit in their own `Mutex`, which is
/// how the (non-Sendable) GSL workspaces may move between threads.
final class FanAccumulator {
    /// One chunk of consecutive months and their estimators.
    final class Chunk: Sendable {
        let months: Mutex<[MonthEstimators]>
        init(_ months: sending [MonthEstimators]) { self.months = Mutex(months) }
    }

    let chunks: [Chunk]
    let chunkSize: Int
    var paths = 0

    init(months: Int, chunks chunkCount: Int = 8) {
        let size = max(1, (months + chunkCount - 1) / chunkCount)
        chunkSize = size
        chunks = stride(from: 0, to: months, by: size).map { start in
            Chunk((start..<min(months, start + size)).map { _ in MonthEstimators() })
        }
    }

    /// Per month of a path: free cash flow, the revenue streams, the network hashrate
    /// and the hashprice (``figuresPerMonth`` numbers a month).
    static func monthlyFigures(_ result: PathResult) -> [Double] {
        result.months.flatMap {
            [
                $0.freeCashFlowUSD, $0.miningRevenueUSD, $0.gpuCloudRevenueUSD, $0.colocationRevenueUSD, $0.curtailmentCreditsUSD,
                $0.averageNetworkHashrateEHs, $0.averageHashpriceUSDPerPHDay, $0.averageBTCPriceUSD,
                $0.averageMarketPowerPriceUSDPerMWh, $0.averageGPUPriceUSDPerGPUHour,
            ]
        }
    }

    static let figuresPerMonth = 10

    /// Adds the monthly figures (``monthlyFigures(_:)``) of consecutive paths, in path order.
    func add(_ figures: [[Double]], threads: Int) {
        paths += figures.count
        let per = Self.figuresPerMonth
        let batch = figures.map { f in stride(from: 0, to: f.count, by: per).map { f[$0] } }
        // Cumulative cash per path once, shared read-only by the chunks.
        let cumulative = batch.map { flows in
            var running = 0.0
            return flows.map { running += $0; return running }
        }
        let chunkSize = self.chunkSize
        let chunks = self.chunks
        DispatchQueue.concurrentPerform(iterations: min(threads, chunks.count)) { worker in
            var c = worker
            while c < chunks.count {
                chunks[c].months.withLock { months in
                    for (m, estimators) in months.enumerated() {
                        let month = c * chunkSize + m
                        for (k, (flows, running)) in zip(batch, cumulative).enumerated() {
                            months[m].cashFlowSum += flows[month]
                            months[m].cumulativeSum += running[month]
                            for s in 0..<4 { months[m].revenueSums[s] += figures[k][per * month + 1 + s] }
                            for estimator in estimators.cashFlow { estimator.add(flows[month]) }
                            for estimator in estimators.cumulative { estimator.add(running[month]) }
                            for (j, market) in estimators.markets.enumerated() {
                                for estimator in market { estimator.add(figures[k][per * month + 5 + j]) }
                            }
                        }
                    }
                }
                c += min(threads, chunks.count)
            }
        }
    }

    func statistics(labels: [String]) -> [MonthStatistics] {
        let n = Double(max(paths, 1))
        var result: [MonthStatistics] = []
        for (c, chunk) in chunks.enumerated() {
            chunk.months.withLock { months in
                for (m, e) in months.enumerated() {
                    let month = c * chunkSize + m
                    var statistics = MonthStatistics(
                        month: month + 1, label: labels[month], cashFlowMeanUSD: e.cashFlowSum / n,
                        cashFlowPercentilesUSD: e.cashFlow.map(\.value), cumulativeCashMeanUSD: e.cumulativeSum / n,
                        cumulativeCashPercentilesUSD: e.cumulative.map(\.value),
                        revenueMeansUSD: e.revenueSums.map { $0 / n })
                    statistics.networkHashrateEHsPercentiles = e.markets[0].map(\.value)
                    statistics.hashpricePercentiles = e.markets[1].map(\.value)
                    statistics.btcPricePercentiles = e.markets[2].map(\.value)
                    statistics.powerPricePercentiles = e.markets[3].map(\.value)
                    statistics.gpuPricePercentiles = e.markets[4].map(\.value)
                    result.append(statistics)
                }
            }
        }
        return result
    }
}

@available(*, unavailable)
extension FanAccumulator: Sendable {}

extension MonthStatistics {
    /// The inputs whose monthly percentiles a run keeps, in the order of
    /// ``marketPercentiles``: name, CSV column stem and unit.
    public static let markets: [(name: String, column: String, unitColumn: String, unit: String)] = [
        ("Network hashrate", "network_hashrate", "ehs", "EH/s"),
        ("Hashprice", "hashprice", "usd_per_ph_day", "USD/PH/day"),
        ("BTC price", "btc_price", "usd", "USD"),
        ("Market power price", "power_price", "usd_per_mwh", "USD/MWh"),
        ("GPU rental price", "gpu_price", "usd_per_gpu_hour", "USD/GPU-hour"),
    ]

    public var marketPercentiles: [[Double]] {
        [networkHashrateEHsPercentiles, hashpricePercentiles, btcPricePercentiles, powerPricePercentiles, gpuPricePercentiles]
    }
}
