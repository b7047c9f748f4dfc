package import MapReduce
/// The coordinator's task bookkeeping: a synchronous state machine with time passed in, so every transition is
/// tested without real time passing.
///
/// Tasks go `pending → running → committed`. A worker asks for work with ``assign(to:now:)``. Leases belong to
/// attempts: each running attempt must be heartbeated (``heartbeat(from:attempt:now:)`` naming it) within the
/// lease timeout, or ``expireLeases(now:)`` declares it lost, whatever else its worker says. A worker that asks
/// for work while it holds attempts has given them up (their assignment or report was lost): they are lost at
/// once. Lost attempts count toward `maxAttempts` like failed ones (as Hadoop counts attempts that kill their
/// process), so a record that crashes every worker that reads it fails the job instead of running forever. The
/// first successful completion of a task commits it; every other completion of that task is ignored. Reduce
/// tasks are handed out only after every map task is committed. A committed map output found damaged runs its
/// map task again, at most `maxAttempts` times.
package struct Scheduler: Sendable {
    /// The job's shape and timing.
    package struct Configuration: Sendable {
        /// M, the number of map tasks.
        package var mapTasks: Int
        /// R, the number of reduce tasks.
        package var reduceTasks: Int
        /// How long a worker may stay silent before its attempts are given to others. Default 10 s.
        package var leaseTimeout: Duration
        /// Attempts a task may fail (throw) before the job fails. Default 4.
        package var maxAttempts: Int
        /// Whether a task running far longer than its finished peers gets a backup attempt once nothing is
        /// pending. Default `true`.
        package var speculation: Bool
        /// How many times the median duration of a phase's finished attempts a task must have run to get a backup.
        /// Default 3.
        package var stragglerFactor: Double
        /// The least time a task must have run to get a backup. Default 1 s.
        package var stragglerMinimum: Duration
        /// The first attempt number to hand out. A restarted coordinator starts above every earlier one, so an
        /// attempt from before the restart is never mistaken for a new one.
        package var firstAttempt: UInt64

        /// Creates a configuration.
        package init(
            mapTasks: Int, reduceTasks: Int, leaseTimeout: Duration = .seconds(10), maxAttempts: Int = 4, speculation: Bool = true,
            stragglerFactor: Double = 3, stragglerMinimum: Duration = .seconds(1), firstAttempt: UInt64 = 1
        ) {
            self.mapTasks = mapTasks
            self.reduceTasks = reduceTasks
            self.leaseTimeout = leaseTimeout
            self.maxAttempts = maxAttempts
            self.speculation = speculation
            self.stragglerFactor = stragglerFactor
            self.stragglerMinimum = stragglerMinimum
            self.firstAttempt = firstAttempt
        }
    }

    /// A task's state.
    package enum TaskState: Sendable, Equatable {
        case pending
        case running
        case committed(AttemptID)
        /// Failed `maxAttempts` times: the job has failed.
        case failed
    }

    /// What a worker should do next.
    package enum Decision: Sendable, Equatable {
        /// Run this attempt of this task.
        case run(AttemptID, TaskID)
        /// Nothing to hand out now; ask again.
        case wait
        /// The job is over (finished or failed): exit.
        case finished
        /// This worker gets no more work, for the reason given: exit saying so.
        case excluded(String)
    }

    /// A running attempt.
    package struct Attempt: Sendable, Equatable {
        /// The attempt.
        package let id: AttemptID
        /// Its task.
        package let task: TaskID
        /// The worker running it.
        package let worker: WorkerID
        /// When it was handed out.
        package let started: ContinuousClock.Instant
        /// When its lease was last renewed (a heartbeat naming it).
        package fileprivate(set) var renewed: ContinuousClock.Instant
        /// Whether the coordinator is checking or publishing its result: its lease cannot expire meanwhile.
        package fileprivate(set) var reporting = false
    }

    /// One failed or lost attempt, for the job's failure report.
    package struct Failure: Sendable, Equatable {
        /// How an attempt ended without committing.
        package enum Kind: String, Sendable, Equatable {
            /// Its worker reported an error.
            case failed
            /// Its lease expired, or its worker gave it up: the worker died, hung, was cut off, or lost a message.
            case lost
        }

        /// The attempt.
        package let attempt: AttemptID
        /// Its task.
        package let task: TaskID
        /// The worker that ran it.
        package let worker: WorkerID
        /// Failed or lost.
        package let kind: Kind
        /// What went wrong.
        package let message: String
    }

    /// The configuration.
    package let configuration: Configuration
    /// The state of each map task.
    package private(set) var mapStates: [TaskState]
    /// The state of each reduce task.
    package private(set) var reduceStates: [TaskState]
    /// Attempts running now.
    package private(set) var running: [AttemptID: Attempt] = [:]
    /// Failed attempts, in order.
    package private(set) var failures: [Failure] = []
    /// Set when a task failed `maxAttempts` times, or its committed output was lost that often.
    package private(set) var fatalTask: TaskID? = nil
    /// Why the job failed, once ``fatalTask`` is set.
    package private(set) var fatalReason: String? = nil
    /// Attempts handed out so far, per task kind.
    package private(set) var attemptsStarted = (map: 0, reduce: 0)
    private var workers: [WorkerID: ContinuousClock.Instant] = [:]
    private var lost: Set<AttemptID> = []
    /// The attempts whose output is their task's committed output now.
    private var committers: Set<AttemptID> = []
    /// How many attempts each worker gave up by asking for work while holding them.
    private var givenUp: [WorkerID: Int] = [:]
    /// The workers that get no more work, and why.
    package private(set) var excluded: [WorkerID: String] = [:]
    /// How many attempts a worker may give up by asking for new work while holding them before it is excluded.
    package static let maximumGiveUps = 3
    /// How many distinct tasks may fail on a worker, one of them having committed on another worker, before it is
    /// excluded (Hadoop's `mapreduce.job.maxtaskfailures.per.tracker`, Spark's `spark.excludeOnFailure`).
    package static let maximumFailedTasks = 3
    /// The distinct tasks an attempt failed (not was lost) on, per worker.
    private var failedTasks: [WorkerID: Set<TaskID>] = [:]
    /// The worker that committed each task this scheduler saw commit.
    private var committedOn: [TaskID: WorkerID] = [:]
    private var pendingMaps: TaskQueue
    private var pendingReduces: TaskQueue
    /// How many tasks of each kind are committed (kept with every state change, so no question scans the tasks).
    private var committedCount = (map: 0, reduce: 0)
    /// The workers each task failed or was lost on, for tasks that have any.
    private var endedOn: [TaskID: Set<WorkerID>] = [:]
    /// How many attempts of each task failed or were lost, for tasks that have any.
    private var endings: [TaskID: Int] = [:]
    private var nextAttempt: UInt64 = 1
    /// How long each phase's committed attempts took, for spotting stragglers.
    private var durations: (map: Durations, reduce: Durations) = (Durations(), Durations())
    /// Tasks that were given a backup attempt (one each).
    package private(set) var backedUp: Set<TaskID> = []
    /// How many times each map task's committed output was found damaged.
    package private(set) var outputLosses: [MapTaskID: Int] = [:]

    /// Starts a job with every task pending.
    package init(_ configuration: Configuration) {
        self.configuration = configuration
        mapStates = Array(repeating: .pending, count: configuration.mapTasks)
        reduceStates = Array(repeating: .pending, count: configuration.reduceTasks)
        pendingMaps = TaskQueue(tasks: configuration.mapTasks)
        pendingReduces = TaskQueue(tasks: configuration.reduceTasks)
        nextAttempt = configuration.firstAttempt
    }

    /// The state of `task`.
    package func state(of task: TaskID) -> TaskState {
        switch task {
        case .map(let map): mapStates[map.rawValue]
        case .reduce(let reduce): reduceStates[reduce.rawValue]
        }
    }

    /// Sets the state of `task`, keeping the committed counts and the pending queues with it: every state change
    /// goes through here.
    private mutating func set(_ task: TaskID, _ state: TaskState) {
        let wasCommitted = if case .committed = self.state(of: task) { 1 } else { 0 }
        let isCommitted = if case .committed = state { 1 } else { 0 }
        if case .committed(let attempt) = self.state(of: task) { committers.remove(attempt) }
        if case .committed(let attempt) = state { committers.insert(attempt) }
        switch task {
        case .map(let map):
            mapStates[map.rawValue] = state
            committedCount.map += isCommitted - wasCommitted
            if state == .pending { pendingMaps.putFirst(map.rawValue) } else { pendingMaps.remove(map.rawValue) }
        case .reduce(let reduce):
            reduceStates[reduce.rawValue] = state
            committedCount.reduce += isCommitted - wasCommitted
            if state == .pending { pendingReduces.putFirst(reduce.rawValue) } else { pendingReduces.remove(reduce.rawValue) }
        }
    }

    /// Marks `task` committed by `attempt` without running it: a restarted coordinator replaying its journal.
    package mutating func restore(_ task: TaskID, committedBy attempt: AttemptID) { set(task, .committed(attempt)) }

    /// Puts a restored map task back to pending: its output was lost before the restart.
    package mutating func restoreLost(_ map: MapTaskID) {
        guard case .committed = mapStates[map.rawValue] else { return }
        set(.map(map), .pending)
    }

    /// Whether `attempt`'s output is its task's committed output: the answer a repeated completion of it gets.
    package func hasCommitted(_ attempt: AttemptID) -> Bool { committers.contains(attempt) }

    /// Whether every map task is committed.
    package var mapsCommitted: Bool { committedCount.map == mapStates.count }

    /// Whether every task is committed.
    package var isComplete: Bool { mapsCommitted && committedCount.reduce == reduceStates.count }

    /// Whether the job is over, successfully or not.
    package var isFinished: Bool { isComplete || fatalTask != nil }

    /// The committed attempt of each map task (all of them once ``mapsCommitted``): whose files reducers read.
    package var committedMapAttempts: [AttemptID?] {
        mapStates.map { if case .committed(let attempt) = $0 { attempt } else { nil } }
    }

    /// Workers whose lease is current.
    package var liveWorkers: [WorkerID] { Array(workers.keys) }

    /// When each live worker was last heard from (a request or a heartbeat).
    package var lastHeard: [WorkerID: ContinuousClock.Instant] { workers }

    /// Hands `worker` its next attempt, if there is one; renews its lease.
    ///
    /// A worker runs one attempt at a time and reports it before asking again: one it still holds was lost on the
    /// way (the assignment's answer, or the report). That is the worker's doing, not the task's: the attempt is
    /// lost without counting toward the task's `maxAttempts` (so that a client asking again and again cannot fail
    /// a job), and a worker that gives up ``maximumGiveUps`` attempts so is excluded: it gets no more work.
    package mutating func assign(to worker: WorkerID, now: ContinuousClock.Instant) -> Decision {
        if let reason = excluded[worker] { return .excluded(reason) }
        workers[worker] = now
        for held in running.values.filter({ $0.worker == worker && !$0.reporting }).sorted(by: { $0.id < $1.id }) {
            lose(held, because: "\(worker) asked for new work while holding it: its assignment or its report was lost", counted: false)
            givenUp[worker, default: 0] += 1
        }
        if givenUp[worker, default: 0] >= Self.maximumGiveUps {
            return exclude(
                worker,
                because: "\(worker) asked for new work while holding an attempt \(Self.maximumGiveUps) times (its answers or reports are lost on the way)")
        }
        if let failed = failedTasks[worker], failed.count >= Self.maximumFailedTasks {
            let elsewhere = failed.count { task in committedOn[task].map { $0 != worker } ?? false }
            if elsewhere > 0 {
                return exclude(
                    worker,
                    because:
                        "\(worker) failed \(failed.count) tasks, \(elsewhere) of which succeeded on other workers: something about that worker is wrong (its --shared-dir, a mount, its disk); see its failures"
                )
            }
        }
        if isFinished { return .finished }
        let task: TaskID
        let (endedOn, workers) = (endedOn, workers)
        let mayRun = { (task: TaskID) in Self.may(worker, run: task, endedOn: endedOn, workers: workers) }
        // Tasks it has not failed first: a worker alone cannot spend one task's attempts before others could try it.
        // (The first pass skips only tasks this worker failed: its cost is bounded by its failures.)
        let fresh = { (task: TaskID) in endedOn[task]?.contains(worker) != true }
        if let map = pendingMaps.takeFirst(where: { fresh(.map(MapTaskID($0))) }) ?? pendingMaps.takeFirst(where: { mayRun(.map(MapTaskID($0))) }) {
            task = .map(MapTaskID(map))
            set(task, .running)
            attemptsStarted.map += 1
        } else if mapsCommitted,
            let reduce = pendingReduces.takeFirst(where: { fresh(.reduce(ReduceTaskID($0))) })
                ?? pendingReduces.takeFirst(where: { mayRun(.reduce(ReduceTaskID($0))) })
        {
            task = .reduce(ReduceTaskID(reduce))
            set(task, .running)
            attemptsStarted.reduce += 1
        } else if let straggler = straggler(for: worker, now: now) {
            backedUp.insert(straggler)
            if case .map = straggler { attemptsStarted.map += 1 } else { attemptsStarted.reduce += 1 }
            task = straggler
        } else {
            return .wait
        }
        let id = AttemptID(nextAttempt)
        nextAttempt += 1
        running[id] = Attempt(id: id, task: task, worker: worker, started: now, renewed: now)
        return .run(id, task)
    }

    /// Gives `worker` no more work, because of `reason`. Its failed attempts no longer count toward their tasks'
    /// `maxAttempts`: the worker was at fault, not the tasks.
    private mutating func exclude(_ worker: WorkerID, because reason: String) -> Decision {
        excluded[worker] = reason
        if !isAwaitingDecision(worker) { workers.removeValue(forKey: worker) }
        for failure in failures where failure.worker == worker && failure.kind == .failed && fatalTask == nil {
            endings[failure.task, default: 1] -= 1
        }
        return .excluded(reason)
    }

    /// Whether `worker` may run `task`: a task that failed on `worker` goes to another live worker if there is one
    /// that has not failed it too.
    private static func may(
        _ worker: WorkerID, run task: TaskID, endedOn: [TaskID: Set<WorkerID>], workers: [WorkerID: ContinuousClock.Instant]
    ) -> Bool {
        guard let failedOn = endedOn[task], failedOn.contains(worker) else { return true }
        return workers.keys.allSatisfy { failedOn.contains($0) }
    }

    /// The task of the current phase running longest (the earlier attempt of two started at once: decisions never
    /// depend on a dictionary's order, so a simulation's seed replays exactly), if it has run `stragglerFactor` times the median of the
    /// phase's finished attempts (and at least `stragglerMinimum`), has no backup yet, and runs on another worker.
    private mutating func straggler(for worker: WorkerID, now: ContinuousClock.Instant) -> TaskID? {
        backupCandidates(now: now).filter { attempt in !running.values.contains { $0.task == attempt.task && $0.worker == worker } }
            .min { ($0.started, $0.id) < ($1.started, $1.id) }?.task
    }

    /// The running attempts of the current phase that have run `stragglerFactor` times the median of the phase's
    /// finished attempts (and at least `stragglerMinimum`) and have no backup yet; none without speculation.
    private mutating func backupCandidates(now: ContinuousClock.Instant) -> [Attempt] {
        guard configuration.speculation else { return [] }
        let inMapPhase = !mapsCommitted
        let median = inMapPhase ? durations.map.median() : durations.reduce.median()
        guard let median else { return [] }
        let threshold = max(median * configuration.stragglerFactor, configuration.stragglerMinimum)
        return running.values.filter { attempt in
            let current = if case .map = attempt.task { inMapPhase } else { !inMapPhase }
            return current && !backedUp.contains(attempt.task) && now - attempt.started > threshold
        }
    }

    /// Keeps `worker` listed as alive (it is waiting in a long poll) without touching any attempt.
    package mutating func renew(_ worker: WorkerID, now: ContinuousClock.Instant) { workers[worker] = now }

    /// Whether some running attempt has become a straggler worth a backup (for some worker), so that waiting workers
    /// should look again.
    package mutating func hasBackupCandidate(now: ContinuousClock.Instant) -> Bool { !backupCandidates(now: now).isEmpty }

    /// Renews `worker`'s registration and `attempt`'s lease.
    /// - Returns: whether `attempt` (if given) is still running, so worth finishing.
    package mutating func heartbeat(from worker: WorkerID, attempt: AttemptID?, now: ContinuousClock.Instant) throws(SchedulerError) -> Bool {
        try checkReport(from: worker, about: attempt)
        workers[worker] = now
        guard let attempt else { return true }
        guard running[attempt] != nil else { return false }
        running[attempt]?.renewed = now
        return true
    }

    /// Whether the coordinator is deciding a report of an attempt `worker` runs: the worker stays known until it
    /// has, whatever its lease, so that the decision (perhaps already journaled) can be carried out.
    private func isAwaitingDecision(_ worker: WorkerID) -> Bool {
        running.values.contains { $0.worker == worker && $0.reporting }
    }

    /// Marks `attempt` as being checked or published by the coordinator (its lease cannot expire meanwhile), or no
    /// longer (its lease starts afresh).
    package mutating func setReporting(_ attempt: AttemptID, _ reporting: Bool, now: ContinuousClock.Instant) {
        guard let worker = running[attempt]?.worker else { return }
        running[attempt]?.reporting = reporting
        running[attempt]?.renewed = now
        // Its worker is waiting for the answer, not heartbeating: it is alive.
        workers[worker] = now
    }

    /// Records that `attempt` succeeded.
    /// - Returns: whether it committed its task (`false` for a lost attempt or a task committed already).
    package mutating func complete(_ attempt: AttemptID, by worker: WorkerID, now: ContinuousClock.Instant) throws(SchedulerError) -> Bool {
        guard workers[worker] != nil || lost.contains(attempt) else { throw unknownWorker(worker) }
        try checkIssued(attempt, to: worker)
        if workers[worker] != nil { workers[worker] = now }
        return commitJournaled(attempt, now: now)
    }

    /// Records that `attempt`, checked as running and issued to its worker when its report began, succeeded and
    /// its commit is journaled: the journal is the truth now, so nothing about its worker is checked again.
    /// - Returns: whether it committed its task (`false` for a lost attempt or a task committed already).
    package mutating func commitJournaled(_ attempt: AttemptID, now: ContinuousClock.Instant) -> Bool {
        guard let record = running.removeValue(forKey: attempt) else { return false }
        if workers[record.worker] != nil { workers[record.worker] = now }
        if case .committed = state(of: record.task) { return false }
        set(record.task, .committed(attempt))
        committedOn[record.task] = record.worker
        if case .map = record.task { durations.map.add(now - record.started) } else { durations.reduce.add(now - record.started) }
        // The first attempt to commit wins: any other attempt of the task is no longer wanted.
        for other in running.values where other.task == record.task {
            running.removeValue(forKey: other.id)
            lost.insert(other.id)
        }
        return true
    }

    /// Drops `attempt` without counting it against its task: its completion lost the race to another attempt of
    /// the same task, which the coordinator is committing. The task is requeued if that commit fails.
    package mutating func discard(_ attempt: AttemptID) {
        guard running.removeValue(forKey: attempt) != nil else { return }
        lost.insert(attempt)
    }

    /// Records that `attempt` failed with `message`; its task is retried, or fails the job after `maxAttempts`.
    package mutating func fail(_ attempt: AttemptID, by worker: WorkerID, message: String, now: ContinuousClock.Instant) throws(SchedulerError) {
        guard workers[worker] != nil || lost.contains(attempt) else { throw unknownWorker(worker) }
        try checkIssued(attempt, to: worker)
        if workers[worker] != nil { workers[worker] = now }
        guard let record = running.removeValue(forKey: attempt) else { return }
        recordEnding(record, .failed, message)
    }

    /// Records that `attempt` ended without committing (`kind`); its task is retried, or fails the job after
    /// `maxAttempts` such endings.
    /// Records how `attempt` ended; unless not `counted`, the ending counts toward its task's `maxAttempts`.
    private mutating func recordEnding(_ attempt: Attempt, _ kind: Failure.Kind, _ message: String, counted: Bool = true) {
        failures.append(Failure(attempt: attempt.id, task: attempt.task, worker: attempt.worker, kind: kind, message: message))
        endedOn[attempt.task, default: []].insert(attempt.worker)
        if kind == .failed { failedTasks[attempt.worker, default: []].insert(attempt.task) }
        guard counted else { return requeue(attempt.task) }
        endings[attempt.task, default: 0] += 1
        let endings = endings[attempt.task, default: 0]
        if endings >= configuration.maxAttempts {
            fail(attempt.task, because: "\(attempt.task) failed or was lost \(endings) times (--max-attempts \(configuration.maxAttempts))")
        } else {
            requeue(attempt.task)
        }
    }

    /// Fails the job because of `task`.
    private mutating func fail(_ task: TaskID, because reason: String) {
        guard fatalTask == nil else { return }
        fatalTask = task
        fatalReason = reason
        if !running.values.contains(where: { $0.task == task }) { set(task, .failed) }
    }

    /// Declares `attempt` lost: unless not `counted`, it counts toward its task's attempts; the task runs again.
    private mutating func lose(_ attempt: Attempt, because reason: String, counted: Bool = true) {
        running.removeValue(forKey: attempt.id)
        lost.insert(attempt.id)
        recordEnding(attempt, .lost, reason, counted: counted)
    }

    /// Records that `attempt` (a reduce) could not read the committed output of map task `map` (missing, truncated
    /// or corrupt): the map task runs again, and the reduce task is retried once it has. Neither counts toward
    /// `maxAttempts`: the reduce did nothing wrong, and the map's code did not fail.
    /// - Returns: whether `map` was committed and is now pending again (`false` if another report got there first).
    @discardableResult
    package mutating func lostMapOutput(
        _ map: MapTaskID, reportedBy attempt: AttemptID, worker: WorkerID, now: ContinuousClock.Instant
    ) throws(SchedulerError) -> Bool {
        guard workers[worker] != nil || lost.contains(attempt) else { throw unknownWorker(worker) }
        try checkIssued(attempt, to: worker)
        guard map.rawValue >= 0, map.rawValue < mapStates.count else {
            throw SchedulerError(code: .unknownAttempt, message: "\(map) does not exist")
        }
        if workers[worker] != nil { workers[worker] = now }
        if let record = running.removeValue(forKey: attempt) { requeue(record.task) }
        guard case .committed = mapStates[map.rawValue] else { return false }
        set(.map(map), .running)  // neither committed nor queued until the bound is checked
        outputLosses[map, default: 0] += 1
        let losses = outputLosses[map, default: 0]
        if losses > configuration.maxAttempts {
            fail(
                .map(map),
                because:
                    "the committed output of \(map) was lost \(losses) times (more than --max-attempts \(configuration.maxAttempts)): the shared directory is losing or damaging files"
            )
        } else {
            set(.map(map), .pending)
        }
        return true
    }

    /// Declares attempts not heartbeated within the lease timeout lost (their tasks run again) and forgets
    /// workers silent that long.
    /// - Returns: the attempts lost.
    @discardableResult
    package mutating func expireLeases(now: ContinuousClock.Instant) -> [Attempt] {
        for (worker, seen) in workers where now - seen > configuration.leaseTimeout && !isAwaitingDecision(worker) {
            workers.removeValue(forKey: worker)
        }
        let expired = running.values.filter { !$0.reporting && now - $0.renewed > configuration.leaseTimeout }.sorted { $0.id < $1.id }
        for attempt in expired {
            lose(attempt, because: "no heartbeat from \(attempt.worker) for \(configuration.leaseTimeout) (the lease): the worker died, hung or was cut off")
        }
        return expired
    }

    /// Moves every lease and every worker's last-heard time `pause` later: the coordinator was not running for
    /// that long (the process was stopped, the host suspended, a stall), so no worker could have been heard, and
    /// time it did not see must not expire leases on its first look afterwards.
    package mutating func extendLeases(by pause: Duration) {
        guard pause > .zero else { return }
        for id in running.keys { running[id]?.renewed += pause }
        for worker in workers.keys { workers[worker]? += pause }
    }

    /// Why a worker is gone before its lease ran out.
    package enum Departure: Sendable {
        /// It said it is stopping (it was sent SIGTERM or SIGINT).
        case stopped
        /// Its connection to the coordinator closed without a goodbye: its process died (the system closes a dead
        /// process's connections at once) or something cut the connection.
        case disconnected
    }

    /// Records that `worker` is gone (``Departure``): the attempts it runs are lost now rather than when their
    /// lease would expire, so their tasks run again elsewhere at once. They count toward `maxAttempts` like any
    /// lost attempt, so workers stopped or killed again and again cannot retry a task forever. An attempt the
    /// coordinator is committing is left to finish, and so is the worker's lease while it has one.
    /// - Returns: the attempts lost.
    @discardableResult
    package mutating func leave(_ worker: WorkerID, _ departure: Departure = .stopped) -> [Attempt] {
        let held = running.values.filter { $0.worker == worker }.sorted { $0.id < $1.id }
        let handedBack = held.filter { !$0.reporting }
        let reason =
            switch departure {
            case .stopped: "\(worker) was stopped (SIGTERM or SIGINT) and gave it back"
            case .disconnected: "the connection of \(worker) to the coordinator closed without a goodbye: the worker died or was cut off"
            }
        for attempt in handedBack { lose(attempt, because: reason) }
        if handedBack.count == held.count { workers.removeValue(forKey: worker) }
        return handedBack
    }

    /// Puts `task` back in the queue unless it is committed or another attempt runs it.
    private mutating func requeue(_ task: TaskID) {
        guard !running.values.contains(where: { $0.task == task }), state(of: task) == .running else { return }
        set(task, .pending)
    }

    /// Throws what a heartbeat from `worker` about `attempt` would be refused with (an unregistered worker, an
    /// attempt never handed out, or another worker's), changing nothing: the coordinator checks a report with it
    /// before journaling anything.
    package func checkReport(from worker: WorkerID, about attempt: AttemptID?) throws(SchedulerError) {
        guard workers[worker] != nil else { throw unknownWorker(worker) }
        if let attempt { try checkIssued(attempt, to: worker) }
    }

    private func checkIssued(_ attempt: AttemptID, to worker: WorkerID) throws(SchedulerError) {
        guard attempt.rawValue >= configuration.firstAttempt, attempt.rawValue < nextAttempt else {
            throw SchedulerError(code: .unknownAttempt, message: "\(attempt) was never handed out (by this coordinator)")
        }
        if let record = running[attempt], record.worker != worker {
            throw SchedulerError(code: .notYourAttempt, message: "\(attempt) belongs to \(record.worker), not \(worker)")
        }
    }

    private func unknownWorker(_ worker: WorkerID) -> SchedulerError {
        SchedulerError(code: .unknownWorker, message: "\(worker) is not registered (it never asked for a task, or its lease expired)")
    }

    /// Checks the state's internal consistency; for tests. Returns the first violation found.
    package func invariantViolation() -> String? {
        for (id, attempt) in running {
            switch attempt.task {
            case .map(let map): if mapStates[map.rawValue] != .running { return "\(id) runs \(map), which is \(mapStates[map.rawValue])" }
            case .reduce(let reduce):
                if reduceStates[reduce.rawValue] != .running { return "\(id) runs \(reduce), which is \(reduceStates[reduce.rawValue])" }
            }
        }
        for (index, state) in mapStates.enumerated() where state == .failed && fatalTask != .map(MapTaskID(index)) {
            return "map \(index) failed but is not the job's fatal task"
        }
        func isCommitted(_ state: TaskState) -> Bool { if case .committed = state { true } else { false } }
        let committed = (mapStates.count(where: isCommitted), reduceStates.count(where: isCommitted))
        if committed != committedCount { return "\(committed) tasks are committed, but the counts say \(committedCount)" }
        let pending = (mapStates.count(where: { $0 == .pending }), reduceStates.count(where: { $0 == .pending }))
        if pendingMaps.count != pending.0 || pendingReduces.count != pending.1 {
            return "\(pendingMaps.count) maps and \(pendingReduces.count) reduces are queued, not every pending task and only them"
        }
        for (index, state) in mapStates.enumerated() {
            let queued = pendingMaps.contains(index)
            let runs = running.values.contains { $0.task == .map(MapTaskID(index)) }
            if (state == .pending) != queued { return "map \(index) is \(state) but queued is \(queued)" }
            if (state == .running) != runs { return "map \(index) is \(state) but running is \(runs)" }
        }
        for (index, state) in reduceStates.enumerated() {
            let queued = pendingReduces.contains(index)
            let runs = running.values.contains { $0.task == .reduce(ReduceTaskID(index)) }
            if (state == .pending) != queued { return "reduce \(index) is \(state) but queued is \(queued)" }
            if (state == .running) != runs { return "reduce \(index) is \(state) but running is \(runs)" }
        }
        return nil
    }
}
