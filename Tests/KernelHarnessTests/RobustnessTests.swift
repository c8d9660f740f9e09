// SPDX-License-Identifier: GPL-2.0-only
//
// Generated bad input, seeded so every run tries the same cases: mutated
// schedule tokens, fuzz-corpus records, shard files for merge and option
// vectors.  Each must either be accepted or rejected with a HarnessError;
// a trap would end the test process, a hang would blow the time bound.
// Most cases are in-process parser calls; a small sample of argument
// vectors goes through the built binary (exit code 0, 1 or 2, never a
// signal, never past its timeout).
import Testing
import Foundation
@testable import KernelHarness

/// Mutations of bytes, numbers and JSON values, all from one seeded RNG.
struct Mutator {
    var rng: SplitMix64

    mutating func int(_ n: Int) -> Int { Int(rng.next() % UInt64(n)) }

    static let numbers: [String] = ["0", "1", "-1", "10000000", "10000001", "99999999999999999999",
                                    "9223372036854775807", "-9223372036854775808", "1e20", "inf", "nan",
                                    "1000000000000000", "4294967296", "007", ""]

    mutating func token(_ t: String) -> String {
        var b = Array(t.utf8)
        for _ in 0...int(3) {
            switch int(8) {
            case 0 where !b.isEmpty: b.remove(at: int(b.count))
            case 1: b.insert(UInt8(32 + int(95)), at: int(b.count + 1))
            case 2: b.insert(contentsOf: Array(Self.numbers[int(Self.numbers.count)].utf8), at: int(b.count + 1))
            case 3 where !b.isEmpty: b[int(b.count)] = UInt8(int(256))
            case 4: b += Array(String(repeating: "a10000000", count: 1 + int(3)).utf8)
            case 5 where b.count > 2: b = Array(b[..<int(b.count)])
            case 6: b.insert(contentsOf: Array(["ksim1:", ":", "*:", "ksim2:", "\n"][int(5)].utf8), at: int(b.count + 1))
            default: b += b.prefix(int(b.count + 1))
            }
        }
        return String(decoding: b, as: UTF8.self)
    }

    /// A hostile replacement for a JSON value.
    mutating func value(like v: Any) -> Any {
        switch int(10) {
        case 0: return Int.max
        case 1: return -1
        case 2: return 1_000_000_000_000_000
        case 3: return "x"
        case 4: return [] as [Any]
        case 5: return [:] as [String: Any]
        case 6: return NSNull()
        case 7: return 1.5
        case 8: return (v as? String).map { $0 + " extra" } ?? 0
        default: return (v as? Int).map { $0 &+ 1 } ?? true
        }
    }

    /// Replace, drop or duplicate one value somewhere in `o`.
    mutating func json(_ o: Any, depth: Int = 0) -> Any {
        if var d = o as? [String: Any], !d.isEmpty {
            let keys = d.keys.sorted()
            let k = keys[int(keys.count)]
            switch int(depth > 4 ? 2 : 4) {
            case 0: d[k] = value(like: d[k]!)
            case 1: d.removeValue(forKey: k)
            default: d[k] = json(d[k]!, depth: depth + 1)
            }
            return d
        }
        if var a = o as? [Any], !a.isEmpty {
            let i = int(a.count)
            switch int(depth > 4 ? 2 : 4) {
            case 0: a[i] = value(like: a[i])
            case 1: a.remove(at: i)
            case 2: a.append(a[i])
            default: a[i] = json(a[i], depth: depth + 1)
            }
            return a
        }
        return int(3) == 0 ? value(like: o) : o
    }
}

@Suite(.serialized) struct RobustnessTests {
    static let seed: UInt64 = 0x6b68_3133    // "kh13"

    /// Outcome of one in-process case: accepted, or rejected by the harness.
    func survive(_ f: () throws -> Void) -> Bool {
        do { try f(); return true } catch is HarnessError { return false } catch {
            Issue.record("not a HarnessError: \(error)")
            return false
        }
    }

    @Test func generatedBadInputNeverCrashesOrHangs() throws {
        let t0 = Date()
        var m = Mutator(rng: SplitMix64(seed: Self.seed))
        var counts = [String: (ok: Int, rejected: Int)]()
        func note(_ kind: String, _ ok: Bool) {
            var c = counts[kind] ?? (0, 0)
            if ok { c.ok += 1 } else { c.rejected += 1 }
            counts[kind] = c
        }

        // tokens: real ones of several scenarios, mutated; every 8th also
        // through the shim's own parser and runner
        let names = ["toy-abba", "toy-lost-update", "toy-rwsem-recursive", "reclaim-vs-munlock"]
        var worlds: [String: World] = [:]
        var seeds: [String] = []
        for n in names {
            let w = try World(scenario: n)
            try w.set(.maxSteps, 2000)
            w.runRandom(seed: 3)
            seeds.append(w.token)
            worlds[n] = w
        }
        for i in 0..<6000 {
            let t = m.token(seeds[i % seeds.count])
            note("token", survive { _ = try Schedule(token: t) })
            if i % 8 == 0 {
                let w = worlds[names[i % names.count]]!
                note("shim token", survive { _ = try w.run(token: t) })
            }
        }

        // fuzz records: generated ones, mutated as JSON; the ones that load
        // are mutated further by the fuzzer's own mutator and their world is built
        var gen = FuzzGen(seed: Self.seed)
        for i in 0..<2500 {
            var input = gen.input()
            if i % 3 == 0 { input = gen.mutate(input) }
            let r = FuzzRecord(format: FuzzRecord.currentFormat, kind: i % 5 == 0 ? "finding" : "input",
                               input: input, spec: input.spec, token: "ksim1:*:*:ab",
                               codeID: KernelAPI.builtin.codeID, patches: [], maxSteps: 2000,
                               finding: i % 5 == 0 ? FuzzFindingInfo(kind: "bug", message: "m", location: "mm/x.c:1",
                                                                    function: "f", task: "t", signature: "bug@mm/x.c:1",
                                                                    originalToken: "a", originalSteps: 1,
                                                                    originalPreemptions: 0, originalTasks: 2,
                                                                    preemptions: 0, steps: 1, report: "") : nil,
                               execs: 1, seconds: 0)
            var obj: Any = try JSONSerialization.jsonObject(with: r.json)
            for _ in 0...m.int(3) { obj = m.json(obj) }
            let data = try JSONSerialization.data(withJSONObject: obj)
            let ok = survive {
                let rec = try FuzzRecord.load(data: data, name: "record-\(i).json")
                if let input = rec.input {
                    if i % 4 == 0 { _ = try World(spec: input.spec) }
                    _ = gen.mutate(input)
                }
            }
            note("record", ok)
        }

        // shard files: the three shards of a small exploration, one of them
        // mutated, merged
        var shardObjs: [[String: Any]] = []
        for i in 0..<3 {
            let e = Explorer(try Scenario(registered: "toy-independent"), strategy: .dfs(preemptionBound: nil),
                             options: ExploreOptions(maxSchedules: 7, stopOnFirstFinding: false,
                                                     shard: try Shard(index: i, count: 3), units: 8))
            shardObjs.append(try JSONSerialization.jsonObject(with: Data(RunReport(try e.run()).json.utf8)) as! [String: Any])
        }
        for i in 0..<1500 {
            var s = shardObjs
            let k = i % 3
            for _ in 0...m.int(3) { s[k] = m.json(s[k]) as? [String: Any] ?? [:] }
            note("merge", survive {
                let reports = try s.map { o -> RunReport in
                    guard let d = try? JSONSerialization.data(withJSONObject: o) else {
                        throw HarnessError.badInput("unencodable")
                    }
                    return try RunReport.decode(d)
                }
                _ = try Explorer.merge(reports)
            })
        }

        // option vectors, through the explorer's validation (what the CLI calls)
        let sc = try Scenario(registered: "toy-lost-update")
        let ints = [Int.min, -1, 0, 1, 2, 17, 18, 256, 257, 1 << 20, 1 << 21, Limits.maxCount, Limits.maxCount + 1, Int.max]
        let doubles = [-1, 0, 1e-9, 0.5, 3, Limits.maxSeconds, Limits.maxSeconds * 2, 1e20, .infinity, -.infinity, .nan]
        for _ in 0..<1500 {
            let pick = { (a: [Int]) -> Int in a[m.int(a.count)] }
            var o = ExploreOptions(maxSchedules: m.int(2) == 0 ? nil : pick(ints),
                                   timeLimit: m.int(2) == 0 ? nil : doubles[m.int(doubles.count)],
                                   jobs: pick(ints), units: pick(ints),
                                   maxSteps: m.int(2) == 0 ? nil : pick(ints))
            let sh = pick(ints), si = pick(ints)
            note("options", survive {
                o.shard = try Shard(index: si, count: sh)
                let st: Strategy = [.random(seed: 1), .pct(seed: 1, depth: pick(ints)), .dfs(preemptionBound: pick(ints)), .dpor][m.int(4)]
                try Explorer(sc, strategy: st, options: o).validate()
            })
        }
        let inProcess = counts.values.reduce(0) { $0 + $1.ok + $1.rejected }
        #expect(inProcess >= 10_000)
        for k in ["token", "shim token", "record", "merge", "options"] {
            // both outcomes occur: the generator reaches the checks and past them
            #expect((counts[k]?.ok ?? 0) > 0 && (counts[k]?.rejected ?? 0) > 0, "\(k): \(String(describing: counts[k]))")
        }

        // a sample through the binary: exit 0/1/2, no signal, no hang
        let hostile = ["1e20", "inf", "nan", "-1", "0", "9223372036854775807", "1/9223372036854775807",
                       "99999999999999999999", "", "1000", "3/2", "1/1"]
        let flags = ["--time", "--max-schedules", "--jobs", "--shard", "--depth", "--preemptions", "--seed", "--units"]
        for _ in 0..<24 {
            var args = ["run", ["toy-lost-update", "toy-abba", "toy-independent"][m.int(3)],
                        "--strategy", ["random", "pct", "dfs", "dpor"][m.int(4)], "--max-schedules", "200", "--time", "5"]
            for _ in 0...m.int(2) { args += [flags[m.int(flags.count)], hostile[m.int(hostile.count)]] }
            let r = try Spawn.kharness(args, timeout: 30)
            #expect([0, 1, 2].contains(r.code) && !r.signaled, "\(args): \(r.code) \(r.err.prefix(300))")
            #expect(!r.err.contains("Fatal error"), "\(args): \(r.err.prefix(300))")
        }
        for _ in 0..<6 {
            let t = m.token(seeds[m.int(seeds.count)])
            let r = try Spawn.kharness(["replay", t], timeout: 30)
            #expect([0, 1, 2].contains(r.code) && !r.signaled, "replay \(t.prefix(60)): \(r.code) \(r.err.prefix(300))")
        }
        #expect(Date().timeIntervalSince(t0) < 60, "time bound")
    }
}
