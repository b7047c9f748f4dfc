public import MapReduce

/// Map tasks `firstTask ..< firstTask + count` whose committed attempts are `firstAttempt ..< firstAttempt + count`:
/// how a reduce assignment names its inputs in a few numbers whatever the number of map tasks.
///
/// Map tasks are handed out in order and attempt numbers in the same order, so a job whose maps each committed
/// their first attempt is one range; each map that ran again (a failure, a lost output, a backup that won) splits
/// a range, and so does each map whose output holds nothing for the reduce's partition (left out: a gap between
/// ranges). (A list of M paths in every reduce assignment was 8 MB at 100,000 maps.)
public struct CommittedMaps: Codable, Sendable, Equatable {
    /// The first map task of the range.
    public var firstTask: Int
    /// The committed attempt of ``firstTask``; each later task's is one more.
    public var firstAttempt: AttemptID
    /// How many map tasks the range holds (at least 1).
    public var count: Int

    /// Creates a range.
    public init(firstTask: Int, firstAttempt: AttemptID, count: Int) {
        self.firstTask = firstTask
        self.firstAttempt = firstAttempt
        self.count = count
    }

    /// The most map tasks the ranges of one assignment may reach: ten million.
    public static let maximumMapTasks = 10_000_000

    /// The ranges of `maps`, in map task order.
    public static func ranges(of maps: [CommittedMap]) -> [CommittedMaps] {
        var ranges: [CommittedMaps] = []
        for map in maps {
            if let last = ranges.last, last.firstTask + last.count == map.task.rawValue,
                last.firstAttempt.rawValue &+ UInt64(last.count) == map.attempt.rawValue
            {
                ranges[ranges.count - 1].count += 1
            } else {
                ranges.append(CommittedMaps(firstTask: map.task.rawValue, firstAttempt: map.attempt, count: 1))
            }
        }
        return ranges
    }

    /// The committed maps `ranges` name, in map task order.
    /// - Throws: ``SchedulerError`` `invalidReport` unless the ranges are in map task order without overlapping,
    ///   each holding at least one task, with no attempt number past `UInt64.max` and no task at or past
    ///   ``maximumMapTasks``.
    public static func maps(_ ranges: [CommittedMaps]) throws(SchedulerError) -> [CommittedMap] {
        var maps: [CommittedMap] = []
        var next = 0
        for range in ranges {
            guard range.firstTask >= next, range.count >= 1, range.firstTask < maximumMapTasks, range.count <= maximumMapTasks - range.firstTask,
                range.firstAttempt.rawValue <= UInt64.max - UInt64(range.count)
            else {
                throw SchedulerError(
                    code: .invalidReport,
                    message: "the reduce assignment's map ranges are malformed at map \(range.firstTask) (\(range.count) from \(range.firstAttempt))")
            }
            maps += (0..<range.count).map { CommittedMap(MapTaskID(range.firstTask + $0), AttemptID(range.firstAttempt.rawValue + UInt64($0))) }
            next = range.firstTask + range.count
        }
        return maps
    }
}
