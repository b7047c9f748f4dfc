import Synchronization

/// Tells a running task attempt to stop: the runners check it before every record (map) and every key (reduce),
/// and the attempt then throws ``JobError`` `cancelled`.
///
/// A worker cancels an attempt that the coordinator no longer wants (another attempt committed its task, or its
/// lease was revoked), so abandoned work stops instead of running on beside the next task. A single long call
/// of user code is not interrupted: the attempt stops when that call returns.
public final class TaskCancellation: Sendable {
    private let cancelled = Atomic<Bool>(false)

    /// Creates a flag that is not set.
    public init() {}

    /// Asks the attempt to stop.
    public func cancel() { cancelled.store(true, ordering: .relaxed) }

    @usableFromInline
    func load() -> Bool { cancelled.load(ordering: .relaxed) }

    /// Throws ``JobError`` `cancelled` if ``cancel()`` was called.
    @inlinable
    public func check() throws(JobError) {
        if load() { throw JobError(.cancelled, "the attempt was cancelled: the coordinator no longer wants it") }
    }
}
