/// Hash aggregation for map outputs when a job has a combiner: one entry per distinct encoded key, its values
/// folded as they arrive.
///
/// Keys live in a ``RecordBuffer`` arena, found through open addressing on their xxHash64; values stay typed until
/// the table is drained into sorted runs.
@usableFromInline
struct CombiningTable<Value: RecordCodable> {
    @usableFromInline var keys = RecordBuffer()
    @usableFromInline var hashes: [UInt64] = []
    @usableFromInline var values: [Value] = []
    /// Indices into `keys.records`, -1 where empty; the count is a power of two.
    @usableFromInline var slots = [Int32](repeating: -1, count: 1 << 12)

    @inlinable init() {}

    @inlinable
    var count: Int { values.count }

    @inlinable
    var memoryUsage: Int {
        keys.memoryUsage + hashes.capacity * 8 + values.capacity * MemoryLayout<Value>.stride + slots.count * 4
    }

    /// Folds `value` into the entry for `key`, creating it if new.
    @inlinable
    mutating func add(key: UnsafeRawBufferPointer, hash: UInt64, partition: Int, value: Value, combine: (Value, Value) -> Value) {
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let index = Int(slots[slot])
            if index < 0 { break }
            if hashes[index] == hash, keys.keyEquals(index, key) {
                values[index] = combine(values[index], value)
                return
            }
            slot = (slot + 1) & mask
        }
        slots[slot] = Int32(values.count)
        keys.appendKey(key, partition: partition)
        hashes.append(hash)
        values.append(value)
        if values.count * 2 > slots.count { grow() }
    }

    @usableFromInline
    mutating func grow() {
        slots = [Int32](repeating: -1, count: slots.count * 2)
        let mask = slots.count - 1
        for (index, hash) in hashes.enumerated() {
            var slot = Int(truncatingIfNeeded: hash) & mask
            while slots[slot] >= 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(index)
        }
    }

    /// Encodes every value next to its key and returns the records, leaving the table empty.
    @inlinable
    mutating func drain() -> RecordBuffer {
        var writer = RecordWriter()
        for index in values.indices {
            writer.removeAll()
            values[index].encode(to: &writer)
            writer.bytes.withUnsafeBytes { keys.setValue($0, of: index) }
        }
        let drained = keys
        keys = RecordBuffer()
        hashes.removeAll(keepingCapacity: true)
        values.removeAll(keepingCapacity: true)
        for index in slots.indices { slots[index] = -1 }
        return drained
    }
}
