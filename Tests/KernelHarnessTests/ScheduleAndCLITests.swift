// SPDX-License-Identifier: GPL-2.0-only
import Testing
import Foundation
@testable import KernelHarness

@Suite struct ScheduleTokenTests {
    @Test func swiftAndCTokensAgreeAndRoundTrip() throws {
        for name in ["toy-lost-update", "toy-rwsem-recursive", "toy-independent", "toy-owner"] {
            let w = try World(scenario: name)
            for seed in 0..<50 {
                w.runRandom(seed: UInt64(seed))
                let s = w.schedule
                #expect(s.token == w.token, "Swift encodes like C")
                let back = try Schedule(token: w.token)
                #expect(back == s)
                #expect(back.token == w.token, "round trip is exact")
            }
        }
        #expect(Schedule.encode([0, 0, 0, 1, 1, 0]) == "a3b2a")
        #expect(try Schedule(token: "a3b2a").choices == [0, 0, 0, 1, 1, 0])
        #expect(try Schedule(token: "ksim1:*:*:a12").choices == Array(repeating: 0, count: 12))
        let any = try Schedule(token: "ksim1:*:*:ab")
        #expect(any.scenario == nil && any.codeID == nil && any.token == "ksim1:*:*:ab")
    }

    @Test(arguments: [
        ("a2x", 3, "task letter"),
        ("ksim2:toy:abc:ab", 5, "version"),
        ("ksim1:toy-abba", 15, "missing ':'"),
        ("ab0", 3, "repeat count"),
        ("ab c", 4, "unexpected text"),
        ("ksim1::x:ab", 7, "empty field"),
    ])
    func parseErrorsSayWhereAndWhy(token: String, position: Int, reason: String) {
        do {
            _ = try Schedule(token: token)
            Issue.record("accepted \(token)")
        } catch let e as HarnessError {
            #expect(e.description.contains("position \(position):"), "\(e)")
            #expect(e.description.contains(reason), "\(e)")
        } catch { Issue.record("\(error)") }
    }

    @Test func otherScenarioOrOtherCodeIsAMismatch() throws {
        let w = try World(scenario: "toy-abba")
        #expect(throws: HarnessError.mismatch("schedule token is for scenario 'toy-lost-update', not 'toy-abba'")) {
            try w.run(try Schedule(token: "ksim1:toy-lost-update:*:ab"))
        }
        do {
            try w.run(try Schedule(token: "ksim1:toy-abba:0000deadbeef:ab"))
            Issue.record("token of other code accepted")
        } catch let e as HarnessError {
            guard case .mismatch(let m) = e else { Issue.record("\(e)"); return }
            #expect(m.contains("0000deadbeef") && m.contains(w.api.codeID))
        }
        #expect(throws: HarnessError.self) { try w.run(try Schedule(token: "ksim1:toy-abba:*:abc")) }
    }
}

@Suite struct PCTTests {
    /// Lost update is a depth-2 bug: t_y's load must fall between t_x's load
    /// and store.  PCT guarantees probability >= 1/(n·k^(d-1)) per schedule.
    @Test(arguments: [
        Scenario(name: "lost-update-2", setup: ["expect counter 2"],
                 tasks: [TaskSpec("t0", "incr 1"), TaskSpec("t1", "incr 1")]),
        Scenario(name: "lost-update-3", setup: ["expect counter 2"],
                 tasks: [TaskSpec("t0", "incr 1"), TaskSpec("t1", "incr 1"), TaskSpec("t2", "points 4")]),
        Scenario(name: "lost-update-long", setup: ["expect counter 2"],
                 tasks: [TaskSpec("t0", "incr 1"), TaskSpec("t1", "points 6"), TaskSpec("t2", "incr 1")]),
    ])
    func findsDepthTwoBugAtItsGuaranteedRate(_ s: Scenario) throws {
        let seeds = 2000
        let r = try Explorer(s, strategy: .pct(seed: 42, depth: 2),
                             options: ExploreOptions(maxSchedules: seeds, stopOnFirstFinding: false)).run()
        let w = try s.makeWorld()
        w.runRoundRobin()
        let n = Double(w.taskCount), k = Double(w.stats.steps)
        let guaranteed = 1 / (n * k)
        let hits = r.findings.first { $0.kind == "accounting" }?.count ?? 0
        let rate = Double(hits) / Double(r.schedules)
        #expect(r.schedules == seeds)
        #expect(rate >= guaranteed, "\(s.name): rate \(rate) < 1/(n·k) = \(guaranteed)")
    }

    @Test func depthMustBePositive() {
        let s = Scenario(name: "x", tasks: [TaskSpec("t0", "points 1")])
        #expect(throws: HarnessError.self) { try Explorer(s, strategy: .pct(seed: 1, depth: 0)).validate() }
    }
}

@Suite struct MinimizerTests {
    @Test(arguments: ["toy-lost-update", "toy-abba", "toy-owner", "toy-rwsem-recursive"])
    func minimizedScheduleFailsTheSameWayWithNoMorePreemptions(_ name: String) throws {
        let s = try Scenario(registered: name)
        let r = try Explorer(s, strategy: .random(seed: 9),
                             options: ExploreOptions(maxSchedules: 300, stopOnFirstFinding: false)).run()
        let failing = r.findings.filter(\.failing)
        #expect(!failing.isEmpty)
        let w = try s.makeWorld()
        let m = Minimizer(world: w, budget: 2000)
        // the first failing schedule of many seeds, not only the first
        let check = try s.makeWorld()
        for seed in 0..<40 {
            check.runRandom(seed: UInt64(seed))
            guard check.failed, let f = check.findings.first(where: { !$0.tolerated }) else { continue }
            let input = check.schedule
            let inputPre = check.preemptions(of: input.choices)
            let out = try m.minimize(input, signature: f.signature)
            #expect(out.preemptions <= inputPre)
            #expect(out.originalPreemptions == inputPre)
            try check.run(out.schedule)
            #expect(check.findings.contains { $0.signature == f.signature }, "\(out.schedule.token)")
            #expect(check.preemptions(of: out.schedule.choices) == out.preemptions)
        }
    }

    @Test func lostUpdateNeedsExactlyOnePreemption() throws {
        let w = try World(scenario: "toy-lost-update")
        let out = try Minimizer(world: w).minimize(try Schedule(token: "abab"),
                                                   signature: "accounting@model/toy.c:95")
        #expect(out.preemptions == 1)
        #expect(out.originalPreemptions == 2)
    }
}

@Suite struct ParallelAndShardTests {
    static let cases: [(String, Strategy)] = [
        ("toy-lost-update", .dfs(preemptionBound: nil)), ("toy-lost-update", .dpor),
        ("toy-rwsem-recursive", .dpor), ("toy-independent", .dfs(preemptionBound: 1)),
        ("toy-owner", .random(seed: 5)), ("toy-abba", .pct(seed: 3, depth: 2)),
    ]

    struct Summary: Equatable {
        var schedules: Int, blocked: Int, steps: UInt64, states: Set<UInt64>
        var findings: [String], exhausted: Bool
        init(_ r: ExplorationResult) {
            schedules = r.schedules; blocked = r.blocked; steps = r.steps; states = r.finalStates
            findings = r.findings.map { "\($0.signature) \($0.token) \($0.count) \($0.minimized?.schedule.token ?? "")" }
            exhausted = r.exhausted
        }
    }

    func run(_ name: String, _ st: Strategy, jobs: Int = 1, shard: Shard? = nil, stop: Bool,
             max: Int? = nil) throws -> ExplorationResult {
        let e = Explorer(try Scenario(registered: name), strategy: st,
                         options: ExploreOptions(maxSchedules: max ?? (st.isSystematic ? nil : 500),
                                                 stopOnFirstFinding: stop, jobs: jobs, shard: shard, units: 8))
        var r = try e.run()
        try e.minimizeFindings(&r, budget: 500)
        return r
    }

    @Test func jobsOneAndTwoAgree() throws {
        for (name, st) in Self.cases {
            for stop in [false, true] {
                for max in [nil, 3] as [Int?] {
                    let one = try run(name, st, jobs: 1, stop: stop, max: max)
                    let two = try run(name, st, jobs: 2, stop: stop, max: max)
                    #expect(Summary(one) == Summary(two), "\(name) \(st.name) stop=\(stop) max=\(String(describing: max))")
                }
            }
        }
    }

    @Test func shardsAreDisjointAndMergeIntoTheUnshardedRun() throws {
        for (name, st) in Self.cases {
            for stop in [false, true] {
                let whole = try run(name, st, stop: stop)
                for n in [2, 3] {
                    var reports: [RunReport] = []
                    var seen = Set<Int>()
                    for i in 0..<n {
                        let r = try run(name, st, jobs: 2, shard: try Shard(index: i, count: n), stop: stop)
                        let mine = Set(r.units.map(\.index))
                        #expect(seen.isDisjoint(with: mine), "shards overlap")
                        seen.formUnion(mine)
                        #expect(mine.allSatisfy { $0 % n == i })
                        // through JSON, as merge gets them
                        let json = RunReport(r).json
                        try SchemaCheck.validate(json, schema: "run")
                        reports.append(try RunReport.decode(Data(json.utf8)))
                    }
                    if !stop { #expect(seen == Set(0..<(whole.unitsPlanned ?? 0)), "union covers every unit") }
                    let merged = try Explorer.merge(reports.reversed())
                    #expect(Summary(merged) == Summary(whole), "\(name) \(st.name) stop=\(stop) n=\(n)")
                }
            }
        }
    }

    @Test func badShardsAreRejected() {
        #expect(throws: HarnessError.self) { try Shard(parsing: "3/2") }
        #expect(throws: HarnessError.self) { try Shard(parsing: "0/2") }
        #expect(throws: HarnessError.self) { try Shard(parsing: "1-2") }
        #expect((try? Shard(parsing: "2/2"))?.index == 1)
    }
}

@Suite struct ReplayTests {
    @Test func everyReportedTokenReplaysByteForByte() throws {
        for s in toyPrograms {
            let e = Explorer(s, strategy: .dpor, options: ExploreOptions(stopOnFirstFinding: false))
            var r = try e.run()
            try e.minimizeFindings(&r, budget: 300)
            // a lockdep cycle is gathered over many schedules and has no token
            let tokens = r.findings.filter { $0.kind != "lockdep" }
                .flatMap { [$0.token] + ($0.minimized.map { [$0.schedule.token] } ?? []) }
            for t in tokens {
                let a = try s.makeWorld(), b = try s.makeWorld()
                try a.run(try Schedule(token: t))
                try b.run(try Schedule(token: t))
                let ta = a.traceText + a.findings.map(\.report).joined()
                #expect(ta == b.traceText + b.findings.map(\.report).joined())
                #expect(a.schedule.token == t, "the token is the whole schedule")
                #expect(ta.contains("Schedule: \(t)"))
            }
        }
    }
}

/// The CLI as a user runs it: the built binary in a subprocess.
@Suite struct CLITests {
    static var binary: URL? {
        let dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for cand in [dir, dir.deletingLastPathComponent(),
                     Bundle.main.bundleURL.deletingLastPathComponent()] {
            let u = cand.appendingPathComponent("kharness")
            if FileManager.default.isExecutableFile(atPath: u.path) { return u }
        }
        return nil
    }

    func kharness(_ args: [String]) throws -> (code: Int32, out: String, err: String) {
        guard Self.binary != nil else {
            Issue.record("kharness binary not built next to the tests")
            return (-1, "", "")
        }
        return try CLI.kharness(args)
    }

    @Test(arguments: [
        (["run", "toy-abba", "--schedule", "ab2x"], "position 4"),
        (["run", "no-such-scenario"], "unknown scenario"),
        (["run", "toy-abba", "--schedule", "ksim1:toy-lost-update:*:ab"], "for scenario 'toy-lost-update'"),
        (["run", "toy-abba", "--schedule", "ksim1:toy-abba:0000deadbeef:ab"], "kernel code 0000deadbeef"),
        (["run", "toy-abba", "--shard", "3/2"], "bad shard '3/2'"),
        (["run", "toy-abba", "--strategy", "pct", "--depth", "0"], "--depth must be 1...17"),
        (["run", "toy-abba", "--strategy", "pct", "--depth", "18"], "--depth must be 1...17"),
        (["run", "toy-abba", "--strategy", "nope"], "nope"),
        (["replay", "ksim1:toy-abba:*:zz"], "position 18"),
        (["merge", "/nonexistent.json"], "cannot read"),
        (["run", "toy-abba", "--kernel", "/nonexistent/linux"], "--kernel /nonexistent/linux: no such directory"),
        (["kernel", "--kernel", "/nonexistent/linux"], "no such directory"),
        (["kernel"], "give --kernel DIR"),
        (["check-patch", "-", "-"], "'-' (standard input) can be given once"),
    ])
    func badInputExitsTwoWithAClearMessage(args: [String], message: String) throws {
        let r = try kharness(args)
        #expect(r.code == 2, "\(args): \(r.err)")
        #expect(r.err.contains(message), "\(args): \(r.err)")
        #expect(r.out.isEmpty, "nothing run")
    }

    @Test func findingExitsOneWithReportTokenAndMinimizedSchedule() throws {
        let r = try kharness(["run", "toy-lost-update", "--strategy", "dfs", "--jobs", "2"])
        #expect(r.code == 1)
        #expect(r.out.contains("lost update"))
        #expect(r.out.contains("replay: kharness replay ksim1:toy-lost-update:"))
        #expect(r.out.contains("minimized schedule (1 preemption"))
        #expect(r.out.contains("| t1 (CPU 1)"))
        let clean = try kharness(["run", "toy-locked-update"])
        #expect(clean.code == 0)
        #expect(clean.out.contains("no violation in all 2 schedules of scenario toy-locked-update (exhaustive)"))
        #expect(clean.err.isEmpty, "no progress line when stderr is not a terminal")
    }

    @Test func jsonReplayAndMergeThroughTheBinary() throws {
        let j = try kharness(["run", "toy-rwsem-recursive", "--json", "--strategy", "dfs"])
        #expect(j.code == 1)
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(j.out.utf8)) as? [String: Any])
        for key in ["scenario", "strategy", "schedules", "steps", "exhausted", "bound", "seconds", "findings"] where key != "bound" {
            #expect(obj[key] != nil, "missing \(key)")
        }
        let f = try #require((obj["findings"] as? [[String: Any]])?.first)
        for key in ["kind", "message", "location", "task", "token"] { #expect(f[key] != nil, "missing \(key)") }
        let token = try #require(f["token"] as? String)
        let a = try kharness(["replay", token]), b = try kharness(["replay", token])
        #expect(a.code == 1 && a.out == b.out && a.out.contains("deadlock"))

        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kh-merge-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var files: [String] = []
        for i in 1...2 {
            let r = try kharness(["run", "toy-independent", "--strategy", "dfs", "--shard", "\(i)/2", "--json"])
            let f = dir.appendingPathComponent("s\(i).json").path
            try r.out.write(toFile: f, atomically: true, encoding: .utf8)
            files.append(f)
        }
        let m = try kharness(["merge"] + files)
        #expect(m.code == 0)
        let merged = try #require(try JSONSerialization.jsonObject(with: Data(m.out.utf8)) as? [String: Any])
        #expect(merged["schedules"] as? Int == 10)
        #expect(merged["exhausted"] as? Bool == true)
        let svg = dir.appendingPathComponent("t.svg").path
        _ = try kharness(["run", "toy-abba", "--svg", svg])
        #expect((try? String(contentsOfFile: svg, encoding: .utf8))?.contains("<svg") == true)
    }
}
