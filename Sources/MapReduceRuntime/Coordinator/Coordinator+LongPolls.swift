/// Long polls: a request for a task waits until the state changes or its deadline passes; what waits for the job's
/// end (the watcher, the control connections) waits on a signal of its own, which only the end notifies.
extension Coordinator {
    /// The signals one may wait on.
    enum Signal: Sendable {
        /// ``Coordinator/signal``: the state changed.
        case change
        /// ``Coordinator/endSignal``: the job has an outcome.
        case end
    }

    /// Runs `body` on the signal `which`.
    func update<T>(_ which: Signal, _ body: (inout ChangeSignal) -> T) -> T {
        switch which {
        case .change: body(&signal)
        case .end: body(&endSignal)
        }
    }

    /// Suspends until `signal` is notified after `waiter` was reserved on it (``ChangeSignal/reserve()``, before
    /// the caller first suspended), or `deadline` passes.
    func waitForChange(_ waiter: Int, on signal: Signal = .change, until deadline: ContinuousClock.Instant) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await Task.sleep(until: deadline, clock: .continuous) }
            group.addTask { await self.suspendUntilNotified(waiter, on: signal) }
            await group.next()
            // The other child ends by cancellation: a timed-out waiter leaves, waking nobody else.
            group.cancelAll()
        }
    }

    func suspendUntilNotified(_ id: Int, on signal: Signal) async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                update(signal) { $0.add(continuation, as: id) }
                if Task.isCancelled { update(signal) { $0.resume(id) } }
            }
        } onCancel: {
            Task { await self.cancelWaiter(id, on: signal) }
        }
    }

    func cancelWaiter(_ id: Int, on signal: Signal) { update(signal) { $0.resume(id) } }

    /// Returns once the job has an outcome, `deadline` passes or the task is cancelled, whichever comes first: the
    /// end wakes the waiters, so it is seen as it happens.
    /// - Returns: whether the job has an outcome.
    @discardableResult
    func waitForOutcome(until deadline: ContinuousClock.Instant) async -> Bool {
        while core.outcome == nil, ContinuousClock.now < deadline, !Task.isCancelled {
            // Reserved on the actor before suspending: an end from now on wakes it.
            await waitForChange(endSignal.reserve(), on: .end, until: deadline)
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
