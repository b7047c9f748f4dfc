/// An input record that does not parse as its format (CSV, JSON Lines), or a field a job asked for that is
/// missing or of the wrong type. The framework adds the file and line when it reports it.
public struct RecordFormatError: MapReduceError, Sendable {
    /// What is wrong, one line.
    public let message: String
    /// The error that led to this one (a JSON decoder's), if any.
    public let cause: (any Error)?

    /// Always ``ErrorCode/malformedRecord``.
    public var code: ErrorCode { .malformedRecord }

    /// Creates an error saying what is wrong.
    public init(_ message: String, cause: (any Error)? = nil) {
        self.message = message
        self.cause = cause
    }
}
