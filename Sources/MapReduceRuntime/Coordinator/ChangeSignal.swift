/// Lets long-polling requests sleep until the scheduler's state changes, or until they give up.
///
/// Used from inside the ``Coordinator`` actor. A waiter takes its number with ``reserve()`` at the moment it
/// decides to wait (on the actor, before it suspends), and adds its continuation with ``add(_:as:)`` once it runs
/// again: a ``notifyAll()`` in between, which other work on the actor may well do meanwhile, resumes it at once
/// instead of being lost (a poll so slept to its deadline while the job it waited on went on, or ended).
struct ChangeSignal {
    private var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
    /// Numbers reserved and not yet added, each with the count of notifications when it was reserved.
    private var reserved: [Int: Int] = [:]
    private var nextID = 0
    private var notifications = 0

    /// A number for a waiter about to be added: every notification from now on reaches it.
    mutating func reserve() -> Int {
        nextID += 1
        reserved[nextID] = notifications
        return nextID
    }

    /// Adds the waiter `id`, unless it was notified or resumed since its number was reserved: then it is resumed
    /// at once.
    mutating func add(_ continuation: CheckedContinuation<Void, Never>, as id: Int) {
        guard let seen = reserved.removeValue(forKey: id), seen == notifications else { return continuation.resume() }
        waiters[id] = continuation
    }

    /// Resumes the waiter `id` (it gave up), or makes it resume at once when it is added.
    mutating func resume(_ id: Int) {
        reserved.removeValue(forKey: id)
        waiters.removeValue(forKey: id)?.resume()
    }

    mutating func notifyAll() {
        notifications += 1
        let all = waiters
        waiters.removeAll()
        for continuation in all.values { continuation.resume() }
    }

    /// How many waiters are added and waiting.
    var waiting: Int { waiters.count }
}
