#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Hash aggregation for map outputs when a job has a combiner: one entry per distinct encoded key, its values
/// folded as they arrive.
///
/// Open addressing with linear probing on the key's ``StableHash``. Each slot holds the key's first 16 bytes and
/// the value inline (32 bytes for an `Int` value, so a slot never straddles a cache line), so looking up a short
/// key (most words) touches one slot; longer keys keep their bytes in an arena. Values stay typed until
/// ``drain(into:)`` encodes them into a ``RecordBuffer``.
///
/// The slots live in memory the table manages itself (``SlotMemory``): a value is initialized only in an occupied
/// slot. The table is a single owner: it is held in one place (the collector's state), never copied, and
/// ``deallocate()`` must be called once at its end.
@usableFromInline
struct CombiningTable<Value: RecordCodable> {
    @usableFromInline
    struct Slot {
        /// Key bytes 0..<8, zero-padded.
        @usableFromInline var head: UInt64
        /// Key bytes 8..<16, zero-padded, for keys of at most 16 bytes; the key's arena offset for longer ones.
        @usableFromInline var tail: UInt64
        /// The key's length plus one; 0 marks an empty slot (whose value is not initialized).
        @usableFromInline var lengthPlusOne: UInt32
        @usableFromInline var partition: UInt32
        @usableFromInline var value: Value

        @inlinable
        init(head: UInt64, tail: UInt64, lengthPlusOne: UInt32, partition: UInt32, value: Value) {
            self.head = head
            self.tail = tail
            self.lengthPlusOne = lengthPlusOne
            self.partition = partition
            self.value = value
        }
    }

    /// Where in a slot its ``Slot/lengthPlusOne`` (0: empty) is.
    @usableFromInline static var markerOffset: Int { MemoryLayout<Slot>.offset(of: \.lengthPlusOne)! }

    /// The fewest slots a table has: what the first table of a process starts with.
    @usableFromInline static var initialCapacity: Int { 64 }
    @usableFromInline var slots: UnsafeMutablePointer<Slot>
    /// The number of slots, a power of two.
    @usableFromInline var capacity: Int
    @usableFromInline var longKeys: [UInt8] = []
    @usableFromInline var count = 0
    @usableFromInline let memoryBudget: Int
    @usableFromInline let sizeHint: TableSizeHint

    /// Creates an empty table as large as the last one of the process grew (`sizeHint`), but no larger than half
    /// of `memoryBudget` (a table spills once over the budget: the half leaves it room to grow once).
    @inlinable
    init(memoryBudget: Int, sizeHint: TableSizeHint = .shared) {
        self.memoryBudget = memoryBudget
        self.sizeHint = sizeHint
        capacity = Self.startingCapacity(lastBytes: sizeHint.lastBytes, memoryBudget: memoryBudget)
        slots = Self.allocateSlots(capacity)
    }

    /// The largest power of two of slots, from ``initialCapacity``, that fits in both `lastBytes` and half of
    /// `memoryBudget`.
    @usableFromInline
    static func startingCapacity(lastBytes: Int, memoryBudget: Int) -> Int {
        let limit = min(lastBytes, memoryBudget / 2)
        var capacity = initialCapacity
        while capacity * 2 * MemoryLayout<Slot>.stride <= limit { capacity *= 2 }
        return capacity
    }

    @usableFromInline
    static func allocateSlots(_ capacity: Int) -> UnsafeMutablePointer<Slot> {
        SlotMemory.allocate(bytes: capacity * MemoryLayout<Slot>.stride).bindMemory(to: Slot.self, capacity: capacity)
    }

    /// Hands back slots from ``allocateSlots(_:)`` that hold no value any more.
    @usableFromInline
    static func recycleSlots(_ slots: UnsafeMutablePointer<Slot>, capacity: Int) {
        SlotMemory.recycle(UnsafeMutableRawPointer(slots), bytes: capacity * MemoryLayout<Slot>.stride)
    }

    @inlinable
    var memoryUsage: Int { capacity * MemoryLayout<Slot>.stride + longKeys.capacity }

    /// Folds `value` into the entry for the key, creating it if new.
    /// - Parameters:
    ///   - length: the key's length in bytes.
    ///   - longKey: the key's bytes if it is longer than 16 bytes (a short key is all in `head` and `tail`).
    ///   - head: the key's bytes 0..<8, zero-padded (little-endian).
    ///   - tail: the key's bytes 8..<16, zero-padded, if the key has at most 16 bytes (ignored otherwise).
    ///   - hash: the key's ``StableHash``.
    ///   - partition: the key's partition, asked only when the key is new.
    /// - Returns: whether a new entry was created (only then can memory use grow).
    @inlinable @discardableResult
    mutating func add(
        length: Int, longKey: UnsafeRawBufferPointer?, head: UInt64, tail: UInt64, hash: UInt64, value: Value,
        combine: (Value, Value) -> Value, partition: (UInt64) -> Int
    ) -> Bool {
        let lengthPlusOne = UInt32(truncatingIfNeeded: length + 1)
        let mask = capacity - 1
        var index = Int(truncatingIfNeeded: hash) & mask
        while true {
            let slot = slots + index
            let occupied = slot.pointee.lengthPlusOne
            if occupied == 0 { break }
            if occupied == lengthPlusOne, slot.pointee.head == head,
                longKey.map({ Self.longKeyEquals(longKeys, at: Int(slot.pointee.tail), $0) }) ?? (slot.pointee.tail == tail)
            {
                slot.pointee.value = combine(slot.pointee.value, value)
                return false
            }
            index = (index + 1) & mask
        }
        var stored = tail
        if let longKey {
            stored = UInt64(longKeys.count)
            longKeys.append(contentsOf: longKey)
        }
        (slots + index).initialize(
            to: Slot(head: head, tail: stored, lengthPlusOne: lengthPlusOne, partition: UInt32(truncatingIfNeeded: partition(hash)), value: value))
        count += 1
        if count * 10 > capacity * 7 { grow() }
        return true
    }

    /// The slot where probing for `hash` starts, to prefetch.
    @inlinable
    func firstSlot(for hash: UInt64) -> UnsafeRawPointer {
        UnsafeRawPointer(slots + (Int(truncatingIfNeeded: hash) & (capacity - 1)))
    }

    @usableFromInline
    static func longKeyEquals(_ longKeys: [UInt8], at offset: Int, _ key: UnsafeRawBufferPointer) -> Bool {
        longKeys.withUnsafeBytes { memcmp($0.baseAddress! + offset, key.baseAddress!, key.count) == 0 }
    }

    /// The hash of the key in `slot` (slots do not keep it: it is cheap to recompute, and leaving it out keeps a
    /// slot within a cache line).
    @inlinable
    func hash(of slot: UnsafeMutablePointer<Slot>) -> UInt64 {
        let length = Int(slot.pointee.lengthPlusOne - 1)
        guard length > 16 else { return StableHash.hash(head: slot.pointee.head, tail: slot.pointee.tail, count: length) }
        let offset = Int(slot.pointee.tail)
        return longKeys.withUnsafeBytes { StableHash.hash(UnsafeRawBufferPointer(rebasing: $0[offset..<(offset + length)])) }
    }

    /// Doubles the slots, moving every entry to its place in the new ones. Inlinable, so that it is specialized
    /// for the job's value type (generic, each move went through the runtime: 42 instructions an entry).
    @inlinable
    mutating func grow() {
        let old = slots
        let oldCapacity = capacity
        capacity *= 2
        slots = Self.allocateSlots(capacity)
        let mask = capacity - 1
        for position in 0..<oldCapacity where old[position].lengthPlusOne != 0 {
            var index = Int(truncatingIfNeeded: hash(of: old + position)) & mask
            while slots[index].lengthPlusOne != 0 { index = (index + 1) & mask }
            (slots + index).initialize(to: (old + position).move())
        }
        Self.recycleSlots(old, capacity: oldCapacity)
    }

    /// Encodes every entry as a record into `records` and empties the table.
    @inlinable
    mutating func drain(into records: inout RecordBuffer) {
        records.reserveCapacity(records: count)
        longKeys.withUnsafeBytes { longKeys in
            for position in 0..<capacity where slots[position].lengthPlusOne != 0 {
                let slot = (slots + position).move()
                // Empty again (the slot's memory is uninitialized now: only the marker is written), for the
                // entries that come after the drain.
                UnsafeMutableRawPointer(slots + position).storeBytes(of: 0, toByteOffset: Self.markerOffset, as: UInt32.self)
                let length = Int(slot.lengthPlusOne - 1)
                withUnsafeBytes(of: (slot.head, slot.tail)) { short in
                    let key =
                        length > 16
                        ? UnsafeRawBufferPointer(rebasing: longKeys[Int(slot.tail)..<(Int(slot.tail) + length)])
                        : UnsafeRawBufferPointer(rebasing: short[..<length])
                    // `head` is the key's first 8 bytes, zero-padded and little-endian: swapped, its prefix.
                    records.append(key: key, partition: Int(slot.partition), prefix: slot.head.byteSwapped) { slot.value.encode(to: &$0) }
                }
            }
        }
        count = 0
        longKeys.removeAll(keepingCapacity: true)
        startAgain()
    }

    /// Notes the size the drained table reached (for the next table), and keeps its slots, all empty again, for
    /// the entries that follow a spill, unless they take more than half the budget: then it starts again at
    /// half (a table that stayed over the budget would spill at every new key).
    @usableFromInline
    mutating func startAgain() {
        let bytes = capacity * MemoryLayout<Slot>.stride
        sizeHint.note(bytes)
        let next = Self.startingCapacity(lastBytes: bytes, memoryBudget: memoryBudget)
        guard next != capacity else { return }
        Self.recycleSlots(slots, capacity: capacity)
        capacity = next
        slots = Self.allocateSlots(capacity)
    }

    /// Releases the values still held and gives the slots' memory back. The table must not be used afterwards.
    @usableFromInline
    mutating func deallocate() {
        if count > 0 {
            for position in 0..<capacity where slots[position].lengthPlusOne != 0 { _ = (slots + position).move() }
        }
        Self.recycleSlots(slots, capacity: capacity)
        count = 0
    }
}
