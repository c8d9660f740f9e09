// SPDX-License-Identifier: GPL-2.0-only
//
// State hashes must not depend on where ASLR put the arena, the task stacks
// or the loaded code: two processes exploring the same thing report the
// same final states, and the shards of one exploration, each run in its own
// process, merge into the unsharded run's final_states.
import Testing
import Foundation
@testable import KernelHarness

@Suite struct DeterminismTests {
    /// The states of every unit of a sharded run, as the JSON lists them.
    func unitStates(_ json: String) throws -> Set<String> {
        try SchemaCheck.validate(json, schema: "run")
        let r = try RunReport.decode(Data(json.utf8))
        return Set((r.units ?? []).flatMap(\.states))
    }

    /// Scenarios whose final states hold pointers into the code's image
    /// (ops tables, a static lock key) and, after a BUG stops a run inside
    /// a task, into a task's stack.
    static let scenarios = ["seed-migrate-nonlinear", "migrate-anon-vs-cow"]

    @Test(arguments: scenarios)
    func twoProcessesReportTheSameStateHashes(_ name: String) throws {
        let args = ["run", name, "--strategy", "dpor", "--keep-going", "--json", "--jobs", "1", "--shard", "1/3"]
        let a = try CLI.kharness(args), b = try CLI.kharness(args)
        try #require(a.code == 0 || a.code == 1, "\(a.err)")
        let sa = try unitStates(a.out), sb = try unitStates(b.out)
        #expect(!sa.isEmpty)
        #expect(sa == sb, "state hashes differ between two processes")
    }

    @Test(arguments: scenarios)
    func mergeOfThreeShardProcessesEqualsTheUnshardedRun(_ name: String) throws {
        let base = ["run", name, "--strategy", "dpor", "--keep-going", "--json", "--jobs", "1"]
        let whole = try CLI.kharness(base)
        let wr = try RunReport.decode(Data(whole.out.utf8))
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kh-det-\(getpid())-\(name)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var files: [String] = []
        for i in 1...3 {
            let r = try CLI.kharness(base + ["--shard", "\(i)/3"])
            let f = dir.appendingPathComponent("s\(i).json").path
            try r.out.write(toFile: f, atomically: true, encoding: .utf8)
            files.append(f)
        }
        let m = try CLI.kharness(["merge"] + files)
        let mr = try RunReport.decode(Data(m.out.utf8))
        #expect(wr.finalStates > 1)
        #expect(mr.finalStates == wr.finalStates, "merge over-counts final_states")
        #expect(mr.schedules == wr.schedules)
    }

    /// In one process: two worlds of one spec (different arenas and stacks)
    /// hash each final state alike.
    @Test func twoWorldsHashAlike() throws {
        let a = try World(scenario: "seed-migrate-nonlinear"), b = try World(scenario: "seed-migrate-nonlinear")
        for seed in 0..<40 as Range<UInt64> {
            a.runRandom(seed: seed)
            b.runRandom(seed: seed)
            #expect(a.stats.stateHash == b.stats.stateHash, "seed \(seed)")
        }
    }
}
