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
        /// The file every registering worker must read back from the shared directory.
        public var sharedDirectoryToken: SharedDirectoryToken?
        /// The epoch a step's attempt numbers start from when its journal records no earlier coordinator (bits 32
        /// to 43 of every attempt number; each restart takes the next). Drawn at random below 2,048 by default, so
        /// that a job whose directory was removed by hand and run again does not reuse the attempt numbers, and so
        /// the file names, of the earlier run, which a late worker of that run may still be writing.
        public var firstEpoch: Int

        public init(
            leaseTimeout: Duration, maxAttempts: Int, speculation: Bool = true, pollTimeout: Duration, maximumRegistrations: Int = 10_000,
            sharedDirectoryToken: SharedDirectoryToken? = nil, firstEpoch: Int = .random(in: 0..<2048)
        ) {
            self.leaseTimeout = leaseTimeout
            self.maxAttempts = maxAttempts
            self.speculation = speculation
            self.pollTimeout = pollTimeout
            self.maximumRegistrations = maximumRegistrations
            self.sharedDirectoryToken = sharedDirectoryToken
            self.firstEpoch = firstEpoch
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
    var core: CoordinatorCore
    var journal: Journal
    let clock: @Sendable () -> ContinuousClock.Instant
    var signal = ChangeSignal()
    /// Notified once the job has an outcome (``waitForOutcome(until:)``): waking what waits for the end at every
    /// change cost the coordinator a tenth more CPU per task.
    var endSignal = ChangeSignal()
    /// The commits under way, by attempt (``complete(_:)``): each task ends with the completion's answer, and the
    /// entry stays until the commit is journaled.
    var committing: [AttemptID: Task<CompletionResponse, any Error>] = [:]
    /// Commits answered before their journal entry is on disk (their completion asked for the next task), by attempt.
    var journaling: Set<AttemptID> = []
    /// Completions that arrived again while their attempt was being committed, and waited for its answer.
    package private(set) var repeatedCompletions = 0
    /// Runs the confirmation of a completion's files (and the publishing of a reduce's output), off the actor: at
    /// once, unless a test slows it down as a stalled filesystem would.
    var confirmation: @Sendable (_ confirm: () throws -> Void) throws -> Void = { try $0() }
    /// Runs the commit of a journal entry: at once, unless a test stalls it as a slow fsync would.
    var journalCommit: @Sendable (_ commit: @Sendable () async throws -> Void) async throws -> Void = { try await $0() }
    /// Intermediate data being removed off the actor (a finished step's attempts, or the job's directory): a
    /// recursive delete of 100,000 attempts takes minutes on some disks, and the coordinator serves meanwhile.
    var removals: [BlockingWork<Void>] = []
    /// The job's history, folded from its events: what the status page shows.
    var history: JobHistory
    /// Where the events are appended: `<output>/_events.jsonl`.
    let events: EventLog?
    let metrics = CoordinatorMetrics()

    /// The thread every coordinator's actor runs on (one per process: a process coordinates one job).
    static let thread = MultiThreadedEventLoopGroup(numberOfThreads: 1).any()

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
    package init(
        plan: JobPlan, job: AnyJob, journal: Journal, configuration: Configuration, events: EventLog? = nil, logger: Logger,
        clock: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }
    ) throws {
        let step = try CoordinatorCore.prepare(plan, job: job, journal: journal.entries, journalPath: journal.path, settings: configuration)
        try journal.append(step.startEntry)
        self.job = job
        self.configuration = configuration
        self.journal = journal
        self.clock = clock
        self.logger = logger
        self.events = events
        core = CoordinatorCore(job: job, step: step, settings: configuration, now: clock())
        history = JobHistory(events.map { Self.pastEvents(of: $0, output: plan.jobOutputDirectory, logger: logger) } ?? [])
        Self.record(.init(event: core.startEvent), into: &history, events: events, metrics: metrics, logger: logger)
    }

    /// What an earlier coordinator of this job appended to `log`: none for a new job; what is readable, saying
    /// what was not, for a damaged history (the history is for people: it never stops a job).
    static func pastEvents(of log: EventLog, output: String, logger: Logger) -> [JobEvent] {
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

    /// Replaces how journal entries are committed (a test's stalled fsync): `commit` appends the entry.
    package func setJournalCommit(_ journalCommit: @escaping @Sendable (_ commit: @Sendable () async throws -> Void) async throws -> Void) {
        self.journalCommit = journalCommit
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
        var (registration, effects) = try core.register(name: name)
        carryOut(effects)
        registration.sharedDirectory = configuration.sharedDirectoryToken
        return registration
    }

    /// The next assignment for `worker`, waiting up to the poll timeout for one to become available; the same again
    /// for the same `request` number while its attempt runs (a retry after a lost answer).
    public func nextTask(for worker: WorkerID, request: Int? = nil) async -> TaskAssignment {
        let deadline = ContinuousClock.now + configuration.pollTimeout
        while true {
            let (assignment, effects) = core.assign(to: worker, request: request, now: clock())
            carryOut(effects)
            guard case .wait = assignment, ContinuousClock.now < deadline, !Task.isCancelled else { return assignment.answer }
            // Reserved before anything else runs on the actor: a change from now on wakes this poll.
            let waiter = signal.reserve()
            core.startWaiting(worker)
            await waitForChange(waiter, until: deadline)
            core.stopWaiting(worker)
        }
    }

    /// Records a heartbeat.
    public func heartbeat(_ request: HeartbeatRequest) throws(SchedulerError) -> HeartbeatResponse {
        try core.heartbeat(request, now: clock())
    }

    /// Records that a worker is stopping: the attempt it runs is lost now, and its task runs again elsewhere
    /// without waiting for the lease (``Scheduler/leave(_:)``).
    public func leave(_ request: LeaveRequest) { carryOut(core.leave(request, now: clock())) }

    /// Notes that `worker` opened its control connection (`POST /v1/attach`): the number that names it.
    public func connected(_ worker: WorkerID) -> Int { core.connected(worker) }

    /// Records that `worker`'s control connection closed: without a goodbye first, the worker is lost now
    /// (its attempts run again elsewhere at once, and its credential is refused from then on).
    public func disconnected(_ worker: WorkerID, connection: Int) { carryOut(core.disconnected(worker, connection: connection, now: clock())) }

    /// Records a successful attempt; commits its task if it is the first.
    ///
    /// The report is checked first (owner, kind, numbers, paths: a 4xx before anything changes). Then, off the
    /// actor, the coordinator checks that the files exist as reported (a map) or publishes the output (a
    /// reduce); a problem there fails the attempt with the reason. Only then is the commit journaled.
    ///
    /// It is idempotent per attempt: the same completion again (its worker retried after losing the answer, or
    /// gave up waiting while a slow publish went on) waits for the commit under way and gets its answer, and one
    /// after the commit is told it was accepted. Only another attempt of the same task loses the race.
    ///
    /// A completion that carries a task request (``CompletionRequest/next``) is answered with the worker's next
    /// task too, when one can be given at once; and it is answered as soon as its commit is decided (the files
    /// confirmed), not once the journal entry is on disk: the worker starts its next task during the fsync, which
    /// on a filesystem busy with the workers' files is most of the wait. The commit itself still takes effect
    /// only once on disk (``CoordinatorCore/completionJournaled(_:_:_:error:now:)``); should the append fail, the
    /// attempt fails and its task runs again. A completion that asks for no task is answered once its commit is
    /// on disk.
    public func complete(_ request: CompletionRequest) async throws -> CompletionResponse {
        var response = try await commitOnce(request)
        let (next, effects) = core.assignWithAnswer(to: request, now: clock())
        carryOut(effects)
        response.next = next
        return response
    }

    /// Commits `request` once, however many times it arrives; see ``complete(_:)``.
    private func commitOnce(_ request: CompletionRequest) async throws -> CompletionResponse {
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
        let answer = await commit.result
        // A commit answered early is forgotten once journaled (``journal(_:_:_:_:)``).
        if !journaling.contains(request.attempt) { committing.removeValue(forKey: request.attempt) }
        return try answer.get()
    }

    /// Confirms `result` off the actor, then journals and commits it (or fails `attempt`); see ``complete(_:)``.
    func commit(_ request: CompletionRequest, _ attempt: Scheduler.Attempt, _ result: CompletionCheck.Result) async throws -> CompletionResponse {
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
        case .journal(let entry) where request.next != nil:
            journaling.insert(request.attempt)
            Task { await self.journal(entry, request, attempt, result) }
            return CompletionResponse(accepted: true)
        case .journal(let entry):
            return await journal(entry, request, attempt, result)
        }
    }

    /// Journals `entry`, then commits `request`'s attempt (or fails it, if the append failed).
    /// - Returns: the answer once the entry is on disk.
    @discardableResult
    private func journal(_ entry: JournalEntry, _ request: CompletionRequest, _ attempt: Scheduler.Attempt, _ result: CompletionCheck.Result) async
        -> CompletionResponse
    {
        let error = await appendToJournal(entry)
        let (response, effects) = core.completionJournaled(request, attempt, result, error: error, now: clock())
        carryOut(effects)
        if journaling.remove(request.attempt) != nil { committing.removeValue(forKey: request.attempt) }
        return response
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
                let error = await appendToJournal(entry)
                carryOut(try core.lossJournaled(request, map: map, damage: damage ?? "", error: error, now: clock()))
            }
        }
    }

    /// Appends `entry` to the running step's journal, in one fsync with those appended meanwhile (the core keeps
    /// the attempt's report open until then): `nil`, or why it could not.
    func appendToJournal(_ entry: JournalEntry) async -> (any Error)? {
        let journal = journal
        do {
            try await journalCommit { try await journal.commit(entry) }
            return nil
        } catch {
            return error
        }
    }

}
