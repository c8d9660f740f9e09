// SPDX-License-Identifier: GPL-2.0-only
//
// check-patch runs the patched code in a worker process: whatever the code
// does to its process ends at most the worker, and becomes a finding.
import Foundation
import Testing
@testable import KernelHarness

@Suite struct IsolationTests {
    /// A patch that puts `code` at the top of try_to_unmap_cluster()'s
    /// body (seed-reclaim-nonlinear runs it).
    static func hostile(_ code: String) throws -> [PatchText] {
        let shim = try ShimSource.locate()
        let rmap = try String(contentsOf: shim.appendingPathComponent("mm/rmap.c"), encoding: .utf8)
        let fn = try #require(CScanner.functions(in: rmap).first { $0.name == "try_to_unmap_cluster" })
        let anchor = "\tint locked_vma = 0;\n"
        let at = try #require(rmap.range(of: anchor, range: rmap.utf8.index(rmap.utf8.startIndex, offsetBy: fn.bodyStart)..<rmap.endIndex))
        let changed = rmap.replacingCharacters(in: at, with: anchor + "\n\t{ \(code) }\n")
        return try patchTexts(SyntheticKernel.diff("mm/rmap.c", rmap, changed), "hostile.patch")
    }

    /// A socket of `type` bound to 127.0.0.1 on a free port, and the port.
    static func loopbackSocket(_ type: Int32) throws -> (Int32, Int) {
        let fd = socket(AF_INET, type, 0)
        try #require(fd >= 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = UInt32(0x7f000001).bigEndian
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) }
        }
        try #require(bound == 0)
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        return (fd, Int(UInt16(bigEndian: addr.sin_port)))
    }

    /// A patch whose build creates `file` when it is loaded (a constructor).
    static func constructorPatch(creating file: URL) throws -> String {
        let shim = try ShimSource.locate()
        let rmap = try String(contentsOf: shim.appendingPathComponent("mm/rmap.c"), encoding: .utf8)
        let ctor = "\nextern int open(const char *, int, ...);\n"
            + "static void __attribute__((constructor)) kh_ctor(void) { open(\"\(file.path)\", 0101, 0644); }\n"
        return try SyntheticKernel.diff("mm/rmap.c", rmap, rmap + ctor)
    }

    static func check(_ code: String, hang: Double = 10, jobs: Int = 1, sandbox: Bool = true) throws -> PatchCheckReport {
        let bin = try #require(CLITests.binary, "kharness binary not built next to the tests")
        var o = PatchCheckOptions(scenarios: ["seed-reclaim-nonlinear", "reclaim-vs-munlock"], timePerScenario: 20, jobs: jobs)
        o.worker = bin
        o.hangSeconds = hang
        o.sandbox = sandbox
        var baseline: [String: ExplorationResult] = [:]
        return try PatchChecker.check(try hostile(code), options: o, shim: nil, log: nil, baseline: &baseline)
    }

    /// exit(0) in the patched code: the worker ends; the verdict is bad (it
    /// used to be "good" with no output), the next scenario still ran, and
    /// the death carries a token of the run it happened in.
    @Test func exitInPatchedCodeIsAFindingNotAGoodVerdict() throws {
        let r = try Self.check("extern void exit(int); exit(0);")
        #expect(r.verdict == .bad && r.exitCode == 1)
        let d = try #require(r.deaths.first)
        #expect(d.kind == "exit" && d.message.contains("exit(0)") && d.scenario == "seed-reclaim-nonlinear")
        #expect(d.token?.hasPrefix("ksim1:seed-reclaim-nonlinear:") == true)
        #expect(r.rows.map(\.scenario) == ["reclaim-vs-munlock"])
        #expect(PatchChecker.table(r).contains("exit(0)"))
    }

    /// A loop with no scheduling point: the worker's watchdog reports a hang
    /// with the token of the run, instead of check-patch running forever.
    @Test func loopWithoutSchedulingPointIsAHang() throws {
        let start = Date()
        let r = try Self.check("volatile int spin = 1; while (spin) ;", hang: 1)
        #expect(Date().timeIntervalSince(start) < 60)
        let d = try #require(r.deaths.first)
        #expect(d.kind == "hang" && d.message.contains("without reaching a scheduling point"))
        #expect(d.token?.hasPrefix("ksim1:seed-reclaim-nonlinear:") == true)
        #expect(r.verdict == .bad)
    }

    /// A signal the code raises, and what it prints: the worker dies of the
    /// signal, its output is kept apart from the report.
    @Test func raisedSignalAndPrintedTextStayInTheWorker() throws {
        let r = try Self.check("extern int printf(const char *, ...); extern int fflush(void *); extern int raise(int); printf(\"GARBAGE\\n\"); fflush(0); raise(15);")
        let d = try #require(r.deaths.first, "\(PatchChecker.table(r))")
        #expect(d.kind == "signal" && d.message.contains("signal 15"))
        #expect(d.output.contains("GARBAGE"))
        #expect(!PatchChecker.table(r).hasPrefix("GARBAGE"))
        #expect(r.verdict == .bad)
    }

    /// A stack overflow in a task run by a second exploration thread is a
    /// crash finding like on the first (each thread gets its alternate
    /// signal stack), not a dead worker.
    @Test func stackOverflowOnAnyThreadIsACrashFinding() throws {
        let r = try Self.check("volatile char big[1 << 24]; big[0] = 1; (void)big[0];", jobs: 2)
        #expect(r.deaths.isEmpty, "\(r.deaths)")
        let row = try #require(r.rows.first { $0.scenario == "seed-reclaim-nonlinear" })
        #expect(row.new.contains { $0.kind == "crash" })
        #expect(r.verdict == .bad)
    }

    /// A constructor in the patch runs when its build is loaded: check-patch
    /// never loads the patched build itself, and the sandboxed worker cannot
    /// write outside its scratch; in-process (no isolation) it does write.
    @Test func constructorOfThePatchRunsOnlyInTheSandbox() throws {
        let target = FileManager.default.temporaryDirectory.appendingPathComponent("kh-ctor-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: target) }
        let texts = try patchTexts(Self.constructorPatch(creating: target), "ctor.patch")
        let bin = try #require(CLITests.binary)
        var o = PatchCheckOptions(scenarios: ["toy-lost-update"], timePerScenario: 5, jobs: 1)
        o.worker = bin
        var baseline: [String: ExplorationResult] = [:]
        let r = try PatchChecker.check(texts, options: o, shim: nil, log: nil, baseline: &baseline)
        #expect(!r.rows.isEmpty && r.deaths.isEmpty, "\(r.error ?? "")")
        #expect(!FileManager.default.fileExists(atPath: target.path))
        o.worker = nil
        _ = try PatchChecker.check(texts, options: o, shim: nil, log: nil, baseline: &baseline)
        #expect(FileManager.default.fileExists(atPath: target.path))
    }

    /// `replay FILE` checks the code id the record's patches build to
    /// before it loads that build: a record whose id does not match is
    /// refused, and its patch's code never runs.
    @Test func replayFileChecksTheCodeIDBeforeLoading() throws {
        let target = FileManager.default.temporaryDirectory.appendingPathComponent("kh-replay-ctor-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: target) }
        let patch = try Self.constructorPatch(creating: target)
        let rec = FuzzRecord(format: FuzzRecord.currentFormat, kind: "input", input: nil, spec: "model toy\n",
                             token: "ksim1:toy-lost-update:0123456789ab:ab", codeID: "0123456789ab",
                             patches: [FuzzPatch(name: "ctor.patch", text: patch)], finding: nil, execs: 0, seconds: 0)
        #expect(throws: HarnessError.self) { _ = try rec.kernelAPI() }
        #expect(!FileManager.default.fileExists(atPath: target.path))
    }

    /// No network from the worker: the patched code's TCP connect to a
    /// listener of this test never arrives (in-process it would).
    @Test func sandboxedWorkerCannotConnect() throws {
        let (fd, port) = try Self.loopbackSocket(Int32(SOCK_STREAM.rawValue))
        defer { close(fd) }
        #expect(listen(fd, 4) == 0)
        let code = "extern int socket(int, int, int); extern int connect(int, const void *, unsigned); "
            + "unsigned char sa[16] = { 2, 0, \(port >> 8), \(port & 255), 127, 0, 0, 1 }; "
            + "int s = socket(2, 1, 0); if (s >= 0) connect(s, sa, 16);"
        let r = try Self.check(code)
        #expect(r.error == nil && r.deaths.isEmpty, "\(r.error ?? "") \(r.deaths)")
        _ = fcntl(fd, F_SETFL, O_NONBLOCK)
        let c = accept(fd, nil, nil)
        #expect(c < 0, "the patched code reached a listener on 127.0.0.1:\(port)")
        if c >= 0 { close(c) }
    }

    /// Printing and fork() of the patched code are contained and noted:
    /// the worker's report stays intact, its verdict stands, the notes say
    /// what the code did.
    @Test func printingAndForkingAreContainedNotes() throws {
        let r = try Self.check("extern int printf(const char *, ...); extern int fflush(void *); extern int fork(void); "
                               + "printf(\"GARBAGE\\n\"); fflush(0); fork();")
        #expect(r.deaths.isEmpty && r.error == nil, "\(r.deaths) \(r.error ?? "")")
        #expect(r.sideEffects.contains { $0.contains("printed") && $0.contains("GARBAGE") }, "\(r.sideEffects)")
        #expect(r.sideEffects.contains { $0.contains("called fork()") }, "\(r.sideEffects)")
        #expect(r.verdict == .good, "\(PatchChecker.table(r))")
        #expect(PatchChecker.table(r).hasPrefix("patch 1"))
    }

    /// A raw fork system call (no glibc fork handlers), whose copy leaves
    /// the process group and sleeps: the sandbox's seccomp filter refuses
    /// it; without the sandbox the worker kills the copies at its end.
    /// Nothing is left running.
    @Test func rawForkOfTheSandboxedWorkerIsRefused() throws {
        let name = InProcessGuardTests.strayName()
        _ = try Self.check(InProcessGuardTests.strayCode(name))
        #expect(InProcessGuardTests.processes(named: name).isEmpty)
        // without the sandbox the copies run, and end with their worker
        let open = InProcessGuardTests.strayName()
        let r = try Self.check(InProcessGuardTests.strayCode(open), sandbox: false)
        #expect(r.sideEffects.contains { $0.contains("left") && $0.contains("running") }, "\(r.sideEffects)")
        #expect(InProcessGuardTests.processes(named: open).isEmpty)
    }

    /// The sandbox: the patched code cannot create a file outside the
    /// worker's scratch directory.
    @Test func sandboxedWorkerCannotWriteOutsideItsScratch() throws {
        let target = FileManager.default.temporaryDirectory.appendingPathComponent("kh-escape-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: target) }
        let r = try Self.check("extern int open(const char *, int, ...); extern int close(int); int fd = open(\"\(target.path)\", 0101, 0644); if (fd >= 0) close(fd);")
        #expect(r.error == nil)
        #expect(!FileManager.default.fileExists(atPath: target.path))
    }
}

/// run, replay and fuzz with patches run them in their own process: there
/// an exit() of the code under test is a finding (exit status 1, with the
/// token of its run), not a silent "no finding", and a loop without a
/// scheduling point is a hang, not a command that never ends.
@Suite struct InProcessGuardTests {
    /// A process name (15 characters at most) unique to one test.
    static func strayName() -> String { "khs" + String(UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12)) }

    /// Code whose raw fork's copy names itself `name`, leaves the process
    /// group and sleeps.
    static func strayCode(_ name: String) -> String {
        "extern long syscall(long, ...); extern unsigned sleep(unsigned); extern int prctl(int, ...); extern int setsid(void); "
            + "if (syscall(57) == 0) { prctl(15, \"\(name)\"); setsid(); sleep(300); }"
    }

    /// Processes whose name is `name` (after killing them, so that a failed
    /// test leaves none behind).
    static func processes(named name: String) -> [Int32] {
        usleep(200_000)
        let pids = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap(Int32.init).filter {
            (try? String(contentsOfFile: "/proc/\($0)/comm", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) == name
        }
        for p in pids { kill(p, SIGKILL) }
        return pids
    }

    func run(_ code: String) throws -> (code: Int32, err: String, seconds: Double) {
        let r = try run(code, env: [:])
        return (r.code, r.err, r.seconds)
    }

    func run(_ code: String, env extra: [String: String], json: Bool = false)
        throws -> (code: Int32, out: String, err: String, seconds: Double) {
        let texts = try IsolationTests.hostile(code)
        let patch = FileManager.default.temporaryDirectory.appendingPathComponent("kh-guard-\(UUID().uuidString).patch")
        defer { try? FileManager.default.removeItem(at: patch) }
        try texts[0].text.write(to: patch, atomically: true, encoding: .utf8)
        let bin = try #require(CLITests.binary)
        let p = Process()
        p.executableURL = bin
        p.arguments = ["run", "seed-reclaim-nonlinear", "--patch", patch.path, "--jobs", "1"] + (json ? ["--json"] : [])
        var env = ProcessInfo.processInfo.environment
        env["KHARNESS_HANG_SECONDS"] = "1"
        env.merge(extra) { _, b in b }
        p.environment = env
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("kh-guard-\(UUID().uuidString).out")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: out) }
        let outHandle = try FileHandle(forWritingTo: out)
        let err = Pipe()
        p.standardOutput = outHandle
        p.standardError = err
        let start = Date()
        try p.run()
        let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        try outHandle.close()
        let stdout = try String(contentsOf: out, encoding: .utf8)
        return (p.terminationStatus, stdout, text, Date().timeIntervalSince(start))
    }

    /// What the code under test prints stays out of the command's stdout:
    /// the JSON object is intact, and stderr shows the text apart.
    @Test func printedTextStaysOutOfTheJSON() throws {
        let r = try run("extern int printf(const char *, ...); extern int fflush(void *); extern int write(int, const void *, unsigned long); "
                        + "printf(\"GARBAGE{\\n\"); fflush(0); write(1, \"RAW{\", 4); write(2, \"ERR{\", 4);", env: [:], json: true)
        #expect(r.code == 1, "\(r.err)")
        let obj = try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any]
        #expect(obj?["schedules"] != nil, "stdout is not the report: \(r.out.prefix(200))")
        #expect(!r.out.contains("GARBAGE") && !r.out.contains("RAW{"))
        #expect(r.err.contains("output of the code under test") && r.err.contains("GARBAGE{"), "\(r.err)")
    }

    /// fork() of the code under test: each copy ends before it returns, the
    /// report is intact and a note counts the calls.
    @Test func forkIsNotedAndItsCopyEnds() throws {
        let r = try run("extern int fork(void); fork();", env: [:], json: true)
        #expect(r.code == 1, "\(r.err)")
        #expect((try? JSONSerialization.jsonObject(with: Data(r.out.utf8))) != nil, "\(r.out.prefix(200))")
        #expect(r.err.contains("the code under test called fork()"), "\(r.err)")
    }

    /// A raw fork whose copy leaves the process group: with the sandbox the
    /// filter refuses it; without (KHARNESS_NO_SANDBOX=1) the command is
    /// the copy's subreaper and kills it at its end.  Either way nothing is
    /// left running.
    @Test func strayProcessesDoNotOutliveTheCommand() throws {
        let sandboxed = Self.strayName()
        let a = try run(Self.strayCode(sandboxed), env: [:])
        #expect(a.code == 1, "\(a.err)")
        #expect(Self.processes(named: sandboxed).isEmpty)
        let open = Self.strayName()
        let b = try run(Self.strayCode(open), env: ["KHARNESS_NO_SANDBOX": "1"])
        #expect(b.err.contains("left") && b.err.contains("running (killed)"), "\(b.err)")
        #expect(Self.processes(named: open).isEmpty)
    }

    /// No sockets once the patched code is loaded (seccomp): a UDP datagram
    /// to a socket of this test never arrives (Landlock alone stops TCP only).
    @Test func patchedCodeCannotSendUDP() throws {
        let (fd, port) = try IsolationTests.loopbackSocket(Int32(SOCK_DGRAM.rawValue))
        defer { close(fd) }
        let code = "extern int socket(int, int, int); extern long sendto(int, const void *, unsigned long, int, const void *, unsigned); "
            + "unsigned char sa[16] = { 2, 0, \(port >> 8), \(port & 255), 127, 0, 0, 1 }; "
            + "int s = socket(2, 2, 0); if (s >= 0) sendto(s, \"x\", 1, 0, sa, 16);"
        let r = try run(code, env: [:])
        #expect(r.code == 1, "\(r.err)")
        _ = fcntl(fd, F_SETFL, O_NONBLOCK)
        var byte: UInt8 = 0
        #expect(recv(fd, &byte, 1, 0) < 0, "the patched code sent a datagram to 127.0.0.1:\(port)")
    }

    @Test func exitOfTheCodeUnderTestIsAFinding() throws {
        let r = try run("extern void exit(int); exit(0);")
        #expect(r.code == 1, "\(r.err)")
        #expect(r.err.contains("the code under test called exit(0) during a run"), "\(r.err)")
        #expect(r.err.contains("the run it was in: kharness replay ksim1:seed-reclaim-nonlinear:"), "\(r.err)")
    }

    /// The command runs the patched code in a child process: an _exit()
    /// or a signal that ends it is reported by the process the user
    /// started, with exit status 1.
    @Test func underscoreExitAndSignalsAreReportedByTheParent() throws {
        let quiet = try run("extern void _exit(int); _exit(0);")
        #expect(quiet.code == 1 && quiet.err.contains("the code under test ended the process with _exit(0)"), "\(quiet.err)")
        let killed = try run("extern int raise(int); raise(9);")
        #expect(killed.code == 1 && killed.err.contains("the code under test killed the process with signal 9"), "\(killed.err)")
    }

    /// Loaded under Landlock: the patch's code cannot create a file outside
    /// the command's outputs (run has none here).
    @Test func patchedCodeCannotWriteOutsideTheOutputs() throws {
        let target = FileManager.default.temporaryDirectory.appendingPathComponent("kh-inproc-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: target) }
        let r = try run("extern int open(const char *, int, ...); open(\"\(target.path)\", 0101, 0644);")
        #expect(r.code == 0 || r.code == 1, "\(r.err)")
        #expect(!FileManager.default.fileExists(atPath: target.path))
    }

    @Test func loopWithoutSchedulingPointIsAHang() throws {
        let r = try run("volatile int spin = 1; while (spin) ;")
        #expect(r.code == 1, "\(r.err)")
        #expect(r.err.contains("hang: a task of the patched code ran 1 s without reaching a scheduling point"), "\(r.err)")
        #expect(r.seconds < 60)
    }
}

/// Compiling a patch is bounded too: a build that would take gigabytes is
/// stopped by the compile limits (here 1 GiB of memory; by default 4 GiB,
/// 300 s CPU, 600 s, files of 256 MiB) and is a clear "cannot test", exit
/// 125, with no crash reproducer left behind.  (A macro bomb that doubles
/// forty times stops clang itself: it runs out of source locations.)
@Suite struct CompileLimitTests {
    @Test func hugeBuildIsStoppedByTheCompileLimits() throws {
        let shim = try ShimSource.locate()
        let rmap = try String(contentsOf: shim.appendingPathComponent("mm/rmap.c"), encoding: .utf8)
        // a 1 GiB initialised array: the object file alone passes the limits
        let bomb = "\nchar kh_bomb[1 << 30] = { 1 };\n"
        let patch = FileManager.default.temporaryDirectory.appendingPathComponent("kh-bomb-\(UUID().uuidString).patch")
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("kh-bomb-tmp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
        defer {
            try? FileManager.default.removeItem(at: patch)
            try? FileManager.default.removeItem(at: tmp)
        }
        try SyntheticKernel.diff("mm/rmap.c", rmap, rmap + bomb).write(to: patch, atomically: true, encoding: .utf8)
        let bin = try #require(CLITests.binary)
        let p = Process()
        p.executableURL = bin
        p.arguments = ["check-patch", patch.path, "--scenarios", "toy-lost-update", "--fuzz-time", "0"]
        var env = ProcessInfo.processInfo.environment
        env["KHARNESS_COMPILE_LIMITS"] = "\(1 << 20):60:120"
        env["TMPDIR"] = tmp.path
        env["KHARNESS_CACHE"] = tmp.appendingPathComponent("cache").path
        p.environment = env
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        let start = Date()
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 125, "\(text)")
        #expect(text.contains("the compile limits stopped it"), "\(text)")
        #expect(Date().timeIntervalSince(start) < 150)
        // nothing but the (swept) cache is left in its TMPDIR
        let left = try FileManager.default.contentsOfDirectory(atPath: tmp.path).filter { $0 != "cache" }
        #expect(left.isEmpty, "\(left)")
    }
}
