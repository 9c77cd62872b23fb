// SPDX-License-Identifier: GPL-3.0-or-later

/// Rules that span several fields (power budgets, references between sections).
enum ScenarioValidator {
    /// `line`: where a field is in the file (nil for a scenario built in code).
    static func validate(_ s: Scenario, file: String, line: (String) -> Int? = { _ in nil }) -> [ScenarioIssue] {
        var issues: [ScenarioIssue] = []
        func report(_ path: String, _ value: String, _ rule: String) {
            issues.append(ScenarioIssue(file: file, line: line(path), path: path, value: value, rule: rule))
        }
        func mw(_ x: Double) -> String { String(format: "%.3f MW", x) }

        let halls = s.site.halls
        if halls.isEmpty { report("site.halls", "[]", "needs at least one hall") }
        var seen = Set<String>()
        for (i, hall) in halls.enumerated() where !seen.insert(hall.name).inserted {
            report("site.halls[\(i)].name", hall.name, "duplicate hall name")
        }
        let total = halls.reduce(0) { $0 + $1.powerMW }
        if total > s.site.interconnectMW * (1 + 1e-12) {
            report("site.halls", "total \(mw(total))", "the halls' power exceeds site.interconnectMW (\(mw(s.site.interconnectMW)))")
        }
        for (i, hall) in halls.enumerated() {
            let rackMW = Double(hall.racks) * hall.kWPerRack / 1_000
            if rackMW * (1 + 1e-12) < hall.powerMW / hall.pue {
                report(
                    "site.halls[\(i)].racks", "\(hall.racks)",
                    "\(hall.racks) racks x \(hall.kWPerRack) kW = \(mw(rackMW)) cannot hold the hall's IT load (\(mw(hall.powerMW / hall.pue)))")
            }
        }

        // Power used in each hall at the start of the run.
        var used = [String: Double]()
        // The network's hashrate includes the site's.
        let siteEHs = s.mining.reduce(0.0) { total, fleet in
            let first = Double(fleet.units) * fleet.asic.hashrateTHs
            let refreshed = fleet.refresh.map { Double($0.units) * $0.asic.hashrateTHs } ?? 0
            return total + max(first, refreshed) * fleet.uptime / 1e6
        }
        if siteEHs > 0.5 * s.bitcoin.initialHashrateEHs {
            report(
                "bitcoin.network.initialHashrateEHs", "\(s.bitcoin.initialHashrateEHs)",
                "the network's hashrate includes the site's (\(String(format: "%.3g", siteEHs)) EH/s of mining fleets): it must be at least twice that")
        }
        for (i, fleet) in s.mining.enumerated() {
            if let r = fleet.refresh, r.month > s.horizonMonths {
                report("mining[\(i)].refresh.month", "\(r.month)", "after the horizon (\(s.horizonMonths) months)")
            }
            if let r = fleet.refresh, let every = r.everyMonths, s.bitcoin.profitability == nil {
                report(
                    "mining[\(i)].refresh.thenEveryMonths", "\(every)",
                    "needs bitcoin.network.model: profitability (later refreshes buy the machine of its efficiency frontier)")
            }
            guard let h = s.site.hallIndex(named: fleet.hall) else {
                report("mining[\(i)].hall", fleet.hall, "no hall of that name in site.halls")
                continue
            }
            used[fleet.hall, default: 0] += Double(fleet.units) * fleet.asic.powerW * halls[h].pue / 1e6
        }
        if let cloud = s.gpuCloud {
            if let h = s.site.hallIndex(named: cloud.hall) {
                used[cloud.hall, default: 0] += Double(cloud.gpus) * cloud.gpu.serverPowerWPerGPU * halls[h].pue / 1e6
            } else {
                report("gpuCloud.hall", cloud.hall, "no hall of that name in site.halls")
            }
            let largest: Int
            switch cloud.demand {
            case .poisson(_, let sizes, _, _): largest = sizes.max() ?? 0
            case .trace(_, let jobs): largest = jobs.map(\.gpus).max() ?? 0
            }
            let ever = cloud.gpus + s.conversions.reduce(0) {
                if case .gpuCloud(let g) = $1.target { return $0 + g }
                return $0
            }
            if largest > ever {
                report("gpuCloud.demand", "\(largest) GPUs", "a job needs more GPUs than the cloud will ever have (\(ever)); it would wait forever")
            }
        }
        for (i, lease) in s.colocation.enumerated() {
            guard let h = s.site.hallIndex(named: lease.hall) else {
                report("colocation[\(i)].hall", lease.hall, "no hall of that name in site.halls")
                continue
            }
            used[lease.hall, default: 0] += lease.criticalITMW * halls[h].pue
            if lease.startMonth > s.horizonMonths {
                report("colocation[\(i)].startMonth", "\(lease.startMonth)", "after the horizon (\(s.horizonMonths) months)")
            }
        }
        for hall in halls where (used[hall.name] ?? 0) > hall.powerMW * (1 + 1e-9) {
            let index = s.site.hallIndex(named: hall.name)!
            report(
                "site.halls[\(index)].powerMW", "\(hall.powerMW)",
                "less than what is placed in hall \(hall.name) (mining, GPUs, colocation: \(mw(used[hall.name]!)))")
        }

        // Racks: GPU servers fill racks by kW; miners fill racks by IT kW.
        if let cloud = s.gpuCloud, let h = s.site.hallIndex(named: cloud.hall) {
            let hall = halls[h]
            let serverKW = cloud.gpu.serverPowerWPerGPU * Double(cloud.gpu.gpusPerServer) / 1_000
            let serversPerRack = Int((hall.kWPerRack / serverKW).rounded(.down))
            if serversPerRack < 1 {
                report("site.halls[\(h)].kWPerRack", "\(hall.kWPerRack)", "a \(cloud.gpu.name) server (\(serverKW) kW) does not fit a rack of hall \(hall.name)")
            } else {
                func gpuRacks(_ gpus: Int) -> Int {
                    let servers = (gpus + cloud.gpu.gpusPerServer - 1) / cloud.gpu.gpusPerServer
                    return (servers + serversPerRack - 1) / serversPerRack
                }
                func miningRacks(_ mw: Double) -> Int { Int((mw / hall.pue * 1_000 / hall.kWPerRack).rounded(.up)) }
                let miningMW = s.mining.enumerated().filter { $0.element.hall == hall.name }
                    .reduce(0.0) { $0 + Double($1.element.units) * $1.element.asic.powerW * hall.pue / 1e6 }
                // At each block's largest size (the planner may choose it).
                let largest = s.conversions.map { $0.resized(to: $0.sizeOptions.max() ?? $0.megawatts) }
                let converted = largest.filter { $0.hall == hall.name }.reduce(0.0) { $0 + $1.megawatts }
                let added = largest.reduce(0) { total, c in
                    if case .gpuCloud(let g) = c.target, c.hall == hall.name { return total + g }
                    return total
                }
                let atStart = gpuRacks(cloud.gpus) + miningRacks(miningMW)
                let atEnd = gpuRacks(cloud.gpus + added) + miningRacks(max(0, miningMW - converted))
                let needed = max(atStart, atEnd)
                if needed > hall.racks {
                    report(
                        "site.halls[\(h)].racks", "\(hall.racks)",
                        "hall \(hall.name) needs \(needed) racks for its GPUs (\(serversPerRack) servers a rack) and miners")
                }
            }
        }

        // Conversions take mining megawatts in their hall.
        var miningLeft = [String: Double]()
        for fleet in s.mining {
            if let h = s.site.hallIndex(named: fleet.hall) {
                miningLeft[fleet.hall, default: 0] += Double(fleet.units) * fleet.asic.powerW * halls[h].pue / 1e6
            }
        }
        let combinations = s.conversions.reduce(1.0) { $0 * Double(max(1, $1.sizeOptions.count)) }
        if combinations > 64 {
            report(
                "conversions", "\(Int(combinations)) combinations of sizes",
                "the blocks' size lists may give at most 64 combinations (the planner searches every one)")
        }
        for (i, c) in s.conversions.enumerated() {
            guard s.site.hallIndex(named: c.hall) != nil else {
                report("conversions[\(i)].hall", c.hall, "no hall of that name in site.halls")
                continue
            }
            let left = miningLeft[c.hall] ?? 0
            let largest = c.sizeOptions.max() ?? c.megawatts
            if largest > left * (1 + 1e-9) {
                report(
                    "conversions[\(i)].megawatts", c.sizeOptions.isEmpty ? "\(c.megawatts)" : "\(c.sizeOptions)",
                    "more than the mining power left in hall \(c.hall) (\(mw(left))\(String(format: "%.3f", left) == String(format: "%.3f", largest) ? String(format: "; %.6f MW exactly", left) : ""))\(c.sizeOptions.isEmpty ? "" : " at the largest size")")
            }
            miningLeft[c.hall] = max(0, left - largest)
            if c.startMonth > s.horizonMonths {
                report("conversions[\(i)].startMonth", "\(c.startMonth)", "after the horizon (\(s.horizonMonths) months)")
            }
            switch c.target {
            case .gpuCloud(let gpus):
                guard let cloud = s.gpuCloud else {
                    report("conversions[\(i)].target.gpuCloud", "", "needs a gpuCloud section to add GPUs to")
                    break
                }
                // GPUs scale with the size: every size must still bring some.
                for size in c.sizeOptions {
                    if case .gpuCloud(let n) = c.resized(to: size).target, n < 1 {
                        report(
                            "conversions[\(i)].megawatts", "\(size)",
                            "gives no GPU at this size (\(gpus) GPUs at \(c.megawatts) MW, scaled with the megawatts and rounded down)")
                    }
                }
                let power = Double(gpus) * cloud.gpu.serverPowerWPerGPU * c.newPUE / 1e6
                if power > c.megawatts * (1 + 1e-9) {
                    report("conversions[\(i)].target.gpuCloud.gpus", "\(gpus)", "draw \(mw(power)), more than the \(mw(c.megawatts)) converted")
                }
                if cloud.hall != c.hall {
                    report("conversions[\(i)].hall", c.hall, "GPUs join the cloud in hall \(cloud.hall); convert that hall")
                }
            case .colocation:
                break
            }
        }
        // The power price's long-run mean must be a number: E[P] / base is
        // exp(sigma^2 / (4 kappa) + spikes' share), which overflows for a slow, wild price.
        let market = s.electricity.market
        let factor = market.process(base: 1).meanFactor(stepYears: s.stepHours / 8_760)
        if !(factor.isFinite && factor > 0 && factor < 1e6) {
            report(
                "electricity.market", "volatility \(market.volatility), meanReversionPerYear \(market.meanReversionPerYear), spikes \(market.spikesPerYear) x \(market.spikeLogMean)",
                "the price's long-run mean is \(factor) times its base level: lower the volatility or spikes, or raise the mean reversion (volatility^2 / (4 meanReversionPerYear) must stay well below 14)")
        }

        // Leases that need a market rent (mark-to-market renewals, re-lets).
        var leases: [(path: String, lease: ColocationLease)] = s.colocation.enumerated().map { ("colocation[\($0)]", $1) }
        for (i, c) in s.conversions.enumerated() {
            if case .colocation(let lease) = c.target { leases.append(("conversions[\(i)].target.colocation", lease)) }
        }
        for (path, lease) in leases where s.colocationMarket == nil {
            if lease.renewals.options > 0 && lease.renewals.rent == .market {
                report("\(path).renewals.rent", "market", "needs a colocationMarket section (the market rent)")
            }
            if case .relet = lease.afterTerm {
                report("\(path).afterTerm", "relet", "needs a colocationMarket section (the market rent of a re-let)")
            }
        }
        // Re-lets after the horizon are a growing perpetuity, discounted at the contract
        // rate when there is one.
        let leaseRate = min(s.discountRatePerYear, s.finance.contractDiscountRatePerYear ?? s.discountRatePerYear)
        if let market = s.colocationMarket, case .relet = leases.first(where: { if case .relet = $0.lease.afterTerm { true } else { false } })?.lease.afterTerm,
            s.valuation.isOn, market.growthPerYear > leaseRate - 0.01
        {
            report(
                "colocationMarket.growthPerYear", "\(market.growthPerYear)",
                "must be at least 1 point below the rate re-lets are discounted at (\(leaseRate): discountRatePerYear, or finance.contractDiscountRatePerYear if lower): re-lets after the horizon are a growing perpetuity")
        }
        if case .gordon(let g) = s.valuation.method, let rc = s.finance.contractDiscountRatePerYear, g > rc - 0.01 {
            report("finance.contractDiscountRatePerYear", "\(rc)", "must be at least 1 point above valuation.growthPerYear (\(g))")
        }
        return issues
    }
}
