/// Runs a job in this process, one task after another: a ``LocalRunner`` of parallelism 1.
///
/// It is the oracle: for deterministic map and reduce functions, every distributed run, and every local run
/// whatever its parallelism, must write exactly the bytes it writes. Its output directory holds the same files a
/// coordinator's does, `_summary.json` included.
public struct SequentialRunner: Sendable {
    /// How the job is cut up and how its data moves.
    public var configuration: JobConfiguration

    /// Called after each task with how far the run got (on the running thread; keep it short).
    public var progress: (@Sendable (JobProgress) -> Void)?

    /// Creates a runner.
    public init(configuration: JobConfiguration = JobConfiguration(), progress: (@Sendable (JobProgress) -> Void)? = nil) {
        self.configuration = configuration
        self.progress = progress
    }

    /// Runs `job` over `inputs` (files or directories), writing to the directory `output`: see
    /// ``LocalRunner/run(_:parameters:inputs:output:)``.
    @discardableResult
    public func run(_ job: AnyJob, parameters: [String: String] = [:], inputs: [String], output: String) throws -> JobSummary {
        try LocalRunner(configuration: configuration, parallelism: 1, progress: progress).run(job, parameters: parameters, inputs: inputs, output: output)
    }

    /// Runs `job` over `inputs`, writing to the directory `output`.
    @discardableResult
    public func run<Key, Value>(_ job: Job<Key, Value>, inputs: [String], output: String) throws -> JobSummary {
        try run(AnyJob(job), inputs: inputs, output: output)
    }
}

extension Duration {
    /// The duration in seconds.
    public var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
