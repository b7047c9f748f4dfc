/// Emits a map function's key-value pairs: call it like a function, `emit(key, value)`.
public struct Emitter<Key: RecordCodable, Value: RecordCodable> {
    @usableFromInline let collector: MapOutputCollector<Key, Value>

    @inlinable
    init(_ collector: MapOutputCollector<Key, Value>) { self.collector = collector }

    /// Emits one pair.
    @inlinable
    public func callAsFunction(_ key: Key, _ value: Value) { collector.state.pointee.collect(key, value) }
}

extension Emitter where Key == [UInt8], Value == [UInt8] {
    /// Emits a byte-string key and value from borrowed bytes (slices of ``Line/rawBytes``, say) without creating
    /// the arrays: `emit(key: UnsafeRawBufferPointer(rebasing: line.bytes.prefix(10)), value: line.bytes)`.
    @inlinable
    public func callAsFunction(key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) {
        collector.state.pointee.collect(keyBytes: key, valueBytes: value)
    }
}

extension Emitter where Key == String {
    /// Emits a word from ``Line/words`` as a `String` key without creating the `String`.
    @inlinable @inline(__always)
    public func callAsFunction(_ word: Word, _ value: Value) { collector.state.pointee.collect(word: word, value) }
}
