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
    /// stays non-negative after having been negative; `nil` if it never does. A series
    /// that is never negative pays back in month 0.
    public static func paybackMonth(_ flows: [Double]) -> Int? {
        var cumulative = 0.0
        var lastNegative: Int?
        for (index, flow) in flows.enumerated() {
            cumulative += flow
            if cumulative < 0 { lastNegative = index + 1 }
        }
        guard let lastNegative else { return 0 }
        return lastNegative < flows.count ? lastNegative + 1 : nil
    }
}
