// SPDX-License-Identifier: GPL-2.0-only
//
// DPOR must reach every end state that unreduced DFS reaches: on mm worlds
// small enough for DFS, the sets of end-state hashes must be equal, for one
// work unit and the default split, with one and two worker threads.
import Testing
import Foundation
import CKernelShim
@testable import KernelHarness

func endStates(_ s: Scenario, _ st: Strategy, units: Int, jobs: Int) throws -> ExplorationResult {
    try Explorer(s, strategy: st,
                 options: ExploreOptions(stopOnFirstFinding: false, jobs: jobs, units: units)).run()
}

/// Compare-and-swap rotation of n tasks (task i swaps i-1 for i).
func casrot(_ n: Int) -> Scenario {
    Scenario(name: "casrot\(n)", tasks: (1...n).map { TaskSpec("c\($0)", "cas \($0)") })
}

/// Its traces with a failed compare-and-swap a read: the first m tasks
/// succeed in order (m >= 1: nothing else can change the initial 0), task
/// m+1 fails having read one of 0..m-1, every later one read any of 0..m.
func casrotTraces(_ n: Int) -> Int {
    var total = 1
    for m in stride(from: 1, to: n, by: 1) {
        var p = m
        for _ in 0..<(n - m - 1) { p *= m + 1 }
        total += p
    }
    return total
}

@Suite struct FailedAttemptsAreReads {
    @Test func casrotOfEightHas2048Traces() throws {
        // the number GenMC and Nidhugg report for casrot(8); 8! = 40320 if a
        // failed compare-and-swap were a write
        #expect(casrotTraces(8) == 2048)
        for (units, jobs) in [(1, 1), (32, 1), (32, 2)] {
            let r = try endStates(casrot(8), .dpor, units: units, jobs: jobs)
            #expect(r.exhausted)
            #expect(r.schedules == 2048, "units=\(units) jobs=\(jobs)")
        }
    }

    @Test(arguments: [3, 4, 5])
    func casrotMatchesDFS(_ n: Int) throws {
        let s = casrot(n)
        let dfs = try endStates(s, .dfs(preemptionBound: nil), units: 1, jobs: 1)
        #expect(dfs.schedules == (1...n).reduce(1, *))
        let dpor = try endStates(s, .dpor, units: 32, jobs: 1)
        #expect(dpor.schedules == casrotTraces(n))
        #expect(dpor.finalStates == dfs.finalStates)
    }

    /// A holder keeps every lock across two points while others try each
    /// lock once: their failed attempts commute with each other.
    static let trylockWorlds: [Scenario] = ["try_spin", "try_mutex", "try_page", "try_read", "try_write"].map { op in
        Scenario(name: "hold-vs-\(op)", tasks: [TaskSpec("holder", "hold_all 2"),
                                                TaskSpec("a", "\(op) 1"), TaskSpec("b", "\(op) 1")])
    } + [Scenario(name: "try-mixed", tasks: [TaskSpec("a", "try_spin 2"), TaskSpec("b", "try_spin 1"),
                                             TaskSpec("c", "try_spin 1")]),
         Scenario(name: "try-rw", tasks: [TaskSpec("a", "try_read 1"), TaskSpec("b", "try_write 1"),
                                          TaskSpec("c", "try_read 1")])]

    @Test(arguments: trylockWorlds)
    func oneSchedulePerTraceWithFailedTrylocksAsReads(_ s: Scenario) throws {
        let dfs = try endStates(s, .dfs(preemptionBound: nil), units: 1, jobs: 1)
        let classes = try traceClasses(s, failedAsReads: true)
        let asWrites = try traceClasses(s)
        for (units, jobs) in [(1, 1), (32, 2)] {
            let dpor = try endStates(s, .dpor, units: units, jobs: jobs)
            #expect(dpor.exhausted)
            #expect(dpor.finalStates == dfs.finalStates, "\(s.name)")
            #expect(dpor.schedules == classes, "\(s.name) units=\(units) (as writes: \(asWrites))")
        }
    }

    @Test func failedAttemptsSaveSchedules() throws {
        // two failed trylocks inside the holder's critical section commute:
        // fewer traces than when they count as writes
        let s = Self.trylockWorlds[0]
        #expect(try traceClasses(s, failedAsReads: true) < traceClasses(s))
    }
}

/// A 3-task mm world: reclaim, migration and munlock(2) of one page of a
/// VM_LOCKED vma.
let reclaimMigrateMunlock = Scenario(name: "reclaim-migrate-munlock", spec: """
    model mm
    pool 3
    file f0 pages 2
    page f0:1 unevictable mlocked
    mm mm0
    vma mm0 v0 f0 0 2 0 locked shared
    pte mm0 v0 0 f0:0
    pte mm0 v0 1 f0:1
    task reclaim reclaim f0:0
    task migrate migrate f0:0
    task munlock munlock mm0 v0

    """)

@Suite struct DPORSoundness {
    /// Registered mm scenarios DPOR exhausts in a few thousand schedules.
    static let small = ["seed-migrate-nonlinear", "seed-reclaim-nonlinear", "reclaim-vs-migrate",
                        "reclaim-vs-munlock", "migrate-vs-munlock", "munlock-vs-unmap", "remap-vs-reclaim",
                        "migrate-anon-vs-munlock", "munlock-anon-vs-munlock"]

    /// Where unreduced DFS exhausts the space: the same end states.
    @Test(arguments: ["migrate-vs-munlock", "migrate-anon-vs-munlock"])
    func sameEndStatesAsExhaustiveDFS(_ name: String) throws {
        let s = try Scenario(registered: name)
        let dfs = try endStates(s, .dfs(preemptionBound: nil), units: 32, jobs: 2)
        #expect(dfs.exhausted)
        for (units, jobs) in [(1, 1), (32, 1), (1, 2), (32, 2)] {
            let dpor = try endStates(s, .dpor, units: units, jobs: jobs)
            #expect(dpor.exhausted)
            #expect(dpor.finalStates == dfs.finalStates, "\(name) units=\(units) jobs=\(jobs)")
        }
    }

    /// Elsewhere: every end state of the first 5000 DFS schedules and of
    /// DFS with at most one preemption (exhausted) is one DPOR reaches, and
    /// DPOR reaches the same set however the work is split and run.
    @Test(arguments: small)
    func dfsEndStatesAreDPOREndStates(_ name: String) throws {
        try check(try Scenario(registered: name), dfsBudget: 5000)
    }

    @Test func threeTaskWorld() throws {
        try check(reclaimMigrateMunlock, dfsBudget: 3000)
    }

    func check(_ s: Scenario, dfsBudget: Int) throws {
        let base = try endStates(s, .dpor, units: 1, jobs: 1)
        #expect(base.exhausted, "\(s.name)")
        for (units, jobs) in [(32, 1), (1, 2), (32, 2)] {
            let r = try endStates(s, .dpor, units: units, jobs: jobs)
            #expect(r.exhausted)
            #expect(r.finalStates == base.finalStates, "\(s.name) units=\(units) jobs=\(jobs)")
            // one schedule per trace, whatever the split
            #expect(r.schedules == base.schedules, "\(s.name) units=\(units) jobs=\(jobs)")
        }
        let dfs = try Explorer(s, strategy: .dfs(preemptionBound: nil),
                               options: ExploreOptions(maxSchedules: dfsBudget, stopOnFirstFinding: false)).run()
        let missed = dfs.finalStates.subtracting(base.finalStates)
        #expect(missed.isEmpty, "\(s.name): DFS reached \(missed.count) end states DPOR did not")
        let bounded = try endStates(s, .dfs(preemptionBound: 1), units: 32, jobs: 2)
        #expect(bounded.exhausted)
        let missedB = bounded.finalStates.subtracting(base.finalStates)
        #expect(missedB.isEmpty, "\(s.name): DFS with 1 preemption reached \(missedB.count) end states DPOR did not")
    }
}

/// A BUG that stops the run before a task that sleeps in DPOR ever ran:
/// setx (task 0) explored first makes the check see the counter set, so
/// the BUG needs setflag, then the check, with setx never run.  A sleeping
/// setx must not stand for the reversal of the check's race with setflag,
/// since setx changes what the check reads (with one unit DPOR once
/// explored 2 schedules here and missed the BUG).
@Suite struct FatalStopBeforeASleeper {
    @Test func dporFindsTheBugDFSFinds() throws {
        let s = try Scenario(registered: "toy-bug-first")
        let dfs = try endStates(s, .dfs(preemptionBound: nil), units: 1, jobs: 1)
        #expect(dfs.exhausted)
        #expect(dfs.findings.contains { $0.kind == "bug" })
        for (units, jobs) in [(1, 1), (32, 1), (1, 2), (32, 2)] {
            let r = try endStates(s, .dpor, units: units, jobs: jobs)
            #expect(r.exhausted)
            #expect(r.findings.contains { $0.kind == "bug" }, "units=\(units) jobs=\(jobs)")
            #expect(r.finalStates == dfs.finalStates, "units=\(units) jobs=\(jobs)")
        }
    }
}

/// The runs DPOR cuts where it finds the rest covered lose nothing: with
/// either cut, both or none, the same schedules, end states and findings
/// (cut runs stand for runs that would have ended blocked), and fewer
/// blocked runs with them.
/// The 3-task worlds are where such runs occur.
@Suite struct RedundantSequenceCut {
    static let choices: [(String, DPORCuts)] = [("none", []), ("after sequence", .afterSequence),
                                                ("covered node", .coveredNode), ("all", .all)]

    func explore(_ s: Scenario, units: Int, cuts: DPORCuts) throws -> ExplorationResult {
        var o = ExploreOptions(stopOnFirstFinding: false, jobs: 1, units: units)
        o.cuts = cuts
        return try Explorer(s, strategy: .dpor, options: o).run()
    }

    @Test(arguments: [reclaimMigrateMunlock.name, "seed-reclaim-migrate-munlock"])
    func cutRunsLoseNothing(_ name: String) throws {
        let s = name == reclaimMigrateMunlock.name ? reclaimMigrateMunlock : try Scenario(registered: name)
        for units in [1, 32] {
            let whole = try explore(s, units: units, cuts: [])
            #expect(whole.exhausted)
            #expect(whole.cut == 0)
            for (label, cuts) in Self.choices.dropFirst() {
                let cut = try explore(s, units: units, cuts: cuts)
                let at = "\(s.name) units=\(units) cuts=\(label)"
                #expect(cut.exhausted, "\(at)")
                #expect(cut.schedules == whole.schedules, "\(at)")
                #expect(cut.finalStates == whole.finalStates, "\(at)")
                #expect(Set(cut.findings.map(\.signature)) == Set(whole.findings.map(\.signature)), "\(at)")
                // a cut run stands for one or more runs that would have
                // ended blocked
                #expect(cut.blocked + cut.cut <= whole.blocked, "\(at)")
                #expect(cut.blocked <= whole.blocked, "\(at)")
            }
        }
    }

    /// Each cut on its own fires on the seed world (the covered-node cut
    /// with the default split, where the plan's sleep sets reach into the
    /// wakeup sequences) and takes blocked runs away.
    @Test(arguments: [(1, DPORCuts.afterSequence), (32, DPORCuts.afterSequence), (32, DPORCuts.coveredNode)])
    func theSeedWorldHasRunsToCut(_ units: Int, _ cuts: DPORCuts) throws {
        let s = try Scenario(registered: "seed-reclaim-migrate-munlock")
        let whole = try explore(s, units: units, cuts: [])
        let cut = try explore(s, units: units, cuts: cuts)
        #expect(cut.cut > 0, "units=\(units)")
        #expect(cut.blocked < whole.blocked, "units=\(units): blocked \(cut.blocked) with the cut, \(whole.blocked) without")
    }
}
