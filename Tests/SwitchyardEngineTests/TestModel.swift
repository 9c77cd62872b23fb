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
