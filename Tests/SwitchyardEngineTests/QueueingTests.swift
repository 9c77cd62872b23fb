// SPDX-License-Identifier: GPL-3.0-or-later

import MMcQueue
import SwitchyardEngine
import SwitchyardTestSupport
import Testing

/// The engine against queueing theory. Tolerances are 4 standard errors estimated by
/// batch means (30 batches, so a t distribution with 29 degrees of freedom: a 4-SE
/// check fails by chance 0.04% of the time) after a warm-up, not guessed.
struct QueueingTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var servers: Int
        var rho: Double
        var customers: Int
        var seed: UInt64
        var testDescription: String { "M/M/\(servers), rho=\(rho)" }
    }

    static let cases = [
        Case(servers: 1, rho: 0.7, customers: 300_000, seed: 101),
        Case(servers: 4, rho: 0.8, customers: 300_000, seed: 202),
        Case(servers: 4, rho: 0.9, customers: 400_000, seed: 303),
    ]

    @Test("Mean wait within 4 standard errors of Erlang C", arguments: cases, TestSeeds.sweep)
    func meanWaitMatchesErlangC(_ c: Case, offset: UInt64) {
        let arrivalRate = c.rho * Double(c.servers)
        var sim = Simulation<MMcQueue.Event>()
        var model = MMcQueue(
            servers: c.servers, arrivalRate: arrivalRate, serviceRate: 1, customers: c.customers, seed: TestSeeds.seed(c.seed, offset),
            recordWaits: true, simulation: &sim)
        sim.run(&model)
        let steady = model.waits!.dropFirst(c.customers / 20)
        let estimate = BatchMeans(steady, batches: 30)
        let exact = ErlangC.meanWait(servers: c.servers, arrivalRate: arrivalRate, serviceRate: 1)
        #expect(
            abs(estimate.mean - exact) < 4 * estimate.standardError,
            "Wq = \(estimate.mean) +/- \(estimate.standardError), Erlang C \(exact)")
        // Power: the SE is under 8% of the value (at rho 0.9 it is 4-6%), so an error of a
        // third would fail.
        #expect(estimate.standardError < 0.08 * exact, "the test has power: SE is small against the value")
    }

    @Test("Utilisation and queue length (time averages) within 4 SE of theory", arguments: cases, TestSeeds.sweep)
    func timeAveragesMatchTheory(_ c: Case, offset: UInt64) {
        let arrivalRate = c.rho * Double(c.servers)
        var sim = Simulation<MMcQueue.Event>()
        var model = MMcQueue(
            servers: c.servers, arrivalRate: arrivalRate, serviceRate: 1, customers: c.customers, seed: TestSeeds.seed(c.seed, offset),
            simulation: &sim)
        let horizon = Double(c.customers) / arrivalRate * 0.95
        let warmUp = horizon / 20
        sim.run(&model, until: SimTime(hours: warmUp))
        // Consecutive time windows give batch means of the time averages.
        let window = (horizon - warmUp) / 30
        var utilisation: [Double] = []
        var queueLength: [Double] = []
        for k in 1...30 {
            sim.resetStatistics()
            sim.run(&model, until: SimTime(hours: warmUp + Double(k) * window))
            let stats = sim.statistics(of: model.servers)
            utilisation.append(stats.utilisation)
            queueLength.append(stats.meanQueueLength)
        }
        let u = BatchMeans(utilisation, batches: 30)
        let lq = BatchMeans(queueLength, batches: 30)
        let exactLq = arrivalRate * ErlangC.meanWait(servers: c.servers, arrivalRate: arrivalRate, serviceRate: 1)
        #expect(abs(u.mean - c.rho) < 4 * u.standardError, "utilisation \(u.mean) +/- \(u.standardError)")
        #expect(abs(lq.mean - exactLq) < 4 * lq.standardError, "Lq \(lq.mean) +/- \(lq.standardError), \(exactLq)")
    }

    @Test("Little's law L = lambda W holds on the sample path of a run that drains")
    func littlesLaw() {
        var sim = Simulation<MMcQueue.Event>()
        var model = MMcQueue(
            servers: 3, arrivalRate: 2.4, serviceRate: 1, customers: 50_000, seed: 9, simulation: &sim)
        sim.run(&model)  // arrivals stop, the system empties
        let stats = sim.statistics(of: model.servers)
        let horizon = sim.now.hours
        let timeAverageInSystem = stats.meanInUse + stats.meanQueueLength
        let throughput = Double(model.departed) / horizon
        let littles = throughput * model.totalSojourn / Double(model.departed)
        #expect(model.departed == 50_000)
        #expect(abs(timeAverageInSystem - littles) < 1e-9 * littles, "L=\(timeAverageInSystem) lambda*W=\(littles)")
        // And for the queue alone: Lq = lambda Wq.
        let lq = throughput * model.totalWait / Double(model.departed)
        #expect(abs(stats.meanQueueLength - lq) < 1e-9 * lq)
    }
}
