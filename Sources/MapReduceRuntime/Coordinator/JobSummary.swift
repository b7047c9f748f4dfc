import Foundation
public import MapReduce

/// The machine-readable account of a finished job, written to `<output>/_summary.json`.
public struct JobSummary: Codable, Sendable, Equatable {
    public var job: String
    public var mapTasks: Int
    public var reduceTasks: Int
    public var mapAttempts: Int
    public var reduceAttempts: Int
    /// Attempts whose worker reported an error.
    public var failedAttempts: Int
    /// Attempts lost: their lease expired (the worker died, hung or was cut off) or their worker gave them up.
    public var lostAttempts: Int
    public var inputBytes: Int64
    public var inputRecords: Int64
    public var intermediateBytes: Int64
    public var outputRecords: Int64
    public var outputBytes: Int64
    public var seconds: Double
    /// The job's own counters, from committed attempts only.
    public var counters: [String: Int64]
    /// Records skipped because their map call threw (listed in `_bad_records.jsonl`).
    public var skippedRecords: Int64

    /// Writes the summary (atomically) into `output`.
    public func write(to output: OutputDirectory) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(self).write(to: URL(fileURLWithPath: "\(output.path)/_summary.json"), options: .atomic)
    }
}
