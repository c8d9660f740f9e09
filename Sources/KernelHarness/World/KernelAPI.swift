// SPDX-License-Identifier: GPL-2.0-only
//
// The C shim's function table.  The built-in table is the shim linked into
// this binary; `KernelAPI.load(path:)` opens another build of the shim (for
// example one with a patch applied) so the same Swift code drives it.
import CKernelShim
#if canImport(Glibc)
import Glibc
#endif

public enum HarnessError: Error, CustomStringConvertible, Equatable {
    /// Input the user gave is malformed (spec, token, option): exit 2.
    case badInput(String)
    /// An unknown scenario, operation or task: exit 2.
    case notFound(String)
    /// A schedule choice that cannot run, or a run that already ended.
    case notEnabled(String)
    /// A token for another scenario or another build of the kernel code.
    case mismatch(String)
    /// Could not load or build a variant of the shim.
    case untestable(String)

    public var description: String {
        switch self {
        case .badInput(let m), .notFound(let m), .notEnabled(let m), .mismatch(let m), .untestable(let m):
            return m
        }
    }

    static func from(code: Int32, message: String) -> HarnessError {
        switch code {
        case KSIM_ENOENT.rawValue: return .notFound(message)
        case KSIM_ENOTENABLED.rawValue, KSIM_EDONE.rawValue: return .notEnabled(message)
        case KSIM_EMISMATCH.rawValue: return .mismatch(message)
        default: return .badInput(message)
        }
    }
}

/// A handle on one build of the C shim: its `ksim_api` function table.
public struct KernelAPI: @unchecked Sendable {
    public let table: UnsafePointer<ksim_api>
    /// Where it came from ("builtin" or a file path).
    public let origin: String

    public static let builtin = KernelAPI(table: ksim_get_api(), origin: "builtin")

    public init(table: UnsafePointer<ksim_api>, origin: String) {
        self.table = table
        self.origin = origin
    }

    /// Open a shared-library build of the shim and take its table.
    public static func load(path: String) throws -> KernelAPI {
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
            throw HarnessError.untestable("cannot load \(path): \(cstr(dlerror()))")
        }
        guard let sym = dlsym(handle, "ksim_get_api") else {
            throw HarnessError.untestable("\(path) has no ksim_get_api")
        }
        typealias GetAPI = @convention(c) () -> UnsafePointer<ksim_api>?
        let get = unsafeBitCast(sym, to: GetAPI.self)
        guard let t = get(), t.pointee.version == UInt32(KSIM_API_VERSION),
              t.pointee.size == UInt32(MemoryLayout<ksim_api>.size) else {
            throw HarnessError.untestable("\(path): incompatible ksim_api")
        }
        return KernelAPI(table: t, origin: path)
    }

    var api: ksim_api { table.pointee }

    /// Identity of the kernel sources compiled into this build.
    public var codeID: String { cstr(api.code_id!()) }

    /// Every registered scenario.
    public var scenarios: [ScenarioInfo] {
        (0..<api.scenario_count!()).map { i in
            ScenarioInfo(name: cstr(api.scenario_name!(i)),
                         summary: cstr(api.scenario_summary!(i)),
                         spec: cstr(api.scenario_spec!(i)))
        }
    }

    public func scenario(named name: String) -> ScenarioInfo? {
        scenarios.first { $0.name == name }
    }

    /// Every registered operation (what a spec's `task` line may run).
    public var operations: [(name: String, usage: String)] {
        (0..<api.operation_count!()).map { i in
            (cstr(api.operation_name!(i)), cstr(api.operation_usage!(i)))
        }
    }

    public func opKindName(_ kind: Int32) -> String { cstr(api.op_kind_name!(kind)) }
}

/// A C string from the shim ("" for NULL).
@inline(__always) func cstr(_ p: UnsafePointer<CChar>?) -> String {
    p.map { String(cString: $0) } ?? ""
}

/// A registered scenario: a named world spec.
public struct ScenarioInfo: Sendable, Hashable, Codable {
    public let name: String
    public let summary: String
    public let spec: String
}
