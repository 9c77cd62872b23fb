// SPDX-License-Identifier: GPL-3.0-or-later

import Foundation
import SwitchyardModel
import Testing

/// A small valid scenario; each invalid case below changes one thing in it.
let validYAML = """
    name: Test site
    startMonth: 2025-01
    horizonMonths: 24
    discountRatePerYear: 0.1
    site:
      interconnectMW: 30
      halls:
        - name: A
          cooling: air
          pue: 1.1
          powerMW: 20
          racks: 500
          kWPerRack: 40
        - name: B
          cooling: liquid
          pue: 1.2
          powerMW: 10
          racks: 100
          kWPerRack: 100
    electricity:
      ppaShare: 0.5
      ppaPriceUSDPerMWh: 30
      market:
        basePriceUSDPerMWh: 40
        meanReversionPerYear: 100
        volatility: 1.0
    bitcoin:
      price:
        model: gbm
        initialUSD: 90000
        drift: 0.1
        volatility: 0.5
      fees:
        btcPerBlock: 0.1
      network:
        initialBlockHeight: 875000
        initialHashrateEHs: 800
    mining:
      - hall: A
        asic: Antminer S21
        units: 5000
    gpuCloud:
      hall: B
      gpu: H100 SXM
      gpus: 512
      scheduler: fifo
      price:
        initialUSDPerGPUHour: 2.5
        floorUSDPerGPUHour: 1.5
      demand:
        jobsPerDay: 4
        gpusPerJob: [8, 64]
        meanHours: 24
        sdHours: 12
    conversions:
      - hall: A
        megawatts: 5
        startMonth: 3
        leadTimeMonths: 6
        capexUSDPerMW: 8000000
        newPUE: 1.25
        target:
          colocation:
            priceUSDPerKWMonth: 120
            termMonths: 120
    """

struct InvalidCase: Sendable, CustomTestStringConvertible {
    var name: String
    var replace: String
    var with: String
    /// Substrings the message must contain (path, value, rule).
    var expected: [String]
    /// Further replacements, for mistakes that need two edits.
    var more: [String: String] = [:]
    var testDescription: String { name }
}

struct ScenarioLoaderTests {
    func load(_ text: String) throws(ScenarioError) -> Scenario {
        try ScenarioLoader.load(yaml: text, file: "test.yaml", baseDirectory: nil)
    }

    @Test("The valid base scenario and the built-in reference sites load")
    func validScenariosLoad() throws {
        let s = try load(validYAML)
        #expect(s.site.halls.count == 2 && s.mining[0].asic.hashrateTHs == 200)
        for name in ScenarioLoader.builtinScenarioNames {
            let builtin = try ScenarioLoader.builtin(name)
            #expect(!builtin.site.halls.isEmpty)
        }
        #expect(ScenarioLoader.builtinScenarioNames == ["small-miner-20mw", "texas-200mw"])
    }

    @Test("The embedded copies of Models/ are up to date (run scripts/embed-models.sh)")
    func embeddedFilesMatchModels() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        for name in ScenarioLoader.builtinScenarioNames {
            let fromDisk = try ScenarioLoader.load(path: root.appendingPathComponent("Models/\(name).yaml").path)
            var builtin = try ScenarioLoader.builtin(name)
            builtin.name = fromDisk.name
            #expect(builtin == fromDisk, "\(name): Models/\(name).yaml differs from the embedded copy")
        }
        let catalog = try ScenarioLoader.loadCatalog(directory: root.appendingPathComponent("Models/catalog").path)
        #expect(catalog == (try ScenarioLoader.builtinCatalog()))
    }

    static let invalid: [InvalidCase] = [
        InvalidCase(name: "malformed YAML", replace: "  interconnectMW: 30", with: "  interconnectMW: [30", expected: ["test.yaml", "not valid YAML"]),
        InvalidCase(name: "unknown key with a suggestion", replace: "horizonMonths: 24", with: "horizonMonth: 24", expected: ["horizonMonth", "unknown key (did you mean 'horizonMonths'?)"]),
        InvalidCase(name: "wrong type", replace: "interconnectMW: 30", with: "interconnectMW: lots", expected: ["site.interconnectMW = lots", "must be a number"]),
        InvalidCase(name: "negative megawatts", replace: "powerMW: 20", with: "powerMW: -5", expected: ["test.yaml:11", "site.halls[0].powerMW = -5", "must be between 0.001 and 100000.0"]),
        InvalidCase(name: "NaN", replace: "volatility: 0.5", with: "volatility: .nan", expected: ["bitcoin.price.volatility = .nan", "must be a finite number"]),
        InvalidCase(name: "missing required field", replace: "    initialUSD: 90000\n", with: "", expected: ["bitcoin.price.initialUSD", "is required"]),
        InvalidCase(name: "halls exceed the interconnect", replace: "interconnectMW: 30", with: "interconnectMW: 25", expected: ["test.yaml:8: site.halls", "exceeds site.interconnectMW (25.000 MW)"]),
        InvalidCase(name: "fleet larger than its hall", replace: "units: 5000", with: "units: 6000", expected: ["site.halls[0].powerMW = 20.0", "less than what is placed in hall A"]),
        InvalidCase(name: "unknown ASIC", replace: "asic: Antminer S21", with: "asic: Antminer S21X", expected: ["mining[0].asic = Antminer S21X", "not in the ASIC catalogue (did you mean"]),
        InvalidCase(name: "unknown hall reference", replace: "  - hall: A\n    asic", with: "  - hall: C\n    asic", expected: ["mining[0].hall = C", "no hall of that name"]),
        InvalidCase(name: "share out of range", replace: "ppaShare: 0.5", with: "ppaShare: 1.5", expected: ["electricity.ppaShare = 1.5", "must be between 0 and 1"]),
        InvalidCase(name: "unknown choice", replace: "scheduler: fifo", with: "scheduler: lifo", expected: ["gpuCloud.scheduler = lifo", "must be one of: fifo, backfill, priority"]),
        InvalidCase(name: "conversion larger than the mining left", replace: "megawatts: 5", with: "megawatts: 50", expected: ["test.yaml:57: conversions[0].megawatts = 50.0", "more than the mining power left in hall A"]),
        InvalidCase(name: "conversion after the horizon", replace: "startMonth: 3", with: "startMonth: 30", expected: ["conversions[0].startMonth = 30", "after the horizon"]),
        InvalidCase(name: "horizon out of range", replace: "horizonMonths: 24", with: "horizonMonths: 0", expected: ["horizonMonths = 0", "must be between 1"]),
        InvalidCase(name: "bad start month", replace: "startMonth: 2025-01", with: "startMonth: 2025-13", expected: ["startMonth = 2025-13", "YYYY-MM"]),
        InvalidCase(name: "duplicate hall names", replace: "    - name: B", with: "    - name: A", expected: ["site.halls[1].name = A", "duplicate hall name"]),
        InvalidCase(name: "a job larger than the cloud", replace: "gpusPerJob: [8, 64]", with: "gpusPerJob: [8, 1024]", expected: ["gpuCloud.demand = 1024 GPUs", "wait forever"]),
        InvalidCase(name: "too few racks", replace: "racks: 500", with: "racks: 50", expected: ["test.yaml:12: site.halls[0].racks = 50", "cannot hold the hall's IT load"]),
        InvalidCase(
            name: "GPU servers do not fit the racks", replace: "racks: 100\n      kWPerRack: 100",
            with: "racks: 420\n      kWPerRack: 20", expected: ["site.halls[1].racks = 420", "hall B needs 438 rack positions of 20.0 kW (438 for 3500 GPUs (1 server a rack))"],
            more: ["gpus: 512": "gpus: 3500"]),
        InvalidCase(name: "a GPU server larger than a rack", replace: "kWPerRack: 100", with: "kWPerRack: 9", expected: ["site.halls[1].kWPerRack = 9.0", "does not fit a rack of hall B"]),
        InvalidCase(name: "floor above the initial GPU price", replace: "floorUSDPerGPUHour: 1.5", with: "floorUSDPerGPUHour: 3", expected: ["gpuCloud.price.floorUSDPerGPUHour", "must not exceed"]),
        InvalidCase(name: "duplicate key", replace: "horizonMonths: 24", with: "horizonMonths: 24\nhorizonMonths: 36", expected: ["horizonMonths", "duplicate key"]),
        InvalidCase(name: "an empty size list", replace: "megawatts: 5", with: "megawatts: []", expected: ["conversions[0].megawatts", "lists 1 to 8 sizes"]),
        InvalidCase(name: "a size listed twice", replace: "megawatts: 5", with: "megawatts: [5, 2, 5]", expected: ["conversions[0].megawatts", "lists a size twice"]),
        InvalidCase(name: "a negative size", replace: "megawatts: 5", with: "megawatts: [5, -1]", expected: ["test.yaml:57", "conversions[0].megawatts[1] = -1", "must be between 0.001"]),
        InvalidCase(
            name: "the largest size larger than the mining left", replace: "megawatts: 5", with: "megawatts: [5, 50]",
            expected: ["conversions[0].megawatts = [5.0, 50.0]", "more than the mining power left in hall A", "at the largest size"]),
        InvalidCase(
            name: "a job larger than the largest rack", replace: "  scheduler: fifo\n", with: "  scheduler: fifo\n  placement:\n    domain: rack\n",
            expected: ["test.yaml:48: gpuCloud.placement.domain = rack", "a job needs 128 GPUs but the largest rack will hold 72", "wait forever"],
            more: ["gpusPerJob: [8, 64]": "gpusPerJob: [8, 128]"]),
        InvalidCase(
            name: "podRacks without domain: pod", replace: "  scheduler: fifo\n", with: "  scheduler: fifo\n  placement:\n    domain: rack\n    podRacks: 2\n",
            expected: ["test.yaml:49: gpuCloud.placement.podRacks", "applies only with domain: pod"]),
        InvalidCase(
            name: "unknown placement domain", replace: "  scheduler: fifo\n", with: "  scheduler: fifo\n  placement:\n    domain: node\n",
            expected: ["test.yaml:48: gpuCloud.placement.domain = node", "must be one of: cloud, hall, rack, pod"]),
        InvalidCase(
            name: "a conversion's racks do not fit the positions it frees", replace: "    newPUE: 1.25\n",
            with: "    newPUE: 1.25\n    racks:\n      cooling: air\n      kWPerRack: 1\n",
            expected: ["test.yaml:64: conversions[0].racks.kWPerRack = 1.0", "the conversion needs 4000 racks of 1.0 kW", "only 163 rack positions are free in hall A"]),
        InvalidCase(
            name: "an ASIC larger than a rack", replace: "racks: 500\n      kWPerRack: 40", with: "racks: 10000\n      kWPerRack: 3",
            expected: ["test.yaml:40: mining[0].asic = Antminer S21", "does not fit a rack of hall A (kWPerRack 3.0)"]),
        InvalidCase(
            name: "whole servers with GPUs not in whole servers", replace: "  scheduler: fifo\n", with: "  scheduler: fifo\n  placement:\n    wholeServers: true\n",
            expected: ["test.yaml:45: gpuCloud.gpus = 500", "must be a whole number of 8-GPU servers"], more: ["gpus: 512": "gpus: 500"]),
        InvalidCase(name: "a list where a mapping belongs", replace: "  fees:\n    btcPerBlock: 0.1", with: "  fees: [0.1]", expected: ["bitcoin.fees = [...]", "must be a mapping"]),
    ]

    @Test("Each kind of mistake gives its message with file, field, value and rule", arguments: invalid)
    func invalidScenario(_ c: InvalidCase) {
        #expect(validYAML.contains(c.replace), "the case no longer applies to the base scenario")
        var text = validYAML.replacingOccurrences(of: c.replace, with: c.with)
        for (old, new) in c.more {
            #expect(text.contains(old))
            text = text.replacingOccurrences(of: old, with: new)
        }
        let error = #expect(throws: ScenarioError.self) { try load(text) }
        let message = error?.description ?? ""
        for fragment in c.expected {
            #expect(message.contains(fragment), "missing '\(fragment)' in:\n\(message)")
        }
    }

    @Test("A block may list the sizes the planner chooses from: the first is the size simulate and risk use; they survive export")
    func sizeOptions() throws {
        let s = try load(validYAML.replacingOccurrences(of: "megawatts: 5", with: "megawatts: [5, 2, 8]"))
        #expect(s.conversions[0].megawatts == 5)
        #expect(s.conversions[0].sizeOptions == [5, 2, 8])
        let again = try load(try ScenarioExport.yaml(s))
        #expect(again == s)
        // A one-item list is a fixed size.
        #expect(try load(validYAML.replacingOccurrences(of: "megawatts: 5", with: "megawatts: [4]")).conversions[0].sizeOptions == [])
        // Every combination is searched: at most 64.
        let block = "  - hall: A\n    megawatts: [1, 2, 3, 4, 5]\n    startMonth: 3\n    leadTimeMonths: 6\n    capexUSDPerMW: 8000000\n    newPUE: 1.25\n    target:\n      colocation:\n        priceUSDPerKWMonth: 120\n        termMonths: 120\n"
        let three = validYAML.replacingOccurrences(of: "megawatts: 5", with: "megawatts: [1, 2, 3, 4, 5]") + "\n" + block + block
        let error = #expect(throws: ScenarioError.self) { try load(three) }
        #expect(error?.description.contains("125 combinations of sizes") == true, "\(error?.description ?? "")")
        #expect(error?.description.contains("at most 64 combinations") == true)
    }

    @Test("Several mistakes are reported at once")
    func severalAtOnce() {
        let text = validYAML.replacingOccurrences(of: "powerMW: 20", with: "powerMW: -5")
            .replacingOccurrences(of: "ppaShare: 0.5", with: "ppaShare: 2")
            .replacingOccurrences(of: "scheduler: fifo", with: "scheduler: lifo")
        let error = #expect(throws: ScenarioError.self) { try load(text) }
        #expect(error?.issues.count == 3)
    }

    @Test("GPU demand can replay a trace file named relative to the scenario")
    func traceDemandFromYAML() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let text = validYAML.replacingOccurrences(
            of: "    jobsPerDay: 4\n    gpusPerJob: [8, 64]\n    meanHours: 24\n    sdHours: 12",
            with: "    trace: data/tiresias-60-jobs.csv")
        #expect(text != validYAML)
        let s = try ScenarioLoader.load(yaml: text, file: "t.yaml", baseDirectory: root.appendingPathComponent("Examples").path)
        guard case .trace(_, let jobs) = s.gpuCloud?.demand else { Issue.record("no trace"); return }
        #expect(jobs.count == 60 && jobs[1].gpus == 8 && jobs[1].submitSeconds == 30)
        let missing = text.replacingOccurrences(of: "tiresias-60-jobs.csv", with: "nope.csv")
        let error = #expect(throws: ScenarioError.self) {
            try ScenarioLoader.load(yaml: missing, file: "t.yaml", baseDirectory: root.appendingPathComponent("Examples").path)
        }
        #expect(error?.description.contains("gpuCloud.demand.trace = data/nope.csv") == true)
    }

    @Test("Sensitivity ranges are read and checked against the known inputs")
    func sensitivityRanges() throws {
        let s = try ScenarioLoader.builtin("texas-200mw")
        #expect(s.sensitivity.swing == 0.2)
        #expect(s.sensitivity.ranges["conversion capex"] == 8_000_000...10_000_000)
        let bad = validYAML + "\nsensitivity:\n  ranges:\n    - input: BTC prise\n      low: 1\n      high: 2\n    - input: BTC drift\n      low: 1.5\n      high: 1\n"
        let error = #expect(throws: ScenarioError.self) { try load(bad) }
        #expect(error?.issues.count == 2)
        #expect(error?.description.contains("sensitivity.ranges[0].input = BTC prise: not a sensitivity input") == true)
        #expect(error?.description.contains("sensitivity.ranges[1].low = 1.5: must be less than high (1.0)") == true)
        // Outside the field's own range.
        let outside = validYAML + "\nsensitivity:\n  ranges:\n    - input: BTC volatility\n      low: -1\n      high: 0.5\n"
        let rangeError = #expect(throws: ScenarioError.self) { try load(outside) }
        #expect(rangeError?.description.contains("sensitivity.ranges[0].low = -1.0: must be between 0.0 and 5.0") == true)
    }

    @Test("A missing file and an empty file are reported, not crashed on")
    func missingAndEmpty() {
        let missing = #expect(throws: ScenarioError.self) { try ScenarioLoader.load(path: "/nonexistent/site.yaml") }
        #expect(missing?.description.contains("/nonexistent/site.yaml") == true)
        let empty = #expect(throws: ScenarioError.self) { try load("") }
        #expect(empty?.description.contains("the file is empty") == true)
    }
}
