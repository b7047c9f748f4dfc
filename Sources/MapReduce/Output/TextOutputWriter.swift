/// Writes a reduce partition's output lines, `key value`, and publishes the file atomically.
@usableFromInline
final class TextOutputWriter {
    private let file: WritableFile
    private let sync: Bool
    private var line: [UInt8] = []

    /// Creates the output at `path`, written under a temporary name in `temporaryDirectory` until ``commit()``.
    @usableFromInline
    init(path: String, temporaryDirectory: String, sync: Bool) throws {
        file = try WritableFile(path: path, temporaryDirectory: temporaryDirectory)
        self.sync = sync
    }

    /// Writes `key`, one space, `text` and a newline. A `String` key is written as is; others as `"\(key)"`.
    @inlinable
    func writeLine<Key>(key: Key, text: String) throws {
        if let string = key as? String { try writeLine(keyText: string, text: text) } else { try writeLine(keyText: "\(key)", text: text) }
    }

    @usableFromInline
    func writeLine(keyText: String, text: String) throws {
        line.removeAll(keepingCapacity: true)
        line.append(contentsOf: keyText.utf8)
        line.append(0x20)
        line.append(contentsOf: text.utf8)
        line.append(0x0A)
        try file.write(line)
    }

    /// Publishes the file under its final name. - Returns: its size.
    @usableFromInline
    func commit() throws -> Int64 {
        try file.commit(sync: sync)
        return file.bytesWritten
    }
}
