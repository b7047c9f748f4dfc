/// How a job is cut into tasks and how its data moves: the settings every runner shares.
public struct JobConfiguration: Hashable, Codable, Sendable {
    /// The number of reduce partitions, and so of output files. Default 1.
    public var reducers: Int
    /// The most input bytes one map task reads. Default 64 MiB.
    public var splitSize: Int64
    /// The number of map tasks to aim for when the input is small: splits shrink to the input's size divided by
    /// this (never below ``minimumSplitSize``, never above ``splitSize``), so that every worker has work. Default 8.
    public var targetMapTasks: Int
    /// Bytes a task may buffer before spilling, and spend on merge buffers. Default 160 MiB
    /// (``ShuffleSettings/defaultMemoryBudget``).
    public var memoryBudget: Int
    /// The zstd level of intermediate files, 1 to 19, -1 to -7 for zstd's faster levels, or 0 to store them
    /// uncompressed (``ShuffleSettings/compressionLevels``). Default 1.
    public var compressionLevel: Int32
    /// Whether output files and `_summary.json` are fsynced before they are published. Default `true`. Intermediate
    /// (map output) files never are: they can be computed again, and every reader verifies them.
    public var syncFiles: Bool
    /// How many records whose map call throws the job may skip, listing them in `_bad_records.jsonl`. Default 0:
    /// the first one fails its task.
    public var skipBadRecords: Int
    /// The longest input record a map task reads, in bytes: a longer one (a runaway line, a CSV quote never
    /// closed) fails its task naming the file and offset, or, with `skipBadRecords`, is skipped and listed without
    /// being read into memory. Default 64 MiB.
    public var maximumRecordSize: Int

    /// The most reduce partitions a job may have: 10,000 (the coordinator's request limits are sized for it).
    public static let maximumReducers = 10_000

    /// The smallest split that ``targetMapTasks`` shrinks splits to: 4 MiB (below it, a task's fixed cost
    /// outweighs its work). An explicit ``splitSize`` smaller than this is kept.
    public static let minimumSplitSize: Int64 = 4 << 20

    /// The default ``maximumRecordSize``: 64 MiB.
    public static let defaultMaximumRecordSize = 64 << 20

    /// Creates a configuration; each parameter has the documented default.
    public init(
        reducers: Int = 1, splitSize: Int64 = 64 << 20, targetMapTasks: Int = 8, memoryBudget: Int = ShuffleSettings.defaultMemoryBudget,
        compressionLevel: Int32 = 1,
        syncFiles: Bool = true, skipBadRecords: Int = 0, maximumRecordSize: Int = JobConfiguration.defaultMaximumRecordSize
    ) {
        self.reducers = reducers
        self.splitSize = splitSize
        self.targetMapTasks = targetMapTasks
        self.memoryBudget = memoryBudget
        self.compressionLevel = compressionLevel
        self.syncFiles = syncFiles
        self.skipBadRecords = skipBadRecords
        self.maximumRecordSize = maximumRecordSize
    }

    /// Checks every setting, naming the first bad one.
    public func validate() throws(JobError) {
        guard (1...Self.maximumReducers).contains(reducers) else {
            throw JobError(.badConfiguration, "reducers must be from 1 to \(Self.maximumReducers) (got \(reducers))")
        }
        guard splitSize >= 1 else { throw JobError(.badConfiguration, "split size must be at least 1 byte (got \(splitSize))") }
        guard (1...1_000_000).contains(targetMapTasks) else {
            throw JobError(.badConfiguration, "--map-tasks must be from 1 to 1000000 (got \(targetMapTasks))")
        }
        guard memoryBudget >= 1 << 16 else { throw JobError(.badConfiguration, "memory budget must be at least 64 KiB (got \(memoryBudget) bytes)") }
        guard skipBadRecords >= 0 else { throw JobError(.badConfiguration, "--skip-bad-records must be 0 or more (got \(skipBadRecords))") }
        guard maximumRecordSize >= 1 else {
            throw JobError(.badConfiguration, "--max-record-size must be at least 1 byte (got \(maximumRecordSize))")
        }
        guard ShuffleSettings.compressionLevels.contains(compressionLevel) else {
            throw JobError(.badConfiguration, ShuffleSettings.compressionLevelProblem(compressionLevel))
        }
    }

    /// The split size for `inputBytes` of input: ``splitSize``, or smaller so that the input makes about
    /// ``targetMapTasks`` tasks, but not below ``minimumSplitSize`` (Spark's rule: min(max split, max(minimum,
    /// input ÷ parallelism))).
    public func effectiveSplitSize(forInputOf inputBytes: Int64) -> Int64 {
        let share = inputBytes / Int64(max(targetMapTasks, 1)) + 1
        return min(splitSize, max(Self.minimumSplitSize, share))
    }

    /// The shuffle settings these imply.
    public var shuffle: ShuffleSettings {
        ShuffleSettings(partitions: reducers, memoryBudget: memoryBudget, compressionLevel: compressionLevel, syncFiles: syncFiles)
    }
}
