/// Emits a map function's key-value pairs: call it like a function, `emit(key, value)`.
public struct Emitter<Key: RecordCodable, Value: RecordCodable> {
    @usableFromInline let collector: MapOutputCollector<Key, Value>

    @inlinable
    init(_ collector: MapOutputCollector<Key, Value>) { self.collector = collector }

    /// Emits one pair.
    @inlinable
    public func callAsFunction(_ key: Key, _ value: Value) { collector.state.pointee.collect(key, value) }
}

extension Emitter where Key == String {
    /// Emits a word from ``Line/words`` as a `String` key without creating the `String`.
    @inlinable
    public func callAsFunction(_ word: Word, _ value: Value) { collector.state.pointee.collect(word: word, value) }
}
