// SPDX-License-Identifier: GPL-2.0-only
// --plain-points: every plain shared access of the kernel code is a
// scheduling point.  Its schedules are of other steps, so their tokens say
// so ("plain:"), replay with the option, and are refused where the option
// disagrees.
import Testing
import Foundation
import CKernelShim
@testable import KernelHarness

@Suite struct PlainPointsTests {
    func options(_ plain: Bool, max: Int? = nil, jobs: Int = 1) -> ExploreOptions {
        var o = ExploreOptions(maxSchedules: max, stopOnFirstFinding: true, jobs: jobs)
        o.plainPoints = plain
        return o
    }

    /// run -> token -> replay: the seed BUG found with plain points replays
    /// from its token on a fresh world (which takes the option from it),
    /// through the explorer's replay strategy and through the binary.
    @Test func tokenOfAPlainPointsRunReplays() throws {
        let s = try Scenario(registered: "seed-reclaim-nonlinear")
        let r = try Explorer(s, strategy: .dpor, options: options(true)).run()
        #expect(r.options.plainPoints)
        let f = try #require(r.firstFailure)
        #expect(f.kind == "bug" && f.location == "mm/mlock.c:73")
        #expect(f.token.contains(":plain:"), "\(f.token)")
        let sch = try Schedule(token: f.token)
        #expect(sch.plainPoints && sch.token == f.token)
        // the schedule's steps include plain points: without them the same
        // choices do not give the same run
        let fresh = try World(scenario: s.name)
        #expect(!fresh.plainPoints)
        try fresh.run(token: f.token)
        #expect(fresh.plainPoints)
        #expect(fresh.findings.contains { $0.signature == f.signature })
        #expect(fresh.schedule.token == f.token, "the replay records the same schedule")
        #expect(fresh.token == fresh.schedule.token, "Swift and the shim write the same token")
        // the explorer's replay, no option given: the token's
        let rep = try Explorer(s, strategy: .replay(sch), options: options(false)).run()
        #expect(rep.options.plainPoints)
        #expect(rep.findings.contains { $0.signature == f.signature })
        // the minimized schedule keeps the option
        var mr = r
        try Explorer(s, strategy: .dpor, options: options(true)).minimizeFindings(&mr)
        let m = try #require(mr.firstFailure?.minimized)
        #expect(m.schedule.plainPoints && m.schedule.token.contains(":plain:"))
        // the binary: replay and run --schedule, exit 1 with the BUG
        let cli = CLITests()
        let out = try cli.kharness(["replay", f.token])
        #expect(out.code == 1, "\(out.err)")
        #expect(out.out.contains("kernel BUG at mm/mlock.c:73"))
        #expect(out.out.contains("plain access"), "the trace shows the plain accesses' points")
        let run = try cli.kharness(["run", s.name, "--schedule", f.token, "--json"])
        #expect(run.code == 1, "\(run.err)")
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(run.out.utf8)) as? [String: Any])
        #expect(obj["plain_points"] as? Bool == true)
    }

    /// The other setting is refused: by the shim (C API) both ways, by the
    /// explorer and the binary when --plain-points meets a token without.
    @Test func aTokenOfTheOtherSettingIsRefused() throws {
        let plainToken = "ksim1:seed-reclaim-nonlinear:*:plain:a38"
        let bareToken = "ksim1:seed-reclaim-nonlinear:*:a38"
        let w = try World(scenario: "seed-reclaim-nonlinear")
        let c = w.api.table.pointee
        var rc = c.run_token!(w.w, plainToken)
        #expect(rc == KSIM_EMISMATCH.rawValue)
        #expect(w.lastError.contains("recorded with plain accesses as scheduling points"), "\(w.lastError)")
        try w.set(.plainPoints, 1)
        rc = c.run_token!(w.w, bareToken)
        #expect(rc == KSIM_EMISMATCH.rawValue)
        #expect(w.lastError.contains("recorded without plain accesses"), "\(w.lastError)")
        rc = c.run_token!(w.w, plainToken)
        #expect(rc >= 0, "\(w.lastError)")
        // an unknown field: both parsers name it
        #expect(c.run_token!(w.w, "ksim1:seed-reclaim-nonlinear:*:bogus:a38") == KSIM_EINVAL.rawValue)
        #expect(w.lastError.contains("unknown token field 'bogus'"), "\(w.lastError)")
        #expect { try Schedule(token: "ksim1:seed-reclaim-nonlinear:*:bogus:a38") } throws: { "\($0)".contains("unknown token field 'bogus'") }
        // --plain-points with a token recorded without it
        let s = try Scenario(registered: "seed-reclaim-nonlinear")
        let e = Explorer(s, strategy: .replay(try Schedule(token: bareToken)), options: options(true))
        #expect { try e.validate() } throws: { e in
            guard case HarnessError.mismatch(let m) = e else { return false }
            return m.contains("recorded without plain accesses")
        }
        let cli = try CLITests().kharness(["run", s.name, "--schedule", bareToken, "--plain-points"])
        #expect(cli.code == 2)
        #expect(cli.err.contains("--plain-points: the schedule token was recorded without plain accesses"), "\(cli.err)")
        #expect(cli.out.isEmpty)
    }

    /// A run abandoned at a plain access's point (DFS and DPOR reset
    /// mid-run) leaves the next run's plain points on: the same run as on
    /// a fresh world.
    @Test func plainPointsSurviveAnAbandonedRun() throws {
        let fresh = try World(scenario: "reclaim-vs-munlock")
        try fresh.set(.plainPoints, 1)
        fresh.runLastFirst([])
        let full = fresh.stats.steps
        let w = try World(scenario: "reclaim-vs-munlock")
        try w.set(.plainPoints, 1)
        for n in [1, 5, 17] {
            _ = w.runPrefix([UInt8](repeating: 0, count: n))
            w.runLastFirst([])
            #expect(w.stats.steps == full, "after a run stopped at step \(n)")
        }
        // and more steps than without plain points
        let bare = try World(scenario: "reclaim-vs-munlock")
        bare.runLastFirst([])
        #expect(full > bare.stats.steps)
    }

    /// DPOR and DFS explore with the option: more steps per schedule, and
    /// at least as many Mazurkiewicz traces (each plain access is an event
    /// of its own); --jobs does not change the result.
    @Test func explorationsTakeTheOption() throws {
        let s = try Scenario(registered: "reclaim-vs-migrate")
        var bare = options(false), plain = options(true)
        bare.stopOnFirstFinding = false
        plain.stopOnFirstFinding = false
        let a = try Explorer(s, strategy: .dpor, options: bare).run()
        let b = try Explorer(s, strategy: .dpor, options: plain).run()
        #expect(a.exhausted && b.exhausted)
        #expect(b.schedules >= a.schedules)
        #expect(Double(b.steps) / Double(b.schedules) > Double(a.steps) / Double(a.schedules))
        plain.jobs = 2
        let b2 = try Explorer(s, strategy: .dpor, options: plain).run()
        #expect(b2.schedules == b.schedules && b2.finalStates == b.finalStates)
        let d = try Explorer(s, strategy: .dfs(preemptionBound: nil), options: { var o = plain; o.maxSchedules = 20; return o }()).run()
        let d0 = try Explorer(s, strategy: .dfs(preemptionBound: nil), options: { var o = bare; o.maxSchedules = 20; return o }()).run()
        #expect(d.steps > d0.steps)
    }

    /// check-patch --plain-points: both sides explore with it (the patched
    /// side in the worker process), the seed fix stays good, and the
    /// unpatched side's tokens carry the option.
    @Test func checkPatchExploresBothSidesWithTheOption() throws {
        let patch = try CheckPatchTests.patch("0001")
        let r = try CLITests().kharness(["check-patch", patch, "--scenarios", "seed-reclaim-nonlinear",
                                         "--plain-points", "--fuzz-time", "0", "--json"])
        #expect(r.code == 0, "\(r.err)")
        try SchemaCheck.validate(r.out, schema: "check-patch")
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])
        #expect(obj["verdict"] as? String == "good")
        let row = try #require((obj["rows"] as? [[String: Any]])?.first)
        let before = try #require(row["before"] as? [String: Any]), after = try #require(row["after"] as? [String: Any])
        #expect(before["plain_points"] as? Bool == true && after["plain_points"] as? Bool == true)
        let tokens = (before["findings"] as? [[String: Any]] ?? []).compactMap { $0["token"] as? String }
        #expect(!tokens.isEmpty && tokens.allSatisfy { $0.contains(":plain:") }, "\(tokens)")
    }

    /// Shards of a --plain-points run merge into one that says so; a shard
    /// of the other setting is not of the same exploration.
    @Test func shardsKeepTheOption() throws {
        let s = try Scenario(registered: "reclaim-vs-migrate")
        func shard(_ i: Int, plain: Bool) throws -> RunReport {
            var o = options(plain)
            o.stopOnFirstFinding = false
            o.shard = try Shard(index: i, count: 2)
            // through the JSON, as kharness merge reads it
            let json = RunReport(try Explorer(s, strategy: .dpor, options: o).run()).json
            return try RunReport.decode(Data(json.utf8))
        }
        let merged = try Explorer.merge([try shard(0, plain: true), try shard(1, plain: true)])
        #expect(merged.options.plainPoints)
        var o = options(true)
        o.stopOnFirstFinding = false
        let whole = try Explorer(s, strategy: .dpor, options: o).run()
        #expect(merged.schedules == whole.schedules)
        #expect(throws: HarnessError.self) { try Explorer.merge([try shard(0, plain: true), try shard(1, plain: false)]) }
    }
}
