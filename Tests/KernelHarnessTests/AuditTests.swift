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
        let w = try World(scenario: "toy-lost-update")
        _ = try w.run(token: rw.token)
        #expect(try Self.audit(["toy-locked-update"]).races.isEmpty)
        #expect(try Self.audit(["toy-disjoint"]).races.isEmpty)
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
