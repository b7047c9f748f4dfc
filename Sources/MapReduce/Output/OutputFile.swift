/// A reduce partition's output file: records are appended as bytes, and the file is published atomically.
@usableFromInline
final class OutputFile {
    private let file: WritableFile
    private let sync: Bool
    /// The record being built; the writer fills it, then ``flushLine()`` writes it. Only the reduce loop touches
    /// it, once per record, so dynamic exclusivity checks are off.
    @usableFromInline @exclusivity(unchecked) var line: [UInt8] = []
    /// Records written so far.
    @usableFromInline @exclusivity(unchecked) var records: Int64 = 0

    /// Creates the output at `path`, written under a temporary name in `temporaryDirectory` until ``commit()``.
    @usableFromInline
    init(path: String, temporaryDirectory: String, sync: Bool) throws {
        file = try WritableFile(path: path, temporaryDirectory: temporaryDirectory)
        self.sync = sync
    }

    /// Writes the bytes in ``line``.
    @usableFromInline
    func flushLine() throws { try file.write(line) }

    /// Writes `key`, one space, `text` and a newline: the default `key value` output. A `String` key is written as
    /// is; others as `"\(key)"`.
    @inlinable
    func writeKeyValue<Key>(key: Key, text: String) throws {
        line.removeAll(keepingCapacity: true)
        if let string = key as? String { line.append(contentsOf: string.utf8) } else { line.append(contentsOf: "\(key)".utf8) }
        line.append(0x20)
        line.append(contentsOf: text.utf8)
        line.append(0x0A)
        try flushLine()
        records += 1
    }

    /// Publishes the file under its final name. - Returns: its size.
    @usableFromInline
    func commit() throws -> Int64 {
        try file.commit(sync: sync)
        return file.bytesWritten
    }
}
