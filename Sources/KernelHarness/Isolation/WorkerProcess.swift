// SPDX-License-Identifier: GPL-2.0-only
//
// check-patch's worker process: the parent never loads the patched build.
// It starts `kharness worker REQUEST EVENTS` (in new user and network
// namespaces when the machine allows), which loads the build, sandboxes
// itself (Landlock: writes only beneath its scratch and the findings
// directory, no TCP), runs the patched side and appends one JSON event per
// finished piece to EVENTS.  Whatever the code under test does — crash,
// exit(), a signal, a loop without a scheduling point, printing, forking —
// ends at most the worker: the parent reads the events written so far,
// turns the death into a finding of the piece it happened in, and starts
// a new worker for the scenarios left.
import Foundation
import CWorkerSupport

/// How the code under test ended or hung a worker.
public struct WorkerDeath: Codable, Sendable, Hashable {
    /// "hang", "exit", "signal"
    public var kind: String
    public var message: String
    /// Replays the run it happened in, when the worker could tell.
    public var token: String?
    /// The scenario it happened in; nil for the generated phase.
    public var scenario: String?
    /// The worker's last lines of output (the code under test may print).
    public var output: String

    /// As a failing finding of the scenario's row.
    var finding: FoundFinding {
        FoundFinding(kind: kind == "hang" ? "hang" : "worker-death", message: message, file: "worker", line: 0,
                     function: "?", task: -1, taskName: "?", tolerated: false, failing: true,
                     token: token ?? "", count: 1, unit: 0, ordinal: 0)
    }
}

/// The patched side's answer, put together from its events.
public struct PatchedSideResult: Sendable {
    public var codeID: String?
    public var blocks: [UInt64] = []
    public var after: [String: ExplorationResult] = [:]
    public var replayFiles: [String: [String: String]] = [:]
    /// Per scenario, the new findings' pictures (by identity).
    public var pictures: [String: [String: FindingPicture]] = [:]
    public var generated: GeneratedPhase?
    public var deaths: [WorkerDeath] = []
    public var failure: String?
    /// fork() calls of the code under test (each copy was ended at once).
    public var forks = 0
    /// Processes it started and left running (killed when the worker ended).
    public var strays = 0
    /// The patched build's lock-set audit (check-patch --audit).
    public var audit: AuditReport?
    /// What the code under test printed, per worker that printed.
    public var output: [String] = []
    /// kharness's own notes from the workers (no sandbox, …).
    public var notes: [String] = []
    /// The piece in progress: a scenario, "" for the generated phase.
    var current: String?

    mutating func take(_ e: PatchedSideEvent) {
        switch e {
        case .build(let id, let b):
            codeID = id
            if !b.isEmpty { blocks = b }
        case .start(let s): current = s
        case .scenario(let w, let files, let pics):
            if let r = try? w.result() {
                after[r.scenario] = r
                replayFiles[r.scenario] = files
                pictures[r.scenario] = pics
            }
            current = nil
        case .generatedStart: current = ""
        case .generated(let g):
            generated = g
            current = nil
        case .death(let kind, let message, let token, let scenario):
            deaths.append(WorkerDeath(kind: kind, message: message, token: token, scenario: scenario, output: ""))
        case .failure(let m): failure = m
        case .forks(let n): forks += n
        case .strays(let n): strays += n
        case .audit(let r): audit = r
        }
    }
}

public enum WorkerProcess {
    /// Run the patched side in worker processes; a dead worker's piece
    /// becomes a death and the rest goes on in a new one.
    public static func patchedSide(_ q: PatchedSideRequest, executable: URL, sandbox: Bool,
                                   log: ((String) -> Void)?) throws -> PatchedSideResult {
        var result = PatchedSideResult()
        var left = q
        for attempt in 0...(q.scenarios.count + 1) {
            let dir = URL(fileURLWithPath: q.scratch).appendingPathComponent("worker-\(attempt)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            left.scratch = dir.path
            let reqURL = dir.appendingPathComponent("request.json")
            let events = dir.appendingPathComponent("events.jsonl")
            let out = dir.appendingPathComponent("output.txt")
            try JSONEncoder().encode(left).write(to: reqURL)
            _ = FileManager.default.createFile(atPath: events.path, contents: nil)
            // a deadline far past any budget: the worker's own watchdog
            // reports hangs with a token long before
            let budget = Double(left.scenarios.count) * (left.time * 3 + 20) + left.fuzzTime * 4 + 60 + left.hangSeconds
            let logURL = dir.appendingPathComponent("log.txt")
            let status = try spawnAndWait(executable, ["worker", reqURL.path, events.path], output: out, log: logURL,
                                          sandbox: sandbox, seconds: budget)
            for line in ((try? String(contentsOf: logURL, encoding: .utf8)) ?? "").split(separator: "\n")
            where !result.notes.contains(String(line)) {
                result.notes.append(String(line))
                log?("  " + line)
            }
            if let printed = printedText(out) { result.output.append(printed) }
            var piece = PatchedSideResult()
            for line in ((try? String(contentsOf: events, encoding: .utf8)) ?? "").split(separator: "\n") {
                guard let e = try? JSONDecoder().decode(PatchedSideEvent.self, from: Data(line.utf8)) else { continue }
                piece.take(e)
            }
            result.codeID = result.codeID ?? piece.codeID
            if !piece.blocks.isEmpty { result.blocks = piece.blocks }
            result.after.merge(piece.after) { a, _ in a }
            result.replayFiles.merge(piece.replayFiles) { a, _ in a }
            result.pictures.merge(piece.pictures) { a, _ in a }
            if let g = piece.generated { result.generated = g }
            result.forks += piece.forks
            if let a = piece.audit { result.audit = a }
            result.strays += piece.strays
            if let f = piece.failure { result.failure = f; return result }
            let tail = outputTail(out)
            if status.clean && piece.deaths.isEmpty {
                if piece.codeID == nil {
                    result.failure = "the worker process ended without an answer" + (tail.isEmpty ? "" : ":\n" + tail)
                }
                return result
            }
            // the code under test ended the worker: in the piece it was in
            var death = piece.deaths.first ?? WorkerDeath(kind: status.kind, message: status.message, token: nil,
                                                          scenario: nil, output: "")
            let inPiece = piece.current ?? (piece.codeID == nil ? nil : "")
            death.scenario = (inPiece?.isEmpty ?? true) ? nil : inPiece
            death.output = tail
            if piece.deaths.isEmpty && status.kind == "exit" && status.code == 0 {
                death.message = "the patched code ended the worker with exit(0) (it would have passed for good)"
            }
            result.deaths.append(death)
            log?("  worker: \(death.message)" + (death.scenario.map { " in \($0)" } ?? ""))
            guard let at = inPiece else {
                // it died before it could load the build
                result.failure = "the worker could not load the patched build: \(death.message)"
                    + (tail.isEmpty ? "" : "\n" + tail)
                return result
            }
            if at.isEmpty { return result }   // in the generated phase: nothing after it
            // the scenarios after the one it died in, in a new worker
            let done = Set(result.after.keys).union([at])
            left.scenarios = left.scenarios.filter { !done.contains($0) }
            if left.scenarios.isEmpty && left.fuzzTime == 0 { return result }
        }
        return result
    }

    struct Status {
        var clean: Bool
        var kind: String
        var message: String
        var code: Int32
    }

    /// Whether `unshare -Urn` works here (user and network namespaces).
    static let namespaces: Bool = {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/unshare") else { return false }
        return (try? runCommand("/usr/bin/unshare", ["-Urn", "true"]))?.status == 0
    }()

    /// Start the worker in its own process group (so that processes it
    /// forks go with it), output to `output`, and wait at most `seconds`.
    static func spawnAndWait(_ exe: URL, _ args: [String], output: URL, log: URL, sandbox: Bool,
                             seconds: Double) throws -> Status {
        var argv = [exe.path] + args
        if sandbox && namespaces { argv = ["/usr/bin/unshare", "-Urn", "--"] + argv }
        let fd = open(output.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw HarnessError.untestable("cannot write \(output.path)") }
        defer { close(fd) }
        var fa = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&fa)
        defer { posix_spawn_file_actions_destroy(&fa) }
        posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&fa, fd, 1)
        posix_spawn_file_actions_adddup2(&fa, fd, 2)
        // kharness's own notes apart from what the code under test prints
        let logFD = open(log.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        defer { if logFD >= 0 { close(logFD) } }
        if logFD >= 0 {
            posix_spawn_file_actions_adddup2(&fa, logFD, 4)
            posix_spawn_file_actions_adddup2(&fa, logFD, 5)
        }
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        // its own group, default signal handling and no blocked signals
        // (whatever the caller inherited)
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        posix_spawnattr_setpgroup(&attr, 0)
        var none = sigset_t(), all = sigset_t()
        sigemptyset(&none)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attr, &none)
        posix_spawnattr_setsigdefault(&attr, &all)
        var env = ProcessInfo.processInfo.environment
        if sandbox { env["KHARNESS_SANDBOX"] = "1" } else { env.removeValue(forKey: "KHARNESS_SANDBOX") }
        env["KHARNESS_CONSOLE_OUT"] = "4"
        env["KHARNESS_CONSOLE_ERR"] = "5"
        let envp = env.map { "\($0.key)=\($0.value)" }
        var pid: pid_t = 0
        let rc = withCStrings(argv) { cargv in
            withCStrings(envp) { cenv in posix_spawn(&pid, argv[0], &fa, &attr, cargv, cenv) }
        }
        guard rc == 0 else {
            throw HarnessError.untestable("cannot start the worker \(argv[0]): \(String(cString: strerror(rc)))")
        }
        let deadline = Date().addingTimeInterval(seconds)
        var st: Int32 = 0
        var timedOut = false
        while true {
            let r = waitpid(pid, &st, WNOHANG)
            if r == pid { break }
            if r < 0 && errno != EINTR { break }
            if Date() > deadline {
                timedOut = true
                kill(-pid, SIGKILL)
                _ = waitpid(pid, &st, 0)
                break
            }
            usleep(5000)
        }
        // whatever it forked goes too
        kill(-pid, SIGKILL)
        if timedOut {
            return Status(clean: false, kind: "hang",
                          message: "the worker did not finish within \(Int(seconds)) s (killed)", code: -1)
        }
        let exited = st & 0x7f == 0
        if exited {
            let code = (st >> 8) & 0xff
            return Status(clean: code == 0, kind: "exit", message: "the patched code ended the worker with exit(\(code))",
                          code: code)
        }
        let sig = st & 0x7f
        return Status(clean: false, kind: "signal", message: "the worker was killed by signal \(sig) (\(String(cString: strsignal(sig))))",
                      code: sig)
    }

    /// The start of what a worker's descriptors 1 and 2 got, nil for nothing.
    static func printedText(_ url: URL) -> String? {
        guard let d = try? Data(contentsOf: url), !d.isEmpty else { return nil }
        let lines = String(decoding: d.prefix(2000), as: UTF8.self).split(separator: "\n").prefix(6)
        return "\(d.count) bytes: " + lines.joined(separator: " | ")
    }

    static func outputTail(_ url: URL) -> String {
        guard let d = try? Data(contentsOf: url), !d.isEmpty else { return "" }
        let text = String(decoding: d.suffix(2000), as: UTF8.self)
        return text.split(separator: "\n").suffix(8).joined(separator: "\n")
    }

    static func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
        var ptrs: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
        ptrs.append(nil)
        defer { for p in ptrs { free(p) } }
        return ptrs.withUnsafeBufferPointer { body($0.baseAddress!) }
    }
}

/// The worker's side: `kharness worker REQUEST EVENTS`.
public enum WorkerMain {
    /// Load, sandbox, watch, run; the exit code is 0 when the patched side
    /// ran to its end (its findings are in EVENTS).
    public static func run(request: String, events: String) -> Int32 {
        guard let data = FileManager.default.contents(atPath: request),
              let q = try? JSONDecoder().decode(PatchedSideRequest.self, from: data) else {
            Console.err("kharness worker: cannot read the request \(request)\n")
            return 2
        }
        let fd = open(events, O_WRONLY | O_APPEND | O_CLOEXEC)
        guard fd >= 0 else { return 2 }
        let sink = EventSink(fd: fd)
        WorkerMain.sink = sink
        // orphans of what the code under test starts come back to the worker
        _ = kh_subreaper()
        kh_death_hooks { what, status in
            WorkerMain.died(what: what.map { String(cString: $0) } ?? "?", status: status)
        }
        // sandbox before the patched code is loaded (its constructors run then)
        if ProcessInfo.processInfo.environment["KHARNESS_SANDBOX"] == "1" {
            var writable = [q.scratch]
            if let f = q.findingsDirectory {
                try? FileManager.default.createDirectory(atPath: f, withIntermediateDirectories: true)
                writable.append(f)
            }
            let rc = WorkerProcess.withCStrings(writable) { p in
                p.withMemoryRebound(to: UnsafePointer<CChar>?.self, capacity: writable.count) {
                    kh_landlock($0, Int32(writable.count), 1)
                }
            }
            if rc < 0 { Console.err("kharness worker: no Landlock sandbox (\(String(cString: strerror(-rc))))\n") }
            let c = kh_contain()
            if c < 0 { Console.err("kharness worker: no seccomp filter (\(String(cString: strerror(-c))))\n") }
        }
        kh_fork_guard()
        let patched: KernelAPI, base: KernelAPI
        do {
            patched = try KernelAPI.load(path: q.library)
            base = try q.baseLibrary.map { try KernelAPI.load(path: $0) } ?? .builtin
        } catch {
            sink.emit(.failure("\(error)"))
            kh_death_hooks_disarm()
            return 0
        }
        let watch = Watchdog(seconds: q.hangSeconds) { w, message in
            sink.emit(.death(kind: "hang", message: message, token: w.token, scenario: WorkerMain.watchdog?.piece))
            kh_death_hooks_disarm()
            _exit(3)
        }
        WorkerMain.watchdog = watch
        watch.start()
        PatchedSide.run(q, patched: patched, base: base, observe: { watch.add($0) }) { e in
            switch e {
            case .start(let s): watch.piece = s
            case .generatedStart: watch.piece = nil
            default: break
            }
            sink.emit(e)
        }
        if kh_fork_count() > 0 { sink.emit(.forks(Int(kh_fork_count()))) }
        // processes the code under test started (with a raw system call,
        // past the fork guard) and left running end with the worker
        let strays = ChildProcess.killStrays()
        if strays > 0 { sink.emit(.strays(strays)) }
        kh_death_hooks_disarm()
        return 0
    }

    nonisolated(unsafe) static var sink: EventSink?
    nonisolated(unsafe) static var watchdog: Watchdog?

    /// exit() or a fatal signal from the code under test.
    static func died(what: String, status: Int32) {
        let running = watchdog?.running() ?? []
        let kind = what == "exit" ? "exit" : "signal"
        let message = what == "exit"
            ? "the patched code ended the worker with exit(\(status))" + (status == 0 ? " (it would have passed for good)" : "")
            : "the worker was killed by signal \(status) (\(String(cString: strsignal(status))))"
        sink?.emit(.death(kind: kind, message: message, token: running.first, scenario: watchdog?.piece))
    }
}

/// Appends events to the worker's event file, one line each.
final class EventSink: @unchecked Sendable {
    let fd: Int32
    let lock = NSLock()
    init(fd: Int32) { self.fd = fd }

    func emit(_ e: PatchedSideEvent) {
        guard var d = try? JSONEncoder().encode(e) else { return }
        d.append(0x0A)
        lock.withLock {
            d.withUnsafeBytes { b in
                var off = 0
                while off < b.count {
                    let n = write(fd, b.baseAddress! + off, b.count - off)
                    if n <= 0 { break }
                    off += n
                }
            }
        }
    }
}

/// Watches the worker's worlds: a task that stays running while its world
/// makes no step for `seconds` is in a loop without a scheduling point.
final class Watchdog: @unchecked Sendable {
    let seconds: Double
    /// Called (on the watchdog's thread) with the hung world; ends the process.
    let onHang: (World, String) -> Never
    let lock = NSLock()
    final class Weak { weak var world: World?; init(_ w: World) { world = w } }
    var boxes: [Weak] = []
    var worlds: [World] { boxes.compactMap(\.world) }
    private var _piece: String?
    var piece: String? {
        get { lock.withLock { _piece } }
        set { lock.withLock { _piece = newValue } }
    }

    init(seconds: Double, onHang: @escaping (World, String) -> Never) {
        self.seconds = seconds
        self.onHang = onHang
    }

    static func hangMessage(_ seconds: Double) -> String {
        "a task of the patched code ran \(Int(seconds)) s without reaching a scheduling point (a loop with no lock, page-flag or atomic operation?)"
    }

    func add(_ w: World) {
        lock.withLock {
            boxes.removeAll { $0.world == nil }
            boxes.append(Weak(w))
        }
    }

    /// Tokens of the runs in progress (a task is running in them).
    func running() -> [String] {
        lock.withLock { worlds }.filter { $0.runningTask >= 0 }.map(\.token)
    }

    func start() {
        let t = Thread { [self] in
            var seen: [ObjectIdentifier: (steps: UInt64, since: Date)] = [:]
            while true {
                usleep(200_000)
                let ws = lock.withLock { worlds }
                for w in ws {
                    let id = ObjectIdentifier(w)
                    guard w.runningTask >= 0 else { seen[id] = nil; continue }
                    let steps = w.stats.totalSteps
                    if let s = seen[id], s.steps == steps {
                        if Date().timeIntervalSince(s.since) >= seconds {
                            onHang(w, Watchdog.hangMessage(seconds))
                        }
                    } else {
                        seen[id] = (steps, Date())
                    }
                }
            }
        }
        t.start()
    }
}

extension World {
    /// The task running kernel code right now, or -1 (see ksim_running_task).
    var runningTask: Int { Int(api.table.pointee.running_task?(w) ?? -1) }
}

/// For the commands that run patched code in their own process (run,
/// replay and fuzz with patches, replay FILE): a watchdog for loops without
/// a scheduling point, and hooks that turn an exit() or a fatal signal of
/// the code under test into a report and exit status 1 (a finding) instead
/// of a silent end.  The command disarms them before it ends normally.
public enum InProcessGuard {
    nonisolated(unsafe) static var watchdog: Watchdog?

    /// Arm the hooks and start the watchdog; returns the observer to hand
    /// to the explorer or fuzzer (or to call with each world made).
    public static func arm(hangSeconds given: Double? = nil) -> @Sendable (World) -> Void {
        if let w = watchdog { return { w.add($0) } }
        let env = ProcessInfo.processInfo.environment["KHARNESS_HANG_SECONDS"].flatMap(Double.init)
        let hangSeconds = given ?? env.flatMap { $0 >= 0.5 && $0 <= 3600 ? $0 : nil } ?? 10
        let w = Watchdog(seconds: hangSeconds) { world, message in
            report("hang: \(message)", token: world.token)
            kh_death_hooks_disarm()
            ChildProcess.tellParent("2")
            _exit(1)
        }
        watchdog = w
        kh_death_hooks { what, status in
            let kind = what.map { String(cString: $0) } ?? "?"
            let running = InProcessGuard.watchdog?.running() ?? []
            if kind == "exit" {
                InProcessGuard.report("the code under test called exit(\(status)) during a run", token: running.first)
                ChildProcess.tellParent("2")
                _exit(1)
            }
            InProcessGuard.report("the code under test was killed by signal \(status) (\(String(cString: strsignal(status))))",
                                  token: running.first)
        }
        w.start()
        return { w.add($0) }
    }

    /// The command is ending on its own (tells a parent that it did).
    public static func disarm() {
        kh_death_hooks_disarm()
        let forks = kh_fork_count()
        if forks > 0 {
            Console.err("kharness: note: the code under test called fork() \(forks) time\(forks == 1 ? "" : "s") (no copy went on: refused by the sandbox, or ended at once)\n")
        }
        ChildProcess.tellParent("1")
    }

    nonisolated(unsafe) static var sandboxed = false

    /// Before patched code is loaded into this process: restrict it with
    /// Landlock (the calling thread and every thread it starts from now on)
    /// to writing beneath `writable` (the command's output paths) and to no
    /// TCP.  Says on stderr when the machine has no Landlock or
    /// KHARNESS_NO_SANDBOX=1 turns it off.  Once per process.
    public static func sandbox(writable: [String]) {
        guard !sandboxed else { return }
        // the rest of the command, patched code and all, runs in a child
        // process (this process only waits for it)
        ChildProcess.runInChild()
        sandboxed = true
        kh_fork_guard()
        if ProcessInfo.processInfo.environment["KHARNESS_NO_SANDBOX"] == "1" { return }
        let dirs = writable.filter { FileManager.default.fileExists(atPath: $0) }
        let rc = WorkerProcess.withCStrings(dirs) { p in
            p.withMemoryRebound(to: UnsafePointer<CChar>?.self, capacity: max(1, dirs.count)) {
                kh_landlock($0, Int32(dirs.count), 1)
            }
        }
        if rc < 0 {
            Console.err("kharness: note: no sandbox for the patches' code (Landlock: \(String(cString: strerror(-rc))))\n")
        }
        let c = kh_contain()
        if c < 0 {
            Console.err("kharness: note: the patches' code may start processes and open sockets (seccomp: \(String(cString: strerror(-c))))\n")
        }
    }

    /// The directory a command's output file goes to.
    public static func directory(of file: String?) -> [String] {
        guard let file else { return [] }
        let d = (file as NSString).deletingLastPathComponent
        return [d.isEmpty ? FileManager.default.currentDirectoryPath : d]
    }

    static func report(_ m: String, token: String?) {
        var s = "kharness: \(m)\n"
        if let token { s += "kharness: the run it was in: kharness replay \(token)\n" }
        Console.err(s)
    }
}

/// run, replay and fuzz with patches re-run themselves in a child process
/// at the point where they would load patched code: the process the user
/// started never loads it.  The child (same arguments) builds from the cache,
/// sandboxes itself and runs; the parent ends with its status, and when
/// the child ends without saying it finished (a signal, an _exit() of the
/// code under test) the parent says so and ends with 1 (a finding).
public enum ChildProcess {
    static let env = ProcessInfo.processInfo.environment
    /// This process is such a child.
    public static var isChild: Bool { env["KHARNESS_CHILD"] == "1" }

    /// Write the child's last word to its parent: "1" finished, "2" the
    /// guard reported a finding and exits 1.
    static func tellParent(_ what: String) {
        guard isChild, let fd = env["KHARNESS_CHILD_FD"].flatMap(Int32.init) else { return }
        what.withCString { _ = write(fd, $0, 1) }
        close(fd)
    }

    /// In the parent: start the child, wait, and end.  Returns in the child,
    /// and where KHARNESS_IN_PROCESS=1 keeps everything in one process.
    ///
    /// The child gets this process's stdout and stderr as descriptors 4
    /// and 5 (Console writes kharness's own output there) and a capture
    /// file as 1 and 2: what the code under test prints is shown apart,
    /// after the child ends.  This process becomes a subreaper, so that a
    /// process the code under test starts (where the seccomp filter is not
    /// available) is killed when the child ends.
    public static func runInChild() {
        guard !isChild, env["KHARNESS_IN_PROCESS"] != "1" else { return }
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { return }
        _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
        let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
        // no network namespace here: the child still runs processes (patch,
        // the compiler on a cache miss) through Foundation, whose run loop
        // needs the loopback device; the seccomp filter refuses sockets
        // once the patched code is loaded
        let argv = [exe] + CommandLine.arguments.dropFirst()
        let capture = captureFile()
        var e = env
        e["KHARNESS_CHILD"] = "1"
        e["KHARNESS_CHILD_FD"] = "3"
        if capture >= 0 {
            e["KHARNESS_CONSOLE_OUT"] = "4"
            e["KHARNESS_CONSOLE_ERR"] = "5"
        }
        let envp = e.map { "\($0.key)=\($0.value)" }
        // high descriptors first, so that the dup2s below cannot clobber
        // one another
        let word = fcntl(fds[1], F_DUPFD_CLOEXEC, 100)
        close(fds[1])
        let out = fcntl(1, F_DUPFD_CLOEXEC, 100), err = fcntl(2, F_DUPFD_CLOEXEC, 100)
        var fa = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&fa)
        defer { posix_spawn_file_actions_destroy(&fa) }
        posix_spawn_file_actions_adddup2(&fa, word, 3)
        if capture >= 0 {
            posix_spawn_file_actions_adddup2(&fa, out, 4)
            posix_spawn_file_actions_adddup2(&fa, err, 5)
            posix_spawn_file_actions_adddup2(&fa, capture, 1)
            posix_spawn_file_actions_adddup2(&fa, capture, 2)
        }
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        // default signal handling and no blocked signals, whatever this
        // process inherited (an ignored SIGCHLD would hang its waits)
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var none = sigset_t(), all = sigset_t()
        sigemptyset(&none)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attr, &none)
        posix_spawnattr_setsigdefault(&attr, &all)
        _ = kh_subreaper()
        var pid: pid_t = 0
        let rc = WorkerProcess.withCStrings(argv) { a in
            WorkerProcess.withCStrings(envp) { en in posix_spawn(&pid, argv[0], &fa, &attr, a, en) }
        }
        for fd in [word, out, err] { close(fd) }
        guard rc == 0 else {
            close(fds[0])
            Console.err("kharness: cannot start the child process: \(String(cString: strerror(rc)))\n")
            exit(2)
        }
        // ^C reaches the child (same process group); this one waits for it
        signal(SIGINT, SIG_IGN)
        signal(SIGTERM, SIG_IGN)
        var st: Int32 = 0
        while waitpid(pid, &st, 0) < 0 && errno == EINTR {}
        var said: UInt8 = 0
        let got = read(fds[0], &said, 1)
        close(fds[0])
        let strays = killStrays()
        // this process's own end is not the code under test's
        kh_death_hooks_disarm()
        if capture >= 0 { showCaptured(capture) }
        if strays > 0 {
            Console.err("kharness: the code under test left \(strays) process\(strays == 1 ? "" : "es") running (killed)\n")
        }
        let exited = st & 0x7f == 0
        let code = (st >> 8) & 0xff
        if got == 1 && exited { exit(code) }
        let how = exited ? "ended the process with _exit(\(code))"
            : "killed the process with signal \(st & 0x7f) (\(String(cString: strsignal(st & 0x7f))))"
        Console.err("kharness: the code under test \(how)\n")
        exit(1)
    }

    /// An unlinked file for the child's stdout and stderr (nothing is left
    /// behind however the child ends); -1 when none can be made.
    static func captureFile() -> Int32 {
        let fd = kh_capture_file(FileManager.default.temporaryDirectory.path)
        guard fd >= 0 else { return -1 }
        let high = fcntl(fd, F_DUPFD_CLOEXEC, 100)
        close(fd)
        return high
    }

    /// What the child's descriptors 1 and 2 got, shown apart from the report.
    static func showCaptured(_ fd: Int32) {
        let size = lseek(fd, 0, SEEK_END)
        guard size > 0 else { close(fd); return }
        var head = [UInt8](repeating: 0, count: Int(min(size, 4096)))
        let n = pread(fd, &head, head.count, 0)
        close(fd)
        let text = String(decoding: head.prefix(max(0, n)), as: UTF8.self)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).prefix(10).map { "  | " + $0 }
        if lines.last == "  | " { lines.removeLast() }
        Console.err("kharness: output of the code under test (\(size) bytes on its stdout/stderr, kept out of the report):\n"
                    + lines.joined(separator: "\n") + "\n")
    }

    /// Kill and reap every process left that this one inherited as a
    /// subreaper (started by the code under test and orphaned); how many.
    static func killStrays() -> Int {
        var killed = Set<Int32>()
        for _ in 0..<50 {
            // the ended ones (a fork's copy the guard ended) first
            var st: Int32 = 0
            while waitpid(-1, &st, WNOHANG) > 0 {}
            let pids = children()
            if pids.isEmpty { break }
            for p in pids where !killed.contains(p) {
                kill(p, SIGKILL)
                killed.insert(p)
            }
            usleep(2000)
        }
        var st: Int32 = 0
        while waitpid(-1, &st, WNOHANG) > 0 {}
        return killed.count
    }

    /// This process's children, from /proc (every thread's list).
    static func children() -> [Int32] {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
        var pids: [Int32] = []
        for t in tasks {
            guard let text = try? String(contentsOfFile: "/proc/self/task/\(t)/children", encoding: .utf8) else { continue }
            pids += text.split(separator: " ").compactMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        }
        return pids
    }
}
