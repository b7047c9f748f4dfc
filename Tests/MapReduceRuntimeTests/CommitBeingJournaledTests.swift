import Foundation
import Jobs
import Logging
import MapReduce
import MapReduceTesting
import Testing

@testable import MapReduceRuntime

/// A commit's journal entry waits for a group commit's fsync, and the coordinator serves other requests
/// meanwhile. Once the entry may be on disk, the journal may already say the task committed: nothing may end the
/// attempt in between (its lease running out, its worker forgotten, leaving or asking again, a failure report), or a
/// restarted coordinator would hold a commit this one never made. Driven on the pure core, in virtual time.
@Suite struct CommitBeingJournaledTests {
    /// A core running a three-map word count, with one worker holding map 0's first attempt, and that attempt's
    /// completion (its output written).
    func coreWithACompletion(_ directory: TemporaryDirectory) async throws -> (CoordinatorCore, CompletionRequest, ContinuousClock.Instant) {
        let coordinator = try threeMapWordCountCoordinator(
            in: directory, .init(leaseTimeout: .seconds(10), maxAttempts: 2, pollTimeout: .milliseconds(50)))
        let plan = await coordinator.plan
        var core = await coordinator.core
        let now = core.lastTick
        let worker = try core.register(name: "w").0.worker
        let assignment = core.assign(to: worker, request: 1, now: now).0.answer
        let map = try #require(assignment.map)
        let attempt = try #require(assignment.attempt)
        let output = try AnyJob(wordCount).steps[0].runMapTask(plan.mapTaskContext(map.task, attempt))
        return (core, CompletionRequest(worker: worker, attempt: attempt, map: output), now)
    }

    @Test func nothingEndsAnAttemptWhileItsCommitIsBeingJournaledAndItCommitsOnceOnDisk() async throws {
        let directory = try TemporaryDirectory()
        var (core, completion, now) = try await coreWithACompletion(directory)
        guard case .confirm(let attempt, let result) = try core.beginCompletion(completion, now: now).0 else {
            Issue.record("the completion is to be confirmed")
            return
        }
        guard case .journal = core.completionConfirmed(completion, attempt, result, problem: nil, now: now) else {
            Issue.record("the confirmed completion is to be journaled")
            return
        }
        // The fsync stalls for six leases, the coordinator ticking all along.
        for _ in 0..<240 {
            now += .milliseconds(250)
            _ = core.tick(now: now)
        }
        #expect(core.scheduler.running[completion.attempt] != nil, "the lease does not run out while the commit is journaled")
        #expect(core.scheduler.liveWorkers.contains(completion.worker), "its worker is not forgotten")
        // Its worker asks for work again and reports a failure of the attempt: neither ends it.
        _ = core.assign(to: completion.worker, request: 2, now: now)
        guard case .done = try core.beginFailure(FailureRequest(worker: completion.worker, attempt: completion.attempt, error: "late"), now: now)
        else {
            Issue.record("a failure report of an attempt being committed is ignored")
            return
        }
        #expect(core.scheduler.running[completion.attempt] != nil, "asking again or failing does not end it")

        let (response, _) = core.completionJournaled(completion, attempt, result, error: nil, now: now)
        #expect(response.accepted)
        #expect(core.scheduler.mapStates[0] == .committed(completion.attempt), "what the journal says is what the coordinator holds")
        #expect(core.scheduler.failures.isEmpty)
    }

    @Test func aCommitThatCouldNotBeJournaledFailsTheAttemptAndItsLeaseRunsAgain() async throws {
        let directory = try TemporaryDirectory()
        var (core, completion, now) = try await coreWithACompletion(directory)
        guard case .confirm(let attempt, let result) = try core.beginCompletion(completion, now: now).0,
            case .journal = core.completionConfirmed(completion, attempt, result, problem: nil, now: now)
        else {
            Issue.record("the completion is to be journaled")
            return
        }
        now += .seconds(1)
        let (response, _) = core.completionJournaled(completion, attempt, result, error: JournalError(path: "journal", reason: "cannot fsync"), now: now)
        #expect(!response.accepted)
        #expect(core.scheduler.running[completion.attempt] == nil)
        #expect(core.scheduler.failures.map(\.attempt) == [completion.attempt])
        #expect(core.scheduler.mapStates[0] == .pending, "the task runs again")
    }
}
