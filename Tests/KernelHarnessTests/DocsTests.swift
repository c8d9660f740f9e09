// SPDX-License-Identifier: GPL-2.0-only
import Testing
import Foundation
@testable import KernelHarness

/// The README's and Patches/README's quoted kharness output is what this
/// build prints (`make docs` rewrites it; mk/docs.sh --check compares).
@Suite struct DocsTests {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    @Test func quotedOutputIsWhatThisBuildPrints() throws {
        let bin = try #require(CLI.binary, "kharness binary not built next to the tests")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/bash")
        p.arguments = [Self.repo.appendingPathComponent("mk/docs.sh").path, "--check"]
        var env = ProcessInfo.processInfo.environment
        env["KHARNESS"] = bin.path
        p.environment = env
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "\(text)")
    }

    /// Every function kept as model text is listed, with its reason, in
    /// docs/real-kernel-text.md.
    @Test func everyModelOnlyFunctionIsDocumented() throws {
        let doc = try String(contentsOf: Self.repo.appendingPathComponent("docs/real-kernel-text.md"), encoding: .utf8)
        let shim = try ShimSource.locate()
        var marked = 0
        for f in KernelSubstitution.modelFiles(shim: shim) {
            let text = try String(contentsOf: shim.appendingPathComponent(f), encoding: .utf8)
            for d in CScanner.functions(in: text) where KernelSubstitution.modelOnlyReason(d.comment) != nil {
                marked += 1
                #expect(doc.contains("`\(d.name)`"), "\(f): \(d.name) is model-only but not in docs/real-kernel-text.md")
            }
        }
        #expect(marked > 0)
    }
}
