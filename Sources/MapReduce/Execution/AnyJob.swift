import Foundation
import Zstd

/// A job with its key and value types hidden, as the catalog and the runners hold it.
///
/// The task functions are built where the job's types are known (this initializer is inlinable), so the
/// per-record path is specialized for them.
public struct AnyJob: Sendable {
    /// The job's name.
    public let name: String
    /// Runs one map attempt.
    public let runMapTask: @Sendable (MapTaskContext) throws -> MapTaskOutput
    /// Runs one reduce attempt.
    public let runReduceTask: @Sendable (ReduceTaskContext) throws -> ReduceTaskOutput

    /// Wraps `job`.
    @inlinable
    public init<Key, Value>(_ job: Job<Key, Value>) {
        name = job.name
        runMapTask = { context in
            var (output, counters) = try Counters.collecting { try job.runMap(context) }
            output.counters = counters
            return output
        }
        runReduceTask = { context in
            var (output, counters) = try Counters.collecting { try job.runReduce(context) }
            output.counters = counters
            return output
        }
    }
}

extension Job {
    /// Reads the context's splits, calls `map` per line and writes the attempt's partition files.
    @inlinable
    func runMap(_ context: MapTaskContext) throws -> MapTaskOutput {
        let output = try MapOutputWriter(directory: context.directory, settings: context.settings)
        let collector = MapOutputCollector<Key, Value>(output: output, combine: combiner, partitioner: partitioner)
        let emit = Emitter(collector)
        let reader = SplitReader()
        var inputBytes: Int64 = 0
        var lines: Int64 = 0
        // Skipping a bad record must drop what its map call emitted before throwing, so pairs are staged per call.
        let skipping = context.badRecordLimit > 0
        if skipping { collector.state.pointee.staged = [] }
        var badRecords: [BadRecord] = []
        for split in context.splits {
            inputBytes += try reader.forEachLine(in: split) { line in
                lines += 1
                do {
                    try map(line, emit)
                    if skipping { collector.state.pointee.flushStaged() }
                } catch {
                    if skipping, badRecords.count < context.badRecordLimit {
                        collector.state.pointee.staged = []
                        badRecords.append(BadRecord(file: line.file.path, offset: line.offset, error: "\(error)"))
                        return
                    }
                    let limit = skipping ? " (after skipping \(badRecords.count), the most --skip-bad-records allows)" : ""
                    throw JobError(.mapFailed, "map of job '\(name)' failed on the line at byte \(line.offset) of '\(line.file.path)'\(limit): \(error)")
                }
                try collector.checkFailure()
            }
        }
        let files = try collector.finish()
        var badRecordsPath: String? = nil
        if !badRecords.isEmpty {
            badRecordsPath = "\(context.directory)/\(BadRecordsFile.attemptFileName)"
            try BadRecordsFile.write(badRecords, to: badRecordsPath!)
        }
        return MapTaskOutput(
            files: files, inputBytes: inputBytes, inputRecords: lines, emittedRecords: collector.emitted, spills: output.spillCount,
            skippedRecords: Int64(badRecords.count), badRecords: badRecordsPath)
    }

    /// Merges the partition's map outputs, calls `reduce` per key and publishes the output file.
    @inlinable
    func runReduce(_ context: ReduceTaskContext) throws -> ReduceTaskOutput {
        let merge = ReduceMerge(context: context)
        let groups = try merge.open()
        let source = ValueSource(groups)
        let writer = try TextOutputWriter(path: context.outputPath, temporaryDirectory: context.scratchDirectory, sync: context.settings.syncFiles)
        var records: Int64 = 0
        while try groups.nextKey() {
            let key = try groups.key.withUnsafeBytes { bytes throws in try Key(decoding: bytes) }
            let text: String
            do {
                text = try reduceToText(key, Values(source))
            } catch {
                throw JobError(.reduceFailed, "reduce of job '\(name)' failed on key '\(key)' in partition \(context.partition): \(error)")
            }
            if let failure = source.failure { throw failure }
            try writer.writeLine(key: key, text: text)
            records += 1
        }
        let bytes = try writer.commit()
        merge.cleanUp()
        return ReduceTaskOutput(path: context.outputPath, records: records, inputRecords: merge.inputRecords, bytes: bytes)
    }
}

/// Opens a reduce task's inputs, merging in passes first if they outnumber the fan-in.
@usableFromInline
final class ReduceMerge {
    let context: ReduceTaskContext
    private var readers: [IntermediateFileReader] = []

    @usableFromInline
    init(context: ReduceTaskContext) { self.context = context }

    @usableFromInline
    func open() throws -> KeyGroups {
        try FileManager.default.createDirectory(atPath: context.scratchDirectory, withIntermediateDirectories: true)
        let merging = RunMerging(
            settings: context.settings, compressor: ZstdCompressor(level: context.settings.compressionLevel),
            scratchDirectory: context.scratchDirectory)
        let inputs = try merging.reduceFanIn(context.inputs)
        readers = try inputs.map { path throws(IntermediateFileError) in try IntermediateFileReader(path: path) }
        return KeyGroups(try RecordMerger(readers))
    }

    /// Records read from the final merge's inputs.
    @usableFromInline
    var inputRecords: Int64 { readers.reduce(0) { $0 + $1.recordsRead } }

    @usableFromInline
    func cleanUp() { try? FileManager.default.removeItem(atPath: context.scratchDirectory) }
}
