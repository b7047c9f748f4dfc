/// Plans a job's steps: checks its configuration, cuts each step's input into map tasks, and samples a total-order
/// step's partition boundaries. Both runners plan through it, so they cut the same inputs into the same tasks.
public enum JobPlanner {
    /// The plan of step `step` of `job`: over `inputs` for the first step, and over the intermediate files the step
    /// before published (``StepLayout``, each file one whole split) for a later one.
    /// - Parameters:
    ///   - job: the job; a total-order step's map function runs on a sample of each split.
    ///   - step: the step to plan, counted from 0; a later step is planned once the one before it is done.
    ///   - parameters: the `--param` values `job` was built from (recorded, so a resumed run can check them).
    ///   - inputs: the job's input files or directories.
    ///   - configuration: how the job is cut up and how its data moves.
    ///   - directory: the job's working directory (see ``StepLayout/jobDirectory``).
    ///   - output: the job's output directory, absolute.
    /// - Throws: ``JobError`` for a bad configuration, ``InputError`` for a missing, unreadable or special input
    ///   file, or what sampling a total-order step's input throws.
    public static func plan(
        _ job: AnyJob, step: Int = 0, parameters: [String: String] = [:], inputs: [String], configuration: JobConfiguration, directory: String,
        output: String
    ) throws -> JobPlan {
        precondition(job.steps.indices.contains(step), "job '\(job.name)' has no step \(step)")
        try configuration.validate()
        let layout = StepLayout(jobDirectory: directory, steps: job.steps.count)
        let stepInputs = step == 0 ? inputs : [layout.output(ofStep: step - 1, jobOutput: output)]
        let tasks = try SplitPlanner(configuration).plan(stepInputs, wholeFiles: job.steps[step].framing == .pairs)
        let boundaries = try KeyRanges.boundaries(
            for: job.steps[step], tasks: tasks, partitions: configuration.reducers, maximumRecordSize: configuration.maximumRecordSize)
        var plan = JobPlan(
            job: job.name, parameters: parameters, mapTasks: tasks, configuration: configuration, directory: directory, output: output,
            rangeBoundaries: boundaries)
        if job.steps.count > 1 {
            plan.step = step
            plan.steps = job.steps.count
        }
        return plan.placed(inJobDirectory: directory, jobOutput: output)
    }
}
