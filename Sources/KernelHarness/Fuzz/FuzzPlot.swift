// SPDX-License-Identifier: GPL-2.0-only
//
// `kharness fuzz --plot FILE`: coverage (features) and distinct findings
// over time, as a small self-contained SVG.
import Foundation

public enum FuzzPlot {
    static func esc(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    public static func svg(_ s: FuzzSummary) -> String {
        let w = 720.0, h = 360.0, l = 60.0, r = 60.0, t = 40.0, b = 50.0
        let pw = w - l - r, ph = h - t - b
        let samples = s.samples.sorted { $0.seconds < $1.seconds }
        let maxT = max(samples.last?.seconds ?? 1, 0.001)
        let maxC = Double(max(samples.map(\.coverage).max() ?? 1, 1))
        let maxF = Double(max(samples.map(\.findings).max() ?? 0, s.findings.count, 1))
        func x(_ v: Double) -> Double { l + pw * v / maxT }
        func yc(_ v: Int) -> Double { t + ph - ph * Double(v) / maxC }
        func yf(_ v: Int) -> Double { t + ph - ph * Double(v) / maxF }
        func f(_ v: Double) -> String { String(format: "%.1f", v) }
        var o = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(w))" height="\(Int(h))" viewBox="0 0 \(Int(w)) \(Int(h))" font-family="sans-serif" font-size="11">
            <rect width="100%" height="100%" fill="white"/>
            <text x="\(f(l))" y="20" font-size="13">kharness fuzz: seed \(s.seed), \(s.execs) executions, \(Int(s.execsPerSecond))/s, \(s.jobs) job\(s.jobs == 1 ? "" : "s")</text>
            <line x1="\(f(l))" y1="\(f(t + ph))" x2="\(f(l + pw))" y2="\(f(t + ph))" stroke="black"/>
            <line x1="\(f(l))" y1="\(f(t))" x2="\(f(l))" y2="\(f(t + ph))" stroke="black"/>
            <line x1="\(f(l + pw))" y1="\(f(t))" x2="\(f(l + pw))" y2="\(f(t + ph))" stroke="black"/>
            <text x="\(f(l + pw / 2))" y="\(f(h - 12))" text-anchor="middle">seconds</text>
            <text x="\(f(l - 8))" y="\(f(t - 8))" text-anchor="end" fill="#1f77b4">coverage</text>
            <text x="\(f(l + pw + 8))" y="\(f(t - 8))" fill="#d62728">findings</text>

            """
        for i in 0...4 {
            let tv = maxT * Double(i) / 4, cv = Int(maxC * Double(i) / 4), fv = maxF * Double(i) / 4
            o += "<text x=\"\(f(x(tv)))\" y=\"\(f(t + ph + 15))\" text-anchor=\"middle\">\(String(format: "%.1f", tv))</text>\n"
            o += "<text x=\"\(f(l - 4))\" y=\"\(f(yc(cv) + 4))\" text-anchor=\"end\" fill=\"#1f77b4\">\(cv)</text>\n"
            o += "<text x=\"\(f(l + pw + 4))\" y=\"\(f(t + ph - ph * Double(i) / 4 + 4))\" fill=\"#d62728\">\(String(format: fv == fv.rounded() ? "%.0f" : "%.1f", fv))</text>\n"
        }
        let cov = samples.map { "\(f(x($0.seconds))),\(f(yc($0.coverage)))" }.joined(separator: " ")
        o += "<polyline fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"2\" points=\"\(cov)\"/>\n"
        var steps: [String] = []
        var prev = 0
        for sm in samples {
            steps.append("\(f(x(sm.seconds))),\(f(yf(prev)))")
            steps.append("\(f(x(sm.seconds))),\(f(yf(sm.findings)))")
            prev = sm.findings
        }
        o += "<polyline fill=\"none\" stroke=\"#d62728\" stroke-width=\"2\" points=\"\(steps.joined(separator: " "))\"/>\n"
        for (i, fd) in s.findings.enumerated() {
            o += "<circle cx=\"\(f(x(fd.seconds)))\" cy=\"\(f(yf(i + 1)))\" r=\"4\" fill=\"#d62728\"><title>\(esc("\(fd.kind) at \(fd.location) after \(fd.execs) executions"))</title></circle>\n"
            o += "<text x=\"\(f(x(fd.seconds) + 6))\" y=\"\(f(yf(i + 1) + 12))\" fill=\"#d62728\">\(esc(fd.kind))</text>\n"
        }
        o += "</svg>\n"
        return o
    }
}
