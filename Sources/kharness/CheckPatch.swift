// SPDX-License-Identifier: GPL-2.0-only
import ArgumentParser
import Foundation
import KernelHarness

extension Kharness {
    struct CheckPatch: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check-patch",
            abstract: "Apply kernel patches to a scratch copy of CKernelShim, rebuild, and compare the scenario suite before and after.",
            discussion: """
                Patches apply in order with `patch -p1 --fuzz=0` rooted at CKernelShim, or at a scratch \
                copy of the kernel tree given with --kernel (plain unified diffs, git format-patch \
                mails, an mbox of several; '-' reads standard input; cover letters are skipped).  \
                Neither the working tree nor the kernel tree is ever written.  The report says, per \
                patch, which changed functions run in the harness and which do not ("changed, not \
                run").  Exit codes follow `git bisect run`: 0 good (no finding after), 1 bad, 125 \
                cannot test (does not apply, already applied, does not build, or not exercised: no \
                explored schedule runs a changed function), 2 bad input, 4 good \
                but partial (the patch also changes code the harness does not run; bisect counts it \
                as bad).  With --series FILE: every patch of a quilt series alone, then the series \
                applied cumulatively, as one matrix.
                """)

        @Argument(help: "Patch files (or - for standard input), applied in order.",
                  completion: .file(extensions: ["patch", "diff"]))
        var patches: [String] = []

        @Option(help: "Comma-separated scenarios: names or scenario files (default: every kernel scenario not tagged large, and every scenarios/NAME.scenario the patches add).")
        var scenarios: String?

        @Option(help: "Default: exhaustive DPOR within --time, then PCT for the rest.")
        var strategy: ExploreStrategyName?

        @Option(help: "Seconds of exploration per scenario and side.")
        var time: Double = 5

        @Option(help: "Seed for pct and random.")
        var seed: UInt64 = 1

        @Option(help: "PCT depth.")
        var depth: Int = 3

        @Option(help: "Worker threads (default: all cores).")
        var jobs: Int?

        @Flag(help: "Tolerated findings (stranded pages) count as failures.")
        var strict = false

        @OptionGroup var output: JSONOutput
        var json: Bool { output.json }

        @Flag(help: "Stop each exploration at its first failing schedule (for bisecting).")
        var first = false

        @Option(help: "A quilt series file: check each patch alone and the series cumulatively.")
        var series: String?

        @Option(name: .customLong("fuzz"), help: "Let a hunk apply with up to N lines of its context differing (patch --fuzz N); each fuzzed hunk is reported with the function it landed in.")
        var patchFuzz: Int = 0

        @OptionGroup var explore: ExploreFlags

        @OptionGroup var kernelOption: KernelOption

        @Flag(help: "Any failing finding after the patches is bad, also one the unpatched code had (default: only new findings are).")
        var absolute = false

        @Option(name: .customLong("fuzz-time"), help: "Seconds of generated worlds after the scenarios: random worlds and task mixes on the patched code, each failing world rerun on the unpatched code (0: skip).")
        var fuzzTime: Double = 3

        @Option(name: .customLong("findings-dir"), help: "Where the generated phase saves its new findings as replay files.")
        var findingsDir: String = "kharness-findings"

        @Flag(help: "Print the two-column timeline of every new finding of the scenarios.")
        var timeline = false

        @Option(help: "Write an SVG swimlane picture of every new finding of the scenarios to DIR.")
        var svg: String?

        @Flag(name: .customLong("in-process"), help: "Run the patched code in this process, not in a sandboxed worker process (faster to start; a crash, exit() or hang of the patched code then ends check-patch).")
        var inProcess = false

        @Flag(name: .customLong("no-sandbox"), help: "Run the worker process without its sandbox (namespaces and Landlock).")
        var noSandbox = false

        @Option(name: .customLong("hang-time"), help: "Seconds a run of the patched code may go without a scheduling point before the worker calls it a hang.")
        var hangTime: Double = 10

        @Option(help: "Write a self-contained HTML report (verdict table, new findings, swimlanes of their runs) to FILE.")
        var html: String?

        @Option(help: "How to print the result: text (the table, fitted to $COLUMNS), mail (a reply for linux-mm, at most 72 columns), markdown, json (as --json), junit (JUnit XML for CI).")
        var format: ReportFormat?

        @Option(name: .customLong("claim"), help: ArgumentHelp(
            "A lock-set claim the patched code must keep, 'FIELD protected-by|written-under LOCK[|LOCK…]' (repeatable; implies --audit); a broken one is a new finding.",
            valueName: "CLAIM"))
        var claims: [String] = []

        @Flag(help: "Also audit lock sets on both sides and show, for each field the changed functions touch, what its accesses hold before and after.")
        var audit = false

        func validate() throws {
            if patches.isEmpty && series == nil {
                throw ValidationError("give patch files or --series FILE")
            }
            do { try Limits.checkSeconds("--time", time) } catch { throw ValidationError("\(error)") }
            if !(1...World.maxPCTDepth).contains(depth) { throw ValidationError("--depth must be 1...\(World.maxPCTDepth)") }
            if let j = jobs, !(1...Limits.maxJobs).contains(j) { throw ValidationError("--jobs must be 1...\(Limits.maxJobs) (got \(j))") }
            for p in patches where p != "-" && !FileManager.default.fileExists(atPath: p) {
                throw ValidationError("no such patch file: \(p)")
            }
            if patches.filter({ $0 == "-" }).count > 1 { throw ValidationError("'-' (standard input) can be given once") }
            if !(0...10).contains(patchFuzz) { throw ValidationError("--fuzz must be 0...10 lines") }
            if !(fuzzTime >= 0 && fuzzTime <= 86400) { throw ValidationError("--fuzz-time must be 0...86400 seconds") }
            if series != nil && !patches.isEmpty { throw ValidationError("give patch files or --series FILE, not both") }
            if !(hangTime >= 0.5 && hangTime <= 3600) { throw ValidationError("--hang-time must be 0.5...3600 seconds") }
            if let s = series, !FileManager.default.fileExists(atPath: s) {
                throw ValidationError("no such series file: \(s)")
            }
            if let s = series, OutputPath.isDirectory(s) { throw ValidationError("--series \(s): is a directory") }
            if let svg { try OutputPath.checkDirectory("--svg", svg) }
            try OutputPath.checkDirectory("--findings-dir", findingsDir)
            if let j = output.jsonOut { try OutputPath.checkFile("--json-out", j) }
            if let h = html { try OutputPath.checkFile("--html", h) }
            for c in claims {
                do { _ = try AuditClaim(parsing: c) } catch { throw ValidationError("\(error)") }
            }
            if output.json, let f = format, f != .json { throw ValidationError("--json and --format \(f.rawValue): give one") }
            if series != nil, let f = format, f != .json && f != .text { throw ValidationError("--series prints a matrix: --format text or json") }
            for s in scenarios?.split(separator: ",").map({ String($0).trimmingCharacters(in: .whitespaces) }) ?? []
            where Self.isFile(s) {
                do { _ = try Kharness.loadScenario(s, api: .builtin) } catch { throw ValidationError("--scenarios: \(error)") }
            }
        }

        /// A --scenarios entry that names a file, not a registered scenario.
        static func isFile(_ s: String) -> Bool { s.contains("/") || s.hasSuffix(ScenarioFile.suffix) }

        var options: PatchCheckOptions {
            var strat: Strategy?
            switch strategy {
            case .dpor: strat = .dpor
            case .dfs: strat = .dfs(preemptionBound: nil)
            case .pct: strat = .pct(seed: seed, depth: depth)
            case .random: strat = .random(seed: seed)
            case .none: strat = nil
            }
            var names = scenarios?.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
            // scenario files were read (and checked) in validate()
            let files = names?.filter(Self.isFile) ?? []
            names = names?.filter { !Self.isFile($0) }
            var o = PatchCheckOptions(scenarios: names, strategy: strat, timePerScenario: time, strict: strict,
                                      jobs: jobs ?? min(ProcessInfo.processInfo.activeProcessorCount, Limits.maxJobs),
                                      firstFinding: first, kernel: kernelOption.tree(), fuzz: patchFuzz,
                                      absolute: absolute, fuzzTime: fuzzTime,
                                      findingsDirectory: URL(fileURLWithPath: findingsDir))
            if !inProcess { o.worker = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath() }
            o.sandbox = !noSandbox
            o.fileScenarios = files.compactMap { try? ScenarioFile.load(path: $0) }
            o.hangSeconds = hangTime
            o.plainPoints = explore.plainPoints
            o.audit = audit || !claims.isEmpty
            o.claims = claims.compactMap { try? AuditClaim(parsing: $0) }
            return o
        }

        func run() throws {
            if let series {
                try runSeries(series)
                return
            }
            let report: PatchCheckReport
            do {
                report = try PatchChecker.check(patches: patches, options: options,
                                                log: json ? nil : { Console.err(($0 + "\n")) })
            } catch HarnessError.notFound(let m) {
                inputError(m)
            } catch HarnessError.badInput(let m) {
                inputError(m)
            }
            let obj = PatchCheckJSON(report)
            if let html {
                do { try HTMLReport.checkPatch(report).write(toFile: html, atomically: true, encoding: .utf8) } catch {
                    inputError("cannot write --html \(describe(error))")
                }
            }
            switch format ?? (output.json ? .json : .text) {
            case .json, .text:
                var o = output
                o.json = format == .json || output.json
                try o.emit(json: obj.json, table: PatchChecker.table(report, width: Terminal.columns()))
            case .mail:
                try output.emit(json: obj.json, table: PatchChecker.mail(report))
            case .markdown:
                try output.emit(json: obj.json, table: PatchChecker.markdown(report))
            case .junit:
                try output.emit(json: obj.json, table: PatchChecker.junit(report))
            }
            if timeline || svg != nil { try pictures(report) }
            throw ExitCode(report.exitCode)
        }

        /// The new findings of the scenarios, as timelines and/or SVGs, on
        /// the patched build their tokens name.
        func pictures(_ report: PatchCheckReport) throws {
            var n = 0
            for row in report.rows {
                for f in row.new {
                    // drawn by the patched side: this process never runs the patched code
                    guard let t = row.pictures[f.identity] else { continue }
                    n += 1
                    if timeline && !json {
                        print("\ntimeline of the new \(f.kind) in \(row.scenario) (\(t.schedule)):")
                        print(t.text, terminator: "")
                    }
                    if let svg {
                        let dir = URL(fileURLWithPath: svg)
                        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
                        let file = dir.appendingPathComponent("\(row.scenario)-\(n).svg")
                        try t.svg.write(to: file, atomically: true, encoding: .utf8)
                        if !json { print("wrote \(file.path)") }
                    }
                }
            }
        }

        /// Each patch alone, then the stack (the series without the lines
        /// marked "# alternative") cumulatively; one matrix.
        func runSeries(_ path: String) throws {
            let dir = URL(fileURLWithPath: path).deletingLastPathComponent()
            guard let data = FileHandle(forReadingAtPath: path)?.readDataToEndOfFile() else {
                inputError("\(path): cannot read the series")
            }
            let text = String(decoding: data, as: UTF8.self)
            var entries: [(file: String, stacked: Bool)] = []
            for raw in text.split(separator: "\n") {
                let parts = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)
                let name = parts[0].trimmingCharacters(in: .whitespaces).split(separator: " ").first.map(String.init)
                guard let name, !name.isEmpty else { continue }
                let comment = parts.count > 1 ? String(parts[1]) : ""
                entries.append((dir.appendingPathComponent(name).path, !comment.contains("alternative")))
            }
            guard !entries.isEmpty else { inputError("\(path): empty series") }
            for e in entries where !FileManager.default.fileExists(atPath: e.file) {
                inputError("\(path): no such patch \(e.file)")
            }
            var columns: [(String, [String])] = entries.map { (URL(fileURLWithPath: $0.file).lastPathComponent, [$0.file]) }
            let stack = entries.filter(\.stacked).map(\.file)
            if stack.count > 1 {
                let ids = stack.map { String(URL(fileURLWithPath: $0).lastPathComponent.prefix(4)) }
                columns.append(("stack " + ids.joined(separator: "+"), stack))
            }
            var reports: [(String, PatchCheckReport)] = []
            var baseline: [String: ExplorationResult] = [:]
            let opts = options
            for (label, set) in columns {
                if !json { Console.err("checking \(label)\n") }
                do {
                    let (texts, notes) = try PatchReader.read(set)
                    var r = try PatchChecker.check(texts, options: opts, shim: nil, log: nil, baseline: &baseline)
                    r.notes = notes + r.notes
                    reports.append((label, r))
                } catch HarnessError.notFound(let m) {
                    inputError(m)
                } catch HarnessError.badInput(let m) {
                    inputError(m)
                }
            }
            let matrix = PatchMatrixJSON(columns: reports)
            try output.emit(json: matrix.json, table: PatchMatrixJSON.table(reports))
            // the worst column decides: bad, then untestable, then partial
            let verdicts = reports.map(\.1)
            if verdicts.contains(where: { $0.verdict == .bad }) { throw ExitCode(Verdict.bad.exitCode) }
            if verdicts.contains(where: { $0.verdict == .untestable }) { throw ExitCode(Verdict.untestable.exitCode) }
            if verdicts.contains(where: \.partial) { throw ExitCode(PatchCheckReport.partialExit) }
        }
    }
}

extension ReportFormat: ExpressibleByArgument {}

/// --json and --json-out, for the commands whose result is one JSON object
/// or a table (check-patch, bench).
struct JSONOutput: ParsableArguments {
    @Flag(help: "Print one JSON object on stdout instead of the table.")
    var json = false

    @Option(name: .customLong("json-out"), help: "Also write the JSON object to FILE (atomically).")
    var jsonOut: String?

    /// Write the JSON to --json-out if given, then print the JSON or the table.
    func emit(json text: String, table: String) throws {
        if let jsonOut {
            let url = URL(fileURLWithPath: jsonOut)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(),
                                                    withIntermediateDirectories: true)
            try Data((text + "\n").utf8).write(to: url, options: .atomic)
        }
        if json {
            print(text)
        } else {
            print(table, terminator: table.hasSuffix("\n") ? "" : "\n")
        }
    }
}

/// `check-patch --json`: verdict, the patches, and for each scenario the
/// before and after runs in the `run --json` form.
struct PatchCheckJSON: Codable {
    struct Row: Codable {
        var scenario: String
        var before: RunReport
        var after: RunReport
        /// identities ("kind in function(): message") of the failing findings
        var fixed: [String]
        var new: [String]
        var unchanged: [String]
        /// identity -> replay file of a new finding (with --findings-dir)
        var replayFiles: [String: String]
        enum CodingKeys: String, CodingKey {
            case scenario, before, after, fixed, new, unchanged
            case replayFiles = "replay_files"
        }
    }
    struct Hunk: Codable {
        var file: String
        var hunk: Int
        var line: Int?
        var offset: Int
        var fuzz: Int
        var function: String?
        var heading: String
    }
    struct PatchReport: Codable {
        var source: String
        var subject: String?
        var changed: [ChangedCode]
        var hunks: [Hunk]
        var skippedFiles: [String]
        var alreadyApplied: Bool
        enum CodingKeys: String, CodingKey {
            case source, subject, changed, hunks
            case skippedFiles = "skipped_files"
            case alreadyApplied = "already_applied"
        }
    }
    var verdict: String
    var partial: Bool
    var patches: [String]
    var error: String?
    var seconds: Double
    var buildSeconds: Double
    var rows: [Row]
    var patchReports: [PatchReport]
    var notes: [String]
    var kernel: String?
    var realFunctions: Int?
    var modelledFunctions: Int?
    var fixed = 0, new = 0, unchanged = 0
    var absolute = false
    /// Lock-order cycles only the union of all scenarios shows, new after the patches.
    var suiteLockCycles: [String] = []
    struct Exercised: Codable {
        var file: String
        var function: String
        var ran: Bool
        /// Changed lines with code, and those that ran (absent: judged by
        /// the function's entry).
        var lines: [Int]?
        var linesRan: [Int]?
        var onlyGenerated: Bool
        enum CodingKeys: String, CodingKey {
            case file, function, ran, lines
            case linesRan = "lines_ran", onlyGenerated = "only_generated"
        }
    }
    struct GeneratedCycleJSON: Codable { var chain: String; var report: String; var worlds: [String] }
    struct Generated: Codable { var kind, location, message, identity, token: String; var file: String? }
    /// The generated-worlds phase: executions, and the findings new there.
    var generatedExecs = 0
    var generatedAimed = 0
    var generated: [Generated] = []
    var generatedLockCycles: [GeneratedCycleJSON] = []
    /// The patched code ended or hung the worker.
    var deaths: [WorkerDeath] = []
    /// Contained side effects of the patched code (printing, fork()).
    var sideEffects: [String] = []
    /// --audit: protection before and after, per field and changed function.
    var protection: [ProtectionChange] = []
    /// --claim: each claim on the patched build.
    var claims: [AuditReport.ClaimResult] = []
    /// Each changed function the harness runs, and whether a schedule entered it.
    var exercised: [Exercised] = []
    var notExercised = false

    enum CodingKeys: String, CodingKey {
        case verdict, partial, patches, error, seconds, rows, notes, kernel, fixed, new, unchanged, absolute
        case suiteLockCycles = "suite_lock_cycles"
        case exercised, generated
        case notExercised = "not_exercised"
        case generatedExecs = "generated_execs", generatedAimed = "generated_aimed"
        case generatedLockCycles = "generated_lock_cycles", deaths
        case sideEffects = "side_effects", protection, claims
        case buildSeconds = "build_seconds"
        case patchReports = "patch_reports"
        case realFunctions = "real_functions"
        case modelledFunctions = "modelled_functions"
    }

    init(_ r: PatchCheckReport) {
        verdict = r.verdict.rawValue
        partial = r.partial
        notes = r.notes
        kernel = r.kernel
        realFunctions = r.realFunctions
        modelledFunctions = r.modelledFunctions
        patchReports = r.outcomes.map { o in
            PatchReport(source: o.patch.source, subject: o.patch.subject, changed: o.changed,
                        hunks: o.hunkNotes.map { Hunk(file: $0.file, hunk: $0.hunk, line: $0.line, offset: $0.offset,
                                                      fuzz: $0.fuzz, function: $0.landedIn, heading: $0.heading) },
                        skippedFiles: o.skippedFiles, alreadyApplied: o.alreadyApplied)
        }
        patches = r.patches
        error = r.error
        seconds = (r.seconds * 1000).rounded() / 1000
        buildSeconds = (r.buildSeconds * 1000).rounded() / 1000
        rows = r.rows.map { Row(scenario: $0.scenario, before: RunReport($0.before.result), after: RunReport($0.after.result),
                                fixed: $0.fixed.map(\.identity), new: $0.new.map(\.identity),
                                unchanged: $0.unchanged.map(\.identity), replayFiles: $0.replayFiles) }
        fixed = r.fixedCount
        new = r.newCount
        unchanged = r.unchangedCount
        absolute = r.absolute
        suiteLockCycles = r.suiteCycles.map(\.chain)
        exercised = r.exercised.map {
            Exercised(file: $0.code.file, function: $0.code.function ?? "", ran: $0.ran, lines: $0.lines,
                      linesRan: $0.lines == nil ? nil : $0.linesRan, onlyGenerated: $0.onlyGenerated)
        }
        generatedAimed = r.generatedAimed
        deaths = r.deaths
        sideEffects = r.sideEffects
        protection = r.protection
        claims = r.claims
        generatedLockCycles = r.generatedCycles.map { GeneratedCycleJSON(chain: $0.cycle.chain, report: $0.cycle.report, worlds: $0.specs) }
        notExercised = r.notExercised
        generatedExecs = r.generatedExecs
        generated = r.generated.map { Generated(kind: $0.finding.kind, location: $0.finding.location, message: $0.finding.message,
                                                identity: $0.identity, token: $0.finding.token, file: $0.finding.file) }
    }

    var json: String {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        return String(decoding: (try? enc.encode(self)) ?? Data(), as: UTF8.self)
    }
}

/// `check-patch --series --json`: one check-patch object per column.
struct PatchMatrixJSON: Codable {
    struct Column: Codable {
        var label: String
        var check: PatchCheckJSON
    }
    var columns: [Column]

    init(columns: [(String, PatchCheckReport)]) {
        self.columns = columns.map { Column(label: $0.0, check: PatchCheckJSON($0.1)) }
    }

    var json: String {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        return String(decoding: (try? enc.encode(self)) ?? Data(), as: UTF8.self)
    }

    /// Rows: scenarios; columns: unpatched, then each patch set.  A
    /// cell lists the distinct failing findings, or "clean" with the
    /// number of schedules ("exh." when the space was exhausted).
    static func table(_ cols: [(String, PatchCheckReport)]) -> String {
        guard let first = cols.first(where: { !$0.1.rows.isEmpty }) else {
            return cols.map { "\($0.0): \($0.1.verdict.rawValue) \($0.1.error ?? "")" }.joined(separator: "\n") + "\n"
        }
        func short(_ label: String) -> String {
            label.hasPrefix("stack") ? label : String(label.prefix(4))
        }
        var header = ["scenario", "unpatched"] + cols.map { short($0.0) }
        var rows: [[String]] = []
        for (i, r) in first.1.rows.enumerated() {
            var line = [r.scenario, r.before.cell]
            for c in cols {
                line.append(c.1.rows.count > i ? c.1.rows[i].after.cell : (c.1.error != nil ? "untestable" : "-"))
            }
            rows.append(line)
        }
        rows.append(["verdict", ""] + cols.map { $0.1.verdictText })
        rows.append(["fixed/new", ""] + cols.map { c in
            c.1.error != nil ? "-" : "\(c.1.fixedCount)/\(c.1.newCount)"
        })
        header = header.map { $0 }
        let widths = header.indices.map { i in ([header] + rows).map { $0[i].count }.max() ?? 0 }
        func fmt(_ r: [String]) -> String {
            r.enumerated().map { $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces) + "\n"
        }
        var out = fmt(header) + rows.map(fmt).joined()
        out += "\nfixed/new: findings of the unpatched code gone after the patches / findings it did not have"
            + " (same kind, function and message = the same finding)\n"
        for c in cols where !c.0.hasPrefix("stack") {
            out += "  \(short(c.0)) = \(c.0)\n"
        }
        return out
    }
}
