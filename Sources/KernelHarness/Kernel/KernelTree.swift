// SPDX-License-Identifier: GPL-2.0-only
//
// A user's Linux source tree given with --kernel DIR (or KHARNESS_KERNEL):
// checked to be a kernel tree of a version the stubs can build, and only
// ever read.  The harness takes from it the text of the functions the
// model defines (see KernelSubstitution); nothing of it is copied into the
// project.
import Foundation

public struct KernelTree: Sendable {
    /// The tree's root (holds Makefile and mm/).
    public let root: URL
    public let version: Int
    public let patchLevel: Int
    public let subLevel: Int
    /// Things the user should know but that do not stop a run (another
    /// 3.x release, model files the tree lacks).
    public var warnings: [String] = []

    public var release: String { "\(version).\(patchLevel).\(subLevel)" }

    /// The release the model and its stubs follow.
    public static let modelRelease = (3, 13)

    /// DIR from --kernel, else $KHARNESS_KERNEL, else nil (the built-in model).
    public static func resolve(_ option: String?) throws -> KernelTree? {
        if let option { return try open(option) }
        if let env = ProcessInfo.processInfo.environment["KHARNESS_KERNEL"], !env.isEmpty {
            return try open(env, origin: "KHARNESS_KERNEL")
        }
        return nil
    }

    /// Check that `path` is a Linux source tree the stubs can build.
    public static func open(_ path: String, origin: String = "--kernel") throws -> KernelTree {
        let fm = FileManager.default
        let root = URL(fileURLWithPath: path).standardizedFileURL
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: root.path, isDirectory: &isDir) else {
            throw HarnessError.badInput("\(origin) \(path): no such directory")
        }
        guard isDir.boolValue else { throw HarnessError.badInput("\(origin) \(path): not a directory") }
        let makefile = root.appendingPathComponent("Makefile")
        guard let text = try? String(contentsOf: makefile, encoding: .utf8) else {
            throw HarnessError.badInput("\(origin) \(path) is not a Linux source tree: it has no readable Makefile")
        }
        func field(_ name: String) -> Int? {
            for raw in text.split(separator: "\n").prefix(40) {
                let parts = raw.split(separator: "=", maxSplits: 1)
                guard parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces) == name else { continue }
                return Int(parts[1].trimmingCharacters(in: .whitespaces))
            }
            return nil
        }
        guard let v = field("VERSION"), let p = field("PATCHLEVEL") else {
            throw HarnessError.badInput("\(origin) \(path) is not a Linux source tree: its Makefile has no VERSION and PATCHLEVEL")
        }
        let s = field("SUBLEVEL") ?? 0
        guard fm.fileExists(atPath: root.appendingPathComponent("mm").path, isDirectory: &isDir), isDir.boolValue else {
            throw HarnessError.badInput("\(origin) \(path) is not a Linux source tree: it has no mm/ directory")
        }
        var tree = KernelTree(root: root, version: v, patchLevel: p, subLevel: s)
        if v != modelRelease.0 {
            throw HarnessError.badInput("\(origin) \(path) is Linux \(tree.release): the model and its stubs follow v3.13; "
                                        + "other major versions cannot build against them")
        }
        if p != modelRelease.1 {
            tree.warnings.append("\(path) is Linux \(tree.release), the model follows v3.13: functions that changed "
                                 + "since may not compile against the stubs or may behave differently")
        }
        return tree
    }
}
