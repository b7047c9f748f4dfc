import Foundation
import Jobs
import Logging
import MapReduce
import MapReduceTesting
import Synchronization
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
        // The last map's completion is answered before its commit is on disk, so no reduce can be given yet; the
        // worker asks with the same number, and gets one once the map phase is over.
        let lastAnswer = try await coordinator.complete(try completion(of: last, by: worker, plan: plan, next: 4))
        #expect(lastAnswer.accepted)
        let deadline = ContinuousClock.now + .seconds(30)
        var reduce = lastAnswer.next
        while reduce?.action != .run, ContinuousClock.now < deadline { reduce = await coordinator.nextTask(for: worker, request: 4) }
        #expect(reduce?.reduce?.task == ReduceTaskID(0), "the map phase over, the reduces are given")
    }

    /// On a filesystem busy with the workers' files, the fsync of a commit's journal entry is most of a
    /// completion's wait. A completion that asks for the next task is answered once its files are confirmed, and
    /// its worker starts that task while the entry reaches the disk; the commit takes effect only then. One that
    /// asks for none is answered once its commit is on disk.
    @Test func aCompletionAskingForMoreWorkIsAnsweredBeforeItsCommitIsOnDisk() async throws {
        let directory = try TemporaryDirectory()
        let coordinator = try coordinator(directory)
        let plan = await coordinator.plan
        let fsyncStalled = Mutex(true)
        let entered = Mutex(0)
        let written = Mutex(0)
        await coordinator.setJournalCommit { commit in
            entered.withLock { $0 += 1 }
            while fsyncStalled.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(1)) }
            try await commit()
            written.withLock { $0 += 1 }
        }
        let clock = ContinuousClock()
        /// Waits (30 s at most) until `condition` holds, and says whether it did.
        func eventually(_ condition: () async -> Bool) async -> Bool {
            let deadline = clock.now + .seconds(30)
            while clock.now < deadline {
                if await condition() { return true }
                try? await Task.sleep(for: .milliseconds(2))
            }
            return false
        }
        let worker = try await coordinator.register(name: "w").worker
        let first = await coordinator.nextTask(for: worker, request: 1)
        let asking = try completion(of: first, by: worker, plan: plan, next: 2)
        let answer = Mutex<CompletionResponse?>(nil)
        let answered = Task {
            let response = try? await coordinator.complete(asking)
            answer.withLock { $0 = response }
        }
        #expect(await eventually { answer.withLock { $0 } != nil }, "answered while its journal entry waits for the fsync")
        #expect(answer.withLock { $0?.accepted == true && $0?.next?.map?.task == MapTaskID(1) })
        #expect(written.withLock { $0 } == 0 && entered.withLock { $0 } == 1)
        #expect(await coordinator.status().maps.committed == 0, "the commit takes effect only once on disk")

        fsyncStalled.withLock { $0 = false }
        await answered.value
        #expect(await eventually { await coordinator.status().maps.committed == 1 })
        #expect(await !coordinator.isCommitting(asking.attempt))

        fsyncStalled.withLock { $0 = true }
        let second = try #require(answer.withLock { $0?.next })
        let notAsking = try completion(of: second, by: worker, plan: plan, next: nil)
        let durable = Task { try await coordinator.complete(notAsking) }
        #expect(await eventually { entered.withLock { $0 } == 2 })
        #expect(await coordinator.isCommitting(notAsking.attempt), "not answered while its entry is not on disk")
        fsyncStalled.withLock { $0 = false }
        #expect(try await durable.value.accepted)
        #expect(written.withLock { $0 } == 2)
        #expect(await coordinator.status().maps.committed == 2)
    }
}
