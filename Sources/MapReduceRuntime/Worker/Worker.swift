import AsyncHTTPClient
import Foundation
import Synchronization
public import Logging
public import MapReduce

/// A worker process's loop: register, ask the coordinator for a task (long poll), run it on a thread of its own
/// while heartbeating, report it, repeat; return when the coordinator says the job is over.
///
/// A worker holds no state between tasks. If the coordinator cannot be reached, it keeps retrying with backoff
/// for the grace period (long enough for a coordinator restart), then gives up; a restarted coordinator no longer
/// knows its credential, so it registers again. It confines itself to its shared directory: an assignment that
/// would make it write, delete or read intermediate data anywhere else is refused, whoever sent it.
public struct Worker: Sendable {
    /// What this worker calls itself; the coordinator issues its identity when it registers.
    public let name: String
    /// The jobs this build can run.
    public let catalog: JobCatalog
    /// The coordinator (with the shared secret, if any, for registering).
    public let client: CoordinatorClient
    /// The shared directory, absolute and canonical: everything the worker writes is inside it.
    public let sharedDirectory: String
    /// How long the coordinator may be unreachable before the worker gives up. Default 30 s.
    public var gracePeriod: Duration
    let logger: Logger
    /// The registration in use, for ``leave(timeout:)`` to name.
    private let currentSession = CurrentSession()

    /// The coordinator stayed unreachable for the whole grace period.
    public struct Unreachable: MapReduceError {
        /// The coordinator's URL.
        public let url: String
        /// The grace period.
        public let grace: Duration
        /// The last error met trying to reach it.
        public let cause: (any Error)?
        /// Always ``MapReduce/ErrorCode/unreachable``.
        public var code: ErrorCode { .unreachable }
        public var message: String { "coordinator \(url) unreachable for \(grace): \(cause.map(CoordinatorClient.describe) ?? "no answer")" }
    }

    /// The coordinator gives this worker no more work.
    public struct Excluded: MapReduceError {
        /// The coordinator's URL.
        public let url: String
        /// Why, as the coordinator said.
        public let reason: String
        /// Always ``MapReduce/ErrorCode/refused``.
        public var code: ErrorCode { .refused }
        /// None.
        public var cause: (any Error)? { nil }
        public var message: String { "coordinator \(url) excluded this worker: \(reason)" }
    }

    /// An assignment that would make the worker act outside its shared directory.
    public struct OutsideSharedDirectory: MapReduceError {
        /// The path.
        public let path: String
        /// The shared directory.
        public let sharedDirectory: String
        /// Always ``MapReduce/ErrorCode/outsideSharedDirectory``.
        public var code: ErrorCode { .outsideSharedDirectory }
        /// None.
        public var cause: (any Error)? { nil }
        public var message: String {
            "refused an assignment naming '\(path)', which is not inside this worker's shared directory '\(sharedDirectory)'; is --coordinator the real coordinator, and --shared-dir the same directory it uses?"
        }
    }

    /// The shared directory cannot be used here any more (a network mount that went away): the worker stops
    /// instead of failing every task it would take.
    public struct SharedDirectoryUnusable: MapReduceError {
        /// The shared directory.
        public let sharedDirectory: String
        /// Why: the system's error.
        public let reason: String
        /// Always ``MapReduce/ErrorCode/io``.
        public var code: ErrorCode { .io }
        /// None.
        public var cause: (any Error)? { nil }
        public var message: String {
            "shared directory '\(sharedDirectory)' is unusable here (\(reason)); taking no more tasks: restore its mount and start the worker again"
        }
    }

    /// Creates a worker.
    /// - Parameter sharedDirectory: the shared directory; made absolute and canonical.
    public init(
        name: String, catalog: JobCatalog, client: CoordinatorClient, sharedDirectory: String, gracePeriod: Duration = .seconds(30), logger: Logger
    ) throws {
        self.name = name
        self.catalog = catalog
        self.client = client
        guard let canonical = CanonicalPath.of(sharedDirectory) else {
            throw InputError(.notFound, path: sharedDirectory, "shared directory '\(sharedDirectory)' does not exist here; mount it at the coordinator's path")
        }
        self.sharedDirectory = canonical
        self.gracePeriod = gracePeriod
        self.logger = logger
    }

    /// A name unique to this process: host, process id and a random suffix.
    public static func defaultName() -> String {
        "\(ProcessInfo.processInfo.hostName)-\(getpid())-\(String(UInt32.random(in: 0...UInt32.max), radix: 36))"
    }

    /// A registered worker: its identity, and a client that carries its credential.
    struct Session: Sendable {
        let id: WorkerID
        let client: CoordinatorClient
    }

    /// The session ``run()`` uses, readable from another task.
    private final class CurrentSession: Sendable {
        let session = Mutex<Session?>(nil)
    }

    /// Registers with the coordinator.
    /// - Throws: ``CoordinatorClient/Refused`` (401: a wrong secret), ``Unreachable`` or ``TurnedAway``.
    private func register() async throws -> Session {
        var backoff = RefusalBackoff(gracePeriod: gracePeriod, url: client.baseURL)
        while true {
            var refusal: CoordinatorClient.Refused?
            let registration = try await reliably(as: nil, refused: { refusal = $0 }) {
                try await client.post("/v1/register", RegistrationRequest(name: name), timeout: .seconds(30), as: Registration.self)
            }
            if let registration {
                logger.info("registered", metadata: ["mr.worker": "\(registration.worker)"])
                let session = Session(id: registration.worker, client: client.sending(registration.credential))
                do {
                    try registration.sharedDirectory?.verify()
                } catch {
                    // It holds no attempt: its place goes back to the next worker at once.
                    _ = try? await session.client.post("/v1/leave", LeaveRequest(worker: session.id), timeout: .seconds(5))
                    throw error
                }
                currentSession.session.withLock { $0 = session }
                return session
            }
            try await backoff.wait(after: refusal)
        }
    }

    /// Runs tasks until the coordinator says the job is over.
    /// - Returns: the number of attempts this worker ran.
    @discardableResult
    public func run() async throws -> Int {
        var attempts = 0
        var session = try await register()
        let connection = Task { await holdConnection() }
        defer { connection.cancel() }
        var backoff = RefusalBackoff(gracePeriod: gracePeriod, url: client.baseURL)
        var requests = 0
        // The next task, when the answer to the last completion carried it.
        var carried: TaskAssignment?
        while true {
            try checkSharedDirectory()
            var refusal: CoordinatorClient.Refused?
            let assignment: TaskAssignment?
            // Retries of one request carry its number: one whose answer was lost gets the same assignment again.
            // A completion asks for the next task with the next number; if its answer did not carry the task, the
            // worker asks with that number here.
            requests += 1
            let request = TaskRequest(worker: session.id, request: requests)
            do {
                if let next = carried {
                    (assignment, carried) = (next, nil)
                } else {
                    assignment = try await reliably(as: session.id, refused: { refusal = $0 }) {
                        try await session.client.post("/v1/task", request, timeout: .seconds(120), as: TaskAssignment.self)
                    }
                }
            } catch let refusal as CoordinatorClient.Refused where refusal.status == 401 {
                // A restarted coordinator does not know this worker's credential.
                session = try await register()
                continue
            }
            guard let assignment else {
                try await backoff.wait(after: refusal)
                continue
            }
            backoff.accepted()
            switch assignment.action {
            case .exit:
                logger.info("job over; exiting", metadata: ["mr.worker": "\(session.id)", "mr.attempts": "\(attempts)"])
                return attempts
            case .wait:
                continue
            case .excluded:
                throw Excluded(url: client.baseURL, reason: assignment.reason ?? "no reason given")
            case .run:
                guard let attempt = assignment.attempt else { continue }
                attempts += 1
                carried = await execute(assignment, attempt: attempt, session: session, nextRequest: requests + 1)
            }
        }
    }

    /// Holds the worker's control connection (`POST /v1/attach`) open while it runs, for the registration in use:
    /// when this process dies, its system closes the connection, and the coordinator gives its attempt to another
    /// worker at once instead of when its lease runs out. A connection that ends is opened again (after a
    /// coordinator restart, once the worker has registered again). A coordinator without the route leaves it to
    /// the lease.
    private func holdConnection() async {
        var delay = Duration.milliseconds(100)
        var refusedID: WorkerID?
        while !Task.isCancelled {
            guard let session = currentSession.session.withLock({ $0 }), session.id != refusedID else {
                // Not registered again yet after a refusal.
                try? await Task.sleep(for: .milliseconds(100))
                continue
            }
            let opened = ContinuousClock.now
            do {
                try await session.client.hold("/v1/attach", AttachRequest(worker: session.id), timeout: .seconds(10))
            } catch let refusal as CoordinatorClient.Refused where refusal.status == 401 {
                refusedID = session.id
            } catch let refusal as CoordinatorClient.Refused where refusal.status == 404 {
                logger.notice("the coordinator holds no worker connections (an older version): a dead worker is noticed when its lease runs out")
                return
            } catch {
                // Unreachable, or the connection broke: open it again.
            }
            if ContinuousClock.now - opened > .seconds(1) { delay = .milliseconds(100) }
            try? await Task.sleep(for: delay)
            delay = min(delay * 2, .seconds(2))
        }
    }

    /// Tells the coordinator that this worker is stopping, so that the attempt it runs goes to another worker now
    /// instead of when its lease expires. One try within `timeout`: if it fails, the lease expires as after a crash.
    public func leave(timeout: Duration = .seconds(2)) async {
        guard let session = currentSession.session.withLock({ $0 }) else { return }
        do {
            try await session.client.post("/v1/leave", LeaveRequest(worker: session.id), timeout: timeout)
        } catch {
            logger.warning("could not tell the coordinator this worker is stopping", metadata: ["mr.worker": "\(session.id)", "mr.error": "\(error)"])
        }
    }

    /// Throws ``SharedDirectoryUnusable`` if the shared directory cannot be looked at (its mount went away:
    /// "Transport endpoint is not connected", a stale NFS handle), before the worker asks for a task it would fail.
    func checkSharedDirectory() throws(SharedDirectoryUnusable) {
        var info = stat()
        guard stat(sharedDirectory, &info) == 0 else {
            throw SharedDirectoryUnusable(sharedDirectory: sharedDirectory, reason: String(cString: strerror(errno)))
        }
        guard info.st_mode & S_IFMT == S_IFDIR else { throw SharedDirectoryUnusable(sharedDirectory: sharedDirectory, reason: "not a directory") }
    }

    /// Runs `attempt` and reports how it ended; a completion asks for the next task with `nextRequest`.
    /// - Returns: the next task, if the answer to the completion carried it.
    private func execute(_ assignment: TaskAssignment, attempt: AttemptID, session: Session, nextRequest: Int) async -> TaskAssignment? {
        let id = session.id
        let client = session.client
        let heartbeatInterval = Duration.milliseconds(assignment.heartbeatMilliseconds ?? 1000)
        var metadata: Logger.Metadata = [
            "mr.worker": "\(id)", "mr.attempt": "\(attempt.rawValue)",
            "mr.job": "\(assignment.map?.job ?? assignment.reduce?.job ?? "")",
            "mr.task": "\(assignment.map.map { "map \($0.task.rawValue)" } ?? assignment.reduce.map { "reduce \($0.task.rawValue)" } ?? "")",
        ]
        if let step = assignment.map?.step ?? assignment.reduce?.step { metadata["mr.step"] = "\(step + 1)" }
        let cancellation = TaskCancellation()
        let progress = TaskProgress()
        let work: BlockingWork<Result<CompletionRequest, any Error>>
        do {
            work = try start(assignment, attempt: attempt, worker: id, cancellation: cancellation, progress: progress)
        } catch {
            await report(.failure(error), attempt: attempt, session: session, metadata: metadata)
            return nil
        }
        logger.info("attempt started", metadata: metadata)
        // Heartbeats keep the attempt's lease while it runs; a failed one is harmless (the next one retries). If the
        // coordinator no longer wants the attempt (another one committed the task, or its lease was revoked), the
        // attempt is cancelled: it stops at its next record or key, and the worker moves on.
        let heartbeat = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: heartbeatInterval)
                if Task.isCancelled { break }
                let current: Bool?
                do {
                    current = try await client.post(
                        "/v1/heartbeat",
                        HeartbeatRequest(worker: id, attempt: attempt, progress: AttemptProgress(records: progress.records, bytes: progress.bytes)),
                        timeout: heartbeatInterval * 2, as: HeartbeatResponse.self
                    ).current
                } catch let refused as CoordinatorClient.Refused where [401, 404, 409].contains(refused.status) {
                    current = false
                } catch {
                    current = nil
                }
                if current == false {
                    cancellation.cancel()
                    work.abandon()
                    break
                }
            }
        }
        let outcome = await work.value()
        heartbeat.cancel()
        guard let outcome else {
            metadata["mr.reason"] = "the coordinator no longer wants it (another attempt committed the task, or its lease was revoked)"
            logger.info("attempt abandoned and cancelled", metadata: metadata)
            return nil
        }
        return await report(outcome, attempt: attempt, session: session, metadata: metadata, nextRequest: nextRequest)
    }

    /// Prepares `assignment` and starts it on a thread of its own.
    private func start(
        _ assignment: TaskAssignment, attempt: AttemptID, worker id: WorkerID, cancellation: TaskCancellation, progress: TaskProgress
    ) throws -> BlockingWork<Result<CompletionRequest, any Error>> {
        let job = try catalog.job(
            named: assignment.map?.job ?? assignment.reduce?.job ?? "", parameters: assignment.map?.parameters ?? assignment.reduce?.parameters ?? [:])
        try confine(assignment)
        let index = assignment.map?.step ?? assignment.reduce?.step ?? 0
        guard job.steps.indices.contains(index) else {
            throw JobError(
                .badConfiguration,
                "job '\(job.name)' has \(job.steps.count) steps here, but the coordinator assigned a task of step \(index + 1): run workers built from the coordinator's code"
            )
        }
        let step = job.steps[index]
        if let map = assignment.map {
            let context = map.context(attempt: attempt, cancellation: cancellation, progress: progress)
            return BlockingWork { Result { CompletionRequest(worker: id, attempt: attempt, map: try step.runMapTask(context)) } }
        } else if let reduce = assignment.reduce {
            let context = try reduce.context(cancellation: cancellation, progress: progress)
            return BlockingWork { Result { CompletionRequest(worker: id, attempt: attempt, reduce: try step.runReduceTask(context)) } }
        }
        throw JobError(.badConfiguration, "\(attempt) names neither a map nor a reduce task")
    }

    /// Throws ``OutsideSharedDirectory`` unless every path `assignment` makes the worker write, delete or read
    /// intermediate data at is inside the shared directory: absolute, without `.` or `..` components.
    func confine(_ assignment: TaskAssignment) throws {
        // A map attempt's files are `<directory>/<task>-attempt-<n>.…`, a reduce's inputs
        // `<directory>/map/<task>-attempt-<n>.mri`: inside `directory` when it is.
        let paths = (assignment.map.map { [$0.directory] } ?? []) + (assignment.reduce.map { [$0.outputPath, $0.scratchDirectory, $0.directory] } ?? [])
        for path in paths {
            let components = path.split(separator: "/", omittingEmptySubsequences: false)
            guard path.hasPrefix(sharedDirectory + "/"), !components.dropFirst().contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) else {
                throw OutsideSharedDirectory(path: path, sharedDirectory: sharedDirectory)
            }
        }
    }

    /// Tells the coordinator how `attempt` ended.
    /// Reports `outcome`, `attempt`'s; a completion asks for the next task with `nextRequest`, if given.
    /// - Returns: the next task, if the answer to the completion carried it.
    @discardableResult
    private func report(
        _ outcome: Result<CompletionRequest, any Error>, attempt: AttemptID, session: Session, metadata: Logger.Metadata, nextRequest: Int? = nil
    ) async -> TaskAssignment? {
        let id = session.id
        let client = session.client
        var metadata = metadata
        switch outcome {
        case .success(var completion):
            completion.next = nextRequest
            var refusal: CoordinatorClient.Refused?
            let answer = try? await reliably(as: id, refused: { refusal = $0 }) {
                try await client.post("/v1/complete", completion, timeout: .seconds(120), as: CompletionResponse.self)
            }
            metadata["mr.accepted"] = "\(answer?.accepted ?? false)"
            logger.info("attempt done", metadata: metadata)
            // A completion refused as malformed or too large must not vanish: the attempt fails, with the reason.
            if let refusal, refusal.status != 404, refusal.status != 409 {
                _ = try? await reliably(as: id) {
                    try await client.post(
                        "/v1/fail", FailureRequest(worker: id, attempt: attempt, error: "the coordinator refused its completion: \(refusal)"),
                        timeout: .seconds(30))
                }
            }
            return answer?.next
        case .failure(let error):
            metadata["mr.error"] = "\(error)"
            logger.warning("attempt failed", metadata: metadata)
            let lost = (error as? IntermediateFileError).flatMap { $0.code == .io ? nil : $0.path }
            _ = try? await reliably(as: id) {
                try await client.post(
                    "/v1/fail", FailureRequest(worker: id, attempt: attempt, error: "\(error)", lostInput: lost), timeout: .seconds(30))
            }
            return nil
        }
    }

    /// Runs `request`, retrying transport errors and 5xx answers with backoff for up to the grace period.
    /// - Parameter refused: told of a 4xx answer.
    /// - Returns: the answer, or `nil` if the coordinator refused the request (a 4xx: stale, unknown or invalid).
    private func reliably<T>(
        as id: WorkerID?, refused: (CoordinatorClient.Refused) -> Void = { _ in }, _ request: () async throws -> T
    ) async throws -> T? {
        let clock = ContinuousClock()
        let start = clock.now
        let giveUp = start + gracePeriod
        var delay = Duration.milliseconds(100)
        var nextWarning = start
        while true {
            do {
                return try await request()
            } catch let error as CoordinatorClient.NotACoordinator {
                throw error
            } catch let refusal as CoordinatorClient.Refused where (400..<500).contains(refusal.status) {
                logger.warning("coordinator refused request", metadata: ["mr.worker": "\(id.map(\.description) ?? name)", "mr.error": "\(refusal)"])
                if refusal.status == 401 { throw refusal }
                refused(refusal)
                return nil
            } catch {
                guard clock.now + delay < giveUp else { throw Unreachable(url: client.baseURL, grace: gracePeriod, cause: error) }
                // Said at the first failed try, then every 5 s: a worker pointed at the wrong place says so at once.
                if clock.now >= nextWarning {
                    logger.warning(
                        "coordinator \(client.baseURL) not reachable (\(CoordinatorClient.describe(error))); retrying until \(gracePeriod) have passed",
                        metadata: ["mr.worker": "\(id.map(\.description) ?? name)"])
                    nextWarning = clock.now + .seconds(5)
                }
                try await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(2))
            }
        }
    }
}
