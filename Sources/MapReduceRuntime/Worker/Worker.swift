import AsyncHTTPClient
import Foundation
public import Logging
public import MapReduce

/// A worker process's loop: ask the coordinator for a task (long poll), run it on a thread of its own while
/// heartbeating, report it, repeat; return when the coordinator says the job is over.
///
/// A worker holds no state between tasks. If the coordinator cannot be reached, it keeps retrying with backoff
/// for the grace period (long enough for a coordinator restart), then gives up.
public struct Worker: Sendable {
    /// This worker's name.
    public let id: WorkerID
    /// The jobs this build can run.
    public let catalog: JobCatalog
    /// The coordinator.
    public let client: CoordinatorClient
    /// How long the coordinator may be unreachable before the worker gives up. Default 30 s.
    public var gracePeriod: Duration
    let logger: Logger

    /// The coordinator stayed unreachable for the whole grace period.
    public struct Unreachable: Error, CustomStringConvertible {
        /// The coordinator's URL.
        public let url: String
        /// The grace period.
        public let grace: Duration
        /// The last error.
        public let lastError: String
        public var description: String { "coordinator \(url) unreachable for \(grace): \(lastError)" }
    }

    /// Creates a worker.
    public init(id: WorkerID, catalog: JobCatalog, client: CoordinatorClient, gracePeriod: Duration = .seconds(30), logger: Logger) {
        self.id = id
        self.catalog = catalog
        self.client = client
        self.gracePeriod = gracePeriod
        self.logger = logger
    }

    /// Fault injection for tests: `MR_FAULT_PAUSE_BEFORE_REDUCE_MS` makes every reduce attempt wait that long
    /// (heartbeating) before it opens its inputs, so a test can damage a committed map output in between.
    static let pauseBeforeReduce: Duration? = ProcessInfo.processInfo.environment["MR_FAULT_PAUSE_BEFORE_REDUCE_MS"]
        .flatMap(Int.init).map { .milliseconds($0) }

    /// A name unique to this process: host, process id and a random suffix.
    public static func defaultID() -> WorkerID {
        WorkerID("\(ProcessInfo.processInfo.hostName)-\(getpid())-\(String(UInt32.random(in: 0...UInt32.max), radix: 36))")
    }

    /// Runs tasks until the coordinator says the job is over.
    /// - Returns: the number of attempts this worker ran.
    @discardableResult
    public func run() async throws -> Int {
        var attempts = 0
        while true {
            let assignment = try await reliably { try await client.post("/v1/task", TaskRequest(worker: id), timeout: .seconds(120), as: TaskAssignment.self) }
            guard let assignment else { continue }
            switch assignment.action {
            case .exit:
                logger.info("job over; exiting", metadata: ["mr.worker": "\(id)", "mr.attempts": "\(attempts)"])
                return attempts
            case .wait:
                continue
            case .run:
                guard let attempt = assignment.attempt else { continue }
                attempts += 1
                await execute(assignment, attempt: attempt)
            }
        }
    }

    private func execute(_ assignment: TaskAssignment, attempt: AttemptID) async {
        let heartbeatInterval = Duration.milliseconds(assignment.heartbeatMilliseconds ?? 1000)
        var metadata: Logger.Metadata = [
            "mr.worker": "\(id)", "mr.attempt": "\(attempt.rawValue)",
            "mr.job": "\(assignment.map?.job ?? assignment.reduce?.job ?? "")",
            "mr.task": "\(assignment.map.map { "map \($0.task.rawValue)" } ?? assignment.reduce.map { "reduce \($0.task.rawValue)" } ?? "")",
        ]
        let cancellation = TaskCancellation()
        let work: BlockingWork<Result<CompletionRequest, any Error>>
        do {
            work = try await start(assignment, attempt: attempt, cancellation: cancellation)
        } catch {
            await report(.failure(error), attempt: attempt, metadata: metadata)
            return
        }
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
                        "/v1/heartbeat", HeartbeatRequest(worker: id, attempt: attempt), timeout: heartbeatInterval * 2, as: HeartbeatResponse.self
                    ).current
                } catch let refused as CoordinatorClient.Refused where refused.status == 404 || refused.status == 409 {
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
            return
        }
        await report(outcome, attempt: attempt, metadata: metadata)
    }

    /// Prepares `assignment` and starts it on a thread of its own.
    private func start(
        _ assignment: TaskAssignment, attempt: AttemptID, cancellation: TaskCancellation
    ) async throws -> BlockingWork<Result<CompletionRequest, any Error>> {
        let job = try catalog.job(
            named: assignment.map?.job ?? assignment.reduce?.job ?? "", parameters: assignment.map?.parameters ?? assignment.reduce?.parameters ?? [:])
        let id = id
        if let map = assignment.map {
            let context = MapTaskContext(
                task: map.task.rawValue, splits: map.splits, directory: map.directory, settings: map.settings, badRecordLimit: map.badRecordLimit ?? 0,
                maximumRecordSize: map.maximumRecordSize ?? JobConfiguration.defaultMaximumRecordSize, cancellation: cancellation)
            return BlockingWork { Result { CompletionRequest(worker: id, attempt: attempt, map: try job.runMapTask(context)) } }
        } else if let reduce = assignment.reduce {
            let context = ReduceTaskContext(
                partition: reduce.task.rawValue, inputs: reduce.inputs, outputPath: reduce.outputPath, scratchDirectory: reduce.scratchDirectory,
                settings: reduce.settings, cancellation: cancellation)
            try FileManager.default.createDirectory(atPath: (reduce.outputPath as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            if let pause = Self.pauseBeforeReduce { try await Task.sleep(for: pause) }
            return BlockingWork { Result { CompletionRequest(worker: id, attempt: attempt, reduce: try job.runReduceTask(context)) } }
        }
        throw JobError(.badConfiguration, "\(attempt) names neither a map nor a reduce task")
    }

    /// Tells the coordinator how `attempt` ended.
    private func report(_ outcome: Result<CompletionRequest, any Error>, attempt: AttemptID, metadata: Logger.Metadata) async {
        var metadata = metadata
        switch outcome {
        case .success(let completion):
            var refusal: CoordinatorClient.Refused?
            let answer = try? await reliably(refused: { refusal = $0 }) {
                try await client.post("/v1/complete", completion, timeout: .seconds(120), as: CompletionResponse.self)
            }
            metadata["mr.accepted"] = "\(answer?.accepted ?? false)"
            logger.info("attempt done", metadata: metadata)
            // A completion refused as malformed or too large must not vanish: the attempt fails, with the reason.
            if let refusal, refusal.status != 404, refusal.status != 409 {
                _ = try? await reliably {
                    try await client.post(
                        "/v1/fail", FailureRequest(worker: id, attempt: attempt, error: "the coordinator refused its completion: \(refusal)"),
                        timeout: .seconds(30))
                }
            }
        case .failure(let error):
            metadata["mr.error"] = "\(error)"
            logger.warning("attempt failed", metadata: metadata)
            let lost = (error as? IntermediateFileError).flatMap { $0.code == .io ? nil : $0.path }
            _ = try? await reliably {
                try await client.post(
                    "/v1/fail", FailureRequest(worker: id, attempt: attempt, error: "\(error)", lostInput: lost), timeout: .seconds(30))
            }
        }
    }

    /// Runs `request`, retrying transport errors and 5xx answers with backoff for up to the grace period.
    /// - Parameter refused: told of a 4xx answer.
    /// - Returns: the answer, or `nil` if the coordinator refused the request (a 4xx: stale, unknown or invalid).
    private func reliably<T>(refused: (CoordinatorClient.Refused) -> Void = { _ in }, _ request: () async throws -> T) async throws -> T? {
        let clock = ContinuousClock()
        let giveUp = clock.now + gracePeriod
        var delay = Duration.milliseconds(100)
        while true {
            do {
                return try await request()
            } catch let refusal as CoordinatorClient.Refused where (400..<500).contains(refusal.status) {
                logger.warning("coordinator refused request", metadata: ["mr.worker": "\(id)", "mr.error": "\(refusal)"])
                if refusal.status == 401 { throw refusal }
                refused(refusal)
                return nil
            } catch {
                guard clock.now + delay < giveUp else { throw Unreachable(url: client.baseURL, grace: gracePeriod, lastError: "\(error)") }
                logger.debug("coordinator unreachable; retrying", metadata: ["mr.worker": "\(id)", "mr.error": "\(error)"])
                try await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(2))
            }
        }
    }
}
