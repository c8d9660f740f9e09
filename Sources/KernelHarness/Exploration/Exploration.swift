// SPDX-License-Identifier: GPL-2.0-only
//
// Public types of an exploration: strategies, options, and what comes back.

/// How the explorer chooses schedules.
public enum Strategy: Sendable, Hashable {
    /// Run one given schedule.
    case replay(Schedule)
    /// Uniformly random choice among the enabled tasks, schedule i seeded
    /// from (seed, i).
    case random(seed: UInt64)
    /// Probabilistic concurrency testing (Burckhardt et al., ASPLOS 2010):
    /// random task priorities, depth-1 priority change points over the
    /// estimated step count.  Finds a bug of depth d with probability at
    /// least 1/(n·k^(d-1)) per schedule.
    case pct(seed: UInt64, depth: Int)
    /// Stateless exhaustive depth-first search; with a bound, only schedules
    /// with at most that many preemptions.
    case dfs(preemptionBound: Int?)
    /// Source-set dynamic partial-order reduction with sleep sets: one
    /// schedule per Mazurkiewicz trace of the pending operations.
    case dpor

    public var name: String {
        switch self {
        case .replay: return "replay"
        case .random: return "random"
        case .pct: return "pct"
        case .dfs: return "dfs"
        case .dpor: return "dpor"
        }
    }

    /// Systematic strategies can exhaust their space.
    public var isSystematic: Bool {
        switch self {
        case .dfs, .dpor, .replay: return true
        case .random, .pct: return false
        }
    }
}

/// A deterministic share of an exploration: share `index` (0-based) of `count`.
public struct Shard: Sendable, Hashable, Codable, CustomStringConvertible {
    public var index: Int
    public var count: Int

    public init(index: Int, count: Int) throws {
        // the 1-based I of a message, without overflowing at Int.max
        let i = index < Int.max ? "\(index + 1)" : "\(index)+1"
        guard count >= 1, index >= 0, index < count else {
            throw HarnessError.badInput("bad shard \(i)/\(count): expected I/N with 1 <= I <= N")
        }
        guard count <= Limits.maxShards else {
            throw HarnessError.badInput("bad shard \(i)/\(count): N must be at most \(Limits.maxShards)")
        }
        self.index = index
        self.count = count
    }

    /// Parse "I/N" (1-based I, as CI matrices count).
    public init(parsing text: String) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]) else {
            throw HarnessError.badInput("bad shard '\(text)': expected I/N, e.g. 1/4")
        }
        guard n >= 1, i >= 1, i <= n else {
            throw HarnessError.badInput("bad shard '\(text)': I must be between 1 and N (N >= 1)")
        }
        try self.init(index: i - 1, count: n)
    }

    public var description: String { "\(index + 1)/\(count)" }

    @inline(__always) func owns(_ unit: Int) -> Bool { unit % count == index }
}

public struct ExploreOptions: Sendable {
    /// A lock-order cycle (lockdep) fails the exploration (false: it is a
    /// tolerated finding).
    public var lockdepFails = true
    /// Stop after this many complete schedules (random and PCT default to 10000
    /// when neither this nor a time budget is given).
    public var maxSchedules: Int?
    /// Stop after this many seconds (results then depend on the machine).
    public var timeLimit: Double?
    /// Stop at the first failing schedule (in exploration order).
    public var stopOnFirstFinding: Bool
    /// Worker threads, each with its own world.  Results do not depend on it.
    public var jobs: Int
    /// Explore only this share of the work units.
    public var shard: Shard?
    /// Tolerated findings (stranded pages) fail runs too.
    public var strict: Bool
    /// Live progress line on stderr.
    public var progress: Bool
    /// Work units an exploration is cut into (fixed, so that results never
    /// depend on `jobs`).
    public var units: Int
    /// Livelock budget per run (steps); nil: the shim's default.
    public var maxSteps: Int?
    /// Every plain shared access of the kernel code is a scheduling point.
    public var plainPoints = false
    /// DPOR cuts a run where it finds the rest covered: right after a
    /// wakeup sequence that turned out redundant, or inside one whose next
    /// step sleeps (tests turn them off to show that they lose nothing).
    var cuts: DPORCuts = .all
    /// Called with every world the exploration makes (a worker process's
    /// watchdog watches them).
    public var observe: (@Sendable (World) -> Void)? = nil

    public init(maxSchedules: Int? = nil, timeLimit: Double? = nil, stopOnFirstFinding: Bool = true,
                jobs: Int = 1, shard: Shard? = nil, strict: Bool = false, progress: Bool = false,
                units: Int = 32, maxSteps: Int? = nil) {
        self.maxSchedules = maxSchedules
        self.timeLimit = timeLimit
        self.stopOnFirstFinding = stopOnFirstFinding
        self.jobs = jobs
        self.shard = shard
        self.strict = strict
        self.progress = progress
        self.units = units
        self.maxSteps = maxSteps
    }
}

/// One distinct finding of an exploration (same kind and location = same).
public struct FoundFinding: Sendable, Hashable, Codable {
    public var kind: String
    public var message: String
    public var file: String
    public var line: Int
    public var function: String
    public var task: Int
    public var taskName: String
    public var tolerated: Bool
    /// The run it was first seen in failed (it is not tolerated, or strict).
    public var failing: Bool
    /// Replays the first schedule that showed it.
    public var token: String
    /// Schedules that showed it.
    public var count: Int
    /// Where in the exploration order it was first seen: work unit, schedule.
    public var unit: Int
    public var ordinal: Int
    /// The minimized schedule showing it (filled by `Explorer.minimize`).
    public var minimized: Minimized? = nil

    public var location: String { "\(file):\(line)" }
    public var signature: String { "\(kind)@\(location)" }
}

/// Where DPOR may stop a run whose rest is covered (all of them by
/// default; tests turn them off one at a time to show they lose nothing).
struct DPORCuts: OptionSet, Sendable {
    let rawValue: Int
    /// Right after a wakeup sequence that turned out redundant once its
    /// last step had run (`DPORState.staleSleep`).
    static let afterSequence = DPORCuts(rawValue: 1)
    /// At a node inside a wakeup sequence whose branches left all belong to
    /// tasks asleep there (`DPORState.covered`).
    static let coveredNode = DPORCuts(rawValue: 2)
    static let all: DPORCuts = [.afterSequence, .coveredNode]
}

/// The outcome of exploring one work unit (a subtree or a block of seeds).
public struct UnitResult: Sendable, Hashable, Codable {
    public var index: Int
    public var schedules = 0
    /// Runs abandoned by DPOR's sleep sets (equivalent to explored ones).
    public var blocked = 0
    /// Runs DPOR cut where the rest was covered: right after a wakeup
    /// sequence that turned out redundant once its steps had run
    /// (`DPORState.staleSleep`), or inside one whose next step's task
    /// sleeps (`DPORState.covered`).
    public var cut = 0
    public var steps: UInt64 = 0
    public var states: Set<UInt64> = []
    public var findings: [FoundFinding] = []
    /// The whole unit was explored.
    public var complete = false
    /// Stopped at a failing schedule.
    public var stoppedOnFinding = false
    /// The preemption bound cut something off.
    public var boundHit = false
    /// Lock-class dependencies of this unit's schedules.
    public var lockDependencies: [LockDependency] = []

    public init(index: Int) { self.index = index }

    var failing: Bool { findings.contains { $0.failing } }
}

/// What an exploration reports.
public struct ExplorationResult: Sendable {
    public var scenario: String
    /// Scenario name as tokens carry it.
    public var worldScenario: String
    public var codeID: String
    public var strategy: Strategy
    public var schedules = 0
    public var blocked = 0
    /// DPOR runs cut where the rest was covered (UnitResult.cut).
    public var cut = 0
    public var steps: UInt64 = 0
    /// Distinct end states (state hashes of the finished runs).
    public var finalStates: Set<UInt64> = []
    public var findings: [FoundFinding] = []
    /// Lock-class dependencies seen in any explored schedule (one example
    /// per class pair), and the cycles among them.
    public var lockDependencies: [LockDependency] = []
    public var lockCycles: [LockCycle] = []
    public var lockOrderViolations: [LockOrderViolation] = []
    /// Kernel functions any explored schedule ran (instrumented builds only).
    public var executedFunctions: Set<String> = []
    /// Basic blocks any explored schedule ran (instrumented builds only).
    public var executedBlocks = BlockSet()
    /// The whole space (under `bound`) was explored.
    public var exhausted = false
    /// Preemption bound of DFS (nil: none).
    public var bound: Int?
    /// The bound cut schedules off (so "exhausted" means "up to the bound").
    public var boundHit = false
    public var seconds: Double = 0
    public var unitsPlanned: Int?
    public var unitsDone = 0
    public var jobs = 1
    public var shard: Shard?
    public var options: ExploreOptions
    /// Per-unit results (kept for sharded runs, so `merge` can combine them).
    public var units: [UnitResult] = []

    /// A finding failed some run.
    public var failed: Bool { findings.contains { $0.failing } }
    /// The first failing finding with a schedule of its own (a lockdep
    /// cycle has none: it is gathered over many), else the first failing.
    public var firstFailure: FoundFinding? {
        findings.first { $0.failing && !$0.token.isEmpty } ?? findings.first { $0.failing }
    }

    /// Distinct findings per kind.
    public var findingsByKind: [String: Int] {
        var d: [String: Int] = [:]
        for f in findings { d[f.kind, default: 0] += 1 }
        return d
    }
}
