// SPDX-License-Identifier: GPL-2.0-only
import ArgumentParser
import Foundation
import Synchronization
import KernelHarness

/// Set by SIGINT/SIGTERM; the fuzzer checks it between executions.
let fuzzStopRequested = Atomic<Bool>(false)

extension Kharness {
    struct Fuzz: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Fuzz random mm worlds x task mixes x schedules with coverage feedback.",
            discussion: """
                Every distinct finding (kind + location) is reduced, its schedule minimized, and saved \
                atomically as a replayable JSON file in --corpus DIR/findings ('kharness replay FILE'); \
                inputs that reach new coverage go to DIR/queue, and a later run with the same --corpus \
                resumes from them.  Ctrl-C (SIGINT) or SIGTERM stops after the current execution with a \
                summary.  Exit 0: no finding (new or known), 1: findings, 2: bad input.  See docs/fuzz.md.
                """)

        @Option(help: "Stop after this many seconds (default 60 unless --max-execs is given).")
        var time: Double?

        @Option(name: .customLong("max-execs"), help: "Stop after N executions (deterministic with --jobs 1).")
        var maxExecs: Int?

        @Option(help: "Worker threads (only --jobs 1 is deterministic).")
        var jobs: Int = 1

        @Option(help: "Seed of the generator.")
        var seed: UInt64 = 1

        @Option(help: "Corpus directory: resumes from DIR/queue, saves findings to DIR/findings.")
        var corpus: String?

        @Option(name: .customLong("seed-corpus"), help: "Comma-separated mm scenario files (or directories of them) whose worlds and tasks the fuzzer starts from.")
        var seedCorpus: String?

        @Option(name: .customLong("patch"), parsing: .upToNextOption,
                help: "Fuzz the kernel code with these patches applied (rooted at CKernelShim, like a kernel tree).",
                completion: .file(extensions: ["patch", "diff"]))
        var patches: [String] = []

        @Option(help: "Write an SVG of coverage and findings over time to FILE.")
        var plot: String?

        @Option(help: "Write a self-contained HTML report of the summary to FILE.")
        var html: String?

        @Option(help: "How to print the summary: text, mail (72 columns), markdown, json (as --json), junit.")
        var format: ReportFormat?

        @Flag(help: "Print one JSON summary object on stdout.")
        var json = false

        @Option(name: .customLong("minimize-budget"), help: "Runs the minimizer may spend per finding.")
        var minimizeBudget: Int = 1000

        @OptionGroup var kernelOption: KernelOption

        func validate() throws {
            if json, let f = format, f != .json { throw ValidationError("--json and --format \(f.rawValue): give one") }
            if let html { try OutputPath.checkFile("--html", html) }
            do {
                if let t = time { try Limits.checkSeconds("--time", t) }
                if let m = maxExecs { try Limits.check("--max-execs", m, 1...Limits.maxCount) }
                try Limits.check("--jobs", jobs, 1...Limits.maxJobs)
                try Limits.check("--minimize-budget", minimizeBudget, 0...Limits.maxBudget)
            } catch { throw ValidationError("\(error)") }
            if let corpus { try OutputPath.checkDirectory("--corpus", corpus) }
            if let plot { try OutputPath.checkFile("--plot", plot) }
            for p in patches where !FileManager.default.fileExists(atPath: p) {
                throw ValidationError("no such patch file: \(p)")
            }
            do { _ = try seedInputs() } catch { throw ValidationError("--seed-corpus: \(error)") }
        }

        /// The fuzz inputs of --seed-corpus (a directory: its .scenario files;
        /// those that cannot seed the fuzzer are skipped, with a note).
        func seedInputs(notes: Bool = false) throws -> [FuzzInput] {
            guard let seedCorpus else { return [] }
            var paths: [String] = []
            var optional = Set<String>()
            for entry in seedCorpus.split(separator: ",").map({ String($0).trimmingCharacters(in: .whitespaces) }) {
                if OutputPath.isDirectory(entry) {
                    let names = try FileManager.default.contentsOfDirectory(atPath: entry)
                        .filter { $0.hasSuffix(ScenarioFile.suffix) }.sorted()
                    if names.isEmpty { throw HarnessError.badInput("\(entry): no .scenario files") }
                    let inDir = names.map { (entry as NSString).appendingPathComponent($0) }
                    paths += inDir
                    optional.formUnion(inDir)
                } else {
                    paths.append(entry)
                }
            }
            var out: [FuzzInput] = []
            for (k, p) in paths.enumerated() {
                let sc = try Kharness.loadScenario(p, api: .builtin)
                do { out.append(try FuzzInput(scenario: sc, seed: seed &+ UInt64(k))) } catch where optional.contains(p) {
                    if notes { FileHandle.standardError.write(Data("kharness fuzz: skipping \(p): \(error)\n".utf8)) }
                }
            }
            if out.isEmpty { throw HarnessError.badInput("none of \(seedCorpus) can seed the fuzzer") }
            return out
        }

        func run() throws {
            var options = FuzzOptions()
            options.seed = seed
            options.jobs = jobs
            options.maxExecs = maxExecs
            options.timeLimit = time ?? (maxExecs == nil ? 60 : nil)
            options.corpus = corpus.map { URL(fileURLWithPath: $0) }
            options.minimizeBudget = minimizeBudget
            do { options.seeds = try seedInputs(notes: !json) } catch { inputError("--seed-corpus: \(error)") }
            let tree = kernelOption.tree()
            if let tree, patches.isEmpty {
                options.api = kernelOption.api(quiet: json)
                options.kernel = tree.root.path
            }
            if !patches.isEmpty {
                untrustedNote()
                options.observe = InProcessGuard.arm()
                do {
                    // built without loading, then loaded under the sandbox:
                    // writes only to the corpus and the plot
                    let v = try VariantBuilder.build(patches: patches, kernel: tree, load: false)
                    var writable = InProcessGuard.directory(of: plot) + InProcessGuard.directory(of: html)
                    if let c = options.corpus {
                        try FileManager.default.createDirectory(at: c, withIntermediateDirectories: true)
                        writable.append(c.path)
                    }
                    InProcessGuard.sandbox(writable: writable)
                    options.api = try VariantBuilder.load(v)
                    options.kernel = tree?.root.path
                    options.patches = try patches.map {
                        FuzzPatch(name: ($0 as NSString).lastPathComponent, text: try String(contentsOfFile: $0, encoding: .utf8))
                    }
                } catch {
                    inputError("\(error)")
                }
            }
            let fuzzer = Fuzzer(options: options)
            let tty = isatty(STDERR_FILENO) != 0
            fuzzer.onMessage = { m in
                Console.err(((tty ? "\r\u{1B}[K" : "") + "kharness fuzz: " + m + "\n"))
            }
            if tty {
                let limit = options.timeLimit
                fuzzer.onProgress = { p in
                    let rate = p.seconds > 0 ? Double(p.execs) / p.seconds : 0
                    var line = "\(p.execs) execs, \(Int(rate))/s, coverage \(p.coverage), corpus \(p.corpus), \(p.findings) findings, \(ProgressLine.seconds(p.seconds))"
                    if let limit { line += ", ~\(ProgressLine.seconds(max(0, limit - p.seconds))) left" }
                    line = String(line.prefix(max(10, ProgressLine.terminalWidth() - 1)))
                    Console.err("\r" + line + "\u{1B}[K")
                }
            }
            let handler: @convention(c) (Int32) -> Void = { _ in
                fuzzStopRequested.store(true, ordering: .relaxed)
            }
            var act = sigaction()
            act.__sigaction_handler.sa_handler = handler
            sigemptyset(&act.sa_mask)
            var unblock = sigset_t()
            sigemptyset(&unblock)
            for sig in [SIGINT, SIGTERM] {
                sigaction(sig, &act, nil)
                sigaddset(&unblock, sig)
            }
            // a parent may have spawned us with them blocked
            pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
            let summary: FuzzSummary
            do {
                summary = try fuzzer.run { fuzzStopRequested.load(ordering: .relaxed) }
            } catch {
                inputError("\(error)")
            }
            if tty { Console.err("\r\u{1B}[K") }
            if let plot {
                do {
                    try FuzzPlot.svg(summary).write(toFile: plot, atomically: true, encoding: .utf8)
                } catch {
                    Console.err("kharness fuzz: cannot write \(plot): \(error)\n")
                }
            }
            if let html {
                do { try HTMLReport.fuzz(summary, api: fuzzer.options.api).write(toFile: html, atomically: true, encoding: .utf8) } catch {
                    inputError("cannot write --html \(describe(error))")
                }
            }
            switch format ?? (json ? .json : .text) {
            case .json: print(summary.json)
            case .text: printText(summary)
            case .mail: print(FuzzFormats.mail(summary), terminator: "")
            case .markdown: print(FuzzFormats.markdown(summary), terminator: "")
            case .junit: print(FuzzFormats.junit(summary), terminator: "")
            }
            if !summary.findings.isEmpty || !summary.knownFindings.isEmpty { throw ExitCode(ExitCodes.finding) }
        }

        func printText(_ s: FuzzSummary) {
            var head = "fuzz: \(s.execs) executions in \(String(format: "%.2f", s.seconds))s (\(Int(s.execsPerSecond))/s) on \(s.jobs) thread\(s.jobs == 1 ? "" : "s"), seed \(s.seed)"
            if s.interrupted { head += ", interrupted" }
            print(head)
            print("coverage: \(s.coverage) features (\(s.locations) kernel file:line pairs, \(s.conflictPairs) conflicting pairs), corpus \(s.corpus) inputs" + (s.resumed > 0 ? " (\(s.resumed) resumed)" : ""))
            if s.rejects > 0 { print("generator rejects: \(s.rejects) (a bug of the generator): \(s.rejectMessages.first ?? "")") }
            if !s.malformed.isEmpty { print("skipped \(s.malformed.count) malformed corpus file\(s.malformed.count == 1 ? "" : "s"): " + s.malformed.joined(separator: ", ")) }
            if s.tolerated > 0 { print("runs with tolerated findings only (stranded pages): \(s.tolerated)") }
            if !s.knownFindings.isEmpty { print("known findings (from the corpus): " + s.knownFindings.joined(separator: ", ")) }
            if s.findings.isEmpty {
                print("no new finding")
                return
            }
            print("new findings:")
            for f in s.findings {
                print("  \(f.kind) at \(f.location) after \(f.execs) executions (\(String(format: "%.2f", f.seconds))s): \(f.message)")
                print("    minimized: \(f.tasks) task\(f.tasks == 1 ? "" : "s") (was \(f.originalTasks)), \(f.preemptions) preemption\(f.preemptions == 1 ? "" : "s") (was \(f.originalPreemptions)), \(f.steps) steps (was \(f.originalSteps))")
                if let file = f.file { print("    replay: kharness replay \(file)") } else { print("    token: \(f.token)") }
            }
        }
    }
}
