// SPDX-License-Identifier: GPL-2.0-only
//
// The output formats: a reply for linux-mm fits 72 columns, the terminal
// table fits $COLUMNS, JUnit XML parses, markdown has its table.
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import KernelHarness

/// Counts JUnit elements.
final class JUnitCounter: NSObject, XMLParserDelegate {
    var cases = 0, failures = 0, suites = 0
    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        switch name {
        case "testcase": cases += 1
        case "failure": failures += 1
        case "testsuite": suites += 1
        default: break
        }
    }
    static func count(_ xml: String) -> JUnitCounter? {
        let c = JUnitCounter()
        let p = XMLParser(data: Data(xml.utf8))
        p.delegate = c
        return p.parse() ? c : nil
    }
}

@Suite struct FormatTests {
    /// 0004 (lock_page() in the cluster scan) on the seed scenario: new
    /// deadlocks, drawn by the worker.
    static let report: PatchCheckReport? = {
        guard let bin = CLITests.binary else { return nil }
        var o = PatchCheckOptions(scenarios: ["seed-reclaim-nonlinear"], timePerScenario: 20, jobs: 1)
        o.worker = bin
        var baseline: [String: ExplorationResult] = [:]
        guard let path = try? CheckPatchTests.patch("0004"), let texts = try? PatchReader.read([path]).patches else { return nil }
        return try? PatchChecker.check(texts, options: o, shim: nil, log: nil, baseline: &baseline)
    }()

    @Test func mailIsAReplyOf72Columns() throws {
        let r = try #require(Self.report)
        #expect(r.verdict == .bad && r.newCount > 0)
        let mail = PatchChecker.mail(r)
        let long = mail.split(separator: "\n").filter { $0.count > 72 }
        #expect(long.isEmpty, "\(long)")
        #expect(mail.hasPrefix("kharness check-patch: bad"))
        #expect(mail.contains("Replay: kharness replay ksim1:seed-reclaim-nonlinear:"))
        #expect(mail.contains("CPU0 (reclaim0)") && mail.contains("CPU1 (reclaim2)"), "\(mail)")
        #expect(mail.contains("---[ end trace ]---") || mail.contains("possible circular locking dependency"))
    }

    @Test func textFitsTheColumnsGiven() throws {
        let r = try #require(Self.report)
        for width in [80, 120] {
            let t = PatchChecker.table(r, width: width)
            let long = t.split(separator: "\n").filter { $0.count > width }
            #expect(long.isEmpty, "\(width): \(long)")
            #expect(t.contains("verdict: bad"))
        }
        // unfitted, the same words
        #expect(PatchChecker.table(r).contains("verdict: bad"))
    }

    @Test func junitParsesAndCountsTheNewFindings() throws {
        let r = try #require(Self.report)
        let c = try #require(JUnitCounter.count(PatchChecker.junit(r)))
        #expect(c.suites == 1 && c.cases >= r.rows.count)
        #expect(c.failures == r.newCount + r.deaths.count + r.generated.count + r.generatedCycles.count)
        // a clean run: a case and no failure
        let clean = try #require(JUnitCounter.count(RunFormats.junit(
            try Explorer(try Scenario(registered: "toy-locked-update"), strategy: .dpor).run(), report: nil)))
        #expect(clean.cases == 1 && clean.failures == 0)
    }

    @Test func markdownHasTheTableAndTheFindings() throws {
        let r = try #require(Self.report)
        let md = PatchChecker.markdown(r)
        #expect(md.contains("### kharness check-patch: **bad**"))
        #expect(md.contains("| scenario | before | after | change |"))
        #expect(md.contains("`seed-reclaim-nonlinear`") && md.contains("#### New findings"))
    }

    /// run --format mail / junit from the binary: the seed BUG in 72 columns.
    @Test func runFormatsFromTheCommandLine() throws {
        let mail = try CLI.kharness(["run", "seed-reclaim-nonlinear", "--format", "mail", "--jobs", "1"])
        #expect(mail.code == 1)
        #expect(mail.out.contains("kernel BUG at mm/mlock.c:73!") && mail.out.contains("Replay: kharness replay"))
        #expect(mail.out.split(separator: "\n").allSatisfy { $0.count <= 72 }, "\(mail.out)")
        let junit = try CLI.kharness(["run", "seed-reclaim-nonlinear", "--format", "junit", "--jobs", "1"])
        let c = try #require(JUnitCounter.count(junit.out))
        #expect(c.cases == 1 && c.failures >= 1)
        let both = try CLI.kharness(["run", "seed-reclaim-nonlinear", "--format", "mail", "--json"])
        #expect(both.code == 2)
    }

    @Test func fuzzFormats() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kh-fmt-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try CLI.kharness(["fuzz", "--max-execs", "300", "--seed", "3", "--jobs", "1", "--corpus", dir.path, "--format", "junit"])
        let c = try #require(JUnitCounter.count(r.out), "\(r.out) \(r.err)")
        #expect(c.cases == 1)
        #expect((c.failures > 0) == (r.code == 1), "\(r.out)")
        let m = try CLI.kharness(["fuzz", "--max-execs", "300", "--seed", "3", "--jobs", "1", "--corpus", dir.path + "-2", "--format", "mail"])
        defer { try? FileManager.default.removeItem(atPath: dir.path + "-2") }
        #expect(m.out.hasPrefix("fuzz: ") && m.out.split(separator: "\n").allSatisfy { $0.count <= 72 }, "\(m.out)")
    }

    /// The terminal report of run fits $COLUMNS (80 and 120), and its
    /// replay tokens stay whole (they are copied from it).
    @Test func runTextFitsTheColumnsGiven() throws {
        for width in [80, 120] {
            let r = try Spawn.kharness(["run", "reclaim-vs-munlock", "--jobs", "1"], env: ["COLUMNS": "\(width)"], timeout: 60)
            #expect(r.code == 1, "\(r.err)")
            let lines = r.out.split(separator: "\n")
            let long = lines.filter { $0.count > width && !$0.contains("ksim1:") }
            #expect(long.isEmpty, "\(width): \(long)")
            let tokens = r.out.split(whereSeparator: { $0 == " " || $0 == "\n" }).filter { $0.hasPrefix("ksim1:") }
            #expect(tokens.count >= 2)
            for t in tokens { #expect((try? Schedule(token: String(t))) != nil, "\(t)") }
            #expect(r.out.contains("NR_MLOCK"))
        }
    }

    /// A world of 16 tasks (three munlocks, reclaims and migrations of four
    /// pages, a drain): too many for a column per CPU, its interleaving is
    /// a line per step, within $COLUMNS in the terminal and 72 in mail.
    @Test func sixteenTasksFitTheColumnsAndTheMail() throws {
        var spec = "scenario mm16\nsummary sixteen tasks on four pages of one file\nmodel mm\npool 8\nfile f0 pages 4\n"
        for p in 0..<4 { spec += "page f0:\(p) unevictable mlocked\n" }
        for m in 0..<3 {
            spec += "mm mm\(m)\nvma mm\(m) v\(m) f0 0 4 0 locked shared\n"
            for p in 0..<4 { spec += "pte mm\(m) v\(m) \(p) f0:\(p)\n" }
        }
        for m in 0..<3 { spec += "task ml\(m) munlock mm\(m) v\(m)\n" }
        for p in 0..<4 { spec += "task r\(p) reclaim f0:\(p)\ntask g\(p) migrate f0:\(p)\ntask s\(p) reclaim f0:\(p)\n" }
        spec += "task d drain\n"
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kh-fmt16-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("mm16.scenario")
        try spec.write(to: file, atomically: true, encoding: .utf8)
        let args = ["run", file.path, "--strategy", "random", "--seed", "1", "--max-schedules", "500", "--jobs", "1"]
        let r = try Spawn.kharness(args, env: ["COLUMNS": "80"], timeout: 120)
        #expect(r.code == 1, "\(r.err)")
        let long = r.out.split(separator: "\n").filter { $0.count > 80 && !$0.contains("ksim1:") }
        #expect(long.isEmpty, "\(long)")
        // the interleaving names the CPUs of tasks beyond the eighth
        #expect(r.out.split(separator: "\n").contains { $0.hasPrefix("CPU1") && $0.count > 4 && $0.dropFirst(4).first?.isNumber == true }, "\(r.out)")
        let tokens = r.out.split(whereSeparator: { $0 == " " || $0 == "\n" }).filter { $0.hasPrefix("ksim1:") }
        #expect(!tokens.isEmpty)
        for t in tokens { #expect((try? Schedule(token: String(t))) != nil, "\(t)") }
        let mail = try Spawn.kharness(args + ["--format", "mail"], env: [:], timeout: 120)
        #expect(mail.code == 1)
        let wide = mail.out.split(separator: "\n").filter { $0.count > 72 }
        #expect(wide.isEmpty, "\(wide)")
        #expect(mail.out.contains("The interleaving:"))
    }

    @Test func wrapKeepsWordsAndWidth() {
        let t = Wrap.fit("    " + String(repeating: "word ", count: 40) + String(repeating: "x", count: 100), width: 30)
        let lines = t.split(separator: "\n")
        #expect(lines.allSatisfy { $0.count <= 30 })
        #expect(lines.count > 5 && lines.dropFirst().allSatisfy { $0.hasPrefix("        ") })
        #expect(t.replacingOccurrences(of: "\n", with: "").replacingOccurrences(of: " ", with: "")
                == (String(repeating: "word", count: 40) + String(repeating: "x", count: 100)))
        // keepWords: the long word whole on a line of its own
        let k = Wrap.fit("    " + String(repeating: "word ", count: 10) + String(repeating: "x", count: 40), width: 30, keepWords: true)
        #expect(k.split(separator: "\n").contains { $0.trimmingCharacters(in: .whitespaces) == String(repeating: "x", count: 40) })
        #expect(k.split(separator: "\n").filter { !$0.contains("xxxx") }.allSatisfy { $0.count <= 30 })
    }
}
