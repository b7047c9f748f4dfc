import Foundation
import MapReduce

@testable import MapReduceRuntime

/// A deterministic simulation of a distributed job: the real ``CoordinatorCore`` (and its journal replay), driven by
/// simulated workers over a simulated network, with a simulated shared directory and journal, in virtual time.
///
/// One seed fixes everything: every message's delay, loss and duplication, every crash, hang, pause and damaged
/// file, every task's duration. The simulation plays the coordinator's shell as ``Coordinator`` does (it confirms
/// completions after a delay, journals, reads files a reduce could not read, publishes, finishes steps) and a
/// model of the workers (a map writes one output file; a reduce reads the committed map outputs it was given and
/// reports the first it cannot read). After every event it checks the invariants; at the end, liveness (the job
/// ended within a bound after faults stopped) and safety (every published output read only committed map
/// outputs, the counters are exact), or a failure that names its cause. A violation throws
/// ``Violation``, which names the seed that replays it.
final class CoordinatorSimulation {
    /// An invariant that did not hold.
    struct Violation: Error, CustomStringConvertible {
        let seed: UInt64
        let time: Duration
        let message: String
        let trace: [String]

        var description: String {
            "seed \(seed), at \(time) of virtual time: \(message)\n"
                + "replay it: MR_SIMULATION_SEED=\(seed) swift test --filter CoordinatorSimulationTests/replaysTheSeedGiven\n"
                + "last events:\n" + trace.suffix(40).joined(separator: "\n")
        }
    }

    /// What a run did.
    struct Report {
        var outcome: Coordinator.Outcome
        var time: Duration
        var events = 0
        var coordinatorStarts = 1
        var workerCrashes = 0
        var lostMessages = 0
        var mapOutputsLost = 0
        /// Attempts that failed on the worker that sees another shared directory.
        var failuresOfTheMisconfiguredWorker = 0
    }

    private enum Request {
        case register
        /// A task request, with the worker's number for it (the same when it is sent again).
        case task(Int)
        case heartbeat(HeartbeatRequest)
        case complete(CompletionRequest)
        case fail(FailureRequest)
        case leave
    }

    private enum Answer {
        case registered(Registration)
        case task(TaskAssignment)
        case heartbeat(HeartbeatResponse)
        case completion(CompletionResponse)
        case done
        case refused(SchedulerError)
        case unauthorized
        case unreachable
    }

    private struct Message {
        var worker: Int
        var generation: Int
        var id: Int
        var request: Request
    }

    /// A completion the shell is confirming (or journaling: its `entry`), and the requests waiting for its answer.
    private struct Commit {
        var request: CompletionRequest
        var attempt: Scheduler.Attempt
        var result: CompletionCheck.Result
        var waiting: [Message]
        var entry: JournalEntry?
        /// Whether it was answered while being journaled (it asked for the next task), as the shell does: a repeated
        /// completion is answered at once.
        var answered = false
    }

    private enum Event {
        case tick
        case arrive(Message)
        case answer(Message, Answer)
        case timeout(worker: Int, generation: Int, id: Int)
        case workDone(worker: Int, generation: Int, attempt: AttemptID)
        case heartbeatDue(worker: Int, generation: Int, attempt: AttemptID)
        case confirmed(incarnation: Int, attempt: AttemptID)
        case damageRead(incarnation: Int, Message, map: MapTaskID, path: String)
        /// The group commit holding the completion of `attempt` is on disk.
        case commitJournaled(incarnation: Int, attempt: AttemptID)
        /// The group commit holding the loss of `map` (reported by `message`, `damage` found) is on disk.
        case lossJournaled(incarnation: Int, Message, map: MapTaskID, damage: String)
        case coordinatorRestart
        case workerStart(Int)
        case damage(path: String)
        /// Worker `worker` of generation `generation` opens its control connection.
        case connect(worker: Int, generation: Int)
        /// The control connection `connection` of `worker`, opened with coordinator `incarnation`, closes.
        case disconnect(incarnation: Int, worker: WorkerID, connection: Int)
    }

    /// What a file in the shared directory holds.
    private enum FileState { case intact, damaged }

    private struct Worker {
        var generation = 0
        var identity: Registration?
        var down = true
        var wrongSharedDirectory = false
        /// The attempt it runs, its task and step, and for a reduce the map attempts it was given.
        var running: (attempt: AttemptID, task: TaskID, step: Int, maps: [CommittedMap])?
        /// Heartbeats are not sent until then (a hang).
        var silentUntil: Duration = .zero
        var nextID = 0
        var taskRequests = 0
        /// The request number its last completion asked for its next task with, until that is answered.
        var reservedRequest: Int?
        /// The request it waits on the answer of, and how many times it was sent.
        var awaiting: (id: Int, request: Request, tries: Int)?
        /// Its control connection: the coordinator incarnation that numbered it, and the number.
        var connection: (incarnation: Int, number: Int)?
    }

    let seed: UInt64
    private var random: SeededRandom
    private let faults: SimulationFaults
    private let job: AnyJob
    private let settings: CoordinatorCore.Settings
    private let mapTasksPerStep: Int
    private let reducers: Int
    private let jobDirectory = "/sim/shared/jobs/job"
    private let jobOutput = "/sim/out"
    /// When faults stop; the job must end within ``livenessBound`` after.
    private let faultsStop: Duration
    private let livenessBound: Duration
    private let t0 = ContinuousClock.now
    private var now: Duration = .zero
    private var queue: [(at: Duration, order: Int, event: Event)] = []
    private var order = 0
    private var trace: [String] = []

    // The coordinator.
    private var core: CoordinatorCore?
    private var incarnation = 0
    private var pausedUntil: Duration = .zero
    private var plans: [JobPlan] = []
    private var journals: [[JournalEntry]] = []
    private var commits: [AttemptID: Commit] = [:]
    /// Losses being journaled (in a group commit not yet on disk), by the attempt that reported them.
    private var losses: [AttemptID: JournalEntry] = [:]
    // The shared directory, as the coordinator (and every worker with the right mount) sees it.
    private var files: [String: FileState] = [:]
    private var success = false
    // The workers.
    private var workers: [Worker]
    // What the checks know.
    private var committed: [String: AttemptID] = [:]
    private var everCommitted: Set<String> = []
    private var ended: Set<AttemptID> = []
    private var reads: [AttemptID: [CommittedMap]] = [:]
    /// Per step and reduce task: the map attempts its published output read.
    private var published: [Int: [Int: [CommittedMap]]] = [:]
    private var report: Report

    /// A simulation of `job` (of one step or several), each step with `mapTasks` map tasks and `reducers` reduce
    /// tasks, run by `workers` workers.
    init(
        seed: UInt64, job: AnyJob, mapTasks: Int, reducers: Int, workers: Int, faults: SimulationFaults, faultsStop: Duration = .seconds(60),
        maxAttempts: Int = 8
    ) {
        self.seed = seed
        random = SeededRandom(seed: seed)
        self.faults = faults
        self.job = job
        mapTasksPerStep = mapTasks
        self.reducers = reducers
        self.faultsStop = faultsStop
        settings = CoordinatorCore.Settings(
            leaseTimeout: .seconds(3), maxAttempts: maxAttempts, speculation: true, pollTimeout: .zero, maximumRegistrations: 100,
            firstEpoch: Int.random(in: 0..<2048, using: &random))
        // After faults stop: a lease to notice the last loss, each step's tasks again (a few seconds each, on as
        // few as one worker), and finishing retries.
        livenessBound = .seconds(60 + 30 * job.steps.count)
        self.workers = Array(repeating: Worker(), count: workers)
        report = Report(outcome: .failed("not run"), time: .zero)
        if faults.wrongSharedDirectory { self.workers[workers - 1].wrongSharedDirectory = true }
    }

    /// Runs the job to its end, checking every invariant after every event.
    func run() throws -> Report {
        plans = [plan(step: 0)]
        journals = [[]]
        try startCoordinator()
        schedule(.zero, .tick)
        for index in workers.indices { schedule(random.milliseconds(0...500), .workerStart(index)) }
        while let (at, event) = next() {
            now = at
            report.events += 1
            try handle(event)
            try check()
            if let outcome = core?.outcome {
                try checkEnd(outcome)
                report.outcome = outcome
                report.time = now
                return report
            }
            if now > faultsStop + livenessBound {
                let states = workers.enumerated().map {
                    "w\($0.offset): \($0.element.down ? "down" : "up"), \($0.element.awaiting.map { "awaiting \($0.request)" } ?? "awaiting nothing")"
                }
                throw violation(
                    "the job did not end within \(livenessBound) after faults stopped (\(core.map { "\($0.status())" } ?? "coordinator down"); \(states.joined(separator: "; ")))"
                )
            }
        }
        throw violation("nothing left to happen, and the job has not ended")
    }

    // MARK: The event queue

    private func schedule(_ delay: Duration, _ event: Event) {
        order += 1
        queue.append((now + delay, order, event))
    }

    private func next() -> (Duration, Event)? {
        guard let index = queue.indices.min(by: { (queue[$0].at, queue[$0].order) < (queue[$1].at, queue[$1].order) }) else { return nil }
        let (at, _, event) = queue.remove(at: index)
        return (at, event)
    }

    private var faulty: Bool { now < faultsStop }

    private func chance(_ p: Double) -> Bool { faulty && random.chance(p) }

    private var instant: ContinuousClock.Instant { t0 + now }

    private func note(_ line: @autoclosure () -> String) {
        trace.append("\(now): \(line())")
        if trace.count > 200 { trace.removeFirst(100) }
    }

    private func violation(_ message: String) -> Violation { Violation(seed: seed, time: now, message: message, trace: trace) }

    // MARK: The coordinator's shell

    private func plan(step: Int) -> JobPlan {
        let steps = job.steps.count
        let layout = StepLayout(jobDirectory: jobDirectory, steps: steps)
        let input = InputFile(path: "/sim/in/step-\(step)")
        var plan = JobPlan(
            job: job.name, mapTasks: (0..<mapTasksPerStep).map { [InputSplit(file: input, start: Int64($0) * 100, end: Int64($0) * 100 + 100)] },
            configuration: .init(reducers: reducers), directory: layout.directory(ofStep: step), output: layout.output(ofStep: step, jobOutput: jobOutput))
        if steps > 1 {
            plan.step = step
            plan.steps = steps
            plan.jobOutput = jobOutput
        }
        return plan
    }

    /// Starts a coordinator on the latest step with a journal, from that journal.
    private func startCoordinator() throws {
        let step = journals.lastIndex { !$0.isEmpty } ?? 0
        let lines = journals[step].enumerated().map { (line: $0.offset + 1, entry: $0.element) }
        let prepared = try CoordinatorCore.prepare(plans[step], job: job, journal: lines, journalPath: "journal", settings: settings)
        journals[step].append(prepared.startEntry)
        var started = CoordinatorCore(job: job, step: prepared, settings: settings, now: instant)
        let effects = started.resume(now: instant)
        core = started
        incarnation += 1
        note("coordinator started on step \(step + 1), \(prepared.restored.maps) maps and \(prepared.restored.reduces) reduces restored")
        // The journal is what holds: a loss the dead coordinator journaled but never acted on un-commits its map.
        for (index, state) in prepared.scheduler.mapStates.enumerated() {
            if case .committed = state { continue }
            guard let lost = committed.removeValue(forKey: "\(step)/map/\(index)") else { continue }
            report.mapOutputsLost += 1
            note("\(step)/map/\(index) output lost (\(lost)'s loss found in the journal)")
        }
        try carryOut(effects)
    }

    private func crashCoordinator(_ why: String) {
        note("coordinator dies (\(why))")
        // Entries of a group commit under way may or may not have reached the disk: those that did are in the
        // journal the next coordinator reads, though this one never acted on them.
        for entry in commits.values.compactMap(\.entry) + losses.values where random.chance(0.5) {
            journals[core!.plan.stepIndex].append(entry)
            note("a journal entry on disk that the dead coordinator never acted on: \(entry.event.rawValue) \(entry.task ?? -1)")
        }
        core = nil
        commits = [:]
        losses = [:]
        report.coordinatorStarts += 1
        schedule(random.milliseconds(100...3000), .coordinatorRestart)
    }

    /// Appends `entry` to the running step's journal, unless the coordinator dies during it (a torn line: the entry
    /// never took effect): then `false`.
    private func append(_ entry: JournalEntry) -> Bool {
        if chance(faults.tornAppend) {
            crashCoordinator("during a journal append")
            return false
        }
        journals[core!.plan.stepIndex].append(entry)
        return true
    }

    private func carryOut(_ effects: CoordinatorEffects) throws {
        var effects = effects
        while true {
            for emitted in effects.events { try observe(emitted) }
            guard let finishing = effects.finishing, core != nil else { return }
            effects = try finish(finishing)
        }
    }

    private func finish(_ work: CoordinatorEffects.Finishing) throws -> CoordinatorEffects {
        if chance(faults.finishingFailure) {
            return core!.finishingFailed(JobError(.badConfiguration, "a simulated failure to finish"), now: instant)
        }
        switch work {
        case .publish(let summary, _, _, _):
            let step = core!.plan.stepIndex
            for reduce in 0..<reducers where published[step]?[reduce] == nil {
                throw violation("step \(step + 1) finishes, but reduce \(reduce)'s output was never published")
            }
            if core!.plan.isLastStep { success = true }
            note("step \(step + 1) published")
            if chance(faults.coordinatorCrash * 10) {
                crashCoordinator("after publishing a step's output")
                return CoordinatorEffects()
            }
            return core!.published(summary, now: instant)
        case .planNextStep:
            let next = core!.plan.stepIndex + 1
            if plans.count == next {
                plans.append(plan(step: next))
                journals.append([])
            }
            let prepared = try CoordinatorCore.prepare(
                plans[next], job: job, journal: journals[next].enumerated().map { ($0.offset + 1, $0.element) }, journalPath: "journal", settings: settings)
            journals[next].append(prepared.startEntry)
            return core!.enter(prepared, now: instant)
        }
    }

    /// Checks what the core recorded as it happens.
    private func observe(_ emitted: CoordinatorEffects.Emitted) throws {
        let event = emitted.event
        let step = (event.step ?? 1) - 1
        let key = "\(step)/\(event.phase ?? "")/\(event.task ?? -1)"
        switch event.kind {
        case .taskCommitted:
            guard let attempt = event.attempt.map(AttemptID.init) else { throw violation("a commit without an attempt: \(key)") }
            if emitted.isRestoredCommit {
                everCommitted.insert("\(key)@\(attempt.rawValue)")
                committed[key] = attempt
                return
            }
            if let earlier = committed[key] { throw violation("\(key) committed twice: by \(earlier) and by \(attempt)") }
            if ended.contains(attempt) { throw violation("\(attempt) committed \(key) after it was declared failed or lost") }
            committed[key] = attempt
            everCommitted.insert("\(key)@\(attempt.rawValue)")
            note("\(key) committed by \(attempt)")
            if event.phase == "reduce" {
                for read in reads[attempt] ?? [] where !everCommitted.contains("\(step)/map/\(read.task.rawValue)@\(read.attempt.rawValue)") {
                    throw violation("\(attempt) committed \(key) having read \(read.attempt) of \(read.task), which never committed")
                }
            } else if chance(faults.outputDamage) {
                schedule(random.milliseconds(0...5000), .damage(path: plans[step].mapOutputFile(MapTaskID(event.task ?? 0), attempt)))
            }
        case .mapOutputLost:
            committed.removeValue(forKey: key)
            report.mapOutputsLost += 1
            note("\(key) output lost")
        case .attemptFailed, .attemptLost:
            if event.kind == .attemptFailed, faults.wrongSharedDirectory, event.worker?.hasPrefix("w\(workers.count - 1)#") == true {
                report.failuresOfTheMisconfiguredWorker += 1
            }
            if let attempt = event.attempt.map(AttemptID.init) {
                ended.insert(attempt)
                note("\(attempt) \(event.kind == .attemptLost ? "lost" : "failed"): \(event.message ?? "")")
            }
        case .stepStarted:
            note("step \(step + 1) started")
        default:
            break
        }
    }

    private func handle(_ event: Event) throws {
        switch event {
        case .tick:
            schedule(.milliseconds(250), .tick)
            guard core != nil, now >= pausedUntil else { return }
            if chance(faults.coordinatorPause) {
                pausedUntil = now + random.milliseconds(3000...9000)
                note("coordinator paused until \(pausedUntil)")
                return
            }
            try carryOut(core!.tick(now: instant))
        case .coordinatorRestart:
            guard core == nil else { return }
            try startCoordinator()
        case .arrive(let message):
            guard core != nil else {
                deliver(message, .unreachable)
                return
            }
            if now < pausedUntil {
                // A stopped process answers nothing until it runs again.
                queue.append((pausedUntil, order + 1, .arrive(message)))
                order += 1
                return
            }
            try serve(message)
            if core != nil, chance(faults.coordinatorCrash) { crashCoordinator("after a request") }
        case .confirmed(let incarnation, let attempt):
            guard incarnation == self.incarnation, core != nil, let commit = commits[attempt], commit.entry == nil else { return }
            try confirm(commit)
        case .commitJournaled(let incarnation, let attempt):
            guard incarnation == self.incarnation, core != nil, let commit = commits.removeValue(forKey: attempt), let entry = commit.entry else { return }
            guard append(entry) else { return }
            let (response, effects) = core!.completionJournaled(commit.request, commit.attempt, commit.result, error: nil, now: instant)
            try carryOut(effects)
            for waiting in commit.waiting { try answerCompletion(waiting, response) }
        case .lossJournaled(let incarnation, let message, let map, let damage):
            guard incarnation == self.incarnation, core != nil, case .fail(let request) = message.request,
                let entry = losses.removeValue(forKey: request.attempt)
            else { return }
            guard append(entry) else { return }
            do {
                try carryOut(try core!.lossJournaled(request, map: map, damage: damage, error: nil, now: instant))
            } catch let error as SchedulerError {
                deliver(message, .refused(error))
                return
            }
            deliver(message, .done)
        case .damageRead(let incarnation, let message, let map, let path):
            guard incarnation == self.incarnation, core != nil, case .fail(let request) = message.request else { return }
            let damage: String? =
                switch files[path] {
                case .intact: nil
                case .damaged: "'\(path)' is damaged"
                case nil: "'\(path)' is missing"
                }
            switch core!.damageChecked(request, map: map, damage: damage, now: instant) {
            case .done(let effects):
                try carryOut(effects)
            case .journal(let entry):
                losses[request.attempt] = entry
                schedule(journalLatency(), .lossJournaled(incarnation: incarnation, message, map: map, damage: damage ?? ""))
                return
            }
            deliver(message, .done)
        case .damage(let path):
            guard files[path] != nil else { return }
            if random.chance(0.5) { files[path] = .damaged } else { files.removeValue(forKey: path) }
            note("\(path) \(files[path] == nil ? "removed" : "damaged")")
        case .answer(let message, let answer):
            try workerHears(message, answer)
        case .timeout(let index, let generation, let id):
            guard workers[index].generation == generation, let awaiting = workers[index].awaiting, awaiting.id == id else { return }
            report.lostMessages += 1
            if awaiting.tries >= 6 {
                // Given up on: a worker's own request timeout, then it starts over.
                workers[index].running = nil
                askForWork(index)
            } else {
                send(index, awaiting.request, tries: awaiting.tries + 1)
            }
        case .workerStart(let index):
            guard workers[index].down, core?.outcome == nil else { return }
            workers[index].down = false
            workers[index].generation += 1
            workers[index].identity = nil
            workers[index].running = nil
            send(index, .register)
        case .connect(let index, let generation):
            guard workers[index].generation == generation, !workers[index].down, let identity = workers[index].identity else { return }
            guard core != nil, core!.worker(forCredential: Substring(identity.credential)) == identity.worker else {
                // Refused, or nobody listens: the worker tries again (it registers again when its requests are refused).
                schedule(.milliseconds(500), .connect(worker: index, generation: generation))
                return
            }
            if now < pausedUntil {
                schedule(pausedUntil - now, .connect(worker: index, generation: generation))
                return
            }
            workers[index].connection = (incarnation, core!.connected(identity.worker))
        case .disconnect(let incarnation, let worker, let connection):
            guard incarnation == self.incarnation, core != nil else { return }
            if now < pausedUntil {
                schedule(pausedUntil - now, .disconnect(incarnation: incarnation, worker: worker, connection: connection))
                return
            }
            note("\(worker)'s connection \(connection) closed")
            try carryOut(core!.disconnected(worker, connection: connection, now: instant))
        case .workDone(let index, let generation, let attempt):
            guard workers[index].generation == generation, let running = workers[index].running, running.attempt == attempt else { return }
            workDone(index, running)
        case .heartbeatDue(let index, let generation, let attempt):
            guard workers[index].generation == generation, let running = workers[index].running, running.attempt == attempt,
                let identity = workers[index].identity
            else { return }
            if now >= workers[index].silentUntil {
                transmit(
                    Message(worker: index, generation: generation, id: -1, request: .heartbeat(HeartbeatRequest(worker: identity.worker, attempt: attempt))))
            }
            schedule(.seconds(1), .heartbeatDue(worker: index, generation: generation, attempt: attempt))
        }
    }

    /// Answers `message` as the coordinator's routes and shell do.
    private func serve(_ message: Message) throws {
        let worker = workers[message.worker]
        if case .register = message.request {
            let registered: (Registration, CoordinatorEffects)
            do {
                registered = try core!.register(name: "w\(message.worker)")
            } catch {
                deliver(message, .refused(error))
                return
            }
            try carryOut(registered.1)
            deliver(message, .registered(registered.0))
            return
        }
        guard let identity = worker.identity, core!.worker(forCredential: Substring(identity.credential)) == identity.worker else {
            deliver(message, .unauthorized)
            return
        }
        do {
            switch message.request {
            case .register:
                break
            case .task(let number):
                let (assignment, effects) = core!.assign(to: identity.worker, request: number, now: instant)
                try carryOut(effects)
                deliver(message, .task(assignment.answer))
            case .heartbeat(let request):
                deliver(message, .heartbeat(try core!.heartbeat(request, now: instant)))
            case .leave:
                try carryOut(core!.leave(LeaveRequest(worker: identity.worker), now: instant))
                deliver(message, .done)
            case .complete(let request):
                if let commit = commits[request.attempt] {
                    try core!.scheduler.checkReport(from: request.worker, about: request.attempt)
                    if commit.answered { return try answerCompletion(message, CompletionResponse(accepted: true)) }
                    commits[request.attempt]!.waiting.append(message)
                    return
                }
                let (start, effects) = try core!.beginCompletion(request, now: instant)
                try carryOut(effects)
                switch start {
                case .answered(let response):
                    try answerCompletion(message, response)
                case .confirm(let attempt, let result):
                    commits[request.attempt] = Commit(request: request, attempt: attempt, result: result, waiting: [message])
                    let stall = chance(faults.stalledFilesystem) ? random.milliseconds(0...6000) : .zero
                    schedule(random.milliseconds(1...100) + stall, .confirmed(incarnation: incarnation, attempt: request.attempt))
                }
            case .fail(let request):
                switch try core!.beginFailure(request, now: instant) {
                case .done(let effects):
                    try carryOut(effects)
                    deliver(message, .done)
                case .checkDamage(let map, let file, _):
                    schedule(random.milliseconds(1...100), .damageRead(incarnation: incarnation, message, map: map, path: file.path))
                }
            }
        } catch let error as SchedulerError {
            deliver(message, .refused(error))
        }
    }

    /// The shell's confirmation of a completion: the files exist (a map), the output is published (a reduce).
    private func confirm(_ commit: Commit) throws {
        let request = commit.request
        var problem: (any Error)?
        switch commit.result {
        case .map(_, let output):
            if files[output.file.path] == nil { problem = JobError(.badConfiguration, "'\(output.file.path)' is missing") }
        case .reduce(let id, let attempt, _):
            let plan = core!.plan
            if files[plan.reduceOutputFile(id, attempt)] == nil {
                problem = JobError(.badConfiguration, "'\(plan.reduceOutputFile(id, attempt))' is missing")
            } else {
                published[plan.stepIndex, default: [:]][id.rawValue] = reads[attempt] ?? []
            }
        }
        switch core!.completionConfirmed(request, commit.attempt, commit.result, problem: problem, now: instant) {
        case .abandoned:
            commits.removeValue(forKey: request.attempt)
            for waiting in commit.waiting { try answerCompletion(waiting, CompletionResponse(accepted: false)) }
        case .failed(let effects):
            commits.removeValue(forKey: request.attempt)
            try carryOut(effects)
            for waiting in commit.waiting { try answerCompletion(waiting, CompletionResponse(accepted: false)) }
        case .journal(let entry):
            // Its group commit reaches the disk later; other requests are served meanwhile, as the shell does. A
            // completion that asked for the next task is answered now, and its worker goes on meanwhile.
            commits[request.attempt]?.entry = entry
            if request.next != nil {
                commits[request.attempt]?.answered = true
                commits[request.attempt]?.waiting = []
                for waiting in commit.waiting { try answerCompletion(waiting, CompletionResponse(accepted: true)) }
            }
            schedule(journalLatency(), .commitJournaled(incarnation: incarnation, attempt: request.attempt))
        }
    }

    /// How long a journal append waits for its group commit's fsync: usually moments, sometimes a stalled disk.
    private func journalLatency() -> Duration {
        random.milliseconds(0...20) + (chance(faults.stalledFilesystem) ? random.milliseconds(0...6000) : .zero)
    }

    // MARK: The network

    /// Sends `message` to the coordinator: lost, delayed, or delivered twice.
    private func transmit(_ message: Message) {
        if chance(faults.messageLoss) {
            report.lostMessages += 1
            return
        }
        schedule(random.milliseconds(0...faults.maximumDelay), .arrive(message))
        if chance(faults.duplication) { schedule(random.milliseconds(0...faults.maximumDelay), .arrive(message)) }
    }

    /// Answers a completion `message` with `response`, and the worker's next task if it asked for one and one can be
    /// given at once, as the shell does.
    private func answerCompletion(_ message: Message, _ response: CompletionResponse) throws {
        // A coordinator that died while carrying out the effects of an earlier answer sends no more.
        guard core != nil else { return }
        var response = response
        if case .complete(let request) = message.request {
            let (next, effects) = core!.assignWithAnswer(to: request, now: instant)
            try carryOut(effects)
            response.next = next
        }
        deliver(message, .completion(response))
    }

    /// Sends the coordinator's `answer` to `message` back: lost, or delayed.
    private func deliver(_ message: Message, _ answer: Answer) {
        guard message.id >= 0 || { if case .heartbeat = answer { true } else { false } }() else { return }
        if chance(faults.messageLoss) { return }
        schedule(random.milliseconds(0...faults.maximumDelay), .answer(message, answer))
    }

    // MARK: The workers

    private func send(_ index: Int, _ request: Request, tries: Int = 1, after delay: Duration = .zero) {
        workers[index].nextID += 1
        let id = workers[index].nextID
        workers[index].awaiting = (id, request, tries)
        let message = Message(worker: index, generation: workers[index].generation, id: id, request: request)
        if delay == .zero { transmit(message) } else { schedule(delay, .arrive(message)) }
        // A request unanswered in five seconds is sent again (lost on the way there or back).
        schedule(.seconds(5) + delay, .timeout(worker: index, generation: workers[index].generation, id: id))
    }

    /// Worker `index` asks for work: with the number its last completion reserved, if unanswered, or a new one.
    private func askForWork(_ index: Int, after delay: Duration = .zero) {
        if let reserved = workers[index].reservedRequest {
            workers[index].reservedRequest = nil
            send(index, .task(reserved), after: delay)
            return
        }
        workers[index].taskRequests += 1
        send(index, .task(workers[index].taskRequests), after: delay)
    }

    /// A request number for worker `index`'s next task, carried by a completion half the time.
    private func nextRequest(_ index: Int) -> Int? {
        guard chance(0.5) else { return nil }
        workers[index].taskRequests += 1
        workers[index].reservedRequest = workers[index].taskRequests
        return workers[index].taskRequests
    }

    private func workerHears(_ message: Message, _ answer: Answer) throws {
        let index = message.worker
        var worker = workers[index]
        guard worker.generation == message.generation, !worker.down else { return }
        if case .heartbeat(let response) = answer {
            if case .heartbeat(let request) = message.request, !response.current, worker.running?.attempt == request.attempt {
                // The attempt is no longer wanted: drop it and ask again.
                workers[index].running = nil
                askForWork(index)
            }
            return
        }
        guard let awaiting = worker.awaiting, awaiting.id == message.id else { return }
        worker.awaiting = nil
        workers[index] = worker
        switch answer {
        case .unreachable:
            send(index, awaiting.request, tries: awaiting.tries, after: .milliseconds(500))
        case .unauthorized:
            // The coordinator restarted or forgot it: register again, giving up what it ran.
            workers[index].identity = nil
            workers[index].running = nil
            send(index, .register)
        case .registered(let registration):
            workers[index].identity = registration
            workers[index].connection = nil
            workers[index].reservedRequest = nil
            schedule(random.milliseconds(0...faults.maximumDelay), .connect(worker: index, generation: workers[index].generation))
            askForWork(index)
        case .refused(let error):
            if case .register = awaiting.request {
                send(index, .register, after: .seconds(1))
                return
            }
            note("w\(index) refused: \(error.message)")
            workers[index].running = nil
            askForWork(index)
        case .completion(let response) where response.next != nil:
            workers[index].running = nil
            workers[index].reservedRequest = nil
            try hear(index, response.next!)
        case .done, .completion:
            workers[index].running = nil
            if chance(faults.workerLeave) {
                send(index, .leave)
                stop(index, restart: true)
                return
            }
            askForWork(index)
        case .task(let assignment):
            try hear(index, assignment)
        case .heartbeat:
            break
        }
    }

    /// Worker `index` acts on `assignment`, the answer to a task request (or carried by a completion's).
    private func hear(_ index: Int, _ assignment: TaskAssignment) throws {
        switch assignment.action {
        case .exit, .excluded:
            note("w\(index) told to \(assignment.action.rawValue)\(assignment.reason.map { ": \($0)" } ?? "")")
            stop(index, restart: false)
        case .wait:
            askForWork(index, after: random.milliseconds(50...500))
        case .run:
            try run(index, assignment)
        }
    }

    private func run(_ index: Int, _ assignment: TaskAssignment) throws {
        guard let attempt = assignment.attempt else { throw violation("an assignment to run carries no attempt") }
        if let map = assignment.map {
            workers[index].running = (attempt, .map(map.task), map.step ?? 0, [])
        } else if let reduce = assignment.reduce {
            workers[index].running = (attempt, .reduce(reduce.task), reduce.step ?? 0, try CommittedMaps.maps(reduce.maps))
        } else {
            throw violation("an assignment to run \(attempt) carries no task")
        }
        var duration = random.milliseconds(20...1500)
        if chance(faults.slowTask) { duration = duration * Int.random(in: 5...20, using: &random) }
        if chance(faults.workerHang) {
            let hang = random.milliseconds(3000...9000)
            workers[index].silentUntil = now + hang
            duration += hang
        }
        let generation = workers[index].generation
        if chance(faults.workerCrash) {
            report.workerCrashes += 1
            let silently = chance(faults.unseenCrash)
            note("w\(index) will die running \(attempt)\(silently ? ", its connection's closing unseen" : "")")
            stop(index, restart: true, closingConnection: !silently)
            return
        }
        if chance(faults.connectionDrop), let connection = workers[index].connection {
            // Cut for a moment: the coordinator loses the worker, which carries on and registers again when refused.
            workers[index].connection = nil
            note("w\(index)'s connection is cut")
            if let identity = workers[index].identity {
                schedule(
                    random.milliseconds(0...faults.maximumDelay),
                    .disconnect(incarnation: connection.incarnation, worker: identity.worker, connection: connection.number))
                schedule(.milliseconds(200), .connect(worker: index, generation: generation))
            }
        }
        schedule(duration, .workDone(worker: index, generation: generation, attempt: attempt))
        schedule(.seconds(1), .heartbeatDue(worker: index, generation: generation, attempt: attempt))
    }

    /// Stops worker `index` (a crash or a clean stop); a new worker takes its place later if `restart`. Its system
    /// closes its control connection, unless `closingConnection` is false (its host died or was cut off).
    private func stop(_ index: Int, restart: Bool, closingConnection: Bool = true) {
        if closingConnection, let connection = workers[index].connection, let identity = workers[index].identity {
            schedule(
                random.milliseconds(0...faults.maximumDelay),
                .disconnect(incarnation: connection.incarnation, worker: identity.worker, connection: connection.number))
        }
        workers[index].connection = nil
        workers[index].down = true
        workers[index].generation += 1
        workers[index].running = nil
        workers[index].awaiting = nil
        if restart { schedule(random.milliseconds(500...3000), .workerStart(index)) }
    }

    private func workDone(_ index: Int, _ running: (attempt: AttemptID, task: TaskID, step: Int, maps: [CommittedMap])) {
        guard let identity = workers[index].identity else { return }
        let plan = plans[running.step]
        let sees = !workers[index].wrongSharedDirectory
        switch running.task {
        case .map(let map):
            let path = plan.mapOutputFile(map, running.attempt)
            if sees { files[path] = .intact }
            let output = MapTaskOutput(
                file: Self.summary(path: path, checksum: map.rawValue, holdingRecordsIn: partitionsWithRecords(of: map)), inputBytes: 100, inputRecords: 10,
                emittedRecords: 10, spills: 0, counters: ["maps": Int64(map.rawValue) + 1])
            send(index, .complete(CompletionRequest(worker: identity.worker, attempt: running.attempt, map: output, next: nextRequest(index))))
        case .reduce(let reduce):
            for map in running.maps {
                let path = plan.mapOutputFile(map.task, map.attempt)
                guard sees, files[path] == .intact else {
                    send(
                        index,
                        .fail(FailureRequest(worker: identity.worker, attempt: running.attempt, error: "cannot read '\(path)'", lostInput: path)))
                    return
                }
            }
            reads[running.attempt] = running.maps
            let path = plan.reduceOutputFile(reduce, running.attempt)
            if sees { files[path] = .intact }
            let output = ReduceTaskOutput(path: path, records: 1, inputRecords: 10, bytes: 10, counters: ["reduces": 1])
            send(index, .complete(CompletionRequest(worker: identity.worker, attempt: running.attempt, reduce: output, next: nextRequest(index))))
        }
    }

    /// The partitions map task `map`'s output holds records in: all but every third, so that reduces skip some
    /// maps (and with one reducer, every third map holds nothing).
    private func partitionsWithRecords(of map: MapTaskID) -> PartitionSet {
        var partitions = PartitionSet(partitions: reducers)
        for partition in 0..<reducers where (map.rawValue + partition) % 3 != 0 { partitions.insert(partition) }
        return partitions
    }

    /// The summary of a map output file at `path`, holding one record in each of `partitions`, as a worker
    /// reports it.
    private static func summary(path: String, checksum: Int, holdingRecordsIn partitions: PartitionSet) -> IntermediateFileSummary {
        var summary = try! JSONDecoder().decode(
            IntermediateFileSummary.self,
            from: Data(#"{"path":"\#(path)","bytes":100,"records":\#(partitions.count),"checksum":\#(checksum)}"#.utf8))
        summary.partitionsWithRecords = partitions
        return summary
    }

    // MARK: Invariants

    /// What must hold after every event.
    private func check() throws {
        guard let core else { return }
        if let problem = core.scheduler.invariantViolation() { throw violation("the scheduler: \(problem)") }
        // Journal replay reproduces the in-memory state: a coordinator started now would resume exactly here.
        let step = core.plan.stepIndex
        let lines = journals[step].enumerated().map { (line: $0.offset + 1, entry: $0.element) }
        let replayed = try CoordinatorCore.prepare(core.plan, job: job, journal: lines, journalPath: "journal", settings: settings)
        func committedAttempts(_ states: [Scheduler.TaskState]) -> [AttemptID?] {
            states.map { if case .committed(let attempt) = $0 { attempt } else { nil } }
        }
        if committedAttempts(replayed.scheduler.mapStates) != committedAttempts(core.scheduler.mapStates)
            || committedAttempts(replayed.scheduler.reduceStates) != committedAttempts(core.scheduler.reduceStates)
        {
            throw violation("replaying the journal gives other commits than the coordinator holds")
        }
        if replayed.accounting.maps != core.accounting.maps || replayed.accounting.reduces != core.accounting.reduces {
            throw violation("replaying the journal gives other outputs than the coordinator holds")
        }
    }

    /// What must hold when the job ends.
    private func checkEnd(_ outcome: Coordinator.Outcome) throws {
        switch outcome {
        case .failed(let report):
            guard !report.isEmpty else { throw violation("the job failed without saying why") }
            note("job failed: \(report.prefix(200))")
        case .succeeded:
            guard success else { throw violation("the job succeeded before its output was published") }
            for step in 0..<job.steps.count {
                for reduce in 0..<reducers {
                    guard let maps = published[step]?[reduce] else { throw violation("step \(step + 1)'s reduce \(reduce) has no published output") }
                    let holding = (0..<mapTasksPerStep).filter { partitionsWithRecords(of: MapTaskID($0)).contains(reduce) }
                    guard maps.map(\.task.rawValue) == holding else {
                        throw violation("step \(step + 1)'s reduce \(reduce) read maps \(maps.map(\.task.rawValue)), not those with records for it, \(holding)")
                    }
                    for map in maps where !everCommitted.contains("\(step)/map/\(map.task.rawValue)@\(map.attempt.rawValue)") {
                        throw violation("step \(step + 1)'s reduce \(reduce) published output read \(map.attempt) of \(map.task), which never committed")
                    }
                }
            }
            let expected: [String: Int64] = ["maps": Int64(mapTasksPerStep * (mapTasksPerStep + 1) / 2), "reduces": Int64(reducers)]
            guard core!.accounting.counters == expected else {
                throw violation("the last step's counters are \(core!.accounting.counters), not \(expected)")
            }
        }
    }
}
