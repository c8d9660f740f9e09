// SPDX-License-Identifier: GPL-2.0-only
//
// Which changed lines of a patch ran.  check-patch's patched build is
// compiled with basic-block coverage (see VariantBuilder.instrumentFlags):
// each world records the blocks that ran, and the library's table gives
// each block's address.  The build's DWARF line table (read with
// llvm-dwarfdump) says which address ranges belong to which line of which
// file, so a source line ran when a block that ran covers one of its
// ranges.  The kernel code is compiled without optimisation, so blocks are
// laid out in source order and a block extends to the next block's start.
import Foundation

/// Basic blocks that ran, as a bit set over the build's block numbers.
public struct BlockSet: Sendable, Equatable, Codable {
    public private(set) var words: [UInt64]

    public init(count: Int = 0) { words = Array(repeating: 0, count: (count + 63) / 64) }

    public func contains(_ i: Int) -> Bool {
        i >= 0 && i / 64 < words.count && words[i / 64] >> UInt64(i % 64) & 1 == 1
    }
    public mutating func insert(_ i: Int) {
        guard i >= 0 else { return }
        if i / 64 >= words.count { words += Array(repeating: 0, count: i / 64 + 1 - words.count) }
        words[i / 64] |= 1 << UInt64(i % 64)
    }
    public mutating func formUnion(_ o: BlockSet) {
        if o.words.count > words.count { words += Array(repeating: 0, count: o.words.count - words.count) }
        for (i, w) in o.words.enumerated() { words[i] |= w }
    }
    public var count: Int { words.reduce(0) { $0 + $1.nonzeroBitCount } }
}

extension KernelAPI {
    /// The address of every basic block of an instrumented build, by block
    /// number (empty for other builds).
    public var blockAddresses: [UInt64] {
        let t = table.pointee
        guard let n = t.coverage_blocks?(), n > 0, let addr = t.coverage_block_address else { return [] }
        return (0..<Int(n)).map { UInt64(addr($0)) }
    }
}

extension World {
    /// Basic blocks of the kernel code that ran in any run of this world
    /// (builds compiled with block coverage; empty otherwise).
    public var executedBlocks: BlockSet {
        let t = api.table.pointee
        guard let n = t.coverage_blocks?(), n > 0, let ran = t.coverage_block_ran else { return BlockSet() }
        var s = BlockSet(count: Int(n))
        for i in 0..<Int(n) where ran(w, i) != 0 { s.insert(i) }
        return s
    }
}

/// What a build's line table and block table say about the lines of some
/// files.
public struct LineCoverage: Sendable {
    /// Block start addresses, sorted, with their block numbers.
    let blocks: [(address: UInt64, index: Int)]
    /// file -> line -> the address ranges of its code.
    let ranges: [String: [Int: [(lo: UInt64, hi: UInt64)]]]

    /// Read the tables of the build `api` was loaded from, for `files`
    /// ("mm/rmap.c" as the build names them).  Nil when the build has no
    /// block coverage or llvm-dwarfdump cannot read it.
    public static func load(api: KernelAPI, files: Set<String>) -> LineCoverage? {
        guard api.origin != "builtin" else { return nil }
        return load(library: api.origin, blockAddresses: api.blockAddresses, files: files)
    }

    /// The same from a library file (not loaded: llvm-dwarfdump reads it)
    /// and its block table as a worker process sent it.
    public static func load(library lib: String, blockAddresses: [UInt64], files: Set<String>) -> LineCoverage? {
        guard !blockAddresses.isEmpty else { return nil }
        let blocks = blockAddresses.enumerated().filter { $0.element != 0 }
            .map { (address: $0.element, index: $0.offset) }.sorted { $0.address < $1.address }
        guard let dump = try? runCommand(dwarfdump, ["--debug-line", lib]), dump.status == 0 else { return nil }
        return LineCoverage(blocks: blocks, ranges: parse(dump.output, files: files))
    }

    /// The line-table dumper: llvm-dwarfdump, or the versioned one Debian ships.
    static var dwarfdump: String {
        let fm = FileManager.default
        for d in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":") {
            for name in ["llvm-dwarfdump", "llvm-dwarfdump-14", "llvm-dwarfdump-15", "llvm-dwarfdump-16"] {
                let p = "\(d)/\(name)"
                if fm.isExecutableFile(atPath: p) { return p }
            }
        }
        return "llvm-dwarfdump"
    }

    /// Parse `llvm-dwarfdump --debug-line` text: per line table, its file
    /// names, then rows "ADDRESS LINE COLUMN FILE ISA DISCRIMINATOR FLAGS";
    /// a row's code runs up to the next row's address.
    static func parse(_ text: String, files: Set<String>) -> [String: [Int: [(lo: UInt64, hi: UInt64)]]] {
        var out: [String: [Int: [(lo: UInt64, hi: UInt64)]]] = [:]
        var names: [Int: String] = [:]
        var pendingIndex: Int? = nil
        var prev: (addr: UInt64, line: Int, file: String?)? = nil
        for raw in text.split(separator: "\n", omittingEmptySubsequences: true) {
            let l = raw.drop { $0 == " " }
            if l.hasPrefix("debug_line[") {
                names = [:]
                prev = nil
            } else if l.hasPrefix("file_names[") {
                let digits = l.dropFirst("file_names[".count).drop { $0 == " " }.prefix { $0.isNumber }
                pendingIndex = Int(digits)
            } else if l.hasPrefix("name: \""), let i = pendingIndex {
                names[i] = String(l.dropFirst("name: \"".count).dropLast())
                pendingIndex = nil
            } else if l.hasPrefix("0x") {
                let f = l.split(separator: " ", omittingEmptySubsequences: true)
                guard f.count >= 4, let a = UInt64(f[0].dropFirst(2), radix: 16),
                      let line = Int(f[1]), let fi = Int(f[3]) else { continue }
                if let p = prev, let file = p.file, a > p.addr, p.line > 0 {
                    out[file, default: [:]][p.line, default: []].append((p.addr, a))
                }
                let end = f.contains("end_sequence")
                let name = names[fi]
                prev = end ? nil : (a, line, name.flatMap { files.contains($0) ? $0 : nil })
            }
        }
        return out
    }

    /// The lines among `lines` of `file` that have code, and those of them
    /// that ran (some block covering part of their code ran).
    public func lines(file: String, _ lines: [Int], ran: BlockSet) -> (code: [Int], ran: [Int]) {
        guard let perLine = ranges[file] else { return ([], []) }
        var code: [Int] = [], hit: [Int] = []
        for line in lines {
            guard let rs = perLine[line], !rs.isEmpty else { continue }
            code.append(line)
            if rs.contains(where: { ranRange($0.lo, $0.hi, ran) }) { hit.append(line) }
        }
        return (code, hit)
    }

    /// Whether a block that ran overlaps [lo, hi).
    func ranRange(_ lo: UInt64, _ hi: UInt64, _ ran: BlockSet) -> Bool {
        // from the last block starting at or before lo, every block that
        // starts before hi
        guard !blocks.isEmpty else { return false }
        var a = 0, b = blocks.count
        while a < b {
            let m = (a + b) / 2
            if blocks[m].address <= lo { a = m + 1 } else { b = m }
        }
        var k = max(0, a - 1)
        while k < blocks.count && blocks[k].address < hi {
            if ran.contains(blocks[k].index) { return true }
            k += 1
        }
        return false
    }
}

extension ChangedCode {
    /// The line numbers of `lines` ("12-14,20").
    public var lineNumbers: [Int] {
        lines.split(separator: ",").flatMap { part -> [Int] in
            let ends = part.split(separator: "-").compactMap { Int($0) }
            guard let a = ends.first else { return [] }
            let b = ends.count > 1 ? ends[1] : a
            return a <= b ? Array(a...b) : []
        }
    }
}
