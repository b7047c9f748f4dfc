/// Long polls: a request for a task waits until the state changes or its deadline passes.
extension Coordinator {
    /// Suspends until the state changes after `waiter` was reserved (``ChangeSignal/reserve()``, before the caller
    /// first suspended), or `deadline` passes.
    func waitForChange(_ waiter: Int, until deadline: ContinuousClock.Instant) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await Task.sleep(until: deadline, clock: .continuous) }
            group.addTask { await self.suspendUntilNotified(waiter) }
            await group.next()
            // The other child ends by cancellation: a timed-out waiter leaves, waking nobody else.
            group.cancelAll()
        }
    }

    func suspendUntilNotified(_ id: Int) async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                signal.add(continuation, as: id)
                if Task.isCancelled { signal.resume(id) }
            }
        } onCancel: {
            Task { await self.cancelWaiter(id) }
        }
    }

    func cancelWaiter(_ id: Int) { signal.resume(id) }

    /// Returns once the job has an outcome, `deadline` passes or the task is cancelled, whichever comes first: the
    /// end wakes the waiters, so it is seen as it happens.
    /// - Returns: whether the job has an outcome.
    @discardableResult
    func waitForOutcome(until deadline: ContinuousClock.Instant) async -> Bool {
        while core.outcome == nil, ContinuousClock.now < deadline, !Task.isCancelled {
            // Reserved on the actor before suspending: an end from now on wakes it.
            await waitForChange(signal.reserve(), until: deadline)
        }
        return core.outcome != nil
    }

    /// Calls ``tick()`` every `interval` until the job has an outcome, and returns as soon as it has one, rather
    /// than at the next tick (up to 250 ms later, after every job).
    /// - Throws: `CancellationError` if the task is cancelled first.
    func tickUntilOutcome(every interval: Duration) async throws {
        while await !waitForOutcome(until: .now + interval) {
            try Task.checkCancellation()
            tick()
        }
    }
}
