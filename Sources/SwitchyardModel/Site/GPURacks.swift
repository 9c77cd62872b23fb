// SPDX-License-Identifier: GPL-3.0-or-later

/// The GPU cloud's racks and where each running job's GPUs are.
///
/// GPUs come in servers of `gpusPerServer`; a rack holds as many servers as its kW
/// allow (``RackKind/perRack(watts:cap:)``, at most `serversPerRack`). Each batch of
/// GPUs (the cloud's first, then each conversion's) fills racks of its own kind in its
/// hall, server by server, the last rack possibly part full. A job's GPUs must all be
/// in one placement domain: the whole cloud, a hall, a rack, or a pod of consecutive
/// racks of one batch. Within a domain a job takes free GPUs rack by rack, in order.
///
/// Unconstrained placement (the whole cloud one domain) needs no rack: a job's GPUs are
/// counted by group (the racks of one hall at one PUE), which is all its power needs.
public struct GPURacks: Hashable, Sendable {
    /// The racks of one hall at one PUE.
    public struct Group: Hashable, Sendable {
        public var hall: Int
        public var pue: Double
        public var gpus: Int
        public var free: Int
    }

    public struct Rack: Hashable, Sendable {
        public var hall: Int
        /// PUE of the rack's power (its hall's, or its conversion's `newPUE`).
        public var pue: Double
        public var domain: Int
        public var group: Int
        public var servers: Int
        public var gpus: Int
        public var free: Int
        public var kWPerRack: Double
    }

    /// GPUs a job holds on one rack (or, with unconstrained placement, in one group).
    public struct Share: Hashable, Sendable {
        public var rack: Int
        public var gpus: Int
    }

    public let gpusPerServer: Int
    /// kW of one server at full load.
    public let serverKW: Double
    public let serversPerRackCap: Int?
    public let domainKind: GPUCloud.Placement.Domain
    public let policy: GPUCloud.Placement.Policy
    public private(set) var racks: [Rack] = []
    public private(set) var groups: [Group] = []
    public private(set) var domainFree: [Int] = []
    public private(set) var domainGPUs: [Int] = []
    public private(set) var totalFree = 0
    public private(set) var installed = 0
    /// No rack before this one has a free GPU (where a search for free GPUs starts).
    var firstFree = 0

    /// No cloud: no racks.
    public init() {
        gpusPerServer = 1
        serverKW = 0
        serversPerRackCap = nil
        domainKind = .cloud
        policy = .firstFit
    }

    public init(cloud: GPUCloud) {
        gpusPerServer = max(1, cloud.gpu.gpusPerServer)
        serverKW = cloud.gpu.serverPowerWPerGPU * Double(max(1, cloud.gpu.gpusPerServer)) / 1_000
        serversPerRackCap = cloud.placement.serversPerRack
        domainKind = cloud.placement.domain
        policy = cloud.placement.policy
    }

    /// Servers a rack of `kind` holds (0: a server does not fit).
    public func serversPerRack(_ kind: RackKind) -> Int { kind.perRack(watts: serverKW * 1_000, cap: serversPerRackCap) }

    /// Racks `gpus` GPUs take on racks of `kind` (Int.max when a server does not fit).
    public func racksNeeded(gpus: Int, kind: RackKind) -> Int {
        kind.racks(units: (gpus + gpusPerServer - 1) / gpusPerServer, watts: serverKW * 1_000, cap: serversPerRackCap)
    }

    /// Installs a batch of GPUs in hall `hall` on new racks of `kind`; returns the
    /// racks it takes. (A server that does not fit a rack, which the validator refuses,
    /// still gets one: the GPUs exist; ``overloadedRacks(wattsPerGPU:)`` reports it.)
    /// With unconstrained placement the racks are counted, not listed: only the group's
    /// GPUs matter then.
    @discardableResult
    public mutating func install(gpus: Int, hall: Int, pue: Double, kind: RackKind) -> Int {
        let perRack = max(1, serversPerRack(kind))
        guard gpus > 0 else { return 0 }
        let group = groups.firstIndex { $0.hall == hall && $0.pue == pue } ?? groups.count
        if group == groups.count { groups.append(Group(hall: hall, pue: pue, gpus: 0, free: 0)) }
        groups[group].gpus += gpus
        groups[group].free += gpus
        if domainKind == .cloud {
            if domainGPUs.isEmpty {
                domainGPUs.append(0)
                domainFree.append(0)
            }
            domainGPUs[0] += gpus
            domainFree[0] += gpus
            totalFree += gpus
            installed += gpus
            return ((gpus + gpusPerServer - 1) / gpusPerServer + perRack - 1) / perRack
        }
        var left = gpus
        var inBatch = 0
        var podDomain = -1
        while left > 0 {
            let g = min(left, perRack * gpusPerServer)
            let servers = (g + gpusPerServer - 1) / gpusPerServer
            let domain: Int
            switch domainKind {
            case .cloud: domain = 0
            case .hall: domain = hall
            case .rack: domain = domainGPUs.count
            case .pod(let n):
                if inBatch % max(1, n) == 0 { podDomain = domainGPUs.count }
                domain = podDomain
            }
            while domainGPUs.count <= domain {
                domainGPUs.append(0)
                domainFree.append(0)
            }
            racks.append(Rack(hall: hall, pue: pue, domain: domain, group: group, servers: servers, gpus: g, free: g, kWPerRack: kind.kWPerRack))
            domainGPUs[domain] += g
            domainFree[domain] += g
            left -= g
            inBatch += 1
        }
        totalFree += gpus
        installed += gpus
        return inBatch
    }

    /// The domain a job of `gpus` GPUs goes to now under the policy (nil: none has room).
    public func domain(for gpus: Int) -> Int? {
        var best: Int?
        for d in domainFree.indices where domainFree[d] >= gpus {
            switch policy {
            case .firstFit: return d
            case .bestFit: if best == nil || domainFree[d] < domainFree[best!] { best = d }
            }
        }
        return best
    }

    /// The most GPUs one domain has (free or not): the largest job that can ever run now.
    public var largestDomain: Int { domainGPUs.max() ?? 0 }

    /// Takes `gpus` free GPUs in `domain` (nil: anywhere), rack by rack in order, and
    /// appends where they are to `shares`; returns how many shares it appended. The
    /// caller has checked that they are free there.
    @discardableResult
    public mutating func take(_ gpus: Int, in domain: Int?, into shares: inout [Share]) -> Int {
        var left = gpus
        var count = 0
        while firstFree < racks.count && racks[firstFree].free == 0 { firstFree += 1 }
        var r = firstFree
        while left > 0 && r < racks.count {
            defer { r += 1 }
            guard racks[r].free > 0 && (domain == nil || racks[r].domain == domain) else { continue }
            let g = min(left, racks[r].free)
            racks[r].free -= g
            domainFree[racks[r].domain] -= g
            groups[racks[r].group].free -= g
            left -= g
            shares.append(Share(rack: r, gpus: g))
            count += 1
        }
        totalFree -= gpus - left
        return count
    }

    /// Gives back what a job held.
    public mutating func give(_ shares: ArraySlice<Share>) {
        for share in shares {
            firstFree = min(firstFree, share.rack)
            racks[share.rack].free += share.gpus
            domainFree[racks[share.rack].domain] += share.gpus
            groups[racks[share.rack].group].free += share.gpus
            totalFree += share.gpus
        }
    }

    /// Unconstrained placement: takes `gpus` free GPUs group by group. With one group
    /// (the common case) returns it and appends nothing; otherwise appends a share per
    /// group used (`rack` is then the group) to `shares` and returns nil.
    public mutating func takeFromGroups(_ gpus: Int, into shares: inout [Share]) -> Int? {
        totalFree -= gpus
        if groups.count == 1 {
            groups[0].free -= gpus
            domainFree[0] -= gpus
            return 0
        }
        var left = gpus
        for g in groups.indices where left > 0 && groups[g].free > 0 {
            let n = min(left, groups[g].free)
            groups[g].free -= n
            left -= n
            shares.append(Share(rack: g, gpus: n))
        }
        domainFree[0] -= gpus
        return nil
    }

    /// Gives back GPUs taken by ``takeFromGroups(_:into:)``.
    public mutating func giveToGroups(_ shares: ArraySlice<Share>) {
        for share in shares {
            groups[share.rack].free += share.gpus
            domainFree[0] += share.gpus
            totalFree += share.gpus
        }
    }

    /// Gives back `gpus` GPUs taken from group `group`.
    public mutating func giveToGroup(_ group: Int, gpus: Int) {
        groups[group].free += gpus
        domainFree[0] += gpus
        totalFree += gpus
    }

    /// Facility MW of `gpus` GPUs of group `group`.
    @inline(__always) public func power(ofGroup group: Int, gpus: Int, wattsPerGPU: Double) -> Double {
        Double(gpus) * wattsPerGPU * groups[group].pue / 1e6
    }

    /// Facility MW by hall of GPUs counted by group (shares from ``takeFromGroups(_:into:)``).
    public func power(ofGroups shares: ArraySlice<Share>, wattsPerGPU: Double) -> [(hall: Int, mw: Double)] {
        var result: [(hall: Int, mw: Double)] = []
        for share in shares {
            let group = groups[share.rack]
            let mw = Double(share.gpus) * wattsPerGPU * group.pue / 1e6
            if let i = result.firstIndex(where: { $0.hall == group.hall }) { result[i].mw += mw } else { result.append((group.hall, mw)) }
        }
        return result
    }

    /// Facility MW a job's GPUs draw in each hall they are in, in hall order: per hall,
    /// GPUs x W per GPU x PUE summed over the PUEs of its racks (one PUE: exactly
    /// gpus x W x PUE / 1e6).
    public func power(of shares: ArraySlice<Share>, wattsPerGPU: Double) -> [(hall: Int, mw: Double)] {
        // The common case: every share in one hall at one PUE.
        if let first = shares.first {
            let rack = racks[first.rack]
            var gpus = 0
            var same = true
            for share in shares {
                if racks[share.rack].hall != rack.hall || racks[share.rack].pue != rack.pue {
                    same = false
                    break
                }
                gpus += share.gpus
            }
            if same { return [(rack.hall, Double(gpus) * wattsPerGPU * rack.pue / 1e6)] }
        }
        return powerByHall(of: shares, wattsPerGPU: wattsPerGPU)
    }

    /// ``power(of:wattsPerGPU:)`` when the shares span halls or PUEs.
    func powerByHall(of shares: ArraySlice<Share>, wattsPerGPU: Double) -> [(hall: Int, mw: Double)] {
        var byHallPUE: [(hall: Int, pue: Double, gpus: Int)] = []
        for share in shares {
            let rack = racks[share.rack]
            if let i = byHallPUE.firstIndex(where: { $0.hall == rack.hall && $0.pue == rack.pue }) {
                byHallPUE[i].gpus += share.gpus
            } else {
                byHallPUE.append((rack.hall, rack.pue, share.gpus))
            }
        }
        var result: [(hall: Int, mw: Double)] = []
        for part in byHallPUE.sorted(by: { ($0.hall, $0.pue) < ($1.hall, $1.pue) }) {
            let mw = Double(part.gpus) * wattsPerGPU * part.pue / 1e6
            if let i = result.firstIndex(where: { $0.hall == part.hall }) { result[i].mw += mw } else { result.append((part.hall, mw)) }
        }
        return result
    }

    /// Racks whose servers or busy GPUs draw more than the rack's kW (for the invariant
    /// tests): empty when every rack is within its kW.
    public func overloadedRacks(wattsPerGPU: Double) -> [Int] {
        racks.indices.filter { r in
            let rack = racks[r]
            let serversKW = Double(rack.servers) * serverKW
            let busyKW = Double(rack.gpus - rack.free) * wattsPerGPU / 1_000
            return serversKW > rack.kWPerRack * (1 + 1e-9) || busyKW > rack.kWPerRack * (1 + 1e-9) || rack.free < 0
                || rack.free > rack.gpus
        }
    }
}
