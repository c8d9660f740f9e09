// SPDX-License-Identifier: GPL-2.0-only
//
// A thin wrapper over one C world.  Swift never runs on a coroutine stack:
// it asks which tasks are enabled, steps one, and reads back what happened.
import CKernelShim

/// A task's pending operation: what it does when next stepped.
public struct PendingOp: Sendable, Hashable, Codable {
    public var kind: Int32
    public var kindName: String
    public var write: Bool
    /// Stable key of the object (same for the same spec in any world).
    public var object: UInt64
    public var objectName: String
    public var file: String
    public var line: Int
    public var function: String

    public var location: String { "\(file):\(line)" }
}

/// One executed step of a run.
public struct TraceEvent: Sendable, Hashable, Codable {
    public var task: Int
    public var op: PendingOp
    public var result: Int
}

/// A finding of a run (kernel BUG, deadlock, ...).
public struct Finding: Sendable, Hashable, Codable {
    public var kind: String
    public var message: String
    public var file: String
    public var line: Int
    public var function: String
    public var task: Int
    public var taskName: String
    public var fatal: Bool
    public var tolerated: Bool
    public var report: String
    public var step: Int

    /// "mm/mlock.c:82"
    public var location: String { "\(file):\(line)" }
    /// What makes two findings "the same" for minimizing and de-duplication.
    public var signature: String { "\(kind)@\(location)" }
}

public struct WorldStats: Sendable, Hashable {
    public var steps: UInt64
    public var totalSteps: UInt64
    public var runs: UInt64
    public var stateHash: UInt64
    public var arenaBytes: Int
    /// Of `totalSteps`, those a built-in chooser ran straight from the
    /// task's scheduling point (no switch through the driver).
    public var totalDirectSteps: UInt64 = 0
}

/// One simulated machine built from a spec, driven step by step.
/// Not thread-safe: use one world per thread (worlds never share state).
public final class World {
    public let api: KernelAPI
    let w: OpaquePointer
    /// Scenario name (or "spec-XXXXXXXX" for an unnamed spec).
    public let scenario: String
    public let taskNames: [String]

    /// The function table, copied once (a computed copy per call would put
    /// a 350-byte struct copy on every step).
    private let c: ksim_api

    /// Build a world from a registered scenario.
    public convenience init(scenario name: String, api: KernelAPI = .builtin) throws {
        guard let info = api.scenario(named: name) else {
            let known = api.scenarios.map(\.name).joined(separator: ", ")
            throw HarnessError.notFound("unknown scenario '\(name)' (known: \(known))")
        }
        _ = info
        try self.init(api: api) { c, err, len in c.world_create_scenario!(name, err, len) }
    }

    /// Build a world from a text spec (see CKernelShim/model/README.md).
    public convenience init(spec: String, api: KernelAPI = .builtin) throws {
        try self.init(api: api) { c, err, len in c.world_create!(spec, err, len) }
    }

    private init(api: KernelAPI,
                 create: (ksim_api, UnsafeMutablePointer<CChar>, Int) -> OpaquePointer?) throws {
        self.api = api
        self.c = api.table.pointee
        var err = [CChar](repeating: 0, count: Int(KSIM_ERRLEN))
        let c = api.table.pointee
        guard let w = err.withUnsafeMutableBufferPointer({ create(c, $0.baseAddress!, $0.count) }) else {
            let msg = String(cString: err)
            throw msg.hasPrefix("unknown scenario") ? HarnessError.notFound(msg) : HarnessError.badInput(msg)
        }
        self.w = w
        // the crash guard stays installed (no sigaction calls per run);
        // the default arms and disarms it around every run, for C hosts
        _ = c.world_set_option!(w, Int32(KSIM_OPT_CRASH_GUARD.rawValue), Int(KSIM_CRASH_GUARD_KEEP.rawValue))
        self.scenario = cstr(c.world_scenario!(w))
        self.taskNames = (0..<c.task_count!(w)).map { cstr(c.task_name!(w, $0)) }
        // a spec's "option plain_points 1" sets it before any run: the
        // shim's token of the empty run says (no getter in the C API)
        self.plainPoints = cstr(c.schedule_token!(w)).contains(":\(Schedule.plainField):")
    }

    /// Every plain shared access is a scheduling point (`Option.plainPoints`,
    /// set through `set` or the spec): what this world's schedules record.
    public private(set) var plainPoints = false

    deinit { c.world_destroy!(w) }

    public var taskCount: Int { taskNames.count }
    public var lastError: String { cstr(c.last_error!(w)) }

    // MARK: stepping

    /// Bit i set: task i can run now.
    @inline(__always) public var enabled: UInt32 { c.enabled!(w) }
    @inline(__always) public var isDone: Bool { c.done!(w) != 0 }

    public func reset() { c.world_reset!(w) }

    /// Run task `i`'s pending operation and on to its next scheduling point.
    @inline(__always) public func step(_ i: Int) throws {
        let rc = c.step!(w, Int32(i))
        if rc != 0 { throw HarnessError.from(code: rc, message: lastError) }
    }

    /// Step without error reporting (hot path of explorers).
    @inline(__always) public func stepUnchecked(_ i: Int) -> Int32 { c.step!(w, Int32(i)) }

    public func taskState(_ i: Int) -> Int32 { c.task_state!(w, Int32(i)) }

    public func pending(_ i: Int) -> PendingOp? {
        var op = ksim_op()
        guard c.pending!(w, Int32(i), &op) == 0 else { return nil }
        return PendingOp(op, api: api)
    }

    /// Object key and write flag of task i's pending op (no strings: fast).
    @inline(__always) public func pendingAccess(_ i: Int) -> (kind: Int32, object: UInt64, write: Bool)? {
        var kind: Int32 = 0, object: UInt64 = 0, write: Int32 = 0
        guard c.pending_access!(w, Int32(i), &kind, &object, &write) == 0 else { return nil }
        return (kind, object, write != 0)
    }

    // MARK: whole runs

    /// Reset and replay `token`; returns the number of findings.
    @discardableResult
    public func run(token: String) throws -> Int {
        // the token says how it was recorded (a malformed one is the
        // shim's to refuse)
        if let s = try? Schedule(token: token), s.plainPoints != plainPoints {
            try set(.plainPoints, s.plainPoints ? 1 : 0)
        }
        let rc = c.run_token!(w, token)
        if rc < 0 { throw HarnessError.from(code: rc, message: lastError) }
        return Int(rc)
    }

    /// Reset and replay task choices; a tail the choices leave runs round-robin.
    @discardableResult
    public func run(choices: [UInt8]) throws -> Int {
        let rc = choices.withUnsafeBufferPointer { c.run_array!(w, $0.baseAddress, $0.count) }
        if rc < 0 { throw HarnessError.from(code: rc, message: lastError) }
        return Int(rc)
    }

    @discardableResult public func runRandom(seed: UInt64) -> Int { Int(c.run_random!(w, seed)) }

    /// Reset and run with PCT: `priorities[i]` is task i's initial priority
    /// (distinct, higher runs first); at the `changes[k]`-th choice (1-based)
    /// the task about to run drops below every initial priority and every
    /// earlier change.  Returns the number of findings.
    @discardableResult
    public func runPCT(priorities: [Int32], changes: [UInt64]) -> Int {
        priorities.withUnsafeBufferPointer { p in
            changes.withUnsafeBufferPointer { ch in
                Int(c.run_pct!(w, p.baseAddress, ch.baseAddress, Int32(ch.count)))
            }
        }
    }

    /// The largest PCT depth the shim takes (depth - 1 change points).
    public static let maxPCTDepth = 17

    /// One PCT run (Burckhardt et al.): distinct random initial priorities
    /// and depth - 1 random change points among the first `steps` choices,
    /// all drawn from `seed`; the shim makes the choices.
    @discardableResult
    public func runPCT(seed: UInt64, depth: Int, steps: Int) -> Int {
        var rng = SplitMix64(seed: seed)
        let d = min(max(1, depth), World.maxPCTDepth)
        // distinct initial priorities d ..< d+n, higher runs first
        var prio = (0..<taskCount).map { Int32(d + $0) }
        prio.shuffle(using: &rng)
        let k = max(1, steps)
        var change: [UInt64] = []
        while change.count < d - 1 && change.count < k {
            let c = rng.next() % UInt64(k) + 1
            if !change.contains(c) { change.append(c) }
        }
        return runPCT(priorities: prio, changes: change)
    }

    /// Reset and run `choices`, then stop: go on with `step`.  A choice that
    /// cannot run stops there (the error is returned, not thrown).
    @discardableResult
    public func runPrefix(_ choices: [UInt8]) -> Int32 {
        choices.withUnsafeBufferPointer { c.run_prefix!(w, $0.baseAddress, $0.count) }
    }

    /// Reset and run `choices`, then to the end always choosing the task that
    /// ran last while it can run, else the lowest one that can.
    @discardableResult
    public func runLastFirst(_ choices: [UInt8]) -> Int32 {
        choices.withUnsafeBufferPointer { c.run_last_first!(w, $0.baseAddress, $0.count) }
    }

    /// The enabled mask each choice of this run was made from.
    public var enabledLog: UnsafeBufferPointer<UInt32> {
        var p: UnsafePointer<UInt32>? = nil
        let n = c.enabled_log!(w, &p)
        return UnsafeBufferPointer(start: p, count: n)
    }

    /// The choices of this run so far, without copying.
    public var choiceLog: UnsafeBufferPointer<UInt8> {
        var p: UnsafePointer<UInt8>? = nil
        let n = c.schedule!(w, &p)
        return UnsafeBufferPointer(start: p, count: n)
    }
    @discardableResult public func runRoundRobin() -> Int { Int(c.run_round_robin!(w)) }

    public var token: String { cstr(c.schedule_token!(w)) }

    public var choices: [UInt8] {
        var p: UnsafePointer<UInt8>? = nil
        let n = c.schedule!(w, &p)
        guard let p, n > 0 else { return [] }
        return Array(UnsafeBufferPointer(start: p, count: n))
    }

    // MARK: results

    public var findingCount: Int { Int(c.finding_count!(w)) }

    public var findings: [Finding] {
        (0..<c.finding_count!(w)).compactMap { finding(at: Int($0)) }
    }

    /// Kind, location and tolerated flag of finding i, without building its
    /// report.  `file` points to a string of this build of the shim (stable
    /// while it is loaded), so explorers can compare findings by pointer.
    @inline(__always)
    public func findingBrief(_ i: Int) -> (kind: Int32, file: UnsafePointer<CChar>?, line: Int32, tolerated: Bool)? {
        var kind: Int32 = 0, line: Int32 = 0, tol: Int32 = 0
        var file: UnsafePointer<CChar>? = nil
        guard c.finding_brief!(w, Int32(i), &kind, &file, &line, &tol) == 0 else { return nil }
        return (kind, file, line, tol != 0)
    }

    /// Finding i of the run, with its report.
    public func finding(at i: Int) -> Finding? {
        var f = ksim_finding()
        guard c.finding_get!(w, Int32(i), &f) == 0 else { return nil }
        return Finding(
                kind: cstr(f.kind_name),
                message: cstr(f.message),
                file: f.file.map { String(cString: $0) } ?? "",
                line: Int(f.line),
                function: f.function.map { String(cString: $0) } ?? "",
                task: Int(f.task),
                taskName: f.task_name.map { String(cString: $0) } ?? "",
                fatal: f.fatal != 0,
                tolerated: f.tolerated != 0,
                report: f.report.map { String(cString: $0) } ?? "",
                step: Int(f.step))
    }

    /// The run failed: a finding that is not tolerated (in strict mode: any).
    public var failed: Bool { c.failed!(w) != 0 }

    public var events: [TraceEvent] {
        (0..<c.event_count!(w)).compactMap { i in
            var ev = ksim_event()
            guard c.event_get!(w, i, &ev) == 0 else { return nil }
            return TraceEvent(task: Int(ev.task), op: PendingOp(ev.op, api: api), result: Int(ev.result))
        }
    }

    public var traceText: String { cstr(c.trace_text!(w)) }

    public var stats: WorldStats {
        var s = ksim_stats()
        c.stats_get!(w, &s)
        return WorldStats(steps: s.steps, totalSteps: s.total_steps, runs: s.runs,
                          stateHash: s.state_hash, arenaBytes: Int(s.arena_bytes),
                          totalDirectSteps: s.total_direct)
    }

    public enum Option: Int32 {
        case trace = 1, maxSteps, strict, backtrace
        /// Built-in choosers run steps straight from the task's scheduling
        /// point (default 1); 0 sends every step through the driver.
        case direct = 5
        /// When crashes of kernel code become findings (kshim.h).
        case crashGuard = 6
        /// Keep each step's plain shared accesses (`stepFootprint`): 1 of
        /// every step, `footprintStepsOnly` of `step` only (a replay by
        /// `runPrefix` and the other choosers records none).
        case footprint = 7
        /// Every plain shared access is a scheduling point.
        case plainPoints = 8

        public static let footprintStepsOnly = Int(KSIM_FOOT_STEPS_ONLY.rawValue)
    }

    /// The plain shared accesses of the last step (`Option.footprint`),
    /// each `key << 1 | write`, an entry 0 when the step's operation only
    /// read its object; nil when some were lost (treat as touching all).
    @inline(__always) public var stepFootprint: UnsafeBufferPointer<UInt64>? {
        var p: UnsafePointer<UInt64>? = nil
        let n = c.step_footprint!(w, &p)
        if n < 0 { return nil }
        return UnsafeBufferPointer(start: p, count: n)
    }

    public func set(_ option: Option, _ value: Int) throws {
        let rc = c.world_set_option!(w, option.rawValue, value)
        if rc != 0 { throw HarnessError.badInput(lastError) }
        if option == .plainPoints { plainPoints = value != 0 }
    }
}

extension PendingOp {
    init(_ op: ksim_op, api: KernelAPI) {
        self.init(kind: op.kind, kindName: api.opKindName(op.kind), write: op.write != 0,
                  object: op.object,
                  objectName: op.object_name.map { String(cString: $0) } ?? "-",
                  file: op.file.map { String(cString: $0) } ?? "?",
                  line: Int(op.line),
                  function: op.function.map { String(cString: $0) } ?? "?")
    }
}
