import Foundation

/// What a finished job did: the one report every runner gives, written to `<output>/_summary.json`.
///
/// The ``SequentialRunner`` and a distributed coordinator fill it from the same ``JobAccounting``, so a local and
/// a distributed run of a job report the same totals (only the attempt counts and the time differ).
public struct JobSummary: Hashable, Codable, Sendable {
    /// The job's name.
    public var job: String
    /// Map tasks.
    public var mapTasks: Int
    /// Reduce tasks (one per output file).
    public var reduceTasks: Int
    /// Map attempts started, including failed, lost and backup ones.
    public var mapAttempts: Int
    /// Reduce attempts started, including failed, lost and backup ones.
    public var reduceAttempts: Int
    /// Attempts whose worker reported an error.
    public var failedAttempts: Int
    /// Attempts lost: their lease expired (the worker died, hung or was cut off) or their worker gave them up.
    public var lostAttempts: Int
    /// Input bytes read.
    public var inputBytes: Int64
    /// Input records read (lines, CSV rows or JSON lines).
    public var inputRecords: Int64
    /// Pairs the map function emitted (before combining).
    public var mapOutputRecords: Int64
    /// Records in the intermediate files (after combining).
    public var intermediateRecords: Int64
    /// Bytes of intermediate files.
    public var intermediateBytes: Int64
    /// Sorted runs spilled by map tasks.
    public var spills: Int64
    /// Output records written.
    public var outputRecords: Int64
    /// Output bytes written.
    public var outputBytes: Int64
    /// Records skipped because their map call threw or they were too long (listed in `_bad_records.jsonl`).
    public var skippedRecords: Int64
    /// The job's own counters (``Counters``), from committed attempts only.
    public var counters: [String: Int64]
    /// Wall time in seconds, from planning to the output's commit.
    public var seconds: Double
    /// Each step's summary in order, for a job of several steps (absent for a job of one). The totals above are
    /// then the whole job's: its input is the first step's, its output the last step's, and tasks, attempts,
    /// intermediate data, skipped records and counters are summed over the steps.
    public var steps: [JobSummary]?
    /// The ``JobPlan/identity`` of the distributed job that wrote it (absent for a local run): how a coordinator
    /// restarted on this output with the same arguments knows the job is already done.
    public var plan: String?

    /// The name of the summary in the output directory.
    public static let fileName = "_summary.json"

    /// The largest `_summary.json` read: 64 MiB, far above what a job of the most steps, each with the most
    /// counters a report may carry, writes.
    public static let largestFile = 64 << 20

    /// The summary in `output`'s `_summary.json`.
    /// - Throws: ``FileIOError`` if it cannot be read, ``InputError`` if it is not a regular file of at most
    ///   ``largestFile`` bytes (it is never read whole then), or the decoder's error if it is not a summary.
    public init(readingFrom output: OutputDirectory) throws {
        let path = "\(output.path)/\(Self.fileName)"
        guard let bytes = try ReadableFile.contents(of: path, limit: Self.largestFile) else {
            throw InputError(
                .malformedRecord, path: path,
                "'\(path)' is not a job's summary (not a regular file, or over \(Self.largestFile >> 20) MiB); is '\(output.path)' a job's output?")
        }
        self = try JSONDecoder().decode(Self.self, from: Data(bytes))
    }

    /// Creates a summary; ``JobAccounting/summary(job:attempts:seconds:)`` is how runners make one.
    public init(
        job: String, mapTasks: Int, reduceTasks: Int, mapAttempts: Int, reduceAttempts: Int, failedAttempts: Int, lostAttempts: Int,
        inputBytes: Int64, inputRecords: Int64, mapOutputRecords: Int64, intermediateRecords: Int64, intermediateBytes: Int64, spills: Int64,
        outputRecords: Int64, outputBytes: Int64, skippedRecords: Int64, counters: [String: Int64], seconds: Double
    ) {
        self.job = job
        self.mapTasks = mapTasks
        self.reduceTasks = reduceTasks
        self.mapAttempts = mapAttempts
        self.reduceAttempts = reduceAttempts
        self.failedAttempts = failedAttempts
        self.lostAttempts = lostAttempts
        self.inputBytes = inputBytes
        self.inputRecords = inputRecords
        self.mapOutputRecords = mapOutputRecords
        self.intermediateRecords = intermediateRecords
        self.intermediateBytes = intermediateBytes
        self.spills = spills
        self.outputRecords = outputRecords
        self.outputBytes = outputBytes
        self.skippedRecords = skippedRecords
        self.counters = counters
        self.seconds = seconds
    }

    /// The summary of a job of several steps, from its steps' summaries (see ``steps``).
    public init(job: String, steps: [JobSummary], seconds: Double) {
        precondition(!steps.isEmpty, "a job has at least one step")
        func sum<T: BinaryInteger>(_ value: (JobSummary) -> T) -> T { steps.reduce(0) { $0 + value($1) } }
        var counters: [String: Int64] = [:]
        for step in steps { counters.merge(step.counters) { $0.saturatingAdd($1) } }
        self.init(
            job: job, mapTasks: sum(\.mapTasks), reduceTasks: sum(\.reduceTasks), mapAttempts: sum(\.mapAttempts), reduceAttempts: sum(\.reduceAttempts),
            failedAttempts: sum(\.failedAttempts), lostAttempts: sum(\.lostAttempts), inputBytes: steps[0].inputBytes,
            inputRecords: steps[0].inputRecords, mapOutputRecords: sum(\.mapOutputRecords), intermediateRecords: sum(\.intermediateRecords),
            intermediateBytes: sum(\.intermediateBytes), spills: sum(\.spills), outputRecords: steps[steps.count - 1].outputRecords,
            outputBytes: steps[steps.count - 1].outputBytes, skippedRecords: sum(\.skippedRecords), counters: counters, seconds: seconds)
        self.steps = steps
    }

    /// The summary as `_summary.json` holds it: pretty-printed JSON with sorted keys.
    public func encoded() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return Array(try encoder.encode(self)) + [0x0A]
    }

    /// One line for a person: what ran, how much, how fast, how many attempts, and the counters.
    public var line: String { "\(job): \(figures)" }

    /// ``line`` without the job's name: `3 map tasks (3 attempts), …`.
    public var figures: String {
        let mebibytes = Double(inputBytes) / Double(1 << 20)
        let rate = seconds > 0 ? mebibytes / seconds : 0
        let counters = counters.isEmpty ? "" : "; counters: " + counters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
        return "\(mapTasks) map tasks (\(mapAttempts) attempts), \(reduceTasks) reduce tasks (\(reduceAttempts) attempts), "
            + "\(failedAttempts) failed and \(lostAttempts) lost attempts; \(inputRecords) records (\(String(format: "%.1f", mebibytes)) MiB) in "
            + "\(String(format: "%.2f", seconds)) s (\(String(format: "%.1f", rate)) MiB/s), \(outputRecords) output records" + counters
    }
}
