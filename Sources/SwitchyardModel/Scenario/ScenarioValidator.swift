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

        rackRules(s, report: report)

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

    /// Rack rules: every machine fits a rack; each hall's rack positions hold its
    /// mining shelves, tenants' racks and first GPU racks; a conversion's new racks fit
    /// in the positions it frees; no job is larger than the largest placement domain.
    /// GPU racks a placement domain may track.
    static let maximumPlacedRacks = 10_000

    static func rackRules(_ s: Scenario, report: (String, String, String) -> Void) {
        let halls = s.site.halls
        func count(_ n: Int) -> String { n == Int.max ? "no" : "\(n)" }
        // Shelves: ASICs a rack holds.
        var fleetFits = true
        for (i, fleet) in s.mining.enumerated() {
            guard let h = s.site.hallIndex(named: fleet.hall) else { continue }
            for asic in [fleet.asic] + (fleet.refresh.map { [$0.asic] } ?? []) where halls[h].rackKind.perRack(watts: asic.powerW) < 1 {
                fleetFits = false
                report(
                    "mining[\(i)].asic", asic.name,
                    "one \(asic.name) (\(asic.powerW / 1_000) kW) does not fit a rack of hall \(fleet.hall) (kWPerRack \(halls[h].kWPerRack))")
            }
        }
        let cloud = s.gpuCloud
        var gpuRacks = cloud.map { GPURacks(cloud: $0) }
        // Placement tracks every GPU rack: a bounded number of them.
        if let cloud, cloud.placement.domain != .cloud, let racks = gpuRacks, let h = s.site.hallIndex(named: cloud.hall) {
            var total = racks.serversPerRack(halls[h].rackKind) > 0 ? racks.racksNeeded(gpus: cloud.gpus, kind: halls[h].rackKind) : 0
            for c in s.conversions {
                guard let ch = s.site.hallIndex(named: c.hall), case .gpuCloud(let gpus) = c.resized(to: c.sizeOptions.max() ?? c.megawatts).target else { continue }
                let kind = c.racks ?? halls[ch].rackKind
                if racks.serversPerRack(kind) > 0 { total = total &+ racks.racksNeeded(gpus: gpus, kind: kind) }
            }
            if total > Self.maximumPlacedRacks {
                report(
                    "gpuCloud.placement.domain", cloud.placement.domain.name,
                    "placement follows every GPU rack, and this cloud would have \(total) (at most \(Self.maximumPlacedRacks)): use domain: cloud, or denser racks")
                gpuRacks = nil
            }
        }
        var cloudFits = true
        var positions = [Int](repeating: 0, count: halls.count)
        var parts = [[String]](repeating: [], count: halls.count)
        if let cloud, let h = s.site.hallIndex(named: cloud.hall), let racks = gpuRacks, cloud.gpus > 0 {
            // (A cloud with no first GPUs needs no rack of its hall's kind.)
            let per = racks.serversPerRack(halls[h].rackKind)
            if per < 1 {
                cloudFits = false
                report(
                    "site.halls[\(h)].kWPerRack", "\(halls[h].kWPerRack)",
                    "one \(cloud.gpu.name) server (\(racks.serverKW) kW) does not fit a rack of hall \(halls[h].name)")
            } else {
                let n = racks.racksNeeded(gpus: cloud.gpus, kind: halls[h].rackKind)
                positions[h] += n
                parts[h].append("\(count(n)) for \(cloud.gpus) GPUs (\(per) server\(per == 1 ? "" : "s") a rack)")
                gpuRacks?.install(gpus: cloud.gpus, hall: h, pue: halls[h].pue, kind: halls[h].rackKind)
            }
        }
        guard fleetFits else { return }
        // Mining shelves at the start, or after a refresh if that takes more.
        var units = s.mining.map(\.units)
        for (f, fleet) in s.mining.enumerated() {
            guard let h = s.site.hallIndex(named: fleet.hall) else { continue }
            let kind = halls[h].rackKind
            let first = kind.racks(units: fleet.units, watts: fleet.asic.powerW)
            let later = fleet.refresh.map { kind.racks(units: $0.units, watts: $0.asic.powerW) } ?? 0
            positions[h] += max(first, later)
            parts[h].append("\(count(max(first, later))) for mining[\(f)]'s shelves")
        }
        for (i, lease) in s.colocation.enumerated() {
            guard let h = s.site.hallIndex(named: lease.hall) else { continue }
            let n = halls[h].rackKind.racks(itMW: lease.criticalITMW)
            positions[h] += n
            parts[h].append("\(count(n)) for colocation[\(i)]")
        }
        for (h, hall) in halls.enumerated() where positions[h] > hall.racks {
            report(
                "site.halls[\(h)].racks", "\(hall.racks)",
                "hall \(hall.name) needs \(count(positions[h])) rack positions of \(hall.kWPerRack) kW (\(parts[h].joined(separator: ", ")))")
        }
        // Conversions, in order (the retirement order of the site model: the hall's
        // fleets in order); every size is checked for its racks, and the next block in
        // the hall sees the fewest free positions any size leaves. Placement domains
        // are built at the sizes simulate and risk use (the first).
        var free = halls.indices.map { halls[$0].racks - positions[$0] }
        for (i, c) in s.conversions.enumerated() {
            guard let h = s.site.hallIndex(named: c.hall) else { continue }
            let kind = c.racks ?? halls[h].rackKind
            let kindPath = c.racks == nil ? "conversions[\(i)].hall" : "conversions[\(i)].racks.kWPerRack"
            let kindValue = c.racks == nil ? c.hall : "\(kind.kWPerRack)"
            let kindText = c.racks == nil ? "hall \(c.hall)'s racks (\(kind.kWPerRack) kW; give the block racks: {cooling, kWPerRack} of its own)" : "the conversion's racks (\(kind.kWPerRack) kW)"
            let sizes = (c.sizeOptions.isEmpty ? [c.megawatts] : c.sizeOptions).sorted()
            var fewestFreeAfter = Int.max
            var unitsAtLargest = units
            for size in sizes {
                // Rack positions the retired shelves free.
                var toFree = size
                var left = units
                var freed = 0
                for (f, fleet) in s.mining.enumerated() where fleet.hall == c.hall && left[f] > 0 && toFree > 1e-9 {
                    let perUnit = fleet.asic.powerW * halls[h].pue / 1e6
                    let retired = min(left[f], Int((toFree / perUnit).rounded(.up)))
                    freed += halls[h].rackKind.racks(units: left[f], watts: fleet.asic.powerW)
                        - halls[h].rackKind.racks(units: left[f] - retired, watts: fleet.asic.powerW)
                    left[f] -= retired
                    toFree -= Double(retired) * perUnit
                }
                let block = c.resized(to: size)
                let needed: Int
                let what: String
                switch block.target {
                case .gpuCloud(let gpus):
                    guard let racks = gpuRacks, cloudFits else { continue }
                    if racks.serversPerRack(kind) < 1 {
                        report(kindPath, kindValue, "one \(cloud!.gpu.name) server (\(racks.serverKW) kW) does not fit \(kindText)")
                        needed = 0
                        what = ""
                    } else {
                        needed = racks.racksNeeded(gpus: gpus, kind: kind)
                        what = "its \(gpus) GPUs (\(racks.serversPerRack(kind)) server\(racks.serversPerRack(kind) == 1 ? "" : "s") a rack)"
                    }
                case .colocation:
                    needed = kind.racks(itMW: block.criticalITMW)
                    what = "its tenant's \(String(format: "%.3f", block.criticalITMW)) MW of IT"
                }
                let available = max(0, free[h] + freed)
                if needed > available {
                    report(
                        kindPath, kindValue,
                        "at \(sizeText(size)) the conversion needs \(needed) racks of \(kind.kWPerRack) kW for \(what), but \(available == 0 ? "no" : "only \(available)") rack position\(available == 1 ? " is" : "s are") free in hall \(c.hall) once its miners are retired (\(freed) freed by them): give denser racks (racks.kWPerRack) or more positions (site.halls[\(h)].racks)")
                }
                fewestFreeAfter = min(fewestFreeAfter, free[h] + freed - min(needed, available))
                if size == sizes.last! { unitsAtLargest = left }
            }
            if fewestFreeAfter != Int.max { free[h] = fewestFreeAfter }
            units = unitsAtLargest
            if case .gpuCloud(let gpus) = c.target, cloudFits {
                gpuRacks?.install(gpus: gpus, hall: h, pue: c.newPUE, kind: kind)
            }
        }
        // Whole servers: GPUs come in whole servers.
        if let cloud, cloud.placement.wholeServers {
            let per = max(1, cloud.gpu.gpusPerServer)
            if cloud.gpus % per != 0 {
                report("gpuCloud.gpus", "\(cloud.gpus)", "must be a whole number of \(per)-GPU servers with placement.wholeServers")
            }
            for (i, c) in s.conversions.enumerated() {
                for size in c.sizeOptions.isEmpty ? [c.megawatts] : c.sizeOptions {
                    if case .gpuCloud(let gpus) = c.resized(to: size).target, gpus % per != 0 {
                        report(
                            "conversions[\(i)].target.gpuCloud.gpus", "\(gpus) at \(sizeText(size))",
                            "must be a whole number of \(per)-GPU servers with gpuCloud.placement.wholeServers (GPUs scale with the size, rounded down)")
                    }
                }
            }
        }
        // Placement: the largest job fits the largest domain the cloud will have.
        if let cloud, let racks = gpuRacks, cloudFits, s.site.hallIndex(named: cloud.hall) != nil {
            if cloud.placement.domain != .cloud {
                let per = max(1, cloud.gpu.gpusPerServer)
                var largestJob: Int
                switch cloud.demand {
                case .poisson(_, let sizes, _, _): largestJob = sizes.max() ?? 0
                case .trace(_, let jobs): largestJob = jobs.map(\.gpus).max() ?? 0
                }
                let ownGPUs = largestJob
                if cloud.placement.wholeServers { largestJob = largestJob / per * per + (largestJob % per == 0 ? 0 : per) }
                if largestJob > racks.largestDomain {
                    report(
                        "gpuCloud.placement.domain", cloud.placement.domain.name,
                        "a job needs \(largestJob) GPUs\(largestJob != ownGPUs ? " (\(ownGPUs), in whole \(per)-GPU servers)" : "") but the largest \(cloud.placement.domain.name) will hold \(racks.largestDomain) at the sizes simulate and risk use (\(cloud.gpu.gpusPerServer) GPUs a server, servers a rack by its kW\(cloud.placement.serversPerRack.map { ", at most \($0)" } ?? "")); it would wait forever: a larger domain, or smaller jobs")
                }
            }
        }
    }
}

private func sizeText(_ x: Double) -> String { x == x.rounded() ? "\(Int(x)) MW" : "\(x) MW" }
