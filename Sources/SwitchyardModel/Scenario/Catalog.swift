// SPDX-License-Identifier: GPL-3.0-or-later

/// An ASIC miner model (Models/catalog/asics.yaml).
public struct ASICModel: Hashable, Sendable {
    public var name: String
    public var hashrateTHs: Double
    public var powerW: Double
    public var priceUSD: Double
    /// Joules per terahash: W / (TH/s).
    public var efficiencyJPerTH: Double { powerW / hashrateTHs }
}

/// A GPU model (Models/catalog/gpus.yaml).
public struct GPUModel: Hashable, Sendable {
    public var name: String
    /// Power of one GPU's share of its server at full load, W (server kW / GPUs per server).
    public var serverPowerWPerGPU: Double
    public var gpusPerServer: Int
    public var priceUSD: Double
    public var lifetimeYears: Double
}

/// The hardware catalogue scenarios refer to by name.
public struct Catalog: Hashable, Sendable {
    public var asics: [String: ASICModel]
    public var gpus: [String: GPUModel]

    public init(asics: [ASICModel], gpus: [GPUModel]) {
        self.asics = Dictionary(asics.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.gpus = Dictionary(gpus.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    }
}
