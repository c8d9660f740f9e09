// SPDX-License-Identifier: GPL-2.0-only
import Testing
import Foundation
@testable import KernelHarness

/// check-patch on the real patches: the verdicts the review needs, the
/// git-bisect exit codes, and a working tree that is never touched.
@Suite(.serialized) struct CheckPatchTests {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static func patch(_ prefix: String) throws -> String {
        let dir = repo.appendingPathComponent("Patches")
        let name = try #require(try FileManager.default.contentsOfDirectory(atPath: dir.path)
            .first { $0.hasPrefix(prefix) && $0.hasSuffix(".patch") })
        return dir.appendingPathComponent(name).path
    }
    static let seeds = ["seed-migrate-nonlinear", "seed-reclaim-nonlinear"]

    /// The budget only bounds a failure: an exploration that exhausts its
    /// space stops there, so a generous budget keeps loaded CI machines
    /// (debug build, suites in parallel) from turning "exhausted" into "budget".
    func check(_ prefixes: [String], _ scenarios: [String], time: Double = 300) throws -> PatchCheckReport {
        try PatchChecker.check(patches: prefixes.map { try Self.patch($0) },
                               options: PatchCheckOptions(scenarios: scenarios, timePerScenario: time, jobs: 2))
    }

    /// The seed fix and the reviewer's variant.
    @Test(arguments: ["0001", "0002"])
    func seedFixTurnsTheSeedScenariosFromBadToGood(patch: String) throws {
        let r = try check([patch], Self.seeds)
        #expect(r.verdict == .good)
        for row in r.rows {
            #expect(row.before.result.findings.contains { $0.kind == "bug" && $0.location.hasPrefix("mm/mlock.c:") })
            #expect(!row.after.failed)
            #expect(row.after.result.exhausted, "\(row.scenario): not exhausted within the budget")
        }
    }

    @Test func lockPageWrongFixSleepsUnderThePtlAndDeadlocks() throws {
        let r = try check(["0004"], ["seed-migrate-nonlinear"])
        #expect(r.verdict == .bad)
        let kinds = Set(try #require(r.rows.first).after.result.findings.filter(\.failing).map(\.kind))
        #expect(kinds.contains("invalid-context"))
        #expect(kinds.contains("deadlock"))
    }

    /// lockdep: the ptl -> page lock inversion of 0004 is a cycle of lock
    /// classes, reported besides the sleeping-under-spinlock finding.
    @Test func lockPageUnderThePtlIsALockdepCycle() throws {
        let r = try check(["0004"], ["seed-migrate-nonlinear"])
        let after = try #require(r.rows.first).after.result
        #expect(after.lockCycles.contains { Set($0.classes) == ["PG_locked", "ptl"] })
        let lockdep = try #require(after.findings.first { $0.kind == "lockdep" && $0.message.contains("ptl") })
        #expect(lockdep.failing)
        #expect(try #require(r.rows.first).new.contains { $0.kind == "lockdep" })
        let report = try #require(after.lockCycles.first { Set($0.classes) == ["PG_locked", "ptl"] }).report
        #expect(report.contains("WARNING: possible circular locking dependency detected"))
        #expect(report.contains("*** DEADLOCK ***"))
        #expect(r.rows.first?.before.result.lockCycles.isEmpty == true)
        // and against the order mm/rmap.c documents: the page lock is outside the ptl
        #expect(after.lockOrderViolations.contains { $0.dependency.from == "ptl" && $0.dependency.to == "PG_locked" })
        #expect(after.findings.contains { $0.message == "lock order against mm/rmap.c: PG_locked taken while holding ptl" })
    }

    /// A new finding of a fixed scenario is written as a self-contained
    /// replay file (spec, schedule, code id, patch texts) that reproduces it.
    @Test func newScenarioFindingsGetReplayFiles() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kh-replays-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        var o = PatchCheckOptions(scenarios: ["seed-migrate-nonlinear"], timePerScenario: 300, jobs: 2)
        o.findingsDirectory = dir
        let r = try PatchChecker.check(patches: [try Self.patch("0004")], options: o)
        let row = try #require(r.rows.first)
        let withToken = row.new.filter { !$0.token.isEmpty }
        #expect(!withToken.isEmpty && row.replayFiles.count == withToken.count)
        for f in withToken {
            let path = try #require(row.replayFiles[f.identity])
            try SchemaCheck.validateFile(path, schema: "fuzz-record")
            let rec = try FuzzRecord.load(path: path)
            #expect(rec.input == nil && rec.patches.count == 1 && rec.codeID == r.rows[0].after.result.codeID)
            let (w, s) = try rec.prepare()
            try w.run(s)
            #expect(w.findings.contains { $0.kind == f.kind && $0.function == f.function })
            #expect(PatchChecker.table(r).contains("replay file: kharness replay \(path)"))
        }
    }

    /// lockdep over the generated worlds: with a scenario that never runs
    /// the cluster scan, only generated worlds (nonlinear vmas) reach 0004's
    /// lock_page(); the dependencies they gather close PG_locked ->
    /// i_mmap_mutex -> PG_locked, which the unpatched build does not have in
    /// the same worlds, and the cycle names worlds that show it.
    @Test func generatedWorldsGatherLockdepCycles() throws {
        var o = PatchCheckOptions(scenarios: ["mlock-vs-munlock"], timePerScenario: 30, jobs: 1)
        o.fuzzTime = 60
        o.fuzzExecs = 600
        let r = try PatchChecker.check(patches: [try Self.patch("0004")], options: o)
        #expect(r.rows.first?.new.isEmpty == true)
        let c = try #require(r.generatedCycles.first { $0.cycle.chain == "PG_locked -> i_mmap_mutex -> PG_locked" })
        // the first world named takes every edge: the cluster scan of a nonlinear vma
        #expect(c.closedByOneWorld && c.specs.first?.contains("nonlinear") == true)
        #expect(c.cycle.report.contains("WARNING: possible circular locking dependency detected"))
        #expect(r.verdict == .bad)
        #expect(PatchChecker.table(r).contains("new in generated worlds: lockdep: possible circular locking dependency: PG_locked -> i_mmap_mutex -> PG_locked"))
    }

    /// Sleeping on mmap_sem under i_mmap_mutex (down_read for the trylock
    /// in try_to_unmap_cluster): no fixed scenario deadlocks on it, lockdep
    /// sees the order inversion against migration's mmap_sem -> i_mmap_mutex.
    @Test func downReadInsteadOfTheTrylockIsBadThroughLockdep() throws {
        let shim = try ShimSource.locate()
        let rmap = try String(contentsOf: shim.appendingPathComponent("mm/rmap.c"), encoding: .utf8)
        let fn = try #require(CScanner.functions(in: rmap).first { $0.name == "try_to_unmap_cluster" })
        let bytes = Array(rmap.utf8)
        let body = String(decoding: bytes[fn.start..<fn.end], as: UTF8.self)
        let trylock = "if (down_read_trylock(&vma->vm_mm->mmap_sem)) {"
        #expect(body.contains(trylock))
        let patched = String(decoding: bytes[..<fn.start], as: UTF8.self)
            + body.replacingOccurrences(of: trylock, with: "down_read(&vma->vm_mm->mmap_sem);\n\t{")
            + String(decoding: bytes[fn.end...], as: UTF8.self)
        let texts = try patchTexts(SyntheticKernel.diff("mm/rmap.c", rmap, patched))
        var baseline: [String: ExplorationResult] = [:]
        let r = try PatchChecker.check(texts, options: PatchCheckOptions(scenarios: ["seed-migrate-nonlinear"],
                                                                         timePerScenario: 300, jobs: 2),
                                       shim: nil, log: nil, baseline: &baseline)
        #expect(r.verdict == .bad)
        let row = try #require(r.rows.first)
        #expect(!row.after.result.findings.contains { $0.kind == "deadlock" }, "no explored schedule deadlocks")
        #expect(row.new.contains { $0.kind == "lockdep" && $0.message.contains("mmap_sem") })

        // generated worlds find the deadlock itself, with a replay file that reproduces it
        let keep = FileManager.default.temporaryDirectory
            .appendingPathComponent("kharness-test-findings-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        defer { try? FileManager.default.removeItem(at: keep) }
        var opts = PatchCheckOptions(scenarios: ["reclaim-vs-migrate"], timePerScenario: 300, jobs: 2,
                                     fuzzTime: 600, findingsDirectory: keep)
        opts.fuzzExecs = 3000
        let g = try PatchChecker.check(texts, options: opts, shim: nil, log: nil, baseline: &baseline)
        #expect(g.verdict == .bad && g.generatedExecs > 0)
        let dl = try #require(g.generated.first { $0.finding.kind == "deadlock" && $0.finding.message.contains("mmap_sem") })
        let file = try #require(dl.finding.file)
        #expect(file.hasPrefix(keep.path))
        try SchemaCheck.validateFile(file, schema: "fuzz-record")
        let (w, sched) = try FuzzRecord.load(path: file).prepare()
        try w.run(sched)
        #expect(w.findings.contains { $0.kind == "deadlock" && $0.message.contains("mmap_sem") })
        // drawn by the worker: the report, the CPU columns and the swimlanes
        let pic = try #require(dl.picture)
        #expect(pic.report.contains("mmap_sem") && pic.timeline.map { !$0.events.isEmpty } == true)
        let html = HTMLReport.checkPatch(g)
        #expect(html.contains("new in a generated world: deadlock") && html.contains("<svg"))
        #expect(PatchChecker.mail(g).contains("The interleaving (minimized):"))
    }

    @Test func munlockPagevecRevertSelfDeadlocksOnLruLock() throws {
        let r = try check(["0005"], ["munlock-vs-unmap"])
        let row = try #require(r.rows.first)
        #expect(!row.before.failed && row.before.result.exhausted)
        let dl = try #require(row.after.result.findings.first { $0.kind == "deadlock" })
        #expect(dl.message.contains("lru_lock"))
        // the reported schedule replays on the patched build
        let v = try VariantBuilder.build(patches: [try Self.patch("0005")])
        let w = try World(scenario: "munlock-vs-unmap", api: v.api)
        try w.run(token: dl.token)
        #expect(w.findings.contains { $0.kind == "deadlock" && $0.message.contains("lru_lock") })
    }

    /// The verdict is regression-aware: findings the unpatched code already
    /// has (the NR_MLOCK drift, the exit-time leak) do not make the seed fix bad.
    @Test func seedFixIsGoodOnEveryScenarioWithTheOldFindingsUnchanged() throws {
        var r = try PatchChecker.check(patches: [try Self.patch("0001")],
                                       options: PatchCheckOptions(timePerScenario: 300, jobs: 2))
        #expect(r.verdict == .good && r.exitCode == 0)
        #expect(r.fixedCount >= 4 && r.newCount == 0)
        #expect(r.rows.allSatisfy { $0.before.result.lockCycles.isEmpty }, "the unpatched model has no lock-order cycle")
        #expect(r.rows.allSatisfy { $0.before.result.lockOrderViolations.isEmpty },
                "the unpatched model keeps mm/rmap.c's lock order")
        #expect(r.suiteCycles.isEmpty)
        // the changed function ran (the patched build records what it enters)
        #expect(r.exercised.map(\.code.function) == ["try_to_unmap_cluster"] && r.exercised.allSatisfy(\.ran))
        let munlock = try #require(r.rows.first { $0.scenario == "reclaim-vs-munlock" })
        #expect(munlock.unchanged.map(\.kind) == ["accounting"] && munlock.fixed.isEmpty && munlock.new.isEmpty)
        let seed = try #require(r.rows.first { $0.scenario == "seed-migrate-nonlinear" })
        #expect(seed.fixed.map(\.identity) == ["bug in mlock_vma_page(): kernel BUG at mm/mlock.c:##!"])
        #expect(PatchChecker.table(r).contains("findings: fixed \(r.fixedCount), new 0, unchanged \(r.unchangedCount)"))
        // --absolute: every failing finding after the patch counts
        r = try PatchChecker.check(patches: [try Self.patch("0001")],
                                   options: PatchCheckOptions(scenarios: ["reclaim-vs-munlock"], timePerScenario: 300,
                                                              jobs: 2, absolute: true))
        #expect(r.verdict == .bad && r.exitCode == 1)
    }

    /// A token printed for a patched build names that build's code id; the
    /// cache knows which library has it, so it replays with no patch given.
    @Test func everyNewFindingOfAPatchedBuildReplaysFromItsToken() throws {
        let r = try check(["0004"], ["seed-migrate-nonlinear"])
        let row = try #require(r.rows.first)
        #expect(row.new.contains { !$0.token.isEmpty })
        for f in row.new where !f.token.isEmpty {   // lockdep cycles have no single schedule
            let s = try Schedule(token: f.token)
            let id = try #require(s.codeID)
            #expect(id != KernelAPI.builtin.codeID)
            let cached = try #require(VariantBuilder.cached(codeID: id))
            let w = try World(scenario: row.scenario, api: try KernelAPI.load(path: cached.library))
            try w.run(s)
            let identities = Set(w.findings.map { FoundFinding(kind: $0.kind, message: $0.message, file: $0.file, line: $0.line,
                                                               function: $0.function, task: $0.task, taskName: $0.taskName,
                                                               tolerated: $0.tolerated, failing: true, token: "", count: 1,
                                                               unit: 0, ordinal: 0).identity })
            #expect(identities.contains(f.identity), "\(f.token)")
        }
        // and through the binary, with no --patch
        let cli = CLITests()
        let out = try cli.kharness(["replay", try #require(row.new.first { !$0.token.isEmpty }).token])
        #expect(out.code == 1, "\(out.err)")
        #expect(out.err.contains("is a cached build"))
        // and as pictures: check-patch --timeline / --svg
        let svgs = FileManager.default.temporaryDirectory
            .appendingPathComponent("kharness-test-svg-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        defer { try? FileManager.default.removeItem(at: svgs) }
        let pic = try cli.kharness(["check-patch", try Self.patch("0004"), "--scenarios", "seed-migrate-nonlinear",
                                    "--time", "300", "--fuzz-time", "0", "--timeline", "--svg", svgs.path])
        #expect(pic.code == 1)
        #expect(pic.out.contains("timeline of the new deadlock in seed-migrate-nonlinear"))
        let files = try FileManager.default.contentsOfDirectory(atPath: svgs.path)
        #expect(files.count == row.new.filter { !$0.token.isEmpty }.count)
        #expect(try String(contentsOf: svgs.appendingPathComponent(files[0]), encoding: .utf8).hasPrefix("<svg"))
    }

    /// A patch to a function no scenario reaches is not tested by them: its
    /// verdict is "not exercised" (exit 125), never good.
    @Test func patchToAFunctionNoScenarioRunsIsNotExercised() throws {
        let shim = try ShimSource.locate()
        let memory = try String(contentsOf: shim.appendingPathComponent("mm/memory.c"), encoding: .utf8)
        let fn = try #require(CScanner.functions(in: memory).first { $0.name == "do_anonymous_page" })
        var bytes = Array(memory.utf8)
        bytes.insert(contentsOf: Array("\n\t(void)0;".utf8), at: fn.bodyStart + 1)
        let texts = try patchTexts(SyntheticKernel.diff("mm/memory.c", memory, String(decoding: bytes, as: UTF8.self)))
        var baseline: [String: ExplorationResult] = [:]
        let r = try PatchChecker.check(texts, options: PatchCheckOptions(timePerScenario: 300, jobs: 2),
                                       shim: nil, log: nil, baseline: &baseline)
        #expect(r.exercised.count == 1 && r.exercised[0].code.function == "do_anonymous_page" && !r.exercised[0].ran)
        #expect(r.notExercised && r.verdict == .untestable && r.exitCode == 125)
        #expect(r.verdictText == "not exercised")
        #expect(PatchChecker.table(r).contains("do_anonymous_page() in mm/memory.c (never ran in any explored schedule or generated world)"))
    }

    /// Coverage is by line: a patch to a function that runs, whose changed
    /// line is in a branch no schedule takes, is not exercised; a patch
    /// whose changed lines ran in part says which did.
    @Test func changedLinesAreJudgedByLineNotByFunction() throws {
        let shim = try ShimSource.locate()
        let rmap = try String(contentsOf: shim.appendingPathComponent("mm/rmap.c"), encoding: .utf8)
        let fn = try #require(CScanner.functions(in: rmap).first { $0.name == "try_to_unmap_cluster" })
        let body = String(decoding: Array(rmap.utf8)[fn.bodyStart..<fn.end], as: UTF8.self)
        func check(_ from: String, _ to: String) throws -> PatchCheckReport {
            #expect(body.contains(from))
            // the occurrence in try_to_unmap_cluster()
            let r = try #require(rmap.range(of: from, range: rmap.utf8.index(rmap.utf8.startIndex, offsetBy: fn.bodyStart)..<rmap.endIndex))
            let changed = rmap.replacingCharacters(in: r, with: to)
            let texts = try patchTexts(SyntheticKernel.diff("mm/rmap.c", rmap, changed))
            var baseline: [String: ExplorationResult] = [:]
            return try PatchChecker.check(texts, options: PatchCheckOptions(scenarios: ["seed-reclaim-nonlinear"],
                                                                            timePerScenario: 30, jobs: 1),
                                          shim: nil, log: nil, baseline: &baseline)
        }
        // the pmd is always there in this scenario: the early return never runs
        let never = try check("\tif (!pmd)\n\t\treturn ret;\n", "\tif (!pmd)\n\t\treturn SWAP_FAIL;\n")
        #expect(never.exercised.count == 1 && !never.exercised[0].ran)
        #expect(never.exercised[0].lines?.count == 1 && never.exercised[0].linesRan.isEmpty)
        #expect(never.verdictText == "not exercised" && never.exitCode == 125)
        // a test that runs, and an assignment under it that does not
        let part = try check("\tpmd = mm_find_pmd(mm, address);\n",
                             "\tif (address == 1UL)\n\t\taddress = 2UL;\n\tpmd = mm_find_pmd(mm, address);\n")
        let e = try #require(part.exercised.first)
        #expect(e.ran && !e.complete && e.lines?.count == 2 && e.linesRan.count == 1)
        #expect(part.verdict == .good)
        let line = try #require(e.lines?.min())
        #expect(PatchChecker.table(part).contains("(partly ran: line \(line) ran; \(line + 1) never ran)"))
    }

    /// Changed code that only the generated worlds reach counts as run (and
    /// says so), and the phase aims at it: some of its executions step in
    /// the changed function.  Without the phase the same patch is not
    /// exercised by that scenario.
    @Test func generatedWorldsCountForChangedCodeAndAimAtIt() throws {
        let shim = try ShimSource.locate()
        let trunc = try String(contentsOf: shim.appendingPathComponent("mm/truncate.c"), encoding: .utf8)
        let from = "\treturn truncate_complete_page(mapping, page);\n}"
        #expect(trunc.contains(from))
        let changed = trunc.replacingOccurrences(of: from, with: "\tint ret = truncate_complete_page(mapping, page);\n\treturn ret;\n}")
        let texts = try patchTexts(SyntheticKernel.diff("mm/truncate.c", trunc, changed))
        var baseline: [String: ExplorationResult] = [:]
        var o = PatchCheckOptions(scenarios: ["reclaim-vs-munlock"], timePerScenario: 30, jobs: 1)
        let without = try PatchChecker.check(texts, options: o, shim: nil, log: nil, baseline: &baseline)
        #expect(without.notExercised && without.verdictText == "not exercised")
        o.fuzzTime = 60
        o.fuzzExecs = 1500
        let with = try PatchChecker.check(texts, options: o, shim: nil, log: nil, baseline: &baseline)
        let e = try #require(with.exercised.first)
        #expect(e.code.function == "truncate_inode_page" && e.ran && e.onlyGenerated && e.complete)
        #expect(with.generatedAimed > 0 && with.generatedAimed < with.generatedExecs)
        #expect(with.verdict == .good && !with.notExercised)
        #expect(PatchChecker.patchSummary(with).contains("(ran: lines "))
        #expect(PatchChecker.patchSummary(with).contains("(in generated worlds only)"))
    }

    @Test func seriesExitsNonZeroWhenAColumnIsBad() throws {
        let cli = CLITests()
        let r = try cli.kharness(["check-patch", "--series", Self.repo.appendingPathComponent("Patches/series").path,
                                  "--scenarios", "seed-migrate-nonlinear,munlock-vs-unmap", "--time", "2", "--first",
                                  "--fuzz-time", "0"])
        #expect(r.code == 1, "\(r.out)\(r.err)")
        #expect(r.out.contains("fixed/new"))
    }

    @Test func nrMlockDriftIsFoundAndFixedBy0006() throws {
        let r = try check(["0006"], ["reclaim-vs-munlock"])
        let row = try #require(r.rows.first)
        #expect(row.before.result.findings.contains { $0.kind == "accounting" && $0.message.contains("NR_MLOCK") })
        #expect(!row.after.failed && row.after.result.exhausted)
    }

    @Test func bisectExitCodesFromTheBinary() throws {
        let cli = CLITests()
        let before = try VariantTests.treeDigest()
        let good = try cli.kharness(["check-patch", try Self.patch("0001"), "--scenarios", Self.seeds.joined(separator: ","),
                                     "--first", "--fuzz-time", "0"])
        #expect(good.code == 0, "\(good.out)\(good.err)")
        #expect(good.out.contains("verdict: good"))
        let bad = try cli.kharness(["check-patch", try Self.patch("0004"), "--scenarios", "seed-migrate-nonlinear", "--first",
                                    "--fuzz-time", "0"])
        #expect(bad.code == 1)
        let untestable = try cli.kharness(["check-patch", VariantTests.fixture("does-not-apply.patch")])
        #expect(untestable.code == 125)
        #expect(untestable.out.contains("FAILED"))
        let broken = try cli.kharness(["check-patch", VariantTests.fixture("does-not-compile.patch")])
        #expect(broken.code == 125)
        #expect(broken.out.contains("error"))
        let missing = try cli.kharness(["check-patch", "/nonexistent.patch"])
        #expect(missing.code == 2)
        #expect(missing.err.contains("no such patch file"))
        let json = try cli.kharness(["check-patch", try Self.patch("0001"), "--scenarios", "seed-migrate-nonlinear",
                                     "--time", "300", "--json", "--fuzz-time", "0"])
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [String: Any])
        #expect(obj["verdict"] as? String == "good")
        let rows = try #require(obj["rows"] as? [[String: Any]])
        #expect(rows.first?["scenario"] as? String == "seed-migrate-nonlinear")
        #expect((rows.first?["after"] as? [String: Any])?["exhausted"] as? Bool == true)
        #expect(try VariantTests.treeDigest() == before, "check-patch changed the working tree")
    }

    @Test func everyPatchAppliesAloneAndTheStackAppliesCumulatively() throws {
        let series = try String(contentsOf: Self.repo.appendingPathComponent("Patches/series"), encoding: .utf8)
        var stack: [String] = []
        for line in series.split(separator: "\n") where !line.hasPrefix("#") {
            let name = String(line.split(separator: " ")[0])
            let path = Self.repo.appendingPathComponent("Patches/\(name)").path
            _ = try VariantBuilder.build(patches: [path])
            if !line.contains("alternative") { stack.append(path) }
        }
        #expect(stack.count >= 2)
        _ = try VariantBuilder.build(patches: stack)
    }
}
