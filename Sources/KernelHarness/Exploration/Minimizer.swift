// SPDX-License-Identifier: GPL-2.0-only
//
// Minimizer: from a failing schedule, one with the fewest preemptions and
// then the fewest steps that still produces the same finding (kind and
// location).  Deterministic: a run budget, never a time budget.

public struct Minimized: Sendable, Hashable, Codable {
    public var schedule: Schedule
    public var preemptions: Int
    public var steps: Int
    public var originalPreemptions: Int
    public var originalSteps: Int
    /// Runs spent searching.
    public var runs: Int
}

public struct Minimizer {
    public let world: World
    /// Runs the search may spend (the greedy pass always runs).
    public var budget: Int

    /// `world` is used (and reset) by the minimizer; set its options first.
    public init(world: World, budget: Int = 20_000) {
        self.world = world
        self.budget = budget
    }

    /// Does the current run show a finding with this signature?
    func shows(_ signature: String) -> Bool {
        world.findingCount > 0 && world.findings.contains { $0.signature == signature }
    }

    /// Run `choices` exactly; the recorded choices when it shows `signature`.
    func attempt(_ choices: [UInt8], _ signature: String) -> [UInt8]? {
        guard (try? world.run(choices: choices)) != nil, shows(signature) else { return nil }
        return world.choices
    }

    /// Positions where `choices` switches away from a task that could go on.
    func preemptionPoints(_ choices: [UInt8]) -> [Int] {
        world.reset()
        var out: [Int] = []
        var prev = -1
        for (i, c) in choices.enumerated() {
            if world.isDone { break }
            if prev >= 0 && Int(c) != prev && world.enabled & bit(prev) != 0 { out.append(i) }
            _ = world.stepUnchecked(Int(c))
            prev = Int(c)
        }
        return out
    }

    /// Replay `prefix`, then keep running the last task while it can, else
    /// the lowest enabled one (no further preemption).
    func nonPreemptiveCompletion(_ prefix: ArraySlice<UInt8>) -> [UInt8] {
        world.reset()
        var prev = -1
        for c in prefix {
            if world.isDone { break }
            _ = world.stepUnchecked(Int(c))
            prev = Int(c)
        }
        while !world.isDone {
            let en = world.enabled
            if en == 0 { break }
            let c = prev >= 0 && en & bit(prev) != 0 ? prev : lowestTask(en)
            _ = world.stepUnchecked(c)
            prev = c
        }
        return world.choices
    }

    public func minimize(_ schedule: Schedule, signature: String) throws -> Minimized {
        try schedule.check(for: world)
        guard let original = attempt(schedule.choices, signature) else {
            throw HarnessError.badInput("schedule \(schedule.token) does not show \(signature)")
        }
        var best = original
        var bestPre = preemptionPoints(best).count
        let originalPre = bestPre
        var runs = 1
        func better(_ c: [UInt8], _ p: Int) -> Bool {
            p < bestPre || (p == bestPre && c.count < best.count)
        }
        // 1. greedy: drop a preemption, finish without preempting
        var improved = true
        while improved {
            improved = false
            for i in preemptionPoints(best).reversed() {
                let cand = nonPreemptiveCompletion(best[..<i])
                runs += 1
                guard let got = attempt(cand, signature) else { continue }
                let p = preemptionPoints(got).count
                if better(got, p) {
                    best = got
                    bestPre = p
                    improved = true
                    break
                }
            }
        }
        // 2. preemption-bounded search, bound 0, 1, ...: the first bound that
        //    shows the finding; then the shortest schedule under that bound.
        let runner = UnitRunner(world: world, strategy: .dfs(preemptionBound: 0),
                                plan: Plan(units: .tree([])), options: ExploreOptions(), deadline: nil)
        var bound = 0
        search: while bound <= bestPre && runs < budget {
            var found = false
            let (complete, _) = runner.dfs([], bound: bound) {
                runs += 1
                if self.shows(signature) {
                    let c = self.world.choices
                    if !found || c.count < best.count || bound < bestPre {
                        let p = self.preemptionPoints(c).count
                        if better(c, p) { best = c; bestPre = p }
                        found = true
                    }
                }
                return runs >= budget
            }
            if found || !complete { break search }
            bound += 1
        }
        _ = attempt(best, signature)
        return Minimized(schedule: Schedule(scenario: world.scenario, codeID: world.api.codeID, choices: best,
                                                   plainPoints: world.plainPoints),
                         preemptions: bestPre, steps: best.count,
                         originalPreemptions: originalPre, originalSteps: original.count, runs: runs)
    }
}
