// SPDX-License-Identifier: GPL-2.0-only
import Testing
import Foundation
@testable import KernelHarness

@Suite struct WorldTests {
    @Test func lostUpdateNeedsTheInterleaving() throws {
        let w = try World(scenario: "toy-lost-update")
        try w.run(token: "abab")
        #expect(w.findings.map(\.kind) == ["accounting"])
        #expect(w.findings.first?.message.contains("counter is 1, expected 2") == true)
        try w.run(token: "a2b2")
        #expect(w.findings.isEmpty)
        #expect(!w.failed)
    }

    @Test func abbaDeadlockNamesBothTasksAndLocks() throws {
        let w = try World(scenario: "toy-abba")
        try w.run(token: "ab")
        let f = try #require(w.findings.first)
        #expect(f.kind == "deadlock")
        for name in ["t0", "t1", "mutex_a", "mutex_b"] {
            #expect(f.message.contains(name), "\(name) missing from: \(f.message)")
        }
    }

    @Test func ownerCheckCatchesWhatTheKernelCheckPasses() throws {
        let w = try World(scenario: "toy-owner")
        // holder locks the page, checker asserts while holder still holds it
        try w.run(token: "ab")
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

    @Test func badInputIsRejectedWithPositionAndReason() throws {
        #expect(throws: HarnessError.self) { try World(scenario: "no-such-scenario") }
        let w = try World(scenario: "toy-lost-update")
        do {
            try w.run(token: "a2x")
            Issue.record("malformed token accepted")
        } catch let e as HarnessError {
            #expect(e.description.contains("position 3"))
        }
        do {
            try w.run(token: "ksim1:toy-abba:*:ab")
            Issue.record("token of another scenario accepted")
        } catch let e as HarnessError {
            #expect(e == .mismatch(e.description))
        }
        let abba = try World(scenario: "toy-abba")
        do {
            try abba.run(token: "abab")   // both tasks blocked after "ab"
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
        // the same report twice: the story is of this run only
        try w.run(token: f.token)
        #expect(try #require(w.findings.first { $0.message.contains("NR_MLOCK") }).report == report)
    }
}
