import Foundation
import Synchronization

/// A fresh directory under the system's temporary directory, removed by ``remove()`` or when released.
public final class TemporaryDirectory: Sendable {
    /// The directory's path.
    public let path: String

    /// Creates a new, empty directory whose name starts with `prefix`, in `base` (by default `TMPDIR` or `/tmp`).
    public init(prefix: String = "mapreduce-test", in base: String? = nil) throws {
        let base = base ?? ProcessInfo.processInfo.environment["TMPDIR"] ?? "/tmp"
        path = "\(base)/\(prefix)-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// Creates a new, empty directory whose name starts with `prefix`, removed when the process exits: for one
    /// that lives as long as the process (a corpus that a suite's tests share, in a `static let`, is never
    /// released).
    public static func untilExit(prefix: String) throws -> TemporaryDirectory {
        let directory = try TemporaryDirectory(prefix: prefix)
        removedAtExit.withLock { paths in
            if paths.isEmpty { atexit { for path in removedAtExit.withLock({ $0 }) { TemporaryDirectory.remove(path) } } }
            paths.append(directory.path)
        }
        return directory
    }

    deinit { remove() }

    /// The path of `name` inside the directory.
    public func appending(_ name: String) -> String { "\(path)/\(name)" }

    /// Writes `contents` to `name` inside the directory (creating folders) and returns its path.
    @discardableResult
    public func write(_ name: String, _ contents: String) throws -> String {
        try write(name, Array(contents.utf8))
    }

    /// Writes `bytes` to `name` inside the directory (creating folders) and returns its path.
    @discardableResult
    public func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let file = appending(name)
        let folder = (file as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        return file
    }

    /// Removes the directory and everything in it.
    public func remove() { Self.remove(path) }

    /// Removes `path` and everything in it, trying again if an entry vanished under the removal (which stops
    /// it: a process that still tidies up its own files in there).
    static func remove(_ path: String) {
        for _ in 0..<3 {
            do {
                try FileManager.default.removeItem(atPath: path)
                return
            } catch {
                guard FileManager.default.fileExists(atPath: path) else { return }
            }
        }
    }
}

/// The paths of ``TemporaryDirectory/untilExit(prefix:)``'s directories.
private let removedAtExit = Mutex<[String]>([])
