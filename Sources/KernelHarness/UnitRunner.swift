// SPDX-License-Identifier: GPL-2.0-only
//
// The strategies proper: each explores one work unit on one world.  They
// drive the world only through reset/enabled/step and the string-free
// pending-access accessor; Swift never runs on a coroutine stack.
import Foundation

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
        case .seeds(let b, let t): return t.map { ($0 + b - 1) / b }
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
        switch plan.units {
        case .tree(let units):
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
            let lo = index * block
            let hi = min(lo + block, total ?? Int.max)
            r.complete = true
            for i in lo..<hi {
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

    /// Source-DPOR (Abdulla et al., POPL 2014) with sleep sets, rooted at the
    /// state after the unit's prefix (whose nodes the plan branched fully).
    /// Races are found with vector clocks over the executed accesses;
    /// reversing one adds an initial of notdep(e', E).e to the backtrack set
    /// of the node before e' (every enabled task when no initial is enabled
    /// there, as in Flanagan–Godefroid, which keeps blocking sound).
    func dpor(_ unit: TreeUnit, limit: Int, _ r: inout UnitResult) {
        let n = self.n
        let base = unit.prefix.count
        var path = unit.prefix
        // nodes (state before event k)
        var nEnabled: [UInt32] = [], nSleep: [UInt32] = [], nBack: [UInt32] = [], nDone: [UInt32] = []
        var nOps: [Access] = []                 // k*8 + task: pending access at node k
        // events (event k executed at node k)
        var eTask: [Int] = [], eLocal: [UInt32] = [], eClock: [SIMD8<UInt32>] = []
        var lastOf = SIMD8<Int32>(repeating: -1)
        var countOf = SIMD8<UInt32>(repeating: 0)
        struct ObjState { var lastWrite: Int32 = -1; var reads = SIMD8<Int32>(repeating: -1) }
        var objects: [UInt64: ObjState] = [:]
        var curOps = [Access](repeating: .none, count: 8)
        var preds: [Int] = []
        preds.reserveCapacity(9)

        func childSleep(_ k: Int, _ c: Int) -> UInt32 {
            var m = (nSleep[k] | nDone[k]) & ~bit(c)
            var out: UInt32 = 0
            let op = nOps[k * 8 + c]
            while m != 0 {
                let u = lowestTask(m)
                m &= m - 1
                if !nOps[k * 8 + u].conflicts(with: op) { out |= bit(u) }
            }
            return out
        }

        func race(_ j: Int, _ i: Int, _ p: Int, _ clock: SIMD8<UInt32>) {
            let q = eTask[j], ql = eLocal[j]
            var first = SIMD8<Int32>(repeating: -1)
            var excluded: UInt32 = 0
            var m = j + 1
            while m < i {
                let t = eTask[m]
                if first[t] < 0 && excluded & bit(t) == 0 {
                    if eClock[m][q] >= ql { excluded |= bit(t) } else { first[t] = Int32(m) }
                }
                m += 1
            }
            if first[p] < 0 { first[p] = Int32(i) }
            var initials: UInt32 = 0
            for t in 0..<n where first[t] >= 0 {
                let ft = Int(first[t])
                let ct = ft == i ? clock : eClock[ft]
                var initial = true
                for s in 0..<n where s != t && first[s] >= 0 && first[s] < first[t] {
                    if ct[s] >= eLocal[Int(first[s])] { initial = false; break }
                }
                if initial { initials |= bit(t) }
            }
            let ie = initials & nEnabled[j]
            if ie & (nBack[j] | nSleep[j]) != 0 { return }
            if ie != 0 {
                nBack[j] |= bit(lowestTask(ie))
            } else {
                nBack[j] |= nEnabled[j] & ~nSleep[j]
            }
        }

        /// Event k of task p accesses the object in state `st` with `a`:
        /// gather its dependence predecessors (the last write, and for a
        /// write the reads since), report the races among them, and return
        /// its vector clock (without its own component).
        func joinAndRace(_ k: Int, _ p: Int, _ a: Access, _ st: ObjState) -> SIMD8<UInt32> {
            let own = lastOf[p] >= 0 ? eClock[Int(lastOf[p])] : SIMD8<UInt32>(repeating: 0)
            preds.removeAll(keepingCapacity: true)
            if st.lastWrite >= 0 { preds.append(Int(st.lastWrite)) }
            if a.write {
                for t in 0..<n where st.reads[t] >= 0 { preds.append(Int(st.reads[t])) }
            }
            var clock = own
            for e in preds { clock = pointwiseMax(clock, eClock[e]) }
            let ps = preds
            for (x, e) in ps.enumerated() where eTask[e] != p {
                // a race unless e happens-before event k through another path
                var others = own
                for (y, f) in ps.enumerated() where y != x { others = pointwiseMax(others, eClock[f]) }
                if others[eTask[e]] >= eLocal[e] { continue }
                race(e, k, p, clock)
            }
            return clock
        }

        /// Record event k (task p did `a`), detecting races.
        func addEvent(_ k: Int, _ p: Int, _ a: Access) {
            var clock = lastOf[p] >= 0 ? eClock[Int(lastOf[p])] : SIMD8<UInt32>(repeating: 0)
            let local = countOf[p] + 1
            if a.object != 0 {
                var st = objects[a.object] ?? ObjState()
                clock = joinAndRace(k, p, a, st)
                if a.write {
                    st.lastWrite = Int32(k)
                    st.reads = SIMD8<Int32>(repeating: -1)
                } else {
                    st.reads[p] = Int32(k)
                }
                objects[a.object] = st
            }
            clock[p] = local
            countOf[p] = local
            lastOf[p] = Int32(k)
            eTask.append(p)
            eLocal.append(local)
            eClock.append(clock)
        }

        /// Races of pending operations that have not run (blocked ones, and
        /// every one left when the run ends) with the events so far: a
        /// blocked lock attempt races with the acquisition that blocks it.
        func pendingRaces(_ k: Int, _ mask: UInt32) {
            var m = mask
            while m != 0 {
                let p = lowestTask(m)
                m &= m - 1
                let a = curOps[p]
                guard a.object != 0, let st = objects[a.object] else { continue }
                _ = joinAndRace(k, p, a, st)
            }
        }

        func pendingMask() -> UInt32 {
            var m: UInt32 = 0
            for t in 0..<n where curOps[t].object != 0 { m |= bit(t) }
            return m
        }

        func step(_ k: Int, _ c: Int) {
            let op = nOps[k * 8 + c]
            path.append(UInt8(c))
            _ = world.stepUnchecked(c)
            curOps[c] = world.access(c)
            addEvent(k, c, op)
        }

        world.runPrefix(unit.prefix)
        for t in 0..<n { curOps[t] = world.access(t) }
        var sleep = unit.sleep
        while true {
            // forward to the end of a run
            while true {
                if world.isDone {
                    for t in 0..<n where curOps[t].object != 0 { curOps[t] = world.access(t) }
                    pendingRaces(nEnabled.count, pendingMask())
                    if record(&r) { return }
                    break
                }
                let k = nEnabled.count
                let en = world.enabled
                pendingRaces(k, pendingMask() & ~en)
                let avail = en & ~sleep
                nEnabled.append(en)
                nSleep.append(sleep)
                nOps.append(contentsOf: curOps)
                if avail == 0 {
                    nBack.append(0)
                    nDone.append(0)
                    r.blocked += 1
                    break
                }
                let c = lowestTask(avail)
                nBack.append(bit(c))
                nDone.append(bit(c))
                sleep = childSleep(k, c)
                step(k, c)
            }
            if r.schedules >= limit || outOfTime { return }
            // back up to the deepest node with a backtrack task left
            var k = nEnabled.count - 1
            var next = -1
            while k >= 0 {
                let avail = nBack[k] & ~nDone[k] & ~nSleep[k] & nEnabled[k]
                if avail != 0 { next = lowestTask(avail); break }
                k -= 1
            }
            if next < 0 { r.complete = true; return }
            nDone[k] |= bit(next)
            nEnabled.removeSubrange((k + 1)...)
            nSleep.removeSubrange((k + 1)...)
            nBack.removeSubrange((k + 1)...)
            nDone.removeSubrange((k + 1)...)
            nOps.removeSubrange(((k + 1) * 8)...)
            eTask.removeSubrange(k...)
            eLocal.removeSubrange(k...)
            eClock.removeSubrange(k...)
            path.removeSubrange((base + k)...)
            // rebuild the per-object and per-task state of events 0..<k
            objects.removeAll(keepingCapacity: true)
            lastOf = SIMD8<Int32>(repeating: -1)
            countOf = SIMD8<UInt32>(repeating: 0)
            for e in 0..<k {
                let t = eTask[e]
                lastOf[t] = Int32(e)
                countOf[t] = eLocal[e]
                let a = nOps[e * 8 + t]
                if a.object != 0 {
                    var st = objects[a.object] ?? ObjState()
                    if a.write { st.lastWrite = Int32(e); st.reads = SIMD8<Int32>(repeating: -1) } else { st.reads[t] = Int32(e) }
                    objects[a.object] = st
                }
            }
            world.runPrefix(path)
            for t in 0..<n { curOps[t] = nOps[k * 8 + t] }
            sleep = childSleep(k, next)
            step(k, next)
        }
    }
}
