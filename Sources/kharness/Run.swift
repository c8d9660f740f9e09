// SPDX-License-Identifier: GPL-2.0-only
import ArgumentParser
import Foundation
import KernelHarness

enum StrategyName: String, ExpressibleByArgument, CaseIterable {
    case replay, random, pct, dfs, dpor
}

/// The strategies of commands that explore (check-patch): no replay.
enum ExploreStrategyName: String, ExpressibleByArgument, CaseIterable {
    case dpor, pct, random, dfs
}

extension Kharness {
    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Explore a scenario's schedules; exit 0: no finding, 1: finding, 2: bad input.",
            discussion: """
                Strategies: dpor (default; one schedule per Mazurkiewicz trace, exhaustive), \
                dfs (every schedule, optionally up to --preemptions K), random and pct \
                (--seed, --max-schedules or --time), replay (--schedule TOKEN). \
                --json prints one JSON object (docs/json-schema.md).
                """)

        @Argument(help: "Scenario name (see 'kharness list'), or a scenario file (NAME.scenario, or a world spec as check-patch prints for generated worlds).",
                  completion: .custom { _ in KernelAPI.builtin.scenarios.map(\.name) })
        var scenario: String

        @Option(help: "Default: dpor, or replay with --schedule.")
        var strategy: StrategyName?

        @Option(help: "Replay this schedule token.")
        var schedule: String?

        @Option(help: "Seed of the random and PCT strategies.")
        var seed: UInt64 = 1

        @Option(name: .customLong("max-schedules"), help: "Stop after N schedules.")
        var maxSchedules: Int?

        @Option(help: "Stop after this many seconds.")
        var time: Double?

        @Option(help: "DFS: at most K preemptions per schedule.")
        var preemptions: Int?

        @Option(help: "PCT depth d (1...17).")
        var depth: Int = 3

        @Option(help: "Worker threads (default: all cores); results do not depend on it.")
        var jobs: Int?

        @Option(help: "Explore only share I of N (1-based), e.g. --shard 2/4; merge the JSON with 'kharness merge'.")
        var shard: String?

        @Flag(help: "Print one JSON object on stdout.")
        var json = false

        @Option(help: "How to print the result: text, mail (a reply for linux-mm, at most 72 columns), markdown, json (as --json), junit (JUnit XML).")
        var format: ReportFormat?

        @Option(help: "Write a self-contained HTML report (table, report, swimlanes of the failing run) to FILE.")
        var html: String?

        @Option(help: "Write an SVG swimlane picture of the (minimized) failing schedule to FILE.")
        var svg: String?

        @Flag(help: "Tolerated findings (stranded pages) fail the run too.")
        var strict = false

        @Flag(name: .customLong("keep-going"), help: "Do not stop at the first failing schedule.")
        var keepGoing = false

        @Option(help: .hidden)
        var units: Int = 32

        @OptionGroup var explore: ExploreFlags

        @OptionGroup var code: CodeOptions

        func makeStrategy() throws -> Strategy {
            let name = strategy ?? (schedule != nil ? .replay : .dpor)
            if schedule != nil && name != .replay {
                throw HarnessError.badInput("--schedule replays one schedule: use it with --strategy replay (or alone)")
            }
            switch name {
            case .replay:
                guard let schedule else {
                    throw HarnessError.badInput("--strategy replay needs --schedule TOKEN")
                }
                return .replay(try Schedule(token: schedule))
            case .random: return .random(seed: seed)
            case .pct:
                guard (1...World.maxPCTDepth).contains(depth) else {
                    throw HarnessError.badInput("--depth must be 1...\(World.maxPCTDepth) (got \(depth))")
                }
                return .pct(seed: seed, depth: depth)
            case .dfs: return .dfs(preemptionBound: preemptions)
            case .dpor: return .dpor
            }
        }

        func makeExplorer(api: KernelAPI = .builtin) throws -> Explorer {
            if let p = preemptions, p < 0 { throw HarnessError.badInput("--preemptions must be >= 0 (got \(p))") }
            if !(1...World.maxPCTDepth).contains(depth) {
                throw HarnessError.badInput("--depth must be 1...\(World.maxPCTDepth) (got \(depth))")
            }
            if let j = jobs, j < 1 { throw HarnessError.badInput("--jobs must be at least 1 (got \(j))") }
            if units < 1 { throw HarnessError.badInput("--units must be at least 1") }
            let shard = try self.shard.map(Shard.init(parsing:))
            let strategy = try makeStrategy()
            if shard != nil, case .replay = strategy {
                throw HarnessError.badInput("--shard splits an exploration; a replay has nothing to split")
            }
            let sc = try loadScenario(scenario, api: api)
            // several findings expected: look for all of them
            let expectedFindings = sc.expectations.filter { !$0.isClean }.count
            let options = ExploreOptions(
                maxSchedules: maxSchedules, timeLimit: time, stopOnFirstFinding: !keepGoing && expectedFindings < 2,
                jobs: jobs ?? min(ProcessInfo.processInfo.activeProcessorCount, Limits.maxJobs), shard: shard,
                strict: strict, units: units)
            var opts = options
            explore.apply(to: &opts)
            if api.origin != "builtin" { opts.observe = InProcessGuard.arm() }
            let e = Explorer(sc, strategy: strategy, options: opts, api: api)
            try e.validate()
            return e
        }

        func validate() throws {
            if json, let f = format, f != .json { throw ValidationError("--json and --format \(f.rawValue): give one") }
            if let svg { try OutputPath.checkFile("--svg", svg) }
            if let html { try OutputPath.checkFile("--html", html) }
            if code.isBuiltin {
                do { _ = try makeExplorer() } catch { inputError("\(error)") }
            }
        }

        func run() throws {
            let explorer: Explorer
            let api = code.api(quiet: json, codeID: schedule.flatMap { try? Schedule(token: $0) }?.codeID,
                               writable: InProcessGuard.directory(of: svg) + InProcessGuard.directory(of: html))
            do { explorer = try makeExplorer(api: api) } catch { inputError("\(error)") }
            if isatty(STDERR_FILENO) != 0 {
                let limit = time
                explorer.onProgress = { p in
                    let line = ProgressLine.text(p, timeLimit: limit, width: ProgressLine.terminalWidth())
                    Console.err("\r" + line + "\u{1B}[K")
                }
            }
            var result: ExplorationResult
            do { result = try explorer.run() } catch { inputError("\(error)") }
            if explorer.onProgress != nil { Console.err("\r\u{1B}[K") }
            try explorer.minimizeFindings(&result)
            let picture = try failurePicture(explorer, result)
            if let svg, let picture {
                do { try picture.svg.write(toFile: svg, atomically: true, encoding: .utf8) } catch {
                    inputError("cannot write --svg \(describe(error))")
                }
            }
            if let html {
                let page = HTMLReport.run(result, report: kernelReport(result, explorer), picture: picture)
                do { try page.write(toFile: html, atomically: true, encoding: .utf8) } catch {
                    inputError("cannot write --html \(describe(error))")
                }
            }
            let sc = explorer.scenario
            let check = sc.expectations.isEmpty ? nil : ExpectationCheck(sc.expectations, findings: result.findings)
            switch format ?? (json ? .json : .text) {
            case .json:
                var report = RunReport(result)
                report.expectations = check
                print(report.json)
            case .text:
                printText(result, explorer, picture)
                if let check { printExpectations(check, scenario: sc) }
            case .mail: print(RunFormats.mail(result, report: kernelReport(result, explorer), picture: picture), terminator: "")
            case .markdown: print(RunFormats.markdown(result, report: kernelReport(result, explorer), picture: picture), terminator: "")
            case .junit: print(RunFormats.junit(result, report: kernelReport(result, explorer)), terminator: "")
            }
            // a scenario file's expect lines decide (it is a test); a
            // registered scenario keeps "finding = 1" (git bisect run)
            if let check, sc.file != nil {
                if !check.met { throw ExitCode(ExitCodes.finding) }
                return
            }
            if result.failed { throw ExitCode(ExitCodes.finding) }
        }

        func printExpectations(_ c: ExpectationCheck, scenario sc: Scenario) {
            print("")
            for i in c.items {
                print("\(i.met ? "met" : "NOT MET"): \(i.expect)" + (sc.file.map { " (\($0):\(i.line))" } ?? ""))
            }
            for u in c.unexpected { print("NOT EXPECTED: \(u)") }
            if sc.file != nil {
                print(c.met ? "expectations met" : "expectations not met")
            }
        }

        /// The timeline of the minimized failing schedule (or, when clean, of
        /// the first schedule, for --svg).
        func failurePicture(_ e: Explorer, _ r: ExplorationResult) throws -> Timeline? {
            let w = try e.scenario.makeWorld(api: e.api)
            if let f = r.firstFailure, !f.token.isEmpty {
                let s = try f.minimized?.schedule ?? Schedule(token: f.token)
                return try Timeline(world: w, schedule: s)
            }
            guard svg != nil else { return nil }
            try w.set(.plainPoints, e.options.plainPoints ? 1 : 0)
            w.runRoundRobin()
            return Timeline(taskNames: w.taskNames, events: w.events, findings: w.findings)
        }

        /// The kernel-style report of the first failing schedule.
        func kernelReport(_ r: ExplorationResult, _ e: Explorer) -> String? {
            guard let f = r.firstFailure, !f.token.isEmpty, let w = try? e.scenario.makeWorld(api: e.api),
                  (try? w.run(token: f.token)) != nil else { return nil }
            return w.findings.first { $0.signature == f.signature }?.report
        }

        func printText(_ r: ExplorationResult, _ e: Explorer, _ picture: Timeline?) {
            // every line fits the terminal; tokens stay whole
            let cols = Terminal.columns()
            func print(_ s: String, terminator: String = "\n") {
                Console.out(Wrap.fit(s, width: cols, keepWords: true) + terminator)
            }
            var head = "\(r.scenario): \(r.strategy.name), \(r.schedules) schedule\(r.schedules == 1 ? "" : "s")"
            if r.blocked > 0 || r.cut > 0 {
                var extra: [String] = []
                if r.blocked > 0 { extra.append("+\(r.blocked) pruned by sleep sets") }
                if r.cut > 0 { extra.append("+\(r.cut) cut where covered") }
                head += " (" + extra.joined(separator: ", ") + ")"
            }
            head += ", \(r.steps) steps, \(r.finalStates.count) distinct final states, "
                + String(format: "%.3fs", r.seconds) + " on \(r.jobs) thread\(r.jobs == 1 ? "" : "s")"
            if let s = r.shard { head += ", shard \(s)" }
            print(head)
            guard let f = r.firstFailure else {
                var line = "no violation in all \(r.schedules) schedules of scenario \(r.scenario)"
                if r.exhausted {
                    line += r.bound.map { " (exhaustive up to bound \($0) preemption\($0 == 1 ? "" : "s"))" } ?? " (exhaustive)"
                } else {
                    line += " (not exhaustive)"
                }
                print(line)
                for t in r.findings where !t.failing {
                    print("tolerated: \(t.kind) at \(t.location): \(t.message) (\(t.count) schedules)")
                }
                return
            }
            if f.kind == "lockdep" {
                // gathered over every explored schedule: lockdep's report, no single schedule
                for c in r.lockCycles { print(c.report) }
                for v in r.lockOrderViolations { print(v.report) }
                print("(lock-class dependencies of all \(r.schedules) explored schedules; no single schedule shows the cycle)")
                return
            }
            // the kernel-style report of the first failing schedule
            if let w = try? e.scenario.makeWorld(api: e.api), (try? w.run(token: f.token)) != nil,
               let full = w.findings.first(where: { $0.signature == f.signature }) {
                print(full.report, terminator: full.report.hasSuffix("\n") ? "" : "\n")
            }
            print("replay: kharness replay \(f.token)")
            if let m = f.minimized {
                print("minimized schedule (\(m.preemptions) preemption\(m.preemptions == 1 ? "" : "s"), was \(m.originalPreemptions); \(m.steps) steps, was \(m.originalSteps)): \(m.schedule.token)")
            }
            if let picture {
                // the step table, or the columns alone when it is wider than the terminal
                let wide = picture.text.split(separator: "\n").contains { $0.count > cols }
                print("")
                Console.out(wide ? picture.columns(width: cols, brief: false) : picture.text)
            }
            let others = r.findings.filter { $0.signature != f.signature }
            if !others.isEmpty {
                print("\nother findings:")
                for o in others { print("  \(o.kind) at \(o.location): \(o.message) (\(o.count)x) \(o.token)") }
                if others.contains(where: { $0.kind == "lockdep" }) {
                    for c in r.lockCycles { print(""); print(c.report) }
                    for v in r.lockOrderViolations { print(""); print(v.report) }
                }
            }
        }
    }

    /// A scenario by name, or read from a scenario file (a path: it has a
    /// '/' or ends in .scenario, or is an existing file of no scenario's name).
    static func loadScenario(_ arg: String, api: KernelAPI) throws -> Scenario {
        let fm = FileManager.default
        let looksLikeFile = arg.contains("/") || arg.hasSuffix(ScenarioFile.suffix)
        if looksLikeFile || (api.scenario(named: arg) == nil && fm.fileExists(atPath: arg)) {
            guard fm.fileExists(atPath: arg) else { throw HarnessError.badInput("no such scenario file: \(arg)") }
            if OutputPath.isDirectory(arg) { throw HarnessError.badInput("\(arg): is a directory, not a scenario file") }
            return try ScenarioFile.load(path: arg, api: api)
        }
        return try Scenario(registered: arg, api: api)
    }

    struct Replay: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Rerun one schedule token and print its full trace.")

        @Argument(help: "A token printed by run, e.g. ksim1:SCENARIO:CODE:a3b2, or a file saved by fuzz")
        var token: String

        @Flag(help: "Also print the two-column timeline.")
        var timeline = false

        @Option(name: .customLong("scenario"), help: "The scenario file a token of a file scenario (NAME@HASH) was recorded on (default: a file of that hash in ., ./scenarios or CKernelShim/scenarios).")
        var scenarioFile: String?

        @OptionGroup var code: CodeOptions

        func prepare(api: KernelAPI = .builtin) throws -> (World, Schedule) {
            if FileManager.default.fileExists(atPath: token) {
                let rec = try FuzzRecord.load(path: token)
                if !rec.patches.isEmpty { untrustedNote() }
                return try rec.prepare(kernel: code.kernelOption.tree()) {
                    if !rec.patches.isEmpty { InProcessGuard.sandbox(writable: []) }
                }
            }
            let s = try Schedule(token: token)
            guard let name = s.scenario else {
                throw HarnessError.badInput("token '\(token)' names no scenario (expected ksim1:SCENARIO:CODEID:CHOICES)")
            }
            let w: World
            if name.contains("@") || scenarioFile != nil {
                let path: String
                if let scenarioFile {
                    path = scenarioFile
                } else {
                    let cwd = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
                    var dirs = [cwd, cwd.appendingPathComponent("scenarios")]
                    if let shim = try? ShimSource.locate() { dirs.append(shim.appendingPathComponent("scenarios")) }
                    guard let u = ScenarioFile.find(name, in: dirs) else {
                        throw HarnessError.notFound("token is for the scenario file \(name) (NAME@HASH of its bytes), and no file of that hash is in ., ./scenarios or CKernelShim/scenarios: give it with --scenario FILE")
                    }
                    path = u.path
                }
                let sc = try loadScenario(path, api: api)
                guard sc.name == name else {
                    throw HarnessError.mismatch("token is for scenario \(name), but \(path) is \(sc.name)"
                        + (sc.name.split(separator: "@").first == name.split(separator: "@").first
                           ? " (the file changed since the token was recorded)" : ""))
                }
                w = try sc.makeWorld(api: api)
            } else {
                w = try World(scenario: name, api: api)
            }
            try s.check(for: w)
            return (w, s)
        }

        func validate() throws {
            if FileManager.default.fileExists(atPath: token) {
                // a record with patches is built and loaded once, in run()
                // (under the sandbox); here only read
                do {
                    let rec = try FuzzRecord.load(path: token)
                    if code.isBuiltin && rec.patches.isEmpty { _ = try prepare() }
                } catch { inputError("\(error)") }
                return
            }
            let s: Schedule
            do { s = try Schedule(token: token) } catch { inputError("\(error)") }
            // a token of another build is checked on that build, in run()
            if code.isBuiltin && (s.codeID == nil || s.codeID == KernelAPI.builtin.codeID) {
                do { _ = try prepare() } catch { inputError("\(error)") }
            }
        }

        func run() throws {
            let world: World
            let isFile = FileManager.default.fileExists(atPath: token)
            let api = isFile ? KernelAPI.builtin : code.api(codeID: try? Schedule(token: token).codeID,
                                                           writable: [])
            do {
                let (w, s) = try prepare(api: api)
                // patched code runs here: watch it (exit(), hangs)
                if w.api.origin != "builtin" { InProcessGuard.arm()(w) }
                try w.run(s)
                world = w
            } catch {
                inputError("\(error)")
            }
            print(world.traceText, terminator: "")
            for f in world.findings { print(f.report, terminator: f.report.hasSuffix("\n") ? "" : "\n") }
            if timeline {
                print(Timeline(taskNames: world.taskNames, events: world.events, findings: world.findings).text,
                      terminator: "")
            }
            if world.failed { throw ExitCode(ExitCodes.finding) }
        }
    }
}
