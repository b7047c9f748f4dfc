public import MapReduce

/// How a worker waits after the coordinator refuses a request it cannot do without (registering, asking for a
/// task): 100 ms, then twice as long each time up to 2 s, and for no longer than its grace period of refusals in a
/// row. A worker refused for its whole grace period gives up saying why, instead of asking again in a tight loop
/// (a 403 or 400 on every poll) or once a second forever (a 429 on every registration).
struct RefusalBackoff {
    /// How long refusals in a row may last.
    let gracePeriod: Duration
    /// The coordinator's URL, for the error.
    let url: String
    private let clock = ContinuousClock()
    private var firstRefusal: ContinuousClock.Instant?
    private var delay = Self.shortest

    private static let shortest = Duration.milliseconds(100)
    private static let longest = Duration.seconds(2)

    init(gracePeriod: Duration, url: String) {
        self.gracePeriod = gracePeriod
        self.url = url
    }

    /// A request was accepted: the next refusal starts a new run.
    mutating func accepted() {
        firstRefusal = nil
        delay = Self.shortest
    }

    /// Waits before the request `refusal` answered is made again.
    /// - Throws: ``TurnedAway`` once refusals have lasted the grace period; `CancellationError`.
    mutating func wait(after refusal: CoordinatorClient.Refused?) async throws {
        let first = firstRefusal ?? clock.now
        firstRefusal = first
        guard clock.now - first + delay <= gracePeriod else { throw TurnedAway(url: url, grace: gracePeriod, last: refusal) }
        try await Task.sleep(for: delay)
        delay = min(delay * 2, Self.longest)
    }
}

/// The coordinator refused every request a worker needs, for the worker's whole grace period.
public struct TurnedAway: MapReduceError {
    /// The coordinator's URL.
    public let url: String
    /// The grace period.
    public let grace: Duration
    /// The last refusal.
    public let last: CoordinatorClient.Refused?
    /// Always ``MapReduce/ErrorCode/refused``.
    public var code: ErrorCode { .refused }
    /// The last refusal.
    public var cause: (any Error)? { last }
    public var message: String {
        "coordinator \(url) refused this worker for \(grace) (\(last?.message ?? "no answer")); giving up: check that it runs this job and "
            + "accepts more workers"
    }
}
