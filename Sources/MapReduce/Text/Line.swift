/// One line of a text input, without its line ending, and where it came from.
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

    /// Creates a line; the framework's readers do this.
    @inlinable
    public init(bytes: UnsafeRawBufferPointer, file: InputFile, offset: Int64) {
        self.bytes = bytes
        self.file = file
        self.offset = offset
    }

    /// The line as a `String`; invalid UTF-8 becomes U+FFFD. Allocates for lines over 15 bytes.
    @inlinable
    public var string: String { String(decoding: bytes, as: UTF8.self) }

    /// The words of the line: maximal runs of Unicode letters, scanned over UTF-8 bytes without allocating.
    @inlinable
    public var words: Words { Words(bytes) }
}
