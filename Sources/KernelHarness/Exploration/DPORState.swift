// SPDX-License-Identifier: GPL-2.0-only
//
// The bookkeeping of optimal DPOR (UnitRunner.dpor): the nodes and events of
// the current run in flat buffers that a backtrack truncates, the accesses
// per object in a table indexed by dense object ids, and an undo record per
// event, so that backing up to depth k restores the state of events 0..<k
// without replaying them, and a wakeup tree per node (the branches still to
// explore there, as sequences of steps).  Nothing allocates per step: the
// buffers double when a run goes deeper than any before it, the object
// table when a new object shows up; a wakeup tree node is allocated when a
// race asks for a new branch.

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
    /// Tasks whose branch from here was taken (the current one included).
    var done: UInt32
}

/// A node of a wakeup tree: a step of `task`, its first child and its next
/// sibling (-1: none).  Siblings are in insertion order, which is the order
/// they are explored in.
struct WakeNode {
    var task: Int32
    var child: Int32
    var next: Int32
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
    /// Its operation when it was an attempt that failed (a trylock, a
    /// compare-and-swap) and so only read; else 0.
    var failedOp: DPOROp = 0
    /// What its operation does to a lock (`LockRole`), when it succeeded.
    var role: LockRole = .none
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
    /// The same for the accesses of the event a race reverses (`raceJ`),
    /// marked once per race when `weakInitial` first needs them.
    private var jmark: UnsafeMutablePointer<UInt32>
    private var jepoch: UInt32 = 0
    private var raceJ = -1
    private var jMarked = false
    private var jAll = false
    static let allStep: DPOROp = ~0
    private var events: UnsafeMutablePointer<DPOREvent>
    /// The accesses of events 0..<eventCount and each object's state
    /// before the access (undo).
    private var accOps: UnsafeMutablePointer<DPOROp>
    private var accSaved: UnsafeMutablePointer<DPORObject>
    private var accCount = 0
    private var accCapacity = 1024
    /// Per task: the pending operation now, and its lock role.
    private let cur: UnsafeMutablePointer<DPOROp>
    private let curRole: UnsafeMutablePointer<LockRole>
    /// `lanes` per node: the pending operations' lock roles at node k.
    private var nodeRoles: UnsafeMutablePointer<LockRole>
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
    /// `lanes` per node, for a task done there: its step from there is stable,
    /// i.e. touches only its operation's object (and its CPU) and was not an
    /// attempt that failed.  Only a stable step is taken to commute past a
    /// race's sequence because its recorded accesses do (Abdulla et al.'s
    /// weak initials assume a task's next step is fixed by its own state;
    /// a failed attempt may succeed, and plain accesses after a read may
    /// change, where the sequence leads).  An unstable one counts only as
    /// an initial of the sequence.
    private var doneStable: [Bool] = []
    private let clockOffset = MemoryLayout<DPOREvent>.offset(of: \.clock)!
    /// Steps whose footprint was lost (out of memory in the shim): they
    /// conflict with everything in sleep sets, races use the operation only.
    private(set) var lostFootprints = 0

    // Wakeup trees (Abdulla, Aronis, Jonsson, Sagonas, "Source sets: a
    // foundation for optimal dynamic partial order reduction", JACM 2017).
    /// The pool of wakeup tree nodes, what each one's step touched when it
    /// was seen (`allStep` when unknown), and the free slots.
    private var wake: [WakeNode] = []
    private var wakeOps: [[DPOROp]] = []
    private var wakeFree: [Int32] = []
    /// Per wakeup tree node: a sequence inserted later ended there (it was
    /// covered by the branch through it), so what lies below it is that
    /// sequence's too.
    private var wakePinned: [Bool] = []
    /// The last `takeBranch` dropped a branch whose task sleeps there.
    private var droppedAsleep = false
    /// Per wakeup tree node that ends a sequence: what the event touched
    /// whose race the sequence reverses; and that of the leaf just taken.
    private var wakeJ: [[DPOROp]] = []
    private var takenJ: [DPOROp] = []
    /// Per node k taken from a wakeup tree: the branch taken there, or one
    /// above it on the same wakeup path, is pinned.
    private var pathPinned: [Bool] = []
    /// Per node: its branches came down from the branch taken above it.
    private var fromAbove: [Bool] = []
    /// Per node: its first branch still to explore (-1: none).
    private var wchild: UnsafeMutablePointer<Int32>
    /// The subtree below the branch just taken: the next node's branches.
    private var incoming: Int32 = -1
    /// The branch just taken was the last step of a wakeup sequence (a
    /// leaf of its node's wakeup tree).
    private(set) var tookLeaf = false
    /// The sequence v of a race being inserted: event indices (the last one
    /// may be `eventCount`: the event being added, or a pending operation),
    /// whether each is still in v, and per task its first position in v.
    private var vEv: [Int32] = []
    private var vAlive: [Bool] = []
    private var vLeft = 0
    private var vFirst = DPORLanes<Int32>(repeating: -1)
    private var vFirstLocal = DPORLanes<UInt32>(repeating: 0)
    private var vMarked = false
    private var vAll = false
    /// The positions left in v that conflict with everything.
    private var vAllCount = 0
    /// The last element of v when it is not a recorded event.
    private var lastTask = 0
    private var lastClock = DPORLanes<UInt32>(repeating: 0)
    private var lastLocal: UInt32 = 0
    /// Its accesses: accOps[lastStart..<lastEnd] (the event being added), or
    /// the task's pending operation and CPU (lastStart < 0).
    private var lastStart = -1
    private var lastEnd = -1
    private var lastIsAll = false
    private var lastFailed: DPOROp = 0
    /// The last element of v is a stable step (see `doneStable`).
    private var lastStable = false

    static let cpuKeyBase: UInt64 = 1 << 62

    init(tasks n: Int) {
        precondition(n <= DPORState.lanes, "DPOR handles at most \(DPORState.lanes) tasks")
        self.n = n
        capacity = 256
        nodes = .allocate(capacity: capacity)
        nodeOps = .allocate(capacity: capacity * DPORState.lanes)
        doneLists = Array(repeating: [], count: capacity * DPORState.lanes)
        doneStable = Array(repeating: false, count: capacity * DPORState.lanes)
        fromAbove = Array(repeating: false, count: capacity)
        pathPinned = Array(repeating: false, count: capacity)
        allFlag = .allocate(capacity: capacity * DPORState.lanes)
        allFlag.initialize(repeating: false, count: capacity * DPORState.lanes)
        sleepRef = .allocate(capacity: capacity * DPORState.lanes)
        sleepRef.initialize(repeating: -1, count: capacity * DPORState.lanes)
        events = .allocate(capacity: capacity)
        accOps = .allocate(capacity: accCapacity)
        accSaved = .allocate(capacity: accCapacity)
        cur = .allocate(capacity: DPORState.lanes)
        cur.initialize(repeating: 0, count: DPORState.lanes)
        curRole = .allocate(capacity: DPORState.lanes)
        curRole.initialize(repeating: .none, count: DPORState.lanes)
        nodeRoles = .allocate(capacity: capacity * DPORState.lanes)
        nodeRoles.initialize(repeating: .none, count: capacity * DPORState.lanes)
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
        jmark = .allocate(capacity: objectCapacity)
        jmark.initialize(repeating: 0, count: objectCapacity)
        cpuOp = .allocate(capacity: DPORState.lanes)
        cpuOp.initialize(repeating: 0, count: DPORState.lanes)
        wchild = .allocate(capacity: capacity)
        wchild.initialize(repeating: -1, count: capacity)
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
        curRole.deallocate()
        nodeRoles.deallocate()
        lastOf.deallocate()
        countOf.deallocate()
        objects.deallocate()
        stamp.deallocate()
        mark.deallocate()
        jmark.deallocate()
        cpuOp.deallocate()
        wchild.deallocate()
    }

    // MARK: nodes and pending operations

    /// Task t's pending operation now.
    @inline(__always) func pending(_ t: Int) -> DPOROp { cur[t] }

    /// Set task t's pending operation from the world's.
    @inline(__always) mutating func setPending(_ t: Int, _ a: Access, role: LockRole = .none) {
        let o = op(object: a.object, write: a.write)
        cur[t] = o
        curRole[t] = role
        if o != 0 { pendingMask |= bit(t) } else { pendingMask &= ~bit(t) }
    }

    @inline(__always) mutating func op(object: UInt64, write: Bool) -> DPOROp {
        guard object != 0 else { return 0 }
        let id = ids.id(object)
        if Int(id) >= objectCapacity { growObjects() }
        return id << 1 | (write ? 1 : 0)
    }

    /// Buffer p moved into a new one of `capacity` elements: its first
    /// `keep`, then `fill` up to the end when given; p is freed.
    private static func moved<T>(_ p: UnsafeMutablePointer<T>, keep: Int, capacity: Int,
                                 fill: T? = nil) -> UnsafeMutablePointer<T> {
        let q = UnsafeMutablePointer<T>.allocate(capacity: capacity)
        q.moveInitialize(from: p, count: keep)
        if let fill { (q + keep).initialize(repeating: fill, count: capacity - keep) }
        p.deallocate()
        return q
    }

    private mutating func growObjects() {
        let old = objectCapacity, c = old * 2
        objects = DPORState.moved(objects, keep: old, capacity: c, fill: DPORObject())
        stamp = DPORState.moved(stamp, keep: old, capacity: c, fill: -1)
        mark = DPORState.moved(mark, keep: old, capacity: c, fill: 0)
        jmark = DPORState.moved(jmark, keep: old, capacity: c, fill: 0)
        objectCapacity = c
    }

    /// What task t's step from the unit root touches (its sleep set
    /// there); nil: conflicts with everything.
    mutating func setRootList(_ t: Int, _ list: [DPOROp]?) { rootLists[t] = list ?? [DPORState.allStep] }

    /// Append node `depth` with the current pending operations; returns its
    /// index.  Its sleeping tasks keep the lists of their steps from the
    /// node above (or the unit root); its branches to explore are the
    /// wakeup subtree below the branch taken at the node above.
    mutating func pushNode(enabled: UInt32, sleep: UInt32) -> Int {
        let k = depth
        if k == capacity { grow() }
        nodes[k] = DPORNode(enabled: enabled, sleep: sleep, done: 0)
        fromAbove[k] = incoming != -1
        pathPinned[k] = false
        wchild[k] = incoming
        incoming = -1
        (nodeOps + k * DPORState.lanes).update(from: cur, count: DPORState.lanes)
        (nodeRoles + k * DPORState.lanes).update(from: curRole, count: DPORState.lanes)
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
        let c = capacity * 2, l = DPORState.lanes
        nodes = DPORState.moved(nodes, keep: depth, capacity: c)
        nodeOps = DPORState.moved(nodeOps, keep: depth * l, capacity: c * l)
        nodeRoles = DPORState.moved(nodeRoles, keep: depth * l, capacity: c * l)
        doneLists += Array(repeating: [], count: (c - capacity) * DPORState.lanes)
        doneStable += Array(repeating: false, count: (c - capacity) * DPORState.lanes)
        fromAbove += Array(repeating: false, count: c - capacity)
        pathPinned += Array(repeating: false, count: c - capacity)
        allFlag = DPORState.moved(allFlag, keep: capacity * l, capacity: c * l, fill: false)
        sleepRef = DPORState.moved(sleepRef, keep: capacity * l, capacity: c * l, fill: -1)
        events = DPORState.moved(events, keep: eventCount, capacity: c)
        wchild = DPORState.moved(wchild, keep: capacity, capacity: c, fill: -1)
        capacity = c
    }

    private mutating func growAccesses(_ need: Int) {
        var c = accCapacity
        while c < need { c *= 2 }
        accOps = DPORState.moved(accOps, keep: accCount, capacity: c)
        accSaved = DPORState.moved(accSaved, keep: accCount, capacity: c)
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

    /// The run may stop right after task c's step from node k when that
    /// step ended a wakeup sequence (a leaf of its tree) and a task of
    /// `sleep` that fell asleep inside this unit (not at its root) still
    /// sleeps, its step leaving alone the one the sequence's race reversed.
    /// Such a task is a weak initial of the sequence: an insertion that had
    /// known what the sequence's last step touches (it only ran now) would
    /// have left the sequence out, its traces being explored from that
    /// task's branch; the traces in which the task wakes up further down
    /// belong to sequences inserted below this one, and a leaf has none.
    /// Never when a later sequence ended on this wakeup path (it needs the
    /// run to go on) or the branch stands in for a sequence that could not
    /// start at its node.
    func staleSleep(_ k: Int, _ sleep: UInt32) -> Bool {
        if pathPinned[k] { return false }
        var m = sleep
        while m != 0 {
            let u = lowestTask(m)
            m &= m - 1
            let r = nodes[k].done & bit(u) != 0 ? k : Int(sleepRef[k * DPORState.lanes + u])
            guard r >= 0, !takenJ.isEmpty else { continue }
            // a task whose step changes the reversed event does not
            // stand for the sequence (see `weakInitial`)
            let list = doneLists[r * DPORState.lanes + u]
            if list.contains(DPORState.allStep) || takenJ.contains(DPORState.allStep) { continue }
            if !list.contains(where: { a in takenJ.contains { dporConflict(a, $0) } }) { return true }
        }
        return false
    }

    /// The tasks that could run at node k.
    func nodeEnabled(_ k: Int) -> UInt32 { nodes[k].enabled }

    /// Task c's operation at node k.
    func nodeOp(_ k: Int, _ c: Int) -> DPOROp { nodeOps[k * DPORState.lanes + c] }

    /// Task c's operation's lock role at node k.
    func nodeRole(_ k: Int, _ c: Int) -> LockRole { nodeRoles[k * DPORState.lanes + c] }

    // MARK: events and races

    /// Race of event j with event (or pending operation) i of task p, whose
    /// clock is `clock`: the sequence v = notdep(j).i (the events after j
    /// that do not happen after it, then i) is a branch to explore at node
    /// j unless a task asleep or done there is a weak initial of v (the
    /// traces through v are explored from there); else it goes into node j's
    /// wakeup tree, which leaves it out when a branch there already covers
    /// it.
    private mutating func race(_ j: Int, _ i: Int, _ p: Int, _ clock: DPORLanes<UInt32>) {
        let q = Int(events[j].task), ql = events[j].local
        raceJ = j
        jMarked = false
        vEv.removeAll(keepingCapacity: true)
        var m = j + 1
        while m < i {
            if events[m].clock[q] < ql { vEv.append(Int32(m)) }
            m += 1
        }
        vEv.append(Int32(i))
        if i >= eventCount {
            lastTask = p
            lastClock = clock
            lastLocal = countOf[p] + 1
        }
        if i < eventCount {
            lastStable = isStable(i)
        } else if lastStart >= 0 {
            lastStable = !lastIsAll && lastFailed == 0
            let opObj = cur[p] >> 1, cpu = cpuOp[p] >> 1
            for y in lastStart..<lastEnd where accOps[y] >> 1 != opObj && accOps[y] >> 1 != cpu { lastStable = false; break }
        } else {
            lastStable = false
        }
        vAlive.removeAll(keepingCapacity: true)
        vAlive.append(contentsOf: repeatElement(true, count: vEv.count))
        vLeft = vEv.count
        refreshV()
        let node = nodes[j]
        // q (the branch taken at j) is not a weak initial: its step races with i
        var m2 = (node.sleep | node.done) & ~bit(q)
        while m2 != 0 {
            let u = lowestTask(m2)
            m2 &= m2 - 1
            let r = node.sleep & bit(u) != 0 ? Int(sleepRef[j * DPORState.lanes + u]) : j
            // asleep since the unit root: the races that would justify
            // commuting it past v involve the prefix, which the plan
            // branched fully without looking at races, so only an initial
            // of v counts (as in source-DPOR)
            let covered = r < 0 || !doneStable[r * DPORState.lanes + u] ? vFirst[u] >= 0 && isInitial(Int(vFirst[u]))
                : weakInitial(u, doneLists[r * DPORState.lanes + u])
            if covered { return }
        }
        // v must start with a task that can run at node j: else one of its
        // initials that can moves to the front (the same trace), and when
        // none can, every task that can run there becomes a branch
        let t0 = vTask(0)
        if node.enabled & bit(t0) == 0 {
            var front = -1
            for x in 1..<vEv.count where vFirst[vTask(x)] == Int32(x) && node.enabled & bit(vTask(x)) != 0
                && isInitial(x) {
                front = x
                break
            }
            if front < 0 {
                branchAll(j)
                return
            }
            let e = vEv.remove(at: front)
            vEv.insert(e, at: 0)
            refreshV()
        }
        insert(j)
    }

    /// Every task that can run at node k, is not asleep or done there and is
    /// not a branch of its wakeup tree yet becomes one.
    private mutating func branchAll(_ k: Int) {
        let node = nodes[k]
        var en = node.enabled & ~(node.sleep | node.done)
        while en != 0 {
            let u = lowestTask(en)
            en &= en - 1
            var x = wchild[k], have = false
            while x != -1 { if Int(wake[Int(x)].task) == u { have = true; break }; x = wake[Int(x)].next }
            if !have { appendChain(k, parent: -1, single: u) }
        }
    }

    @inline(__always) private func vTask(_ x: Int) -> Int {
        let e = Int(vEv[x])
        return e < eventCount ? Int(events[e].task) : lastTask
    }

    @inline(__always) private func vClock(_ x: Int) -> DPORLanes<UInt32> {
        let e = Int(vEv[x])
        return e < eventCount ? events[e].clock : lastClock
    }

    @inline(__always) private func vLocal(_ x: Int) -> UInt32 {
        let e = Int(vEv[x])
        return e < eventCount ? events[e].local : lastLocal
    }

    /// Position x of v conflicts with everything.
    @inline(__always) private func vIsAll(_ x: Int) -> Bool {
        let e = Int(vEv[x])
        if e < eventCount { return allFlag[e * DPORState.lanes + Int(events[e].task)] }
        return lastIsAll
    }

    /// The accesses of position x of v.
    private func vOps(_ x: Int) -> [DPOROp] {
        if vIsAll(x) { return [DPORState.allStep] }
        let e = Int(vEv[x])
        if e < eventCount {
            if !isStable(e) { return [DPORState.allStep] }
            return Array(UnsafeBufferPointer(start: accOps + Int(events[e].accStart), count: Int(events[e].accCount)))
        }
        if lastStart >= 0 { return Array(UnsafeBufferPointer(start: accOps + lastStart, count: lastEnd - lastStart)) }
        let o = cur[lastTask]
        return o != 0 ? [o, cpuOp[lastTask]] : [cpuOp[lastTask]]
    }

    /// Event e touched only its operation's object and its CPU, and was
    /// not a failed attempt (see `doneStable`).
    @inline(__always) private func isStable(_ e: Int) -> Bool {
        let ev = events[e]
        if ev.failedOp != 0 || allFlag[e * DPORState.lanes + Int(ev.task)] { return false }
        let opObj = nodeOps[e * DPORState.lanes + Int(ev.task)] >> 1, cpu = cpuOp[Int(ev.task)] >> 1
        for y in Int(ev.accStart)..<Int(ev.accStart + ev.accCount) {
            let o = accOps[y] >> 1
            if o != opObj && o != cpu { return false }
        }
        return true
    }

    /// Per task its first position left in v (and that event's number).
    private mutating func refreshV() {
        vFirst = DPORLanes<Int32>(repeating: -1)
        vFirstLocal = DPORLanes<UInt32>(repeating: 0)
        vAllCount = 0
        for x in 0..<vEv.count where vAlive[x] {
            let t = vTask(x)
            if vFirst[t] < 0 { vFirst[t] = Int32(x); vFirstLocal[t] = vLocal(x) }
            if vIsAll(x) { vAllCount += 1 }
        }
        setVAll()
    }

    /// Take task t's first event out of v, updating what `refreshV` keeps
    /// without a pass over all of v (insertion does this once per branch
    /// it follows down a wakeup tree).
    private mutating func removeFirst(_ t: Int) {
        let f = Int(vFirst[t])
        vAlive[f] = false
        vLeft -= 1
        if vIsAll(f) { vAllCount -= 1 }
        vFirst[t] = -1
        vFirstLocal[t] = 0
        var x = f + 1
        while x < vEv.count {
            if vAlive[x] && vTask(x) == t { vFirst[t] = Int32(x); vFirstLocal[t] = vLocal(x); break }
            x += 1
        }
        setVAll()
    }

    private mutating func setVAll() {
        // the last event runs without the one it raced with before it: what
        // it touches then is only known when its step is stable
        vAll = vAllCount > 0 || (vAlive[vEv.count - 1] && !lastStable)
        vMarked = false
    }

    /// No event left in v before position x happens before it.
    @inline(__always) private func isInitial(_ x: Int) -> Bool {
        let t = vTask(x), c = vClock(x)
        for s in 0..<n where s != t && vFirst[s] >= 0 && vFirst[s] < Int32(x) {
            if c[s] >= vFirstLocal[s] { return false }
        }
        return true
    }

    /// Mark what the events left in v touch (for `weakInitial`).
    private mutating func markV() {
        epoch &+= 1
        if epoch >= 1 << 31 { epoch = 1; mark.update(repeating: 0, count: objectCapacity) }
        for x in 0..<vEv.count where vAlive[x] {
            func put(_ a: DPOROp) {
                let o = Int(a >> 1), mk = mark[o]
                mark[o] = mk >> 1 == epoch ? mk | (a & 1) : epoch << 1 | (a & 1)
            }
            let e = Int(vEv[x])
            if e < eventCount {
                let ev = events[e]
                for y in Int(ev.accStart)..<Int(ev.accStart + ev.accCount) { put(accOps[y]) }
            } else if lastStart >= 0 {
                for y in lastStart..<lastEnd { put(accOps[y]) }
            } else {
                if cur[lastTask] != 0 { put(cur[lastTask]) }
                put(cpuOp[lastTask])
            }
        }
        vMarked = true
    }

    /// Task u, whose next step touches `list`, is a weak initial of what is
    /// left of v: its first event there has nothing before it in v that
    /// happens before it, or it has none and its step commutes with all of v.
    private mutating func weakInitial(_ u: Int, _ list: [DPOROp]) -> Bool {
        let f = Int(vFirst[u])
        if f >= 0 { return isInitial(f) }
        if vAll { return false }
        if !vMarked { markV() }
        if !jMarked { markJ() }
        if jAll { return false }
        for a in list {
            if a == DPORState.allStep { return false }
            let mk = mark[Int(a >> 1)]
            if mk >> 1 == epoch && (mk | a) & 1 != 0 { return false }
            // u's step must leave the reversed event alone too: when it
            // changes what that event reads, the event may not touch what
            // it raced on any more (its later accesses follow its reads),
            // and the traces in which it still does never run u's step
            // first (a BUG there may stop the run before u ever runs)
            let jk = jmark[Int(a >> 1)]
            if jk >> 1 == jepoch && (jk | a) & 1 != 0 { return false }
        }
        return true
    }

    /// What event e touched, as sleep sets keep a step (`allStep`: all).
    private func eventOps(_ e: Int) -> [DPOROp] {
        let ev = events[e]
        if allFlag[e * DPORState.lanes + Int(ev.task)] { return [DPORState.allStep] }
        return Array(UnsafeBufferPointer(start: accOps + Int(ev.accStart), count: Int(ev.accCount)))
    }

    /// Mark what the event the current race reverses touched.
    private mutating func markJ() {
        jepoch &+= 1
        if jepoch >= 1 << 31 { jepoch = 1; jmark.update(repeating: 0, count: objectCapacity) }
        let ev = events[raceJ]
        jAll = allFlag[raceJ * DPORState.lanes + Int(ev.task)]
        for y in Int(ev.accStart)..<Int(ev.accStart + ev.accCount) {
            let a = accOps[y]
            let o = Int(a >> 1), jk = jmark[o]
            jmark[o] = jk >> 1 == jepoch ? jk | (a & 1) : jepoch << 1 | (a & 1)
        }
        jMarked = true
    }

    /// Insert what is left of v into node j's wakeup tree: follow, from the
    /// first, the branches whose task is a weak initial of the rest of v
    /// (taking its event out of v); a leaf reached, or v used up, covers v;
    /// else the rest of v becomes the last branch where no branch fits.
    private mutating func insert(_ j: Int) {
        var parent: Int32 = -1
        while true {
            var x = parent < 0 ? wchild[j] : wake[Int(parent)].child
            var matched: Int32 = -1
            while x != -1 {
                let t = Int(wake[Int(x)].task)
                if weakInitial(t, wakeOps[Int(x)]) { matched = x; break }
                x = wake[Int(x)].next
            }
            if matched < 0 { appendChain(j, parent: parent, single: -1); return }
            let t = Int(wake[Int(matched)].task)
            if vFirst[t] >= 0 { removeFirst(t) }
            if vLeft == 0 { wakePinned[Int(matched)] = true; return }
            parent = matched
        }
    }

    private mutating func newWake(_ task: Int, _ ops: [DPOROp]) -> Int32 {
        let w = WakeNode(task: Int32(task), child: -1, next: -1)
        if let x = wakeFree.popLast() {
            wake[Int(x)] = w
            wakeOps[Int(x)] = ops
            wakePinned[Int(x)] = false
            wakeJ[Int(x)] = []
            return x
        }
        wake.append(w)
        wakeOps.append(ops)
        wakePinned.append(false)
        wakeJ.append([])
        return Int32(wake.count - 1)
    }

    /// Hang what is left of v (or the one step of task `single`, touching
    /// anything) below `parent` (-1: node j) as its last branch.
    private mutating func appendChain(_ j: Int, parent: Int32, single: Int) {
        var head: Int32 = -1, tail: Int32 = -1
        if single >= 0 {
            head = newWake(single, [DPORState.allStep])
            // a stand-in for a sequence that cannot start here: what it
            // stands for is found on the way on from it
            wakePinned[Int(head)] = true
        } else {
            for x in 0..<vEv.count where vAlive[x] {
                // the last event runs without the event it raced with
                // before it: what it touches then is not known
                let y = newWake(vTask(x), x == vEv.count - 1 ? [DPORState.allStep] : vOps(x))
                if head < 0 { head = y } else { wake[Int(tail)].child = y }
                tail = y
            }
            if tail >= 0 && raceJ >= 0 { wakeJ[Int(tail)] = eventOps(raceJ) }
        }
        var x = parent < 0 ? wchild[j] : wake[Int(parent)].child
        if x == -1 {
            if parent < 0 { wchild[j] = head } else { wake[Int(parent)].child = head }
            return
        }
        while wake[Int(x)].next != -1 { x = wake[Int(x)].next }
        wake[Int(x)].next = head
    }

    /// Free wakeup tree node x and everything below it (not its siblings).
    private mutating func freeWake(_ x: Int32) {
        var stack: [Int32] = [x]
        while let y = stack.popLast() {
            var c = wake[Int(y)].child
            while c != -1 { stack.append(c); c = wake[Int(c)].next }
            wakeOps[Int(y)] = []
            wakeFree.append(y)
        }
    }

    /// Take the first branch of node k's wakeup tree whose task can run
    /// there and is neither asleep nor done (dropping those before it); its
    /// subtree becomes the next node's.  Returns the task, or -1.
    private mutating func takeBranch(_ k: Int) -> Int {
        let node = nodes[k]
        var x = wchild[k]
        droppedAsleep = false
        while x != -1 {
            let w = wake[Int(x)]
            let t = Int(w.task)
            if node.enabled & bit(t) != 0 && (node.sleep | node.done) & bit(t) == 0 {
                wchild[k] = w.next
                incoming = w.child
                tookLeaf = w.child == -1
                takenJ = wakeJ[Int(x)]
                wakeJ[Int(x)] = []
                pathPinned[k] = wakePinned[Int(x)] || (k > 0 && fromAbove[k] && pathPinned[k - 1])
                wakeOps[Int(x)] = []
                wakeFree.append(x)
                nodes[k].done |= bit(t)
                return t
            }
            wchild[k] = w.next
            wake[Int(x)].next = -1
            freeWake(x)
            // a sequence that cannot go on here (what enables its task is
            // not a dependence DPOR sees): every task that can run takes
            // its place, as Flanagan–Godefroid do for a backtrack point
            if node.enabled & bit(t) == 0 { branchAll(k) } else { droppedAsleep = true }
            x = wchild[k]
        }
        return -1
    }

    /// `choose` found node k's wakeup subtree covered (see there).
    static let covered = -2

    /// The branch to take at node k when a run first gets there: the first
    /// of its wakeup tree, else the lowest task that can run and is not
    /// asleep; -1 when every task that can run sleeps (sleep-set blocked).
    ///
    /// With `cutCovered`, `DPORState.covered` when node k was reached along
    /// a wakeup sequence and every branch its subtree had left was dropped
    /// because its task sleeps (or was done) there.  A task asleep at k
    /// fell asleep at a node above, where its branch was explored, and its
    /// step commutes with every step since: every trace through k and that
    /// step was explored from there.  An exact insertion, which knew the
    /// sleep sets below its node, would not have put the step there, and
    /// optimal DPOR never takes a free step at a node inside a wakeup
    /// sequence; the run would go on only to end blocked or to cover
    /// traces explored elsewhere, so it stops.
    mutating func choose(_ k: Int, cutCovered: Bool = false) -> Int {
        tookLeaf = false
        let t = takeBranch(k)
        if t >= 0 { return t }
        if cutCovered && droppedAsleep && fromAbove[k] { return DPORState.covered }
        let node = nodes[k]
        let avail = node.enabled & ~node.sleep & ~node.done
        if avail == 0 { return -1 }
        let c = lowestTask(avail)
        nodes[k].done |= bit(c)
        incoming = -1
        return c
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
    private mutating func raceAndJoin(_ k: Int, _ p: Int, _ preds: DPORLanes<Int32>,
                                      raceInstead: (task: Int, event: Int) = (-1, -1)) -> DPORLanes<UInt32> {
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
            let e = te == raceInstead.task ? raceInstead.event : Int(preds[te])
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
    mutating func addEvent(_ p: Int, _ op: DPOROp, role: LockRole = .none, footprint: UnsafeBufferPointer<UInt64>?) {
        let k = eventCount
        let lp = lastOf[p]
        let local = countOf[p] + 1
        let start = accCount
        var o = op
        var failed: DPOROp = 0
        if let fp = footprint {
            for e in fp where e == 0 { o &= ~1; break }   // the operation only read
            if op & 1 != 0 && o & 1 == 0 { failed = op }
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
        lastStart = start
        lastEnd = accCount
        lastIsAll = footprint == nil
        lastFailed = failed
        let role = failed != 0 ? LockRole.none : role
        let clock = raceAndJoin(k, p, preds, raceInstead: handOver(p, o, role, preds, Int(accSaved[start].lastWrite)))
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
                              accCount: Int32(accCount - start), prevLast: lp, failedOp: failed, role: role)
        // clock[p] = local, as a scalar store (a lane insert goes through
        // the stack)
        UnsafeMutableRawPointer(events + k).storeBytes(
            of: local, toByteOffset: clockOffset + p * 4, as: UInt32.self)
        countOf[p] = local
        lastOf[p] = Int32(k)
        eventCount = k + 1
    }

    /// Task p takes lock `o` (role `role`; an event, or a pending operation
    /// at the end of a run) right after another task q released it in event
    /// `rel` (the lock's last write), and that release is p's latest
    /// dependence on q (`preds`): p could not
    /// have taken it before the release, so the race to reverse is with q's
    /// acquisition of the lock (p takes it first) rather than with the
    /// release.  Returns q and that event, or (-1, -1) for the plain races
    /// (q took the lock before the unit's root, or no hand-over).
    private func handOver(_ p: Int, _ o: DPOROp, _ role: LockRole, _ preds: DPORLanes<Int32>,
                          _ rel: Int) -> (task: Int, event: Int) {
        guard role != .none && role != .release && role != .releaseShared, o != 0, rel >= 0 else { return (-1, -1) }
        let q = Int(events[rel].task)
        let lock = Int(o >> 1)
        let queued = role == .acquireAnyway && queuedOn(p, lock)
        guard q != p, preds[q] == Int32(rel), role.waitsFor(events[rel].role, queued: queued),
              lockOf(rel) == lock else { return (-1, -1) }
        var e = Int(events[rel].prevLast)
        while e >= 0 {
            let ev = events[e]
            if (ev.role == .acquire || ev.role == .acquireShared || ev.role == .acquireAnyway) && lockOf(e) == lock {
                return (q, e)
            }
            e = Int(ev.prevLast)
        }
        return (-1, -1)
    }

    /// The object of event e's own operation (the lock of a lock operation).
    @inline(__always) private func lockOf(_ e: Int) -> Int {
        Int(nodeOps[e * DPORState.lanes + Int(events[e].task)] >> 1)
    }

    /// Task p's down_write of `lock` is queued: its last event was the
    /// attempt on the same rwsem (a trylock that took it would make this a
    /// self-deadlock), so its next operation there is the completion.
    @inline(__always) private func queuedOn(_ p: Int, _ lock: Int) -> Bool {
        let l = Int(lastOf[p])
        return l >= 0 && events[l].role == .acquireAnyway && lockOf(l) == lock
    }

    /// What blocks task p's pending operation `o` (role `role`) on a lock,
    /// when the lock's state says p cannot run until that changes: the
    /// event to race with instead of the lock's accesses since (reads of a
    /// held lock such as PageLocked() or a failed trylock cannot be
    /// reversed with p's operation: p could not run before them either).
    /// - spin_lock, mutex_lock, lock_page, wait_on_page_locked: another
    ///   task's acquisition is the lock's last write (it holds it);
    /// - down_read: another task's down_write (it holds the rwsem or is
    ///   queued for it, which stops new readers too; a queued writer's
    ///   completion counts from its attempt) or successful
    ///   down_write_trylock is the last write;
    /// - a queued down_write (p's last event was its attempt on the same
    ///   rwsem): as down_read when another writer wrote it last; when p's
    ///   own attempt is still the last write, the holders it queued behind
    ///   still hold the rwsem and p's completion races with nothing of it
    ///   (event -2).
    /// (-1, -1): not blocked by the lock as far as DPOR knows.
    @inline(__always) private func blockedBy(_ p: Int, _ o: DPOROp, _ role: LockRole) -> (task: Int, event: Int) {
        guard role != .none && role != .release && role != .releaseShared else { return (-1, -1) }
        let lock = Int(o >> 1), w = Int(objects[lock].lastWrite)
        guard w >= 0 else { return (-1, -1) }
        let q = Int(events[w].task), r = events[w].role
        guard lockOf(w) == lock else { return (-1, -1) }
        if role == .acquireAnyway {
            guard queuedOn(p, lock) else { return (-1, -1) }
            if q == p { return w == Int(lastOf[p]) ? (p, -2) : (-1, -1) }
        }
        guard q != p else { return (-1, -1) }
        switch role {
        case .acquire, .wait:
            return r == .acquire || r == .acquireAnyway ? (q, w) : (-1, -1)
        case .acquireShared, .acquireAnyway:
            // a writer's operation (down_write, down_write_trylock), not a
            // reader's trylock
            guard r == .acquireAnyway, nodeOps[w * DPORState.lanes + q] & 1 != 0 else { return (-1, -1) }
            // a queued writer's completion follows its attempt directly
            let a = Int(events[w].prevLast)
            if a >= 0, events[a].role == .acquireAnyway, lockOf(a) == lock {
                return (q, a)
            }
            return (q, w)
        default:
            return (-1, -1)
        }
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
            let held = obj != 0 ? blockedBy(p, a, curRole[p]) : (task: -1, event: -1)
            if held.task >= 0 {
                if held.event >= 0 { preds[held.task] = Int32(held.event) }
            } else if obj != 0 {
                gather(&preds, a & 1 != 0, objects[obj])
            }
            // every step of p reads p's CPU: a step that put work on that
            // CPU (and so disabled p) races with p's next step too
            gather(&preds, false, objects[Int(cpuOp[p] >> 1)])
            lastStart = -1
            lastIsAll = false
            let rel = obj != 0 ? Int(objects[obj].lastWrite) : -1
            _ = raceAndJoin(k, p, preds, raceInstead: handOver(p, a, curRole[p], preds, rel))
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
            lastStart = -1
            lastIsAll = false
            _ = raceAndJoin(eventCount, p, preds)
        }
    }

    // MARK: backtracking

    /// Back up to the deepest node with a branch left in its wakeup tree,
    /// take it there, drop the nodes below it and undo the events from it
    /// on; the pending operations become the node's.  Returns the node and
    /// the task, or nil when the subtree is exhausted.
    mutating func backtrack() -> (depth: Int, task: Int)? {
        var k = depth - 1
        var next = -1
        while k >= 0 {
            next = takeBranch(k)
            if next >= 0 { break }
            k -= 1
        }
        if next < 0 { return nil }
        depth = k + 1
        if k < eventCount {
            // the step done at node k: its accesses outlive its event
            let ev = events[k], t = Int(ev.task)
            doneStable[k * DPORState.lanes + t] = isStable(k)
            doneLists[k * DPORState.lanes + t] = eventOps(k)
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
        curRole.update(from: nodeRoles + k * DPORState.lanes, count: DPORState.lanes)
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

