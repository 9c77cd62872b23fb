// SPDX-License-Identifier: GPL-3.0-or-later

internal import CXLSXWriter
import Foundation
public import SwitchyardModel
public import SwitchyardRisk

/// What the plan workbook's Decision sheet shows beyond the policy table: the
/// distribution of each policy's NPV minus never, breakevens, the timeline of the
/// recommended plan and the fans of cash and of the inputs.
public struct DecisionView: Sendable {
    /// Each policy's NPV minus never's, path by path on the fresh paths.
    public var differences: [(name: String, values: [Double])] = []
    /// The recommended policy's cumulative cash, month by month: P5, P25, P50, P75, P95.
    public var cumulativeCash: [[Double]] = []
    public var monthLabels: [String] = []
    /// The inputs' monthly percentiles (a run of "never" on `marketPaths` fresh paths).
    public var markets: [MonthStatistics] = []
    public var marketPaths = 0
    public var breakevens: [Breakeven] = []
    public var timeline: [Block] = []
    public var hasGPUs = false

    public init() {}

    /// Where a mining fleet stops paying for its power and running cost.
    public struct Breakeven: Sendable {
        public var fleet: String
        public var efficiencyJPerTH, pue, powerUSDPerMWh, opexUSDPerMWh: Double
        /// 0.024 x J/TH x PUE x (power + opex): USD per PH/s per day.
        public var hashpriceUSDPerPHDay: Double
        /// The network's hashprice at the start, for comparison.
        public var startHashpriceUSDPerPHDay: Double
        /// The BTC price giving the breakeven hashprice at the start's network and fees,
        /// and after the next halving (subsidy halved, the same network and fees).
        public var btcPriceUSD, btcPriceAfterHalvingUSD: Double
        public var halvingLabel: String
    }

    /// One block of the recommended plan.
    public struct Block: Sendable {
        public var name, hall: String
        public var megawatts, capexUSD, convertedShare: Double
        public var decisionMonthP50: Double?
        public var leadTimeMonths: Int

        public init(
            name: String, hall: String, megawatts: Double, capexUSD: Double, convertedShare: Double, decisionMonthP50: Double?,
            leadTimeMonths: Int
        ) {
            (self.name, self.hall, self.megawatts, self.capexUSD) = (name, hall, megawatts, capexUSD)
            (self.convertedShare, self.decisionMonthP50, self.leadTimeMonths) = (convertedShare, decisionMonthP50, leadTimeMonths)
        }
    }

    /// The breakevens of the scenario's fleets at its start.
    public static func breakevens(_ s: Scenario) -> [Breakeven] {
        let power = s.electricity.market.replay == nil
            ? s.electricity.market.longRunMean(stepHours: s.stepHours)
            : s.electricity.market.level
        let fees = s.bitcoin.initialFeesBTCPerBlock ?? s.bitcoin.feesBTCPerBlock
        let height = s.bitcoin.initialBlockHeight
        let subsidy = BitcoinProtocol.subsidyBTC(atHeight: height)
        let halving = (height / 210_000 + 1) * 210_000
        // Blocks come every 10 minutes on average: the hashprice per USD of BTC price.
        let networkPHs = s.bitcoin.initialHashrateEHs * 1_000
        let perUSD = 144 * (subsidy + fees) / networkPHs
        let perUSDAfter = 144 * (subsidy / 2 + fees) / networkPHs
        let halvingMonths = Double(halving - height) * 10 / 60 / Scenario.hoursPerMonth
        let halvingLabel = "about " + Scenario.monthLabel(s.startMonth, month: max(1, Int(halvingMonths.rounded()) + 1))
        return s.mining.enumerated().map { k, fleet in
            let pue = s.site.halls.first { $0.name == fleet.hall }?.pue ?? 1
            let efficiency = fleet.asic.powerW / fleet.asic.hashrateTHs
            let hashprice = 0.024 * efficiency * pue * (power + fleet.opexUSDPerMWh)
            return Breakeven(
                fleet: "mining[\(k)]: \(fleet.asic.name), hall \(fleet.hall)", efficiencyJPerTH: efficiency, pue: pue,
                powerUSDPerMWh: power, opexUSDPerMWh: fleet.opexUSDPerMWh, hashpriceUSDPerPHDay: hashprice,
                startHashpriceUSDPerPHDay: perUSD * s.bitcoin.initialPriceUSD, btcPriceUSD: hashprice / perUSD,
                btcPriceAfterHalvingUSD: hashprice / perUSDAfter, halvingLabel: halvingLabel)
        }
    }
}

extension XLSXReport {
    /// The Decision sheet: the answer, its risk against never, breakevens, the
    /// timeline, and charts (one a row) of all of these and of the inputs.
    static func decisionSheet(_ w: XLSXWorkbook, _ f: Formats, _ data: ChartData, plan: PlanSheet, view: DecisionView) {
        let sheet = w.sheet("Decision")
        sheet.width(0, 0, 34)
        sheet.width(1, 9, 15)
        sheet.width(7, 7, 15)
        let header = w.wrapped(bold: true)
        func headers(_ row: Int, _ titles: [String]) {
            for (c, h) in titles.enumerated() { sheet.write(row, c, h, header) }
            worksheet_set_row(sheet.handle, lxw_row_t(row), 45, nil)
        }
        sheet.write(0, 0, "Decision view: \(plan.scenario)", f.bold)
        let wrap = w.wrapped(bold: true)
        sheet.paragraph(1, 0, 9, plan.recommendation, wrap, lines: plan.recommendation.count / 150 + 1)
        var row = 3
        // Each policy against never.
        let fewer = plan.policies.contains { $0.paths > 0 && $0.paths < plan.evaluationPaths }
        sheet.write(
            row, 0,
            "NPV minus never converting, on the same fresh paths (\(plan.evaluationPaths) paths\(fewer ? "; a row with fewer is paired with never on its own" : ""))",
            f.bold)
        row += 1
        headers(row, ["Policy", "Mean (USD)", "SE (USD)", "P5 (USD)", "P50 (USD)", "P95 (USD)", "Worse than never (share of paths)", "Fresh paths", "What the policy does"])
        row += 1
        for p in plan.policies where p.label != "Never convert" {
            guard let v = p.versusNever else { continue }
            sheet.write(row, 0, p.label)
            if p.paths > 0 { sheet.write(row, 7, Double(p.paths), f.number) }
            sheet.write(row, 8, p.policy)
            for (k, x) in [v.meanUSD, v.standardErrorUSD, v.p5USD, v.p50USD, v.p95USD].enumerated() { sheet.write(row, 1 + k, x, f.usd) }
            sheet.write(row, 6, v.probabilityWorse, f.percent)
            row += 1
        }
        // Breakevens.
        row += 1
        sheet.write(row, 0, "Breakevens of the mining fleets at the start (power at its long-run mean; the marginal cost of a MWh)", f.bold)
        row += 1
        let bh = [
            "Fleet", "J/TH", "PUE", "Power (USD/MWh)", "Opex (USD/MWh)", "Breakeven hashprice (USD/PH/day)",
            "Hashprice at the start (USD/PH/day)", "Breakeven BTC price (USD)", "After the next halving (USD)",
        ]
        headers(row, bh)
        row += 1
        for b in view.breakevens {
            sheet.write(row, 0, b.fleet)
            sheet.write(row, 1, b.efficiencyJPerTH, f.decimal)
            sheet.write(row, 2, b.pue, f.decimal)
            sheet.write(row, 3, b.powerUSDPerMWh, f.decimal)
            sheet.write(row, 4, b.opexUSDPerMWh, f.decimal)
            sheet.write(row, 5, b.hashpriceUSDPerPHDay, f.decimal)
            sheet.write(row, 6, b.startHashpriceUSDPerPHDay, f.decimal)
            sheet.write(row, 7, b.btcPriceUSD, f.usd)
            sheet.write(row, 8, b.btcPriceAfterHalvingUSD, f.usd)
            row += 1
        }
        if let halving = view.breakevens.first?.halvingLabel {
            sheet.write(row, 0, "The next halving is \(halving); breakeven BTC prices hold the start's network hashrate and fees.")
            row += 1
        }
        if let t = plan.triggerRule, t.signal == "hashprice" {
            sheet.write(row, 0, String(format: "The best trigger rule converts when the hashprice stays below %.1f USD/PH/day for %.0f days.", t.below, t.forDays))
            row += 1
        }
        // Timeline.
        row += 1
        sheet.write(row, 0, "Plan timeline: the recommended policy on the fresh paths", f.bold)
        row += 1
        let th = ["Block", "Hall", "MW", "Capex (USD)", "Converted (share of paths)", "Decision month P50", "Decision date", "Lead time (months)", "Online month P50", "Online date"]
        headers(row, th)
        row += 1
        let labels = plan.monthLabels
        func date(_ month: Double?) -> String {
            guard let month, let first = labels.first else { return "" }
            return Scenario.monthLabel(first, month: Int(month.rounded()))
        }
        for b in view.timeline {
            sheet.write(row, 0, b.name)
            sheet.write(row, 1, b.hall)
            sheet.write(row, 2, b.megawatts, f.decimal)
            sheet.write(row, 3, b.capexUSD, f.usd)
            sheet.write(row, 4, b.convertedShare, f.percent)
            sheet.write(row, 5, b.decisionMonthP50, f.number)
            sheet.write(row, 6, b.decisionMonthP50 == nil ? "not converted" : date(b.decisionMonthP50))
            sheet.write(row, 7, Double(b.leadTimeMonths), f.number)
            let online = b.decisionMonthP50.map { $0 + Double(b.leadTimeMonths) }
            sheet.write(row, 8, online, f.number)
            sheet.write(row, 9, online.map { $0 <= Double(labels.count) ? date($0) : "after the horizon" } ?? "")
            row += 1
        }
        // Charts, one a row, a page each.
        row += 1
        var breaks: [Int] = []
        func place(_ chart: XLSXChart?) {
            guard let chart else { return }
            breaks.append(row)
            sheet.insert(chart, row: row, column: 0, widthScale: 1.9, heightScale: 1.3)
            row += 22
        }
        let money = "$#,##0.0,,\"M\""
        // Bins from P0.5 to P99.5: a path far out (a BTC price 100 times today's) would
        // squeeze the rest into a few bins; the end bins count the paths beyond.
        func beyond(_ values: [Double]) -> String {
            let n = XLSXReport.outside(values, tails: 0.005)
            return n == 0 ? "" : " (the end bins also hold the \(n) paths beyond P0.5-P99.5)"
        }
        if let recommended = view.differences.first {
            place(Charts.histogram(
                w, data, title: "Recommended minus never: NPV difference on each fresh path" + beyond(recommended.values), axis: "USD",
                numberFormat: money, values: recommended.values, tails: 0.005))
        }
        place(Charts.histograms(
            w, data, title: "NPV minus never: histograms of the policies" + beyond(view.differences.flatMap(\.values)), axis: "USD",
            numberFormat: money, samples: view.differences, tails: 0.005))
        place(Charts.sCurve(w, data, title: "NPV minus never: S-curves of the policies", axis: "USD", numberFormat: money, samples: view.differences))
        place(timelineChart(w, data, view.timeline, months: labels.count))
        if !view.cumulativeCash.isEmpty {
            place(Charts.fan(
                w, data, title: "Recommended policy: cumulative cash, P5-P95 (fresh paths)", axis: "USD", numberFormat: money,
                labels: Array(labels.prefix(view.cumulativeCash.count)), percentiles: view.cumulativeCash))
        }
        if !view.markets.isEmpty {
            for (k, market) in MonthStatistics.markets.enumerated() where k != 0 && (k != 4 || view.hasGPUs) {
                place(Charts.fan(
                    w, data, title: "\(market.name), P5-P95 (\(view.marketPaths) paths)", axis: market.unit,
                    numberFormat: k == 2 ? "$#,##0" : "#,##0.0",  labels: view.markets.map(\.label),
                    percentiles: view.markets.map { $0.marketPercentiles[k] }))
            }
        }
        sheet.printArea(lastRow: row, lastColumn: 9)
        sheet.pageBreaks(Array(breaks.dropFirst()))
    }

    /// A Gantt chart: for each block, months waiting (not drawn), building and online.
    static func timelineChart(_ w: XLSXWorkbook, _ data: ChartData, _ blocks: [DecisionView.Block], months: Int) -> XLSXChart? {
        guard !blocks.isEmpty, months > 0 else { return nil }
        var waiting: [Double] = [], building: [Double] = [], online: [Double] = []
        for b in blocks {
            guard let start = b.decisionMonthP50 else {
                waiting.append(Double(months))
                building.append(0)
                online.append(0)
                continue
            }
            let wait = max(0, start - 1)
            let build = min(Double(b.leadTimeMonths), Double(months) - wait)
            waiting.append(wait)
            building.append(max(0, build))
            online.append(max(0, Double(months) - wait - build))
        }
        let names = data.textColumn("Block", blocks.map { "\($0.name) (\(String(format: "%g", $0.megawatts)) MW)" })
        let ranges = data.columns(["Waiting (months)", "Construction (months)", "Online (months)"], [waiting, building, online])
        let chart = w.chart(LXW_CHART_BAR_STACKED)
        let series = ["Mining (until the decision)", "Construction", "Online"]
        let colours: [UInt32?] = [0xBFBFBF, 0xC55A11, 0x548235]
        for k in 0..<3 {
            let s = chart.series(series[k], categories: names, values: ranges[k])
            XLSXChart.fill(s, color: colours[k])
        }
        chart.title("Recommended plan: decision (P50), construction and online months")
        chart.xAxis("Months from the start")  // a bar chart's value axis
        chart.xRange(min: 0, max: Double(months))
        chart.barCategoryLabelsLow()
        chart.overlap(100)
        chart.gap(60)
        chart.legendBottom()
        return chart
    }
}
