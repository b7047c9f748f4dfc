/// How an input's bytes are cut into records.
public enum RecordFraming: Hashable, Sendable {
    /// Each line is a record.
    case lines
    /// Each CSV record is one, even when a quoted field holds line endings.
    case csv(CSVFormat)
    /// Each record of an intermediate file is one: the pairs an earlier step of the job wrote, a key's encoding
    /// followed by its value's. Such a file is never cut: it is one split.
    case pairs
}
