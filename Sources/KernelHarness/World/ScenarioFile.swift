// SPDX-License-Identifier: GPL-2.0-only
//
// Scenario files (NAME.scenario): a world spec with its tasks, plus the
// scenario's name, a one-line summary and what `kharness run` should find.
//
//     # comment
//     scenario my-race                     (optional: the file's name)
//     summary reclaim against munlock of one page
//     model mm
//     ...                                  (world spec lines, see
//     task reclaim reclaim f0:0             CKernelShim/model/README.md)
//     expect bug mm/mlock.c:73             (or: expect clean)
//     tag large                            (optional: see knownTags)
//
// The built-in scenarios are the files of CKernelShim/scenarios/, compiled
// into the library (mk/scenarios-header.sh; `header(shim:)` below prints
// the same text).  A file given on the command line is named NAME@HASH
// (HASH: the first 12 hex digits of the SHA-256 of its bytes), so a token
// recorded on it says which file, and which version of it, it replays.
import Foundation

/// What a scenario expects `kharness run` to find.
public struct Expectation: Sendable, Hashable, Codable, CustomStringConvertible {
    /// "clean", or a finding kind ("bug", "deadlock", ...).
    public var kind: String
    /// FILE:LINE, FILE (any line) or a function name; nil: anywhere.
    public var place: String?
    /// Line of the scenario file (or spec) it was written on.
    public var line: Int

    public init(kind: String, place: String? = nil, line: Int = 0) {
        self.kind = kind
        self.place = place
        self.line = line
    }

    /// The finding kinds an expectation may name (the shim's and lockdep).
    public static let findingKinds = [
        "bug", "bad-page", "deadlock", "invalid-context", "accounting", "leak", "stranded", "livelock",
        "crash", "lock-owner", "bad-unlock", "held-at-exit", "warn", "lockdep",
    ]

    public var isClean: Bool { kind == "clean" }

    public var description: String { "expect \(kind)" + (place.map { " \($0)" } ?? "") }

    /// Does a finding of `kind` at `location` (FILE:LINE) in `function` meet it?
    public func matches(kind k: String, location: String, function: String) -> Bool {
        guard k == kind else { return false }
        guard let place else { return true }
        if place.contains("/") || place.hasSuffix(".c") || place.hasSuffix(".h") {
            return place.contains(":") ? location == place : location.hasPrefix(place + ":")
        }
        return function == place
    }

    public func matches(_ f: FoundFinding) -> Bool {
        matches(kind: f.kind, location: f.location, function: f.function)
    }
}

/// How a run measured up to its scenario's expectations.
public struct ExpectationCheck: Sendable, Hashable, Codable {
    public struct Item: Sendable, Hashable, Codable {
        public var expect: String
        public var met: Bool
        public var line: Int
    }
    public var items: [Item]
    /// Failing findings no expectation names ("kind at location").
    public var unexpected: [String]
    /// Every item met and nothing unexpected.
    public var met: Bool

    /// Check `expectations` against the findings of a run.  A finding
    /// expectation is met by a finding of its kind and place; `clean` by a
    /// run without failing findings; every failing finding must be expected.
    public init(_ expectations: [Expectation], findings: [FoundFinding]) {
        let failing = findings.filter(\.failing)
        items = expectations.map { e in
            Item(expect: e.description,
                 met: e.isClean ? failing.isEmpty : findings.contains { e.matches($0) }, line: e.line)
        }
        let named = expectations.filter { !$0.isClean }
        unexpected = failing.filter { f in !named.contains { $0.matches(f) } }.map { "\($0.kind) at \($0.location)" }
        met = items.allSatisfy(\.met) && unexpected.isEmpty
    }
}

public enum ScenarioFile {
    public static let suffix = ".scenario"
    /// The most characters of a scenario's own name (the world keeps 63,
    /// and a file's name gets "@" and 12 hex digits).
    public static let maxName = 48

    /// A name a token can carry: letters, digits, '.', '_', '-'.
    public static func isValidName(_ s: String) -> Bool {
        !s.isEmpty && s.count <= maxName && s.unicodeScalars.allSatisfy {
            ($0.value < 128 && (CharacterSet.alphanumerics.contains($0))) || $0 == "." || $0 == "_" || $0 == "-"
        }
    }

    /// First 12 hex digits of the SHA-256 of the file's bytes.
    public static func hash(_ data: Data) -> String { SHA256.hex(Array(SHA256.hash(data).prefix(6))) }

    /// The parts of a scenario text: directives of the file, the rest
    /// (spec lines) left to the world builder.
    struct Parts {
        var name: String?
        var nameLine = 0
        var summary: String?
        var expectations: [Expectation] = []
        var tags: [String] = []
        var lines: [String] = []
    }

    /// Tags a scenario file may carry (`tag WORD...`).  `large`: its
    /// schedules take DPOR more than a few seconds (or minutes) to exhaust,
    /// so the suites that explore every registered scenario (check-patch
    /// and `kernel --compare` without --scenarios, `audit --all`, the
    /// tests' loops over all of them) leave it out; named, it runs as any
    /// other (`kharness run NAME`, `--scenarios NAME`, `kharness bench`).
    public static let knownTags = ["large"]

    /// Split a text into its scenario-file directives and spec lines;
    /// errors name `label:LINE`.
    static func parts(_ text: String, label: String) throws -> Parts {
        var p = Parts()
        func fail(_ n: Int, _ why: String) -> HarnessError { .badInput("\(label):\(n): \(why)") }
        var cleanLine = 0, findingLine = 0
        p.lines = text.split(separator: "\n", omittingEmptySubsequences: false).map {
            $0.hasSuffix("\r") ? String($0.dropLast()) : String($0)
        }
        if p.lines.last == "" { p.lines.removeLast() }
        for (i, raw) in p.lines.enumerated() {
            let n = i + 1
            // words up to a comment, as the world builder splits them
            var words: [Substring] = []
            for w in raw.split(whereSeparator: { $0 == " " || $0 == "\t" }) {
                if w.hasPrefix("#") { break }
                words.append(w)
            }
            guard let first = words.first else { continue }
            switch first {
            case "scenario":
                guard words.count == 2 else { throw fail(n, "usage: scenario NAME") }
                if p.name != nil { throw fail(n, "a second 'scenario' line (the first is line \(p.nameLine))") }
                let name = String(words[1])
                guard isValidName(name) else {
                    throw fail(n, "scenario name '\(name)': 1...\(maxName) letters, digits, '.', '_' or '-'")
                }
                p.name = name
                p.nameLine = n
            case "summary":
                if p.summary != nil { throw fail(n, "a second 'summary' line") }
                var s = raw.drop { $0 == " " || $0 == "\t" }.dropFirst("summary".count)
                s = s.drop { $0 == " " || $0 == "\t" }
                let summary = String(s).trimmingCharacters(in: .whitespaces)
                guard !summary.isEmpty else { throw fail(n, "usage: summary ONE LINE OF TEXT") }
                p.summary = summary
            case "tag":
                guard words.count >= 2 else { throw fail(n, "usage: tag WORD... (known: \(knownTags.joined(separator: ", ")))") }
                for w in words.dropFirst() {
                    guard knownTags.contains(String(w)) else {
                        throw fail(n, "unknown tag '\(w)' (known: \(knownTags.joined(separator: ", ")))")
                    }
                    if !p.tags.contains(String(w)) { p.tags.append(String(w)) }
                }
            case "expect" where words.count >= 2
                && (words[1] == "clean" || Expectation.findingKinds.contains(String(words[1]))):
                if words[1] == "clean" {
                    guard words.count == 2 else { throw fail(n, "usage: expect clean") }
                    if findingLine > 0 { throw fail(n, "'expect clean' contradicts the finding expected on line \(findingLine)") }
                    cleanLine = n
                    p.expectations.append(Expectation(kind: "clean", line: n))
                } else {
                    guard words.count <= 3 else {
                        throw fail(n, "usage: expect KIND [FILE:LINE | FILE | FUNCTION]")
                    }
                    if cleanLine > 0 { throw fail(n, "a finding expected after 'expect clean' on line \(cleanLine)") }
                    if words.count == 3, words[2].contains(":") {
                        let loc = words[2].split(separator: ":", omittingEmptySubsequences: false)
                        guard loc.count == 2, !loc[0].isEmpty, let l = Int(loc[1]), l > 0 else {
                            throw fail(n, "expected FILE:LINE (e.g. mm/mlock.c:73), got '\(words[2])'")
                        }
                    }
                    findingLine = n
                    p.expectations.append(Expectation(kind: String(words[1]), place: words.count == 3 ? String(words[2]) : nil, line: n))
                }
            default:
                continue
            }
        }
        return p
    }

    /// The expectations written in a spec (a registered scenario's spec
    /// keeps its file's expect lines); none when it does not parse.
    public static func expectations(inSpec spec: String) -> [Expectation] {
        (try? parts(spec, label: "spec"))?.expectations ?? []
    }

    /// The tags written in a spec (a registered scenario's spec keeps its
    /// file's tag lines).
    public static func tags(inSpec spec: String) -> [String] {
        (try? parts(spec, label: "spec"))?.tags ?? []
    }

    /// A scenario from the text of a scenario file at `path` (only its
    /// name is used: for messages and as the default scenario name).
    /// Checks the directives here and the world spec by building the world
    /// once; every error names `path:LINE`.
    public static func parse(_ data: Data, path: String, api: KernelAPI = .builtin) throws -> Scenario {
        guard let text = String(data: data, encoding: .utf8) else {
            throw HarnessError.badInput("\(path): not UTF-8 text")
        }
        if text.utf8.contains(0) { throw HarnessError.badInput("\(path): not a text file (NUL byte)") }
        var p = try parts(text, label: path)
        var base = (path as NSString).lastPathComponent
        if base.hasSuffix(suffix) { base = String(base.dropLast(suffix.count)) }
        let fallback = String(base.map { isValidName(String($0)) ? $0 : "_" }.prefix(maxName))
        let own = p.name ?? (fallback.isEmpty ? "scenario" : fallback)
        let name = "\(own)@\(hash(data))"
        // the world carries the file's name and hash: rewrite the scenario
        // line in place (line numbers stay the file's) or add one at the end
        if p.nameLine > 0 {
            p.lines[p.nameLine - 1] = "scenario \(name)"
        } else {
            p.lines.append("scenario \(name)")
        }
        let spec = p.lines.joined(separator: "\n") + "\n"
        do {
            _ = try World(spec: spec, api: api)
        } catch let e as HarnessError {
            throw HarnessError.badInput(relabel(e.description, path: path, lines: p.lines))
        }
        var s = Scenario(name: name, summary: p.summary ?? "", spec: spec)
        s.expectations = p.expectations
        s.tags = p.tags
        s.file = path
        return s
    }

    /// Read and parse a scenario file.
    public static func load(path: String, api: KernelAPI = .builtin) throws -> Scenario {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw HarnessError.badInput("cannot read scenario file \(path)")
        }
        return try parse(data, path: path, api: api)
    }

    /// "spec line N: why" -> "PATH:N: why" (plus a hint on expect lines).
    static func relabel(_ message: String, path: String, lines: [String]) -> String {
        let prefix = "spec line "
        guard message.hasPrefix(prefix) else { return "\(path): \(message)" }
        let rest = message.dropFirst(prefix.count)
        let digits = rest.prefix { $0.isNumber }
        guard let n = Int(digits) else { return "\(path): \(message)" }
        var out = "\(path):\(n)\(rest.dropFirst(digits.count))"
        if n >= 1 && n <= lines.count,
           lines[n - 1].split(whereSeparator: { $0 == " " || $0 == "\t" }).first == "expect" {
            out += " (a scenario expects 'clean' or a finding: expect KIND [WHERE], KIND one of "
                + Expectation.findingKinds.joined(separator: ", ") + ")"
        }
        return out
    }

    // MARK: the built-in files

    /// The scenario files of a shim tree, sorted bytewise.
    public static func builtinFiles(shim: URL) throws -> [URL] {
        let dir = shim.appendingPathComponent("scenarios")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.filter { $0.hasSuffix(suffix) }
            .sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            .map { dir.appendingPathComponent($0) }
    }

    /// runtime/scenarios_builtin.h for a shim tree, byte for byte what
    /// mk/scenarios-header.sh prints.
    public static func header(shim: URL) throws -> String {
        func esc(_ s: String) -> String {
            s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        }
        var o = """
        /* SPDX-License-Identifier: GPL-2.0-only */
        /*
         * Generated by mk/scenarios-header.sh (make scenarios) from
         * the files CKernelShim/scenarios/NAME.scenario: the built-in scenarios.
         */
        static const struct ksim_scenario ksim_file_scenarios[] = {

        """
        for u in try builtinFiles(shim: shim) {
            let name = String(u.lastPathComponent.dropLast(suffix.count))
            let label = "CKernelShim/scenarios/" + u.lastPathComponent
            guard isValidName(name) else {
                throw HarnessError.badInput("\(label): a scenario name is letters, digits, '.', '_' and '-'")
            }
            guard let data = FileManager.default.contents(atPath: u.path),
                  let text = String(data: data, encoding: .utf8) else {
                throw HarnessError.badInput("cannot read \(label)")
            }
            let p = try parts(text, label: label)
            guard p.name == name else { throw HarnessError.badInput("\(label):\(max(p.nameLine, 1)): expected \"scenario \(name)\" (the file name)") }
            guard let summary = p.summary else { throw HarnessError.badInput("\(label):1: no \"summary\" line") }
            o += "\t{ \"\(esc(name))\",\n\t  \"\(esc(summary))\",\n"
            for line in p.lines {
                let t = line.drop { $0 == " " || $0 == "\t" }
                if t.isEmpty || t.hasPrefix("#") { continue }
                let w = t.split(whereSeparator: { $0 == " " || $0 == "\t" }).first
                if w == "scenario" || w == "summary" { continue }
                o += "\t  \"\(esc(line))\\n\"\n"
            }
            o += "\t},\n"
        }
        return o + "\t{ NULL, NULL, NULL }\n};\n"
    }

    /// The path of the generated header in a shim tree.
    public static let headerPath = "runtime/scenarios_builtin.h"

    /// Is the tree's header the one its scenario files call for?  (A tree
    /// without a scenarios folder has nothing to compare.)
    public static func headerIsCurrent(in tree: URL) throws -> Bool {
        var dir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: tree.appendingPathComponent("scenarios").path, isDirectory: &dir),
              dir.boolValue else { return true }
        let want = Data(try header(shim: tree).utf8)
        return FileManager.default.contents(atPath: tree.appendingPathComponent(headerPath).path) == want
    }

    /// Rewrite the tree's header (a scratch tree only: this writes into it).
    public static func updateHeader(in tree: URL) throws {
        try Data(try header(shim: tree).utf8).write(to: tree.appendingPathComponent(headerPath))
    }

    // MARK: writing a starting file

    /// The text of a new scenario file NAME, started from `from` (its
    /// built-in file when the sources are at hand, so its comments come too).
    public static func template(name: String, from: Scenario, source: URL?) -> String {
        if let source, let text = try? String(contentsOf: source, encoding: .utf8),
           let p = try? parts(text, label: source.path), p.nameLine > 0 {
            var lines = p.lines
            lines[p.nameLine - 1] = "scenario \(name)"
            lines.insert("# Started from the built-in scenario \(from.name) (kharness new --from).", at: p.nameLine - 1)
            return lines.joined(separator: "\n") + "\n"
        }
        var o = "# Started from the built-in scenario \(from.name) (kharness new --from).\n"
        o += "scenario \(name)\n"
        o += "summary \(from.summary.isEmpty ? name : from.summary)\n"
        for line in from.spec.split(separator: "\n", omittingEmptySubsequences: false) {
            let w = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).first
            if w == "scenario" || w == "summary" || line.isEmpty { continue }
            o += line + "\n"
        }
        return o
    }

    /// Is `path` (of a patch, rooted at CKernelShim) a scenario file of
    /// the built-in folder?
    public static func isAddedScenario(_ path: String) -> Bool {
        path.hasPrefix("scenarios/") && path.hasSuffix(suffix) && !path.dropFirst(10).contains("/")
    }

    /// The content of a file a diff creates (its section of the patch):
    /// the added lines of its hunks; nil if there are none.
    public static func createdContent(_ section: String) -> Data? {
        var out = ""
        var inHunk = false
        var any = false
        for line in section.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("@@") { inHunk = true; continue }
            guard inHunk else { continue }
            if line.hasPrefix("+") {
                out += line.dropFirst() + "\n"
                any = true
            } else if line.hasPrefix("\\") {
                // "\ No newline at end of file"
                if out.hasSuffix("\n") { out.removeLast() }
            } else if !line.hasPrefix(" ") && !line.hasPrefix("-") {
                inHunk = false
            }
        }
        return any ? Data(out.utf8) : nil
    }

    /// Scenario files whose name and hash are `nameAtHash` ("NAME@HASH"),
    /// searched in `directories` (not recursively).
    public static func find(_ nameAtHash: String, in directories: [URL]) -> URL? {
        guard let at = nameAtHash.lastIndex(of: "@") else { return nil }
        let want = String(nameAtHash[nameAtHash.index(after: at)...])
        for d in directories {
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: d.path)) ?? [])
                .filter { $0.hasSuffix(suffix) }.sorted()
            for n in names {
                let u = d.appendingPathComponent(n)
                if let data = FileManager.default.contents(atPath: u.path), hash(data) == want { return u }
            }
        }
        return nil
    }
}
