import Foundation
import Jobs
import Logging
import MapReduce
import MapReduceTesting
import Testing

@testable import MapReduceRuntime

/// A completion may ask for the worker's next task, and its answer carry it: one round trip per task instead of
/// two. The request number makes it safe to repeat: a completion sent again (its answer lost) gets the same task,
/// and so does a task request with that number; nothing more is handed out.
@Suite struct CompletionWithNextTaskTests {
    func coordinator(_ directory: TemporaryDirectory) throws -> Coordinator {
        try threeMapWordCountCoordinator(in: directory, .init(leaseTimeout: .seconds(60), maxAttempts: 4, pollTimeout: .milliseconds(50)))
    }

    /// Runs the map task `assignment` gives, as a worker would, and says it is done.
    func completion(of assignment: TaskAssignment, by worker: WorkerID, plan: JobPlan, next: Int?) throws -> CompletionRequest {
        let map = try #require(assignment.map)
        let attempt = try #require(assignment.attempt)
        let output = try AnyJob(wordCount).steps[0].runMapTask(plan.mapTaskContext(map.task, attempt))
        return CompletionRequest(worker: worker, attempt: attempt, map: output, next: next)
    }

    @Test func aCompletionThatAsksForTheNextTaskIsAnsweredWithItOnceHoweverOftenItIsSent() async throws {
        let directory = try TemporaryDirectory()
        let coordinator = try coordinator(directory)
        let plan = await coordinator.plan
        let worker = try await coordinator.register(name: "w").worker
        let first = await coordinator.nextTask(for: worker, request: 1)
        #expect(first.map?.task == MapTaskID(0))

        let done = try completion(of: first, by: worker, plan: plan, next: 2)
        let answer = try await coordinator.complete(done)
        #expect(answer.accepted)
        let next = try #require(answer.next)
        #expect(next.action == .run && next.map?.task == MapTaskID(1))
        #expect(try await coordinator.complete(done).next?.attempt == next.attempt, "the same completion again: the same task")
        #expect(await coordinator.nextTask(for: worker, request: 2).attempt == next.attempt, "asked for with that number: the same task")
        #expect(await coordinator.status().mapAttempts == 2)

        let withoutNext = try await coordinator.complete(try completion(of: next, by: worker, plan: plan, next: nil))
        #expect(withoutNext.accepted && withoutNext.next == nil)
        let last = await coordinator.nextTask(for: worker, request: 3)
        #expect(last.map?.task == MapTaskID(2))
        // The reduces cannot start before the last map commits: nothing to give at once, so nothing carried.
        let other = try await coordinator.register(name: "v").worker
        let waiting = await coordinator.nextTask(for: other, request: 1)
        #expect(waiting.action == .wait)
        let lastAnswer = try await coordinator.complete(try completion(of: last, by: worker, plan: plan, next: 4))
        #expect(lastAnswer.next?.reduce?.task == ReduceTaskID(0), "the map phase over, the reduces are given")
    }
}
