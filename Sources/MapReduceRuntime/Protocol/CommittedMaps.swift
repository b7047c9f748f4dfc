public import MapReduce

/// Map tasks `firstTask ..< firstTask + count` whose committed attempts are `firstAttempt ..< firstAttempt + count`:
/// how a reduce assignment names its inputs in a few numbers whatever the number of map tasks.
///
/// Map tasks are handed out in order and attempt numbers in the same order, so a job whose maps each committed
/// their first attempt is one range; each map that ran again (a failure, a lost output, a backup that won) splits
/// a range. (A list of M paths in every reduce assignment was 8 MB at 100,000 maps.)
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

    /// The most map tasks the ranges of one assignment may cover: ten million.
    public static let maximumMapTasks = 10_000_000

    /// The ranges of `attempts`, map task `i`'s committed attempt at index `i`.
    public static func ranges(of attempts: [AttemptID]) -> [CommittedMaps] {
        var ranges: [CommittedMaps] = []
        for (task, attempt) in attempts.enumerated() {
            if let last = ranges.last, last.firstAttempt.rawValue &+ UInt64(last.count) == attempt.rawValue {
                ranges[ranges.count - 1].count += 1
            } else {
                ranges.append(CommittedMaps(firstTask: task, firstAttempt: attempt, count: 1))
            }
        }
        return ranges
    }

    /// Map task `i`'s committed attempt at index `i`, from `ranges`.
    /// - Throws: ``SchedulerError`` `invalidReport` unless the ranges cover tasks 0, 1, … in order, each holding
    ///   at least one task, with no attempt number past `UInt64.max`, and at most ``maximumMapTasks`` in all.
    public static func attempts(_ ranges: [CommittedMaps]) throws(SchedulerError) -> [AttemptID] {
        var attempts: [AttemptID] = []
        for range in ranges {
            guard range.firstTask == attempts.count, range.count >= 1, range.count <= maximumMapTasks - attempts.count,
                range.firstAttempt.rawValue <= UInt64.max - UInt64(range.count)
            else {
                throw SchedulerError(
                    code: .invalidReport,
                    message: "the reduce assignment's map ranges are malformed at map \(range.firstTask) (\(range.count) from \(range.firstAttempt))")
            }
            attempts += (0..<UInt64(range.count)).map { AttemptID(range.firstAttempt.rawValue + $0) }
        }
        return attempts
    }
}
