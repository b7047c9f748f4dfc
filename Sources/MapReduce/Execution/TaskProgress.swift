import Synchronization

/// How far a running task attempt got: records and bytes read so far, published by the task's thread every few
/// thousand records and read by whoever reports it (a worker sends it with its heartbeats).
public final class TaskProgress: Sendable {
    private let recordsRead = Atomic<Int64>(0)
    private let bytesRead = Atomic<Int64>(0)

    /// How many records pass between two updates: cheap enough to ignore per record, fine enough to watch. A
    /// literal the compiler folds, so the per-record test is a mask, not a division.
    @inlinable
    static var interval: Int64 { 4096 }

    /// Creates a meter at zero.
    public init() {}

    /// Records read so far.
    public var records: Int64 { recordsRead.load(ordering: .relaxed) }
    /// Bytes read so far (a map's input; a reduce reports none).
    public var bytes: Int64 { bytesRead.load(ordering: .relaxed) }

    /// Publishes `records` and `bytes` read so far.
    @usableFromInline
    func update(records: Int64, bytes: Int64) {
        recordsRead.store(records, ordering: .relaxed)
        bytesRead.store(bytes, ordering: .relaxed)
    }
}
