// SPDX-License-Identifier: GPL-2.0-only
//
// Scratch directories that name their owner, so that what a killed run
// left behind is removed by the next one.  A name is
//
//   kharness-scratch-PID-START-PURPOSE-RANDOM
//
// with START the owner's start time (clock ticks since boot, from
// /proc/PID/stat; 0 where there is none), so a reused pid does not keep
// a dead run's directory alive.  The first scratch directory a process
// makes under a base directory sweeps that base: entries of this user
// whose owner is gone are removed; live owners' entries are kept.
import Foundation

public enum Scratch {
    public static let prefix = "kharness-scratch-"

    /// The start time of process `pid` (field 22 of /proc/PID/stat), or nil.
    static func startTime(of pid: Int32) -> UInt64? {
        guard let d = FileManager.default.contents(atPath: "/proc/\(pid)/stat"),
              let s = String(data: d, encoding: .utf8), let close = s.lastIndex(of: ")") else { return nil }
        // fields after "(comm)": state is field 3, starttime field 22
        let rest = s[s.index(after: close)...].split(separator: " ")
        return rest.count > 19 ? UInt64(rest[19]) : nil
    }

    static let selfStart: UInt64 = startTime(of: getpid()) ?? 0

    /// A fresh name for this process.
    public static func name(_ purpose: String) -> String {
        let clean = String(purpose.map { $0.isLetter || $0.isNumber ? $0 : "_" }.prefix(40))
        return "\(prefix)\(getpid())-\(selfStart)-\(clean)-\(UInt32.random(in: 0...UInt32.max))"
    }

    /// Owner (pid, start time) of a scratch entry's name, nil if it is not one.
    static func owner(of name: String) -> (pid: Int32, start: UInt64)? {
        guard name.hasPrefix(prefix) else { return nil }
        let parts = name.dropFirst(prefix.count).split(separator: "-", maxSplits: 2)
        guard parts.count == 3, let pid = Int32(parts[0]), pid > 0, let start = UInt64(parts[1]) else { return nil }
        return (pid, start)
    }

    /// Is the process that made an entry still running?
    static func alive(pid: Int32, start: UInt64) -> Bool {
        if let now = startTime(of: pid) { return start == 0 || now == start }
        if kill(pid, 0) == 0 { return true }
        return errno == EPERM
    }

    /// Remove the entries of `dir` that a process that is gone left behind
    /// (only this user's).  Returns the names removed.
    @discardableResult
    public static func sweep(_ dir: URL) -> [String] {
        let fm = FileManager.default
        guard let names = try? fm.contentsOfDirectory(atPath: dir.path) else { return [] }
        var removed: [String] = []
        for n in names.sorted() {
            guard let o = owner(of: n), !alive(pid: o.pid, start: o.start) else { continue }
            var st = stat()
            let path = dir.appendingPathComponent(n).path
            guard lstat(path, &st) == 0, st.st_uid == getuid() else { continue }
            if (try? fm.removeItem(atPath: path)) != nil { removed.append(n) }
        }
        return removed
    }

    private static let swept = NSLock()
    nonisolated(unsafe) private static var sweptDirs: Set<String> = []

    /// Sweep `dir` once per process.
    public static func sweepOnce(_ dir: URL) {
        swept.lock()
        let first = sweptDirs.insert(dir.standardizedFileURL.path).inserted
        swept.unlock()
        if first { sweep(dir) }
    }

    /// Make a scratch directory under `base` (default: $TMPDIR), sweeping
    /// `base` first if this process has not yet.
    public static func make(_ purpose: String, in base: URL? = nil) throws -> URL {
        let base = base ?? FileManager.default.temporaryDirectory
        sweepOnce(base)
        let u = base.appendingPathComponent(name(purpose))
        try FileManager.default.createDirectory(at: u, withIntermediateDirectories: true)
        return u
    }
}
