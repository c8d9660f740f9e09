// SPDX-License-Identifier: GPL-2.0-only
//
// Reading patches as kernel developers pass them around: a plain unified
// diff, a `git format-patch` mail, an mbox of several mails (a series, with
// or without its cover letter), or any of these on standard input ("-").
// Each mail with a diff becomes one PatchText; a mail without one (a cover
// letter) is skipped with a note.
import Foundation

/// One hunk of a file's diff.
public struct DiffHunk: Sendable, Equatable {
    public var oldStart: Int, oldCount: Int
    public var newStart: Int, newCount: Int
    /// What follows the second "@@": the function the hunk is in, as the
    /// tool that made the diff saw it (may be empty).
    public var heading: String
    /// Context lines before the first changed line.
    public var leadingContext = 0
}

/// The part of a patch for one file.
public struct FileDiff: Sendable, Equatable {
    /// Paths with the first component stripped (`patch -p1`); nil for /dev/null.
    public var oldPath: String?
    public var newPath: String?
    public var hunks: [DiffHunk]
    /// The file's section of the patch text, headers included.
    public var text: String

    public var path: String { newPath ?? oldPath ?? "" }
    public var creates: Bool { oldPath == nil }
}

/// One patch: a mail or a plain diff.
public struct PatchText: Sendable, Equatable {
    /// Where it came from: "fix.patch", "stdin", "series.mbox (2/3)".
    public var source: String
    /// The mail's Subject (without "Subject: "), if it has one.
    public var subject: String?
    /// The whole text, as `patch` reads it.
    public var text: String
    public var files: [FileDiff]

    public var label: String { subject.map { "\(source): \($0)" } ?? source }
}

public enum PatchReader {
    /// Read patch arguments: files (a mail, a diff or an mbox) and "-" for
    /// standard input.  `notes` says what was skipped and why.
    public static func read(_ args: [String], standardInput: () -> Data = {
        FileHandle.standardInput.readDataToEndOfFile()
    }) throws -> (patches: [PatchText], notes: [String]) {
        var patches: [PatchText] = []
        var notes: [String] = []
        var usedStdin = false
        for arg in args {
            let data: Data
            let name: String
            if arg == "-" {
                guard !usedStdin else { throw HarnessError.badInput("'-' (standard input) can be given once") }
                usedStdin = true
                data = standardInput()
                name = "stdin"
            } else {
                var isDir: ObjCBool = false
                guard FileManager.default.fileExists(atPath: arg, isDirectory: &isDir) else {
                    throw HarnessError.badInput("no such patch file: \(arg)")
                }
                guard !isDir.boolValue else { throw HarnessError.badInput("\(arg) is a directory, not a patch") }
                guard let d = FileManager.default.contents(atPath: arg) else {
                    throw HarnessError.badInput("cannot read \(arg)")
                }
                data = d
                name = arg
            }
            let (ps, ns) = try parse(String(decoding: data, as: UTF8.self), source: name)
            patches += ps
            notes += ns
        }
        return (patches, notes)
    }

    /// Split one input into its patches.
    public static func parse(_ text: String, source: String) throws -> ([PatchText], [String]) {
        let mails = splitMbox(text)
        var out: [PatchText] = []
        var notes: [String] = []
        for (i, m) in mails.enumerated() {
            let name = mails.count > 1 ? "\(source) (\(i + 1)/\(mails.count))" : source
            let subject = header("Subject", in: m)
            let files = parseDiff(m)
            if files.isEmpty {
                let what = subject.map { "'\($0)'" } ?? "a message"
                if mails.count > 1 || subject != nil {
                    notes.append("skipped \(what) of \(source): no diff in it (a cover letter?)")
                    continue
                }
                throw HarnessError.badInput("\(source): no diff in it (a patch needs '--- a/FILE', '+++ b/FILE' and '@@' hunks)")
            }
            out.append(PatchText(source: name, subject: subject, text: m, files: files))
        }
        if out.isEmpty {
            throw HarnessError.badInput("\(source): no patch in it, only messages without a diff")
        }
        return (out, notes)
    }

    /// The messages of an mbox, or the whole text when it is one message or
    /// a plain diff.  A message starts at a "From " line at the top or after
    /// a blank line, followed by mail headers.
    static func splitMbox(_ text: String) -> [String] {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        var starts: [Int] = []
        for (i, l) in lines.enumerated() where l.hasPrefix("From ") {
            guard i == 0 || lines[i - 1].isEmpty else { continue }
            // the next lines are headers ("Name: value")
            let next = lines.dropFirst(i + 1).prefix(3)
            guard next.contains(where: { isHeader($0) }) else { continue }
            starts.append(i)
        }
        guard starts.count > 1 else { return [text] }
        var out: [String] = []
        if starts[0] > 0 {
            let pre = lines[0..<starts[0]].joined(separator: "\n")
            if !pre.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { out.append(pre) }
        }
        for (k, s) in starts.enumerated() {
            let e = k + 1 < starts.count ? starts[k + 1] : lines.count
            out.append(lines[s..<e].joined(separator: "\n") + "\n")
        }
        return out
    }

    static func isHeader(_ l: Substring) -> Bool {
        guard let c = l.firstIndex(of: ":"), c != l.startIndex else { return false }
        return l[..<c].allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" } && l[l.index(after: c)...].hasPrefix(" ")
    }

    /// A mail header's value, with folded continuation lines joined.
    static func header(_ name: String, in mail: String) -> String? {
        let lines = mail.split(separator: "\n", omittingEmptySubsequences: false)
        for (i, l) in lines.enumerated() {
            if l.isEmpty && i > 0 { break }   // end of the headers
            guard l.hasPrefix(name + ": ") else { continue }
            var v = String(l.dropFirst(name.count + 2))
            var j = i + 1
            while j < lines.count, let f = lines[j].first, f == " " || f == "\t" {
                v += " " + lines[j].trimmingCharacters(in: .whitespaces)
                j += 1
            }
            return v.trimmingCharacters(in: .whitespaces)
        }
        return nil
    }

    /// `-p1`: "a/mm/rmap.c" -> "mm/rmap.c"; "/dev/null" -> nil.
    static func strip(_ raw: Substring) -> String? {
        var p = raw.split(separator: "\t", maxSplits: 1).first.map(String.init) ?? String(raw)
        p = p.trimmingCharacters(in: .whitespaces)
        if p == "/dev/null" { return nil }
        if let slash = p.firstIndex(of: "/") { return String(p[p.index(after: slash)...]) }
        return p
    }

    /// The file diffs of a patch text: "--- a/X" then "+++ b/X" then hunks.
    public static func parseDiff(_ text: String) -> [FileDiff] {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        var out: [FileDiff] = []
        var i = 0
        while i + 1 < lines.count {
            guard lines[i].hasPrefix("--- "), lines[i + 1].hasPrefix("+++ ") else { i += 1; continue }
            var fd = FileDiff(oldPath: strip(lines[i].dropFirst(4)), newPath: strip(lines[i + 1].dropFirst(4)),
                              hunks: [], text: "")
            let start = i
            i += 2
            // hunks: each "@@ -a,b +c,d @@" and its body, counted exactly
            while i < lines.count, lines[i].hasPrefix("@@ "), let h = parseHunkHeader(lines[i]) {
                var hunk = h
                var seenChange = false
                var oldLeft = h.oldCount, newLeft = h.newCount
                i += 1
                while i < lines.count && (oldLeft > 0 || newLeft > 0) {
                    let l = lines[i]
                    if l.hasPrefix("+") { newLeft -= 1; seenChange = true }
                    else if l.hasPrefix("-") { oldLeft -= 1; seenChange = true }
                    else if l.hasPrefix("\\") { /* no newline at end of file */ }
                    else { oldLeft -= 1; newLeft -= 1; if !seenChange { hunk.leadingContext += 1 } }
                    i += 1
                }
                fd.hunks.append(hunk)
                while i < lines.count && lines[i].hasPrefix("\\") { i += 1 }
            }
            guard !fd.hunks.isEmpty else { continue }
            fd.text = lines[start..<i].joined(separator: "\n") + "\n"
            out.append(fd)
        }
        return out
    }

    static func parseHunkHeader(_ l: Substring) -> DiffHunk? {
        // @@ -a[,b] +c[,d] @@ heading
        let parts = l.split(separator: " ", maxSplits: 4, omittingEmptySubsequences: false)
        guard parts.count >= 4, parts[0] == "@@", parts[3] == "@@",
              parts[1].hasPrefix("-"), parts[2].hasPrefix("+") else { return nil }
        func range(_ s: Substring) -> (Int, Int)? {
            let f = s.dropFirst().split(separator: ",")
            guard let a = Int(f[0]) else { return nil }
            let b = f.count > 1 ? Int(f[1]) : 1
            guard let b else { return nil }
            return (a, b)
        }
        guard let o = range(parts[1]), let n = range(parts[2]) else { return nil }
        let heading = parts.count > 4 ? String(parts[4]).trimmingCharacters(in: .whitespaces) : ""
        return DiffHunk(oldStart: o.0, oldCount: o.1, newStart: n.0, newCount: n.1, heading: heading)
    }
}
