/// An input that cannot be planned or read.
public struct InputError: MapReduceError, Sendable {
    /// What went wrong.
    public let code: ErrorCode
    /// The path involved, if any.
    public let path: String?
    /// A one-line explanation that says what to do.
    public let message: String
    /// The error that led to this one, if any.
    public let cause: (any Error)?

    /// Creates an input error.
    public init(_ code: ErrorCode, path: String?, _ message: String, cause: (any Error)? = nil) {
        self.code = code
        self.path = path
        self.message = message
        self.cause = cause
    }
}
