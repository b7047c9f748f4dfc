/// How an input's bytes are cut into records.
public enum RecordFraming: Hashable, Sendable {
    /// Each line is a record.
    case lines
    /// Each CSV record is one, even when a quoted field holds line endings.
    case csv(CSVFormat)
}
