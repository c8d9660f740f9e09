// SPDX-License-Identifier: GPL-2.0-only
import Testing
import Foundation
import CKernelShim
@testable import KernelHarness

@Suite struct WorldTests {
    /// The Swift names of the shim's options are the shim's numbers (two
    /// branches once gave the same number to different options).
    @Test func optionNumbersAreTheShims() {
        #expect(World.Option.trace.rawValue == Int32(KSIM_OPT_TRACE.rawValue))
        #expect(World.Option.direct.rawValue == Int32(KSIM_OPT_DIRECT.rawValue))
        #expect(World.Option.crashGuard.rawValue == Int32(KSIM_OPT_CRASH_GUARD.rawValue))
        #expect(World.Option.footprint.rawValue == Int32(KSIM_OPT_FOOTPRINT.rawValue))
        #expect(World.Option.plainPoints.rawValue == Int32(KSIM_OPT_PLAIN_POINTS.rawValue))
    }

    /// Footprint mode 2 (what DPOR uses): a replay by `runPrefix` records
    /// no footprint, a step after it records exactly what mode 1 records
    /// (one world: keys of the runtime's own words are addresses); a mode
    /// the shim does not know is refused.
    @Test func footprintOfStepsOnly() throws {
        let w = try World(scenario: "reclaim2-vs-exit")
        #expect(throws: (any Error).self) { try w.set(.footprint, 3) }
        w.runRandom(seed: 11)
        let path = w.choices
        #expect(path.count > 50)
        var replayKept = 0
        for d in 0..<path.count {
            let prefix = Array(path[..<d]), t = Int(path[d])
            try w.set(.footprint, 1)
            _ = w.runPrefix(prefix)
            if (w.stepFootprint?.count ?? 0) > 0 { replayKept += 1 }
            #expect(w.stepUnchecked(t) == 0)
            let every = w.stepFootprint.map { Array($0) }
            try w.set(.footprint, World.Option.footprintStepsOnly)
            _ = w.runPrefix(prefix)
            #expect(w.stepFootprint?.count == 0, "a replay of \(d) choices kept a footprint")
            #expect(w.stepUnchecked(t) == 0)
            let only = w.stepFootprint.map { Array($0) }
            #expect(every != nil && every == only, "step \(d) of task \(t): \(String(describing: every)) vs \(String(describing: only))")
        }
        // mode 1 keeps the last replayed step's footprint: the test can tell
        #expect(replayKept > 0)
    }

    @Test func lostUpdateNeedsTheInterleaving() throws {
        let w = try World(scenario: "toy-lost-update")
        try w.run(token: "ksim1:*:*:abab")
        #expect(w.findings.map(\.kind) == ["accounting"])
        #expect(w.findings.first?.message.contains("counter is 1, expected 2") == true)
        try w.run(token: "ksim1:*:*:a2b2")
        #expect(w.findings.isEmpty)
        #expect(!w.failed)
    }

    @Test func abbaDeadlockNamesBothTasksAndLocks() throws {
        let w = try World(scenario: "toy-abba")
        try w.run(token: "ksim1:*:*:ab")
        let f = try #require(w.findings.first)
        #expect(f.kind == "deadlock")
        for name in ["t0", "t1", "mutex_a", "mutex_b"] {
            #expect(f.message.contains(name), "\(name) missing from: \(f.message)")
        }
    }

    @Test func ownerCheckCatchesWhatTheKernelCheckPasses() throws {
        let w = try World(scenario: "toy-owner")
        // holder locks the page, checker asserts while holder still holds it
        try w.run(token: "ksim1:*:*:ab")
        let kinds = w.findings.map(\.kind)
        #expect(kinds.contains("lock-owner"))
        #expect(!kinds.contains("bug"), "the kernel's own check must pass here")
    }

    @Test func invalidContextAndBadUnlock() throws {
        let a = try World(scenario: "toy-spin-page")
        a.runRoundRobin()
        #expect(a.findings.map(\.kind) == ["invalid-context"])
        let b = try World(scenario: "toy-double-unlock")
        b.runRoundRobin()
        #expect(b.findings.map(\.kind) == ["bad-unlock"])
        #expect(b.findings.first?.fatal == true)
    }

    @Test func sameScheduleSameTraceByteForByte() throws {
        let w = try World(scenario: "toy-rwsem-recursive")
        w.runRandom(seed: 7)
        let token = w.token
        let first = w.traceText + w.findings.map(\.report).joined()
        let other = try World(scenario: "toy-rwsem-recursive")
        try other.run(token: token)
        #expect(other.traceText + other.findings.map(\.report).joined() == first)
    }

    @Test func twoWorldsOnTwoThreadsMatchSequentialRuns() throws {
        @Sendable func outcomes() throws -> [String] {
            let w = try World(scenario: "toy-lost-update")
            return (0..<200).map { seed in
                w.runRandom(seed: UInt64(seed))
                return w.token + "|" + w.findings.map(\.signature).joined(separator: ",")
            }
        }
        let sequential = try outcomes()
        nonisolated(unsafe) var results = [[String]](repeating: [], count: 2)
        let group = DispatchGroup()
        for i in 0..<2 {
            group.enter()
            Thread.detachNewThread {
                results[i] = (try? outcomes()) ?? []
                group.leave()
            }
        }
        group.wait()
        #expect(results[0] == sequential)
        #expect(results[1] == sequential)
    }

    /// A world of 16 processes: an mm for each task (mms come from the
    /// arena as the spec names them, so up to 16, one per task).  Each
    /// munlocks its VM_LOCKED mapping of the one mlocked page, and the
    /// end-of-run checks (NR_MLOCK against the mlocked pages among them)
    /// find nothing in 50 random schedules.  A 17th mm is refused.
    @Test func sixteenMmsOneTaskEach() throws {
        func spec(_ n: Int) -> String {
            var lines = ["model mm", "file f0 pages 1", "page f0:0 unevictable mlocked"]
            for i in 0..<n {
                lines += ["mm mm\(i)", "vma mm\(i) v\(i) f0 0 1 0 locked shared", "pte mm\(i) v\(i) 0 f0:0"]
            }
            for i in 0..<min(n, 16) { lines.append("task m\(i) munlock mm\(i) v\(i)") }
            return lines.joined(separator: "\n") + "\n"
        }
        let s = Scenario(name: "munlock16", spec: spec(16))
        let r = try Explorer(s, strategy: .random(seed: 1),
                             options: ExploreOptions(maxSchedules: 50, stopOnFirstFinding: false, jobs: 2)).run()
        #expect(r.schedules == 50)
        #expect(r.findings.isEmpty, "\(r.findings.map(\.message))")
        do {
            _ = try World(spec: spec(17))
            Issue.record("a 17th mm was accepted")
        } catch let e as HarnessError {
            #expect(e.description.contains("too many mms (at most 16)"), "\(e.description)")
        }
    }

    @Test func badInputIsRejectedWithPositionAndReason() throws {
        #expect(throws: HarnessError.self) { try World(scenario: "no-such-scenario") }
        let w = try World(scenario: "toy-lost-update")
        do {
            try w.run(token: "ksim1:*:*:a2x")
            Issue.record("malformed token accepted")
        } catch let e as HarnessError {
            #expect(e.description.contains("position 13"))
        }
        do {
            try w.run(token: "ksim1:toy-abba:*:ab")
            Issue.record("token of another scenario accepted")
        } catch let e as HarnessError {
            #expect(e == .mismatch(e.description))
        }
        let abba = try World(scenario: "toy-abba")
        do {
            try abba.run(token: "ksim1:*:*:abab")   // both tasks blocked after "ab"
            Issue.record("choice after the end accepted")
        } catch let e as HarnessError {
            #expect(e.description.contains("position 3"))
        }
        #expect(throws: HarnessError.self) { try World(spec: "model toy\ntask t0 nope\n") }
    }
}

/// Quiescence findings point at the kernel: the pages involved, dumped,
/// and the line, task and step of the last change of the offending state.
@Suite struct QuiescenceReportTests {
    @Test func nrMlockDriftNamesTheTestClearThatLeftItCounted() throws {
        let e = Explorer(try Scenario(registered: "reclaim-vs-munlock"), strategy: .dpor)
        let r = try e.run()
        let f = try #require(r.findings.first { $0.kind == "accounting" && $0.message.contains("NR_MLOCK") })
        let w = try World(scenario: "reclaim-vs-munlock")
        try w.run(token: f.token)
        let report = try #require(w.findings.first { $0.message.contains("NR_MLOCK") }).report
        #expect(report.contains("last NR_MLOCK change: NR_MLOCK - at mm/mlock.c:"))
        #expect(report.contains("last PG_mlocked change: test-and-clear at mm/mlock.c:"))
        #expect(report.contains("(__munlock_pagevec) by munlock, step "))
        #expect(report.contains("page f0:0 pfn:"))
        #expect(report.contains(" lru:inactive_file flags:("))
        // the finding is the counter's last change, by the task that made it
        #expect(f.location.hasPrefix("mm/mlock.c:") && f.function == "__munlock_pagevec" && f.taskName == "munlock")
        #expect(report.contains("at mm/mlock.c:") && !report.contains("mm_world.c"))
        // with the call chain of that write, kernel frames innermost first
        let chain = try #require(report.components(separatedBy: "last NR_MLOCK change:").last)
            .split(separator: "\n").dropFirst().prefix { $0.hasPrefix("    ") && !$0.hasPrefix("  page") }
            .map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(chain.first?.hasPrefix("__munlock_pagevec+0x") == true, "\(report)")
        #expect(chain.contains { $0.hasPrefix("munlock_vma_pages_range+0x") })
        #expect(chain.contains { $0.hasPrefix("mlock_fixup+0x") })
        #expect(!chain.contains { $0.hasPrefix("ksim_") })
        // the same report twice: the story is of this run only
        try w.run(token: f.token)
        #expect(try #require(w.findings.first { $0.message.contains("NR_MLOCK") }).report == report)
    }

    /// The mm scenarios small enough to explore to the end here (those
    /// tagged `large` take DPOR minutes, or longer).
    static let mmScenarios = Scenario.all().filter { $0.spec.hasPrefix("model mm\n") && !$0.isLarge }

    /// Every built-in scenario not tagged large, explored exhaustively: no teardown finding
    /// (check_mm's rss counters and nr_ptes, bad_page()), and every
    /// quiescence finding located at a kernel line, not at the checker.
    @Test func teardownChecksAreQuietAndQuiescenceFindingsPointAtTheKernel() throws {
        #expect(Self.mmScenarios.count >= 15)
        var quiescence = 0
        for s in Self.mmScenarios {
            let r = try Explorer(s, strategy: .dpor, options: ExploreOptions(stopOnFirstFinding: false, jobs: 2)).run()
            #expect(r.exhausted, "\(s.name)")
            for f in r.findings {
                #expect(!f.message.contains("rss-counter") && !f.message.contains("nr_ptes") && f.kind != "bad-page",
                        "\(s.name): \(f.kind) \(f.message)")
                if ["accounting", "leak", "stranded"].contains(f.kind) {
                    quiescence += 1
                    #expect(f.location.hasPrefix("mm/"), "\(s.name): \(f.kind) at \(f.location): \(f.message)")
                }
            }
        }
        #expect(quiescence >= 8)
    }

    /// The dumps of the other invariants: the page, and the kernel line and
    /// call chain of the last change of the state that is wrong.
    @Test func lostPageFindingIsAtTheIsolation() throws {
        let w = try World(spec: Self.baseWorld + "task t test_lose_page f0:1\n")
        w.runRoundRobin()
        let f = try #require(w.findings.first { $0.message.hasPrefix("lost page: f0:1") })
        #expect(f.file == "mm/vmscan.c" && f.function == "isolate_lru_page" && f.taskName == "t")
        #expect(f.report.contains("page f0:1 pfn:00002 count:3 mapcount:2 mapping:f0 index:0x1 lru:none flags:("))
        #expect(f.report.contains("last LRU list change: del_page_from_lru_list at mm/vmscan.c:"))
        #expect(f.report.contains("last PG_lru change: clear at mm/vmscan.c:"))
        #expect(f.report.contains("      isolate_lru_page+0x"))
        // a write the runtime did not see (a plain store): the checker's line
        let l = try World(spec: Self.baseWorld + "task t test_leave_locked f0:1\n")
        l.runRoundRobin()
        let held = try #require(l.findings.first { $0.message.hasPrefix("page lock left held") })
        #expect(held.file == "model/mm_world.c" && held.function == "mmw_check" && held.task == -1)
        #expect(held.report.contains("page f0:1 pfn:"))
    }

    @Test func badPageCarriesTheDumpAndTheFreeingCallChain() throws {
        let w = try World(spec: Self.baseWorld + "task t test_free_mlocked_page\n")
        w.runRoundRobin()
        let f = try #require(w.findings.first { $0.kind == "bad-page" })
        #expect(f.file == "mm/page_alloc.c" && f.function == "bad_page")
        #expect(f.report.contains("  page pool0 pfn:00000 count:0 mapcount:0 mapping:NULL index:0 lru:none flags:(mlocked)"))
        #expect(f.report.contains("last PG_mlocked change: set at model/mm_ops.c:"))
        #expect(f.report.contains("last _count change: atomic_dec at mm/swap.c:"))
        let trace = try #require(f.report.components(separatedBy: "Call Trace:\n").last)
        for fn in ["bad_page+0x", "free_pages_check+0x", "free_hot_cold_page+0x", "put_page+0x"] {
            #expect(trace.contains("  \(fn)"), "\(fn)")
        }
    }

    /// check_mm(): an mm freed with an rss counter not back to zero.
    @Test func exitWithAnRssCounterOffIsABadRssCounterState() throws {
        let w = try World(spec: Self.baseWorld + "task t test_exit_rss_skew mm1\n")
        w.runRoundRobin()
        let f = try #require(w.findings.first { $0.message.hasPrefix("BUG: Bad rss-counter state") })
        #expect(f.message == "BUG: Bad rss-counter state idx:0 val:1" && f.kind == "accounting" && w.failed)
        // located at the counter's last change: the zap of exit_mmap()
        #expect(f.file == "mm/memory.c" && f.function == "add_mm_rss_vec")
        #expect(f.report.contains("mm mm1: MM_FILEPAGES is 1 when it is freed"))
        #expect(f.report.contains("    zap_pte_range+0x"))
        #expect(f.report.contains("    unmap_vmas+0x"))
        // the same exit, counters right: nothing
        let ok = try World(spec: Self.baseWorld + "task t exit mm1\n")
        ok.runRoundRobin()
        #expect(!ok.findings.contains { $0.kind != "stranded" }, "\(ok.findings.map(\.message))")
    }

    /// A kernel patch that forgets try_to_unmap_one()'s dec_mm_counter():
    /// reclaim, then the mm's exit, leave MM_FILEPAGES at 1.
    @Test func skippedDecMmCounterInTryToUnmapOneIsFoundAtExit() throws {
        let shim = try ShimSource.locate()
        let rmap = try String(contentsOf: shim.appendingPathComponent("mm/rmap.c"), encoding: .utf8)
        let fn = try #require(CScanner.functions(in: rmap).first { $0.name == "try_to_unmap_one" })
        let bytes = Array(rmap.utf8)
        let body = String(decoding: bytes[fn.start..<fn.end], as: UTF8.self)
        let dec = "\t} else\n\t\tdec_mm_counter(mm, MM_FILEPAGES);\n"
        #expect(body.contains(dec))
        let patched = String(decoding: bytes[..<fn.start], as: UTF8.self)
            + body.replacingOccurrences(of: dec, with: "\t} else\n\t\t;\n")
            + String(decoding: bytes[fn.end...], as: UTF8.self)
        let b = try KernelBuild.build(try patchTexts(SyntheticKernel.diff("mm/rmap.c", rmap, patched)), kernel: nil)
        let v = try #require(b.variant, "\(b.failure ?? "")")
        let s = Scenario(name: "reclaim-then-exit", spec: """
            model mm
            file f0 pages 1
            mm mm0
            vma mm0 v0 f0 0 1 0 shared
            pte mm0 v0 0 f0:0
            task reclaim reclaim f0:0
            task exit exit mm0

            """)
        let opts = ExploreOptions(stopOnFirstFinding: false, jobs: 2)
        let before = try Explorer(s, strategy: .dpor, options: opts).run()
        #expect(before.exhausted && before.findings.isEmpty, "\(before.findings.map(\.message))")
        let after = try Explorer(s, strategy: .dpor, options: opts, api: v.api).run()
        let bad = try #require(after.findings.first { $0.message.contains("rss-counter") })
        #expect(bad.message == "BUG: Bad rss-counter state idx:0 val:1" && bad.failing)
    }

    static let baseWorld = """
        model mm
        pool 1
        file f0 pages 2
        page f0:1 unevictable mlocked
        mm mm0
        vma mm0 v0 f0 0 2 0 locked shared
        pte mm0 v0 0 f0:0
        pte mm0 v0 1 f0:1
        mm mm1
        vma mm1 v1 f0 0 2 0 shared
        pte mm1 v1 0 f0:0
        pte mm1 v1 1 f0:1

        """
}
