import Synchronization

/// How large the last combining table grew, so that the next one starts there instead of growing from
/// ``CombiningTable/initialCapacity`` again: the map tasks a worker runs are alike. (At 1,024 map tasks of 64 KiB,
/// each table doubled seven times, moving every entry and zeroing every new block: 1.3 G of a word count's
/// 15.2 G instructions.)
@usableFromInline
final class TableSizeHint: Sendable {
    /// The process's hint, which every task's table shares.
    @usableFromInline static let shared = TableSizeHint()

    private let bytes = Atomic<Int>(0)

    @usableFromInline init() {}

    /// The bytes of slots the last table ended with (0 before any).
    @usableFromInline var lastBytes: Int { bytes.load(ordering: .relaxed) }

    /// Notes that a table ended (drained or released) with `bytes` bytes of slots.
    @usableFromInline func note(_ bytes: Int) { self.bytes.store(bytes, ordering: .relaxed) }
}
