#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What one map attempt reads and where it writes.
public struct MapTaskContext: Sendable {
    /// The map task's number.
    public var task: Int
    /// The attempt.
    public var attempt: AttemptID
    /// The input ranges the task reads, in order.
    public var splits: [InputSplit]
    /// The step's map directory, where every map attempt writes its files, named by its task and attempt
    /// (``layout``).
    public var directory: String
    /// How outputs are buffered and written.
    public var settings: ShuffleSettings
    /// How many records whose map call throws (or that are longer than `maximumRecordSize`) the attempt may skip,
    /// listing them, before it fails. Default 0.
    public var badRecordLimit: Int
    /// The longest input record the attempt reads; a longer one fails it, or is skipped as a bad record.
    /// Default 64 MiB.
    public var maximumRecordSize: Int
    /// Set to stop the attempt early.
    public var cancellation: TaskCancellation
    /// Where the attempt publishes how far it got.
    public var progress: TaskProgress

    /// Creates a map task context.
    public init(
        task: Int, attempt: AttemptID, splits: [InputSplit], directory: String, settings: ShuffleSettings, badRecordLimit: Int = 0,
        maximumRecordSize: Int = JobConfiguration.defaultMaximumRecordSize, cancellation: TaskCancellation = TaskCancellation(),
        progress: TaskProgress = TaskProgress()
    ) {
        self.progress = progress
        self.task = task
        self.attempt = attempt
        self.splits = splits
        self.directory = directory
        self.settings = settings
        self.badRecordLimit = badRecordLimit
        self.maximumRecordSize = maximumRecordSize
        self.cancellation = cancellation
    }
}

extension MapTaskContext {
    /// Where the attempt's files are.
    public var layout: MapOutputLayout { MapOutputLayout(directory: directory, task: task, attempt: attempt) }
}

/// What a map attempt produced.
public struct MapTaskOutput: Hashable, Codable, Sendable {
    /// The attempt's output file: every partition's sorted run, with an index of them.
    public var file: IntermediateFileSummary
    /// Input bytes read.
    public var inputBytes: Int64
    /// Input records read.
    public var inputRecords: Int64
    /// Pairs emitted by the map function (before combining).
    public var emittedRecords: Int64
    /// Sorted runs spilled to disk because the buffer was full.
    public var spills: Int
    /// The job's own counters (``Counters``) from this attempt.
    public var counters: [String: Int64]
    /// Records skipped because their map call threw.
    public var skippedRecords: Int64
    /// The list of skipped records (``BadRecordsFile``), if any were skipped.
    public var badRecords: String?

    /// Creates a map task's result.
    public init(
        file: IntermediateFileSummary, inputBytes: Int64, inputRecords: Int64, emittedRecords: Int64, spills: Int, counters: [String: Int64] = [:],
        skippedRecords: Int64 = 0, badRecords: String? = nil
    ) {
        self.file = file
        self.inputBytes = inputBytes
        self.inputRecords = inputRecords
        self.emittedRecords = emittedRecords
        self.spills = spills
        self.counters = counters
        self.skippedRecords = skippedRecords
        self.badRecords = badRecords
    }
}

/// What one reduce attempt reads and where it writes.
public struct ReduceTaskContext: Sendable {
    /// The partition the task reduces.
    public var partition: Int
    /// The output file of every committed map attempt that may hold records in ``partition`` (the others are
    /// skipped unopened), in map task order: the task reads partition ``partition`` of each.
    public var inputs: [String]
    /// The final output file, for example `out/part-00003`.
    public var outputPath: String
    /// Where the attempt merges in passes, when its inputs do not fit in memory together: created then, and removed
    /// at the end. It must not exist beforehand.
    public var scratchDirectory: String
    /// How inputs are merged.
    public var settings: ShuffleSettings
    /// Set to stop the attempt early.
    public var cancellation: TaskCancellation
    /// Where the attempt publishes how far it got (the values it has read).
    public var progress: TaskProgress

    /// Creates a reduce task context.
    public init(
        partition: Int, inputs: [String], outputPath: String, scratchDirectory: String, settings: ShuffleSettings,
        cancellation: TaskCancellation = TaskCancellation(), progress: TaskProgress = TaskProgress()
    ) {
        self.progress = progress
        self.partition = partition
        self.inputs = inputs
        self.outputPath = outputPath
        self.scratchDirectory = scratchDirectory
        self.settings = settings
        self.cancellation = cancellation
    }
}

extension ReduceTaskContext {
    /// Creates the directory the output file is written into (created as ``PhaseDirectory`` allows).
    @usableFromInline
    func createOutputDirectory() throws(FileIOError) {
        guard let slash = outputPath.lastIndex(of: "/"), slash != outputPath.startIndex else { return }
        try PhaseDirectory.create(String(outputPath[..<slash]))
    }
}

extension MapTaskOutput {
    private enum CodingKeys: String, CodingKey {
        case file, inputBytes, inputRecords, emittedRecords, spills, counters, skippedRecords, badRecords
    }

    /// Decodes a result; `counters`, `skippedRecords` and `badRecords` may be absent (none).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            file: try container.decode(IntermediateFileSummary.self, forKey: .file), inputBytes: try container.decode(Int64.self, forKey: .inputBytes),
            inputRecords: try container.decode(Int64.self, forKey: .inputRecords),
            emittedRecords: try container.decode(Int64.self, forKey: .emittedRecords), spills: try container.decode(Int.self, forKey: .spills),
            counters: try container.decodeIfPresent([String: Int64].self, forKey: .counters) ?? [:],
            skippedRecords: try container.decodeIfPresent(Int64.self, forKey: .skippedRecords) ?? 0,
            badRecords: try container.decodeIfPresent(String.self, forKey: .badRecords))
    }
}

/// What a reduce attempt produced.
public struct ReduceTaskOutput: Hashable, Codable, Sendable {
    /// The published output file.
    public var path: String
    /// Output records written (lines of the output file).
    public var records: Int64
    /// Values read from the map outputs.
    public var inputRecords: Int64
    /// Bytes of the partition's runs in the map outputs, compressed as stored.
    public var inputBytes: Int64
    /// Bytes written.
    public var bytes: Int64
    /// The job's own counters (``Counters``) from this attempt.
    public var counters: [String: Int64]
    /// The keys with the most values, most first (at most ten).
    public var hotKeys: [HotKey]

    /// Creates a reduce task's result.
    public init(
        path: String, records: Int64, inputRecords: Int64, inputBytes: Int64 = 0, bytes: Int64, counters: [String: Int64] = [:], hotKeys: [HotKey] = []
    ) {
        self.path = path
        self.records = records
        self.inputRecords = inputRecords
        self.inputBytes = inputBytes
        self.bytes = bytes
        self.counters = counters
        self.hotKeys = hotKeys
    }
}

extension ReduceTaskOutput {
    private enum CodingKeys: String, CodingKey {
        case path, records, inputRecords, inputBytes, bytes, counters, hotKeys
    }

    /// Decodes a result; `inputBytes` may be absent (0), `counters` and `hotKeys` too (none).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            path: try container.decode(String.self, forKey: .path), records: try container.decode(Int64.self, forKey: .records),
            inputRecords: try container.decode(Int64.self, forKey: .inputRecords),
            inputBytes: try container.decodeIfPresent(Int64.self, forKey: .inputBytes) ?? 0, bytes: try container.decode(Int64.self, forKey: .bytes),
            counters: try container.decodeIfPresent([String: Int64].self, forKey: .counters) ?? [:],
            hotKeys: try container.decodeIfPresent([HotKey].self, forKey: .hotKeys) ?? [])
    }
}
