/// Plans a job: checks its configuration, cuts its inputs into map tasks, and samples a total-order job's
/// partition boundaries. Both runners plan through it, so they cut the same inputs into the same tasks.
public enum JobPlanner {
    /// The plan of `job` over `inputs` (files or directories, made absolute and canonical).
    /// - Parameters:
    ///   - job: the job; a total-order job's map function runs on a sample of each split.
    ///   - parameters: the `--param` values `job` was built from (recorded, so a resumed run can check them).
    ///   - inputs: input files or directories.
    ///   - configuration: how the job is cut up and how its data moves.
    ///   - directory: the job's working directory (see ``JobPlan/directory``).
    ///   - output: the output directory, absolute.
    /// - Throws: ``JobError`` for a bad configuration, ``InputError`` for a missing, unreadable or special input
    ///   file, or what sampling a total-order job's input throws.
    public static func plan(
        _ job: AnyJob, parameters: [String: String] = [:], inputs: [String], configuration: JobConfiguration, directory: String, output: String
    ) throws -> JobPlan {
        try configuration.validate()
        let tasks = try SplitPlanner(splitSize: configuration.splitSize).plan(inputs)
        let boundaries = try KeyRanges.boundaries(for: job, tasks: tasks, partitions: configuration.reducers)
        return JobPlan(
            job: job.name, parameters: parameters, mapTasks: tasks, configuration: configuration, directory: directory, output: output,
            rangeBoundaries: boundaries)
    }
}
