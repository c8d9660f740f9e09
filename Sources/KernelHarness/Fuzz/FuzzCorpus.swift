// SPDX-License-Identifier: GPL-2.0-only
//
// The fuzzer's corpus on disk: DIR/queue/*.json (inputs that reached new
// coverage) and DIR/findings/*.json (one per distinct finding, minimized).
// Every file is a self-contained, replayable record: the world spec with its
// task lines, the schedule token, the identity of the kernel code and the
// patches it was built with.  Files are written to a temporary name in the
// same directory, synced, then renamed: a crash or SIGKILL leaves either the
// old state or the new file, never half a file.
import Foundation

/// A patch the fuzzed build was made with, kept inline so a record replays anywhere.
public struct FuzzPatch: Codable, Sendable, Hashable {
    public var name: String
    public var text: String

    public init(name: String, text: String) {
        self.name = name
        self.text = text
    }
}

public struct FuzzFindingInfo: Codable, Sendable, Hashable {
    public var kind: String
    public var message: String
    public var location: String
    public var function: String
    public var task: String
    public var signature: String
    /// The schedule the fuzzer first saw it in (on the unreduced input).
    public var originalToken: String
    public var originalSteps: Int
    public var originalPreemptions: Int
    public var originalTasks: Int
    public var preemptions: Int
    public var steps: Int
    /// Kernel-style report of the minimized run.
    public var report: String

    enum CodingKeys: String, CodingKey {
        case kind, message, location, function, task, signature, preemptions, steps, report
        case originalToken = "original_token", originalSteps = "original_steps"
        case originalPreemptions = "original_preemptions", originalTasks = "original_tasks"
    }
}

/// One corpus file.
public struct FuzzRecord: Codable, Sendable, Hashable {
    public static let currentFormat = "kharness-fuzz-1"
    public var format: String
    /// "input" (queue) or "finding"
    public var kind: String
    /// The structured input (what the fuzzer mutates); nil in a record of
    /// a check-patch finding in a built-in scenario (its spec is the
    /// scenario's).
    public var input: FuzzInput?
    /// The complete world spec, task lines included.
    public var spec: String
    /// Replays the run (minimized for findings).
    public var token: String
    public var codeID: String
    public var patches: [FuzzPatch]
    /// Queue records of a patched build keep the patch texts once for the
    /// whole queue, in this file beside them (DIR/queue/patches-HASH.patches),
    /// instead of a copy in every record; finding records hold them inline.
    public var patchesFile: String? = nil
    /// The kernel tree whose text ran (--kernel), when not the built-in model.
    public var kernel: String? = nil
    /// The step budget of the run (a livelock is a run that exceeds it).
    public var maxSteps: Int? = nil
    public var finding: FuzzFindingInfo?
    /// Executions and seconds into the fuzz session that produced it.
    public var execs: Int
    public var seconds: Double

    enum CodingKeys: String, CodingKey {
        case format, kind, input, spec, token, patches, finding, execs, seconds, kernel
        case patchesFile = "patches_file"
        case codeID = "code_id"
        case maxSteps = "max_steps"
    }

    public var json: Data {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys, .prettyPrinted]
        return (try? enc.encode(self)) ?? Data()
    }

    /// Read and check a record; errors say what is wrong with the file.
    public static func load(path: String) throws -> FuzzRecord {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw HarnessError.badInput("cannot read \(path)")
        }
        return try load(data: data, name: path)
    }

    /// Decode and check a record's bytes; `name` heads every message.
    public static func load(data: Data, name path: String) throws -> FuzzRecord {
        let r: FuzzRecord
        do {
            r = try JSONDecoder().decode(FuzzRecord.self, from: data)
        } catch let e as DecodingError {
            throw HarnessError.badInput("\(path): \(JSONProblem.describe(e))")
        } catch {
            throw HarnessError.badInput("\(path): \(error)")
        }
        guard r.format == currentFormat else {
            throw HarnessError.badInput("\(path): unknown format '\(r.format)' (expected \(currentFormat))")
        }
        guard r.kind == "input" || r.kind == "finding" else {
            throw HarnessError.badInput("\(path): unknown record kind '\(r.kind)'")
        }
        if r.kind == "input" && r.input == nil {
            throw HarnessError.badInput("\(path): an input record without 'input'")
        }
        if r.kind == "finding" && r.finding == nil {
            throw HarnessError.badInput("\(path): a finding record without 'finding'")
        }
        do { _ = try Schedule(token: r.token) } catch { throw HarnessError.badInput("\(path): token: \(error)") }
        // the same checks a generated input passes, before anything indexes by it
        if let input = r.input, let p = input.problem(minTasks: r.kind == "finding" ? 1 : 2) {
            throw HarnessError.badInput("\(path): \(p)")
        }
        if let m = r.maxSteps, !(1...Schedule.maxSteps).contains(m) {
            throw HarnessError.badInput("\(path): max_steps: \(m) (1...\(Schedule.maxSteps))")
        }
        var out = r
        if let f = r.patchesFile, r.patches.isEmpty {
            guard !f.contains("/"), f.hasSuffix(".patches") else {
                throw HarnessError.badInput("\(path): bad patches_file '\(f)'")
            }
            let u = URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent(f)
            guard let d = FileManager.default.contents(atPath: u.path),
                  let ps = try? JSONDecoder().decode([FuzzPatch].self, from: d) else {
                throw HarnessError.badInput("\(path): cannot read its patches from \(u.path)")
            }
            out.patches = ps
        }
        return out
    }

    /// The build of the kernel code this record ran on: the built-in one, or
    /// the pristine sources with the record's patches (built and cached).
    public func kernelAPI(kernel given: KernelTree? = nil, beforeLoad: () -> Void = {}) throws -> KernelAPI {
        let tree = try given ?? kernel.map { try KernelTree.open($0, origin: "the record's kernel tree") }
        if patches.isEmpty && tree == nil && codeID == KernelAPI.builtin.codeID { return .builtin }
        if patches.isEmpty && tree == nil {
            throw HarnessError.mismatch("record was made on kernel code \(codeID), this build is \(KernelAPI.builtin.codeID), and it names no patches")
        }
        let dir = try Scratch.make("replay")
        defer { try? FileManager.default.removeItem(at: dir) }
        var paths: [String] = []
        for (i, p) in patches.enumerated() {
            let u = dir.appendingPathComponent("\(i)-" + (p.name as NSString).lastPathComponent)
            try Data(p.text.utf8).write(to: u)
            paths.append(u.path)
        }
        // the code id its sources hash to must be the record's before its
        // code is loaded (and its constructors run)
        let built = try VariantBuilder.build(patches: paths, kernel: tree, load: false)
        guard built.codeID == codeID else {
            throw HarnessError.mismatch("record was made on kernel code \(codeID); its patches build code \(built.codeID) here (another version of the harness or of the tree): not run")
        }
        beforeLoad()
        return try VariantBuilder.load(built)
    }

    /// A world of the record's spec on the record's build, and its schedule.
    public func prepare(kernel: KernelTree? = nil, beforeLoad: () -> Void = {}) throws -> (World, Schedule) {
        let api = try kernelAPI(kernel: kernel, beforeLoad: beforeLoad)
        let w = try World(spec: spec, api: api)
        if let maxSteps { try w.set(.maxSteps, maxSteps) }
        let s = try Schedule(token: token)
        try s.check(for: w)
        return (w, s)
    }
}

enum FuzzFiles {
    /// Write `data` to `url` atomically: temp file in the same directory,
    /// fsync, rename over the target.
    static func writeAtomically(_ data: Data, to url: URL) throws {
        let dir = url.deletingLastPathComponent()
        let tmp = dir.appendingPathComponent(".tmp-\(getpid())-\(UInt64.random(in: 0...UInt64.max))")
        let fd = open(tmp.path, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        guard fd >= 0 else { throw HarnessError.badInput("cannot write \(tmp.path): \(String(cString: strerror(errno)))") }
        var ok = true
        data.withUnsafeBytes { buf in
            var off = 0
            while off < buf.count {
                let n = write(fd, buf.baseAddress! + off, buf.count - off)
                if n <= 0 { ok = false; break }
                off += n
            }
        }
        if fsync(fd) != 0 { ok = false }
        close(fd)
        guard ok, rename(tmp.path, url.path) == 0 else {
            unlink(tmp.path)
            throw HarnessError.badInput("cannot write \(url.path): \(String(cString: strerror(errno)))")
        }
    }

    /// JSON files of a corpus subdirectory, sorted by name; temp files skipped.
    static func list(_ dir: URL) -> [URL] {
        guard let items = try? FileManager.default.contentsOfDirectory(atPath: dir.path) else { return [] }
        return items.filter { !$0.hasPrefix(".") && $0.hasSuffix(".json") }.sorted()
            .map { dir.appendingPathComponent($0) }
    }

    /// FNV-1a, 64 bits.
    static func hash(_ s: String) -> UInt64 {
        var h: UInt64 = 1469598103934665603
        for b in s.utf8 { h = (h ^ UInt64(b)) &* 1099511628211 }
        return h
    }

    /// "bug@/x/y/mm/mlock.c:82" -> "bug-mm_mlock.c-82"
    static func fileStem(signature: String) -> String {
        let parts = signature.split(separator: "@", maxSplits: 1).map(String.init)
        let kind = parts.first ?? "finding"
        var loc = parts.count > 1 ? parts[1] : ""
        let comps = loc.split(separator: "/")
        if comps.count > 2 { loc = comps.suffix(2).joined(separator: "/") }
        let clean = loc.map { c -> Character in
            c.isLetter || c.isNumber || c == "." || c == "-" ? c : "_"
        }
        return kind + "-" + String(clean).replacingOccurrences(of: ":", with: "-")
    }
}
