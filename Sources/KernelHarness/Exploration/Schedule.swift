// SPDX-License-Identifier: GPL-2.0-only
//
// A schedule: the task chosen at each scheduling point, plus the scenario
// and the build of the kernel code it was recorded on.  Its text form is the
// shim's token, "ksim1:SCENARIO:CODEID:CHOICES" with run-length coded
// choices ('a' = task 0, "a3b2a" = 0,0,0,1,1,0); Swift and C encode and
// decode it identically.  A schedule of a run with plain shared accesses
// as scheduling points (--plain-points) has other steps: its token says
// so, "ksim1:SCENARIO:CODEID:plain:CHOICES", and replays with that option
// (World.run sets it from the schedule; the C library refuses a token of
// the other setting).

import CKernelShim

/// One recorded or planned schedule.
public struct Schedule: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Scenario the schedule belongs to; nil: any ("*" or a bare choice string).
    public var scenario: String?
    /// `KernelAPI.codeID` of the build it ran on; nil: any.
    public var codeID: String?
    /// Task index chosen at each step.
    public var choices: [UInt8]
    /// Recorded with every plain shared access a scheduling point.
    public var plainPoints = false

    public static let version = "ksim1"
    public static let maxTasks = Int(KSIM_MAX_TASKS)
    /// The most choices a schedule may hold: the most steps a run may take
    /// (the shim's KSIM_STEP_LIMIT, also the largest step budget).
    public static let maxSteps = Int(KSIM_STEP_LIMIT)

    public init(scenario: String?, codeID: String?, choices: [UInt8], plainPoints: Bool = false) {
        self.scenario = scenario
        self.codeID = codeID
        self.choices = choices
        self.plainPoints = plainPoints
    }

    enum CodingKeys: String, CodingKey { case scenario, codeID, choices, plainPoints }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        scenario = try c.decodeIfPresent(String.self, forKey: .scenario)
        codeID = try c.decodeIfPresent(String.self, forKey: .codeID)
        choices = try c.decode([UInt8].self, forKey: .choices)
        // absent in what was written before the option existed
        plainPoints = try c.decodeIfPresent(Bool.self, forKey: .plainPoints) ?? false
    }

    /// The token field before the choices of a --plain-points schedule.
    public static let plainField = "plain"

    /// The canonical token; `Schedule(token: s.token) == s` always holds.
    public var token: String {
        "\(Schedule.version):\(scenario ?? "*"):\(codeID ?? "*"):\(plainPoints ? Schedule.plainField + ":" : "")\(Schedule.encode(choices))"
    }

    public var description: String { token }

    /// Run-length code a choice list: [0,0,0,1,1,0] -> "a3b2a".
    public static func encode(_ choices: [UInt8]) -> String {
        var out = ""
        out.reserveCapacity(choices.count)
        var i = 0
        while i < choices.count {
            var j = i + 1
            while j < choices.count && choices[j] == choices[i] { j += 1 }
            out.unicodeScalars.append(Unicode.Scalar(UInt8(97) + choices[i]))
            if j - i > 1 { out += String(j - i) }
            i = j
        }
        return out
    }

    /// Parse a token (or a bare choice string).  Errors name the 1-based
    /// character position and the reason, like the shim's own parser.
    public init(token: String) throws {
        let s = Array(token.utf8)
        var p = 0
        func fail(_ pos: Int, _ why: String) -> HarnessError {
            // a huge token is quoted by its start only
            let shown = s.count > 80 ? String(decoding: s[..<60], as: UTF8.self) + "...(\(s.count) bytes)" : token
            return .badInput("malformed schedule token '\(shown)': position \(pos): \(why)")
        }
        while p < s.count && (s[p] == 32 || s[p] == 9 || s[p] == 10 || s[p] == 13) { p += 1 }
        var scenario: String? = nil
        var code: String? = nil
        var plain = false
        if s.count - p >= 4 && s[p..<p+4].elementsEqual("ksim".utf8) {
            guard s.count - p >= 6 && s[p..<p+6].elementsEqual("ksim1:".utf8) else {
                throw fail(p + 5, "unsupported token version (expected 'ksim1:')")
            }
            p += 6
            var fields: [String] = []
            for _ in 0..<2 {
                guard let colon = s[p...].firstIndex(of: 58) else {
                    throw fail(s.count + 1, "expected 'ksim1:SCENARIO:CODEID:CHOICES' (missing ':')")
                }
                if colon == p { throw fail(p + 1, "empty field (use '*' for any)") }
                fields.append(String(decoding: s[p..<colon], as: UTF8.self))
                p = colon + 1
            }
            scenario = fields[0] == "*" ? nil : fields[0]
            code = fields[1] == "*" ? nil : fields[1]
            // the options field: only "plain" so far
            if let colon = s[p...].firstIndex(of: 58) {
                let field = String(decoding: s[p..<colon], as: UTF8.self)
                guard field == Schedule.plainField else {
                    throw fail(p + 1, "unknown token field '\(field)' (this build knows '\(Schedule.plainField):', for runs with plain accesses as scheduling points)")
                }
                plain = true
                p = colon + 1
            }
        }
        var choices: [UInt8] = []
        while p < s.count && !(s[p] == 32 || s[p] == 9 || s[p] == 10 || s[p] == 13) {
            let c = s[p]
            guard c >= 97 && c < 97 + UInt8(Schedule.maxTasks) else {
                throw fail(p + 1, "expected a task letter a-\(Character(Unicode.Scalar(96 + UInt8(Schedule.maxTasks)))), got '\(Character(Unicode.Scalar(c)))'")
            }
            p += 1
            var count = 1
            if p < s.count && s[p] >= 48 && s[p] <= 57 {
                let start = p
                var n = 0
                while p < s.count && s[p] >= 48 && s[p] <= 57 {
                    n = n * 10 + Int(s[p] - 48)
                    if n > Schedule.maxSteps { break }
                    p += 1
                }
                guard n >= 1 && n <= Schedule.maxSteps else {
                    throw fail(start + 1, "repeat count must be 1..\(Schedule.maxSteps)")
                }
                count = n
            }
            // bounded by what a run can take, not by what memory allows
            guard count <= Schedule.maxSteps - choices.count else {
                throw fail(p, "more than \(Schedule.maxSteps) choices (the most steps a run may take)")
            }
            if count == 1 { choices.append(c - 97) } else { choices.append(contentsOf: [UInt8](repeating: c - 97, count: count)) }
        }
        while p < s.count && (s[p] == 32 || s[p] == 9 || s[p] == 10 || s[p] == 13) { p += 1 }
        if p < s.count { throw fail(p + 1, "unexpected text after the choices") }
        // no caller means "nothing chosen": an empty token is a mistake
        if choices.isEmpty {
            throw fail(p + 1, "no choices (a schedule names at least one task, e.g. 'a3b2')")
        }
        self.init(scenario: scenario, codeID: code, choices: choices, plainPoints: plain)
    }

    /// Check that this schedule may run on `world` (same scenario, same
    /// kernel code, existing tasks); throws `.mismatch` or `.badInput`.
    public func check(for world: World) throws {
        if let scenario, scenario != world.scenario {
            throw HarnessError.mismatch(
                "schedule token is for scenario '\(scenario)', not '\(world.scenario)'")
        }
        if let codeID, codeID != world.api.codeID {
            throw HarnessError.mismatch(
                "schedule token needs the build of kernel code \(codeID), this build is \(world.api.codeID): replay it with the --patch files that made that build (kharness build PATCH... --prefix DIR prints a build's code id), or put '*' for the code id to replay on this build anyway")
        }
        if let bad = choices.firstIndex(where: { Int($0) >= world.taskCount }) {
            throw HarnessError.badInput(
                "schedule position \(bad + 1): task '\(Character(Unicode.Scalar(97 + choices[bad])))' does not exist (scenario '\(world.scenario)' has \(world.taskCount) tasks)")
        }
    }

    /// Number of steps.
    public var count: Int { choices.count }
}

extension World {
    /// The schedule of the current (or last) run.
    public var schedule: Schedule {
        Schedule(scenario: scenario, codeID: api.codeID, choices: choices, plainPoints: plainPoints)
    }

    /// Reset and replay `schedule` exactly (every choice must be enabled;
    /// a tail it leaves runs round-robin, as with tokens).  Checks first;
    /// the world takes the schedule's plain-points setting (a schedule
    /// replays as it was recorded).
    @discardableResult
    public func run(_ schedule: Schedule) throws -> Int {
        try schedule.check(for: self)
        if schedule.plainPoints != plainPoints { try set(.plainPoints, schedule.plainPoints ? 1 : 0) }
        return try run(choices: schedule.choices)
    }

    /// Preemptions of `choices` on this world: switches away from a task
    /// that could have gone on.  Resets the world and replays.
    public func preemptions(of choices: [UInt8]) -> Int {
        reset()
        var n = 0
        var prev = -1
        for c in choices {
            if isDone { break }
            let en = enabled
            if prev >= 0 && Int(c) != prev && en & (1 << UInt32(prev)) != 0 { n += 1 }
            if stepUnchecked(Int(c)) != 0 { break }
            prev = Int(c)
        }
        return n
    }
}
