import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A directory an attempt creates for itself and removes when done: it must not exist beforehand, so an attempt
/// only ever deletes what it created (never a directory some other process, or a forged assignment, pointed it at).
enum OwnedDirectory {
    /// Creates `path` in its phase's directory (its parent, created as ``PhaseDirectory`` allows), failing if
    /// `path` itself already exists.
    static func create(_ path: String) throws {
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty { try PhaseDirectory.create(parent) }
        guard mkdir(path, 0o755) == 0 else {
            let reason = errno
            if reason == EEXIST {
                throw FileIOError(
                    path: path, operation: "create a fresh scratch directory (it already exists, and an attempt deletes only what it created)",
                    systemError: reason)
            }
            throw FileIOError(path: path, operation: "create", systemError: reason)
        }
    }
}
