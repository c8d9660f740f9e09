// SPDX-License-Identifier: GPL-2.0-only
//
// Variants of the kernel code: the shim's C sources copied to a scratch
// directory, patched there with `patch -p1` (as at a kernel tree), compiled
// into a shared library and loaded with dlopen.  The working tree is never
// written to; only the Swift side stays as built, so a patch costs one C
// compile (cached by content) and no Swift rebuild.
import Foundation
import CKernelShim

/// Where the shim's C sources are.
public enum ShimSource {
    /// KHARNESS_SHIM_DIR, else the nearest CKernelShim/ above the current
    /// directory, else the one this binary was built from.
    public static func locate() throws -> URL {
        let fm = FileManager.default
        func isShim(_ u: URL) -> Bool {
            fm.fileExists(atPath: u.appendingPathComponent("include/kshim.h").path)
        }
        if let env = ProcessInfo.processInfo.environment["KHARNESS_SHIM_DIR"] {
            let u = URL(fileURLWithPath: env)
            guard isShim(u) else { throw HarnessError.badInput("KHARNESS_SHIM_DIR=\(env) is not a CKernelShim directory") }
            return u
        }
        var dir = URL(fileURLWithPath: fm.currentDirectoryPath)
        while true {
            let cand = dir.appendingPathComponent("CKernelShim")
            if isShim(cand) { return cand }
            let up = dir.deletingLastPathComponent()
            if up.path == dir.path { break }
            dir = up
        }
        // Sources/KernelHarness/Patches/Variant.swift -> repository root
        let built = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("CKernelShim")
        if isShim(built) { return built }
        throw HarnessError.badInput("cannot find the CKernelShim sources (run inside the repository or set KHARNESS_SHIM_DIR)")
    }
}

/// Result of running a command.
struct CommandResult {
    var status: Int32
    var output: String
}

func runCommand(_ exe: String, _ args: [String], cwd: URL? = nil, stdin: URL? = nil) throws -> CommandResult {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = [exe] + args
    if let cwd { p.currentDirectoryURL = cwd }
    let pipe = Pipe()
    p.standardOutput = pipe
    p.standardError = pipe
    if let stdin { p.standardInput = try FileHandle(forReadingFrom: stdin) } else {
        p.standardInput = FileHandle.nullDevice
    }
    try p.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return CommandResult(status: p.terminationStatus, output: String(decoding: data, as: UTF8.self))
}

/// One build of the kernel code: the pristine sources plus a list of patches.
public struct Variant: Sendable {
    public let patches: [String]
    public let library: String
    public let api: KernelAPI
    /// Seconds spent building (0 when it came from the cache).
    public let buildSeconds: Double
}

public enum VariantBuilder {
    /// Where built variants are kept: $XDG_CACHE_HOME/kharness or ~/.cache/kharness.
    public static var cacheDirectory: URL {
        let env = ProcessInfo.processInfo.environment
        if let d = env["KHARNESS_CACHE"] { return URL(fileURLWithPath: d) }
        let base = env["XDG_CACHE_HOME"].map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache")
        return base.appendingPathComponent("kharness/variants")
    }

    static let compiler: String = ProcessInfo.processInfo.environment["KHARNESS_CC"] ?? "clang"
    /// As the package builds the shim; frame pointers keep the call chains
    /// of the writes quiescence reports name.
    static let cflags = ["-std=gnu11", "-O2", "-g", "-fno-omit-frame-pointer", "-fPIC", "-w", "-ferror-limit=0",
                         "-Iinclude", "-Istubs", "-Iruntime"]

    /// How a variant reads its thread's current world, which the shim does
    /// at every scheduling point.  In a dlopen()ed library the default
    /// (general dynamic) model makes every read a __tls_get_addr() call,
    /// which halves the schedules per second of a patched build;
    /// initial-exec makes it one load, but takes a few bytes of the
    /// process's static TLS reserve, which runs out after a few dozen
    /// loaded variants.  A variant is built initial-exec and rebuilt
    /// general dynamic when it cannot be loaded that way.
    public enum TLSModel: String, Sendable {
        case initialExec, generalDynamic
        var flags: [String] { self == .initialExec ? ["-DKSIM_TLS_IE"] : [] }
    }

    /// C sources of a shim tree, sorted, relative to it.
    static func sources(in shim: URL) throws -> [String] {
        var out: [String] = []
        for dir in ["runtime", "model", "mm"] {
            let d = shim.appendingPathComponent(dir)
            guard let items = try? FileManager.default.contentsOfDirectory(atPath: d.path) else { continue }
            out += items.filter { $0.hasSuffix(".c") }.map { "\(dir)/\($0)" }
        }
        return out.sorted()
    }

    /// FNV-1a over every file under the shim (path and bytes), the patches and the flags.
    static func key(shim: URL, patchData: [Data], tls: TLSModel = .initialExec) throws -> String {
        var h: UInt64 = 1469598103934665603
        func mix(_ d: Data) { for b in d { h = (h ^ UInt64(b)) &* 1099511628211 } }
        let fm = FileManager.default
        let files = (fm.enumerator(atPath: shim.path)?.compactMap { $0 as? String } ?? []).sorted()
        for f in files {
            var isDir: ObjCBool = false
            let u = shim.appendingPathComponent(f)
            guard fm.fileExists(atPath: u.path, isDirectory: &isDir), !isDir.boolValue else { continue }
            mix(Data(f.utf8))
            mix((try? Data(contentsOf: u)) ?? Data())
        }
        for p in patchData { mix(Data("patch".utf8)); mix(p) }
        mix(Data((cflags + tls.flags + [compiler]).joined(separator: " ").utf8))
        return String(format: "%016llx", h)
    }

    /// Copy, patch (without fuzz), compile and load.  Throws `.untestable`
    /// with the rejects or the compiler's errors when the patch does not
    /// apply or does not build, `.badInput` when a patch file is missing.
    /// With `kernel`, the kernel tree's text replaces the model's (see
    /// KernelBuild).
    public static func build(patches: [String], shim: URL? = nil, kernel: KernelTree? = nil,
                             fuzz: Int = 0) throws -> Variant {
        let texts = try PatchReader.read(patches).patches
        let b = try KernelBuild.build(texts, kernel: kernel, fuzz: fuzz, shim: shim)
        if let failure = b.failure { throw HarnessError.untestable(failure) }
        guard let v = b.variant else { throw HarnessError.untestable("no build") }
        return Variant(patches: patches, library: v.library, api: v.api, buildSeconds: v.buildSeconds)
    }

    /// Compile and load the shim tree `tree` as it stands (a scratch copy,
    /// patched or with kernel text in it), cached by its content.  With
    /// `instrument`, every function of mm/ records that it ran
    /// (-finstrument-functions; see World.executedFunctions).
    public static func compile(tree: URL, label: [String] = [], workDir: URL? = nil,
                               instrument: Bool = false) throws -> Variant {
        do {
            return try compile(tree: tree, label: label, tls: .initialExec, workDir: workDir, instrument: instrument)
        } catch HarnessError.untestable(let m) where m.contains("static TLS") {
            return try compile(tree: tree, label: label, tls: .generalDynamic, workDir: workDir, instrument: instrument)
        }
    }

    /// What makes the kernel code of mm/ record each function it enters:
    /// instrumented before inlining, so a static function inlined into its
    /// caller still counts (the stubs' inlines are recorded too; the
    /// runtime and the world are not compiled with it).
    static let instrumentFlags = ["-finstrument-functions"]

    /// The cached build whose code identity is `codeID` (the id a schedule
    /// token carries), if one was built on this machine.
    public static func cached(codeID: String) -> (library: String, label: [String])? {
        let idx = cacheDirectory.appendingPathComponent("by-code-id/\(codeID)")
        guard let text = try? String(contentsOf: idx, encoding: .utf8) else { return nil }
        let lines = text.split(separator: "\n").map(String.init)
        guard let lib = lines.first, FileManager.default.fileExists(atPath: lib) else { return nil }
        return (lib, Array(lines.dropFirst()))
    }

    /// Remember which library has `api`'s code id (and what it was built
    /// from), so a token printed for it replays without naming its patches.
    static func index(_ api: KernelAPI, library: String, label: [String]) {
        let fm = FileManager.default
        let dir = cacheDirectory.appendingPathComponent("by-code-id")
        guard (try? fm.createDirectory(at: dir, withIntermediateDirectories: true)) != nil else { return }
        let text = ([library] + label).joined(separator: "\n") + "\n"
        let tmp = dir.appendingPathComponent(".\(api.codeID)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        guard (try? Data(text.utf8).write(to: tmp)) != nil else { return }
        if rename(tmp.path, dir.appendingPathComponent(api.codeID).path) != 0 { try? fm.removeItem(at: tmp) }
    }

    static func compile(tree: URL, label: [String], tls: TLSModel, workDir: URL?,
                        instrument: Bool = false) throws -> Variant {
        let v = try compileUnindexed(tree: tree, label: label, tls: tls, workDir: workDir, instrument: instrument)
        if v.api.codeID != KernelAPI.builtin.codeID { index(v.api, library: v.library, label: label) }
        return v
    }

    static func compileUnindexed(tree: URL, label: [String], tls: TLSModel, workDir: URL?,
                                 instrument: Bool) throws -> Variant {
        let fm = FileManager.default
        let key = try key(shim: tree, patchData: instrument ? [Data(instrumentFlags.joined().utf8)] : [], tls: tls)
        let cache = cacheDirectory.appendingPathComponent(key)
        let lib = cache.appendingPathComponent("libkshim.so")
        if fm.fileExists(atPath: lib.path) {
            return Variant(patches: label, library: lib.path, api: try KernelAPI.load(path: lib.path), buildSeconds: 0)
        }
        let start = Date()
        let scratch = (workDir ?? fm.temporaryDirectory)
            .appendingPathComponent("kharness-\(key)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        defer { try? fm.removeItem(at: scratch) }
        try fm.createDirectory(at: scratch, withIntermediateDirectories: true)
        // compile every file (both cores), then link
        let srcs = try sources(in: tree)
        let objs = srcs.map { scratch.appendingPathComponent($0.replacingOccurrences(of: "/", with: "_") + ".o").path }
        let results = UnsafeMutableBufferPointer<CommandResult?>.allocate(capacity: srcs.count)
        results.initialize(repeating: nil)
        defer { results.deallocate() }
        DispatchQueue.concurrentPerform(iterations: srcs.count) { i in
            let extra = instrument && srcs[i].hasPrefix("mm/") ? instrumentFlags : []
            results[i] = (try? runCommand(compiler, cflags + tls.flags + extra + ["-c", srcs[i], "-o", objs[i]], cwd: tree))
                ?? CommandResult(status: 127, output: "cannot run \(compiler)")
        }
        let failures = results.compactMap { $0 }.filter { $0.status != 0 }
        if !failures.isEmpty {
            throw HarnessError.untestable("the patched kernel code does not compile:\n" + failures.map(\.output).joined())
        }
        let out = scratch.appendingPathComponent("libkshim.so")
        let link = try runCommand(compiler, ["-shared", "-o", out.path] + objs, cwd: tree)
        if link.status != 0 {
            throw HarnessError.untestable("the patched kernel code does not link:\n\(link.output)")
        }
        // install atomically: a concurrent builder of the same key is harmless
        try fm.createDirectory(at: cacheDirectory, withIntermediateDirectories: true)
        let staging = cacheDirectory.appendingPathComponent(".\(key)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try fm.createDirectory(at: staging, withIntermediateDirectories: true)
        try fm.moveItem(at: out, to: staging.appendingPathComponent("libkshim.so"))
        if rename(staging.path, cache.path) != 0 { try? fm.removeItem(at: staging) }
        return Variant(patches: label, library: lib.path, api: try KernelAPI.load(path: lib.path),
                       buildSeconds: Date().timeIntervalSince(start))
    }
}
