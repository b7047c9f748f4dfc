import Foundation
public import Logging
import MapReduce

/// Owns a distributed job's state: the ``Scheduler``, the committed map outputs, and the output directory.
///
/// Every HTTP handler calls into this actor; it never reads or writes records. When the last reduce task
/// commits, it writes `_SUCCESS` and `_summary.json` and reports the job finished.
public actor Coordinator {
    /// The job.
    public let plan: JobPlan
    private var scheduler: Scheduler
    private var mapOutputs: [MapTaskOutput?]
    private var reduceOutputs: [ReduceTaskOutput?]
    private let journal: Journal
    private var signal = ChangeSignal()
    private var toldToExit: Set<WorkerID> = []
    private let clock = ContinuousClock()
    private let started: ContinuousClock.Instant
    private let pollTimeout: Duration
    private let logger: Logger
    /// Set once the output is final (or the job failed).
    public private(set) var outcome: Outcome? = nil

    /// How a job ended.
    public enum Outcome: Sendable, Equatable {
        case succeeded
        case failed(String)
    }

    /// Creates the coordinator of `plan`, resuming from the progress recorded in `journal`.
    ///
    /// Tasks the journal shows committed are not run again; attempts running when an earlier coordinator died
    /// are simply forgotten (their workers' reports are refused) and their tasks run again.
    public init(
        plan: JobPlan, journal: Journal, leaseTimeout: Duration, maxAttempts: Int, speculation: Bool = true, pollTimeout: Duration, logger: Logger
    ) throws {
        let history = try Journal.read(path: journal.path)
        let epoch = history.count { $0.event == .started }
        self.plan = plan
        self.journal = journal
        scheduler = Scheduler(
            .init(
                mapTasks: plan.mapTasks.count, reduceTasks: plan.configuration.reducers, leaseTimeout: leaseTimeout, maxAttempts: maxAttempts,
                speculation: speculation, firstAttempt: UInt64(epoch) << 40 + 1))
        mapOutputs = Array(repeating: nil, count: plan.mapTasks.count)
        reduceOutputs = Array(repeating: nil, count: plan.configuration.reducers)
        for entry in history {
            guard let task = entry.task, let attempt = entry.attempt ?? (entry.event == .mapLost ? AttemptID(0) : nil) else { continue }
            switch entry.event {
            case .mapCommitted:
                scheduler.restore(.map(MapTaskID(task)), committedBy: attempt)
                mapOutputs[task] = entry.map
            case .mapLost:
                scheduler.restoreLost(MapTaskID(task))
                mapOutputs[task] = nil
            case .reduceCommitted:
                scheduler.restore(.reduce(ReduceTaskID(task)), committedBy: attempt)
                reduceOutputs[task] = entry.reduce
            case .started:
                break
            }
        }
        restored = (mapOutputs.count { $0 != nil }, reduceOutputs.count { $0 != nil })
        try journal.append(JournalEntry(event: .started, epoch: epoch))
        started = clock.now
        self.pollTimeout = pollTimeout
        self.logger = logger
    }

    /// Map and reduce tasks found committed in the journal at start.
    public let restored: (maps: Int, reduces: Int)

    /// Finishes at once if the journal showed every task committed (the previous coordinator died just before
    /// writing `_SUCCESS`).
    public func resume() throws {
        if restored.maps > 0 || restored.reduces > 0 {
            logger.info("resumed from journal", metadata: ["mr.maps": "\(restored.maps)", "mr.reduces": "\(restored.reduces)"])
        }
        try finishIfDone()
    }

    /// How often workers heartbeat: a third of the lease.
    private var heartbeatMilliseconds: Int {
        let lease = scheduler.configuration.leaseTimeout.components
        return max(50, Int(lease.seconds * 1000 + lease.attoseconds / 1_000_000_000_000_000) / 3)
    }

    /// The next assignment for `worker`, waiting up to the poll timeout for one to become available.
    public func nextTask(for worker: WorkerID) async -> TaskAssignment {
        let deadline = clock.now + pollTimeout
        while true {
            switch scheduler.assign(to: worker, now: clock.now) {
            case .finished:
                toldToExit.insert(worker)
                return TaskAssignment(action: .exit)
            case .run(let attempt, let task):
                logger.info("assigned", metadata: ["mr.worker": "\(worker)", "mr.task": "\(task)", "mr.attempt": "\(attempt.rawValue)"])
                return assignment(attempt, task)
            case .wait:
                guard clock.now < deadline, !Task.isCancelled else { return TaskAssignment(action: .wait) }
                await waitForChange(until: deadline)
            }
        }
    }

    private func assignment(_ attempt: AttemptID, _ task: TaskID) -> TaskAssignment {
        let settings = plan.shuffle
        switch task {
        case .map(let map):
            return TaskAssignment(
                action: .run, attempt: attempt,
                map: MapAssignment(
                    job: plan.job, parameters: plan.parameters, task: map, splits: plan.mapTasks[map.rawValue], directory: plan.mapDirectory(map, attempt),
                    settings: settings,
                    badRecordLimit: plan.configuration.skipBadRecords),
                heartbeatMilliseconds: heartbeatMilliseconds)
        case .reduce(let reduce):
            let scratch = plan.reduceDirectory(reduce, attempt)
            return TaskAssignment(
                action: .run, attempt: attempt,
                reduce: ReduceAssignment(
                    job: plan.job, parameters: plan.parameters, task: reduce, inputs: mapOutputs.map { $0!.files[reduce.rawValue].path },
                    outputPath: "\(scratch)/out/\(OutputDirectory(path: plan.output).partFileName(reduce.rawValue))",
                    scratchDirectory: "\(scratch)/work", settings: settings),
                heartbeatMilliseconds: heartbeatMilliseconds)
        }
    }

    /// Suspends until the state changes or `deadline` passes.
    private func waitForChange(until deadline: ContinuousClock.Instant) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await Task.sleep(until: deadline, clock: .continuous) }
            group.addTask { await self.suspendUntilNotified() }
            await group.next()
            group.cancelAll()
            self.wakeAll()
        }
    }

    private func suspendUntilNotified() async {
        let id = signal.reserve()
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                signal.add(continuation, as: id)
                if Task.isCancelled { signal.resume(id) }
            }
        } onCancel: {
            Task { await self.cancelWaiter(id) }
        }
    }

    private func cancelWaiter(_ id: Int) { signal.resume(id) }

    /// Wakes every long-polling request so it looks again (at worst they find nothing and wait again).
    private func wakeAll() { signal.notifyAll() }

    /// Throws what the scheduler would for a report of `attempt` by `worker`, before anything is journaled.
    private func checkOwner(_ attempt: AttemptID, _ worker: WorkerID) throws(SchedulerError) {
        var probe = scheduler
        _ = try probe.heartbeat(from: worker, attempt: attempt, now: clock.now)
    }

    private func checkOwner(_ request: CompletionRequest) throws(SchedulerError) { try checkOwner(request.attempt, request.worker) }

    /// Records a heartbeat.
    public func heartbeat(_ request: HeartbeatRequest) throws(SchedulerError) -> HeartbeatResponse {
        HeartbeatResponse(current: try scheduler.heartbeat(from: request.worker, attempt: request.attempt, now: clock.now))
    }

    /// Records a successful attempt; commits its task if it is the first.
    public func complete(_ request: CompletionRequest) throws -> CompletionResponse {
        let accepted: Bool
        if let reduce = request.reduce {
            // Publish the output before committing: a crash in between re-runs the task, never loses output.
            guard let task = scheduler.running[request.attempt]?.task, case .reduce(let id) = task,
                scheduler.reduceStates[id.rawValue] == .running
            else {
                accepted = try scheduler.complete(request.attempt, by: request.worker, now: clock.now)
                return CompletionResponse(accepted: accepted)
            }
            try checkOwner(request)
            let final = OutputDirectory(path: plan.output).partFile(id.rawValue)
            try FileManager.default.moveOrReplaceItem(at: reduce.path, to: final)
            try journal.append(JournalEntry(event: .reduceCommitted, task: id.rawValue, attempt: request.attempt, reduce: reduce))
            accepted = try scheduler.complete(request.attempt, by: request.worker, now: clock.now)
            if accepted { reduceOutputs[id.rawValue] = reduce }
        } else {
            let task = scheduler.running[request.attempt]?.task
            if case .map(let id) = task, scheduler.mapStates[id.rawValue] == .running {
                guard let map = request.map, map.files.count == plan.configuration.reducers else {
                    throw SchedulerError(
                        code: .unknownAttempt, message: "\(request.attempt) completed \(id) without its \(plan.configuration.reducers) partition files")
                }
                try checkOwner(request)
                try journal.append(JournalEntry(event: .mapCommitted, task: id.rawValue, attempt: request.attempt, map: map))
                accepted = try scheduler.complete(request.attempt, by: request.worker, now: clock.now)
                mapOutputs[id.rawValue] = map
                let skipped = mapOutputs.reduce(0) { $0 + ($1?.skippedRecords ?? 0) }
                if skipped > plan.configuration.skipBadRecords, outcome == nil {
                    outcome = .failed(BadRecordsFile.tooMany(skipped, limit: plan.configuration.skipBadRecords).message)
                }
            } else {
                accepted = try scheduler.complete(request.attempt, by: request.worker, now: clock.now)
            }
        }
        logger.info(accepted ? "committed" : "ignored completion", metadata: ["mr.worker": "\(request.worker)", "mr.attempt": "\(request.attempt.rawValue)"])
        try finishIfDone()
        wakeAll()
        return CompletionResponse(accepted: accepted)
    }

    /// Records a failed attempt. If it could not read a committed map output, that map task runs again.
    public func fail(_ request: FailureRequest) throws {
        let metadata: Logger.Metadata = ["mr.worker": "\(request.worker)", "mr.attempt": "\(request.attempt.rawValue)", "mr.error": "\(request.error)"]
        if let lost = request.lostInput, let map = mapOutputs.firstIndex(where: { $0?.files.contains { $0.path == lost } == true }) {
            try checkOwner(request.attempt, request.worker)
            try journal.append(JournalEntry(event: .mapLost, task: map))
            if try scheduler.lostMapOutput(MapTaskID(map), reportedBy: request.attempt, worker: request.worker, now: clock.now) {
                mapOutputs[map] = nil
            }
            logger.warning("intermediate file lost; re-running its map task", metadata: metadata.merging(["mr.task": "map \(map)"]) { $1 })
        } else {
            try scheduler.fail(request.attempt, by: request.worker, message: request.error, now: clock.now)
            logger.warning("attempt failed", metadata: metadata)
        }
        try finishIfDone()
        wakeAll()
    }

    /// Declares silent workers dead and re-queues their attempts, and lets waiting requests look again (a task
    /// may have become a straggler worth a backup just by time passing).
    public func expireLeases() {
        let lost = scheduler.expireLeases(now: clock.now)
        wakeAll()
        guard !lost.isEmpty else { return }
        for attempt in lost {
            logger.warning(
                "lease expired; re-queued", metadata: ["mr.worker": "\(attempt.worker)", "mr.task": "\(attempt.task)", "mr.attempt": "\(attempt.id.rawValue)"])
        }
    }

    /// Whether any worker with a current lease has not yet been told to exit.
    public func hasListeningWorkers() -> Bool { !scheduler.liveWorkers.allSatisfy { toldToExit.contains($0) } }

    /// The job's status.
    public func status() -> JobStatus {
        func counts(_ states: [Scheduler.TaskState]) -> TaskCounts {
            TaskCounts(
                pending: states.count { $0 == .pending }, running: states.count { $0 == .running },
                committed: states.count { if case .committed = $0 { true } else { false } })
        }
        let phase: String
        switch outcome {
        case .succeeded: phase = "succeeded"
        case .failed: phase = "failed"
        case nil: phase = scheduler.mapsCommitted ? "reduce" : "map"
        }
        return JobStatus(
            job: plan.job, phase: phase, maps: counts(scheduler.mapStates), reduces: counts(scheduler.reduceStates),
            mapAttempts: scheduler.attemptsStarted.map, reduceAttempts: scheduler.attemptsStarted.reduce,
            workers: scheduler.liveWorkers.map(\.rawValue).sorted(),
            failures: scheduler.failures.map { "\($0.task) \($0.attempt) on \($0.worker): \($0.message)" })
    }

    /// Writes `_SUCCESS` and the summary once every task committed, or records the job's failure.
    private func finishIfDone() throws {
        guard outcome == nil else { return }
        if let task = scheduler.fatalTask {
            let lines = scheduler.failures.filter { $0.task == task }.map { "  \($0.attempt) on \($0.worker): \($0.message)" }
            outcome = .failed("\(task) failed \(lines.count) times:\n" + lines.joined(separator: "\n"))
            return
        }
        guard scheduler.isComplete else { return }
        let summary = JobSummary(
            job: plan.job, mapTasks: plan.mapTasks.count, reduceTasks: plan.configuration.reducers,
            mapAttempts: scheduler.attemptsStarted.map, reduceAttempts: scheduler.attemptsStarted.reduce,
            failedAttempts: scheduler.failures.count,
            inputBytes: mapOutputs.reduce(0) { $0 + ($1?.inputBytes ?? 0) }, inputRecords: mapOutputs.reduce(0) { $0 + ($1?.inputRecords ?? 0) },
            intermediateBytes: mapOutputs.reduce(0) { $0 + ($1?.files.reduce(0) { $0 + $1.bytes } ?? 0) },
            outputRecords: reduceOutputs.reduce(0) { $0 + ($1?.records ?? 0) }, outputBytes: reduceOutputs.reduce(0) { $0 + ($1?.bytes ?? 0) },
            seconds: (clock.now - started).seconds, counters: counters, skippedRecords: mapOutputs.reduce(0) { $0 + ($1?.skippedRecords ?? 0) })
        try summary.write(to: OutputDirectory(path: plan.output))
        try BadRecordsFile.publish(mapOutputs.compactMap { $0?.badRecords }, to: OutputDirectory(path: plan.output))
        try OutputDirectory(path: plan.output).markSuccess()
        // The intermediate data and the journal are no longer needed.
        try? FileManager.default.removeItem(atPath: plan.directory)
        outcome = .succeeded
        logger.info("job succeeded", metadata: ["mr.job": "\(plan.job)"])
    }

    /// The job's own counters, summed over committed attempts (never over duplicates or failures).
    public var counters: [String: Int64] {
        var totals: [String: Int64] = [:]
        for output in mapOutputs { totals.add(output?.counters ?? [:]) }
        for output in reduceOutputs { totals.add(output?.counters ?? [:]) }
        return totals
    }

    /// The job's summary line, once it is over.
    public func summary() -> String {
        let status = status()
        return "\(plan.job): \(status.phase); \(plan.mapTasks.count) map tasks (\(status.mapAttempts) attempts), "
            + "\(plan.configuration.reducers) reduce tasks (\(status.reduceAttempts) attempts), \(status.failures.count) failed attempts, "
            + String(format: "%.2f s", (clock.now - started).seconds)
            + (counters.isEmpty ? "" : "; counters: " + counters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", "))
    }
}

extension FileManager {
    /// Renames `source` to `destination`, replacing it (rename(2) is atomic within one filesystem).
    func moveOrReplaceItem(at source: String, to destination: String) throws {
        guard rename(source, destination) == 0 else {
            throw CocoaError(
                .fileWriteUnknown,
                userInfo: [
                    NSFilePathErrorKey: destination,
                    NSLocalizedDescriptionKey: "cannot rename '\(source)' to '\(destination)': \(String(cString: strerror(errno)))",
                ])
        }
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
