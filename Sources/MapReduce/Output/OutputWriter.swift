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
        if let header = format.header, file.records == 0 {
            file.line.removeAll(keepingCapacity: true)
            try header(record, &file.line)
            try file.flushLine()
        }
        file.line.removeAll(keepingCapacity: true)
        try format.append(record, &file.line)
        try file.flushLine()
        file.records += 1
    }
}
