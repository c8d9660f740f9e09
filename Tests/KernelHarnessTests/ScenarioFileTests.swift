// SPDX-License-Identifier: GPL-2.0-only
//
// Scenario files: the built-in ones (CKernelShim/scenarios/) and the
// generated header the library is compiled with, and files given on the
// command line (run, replay, new, check-patch, fuzz).
import Foundation
import Testing
@testable import KernelHarness

@Suite struct ScenarioFileTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let shim = root.appendingPathComponent("CKernelShim")

    static func write(_ text: String, _ name: String, in dir: URL) throws -> String {
        let u = dir.appendingPathComponent(name)
        try text.write(to: u, atomically: true, encoding: .utf8)
        return u.path
    }

    // MARK: the built-in files and the header

    @Test func generatedHeaderIsCurrentAndBothGeneratorsAgree() throws {
        let committed = try String(contentsOf: Self.shim.appendingPathComponent(ScenarioFile.headerPath), encoding: .utf8)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = [Self.root.appendingPathComponent("mk/scenarios-header.sh").path, Self.shim.path]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let script = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        #expect(script == committed, "CKernelShim/runtime/scenarios_builtin.h is stale: run make scenarios (then make codeid)")
        #expect(try ScenarioFile.header(shim: Self.shim) == committed)
        #expect(try ScenarioFile.headerIsCurrent(in: Self.shim))
    }

    @Test func aChangedScenarioFileMakesTheHeaderStale() throws {
        let tree = try Scratch.make("scn-stale")
        defer { try? FileManager.default.removeItem(at: tree) }
        try FileManager.default.createDirectory(at: tree.appendingPathComponent("runtime"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: Self.shim.appendingPathComponent("scenarios"), to: tree.appendingPathComponent("scenarios"))
        try FileManager.default.copyItem(at: Self.shim.appendingPathComponent(ScenarioFile.headerPath),
                                         to: tree.appendingPathComponent(ScenarioFile.headerPath))
        #expect(try ScenarioFile.headerIsCurrent(in: tree))
        let f = tree.appendingPathComponent("scenarios/toy-abba.scenario")
        try (try String(contentsOf: f, encoding: .utf8) + "# one more line\ntask t2 abba\n").write(to: f, atomically: true, encoding: .utf8)
        #expect(try !ScenarioFile.headerIsCurrent(in: tree))
        try ScenarioFile.updateHeader(in: tree)
        #expect(try ScenarioFile.headerIsCurrent(in: tree))
        #expect(try String(contentsOf: tree.appendingPathComponent(ScenarioFile.headerPath), encoding: .utf8)
            .contains("\"task t2 abba\\n\""))
    }

    /// The registry is exactly the files: same names, same summaries, and
    /// each file's spec lines in order.
    @Test func registryHoldsExactlyTheFiles() throws {
        let files = try ScenarioFile.builtinFiles(shim: Self.shim)
        let names = files.map { String($0.lastPathComponent.dropLast(ScenarioFile.suffix.count)) }
        let registered = Scenario.all().map(\.name)
        #expect(registered == names)
        #expect(names.count >= 20)
        for (u, name) in zip(files, names) {
            let sc = try Scenario(registered: name)
            let fromFile = try ScenarioFile.load(path: u.path)
            #expect(fromFile.name.hasPrefix(name + "@"))
            #expect(fromFile.summary == sc.summary)
            #expect(!sc.summary.isEmpty)
            #expect(fromFile.expectations.map(\.description) == sc.expectations.map(\.description))
            #expect(!sc.expectations.isEmpty, "\(name) has no expect line")
            // the spec lines of the file, in order, are the registered spec
            let specLines = fromFile.spec.split(separator: "\n").filter {
                let t = $0.drop { $0 == " " || $0 == "\t" }
                return !t.hasPrefix("#") && !t.hasPrefix("scenario ") && !t.hasPrefix("summary ")
            }
            #expect(specLines == sc.spec.split(separator: "\n"), "\(name)")
        }
    }

    /// Ground truth: every built-in scenario finds what its file expects
    /// (DPOR, as `kharness run` explores by default).
    @Test func everyBuiltinScenarioMeetsItsExpectations() throws {
        for sc in Scenario.all() where !sc.isLarge { try Self.meetsItsExpectations(sc) }
    }

    /// The large ones (each a while in a debug build), side by side.
    @Test(arguments: Scenario.all().filter(\.isLarge).map(\.name))
    func largeBuiltinScenarioMeetsItsExpectations(_ name: String) throws {
        try Self.meetsItsExpectations(try Scenario(registered: name))
    }

    static func meetsItsExpectations(_ sc: Scenario) throws {
        let several = sc.expectations.filter { !$0.isClean }.count > 1
        let e = Explorer(sc, strategy: .dpor,
                         options: ExploreOptions(timeLimit: 60, stopOnFirstFinding: !several, jobs: 1))
        let r = try e.run()
        let c = ExpectationCheck(sc.expectations, findings: r.findings)
        #expect(c.met, "\(sc.name): \(c.items) unexpected \(c.unexpected)")
    }

    /// `tag large`: read from files and from the registry, skipped by the
    /// world builder, refused when unknown; the suites that run every
    /// scenario leave large ones out, and the registry has the 3- and
    /// 4-task ones among them.
    @Test func largeScenariosAreTaggedAndLeftOutOfTheSuites() throws {
        let text = "scenario t\nsummary s\ntag large\nmodel toy\ntask t0 incr 1\nexpect clean\n"
        let sc = try ScenarioFile.parse(Data(text.utf8), path: "t.scenario")
        #expect(sc.tags == ["large"] && sc.isLarge)
        #expect(try World(spec: text).taskCount == 1)
        #expect(!(try ScenarioFile.parse(Data(text.replacingOccurrences(of: "tag large\n", with: "").utf8),
                                         path: "t.scenario")).isLarge)
        #expect {
            _ = try ScenarioFile.parse(Data(text.replacingOccurrences(of: "tag large", with: "tag huge").utf8), path: "t.scenario")
        } throws: { "\($0)".contains("t.scenario:3: unknown tag 'huge'") }
        let all = Scenario.all()
        let large = all.filter(\.isLarge).map(\.name)
        for n in ["seed-reclaim-migrate-munlock", "mlock-vs-2munlock", "reclaim2-vs-exit", "reclaim-migrate-munlock-vs-mlock"] {
            #expect(large.contains(n), "\(n)")
            #expect(try Scenario(registered: n).isLarge)
        }
        let largeTasks = try all.filter(\.isLarge).map { try $0.makeWorld().taskCount }
        #expect(!largeTasks.isEmpty && largeTasks.allSatisfy { $0 >= 3 } && largeTasks.contains(4))
        let suite = Scenario.suiteNames()
        #expect(!suite.isEmpty && suite.allSatisfy { !$0.hasPrefix("toy-") && !large.contains($0) })
        #expect(Set(suite).union(large).union(all.map(\.name).filter { $0.hasPrefix("toy-") }) == Set(all.map(\.name)))
    }

    @Test func worldBuilderTakesAScenarioFileAsItIs() throws {
        let text = try String(contentsOf: Self.shim.appendingPathComponent("scenarios/toy-lost-update.scenario"), encoding: .utf8)
        let w = try World(spec: text)
        #expect(w.scenario == "toy-lost-update")
        #expect(w.taskCount == 2)
        // without a scenario line the world is named by its spec's hash
        let plain = try World(spec: "model toy\ntask t0 incr 1\n")
        #expect(plain.scenario.hasPrefix("spec-"))
        #expect(throws: HarnessError.self) { try World(spec: "scenario a:b\nmodel toy\ntask t0 incr 1\n") }
    }

    // MARK: parsing

    @Test func expectationsMatchKindAndPlace() {
        let f = FoundFinding(kind: "bug", message: "m", file: "mm/mlock.c", line: 73, function: "mlock_vma_page",
                             task: 0, taskName: "t", tolerated: false, failing: true, token: "", count: 1, unit: 0, ordinal: 0)
        #expect(Expectation(kind: "bug", place: "mm/mlock.c:73").matches(f))
        #expect(Expectation(kind: "bug", place: "mm/mlock.c").matches(f))
        #expect(Expectation(kind: "bug", place: "mlock_vma_page").matches(f))
        #expect(Expectation(kind: "bug").matches(f))
        #expect(!Expectation(kind: "bug", place: "mm/mlock.c:74").matches(f))
        #expect(!Expectation(kind: "bug", place: "mm/mlock.c:7").matches(f))
        #expect(!Expectation(kind: "leak", place: "mm/mlock.c:73").matches(f))
        #expect(!Expectation(kind: "bug", place: "munlock_vma_page").matches(f))
        #expect(ExpectationCheck([Expectation(kind: "clean")], findings: [f]).met == false)
        #expect(ExpectationCheck([Expectation(kind: "clean")], findings: []).met)
        #expect(ExpectationCheck([Expectation(kind: "bug")], findings: []).met == false)
        // a failing finding no expectation names is not met either
        #expect(ExpectationCheck([Expectation(kind: "leak")], findings: [f]).unexpected == ["bug at mm/mlock.c:73"])
    }

    @Test(arguments: [
        ("scenario a\nscenario b\nmodel toy\ntask t0 incr 1\n", ":2:", "a second 'scenario' line"),
        ("scenario bad/name\nmodel toy\ntask t0 incr 1\n", ":1:", "scenario name"),
        ("summary\nmodel toy\ntask t0 incr 1\n", ":1:", "usage: summary"),
        ("model toy\ntask t0 incr 1\nexpect clean\nexpect bug\n", ":4:", "after 'expect clean' on line 3"),
        ("model toy\ntask t0 incr 1\nexpect bug mm/mlock.c:x\n", ":3:", "expected FILE:LINE"),
        ("model toy\ntask t0 incr 1\nexpect bug a b\n", ":3:", "usage: expect KIND"),
        ("# c\nmodel mm\nfile f0 pages 1\ntask r reclaim f0:7\n", ":4:", "task r"),
        ("model mm\nfile f0 pages 1\nexpect bgu mm/mlock.c:1\ntask r reclaim f0:0\n", ":3:", "expect KIND [WHERE]"),
        ("model nosuch\n", ":1:", "unknown model"),
    ])
    func malformedFilesNameTheirLine(text: String, at: String, why: String) throws {
        #expect {
            _ = try ScenarioFile.parse(Data(text.utf8), path: "x.scenario")
        } throws: { e in
            let m = "\(e)"
            return m.hasPrefix("x.scenario" + at) && m.contains(why)
        }
    }

    @Test func fileScenarioIsNamedByItsHash() throws {
        let text = "summary s\nmodel toy\ntask t0 incr 1\ntask t1 incr 1\n"
        let a = try ScenarioFile.parse(Data(text.utf8), path: "/d/my-test.scenario")
        #expect(a.name == "my-test@" + ScenarioFile.hash(Data(text.utf8)))
        #expect(a.summary == "s")
        #expect(try a.makeWorld().scenario == a.name)
        let b = try ScenarioFile.parse(Data((text + "# changed\n").utf8), path: "/d/my-test.scenario")
        #expect(b.name != a.name)
        #expect(b.name.hasPrefix("my-test@"))
        let named = try ScenarioFile.parse(Data(("scenario other\n" + text).utf8), path: "/d/my-test.scenario")
        #expect(named.name.hasPrefix("other@"))
    }

    @Test func createdFileContentComesOutOfItsDiff() throws {
        let diff = """
        diff --git a/scenarios/new.scenario b/scenarios/new.scenario
        new file mode 100644
        --- /dev/null
        +++ b/scenarios/new.scenario
        @@ -0,0 +1,3 @@
        +model toy
        +task t0 incr 1
        +task t1 incr 1

        """
        #expect(ScenarioFile.createdContent(diff) == Data("model toy\ntask t0 incr 1\ntask t1 incr 1\n".utf8))
        #expect(ScenarioFile.isAddedScenario("scenarios/new.scenario"))
        #expect(!ScenarioFile.isAddedScenario("scenarios/sub/new.scenario"))
        #expect(!ScenarioFile.isAddedScenario("mm/new.scenario"))
    }

    // MARK: fuzz seeds

    @Test func mmScenarioSeedsTheFuzzerWithTheSameWorld() throws {
        let sc = try Scenario(registered: "seed-reclaim-nonlinear")
        let input = try FuzzInput(scenario: sc)
        #expect(input.tasks == ["reclaim f0:0", "reclaim f0:2"])
        // the converted world finds the same bug at the same place
        let r = try Explorer(Scenario(name: "seeded", spec: input.spec), strategy: .dpor,
                             options: ExploreOptions(timeLimit: 30, stopOnFirstFinding: true, jobs: 1)).run()
        #expect(r.findings.contains { $0.kind == "bug" && $0.location == "mm/mlock.c:73" })
        // a tagged file seeds it too (the tag is not a world line)
        let large = try FuzzInput(scenario: Scenario(registered: "reclaim2-vs-exit"))
        #expect(large.tasks == ["reclaim f0:0", "reclaim f0:1", "exit mm0"])
        #expect(throws: HarnessError.self) { try FuzzInput(scenario: Scenario(registered: "migrate-anon-vs-cow")) }
        #expect(throws: HarnessError.self) { try FuzzInput(scenario: Scenario(registered: "toy-abba")) }
    }
}

/// The command line with scenario files.
@Suite struct ScenarioFileCLITests {
    func kharness(_ args: [String]) throws -> (code: Int32, out: String, err: String) {
        guard CLI.binary != nil else {
            Issue.record("kharness binary not built next to the tests")
            return (-1, "", "")
        }
        return try CLI.kharness(args)
    }

    static let seedText = (try? String(contentsOf: ScenarioFileTests.shim.appendingPathComponent("scenarios/seed-reclaim-nonlinear.scenario"),
                                       encoding: .utf8)) ?? ""

    /// run FILE -> token -> replay TOKEN --scenario FILE; a changed file no
    /// longer replays the token.
    @Test func runTokenReplayRoundTrip() throws {
        let dir = try Scratch.make("scn-roundtrip")
        defer { try? FileManager.default.removeItem(at: dir) }
        let text = Self.seedText.replacingOccurrences(of: "scenario seed-reclaim-nonlinear", with: "scenario my-reclaim")
        let file = try ScenarioFileTests.write(text, "my-reclaim.scenario", in: dir)
        let hash = ScenarioFile.hash(Data(text.utf8))
        let r = try kharness(["run", file, "--json", "--jobs", "1"])
        #expect(r.code == 0, "expectations met: \(r.err)")
        let j = try #require(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])
        try SchemaCheck.validate(r.out, schema: "run")
        #expect(j["scenario"] as? String == "my-reclaim@\(hash)")
        let ex = try #require(j["expectations"] as? [String: Any])
        #expect(ex["met"] as? Bool == true)
        let f = try #require((j["findings"] as? [[String: Any]])?.first { $0["failing"] as? Bool == true })
        let token = try #require(f["token"] as? String)
        #expect(token.hasPrefix("ksim1:my-reclaim@\(hash):"))
        let rep = try kharness(["replay", token, "--scenario", file])
        #expect(rep.code == 1)
        #expect(rep.out.contains("kernel BUG at mm/mlock.c:73!"))
        // the same bytes under another name still replay: the hash names them
        let copy = try ScenarioFileTests.write(text, "elsewhere.scenario", in: dir)
        #expect(try kharness(["replay", token, "--scenario", copy]).code == 1)
        let changed = try ScenarioFileTests.write(text + "# edited\n", "edited.scenario", in: dir)
        let bad = try kharness(["replay", token, "--scenario", changed])
        #expect(bad.code == 2)
        #expect(bad.err.contains("the file changed since the token was recorded"))
    }

    @Test func expectationsDecideTheExitCodeOfAFile() throws {
        let dir = try Scratch.make("scn-expect")
        defer { try? FileManager.default.removeItem(at: dir) }
        let buggy = "model toy\nexpect counter 2\ntask t0 incr 1\ntask t1 incr 1\n"
        let wrong = try ScenarioFileTests.write(buggy + "expect clean\n", "wrong.scenario", in: dir)
        let r1 = try kharness(["run", wrong])
        #expect(r1.code == 1)
        #expect(r1.out.contains("NOT MET: expect clean"))
        let right = try ScenarioFileTests.write(buggy + "expect accounting model/toy.c\n", "right.scenario", in: dir)
        let r2 = try kharness(["run", right])
        #expect(r2.code == 0)
        #expect(r2.out.contains("met: expect accounting model/toy.c"))
        let none = try ScenarioFileTests.write(buggy, "none.scenario", in: dir)
        #expect(try kharness(["run", none]).code == 1)
        let clean = try ScenarioFileTests.write("model toy\ntask t0 locked_incr 1\ntask t1 locked_incr 1\nexpect clean\n",
                                                "clean.scenario", in: dir)
        #expect(try kharness(["run", clean]).code == 0)
    }

    @Test func malformedFileIsALineNumberedErrorAndExit2() throws {
        let dir = try Scratch.make("scn-bad")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = try ScenarioFileTests.write("summary s\nmodel mm\nfile f0 pages 2\nvma mm0 v0 f0 0 2 0 locked\ntask r reclaim f0:0\n",
                                               "bad.scenario", in: dir)
        let r = try kharness(["run", file])
        #expect(r.code == 2)
        #expect(r.err.contains("bad.scenario:4: "))
        #expect(r.err.contains("mm0"))
        #expect(r.out.isEmpty)
        let missing = try kharness(["run", dir.appendingPathComponent("nope.scenario").path])
        #expect(missing.code == 2)
        #expect(missing.err.contains("no such scenario file"))
    }

    @Test func newWritesAStartingFileThatRuns() throws {
        let dir = try Scratch.make("scn-new")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("mine.scenario").path
        let r = try kharness(["new", file, "--from", "seed-reclaim-nonlinear"])
        #expect(r.code == 0, "\(r.err)")
        let text = try String(contentsOfFile: file, encoding: .utf8)
        #expect(text.contains("scenario mine\n"))
        #expect(text.contains("task reclaim0 reclaim f0:0\n"))
        #expect(text.contains("expect bug mm/mlock.c:73\n"))
        let run = try kharness(["run", file, "--jobs", "1"])
        #expect(run.code == 0)
        #expect(run.out.contains("expectations met"))
        // an existing file is kept
        let again = try kharness(["new", file, "--from", "toy-abba"])
        #expect(again.code == 2)
        #expect(try String(contentsOfFile: file, encoding: .utf8) == text)
        #expect(try kharness(["new", dir.appendingPathComponent("x.txt").path]).code == 2)
        #expect(try kharness(["new", dir.appendingPathComponent("y.scenario").path, "--from", "nosuch"]).code == 2)
    }

    @Test func fuzzStartsFromScenarioFiles() throws {
        let dir = try Scratch.make("scn-fuzz")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = try ScenarioFileTests.write(Self.seedText, "seed.scenario", in: dir)
        let r = try kharness(["fuzz", "--seed-corpus", file, "--max-execs", "20", "--json"])
        #expect(r.code == 1, "the seed's bug is found from its world")
        try SchemaCheck.validate(r.out, schema: "fuzz")
        let j = try #require(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])
        #expect(j["seeded"] as? Int == 1)
        let anon = try ScenarioFileTests.write(
            try String(contentsOf: ScenarioFileTests.shim.appendingPathComponent("scenarios/migrate-anon-vs-cow.scenario"), encoding: .utf8),
            "anon.scenario", in: dir)
        let bad = try kharness(["fuzz", "--seed-corpus", anon, "--max-execs", "1"])
        #expect(bad.code == 2)
        #expect(bad.err.contains("'anon' lines"))
    }
}

/// The live progress line of `kharness run`.
@Suite struct ProgressLineTests {
    func progress(failing: Int, tolerated: Int, done: Int = 4, planned: Int? = 16) -> Explorer.Progress {
        Explorer.Progress(schedules: 21_324, findings: failing + tolerated, seconds: 8, unitsDone: done,
                          unitsPlanned: planned, failing: failing, tolerated: tolerated)
    }

    @Test func countsFailingAndToleratedApartAndShowsTimeLeft() {
        let l = ProgressLine.text(progress(failing: 0, tolerated: 2), timeLimit: nil, width: 200)
        #expect(l.contains("0 failing"))
        #expect(l.contains("2 tolerated"))
        #expect(!l.contains("findings"))
        // 4 of 16 units in 8 s: 24 s left
        #expect(l.contains("~24.0s left"), "\(l)")
        #expect(l.contains("4/16 units"))
        let t = ProgressLine.text(progress(failing: 1, tolerated: 0, planned: nil), timeLimit: 10, width: 200)
        #expect(t.contains("~2.0s left"), "\(t)")
    }

    @Test(arguments: [20, 40, 60, 80, 120])
    func fitsTheTerminal(width: Int) {
        let l = ProgressLine.text(progress(failing: 3, tolerated: 12), timeLimit: 3600, width: width)
        #expect(l.count <= width - 1)
        #expect(l.hasPrefix("21324 schedules"))
    }
}

/// A patch may add a scenario file: check-patch runs it on both sides, and
/// the patched build's registry has it.
@Suite(.serialized) struct PatchAddedScenarioTests {
    static let scenario = """
        # SPDX-License-Identifier: GPL-2.0-only
        scenario locked-pair
        summary two increments under the counter's spinlock
        model toy
        expect counter 2
        task t0 locked_incr 1
        task t1 locked_incr 1
        expect clean

        """

    /// A unified diff creating CKernelShim/scenarios/locked-pair.scenario.
    static func addingPatch(in dir: URL) throws -> String {
        let lines = scenario.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        var p = "--- /dev/null\n+++ b/scenarios/locked-pair.scenario\n@@ -0,0 +1,\(lines.count) @@\n"
        for l in lines { p += "+\(l)\n" }
        let u = dir.appendingPathComponent("add-scenario.patch")
        try p.write(to: u, atomically: true, encoding: .utf8)
        return u.path
    }

    @Test func checkPatchRunsTheScenarioAPatchAdds() throws {
        let dir = try Scratch.make("scn-added")
        defer { try? FileManager.default.removeItem(at: dir) }
        let drop = ScenarioFileTests.root.appendingPathComponent("Tests/Fixtures/patches/toy-drop-lock.patch").path
        let r = try PatchChecker.check(patches: [drop, try Self.addingPatch(in: dir)],
                                       options: PatchCheckOptions(scenarios: ["toy-locked-update"], timePerScenario: 60, jobs: 1))
        let row = try #require(r.rows.first { $0.scenario.hasPrefix("locked-pair@") }, "\(r.rows.map(\.scenario))")
        #expect(row.scenario == "locked-pair@" + ScenarioFile.hash(Data(Self.scenario.utf8)))
        // the unpatched code keeps the count; without the lock one update is lost
        #expect(!row.before.failed)
        #expect(row.after.failed)
        #expect(!row.new.isEmpty)
        #expect(r.verdict == .bad)
    }

    @Test func patchedBuildRegistersTheAddedScenario() throws {
        let dir = try Scratch.make("scn-added-build")
        defer { try? FileManager.default.removeItem(at: dir) }
        let v = try VariantBuilder.build(patches: [try Self.addingPatch(in: dir)])
        let info = try #require(v.api.scenario(named: "locked-pair"))
        #expect(info.summary == "two increments under the counter's spinlock")
        #expect(KernelAPI.builtin.scenario(named: "locked-pair") == nil)
        #expect(try World(scenario: "locked-pair", api: v.api).taskCount == 2)
    }
}
