import Foundation
import Synchronization

/// Runs a job in this process over the same pipeline as a distributed run: the same ``JobPlanner``, task layout
/// (``JobPlan``), task bodies, ``JobAccounting`` and ``OutputCommitter``. Each step's map tasks, then its reduce
/// tasks, run on up to ``parallelism`` threads at once.
///
/// Its output is byte-identical whatever the parallelism: each task writes its own files, and the results are
/// accounted in task order. With a parallelism of 1 it is the ``SequentialRunner``, the oracle. Memory is bounded
/// per running task (``JobConfiguration/memoryBudget``), so a run holds up to `parallelism` times that.
public struct LocalRunner: Sendable {
    /// How the job is cut up and how its data moves.
    public var configuration: JobConfiguration

    /// The most tasks running at once, each on a thread of its own.
    public var parallelism: Int

    /// Called after each task with how far the run got (on the thread that ran it, one call at a time; keep it
    /// short).
    public var progress: (@Sendable (JobProgress) -> Void)?

    /// Creates a runner of up to `parallelism` tasks at once (at least 1).
    public init(
        configuration: JobConfiguration = JobConfiguration(), parallelism: Int = LocalRunner.defaultParallelism,
        progress: (@Sendable (JobProgress) -> Void)? = nil
    ) {
        self.configuration = configuration
        self.parallelism = max(1, parallelism)
        self.progress = progress
    }

    /// The number of cores this process may use.
    public static var defaultParallelism: Int { ProcessInfo.processInfo.activeProcessorCount }

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
        let tasks = plan.mapTasks.count + configuration.reducers
        let prefix = plan.stepCount == 1 ? "" : "step \(plan.stepIndex + 1)/\(plan.stepCount) "
        let progress = progress
        let inputBytes = Mutex<Int64>(0)
        @Sendable func report(_ phase: String, _ done: Int, _ total: Int, inputBytes: Int64, tasksDone: Int) {
            guard let progress else { return }
            let seconds = (clock.now - jobStart).seconds
            let stepSeconds = (clock.now - start).seconds
            progress(
                JobProgress(
                    phase: prefix + phase, done: done, total: total, inputBytes: inputBytes, seconds: seconds,
                    remainingSeconds: JobProgress.remainingSeconds(elapsed: stepSeconds, done: tasksDone, total: tasks)))
        }
        let attempt = Self.attempt
        let mapOutputs = try TaskPool.run(plan.mapTasks.count, threads: parallelism) { index in
            try step.runMapTask(plan.mapTaskContext(MapTaskID(index), attempt))
        } finished: { done, output in
            let bytes = inputBytes.withLock { bytes in
                bytes += output.inputBytes
                return bytes
            }
            report("map", done, plan.mapTasks.count, inputBytes: bytes, tasksDone: done)
        }
        for (index, output) in mapOutputs.enumerated() { accounting.committed(MapTaskID(index), output) }
        try accounting.checkBadRecords(limit: configuration.skipBadRecords)
        let committer = OutputCommitter(plan)
        let mapAttempts = Array(repeating: attempt, count: plan.mapTasks.count)
        let committed = accounting
        let reduceOutputs = try TaskPool.run(configuration.reducers, threads: parallelism) { partition in
            let task = ReduceTaskID(partition)
            let output = try step.runReduceTask(plan.reduceTaskContext(task, attempt, maps: committed.inputs(of: task, committedBy: mapAttempts)))
            try committer.publish(task, from: attempt)
            return output
        } finished: { done, _ in
            report("reduce", done, configuration.reducers, inputBytes: inputBytes.withLock { $0 }, tasksDone: plan.mapTasks.count + done)
        }
        for (partition, output) in reduceOutputs.enumerated() { accounting.committed(ReduceTaskID(partition), output) }
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
