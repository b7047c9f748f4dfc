import Foundation
import MapReduce

/// What the status page shows, as `GET /v1/job` serves it: a job's progress, totals, tasks, failures, workers,
/// partitions and counters, at one moment. Made from a ``JobHistory`` (and, for a running job, what only the live
/// coordinator knows: heartbeats and running attempts' progress).
public struct JobOverview: Codable, Sendable, Equatable {
    /// The job's name.
    public var job: String
    /// `map`, `reduce`, `finishing`, `succeeded` or `failed` (of the step running, for a job of several).
    public var phase: String
    /// The job's steps in order, for a job of several (absent for a job of one): the tasks, partitions, totals and
    /// counters shown are the running step's (or the last one's); each finished step's are in its `_summary.json`.
    public var steps: [StepRow]?
    /// Why the job failed.
    public var failure: String?
    /// Seconds since the job started (until it ended).
    public var elapsedSeconds: Double
    /// An estimate of the seconds left, from the share of tasks done so far (of the running step, in a job of
    /// several, which cannot foresee later steps); absent before any task is done and once the job ended.
    public var remainingSeconds: Double?
    /// Map tasks by state.
    public var maps: Progress
    /// Reduce tasks by state.
    public var reduces: Progress
    /// Bytes and records read and written by committed tasks, with rates.
    public var totals: Totals
    /// The slowest tasks that ran or run, the slowest first (running tasks by their time so far): at most
    /// ``taskRowLimit``, so the page stays small and fast at any number of tasks.
    public var tasks: [TaskRow]
    /// The tasks ``tasks`` leaves out: those never started, and those faster than the slowest shown.
    public var tasksNotShown: Int
    /// Failed and lost attempts grouped by their error (numbers and quoted names set aside), the largest group first.
    public var failureGroups: [FailureGroup]
    /// Every worker that joined.
    public var workers: [WorkerRow]
    /// Intermediate data per reduce partition (the reduce tasks' input).
    public var partitions: [PartitionRow]
    /// The keys with the most values in the reduce tasks' input (after any combiner), most first: where one key
    /// holds much of the data. Each committed reduce task reports its ten.
    public var hottestKeys: [HotKeyRow]
    /// The job's counters, from committed attempts.
    public var counters: [String: Int64]

    /// The most rows ``tasks`` holds: 100.
    public static let taskRowLimit = 100

    /// A key with many values.
    public struct HotKeyRow: Codable, Sendable, Equatable {
        /// The key, as text.
        public var key: String
        /// Its values.
        public var records: Int64
        /// Its partition (reduce task).
        public var partition: Int
    }

    /// One step of a job of several.
    public struct StepRow: Codable, Sendable, Equatable {
        /// Its name.
        public var name: String
        /// `pending`, `running`, `done`, or `failed`.
        public var state: String
        /// How long it ran (so far), once it started.
        public var seconds: Double?
    }

    /// A phase's tasks by state.
    public struct Progress: Codable, Sendable, Equatable {
        /// Tasks in the phase.
        public var total: Int
        /// Waiting for a worker.
        public var pending: Int
        /// Running now.
        public var running: Int
        /// Done.
        public var committed: Int
    }

    /// Bytes and records, with rates over the elapsed time.
    public struct Totals: Codable, Sendable, Equatable {
        /// Input bytes read by committed map tasks.
        public var inputBytes: Int64
        /// Input records read by committed map tasks.
        public var inputRecords: Int64
        /// Intermediate bytes written by committed map tasks.
        public var intermediateBytes: Int64
        /// Intermediate records written by committed map tasks.
        public var intermediateRecords: Int64
        /// Output bytes written by committed reduce tasks.
        public var outputBytes: Int64
        /// Output records written by committed reduce tasks.
        public var outputRecords: Int64
        /// Input bytes per second of the map phase.
        public var inputBytesPerSecond: Double
        /// Output bytes per second of the reduce phase.
        public var outputBytesPerSecond: Double
    }

    /// One task.
    public struct TaskRow: Codable, Sendable, Equatable {
        /// `map 3`.
        public var task: String
        /// `pending`, `running` or `committed`.
        public var state: String
        /// Attempts started.
        public var attempts: Int
        /// The latest attempt's worker.
        public var worker: String?
        /// The committed attempt's duration, or the running one's time so far.
        public var seconds: Double?
        /// Bytes read (a map's input), once committed.
        public var inputBytes: Int64?
        /// Records read, once committed; for a running attempt, its progress so far.
        public var inputRecords: Int64?
        /// Bytes written, once committed.
        public var outputBytes: Int64?
        /// Records written, once committed.
        public var outputRecords: Int64?
        /// Sorted runs spilled (a map), once committed.
        public var spills: Int?
    }

    /// Failed or lost attempts with the same error.
    public struct FailureGroup: Codable, Sendable, Equatable {
        /// The error, with numbers shown as `#` and quoted names as `'…'`.
        public var error: String
        /// Each attempt: when, which task, which worker, and its own message.
        public var attempts: [FailedAttempt]
    }

    /// A failed or lost attempt.
    public struct FailedAttempt: Codable, Sendable, Equatable {
        /// `map 3`.
        public var task: String
        /// The attempt.
        public var attempt: UInt64?
        /// Its worker.
        public var worker: String?
        /// `failed`, `lost` or `output-lost`.
        public var kind: String
        /// The message.
        public var message: String
    }

    /// One worker.
    public struct WorkerRow: Codable, Sendable, Equatable {
        /// Its name.
        public var name: String
        /// `alive`, `lost`, `stopped` (it said so, on SIGTERM or SIGINT), or `done` once the job ended.
        public var state: String
        /// Seconds since its last heartbeat or request (live only).
        public var lastHeardSecondsAgo: Double?
        /// The task it runs: `map 3`.
        public var current: String?
        /// Attempts it committed.
        public var committed: Int
    }

    /// One reduce partition's input.
    public struct PartitionRow: Codable, Sendable, Equatable {
        /// The partition (and reduce task) number.
        public var partition: Int
        /// Intermediate bytes.
        public var bytes: Int64
        /// Intermediate records.
        public var records: Int64
        /// Whether it is skewed: over 1.5 times the 75th percentile of the partitions' bytes.
        public var skewed: Bool
    }

    /// What only a live coordinator knows.
    public struct Live: Sendable {
        /// Seconds since each live worker was last heard from.
        public var lastHeard: [String: Double] = [:]
        /// Records and bytes read so far by each running attempt, as its worker last reported.
        public var progress: [UInt64: (records: Int64, bytes: Int64)] = [:]

        /// Nothing known.
        public init() {}
    }

    /// The overview of `history` at `now` (seconds since 1970), with what the live coordinator knows.
    public init(_ history: JobHistory, now: Double, live: Live? = nil) {
        let end = history.ended ?? now
        let start = history.started ?? end
        job = history.job
        failure = history.failure
        elapsedSeconds = max(0, end - start)
        // One pass over the tasks, allocating nothing per task: this runs on every load of the status page and every
        // tick of the progress line, at 100,000 tasks too.
        var counts = (map: Progress(total: 0, pending: 0, running: 0, committed: 0), reduce: Progress(total: 0, pending: 0, running: 0, committed: 0))
        var sums: (mapInputBytes: Int64, mapInputRecords: Int64, mapOutputBytes: Int64, mapOutputRecords: Int64, outputBytes: Int64, outputRecords: Int64) = (
            0, 0, 0, 0, 0, 0
        )
        var slowest = SlowestTasks(limit: Self.taskRowLimit)
        var counters: [String: Int64] = [:]
        var hotKeys: [HotKeyRow] = []
        func seconds(_ task: JobHistory.Task) -> Double? { task.seconds ?? (task.state == "running" ? task.started.map { end - $0 } : nil) }
        for (key, task) in history.tasks {
            let isMap = key.phase == "map"
            func count(_ progress: inout Progress) {
                progress.total += 1
                switch task.state {
                case "pending": progress.pending += 1
                case "running": progress.running += 1
                case "committed": progress.committed += 1
                default: break
                }
            }
            if isMap { count(&counts.map) } else if key.phase == "reduce" { count(&counts.reduce) }
            if let figures = task.committed, isMap {
                sums.mapInputBytes = sums.mapInputBytes.saturatingAdd(figures.inputBytes ?? 0)
                sums.mapInputRecords = sums.mapInputRecords.saturatingAdd(figures.inputRecords ?? 0)
                sums.mapOutputBytes = sums.mapOutputBytes.saturatingAdd(figures.outputBytes ?? 0)
                sums.mapOutputRecords = sums.mapOutputRecords.saturatingAdd(figures.outputRecords ?? 0)
            } else if let figures = task.committed, key.phase == "reduce" {
                sums.outputBytes = sums.outputBytes.saturatingAdd(figures.outputBytes ?? 0)
                sums.outputRecords = sums.outputRecords.saturatingAdd(figures.outputRecords ?? 0)
                for hot in figures.hotKeys ?? [] { hotKeys.append(HotKeyRow(key: hot.key, records: hot.records, partition: key.number)) }
            }
            if let taskCounters = task.committed?.counters { counters.add(taskCounters) }
            if task.state != "pending" || task.attempts > 0 { slowest.offer(seconds: seconds(task) ?? -1, key) }
        }
        maps = counts.map
        reduces = counts.reduce
        if let outcome = history.outcome {
            phase = outcome
        } else if maps.committed < maps.total {
            phase = "map"
        } else {
            phase = reduces.committed < reduces.total ? "reduce" : "finishing"
        }
        // Estimated from the running step alone: its share of tasks done in its time so far.
        let stepElapsed = history.stepTimes[history.step].map { max(0, end - $0.started) } ?? elapsedSeconds
        remainingSeconds =
            history.ended == nil
            ? JobProgress.remainingSeconds(elapsed: stepElapsed, done: maps.committed + reduces.committed, total: maps.total + reduces.total) : nil

        steps =
            history.steps.isEmpty
            ? nil
            : history.steps.enumerated().map { index, name in
                let times = history.stepTimes[index]
                let state =
                    if times?.ended != nil || index < history.step { "done" } else if index == history.step {
                        history.outcome == "failed" ? "failed" : "running"
                    } else { "pending" }
                return StepRow(name: name, state: state, seconds: times.map { max(0, ($0.ended ?? end) - $0.started) })
            }

        func seconds(_ phase: String) -> Double {
            guard let times = history.phases[phase] else { return 0 }
            return max(0, (times.ended ?? end) - times.started)
        }
        totals = Totals(
            inputBytes: sums.mapInputBytes, inputRecords: sums.mapInputRecords, intermediateBytes: sums.mapOutputBytes,
            intermediateRecords: sums.mapOutputRecords, outputBytes: sums.outputBytes, outputRecords: sums.outputRecords,
            inputBytesPerSecond: seconds("map") > 0 ? Double(sums.mapInputBytes) / seconds("map") : 0,
            outputBytesPerSecond: seconds("reduce") > 0 ? Double(sums.outputBytes) / seconds("reduce") : 0)

        tasksNotShown = history.tasks.count - slowest.keys.count
        tasks = slowest.keys.compactMap { key in
            guard let task = history.tasks[key] else { return nil }
            let figures = task.committed
            let running = task.state == "running" ? task.running.compactMap { live?.progress[$0] }.max { $0.records < $1.records } : nil
            return TaskRow(
                task: "\(key.phase) \(key.number)", state: task.state, attempts: task.attempts, worker: task.worker,
                seconds: seconds(task), inputBytes: figures?.inputBytes ?? running?.bytes, inputRecords: figures?.inputRecords ?? running?.records,
                outputBytes: figures?.outputBytes, outputRecords: figures?.outputRecords, spills: figures?.spills)
        }

        var groups: [String: [FailedAttempt]] = [:]
        var order: [String] = []
        for event in history.failures {
            let message = event.message ?? ""
            // The worker's name is the same in every message of that worker: kept out of the pattern whole (its
            // digits would otherwise become `#` and split or mangle the groups).
            let key = Self.errorPattern(event.worker.map { message.replacingOccurrences(of: $0, with: "\u{1}") } ?? message)
                .replacingOccurrences(of: "\u{1}", with: "<worker>")
            if groups[key] == nil { order.append(key) }
            let kind = event.kind == .attemptLost ? "lost" : event.kind == .mapOutputLost ? "output-lost" : "failed"
            groups[key, default: []].append(
                FailedAttempt(
                    task: (event.step.map { "step \($0) " } ?? "") + "\(event.phase ?? "") \(event.task ?? 0)", attempt: event.attempt,
                    worker: event.worker, kind: kind, message: message))
        }
        failureGroups = order.map { FailureGroup(error: $0, attempts: groups[$0] ?? []) }.sorted { $0.attempts.count > $1.attempts.count }

        workers = history.workers.sorted { $0.key < $1.key }.map { name, worker in
            let alive = worker.lost == nil && worker.stopped == nil && worker.excluded == nil && history.ended == nil
            let state =
                worker.excluded != nil ? "excluded" : worker.stopped != nil ? "stopped" : worker.lost != nil ? "lost" : history.ended != nil ? "done" : "alive"
            return WorkerRow(
                name: name, state: state,
                lastHeardSecondsAgo: alive ? live?.lastHeard[name] : nil,
                current: worker.current.map { "\($0.phase) \($0.number)" }, committed: worker.committed)
        }

        let sortedBytes = history.partitions.map(\.bytes).sorted()
        // The nearest-rank 75th percentile.
        let percentile75 = sortedBytes.isEmpty ? 0 : sortedBytes[max(0, (sortedBytes.count * 3 + 3) / 4 - 1)]
        partitions = history.partitions.enumerated().map { index, partition in
            PartitionRow(
                partition: index, bytes: partition.bytes, records: partition.records,
                skewed: history.partitions.count > 1 && Double(partition.bytes) > 1.5 * Double(percentile75))
        }

        hottestKeys = Array(hotKeys.sorted { ($0.records, $1.partition, $1.key) > ($1.records, $0.partition, $0.key) }.prefix(10))
        self.counters = counters
    }

    /// `message` with its numbers shown as `#` and its quoted names as `'…'`: attempts that failed the same way
    /// on different tasks, files or workers fall into one group.
    static func errorPattern(_ message: String) -> String {
        var result = ""
        var quoted = false
        var previous: Character = " "
        for character in message {
            if character == "'" {
                quoted.toggle()
                if quoted { result += "'…'" }
            } else if quoted {
                continue
            } else if character.isNumber {
                if previous != "#" { result.append("#") }
                previous = "#"
                continue
            } else {
                result.append(character)
            }
            previous = character
        }
        return result
    }
}
