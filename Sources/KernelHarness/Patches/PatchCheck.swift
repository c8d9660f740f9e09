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
    /// Scenarios read from files (run as well; see ScenarioFile).  A
    /// scenario file a patch adds (scenarios/NAME.scenario) runs too.
    public var fileScenarios: [Scenario] = []
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
    /// Run the patched code in a worker process started from this
    /// executable (`kharness worker`); nil: in this process.
    public var worker: URL? = nil
    /// Sandbox the worker (no network, writes only to its scratch and the
    /// findings directory) when the machine allows it.
    public var sandbox = true
    /// Audit lock sets on both sides and report the protection changes of
    /// the fields the changed functions touch.
    public var audit = false
    /// Claims checked against the patched side's audit (implies `audit`):
    /// a broken one makes the patch bad.
    public var claims: [AuditClaim] = []
    /// Seconds a run of the patched code may go without a scheduling point
    /// before the worker's watchdog calls it a hang.
    public var hangSeconds: Double = 10
    /// Called with every world made on the patched build (in-process).
    public var observe: (@Sendable (World) -> Void)? = nil
    /// Every plain shared access a scheduling point, on both sides (the
    /// scenarios' explorations; the generated worlds do without).
    public var plainPoints = false

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
    /// Replay files of the new findings (by identity), when check-patch
    /// was given a findings directory.
    public var replayFiles: [String: String] = [:]
    /// Timelines of the new findings (by identity), drawn by the patched side.
    public var pictures: [String: FindingPicture] = [:]

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
    /// Each changed function the harness runs, and which of its changed
    /// lines ran in an explored schedule or a generated world.
    public var exercised: [Exercise] = []
    /// No changed function ran in any schedule: the scenarios never reach
    /// the patch, so "good" would mean nothing (the verdict is untestable).
    public var notExercised: Bool { !exercised.isEmpty && !exercised.contains { $0.ran } }
    /// The generated-worlds phase: executions run, and the findings new there.
    public var generatedExecs = 0
    /// Of them, the executions that stepped inside a changed function.
    public var generatedAimed = 0
    public var generated: [GeneratedFinding] = []
    /// Lock-order cycles only the generated worlds close, new with the patches.
    public var generatedCycles: [GeneratedCycle] = []
    /// The patched code ended, killed or hung the worker process.
    public var deaths: [WorkerDeath] = []
    /// What the patched code did to its process that did not end it and
    /// was contained: printed text (kept out of the report), fork() calls
    /// (each copy ended at once).  Notes, not findings: the exploration's
    /// results stand.
    public var sideEffects: [String] = []
    /// With --audit: per field accessed from inside a changed function,
    /// what those accesses always hold before and after.
    public var protection: [ProtectionChange] = []
    /// The claims, judged on the patched build.
    public var claims: [AuditReport.ClaimResult] = []
    /// The patched build's code id (tokens of its findings carry it).
    public var codeID: String?
}

/// Whether the changed code of one function ran.
public struct Exercise: Sendable {
    public var code: ChangedCode
    /// The changed lines that have code (nil: the line table was not
    /// available, or none of the changed lines has code of its own, as for
    /// a removed statement; then the function's entry counts).
    public var lines: [Int]?
    /// Those of them that ran (or [] / all when judged by the function).
    public var linesRan: [Int] = []
    /// Ran only in the generated worlds, in no explored schedule.
    public var onlyGenerated = false
    public var ran: Bool

    /// Every changed line with code ran.
    public var complete: Bool { ran && (lines.map { $0.count == linesRan.count } ?? true) }

    /// "ran", "lines 120,122 ran; 125 never ran", "never ran in any
    /// explored schedule or generated world"
    public var text: String {
        let whereRan = onlyGenerated ? " (in generated worlds only)" : ""
        guard ran else { return "never ran in any explored schedule or generated world" }
        guard let l = lines else { return "entered\(whereRan); no changed line has code of its own" }
        if complete { return "ran: \(l.count == 1 ? "line" : "lines") \(Exercise.ranges(l))\(whereRan)" }
        let not = l.filter { !linesRan.contains($0) }
        return "partly ran\(whereRan): \(linesRan.count == 1 ? "line" : "lines") \(Exercise.ranges(linesRan)) ran; "
            + "\(Exercise.ranges(not)) never ran"
    }

    /// "12-14,20"
    static func ranges(_ ls: [Int]) -> String {
        var parts: [String] = []
        var i = 0
        let s = ls.sorted()
        while i < s.count {
            var j = i
            while j + 1 < s.count && s[j + 1] == s[j] + 1 { j += 1 }
            parts.append(i == j ? "\(s[i])" : "\(s[i])-\(s[j])")
            i = j + 1
        }
        return parts.joined(separator: ",")
    }
}

public enum PatchChecker {
    /// For each changed function the harness runs: which of its changed
    /// lines ran, in the explored schedules and then the generated worlds.
    /// By line where the patched build's line table says which lines have
    /// code; by function entry otherwise.
    static func exercise(_ changed: [ChangedCode], library: String, blocks: [UInt64], explored: [ExplorationResult],
                         generated: (functions: Set<String>, blocks: BlockSet)) -> [Exercise] {
        let code = changed.filter { $0.status == .runs && $0.function != nil }
        guard !code.isEmpty else { return [] }
        var fnExplored: Set<String> = [], blExplored = BlockSet()
        for r in explored {
            fnExplored.formUnion(r.executedFunctions)
            blExplored.formUnion(r.executedBlocks)
        }
        var blAll = blExplored
        blAll.formUnion(generated.blocks)
        let fnAll = fnExplored.union(generated.functions)
        let table = LineCoverage.load(library: library, blockAddresses: blocks, files: Set(code.map(\.file)))
        return code.map { c in
            let f = c.function!
            if let t = table {
                let inExplored = t.lines(file: c.file, c.lineNumbers, ran: blExplored)
                let inAll = t.lines(file: c.file, c.lineNumbers, ran: blAll)
                if !inAll.code.isEmpty {
                    return Exercise(code: c, lines: inAll.code, linesRan: inAll.ran,
                                    onlyGenerated: inExplored.ran.isEmpty && !inAll.ran.isEmpty,
                                    ran: !inAll.ran.isEmpty)
                }
            }
            return Exercise(code: c, lines: nil, onlyGenerated: !fnExplored.contains(f) && fnAll.contains(f),
                            ran: fnAll.contains(f))
        }
    }

    /// Explore one scenario on one build: the chosen strategy, or DPOR
    /// until exhausted within the budget and PCT (depth 3) for the rest.
    public static func explore(_ scenario: Scenario, api: KernelAPI, options: PatchCheckOptions) throws -> ExplorationResult {
        var opts = ExploreOptions(timeLimit: options.timePerScenario, stopOnFirstFinding: options.firstFinding,
                                  jobs: options.jobs, strict: options.strict)
        opts.plainPoints = options.plainPoints
        opts.observe = options.observe
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
                                                 instrument: true, load: options.worker == nil)
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
        var names: [String]
        if let wanted = options.scenarios {
            for n in wanted where !known.contains(n) {
                throw HarnessError.notFound("unknown scenario '\(n)' (see 'kharness list')")
            }
            names = wanted
        } else {
            names = Scenario.suiteNames(api: base.api)
        }
        // scenario files: given, and added by the patches (both sides run
        // the file's spec: the unpatched code has no such scenario)
        var files: [String: Scenario] = [:]
        var added = options.fileScenarios
        for p in patches {
            for f in p.files where f.creates && ScenarioFile.isAddedScenario(f.path) {
                guard let data = ScenarioFile.createdContent(f.text) else { continue }
                added.append(try ScenarioFile.parse(data, path: "\(p.source): \(f.path)", api: base.api))
            }
        }
        for s in added where files[s.name] == nil {
            files[s.name] = s
            names.append(s.name)
        }
        func scenario(_ name: String, _ api: KernelAPI) throws -> Scenario {
            try files[name] ?? Scenario(registered: name, api: api)
        }
        var befores: [ExplorationResult] = []
        for name in names {
            log?("  \(name) (unpatched) ...")
            // the unpatched side is explored whole even with --first: a
            // finding is only new against all the findings it already has
            var full = options
            full.firstFinding = false
            full.observe = nil
            let before = try baseline[name]
                ?? explore(scenario(name, base.api), api: base.api, options: full)
            baseline[name] = before
            befores.append(before)
        }
        let fm = FileManager.default
        let scratch = try Scratch.make("patched")
        defer { try? fm.removeItem(at: scratch) }
        var q = PatchedSideRequest(
            library: patched.library, codeID: patched.codeID, baseLibrary: base.api.origin == "builtin" ? nil : base.api.origin,
            scenarios: names, strategy: options.strategy?.wire, time: options.timePerScenario,
            strict: options.strict, jobs: options.jobs, first: options.firstFinding, absolute: options.absolute,
            before: Dictionary(uniqueKeysWithValues: zip(names, befores.map { $0.findings.filter(\.failing).map(\.identity) })),
            beforeDependencies: befores.map(\.lockDependencies),
            fuzzTime: options.fuzzTime, fuzzExecs: options.fuzzExecs,
            patches: patches.map { FuzzPatch(name: ($0.source as NSString).lastPathComponent, text: $0.text) },
            kernel: options.kernel?.root.path,
            targets: Array(Set(report.outcomes.flatMap(\.changed).filter { $0.status == .runs }.compactMap(\.function))).sorted(),
            findingsDirectory: options.findingsDirectory?.path, scratch: scratch.path)
        q.hangSeconds = options.hangSeconds
        q.plainPoints = options.plainPoints
        q.audit = options.audit || !options.claims.isEmpty
        q.claims = options.claims
        if !files.isEmpty { q.specs = files.mapValues(\.spec) }
        let side: PatchedSideResult
        if let exe = options.worker {
            side = try WorkerProcess.patchedSide(q, executable: exe, sandbox: options.sandbox, log: log)
        } else {
            guard let api = patched.loadedAPI else { throw HarnessError.untestable("the patched build is not loaded") }
            var collected = PatchedSideResult()
            PatchedSide.run(q, patched: api, base: base.api, observe: options.observe, log: log) { collected.take($0) }
            side = collected
        }
        if let e = side.failure {
            report.error = e
            report.seconds = Date().timeIntervalSince(start)
            return report
        }
        for (i, name) in names.enumerated() {
            guard let after = side.after[name] else { continue }
            var row = PatchCheckRow(scenario: name, before: SideOutcome(result: befores[i]), after: SideOutcome(result: after))
            row.replayFiles = side.replayFiles[name] ?? [:]
            row.pictures = side.pictures[name] ?? [:]
            report.rows.append(row)
        }
        report.deaths = side.deaths
        if let after = side.audit { report.claims = after.claims }
        if options.audit, let after = side.audit {
            var ao = AuditOptions()
            ao.timePerScenario = options.timePerScenario
            ao.jobs = options.jobs
            let before = try Audit.run(scenarios: try names.map { try scenario($0, base.api) }, api: base.api, options: ao)
            let fns = report.outcomes.flatMap(\.changed).filter { $0.status == .runs }.compactMap(\.function)
            report.protection = ProtectionChange.compare(before: before, after: after, functions: fns)
        }
        report.sideEffects = side.output.map { "the patched code printed \($0) (kept out of the report)" }
        if side.strays > 0 {
            report.sideEffects.append("the patched code left \(side.strays) process\(side.strays == 1 ? "" : "es") running (killed when its worker ended)")
        }
        if side.forks > 0 {
            report.sideEffects.append("the patched code called fork() \(side.forks) time\(side.forks == 1 ? "" : "s") (no copy went on: refused by the sandbox, or ended at once)")
        }
        report.codeID = side.codeID
        // lockdep over the whole suite: dependencies of different scenarios
        // can close a cycle that no single scenario has
        report.suiteCycles = suiteCycles(before: befores.map(\.lockDependencies), after: report.rows.map(\.after.result))
        // regression-aware: only a finding the unpatched code did not have
        // makes the patch bad, unless every failing finding counts
        report.absolute = options.absolute
        var bad = !report.suiteCycles.isEmpty || !report.deaths.isEmpty || report.claims.contains { !$0.holds }
            || (options.absolute ? report.rows.contains { $0.after.failed }
                                 : report.rows.contains { !$0.new.isEmpty })
        if let g = side.generated {
            report.generatedExecs = g.execs
            report.generatedAimed = g.aimedExecs
            report.generated = g.new
            report.generatedCycles = g.cycles
        }
        bad = bad || !report.generated.isEmpty || !report.generatedCycles.isEmpty
        report.verdict = bad ? .bad : .good
        report.exercised = exercise(report.outcomes.flatMap(\.changed), library: patched.library,
                                    blocks: side.blocks, explored: report.rows.map(\.after.result),
                                    generated: (side.generated?.ranFunctions ?? [], side.generated?.ranBlocks ?? BlockSet()))
        if !bad && report.notExercised {
            report.verdict = .untestable
            report.error = "not exercised: no explored schedule of " + (options.scenarios.map { $0.joined(separator: ", ") }
                ?? "any scenario") + " runs the changed code ("
                + report.exercised.map { "\($0.code.function!)()" }.joined(separator: ", ") + ")"
        }
        report.seconds = Date().timeIntervalSince(start)
        return report
    }

    /// Lock-order cycles only the union of every scenario's dependencies
    /// (after the patches) closes: in no single scenario, and not in the
    /// unpatched suite's union.
    static func suiteCycles(before: [[LockDependency]], after: [ExplorationResult]) -> [LockCycle] {
        let beforeChains = Set(Lockdep.cycles(Lockdep.merge(before)).map(\.chain))
        let rowChains = Set(after.flatMap { $0.lockCycles.map(\.chain) })
        return Lockdep.cycles(Lockdep.merge(after.map(\.lockDependencies)))
            .filter { !beforeChains.contains($0.chain) && !rowChains.contains($0.chain) }
    }

    /// `path` relative to the working directory when it is inside it.
    static func shortPath(_ path: String) -> String {
        let cwd = FileManager.default.currentDirectoryPath
        return path.hasPrefix(cwd + "/") ? String(path.dropFirst(cwd.count + 1)) : path
    }

    /// Write each new finding of `row` that has a schedule as a replay
    /// file under `dir`: the scenario's world spec, the schedule (as a
    /// token of that spec world), the code id and the patch texts, so it
    /// replays on a machine without this cache.  Returns identity -> path.
    static func saveReplays(scenario: String, spec: String? = nil, new: [FoundFinding], api: KernelAPI,
                            patches: [FuzzPatch], kernel: String?, dir: URL) -> [String: String] {
        guard let spec = spec ?? api.scenario(named: scenario)?.spec else { return [:] }
        var out: [String: String] = [:]
        for f in new where !f.token.isEmpty {
            guard let s = try? Schedule(token: f.token), let w = try? World(spec: spec, api: api),
                  (try? w.run(choices: s.choices)) != nil,
                  let shown = w.findings.first(where: { $0.kind == f.kind && $0.function == f.function }) else { continue }
            let finding = FuzzFindingInfo(kind: f.kind, message: shown.message, location: shown.location,
                                          function: shown.function, task: shown.taskName, signature: shown.signature,
                                          originalToken: f.token, originalSteps: s.count, originalPreemptions: 0,
                                          originalTasks: w.taskCount, preemptions: 0, steps: s.count, report: shown.report)
            let rec = FuzzRecord(format: FuzzRecord.currentFormat, kind: "finding", input: nil, spec: spec,
                                 token: w.token, codeID: api.codeID, patches: patches,
                                 kernel: kernel, maxSteps: nil, finding: finding, execs: 0, seconds: 0)
            let url = dir.appendingPathComponent("\(scenario)-" + FuzzFiles.fileStem(signature: shown.signature) + ".json")
            do {
                try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
                try FuzzFiles.writeAtomically(rec.json, to: url)
                out[f.identity] = url.path
            } catch {
                continue
            }
        }
        return out
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
                if !r.rows.isEmpty, let e = r.exercised.first(where: { $0.code == c }) { out += " (\(e.text))" }
                out += "\n"
            }
            for h in o.hunkNotes { out += "  \(h.text)\n" }
        }
        return out
    }

    /// The verdict table as text: one row per scenario (short cells, the
    /// change by finding identity), then the new findings with their
    /// replay tokens.
    /// `width`: the columns to fit (nil: as wide as the rows need); when
    /// the table would be wider, each scenario gets a block of lines.
    public static func table(_ r: PatchCheckReport, width: Int? = nil) -> String {
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
            let wide = widths.reduce(0, +) + 2 * (widths.count - 1)
            if let width, wide > width {
                for c in cells {
                    out += Wrap.text("\(c[0]): \(c[3])", width: width)
                    out += Wrap.hanging("    before: ", c[1], width: width)
                    out += Wrap.hanging("    after:  ", c[2], width: width)
                }
            } else {
                out += fmt(head) + cells.map(fmt).joined()
            }
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
                        if let file = row.replayFiles[f.identity] { out += "  replay file: kharness replay \(shortPath(file))\n" }
                    }
                }
            }
            for d in r.deaths {
                out += "new in \(d.scenario ?? "the generated worlds"): \(d.kind == "hang" ? "hang" : "worker death"): \(d.message)\n"
                if let t = d.token, !t.isEmpty { out += "  the run it was in: kharness replay \(t)\n" }
                if !d.output.isEmpty {
                    out += "  the worker's last output:\n" + d.output.split(separator: "\n").map { "    \($0)\n" }.joined()
                }
            }
            for e in r.sideEffects { out += "note: \(e)\n" }
            for c in r.claims {
                if c.holds { out += "claim \(c.claim.text): holds (\(c.accesses) access sites)\n"; continue }
                out += "new: claim \(c.claim.text) is broken" + (c.accesses == 0 ? " (no access to the field)" : "") + "\n"
                for s in c.breaking.prefix(3) {
                    out += "  \(s.write ? "write" : "read") at \(s.location) in \(s.function)(), holding \(s.locks.isEmpty ? "no lock" : s.locks.joined(separator: " "))\n"
                    out += "  replay: kharness replay \(s.token)\n"
                }
            }
            if !r.protection.isEmpty {
                out += "protection (what every access of the field from inside the function holds):\n"
                func text(_ l: [String]?) -> String { l.map { $0.isEmpty ? "no lock" : $0.joined(separator: " ") } ?? "(no access)" }
                for c in r.protection {
                    guard c.changed else { out += "    \(c.field) from \(c.function)(): \(text(c.after))\n"; continue }
                    let gained = Set(c.after ?? []).subtracting(c.before ?? []).sorted()
                    let lost = Set(c.before ?? []).subtracting(c.after ?? []).sorted()
                    var what: [String] = []
                    if c.before == nil { what.append("new access") } else if c.after == nil { what.append("no access left") } else {
                        if !gained.isEmpty { what.append("gains " + gained.joined(separator: " ")) }
                        if !lost.isEmpty { what.append("loses " + lost.joined(separator: " ")) }
                    }
                    out += "  * \(c.field) from \(c.function)(): \(what.joined(separator: ", "))\n"
                    out += "      before: \(text(c.before))\n      after:  \(text(c.after))\n"
                }
            }
            for c in r.suiteCycles {
                out += "new across scenarios: lockdep: possible circular locking dependency: \(c.chain)\n" + c.report
            }
            if r.generatedExecs > 0 {
                let n = r.generated.count + r.generatedCycles.count
                out += "generated worlds: \(r.generatedExecs) executions (\(r.generatedAimed) stepped in changed code),"
                    + " \(n) new finding\(n == 1 ? "" : "s")\n"
            }
            for g in r.generatedCycles {
                out += "new in generated worlds: lockdep: possible circular locking dependency: \(g.cycle.chain)\n" + g.cycle.report
                if let spec = g.specs.first {
                    out += g.closedByOneWorld ? "  a world whose schedules close the cycle"
                                              : "  a world whose schedules take part of the cycle (none takes all of it)"
                    out += (g.specs.count > 1 ? " (\(g.specs.count - 1) more in the JSON)" : "") + ":\n"
                    out += spec.split(separator: "\n").map { "    \($0)\n" }.joined()
                    out += "  explore it: save these lines as FILE, then kharness run FILE --keep-going --patch PATCH\n"
                }
            }
            for g in r.generated {
                out += "new in a generated world: \(g.finding.kind) at \(g.finding.location): \(g.finding.message)\n"
                out += "  replay: kharness replay \(g.finding.file.map(shortPath) ?? g.finding.token)\n"
            }
        }
        out += "verdict: \(r.verdictText)"
        if r.absolute { out += " (--absolute: every failing finding after the patches counts)" }
        out += String(format: " (%.1f s, build %.1f s)\n", r.seconds, r.buildSeconds)
        return width.map { Wrap.fit(out, width: $0) } ?? out
    }
}

/// What the generated-worlds phase found and ran.
public struct GeneratedPhase: Sendable, Codable {
    public var execs: Int
    public var new: [GeneratedFinding] = []
    /// Executions whose run stepped inside a changed function.
    public var aimedExecs = 0
    public var ranFunctions: Set<String> = []
    public var ranBlocks = BlockSet()
    public var cycles: [GeneratedCycle] = []

    init(execs: Int) { self.execs = execs }
}

/// A lock-order cycle of the generated worlds, new with the patches, and
/// (up to three of) the worlds whose dependencies close it.
public struct GeneratedCycle: Sendable, Codable {
    public var cycle: LockCycle
    /// The worlds that take most of its edges first.
    public var specs: [String]
    /// The first world takes every edge of the cycle.
    public var closedByOneWorld: Bool
}

/// A finding of check-patch's generated-worlds phase that the unpatched
/// code does not show in the same world.
public struct GeneratedFinding: Sendable, Codable {
    public var finding: FuzzFindingSummary
    /// "kind in function(): message shape", as FoundFinding.identity.
    public var identity: String
    /// Its minimized run on its world, drawn by the worker.
    public var picture: FindingPicture? = nil
}

extension PatchChecker {
    /// The generated-worlds phase: fuzz the patched build for `seconds`
    /// (random consistent worlds and task mixes, coverage-guided), then run
    /// each world that showed a failing finding on the unpatched build too;
    /// a finding the unpatched build does not show there is new.  Findings
    /// are saved as replay files under `dir` (world, tasks, schedule, code
    /// id, patch texts).
    static func generatedPhase(base: KernelAPI, patched: KernelAPI, patches: [FuzzPatch], kernel: String?,
                               seconds: Double, execs: Int?, dir: URL, targets: Set<String> = [],
                               knownChains: Set<String> = [], baseDependencies: [LockDependency] = [],
                               observe: (@Sendable (World) -> Void)? = nil,
                               log: ((String) -> Void)?) throws -> GeneratedPhase {
        var o = FuzzOptions()
        o.api = patched
        o.seed = 1
        o.jobs = 1
        o.timeLimit = seconds
        o.maxExecs = execs
        o.corpus = dir
        o.patches = patches
        o.kernel = kernel
        o.targets = targets
        o.observe = observe
        o.harvest = true
        let fuzzer = Fuzzer(options: o)
        let summary = try fuzzer.run()
        var phase = GeneratedPhase(execs: summary.execs)
        phase.aimedExecs = fuzzer.aimedExecs
        phase.ranFunctions = fuzzer.ranFunctions
        phase.ranBlocks = fuzzer.ranBlocks
        phase.cycles = try newCycles(fuzzer.worldDependencies, base: base, known: knownChains,
                                     baseDependencies: baseDependencies)
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
        phase.new = out
        return phase
    }

    /// Lock-order cycles the generated worlds' dependencies close (with the
    /// patched build) that are not already known: not among `known` chains
    /// (the fixed scenarios' ones), and not closed by the unpatched build's
    /// dependencies in the same worlds (each world that contributed an edge
    /// is explored briefly on it) together with `baseDependencies`.
    static func newCycles(_ worlds: [(spec: String, deps: [LockDependency])], base: KernelAPI,
                          known: Set<String>, baseDependencies: [LockDependency]) throws -> [GeneratedCycle] {
        let all = Lockdep.merge(worlds.map(\.deps))
        let found = Lockdep.cycles(all).filter { !known.contains($0.chain) }
        guard !found.isEmpty else { return [] }
        var out: [GeneratedCycle] = []
        var baseDeps: [[LockDependency]] = [baseDependencies]
        var explored: Set<String> = []
        for c in found {
            // the worlds that take the cycle's edges, those with the most
            // of them first (a world with all of them closes it alone)
            let pairs = Set(c.edges.map { "\($0.from)>\($0.to)" })
            var ranked: [(spec: String, edges: Int)] = []
            for w in worlds {
                let n = Set(w.deps.map { "\($0.from)>\($0.to)" }).intersection(pairs).count
                if n > 0 { ranked.append((w.spec, n)) }
            }
            ranked.sort { a, b in a.edges != b.edges ? a.edges > b.edges : a.spec < b.spec }
            let specs = ranked.map { $0.spec }
            let alone = ranked.first?.edges == pairs.count
            // the same worlds on the unpatched code
            for spec in specs.prefix(8) where explored.insert(spec).inserted {
                let sc = Scenario(name: "generated", spec: spec)
                if let r = try? Explorer(sc, strategy: .dpor,
                                         options: ExploreOptions(timeLimit: 0.5, stopOnFirstFinding: false, jobs: 1),
                                         api: base).run() {
                    baseDeps.append(r.lockDependencies)
                }
            }
            let before = Set(Lockdep.cycles(Lockdep.merge(baseDeps)).map(\.chain))
            if !before.contains(c.chain) {
                out.append(GeneratedCycle(cycle: c, specs: Array(specs.prefix(3)), closedByOneWorld: alone))
            }
        }
        return out
    }
}
