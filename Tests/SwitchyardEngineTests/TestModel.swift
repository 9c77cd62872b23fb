// SPDX-License-Identifier: GPL-3.0-or-later

import SwitchyardEngine

/// Events of the scripted test model: a label, or a resource callback with its ticket.
enum TestEvent: Hashable, Sendable {
    case label(String)
    case granted(String, ResourceTicket)
    case preempted(String, ResourceTicket)
}

/// A model that logs every event with its time and runs an optional scripted action.
struct ScriptedModel: SimulationModel {
    var log: [(time: Double, event: TestEvent)] = []
    var actions: [String: (inout Simulation<TestEvent>) -> Void] = [:]

    var labels: [String] {
        log.map {
            switch $0.event {
            case .label(let name): name
            case .granted(let name, _): "granted:\(name)"
            case .preempted(let name, _): "preempted:\(name)"
            }
        }
    }

    mutating func handle(_ event: TestEvent, in simulation: inout Simulation<TestEvent>) {
        log.append((simulation.now.hours, event))
        if case .label(let name) = event, let action = actions[name] { action(&simulation) }
    }
}

enum TickEvent: Hashable, Sendable, CustomStringConvertible {
    case tick
    case sparse(Int)

    var description: String {
        switch self {
        case .tick: "tick"
        case .sparse(let k): "sparse(\(k))"
        }
    }
}

/// A fixed-step process (a tick an hour up to hour 50) among sparse events that react
/// at tick instants and between them; ticks either go through the calendar or, with
/// `inPlace`, are fired in place while nothing else is due.
struct TickingModel: SimulationModel {
    var inPlace: Bool
    var log: [String] = []

    mutating func handle(_ event: TickEvent, in sim: inout Simulation<TickEvent>) {
        switch event {
        case .tick:
            var t = sim.now.hours
            while true {
                log.append("tick@\(t)")
                let step = Int(t)
                // Reactions: an event at the next tick's instant, one between ticks.
                if step % 7 == 3 { sim.schedule(.sparse(200 + step), at: SimTime(hours: t + 1)) }
                if step % 5 == 0 { sim.schedule(.sparse(300 + step), at: SimTime(hours: t + 0.5)) }
                let next = t + 1
                guard next <= 50 else { break }
                if inPlace && sim.fireInPlace(.tick, at: SimTime(hours: next)) {
                    t = next
                    continue
                }
                sim.schedule(.tick, at: SimTime(hours: next))
                break
            }
        case .sparse(let k):
            log.append("\(event)@\(sim.now.hours)")
            // A follow-up at the same instant, after everything already due then.
            if k < 100 { sim.schedule(.sparse(k + 100), at: sim.now) }
        }
    }
}
