// SPDX-License-Identifier: GPL-2.0-only
//
// `kharness run`'s result as a linux-mm reply, markdown and JUnit XML.
import Foundation

public enum RunFormats {
    static func summary(_ r: ExplorationResult) -> String {
        let how = r.exhausted ? (r.bound.map { "exhaustive up to \($0) preemptions" } ?? "exhaustive") : "not exhaustive"
        return "\(r.scenario): \(r.strategy.name), \(r.schedules) schedule\(r.schedules == 1 ? "" : "s") (\(how)), code \(r.codeID)"
    }

    /// At most 72 columns: the result, the first failure's kernel report,
    /// its replay command and the (minimized) interleaving as columns.
    public static func mail(_ r: ExplorationResult, report: String?, picture: Timeline?) -> String {
        let w = 72
        var out = Wrap.text(summary(r), width: w)
        guard let f = r.firstFailure else {
            out += "\n" + Wrap.text("No failing finding in \(r.schedules) schedules.", width: w)
            for t in r.findings where !t.failing { out += Wrap.hanging("Tolerated: ", "\(t.kind) at \(t.location): \(t.message)", width: w) }
            return out
        }
        out += "\n" + Wrap.hanging("Found: ", "\(f.kind) in \(f.function)() at \(f.location)", width: w)
        if f.kind == "lockdep" {
            for c in r.lockCycles { out += "\n" + Wrap.fit(c.report, width: w) + "\n" }
            for v in r.lockOrderViolations { out += "\n" + Wrap.fit(v.report, width: w) + "\n" }
        } else {
            if let report { out += "\n" + Wrap.fit(report, width: w) + (report.hasSuffix("\n") ? "" : "\n") }
            out += "\n" + Wrap.hanging("Replay: ", "kharness replay \(f.token)", width: w)
            if let m = f.minimized {
                out += Wrap.text("Minimized to \(m.preemptions) preemption\(m.preemptions == 1 ? "" : "s") (was \(m.originalPreemptions)), \(m.steps) steps (was \(m.originalSteps)).", width: w)
            }
            if let picture { out += "\nThe interleaving:\n\n" + Wrap.block(picture.columns(width: w - 2), width: w, indent: "  ") }
        }
        let others = r.findings.filter { $0.failing && $0.signature != f.signature }
        if !others.isEmpty {
            out += "\n" + Wrap.text("Also: " + others.map { "\($0.kind) at \($0.location)" }.joined(separator: ", ") + ".", width: w)
        }
        return out + "\n-- \n" + Wrap.text(String(format: "kharness; %.2f s.", r.seconds), width: w)
    }

    public static func markdown(_ r: ExplorationResult, report: String?, picture: Timeline?) -> String {
        var out = "### kharness run `\(r.scenario)`: **\(r.failed ? "finding" : "clean")**\n\n" + summary(r) + "\n"
        let failing = r.findings.filter(\.failing)
        if !failing.isEmpty {
            out += "\n| kind | where | message | schedules |\n|---|---|---|---|\n"
            for f in failing {
                out += "| \(f.kind) | `\(f.function)()` `\(f.location)` | \(f.message.replacingOccurrences(of: "|", with: "\\|")) | \(f.count) |\n"
            }
        }
        if let f = r.firstFailure, f.kind != "lockdep" {
            out += "\nreplay: `kharness replay \(f.token)`\n"
            if let report {
                out += "\n<details><summary>report and interleaving</summary>\n\n```\n" + report
                    + (report.hasSuffix("\n") ? "" : "\n") + (picture.map { "\n" + $0.columns(width: 100) } ?? "") + "```\n</details>\n"
            }
        }
        return out
    }

    /// One test case for the scenario, failing with each failing finding.
    public static func junit(_ r: ExplorationResult, report: String?) -> String {
        let fails = r.findings.filter(\.failing).map { f -> (type: String, message: String, text: String) in
            let text = (f.signature == r.firstFailure?.signature ? (report ?? f.message) : f.message)
                + (f.token.isEmpty ? "" : "\nreplay: kharness replay \(f.token)\n")
            return (f.kind, "\(f.kind) in \(f.function)() at \(f.location): \(f.message)", text)
        }
        return JUnit.xml(suite: "run", cases: [JUnitCase(name: r.scenario, seconds: r.seconds, failures: fails)], seconds: r.seconds)
    }
}
