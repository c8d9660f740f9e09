// SPDX-License-Identifier: GPL-2.0-only
import Testing
import Foundation
@testable import KernelHarness

/// Patched builds of the shim, loaded with dlopen next to the built-in one.
@Suite(.serialized) struct VariantTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/patches")

    static func fixture(_ name: String) -> String { fixtures.appendingPathComponent(name).path }

    /// Checksum of every file under CKernelShim (paths and bytes).
    static func treeDigest() throws -> String {
        let shim = try ShimSource.locate()
        return try VariantBuilder.key(shim: shim, patchData: [])
    }

    /// Both ways a variant can read its thread's world (initial-exec, and
    /// the general dynamic fallback for a process out of static TLS) load
    /// and make the same runs as the built-in shim.
    @Test func bothTLSFlavoursLoadAndAgreeWithTheBuiltin() throws {
        let shim = try ShimSource.locate()
        let ie = try VariantBuilder.compile(tree: shim, label: [], tls: .initialExec, workDir: nil)
        let gd = try VariantBuilder.compile(tree: shim, label: [], tls: .generalDynamic, workDir: nil)
        #expect(ie.library != gd.library)
        let worlds = try [KernelAPI.builtin, ie.api, gd.api].map { api -> World in
            let w = try World(scenario: "reclaim-vs-munlock", api: api)
            try w.set(.trace, 0)
            return w
        }
        for seed in 0..<200 as Range<UInt64> {
            let runs = worlds.map { w -> (String, Int) in
                let n = w.runRandom(seed: seed)
                return (w.token, n)
            }
            #expect(runs[1] == runs[0] && runs[2] == runs[0], "seed \(seed): \(runs)")
        }
    }

    @Test func patchChangesBehaviourAndTreeStaysUntouched() throws {
        let before = try Self.treeDigest()
        let base = try VariantBuilder.build(patches: [])
        let patched = try VariantBuilder.build(patches: [Self.fixture("toy-drop-lock.patch")])
        #expect(base.api.codeID == KernelAPI.builtin.codeID)
        let good = try World(scenario: "toy-locked-update", api: base.api)
        let bad = try World(scenario: "toy-locked-update", api: patched.api)
        // the locked increment is 4 steps: lock, load, store, unlock;
        // the interleaved schedule cannot even be taken
        #expect(throws: HarnessError.self) { try good.run(token: "ksim1:toy-locked-update:*:abab") }
        try good.run(token: "ksim1:toy-locked-update:*:a4b4")
        #expect(good.findings.isEmpty)
        // without the lock it is load, store: interleaving loses an update
        try bad.run(token: "ksim1:toy-locked-update:*:abab")
        #expect(bad.findings.map(\.kind) == ["accounting"])
        #expect(try Self.treeDigest() == before)
    }

    @Test func crashInPatchedCodeIsAFindingThatReplays() throws {
        let v = try VariantBuilder.build(patches: [Self.fixture("toy-null-deref-on-race.patch")])
        let w = try World(scenario: "toy-lost-update", api: v.api)
        try w.run(token: "ksim1:toy-lost-update:*:a2b2a")
        let f = try #require(w.findings.first)
        #expect(f.kind == "crash")
        #expect(f.report.contains("toy_incr"))
        let token = w.token
        // the world is reusable after a crash, and the token replays it
        try w.run(token: "ksim1:toy-lost-update:*:a3b3")
        #expect(!w.findings.contains { $0.kind == "crash" })
        try w.run(token: token)
        #expect(w.findings.first?.kind == "crash")
    }

    @Test func patchThatDoesNotApplyShowsRejectsAndLeavesNothing() throws {
        let before = try Self.treeDigest()
        // a work directory of this test's own: what the build leaves there is its own
        let work = FileManager.default.temporaryDirectory
            .appendingPathComponent("kharness-test-work-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let texts = try PatchReader.read([Self.fixture("does-not-apply.patch")]).patches
        let r = try KernelBuild.build(texts, kernel: nil, workDir: work)
        #expect(r.variant == nil)
        let msg = r.failure ?? ""
        #expect(msg.contains("does not apply"))
        #expect(msg.contains("FAILED") || msg.contains(".rej"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: work.path).isEmpty)
        #expect(try Self.treeDigest() == before)
    }

    @Test func patchThatDoesNotCompileShowsTheCompilerErrors() throws {
        do {
            _ = try VariantBuilder.build(patches: [Self.fixture("does-not-compile.patch")])
            Issue.record("a patch that does not compile was accepted")
        } catch HarnessError.untestable(let msg) {
            #expect(msg.contains("does not compile"))
            #expect(msg.contains("error"))
        }
    }

    @Test func missingPatchFileIsBadInput() throws {
        #expect(throws: HarnessError.badInput("no such patch file: /nonexistent.patch")) {
            try VariantBuilder.build(patches: ["/nonexistent.patch"])
        }
    }
}

/// Kernel code that never ends on some interleaving is a finding, not a hang.
@Suite struct LivelockTests {
    @Test func endlessLoopIsALivelockFindingWithAReplayToken() throws {
        // spin_forever loops until the counter changes; nobody changes it
        let w = try World(spec: "model toy\ntask spinner spin_forever\ntask idle points 1\n")
        try w.set(.maxSteps, 500)
        w.runRoundRobin()
        let f = try #require(w.findings.first)
        #expect(f.kind == "livelock")
        #expect(f.fatal)
        #expect(f.location.hasPrefix("model/toy.c:"))
        let token = w.token
        try w.run(token: token)
        #expect(w.findings.first?.kind == "livelock")
        // once the other task bumps the counter the loop ends: no livelock
        let ok = try World(spec: "model toy\ntask spinner spin_forever\ntask bump incr 1\n")
        try ok.set(.maxSteps, 500)
        try ok.run(choices: [1, 1])
        #expect(!ok.findings.contains { $0.kind == "livelock" })
    }
}

/// Two builds of the shim in one process (the built-in one and a patched
/// one loaded with dlopen) each install a crash handler; a crash in either
/// build's task must become a finding whichever handler the process has.
@Suite(.serialized) struct TwoBuildsCrashTests {
    @Test func crashInBuiltinTaskWhileAPatchedBuildOwnsTheHandler() throws {
        let spec = "model toy\ntask a crash_if_raced\ntask b incr 1\n"
        let ready = DispatchSemaphore(value: 0), go = DispatchSemaphore(value: 0), done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var kinds: [String] = []
        nonisolated(unsafe) var failure: String?
        // a thread that sets up the built-in shim first ...
        Thread.detachNewThread {
            do {
                let w = try World(spec: spec)
                ready.signal()
                go.wait()
                // ... and crashes a built-in task after the patched build installed its handler
                try w.run(choices: [1, 1, 0])
                kinds = w.findings.map(\.kind)
            } catch { failure = "\(error)" }
            done.signal()
        }
        ready.wait()
        let v = try VariantBuilder.build(patches: [VariantTests.fixture("toy-drop-lock.patch")])
        let other = try World(spec: spec, api: v.api)      // installs the patched build's handler
        try other.run(choices: [1, 1, 0])
        #expect(other.findings.first?.kind == "crash")
        go.signal()
        done.wait()
        #expect(failure == nil)
        #expect(kinds.first == "crash")
    }
}

extension LivelockTests {
    /// A loop that only waits for another task is not a livelock when the
    /// schedule starves that task: the run ends, tolerated, not failed.
    @Test func starvingTheTaskALoopWaitsForIsAnUnfairScheduleNotALivelock() throws {
        let w = try World(spec: "model toy\ntask spinner spin_forever\ntask bump incr 1\n")
        try w.set(.maxSteps, 400)
        // run only the spinner: bump could run at every step
        _ = try? w.run(choices: [UInt8](repeating: 0, count: 400))
        let f = try #require(w.findings.first)
        #expect(f.kind == "livelock")
        #expect(f.tolerated)
        #expect(f.message.contains("unfair schedule"))
        // round-robin from the spinner: bump's load, spinner's load (0),
        // bump's store, spinner's load (1) ends the loop
        #expect(f.message.contains("given turns, the run ended 4 steps later"), "\(f.message)")
        #expect(!w.failed)
    }

    static func lockedUpdate(_ api: KernelAPI) throws -> Scenario {
        try #require(Scenario.all(api: api).first { $0.name == "toy-locked-update" })
    }

    /// The first task to increment takes and drops the lock forever after
    /// the other has finished: the default exploration (DPOR, default
    /// budget) must fail with a livelock, not class it as an unfair
    /// schedule, and its token must replay it.
    @Test func plantedLockUnlockLoopIsAFailingLivelockUnderDefaultExploration() throws {
        let v = try VariantBuilder.build(patches: [VariantTests.fixture("toy-livelock-after-increment.patch")])
        let r = try Explorer(try Self.lockedUpdate(v.api), strategy: .dpor, api: v.api).run()
        #expect(r.failed)
        let f = try #require(r.findings.first { $0.failing })
        #expect(f.kind == "livelock" && !f.tolerated)
        #expect(f.message.contains("under a fair schedule"), "\(f.message)")
        #expect(f.location.hasPrefix("model/toy.c:"))
        let w = try World(scenario: "toy-locked-update", api: v.api)
        try w.run(token: f.token)
        #expect(w.failed)
        #expect(w.findings.map(\.kind) == ["livelock"])
        #expect(w.findings.first?.tolerated == false)
    }

    /// The same poll, but it ends once the other task has incremented: every
    /// schedule that hits the budget only starved that task, so the whole
    /// exploration stays tolerated.  (The rule before the fair tail called
    /// a99998b2, where the other task got two steps in the second half, a
    /// livelock.)
    @Test func pollThatOnlyWaitsForAStarvedTaskStaysTolerated() throws {
        let v = try VariantBuilder.build(patches: [VariantTests.fixture("toy-poll-until-other-increments.patch")])
        let r = try Explorer(try Self.lockedUpdate(v.api), strategy: .dpor,
                             options: ExploreOptions(stopOnFirstFinding: false, maxSteps: 60), api: v.api).run()
        #expect(r.exhausted)
        #expect(!r.failed, "\(r.findings.filter(\.failing).map(\.message))")
        #expect(!r.findings.isEmpty)
        #expect(r.findings.allSatisfy { $0.kind == "livelock" && $0.tolerated && $0.message.contains("unfair schedule") })
        // a schedule that starves the second task the whole budget replays as tolerated
        let w = try World(scenario: "toy-locked-update", api: v.api)
        try w.set(.maxSteps, 60)
        try w.run(token: "ksim1:toy-locked-update:*:a60")
        #expect(!w.failed)
        #expect(w.findings.first?.message.contains("t0 loops at model/toy.c:") == true, "\(w.findings.map(\.message))")
    }

    /// The cache follows $KHARNESS_CACHE, then $XDG_CACHE_HOME; an empty or
    /// relative value is ignored, so it can never land in the directory
    /// kharness runs in (a CI job's checkout).
    @Test func cacheDirectoryIgnoresEmptyAndRelativeSettings() {
        let home = FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/kharness/variants").path
        #expect(VariantBuilder.cacheDirectory(env: [:]).path == home)
        #expect(VariantBuilder.cacheDirectory(env: ["XDG_CACHE_HOME": ""]).path == home)
        #expect(VariantBuilder.cacheDirectory(env: ["XDG_CACHE_HOME": "rel/dir", "KHARNESS_CACHE": ""]).path == home)
        #expect(VariantBuilder.cacheDirectory(env: ["XDG_CACHE_HOME": "/x/c"]).path == "/x/c/kharness/variants")
        #expect(VariantBuilder.cacheDirectory(env: ["XDG_CACHE_HOME": "/x/c", "KHARNESS_CACHE": "/k"]).path == "/k")
    }
}
