// SPDX-License-Identifier: GPL-2.0-only
import ArgumentParser
import Foundation
import KernelHarness

extension Kharness {
    struct Kernel: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "kernel",
            abstract: "Show which modelled functions run a kernel tree's text, and build them.",
            discussion: """
                For every function the model defines in CKernelShim/mm/FILE.c, the definition of the \
                same name in DIR/mm/FILE.c replaces the model's (DIR is read, never written).  Prints \
                one line per function, then builds: exit 0 when everything compiles, 125 when some \
                real text does not compile against the stubs (each such function is named with the \
                symbols it lacks), 2 when DIR is not a usable tree.  With --compare, every scenario \
                is then explored on the built-in model and on the tree's text and their failing \
                findings compared by kind and kernel function (exit 1 when they differ).
                """)

        @OptionGroup var kernelOption: KernelOption

        @Flag(help: "Print one JSON object on stdout.")
        var json = false

        @Flag(help: "Explore every scenario on the model and on the tree's text and compare the findings.")
        var compare = false

        @Option(help: "Comma-separated scenarios for --compare (default: every kernel scenario not tagged large).")
        var scenarios: String?

        @Option(help: "Seconds of exploration per scenario and side for --compare.")
        var time: Double = 5

        func validate() throws {
            if kernelOption.kernel == nil && ProcessInfo.processInfo.environment["KHARNESS_KERNEL"] == nil {
                throw ValidationError("give --kernel DIR (or set KHARNESS_KERNEL)")
            }
            if !(time > 0) { throw ValidationError("--time must be a positive number of seconds") }
            if scenarios != nil && !compare { throw ValidationError("--scenarios goes with --compare") }
        }

        struct Row: Codable { var file, function, source: String; var first, last: Int? }
        struct Out: Codable {
            var kernel: String, release: String
            var functions: [Row]
            var real: Int, total: Int
            var builds: Bool
            var error: String?
            var comparison: [ScenarioComparison]?
        }

        func run() throws {
            guard let tree = kernelOption.tree() else { return }
            let r: BuildResult
            do { r = try KernelBuild.build([], kernel: tree) } catch { inputError("\(error)") }
            let sub = r.substitution ?? SubstitutionReport()
            var cmp: [ScenarioComparison]? = nil
            if compare, let v = r.variant {
                let names = scenarios?.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                let opts = PatchCheckOptions(timePerScenario: time, jobs: ProcessInfo.processInfo.activeProcessorCount)
                do {
                    cmp = try Equivalence.compare(tree: v.api, scenarios: names, options: opts,
                                                  log: json ? nil : { Console.err(($0 + "\n")) })
                } catch { inputError("\(error)") }
            }
            if json {
                let rows = sub.functions.map { f -> Row in
                    switch f.source {
                    case .real(let a, let b): return Row(file: f.file, function: f.name, source: "real", first: a, last: b)
                    case .modelOnly: return Row(file: f.file, function: f.name, source: "model-only")
                    case .missing: return Row(file: f.file, function: f.name, source: "missing")
                    }
                }
                let o = Out(kernel: tree.root.path, release: tree.release, functions: rows, real: sub.realCount,
                            total: sub.functions.count, builds: r.variant != nil, error: r.failure,
                            comparison: cmp)
                let enc = JSONEncoder()
                enc.outputFormatting = [.sortedKeys]
                print(String(decoding: try enc.encode(o), as: UTF8.self))
            } else {
                print("kernel \(tree.release) at \(tree.root.path)")
                print(sub.table, terminator: "")
                for n in r.notes { print("note: \(n)") }
                print("\(sub.realCount) of \(sub.functions.count) modelled functions take the tree's text")
                if let f = r.failure { print("cannot test: \(f)", terminator: f.hasSuffix("\n") ? "" : "\n") }
                else { print("the build compiles and loads") }
                if let cmp { print("\n" + Equivalence.table(cmp), terminator: "") }
            }
            if r.variant == nil { throw ExitCode(125) }
            if let cmp, cmp.contains(where: { !$0.same }) { throw ExitCode(1) }
        }
    }
}
