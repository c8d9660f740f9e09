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

/// `Access.conflicts` on the compact form: same object, at least one write.
@inline(__always) func dporConflict(_ a: DPOROp, _ b: DPOROp) -> Bool {
    a >> 1 != 0 && a >> 1 == b >> 1 && (a | b) & 1 != 0
}

/// The accesses to one object by the events of the current run.
struct DPORObject {
    /// Per task: its last read since `lastWrite` (-1: none).
    var reads = SIMD8<Int32>(repeating: -1)
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
    var clock: SIMD8<UInt32>
    var task: Int32
    /// Its number among its task's events (1-based).
    var local: UInt32
    /// The object it accessed (dense id, 0: none) and that object's state
    /// before it.
    var object: UInt32
    /// lastOf[task] before it.
    var prevLast: Int32
    var saved: DPORObject
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
struct DPORState: ~Copyable {
    let n: Int
    private(set) var depth = 0
    private(set) var eventCount = 0
    private var capacity = 0
    private var nodes: UnsafeMutablePointer<DPORNode>
    /// 8 per node: the pending operations at node k.
    private var nodeOps: UnsafeMutablePointer<DPOROp>
    private var events: UnsafeMutablePointer<DPOREvent>
    /// Per task: the pending operation now.
    private let cur: UnsafeMutablePointer<DPOROp>
    /// Tasks with a pending operation on an object.
    private(set) var pendingMask: UInt32 = 0
    /// Scratch: the dependence predecessors of one access.
    private let preds: UnsafeMutablePointer<Int32>
    /// Per task: its last event (-1: none) and its number of events.
    private let lastOf: UnsafeMutablePointer<Int32>
    private let countOf: UnsafeMutablePointer<UInt32>
    private var ids = DPORObjectIDs()
    /// Indexed by object id (0 unused).
    private var objects: UnsafeMutablePointer<DPORObject>
    private var objectCapacity = 64
    private let clockOffset = MemoryLayout<DPOREvent>.offset(of: \.clock)!

    init(tasks n: Int) {
        precondition(n <= 8, "DPOR handles at most 8 tasks")
        self.n = n
        capacity = 256
        nodes = .allocate(capacity: capacity)
        nodeOps = .allocate(capacity: capacity * 8)
        events = .allocate(capacity: capacity)
        cur = .allocate(capacity: 8)
        cur.initialize(repeating: 0, count: 8)
        preds = .allocate(capacity: 16)
        preds.initialize(repeating: 0, count: 16)
        lastOf = .allocate(capacity: 8)
        lastOf.initialize(repeating: -1, count: 8)
        countOf = .allocate(capacity: 8)
        countOf.initialize(repeating: 0, count: 8)
        objects = .allocate(capacity: objectCapacity)
        objects.initialize(repeating: DPORObject(), count: objectCapacity)
    }

    deinit {
        nodes.deallocate()
        nodeOps.deallocate()
        events.deallocate()
        cur.deallocate()
        preds.deallocate()
        lastOf.deallocate()
        countOf.deallocate()
        objects.deallocate()
    }

    // MARK: nodes and pending operations

    /// Task t's pending operation now.
    @inline(__always) func pending(_ t: Int) -> DPOROp { cur[t] }

    /// Set task t's pending operation from the world's.
    @inline(__always) mutating func setPending(_ t: Int, _ a: Access) {
        let o = op(a)
        cur[t] = o
        if o != 0 { pendingMask |= bit(t) } else { pendingMask &= ~bit(t) }
    }

    @inline(__always) private mutating func op(_ a: Access) -> DPOROp {
        guard a.object != 0 else { return 0 }
        let id = ids.id(a.object)
        if Int(id) >= objectCapacity { growObjects() }
        return id << 1 | (a.write ? 1 : 0)
    }

    private mutating func growObjects() {
        let old = objects, oldCap = objectCapacity
        objectCapacity *= 2
        objects = .allocate(capacity: objectCapacity)
        objects.moveInitialize(from: old, count: oldCap)
        (objects + oldCap).initialize(repeating: DPORObject(), count: objectCapacity - oldCap)
        old.deallocate()
    }


    /// Append node `depth` with the current pending operations; returns its index.
    mutating func pushNode(enabled: UInt32, sleep: UInt32, chosen: UInt32) -> Int {
        let k = depth
        if k == capacity { grow() }
        nodes[k] = DPORNode(enabled: enabled, sleep: sleep, back: chosen, done: chosen)
        (nodeOps + k * 8).update(from: cur, count: 8)
        depth = k + 1
        return k
    }

    private mutating func grow() {
        let c = capacity * 2
        let nn = UnsafeMutablePointer<DPORNode>.allocate(capacity: c)
        nn.moveInitialize(from: nodes, count: depth)
        nodes.deallocate()
        nodes = nn
        let no = UnsafeMutablePointer<DPOROp>.allocate(capacity: c * 8)
        no.moveInitialize(from: nodeOps, count: depth * 8)
        nodeOps.deallocate()
        nodeOps = no
        let ne = UnsafeMutablePointer<DPOREvent>.allocate(capacity: c)
        ne.moveInitialize(from: events, count: eventCount)
        events.deallocate()
        events = ne
        capacity = c
    }

    /// The sleep set of node k's child through task c.
    func childSleep(_ k: Int, _ c: Int) -> UInt32 {
        let node = nodes[k]
        let ops = nodeOps + k * 8
        var m = (node.sleep | node.done) & ~bit(c)
        var out: UInt32 = 0
        let op = ops[c]
        while m != 0 {
            let u = lowestTask(m)
            m &= m - 1
            if !dporConflict(ops[u], op) { out |= bit(u) }
        }
        return out
    }

    /// Task c's operation at node k.
    func nodeOp(_ k: Int, _ c: Int) -> DPOROp { nodeOps[k * 8 + c] }

    // MARK: events and races

    private mutating func race(_ j: Int, _ i: Int, _ p: Int, _ clock: SIMD8<UInt32>) {
        let q = Int(events[j].task), ql = events[j].local
        var first = SIMD8<Int32>(repeating: -1)
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

    /// Event k of task p accesses the object in state `st` (writing it when
    /// `write`): gather its dependence predecessors (the last write, and for
    /// a write the reads since), report the races among them, and return
    /// its vector clock (without its own component).
    private mutating func joinAndRace(_ k: Int, _ p: Int, _ write: Bool, _ st: DPORObject) -> SIMD8<UInt32> {
        var np = 0
        if st.lastWrite >= 0 { preds[0] = st.lastWrite; np = 1 }
        if write {
            for t in 0..<n where st.reads[t] >= 0 { preds[np] = st.reads[t]; np += 1 }
        }
        let lp = lastOf[p]
        let own = lp >= 0 ? events[Int(lp)].clock : SIMD8<UInt32>(repeating: 0)
        if np == 0 { return own }
        var clock = own
        for x in 0..<np { clock = pointwiseMax(clock, events[Int(preds[x])].clock) }
        for x in 0..<np {
            let e = Int(preds[x])
            let te = Int(events[e].task)
            if te == p { continue }
            // a race unless e happens-before event k through another path
            var others = own
            for y in 0..<np where y != x { others = pointwiseMax(others, events[Int(preds[y])].clock) }
            if others[te] >= events[e].local { continue }
            race(e, k, p, clock)
        }
        return clock
    }

    /// Record event `eventCount` (task p did `op`, its operation at the
    /// node), detecting races.
    mutating func addEvent(_ p: Int, _ op: DPOROp) {
        let k = eventCount
        let lp = lastOf[p]
        var clock = lp >= 0 ? events[Int(lp)].clock : SIMD8<UInt32>(repeating: 0)
        let local = countOf[p] + 1
        let obj = op >> 1
        var saved = DPORObject()
        if obj != 0 {
            let st = objects[Int(obj)]
            saved = st
            clock = joinAndRace(k, p, op & 1 != 0, st)
            if op & 1 != 0 {
                objects[Int(obj)] = DPORObject(reads: SIMD8<Int32>(repeating: -1), lastWrite: Int32(k))
            } else {
                objects[Int(obj)].reads[p] = Int32(k)
            }
        }
        events[k] = DPOREvent(clock: clock, task: Int32(p), local: local, object: obj,
                              prevLast: lp, saved: saved)
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
            guard obj != 0 else { continue }
            _ = joinAndRace(k, p, a & 1 != 0, objects[obj])
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
        var e = eventCount - 1
        while e >= k {
            let ev = events[e]
            if ev.object != 0 { objects[Int(ev.object)] = ev.saved }
            lastOf[Int(ev.task)] = ev.prevLast
            countOf[Int(ev.task)] = ev.local - 1
            e -= 1
        }
        eventCount = k
        cur.update(from: nodeOps + k * 8, count: 8)
        pendingMask = 0
        for t in 0..<n where cur[t] != 0 { pendingMask |= bit(t) }
        return (k, next)
    }
}
