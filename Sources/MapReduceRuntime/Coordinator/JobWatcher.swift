import Logging
public import ServiceLifecycle

/// Drives a coordinator's clock: expires leases on a tick, and returns once the job is over, seen as it ends, not at
/// the next tick (after a short
/// linger so idle workers hear that they can exit, and as long as asked to keep serving the status page and
/// `/metrics` for a last look or scrape), which shuts the server down.
public struct JobWatcher: Service {
    let coordinator: Coordinator
    let tick: Duration
    let linger: Duration
    let serveAfterEnd: Duration

    /// Creates a watcher that checks every `tick` and, after the job ends, lingers up to `linger` while workers
    /// are still listening, and at least `serveAfterEnd` in any case.
    public init(coordinator: Coordinator, tick: Duration, linger: Duration, serveAfterEnd: Duration = .zero) {
        self.coordinator = coordinator
        self.tick = tick
        self.linger = linger
        self.serveAfterEnd = serveAfterEnd
    }

    public func run() async throws {
        do {
            try await watch()
        } catch is CancellationError {
            // A signal asked the group to shut down: stopping early is the expected outcome, not an error.
        }
    }

    private func watch() async throws {
        try await cancelWhenGracefulShutdown {
            try await coordinator.tickUntilOutcome(every: tick)
            // Let polling workers collect their `exit` before the server goes away.
            let clock = ContinuousClock()
            let ended = clock.now
            let end = ended + max(linger, serveAfterEnd)
            while clock.now < end, await coordinator.hasListeningWorkers() || clock.now < ended + serveAfterEnd {
                try await Task.sleep(for: .milliseconds(20))
            }
        }
    }
}
