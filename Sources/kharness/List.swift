// SPDX-License-Identifier: GPL-2.0-only
import ArgumentParser
import KernelHarness

extension Kharness {
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the scenarios with one-line summaries ([large]: left out of the suites that run every scenario).")

        @Flag(help: "Also list the operations a spec's 'task' line may run.")
        var operations = false

        func run() throws {
            let api = KernelAPI.builtin
            let scenarios = api.scenarios
            let width = scenarios.map(\.name.count).max() ?? 0
            for s in scenarios {
                // tagged large: left out of the suites that run every scenario
                let large = ScenarioFile.tags(inSpec: s.spec).contains("large") ? " [large]" : ""
                print(s.name.padding(toLength: width + 2, withPad: " ", startingAt: 0) + s.summary + large)
            }
            if operations {
                print("\noperations:")
                for op in api.operations { print("  " + op.usage) }
            }
        }
    }
}
