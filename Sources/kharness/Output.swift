// SPDX-License-Identifier: GPL-2.0-only
//
// Every print of this module goes through Console (see there why): this
// function shadows Swift's print for the whole module.
import KernelHarness

func print(_ items: Any..., separator: String = " ", terminator: String = "\n") {
    Console.out(items.map { "\($0)" }.joined(separator: separator) + terminator)
}
