import Foundation
import Hummingbird
import HummingbirdTesting
import MapReduce
import MapReduceTesting
import Synchronization
import Testing

@testable import MapReduceRuntime

/// What waits for the job's end sees it as it happens, not at its next tick or ping: the watcher that drives the
/// coordinator's clock, and the workers' control connections, which the server's graceful shutdown waits for. A
/// coordinator's process so exits at once after its job (it took 0–250 ms more, 180 ms on average).
@Suite struct JobEndTests {
    /// A coordinator of three map tasks whose first failure fails the job, with a worker running its first task.
    func coordinatorRunningATask(in directory: TemporaryDirectory) async throws -> (Coordinator, WorkerID, AttemptID) {
        let coordinator = try threeMapWordCountCoordinator(in: directory, .init(leaseTimeout: .seconds(600), maxAttempts: 1, pollTimeout: .milliseconds(50)))
        let worker = try await coordinator.register(name: "w").worker
        let attempt = try #require(await coordinator.nextTask(for: worker).attempt)
        return (coordinator, worker, attempt)
    }

    /// Waits up to 10 s for `flag`.
    func eventually(_ flag: borrowing Mutex<Bool>) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(10)
        while !flag.withLock({ $0 }), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        return flag.withLock { $0 }
    }

    @Test func theWatcherSeesTheJobEndAtOnceNotAtItsNextTick() async throws {
        let directory = try TemporaryDirectory()
        let (coordinator, worker, attempt) = try await coordinatorRunningATask(in: directory)
        let returned = Mutex(false)
        let watcher = Task {
            try await JobWatcher(coordinator: coordinator, tick: .seconds(600), linger: .zero).run()
            returned.withLock { $0 = true }
        }
        defer { watcher.cancel() }
        try await coordinator.fail(FailureRequest(worker: worker, attempt: attempt, error: "boom"))  // one attempt allowed: the job fails
        #expect(await coordinator.outcome != nil)
        #expect(try await eventually(returned), "the watcher returned once the job ended, 600 s before its next tick")
    }

    @Test func aControlConnectionEndsAsTheJobEndsNotAtItsNextPing() async throws {
        let directory = try TemporaryDirectory()
        let (coordinator, worker, attempt) = try await coordinatorRunningATask(in: directory)
        let credential = try await coordinator.register(name: "v").credential
        let other = try #require(await coordinator.worker(forCredential: Substring(credential)))
        let app = Application(router: CoordinatorRouter.make(coordinator, pingInterval: .seconds(600)))
        try await app.test(.router) { client in
            let ended = Mutex(false)
            let attach = Task {
                let body = #"{"worker":"\#(other.rawValue)"}"#
                let status = try await client.execute(
                    uri: "/v1/attach", method: .post, headers: [.authorization: "Bearer \(credential)"], body: ByteBuffer(string: body)
                ) { $0.status }
                ended.withLock { $0 = true }
                return status
            }
            defer { attach.cancel() }
            // The connection is open (and pinged once) before the job ends.
            let deadline = ContinuousClock.now + .seconds(10)
            while await coordinator.core.connections[other] == nil, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
            #expect(await coordinator.core.connections[other] != nil)
            #expect(!ended.withLock { $0 })

            try await coordinator.fail(FailureRequest(worker: worker, attempt: attempt, error: "boom"))
            let endedWithTheJob = try await eventually(ended)
            #expect(endedWithTheJob, "the control connection ended with the job, 600 s before its next ping")
            if endedWithTheJob { #expect(try await attach.value == .ok) }
        }
    }
}
