import Foundation
public import Logging
public import MapReduce
import NIOCore
import NIOPosix

/// The shell around a job's ``CoordinatorCore``: every HTTP handler calls into this actor, which passes each
/// request to the core with the current instant and carries out what the core returns.
///
/// The core decides; the shell does the I/O: it appends the journal, confirms a completion's files and publishes
/// a reduce output (off the actor, so heartbeats are answered meanwhile), reads a map output a reduce could not
/// read, writes the finished step's metadata, plans the next step, records events (history, metrics,
/// `_events.jsonl`) and wakes long polls. It never reads or writes records. The actor runs on a thread of its own,
/// not on the cooperative pool: a journal's fsync on a slow network filesystem blocks no other task.
public actor Coordinator {
    /// How a coordinator serves a job: the same for every step.
    public struct Configuration: Sendable {
        /// How long an attempt may go unheard before it is lost.
        public var leaseTimeout: Duration
        /// How many attempts of a task may fail or be lost before the job fails.
        public var maxAttempts: Int
        /// Whether stragglers get backup attempts.
        public var speculation: Bool
        /// How long a worker's request for a task waits for one.
        public var pollTimeout: Duration
        /// The most workers registered at once (a worker that left, was lost or was excluded no longer counts).
        public var maximumRegistrations: Int

        public init(leaseTimeout: Duration, maxAttempts: Int, speculation: Bool = true, pollTimeout: Duration, maximumRegistrations: Int = 10_000) {
            self.leaseTimeout = leaseTimeout
            self.maxAttempts = maxAttempts
            self.speculation = speculation
            self.pollTimeout = pollTimeout
            self.maximumRegistrations = maximumRegistrations
        }

        var core: CoordinatorCore.Settings {
            .init(leaseTimeout: leaseTimeout, maxAttempts: maxAttempts, speculation: speculation, maximumRegistrations: maximumRegistrations)
        }
    }

    /// How a job ended.
    public enum Outcome: Sendable, Equatable {
        case succeeded
        case failed(String)
    }

    /// The job: its steps, to plan each after the one before it.
    public nonisolated let job: AnyJob
    /// How this coordinator serves the job.
    public nonisolated let configuration: Configuration
    /// The coordinator's log.
    public nonisolated let logger: Logger
    private var core: CoordinatorCore
    private var journal: Journal
    private let clock: @Sendable () -> ContinuousClock.Instant
    private var signal = ChangeSignal()
    /// The commits under way, by attempt (``complete(_:)``).
    private var committing: [AttemptID: Task<CompletionResponse, any Error>] = [:]
    /// Completions that arrived again while their attempt was being committed, and waited for its answer.
    package private(set) var repeatedCompletions = 0
    /// Runs the confirmation of a completion's files (and the publishing of a reduce's output), off the actor: at
    /// once, unless a test slows it down as a stalled filesystem would.
    private var confirmation: @Sendable (_ confirm: () throws -> Void) throws -> Void = { try $0() }
    /// Intermediate data being removed off the actor (a finished step's attempts, or the job's directory): a
    /// recursive delete of 100,000 attempts takes minutes on some disks, and the coordinator serves meanwhile.
    private var removals: [BlockingWork<Void>] = []
    /// The job's history, folded from its events: what the status page shows.
    private var history: JobHistory
    /// Where the events are appended: `<output>/_events.jsonl`.
    private let events: EventLog?
    private let metrics = CoordinatorMetrics()

    /// The thread every coordinator's actor runs on (one per process: a process coordinates one job).
    private static let thread = MultiThreadedEventLoopGroup(numberOfThreads: 1).any()

    public nonisolated var unownedExecutor: UnownedSerialExecutor { Self.thread.executor.asUnownedSerialExecutor() }

    /// Creates the coordinator of `job`, starting in the step `plan` plans and resuming from the progress recorded in
    /// `journal` (the step's).
    ///
    /// Tasks the journal shows committed are not run again; attempts running when an earlier coordinator died
    /// are simply forgotten (their workers' reports are refused) and their tasks run again. Every replayed entry
    /// is checked against the plan: a journal of another plan, of an older format, or with an entry out of bounds
    /// is refused with a message. When the step is done and there is a next one, the coordinator plans it and
    /// carries on with the same workers.
    ///
    /// - Parameters:
    ///   - job: the job `plan` is a step of.
    ///   - events: where to append the job's history; its earlier events (an earlier coordinator's) are read first.
    ///   - clock: the current instant (a test's own clock).
    public init(
        plan: JobPlan, job: AnyJob, journal: Journal, configuration: Configuration, events: EventLog? = nil, logger: Logger,
        clock: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }
    ) throws {
        let step = try CoordinatorCore.prepare(plan, job: job, journal: journal.entries, journalPath: journal.path, settings: configuration.core)
        try journal.append(step.startEntry)
        self.job = job
        self.configuration = configuration
        self.journal = journal
        self.clock = clock
        self.logger = logger
        self.events = events
        core = CoordinatorCore(job: job, step: step, settings: configuration.core, now: clock())
        history = JobHistory(events.map { Self.pastEvents(of: $0, output: plan.jobOutputDirectory, logger: logger) } ?? [])
        Self.record(.init(event: core.startEvent), into: &history, events: events, metrics: metrics, logger: logger)
    }

    /// What an earlier coordinator of this job appended to `log`: none for a new job; what is readable, saying
    /// what was not, for a damaged history (the history is for people: it never stops a job).
    private static func pastEvents(of log: EventLog, output: String, logger: Logger) -> [JobEvent] {
        do {
            let contents = try EventLog.read(output: OutputDirectory(path: output))
            if let skipped = contents.skippedDescription(of: log.path) { logger.warning("\(skipped); the page shows the rest") }
            return contents.events
        } catch {
            // An empty file (a new job) holds no line, so no error: this is a history that is not one.
            logger.warning("job history not read; the page shows this run only", metadata: ["mr.error": "\(error)"])
            return []
        }
    }

    // MARK: Reading the state

    /// The plan of the step running now (the job's, for a job of one step).
    public var plan: JobPlan { core.plan }
    /// Set once the output is final (or the job failed).
    public var outcome: Outcome? { core.outcome }
    /// Map and reduce tasks of the running step found committed in its journal at start.
    public var restored: (maps: Int, reduces: Int) { core.restored }
    /// The job's own counters, summed over committed attempts (never over duplicates or failures).
    public var counters: [String: Int64] { core.accounting.counters }
    /// The job's status.
    public func status() -> JobStatus { core.status() }
    /// The job's summary line, once it is over.
    public func summaryLine() -> String { core.summaryLine(now: clock()) }
    /// Whether any worker with a current lease has not yet been told to exit.
    public func hasListeningWorkers() -> Bool { core.hasListeningWorkers }
    /// The worker `credential` was issued to, or `nil`.
    public func worker(forCredential credential: Substring) -> WorkerID? { core.worker(forCredential: credential) }
    /// Whether a completion of `attempt` is being committed.
    package func isCommitting(_ attempt: AttemptID) -> Bool { committing[attempt] != nil }

    /// Replaces how confirmations run (a test's stalled filesystem).
    package func setConfirmation(_ confirmation: @escaping @Sendable (_ confirm: () throws -> Void) throws -> Void) {
        self.confirmation = confirmation
    }

    /// What the status page shows, now.
    public func overview() -> JobOverview {
        var live = JobOverview.Live()
        let now = clock()
        for (worker, heard) in core.scheduler.lastHeard { live.lastHeard[worker.rawValue] = (now - heard).seconds }
        for (attempt, progress) in core.progress { live.progress[attempt.rawValue] = (progress.records, progress.bytes) }
        return JobOverview(history, now: Date().timeIntervalSince1970, live: live)
    }

    // MARK: Requests

    /// Finishes at once if the journal showed every task committed (the previous coordinator died just before
    /// writing `_SUCCESS`, or could not write it), and brings the history up to the journal.
    public func resume() { carryOut(core.resume(now: clock())) }

    /// Expires leases, retries finishing the output if it failed, and lets waiting requests look again. Called on
    /// every tick of the watcher.
    public func tick() { carryOut(core.tick(now: clock())) }

    /// Registers a worker called `name`: its identity and the credential its later requests carry.
    public func register(name: String) throws(SchedulerError) -> Registration {
        let (registration, effects) = try core.register(name: name)
        carryOut(effects)
        return registration
    }

    /// The next assignment for `worker`, waiting up to the poll timeout for one to become available; the same again
    /// for the same `request` number while its attempt runs (a retry after a lost answer).
    public func nextTask(for worker: WorkerID, request: Int? = nil) async -> TaskAssignment {
        let deadline = ContinuousClock.now + configuration.pollTimeout
        while true {
            let (assignment, effects) = core.assign(to: worker, request: request, now: clock())
            carryOut(effects)
            switch assignment {
            case .run(let assignment): return assignment
            case .exit: return TaskAssignment(action: .exit)
            case .excluded(let reason): return TaskAssignment(action: .excluded, reason: reason)
            case .wait:
                guard ContinuousClock.now < deadline, !Task.isCancelled else { return TaskAssignment(action: .wait) }
                core.startWaiting(worker)
                await waitForChange(until: deadline)
                core.stopWaiting(worker)
            }
        }
    }

    /// Records a heartbeat.
    public func heartbeat(_ request: HeartbeatRequest) throws(SchedulerError) -> HeartbeatResponse {
        try core.heartbeat(request, now: clock())
    }

    /// Records that a worker is stopping: the attempt it runs is lost now, and its task runs again elsewhere
    /// without waiting for the lease (``Scheduler/leave(_:)``).
    public func leave(_ request: LeaveRequest) { carryOut(core.leave(request, now: clock())) }

    /// Records a successful attempt; commits its task if it is the first.
    ///
    /// The report is checked first (owner, kind, numbers, paths: a 4xx before anything changes). Then, off the
    /// actor, the coordinator checks that the files exist as reported (a map) or publishes the output (a
    /// reduce); a problem there fails the attempt with the reason. Only then is the commit journaled.
    ///
    /// It is idempotent per attempt: the same completion again (its worker retried after losing the answer, or
    /// gave up waiting while a slow publish went on) waits for the commit under way and gets its answer, and one
    /// after the commit is told it was accepted. Only another attempt of the same task loses the race.
    public func complete(_ request: CompletionRequest) async throws -> CompletionResponse {
        if let inFlight = committing[request.attempt] {
            try core.scheduler.checkReport(from: request.worker, about: request.attempt)
            repeatedCompletions += 1
            return try await inFlight.value
        }
        let (start, effects) = try core.beginCompletion(request, now: clock())
        carryOut(effects)
        guard case .confirm(let attempt, let result) = start else {
            if case .answered(let response) = start { return response }
            preconditionFailure("a completion is answered or confirmed")
        }
        // The commit runs in a task of its own: a request that goes away (its connection reset) does not cut it
        // short, and a repeated request waits for it.
        let commit = Task { try await self.commit(request, attempt, result) }
        committing[request.attempt] = commit
        defer { committing.removeValue(forKey: request.attempt) }
        return try await commit.value
    }

    /// Confirms `result` off the actor, then journals and commits it (or fails `attempt`); see ``complete(_:)``.
    private func commit(_ request: CompletionRequest, _ attempt: Scheduler.Attempt, _ result: CompletionCheck.Result) async throws -> CompletionResponse {
        let plan = core.plan
        let worker = request.worker
        let confirmation = confirmation
        let checked = await BlockingWork {
            Result { () throws -> Void in try confirmation { try CompletionCheck(plan: plan).confirm(result, reportedBy: worker) } }
        }.value()
        var problem: (any Error)?
        if case .failure(let error) = checked { problem = error }
        switch core.completionConfirmed(request, attempt, result, problem: problem, now: clock()) {
        case .abandoned:
            return CompletionResponse(accepted: false)
        case .failed(let effects):
            carryOut(effects)
            return CompletionResponse(accepted: false)
        case .journal(let entry):
            let (response, effects) = core.completionJournaled(request, attempt, result, error: append(entry), now: clock())
            carryOut(effects)
            return response
        }
    }

    /// Records a failed attempt. If it could not read a committed map output, the coordinator reads that file
    /// itself: a damaged file runs its map task again (the reduce is retried, neither counting as a failure); a
    /// file it finds intact means the reporting worker's view of the shared directory is wrong, which fails the
    /// reduce attempt, naming the worker.
    public func fail(_ request: FailureRequest) async throws {
        switch try core.beginFailure(request, now: clock()) {
        case .done(let effects):
            carryOut(effects)
        case .checkDamage(let map, let file, let partition):
            let damage = await BlockingWork { CompletionCheck.damage(of: file, partition: partition) }.value() ?? nil
            switch core.damageChecked(request, map: map, damage: damage, now: clock()) {
            case .done(let effects):
                carryOut(effects)
            case .journal(let entry):
                carryOut(try core.lossJournaled(request, map: map, damage: damage ?? "", error: append(entry), now: clock()))
            }
        }
    }

    /// Appends `entry` to the running step's journal: `nil`, or why it could not.
    private func append(_ entry: JournalEntry) -> (any Error)? {
        do {
            try journal.append(entry)
            return nil
        } catch {
            return error
        }
    }

    // MARK: Carrying out effects

    /// Carries out what a transition of the core asked for: records its events, logs its lines, updates the
    /// gauges, does the finishing work due (and what the core asks after it), and wakes the waiting polls.
    private func carryOut(_ effects: CoordinatorEffects) {
        var effects = effects
        while true {
            for line in effects.logs { logger.log(level: line.level, "\(line.message)", metadata: line.metadata) }
            for emitted in effects.events { record(emitted) }
            if effects.expiredLeases > 0 { metrics.leasesExpired(effects.expiredLeases) }
            if effects.gauges { updateGauges() }
            if effects.wake { signal.notifyAll() }
            guard let finishing = effects.finishing else { return }
            effects = finish(finishing)
        }
    }

    /// Does `work`, and returns what the core makes of its result.
    private func finish(_ work: CoordinatorEffects.Finishing) -> CoordinatorEffects {
        let now = clock()
        do {
            switch work {
            case .publish(let summary, let badRecordLists, let jobSeconds, let doomed):
                let written = try OutputCommitter(core.plan).finish(summary, badRecordLists: badRecordLists, jobSeconds: jobSeconds)
                for path in doomed { remove(path) }
                return core.published(written, now: now)
            case .planNextStep:
                let next = try JobDirectory.planStep(core.plan.stepIndex + 1, of: job, after: core.plan)
                let nextJournal = try Journal(path: "\(next.directory)/journal")
                let step = try CoordinatorCore.prepare(
                    next, job: job, journal: nextJournal.entries, journalPath: nextJournal.path, settings: configuration.core)
                try nextJournal.append(step.startEntry)
                journal = nextJournal
                return core.enter(step, now: now)
            }
        } catch {
            return core.finishingFailed(error, now: now)
        }
    }

    /// Folds `emitted` into the history, appends it to the event log, and counts it in the metrics. A phase's start
    /// or end an earlier coordinator recorded is not recorded again; nor is a commit restored from the journal
    /// that the history holds (it is counted in this process's metrics, so their totals are the whole job's).
    private func record(_ emitted: CoordinatorEffects.Emitted) {
        let event = emitted.event
        switch event.kind {
        case .phaseStarted where history.phases[event.phase ?? ""] != nil: return
        case .phaseEnded where history.phases[event.phase ?? ""]?.ended != nil: return
        default: break
        }
        if emitted.isRestoredCommit, history.tasks[JobHistory.Key(phase: event.phase ?? "", number: event.task ?? 0)]?.state == "committed" {
            metrics.record(event, history: history)
            return
        }
        Self.record(emitted, into: &history, events: events, metrics: metrics, logger: logger)
    }

    private static func record(
        _ emitted: CoordinatorEffects.Emitted, into history: inout JobHistory, events: EventLog?, metrics: CoordinatorMetrics, logger: Logger
    ) {
        history.apply(emitted.event)
        metrics.record(emitted.event, history: history)
        do {
            try events?.append(emitted.event)
        } catch {
            logger.warning("cannot append to the job's history", metadata: ["mr.error": "\(error)"])
        }
    }

    /// Sets the metrics' gauges from the state: on every tick and when the job ends, so a job of many tasks does
    /// not pay for it on every report. Live workers are counted as the page counts them: none once the job ended.
    private func updateGauges() {
        let scheduler = core.scheduler
        metrics.update(
            maps: TaskCounts(scheduler.mapStates), reduces: TaskCounts(scheduler.reduceStates),
            workersAlive: core.outcome == nil ? scheduler.liveWorkers.count : 0, finished: core.outcome != nil)
    }

    /// Renames `path` aside at once (so nothing finds it where it was), then removes it on a thread of its own.
    private func remove(_ path: String) {
        let aside = "\(path).removed-\(getpid())-\(removals.count)"
        let target = rename(path, aside) == 0 ? aside : path
        removals.append(BlockingWork { try? FileManager.default.removeItem(atPath: target) })
    }

    /// Waits until the intermediate data of the finished steps is removed (call it before the process exits).
    public func removeIntermediateData() async {
        for removal in removals { _ = await removal.value() }
        removals = []
    }

    // MARK: Long polls

    /// Suspends until the state changes or `deadline` passes.
    private func waitForChange(until deadline: ContinuousClock.Instant) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await Task.sleep(until: deadline, clock: .continuous) }
            group.addTask { await self.suspendUntilNotified() }
            await group.next()
            // The other child ends by cancellation: a timed-out waiter leaves, waking nobody else.
            group.cancelAll()
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
}
