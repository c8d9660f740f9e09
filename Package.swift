// swift-tools-version:5.9
// SPDX-License-Identifier: GPL-2.0-only
import PackageDescription

/// The kernel code's plain loads and stores call the shim (runtime/access.c)
/// through ThreadSanitizer's instrumentation, without its runtime; the
/// runtime's own files are left out by the ignore list.
let packageRoot = String(#filePath.dropLast("/Package.swift".count))
let plainAccessFlags = ["-fsanitize=thread", "-fno-sanitize-thread-func-entry-exit",
                        "-fno-sanitize-thread-atomics",
                        // volatile accesses (READ_ONCE, ACCESS_ONCE) call
                        // __tsan_volatile_*: marked, as KCSAN counts them
                        "-mllvm", "-tsan-distinguish-volatile=1",
                        "-fsanitize-ignorelist=\(packageRoot)/CKernelShim/runtime/tsan_ignore.txt"]

let package = Package(
    name: "KernelHarness",
    products: [
        .library(name: "KernelHarness", targets: ["KernelHarness"]),
        .executable(name: "kharness", targets: ["kharness"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // The kernel code under test, its stubs and the runtime (plain C).
        .target(
            name: "CKernelShim",
            path: "CKernelShim",
            exclude: ["stress", "scenarios"],
            publicHeadersPath: "include",
            cSettings: [
                .headerSearchPath("stubs"),
                .headerSearchPath("runtime"),
                // frame pointers: the runtime walks them to keep the call
                // chain of each write a quiescence report may point at
                .unsafeFlags(["-fno-omit-frame-pointer"] + plainAccessFlags),
                .unsafeFlags(["-O2"], .when(configuration: .debug)),
            ]
        ),
        // The check-patch worker's sandbox and death hooks (not kernel code).
        .target(
            name: "CWorkerSupport",
            path: "Sources/CWorkerSupport",
            publicHeadersPath: "include"
        ),
        // Swift driver: worlds, schedules, strategies, explorer, reports.
        .target(
            name: "KernelHarness",
            dependencies: ["CKernelShim", "CWorkerSupport"],
            swiftSettings: [.unsafeFlags(["-O"], .when(configuration: .debug))]
        ),
        .executableTarget(
            name: "kharness",
            dependencies: [
                "KernelHarness",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(
            name: "KernelHarnessTests",
            dependencies: ["KernelHarness", "CKernelShim"]
        ),
    ]
)
