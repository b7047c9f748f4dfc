/// A short-keyed pair waiting for its combining-table slot's cache line to arrive.
@usableFromInline
struct PendingPair<Value> {
    /// The key's bytes 0..<8 and 8..<16, zero-padded (little-endian).
    @usableFromInline var head: UInt64
    @usableFromInline var tail: UInt64
    @usableFromInline var hash: UInt64
    @usableFromInline var length: Int32
    /// The partition a partitioner or range boundaries chose, or -1 for the hash's.
    @usableFromInline var partition: Int32
    @usableFromInline var value: Value

    @inlinable
    init(head: UInt64, tail: UInt64, hash: UInt64, length: Int, partition: Int, value: Value) {
        self.head = head
        self.tail = tail
        self.hash = hash
        self.length = Int32(truncatingIfNeeded: length)
        self.partition = Int32(truncatingIfNeeded: partition)
        self.value = value
    }
}

/// Pairs whose table slot is being prefetched: a fixed ring of two halves, oldest first. The table's random
/// accesses dominate the map side of a combining job; starting each one at least ``half`` pairs before it is
/// needed hides their latency.
///
/// A single owner, like the table: held in the collector's state, never copied, ``deallocate()`` called once.
@usableFromInline
struct PendingPairs<Value> {
    @usableFromInline static var half: Int { 16 }
    @usableFromInline let storage: UnsafeMutablePointer<PendingPair<Value>>
    /// The pairs held, from ``start`` (wrapping).
    @usableFromInline var count = 0
    @usableFromInline var start = 0

    @inlinable
    init() { storage = .allocate(capacity: 2 * Self.half) }

    @inlinable
    var isFull: Bool { count == 2 * Self.half }

    /// Queues `pair`; the ring must not be full.
    @inlinable
    mutating func push(_ pair: PendingPair<Value>) {
        (storage + ((start + count) & (2 * Self.half - 1))).initialize(to: pair)
        count += 1
    }

    /// Takes the oldest pair; the ring must not be empty.
    @inlinable
    mutating func popOldest() -> PendingPair<Value> {
        let pair = (storage + start).move()
        start = (start + 1) & (2 * Self.half - 1)
        count -= 1
        return pair
    }

    /// Releases the pairs still held and the storage.
    @usableFromInline
    mutating func deallocate() {
        while count > 0 { _ = popOldest() }
        storage.deallocate()
    }
}
