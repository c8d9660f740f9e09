// SPDX-License-Identifier: GPL-2.0-only
//
// Does a kernel tree's text behave as the model does?  Every scenario is
// explored on both builds and their failing findings compared by kind and
// kernel function (line numbers differ between the two texts; the
// function a finding is in does not).
import Foundation

public struct ScenarioComparison: Sendable, Codable {
    public var scenario: String
    /// "bug in mlock_vma_page()", sorted, on the model and on the tree.
    public var model: [String]
    public var tree: [String]
    public var modelExhausted: Bool
    public var treeExhausted: Bool
    public var same: Bool { model == tree }

    enum CodingKeys: String, CodingKey {
        case scenario, model, tree
        case modelExhausted = "model_exhausted"
        case treeExhausted = "tree_exhausted"
    }
}

public enum Equivalence {
    /// Failing findings as "kind in function()".
    public static func identities(_ r: ExplorationResult) -> [String] {
        Array(Set(r.findings.filter(\.failing).map { "\($0.kind) in \($0.function)()" })).sorted()
    }

    /// Explore `scenarios` (nil: every kernel scenario) on `model` and on
    /// `tree` with check-patch's default exploration.
    public static func compare(model: KernelAPI = .builtin, tree: KernelAPI, scenarios: [String]? = nil,
                               options: PatchCheckOptions, log: ((String) -> Void)? = nil) throws -> [ScenarioComparison] {
        let names = scenarios ?? Scenario.suiteNames(api: model)
        var out: [ScenarioComparison] = []
        for n in names {
            log?("  \(n) ...")
            let m = try PatchChecker.explore(Scenario(registered: n, api: model), api: model, options: options)
            let t = try PatchChecker.explore(Scenario(registered: n, api: tree), api: tree, options: options)
            out.append(ScenarioComparison(scenario: n, model: identities(m), tree: identities(t),
                                          modelExhausted: m.exhausted, treeExhausted: t.exhausted))
        }
        return out
    }

    /// One line per scenario, then the count of those that agree.
    public static func table(_ cmp: [ScenarioComparison]) -> String {
        let w = max(8, cmp.map(\.scenario.count).max() ?? 0)
        func cell(_ l: [String], _ exh: Bool) -> String {
            (l.isEmpty ? "clean" : l.joined(separator: ", ")) + (exh ? " (exh.)" : "")
        }
        var out = "scenario".padding(toLength: w, withPad: " ", startingAt: 0) + "  same  model / tree\n"
        for c in cmp {
            out += c.scenario.padding(toLength: w, withPad: " ", startingAt: 0) + "  " + (c.same ? "yes " : "NO  ")
                + "  " + cell(c.model, c.modelExhausted)
                + (c.same ? "" : "  /  " + cell(c.tree, c.treeExhausted)) + "\n"
        }
        out += "\(cmp.filter(\.same).count) of \(cmp.count) scenarios give the same findings on the model and on the tree's text\n"
        return out
    }
}
