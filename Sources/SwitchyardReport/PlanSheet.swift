// SPDX-License-Identifier: GPL-3.0-or-later

internal import CXLSXWriter
import Foundation
public import SwitchyardModel

/// The planner's results as plain values for the Plan sheet and the JSON summary
/// (the report module does not depend on the planner).
public struct PlanSheet: Sendable, ExplicitNulls {
    public struct Row: Sendable, ExplicitNulls {
        public var label, policy: String
        public var meanNPVUSD, standardErrorUSD, ci95LowUSD, ci95HighUSD, cvar95USD, probabilityOfLoss, convertedShare: Double
        public var startMonthP50: Double?
        /// Against never converting, paired on the same fresh paths.
        public var versusNever: VersusNever?
        /// With starting cash: the share of fresh paths on which cash runs out.
        public var probabilityCashOut: Double?
        /// Fresh paths it was scored on (the first of them; never and the recommended
        /// policy on all).
        public var paths = 0
        /// On fewer paths than the recommended policy: the recommended policy's mean NPV
        /// on the same paths, the figure this row compares with.
        public var recommendedOnSamePathsUSD: Double?
        public init(
            label: String, policy: String, meanNPVUSD: Double, standardErrorUSD: Double, ci95LowUSD: Double,
            ci95HighUSD: Double, cvar95USD: Double, probabilityOfLoss: Double, convertedShare: Double,
            startMonthP50: Double?, versusNever: VersusNever? = nil
        ) {
            (self.label, self.policy, self.meanNPVUSD, self.standardErrorUSD) = (label, policy, meanNPVUSD, standardErrorUSD)
            (self.ci95LowUSD, self.ci95HighUSD, self.cvar95USD) = (ci95LowUSD, ci95HighUSD, cvar95USD)
            (self.probabilityOfLoss, self.convertedShare, self.startMonthP50) = (probabilityOfLoss, convertedShare, startMonthP50)
            self.versusNever = versusNever
        }
    }

    /// A policy's NPV minus never's, path by path; IRR and payback of the mean
    /// incremental cash flows.
    public struct VersusNever: Sendable, ExplicitNulls {
        public var meanUSD, standardErrorUSD, p5USD, p50USD, p95USD, probabilityWorse: Double
        /// The incremental IRR where it means something (one sign change), else nil and
        /// the reason in `irrNote` (with the MIRR at the discount rate).
        public var irr: Double?
        public var irrNote: String
        public var mirr: Double?
        /// Month the mean incremental cash flow pays back (nil: not within the horizon
        /// or nothing to pay back); share of paths paying back, and their median month.
        public var paybackMonth: Int?
        public var paybackShare: Double
        public var paybackMonthP50: Double?
        public init(
            meanUSD: Double, standardErrorUSD: Double, p5USD: Double, p50USD: Double, p95USD: Double, probabilityWorse: Double,
            irr: Double?, irrNote: String, mirr: Double?, paybackMonth: Int?, paybackShare: Double, paybackMonthP50: Double?
        ) {
            (self.meanUSD, self.standardErrorUSD, self.p5USD, self.p50USD, self.p95USD) = (meanUSD, standardErrorUSD, p5USD, p50USD, p95USD)
            (self.probabilityWorse, self.irr, self.irrNote, self.mirr) = (probabilityWorse, irr, irrNote, mirr)
            (self.paybackMonth, self.paybackShare, self.paybackMonthP50) = (paybackMonth, paybackShare, paybackMonthP50)
        }

        private enum CodingKeys: String, CodingKey {
            case meanUSD, standardErrorUSD, p5USD, p50USD, p95USD, probabilityWorse, irr, irrNote, mirr, paybackMonth, paybackShare, paybackMonthP50
        }

        /// Undefined figures are written as null, not left out.
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(meanUSD, forKey: .meanUSD)
            try c.encode(standardErrorUSD, forKey: .standardErrorUSD)
            try c.encode(p5USD, forKey: .p5USD)
            try c.encode(p50USD, forKey: .p50USD)
            try c.encode(p95USD, forKey: .p95USD)
            try c.encode(probabilityWorse, forKey: .probabilityWorse)
            try c.encode(irr, forKey: .irr)
            try c.encode(irrNote, forKey: .irrNote)
            try c.encode(mirr, forKey: .mirr)
            try c.encode(paybackMonth, forKey: .paybackMonth)
            try c.encode(paybackShare, forKey: .paybackShare)
            try c.encode(paybackMonthP50, forKey: .paybackMonthP50)
        }
    }

    /// The fitted rules, so that they can be applied outside the tool.
    public struct TriggerRule: Sendable, ExplicitNulls {
        public var signal, unit: String
        public var below, forDays: Double
        public var earliestMonth, latestMonth: Int
        public init(signal: String, unit: String, below: Double, forDays: Double, earliestMonth: Int, latestMonth: Int) {
            (self.signal, self.unit, self.below, self.forDays) = (signal, unit, below, forDays)
            (self.earliestMonth, self.latestMonth) = (earliestMonth, latestMonth)
        }
    }

    /// Least-squares rule: at each decision month, with x the regressors known then,
    /// start the block when b_exercise . x > 0 and b_exercise . x > b_continuation . x.
    public struct LeastSquaresRule: Sendable, ExplicitNulls {
        public struct Stage: Sendable, ExplicitNulls {
            public var block: String
            /// Per decision month (same order as `months`); nil: no conversion there.
            public var exercise: [[Double]?]
            public var continuation: [[Double]?]
            public init(block: String, exercise: [[Double]?], continuation: [[Double]?]) {
                (self.block, self.exercise, self.continuation) = (block, exercise, continuation)
            }
        }
        public var regressors: [String]
        public var months: [Int]
        public var stages: [Stage]
        public init(regressors: [String], months: [Int], stages: [Stage]) {
            (self.regressors, self.months, self.stages) = (regressors, months, stages)
        }
    }

    public struct Candidate: Sendable, ExplicitNulls {
        public var policy: String
        public var meanNPVUSD, objective: Double
        public var feasible: Bool
        /// Training paths it was scored on (successive halving: the contenders on all).
        public var paths: Int
        public init(policy: String, meanNPVUSD: Double, objective: Double, feasible: Bool, paths: Int) {
            (self.policy, self.meanNPVUSD, self.objective, self.feasible, self.paths) = (policy, meanNPVUSD, objective, feasible, paths)
        }
    }

    /// When one block of the recommended policy starts, over the fresh paths.
    public struct BlockStarts: Sendable, ExplicitNulls {
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
    /// Why the recommended policy and not a more complex one.
    public var selection = ""
    /// The rates an incremental IRR is to be read against, in words.
    public var hurdle = ""
    /// What the value of flexibility is measured against.
    public var flexibilityBaseline = "convert everything now"
    public var triggerRule: TriggerRule?
    public var leastSquaresRule: LeastSquaresRule?
    /// How much: the best fixed schedule at each combination of block sizes, on the
    /// training paths, best first (empty when no block has sizes to choose from).
    public var sizes: [SizeRow] = []
    /// The successive-halving rounds: how many candidates were scored on how many paths.
    public var rounds: [Round] = []
    /// The other path counts and the materiality share of the run.
    public var screeningPaths = 0, leastSquaresPaths = 0, comparisonPaths = 0
    public var materiality = 0.0

    public struct SizeRow: Sendable, ExplicitNulls {
        /// "3 MW of hall B" (blocks joined by " + ").
        public var sizes: String
        public var megawatts: [Double]
        public var schedule: String
        public var meanNPVUSD, standardErrorUSD: Double
        /// NPV minus the best size's, paired on the training paths (nil for the best).
        public var differenceUSD, differenceSEUSD: Double?
        /// The plan's objective for this schedule (the mean NPV unless the objective
        /// weighs the tail) and whether it meets the objective's limit: sizes are ranked
        /// by these.
        public var objective = 0.0
        public var feasible = true
        public init(
            sizes: String, megawatts: [Double], schedule: String, meanNPVUSD: Double, standardErrorUSD: Double,
            differenceUSD: Double?, differenceSEUSD: Double?
        ) {
            (self.sizes, self.megawatts, self.schedule, self.meanNPVUSD, self.standardErrorUSD) = (sizes, megawatts, schedule, meanNPVUSD, standardErrorUSD)
            (self.differenceUSD, self.differenceSEUSD) = (differenceUSD, differenceSEUSD)
        }
    }

    public struct Round: Sendable, ExplicitNulls {
        public var paths, candidates: Int
        public init(paths: Int, candidates: Int) { (self.paths, self.candidates) = (paths, candidates) }
    }

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
        struct Wrapped: ExplicitNulls {
            var command = "plan"
            var version: String
            var plan: PlanSheet
        }
        return try encode(Wrapped(version: version, plan: sheet))
    }
}

extension XLSXReport {
    /// Summary, Inputs and Plan (recommended schedule, policy comparison, candidates).
    public static func writePlan(
        _ plan: PlanSheet, scenario: Scenario, decision: DecisionView = DecisionView(), info: RunInfo, to path: String, replace: Bool
    ) throws {
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
            let wrap = w.wrapped()
            for (i, line) in lines.enumerated() {
                summary.write(i, 0, line.0, i == 0 ? f.bold : nil)
                // The command line is never wrapped: its cell is the only one that differs
                // between a plan and the merge of its shards, in its text alone.
                let wraps = line.1.count > 90 && line.0 != "Command"
                summary.write(i, 1, line.1, wraps ? wrap : nil)
                if wraps { worksheet_set_row(summary.handle, lxw_row_t(i), 15 * Double(line.1.count / 80 + 1), nil) }
            }
            summary.write(7, 0, "Seed")
            summary.write(7, 1, Double(plan.seed), f.number)
            summary.write(8, 0, "Fresh paths")
            summary.write(8, 1, Double(plan.evaluationPaths), f.number)
            summary.write(9, 0, "Value of flexibility (USD)")
            summary.write(9, 1, plan.valueOfFlexibilityUSD, f.usdBold)
            w.define("ValueOfFlexibility", Cell.absolute("Summary", row: 9, column: 1))
            summary.write(10, 0, "Flexibility measured against")
            summary.write(10, 1, plan.flexibilityBaseline)
            summary.write(11, 0, "Why this policy")
            summary.write(11, 1, plan.selection, wrap)
            worksheet_set_row(summary.handle, 11, 15 * Double(plan.selection.count / 80 + 1), nil)
            summary.printArea(lastRow: 11, lastColumn: 1)
            let data = ChartData(w, f)
            decisionSheet(w, f, data, plan: plan, view: decision)
            readingGuide(w, f, kind: .plan)
            inputs(w, f, scenario)
            let sheet = w.sheet("Plan")
            let headers = [
                "Policy", "Description", "Mean NPV (USD)", "Standard error (USD)", "95% CI low (USD)", "95% CI high (USD)",
                "CVaR95 (USD)", "Probability of loss", "Converted (share of paths)", "Start month P50",
                "NPV minus never: mean (USD)", "NPV minus never: SE (USD)", "NPV minus never: P5 (USD)",
                "NPV minus never: P50 (USD)", "NPV minus never: P95 (USD)", "P(worse than never)", "Incremental IRR",
                "Incremental IRR note", "Incremental payback month", "P(cash runs out)", "Fresh paths",
                "Recommended on the same paths (USD)",
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
                if let v = p.versusNever {
                    for (k, x) in [v.meanUSD, v.standardErrorUSD, v.p5USD, v.p50USD, v.p95USD].enumerated() { sheet.write(r, 10 + k, x, f.usd) }
                    sheet.write(r, 15, v.probabilityWorse, f.percent)
                    sheet.write(r, 16, v.irr, f.percent)
                    sheet.write(r, 17, v.irr == nil ? v.irrNote : "")
                    sheet.write(r, 18, v.paybackMonth.map(Double.init), f.number)
                }
                sheet.write(r, 19, p.probabilityCashOut, f.percent)
                sheet.write(r, 20, Double(p.paths), f.number)
                sheet.write(r, 21, p.recommendedOnSamePathsUSD, f.usd)
            }
            w.define("Plan_RecommendedNPV", Cell.absolute("Plan", row: 1, column: 2))
            sheet.width(0, 0, 26)
            sheet.width(1, 1, 80)
            sheet.width(2, headers.count - 1, 18)
            sheet.freezeHeader()
            sheet.table("PlanTable", lastRow: plan.policies.count, headers: headers)
            // (A plan always has policies; a hand-made sheet may not.)
            let chart = npvBars(
                w, sheet: "Plan", rows: max(1, plan.policies.count), series: "Mean NPV (fresh paths)",
                title: "Mean NPV by policy (fresh paths)", fromZero: plan.policies.allSatisfy { $0.meanNPVUSD >= 0 })
            sheet.insert(chart, row: plan.policies.count + 3, column: 0, widthScale: 2, heightScale: 1.3)
            sheet.printArea(lastRow: plan.policies.count + 25, lastColumn: headers.count - 1)
            let candidates = w.sheet("Candidates")
            let ch = ["Policy", "Mean NPV on training paths (USD)", "Objective", "Feasible", "Training paths"]
            for (c, h) in ch.enumerated() { candidates.write(0, c, h, f.header) }
            for (i, c) in plan.candidates.enumerated() {
                candidates.write(i + 1, 0, c.policy)
                candidates.write(i + 1, 1, c.meanNPVUSD, f.usd)
                candidates.write(i + 1, 2, c.objective, f.usd)
                candidates.write(i + 1, 3, c.feasible ? "yes" : "no")
                candidates.write(i + 1, 4, Double(c.paths), f.number)
            }
            candidates.width(0, 0, 100, w.wrapped())
            candidates.width(1, 4, 34)
            candidates.printArea(lastRow: plan.candidates.count, lastColumn: 4)
            candidates.freezeHeader()
            candidates.table("CandidatesTable", lastRow: plan.candidates.count, headers: ch)
            conversionMonthsSheet(w, f, plan)
            sizesSheet(w, f, plan)
            rulesSheet(w, f, plan)
            data.finish()
            try w.close()
        }
    }

    /// The "Rules" sheet: the best trigger rule's levels and the least-squares rule's
    /// coefficients, to apply them outside the tool.
    static func rulesSheet(_ w: XLSXWorkbook, _ f: Formats, _ plan: PlanSheet) {
        let sheet = w.sheet("Rules")
        var r = 0
        if let t = plan.triggerRule {
            sheet.write(r, 0, "Best trigger rule", f.bold)
            r += 1
            let items: [(String, String?, Double?)] = [
                ("Signal", t.signal, nil), ("Unit", t.unit, nil), ("Below", nil, t.below), ("For days", nil, t.forDays),
                ("Earliest month", nil, Double(t.earliestMonth)), ("Latest month", nil, Double(t.latestMonth)),
            ]
            for (label, text, value) in items {
                sheet.write(r, 0, label)
                if let text { sheet.write(r, 1, text) } else { sheet.write(r, 1, value, f.decimal) }
                r += 1
            }
            r += 1
        }
        if let ls = plan.leastSquaresRule {
            sheet.write(r, 0, "Least-squares rule: start when exercise . x > 0 and exercise . x > continuation . x", f.bold)
            r += 1
            sheet.write(r, 0, "Regressors x: " + ls.regressors.joined(separator: ", "))
            r += 1
            let headers = ["Block", "Decision month", "Kind"] + ls.regressors
            for (c, h) in headers.enumerated() { sheet.write(r, c, h, f.header) }
            r += 1
            for stage in ls.stages {
                for (d, month) in ls.months.enumerated() {
                    for (kind, coefficients) in [("exercise", stage.exercise[d]), ("continuation", stage.continuation[d])] {
                        guard let coefficients else { continue }
                        sheet.write(r, 0, stage.block)
                        sheet.write(r, 1, Double(month), f.number)
                        sheet.write(r, 2, kind)
                        for (k, b) in coefficients.enumerated() { sheet.write(r, 3 + k, b, f.decimal) }
                        r += 1
                    }
                }
            }
        }
        sheet.width(0, 0, 28)
        sheet.width(1, 12, 16)
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
        chart.yRange(min: 0, max: 1)
        chart.xLabelsLow()
        chart.legendBottom()
        w.chartsheet("Conversion chart", chart)
        sheet.printArea(lastRow: plan.monthLabels.count, lastColumn: headers.count - 1)
    }

    /// "How much": the best fixed schedule at each size, with a bar chart of mean NPV.
    static func sizesSheet(_ w: XLSXWorkbook, _ f: Formats, _ plan: PlanSheet) {
        guard !plan.sizes.isEmpty else { return }
        let sheet = w.sheet("Sizes")
        let headers = [
            "Sizes", "Best fixed schedule at these sizes", "Mean NPV, training paths (USD)", "Standard error (USD)",
            "Minus the best size: mean (USD)", "Minus the best size: paired SE (USD)", "Objective", "Feasible",
        ]
        for (c, h) in headers.enumerated() { sheet.write(0, c, h, f.header) }
        for (i, row) in plan.sizes.enumerated() {
            let r = i + 1
            sheet.write(r, 0, row.sizes, i == 0 ? f.bold : nil)
            sheet.write(r, 1, row.schedule, w.wrapped())
            sheet.write(r, 2, row.meanNPVUSD, i == 0 ? f.usdBold : f.usd)
            sheet.write(r, 3, row.standardErrorUSD, f.usd)
            sheet.write(r, 4, row.differenceUSD, f.usd)
            sheet.write(r, 5, row.differenceSEUSD, f.usd)
            sheet.write(r, 6, row.objective, f.usd)
            sheet.write(r, 7, row.feasible ? "yes" : "no")
        }
        sheet.width(0, 0, 30)
        sheet.width(1, 1, 70)
        sheet.width(2, headers.count - 1, 20)
        sheet.freezeHeader()
        sheet.table("SizesTable", lastRow: plan.sizes.count, headers: headers)
        let chart = npvBars(
            w, sheet: "Sizes", rows: plan.sizes.count, series: "Mean NPV (training paths)",
            title: "How much: the best fixed schedule at each size", fromZero: plan.sizes.allSatisfy { $0.meanNPVUSD >= 0 })
        sheet.insert(chart, row: plan.sizes.count + 3, column: 0, widthScale: 2, heightScale: 1.2)
        sheet.printArea(lastRow: plan.sizes.count + 24, lastColumn: headers.count - 1)
    }

    /// Bars of mean NPV: names in column A, amounts in column C of rows 1...rows. A bar
    /// chart's value axis is libxlsxwriter's x axis; an amount starts from zero unless
    /// one is negative.
    static func npvBars(_ w: XLSXWorkbook, sheet: String, rows: Int, series: String, title: String, fromZero: Bool) -> XLSXChart {
        let chart = w.chart(LXW_CHART_BAR)
        chart.series(series, categories: Cell.range(sheet, column: 0, rows: 1...rows), values: Cell.range(sheet, column: 2, rows: 1...rows))
        chart.title(title)
        chart.xAxis("USD", numberFormat: "$#,##0.0,,\"M\"")
        if fromZero { chart.xRange(min: 0) }
        chart.barCategoryLabelsLow()
        chart.noLegend()
        return chart
    }
}
