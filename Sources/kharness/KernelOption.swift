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
            for w in t?.warnings ?? [] { Console.err("kharness: warning: \(w)\n") }
            return t
        } catch {
            inputError("\(error)")
        }
    }

    /// The code to run: the built-in shim, or the tree's text built into a
    /// variant (exit 125 with the missing symbols when it does not compile),
    /// with `patches` applied.
    func api(quiet: Bool = false, patches: [String] = [], writable: [String] = []) -> KernelAPI {
        let tree = tree()
        if !patches.isEmpty {
            untrustedNote()
            do {
                // built without loading, then loaded under the sandbox
                let v = try VariantBuilder.build(patches: patches, kernel: tree, load: false)
                InProcessGuard.sandbox(writable: writable)
                return try VariantBuilder.load(v)
            } catch HarnessError.untestable(let m) {
                cannotTest(m)
            } catch {
                inputError("\(error)")
            }
        }
        guard let tree else { return .builtin }
        do {
            let (v, sub) = try KernelBuild.base(kernel: tree)
            if !quiet, let sub {
                let note = "kernel \(tree.release) at \(tree.root.path): \(sub.realCount) of \(sub.functions.count) modelled functions run its text"
                Console.err("\(note)\n")
            }
            return v.api
        } catch HarnessError.untestable(let m) {
            cannotTest(m)
        } catch {
            inputError("\(error)")
        }
    }
}

/// --patch P (repeatable) and --kernel DIR: the build a schedule runs on.
struct CodeOptions: ParsableArguments {
    @OptionGroup var kernelOption: KernelOption

    @Option(name: .customLong("patch"), help: ArgumentHelp(
        "Apply this kernel patch first (repeatable, in order; as check-patch applies it).", valueName: "FILE"),
        completion: .file(extensions: ["patch", "diff"]))
    var patches: [String] = []

    func validate() throws {
        for p in patches where !FileManager.default.fileExists(atPath: p) {
            throw ValidationError("no such patch file: \(p)")
        }
    }

    /// Neither --kernel nor --patch (nor KHARNESS_KERNEL).
    var isBuiltin: Bool { patches.isEmpty && kernelOption.tree() == nil }

    /// The build to run: as given, or (for a token of another build and
    /// nothing given) the cached build with the token's code id.
    func api(quiet: Bool = false, codeID: String? = nil, writable: [String] = []) -> KernelAPI {
        if isBuiltin, let id = codeID, id != KernelAPI.builtin.codeID, let c = VariantBuilder.cached(codeID: id) {
            do {
                InProcessGuard.sandbox(writable: writable)
                let api = try KernelAPI.load(path: c.library)
                if !quiet {
                    let what = c.label.isEmpty ? c.library : c.label.joined(separator: " + ")
                    Console.err("kharness: code \(id) is a cached build: \(what)\n")
                }
                return api
            } catch {
                inputError("code \(id): \(error)")
            }
        }
        return kernelOption.api(quiet: quiet, patches: patches, writable: writable)
    }
}

/// Said before a command loads patched code into its own process.
func untrustedNote() {
    guard !ChildProcess.isChild else { return }
    Console.err("kharness: note: the patches' code runs, in a sandboxed child process (it may write only to this command's outputs)\n")
}

/// The code cannot be tested (does not apply or build): exit 125.
func cannotTest(_ m: String) -> Never {
    Console.err("kharness: cannot test: \(m)\n")
    InProcessGuard.disarm()
    Foundation.exit(125)
}
