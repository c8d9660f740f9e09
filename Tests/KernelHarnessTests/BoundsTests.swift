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
        ("", "no choices"),
        ("a10000000a", "more than 10000000 choices"),
        (String(repeating: big, count: 200), "more than 10000000 choices"),
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
        #expect(throws: HarnessError.badInput("max_steps must be at most 10000000 (got 10000001)")) {
            try w.set(.maxSteps, 10_000_001)
        }
        #expect(throws: HarnessError.self) { try w.set(.maxSteps, -1) }
        try w.set(.maxSteps, Schedule.maxSteps)
    }
}
