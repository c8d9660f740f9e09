// SPDX-License-Identifier: GPL-2.0-only
import ArgumentParser
import Foundation
import KernelHarness

struct Kharness: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kharness",
        abstract: "Run Linux v3.13 mm code under controlled schedules and check its locking.",
        version: "0.1.0 (kernel code \(KernelAPI.builtin.codeID))",
        subcommands: [List.self, Run.self, Replay.self, Merge.self, CheckPatch.self, Fuzz.self, Bench.self, Kernel.self,
                      Worker.self])
}

/// Exit codes: 0 no finding, 1 finding, 2 usage or input error.
enum ExitCodes {
    static let clean: Int32 = 0
    static let finding: Int32 = 1
    static let badInput: Int32 = 2
}

/// Print a clear message for bad input and exit 2 (nothing was run).
func inputError(_ message: String) -> Never {
    FileHandle.standardError.write(Data(("kharness: " + message + "\n").utf8))
    exit(ExitCodes.badInput)
}

// Usage errors exit 2 like every other input error (ArgumentParser would say 64).
do {
    var command = try Kharness.parseAsRoot()
    try command.run()
} catch {
    let code = Kharness.exitCode(for: error)
    if code == .validationFailure {
        FileHandle.standardError.write(Data((Kharness.fullMessage(for: error) + "\n").utf8))
        exit(ExitCodes.badInput)
    }
    Kharness.exit(withError: error)
}
