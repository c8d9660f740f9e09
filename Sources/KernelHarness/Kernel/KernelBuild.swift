// SPDX-License-Identifier: GPL-2.0-only
//
// The builds a run or a patch check needs: the built-in model or a kernel
// tree's text, unpatched or with patches applied to a scratch copy.
// Neither the project's tree nor the user's kernel tree is ever written.
import Foundation

public struct BuildResult: Sendable {
    /// nil when a patch did not apply (see `failure` and `outcomes`) or the
    /// code did not build.
    public var variant: Variant?
    public var outcomes: [PatchOutcome] = []
    /// With a kernel tree: which functions run the tree's text.
    public var substitution: SubstitutionReport?
    /// Why there is no variant: rejects, compiler errors (untestable).
    public var failure: String?
    /// What the user should know (skipped files, warnings).
    public var notes: [String] = []
}

public enum KernelBuild {
    /// Build `patches` (none: the unpatched code) on the built-in model, or
    /// on `kernel`'s text when given.
    public static func build(_ patches: [PatchText], kernel: KernelTree?, fuzz: Int = 0,
                             shim: URL? = nil, workDir: URL? = nil, instrument: Bool = false,
                             load: Bool = true) throws -> BuildResult {
        let shim = try shim ?? ShimSource.locate()
        let fm = FileManager.default
        let scratch = try Scratch.make("build", in: workDir)
        defer { try? fm.removeItem(at: scratch) }
        var r = BuildResult()
        let label = patches.map(\.source)
        let texts = patches.map { Data($0.text.utf8) }
        guard let kernel else {
            if patches.isEmpty {
                r.variant = try VariantBuilder.compile(tree: shim, label: label, workDir: scratch, instrument: instrument,
                                                       load: load)
                return r
            }
            let tree = scratch.appendingPathComponent("CKernelShim")
            try fm.copyItem(at: shim, to: tree)
            r.outcomes = try PatchApplier.apply(patches, to: tree, fuzz: fuzz, mode: .model)
            if let bad = r.outcomes.first(where: { !$0.applied }) {
                r.failure = bad.failure
                return r
            }
            for o in r.outcomes where !o.skippedFiles.isEmpty {
                r.notes.append("\(o.patch.source): not applied, the model has no \(o.skippedFiles.joined(separator: ", "))")
            }
            do {
                r.variant = try VariantBuilder.compile(tree: tree, label: label, workDir: scratch, instrument: instrument,
                                                       patches: texts, scratchTree: true, load: load)
                r.notes += r.variant?.notes ?? []
            } catch HarnessError.untestable(let m) {
                r.failure = m
            }
            return r
        }
        r.notes += kernel.warnings
        // the pristine tree's substitution says which functions run its text
        let pristine = try KernelSubstitution.write(kernelRoot: kernel.root, shim: shim,
                                                    to: scratch.appendingPathComponent("pristine"))
        var source = kernel.root
        var added: [String: Set<String>] = [:]
        if !patches.isEmpty {
            // a scratch copy of what the patches and the model read of the tree
            let copy = scratch.appendingPathComponent("kernel")
            var files = Set(KernelSubstitution.modelFiles(shim: shim))
            files.insert("Makefile")
            for p in patches { for f in p.files { files.insert(f.path); if let o = f.oldPath { files.insert(o) } } }
            for f in files.sorted() where PatchApplier.safe(f) {
                let from = kernel.root.appendingPathComponent(f)
                guard fm.fileExists(atPath: from.path) else { continue }
                let to = copy.appendingPathComponent(f)
                try fm.createDirectory(at: to.deletingLastPathComponent(), withIntermediateDirectories: true)
                try fm.copyItem(at: from, to: to)
            }
            var modelled: [String: Set<String>] = [:]
            var modelOnly: [String: String] = [:]
            for f in pristine.functions {
                switch f.source {
                case .real: modelled[f.file, default: []].insert(f.name)
                case .modelOnly(let why): modelOnly["\(f.file):\(f.name)"] = why
                case .missing: modelOnly["\(f.file):\(f.name)"] = "the tree has no definition of it"
                }
            }
            r.outcomes = try PatchApplier.apply(patches, to: copy, fuzz: fuzz,
                                                mode: .kernel(modelled: modelled, modelOnly: modelOnly))
            if let bad = r.outcomes.first(where: { !$0.applied }) {
                r.failure = bad.failure
                return r
            }
            // functions the patches added to a modelled file join the build
            for f in KernelSubstitution.modelFiles(shim: shim) {
                let before = (try? String(contentsOf: kernel.root.appendingPathComponent(f), encoding: .utf8)) ?? ""
                let after = (try? String(contentsOf: copy.appendingPathComponent(f), encoding: .utf8)) ?? ""
                guard before != after else { continue }
                let old = Set(CScanner.functions(in: before).map(\.name))
                let model = Set(pristine.functions.filter { $0.file == f }.map(\.name))
                let new = Set(CScanner.functions(in: after).map(\.name)).subtracting(old).subtracting(model)
                if !new.isEmpty { added[f] = new }
            }
            for i in r.outcomes.indices {
                for j in r.outcomes[i].changed.indices {
                    let c = r.outcomes[i].changed[j]
                    if let fn = c.function, added[c.file]?.contains(fn) == true {
                        r.outcomes[i].changed[j].status = .runs
                        r.outcomes[i].changed[j].why = "added by the patch"
                    }
                }
            }
            source = copy
        }
        let tree = scratch.appendingPathComponent("CKernelShim")
        let sub = try KernelSubstitution.write(kernelRoot: source, shim: shim, to: tree, added: added)
        r.substitution = sub
        r.notes += sub.warnings
        do {
            r.variant = try VariantBuilder.compile(tree: tree, label: ["kernel \(kernel.release)"] + label, workDir: scratch,
                                                   instrument: instrument, patches: texts, scratchTree: true, load: load)
            r.notes += r.variant?.notes ?? []
        } catch HarnessError.untestable(let m) {
            r.failure = KernelSubstitution.explain(compilerOutput: m, report: sub)
        }
        return r
    }

    /// The unpatched build (model or kernel text) as a Variant, or an
    /// `.untestable` error naming what does not compile.
    public static func base(kernel: KernelTree?) throws -> (Variant, SubstitutionReport?) {
        let r = try build([], kernel: kernel)
        guard let v = r.variant else {
            throw HarnessError.untestable(r.failure ?? "the kernel code does not build")
        }
        return (v, r.substitution)
    }
}
