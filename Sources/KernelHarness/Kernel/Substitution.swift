// SPDX-License-Identifier: GPL-2.0-only
//
// Real kernel text in a scratch build.  For every function the model
// defines in CKernelShim/mm/FILE.c, the definition of the same name in the
// kernel tree's mm/FILE.c takes its place; everything else (the model's
// other definitions, the stubs, the world) stays the model's.  Real text
// is framed by `#line N "mm/FILE.c"`, so reports and compiler errors give
// the kernel tree's own line numbers; the model's text around it reads
// `shim/mm/FILE.c`.  A model function whose comment says "model-only:"
// keeps its model text (the reason is listed in docs/real-kernel-text.md).
import Foundation

public struct SubstitutedFunction: Sendable, Equatable {
    public enum Source: Sendable, Equatable {
        /// The kernel tree's text, lines first...last of its file.
        case real(first: Int, last: Int)
        /// Marked model-only in the model, with the reason.
        case modelOnly(String)
        /// The kernel file has no definition of that name.
        case missing
    }
    /// "mm/rmap.c"
    public var file: String
    public var name: String
    public var source: Source
    /// A function the patches added to the kernel file (the model has no
    /// definition of it): its text is inserted before the next function.
    public var added = false

    public var isReal: Bool { if case .real = source { return true } else { return false } }
}

public struct SubstitutionReport: Sendable {
    public var functions: [SubstitutedFunction] = []
    public var warnings: [String] = []

    public init() {}

    public var realCount: Int { functions.filter(\.isReal).count }

    /// The function whose real text holds `line` of `file`.
    public func realFunction(file: String, line: Int) -> SubstitutedFunction? {
        functions.first {
            guard $0.file == file, case .real(let a, let b) = $0.source else { return false }
            return (a...b).contains(line)
        }
    }

    /// One line per function: "mm/rmap.c  try_to_unmap_cluster  real 1040-1132".
    public var table: String {
        let w = max(8, functions.map(\.name.count).max() ?? 0)
        return functions.map { f in
            let what: String
            switch f.source {
            case .real(let a, let b): what = "real text, lines \(a)-\(b)"
            case .modelOnly(let why): what = "model text (model-only: \(why))"
            case .missing: what = "model text (no definition in the tree)"
            }
            return f.file.padding(toLength: 16, withPad: " ", startingAt: 0)
                + f.name.padding(toLength: w, withPad: " ", startingAt: 0) + "  " + what
        }.joined(separator: "\n") + "\n"
    }
}

public enum KernelSubstitution {
    /// The model's kernel files: CKernelShim/mm/*.c, sorted ("mm/rmap.c").
    public static func modelFiles(shim: URL) -> [String] {
        let d = shim.appendingPathComponent("mm")
        let items = (try? FileManager.default.contentsOfDirectory(atPath: d.path)) ?? []
        return items.filter { $0.hasSuffix(".c") }.sorted().map { "mm/" + $0 }
    }

    /// Names of the functions the model defines, per file.
    public static func modelFunctions(shim: URL) -> [String: [String]] {
        var out: [String: [String]] = [:]
        for f in modelFiles(shim: shim) {
            let text = (try? String(contentsOf: shim.appendingPathComponent(f), encoding: .utf8)) ?? ""
            out[f] = CScanner.functions(in: text).map(\.name)
        }
        return out
    }

    /// Macros the stubs define: what decides which of several conditional
    /// definitions of one function (#ifdef CONFIG_SMP ... #else ...) is the
    /// one this build has.
    static func definedMacros(shim: URL) -> Set<String> {
        var out: Set<String> = []
        let fm = FileManager.default
        let stubs = shim.appendingPathComponent("stubs")
        for case let f as String in fm.enumerator(atPath: stubs.path) ?? FileManager.DirectoryEnumerator() where f.hasSuffix(".h") {
            guard let text = try? String(contentsOf: stubs.appendingPathComponent(f), encoding: .utf8) else { continue }
            for line in text.split(separator: "\n") {
                let t = line.trimmingCharacters(in: .whitespaces)
                guard t.hasPrefix("#") else { continue }
                let rest = t.dropFirst().trimmingCharacters(in: .whitespaces)
                guard rest.hasPrefix("define") else { continue }
                let name = rest.dropFirst("define".count).trimmingCharacters(in: .whitespaces)
                    .prefix { $0.isLetter || $0.isNumber || $0 == "_" }
                if !name.isEmpty { out.insert(String(name)) }
            }
        }
        return out
    }

    /// The reason after "model-only:" in a definition's comment, if any.
    static func modelOnlyReason(_ comment: String) -> String? {
        guard let r = comment.range(of: "model-only:") else { return nil }
        var why = comment[r.upperBound...].replacingOccurrences(of: "*/", with: "")
        why = why.split(separator: "\n").map {
            $0.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "* "))
        }.filter { !$0.isEmpty }.joined(separator: " ")
        return why.isEmpty ? "no reason given" : why
    }

    /// The model's source of `file` with every function it defines replaced
    /// by `kernelText`'s definition of the same name.
    public static func substitute(file: String, model: String, kernelText: String?,
                                  defined: Set<String>, added: Set<String> = [])
        -> (text: String, functions: [SubstitutedFunction]) {
        let modelBytes = Array(model.utf8)
        let kernelBytes = Array((kernelText ?? "").utf8)
        var byName: [String: [CFunctionDefinition]] = [:]
        for d in CScanner.functions(in: kernelText ?? "") { byName[d.name, default: []].append(d) }
        var out: [UInt8] = Array("#line 1 \"shim/\(file)\"\n".utf8)
        var report: [SubstitutedFunction] = []
        var pos = 0
        // functions the patches added, in the kernel file's order: each goes
        // in before the first substituted function that follows it there
        var pending = CScanner.functions(in: kernelText ?? "").filter { added.contains($0.name) }
        func emitAdded(before limit: Int) {
            while let a = pending.first, a.start < limit {
                pending.removeFirst()
                out += Array("\n#line \(a.firstLine) \"\(file)\"\n".utf8)
                out += kernelBytes[a.start..<a.end]
                out += Array("\n".utf8)
                report.append(SubstitutedFunction(file: file, name: a.name,
                                                  source: .real(first: a.firstLine, last: a.lastLine), added: true))
            }
        }
        for d in CScanner.functions(in: model) {
            if let why = modelOnlyReason(d.comment) {
                report.append(SubstitutedFunction(file: file, name: d.name, source: .modelOnly(why)))
                continue
            }
            guard let cands = byName[d.name], !cands.isEmpty else {
                report.append(SubstitutedFunction(file: file, name: d.name, source: .missing))
                continue
            }
            // of several conditional definitions, the one this build has
            let real = cands.first { CScanner.conditionsHold($0.conditions, defined: defined) == true }
                ?? cands.first { CScanner.conditionsHold($0.conditions, defined: defined) == nil }
                ?? cands[0]
            out += modelBytes[pos..<d.start]
            emitAdded(before: real.start)
            out += Array("\n#line \(real.firstLine) \"\(file)\"\n".utf8)
            out += kernelBytes[real.start..<real.end]
            // the model's text goes on at the line after its definition
            out += Array("\n#line \(d.lastLine) \"shim/\(file)\"\n".utf8)
            pos = d.end
            report.append(SubstitutedFunction(file: file, name: d.name,
                                              source: .real(first: real.firstLine, last: real.lastLine)))
        }
        out += modelBytes[pos...]
        emitAdded(before: Int.max)
        return (String(decoding: out, as: UTF8.self), report)
    }

    /// Write a copy of `shim` to `tree` whose mm/ files carry the text of
    /// `kernelRoot`/mm (a kernel tree, or a patched scratch copy of one).
    public static func write(kernelRoot: URL, shim: URL, to tree: URL,
                             added: [String: Set<String>] = [:]) throws -> SubstitutionReport {
        let fm = FileManager.default
        if fm.fileExists(atPath: tree.path) { try fm.removeItem(at: tree) }
        try fm.createDirectory(at: tree.deletingLastPathComponent(), withIntermediateDirectories: true)
        try fm.copyItem(at: shim, to: tree)
        let defined = definedMacros(shim: shim)
        var report = SubstitutionReport()
        for f in modelFiles(shim: shim) {
            let model = try String(contentsOf: shim.appendingPathComponent(f), encoding: .utf8)
            let kfile = kernelRoot.appendingPathComponent(f)
            var ktext: String? = nil
            if fm.fileExists(atPath: kfile.path) {
                guard let data = fm.contents(atPath: kfile.path) else {
                    throw HarnessError.badInput("cannot read \(kfile.path)")
                }
                ktext = String(decoding: data, as: UTF8.self)
            } else {
                report.warnings.append("the kernel tree has no \(f): its functions run the model's text")
            }
            let (text, fns) = substitute(file: f, model: model, kernelText: ktext, defined: defined,
                                         added: added[f] ?? [])
            report.functions += fns
            try Data(text.utf8).write(to: tree.appendingPathComponent(f))
        }
        return report
    }

    /// Compiler errors of a substituted build, grouped by the real function
    /// they fall in, with the identifiers the stubs lack.
    public static func explain(compilerOutput: String, report: SubstitutionReport) -> String {
        var byFunction: [String: (where: String, missing: [String], errors: [String])] = [:]
        var order: [String] = []
        var other: [String] = []
        for raw in compilerOutput.split(separator: "\n") {
            let line = String(raw)
            guard let r = line.range(of: ": error: ") else { continue }
            let loc = line[..<r.lowerBound].split(separator: ":")
            let msg = String(line[r.upperBound...])
            guard loc.count >= 2, let ln = Int(loc[1]) else { other.append(line); continue }
            let file = String(loc[0])
            guard let fn = report.realFunction(file: file, line: ln) else { other.append(line); continue }
            let key = "\(fn.file):\(fn.name)"
            if byFunction[key] == nil {
                order.append(key)
                byFunction[key] = ("\(fn.name)() (\(fn.file):\(ln))", [], [])
            }
            if let sym = missingSymbol(msg), !byFunction[key]!.missing.contains(sym) {
                byFunction[key]!.missing.append(sym)
            }
            if byFunction[key]!.errors.count < 3 { byFunction[key]!.errors.append("\(file):\(ln): \(msg)") }
        }
        guard !order.isEmpty else { return compilerOutput }
        var out = "real kernel text that does not compile against the harness's stubs:\n"
        for k in order {
            let e = byFunction[k]!
            out += "  \(e.where)"
            out += e.missing.isEmpty ? "\n" : ": missing \(e.missing.joined(separator: ", "))\n"
            for m in e.errors { out += "      \(m)\n" }
        }
        if !other.isEmpty { out += "other errors:\n" + other.prefix(10).map { "  \($0)\n" }.joined() }
        return out
    }

    /// The symbol an "undeclared"/"unknown"/"no member" error is about.
    static func missingSymbol(_ msg: String) -> String? {
        let patterns = ["use of undeclared identifier '", "call to undeclared function '",
                        "unknown type name '", "no member named '", "incomplete definition of type '",
                        "variable has incomplete type '", "implicit declaration of function '"]
        for p in patterns {
            guard let r = msg.range(of: p) else { continue }
            let rest = msg[r.upperBound...]
            guard let q = rest.firstIndex(of: "'") else { continue }
            var sym = String(rest[..<q])
            if p == "no member named '", let inR = rest.range(of: "' in '") {
                let tail = rest[inR.upperBound...]
                if let q2 = tail.firstIndex(of: "'") { sym = "\(tail[..<q2]).\(sym)" }
            }
            return sym
        }
        return nil
    }
}
