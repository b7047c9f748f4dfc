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
}
