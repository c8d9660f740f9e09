// SPDX-License-Identifier: GPL-2.0-only
//
// Applying patches to a scratch tree exactly as `patch -p1` at a kernel
// tree, without fuzz unless asked, and saying what happened: each hunk's
// offset or fuzz (with the function a fuzzed hunk landed in), a patch that
// is already applied, rejects, and which functions each patch changes:
// those the harness runs and those it does not ("changed, not run").
import Foundation

/// A hunk that did not apply exactly where its header said.
public struct HunkNote: Sendable, Equatable {
    public var file: String
    public var hunk: Int
    /// Where it landed (new file's line), when patch said.
    public var line: Int?
    public var offset: Int
    public var fuzz: Int
    /// The function of the patched file that holds `line`.
    public var landedIn: String?
    /// The function its header names ("@@ ... @@ heading").
    public var heading: String

    public var text: String {
        var s = "\(file) hunk #\(hunk)"
        if fuzz > 0 { s += " applied with fuzz \(fuzz)" } else { s += " applied" }
        if let line { s += " at line \(line)" }
        if offset != 0 { s += " (offset \(offset) line\(abs(offset) == 1 ? "" : "s"))" }
        if fuzz > 0 {
            s += landedIn.map { ", in \($0)()" } ?? ", outside any function"
            if let fn = headingFunction, fn != landedIn { s += " - its header names \(fn)()" }
        }
        return s
    }

    var headingFunction: String? { HunkNote.function(inHeading: heading) }

    /// The function name in a hunk heading, if it reads like a declaration.
    static func function(inHeading heading: String) -> String? {
        guard let p = heading.firstIndex(of: "(") else { return nil }
        let before = heading[..<p].split(whereSeparator: { !($0.isLetter || $0.isNumber || $0 == "_") })
        return before.last.map(String.init)
    }
}

/// One function (or the file scope of a file) a patch changes.
public struct ChangedCode: Sendable, Equatable, Codable {
    public enum Status: String, Sendable, Codable {
        /// The harness runs this function's patched text.
        case runs
        /// A function the model does not define (or keeps model text for).
        case notRun = "not-run"
        /// File-scope code of a C file (declarations, macros, structs): the
        /// harness takes only functions from a kernel tree.
        case fileScope = "file-scope"
        /// A header: the harness's stubs stand in for kernel headers.
        case header
        /// Not code (Documentation/, Kconfig, scripts): nothing to run.
        case notCode = "not-code"
    }
    public var file: String
    /// The function, or nil for file scope and non-C files.
    public var function: String?
    public var status: Status
    /// Changed lines of the patched file, "12-14,20".
    public var lines: String
    public var why: String?

    /// Counts against a full verdict: code the harness does not run.
    public var unrun: Bool { status == .notRun || status == .fileScope || status == .header }

    public var text: String {
        let what = function.map { "\($0)()" } ?? "\(file) (\(status == .fileScope ? "file scope, " : "")lines \(lines))"
        switch status {
        case .runs: return "runs: \(what) in \(file)"
        case .notRun: return "changed, not run: \(what) in \(file)" + (why.map { " (\($0))" } ?? "")
        case .fileScope: return "changed, not run: \(what)" + (why.map { " (\($0))" } ?? "")
        case .header: return "changed, not run: \(file) (the harness's stubs stand in for kernel headers)"
        case .notCode: return "not code: \(file)"
        }
    }
}

/// What applying one patch did.
public struct PatchOutcome: Sendable {
    public var patch: PatchText
    public var applied = false
    /// Every hunk is already in the tree ("Reversed (or previously applied)").
    public var alreadyApplied = false
    /// Files of the patch the model does not have (not applied).
    public var skippedFiles: [String] = []
    public var hunkNotes: [HunkNote] = []
    public var changed: [ChangedCode] = []
    /// patch's own output and the rejects, when it failed.
    public var failure: String?

    /// "changed, not run" entries.
    public var unrun: [ChangedCode] { changed.filter(\.unrun) }
}

public enum PatchApplier {
    /// What the tree being patched is.
    public enum Mode: Sendable {
        /// A copy of CKernelShim: every function of its mm/*.c files is
        /// built, file scope included; files it lacks (include/,
        /// Documentation/) are skipped with a note.
        case model
        /// A scratch copy of a kernel tree: `modelled` maps "mm/FILE.c" to
        /// the functions whose text the harness takes from it,
        /// `modelOnly` ("mm/FILE.c:name") those it keeps model text for.
        case kernel(modelled: [String: Set<String>], modelOnly: [String: String])
    }

    /// Apply `patches` in order to `tree` (a scratch copy: it is written).
    /// Stops at the first patch that does not apply.
    public static func apply(_ patches: [PatchText], to tree: URL, fuzz: Int = 0, mode: Mode) throws -> [PatchOutcome] {
        var out: [PatchOutcome] = []
        for p in patches {
            let o = try apply(p, to: tree, fuzz: fuzz, mode: mode)
            out.append(o)
            if !o.applied { break }
        }
        return out
    }

    static func apply(_ p: PatchText, to tree: URL, fuzz: Int, mode: Mode) throws -> PatchOutcome {
        var skipMissing = false
        if case .model = mode { skipMissing = true }
        let fm = FileManager.default
        var o = PatchOutcome(patch: p)
        var kept: [FileDiff] = []
        for f in p.files {
            guard safe(f.path) && (f.oldPath.map(safe) ?? true) else {
                o.failure = "\(p.source): refuses the path '\(f.path)' (absolute or with '..')"
                return o
            }
            let exists = fm.fileExists(atPath: tree.appendingPathComponent(f.oldPath ?? f.path).path)
            if !exists && !f.creates && skipMissing {
                o.skippedFiles.append(f.path)
                o.changed.append(classifyMissing(f))
                continue
            }
            kept.append(f)
        }
        if kept.isEmpty {
            o.applied = true
            return o
        }
        // the text as patch reads it: only the kept files' sections
        let text = kept.count == p.files.count ? p.text : kept.map(\.text).joined()
        // beside the tree (a scratch directory of its own), never in the tree
        let work = tree.deletingLastPathComponent()
        let scratch = work.appendingPathComponent("kharness-patch-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).diff")
        try Data(text.utf8).write(to: scratch)
        defer { try? fm.removeItem(at: scratch) }
        var before: [String: String] = [:]
        for f in kept {
            before[f.path] = (try? String(contentsOf: tree.appendingPathComponent(f.oldPath ?? f.path), encoding: .utf8)) ?? ""
        }
        let common = ["-p1", "--batch", "--forward", "--no-backup-if-mismatch", "--fuzz=\(fuzz)", "-d", tree.path, "-i", scratch.path]
        let dry = try runCommand("patch", common + ["--dry-run"])
        if dry.status != 0 {
            // all hunks already there?  (a clean reverse dry run says so)
            let rev = try runCommand("patch", ["-p1", "--batch", "-R", "--dry-run", "--fuzz=0", "-d", tree.path, "-i", scratch.path])
            if rev.status == 0 {
                o.alreadyApplied = true
                o.failure = "\(p.label): already applied (every hunk is in the tree: Reversed (or previously applied))"
                return o
            }
            // apply for real, to collect the rejects of this scratch tree
            let r = try runCommand("patch", common)
            var rejects = ""
            if let e = fm.enumerator(atPath: tree.path) {
                for case let f as String in e where f.hasSuffix(".rej") {
                    rejects += "--- \(f)\n" + ((try? String(contentsOf: tree.appendingPathComponent(f), encoding: .utf8)) ?? "")
                }
            }
            var why = "\(p.label) does not apply"
            why += fuzz == 0 ? " (without fuzz; --fuzz N allows N lines of context to differ)" : " (with --fuzz \(fuzz))"
            o.failure = why + ":\n" + r.output + rejects
            return o
        }
        let r = try runCommand("patch", common)
        guard r.status == 0 else {
            o.failure = "\(p.label) does not apply:\n\(r.output)"
            return o
        }
        o.applied = true
        var notes = parseNotes(r.output)
        for f in kept {
            let newText = (try? String(contentsOf: tree.appendingPathComponent(f.path), encoding: .utf8)) ?? ""
            let defs = f.path.hasSuffix(".c") ? CScanner.functions(in: newText) : []
            for k in notes.indices where notes[k].file == f.path {
                let hunk = f.hunks.indices.contains(notes[k].hunk - 1) ? f.hunks[notes[k].hunk - 1] : nil
                if let l = notes[k].line {
                    // the first changed line, past the hunk's leading context
                    let changed = l + (hunk?.leadingContext ?? 0)
                    notes[k].landedIn = defs.first { $0.firstLine <= changed && changed <= $0.lastLine }?.name
                }
                notes[k].heading = hunk?.heading ?? ""
            }
            o.changed += classify(file: f.path, old: before[f.path] ?? "", new: newText, defs: defs, mode: mode, work: work)
        }
        o.hunkNotes = notes
        return o
    }

    /// A relative path that stays inside the tree.
    static func safe(_ p: String) -> Bool {
        !p.hasPrefix("/") && !p.split(separator: "/").contains("..")
    }

    static func classifyMissing(_ f: FileDiff) -> ChangedCode {
        let lines = f.hunks.map { "\($0.newStart)-\($0.newStart + max(0, $0.newCount - 1))" }.joined(separator: ",")
        if f.path.hasSuffix(".h") {
            return ChangedCode(file: f.path, function: nil, status: .header, lines: lines, why: "not in the model, not applied")
        }
        if f.path.hasSuffix(".c") {
            return ChangedCode(file: f.path, function: f.hunks.first.flatMap { HunkNote.function(inHeading: $0.heading) },
                               status: .notRun, lines: lines, why: "the model has no \(f.path)")
        }
        return ChangedCode(file: f.path, function: nil, status: .notCode, lines: lines, why: nil)
    }

    /// "Hunk #2 succeeded at 1100 with fuzz 2 (offset -3 lines)."
    static func parseNotes(_ output: String) -> [HunkNote] {
        var out: [HunkNote] = []
        var file = ""
        for raw in output.split(separator: "\n") {
            let l = raw.trimmingCharacters(in: .whitespaces)
            if l.hasPrefix("patching file ") {
                file = String(l.dropFirst("patching file ".count)).trimmingCharacters(in: CharacterSet(charactersIn: "'\""))
                continue
            }
            guard l.hasPrefix("Hunk #"), l.contains(" succeeded at ") else { continue }
            let words = l.split(separator: " ")
            guard words.count >= 5, let n = Int(words[1].dropFirst()) else { continue }
            var note = HunkNote(file: file, hunk: n, line: Int(words[4].trimmingCharacters(in: CharacterSet(charactersIn: ".")) ),
                                offset: 0, fuzz: 0, landedIn: nil, heading: "")
            if let r = l.range(of: "with fuzz ") {
                note.fuzz = Int(l[r.upperBound...].prefix { $0.isNumber }) ?? 0
            }
            if let r = l.range(of: "(offset ") {
                note.offset = Int(l[r.upperBound...].prefix { $0.isNumber || $0 == "-" }) ?? 0
            }
            out.append(note)
        }
        return out
    }

    /// The changed line ranges of `new` against `old` ([first, last] in the
    /// new file; a pure deletion is the line after it), with the removed
    /// and added text of each.
    static func changedRanges(old: String, new: String, work: URL) -> [(first: Int, last: Int, removed: [String], added: [String])] {
        let fm = FileManager.default
        let dir = work.appendingPathComponent("kharness-diff-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try? fm.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? fm.removeItem(at: dir) }
        let a = dir.appendingPathComponent("a"), b = dir.appendingPathComponent("b")
        try? Data(old.utf8).write(to: a)
        try? Data(new.utf8).write(to: b)
        guard let r = try? runCommand("diff", ["-U0", a.path, b.path]) else { return [] }
        var out: [(Int, Int, [String], [String])] = []
        for raw in r.output.split(separator: "\n", omittingEmptySubsequences: false) {
            if raw.hasPrefix("@@ "), let h = PatchReader.parseHunkHeader(raw) {
                let first = h.newCount == 0 ? h.newStart + 1 : h.newStart
                out.append((first, max(first, h.newStart + h.newCount - 1), [], []))
            } else if raw.hasPrefix("-") && !raw.hasPrefix("---"), !out.isEmpty {
                out[out.count - 1].2.append(String(raw.dropFirst()))
            } else if raw.hasPrefix("+") && !raw.hasPrefix("+++"), !out.isEmpty {
                out[out.count - 1].3.append(String(raw.dropFirst()))
            }
        }
        return out
    }

    /// A line that is only comment or blank (a heuristic: it starts a
    /// comment, continues one or closes one).
    static func commentOnly(_ l: String) -> Bool {
        let t = l.trimmingCharacters(in: .whitespaces)
        return t.isEmpty || t.hasPrefix("/*") || t.hasPrefix("*") || t.hasPrefix("//")
    }

    static func classify(file: String, old: String, new: String, defs: [CFunctionDefinition],
                         mode: Mode, work: URL) -> [ChangedCode] {
        let isC = file.hasSuffix(".c")
        let ranges = changedRanges(old: old, new: new, work: work)
        if !isC {
            let lines = ranges.map { $0.first == $0.last ? "\($0.first)" : "\($0.first)-\($0.last)" }.joined(separator: ",")
            let code = file.hasSuffix(".h") || file.hasSuffix(".S")
            return [ChangedCode(file: file, function: nil, status: code ? .header : .notCode, lines: lines, why: nil)]
        }
        var perFunction: [String: [String]] = [:]
        var order: [String] = []
        var scope: [String] = []
        for r in ranges {
            let text = r.first == r.last ? "\(r.first)" : "\(r.first)-\(r.last)"
            // every function the range touches
            let hit = defs.filter { $0.firstLine <= r.last && r.first <= $0.lastLine }
            if hit.isEmpty {
                if !(r.removed + r.added).allSatisfy(commentOnly) { scope.append(text) }
                continue
            }
            for d in hit {
                if perFunction[d.name] == nil { order.append(d.name) }
                perFunction[d.name, default: []].append(text)
            }
        }
        var out: [ChangedCode] = []
        guard case .kernel(let modelled, let modelOnly) = mode else {
            // the model's own file: everything in it is built
            for name in order {
                out.append(ChangedCode(file: file, function: name, status: .runs,
                                       lines: perFunction[name]!.joined(separator: ","), why: nil))
            }
            if !scope.isEmpty {
                out.append(ChangedCode(file: file, function: nil, status: .runs, lines: scope.joined(separator: ","),
                                       why: "file scope of the model's \(file)"))
            }
            return out
        }
        let fileModel = modelled[file]
        for name in order {
            let lines = perFunction[name]!.joined(separator: ",")
            if let why = modelOnly["\(file):\(name)"] {
                out.append(ChangedCode(file: file, function: name, status: .notRun, lines: lines,
                                       why: "the harness keeps its model text: \(why)"))
            } else if fileModel?.contains(name) == true {
                out.append(ChangedCode(file: file, function: name, status: .runs, lines: lines, why: nil))
            } else {
                out.append(ChangedCode(file: file, function: name, status: .notRun, lines: lines,
                                       why: fileModel == nil ? "the model has no \(file)" : "not modelled"))
            }
        }
        if !scope.isEmpty {
            out.append(ChangedCode(file: file, function: nil, status: .fileScope, lines: scope.joined(separator: ","),
                                   why: "declarations and macros of .c files come from the model"))
        }
        return out
    }
}
