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
    /// How the coordinator serves the job: the core reads the lease, the attempts, speculation and the
    /// registrations; the shell the rest.
    package typealias Settings = Coordinator.Configuration

    /// How a job ended.
    package typealias Outcome = Coordinator.Outcome

    /// What a worker asking for a task is told.
    package enum Assignment: Sendable {
        case run(TaskAssignment)
        case exit
        case excluded(reason: String)
        /// Nothing now: wait (a long poll) and ask again.
        case wait

        /// What the worker is told.
        package var answer: TaskAssignment {
            switch self {
            case .run(let assignment): assignment
            case .exit: TaskAssignment(action: .exit)
            case .excluded(let reason): TaskAssignment(action: .excluded, reason: reason)
            case .wait: TaskAssignment(action: .wait)
            }
        }
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
    package internal(set) var plan: JobPlan
    package internal(set) var scheduler: Scheduler
    package internal(set) var accounting: JobAccounting
    /// Map and reduce tasks of the running step found committed in its journal at start.
    package internal(set) var restored: (maps: Int, reduces: Int)
    /// Set once the output is final (or the job failed).
    package internal(set) var outcome: Outcome?
    /// The whole job's summary, once its last step's output is final.
    package internal(set) var jobSummary: JobSummary?
    /// Each running attempt's progress, as its worker last reported it.
    package internal(set) var progress: [AttemptID: AttemptProgress] = [:]
    /// When the core started, and when the running step did.
    package let started: ContinuousClock.Instant
    package internal(set) var stepStarted: ContinuousClock.Instant

    var credentials: WorkerCredentials
    var toldToExit: Set<WorkerID> = []
    /// Tasks whose completion is being confirmed by the shell.
    var reporting: Set<TaskID> = []
    /// Workers waiting in a long poll now, with how many polls each: they are alive.
    var polling: [WorkerID: Int] = [:]
    /// Workers that said they are stopping: a long poll of theirs still open is told to exit.
    var departed: Set<WorkerID> = []
    /// Each worker's control connection open now (``connected(_:)``), by its number.
    var connections: [WorkerID: Int] = [:]
    var connectionsOpened = 0
    /// Workers lost when their connection closed: a long poll of theirs still open waits out its time.
    var disconnected: Set<WorkerID> = []
    /// Each worker's last assignment, with the number of the request it answered.
    var lastAssignments: [WorkerID: (request: Int, attempt: AttemptID, assignment: TaskAssignment)] = [:]
    /// Failed and lost attempts already reported in effects.
    var endingsReported = 0
    var finishing: (tries: Int, next: ContinuousClock.Instant, published: Bool, underWay: Bool)
    /// When ``tick(now:)`` last ran (at first, when the core was made: a pause before the first tick counts too).
    var lastTick: ContinuousClock.Instant
    /// Phases this core recorded the start and the end of (the shell drops repeats of an earlier coordinator's).
    var phasesStarted: Set<String> = []
    var phasesEnded: Set<String> = []

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
        let planHash = plan.hash
        let history = try JournalReplay.check(journal, path: journalPath, plan: plan, planHash: planHash)
        // Attempt numbers never repeat across steps and restarts, so a late report of an earlier step or coordinator
        // is refused as stale: the step in bits 44 to 52 (``maximumSteps``), the restart's epoch in bits 32 to 43, all
        // below 2^53, exact in any JSON reader. A fresh journal starts at a drawn epoch (``Coordinator/Configuration/firstEpoch``),
        // a restart at the one after the last its journal records.
        let epoch = history.last { $0.event == .started }.map { ($0.epoch ?? 0) + 1 } ?? settings.firstEpoch
        guard (0..<JournalReplay.epochs).contains(epoch) else {
            throw JournalError(
                path: journalPath,
                reason:
                    "would start epoch \(epoch), past the last attempt numbers have room for (\(JournalReplay.epochs - 1)); remove '\(plan.layout.jobDirectory)' to start the job over"
            )
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
            startEntry: JournalEntry(event: .started, epoch: epoch, version: Journal.formatVersion, plan: planHash))
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
    static func startEvent(_ kind: JobEvent.Kind, _ plan: JobPlan, _ job: AnyJob) -> JobEvent {
        var event = JobEvent(kind)
        event.job = plan.job
        event.mapTasks = plan.mapTasks.count
        event.reduceTasks = plan.configuration.reducers
        event.inputBytes = plan.mapTasks.joined().reduce(0) { $0 + $1.length }
        if plan.stepCount > 1 {
            event.step = plan.stepIndex + 1
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
        // A worker whose connection closed is lost: its credential is refused from now on, so only a long poll
        // it had open gets here, and it is given nothing.
        if disconnected.contains(worker) { return (.wait, effects) }
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

    /// The answer to the task request a completion carried (``CompletionRequest/next``): what
    /// ``assign(to:request:now:)`` gives now, or `nil` if the completion asked for none or there is nothing to give
    /// yet (the worker then asks in a long poll, with the same request number). A repeated completion gets the same
    /// task while its attempt runs.
    package mutating func assignWithAnswer(to request: CompletionRequest, now: ContinuousClock.Instant) -> (TaskAssignment?, CoordinatorEffects) {
        guard let number = request.next else { return (nil, CoordinatorEffects()) }
        let (assignment, effects) = assign(to: request.worker, request: number, now: now)
        if case .wait = assignment { return (nil, effects) }
        return (assignment.answer, effects)
    }

    /// Notes that `worker` waits in a long poll (it is alive meanwhile: ``tick(now:)`` renews it).
    package mutating func startWaiting(_ worker: WorkerID) { polling[worker, default: 0] += 1 }

    /// Notes that a long poll of `worker`'s ended.
    package mutating func stopWaiting(_ worker: WorkerID) {
        polling[worker, default: 1] -= 1
        if polling[worker] == 0 { polling.removeValue(forKey: worker) }
    }

    /// The assignment of `attempt` of `task`, with everything its worker needs.
    func assignment(_ attempt: AttemptID, _ task: TaskID) -> TaskAssignment {
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
                action: .run, attempt: attempt,
                reduce: ReduceAssignment(plan, reduce, attempt, maps: accounting.inputs(of: reduce, committedBy: mapAttempts)),
                heartbeatMilliseconds: heartbeatMilliseconds)
        }
    }

    /// How often workers heartbeat: a third of the lease.
    var heartbeatMilliseconds: Int {
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

    /// Notes that `worker` opened its control connection: the number that names it. A worker holds one at a time;
    /// a newer one replaces the older, whose closing then means nothing.
    package mutating func connected(_ worker: WorkerID) -> Int {
        connectionsOpened += 1
        connections[worker] = connectionsOpened
        return connectionsOpened
    }

    /// Records that `worker`'s control connection `connection` closed. Without a goodbye first (``leave(_:now:)``,
    /// being told to exit or excluded) the worker is lost now, as when its lease runs out, but without waiting for
    /// it: the system closes a dead process's connections at once. Its attempts run again elsewhere, and its
    /// credential is refused from now on (a worker alive after all, cut off for a moment, registers again).
    package mutating func disconnected(_ worker: WorkerID, connection: Int, now: ContinuousClock.Instant) -> CoordinatorEffects {
        var effects = CoordinatorEffects()
        guard connections[worker] == connection else { return effects }
        connections.removeValue(forKey: worker)
        guard outcome == nil, !departed.contains(worker), !toldToExit.contains(worker), credentials.knows(worker) else { return effects }
        disconnected.insert(worker)
        polling.removeValue(forKey: worker)
        let lost = scheduler.leave(worker, .disconnected)
        effects.log(.warning, "worker lost: its connection closed", ["mr.worker": "\(worker)", "mr.attempts": "\(lost.count)"])
        forget(lost: worker, because: "its connection to the coordinator closed without a goodbye", into: &effects)
        stateChanged(now: now, into: &effects)
        return effects
    }

    /// Forgets a lost worker (its lease ran out, or its connection closed): its credential is refused from now on
    /// (it registers again if it was only slow or cut off), and `worker-lost` is recorded, with `reason` if given.
    mutating func forget(lost worker: WorkerID, because reason: String?, into effects: inout CoordinatorEffects) {
        credentials.revoke(worker)
        lastAssignments.removeValue(forKey: worker)
        var event = JobEvent(.workerLost)
        event.worker = worker.rawValue
        event.message = reason
        emit(event, into: &effects)
    }

    /// Whether any worker with a current lease has not yet been told to exit.
    package var hasListeningWorkers: Bool { !scheduler.liveWorkers.allSatisfy { toldToExit.contains($0) } }

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
