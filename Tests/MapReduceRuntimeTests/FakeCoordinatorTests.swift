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
        let port = Mutex(0)

        /// The fake coordinator's port, once it listens.
        func waitForPort() async throws -> Int {
            for _ in 0..<500 {
                let value = port.withLock { $0 }
                if value != 0 { return value }
                try await Task.sleep(for: .milliseconds(10))
            }
            throw CancellationError()
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
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: CoordinatorClient.serverName),
            onServerRunning: { channel in heard.port.withLock { $0 = channel.localAddress?.port ?? 0 } }, logger: Logger(label: "fake"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.runService() }
            let url = try await heard.waitForPort()
            let worker = try ChildProcess(
                "\(Cluster.binaryDirectory)/mr-worker", ["--coordinator", "http://127.0.0.1:\(url)", "--shared-dir", shared, "--grace-period", "5"],
                errorLog: directory.appending("worker.log"))
            // Wait without blocking a thread of the cooperative pool: the fake coordinator's handlers run there.
            let clock = ContinuousClock()
            let deadline = clock.now + .seconds(30)
            while worker.isRunning, clock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
            #expect(try worker.waitForExit(timeout: .seconds(1)) == 0, "\(worker.standardError)")
            group.cancelAll()
        }
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
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: CoordinatorClient.serverName),
            onServerRunning: { channel in heard.port.withLock { $0 = channel.localAddress?.port ?? 0 } }, logger: Logger(label: "fake"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.runService() }
            let port = try await heard.waitForPort()
            let worker = try ChildProcess(
                "\(Cluster.binaryDirectory)/mr-worker", ["--coordinator", "http://127.0.0.1:\(port)", "--shared-dir", directory.path, "--grace-period", "2"],
                errorLog: directory.appending("worker.log"))
            let clock = ContinuousClock()
            let deadline = clock.now + .seconds(30)
            while worker.isRunning, clock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
            #expect(try worker.waitForExit(timeout: .seconds(1)) == 1, "\(worker.standardError)")
            let said = route == "excluded" ? "excluded this worker: it gave up 3 attempts" : "refused this worker for 2.0 seconds (coordinator answered"
            #expect(worker.standardError.contains(said), "\(worker.standardError)")
            group.cancelAll()
        }
        let refusals = heard.polls.withLock { $0 }
        // Excluded: one answer is enough.
        #expect((route == "excluded" ? 1...1 : 2...20).contains(refusals), "asked \(refusals) times in 2 s: backed off, and not forever")
    }

    /// Issue 23, item 4: pointed at some other HTTP server, a worker waited 30 s and then printed that server's
    /// HTML error page. It now says at once that the server is not a coordinator, and exits 1.
    @Test func aWorkerPointedAtAnotherServiceSaysSoAtOnce() async throws {
        let directory = try TemporaryDirectory(prefix: "not-a-coordinator")
        let heard = Heard()
        let router = Router()
        router.get("/") { _, _ in "<html><body>It works!</body></html>" }
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: "Apache/2.4"),
            onServerRunning: { channel in heard.port.withLock { $0 = channel.localAddress?.port ?? 0 } }, logger: Logger(label: "web"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.runService() }
            let port = try await heard.waitForPort()
            let worker = try ChildProcess(
                "\(Cluster.binaryDirectory)/mr-worker", ["--coordinator", "http://127.0.0.1:\(port)", "--shared-dir", directory.path, "--grace-period", "30"],
                errorLog: directory.appending("worker.log"))
            let clock = ContinuousClock()
            let deadline = clock.now + .seconds(20)
            while worker.isRunning, clock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
            #expect(try worker.waitForExit(timeout: .seconds(1)) == 1, "\(worker.standardError)")
            let said = "the server at http://127.0.0.1:\(port)/v1/register is not a mapreduce coordinator (it answered 404 as 'Apache/2.4')"
            #expect(worker.standardError.contains(said), "\(worker.standardError)")
            #expect(!worker.standardError.contains("<html"), "its page is not printed")
            group.cancelAll()
        }
    }
}
