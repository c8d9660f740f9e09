// SPDX-License-Identifier: GPL-2.0-only
// `kharness bench --quick --json` runs and gives the fields docs/bench.md
// documents, with sane values.  No timing is asserted.
import Testing
import Foundation
@testable import KernelHarness

@Suite struct BenchTests {
    @Test func quickJSONHasTheDocumentedFields() throws {
        let r = try CLITests().kharness(["bench", "--quick", "--json", "--silent"])
        #expect(r.code == 0, "stderr: \(r.err)")
        guard let obj = try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any] else {
            Issue.record("not one JSON object: \(r.out.prefix(300))")
            return
        }
        for key in ["machine", "runs", "quick", "roundtrip_ns", "throughput", "c_loop", "c_loop_driver", "first_findings",
                    "exhaust", "jobs", "stress", "peak_rss_kib", "targets", "notes", "wall_seconds"] {
            #expect(obj[key] != nil, "missing \(key)")
        }
        #expect(obj["quick"] as? Bool == true)
        let machine = obj["machine"] as? [String: Any] ?? [:]
        for key in ["cpu", "cores", "load_average_start", "load_average_end", "swift", "clang", "code_id", "os"] {
            #expect(machine[key] != nil, "missing machine.\(key)")
        }
        #expect((machine["cores"] as? Int ?? 0) >= 1)
        #expect((obj["roundtrip_ns"] as? Double ?? 0) > 0)
        #expect((obj["peak_rss_kib"] as? Int ?? 0) > 0)

        let rows = obj["throughput"] as? [[String: Any]] ?? []
        let scenarios = Set(rows.compactMap { $0["scenario"] as? String })
        #expect(scenarios.contains("step-loop") && scenarios.contains("seed-reclaim-nonlinear")
                && scenarios.contains("toy-lost-update"))
        #expect(Set(rows.compactMap { $0["strategy"] as? String }) == ["random", "pct d=3", "dfs", "dpor"])
        for row in rows {
            #expect((row["ns_per_step"] as? Double ?? 0) > 0, "\(row)")
            #expect((row["schedules"] as? Int ?? 0) > 0, "\(row)")
            #expect((row["schedules_per_second"] as? Double ?? 0) > 0, "\(row)")
        }

        // every known bug, under the five strategies; the seed BUG is found by all
        let finds = obj["first_findings"] as? [[String: Any]] ?? []
        #expect(Set(finds.compactMap { $0["bug"] as? String }).count == 5)
        for f in finds where (f["scenario"] as? String) == "seed-migrate-nonlinear" {
            #expect(f["found"] as? Bool == true, "\(f)")
            #expect((f["schedules"] as? Int ?? 0) > 0)
        }
        for f in finds where f["found"] as? Bool == false {
            #expect(f["schedules"] == nil || f["schedules"] is NSNull)
            #expect((f["cap_schedules"] as? Int ?? 0) > 0)
        }

        let ex = obj["exhaust"] as? [[String: Any]] ?? []
        let dpor = ex.filter { ($0["strategy"] as? String) == "dpor" }
        #expect(!dpor.isEmpty)
        for e in dpor { #expect(e["exhausted"] as? Bool == true, "\(e)") }

        // DPOR on every registered mm scenario of three and more tasks (and
        // the seed's with 0001): counts that add up, a fraction of them blocked
        let many = obj["many_task"] as? [[String: Any]] ?? []
        let wanted = Scenario.all().filter { $0.model == "mm" && ((try? $0.makeWorld().taskCount) ?? 0) >= 3 }.map(\.name)
        #expect(!wanted.isEmpty)
        let rowNames = many.compactMap { $0["scenario"] as? String }
        #expect(Set(rowNames) == Set(wanted + wanted.filter { $0.hasPrefix("seed-") }.map { $0 + " + 0001" }), "\(rowNames)")
        for m in many {
            let sch = m["schedules"] as? Int ?? -1, blk = m["blocked"] as? Int ?? -1
            #expect(sch > 0 && blk >= 0, "\(m)")
            let frac = m["blocked_fraction"] as? Double ?? -1
            #expect(abs(frac - Double(blk) / Double(sch + blk)) < 1e-9, "\(m)")
            #expect((m["tasks"] as? Int ?? 0) >= 3 && (m["jobs"] as? Int) == ((m["tasks"] as? Int ?? 0) >= 4 ? 2 : 1))
        }
        // unpatched, the seed's three-task world is exhausted at once (the BUG ends its runs)
        #expect(many.first { $0["scenario"] as? String == "seed-reclaim-migrate-munlock" }?["exhausted"] as? Bool == true)
        try SchemaCheck.validate(r.out, schema: "bench")

        let jobs = obj["jobs"] as? [String: Any] ?? [:]
        // the C loop measured both ways on every scenario, same steps per schedule
        let direct = obj["c_loop"] as? [[String: Any]] ?? []
        let driver = obj["c_loop_driver"] as? [[String: Any]] ?? []
        #expect(!direct.isEmpty && direct.count == driver.count)
        #expect(Set(direct.compactMap { $0["scenario"] as? String }) == Set(driver.compactMap { $0["scenario"] as? String }))
        #expect((jobs["ratio"] as? Double ?? 0) > 0)
        #expect((jobs["independent_ratio"] as? Double ?? 0) > 0)
        #expect((obj["stress"] as? [[String: Any]] ?? []).count == 5)
        #expect(!(obj["targets"] as? [[String: Any]] ?? []).isEmpty)
    }
}

/// The lean per-step accessors say what the full ones say.
@Suite struct LeanAccessorTests {
    @Test(arguments: ["seed-reclaim-nonlinear", "reclaim-vs-munlock", "toy-abba", "toy-owner"])
    func leanAccessorsAgreeWithTheFullOnes(scenario: String) throws {
        let w = try World(scenario: scenario)
        for seed in UInt64(0)..<20 {
            w.reset()
            var rng = SplitMix64(seed: seed)
            while !w.isDone && w.enabled != 0 {
                for t in 0..<w.taskCount {
                    let full = w.pending(t), lean = w.pendingAccess(t)
                    #expect((full == nil) == (lean == nil))
                    if let full, let lean {
                        #expect(full.kind == lean.kind && full.object == lean.object && full.write == lean.write)
                    }
                }
                var en = w.enabled, pick = Int(rng.next() % UInt64(en.nonzeroBitCount))
                while pick > 0 { en &= en - 1; pick -= 1 }
                try w.step(en.trailingZeroBitCount)
            }
            #expect(w.findingBrief(w.findingCount) == nil)
            for (i, f) in w.findings.enumerated() {
                let b = try #require(w.findingBrief(i))
                #expect(w.api.table.pointee.finding_kind_name!(b.kind).map { String(cString: $0) } == f.kind)
                #expect(b.file.map { String(cString: $0) } == f.file)
                #expect(Int(b.line) == f.line && b.tolerated == f.tolerated)
            }
        }
    }
}
