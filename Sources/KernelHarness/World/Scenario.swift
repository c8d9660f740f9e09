// SPDX-License-Identifier: GPL-2.0-only
//
// A scenario: a named world spec (kernel objects + simulated tasks).  Either
// one registered in the shim (`kharness list`: the files of
// CKernelShim/scenarios/), one read from a scenario file (ScenarioFile), or
// one a user writes in Swift.

/// One simulated task of a scenario: a name and the shim operation it runs.
public struct TaskSpec: Sendable, Hashable, Codable {
    public var name: String
    /// Operation and arguments as on a spec's `task` line, e.g. "incr 1".
    public var operation: String

    public init(_ name: String, _ operation: String) {
        self.name = name
        self.operation = operation
    }
}

public struct Scenario: Sendable, Hashable {
    public var name: String
    public var summary: String
    /// The world spec the shim builds the world from.
    public var spec: String
    /// True for a scenario registered in the shim (tokens carry its name).
    public var registered: Bool
    /// What `kharness run` should find (the file's expect lines).
    public var expectations: [Expectation] = []
    /// The scenario file it was read from (its name is NAME@HASH).
    public var file: String? = nil
    /// The file's `tag` lines (ScenarioFile.knownTags).
    public var tags: [String] = []

    /// Tagged `large`: left out of the suites that explore every
    /// registered scenario (`suiteNames`).
    public var isLarge: Bool { tags.contains("large") }

    /// A scenario written in Swift: the model, its setup lines (objects,
    /// `expect` lines, ...) and the tasks.
    public init(name: String, summary: String = "", model: String = "toy",
                setup: [String] = [], tasks: [TaskSpec]) {
        var spec = "model \(model)\n"
        for line in setup { spec += line + "\n" }
        for t in tasks { spec += "task \(t.name) \(t.operation)\n" }
        self.init(name: name, summary: summary, spec: spec)
    }

    /// A scenario from a complete spec text.
    public init(name: String, summary: String = "", spec: String) {
        self.name = name
        self.summary = summary
        self.spec = spec
        self.registered = false
    }

    /// A scenario registered in the shim (see `kharness list`).
    public init(registered name: String, api: KernelAPI = .builtin) throws {
        guard let info = api.scenario(named: name) else {
            let known = api.scenarios.map(\.name).joined(separator: ", ")
            throw HarnessError.notFound("unknown scenario '\(name)' (known: \(known))")
        }
        self.name = info.name
        self.summary = info.summary
        self.spec = info.spec
        self.registered = true
        self.expectations = ScenarioFile.expectations(inSpec: info.spec)
        self.tags = ScenarioFile.tags(inSpec: info.spec)
    }

    /// Every registered scenario.
    public static func all(api: KernelAPI = .builtin) -> [Scenario] {
        api.scenarios.map {
            var s = Scenario(name: $0.name, summary: $0.summary, spec: $0.spec, registered: true)
            s.expectations = ScenarioFile.expectations(inSpec: $0.spec)
            s.tags = ScenarioFile.tags(inSpec: $0.spec)
            return s
        }
    }

    /// The registered kernel scenarios a suite explores when none are
    /// named (check-patch, `kernel --compare`, `audit --all`): all but the
    /// toys and those tagged `large`.
    public static func suiteNames(api: KernelAPI = .builtin) -> [String] {
        all(api: api).filter { !$0.name.hasPrefix("toy-") && !$0.isLarge }.map(\.name)
    }

    init(name: String, summary: String, spec: String, registered: Bool) {
        self.name = name
        self.summary = summary
        self.spec = spec
        self.registered = registered
    }

    /// The model the spec names ("mm", "toy").
    public var model: String? {
        for line in spec.split(separator: "\n") {
            let w = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            if w.first == "model", w.count >= 2 { return String(w[1]) }
        }
        return nil
    }

    /// A fresh world of this scenario.  (Not inlined: Swift 6.3.1's
    /// optimizer crashes on BenchRunner.run() with it inlined there.)
    @inline(never)
    public func makeWorld(api: KernelAPI = .builtin) throws -> World {
        registered ? try World(scenario: name, api: api) : try World(spec: spec, api: api)
    }
}
