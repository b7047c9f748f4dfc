import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive lock on a file (`flock(2)`), held until released or until the process ends, whatever way it
/// ends. The file records who holds it (host, pid, since when), so a process refused the lock can name the
/// holder.
///
/// A coordinator holds one on its job directory and one on its output directory for its whole life, so a second
/// coordinator for the same job or output is refused instead of writing beside the first. On NFS, Linux emulates
/// `flock` with POSIX byte-range locks, which the server arbitrates between hosts.
package final class ExclusiveLock: Sendable {
    /// The lock file.
    package let path: String
    private let descriptor: Int32

    /// The lock is held by someone else.
    package struct Held: MapReduceError, Sendable {
        /// The lock file.
        package let path: String
        /// Who holds it, as it recorded: `host H, pid P, since T`.
        package let holder: String
        /// Always ``ErrorCode/alreadyRunning``.
        package var code: ErrorCode { .alreadyRunning }
        /// `'<path>' is locked by <holder>`.
        package var message: String { "'\(path)' is locked by \(holder)" }
        /// None.
        package var cause: (any Error)? { nil }
    }

    /// Takes the lock on `path` (creating the file), without waiting.
    /// - Parameters:
    ///   - path: the lock file.
    ///   - owner: what to record as the holder, for example `mr-coordinator`.
    /// - Throws: ``Held`` if another process holds it; ``FileIOError`` if the file cannot be opened or locked.
    package init(path: String, owner: String) throws {
        self.path = path
        descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw FileIOError(path: path, operation: "open the lock file") }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let reason = errno
            let holder = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
            close(descriptor)
            if reason == EWOULDBLOCK { throw Held(path: path, holder: holder.flatMap { $0.isEmpty ? nil : $0 } ?? "another process") }
            throw FileIOError(path: path, operation: "lock", systemError: reason)
        }
        let since = ISO8601DateFormatter().string(from: Date())
        let record = "\(owner) on host \(ProcessInfo.processInfo.hostName), pid \(getpid()), since \(since)\n"
        _ = ftruncate(descriptor, 0)
        _ = record.withCString { pwrite(descriptor, $0, strlen($0), 0) }
    }

    deinit { close(descriptor) }
}
