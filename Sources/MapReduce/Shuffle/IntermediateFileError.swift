/// An intermediate file that is missing, truncated, corrupt or of another format version.
///
/// The message names the file and what is wrong; a distributed run reacts by re-running the map task that wrote
/// it.
public struct IntermediateFileError: MapReduceError, Sendable {
    /// What is wrong.
    public let code: ErrorCode
    /// The file.
    public let path: String
    /// The details.
    public let detail: String

    /// The error that led to this one, if any.
    public let cause: (any Error)?

    /// Creates an error about the file at `path`.
    public init(_ code: ErrorCode, path: String, _ detail: String, cause: (any Error)? = nil) {
        self.code = code
        self.path = path
        self.detail = detail
        self.cause = cause
    }

    public var message: String { "intermediate file '\(path)' \(detail)" }
}
