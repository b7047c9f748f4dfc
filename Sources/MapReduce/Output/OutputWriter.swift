/// Writes a reduce function's output records to its partition's file, in the job's ``OutputFormat``.
public struct OutputWriter<Record> {
    @usableFromInline let file: OutputFile
    @usableFromInline let format: OutputFormat<Record>

    @usableFromInline
    init(file: OutputFile, format: OutputFormat<Record>) {
        self.file = file
        self.format = format
    }

    /// Writes one record.
    /// - Throws: if the record cannot be encoded in the format (a nested value in a CSV row), or the write fails.
    @inlinable
    public func write(_ record: Record) throws {
        // A record the format refuses (it threw) leaves nothing behind, not even part of itself.
        let recordStart = file.pending.count
        do {
            if let header = format.header, file.records == 0 { try header(record, &file.pending) }
            try format.append(record, &file.pending)
        } catch {
            file.pending.removeSubrange(recordStart...)
            throw error
        }
        file.records += 1
        try file.writePendingIfFull()
    }
}
