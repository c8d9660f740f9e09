// SPDX-License-Identifier: GPL-2.0-only
//
// The fuzzer's inputs: a random mm world kept in structured form (so that it
// can be mutated and then repaired into a consistent one), the tasks that run
// in it, and how their schedule is chosen.  Rendered to the shim's spec
// language (CKernelShim/model/mm_world.c); a spec the builder rejects is a
// bug of this generator, and the fuzzer counts those.

/// One file of a fuzz world: `file NAME pages N [unevictable]`.
public struct FuzzFile: Codable, Sendable, Hashable {
    public var pages: Int
    public var unevictable: Bool
}

/// Initial state of one file page: `page FILE:I ...`.
public struct FuzzPage: Codable, Sendable, Hashable {
    /// 0 inactive, 1 active, 2 unevictable
    public var lru: Int
    public var mlocked: Bool
    public var referenced: Bool
    public var dirty: Bool
}

public struct FuzzPte: Codable, Sendable, Hashable {
    /// Page offset inside the vma.
    public var index: Int
    /// Page index in the vma's file.
    public var page: Int
    public var young: Bool
    public var dirty: Bool
    public var write: Bool
}

public struct FuzzVma: Codable, Sendable, Hashable {
    public var file: Int
    public var start: Int
    public var npages: Int
    public var pgoff: Int
    public var locked: Bool
    public var nonlinear: Bool
    public var shared: Bool
    public var write: Bool
    public var ptes: [FuzzPte]
}

public struct FuzzMm: Codable, Sendable, Hashable {
    public var vmas: [FuzzVma]
}

/// A world: files with their pages, mms with their vmas and ptes, a pool.
public struct FuzzWorld: Codable, Sendable, Hashable {
    public var pool: Int
    public var files: [FuzzFile]
    /// pages[f][i]: page i of file f
    public var pages: [[FuzzPage]]
    public var mms: [FuzzMm]

    static func fileName(_ f: Int) -> String { "f\(f)" }
    static func mmName(_ m: Int) -> String { "mm\(m)" }
    static func vmaName(_ m: Int, _ v: Int) -> String { "v\(m)\(v)" }
    static func pageName(_ f: Int, _ i: Int) -> String { "f\(f):\(i)" }

    /// The spec lines (after "model mm"), without tasks.
    public var specLines: [String] {
        var out = ["pool \(pool)"]
        for (f, file) in files.enumerated() {
            out.append("file \(Self.fileName(f)) pages \(file.pages)" + (file.unevictable ? " unevictable" : ""))
        }
        for (f, ps) in pages.enumerated() {
            for (i, p) in ps.enumerated() {
                var attrs: [String] = []
                if p.lru == 1 { attrs.append("active") }
                if p.lru == 2 { attrs.append("unevictable") }
                if p.mlocked { attrs.append("mlocked") }
                if p.referenced { attrs.append("referenced") }
                if p.dirty { attrs.append("dirty") }
                if !attrs.isEmpty { out.append("page \(Self.pageName(f, i)) " + attrs.joined(separator: " ")) }
            }
        }
        for (m, mm) in mms.enumerated() {
            out.append("mm \(Self.mmName(m))")
            for (v, vma) in mm.vmas.enumerated() {
                var l = "vma \(Self.mmName(m)) \(Self.vmaName(m, v)) \(Self.fileName(vma.file)) \(vma.start) \(vma.npages) \(vma.pgoff)"
                if vma.locked { l += " locked" }
                if vma.nonlinear { l += " nonlinear" }
                if vma.shared { l += " shared" }
                if vma.write { l += " write" }
                out.append(l)
                for p in vma.ptes {
                    var t = "pte \(Self.mmName(m)) \(Self.vmaName(m, v)) \(p.index) \(Self.pageName(vma.file, p.page))"
                    if p.young { t += " young" }
                    if p.dirty { t += " dirty" }
                    if p.write { t += " write" }
                    out.append(t)
                }
            }
        }
        return out
    }

    /// (file, page) -> the mapping mm/vma/pte of the first pte that maps it,
    /// in the order the shim's migrate setup searches (mm, vma by address, pte).
    func firstMapper(file f: Int, page i: Int) -> Int? {
        for (m, mm) in mms.enumerated() {
            let byAddr = mm.vmas.sorted { $0.start < $1.start }
            for vma in byAddr where vma.file == f {
                if vma.ptes.sorted(by: { $0.index < $1.index }).contains(where: { $0.page == i }) { return m }
            }
        }
        return nil
    }

    func mappedByLocked(file f: Int, page i: Int) -> Bool {
        mms.contains { $0.vmas.contains { $0.locked && $0.file == f && $0.ptes.contains { $0.page == i } } }
    }

    /// Repair whatever a mutation broke, so that the builder accepts the world:
    /// vmas inside their mm without overlap, ptes that a linear vma can map,
    /// mlocked pages only on the unevictable list and only under a locked vma.
    mutating func normalize() {
        pool = min(max(pool, 0), 4)
        for m in mms.indices {
            var cursor = 0
            for v in mms[m].vmas.indices {
                var vma = mms[m].vmas[v]
                vma.file = min(max(vma.file, 0), files.count - 1)
                let fp = files[vma.file].pages
                if vma.nonlinear { vma.shared = true }
                vma.npages = min(max(vma.npages, 1), 6)
                if !vma.nonlinear {
                    vma.pgoff = min(max(vma.pgoff, 0), fp - 1)
                } else {
                    vma.pgoff = 0
                }
                vma.start = max(vma.start, cursor)
                cursor = vma.start + vma.npages
                var seenIdx = Set<Int>(), seenPage = Set<Int>()
                var ptes: [FuzzPte] = []
                for var p in vma.ptes {
                    guard p.index >= 0, p.index < vma.npages, !seenIdx.contains(p.index) else { continue }
                    if !vma.nonlinear { p.page = vma.pgoff + p.index }
                    guard p.page >= 0, p.page < fp, !seenPage.contains(p.page) else { continue }
                    if !(vma.shared && vma.write) { p.write = false }
                    seenIdx.insert(p.index)
                    seenPage.insert(p.page)
                    ptes.append(p)
                }
                vma.ptes = ptes.sorted { $0.index < $1.index }
                mms[m].vmas[v] = vma
            }
        }
        for f in pages.indices {
            for i in pages[f].indices {
                var p = pages[f][i]
                if p.mlocked && !mappedByLocked(file: f, page: i) { p.mlocked = false }
                if p.mlocked { p.lru = 2 }
                if p.lru == 2 && !p.mlocked && !files[f].unevictable { p.lru = 0 }
                pages[f][i] = p
            }
        }
    }
}

extension FuzzWorld {
    /// Why this world cannot be a fuzz world (the generator, its mutations
    /// and the spec builder assume all of this), or nil.  Checked before
    /// `normalize()`, which indexes by these counts.
    public var problem: String? {
        let maxFiles = 3, maxMms = 3, maxVmas = 4, maxPages = 24, maxVmaPages = 6
        guard (1...maxFiles).contains(files.count) else { return "world.files: \(files.count) files (1...\(maxFiles))" }
        guard pages.count == files.count else { return "world.pages: \(pages.count) lists for \(files.count) files" }
        guard (0...4).contains(pool) else { return "world.pool: \(pool) (0...4)" }
        var total = pool
        for (f, file) in files.enumerated() {
            guard (1...maxPages).contains(file.pages) else { return "world.files[\(f)].pages: \(file.pages) (1...\(maxPages))" }
            guard pages[f].count == file.pages else {
                return "world.pages[\(f)]: \(pages[f].count) pages for a file of \(file.pages)"
            }
            total += file.pages
            if let i = pages[f].firstIndex(where: { !(0...2).contains($0.lru) }) {
                return "world.pages[\(f)][\(i)].lru: \(pages[f][i].lru) (0 inactive, 1 active, 2 unevictable)"
            }
        }
        guard total <= maxPages else { return "world: \(total) pages with the pool (at most \(maxPages))" }
        guard (1...maxMms).contains(mms.count) else { return "world.mms: \(mms.count) mms (1...\(maxMms))" }
        for (m, mm) in mms.enumerated() {
            guard (1...maxVmas).contains(mm.vmas.count) else { return "world.mms[\(m)].vmas: \(mm.vmas.count) vmas (1...\(maxVmas))" }
            for (v, vma) in mm.vmas.enumerated() {
                let at = "world.mms[\(m)].vmas[\(v)]"
                guard files.indices.contains(vma.file) else { return "\(at).file: \(vma.file) (0..<\(files.count))" }
                guard (0...1 << 20).contains(vma.start) else { return "\(at).start: \(vma.start) (0...\(1 << 20))" }
                guard (1...maxVmaPages).contains(vma.npages) else { return "\(at).npages: \(vma.npages) (1...\(maxVmaPages))" }
                guard (0..<files[vma.file].pages).contains(vma.pgoff) else { return "\(at).pgoff: \(vma.pgoff) (0..<\(files[vma.file].pages))" }
                guard vma.ptes.count <= maxVmaPages else { return "\(at).ptes: \(vma.ptes.count) ptes" }
                for (i, p) in vma.ptes.enumerated() {
                    guard (0..<vma.npages).contains(p.index), (0..<files[vma.file].pages).contains(p.page) else {
                        return "\(at).ptes[\(i)]: index \(p.index), page \(p.page) out of range"
                    }
                }
            }
        }
        return nil
    }
}

extension FuzzInput {
    /// Why this input is not one the generator could have made, or nil:
    /// the world's shape, the tasks (as `FuzzGen.valid` checks generated
    /// ones, on the repaired world) and the schedule choice.  A reduced
    /// finding may be down to one task (`minTasks` 1).
    public func problem(minTasks: Int = 2) -> String? {
        if let p = world.problem { return p }
        var w = world
        w.normalize()
        if let p = FuzzGen.problem(tasks, in: w, minTasks: minTasks) { return "tasks: \(p)" }
        guard schedule.kind == "random" || schedule.kind == "pct" else {
            return "schedule.kind: '\(schedule.kind.prefix(40))' (random or pct)"
        }
        guard (1...World.maxPCTDepth).contains(schedule.depth) else {
            return "schedule.depth: \(schedule.depth) (1...\(World.maxPCTDepth))"
        }
        return nil
    }
}

/// How the fuzzer picks one schedule of an input's world.
public struct FuzzSchedule: Codable, Sendable, Hashable {
    /// "random" or "pct"
    public var kind: String
    public var seed: UInt64
    public var depth: Int
}

/// One fuzz input: a world, 2-4 tasks (operation lines) and a schedule choice.
public struct FuzzInput: Codable, Sendable, Hashable {
    public var world: FuzzWorld
    /// e.g. ["reclaim f0:1", "munlock mm0 v00"]
    public var tasks: [String]
    public var schedule: FuzzSchedule

    public var taskSpecs: [TaskSpec] {
        tasks.enumerated().map { i, op in
            TaskSpec("\(op.split(separator: " ").first.map(String.init) ?? "t")\(i)", op)
        }
    }

    /// The complete world spec, tasks included.
    public var spec: String {
        var s = "model mm\n"
        for l in world.specLines { s += l + "\n" }
        for t in taskSpecs { s += "task \(t.name) \(t.operation)\n" }
        return s
    }
}

/// Random worlds, tasks and mutations; every choice comes from one seeded RNG.
struct FuzzGen {
    var rng: SplitMix64

    init(seed: UInt64) { rng = SplitMix64(seed: seed) }

    mutating func int(_ r: ClosedRange<Int>) -> Int {
        r.lowerBound + Int(rng.next() % UInt64(r.upperBound - r.lowerBound + 1))
    }
    mutating func chance(_ p: Double) -> Bool { Double(rng.next() >> 11) / Double(1 << 53) < p }
    mutating func pick<T>(_ a: [T]) -> T { a[int(0...(a.count - 1))] }
    mutating func weighted(_ w: [Int]) -> Int {
        var x = int(0...(w.reduce(0, +) - 1))
        for (i, v) in w.enumerated() { if x < v { return i }; x -= v }
        return w.count - 1
    }

    // MARK: worlds

    mutating func ptes(for vma: FuzzVma, filePages fp: Int) -> [FuzzPte] {
        var out: [FuzzPte] = []
        var free = Array(0..<fp)
        for idx in 0..<vma.npages {
            guard chance(0.8) else { continue }
            let page: Int
            if vma.nonlinear {
                guard !free.isEmpty else { break }
                page = free.remove(at: int(0...(free.count - 1)))
            } else {
                page = vma.pgoff + idx
                if page >= fp { break }
            }
            out.append(FuzzPte(index: idx, page: page, young: chance(0.3), dirty: chance(0.2),
                               write: vma.shared && vma.write && chance(0.5)))
        }
        return out
    }

    mutating func vma(files: [FuzzFile], start: Int) -> FuzzVma {
        let f = int(0...(files.count - 1))
        let fp = files[f].pages
        let nonlinear = chance(0.25)
        let pgoff = nonlinear ? 0 : int(0...(fp - 1))
        let npages = nonlinear ? int(1...(fp + 1)) : int(1...(fp - pgoff))
        var v = FuzzVma(file: f, start: start, npages: npages, pgoff: pgoff, locked: chance(0.55),
                        nonlinear: nonlinear, shared: nonlinear || chance(0.6), write: chance(0.4), ptes: [])
        v.ptes = ptes(for: v, filePages: fp)
        return v
    }

    mutating func world() -> FuzzWorld {
        let nf = 1 + weighted([50, 35, 15])
        let files = (0..<nf).map { _ in FuzzFile(pages: int(1...4), unevictable: chance(0.1)) }
        var w = FuzzWorld(pool: int(0...3), files: files, pages: files.map { f in
            (0..<f.pages).map { _ in FuzzPage(lru: 0, mlocked: false, referenced: false, dirty: false) }
        }, mms: [])
        let nm = 1 + weighted([45, 40, 15])
        for _ in 0..<nm {
            var cursor = int(0...3)
            var mm = FuzzMm(vmas: [])
            for _ in 0..<(1 + weighted([60, 40])) {
                let v = vma(files: files, start: cursor)
                cursor = v.start + v.npages + int(0...2)
                mm.vmas.append(v)
            }
            w.mms.append(mm)
        }
        for f in w.pages.indices {
            for i in w.pages[f].indices { w.pages[f][i] = page(w, f, i) }
        }
        w.normalize()
        return w
    }

    mutating func page(_ w: FuzzWorld, _ f: Int, _ i: Int) -> FuzzPage {
        var p = FuzzPage(lru: chance(0.6) ? 0 : 1, mlocked: false, referenced: chance(0.25), dirty: chance(0.15))
        if w.mappedByLocked(file: f, page: i) && chance(0.6) {
            p.mlocked = true
            p.lru = 2
        } else if w.files[f].unevictable && chance(0.7) {
            p.lru = 2
        }
        return p
    }

    // MARK: tasks

    static let operations = ["reclaim", "migrate", "mlock", "munlock", "cow", "munmap", "exit", "truncate", "drain"]
    static let opWeights = [25, 15, 12, 12, 8, 8, 5, 8, 4]

    /// A random valid task line for `op`, or nil when the world has nothing it can act on.
    mutating func task(_ op: String, in w: FuzzWorld) -> String? {
        let allPages = w.files.indices.flatMap { f in (0..<w.files[f].pages).map { (f, $0) } }
        let vmas = w.mms.indices.flatMap { m in w.mms[m].vmas.indices.map { (m, $0) } }
        switch op {
        case "reclaim":
            let (f, i) = pick(allPages)
            return "reclaim \(FuzzWorld.pageName(f, i))"
        case "migrate":
            let mapped = allPages.filter { w.firstMapper(file: $0.0, page: $0.1) != nil }
            guard !mapped.isEmpty else { return nil }
            let (f, i) = pick(mapped)
            return "migrate \(FuzzWorld.pageName(f, i))"
        case "mlock", "munlock", "munmap":
            let (m, v) = pick(vmas)
            return "\(op) \(FuzzWorld.mmName(m)) \(FuzzWorld.vmaName(m, v))"
        case "cow":
            let (m, v) = pick(vmas)
            return "cow \(FuzzWorld.mmName(m)) \(FuzzWorld.vmaName(m, v)) \(int(0...(w.mms[m].vmas[v].npages - 1)))"
        case "exit":
            return "exit \(FuzzWorld.mmName(int(0...(w.mms.count - 1))))"
        case "truncate":
            let f = int(0...(w.files.count - 1))
            return "truncate \(FuzzWorld.fileName(f)) \(int(0...(w.files[f].pages - 1)))"
        case "drain":
            return "drain"
        default:
            return nil
        }
    }

    mutating func randomTask(in w: FuzzWorld) -> String {
        while true {
            if let t = task(Self.operations[weighted(Self.opWeights)], in: w) { return t }
        }
    }

    /// The mm a task line acts in (nil: none).
    static func mm(of task: String, in w: FuzzWorld) -> Int? {
        let parts = task.split(separator: " ").map(String.init)
        switch parts.first {
        case "mlock", "munlock", "munmap", "cow", "exit":
            return parts.count > 1 ? Int(parts[1].dropFirst(2)) : nil
        case "migrate":
            guard parts.count > 1 else { return nil }
            let fi = parts[1].dropFirst().split(separator: ":").compactMap { Int($0) }
            return fi.count == 2 ? w.firstMapper(file: fi[0], page: fi[1]) : nil
        default:
            return nil
        }
    }

    /// Tasks that can really run together: an exiting mm has no other user
    /// (exit_mmap runs without mmap_sem because nobody else can be in the mm),
    /// and every argument still names something in the world.
    static func valid(_ tasks: [String], in w: FuzzWorld) -> Bool {
        problem(tasks, in: w) == nil
    }

    /// Arguments each operation takes (after its name).
    static let arity = ["reclaim": 1, "migrate": 1, "mlock": 2, "munlock": 2, "munmap": 2,
                        "cow": 3, "exit": 1, "truncate": 2, "drain": 0]

    /// A non-negative decimal number, nothing else ("007" and "+1" are not names).
    static func index<S: StringProtocol>(_ s: S) -> Int? {
        guard !s.isEmpty, s.count <= 9, s.allSatisfy({ $0.isASCII && $0.isNumber }),
              s == "0" || !s.hasPrefix("0") else { return nil }
        return Int(s)
    }

    /// "fF:I" -> (F, I) when it names a page of `w`.
    static func page(_ name: String, in w: FuzzWorld) -> (Int, Int)? {
        guard name.hasPrefix("f") else { return nil }
        let fi = name.dropFirst().split(separator: ":", omittingEmptySubsequences: false)
        guard fi.count == 2, let f = index(fi[0]), let i = index(fi[1]),
              f < w.files.count, i < w.files[f].pages else { return nil }
        return (f, i)
    }

    /// "mmM", "vMV" -> (M, V) when they name a vma of `w`.
    static func vma(_ mmName: String, _ vmaName: String, in w: FuzzWorld) -> (Int, Int)? {
        guard mmName.hasPrefix("mm"), let m = index(mmName.dropFirst(2)), m < w.mms.count else { return nil }
        let head = "v\(m)"
        guard vmaName.hasPrefix(head), let v = index(vmaName.dropFirst(head.count)),
              v < w.mms[m].vmas.count else { return nil }
        return (m, v)
    }

    /// Why `tasks` cannot run together in `w`, or nil when they can.  Total:
    /// any strings at all (a corpus file may hold anything) get an answer.
    static func problem(_ tasks: [String], in w: FuzzWorld, minTasks: Int = 2) -> String? {
        guard (minTasks...4).contains(tasks.count) else {
            return "\(tasks.count) task\(tasks.count == 1 ? "" : "s") (this input has \(minTasks)...4)"
        }
        var exits = Set<Int>()
        var mmOf: [Int?] = []
        for (k, t) in tasks.enumerated() {
            let parts = t.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
            guard let op = parts.first, !op.isEmpty else { return "task \(k + 1) is empty" }
            guard let n = arity[op] else { return "task \(k + 1): unknown operation '\(op.prefix(40))'" }
            guard parts.count == n + 1 else {
                return "task \(k + 1): '\(op)' takes \(n) argument\(n == 1 ? "" : "s"), got \(parts.count - 1)"
            }
            let bad = "task \(k + 1): '\(t.prefix(60))' names nothing in the world"
            var mm: Int? = nil
            switch op {
            case "reclaim":
                guard page(parts[1], in: w) != nil else { return bad }
            case "migrate":
                guard let (f, i) = page(parts[1], in: w) else { return bad }
                guard let m = w.firstMapper(file: f, page: i) else { return "task \(k + 1): migrate of an unmapped page" }
                mm = m
            case "mlock", "munlock", "munmap":
                guard let (m, _) = vma(parts[1], parts[2], in: w) else { return bad }
                mm = m
            case "cow":
                guard let (m, v) = vma(parts[1], parts[2], in: w), let i = index(parts[3]),
                      i < w.mms[m].vmas[v].npages else { return bad }
                mm = m
            case "exit":
                guard parts[1].hasPrefix("mm"), let m = index(parts[1].dropFirst(2)), m < w.mms.count else { return bad }
                guard exits.insert(m).inserted else { return "task \(k + 1): mm\(m) exits twice" }
                mm = m
            case "truncate":
                guard parts[1].hasPrefix("f"), let f = index(parts[1].dropFirst()), f < w.files.count,
                      let from = index(parts[2]), from < w.files[f].pages else { return bad }
            default:
                break
            }
            mmOf.append(op == "exit" ? nil : mm)
        }
        for (k, m) in mmOf.enumerated() {
            if let m, exits.contains(m) { return "task \(k + 1) acts in mm\(m) while it exits" }
        }
        return nil
    }

    mutating func tasks(in w: FuzzWorld) -> [String] {
        let n = 2 + weighted([55, 30, 15])
        while true {
            let ts = (0..<n).map { _ in randomTask(in: w) }
            if Self.valid(ts, in: w) { return ts }
        }
    }

    mutating func schedule() -> FuzzSchedule {
        FuzzSchedule(kind: chance(0.4) ? "random" : "pct", seed: rng.next(), depth: int(1...3))
    }

    mutating func input() -> FuzzInput {
        let w = world()
        return FuzzInput(world: w, tasks: tasks(in: w), schedule: schedule())
    }

    // MARK: mutation

    /// One to three small changes; the result is repaired and its tasks valid.
    mutating func mutate(_ input: FuzzInput) -> FuzzInput {
        for _ in 0..<8 {
            var x = input
            for _ in 0..<(1 + weighted([60, 30, 10])) { mutateOnce(&x) }
            x.world.normalize()
            if !Self.valid(x.tasks, in: x.world) {
                // repair: regenerate the tasks that no longer fit
                for i in x.tasks.indices where !Self.valid([x.tasks[i], "drain"], in: x.world) {
                    x.tasks[i] = randomTask(in: x.world)
                }
            }
            if Self.valid(x.tasks, in: x.world) && x != input { return x }
        }
        var x = input
        x.schedule.seed = rng.next()
        return x
    }

    mutating func mutateOnce(_ x: inout FuzzInput) {
        switch weighted([30, 15, 12, 8, 8, 8, 7, 6, 6]) {
        case 0:     // another schedule of the same input
            x.schedule.seed = rng.next()
            if chance(0.2) { x.schedule.kind = x.schedule.kind == "pct" ? "random" : "pct" }
            if chance(0.3) { x.schedule.depth = int(1...4) }
        case 1:     // replace a task
            x.tasks[int(0...(x.tasks.count - 1))] = randomTask(in: x.world)
        case 2:     // same operation, other arguments
            let i = int(0...(x.tasks.count - 1))
            let op = String(x.tasks[i].split(separator: " ")[0])
            if let t = task(op, in: x.world) { x.tasks[i] = t }
        case 3:     // add or drop a task
            if x.tasks.count < 4 && (x.tasks.count == 2 || chance(0.5)) {
                x.tasks.insert(randomTask(in: x.world), at: int(0...x.tasks.count))
            } else if x.tasks.count > 2 {
                x.tasks.remove(at: int(0...(x.tasks.count - 1)))
            }
        case 4:     // flip a vma flag
            let m = int(0...(x.world.mms.count - 1))
            guard !x.world.mms[m].vmas.isEmpty else { return }
            let v = int(0...(x.world.mms[m].vmas.count - 1))
            var vma = x.world.mms[m].vmas[v]
            switch int(0...3) {
            case 0: vma.locked.toggle()
            case 1:
                vma.nonlinear.toggle()
                if vma.nonlinear { vma.shared = true }
            case 2: vma.shared.toggle(); if !vma.shared { vma.nonlinear = false }
            default: vma.write.toggle()
            }
            x.world.mms[m].vmas[v] = vma
        case 5:     // a page's LRU list and flags
            let f = int(0...(x.world.files.count - 1))
            let i = int(0...(x.world.files[f].pages - 1))
            var p = x.world.pages[f][i]
            switch int(0...3) {
            case 0: p.mlocked.toggle(); if p.mlocked { p.lru = 2 }
            case 1: p.lru = int(0...2)
            case 2: p.referenced.toggle()
            default: p.dirty.toggle()
            }
            x.world.pages[f][i] = p
        case 6:     // map or unmap one pte
            let m = int(0...(x.world.mms.count - 1))
            guard !x.world.mms[m].vmas.isEmpty else { return }
            let v = int(0...(x.world.mms[m].vmas.count - 1))
            var vma = x.world.mms[m].vmas[v]
            if !vma.ptes.isEmpty && chance(0.5) {
                vma.ptes.remove(at: int(0...(vma.ptes.count - 1)))
            } else {
                let fp = x.world.files[vma.file].pages
                vma.ptes.append(FuzzPte(index: int(0...(vma.npages - 1)),
                                        page: vma.nonlinear ? int(0...(fp - 1)) : vma.pgoff,
                                        young: chance(0.3), dirty: chance(0.2), write: chance(0.5)))
            }
            x.world.mms[m].vmas[v] = vma
        case 7:     // pool size
            x.world.pool = int(0...4)
        default:    // a new vma in some mm (or a fresh world for the same kinds of tasks)
            let m = int(0...(x.world.mms.count - 1))
            if x.world.mms[m].vmas.count < 3 {
                let start = (x.world.mms[m].vmas.map { $0.start + $0.npages }.max() ?? 0) + int(0...2)
                x.world.mms[m].vmas.append(vma(files: x.world.files, start: start))
            } else {
                x.world.mms[m].vmas.removeLast()
            }
        }
    }
}
