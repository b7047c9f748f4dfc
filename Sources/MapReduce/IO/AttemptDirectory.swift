import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What an attempt may create of the directories it writes in: the levels below the plan's directory (a map
/// attempt `map`, ``MapOutputLayout``; a reduce attempt `reduce/<task>/attempt-<a>`), and never the plan's
/// directory or anything above it. A worker that was stopped (SIGSTOP, a suspended machine) and continues after its
/// job ended finds the job's directory gone and fails its attempt, instead of recreating the directory and leaving
/// its files there for good.
@usableFromInline
enum AttemptDirectory {
    /// How many levels a reduce attempt creates: the phase's directory, the task's, the attempt's.
    static let reduceLevels = 3

    /// Creates `path` and the directories above it up to `levels` in all (each may exist already).
    /// - Throws: ``FileIOError``; when the directory above them does not exist, one that says the job's directory
    ///   is gone.
    static func create(_ path: String, levels: Int) throws(FileIOError) {
        var chain = [path]
        while chain.count < levels, let slash = chain[0].lastIndex(of: "/"), slash != chain[0].startIndex {
            chain.insert(String(chain[0][..<slash]), at: 0)
        }
        for directory in chain where mkdir(directory, 0o755) != 0 && errno != EEXIST {
            let reason = errno
            if reason == ENOENT, directory == chain[0] {
                throw FileIOError(
                    path: directory,
                    operation: "create, below a job directory that is not there (the job ended, or this worker sees another shared directory:"
                        + " a missing mount?), the directory",
                    systemError: reason)
            }
            throw FileIOError(path: directory, operation: "create the directory", systemError: reason)
        }
    }

    /// Removes the directory of a reduce attempt that failed or was cancelled, with whatever it wrote (merge
    /// passes, a partial output), so that retries on a full shared directory find the room it took. Only a path
    /// shaped as a reduce attempt's directory (`…/reduce/<task>/attempt-<a>`) is removed: nothing else, whoever
    /// named it. (A map attempt's files: ``MapOutputLayout/removeAbandoned()``.)
    @usableFromInline
    static func removeAbandoned(_ path: String) {
        func isNumber(_ text: Substring) -> Bool { !text.isEmpty && text.allSatisfy { $0.isASCII && $0.isNumber } }
        let components = Array(path.split(separator: "/", omittingEmptySubsequences: false).suffix(3))
        guard components.count == 3, components[0] == "reduce", isNumber(components[1]), components[2].hasPrefix("attempt-"),
            isNumber(components[2].dropFirst(8))
        else { return }
        try? FileManager.default.removeItem(atPath: path)
    }
}
