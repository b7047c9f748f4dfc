/// The slowest tasks seen so far, at most `limit`, slowest first (ties in task order): a selection in one pass,
/// so that the status page's table costs O(tasks × log limit) and no copy of the task table.
struct SlowestTasks {
    let limit: Int
    /// The tasks kept, slowest first.
    private(set) var keys: [JobHistory.Key] = []
    private var seconds: [Double] = []

    init(limit: Int) {
        self.limit = limit
        keys.reserveCapacity(limit + 1)
        seconds.reserveCapacity(limit + 1)
    }

    /// Offers `key`, which took (or has run for) `seconds`.
    mutating func offer(seconds taken: Double, _ key: JobHistory.Key) {
        func before(_ index: Int) -> Bool { taken > seconds[index] || (taken == seconds[index] && key < keys[index]) }
        if keys.count == limit, let last = keys.indices.last, !before(last) { return }
        var low = 0
        var high = keys.count
        while low < high {
            let middle = (low + high) / 2
            if before(middle) { high = middle } else { low = middle + 1 }
        }
        keys.insert(key, at: low)
        seconds.insert(taken, at: low)
        if keys.count > limit {
            keys.removeLast()
            seconds.removeLast()
        }
    }
}
