/// A word found by ``Words``: a borrowed view of UTF-8 bytes, valid only during the map call.
///
/// Emitting a `Word` as a `String` key encodes its bytes directly, with no `String` in between.
public struct Word: CustomStringConvertible {
    /// The word's UTF-8 bytes.
    public let bytes: UnsafeRawBufferPointer
    /// How many bytes from the start of ``bytes`` may be loaded (at least `bytes.count`).
    @usableFromInline let readableCount: Int

    @inlinable
    init(_ bytes: UnsafeRawBufferPointer, readableCount: Int) {
        self.bytes = bytes
        self.readableCount = readableCount
    }

    /// The word as a `String` (a copy).
    @inlinable
    public var string: String { String(decoding: bytes, as: UTF8.self) }

    public var description: String { string }
}

extension String {
    /// Copies a borrowed word into a `String`.
    @inlinable
    public init(_ word: Word) { self = word.string }
}
