// SPDX-License-Identifier: GPL-2.0-only
//
// The strategies proper: each explores one work unit on one world.  They
// drive the world only through reset/enabled/step and the string-free
// pending-access accessor; Swift never runs on a coroutine stack.
import Foundation
import CKernelShim

/// A work unit of a tree strategy: the subtree under `prefix`, entered with
/// DPOR sleep set `sleep`.
struct TreeUnit: Sendable, Hashable {
    var prefix: [UInt8]
    var sleep: UInt32
}

/// How an exploration is cut into work units.  Fixed by the scenario, the
/// strategy and `ExploreOptions.units`, never by the number of workers.
struct Plan: Sendable {
    enum Units: Sendable {
        case tree([TreeUnit])
        case seeds(block: Int, total: Int?)
        case replay(Schedule)
    }
    var units: Units
    /// PCT's estimate of the steps of a run (k).
    var pctSteps = 1
    /// The split itself dropped schedules over the preemption bound.
    var boundHit = false

    var count: Int? {
        switch units {
        case .tree(let u): return u.count
        case .seeds(let b, let t): return t.map { $0 / b + ($0 % b == 0 ? 0 : 1) }
        case .replay: return 1
        }
    }
}

@inline(__always) func bit(_ t: Int) -> UInt32 { 1 << UInt32(t) }
@inline(__always) func lowestTask(_ m: UInt32) -> Int { m.trailingZeroBitCount }

final class UnitRunner {
    let world: World
    let strategy: Strategy
    let plan: Plan
    let options: ExploreOptions
    let deadline: UInt64?
    let onRun: () -> Void
    let stopFlag: () -> Bool
    let n: Int

    init(world: World, strategy: Strategy, plan: Plan, options: ExploreOptions,
         deadline: UInt64?, onRun: @escaping () -> Void = {}, stopFlag: @escaping () -> Bool = { false }) {
        self.world = world
        self.strategy = strategy
        self.plan = plan
        self.options = options
        self.deadline = deadline
        self.onRun = onRun
        self.stopFlag = stopFlag
        self.n = world.taskCount
    }

    @inline(__always) var outOfTime: Bool {
        if let d = deadline, DispatchTime.now().uptimeNanoseconds >= d { return true }
        return stopFlag()
    }

    /// Findings of the current unit by (kind, file pointer, line): lets
    /// `record` count a finding it has seen without building its report or
    /// its signature string.
    private struct Seen { var kind: Int32; var file: UnsafePointer<CChar>?; var line: Int32; var index: Int }
    private var seen: [Seen] = []

    /// Explore unit `index`, at most `limit` complete schedules.
    func run(unit index: Int, limit: Int) -> UnitResult {
        var r = UnitResult(index: index)
        seen.removeAll(keepingCapacity: true)
        let before = world.stats.totalSteps
        world.clearLockDependencies()
        switch plan.units {
        case .tree(let units):
            guard units.indices.contains(index) else { return r }
            let u = units[index]
            switch strategy {
            case .dpor: dpor(u, limit: limit, &r)
            case .dfs(let bound):
                var res = r
                let (complete, boundHit) = dfs(u.prefix, bound: bound) {
                    self.record(&res) || res.schedules >= limit || self.outOfTime
                }
                r = res
                r.complete = complete
                r.boundHit = boundHit
            default: preconditionFailure("tree unit for \(strategy.name)")
            }
        case .seeds(let block, let total):
            // saturating: with no total the unit numbers are unbounded
            let (l, o) = index.multipliedReportingOverflow(by: block)
            let lo = o ? Int.max : l
            let hi = min(Int.max - lo < block ? Int.max : lo + block, total ?? Int.max)
            r.complete = true
            for i in lo..<max(lo, hi) {
                if r.schedules >= limit || outOfTime { r.complete = false; break }
                switch strategy {
                case .random(let seed): world.runRandom(seed: SplitMix64.derive(seed, i))
                case .pct(let seed, let depth): pct(seed: SplitMix64.derive(seed, i), depth: depth)
                default: preconditionFailure("seed unit for \(strategy.name)")
                }
                if record(&r) { r.complete = false; break }
            }
        case .replay(let s):
            _ = try? world.run(choices: s.choices)
            _ = record(&r)
            r.complete = true
        }
        r.steps = world.stats.totalSteps &- before
        r.lockDependencies = world.lockDependencies
        return r
    }

    /// Account for a finished run; true when the unit must stop on it.
    @inline(__always) func record(_ r: inout UnitResult) -> Bool {
        r.schedules += 1
        r.states.insert(world.stats.stateHash)
        onRun()
        let count = world.findingCount
        guard count > 0 else { return false }
        let failed = world.failed
        var token: String? = nil
        for i in 0..<count {
            guard let b = world.findingBrief(i) else { continue }
            if let s = seen.first(where: { $0.kind == b.kind && $0.line == b.line && $0.file == b.file }) {
                r.findings[s.index].count += 1
                continue
            }
            guard let f = world.finding(at: i) else { continue }
            let sig = f.signature
            if let k = r.findings.firstIndex(where: { $0.signature == sig }) {
                seen.append(Seen(kind: b.kind, file: b.file, line: b.line, index: k))
                r.findings[k].count += 1
                continue
            }
            seen.append(Seen(kind: b.kind, file: b.file, line: b.line, index: r.findings.count))
            if token == nil { token = world.schedule.token }
            r.findings.append(FoundFinding(
                kind: f.kind, message: f.message, file: f.file, line: f.line, function: f.function,
                task: f.task, taskName: f.taskName, tolerated: f.tolerated,
                failing: failed && (!f.tolerated || options.strict), token: token!, count: 1,
                unit: r.index, ordinal: r.schedules - 1))
        }
        if failed && options.stopOnFirstFinding {
            r.stoppedOnFinding = true
            return true
        }
        return false
    }

    // MARK: PCT

    func pct(seed: UInt64, depth: Int) {
        world.runPCT(seed: seed, depth: depth, steps: plan.pctSteps)
    }

    // MARK: DFS

    /// Stateless DFS below `prefix`: run to the end, then back up to the
    /// deepest node with an untried choice, reset and replay to it.  Each
    /// node tries the task that ran last first (no preemption), then the
    /// others in index order.  `leaf` sees each finished run and returns
    /// true to stop.  Returns whether the subtree was exhausted and whether
    /// the preemption bound cut anything off.
    func dfs(_ prefix: [UInt8], bound: Int?, leaf: () -> Bool) -> (complete: Bool, boundHit: Bool) {
        var boundHit = false
        struct Node { var enabled: UInt32; var tried: UInt32; var prev: Int8; var pre: Int32 }
        var nodes: [Node] = []
        var path = prefix
        let base = prefix.count
        var prev = -1, pre = 0
        /// The shim ran path and then the default tail (the task that ran
        /// last first: no preemption) to the end: a node per tail choice.
        func appendTail() {
            let log = world.enabledLog, ch = world.choiceLog
            var i = path.count
            while i < ch.count {
                let c = Int(ch[i])
                nodes.append(Node(enabled: log[i], tried: bit(c), prev: Int8(prev), pre: Int32(pre)))
                path.append(UInt8(c))
                prev = c
                i += 1
            }
        }
        world.runLastFirst(prefix)
        let log = world.enabledLog, ch = world.choiceLog
        for i in 0..<min(base, ch.count) {
            let c = Int(ch[i])
            if prev >= 0 && c != prev && log[i] & bit(prev) != 0 { pre += 1 }
            prev = c
        }
        appendTail()
        while true {
            if leaf() { return (false, boundHit) }
            // back up
            var d = nodes.count - 1
            var next = -1
            var preempts = false
            while d >= 0 {
                let nd = nodes[d]
                var cand = nd.enabled & ~nd.tried
                while cand != 0 {
                    let t = lowestTask(cand)
                    cand &= cand - 1
                    let p = nd.prev >= 0 && t != Int(nd.prev) && nd.enabled & bit(Int(nd.prev)) != 0
                    if p, let bound, Int(nd.pre) >= bound {
                        boundHit = true
                        nodes[d].tried |= bit(t)
                        continue
                    }
                    next = t
                    preempts = p
                    break
                }
                if next >= 0 { break }
                d -= 1
            }
            if next < 0 { return (true, boundHit) }
            nodes[d].tried |= bit(next)
            nodes.removeSubrange((d + 1)...)
            path.removeSubrange((base + d)...)
            path.append(UInt8(next))
            world.runLastFirst(path)
            prev = next
            pre = Int(nodes[d].pre) + (preempts ? 1 : 0)
            appendTail()
        }
    }

    // MARK: DPOR

    /// Optimal DPOR (Abdulla, Aronis, Jonsson, Sagonas, JACM 2017) with
    /// wakeup trees and sleep sets, rooted at the state after the unit's
    /// prefix (whose nodes the plan branched fully).  Races are found with
    /// vector clocks over the executed accesses; reversing one inserts
    /// notdep(e', E).e into the wakeup tree of the node before e' (every
    /// enabled task when the sequence cannot start there, as in
    /// Flanagan–Godefroid, which keeps blocking sound).  A run follows the
    /// wakeup tree of each node.  Insertions see only the footprints known
    /// when they are made, so some runs still end asleep; the two cuts
    /// (`ExploreOptions.cuts`) stop most of those early.  The nodes,
    /// events, races and trees live in `DPORState`.
    var endedFatally: Bool { world.endedFatally }

    /// Tasks that could run before the run's last step and still can (the
    /// run stopped there).
    func stoppedTasks(_ s: borrowing DPORState) -> UInt32 {
        guard s.depth > 0 else { return 0 }
        return s.nodeEnabled(s.depth - 1) & liveTasks()
    }

    func dpor(_ unit: TreeUnit, limit: Int, _ r: inout UnitResult) {
        let base = unit.prefix.count
        var path = unit.prefix
        var s = DPORState(tasks: self.n)

        // what the root's sleeping tasks' steps touch: run each from there
        var m = unit.sleep
        while m != 0 {
            let u = lowestTask(m)
            m &= m - 1
            world.runPrefix(unit.prefix)
            let a = world.access(u)
            _ = world.stepUnchecked(u)
            var t = StepTouch(op: a, cpu: u, footprint: world.stepFootprint)
            if world.isDone && world.endedFatally { t.all = true }
            s.setRootList(u, t.ops(&s))
        }
        world.runPrefix(unit.prefix)
        for t in 0..<n { takePending(&s, t) }
        // tasks that still have a step to take, enabled or not
        var live = liveTasks()
        var sleep = unit.sleep
        // the step just taken ended a wakeup sequence that was redundant
        // (`DPORState.staleSleep`): back up again at once
        var cut = false
        while true {
            // forward to the end of a run
            while !cut {
                if world.isDone {
                    for t in 0..<n where s.pending(t) != 0 { takePending(&s, t) }
                    s.pendingRaces(s.pendingMask)
                    if endedFatally { s.stopRaces(stoppedTasks(s)) }
                    if record(&r) { return }
                    break
                }
                let en = world.enabled
                s.pendingRaces(live & ~en)
                let k = s.pushNode(enabled: en, sleep: sleep)
                let c = s.choose(k, cutCovered: options.cuts.contains(.coveredNode))
                if c == DPORState.covered {
                    r.cut += 1
                    break
                }
                if c < 0 {
                    r.blocked += 1
                    break
                }
                path.append(UInt8(c))
                _ = world.stepUnchecked(c)
                s.addEvent(c, s.nodeOp(k, c), role: s.nodeRole(k, c), footprint: world.stepFootprint)
                // a task with no pending operation after its step has ended
                if !takePending(&s, c) { live &= ~bit(c) }
                sleep = s.childSleep(k, c)
                if cutHere(s, k, sleep) {
                    r.cut += 1
                    break
                }
            }
            if r.schedules >= limit || outOfTime { return }
            // back up to the deepest node with a backtrack task left
            guard let (k, next) = s.backtrack() else { r.complete = true; return }
            cut = false
            path.removeSubrange((base + k)...)
            world.runPrefix(path)
            path.append(UInt8(next))
            _ = world.stepUnchecked(next)
            s.addEvent(next, s.nodeOp(k, next), role: s.nodeRole(k, next), footprint: world.stepFootprint)
            takePending(&s, next)
            live = liveTasks()
            sleep = s.childSleep(k, next)
            if cutHere(s, k, sleep) {
                r.cut += 1
                cut = true
            }
        }
    }
}

extension UnitRunner {
    /// The step just taken from node k (sleep set `sleep` after it) ended a
    /// redundant wakeup sequence: the run stops there (`DPORState.staleSleep`).
    @inline(__always) func cutHere(_ s: borrowing DPORState, _ k: Int, _ sleep: UInt32) -> Bool {
        options.cuts.contains(.afterSequence) && s.tookLeaf && !world.isDone && s.staleSleep(k, sleep)
    }

    /// Hand task t's pending operation and its lock role to DPOR; false when
    /// it has none (it has ended, or cannot run any more).
    @discardableResult @inline(__always)
    func takePending(_ s: inout DPORState, _ t: Int) -> Bool {
        guard let a = world.pendingAccess(t) else {
            s.setPending(t, .none)
            return false
        }
        s.setPending(t, Access(kind: a.kind, object: a.object, write: a.write), role: LockRole(kind: a.kind))
        return true
    }

    /// The tasks of the world's current state that have a step left.
    func liveTasks() -> UInt32 {
        var m: UInt32 = 0
        for t in 0..<n where world.taskState(t) == Int32(KSIM_TASK_RUNNABLE.rawValue) { m |= bit(t) }
        return m
    }
}

extension World {
    /// The run ended on a fatal finding (a BUG, a crash, a bad unlock, a
    /// deadlock or livelock): whatever the other tasks would still have done
    /// never happens.
    var endedFatally: Bool {
        let count = findingCount
        guard count > 0 else { return false }
        for i in 0..<count {
            guard let b = findingBrief(i) else { continue }
            switch UInt32(bitPattern: b.kind) {
            case KSIM_F_BUG.rawValue, KSIM_F_CRASH.rawValue, KSIM_F_BAD_UNLOCK.rawValue,
                 KSIM_F_DEADLOCK.rawValue, KSIM_F_LIVELOCK.rawValue:
                return true
            default: continue
            }
        }
        return false
    }

}
