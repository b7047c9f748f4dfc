#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A system call on a file failed.
public struct FileIOError: MapReduceError, Sendable {
    /// The file.
    public let path: String
    /// What was being done, for example `"open for reading"`.
    public let operation: String
    /// The `errno` value.
    public let systemError: Int32

    /// Records that `operation` on `path` failed with `errno` value `systemError`.
    public init(path: String, operation: String, systemError: Int32) {
        self.path = path
        self.operation = operation
        self.systemError = systemError
    }

    /// Captures the current `errno` for `operation` on `path`.
    init(path: String, operation: String) { self.init(path: path, operation: operation, systemError: errno) }

    /// Always ``ErrorCode/io``.
    public var code: ErrorCode { .io }
    /// `cannot <operation> '<path>': <the system's explanation>`.
    public var message: String { "cannot \(operation) '\(path)': \(String(cString: strerror(systemError)))" }
    /// None: the system's error is ``systemError``.
    public var cause: (any Error)? { nil }
}
