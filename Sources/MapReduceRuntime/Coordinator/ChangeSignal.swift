/// Lets long-polling requests sleep until the scheduler's state changes, or until they give up.
///
/// Used from inside the ``Coordinator`` actor: `wait` suspends the caller (releasing the actor) until
/// ``notifyAll()`` or cancellation resumes it.
struct ChangeSignal {
    private var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
    private var nextID = 0

    /// A number for a waiter about to be added.
    mutating func reserve() -> Int {
        nextID += 1
        return nextID
    }

    mutating func add(_ continuation: CheckedContinuation<Void, Never>, as id: Int) { waiters[id] = continuation }

    mutating func resume(_ id: Int) { waiters.removeValue(forKey: id)?.resume() }

    mutating func notifyAll() {
        let all = waiters
        waiters.removeAll()
        for continuation in all.values { continuation.resume() }
    }
}
