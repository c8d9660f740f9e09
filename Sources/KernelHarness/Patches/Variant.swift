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
    /// directory, else the copy `make install` puts next to the binary
    /// (../share/kharness/CKernelShim), else the one this binary was built
    /// from.
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
        // an installed kharness: PREFIX/bin/kharness, PREFIX/share/kharness/CKernelShim
        if let exe = try? fm.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            let installed = URL(fileURLWithPath: exe).deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("share/kharness/CKernelShim")
            if isShim(installed) { return installed }
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
    /// The build as loaded in this process; nil for a build made for a
    /// worker process (check-patch never loads the patched code itself).
    public let loadedAPI: KernelAPI?
    /// Its code identity (as its sources hash; a loaded build reports it).
    public let codeID: String
    /// Seconds spent building (0 when it came from the cache).
    public let buildSeconds: Double
    /// What the user should know (a damaged cache entry rebuilt).
    public var notes: [String] = []

    public init(patches: [String], library: String, api: KernelAPI, buildSeconds: Double, notes: [String] = []) {
        self.patches = patches
        self.library = library
        loadedAPI = api
        codeID = api.codeID
        self.buildSeconds = buildSeconds
        self.notes = notes
    }

    /// A build that is not loaded here.
    public init(patches: [String], library: String, codeID: String, buildSeconds: Double, notes: [String] = []) {
        self.patches = patches
        self.library = library
        loadedAPI = nil
        self.codeID = codeID
        self.buildSeconds = buildSeconds
        self.notes = notes
    }

    /// The loaded build (every caller but check-patch's worker mode builds
    /// with `load`).
    public var api: KernelAPI {
        guard let a = loadedAPI else { preconditionFailure("the build at \(library) is not loaded in this process") }
        return a
    }
}

public enum VariantBuilder {
    /// Where built variants are kept: $KHARNESS_CACHE, else $XDG_CACHE_HOME/kharness/variants
    /// or ~/.cache/kharness/variants.
    public static var cacheDirectory: URL { cacheDirectory(env: ProcessInfo.processInfo.environment) }

    static func cacheDirectory(env: [String: String]) -> URL {
        // An empty or relative setting is ignored (as the XDG spec says), so
        // that it never puts a cache into whatever directory kharness runs in.
        func absolute(_ name: String) -> URL? {
            guard let d = env[name], d.hasPrefix("/") else { return nil }
            return URL(fileURLWithPath: d)
        }
        if let d = absolute("KHARNESS_CACHE") { return d }
        let base = absolute("XDG_CACHE_HOME")
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache")
        return base.appendingPathComponent("kharness/variants")
    }

    static let compiler: String = ProcessInfo.processInfo.environment["KHARNESS_CC"] ?? "clang"
    /// As the package builds the shim; frame pointers keep the call chains
    /// of the writes quiescence reports name.
    static let cflags = ["-std=gnu11", "-O2", "-g", "-fno-omit-frame-pointer", "-fPIC", "-w", "-ferror-limit=0",
                         "-fno-crash-diagnostics",
                         "-Iinclude", "-Istubs", "-Iruntime",
                         // plain shared accesses reach runtime/access.c (see Package.swift)
                         "-fsanitize=thread", "-fno-sanitize-thread-func-entry-exit",
                         "-fno-sanitize-thread-atomics", "-mllvm", "-tsan-distinguish-volatile=1",
                         "-fsanitize-ignorelist=runtime/tsan_ignore.txt"]

    /// -Bsymbolic: the library's calls of its own functions stay inside it,
    /// so a program that loads or links it may define kernel names of its
    /// own (put_page ...) without taking over the library's calls
    /// (`kharness build` installs such a library for C suites).
    static let ldflags = ["-shared", "-Wl,-Bsymbolic"]

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

    /// The compiler as resolved on PATH, and what its --version says
    /// (once per process): another clang gives another build.
    static let compilerIdentity: String = {
        var path = compiler
        if !compiler.contains("/") {
            for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
                let cand = "\(dir)/\(compiler)"
                if FileManager.default.isExecutableFile(atPath: cand) { path = cand; break }
            }
        }
        let version = (try? runCommand(compiler, ["--version"]))?.output ?? "(no --version)"
        return path + "\n" + version
    }()

    /// The variant cache key: SHA-256 of an unambiguous encoding (every
    /// field tagged and length-prefixed) of the tree's content digest, the
    /// patch texts (or other inputs a caller adds), the compiler (path and
    /// version), the flags and the instrumentation.
    static func key(shim: URL, patchData: [Data], tls: TLSModel = .initialExec, instrument: Bool = false) throws -> String {
        var e = HashEncoder(tag: "kharness variant key v2")
        e.field("tree", Data(try CodeIdentity.digest(of: shim)))
        e.list("patches", patchData)
        e.field("compiler", compilerIdentity)
        e.list("cflags", (cflags + tls.flags).map { Data($0.utf8) })
        e.list("ldflags", ldflags.map { Data($0.utf8) })
        e.list("instrument", instrument ? instrumentFlags.map { Data($0.utf8) } : [])
        return SHA256.hex(e.digest)
    }

    /// Copy, patch (without fuzz), compile and load.  Throws `.untestable`
    /// with the rejects or the compiler's errors when the patch does not
    /// apply or does not build, `.badInput` when a patch file is missing.
    /// With `kernel`, the kernel tree's text replaces the model's (see
    /// KernelBuild).
    /// `load`: false builds without loading (see compile).
    public static func build(patches: [String], shim: URL? = nil, kernel: KernelTree? = nil,
                             fuzz: Int = 0, load: Bool = true) throws -> Variant {
        let texts = try PatchReader.read(patches).patches
        let b = try KernelBuild.build(texts, kernel: kernel, fuzz: fuzz, shim: shim, load: load)
        if let failure = b.failure { throw HarnessError.untestable(failure) }
        guard let v = b.variant else { throw HarnessError.untestable("no build") }
        guard load else { return Variant(patches: patches, library: v.library, codeID: v.codeID, buildSeconds: v.buildSeconds) }
        return Variant(patches: patches, library: v.library, api: v.api, buildSeconds: v.buildSeconds)
    }

    /// Compile and load the shim tree `tree` as it stands (a scratch copy,
    /// patched or with kernel text in it), cached by its content.  With
    /// `instrument`, every function of mm/ records that it ran
    /// (-finstrument-functions; see World.executedFunctions).
    /// `patches` (the texts applied to make `tree`) join the cache key;
    /// `scratchTree`: `tree` is a copy of ours, which may be written (its
    /// code identity list is rewritten when a patch added or removed files).
    /// `load`: false builds (or finds) the library without loading it in
    /// this process (check-patch's worker loads it).
    public static func compile(tree: URL, label: [String] = [], workDir: URL? = nil,
                               instrument: Bool = false, patches: [Data] = [],
                               scratchTree: Bool = false, load: Bool = true) throws -> Variant {
        do {
            return try compile(tree: tree, label: label, tls: .initialExec, workDir: workDir, instrument: instrument,
                               patches: patches, scratchTree: scratchTree, load: load)
        } catch HarnessError.untestable(let m) where m.contains("static TLS") {
            return try compile(tree: tree, label: label, tls: .generalDynamic, workDir: workDir, instrument: instrument,
                               patches: patches, scratchTree: scratchTree, load: load)
        }
    }

    /// What makes the kernel code of mm/ record each function it enters
    /// (instrumented before inlining, so a static function inlined into its
    /// caller still counts) and each basic block that runs (every block,
    /// none pruned, with the table of block addresses: see LineCoverage).
    /// The stubs' inlines are recorded too; the runtime and the world are
    /// not compiled with it.
    static let instrumentFlags = ["-finstrument-functions", "-fsanitize-coverage=bb,no-prune,trace-pc-guard,pc-table"]

    /// What one compile of patched code may take: address space, CPU and
    /// wall-clock seconds, and the size of any file it writes (a macro bomb
    /// in a patch must not take the machine).
    /// KHARNESS_COMPILE_LIMITS=MEMKIB:CPUS:WALLS overrides them.
    static let compileLimits: (mem: Int, cpu: Int, wall: Int) = {
        let parts = (ProcessInfo.processInfo.environment["KHARNESS_COMPILE_LIMITS"] ?? "")
            .split(separator: ":").compactMap { Int($0) }
        if parts.count == 3, parts.allSatisfy({ $0 > 0 }) { return (parts[0], parts[1], parts[2]) }
        return (4 << 20, 300, 600)
    }()
    static var compileMemoryKiB: Int { compileLimits.mem }
    static var compileCPUSeconds: Int { compileLimits.cpu }
    static var compileWallSeconds: Int { compileLimits.wall }
    static let compileFileKiB = 256 << 10

    /// Run a compiler step under those limits, its output to `log` (of
    /// which the first 256 KiB is kept); a step the limits stop says which.
    static func runLimited(_ exe: String, _ args: [String], cwd: URL, log: URL, what: String) throws -> CommandResult {
        let script = "ulimit -v \(compileMemoryKiB) && ulimit -t \(compileCPUSeconds) && ulimit -f \(compileFileKiB) || exit 126; "
            + "exec timeout -k 5 \(compileWallSeconds) \"$0\" \"$@\" >\"$KHARNESS_LOG\" 2>&1"
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", script, exe] + args
        p.currentDirectoryURL = cwd
        var env = ProcessInfo.processInfo.environment
        env["KHARNESS_LOG"] = log.path
        p.environment = env
        p.standardInput = FileHandle.nullDevice
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        var out = ""
        if let h = FileHandle(forReadingAtPath: log.path) {
            out = String(decoding: h.readData(ofLength: 256 << 10), as: UTF8.self)
            try? h.close()
        }
        let st = p.terminationStatus
        var limit: String? = nil
        if st == 124 || st == 137 {
            limit = "ran past \(compileWallSeconds) s"
        } else if st == 152 {
            limit = "used more than \(compileCPUSeconds) s of CPU"
        } else if st == 153 || (st != 0 && out.contains("File too large")) {
            limit = "wrote a file larger than \(compileFileKiB >> 10) MiB"
        } else if st != 0 && (out.contains("out of memory") || out.contains("Cannot allocate memory")
                              || out.contains("bad_alloc") || ((st == 134 || st == 139) && out.isEmpty)) {
            limit = "ran out of its \(compileMemoryKiB >> 10) MiB of memory"
        }
        if let limit { out = "\(what): the compiler \(limit) (the compile limits stopped it)\n" + out }
        return CommandResult(status: st, output: out)
    }

    /// The cached build whose code identity is `codeID` (the id a schedule
    /// token carries), if one was built on this machine and is intact.
    public static func cached(codeID: String) -> (library: String, label: [String])? {
        let idx = cacheDirectory.appendingPathComponent("by-code-id/\(codeID)")
        guard let text = try? String(contentsOf: idx, encoding: .utf8) else { return nil }
        let lines = text.split(separator: "\n").map(String.init)
        guard let lib = lines.first, FileManager.default.fileExists(atPath: lib) else { return nil }
        let entry = URL(fileURLWithPath: lib).deletingLastPathComponent()
        if case .damaged(let why) = CacheEntry.verify(entry) {
            note("cached build \(entry.lastPathComponent.prefix(16)) (code \(codeID)) is damaged (\(why)); not used")
            CacheEntry.discard(entry)
            return nil
        }
        return (lib, Array(lines.dropFirst()))
    }

    /// Tell the user (stderr; stdout stays the report's).
    static func note(_ m: String) {
        Console.err("kharness: note: \(m)\n")
    }

    /// Remember which library has `api`'s code id (and what it was built
    /// from), so a token printed for it replays without naming its patches.
    static func index(_ codeID: String, library: String, label: [String]) {
        let fm = FileManager.default
        let dir = cacheDirectory.appendingPathComponent("by-code-id")
        guard (try? fm.createDirectory(at: dir, withIntermediateDirectories: true)) != nil else { return }
        Scratch.sweepOnce(dir)
        let text = ([library] + label).joined(separator: "\n") + "\n"
        let tmp = dir.appendingPathComponent(Scratch.name("index"))
        guard (try? Data(text.utf8).write(to: tmp)) != nil else { return }
        if rename(tmp.path, dir.appendingPathComponent(codeID).path) != 0 { try? fm.removeItem(at: tmp) }
    }

    static func compile(tree: URL, label: [String], tls: TLSModel, workDir: URL?,
                        instrument: Bool = false, patches: [Data] = [], scratchTree: Bool = false,
                        load: Bool = true) throws -> Variant {
        let v = try compileUnindexed(tree: tree, label: label, tls: tls, workDir: workDir, instrument: instrument,
                                     patches: patches, scratchTree: scratchTree, load: load)
        if v.codeID != KernelAPI.builtin.codeID { index(v.codeID, library: v.library, label: label) }
        return v
    }

    /// Load a build made with `load: false` (after the caller sandboxed
    /// itself) and make sure it is the code its sources hash to.
    public static func load(_ v: Variant) throws -> KernelAPI {
        if let a = v.loadedAPI { return a }
        let api = try KernelAPI.load(path: v.library)
        guard api.codeID == v.codeID else {
            throw HarnessError.untestable("the build reports code id \(api.codeID), but its sources hash to \(v.codeID)")
        }
        return api
    }

    /// Load a cached library and make sure it is the code its sources say
    /// (without `really`, only name it: whoever loads it checks the id).
    static func load(_ lib: URL, expecting id: String, label: [String], seconds: Double, notes: [String],
                     really: Bool = true) throws -> Variant {
        guard really else {
            return Variant(patches: label, library: lib.path, codeID: id, buildSeconds: seconds, notes: notes)
        }
        let api = try KernelAPI.load(path: lib.path)
        guard api.codeID == id else {
            throw HarnessError.untestable("the build reports code id \(api.codeID), but its sources hash to \(id): a patch changed how the code identity is computed (runtime/codeid.c)")
        }
        return Variant(patches: label, library: lib.path, api: api, buildSeconds: seconds, notes: notes)
    }

    static func compileUnindexed(tree given: URL, label: [String], tls: TLSModel, workDir: URL?,
                                 instrument: Bool, patches: [Data] = [], scratchTree: Bool = false,
                                 load doLoad: Bool = true) throws -> Variant {
        let fm = FileManager.default
        var notes: [String] = []
        let work = try Scratch.make("compile", in: workDir)
        defer { try? fm.removeItem(at: work) }
        // the identity list must name the tree's files (a patch may have
        // added some); the source tree is never written: a copy is
        // and the built-in scenarios header its scenario files (a patch
        // may add one)
        var tree = given
        let scenariosStale = !(try ScenarioFile.headerIsCurrent(in: tree))
        if try scenariosStale || !CodeIdentity.listIsCurrent(in: tree) {
            if !scratchTree {
                tree = work.appendingPathComponent("CKernelShim")
                try fm.copyItem(at: given, to: tree)
            }
            if scenariosStale { try ScenarioFile.updateHeader(in: tree) }
            try CodeIdentity.updateList(in: tree)
        }
        let expected = try CodeIdentity.id(of: tree)
        let key = try key(shim: tree, patchData: patches, tls: tls, instrument: instrument)
        let cache = cacheDirectory.appendingPathComponent(key)
        let lib = cache.appendingPathComponent(CacheEntry.library)
        if fm.fileExists(atPath: cache.path) {
            switch CacheEntry.verify(cache) {
            case .ok:
                return try load(lib, expecting: expected, label: label, seconds: 0, notes: notes, really: doLoad)
            case .damaged(let why):
                let m = "cached build \(key.prefix(16)) is damaged (\(why)); rebuilding it"
                note(m)
                notes.append(m)
                CacheEntry.discard(cache)
            }
        }
        let start = Date()
        // compile every file (both cores), then link
        let srcs = try sources(in: tree)
        let objs = srcs.map { work.appendingPathComponent($0.replacingOccurrences(of: "/", with: "_") + ".o").path }
        let results = UnsafeMutableBufferPointer<CommandResult?>.allocate(capacity: srcs.count)
        results.initialize(repeating: nil)
        defer { results.deallocate() }
        DispatchQueue.concurrentPerform(iterations: srcs.count) { i in
            let extra = instrument && srcs[i].hasPrefix("mm/") ? instrumentFlags : []
            results[i] = (try? runLimited(compiler, cflags + tls.flags + extra + ["-c", srcs[i], "-o", objs[i]], cwd: tree,
                                          log: URL(fileURLWithPath: objs[i] + ".log"), what: srcs[i]))
                ?? CommandResult(status: 127, output: "cannot run \(compiler)")
        }
        let failures = results.compactMap { $0 }.filter { $0.status != 0 }
        if !failures.isEmpty {
            throw HarnessError.untestable("the patched kernel code does not compile:\n" + failures.map(\.output).joined())
        }
        let out = work.appendingPathComponent(CacheEntry.library)
        let link = try runLimited(compiler, ldflags + ["-o", out.path] + objs, cwd: tree,
                                  log: work.appendingPathComponent("link.log"), what: "the link")
        if link.status != 0 {
            throw HarnessError.untestable("the patched kernel code does not link:\n\(link.output)")
        }
        try CacheEntry.install(out, at: cache)
        if case .damaged(let why) = CacheEntry.verify(cache) {
            throw HarnessError.untestable("the build just cached at \(cache.path) does not verify (\(why))")
        }
        return try load(lib, expecting: expected, label: label, seconds: Date().timeIntervalSince(start), notes: notes,
                        really: doLoad)
    }
}

/// One entry of the variant cache: a directory named by the key, holding
/// the library and its SHA-256.  Installed whole (written, fsynced, renamed
/// into place), verified before every first load in a process, and thrown
/// away when it does not match, so a truncated or damaged file (a full disk,
/// a killed copy) costs a rebuild instead of a crash at dlopen.
enum CacheEntry {
    static let library = "libkshim.so"
    static let digestFile = "libkshim.so.sha256"

    enum Check: Equatable { case ok, damaged(String) }

    private static let lock = NSLock()
    /// Entries already verified by this process, with the file's identity then.
    nonisolated(unsafe) private static var verified: [String: [Int]] = [:]

    static func fileIdentity(_ path: String) -> [Int]? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return [Int(st.st_dev), Int(st.st_ino), Int(st.st_size), Int(st.st_mtim.tv_sec), Int(st.st_mtim.tv_nsec)]
    }

    static func verify(_ entry: URL) -> Check {
        let lib = entry.appendingPathComponent(library).path
        guard let ident = fileIdentity(lib) else { return .damaged("no \(library)") }
        lock.lock()
        let known = verified[entry.path] == ident
        lock.unlock()
        if known { return .ok }
        guard let want = try? String(contentsOf: entry.appendingPathComponent(digestFile), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines), want.count == 64 else {
            return .damaged("no recorded SHA-256")
        }
        guard let data = FileManager.default.contents(atPath: lib) else { return .damaged("\(library) cannot be read") }
        let have = SHA256.hex(SHA256.hash(data))
        guard have == want else { return .damaged("\(library) has SHA-256 \(have.prefix(12))…, recorded \(want.prefix(12))…") }
        lock.lock()
        verified[entry.path] = ident
        lock.unlock()
        return .ok
    }

    /// Move a bad entry out of the way (atomically), then delete it.
    static func discard(_ entry: URL) {
        lock.lock()
        verified[entry.path] = nil
        lock.unlock()
        let aside = entry.deletingLastPathComponent().appendingPathComponent(Scratch.name("damaged"))
        if rename(entry.path, aside.path) == 0 { try? FileManager.default.removeItem(at: aside) }
    }

    static func fsync(_ path: String) {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return }
        _ = Glibc.fsync(fd)
        close(fd)
    }

    /// Put the library `built` into the cache as `entry`: staged beside it,
    /// fsynced with its digest, renamed into place.  A concurrent builder of
    /// the same key that got there first wins (its entry is verified on load).
    static func install(_ built: URL, at entry: URL) throws {
        let fm = FileManager.default
        let dir = entry.deletingLastPathComponent()
        try fm.createDirectory(at: dir, withIntermediateDirectories: true)
        Scratch.sweepOnce(dir)
        let staging = dir.appendingPathComponent(Scratch.name("stage"))
        try fm.createDirectory(at: staging, withIntermediateDirectories: true)
        defer { try? fm.removeItem(at: staging) }
        let lib = staging.appendingPathComponent(library)
        try fm.moveItem(at: built, to: lib)
        fsync(lib.path)
        guard let data = fm.contents(atPath: lib.path) else { throw HarnessError.untestable("cannot read back \(lib.path)") }
        let sum = staging.appendingPathComponent(digestFile)
        try Data((SHA256.hex(SHA256.hash(data)) + "\n").utf8).write(to: sum)
        fsync(sum.path)
        fsync(staging.path)
        if rename(staging.path, entry.path) == 0 { fsync(dir.path) }
    }
}
