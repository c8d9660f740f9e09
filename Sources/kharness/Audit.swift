// SPDX-License-Identifier: GPL-2.0-only
import ArgumentParser
import Foundation
import KernelHarness

extension Kharness {
    struct Audit: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Which lock protects which field: lock sets of every access over all explored schedules.",
            discussion: """
            Explores each scenario (DPOR, exhaustive when it fits --time) with the lock-set recorder \
            on: every access a task makes at a scheduling point (page-flag bits, _count, _mapcount, \
            counters) is kept with the locks held there and whether the page was isolated from the \
            LRU by the accessing task ("isolated"). A held page lock is "page-lock" when it is the \
            lock of the accessed field's own page. Per field: the write sites, the read sites, what \
            every write holds (the candidate protection), and the sites that break the likeliest one.

            A task goes on past a failed BUG_ON (the finding is still made), so that what the code \
            does after the assertion is audited too; a site reached only past a BUG_ON replays up to \
            that BUG.

            Claims: --claim 'PG_mlocked protected-by page-lock' (every access holds it), \
            --claim '_count written-under lru_lock|page-lock' (every write holds one of them). A broken \
            claim, or one about a field no access touched, exits 1 with the site and a replay token.
            With --patch, the unpatched code is audited too and the fields whose protection changed \
            are listed first.
            """)

        @Argument(help: "Scenarios or scenario files to audit (default: seed-migrate-nonlinear and seed-reclaim-nonlinear).")
        var scenarios: [String] = []

        @Flag(help: "Audit every registered mm scenario not tagged large.")
        var all = false

        @Option(name: .customLong("claim"), help: ArgumentHelp(
            "A claim to check: 'FIELD protected-by|written-under LOCK[|LOCK…]' (repeatable).", valueName: "CLAIM"))
        var claims: [String] = []

        @Option(name: .customLong("claims"), help: ArgumentHelp(
            "A file of claims, one per line ('claim FIELD protected-by LOCK'; # comments).", valueName: "FILE"))
        var claimsFile: String?

        @Option(help: ArgumentHelp("Show every site of this field, with call chains and replay tokens.", valueName: "FIELD"))
        var explain: String?

        @Option(help: "Seconds of exploration per scenario.")
        var time: Double = 10

        @Option(help: "Worker threads.")
        var jobs: Int = 1

        @Flag(help: "Print one JSON object on stdout.")
        var json = false

        @OptionGroup var code: CodeOptions

        func validate() throws {
            try Limits.checkSeconds("--time", time)
            try Limits.check("--jobs", jobs, 1...Limits.maxJobs)
            if all && !scenarios.isEmpty { throw ValidationError("give scenarios or --all, not both") }
            _ = try parsedClaims()
        }

        func parsedClaims() throws -> [AuditClaim] {
            var lines = claims
            if let f = claimsFile {
                guard let text = try? String(contentsOfFile: f, encoding: .utf8) else {
                    throw ValidationError("cannot read the claims file \(f)")
                }
                for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                    let l = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init)?
                        .trimmingCharacters(in: .whitespaces) ?? ""
                    if l.isEmpty { continue }
                    do { _ = try AuditClaim(parsing: l) } catch { throw ValidationError("\(f):\(i + 1): \(error)") }
                    lines.append(l)
                }
            }
            return try lines.map { l in
                do { return try AuditClaim(parsing: l) } catch { throw ValidationError("\(error)") }
            }
        }

        func run() throws {
            var options = AuditOptions()
            options.timePerScenario = time
            options.jobs = jobs
            options.claims = try parsedClaims()
            let patched = code.api(quiet: json)
            let names = try scenarioNames(api: patched)
            let after = try KernelHarness.Audit.run(scenarios: try names.map { try Kharness.loadScenario($0, api: patched) },
                                                    api: patched, options: options)
            var before: AuditReport? = nil
            if !code.patches.isEmpty {
                let base = code.kernelOption.api(quiet: true)
                var o = options
                o.claims = []
                before = try KernelHarness.Audit.run(scenarios: try names.map { try Kharness.loadScenario($0, api: base) },
                                                     api: base, options: o)
            }
            if json {
                print(AuditText.json(after, before: before))
            } else if let f = explain {
                guard let field = after.field(f) else {
                    throw ValidationError("no access to a field '\(f)' was seen; fields: "
                                          + after.fields.map(\.field).joined(separator: ", "))
                }
                print(AuditText.explain(field), terminator: "")
            } else {
                print(AuditText.table(after, before: before), terminator: "")
            }
            if !after.claimsHold { throw ExitCode(ExitCodes.finding) }
        }

        func scenarioNames(api: KernelAPI) throws -> [String] {
            let known = api.scenarios.map(\.name)
            if all { return Scenario.suiteNames(api: api) }
            let names = scenarios.isEmpty ? ["seed-migrate-nonlinear", "seed-reclaim-nonlinear"] : scenarios
            for n in names where !known.contains(n) && !FileManager.default.fileExists(atPath: n) {
                throw ValidationError("unknown scenario '\(n)' (kharness list shows them; or give a scenario file)")
            }
            return names
        }
    }
}
