// SPDX-License-Identifier: GPL-2.0-only
//
// Scenario files as fuzz seeds (`kharness fuzz --seed-corpus FILE,...`): an
// mm scenario's world and tasks become a fuzz input, named the way the
// generator names things (f0, mm0, v00, ...), so the fuzzer starts from a
// world someone wrote and mutates it.  Only what the fuzzer's world shape
// holds converts: a scenario with anon pages, remap tasks or `option` lines
// (among others) is refused with the reason.
import Foundation

extension FuzzInput {
    /// The fuzz input of an mm scenario, scheduled by PCT with `seed`.
    public init(scenario: Scenario, seed: UInt64 = 1) throws {
        func refuse(_ why: String) -> HarnessError {
            .badInput("scenario \(scenario.name) cannot seed the fuzzer: \(why)")
        }
        guard scenario.model == "mm" else { throw refuse("only mm scenarios can (model \(scenario.model ?? "none"))") }
        var world = FuzzWorld(pool: 0, files: [], pages: [], mms: [])
        var fileIndex: [String: Int] = [:]
        var mmIndex: [String: Int] = [:]
        var vmaIndex: [String: (Int, Int)] = [:]    // "MM VMA" -> (m, v)
        var tasks: [String] = []
        func page(_ s: String) throws -> (Int, Int) {
            let p = s.split(separator: ":", omittingEmptySubsequences: false)
            guard p.count == 2, let f = fileIndex[String(p[0])], let i = Int(p[1]),
                  i >= 0, i < world.files[f].pages else { throw refuse("'\(s)' is not a page of a file") }
            return (f, i)
        }
        func vma(_ mm: String, _ v: String) throws -> (Int, Int) {
            guard let mv = vmaIndex["\(mm) \(v)"] else { throw refuse("no vma '\(v)' of mm '\(mm)'") }
            return mv
        }
        for raw in scenario.spec.split(separator: "\n") {
            var w: [String] = []
            for x in raw.split(whereSeparator: { $0 == " " || $0 == "\t" }) {
                if x.hasPrefix("#") { break }
                w.append(String(x))
            }
            guard let d = w.first else { continue }
            let attrs = Set(w.dropFirst())
            switch d {
            case "model", "scenario", "summary", "expect", "tag":
                continue
            case "pool":
                guard w.count == 2, let n = Int(w[1]) else { throw refuse("bad pool line") }
                world.pool = n
            case "file":
                guard w.count >= 4, w[2] == "pages", let n = Int(w[3]) else { throw refuse("bad file line") }
                // the fuzzer's worlds hold at most 24 pages in all
                guard (1...24).contains(n) else { throw refuse("file \(w[1]) of \(n) pages (the fuzzer's files have 1...24)") }
                fileIndex[w[1]] = world.files.count
                world.files.append(FuzzFile(pages: n, unevictable: attrs.contains("unevictable")))
                world.pages.append(Array(repeating: FuzzPage(lru: 0, mlocked: false, referenced: false, dirty: false),
                                         count: n))
            case "page":
                guard w.count >= 2 else { throw refuse("bad page line") }
                if attrs.contains("stranded") { throw refuse("stranded pages are not in the fuzzer's worlds") }
                let (f, i) = try page(w[1])
                world.pages[f][i] = FuzzPage(lru: attrs.contains("unevictable") ? 2 : attrs.contains("active") ? 1 : 0,
                                             mlocked: attrs.contains("mlocked"), referenced: attrs.contains("referenced"),
                                             dirty: attrs.contains("dirty"))
            case "mm":
                guard w.count == 2 else { throw refuse("bad mm line") }
                mmIndex[w[1]] = world.mms.count
                world.mms.append(FuzzMm(vmas: []))
            case "vma":
                guard w.count >= 7, let m = mmIndex[w[1]], let f = fileIndex[w[3]],
                      let start = Int(w[4]), let n = Int(w[5]), let off = Int(w[6]) else { throw refuse("bad vma line") }
                vmaIndex["\(w[1]) \(w[2])"] = (m, world.mms[m].vmas.count)
                world.mms[m].vmas.append(FuzzVma(file: f, start: start, npages: n, pgoff: off,
                                                 locked: attrs.contains("locked"), nonlinear: attrs.contains("nonlinear"),
                                                 shared: attrs.contains("shared"), write: attrs.contains("write"), ptes: []))
            case "pte":
                guard w.count >= 5, let i = Int(w[3]) else { throw refuse("bad pte line") }
                let (m, v) = try vma(w[1], w[2])
                let (f, p) = try page(w[4])
                guard f == world.mms[m].vmas[v].file else { throw refuse("a pte to a page of another file") }
                world.mms[m].vmas[v].ptes.append(FuzzPte(index: i, page: p, young: attrs.contains("young"),
                                                         dirty: attrs.contains("dirty"), write: attrs.contains("write")))
            case "task":
                guard w.count >= 3 else { throw refuse("bad task line") }
                let op = w[2], args = Array(w.dropFirst(3))
                var out = [op]
                switch op {
                case "reclaim", "migrate":
                    guard args.count == 1 else { throw refuse("bad \(op) task") }
                    let (f, i) = try page(args[0])
                    out.append(FuzzWorld.pageName(f, i))
                case "mlock", "munlock", "munmap", "cow":
                    guard args.count == (op == "cow" ? 3 : 2) else { throw refuse("bad \(op) task") }
                    let (m, v) = try vma(args[0], args[1])
                    out += [FuzzWorld.mmName(m), FuzzWorld.vmaName(m, v)] + args.dropFirst(2)
                case "exit":
                    guard args.count == 1, let m = mmIndex[args[0]] else { throw refuse("bad exit task") }
                    out.append(FuzzWorld.mmName(m))
                case "truncate":
                    guard args.count == 2, let f = fileIndex[args[0]] else { throw refuse("bad truncate task") }
                    out += [FuzzWorld.fileName(f), args[1]]
                case "drain":
                    guard args.isEmpty else { throw refuse("bad drain task") }
                default:
                    throw refuse("the fuzzer does not generate '\(op)' tasks")
                }
                tasks.append(out.joined(separator: " "))
            default:
                throw refuse("'\(d)' lines are not in the fuzzer's worlds")
            }
        }
        self.init(world: world, tasks: tasks, schedule: FuzzSchedule(kind: "pct", seed: seed, depth: 3))
        if let p = problem() { throw refuse(p) }
    }
}
