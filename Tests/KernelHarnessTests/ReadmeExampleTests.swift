// SPDX-License-Identifier: GPL-2.0-only
// The README's "Explore from Swift" example, verbatim below the marker: it
// must compile and pass against the public API only (plain import).
// --- README example ---
import Testing
import KernelHarness

@Test func lostUpdateIsFoundAndMinimized() throws {
    // Two simulated CPUs increment one counter without a lock.
    let racy = Scenario(
        name: "my-lost-update",
        setup: ["expect counter 2"],
        tasks: [TaskSpec("cpu0", "incr 1"), TaskSpec("cpu1", "incr 1")])

    // DPOR runs one schedule per class of equivalent interleavings.
    let explorer = Explorer(racy, strategy: .dpor)
    var result = try explorer.run()
    try explorer.minimizeFindings(&result)
    let finding = try #require(result.firstFailure)
    #expect(finding.kind == "accounting")
    #expect(finding.minimized?.preemptions == 1)

    // Replay the minimized schedule: one column per CPU, file:line per step.
    let schedule = try #require(finding.minimized?.schedule)
    let timeline = try Timeline(world: try racy.makeWorld(), schedule: schedule)
    print(timeline.text)

    // With the spinlock, every schedule is explored and none fails.
    let fixed = Scenario(
        name: "my-locked-update",
        setup: ["expect counter 2"],
        tasks: [TaskSpec("cpu0", "locked_incr 1"), TaskSpec("cpu1", "locked_incr 1")])
    let clean = try Explorer(fixed, strategy: .dfs(preemptionBound: nil)).run()
    #expect(!clean.failed && clean.exhausted)
    #expect(clean.schedules == 2)
}
