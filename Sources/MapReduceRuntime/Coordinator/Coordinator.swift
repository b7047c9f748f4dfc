import Foundation
public import Logging
public import MapReduce

/// Owns a distributed job's state: the ``Scheduler``, the committed map outputs, and the output directory.
///
/// Every HTTP handler calls into this actor; it never reads or writes records. A report is checked against the
/// plan before anything is journaled, and every path the coordinator acts on comes from its plan. Checking a
/// completion's files and publishing a reduce output (a copy, when the output is on another filesystem than the
/// shared directory) run off the actor, so heartbeats are answered meanwhile. When the last reduce task commits,
/// it writes `_summary.json`, `_bad_records.jsonl` and `_SUCCESS`; if that fails it tries again, and then fails the
/// job with the reason: it never waits forever.
public actor Coordinator {
    /// The job: its steps, to plan each after the one before it.
    public nonisolated let job: AnyJob
    /// The plan of the step running now (the job's, for a job of one step).
    public private(set) var plan: JobPlan
    /// The job's configuration, the same for every step.
    public nonisolated let configuration: JobConfiguration
    /// The coordinator's log.
    public nonisolated let logger: Logger
    private let schedulerSettings: SchedulerSettings
    private var scheduler: Scheduler
    private var accounting: JobAccounting
    private var journal: Journal
    /// When the running step started in this process.
    private var stepStarted: ContinuousClock.Instant
    private var signal = ChangeSignal()
    private var credentials: WorkerCredentials
    private var toldToExit: Set<WorkerID> = []
    /// Tasks whose completion is being checked or published off the actor.
    private var reporting: Set<TaskID> = []
    /// Workers waiting in a long poll now, with how many polls each: they are alive.
    private var polling: [WorkerID: Int] = [:]
    /// Workers that said they are stopping: a long poll of theirs still open is told to exit.
    private var departed: Set<WorkerID> = []
    /// Failed and lost attempts already logged.
    private var endingsLogged = 0
    private var finishing = (tries: 0, next: ContinuousClock.now, published: false)
    /// Intermediate data being removed off the actor (a finished step's attempts, or the job's directory): a
    /// recursive delete of 100,000 attempts takes minutes on some disks, and the coordinator serves meanwhile.
    private var removals: [BlockingWork<Void>] = []
    private let clock = ContinuousClock()
    /// The whole job's summary, once its last step's output is final.
    private var jobSummary: JobSummary?
    /// The commits under way, by attempt (``complete(_:)``).
    private var committing: [AttemptID: Task<CompletionResponse, any Error>] = [:]
    /// Completions that arrived again while their attempt was being committed, and waited for its answer.
    package private(set) var repeatedCompletions = 0
    /// Runs the confirmation of a completion's files (and the publishing of a reduce's output), off the actor: at
    /// once, unless a test slows it down as a stalled filesystem would.
    private var confirmation: @Sendable (_ confirm: () throws -> Void) throws -> Void = { try $0() }

    /// Whether a completion of `attempt` is being committed.
    package func isCommitting(_ attempt: AttemptID) -> Bool { committing[attempt] != nil }

    /// Replaces how confirmations run (a test's stalled filesystem).
    package func setConfirmation(_ confirmation: @escaping @Sendable (_ confirm: () throws -> Void) throws -> Void) {
        self.confirmation = confirmation
    }
    /// When ``tick()`` last ran (at first, when the coordinator was made: a pause before the first tick counts too).
    private var lastTick: ContinuousClock.Instant
    private let started: ContinuousClock.Instant
    private let pollTimeout: Duration
    /// Set once the output is final (or the job failed).
    public private(set) var outcome: Outcome? = nil
    /// The job's history, folded from its events: what the status page shows.
    private var history: JobHistory
    /// Where the events are appended: `<output>/_events.jsonl`.
    private let events: EventLog?
    private let metrics = CoordinatorMetrics()
    /// Each running attempt's progress, as its worker last reported it.
    private var progress: [AttemptID: AttemptProgress] = [:]

    /// The most steps a job may have: attempt numbers hold the step in bits 44 to 52.
    static let maximumSteps = 1 << 9

    /// How many times writing the finished job's metadata is tried before the job fails.
    static let finishingTries = 3

    /// How a job ended.
    public enum Outcome: Sendable, Equatable {
        case succeeded
        case failed(String)
    }

    /// How the scheduler of every step is set up.
    private struct SchedulerSettings {
        var leaseTimeout: Duration
        var maxAttempts: Int
        var speculation: Bool
    }

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
    ///   - maximumRegistrations: the most workers registered at once (a worker that left, was lost or was
    ///     excluded no longer counts).
    ///   - events: where to append the job's history; its earlier events (an earlier coordinator's) are read first.
    public init(
        plan: JobPlan, job: AnyJob, journal: Journal, leaseTimeout: Duration, maxAttempts: Int, speculation: Bool = true, pollTimeout: Duration,
        maximumRegistrations: Int = 10_000, events: EventLog? = nil, logger: Logger
    ) throws {
        guard job.name == plan.job, job.steps.count == plan.stepCount else {
            throw JobError(
                .badConfiguration,
                "the plan in '\(plan.directory)' is of job '\(plan.job)' with \(plan.stepCount) steps, not of '\(job.name)' with \(job.steps.count); remove '\(plan.layout.jobDirectory)' to start over"
            )
        }
        guard job.steps.count <= Self.maximumSteps else {
            throw JobError(.badConfiguration, "job '\(job.name)' has \(job.steps.count) steps; a coordinator runs at most \(Self.maximumSteps)")
        }
        let settings = SchedulerSettings(leaseTimeout: leaseTimeout, maxAttempts: maxAttempts, speculation: speculation)
        let step = try Self.open(plan, journal: journal, settings: settings)
        self.job = job
        self.plan = plan
        configuration = plan.configuration
        schedulerSettings = settings
        self.journal = journal
        credentials = WorkerCredentials(limit: maximumRegistrations)
        scheduler = step.scheduler
        accounting = step.accounting
        restored = step.restored
        started = clock.now
        stepStarted = started
        lastTick = started
        self.pollTimeout = pollTimeout
        self.logger = logger
        self.events = events
        var past = JobHistory(events.map { Self.pastEvents(of: $0, output: plan.jobOutputDirectory, logger: logger) } ?? [])
        Self.record(Self.startEvent(.jobStarted, plan, job), into: &past, events: events, metrics: metrics, logger: logger)
        self.history = past
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

    /// A step's scheduler and accounting, brought up to its journal, which records this coordinator's start.
    private static func open(
        _ plan: JobPlan, journal: Journal, settings: SchedulerSettings
    ) throws -> (scheduler: Scheduler, accounting: JobAccounting, restored: (maps: Int, reduces: Int)) {
        let history = try Self.replayable(journal, plan: plan)
        let epoch = history.count { $0.event == .started }
        // Attempt numbers never repeat across steps and restarts, so a late report of an earlier step or coordinator
        // is refused as stale: the step in bits 44 to 52 (``maximumSteps``), the restart in bits 32 to 43, all below
        // 2^53, exact in any JSON reader.
        guard epoch < 1 << 12 else {
            throw JournalError(path: journal.path, reason: "records \(epoch) coordinator starts; remove '\(plan.layout.jobDirectory)' to start the job over")
        }
        var scheduler = Scheduler(
            .init(
                mapTasks: plan.mapTasks.count, reduceTasks: plan.configuration.reducers, leaseTimeout: settings.leaseTimeout,
                maxAttempts: settings.maxAttempts, speculation: settings.speculation,
                firstAttempt: UInt64(plan.stepIndex) << 44 | UInt64(epoch) << 32 + 1))
        var accounting = JobAccounting(plan)
        for entry in history {
            switch entry.event {
            case .mapCommitted:
                guard let task = entry.task, let attempt = entry.attempt else { continue }
                scheduler.restore(.map(MapTaskID(task)), committedBy: attempt)
                if let output = entry.map { accounting.committed(MapTaskID(task), output) }
            case .mapLost:
                guard let task = entry.task else { continue }
                scheduler.restoreLost(MapTaskID(task))
                accounting.lost(MapTaskID(task))
            case .reduceCommitted:
                guard let task = entry.task, let attempt = entry.attempt else { continue }
                scheduler.restore(.reduce(ReduceTaskID(task)), committedBy: attempt)
                if let output = entry.reduce { accounting.committed(ReduceTaskID(task), output) }
            case .started:
                break
            }
        }
        let restored = (accounting.maps.count { $0 != nil }, accounting.reduces.count { $0 != nil })
        try journal.append(JournalEntry(event: .started, epoch: epoch, version: Journal.formatVersion, plan: plan.hash))
        return (scheduler, accounting, restored)
    }

    /// The event of a coordinator starting the job (`kind` ``JobEvent/Kind/jobStarted``) or of a step starting
    /// (``JobEvent/Kind/stepStarted``), with the step's tasks.
    private static func startEvent(_ kind: JobEvent.Kind, _ plan: JobPlan, _ job: AnyJob) -> JobEvent {
        var event = JobEvent(kind)
        event.job = plan.job
        event.mapTasks = plan.mapTasks.count
        event.reduceTasks = plan.configuration.reducers
        event.inputBytes = plan.mapTasks.joined().reduce(0) { $0 + $1.length }
        if plan.stepCount > 1 {
            event.step = plan.stepIndex
            event.steps = job.steps.map(\.name)
        }
        return event
    }

    /// Folds `event` into the history, appends it to the event log, and counts it in the metrics. In a job of
    /// several steps, every event names the step it happened in.
    private func record(_ event: JobEvent) {
        var event = event
        if plan.stepCount > 1, event.step == nil { event.step = plan.stepIndex }
        Self.record(event, into: &history, events: events, metrics: metrics, logger: logger)
    }

    private static func record(_ event: JobEvent, into history: inout JobHistory, events: EventLog?, metrics: CoordinatorMetrics, logger: Logger) {
        history.apply(event)
        metrics.record(event, history: history)
        do {
            try events?.append(event)
        } catch {
            logger.warning("cannot append to the job's history", metadata: ["mr.error": "\(error)"])
        }
    }

    /// Records the assignment of `attempt` of `task` to `worker`, and the start of its phase if it is the first.
    private func recordAssignment(_ attempt: AttemptID, _ task: TaskID, _ worker: WorkerID) {
        let (phase, _) = task.phaseAndNumber
        if history.phases[phase] == nil {
            var started = JobEvent(.phaseStarted)
            started.phase = phase
            record(started)
        }
        record(.attempt(.taskAssigned, task, attempt, worker: worker))
    }

    /// Records the commit of `attempt` of `task` with what it read and wrote, and the end of its phase if it was
    /// the last.
    private func recordCommit(_ attempt: AttemptID, _ result: CompletionCheck.Result, _ worker: WorkerID?) {
        let event = commitEvent(attempt, result, worker: worker)
        record(event)
        let phase = event.phase ?? ""
        let done = phase == "map" ? scheduler.mapsCommitted : scheduler.isComplete
        if done, history.phases[phase]?.ended == nil {
            var ended = JobEvent(.phaseEnded)
            ended.phase = phase
            record(ended)
        }
    }

    /// The event of `attempt` committing `result` (on `worker`, if known).
    private func commitEvent(_ attempt: AttemptID, _ result: CompletionCheck.Result, worker: WorkerID?) -> JobEvent {
        var event: JobEvent
        switch result {
        case .map(let id, let output):
            event = .attempt(.taskCommitted, .map(id), attempt, worker: worker)
            event.inputBytes = output.inputBytes
            event.inputRecords = output.inputRecords
            event.outputBytes = output.file.bytes
            event.outputRecords = output.file.records
            event.spills = output.spills
            event.counters = output.counters.isEmpty ? nil : output.counters
        case .reduce(let id, _, let output):
            event = .attempt(.taskCommitted, .reduce(id), attempt, worker: worker)
            event.inputRecords = output.inputRecords
            event.inputBytes = output.inputBytes
            event.outputBytes = output.bytes
            event.outputRecords = output.records
            event.counters = output.counters.isEmpty ? nil : output.counters
            event.hotKeys = output.hotKeys.isEmpty ? nil : output.hotKeys
        }
        return event
    }

    /// Sets the job's outcome, once, and records it.
    private func end(_ outcome: Outcome) {
        self.outcome = outcome
        switch outcome {
        case .succeeded: record(JobEvent(.jobSucceeded))
        case .failed(let report):
            var event = JobEvent(.jobFailed)
            event.message = report
            record(event)
        }
        updateGauges()
    }

    /// Sets the metrics' gauges from the state: on every tick and when the job ends, so a job of many tasks does
    /// not pay for it on every report. Live workers are counted as the page counts them: none once the job ended.
    private func updateGauges() {
        metrics.update(
            maps: TaskCounts(scheduler.mapStates), reduces: TaskCounts(scheduler.reduceStates),
            workersAlive: outcome == nil ? scheduler.liveWorkers.count : 0, finished: outcome != nil)
    }

    /// What the status page shows, now.
    public func overview() -> JobOverview {
        var live = JobOverview.Live()
        let now = clock.now
        for (worker, heard) in scheduler.lastHeard { live.lastHeard[worker.rawValue] = (now - heard).seconds }
        for (attempt, progress) in progress { live.progress[attempt.rawValue] = (progress.records, progress.bytes) }
        return JobOverview(history, now: Date().timeIntervalSince1970, live: live)
    }

    /// The journal's entries, each checked against `plan`.
    private static func replayable(_ journal: Journal, plan: JobPlan) throws -> [JournalEntry] {
        let mapTasks = plan.mapTasks.count
        let reducers = plan.configuration.reducers
        let remedy = "remove '\(plan.directory)' to start the job over"
        func refuse(_ line: Int, _ problem: String) -> JournalError {
            JournalError(path: journal.path, reason: "line \(line) \(problem); \(remedy)")
        }
        for (line, entry) in journal.entries {
            switch entry.event {
            case .started:
                guard entry.version == Journal.formatVersion else {
                    throw refuse(
                        line, "was written by another version of mr-coordinator (journal format \(entry.version ?? 1), this one reads \(Journal.formatVersion))"
                    )
                }
                guard entry.plan == plan.hash else { throw refuse(line, "belongs to another plan of this job (plan \(entry.plan ?? "?"), now \(plan.hash))") }
            case .mapCommitted:
                guard let task = entry.task, (0..<mapTasks).contains(task), let attempt = entry.attempt, let output = entry.map,
                    output.file.path == plan.mapOutputFile(MapTaskID(task), attempt)
                else { throw refuse(line, "is not a map commit of this plan (a task out of 0..<\(mapTasks), or files it did not assign)") }
            case .mapLost:
                guard let task = entry.task, (0..<mapTasks).contains(task) else { throw refuse(line, "names a map task out of 0..<\(mapTasks)") }
            case .reduceCommitted:
                guard let task = entry.task, (0..<reducers).contains(task), entry.attempt != nil, entry.reduce != nil else {
                    throw refuse(line, "is not a reduce commit of this plan (a task out of 0..<\(reducers), or no result)")
                }
            }
            if entry.event != .started, line == journal.entries.first?.line {
                throw refuse(line, "comes before any 'started' entry: the journal is damaged")
            }
        }
        return journal.entries.map(\.entry)
    }

    /// Map and reduce tasks of the running step found committed in its journal at start.
    public private(set) var restored: (maps: Int, reduces: Int)

    /// Finishes at once if the journal showed every task committed (the previous coordinator died just before
    /// writing `_SUCCESS`, or could not write it).
    public func resume() {
        if restored.maps > 0 || restored.reduces > 0 {
            logger.info(
                "resumed from journal", metadata: ["mr.step": "\(plan.stepIndex + 1)", "mr.maps": "\(restored.maps)", "mr.reduces": "\(restored.reduces)"])
        }
        recordRestoredCommits()
        settle()
    }

    /// Brings the history and the metrics up to the journal: a commit the previous coordinator journaled but did not
    /// get to record (it died in between) is recorded now, and every restored commit is counted in this process's
    /// metrics, so their totals are the whole job's.
    private func recordRestoredCommits() {
        var restored: [(AttemptID, CompletionCheck.Result)] = []
        for (index, attempt) in scheduler.committedMapAttempts.enumerated() {
            if let attempt, let output = accounting.maps[index] { restored.append((attempt, .map(MapTaskID(index), output))) }
        }
        for (index, state) in scheduler.reduceStates.enumerated() {
            if case .committed(let attempt) = state, let output = accounting.reduces[index] {
                restored.append((attempt, .reduce(ReduceTaskID(index), attempt, output)))
            }
        }
        for (attempt, result) in restored {
            let event = commitEvent(attempt, result, worker: nil)
            let key = JobHistory.Key(phase: event.phase ?? "", number: event.task ?? 0)
            if history.tasks[key]?.state == "committed" {
                metrics.record(event, history: history)
            } else {
                recordCommit(attempt, result, nil)
            }
        }
        updateGauges()
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
            if outcome != nil || departed.contains(worker) {
                toldToExit.insert(worker)
                return TaskAssignment(action: .exit)
            }
            let decision = scheduler.assign(to: worker, now: clock.now)
            logEndings()
            settle()
            switch decision {
            case .run(let attempt, let task):
                recordAssignment(attempt, task, worker)
                logger.info("assigned", metadata: ["mr.worker": "\(worker)", "mr.task": "\(task)", "mr.attempt": "\(attempt.rawValue)"])
                return assignment(attempt, task)
            case .excluded(let reason):
                credentials.release(worker)
                if toldToExit.insert(worker).inserted {
                    logger.warning("worker excluded", metadata: ["mr.worker": "\(worker)", "mr.reason": "\(reason)"])
                    var event = JobEvent(.workerExcluded)
                    event.worker = worker.rawValue
                    event.message = reason
                    record(event)
                }
                return TaskAssignment(action: .excluded, reason: reason)
            case .finished where outcome != nil:
                continue
            case .wait, .finished:
                // `.finished` without an outcome: the output is being finished; workers exit only once it is.
                guard clock.now < deadline, !Task.isCancelled else { return TaskAssignment(action: .wait) }
                polling[worker, default: 0] += 1
                await waitForChange(until: deadline)
                polling[worker, default: 1] -= 1
                if polling[worker] == 0 { polling.removeValue(forKey: worker) }
            }
        }
    }

    private func assignment(_ attempt: AttemptID, _ task: TaskID) -> TaskAssignment {
        switch task {
        case .map(let map):
            return TaskAssignment(
                action: .run, attempt: attempt, map: MapAssignment(plan, plan.mapTaskContext(map, attempt)), heartbeatMilliseconds: heartbeatMilliseconds)
        case .reduce(let reduce):
            let mapAttempts = scheduler.committedMapAttempts.enumerated().map { index, mapAttempt in
                guard let mapAttempt else { preconditionFailure("a reduce task was assigned before map \(index) committed") }
                return mapAttempt
            }
            return TaskAssignment(
                action: .run, attempt: attempt, reduce: ReduceAssignment(plan, reduce, attempt, mapAttempts: mapAttempts),
                heartbeatMilliseconds: heartbeatMilliseconds)
        }
    }

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

    /// Wakes every long-polling request so it looks again (at worst they find nothing and wait again).
    private func wakeAll() { signal.notifyAll() }

    /// Registers a worker called `name`: its identity and the credential its later requests carry.
    public func register(name: String) throws(SchedulerError) -> Registration {
        let (worker, credential) = try credentials.register(name: name)
        logger.info("worker registered", metadata: ["mr.worker": "\(worker)"])
        var event = JobEvent(.workerJoined)
        event.worker = worker.rawValue
        record(event)
        return Registration(worker: worker, credential: credential)
    }

    /// The worker `credential` was issued to, or `nil`.
    public func worker(forCredential credential: Substring) -> WorkerID? { credentials.worker(for: credential) }

    /// Records a heartbeat.
    public func heartbeat(_ request: HeartbeatRequest) throws(SchedulerError) -> HeartbeatResponse {
        if let reported = request.progress, !CompletionCheck.counts.contains(reported.records) || !CompletionCheck.counts.contains(reported.bytes) {
            throw SchedulerError(
                code: .invalidReport, message: "progress of \(request.attempt.map(\.description) ?? "no attempt") out of \(CompletionCheck.counts)")
        }
        let current = try scheduler.heartbeat(from: request.worker, attempt: request.attempt, now: clock.now)
        if let attempt = request.attempt {
            if current, let reported = request.progress { progress[attempt] = reported } else { progress.removeValue(forKey: attempt) }
        }
        return HeartbeatResponse(current: current)
    }

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
            try scheduler.checkReport(from: request.worker, about: request.attempt)
            repeatedCompletions += 1
            return try await inFlight.value
        }
        guard let attempt = scheduler.running[request.attempt] else {
            // Not running: a repeated report of a committed attempt, a stale one (answered `false`), or one the
            // scheduler refuses.
            let accepted = try scheduler.complete(request.attempt, by: request.worker, now: clock.now)
            return CompletionResponse(accepted: accepted || scheduler.hasCommitted(request.attempt))
        }
        try scheduler.checkReport(from: request.worker, about: request.attempt)
        let result = try CompletionCheck(plan: plan).validate(request, task: attempt.task)
        guard !reporting.contains(attempt.task) else {
            // Another attempt of the task is being committed: this one lost the race.
            scheduler.discard(request.attempt)
            logger.info("ignored completion", metadata: metadata(request.worker, request.attempt, attempt.task))
            return CompletionResponse(accepted: false)
        }
        reporting.insert(attempt.task)
        scheduler.setReporting(request.attempt, true, now: clock.now)
        // The commit runs in a task of its own: a request that goes away (its connection reset) does not cut it
        // short, and a repeated request waits for it.
        let commit = Task { try await self.commit(request, attempt, result) }
        committing[request.attempt] = commit
        defer { committing.removeValue(forKey: request.attempt) }
        return try await commit.value
    }

    /// Confirms `result` off the actor, then journals and commits it (or fails `attempt`); see ``complete(_:)``.
    private func commit(_ request: CompletionRequest, _ attempt: Scheduler.Attempt, _ result: CompletionCheck.Result) async throws -> CompletionResponse {
        let plan = plan
        let worker = request.worker
        let confirmation = confirmation
        let checked = await BlockingWork {
            Result { () throws -> Void in try confirmation { try CompletionCheck(plan: plan).confirm(result, reportedBy: worker) } }
        }.value()
        reporting.remove(attempt.task)
        guard scheduler.running[request.attempt] != nil else { return CompletionResponse(accepted: false) }
        scheduler.setReporting(request.attempt, false, now: clock.now)
        var accepted = false
        do {
            try checked?.get()
            try journal.append(result.journalEntry(attempt: request.attempt))
            accepted = try scheduler.complete(request.attempt, by: request.worker, now: clock.now)
            switch result {
            case .map(let id, let output): accounting.committed(id, output)
            case .reduce(let id, _, let output): accounting.committed(id, output)
            }
            logger.info("committed", metadata: metadata(request.worker, request.attempt, attempt.task))
            if accepted { recordCommit(request.attempt, result, request.worker) }
            progress.removeValue(forKey: request.attempt)
        } catch {
            try scheduler.fail(request.attempt, by: request.worker, message: "its completion could not be committed: \(error)", now: clock.now)
        }
        stateChanged()
        return CompletionResponse(accepted: accepted)
    }

    /// Records a failed attempt. If it could not read a committed map output, the coordinator reads that file
    /// itself: a damaged file runs its map task again (the reduce is retried, neither counting as a failure); a
    /// file it finds intact means the reporting worker's view of the shared directory is wrong, which fails the
    /// reduce attempt, naming the worker.
    public func fail(_ request: FailureRequest) async throws {
        guard let attempt = scheduler.running[request.attempt] else {
            try scheduler.fail(request.attempt, by: request.worker, message: request.error, now: clock.now)
            return
        }
        try scheduler.checkReport(from: request.worker, about: request.attempt)
        var message = request.error
        // Only a reduce's inputs are map outputs the coordinator can have written again; a map that cannot read an
        // earlier step's output fails with the reason.
        if let lost = request.lostInput, case .reduce(let reduce) = attempt.task {
            if let input = committedInput(lost, of: reduce) {
                scheduler.setReporting(request.attempt, true, now: clock.now)
                let file = input.file
                let damage = await BlockingWork { CompletionCheck.damage(of: file, partition: reduce.rawValue) }.value() ?? nil
                guard scheduler.running[request.attempt] != nil else { return }
                scheduler.setReporting(request.attempt, false, now: clock.now)
                if let damage {
                    try recordLoss(of: input.map, damage: damage, request)
                    return
                }
                message =
                    "\(request.worker) could not read '\(lost)' (\(request.error)), but the coordinator reads it intact: the view of the shared directory on \(request.worker) differs from the coordinator's (a missing or different mount?)"
            } else {
                message += " (it named '\(lost)' as damaged, which is not one of its inputs)"
            }
        }
        try scheduler.fail(request.attempt, by: request.worker, message: message, now: clock.now)
        stateChanged()
    }

    /// Records that a worker is stopping: the attempt it runs is lost now, and its task runs again elsewhere
    /// without waiting for the lease (``Scheduler/leave(_:)``).
    public func leave(_ request: LeaveRequest) {
        departed.insert(request.worker)
        let lost = scheduler.leave(request.worker)
        credentials.release(request.worker)
        logger.info("worker stopping", metadata: ["mr.worker": "\(request.worker)", "mr.attempts": "\(lost.count)"])
        var event = JobEvent(.workerStopped)
        event.worker = request.worker.rawValue
        record(event)
        stateChanged()
    }

    /// The map task and committed file that `path` is, if it is one of reduce task `reduce`'s inputs.
    private func committedInput(_ path: String, of reduce: ReduceTaskID) -> (map: MapTaskID, file: IntermediateFileSummary)? {
        for (index, attempt) in scheduler.committedMapAttempts.enumerated() {
            guard let attempt, let output = accounting[MapTaskID(index)] else { continue }
            let map = MapTaskID(index)
            if plan.mapOutputFile(map, attempt) == path { return (map, output.file) }
        }
        return nil
    }

    /// Puts map task `map` back to run, its committed output confirmed `damage`d.
    private func recordLoss(of map: MapTaskID, damage: String, _ request: FailureRequest) throws {
        do {
            try journal.append(JournalEntry(event: .mapLost, task: map.rawValue))
        } catch {
            try scheduler.fail(request.attempt, by: request.worker, message: "\(request.error); the loss could not be journaled: \(error)", now: clock.now)
            stateChanged()
            return
        }
        if try scheduler.lostMapOutput(map, reportedBy: request.attempt, worker: request.worker, now: clock.now) {
            accounting.lost(map)
            var event = JobEvent.attempt(.mapOutputLost, .map(map), request.attempt, worker: request.worker, message: damage)
            event.attempt = nil
            record(event)
        }
        logger.warning(
            "intermediate file lost; re-running its map task",
            metadata: ["mr.worker": "\(request.worker)", "mr.attempt": "\(request.attempt.rawValue)", "mr.task": "\(map)", "mr.error": "\(damage)"])
        stateChanged()
    }

    /// After a report changed the state: logs the attempts that ended, decides the job's outcome if it can, and
    /// wakes the waiting polls (there may be a task for them now).
    private func stateChanged() {
        logEndings()
        settle()
        wakeAll()
    }

    /// Expires leases, retries finishing the output if it failed, and lets waiting requests look again (a task
    /// may have become a straggler worth a backup just by time passing). Called on every tick of the watcher.
    ///
    /// Waiting requests are woken only when there may be something for them: a lost attempt's task to run again,
    /// a straggler to back up, or the job's end. Idle pollers cost nothing between changes.
    public func tick() {
        let now = clock.now
        // Ticks come every 250 ms at most: a longer gap is time this process did not run (SIGSTOP, a suspended host,
        // a stall), in which no worker could be heard. Leases are judged by the time the coordinator saw.
        let pauseAllowance = max(schedulerSettings.leaseTimeout / 4, .milliseconds(250))
        if now - lastTick > pauseAllowance {
            let pause = now - lastTick - pauseAllowance
            logger.notice("the coordinator did not run for \(pause) (stopped, suspended or stalled): leases are extended by that", metadata: [:])
            scheduler.extendLeases(by: pause)
        }
        lastTick = now
        for worker in polling.keys where !departed.contains(worker) { scheduler.renew(worker, now: now) }
        let alive = Set(scheduler.liveWorkers)
        let lost = scheduler.expireLeases(now: now)
        metrics.leasesExpired(lost.count)
        for worker in alive.subtracting(scheduler.liveWorkers).sorted() {
            credentials.revoke(worker)
            var event = JobEvent(.workerLost)
            event.worker = worker.rawValue
            record(event)
        }
        logEndings()
        updateGauges()
        let wasSettled = outcome != nil
        settle()
        if !lost.isEmpty || outcome != nil && !wasSettled || scheduler.hasBackupCandidate(now: now) { wakeAll() }
    }

    /// Logs the failed and lost attempts not logged yet.
    private func logEndings() {
        for ending in scheduler.failures.dropFirst(endingsLogged) {
            var fields = metadata(ending.worker, ending.attempt, ending.task)
            fields["mr.error"] = "\(ending.message)"
            logger.warning(ending.kind == .lost ? "attempt lost; re-queued" : "attempt failed", metadata: fields)
            record(.attempt(ending.kind == .lost ? .attemptLost : .attemptFailed, ending.task, ending.attempt, worker: ending.worker, message: ending.message))
            progress.removeValue(forKey: ending.attempt)
        }
        endingsLogged = scheduler.failures.count
    }

    private func metadata(_ worker: WorkerID, _ attempt: AttemptID, _ task: TaskID) -> Logger.Metadata {
        ["mr.worker": "\(worker)", "mr.attempt": "\(attempt.rawValue)", "mr.task": "\(task)"]
    }

    /// Whether any worker with a current lease has not yet been told to exit.
    public func hasListeningWorkers() -> Bool { !scheduler.liveWorkers.allSatisfy { toldToExit.contains($0) } }

    /// The job's status.
    public func status() -> JobStatus {
        let phase: String
        switch outcome {
        case .succeeded: phase = "succeeded"
        case .failed: phase = "failed"
        case nil: phase = scheduler.isComplete ? "finishing" : scheduler.mapsCommitted ? "reduce" : "map"
        }
        return JobStatus(
            job: plan.job, phase: phase, step: plan.step.map { $0 + 1 }, steps: plan.steps, maps: TaskCounts(scheduler.mapStates),
            reduces: TaskCounts(scheduler.reduceStates),
            mapAttempts: scheduler.attemptsStarted.map, reduceAttempts: scheduler.attemptsStarted.reduce,
            workers: scheduler.liveWorkers.map(\.rawValue).sorted(),
            failures: scheduler.failures.map { "\($0.task) \($0.attempt) on \($0.worker) (\($0.kind.rawValue)): \($0.message)" })
    }

    /// Decides the job's outcome when it can: failed (a task ran out of attempts, or too many bad records), or
    /// succeeded once every task committed and the output's metadata is written. Writing that is retried on later
    /// ticks, and fails the job after ``finishingTries``.
    private func settle() {
        guard outcome == nil else { return }
        if let task = scheduler.fatalTask {
            end(.failed(failureReport(task)))
            return
        }
        do {
            try accounting.checkBadRecords(limit: plan.configuration.skipBadRecords)
        } catch {
            end(.failed(error.message))
            return
        }
        guard scheduler.isComplete, clock.now >= finishing.next else { return }
        do {
            if !finishing.published {
                try finish()
                finishing.published = true
            }
            if plan.isLastStep {
                end(.succeeded)
                logger.info("job succeeded", metadata: ["mr.job": "\(plan.job)"])
            } else {
                try startNextStep()
            }
        } catch {
            finishing.tries += 1
            logger.error("cannot finish the output", metadata: ["mr.error": "\(error)", "mr.try": "\(finishing.tries)"])
            if finishing.tries >= Self.finishingTries {
                end(
                    .failed(
                        "every task\(plan.stepCount > 1 ? " of step \(plan.stepIndex + 1)" : "") committed, but \(finishing.published ? "the next step could not be planned" : "the output's metadata could not be written") (\(finishing.tries) tries): \(error); fix that and run the coordinator again with the same arguments to finish the job"
                    ))
            } else {
                finishing.next = clock.now + .seconds(finishing.tries)
            }
        }
    }

    /// The report of a job that failed because of `task`: why, each attempt, and what the task reads.
    private func failureReport(_ task: TaskID) -> String {
        let attempts = scheduler.failures.filter { $0.task == task }.map { "  \($0.attempt) on \($0.worker) (\($0.kind.rawValue)): \($0.message)" }
        let reads: String
        switch task {
        case .map(let map):
            reads =
                "  \(map) reads " + plan.mapTasks[map.rawValue].map(\.description).joined(separator: ", ")
                + "; a record there that kills its worker (too long: see --max-record-size; or crashing the job's code) can be skipped with --skip-bad-records"
        case .reduce(let reduce):
            reads = "  \(reduce) reduces partition \(reduce.rawValue) of every map task's output"
        }
        return ([scheduler.fatalReason ?? "\(task) failed"] + attempts + [reads]).joined(separator: "\n")
    }

    /// Writes the step's `_summary.json`, `_bad_records.jsonl` and `_SUCCESS` (the job's, for its last step), then
    /// removes the intermediate data no later step reads: the step's attempts, or, after the last step, the job's
    /// whole directory.
    private func finish() throws {
        let attempts = JobAccounting.Attempts(
            map: scheduler.attemptsStarted.map, reduce: scheduler.attemptsStarted.reduce, failed: scheduler.failures.count { $0.kind == .failed },
            lost: scheduler.failures.count { $0.kind == .lost })
        let summary = try accounting.summary(job: job.steps[plan.stepIndex].name, attempts: attempts, seconds: (clock.now - stepStarted).seconds)
        let written = try OutputCommitter(plan).finish(
            summary, badRecordLists: accounting.badRecordLists(plan, committedBy: scheduler.committedMapAttempts), jobSeconds: (clock.now - started).seconds)
        if plan.isLastStep { jobSummary = written }
        let doomed = plan.isLastStep ? [plan.layout.jobDirectory] : ["map", "reduce"].map { "\(plan.directory)/\($0)" }
        for path in doomed { remove(path) }
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

    /// Plans the next step over the intermediate files the one just finished published and runs it with the same
    /// workers: attempts of the finished step still reported are refused as stale.
    private func startNextStep() throws {
        let next = try JobDirectory.planStep(plan.stepIndex + 1, of: job, after: plan)
        let nextJournal = try Journal(path: "\(next.directory)/journal")
        let step = try Self.open(next, journal: nextJournal, settings: schedulerSettings)
        let finished = plan.stepIndex
        plan = next
        journal = nextJournal
        scheduler = step.scheduler
        accounting = step.accounting
        restored = step.restored
        stepStarted = clock.now
        finishing = (0, clock.now, false)
        endingsLogged = 0
        reporting = []
        progress = [:]
        logger.info("step started", metadata: ["mr.step": "\(plan.stepIndex + 1)", "mr.finished": "\(finished + 1)", "mr.maps": "\(plan.mapTasks.count)"])
        record(Self.startEvent(.stepStarted, plan, job))
        recordRestoredCommits()
        settle()
        wakeAll()
    }

    /// The job's own counters, summed over committed attempts (never over duplicates or failures).
    public var counters: [String: Int64] { accounting.counters }

    /// The job's summary line, once it is over.
    public func summaryLine() -> String {
        let status = status()
        // A job of several steps that succeeded: the whole job's figures, as `local` and `_summary.json` give them.
        if plan.stepCount > 1, outcome == .succeeded, let whole = jobSummary {
            return "\(plan.job): \(status.phase); \(plan.stepCount) steps, \(whole.figures)"
        }
        let failed = scheduler.failures.count { $0.kind == .failed }
        let lost = scheduler.failures.count { $0.kind == .lost }
        let step = plan.stepCount > 1 ? " (step \(plan.stepIndex + 1) of \(plan.stepCount), \(job.steps[plan.stepIndex].name))" : ""
        return "\(plan.job)\(step): \(status.phase); \(plan.mapTasks.count) map tasks (\(status.mapAttempts) attempts), "
            + "\(plan.configuration.reducers) reduce tasks (\(status.reduceAttempts) attempts), \(failed) failed and \(lost) lost attempts, "
            + String(format: "%.2f s", (clock.now - started).seconds)
            + (counters.isEmpty ? "" : "; counters: " + counters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", "))
    }
}
