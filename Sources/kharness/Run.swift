// SPDX-License-Identifier: GPL-2.0-only
import ArgumentParser
import Foundation
import KernelHarness

extension Kharness {
    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a scenario under a schedule; exit 0: no finding, 1: finding, 2: bad input.")

        @Argument(help: "Scenario name (see 'kharness list').")
        var scenario: String

        @Option(help: "Replay this schedule token.")
        var schedule: String?

        @Option(help: "Seed of the random chooser.")
        var seed: UInt64?

        func run() throws {
            let world: World
            do {
                world = try World(scenario: scenario)
            } catch {
                inputError("\(error)")
            }
            do {
                if let schedule {
                    try world.run(token: schedule)
                } else if let seed {
                    world.runRandom(seed: seed)
                } else {
                    world.runRoundRobin()
                }
            } catch {
                inputError("\(error)")
            }
            let findings = world.findings
            for f in findings { print(f.report) }
            print("schedule: \(world.token)")
            if world.failed { throw ExitCode(ExitCodes.finding) }
            print("no finding (\(world.stats.steps) steps)")
        }
    }

    struct Replay: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Rerun one schedule token and print its full trace.")

        @Argument(help: "A token printed by run, e.g. ksim1:SCENARIO:CODE:a3b2")
        var token: String

        func run() throws {
            let parts = token.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 4, parts[0] == "ksim1" else {
                inputError("'\(token)' is not a schedule token (expected ksim1:SCENARIO:CODEID:CHOICES)")
            }
            let world: World
            do {
                world = try World(scenario: String(parts[1]))
                try world.run(token: token)
            } catch {
                inputError("\(error)")
            }
            print(world.traceText, terminator: "")
            for f in world.findings { print(f.report) }
            if world.failed { throw ExitCode(ExitCodes.finding) }
        }
    }
}
