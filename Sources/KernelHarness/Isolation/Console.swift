// SPDX-License-Identifier: GPL-2.0-only
//
// Where kharness's own output goes.  Normally stdout and stderr; in the
// processes that run patched code (check-patch's worker; the child of run,
// replay and fuzz with patches) the parent hands the real stdout and stderr over as other
// descriptors and points the child's 1 and 2 at a capture file, so that
// whatever the code under test prints (printf, write(1, …), a forked copy)
// cannot land in the table or the JSON stream.
import Foundation

public enum Console {
    /// kharness's stdout.
    public static let outFD: Int32 = descriptor("KHARNESS_CONSOLE_OUT") ?? 1
    /// kharness's stderr.
    public static let errFD: Int32 = descriptor("KHARNESS_CONSOLE_ERR") ?? 2

    static func descriptor(_ name: String) -> Int32? {
        guard let fd = ProcessInfo.processInfo.environment[name].flatMap(Int32.init),
              fd > 2, fcntl(fd, F_GETFD) >= 0 else { return nil }
        return fd
    }

    public static func out(_ s: String) { write(s, to: outFD) }
    public static func err(_ s: String) { write(s, to: errFD) }

    /// All of `s`, unbuffered (a crash right after still leaves it written).
    public static func write(_ s: String, to fd: Int32) {
        var bytes = Array(s.utf8)
        if bytes.isEmpty { return }
        bytes.withUnsafeMutableBytes { b in
            var off = 0
            while off < b.count {
                let n = Foundation.write(fd, b.baseAddress! + off, b.count - off)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                off += n
            }
        }
    }
}
