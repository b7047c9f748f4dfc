/// Receives a map attempt's emitted pairs: encodes, partitions, combines or buffers them, and spills past the
/// memory budget.
///
/// `emit` cannot throw (job authors should not write `try` per pair), so a failure while spilling, or a
/// partitioner answer out of range, is kept and raised by ``checkFailure()`` after the current map call.
@usableFromInline
final class MapOutputCollector<Key: RecordCodable, Value: RecordCodable> {
    @usableFromInline let output: MapOutputWriter
    @usableFromInline let partitions: Int
    @usableFromInline let memoryBudget: Int
    @usableFromInline let combine: (@Sendable (Value, Value) -> Value)?
    @usableFromInline let partitioner: (@Sendable (Key, Int) -> Int)?
    @usableFromInline var keyScratch = RecordWriter(capacity: 256)
    @usableFromInline var valueScratch = RecordWriter(capacity: 256)
    @usableFromInline var buffer = RecordBuffer()
    @usableFromInline var table = CombiningTable<Value>()
    @usableFromInline var failure: (any Error)? = nil
    @usableFromInline var emitted: Int64 = 0

    @inlinable
    init(output: MapOutputWriter, combine: (@Sendable (Value, Value) -> Value)?, partitioner: (@Sendable (Key, Int) -> Int)?) {
        self.output = output
        self.partitions = output.settings.partitions
        self.memoryBudget = output.settings.memoryBudget
        self.combine = combine
        self.partitioner = partitioner
    }

    @inlinable
    func collect(_ key: Key, _ value: Value) {
        keyScratch.removeAll()
        key.encode(to: &keyScratch)
        add(value, partition: partitioner.map { $0(key, partitions) })
    }

    @inlinable
    func collect(word: Word, _ value: Value) {
        keyScratch.removeAll()
        keyScratch.writeByteString(word.bytes)
        add(value, partition: partitioner.map { $0(word.string as! Key, partitions) })
    }

    @inlinable
    func add(_ value: Value, partition assigned: Int?) {
        guard failure == nil else { return }
        emitted += 1
        keyScratch.bytes.withUnsafeBytes { key in
            let hash = XXHash64.hash(key)
            let partition: Int
            if let assigned {
                guard assigned >= 0, assigned < partitions else {
                    failure = JobError(.badPartition, "the job's partitioner returned \(assigned) for \(partitions) partitions; it must return 0..<\(partitions)")
                    return
                }
                partition = assigned
            } else {
                partition = Int(hash % UInt64(partitions))
            }
            if let combine {
                table.add(key: key, hash: hash, partition: partition, value: value, combine: combine)
                if table.memoryUsage > memoryBudget {
                    var drained = table.drain()
                    spill(&drained)
                }
            } else {
                valueScratch.removeAll()
                value.encode(to: &valueScratch)
                valueScratch.bytes.withUnsafeBytes { buffer.append(key: key, value: $0, partition: partition) }
                if buffer.memoryUsage > memoryBudget { spill(&buffer) }
            }
        }
    }

    @usableFromInline
    func spill(_ records: inout RecordBuffer) {
        do { try output.spill(&records) } catch { failure = error }
    }

    /// Throws the first failure recorded while collecting.
    @inlinable
    func checkFailure() throws {
        if let failure { throw failure }
    }

    /// Writes the final partition files.
    @inlinable
    func finish() throws -> [IntermediateFileSummary] {
        try checkFailure()
        guard let combine else { return try output.finish(&buffer, combiner: nil) }
        var drained = table.drain()
        return try output.finish(&drained) { groups, writer in
            guard var accumulated = try groups.nextValue().map({ bytes throws in try Value(decoding: bytes) }) else { return }
            while let bytes = try groups.nextValue() { accumulated = combine(accumulated, try Value(decoding: bytes)) }
            accumulated.encode(to: &writer)
        }
    }
}
