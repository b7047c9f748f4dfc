/// A job that cannot run, or whose code failed.
public struct JobError: Error, CustomStringConvertible, Sendable {
    /// What went wrong, stable across releases.
    public enum Code: String, Sendable, Codable {
        case unknownJob = "unknown-job"
        case badPartition = "bad-partition"
        case mapFailed = "map-failed"
        case reduceFailed = "reduce-failed"
        case badConfiguration = "bad-configuration"
        case outputExists = "output-exists"
        case outputUnwritable = "output-unwritable"
        case tooManyBadRecords = "too-many-bad-records"
        /// Another coordinator is running the job, or writing its output.
        case alreadyRunning = "already-running"
        /// The attempt was told to stop (``TaskCancellation``).
        case cancelled
    }

    /// What went wrong.
    public let code: Code
    /// A one-line explanation that says what to do.
    public let message: String

    /// Creates a job error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
