// SPDX-License-Identifier: GPL-2.0-only
//
// Upper bounds of every number a user or a file can hand the harness.  Each
// is far beyond any real use and small enough that the sums and products
// the explorer forms from them cannot overflow, so out-of-range input is
// rejected with a message instead of trapping (or hanging) later.
import Foundation

public enum Limits {
    /// --time and every other budget in seconds: a year.
    public static let maxSeconds: Double = 365 * 24 * 3600
    /// --max-schedules, --max-execs, and counts read back from files: 10^15
    /// (ten thousand such counts still sum below Int.max).
    public static let maxCount = 1_000_000_000_000_000
    /// --jobs: worker threads (each also has its own world).
    public static let maxJobs = 256
    /// N of --shard I/N.
    public static let maxShards = 1_000_000
    /// --units (work units of an exploration) and units read back from files.
    public static let maxUnits = 1 << 20
    /// --minimize-budget and other per-finding run budgets.
    public static let maxBudget = 100_000_000

    /// "NAME must be LO...HI (got V)" unless `v` is in range.
    public static func check(_ name: String, _ v: Int, _ range: ClosedRange<Int>) throws {
        guard range.contains(v) else {
            throw HarnessError.badInput("\(name) must be \(range.lowerBound)...\(range.upperBound) (got \(v))")
        }
    }

    /// A positive, finite number of seconds up to `maxSeconds`.
    public static func checkSeconds(_ name: String, _ t: Double, allowZero: Bool = false) throws {
        guard t.isFinite, allowZero ? t >= 0 : t > 0, t <= maxSeconds else {
            throw HarnessError.badInput("\(name) must be a \(allowZero ? "non-negative" : "positive") number of seconds up to \(Int(maxSeconds)) (got \(t))")
        }
    }

    /// `now` plus `seconds` in nanoseconds, saturating instead of trapping.
    public static func deadline(after seconds: Double, from now: UInt64) -> UInt64 {
        let ns = seconds.isFinite && seconds > 0 ? min(seconds, maxSeconds) * 1e9 : 0
        let (d, o) = now.addingReportingOverflow(UInt64(ns))
        return o ? UInt64.max : d
    }
}

/// What is wrong with a JSON file, in words: the field path and the problem,
/// not the decoder's dump.
public enum JSONProblem {
    public static func describe(_ error: Error) -> String {
        func path(_ p: [CodingKey]) -> String {
            p.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
                .trimmingCharacters(in: CharacterSet(charactersIn: "."))
        }
        switch error {
        case DecodingError.dataCorrupted(let c):
            if c.codingPath.isEmpty { return "not valid JSON" }
            return "\(path(c.codingPath)): \(c.debugDescription)"
        case DecodingError.keyNotFound(let k, let c):
            return "missing field '\(path(c.codingPath + [k]))'"
        case DecodingError.typeMismatch(let t, let c):
            return "\(path(c.codingPath)): wrong type (expected \(t))"
        case DecodingError.valueNotFound(let t, let c):
            return "\(path(c.codingPath)): null where \(t) is expected"
        default:
            return "\(error)"
        }
    }
}
