/// One key's values in a reduce call, streamed from the merged map outputs: they are read as you iterate,
/// never collected, so a key may have more values than memory holds. Iterate once.
public struct Values<Value: RecordCodable>: Sequence {
    @usableFromInline let source: ValueSource

    @inlinable
    init(_ source: ValueSource) { self.source = source }

    @inlinable
    public func makeIterator() -> Iterator { Iterator(source: source) }

    /// Decodes the values one by one.
    public struct Iterator: IteratorProtocol {
        @usableFromInline let source: ValueSource

        @inlinable
        init(source: ValueSource) { self.source = source }

        @inlinable
        public mutating func next() -> Value? {
            guard source.failure == nil else { return nil }
            do {
                guard let bytes = try source.groups.nextValue() else { return nil }
                return try Value(decoding: bytes)
            } catch {
                // A sequence cannot throw: end the stream and let the reduce task raise the error after the call.
                source.failure = error
                return nil
            }
        }
    }
}

/// The group walker behind ``Values``, with the first error it met.
@usableFromInline
final class ValueSource {
    @usableFromInline let groups: KeyGroups
    @usableFromInline var failure: (any Error)? = nil

    @usableFromInline
    init(_ groups: KeyGroups) { self.groups = groups }
}
