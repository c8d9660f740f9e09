// SPDX-License-Identifier: GPL-2.0-only
//
// Every input bounded: schedule tokens, numeric options, shard files and
// fuzz-corpus records that are too big, negative or of the wrong shape get
// a clear error naming what is wrong, never a trap, a hang or a giant
// allocation.
import Testing
import Foundation
@testable import KernelHarness

@Suite struct TokenBoundsTests {
    static let big = "a10000000"

    @Test(arguments: [
        ("", 1, "no choices"),
        ("   ", 4, "no choices"),
        ("ksim1:toy-abba:*:", 18, "no choices"),
        ("a10000001", 2, "repeat count must be 1..10000000"),
        ("a99999999999999999999999", 2, "repeat count must be 1..10000000"),
        ("a10000000b", 10, "more than 10000000 choices"),
        (String(repeating: big, count: 200), 18, "more than 10000000 choices"),
    ])
    func swiftParserBoundsTheSchedule(token: String, position: Int, reason: String) {
        do {
            _ = try Schedule(token: token)
            Issue.record("accepted \(token.prefix(40))")
        } catch let e as HarnessError {
            #expect(e.description.contains("position \(position):"), "\(e)")
            #expect(e.description.contains(reason), "\(e)")
            #expect(e.description.count < 300, "a huge token is not quoted whole")
        } catch { Issue.record("\(error)") }
    }

    @Test func theLimitItselfParses() throws {
        #expect(try Schedule(token: Self.big).count == Schedule.maxSteps)
        #expect(try Schedule(token: "a9999999b").count == Schedule.maxSteps)
    }

    /// The shim's own parser (ksim_run_token) has the same bounds.
    @Test(arguments: [
        ("ksim1:toy-abba:*:", "no choices"),
        ("", "expected a schedule token"),
        ("a2b", "expected a schedule token"),
        ("ksim1:*:*:a10000000a", "more than 10000000 choices"),
        ("ksim1:*:*:" + String(repeating: big, count: 200), "more than 10000000 choices"),
    ])
    func shimParserBoundsTheSchedule(token: String, reason: String) throws {
        let w = try World(scenario: "toy-abba")
        do {
            try w.run(token: token)
            Issue.record("shim accepted \(token.prefix(40))")
        } catch let e as HarnessError {
            #expect(e.description.contains(reason), "\(e)")
        }
    }

    @Test func stepBudgetIsBounded() throws {
        let w = try World(scenario: "toy-abba")
        #expect(throws: HarnessError.badInput("option max_steps takes 1..10000000, not 10000001")) {
            try w.set(.maxSteps, 10_000_001)
        }
        #expect(throws: HarnessError.self) { try w.set(.maxSteps, -1) }
        #expect(throws: HarnessError.self) { try w.set(.maxSteps, 0) }
        try w.set(.maxSteps, Schedule.maxSteps)
    }
}

/// The built binary with an environment and a wall-clock bound: a run that
/// outlives `timeout` is killed and reported as a hang (code -1).
enum Spawn {
    static func kharness(_ args: [String], env: [String: String] = [:], cwd: URL? = nil,
                         timeout: Double = 30) throws -> (code: Int32, signaled: Bool, out: String, err: String) {
        guard let bin = CLI.binary else { return (-2, false, "", "kharness binary not built next to the tests") }
        let p = Process()
        p.executableURL = bin
        p.arguments = args
        var e = ProcessInfo.processInfo.environment
        for (k, v) in env { e[k] = v }
        p.environment = e
        if let cwd { p.currentDirectoryURL = cwd }
        let dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("kh-spawn-\(getpid())-\(UInt64.random(in: 0...UInt64.max))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        // files, not pipes: a chatty child never blocks on a full pipe
        let o = dir.appendingPathComponent("out"), r = dir.appendingPathComponent("err")
        FileManager.default.createFile(atPath: o.path, contents: nil)
        FileManager.default.createFile(atPath: r.path, contents: nil)
        p.standardOutput = try FileHandle(forWritingTo: o)
        p.standardError = try FileHandle(forWritingTo: r)
        p.standardInput = FileHandle.nullDevice
        try p.run()
        let end = Date().addingTimeInterval(timeout)
        while p.isRunning && Date() < end { usleep(5_000) }
        var hung = false
        if p.isRunning { hung = true; kill(p.processIdentifier, SIGKILL) }
        p.waitUntilExit()
        let out = (try? String(contentsOf: o, encoding: .utf8)) ?? ""
        let err = (try? String(contentsOf: r, encoding: .utf8)) ?? ""
        SchemaCheck.checkOutput(args, out)
        return (hung ? -1 : p.terminationStatus, p.terminationReason == .uncaughtSignal, out, err)
    }
}

@Suite struct OptionBoundsTests {
    func explorer(_ o: ExploreOptions, _ st: Strategy = .random(seed: 1)) throws -> Explorer {
        Explorer(try Scenario(registered: "toy-lost-update"), strategy: st, options: o)
    }

    @Test(arguments: [
        (ExploreOptions(timeLimit: .infinity), "--time must be a positive number of seconds up to 31536000 (got inf)"),
        (ExploreOptions(timeLimit: .nan), "(got nan)"),
        (ExploreOptions(timeLimit: 1e20), "(got 1e+20)"),
        (ExploreOptions(timeLimit: -1), "(got -1.0)"),
        (ExploreOptions(maxSchedules: Int.max), "--max-schedules must be 1...1000000000000000 (got 9223372036854775807)"),
        (ExploreOptions(maxSchedules: 0), "--max-schedules must be 1..."),
        (ExploreOptions(jobs: 1000), "--jobs must be 1...256 (got 1000)"),
        (ExploreOptions(units: Int.max), "--units must be 1...1048576"),
        (ExploreOptions(maxSteps: Int.max), "the step budget must be 1...10000000"),
    ])
    func explorerRejectsOutOfRange(_ o: ExploreOptions, _ message: String) throws {
        let e = try explorer(o)
        #expect(throws: HarnessError.self) { try e.validate() }
        do { try e.validate() } catch { #expect("\(error)".contains(message), "\(error)") }
    }

    @Test func hugeShardCountIsRejectedAndLargeOnesDoNotOverflow() throws {
        #expect(throws: HarnessError.badInput("bad shard 1/9223372036854775807: N must be at most 1000000")) {
            try Shard(parsing: "1/9223372036854775807")
        }
        // a shard far past the plan: nothing to do, no overflow stepping past it
        let e = try explorer(ExploreOptions(maxSchedules: 5, shard: try Shard(parsing: "1000000/1000000")))
        let r = try e.run()
        #expect(r.schedules == 0)
        // --max-schedules at the bound: the plan's unit count does not overflow
        #expect(Plan(units: .seeds(block: 64, total: Limits.maxCount)).count == Limits.maxCount / 64)
        #expect(Plan(units: .seeds(block: 64, total: Int.max)).count == Int.max / 64 + 1)
    }

    @Test func aThreadThatCannotStartIsAnErrorNotAHang() throws {
        let e = try explorer(ExploreOptions(maxSchedules: 100_000, stopOnFirstFinding: false, jobs: 4))
        e.threadSpawn = { i, size, body in i == 2 ? EAGAIN : WorkerThreads.pthreadSpawn(i, size, body) }
        let t0 = Date()
        #expect(throws: HarnessError.badInput("cannot start worker thread 3 of 4: Resource temporarily unavailable (try a smaller --jobs)")) {
            _ = try e.run()
        }
        #expect(Date().timeIntervalSince(t0) < 30, "the started workers were stopped")

        var o = FuzzOptions()
        o.jobs = 3
        o.maxExecs = 1_000_000
        let f = Fuzzer(options: o)
        f.threadSpawn = { i, size, body in i == 1 ? ENOMEM : WorkerThreads.pthreadSpawn(i, size, body) }
        #expect(throws: HarnessError.badInput("cannot start worker thread 2 of 3: Cannot allocate memory (try a smaller --jobs)")) {
            _ = try f.run()
        }
    }
}

@Suite struct MergeBoundsTests {
    /// The three shards of a small exploration, as JSON objects.
    static func shards() throws -> [[String: Any]] {
        try (0..<3).map { i in
            let e = Explorer(try Scenario(registered: "toy-independent"), strategy: .dfs(preemptionBound: nil),
                             options: ExploreOptions(stopOnFirstFinding: false, shard: try Shard(index: i, count: 3), units: 8))
            let json = RunReport(try e.run()).json
            return try JSONSerialization.jsonObject(with: Data(json.utf8)) as! [String: Any]
        }
    }

    static func unit0(_ o: [String: Any], _ key: String, _ v: Any) -> [String: Any] {
        var o = o
        var units = o["units"] as! [[String: Any]]
        units[0][key] = v
        o["units"] = units
        return o
    }

    @Test(arguments: [
        ("index", 1_000_000_000_000_000 as Any, "units[0].index: 1000000000000000 is outside the plan's units"),
        ("index", -3, "units[0].index: -3 is outside"),
        ("index", 1, "units[0].index: unit 1 does not belong to shard 1/3"),
        ("schedules", -5, "units[0].schedules: -5 is not a count"),
        ("schedules", Int.max, "units[0].schedules: 9223372036854775807 is not a count"),
        ("blocked", -1, "units[0].blocked: -1"),
        ("states", ["not-hex"], "units[0].states[0]: 'not-hex' is not a hexadecimal state hash"),
        ("index", "zero", "units[0].index: wrong type"),
        // Foundation on Linux names no field for a fraction where an Int belongs
        ("schedules", 1.5, "not valid JSON"),
    ])
    func hostileUnitFieldsAreNamed(key: String, value: Any, message: String) throws {
        var s = try Self.shards()
        s[0] = Self.unit0(s[0], key, value)
        do {
            let reports = try s.map { try RunReport.decode(try JSONSerialization.data(withJSONObject: $0)) }
            _ = try Explorer.merge(reports)
            Issue.record("merged a file with \(key) = \(value)")
        } catch let e as HarnessError {
            #expect(e.description.contains(message), "\(e)")
        }
    }

    @Test func theBinaryNamesTheFileAndExitsTwoQuickly() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kh-mergeb-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var s = try Self.shards()
        // owned by shard 2/3 (index % 3 == 1), far past the real plan: it
        // used to loop that many times over the gap before it
        for i in s.indices { s[i]["units_planned"] = 1_000_000_000_000_000 }
        s[1] = Self.unit0(s[1], "index", 999_999_999_999_997)
        var files: [String] = []
        for (i, o) in s.enumerated() {
            let f = dir.appendingPathComponent("s\(i + 1).json").path
            try JSONSerialization.data(withJSONObject: o).write(to: URL(fileURLWithPath: f))
            files.append(f)
        }
        // consistent files claiming a huge plan merge at once, as not exhausted
        let t0 = Date()
        let r = try Spawn.kharness(["merge"] + files, timeout: 20)
        #expect(r.code == 0, "\(r.err)")
        #expect(Date().timeIntervalSince(t0) < 10)
        #expect(r.out.contains("\"exhausted\":false"))
        // and one that names the file and field
        s[1] = Self.unit0(s[1], "schedules", -1)
        try JSONSerialization.data(withJSONObject: s[1]).write(to: URL(fileURLWithPath: files[1]))
        let r2 = try Spawn.kharness(["merge"] + files, timeout: 20)
        #expect(r2.code == 2)
        #expect(r2.err.contains("merge: \(files[1]): units[0].schedules: -1 is not a count"), "\(r2.err)")
    }
}

@Suite struct CorpusRecordBoundsTests {
    /// A valid queue record of the generator, as a JSON object.
    static func record(seed: UInt64 = 7) throws -> [String: Any] {
        var g = FuzzGen(seed: seed)
        let input = g.input()
        let r = FuzzRecord(format: FuzzRecord.currentFormat, kind: "input", input: input, spec: input.spec,
                           token: "ksim1:*:*:ab", codeID: KernelAPI.builtin.codeID, patches: [],
                           finding: nil, execs: 1, seconds: 0)
        return try JSONSerialization.jsonObject(with: r.json) as! [String: Any]
    }

    static func with(_ o: [String: Any], _ edit: (inout [String: Any]) -> Void) -> Data {
        var o = o
        edit(&o)
        return try! JSONSerialization.data(withJSONObject: o)
    }

    static func tasks(_ t: [String]) -> (inout [String: Any]) -> Void {
        { o in var i = o["input"] as! [String: Any]; i["tasks"] = t; o["input"] = i }
    }

    static func world(_ edit: @escaping (inout [String: Any]) -> Void) -> (inout [String: Any]) -> Void {
        { o in
            var i = o["input"] as! [String: Any]
            var w = i["world"] as! [String: Any]
            edit(&w)
            i["world"] = w
            o["input"] = i
        }
    }

    @Test func badRecordsAreCleanErrors() throws {
        let base = try Self.record()
        let cases: [(Data, String)] = [
            (Self.with(base, Self.tasks(["", "drain"])), "tasks: task 1 is empty"),
            (Self.with(base, Self.tasks(["mlock", "drain"])), "tasks: task 1: 'mlock' takes 2 arguments, got 0"),
            (Self.with(base, Self.tasks(["reclaim f0:0 extra", "drain"])), "'reclaim' takes 1 argument, got 2"),
            (Self.with(base, Self.tasks(["reclaim f-1:0", "drain"])), "names nothing in the world"),
            (Self.with(base, Self.tasks(["fly away", "drain"])), "unknown operation 'fly'"),
            (Self.with(base, Self.tasks(["drain"])), "1 task (this input has 2...4)"),
            (Self.with(base, Self.world { w in
                var f = w["files"] as! [[String: Any]]; f[0]["pages"] = 1_000_000; w["files"] = f }),
             "world.files[0].pages: 1000000 (1...24)"),
            (Self.with(base, Self.world { w in
                var f = w["files"] as! [[String: Any]]; f[0]["pages"] = -4; w["files"] = f }),
             "world.files[0].pages: -4"),
            (Self.with(base, Self.world { w in w["files"] = [] as [Any]; w["pages"] = [] as [Any] }), "world.files: 0 files"),
            (Self.with(base, Self.world { w in w["mms"] = [] as [Any] }), "world.mms: 0 mms"),
            (Self.with(base, { o in o["max_steps"] = Int.max }), "max_steps: 9223372036854775807"),
            (Self.with(base, { o in o["token"] = "a10000000a" }), "more than 10000000 choices"),
        ]
        for (data, message) in cases {
            do {
                _ = try FuzzRecord.load(data: data, name: "q/input-x.json")
                Issue.record("accepted: \(message)")
            } catch let e as HarnessError {
                #expect(e.description.hasPrefix("q/input-x.json: "), "\(e)")
                #expect(e.description.contains(message), "\(e)")
            }
        }
        // the untouched record loads
        _ = try FuzzRecord.load(data: Self.with(base, { _ in }), name: "ok.json")
    }

    @Test func resumeSkipsABadRecordByName() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kh-corpus-\(getpid())")
        let q = dir.appendingPathComponent("queue")
        try FileManager.default.createDirectory(at: q, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let bad = q.appendingPathComponent("input-bad.json")
        try Self.with(try Self.record(), Self.tasks(["cow mm0 v00", "drain"])).write(to: bad)
        try Self.with(try Self.record(seed: 9), { _ in }).write(to: q.appendingPathComponent("input-good.json"))
        var o = FuzzOptions()
        o.maxExecs = 3
        o.corpus = dir
        var messages: [String] = []
        let f = Fuzzer(options: o)
        f.onMessage = { messages.append($0) }
        let s = try f.run()
        #expect(s.malformed == [bad.path])
        #expect(s.resumed == 1)
        #expect(messages.contains { $0.contains(bad.path) && $0.contains("'cow' takes 3 arguments, got 2") }, "\(messages)")
    }
}

@Suite struct ExitCodeTests {
    func tmp(_ name: String) throws -> URL {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("kh-exit-\(getpid())-\(name)")
        try? FileManager.default.removeItem(at: d)
        try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        return d
    }

    @Test func environmentAndInputErrorsAreNeverOne() throws {
        let d = try tmp("env")
        defer { try? FileManager.default.removeItem(at: d) }
        let file = d.appendingPathComponent("regular")
        try Data("x".utf8).write(to: file)
        let cases: [([String], [String: String], Int32, String)] = [
            (["run", "toy-abba", "--svg", file.path + "/x.svg"], [:], 2, "is not an existing directory"),
            (["check-patch", "--series", "/dev/null"], [:], 2, "/dev/null: empty series"),
            (["fuzz", "--corpus", "", "--max-execs", "1"], [:], 2, "--corpus: empty path"),
            (["fuzz", "--corpus", "/nonexistent-kh/a/b", "--max-execs", "1"], [:], 2,
             "its parent /nonexistent-kh/a does not exist"),
            (["fuzz", "--jobs", "1000", "--max-execs", "1"], [:], 2, "--jobs must be 1...256 (got 1000)"),
            (["run", "toy-abba", "--time", "1e20"], [:], 2, "--time must be a positive number of seconds"),
            (["run", "toy-abba", "--schedule", ""], [:], 2, "no choices"),
            (["replay", String(repeating: "a10000000", count: 200)], [:], 2, "more than 10000000 choices"),
            // the cache cannot be created: check-patch cannot test (bisect skips)
            (["check-patch", "Patches/0001-mm-mlock-fix-BUG_ON-unlocked-page-for-nonlinear-VMAs.patch",
              "--scenarios", "toy-abba", "--time", "1", "--fuzz-time", "0"],
             ["KHARNESS_CACHE": file.path + "/cache"], 125, "cannot test: \(file.path)/cache: Not a directory"),
        ]
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        for (args, env, code, message) in cases {
            let r = try Spawn.kharness(args, env: env, cwd: d == d ? repo : d, timeout: 120)
            #expect(r.code == code, "\(args.prefix(4)): \(r.code) \(r.err.prefix(300))")
            #expect(r.err.contains(message), "\(args.prefix(4)): \(r.err.prefix(300))")
        }
        // --corpus "" wrote nothing into the working directory
        let r = try Spawn.kharness(["fuzz", "--corpus", "", "--max-execs", "1"], cwd: d)
        #expect(r.code == 2)
        #expect(!FileManager.default.fileExists(atPath: d.appendingPathComponent("queue").path))
        #expect(!FileManager.default.fileExists(atPath: "/nonexistent-kh"))
    }
}
