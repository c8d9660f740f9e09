// SPDX-License-Identifier: GPL-2.0-only
//
// Runs every measurement of `kharness bench` and folds them into a
// `BenchReport` (medians over `BenchOptions.runs`).
import Foundation
import CKernelShim

public final class BenchRunner {
    public let options: BenchOptions
    /// Progress lines (stderr in the CLI).
    public var log: (String) -> Void = { _ in }
    let api: KernelAPI
    var notes: [String] = []
    var variants: [String: KernelAPI] = [:]
    let repo: URL?

    /// Throws when the --kernel tree's text does not build.
    public init(options: BenchOptions) throws {
        self.options = options
        self.repo = (try? ShimSource.locate())?.deletingLastPathComponent()
        self.api = options.kernel == nil ? KernelAPI.builtin : try KernelBuild.base(kernel: options.kernel).0.api
    }

    /// Two tasks of 500 scheduling points that touch nothing: the cost of a
    /// step with no kernel work, and with the cost of a run (reset, end
    /// checks, state hash) spread over 1000 steps.
    public static let stepLoop = Scenario(name: BenchReport.stepLoopName, model: "toy",
                                          tasks: [TaskSpec("a", "points 500"), TaskSpec("b", "points 500")])

    public static func label(_ s: Strategy) -> String {
        switch s {
        case .pct(_, let d): return "pct d=\(d)"
        case .dfs(let b?): return "dfs p<=\(b)"
        default: return s.name
        }
    }

    static func reseed(_ s: Strategy, _ run: Int) -> Strategy {
        switch s {
        case .random(let seed): return .random(seed: seed &+ UInt64(run))
        case .pct(let seed, let d): return .pct(seed: seed &+ UInt64(run), depth: d)
        default: return s
        }
    }

    var patchesDir: URL? {
        if let p = options.patchesDirectory { return URL(fileURLWithPath: p) }
        return repo?.appendingPathComponent("Patches")
    }

    /// The API of a patched build (built once, cached by VariantBuilder).
    func api(patch: String?) throws -> KernelAPI {
        guard let patch else { return api }
        if let a = variants[patch] { return a }
        guard let dir = patchesDir else { throw HarnessError.untestable("cannot find Patches/") }
        log("building the variant with \(patch)")
        let v = try VariantBuilder.build(patches: [dir.appendingPathComponent(patch).path], kernel: options.kernel)
        variants[patch] = v.api
        return v.api
    }

    // MARK: machine

    static func firstLine(_ exe: String, _ args: [String]) -> String {
        guard let r = try? runCommand(exe, args), r.status == 0 else { return "unavailable" }
        return r.output.split(separator: "\n").first.map(String.init) ?? "unavailable"
    }

    static func loadAverage() -> [Double] {
        let s = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? ""
        return s.split(separator: " ").prefix(3).compactMap { Double($0) }
    }

    static func machine(codeID: String) -> BenchReport.Machine {
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let cpu = cpuinfo.split(separator: "\n").first { $0.hasPrefix("model name") }
            .map { $0.split(separator: ":", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) } ?? "" } ?? "unknown"
        var uts = utsname()
        uname(&uts)
        let sys = withUnsafeBytes(of: &uts.sysname) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
        let rel = withUnsafeBytes(of: &uts.release) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
        let mach = withUnsafeBytes(of: &uts.machine) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
        return BenchReport.Machine(
            cpu: cpu, cores: ProcessInfo.processInfo.activeProcessorCount,
            loadAverageStart: loadAverage(), loadAverageEnd: [],
            swift: firstLine("swift", ["--version"]),
            clang: firstLine(VariantBuilder.compiler, ["--version"]),
            codeID: codeID, os: "\(sys) \(rel) \(mach)")
    }

    // MARK: the whole bench

    public func run() throws -> BenchReport {
        let started = DispatchTime.now().uptimeNanoseconds
        let o = options
        var report = BenchReport(
            machine: BenchRunner.machine(codeID: api.codeID), runs: o.runs, quick: o.quick, roundtripNs: 0,
            roundtripCpuNs: 0, throughput: [], cLoop: [], cLoopDriver: [], seedFixSchedulesPerSecond: nil, seedFixCpuSchedulesPerSecond: nil, firstFindings: [], exhaust: [],
            jobs: nil, stress: [], stressBinary: nil, peakRssKib: 0, targets: [], notes: [], wallSeconds: 0)

        log("bare coroutine round trip")
        let rts = (0..<o.runs).map { _ in BenchMeasure.roundtrip(api: api, iterations: o.quick ? 200_000 : 1_000_000) }
        report.roundtripNs = median(rts.map(\.ns))
        report.roundtripCpuNs = median(rts.map(\.cpuNs))

        let scenarios = Scenario.all(api: api)
        log("throughput: \(scenarios.count + 1) scenarios x 4 strategies")
        let strategies: [Strategy] = [.random(seed: 1), .pct(seed: 1, depth: 3), .dfs(preemptionBound: nil), .dpor]
        for s in [BenchRunner.stepLoop] + scenarios {
            let c = try (0..<o.runs).map { _ in try BenchMeasure.cLoop(s, api: api, seconds: o.cellSeconds / 2) }
            report.cLoop.append(row(s.name, "C random", c, report.roundtripCpuNs))
            let d = try (0..<o.runs).map { _ in
                try BenchMeasure.cLoop(s, api: api, seconds: o.cellSeconds / 2, direct: false)
            }
            report.cLoopDriver.append(row(s.name, "C random, driver", d, report.roundtripCpuNs))
            for st in strategies {
                let m = try (0..<o.runs).map { run in
                    try BenchMeasure.throughput(s, BenchRunner.reseed(st, run), api: api,
                                                maxSchedules: o.systematicBudget, seconds: o.cellSeconds)
                }
                report.throughput.append(row(s.name, BenchRunner.label(st), m, report.roundtripCpuNs))
            }
        }

        log("seed-reclaim-nonlinear with Patches/0001: schedules/s")
        do {
            let a = try api(patch: "0001-mm-mlock-fix-BUG_ON-unlocked-page-for-nonlinear-VMAs.patch")
            let s = try Scenario(registered: "seed-reclaim-nonlinear", api: a)
            let m = try (0..<o.runs).map { run in
                try BenchMeasure.throughput(s, .random(seed: 1 &+ UInt64(run)), api: a, maxSchedules: nil,
                                            seconds: o.quick ? 0.2 : 1.0)
            }
            report.seedFixSchedulesPerSecond = median(m.map { Double($0.schedules) / $0.seconds })
            report.seedFixCpuSchedulesPerSecond = median(m.map { Double($0.schedules) / $0.cpuSeconds })
        } catch {
            notes.append("seed fix throughput not measured: \(error)")
        }

        log("known bugs: first finding per strategy")
        let hunters: [Strategy] = [.random(seed: 1), .pct(seed: 1, depth: 2), .pct(seed: 1, depth: 3),
                                   .dfs(preemptionBound: nil), .dpor]
        for bug in KnownBug.all {
            let a: KernelAPI
            do { a = try api(patch: bug.patch) } catch {
                notes.append("\(bug.name): variant not built: \(error)")
                continue
            }
            let s = try Scenario(registered: bug.scenario, api: a)
            for st in hunters { report.firstFindings.append(try firstFinding(bug, s, st, api: a)) }
        }

        log("exhausting the two-task scenarios (DFS capped, DPOR)")
        for s in scenarios where taskCount(s) == 2 {
            for st: Strategy in [.dfs(preemptionBound: nil), .dpor] {
                report.exhaust.append(try exhaust(s, st))
            }
        }

        log("DPOR on the scenarios of three and more tasks (blocked runs, time to exhaust)")
        report.manyTask = try manyTask(scenarios)

        log("--jobs 2 vs --jobs 1")
        report.jobs = try jobsRatio()

        log("pthread stress baseline")
        stress(&report)

        report.peakRssKib = peakRSSKiB()
        report.machine.loadAverageEnd = BenchRunner.loadAverage()
        report.targets = targets(report)
        notes.append("a 60 s fuzz run's memory is measured outside the bench (kharness fuzz), not here")
        report.notes = notes
        report.wallSeconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        return report
    }

    func row(_ scenario: String, _ strategy: String, _ m: [BenchSample], _ rtCPU: Double) -> BenchReport.Throughput {
        let ns = median(m.map { $0.steps > 0 ? $0.seconds * 1e9 / Double($0.steps) : 0 })
        let cpu = median(m.map { $0.steps > 0 ? $0.cpuSeconds * 1e9 / Double($0.steps) : 0 })
        let sps = median(m.map { $0.seconds > 0 ? Double($0.schedules) / $0.seconds : 0 })
        let cps = median(m.map { $0.cpuSeconds > 0 ? Double($0.schedules) / $0.cpuSeconds : 0 })
        let mid = m.sorted { $0.seconds < $1.seconds }[m.count / 2]
        return BenchReport.Throughput(scenario: scenario, strategy: strategy, schedules: mid.schedules,
                                      steps: mid.steps, seconds: mid.seconds, nsPerStep: ns, cpuNsPerStep: cpu,
                                      schedulesPerSecond: sps, cpuSchedulesPerSecond: cps,
                                      roundtrips: rtCPU > 0 ? cpu / rtCPU : 0)
    }

    func firstFinding(_ bug: KnownBug, _ s: Scenario, _ st: Strategy, api a: KernelAPI) throws -> BenchReport.FirstFinding {
        let o = options
        var hits: [(schedules: Int, seconds: Double, finding: String)] = []
        var runsDone = 0
        for run in 0..<o.runs {
            let r = try Explorer(s, strategy: BenchRunner.reseed(st, run), options: ExploreOptions(
                maxSchedules: o.findSchedules, timeLimit: o.findSeconds, stopOnFirstFinding: true, jobs: 1),
                api: a).run()
            runsDone += 1
            if let f = r.firstFailure, bug.kinds.contains(f.kind) {
                hits.append((r.schedules, r.seconds, "\(f.kind)@\(f.location)"))
            } else if let f = r.firstFailure {
                notes.append("\(bug.name), \(BenchRunner.label(st)): first failure is \(f.kind)@\(f.location), not the bug")
            }
            // systematic strategies are deterministic: one miss is every miss
            if hits.isEmpty && (st.isSystematic || run == 0) { break }
        }
        let sortedHits = hits.sorted { $0.seconds < $1.seconds }
        return BenchReport.FirstFinding(
            bug: bug.name, scenario: bug.scenario, patch: bug.patch.map { String($0.prefix(4)) },
            strategy: BenchRunner.label(st), found: !hits.isEmpty, foundRuns: hits.count,
            schedules: hits.isEmpty ? nil : Int(median(hits.map { Double($0.schedules) })),
            seconds: hits.isEmpty ? nil : median(hits.map(\.seconds)),
            finding: sortedHits.isEmpty ? nil : sortedHits[sortedHits.count / 2].finding,
            capSchedules: o.findSchedules, capSeconds: o.findSeconds)
    }

    func exhaust(_ s: Scenario, _ st: Strategy) throws -> BenchReport.Exhaust {
        let o = options
        let capped = st != .dpor
        var secs: [Double] = []
        var last: ExplorationResult? = nil
        for _ in 0..<o.runs {
            let r = try Explorer(s, strategy: st, options: ExploreOptions(
                maxSchedules: capped ? o.exhaustSchedules : nil, timeLimit: capped ? o.exhaustSeconds : nil,
                stopOnFirstFinding: false, jobs: 1), api: api).run()
            secs.append(r.seconds)
            last = r
            if !r.exhausted { break }   // capped: the cap is the answer
        }
        return BenchReport.Exhaust(scenario: s.name, strategy: BenchRunner.label(st), exhausted: last!.exhausted,
                                   schedules: last!.schedules, seconds: median(secs),
                                   capSchedules: capped ? o.exhaustSchedules : nil,
                                   capSeconds: capped ? o.exhaustSeconds : nil)
    }

    /// Tasks of a scenario's world (nil: it does not build).  Not inlined:
    /// Swift 6.3.1's optimizer (CopyPropagation) crashes on run() with a
    /// world made inside its loops.
    @inline(never)
    func taskCount(_ s: Scenario) -> Int? {
        (try? s.makeWorld(api: api))?.taskCount
    }

    /// DPOR (keep going) on every registered mm scenario of three or more
    /// tasks, and on the seed's ones with Patches/0001 too (without it the
    /// BUG ends most runs early): --jobs 1 for three tasks, --jobs 2 for
    /// more, capped at the targets' times.  Median over up to 3 runs when
    /// the first exhausts; one run when it does not (the cap is the answer).
    @inline(never)
    func manyTask(_ scenarios: [Scenario]) throws -> [BenchReport.ManyTask] {
        let o = options
        let fix = "0001-mm-mlock-fix-BUG_ON-unlocked-page-for-nonlinear-VMAs.patch"
        var rows: [BenchReport.ManyTask] = []
        for s in scenarios where s.model == "mm" {
            guard let tasks = taskCount(s), tasks >= 3 else { continue }
            var builds: [(String?, KernelAPI, Scenario)] = [(nil, api, s)]
            if s.name.hasPrefix("seed-") {
                do {
                    let a = try self.api(patch: fix)
                    builds.append(("0001", a, try Scenario(registered: s.name, api: a)))
                } catch {
                    notes.append("\(s.name) + 0001 not measured: \(error)")
                }
            }
            for (patch, a, sc) in builds {
                let jobs = tasks >= 4 ? 2 : 1
                let cap = tasks >= 4 ? o.fourTaskCap : o.threeTaskCap
                log("  \(sc.name)\(patch.map { " + \($0)" } ?? ""): \(tasks) tasks, --jobs \(jobs), at most \(BenchReport.f(cap, 0)) s")
                var secs: [Double] = []
                var results: [ExplorationResult] = []
                for _ in 0..<min(o.runs, 3) {
                    let r = try Explorer(sc, strategy: .dpor, options: ExploreOptions(
                        timeLimit: cap, stopOnFirstFinding: false, jobs: jobs), api: a).run()
                    secs.append(r.seconds)
                    results.append(r)
                    if !r.exhausted { break }
                }
                let mid = results.sorted { $0.seconds < $1.seconds }[results.count / 2]
                let all = mid.schedules + mid.blocked
                rows.append(BenchReport.ManyTask(
                    scenario: sc.name + (patch.map { " + \($0)" } ?? ""), patch: patch, tasks: tasks, jobs: jobs,
                    exhausted: results.allSatisfy(\.exhausted), schedules: mid.schedules, blocked: mid.blocked, cut: mid.cut,
                    blockedFraction: all > 0 ? Double(mid.blocked) / Double(all) : 0,
                    seconds: median(secs), capSeconds: cap, runs: results.count))
            }
        }
        return rows
    }

    func jobsRatio() throws -> BenchReport.Jobs {
        let o = options
        let s = try Scenario(registered: "reclaim-vs-cow", api: api)
        var sps: [Int: [Double]] = [1: [], 2: []]
        for run in 0..<min(o.runs, 3) {
            for j in [1, 2] {
                let r = try Explorer(s, strategy: .random(seed: 1 &+ UInt64(run)), options: ExploreOptions(
                    maxSchedules: o.jobsSchedules, stopOnFirstFinding: false, jobs: j), api: api).run()
                sps[j]!.append(Double(r.schedules) / r.seconds)
            }
        }
        let a = median(sps[1]!), b = median(sps[2]!)
        // the same work with nothing shared, for what this machine allows
        var ind: [Double] = []
        for _ in 0..<min(o.runs, 3) {
            let one = try BenchMeasure.independentLoops(s, threads: 1, seconds: o.quick ? 0.1 : 0.3)
            let two = try BenchMeasure.independentLoops(s, threads: 2, seconds: o.quick ? 0.1 : 0.3)
            if one > 0 { ind.append(two / one) }
        }
        return BenchReport.Jobs(scenario: s.name, strategy: "random", schedules: o.jobsSchedules,
                                jobs1SchedulesPerSecond: a, jobs2SchedulesPerSecond: b, ratio: a > 0 ? b / a : 0,
                                independentRatio: ind.isEmpty ? nil : median(ind))
    }

    // MARK: stress baseline

    /// build/kshim-stress, or for a patch a stress build of the patched tree
    /// (cached next to the variants; built only when not --quick).
    func stressBinary(patch: String?) -> (String?, String?) {
        let base = options.stressBinary ?? repo.map { $0.appendingPathComponent("build/kshim-stress").path }
        guard let base, FileManager.default.isExecutableFile(atPath: base) else {
            return (nil, "no stress binary (\(options.stressBinary ?? "build/kshim-stress"); run make stress)")
        }
        guard let patch else { return (base, nil) }
        guard let repo, let dir = patchesDir else { return (nil, "cannot find the repository") }
        let fm = FileManager.default
        let shim = repo.appendingPathComponent("CKernelShim")
        let patchFile = dir.appendingPathComponent(patch)
        guard let data = fm.contents(atPath: patchFile.path),
              let key = try? VariantBuilder.key(shim: shim, patchData: [data, Data("stress".utf8)]) else {
            return (nil, "cannot read \(patch)")
        }
        let cached = VariantBuilder.cacheDirectory.appendingPathComponent("stress-\(key)/kshim-stress")
        if fm.isExecutableFile(atPath: cached.path) { return (cached.path, nil) }
        if options.quick { return (nil, "patched stress build not cached (skipped with --quick)") }
        log("building the stress binary with \(patch)")
        let scratch = fm.temporaryDirectory.appendingPathComponent(Scratch.name("stress"))
        defer { try? fm.removeItem(at: scratch) }
        do {
            Scratch.sweepOnce(fm.temporaryDirectory)
            try fm.createDirectory(at: scratch, withIntermediateDirectories: true)
            let tree = scratch.appendingPathComponent("CKernelShim")
            try fm.copyItem(at: shim, to: tree)
            let p = try runCommand("patch", ["-p1", "--batch", "--forward", "--no-backup-if-mismatch",
                                             "-d", tree.path, "-i", patchFile.path])
            guard p.status == 0 else { return (nil, "\(patch) does not apply") }
            let b = scratch.appendingPathComponent("build")
            let m = try runCommand("make", ["-s", "-j2", "-f", repo.appendingPathComponent("mk/stress.mk").path,
                                            "SRC_DIR=\(tree.path)", "BUILD=\(b.path)", "stress"], cwd: scratch)
            guard m.status == 0 else { return (nil, "stress build with \(patch) failed: \(m.output.suffix(300))") }
            try fm.createDirectory(at: cached.deletingLastPathComponent(), withIntermediateDirectories: true)
            _ = try? fm.removeItem(at: cached)
            try fm.moveItem(at: b.appendingPathComponent("kshim-stress"), to: cached)
            return (cached.path, nil)
        } catch {
            return (nil, "stress build with \(patch): \(error)")
        }
    }

    func stress(_ report: inout BenchReport) {
        let o = options
        let secs = o.findSeconds
        report.stressBinary = stressBinary(patch: nil).0
        for bug in KnownBug.all {
            let sys = report.firstFindings.filter { $0.bug == bug.name && $0.found }
                .min { ($0.seconds ?? .infinity) < ($1.seconds ?? .infinity) }
            var row = BenchReport.Stress(bug: bug.name, scenario: bug.scenario,
                                         patch: bug.patch.map { String($0.prefix(4)) }, ran: false, note: nil,
                                         seconds: secs, systematicStrategy: sys?.strategy,
                                         systematicSeconds: sys?.seconds)
            let (bin, why) = stressBinary(patch: bug.patch)
            guard let bin else { row.note = why; report.stress.append(row); continue }
            var firsts: [Double] = [], iters: [Double] = [], rates: [Double] = [], failing: [Double] = []
            for _ in 0..<min(o.runs, 3) {
                guard let r = try? runCommand(bin, [bug.scenario, "--seconds", String(secs), "--json"]),
                      r.status == 0 || r.status == 1,
                      let start = r.output.firstIndex(of: "{"),
                      let obj = try? JSONSerialization.jsonObject(with: Data(r.output[start...].utf8)) as? [String: Any]
                else { row.note = "stress run failed"; continue }
                row.ran = true
                iters.append((obj["iterations"] as? NSNumber)?.doubleValue ?? 0)
                rates.append((obj["iterations_per_second"] as? NSNumber)?.doubleValue ?? 0)
                failing.append((obj["failing_iterations"] as? NSNumber)?.doubleValue ?? 0)
                let fs = (obj["findings"] as? [[String: Any]]) ?? []
                let mine = fs.filter { bug.kinds.contains(($0["kind"] as? String) ?? "") }
                    .compactMap { ($0["first_seconds"] as? NSNumber)?.doubleValue }
                if let m = mine.min() { firsts.append(m) }
            }
            if row.ran {
                row.iterations = Int(median(iters))
                row.iterationsPerSecond = median(rates)
                row.failingIterations = Int(median(failing))
                if !firsts.isEmpty {
                    row.firstFindingSeconds = median(firsts)
                    if let s = sys?.seconds, s > 0 { row.ratio = median(firsts) / s }
                }
            }
            report.stress.append(row)
        }
    }

    // MARK: targets

    func targets(_ r: BenchReport) -> [BenchReport.Target] {
        var out: [BenchReport.Target] = []
        let loop = r.throughput.filter { $0.scenario == BenchReport.stepLoopName }
        if let rnd = loop.first(where: { $0.strategy == "random" }), let pct = loop.first(where: { $0.strategy.hasPrefix("pct") }),
           let dfs = loop.first(where: { $0.strategy == "dfs" }) {
            out.append(.init(name: "harness ns/step vs bare round trip (step-loop)", target: "<= 3x",
                             measured: String(format: "CPU time: random %.1fx, pct %.1fx, dfs %.1fx (shim choosers, direct steps)",
                                              rnd.roundtrips, pct.roundtrips, dfs.roundtrips)
                                 + (loop.first(where: { $0.strategy == "dpor" }).map {
                                     String(format: "; dpor %.1fx (steps from Swift, with its race analysis)", $0.roundtrips)
                                 } ?? "")
                                 + String(format: "; round trip %.1f ns CPU, %.1f ns wall", r.roundtripCpuNs, r.roundtripNs),
                             met: max(rnd.roundtrips, pct.roundtrips, dfs.roundtrips) <= 3))
        }
        let mm = r.throughput.filter { $0.strategy == "random" && $0.scenario != BenchReport.stepLoopName }.map(\.roundtrips)
        if !mm.isEmpty {
            out.append(.init(name: "ns/step incl. kernel work vs round trip (random)", target: "-",
                             measured: String(format: "median %.1fx, worst %.1fx over the registered scenarios", median(mm), mm.max()!),
                             met: nil))
        }
        if let s = r.seedFixSchedulesPerSecond, let c = r.seedFixCpuSchedulesPerSecond {
            out.append(.init(name: "seed-reclaim-nonlinear + 0001, schedules/s per core", target: ">= 100000",
                             measured: String(format: "%.0f per CPU second (%.0f per wall second)", c, s), met: c >= 100_000))
        }
        let dpor = r.exhaust.filter { $0.strategy == "dpor" }
        if !dpor.isEmpty {
            let worst = dpor.max { $0.seconds < $1.seconds }!
            let all = dpor.allSatisfy(\.exhausted)
            out.append(.init(name: "DPOR exhausts every two-task scenario", target: "< 1 s each",
                             measured: String(format: "worst %.3f s", worst.seconds)
                                 + " (\(worst.scenario))" + (all ? "" : ", not all exhausted"),
                             met: all && worst.seconds < 1))
        }
        let three = r.manyTask.filter { $0.tasks == 3 }
        if !three.isEmpty {
            let worst = three.max { ($0.exhausted ? $0.seconds : .infinity) < ($1.exhausted ? $1.seconds : .infinity) }!
            let missed = three.filter { !$0.exhausted }
            out.append(.init(name: "DPOR exhausts every three-task scenario, --jobs 1", target: "< 10 s each",
                             measured: missed.isEmpty ? String(format: "worst %.2f s (\(worst.scenario))", worst.seconds)
                                 : "\(missed.count) of \(three.count) not exhausted in "
                                 + BenchReport.f(missed[0].capSeconds, 0) + " s ("
                                 + missed.map(\.scenario).joined(separator: ", ") + ")",
                             met: missed.isEmpty && worst.seconds < 10))
        }
        for f in r.manyTask where f.tasks >= 4 {
            out.append(.init(name: "DPOR exhausts \(f.scenario) (\(f.tasks) tasks), --jobs \(f.jobs)", target: "< 300 s",
                             measured: f.exhausted ? String(format: "%.1f s", f.seconds)
                                 : "not exhausted in \(BenchReport.f(f.capSeconds, 0)) s (\(f.schedules) schedules)",
                             met: f.exhausted && f.seconds < 300))
        }
        if !r.manyTask.isEmpty {
            let worst = r.manyTask.max { $0.blockedFraction < $1.blockedFraction }!
            out.append(.init(name: "sleep-set-blocked runs (DPOR, 3+ tasks)", target: "0",
                             measured: String(format: "worst %.1f%% of runs (\(worst.scenario))", worst.blockedFraction * 100),
                             met: r.manyTask.allSatisfy { $0.blocked == 0 }))
        }
        if let j = r.jobs {
            out.append(.init(name: "--jobs 2 vs --jobs 1", target: ">= 1.8x",
                             measured: String(format: "%.2fx", j.ratio)
                                 + (j.independentRatio.map { String(format: "; two threads sharing nothing reach %.2fx here", $0) } ?? "")
                                 + " (load "
                                 + r.machine.loadAverageStart.map { String(format: "%.2f", $0) }.joined(separator: " ") + ")",
                             met: j.ratio >= 1.8))
        }
        out.append(.init(name: "no memory growth over a 60 s fuzz run", target: "flat RSS",
                         measured: "not measured by bench", met: nil))
        return out
    }
}
