// SPDX-License-Identifier: GPL-3.0-or-later

import ArgumentParser
import Foundation
import SwitchyardEngine
import SwitchyardModel
import SwitchyardReport
import SwitchyardRisk

/// `switchyard simulate [SCENARIO] --seed N --ledger ledger.csv [--trace events.csv]`.
struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Simulate one path of a site and print its monthly ledger.",
        discussion: """
            With no SCENARIO, runs the built-in reference site (Models/texas-200mw.yaml).
            A scenario is validated completely before anything runs or is written: every
            problem is listed with its file, line, field, value and rule.
            """
    )

    @OptionGroup var options: ScenarioOptions

    @Option(parsing: .unconditional, help: "Monte Carlo path index (the same seed and path give the same path).")
    var path: UInt64 = 0

    @Option(help: "Write the monthly ledger as CSV.")
    var ledger: String?

    @Option(help: "Write the annual roll-up (revenue by stream, EBITDA, capex, tax, debt service, cash flows) as CSV.")
    var yearly: String?

    @Option(help: "Write every fired event (time, sequence, event) as CSV.")
    var trace: String?

    func run() throws {
        let loaded = try options.load()
        try options.checkOutputs([ledger, yearly, trace], inputs: loaded.dataFiles)
        let (seed, force) = (options.seed, options.force)
        var simulation = Simulation<SiteModel.Event>(tracing: trace != nil)
        var model = SiteModel(scenario: loaded, seed: seed, path: path, simulation: &simulation)
        simulation.run(&model, until: SimTime(hours: loaded.horizonHours))
        let result = model.result(eventsFired: simulation.eventsFired)
        if let failure = NonFiniteResult.check(result, path: path, scenario: loaded) { throw failure }
        print(Summary.pathReport(result, scenario: loaded, seed: seed, path: path))
        // Every output written first, then all renamed into place together.
        let outputs = OutputSet(replace: force)
        if let ledger { try outputs.write(LedgerCSV.table(result).text, to: ledger) }
        if let yearly { try outputs.write(YearlyCSV.table(YearRow.years(of: result)).text, to: yearly) }
        if let xlsx = options.xlsx {
            try outputs.produce(at: xlsx) { temporary in
                try XLSXReport.writeSimulation(
                    result, scenario: loaded, seed: seed, path: path, info: options.runInfo, to: temporary, replace: true)
            }
        }
        if let json = options.json {
            try outputs.write(JSONSummary.path(result, scenario: loaded, seed: seed, path: path, version: Switchyard.version), to: json)
        }
        if let trace, let records = simulation.trace {
            var table = CSVTable(header: ["time_hours", "sequence", "event"])
            for record in records {
                table.append([CSVTable.number(record.time.hours), String(record.sequence), record.event.description])
            }
            try outputs.write(table.text, to: trace)
        }
        try outputs.commit()
        for written in [ledger, yearly, options.xlsx, options.json, trace].compactMap({ $0 }) { print("wrote \(written)") }
    }
}

/// Plain-text reports for the terminal.
enum Summary {
    static func money(_ usd: Double) -> String { TextFormat.money(usd) }

    /// Millions without the currency, for table cells under a "USD M" header.
    static func millions(_ usd: Double) -> String { TextFormat.grouped(usd / 1e6, decimals: 1) }

    static func pathReport(_ result: PathResult, scenario: Scenario, seed: UInt64, path: UInt64) -> String {
        var lines: [String] = []
        lines.append("\(scenario.name) — seed \(seed), path \(path), \(scenario.horizonMonths) months from \(scenario.startMonth)")
        lines.append("")
        let widths = [15, 9, 9, 8, 8, 8, 8, 8, 8, 8, 9]
        func line(_ cells: [String]) -> String {
            zip(cells, widths).enumerated().map { index, pair in
                let (cell, width) = pair
                let pad = String(repeating: " ", count: max(0, width - cell.count))
                return index == 0 ? cell + pad : pad + cell
            }.joined(separator: " ")
        }
        lines.append(line(["", "BTC", "hashprice", "BTC", "revenue, USD M:", "", "", "", "cost, USD M:", "", "USD M"]))
        lines.append(line(["month", "USD", "USD/PH/d", "mined", "mining", "GPU", "colo", "credits", "energy", "capex", "FCF"]))
        for row in result.months {
            let show = row.month <= 12 || row.month % 12 == 0 || row.month == result.months.count
            guard show else { continue }
            lines.append(
                line([
                    "\(String(row.month).leftPadded(3)) (\(row.label))", TextFormat.grouped(row.averageBTCPriceUSD),
                    String(format: "%.2f", row.averageHashpriceUSDPerPHDay), String(format: "%.2f", row.btcMined),
                    millions(row.miningRevenueUSD), millions(row.gpuCloudRevenueUSD), millions(row.colocationRevenueUSD),
                    millions(row.curtailmentCreditsUSD), millions(row.energyCostUSD), millions(row.capexUSD),
                    millions(row.freeCashFlowUSD),
                ]))
        }
        lines.append("(months 1-12, then every 12th; all months in --ledger)")
        lines.append("")
        let rate = String(format: "%.1f", scenario.discountRatePerYear * 100)
        if let tv = result.terminalValue, let last = result.months.last {
            lines.append(
                "Terminal value at the end of \(last.label): \(money(tv.totalUSD)) (contracts \(money(tv.contractsUSD)): leases, capex still due, PPA; operations \(money(tv.operationsUSD)), the larger of going concern \(money(tv.goingConcernUSD)), land \(money(tv.landUSD))\(tv.conversionOptionUSD != 0 ? " and converting the blocks left then \(money(tv.conversionOptionUSD))" : ""))")
            lines.append("NPV at \(rate)%: \(money(result.npvUSD)), terminal value included")
        } else {
            lines.append("NPV at \(rate)%: \(money(result.npvUSD)) (no terminal value: nothing after \(result.months.last?.label ?? "the horizon") counts)")
        }
        if let f = result.finance {
            lines.append("After tax and financing (finance section): project NPV \(money(f.projectNPVUSD)), IRR \(f.projectRateOfReturn)")
            let equityRate = String(format: "%.1f", (scenario.finance.equityDiscountRatePerYear ?? scenario.discountRatePerYear) * 100)
            lines.append("  equity NPV at \(equityRate)%: \(money(f.equityNPVUSD)), IRR \(f.equityRateOfReturn)")
            if let dscr = f.minimumDSCR { lines.append(String(format: "  lowest yearly debt-service cover (DSCR): %.2f", dscr)) }
            if scenario.finance.startingCashUSD != nil {
                lines.append("  cash " + (f.cashOutMonth.map { "runs out in month \($0) (\(Scenario.monthLabel(scenario.startMonth, month: $0)))" } ?? "never runs out"))
            }
        }
        lines.append("IRR: \(result.rateOfReturn)")
        let neverNegative = !result.months.reduce(into: (0.0, false)) { acc, row in
            acc.0 += row.freeCashFlowUSD
            if acc.0 < 0 { acc.1 = true }
        }.1
        lines.append(
            "Payback month: "
                + (result.paybackMonth.map { "\($0) (\(Scenario.monthLabel(scenario.startMonth, month: $0)))" }
                    ?? (neverNegative ? "not applicable (cumulative cash is never negative)" : "not within the horizon")))
        lines.append("BTC mined: \(TextFormat.grouped(result.totalBTCMined, decimals: 2)); events: \(TextFormat.grouped(Double(result.eventsFired)))")
        if let cloud = scenario.gpuCloud {
            let completed = result.months.reduce(0) { $0 + $1.jobsCompleted }
            let lost = result.months.reduce(0) { $0 + $1.jobsLost }
            let billed = result.months.reduce(0) { $0 + $1.gpuHoursBilled }
            let fragmented = result.months.reduce(0) { $0 + $1.fragmentedGPUHours }
            let placement: String
            switch cloud.placement.domain {
            case .cloud: placement = "anywhere in the cloud"
            case .hall: placement = "within one hall"
            case .rack: placement = "within one rack"
            case .pod(let n): placement = "within one pod of \(n) rack\(n == 1 ? "" : "s")"
            }
            let policy = cloud.placement.policy == .bestFit ? "best fit" : "first fit"
            lines.append(
                "GPU cloud: \(TextFormat.grouped(Double(completed))) jobs completed, \(TextFormat.grouped(Double(lost))) lost; \(TextFormat.grouped(billed)) GPU-hours billed; jobs placed \(placement)"
                    + (cloud.placement.wholeServers ? ", on whole servers" : "")
                    + (cloud.placement.domain == .cloud ? "" : " (\(policy)): \(TextFormat.grouped(fragmented)) GPU-hours fragmented (free, but not where a waiting job could use them)"))
        }
        return TextFormat.wrap(lines.joined(separator: "\n"))
    }
}
