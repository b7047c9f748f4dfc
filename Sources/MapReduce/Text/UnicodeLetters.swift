/// Classifies UTF-8 bytes as letters for ``Words``.
@usableFromInline
enum UnicodeLetters {
    /// The high bit of each of eight bytes.
    @inlinable static var highBits: UInt64 { 0x8080_8080_8080_8080 }

    /// The high bit of each byte of `block` that is an ASCII letter (A-Z, a-z), the others clear: eight bytes
    /// classified at once, without a carry from one byte into the next.
    @inlinable @inline(__always)
    static func asciiLetters(_ block: UInt64) -> UInt64 {
        let folded = (block | 0x2020_2020_2020_2020) & 0x7F7F_7F7F_7F7F_7F7F  // lower case, high bits cleared
        let fromA = folded &+ 0x1F1F_1F1F_1F1F_1F1F  // high bit set where the byte is 0x61 (a) or more
        let pastZ = folded &+ 0x0505_0505_0505_0505  // high bit set where it is 0x7B (past z) or more
        return fromA & ~pastZ & ~block & highBits
    }

    /// Which of the eight bytes of `block` are ASCII letters, as the low byte: bit `i` is byte `i`'s. The high
    /// bits ``asciiLetters(_:)`` sets are gathered by a multiplication that moves byte `i`'s bit to bit 56 + `i`;
    /// no two of its partial products meet, so nothing carries into the top byte.
    @inlinable @inline(__always)
    static func asciiLetterBits(_ block: UInt64) -> UInt64 {
        ((asciiLetters(block) &>> 7) &* 0x0102_0408_1020_4080) &>> 56
    }

    /// The unit of text at `index`, a byte of 0x80 or more: a scalar's width and whether it is a letter, or width
    /// 1 for an invalid byte. Kept out of line: the Unicode database's types have no fixed layout here, and
    /// inlined they cost their callers a look-up of it on every call.
    @inline(never) @usableFromInline
    static func unit(_ bytes: UnsafeRawBufferPointer, at index: Int) -> (width: Int, isLetter: Bool) {
        let (scalar, width) = decode(bytes, at: index)
        return (width, scalar.map(isLetter) ?? false)
    }

    /// Whether `scalar` is a letter: general category Lu, Ll, Lt, Lm or Lo.
    @usableFromInline
    static func isLetter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return true
        default: return false
        }
    }

    /// Decodes one well-formed UTF-8 scalar at `index`; `nil` and width 1 for an invalid or truncated sequence.
    @usableFromInline
    static func decode(_ bytes: UnsafeRawBufferPointer, at index: Int) -> (scalar: Unicode.Scalar?, width: Int) {
        let lead = bytes[index]
        let width: Int
        var value: UInt32
        switch lead {
        case 0xC2...0xDF: (width, value) = (2, UInt32(lead & 0x1F))
        case 0xE0...0xEF: (width, value) = (3, UInt32(lead & 0x0F))
        case 0xF0...0xF4: (width, value) = (4, UInt32(lead & 0x07))
        default: return (nil, 1)
        }
        guard index + width <= bytes.count else { return (nil, 1) }
        for offset in 1..<width {
            let byte = bytes[index + offset]
            guard byte & 0xC0 == 0x80 else { return (nil, 1) }
            value = value << 6 | UInt32(byte & 0x3F)
        }
        // Reject overlong forms and surrogates, as a UTF-8 validator would.
        let minimum: UInt32 = width == 2 ? 0x80 : width == 3 ? 0x800 : 0x10000
        guard value >= minimum, value <= 0x10FFFF, let scalar = Unicode.Scalar(value) else { return (nil, 1) }
        return (scalar, width)
    }
}
