/// An error reported by libzstd, with the library's own description.
public struct ZstdError: Error, CustomStringConvertible, Sendable {
    /// What was being done when libzstd failed, for example `"compress"`.
    public let operation: String
    /// libzstd's name for the error, for example `"Data corruption detected"`.
    public let reason: String

    public var description: String { "zstd \(operation) failed: \(reason)" }
}
