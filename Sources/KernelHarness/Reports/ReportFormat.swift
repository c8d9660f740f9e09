// SPDX-License-Identifier: GPL-2.0-only
//
// The shapes a result can be printed in: the terminal table (as wide as
// the terminal), a reply for linux-mm (at most 72 columns), markdown for a
// pull request, JSON, and JUnit XML for CI systems.
import Foundation

public enum ReportFormat: String, CaseIterable, Sendable, Codable {
    case text, mail, markdown, json, junit
}

public enum Terminal {
    /// Columns to fit: $COLUMNS when set, else the terminal's width when
    /// `fd` is one, else 100.
    public static func columns(fd: Int32 = Console.outFD) -> Int {
        if let c = ProcessInfo.processInfo.environment["COLUMNS"].flatMap(Int.init), c >= 20 { return min(c, 1000) }
        var ws = winsize()
        if isatty(fd) != 0, ioctl(fd, UInt(TIOCGWINSZ), &ws) == 0, ws.ws_col >= 20 { return Int(ws.ws_col) }
        return 100
    }
}

/// Text helpers shared by the formats.
public enum Wrap {
    /// `text` wrapped at `width`, every line after `indent`; long words are
    /// cut (a token is never wider than a mail line allows).
    /// With `keepWords`, a word wider than the line (a replay token) is
    /// left whole on a line of its own, so that it can still be copied.
    public static func lines(_ text: String, width: Int, indent: String = "", keepWords: Bool = false) -> [String] {
        var out: [String] = []
        for para in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var line = indent
            for word in para.split(separator: " ", omittingEmptySubsequences: true) {
                var w = String(word)
                while !keepWords && indent.count + w.count > width {
                    if line.count > indent.count { out.append(line); line = indent }
                    let room = width - indent.count
                    out.append(indent + String(w.prefix(room)))
                    w = String(w.dropFirst(room))
                }
                if line.count > indent.count && line.count + 1 + w.count > width {
                    out.append(line)
                    line = indent
                }
                line += (line.count > indent.count ? " " : "") + w
            }
            out.append(line.count > indent.count || para.isEmpty ? line : indent)
        }
        return keepWords ? out : out.map { $0.count > width ? String($0.prefix(width)) : $0 }
    }

    /// `head` then `text`, its continuation lines indented under the text.
    public static func hanging(_ head: String, _ text: String, width: Int) -> String {
        let pad = String(repeating: " ", count: head.count)
        var ls = lines(text, width: width, indent: pad)
        if !ls.isEmpty { ls[0] = head + ls[0].dropFirst(pad.count) }
        return ls.map { $0 + "\n" }.joined()
    }

    public static func text(_ text: String, width: Int, indent: String = "") -> String {
        lines(text, width: width, indent: indent).map { $0 + "\n" }.joined()
    }

    /// Preformatted text (reports, tables) kept as is, each line cut at
    /// `width` with a `~` where something was cut.
    public static func block(_ text: String, width: Int, indent: String = "") -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { l -> String in
            let s = indent + l
            return s.count <= width ? s : String(s.prefix(width - 1)) + "~"
        }.joined(separator: "\n") + (text.hasSuffix("\n") ? "" : "\n")
    }

    /// Every line longer than `width` wrapped at spaces, its continuation
    /// lines indented four more than it; other lines as they are.
    public static func fit(_ text: String, width: Int, keepWords: Bool = false) -> String {
        var out: [String] = []
        for l in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = String(l)
            if line.count <= width { out.append(line); continue }
            let lead = String(line.prefix { $0 == " " })
            let cont = String(repeating: " ", count: min(lead.count + 4, width / 2))
            var first = true
            for piece in lines(String(line.dropFirst(lead.count)), width: width, indent: cont, keepWords: keepWords) {
                out.append(first ? lead + piece.dropFirst(cont.count) : piece)
                first = false
            }
        }
        return out.joined(separator: "\n")
    }

    static func xml(_ s: String) -> String {
        var o = ""
        for u in s.unicodeScalars {
            switch u {
            case "&": o += "&amp;"
            case "<": o += "&lt;"
            case ">": o += "&gt;"
            case "\"": o += "&quot;"
            case "'": o += "&apos;"
            default:
                // XML 1.0 has no other control characters
                if u.value < 0x20 && u != "\n" && u != "\t" && u != "\r" { o += "?" } else { o.unicodeScalars.append(u) }
            }
        }
        return o
    }
}

/// One JUnit test case: a scenario (or a claim) and its failures.
public struct JUnitCase: Sendable {
    public var name: String
    public var seconds: Double
    public var failures: [(type: String, message: String, text: String)]
    public var skipped: String?

    public init(name: String, seconds: Double, failures: [(type: String, message: String, text: String)] = [], skipped: String? = nil) {
        self.name = name
        self.seconds = seconds
        self.failures = failures
        self.skipped = skipped
    }
}

public enum JUnit {
    public static func xml(suite: String, cases: [JUnitCase], seconds: Double) -> String {
        let failures = cases.filter { !$0.failures.isEmpty }.count
        let skipped = cases.filter { $0.skipped != nil }.count
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out += "<testsuites name=\"kharness\" tests=\"\(cases.count)\" failures=\"\(failures)\" time=\(q(seconds))>\n"
        out += "  <testsuite name=\"\(Wrap.xml(suite))\" tests=\"\(cases.count)\" failures=\"\(failures)\" errors=\"0\" skipped=\"\(skipped)\" time=\(q(seconds))>\n"
        for c in cases {
            out += "    <testcase classname=\"\(Wrap.xml(suite))\" name=\"\(Wrap.xml(c.name))\" time=\(q(c.seconds))"
            if c.failures.isEmpty && c.skipped == nil { out += "/>\n"; continue }
            out += ">\n"
            if let s = c.skipped { out += "      <skipped message=\"\(Wrap.xml(s))\"/>\n" }
            for f in c.failures {
                out += "      <failure type=\"\(Wrap.xml(f.type))\" message=\"\(Wrap.xml(f.message))\">\(Wrap.xml(f.text))</failure>\n"
            }
            out += "    </testcase>\n"
        }
        return out + "  </testsuite>\n</testsuites>\n"
    }

    static func q(_ s: Double) -> String { "\"" + String(format: "%.3f", s) + "\"" }
}
