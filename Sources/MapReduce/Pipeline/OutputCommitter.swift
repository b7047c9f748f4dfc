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
    /// and `_SUCCESS`, then removes the output's `_temporary/`.
    public func finish(_ summary: JobSummary, badRecordLists: [String]) throws {
        try AtomicFile.write(try summary.encoded(), to: "\(output.path)/\(JobSummary.fileName)", sync: plan.configuration.syncFiles)
        try BadRecordsFile.publish(badRecordLists, to: output, sync: plan.configuration.syncFiles)
        try output.markSuccess()
    }
}
