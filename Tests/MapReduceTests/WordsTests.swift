import MapReduceTesting
import Testing

@testable import MapReduce

@Suite struct WordsTests {
    func words(_ bytes: [UInt8]) -> [String] {
        bytes.withUnsafeBytes { Words($0).map(\.string) }
    }

    func words(_ text: String) -> [String] { words(Array(text.utf8)) }

    @Test func asciiLettersFormWordsAndEverythingElseSeparates() {
        #expect(words("Hello, world! it's 42nd") == ["Hello", "world", "it", "s", "nd"])
        #expect(words("") == [])
        #expect(words("  ...  ") == [])
        #expect(words("a_b-c") == ["a", "b", "c"])
    }

    @Test func unicodeLettersAreLetters() {
        #expect(words("café naïve Straße") == ["café", "naïve", "Straße"])
        #expect(words("日本語のテキスト") == ["日本語のテキスト"])  // Lo and Lm
        #expect(words("ǅungla ʰa") == ["ǅungla", "ʰa"])  // Lt, Lm
        #expect(words("x²y ½z") == ["x", "y", "z"])  // digits and numbers separate
        #expect(words("e\u{301}t") == ["e", "t"])  // a combining mark (Mn) is not a letter
        #expect(words("a\u{00A0}b\u{2014}c") == ["a", "b", "c"])
    }

    @Test func invalidUTF8SeparatesWords() {
        #expect(words([0x61, 0xFF, 0x62]) == ["a", "b"])
        #expect(words([0x61, 0xC3]) == ["a"])  // truncated sequence at the end
        #expect(words([0x61, 0xE0, 0x80, 0x80, 0x62]) == ["a", "b"])  // overlong form
        #expect(words([0x61, 0xED, 0xA0, 0x80, 0x62]) == ["a", "b"])  // surrogate
    }

    /// The words found one byte at a time, as the rules say: the reference for the scan that reads eight bytes at
    /// once.
    func wordsByteByByte(_ bytes: [UInt8]) -> [String] {
        bytes.withUnsafeBytes { bytes in
            var found: [String] = []
            var index = 0
            while index < bytes.count {
                let width = UnicodeLetters.letterWidth(bytes, at: index)
                guard width > 0 else {
                    index += UnicodeLetters.scalarWidth(bytes, at: index)
                    continue
                }
                var end = index
                while end < bytes.count, case let width = UnicodeLetters.letterWidth(bytes, at: end), width > 0 { end += width }
                found.append(String(decoding: UnsafeRawBufferPointer(rebasing: bytes[index..<end]), as: UTF8.self))
                index = end
            }
            return found
        }
    }

    @Test func theBlockScanFindsWhatTheByteScanFinds() {
        var random = SeededRandom(seed: 8)
        // Letters of each width, separators at every boundary, and bytes around the ASCII letter ranges' edges.
        let pieces: [[UInt8]] = [
            Array("a".utf8), Array("Z".utf8), Array("z".utf8), Array("A".utf8), Array("é".utf8), Array("日".utf8),
            Array("𐐀".utf8), Array(" ".utf8), Array(",".utf8), Array("@".utf8), Array("[".utf8), Array("`".utf8), Array("{".utf8), Array("5".utf8),
            Array("\u{301}".utf8), [0xFF],
            [0xC3], [0x80], [0x7F], [0x00], Array("abcdefghijklmnop".utf8),
        ]
        for length in 0..<400 {
            var bytes: [UInt8] = []
            while bytes.count < length { bytes += pieces[Int(random.next() % UInt64(pieces.count))] }
            // Every alignment of the same text against the 8-byte blocks.
            for shift in 0..<8 {
                let shifted = Array(bytes.dropFirst(min(shift, bytes.count)))
                #expect(words(shifted) == wordsByteByByte(shifted), "\(shifted)")
            }
        }
    }
}
