// SPDX-License-Identifier: GPL-3.0-or-later

/// The GPU cloud's racks and where each running job's GPUs are.
///
/// GPUs come in servers of `gpusPerServer`; a rack holds as many servers as its kW
/// allow (``RackKind/perRack(watts:cap:)``, at most `serversPerRack`). Each batch of
/// GPUs (the cloud's first, then each conversion's) fills racks of its own kind in its
/// hall, server by server, the last rack possibly part full. A job's GPUs must all be
/// in one placement domain: the whole cloud, a hall, a rack, or a pod of consecutive
/// racks of one batch. Within a domain a job takes free GPUs rack by rack, in order.
public struct GPURacks: Hashable, Sendable {
    public struct Rack: Hashable, Sendable {
        public var hall: Int
        /// PUE of the rack's power (its hall's, or its conversion's `newPUE`).
        public var pue: Double
        public var domain: Int
        public var servers: Int
        public var gpus: Int
        public var free: Int
        public var kWPerRack: Double
    }

    /// GPUs a job holds on one rack.
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
    public private(set) var domainFree: [Int] = []
    public private(set) var domainGPUs: [Int] = []
    public private(set) var totalFree = 0
    public private(set) var installed = 0

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
    /// racks it takes (0 if a server does not fit one: the validator refuses that).
    @discardableResult
    public mutating func install(gpus: Int, hall: Int, pue: Double, kind: RackKind) -> Int {
        let perRack = serversPerRack(kind)
        guard perRack > 0, gpus > 0 else { return 0 }
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
            racks.append(Rack(hall: hall, pue: pue, domain: domain, servers: servers, gpus: g, free: g, kWPerRack: kind.kWPerRack))
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

    /// Takes `gpus` free GPUs in `domain` (nil: anywhere), rack by rack in order.
    /// The caller has checked that they are free there.
    public mutating func take(_ gpus: Int, in domain: Int?) -> [Share] {
        var shares: [Share] = []
        var left = gpus
        for r in racks.indices where left > 0 && racks[r].free > 0 && (domain == nil || racks[r].domain == domain) {
            let g = min(left, racks[r].free)
            racks[r].free -= g
            domainFree[racks[r].domain] -= g
            left -= g
            shares.append(Share(rack: r, gpus: g))
        }
        totalFree -= gpus - left
        return shares
    }

    /// Gives back what a job held.
    public mutating func give(_ shares: [Share]) {
        for share in shares {
            racks[share.rack].free += share.gpus
            domainFree[racks[share.rack].domain] += share.gpus
            totalFree += share.gpus
        }
    }

    /// Facility MW a job's GPUs draw in each hall they are in, in hall order: per hall,
    /// GPUs x W per GPU x PUE summed over the PUEs of its racks (one PUE: exactly
    /// gpus x W x PUE / 1e6).
    public func power(of shares: [Share], wattsPerGPU: Double) -> [(hall: Int, mw: Double)] {
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
