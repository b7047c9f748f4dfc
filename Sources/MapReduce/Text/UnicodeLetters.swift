/// Classifies UTF-8 bytes as letters for ``Words``.
@usableFromInline
enum UnicodeLetters {
    /// The byte width of the letter starting at `index`, or 0 if no letter starts there.
    @inlinable @inline(__always)
    static func letterWidth(_ bytes: UnsafeRawBufferPointer, at index: Int) -> Int {
        let byte = bytes[index]
        if byte < 0x80 { return (byte | 0x20) &- 0x61 < 26 ? 1 : 0 }  // A-Z and a-z
        return slowLetterWidth(bytes, at: index)
    }

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

    /// The width of the scalar (or invalid byte) at `index`, to skip a separator.
    @inlinable @inline(__always)
    static func scalarWidth(_ bytes: UnsafeRawBufferPointer, at index: Int) -> Int {
        bytes[index] < 0x80 ? 1 : max(1, decode(bytes, at: index).width)
    }

    @usableFromInline
    static func slowLetterWidth(_ bytes: UnsafeRawBufferPointer, at index: Int) -> Int {
        let (scalar, width) = decode(bytes, at: index)
        guard let scalar else { return 0 }
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return width
        default: return 0
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
