// SPDX-License-Identifier: GPL-2.0-only
//
// Checks of the paths the commands write to, made before anything runs, so
// an output path that cannot work is a usage error (exit 2) up front rather
// than a failure after minutes of exploration.
import ArgumentParser
import Foundation

enum OutputPath {
    static func isDirectory(_ path: String) -> Bool {
        var dir: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &dir) && dir.boolValue
    }

    /// A file the command will create or replace: not empty, not a
    /// directory, and in a directory that exists.
    static func checkFile(_ option: String, _ path: String) throws {
        guard !path.isEmpty else { throw ValidationError("\(option): empty path") }
        if isDirectory(path) { throw ValidationError("\(option) \(path): is a directory") }
        let parent = (path as NSString).deletingLastPathComponent
        if !isDirectory(parent.isEmpty ? "." : parent) {
            throw ValidationError("\(option) \(path): \(parent) is not an existing directory")
        }
    }

    /// A directory the command creates if missing: not empty, not an
    /// existing non-directory, and its parent must exist (missing parents
    /// are not created: a typo should not build a tree of directories).
    static func checkDirectory(_ option: String, _ path: String) throws {
        guard !path.isEmpty else { throw ValidationError("\(option): empty path") }
        if FileManager.default.fileExists(atPath: path) {
            if !isDirectory(path) { throw ValidationError("\(option) \(path): exists and is not a directory") }
            return
        }
        let trimmed = path.hasSuffix("/") ? String(path.dropLast()) : path
        let parent = (trimmed as NSString).deletingLastPathComponent
        if !isDirectory(parent.isEmpty ? "." : parent) {
            throw ValidationError("\(option) \(path): its parent \(parent) does not exist (create it first)")
        }
    }
}
