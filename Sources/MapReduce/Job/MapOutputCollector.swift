public import CMapReduceSupport

/// Receives a map attempt's emitted pairs: encodes, partitions, combines or buffers them, and spills past the
/// memory budget.
///
/// `emit` cannot throw (job authors should not write `try` per pair), so a failure while spilling, or a
/// partitioner answer out of range, is kept and raised by ``checkFailure()`` after the current map call.
///
/// The mutable state lives behind a pointer the collector owns: mutating it through `pointee` avoids a dynamic
/// exclusivity check per access, which class properties would cost on every emitted pair.
@usableFromInline
final class MapOutputCollector<Key: RecordCodable, Value: RecordCodable> {
    @usableFromInline let state: UnsafeMutablePointer<CollectorState<Key, Value>>

    @inlinable
    init(
        output: MapOutputWriter, combine: (@Sendable (Value, Value) -> Value)?, partitioner: (@Sendable (Key, Int) -> Int)?,
        valueOrder: (@Sendable (Value, inout RecordWriter) -> Void)? = nil
    ) {
        state = .allocate(capacity: 1)
        state.initialize(to: CollectorState(output: output, combine: combine, partitioner: partitioner, valueOrder: valueOrder))
    }

    deinit {
        state.pointee.keyBuffer.deallocate()
        state.pointee.pending.deallocate()
        state.pointee.table.deallocate()
        state.deinitialize(count: 1)
        state.deallocate()
    }

    /// Pairs emitted so far.
    @inlinable
    var emitted: Int64 { state.pointee.emitted }

    /// Throws the first failure recorded while collecting.
    @inlinable
    func checkFailure() throws {
        if let failure = state.pointee.failure { throw failure }
    }

    /// Writes the attempt's output file.
    @inlinable
    func finish() throws -> IntermediateFileSummary {
        try checkFailure()
        return try state.pointee.finish()
    }
}

/// The collector's per-pair state and logic.
@usableFromInline
struct CollectorState<Key: RecordCodable, Value: RecordCodable> {
    @usableFromInline let output: MapOutputWriter
    @usableFromInline let partitions: Int
    @usableFromInline let memoryBudget: Int
    @usableFromInline let combine: (@Sendable (Value, Value) -> Value)?
    @usableFromInline let partitioner: (@Sendable (Key, Int) -> Int)?
    /// Appends a value's sort key after its key's encoding (a job that sorts values); the partition is then chosen
    /// before, from the key alone.
    @usableFromInline let valueOrder: (@Sendable (Value, inout RecordWriter) -> Void)?
    /// A total-order job's partition boundaries (sorted key encodings); empty otherwise.
    @usableFromInline let rangeBoundaries: [[UInt8]]
    /// The current key's encoding.
    @usableFromInline var keyBuffer: UnsafeMutableRawBufferPointer
    @usableFromInline var encoder = RecordWriter(capacity: 256)
    @usableFromInline var buffer = RecordBuffer()
    @usableFromInline var table: CombiningTable<Value>
    @usableFromInline var failure: (any Error)? = nil
    @usableFromInline var emitted: Int64 = 0
    /// Short-keyed pairs whose table slot is being prefetched.
    @usableFromInline var pending = PendingPairs<Value>()
    /// Whether a word goes straight to ``pending``: the job combines, and nothing else (a partitioner, range
    /// boundaries, a value order) needs the key's bytes or the `String`.
    @usableFromInline let wordsCombineDirectly: Bool

    @inlinable
    init(
        output: MapOutputWriter, combine: (@Sendable (Value, Value) -> Value)?, partitioner: (@Sendable (Key, Int) -> Int)?,
        valueOrder: (@Sendable (Value, inout RecordWriter) -> Void)?
    ) {
        self.output = output
        self.valueOrder = valueOrder
        self.partitions = output.settings.partitions
        self.memoryBudget = output.settings.memoryBudget
        table = CombiningTable(memoryBudget: output.settings.memoryBudget)
        self.combine = combine
        self.partitioner = partitioner
        self.rangeBoundaries = output.settings.rangeBoundaries ?? []
        wordsCombineDirectly = combine != nil && partitioner == nil && valueOrder == nil && rangeBoundaries.isEmpty
        keyBuffer = .allocate(byteCount: 256, alignment: 8)
        keyBuffer.initializeMemory(as: UInt8.self, repeating: 0)
    }

    /// Pairs of the current map call, held back until it returns (only while skipping bad records).
    @usableFromInline var staged: [(Key, Value)]? = nil

    /// Collects the staged pairs of a map call that returned.
    @inlinable
    mutating func flushStaged() {
        guard let pairs = staged else { return }
        staged = nil
        for (key, value) in pairs { collect(key, value) }
        staged = []
    }

    @inlinable
    mutating func collect(_ key: Key, _ value: Value) {
        if staged != nil {
            staged!.append((key, value))
            return
        }
        encoder.removeAll()
        key.encode(to: &encoder)
        var partition = partitioner.map { $0(key, partitions) }
        if let valueOrder {
            // The shuffle key is the key's encoding followed by the sort key's; the partition is the key's alone,
            // as the same job without a value order would choose it (a range job's partition is found later, from
            // the composite, which orders like the key against key-only boundaries: encodings are prefix-free).
            let partitions = partitions
            if partition == nil { partition = encoder.bytes.withUnsafeBytes { Int(StableHash.hash($0) % UInt64(partitions)) } }
            valueOrder(value, &encoder)
        }
        let count = encoder.bytes.count
        reserveKey(count)
        encoder.bytes.withUnsafeBytes { keyBuffer.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: count) }
        add(keyLength: count, value, partition: partition)
    }

    /// The `String` encoding of a word, built directly: letters never include 0x00, so no escaping is needed,
    /// only the 0x00 0x01 terminator. A word of at most 14 bytes (so a key of at most 16) in a job that combines
    /// is formed in registers from the input bytes, hashed and queued for its table slot, with no copy.
    @inlinable @inline(__always)
    mutating func collect(word: Word, _ value: Value) {
        let count = word.bytes.count
        guard wordsCombineDirectly, count <= 14, count > 0, staged == nil, failure == nil else {
            return collect(unusualWord: word, value)
        }
        emitted += 1
        var (head, tail) = word.readableCount >= 16 ? Self.maskedWords(word.bytes) : Self.paddedWords(word.bytes)
        // The terminator: byte `count` stays 0x00, byte `count + 1` is 0x01 (in `head` or `tail`, chosen without a
        // branch: the length decides it, and lengths are random).
        let one: UInt64 = 1 &<< (UInt64(truncatingIfNeeded: count &+ 1) &* 8 & 63)
        head |= count < 7 ? one : 0
        tail |= count < 7 ? 0 : one
        let length = count + 2
        enqueue(PendingPair(head: head, tail: tail, hash: StableHash.hash(head: head, tail: tail, count: length), length: length, partition: -1, value: value))
    }

    /// The first 16 of `bytes` (1 to 16 of them) as two little-endian words, zero-padded, where 16 bytes may be
    /// loaded from their start: two loads and two masks, with no branch on the length to mispredict.
    @inlinable @inline(__always)
    static func maskedWords(_ bytes: UnsafeRawBufferPointer) -> (UInt64, UInt64) {
        let count = bytes.count
        let base = bytes.baseAddress.unsafelyUnwrapped
        let bits = UInt64(truncatingIfNeeded: count) &* 8
        let head = base.loadUnaligned(as: UInt64.self) & (count >= 8 ? .max : (1 &<< bits) &- 1)
        let tail = base.loadUnaligned(fromByteOffset: 8, as: UInt64.self) & (count >= 16 ? .max : count > 8 ? (1 &<< (bits &- 64)) &- 1 : 0)
        return (head, tail)
    }

    /// The first 16 of `bytes` (1 to 16 of them) as two little-endian words, zero-padded, read without touching a
    /// byte past the end: two overlapping loads of 8, 4 or 1 bytes.
    @inlinable @inline(__always)
    static func paddedWords(_ bytes: UnsafeRawBufferPointer) -> (UInt64, UInt64) {
        let count = bytes.count
        let base = bytes.baseAddress.unsafelyUnwrapped
        if count >= 8 {
            let head = base.loadUnaligned(as: UInt64.self)
            guard count > 8 else { return (head, 0) }
            let last = base.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
            return (head, last &>> UInt64((16 - count) * 8))
        }
        if count >= 4 {
            let low = UInt64(base.loadUnaligned(as: UInt32.self))
            let high = UInt64(base.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self))
            return (low | high &<< UInt64((count - 4) * 8), 0)
        }
        let first = UInt64(base.load(as: UInt8.self))
        let middle = UInt64(base.load(fromByteOffset: count / 2, as: UInt8.self))
        let last = UInt64(base.load(fromByteOffset: count - 1, as: UInt8.self))
        return (first | middle &<< UInt64(count / 2 * 8) | last &<< UInt64((count - 1) * 8), 0)
    }

    /// A word the direct path does not take: kept out of line, so that path stays small enough to inline into the
    /// map loop.
    @inline(never) @usableFromInline
    mutating func collect(unusualWord word: Word, _ value: Value) {
        if staged != nil || valueOrder != nil { return collect(word.string as! Key, value) }
        let count = word.bytes.count
        reserveKey(count + 2)
        let base = keyBuffer.baseAddress!
        if count > 0 { base.copyMemory(from: word.bytes.baseAddress!, byteCount: count) }
        base.storeBytes(of: 0x00, toByteOffset: count, as: UInt8.self)
        base.storeBytes(of: 0x01, toByteOffset: count + 1, as: UInt8.self)
        add(keyLength: count + 2, value, partition: partitioner.map { $0(word.string as! Key, partitions) })
    }

    /// Makes room for a key of `count` bytes. The buffer never shrinks below 256 bytes, so reading its first 16
    /// bytes is always in bounds.
    @inlinable
    mutating func reserveKey(_ count: Int) {
        guard count > keyBuffer.count else { return }
        keyBuffer.deallocate()
        keyBuffer = .allocate(byteCount: count * 2, alignment: 8)
        keyBuffer.initializeMemory(as: UInt8.self, repeating: 0)
    }

    @inlinable
    mutating func add(keyLength: Int, _ value: Value, partition: Int?) {
        guard failure == nil else { return }
        emitted += 1
        let key = UnsafeRawBufferPointer(rebasing: keyBuffer[..<keyLength])
        let assigned = rangeBoundaries.isEmpty ? partition : rangePartition(of: key)
        // The key's first 16 bytes as two words, masked to its length (the buffer is at least 256 bytes long).
        let base = keyBuffer.baseAddress!
        var head = base.loadUnaligned(as: UInt64.self)
        var tail = base.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
        if keyLength < 8 {
            head &= (1 << UInt64(keyLength * 8)) &- 1
            tail = 0
        } else if keyLength < 16 {
            tail &= (1 << UInt64((keyLength - 8) * 8)) &- 1
        }
        let hash = keyLength <= 16 ? StableHash.hash(head: head, tail: tail, count: keyLength) : XXHash64.hash(key)
        if let assigned, assigned < 0 || assigned >= partitions {
            failure = JobError(.badPartition, "the job's partitioner returned \(assigned) for \(partitions) partitions; it must return 0..<\(partitions)")
            return
        }
        let partitions = partitions
        if combine != nil, keyLength <= 16 {
            enqueue(PendingPair(head: head, tail: tail, hash: hash, length: keyLength, partition: assigned ?? -1, value: value))
        } else if let combine {
            let isNew = table.add(length: keyLength, longKey: key, head: head, tail: tail, hash: hash, value: value, combine: combine) { hash in
                assigned ?? Int(hash % UInt64(partitions))
            }
            if isNew { spillIfOverBudget() }
        } else {
            encoder.removeAll()
            value.encode(to: &encoder)
            appendBuffered(key: key, partition: assigned ?? Int(hash % UInt64(partitions)))
        }
    }

    /// Buffers `key` with the value encoded in `encoder`, spilling past the budget.
    @inlinable
    mutating func appendBuffered(key: UnsafeRawBufferPointer, partition: Int) {
        buffer.append(key: key, value: encoder.bytes, partition: partition)
        spillBufferIfOverBudget()
    }

    /// Spills the buffered records once they outgrow the memory budget.
    @inlinable
    mutating func spillBufferIfOverBudget() {
        guard buffer.memoryUsage > memoryBudget else { return }
        do { try output.spill(&buffer) } catch { failure = error }
    }

    /// The number of range boundaries at or below `key`: its partition in a total-order job.
    @inlinable
    func rangePartition(of key: UnsafeRawBufferPointer) -> Int { Self.rangePartition(of: key, boundaries: rangeBoundaries) }

    /// The number of `boundaries` (sorted) at or below `key`.
    @inlinable
    static func rangePartition(of key: UnsafeRawBufferPointer, boundaries: [[UInt8]]) -> Int {
        var low = 0
        var high = boundaries.count
        while low < high {
            let middle = (low + high) / 2
            let boundaryIsAbove = boundaries[middle].withUnsafeBytes { boundary in key.lexicographicallyPrecedes(boundary) }
            if boundaryIsAbove { high = middle } else { low = middle + 1 }
        }
        return low
    }

    /// Starts loading `pair`'s table slot and queues it; once the queue is full, folds its older half into the
    /// table, whose slots have had the time of at least ``PendingPairs/half`` pairs to arrive.
    @inlinable @inline(__always)
    mutating func enqueue(_ pair: PendingPair<Value>) {
        mr_prefetch(table.firstSlot(for: pair.hash))
        pending.push(pair)
        if pending.isFull { foldOldest(PendingPairs<Value>.half) }
    }

    /// Folds the `count` oldest pending pairs into the table. The combiner is looked up once for them all, not
    /// once per pair (each look-up retains and releases it).
    @inlinable
    mutating func foldOldest(_ count: Int) {
        guard let combine else { return }
        withExtendedLifetime(combine) {
            for _ in 0..<count { fold(pending.popOldest(), with: combine) }
        }
    }

    /// Folds a pending pair into the table.
    @inlinable @inline(__always)
    mutating func fold(_ pair: PendingPair<Value>, with combine: (Value, Value) -> Value) {
        let partitions = partitions
        let isNew = table.add(
            length: Int(pair.length), longKey: nil, head: pair.head, tail: pair.tail, hash: pair.hash, value: pair.value, combine: combine
        ) { hash in pair.partition >= 0 ? Int(pair.partition) : Int(hash % UInt64(partitions)) }
        if isNew { spillIfOverBudget() }
    }

    /// Spills the table's entries once it outgrows the memory budget.
    @inlinable
    mutating func spillIfOverBudget() {
        guard table.memoryUsage > memoryBudget else { return }
        var drained = RecordBuffer()
        table.drain(into: &drained)
        spill(&drained)
    }

    @usableFromInline
    mutating func spill(_ records: inout RecordBuffer) {
        do { try output.spill(&records) } catch { failure = error }
    }

    @inlinable
    mutating func finish() throws -> IntermediateFileSummary {
        guard let combine else { return try output.finish(&buffer, combiner: nil) }
        foldOldest(pending.count)
        if let failure { throw failure }
        var drained = RecordBuffer()
        table.drain(into: &drained)
        return try output.finish(&drained) { groups, writer in
            guard var accumulated = try groups.nextValue().map({ bytes throws in try Value(decoding: bytes) }) else { return }
            while let bytes = try groups.nextValue() { accumulated = combine(accumulated, try Value(decoding: bytes)) }
            accumulated.encode(to: &writer)
        }
    }
}

extension CollectorState where Key == [UInt8], Value == [UInt8] {
    /// Collects a byte-string pair from borrowed bytes, encoding both straight into the buffer's arena. Falls
    /// back to arrays when the pair must be held (staged) or handed to a combiner or partitioner.
    @inlinable
    mutating func collect(keyBytes: UnsafeRawBufferPointer, valueBytes: UnsafeRawBufferPointer) {
        guard staged == nil, combine == nil, partitioner == nil, valueOrder == nil else { return collect(Array(keyBytes), Array(valueBytes)) }
        guard failure == nil else { return }
        emitted += 1
        let partitions = partitions
        if rangeBoundaries.isEmpty {
            buffer.appendByteStrings(key: keyBytes, value: valueBytes) { key in Int(StableHash.hash(key) % UInt64(partitions)) }
        } else {
            let boundaries = rangeBoundaries
            buffer.appendByteStrings(key: keyBytes, value: valueBytes) { key in Self.rangePartition(of: key, boundaries: boundaries) }
        }
        spillBufferIfOverBudget()
    }
}
