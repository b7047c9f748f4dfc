/// Where a map attempt's files are inside its directory: one definition for the writer, the runners and the
/// coordinator, which derives every path it acts on from its own plan.
public enum MapOutputLayout {
    /// The final file of `partition`: `<directory>/part-00003.mri`.
    public static func partitionFile(_ partition: Int, in directory: String) -> String { "\(directory)/part-\(paddedNumber(partition)).mri" }

    /// The attempt's list of skipped records: `<directory>/bad-records.jsonl`.
    public static func badRecordsFile(in directory: String) -> String { "\(directory)/\(BadRecordsFile.attemptFileName)" }
}
