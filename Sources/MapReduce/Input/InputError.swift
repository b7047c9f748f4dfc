/// An input that cannot be planned or read.
public struct InputError: Error, CustomStringConvertible, Sendable {
    /// What went wrong, stable across releases.
    public enum Code: String, Sendable {
        case noInputs = "no-inputs"
        case notFound = "not-found"
        case unreadable
        case notAFile = "not-a-file"
        case corruptCompressedFile = "corrupt-compressed-file"
        case malformedRecord = "malformed-record"
        /// The file differs from what it was when the job was planned.
        case changed
        /// A record is longer than the job's maximum record size.
        case recordTooLong = "record-too-long"
    }

    /// What went wrong.
    public let code: Code
    /// The path involved, if any.
    public let path: String?
    /// A one-line explanation that says what to do.
    public let message: String

    /// Creates an input error.
    public init(_ code: Code, path: String?, _ message: String) {
        self.code = code
        self.path = path
        self.message = message
    }

    public var description: String { message }
}
