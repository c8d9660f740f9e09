// SPDX-License-Identifier: GPL-2.0-only
import ArgumentParser
import Foundation
import KernelHarness

extension Kharness {
    struct New: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a starting scenario file from a built-in scenario.",
            discussion: """
                The new file holds the built-in scenario's world spec, tasks and expect lines (and its \
                comments, inside the repository), named after FILE.  Edit it, then run it with \
                'kharness run FILE.scenario'; its expect lines (expect clean, expect bug mm/mlock.c:73, \
                ...) decide the exit code.  The format is described in docs/scenarios.md.
                """)

        @Argument(help: "The file to write: NAME.scenario (NAME: letters, digits, '.', '_', '-').")
        var file: String

        @Option(help: "The built-in scenario to start from (see 'kharness list').")
        var from: String = "seed-reclaim-nonlinear"

        @Flag(help: "Replace FILE if it exists.")
        var force = false

        var name: String { String((file as NSString).lastPathComponent.dropLast(ScenarioFile.suffix.count)) }

        func validate() throws {
            guard file.hasSuffix(ScenarioFile.suffix) else {
                throw ValidationError("\(file): a scenario file's name ends in \(ScenarioFile.suffix)")
            }
            guard ScenarioFile.isValidName(name) else {
                throw ValidationError("\(file): the scenario name '\(name)' must be 1...\(ScenarioFile.maxName) letters, digits, '.', '_' or '-'")
            }
            try OutputPath.checkFile("FILE", file)
            if !force && FileManager.default.fileExists(atPath: file) {
                throw ValidationError("\(file) exists (--force replaces it)")
            }
            guard KernelAPI.builtin.scenario(named: from) != nil else {
                throw ValidationError("unknown scenario '\(from)' (see 'kharness list')")
            }
        }

        func run() throws {
            let base = try Scenario(registered: from)
            let source = (try? ShimSource.locate())?.appendingPathComponent("scenarios/\(from)\(ScenarioFile.suffix)")
            let text = ScenarioFile.template(name: name, from: base, source: source)
            // what is written must run as it is
            _ = try ScenarioFile.parse(Data(text.utf8), path: file)
            do { try text.write(toFile: file, atomically: true, encoding: .utf8) } catch {
                inputError("cannot write \(describe(error))")
            }
            print("wrote \(file) (from \(from)); run it with: kharness run \(file)")
        }
    }
}
