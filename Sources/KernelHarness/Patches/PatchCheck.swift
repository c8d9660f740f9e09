// SPDX-License-Identifier: GPL-2.0-only
//
// check-patch: the scenario suite on the unpatched and on the patched
// kernel code, and a verdict a `git bisect run` script can use.
import Foundation

/// good: no failing finding after the patches; bad: some; untestable: the
/// patches do not apply or the result does not build.
public enum Verdict: String, Sendable, Codable {
    case good, bad, untestable

    /// `git bisect run` exit codes.
    public var exitCode: Int32 {
        switch self {
        case .good: return 0
        case .bad: return 1
        case .untestable: return 125
        }
    }
}

public struct PatchCheckOptions: Sendable {
    /// Scenarios to run (nil: every registered kernel scenario).
    public var scenarios: [String]?
    /// nil: exhaustive DPOR within the budget, then PCT for what is left.
    public var strategy: Strategy?
    /// Seconds of exploration per scenario and side.
    public var timePerScenario: Double
    public var strict: Bool
    public var jobs: Int
    /// Stop each exploration at its first failing schedule (faster, for
    /// bisecting); by default every distinct finding within the budget.
    public var firstFinding: Bool
    /// A kernel tree whose text replaces the model's (nil: the model).
    public var kernel: KernelTree?
    /// Lines of context a hunk may ignore (`patch --fuzz`); 0 by default.
    public var fuzz: Int = 0
    /// Any failing finding after the patches is bad, pre-existing or not
    /// (by default only a new one is).
    public var absolute = false
    /// Seconds of the generated-worlds phase (0: none).
    public var fuzzTime: Double = 0
    /// At most this many executions in it (with one job and seed 1, the
    /// phase is then deterministic).
    public var fuzzExecs: Int? = nil
    /// Where the generated phase saves its findings as replay files.
    public var findingsDirectory: URL? = nil

    public init(scenarios: [String]? = nil, strategy: Strategy? = nil, timePerScenario: Double = 5,
                strict: Bool = false, jobs: Int = 1, firstFinding: Bool = false,
                kernel: KernelTree? = nil, fuzz: Int = 0, absolute: Bool = false,
                fuzzTime: Double = 0, findingsDirectory: URL? = nil) {
        self.fuzzTime = fuzzTime
        self.findingsDirectory = findingsDirectory
        self.kernel = kernel
        self.absolute = absolute
        self.fuzz = fuzz
        self.firstFinding = firstFinding
        self.scenarios = scenarios
        self.strategy = strategy
        self.timePerScenario = timePerScenario
        self.strict = strict
        self.jobs = jobs
    }
}

/// One side (before or after) of one scenario.
public struct SideOutcome: Sendable {
    public var result: ExplorationResult
    public var failed: Bool { result.failed }

    /// A short matrix cell: every distinct failing finding, or clean.
    public var cell: String {
        let failing = result.findings.filter(\.failing)
        if !failing.isEmpty {
            // one entry per kind: "bug mlock.c:57", or "deadlock x3" for
            // a kind found at several places (the JSON has them all)
            var kinds: [String] = []
            var places: [String: [String]] = [:]
            for f in failing {
                if places[f.kind] == nil { kinds.append(f.kind) }
                let base = f.file.split(separator: "/").last.map(String.init) ?? f.file
                places[f.kind, default: []].append("\(base):\(f.line)")
            }
            return kinds.map { k in
                let p = places[k]!
                return p.count == 1 ? "\(k) \(p[0])" : "\(k) x\(p.count)"
            }.joined(separator: ", ")
        }
        return result.exhausted ? "clean (\(result.schedules), exh.)" : "clean (\(result.schedules))"
    }
}

extension FoundFinding {
    /// What stays the same when a patch moves code around: kind, kernel
    /// function and the message with its numbers blotted out (lines,
    /// counts, page indices shift; the shape does not).
    public var identity: String {
        let shape = String(message.map { $0.isNumber ? "#" : $0 })
        return "\(kind) in \(function)(): \(shape)"
    }
}

public struct PatchCheckRow: Sendable {
    public var scenario: String
    public var before: SideOutcome
    public var after: SideOutcome

    /// Failing findings by identity, before and after.
    func failing(_ s: SideOutcome) -> [String: FoundFinding] {
        var out: [String: FoundFinding] = [:]
        for f in s.result.findings where f.failing && out[f.identity] == nil { out[f.identity] = f }
        return out
    }
    /// Failing before, not after.
    public var fixed: [FoundFinding] {
        let a = failing(after)
        return failing(before).filter { a[$0.key] == nil }.map(\.value).sorted { $0.identity < $1.identity }
    }
    /// Failing after, not before.
    public var new: [FoundFinding] {
        let b = failing(before)
        return failing(after).filter { b[$0.key] == nil }.map(\.value).sorted { $0.identity < $1.identity }
    }
    /// Failing on both sides.
    public var unchanged: [FoundFinding] {
        let b = failing(before)
        return failing(after).filter { b[$0.key] != nil }.map(\.value).sorted { $0.identity < $1.identity }
    }

    /// "fixed 1, unchanged 2", "new 1", "-"
    public var change: String {
        var parts: [String] = []
        if !fixed.isEmpty { parts.append("fixed \(fixed.count)") }
        if !new.isEmpty { parts.append("NEW \(new.count)") }
        if !unchanged.isEmpty { parts.append("unchanged \(unchanged.count)") }
        return parts.isEmpty ? "-" : parts.joined(separator: ", ")
    }
}

public struct PatchCheckReport: Sendable {
    public var verdict: Verdict
    public var patches: [String]
    public var rows: [PatchCheckRow] = []
    /// Why the patches could not be tested (rejects, compiler errors).
    public var error: String?
    public var buildSeconds: Double = 0
    public var seconds: Double = 0
    /// What applying each patch did: offsets, fuzz, the functions it changes.
    public var outcomes: [PatchOutcome] = []
    /// Skipped cover letters, files the model lacks, tree warnings.
    public var notes: [String] = []
    /// "kernel 3.13.0 at DIR", or nil for the built-in model.
    public var kernel: String?
    /// With a kernel tree: how many modelled functions ran its text.
    public var realFunctions: Int?
    public var modelledFunctions: Int?

    /// Code the patches change that the harness does not run.
    public var unrun: [ChangedCode] { outcomes.flatMap(\.unrun) }
    /// A good verdict that rests on part of the patch only.
    public var partial: Bool { verdict == .good && !unrun.isEmpty }

    /// 0 good, 1 bad, 125 untestable, 4 good but partial.
    public var exitCode: Int32 { partial ? PatchCheckReport.partialExit : verdict.exitCode }
    public static let partialExit: Int32 = 4

    /// "good", "good (partial)", "bad", "untestable", "not exercised"
    public var verdictText: String {
        if verdict == .untestable && notExercised { return "not exercised" }
        return partial ? "good (partial)" : verdict.rawValue
    }

    public var fixedCount: Int { rows.reduce(0) { $0 + $1.fixed.count } }
    public var newCount: Int { rows.reduce(0) { $0 + $1.new.count } }
    public var unchangedCount: Int { rows.reduce(0) { $0 + $1.unchanged.count } }
    /// Whether `verdict` counted pre-existing findings too (--absolute).
    public var absolute = false
    /// Lock-order cycles that only the union of every scenario's lock-class
    /// dependencies shows (each scenario alone has none), new with the patches.
    public var suiteCycles: [LockCycle] = []
    /// Each changed function the harness runs, and whether any explored
    /// schedule of the patched code entered it.
    public var exercised: [(code: ChangedCode, ran: Bool)] = []
    /// No changed function ran in any schedule: the scenarios never reach
    /// the patch, so "good" would mean nothing (the verdict is untestable).
    public var notExercised: Bool { !exercised.isEmpty && !exercised.contains { $0.ran } }
    /// The generated-worlds phase: executions run, and the findings new there.
    public var generatedExecs = 0
    public var generated: [GeneratedFinding] = []
}

public enum PatchChecker {
    /// Explore one scenario on one build: the chosen strategy, or DPOR
    /// until exhausted within the budget and PCT (depth 3) for the rest.
    public static func explore(_ scenario: Scenario, api: KernelAPI, options: PatchCheckOptions) throws -> ExplorationResult {
        var opts = ExploreOptions(timeLimit: options.timePerScenario, stopOnFirstFinding: options.firstFinding,
                                  jobs: options.jobs, strict: options.strict)
        if let s = options.strategy {
            return try Explorer(scenario, strategy: s, options: opts, api: api).run()
        }
        let start = Date()
        let dpor = try Explorer(scenario, strategy: .dpor, options: opts, api: api).run()
        if dpor.exhausted || dpor.failed { return dpor }
        let left = options.timePerScenario - Date().timeIntervalSince(start)
        opts.timeLimit = max(0.5, left)
        return try Explorer(scenario, strategy: .pct(seed: 1, depth: 3), options: opts, api: api).run()
    }

    /// Build the unpatched and the patched code from the same sources, run
    /// the suite on both.  Never touches the working tree.
    public static func check(patches: [String], options: PatchCheckOptions = .init(),
                             shim: URL? = nil, log: ((String) -> Void)? = nil) throws -> PatchCheckReport {
        var baseline: [String: ExplorationResult] = [:]
        let (texts, notes) = try PatchReader.read(patches)
        var r = try check(texts, options: options, shim: shim, log: log, baseline: &baseline)
        r.notes = notes + r.notes
        return r
    }

    /// As above, on patches already read; `baseline` caches the unpatched
    /// results across calls (a series matrix explores the unpatched code
    /// once).
    public static func check(_ patches: [PatchText], options: PatchCheckOptions, shim: URL?,
                             log: ((String) -> Void)?,
                             baseline: inout [String: ExplorationResult]) throws -> PatchCheckReport {
        let start = Date()
        var report = PatchCheckReport(verdict: .untestable, patches: patches.map(\.label))
        if let k = options.kernel { report.kernel = "kernel \(k.release) at \(k.root.path)" }
        let baseBuild = try KernelBuild.build([], kernel: options.kernel, shim: shim)
        guard let base = baseBuild.variant else {
            report.error = baseBuild.failure
            report.notes += baseBuild.notes
            report.seconds = Date().timeIntervalSince(start)
            return report
        }
        // the patched build records which functions run: a patch whose
        // changed functions never run was not tested by these scenarios
        let patchedBuild = try KernelBuild.build(patches, kernel: options.kernel, fuzz: options.fuzz, shim: shim,
                                                 instrument: true)
        report.outcomes = patchedBuild.outcomes
        report.notes += patchedBuild.notes
        if let sub = patchedBuild.substitution ?? baseBuild.substitution {
            report.realFunctions = sub.realCount
            report.modelledFunctions = sub.functions.count
        }
        guard let patched = patchedBuild.variant else {
            report.error = patchedBuild.failure ?? "the patched code does not build"
            report.seconds = Date().timeIntervalSince(start)
            return report
        }
        report.buildSeconds = base.buildSeconds + patched.buildSeconds
        let known = Set(base.api.scenarios.map(\.name))
        let names: [String]
        if let wanted = options.scenarios {
            for n in wanted where !known.contains(n) {
                throw HarnessError.notFound("unknown scenario '\(n)' (see 'kharness list')")
            }
            names = wanted
        } else {
            names = base.api.scenarios.map(\.name).filter { !$0.hasPrefix("toy-") }
        }
        for name in names {
            log?("  \(name) ...")
            // the unpatched side is explored whole even with --first: a
            // finding is only new against all the findings it already has
            var full = options
            full.firstFinding = false
            let before = try baseline[name]
                ?? explore(Scenario(registered: name, api: base.api), api: base.api, options: full)
            baseline[name] = before
            // a patch may remove a scenario: then it cannot be judged
            guard patched.api.scenario(named: name) != nil else {
                throw HarnessError.notFound("the patched code has no scenario '\(name)'")
            }
            let sc = try Scenario(registered: name, api: patched.api)
            var row = PatchCheckRow(scenario: name, before: SideOutcome(result: before),
                                    after: SideOutcome(result: try explore(sc, api: patched.api, options: options)))
            // --first stopped at a finding the unpatched code has too: that
            // says nothing, so explore on past it
            if options.firstFinding && row.after.failed && row.new.isEmpty && !options.absolute {
                row.after = SideOutcome(result: try explore(sc, api: patched.api, options: full))
            }
            report.rows.append(row)
        }
        // lockdep over the whole suite: dependencies of different scenarios
        // can close a cycle that no single scenario has
        let chains = { (rs: [ExplorationResult]) -> Set<String> in
            Set(Lockdep.cycles(Lockdep.merge(rs.map(\.lockDependencies))).map(\.chain))
        }
        let beforeChains = chains(report.rows.map(\.before.result))
        let rowChains = Set(report.rows.flatMap { $0.after.result.lockCycles.map(\.chain) })
        report.suiteCycles = Lockdep.cycles(Lockdep.merge(report.rows.map(\.after.result.lockDependencies)))
            .filter { !beforeChains.contains($0.chain) && !rowChains.contains($0.chain) }
        // regression-aware: only a finding the unpatched code did not have
        // makes the patch bad, unless every failing finding counts
        report.absolute = options.absolute
        var bad = !report.suiteCycles.isEmpty
            || (options.absolute ? report.rows.contains { $0.after.failed }
                                 : report.rows.contains { !$0.new.isEmpty })
        if options.fuzzTime > 0, !patches.isEmpty {
            log?("  generated worlds (\(options.fuzzTime) s) ...")
            let fm = FileManager.default
            let dir = try Scratch.make("generated")
            defer { try? fm.removeItem(at: dir) }
            let g = try generatedPhase(base: base.api, patched: patched.api, patches: patches, kernel: options.kernel,
                                       seconds: options.fuzzTime, execs: options.fuzzExecs, dir: dir, log: log)
            report.generatedExecs = g.execs
            report.generated = g.new
            // the new findings' replay files go where the user keeps them
            for i in report.generated.indices {
                guard let file = report.generated[i].finding.file else { continue }
                guard let keep = options.findingsDirectory else { report.generated[i].finding.file = nil; continue }
                try fm.createDirectory(at: keep, withIntermediateDirectories: true)
                let to = keep.appendingPathComponent((file as NSString).lastPathComponent)
                try? fm.removeItem(at: to)
                try fm.copyItem(at: URL(fileURLWithPath: file), to: to)
                report.generated[i].finding.file = to.path
            }
        }
        bad = bad || !report.generated.isEmpty
        report.verdict = bad ? .bad : .good
        let ran = report.rows.reduce(into: Set<String>()) { $0.formUnion($1.after.result.executedFunctions) }
        report.exercised = report.outcomes.flatMap(\.changed)
            .filter { $0.status == .runs && $0.function != nil }
            .map { ($0, ran.contains($0.function!)) }
        if !bad && report.notExercised {
            report.verdict = .untestable
            report.error = "not exercised: no explored schedule of " + (options.scenarios.map { $0.joined(separator: ", ") }
                ?? "any scenario") + " runs the changed code ("
                + report.exercised.map { "\($0.code.function!)()" }.joined(separator: ", ") + ")"
        }
        report.seconds = Date().timeIntervalSince(start)
        return report
    }

    /// Per patch: what it changes and whether the harness runs it, and
    /// every hunk that needed an offset or fuzz.
    public static func patchSummary(_ r: PatchCheckReport) -> String {
        var out = ""
        if let k = r.kernel {
            out += k
            if let n = r.realFunctions, let m = r.modelledFunctions { out += ": \(n) of \(m) modelled functions run its text" }
            out += "\n"
        }
        for n in r.notes { out += "note: \(n)\n" }
        for (i, o) in r.outcomes.enumerated() {
            out += "patch \(i + 1): \(o.patch.label)\n"
            for c in o.changed {
                out += "  \(c.text)"
                if !r.rows.isEmpty, let e = r.exercised.first(where: { $0.code == c }) {
                    out += e.ran ? " (ran)" : " (never ran in any explored schedule)"
                }
                out += "\n"
            }
            for h in o.hunkNotes { out += "  \(h.text)\n" }
        }
        return out
    }

    /// The verdict table as text: one row per scenario (short cells, the
    /// change by finding identity), then the new findings with their
    /// replay tokens.
    public static func table(_ r: PatchCheckReport) -> String {
        var out = patchSummary(r)
        if let e = r.error {
            out += "cannot test: \(e)\n"
        }
        if !r.rows.isEmpty {
            let head = ["scenario", "before", "after", "change"]
            let cells = r.rows.map { [$0.scenario, $0.before.cell, $0.after.cell, $0.change] }
            let widths = head.indices.map { i in ([head] + cells).map { $0[i].count }.max() ?? 0 }
            func fmt(_ row: [String]) -> String {
                row.enumerated().map { $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0) }
                    .joined(separator: "  ").trimmingCharacters(in: .whitespaces) + "\n"
            }
            out += fmt(head) + cells.map(fmt).joined()
            out += "findings: fixed \(r.fixedCount), new \(r.newCount), unchanged \(r.unchangedCount)"
                + " (same kind, function and message = the same finding)\n"
            for row in r.rows {
                for f in row.new {
                    out += "new in \(row.scenario): \(f.kind) at \(f.location) in \(f.function)(): \(f.message)\n"
                    if f.kind == "lockdep" {
                        for c in row.after.result.lockCycles where f.message.hasSuffix(c.chain) { out += c.report }
                        for v in row.after.result.lockOrderViolations where v.message == f.message { out += v.report }
                    } else {
                        out += "  replay: kharness replay \(f.token)\n"
                    }
                }
            }
            for c in r.suiteCycles {
                out += "new across scenarios: lockdep: possible circular locking dependency: \(c.chain)\n" + c.report
            }
            if r.generatedExecs > 0 {
                out += "generated worlds: \(r.generatedExecs) executions, \(r.generated.count) new finding\(r.generated.count == 1 ? "" : "s")\n"
            }
            for g in r.generated {
                out += "new in a generated world: \(g.finding.kind) at \(g.finding.location): \(g.finding.message)\n"
                out += "  replay: kharness replay \(g.finding.file ?? g.finding.token)\n"
            }
        }
        out += "verdict: \(r.verdictText)"
        if r.absolute { out += " (--absolute: every failing finding after the patches counts)" }
        out += String(format: " (%.1f s, build %.1f s)\n", r.seconds, r.buildSeconds)
        return out
    }
}

/// A finding of check-patch's generated-worlds phase that the unpatched
/// code does not show in the same world.
public struct GeneratedFinding: Sendable {
    public var finding: FuzzFindingSummary
    /// "kind in function(): message shape", as FoundFinding.identity.
    public var identity: String
}

extension PatchChecker {
    /// The generated-worlds phase: fuzz the patched build for `seconds`
    /// (random consistent worlds and task mixes, coverage-guided), then run
    /// each world that showed a failing finding on the unpatched build too;
    /// a finding the unpatched build does not show there is new.  Findings
    /// are saved as replay files under `dir` (world, tasks, schedule, code
    /// id, patch texts).
    static func generatedPhase(base: KernelAPI, patched: KernelAPI, patches: [PatchText], kernel: KernelTree?,
                               seconds: Double, execs: Int?, dir: URL,
                               log: ((String) -> Void)?) throws -> (execs: Int, new: [GeneratedFinding]) {
        var o = FuzzOptions()
        o.api = patched
        o.seed = 1
        o.jobs = 1
        o.timeLimit = seconds
        o.maxExecs = execs
        o.corpus = dir
        o.patches = patches.map { FuzzPatch(name: ($0.source as NSString).lastPathComponent, text: $0.text) }
        o.kernel = kernel?.root.path
        let summary = try Fuzzer(options: o).run()
        var out: [GeneratedFinding] = []
        for f in summary.findings {
            let shape = String(f.message.map { $0.isNumber ? "#" : $0 })
            let identity = "\(f.kind) in \(f.function ?? "?")(): \(shape)"
            guard let spec = f.spec else { continue }
            // the same world on the unpatched code: its schedule first, then
            // a short exploration of that world
            var before: Set<String> = []
            if let w = try? World(spec: spec, api: base), let s = try? Schedule(token: f.token) {
                try? w.set(.maxSteps, o.maxSteps)
                if (try? w.run(choices: s.choices)) != nil {
                    for x in w.findings { before.insert("\(x.kind) in \(x.function)(): " + String(x.message.map { $0.isNumber ? "#" : $0 })) }
                }
            }
            if !before.contains(identity) {
                let sc = Scenario(name: "generated", spec: spec)
                if let r = try? Explorer(sc, strategy: .dpor,
                                         options: ExploreOptions(timeLimit: 1, stopOnFirstFinding: false, jobs: 1),
                                         api: base).run() {
                    before.formUnion(r.findings.filter(\.failing).map(\.identity))
                }
            }
            if !before.contains(identity) {
                log?("  generated world: new \(f.kind) at \(f.location)")
                out.append(GeneratedFinding(finding: f, identity: identity))
            }
        }
        return (summary.execs, out)
    }
}
