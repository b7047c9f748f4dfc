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
    /// The records' bytes, each key followed by its value; a writer, so values are encoded straight into it.
    @usableFromInline var arena = RecordWriter(capacity: 0)
    @usableFromInline var records: [BufferedRecord] = []

    @inlinable init() {}

    /// Bytes of records the buffer holds. (The arrays' spare capacity, kept across spills, is not counted: it
    /// is at most as large again.)
    @inlinable
    var memoryUsage: Int { arena.bytes.count + records.count * MemoryLayout<BufferedRecord>.stride }

    @inlinable
    var isEmpty: Bool { records.isEmpty }

    /// Appends a record whose value follows its key.
    @inlinable
    mutating func append(key: UnsafeRawBufferPointer, value: [UInt8], partition: Int) {
        append(key: key, partition: partition, prefix: Self.prefix(of: key)) { writer in writer.bytes.append(contentsOf: value) }
    }

    /// Appends a record of `key` (whose ``prefix(of:)`` the caller knows) and the value `encodeValue` writes
    /// straight into the arena, so the value is never copied.
    @inlinable
    mutating func append(key: UnsafeRawBufferPointer, partition: Int, prefix: UInt64, encodingValue encodeValue: (inout RecordWriter) -> Void) {
        let keyOffset = arena.bytes.count
        arena.write(key)
        encodeValue(&arena)
        let valueOffset = keyOffset + key.count
        records.append(
            BufferedRecord(
                keyOffset: keyOffset, valueOffset: valueOffset, keyLength: UInt32(key.count), valueLength: UInt32(arena.bytes.count - valueOffset),
                partition: UInt32(partition), prefix: prefix))
    }

    /// Appends a record of two byte strings, encoded straight into the arena (no copy through another buffer);
    /// `partition` is asked with the key's encoding.
    @inlinable
    mutating func appendByteStrings(key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, partition: (UnsafeRawBufferPointer) -> Int) {
        let keyOffset = arena.bytes.count
        arena.writeByteString(key)
        let valueOffset = arena.bytes.count
        let (assigned, prefix) = arena.bytes.withUnsafeBytes { bytes in
            let encodedKey = UnsafeRawBufferPointer(rebasing: bytes[keyOffset..<valueOffset])
            return (partition(encodedKey), Self.prefix(of: encodedKey))
        }
        arena.writeByteString(value)
        records.append(
            BufferedRecord(
                keyOffset: keyOffset, valueOffset: valueOffset, keyLength: UInt32(valueOffset - keyOffset),
                valueLength: UInt32(arena.bytes.count - valueOffset), partition: UInt32(assigned), prefix: prefix))
    }

    /// Makes room for `count` more records' index entries.
    @inlinable
    mutating func reserveCapacity(records count: Int) { records.reserveCapacity(records.count + count) }

    @inlinable
    static func prefix(of key: UnsafeRawBufferPointer) -> UInt64 {
        if key.count >= 8 { return UInt64(bigEndian: key.loadUnaligned(as: UInt64.self)) }
        var prefix: UInt64 = 0
        for index in 0..<8 { prefix = prefix << 8 | UInt64(index < key.count ? key[index] : 0) }
        return prefix
    }

    /// Forgets the records, keeping the storage.
    mutating func removeAll() {
        arena.removeAll()
        records.removeAll(keepingCapacity: true)
    }

    /// Sorts by partition, then key bytes, then insertion order (so equal keys keep the order they were emitted).
    /// No two records tie in that order, so an unstable sort gives the one result.
    ///
    /// Past ``bucketingThreshold`` records, two counting passes first group them by partition and by their key's
    /// leading bits (``groupingBits(forRecords:)``: up to the first two bytes; stable, so the groups are in sort
    /// order), and only the records of one group are compared: about a quarter of the comparisons for the sort's
    /// random keys, half for words.
    mutating func sort() {
        arena.bytes.withUnsafeBytes { arena in
            // Keys are compared in the arena only past 8 bytes, so it is not empty when its address is used.
            let base = arena.baseAddress
            records.withUnsafeMutableBufferPointer { records in
                let inOrder = { (a: BufferedRecord, b: BufferedRecord) -> Bool in
                    if a.partition != b.partition { return a.partition < b.partition }
                    if a.prefix != b.prefix { return a.prefix < b.prefix }
                    let order = compareKeys(
                        pastEqualPrefixes: base.map { $0 + a.keyOffset }, count: Int(a.keyLength), base.map { $0 + b.keyOffset }, count: Int(b.keyLength))
                    return order != 0 ? order < 0 : a.keyOffset < b.keyOffset
                }
                guard records.count > Self.bucketingThreshold else { return records.sortUnstably(by: inOrder) }
                let shift = UInt64(64 - Self.groupingBits(forRecords: records.count))
                Self.groupByPartitionAndLeadingBits(records, shift: shift)
                var start = 0
                while start < records.count {
                    let group = (records[start].partition, records[start].prefix >> shift)
                    var end = start + 1
                    while end < records.count, records[end].partition == group.0, records[end].prefix >> shift == group.1 { end += 1 }
                    if end - start > 1 { UnsafeMutableBufferPointer(rebasing: records[start..<end]).sortUnstably(by: inOrder) }
                    start = end
                }
            }
        }
    }

    /// The fewest records worth the counting passes of ``sort()``.
    static var bucketingThreshold: Int { 1024 }

    /// How many of the key's leading bits ``sort()`` groups `count` records by: about the logarithm of the count,
    /// so that the counting pass goes over no more buckets than records (a map task of a few thousand records
    /// spent more on 65,536 empty buckets than its comparisons cost), and at most the first two bytes.
    static func groupingBits(forRecords count: Int) -> Int { min(16, max(1, Int.bitWidth - 1 - count.leadingZeroBitCount)) }

    /// Orders `records` by partition, then by their key's prefix shifted right by `shift` bits, keeping the order
    /// within each group.
    static func groupByPartitionAndLeadingBits(_ records: UnsafeMutableBufferPointer<BufferedRecord>, shift: UInt64) {
        let scratch = UnsafeMutableBufferPointer<BufferedRecord>.allocate(capacity: records.count)
        defer { scratch.deallocate() }
        // First by the leading bits, then (stably) by partition: least significant first.
        countingSort(from: records, into: scratch, buckets: 1 << (64 - shift)) { Int(truncatingIfNeeded: $0.prefix >> shift) }
        var highestPartition: UInt32 = 0
        for record in scratch { highestPartition = max(highestPartition, record.partition) }
        if highestPartition == 0 {
            _ = records.update(fromContentsOf: scratch)
        } else {
            countingSort(from: scratch, into: records, buckets: Int(highestPartition) + 1) { Int($0.partition) }
        }
    }

    /// A stable counting sort of `source` into `destination` by `bucket` (in `0..<buckets`).
    static func countingSort(
        from source: UnsafeMutableBufferPointer<BufferedRecord>, into destination: UnsafeMutableBufferPointer<BufferedRecord>, buckets: Int,
        bucket: (BufferedRecord) -> Int
    ) {
        var starts = [Int](repeating: 0, count: buckets + 1)
        starts.withUnsafeMutableBufferPointer { starts in
            for record in source { starts[bucket(record) + 1] += 1 }
            for index in 1...buckets { starts[index] += starts[index - 1] }
            for record in source {
                let slot = bucket(record)
                destination[starts[slot]] = record
                starts[slot] += 1
            }
        }
    }
}
