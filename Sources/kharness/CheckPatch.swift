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
                Patches apply in order with `patch -p1` rooted at CKernelShim, as at a kernel tree \
                (plain unified diffs and git format-patch mails).  The working tree is never written.  \
                Exit codes follow `git bisect run`: 0 good (no finding after), 1 bad, 125 cannot test \
                (does not apply or does not build), 2 bad input.  With --series FILE: every patch of \
                a quilt series alone, then the series applied cumulatively, as one matrix.
                """)

        @Argument(help: "Patch files, applied in order.")
        var patches: [String] = []

        @Option(help: "Comma-separated scenarios (default: every kernel scenario).")
        var scenarios: String?

        @Option(help: "dpor | pct | random | dfs (default: exhaustive DPOR within --time, then PCT for the rest).")
        var strategy: StrategyName?

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


        func validate() throws {
            if patches.isEmpty && series == nil {
                throw ValidationError("give patch files or --series FILE")
            }
            if !(time > 0) { throw ValidationError("--time must be a positive number of seconds") }
            if !(1...World.maxPCTDepth).contains(depth) { throw ValidationError("--depth must be 1...\(World.maxPCTDepth)") }
            if let j = jobs, j < 1 { throw ValidationError("--jobs must be at least 1") }
            if strategy == .replay { throw ValidationError("check-patch explores; replay is not a strategy here") }
            for p in patches where !FileManager.default.fileExists(atPath: p) {
                throw ValidationError("no such patch file: \(p)")
            }
            if let s = series, !FileManager.default.fileExists(atPath: s) {
                throw ValidationError("no such series file: \(s)")
            }
        }

        var options: PatchCheckOptions {
            var strat: Strategy?
            switch strategy {
            case .dpor: strat = .dpor
            case .dfs: strat = .dfs(preemptionBound: nil)
            case .pct: strat = .pct(seed: seed, depth: depth)
            case .random: strat = .random(seed: seed)
            case .replay, .none: strat = nil
            }
            let names = scenarios?.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
            return PatchCheckOptions(scenarios: names, strategy: strat, timePerScenario: time, strict: strict,
                                     jobs: jobs ?? ProcessInfo.processInfo.activeProcessorCount,
                                     firstFinding: first)
        }

        func run() throws {
            if let series {
                try runSeries(series)
                return
            }
            let report: PatchCheckReport
            do {
                report = try PatchChecker.check(patches: patches, options: options,
                                                log: json ? nil : { FileHandle.standardError.write(Data(($0 + "\n").utf8)) })
            } catch HarnessError.notFound(let m) {
                inputError(m)
            } catch HarnessError.badInput(let m) {
                inputError(m)
            }
            let obj = PatchCheckJSON(report)
            try output.emit(json: obj.json, table: PatchChecker.table(report))
            throw ExitCode(report.verdict.exitCode)
        }

        /// Each patch alone, then the stack (the series without the lines
        /// marked "# alternative") cumulatively; one matrix.
        func runSeries(_ path: String) throws {
            let dir = URL(fileURLWithPath: path).deletingLastPathComponent()
            let text = try String(contentsOfFile: path, encoding: .utf8)
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
            for (label, set) in columns {
                if !json { FileHandle.standardError.write(Data("checking \(label)\n".utf8)) }
                do {
                    reports.append((label, try PatchChecker.check(patches: set, options: options, shim: nil,
                                                                  log: nil, baseline: &baseline)))
                } catch HarnessError.notFound(let m) {
                    inputError(m)
                }
            }
            let matrix = PatchMatrixJSON(columns: reports)
            try output.emit(json: matrix.json, table: PatchMatrixJSON.table(reports))
        }
    }
}

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
    }
    var verdict: String
    var patches: [String]
    var error: String?
    var seconds: Double
    var buildSeconds: Double
    var rows: [Row]

    enum CodingKeys: String, CodingKey {
        case verdict, patches, error, seconds, rows
        case buildSeconds = "build_seconds"
    }

    init(_ r: PatchCheckReport) {
        verdict = r.verdict.rawValue
        patches = r.patches
        error = r.error
        seconds = (r.seconds * 1000).rounded() / 1000
        buildSeconds = (r.buildSeconds * 1000).rounded() / 1000
        rows = r.rows.map { Row(scenario: $0.scenario, before: RunReport($0.before.result), after: RunReport($0.after.result)) }
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
        rows.append(["verdict", ""] + cols.map { $0.1.verdict.rawValue })
        rows.append(["fixed/new", ""] + cols.map { c in
            let fixed = c.1.rows.filter { $0.before.failed && !$0.after.failed }.count
            let new = c.1.rows.filter { row in
                !row.after.failingSignatures.subtracting(row.before.failingSignatures).isEmpty
            }.count
            return c.1.error != nil ? "-" : "\(fixed)/\(new)"
        })
        header = header.map { $0 }
        let widths = header.indices.map { i in ([header] + rows).map { $0[i].count }.max() ?? 0 }
        func fmt(_ r: [String]) -> String {
            r.enumerated().map { $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces) + "\n"
        }
        var out = fmt(header) + rows.map(fmt).joined()
        out += "\nfixed/new: scenarios that failed before and are clean after / that fail in a way they did not before\n"
        for c in cols where !c.0.hasPrefix("stack") {
            out += "  \(short(c.0)) = \(c.0)\n"
        }
        return out
    }
}
