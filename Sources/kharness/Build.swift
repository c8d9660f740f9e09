// SPDX-License-Identifier: GPL-2.0-only
//
// kharness build PATCH... --prefix DIR: the kernel code with patches as a C
// library for suites of one's own (cmocka, ...), installed the way
// `make install-lib` installs the unpatched one, with its code id.
import ArgumentParser
import Foundation
import KernelHarness

extension Kharness {
    struct Build: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Build the kernel code with patches into a C library for your own test suites.",
            discussion: """
                Applies the patches in order (as check-patch and run --patch do), compiles the \
                shim and installs DIR/lib/libkshim.so, DIR/include/kshim.h and \
                DIR/lib/pkgconfig/kshim.pc. Prints the build's code id, the one the schedule \
                tokens of this code carry (also pkg-config --variable=codeid kshim). Link a \
                suite with PKG_CONFIG_PATH=DIR/lib/pkgconfig and \
                $(pkg-config --cflags --libs kshim); the library's directory is in its run path.
                """)

        @Argument(help: ArgumentHelp("Kernel patches, applied in this order.", valueName: "PATCH"),
                  completion: .file(extensions: ["patch", "diff"]))
        var patches: [String] = []

        @Option(help: ArgumentHelp("Install under this directory (created if missing).", valueName: "DIR"),
                completion: .directory)
        var prefix: String

        @OptionGroup var kernelOption: KernelOption

        func validate() throws {
            if patches.isEmpty && kernelOption.tree() == nil {
                throw ValidationError("give at least one patch (or --kernel): the unpatched library is make install-lib's")
            }
            for p in patches where !FileManager.default.fileExists(atPath: p) {
                throw ValidationError("no such patch file: \(p)")
            }
            if prefix.isEmpty { throw ValidationError("--prefix is empty") }
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: prefix, isDirectory: &isDir), !isDir.boolValue {
                throw ValidationError("--prefix \(prefix) is not a directory")
            }
        }

        func run() throws {
            let v: Variant
            let tree = kernelOption.tree()
            do {
                // built, not loaded: nothing of the patches runs here
                v = try VariantBuilder.build(patches: patches, kernel: tree, load: false)
            } catch HarnessError.untestable(let m) {
                cannotTest(m)
            } catch {
                inputError("\(error)")
            }
            let fm = FileManager.default
            let root = URL(fileURLWithPath: prefix).standardizedFileURL
            let lib = root.appendingPathComponent("lib")
            let inc = root.appendingPathComponent("include")
            let pcdir = lib.appendingPathComponent("pkgconfig")
            do {
                let header = try ShimSource.locate().appendingPathComponent("include/kshim.h")
                for d in [lib, inc, pcdir] { try fm.createDirectory(at: d, withIntermediateDirectories: true) }
                try replace(lib.appendingPathComponent("libkshim.so"), with: URL(fileURLWithPath: v.library), mode: 0o755)
                try replace(inc.appendingPathComponent("kshim.h"), with: header, mode: 0o644)
                let label = (patches.map { URL(fileURLWithPath: $0).lastPathComponent }
                             + (tree.map { ["kernel \($0.release)"] } ?? [])).joined(separator: " + ")
                let pc = """
                    prefix=\(root.path)
                    includedir=${prefix}/include
                    libdir=${prefix}/lib
                    codeid=\(v.codeID)

                    Name: kshim
                    Description: KernelHarness shim, patched: \(label)
                    Version: 0.1.0
                    Cflags: -I${includedir}
                    Libs: -L${libdir} -Wl,-rpath,${libdir} -lkshim
                    Libs.private: -pthread

                    """
                let tmp = pcdir.appendingPathComponent(".kshim.pc.\(getpid())")
                try Data(pc.utf8).write(to: tmp)
                guard rename(tmp.path, pcdir.appendingPathComponent("kshim.pc").path) == 0 else {
                    throw InstallError(what: "cannot write \(pcdir.path)/kshim.pc: \(String(cString: strerror(errno)))")
                }
            } catch {
                inputError("cannot install into \(root.path): \(error)")
            }
            FileHandle.standardError.write(Data(
                "kharness: installed \(lib.path)/libkshim.so (\(v.patches.isEmpty ? "kernel text" : v.patches.joined(separator: " + "))), \(inc.path)/kshim.h, \(pcdir.path)/kshim.pc\n".utf8))
            print(v.codeID)
        }

        struct InstallError: Error, CustomStringConvertible {
            let what: String
            var description: String { what }
        }

        /// Put a copy of `src` at `dst` whole (written next to it, then renamed).
        private func replace(_ dst: URL, with src: URL, mode: Int) throws {
            let fm = FileManager.default
            let tmp = dst.deletingLastPathComponent().appendingPathComponent(".\(dst.lastPathComponent).\(getpid())")
            try? fm.removeItem(at: tmp)
            try fm.copyItem(at: src, to: tmp)
            try fm.setAttributes([.posixPermissions: mode], ofItemAtPath: tmp.path)
            guard rename(tmp.path, dst.path) == 0 else {
                try? fm.removeItem(at: tmp)
                throw InstallError(what: "cannot write \(dst.path): \(String(cString: strerror(errno)))")
            }
        }
    }
}
