/// A MapReduce job: a name, a map function, a reduce function, and optionally a combiner and a partitioner.
///
/// ```swift
/// /// Counts how often each word occurs.
/// public let wordCount = Job<String, Int>("word-count", combiner: +) { line, emit in
///     for word in line.words { emit(word, 1) }
/// } reduce: { word, counts in
///     counts.reduce(0, +)
/// }
/// ```
///
/// Keys and values are ``RecordCodable``. The map function sees each input ``Line``; the reduce function sees
/// each key once, in byte order of its encoding, with a stream of its values, and returns what is written after
/// the key on the output line (`key value`).
public struct Job<Key: RecordCodable, Value: RecordCodable>: Sendable {
    /// The job's name in the catalog and on the command line: kebab-case, like `word-count`.
    public let name: String
    /// Called once per input line.
    public let map: @Sendable (Line, Emitter<Key, Value>) throws -> Void
    /// Folds two values of the same key on the map side. Must be associative and commutative, and must not
    /// change the reduce function's result.
    public let combiner: (@Sendable (Value, Value) -> Value)?
    /// Chooses a key's partition in `0..<partitions`. By default, the stable hash of the key's encoding.
    public let partitioner: (@Sendable (Key, Int) -> Int)?
    /// Called once per key with its values; returns the output line's text after the key.
    public let reduceToText: @Sendable (Key, Values<Value>) throws -> String

    /// Creates a job.
    /// - Parameters:
    ///   - name: the catalog name, kebab-case.
    ///   - combiner: folds two values of one key on the map side (associative and commutative), or `nil`.
    ///   - partitioner: chooses a key's partition in `0..<partitions`, or `nil` for the stable hash.
    ///   - map: called once per input line; emits pairs.
    ///   - reduce: called once per key with its values streamed; its result is written after the key.
    public init<Output: CustomStringConvertible & SendableMetatype>(
        _ name: String,
        combiner: (@Sendable (Value, Value) -> Value)? = nil,
        partitioner: (@Sendable (Key, Int) -> Int)? = nil,
        map: @escaping @Sendable (Line, Emitter<Key, Value>) throws -> Void,
        reduce: @escaping @Sendable (Key, Values<Value>) throws -> Output
    ) {
        self.name = name
        self.combiner = combiner
        self.partitioner = partitioner
        self.map = map
        self.reduceToText = { key, values in try reduce(key, values).description }
    }
}
