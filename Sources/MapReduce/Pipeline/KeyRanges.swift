/// Cuts a total-order job's key space into partitions from a sample of its input, as Hadoop's
/// `TotalOrderPartitioner` does: the planner samples the keys the map function emits for the first records of
/// every split, sorts their encodings, and takes R - 1 evenly spaced ones as the boundaries.
///
/// Each sampled key is cut to its first ``maximumBoundaryLength`` bytes (as it is sampled, so a sample of long
/// records stays small): a prefix is enough to partition (the
/// boundaries stay sorted, so a key's partition still grows with the key and the parts in name order are still
/// sorted), and whole keys made a plan of three 6 MiB lines 68 MB, with every assignment carrying it.
public enum KeyRanges {
    /// The longest boundary, in bytes of a key's encoding.
    public static let maximumBoundaryLength = 128

    /// How many records of each split are sampled, so that about `target` keys are sampled in all.
    static func recordsPerSplit(splits: Int, target: Int = 20_000) -> Int { max(100, target / max(splits, 1)) }

    /// The partition boundaries for `step` over `tasks` with `partitions` partitions, or `nil` if the step is not
    /// a total-order step. Records longer than `maximumRecordSize` are not sampled.
    public static func boundaries(
        for step: AnyStep, tasks: [[InputSplit]], partitions: Int, maximumRecordSize: Int = JobConfiguration.defaultMaximumRecordSize
    ) throws -> [[UInt8]]? {
        guard let sampleKeys = step.sampleKeys else { return nil }
        let splits = tasks.flatMap { $0 }
        let sample = try sampleKeys(splits, recordsPerSplit(splits: splits.count), maximumRecordSize).sorted { $0.lexicographicallyPrecedes($1) }
        return boundaries(ofSorted: sample, partitions: partitions)
    }

    /// R - 1 evenly spaced keys of a sorted sample (none if the sample is empty).
    static func boundaries(ofSorted sample: [[UInt8]], partitions: Int) -> [[UInt8]] {
        guard !sample.isEmpty, partitions > 1 else { return [] }
        return (1..<partitions).map { sample[$0 * sample.count / partitions] }
    }
}
