import Foundation
public import MapReduce

/// A job's history folded from its events (``JobEvent``): what the status page and `/v1/job` show, for a running
/// job (the coordinator folds each event as it happens) or a finished one (`report` reads `_events.jsonl`).
public struct JobHistory: Sendable {
    /// The job's name.
    public private(set) var job = ""
    /// When the first coordinator started it (seconds since 1970).
    public private(set) var started: Double?
    /// When it succeeded or failed.
    public private(set) var ended: Double?
    /// `succeeded` or `failed` once it ended.
    public private(set) var outcome: String?
    /// Why it failed.
    public private(set) var failure: String?
    /// Every task, by phase and number.
    public private(set) var tasks: [Key: Task] = [:]
    /// Every failed or lost attempt, in order.
    public private(set) var failures: [JobEvent] = []
    /// Every worker that joined, by name.
    public private(set) var workers: [String: Worker] = [:]
    /// Each reduce partition's input, bytes (compressed, as stored) and records, from its committed reduce task.
    public private(set) var partitions: [(bytes: Int64, records: Int64)] = []
    /// When each phase started and ended.
    public private(set) var phases: [String: (started: Double, ended: Double?)] = [:]
    /// The names of the job's steps, for a job of several (empty for a job of one).
    public private(set) var steps: [String] = []
    /// The step the tasks are of, counted from 0.
    public private(set) var step = 0
    /// When each step started and ended, by step (a job of several).
    public private(set) var stepTimes: [Int: (started: Double, ended: Double?)] = [:]
    private var mapTasks = 0
    private var reduceTasks = 0

    /// A task: `map 3`.
    public struct Key: Hashable, Sendable, Comparable {
        /// `map` or `reduce`.
        public var phase: String
        /// Its number in the phase.
        public var number: Int
        public static func < (a: Self, b: Self) -> Bool { (a.phase != "map" ? 1 : 0, a.number) < (b.phase != "map" ? 1 : 0, b.number) }
    }

    /// A task's state and its committed attempt's figures.
    public struct Task: Sendable {
        /// `pending`, `running` or `committed`.
        public var state = "pending"
        /// Attempts started.
        public var attempts = 0
        /// The worker of the latest attempt.
        public var worker: String?
        /// When the latest attempt started.
        public var started: Double?
        /// How long the committed attempt took, in seconds.
        public var seconds: Double?
        /// The committed attempt's figures (absent until it commits).
        public var committed: Figures?
        /// Attempts running now.
        public var running: Set<UInt64> = []
    }

    /// What a task's committed attempt read and wrote: its commit event's figures, kept without the rest of the
    /// event (at 100,000 tasks, whole events were most of a coordinator's memory).
    public struct Figures: Sendable, Equatable {
        /// Bytes read.
        public var inputBytes: Int64?
        /// Records read.
        public var inputRecords: Int64?
        /// Bytes written.
        public var outputBytes: Int64?
        /// Records written.
        public var outputRecords: Int64?
        /// Sorted runs spilled (a map).
        public var spills: Int?
        /// The job's own counters from the attempt.
        public var counters: [String: Int64]?
        /// The keys with the most values (a reduce).
        public var hotKeys: [HotKey]?

        /// The figures of `event`, a commit.
        init(_ event: JobEvent) {
            (inputBytes, inputRecords, outputBytes, outputRecords, spills) = (
                event.inputBytes, event.inputRecords, event.outputBytes, event.outputRecords, event.spills
            )
            (counters, hotKeys) = (event.counters, event.hotKeys)
        }
    }

    /// A worker as the history saw it.
    public struct Worker: Sendable {
        /// When it joined.
        public var joined: Double
        /// When it was declared lost, if it was.
        public var lost: Double?
        /// When it said it was stopping, if it did.
        public var stopped: Double?
        /// When it was excluded (it gets no more work), if it was.
        public var excluded: Double?
        /// The attempt it runs, if any: `map 3`.
        public var current: Key?
        /// Attempts it committed.
        public var committed = 0
        /// When it was last heard of in the history (an assignment or a commit).
        public var lastSeen: Double
    }

    /// An empty history.
    public init() {}

    /// The history of `events`, in order.
    public init(_ events: [JobEvent]) {
        for event in events { apply(event) }
    }

    /// Folds `event` into the history.
    public mutating func apply(_ event: JobEvent) {
        let key = event.phase.flatMap { phase in event.task.map { Key(phase: phase, number: $0) } }
        switch event.kind {
        case .jobStarted, .stepStarted:
            if event.kind == .jobStarted {
                // A rerun or restart: whatever the run before it ended in, this one has not ended.
                (ended, outcome, failure) = (nil, nil, nil)
            }
            job = event.job ?? job
            started = started ?? event.time
            if let names = event.steps, let number = event.step, number >= 1 { enter(step: number - 1, of: names, at: event.time) }
            mapTasks = event.mapTasks ?? mapTasks
            reduceTasks = event.reduceTasks ?? reduceTasks
            for number in 0..<mapTasks where tasks[Key(phase: "map", number: number)] == nil { tasks[Key(phase: "map", number: number)] = Task() }
            for number in 0..<reduceTasks where tasks[Key(phase: "reduce", number: number)] == nil {
                tasks[Key(phase: "reduce", number: number)] = Task()
            }
            if partitions.count != reduceTasks { partitions = Array(repeating: (0, 0), count: reduceTasks) }
            // A restarted coordinator forgets running attempts: their tasks run again.
            for (key, task) in tasks where task.state == "running" {
                tasks[key]?.state = "pending"
                tasks[key]?.running = []
            }
            for name in workers.keys { workers[name]?.current = nil }
        case .phaseStarted:
            if let phase = event.phase, phases[phase] == nil { phases[phase] = (event.time, nil) }
        case .phaseEnded:
            if let phase = event.phase { phases[phase, default: (event.time, nil)].ended = event.time }
        case .taskAssigned:
            guard let key, let attempt = event.attempt else { return }
            tasks[key, default: Task()].attempts += 1
            tasks[key]?.worker = event.worker
            tasks[key]?.started = event.time
            tasks[key]?.running.insert(attempt)
            if tasks[key]?.state != "committed" { tasks[key]?.state = "running" }
            if let worker = event.worker {
                workers[worker, default: Worker(joined: event.time, lastSeen: event.time)].current = key
                workers[worker]?.lastSeen = event.time
            }
        case .taskCommitted:
            guard let key else { return }
            tasks[key, default: Task()].state = "committed"
            tasks[key]?.running = []
            tasks[key]?.worker = event.worker
            let started = tasks[key]?.started
            tasks[key]?.seconds = started.map { event.time - $0 }
            tasks[key]?.committed = Figures(event)
            if key.phase == "reduce", partitions.indices.contains(key.number) {
                partitions[key.number] = (event.inputBytes ?? 0, event.inputRecords ?? 0)
            }
            if let worker = event.worker {
                workers[worker]?.committed += 1
                workers[worker]?.lastSeen = event.time
                if workers[worker]?.current == key { workers[worker]?.current = nil }
            }
        case .attemptFailed, .attemptLost:
            failures.append(event)
            guard let key, let attempt = event.attempt else { return }
            tasks[key]?.running.remove(attempt)
            if tasks[key]?.state == "running", tasks[key]?.running.isEmpty == true { tasks[key]?.state = "pending" }
            if let worker = event.worker, workers[worker]?.current == key { workers[worker]?.current = nil }
        case .mapOutputLost:
            guard let key else { return }
            tasks[key]?.state = "pending"
            tasks[key]?.committed = nil
            failures.append(event)
        case .workerJoined:
            if let worker = event.worker { workers[worker] = Worker(joined: event.time, lastSeen: event.time) }
        case .workerLost:
            if let worker = event.worker {
                workers[worker]?.lost = event.time
                workers[worker]?.current = nil
            }
        case .workerExcluded:
            if let worker = event.worker {
                workers[worker]?.excluded = event.time
                workers[worker]?.current = nil
            }
        case .workerStopped:
            if let worker = event.worker {
                workers[worker]?.stopped = event.time
                workers[worker]?.current = nil
            }
        case .jobSucceeded, .jobFailed:
            ended = event.time
            if event.kind == .jobSucceeded, !steps.isEmpty { stepTimes[step]?.ended = event.time }
            outcome = event.kind == .jobSucceeded ? "succeeded" : "failed"
            failure = event.message
            for (key, task) in tasks where task.state == "running" { tasks[key]?.state = "pending" }
            for name in workers.keys { workers[name]?.current = nil }
        }
    }

    /// Makes `number` the current step: the tasks, phases and partitions of an earlier one are set aside (its
    /// figures are in its `_summary.json`).
    private mutating func enter(step number: Int, of names: [String], at time: Double) {
        steps = names
        if stepTimes[number] == nil { stepTimes[number] = (time, nil) }
        guard number != step else { return }
        for earlier in stepTimes.keys where earlier < number && stepTimes[earlier]?.ended == nil { stepTimes[earlier]?.ended = time }
        step = number
        tasks = [:]
        phases = [:]
        partitions = []
        for name in workers.keys { workers[name]?.current = nil }
    }
}
