// swift-tools-version: 6.0
// Switchyard — capacity planning for power-constrained compute sites.
// SPDX-License-Identifier: GPL-3.0-or-later

import PackageDescription

let strictSwift: [SwiftSetting] = [
    .enableUpcomingFeature("InternalImportsByDefault"),
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "Switchyard",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "switchyard", targets: ["switchyard"]),
        .library(name: "SwitchyardEngine", targets: ["SwitchyardEngine"]),
        .library(name: "SwitchyardStochastic", targets: ["SwitchyardStochastic"]),
        .library(name: "SwitchyardModel", targets: ["SwitchyardModel"]),
        .library(name: "SwitchyardRisk", targets: ["SwitchyardRisk"]),
        .library(name: "SwitchyardPlanner", targets: ["SwitchyardPlanner"]),
        .library(name: "SwitchyardReport", targets: ["SwitchyardReport"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
    ],
    targets: [
        // MARK: - System libraries (shim headers only; not API)
        .systemLibrary(
            name: "CGSL",
            path: "Sources/CGSL",
            pkgConfig: "gsl",
            providers: [.apt(["libgsl-dev"]), .brew(["gsl"])]
        ),
        .systemLibrary(
            name: "CXLSXWriter",
            path: "Sources/CXLSXWriter",
            pkgConfig: "xlsxwriter",
            providers: [.apt(["libxlsxwriter-dev"]), .brew(["libxlsxwriter"])]
        ),

        // MARK: - C kernels (vector code picked at run time; not API)
        .target(
            name: "CSwitchyardKernels",
            path: "Sources/CSwitchyardKernels"
        ),

        // MARK: - Public API
        .target(
            name: "SwitchyardEngine",
            swiftSettings: strictSwift
        ),
        .target(
            name: "SwitchyardStochastic",
            dependencies: ["CGSL", "CSwitchyardKernels"],
            swiftSettings: strictSwift
        ),
        .target(
            name: "SwitchyardModel",
            dependencies: ["SwitchyardEngine", "SwitchyardStochastic", "Yams"],
            swiftSettings: strictSwift
        ),
        .target(
            name: "SwitchyardRisk",
            dependencies: ["SwitchyardModel", "SwitchyardStochastic"],
            swiftSettings: strictSwift
        ),
        .target(
            name: "SwitchyardPlanner",
            dependencies: ["SwitchyardModel", "SwitchyardRisk", "SwitchyardStochastic"],
            swiftSettings: strictSwift
        ),
        .target(
            name: "SwitchyardReport",
            dependencies: [
                "CXLSXWriter", "SwitchyardModel", "SwitchyardRisk",
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ],
            swiftSettings: strictSwift
        ),
        .executableTarget(
            name: "switchyard",
            dependencies: [
                "SwitchyardEngine",
                "SwitchyardStochastic",
                "SwitchyardModel",
                "SwitchyardRisk",
                "SwitchyardPlanner",
                "SwitchyardReport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSwift
        ),

        // MARK: - Examples
        .target(
            name: "MMcQueue",
            dependencies: ["SwitchyardEngine"],
            path: "Examples/MMcQueue",
            swiftSettings: strictSwift
        ),

        // MARK: - Benchmarks (run with `swift run -c release switchyard-bench`)
        .executableTarget(
            name: "switchyard-bench",
            dependencies: ["SwitchyardEngine", "SwitchyardStochastic", "SwitchyardModel", "SwitchyardRisk", "SwitchyardPlanner", "MMcQueue"],
            path: "Benchmarks/switchyard-bench",
            swiftSettings: strictSwift
        ),

        // MARK: - Unit test bundles
        .target(
            name: "SwitchyardTestSupport",
            path: "Tests/SwitchyardTestSupport",
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "SwitchyardEngineTests",
            dependencies: ["SwitchyardEngine", "MMcQueue", "SwitchyardTestSupport"],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "SwitchyardStochasticTests",
            dependencies: ["SwitchyardStochastic", "SwitchyardTestSupport"],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "SwitchyardModelTests",
            dependencies: ["SwitchyardModel", "SwitchyardEngine", "SwitchyardStochastic", "SwitchyardTestSupport"],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "SwitchyardRiskTests",
            dependencies: ["SwitchyardRisk", "SwitchyardModel", "SwitchyardStochastic", "SwitchyardReport", "SwitchyardTestSupport"],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "SwitchyardPlannerTests",
            dependencies: ["SwitchyardPlanner", "SwitchyardStochastic", "SwitchyardTestSupport"],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "SwitchyardCLITests",
            dependencies: ["switchyard", "SwitchyardModel", .product(name: "Yams", package: "Yams")],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "SwitchyardReportTests",
            dependencies: ["SwitchyardReport"],
            swiftSettings: strictSwift
        ),
    ],
    swiftLanguageModes: [.v6]
)
