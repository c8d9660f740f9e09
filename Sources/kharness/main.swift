// SPDX-License-Identifier: GPL-2.0-only
import ArgumentParser
import Foundation
import KernelHarness

struct Kharness: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kharness",
        abstract: "Run Linux v3.13 mm code under controlled schedules and check its locking.",
        version: "0.1.0 (kernel code \(KernelAPI.builtin.codeID))",
        subcommands: [List.self, Run.self, Replay.self, New.self, Merge.self, CheckPatch.self, Fuzz.self, Audit.self, Bench.self, Kernel.self,
                      Build.self, Worker.self])
}

/// Exit codes: 0 no finding, 1 finding (or a bad verdict), 2 usage, input or
/// environment error, 125 (check-patch, kernel, bench) cannot test.
enum ExitCodes {
    static let clean: Int32 = 0
    static let finding: Int32 = 1
    static let badInput: Int32 = 2
    static let cannotTest: Int32 = 125
}

/// Print a clear message for bad input and exit 2 (nothing was run).
func inputError(_ message: String) -> Never {
    InProcessGuard.disarm()
    Console.err(("kharness: " + message + "\n"))
    exit(ExitCodes.badInput)
}

/// An error in words: a file error names the file and the system's reason.
func describe(_ error: Error) -> String {
    if let h = error as? HarnessError { return h.description }
    let ns = error as NSError
    var path = ns.userInfo[NSFilePathErrorKey] as? String
    if path == nil, let u = ns.userInfo[NSURLErrorKey] as? URL { path = u.path }
    var reason = ns.localizedDescription
    if let u = ns.userInfo[NSUnderlyingErrorKey] as? Error {
        let under = u as NSError
        if under.domain == NSPOSIXErrorDomain { reason = String(cString: strerror(Int32(under.code))) }
    }
    return path.map { "\($0): \(reason)" } ?? reason
}

// Usage errors exit 2 like every other input error (ArgumentParser would say
// 64).  Any other error that reaches here is the input's or the
// environment's (a file that cannot be read or written, a cache that cannot
// be created), never a finding: exit 2, or 125 where `git bisect run` must
// skip (check-patch could not test the patch).
var parsed: ParsableCommand? = nil
do {
    var command = try Kharness.parseAsRoot()
    parsed = command
    try command.run()
    InProcessGuard.disarm()
} catch {
    InProcessGuard.disarm()
    let code = Kharness.exitCode(for: error)
    if code == .validationFailure {
        Console.err((Kharness.fullMessage(for: error) + "\n"))
        exit(ExitCodes.badInput)
    }
    if error is ExitCode || code == .success || parsed == nil {
        Kharness.exit(withError: error)
    }
    if parsed is Kharness.CheckPatch {
        Console.err(("kharness: cannot test: " + describe(error) + "\n"))
        exit(ExitCodes.cannotTest)
    }
    inputError(describe(error))
}
