import Synchronization
import Testing

@testable import MapReduceRuntime

/// A long poll reserves its place in the signal when it decides to wait, and adds itself once it runs again; other
/// work on the coordinator's actor runs in between. A change then must still wake it: it used to be lost, and the
/// poll slept to its deadline (a worker that asked for work just before the last commit of a job reached the
/// disk waited 10 s to be told to exit).
@Suite struct ChangeSignalTests {
    /// A signal shared with a waiting task, as the actor shares it with its long polls.
    final class Shared: Sendable {
        let signal = Mutex(ChangeSignal())
        let resumed = Mutex(false)

        /// Adds the waiter `id` in a task, which notes when it is resumed.
        func wait(as id: Int) -> Task<Void, Never> {
            Task {
                await withCheckedContinuation { continuation in signal.withLock { $0.add(continuation, as: id) } }
                resumed.withLock { $0 = true }
            }
        }

        /// Waits up to 10 s for `condition`.
        func eventually(_ condition: () -> Bool) async {
            let deadline = ContinuousClock.now + .seconds(10)
            while !condition(), ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(1)) }
        }

        /// Adds the waiter `id`, and says whether it was resumed within 10 s (then resumes it, so nothing hangs).
        func resumedAtOnce(_ id: Int) async -> Bool {
            let waiter = wait(as: id)
            await eventually { resumed.withLock { $0 } }
            let wasResumed = resumed.withLock { $0 }
            signal.withLock { $0.resume(id) }
            await waiter.value
            return wasResumed
        }
    }

    @Test func aChangeBetweenReservingAndAddingWakesTheWaiter() async {
        let shared = Shared()
        let id = shared.signal.withLock { $0.reserve() }
        shared.signal.withLock { $0.notifyAll() }
        #expect(await shared.resumedAtOnce(id))
    }

    @Test func aWaiterThatGaveUpBeforeItWasAddedIsResumedWhenAdded() async {
        let shared = Shared()
        let id = shared.signal.withLock { $0.reserve() }
        shared.signal.withLock { $0.resume(id) }
        #expect(await shared.resumedAtOnce(id))
    }

    @Test func aWaiterWithNoChangeSinceItsReservationWaitsForTheNext() async {
        let shared = Shared()
        shared.signal.withLock { $0.notifyAll() }
        let id = shared.signal.withLock { $0.reserve() }
        let waiter = shared.wait(as: id)
        await shared.eventually { shared.signal.withLock { $0.waiting } == 1 }
        #expect(shared.signal.withLock { $0.waiting } == 1 && !shared.resumed.withLock { $0 }, "added, and waiting")
        shared.signal.withLock { $0.notifyAll() }
        await waiter.value
        #expect(shared.resumed.withLock { $0 } && shared.signal.withLock { $0.waiting } == 0)
    }
}
