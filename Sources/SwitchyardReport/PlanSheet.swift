// SPDX-License-Identifier: GPL-3.0-or-later

internal import CXLSXWriter
import Foundation
public import SwitchyardModel

/// The planner's results as plain values for the Plan sheet and the JSON summary
/// (the report module does not depend on the planner).
public struct PlanSheet: Sendable, Encodable {
    public struct Row: Sendable, Encodable {
        public var label, policy: String
        public var meanNPVUSD, standardErrorUSD, ci95LowUSD, ci95HighUSD, cvar95USD, probabilityOfLoss, convertedShare: Double
        public var startMonthP50: Double?
        public init(
            label: String, policy: String, meanNPVUSD: Double, standardErrorUSD: Double, ci95LowUSD: Double,
            ci95HighUSD: Double, cvar95USD: Double, probabilityOfLoss: Double, convertedShare: Double,
            startMonthP50: Double?
        ) {
            (self.label, self.policy, self.meanNPVUSD, self.standardErrorUSD) = (label, policy, meanNPVUSD, standardErrorUSD)
            (self.ci95LowUSD, self.ci95HighUSD, self.cvar95USD) = (ci95LowUSD, ci95HighUSD, cvar95USD)
            (self.probabilityOfLoss, self.convertedShare, self.startMonthP50) = (probabilityOfLoss, convertedShare, startMonthP50)
        }
    }

    public struct Candidate: Sendable, Encodable {
        public var policy: String
        public var meanNPVUSD, objective: Double
        public var feasible: Bool
        public init(policy: String, meanNPVUSD: Double, objective: Double, feasible: Bool) {
            (self.policy, self.meanNPVUSD, self.objective, self.feasible) = (policy, meanNPVUSD, objective, feasible)
        }
    }

    /// When one block of the recommended policy starts, over the fresh paths.
    public struct BlockStarts: Sendable, Encodable {
        public var block: String
        public var convertedShare: Double
        /// Start-month percentiles over the paths where the block starts.
        public var p10, p50, p90: Double?
        /// Share of paths on which the block starts in month m (index m - 1).
        public var shareByMonth: [Double]
        public init(block: String, convertedShare: Double, p10: Double?, p50: Double?, p90: Double?, shareByMonth: [Double]) {
            (self.block, self.convertedShare, self.p10, self.p50, self.p90) = (block, convertedShare, p10, p50, p90)
            self.shareByMonth = shareByMonth
        }
    }

    public var scenario: String
    public var seed: UInt64
    public var trainingPaths, evaluationPaths: Int
    public var objective, recommendation: String
    public var policies: [Row]
    public var recommendedInSampleMeanNPVUSD, valueOfFlexibilityUSD, valueOfFlexibilitySEUSD: Double
    public var candidates: [Candidate]
    /// The distribution of conversion months of the recommended policy, block by block.
    public var conversionMonths: [BlockStarts] = []
    /// "YYYY-MM" of months 1...horizon.
    public var monthLabels: [String] = []

    public init(
        scenario: String, seed: UInt64, trainingPaths: Int, evaluationPaths: Int, objective: String,
        recommendation: String, policies: [Row], recommendedInSampleMeanNPVUSD: Double, valueOfFlexibilityUSD: Double,
        valueOfFlexibilitySEUSD: Double, candidates: [Candidate]
    ) {
        (self.scenario, self.seed, self.trainingPaths, self.evaluationPaths) = (scenario, seed, trainingPaths, evaluationPaths)
        (self.objective, self.recommendation, self.policies) = (objective, recommendation, policies)
        (self.recommendedInSampleMeanNPVUSD, self.valueOfFlexibilityUSD) = (recommendedInSampleMeanNPVUSD, valueOfFlexibilityUSD)
        (self.valueOfFlexibilitySEUSD, self.candidates) = (valueOfFlexibilitySEUSD, candidates)
    }
}

extension JSONSummary {
    public static func plan(_ sheet: PlanSheet, version: String) throws -> String {
        struct Wrapped: Encodable {
            var command = "plan"
            var version: String
            var plan: PlanSheet
        }
        return try encode(Wrapped(version: version, plan: sheet))
    }
}

extension XLSXReport {
    /// Summary, Inputs and Plan (recommended schedule, policy comparison, candidates).
    public static func writePlan(_ plan: PlanSheet, scenario: Scenario, info: RunInfo, to path: String, replace: Bool) throws {
        try AtomicFile.produce(at: path, replace: replace) { temporary in
            let w = try workbook(at: temporary)
            let f = Formats(w)
            let summary = w.sheet("Summary")
            summary.width(0, 0, 34)
            summary.width(1, 1, 90)
            let lines: [(String, String)] = [
                ("Switchyard plan", ""), ("Scenario", plan.scenario), ("Objective", plan.objective),
                ("Switchyard version", info.version), ("Command", info.command), ("Recommendation", plan.recommendation),
            ]
            for (i, line) in lines.enumerated() {
                summary.write(i, 0, line.0, i == 0 ? f.bold : nil)
                summary.write(i, 1, line.1)
            }
            summary.write(7, 0, "Seed")
            summary.write(7, 1, Double(plan.seed), f.number)
            summary.write(8, 0, "Fresh paths")
            summary.write(8, 1, Double(plan.evaluationPaths), f.number)
            summary.write(9, 0, "Value of flexibility (USD)")
            summary.write(9, 1, plan.valueOfFlexibilityUSD, f.usdBold)
            w.define("ValueOfFlexibility", Cell.absolute("Summary", row: 9, column: 1))
            inputs(w, f, scenario)
            let sheet = w.sheet("Plan")
            let headers = [
                "Policy", "Description", "Mean NPV (USD)", "Standard error (USD)", "95% CI low (USD)", "95% CI high (USD)",
                "CVaR95 (USD)", "Probability of loss", "Converted (share of paths)", "Start month P50",
            ]
            for (c, h) in headers.enumerated() { sheet.write(0, c, h, f.header) }
            for (i, p) in plan.policies.enumerated() {
                let r = i + 1
                sheet.write(r, 0, p.label, i == 0 ? f.bold : nil)
                sheet.write(r, 1, p.policy)
                for (k, v) in [p.meanNPVUSD, p.standardErrorUSD, p.ci95LowUSD, p.ci95HighUSD, p.cvar95USD].enumerated() {
                    sheet.write(r, 2 + k, v, i == 0 && k == 0 ? f.usdBold : f.usd)
                }
                sheet.write(r, 7, p.probabilityOfLoss, f.percent)
                sheet.write(r, 8, p.convertedShare, f.percent)
                sheet.write(r, 9, p.startMonthP50, f.number)
            }
            w.define("Plan_RecommendedNPV", Cell.absolute("Plan", row: 1, column: 2))
            sheet.width(0, 0, 26)
            sheet.width(1, 1, 80)
            sheet.width(2, headers.count - 1, 18)
            sheet.freezeHeader()
            sheet.table("PlanTable", lastRow: plan.policies.count, headers: headers)
            let chart = w.chart(LXW_CHART_BAR)
            chart.series(
                "Mean NPV (fresh paths)", categories: Cell.range("Plan", column: 0, rows: 1...plan.policies.count),
                values: Cell.range("Plan", column: 2, rows: 1...plan.policies.count))
            chart.title("Mean NPV by policy (fresh paths)")
            chart.xAxis("USD", numberFormat: "$#,##0.0,,\"M\"")
            chart.categoryLabelsLow()
            sheet.insert(chart, row: plan.policies.count + 3, column: 0)
            let candidates = w.sheet("Candidates")
            let ch = ["Policy", "Mean NPV on training paths (USD)", "Objective", "Feasible"]
            for (c, h) in ch.enumerated() { candidates.write(0, c, h, f.header) }
            for (i, c) in plan.candidates.enumerated() {
                candidates.write(i + 1, 0, c.policy)
                candidates.write(i + 1, 1, c.meanNPVUSD, f.usd)
                candidates.write(i + 1, 2, c.objective, f.usd)
                candidates.write(i + 1, 3, c.feasible ? "yes" : "no")
            }
            candidates.width(0, 0, 100)
            candidates.width(1, 3, 24)
            candidates.freezeHeader()
            candidates.table("CandidatesTable", lastRow: plan.candidates.count, headers: ch)
            conversionMonthsSheet(w, f, plan)
            try w.close()
        }
    }

    /// The "Conversion months" sheet: per block, the share of fresh paths starting it
    /// each month and the cumulative share, with a chart of the cumulative shares.
    static func conversionMonthsSheet(_ w: XLSXWorkbook, _ f: Formats, _ plan: PlanSheet) {
        guard !plan.conversionMonths.isEmpty, !plan.monthLabels.isEmpty else { return }
        let sheet = w.sheet("Conversion months")
        var headers = ["Month", "Date"]
        for b in plan.conversionMonths {
            headers += ["\(b.block): starts this month (share of paths)", "\(b.block): started by this month (share)"]
        }
        for (c, h) in headers.enumerated() { sheet.write(0, c, h, f.header) }
        for (i, label) in plan.monthLabels.enumerated() {
            sheet.write(i + 1, 0, Double(i + 1), f.number)
            sheet.writeMonth(i + 1, 1, label, f.month)
        }
        for (k, b) in plan.conversionMonths.enumerated() {
            var cumulative = 0.0
            for (i, share) in b.shareByMonth.prefix(plan.monthLabels.count).enumerated() {
                cumulative += share
                sheet.write(i + 1, 2 + 2 * k, share, f.percent)
                sheet.write(i + 1, 3 + 2 * k, cumulative, f.percent)
            }
        }
        sheet.width(0, 1, 10)
        sheet.width(2, headers.count - 1, 26)
        sheet.freezeHeader()
        sheet.table("ConversionMonthsTable", lastRow: plan.monthLabels.count, headers: headers)
        let rows = 1...plan.monthLabels.count
        let chart = w.chart(LXW_CHART_LINE)
        for (k, b) in plan.conversionMonths.enumerated() {
            chart.series(b.block, categories: Cell.range("Conversion months", column: 1, rows: rows),
                values: Cell.range("Conversion months", column: 3 + 2 * k, rows: rows))
        }
        chart.title("Recommended policy: share of fresh paths converted by each month")
        chart.xAxis("Month", numberFormat: "yyyy-mm")
        chart.yAxis("Share of paths", numberFormat: "0%")
        chart.legendBottom()
        sheet.insert(chart, row: 1, column: headers.count + 1)
    }
}
