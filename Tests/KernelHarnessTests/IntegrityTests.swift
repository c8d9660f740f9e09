// SPDX-License-Identifier: GPL-2.0-only
import Testing
import Foundation
@testable import KernelHarness

/// SHA-256 against the FIPS 180-2 examples, one shot and in odd pieces.
@Suite struct SHA256Tests {
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
        ("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
         "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"),
    ])
    func knownVectors(input: String, digest: String) {
        #expect(SHA256.hex(SHA256.hash(Data(input.utf8))) == digest)
        // the same bytes fed 1, 3, 7 ... at a time
        var s = SHA256()
        var rest = Data(input.utf8)
        var n = 1
        while !rest.isEmpty {
            s.update(rest.prefix(n))
            rest = rest.dropFirst(n)
            n = n * 2 + 1
        }
        #expect(SHA256.hex(s.finish()) == digest)
    }

    @Test func aMillionAs() {
        var s = SHA256()
        let chunk = Data(repeating: UInt8(ascii: "a"), count: 1000)
        for _ in 0..<1000 { s.update(chunk) }
        #expect(SHA256.hex(s.finish()) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func encodingIsUnambiguous() {
        func enc(_ parts: [String]) -> [UInt8] {
            var e = HashEncoder(tag: "t")
            e.list("x", parts.map { Data($0.utf8) })
            return e.digest
        }
        #expect(enc(["ab", "c"]) != enc(["a", "bc"]))
        #expect(enc(["ab", "c"]) == enc(["ab", "c"]))
        #expect(enc([]) != enc([""]))
    }
}

/// The code identity covers every file of CKernelShim/, the same way in C
/// (the #embed list) and in Swift, for every build of the same sources.
@Suite(.serialized) struct CodeIdentityTests {
    static var shim: URL { get throws { try ShimSource.locate() } }

    @Test func committedListNamesEveryFileAndBothGeneratorsAgree() throws {
        let shim = try Self.shim
        let files = try CodeIdentity.files(in: shim)
        #expect(files.contains("runtime/prims.c") && files.contains("stubs/linux/mm.h")
                && files.contains("include/kshim.h") && files.contains("model/toy.c") && files.contains("mm/rmap.c"))
        let swift = CodeIdentity.list(files: files)
        let committed = try String(contentsOf: shim.appendingPathComponent(CodeIdentity.listPath), encoding: .utf8)
        #expect(committed == swift, "runtime/codeid_files.h is stale: run make codeid")
        let script = shim.deletingLastPathComponent().appendingPathComponent("mk/codeid-files.sh").path
        let sh = try runCommand("sh", [script, shim.path])
        #expect(sh.status == 0)
        #expect(sh.output == swift)
    }

    @Test func swiftComputesTheIdTheBuiltinLibraryReports() throws {
        #expect(try CodeIdentity.id(of: try Self.shim) == KernelAPI.builtin.codeID)
        #expect(KernelAPI.builtin.codeID.count == 12)
    }

    /// codeid.c compiled as the Makefile compiles it (its flags, its
    /// include paths) reports the id of the SwiftPM build.
    @Test func makefileFlagsGiveTheSameId() throws {
        let shim = try Self.shim
        let dir = try Scratch.make("idtest")
        defer { try? FileManager.default.removeItem(at: dir) }
        let main = dir.appendingPathComponent("main.c")
        try Data("#include <stdio.h>\n#include \"kshim.h\"\nint main(void) { puts(ksim_code_id()); return 0; }\n".utf8).write(to: main)
        let exe = dir.appendingPathComponent("id").path
        let cc = try runCommand("clang", ["-std=gnu11", "-O2", "-g", "-Wall", "-I", "include", "-I", "stubs", "-I", "runtime",
                                          "runtime/codeid.c", "runtime/sha256.c", main.path, "-o", exe], cwd: shim)
        #expect(cc.status == 0, "\(cc.output)")
        let out = try runCommand(exe, [])
        #expect(out.output.trimmingCharacters(in: .whitespacesAndNewlines) == KernelAPI.builtin.codeID)
    }

    static func patch(_ rel: String, _ old: String, _ new: String, in dir: URL) throws -> String {
        let text = try String(contentsOf: try shim.appendingPathComponent(rel), encoding: .utf8)
        guard let r = text.range(of: old) else { throw HarnessError.badInput("\(rel) has no '\(old)'") }
        let p = dir.appendingPathComponent((rel as NSString).lastPathComponent + ".patch")
        try Data(try SyntheticKernel.diff(rel, text, text.replacingCharacters(in: r, with: new)).utf8).write(to: p)
        return p.path
    }

    /// A patch to runtime/ (here one that silences every finding), to a
    /// stub header, or one that adds a file: each build has an id of its
    /// own, never the built-in one, and it is the id its sources hash to.
    @Test func runtimeStubAndNewFilePatchesChangeTheId() throws {
        let dir = try Scratch.make("idpatch")
        defer { try? FileManager.default.removeItem(at: dir) }
        let silence = try Self.patch("runtime/report.c",
                                     "\tva_start(ap, fmt);\n\tvsnprintf(buf, sizeof(buf), fmt, ap);",
                                     "\tif (w)\n\t\treturn NULL;\n\tva_start(ap, fmt);\n\tvsnprintf(buf, sizeof(buf), fmt, ap);", in: dir)
        let stub = try Self.patch("stubs/linux/mm.h", "#define", "/* a patched stub */\n#define", in: dir)
        let added = dir.appendingPathComponent("add.patch")
        try Data("--- /dev/null\n+++ b/stubs/ksim/added_by_patch.h\n@@ -0,0 +1 @@\n+/* a file only the patch has */\n".utf8).write(to: added)
        var ids: Set<String> = [KernelAPI.builtin.codeID]
        for p in [silence, stub, added.path] {
            let v = try VariantBuilder.build(patches: [p])
            #expect(v.api.codeID.count == 12)
            #expect(ids.insert(v.api.codeID).inserted, "\(p): id \(v.api.codeID) is not new")
        }
        // the silenced build finds nothing where the built-in one finds the lost update
        let v = try VariantBuilder.build(patches: [silence])
        let quiet = try World(scenario: "toy-lost-update", api: v.api)
        try quiet.run(token: "ksim1:toy-lost-update:*:abab")
        #expect(quiet.findings.isEmpty)
        let loud = try World(scenario: "toy-lost-update")
        try loud.run(token: "ksim1:toy-lost-update:*:abab")
        #expect(loud.findings.map(\.kind) == ["accounting"])
        // and the unpatched tree, built the same way, is the built-in code
        #expect(try VariantBuilder.build(patches: []).api.codeID == KernelAPI.builtin.codeID)
    }

    /// A patch that makes codeid.c report another id is refused: the id
    /// must be the one the sources hash to.
    @Test func aBuildThatLiesAboutItsIdIsUntestable() throws {
        let dir = try Scratch.make("idpatch")
        defer { try? FileManager.default.removeItem(at: dir) }
        let liar = try Self.patch("runtime/codeid.c", "\tstatic __thread char id[16];\n",
                                  "\tstatic __thread char id[16];\n\n\treturn \"\(KernelAPI.builtin.codeID)\";\n", in: dir)
        #expect {
            try VariantBuilder.build(patches: [liar])
        } throws: { e in
            guard case HarnessError.untestable(let m) = e else { return false }
            return m.contains("code identity") && m.contains(KernelAPI.builtin.codeID)
        }
    }

    @Test func cacheKeyDoesNotConfuseSplitAndJoinedPatches() throws {
        let shim = try Self.shim
        let p1 = Data("--- a/model/toy.c\n+++ b/model/toy.c\n".utf8), p2 = Data("@@ -1 +1 @@\n".utf8)
        let split = try VariantBuilder.key(shim: shim, patchData: [p1, p2])
        let joined = try VariantBuilder.key(shim: shim, patchData: [p1 + Data("patch".utf8) + p2])
        #expect(split != joined)
        #expect(split.count == 64 && split.allSatisfy(\.isHexDigit))
        #expect(try VariantBuilder.key(shim: shim, patchData: [p1, p2]) == split)
        #expect(try VariantBuilder.key(shim: shim, patchData: [p1, p2], instrument: true) != split)
        #expect(try VariantBuilder.key(shim: shim, patchData: [p1, p2], tls: .generalDynamic) != split)
    }
}

/// The variant cache and the scratch directories survive killed and
/// damaged runs.  Runs go through the binary, each with its own cache and
/// TMPDIR, so no test reads the shared /tmp or loads a library it damages.
@Suite(.serialized) struct CacheAndScratchTests {
    struct Env {
        let root: URL
        var cache: URL { root.appendingPathComponent("cache") }
        var tmp: URL { root.appendingPathComponent("tmp") }

        init() throws {
            root = try Scratch.make("cachetest")
            try FileManager.default.createDirectory(at: root.appendingPathComponent("tmp"), withIntermediateDirectories: true)
        }

        func kharness(_ args: [String]) throws -> (code: Int32, out: String, err: String) {
            guard let bin = CLI.binary else { return (-1, "", "kharness binary not built next to the tests") }
            let p = Process()
            p.executableURL = bin
            p.arguments = args
            var env = ProcessInfo.processInfo.environment
            env["KHARNESS_CACHE"] = cache.path
            env["TMPDIR"] = tmp.path
            p.environment = env
            let o = root.appendingPathComponent("out-\(UInt32.random(in: 0...UInt32.max))")
            let e = root.appendingPathComponent("err-\(UInt32.random(in: 0...UInt32.max))")
            FileManager.default.createFile(atPath: o.path, contents: nil)
            FileManager.default.createFile(atPath: e.path, contents: nil)
            p.standardOutput = try FileHandle(forWritingTo: o)
            p.standardError = try FileHandle(forWritingTo: e)
            try p.run()
            p.waitUntilExit()
            let out = (try? String(contentsOf: o, encoding: .utf8)) ?? ""
            SchemaCheck.checkOutput(args, out)
            return (p.terminationStatus, out, (try? String(contentsOf: e, encoding: .utf8)) ?? "")
        }

        /// The cache entries (key directories) of this environment.
        func entries() throws -> [URL] {
            try FileManager.default.contentsOfDirectory(at: cache, includingPropertiesForKeys: nil)
                .filter { $0.lastPathComponent.count == 64 }
        }
    }

    /// The report without its first line (which has the time taken).
    static func report(_ out: String) -> String { out.split(separator: "\n").dropFirst().joined(separator: "\n") }

    static let run = ["run", "toy-locked-update", "--strategy", "replay", "--schedule", "ksim1:toy-locked-update:*:abab"]

    @Test func damagedCacheEntryIsDetectedAndRebuilt() throws {
        let env = try Env()
        defer { try? FileManager.default.removeItem(at: env.root) }
        let patch = VariantTests.fixture("toy-drop-lock.patch")
        let first = try env.kharness(Self.run + ["--patch", patch])
        #expect(first.code == 1, "\(first.err)")       // the lost update
        #expect(first.out.contains("accounting") && Self.report(first.out).count > 100)
        let entry = try #require(try env.entries().first)
        let lib = entry.appendingPathComponent("libkshim.so")
        let sum = try String(contentsOf: entry.appendingPathComponent("libkshim.so.sha256"), encoding: .utf8)
        #expect(sum.trimmingCharacters(in: .whitespacesAndNewlines) == SHA256.hex(SHA256.hash(try Data(contentsOf: lib))))
        // truncated (as a full disk or a killed copy leaves it)
        let whole = try Data(contentsOf: lib)
        try whole.prefix(whole.count / 3).write(to: lib)
        let second = try env.kharness(Self.run + ["--patch", patch])
        #expect(second.code == 1, "\(second.err)")
        #expect(Self.report(second.out) == Self.report(first.out))
        #expect(second.err.contains("is damaged") && second.err.contains("rebuilding"), "\(second.err)")
        #expect(try Data(contentsOf: lib).count > whole.count / 3)
        // one flipped byte, same size
        var bytes = try Data(contentsOf: lib)
        bytes[bytes.count / 2] ^= 0xff
        try bytes.write(to: lib)
        let third = try env.kharness(Self.run + ["--patch", patch])
        #expect(third.code == 1 && Self.report(third.out) == Self.report(first.out), "\(third.err)")
        #expect(third.err.contains("is damaged"))
        // an intact entry is used as it is, silently
        let fourth = try env.kharness(Self.run + ["--patch", patch])
        #expect(Self.report(fourth.out) == Self.report(first.out) && !fourth.err.contains("damaged"), "\(fourth.err)")
        #expect(try env.entries().count == 1)
    }

    /// A process that cannot be running: a child that has been reaped.
    static func deadPid() throws -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/true")
        try p.run()
        p.waitUntilExit()
        return p.processIdentifier
    }

    @Test func sweepRemovesDeadOwnersEntriesOnly() throws {
        let fm = FileManager.default
        let dir = try Scratch.make("sweeptest")
        defer { try? fm.removeItem(at: dir) }
        let dead = try Self.deadPid()
        let me = getpid(), start = Scratch.startTime(of: me) ?? 0
        let names = [
            "\(Scratch.prefix)\(dead)-0-build-1",            // owner gone
            "\(Scratch.prefix)\(me)-\(start + 1)-build-2",   // this pid, but another process's start: gone
            "\(Scratch.prefix)\(me)-\(start)-build-3",       // this process: kept
            "\(Scratch.prefix)1-0-build-4",                  // init, alive (another user's rights): kept
            "kharness-build-\(dead)-5",                       // not a scratch name: kept
        ]
        for n in names {
            try fm.createDirectory(at: dir.appendingPathComponent(n + "/CKernelShim"), withIntermediateDirectories: true)
        }
        let removed = Scratch.sweep(dir)
        #expect(Set(removed) == Set(names.prefix(2)))
        let left = Set(try fm.contentsOfDirectory(atPath: dir.path))
        #expect(left == Set(names.suffix(3)))
    }

    /// A killed check-patch leaves its scratch copy in TMPDIR; the next run
    /// that builds removes it (and keeps a live run's).
    @Test func nextRunRemovesAKilledRunsScratchCopy() throws {
        let fm = FileManager.default
        let env = try Env()
        defer { try? fm.removeItem(at: env.root) }
        let dead = try Self.deadPid()
        let stale = env.tmp.appendingPathComponent("\(Scratch.prefix)\(dead)-0-build-77")
        try fm.createDirectory(at: stale.appendingPathComponent("CKernelShim/mm"), withIntermediateDirectories: true)
        try Data("left by a killed run".utf8).write(to: stale.appendingPathComponent("CKernelShim/mm/rmap.c"))
        let live = env.tmp.appendingPathComponent(Scratch.name("build"))
        try fm.createDirectory(at: live, withIntermediateDirectories: true)
        let r = try env.kharness(Self.run + ["--patch", VariantTests.fixture("toy-drop-lock.patch")])
        #expect(r.code == 1, "\(r.err)")
        #expect(!fm.fileExists(atPath: stale.path))
        #expect(fm.fileExists(atPath: live.path))
        // and the run left nothing of its own
        #expect(try fm.contentsOfDirectory(atPath: env.tmp.path) == [live.lastPathComponent])
    }
}
