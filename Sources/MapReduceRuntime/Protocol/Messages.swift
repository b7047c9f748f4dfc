public import MapReduce

// The coordinator's HTTP API, version 1: JSON bodies, documented in Docs/WireProtocol.md. Bulk data never passes
// through it: assignments name files in the shared directory.

/// `POST /v1/register`: a worker joins (with the cluster's shared secret, when one is set).
public struct RegistrationRequest: Codable, Sendable {
    /// What the worker calls itself (host, process id, random suffix), for logs: 1 to 128 printable bytes.
    public var name: String
    /// Creates a request.
    public init(name: String) { self.name = name }
}

/// The answer to ``RegistrationRequest``: who the worker is, and the credential every later request carries as
/// `Authorization: Bearer <credential>`.
public struct Registration: Codable, Sendable {
    /// The worker's identity, issued by the coordinator (its name and a number).
    public var worker: WorkerID
    /// The worker's credential: shown to it alone.
    public var credential: String
    /// The file in the shared directory the worker must read back to prove it sees the coordinator's.
    public var sharedDirectory: SharedDirectoryToken?
    /// Creates a registration.
    public init(worker: WorkerID, credential: String, sharedDirectory: SharedDirectoryToken? = nil) {
        self.worker = worker
        self.credential = credential
        self.sharedDirectory = sharedDirectory
    }
}

/// `POST /v1/task`: a worker asks for work (long poll).
public struct TaskRequest: Codable, Sendable {
    /// Who asks.
    public var worker: WorkerID
    /// The worker's number for this request, the same when it retries it: a retry after a lost answer gets the
    /// same assignment while its attempt runs, instead of giving that attempt up.
    public var request: Int?
    /// Creates a request.
    public init(worker: WorkerID, request: Int? = nil) {
        self.worker = worker
        self.request = request
    }
}

/// The answer to ``TaskRequest``.
public struct TaskAssignment: Codable, Sendable {
    /// What to do.
    public enum Action: String, Codable, Sendable {
        /// Run the attempt described by `map` or `reduce`.
        case run
        /// Nothing to do yet: ask again at once (the coordinator already waited).
        case wait
        /// The job is over: exit.
        case exit
        /// This worker gets no more work (`reason` says why): exit, saying so, with a failure status.
        case excluded
    }

    /// What to do.
    public var action: Action
    /// The attempt to run, with `action == .run`.
    public var attempt: AttemptID?
    /// The map task to run.
    public var map: MapAssignment?
    /// The reduce task to run.
    public var reduce: ReduceAssignment?
    /// How often to heartbeat while running, in milliseconds.
    public var heartbeatMilliseconds: Int?
    /// Why the worker is excluded, with `action == .excluded`.
    public var reason: String?

    /// Creates an assignment.
    public init(
        action: Action, attempt: AttemptID? = nil, map: MapAssignment? = nil, reduce: ReduceAssignment? = nil, heartbeatMilliseconds: Int? = nil,
        reason: String? = nil
    ) {
        self.action = action
        self.reason = reason
        self.attempt = attempt
        self.map = map
        self.reduce = reduce
        self.heartbeatMilliseconds = heartbeatMilliseconds
    }
}

/// A map task to run.
public struct MapAssignment: Codable, Sendable {
    /// The catalog job.
    public var job: String
    /// The job's `--param` values; absent means none.
    public var parameters: [String: String]?
    /// The task.
    public var task: MapTaskID
    /// What it reads.
    public var splits: [InputSplit]
    /// The step's map directory in the shared directory, where the attempt writes its files, named by task and
    /// attempt (``MapOutputLayout``).
    public var directory: String
    /// How to write its outputs.
    public var settings: ShuffleSettings
    /// How many records whose map call throws it may skip (`--skip-bad-records`); absent means 0.
    public var badRecordLimit: Int?
    /// The longest record it reads (`--max-record-size`); absent means the default, 64 MiB.
    public var maximumRecordSize: Int?
    /// The step of the job the task belongs to, counted from 0; absent means the first (a job of one step).
    public var step: Int?

    /// Creates a map assignment.
    public init(
        job: String, parameters: [String: String]? = nil, step: Int? = nil, task: MapTaskID, splits: [InputSplit], directory: String,
        settings: ShuffleSettings, badRecordLimit: Int? = nil, maximumRecordSize: Int? = nil
    ) {
        self.job = job
        self.step = step
        self.parameters = parameters
        self.task = task
        self.splits = splits
        self.directory = directory
        self.settings = settings
        self.badRecordLimit = badRecordLimit
        self.maximumRecordSize = maximumRecordSize
    }
}

/// A reduce task to run.
public struct ReduceAssignment: Codable, Sendable {
    /// The catalog job.
    public var job: String
    /// The job's `--param` values; absent means none.
    public var parameters: [String: String]?
    /// The task (its partition).
    public var task: ReduceTaskID
    /// The step's working directory, where map attempts wrote their output files (``MapReduce/JobPlan/directory``).
    public var directory: String
    /// The committed attempt of every map task whose output may hold records in partition ``task``, in map task
    /// order: the task reads that partition of each one's output file, so a duplicate or late map attempt's file
    /// is never read, nor a file with nothing for it.
    public var maps: [CommittedMaps]
    /// Where to write the output file; the coordinator moves it into place when it commits the attempt.
    public var outputPath: String
    /// The attempt's scratch directory.
    public var scratchDirectory: String
    /// How to merge.
    public var settings: ShuffleSettings
    /// The step of the job the task belongs to, counted from 0; absent means the first (a job of one step).
    public var step: Int?

    /// Creates a reduce assignment.
    public init(
        job: String, parameters: [String: String]? = nil, step: Int? = nil, task: ReduceTaskID, directory: String, maps: [CommittedMaps],
        outputPath: String, scratchDirectory: String, settings: ShuffleSettings
    ) {
        self.job = job
        self.step = step
        self.parameters = parameters
        self.task = task
        self.directory = directory
        self.maps = maps
        self.outputPath = outputPath
        self.scratchDirectory = scratchDirectory
        self.settings = settings
    }
}

/// On the wire, `maps` travels as one string of packed numbers (``CommittedMaps/wireText(of:)``), not an array of
/// objects; arrays (what earlier builds sent) are still read.
extension ReduceAssignment {
    private enum CodingKeys: String, CodingKey {
        case job, parameters, task, directory, maps, outputPath, scratchDirectory, settings, step
    }

    /// Reads an assignment; `maps` as one string (``CommittedMaps/wireText(of:)``) or as an array of range
    /// objects (what earlier builds sent).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        job = try container.decode(String.self, forKey: .job)
        parameters = try container.decodeIfPresent([String: String].self, forKey: .parameters)
        task = try container.decode(ReduceTaskID.self, forKey: .task)
        directory = try container.decode(String.self, forKey: .directory)
        if let text = try? container.decode(String.self, forKey: .maps) {
            guard let ranges = CommittedMaps.ranges(wireText: text) else {
                throw DecodingError.dataCorruptedError(
                    forKey: .maps, in: container, debugDescription: "the map ranges are not base64 of whole numbers in threes: '\(text.prefix(40))'")
            }
            maps = ranges
        } else {
            maps = try container.decode([CommittedMaps].self, forKey: .maps)
        }
        outputPath = try container.decode(String.self, forKey: .outputPath)
        scratchDirectory = try container.decode(String.self, forKey: .scratchDirectory)
        settings = try container.decode(ShuffleSettings.self, forKey: .settings)
        step = try container.decodeIfPresent(Int.self, forKey: .step)
    }

    /// Writes the assignment, `maps` as one string (``CommittedMaps/wireText(of:)``).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(job, forKey: .job)
        try container.encodeIfPresent(parameters, forKey: .parameters)
        try container.encode(task, forKey: .task)
        try container.encode(directory, forKey: .directory)
        try container.encode(CommittedMaps.wireText(of: maps), forKey: .maps)
        try container.encode(outputPath, forKey: .outputPath)
        try container.encode(scratchDirectory, forKey: .scratchDirectory)
        try container.encode(settings, forKey: .settings)
        try container.encodeIfPresent(step, forKey: .step)
    }
}

extension MapAssignment {
    /// The assignment of `context`, a map task of `plan`.
    public init(_ plan: JobPlan, _ context: MapTaskContext) {
        self.init(
            job: plan.job, parameters: plan.parameters, step: plan.step, task: MapTaskID(context.task), splits: context.splits, directory: context.directory,
            settings: context.settings, badRecordLimit: context.badRecordLimit, maximumRecordSize: context.maximumRecordSize)
    }

    /// The context of `attempt` of the task it assigns.
    public func context(attempt: AttemptID, cancellation: TaskCancellation, progress: TaskProgress) -> MapTaskContext {
        MapTaskContext(
            task: task.rawValue, attempt: attempt, splits: splits, directory: directory, settings: settings, badRecordLimit: badRecordLimit ?? 0,
            maximumRecordSize: maximumRecordSize ?? JobConfiguration.defaultMaximumRecordSize, cancellation: cancellation, progress: progress)
    }
}

extension ReduceAssignment {
    /// The assignment of `attempt` of reduce task `task` of `plan`, reading the outputs of `maps`.
    public init(_ plan: JobPlan, _ task: ReduceTaskID, _ attempt: AttemptID, maps: [CommittedMap]) {
        self.init(
            job: plan.job, parameters: plan.parameters, step: plan.step, task: task, directory: plan.directory,
            maps: CommittedMaps.ranges(of: maps), outputPath: plan.reduceOutputFile(task, attempt),
            scratchDirectory: plan.reduceScratchDirectory(task, attempt), settings: plan.shuffle)
    }

    /// The context of the task it assigns.
    /// - Throws: ``SchedulerError`` if its map ranges are malformed.
    public func context(cancellation: TaskCancellation, progress: TaskProgress) throws(SchedulerError) -> ReduceTaskContext {
        let inputs = try CommittedMaps.maps(maps).map { JobPlan.mapOutputFile(in: directory, $0.task, $0.attempt) }
        return ReduceTaskContext(
            partition: task.rawValue, inputs: inputs, outputPath: outputPath, scratchDirectory: scratchDirectory, settings: settings,
            cancellation: cancellation, progress: progress)
    }
}

/// `POST /v1/heartbeat`: a worker is alive and still running `attempt`.
public struct HeartbeatRequest: Codable, Sendable {
    /// Who.
    public var worker: WorkerID
    /// The attempt running, if any.
    public var attempt: AttemptID?
    /// How far the attempt got; absent from older workers.
    public var progress: AttemptProgress?
    /// Creates a heartbeat.
    public init(worker: WorkerID, attempt: AttemptID?, progress: AttemptProgress? = nil) {
        self.worker = worker
        self.attempt = attempt
        self.progress = progress
    }
}

/// How far a running attempt got, sent with its heartbeats.
public struct AttemptProgress: Codable, Sendable, Equatable {
    /// Records read so far (a map's input records, a reduce's values).
    public var records: Int64
    /// Bytes read so far (a map's input; 0 for a reduce).
    public var bytes: Int64

    /// Creates a progress report.
    public init(records: Int64, bytes: Int64) {
        self.records = records
        self.bytes = bytes
    }
}

/// The answer to ``HeartbeatRequest``.
public struct HeartbeatResponse: Codable, Sendable {
    /// Whether the attempt is still wanted (`false`: it was given to another worker or its task committed).
    public var current: Bool
    /// Creates an answer.
    public init(current: Bool) { self.current = current }
}

/// `POST /v1/complete`: an attempt succeeded.
public struct CompletionRequest: Codable, Sendable {
    /// Who.
    public var worker: WorkerID
    /// Which attempt.
    public var attempt: AttemptID
    /// A map attempt's result.
    public var map: MapTaskOutput?
    /// A reduce attempt's result.
    public var reduce: ReduceTaskOutput?
    /// The worker's number for its next task request (``TaskRequest/request``): the answer carries that task if
    /// one can be given at once, saving the worker a round trip per task. Absent: the worker asks `POST /v1/task`.
    public var next: Int?
    /// Creates a completion.
    public init(worker: WorkerID, attempt: AttemptID, map: MapTaskOutput? = nil, reduce: ReduceTaskOutput? = nil, next: Int? = nil) {
        self.worker = worker
        self.attempt = attempt
        self.map = map
        self.reduce = reduce
        self.next = next
    }
}

/// The answer to ``CompletionRequest``.
public struct CompletionResponse: Codable, Sendable {
    /// Whether the attempt committed its task (`false`: stale or duplicate, its files are garbage). A completion
    /// that asked for the next task is answered once its commit is decided, before the commit's journal entry is
    /// on disk; the commit takes effect then (an append that fails fails the attempt, and its task runs again).
    public var accepted: Bool
    /// The answer to the task request the completion carried (``CompletionRequest/next``), as `POST /v1/task` would
    /// give it, unless that would be to wait: then absent, and the worker asks `POST /v1/task` with the same number.
    public var next: TaskAssignment?
    /// Creates an answer.
    public init(accepted: Bool, next: TaskAssignment? = nil) {
        self.accepted = accepted
        self.next = next
    }
}

/// `POST /v1/fail`: an attempt failed.
public struct FailureRequest: Codable, Sendable {
    /// Who.
    public var worker: WorkerID
    /// Which attempt.
    public var attempt: AttemptID
    /// What went wrong, one line.
    public var error: String
    /// An intermediate file the attempt could not read (missing, truncated or corrupt), if that was the failure:
    /// the coordinator re-runs the map task that wrote it.
    public var lostInput: String?
    /// Creates a failure report.
    public init(worker: WorkerID, attempt: AttemptID, error: String, lostInput: String? = nil) {
        self.worker = worker
        self.attempt = attempt
        self.error = error
        self.lostInput = lostInput
    }
}

/// `POST /v1/leave`: the worker is stopping (it was sent SIGTERM or SIGINT); the attempt it runs should go to
/// another worker now, not when its lease expires.
public struct LeaveRequest: Codable, Sendable {
    /// Who.
    public var worker: WorkerID
    /// Creates a request.
    public init(worker: WorkerID) { self.worker = worker }
}

/// `POST /v1/attach`: the worker's control connection. The answer is a stream the coordinator keeps open, writing a
/// line feed every ``CoordinatorRouter/connectionPingInterval``, until the job is over: a connection that closes
/// before (the worker's process died, and its system closed it) loses the worker at once, without waiting for a
/// lease to run out.
public struct AttachRequest: Codable, Sendable {
    /// Who.
    public var worker: WorkerID
    /// Creates a request.
    public init(worker: WorkerID) { self.worker = worker }
}

/// `GET /v1/status`: where the job stands.
public struct JobStatus: Codable, Sendable {
    /// The job's name.
    public var job: String
    /// `map`, `reduce`, `finishing`, `succeeded` or `failed` (of the running step, in a job of several).
    public var phase: String
    /// The running step, counted from 1, in a job of several steps; absent for a job of one.
    public var step: Int?
    /// How many steps the job has; absent for a job of one.
    public var steps: Int?
    /// Map tasks by state.
    public var maps: TaskCounts
    /// Reduce tasks by state.
    public var reduces: TaskCounts
    /// Map attempts started so far.
    public var mapAttempts: Int
    /// Reduce attempts started so far.
    public var reduceAttempts: Int
    /// Workers whose lease is current.
    public var workers: [String]
    /// Failed attempts, one line each.
    public var failures: [String]
}

/// Tasks by state.
public struct TaskCounts: Codable, Sendable {
    /// Counts `states`.
    package init(_ states: [Scheduler.TaskState]) {
        pending = states.count { $0 == .pending }
        running = states.count { $0 == .running }
        committed = states.count { if case .committed = $0 { true } else { false } }
    }

    /// Waiting for a worker.
    public var pending: Int
    /// Running now.
    public var running: Int
    /// Done.
    public var committed: Int
}
