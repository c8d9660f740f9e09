// SPDX-License-Identifier: GPL-2.0-only
import ArgumentParser
import Foundation
import KernelHarness

extension Kharness {
    struct Bench: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Measure steps, schedules, bug-finding and the stress baseline (docs/bench.md).",
            discussion: """
                Prints one table (medians over --runs runs, the machine and its load described); \
                --json prints the same data as one JSON object, --json-out also writes it to FILE \
                (fields: docs/bench.md). Numbers depend on the machine and its load: benchmarks, \
                not tests. Exit 0 unless the bench itself fails.
                """)

        @OptionGroup var output: JSONOutput

        @Option(help: "Repetitions of every measurement (default: 5, or 1 with --quick).")
        var runs: Int?

        @Flag(help: "A fast smoke run (small budgets, about 30 s).")
        var quick = false

        @Option(help: "The pthread stress binary (default: build/kshim-stress of the repository).")
        var stress: String?

        @Flag(name: .shortAndLong, help: "No progress lines on stderr.")
        var silent = false

        @OptionGroup var kernelOption: KernelOption

        func validate() throws {
            if let runs, runs < 1 { throw ValidationError("--runs must be at least 1") }
        }

        func run() throws {
            var o = BenchOptions(runs: runs ?? (quick ? 1 : 5), quick: quick)
            o.stressBinary = stress
            o.kernel = kernelOption.tree()
            let b: BenchRunner
            do { b = try BenchRunner(options: o) } catch HarnessError.untestable(let m) {
                Console.err("kharness: cannot test: \(m)\n")
                throw ExitCode(125)
            }
            if !silent {
                b.log = { Console.err(("bench: " + $0 + "\n")) }
            }
            let report = try b.run()
            try output.emit(json: report.json, table: report.table)
        }
    }
}
