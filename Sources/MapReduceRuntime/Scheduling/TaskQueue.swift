/// The pending tasks of one kind, in the order they are handed out: tasks put back (a lost or failed attempt's, a
/// lost map output's) first, the most recent first, then the others in task order.
///
/// Adding a task, removing any task and taking the first are O(1) (amortized), whatever the number of tasks, so a
/// scheduler of 100,000 tasks does not scan them on every assignment. A removed task's entry stays behind and is
/// skipped when reached; `queued` is the truth.
struct TaskQueue: Sendable {
    private var queued: [Bool]
    /// Put back, in the order they were; the last is the first out.
    private var putBack: [Int] = []
    /// Every task from here on, in task order, was queued at the start (those queued still are).
    private var head = 0
    /// How many tasks are queued.
    private(set) var count: Int

    /// A queue of tasks `0..<tasks`, all queued.
    init(tasks: Int) {
        queued = Array(repeating: true, count: tasks)
        count = tasks
    }

    /// Whether `task` is queued.
    func contains(_ task: Int) -> Bool { queued[task] }

    /// Queues `task` (not queued now) ahead of every other.
    mutating func putFirst(_ task: Int) {
        precondition(!queued[task], "task \(task) is queued already")
        queued[task] = true
        count += 1
        putBack.append(task)
    }

    /// Takes `task` out of the queue, if it is in it.
    mutating func remove(_ task: Int) {
        guard queued[task] else { return }
        queued[task] = false
        count -= 1
    }

    /// Takes out and returns the first queued task that `isEligible` accepts, if any.
    mutating func takeFirst(where isEligible: (Int) -> Bool) -> Int? {
        guard count > 0 else { return nil }
        while let last = putBack.last, !queued[last] { putBack.removeLast() }
        for index in putBack.indices.reversed() where queued[putBack[index]] && isEligible(putBack[index]) {
            let task = putBack.remove(at: index)
            remove(task)
            return task
        }
        while head < queued.count, !queued[head] { head += 1 }
        for task in head..<queued.count where queued[task] && isEligible(task) {
            remove(task)
            if task == head { head += 1 }
            return task
        }
        return nil
    }
}
