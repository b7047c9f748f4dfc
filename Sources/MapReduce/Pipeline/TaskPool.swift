import Dispatch
import Synchronization

/// Runs the tasks `0..<count` of a phase on up to `threads` threads at once, each thread taking the next task not
/// yet taken, so tasks start in order whatever their lengths.
///
/// Once a task throws, no further task starts (those running finish), and the error thrown is that of the
/// lowest-numbered task that threw: every task below it had started, so it is the error a run of one task after
/// another would have met first.
enum TaskPool {
    /// Runs `body` for each task; `finished` is called after each one that succeeds, one call at a time, with the
    /// number of tasks that succeeded so far and the result.
    /// - Returns: the results, in task order.
    static func run<Result: Sendable>(
        _ count: Int, threads: Int, _ body: @Sendable (Int) throws -> Result, finished: @Sendable (_ done: Int, Result) -> Void
    ) throws -> [Result] {
        let next = Atomic<Int>(0)
        let stop = Atomic<Bool>(false)
        let state = Mutex<(results: [Result?], done: Int, errors: [(task: Int, error: any Error)])>((Array(repeating: nil, count: count), 0, []))
        DispatchQueue.concurrentPerform(iterations: max(1, min(threads, count))) { _ in
            while !stop.load(ordering: .acquiring) {
                let task = next.wrappingAdd(1, ordering: .relaxed).oldValue
                guard task < count else { return }
                do {
                    let result = try body(task)
                    state.withLock { state in
                        state.results[task] = result
                        state.done += 1
                        finished(state.done, result)
                    }
                } catch {
                    state.withLock { $0.errors.append((task, error)) }
                    stop.store(true, ordering: .releasing)
                }
            }
        }
        return try state.withLock { state in
            if let first = state.errors.min(by: { $0.task < $1.task }) { throw first.error }
            return state.results.map { result in
                guard let result else { preconditionFailure("every task ran, none threw") }
                return result
            }
        }
    }
}
