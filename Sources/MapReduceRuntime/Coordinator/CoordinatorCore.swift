import Foundation
import Logging
package import MapReduce

/// Every decision a coordinator makes, as a synchronous state machine: assign, heartbeat, complete, fail, leave,
/// tick, lose a map output, finish a step, start the next, resume from a journal.
///
/// It performs no I/O and reads no clock: each transition takes the current instant and returns what happened
/// (an answer for the worker) and what to do (``CoordinatorEffects``: events, log lines, waiters to wake,
/// finishing work). Work that must touch files is split around it: a completion is begun
/// (``beginCompletion(_:now:)``), confirmed on disk by the shell, journaled by the shell
/// (``completionConfirmed(_:_:_:problem:now:)``), then committed (``completionJournaled(_:_:_:error:now:)``).
/// ``Coordinator`` is its shell over HTTP; the simulator of the test suite drives it through seeded schedules of
/// faults in virtual time.
package struct CoordinatorCore: Sendable {
    /// How every step's scheduler is set up, and how many workers may register at once.
    package struct Settings: Sendable {
        package var leaseTimeout: Duration
        package var maxAttempts: Int
        package var speculation: Bool
        package var maximumRegistrations: Int

        package init(leaseTimeout: Duration, maxAttempts: Int, speculation: Bool = true, maximumRegistrations: Int = 10_000) {
            self.leaseTimeout = leaseTimeout
            self.maxAttempts = maxAttempts
            self.speculation = speculation
            self.maximumRegistrations = maximumRegistrations
        }
    }

    /// How a job ended.
    package typealias Outcome = Coordinator.Outcome

    /// What a worker asking for a task is told.
    package enum Assignment: Sendable {
        case run(TaskAssignment)
        case exit
        case excluded(reason: String)
        /// Nothing now: wait (a long poll) and ask again.
        case wait
    }

    /// The first answer to a completion.
    package enum CompletionStart: Sendable {
        /// Answered at once: a report of an attempt no longer running, or one that lost the race to commit.
        case answered(CompletionResponse)
        /// Checked against the plan: the shell confirms `result` on disk (and publishes a reduce output), then calls
        /// ``completionConfirmed(_:_:_:problem:now:)``.
        case confirm(Scheduler.Attempt, CompletionCheck.Result)
    }

    /// What follows a completion's confirmation.
    package enum CommitStep: Sendable {
        /// The attempt was abandoned meanwhile (its lease ran out, its worker left): not accepted.
        case abandoned
        /// The confirmation failed: the attempt failed, and the effects say so.
        case failed(CoordinatorEffects)
        /// Append this entry to the journal, then call ``completionJournaled(_:_:_:error:now:)``.
        case journal(JournalEntry)
    }

    /// The first answer to a failure report.
    package enum FailureStart: Sendable {
        /// Recorded.
        case done(CoordinatorEffects)
        /// The attempt names `file` (the committed output of `map`) as unreadable: the shell reads its `partition`
        /// and calls ``damageChecked(_:map:damage:now:)``.
        case checkDamage(map: MapTaskID, file: IntermediateFileSummary, partition: Int)
    }

    /// What follows reading a map output a reduce could not read.
    package enum DamageStep: Sendable {
        case done(CoordinatorEffects)
        /// The output is damaged: append this entry, then call ``lossJournaled(_:map:damage:error:now:)``.
        case journal(JournalEntry)
    }

    /// The most steps a job may have: attempt numbers hold the step in bits 44 to 52.
    static let maximumSteps = 1 << 9
    /// How many times finishing a step (writing its metadata, planning the next) is tried before the job fails.
    static let finishingTries = 3

    /// The job: its steps, to plan each after the one before it.
    package let job: AnyJob
    package let settings: Settings
    /// The plan of the step running now (the job's, for a job of one step).
    package private(set) var plan: JobPlan
    package private(set) var scheduler: Scheduler
    package private(set) var accounting: JobAccounting
    /// Map and reduce tasks of the running step found committed in its journal at start.
    package private(set) var restored: (maps: Int, reduces: Int)
    /// Set once the output is final (or the job failed).
    package private(set) var outcome: Outcome?
    /// The whole job's summary, once its last step's output is final.
    package private(set) var jobSummary: JobSummary?
    /// Each running attempt's progress, as its worker last reported it.
    package private(set) var progress: [AttemptID: AttemptProgress] = [:]
    /// When the core started, and when the running step did.
    package let started: ContinuousClock.Instant
    package private(set) var stepStarted: ContinuousClock.Instant

    private var credentials: WorkerCredentials
    private var toldToExit: Set<WorkerID> = []
    /// Tasks whose completion is being confirmed by the shell.
    private var reporting: Set<TaskID> = []
    /// Workers waiting in a long poll now, with how many polls each: they are alive.
    private var polling: [WorkerID: Int] = [:]
    /// Workers that said they are stopping: a long poll of theirs still open is told to exit.
    private var departed: Set<WorkerID> = []
    /// Each worker's last assignment, with the number of the request it answered.
    private var lastAssignments: [WorkerID: (request: Int, attempt: AttemptID, assignment: TaskAssignment)] = [:]
    /// Failed and lost attempts already reported in effects.
    private var endingsReported = 0
    private var finishing: (tries: Int, next: ContinuousClock.Instant, published: Bool, underWay: Bool)
    /// When ``tick(now:)`` last ran (at first, when the core was made: a pause before the first tick counts too).
    private var lastTick: ContinuousClock.Instant
    /// Phases this core recorded the start and the end of (the shell drops repeats of an earlier coordinator's).
    private var phasesStarted: Set<String> = []
    private var phasesEnded: Set<String> = []

    /// A step brought up to its journal, ready to run once its `startEntry` is appended.
    package struct PreparedStep: Sendable {
        package let plan: JobPlan
        package let scheduler: Scheduler
        package let accounting: JobAccounting
        package let restored: (maps: Int, reduces: Int)
        /// The journal entry that records this coordinator's start: append it before running the step.
        package let startEntry: JournalEntry
    }

    /// Checks `plan` against `job` and brings its step up to `journal`'s entries (read from `journalPath`, named in
    /// errors). Tasks the journal shows committed are not run again; attempts running when an earlier coordinator
    /// died are forgotten (their reports are refused as stale). Every entry is checked against the plan: a journal
    /// of another plan, of an older format, or with an entry out of bounds is refused with a message.
    package static func prepare(
        _ plan: JobPlan, job: AnyJob, journal: [(line: Int, entry: JournalEntry)], journalPath: String, settings: Settings
    ) throws -> PreparedStep {
        guard job.name == plan.job, job.steps.count == plan.stepCount else {
            throw JobError(
                .badConfiguration,
                "the plan in '\(plan.directory)' is of job '\(plan.job)' with \(plan.stepCount) steps, not of '\(job.name)' with \(job.steps.count); remove '\(plan.layout.jobDirectory)' to start over"
            )
        }
        guard job.steps.count <= maximumSteps else {
            throw JobError(.badConfiguration, "job '\(job.name)' has \(job.steps.count) steps; a coordinator runs at most \(maximumSteps)")
        }
        let history = try JournalReplay.check(journal, path: journalPath, plan: plan)
        let epoch = history.count { $0.event == .started }
        // Attempt numbers never repeat across steps and restarts, so a late report of an earlier step or coordinator
        // is refused as stale: the step in bits 44 to 52 (``maximumSteps``), the restart in bits 32 to 43, all below
        // 2^53, exact in any JSON reader.
        guard epoch < 1 << 12 else {
            throw JournalError(path: journalPath, reason: "records \(epoch) coordinator starts; remove '\(plan.layout.jobDirectory)' to start the job over")
        }
        var scheduler = Scheduler(
            .init(
                mapTasks: plan.mapTasks.count, reduceTasks: plan.configuration.reducers, leaseTimeout: settings.leaseTimeout,
                maxAttempts: settings.maxAttempts, speculation: settings.speculation,
                firstAttempt: UInt64(plan.stepIndex) << 44 | UInt64(epoch) << 32 + 1))
        var accounting = JobAccounting(plan)
        JournalReplay.apply(history, to: &scheduler, &accounting)
        let restored = (accounting.maps.count { $0 != nil }, accounting.reduces.count { $0 != nil })
        return PreparedStep(
            plan: plan, scheduler: scheduler, accounting: accounting, restored: restored,
            startEntry: JournalEntry(event: .started, epoch: epoch, version: Journal.formatVersion, plan: plan.hash))
    }

    /// A core running the first step it runs, `step` (its start entry appended), from `now`.
    package init(job: AnyJob, step: PreparedStep, settings: Settings, now: ContinuousClock.Instant) {
        self.job = job
        self.settings = settings
        plan = step.plan
        scheduler = step.scheduler
        accounting = step.accounting
        restored = step.restored
        credentials = WorkerCredentials(limit: settings.maximumRegistrations)
        started = now
        stepStarted = now
        lastTick = now
        finishing = (0, now, false, false)
    }

    /// The event of this core starting the job: the first thing it records.
    package var startEvent: JobEvent { Self.startEvent(.jobStarted, plan, job) }

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

    // MARK: Workers

    /// Registers a worker called `name`: its identity and the credential its later requests carry.
    package mutating func register(name: String) throws(SchedulerError) -> (Registration, CoordinatorEffects) {
        let (worker, credential) = try credentials.register(name: name)
        var effects = CoordinatorEffects()
        effects.log(.info, "worker registered", ["mr.worker": "\(worker)"])
        var event = JobEvent(.workerJoined)
        event.worker = worker.rawValue
        emit(event, into: &effects)
        return (Registration(worker: worker, credential: credential), effects)
    }

    /// The worker `credential` was issued to, or `nil`.
    package func worker(forCredential credential: Substring) -> WorkerID? { credentials.worker(for: credential) }

    /// What `worker`, asking for a task with its `request` number, is told now. The same number again while the
    /// attempt it was given runs is the worker retrying after a lost answer: it gets the same assignment, and
    /// gives nothing up.
    package mutating func assign(to worker: WorkerID, request: Int? = nil, now: ContinuousClock.Instant) -> (Assignment, CoordinatorEffects) {
        var effects = CoordinatorEffects()
        if outcome != nil || departed.contains(worker) {
            toldToExit.insert(worker)
            return (.exit, effects)
        }
        if let request, let last = lastAssignments[worker], last.request == request, scheduler.running[last.attempt]?.worker == worker {
            scheduler.renew(worker, now: now)
            return (.run(last.assignment), effects)
        }
        let decision = scheduler.assign(to: worker, now: now)
        reportEndings(into: &effects)
        settle(now: now, into: &effects)
        switch decision {
        case .run(let attempt, let task):
            let (phase, _) = task.phaseAndNumber
            if phasesStarted.insert(phase).inserted {
                var started = JobEvent(.phaseStarted)
                started.phase = phase
                emit(started, into: &effects)
            }
            emit(.attempt(.taskAssigned, task, attempt, worker: worker), into: &effects)
            effects.log(.info, "assigned", ["mr.worker": "\(worker)", "mr.task": "\(task)", "mr.attempt": "\(attempt.rawValue)"])
            let assignment = assignment(attempt, task)
            if let request { lastAssignments[worker] = (request, attempt, assignment) }
            return (.run(assignment), effects)
        case .excluded(let reason):
            credentials.release(worker)
            lastAssignments.removeValue(forKey: worker)
            if toldToExit.insert(worker).inserted {
                effects.log(.warning, "worker excluded", ["mr.worker": "\(worker)", "mr.reason": "\(reason)"])
                var event = JobEvent(.workerExcluded)
                event.worker = worker.rawValue
                event.message = reason
                emit(event, into: &effects)
            }
            return (.excluded(reason: reason), effects)
        case .finished where outcome != nil:
            toldToExit.insert(worker)
            return (.exit, effects)
        case .wait, .finished:
            // `.finished` without an outcome: the output is being finished; workers exit only once it is.
            return (.wait, effects)
        }
    }

    /// Notes that `worker` waits in a long poll (it is alive meanwhile: ``tick(now:)`` renews it).
    package mutating func startWaiting(_ worker: WorkerID) { polling[worker, default: 0] += 1 }

    /// Notes that a long poll of `worker`'s ended.
    package mutating func stopWaiting(_ worker: WorkerID) {
        polling[worker, default: 1] -= 1
        if polling[worker] == 0 { polling.removeValue(forKey: worker) }
    }

    /// The assignment of `attempt` of `task`, with everything its worker needs.
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

    /// How often workers heartbeat: a third of the lease.
    private var heartbeatMilliseconds: Int {
        let lease = scheduler.configuration.leaseTimeout.components
        return max(50, Int(lease.seconds * 1000 + lease.attoseconds / 1_000_000_000_000_000) / 3)
    }

    /// Records a heartbeat.
    package mutating func heartbeat(_ request: HeartbeatRequest, now: ContinuousClock.Instant) throws(SchedulerError) -> HeartbeatResponse {
        if let reported = request.progress, !CompletionCheck.counts.contains(reported.records) || !CompletionCheck.counts.contains(reported.bytes) {
            throw SchedulerError(
                code: .invalidReport, message: "progress of \(request.attempt.map(\.description) ?? "no attempt") out of \(CompletionCheck.counts)")
        }
        let current = try scheduler.heartbeat(from: request.worker, attempt: request.attempt, now: now)
        if let attempt = request.attempt {
            if current, let reported = request.progress { progress[attempt] = reported } else { progress.removeValue(forKey: attempt) }
        }
        return HeartbeatResponse(current: current)
    }

    /// Records that a worker is stopping: the attempt it runs is lost now, and its task runs again elsewhere
    /// without waiting for the lease (``Scheduler/leave(_:)``).
    package mutating func leave(_ request: LeaveRequest, now: ContinuousClock.Instant) -> CoordinatorEffects {
        departed.insert(request.worker)
        let lost = scheduler.leave(request.worker)
        credentials.release(request.worker)
        lastAssignments.removeValue(forKey: request.worker)
        var effects = CoordinatorEffects()
        effects.log(.info, "worker stopping", ["mr.worker": "\(request.worker)", "mr.attempts": "\(lost.count)"])
        var event = JobEvent(.workerStopped)
        event.worker = request.worker.rawValue
        emit(event, into: &effects)
        stateChanged(now: now, into: &effects)
        return effects
    }

    /// Whether any worker with a current lease has not yet been told to exit.
    package var hasListeningWorkers: Bool { !scheduler.liveWorkers.allSatisfy { toldToExit.contains($0) } }

    // MARK: Completions

    /// Begins a completion: checks it against the plan (a 4xx before anything changes) and says whether it is
    /// answered at once or must be confirmed on disk.
    package mutating func beginCompletion(_ request: CompletionRequest, now: ContinuousClock.Instant) throws(SchedulerError) -> (
        CompletionStart, CoordinatorEffects
    ) {
        var effects = CoordinatorEffects()
        guard let attempt = scheduler.running[request.attempt] else {
            // Not running: a repeated report of a committed attempt, a stale one (answered `false`), or one the
            // scheduler refuses.
            let accepted = try scheduler.complete(request.attempt, by: request.worker, now: now)
            return (.answered(CompletionResponse(accepted: accepted || scheduler.hasCommitted(request.attempt))), effects)
        }
        try scheduler.checkReport(from: request.worker, about: request.attempt)
        let result = try CompletionCheck(plan: plan).validate(request, task: attempt.task)
        guard !reporting.contains(attempt.task) else {
            // Another attempt of the task is being committed: this one lost the race.
            scheduler.discard(request.attempt)
            effects.log(.info, "ignored completion", metadata(request.worker, request.attempt, attempt.task))
            return (.answered(CompletionResponse(accepted: false)), effects)
        }
        reporting.insert(attempt.task)
        scheduler.setReporting(request.attempt, true, now: now)
        return (.confirm(attempt, result), effects)
    }

    /// Takes the confirmation of a completion begun with ``beginCompletion(_:now:)``: `problem` is what was wrong
    /// on disk, if anything.
    package mutating func completionConfirmed(
        _ request: CompletionRequest, _ attempt: Scheduler.Attempt, _ result: CompletionCheck.Result, problem: (any Error)?, now: ContinuousClock.Instant
    ) -> CommitStep {
        reporting.remove(attempt.task)
        guard scheduler.running[request.attempt] != nil else { return .abandoned }
        scheduler.setReporting(request.attempt, false, now: now)
        if let problem { return .failed(failCommit(request, problem, now: now)) }
        return .journal(result.journalEntry(attempt: request.attempt))
    }

    /// Commits a completion whose journal entry was appended (or fails it: `error` is why the append failed).
    package mutating func completionJournaled(
        _ request: CompletionRequest, _ attempt: Scheduler.Attempt, _ result: CompletionCheck.Result, error: (any Error)?, now: ContinuousClock.Instant
    ) -> (CompletionResponse, CoordinatorEffects) {
        if let error { return (CompletionResponse(accepted: false), failCommit(request, error, now: now)) }
        var effects = CoordinatorEffects()
        let accepted: Bool
        do {
            accepted = try scheduler.complete(request.attempt, by: request.worker, now: now)
        } catch {
            return (CompletionResponse(accepted: false), failCommit(request, error, now: now))
        }
        switch result {
        case .map(let id, let output): accounting.committed(id, output)
        case .reduce(let id, _, let output): accounting.committed(id, output)
        }
        effects.log(.info, "committed", metadata(request.worker, request.attempt, attempt.task))
        if accepted { recordCommit(request.attempt, result, request.worker, into: &effects) }
        progress.removeValue(forKey: request.attempt)
        stateChanged(now: now, into: &effects)
        return (CompletionResponse(accepted: accepted), effects)
    }

    private mutating func failCommit(_ request: CompletionRequest, _ problem: any Error, now: ContinuousClock.Instant) -> CoordinatorEffects {
        var effects = CoordinatorEffects()
        // The attempt was checked as running and issued to this worker: failing it cannot be refused.
        try? scheduler.fail(request.attempt, by: request.worker, message: "its completion could not be committed: \(problem)", now: now)
        stateChanged(now: now, into: &effects)
        return effects
    }

    /// Records the commit of `attempt` of `task` with what it read and wrote, and the end of its phase if it was
    /// the last.
    private mutating func recordCommit(_ attempt: AttemptID, _ result: CompletionCheck.Result, _ worker: WorkerID?, into effects: inout CoordinatorEffects) {
        let event = Self.commitEvent(attempt, result, worker: worker)
        emit(event, into: &effects)
        let phase = event.phase ?? ""
        let done = phase == "map" ? scheduler.mapsCommitted : scheduler.isComplete
        if done, phasesEnded.insert(phase).inserted {
            var ended = JobEvent(.phaseEnded)
            ended.phase = phase
            emit(ended, into: &effects)
        }
    }

    /// The event of `attempt` committing `result` (on `worker`, if known).
    private static func commitEvent(_ attempt: AttemptID, _ result: CompletionCheck.Result, worker: WorkerID?) -> JobEvent {
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

    // MARK: Failures

    /// Begins a failure report. If a reduce could not read a committed map output, the shell reads that file:
    /// a damaged file runs its map task again (the reduce is retried, neither counting as a failure); a file it
    /// finds intact means the reporting worker's view of the shared directory is wrong, which fails the reduce
    /// attempt, naming the worker.
    package mutating func beginFailure(_ request: FailureRequest, now: ContinuousClock.Instant) throws(SchedulerError) -> FailureStart {
        var effects = CoordinatorEffects()
        guard let attempt = scheduler.running[request.attempt] else {
            try scheduler.fail(request.attempt, by: request.worker, message: request.error, now: now)
            return .done(effects)
        }
        try scheduler.checkReport(from: request.worker, about: request.attempt)
        var message = request.error
        // Only a reduce's inputs are map outputs the coordinator can have written again; a map that cannot read an
        // earlier step's output fails with the reason.
        if let lost = request.lostInput, case .reduce(let reduce) = attempt.task {
            if let input = committedInput(lost) {
                scheduler.setReporting(request.attempt, true, now: now)
                return .checkDamage(map: input.map, file: input.file, partition: reduce.rawValue)
            }
            message += " (it named '\(lost)' as damaged, which is not one of its inputs)"
        }
        try scheduler.fail(request.attempt, by: request.worker, message: message, now: now)
        stateChanged(now: now, into: &effects)
        return .done(effects)
    }

    /// Takes what reading the map output named by a failure found: `damage`, or `nil` for intact.
    package mutating func damageChecked(_ request: FailureRequest, map: MapTaskID, damage: String?, now: ContinuousClock.Instant) -> DamageStep {
        var effects = CoordinatorEffects()
        guard scheduler.running[request.attempt] != nil else { return .done(effects) }
        scheduler.setReporting(request.attempt, false, now: now)
        if damage != nil { return .journal(JournalEntry(event: .mapLost, task: map.rawValue)) }
        let lost = request.lostInput ?? ""
        let message =
            "\(request.worker) could not read '\(lost)' (\(request.error)), but the coordinator reads it intact: the view of the shared directory on \(request.worker) differs from the coordinator's (a missing or different mount?)"
        try? scheduler.fail(request.attempt, by: request.worker, message: message, now: now)
        stateChanged(now: now, into: &effects)
        return .done(effects)
    }

    /// Puts map task `map` back to run, its loss journaled (or fails the reporting attempt: `error` is why the
    /// append failed).
    package mutating func lossJournaled(
        _ request: FailureRequest, map: MapTaskID, damage: String, error: (any Error)?, now: ContinuousClock.Instant
    ) throws(SchedulerError) -> CoordinatorEffects {
        var effects = CoordinatorEffects()
        if let error {
            try scheduler.fail(request.attempt, by: request.worker, message: "\(request.error); the loss could not be journaled: \(error)", now: now)
            stateChanged(now: now, into: &effects)
            return effects
        }
        if try scheduler.lostMapOutput(map, reportedBy: request.attempt, worker: request.worker, now: now) {
            accounting.lost(map)
            var event = JobEvent.attempt(.mapOutputLost, .map(map), request.attempt, worker: request.worker, message: damage)
            event.attempt = nil
            emit(event, into: &effects)
        }
        effects.log(
            .warning, "intermediate file lost; re-running its map task",
            ["mr.worker": "\(request.worker)", "mr.attempt": "\(request.attempt.rawValue)", "mr.task": "\(map)", "mr.error": "\(damage)"])
        stateChanged(now: now, into: &effects)
        return effects
    }

    /// The map task and committed file that `path` is, if it is a committed map output (every reduce reads one
    /// range of each).
    private func committedInput(_ path: String) -> (map: MapTaskID, file: IntermediateFileSummary)? {
        for (index, attempt) in scheduler.committedMapAttempts.enumerated() {
            guard let attempt, let output = accounting[MapTaskID(index)] else { continue }
            let map = MapTaskID(index)
            if plan.mapOutputFile(map, attempt) == path { return (map, output.file) }
        }
        return nil
    }

    // MARK: Time

    /// Expires leases, retries finishing the output if it failed, and says whether waiting requests should look
    /// again (a task may have become a straggler worth a backup just by time passing). Called on every tick.
    ///
    /// Waiting requests are woken only when there may be something for them: a lost attempt's task to run again,
    /// a straggler to back up, or the job's end. Idle pollers cost nothing between changes.
    package mutating func tick(now: ContinuousClock.Instant) -> CoordinatorEffects {
        var effects = CoordinatorEffects()
        // Ticks come every 250 ms at most: a longer gap is time this process did not run (SIGSTOP, a suspended host,
        // a stall), in which no worker could be heard. Leases are judged by the time the coordinator saw.
        let pauseAllowance = max(settings.leaseTimeout / 4, .milliseconds(250))
        if now - lastTick > pauseAllowance {
            let pause = now - lastTick - pauseAllowance
            effects.log(.notice, "the coordinator did not run for \(pause) (stopped, suspended or stalled): leases are extended by that")
            scheduler.extendLeases(by: pause)
        }
        lastTick = now
        for worker in polling.keys where !departed.contains(worker) { scheduler.renew(worker, now: now) }
        let alive = Set(scheduler.liveWorkers)
        let lost = scheduler.expireLeases(now: now)
        effects.expiredLeases = lost.count
        for worker in alive.subtracting(scheduler.liveWorkers).sorted() {
            credentials.revoke(worker)
            lastAssignments.removeValue(forKey: worker)
            var event = JobEvent(.workerLost)
            event.worker = worker.rawValue
            emit(event, into: &effects)
        }
        reportEndings(into: &effects)
        effects.gauges = true
        let wasSettled = outcome != nil
        settle(now: now, into: &effects)
        if !lost.isEmpty || outcome != nil && !wasSettled || scheduler.hasBackupCandidate(now: now) { effects.wake = true }
        return effects
    }

    // MARK: Deciding the outcome

    /// After a report changed the state: reports the attempts that ended, decides the job's outcome if it can,
    /// and wakes the waiting polls (there may be a task for them now).
    private mutating func stateChanged(now: ContinuousClock.Instant, into effects: inout CoordinatorEffects) {
        reportEndings(into: &effects)
        settle(now: now, into: &effects)
        effects.wake = true
    }

    /// Reports the failed and lost attempts not reported yet.
    private mutating func reportEndings(into effects: inout CoordinatorEffects) {
        for ending in scheduler.failures.dropFirst(endingsReported) {
            var fields = metadata(ending.worker, ending.attempt, ending.task)
            fields["mr.error"] = "\(ending.message)"
            effects.log(.warning, ending.kind == .lost ? "attempt lost; re-queued" : "attempt failed", fields)
            emit(
                .attempt(ending.kind == .lost ? .attemptLost : .attemptFailed, ending.task, ending.attempt, worker: ending.worker, message: ending.message),
                into: &effects)
            progress.removeValue(forKey: ending.attempt)
        }
        endingsReported = scheduler.failures.count
    }

    /// Decides the job's outcome when it can: failed (a task ran out of attempts, or too many bad records), or
    /// succeeded once every task committed and the output's metadata is written. Finishing is work for the shell
    /// (``CoordinatorEffects/finishing``); a failure of it is retried on later ticks, and fails the job after
    /// ``finishingTries``.
    private mutating func settle(now: ContinuousClock.Instant, into effects: inout CoordinatorEffects) {
        guard outcome == nil else { return }
        if let task = scheduler.fatalTask {
            end(.failed(failureReport(task)), into: &effects)
            return
        }
        do {
            try accounting.checkBadRecords(limit: plan.configuration.skipBadRecords)
        } catch {
            end(.failed(error.message), into: &effects)
            return
        }
        guard scheduler.isComplete, now >= finishing.next, !finishing.underWay else { return }
        if !finishing.published {
            let attempts = JobAccounting.Attempts(
                map: scheduler.attemptsStarted.map, reduce: scheduler.attemptsStarted.reduce, failed: scheduler.failures.count { $0.kind == .failed },
                lost: scheduler.failures.count { $0.kind == .lost })
            do {
                let summary = try accounting.summary(job: job.steps[plan.stepIndex].name, attempts: attempts, seconds: (now - stepStarted).seconds)
                let doomed = plan.isLastStep ? [plan.layout.jobDirectory] : ["map", "reduce"].map { "\(plan.directory)/\($0)" }
                finishing.underWay = true
                effects.finishing = .publish(
                    summary: summary, badRecordLists: accounting.badRecordLists(plan, committedBy: scheduler.committedMapAttempts),
                    jobSeconds: (now - started).seconds, doomed: doomed)
            } catch {
                finishingFailed(error, now: now, into: &effects)
            }
        } else if plan.isLastStep {
            end(.succeeded, into: &effects)
            effects.log(.info, "job succeeded", ["mr.job": "\(plan.job)"])
        } else {
            finishing.underWay = true
            effects.finishing = .planNextStep
        }
    }

    /// Takes the step's published metadata (`written`, the summary as written): the job succeeds, or its next step
    /// is planned.
    package mutating func published(_ written: JobSummary, now: ContinuousClock.Instant) -> CoordinatorEffects {
        var effects = CoordinatorEffects()
        finishing.published = true
        finishing.underWay = false
        if plan.isLastStep { jobSummary = written }
        settle(now: now, into: &effects)
        return effects
    }

    /// Takes a failure of finishing work: tried again later, until ``finishingTries``.
    package mutating func finishingFailed(_ error: any Error, now: ContinuousClock.Instant) -> CoordinatorEffects {
        var effects = CoordinatorEffects()
        finishingFailed(error, now: now, into: &effects)
        return effects
    }

    private mutating func finishingFailed(_ error: any Error, now: ContinuousClock.Instant, into effects: inout CoordinatorEffects) {
        finishing.underWay = false
        finishing.tries += 1
        effects.log(.error, "cannot finish the output", ["mr.error": "\(error)", "mr.try": "\(finishing.tries)"])
        if finishing.tries >= Self.finishingTries {
            end(
                .failed(
                    "every task\(plan.stepCount > 1 ? " of step \(plan.stepIndex + 1)" : "") committed, but \(finishing.published ? "the next step could not be planned" : "the output's metadata could not be written") (\(finishing.tries) tries): \(error); fix that and run the coordinator again with the same arguments to finish the job"
                ), into: &effects)
        } else {
            finishing.next = now + .seconds(finishing.tries)
        }
    }

    /// Runs `step`, the step after the one that just finished (its start entry appended), with the same workers:
    /// attempts of the finished step still reported are refused as stale.
    package mutating func enter(_ step: PreparedStep, now: ContinuousClock.Instant) -> CoordinatorEffects {
        let finished = plan.stepIndex
        plan = step.plan
        scheduler = step.scheduler
        accounting = step.accounting
        restored = step.restored
        stepStarted = now
        finishing = (0, now, false, false)
        endingsReported = 0
        reporting = []
        progress = [:]
        phasesStarted = []
        phasesEnded = []
        lastAssignments = [:]
        var effects = CoordinatorEffects()
        effects.log(.info, "step started", ["mr.step": "\(plan.stepIndex + 1)", "mr.finished": "\(finished + 1)", "mr.maps": "\(plan.mapTasks.count)"])
        emit(Self.startEvent(.stepStarted, plan, job), into: &effects)
        effects.append(resume(now: now))
        effects.wake = true
        return effects
    }

    /// Brings the history up to the journal of the running step and finishes at once if the journal showed every
    /// task committed (the previous coordinator died just before writing `_SUCCESS`, or could not write it).
    package mutating func resume(now: ContinuousClock.Instant) -> CoordinatorEffects {
        var effects = CoordinatorEffects()
        if restored.maps > 0 || restored.reduces > 0 {
            effects.log(
                .info, "resumed from journal", ["mr.step": "\(plan.stepIndex + 1)", "mr.maps": "\(restored.maps)", "mr.reduces": "\(restored.reduces)"])
        }
        for (index, attempt) in scheduler.committedMapAttempts.enumerated() {
            if let attempt, let output = accounting.maps[index] { restoreCommit(attempt, .map(MapTaskID(index), output), into: &effects) }
        }
        for (index, state) in scheduler.reduceStates.enumerated() {
            if case .committed(let attempt) = state, let output = accounting.reduces[index] {
                restoreCommit(attempt, .reduce(ReduceTaskID(index), attempt, output), into: &effects)
            }
        }
        effects.gauges = true
        settle(now: now, into: &effects)
        return effects
    }

    private mutating func restoreCommit(_ attempt: AttemptID, _ result: CompletionCheck.Result, into effects: inout CoordinatorEffects) {
        var event = Self.commitEvent(attempt, result, worker: nil)
        if plan.stepCount > 1 { event.step = plan.stepIndex }
        effects.events.append(.init(event: event, isRestoredCommit: true))
        let phase = event.phase ?? ""
        phasesStarted.insert(phase)
        if phase == "map" ? scheduler.mapsCommitted : scheduler.isComplete, phasesEnded.insert(phase).inserted {
            var ended = JobEvent(.phaseEnded)
            ended.phase = phase
            emit(ended, into: &effects)
        }
    }

    /// Sets the job's outcome, once, and records it.
    private mutating func end(_ outcome: Outcome, into effects: inout CoordinatorEffects) {
        self.outcome = outcome
        switch outcome {
        case .succeeded: emit(JobEvent(.jobSucceeded), into: &effects)
        case .failed(let report):
            var event = JobEvent(.jobFailed)
            event.message = report
            emit(event, into: &effects)
        }
        effects.gauges = true
        effects.wake = true
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

    /// Adds `event` to `effects`, naming the running step in a job of several.
    private func emit(_ event: JobEvent, into effects: inout CoordinatorEffects) {
        var event = event
        if plan.stepCount > 1, event.step == nil { event.step = plan.stepIndex }
        effects.events.append(.init(event: event))
    }

    private func metadata(_ worker: WorkerID, _ attempt: AttemptID, _ task: TaskID) -> Logger.Metadata {
        ["mr.worker": "\(worker)", "mr.attempt": "\(attempt.rawValue)", "mr.task": "\(task)"]
    }

    // MARK: Reading the state

    /// The job's status.
    package func status() -> JobStatus {
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

    /// The job's summary line, once it is over.
    package func summaryLine(now: ContinuousClock.Instant) -> String {
        let status = status()
        // A job of several steps that succeeded: the whole job's figures, as `local` and `_summary.json` give them.
        if plan.stepCount > 1, outcome == .succeeded, let whole = jobSummary {
            return "\(plan.job): \(status.phase); \(plan.stepCount) steps, \(whole.figures)"
        }
        let failed = scheduler.failures.count { $0.kind == .failed }
        let lost = scheduler.failures.count { $0.kind == .lost }
        let counters = accounting.counters
        let step = plan.stepCount > 1 ? " (step \(plan.stepIndex + 1) of \(plan.stepCount), \(job.steps[plan.stepIndex].name))" : ""
        return "\(plan.job)\(step): \(status.phase); \(plan.mapTasks.count) map tasks (\(status.mapAttempts) attempts), "
            + "\(plan.configuration.reducers) reduce tasks (\(status.reduceAttempts) attempts), \(failed) failed and \(lost) lost attempts, "
            + String(format: "%.2f s", (now - started).seconds)
            + (counters.isEmpty ? "" : "; counters: " + counters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", "))
    }
}
