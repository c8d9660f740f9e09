// SPDX-License-Identifier: GPL-2.0-only
//
// The live line `kharness run` draws on a terminal's stderr: schedules and
// their rate, failing and tolerated findings apart (distinct ones), time
// spent and left, units done; cut to the terminal's width so it never wraps.
import Foundation


public enum ProgressLine {
    /// Columns of the terminal on stderr ($COLUMNS, else the tty's, else 80).
    public static func terminalWidth() -> Int {
        if let c = ProcessInfo.processInfo.environment["COLUMNS"].flatMap(Int.init), c > 0 { return c }
        var ws = winsize()
        if ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &ws) == 0, ws.ws_col > 0 { return Int(ws.ws_col) }
        return 80
    }

    public static func seconds(_ s: Double) -> String {
        if s < 60 { return String(format: "%.1fs", s) }
        if s < 3600 { return "\(Int(s) / 60)m\(String(format: "%02d", Int(s) % 60))s" }
        return "\(Int(s) / 3600)h\(String(format: "%02d", Int(s) % 3600 / 60))m"
    }

    /// Time left: the --time budget's rest, or the planned units' rest at
    /// the rate so far (nil when neither is known).
    public static func remaining(_ p: Explorer.Progress, timeLimit: Double?) -> Double? {
        var left: Double? = nil
        if let n = p.unitsPlanned, p.unitsDone > 0, n > p.unitsDone {
            left = p.seconds / Double(p.unitsDone) * Double(n - p.unitsDone)
        }
        if let t = timeLimit { left = min(left ?? .infinity, max(0, t - p.seconds)) }
        return left
    }

    /// The line (without "\r"), at most width - 1 columns.
    public static func text(_ p: Explorer.Progress, timeLimit: Double?, width: Int) -> String {
        let rate = p.seconds > 0 ? Double(p.schedules) / p.seconds : 0
        var parts = ["\(p.schedules) schedules", "\(Int(rate))/s",
                     "\(p.failing) failing", "\(p.tolerated) tolerated", seconds(p.seconds)]
        if let left = remaining(p, timeLimit: timeLimit) { parts.append("~\(seconds(left)) left") }
        if let n = p.unitsPlanned { parts.append("\(p.unitsDone)/\(n) units") }
        var line = parts.joined(separator: ", ")
        let room = max(10, width - 1)
        if line.count > room {
            // drop the least useful parts first, then cut
            for drop in ["/s", "units", "tolerated"] where line.count > room {
                parts.removeAll { $0.hasSuffix(drop) }
                line = parts.joined(separator: ", ")
            }
            if line.count > room { line = String(line.prefix(room)) }
        }
        return line
    }
}
