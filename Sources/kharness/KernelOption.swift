// SPDX-License-Identifier: GPL-2.0-only
import ArgumentParser
import Foundation
import KernelHarness

/// --kernel DIR, shared by the commands that run kernel code.
struct KernelOption: ParsableArguments {
    @Option(name: .customLong("kernel"), help: ArgumentHelp(
        "A Linux v3.13 source tree: every function the model defines runs that tree's text (read only; default $KHARNESS_KERNEL, else the built-in model).",
        valueName: "DIR"))
    var kernel: String?

    /// The tree, checked (exit 2 with a message when it is not a usable one).
    func tree() -> KernelTree? {
        do {
            let t = try KernelTree.resolve(kernel)
            for w in t?.warnings ?? [] { FileHandle.standardError.write(Data("kharness: warning: \(w)\n".utf8)) }
            return t
        } catch {
            inputError("\(error)")
        }
    }

    /// The code to run: the built-in shim, or the tree's text built into a
    /// variant (exit 125 with the missing symbols when it does not compile).
    func api(quiet: Bool = false) -> KernelAPI {
        guard let tree = tree() else { return .builtin }
        do {
            let (v, sub) = try KernelBuild.base(kernel: tree)
            if !quiet, let sub {
                let note = "kernel \(tree.release) at \(tree.root.path): \(sub.realCount) of \(sub.functions.count) modelled functions run its text"
                FileHandle.standardError.write(Data("\(note)\n".utf8))
            }
            return v.api
        } catch HarnessError.untestable(let m) {
            FileHandle.standardError.write(Data("kharness: cannot test: \(m)\n".utf8))
            Foundation.exit(125)
        } catch {
            inputError("\(error)")
        }
    }
}
