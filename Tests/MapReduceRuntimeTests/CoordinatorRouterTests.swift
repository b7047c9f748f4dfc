import Foundation
import Hummingbird
import HummingbirdTesting
import Jobs
import Logging
import MapReduce
import MapReduceRuntime
import MapReduceTesting
import Synchronization
import Testing

@Suite struct CoordinatorRouterTests {
    func makeCoordinator(_ directory: TemporaryDirectory) throws -> Coordinator {
        let input = try directory.write("in.txt", "a b\n")
        let plan = JobPlan(
            job: "word-count", mapTasks: [[InputSplit(file: InputFile(path: input), start: 0, end: 4)]], configuration: .init(reducers: 1),
            directory: directory.appending("shared/jobs/test"), output: directory.appending("out"))
        return try Coordinator(
            plan: plan, job: AnyJob(wordCount), journal: Journal(path: directory.appending("journal")),
            configuration: .init(
                leaseTimeout: .seconds(10), maxAttempts: 4,
                pollTimeout: .milliseconds(50), firstEpoch: 0), logger: Logger(label: "test"))
    }

    /// Runs `body` with a client of a fresh coordinator's routes and that coordinator; returns the coordinator, so
    /// that a test can check its state afterwards.
    @discardableResult
    func withRoutes(_ body: @Sendable (any TestClientProtocol, Coordinator) async throws -> Void) async throws -> Coordinator {
        let directory = try TemporaryDirectory()
        let coordinator = try makeCoordinator(directory)
        let app = Application(router: CoordinatorRouter.make(coordinator))
        try await app.test(.router) { client in try await body(client, coordinator) }
        return coordinator
    }

    func post(_ client: some TestClientProtocol, _ path: String, _ body: String, headers: HTTPFields = [:]) async throws -> (HTTPResponse.Status, String) {
        try await client.execute(uri: path, method: .post, headers: headers, body: ByteBuffer(string: body)) { response in
            (response.status, String(buffer: response.body))
        }
    }

    /// A registered worker: its issued identity and the header its calls carry.
    struct Session {
        let id: String
        let headers: HTTPFields
    }

    func register(_ client: some TestClientProtocol, _ name: String, secret: String? = nil) async throws -> Session {
        let headers: HTTPFields = secret.map { [.authorization: "Bearer \($0)"] } ?? [:]
        let (status, body) = try await post(client, "/v1/register", #"{"name":"\#(name)"}"#, headers: headers)
        #expect(status == .ok, "\(body)")
        let registration = try JSONDecoder().decode(Registration.self, from: Data(body.utf8))
        return Session(id: registration.worker.rawValue, headers: [.authorization: "Bearer \(registration.credential)"])
    }

    func post(_ client: some TestClientProtocol, _ path: String, _ body: String, as session: Session) async throws -> (HTTPResponse.Status, String) {
        try await post(client, path, body.replacingOccurrences(of: "WORKER", with: session.id), headers: session.headers)
    }

    @Test func malformedBodiesGet400AndChangeNothing() async throws {
        let coordinator = try await withRoutes { client, coordinator in
            let a = try await register(client, "a")
            for (path, body) in [
                ("/v1/task", "{not json"), ("/v1/task", "{}"), ("/v1/heartbeat", "[]"), ("/v1/complete", #"{"worker":"WORKER"}"#), ("/v1/fail", ""),
                ("/v1/leave", "{}"), ("/v1/attach", "{}"),
            ] {
                let (status, _) = try await post(client, path, body, as: a)
                #expect(status == .badRequest, "\(path) \(body)")
            }
        }
        let status = await coordinator.status()
        #expect(status.maps.pending == 1 && status.mapAttempts == 0 && status.workers.isEmpty)
    }

    @Test func unknownAttemptsGet404AndOthersAttemptsGet409() async throws {
        let coordinator = try await withRoutes { client, coordinator in
            let a = try await register(client, "a")
            let b = try await register(client, "b")
            var (status, body) = try await post(client, "/v1/heartbeat", #"{"worker":"WORKER","attempt":null}"#, as: a)
            #expect(status == .notFound, "a registered worker that never asked for work has no lease")
            (status, body) = try await post(client, "/v1/task", #"{"worker":"WORKER"}"#, as: a)
            #expect(status == .ok)
            let assignment = try JSONDecoder().decode(TaskAssignment.self, from: Data(body.utf8))
            #expect(assignment.action == .run && assignment.map?.task == MapTaskID(0))
            (status, _) = try await post(client, "/v1/complete", #"{"worker":"WORKER","attempt":42}"#, as: a)
            #expect(status == .notFound)
            (status, _) = try await post(client, "/v1/task", #"{"worker":"WORKER"}"#, as: b)
            (status, body) = try await post(client, "/v1/fail", #"{"worker":"WORKER","attempt":1,"error":"x"}"#, as: b)
            #expect(status == .conflict)
            #expect(body.contains("belongs to worker a#0"), "\(body)")
        }
        let status = await coordinator.status()
        #expect(status.maps.running == 1 && status.failures.isEmpty)
    }

    @Test func aLeavingWorkersAttemptIsQueuedAgainAndItsLaterPollsAreToldToExit() async throws {
        try await withRoutes { client, coordinator in
            let a = try await register(client, "a")
            var (status, body) = try await post(client, "/v1/task", #"{"worker":"WORKER"}"#, as: a)
            #expect(try JSONDecoder().decode(TaskAssignment.self, from: Data(body.utf8)).action == .run)
            (status, body) = try await post(client, "/v1/leave", #"{"worker":"WORKER"}"#, as: a)
            #expect(status == .noContent, "\(body)")
            let after = await coordinator.status()
            #expect(after.maps.pending == 1 && after.maps.running == 0 && after.workers.isEmpty)
            #expect(after.failures.count == 1 && after.failures[0].contains("stopped (SIGTERM or SIGINT)"), "\(after.failures)")
            (status, body) = try await post(client, "/v1/task", #"{"worker":"WORKER"}"#, as: a)
            #expect(try JSONDecoder().decode(TaskAssignment.self, from: Data(body.utf8)).action == .exit)
            // Another worker gets the task at once.
            let b = try await register(client, "b")
            (status, body) = try await post(client, "/v1/task", #"{"worker":"WORKER"}"#, as: b)
            #expect(try JSONDecoder().decode(TaskAssignment.self, from: Data(body.utf8)).map?.task == MapTaskID(0))
        }
    }

    /// A task request retried after its answer was lost (its number the same) gets the same assignment and gives
    /// nothing up; a new request while holding the attempt gives it up. (The simulator's seed 1257: good workers
    /// on a lossy network were excluded for giving up attempts they never knew they had.)
    @Test func aRetriedTaskRequestGetsTheSameAssignment() async throws {
        try await withRoutes { client, coordinator in
            let a = try await register(client, "a")
            var (_, body) = try await post(client, "/v1/task", #"{"worker":"WORKER","request":7}"#, as: a)
            let first = try JSONDecoder().decode(TaskAssignment.self, from: Data(body.utf8))
            (_, body) = try await post(client, "/v1/task", #"{"worker":"WORKER","request":7}"#, as: a)
            let again = try JSONDecoder().decode(TaskAssignment.self, from: Data(body.utf8))
            #expect(first.action == .run && again.attempt == first.attempt && again.map?.task == first.map?.task)
            #expect(await coordinator.status().failures.isEmpty)
            (_, body) = try await post(client, "/v1/task", #"{"worker":"WORKER","request":8}"#, as: a)
            #expect(try JSONDecoder().decode(TaskAssignment.self, from: Data(body.utf8)).attempt != first.attempt)
            #expect(await coordinator.status().failures.count == 1, "a new request while holding the attempt gives it up")
        }
    }

    @Test func progressOutOfBoundsGets400AndIsNotShown() async throws {
        try await withRoutes { client, coordinator in
            let a = try await register(client, "a")
            var (status, _) = try await post(client, "/v1/task", #"{"worker":"WORKER"}"#, as: a)
            #expect(status == .ok)
            for progress in [#"{"records":-1,"bytes":0}"#, #"{"records":0,"bytes":1125899906842625}"#] {
                (status, _) = try await post(client, "/v1/heartbeat", #"{"worker":"WORKER","attempt":1,"progress":\#(progress)}"#, as: a)
                #expect(status == .badRequest, "\(progress)")
            }
            #expect(await coordinator.overview().tasks.first { $0.task == "map 0" }?.inputRecords == nil)
            (status, _) = try await post(client, "/v1/heartbeat", #"{"worker":"WORKER","attempt":1,"progress":{"records":4096,"bytes":100}}"#, as: a)
            #expect(status == .ok)
            #expect(await coordinator.overview().tasks.first { $0.task == "map 0" }?.inputRecords == 4096)
        }
    }

    /// Today's bug: any client could act as any worker; the status page listed the names to use.
    @Test func noCallActsWithoutAnIssuedCredentialOrAsAnotherWorker() async throws {
        let coordinator = try await withRoutes { client, coordinator in
            let a = try await register(client, "a")
            var (status, body) = try await post(client, "/v1/task", #"{"worker":"WORKER"}"#, as: a)
            #expect(status == .ok)
            let forged = [
                HTTPFields(), [.authorization: "Bearer 0.0000"], [.authorization: "Bearer 0." + String(repeating: "0", count: 64)],
                [.authorization: "Bearer 7.\(String(repeating: "a", count: 64))"], [.authorization: "Basic abc"],
            ]
            for headers in forged {
                for (path, body) in [
                    ("/v1/task", #"{"worker":"a#0"}"#), ("/v1/heartbeat", #"{"worker":"a#0","attempt":1}"#),
                    ("/v1/fail", #"{"worker":"a#0","attempt":1,"error":"forged"}"#), ("/v1/leave", #"{"worker":"a#0"}"#),
                    ("/v1/attach", #"{"worker":"a#0"}"#),
                ] {
                    (status, _) = try await post(client, path, body, headers: headers)
                    #expect(status == .unauthorized, "\(path) with \(headers)")
                }
            }
            // A registered worker cannot act as another.
            let b = try await register(client, "b")
            (status, body) = try await post(client, "/v1/fail", #"{"worker":"a#0","attempt":1,"error":"forged"}"#, headers: b.headers)
            #expect(status == .forbidden, "\(body)")
            (status, body) = try await post(client, "/v1/leave", #"{"worker":"a#0"}"#, headers: b.headers)
            #expect(status == .forbidden, "\(body)")
            // Nor hold (and so close) another's connection.
            (status, body) = try await post(client, "/v1/attach", #"{"worker":"a#0"}"#, headers: b.headers)
            #expect(status == .forbidden, "\(body)")
            // Nothing a client can read shows a credential.
            let statusBody = try await client.execute(uri: "/v1/status", method: .get) { String(buffer: $0.body) }
            #expect(!statusBody.contains(String(a.headers[.authorization]!.dropFirst(9))), "\(statusBody)")
        }
        let status = await coordinator.status()
        #expect(status.maps.running == 1 && status.failures.isEmpty, "refused requests changed nothing")
    }

    @Test func registrationsAndNamesAreBounded() async throws {
        let directory = try TemporaryDirectory()
        let input = try directory.write("in.txt", "a b\n")
        let plan = JobPlan(
            job: "word-count", mapTasks: [[InputSplit(file: InputFile(path: input), start: 0, end: 4)]], configuration: .init(reducers: 1),
            directory: directory.appending("shared/jobs/test"), output: directory.appending("out"))
        let coordinator = try Coordinator(
            plan: plan, job: AnyJob(wordCount), journal: Journal(path: directory.appending("journal")),
            configuration: .init(
                leaseTimeout: .seconds(10), maxAttempts: 4,
                pollTimeout: .milliseconds(50), maximumRegistrations: 2, firstEpoch: 0), logger: Logger(label: "test"))
        let app = Application(router: CoordinatorRouter.make(coordinator))
        try await app.test(.router) { client in
            var (status, _) = try await post(client, "/v1/register", #"{"name":"\#(String(repeating: "x", count: 129))"}"#)
            #expect(status == .badRequest)
            (status, _) = try await post(client, "/v1/register", #"{"name":""}"#)
            #expect(status == .badRequest)
            let one = try await register(client, "one")
            _ = try await register(client, "two")
            (status, _) = try await post(client, "/v1/register", #"{"name":"three"}"#)
            #expect(status == .tooManyRequests)
            // Review item 7: the limit was over the coordinator's life, so registrations that went nowhere starved
            // every real worker for good. A worker that leaves (or is excluded, or lost) gives its place back.
            (status, _) = try await post(client, "/v1/leave", #"{"worker":"WORKER"}"#, as: one)
            #expect(status == .noContent)
            _ = try await register(client, "three")
            let answer = try await post(client, "/v1/task", #"{"worker":"WORKER"}"#, as: one)
            #expect(answer.0 == .ok && answer.1.contains(#""action":"exit""#), "the one that left is still answered: \(answer)")
            (status, _) = try await post(client, "/v1/register", #"{"name":"\#(String(repeating: "y", count: 20 << 10))"}"#)
            #expect(status == .contentTooLarge, "a body over the route's limit")
        }
    }

    /// A map completion of attempt 1 of map 0, with the given file path and fields.
    func mapCompletion(path: String, bytes: String = "41", extra: String = "", worker: String = "WORKER", attempt: Int = 1) -> String {
        let file = #"{"path":"\#(path)","bytes":\#(bytes),"records":0,"checksum":0}"#
        return
            #"{"worker":"\#(worker)","attempt":\#(attempt),"map":{"file":\#(file),"inputBytes":4,"inputRecords":1,"emittedRecords":2,"spills":0}\#(extra)}"#
    }

    /// A fresh coordinator, and the 41-byte output file that attempt 1 of map 0 (the first one handed out) writes.
    func makeCoordinatorWithMapOutput(_ directory: TemporaryDirectory) async throws -> (Coordinator, String) {
        let coordinator = try makeCoordinator(directory)
        let path = await coordinator.plan.mapOutputFile(MapTaskID(0), AttemptID(1))
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(repeating: 0, count: 41).write(to: URL(fileURLWithPath: path))
        return (coordinator, path)
    }

    @Test func firstCompletionCommitsAndDuplicatesAreIgnored() async throws {
        let directory = try TemporaryDirectory()
        let (coordinator, path) = try await makeCoordinatorWithMapOutput(directory)
        let app = Application(router: CoordinatorRouter.make(coordinator))
        try await app.test(.router) { client in
            let a = try await register(client, "a")
            _ = try await post(client, "/v1/task", #"{"worker":"WORKER"}"#, as: a)
            var (status, body) = try await post(client, "/v1/complete", mapCompletion(path: path), as: a)
            #expect(status == .ok && body.contains(#""accepted":true"#))
            (status, body) = try await post(client, "/v1/complete", mapCompletion(path: path), as: a)
            #expect(status == .ok && body.contains(#""accepted":true"#), "the same attempt's completion again gets the same answer")
        }
        let status = await coordinator.status()
        #expect(status.phase == "reduce" && status.maps.committed == 1)
    }

    /// Review item 6: five `task` calls from one registered client failed the job (--max-attempts 4) while the real
    /// workers ran nothing. Now the client is excluded after three, and the job goes on.
    @Test func aClientAskingAgainAndAgainIsExcludedAndCannotFailTheJob() async throws {
        let coordinator = try await withRoutes { client, _ in
            let abuser = try await register(client, "abuser")
            var answers: [String] = []
            for _ in 0..<5 { answers.append(try await post(client, "/v1/task", #"{"worker":"WORKER"}"#, as: abuser).1) }
            #expect(answers.prefix(3).allSatisfy { $0.contains(#""action":"run""#) }, "\(answers)")
            #expect(answers.suffix(2).allSatisfy { $0.contains(#""action":"excluded""#) && $0.contains("3 times") }, "\(answers)")
        }
        let status = await coordinator.status()
        #expect(status.phase == "map" && status.maps.committed == 0, "\(status)")
        #expect(await coordinator.outcome == nil, "the job has not failed")
        let page = await coordinator.overview()
        #expect(page.workers.map(\.state) == ["excluded"], "\(page.workers)")
    }

    /// Review item 1: while a slow publish of an attempt's output went on, its worker (its connection reset) sent
    /// the same completion again. The retry was discarded as a losing race against the very attempt being committed,
    /// the first request then found its attempt gone, and the task stayed running with no attempt, forever. A
    /// repeated completion now waits for the commit under way and gets its answer, and so does one after it.
    @Test func aRepeatedCompletionWaitsForTheCommitUnderWayAndGetsItsAnswer() async throws {
        let directory = try TemporaryDirectory()
        let (coordinator, path) = try await makeCoordinatorWithMapOutput(directory)
        // The shared directory stalls until the repeated completion has arrived.
        let stalled = Mutex(true)
        await coordinator.setConfirmation { confirm in
            while stalled.withLock({ $0 }) { usleep(1000) }
            try confirm()
        }
        let app = Application(router: CoordinatorRouter.make(coordinator))
        try await app.test(.router) { client in
            let a = try await register(client, "a")
            _ = try await post(client, "/v1/task", #"{"worker":"WORKER"}"#, as: a)
            async let first = post(client, "/v1/complete", mapCompletion(path: path), as: a)
            let clock = ContinuousClock()
            let deadline = clock.now + .seconds(30)
            // The retry goes once the first is being committed (before, it would simply be the first).
            while await !coordinator.isCommitting(AttemptID(1)), clock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
            async let second = post(client, "/v1/complete", mapCompletion(path: path), as: a)
            while await coordinator.repeatedCompletions == 0, clock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
            #expect(clock.now < deadline, "the retry arrived while the first was being committed")
            stalled.withLock { $0 = false }
            let answers = try await [first, second]
            #expect(answers.allSatisfy { $0.0 == .ok && $0.1.contains(#""accepted":true"#) }, "\(answers)")
            let late = try await post(client, "/v1/complete", mapCompletion(path: path), as: a)
            #expect(late.0 == .ok && late.1.contains(#""accepted":true"#), "a completion of the committed attempt, again: \(late)")
        }
        let status = await coordinator.status()
        #expect(status.phase == "reduce" && status.maps.committed == 1, "\(status)")
        #expect(await coordinator.repeatedCompletions == 1)
    }

    /// Today's bugs: a completion named its own files, a completion without a result (or of the wrong kind)
    /// committed, and an overflowing count was journaled. Each is refused with 400 and changes nothing.
    @Test(arguments: [
        ("a path the coordinator did not assign", #"/etc/passwd"#, "41", ""),
        ("a byte count out of bounds", "", "9223372036854775807", ""),
        ("a negative byte count", "", "-1", ""),
        ("a reduce result for a map task", "", "41", #","reduce":{"path":"/x","records":0,"inputRecords":0,"bytes":0}"#),
    ])
    func completionsThatDoNotFitTheirAttemptGet400AndChangeNothing(problem: String, path: String, bytes: String, extra: String) async throws {
        let directory = try TemporaryDirectory()
        let coordinator = try makeCoordinator(directory)
        let assigned = await coordinator.plan.mapOutputFile(MapTaskID(0), AttemptID(1))
        let app = Application(router: CoordinatorRouter.make(coordinator))
        try await app.test(.router) { client in
            let a = try await register(client, "a")
            _ = try await post(client, "/v1/task", #"{"worker":"WORKER"}"#, as: a)
            let (status, body) = try await post(client, "/v1/complete", mapCompletion(path: path.isEmpty ? assigned : path, bytes: bytes, extra: extra), as: a)
            #expect(status == .badRequest, "\(problem): \(body)")
            let (missing, _) = try await post(client, "/v1/complete", #"{"worker":"WORKER","attempt":1}"#, as: a)
            #expect(missing == .badRequest, "a completion without a result")
        }
        let status = await coordinator.status()
        #expect(status.maps.running == 1 && status.maps.committed == 0 && status.failures.isEmpty, "\(problem)")
        let journal = (try? String(contentsOfFile: directory.appending("journal"), encoding: .utf8)) ?? ""
        #expect(!journal.contains("map-committed"), "nothing was journaled")
    }

    /// A worker whose view of the shared directory differs (a missing mount) reports files the coordinator
    /// cannot see: the attempt fails, naming the worker, instead of committing output no reducer can read.
    @Test func aCompletionWhoseFilesTheCoordinatorCannotSeeFailsTheAttempt() async throws {
        let directory = try TemporaryDirectory()
        let coordinator = try makeCoordinator(directory)
        let path = await coordinator.plan.mapOutputFile(MapTaskID(0), AttemptID(1))
        let app = Application(router: CoordinatorRouter.make(coordinator))
        try await app.test(.router) { client in
            let a = try await register(client, "a")
            _ = try await post(client, "/v1/task", #"{"worker":"WORKER"}"#, as: a)
            let (status, body) = try await post(client, "/v1/complete", mapCompletion(path: path), as: a)
            #expect(status == .ok && body.contains(#""accepted":false"#))
        }
        let status = await coordinator.status()
        #expect(status.maps.committed == 0 && status.maps.pending == 1)
        #expect(status.failures.count == 1 && status.failures[0].contains("view of the shared directory on worker a#0 differs"), "\(status.failures)")
    }

    /// The completion body limit fits the largest legitimate completion: the output file at the largest supported
    /// reducer count (one file, whatever the count), and the most counters a report may carry.
    @Test func theLargestLegitimateCompletionFitsItsBodyLimit() async throws {
        let directory = try TemporaryDirectory()
        let input = try directory.write("in.txt", "a b\n")
        let reducers = JobConfiguration.maximumReducers
        let plan = JobPlan(
            job: "word-count", mapTasks: [[InputSplit(file: InputFile(path: input), start: 0, end: 4)]], configuration: .init(reducers: reducers),
            directory: directory.appending(String(repeating: "long-shared-directory-name/", count: 8) + "jobs/word-count-0123456789abcdef"),
            output: directory.appending("out"))
        let coordinator = try Coordinator(
            plan: plan, job: AnyJob(wordCount), journal: Journal(path: directory.appending("journal")),
            configuration: .init(
                leaseTimeout: .seconds(10), maxAttempts: 4,
                pollTimeout: .milliseconds(50), firstEpoch: 0), logger: Logger(label: "test"))
        let file =
            #"{"path":"\#(plan.mapOutputFile(MapTaskID(0), AttemptID(1)))","bytes":1125899906842624,"records":1125899906842624,"checksum":18446744073709551615}"#
        let counters = (0..<1000).map { #""\#(String(repeating: "c", count: 190))-\#($0)":-1125899906842624"# }
        let body =
            #"{"worker":"WORKER","attempt":1,"map":{"file":\#(file),"inputBytes":1,"inputRecords":1,"emittedRecords":1,"spills":1,"#
            + #""counters":{\#(counters.joined(separator: ","))}}}"#
        #expect(body.utf8.count <= CoordinatorRouter.completionBodyLimit, "\(body.utf8.count) bytes")
        let app = Application(router: CoordinatorRouter.make(coordinator))
        try await app.test(.router) { client in
            let a = try await register(client, "a")
            _ = try await post(client, "/v1/task", #"{"worker":"WORKER"}"#, as: a)
            let (status, answer) = try await post(client, "/v1/complete", body, as: a)
            #expect(status != .contentTooLarge, "\(answer.prefix(300))")
        }
    }

    /// Issue 23, item 6: an unknown URL (a browser's `/favicon.ico`) was answered 401 "register again".
    @Test(arguments: [nil, "s3cret"] as [String?])
    func anUnknownURLIsNotFound(secret: String?) async throws {
        let directory = try TemporaryDirectory()
        let app = Application(router: CoordinatorRouter.make(try makeCoordinator(directory), secret: secret))
        try await app.test(.router) { client in
            for path in ["/favicon.ico", "/v1/nothing"] {
                let status = try await client.execute(uri: path, method: .get) { $0.status }
                #expect(status == .notFound, "\(path)")
            }
        }
    }

    @Test func aSharedSecretIsRequiredToRegisterWhenConfigured() async throws {
        let directory = try TemporaryDirectory()
        let coordinator = try makeCoordinator(directory)
        let app = Application(router: CoordinatorRouter.make(coordinator, secret: "s3cret"))
        try await app.test(.router) { client in
            var (status, _) = try await post(client, "/v1/register", #"{"name":"a"}"#)
            #expect(status == .unauthorized)
            (status, _) = try await post(client, "/v1/register", #"{"name":"a"}"#, headers: [.authorization: "Bearer wrong"])
            #expect(status == .unauthorized)
            (status, _) = try await post(client, "/v1/task", #"{"worker":"a#0"}"#, headers: [.authorization: "Bearer s3cret"])
            #expect(status == .unauthorized, "the secret registers a worker; it is not a worker's credential")
            let a = try await register(client, "a", secret: "s3cret")
            (status, _) = try await post(client, "/v1/task", #"{"worker":"WORKER"}"#, as: a)
            #expect(status == .ok)
        }
    }
}
