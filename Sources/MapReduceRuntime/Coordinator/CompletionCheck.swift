import Foundation
package import MapReduce

/// Checks a worker's completion against the plan before anything is journaled, and confirms it on disk.
///
/// A report must carry the result of its own task's kind, with every number in bounds and every path the one the
/// coordinator derives from its plan for that attempt; anything else is refused (``SchedulerError`` code
/// `invalidReport`, a 400) with nothing changed. Then ``confirm(_:reportedBy:)`` (off the coordinator's actor) checks
/// that the files exist with the sizes reported, and publishes a reduce output into the output directory.
package struct CompletionCheck {
    package let plan: JobPlan

    /// The largest byte or record count a report may carry: 2^50 (a PiB), so that the totals of up to 8,192 tasks
    /// cannot overflow.
    static let largestCount: Int64 = 1 << 50
    /// The counts a report may carry: `0...largestCount`.
    static let counts: ClosedRange<Int64> = 0...largestCount

    /// A checked result, with the paths the coordinator derived.
    package enum Result: Sendable {
        case map(MapTaskID, MapTaskOutput)
        /// A reduce result: the attempt's output file is published to `output.path` when it commits.
        case reduce(ReduceTaskID, AttemptID, ReduceTaskOutput)

        /// The journal entry that commits it.
        func journalEntry(attempt: AttemptID) -> JournalEntry {
            switch self {
            case .map(let id, let output): JournalEntry(event: .mapCommitted, task: id.rawValue, attempt: attempt, map: output)
            case .reduce(let id, _, let output): JournalEntry(event: .reduceCommitted, task: id.rawValue, attempt: attempt, reduce: output)
            }
        }
    }

    /// Checks `request`, a completion of an attempt of `task`.
    func validate(_ request: CompletionRequest, task: TaskID) throws(SchedulerError) -> Result {
        func refuse(_ problem: String) -> SchedulerError {
            SchedulerError(code: .invalidReport, message: "completion of \(request.attempt) (\(task)) refused: \(problem)")
        }
        func check(_ value: Int64, _ name: String) throws(SchedulerError) {
            guard Self.counts.contains(value) else { throw refuse("\(name) is \(value), outside \(Self.counts)") }
        }
        func check(_ counters: [String: Int64]) throws(SchedulerError) {
            guard counters.count <= 1000 else { throw refuse("it carries \(counters.count) counters, more than 1000") }
            for (name, value) in counters where !(-Self.largestCount...Self.largestCount).contains(value) || name.utf8.count > 200 {
                throw refuse("counter '\(name.prefix(200))' is out of bounds")
            }
        }
        switch task {
        case .map(let id):
            guard var output = request.map, request.reduce == nil else { throw refuse("a map attempt must report a map result, and only that") }
            let expected = plan.mapOutputFile(id, request.attempt)
            guard output.file.path == expected else { throw refuse("its output file must be '\(expected)', not '\(output.file.path)'") }
            try check(output.file.bytes, "the size of its output file")
            try check(output.file.records, "the record count of its output file")
            if let partitions = output.file.partitionsWithRecords {
                let reducers = plan.configuration.reducers
                guard partitions.fits(partitions: reducers) else {
                    throw refuse("its set of partitions with records is not one of \(reducers) partitions")
                }
                guard (partitions.count > 0) == (output.file.records > 0), Int64(partitions.count) <= output.file.records else {
                    throw refuse("it names \(partitions.count) partitions with records in a file of \(output.file.records) records")
                }
            }
            try check(output.inputBytes, "inputBytes")
            try check(output.inputRecords, "inputRecords")
            try check(output.emittedRecords, "emittedRecords")
            try check(Int64(output.spills), "spills")
            try check(output.skippedRecords, "skippedRecords")
            guard output.skippedRecords <= Int64(plan.configuration.skipBadRecords) else {
                throw refuse("it skipped \(output.skippedRecords) records; the job allows \(plan.configuration.skipBadRecords)")
            }
            try check(output.counters)
            output.badRecords = output.skippedRecords > 0 ? plan.badRecordsFile(id, request.attempt) : nil
            return .map(id, output)
        case .reduce(let id):
            guard var output = request.reduce, request.map == nil else { throw refuse("a reduce attempt must report a reduce result, and only that") }
            let expected = plan.reduceOutputFile(id, request.attempt)
            guard output.path == expected else { throw refuse("its output file must be '\(expected)', not '\(output.path)'") }
            try check(output.records, "records")
            try check(output.inputRecords, "inputRecords")
            try check(output.inputBytes, "inputBytes")
            try check(output.bytes, "bytes")
            try check(output.counters)
            for hot in output.hotKeys { try check(hot.records, "a hot key's records") }
            // An observability figure never fails a job: keys too many or too long are cut, not refused.
            output.hotKeys = output.hotKeys.prefix(10).map { HotKey(key: HotKey.cut($0.key), records: $0.records) }
            output.path = OutputDirectory(path: plan.output).partFile(id.rawValue)
            return .reduce(id, request.attempt, output)
        }
    }

    /// Checks that `result`'s files exist with the sizes `worker` reported, and publishes a reduce output into
    /// the output directory (copying it when that is on another filesystem). A map output that names its
    /// partitions with records has its index read and checked against them: reducers skip the others unread.
    /// Blocks: call it off the actor.
    func confirm(_ result: Result, reportedBy worker: WorkerID) throws {
        switch result {
        case .map(_, let output):
            try Self.expect(output.file.path, bytes: output.file.bytes, reportedBy: worker)
            if let reported = output.file.partitionsWithRecords { try Self.expect(output.file, holdsRecordsIn: reported) }
            if let badRecords = output.badRecords { try Self.expect(badRecords, bytes: nil, reportedBy: worker) }
        case .reduce(let id, let attempt, let output):
            try Self.expect(plan.reduceOutputFile(id, attempt), bytes: output.bytes, reportedBy: worker)
            try OutputCommitter(plan).publish(id, from: attempt)
        }
    }

    /// Throws unless `file`'s index checks, with the checksum its writer reported, and its partitions with records
    /// are `reported`.
    private static func expect(_ file: IntermediateFileSummary, holdsRecordsIn reported: PartitionSet) throws {
        let reader = try openCheckingIndex(file, partition: 0)
        guard reader.partitionsWithRecords == reported else {
            throw IntermediateFileError(
                .corrupt, path: file.path,
                "holds records in \(reader.partitionsWithRecords?.count ?? 0) partitions, but its writer reported \(reported.count) (not the same ones)")
        }
    }

    /// Throws unless the file at `path` exists (with `bytes` bytes, if given).
    private static func expect(_ path: String, bytes: Int64?, reportedBy worker: WorkerID) throws {
        var info = stat()
        let found: String? = stat(path, &info) == 0 ? (bytes.map { Int64(info.st_size) == $0 } ?? true ? nil : "\(info.st_size) bytes long") : "missing"
        guard let found else { return }
        throw JobError(
            .badConfiguration,
            "\(worker) reported '\(path)'\(bytes.map { " (\($0) bytes)" } ?? ""), but the coordinator finds it \(found): the view of the shared directory on \(worker) differs from the coordinator's (a missing or different mount?)"
        )
    }

    /// What is wrong with `partition` of a committed map output file (its size, index and run, read and verified),
    /// or `nil` if it is intact. Blocks: call it off the actor.
    static func damage(of file: IntermediateFileSummary, partition: Int) -> String? {
        do {
            let reader = try openCheckingIndex(file, partition: partition)
            while try reader.next() {}
            return nil
        } catch {
            return "\(error)"
        }
    }

    /// `file` opened at `partition`, its size, whole index and the index's checksum checked against its writer's
    /// report.
    private static func openCheckingIndex(_ file: IntermediateFileSummary, partition: Int) throws(IntermediateFileError) -> IntermediateFileReader {
        let reader = try IntermediateFileReader(path: file.path, partition: partition, expectedSize: file.bytes, verifyingIndex: true)
        guard reader.indexChecksum == file.checksum else {
            throw IntermediateFileError(
                .corrupt, path: file.path, "has an index with checksum \(reader.indexChecksum), but its writer reported \(file.checksum)")
        }
        return reader
    }
}
