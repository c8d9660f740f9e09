// SPDX-License-Identifier: GPL-2.0-only
import ArgumentParser
import KernelHarness

/// Options of how the kernel code is scheduled, shared by the commands
/// that explore (an @OptionGroup).
struct ExploreFlags: ParsableArguments {
    @Flag(name: .customLong("plain-points"), help: ArgumentHelp(
        "Make every plain shared access of the kernel code a scheduling point (more schedules; tokens then carry 'plain:' and replay with it)."))
    var plainPoints = false

    /// Set these flags on exploration options.
    func apply(to o: inout ExploreOptions) {
        o.plainPoints = plainPoints
    }
}
