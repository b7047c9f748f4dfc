/// A step of a job that is not its last: a map and a reduce function whose reduce emits pairs for the next step,
/// instead of writing the job's output.
///
/// Real batch work is a chain of MapReduces. A chain is one job: the first step reads the job's input, each later
/// step's map function is called once per pair the step before it emitted, and the last step, a ``Job`` made
/// `after:` the one before it, writes the output. Pairs travel between steps as the shuffle's compressed
/// intermediate files in the job's directory, never re-parsed from text. Every step has its own key and value
/// types, combiner, partitioner, total order and secondary sort; all steps share the job's configuration
/// (`--reducers`, memory budget, record limits).
///
/// ```swift
/// /// Step 1: how often each word occurs, emitted under its first letter.
/// let countWords = Step<String, Int, String, WordCount>("count-words", combiner: +) { line, emit in
///     for word in line.words { emit(word, 1) }
/// } reduce: { word, counts, emit in
///     emit(String(word.prefix(1)), WordCount(word: word, count: counts.reduce(0, +)))
/// }
///
/// /// Step 2: the most frequent word of each letter.
/// let topWordPerLetter = Job<String, WordCount>("top-word-per-letter", after: countWords) { letter, word, emit in
///     emit(letter, word)
/// } reduce: { letter, words in
///     words.max { $0.count < $1.count }!.word
/// }
/// ```
///
/// Both runners run the steps in order, the ``SequentialRunner`` in one process and a coordinator over the same
/// workers; a coordinator that restarts resumes inside the step it was in.
public struct Step<Key: RecordCodable, Value: RecordCodable, OutputKey: RecordCodable, OutputValue: RecordCodable>: Sendable {
    /// The step as a job whose reduce function writes the pairs it emits.
    @usableFromInline var job: Job<Key, Value>

    /// The step's name, shown in summaries and on the status page: kebab-case, like `count-words`.
    public var name: String { job.name }

    /// This step and the ones before it, in the order they run.
    var steps: [AnyStep] { job.steps }

    private init(
        _ name: String, framing: RecordFraming, combiner: (@Sendable (Value, Value) -> Value)?, partitioner: (@Sendable (Key, Int) -> Int)?,
        totalOrder: Bool, map: @escaping @Sendable (Line, Emitter<Key, Value>) throws -> Void,
        reduce: @escaping @Sendable (Key, Values<Value>, StepEmitter<OutputKey, OutputValue>) throws -> Void
    ) {
        job = Job(
            name: name, framing: framing, combiner: combiner, partitioner: partitioner, totalOrder: totalOrder, map: map,
            reduce: { key, values, file in try reduce(key, values, StepEmitter(file)) })
        job.writesPairs = true
    }

    /// Creates the first step of a job, over lines.
    /// - Parameters:
    ///   - name: the step's name, kebab-case.
    ///   - combiner: folds two values of one key on the map side (associative and commutative), or `nil`.
    ///   - partitioner: chooses a key's partition in `0..<partitions`, or `nil` for the stable hash.
    ///   - totalOrder: partition by key ranges sampled from the input.
    ///   - map: called once per input line; emits pairs.
    ///   - reduce: called once per key with its values streamed; emits the pairs the next step reads.
    public init(
        _ name: String,
        combiner: (@Sendable (Value, Value) -> Value)? = nil,
        partitioner: (@Sendable (Key, Int) -> Int)? = nil,
        totalOrder: Bool = false,
        map: @escaping @Sendable (Line, Emitter<Key, Value>) throws -> Void,
        reduce: @escaping @Sendable (Key, Values<Value>, StepEmitter<OutputKey, OutputValue>) throws -> Void
    ) {
        self.init(name, framing: .lines, combiner: combiner, partitioner: partitioner, totalOrder: totalOrder, map: map, reduce: reduce)
    }

    /// Creates the first step of a job, over records of `input` (CSV, JSON Lines).
    public init<Record>(
        _ name: String,
        input: InputFormat<Record>,
        combiner: (@Sendable (Value, Value) -> Value)? = nil,
        partitioner: (@Sendable (Key, Int) -> Int)? = nil,
        totalOrder: Bool = false,
        map: @escaping @Sendable (Record, Emitter<Key, Value>) throws -> Void,
        reduce: @escaping @Sendable (Key, Values<Value>, StepEmitter<OutputKey, OutputValue>) throws -> Void
    ) {
        self.init(
            name, framing: input.framing, combiner: combiner, partitioner: partitioner, totalOrder: totalOrder, map: Job.decoding(input, map),
            reduce: reduce)
    }

    /// Creates a step after `earlier`: its map function is called once per pair `earlier`'s reduce function emitted.
    public init<EarlierKey, EarlierValue, InputKey, InputValue>(
        _ name: String,
        after earlier: Step<EarlierKey, EarlierValue, InputKey, InputValue>,
        combiner: (@Sendable (Value, Value) -> Value)? = nil,
        partitioner: (@Sendable (Key, Int) -> Int)? = nil,
        totalOrder: Bool = false,
        map: @escaping @Sendable (InputKey, InputValue, Emitter<Key, Value>) throws -> Void,
        reduce: @escaping @Sendable (Key, Values<Value>, StepEmitter<OutputKey, OutputValue>) throws -> Void
    ) {
        self.init(
            name, input: InputFormat(pairsOf: InputKey.self, InputValue.self), combiner: combiner, partitioner: partitioner, totalOrder: totalOrder,
            map: { pair, emit in try map(pair.key, pair.value, emit) }, reduce: reduce)
        job.earlierSteps = earlier.steps
    }

    /// Creates a first step without a reduce function, over lines: every pair its map function emits reaches the
    /// next step as it is (see ``init(_:after:partitioner:map:)`` for what that costs).
    public init(
        _ name: String, partitioner: (@Sendable (Key, Int) -> Int)? = nil, map: @escaping @Sendable (Line, Emitter<Key, Value>) throws -> Void
    ) where OutputKey == Key, OutputValue == Value {
        self.init(name, partitioner: partitioner, map: map, reduce: Self.passThrough)
    }

    /// Creates a first step without a reduce function, over records of `input`.
    public init<Record>(
        _ name: String, input: InputFormat<Record>, partitioner: (@Sendable (Key, Int) -> Int)? = nil,
        map: @escaping @Sendable (Record, Emitter<Key, Value>) throws -> Void
    ) where OutputKey == Key, OutputValue == Value {
        self.init(name, input: input, partitioner: partitioner, map: map, reduce: Self.passThrough)
    }

    /// Creates a step without a reduce function (map-only) after `earlier`: every pair its map function emits
    /// reaches the next step as it is, each once.
    ///
    /// The pairs still pass through the shuffle, as through Hadoop's identity reducer: the next step reads them
    /// sorted and partitioned by key, and the step costs a sort of its output. Its map function may filter,
    /// reshape and re-key what the step before emitted, with types of its own.
    public init<EarlierKey, EarlierValue, InputKey, InputValue>(
        _ name: String, after earlier: Step<EarlierKey, EarlierValue, InputKey, InputValue>, partitioner: (@Sendable (Key, Int) -> Int)? = nil,
        map: @escaping @Sendable (InputKey, InputValue, Emitter<Key, Value>) throws -> Void
    ) where OutputKey == Key, OutputValue == Value {
        self.init(name, after: earlier, partitioner: partitioner, map: map, reduce: Self.passThrough)
    }

    /// The reduce function of a step without one: each value, under its key.
    @Sendable private static func passThrough(_ key: Key, _ values: Values<Value>, _ emit: StepEmitter<Key, Value>)
    where OutputKey == Key, OutputValue == Value {
        for value in values { emit(key, value) }
    }

    /// This step with each key's values handed to its reduce function in the order of their sort keys, smallest
    /// first (see ``Job/sortingValues(by:)``).
    public func sortingValues<SortKey: RecordCodable>(by sortKey: @escaping @Sendable (Value) -> SortKey) -> Step {
        var step = self
        step.job = job.sortingValues(by: sortKey)
        return step
    }
}

/// Emits the pairs a step's reduce function passes to the next step.
public struct StepEmitter<Key: RecordCodable, Value: RecordCodable> {
    @usableFromInline let file: OutputFile

    @inlinable
    init(_ file: OutputFile) { self.file = file }

    /// Emits one pair to the next step.
    @inlinable
    public func callAsFunction(_ key: Key, _ value: Value) {
        file.pairKey.removeAll()
        key.encode(to: &file.pairKey)
        file.pairValue.removeAll()
        value.encode(to: &file.pairValue)
        file.flushPair()
    }
}
