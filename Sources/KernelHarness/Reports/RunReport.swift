// SPDX-License-Identifier: GPL-2.0-only
//
// The JSON form of an exploration (`kharness run --json`), documented in
// docs/json-schema.md.  Fields may be added, never renamed.  A sharded
// run's report also carries its per-unit results, so that `kharness merge`
// can fold the shards into exactly what one unsharded run reports.
import Foundation

public struct RunReport: Codable, Sendable {
    public struct FindingEntry: Codable, Sendable, Hashable {
        public var kind: String
        public var message: String
        public var location: String
        public var function: String
        public var task: String
        public var taskIndex: Int
        public var tolerated: Bool
        public var failing: Bool
        public var count: Int
        public var token: String
        public var unit: Int
        public var ordinal: Int
        public var minimizedToken: String?
        public var preemptions: Int?
        public var minimizedPreemptions: Int?
        public var minimizedSteps: Int?

        enum CodingKeys: String, CodingKey {
            case kind, message, location, function, task, tolerated, failing, count, token, unit, ordinal
            case taskIndex = "task_index", minimizedToken = "minimized_token", preemptions
            case minimizedPreemptions = "minimized_preemptions", minimizedSteps = "minimized_steps"
        }
    }

    public struct UnitEntry: Codable, Sendable, Hashable {
        public var index: Int
        public var schedules: Int
        public var blocked: Int
        /// Absent in reports written before DPOR cut runs (read as 0).
        public var cut: Int?
        public var steps: UInt64
        public var complete: Bool
        public var stoppedOnFinding: Bool
        public var boundHit: Bool
        public var states: [String]
        public var findings: [FindingEntry]
        public var lockDependencies: [LockDependency]?

        enum CodingKeys: String, CodingKey {
            case index, schedules, blocked, cut, steps, complete, states, findings
            case stoppedOnFinding = "stopped_on_finding", boundHit = "bound_hit"
            case lockDependencies = "lock_dependencies"
        }
    }

    public var scenario: String
    public var worldScenario: String
    public var codeID: String
    public var strategy: String
    public var seed: UInt64?
    public var depth: Int?
    public var bound: Int?
    public var boundHit: Bool
    public var schedules: Int
    public var blocked: Int
    /// DPOR runs cut where the rest was covered; absent in reports
    /// written before DPOR cut runs (read as 0).
    public var cut: Int?
    public var steps: UInt64
    public var finalStates: Int
    public var exhausted: Bool
    public var failed: Bool
    public var seconds: Double
    public var jobs: Int
    public var shard: String?
    public var maxSchedules: Int?
    public var stopOnFirstFinding: Bool
    public var strict: Bool
    /// Every plain shared access was a scheduling point (--plain-points);
    /// absent in reports written before the option (read as false).
    public var plainPoints: Bool?
    public var unitsPlanned: Int?
    public var unitsDone: Int
    public var findingsByKind: [String: Int]
    public var findings: [FindingEntry]
    public var units: [UnitEntry]?
    /// Lock-class dependencies of every explored schedule (lockdep).
    public var lockDependencies: [LockDependency] = []
    /// The scenario's expect lines and whether the run met them (only for a
    /// scenario that has some).
    public var expectations: ExpectationCheck?

    enum CodingKeys: String, CodingKey {
        case scenario, strategy, seed, depth, bound, schedules, blocked, cut, steps, exhausted, failed, seconds
        case jobs, shard, strict, findings, units, expectations
        case lockDependencies = "lock_dependencies"
        case worldScenario = "world_scenario", codeID = "code_id", boundHit = "bound_hit"
        case finalStates = "final_states", maxSchedules = "max_schedules"
        case stopOnFirstFinding = "stop_on_first_finding", unitsPlanned = "units_planned"
        case plainPoints = "plain_points"
        case unitsDone = "units_done", findingsByKind = "findings_by_kind"
    }

    static func entry(_ f: FoundFinding) -> FindingEntry {
        FindingEntry(kind: f.kind, message: f.message, location: f.location, function: f.function,
                     task: f.taskName, taskIndex: f.task, tolerated: f.tolerated, failing: f.failing,
                     count: f.count, token: f.token, unit: f.unit, ordinal: f.ordinal,
                     minimizedToken: f.minimized?.schedule.token, preemptions: f.minimized?.originalPreemptions,
                     minimizedPreemptions: f.minimized?.preemptions, minimizedSteps: f.minimized?.steps)
    }

    public init(_ r: ExplorationResult) {
        scenario = r.scenario
        worldScenario = r.worldScenario
        codeID = r.codeID
        strategy = r.strategy.name
        switch r.strategy {
        case .random(let s): seed = s
        case .pct(let s, let d): seed = s; depth = d
        default: break
        }
        bound = r.bound
        boundHit = r.boundHit
        schedules = r.schedules
        blocked = r.blocked
        cut = r.cut
        steps = r.steps
        finalStates = r.finalStates.count
        exhausted = r.exhausted
        failed = r.failed
        seconds = (r.seconds * 1000).rounded() / 1000
        jobs = r.jobs
        shard = r.shard?.description
        maxSchedules = r.options.maxSchedules
        stopOnFirstFinding = r.options.stopOnFirstFinding
        strict = r.options.strict
        plainPoints = r.options.plainPoints
        unitsPlanned = r.unitsPlanned
        unitsDone = r.unitsDone
        findingsByKind = r.findingsByKind
        lockDependencies = r.lockDependencies
        findings = r.findings.map(RunReport.entry)
        if r.shard != nil {
            units = r.units.map { u in
                UnitEntry(index: u.index, schedules: u.schedules, blocked: u.blocked, cut: u.cut, steps: u.steps,
                          complete: u.complete, stoppedOnFinding: u.stoppedOnFinding, boundHit: u.boundHit,
                          states: u.states.sorted().map { String($0, radix: 16) },
                          findings: u.findings.map(RunReport.entry), lockDependencies: u.lockDependencies)
            }
        }
    }

    public var json: String {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        return String(decoding: (try? enc.encode(self)) ?? Data(), as: UTF8.self)
    }

    public static func decode(_ data: Data) throws -> RunReport {
        do { return try JSONDecoder().decode(RunReport.self, from: data) } catch let e as DecodingError {
            throw HarnessError.badInput(JSONProblem.describe(e))
        }
    }
}

extension RunReport {
    /// Check what `merge` relies on in a report read from a file: counts in
    /// range, unit indices inside the plan and owned by the report's shard,
    /// state hashes that parse.  Throws "FIELD: problem".
    public func validateForMerge() throws {
        func bad(_ field: String, _ why: String) -> HarnessError { .badInput("\(field): \(why)") }
        func count(_ field: String, _ v: Int) throws {
            guard (0...Limits.maxCount).contains(v) else { throw bad(field, "\(v) is not a count 0...\(Limits.maxCount)") }
        }
        guard let text = shard else { throw bad("shard", "missing: not from a sharded run (--shard I/N)") }
        let sh: Shard
        do { sh = try Shard(parsing: text) } catch { throw bad("shard", "\(error)") }
        guard let units else { throw bad("units", "missing: not from a sharded run (--shard I/N)") }
        try count("schedules", schedules)
        try count("blocked", blocked)
        try count("cut", cut ?? 0)
        try count("final_states", finalStates)
        try count("units_done", unitsDone)
        if let m = maxSchedules, !(1...Limits.maxCount).contains(m) { throw bad("max_schedules", "\(m) is out of range 1...\(Limits.maxCount)") }
        if let d = depth, !(1...World.maxPCTDepth).contains(d) { throw bad("depth", "\(d) is out of range 1...\(World.maxPCTDepth)") }
        if let b = bound, !(0...Limits.maxCount).contains(b) { throw bad("bound", "\(b) is out of range 0...\(Limits.maxCount)") }
        if let p = unitsPlanned, !(0...Limits.maxCount).contains(p) { throw bad("units_planned", "\(p) is out of range 0...\(Limits.maxCount)") }
        guard (0...Limits.maxJobs).contains(jobs) else { throw bad("jobs", "\(jobs) is out of range 0...\(Limits.maxJobs)") }
        guard seconds.isFinite && seconds >= 0 else { throw bad("seconds", "\(seconds) is not a duration") }
        let limit = unitsPlanned ?? Limits.maxCount
        var seen = Set<Int>()
        for (k, u) in units.enumerated() {
            let f = "units[\(k)]"
            guard u.index >= 0 && u.index < limit else {
                throw bad("\(f).index", "\(u.index) is outside the plan's units 0..<\(limit)")
            }
            guard sh.owns(u.index) else { throw bad("\(f).index", "unit \(u.index) does not belong to shard \(text)") }
            guard seen.insert(u.index).inserted else { throw bad("\(f).index", "unit \(u.index) listed twice") }
            try count("\(f).schedules", u.schedules)
            try count("\(f).blocked", u.blocked)
            try count("\(f).cut", u.cut ?? 0)
            guard u.steps <= UInt64(Limits.maxCount) * 1000 else { throw bad("\(f).steps", "\(u.steps) is out of range") }
            for (i, st) in u.states.enumerated() where UInt64(st, radix: 16) == nil {
                throw bad("\(f).states[\(i)]", "'\(st.prefix(40))' is not a hexadecimal state hash")
            }
            for (i, e) in u.findings.enumerated() {
                try count("\(f).findings[\(i)].count", e.count)
                try count("\(f).findings[\(i)].unit", e.unit)
                try count("\(f).findings[\(i)].ordinal", e.ordinal)
            }
        }
    }
}

extension UnitResult {
    init(_ e: RunReport.UnitEntry) {
        self.init(index: e.index)
        schedules = e.schedules
        blocked = e.blocked
        cut = e.cut ?? 0
        steps = e.steps
        complete = e.complete
        stoppedOnFinding = e.stoppedOnFinding
        boundHit = e.boundHit
        states = Set(e.states.compactMap { UInt64($0, radix: 16) })
        findings = e.findings.map(FoundFinding.init)
        lockDependencies = e.lockDependencies ?? []
    }
}

extension FoundFinding {
    init(_ e: RunReport.FindingEntry) {
        let colon = e.location.lastIndex(of: ":")
        self.init(kind: e.kind, message: e.message,
                  file: colon.map { String(e.location[..<$0]) } ?? e.location,
                  line: colon.flatMap { Int(e.location[e.location.index(after: $0)...]) } ?? 0,
                  function: e.function, task: e.taskIndex, taskName: e.task, tolerated: e.tolerated,
                  failing: e.failing, token: e.token, count: e.count, unit: e.unit, ordinal: e.ordinal)
        if let m = e.minimizedToken, let s = try? Schedule(token: m) {
            minimized = Minimized(schedule: s, preemptions: e.minimizedPreemptions ?? 0,
                                  steps: e.minimizedSteps ?? s.count,
                                  originalPreemptions: e.preemptions ?? 0, originalSteps: 0, runs: 0)
        }
    }
}
