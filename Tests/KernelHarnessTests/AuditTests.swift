// SPDX-License-Identifier: GPL-2.0-only
//
// The lock-set audit against what the seed thread says by hand.
import Foundation
import Testing
@testable import KernelHarness

@Suite struct AuditTests {
    static func audit(_ names: [String], api: KernelAPI = .builtin, jobs: Int = 1,
                      claims: [String] = []) throws -> AuditReport {
        var o = AuditOptions()
        o.timePerScenario = 30
        o.jobs = jobs
        o.claims = try claims.map { try AuditClaim(parsing: $0) }
        return try Audit.run(names, api: api, options: o)
    }

    /// The writes of PG_mlocked by mlock_vma_page() called from
    /// try_to_unmap_cluster().
    static func clusterMlocks(_ r: AuditReport) throws -> [AuditSite] {
        let f = try #require(r.field("PG_mlocked"))
        return f.writes.filter { $0.function == "mlock_vma_page" && $0.chain.contains("try_to_unmap_cluster") }
    }

    /// The seed BUG's cause: on the unpatched model, try_to_unmap_cluster()
    /// reaches mlock_vma_page()'s TestSetPageMlocked for a page whose lock
    /// it does not hold (another page's lock is held: the one reclaim
    /// took).  The schedule the audit gives for that access is the one that
    /// BUGs at the assertion just before it.
    @Test func clusterScanMlocksWithoutThePageLock() throws {
        let r = try Self.audit(["seed-reclaim-nonlinear"], claims: ["PG_mlocked protected-by page-lock"])
        let unlocked = try Self.clusterMlocks(r).filter { !$0.locks.contains("page-lock") }
        let all = try Self.clusterMlocks(r)
        let s = try #require(unlocked.first, "\(all)")
        #expect(s.locks.contains("PG_locked(other page)") && s.locks.contains("ptl") && s.locks.contains("mmap_sem:read"))
        let claim = try #require(r.claims.first)
        #expect(!claim.holds && claim.breaking.contains { $0.key == s.key })
        let w = try World(scenario: "seed-reclaim-nonlinear")
        try w.run(token: s.token)
        #expect(w.findings.contains { $0.kind == "bug" && $0.file.hasSuffix("mm/mlock.c") && $0.function == "mlock_vma_page" })
    }

    /// With 0001 (trylock_page() around the cluster scan's mlock), every
    /// such write holds the page's own lock, and the claim holds on both
    /// seed scenarios.
    @Test func withTheFixTheClusterScanHoldsThePageLock() throws {
        let v = try VariantBuilder.build(patches: [try CheckPatchTests.patch("0001")])
        let r = try Self.audit(CheckPatchTests.seeds, api: v.api, claims: ["PG_mlocked written-under page-lock"])
        let sites = try Self.clusterMlocks(r)
        #expect(!sites.isEmpty)
        #expect(sites.allSatisfy { $0.locks.contains("page-lock") }, "\(sites.map(\.locks))")
        #expect(r.claimsHold, "\(r.claims.map(\.breaking))")
    }

    /// The reviewer's first claim: __munlock_pagevec()'s TestClearPageMlocked
    /// runs under zone->lru_lock (and mmap_sem, taken for write by munlock),
    /// not under the page lock.
    @Test func munlockPagevecClearsMlockedUnderLruLockNotPageLock() throws {
        let r = try Self.audit(["reclaim-vs-munlock"])
        let f = try #require(r.field("PG_mlocked"))
        let clears = f.writes.filter { $0.function == "__munlock_pagevec" }
        #expect(!clears.isEmpty)
        for s in clears {
            #expect(s.locks.contains("lru_lock") && s.locks.contains("mmap_sem:write") && !s.locks.contains("page-lock"),
                    "\(s.locks)")
        }
    }

    /// Plain fields, through the access instrumentation: vm_flags is
    /// written only under mmap_sem held for write (mlock_fixup() and
    /// munlock_vma_pages_range()), and try_to_unmap_one()'s unlocked peek
    /// at another mm's VM_LOCKED is a KCSAN-style race with those writes.
    @Test func vmFlagsWrittenOnlyUnderMmapSemForWrite() throws {
        let r = try Self.audit(["reclaim-vs-munlock", "mlock-vs-munlock"], claims: ["vm_flags written-under mmap_sem:write"])
        let f = try #require(r.field("vm_flags"), "\(r.fields.map(\.field))")
        #expect(Set(f.writes.map(\.function)) == ["mlock_fixup", "munlock_vma_pages_range"], "\(f.writes.map(\.function))")
        #expect(f.protection == ["mmap_sem:write"] && r.claimsHold)
        #expect(f.reads.contains { $0.function == "try_to_unmap_one" && !$0.locks.contains { $0.hasPrefix("mmap_sem") } })
        let race = try #require(r.races.first { $0.field == "vm_flags" })
        #expect(Set([race.first.function, race.second.function]).contains("try_to_unmap_one"), "\(race)")
    }

    /// "Isolated by me" counts as a protection: shrink_page_list() works on
    /// pages reclaim took off the LRU itself, and every write of
    /// PG_referenced there is on such a page.
    @Test func isolationIsAProtection() throws {
        let r = try Self.audit(["seed-reclaim-nonlinear"])
        let f = try #require(r.field("PG_referenced"))
        #expect(!f.writes.isEmpty && f.writes.allSatisfy(\.isolated))
        #expect(f.protection.contains(isolatedByMe))
        // and the page is not isolated while it is still on the LRU
        let lru = try #require(r.field("PG_lru"))
        #expect(lru.writes.contains { $0.function == "__isolate_lru_page" && !$0.isolated })
    }

    /// check-patch --audit, through the worker process: after 0001 the
    /// cluster scan's mlock_vma_page() runs with the page lock, before it
    /// did not always.
    @Test func checkPatchShowsTheProtectionChange() throws {
        var o = PatchCheckOptions(scenarios: ["seed-reclaim-nonlinear"], timePerScenario: 20, jobs: 1)
        let bin = try #require(CLITests.binary)
        o.worker = bin
        o.audit = true
        o.fuzzTime = 0
        var baseline: [String: ExplorationResult] = [:]
        let texts = try PatchReader.read([try CheckPatchTests.patch("0001")]).patches
        let r = try PatchChecker.check(texts, options: o, shim: nil, log: nil, baseline: &baseline)
        let c = try #require(r.protection.first { $0.field == "PG_mlocked" && $0.function == "try_to_unmap_cluster" },
                             "\(r.protection)")
        #expect(c.before?.contains("page-lock") == false && c.after?.contains("page-lock") == true, "\(c)")
        let table = PatchChecker.table(r)
        #expect(table.contains("* PG_mlocked from try_to_unmap_cluster(): gains page-lock"), "\(table)")
    }

    /// check-patch --claim: 0003 drops the assertion, so the cluster scan
    /// mlocks pages it has not locked: "PG_mlocked written-under page-lock"
    /// is broken and the verdict is bad; with 0001 it holds.
    @Test func checkPatchClaims() throws {
        func check(_ patch: String) throws -> PatchCheckReport {
            var o = PatchCheckOptions(scenarios: ["seed-reclaim-nonlinear"], timePerScenario: 20, jobs: 1)
            let bin = try #require(CLITests.binary)
            o.worker = bin
            o.claims = [try AuditClaim(parsing: "PG_mlocked written-under page-lock")]
            var baseline: [String: ExplorationResult] = [:]
            return try PatchChecker.check(try PatchReader.read([try CheckPatchTests.patch(patch)]).patches,
                                          options: o, shim: nil, log: nil, baseline: &baseline)
        }
        let wrong = try check("0003")
        let c = try #require(wrong.claims.first)
        #expect(!c.holds && wrong.verdict == .bad, "\(PatchChecker.table(wrong))")
        #expect(PatchChecker.table(wrong).contains("new: claim PG_mlocked written-under page-lock is broken"))
        let fixed = try check("0001")
        #expect(fixed.claims.first?.holds == true && fixed.verdict == .good, "\(PatchChecker.table(fixed))")
    }

    /// A planted unprotected counter and its locked twin.
    @Test func toyCounterWithAndWithoutTheLock() throws {
        let bareReport = try Self.audit(["toy-lost-update"])
        let bare = try #require(bareReport.field("counter"))
        #expect(!bare.writes.isEmpty && bare.protection.isEmpty && bare.sites.allSatisfy { $0.locks.isEmpty && !$0.atomic })
        let lockedReport = try Self.audit(["toy-locked-update"])
        let locked = try #require(lockedReport.field("counter"))
        #expect(locked.protection == ["lock"], "\(locked.protection)")
    }

    /// KCSAN-style data races among plain accesses: the planted toy's
    /// unlocked counter races (read/write and write/write, both sites
    /// named); under the spinlock, none.  The race's schedule replays.
    @Test func dataRacesOfThePlantedToy() throws {
        let bare = try Self.audit(["toy-lost-update"])
        #expect(bare.races.count == 2, "\(bare.races)")
        let rw = try #require(bare.races.first { $0.first.write != $0.second.write })
        #expect(Set([rw.first.line, rw.second.line]).count == 2 && rw.field == "counter")
        #expect(bare.races.contains { $0.first.write && $0.second.write })
        let text = AuditText.kcsan(rw)
        #expect(text.contains("BUG: KCSAN: data-race in toy_incr / toy_incr") && text.contains("previous "))
        // the counter went from 0 to 1 under the read, in the run the token replays
        #expect(text.contains("value changed: 0x00000000 -> 0x00000001"), "\(text)")
        let w = try World(scenario: "toy-lost-update")
        _ = try w.run(token: rw.token)
        #expect(try Self.audit(["toy-locked-update"]).races.isEmpty)
        #expect(try Self.audit(["toy-disjoint"]).races.isEmpty)
    }

    static func toy(_ name: String, _ ops: String...) -> Scenario {
        Scenario(name: name, spec: "model toy\n" + ops.enumerated().map { "task t\($0.offset) \($0.element)\n" }.joined())
    }

    static func audit(_ s: Scenario) throws -> AuditReport {
        var o = AuditOptions()
        o.timePerScenario = 30
        return try Audit.run(scenarios: [s], api: .builtin, options: o)
    }

    /// Message passing (store data; WRITE_ONCE(flag) / READ_ONCE(flag);
    /// load data): a data race on data unless smp_wmb() and smp_rmb() pair
    /// up; one barrier alone orders nothing.
    @Test func barriersOrderMessagePassing() throws {
        func dataRaces(_ send: Int, _ recv: Int) throws -> [AuditRace] {
            try Self.audit(Self.toy("mp\(send)\(recv)", "mp_send \(send)", "mp_recv \(recv)")).races.filter { $0.field == "data" }
        }
        let bare = try dataRaces(0, 0)
        #expect(bare.count == 1 && bare.first.map { $0.first.write && !$0.second.write } == true, "\(bare)")
        #expect(try dataRaces(1, 0).count == 1)
        #expect(try dataRaces(0, 1).count == 1)
        #expect(try dataRaces(1, 1).isEmpty)
        // the flag itself is marked on both sides: never a race
        #expect(try Self.audit(Self.toy("mp00", "mp_send 0", "mp_recv 0")).races.allSatisfy { $0.field != "flag" })
    }

    /// KCSAN's data_race(): the same unlocked counter bump is a race
    /// without it, and is not reported (but is listed, as data_race) with it.
    @Test func dataRaceMarksAreRespected() throws {
        let plain = try Self.audit(Self.toy("stat0", "stat 0", "stat 0"))
        #expect(plain.races.contains { $0.field == "stat" && $0.first.write && $0.second.write }, "\(plain.races)")
        let marked = try Self.audit(Self.toy("stat1", "stat 1", "stat 1"))
        #expect(marked.races.isEmpty, "\(marked.races)")
        let f = try #require(marked.field("stat"))
        #expect(!f.sites.isEmpty && f.sites.allSatisfy { $0.op == "data_race" }, "\(f.sites.map(\.op))")
        // one side marked is enough, as in KCSAN
        #expect(try Self.audit(Self.toy("stat01", "stat 0", "stat 1")).races.isEmpty)
    }

    /// Readers of an rwsem do not order each other: even when one reader is
    /// done before the other starts, their writes under down_read() race.
    /// A writer comes after every reader that left, and readers after it.
    @Test func rwsemReadersDoNotOrderEachOther() throws {
        func races(_ s: Scenario, token: String) throws -> [AuditRace] {
            let w = try s.makeWorld()
            try w.enableAudit()
            _ = try w.run(token: token)
            return w.auditRaces(scenario: s.name).filter { $0.field == "counter" }
        }
        let serial = "ksim1:*:*:" + String(repeating: "a", count: 4) + String(repeating: "b", count: 4)
        #expect(try !races(Self.toy("rr", "sem_incr 0", "sem_incr 0"), token: serial).isEmpty)
        #expect(try races(Self.toy("rw", "sem_incr 0", "sem_incr 1"), token: serial).isEmpty)
        #expect(try races(Self.toy("wr", "sem_incr 1", "sem_incr 0"), token: serial).isEmpty)
        #expect(try races(Self.toy("ww", "sem_incr 1", "sem_incr 1"), token: serial).isEmpty)
        // over every schedule: the readers race, writers do not
        #expect(try Self.audit(Self.toy("rr", "sem_incr 0", "sem_incr 0")).races.contains { $0.field == "counter" })
        #expect(try Self.audit(Self.toy("rw", "sem_incr 0", "sem_incr 1")).races.isEmpty)
    }

    /// A plain access is placed at file:line from the binary's line tables:
    /// the line named really reads vm_flags (checked against the source).
    /// Needs addr2line (binutils, which the C compiler brings).
    @Test(.enabled(if: SourceLines.addr2line != nil))
    func plainAccessesHaveFileAndLine() throws {
        let r = try Self.audit(["seed-reclaim-nonlinear"])
        let f = try #require(r.field("vm_flags"))
        let s = try #require(f.sites.first { $0.chain.hasPrefix("try_to_unmap_cluster") })
        #expect(s.file == "mm/rmap.c" && s.line > 0, "\(s.location)")
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let lines = try String(contentsOf: root.appendingPathComponent("CKernelShim/mm/rmap.c"), encoding: .utf8)
            .components(separatedBy: "\n")
        #expect(s.line <= lines.count && lines[s.line - 1].contains("vm_flags"), "\(s.location)")
        // every plain site of the audit found its line
        let plain = r.allSites.filter { !$0.atomic }
        #expect(!plain.isEmpty && plain.allSatisfy { $0.line > 0 }, "\(plain.filter { $0.line == 0 }.map(\.location))")
    }

    /// The other field classes: LRU links (lru_lock, or isolated), pte
    /// contents (the ptl) and the per-CPU pagevecs (their own CPU).
    @Test func listLinksPtesAndPagevecsAreFields() throws {
        let r = try Self.audit(["seed-reclaim-nonlinear"])
        let lru = try #require(r.field("lru"))
        #expect(!lru.writes.isEmpty && lru.writes.allSatisfy { $0.locks.contains("lru_lock") || $0.isolated },
                "\(lru.writes.map(\.protections))")
        let pte = try #require(r.field("pte"))
        #expect(!pte.sites.isEmpty && pte.sites.allSatisfy { $0.locks.contains("ptl") })
        let pvec = try #require(r.field("lru_add_pvec"))
        #expect(!pvec.sites.isEmpty && pvec.sites.allSatisfy { $0.locks.contains { $0.hasPrefix("this-cpu") } })
        // the zone counter and the VM event of mlock_vma_page(), at the
        // lines that update them
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let mlock = try String(contentsOf: root.appendingPathComponent("CKernelShim/mm/mlock.c"), encoding: .utf8)
            .components(separatedBy: "\n")
        for (field, text) in [("NR_MLOCK", "NR_MLOCK"), ("UNEVICTABLE_PGMLOCKED", "UNEVICTABLE_PGMLOCKED")] {
            let f = try #require(r.field(field), "\(r.fields.map(\.field))")
            let s = try #require(f.writes.first { $0.function == "mlock_vma_page" }, "\(f.sites.map(\.location))")
            // (a call over two lines is named by its last)
            #expect(s.file == "mm/mlock.c" && s.line > 1 && (mlock[s.line - 1] + mlock[s.line - 2]).contains(text),
                    "\(s.location)")
        }
    }

    /// The same table whatever the number of threads: sites, counts and the
    /// replay token kept for each.
    @Test func sameAuditWithOneAndTwoJobs() throws {
        let one = try Self.audit(["reclaim-vs-munlock"], jobs: 1)
        let two = try Self.audit(["reclaim-vs-munlock"], jobs: 2)
        let a = one.allSites.map { "\($0.key) \($0.count) \($0.token)" }.sorted()
        let b = two.allSites.map { "\($0.key) \($0.count) \($0.token)" }.sorted()
        #expect(a.count > 20)
        #expect(a == b)
        let ra = one.races.map { "\($0.key) \($0.count) \($0.token)" }.sorted()
        #expect(!ra.isEmpty && ra == two.races.map { "\($0.key) \($0.count) \($0.token)" }.sorted())
    }

    @Test func claimsParseOrSayWhy() throws {
        let c = try AuditClaim(parsing: "claim _count written-under lru_lock|page-lock")
        #expect(c.field == "_count" && c.relation == .writtenUnder && c.locks == ["lru_lock", "page-lock"])
        for bad in ["", "PG_mlocked", "PG_mlocked guarded-by page-lock", "PG_mlocked protected-by ", "x protected-by a||b"] {
            #expect(throws: HarnessError.self) { _ = try AuditClaim(parsing: bad) }
        }
        // a claim about a field nothing touched does not pass
        let r = try Self.audit(["toy-lost-update"], claims: ["nosuchfield protected-by lock"])
        #expect(!r.claimsHold && r.claims[0].accesses == 0)
    }

    /// The CLI: a broken claim exits 1 and prints the site and its replay; a
    /// malformed one exits 2; the table fits 100 columns.
    @Test func auditCommand() throws {
        let broken = try CLI.kharness(["audit", "seed-reclaim-nonlinear", "--claim", "PG_mlocked protected-by page-lock"])
        #expect(broken.code == 1, "\(broken.err)")
        #expect(broken.out.contains("claim PG_mlocked protected-by page-lock: BROKEN"), "\(broken.out)")
        #expect(broken.out.contains("replay: kharness replay ksim1:seed-reclaim-nonlinear:"))
        #expect(broken.out.split(separator: "\n").allSatisfy { $0.count <= 100 })
        let holds = try CLI.kharness(["audit", "toy-locked-update", "--claim", "counter protected-by lock"])
        #expect(holds.code == 0 && holds.out.contains("holds"), "\(holds.out) \(holds.err)")
        let bad = try CLI.kharness(["audit", "toy-locked-update", "--claim", "counter guarded lock"])
        #expect(bad.code == 2 && bad.err.contains("bad claim"), "\(bad.err)")
        let json = try CLI.kharness(["audit", "toy-lost-update", "--json"])
        let parsed = try JSONSerialization.jsonObject(with: Data(json.out.utf8))
        let obj = try #require(parsed as? [String: Any])
        #expect((obj["fields"] as? [[String: Any]])?.contains { $0["field"] as? String == "counter" } == true)
    }
}
