/// The results of a job's committed attempts, and the totals every runner reports from them.
///
/// Only committed attempts are recorded: a task's failed, lost, duplicate and backup attempts never count. The
/// ``SequentialRunner`` records each task as it runs it; a coordinator records each commit (and replays them from
/// its journal), and forgets a map task whose output was lost.
public struct JobAccounting: Sendable {
    /// Each map task's committed result, if it has one.
    public private(set) var maps: [MapTaskOutput?]
    /// Each reduce task's committed result, if it has one.
    public private(set) var reduces: [ReduceTaskOutput?]
    /// The records the committed map tasks skipped, kept with every commit and loss (wide enough never to overflow),
    /// so that checking the bad-record limit after every change costs nothing.
    private var skipped: Int128 = 0

    /// How many attempts a run started and how they ended, for the summary.
    public struct Attempts: Sendable, Equatable {
        /// Map attempts started.
        public var map: Int
        /// Reduce attempts started.
        public var reduce: Int
        /// Attempts whose worker reported an error.
        public var failed: Int
        /// Attempts lost with their worker.
        public var lost: Int

        /// Creates attempt counts.
        public init(map: Int, reduce: Int, failed: Int = 0, lost: Int = 0) {
            self.map = map
            self.reduce = reduce
            self.failed = failed
            self.lost = lost
        }
    }

    /// Accounting for a job of `plan`'s size, with nothing committed yet.
    public init(_ plan: JobPlan) {
        maps = Array(repeating: nil, count: plan.mapTasks.count)
        reduces = Array(repeating: nil, count: plan.configuration.reducers)
    }

    /// Records map task `task`'s committed result.
    public mutating func committed(_ task: MapTaskID, _ output: MapTaskOutput) {
        lost(task)
        maps[task.rawValue] = output
        skipped += Int128(output.skippedRecords)
    }

    /// Records reduce task `task`'s committed result.
    public mutating func committed(_ task: ReduceTaskID, _ output: ReduceTaskOutput) { reduces[task.rawValue] = output }

    /// Forgets map task `task`'s result: its output was lost and it runs again.
    public mutating func lost(_ task: MapTaskID) {
        skipped -= Int128(maps[task.rawValue]?.skippedRecords ?? 0)
        maps[task.rawValue] = nil
    }

    /// The committed map result of `task`, if any.
    public subscript(_ task: MapTaskID) -> MapTaskOutput? { maps[task.rawValue] }

    /// Records skipped so far by committed map tasks (stopping at the largest value).
    public var skippedRecords: Int64 { Int64(clamping: skipped) }

    /// Throws ``JobError`` `tooManyBadRecords` once committed map tasks skipped more records than `limit`.
    public func checkBadRecords(limit: Int) throws(JobError) {
        let skipped = skippedRecords
        if skipped > limit { throw BadRecordsFile.tooMany(skipped, limit: limit) }
    }

    /// The job's own counters, summed over committed attempts; a total that would overflow stops at the largest
    /// (or smallest) value.
    public var counters: [String: Int64] {
        var totals: [String: Int64] = [:]
        for counters in maps.map({ $0?.counters ?? [:] }) + reduces.map({ $0?.counters ?? [:] }) { totals.add(counters) }
        return totals
    }

    /// The lists of skipped records to publish, in map task order: the committed map attempts' own lists, at the
    /// paths `plan` gives them (never a path a worker reported).
    public func badRecordLists(_ plan: JobPlan, committedBy attempts: [AttemptID?]) -> [String] {
        zip(maps, attempts).enumerated().compactMap { index, committed in
            guard committed.0?.badRecords != nil, let attempt = committed.1 else { return nil }
            return plan.badRecordsFile(MapTaskID(index), attempt)
        }
    }

    /// The map outputs reduce task `task` reads, in map task order, map task `i`'s committed attempt at index `i`
    /// of `attempts`: those whose file may hold records in its partition (a file that named its partitions with
    /// records and not this one is skipped unopened).
    public func inputs(of task: ReduceTaskID, committedBy attempts: [AttemptID]) -> [CommittedMap] {
        attempts.indices.compactMap { index in
            maps[index]?.file.partitionsWithRecords?.contains(task.rawValue) == false ? nil : CommittedMap(MapTaskID(index), attempts[index])
        }
    }

    /// The finished job's summary.
    /// - Throws: ``JobError`` if a total overflows a 64-bit integer.
    public func summary(job: String, attempts: Attempts, seconds: Double) throws(JobError) -> JobSummary {
        let maps = maps.compactMap { $0 }
        let reduces = reduces.compactMap { $0 }
        return JobSummary(
            job: job, mapTasks: self.maps.count, reduceTasks: self.reduces.count, mapAttempts: attempts.map, reduceAttempts: attempts.reduce,
            failedAttempts: attempts.failed, lostAttempts: attempts.lost,
            inputBytes: try checkedSum(maps.map(\.inputBytes), "input bytes"),
            inputRecords: try checkedSum(maps.map(\.inputRecords), "input records"),
            mapOutputRecords: try checkedSum(maps.map(\.emittedRecords), "map output records"),
            intermediateRecords: try checkedSum(maps.map(\.file.records), "intermediate records"),
            intermediateBytes: try checkedSum(maps.map(\.file.bytes), "intermediate bytes"),
            spills: try checkedSum(maps.map { Int64($0.spills) }, "spills"),
            outputRecords: try checkedSum(reduces.map(\.records), "output records"),
            outputBytes: try checkedSum(reduces.map(\.bytes), "output bytes"),
            skippedRecords: try checkedSum(maps.map(\.skippedRecords), "skipped records"), counters: counters, seconds: seconds)
    }
}

/// The sum of `values`, or an error naming `what` if it overflows.
private func checkedSum(_ values: [Int64], _ what: String) throws(JobError) -> Int64 {
    var total: Int64 = 0
    for value in values {
        let (sum, overflow) = total.addingReportingOverflow(value)
        guard !overflow else { throw JobError(.overflow, "the job's \(what) overflow a 64-bit total") }
        total = sum
    }
    return total
}
