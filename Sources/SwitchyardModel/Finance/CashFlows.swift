// SPDX-License-Identifier: GPL-3.0-or-later

import Foundation

/// Discounting, IRR and payback of a monthly cash-flow series (month 1 = the first
/// month of the run, discounted one month).
public enum CashFlows {
    /// Monthly rate equivalent to an annual rate: (1 + r)^(1/12) - 1.
    public static func monthlyRate(annual: Double) -> Double { pow(1 + annual, 1.0 / 12) - 1 }

    /// Net present value at an annual discount rate, end-of-month flows:
    /// NPV = sum_m CF_m / (1 + r_m)^m.
    public static func npv(_ flows: [Double], annualRate: Double) -> Double {
        npv(flows, monthlyRate: monthlyRate(annual: annualRate))
    }

    /// NPV at a monthly rate: sum_m CF_m / (1 + r)^m.
    public static func npv(_ flows: [Double], monthlyRate r: Double) -> Double {
        // One division, then a chain of multiplications (a division per month made the
        // IRR's bisection, 40-odd NPVs a path, a visible share of a risk run).
        let perMonth = 1 / (1 + r)
        var factor = 1.0
        var total = 0.0
        for flow in flows {
            factor *= perMonth
            total += flow * factor
        }
        return total
    }

    /// Annualised internal rate of return, or `nil` when NPV does not change sign on
    /// (-99.99%, +10,000%) a year (e.g. all flows of one sign). Found by bisection on
    /// the monthly rate, to 1e-10.
    public static func irr(_ flows: [Double]) -> Double? {
        func value(_ monthly: Double) -> Double { npv(flows, monthlyRate: monthly) }
        var low = monthlyRate(annual: -0.9999)
        var high = monthlyRate(annual: 100)
        var fLow = value(low)
        let fHigh = value(high)
        guard fLow.isFinite, fHigh.isFinite, fLow * fHigh < 0 else { return nil }
        for _ in 0..<200 {
            let mid = (low + high) / 2
            let fMid = value(mid)
            if fMid == 0 || (high - low) < 1e-12 { return pow(1 + mid, 12) - 1 }
            if (fMid < 0) == (fLow < 0) {
                low = mid
                fLow = fMid
            } else {
                high = mid
            }
        }
        return pow(1 + (low + high) / 2, 12) - 1
    }

    /// The first month (1-based) at which cumulative undiscounted cash flow turns and
    /// stays non-negative after having been negative; `nil` if it never does, and `nil`
    /// too for a series that is never negative (there is nothing to pay back: reports
    /// say "not applicable", never "month 0").
    public static func paybackMonth(_ flows: [Double]) -> Int? {
        var cumulative = 0.0
        var lastNegative: Int?
        for (index, flow) in flows.enumerated() {
            cumulative += flow
            if cumulative < 0 { lastNegative = index + 1 }
        }
        guard let lastNegative else { return nil }
        return lastNegative < flows.count ? lastNegative + 1 : nil
    }

    /// How often the series changes sign (zeros skipped). By Descartes' rule of signs
    /// the NPV, a polynomial in 1 / (1 + r), has at most that many roots with r > -1:
    /// with exactly one change the IRR exists and is unique; with more it may not be.
    public static func signChanges(_ flows: [Double]) -> Int {
        var changes = 0
        var last = 0.0
        for flow in flows where flow != 0 {
            if last != 0 && (flow < 0) != (last < 0) { changes += 1 }
            last = flow
        }
        return changes
    }

    /// Modified IRR, annualised: the monthly rate that grows the present value of the
    /// outflows (at the finance rate) into the future value of the inflows (reinvested
    /// at the reinvestment rate) over the n months of the series:
    /// ```
    /// MIRR_m = (FV(inflows, reinvest) / -PV(outflows, finance))^(1/n) - 1,  MIRR = (1 + MIRR_m)^12 - 1
    /// ```
    /// `nil` when the series has no outflow or no inflow.
    public static func mirr(_ flows: [Double], financeRate: Double, reinvestRate: Double) -> Double? {
        let n = flows.count
        let (f, g) = (monthlyRate(annual: financeRate), monthlyRate(annual: reinvestRate))
        var pvOut = 0.0
        var fvIn = 0.0
        for (index, flow) in flows.enumerated() {
            let m = Double(index + 1)
            if flow < 0 { pvOut += flow / pow(1 + f, m) } else { fvIn += flow * pow(1 + g, Double(n) - m) }
        }
        guard pvOut < 0, fvIn > 0 else { return nil }
        return pow(pow(fvIn / -pvOut, 1 / Double(n)), 12) - 1
    }

    /// The IRR where it means something, or why it does not.
    public enum RateOfReturn: Hashable, Sendable, Codable, CustomStringConvertible {
        /// One sign change: the unique IRR (annual).
        case irr(Double)
        /// No IRR to report: the flows change sign this many times (0: all of one
        /// sign; more than 1: several or no roots), or the IRR is below -99% a year
        /// (almost nothing of the outlay comes back). MIRR at the discount rate when
        /// defined.
        case notMeaningful(signChanges: Int, mirr: Double?)

        public var value: Double? { if case .irr(let r) = self { r } else { nil } }

        public var description: String {
            switch self {
            case .irr(let r): return String(format: "%.1f%%", r * 100)
            case .notMeaningful(let changes, let mirr):
                let why =
                    changes == 0 ? "the cash flows never change sign"
                    : changes == 1 ? "below -99% a year: almost nothing of the outlay comes back"
                    : "the cash flows change sign \(changes) times"
                return "not meaningful: \(why)" + (mirr.map { String(format: "; MIRR at the discount rate %.1f%%", $0 * 100) } ?? "")
            }
        }
    }

    /// ``irr(_:)`` when the flows change sign exactly once and it is above -99% a
    /// year; otherwise why not, with the MIRR at `discountRate` (finance and
    /// reinvestment) where it exists.
    public static func rateOfReturn(_ flows: [Double], discountRate: Double) -> RateOfReturn {
        let changes = signChanges(flows)
        if changes == 1, let r = irr(flows), r > -0.99 { return .irr(r) }
        return .notMeaningful(signChanges: changes, mirr: mirr(flows, financeRate: discountRate, reinvestRate: discountRate))
    }
}
