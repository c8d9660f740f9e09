// SPDX-License-Identifier: GPL-2.0-only
//
// What crosses the pipe between check-patch and its worker process: the
// explorations' results and the generated phase, as Codable values.  Lock
// cycles and order violations are not sent: they follow from the
// dependencies (Lockdep.cycles / orderViolations), as Explorer.fold
// computes them.
import Foundation

extension Strategy {
    /// "dpor", "dfs", "dfs:2", "random:SEED", "pct:SEED:DEPTH", "replay:TOKEN"
    public var wire: String {
        switch self {
        case .dpor: return "dpor"
        case .dfs(let b): return b.map { "dfs:\($0)" } ?? "dfs"
        case .random(let s): return "random:\(s)"
        case .pct(let s, let d): return "pct:\(s):\(d)"
        case .replay(let s): return "replay:\(s.token)"
        }
    }

    public init(wire: String) throws {
        let p = wire.split(separator: ":", maxSplits: 2).map(String.init)
        switch (p.first ?? "", p.count) {
        case ("dpor", 1): self = .dpor
        case ("dfs", 1): self = .dfs(preemptionBound: nil)
        case ("dfs", 2): self = .dfs(preemptionBound: Int(p[1]))
        case ("random", 2) where UInt64(p[1]) != nil: self = .random(seed: UInt64(p[1])!)
        case ("pct", 3) where UInt64(p[1]) != nil && Int(p[2]) != nil:
            self = .pct(seed: UInt64(p[1])!, depth: Int(p[2])!)
        case ("replay", _) where p.count >= 2:
            self = .replay(try Schedule(token: wire.dropFirst("replay:".count).description))
        default: throw HarnessError.badInput("unknown strategy '\(wire)'")
        }
    }
}

/// An ExplorationResult on the wire.
public struct ExplorationWire: Codable, Sendable {
    var scenario, worldScenario, codeID, strategy: String
    var schedules, blocked: Int
    var cut: Int?
    var steps: UInt64
    var finalStates: [UInt64]
    var findings: [FoundFinding]
    var lockDependencies: [LockDependency]
    var executedFunctions: [String]
    var executedBlocks: [UInt64]
    var exhausted: Bool
    var bound: Int?
    var boundHit: Bool
    var seconds: Double
    var unitsPlanned: Int?
    var unitsDone, jobs: Int
    var maxSchedules: Int?
    var timeLimit: Double?
    var stopOnFirstFinding, strict: Bool
    var plainPoints: Bool?

    public init(_ r: ExplorationResult) {
        scenario = r.scenario
        worldScenario = r.worldScenario
        codeID = r.codeID
        strategy = r.strategy.wire
        schedules = r.schedules
        blocked = r.blocked
        cut = r.cut
        steps = r.steps
        finalStates = r.finalStates.sorted()
        findings = r.findings
        lockDependencies = r.lockDependencies
        executedFunctions = r.executedFunctions.sorted()
        executedBlocks = r.executedBlocks.words
        exhausted = r.exhausted
        bound = r.bound
        boundHit = r.boundHit
        seconds = r.seconds
        unitsPlanned = r.unitsPlanned
        unitsDone = r.unitsDone
        jobs = r.jobs
        maxSchedules = r.options.maxSchedules
        timeLimit = r.options.timeLimit
        stopOnFirstFinding = r.options.stopOnFirstFinding
        strict = r.options.strict
        plainPoints = r.options.plainPoints
    }

    public func result() throws -> ExplorationResult {
        var options = ExploreOptions(maxSchedules: maxSchedules, timeLimit: timeLimit,
                                     stopOnFirstFinding: stopOnFirstFinding, jobs: jobs, strict: strict)
        options.plainPoints = plainPoints ?? false
        var r = ExplorationResult(scenario: scenario, worldScenario: worldScenario, codeID: codeID,
                                  strategy: try Strategy(wire: strategy), options: options)
        r.schedules = schedules
        r.blocked = blocked
        r.cut = cut ?? 0
        r.steps = steps
        r.finalStates = Set(finalStates)
        r.findings = findings
        r.lockDependencies = lockDependencies
        r.lockCycles = Lockdep.cycles(lockDependencies)
        r.lockOrderViolations = Lockdep.orderViolations(lockDependencies)
        r.executedFunctions = Set(executedFunctions)
        r.executedBlocks = BlockSet(words: executedBlocks)
        r.exhausted = exhausted
        r.bound = bound
        r.boundHit = boundHit
        r.seconds = seconds
        r.unitsPlanned = unitsPlanned
        r.unitsDone = unitsDone
        r.jobs = jobs
        return r
    }
}

extension BlockSet {
    public init(words: [UInt64]) {
        self.init()
        for (i, w) in words.enumerated() where w != 0 {
            for b in 0..<64 where w >> UInt64(b) & 1 == 1 { insert(i * 64 + b) }
        }
    }
}
