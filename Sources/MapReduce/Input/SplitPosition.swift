/// What a reader knows about the split it is reading, shared by the records it hands out: where its first record
/// starts (to number lines) and, for CSV input, the file's header.
@usableFromInline
final class SplitPosition {
    let file: InputFile
    /// The offset of the split's first record, once the reader has found it.
    var firstRecordOffset: Int64 = 0
    /// The file's CSV header, when the input has one.
    var header: CSVHeader?
    private var lineEndingsBeforeFirstRecord: Int64?

    init(file: InputFile) { self.file = file }

    /// The 1-based line number of a record `lineEndings` line endings after the split's first record.
    func lineNumber(afterLineEndings lineEndings: Int64) throws -> Int64 {
        if lineEndingsBeforeFirstRecord == nil { lineEndingsBeforeFirstRecord = try countLineEndings(before: firstRecordOffset) }
        return lineEndingsBeforeFirstRecord! + lineEndings + 1
    }

    /// Counts `\n` bytes in the file before `offset` (never needed for compressed files: their split starts at 0).
    private func countLineEndings(before offset: Int64) throws -> Int64 {
        guard offset > 0 else { return 0 }
        let reader = try ReadableFile(path: file.path)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        var count: Int64 = 0
        var position: Int64 = 0
        while position < offset {
            let wanted = Int(min(Int64(buffer.count), offset - position))
            let read = try reader.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[..<wanted]), at: position)
            guard read > 0 else { break }
            for byte in UnsafeRawBufferPointer(rebasing: buffer[..<read]) where byte == 0x0A { count += 1 }
            position += Int64(read)
        }
        return count
    }
}
