// SPDX-License-Identifier: GPL-3.0-or-later

import Foundation

/// The value of a site at the end of its horizon H, booked as a cash flow of month H
/// (so NPV = sum of discounted monthly flows + TV / (1 + r_m)^H).
///
/// Three parts, each reported on its own:
/// ```
/// contracts   = sum over leases of E[ value of rent after H | renewals decided by H ]
///               (LeaseSchedule.expectedValue), less capex still to pay on conversions
///               under way at H, plus their leases from completion, plus a financial
///               PPA's remaining settlements at the long-run mean power price
/// operations  = max(going concern, land value x MW not under a lease, conversion option)
///   gordon:     going concern = CF12 (1 + g) / (r - g)
///   multiple:   going concern = CF12 x multiple
/// ```
/// where CF12 is the operating cash flow of the last 12 months (mining, GPU cloud and
/// curtailment revenue less energy and opex, site opex included; rent, capex and
/// asset sales excluded; a periodic fleet refresh's cost net of salvage, a year's share,
/// taken off) and r the annual discount rate. The floor is the owner's
/// alternative of selling (or leasing out) the powered land rather than operating at
/// a loss: `landValueUSDPerMW` per MW of interconnect not committed to a lease. The
/// conversion option is the owner's alternative of converting then the blocks not yet
/// converted: their leases from h + 1 + lead time less their capex, plus the going
/// concern of the mining left (in proportion to mining megawatts).
public struct TerminalValue: Hashable, Sendable {
    /// Leases, capex still due on conversions under way, a PPA's remaining settlements.
    public var contractsUSD = 0.0
    /// The leases' part of `contractsUSD` (valued at the contract discount rate, if any).
    public var leasesUSD = 0.0
    /// The leases' value weighted for the contract rate from each one's signing
    /// (``MonthRow/colocationRevenueContractWeightedUSD``).
    public var leasesContractWeightedUSD = 0.0
    /// Operations' value (the largest of going concern, land and the conversion option), and its candidates.
    public var operationsUSD = 0.0
    public var goingConcernUSD = 0.0
    public var landUSD = 0.0
    /// Converting the blocks not started by H at H (0 when there are none).
    public var conversionOptionUSD = 0.0

    public init() {}

    public var totalUSD: Double { contractsUSD + operationsUSD }

    /// The operating cash flow of a month: what the terminal value's going concern is
    /// built on (a PPA's settlements are a contract with an end, valued with the leases).
    public static func operatingCashFlow(_ row: MonthRow) -> Double {
        row.miningRevenueUSD + row.gpuCloudRevenueUSD + row.curtailmentCreditsUSD - row.energyCostUSD - row.opexUSD
            - row.transmissionUSD
    }

    /// The going-concern value of operations from the last 12 months' rows.
    /// `recurringCapexPerYear`: capex that keeps the operations going (fleet refreshes),
    /// a year's share of it, taken off the operating cash flow.
    /// `window`: months of operating cash flow averaged into a year's (12, or a fleet
    /// refresh cycle, so that the value does not depend on where in the cycle the horizon
    /// falls).
    public static func goingConcern(
        _ rows: [MonthRow], method: Valuation.Method, annualRate r: Double, recurringCapexPerYear: Double = 0,
        window: Int = 12
    ) -> Double {
        let cf = rows.suffix(window).reduce(0) { $0 + operatingCashFlow($1) } * 12 / Double(max(1, min(window, rows.count)))
            - recurringCapexPerYear
        switch method {
        case .none: return 0
        case .gordon(let g):
            // A window longer than a year is centred (window - 12) / 2 months further back
            // than the last 12 months: carried forward at g.
            let centring = window > 12 ? pow(1 + g, Double(window - 12) / 24) : 1
            return cf * centring * (1 + g) / (r - g)
        case .multiple(let k): return cf * k
        }
    }
}
