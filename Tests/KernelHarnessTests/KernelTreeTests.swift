// SPDX-License-Identifier: GPL-2.0-only
import Testing
import Foundation
@testable import KernelHarness

/// A kernel tree made at test time (no kernel text is ever committed): the
/// project's own mm/ files, which compile against the stubs as a v3.13
/// tree's do, a Makefile with the version, and whatever a test adds.
final class SyntheticKernel {
    let root: URL

    init(version: Int = 3, patchLevel: Int = 13, subLevel: Int = 0) throws {
        let fm = FileManager.default
        root = fm.temporaryDirectory.appendingPathComponent("kharness-synthetic-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try fm.createDirectory(at: root.appendingPathComponent("mm"), withIntermediateDirectories: true)
        let shim = try ShimSource.locate()
        for f in try fm.contentsOfDirectory(atPath: shim.appendingPathComponent("mm").path) {
            try fm.copyItem(at: shim.appendingPathComponent("mm/\(f)"), to: root.appendingPathComponent("mm/\(f)"))
        }
        try write("Makefile", "VERSION = \(version)\nPATCHLEVEL = \(patchLevel)\nSUBLEVEL = \(subLevel)\nEXTRAVERSION =\n")
    }

    deinit { try? FileManager.default.removeItem(at: root) }

    func read(_ rel: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(rel), encoding: .utf8)
    }

    func write(_ rel: String, _ text: String) throws {
        let u = root.appendingPathComponent(rel)
        try FileManager.default.createDirectory(at: u.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: u)
    }

    /// Replace the first `old` of a file by `new` (the test fails if absent).
    func edit(_ rel: String, _ old: String, _ new: String) throws {
        let t = try read(rel)
        guard let r = t.range(of: old) else { throw HarnessError.badInput("\(rel) has no '\(old)'") }
        try write(rel, t.replacingCharacters(in: r, with: new))
    }

    var tree: KernelTree { get throws { try KernelTree.open(root.path) } }

    /// Digest of every file of the tree (paths and bytes).
    func digest() throws -> String { try VariantBuilder.key(shim: root, patchData: []) }

    /// A unified diff of `path` from `old` to `new`, as git would write it.
    static func diff(_ path: String, _ old: String, _ new: String, subject: String? = nil) throws -> String {
        let fm = FileManager.default
        let d = fm.temporaryDirectory.appendingPathComponent("kharness-mkdiff-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try fm.createDirectory(at: d, withIntermediateDirectories: true)
        defer { try? fm.removeItem(at: d) }
        try Data(old.utf8).write(to: d.appendingPathComponent("old"))
        try Data(new.utf8).write(to: d.appendingPathComponent("new"))
        let r = try runCommand("diff", ["-u", "-p", "--label", "a/\(path)", "--label", "b/\(path)",
                                        d.appendingPathComponent("old").path, d.appendingPathComponent("new").path])
        #expect(r.status == 1, "diff found no change in \(path)")
        let head = subject.map { "From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001\nFrom: A Tester <t@example.org>\nSubject: [PATCH] \($0)\n\nWhy it is needed.\n\n---\n" } ?? ""
        return head + r.output
    }
}

func patchTexts(_ text: String, _ name: String = "test.patch") throws -> [PatchText] {
    try PatchReader.parse(text, source: name).0
}

@Suite struct CScannerTests {
    @Test func findsDefinitionsNotDeclarationsStructsOrInitialisers() {
        let src = """
        /* a { brace in a comment */
        #include <linux/mm.h>
        struct scan_control { int nr; };
        static const char *names[] = { "a{", "}" };
        static int helper(int x);
        static DEFINE_PER_CPU(struct pagevec, lru_add_pvec);

        /* the first one */
        static inline int helper(int x)
        {
        \tif (x == '{')
        \t\treturn 1;
        \treturn 0;
        }

        void lock_it(spinlock_t *l)
        \t__acquires(l)
        {
        \tspin_lock(l);
        }
        #ifdef CONFIG_SMP
        void activate_page(struct page *page)
        {
        \tsmp();
        }
        #else
        void activate_page(struct page *page)
        {
        \tup();
        }
        #endif

        SYSCALL_DEFINE2(mlock, unsigned long, start, size_t, len)
        {
        \treturn 0;
        }

        RB_DECLARE_CALLBACKS(static, vma_gap_callbacks, struct vm_area_struct, vm_rb,
        \t\t     unsigned long, rb_subtree_gap, vma_compute_subtree_gap)
        static void vma_gap_update(struct vm_area_struct *vma)
        {
        \tvma_gap_callbacks_propagate(&vma->vm_rb, NULL);
        }
        """
        let defs = CScanner.functions(in: src)
        #expect(defs.map(\.name) == ["helper", "lock_it", "activate_page", "activate_page", "sys_mlock", "vma_gap_update"])
        #expect(defs[0].firstLine == 9 && defs[0].lastLine == 14)
        #expect(defs[0].comment == "/* the first one */")
        #expect(defs[2].conditions == [["ifdef CONFIG_SMP"]])
        #expect(defs[3].conditions == [["ifdef CONFIG_SMP", "else"]])
        #expect(CScanner.conditionsHold(defs[2].conditions, defined: ["CONFIG_SMP"]) == true)
        #expect(CScanner.conditionsHold(defs[3].conditions, defined: ["CONFIG_SMP"]) == false)
        #expect(CScanner.conditionsHold(defs[3].conditions, defined: []) == true)
        #expect(CScanner.conditionsHold([["if LINUX_VERSION_CODE > 3"]], defined: []) == nil)
    }

    @Test func substitutionTakesTheConfiguredDefinitionAndKeepsModelOnlyText() {
        let model = """
        void activate_page(struct page *page)
        {
        \tmodel_text();
        }

        /* model-only: the tree's version needs the slab allocator */
        void keep_me(void)
        {
        \tmodel_text();
        }
        """
        let kernel = """
        #ifdef CONFIG_SMP
        void activate_page(struct page *page)
        {
        \tsmp_text();
        }
        #else
        void activate_page(struct page *page)
        {
        \tup_text();
        }
        #endif
        void keep_me(void)
        {
        \tkernel_text();
        }
        """
        let (text, fns) = KernelSubstitution.substitute(file: "mm/swap.c", model: model, kernelText: kernel,
                                                        defined: ["CONFIG_SMP"])
        #expect(text.contains("#line 2 \"mm/swap.c\"\nvoid activate_page(struct page *page)\n{\n\tsmp_text();"))
        #expect(!text.contains("up_text") && !text.contains("kernel_text"))
        #expect(fns.map(\.name) == ["activate_page", "keep_me"])
        #expect(fns[0].source == .real(first: 2, last: 5))
        #expect(fns[1].source == .modelOnly("the tree's version needs the slab allocator"))
    }
}

@Suite struct PatchReaderTests {
    @Test func mboxWithCoverLetterGivesItsPatchesAndANote() throws {
        let one = try SyntheticKernel.diff("mm/a.c", "x\n", "y\n", subject: "1/2 first")
        let two = try SyntheticKernel.diff("mm/b.c", "x\n", "z\n", subject: "2/2 second")
        let cover = "From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001\nFrom: A Tester <t@example.org>\nSubject: [PATCH 0/2] a series\n\nThe cover letter has no diff.\n\n"
        let (ps, notes) = try PatchReader.parse(cover + "\n" + one + "\n" + two, source: "series.mbox")
        #expect(ps.map(\.subject) == ["[PATCH] 1/2 first", "[PATCH] 2/2 second"])
        #expect(ps.map { $0.files.map(\.path) } == [["mm/a.c"], ["mm/b.c"]])
        #expect(notes.count == 1 && notes[0].contains("[PATCH 0/2] a series") && notes[0].contains("no diff"))
    }

    @Test func standardInputIsAPatchAndGarbageIsBadInput() throws {
        let d = try SyntheticKernel.diff("mm/rmap.c", "a\n", "b\n")
        let (ps, _) = try PatchReader.read(["-"], standardInput: { Data(d.utf8) })
        #expect(ps.count == 1 && ps[0].source == "stdin" && ps[0].files[0].hunks.count == 1)
        #expect(throws: HarnessError.self) { try PatchReader.read(["-"], standardInput: { Data("hello\n".utf8) }) }
        #expect(throws: HarnessError.self) { try PatchReader.read(["-", "-"], standardInput: { Data(d.utf8) }) }
    }
}

/// --kernel DIR: the tree's functions replace the model's in a scratch build.
@Suite(.serialized) struct KernelTreeTests {
    static let seedToken = "ksim1:seed-migrate-nonlinear:*:a24"

    @Test func treeTextReplacesTheModelsWithTheTreesLineNumbers() throws {
        let k = try SyntheticKernel()
        // where the model has mlock_vma_page and its BUG_ON
        let model = try k.read("mm/mlock.c")
        let fn = try #require(CScanner.functions(in: model).first { $0.name == "mlock_vma_page" })
        let lines = model.split(separator: "\n", omittingEmptySubsequences: false)
        let bugLine = try #require((fn.firstLine...fn.lastLine).first { lines[$0 - 1].contains("BUG_ON(!PageLocked(page))") })
        // five lines more above it in the tree: everything moves down by five
        try k.edit("mm/mlock.c", "#include", "/*\n * synthetic\n * tree\n *\n */\n#include")
        let digest = try k.digest()
        let r = try KernelBuild.build([], kernel: try k.tree)
        let v = try #require(r.variant, "\(r.failure ?? "")")
        let sub = try #require(r.substitution)
        #expect(sub.functions.contains {
            $0.name == "mlock_vma_page" && $0.source == .real(first: fn.firstLine + 5, last: fn.lastLine + 5)
        })
        let w = try World(scenario: "seed-migrate-nonlinear", api: v.api)
        try w.run(token: Self.seedToken)
        let bug = try #require(w.findings.first { $0.kind == "bug" })
        #expect(bug.location == "mm/mlock.c:\(bugLine + 5)")
        #expect(v.api.codeID != KernelAPI.builtin.codeID)
        #expect(try k.digest() == digest)

        // the tree's text is what runs: without its BUG_ON there is no BUG
        try k.edit("mm/mlock.c", "\tBUG_ON(!PageLocked(page));\n\n\tif (!TestSetPageMlocked", "\n\n\tif (!TestSetPageMlocked")
        let v2 = try #require(try KernelBuild.build([], kernel: try k.tree).variant)
        let w2 = try World(scenario: "seed-migrate-nonlinear", api: v2.api)
        try w2.run(token: Self.seedToken)
        #expect(!w2.findings.contains { $0.kind == "bug" && $0.file == "mm/mlock.c" })
    }

    @Test func realTextThatDoesNotCompileIsNamedWithTheMissingSymbol() throws {
        let k = try SyntheticKernel()
        try k.edit("mm/rmap.c", "\tunsigned long address;", "\tunsigned long address = ksim_no_such_symbol();")
        let r = try KernelBuild.build([], kernel: try k.tree)
        #expect(r.variant == nil)
        let msg = r.failure ?? ""
        #expect(msg.contains("does not compile against the harness's stubs"))
        #expect(msg.contains("ksim_no_such_symbol"))
        #expect(msg.contains("() (mm/rmap.c:"))
    }

    @Test func badTreesAreRefusedAndOtherReleasesWarned() throws {
        #expect(throws: HarnessError.self) { try KernelTree.open("/nonexistent/linux") }
        let notKernel = try SyntheticKernel()
        try notKernel.write("Makefile", "all:\n\techo hi\n")
        #expect { try notKernel.tree } throws: { "\($0)".contains("no VERSION and PATCHLEVEL") }
        let four = try SyntheticKernel(version: 4, patchLevel: 9)
        #expect { try four.tree } throws: { "\($0)".contains("Linux 4.9.0") }
        let old = try SyntheticKernel(version: 3, patchLevel: 10, subLevel: 5)
        let t = try old.tree
        #expect(t.release == "3.10.5")
        #expect(t.warnings.count == 1 && t.warnings[0].contains("follows v3.13"))
    }

    @Test func patchToAnUnmodelledFunctionIsChangedNotRun() throws {
        let k = try SyntheticKernel()
        let unmodelled = "\nstatic unsigned long shrink_lruvec(struct zone *zone)\n{\n\treturn 0x5a;\n}\n"
        try k.write("mm/vmscan.c", try k.read("mm/vmscan.c") + unmodelled)
        let old = try k.read("mm/vmscan.c")
        let new = old.replacingOccurrences(of: "\treturn 0x5a;\n", with: "\treturn 0x5b;\n")
        let p = try patchTexts(SyntheticKernel.diff("mm/vmscan.c", old, new))
        let r = try KernelBuild.build(p, kernel: try k.tree)
        #expect(r.variant != nil, "\(r.failure ?? "")")
        let changed = try #require(r.outcomes.first).changed
        #expect(changed.count == 1)
        #expect(changed[0].function == "shrink_lruvec" && changed[0].status == .notRun)
        #expect(changed[0].text.hasPrefix("changed, not run: shrink_lruvec()"))
        // the verdict says it rests on part of the patch
        var baseline: [String: ExplorationResult] = [:]
        let report = try PatchChecker.check(p, options: PatchCheckOptions(scenarios: ["migrate-vs-munlock"],
                                                                         timePerScenario: 60, kernel: try k.tree),
                                            shim: nil, log: nil, baseline: &baseline)
        #expect(report.verdict == .good && report.partial && report.exitCode == 4)
        #expect(PatchChecker.table(report).contains("verdict: good (partial)"))
    }

    @Test func fuzzIsRefusedByDefaultAndReportedWhereItLandedWhenAllowed() throws {
        let k = try SyntheticKernel()
        let text = try k.read("mm/mlock.c")
        let change = ("\tBUG_ON(!PageLocked(page));\n\n\tif (!TestSetPageMlocked",
                      "\tVM_BUG_ON(!PageLocked(page));\n\n\tif (!TestSetPageMlocked")
        // the patch was made against a tree where the outermost context line
        // (the comment's end, three lines above the change) differs
        let drift = (" */\nvoid mlock_vma_page(struct page *page)\n", " **/\nvoid mlock_vma_page(struct page *page)\n")
        let base = text.replacingOccurrences(of: drift.0, with: drift.1)
        #expect(base != text)
        let p = try patchTexts(SyntheticKernel.diff("mm/mlock.c", base,
                                                    base.replacingOccurrences(of: change.0, with: change.1)))
        let digest = try k.digest()
        let strict = try KernelBuild.build(p, kernel: try k.tree)
        #expect(strict.variant == nil)
        #expect(strict.failure?.contains("without fuzz") == true)
        let fuzzy = try KernelBuild.build(p, kernel: try k.tree, fuzz: 2)
        #expect(fuzzy.variant != nil, "\(fuzzy.failure ?? "")")
        let note = try #require(fuzzy.outcomes.first?.hunkNotes.first)
        #expect(note.fuzz > 0 && note.landedIn == "mlock_vma_page")
        #expect(note.text.contains("with fuzz") && note.text.contains("in mlock_vma_page()"))
        #expect(try k.digest() == digest)
    }

    @Test func alreadyAppliedPatchIsSaidToBeSo() throws {
        let k = try SyntheticKernel()
        let old = try k.read("mm/mlock.c")
        let new = old.replacingOccurrences(of: "\tBUG_ON(!PageLocked(page));\n\n\tif (!TestSetPageMlocked",
                                           with: "\tVM_BUG_ON(!PageLocked(page));\n\n\tif (!TestSetPageMlocked")
        let p = try patchTexts(SyntheticKernel.diff("mm/mlock.c", old, new))
        try k.write("mm/mlock.c", new)
        let r = try KernelBuild.build(p, kernel: try k.tree)
        #expect(r.variant == nil)
        #expect(r.outcomes.first?.alreadyApplied == true)
        #expect(r.failure?.contains("already applied") == true)
    }

    @Test func headerAndDocumentationHunksApplyToTheTreeCopy() throws {
        let k = try SyntheticKernel()
        try k.write("include/linux/rmap.h", "#ifndef _LINUX_RMAP_H\n#define _LINUX_RMAP_H\nint x;\n#endif\n")
        try k.write("Documentation/vm/unevictable-lru.txt", "Mlocked pages\n=============\n\nText.\n")
        let mm = try k.read("mm/mlock.c")
        let mmNew = mm.replacingOccurrences(of: "\tBUG_ON(!PageLocked(page));\n\n\tif (!TestSetPageMlocked",
                                            with: "\tVM_BUG_ON(!PageLocked(page));\n\n\tif (!TestSetPageMlocked")
        let text = try SyntheticKernel.diff("include/linux/rmap.h", try k.read("include/linux/rmap.h"),
                                            "#ifndef _LINUX_RMAP_H\n#define _LINUX_RMAP_H\nint x, y;\n#endif\n", subject: "all three")
            + SyntheticKernel.diff("Documentation/vm/unevictable-lru.txt", try k.read("Documentation/vm/unevictable-lru.txt"),
                                   "Mlocked pages\n=============\n\nMore text.\n")
            + SyntheticKernel.diff("mm/mlock.c", mm, mmNew)
        let p = try patchTexts(text)
        #expect(p.count == 1 && p[0].files.count == 3)
        let digest = try k.digest()
        let r = try KernelBuild.build(p, kernel: try k.tree)
        #expect(r.variant != nil, "\(r.failure ?? "")")
        let changed = try #require(r.outcomes.first).changed
        #expect(changed.contains { $0.file == "include/linux/rmap.h" && $0.status == .header })
        #expect(changed.contains { $0.file == "Documentation/vm/unevictable-lru.txt" && $0.status == .notCode })
        #expect(changed.contains { $0.function == "mlock_vma_page" && $0.status == .runs })
        #expect(try k.digest() == digest)

        // on the built-in model the header and the text file are skipped, the mm/ part applies
        let m = try KernelBuild.build(p, kernel: nil)
        #expect(m.variant != nil, "\(m.failure ?? "")")
        #expect(m.outcomes.first?.skippedFiles == ["include/linux/rmap.h", "Documentation/vm/unevictable-lru.txt"])
    }

    @Test func functionAddedByThePatchIsBuiltAndRuns() throws {
        let k = try SyntheticKernel()
        let old = try k.read("mm/mlock.c")
        let new = old.replacingOccurrences(
            of: "void mlock_vma_page(struct page *page)\n{\n\tBUG_ON(!PageLocked(page));\n",
            with: "static int page_is_locked(struct page *page)\n{\n\treturn PageLocked(page);\n}\n\nvoid mlock_vma_page(struct page *page)\n{\n\tBUG_ON(!page_is_locked(page));\n")
        #expect(new != old)
        let p = try patchTexts(SyntheticKernel.diff("mm/mlock.c", old, new))
        let r = try KernelBuild.build(p, kernel: try k.tree)
        let v = try #require(r.variant, "\(r.failure ?? "")")
        let changed = try #require(r.outcomes.first).changed
        #expect(changed.contains { $0.function == "page_is_locked" && $0.status == .runs })
        #expect(r.substitution?.functions.contains { $0.name == "page_is_locked" && $0.added } == true)
        let w = try World(scenario: "seed-migrate-nonlinear", api: v.api)
        try w.run(token: Self.seedToken)
        #expect(w.findings.contains { $0.kind == "bug" && $0.file == "mm/mlock.c" })
    }

    @Test func equivalenceAgreesOnTheModelsOwnTextAndCatchesADifference() throws {
        let k = try SyntheticKernel()
        try k.edit("mm/rmap.c", "#include", "/* shifted */\n#include")
        let v = try #require(try KernelBuild.build([], kernel: try k.tree).variant)
        let opts = PatchCheckOptions(timePerScenario: 120, jobs: 2)
        let names = ["seed-migrate-nonlinear", "reclaim-vs-munlock", "munlock-vs-unmap"]
        let same = try Equivalence.compare(tree: v.api, scenarios: names, options: opts)
        #expect(same.map(\.scenario) == names)
        let table = Equivalence.table(same)
        #expect(same.allSatisfy { $0.same }, "\(table)")
        #expect(same[0].model == ["bug in mlock_vma_page()"] && same[2].model.isEmpty)

        // a tree whose mlock_vma_page asserts nothing: the seed BUG is gone there
        try k.edit("mm/mlock.c", "\tBUG_ON(!PageLocked(page));\n\n\tif (!TestSetPageMlocked", "\n\n\tif (!TestSetPageMlocked")
        let v2 = try #require(try KernelBuild.build([], kernel: try k.tree).variant)
        let diff = try Equivalence.compare(tree: v2.api, scenarios: ["seed-migrate-nonlinear"], options: opts)
        #expect(diff.count == 1 && !diff[0].same)
        #expect(Equivalence.table(diff).contains("0 of 1 scenarios"))
    }
}
