// SPDX-License-Identifier: GPL-2.0-only
//
// Coverage-guided fuzzing of schedules: random mm worlds x task mixes x
// random/PCT schedules.  An input that reaches a new feature goes to the
// corpus and gets mutated; features are the kernel file:line pairs the run
// executed (with the outcome of tests and trylocks), and ordered pairs of
// conflicting operations of different tasks on one object (which operation
// of which task came first).  Each distinct finding (kind + location) is
// reduced (tasks dropped), its schedule minimized, and saved as a replayable
// record.  With one job the sequence of inputs and findings depends only on
// the seed (and the corpus it resumes from).
import Foundation
import CKernelShim

public struct FuzzOptions: Sendable {
    public var seed: UInt64 = 1
    public var jobs: Int = 1
    /// Stop after this many executions (deterministic budgets for tests).
    public var maxExecs: Int?
    /// Stop after this many seconds.
    public var timeLimit: Double?
    /// Corpus directory (queue/ and findings/); nil: keep nothing on disk.
    public var corpus: URL?
    public var api: KernelAPI = .builtin
    /// The patches `api` was built with (saved inline in every record).
    public var patches: [FuzzPatch] = []
    /// The kernel tree `api` took its text from (saved in every record).
    public var kernel: String? = nil
    /// Runs the schedule minimizer may spend per finding.
    public var minimizeBudget: Int = 1000
    /// Livelock budget per run.
    public var maxSteps: Int = 20_000
    /// Fraction of executions that start from a fresh random input.
    public var freshRate: Double = 0.15
    /// Stop once a new finding satisfies this (tests: stop at the bug they look for).
    public var stopWhen: (@Sendable (FuzzFindingSummary) -> Bool)? = nil
    /// Kernel functions to aim at (check-patch: the ones a patch changes):
    /// an input whose run steps inside one of them is mutated more often.
    public var targets: Set<String> = []
    /// Called with every world the fuzzer makes (a worker's watchdog).
    public var observe: (@Sendable (World) -> Void)? = nil
    /// Gather what the worlds ran and their lock-class dependencies
    /// (check-patch's generated phase; see Fuzzer.harvest).
    public var harvest = false
    /// Inputs to start from besides the corpus (scenario files, see
    /// FuzzInput(scenario:)).
    public var seeds: [FuzzInput] = []

    public init() {}
}

public struct FuzzFindingSummary: Codable, Sendable, Hashable {
    public var kind: String
    public var location: String
    public var message: String
    public var signature: String
    /// Execution (1-based) and seconds at which it was first seen.
    public var execs: Int
    public var seconds: Double
    public var token: String
    public var preemptions: Int
    public var originalPreemptions: Int
    public var steps: Int
    public var originalSteps: Int
    public var tasks: Int
    public var originalTasks: Int
    public var file: String?
    /// The (reduced) world the finding was shown in, and its kernel function.
    public var spec: String? = nil
    public var function: String? = nil

    enum CodingKeys: String, CodingKey {
        case kind, location, message, signature, execs, seconds, token, preemptions, steps, tasks, file, spec, function
        case originalPreemptions = "original_preemptions", originalSteps = "original_steps"
        case originalTasks = "original_tasks"
    }
}

public struct FuzzSample: Codable, Sendable, Hashable {
    public var seconds: Double
    public var execs: Int
    public var coverage: Int
    public var findings: Int
}

/// What a fuzz session reports (`kharness fuzz --json`).
public struct FuzzSummary: Codable, Sendable {
    public var seed: UInt64
    public var jobs: Int
    public var codeID: String
    public var execs = 0
    public var seconds = 0.0
    public var execsPerSecond = 0.0
    /// Distinct features (locations with outcomes + conflict pairs).
    public var coverage = 0
    /// Distinct kernel file:line pairs executed.
    public var locations = 0
    /// Distinct ordered pairs of conflicting operations of different tasks.
    public var conflictPairs = 0
    public var corpus = 0
    /// Inputs loaded from --corpus.
    public var resumed = 0
    /// Inputs made from scenario files (--seed-corpus).
    public var seeded = 0
    /// Findings already in --corpus (not reported again).
    public var knownFindings: [String] = []
    public var findings: [FuzzFindingSummary] = []
    /// Specs the world builder rejected: bugs of the generator.
    public var rejects = 0
    public var rejectMessages: [String] = []
    /// Corpus files that could not be loaded (reported and skipped).
    public var malformed: [String] = []
    /// Runs whose only findings were stranded pages (tolerated, not reported).
    public var tolerated = 0
    public var interrupted = false
    /// FNV-1a over every executed input (spec and schedule), in execution
    /// order: equal for equal seeds with one job.
    public var inputsDigest = ""
    public var samples: [FuzzSample] = []

    enum CodingKeys: String, CodingKey {
        case seed, jobs, execs, seconds, coverage, locations, corpus, resumed, seeded, findings, rejects
        case malformed, tolerated, interrupted, samples
        case codeID = "code_id", execsPerSecond = "execs_per_second", conflictPairs = "conflict_pairs"
        case knownFindings = "known_findings", rejectMessages = "reject_messages"
        case inputsDigest = "inputs_digest"
    }

    public var json: String {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        return String(decoding: (try? enc.encode(self)) ?? Data(), as: UTF8.self)
    }
}

public struct FuzzProgress: Sendable {
    public var execs: Int
    public var seconds: Double
    public var coverage: Int
    public var corpus: Int
    public var findings: Int
}

public final class Fuzzer: @unchecked Sendable {
    public let options: FuzzOptions
    /// Called about twice a second (for a live line).
    public var onProgress: ((FuzzProgress) -> Void)?
    /// Called for each message worth a line on stderr (new finding, skipped file).
    public var onMessage: ((String) -> Void)?
    /// How worker threads are started (tests make it fail).
    public var threadSpawn: WorkerThreads.Spawn = WorkerThreads.pthreadSpawn

    private let lock = NSLock()
    private var features = Set<UInt64>()
    private var locations = Set<UInt64>()
    private var pairs = Set<UInt64>()
    private var corpus: [FuzzInput] = []
    /// Corpus inputs whose run stepped inside a target function.
    private var aimed: [FuzzInput] = []
    /// Functions and blocks the worlds ran, and each world's lock-class
    /// dependencies (with `harvest`).
    public private(set) var ranFunctions: Set<String> = []
    public private(set) var ranBlocks = BlockSet()
    public private(set) var worldDependencies: [(spec: String, deps: [LockDependency])] = []
    /// Executions whose run stepped inside a target function.
    public private(set) var aimedExecs = 0
    private var corpusKeys = Set<UInt64>()
    private var known = Set<String>()
    private var summary: FuzzSummary
    private var execs = 0
    private var digest: UInt64 = 1469598103934665603
    private var stopNow = false
    private var started: UInt64 = 0

    /// The queue's shared patches file (see FuzzRecord.patchesFile).
    private var patchesRef: String?

    public init(options: FuzzOptions) {
        self.options = options
        summary = FuzzSummary(seed: options.seed, jobs: max(1, options.jobs), codeID: options.api.codeID)
    }

    var elapsed: Double { Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9 }

    private func say(_ s: String) { onMessage?(s) }

    // MARK: corpus directory

    var queueDir: URL? { options.corpus?.appendingPathComponent("queue") }
    var findingsDir: URL? { options.corpus?.appendingPathComponent("findings") }

    /// Load saved inputs and known findings; malformed files are reported by
    /// name and skipped.
    func loadCorpus(_ worker: Worker) throws {
        guard let q = queueDir, let fdir = findingsDir else { return }
        for d in [q, fdir] {
            do { try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true) } catch {
                throw HarnessError.badInput("cannot create corpus directory \(d.path): \(error.localizedDescription)")
            }
        }
        for url in FuzzFiles.list(fdir) {
            do {
                let r = try FuzzRecord.load(path: url.path)
                // a finding of another build says nothing about this one
                guard let f = r.finding, r.codeID == options.api.codeID else { continue }
                known.insert(f.signature)
                summary.knownFindings.append(f.signature)
            } catch {
                summary.malformed.append(url.path)
                say("skipping malformed corpus file \(url.path): \(error)")
            }
        }
        for url in FuzzFiles.list(q) {
            do {
                let r = try FuzzRecord.load(path: url.path)
                guard let input = r.input else {
                    throw HarnessError.badInput("\(url.path): a queue record without 'input'")
                }
                guard FuzzGen.valid(input.tasks, in: input.world) else {
                    throw HarnessError.badInput("\(url.path): its tasks do not fit its world")
                }
                guard let res = worker.execute(input) else {
                    throw HarnessError.badInput("\(url.path): the world builder rejects its spec")
                }
                let key = FuzzFiles.hash(input.spec + "\(input.schedule)")
                if !corpusKeys.contains(key) {
                    corpusKeys.insert(key)
                    corpus.append(input)
                    merge(res.features)
                    summary.resumed += 1
                }
            } catch {
                summary.malformed.append(url.path)
                say("skipping malformed corpus file \(url.path): \(error)")
            }
        }
    }

    /// Add features; how many were new.  Caller holds the lock (or is alone).
    @discardableResult
    func merge(_ fs: [UInt64]) -> Int {
        var n = 0
        for f in fs where features.insert(f).inserted {
            n += 1
            switch f >> 62 {
            case 1: locations.insert(f & ~1)
            case 2: pairs.insert(f)
            default: break
            }
        }
        return n
    }

    func sample() -> FuzzSample {
        FuzzSample(seconds: (elapsed * 1000).rounded() / 1000, execs: execs, coverage: features.count,
                   findings: summary.findings.count)
    }

    // MARK: running

    /// Fuzz until the budget is spent or `shouldStop` says so (checked
    /// between executions: a signal handler sets it).
    public func run(shouldStop: @escaping @Sendable () -> Bool = { false }) throws -> FuzzSummary {
        started = DispatchTime.now().uptimeNanoseconds
        let jobs = max(1, options.jobs)
        let workers = (0..<jobs).map { Worker(fuzzer: self, index: $0) }
        try loadCorpus(workers[0])
        for input in options.seeds {
            let key = FuzzFiles.hash(input.spec + "\(input.schedule)")
            guard !corpusKeys.contains(key), let res = workers[0].execute(input) else { continue }
            corpusKeys.insert(key)
            corpus.append(input)
            merge(res.features)
            summary.seeded += 1
        }
        if let q = queueDir, !options.patches.isEmpty {
            let enc = JSONEncoder()
            enc.outputFormatting = [.sortedKeys]
            let d = try enc.encode(options.patches)
            let name = String(format: "patches-%016llx.patches", FuzzFiles.hash(String(decoding: d, as: UTF8.self)))
            try FuzzFiles.writeAtomically(d, to: q.appendingPathComponent(name))
            patchesRef = name
        }
        summary.samples.append(sample())
        let deadline = options.timeLimit.map { Limits.deadline(after: $0, from: started) }
        let stopped = { () -> Bool in
            if shouldStop() || self.lock.withLock({ self.stopNow }) { return true }
            if let d = deadline, DispatchTime.now().uptimeNanoseconds >= d { return true }
            return false
        }

        let progressDone = DispatchSemaphore(value: 0)
        let ticker = Thread { [self] in
            while progressDone.wait(timeout: .now() + .milliseconds(500)) == .timedOut {
                let p: FuzzProgress = lock.withLock {
                    summary.samples.append(sample())
                    return FuzzProgress(execs: execs, seconds: elapsed, coverage: features.count,
                                        corpus: corpus.count, findings: summary.findings.count)
                }
                onProgress?(p)
            }
        }
        ticker.start()
        if jobs == 1 {
            workers[0].loop(stopped)
            workers[0].harvestAll()
        } else {
            do {
                try WorkerThreads.run(jobs, stop: { self.lock.withLock { self.stopNow = true } },
                                      spawn: threadSpawn) {
                    workers[$0].loop(stopped)
                    workers[$0].harvestAll()
                }
            } catch {
                progressDone.signal()
                throw error
            }
        }
        progressDone.signal()
        return lock.withLock {
            summary.interrupted = shouldStop()
            summary.execs = execs
            summary.seconds = (elapsed * 1000).rounded() / 1000
            summary.execsPerSecond = summary.seconds > 0 ? (Double(execs) / summary.seconds).rounded() : 0
            summary.coverage = features.count
            summary.locations = locations.count
            summary.conflictPairs = pairs.count
            summary.corpus = corpus.count
            summary.inputsDigest = String(format: "%016llx", digest)
            summary.samples.append(sample())
            return summary
        }
    }

    /// Claim the next execution number, or nil when the budget is spent.
    func claim() -> Int? {
        lock.withLock {
            if let m = options.maxExecs, execs >= m { return nil }
            execs += 1
            return execs
        }
    }

    func pickCorpus(_ gen: inout FuzzGen) -> FuzzInput? {
        lock.withLock {
            // aimed inputs get most of the mutations once there are any
            if !aimed.isEmpty && gen.chance(0.75) { return aimed[gen.int(0...(aimed.count - 1))] }
            return corpus.isEmpty ? nil : corpus[gen.int(0...(corpus.count - 1))]
        }
    }

    /// Fold a world's coverage and dependencies in before it is dropped.
    /// Naming the functions a world entered costs a symbol lookup each, so
    /// it is done only for a world that ran a block no world ran before (a
    /// function entered means its first block ran).
    func harvest(_ spec: String, _ w: World) {
        guard options.harvest else { return }
        let b = w.executedBlocks, d = w.lockDependencies
        let fresh = lock.withLock { () -> Bool in
            var u = ranBlocks
            u.formUnion(b)
            return u != ranBlocks || b.words.isEmpty
        }
        let f = fresh ? w.executedFunctions : []
        lock.withLock {
            ranFunctions.formUnion(f)
            ranBlocks.formUnion(b)
            if !d.isEmpty { worldDependencies.append((spec, d)) }
        }
    }

    /// Fold one execution's outcome into the shared state; returns the
    /// signatures this worker must minimize and save.
    func record(_ input: FuzzInput, _ res: ExecResult, exec: Int) -> [Finding] {
        var save: FuzzRecord? = nil
        var fresh: [Finding] = []
        lock.withLock {
            for b in (input.spec + "\(input.schedule)").utf8 { digest = (digest ^ UInt64(b)) &* 1099511628211 }
            if res.aimed { aimedExecs += 1 }
            if merge(res.features) > 0 {
                let key = FuzzFiles.hash(input.spec + "\(input.schedule)")
                if corpusKeys.insert(key).inserted {
                    corpus.append(input)
                    if res.aimed { aimed.append(input) }
                    save = FuzzRecord(format: FuzzRecord.currentFormat, kind: "input", input: input,
                                      spec: input.spec, token: res.token, codeID: options.api.codeID,
                                      patches: patchesRef == nil ? options.patches : [],
                                      kernel: options.kernel, maxSteps: options.maxSteps,
                                      finding: nil, execs: exec,
                                      seconds: (elapsed * 1000).rounded() / 1000)
                    save?.patchesFile = patchesRef
                }
            }
            if res.toleratedOnly { summary.tolerated += 1 }
            for f in res.failing where !known.contains(f.signature) {
                known.insert(f.signature)
                fresh.append(f)
            }
        }
        if let save, let q = queueDir {
            let name = String(format: "input-%016llx.json", FuzzFiles.hash(save.spec + "\(input.schedule)"))
            do { try FuzzFiles.writeAtomically(save.json, to: q.appendingPathComponent(name)) } catch {
                say("cannot save corpus input: \(error)")
            }
        }
        return fresh
    }

    func reject(_ message: String) {
        lock.withLock {
            summary.rejects += 1
            if summary.rejectMessages.count < 10 { summary.rejectMessages.append(message) }
        }
    }

    func found(_ s: FuzzFindingSummary) {
        lock.withLock {
            summary.findings.append(s)
            summary.samples.append(sample())
            if let stop = options.stopWhen, stop(s) { stopNow = true }
        }
        say("new finding: \(s.kind) at \(s.location) after \(s.execs) executions, \(String(format: "%.2f", s.seconds))s: \(s.message)"
            + (s.file.map { " (saved as \($0))" } ?? ""))
    }
}

/// The outcome of one execution.
struct ExecResult {
    var features: [UInt64]
    var token: String
    /// Findings worth reporting (all but stranded pages).
    var failing: [Finding]
    var toleratedOnly: Bool
    /// The run stepped inside a target function.
    var aimed = false
}

/// One worker: its own RNG, world cache and minimizer; never shares a world.
final class Worker {
    unowned let fuzzer: Fuzzer
    let index: Int
    var gen: FuzzGen
    var worlds: [String: (world: World, pctSteps: Int)] = [:]
    var fileIDs: [UnsafeRawPointer: UInt64] = [:]
    var fileNames: [String: UInt64] = [:]
    var last: [UInt64: (task: Int32, loc: UInt64, write: Bool)] = [:]

    init(fuzzer: Fuzzer, index: Int) {
        self.fuzzer = fuzzer
        self.index = index
        gen = FuzzGen(seed: SplitMix64.derive(fuzzer.options.seed, index))
    }

    func loop(_ stopped: () -> Bool) {
        while !stopped(), let exec = fuzzer.claim() {
            let input: FuzzInput
            if gen.chance(fuzzer.options.freshRate) {
                input = gen.input()
            } else if let base = fuzzer.pickCorpus(&gen) {
                input = gen.mutate(base)
            } else {
                input = gen.input()
            }
            guard let res = execute(input) else { continue }
            for f in fuzzer.record(input, res, exec: exec) {
                report(f, input: input, token: res.token, exec: exec)
            }
        }
    }

    func world(for spec: String) -> (world: World, pctSteps: Int)? {
        if let w = worlds[spec] { return w }
        let w: World
        do {
            w = try World(spec: spec, api: fuzzer.options.api)
            fuzzer.options.observe?(w)
            try w.set(.trace, 1)
            try w.set(.backtrace, 0)
            try w.set(.maxSteps, fuzzer.options.maxSteps)
        } catch {
            fuzzer.reject("\(error)")
            return nil
        }
        w.runRoundRobin()
        let k = max(1, Int(w.stats.steps))
        if worlds.count >= 48 { harvestAll() }
        worlds[spec] = (w, k)
        return (w, k)
    }

    /// Hand every cached world's coverage to the fuzzer and drop them.
    func harvestAll() {
        // in spec order: what is gathered must not depend on hashing
        for spec in worlds.keys.sorted() { fuzzer.harvest(spec, worlds[spec]!.world) }
        worlds.removeAll()
    }

    /// Run one input's schedule; nil when the builder rejects its spec.
    func execute(_ input: FuzzInput) -> ExecResult? {
        guard let (w, k) = world(for: input.spec) else { return nil }
        run(w, input.schedule, pctSteps: k)
        let fs = w.findingCount > 0 ? w.findings : []
        // every kind is reported, WARN_ON included; stranded pages are
        // tolerated by design (reclaim repairs them) and only counted
        let failing = fs.filter { $0.kind != "stranded" }
        var aimed = false
        var feats = features(w, aimed: &aimed)
        for f in fs { feats.append(3 << 62 | (FuzzFiles.hash(f.signature) >> 2)) }
        return ExecResult(features: feats, token: w.token, failing: failing,
                          toleratedOnly: !fs.isEmpty && failing.isEmpty, aimed: aimed)
    }

    func run(_ w: World, _ s: FuzzSchedule, pctSteps k: Int) {
        if s.kind == "random" {
            w.runRandom(seed: s.seed)
            return
        }
        w.runPCT(seed: s.seed, depth: s.depth, steps: k)
    }

    /// Interned id of a source file name (by content, stable across runs).
    @inline(__always) func fileID(_ p: UnsafePointer<CChar>?) -> UInt64 {
        guard let p else { return 0 }
        let raw = UnsafeRawPointer(p)
        if let id = fileIDs[raw] { return id }
        let name = String(cString: p)
        let id = fileNames[name] ?? (FuzzFiles.hash(name) & 0xFFFF_FFFF)
        fileNames[name] = id
        fileIDs[raw] = id
        return id
    }

    /// Interned target test of a function name pointer.
    var targetIDs: [UnsafeRawPointer: Bool] = [:]
    @inline(__always) func isTarget(_ p: UnsafePointer<CChar>?) -> Bool {
        guard let p, !fuzzer.options.targets.isEmpty else { return false }
        let raw = UnsafeRawPointer(p)
        if let t = targetIDs[raw] { return t }
        let t = fuzzer.options.targets.contains(String(cString: p))
        targetIDs[raw] = t
        return t
    }

    /// Features of the run just finished, read straight from the trace;
    /// `aimed` is set when a step was inside a target function.
    func features(_ w: World, aimed: inout Bool) -> [UInt64] {
        let c = w.api.table.pointee
        let n = c.event_count!(w.w)
        var out: [UInt64] = []
        out.reserveCapacity(n * 2)
        last.removeAll(keepingCapacity: true)
        var ev = ksim_event()
        for i in 0..<n {
            guard c.event_get!(w.w, i, &ev) == 0 else { continue }
            let loc = (fileID(ev.op.file) << 20) | UInt64(UInt32(truncatingIfNeeded: ev.op.line) & 0xFFFFF)
            out.append(1 << 62 | loc << 1 | (ev.result != 0 ? 1 : 0))
            if !aimed && isTarget(ev.op.function) { aimed = true }
            let obj = ev.op.object
            guard obj != 0 else { continue }
            let write = ev.op.write != 0 || Access.isLockKind(ev.op.kind)
            if let prev = last[obj], prev.task != ev.task, prev.write || write {
                var h = prev.loc &* 0x9E37_79B9_7F4A_7C15
                h ^= loc &+ 0x632B_E59B_D9B4_E019
                h = (h ^ (h >> 29)) &* 0xBF58_476D_1CE4_E5B9
                out.append(2 << 62 | (h >> 2))
            }
            last[obj] = (ev.task, loc, write)
        }
        return out
    }

    // MARK: findings

    /// Does `input` (with a few schedules) still show `signature`?  Returns the token.
    func shows(_ input: FuzzInput, _ signature: String, tries: Int) -> String? {
        guard let (w, k) = world(for: input.spec) else { return nil }
        var sched = input.schedule
        for t in 0..<tries {
            if t > 0 {
                sched.seed = SplitMix64.derive(input.schedule.seed, t)
                sched.kind = t % 2 == 0 ? "random" : "pct"
                sched.depth = 1 + t % 3
            }
            run(w, sched, pctSteps: k)
            if w.findingCount > 0, w.findings.contains(where: { $0.signature == signature }) { return w.token }
        }
        return nil
    }

    /// The schedule `token` without task `i`'s steps, on the input without
    /// task i: the token when it still shows `signature`.
    func projected(_ input: FuzzInput, dropping i: Int, from token: String, _ signature: String) -> String? {
        guard let (w, _) = world(for: input.spec), let s = try? Schedule(token: token) else { return nil }
        let choices = s.choices.filter { Int($0) != i }.map { Int($0) > i ? $0 - 1 : $0 }
        guard (try? w.run(choices: choices)) != nil, w.findingCount > 0,
              w.findings.contains(where: { $0.signature == signature }) else { return nil }
        return w.token
    }

    /// Reduce the input (drop tasks), minimize the schedule, save, announce.
    func report(_ f: Finding, input: FuzzInput, token: String, exec: Int) {
        let opts = fuzzer.options
        let seconds = (fuzzer.elapsed * 1000).rounded() / 1000
        var best = input
        var bestToken = token
        var shrunk = true
        while shrunk && best.tasks.count > 1 {
            shrunk = false
            for i in best.tasks.indices {
                var cand = best
                cand.tasks.remove(at: i)
                if let t = projected(cand, dropping: i, from: bestToken, f.signature)
                    ?? shows(cand, f.signature, tries: 24) {
                    best = cand
                    bestToken = t
                    shrunk = true
                    break
                }
            }
        }
        var tokenOut = bestToken
        var info = FuzzFindingInfo(kind: f.kind, message: f.message, location: f.location,
                                   function: f.function, task: f.taskName, signature: f.signature,
                                   originalToken: token, originalSteps: 0, originalPreemptions: 0,
                                   originalTasks: input.tasks.count, preemptions: 0, steps: 0, report: f.report)
        do {
            let w = try World(spec: best.spec, api: opts.api)
            try w.set(.maxSteps, opts.maxSteps)
            try w.set(.backtrace, 0)
            let m = try Minimizer(world: w, budget: opts.minimizeBudget)
                .minimize(try Schedule(token: bestToken), signature: f.signature)
            tokenOut = m.schedule.token
            info.preemptions = m.preemptions
            info.steps = m.steps
            info.originalPreemptions = m.originalPreemptions
            info.originalSteps = m.originalSteps
            // the kernel-style report, with call chains, of the minimized run
            let r = try World(spec: best.spec, api: opts.api)
            try r.set(.maxSteps, opts.maxSteps)
            try r.run(m.schedule)
            if let full = r.findings.first(where: { $0.signature == f.signature }) {
                info.report = full.report
                info.message = full.message
                info.task = full.taskName
            }
        } catch {
            fuzzer.onMessage?("could not minimize \(f.signature): \(error)")
        }
        var file: String? = nil
        if let dir = fuzzer.findingsDir {
            let rec = FuzzRecord(format: FuzzRecord.currentFormat, kind: "finding", input: best, spec: best.spec,
                                 token: tokenOut, codeID: opts.api.codeID, patches: opts.patches,
                                 kernel: opts.kernel, maxSteps: opts.maxSteps, finding: info, execs: exec, seconds: seconds)
            let url = dir.appendingPathComponent(FuzzFiles.fileStem(signature: f.signature) + ".json")
            do {
                try FuzzFiles.writeAtomically(rec.json, to: url)
                file = url.path
            } catch {
                fuzzer.onMessage?("cannot save finding: \(error)")
            }
        }
        fuzzer.found(FuzzFindingSummary(
            kind: f.kind, location: f.location, message: info.message, signature: f.signature, execs: exec,
            seconds: seconds, token: tokenOut, preemptions: info.preemptions,
            originalPreemptions: info.originalPreemptions, steps: info.steps,
            originalSteps: info.originalSteps, tasks: best.tasks.count, originalTasks: input.tasks.count,
            file: file, spec: best.spec, function: info.function))
    }
}
