import Foundation
public import MapReduce

/// A distributed job's directory in the shared directory, `<shared>/jobs/<job>-<hash of the output path>`, opened
/// by its coordinator: the plan written there (or read back, to resume the job a dead coordinator left), and the
/// locks that keep a second coordinator off this job and this output.
///
/// The directory is named after the output, so a coordinator restarted with the same arguments finds the journal of
/// the one that died and resumes; everything is checked before any task runs, with a one-line error.
public struct JobDirectory: Sendable {
    /// The job's plan: the one just written, or the one of the job being resumed.
    public let plan: JobPlan
    /// Whether an earlier coordinator's journal was found (the job resumes from it).
    public let resuming: Bool
    /// The locks held on the job's directory and on the output, until the coordinator exits.
    public let locks: [ExclusiveLock]

    /// Opens the directory of `job` (built from `parameters`) over `inputs`, writing to `output`.
    /// - Throws: ``JobError`` for a bad configuration, an unusable shared directory or output, another coordinator
    ///   running this job or writing this output, or a job directory holding a different job; ``InputError`` for a
    ///   bad input.
    public static func open(
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
        let outputDirectory = OutputDirectory(path: outputPath)
        let directory = "\(shared)/jobs/\(job.name)-\(String(XXHash64.hash(Array(outputPath.utf8)), radix: 16))"
        let locks = try lock(directory: directory, output: outputDirectory)
        plan.directory = directory
        plan.output = outputPath
        guard manager.fileExists(atPath: "\(directory)/journal"), let previous = try JobPlan.read(from: directory) else {
            try outputDirectory.prepare()
            try plan.write()
            return JobDirectory(plan: plan, resuming: false, locks: locks)
        }
        guard previous.job == plan.job, previous.parameters == plan.parameters, previous.configuration == plan.configuration,
            previous.rangeBoundaries == plan.rangeBoundaries, previous.mapTasks.map({ $0.map(\.file.path) }) == plan.mapTasks.map({ $0.map(\.file.path) })
        else {
            throw JobError(
                .badConfiguration, "shared directory '\(directory)' holds a different job for output '\(outputPath)'; remove it or choose another output")
        }
        // The previous plan's fingerprints are what the committed tasks read: the caller checks the inputs against them.
        let committed = try Journal(path: "\(directory)/journal").entries.filter { $0.entry.event == .reduceCommitted }.compactMap(\.entry.task)
        for partition in committed where !manager.fileExists(atPath: outputDirectory.partFile(partition)) {
            throw JobError(
                .outputExists,
                "'\(directory)' records \(outputDirectory.partFileName(partition)) as done, but it is not in '\(outputPath)'; remove '\(directory)' to start over"
            )
        }
        try outputDirectory.prepare(resuming: true)
        return JobDirectory(plan: previous, resuming: true, locks: locks)
    }

    /// Takes the exclusive locks on the job's directory and on the output, refusing when another coordinator holds
    /// either, and naming it.
    private static func lock(directory: String, output: OutputDirectory) throws -> [ExclusiveLock] {
        let manager = FileManager.default
        guard !manager.fileExists(atPath: output.successMarker) else {
            throw JobError(.outputExists, "output directory '\(output.path)' already holds a job's output; remove it or choose another")
        }
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
