// SPDX-License-Identifier: GPL-2.0-only
//
// A scanner for the top level of a C file: where each function definition
// starts and ends, its name, and the preprocessor conditionals around it.
// It knows comments, string and character literals, line continuations and
// preprocessor lines; it does not expand macros, which is what lets it read
// a kernel file as it stands (SYSCALL_DEFINEn(name, ...) is the definition
// of sys_name).
import Foundation

public struct CFunctionDefinition: Sendable, Equatable {
    /// `sys_mlock` for SYSCALL_DEFINE2(mlock, ...).
    public var name: String
    /// Byte range of the definition, from its first token to its closing
    /// brace (the comment above it is not part of it).
    public var start: Int
    public var end: Int
    /// 1-based lines of the first token and of the closing brace.
    public var firstLine: Int
    public var lastLine: Int
    /// Byte offset of the opening brace of the body.
    public var bodyStart: Int
    /// Enclosing #if/#ifdef/#ifndef groups, outermost first; each group
    /// lists its directives up to the branch the definition is in
    /// (["ifdef CONFIG_SMP", "else"] for the #else branch).
    public var conditions: [[String]]
    /// The comment block right above the definition, if any.
    public var comment: String
}

public enum CScanner {
    /// Words that take a parenthesised argument but are not the function's
    /// name when they come first in a declaration.
    static let attributeWords: Set<String> = [
        "__attribute__", "__attribute", "__releases", "__acquires", "__must_hold", "__printf",
        "__section", "__aligned", "__alias", "__scanf", "__nocapture", "__weak", "__visible",
    ]

    /// Every top-level function definition of `text`, in file order.
    public static func functions(in text: String) -> [CFunctionDefinition] {
        let b = Array(text.utf8)
        let n = b.count
        var out: [CFunctionDefinition] = []
        var i = 0
        var depth = 0
        var line = 1
        var atLineStart = true
        var conds: [[String]] = []
        // first token of the current top-level declaration (-1: none yet)
        var headStart = -1, headLine = 0, bodyStart = 0
        var lastComment: (start: Int, end: Int)? = nil

        func isSpace(_ c: UInt8) -> Bool { c == 32 || c == 9 || c == 10 || c == 13 || c == 12 || c == 11 }

        while i < n {
            let c = b[i]
            if c == 10 { line += 1; atLineStart = true; i += 1; continue }
            if atLineStart && (c == 32 || c == 9) { i += 1; continue }
            if atLineStart && c == UInt8(ascii: "#") {
                // a preprocessor line, with its continuations
                var j = i
                var text: [UInt8] = []
                while j < n {
                    if b[j] == 10 {
                        if j > i && b[j - 1] == UInt8(ascii: "\\") { text.removeLast(); line += 1; j += 1; continue }
                        break
                    }
                    text.append(b[j]); j += 1
                }
                if depth == 0 {
                    var d = String(decoding: text.dropFirst(), as: UTF8.self)
                    if let r = d.range(of: "/*") { d = String(d[..<r.lowerBound]) }
                    d = d.trimmingCharacters(in: .whitespaces)
                    let word = d.prefix { $0.isLetter }
                    switch word {
                    case "if", "ifdef", "ifndef": conds.append([d])
                    case "elif", "else": if !conds.isEmpty { conds[conds.count - 1].append(d) }
                    case "endif": if !conds.isEmpty { conds.removeLast() }
                    default: break
                    }
                    headStart = -1
                    lastComment = nil
                }
                i = j
                continue
            }
            atLineStart = false
            if c == UInt8(ascii: "/") && i + 1 < n && b[i + 1] == UInt8(ascii: "*") {
                let s = i
                var j = i + 2
                while j + 1 < n && !(b[j] == UInt8(ascii: "*") && b[j + 1] == UInt8(ascii: "/")) {
                    if b[j] == 10 { line += 1 }
                    j += 1
                }
                i = min(n, j + 2)
                if depth == 0 && headStart < 0 { lastComment = (s, i) }
                continue
            }
            if c == UInt8(ascii: "/") && i + 1 < n && b[i + 1] == UInt8(ascii: "/") {
                while i < n && b[i] != 10 { i += 1 }
                continue
            }
            if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") {
                if depth == 0 && headStart < 0 { headStart = i; headLine = line }
                var j = i + 1
                while j < n && b[j] != c && b[j] != 10 {
                    if b[j] == UInt8(ascii: "\\") { j += 1 }
                    j += 1
                }
                i = j + 1
                continue
            }
            if depth == 0 && headStart < 0 && !isSpace(c) && c != UInt8(ascii: ";") {
                headStart = i; headLine = line
            }
            switch c {
            case UInt8(ascii: "{"):
                if depth == 0 { bodyStart = i }
                depth += 1
            case UInt8(ascii: "}"):
                depth -= 1
                if depth < 0 { depth = 0 }
                if depth == 0 {
                    if headStart >= 0, let name = definitionName(b, headStart, bodyStart) {
                        var comment = ""
                        if let lc = lastComment, lc.end <= headStart,
                           b[lc.end..<headStart].allSatisfy(isSpace) {
                            comment = String(decoding: b[lc.start..<lc.end], as: UTF8.self)
                        }
                        out.append(CFunctionDefinition(name: name, start: headStart, end: i + 1,
                                                       firstLine: headLine, lastLine: line,
                                                       bodyStart: bodyStart, conditions: conds,
                                                       comment: comment))
                        headStart = -1
                        lastComment = nil
                    }
                }
            case UInt8(ascii: ";"):
                if depth == 0 { headStart = -1; lastComment = nil }
            default:
                break
            }
            i += 1
        }
        return out
    }

    /// The name of the function whose head is b[s..<e] (the text before its
    /// body's brace), or nil when the head is not a function's (a struct,
    /// an initialiser, an enum).
    static func definitionName(_ b: [UInt8], _ s: Int, _ e: Int) -> String? {
        // the head without comments
        var h: [UInt8] = []
        var i = s
        while i < e {
            if b[i] == UInt8(ascii: "/") && i + 1 < e && b[i + 1] == UInt8(ascii: "*") {
                i += 2
                while i + 1 < e && !(b[i] == UInt8(ascii: "*") && b[i + 1] == UInt8(ascii: "/")) { i += 1 }
                i += 2
                h.append(32)
                continue
            }
            h.append(b[i]); i += 1
        }
        func isIdent(_ c: UInt8) -> Bool {
            (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c == 95
        }
        // tokens at paren depth 0: identifiers, and each '(' with the identifier before it
        var depth = 0
        var lastIdent: String? = nil
        var firstCall: String? = nil
        var firstCallArgs: [UInt8] = []
        var capturing = false
        var sawEquals = false
        var lastTopChar: UInt8 = 0
        var j = 0
        while j < h.count {
            let c = h[j]
            if depth == 0 && isIdent(c) {
                var k = j
                while k < h.count && isIdent(h[k]) { k += 1 }
                lastIdent = String(decoding: h[j..<k], as: UTF8.self)
                lastTopChar = c
                j = k
                continue
            }
            if c == UInt8(ascii: "(") {
                if depth == 0 {
                    // the last call-like group that is not an attribute names
                    // the function: "RB_DECLARE_CALLBACKS(...) static void
                    // vma_gap_update(...)" defines vma_gap_update
                    if let id = lastIdent, !attributeWords.contains(id) {
                        firstCall = id
                        firstCallArgs = []
                        capturing = true
                    }
                    lastIdent = nil
                }
                depth += 1
                if depth > 1 || !capturing { if capturing { firstCallArgs.append(c) } }
                j += 1
                continue
            }
            if c == UInt8(ascii: ")") {
                depth -= 1
                if depth == 0 { capturing = false; lastTopChar = c } else if capturing { firstCallArgs.append(c) }
                j += 1
                continue
            }
            if depth > 0 {
                if capturing { firstCallArgs.append(c) }
            } else if c == UInt8(ascii: "=") {
                sawEquals = true
            } else if c != 32 && c != 9 && c != 10 && c != 13 {
                lastTopChar = c
                lastIdent = nil
            }
            j += 1
        }
        guard !sawEquals, let name = firstCall else { return nil }
        // the head must end in ')' or in an attribute macro after it
        guard lastTopChar == UInt8(ascii: ")") || isIdent(lastTopChar) else { return nil }
        if name.hasPrefix("SYSCALL_DEFINE") {
            let args = String(decoding: firstCallArgs, as: UTF8.self)
            let sys = args.split(separator: ",", maxSplits: 1).first.map {
                $0.trimmingCharacters(in: .whitespacesAndNewlines)
            } ?? ""
            return sys.isEmpty ? nil : "sys_" + sys
        }
        return name
    }

    /// Whether a definition's conditionals hold, given the macros that are
    /// defined: true, false, or nil when some condition cannot be decided
    /// (an expression this reader does not evaluate).
    public static func conditionsHold(_ conditions: [[String]], defined: Set<String>) -> Bool? {
        var unknown = false
        for group in conditions {
            guard let active = group.last else { continue }
            if active.hasPrefix("else") {
                var anyTrue = false
                for d in group.dropLast() {
                    switch evaluate(d, defined) {
                    case .some(true): anyTrue = true
                    case .none: unknown = true
                    default: break
                    }
                }
                if anyTrue { return false }
            } else {
                // an #elif: the earlier branches must be false, this one true
                for d in group.dropLast() where evaluate(d, defined) == true { return false }
                switch evaluate(active, defined) {
                case .some(false): return false
                case .none: unknown = true
                default: break
                }
            }
        }
        return unknown ? nil : true
    }

    /// `ifdef X`, `ifndef X`, `if [!]defined(X)`, `if [!]IS_ENABLED(X)`,
    /// `if X`, `if 0`, `if 1` (and elif forms).
    static func evaluate(_ directive: String, _ defined: Set<String>) -> Bool? {
        let parts = directive.split(separator: " ", maxSplits: 1).map(String.init)
        guard let kw = parts.first else { return nil }
        let rest = parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : ""
        switch kw {
        case "ifdef": return defined.contains(rest)
        case "ifndef": return !defined.contains(rest)
        case "if", "elif":
            var e = rest.replacingOccurrences(of: " ", with: "")
            var neg = false
            if e.hasPrefix("!") { neg = true; e.removeFirst() }
            for wrap in ["defined", "IS_ENABLED"] where e.hasPrefix(wrap) {
                e = String(e.dropFirst(wrap.count))
                if e.hasPrefix("(") && e.hasSuffix(")") { e = String(e.dropFirst().dropLast()) }
            }
            if e == "0" { return neg }
            if e == "1" { return !neg }
            guard !e.isEmpty, e.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else { return nil }
            return defined.contains(e) != neg
        default:
            return nil
        }
    }
}
