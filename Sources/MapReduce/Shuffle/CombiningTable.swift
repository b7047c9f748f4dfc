#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Hash aggregation for map outputs when a job has a combiner: one entry per distinct encoded key, its values
/// folded as they arrive.
///
/// Open addressing with linear probing on the key's xxHash64. Each slot holds the key's first 16 bytes and the
/// value inline, so looking up a short key (most words) touches one slot; longer keys keep their bytes in an
/// arena. Values stay typed until ``drain()`` encodes them into a ``RecordBuffer``.
@usableFromInline
struct CombiningTable<Value: RecordCodable> {
    @usableFromInline
    struct Slot {
        /// Key bytes 0..<8, zero-padded.
        @usableFromInline var head: UInt64
        /// Key bytes 8..<16, zero-padded, for keys of at most 16 bytes; the key's arena offset for longer ones.
        @usableFromInline var tail: UInt64
        @usableFromInline var hash: UInt64
        /// The key's length plus one; 0 marks an empty slot.
        @usableFromInline var lengthPlusOne: UInt32
        @usableFromInline var partition: UInt32
        @usableFromInline var value: Value?

        @inlinable
        static var empty: Slot { Slot(head: 0, tail: 0, hash: 0, lengthPlusOne: 0, partition: 0, value: nil) }

        @inlinable
        init(head: UInt64, tail: UInt64, hash: UInt64, lengthPlusOne: UInt32, partition: UInt32, value: Value?) {
            self.head = head
            self.tail = tail
            self.hash = hash
            self.lengthPlusOne = lengthPlusOne
            self.partition = partition
            self.value = value
        }
    }

    /// Starts small so a tight memory budget still holds many entries between spills.
    @usableFromInline static var initialSlots: Int { 64 }
    @usableFromInline var slots = SlotStorage<Slot>(repeating: .empty, count: initialSlots)
    @usableFromInline var longKeys: [UInt8] = []
    @usableFromInline var count = 0

    @inlinable init() {}

    @inlinable
    var memoryUsage: Int { slots.count * MemoryLayout<Slot>.stride + longKeys.capacity }

    /// Folds `value` into the entry for `key`, creating it if new.
    /// - Parameters:
    ///   - head: the key's bytes 0..<8, zero-padded (little-endian).
    ///   - tail: the key's bytes 8..<16, zero-padded, if the key has at most 16 bytes (ignored otherwise).
    ///   - partition: the key's partition, asked only when the key is new.
    /// - Returns: whether a new entry was created (only then can memory use grow).
    @inlinable @discardableResult
    mutating func add(
        key: UnsafeRawBufferPointer, head: UInt64, tail: UInt64, hash: UInt64, value: Value, combine: (Value, Value) -> Value,
        partition: (UInt64) -> Int
    ) -> Bool {
        add(length: key.count, longKey: key.count > 16 ? key : nil, head: head, tail: tail, hash: hash, value: value, combine: combine, partition: partition)
    }

    /// ``add(key:head:tail:hash:value:combine:partition:)`` for a key given by its length, and its bytes only if it
    /// is longer than 16 bytes (a short key is all in `head` and `tail`).
    @inlinable @discardableResult
    mutating func add(
        length: Int, longKey: UnsafeRawBufferPointer?, head: UInt64, tail: UInt64, hash: UInt64, value: Value,
        combine: (Value, Value) -> Value, partition: (UInt64) -> Int
    ) -> Bool {
        var tail = length <= 16 ? tail : 0
        let lengthPlusOne = UInt32(length + 1)
        let mask = slots.count - 1
        var index = Int(truncatingIfNeeded: hash) & mask
        let slots = self.slots.pointer
        while true {
            let slot = slots[index]
            if slot.lengthPlusOne == 0 { break }
            if slot.hash == hash, slot.lengthPlusOne == lengthPlusOne, slot.head == head,
                longKey.map({ Self.longKeyEquals(longKeys, at: Int(slot.tail), $0) }) ?? (slot.tail == tail)
            {
                slots[index].value = combine(slot.value.unsafelyUnwrapped, value)
                return false
            }
            index = (index + 1) & mask
        }
        if let longKey {
            tail = UInt64(longKeys.count)
            longKeys.append(contentsOf: longKey)
        }
        slots[index] = Slot(head: head, tail: tail, hash: hash, lengthPlusOne: lengthPlusOne, partition: UInt32(partition(hash)), value: value)
        count += 1
        if count * 10 > self.slots.count * 7 { grow() }
        return true
    }

    /// The slot where probing for `hash` starts, to prefetch.
    @inlinable
    func firstSlot(for hash: UInt64) -> UnsafeRawPointer {
        UnsafeRawPointer(slots.pointer + (Int(truncatingIfNeeded: hash) & (slots.count - 1)))
    }

    @usableFromInline
    static func longKeyEquals(_ longKeys: [UInt8], at offset: Int, _ key: UnsafeRawBufferPointer) -> Bool {
        longKeys.withUnsafeBytes { memcmp($0.baseAddress! + offset, key.baseAddress!, key.count) == 0 }
    }

    @usableFromInline
    mutating func grow() {
        let old = slots
        slots = SlotStorage(repeating: .empty, count: old.count * 2)
        let mask = slots.count - 1
        for position in 0..<old.count where old.pointer[position].lengthPlusOne != 0 {
            let slot = old.pointer[position]
            var index = Int(truncatingIfNeeded: slot.hash) & mask
            while slots.pointer[index].lengthPlusOne != 0 { index = (index + 1) & mask }
            slots.pointer[index] = slot
        }
    }

    /// Encodes every entry as a record and returns them, leaving the table empty.
    @inlinable
    mutating func drain() -> RecordBuffer {
        var records = RecordBuffer()
        var writer = RecordWriter()
        var keyBytes: [UInt8] = []
        for position in 0..<slots.count where slots.pointer[position].lengthPlusOne != 0 {
            let slot = slots.pointer[position]
            let length = Int(slot.lengthPlusOne - 1)
            keyBytes.removeAll(keepingCapacity: true)
            if length > 16 {
                keyBytes.append(contentsOf: longKeys[Int(slot.tail)..<(Int(slot.tail) + length)])
            } else {
                withUnsafeBytes(of: (slot.head, slot.tail)) { keyBytes.append(contentsOf: $0[..<length]) }
            }
            writer.removeAll()
            slot.value.unsafelyUnwrapped.encode(to: &writer)
            keyBytes.withUnsafeBytes { key in
                let index = records.appendKey(key, partition: Int(slot.partition))
                writer.bytes.withUnsafeBytes { records.setValue($0, of: index) }
            }
        }
        slots = SlotStorage(repeating: .empty, count: Self.initialSlots)
        longKeys.removeAll(keepingCapacity: true)
        count = 0
        return records
    }
}
