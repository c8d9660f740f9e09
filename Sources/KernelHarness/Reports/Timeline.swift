// SPDX-License-Identifier: GPL-2.0-only
//
// Pictures of one run: a text timeline with one column per task (each step
// as `op(object)  file:line` under the kernel function it runs in, the way
// call stacks are drawn side by side in linux-mm review mail) and an SVG
// swimlane picture of the same steps.
import Foundation

public struct Timeline: Sendable, Codable, Hashable {
    public var taskNames: [String]
    public var events: [TraceEvent]
    public var findings: [Finding]

    public init(taskNames: [String], events: [TraceEvent], findings: [Finding]) {
        self.taskNames = taskNames
        self.events = events
        self.findings = findings
    }

    /// Replay `schedule` on `world` (trace on) and take its picture.
    public init(world: World, schedule: Schedule) throws {
        try world.set(.trace, 1)
        try world.run(schedule)
        self.init(taskNames: world.taskNames, events: world.events, findings: world.findings)
    }

    static func cell(_ e: TraceEvent) -> String {
        let obj = e.op.objectName == "-" ? "" : e.op.objectName
        var s = "\(e.op.kindName)(\(obj))"
        switch e.op.kindName {
        case let k where k.contains("try") || k.contains("test") || k == "load" || k == "atomic_read":
            s += " = \(e.result)"
        default: break
        }
        return s + "  " + e.op.location
    }

    /// Rows of (step, column, text): a function header when a task enters
    /// another function, then the step itself.
    func rows() -> [(step: Int?, task: Int, text: String)] {
        var out: [(Int?, Int, String)] = []
        var lastFn = [String](repeating: "", count: taskNames.count)
        for (i, e) in events.enumerated() where e.task < taskNames.count {
            if lastFn[e.task] != e.op.function {
                lastFn[e.task] = e.op.function
                out.append((i, e.task, e.op.function))
                out.append((nil, e.task, "  " + Timeline.cell(e)))
            } else {
                out.append((i, e.task, "  " + Timeline.cell(e)))
            }
        }
        return out
    }

    /// The interleaving as call stacks side by side, "CPU0 / CPU1" the way
    /// review mail draws them, at most `width` columns: only the tasks that
    /// took a step, each cell cut to its column (no step numbers, no
    /// locations: the full timeline has them).
    ///
    /// `brief`: only what changes state (locks taken and dropped, flags set
    /// and cleared, counters changed) and each task's last step, under the
    /// functions they run in: the call stacks a reviewer draws.
    public func columns(width: Int = 72, brief: Bool = true) -> String {
        var picked = events
        if brief {
            var last: [Int: Int] = [:]
            for (i, e) in events.enumerated() { last[e.task] = i }
            let lastSteps = Set(last.values)
            picked = events.enumerated().filter { i, e in
                e.op.write || Access.isLockKind(e.op.kind) || lastSteps.contains(i)
            }.map(\.element)
        }
        let rows = Timeline(taskNames: taskNames, events: picked, findings: findings).rows()
        let tasks = Array(Set(rows.map(\.task))).sorted()
        guard !tasks.isEmpty else { return "" }
        let gap = 2
        // too many tasks for a column each: one line per step instead
        if tasks.count * (12 + gap) - gap > width { return lines(rows, width: width) }
        let w = max(12, (width - gap * (tasks.count - 1)) / tasks.count)
        func cut(_ s: String) -> String { s.count <= w ? s : String(s.prefix(w - 1)) + "~" }
        func pad(_ s: String) -> String { s + String(repeating: " ", count: max(0, w - s.count)) }
        func line(_ cells: [String]) -> String {
            var l = cells.map { pad(cut($0)) }.joined(separator: String(repeating: " ", count: gap))
            while l.hasSuffix(" ") { l.removeLast() }
            return l + "\n"
        }
        var out = line(tasks.map { "CPU\($0) (\(taskNames[$0]))" })
        out += line(tasks.map { _ in "----" })
        for r in rows {
            // the op without its location: "  trylock_page(f0:0) = 1"
            var text = r.text
            if r.step != nil || text.hasPrefix("  "), let at = text.range(of: "  ", options: .backwards), at.lowerBound > text.startIndex,
               text.hasPrefix("  ") { text = String(text[..<at.lowerBound]) }
            out += line(tasks.map { $0 == r.task ? text : "" })
        }
        for f in findings {
            let who = f.task >= 0 && f.task < taskNames.count ? "CPU\(f.task): " : ""
            out += cut(who + "\(f.kind) at \(f.location)") + "\n"
        }
        return out
    }

    /// The interleaving of a run with more tasks than columns fit: a line
    /// per step, `CPUn (task)` left of it, each function the task enters on
    /// a line of its own, at most `width` columns.
    func lines(_ rows: [(step: Int?, task: Int, text: String)], width: Int) -> String {
        let who = rows.map { "CPU\($0.task) (\(taskNames[$0.task]))" }
        let w = min(who.map(\.count).max() ?? 0, max(8, width / 3))
        func cut(_ s: String, _ n: Int) -> String { s.count <= n ? s : String(s.prefix(max(1, n - 1))) + "~" }
        func pad(_ s: String) -> String { s + String(repeating: " ", count: max(0, w - s.count)) }
        var out = "", last = -1
        for (i, r) in rows.enumerated() {
            // the task's name only where the CPU changes
            let head = r.task == last ? pad("") : pad(cut(who[i], w))
            last = r.task
            var line = head + "  " + cut(r.text, max(1, width - w - 2))
            while line.hasSuffix(" ") { line.removeLast() }
            out += line + "\n"
        }
        for f in findings {
            let who = f.task >= 0 && f.task < taskNames.count ? "CPU\(f.task): " : ""
            out += cut(who + "\(f.kind) at \(f.location)", width) + "\n"
        }
        return out
    }

    /// The two-column (one column per task) text timeline.
    public var text: String {
        let rows = rows()
        let n = taskNames.count
        var width = [Int](repeating: 12, count: n)
        for r in rows { width[r.task] = max(width[r.task], r.text.count + 2) }
        for (t, name) in taskNames.enumerated() { width[t] = max(width[t], name.count + 12) }
        func pad(_ s: String, _ w: Int) -> String { s + String(repeating: " ", count: max(0, w - s.count)) }
        var out = pad("step", 6)
        for (t, name) in taskNames.enumerated() { out += "| " + pad("\(name) (CPU \(t))", width[t]) }
        while out.hasSuffix(" ") { out.removeLast() }
        out += "\n" + String(repeating: "-", count: 6)
        for t in 0..<n { out += "+" + String(repeating: "-", count: width[t] + 1) }
        out += "\n"
        for r in rows {
            var line = pad(r.step.map { String($0) } ?? "", 6)
            for t in 0..<n { line += "| " + pad(t == r.task ? r.text : "", width[t]) }
            while line.hasSuffix(" ") { line.removeLast() }
            out += line + "\n"
        }
        for f in findings {
            let who = f.task >= 0 ? " (\(f.taskName))" : ""
            out += "=> \(f.kind)\(who) at \(f.location): \(f.message)\n"
        }
        return out
    }

    /// An SVG swimlane picture: one lane per task, one box per step.
    public var svg: String {
        let n = taskNames.count
        let stepW = 22, laneH = 56, left = 110, top = 40
        let w = left + max(1, events.count) * stepW + 40
        let h = top + n * laneH + 40 + findings.count * 18
        func esc(_ s: String) -> String {
            s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
                .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
        }
        let palette = ["#4e79a7", "#f28e2b", "#59a14f", "#b07aa1", "#76b7b2", "#edc948", "#ff9da7", "#9c755f"]
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(w)\" height=\"\(h)\" font-family=\"monospace\" font-size=\"11\">\n"
        s += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        s += "<text x=\"8\" y=\"20\" font-size=\"13\">\(events.count) steps; hover a box for the operation and kernel file:line</text>\n"
        for (t, name) in taskNames.enumerated() {
            let y = top + t * laneH
            s += "<rect x=\"0\" y=\"\(y)\" width=\"\(w)\" height=\"\(laneH - 4)\" fill=\"\(t % 2 == 0 ? "#f4f4f4" : "#ebebeb")\"/>\n"
            s += "<text x=\"8\" y=\"\(y + laneH / 2)\">\(esc(name)) (CPU \(t))</text>\n"
        }
        var lastFn = [String](repeating: "", count: n)
        for (i, e) in events.enumerated() where e.task < n {
            let x = left + i * stepW, y = top + e.task * laneH
            let color = palette[e.task % palette.count]
            s += "<g><title>\(i): \(esc(e.op.function)) \(esc(Timeline.cell(e)))</title>"
            s += "<rect x=\"\(x)\" y=\"\(y + 18)\" width=\"\(stepW - 2)\" height=\"\(laneH - 26)\" fill=\"\(color)\" rx=\"3\"/></g>\n"
            if lastFn[e.task] != e.op.function {
                lastFn[e.task] = e.op.function
                s += "<text x=\"\(x)\" y=\"\(y + 13)\" font-size=\"10\">\(esc(e.op.function))</text>\n"
            }
        }
        for (k, f) in findings.enumerated() {
            let x = left + max(0, events.count - 1) * stepW + stepW
            s += "<line x1=\"\(x)\" y1=\"\(top)\" x2=\"\(x)\" y2=\"\(top + n * laneH)\" stroke=\"red\" stroke-width=\"2\"/>\n"
            s += "<text x=\"8\" y=\"\(top + n * laneH + 18 + k * 18)\" fill=\"red\">\(esc("\(f.kind) at \(f.location): \(f.message)"))</text>\n"
        }
        return s + "</svg>\n"
    }
}
