// SPDX-License-Identifier: GPL-2.0-only
//
// The audit's reports: a table per field (at most 100 columns), one
// field's every site (--explain), and JSON.
import Foundation

public enum AuditText {
    static let width = 100

    static func clip(_ s: String) -> String {
        s.count <= width ? s : String(s.prefix(width - 1)) + "…"
    }

    static func locks(_ s: AuditSite) -> String {
        let l = s.locks + (s.isolated ? [isolatedByMe] : [])
        return l.isEmpty ? "no lock" : l.joined(separator: " ")
    }

    /// "mlock_vma_page < try_to_unmap_cluster" without the site's own function.
    static func callers(_ s: AuditSite, depth: Int = 3) -> String {
        var parts = s.chain.components(separatedBy: " < ").filter { !$0.isEmpty }
        if parts.first == s.function { parts.removeFirst() }
        let shown = parts.prefix(depth)
        return shown.isEmpty ? "" : "< " + shown.joined(separator: " < ") + (parts.count > depth ? " …" : "")
    }

    /// Sites of a field folded by (site, read/write, locks), call chains
    /// and scenarios merged: the table's rows.
    static func rows(_ f: AuditField) -> [(site: AuditSite, count: Int, callers: [String])] {
        var order: [String] = []
        var acc: [String: (AuditSite, Int, [String])] = [:]
        for s in f.sites {
            let k = "\(s.write) \(s.file):\(s.line) \(s.function) \(locks(s))"
            if acc[k] == nil { order.append(k); acc[k] = (s, 0, []) }
            acc[k]!.1 += s.count
            let c = callers(s, depth: 1).replacingOccurrences(of: " …", with: "")
            if !c.isEmpty && !acc[k]!.2.contains(c) { acc[k]!.2.append(c) }
        }
        return order.map { (acc[$0]!.0, acc[$0]!.1, acc[$0]!.2) }
    }

    static func protectionLine(_ f: AuditField) -> String {
        if f.writes.isEmpty { return "  never written in these scenarios" }
        if !f.protection.isEmpty { return "  every write holds: " + f.protection.joined(separator: ", ") }
        if let l = f.likely {
            return "  no lock is held by every write; \(l) by most write sites, not by \(f.breaking.count):"
        }
        return "  no write holds any lock"
    }

    /// `head` then `words`, wrapped at the width with `indent` spaces.
    static func wrap(_ head: String, _ words: [String], indent: Int, trimLastComma: Bool = false) -> String {
        var words = words
        if trimLastComma, let l = words.last, l.hasSuffix(",") { words[words.count - 1] = String(l.dropLast()) }
        var out = "", line = head
        for w in words {
            if line.count + 1 + w.count > width && line.count > indent {
                out += line + "\n"
                line = String(repeating: " ", count: indent) + w
            } else {
                line += " " + w
            }
        }
        return out + clip(line) + "\n"
    }

    public static func table(_ r: AuditReport, before: AuditReport? = nil) -> String {
        var out = ""
        let ex = r.scenarios.map { "\($0)\(r.exhausted[$0] == true ? "" : " (not exhausted)")" }
        out += Wrap.text("audit of \(ex.joined(separator: ", ")): code \(r.codeID), \(r.schedules) schedules, \(String(format: "%.1f", r.seconds)) s", width: width)
        if r.dropped > 0 { out += "note: \(r.dropped) accesses not recorded (a table of the recorder was full)\n" }
        if let b = before {
            let changed = r.fields.compactMap { f -> String? in
                let old = b.field(f.field)
                let was = old.map { $0.protection.isEmpty ? "nothing" : $0.protection.joined(separator: ", ") } ?? "(no access)"
                let now = f.protection.isEmpty ? "nothing" : f.protection.joined(separator: ", ")
                return was == now ? nil : "  \(f.field): every write held \(was); now \(now)"
            }
            out += changed.isEmpty ? "protection: no field's changed with the patches\n"
                : "protection changed with the patches:\n" + changed.map { clip($0) + "\n" }.joined()
        }
        for c in r.claims {
            if c.holds {
                out += clip("claim \(c.claim.text): holds (\(c.accesses) access sites)") + "\n"
            } else if c.accesses == 0 {
                out += clip("claim \(c.claim.text): BROKEN: no access to \(c.claim.field) was seen") + "\n"
            } else {
                out += clip("claim \(c.claim.text): BROKEN at \(c.breaking.count) of \(c.accesses) access sites") + "\n"
                for s in c.breaking.prefix(5) {
                    out += clip("  \(s.write ? "write" : "read") at \(s.location) in \(s.function) \(callers(s))") + "\n"
                    out += wrap("    holding:", locks(s).components(separatedBy: " "), indent: 13)
                    out += "    replay: kharness replay \(s.token)\n"   // whole: it is copied
                }
                if c.breaking.count > 5 { out += "  … (--explain \(c.claim.field) shows all)\n" }
            }
        }
        for race in r.races { out += "\n" + kcsan(race) }
        for f in r.fields {
            let w = Set(f.writes.map(\.location)).count, rd = Set(f.reads.map(\.location)).count
            out += "\n" + clip("\(f.field): \(w) write site\(w == 1 ? "" : "s"), \(rd) read site\(rd == 1 ? "" : "s")") + "\n"
            out += clip(protectionLine(f)) + "\n"
            for row in rows(f) {
                let broken = row.site.write && !f.breaking.isEmpty && !row.site.protections.contains(f.likely ?? "")
                let at = row.site.line == 0 ? "\(row.site.function)() (\(row.site.op))" : "\(row.site.location) \(row.site.function)"
                let head = "\(broken ? "!" : " ")\(row.site.write ? "W" : "R") \(at), \(row.count)x:"
                out += wrap("  " + head, locks(row.site).components(separatedBy: " "), indent: 8)
                if row.site.write, !row.callers.isEmpty {
                    out += wrap("        from", row.callers.map { String($0.dropFirst(2)) + "," }, indent: 13, trimLastComma: true)
                }
            }
        }
        return out
    }

    /// A data race in the shape of KCSAN's report.
    public static func kcsan(_ r: AuditRace) -> String {
        let rule = String(repeating: "=", count: 66)
        func side(_ a: AuditRace.Access, _ prefix: String) -> String {
            var s = "\(prefix)\(a.write ? "write" : "read") to \(r.field) by task \(a.task) at \(a.location):\n"
            let frames = a.chain.isEmpty ? [a.function] : a.chain.components(separatedBy: " < ")
            for f in frames { s += " \(f)\n" }
            return s
        }
        // the earlier access wrote: what was there before it, and what the
        // later one found
        var change = ""
        if r.first.write, let old = r.first.value, let now = r.second.value {
            change = "\nvalue changed: 0x\(hex(old)) -> 0x\(hex(now))\n"
        }
        return rule + "\n" + clip("BUG: KCSAN: data-race in \(r.first.function) / \(r.second.function)") + "\n\n"
            + side(r.second, "") + "\n" + side(r.first, "previous ") + change
            + "\n" + clip("seen \(r.count)x in \(r.scenario)") + "\nreplay: kharness replay \(r.token)\n" + rule + "\n"
    }

    static func hex(_ v: UInt64) -> String {
        let h = String(v, radix: 16)
        return String(repeating: "0", count: max(0, (h.count <= 8 ? 8 : 16) - h.count)) + h
    }

    /// Every site of one field: chain, lock set, count, scenario, token.
    public static func explain(_ f: AuditField) -> String {
        var out = "\(f.field)\n" + clip(protectionLine(f)) + "\n"
        for s in f.sites {
            out += "\n\(s.write ? "write" : "read") (\(s.op)\(s.atomic ? "" : ", plain")) at \(s.location) in \(s.function)()\n"
            out += "  chain:    \(s.chain)\n"
            out += "  holding:  \(locks(s))\n"
            out += "  seen:     \(s.count)x in \(s.scenario)\n"
            out += "  replay:   kharness replay \(s.token)\n"
        }
        return out
    }

    public static func json(_ r: AuditReport, before: AuditReport?) -> String {
        struct Out: Encodable {
            var after: AuditReport
            var before: AuditReport?
        }
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        enc.keyEncodingStrategy = .convertToSnakeCase
        if let before {
            return String(decoding: (try? enc.encode(Out(after: r, before: before))) ?? Data(), as: UTF8.self)
        }
        return String(decoding: (try? enc.encode(r)) ?? Data(), as: UTF8.self)
    }
}
