// SPDX-License-Identifier: GPL-2.0-only
//
// SHA-256 for the Swift side (cache keys, cached libraries, the code
// identity of scratch trees), computed by the built-in shim's C code
// (runtime/sha256.c): the same function that hashes the code identity.
import Foundation
import CKernelShim

public struct SHA256 {
    private var state = ksim_sha256()

    public init() { ksim_sha256_init(&state) }

    public mutating func update(_ data: Data) {
        data.withUnsafeBytes { b in
            if let p = b.baseAddress { ksim_sha256_update(&state, p, b.count) }
        }
    }

    public mutating func update(_ bytes: [UInt8]) { update(Data(bytes)) }

    public mutating func update(_ s: String) { update(Data(s.utf8)) }

    public mutating func finish() -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        out.withUnsafeMutableBufferPointer { ksim_sha256_final(&state, $0.baseAddress) }
        return out
    }

    public static func hash(_ data: Data) -> [UInt8] {
        var s = SHA256()
        s.update(data)
        return s.finish()
    }

    public static func hex(_ digest: [UInt8]) -> String {
        digest.map { String(format: "%02x", $0) }.joined()
    }
}

/// An unambiguous byte encoding of structured input for hashing: every
/// field is tagged and length-prefixed (u64 little-endian), lists carry
/// their count, so no two different inputs encode alike (["ab", "c"] and
/// ["a", "bc"] differ, and so do [p1, p2] and [p1 + "patch" + p2]).
public struct HashEncoder {
    public private(set) var data = Data()

    public init(tag: String) { bytes(Data(tag.utf8)) }

    mutating func u64(_ v: UInt64) {
        var le = v.littleEndian
        withUnsafeBytes(of: &le) { data.append(contentsOf: $0) }
    }

    public mutating func bytes(_ d: Data) {
        u64(UInt64(d.count))
        data.append(d)
    }

    public mutating func field(_ name: String, _ value: Data) {
        bytes(Data(name.utf8))
        bytes(value)
    }

    public mutating func field(_ name: String, _ value: String) { field(name, Data(value.utf8)) }

    public mutating func list(_ name: String, _ values: [Data]) {
        bytes(Data(name.utf8))
        u64(UInt64(values.count))
        for v in values { bytes(v) }
    }

    public var digest: [UInt8] { SHA256.hash(data) }
}
