/// Where a map attempt's files are inside its directory: one definition for the writer, the runners and the
/// coordinator, which derives every path it acts on from its own plan.
public enum MapOutputLayout {
    /// The attempt's output file, holding every partition: `<directory>/output.mri`.
    public static func outputFile(in directory: String) -> String { "\(directory)/output.mri" }

    /// The attempt's list of skipped records: `<directory>/bad-records.jsonl`.
    public static func badRecordsFile(in directory: String) -> String { "\(directory)/\(BadRecordsFile.attemptFileName)" }
}
