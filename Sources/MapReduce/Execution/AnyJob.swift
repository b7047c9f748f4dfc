import Foundation
import Zstd

/// A job with its key and value types hidden, as the catalog and the runners hold it: its steps, in order (one, for
/// a job that is a single MapReduce).
public struct AnyJob: Sendable {
    /// The job's name.
    public let name: String
    /// The job's steps in the order they run: each step after the first reads the pairs the one before it emitted,
    /// and the last writes the job's output.
    public let steps: [AnyStep]

    /// Wraps `job` and the steps before it.
    @inlinable
    public init<Key, Value>(_ job: Job<Key, Value>) {
        name = job.name
        steps = job.steps
    }

    /// A job, named after `step`, that runs `step` and the steps before it and publishes the pairs `step` emits as
    /// its output: intermediate files (read them with ``IntermediateFileReader``). It shows, or tests, what a step
    /// hands the next one.
    public init<Key, Value, OutputKey, OutputValue>(_ step: Step<Key, Value, OutputKey, OutputValue>) {
        name = step.name
        steps = step.steps
    }
}

/// One step of a job with its key and value types hidden: its task bodies.
///
/// The task functions are built where the step's types are known (this initializer is inlinable), so the
/// per-record path is specialized for them.
public struct AnyStep: Sendable {
    /// The step's name (the job's, for a job of one step).
    public let name: String
    /// How the step's input is cut into records: ``RecordFraming/pairs`` for every step after the first.
    public let framing: RecordFraming
    /// Whether the step's reduce function emits pairs for a next step rather than writing the job's output.
    public let writesPairs: Bool
    /// Runs one map attempt.
    public let runMapTask: @Sendable (MapTaskContext) throws -> MapTaskOutput
    /// Runs one reduce attempt.
    public let runReduceTask: @Sendable (ReduceTaskContext) throws -> ReduceTaskOutput
    /// For a total-order step, the encoded keys the map function emits for the first records of each split (at
    /// most the given number per split, records no longer than the given size): the sample its partitions' key
    /// ranges are cut from. `nil` for others.
    public let sampleKeys: (@Sendable (_ splits: [InputSplit], _ perSplit: Int, _ maximumRecordSize: Int) throws -> [[UInt8]])?

    /// Wraps `job` as one step.
    @inlinable
    public init<Key, Value>(_ job: Job<Key, Value>) {
        name = job.name
        framing = job.framing
        writesPairs = job.writesPairs
        runMapTask = { context in
            do {
                var (output, counters) = try Counters.collecting { try job.runMap(context) }
                output.counters = counters
                return output
            } catch {
                context.layout.removeAbandoned()
                throw error
            }
        }
        runReduceTask = { context in
            do {
                var (output, counters) = try Counters.collecting { try job.runReduce(context) }
                output.counters = counters
                return output
            } catch {
                ReduceOutputLayout(outputFile: context.outputPath)?.removeAbandoned()
                throw error
            }
        }
        if job.totalOrder {
            sampleKeys = { splits, perSplit, maximumRecordSize in
                try job.sampleKeys(splits, perSplit: perSplit, maximumRecordSize: maximumRecordSize)
            }
        } else {
            sampleKeys = nil
        }
    }
}

extension Job {
    /// Reads the context's splits, calls `map` per line and writes the attempt's output file.
    @inlinable
    func runMap(_ context: MapTaskContext) throws -> MapTaskOutput {
        let output = try MapOutputWriter(layout: context.layout, settings: context.settings)
        let collector = MapOutputCollector<Key, Value>(output: output, combine: combiner, partitioner: partitioner, valueOrder: valueOrder)
        let emit = Emitter(collector)
        let reader = SplitReader(maximumRecordSize: context.maximumRecordSize)
        let cancellation = context.cancellation
        let progress = context.progress
        var inputBytes: Int64 = 0
        var lines: Int64 = 0
        // Skipping a bad record must drop what its map call emitted before throwing, so pairs are staged per call.
        let skipping = context.badRecordLimit > 0
        if skipping { collector.state.pointee.staged = [] }
        var badRecords: [BadRecord] = []
        // A record too long to read is a bad record too: listed and passed over when skipping is allowed.
        let oversized: ((SplitReader.OversizedRecord) throws -> Void)? =
            skipping
            ? { record in
                guard badRecords.count < context.badRecordLimit else {
                    throw JobError(
                        .mapFailed,
                        "\(record.message) (after skipping \(badRecords.count), the most --skip-bad-records allows); raise --max-record-size or --skip-bad-records"
                    )
                }
                badRecords.append(BadRecord(file: record.file.path, line: record.line, offset: record.offset, error: record.message))
            } : nil
        for split in context.splits {
            let readBefore = inputBytes
            inputBytes += try reader.forEachRecord(in: split, framing: framing, oversized: oversized) { line in
                try cancellation.check()
                lines += 1
                if lines % TaskProgress.interval == 0 { progress.update(records: lines, bytes: readBefore + line.offset - split.start) }
                do {
                    try map(line, emit)
                    if skipping { collector.state.pointee.flushStaged() }
                } catch {
                    let number = try? line.number
                    if skipping, badRecords.count < context.badRecordLimit {
                        collector.state.pointee.staged = []
                        badRecords.append(BadRecord(file: line.file.path, line: number, offset: line.offset, error: "\(error)"))
                        return
                    }
                    let limit = skipping ? " (after skipping \(badRecords.count), the most --skip-bad-records allows)" : ""
                    let place =
                        if case .pairs = framing { "pair \(line.offset + 1) (emitted by the step before)" } else {
                            number.map { "line \($0) (byte \(line.offset))" } ?? "the record at byte \(line.offset)"
                        }
                    throw JobError(.mapFailed, "map of \(described) failed on \(place) of '\(line.file.path)'\(limit): \(error)", cause: error)
                }
                try collector.checkFailure()
            }
        }
        let file = try collector.finish()
        var badRecordsPath: String? = nil
        if !badRecords.isEmpty {
            let path = context.layout.badRecordsFile
            try BadRecordsFile.write(badRecords, to: path, sync: context.settings.syncFiles)
            badRecordsPath = path
        }
        return MapTaskOutput(
            file: file, inputBytes: inputBytes, inputRecords: lines, emittedRecords: collector.emitted, spills: output.spillCount,
            skippedRecords: Int64(badRecords.count), badRecords: badRecordsPath)
    }

    /// Merges the partition's map outputs, calls `reduce` per key and publishes the output file.
    @inlinable
    func runReduce(_ context: ReduceTaskContext) throws -> ReduceTaskOutput {
        try context.createOutputDirectory()
        let merge = ReduceMerge(context: context)
        var keyLength: ((UnsafeRawBufferPointer) throws(RecordDecodingError) -> Int)? = nil
        if valueOrder != nil { keyLength = { shuffleKey throws(RecordDecodingError) in try Self.keyLength(shuffleKey) } }
        let groups = try merge.open(keyLength: keyLength)
        let source = ValueSource(groups)
        // One `Values` for every key (it reads the current key's values from `source`): made per key, it was a
        // retain and a release each.
        let values = Values<Value>(source)
        let file =
            writesPairs
            ? try OutputFile(pairsAt: context.outputPath, settings: context.settings)
            : try OutputFile(path: context.outputPath, sync: context.settings.syncFiles)
        var keys: Int64 = 0
        var hotKeys = HotKeys()
        var keyDecoder = ReduceKeyDecoder<Key>()
        while try groups.nextKey() {
            try context.cancellation.check()
            keys += 1
            if keys % TaskProgress.interval == 0 { context.progress.update(records: merge.inputRecords, bytes: 0) }
            let key = try groups.key.withUnsafeBytes { bytes throws in try keyDecoder.decode(bytes) }
            do {
                try reduce(key, values, file)
            } catch {
                if let failure = source.failure ?? file.failure { throw failure }
                throw JobError(.reduceFailed, "reduce of \(described) failed on key '\(key)' in partition \(context.partition): \(error)", cause: error)
            }
            if let failure = source.failure ?? file.failure { throw failure }
            try groups.finishGroup()
            hotKeys.observe(groups.values) { "\(key)" }
        }
        let bytes = try file.commit()
        merge.cleanUp()
        return ReduceTaskOutput(
            path: context.outputPath, records: file.records, inputRecords: merge.inputRecords, inputBytes: merge.inputBytes, bytes: bytes,
            hotKeys: hotKeys.entries)
    }

    /// `job 'name'`, or `step 'name'` for a step of a job of several, in messages.
    @usableFromInline
    var described: String { writesPairs || !earlierSteps.isEmpty ? "step '\(name)'" : "job '\(name)'" }

    /// The length of the key encoding at the front of a shuffle key that a sort key follows.
    @inlinable
    static func keyLength(_ shuffleKey: UnsafeRawBufferPointer) throws(RecordDecodingError) -> Int {
        var reader = RecordReader(shuffleKey)
        _ = try Key(from: &reader)
        return reader.position
    }

    /// Calls `map` on the first `perSplit` records of each split and returns the encodings of the keys it emits,
    /// each cut to ``KeyRanges/maximumBoundaryLength`` bytes. Records whose map call throws, and records longer than
    /// `maximumRecordSize` (the job's `--max-record-size`: never read whole), are passed over: a sample needs no
    /// exactness.
    @inlinable
    func sampleKeys(_ splits: [InputSplit], perSplit: Int, maximumRecordSize: Int) throws -> [[UInt8]] {
        // Never written: pairs stay staged.
        let output = try MapOutputWriter(layout: MapOutputLayout(directory: "", task: 0, attempt: AttemptID(0)), settings: ShuffleSettings())
        let collector = MapOutputCollector<Key, Value>(output: output, combine: nil, partitioner: nil)
        collector.state.pointee.staged = []
        let emit = Emitter(collector)
        var keys: [[UInt8]] = []
        var encoder = RecordWriter(capacity: 64)
        let reader = SplitReader(bufferSize: min(1 << 20, maximumRecordSize), maximumRecordSize: maximumRecordSize)
        for split in splits {
            var records = 0
            do {
                try reader.forEachRecord(in: split, framing: framing, oversized: { _ in }) { line in
                    guard records < perSplit else { throw SamplingFinished() }
                    records += 1
                    collector.state.pointee.staged = []
                    try? map(line, emit)
                    for (key, _) in collector.state.pointee.staged ?? [] {
                        encoder.removeAll()
                        key.encode(to: &encoder)
                        keys.append(Array(encoder.bytes.prefix(KeyRanges.maximumBoundaryLength)))
                    }
                }
            } catch is SamplingFinished {}
        }
        return keys
    }
}

/// Stops reading a split once its sample is taken.
@usableFromInline
struct SamplingFinished: Error {
    @usableFromInline init() {}
}

/// Opens a reduce task's inputs, merging in passes first if they do not fit in memory together.
@usableFromInline
final class ReduceMerge {
    let context: ReduceTaskContext
    private var readers: [IntermediateFileReader] = []

    @usableFromInline
    init(context: ReduceTaskContext) { self.context = context }

    /// Merges the inputs and groups their records by key: the whole shuffle key, or the key `keyLength` finds at
    /// its front for a job that sorts values.
    @usableFromInline
    func open(keyLength: ((UnsafeRawBufferPointer) throws(RecordDecodingError) -> Int)?) throws -> KeyGroups {
        let merging = RunMerging(
            settings: context.settings, compressor: context.settings.makeCompressor(), scratchDirectory: context.scratchDirectory,
            createsScratchDirectory: true)
        let merge = try merging.openMerge(context.inputs.map { IntermediateRun(path: $0, partition: context.partition) })
        mergedInPasses = !merge.passFiles.isEmpty
        readers = merge.readers
        inputBytes = merge.passBytes + readers.filter { !merge.passFiles.contains($0.path) }.reduce(0) { $0 + $1.runBytes }
        return KeyGroups(try RecordMerger(readers), keyLength: keyLength)
    }

    /// Records read from the final merge's inputs.
    @usableFromInline
    var inputRecords: Int64 { readers.reduce(0) { $0 + $1.recordsRead } }

    /// The bytes of the partition's runs in the map outputs (compressed, as stored).
    @usableFromInline
    private(set) var inputBytes: Int64 = 0

    /// Whether the inputs were merged in passes, in the scratch directory.
    private var mergedInPasses = false

    /// Removes the scratch directory, if the merge made one.
    @usableFromInline
    func cleanUp() {
        if mergedInPasses { try? FileManager.default.removeItem(atPath: context.scratchDirectory) }
    }
}
