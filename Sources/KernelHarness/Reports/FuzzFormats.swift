// SPDX-License-Identifier: GPL-2.0-only
//
// `kharness fuzz`'s summary as a linux-mm reply, markdown and JUnit XML.
import Foundation

public enum FuzzFormats {
    static func head(_ s: FuzzSummary) -> String {
        "fuzz: \(s.execs) executions in \(String(format: "%.1f", s.seconds)) s, \(s.coverage) coverage features, seed \(s.seed), code \(s.codeID)"
    }

    static func replay(_ f: FuzzFindingSummary) -> String {
        "kharness replay " + (f.file.map { ($0 as NSString).lastPathComponent } ?? f.token)
    }

    public static func mail(_ s: FuzzSummary) -> String {
        let w = 72
        var out = Wrap.text(head(s), width: w)
        if s.findings.isEmpty { return out + "\n" + Wrap.text("No new finding.", width: w) }
        for f in s.findings {
            out += "\n" + Wrap.hanging("New: ", "\(f.kind) at \(f.location): \(f.message)", width: w)
            out += Wrap.text("after \(f.execs) executions; minimized to \(f.tasks) task\(f.tasks == 1 ? "" : "s"), "
                             + "\(f.preemptions) preemption\(f.preemptions == 1 ? "" : "s"), \(f.steps) steps.", width: w, indent: "  ")
            out += Wrap.hanging("Replay: ", replay(f), width: w)
        }
        return out
    }

    public static func markdown(_ s: FuzzSummary) -> String {
        var out = "### kharness fuzz: **\(s.findings.isEmpty ? "no new finding" : "\(s.findings.count) new finding\(s.findings.count == 1 ? "" : "s")")**\n\n" + head(s) + "\n"
        if !s.findings.isEmpty {
            out += "\n| kind | where | message | replay |\n|---|---|---|---|\n"
            for f in s.findings {
                out += "| \(f.kind) | `\(f.location)` | \(f.message.replacingOccurrences(of: "|", with: "\\|")) | `\(replay(f))` |\n"
            }
        }
        return out
    }

    public static func junit(_ s: FuzzSummary) -> String {
        let fails = s.findings.map { f -> (type: String, message: String, text: String) in
            (f.kind, "\(f.kind) at \(f.location): \(f.message)", replay(f) + "\n")
        }
        return JUnit.xml(suite: "fuzz", cases: [JUnitCase(name: "fuzz seed \(s.seed)", seconds: s.seconds, failures: fails)], seconds: s.seconds)
    }
}
