/// The words of some UTF-8 text: maximal runs of Unicode letters (general categories Lu, Ll, Lt, Lm and Lo).
///
/// Everything else separates words: digits, punctuation, marks, spaces, and bytes that are not valid UTF-8
/// (each invalid byte is one separator). ASCII is classified with a table; other scalars are decoded and looked
/// up in the Unicode database.
public struct Words: Sequence {
    @usableFromInline let bytes: UnsafeRawBufferPointer
    /// How many bytes from the start of `bytes` may be loaded (at least `bytes.count`).
    @usableFromInline let readableCount: Int

    @inlinable
    public init(_ bytes: UnsafeRawBufferPointer) { self.init(bytes, readableCount: bytes.count) }

    @inlinable
    init(_ bytes: UnsafeRawBufferPointer, readableCount: Int) {
        self.bytes = bytes
        self.readableCount = readableCount
    }

    @inlinable
    public func makeIterator() -> Iterator { Iterator(bytes, readableCount: readableCount) }

    /// Produces the words one by one.
    ///
    /// The text is classified 64 bytes at a time into a mask of the bytes that belong to letters (eight ASCII
    /// bytes at once, other scalars one by one); a word is then a run of set bits, found with two bit scans.
    public struct Iterator: IteratorProtocol {
        @usableFromInline let bytes: UnsafeRawBufferPointer
        @usableFromInline let readableCount: Int
        /// Where the current window of 64 bytes starts (-64 before the first).
        @usableFromInline var windowStart: Int
        /// The window's letter bytes not yet returned: bit `i` is byte `windowStart + i`.
        @usableFromInline var letters: UInt64 = 0
        /// The bytes at the start of the next window that belong to a scalar begun in this one.
        @usableFromInline var carriedCount = 0
        /// Whether that scalar is a letter.
        @usableFromInline var carriedLetter = false

        @inlinable
        init(_ bytes: UnsafeRawBufferPointer, readableCount: Int) {
            self.bytes = bytes
            self.readableCount = readableCount
            self.windowStart = -64
        }

        @inlinable @inline(__always)
        public mutating func next() -> Word? {
            while letters == 0 {
                guard advanceWindow() else { return nil }
            }
            let first = letters.trailingZeroBitCount
            let start = windowStart &+ first
            let run = (~(letters &>> UInt64(first))).trailingZeroBitCount
            if first &+ run < 64 {
                letters &= ~0 &<< UInt64(first &+ run)
                return Word(UnsafeRawBufferPointer(rebasing: bytes[start..<(windowStart &+ first &+ run)]), readableCount: readableCount &- start)
            }
            return Word(UnsafeRawBufferPointer(rebasing: bytes[start..<wordEndAfterWindow()]), readableCount: readableCount &- start)
        }

        /// Moves to the next window and classifies it; false at the end of the text.
        @usableFromInline
        mutating func advanceWindow() -> Bool {
            let next = windowStart + 64
            guard next < bytes.count else {
                letters = 0
                return false
            }
            windowStart = next
            letters = classifyWindow()
            return true
        }

        /// The end of a word that reaches the end of the current window: it runs on through the windows after it.
        @usableFromInline
        mutating func wordEndAfterWindow() -> Int {
            while true {
                let end = windowStart + 64
                guard advanceWindow() else { return end }
                let run = (~letters).trailingZeroBitCount
                if run < 64 {
                    letters &= ~0 &<< UInt64(run)
                    return windowStart + run
                }
            }
        }

        /// The letter mask of the window at `windowStart`: eight bytes at a time while they are ASCII, scalar by
        /// scalar otherwise, in the order a scan from the start of the text decodes them (a scalar that began in
        /// the previous window covers the first ``carriedCount`` bytes).
        @usableFromInline
        mutating func classifyWindow() -> UInt64 {
            let base = bytes.baseAddress.unsafelyUnwrapped
            let end = Swift.min(windowStart &+ 64, bytes.count)
            if carriedCount == 0, end &- windowStart == 64, let mask = Self.asciiWindowMask(base + windowStart) { return mask }
            var mask: UInt64 = carriedLetter ? (1 &<< UInt64(carriedCount)) &- 1 : 0
            var index = windowStart &+ carriedCount
            while index < end {
                let offset = UInt64(truncatingIfNeeded: index &- windowStart)
                let left = end &- index
                if left >= 8 || end >= 8 {
                    // Fewer than eight left: the eight bytes that end here, those before `index` shifted out.
                    let block =
                        left >= 8
                        ? UInt64(littleEndian: base.loadUnaligned(fromByteOffset: index, as: UInt64.self))
                        : UInt64(littleEndian: base.loadUnaligned(fromByteOffset: end &- 8, as: UInt64.self)) &>> UInt64(64 &- 8 &* left)
                    if block & UnicodeLetters.highBits == 0 {
                        mask |= UnicodeLetters.asciiLetterBits(block) &<< offset
                        index &+= Swift.min(left, 8)
                        continue
                    }
                }
                let byte = base.load(fromByteOffset: index, as: UInt8.self)
                if byte < 0x80 {
                    if (byte | 0x20) &- 0x61 < 26 { mask |= 1 &<< offset }
                    index &+= 1
                    continue
                }
                let (width, isLetter) = UnicodeLetters.unit(bytes, at: index)
                if isLetter { mask |= ((1 &<< UInt64(width)) &- 1) &<< offset }
                carriedLetter = isLetter
                index &+= width
            }
            carriedCount = index - end
            return mask
        }

        /// The letter mask of the 64 bytes at `window` if they are all ASCII, else `nil`.
        @inline(__always)
        static func asciiWindowMask(_ window: UnsafeRawPointer) -> UInt64? {
            var mask: UInt64 = 0
            var any: UInt64 = 0
            for block in 0..<8 {
                let bytes = UInt64(littleEndian: window.loadUnaligned(fromByteOffset: block &* 8, as: UInt64.self))
                any |= bytes
                mask |= UnicodeLetters.asciiLetterBits(bytes) &<< UInt64(block &* 8)
            }
            return any & UnicodeLetters.highBits == 0 ? mask : nil
        }
    }
}
