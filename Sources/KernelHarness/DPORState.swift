// SPDX-License-Identifier: GPL-2.0-only
//
// The bookkeeping of source-DPOR (UnitRunner.dpor): the nodes and events of
// the current run in flat buffers that a backtrack truncates, the accesses
// per object in a table indexed by dense object ids, and an undo record per
// event, so that backing up to depth k restores the state of events 0..<k
// without replaying them.  Nothing allocates per step: the buffers double
// when a run goes deeper than any before it, the object table when a new
// object shows up.

/// A pending operation as DPOR keeps it: 0 when it names no object, else
/// the object's dense id shifted left once, or'ed with the write bit.
typealias DPOROp = UInt32

/// Per-task vectors (clocks, last reads): one lane per task a world may
/// have (KSIM_MAX_TASKS).
typealias DPORLanes<T: SIMDScalar> = SIMD16<T>

/// `Access.conflicts` on the compact form: same object, at least one write.
@inline(__always) func dporConflict(_ a: DPOROp, _ b: DPOROp) -> Bool {
    a >> 1 != 0 && a >> 1 == b >> 1 && (a | b) & 1 != 0
}

/// The accesses to one object by the events of the current run.
struct DPORObject {
    /// Per task: its last read since `lastWrite` (-1: none).
    var reads = DPORLanes<Int32>(repeating: -1)
    /// The last write (-1: none).
    var lastWrite: Int32 = -1
}

/// Node k: the state before event k.
struct DPORNode {
    var enabled: UInt32
    var sleep: UInt32
    var back: UInt32
    var done: UInt32
}

/// Event k, executed at node k, with what undoing it needs.
struct DPOREvent {
    /// Vector clock, own component included.
    var clock: DPORLanes<UInt32>
    var task: Int32
    /// Its number among its task's events (1-based).
    var local: UInt32
    /// Its accesses are undo entries accStart..<accStart+accCount.
    var accStart: Int32
    var accCount: Int32
    /// lastOf[task] before it.
    var prevLast: Int32
}

/// Object keys (`Access.object`, nonzero) to dense ids 1, 2, ... in first-seen
/// order, by open addressing; ids stay valid for the table's lifetime.
struct DPORObjectIDs: ~Copyable {
    private var keys: UnsafeMutablePointer<UInt64>   // 0: empty slot
    private var ids: UnsafeMutablePointer<UInt32>
    private var shift: UInt64
    private var slots: Int
    private(set) var count = 0

    init() {
        slots = 64
        shift = 64 - 6
        keys = .allocate(capacity: slots)
        keys.initialize(repeating: 0, count: slots)
        ids = .allocate(capacity: slots)
        ids.initialize(repeating: 0, count: slots)
    }

    deinit {
        keys.deallocate()
        ids.deallocate()
    }

    @inline(__always) private func home(_ key: UInt64) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift)
    }

    /// The id of nonzero `key`, assigned on first sight.
    @inline(__always) mutating func id(_ key: UInt64) -> UInt32 {
        var i = home(key)
        while true {
            let k = keys[i]
            if k == key { return ids[i] }
            if k == 0 { return insert(key, at: i) }
            i = (i + 1) & (slots - 1)
        }
    }

    private mutating func insert(_ key: UInt64, at slot: Int) -> UInt32 {
        count += 1
        let id = UInt32(count)
        keys[slot] = key
        ids[slot] = id
        if count * 2 > slots { grow() }
        return id
    }

    private mutating func grow() {
        let oldKeys = keys, oldIDs = ids, oldSlots = slots
        slots *= 2
        shift -= 1
        keys = .allocate(capacity: slots)
        keys.initialize(repeating: 0, count: slots)
        ids = .allocate(capacity: slots)
        ids.initialize(repeating: 0, count: slots)
        for s in 0..<oldSlots where oldKeys[s] != 0 {
            var i = home(oldKeys[s])
            while keys[i] != 0 { i = (i + 1) & (slots - 1) }
            keys[i] = oldKeys[s]
            ids[i] = oldIDs[s]
        }
        oldKeys.deallocate()
        oldIDs.deallocate()
    }
}

/// The state of one source-DPOR exploration below a unit's prefix: the
/// current run's nodes (0..<depth) and events (0..<eventCount), the
/// pending operation of every task, the per-task last event and event
/// count, and the per-object accesses of events 0..<eventCount.
///
/// An event is a whole step: the task's pending operation (only a read
/// when it changed nothing: a failed trylock or compare-and-swap) and the
/// plain shared accesses of the kernel code that ran after it up to the
/// task's next scheduling point (the world's step footprint).  Sleep sets
/// compare what whole steps touched: a task sleeps at a node together with
/// the accesses of its step from there, known because it was run from
/// there (or from an equivalent state) before.
struct DPORState: ~Copyable {
    /// Tasks a state can hold: the lanes of its vectors.
    static let lanes = 16
    let n: Int
    private(set) var depth = 0
    private(set) var eventCount = 0
    private var capacity = 0
    private var nodes: UnsafeMutablePointer<DPORNode>
    /// `lanes` per node: the pending operations at node k.
    private var nodeOps: UnsafeMutablePointer<DPOROp>
    /// `lanes` per node: for a task done at node k, the accesses of its step
    /// from there (kept when the event is undone); `allStep` for a step
    /// that conflicts with every other (it stopped the run, or its
    /// footprint was lost).
    private var doneLists: [[DPOROp]]
    private var allFlag: UnsafeMutablePointer<Bool>
    /// `lanes` per node: for a task asleep at node k, where its list is: the
    /// node where it is done (>= 0) or the unit root (-1).
    private var sleepRef: UnsafeMutablePointer<Int32>
    /// Per object id: epoch << 1 | write of the step childSleep compares.
    private var mark: UnsafeMutablePointer<UInt32>
    private var epoch: UInt32 = 0
    static let allStep: DPOROp = ~0
    private var events: UnsafeMutablePointer<DPOREvent>
    /// The accesses of events 0..<eventCount and each object's state
    /// before the access (undo).
    private var accOps: UnsafeMutablePointer<DPOROp>
    private var accSaved: UnsafeMutablePointer<DPORObject>
    private var accCount = 0
    private var accCapacity = 1024
    /// Per task: the pending operation now.
    private let cur: UnsafeMutablePointer<DPOROp>
    /// Tasks with a pending operation on an object.
    private(set) var pendingMask: UInt32 = 0
    /// Per task: its last event (-1: none) and its number of events.
    private let lastOf: UnsafeMutablePointer<Int32>
    private let countOf: UnsafeMutablePointer<UInt32>
    private var ids = DPORObjectIDs()
    /// Indexed by object id (0 unused).
    private var objects: UnsafeMutablePointer<DPORObject>
    /// Per object id: the event that last listed it (dedup within an event).
    private var stamp: UnsafeMutablePointer<Int32>
    private var objectCapacity = 64
    /// Per task: the pseudo object of its CPU, read by each of its steps and
    /// written by a step that moves per-CPU work onto or off the CPU.
    private let cpuOp: UnsafeMutablePointer<DPOROp>
    /// The accesses of the unit root's sleeping tasks' steps.
    private var rootLists: [[DPOROp]] = Array(repeating: [DPORState.allStep], count: DPORState.lanes)
    private let clockOffset = MemoryLayout<DPOREvent>.offset(of: \.clock)!
    /// Steps whose footprint was lost (out of memory in the shim): they
    /// conflict with everything in sleep sets, races use the operation only.
    private(set) var lostFootprints = 0

    static let cpuKeyBase: UInt64 = 1 << 62

    init(tasks n: Int) {
        precondition(n <= DPORState.lanes, "DPOR handles at most \(DPORState.lanes) tasks")
        self.n = n
        capacity = 256
        nodes = .allocate(capacity: capacity)
        nodeOps = .allocate(capacity: capacity * DPORState.lanes)
        doneLists = Array(repeating: [], count: capacity * DPORState.lanes)
        allFlag = .allocate(capacity: capacity * DPORState.lanes)
        allFlag.initialize(repeating: false, count: capacity * DPORState.lanes)
        sleepRef = .allocate(capacity: capacity * DPORState.lanes)
        sleepRef.initialize(repeating: -1, count: capacity * DPORState.lanes)
        events = .allocate(capacity: capacity)
        accOps = .allocate(capacity: accCapacity)
        accSaved = .allocate(capacity: accCapacity)
        cur = .allocate(capacity: DPORState.lanes)
        cur.initialize(repeating: 0, count: DPORState.lanes)
        lastOf = .allocate(capacity: DPORState.lanes)
        lastOf.initialize(repeating: -1, count: DPORState.lanes)
        countOf = .allocate(capacity: DPORState.lanes)
        countOf.initialize(repeating: 0, count: DPORState.lanes)
        objects = .allocate(capacity: objectCapacity)
        objects.initialize(repeating: DPORObject(), count: objectCapacity)
        stamp = .allocate(capacity: objectCapacity)
        stamp.initialize(repeating: -1, count: objectCapacity)
        mark = .allocate(capacity: objectCapacity)
        mark.initialize(repeating: 0, count: objectCapacity)
        cpuOp = .allocate(capacity: DPORState.lanes)
        cpuOp.initialize(repeating: 0, count: DPORState.lanes)
        for t in 0..<n { cpuOp[t] = op(object: DPORState.cpuKeyBase | UInt64(t), write: false) }
    }

    deinit {
        nodes.deallocate()
        nodeOps.deallocate()
        allFlag.deallocate()
        sleepRef.deallocate()
        events.deallocate()
        accOps.deallocate()
        accSaved.deallocate()
        cur.deallocate()
        lastOf.deallocate()
        countOf.deallocate()
        objects.deallocate()
        stamp.deallocate()
        mark.deallocate()
        cpuOp.deallocate()
    }

    // MARK: nodes and pending operations

    /// Task t's pending operation now.
    @inline(__always) func pending(_ t: Int) -> DPOROp { cur[t] }

    /// Set task t's pending operation from the world's.
    @inline(__always) mutating func setPending(_ t: Int, _ a: Access) {
        let o = op(object: a.object, write: a.write)
        cur[t] = o
        if o != 0 { pendingMask |= bit(t) } else { pendingMask &= ~bit(t) }
    }

    @inline(__always) mutating func op(object: UInt64, write: Bool) -> DPOROp {
        guard object != 0 else { return 0 }
        let id = ids.id(object)
        if Int(id) >= objectCapacity { growObjects() }
        return id << 1 | (write ? 1 : 0)
    }

    private mutating func growObjects() {
        let old = objects, oldStamp = stamp, oldCap = objectCapacity
        objectCapacity *= 2
        objects = .allocate(capacity: objectCapacity)
        objects.moveInitialize(from: old, count: oldCap)
        (objects + oldCap).initialize(repeating: DPORObject(), count: objectCapacity - oldCap)
        old.deallocate()
        stamp = .allocate(capacity: objectCapacity)
        stamp.moveInitialize(from: oldStamp, count: oldCap)
        (stamp + oldCap).initialize(repeating: -1, count: objectCapacity - oldCap)
        oldStamp.deallocate()
        let oldMark = mark
        mark = .allocate(capacity: objectCapacity)
        mark.moveInitialize(from: oldMark, count: oldCap)
        (mark + oldCap).initialize(repeating: 0, count: objectCapacity - oldCap)
        oldMark.deallocate()
    }

    /// What task t's step from the unit root touches (its sleep set
    /// there); nil: conflicts with everything.
    mutating func setRootList(_ t: Int, _ list: [DPOROp]?) { rootLists[t] = list ?? [DPORState.allStep] }

    /// Append node `depth` with the current pending operations; returns its
    /// index.  Its sleeping tasks keep the lists of their steps from the
    /// node above (or the unit root).
    mutating func pushNode(enabled: UInt32, sleep: UInt32, chosen: UInt32) -> Int {
        let k = depth
        if k == capacity { grow() }
        nodes[k] = DPORNode(enabled: enabled, sleep: sleep, back: chosen, done: chosen)
        (nodeOps + k * DPORState.lanes).update(from: cur, count: DPORState.lanes)
        var m = sleep
        while m != 0 {
            let u = lowestTask(m)
            m &= m - 1
            if k == 0 {
                sleepRef[u] = -1
            } else if nodes[k - 1].sleep & bit(u) != 0 {
                sleepRef[k * DPORState.lanes + u] = sleepRef[(k - 1) * DPORState.lanes + u]
            } else {
                sleepRef[k * DPORState.lanes + u] = Int32(k - 1)
            }
        }
        for t in 0..<DPORState.lanes { allFlag[k * DPORState.lanes + t] = false }
        depth = k + 1
        return k
    }

    private mutating func grow() {
        let c = capacity * 2
        let nn = UnsafeMutablePointer<DPORNode>.allocate(capacity: c)
        nn.moveInitialize(from: nodes, count: depth)
        nodes.deallocate()
        nodes = nn
        let no = UnsafeMutablePointer<DPOROp>.allocate(capacity: c * DPORState.lanes)
        no.moveInitialize(from: nodeOps, count: depth * DPORState.lanes)
        nodeOps.deallocate()
        nodeOps = no
        doneLists += Array(repeating: [], count: (c - capacity) * DPORState.lanes)
        let na = UnsafeMutablePointer<Bool>.allocate(capacity: c * DPORState.lanes)
        na.initialize(repeating: false, count: c * DPORState.lanes)
        na.update(from: allFlag, count: capacity * DPORState.lanes)
        allFlag.deallocate()
        allFlag = na
        let nr = UnsafeMutablePointer<Int32>.allocate(capacity: c * DPORState.lanes)
        nr.initialize(repeating: -1, count: c * DPORState.lanes)
        nr.update(from: sleepRef, count: capacity * DPORState.lanes)
        sleepRef.deallocate()
        sleepRef = nr
        let ne = UnsafeMutablePointer<DPOREvent>.allocate(capacity: c)
        ne.moveInitialize(from: events, count: eventCount)
        events.deallocate()
        events = ne
        capacity = c
    }

    private mutating func growAccesses(_ need: Int) {
        var c = accCapacity
        while c < need { c *= 2 }
        let o = UnsafeMutablePointer<DPOROp>.allocate(capacity: c)
        o.moveInitialize(from: accOps, count: accCount)
        accOps.deallocate()
        accOps = o
        let sv = UnsafeMutablePointer<DPORObject>.allocate(capacity: c)
        sv.moveInitialize(from: accSaved, count: accCount)
        accSaved.deallocate()
        accSaved = sv
        accCapacity = c
    }

    /// The sleep set of node k's child through task c, whose step from node
    /// k is the last event: the tasks asleep or done at node k whose steps
    /// from there touch nothing that one writes, and write nothing it reads.
    mutating func childSleep(_ k: Int, _ c: Int) -> UInt32 {
        let node = nodes[k]
        var m = (node.sleep | node.done) & ~bit(c)
        if m == 0 || allFlag[k * DPORState.lanes + c] { return 0 }
        let ev = events[eventCount - 1]
        epoch &+= 1
        if epoch >= 1 << 31 { epoch = 1; mark.update(repeating: 0, count: objectCapacity) }
        for x in Int(ev.accStart)..<Int(ev.accStart + ev.accCount) {
            let a = accOps[x]
            mark[Int(a >> 1)] = epoch << 1 | (a & 1)
        }
        var out: UInt32 = 0
        while m != 0 {
            let u = lowestTask(m)
            m &= m - 1
            let r = node.sleep & bit(u) != 0 ? Int(sleepRef[k * DPORState.lanes + u]) : k
            var conflict = false
            func scan(_ list: [DPOROp]) {
                for a in list {
                    if a == DPORState.allStep { conflict = true; return }
                    let mk = mark[Int(a >> 1)]
                    if mk >> 1 == epoch && (mk | a) & 1 != 0 { conflict = true; return }
                }
            }
            if r < 0 { scan(rootLists[u]) } else { scan(doneLists[r * DPORState.lanes + u]) }
            if !conflict { out |= bit(u) }
        }
        return out
    }

    /// The tasks that could run at node k.
    func nodeEnabled(_ k: Int) -> UInt32 { nodes[k].enabled }

    /// Task c's operation at node k.
    func nodeOp(_ k: Int, _ c: Int) -> DPOROp { nodeOps[k * DPORState.lanes + c] }

    // MARK: events and races

    private mutating func race(_ j: Int, _ i: Int, _ p: Int, _ clock: DPORLanes<UInt32>) {
        let q = Int(events[j].task), ql = events[j].local
        var first = DPORLanes<Int32>(repeating: -1)
        // tasks whose first event after j is found, or excluded
        var decided: UInt32 = 0
        let all: UInt32 = (1 << UInt32(n)) - 1
        var m = j + 1
        while m < i && decided != all {
            let t = Int(events[m].task)
            if decided & bit(t) == 0 {
                decided |= bit(t)
                if events[m].clock[q] < ql { first[t] = Int32(m) }
            }
            m += 1
        }
        if first[p] < 0 { first[p] = Int32(i) }
        var initials: UInt32 = 0
        for t in 0..<n where first[t] >= 0 {
            let ft = Int(first[t])
            let ct = ft == i ? clock : events[ft].clock
            var initial = true
            for s in 0..<n where s != t && first[s] >= 0 && first[s] < first[t] {
                if ct[s] >= events[Int(first[s])].local { initial = false; break }
            }
            if initial { initials |= bit(t) }
        }
        let node = nodes[j]
        let ie = initials & node.enabled
        if ie & (node.back | node.sleep) != 0 { return }
        if ie != 0 {
            nodes[j].back |= bit(lowestTask(ie))
        } else {
            nodes[j].back |= node.enabled & ~node.sleep
        }
    }

    /// Fold one access (by task p) of object state `st` into the latest
    /// dependence predecessor per task: the last write, and for a write the
    /// reads since.
    @inline(__always) private func gather(_ preds: inout DPORLanes<Int32>, _ write: Bool, _ st: DPORObject) {
        if st.lastWrite >= 0 {
            let q = Int(events[Int(st.lastWrite)].task)
            preds[q] = max(preds[q], st.lastWrite)
        }
        if write { preds = pointwiseMax(preds, st.reads) }
    }

    /// Event (or pending operation) k of task p with dependence
    /// predecessors `preds` (latest per task): report the races among them
    /// and return its vector clock (without its own component).
    private mutating func raceAndJoin(_ k: Int, _ p: Int, _ preds: DPORLanes<Int32>) -> DPORLanes<UInt32> {
        let lp = lastOf[p]
        let own = lp >= 0 ? events[Int(lp)].clock : DPORLanes<UInt32>(repeating: 0)
        var clock = own
        var any: UInt32 = 0
        for t in 0..<n where t != p && preds[t] >= 0 {
            any |= bit(t)
            clock = pointwiseMax(clock, events[Int(preds[t])].clock)
        }
        if any == 0 { return own }
        var m = any
        while m != 0 {
            let te = lowestTask(m)
            m &= m - 1
            let e = Int(preds[te])
            // a race unless e happens-before event k through another path
            var others = own
            var o = any & ~bit(te)
            while o != 0 {
                let y = lowestTask(o)
                o &= o - 1
                others = pointwiseMax(others, events[Int(preds[y])].clock)
            }
            if others[te] >= events[e].local { continue }
            race(e, k, p, clock)
        }
        return clock
    }

    /// List access `o` of the event being built (once per object, a write
    /// winning over a read).
    @inline(__always) private mutating func listAccess(_ o: DPOROp, _ start: Int) {
        let obj = Int(o >> 1)
        let s = stamp[obj]
        if s >= Int32(start) && s < Int32(accCount) && accOps[Int(s)] >> 1 == o >> 1 {
            accOps[Int(s)] |= o & 1
            return
        }
        if accCount == accCapacity { growAccesses(accCount + 1) }
        stamp[obj] = Int32(accCount)
        accOps[accCount] = o
        accCount += 1
    }

    /// Record event `eventCount`: task p did `op` (its operation at the
    /// node) and then the plain accesses of `footprint` (nil: unknown),
    /// detecting races.  The step's sig is kept at node `eventCount`.
    mutating func addEvent(_ p: Int, _ op: DPOROp, footprint: UnsafeBufferPointer<UInt64>?) {
        let k = eventCount
        let lp = lastOf[p]
        let local = countOf[p] + 1
        let start = accCount
        var o = op
        if let fp = footprint {
            for e in fp where e == 0 { o &= ~1; break }   // the operation only read
            if o != 0 { listAccess(o, start) }
            listAccess(cpuOp[p], start)
            for e in fp where e != 0 {
                listAccess(self.op(object: e >> 1, write: e & 1 != 0), start)
            }
        } else {
            lostFootprints += 1
            if o != 0 { listAccess(o, start) }
            listAccess(cpuOp[p], start)
            allFlag[k * DPORState.lanes + p] = true
        }
        var preds = DPORLanes<Int32>(repeating: -1)
        for x in start..<accCount {
            let a = accOps[x]
            let obj = Int(a >> 1)
            let st = objects[obj]
            accSaved[x] = st
            gather(&preds, a & 1 != 0, st)
        }
        let clock = raceAndJoin(k, p, preds)
        for x in start..<accCount {
            let a = accOps[x]
            let obj = Int(a >> 1)
            if a & 1 != 0 {
                objects[obj] = DPORObject(reads: DPORLanes<Int32>(repeating: -1), lastWrite: Int32(k))
            } else {
                objects[obj].reads[p] = Int32(k)
            }
        }
        events[k] = DPOREvent(clock: clock, task: Int32(p), local: local, accStart: Int32(start),
                              accCount: Int32(accCount - start), prevLast: lp)
        // clock[p] = local, as a scalar store (a lane insert goes through
        // the stack)
        UnsafeMutableRawPointer(events + k).storeBytes(
            of: local, toByteOffset: clockOffset + p * 4, as: UInt32.self)
        countOf[p] = local
        lastOf[p] = Int32(k)
        eventCount = k + 1
    }

    /// Races of the pending operations of `mask` that have not run (blocked
    /// ones, and every one left when the run ends) with the events so far:
    /// a blocked lock attempt races with the acquisition that blocks it.
    mutating func pendingRaces(_ mask: UInt32) {
        let k = eventCount
        var m = mask
        while m != 0 {
            let p = lowestTask(m)
            m &= m - 1
            let a = cur[p]
            let obj = Int(a >> 1)
            var preds = DPORLanes<Int32>(repeating: -1)
            if obj != 0 { gather(&preds, a & 1 != 0, objects[obj]) }
            // every step of p reads p's CPU: a step that put work on that
            // CPU (and so disabled p) races with p's next step too
            gather(&preds, false, objects[Int(cpuOp[p] >> 1)])
            _ = raceAndJoin(k, p, preds)
        }
    }

    /// The last event stopped the run (a fatal finding): had it come
    /// earlier, nothing the other tasks did after that point would have
    /// happened, so it depends on every event of theirs and on the next
    /// steps of the tasks of `mask`, which could still run.  It races with
    /// each task's latest event that does not happen before it, and with
    /// those next steps.
    mutating func stopRaces(_ mask: UInt32) {
        guard eventCount > 0 else { return }
        let e = eventCount - 1
        let q = Int(events[e].task)
        let ce = events[e].clock
        // no other task's step commutes with it: none sleeps through it
        allFlag[e * DPORState.lanes + q] = true
        for t in 0..<n where t != q && lastOf[t] >= 0 {
            let x = Int(lastOf[t])
            if ce[t] >= events[x].local { continue }
            race(x, e, q, ce)
        }
        var m = mask & ~bit(q)
        while m != 0 {
            let p = lowestTask(m)
            m &= m - 1
            var preds = DPORLanes<Int32>(repeating: -1)
            preds[q] = Int32(e)
            _ = raceAndJoin(eventCount, p, preds)
        }
    }

    // MARK: backtracking

    /// Back up to the deepest node with a backtrack task left, mark that
    /// task done there, drop the nodes below it and undo the events from it
    /// on; the pending operations become the node's.  Returns the node and
    /// the task, or nil when the subtree is exhausted.
    mutating func backtrack() -> (depth: Int, task: Int)? {
        var k = depth - 1
        var next = -1
        while k >= 0 {
            let node = nodes[k]
            let avail = node.back & ~node.done & ~node.sleep & node.enabled
            if avail != 0 { next = lowestTask(avail); break }
            k -= 1
        }
        if next < 0 { return nil }
        nodes[k].done |= bit(next)
        depth = k + 1
        if k < eventCount {
            // the step done at node k: its accesses outlive its event
            let ev = events[k], t = Int(ev.task)
            if allFlag[k * DPORState.lanes + t] {
                doneLists[k * DPORState.lanes + t] = [DPORState.allStep]
            } else {
                doneLists[k * DPORState.lanes + t] = Array(UnsafeBufferPointer(start: accOps + Int(ev.accStart), count: Int(ev.accCount)))
            }
        }
        var e = eventCount - 1
        while e >= k {
            let ev = events[e]
            var x = Int(ev.accStart + ev.accCount) - 1
            while x >= Int(ev.accStart) {
                objects[Int(accOps[x] >> 1)] = accSaved[x]
                x -= 1
            }
            lastOf[Int(ev.task)] = ev.prevLast
            countOf[Int(ev.task)] = ev.local - 1
            e -= 1
        }
        if k < eventCount { accCount = Int(events[k].accStart) }
        eventCount = k
        cur.update(from: nodeOps + k * DPORState.lanes, count: DPORState.lanes)
        pendingMask = 0
        for t in 0..<n where cur[t] != 0 { pendingMask |= bit(t) }
        return (k, next)
    }
}

/// What a step touches as the planner compares steps: object keys with
/// the write flag, from the pending operation and the step's footprint.
struct StepTouch: Sendable, Hashable {
    var reads: Set<UInt64> = []
    var writes: Set<UInt64> = []
    var all = false

    init(op: Access, cpu: Int, footprint: UnsafeBufferPointer<UInt64>?) {
        var o = op
        guard let fp = footprint else { all = true; return }
        if fp.contains(0) { o.write = false }
        if o.object != 0 { if o.write { writes.insert(o.object) } else { reads.insert(o.object) } }
        reads.insert(DPORState.cpuKeyBase | UInt64(cpu))
        for e in fp where e != 0 {
            if e & 1 != 0 { writes.insert(e >> 1) } else { reads.insert(e >> 1) }
        }
        reads.subtract(writes)
    }

    func conflicts(_ o: StepTouch) -> Bool {
        if all || o.all { return true }
        return !writes.isDisjoint(with: o.writes) || !writes.isDisjoint(with: o.reads)
            || !reads.isDisjoint(with: o.writes)
    }

    /// As DPOR's sleep sets keep it, with the object ids of `s`; nil when
    /// it conflicts with everything.
    func ops(_ s: inout DPORState) -> [DPOROp]? {
        if all { return nil }
        return reads.map { s.op(object: $0, write: false) } + writes.map { s.op(object: $0, write: true) }
    }
}
