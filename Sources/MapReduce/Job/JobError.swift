/// A job that cannot run, or whose code failed.
public struct JobError: MapReduceError, Sendable {
    /// What went wrong.
    public let code: ErrorCode
    /// A one-line explanation that says what to do.
    public let message: String
    /// The error that led to this one (what a map or reduce function threw), if any.
    public let cause: (any Error)?

    /// Creates a job error.
    public init(_ code: ErrorCode, _ message: String, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }
}
