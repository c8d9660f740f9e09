// SPDX-License-Identifier: GPL-2.0-only
//
// The bench report as the text table `kharness bench` prints.
import Foundation

extension BenchReport {
    static func f(_ x: Double, _ digits: Int = 1) -> String { String(format: "%.\(digits)f", x) }
    /// Seconds as "12.3 ms" below 1 s, "1.23 s" above.
    static func ms(_ s: Double) -> String { s < 1 ? String(format: "%.2f ms", s * 1000) : String(format: "%.2f s", s) }
    static func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
    static func lpad(_ s: String, _ n: Int) -> String { s.count >= n ? s : String(repeating: " ", count: n - s.count) + s }

    public var table: String {
        var o: [String] = []
        let m = machine
        let la = { (x: [Double]) in x.map { BenchReport.f($0, 2) }.joined(separator: " ") }
        o.append("kharness bench: medians of \(runs) run(s)\(quick ? " (--quick)" : ""), \(BenchReport.f(wallSeconds)) s wall")
        o.append("machine: \(m.cpu), \(m.cores) cores, load \(la(m.loadAverageStart)) -> \(la(m.loadAverageEnd)); \(m.os)")
        o.append("tools:   \(m.swift); \(m.clang)")
        o.append("code:    \(m.codeID)")
        o.append("")
        o.append("bare coroutine round trip: \(BenchReport.f(roundtripCpuNs)) ns CPU, \(BenchReport.f(roundtripNs)) ns wall")
        o.append("")
        o.append("scenario                 strategy     ns/step (CPU / wall)  x rtrip  schedules/s (CPU / wall)   C random loop: CPU ns/step, direct / driver")
        for s in Set(throughput.map(\.scenario)).sorted(by: { a, b in
            (throughput.firstIndex { $0.scenario == a } ?? 0) < (throughput.firstIndex { $0.scenario == b } ?? 0) }) {
            let c = cLoop.first { $0.scenario == s }
            let d = cLoopDriver.first { $0.scenario == s }
            for (i, t) in throughput.filter({ $0.scenario == s }).enumerated() {
                var line = BenchReport.pad(i == 0 ? s : "", 24) + " " + BenchReport.pad(t.strategy, 12)
                line += BenchReport.lpad(BenchReport.f(t.cpuNsPerStep) + " / " + BenchReport.f(t.nsPerStep), 21)
                line += BenchReport.lpad(BenchReport.f(t.roundtrips), 9)
                line += BenchReport.lpad(BenchReport.f(t.cpuSchedulesPerSecond, 0) + " / " + BenchReport.f(t.schedulesPerSecond, 0), 26)
                if i == 0, let c {
                    line += "   \(BenchReport.f(c.cpuNsPerStep))"
                    if let d { line += " / \(BenchReport.f(d.cpuNsPerStep))" }
                }
                o.append(line)
            }
        }
        o.append("")
        if let s = seedFixSchedulesPerSecond {
            o.append("seed-reclaim-nonlinear with Patches/0001, random, --jobs 1: \(BenchReport.f(seedFixCpuSchedulesPerSecond ?? 0, 0)) schedules per CPU second, \(BenchReport.f(s, 0)) per wall second")
            o.append("")
        }
        o.append("known bug                          strategy      first finding (median schedules / seconds)")
        for b in Set(firstFindings.map(\.bug)).sorted(by: { a, b in
            (firstFindings.firstIndex { $0.bug == a } ?? 0) < (firstFindings.firstIndex { $0.bug == b } ?? 0) }) {
            for (i, r) in firstFindings.filter({ $0.bug == b }).enumerated() {
                let head = i == 0 ? "\(b) [\(r.scenario)]" : ""
                var cell: String
                if r.found, let n = r.schedules, let s = r.seconds {
                    cell = "\(n) / \(BenchReport.ms(s))"
                    if r.foundRuns < runs && !r.strategy.hasPrefix("dfs") && r.strategy != "dpor" {
                        cell += " (\(r.foundRuns)/\(runs) runs)"
                    }
                    if i == 0 || r.finding != firstFindings.first(where: { $0.bug == b })?.finding {
                        cell += "  \(r.finding ?? "")"
                    }
                } else {
                    cell = "not found in \(r.capSchedules) / \(BenchReport.f(r.capSeconds)) s"
                }
                if head.count > 34 {
                    o.append(head)
                    o.append(BenchReport.pad("", 34) + " " + BenchReport.pad(r.strategy, 13) + " " + cell)
                } else {
                    o.append(BenchReport.pad(head, 34) + " " + BenchReport.pad(r.strategy, 13) + " " + cell)
                }
            }
        }
        o.append("")
        o.append("two-task scenario        DFS (capped)                      DPOR")
        for s in Set(exhaust.map(\.scenario)).sorted() {
            func cell(_ e: BenchReport.Exhaust?) -> String {
                guard let e else { return "-" }
                if e.exhausted { return "\(e.schedules) sched, \(BenchReport.ms(e.seconds))" }
                return "not exhausted: \(e.schedules) in \(BenchReport.f(e.seconds, 1)) s"
            }
            o.append(BenchReport.pad(s, 24) + " " + BenchReport.pad(cell(exhaust.first { $0.scenario == s && $0.strategy.hasPrefix("dfs") }), 33)
                     + " " + cell(exhaust.first { $0.scenario == s && $0.strategy == "dpor" }))
        }
        o.append("")
        if !manyTask.isEmpty {
            o.append("3+ task scenario (DPOR)            tasks jobs  schedules  blocked (of all runs)     cut  time to exhaust")
            for m in manyTask {
                let t = m.exhausted ? BenchReport.ms(m.seconds) + (m.runs > 1 ? "" : " (1 run)")
                    : "not exhausted in \(BenchReport.f(m.capSeconds, 0)) s"
                o.append(BenchReport.pad(m.scenario, 34) + BenchReport.lpad("\(m.tasks)", 6) + BenchReport.lpad("\(m.jobs)", 5)
                         + BenchReport.lpad("\(m.schedules)", 11)
                         + BenchReport.lpad("\(m.blocked) (\(BenchReport.f(m.blockedFraction * 100))%)", 23)
                         + BenchReport.lpad("\(m.cut)", 8) + "  " + t)
            }
            o.append("")
        }
        if let j = jobs {
            o.append("--jobs 2 vs --jobs 1 (\(j.scenario), \(j.strategy), \(j.schedules) schedules): "
                     + "\(BenchReport.f(j.jobs1SchedulesPerSecond, 0)) -> \(BenchReport.f(j.jobs2SchedulesPerSecond, 0)) schedules/s, "
                     + "ratio \(BenchReport.f(j.ratio, 2))"
                     + (j.independentRatio.map { "; two threads of the C loop sharing nothing: \(BenchReport.f($0, 2))" } ?? ""))
        }
        o.append("peak RSS: \(peakRssKib) KiB")
        o.append("")
        o.append("stress baseline (\(stressBinary ?? "no binary"), same wall time per bug): first finding, stress vs systematic")
        for s in stress {
            var line = BenchReport.pad(s.bug, 34) + " "
            if !s.ran {
                line += "not run: \(s.note ?? "?")"
            } else {
                let rate = s.iterationsPerSecond.map { BenchReport.f($0, 0) } ?? "?"
                let st = s.firstFindingSeconds.map { BenchReport.ms($0) }
                    ?? "not found in \(BenchReport.f(s.seconds)) s"
                let sys = s.systematicSeconds.map { "\(BenchReport.ms($0)) (\(s.systematicStrategy ?? ""))" } ?? "not found"
                line += "stress \(st) [\(rate) it/s, \(s.failingIterations ?? 0) failing]  systematic \(sys)"
                if let r = s.ratio { line += "  ratio \(BenchReport.f(r, 1))x" }
                else if s.firstFindingSeconds == nil, let y = s.systematicSeconds, y > 0 {
                    line += "  ratio > \(BenchReport.f(s.seconds / y, 1))x"
                }
            }
            o.append(line)
        }
        o.append("")
        o.append("targets")
        for t in targets {
            let v = t.met.map { $0 ? "met" : "NOT met" } ?? "-"
            o.append("  " + BenchReport.pad(t.name, 52) + " " + BenchReport.pad(t.target, 10) + " " + t.measured + "  [" + v + "]")
        }
        for n in notes { o.append("note: \(n)") }
        return o.joined(separator: "\n")
    }
}
