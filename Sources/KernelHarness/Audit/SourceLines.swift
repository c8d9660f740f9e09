// SPDX-License-Identifier: GPL-2.0-only
//
// file:line for the code addresses the recorder keeps of plain accesses.
// A plain load or store reaches the shim through the compiler's access
// instrumentation, which passes no source position, only a return address
// into the kernel function.  The line tables of the binary (or of a
// patched build's shared object) know the rest; addr2line from binutils
// reads them, one process per module for every address at once.  Without
// addr2line, or where starting a process is not allowed (the sandboxed
// worker), sites keep their function names and no line.
import Foundation
import CWorkerSupport

enum SourceLines {
    struct Place: Equatable { var file: String; var line: Int; var function: String }

    /// Where each address is, for those that could be placed.
    static func resolve(_ pcs: Set<UInt>) -> [UInt: Place] {
        guard !pcs.isEmpty, let tool = addr2line else { return [:] }
        // module path -> (its load base, whether addresses are offsets, pcs)
        var modules: [String: (base: UInt, relative: Bool, pcs: [UInt])] = [:]
        for pc in pcs.sorted() {
            var fname: UnsafePointer<CChar>? = nil
            var b: UInt = 0
            guard let ptr = UnsafeRawPointer(bitPattern: pc), kh_code_module(ptr, &fname, &b) == 0,
                  let fname else { continue }
            var path = String(cString: fname)
            if path.isEmpty || !path.hasPrefix("/") {
                path = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? path
            }
            if modules[path] == nil { modules[path] = (b, isPositionIndependent(path), []) }
            modules[path]!.pcs.append(pc)
        }
        var out: [UInt: Place] = [:]
        for (path, m) in modules.sorted(by: { $0.key < $1.key }) {
            // a return address: the call (the access) is the byte before it
            let addrs = m.pcs.map { pc in String(m.relative ? pc - 1 - m.base : pc - 1, radix: 16) }
            guard let text = run(tool, ["-f", "-C", "-e", path] + addrs.map { "0x" + $0 }) else { continue }
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            guard lines.count >= 2 * m.pcs.count else { continue }
            for (i, pc) in m.pcs.enumerated() {
                let fn = lines[2 * i], loc = lines[2 * i + 1]
                // "/x/CKernelShim/mm/rmap.c:1187 (discriminator 2)"
                let bare = loc.split(separator: " ").first.map(String.init) ?? loc
                guard let colon = bare.lastIndex(of: ":"), let line = Int(bare[bare.index(after: colon)...]),
                      line > 0 else { continue }
                out[pc] = Place(file: short(String(bare[..<colon])), line: line, function: fn == "??" ? "" : fn)
            }
        }
        return out
    }

    /// "…/CKernelShim/mm/rmap.c" -> "mm/rmap.c", "…/stubs/linux/mm.h" ->
    /// "linux/mm.h" (as the shim names files in its reports).
    static func short(_ path: String) -> String {
        if let r = path.range(of: "/stubs/", options: .backwards) { return String(path[r.upperBound...]) }
        for dir in ["/mm/", "/model/", "/runtime/"] {
            if let r = path.range(of: dir, options: .backwards) {
                return String(dir.dropFirst()) + path[r.upperBound...]
            }
        }
        return (path as NSString).lastPathComponent
    }

    static let addr2line: String? = {
        for d in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let p = "\(d)/addr2line"
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return nil
    }()

    /// ELF type ET_DYN (a PIE or a shared object): addresses are offsets.
    static func isPositionIndependent(_ path: String) -> Bool {
        guard let h = FileHandle(forReadingAtPath: path) else { return true }
        defer { try? h.close() }
        guard let d = try? h.read(upToCount: 18), d.count == 18 else { return true }
        return d[16] == 3 && d[17] == 0
    }

    static func run(_ tool: String, _ args: [String]) -> String? {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = args
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        do { try p.run() } catch { return nil }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self)
    }
}
