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
/// operations  = max(going concern, land value x MW not under a lease)
///   gordon:     going concern = CF12 (1 + g) / (r - g)
///   multiple:   going concern = CF12 x multiple
/// ```
/// where CF12 is the operating cash flow of the last 12 months (mining, GPU cloud and
/// curtailment revenue less energy and opex, site opex included; rent, capex and
/// asset sales excluded) and r the annual discount rate. The floor is the owner's
/// alternative of selling (or leasing out) the powered land rather than operating at
/// a loss: `landValueUSDPerMW` per MW of interconnect not committed to a lease.
public struct TerminalValue: Hashable, Sendable {
    /// Leases, capex still due on conversions under way, a PPA's remaining settlements.
    public var contractsUSD = 0.0
    /// The leases' part of `contractsUSD` (valued at the contract discount rate, if any).
    public var leasesUSD = 0.0
    /// Operations' value (the larger of going concern and land), and its two candidates.
    public var operationsUSD = 0.0
    public var goingConcernUSD = 0.0
    public var landUSD = 0.0

    public init() {}

    public var totalUSD: Double { contractsUSD + operationsUSD }

    /// The operating cash flow of a month: what the terminal value's going concern is
    /// built on (a PPA's settlements are a contract with an end, valued with the leases).
    public static func operatingCashFlow(_ row: MonthRow) -> Double {
        row.miningRevenueUSD + row.gpuCloudRevenueUSD + row.curtailmentCreditsUSD - row.energyCostUSD - row.opexUSD
            - row.transmissionUSD
    }

    /// The going-concern value of operations from the last 12 months' rows.
    public static func goingConcern(_ rows: [MonthRow], method: Valuation.Method, annualRate r: Double) -> Double {
        let cf = rows.suffix(12).reduce(0) { $0 + operatingCashFlow($1) } * 12 / Double(max(1, min(12, rows.count)))
        switch method {
        case .none: return 0
        case .gordon(let g): return cf * (1 + g) / (r - g)
        case .multiple(let k): return cf * k
        }
    }
}
