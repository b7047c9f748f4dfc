import Foundation
import Synchronization

/// Runs CPU-bound, blocking work (a user's map or reduce) on a thread of its own, so the cooperative thread pool
/// stays free for heartbeats and HTTP while it runs.
///
/// The wait can be abandoned: ``abandon()`` makes ``value()`` return `nil` at once (the thread finishes on its own
/// and its result is dropped). A worker does this when the coordinator says its attempt is no longer wanted.
final class BlockingWork<T: Sendable>: Sendable {
    private enum State {
        case running
        case waiting(CheckedContinuation<T?, Never>)
        case finished(T?)
        case consumed
    }

    private let state = Mutex<State>(.running)

    /// Starts `body` on a new thread.
    init(_ body: @escaping @Sendable () -> T) {
        let thread = Thread { [self] in deliver(body()) }
        thread.stackSize = 16 << 20
        thread.start()
    }

    /// The work's result, or `nil` if it was abandoned.
    func value() async -> T? {
        await withCheckedContinuation { continuation in
            let ready: T?? = state.withLock { state in
                switch state {
                case .running:
                    state = .waiting(continuation)
                    return .none
                case .finished(let value):
                    state = .consumed
                    return .some(value)
                case .waiting, .consumed:
                    preconditionFailure("value() awaited twice")
                }
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    /// Stops waiting: ``value()`` returns `nil`.
    func abandon() { deliver(nil) }

    private func deliver(_ value: T?) {
        let waiter: CheckedContinuation<T?, Never>? = state.withLock { state in
            switch state {
            case .running:
                state = .finished(value)
                return nil
            case .waiting(let continuation):
                state = .consumed
                return continuation
            case .finished, .consumed:
                return nil
            }
        }
        waiter?.resume(returning: value)
    }
}
