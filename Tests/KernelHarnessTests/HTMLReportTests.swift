// SPDX-License-Identifier: GPL-2.0-only
//
// The HTML report in a real browser: headless Chromium renders the page,
// runs its measuring script, and the test reads what the script found in
// the rendered DOM (no two function labels overlap, the failing step is
// inside the visible part of its lane box, no lane box is wider than the
// page).  `make test` installs Chromium from Debian when it is missing.
import Foundation
import Testing
@testable import KernelHarness

@Suite struct HTMLReportTests {
    static var chromium: String? {
        ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// The page after its scripts ran, as headless Chromium dumps it.
    static func render(_ html: String, width: Int = 1000) throws -> String {
        let browser = try #require(chromium, "no Chromium: make test installs it (apt-get install chromium)")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kh-html-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("report.html")
        try html.write(to: file, atomically: true, encoding: .utf8)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: browser)
        p.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir=\(dir.appendingPathComponent("profile").path)",
                       "--window-size=\(width),900", "--dump-dom", file.absoluteString]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    /// "labels=12 overlaps=0 …" from the rendered page, as numbers.
    static func check(_ dom: String) throws -> [String: Int] {
        let start = try #require(dom.range(of: "<pre id=\"layout-check\">"), "no layout check in \(dom.prefix(300))")
        let rest = dom[start.upperBound...]
        let end = try #require(rest.range(of: "</pre>"))
        var out: [String: Int] = [:]
        for pair in rest[..<end.lowerBound].split(separator: " ") {
            let kv = pair.split(separator: "=")
            if kv.count == 2, let v = Int(kv[1]) { out[String(kv[0])] = v }
        }
        return out
    }

    /// The seed BUG's run: 38 steps in a dozen functions, labels close
    /// together.
    static func seedPage(_ scenario: String = "seed-reclaim-nonlinear") throws -> String {
        let r = try Explorer(try Scenario(registered: scenario), strategy: .dpor,
                             options: ExploreOptions(jobs: 1)).run()
        let f = try #require(r.firstFailure)
        let w = try World(scenario: scenario)
        let t = try Timeline(world: w, schedule: try Schedule(token: f.token))
        return HTMLReport.run(r, report: t.findings.first?.report, picture: t)
    }

    @Test func labelsNeverOverlapAndTheFailingStepIsVisible() throws {
        let c = try Self.check(try Self.render(try Self.seedPage()))
        #expect((c["labels"] ?? 0) > 5, "\(c)")
        #expect(c["overlaps"] == 0, "\(c)")
        #expect(c["failing"] == 1 && c["failing-visible"] == 1, "\(c)")
        #expect(c["boxes-wider-than-page"] == 0, "\(c)")
    }

    /// A narrow window: the lanes scroll inside their box, the failing step
    /// is still scrolled into view.
    @Test func narrowWindowScrollsTheLanes() throws {
        let c = try Self.check(try Self.render(try Self.seedPage(), width: 480))
        #expect(c["overlaps"] == 0 && c["failing-visible"] == 1 && c["boxes-wider-than-page"] == 0, "\(c)")
    }

    /// The check itself can fail: labels drawn on top of each other are counted.
    @Test func theMeasurementSeesOverlaps() throws {
        let svg = "<div class=\"lanebox\"><svg width=\"300\" height=\"40\" font-family=\"monospace\" font-size=\"11\">"
            + "<text class=\"label\" x=\"10\" y=\"20\">shrink_page_list</text><text class=\"label\" x=\"20\" y=\"20\">try_to_unmap</text></svg></div>"
        let page = HTMLReport.page(title: "t", verdict: "v", summary: "", table: svg, sections: [])
        let c = try Self.check(try Self.render(page))
        #expect(c["labels"] == 2 && c["overlaps"] == 1, "\(c)")
    }

    /// The page is self-contained: no external resource.
    @Test func selfContained() throws {
        let page = try Self.seedPage()
        #expect(!page.contains("src=\"http") && !page.contains("href=\"http") && !page.contains("<link"))
        #expect(page.contains("kernel BUG at mm/mlock.c:73!") && page.contains("class=\"held\""))
    }

    /// fuzz --html: every finding, found in a generated world, gets its
    /// report and the swimlanes of its run on that world; the labels of
    /// all of them still never overlap.
    @Test func fuzzFindingsOfGeneratedWorldsHaveSwimlanes() throws {
        let s = try Fuzzer(options: FuzzTests.options(seed: 3, execs: 400)).run()
        let generated = s.findings.filter { $0.spec != nil }
        #expect(!generated.isEmpty, "\(s.findings.map(\.signature))")
        let page = HTMLReport.fuzz(s, api: .builtin)
        #expect(page.components(separatedBy: "<svg").count - 1 == s.findings.count, "\(s.findings.map(\.signature))")
        for f in s.findings { #expect(page.contains(HTMLReport.esc(f.message)), "\(f.signature)") }
        #expect(!HTMLReport.fuzz(s).contains("<svg"))      // no code given: the table alone
        let c = try Self.check(try Self.render(page))
        #expect((c["labels"] ?? 0) > 3 && c["overlaps"] == 0 && c["boxes-wider-than-page"] == 0, "\(c)")
    }

    /// A BUG_ON(!PageLocked) while another task holds the lock: the failing
    /// test of PG_locked is joined to the other task's lock_page().
    @Test func conflictingAccessesAreJoined() throws {
        let page = try Self.seedPage("toy-owner")
        #expect(page.contains("class=\"conflict\"") && page.contains("class=\"step failing\""))
        let c = try Self.check(try Self.render(page))
        #expect(c["overlaps"] == 0 && c["failing-visible"] == 1, "\(c)")
    }
}
