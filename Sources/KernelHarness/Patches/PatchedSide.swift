// SPDX-License-Identifier: GPL-2.0-only
//
// The half of check-patch that runs the patched code: the scenarios on the
// patched build, the generated-worlds phase, the replay files of new
// findings.  It runs in a worker process (Isolation/WorkerProcess.swift)
// so that the patched code never runs in, or is loaded by, the process
// that gives the verdict; or in-process (tests, --in-process).  Either way
// it reports through `PatchedSideEvent`s, one per finished piece, so a
// worker that dies part way loses only the piece it was in.
import Foundation

/// What the patched side is asked to do.
public struct PatchedSideRequest: Codable, Sendable {
    /// The patched build (a library path; never the built-in code) and the
    /// code id its sources hash to (the loaded build must report it).
    public var library: String
    public var codeID: String
    /// The unpatched build: nil for the built-in code.
    public var baseLibrary: String?
    public var scenarios: [String]
    public var strategy: String?
    public var time: Double
    public var strict: Bool
    public var jobs: Int
    public var first: Bool
    public var absolute: Bool
    /// Failing finding identities of the unpatched build, per scenario.
    public var before: [String: [String]]
    /// Its lock-class dependencies, per scenario.
    public var beforeDependencies: [[LockDependency]]
    public var fuzzTime: Double
    public var fuzzExecs: Int?
    public var patches: [FuzzPatch]
    public var kernel: String?
    /// Functions the patches change that run (the generated phase aims at them).
    public var targets: [String]
    public var findingsDirectory: String?
    /// A directory the patched side may write (the fuzz corpus goes there).
    public var scratch: String
    /// Seconds a run may go without a scheduling point before the worker's
    /// watchdog calls it a hang.
    public var hangSeconds: Double = 10
    /// World specs of the scenarios read from files (by scenario name).
    public var specs: [String: String]? = nil
    /// Audit the scenarios' lock sets on the patched build too.
    public var audit = false
    public var claims: [AuditClaim] = []
    /// --plain-points (absent: off).
    public var plainPoints: Bool? = nil
}

/// A new finding's run, drawn: the step timeline, the mail-width
/// "CPU0 / CPU1" columns and the SVG swimlanes.
public struct FindingPicture: Codable, Sendable, Hashable {
    public var text: String
    public var columns: String
    public var svg: String
    /// The schedule drawn (the minimized one when there is one).
    public var schedule: String
    /// The finding's kernel-style report (oops, lockdep, dump_page) from that run.
    public var report: String
    /// The run's steps, for the HTML report's swimlanes.
    public var timeline: Timeline?
}

/// One piece of the patched side's answer.
public enum PatchedSideEvent: Codable, Sendable {
    /// The patched build's code id and its block table (for line coverage).
    case build(codeID: String, blocks: [UInt64])
    /// A scenario is starting (a worker that dies now died in it).
    case start(scenario: String)
    case scenario(ExplorationWire, replayFiles: [String: String], pictures: [String: FindingPicture])
    case generatedStart
    case generated(GeneratedPhase)
    /// The code under test ended or hung the worker; `token` replays the
    /// run it was in (when one was running).
    case death(kind: String, message: String, token: String?, scenario: String?)
    case failure(String)
    /// The code under test called fork() this many times.
    case forks(Int)
    /// It left this many processes running (killed at the worker's end).
    case strays(Int)
    /// The lock-set audit of the scenarios on the patched build.
    case audit(AuditReport)
}

public enum PatchedSide {
    /// Do the request on `patched` (and `base` for the generated phase's
    /// reruns), sending each piece to `emit`.
    public static func run(_ q: PatchedSideRequest, patched: KernelAPI, base: KernelAPI,
                           observe: (@Sendable (World) -> Void)? = nil,
                           log: ((String) -> Void)? = nil, emit: (PatchedSideEvent) -> Void) {
        guard patched.codeID == q.codeID else {
            emit(.failure("the build reports code id \(patched.codeID), but its sources hash to \(q.codeID): a patch changed how the code identity is computed (runtime/codeid.c)"))
            return
        }
        emit(.build(codeID: patched.codeID, blocks: patched.blockAddresses))
        var options = PatchCheckOptions(scenarios: q.scenarios, timePerScenario: q.time, strict: q.strict,
                                        jobs: q.jobs, firstFinding: q.first, absolute: q.absolute)
        options.plainPoints = q.plainPoints ?? false
        options.observe = observe
        if let s = q.strategy {
            do { options.strategy = try Strategy(wire: s) } catch {
                emit(.failure("\(error)"))
                return
            }
        }
        var full = options
        full.firstFinding = false
        var afters: [ExplorationResult] = []
        for name in q.scenarios {
            // a patch may remove a scenario: then it cannot be judged
            let spec = q.specs?[name]
            guard spec != nil || patched.scenario(named: name) != nil else {
                emit(.failure("the patched code has no scenario '\(name)'"))
                return
            }
            log?("  \(name) ...")
            emit(.start(scenario: name))
            let before = Set(q.before[name] ?? [])
            do {
                let sc = try spec.map { Scenario(name: name, spec: $0) } ?? Scenario(registered: name, api: patched)
                var after = try PatchChecker.explore(sc, api: patched, options: options)
                let newOnes = { (r: ExplorationResult) in
                    r.findings.filter { $0.failing && !before.contains($0.identity) }
                }
                // --first stopped at a finding the unpatched code has too:
                // that says nothing, so explore on past it
                if q.first && after.failed && newOnes(after).isEmpty && !q.absolute {
                    after = try PatchChecker.explore(sc, api: patched, options: full)
                }
                var files: [String: String] = [:]
                if let keep = q.findingsDirectory {
                    files = PatchChecker.saveReplays(scenario: name, spec: spec, new: uniqueByIdentity(newOnes(after)), api: patched,
                                                     patches: q.patches, kernel: q.kernel, dir: URL(fileURLWithPath: keep))
                }
                afters.append(after)
                emit(.scenario(ExplorationWire(after), replayFiles: files,
                               pictures: pictures(of: uniqueByIdentity(newOnes(after)), scenario: sc, api: patched)))
            } catch {
                emit(.failure("\(error)"))
                return
            }
        }
        if q.audit {
            log?("  lock-set audit ...")
            var ao = AuditOptions()
            ao.timePerScenario = q.time
            ao.jobs = q.jobs
            ao.observe = observe
            ao.claims = q.claims
            ao.sourceLines = false      // no processes in the sandbox
            do {
                let scs = try q.scenarios.map { n in try q.specs?[n].map { Scenario(name: n, spec: $0) } ?? Scenario(registered: n, api: patched) }
                emit(.audit(try Audit.run(scenarios: scs, api: patched, options: ao)))
            } catch {
                emit(.failure("audit: \(error)"))
                return
            }
        }
        guard q.fuzzTime > 0, !q.patches.isEmpty else { return }
        log?("  generated worlds (\(q.fuzzTime) s) ...")
        emit(.generatedStart)
        // lock cycles already known: the unpatched suite's, and the patched
        // scenarios' (reported with their rows)
        let beforeChains = Set(Lockdep.cycles(Lockdep.merge(q.beforeDependencies)).map(\.chain))
        let known = Set(afters.flatMap { $0.lockCycles.map(\.chain) })
            .union(PatchChecker.suiteCycles(before: q.beforeDependencies, after: afters).map(\.chain))
            .union(beforeChains)
        let dir = URL(fileURLWithPath: q.scratch).appendingPathComponent("generated")
        do {
            var g = try PatchChecker.generatedPhase(
                base: base, patched: patched, patches: q.patches, kernel: q.kernel,
                seconds: q.fuzzTime, execs: q.fuzzExecs, dir: dir, targets: Set(q.targets),
                knownChains: known, baseDependencies: Lockdep.merge(q.beforeDependencies),
                observe: observe, log: log)
            // their pictures, drawn here (only this side runs the patched code)
            for i in g.new.indices.prefix(8) { g.new[i].picture = picture(of: g.new[i].finding, api: patched) }
            // the new findings' replay files go where the user keeps them
            let fm = FileManager.default
            for i in g.new.indices {
                guard let file = g.new[i].finding.file else { continue }
                guard let keep = q.findingsDirectory else { g.new[i].finding.file = nil; continue }
                let kd = URL(fileURLWithPath: keep)
                try fm.createDirectory(at: kd, withIntermediateDirectories: true)
                let to = kd.appendingPathComponent((file as NSString).lastPathComponent)
                try? fm.removeItem(at: to)
                try fm.copyItem(at: URL(fileURLWithPath: file), to: to)
                g.new[i].finding.file = to.path
            }
            emit(.generated(g))
        } catch {
            emit(.failure("\(error)"))
        }
    }

    /// Timelines of new findings, drawn here because only this side may
    /// run the patched code (the parent shows them).
    static func pictures(of findings: [FoundFinding], scenario: Scenario, api: KernelAPI) -> [String: FindingPicture] {
        var out: [String: FindingPicture] = [:]
        for f in findings.prefix(8) where !f.token.isEmpty {
            guard let s = try? Schedule(token: f.token), let w = try? scenario.makeWorld(api: api),
                  let t = try? Timeline(world: w, schedule: f.minimized?.schedule ?? s) else { continue }
            let full = t.findings.first { $0.signature == f.signature }?.report ?? ""
            out[f.identity] = FindingPicture(text: t.text, columns: t.columns(width: 72), svg: t.svg,
                                             schedule: (f.minimized?.schedule ?? s).token, report: full, timeline: t)
        }
        return out
    }

    /// The same for a finding of a generated world (its world from its spec).
    static func picture(of f: FuzzFindingSummary, api: KernelAPI) -> FindingPicture? {
        guard let spec = f.spec, let w = try? World(spec: spec, api: api), let s = try? Schedule(token: f.token),
              let t = try? Timeline(world: w, schedule: s) else { return nil }
        let full = t.findings.first { $0.signature == f.signature }?.report ?? ""
        return FindingPicture(text: t.text, columns: t.columns(width: 72), svg: t.svg, schedule: s.token,
                              report: full, timeline: t)
    }

    static func uniqueByIdentity(_ fs: [FoundFinding]) -> [FoundFinding] {
        var seen: Set<String> = []
        return fs.filter { seen.insert($0.identity).inserted }
    }
}
