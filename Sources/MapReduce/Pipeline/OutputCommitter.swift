import Foundation

/// Publishes a job's output: each reduce task's file, then the job's metadata, `_SUCCESS` last.
///
/// Both runners commit through it, so a local and a distributed run leave the same files: `part-*`,
/// `_summary.json`, `_bad_records.jsonl` when records were skipped, and `_SUCCESS`.
public struct OutputCommitter: Sendable {
    /// The job's plan: where every task writes, and the output directory.
    public let plan: JobPlan

    /// A committer for `plan`'s output.
    public init(_ plan: JobPlan) { self.plan = plan }

    /// The output directory.
    public var output: OutputDirectory { OutputDirectory(path: plan.output) }

    /// Publishes the file `attempt` of reduce task `task` wrote as the task's output file, replacing any earlier
    /// one (an attempt whose commit was not recorded). On another filesystem it is copied, then renamed.
    public func publish(_ task: ReduceTaskID, from attempt: AttemptID) throws(FileIOError) {
        try FileMove.move(plan.reduceOutputFile(task, attempt), to: output.partFile(task.rawValue))
    }

    /// Writes `_summary.json`, `_bad_records.jsonl` (the concatenation of `badRecordLists`, when there are any)
    /// and `_SUCCESS` for the step the plan runs, then removes the output's `_temporary/`.
    ///
    /// For the last step of a job of several, what is written is the whole job's: the summary of every step (the
    /// earlier ones read from their outputs' `_summary.json`) and every step's skipped records.
    /// - Parameters:
    ///   - summary: the step's summary.
    ///   - badRecordLists: the step's lists of skipped records.
    ///   - jobSeconds: the job's wall time so far, for a last step's whole-job summary.
    /// - Returns: the summary written.
    @discardableResult
    public func finish(_ summary: JobSummary, badRecordLists: [String], jobSeconds: Double) throws -> JobSummary {
        var summary = summary
        var lists = badRecordLists
        if plan.stepCount > 1, plan.isLastStep {
            let earlier = (0..<plan.stepIndex).map { OutputDirectory(path: plan.layout.output(ofStep: $0, jobOutput: plan.jobOutputDirectory)) }
            summary = JobSummary(job: plan.job, steps: try earlier.map { try JobSummary(readingFrom: $0) } + [summary], seconds: jobSeconds)
            let published = earlier.map { "\($0.path)/\(BadRecordsFile.outputFileName)" }.filter { FileManager.default.fileExists(atPath: $0) }
            lists = published + lists
        }
        summary.plan = plan.identity
        try AtomicFile.write(try summary.encoded(), to: "\(output.path)/\(JobSummary.fileName)", sync: plan.configuration.syncFiles)
        try BadRecordsFile.publish(lists, to: output, sync: plan.configuration.syncFiles)
        try output.markSuccess()
        return summary
    }
}
