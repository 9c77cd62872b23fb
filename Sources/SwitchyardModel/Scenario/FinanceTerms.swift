// SPDX-License-Identifier: GPL-3.0-or-later

/// The finance side of a scenario: what turns the operations' monthly rows into
/// project and equity cash flows (``FinanceLayer``). Every item is off by default, so a
/// scenario without a `finance` section keeps its numbers.
public struct FinanceTerms: Hashable, Sendable {
    /// The landlord's cost of running leased halls.
    public enum ColocationOpex: Hashable, Sendable {
        /// A share of the rent (1 - operating margin).
        case shareOfRent(Double)
        /// USD per contracted kW of critical IT a month.
        case usdPerKWMonth(Double)
    }

    /// A tax depreciation schedule, applied by run year (year 1 = months 1-12).
    public indirect enum Depreciation: Hashable, Sendable {
        /// Equal shares over `years`, starting in the year the asset is paid for.
        case straightLine(years: Int)
        /// US MACRS general depreciation system, half-year convention (IRS Pub. 946,
        /// table A-1): 3, 5, 7, 10, 15 or 20 years.
        case macrs(years: Int)
        /// `share` written off in the first year (bonus depreciation), the rest by `rest`.
        case bonus(share: Double, rest: Depreciation)

        /// Rates by year from the year of purchase (they sum to 1).
        public var rates: [Double] {
            switch self {
            case .straightLine(let years): return [Double](repeating: 1 / Double(years), count: years)
            case .macrs(let years): return Self.macrsTables[years] ?? [1]
            case .bonus(let share, let rest):
                var r = rest.rates.map { $0 * (1 - share) }
                r[0] += share
                return r
            }
        }

        /// IRS Publication 946, Table A-1 (half-year convention), percent.
        static let macrsTables: [Int: [Double]] = [
            3: [33.33, 44.45, 14.81, 7.41],
            5: [20.00, 32.00, 19.20, 11.52, 11.52, 5.76],
            7: [14.29, 24.49, 17.49, 12.49, 8.93, 8.92, 8.93, 4.46],
            10: [10.00, 18.00, 14.40, 11.52, 9.22, 7.37, 6.55, 6.55, 6.56, 6.55, 3.28],
            15: [5.00, 9.50, 8.55, 7.70, 6.93, 6.23, 5.90, 5.90, 5.91, 5.90, 5.91, 5.90, 5.91, 5.90, 5.91, 2.95],
            20: [3.750, 7.219, 6.677, 6.177, 5.713, 5.285, 4.888, 4.522, 4.462, 4.461, 4.462, 4.461, 4.462, 4.461, 4.462,
                 4.461, 4.462, 4.461, 4.462, 4.461, 2.231],
        ].mapValues { $0.map { $0 / 100 } }
    }

    public struct Tax: Hashable, Sendable {
        /// Corporate income tax rate (US federal 21%).
        public var rate: Double
        /// Share of a year's taxable income that losses carried forward may offset
        /// (US: 80% for losses after 2017).
        public var lossOffsetShare: Double
        /// Schedules for conversion capex and for GPUs.
        public var conversion: Depreciation
        public var gpus: Depreciation

        public init(rate: Double, lossOffsetShare: Double = 1, conversion: Depreciation = .macrs(years: 15), gpus: Depreciation = .macrs(years: 5)) {
            self.rate = rate
            self.lossOffsetShare = lossOffsetShare
            self.conversion = conversion
            self.gpus = gpus
        }
    }

    public struct Debt: Hashable, Sendable {
        public enum Amortisation: String, Hashable, Sendable, CaseIterable {
            /// Level monthly payments of interest and principal.
            case annuity
            /// Equal monthly principal, interest on the balance.
            case straightLine
            /// Interest only; principal at maturity.
            case bullet
        }

        /// Share of capex (conversions and GPUs) borrowed when it is paid.
        public var loanToCost: Double
        public var ratePerYear: Double
        public var tenorYears: Double
        public var amortisation: Amortisation

        public init(loanToCost: Double, ratePerYear: Double, tenorYears: Double, amortisation: Amortisation = .annuity) {
            self.loanToCost = loanToCost
            self.ratePerYear = ratePerYear
            self.tenorYears = tenorYears
            self.amortisation = amortisation
        }
    }

    public var colocationOpex: ColocationOpex?
    public var tax: Tax?
    public var debt: Debt?
    /// Discount rate of the equity's cash flows (default: the scenario's rate).
    public var equityDiscountRatePerYear: Double?
    /// Discount rate of contracted rent (net of landlord opex and tax) and of the
    /// leases' value at the horizon (default: the scenario's rate).
    public var contractDiscountRatePerYear: Double?
    /// Cash at the start: with it, a run reports when (and how often) cash runs out.
    public var startingCashUSD: Double?

    public init() {}

    /// Whether the finance layer changes anything (else the NPV is the operations'
    /// pre-tax, unlevered one, as before).
    public var isOn: Bool {
        colocationOpex != nil || tax != nil || debt != nil || equityDiscountRatePerYear != nil
            || contractDiscountRatePerYear != nil || startingCashUSD != nil
    }
}
