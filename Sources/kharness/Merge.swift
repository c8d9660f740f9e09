// SPDX-License-Identifier: GPL-2.0-only
import ArgumentParser
import Foundation
import KernelHarness

extension Kharness {
    struct Merge: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Merge the --json results of all shards of one run into what the unsharded run reports.")

        @Argument(help: "JSON files written by 'kharness run ... --shard I/N --json'.")
        var files: [String]

        func load() throws -> [RunReport] {
            guard !files.isEmpty else { throw HarnessError.badInput("merge: give the shards' JSON files") }
            return try files.map { f in
                guard let d = FileManager.default.contents(atPath: f) else {
                    throw HarnessError.badInput("merge: cannot read \(f)")
                }
                let r: RunReport
                do { r = try RunReport.decode(d) } catch {
                    throw HarnessError.badInput("merge: \(f) is not a 'kharness run --json' result: \(error)")
                }
                do { try r.validateForMerge() } catch { throw HarnessError.badInput("merge: \(f): \(error)") }
                return r
            }
        }

        func run() throws {
            let merged: ExplorationResult
            do { merged = try Explorer.merge(try load()) } catch { inputError("\(error)") }
            print(RunReport(merged).json)
            if merged.failed { throw ExitCode(ExitCodes.finding) }
        }
    }
}
