import Foundation

/// Everything fixed about a job before it starts: its inputs cut into map tasks, its configuration, a total-order
/// job's partition boundaries, and where every task reads and writes. ``JobPlanner`` makes one.
///
/// It is the task layout of both runners: the ``SequentialRunner`` and a distributed coordinator derive every path
/// from the plan (``mapOutputFile(_:_:)``, ``reduceOutputFile(_:_:)``, …), never from a request, and
/// build each task's context from it (``mapTaskContext(_:_:cancellation:)``). A coordinator writes it to
/// `<job directory>/job.json`.
public struct JobPlan: Codable, Sendable, Equatable {
    /// The format this build writes; a `job.json` of another version is refused with a message.
    /// (3: map attempts write one output file, `map/<m>/attempt-<a>/output.mri`, and the configuration has
    /// `targetMapTasks`; 4: input files listed once, map tasks as numbers, `JobPlan+Coding.swift`; 5: attempts
    /// write `map/<m>-attempt-<a>.mri` and `reduce/<r>-attempt-<a>.part`, no directory of their own,
    /// ``MapOutputLayout``, ``ReduceOutputLayout``.)
    public static let formatVersion = 5

    /// The plan's format version.
    public var version: Int
    /// The job's catalog name.
    public var job: String
    /// The job's `--param` values (absent: none).
    public var parameters: [String: String]?
    /// A total-order job's partition boundaries, sampled from the input when the job was planned.
    public var rangeBoundaries: [[UInt8]]?
    /// Each map task's input ranges, with every file's absolute path and fingerprint.
    public var mapTasks: [[InputSplit]]
    /// Reducers, split size, memory budget, compression, record limits.
    public var configuration: JobConfiguration
    /// The job's working directory, holding every attempt's files: `<shared>/jobs/<id>` for a distributed run,
    /// `<output>/_temporary/shuffle` for a local one.
    public var directory: String
    /// The output directory (absolute and canonical): the job's, or, for a step that feeds another, the
    /// directory in the job's directory where the step's intermediate files are published.
    public var output: String
    /// The step this plan runs, counted from 0, in a job of several steps (``stepCount``); absent for a job of one.
    public var step: Int?
    /// How many steps the job has; absent for a job of one.
    public var steps: Int?
    /// The job's output directory, when this plan's ``output`` is a step's intermediate files; absent otherwise.
    public var jobOutput: String?
    /// What identifies the job across its steps and its coordinator's restarts: the ``hash`` of its first step's
    /// plan as placed (job, parameters, configuration, inputs as planned, directories), set by the coordinator.
    /// The finished output records it (``JobSummary/plan``), so a coordinator restarted on a finished job with the
    /// same arguments and unchanged inputs knows the job is done.
    public var identity: String?

    /// Creates a plan.
    public init(
        job: String, parameters: [String: String] = [:], mapTasks: [[InputSplit]], configuration: JobConfiguration, directory: String, output: String,
        rangeBoundaries: [[UInt8]]? = nil
    ) {
        version = Self.formatVersion
        self.job = job
        self.parameters = parameters.isEmpty ? nil : parameters
        self.rangeBoundaries = rangeBoundaries
        self.mapTasks = mapTasks
        self.configuration = configuration
        self.directory = directory
        self.output = output
    }

    /// The step this plan runs, counted from 0.
    public var stepIndex: Int { step ?? 0 }
    /// How many steps the job has.
    public var stepCount: Int { steps ?? 1 }
    /// Whether this is the job's last step, the one that writes the job's output.
    public var isLastStep: Bool { stepIndex == stepCount - 1 }

    /// The job's output directory: where its last step writes.
    public var jobOutputDirectory: String { jobOutput ?? output }

    /// Where the job's steps work and publish, under the job's directory.
    public var layout: StepLayout {
        StepLayout(jobDirectory: stepCount == 1 ? directory : StepLayout.jobDirectory(ofStepDirectory: directory), steps: stepCount)
    }

    /// This plan with the job's directory moved to `jobDirectory` and its output to `jobOutput` (a plan is made
    /// before the shared directory is opened, then placed in it).
    public func placed(inJobDirectory jobDirectory: String, jobOutput: String) -> JobPlan {
        let layout = StepLayout(jobDirectory: jobDirectory, steps: stepCount)
        var plan = self
        plan.directory = layout.directory(ofStep: stepIndex)
        plan.output = layout.output(ofStep: stepIndex, jobOutput: jobOutput)
        plan.jobOutput = plan.output == jobOutput ? nil : jobOutput
        return plan
    }

    /// The shuffle settings every task of the job uses.
    public var shuffle: ShuffleSettings {
        var settings = configuration.shuffle
        settings.rangeBoundaries = rangeBoundaries
        return settings
    }

    /// A hash of the whole plan, recorded in the journal: a journal is replayed only against the plan it was
    /// written for.
    public var hash: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let bytes = (try? encoder.encode(self)).map(Array.init) ?? []
        return String(XXHash64.hash(bytes), radix: 16)
    }

    /// The step's map directory, where every map attempt writes its files (``MapOutputLayout``).
    public var mapDirectory: String { Self.mapDirectory(in: directory) }

    /// The step's map directory of the plan whose ``directory`` is `directory`: `<directory>/map`.
    public static func mapDirectory(in directory: String) -> String { "\(directory)/map" }

    /// Where the files of `attempt` of map task `task` are.
    public func mapLayout(_ task: MapTaskID, _ attempt: AttemptID) -> MapOutputLayout {
        MapOutputLayout(directory: mapDirectory, task: task.rawValue, attempt: attempt)
    }

    /// The output file, holding every partition, that `attempt` of map task `task` writes.
    public func mapOutputFile(_ task: MapTaskID, _ attempt: AttemptID) -> String { mapLayout(task, attempt).outputFile }

    /// The output file of `attempt` of map task `task` of the plan whose ``directory`` is `directory`: what a
    /// worker derives a reduce's inputs with, from the directory and the committed attempts alone.
    public static func mapOutputFile(in directory: String, _ task: MapTaskID, _ attempt: AttemptID) -> String {
        MapOutputLayout(directory: mapDirectory(in: directory), task: task.rawValue, attempt: attempt).outputFile
    }

    /// The list of records `attempt` of map task `task` skipped, if it skipped any.
    public func badRecordsFile(_ task: MapTaskID, _ attempt: AttemptID) -> String { mapLayout(task, attempt).badRecordsFile }

    /// The step's reduce directory, where every reduce attempt writes its files (``ReduceOutputLayout``).
    public var reduceDirectory: String { "\(directory)/reduce" }

    /// Where the files of `attempt` of reduce task `task` are.
    public func reduceLayout(_ task: ReduceTaskID, _ attempt: AttemptID) -> ReduceOutputLayout {
        ReduceOutputLayout(directory: reduceDirectory, task: task.rawValue, attempt: attempt)
    }

    /// Where `attempt` of reduce task `task` keeps its merge passes' files.
    public func reduceScratchDirectory(_ task: ReduceTaskID, _ attempt: AttemptID) -> String { reduceLayout(task, attempt).scratchDirectory }

    /// The output file `attempt` of reduce task `task` writes, which ``OutputCommitter`` publishes when it commits.
    public func reduceOutputFile(_ task: ReduceTaskID, _ attempt: AttemptID) -> String { reduceLayout(task, attempt).outputFile }

    /// What `attempt` of map task `task` reads and where it writes.
    public func mapTaskContext(_ task: MapTaskID, _ attempt: AttemptID, cancellation: TaskCancellation = TaskCancellation()) -> MapTaskContext {
        MapTaskContext(
            task: task.rawValue, attempt: attempt, splits: mapTasks[task.rawValue], directory: mapDirectory, settings: shuffle,
            badRecordLimit: configuration.skipBadRecords, maximumRecordSize: configuration.maximumRecordSize, cancellation: cancellation)
    }

    /// What `attempt` of reduce task `task` reads (partition `task` of the output files of `maps`, committed map
    /// attempts in map task order: ``JobAccounting/inputs(of:committedBy:)``) and where it writes.
    public func reduceTaskContext(
        _ task: ReduceTaskID, _ attempt: AttemptID, maps: [CommittedMap], cancellation: TaskCancellation = TaskCancellation()
    ) -> ReduceTaskContext {
        ReduceTaskContext(
            partition: task.rawValue, inputs: maps.map { mapOutputFile($0.task, $0.attempt) },
            outputPath: reduceOutputFile(task, attempt), scratchDirectory: reduceScratchDirectory(task, attempt), settings: shuffle,
            cancellation: cancellation)
    }

    /// Throws ``InputError`` `changed` naming the first input file that no longer matches its fingerprint (or is
    /// gone): a restarted coordinator must not finish a job over different data.
    public func checkInputsUnchanged() throws {
        var seen: Set<String> = []
        for split in mapTasks.joined() where seen.insert(split.file.path).inserted { try split.file.checkUnchanged() }
    }

    /// The plan in `<directory>/job.json`, or `nil` if there is none.
    /// - Throws: when the file is damaged, or was written by a build with another plan format.
    public static func read(from directory: String) throws -> JobPlan? {
        guard let data = FileManager.default.contents(atPath: "\(directory)/job.json") else { return nil }
        struct Version: Decodable { var version: Int? }
        let version = (try? JSONDecoder().decode(Version.self, from: data))?.version
        guard version == formatVersion else {
            throw JobError(
                .badConfiguration,
                "'\(directory)/job.json' was written by another version of mr-coordinator (plan format \(version ?? 1), this one reads \(formatVersion)); remove '\(directory)' to start the job over"
            )
        }
        return try JSONDecoder().decode(JobPlan.self, from: data)
    }

    /// Writes the plan to `<directory>/job.json` (atomically).
    public func write() throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try AtomicFile.write(Array(try encoder.encode(self)), to: "\(directory)/job.json")
    }
}
