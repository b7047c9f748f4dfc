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

        @inlinable @inline(__always)
        public mutating func next() -> Word? {
            let count = bytes.count
            guard let base = bytes.baseAddress else { return nil }
            // Skip separators, eight ASCII bytes at a time while there are eight left.
            var start = position
            while start < count {
                if start + 8 <= count {
                    let block = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: start, as: UInt64.self))
                    let stops = UnicodeLetters.asciiLetters(block) | block & UnicodeLetters.highBits
                    guard stops != 0 else {
                        start += 8
                        continue
                    }
                    start += stops.trailingZeroBitCount / 8
                }
                let width = UnicodeLetters.letterWidth(bytes, at: start)
                if width > 0 { break }
                start += UnicodeLetters.scalarWidth(bytes, at: start)
            }
            guard start < count else {
                position = count
                return nil
            }
            // Take letters, eight ASCII ones at a time likewise.
            var end = start
            while end < count {
                if end + 8 <= count {
                    let block = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: end, as: UInt64.self))
                    let others = ~UnicodeLetters.asciiLetters(block) & UnicodeLetters.highBits
                    guard others != 0 else {
                        end += 8
                        continue
                    }
                    end += others.trailingZeroBitCount / 8
                }
                let width = UnicodeLetters.letterWidth(bytes, at: end)
                if width == 0 { break }
                end += width
            }
            position = end
            return Word(UnsafeRawBufferPointer(rebasing: bytes[start..<end]))
        }
    }
}
