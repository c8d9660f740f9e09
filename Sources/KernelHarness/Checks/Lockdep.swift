// SPDX-License-Identifier: GPL-2.0-only
//
// Lock-class dependencies gathered over an exploration, and the cycles
// among them, reported the way lockdep reports them ("possible circular
// locking dependency detected").  A cycle is a possible deadlock even when
// no explored schedule deadlocked: the schedules that would interleave the
// two chains may lie outside the scenario (another world, more tasks).
import Foundation
import CKernelShim

public struct LockSite: Hashable, Codable, Sendable, Comparable {
    public var file: String
    public var line: Int
    public var function: String

    public var text: String { "\(file):\(line) \(function)()" }

    public static func < (a: LockSite, b: LockSite) -> Bool {
        (a.file, a.line, a.function) < (b.file, b.line, b.function)
    }
}

/// "task took a lock of class `to` while holding one of class `from`".
public struct LockDependency: Hashable, Codable, Sendable {
    public var from: String
    public var to: String
    public var fromRead: Bool
    public var toRead: Bool
    /// Where the held lock was taken, and where the new one.
    public var held: LockSite
    public var taken: LockSite
    public var task: String

    public var key: String { "\(from) -> \(to)" }

    enum CodingKeys: String, CodingKey {
        case from, to, held, taken, task
        case fromRead = "from_read"
        case toRead = "to_read"
    }

    /// Of two examples of one class pair, the one reports show (so the
    /// report does not depend on which worker saw it first).
    static func preferred(_ a: LockDependency, _ b: LockDependency) -> LockDependency {
        (a.taken, a.held, a.task) <= (b.taken, b.held, b.task) ? a : b
    }
}

extension World {
    /// Every lock-class dependency this world saw since it was created.
    public var lockDependencies: [LockDependency] {
        guard let count = api.table.pointee.lockdep_count, let get = api.table.pointee.lockdep_get else { return [] }
        var out: [LockDependency] = []
        for i in 0..<count(w) {
            var d = ksim_lock_dep()
            guard get(w, i, &d) == 0 else { continue }
            out.append(LockDependency(
                from: cstr(d.from_class), to: cstr(d.to_class), fromRead: d.from_read != 0, toRead: d.to_read != 0,
                held: LockSite(file: cstr(d.held_file), line: Int(d.held_line), function: cstr(d.held_function)),
                taken: LockSite(file: cstr(d.taken_file), line: Int(d.taken_line), function: cstr(d.taken_function)),
                task: cstr(d.task_name)))
        }
        return out
    }

    /// Kernel functions that ran in any run of this world (builds compiled
    /// with `instrument`; empty otherwise).
    public var executedFunctions: Set<String> {
        guard let count = api.table.pointee.coverage_count, let name = api.table.pointee.coverage_name else { return [] }
        var out: Set<String> = []
        for i in 0..<count(w) { if let n = name(w, i) { out.insert(cstr(n)) } }
        return out
    }

    /// Forget the dependencies gathered so far.
    public func clearLockDependencies() {
        api.table.pointee.lockdep_clear?(w)
    }
}

/// A cycle of lock classes: edges[0].from -> edges[0].to = edges[1].from -> ... -> edges[0].from.
public struct LockCycle: Sendable, Hashable, Codable {
    public var edges: [LockDependency]

    public var classes: [String] { edges.map(\.from) }
    /// "PG_locked -> i_mmap_mutex -> PG_locked"
    public var chain: String { (classes + [classes[0]]).joined(separator: " -> ") }

    /// The kernel's lockdep splat, with our sites.  The last edge is the
    /// one "trying to acquire" (it closes the cycle).
    public var report: String {
        let last = edges[edges.count - 1]
        let bar = String(repeating: "=", count: 54)
        var s = "\(bar)\nWARNING: possible circular locking dependency detected\n"
        s += String(repeating: "-", count: 54) + "\n"
        s += "\(last.task) is trying to acquire lock:\n (\(last.to)\(last.toRead ? ", read" : "")), at: \(last.taken.text)\n\n"
        s += "but task is already holding lock:\n (\(last.from)\(last.fromRead ? ", read" : "")), at: \(last.held.text)\n\n"
        s += "which lock already depends on the new lock.\n\n"
        s += "the existing dependency chain (in reverse order) is:\n\n"
        for (i, e) in edges.dropLast().reversed().enumerated() {
            let n = edges.count - 2 - i
            s += "-> #\(n) (\(e.to)): taken at \(e.taken.text)\n"
            s += "       by \(e.task), holding (\(e.from)) taken at \(e.held.text)\n"
        }
        s += "\nother info that might help us debug this:\n\n"
        if edges.count == 2 {
            let a = edges[1].from, b = edges[1].to
            s += " Possible unsafe locking scenario:\n\n"
            s += "       CPU0                    CPU1\n"
            s += "       ----                    ----\n"
            s += "  lock(\(a));\n"
            s += "                               lock(\(b));\n"
            s += "                               lock(\(a));\n"
            s += "  lock(\(b));\n\n"
            s += " *** DEADLOCK ***\n"
        } else {
            s += " Chain exists of:\n   \(chain)\n"
        }
        return s
    }

    /// As a finding of an exploration: at the site that closes the cycle.
    public func finding(failing: Bool) -> FoundFinding {
        let last = edges[edges.count - 1]
        return FoundFinding(kind: "lockdep", message: "possible circular locking dependency: \(chain)",
                            file: last.taken.file, line: last.taken.line, function: last.taken.function,
                            task: -1, taskName: last.task, tolerated: !failing, failing: failing,
                            token: "", count: 1, unit: 0, ordinal: 0)
    }
}

/// A dependency against the lock order mm/rmap.c documents.
public struct LockOrderViolation: Sendable, Hashable {
    public var dependency: LockDependency

    public var message: String {
        "lock order against mm/rmap.c: \(dependency.to) taken while holding \(dependency.from)"
    }

    public var report: String {
        let d = dependency
        let bar = String(repeating: "=", count: 54)
        return "\(bar)\nWARNING: lock order against the one mm/rmap.c documents\n"
            + String(repeating: "-", count: 54) + "\n"
            + "\(d.task) took (\(d.to)) at \(d.taken.text)\n"
            + "while holding (\(d.from)) taken at \(d.held.text)\n\n"
            + "mm/rmap.c orders them: " + Lockdep.documentedOrder.map { $0.joined(separator: "/") }.joined(separator: " > ") + "\n"
    }

    public func finding(failing: Bool) -> FoundFinding {
        FoundFinding(kind: "lockdep", message: message, file: dependency.taken.file, line: dependency.taken.line,
                     function: dependency.taken.function, task: -1, taskName: dependency.task,
                     tolerated: !failing, failing: failing, token: "", count: 1, unit: 0, ordinal: 0)
    }
}

public enum Lockdep {
    /// The nesting mm/rmap.c documents, outermost first (classes of one
    /// level are alternatives: a pte lock or mm->page_table_lock).
    public static let documentedOrder: [[String]] = [
        ["mmap_sem"], ["PG_locked"], ["i_mmap_mutex"], ["anon_vma.rwsem"], ["ptl", "page_table_lock"], ["lru_lock"],
    ]

    /// Dependencies that take an outer class of the documented order while
    /// holding an inner one.
    public static func orderViolations(_ deps: [LockDependency]) -> [LockOrderViolation] {
        func rank(_ c: String) -> Int? { documentedOrder.firstIndex { $0.contains(c) } }
        return deps.filter { d in
            guard let a = rank(d.from), let b = rank(d.to) else { return false }
            return a > b
        }.map { LockOrderViolation(dependency: $0) }
    }

    /// One example per class pair.
    public static func merge(_ lists: [[LockDependency]]) -> [LockDependency] {
        var by: [String: LockDependency] = [:]
        for l in lists { for d in l { by[d.key] = by[d.key].map { LockDependency.preferred($0, d) } ?? d } }
        return by.values.sorted { ($0.from, $0.to) < ($1.from, $1.to) }
    }

    /// Elementary cycles of the class graph (up to `maxLength` classes),
    /// each once, starting at its smallest class.
    public static func cycles(_ deps: [LockDependency], maxLength: Int = 4) -> [LockCycle] {
        var adj: [String: [LockDependency]] = [:]
        for d in deps { adj[d.from, default: []].append(d) }
        var found: [LockCycle] = []
        let starts = Set(deps.map(\.from)).sorted()
        func walk(_ start: String, _ at: String, _ path: inout [LockDependency], _ seen: inout Set<String>) {
            for e in (adj[at] ?? []).sorted(by: { $0.to < $1.to }) {
                if e.to == start {
                    found.append(LockCycle(edges: path + [e]))
                } else if e.to > start, !seen.contains(e.to), path.count + 1 < maxLength {
                    seen.insert(e.to)
                    path.append(e)
                    walk(start, e.to, &path, &seen)
                    path.removeLast()
                    seen.remove(e.to)
                }
            }
        }
        for s in starts {
            var path: [LockDependency] = []
            var seen: Set<String> = [s]
            walk(s, s, &path, &seen)
        }
        return found
    }
}
