// SPDX-License-Identifier: GPL-2.0-only
//
// Which lock protects what.  The shim's lock-set recorder (ksim_audit_*)
// notes every access a task makes at a scheduling point with the locks it
// holds; an audit explores scenarios with it on and folds the records of
// every world into one table per field: each access site, read or write,
// the lock sets seen there, and whether the page was isolated from the LRU
// by the accessing task.  A field's candidate protection is, as in Eraser,
// what every write holds; a claim ("PG_mlocked protected-by page-lock")
// is checked against every access and, when broken, names the site and a
// schedule that reaches it.
import Foundation
import CKernelShim

/// The pseudo-lock an access holds when its page is off the LRU by the
/// accessing task's own hand (isolate_lru_page and friends).
public let isolatedByMe = "isolated"

/// Accesses of one field at one kernel site with one lock set.
public struct AuditSite: Codable, Sendable, Hashable {
    public var field: String
    public var file: String
    public var line: Int
    public var function: String
    /// The primitive ("test_and_set_bit", "atomic_rmw", "load" …).
    public var op: String
    public var write: Bool
    /// Through an atomic or bit operation (false: a plain load or store).
    public var atomic: Bool
    /// Its page was isolated from the LRU by the accessing task.
    public var isolated: Bool
    /// Held locks, relative to the access ("page-lock" is the lock of the
    /// field's own page), sorted.
    public var locks: [String]
    /// Kernel call chain, innermost first ("mlock_vma_page < try_to_unmap_cluster < …").
    public var chain: String
    /// Scenario it was seen in.
    public var scenario: String
    /// Accesses over all explored schedules.
    public var count: Int
    /// Replays a schedule that reaches the access (its last step is it).
    public var token: String
    /// Steps of that schedule.
    public var steps: Int
    /// A plain access's code address, until it is placed at file:line (not
    /// kept in the JSON: it is only valid in this process).
    var pc: UInt = 0

    enum CodingKeys: String, CodingKey {
        case field, file, line, function, op, write, atomic, isolated, locks, chain, scenario, count, token, steps
    }

    /// Locks plus the isolation pseudo-lock.
    public var protections: Set<String> { Set(locks + (isolated ? [isolatedByMe] : [])) }

    var key: String { [field, file, String(line), function, op, write ? "w" : "r", isolated ? "i" : "", locks.joined(separator: ","), chain, scenario, String(pc)].joined(separator: "\u{1}") }
    public var location: String { line == 0 ? "\(function)() \(file)" : "\(file):\(line)" }
}

/// Two plain accesses to one location by different tasks, at least one a
/// write, with no happens-before between them (KCSAN's "data-race").
public struct AuditRace: Codable, Sendable, Hashable {
    public struct Access: Codable, Sendable, Hashable {
        public var file: String
        public var line: Int
        public var function: String
        public var task: String
        public var write: Bool
        public var chain: String
        /// The location's value just before the access (what a read saw),
        /// as KCSAN shows it; nil when its size is not known.
        public var value: UInt64? = nil
        var pc: UInt = 0
        public var location: String { line == 0 ? "\(function)() \(file)" : "\(file):\(line)" }
        enum CodingKeys: String, CodingKey { case file, line, function, task, write, chain, value }
    }
    public var field: String
    /// The earlier access, and the one that raced it.
    public var first: Access
    public var second: Access
    public var scenario: String
    public var count: Int
    /// Replays a run whose last step is the second access.
    public var token: String
    public var steps: Int

    /// The pair of sites, either order (as KCSAN reports a pair once).
    var key: String {
        let a = first.location + (first.write ? "w" : "r") + String(first.pc)
        let b = second.location + (second.write ? "w" : "r") + String(second.pc)
        return ([field, scenario] + [a, b].sorted()).joined(separator: "\u{1}")
    }
}

extension World {
    /// Data races the recorder saw.
    public func auditRaces(scenario: String) -> [AuditRace] {
        let t = api.table.pointee
        guard let count = t.audit_race_count, let get = t.audit_race_get else { return [] }
        var out: [AuditRace] = []
        func access(_ a: ksim_audit_access) -> AuditRace.Access {
            let chain = cstr(a.chain)
            let plain = a.line == 0 && cstr(a.file) == "plain"
            return AuditRace.Access(file: plain ? "(plain access)" : cstr(a.file), line: Int(a.line),
                             function: plain ? (chain.components(separatedBy: " < ").first ?? "?") : cstr(a.function),
                             task: Int(a.task) < taskNames.count && a.task >= 0 ? taskNames[Int(a.task)] : "\(a.task)", write: a.write != 0, chain: chain,
                             value: a.sized > 0 ? a.value : nil, pc: UInt(bitPattern: a.pc))
        }
        for i in 0..<count(w) {
            var r = ksim_audit_race()
            guard get(w, i, &r) == 0 else { continue }
            let prefix = r.prefix.map { Array(UnsafeBufferPointer(start: $0, count: r.nr_prefix)) } ?? []
            out.append(AuditRace(field: cstr(r.field), first: access(r.first), second: access(r.second), scenario: scenario,
                                 count: Int(r.count),
                                 token: Schedule(scenario: self.scenario, codeID: api.codeID, choices: prefix).token,
                                 steps: prefix.count))
        }
        return out
    }

    /// Turn the lock-set recorder on (records from earlier runs are dropped);
    /// `bugGoesOn`: a task goes on past a failed BUG_ON.
    public func enableAudit(bugGoesOn: Bool = true) throws {
        guard let enable = api.table.pointee.audit_enable else {
            throw HarnessError.untestable("this build of the shim has no lock-set audit (API version \(api.table.pointee.version))")
        }
        let rc = enable(w, Int32(KSIM_AUDIT_ON) | (bugGoesOn ? Int32(KSIM_AUDIT_BUG_GOES_ON) : 0))
        if rc != 0 { throw HarnessError.badInput("audit: \(cstr(api.table.pointee.last_error?(w)))") }
    }

    /// What the recorder gathered since it was turned on.
    public func auditSites(scenario: String) -> [AuditSite] {
        let t = api.table.pointee
        guard let count = t.audit_count, let get = t.audit_get, let lockName = t.audit_lock_name else { return [] }
        var out: [AuditSite] = []
        for i in 0..<count(w) {
            var s = ksim_audit_site()
            guard get(w, i, &s) == 0 else { continue }
            var locks: [String] = []
            for b in 0..<64 where s.locks & (1 << UInt64(b)) != 0 {
                if let n = lockName(w, Int32(b)) { locks.append(cstr(n)) }
            }
            let prefix = s.prefix.map { Array(UnsafeBufferPointer(start: $0, count: s.nr_prefix)) } ?? []
            let op = cstr(t.op_kind_name?(s.kind))
            let chain = cstr(s.chain)
            // a plain access names no site of its own: its function is the
            // chain's first
            let plain = s.line == 0 && cstr(s.file) == "plain"
            let function = plain ? (chain.components(separatedBy: " < ").first ?? "?") : cstr(s.function)
            out.append(AuditSite(
                field: cstr(s.field), file: plain ? "(plain access)" : cstr(s.file), line: Int(s.line), function: function,
                op: plain ? (s.marked == 2 ? "data_race" : s.marked != 0 ? (s.write != 0 ? "WRITE_ONCE" : "READ_ONCE") : (s.write != 0 ? "store" : "load")) : op,
                write: s.write != 0,
                atomic: !(UInt32(bitPattern: s.kind) == KSIM_OP_LOAD.rawValue || UInt32(bitPattern: s.kind) == KSIM_OP_STORE.rawValue),
                isolated: s.isolated != 0, locks: locks.sorted(), chain: chain, scenario: scenario,
                count: Int(s.count),
                token: Schedule(scenario: self.scenario, codeID: api.codeID, choices: prefix).token, steps: prefix.count,
                pc: UInt(bitPattern: s.pc)))
        }
        return out
    }

    /// Accesses the recorder could not keep (a table was full).
    public var auditDropped: Int { Int(api.table.pointee.audit_dropped?(w) ?? 0) }
}

/// One field's accesses and what protects them.
public struct AuditField: Codable, Sendable {
    public var field: String
    public var sites: [AuditSite]
    /// What every write holds (Eraser's candidate set; "isolated" counts).
    public var protection: [String]
    /// When nothing protects every write: the protection most write sites
    /// have, and the write sites without it.
    public var likely: String?
    public var breaking: [AuditSite]

    public var writes: [AuditSite] { sites.filter(\.write) }
    public var reads: [AuditSite] { sites.filter { !$0.write } }

    init(field: String, sites: [AuditSite]) {
        self.field = field
        self.sites = sites.sorted { ($0.file, $0.line, $0.write ? 0 : 1, $0.chain, $0.locks.joined(separator: ",")) < ($1.file, $1.line, $1.write ? 0 : 1, $1.chain, $1.locks.joined(separator: ",")) }
        let w = self.sites.filter(\.write)
        var common: Set<String>? = nil
        for s in w { common = common.map { $0.intersection(s.protections) } ?? s.protections }
        protection = (common ?? []).sorted()
        breaking = []
        likely = nil
        if protection.isEmpty && !w.isEmpty {
            // the lock held at the most write sites (by distinct site)
            var held: [String: Set<String>] = [:]
            for s in w { for p in s.protections { held[p, default: []].insert("\(s.location) \(s.function)") } }
            if let best = held.max(by: { ($0.value.count, $1.key) < ($1.value.count, $0.key) }) {
                likely = best.key
                breaking = w.filter { !$0.protections.contains(best.key) }
            }
        }
    }
}

/// A claim about a field: "PG_mlocked protected-by page-lock",
/// "_count written-under lru_lock|page-lock".
public struct AuditClaim: Codable, Sendable, Hashable {
    public enum Relation: String, Codable, Sendable {
        /// Every access (read or write) holds one of the locks.
        case protectedBy = "protected-by"
        /// Every write holds one of the locks.
        case writtenUnder = "written-under"
    }
    public var field: String
    public var relation: Relation
    /// Any one of them is enough ("a|b").
    public var locks: [String]
    public var text: String

    /// "claim FIELD protected-by|written-under LOCK[|LOCK…]" ("claim" optional).
    public init(parsing line: String) throws {
        var words = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        if words.first == "claim" { words.removeFirst() }
        guard words.count == 3, let r = Relation(rawValue: words[1]) else {
            throw HarnessError.badInput("bad claim '\(line)': expected FIELD protected-by|written-under LOCK[|LOCK…], e.g. 'PG_mlocked protected-by page-lock'")
        }
        let locks = words[2].split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        guard !locks.isEmpty, !locks.contains(where: \.isEmpty) else {
            throw HarnessError.badInput("bad claim '\(line)': empty lock name")
        }
        field = words[0]
        relation = r
        self.locks = locks
        text = "\(field) \(r.rawValue) \(locks.joined(separator: "|"))"
    }

    /// The accesses that break it (empty: it holds).
    public func breaking(_ sites: [AuditSite]) -> [AuditSite] {
        sites.filter { $0.field == field && ($0.write || relation == .protectedBy) && $0.protections.isDisjoint(with: locks) }
    }
}

/// The result of an audit.
public struct AuditReport: Codable, Sendable {
    public var codeID: String
    public var scenarios: [String]
    public var schedules: Int
    public var exhausted: [String: Bool]
    public var fields: [AuditField]
    public struct ClaimResult: Codable, Sendable {
        public var claim: AuditClaim
        public var holds: Bool
        /// Accesses seen for the field at all (a claim on nothing is not a pass).
        public var accesses: Int
        public var breaking: [AuditSite]
    }
    public var claims: [ClaimResult] = []
    /// Data races among plain accesses, KCSAN style.
    public var races: [AuditRace] = []
    public var dropped = 0
    public var seconds: Double = 0

    public func field(_ name: String) -> AuditField? { fields.first { $0.field == name } }
    public var allSites: [AuditSite] { fields.flatMap(\.sites) }
    /// Every claim holds and has accesses to judge.
    public var claimsHold: Bool { claims.allSatisfy { $0.holds } }
}

public struct AuditOptions: Sendable {
    public var timePerScenario: Double = 20
    public var jobs = 1
    /// Tasks go on past a failed BUG_ON (what the code would do next).
    public var bugGoesOn = true
    public var claims: [AuditClaim] = []
    /// Also called with every world (a worker's watchdog watches them).
    public var observe: (@Sendable (World) -> Void)? = nil
    /// Place plain accesses at file:line (starts addr2line; the sandboxed
    /// worker cannot).
    public var sourceLines = true
    public init() {}
}

public enum Audit {
    /// Give plain accesses their file:line (and innermost function).
    static func place(_ sites: inout [String: AuditSite], _ races: inout [String: AuditRace]) {
        var pcs = Set(sites.values.filter { $0.line == 0 && $0.pc != 0 }.map(\.pc))
        for r in races.values {
            for a in [r.first, r.second] where a.line == 0 && a.pc != 0 { pcs.insert(a.pc) }
        }
        let places = SourceLines.resolve(pcs)
        guard !places.isEmpty else { return }
        for (k, var s) in sites {
            guard s.line == 0, let p = places[s.pc] else { continue }
            s.file = p.file
            s.line = p.line
            if !p.function.isEmpty { s.function = p.function }
            sites[k] = s
        }
        func placed(_ a: AuditRace.Access) -> AuditRace.Access {
            guard a.line == 0, let p = places[a.pc] else { return a }
            var a = a
            a.file = p.file
            a.line = p.line
            if !p.function.isEmpty { a.function = p.function }
            return a
        }
        for (k, var r) in races {
            r.first = placed(r.first)
            r.second = placed(r.second)
            races[k] = r
        }
    }

    static func choices(_ s: AuditSite) -> [UInt8] { choices(s.token) }
    static func choices(_ token: String) -> [UInt8] { (try? Schedule(token: token))?.choices ?? [] }

    /// Explore each scenario (DPOR, exhaustive when it fits the time) with
    /// the recorder on in every world, and fold the records together.
    public static func run(_ names: [String], api: KernelAPI, options: AuditOptions) throws -> AuditReport {
        try run(scenarios: names.map { try Scenario(registered: $0, api: api) }, api: api, options: options)
    }

    /// The same for scenarios given as values (scenario files among them).
    public static func run(scenarios: [Scenario], api: KernelAPI, options: AuditOptions) throws -> AuditReport {
        let names = scenarios.map(\.name)
        let start = Date()
        final class Collector: @unchecked Sendable {
            let lock = NSLock()
            var worlds: [World] = []
            var error: Error?
        }
        var all: [String: AuditSite] = [:]
        var races: [String: AuditRace] = [:]
        var schedules = 0
        var exhausted: [String: Bool] = [:]
        var dropped = 0
        for scenario in scenarios {
            let name = scenario.name
            let c = Collector()
            var o = ExploreOptions(timeLimit: options.timePerScenario, stopOnFirstFinding: false, jobs: options.jobs)
            let bugGoesOn = options.bugGoesOn
            let outer = options.observe
            o.observe = { w in
                outer?(w)
                do { try w.enableAudit(bugGoesOn: bugGoesOn) } catch { c.lock.withLock { c.error = error } }
                c.lock.withLock { c.worlds.append(w) }
            }
            let r = try Explorer(scenario, strategy: .dpor, options: o, api: api).run()
            if let e = c.error { throw e }
            schedules += r.schedules
            exhausted[name] = r.exhausted
            for w in c.worlds {
                dropped += w.auditDropped
                for r in w.auditRaces(scenario: name) {
                    if var have = races[r.key] {
                        have.count += r.count
                        if r.steps < have.steps || (r.steps == have.steps
                            && Self.choices(r.token).lexicographicallyPrecedes(Self.choices(have.token))) {
                            have.token = r.token
                            have.steps = r.steps
                            // its sides and values are those of that run
                            have.first = r.first
                            have.second = r.second
                        }
                        races[r.key] = have
                    } else {
                        races[r.key] = r
                    }
                }
                for s in w.auditSites(scenario: name) {
                    if var have = all[s.key] {
                        have.count += s.count
                        // the shortest run, then the smallest choices (as the
                        // recorder keeps them): the same whatever --jobs
                        if s.steps < have.steps || (s.steps == have.steps && Self.choices(s).lexicographicallyPrecedes(Self.choices(have))) {
                            have.token = s.token
                            have.steps = s.steps
                        }
                        all[s.key] = have
                    } else {
                        all[s.key] = s
                    }
                }
            }
        }
        if options.sourceLines { place(&all, &races) }
        let byField = Dictionary(grouping: all.values, by: \.field)
        var report = AuditReport(codeID: api.codeID, scenarios: names, schedules: schedules, exhausted: exhausted,
                                 fields: byField.keys.sorted().map { AuditField(field: $0, sites: byField[$0]!) })
        report.dropped = dropped
        report.races = races.values.sorted { ($0.field, $0.first.location, $0.second.location) < ($1.field, $1.first.location, $1.second.location) }
        let sites = Array(all.values)
        report.claims = options.claims.map { claim in
            let broken = claim.breaking(sites).sorted { ($0.file, $0.line, $0.chain) < ($1.file, $1.line, $1.chain) }
            let n = sites.filter { $0.field == claim.field && ($0.write || claim.relation == .protectedBy) }.count
            return AuditReport.ClaimResult(claim: claim, holds: broken.isEmpty && n > 0, accesses: n, breaking: broken)
        }
        report.seconds = Date().timeIntervalSince(start)
        return report
    }
}

/// What the accesses of one field, made from inside one function (it or a
/// function it calls), always hold, before and after the patches.
public struct ProtectionChange: Codable, Sendable, Hashable {
    public var field: String
    public var function: String
    /// nil: no such access on that side.
    public var before: [String]?
    public var after: [String]?
    public var changed: Bool { before != after }

    /// For each field accessed from inside `functions`.
    public static func compare(before: AuditReport, after: AuditReport, functions: [String]) -> [ProtectionChange] {
        func common(_ r: AuditReport, _ field: String, _ fn: String) -> [String]? {
            let sites = r.allSites.filter { $0.field == field && ($0.function == fn || $0.chain.components(separatedBy: " < ").contains(fn)) }
            guard var c = sites.first?.protections else { return nil }
            for s in sites.dropFirst() { c.formIntersection(s.protections) }
            return c.sorted()
        }
        var out: [ProtectionChange] = []
        let fields = Set(before.fields.map(\.field)).union(after.fields.map(\.field)).sorted()
        for fn in Array(Set(functions)).sorted() {
            for f in fields {
                let b = common(before, f, fn), a = common(after, f, fn)
                if b == nil && a == nil { continue }
                out.append(ProtectionChange(field: f, function: fn, before: b, after: a))
            }
        }
        return out
    }
}
