// SPDX-License-Identifier: GPL-3.0-or-later

import Foundation
import SwitchyardModel
import SwitchyardPlanner
import SwitchyardRisk

/// What forking from the never run saves: the least-squares payoff jobs of the
/// planner (every path with the block started at each decision month), run from month
/// 1 and forked from each path's never run; the results must agree to the bit.
func forkBenchmark(_ options: Options) {
    let paths = options.int("paths", 200)
    let step = options.int("step", 6)
    let threads = options.int("threads", ProcessInfo.processInfo.activeProcessorCount)
    var scenario: Scenario
    do { scenario = try ScenarioLoader.builtin(options.values["scenario"] ?? "texas-200mw") } catch { fail("\(error)") }
    let never = ConversionPolicy.never.apply(to: scenario)
    let months = Array(stride(from: 1, to: scenario.horizonMonths, by: step))
    let variants = months.map { m in
        ConversionPolicy.schedule([m] + [Int?](repeating: nil, count: scenario.conversions.count - 1)).apply(to: scenario)
    }
    var jobs: [(scenario: Int, path: UInt64)] = []
    for p in 0..<paths { for k in variants.indices { jobs.append((k, UInt64(p))) } }
    print("benchmark: fork \(scenario.name), \(paths) paths x \(months.count) start months (every \(step)), \(threads) threads")
    let plain = timed {
        Result { () throws(NonFiniteResult) in try RiskRunner.run(scenarios: variants, seed: 1, jobs: jobs, threads: threads) { $1.npvUSD } }
    }
    let forked = timed {
        Result { () throws(NonFiniteResult) in
            try RiskRunner.runForked(never: never, variants: variants, seed: 1, jobs: jobs, threads: threads) { $1.npvUSD }
        }
    }
    guard case .success(let a) = plain.value, case .success(let b) = forked.value else { fail("a path gave a non-finite result") }
    guard a == b else { fail("forked and plain runs differ") }
    print(String(format: "from month 1: wall_seconds %.2f (%d path runs)", plain.seconds, jobs.count))
    print(String(format: "forked:       wall_seconds %.2f, %.2fx faster, identical NPVs", forked.seconds, plain.seconds / forked.seconds))
}
