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
/// Keys and values are ``RecordCodable``. The map function sees each input record: a ``Line`` by default, or
/// what an ``InputFormat`` makes of it (a ``CSVRecord``, a `Decodable` JSON object). The reduce function sees each
/// key once, in byte order of its encoding, with a stream of its values; it returns the text written after the
/// key (`key value` lines), or, given an ``OutputFormat``, writes any number of records to an ``OutputWriter``.
public struct Job<Key: RecordCodable, Value: RecordCodable>: Sendable {
    /// The job's name in the catalog and on the command line: kebab-case, like `word-count`.
    public let name: String
    /// How the input's bytes are cut into records.
    public let framing: RecordFraming
    /// Called once per input record, with its bytes.
    public let map: @Sendable (Line, Emitter<Key, Value>) throws -> Void
    /// Folds two values of the same key on the map side. Must be associative and commutative, and must not
    /// change the reduce function's result.
    public let combiner: (@Sendable (Value, Value) -> Value)?
    /// Chooses a key's partition in `0..<partitions`. By default, the stable hash of the key's encoding.
    public let partitioner: (@Sendable (Key, Int) -> Int)?
    /// Whether partitions hold ranges of keys, cut from a sample of the input before the job starts, so that
    /// reading `part-00000`, `part-00001`, … in order reads every key in order (a total-order sort).
    public let totalOrder: Bool
    /// Appends a value's sort key to its key's encoding, when the job promises each key's values in the order of
    /// their sort keys (``sortingValues(by:)``); `nil` when values come in no promised order.
    @usableFromInline var valueOrder: (@Sendable (Value, inout RecordWriter) -> Void)? = nil
    /// Called once per key with its values; writes the key's output records.
    @usableFromInline let reduce: @Sendable (Key, Values<Value>, OutputFile) throws -> Void
    /// Whether the reduce function emits pairs for a next step (this is a ``Step``'s job) rather than the output.
    @usableFromInline var writesPairs = false
    /// The steps that run before this one, in order, each reading the pairs the one before emitted: empty for a job
    /// of one step.
    @usableFromInline var earlierSteps: [AnyStep] = []

    /// This step and the ones before it, in the order they run.
    @inlinable
    var steps: [AnyStep] { earlierSteps + [AnyStep(self)] }

    @usableFromInline
    init(
        name: String, framing: RecordFraming, combiner: (@Sendable (Value, Value) -> Value)?, partitioner: (@Sendable (Key, Int) -> Int)?,
        totalOrder: Bool, map: @escaping @Sendable (Line, Emitter<Key, Value>) throws -> Void,
        reduce: @escaping @Sendable (Key, Values<Value>, OutputFile) throws -> Void
    ) {
        precondition(!(totalOrder && partitioner != nil), "job '\(name)': a total-order job partitions by sampled key ranges; drop the partitioner")
        self.name = name
        self.framing = framing
        self.combiner = combiner
        self.partitioner = partitioner
        self.totalOrder = totalOrder
        self.map = map
        self.reduce = reduce
    }

    /// Creates a job over lines whose output is `key value` lines.
    /// - Parameters:
    ///   - name: the catalog name, kebab-case.
    ///   - combiner: folds two values of one key on the map side (associative and commutative), or `nil`.
    ///   - partitioner: chooses a key's partition in `0..<partitions`, or `nil` for the stable hash.
    ///   - totalOrder: partition by key ranges sampled from the input, so the output files in order are sorted.
    ///   - map: called once per input line; emits pairs.
    ///   - reduce: called once per key with its values streamed; its result is written after the key.
    @inlinable
    public init<Output: CustomStringConvertible & SendableMetatype>(
        _ name: String,
        combiner: (@Sendable (Value, Value) -> Value)? = nil,
        partitioner: (@Sendable (Key, Int) -> Int)? = nil,
        totalOrder: Bool = false,
        map: @escaping @Sendable (Line, Emitter<Key, Value>) throws -> Void,
        reduce: @escaping @Sendable (Key, Values<Value>) throws -> Output
    ) {
        self.init(
            name: name, framing: .lines, combiner: combiner, partitioner: partitioner, totalOrder: totalOrder, map: map,
            reduce: { key, values, file in try file.writeKeyValue(key: key, text: reduce(key, values).description) })
    }

    /// Creates a job over records of `input` whose output is `key value` lines.
    @inlinable
    public init<Record, Output: CustomStringConvertible & SendableMetatype>(
        _ name: String,
        input: InputFormat<Record>,
        combiner: (@Sendable (Value, Value) -> Value)? = nil,
        partitioner: (@Sendable (Key, Int) -> Int)? = nil,
        totalOrder: Bool = false,
        map: @escaping @Sendable (Record, Emitter<Key, Value>) throws -> Void,
        reduce: @escaping @Sendable (Key, Values<Value>) throws -> Output
    ) {
        self.init(
            name: name, framing: input.framing, combiner: combiner, partitioner: partitioner, totalOrder: totalOrder,
            map: Self.decoding(input, map), reduce: { key, values, file in try file.writeKeyValue(key: key, text: reduce(key, values).description) })
    }

    /// Creates a job over lines whose reduce function writes records in `output`'s format.
    @inlinable
    public init<OutputRecord>(
        _ name: String,
        output: OutputFormat<OutputRecord>,
        combiner: (@Sendable (Value, Value) -> Value)? = nil,
        partitioner: (@Sendable (Key, Int) -> Int)? = nil,
        totalOrder: Bool = false,
        map: @escaping @Sendable (Line, Emitter<Key, Value>) throws -> Void,
        reduce: @escaping @Sendable (Key, Values<Value>, OutputWriter<OutputRecord>) throws -> Void
    ) {
        self.init(
            name: name, framing: .lines, combiner: combiner, partitioner: partitioner, totalOrder: totalOrder, map: map,
            reduce: { key, values, file in try reduce(key, values, OutputWriter(file: file, format: output)) })
    }

    /// Creates a job over records of `input` whose reduce function writes records in `output`'s format.
    @inlinable
    public init<Record, OutputRecord>(
        _ name: String,
        input: InputFormat<Record>,
        output: OutputFormat<OutputRecord>,
        combiner: (@Sendable (Value, Value) -> Value)? = nil,
        partitioner: (@Sendable (Key, Int) -> Int)? = nil,
        totalOrder: Bool = false,
        map: @escaping @Sendable (Record, Emitter<Key, Value>) throws -> Void,
        reduce: @escaping @Sendable (Key, Values<Value>, OutputWriter<OutputRecord>) throws -> Void
    ) {
        self.init(
            name: name, framing: input.framing, combiner: combiner, partitioner: partitioner, totalOrder: totalOrder,
            map: Self.decoding(input, map), reduce: { key, values, file in try reduce(key, values, OutputWriter(file: file, format: output)) })
    }

    /// Creates the last step of a job, after `earlier`: its map function is called once per pair `earlier`'s reduce
    /// function emitted, and its output is `key value` lines.
    /// - Parameters:
    ///   - name: the job's catalog name, kebab-case.
    ///   - earlier: the step before this one (itself possibly after others).
    ///   - combiner: folds two values of one key on the map side (associative and commutative), or `nil`.
    ///   - partitioner: chooses a key's partition in `0..<partitions`, or `nil` for the stable hash.
    ///   - totalOrder: partition by key ranges sampled from the earlier step's pairs.
    ///   - map: called once per pair of the earlier step; emits pairs.
    ///   - reduce: called once per key with its values streamed; its result is written after the key.
    public init<EarlierKey, EarlierValue, InputKey, InputValue, Output: CustomStringConvertible & SendableMetatype>(
        _ name: String,
        after earlier: Step<EarlierKey, EarlierValue, InputKey, InputValue>,
        combiner: (@Sendable (Value, Value) -> Value)? = nil,
        partitioner: (@Sendable (Key, Int) -> Int)? = nil,
        totalOrder: Bool = false,
        map: @escaping @Sendable (InputKey, InputValue, Emitter<Key, Value>) throws -> Void,
        reduce: @escaping @Sendable (Key, Values<Value>) throws -> Output
    ) {
        self.init(
            name, input: InputFormat(pairsOf: InputKey.self, InputValue.self), combiner: combiner, partitioner: partitioner, totalOrder: totalOrder,
            map: { pair, emit in try map(pair.key, pair.value, emit) }, reduce: reduce)
        earlierSteps = earlier.steps
    }

    /// Creates the last step of a job, after `earlier`, whose reduce function writes records in `output`'s format.
    public init<EarlierKey, EarlierValue, InputKey, InputValue, OutputRecord>(
        _ name: String,
        after earlier: Step<EarlierKey, EarlierValue, InputKey, InputValue>,
        output: OutputFormat<OutputRecord>,
        combiner: (@Sendable (Value, Value) -> Value)? = nil,
        partitioner: (@Sendable (Key, Int) -> Int)? = nil,
        totalOrder: Bool = false,
        map: @escaping @Sendable (InputKey, InputValue, Emitter<Key, Value>) throws -> Void,
        reduce: @escaping @Sendable (Key, Values<Value>, OutputWriter<OutputRecord>) throws -> Void
    ) {
        self.init(
            name, input: InputFormat(pairsOf: InputKey.self, InputValue.self), output: output, combiner: combiner, partitioner: partitioner,
            totalOrder: totalOrder,
            map: { pair, emit in try map(pair.key, pair.value, emit) }, reduce: reduce)
        earlierSteps = earlier.steps
    }

    /// Creates the last step of a job without a reduce function, after `earlier`: each pair its map function
    /// emits is written as a `key value` line. Like a ``Step`` without one, its pairs pass through the shuffle, so
    /// the output is sorted and partitioned by key.
    public init<EarlierKey, EarlierValue, InputKey, InputValue>(
        _ name: String,
        after earlier: Step<EarlierKey, EarlierValue, InputKey, InputValue>,
        partitioner: (@Sendable (Key, Int) -> Int)? = nil,
        totalOrder: Bool = false,
        map: @escaping @Sendable (InputKey, InputValue, Emitter<Key, Value>) throws -> Void
    ) {
        self.init(
            name: name, framing: .pairs, combiner: nil, partitioner: partitioner, totalOrder: totalOrder,
            map: Self.decoding(InputFormat(pairsOf: InputKey.self, InputValue.self)) { pair, emit in try map(pair.key, pair.value, emit) },
            reduce: { key, values, file in
                for value in values { try file.writeKeyValue(key: key, text: "\(value)") }
            })
        earlierSteps = earlier.steps
    }

    @inlinable
    static func decoding<Record>(
        _ input: InputFormat<Record>, _ map: @escaping @Sendable (Record, Emitter<Key, Value>) throws -> Void
    ) -> @Sendable (Line, Emitter<Key, Value>) throws -> Void {
        { line, emit in
            guard let record = try input.decode(line) else { return }
            try map(record, emit)
        }
    }
}
