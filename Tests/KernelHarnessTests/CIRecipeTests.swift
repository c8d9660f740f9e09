// SPDX-License-Identifier: GPL-2.0-only
//
// The CI recipe (docs/ci/): the workflow calls docs/ci/kharness-ci.sh, and
// the script's commands, run here as CI runs them, shard, merge and check
// patches as documented.
import Foundation
import Testing
@testable import KernelHarness

@Suite struct CIRecipeTests {
    static let root = ScenarioFileTests.root
    static let script = root.appendingPathComponent("docs/ci/kharness-ci.sh").path
    static let workflow = root.appendingPathComponent("docs/ci/github-actions.yml").path

    /// Run the script with the test's binary in a scratch directory.
    func ci(_ args: [String], env: [String: String] = [:], cwd: URL) throws -> (code: Int32, out: String) {
        let bin = try #require(CLI.binary, "kharness binary not built next to the tests")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = [Self.script] + args
        var e = ProcessInfo.processInfo.environment
        e["KHARNESS"] = bin.path
        e["KHARNESS_SHIM_DIR"] = Self.root.appendingPathComponent("CKernelShim").path
        e["KHARNESS_CI_PREEMPTIONS"] = "1"
        e["KHARNESS_CI_SCENARIOS"] = "reclaim-vs-cow migrate-vs-munlock"
        for (k, v) in env { e[k] = v }
        p.environment = e
        p.currentDirectoryURL = cwd
        let log = cwd.appendingPathComponent("log-\(UInt32.random(in: 0...UInt32.max))")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let h = try FileHandle(forWritingTo: log)
        p.standardOutput = h
        p.standardError = h
        try p.run()
        p.waitUntilExit()
        try h.close()
        return (p.terminationStatus, try String(contentsOf: log, encoding: .utf8))
    }

    @Test func workflowCallsTheScriptAsTheScriptExpects() throws {
        let y = try String(contentsOfFile: Self.workflow, encoding: .utf8)
        let calls = y.split(separator: "\n").filter { $0.contains("docs/ci/kharness-ci.sh ") }
        let commands = Set(calls.compactMap { line -> String? in
            let after = line.components(separatedBy: "docs/ci/kharness-ci.sh ")[1]
            return after.split(separator: " ").first.map(String.init)
        })
        #expect(commands == ["explore", "merge", "check-patch"])
        let script = try String(contentsOfFile: Self.script, encoding: .utf8)
        for c in commands { #expect(script.contains("\n\(c))\n"), "the script has no '\(c)' command") }
        // the matrix has as many shards as the explore step asks for
        #expect(y.contains("shard: [1, 2, 3, 4]"))
        #expect(y.contains("explore ${{ matrix.shard }} 4 results"))
        #expect(y.contains("merge results"))
        #expect(y.contains("--diff-filter=AM"))
    }

    /// explore 1..4 then merge equals one unsharded run of the same command.
    @Test func shardsMergeIntoTheUnshardedRun() throws {
        let dir = try Scratch.make("ci-shards")
        defer { try? FileManager.default.removeItem(at: dir) }
        for i in 1...4 {
            let r = try ci(["explore", "\(i)", "4", "results"], cwd: dir)
            #expect(r.code == 0, "\(r.out)")
        }
        let m = try ci(["merge", "results"], cwd: dir)
        #expect(m.code == 0, "\(m.out)")
        #expect(m.out.contains("reclaim-vs-cow: no finding"))
        for s in ["reclaim-vs-cow", "migrate-vs-munlock"] {
            let merged = try String(contentsOf: dir.appendingPathComponent("results/\(s).json"), encoding: .utf8)
            try SchemaCheck.validate(merged, schema: "run")
            let whole = try CLI.kharness(["run", s, "--strategy", "dfs", "--preemptions", "1", "--keep-going", "--json"])
            let a = try RunReport.decode(Data(merged.utf8)), b = try RunReport.decode(Data(whole.out.utf8))
            #expect(a.schedules == b.schedules && a.schedules > 0, "\(s)")
            #expect(a.finalStates == b.finalStates)
            #expect(a.exhausted && b.exhausted)
            for i in 1...4 {
                let shard = try String(contentsOf: dir.appendingPathComponent("results/\(s).\(i).json"), encoding: .utf8)
                try SchemaCheck.validate(shard, schema: "run")
                #expect(try RunReport.decode(Data(shard.utf8)).shard == "\(i)/4")
            }
        }
    }

    @Test func mergeFailsOnAFinding() throws {
        let dir = try Scratch.make("ci-finding")
        defer { try? FileManager.default.removeItem(at: dir) }
        let env = ["KHARNESS_CI_SCENARIOS": "toy-lost-update"]
        for i in 1...2 { #expect(try ci(["explore", "\(i)", "2", "r"], env: env, cwd: dir).code == 0) }
        let m = try ci(["merge", "r"], env: env, cwd: dir)
        #expect(m.code == 1)
        #expect(m.out.contains("toy-lost-update: FINDING"))
    }

    /// The pull-request job: a patch that adds a finding fails, the fix passes.
    @Test func checkPatchFailsOnANewFindingAndPassesTheFix() throws {
        let dir = try Scratch.make("ci-patch")
        defer { try? FileManager.default.removeItem(at: dir) }
        let patches = Self.root.appendingPathComponent("Patches")
        let names = try FileManager.default.contentsOfDirectory(atPath: patches.path).sorted()
        let fix = try #require(names.first { $0.hasPrefix("0001-") })
        let wrong = try #require(names.first { $0.hasPrefix("0004-") })
        let env = ["KHARNESS_CI_TIME": "1", "KHARNESS_CI_FUZZ_TIME": "0",
                   "KHARNESS_CI_FINDINGS": dir.appendingPathComponent("findings").path]
        let good = try ci(["check-patch", patches.appendingPathComponent(fix).path], env: env, cwd: dir)
        #expect(good.code == 0, "\(good.out)")
        #expect(good.out.contains("kharness check-patch: good"))
        let bad = try ci(["check-patch", patches.appendingPathComponent(wrong).path], env: env, cwd: dir)
        #expect(bad.code == 1, "\(bad.out)")
        #expect(bad.out.contains("kharness check-patch: bad"))
        #expect(bad.out.contains("CPU0 ("), "the log shows the interleaving: \(bad.out)")
        #expect(bad.out.contains("kharness replay"))
        #expect(bad.out.contains("the patches add a finding"))
        #expect(try ci(["check-patch"], env: env, cwd: dir).out.contains("no patches to check"))
    }
}
