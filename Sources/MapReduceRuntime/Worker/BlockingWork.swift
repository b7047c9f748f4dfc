import Foundation

/// Runs CPU-bound, blocking work (a user's map or reduce) on a thread of its own, so the cooperative thread pool
/// stays free for heartbeats and HTTP while it runs.
func runOnOwnThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread { continuation.resume(with: Result { try body() }) }
        thread.stackSize = 16 << 20
        thread.start()
    }
}
