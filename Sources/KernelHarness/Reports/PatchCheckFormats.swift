// SPDX-License-Identifier: GPL-2.0-only
//
// check-patch's verdict as a linux-mm reply, as markdown and as JUnit XML.
import Foundation

extension PatchChecker {
    static let mailWidth = 72

    /// Each new finding of the scenarios with its row.
    static func newFindings(_ r: PatchCheckReport) -> [(row: PatchCheckRow, finding: FoundFinding)] {
        r.rows.flatMap { row in row.new.map { (row, $0) } }
    }

    static func subjects(_ r: PatchCheckReport) -> [String] {
        r.outcomes.map { $0.patch.subject ?? ($0.patch.source as NSString).lastPathComponent }
    }

    /// A reply for the list: the verdict first, then each new finding in
    /// the kernel's report shape with its replay command and the minimized
    /// interleaving drawn as call stacks side by side; at most 72 columns.
    public static func mail(_ r: PatchCheckReport) -> String {
        let w = mailWidth
        var out = ""
        let n = r.newCount + r.deaths.count + r.suiteCycles.count + r.generated.count + r.generatedCycles.count
        out += Wrap.text("kharness check-patch: \(r.verdictText), \(n) new finding\(n == 1 ? "" : "s"), \(r.fixedCount) fixed, "
                         + "\(r.unchangedCount) unchanged, over \(r.rows.count) scenario\(r.rows.count == 1 ? "" : "s") of the v3.13 model.", width: w)
        for s in subjects(r) { out += Wrap.hanging("  patch: ", s, width: w) }
        if let e = r.error { out += "\n" + Wrap.hanging("Cannot test: ", e, width: w) }
        if r.notExercised { out += "\n" + Wrap.text("No scenario runs the changed code, so the verdict says nothing about it.", width: w) }
        let news = newFindings(r)
        let shown = 3
        for (row, f) in news.prefix(shown) {
            out += "\n" + Wrap.hanging("New: ", "\(f.kind) in \(f.function)() at \(f.location), scenario \(row.scenario)", width: w)
            let pic = row.pictures[f.identity]
            if f.kind == "lockdep" {
                for c in row.after.result.lockCycles where f.message.hasSuffix(c.chain) { out += "\n" + Wrap.fit(c.report, width: w) + "\n" }
                for v in row.after.result.lockOrderViolations where v.message == f.message { out += "\n" + Wrap.fit(v.report, width: w) + "\n" }
                continue
            }
            if let rep = pic?.report, !rep.isEmpty {
                out += "\n" + Wrap.fit(rep, width: w) + (rep.hasSuffix("\n") ? "" : "\n")
            } else {
                out += Wrap.text(f.message, width: w, indent: "  ")
            }
            out += "\n" + Wrap.hanging("Replay: ", "kharness replay \(f.token)", width: w)
            if let pic {
                out += "\nThe interleaving" + (pic.schedule != f.token ? " (minimized)" : "") + ":\n\n"
                out += Wrap.block(pic.columns, width: w, indent: "  ")
            }
        }
        if news.count > shown {
            out += "\n" + Wrap.text("\(news.count - shown) more new finding\(news.count - shown == 1 ? "" : "s"): "
                                    + news.dropFirst(shown).map { "\($0.finding.kind) at \($0.finding.location)" }.joined(separator: ", ")
                                    + " (--format text lists them with their replays).", width: w)
        }
        for d in r.deaths {
            out += "\n" + Wrap.hanging("New: ", "\(d.kind == "hang" ? "hang" : "worker death") in \(d.scenario ?? "the generated worlds"): \(d.message)", width: w)
            if let t = d.token, !t.isEmpty { out += Wrap.hanging("Replay: ", "kharness replay \(t)", width: w) }
        }
        for c in r.suiteCycles {
            out += "\n" + Wrap.hanging("New across scenarios: ", "possible circular locking dependency \(c.chain)", width: w)
            out += "\n" + Wrap.fit(c.report, width: w) + "\n"
        }
        for g in r.generatedCycles {
            out += "\n" + Wrap.hanging("New in generated worlds: ", "possible circular locking dependency \(g.cycle.chain)", width: w)
            out += "\n" + Wrap.fit(g.cycle.report, width: w) + "\n"
        }
        for g in r.generated {
            out += "\n" + Wrap.hanging("New in a generated world: ", "\(g.finding.kind) at \(g.finding.location): \(g.finding.message)", width: w)
            if let rep = g.picture?.report, !rep.isEmpty {
                out += "\n" + Wrap.fit(rep, width: w) + (rep.hasSuffix("\n") ? "" : "\n")
            }
            out += "\n" + Wrap.hanging("Replay: ", "kharness replay \(g.finding.file.map { ($0 as NSString).lastPathComponent } ?? g.finding.token)", width: w)
            if let pic = g.picture {
                out += "\nThe interleaving (minimized):\n\n" + Wrap.block(pic.columns, width: w, indent: "  ")
            }
        }
        for c in r.claims where !c.holds {
            out += "\n" + Wrap.hanging("Broken claim: ", c.claim.text + (c.accesses == 0 ? " (no access to the field)" : ""), width: w)
            for s in c.breaking.prefix(2) {
                out += Wrap.hanging("  ", "\(s.write ? "write" : "read") at \(s.location) in \(s.function)(), holding "
                                    + (s.locks.isEmpty ? "no lock" : s.locks.joined(separator: " ")), width: w)
                out += Wrap.hanging("  Replay: ", "kharness replay \(s.token)", width: w)
            }
        }
        if !r.protection.filter(\.changed).isEmpty {
            out += "\nProtection, of the accesses from inside the changed functions:\n"
            for c in r.protection where c.changed {
                let b = c.before.map { $0.isEmpty ? "no lock" : $0.joined(separator: " ") } ?? "(no access)"
                let a = c.after.map { $0.isEmpty ? "no lock" : $0.joined(separator: " ") } ?? "(no access)"
                out += Wrap.hanging("  \(c.field) from \(c.function)(): ", "was \(b); now \(a)", width: w)
            }
        }
        out += "\n-- \n" + Wrap.text(String(format: "kharness, code %@; %.1f s.", r.codeID ?? "?", r.seconds), width: w)
        return out
    }

    /// For a pull request: the verdict, the table, the new findings with
    /// their reports and interleavings folded away.
    public static func markdown(_ r: PatchCheckReport) -> String {
        func cell(_ s: String) -> String { s.replacingOccurrences(of: "|", with: "\\|") }
        var out = "### kharness check-patch: **\(r.verdictText)**\n\n"
        for s in subjects(r) { out += "- patch: \(cell(s))\n" }
        if let e = r.error { out += "\n**Cannot test:** \(cell(e))\n" }
        if !r.rows.isEmpty {
            out += "\n| scenario | before | after | change |\n|---|---|---|---|\n"
            for row in r.rows { out += "| `\(row.scenario)` | \(cell(row.before.cell)) | \(cell(row.after.cell)) | \(cell(row.change)) |\n" }
        }
        let news = newFindings(r)
        if !news.isEmpty || !r.deaths.isEmpty || !r.suiteCycles.isEmpty {
            out += "\n#### New findings\n\n"
            for (row, f) in news {
                out += "- **\(f.kind)** in `\(f.function)()` at `\(f.location)` (`\(row.scenario)`): \(cell(f.message))\n"
                if !f.token.isEmpty { out += "  replay: `kharness replay \(f.token)`\n" }
                if let pic = row.pictures[f.identity] {
                    out += "  <details><summary>report and interleaving</summary>\n\n  ```\n"
                    out += (pic.report + "\n" + pic.columns).split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }.joined(separator: "\n")
                    out += "\n  ```\n  </details>\n"
                }
            }
            for d in r.deaths { out += "- **\(d.kind == "hang" ? "hang" : "worker death")** in `\(d.scenario ?? "generated worlds")`: \(cell(d.message))\n" }
            for c in r.suiteCycles { out += "- **lockdep** across scenarios: `\(c.chain)`\n" }
        }
        out += String(format: "\n_%d fixed, %d new, %d unchanged; %.1f s_\n", r.fixedCount, r.newCount, r.unchangedCount, r.seconds)
        return out
    }

    /// A test case per scenario (failing with each new finding), one for
    /// the generated worlds, one per worker death.
    public static func junit(_ r: PatchCheckReport) -> String {
        var cases: [JUnitCase] = []
        if let e = r.error { cases.append(JUnitCase(name: "build", seconds: r.buildSeconds, failures: [("untestable", e, e)])) }
        for row in r.rows {
            let fails = row.new.map { f -> (type: String, message: String, text: String) in
                let text = (row.pictures[f.identity].map { $0.report + "\n" + $0.columns } ?? f.message) + "\nreplay: kharness replay \(f.token)\n"
                return (f.kind, "\(f.kind) in \(f.function)() at \(f.location): \(f.message)", text)
            }
            cases.append(JUnitCase(name: row.scenario, seconds: row.after.result.seconds, failures: fails))
        }
        for d in r.deaths {
            cases.append(JUnitCase(name: "worker: \(d.scenario ?? "generated worlds")", seconds: 0,
                                   failures: [(d.kind, d.message, d.output)]))
        }
        if r.generatedExecs > 0 || !r.generated.isEmpty || !r.generatedCycles.isEmpty {
            let fails = r.generated.map { ($0.finding.kind, "\($0.finding.kind) at \($0.finding.location): \($0.finding.message)", $0.finding.token) }
                + r.generatedCycles.map { ("lockdep", "possible circular locking dependency \($0.cycle.chain)", $0.cycle.report) }
            cases.append(JUnitCase(name: "generated worlds", seconds: 0, failures: fails))
        }
        for c in r.claims {
            cases.append(JUnitCase(name: "claim \(c.claim.text)", seconds: 0, failures: c.holds ? [] : [
                ("claim", "broken at \(c.breaking.count) of \(c.accesses) access sites",
                 c.breaking.map { "\($0.location) \($0.function): \($0.locks.joined(separator: " "))\nreplay: kharness replay \($0.token)" }.joined(separator: "\n"))]))
        }
        if r.notExercised { cases.append(JUnitCase(name: "changed code", seconds: 0, skipped: "no scenario runs the changed code")) }
        return JUnit.xml(suite: "check-patch", cases: cases, seconds: r.seconds)
    }
}
