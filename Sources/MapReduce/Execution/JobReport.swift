/// What a finished job did.
public struct JobReport: Hashable, Codable, Sendable {
    /// The job's name.
    public var job: String
    /// Map tasks run.
    public var mapTasks: Int
    /// Reduce tasks run.
    public var reduceTasks: Int
    /// Input bytes read.
    public var inputBytes: Int64
    /// Input lines read.
    public var inputRecords: Int64
    /// Pairs the map function emitted.
    public var mapOutputRecords: Int64
    /// Records in the intermediate files (after combining).
    public var intermediateRecords: Int64
    /// Bytes of intermediate files.
    public var intermediateBytes: Int64
    /// Output lines written.
    public var outputRecords: Int64
    /// Output bytes written.
    public var outputBytes: Int64
    /// Sorted runs spilled by map tasks.
    public var spills: Int
    /// Wall time in seconds.
    public var seconds: Double
    /// The job's own counters (``Counters``), summed over its tasks.
    public var counters: [String: Int64] = [:]
    /// Records skipped because their map call threw (listed in `_bad_records.jsonl`).
    public var skippedRecords: Int64 = 0
}
