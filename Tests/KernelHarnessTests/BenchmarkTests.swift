// SPDX-License-Identifier: GPL-2.0-only
// Benchmarks, not timed tests: they only print numbers, and run only when
// KHARNESS_BENCH is set, in a release build:
//   swift build -c release -Xswiftc -enable-testing --build-tests --scratch-path .build-h2r
//   KHARNESS_BENCH=1 swift test -c release -Xswiftc -enable-testing --skip-build \
//       --scratch-path .build-h2r --filter Benchmarks
import Testing
import Foundation
@testable import KernelHarness

@Suite(.enabled(if: ProcessInfo.processInfo.environment["KHARNESS_BENCH"] != nil))
struct Benchmarks {
    static let scenarios: [Scenario] = [
        try! Scenario(registered: "toy-lost-update"),
        try! Scenario(registered: "toy-independent"),
        try! Scenario(registered: "toy-rwsem-recursive"),
        Scenario(name: "incr-2x3", setup: ["expect counter 6"],
                 tasks: [TaskSpec("t0", "incr 2"), TaskSpec("t1", "incr 2"), TaskSpec("t2", "incr 2")]),
        Scenario(name: "locked-2x3", setup: ["expect counter 6"],
                 tasks: [TaskSpec("t0", "locked_incr 2"), TaskSpec("t1", "locked_incr 2"), TaskSpec("t2", "locked_incr 2")]),
        Scenario(name: "touch-4x3", tasks: [TaskSpec("t0", "touch 4"), TaskSpec("t1", "touch 4"), TaskSpec("t2", "touch 4")]),
        Scenario(name: "rwsem-3", tasks: [TaskSpec("r", "read_twice"), TaskSpec("w", "write"), TaskSpec("x", "write"), TaskSpec("y", "read_twice")]),
    ]

    func line(_ s: Scenario, _ st: String, _ r: ExplorationResult) -> String {
        let ns = r.steps > 0 ? r.seconds * 1e9 / Double(r.steps) : 0
        let sps = r.seconds > 0 ? Double(r.schedules) / r.seconds : 0
        return String(format: "%-20@ %-10@ %9d sched %10d steps %8.3fs %7.1f ns/step %10.0f sched/s %@",
                      s.name as NSString, st as NSString, r.schedules, r.steps, r.seconds, ns, sps,
                      (r.exhausted ? "exhausted" : "") as NSString)
    }

    @Test func perStrategy() throws {
        print("scenario             strategy   schedules, steps, time, ns/step, schedules/s (jobs 1, keep going)")
        for s in Self.scenarios {
            // bare C loop: the shim's own random chooser, no Swift per step
            let w = try s.makeWorld()
            try w.set(.trace, 0); try w.set(.backtrace, 0)
            let t0 = DispatchTime.now().uptimeNanoseconds
            let before = w.stats.totalSteps
            for i in 0..<20000 { w.runRandom(seed: UInt64(i)) }
            let secs = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
            let steps = w.stats.totalSteps - before
            print(String(format: "%-20@ %-10@ %9d sched %10d steps %8.3fs %7.1f ns/step %10.0f sched/s",
                         s.name as NSString, "C-random" as NSString, 20000, steps, secs,
                         secs * 1e9 / Double(steps), 20000 / secs))
            for st: Strategy in [.random(seed: 1), .pct(seed: 1, depth: 3), .dfs(preemptionBound: nil), .dpor] {
                let max = st.isSystematic ? 2_000_000 : 20000
                let r = try Explorer(s, strategy: st, options: ExploreOptions(
                    maxSchedules: max, stopOnFirstFinding: false, jobs: 1)).run()
                print(line(s, st.name, r))
            }
        }
    }

    @Test func jobsTwoVersusOne() throws {
        for s in Self.scenarios.suffix(4) {
            for st: Strategy in [.dfs(preemptionBound: nil), .random(seed: 1), .dpor] {
                var secs: [Double] = []
                for jobs in [1, 2] {
                    let r = try Explorer(s, strategy: st, options: ExploreOptions(
                        maxSchedules: st.isSystematic ? nil : 100_000, stopOnFirstFinding: false, jobs: jobs)).run()
                    secs.append(r.seconds)
                    print(line(s, "\(st.name) j\(jobs)", r))
                }
                print(String(format: "  speed-up --jobs 2 vs 1: %.2fx", secs[0] / secs[1]))
            }
        }
    }
}
