/// The words of some UTF-8 text: maximal runs of Unicode letters (general categories Lu, Ll, Lt, Lm and Lo).
///
/// Everything else separates words: digits, punctuation, marks, spaces, and bytes that are not valid UTF-8
/// (each invalid byte is one separator). ASCII is classified with a table; other scalars are decoded and looked
/// up in the Unicode database.
public struct Words: Sequence {
    @usableFromInline let bytes: UnsafeRawBufferPointer

    @inlinable
    public init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    @inlinable
    public func makeIterator() -> Iterator { Iterator(bytes) }

    /// Produces the words one by one.
    public struct Iterator: IteratorProtocol {
        @usableFromInline let bytes: UnsafeRawBufferPointer
        @usableFromInline var position: Int

        @inlinable
        init(_ bytes: UnsafeRawBufferPointer) {
            self.bytes = bytes
            self.position = 0
        }

        @inlinable
        public mutating func next() -> Word? {
            let count = bytes.count
            // Skip separators.
            var start = position
            while start < count {
                let width = UnicodeLetters.letterWidth(bytes, at: start)
                if width > 0 { break }
                start += UnicodeLetters.scalarWidth(bytes, at: start)
            }
            guard start < count else {
                position = count
                return nil
            }
            var end = start
            while end < count {
                let width = UnicodeLetters.letterWidth(bytes, at: end)
                if width == 0 { break }
                end += width
            }
            position = end
            return Word(UnsafeRawBufferPointer(rebasing: bytes[start..<end]))
        }
    }
}
