import Foundation

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
    public func remove() { try? FileManager.default.removeItem(atPath: path) }
}
