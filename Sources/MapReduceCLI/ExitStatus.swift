/// The exit statuses of every role, in one place.
enum ExitStatus {
    /// The job failed (or a worker gave up on its coordinator).
    static let failed: Int32 = 1
    /// A signal stopped the coordinator before the job finished.
    static let stopped: Int32 = 2
    /// Bad arguments, flags or files: nothing was started (`EX_USAGE`).
    static let badArguments: Int32 = 64
}
