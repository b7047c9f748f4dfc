import Foundation
import Hummingbird
import Logging
import MapReduce
import MapReduceRuntime
import MapReduceTesting
import Synchronization
import Testing

/// A worker trusts nothing that answers at the coordinator's URL: an assignment naming paths outside its shared
/// directory is refused, and nothing is written or deleted there. (Today's bug: a fake coordinator made a worker
/// truncate a file and delete a directory outside the shared directory.)
@Suite(.serialized) struct FakeCoordinatorTests {
    /// What the fake coordinator heard.
    final class Heard: Sendable {
        let failures = Mutex<[String]>([])
        let polls = Mutex(0)
    }

    /// Serves `router` on loopback as `serverName` and runs `mr-worker` against it with `arguments` until it exits
    /// (within 30 s), waiting without blocking a thread of the cooperative pool, where the fake's handlers run.
    /// - Returns: the worker, exited, and its exit status.
    func runWorker(
        against router: Router<BasicRequestContext>, serverName: String = CoordinatorClient.serverName, arguments: [String], log: String
    ) async throws -> (ChildProcess, Int32) {
        let port = Mutex(0)
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: serverName),
            onServerRunning: { channel in port.withLock { $0 = channel.localAddress?.port ?? 0 } }, logger: Logger(label: "fake"))
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.runService() }
            let clock = ContinuousClock()
            let deadline = clock.now + .seconds(30)
            while port.withLock({ $0 }) == 0, clock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
            let worker = try ChildProcess(
                "\(Cluster.binaryDirectory)/mr-worker", ["--coordinator", "http://127.0.0.1:\(port.withLock { $0 })"] + arguments, errorLog: log)
            while worker.isRunning, clock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
            let status = try worker.waitForExit(timeout: .seconds(1))
            group.cancelAll()
            return (worker, status)
        }
    }

    @Test(arguments: ["outside", "dot-dot", "reduce-output"])
    func aWorkerRefusesAssignmentsOutsideItsSharedDirectory(kind: String) async throws {
        let directory = try TemporaryDirectory(prefix: "fake-coordinator")
        let shared = directory.appending("shared")
        try FileManager.default.createDirectory(atPath: shared, withIntermediateDirectories: true)
        let victim = directory.appending("victim")
        let input = try directory.write("in.txt", "a b c\n")
        let heard = Heard()
        let settings = ShuffleSettings(partitions: 1)
        let assignment: TaskAssignment
        switch kind {
        case "outside":
            assignment = TaskAssignment(
                action: .run, attempt: AttemptID(1),
                map: MapAssignment(
                    job: "word-count", task: MapTaskID(0), splits: [InputSplit(file: InputFile(path: input), start: 0, end: 6)], directory: victim,
                    settings: settings))
        case "dot-dot":
            assignment = TaskAssignment(
                action: .run, attempt: AttemptID(1),
                map: MapAssignment(
                    job: "word-count", task: MapTaskID(0), splits: [InputSplit(file: InputFile(path: input), start: 0, end: 6)],
                    directory: "\(shared)/../victim", settings: settings))
        default:
            assignment = TaskAssignment(
                action: .run, attempt: AttemptID(1),
                reduce: ReduceAssignment(
                    job: "word-count", task: ReduceTaskID(0), directory: "\(shared)/jobs/j", maps: [], outputPath: "\(victim)/part-00000",
                    scratchDirectory: "\(shared)/work", settings: settings))
        }
        let router = Router()
        router.post("v1/register") { _, _ in Registration(worker: WorkerID("w#0"), credential: "0.x") }
        router.post("v1/task") { _, _ -> TaskAssignment in
            let poll = heard.polls.withLock {
                $0 += 1; return $0
            }
            return poll == 1 ? assignment : TaskAssignment(action: .exit)
        }
        router.post("v1/fail") { request, context -> HTTPResponse.Status in
            let failure = try await request.decode(as: FailureRequest.self, context: context)
            heard.failures.withLock { $0.append(failure.error) }
            return .noContent
        }
        router.post("v1/heartbeat") { _, _ in HeartbeatResponse(current: true) }
        let (worker, status) = try await runWorker(
            against: router, arguments: ["--shared-dir", shared, "--grace-period", "5"], log: directory.appending("worker.log"))
        #expect(status == 0, "\(worker.standardError)")
        let failures = heard.failures.withLock { $0 }
        #expect(failures.count == 1 && failures[0].contains("not inside this worker's shared directory"), "\(failures)")
        #expect(!FileManager.default.fileExists(atPath: victim), "nothing was created outside the shared directory")
    }

    /// A coordinator that refuses a worker's registration (429: too many) or every poll (403) used to be asked
    /// once a second forever, or in a tight loop: the worker now backs off and, refused for its whole grace
    /// period, exits 1 saying so. An excluded worker exits 1 at once, saying why.
    @Test(arguments: ["register", "task", "excluded"])
    func aWorkerRefusedForItsWholeGracePeriodBacksOffAndExits(refusing route: String) async throws {
        let directory = try TemporaryDirectory(prefix: "fake-coordinator")
        let heard = Heard()
        let router = Router()
        router.post("v1/register") { _, _ -> Response in
            guard route != "register" else {
                heard.polls.withLock { $0 += 1 }
                return Response(status: .tooManyRequests, body: .init(byteBuffer: ByteBuffer(string: "too many workers")))
            }
            let registration = try JSONEncoder().encode(Registration(worker: WorkerID("w#0"), credential: "0.x"))
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: registration)))
        }
        router.post("v1/task") { _, _ -> Response in
            heard.polls.withLock { $0 += 1 }
            guard route == "task" else {
                let excluded = #"{"action":"excluded","reason":"it gave up 3 attempts"}"#
                return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: excluded)))
            }
            return Response(status: .forbidden, body: .init(byteBuffer: ByteBuffer(string: "not this worker")))
        }
        let (worker, status) = try await runWorker(
            against: router, arguments: ["--shared-dir", directory.path, "--grace-period", "2"], log: directory.appending("worker.log"))
        #expect(status == 1, "\(worker.standardError)")
        let said = route == "excluded" ? "excluded this worker: it gave up 3 attempts" : "refused this worker for 2.0 seconds (coordinator answered"
        #expect(worker.standardError.contains(said), "\(worker.standardError)")
        let refusals = heard.polls.withLock { $0 }
        // Excluded: one answer is enough.
        #expect((route == "excluded" ? 1...1 : 2...20).contains(refusals), "asked \(refusals) times in 2 s: backed off, and not forever")
    }

    /// Issue 23, item 4: pointed at some other HTTP server, a worker waited 30 s and then printed that server's
    /// HTML error page. It now says at once that the server is not a coordinator, and exits 1.
    @Test func aWorkerPointedAtAnotherServiceSaysSoAtOnce() async throws {
        let directory = try TemporaryDirectory(prefix: "not-a-coordinator")
        let router = Router()
        router.get("/") { _, _ in "<html><body>It works!</body></html>" }
        let (worker, status) = try await runWorker(
            against: router, serverName: "Apache/2.4", arguments: ["--shared-dir", directory.path, "--grace-period", "30"],
            log: directory.appending("worker.log"))
        #expect(status == 1, "\(worker.standardError)")
        #expect(worker.standardError.contains("is not a mapreduce coordinator (it answered 404 as 'Apache/2.4')"), "\(worker.standardError)")
        #expect(!worker.standardError.contains("<html"), "its page is not printed")
    }
}
