// SPDX-License-Identifier: GPL-2.0-only
import Testing
import Foundation
import CKernelShim
@testable import KernelHarness

/// Toy programs for the ground truths (registered toys plus specs).
let toyPrograms: [Scenario] = {
    var s = Scenario.all().filter { $0.name.hasPrefix("toy-") }
    let specs = [
        "model toy\nexpect counter 3\ntask t0 incr 1\ntask t1 incr 1\ntask t2 incr 1\n",
        "model toy\nexpect counter 4\ntask t0 incr 2\ntask t1 incr 2\n",
        "model toy\nexpect counter 2\ntask t0 locked_incr 1\ntask t1 incr 1\n",
        "model toy\ntask t0 locked_incr 1\ntask t1 locked_incr 1\ntask t2 points 2\n",
        "model toy\ntask a hold_page 1\ntask b lock_assert\ntask c assert_locked\n",
        "model toy\ntask r read_twice\ntask w write\ntask x write\n",
        "model toy\ntask t0 touch 2\ntask t1 incr 1\ntask t2 touch 2\n",
        "model toy\ntask t0 incr 1\ntask t1 crash_if_raced\n",
    ]
    for (i, spec) in specs.enumerated() { s.append(Scenario(name: "spec\(i)", spec: spec)) }
    return s
}()

func explore(_ s: Scenario, _ strategy: Strategy, all: Bool = true, jobs: Int = 1,
             shard: Shard? = nil, max: Int? = nil, units: Int = 32) throws -> ExplorationResult {
    try Explorer(s, strategy: strategy,
                 options: ExploreOptions(maxSchedules: max, stopOnFirstFinding: !all, jobs: jobs,
                                         shard: shard, units: units)).run()
}

func binomial(_ n: Int, _ k: Int) -> Int {
    var r = 1
    for i in 0..<k { r = r * (n - i) / (i + 1) }
    return r
}

@Suite struct DFSCountTests {
    @Test(arguments: [(1, 1), (2, 3), (3, 3), (4, 2), (0, 5), (5, 4)])
    func twoIndependentTasksGiveBinomialCount(a: Int, b: Int) throws {
        let s = Scenario(name: "indep", tasks: [TaskSpec("t0", "points \(a)"), TaskSpec("t1", "points \(b)")])
        for units in [1, 32] {
            let r = try explore(s, .dfs(preemptionBound: nil), units: units)
            #expect(r.schedules == binomial(a + b, a), "a=\(a) b=\(b) units=\(units)")
            #expect(r.exhausted)
            #expect(r.blocked == 0)
        }
    }

    @Test func threeTasksCountedByHand() throws {
        // Three independent tasks with 1, 2, 2 points: 5!/(1!·2!·2!) = 30.
        let free = Scenario(name: "three", tasks: [
            TaskSpec("t0", "points 1"), TaskSpec("t1", "points 2"), TaskSpec("t2", "points 2")])
        #expect(try explore(free, .dfs(preemptionBound: nil)).schedules == 30)
        // Two spinlocked increments (lock, load, store, unlock: 4 steps each,
        // the holder runs alone until it unlocks) leave 2 orders of the two
        // critical sections; a third task's 2 free points go anywhere among
        // the 8 + 2 steps: 2 · C(10, 2) = 90.
        let locked = Scenario(name: "three-locked", tasks: [
            TaskSpec("t0", "locked_incr 1"), TaskSpec("t1", "locked_incr 1"), TaskSpec("t2", "points 2")])
        #expect(try explore(locked, .dfs(preemptionBound: nil)).schedules == 90)
        // Three locked increments: only the 3! orders of the critical sections.
        let three = Scenario(name: "three-sections", tasks: [
            TaskSpec("t0", "locked_incr 1"), TaskSpec("t1", "locked_incr 1"), TaskSpec("t2", "locked_incr 1")])
        #expect(try explore(three, .dfs(preemptionBound: nil)).schedules == 6)
    }

    @Test func preemptionBoundZeroRunsEachTaskToCompletion() throws {
        // With no preemption allowed, only the n! task orders remain.
        let s = Scenario(name: "indep", tasks: [TaskSpec("t0", "points 3"), TaskSpec("t1", "points 3")])
        let r0 = try explore(s, .dfs(preemptionBound: 0))
        #expect(r0.schedules == 2)
        #expect(r0.exhausted && r0.boundHit && r0.bound == 0)
        // one preemption: a^i b^3 a^(3-i) for i = 1, 2 (and symmetric), plus the 2 orders
        let r1 = try explore(s, .dfs(preemptionBound: 1))
        #expect(r1.schedules == 2 + 2 + 2)
    }
}

@Suite struct DPORTests {
    @Test func disjointObjectsNeedOneSchedule() throws {
        let r = try explore(try Scenario(registered: "toy-disjoint"), .dpor)
        #expect(r.schedules == 1)
        #expect(r.exhausted)
        let touch = Scenario(name: "touch3", tasks: [
            TaskSpec("t0", "touch 4"), TaskSpec("t1", "touch 2"), TaskSpec("t2", "points 3")])
        #expect(try explore(touch, .dpor).schedules == 1)
    }

    @Test func lostUpdateFoundWithFewerSchedulesThanDFS() throws {
        let s = try Scenario(registered: "toy-lost-update")
        let first = try explore(s, .dpor, all: false)
        #expect(first.failed)
        #expect(first.firstFailure?.kind == "accounting")
        let dpor = try explore(s, .dpor)
        let dfs = try explore(s, .dfs(preemptionBound: nil))
        #expect(dfs.schedules == 6)
        #expect(dpor.schedules == 4)   // L0 L1 commute: aabb, abab~baab, abba~baba, bbaa
        #expect(dpor.schedules < dfs.schedules)
        #expect(dpor.findings.map(\.kind) == ["accounting"])
    }

    @Test(arguments: toyPrograms)
    func sameFinalStatesAsDFSAndOneScheduleperTrace(_ s: Scenario) throws {
        let dfs = try explore(s, .dfs(preemptionBound: nil))
        for units in [1, 32] {
            let dpor = try explore(s, .dpor, units: units)
            #expect(dpor.exhausted)
            #expect(dpor.finalStates == dfs.finalStates, "\(s.name) units=\(units)")
            #expect(Set(dpor.findings.map(\.signature)) == Set(dfs.findings.map(\.signature)), "\(s.name)")
            #expect(dpor.schedules <= dfs.schedules)
            // exactly one schedule per Mazurkiewicz trace
            let classes = try traceClasses(s)
            #expect(dpor.schedules == classes, "\(s.name) units=\(units)")
        }
    }
}

/// Number of Mazurkiewicz traces of a scenario, by brute force: enumerate
/// every schedule with the plain World API and count distinct normal forms
/// (lexicographically least linearization of the dependence order).
/// With `failedAsReads`, a trylock that failed (its event's result 0) is a
/// read of its lock: two failed attempts commute.
func traceClasses(_ s: Scenario, failedAsReads: Bool = false) throws -> Int {
    let w = try s.makeWorld()
    try w.set(.backtrace, 0)
    var classes = Set<[Int]>()
    var path: [Int] = []
    let trylocks: Set<UInt32> = [KSIM_OP_SPIN_TRYLOCK.rawValue, KSIM_OP_MUTEX_TRYLOCK.rawValue,
                                 KSIM_OP_DOWN_READ_TRYLOCK.rawValue, KSIM_OP_DOWN_WRITE_TRYLOCK.rawValue,
                                 KSIM_OP_TRYLOCK_PAGE.rawValue]
    func events() -> [(task: Int, a: Access)] {
        w.events.map { e in
            var a = Access(kind: Int32(e.op.kind), object: e.op.object, write: e.op.write)
            if failedAsReads && trylocks.contains(UInt32(bitPattern: Int32(e.op.kind))) && e.result == 0 {
                a.write = false
            }
            return (e.task, a)
        }
    }
    func normalForm(_ ev: [(task: Int, a: Access)]) -> [Int] {
        let n = ev.count
        var preds = [[Int]](repeating: [], count: n)
        for i in 0..<n { for j in 0..<i where ev[j].task == ev[i].task || ev[j].a.conflicts(with: ev[i].a) { preds[i].append(j) } }
        var emitted = [Bool](repeating: false, count: n)
        var out: [Int] = []
        for _ in 0..<n {
            var best = -1
            for i in 0..<n where !emitted[i] && preds[i].allSatisfy({ emitted[$0] }) {
                if best < 0 || ev[i].task < ev[best].task { best = i }
            }
            emitted[best] = true
            out.append(ev[best].task)
        }
        return out
    }
    func go() {
        w.reset()
        for c in path { _ = w.stepUnchecked(c) }
        if w.isDone { classes.insert(normalForm(events())); return }
        let en = w.enabled
        for t in 0..<w.taskCount where en & (1 << UInt32(t)) != 0 {
            path.append(t); go(); path.removeLast()
        }
    }
    go()
    return classes.count
}
