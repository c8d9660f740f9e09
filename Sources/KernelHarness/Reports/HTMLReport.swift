// SPDX-License-Identifier: GPL-2.0-only
//
// One self-contained HTML page per result: the verdict and its table, each
// finding's report, and a swimlane picture of its run that reads without
// hovering.  Function labels are packed into rows so that none overlaps
// another, locks held are bars under each lane, the two accesses that
// conflict at the failing step are joined by a line, and the failing step
// is marked and scrolled into view.  The lanes scroll sideways inside
// their box, so the page keeps its width.  A script on the page measures
// what the browser drew and writes the result into #layout-check (labels,
// overlapping pairs, whether the failing step is visible), so a headless
// browser can check the layout from the rendered page.
import Foundation

public enum HTMLReport {
    static func esc(_ s: String) -> String { Wrap.xml(s) }

    /// A section of the page: a heading, preformatted report text, and a
    /// run to draw.
    public struct Section: Sendable {
        public var title: String
        public var report: String
        public var replay: String?
        public var timeline: Timeline?
        public init(title: String, report: String, replay: String? = nil, timeline: Timeline? = nil) {
            self.title = title
            self.report = report
            self.replay = replay
            self.timeline = timeline
        }
    }

    static let step = 16.0        // horizontal px per step
    static let charWidth = 6.6    // px per character of an 11 px monospace label
    static let labelRow = 14.0

    /// The swimlane SVG of one run.
    public static func swimlanes(_ t: Timeline, id: String) -> String {
        let lanes = t.taskNames.count
        let n = t.events.count
        let left = 130.0
        // function labels: where a task enters another function
        struct Label { var task: Int; var x: Double; var text: String; var row = 0 }
        var labels: [Label] = []
        var lastFn = [String](repeating: "", count: lanes)
        for (i, e) in t.events.enumerated() where e.task < lanes && lastFn[e.task] != e.op.function {
            lastFn[e.task] = e.op.function
            labels.append(Label(task: e.task, x: left + Double(i) * step, text: e.op.function))
        }
        // pack each lane's labels into rows: a label goes to the first row
        // whose last label ends before it starts
        var rowsOf = [Int](repeating: 1, count: lanes)
        for lane in 0..<lanes {
            var ends: [Double] = []
            for i in labels.indices where labels[i].task == lane {
                let w = Double(labels[i].text.count) * charWidth + 6
                if let r = ends.firstIndex(where: { $0 <= labels[i].x }) {
                    labels[i].row = r
                    ends[r] = labels[i].x + w
                } else {
                    labels[i].row = ends.count
                    ends.append(labels[i].x + w)
                }
            }
            rowsOf[lane] = max(1, ends.count)
        }
        // lane geometry: label rows, then the step boxes, then lock bars
        var top = [Double](repeating: 0, count: lanes)
        var y = 24.0
        // locks held: (task, from step, to step, name)
        var spans: [(task: Int, from: Int, to: Int, name: String)] = []
        var open: [String: (Int, Int)] = [:]   // "task|object" -> (task, step)
        // (steps of tasks without a lane, the end-of-run checker's, are not drawn)
        for (i, e) in t.events.enumerated() where e.task < lanes {
            let k = e.op.kindName, key = "\(e.task)|\(e.op.objectName)"
            let acquires = (k.hasSuffix("lock") && !k.contains("unlock") || k.hasPrefix("down_") || k == "lock_page"
                            || k == "trylock_page") && !(k.contains("try") && e.result == 0)
            if acquires && !k.contains("unlock") { open[key] = (e.task, i) }
            if k.contains("unlock") || k.hasPrefix("up_") {
                if let o = open.removeValue(forKey: key) { spans.append((o.0, o.1, i, e.op.objectName)) }
            }
        }
        for (key, o) in open { spans.append((o.0, o.1, n, String(key.split(separator: "|").last ?? ""))) }
        var barRows = [Int](repeating: 0, count: lanes)
        var spanRow: [Int] = []
        // rows for bars: greedy per lane
        var barEnds = [[Int]](repeating: [], count: lanes)
        let order = spans.indices.sorted { (spans[$0].task, spans[$0].from) < (spans[$1].task, spans[$1].from) }
        spanRow = [Int](repeating: 0, count: spans.count)
        for i in order {
            let s = spans[i]
            if let r = barEnds[s.task].firstIndex(where: { $0 < s.from }) { spanRow[i] = r; barEnds[s.task][r] = s.to }
            else { spanRow[i] = barEnds[s.task].count; barEnds[s.task].append(s.to) }
        }
        for l in 0..<lanes { barRows[l] = barEnds[l].count }
        for l in 0..<lanes {
            top[l] = y
            y += Double(rowsOf[l]) * labelRow + 22 + Double(barRows[l]) * 10 + 18
        }
        // wide enough for the last label and the failing step's note
        let failNoteLen = t.findings.first.map { Double("step 0000: ".count + 40 + $0.kind.count + $0.location.count) } ?? 0
        let labelEnd = labels.map { $0.x + Double($0.text.count) * charWidth + 10 }.max() ?? 0
        let width = max(left + Double(max(n, 1)) * step + 40, labelEnd,
                        left + Double(max(n - 1, 0)) * step + failNoteLen * charWidth)
        func boxY(_ lane: Int) -> Double { top[lane] + Double(rowsOf[lane]) * labelRow + 4 }
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"\(id)\" class=\"lanes\" width=\"\(Int(width))\" height=\"\(Int(y + 10))\" font-family=\"monospace\" font-size=\"11\">\n"
        for l in 0..<lanes {
            svg += "<text x=\"6\" y=\"\(boxY(l) + 11)\" font-weight=\"bold\">\(esc(t.taskNames[l])) (CPU\(l))</text>\n"
            svg += "<line x1=\"\(left)\" y1=\"\(boxY(l) + 7)\" x2=\"\(width - 20)\" y2=\"\(boxY(l) + 7)\" stroke=\"#ccc\"/>\n"
        }
        for lab in labels {
            let ly = top[lab.task] + Double(lab.row) * labelRow + 11
            svg += "<text class=\"label\" x=\"\(lab.x)\" y=\"\(ly)\">\(esc(lab.text))</text>\n"
            svg += "<line x1=\"\(lab.x)\" y1=\"\(ly + 2)\" x2=\"\(lab.x)\" y2=\"\(boxY(lab.task))\" stroke=\"#999\" stroke-width=\"0.5\"/>\n"
        }
        // the failing step: the last step of the first finding's task
        let failTask = t.findings.first.map(\.task).flatMap { $0 < lanes ? $0 : nil } ?? -1
        let failStep = t.events.lastIndex { $0.task == failTask }
        // the access it conflicts with: the latest earlier step of another
        // task on the same object
        var other: Int? = nil
        if let f = failStep {
            let obj = t.events[f].op.object
            other = t.events[..<f].lastIndex { $0.task != failTask && $0.task < lanes && $0.op.object == obj && obj != 0 }
        }
        for (i, e) in t.events.enumerated() where e.task < lanes {
            let x = left + Double(i) * step
            let isFail = i == failStep
            let color = isFail ? "#d00" : (e.op.write ? "#36c" : "#8ab")
            let tip = "\(i): \(e.op.kindName)(\(e.op.objectName)) \(e.op.location) in \(e.op.function)"
            svg += "<rect class=\"step\(isFail ? " failing" : "")\"\(isFail ? " id=\"\(id)-failing\"" : "") x=\"\(x)\" y=\"\(boxY(e.task))\" width=\"\(step - 3)\" height=\"14\" fill=\"\(color)\"><title>\(esc(tip))</title></rect>\n"
        }
        for (i, s) in spans.enumerated() {
            let x1 = left + Double(s.from) * step, x2 = left + Double(s.to) * step
            let by = boxY(s.task) + 18 + Double(spanRow[i]) * 10
            svg += "<rect class=\"held\" x=\"\(x1)\" y=\"\(by)\" width=\"\(max(3, x2 - x1))\" height=\"6\" fill=\"#e9b\" opacity=\"0.8\"><title>\(esc(s.name)) held</title></rect>\n"
            svg += "<text x=\"\(x1 + 2)\" y=\"\(by + 6)\" font-size=\"8\">\(esc(s.name))</text>\n"
        }
        if let f = failStep, let o = other {
            let e1 = t.events[o], e2 = t.events[f]
            svg += "<line class=\"conflict\" x1=\"\(left + Double(o) * step + 6)\" y1=\"\(boxY(e1.task) + 7)\" x2=\"\(left + Double(f) * step + 6)\" y2=\"\(boxY(e2.task) + 7)\" stroke=\"#d00\" stroke-width=\"2\" stroke-dasharray=\"4 2\"/>\n"
        }
        if let f = failStep {
            let e = t.events[f]
            let msg = t.findings.first.map { "\($0.kind) at \($0.location)" } ?? ""
            svg += "<text class=\"failnote\" x=\"\(left + Double(f) * step)\" y=\"\(boxY(e.task) + 30 + Double(barRows[e.task]) * 10)\" fill=\"#d00\">\(esc("step \(f): \(e.op.kindName)(\(e.op.objectName)) — \(msg)"))</text>\n"
        }
        return svg + "</svg>\n"
    }

    /// The whole page.
    public static func page(title: String, verdict: String, summary: String, table: String, sections: [Section]) -> String {
        var body = "<h1>\(esc(title))</h1>\n<p class=\"verdict\">\(esc(verdict))</p>\n<pre class=\"summary\">\(esc(summary))</pre>\n"
        if !table.isEmpty { body += table + "\n" }
        for (i, s) in sections.enumerated() {
            body += "<section>\n<h2>\(esc(s.title))</h2>\n"
            if let r = s.replay { body += "<p>replay: <code>\(esc(r))</code></p>\n" }
            if let t = s.timeline {
                body += "<div class=\"lanebox\">\n" + swimlanes(t, id: "run\(i)") + "</div>\n"
                body += "<details><summary>steps</summary><pre>\(esc(t.text))</pre></details>\n"
            }
            body += "<pre class=\"report\">\(esc(s.report))</pre>\n</section>\n"
        }
        return """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>\(esc(title))</title>
        <style>
        body { font-family: sans-serif; margin: 1.5em; max-width: 1100px; }
        pre { background: #f6f6f6; padding: .6em; overflow-x: auto; font-size: 12px; }
        .verdict { font-size: 1.3em; font-weight: bold; }
        .lanebox { overflow-x: auto; border: 1px solid #ccc; max-width: 100%; }
        table { border-collapse: collapse; } td, th { border: 1px solid #ccc; padding: 2px 6px; font-size: 13px; }
        #layout-check { color: #777; }
        </style></head><body>
        \(body)
        <pre id="layout-check">not measured (no script)</pre>
        <script>
        (function () {
          var labels = Array.prototype.slice.call(document.querySelectorAll('svg text.label'));
          var boxes = labels.map(function (l) { return l.getBoundingClientRect(); });
          var overlaps = 0;
          for (var i = 0; i < boxes.length; i++)
            for (var j = i + 1; j < boxes.length; j++) {
              var a = boxes[i], b = boxes[j];
              if (a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5) overlaps++;
            }
          var fails = Array.prototype.slice.call(document.querySelectorAll('rect.failing'));
          var visible = 0;
          fails.forEach(function (f) {
            f.scrollIntoView({ block: 'nearest', inline: 'nearest' });
            var r = f.getBoundingClientRect(), box = f.closest('.lanebox').getBoundingClientRect();
            if (r.width > 0 && r.left >= box.left && r.right <= box.right) visible++;
          });
          var wide = 0;
          document.querySelectorAll('.lanebox').forEach(function (b) {
            if (b.getBoundingClientRect().right > document.documentElement.clientWidth + 1) wide++;
          });
          document.getElementById('layout-check').textContent =
            'labels=' + labels.length + ' overlaps=' + overlaps + ' failing=' + fails.length +
            ' failing-visible=' + visible + ' boxes-wider-than-page=' + wide;
        })();
        </script>
        </body></html>

        """
    }

    public static func table(_ rows: [[String]], head: [String]) -> String {
        var out = "<table><tr>" + head.map { "<th>\(esc($0))</th>" }.joined() + "</tr>\n"
        for r in rows { out += "<tr>" + r.map { "<td>\(esc($0))</td>" }.joined() + "</tr>\n" }
        return out + "</table>"
    }

    public static func checkPatch(_ r: PatchCheckReport) -> String {
        let rows = r.rows.map { [$0.scenario, $0.before.cell, $0.after.cell, $0.change] }
        var sections: [Section] = []
        for row in r.rows {
            for f in row.new {
                let pic = row.pictures[f.identity]
                sections.append(Section(title: "new in \(row.scenario): \(f.kind) at \(f.location) in \(f.function)()",
                                        report: pic?.report.isEmpty == false ? pic!.report : f.message,
                                        replay: f.token.isEmpty ? nil : "kharness replay \(f.token)", timeline: pic?.timeline))
            }
        }
        for g in r.generated {
            let f = g.finding
            sections.append(Section(title: "new in a generated world: \(f.kind) at \(f.location)" + (f.function.map { " in \($0)()" } ?? ""),
                                    report: g.picture?.report.isEmpty == false ? g.picture!.report : f.message,
                                    replay: FuzzFormats.replay(f), timeline: g.picture?.timeline))
        }
        return page(title: "kharness check-patch", verdict: "verdict: \(r.verdictText)", summary: PatchChecker.patchSummary(r),
                    table: table(rows, head: ["scenario", "before", "after", "change"]), sections: sections)
    }

    public static func run(_ r: ExplorationResult, report: String?, picture: Timeline?) -> String {
        var sections: [Section] = []
        if let f = r.firstFailure {
            sections.append(Section(title: "\(f.kind) at \(f.location) in \(f.function)()", report: report ?? f.message,
                                    replay: f.token.isEmpty ? nil : "kharness replay \(f.token)", timeline: picture))
        }
        let rows = r.findings.map { [$0.kind, $0.location, $0.message, String($0.count), $0.failing ? "fails" : "tolerated"] }
        return page(title: "kharness run \(r.scenario)", verdict: r.failed ? "finding" : "no failing finding",
                    summary: RunFormats.summary(r), table: table(rows, head: ["kind", "where", "message", "schedules", ""]),
                    sections: sections)
    }

    /// With `api` (the code the fuzzer ran), each finding gets its section:
    /// its kernel report and the swimlanes of its minimized run, replayed
    /// on the world it was found in (a generated one, from its spec).
    public static func fuzz(_ s: FuzzSummary, api: KernelAPI? = nil) -> String {
        let rows = s.findings.map { [$0.kind, $0.location, $0.message, FuzzFormats.replay($0)] }
        let sections = api.map { api in s.findings.map { fuzzSection($0, api: api) } } ?? []
        return page(title: "kharness fuzz", verdict: s.findings.isEmpty ? "no new finding" : "\(s.findings.count) new findings",
                    summary: FuzzFormats.head(s), table: table(rows, head: ["kind", "where", "message", "replay"]),
                    sections: sections)
    }

    static func fuzzSection(_ f: FuzzFindingSummary, api: KernelAPI) -> Section {
        let title = "\(f.kind) at \(f.location)" + (f.function.map { " in \($0)()" } ?? "")
        var report = f.message
        var picture: Timeline? = nil
        if let spec = f.spec, let w = try? World(spec: spec, api: api), let sched = try? Schedule(token: f.token),
           let t = try? Timeline(world: w, schedule: sched) {
            picture = t
            if let full = t.findings.first(where: { $0.signature == f.signature }) { report = full.report }
        }
        return Section(title: title, report: report, replay: FuzzFormats.replay(f), timeline: picture)
    }
}
