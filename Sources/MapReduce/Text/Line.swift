/// One record of a text input: a line without its line ending (or, for CSV input, one whole CSV record, which may
/// span lines), and where it came from.
///
/// The bytes are borrowed from the reader's buffer: they are valid only during the map call. Copy what must
/// outlive it (`string` does).
public struct Line {
    /// The line's bytes, without `\n` or `\r\n`. May be invalid UTF-8.
    public let bytes: UnsafeRawBufferPointer
    /// The input file the line is in.
    public let file: InputFile
    /// The byte offset of the line's first byte in the (decompressed) file.
    public let offset: Int64
    /// Whether the line ended in `\r\n` (the `\r` is not in ``bytes``).
    public let endsInCarriageReturn: Bool
    /// Line endings between the first record of the reader's split and this one, for ``number``.
    @usableFromInline let lineEndingsBefore: Int64
    /// What the reader knows about the split; it outlives every line it hands out.
    @usableFromInline unowned(unsafe) let position: SplitPosition
    /// How many bytes from the start of ``bytes`` may be loaded (at least `bytes.count`): the reader's buffer
    /// leaves slack after its last line, so that words can be loaded 16 bytes at a time.
    @usableFromInline let readableCount: Int

    /// Creates a line; the framework's readers do this.
    @inlinable
    init(
        bytes: UnsafeRawBufferPointer, file: InputFile, offset: Int64, endsInCarriageReturn: Bool, lineEndingsBefore: Int64, position: SplitPosition,
        readableCount: Int? = nil
    ) {
        self.bytes = bytes
        self.readableCount = readableCount ?? bytes.count
        self.file = file
        self.offset = offset
        self.endsInCarriageReturn = endsInCarriageReturn
        self.lineEndingsBefore = lineEndingsBefore
        self.position = position
    }

    /// The 1-based number of the line in its file (of the first line, for a CSV record spanning several).
    ///
    /// Cheap after the first use in a split: the first use counts the line endings before the split once.
    public var number: Int64 {
        get throws { try position.lineNumber(afterLineEndings: lineEndingsBefore) }
    }

    /// The line as a `String`; invalid UTF-8 becomes U+FFFD. Allocates for lines over 15 bytes.
    @inlinable
    public var string: String { String(decoding: bytes, as: UTF8.self) }

    /// The line's bytes as they are in the file, with the `\r` of a `\r\n` ending (but never the `\n`): what a job
    /// that must write its input unchanged (such as a sort) writes.
    @inlinable
    public var rawBytes: UnsafeRawBufferPointer {
        guard endsInCarriageReturn, let base = bytes.baseAddress else { return bytes }
        return UnsafeRawBufferPointer(start: base, count: bytes.count + 1)
    }

    /// The words of the line: maximal runs of Unicode letters, scanned over UTF-8 bytes without allocating.
    @inlinable
    public var words: Words { Words(bytes, readableCount: readableCount) }
}
