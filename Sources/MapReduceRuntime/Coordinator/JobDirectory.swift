import Foundation
package import MapReduce

/// A distributed job's directory in the shared directory, `<shared>/jobs/<job>-<hash of the output path>`, opened
/// by its coordinator: the plan written there (or read back, to resume the job a dead coordinator left), and the
/// locks that keep a second coordinator off this job and this output.
///
/// The directory is named after the output, so a coordinator restarted with the same arguments finds the journal of
/// the one that died and resumes; everything is checked before any task runs, with a one-line error.
package struct JobDirectory: Sendable {
    /// The plan of the step to run: the first step's, just written, or, resuming, that of the first step whose
    /// output is not done (read back, or planned now if the step before had just finished).
    package let plan: JobPlan
    /// Whether an earlier coordinator's journal was found (the job resumes from it).
    package let resuming: Bool
    /// The locks held on the job's directory and on the output, until the coordinator exits.
    package let locks: [ExclusiveLock]
    /// The summary of the job's finished output, when the output already holds this very job's (a coordinator
    /// restarted after the job succeeded, with the same arguments and unchanged inputs): there is nothing to run,
    /// and nothing was locked or created.
    package let finished: JobSummary?

    /// Opens the directory of `job` (built from `parameters`) over `inputs`, writing to `output`.
    /// - Throws: ``JobError`` for a bad configuration, an unusable shared directory or output, another coordinator
    ///   running this job or writing this output, or a job directory holding a different job; ``InputError`` for a
    ///   bad input.
    package static func open(
        _ job: AnyJob, parameters: [String: String], inputs: [String], configuration: JobConfiguration, sharedDirectory: String, output: String
    ) throws -> JobDirectory {
        // Planning first: a bad configuration or input is refused before anything is created.
        var plan = try JobPlanner.plan(job, parameters: parameters, inputs: inputs, configuration: configuration, directory: "", output: "")
        let manager = FileManager.default
        do { try manager.createDirectory(atPath: sharedDirectory, withIntermediateDirectories: true) } catch {
            throw JobError(.badConfiguration, "shared directory '\(sharedDirectory)' cannot be created: \(error.localizedDescription)")
        }
        guard manager.isWritableFile(atPath: sharedDirectory), let shared = CanonicalPath.of(sharedDirectory) else {
            throw JobError(.badConfiguration, "shared directory '\(sharedDirectory)' is not writable")
        }
        try SharedDirectoryCheck.verify(shared, role: "coordinator")
        // Canonical paths: `out`, `./out` and `out/` are one output, and so one job.
        do { try manager.createDirectory(atPath: output, withIntermediateDirectories: true) } catch {
            throw JobError(.outputUnwritable, "output directory '\(output)' cannot be created: \(error.localizedDescription)")
        }
        guard let outputPath = CanonicalPath.of(output) else { throw JobError(.outputUnwritable, "output directory '\(output)' cannot be resolved") }
        try refuseNesting(inputs: inputs, directories: [("--output", outputPath), ("--shared-dir", shared)])
        let outputDirectory = OutputDirectory(path: outputPath)
        let directory = "\(shared)/jobs/\(job.name)-\(String(XXHash64.hash(Array(outputPath.utf8)), radix: 16))"
        plan = plan.placed(inJobDirectory: directory, jobOutput: outputPath)
        plan.identity = plan.hash
        if manager.fileExists(atPath: outputDirectory.successMarker) {
            guard let summary = try? JobSummary(readingFrom: outputDirectory), summary.plan == plan.identity else {
                throw JobError(.outputExists, "output directory '\(outputPath)' already holds a job's output; remove it or choose another")
            }
            return JobDirectory(plan: plan, resuming: false, locks: [], finished: summary)
        }
        let locks = try lock(directory: directory, output: outputDirectory)
        guard manager.fileExists(atPath: "\(plan.directory)/journal"), let previous = try JobPlan.read(from: plan.directory) else {
            try outputDirectory.prepare()
            if !plan.isLastStep { try OutputDirectory(path: plan.output).prepare() }
            try plan.write()
            return JobDirectory(plan: plan, resuming: false, locks: locks, finished: nil)
        }
        guard previous.job == plan.job, previous.parameters == plan.parameters, previous.configuration == plan.configuration,
            previous.steps == plan.steps, previous.rangeBoundaries == plan.rangeBoundaries,
            previous.mapTasks.map({ $0.map(\.file.path) }) == plan.mapTasks.map({ $0.map(\.file.path) })
        else {
            throw JobError(
                .badConfiguration, "shared directory '\(directory)' holds a different job for output '\(outputPath)'; remove it or choose another output")
        }
        // The job resumes in the first step whose output is not marked done; the previous plans' fingerprints are what
        // the committed tasks read: the caller checks the inputs against them.
        var current = previous
        while !current.isLastStep, manager.fileExists(atPath: OutputDirectory(path: current.output).successMarker) {
            current = try planStep(current.stepIndex + 1, of: job, after: current)
        }
        let currentOutput = OutputDirectory(path: current.output)
        let journal = "\(current.directory)/journal"
        let committed =
            manager.fileExists(atPath: journal)
            ? try Journal(path: journal).entries.filter { $0.entry.event == .reduceCommitted }.compactMap(\.entry.task) : []
        for partition in committed where !manager.fileExists(atPath: currentOutput.partFile(partition)) {
            throw JobError(
                .outputExists,
                "'\(current.directory)' records \(currentOutput.partFileName(partition)) as done, but it is not in '\(current.output)'; remove '\(directory)' to start over"
            )
        }
        try outputDirectory.prepare(resuming: true)
        if !current.isLastStep { try currentOutput.prepare(resuming: true) }
        return JobDirectory(plan: current, resuming: true, locks: locks, finished: nil)
    }

    /// The plan of step `step` of `job`, whose step before is `previous` (done): the one written in the step's
    /// directory by an earlier coordinator, or a new one (over the intermediate files `previous` published), written
    /// there and its output directory prepared.
    /// - Throws: ``JobError`` if the step's directory holds another job's plan; what planning throws.
    static func planStep(_ step: Int, of job: AnyJob, after previous: JobPlan) throws -> JobPlan {
        let directory = previous.layout.directory(ofStep: step)
        if let written = try JobPlan.read(from: directory) {
            guard written.job == previous.job, written.step == step, written.steps == previous.steps, written.configuration == previous.configuration
            else {
                throw JobError(
                    .badConfiguration, "'\(directory)/job.json' is not step \(step + 1) of this job; remove '\(previous.layout.jobDirectory)' to start over")
            }
            return written
        }
        var plan = try JobPlanner.plan(
            job, step: step, parameters: previous.parameters ?? [:], inputs: [], configuration: previous.configuration,
            directory: previous.layout.jobDirectory, output: previous.jobOutputDirectory)
        plan.identity = previous.identity
        if !plan.isLastStep { try OutputDirectory(path: plan.output).prepare(resuming: true) }
        try plan.write()
        return plan
    }

    /// Refuses a directory of the job (its output, the shared directory) inside one of its input directories: a
    /// restart plans again, and would read the job's own output or intermediate files as input.
    private static func refuseNesting(inputs: [String], directories: [(flag: String, path: String)]) throws(JobError) {
        for input in inputs {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: input, isDirectory: &isDirectory), isDirectory.boolValue,
                let inputPath = CanonicalPath.of("\(input)/.")
            else { continue }
            for (flag, path) in directories {
                let resolved = CanonicalPath.of("\(path)/.") ?? path
                guard resolved == inputPath || resolved.hasPrefix(inputPath == "/" ? "/" : inputPath + "/") else { continue }
                throw JobError(
                    .badConfiguration,
                    "\(flag) '\(path)' is inside input directory '\(input)': a restart would read the job's own files as input; choose a \(flag) outside it")
            }
        }
    }

    /// Takes the exclusive locks on the job's directory and on the output, refusing when another coordinator holds
    /// either, and naming it.
    private static func lock(directory: String, output: OutputDirectory) throws -> [ExclusiveLock] {
        let manager = FileManager.default
        do {
            try manager.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try manager.createDirectory(atPath: output.temporaryDirectory, withIntermediateDirectories: true)
            return [
                try ExclusiveLock(path: "\(directory)/coordinator.lock", owner: "mr-coordinator"),
                try ExclusiveLock(path: output.lockFile, owner: "mr-coordinator"),
            ]
        } catch let held as ExclusiveLock.Held {
            throw JobError(
                .alreadyRunning, "another coordinator is running this job or writing this output: \(held); stop it first, or choose another output")
        }
    }
}
