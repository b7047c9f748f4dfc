import MapReduce

/// Replaying a step's journal: every entry checked against the plan, then applied to a fresh scheduler and
/// accounting. Pure: the entries are read by ``Journal``.
enum JournalReplay {
    /// How many epochs attempt numbers have room for: bits 32 to 43.
    static let epochs = 1 << 12

    /// `entries` (read from the journal at `path`, named in errors), each checked against `plan`, whose
    /// `hash` is `planHash` (computed once by the caller: it encodes the whole plan, megabytes
    /// at 100,000 input files).
    /// - Throws: ``JournalError`` naming the first line of another plan, of another format, or out of bounds.
    static func check(
        _ entries: [(line: Int, entry: JournalEntry)], path: String, plan: JobPlan, planHash: String
    ) throws(JournalError) -> [JournalEntry] {
        let mapTasks = plan.mapTasks.count
        let reducers = plan.configuration.reducers
        let remedy = "remove '\(plan.directory)' to start the job over"
        func refuse(_ line: Int, _ problem: String) -> JournalError {
            JournalError(path: path, reason: "line \(line) \(problem); \(remedy)")
        }
        var lastEpoch = -1
        for (line, entry) in entries {
            switch entry.event {
            case .started:
                guard let epoch = entry.epoch, (lastEpoch + 1..<epochs).contains(epoch) else {
                    throw refuse(
                        line, "records a coordinator start of epoch \(entry.epoch.map(String.init) ?? "none"), not after \(lastEpoch) and below \(epochs)")
                }
                lastEpoch = epoch
                guard entry.version == Journal.formatVersion else {
                    throw refuse(
                        line, "was written by another version of mr-coordinator (journal format \(entry.version ?? 1), this one reads \(Journal.formatVersion))"
                    )
                }
                guard entry.plan == planHash else { throw refuse(line, "belongs to another plan of this job (plan \(entry.plan ?? "?"), now \(planHash))") }
            case .mapCommitted:
                guard let task = entry.task, (0..<mapTasks).contains(task), let attempt = entry.attempt, let output = entry.map,
                    output.file.path == plan.mapOutputFile(MapTaskID(task), attempt), output.file.partitionsWithRecords?.fits(partitions: reducers) ?? true
                else {
                    throw refuse(
                        line, "is not a map commit of this plan (a task out of 0..<\(mapTasks), files it did not assign, or partitions out of 0..<\(reducers))")
                }
            case .mapLost:
                guard let task = entry.task, (0..<mapTasks).contains(task) else { throw refuse(line, "names a map task out of 0..<\(mapTasks)") }
            case .reduceCommitted:
                guard let task = entry.task, (0..<reducers).contains(task), entry.attempt != nil, entry.reduce != nil else {
                    throw refuse(line, "is not a reduce commit of this plan (a task out of 0..<\(reducers), or no result)")
                }
            }
            if entry.event != .started, line == entries.first?.line {
                throw refuse(line, "comes before any 'started' entry: the journal is damaged")
            }
        }
        return entries.map(\.entry)
    }

    /// Applies checked `entries` to a step's `scheduler` and `accounting`: committed tasks are not run again, lost
    /// map outputs are.
    static func apply(_ entries: [JournalEntry], to scheduler: inout Scheduler, _ accounting: inout JobAccounting) {
        for entry in entries {
            switch entry.event {
            case .mapCommitted:
                guard let task = entry.task, let attempt = entry.attempt else { continue }
                scheduler.restore(.map(MapTaskID(task)), committedBy: attempt)
                if let output = entry.map { accounting.committed(MapTaskID(task), output) }
            case .mapLost:
                guard let task = entry.task else { continue }
                scheduler.restoreLost(MapTaskID(task))
                accounting.lost(MapTaskID(task))
            case .reduceCommitted:
                guard let task = entry.task, let attempt = entry.attempt else { continue }
                scheduler.restore(.reduce(ReduceTaskID(task)), committedBy: attempt)
                if let output = entry.reduce { accounting.committed(ReduceTaskID(task), output) }
            case .started:
                break
            }
        }
    }
}
