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

    public init(scenarios: [String]? = nil, strategy: Strategy? = nil, timePerScenario: Double = 5,
                strict: Bool = false, jobs: Int = 1, firstFinding: Bool = false) {
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
    /// One cell of the verdict table.
    public var summary: String {
        let failing = result.findings.filter(\.failing)
        if !failing.isEmpty {
            return failing.map { "\($0.kind) \($0.location) [\($0.token)]" }.joined(separator: "; ")
        }
        let how = result.exhausted
            ? "exhaustive" + (result.bound.map { " under bound \($0)" } ?? "") + " (\(result.strategy.name))"
            : "budget (\(result.strategy.name))"
        return "clean: \(result.schedules) schedules, \(how)"
    }
    public var failed: Bool { result.failed }

    /// kind@location of every failing finding.
    public var failingSignatures: Set<String> {
        Set(result.findings.filter(\.failing).map(\.signature))
    }

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

public struct PatchCheckRow: Sendable {
    public var scenario: String
    public var before: SideOutcome
    public var after: SideOutcome
}

public struct PatchCheckReport: Sendable {
    public var verdict: Verdict
    public var patches: [String]
    public var rows: [PatchCheckRow] = []
    /// Why the patches could not be tested (rejects, compiler errors).
    public var error: String?
    public var buildSeconds: Double = 0
    public var seconds: Double = 0
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
        return try check(patches: patches, options: options, shim: shim, log: log, baseline: &baseline)
    }

    /// As above; `baseline` caches the unpatched results across calls (a
    /// series matrix explores the unpatched code once).
    public static func check(patches: [String], options: PatchCheckOptions, shim: URL?,
                             log: ((String) -> Void)?,
                             baseline: inout [String: ExplorationResult]) throws -> PatchCheckReport {
        let start = Date()
        var report = PatchCheckReport(verdict: .untestable, patches: patches)
        let base: Variant
        let patched: Variant
        base = try VariantBuilder.build(patches: [], shim: shim)
        do {
            patched = try VariantBuilder.build(patches: patches, shim: shim)
        } catch HarnessError.untestable(let why) {
            report.error = why
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
            let before = try baseline[name]
                ?? explore(Scenario(registered: name, api: base.api), api: base.api, options: options)
            baseline[name] = before
            // a patch may remove a scenario: then it cannot be judged
            guard patched.api.scenario(named: name) != nil else {
                throw HarnessError.notFound("the patched code has no scenario '\(name)'")
            }
            let after = try explore(Scenario(registered: name, api: patched.api), api: patched.api, options: options)
            report.rows.append(PatchCheckRow(scenario: name, before: SideOutcome(result: before),
                                             after: SideOutcome(result: after)))
        }
        report.verdict = report.rows.contains { $0.after.failed } ? .bad : .good
        report.seconds = Date().timeIntervalSince(start)
        return report
    }

    /// The verdict table as text.
    public static func table(_ r: PatchCheckReport) -> String {
        var out = ""
        if let e = r.error {
            out += "cannot test: \(e)\n"
        }
        if !r.rows.isEmpty {
            let w0 = max(8, r.rows.map(\.scenario.count).max() ?? 0)
            let w1 = max(6, r.rows.map(\.before.summary.count).max() ?? 0)
            func pad(_ s: String, _ n: Int) -> String { s.padding(toLength: n, withPad: " ", startingAt: 0) }
            out += pad("scenario", w0) + "  " + pad("before", w1) + "  after\n"
            for row in r.rows {
                out += pad(row.scenario, w0) + "  " + pad(row.before.summary, w1) + "  " + row.after.summary + "\n"
            }
        }
        out += "verdict: \(r.verdict.rawValue)"
        out += String(format: " (%.1f s, build %.1f s)\n", r.seconds, r.buildSeconds)
        return out
    }
}
