import Foundation
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

extension CommittedMaps {
    /// `ranges` as a reduce assignment carries them: one base64 string of unsigned LEB128 numbers, three a range:
    /// its first task less the task after the range before it (from map 0), its first attempt less the attempt
    /// after the range before it (from 0), and its count, each zigzag-encoded with wrapping arithmetic, so that any
    /// ranges at all travel and come back as they were (``maps(_:)`` judges them).
    ///
    /// At 10,000 tiny maps and 1,000 reducers, ranges are a map or two long (maps with nothing for a partition
    /// between them), and encoding them as objects of three keys was about a tenth of the coordinator's CPU per task.
    static func wireText(of ranges: [CommittedMaps]) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(ranges.count * 4)
        var nextTask = 0
        var nextAttempt: UInt64 = 0
        for range in ranges {
            VarInt.append(zigzag(range.firstTask &- nextTask), to: &bytes)
            VarInt.append(zigzag(Int(truncatingIfNeeded: range.firstAttempt.rawValue &- nextAttempt)), to: &bytes)
            VarInt.append(zigzag(range.count), to: &bytes)
            nextTask = range.firstTask &+ range.count
            nextAttempt = range.firstAttempt.rawValue &+ UInt64(truncatingIfNeeded: range.count)
        }
        return Data(bytes).base64EncodedString()
    }

    /// The ranges `text` (``wireText(of:)``'s) holds, or `nil` if it is not base64, or not whole numbers in threes.
    static func ranges(wireText text: String) -> [CommittedMaps]? {
        guard let data = Data(base64Encoded: text) else { return nil }
        let bytes = [UInt8](data)
        var ranges: [CommittedMaps] = []
        var offset = 0
        var nextTask = 0
        var nextAttempt: UInt64 = 0
        while offset < bytes.count {
            guard let task = VarInt.read(bytes, at: &offset), let attempt = VarInt.read(bytes, at: &offset), let count = VarInt.read(bytes, at: &offset)
            else { return nil }
            let range = CommittedMaps(
                firstTask: nextTask &+ unzigzag(task), firstAttempt: AttemptID(nextAttempt &+ UInt64(bitPattern: Int64(unzigzag(attempt)))),
                count: unzigzag(count))
            ranges.append(range)
            nextTask = range.firstTask &+ range.count
            nextAttempt = range.firstAttempt.rawValue &+ UInt64(truncatingIfNeeded: range.count)
        }
        return ranges
    }

    private static func zigzag(_ value: Int) -> UInt64 { UInt64(bitPattern: Int64(value) << 1 ^ Int64(value) >> 63) }
    private static func unzigzag(_ value: UInt64) -> Int { Int(Int64(bitPattern: value >> 1) ^ -Int64(bitPattern: value & 1)) }
}
