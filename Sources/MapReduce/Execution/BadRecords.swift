import Foundation

/// An input record whose map call threw and was skipped (with `--skip-bad-records`).
public struct BadRecord: Codable, Hashable, Sendable {
    /// The input file.
    public var file: String
    /// The 1-based line number where the record starts, if it could be counted.
    public var line: Int64?
    /// The byte offset of the record's first byte.
    public var offset: Int64
    /// What the map function threw.
    public var error: String

    /// Creates a bad record entry.
    public init(file: String, line: Int64? = nil, offset: Int64, error: String) {
        self.file = file
        self.line = line
        self.offset = offset
        self.error = error
    }
}

/// Where skipped records are listed: one JSON object per line, `{"file", "line", "offset", "error"}`, in a map attempt's
/// directory (`bad-records.jsonl`) and, for the whole job, in the output directory (`_bad_records.jsonl`).
public enum BadRecordsFile {
    /// The name of a map attempt's list.
    public static let attemptFileName = "bad-records.jsonl"
    /// The name of the job's list in the output directory.
    public static let outputFileName = "_bad_records.jsonl"

    /// Writes `records` to `path` as JSON lines (atomically; fsynced if `sync`).
    @usableFromInline
    static func write(_ records: [BadRecord], to path: String, sync: Bool) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        var data = Data()
        for record in records {
            data.append(try encoder.encode(record))
            data.append(0x0A)
        }
        try AtomicFile.write(Array(data), to: path, sync: sync)
    }

    /// Concatenates the committed map attempts' lists (in map task order) into the output directory's list. Writes
    /// nothing when no record was skipped.
    public static func publish(_ attemptLists: [String], to output: OutputDirectory, sync: Bool = true) throws {
        guard !attemptLists.isEmpty else { return }
        var data = Data()
        for path in attemptLists { data.append(try Data(contentsOf: URL(fileURLWithPath: path))) }
        try AtomicFile.write(Array(data), to: "\(output.path)/\(outputFileName)", sync: sync)
    }

    /// The error for a job that skipped more records than allowed.
    public static func tooMany(_ skipped: Int64, limit: Int) -> JobError {
        JobError(.tooManyBadRecords, "the job skipped \(skipped) bad records, more than --skip-bad-records \(limit) allows")
    }
}
