#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where one buffered record's bytes are, and what it sorts by.
@usableFromInline
struct BufferedRecord {
    @usableFromInline var keyOffset: Int
    @usableFromInline var valueOffset: Int
    @usableFromInline var keyLength: UInt32
    @usableFromInline var valueLength: UInt32
    @usableFromInline var partition: UInt32
    /// The key's first eight bytes, big-endian and zero-padded: most comparisons end here.
    @usableFromInline var prefix: UInt64

    @inlinable
    init(keyOffset: Int, valueOffset: Int, keyLength: UInt32, valueLength: UInt32, partition: UInt32, prefix: UInt64) {
        self.keyOffset = keyOffset
        self.valueOffset = valueOffset
        self.keyLength = keyLength
        self.valueLength = valueLength
        self.partition = partition
        self.prefix = prefix
    }
}

/// Encoded records held in memory before they are sorted and written: one byte arena plus an index entry each.
@usableFromInline
struct RecordBuffer {
    @usableFromInline var arena: [UInt8] = []
    @usableFromInline var records: [BufferedRecord] = []

    @inlinable init() {}

    /// Bytes of records the buffer holds. (The arrays' spare capacity, kept across spills, is not counted: it
    /// is at most as large again.)
    @inlinable
    var memoryUsage: Int { arena.count + records.count * MemoryLayout<BufferedRecord>.stride }

    @inlinable
    var isEmpty: Bool { records.isEmpty }

    /// Appends a key alone (its value is set later by ``setValue(_:of:)``); returns its index.
    @inlinable @discardableResult
    mutating func appendKey(_ key: UnsafeRawBufferPointer, partition: Int, prefix: UInt64? = nil) -> Int {
        let offset = arena.count
        arena.append(contentsOf: key)
        records.append(
            BufferedRecord(
                keyOffset: offset, valueOffset: offset + key.count, keyLength: UInt32(key.count), valueLength: 0,
                partition: UInt32(partition), prefix: prefix ?? Self.prefix(of: key)))
        return records.count - 1
    }

    /// Appends a record whose value follows its key.
    @inlinable
    mutating func append(key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, partition: Int) {
        let index = appendKey(key, partition: partition)
        arena.append(contentsOf: value)
        records[index].valueLength = UInt32(value.count)
    }

    /// Appends a record whose value follows its key.
    @inlinable
    mutating func append(key: UnsafeRawBufferPointer, value: [UInt8], partition: Int) {
        let index = appendKey(key, partition: partition)
        arena.append(contentsOf: value)
        records[index].valueLength = UInt32(value.count)
    }

    /// Stores the value of record `index` (at the end of the arena).
    @inlinable
    mutating func setValue(_ value: UnsafeRawBufferPointer, of index: Int) {
        records[index].valueOffset = arena.count
        records[index].valueLength = UInt32(value.count)
        arena.append(contentsOf: value)
    }

    @inlinable
    static func prefix(of key: UnsafeRawBufferPointer) -> UInt64 {
        if key.count >= 8 { return UInt64(bigEndian: key.loadUnaligned(as: UInt64.self)) }
        var prefix: UInt64 = 0
        for index in 0..<8 { prefix = prefix << 8 | UInt64(index < key.count ? key[index] : 0) }
        return prefix
    }

    /// Forgets the records, keeping the storage.
    mutating func removeAll() {
        arena.removeAll(keepingCapacity: true)
        records.removeAll(keepingCapacity: true)
    }

    /// Sorts by partition, then key bytes, then insertion order (so equal keys keep the order they were emitted).
    /// No two records tie in that order, so an unstable sort gives the one result.
    mutating func sort() {
        arena.withUnsafeBytes { arena in
            // Only keys of more than 8 bytes are compared in the arena, so it is not empty then.
            let base = arena.baseAddress
            records.withUnsafeMutableBufferPointer { records in
                records.sortUnstably { a, b in
                    if a.partition != b.partition { return a.partition < b.partition }
                    if a.prefix != b.prefix { return a.prefix < b.prefix }
                    let shortest = Int(min(a.keyLength, b.keyLength))
                    if shortest > 8 {
                        let order = memcmp(base! + a.keyOffset + 8, base! + b.keyOffset + 8, shortest - 8)
                        if order != 0 { return order < 0 }
                    }
                    if a.keyLength != b.keyLength { return a.keyLength < b.keyLength }
                    return a.keyOffset < b.keyOffset
                }
            }
        }
    }
}
