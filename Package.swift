// swift-tools-version:5.9
// SPDX-License-Identifier: GPL-2.0-only
import PackageDescription

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
                .unsafeFlags(["-fno-omit-frame-pointer"]),
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
            dependencies: ["CKernelShim", "CWorkerSupport"]
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
