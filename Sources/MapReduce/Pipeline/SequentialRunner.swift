import Foundation

/// Runs a job in this process, one task after another, over the same pipeline as a distributed run: the same
/// ``JobPlanner``, task layout (``JobPlan``), task bodies, ``JobAccounting`` and ``OutputCommitter``.
///
/// It is the oracle: for deterministic map and reduce functions, every distributed run must write exactly the
/// bytes it writes. Its output directory holds the same files a coordinator's does, `_summary.json` included.
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

    /// The only attempt of each task.
    static let attempt = AttemptID(0)

    /// Runs `job` over `inputs` (files or directories), writing to the directory `output`: each of its steps in
    /// order, each step after the first reading the intermediate files the one before published.
    ///
    /// Everything is checked before any work: the configuration, that every input exists and is readable, and
    /// that the output directory can be created and holds no earlier output.
    /// - Parameters:
    ///   - job: the job.
    ///   - parameters: the `--param` values `job` was built from, recorded in its plan.
    ///   - inputs: input files or directories.
    ///   - output: the output directory; it must not hold earlier output.
    /// - Returns: the job's summary, also written to `_summary.json`.
    @discardableResult
    public func run(_ job: AnyJob, parameters: [String: String] = [:], inputs: [String], output: String) throws -> JobSummary {
        let clock = ContinuousClock()
        let start = clock.now
        let outputPath = CanonicalPath.of(output) ?? output
        let directory = "\(OutputDirectory(path: outputPath).temporaryDirectory)/shuffle"
        var plan = try JobPlanner.plan(
            job, parameters: parameters, inputs: inputs, configuration: configuration, directory: directory, output: outputPath)
        try OutputDirectory(path: outputPath).prepare()
        // A run that failed earlier may have left its shuffle files: they are this runner's own, and in the way.
        try? FileManager.default.removeItem(atPath: directory)
        for step in job.steps.indices {
            if step > 0 {
                plan = try JobPlanner.plan(
                    job, step: step, parameters: parameters, inputs: inputs, configuration: configuration, directory: directory, output: outputPath)
            }
            if !plan.isLastStep { try OutputDirectory(path: plan.output).prepare() }
            // The plan's directory, below which each attempt creates its own (and nothing above: ``AttemptDirectory``).
            try FileManager.default.createDirectory(atPath: plan.directory, withIntermediateDirectories: true)
            let (summary, badRecords) = try run(job.steps[step], plan, jobStart: start, clock: clock)
            let written = try OutputCommitter(plan).finish(summary, badRecordLists: badRecords, jobSeconds: (clock.now - start).seconds)
            if plan.isLastStep { return written }
        }
        preconditionFailure("a job has at least one step")
    }

    /// Runs one step of `plan`'s job, publishing its output files. - Returns: its summary and its lists of skipped
    /// records.
    private func run(_ step: AnyStep, _ plan: JobPlan, jobStart: ContinuousClock.Instant, clock: ContinuousClock) throws -> (JobSummary, [String]) {
        let start = clock.now
        var accounting = JobAccounting(plan)
        var inputBytes: Int64 = 0
        let tasks = plan.mapTasks.count + configuration.reducers
        let prefix = plan.stepCount == 1 ? "" : "step \(plan.stepIndex + 1)/\(plan.stepCount) "
        func report(_ phase: String, _ done: Int, _ total: Int, tasksDone: Int) {
            guard let progress else { return }
            let seconds = (clock.now - jobStart).seconds
            let stepSeconds = (clock.now - start).seconds
            progress(
                JobProgress(
                    phase: prefix + phase, done: done, total: total, inputBytes: inputBytes, seconds: seconds,
                    remainingSeconds: JobProgress.remainingSeconds(elapsed: stepSeconds, done: tasksDone, total: tasks)))
        }
        for index in plan.mapTasks.indices {
            let task = MapTaskID(index)
            let output = try step.runMapTask(plan.mapTaskContext(task, Self.attempt))
            accounting.committed(task, output)
            inputBytes += output.inputBytes
            report("map", index + 1, plan.mapTasks.count, tasksDone: index + 1)
        }
        try accounting.checkBadRecords(limit: configuration.skipBadRecords)
        let committer = OutputCommitter(plan)
        let mapAttempts = Array(repeating: Self.attempt, count: plan.mapTasks.count)
        for partition in 0..<configuration.reducers {
            let task = ReduceTaskID(partition)
            let context = plan.reduceTaskContext(task, Self.attempt, mapAttempts: mapAttempts)
            accounting.committed(task, try step.runReduceTask(context))
            try committer.publish(task, from: Self.attempt)
            report("reduce", partition + 1, configuration.reducers, tasksDone: plan.mapTasks.count + partition + 1)
        }
        let summary = try accounting.summary(
            job: step.name, attempts: .init(map: plan.mapTasks.count, reduce: configuration.reducers), seconds: (clock.now - start).seconds)
        return (summary, accounting.badRecordLists(plan, committedBy: mapAttempts))
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
