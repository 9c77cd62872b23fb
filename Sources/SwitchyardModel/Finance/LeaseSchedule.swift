// SPDX-License-Identifier: GPL-3.0-or-later

import Foundation

/// The month-by-month state of a colocation lease: its term, the renewals the tenant
/// takes, and what follows (a re-let chain or a powered shell). A pure function of the
/// contract, the market rent and the number of renewals taken, so that the simulation
/// within the horizon and the terminal value after it read the same schedule.
///
/// Phases, with s the first month, T the term, R a renewal's term and n renewals taken:
/// ```
/// initial term   s ..< s + T             rent = p (1 + e)^floor((m - s) / 12), IT ramped
/// renewal j      s + T + (j-1) R ..< +R  escalated: as the initial term, continued;
///                                        market: M(start_j) (1 + spread) (1 + e)^floor((m - start_j) / 12)
/// after, E = s + T + n R:
///   shell        nothing (the megawatts are free; they keep the land value)
///   relet V, Tr  cycles of V vacant months then Tr months at M(start) (1 + e)^floor(years into the re-let)
/// ```
/// where M(m) is the market rent of month m (``ColocationMarket/rent(month:)``).
public struct LeaseSchedule: Hashable, Sendable {
    public var terms: ColocationLease
    public var market: ColocationMarket?
    /// Facility MW per MW of critical IT (the hall's PUE).
    public var pue: Double

    public init(terms: ColocationLease, market: ColocationMarket?, pue: Double) {
        self.terms = terms
        self.market = market
        self.pue = pue
    }

    /// One month of the lease: the IT MW under contract and its rent, USD per kW-month,
    /// as a base rent times an escalation factor (kept apart so that the rent billed,
    /// `itMW x 1,000 x base x factor`, rounds as it always has).
    public struct Month: Hashable, Sendable {
        public var itMW = 0.0
        public var baseRentUSDPerKWMonth = 0.0
        public var escalation = 1.0
        /// Fit-out capex for a new tenant, paid this month (re-lets only).
        public var fitOutUSD = 0.0

        /// Rent billed for the month, USD.
        public var rentUSD: Double { itMW * 1_000 * baseRentUSDPerKWMonth * escalation }
        /// Rent less fit-out: what the month is worth to the landlord.
        public var netUSD: Double { fitOutUSD == 0 ? rentUSD : rentUSD - fitOutUSD }
    }

    /// The first month of renewal `j` (1-based), if the renewals before it were taken.
    public func renewalStart(_ j: Int) -> Int { terms.startMonth + terms.termMonths + (j - 1) * terms.renewals.termMonths }

    /// The first month after the contract, its term and `n` renewals.
    public func contractEnd(renewalsTaken n: Int) -> Int { renewalStart(n + 1) }

    /// The month the contract ends: after the term and `n` renewals, or earlier, in the
    /// month the tenant defaults.
    public func end(renewalsTaken n: Int, defaultMonth: Int?) -> Int {
        min(contractEnd(renewalsTaken: n), defaultMonth ?? Int.max)
    }

    /// The lease in month `m` (1-based, of the run) when the tenant takes `n` renewals
    /// (and defaults in `defaultMonth`, if given: no rent from that month).
    public func month(_ m: Int, renewalsTaken n: Int, defaultMonth: Int? = nil) -> Month {
        let s = terms.startMonth
        let e = terms.escalatorPerYear
        guard m >= s else { return Month() }
        let elapsed = m - s
        let end = end(renewalsTaken: n, defaultMonth: defaultMonth)
        if elapsed < terms.termMonths && m < end {
            let ramp = terms.rampMonths == 0 ? 1 : min(1, Double(elapsed + 1) / Double(terms.rampMonths))
            return Month(
                itMW: terms.criticalITMW * ramp, baseRentUSDPerKWMonth: terms.priceUSDPerKWMonth,
                escalation: pow(1 + e, max(0, Double(elapsed / 12))))
        }
        if m < end {
            let j = (m - renewalStart(1)) / terms.renewals.termMonths + 1
            switch terms.renewals.rent {
            case .escalated:
                return Month(
                    itMW: terms.criticalITMW, baseRentUSDPerKWMonth: terms.priceUSDPerKWMonth,
                    escalation: pow(1 + e, Double(elapsed / 12)))
            case .market:
                let start = renewalStart(j)
                let base = (market?.rent(month: start) ?? terms.priceUSDPerKWMonth) * (1 + terms.renewals.marketSpread)
                return Month(itMW: terms.criticalITMW, baseRentUSDPerKWMonth: base, escalation: pow(1 + e, Double((m - start) / 12)))
            }
        }
        guard case .relet(let vacancy, let reletTerm) = terms.afterTerm, let market else { return Month() }
        let offset = (m - end) % (vacancy + reletTerm)
        // The fit-out for the next tenant, in the month the previous one leaves.
        let fitOut = offset == 0 && terms.reletCapexUSDPerMW > 0
            ? terms.reletCapexUSDPerMW * terms.criticalITMW * market.rent(month: m) / market.rentUSDPerKWMonth : 0
        guard offset >= vacancy else { return Month(fitOutUSD: fitOut) }
        let start = m - offset + vacancy
        return Month(
            itMW: terms.criticalITMW, baseRentUSDPerKWMonth: market.rent(month: start),
            escalation: pow(1 + e, Double((m - start) / 12)), fitOutUSD: fitOut)
    }

    /// The number of renewals taken, from one uniform draw per option: the tenant
    /// renews while its draw is below the probability, and stops at the first refusal.
    public func renewalsTaken(uniforms: [Double]) -> Int {
        var n = 0
        while n < terms.renewals.options && n < uniforms.count && uniforms[n] < terms.renewals.probability { n += 1 }
        return n
    }

    /// Probabilities of each number of renewals taken (0...options), given what is known
    /// at the end of month `h`: every renewal decided by then (decision j falls in the
    /// month renewal j would start) and the path's actual count `n`.
    public func renewalOdds(knownAt h: Int, renewalsTaken n: Int) -> [Double] {
        let options = terms.renewals.options
        var odds = [Double](repeating: 0, count: options + 1)
        let decided = (1...max(1, options)).filter { $0 <= options && renewalStart($0) <= h }.count
        if n < decided {
            odds[n] = 1  // a refusal was seen: the count is known
            return odds
        }
        // Every decision so far was a renewal: the rest are still to be drawn.
        let p = terms.renewals.probability
        var reach = 1.0
        for k in decided..<options {
            odds[k] = reach * (1 - p)
            reach *= p
        }
        odds[options] = reach
        return odds
    }

    /// The value at the end of month `h` of everything the lease brings after it, for
    /// `n` renewals taken: rent of months h + 1, h + 2, ... discounted by `d` a month
    /// (d = 1 / (1 + monthly rate)), plus, for a lease that ends in a powered shell
    /// after h, the land value of its megawatts in the month it ends.
    ///
    /// A re-let chain runs for ever: its months are summed until a re-let cycle starts
    /// after h, and the cycles from there in closed form, each worth the one before it
    /// times q = ((1 + g)^(C / 12)) d^C, with C = vacancy + re-let term and g the
    /// market rent's growth:
    /// ```
    /// sum_{c >= 0} q^c V_0 = V_0 / (1 - q),    q < 1 when g < the discount rate.
    /// ```
    public func value(
        after h: Int, renewalsTaken n: Int, defaultMonth: Int? = nil, monthlyDiscount d: Double, landValueUSDPerMW: Double
    ) -> Double {
        let end = end(renewalsTaken: n, defaultMonth: defaultMonth)
        var total = 0.0
        func add(_ m: Int) { total += month(m, renewalsTaken: n, defaultMonth: defaultMonth).netUSD * pow(d, Double(m - h)) }
        guard case .relet(let vacancy, let reletTerm) = terms.afterTerm, let market else {
            for m in (h + 1)..<max(h + 1, end) { add(m) }
            if end > h { total += landValueUSDPerMW * terms.criticalITMW * pue * pow(d, Double(end - h)) }
            return total
        }
        let cycle = vacancy + reletTerm
        // The first cycle that starts after h.
        var first = end
        if first <= h { first += ((h + 1 - first + cycle - 1) / cycle) * cycle }
        for m in (h + 1)..<first { add(m) }
        var cycleValue = 0.0
        for m in first..<(first + cycle) {
            cycleValue += month(m, renewalsTaken: n, defaultMonth: defaultMonth).netUSD * pow(d, Double(m - h))
        }
        let q = pow(1 + market.growthPerYear, Double(cycle) / 12) * pow(d, Double(cycle))
        // The scenario validator keeps g at least a point below the rate (q < 1); a caller
        // that does not gets an infinite value, not a trap.
        guard q < 1 else { return cycleValue > 0 ? .infinity : total }
        return total + cycleValue / (1 - q)
    }

    /// The expected value after month `h` (``value(after:renewalsTaken:monthlyDiscount:landValueUSDPerMW:)``)
    /// over the renewals still to be decided (``renewalOdds(knownAt:renewalsTaken:)``).
    ///
    /// With a default hazard, a tenant still paying at h defaults in month k > h with
    /// probability S(k - 1) - S(k), S(k) = exp(-lambda (k - max(h, s - 1)) / 12), and the
    /// lease is then worth the rent before k and what follows the contract from k; a
    /// tenant that defaulted by h is known to have.
    public func expectedValue(
        after h: Int, renewalsTaken n: Int, defaultMonth: Int? = nil, monthlyDiscount d: Double, landValueUSDPerMW: Double
    ) -> Double {
        if let defaultMonth, defaultMonth <= h {
            return value(after: h, renewalsTaken: n, defaultMonth: defaultMonth, monthlyDiscount: d, landValueUSDPerMW: landValueUSDPerMW)
        }
        return renewalOdds(knownAt: h, renewalsTaken: n).enumerated().reduce(0) { total, item in
            guard item.element > 0 else { return total }
            let v =
                terms.defaultPerYear > 0
                ? valueWithDefault(after: h, renewalsTaken: item.offset, monthlyDiscount: d, landValueUSDPerMW: landValueUSDPerMW)
                : value(after: h, renewalsTaken: item.offset, monthlyDiscount: d, landValueUSDPerMW: landValueUSDPerMW)
            return total + item.element * v
        }
    }

    /// The value after h of a tenant paying at h, over its default month (see
    /// ``expectedValue(after:renewalsTaken:defaultMonth:monthlyDiscount:landValueUSDPerMW:)``).
    /// What follows a default in month k is the after-term phase started at k, whose
    /// value scales with the market rent: W(k) = W(k0) (1 + g)^((k - k0) / 12).
    func valueWithDefault(after h: Int, renewalsTaken n: Int, monthlyDiscount d: Double, landValueUSDPerMW: Double) -> Double {
        let end = contractEnd(renewalsTaken: n)
        guard end > h + 1 else { return value(after: h, renewalsTaken: n, monthlyDiscount: d, landValueUSDPerMW: landValueUSDPerMW) }
        let lambda = terms.defaultPerYear
        let origin = max(h, terms.startMonth - 1)
        func survival(_ k: Int) -> Double { exp(-lambda * Double(max(0, k - origin)) / 12) }
        // What follows a default in month k, valued at h.
        let after: (Int) -> Double
        if case .relet = terms.afterTerm, let market {
            // A chain started at k0 = h + 1, valued at the end of month h.
            let chain = value(after: h, renewalsTaken: n, defaultMonth: h + 1, monthlyDiscount: d, landValueUSDPerMW: 0)
            after = { k in chain * pow(d, Double(k - h - 1)) * pow(1 + market.growthPerYear, Double(k - h - 1) / 12) }
        } else {
            let land = landValueUSDPerMW * terms.criticalITMW * pue
            after = { k in land * pow(d, Double(k - h)) }
        }
        var total = 0.0
        var rentBefore = 0.0
        for k in (h + 1)..<end {
            total += (survival(k - 1) - survival(k)) * (rentBefore + after(k))
            rentBefore += month(k, renewalsTaken: n).rentUSD * pow(d, Double(k - h))
        }
        return total + survival(end - 1) * value(after: h, renewalsTaken: n, monthlyDiscount: d, landValueUSDPerMW: landValueUSDPerMW)
    }
}
