import Foundation
public import MapReduce

/// One thing that happened to a distributed job, as its coordinator appends it to `<output>/_events.jsonl`: the
/// job's history, from which the status page is rendered, live or afterwards (``JobHistory``).
///
/// Fields that do not apply to an event's kind are absent from its JSON line.
public struct JobEvent: Codable, Sendable, Equatable {
    /// What happened.
    public enum Kind: String, Codable, Sendable {
        /// A coordinator started (or restarted) the job: `job`, `mapTasks`, `reduceTasks`, `inputBytes` (planned),
        /// of the step it starts in (`step`, `steps`) for a job of several.
        case jobStarted = "job-started"
        /// A step of a job of several started (`step`, `steps`, and its `mapTasks`, `reduceTasks`, `inputBytes`):
        /// the one before it is done, and the tasks from here on are this step's.
        case stepStarted = "step-started"
        /// A phase (`phase`: `map` or `reduce`) started: its first attempt was assigned.
        case phaseStarted = "phase-started"
        /// A phase ended: its last task committed.
        case phaseEnded = "phase-ended"
        /// An attempt (`task`, `attempt`) was assigned to `worker`.
        case taskAssigned = "task-assigned"
        /// An attempt committed its task, with what it read and wrote.
        case taskCommitted = "task-committed"
        /// An attempt failed with `message`.
        case attemptFailed = "attempt-failed"
        /// An attempt was lost (its lease expired, or its worker gave it up): `message` says which.
        case attemptLost = "attempt-lost"
        /// A committed map output was found damaged; its map task runs again.
        case mapOutputLost = "map-output-lost"
        /// A worker registered.
        case workerJoined = "worker-joined"
        /// A worker's lease expired with no attempt of its running any longer.
        case workerLost = "worker-lost"
        /// A worker said it was stopping (SIGTERM or SIGINT) and gave back what it ran.
        case workerStopped = "worker-stopped"
        /// A worker gets no more work: `message` says why.
        case workerExcluded = "worker-excluded"
        /// The output is final.
        case jobSucceeded = "job-succeeded"
        /// The job failed: `message` says why.
        case jobFailed = "job-failed"
    }

    /// What happened.
    public var kind: Kind
    /// When, in seconds since 1970 (wall clock: a restarted coordinator's events continue the same history).
    public var time: Double
    /// The job (``Kind/jobStarted``).
    public var job: String?
    /// Map tasks (``Kind/jobStarted``).
    public var mapTasks: Int?
    /// Reduce tasks (``Kind/jobStarted``).
    public var reduceTasks: Int?
    /// The step the event happened in, counted from 1 as everywhere people read it (logs, `/v1/status`, the page),
    /// in a job of several steps; absent in a job of one.
    public var step: Int?
    /// The names of the job's steps, in order, for a job of several (``Kind/jobStarted``, ``Kind/stepStarted``).
    public var steps: [String]?
    /// `map` or `reduce`.
    public var phase: String?
    /// The task's number in its phase.
    public var task: Int?
    /// The attempt.
    public var attempt: UInt64?
    /// The worker.
    public var worker: String?
    /// Why an attempt failed or was lost, or why the job failed.
    public var message: String?
    /// Bytes read: the input planned (``Kind/jobStarted``), a committed map's input, or a committed reduce's
    /// partition of the map outputs (compressed, as stored).
    public var inputBytes: Int64?
    /// Records read by a committed task.
    public var inputRecords: Int64?
    /// Bytes a committed task wrote: a map's output file, a reduce's output file.
    public var outputBytes: Int64?
    /// Records a committed task wrote.
    public var outputRecords: Int64?
    /// Sorted runs a committed map spilled.
    public var spills: Int?
    /// A committed attempt's counters.
    public var counters: [String: Int64]?
    /// A committed reduce's keys with the most values.
    public var hotKeys: [HotKey]?

    /// Creates an event of `kind` at `time` (seconds since 1970; by default, now).
    public init(_ kind: Kind, time: Double? = nil) {
        self.kind = kind
        self.time = time ?? Date().timeIntervalSince1970
    }

    /// The most tasks in a phase, and steps in a job, an event may name: more is damage, not a job.
    public static let maximumTasks = 10_000_000

    /// Whether every figure is one a coordinator could have written: counts and numbers within bounds, none
    /// negative. A damaged line that decodes (`"mapTasks": -1`, a count near 2^63) must not reach the page.
    public var isPlausible: Bool {
        let counts = [mapTasks, reduceTasks, task, step, spills].compactMap { $0 }
        let figures = [inputBytes, inputRecords, outputBytes, outputRecords].compactMap { $0 } + (hotKeys ?? []).map(\.records)
        return time.isFinite && counts.allSatisfy { (0...Self.maximumTasks).contains($0) } && figures.allSatisfy { $0 >= 0 }
            && (steps?.count ?? 0) <= Self.maximumTasks && (step.map { $0 >= 1 && (steps == nil || $0 <= steps?.count ?? 0) } ?? true)
            && (phase.map { $0 == "map" || $0 == "reduce" } ?? true)
    }

    /// The event of `attempt` of `task` having happened.
    public static func attempt(_ kind: Kind, _ task: TaskID, _ attempt: AttemptID, worker: WorkerID?, message: String? = nil) -> JobEvent {
        var event = JobEvent(kind)
        (event.phase, event.task) = task.phaseAndNumber
        event.attempt = attempt.rawValue
        event.worker = worker?.rawValue
        event.message = message
        return event
    }
}

extension TaskID {
    /// `("map", 3)` for map task 3.
    var phaseAndNumber: (String, Int) {
        switch self {
        case .map(let id): ("map", id.rawValue)
        case .reduce(let id): ("reduce", id.rawValue)
        }
    }
}
