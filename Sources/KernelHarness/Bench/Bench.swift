// SPDX-License-Identifier: GPL-2.0-only
//
// `kharness bench`: what one step, one schedule and one
// bug cost, measured in this process, medians over several runs, with the
// machine described.  Benchmarks print numbers; no test asserts a time.
// The fields of `BenchReport` are documented in docs/bench.md.
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

public struct BenchOptions: Sendable {
    /// Repetitions of every measurement (the report gives medians).
    public var runs: Int = 5
    /// A fast smoke run: small budgets, no patched stress builds.
    public var quick = false
    /// The pthread stress binary (nil: build/kshim-stress of the repository).
    public var stressBinary: String? = nil
    /// The repository's Patches/ (nil: next to the located CKernelShim/).
    public var patchesDirectory: String? = nil
    /// Measure a kernel tree's text (--kernel) instead of the built-in model.
    public var kernel: KernelTree? = nil

    public init(runs: Int = 5, quick: Bool = false) {
        self.runs = max(1, runs)
        self.quick = quick
    }

    /// Time a throughput cell keeps exploring (repeating small spaces).
    var cellSeconds: Double { quick ? 0.02 : 0.08 }
    /// DFS/DPOR throughput cells: at most this many schedules per exploration.
    var systematicBudget: Int { quick ? 300 : 2000 }
    /// Caps of a "first finding" cell.
    var findSchedules: Int { quick ? 2000 : 20000 }
    var findSeconds: Double { quick ? 0.5 : 2.0 }
    /// Caps of DFS when exhausting a scenario.
    var exhaustSchedules: Int { quick ? 3000 : 100_000 }
    var exhaustSeconds: Double { quick ? 0.3 : 2.0 }
    /// The --jobs comparison: schedules of the long exploration.
    var jobsSchedules: Int { quick ? 20000 : 100000 }
    /// Caps of DPOR exhausting a scenario of three tasks (one thread) and
    /// of four or more (two threads): the targets, so a row that
    /// is not exhausted is a target not met.  nil: these defaults.
    public var manyTaskSeconds: Double? = nil
    var threeTaskCap: Double { manyTaskSeconds ?? (quick ? 1 : 10) }
    var fourTaskCap: Double { manyTaskSeconds ?? (quick ? 2 : 300) }
}

/// Median of a non-empty list (mean of the middle two for an even count).
func median(_ xs: [Double]) -> Double {
    guard !xs.isEmpty else { return 0 }
    let s = xs.sorted()
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}

/// Peak resident set size of this process, in KiB (getrusage ru_maxrss).
public func peakRSSKiB() -> Int {
    var u = rusage()
    getrusage(RUSAGE_SELF.rawValue, &u)
    return Int(u.ru_maxrss)
}

/// CPU time of the calling thread, in seconds (what a step costs when
/// the machine is shared: wall time also counts the time others ran).
public func threadCPUSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// One measurement: what was done, in how much wall and CPU time.
public struct BenchSample: Sendable {
    public var schedules: Int
    public var steps: UInt64
    public var seconds: Double
    public var cpuSeconds: Double
}

/// Shared measuring code (also used by the opt-in Benchmarks tests).
public enum BenchMeasure {
    /// The bare coroutine round trip, wall and CPU ns (ksim_bench_roundtrip_ns).
    public static func roundtrip(api: KernelAPI = .builtin, iterations: Int) -> (ns: Double, cpuNs: Double) {
        let c0 = threadCPUSeconds()
        let ns = api.table.pointee.bench_roundtrip_ns!(iterations)
        return (ns, (threadCPUSeconds() - c0) * 1e9 / Double(iterations))
    }

    /// Explore repeatedly until `seconds` have passed (at least once) and
    /// sum what the explorations did: a throughput figure that small,
    /// quickly exhausted spaces do not turn into a measure of setup cost.
    /// With jobs 1 the explorer runs on the calling thread, so its CPU
    /// time is the thread's.
    public static func throughput(_ scenario: Scenario, _ strategy: Strategy, api: KernelAPI = .builtin,
                                  maxSchedules: Int?, seconds: Double, jobs: Int = 1) throws -> BenchSample {
        var sch = 0, steps: UInt64 = 0, secs = 0.0
        let c0 = threadCPUSeconds()
        repeat {
            let budget = strategy.isSystematic ? maxSchedules : nil
            let r = try Explorer(scenario, strategy: strategy, options: ExploreOptions(
                maxSchedules: budget, timeLimit: strategy.isSystematic ? nil : max(0.005, seconds - secs),
                stopOnFirstFinding: false, jobs: jobs), api: api).run()
            sch += r.schedules
            steps += r.steps
            secs += r.seconds
        } while secs < seconds
        return BenchSample(schedules: sch, steps: steps, seconds: secs, cpuSeconds: threadCPUSeconds() - c0)
    }

    /// Schedules per second of `threads` OS threads each running the C
    /// random loop on its own world for `seconds`: the machine's scaling
    /// with nothing shared.
    public static func independentLoops(_ scenario: Scenario, threads: Int, seconds: Double) throws -> Double {
        let worlds = try (0..<threads).map { _ in try scenario.makeWorld() }
        // runs per second summed over the threads, each timing itself
        // after a warm-up (first-touch of its stacks and arena)
        let rate = Atomic<Int>(0)
        let loop: (World) -> Void = { w in
            try? w.set(.trace, 0)
            try? w.set(.backtrace, 0)
            for i in 0..<256 { w.runRandom(seed: UInt64(i)) }
            let r = randomRuns(w, seconds: seconds)
            rate.add(Int(Double(r.runs) / r.seconds), ordering: .relaxed)
        }
        let group = DispatchGroup()
        for w in worlds {
            group.enter()
            let t = Thread { loop(w); group.leave() }
            t.start()
        }
        group.wait()
        return Double(rate.load(ordering: .relaxed))
    }

    /// The shim's own C loop (seeded random chooser, no Swift per step):
    /// what a step costs without the explorer; `direct: false` sends every
    /// step through the driver (the same choices, as before direct steps).
    public static func cLoop(_ scenario: Scenario, api: KernelAPI = .builtin, seconds: Double,
                             direct: Bool = true) throws -> BenchSample {
        let w = try scenario.makeWorld(api: api)
        try w.set(.trace, 0)
        try w.set(.backtrace, 0)
        try w.set(.direct, direct ? 1 : 0)
        let before = w.stats.totalSteps
        let c0 = threadCPUSeconds()
        let r = randomRuns(w, seconds: seconds)
        return BenchSample(schedules: r.runs, steps: w.stats.totalSteps - before, seconds: r.seconds,
                           cpuSeconds: threadCPUSeconds() - c0)
    }

    /// Seeded random runs (seeds 0, 1, ...) for at least `seconds` of wall time.
    static func randomRuns(_ w: World, seconds: Double) -> (runs: Int, seconds: Double) {
        let t0 = DispatchTime.now().uptimeNanoseconds
        var n = 0, secs = 0.0
        repeat {
            for _ in 0..<64 { w.runRandom(seed: UInt64(n)); n += 1 }
            secs = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
        } while secs < seconds
        return (n, secs)
    }
}

// MARK: - the report

public struct BenchReport: Codable, Sendable {
    public struct Machine: Codable, Sendable {
        public var cpu: String
        public var cores: Int
        public var loadAverageStart: [Double]
        public var loadAverageEnd: [Double]
        public var swift: String
        public var clang: String
        public var codeID: String
        public var os: String
    }

    /// One scenario under one strategy: throughput.
    public struct Throughput: Codable, Sendable {
        public var scenario: String
        public var strategy: String
        public var schedules: Int
        public var steps: UInt64
        public var seconds: Double
        /// Wall time per step.
        public var nsPerStep: Double
        /// CPU time of the exploring thread per step.
        public var cpuNsPerStep: Double
        public var schedulesPerSecond: Double
        /// Schedules per CPU second.
        public var cpuSchedulesPerSecond: Double
        /// cpuNsPerStep / roundtripCpuNs of the same run.
        public var roundtrips: Double
    }

    /// One known bug under one strategy: the first finding.
    public struct FirstFinding: Codable, Sendable {
        public var bug: String
        public var scenario: String
        public var patch: String?
        public var strategy: String
        public var found: Bool
        /// Runs (of `runs`) that found it within the caps.
        public var foundRuns: Int
        /// Medians over the runs that found it; nil when none did.
        public var schedules: Int?
        public var seconds: Double?
        /// Kind and location of the first failing finding (median run).
        public var finding: String?
        public var capSchedules: Int
        public var capSeconds: Double
    }

    /// Exhausting a scenario with DFS (capped) or DPOR.
    public struct Exhaust: Codable, Sendable {
        public var scenario: String
        public var strategy: String
        public var exhausted: Bool
        public var schedules: Int
        public var seconds: Double
        public var capSchedules: Int?
        public var capSeconds: Double?
    }

    /// DPOR exhausting a scenario of three or more tasks (capped): how
    /// many runs its sleep sets abandon.
    public struct ManyTask: Codable, Sendable {
        /// Registered name (" + 0001" for the seed fix's build).
        public var scenario: String
        public var patch: String?
        public var tasks: Int
        public var jobs: Int
        public var exhausted: Bool
        /// Complete schedules, and runs abandoned by the sleep sets
        /// (of the median run; the same in every run when exhausted).
        public var schedules: Int
        public var blocked: Int
        /// Runs DPOR cut short where the rest was covered (after a
        /// redundant wakeup sequence, or inside one whose next step's task
        /// sleeps; each would otherwise have gone on to end blocked).
        public var cut: Int
        /// blocked / (schedules + blocked).
        public var blockedFraction: Double
        /// Wall seconds (median of the runs; the cap when not exhausted).
        public var seconds: Double
        public var capSeconds: Double
        /// Runs measured (1 when the first did not exhaust).
        public var runs: Int
    }

    public struct Jobs: Codable, Sendable {
        public var scenario: String
        public var strategy: String
        public var schedules: Int
        public var jobs1SchedulesPerSecond: Double
        public var jobs2SchedulesPerSecond: Double
        public var ratio: Double
        /// What two threads get on this machine with nothing shared: the
        /// shim's C random loop on its own world per thread, two threads
        /// against one (absent when not measured).
        public var independentRatio: Double?
    }

    /// The pthread stress baseline on one known bug, for the same wall time.
    public struct Stress: Codable, Sendable {
        public var bug: String
        public var scenario: String
        public var patch: String?
        public var ran: Bool
        public var note: String?
        public var seconds: Double
        public var iterations: Int?
        public var iterationsPerSecond: Double?
        public var failingIterations: Int?
        public var firstFindingSeconds: Double?
        /// Fastest systematic strategy (median seconds to the first finding).
        public var systematicStrategy: String?
        public var systematicSeconds: Double?
        /// stress first-finding seconds / systematic seconds (nil: either did not find it).
        public var ratio: Double?
    }

    public struct Target: Codable, Sendable {
        public var name: String
        public var target: String
        public var measured: String
        public var met: Bool?
    }

    public var machine: Machine
    public var runs: Int
    public var quick: Bool
    public var roundtripNs: Double
    public var roundtripCpuNs: Double
    public var throughput: [Throughput]
    public var cLoop: [Throughput]
    /// The same loop with direct steps off (every step through the driver).
    public var cLoopDriver: [Throughput]
    public var seedFixSchedulesPerSecond: Double?
    public var seedFixCpuSchedulesPerSecond: Double?
    public var firstFindings: [FirstFinding]
    public var exhaust: [Exhaust]
    /// DPOR on the scenarios of three and more tasks.
    public var manyTask: [ManyTask] = []
    public var jobs: Jobs?
    public var stress: [Stress]
    public var stressBinary: String?
    public var peakRssKib: Int
    public var targets: [Target]
    public var notes: [String]
    public var wallSeconds: Double

    /// Name of the synthetic row of the throughput table (BenchRunner.stepLoop).
    public static let stepLoopName = "step-loop"

    public var json: String {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        enc.keyEncodingStrategy = .convertToSnakeCase
        enc.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return String(decoding: (try? enc.encode(self)) ?? Data("{}".utf8), as: UTF8.self)
    }
}

/// The known bugs the bench hunts.
public struct KnownBug: Sendable {
    public var name: String
    public var scenario: String
    /// Patch file name under Patches/ (nil: the unpatched code).
    public var patch: String?
    /// Finding kinds that count as this bug.
    public var kinds: [String]

    public static let all: [KnownBug] = [
        KnownBug(name: "seed BUG via migration", scenario: "seed-migrate-nonlinear", patch: nil, kinds: ["bug"]),
        KnownBug(name: "seed BUG via reclaim", scenario: "seed-reclaim-nonlinear", patch: nil, kinds: ["bug", "lock-owner"]),
        KnownBug(name: "lock_page() wrong fix (0004)", scenario: "seed-reclaim-nonlinear",
                 patch: "0004-WRONG-mm-mlock-sleep-on-the-page-lock-in-try_to_unmap_cluster.patch",
                 kinds: ["deadlock", "invalid-context"]),
        KnownBug(name: "__munlock_pagevec revert (0005)", scenario: "munlock-vs-unmap",
                 patch: "0005-REVERT-mm-munlock-fix-deadlock-in-__munlock_pagevec.patch", kinds: ["deadlock"]),
        KnownBug(name: "NR_MLOCK accounting race", scenario: "reclaim-vs-munlock", patch: nil, kinds: ["accounting"]),
    ]
}
