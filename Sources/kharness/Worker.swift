// SPDX-License-Identifier: GPL-2.0-only
import ArgumentParser
import Foundation
import KernelHarness

extension Kharness {
    /// check-patch's worker process (not for people: check-patch starts it).
    struct Worker: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "worker",
            abstract: "Run the patched side of a check-patch in this process (started by check-patch).",
            shouldDisplay: false)

        @Argument(help: "The request (JSON).")
        var request: String
        @Argument(help: "The file to append events to.")
        var events: String

        func run() throws {
            throw ExitCode(WorkerMain.run(request: request, events: events))
        }
    }
}
