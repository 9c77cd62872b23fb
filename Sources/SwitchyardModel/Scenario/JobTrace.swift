// SPDX-License-Identifier: GPL-3.0-or-later

import Foundation

/// Training-job traces: CSV with a header naming `submit_time`, `num_gpu` and
/// `duration` (seconds), and optionally `job_id` (the Tiresias trace format).
public enum JobTrace {
    public struct LoadError: Error, CustomStringConvertible {
        public var description: String
    }

    public static func load(path: String) throws(LoadError) -> [TraceJob] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw LoadError(description: "cannot read trace file \(path)")
        }
        return try parse(text, file: path)
    }

    public static func parse(_ text: String, file: String) throws(LoadError) -> [TraceJob] {
        let lines = text.split(whereSeparator: \.isNewline).map { String($0) }
        guard let header = lines.first?.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) else {
            throw LoadError(description: "\(file): empty trace")
        }
        func column(_ name: String) throws(LoadError) -> Int {
            guard let index = header.firstIndex(of: name) else {
                throw LoadError(description: "\(file): trace needs a '\(name)' column; header has \(header.joined(separator: ", "))")
            }
            return index
        }
        let submit = try column("submit_time")
        let gpus = try column("num_gpu")
        let duration = try column("duration")
        let id = header.firstIndex(of: "job_id")
        var jobs: [TraceJob] = []
        var bad: [String] = []
        for (offset, line) in lines.enumerated().dropFirst() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            guard fields.count == header.count, let s = Double(fields[submit]), s.isFinite, s >= 0,
                let g = Int(fields[gpus]), g > 0, g <= 100_000_000, let d = Double(fields[duration]), d.isFinite, d > 0
            else {
                bad.append("line \(offset + 1): \(line.prefix(60)) (needs submit_time >= 0, num_gpu 1-100,000,000, duration > 0)")
                continue
            }
            jobs.append(TraceJob(id: id.map { fields[$0] } ?? "\(offset)", submitSeconds: s, gpus: g, durationSeconds: d))
        }
        guard bad.isEmpty else {
            throw LoadError(description: "\(file): \(bad.count) bad row(s): " + bad.prefix(5).joined(separator: "; "))
        }
        guard !jobs.isEmpty else { throw LoadError(description: "\(file): no jobs") }
        // Stable by submit time: equal submit times keep file order.
        return jobs.enumerated().sorted { ($0.element.submitSeconds, $0.offset) < ($1.element.submitSeconds, $1.offset) }
            .map(\.element)
    }
}
