// SPDX-License-Identifier: GPL-2.0-only
//
// The explorer: cuts an exploration into work units (fixed by the scenario
// and strategy, never by the number of workers), runs them on worker
// threads (each with its own world), and folds the unit results in unit
// order, so --jobs N gives exactly what --jobs 1 gives and shards merge into
// what one unsharded run gives.
import Foundation
import Synchronization

public final class Explorer {
    public let scenario: Scenario
    public let strategy: Strategy
    public var options: ExploreOptions
    public let api: KernelAPI
    /// Called about twice a second with the progress so far (for a live line).
    public var onProgress: ((Progress) -> Void)?
    /// How worker threads are started (tests make it fail).
    public var threadSpawn: WorkerThreads.Spawn = WorkerThreads.pthreadSpawn

    public struct Progress: Sendable {
        public var schedules: Int
        public var findings: Int
        public var seconds: Double
        public var unitsDone: Int
        public var unitsPlanned: Int?
        /// Distinct failing and tolerated findings so far (`findings` is their sum).
        public var failing = 0
        public var tolerated = 0
    }

    public init(_ scenario: Scenario, strategy: Strategy, options: ExploreOptions = .init(),
                api: KernelAPI = .builtin) {
        self.scenario = scenario
        self.strategy = strategy
        self.options = options
        self.api = api
        // a schedule replays as it was recorded (validate() refuses
        // --plain-points for a schedule recorded without)
        if case .replay(let s) = strategy, s.plainPoints { self.options.plainPoints = true }
    }

    /// A world configured for exploration (no trace, no call chains).
    func makeWorld() throws -> World {
        let w = try scenario.makeWorld(api: api)
        options.observe?(w)
        try configure(w)
        return w
    }

    func configure(_ w: World) throws {
        try w.set(.trace, 0)
        try w.set(.backtrace, 0)
        try w.set(.strict, options.strict ? 1 : 0)
        // DPOR's dependency relation includes the plain shared accesses
        try w.set(.footprint, strategy == .dpor ? World.Option.footprintStepsOnly : 0)
        try w.set(.plainPoints, options.plainPoints ? 1 : 0)
        if let m = options.maxSteps { try w.set(.maxSteps, m) }
    }

    /// Check what `run()` would reject, without running anything.
    public func validate() throws {
        if case .pct(_, let d) = strategy, !(1...World.maxPCTDepth).contains(d) {
            throw HarnessError.badInput("PCT depth must be 1...\(World.maxPCTDepth) (got \(d))")
        }
        if case .dfs(let b?) = strategy, b < 0 {
            throw HarnessError.badInput("preemption bound must be >= 0 (got \(b))")
        }
        if let m = options.maxSchedules { try Limits.check("--max-schedules", m, 1...Limits.maxCount) }
        if let t = options.timeLimit { try Limits.checkSeconds("--time", t) }
        try Limits.check("--jobs", options.jobs, 1...Limits.maxJobs)
        try Limits.check("--units", options.units, 1...Limits.maxUnits)
        if let m = options.maxSteps { try Limits.check("the step budget", m, 1...Schedule.maxSteps) }
        if let s = options.shard { try Limits.check("N of --shard I/N", s.count, 1...Limits.maxShards) }
        let w = try scenario.makeWorld(api: api)
        if case .replay(let s) = strategy {
            try s.check(for: w)
            if options.plainPoints && !s.plainPoints {
                throw HarnessError.mismatch("--plain-points: the schedule token was recorded without plain accesses as scheduling points (it has no '\(Schedule.plainField):' field), so its choices are of other steps; replay it without --plain-points")
            }
        }
    }

    // MARK: planning

    func makePlan(_ w: World) throws -> Plan {
        switch strategy {
        case .replay(let s):
            try s.check(for: w)
            return Plan(units: .replay(s))
        case .random, .pct:
            var total = options.maxSchedules
            if total == nil && options.timeLimit == nil { total = 10_000 }
            var plan = Plan(units: .seeds(block: 64, total: total))
            if case .pct = strategy {
                w.runRoundRobin()
                plan.pctSteps = max(1, Int(w.stats.steps))
            }
            return plan
        case .dfs, .dpor:
            return planTree(w)
        }
    }

    /// Branch the top of the tree fully (DFS: within the preemption bound;
    /// DPOR: with sleep sets) until there are `options.units` subtrees.
    func planTree(_ w: World) -> Plan {
        var level = [TreeUnit(prefix: [], sleep: 0)]
        var boundHit = false
        let isDPOR = strategy == .dpor
        var bound: Int? = nil
        if case .dfs(let b) = strategy { bound = b }
        for _ in 0..<16 {
            if level.count >= options.units { break }
            var next: [TreeUnit] = []
            var grew = false
            for u in level {
                w.reset()
                var prev = -1, pre = 0
                for c in u.prefix {
                    if prev >= 0 && Int(c) != prev && w.enabled & bit(prev) != 0 { pre += 1 }
                    _ = w.stepUnchecked(Int(c))
                    prev = Int(c)
                }
                if w.isDone { next.append(u); continue }
                grew = true
                let en = w.enabled
                // what each step from here touches (DPOR's sleep sets
                // compare whole steps): run each enabled task once
                var touch: [Int: StepTouch] = [:]
                if isDPOR {
                    var m = en
                    while m != 0 {
                        let t = lowestTask(m)
                        m &= m - 1
                        _ = w.runPrefix(u.prefix)
                        let a = w.access(t)
                        _ = w.stepUnchecked(t)
                        touch[t] = StepTouch(op: a, cpu: t, footprint: w.stepFootprint)
                    }
                }
                var m = en
                var done: UInt32 = 0
                while m != 0 {
                    let t = lowestTask(m)
                    m &= m - 1
                    if isDPOR {
                        if u.sleep & bit(t) != 0 { continue }
                        var sleep: UInt32 = 0
                        var s = (u.sleep | done) & en
                        while s != 0 {
                            let x = lowestTask(s)
                            s &= s - 1
                            if !touch[x]!.conflicts(touch[t]!) { sleep |= bit(x) }
                        }
                        done |= bit(t)
                        next.append(TreeUnit(prefix: u.prefix + [UInt8(t)], sleep: sleep))
                    } else {
                        let p = prev >= 0 && t != prev && en & bit(prev) != 0
                        if p, let bound, pre >= bound { boundHit = true; continue }
                        next.append(TreeUnit(prefix: u.prefix + [UInt8(t)], sleep: 0))
                    }
                }
            }
            level = next
            if !grew { break }
        }
        var plan = Plan(units: .tree(level))
        plan.boundHit = boundHit
        return plan
    }

    // MARK: running

    public func run() throws -> ExplorationResult {
        try validate()
        let started = DispatchTime.now().uptimeNanoseconds
        let deadline = options.timeLimit.map { Limits.deadline(after: $0, from: started) }
        let world0 = try makeWorld()
        let plan = try makePlan(world0)
        let jobs = max(1, options.jobs)
        var worlds = [world0]
        for _ in 1..<jobs { worlds.append(try makeWorld()) }

        let shared = Shared(plan: plan, options: options)
        let limit = options.maxSchedules ?? Int.max
        let runs = Atomic<Int>(0)
        let stop = Atomic<Bool>(false)

        let work: (World) -> Void = { [strategy, options] w in
            let runner = UnitRunner(world: w, strategy: strategy, plan: plan, options: options,
                                    deadline: deadline,
                                    onRun: { runs.add(1, ordering: .relaxed) },
                                    stopFlag: { stop.load(ordering: .relaxed) })
            while let u = shared.claim() {
                if let deadline, DispatchTime.now().uptimeNanoseconds >= deadline { break }
                let r = runner.run(unit: u, limit: limit)
                shared.finish(r)
            }
        }

        var progressThread: Thread? = nil
        let progressDone = DispatchSemaphore(value: 0)
        if let onProgress {
            let t = Thread {
                while progressDone.wait(timeout: .now() + .milliseconds(500)) == .timedOut {
                    let (failing, tolerated) = shared.distinctFindings
                    onProgress(Progress(schedules: runs.load(ordering: .relaxed),
                                        findings: failing + tolerated,
                                        seconds: Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9,
                                        unitsDone: shared.doneCount, unitsPlanned: plan.count,
                                        failing: failing, tolerated: tolerated))
                }
            }
            t.start()
            progressThread = t
        }

        if jobs == 1 {
            work(world0)
        } else {
            do {
                try WorkerThreads.run(jobs, stop: { stop.store(true, ordering: .relaxed) }, spawn: threadSpawn) {
                    work(worlds[$0])
                }
            } catch {
                if progressThread != nil { progressDone.signal() }
                throw error
            }
        }
        if progressThread != nil { progressDone.signal() }

        let runner = UnitRunner(world: world0, strategy: strategy, plan: plan, options: options, deadline: nil)
        var result = ExplorationResult(scenario: scenario.name, worldScenario: world0.scenario,
                                       codeID: api.codeID, strategy: strategy, options: options)
        result.jobs = jobs
        result.shard = options.shard
        result.unitsPlanned = plan.count
        Explorer.fold(shared.results, into: &result, planCount: plan.count, planBoundHit: plan.boundHit,
                      options: options) { u, lim in
            runner.run(unit: u, limit: lim)
        }
        if options.shard != nil { result.units = shared.results.sorted { $0.index < $1.index } }
        for w in worlds {
            result.executedFunctions.formUnion(w.executedFunctions)
            result.executedBlocks.formUnion(w.executedBlocks)
        }
        result.seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        return result
    }

    /// Combine unit results in unit order: stop at the first unit that
    /// stopped on a finding, cap at maxSchedules (re-running the unit that
    /// crosses it with a smaller limit), and decide whether the space is
    /// exhausted.  Shared by `run()` and `merge`.
    static func fold(_ results: [UnitResult], into out: inout ExplorationResult, planCount: Int?,
                     planBoundHit: Bool, options: ExploreOptions, rerun: (Int, Int) -> UnitResult) {
        let sorted = results.sorted { $0.index < $1.index }
        var seen: [String: Int] = [:]
        var deps: [[LockDependency]] = []
        defer {
            // lockdep over the units folded in (the same set whatever --jobs)
            out.lockDependencies = Lockdep.merge([out.lockDependencies] + deps)
            out.lockCycles = Lockdep.cycles(out.lockDependencies)
            out.lockOrderViolations = Lockdep.orderViolations(out.lockDependencies)
            out.findings.removeAll { $0.kind == "lockdep" }
            for c in out.lockCycles { out.findings.append(c.finding(failing: options.lockdepFails)) }
            for v in out.lockOrderViolations { out.findings.append(v.finding(failing: options.lockdepFails)) }
        }
        var total = 0
        var stopped = false
        var truncated = false
        var allComplete = true
        var expected = 0
        let shard = options.shard
        for var r in sorted {
            // a missing unit before this one: the exploration was cut short
            // (found by arithmetic: a file may claim any index)
            if expected < r.index {
                if let shard {
                    let first = expected + ((shard.index - expected % shard.count) + shard.count) % shard.count
                    if first < r.index { allComplete = false }
                } else {
                    allComplete = false
                }
            }
            expected = r.index + 1
            if let m = options.maxSchedules, total + r.schedules > m {
                r = rerun(r.index, m - total)
                truncated = true
                stopped = true
            }
            total += r.schedules
            out.schedules += r.schedules
            out.blocked += r.blocked
            out.cut += r.cut
            out.steps += r.steps
            out.finalStates.formUnion(r.states)
            out.boundHit = out.boundHit || r.boundHit
            out.unitsDone += 1
            deps.append(r.lockDependencies)
            for f in r.findings {
                if let k = seen[f.signature] {
                    out.findings[k].count = min(Limits.maxCount, out.findings[k].count + f.count)
                } else {
                    seen[f.signature] = out.findings.count
                    out.findings.append(f)
                }
            }
            if !r.complete { allComplete = false }
            if stopped || (options.stopOnFirstFinding && r.stoppedOnFinding) { stopped = true; break }
            if let m = options.maxSchedules, total >= m {
                stopped = true
                break
            }
        }
        if let c = planCount {
            for u in expected..<max(expected, c) where shard?.owns(u) ?? true { allComplete = false; break }
        } else {
            allComplete = false
        }
        out.boundHit = out.boundHit || planBoundHit
        if case .dfs(let b) = out.strategy { out.bound = b }
        switch out.strategy {
        case .dfs, .dpor: out.exhausted = allComplete && !truncated
        default: out.exhausted = false
        }
    }
}

extension Explorer {
    /// Minimize every distinct failing finding (fewest preemptions, then
    /// fewest steps; deterministic), in the result and in its unit records.
    public func minimizeFindings(_ r: inout ExplorationResult, budget: Int = 20_000) throws {
        let w = try makeWorld()
        let m = Minimizer(world: w, budget: budget)
        // a lockdep cycle is gathered over many schedules: no token of its own
        for i in r.findings.indices where r.findings[i].failing && !r.findings[i].token.isEmpty {
            let s = try Schedule(token: r.findings[i].token)
            r.findings[i].minimized = try? m.minimize(s, signature: r.findings[i].signature)
        }
        for u in r.units.indices {
            for k in r.units[u].findings.indices {
                let f = r.units[u].findings[k]
                if let top = r.findings.first(where: { $0.signature == f.signature && $0.unit == f.unit }) {
                    r.units[u].findings[k].minimized = top.minimized
                }
            }
        }
    }

    /// Fold the JSON reports of all N shards of one exploration into what
    /// the unsharded exploration reports.
    public static func merge(_ reports: [RunReport], api: KernelAPI = .builtin) throws -> ExplorationResult {
        guard let first = reports.first else { throw HarnessError.badInput("merge: no reports given") }
        var shards: [Shard] = []
        var schedules = 0
        var steps: UInt64 = 0
        for r in reports {
            guard let text = r.shard, r.units != nil else {
                throw HarnessError.badInput("merge: a report of scenario '\(r.scenario)' is not from a sharded run (--shard I/N)")
            }
            do { try r.validateForMerge() } catch { throw HarnessError.badInput("merge: shard \(text): \(error)") }
            let s = try Shard(parsing: text)
            // sums the fold forms must fit
            for u in r.units ?? [] {
                let (a, o1) = schedules.addingReportingOverflow(u.schedules)
                let (b, o2) = steps.addingReportingOverflow(u.steps)
                guard !o1, !o2, a <= Limits.maxCount else {
                    throw HarnessError.badInput("merge: shard \(text): the units' schedules or steps add up to more than \(Limits.maxCount)")
                }
                schedules = a
                steps = b
            }
            let same = r.scenario == first.scenario && r.worldScenario == first.worldScenario
                && r.codeID == first.codeID && r.strategy == first.strategy && r.seed == first.seed
                && r.depth == first.depth && r.bound == first.bound && r.maxSchedules == first.maxSchedules
                && r.stopOnFirstFinding == first.stopOnFirstFinding && r.strict == first.strict
                && (r.plainPoints ?? false) == (first.plainPoints ?? false)
                && r.unitsPlanned == first.unitsPlanned
            guard same else {
                throw HarnessError.badInput("merge: shard \(text) is not from the same exploration as shard \(first.shard ?? "?") (scenario, code, strategy and options must match)")
            }
            if let other = shards.first, other.count != s.count {
                throw HarnessError.badInput("merge: shard \(text) belongs to a split into \(s.count), not \(other.count)")
            }
            if shards.contains(s) { throw HarnessError.badInput("merge: shard \(text) given twice") }
            shards.append(s)
        }
        let strategy: Strategy
        switch first.strategy {
        case "random": strategy = .random(seed: first.seed ?? 0)
        case "pct": strategy = .pct(seed: first.seed ?? 0, depth: first.depth ?? 3)
        case "dfs": strategy = .dfs(preemptionBound: first.bound)
        case "dpor": strategy = .dpor
        default: throw HarnessError.badInput("merge: cannot merge strategy '\(first.strategy)'")
        }
        var options = ExploreOptions(maxSchedules: first.maxSchedules,
                                     stopOnFirstFinding: first.stopOnFirstFinding, strict: first.strict)
        options.plainPoints = first.plainPoints ?? false
        var out = ExplorationResult(scenario: first.scenario, worldScenario: first.worldScenario,
                                    codeID: first.codeID, strategy: strategy, options: options)
        out.unitsPlanned = first.unitsPlanned
        out.jobs = reports.map(\.jobs).reduce(0, +)
        out.seconds = reports.map(\.seconds).reduce(0, +)
        let missing = (0..<(shards.first?.count ?? 1)).filter { i in !shards.contains { $0.index == i } }
        var units = reports.flatMap { $0.units ?? [] }.map(UnitResult.init)
        units.sort { $0.index < $1.index }
        var rerunError: Error? = nil
        Explorer.fold(units, into: &out, planCount: first.unitsPlanned, planBoundHit: first.boundHit,
                      options: options) { index, limit in
            // only when --max-schedules cuts a unit short: run it again, shorter
            do {
                guard first.codeID == api.codeID else {
                    throw HarnessError.mismatch("merge: the shards ran kernel code \(first.codeID), this build is \(api.codeID)")
                }
                let e = Explorer(try Scenario(registered: first.scenario, api: api), strategy: strategy,
                                 options: options, api: api)
                let w = try e.makeWorld()
                let plan = try e.makePlan(w)
                if let c = plan.count, index >= c {
                    throw HarnessError.badInput("merge: unit \(index) is not in this exploration's plan of \(c) units")
                }
                return UnitRunner(world: w, strategy: strategy, plan: plan, options: options, deadline: nil)
                    .run(unit: index, limit: limit)
            } catch {
                rerunError = error
                return UnitResult(index: index)
            }
        }
        if let rerunError { throw rerunError }
        if !missing.isEmpty { out.exhausted = false }
        return out
    }
}

/// Work distribution and results of one exploration (thread-safe).
final class Shared: @unchecked Sendable {
    private let lock = NSLock()
    private var next = 0
    private let plan: Plan
    private let options: ExploreOptions
    private var cutoff = Int.max
    private var byIndex: [Int: UnitResult] = [:]
    private var contiguous = 0
    private var contiguousSchedules = 0
    private(set) var findingCount = 0
    /// Distinct findings (by signature) so far, failing and tolerated apart.
    private var failingSeen = Set<String>(), toleratedSeen = Set<String>()
    var distinctFindings: (failing: Int, tolerated: Int) {
        lock.withLock { (failingSeen.count, toleratedSeen.count) }
    }

    init(plan: Plan, options: ExploreOptions) {
        self.plan = plan
        self.options = options
        if let s = options.shard { next = s.index }
    }

    var results: [UnitResult] { lock.withLock { Array(byIndex.values) } }
    var doneCount: Int { lock.withLock { byIndex.count } }

    /// The next unit to explore, or nil when none is left or needed.
    func claim() -> Int? {
        lock.withLock {
            let u = next
            if let c = plan.count, u >= c { return nil }
            if u > cutoff || u == Int.max { return nil }
            let (n, o) = next.addingReportingOverflow(options.shard?.count ?? 1)
            next = o ? Int.max : n
            return u
        }
    }

    func finish(_ r: UnitResult) {
        lock.withLock {
            byIndex[r.index] = r
            findingCount += r.findings.count
            for f in r.findings {
                if f.failing { failingSeen.insert(f.signature) } else { toleratedSeen.insert(f.signature) }
            }
            if options.stopOnFirstFinding && r.stoppedOnFinding { cutoff = min(cutoff, r.index) }
            // without shards, stop claiming once the units in order reach maxSchedules
            guard options.shard == nil, let m = options.maxSchedules else { return }
            while let c = byIndex[contiguous] {
                contiguousSchedules += c.schedules
                if contiguousSchedules >= m { cutoff = min(cutoff, contiguous); break }
                contiguous += 1
            }
        }
    }
}
