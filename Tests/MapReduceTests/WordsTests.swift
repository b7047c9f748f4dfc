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

    /// The words found one scalar at a time, as the rules say: the reference for the scan that classifies 64
    /// bytes at once. Each step decodes one scalar (or one invalid byte) and asks whether it is a letter.
    func wordsByteByByte(_ bytes: [UInt8]) -> [String] {
        bytes.withUnsafeBytes { bytes in
            func letterWidth(at index: Int) -> Int {
                let byte = bytes[index]
                if byte < 0x80 { return (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) ? 1 : 0 }
                let (scalar, width) = UnicodeLetters.decode(bytes, at: index)
                return scalar.map(UnicodeLetters.isLetter) == true ? width : 0
            }
            var found: [String] = []
            var index = 0
            while index < bytes.count {
                guard letterWidth(at: index) > 0 else {
                    index += bytes[index] < 0x80 ? 1 : UnicodeLetters.decode(bytes, at: index).width
                    continue
                }
                var end = index
                while end < bytes.count, case let width = letterWidth(at: end), width > 0 { end += width }
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

    /// Mostly ASCII text, as most input is, so that most 64-byte windows are classified eight bytes at a time:
    /// words that end exactly at a window's edge, run across one or several windows, and a two-, three- or
    /// four-byte letter, separator or invalid sequence that straddles an edge.
    @Test func wordsAcrossWindowsAreFoundWhole() {
        var random = SeededRandom(seed: 64)
        let ascii: [[UInt8]] = [Array("a".utf8), Array("Zq".utf8), Array("word".utf8), Array(" ".utf8), Array(". ".utf8), Array("7".utf8)]
        let rare: [[UInt8]] = [Array("é".utf8), Array("日".utf8), Array("𐐀".utf8), Array("½".utf8), Array("\u{2014}".utf8), [0xFF], [0xC3], [0x80]]
        let long = [UInt8](repeating: UInt8(ascii: "x"), count: 150)
        for length in [0, 1, 7, 8, 9, 63, 64, 65, 127, 128, 129, 200, 500] {
            for round in 0..<40 {
                var bytes: [UInt8] = []
                while bytes.count < length {
                    let pick = random.next() % 100
                    if pick < 3 {
                        bytes += rare[Int(random.next() % UInt64(rare.count))]
                    } else if pick < 5 {
                        bytes += long.prefix(Int(random.next() % 150))
                    } else {
                        bytes += ascii[Int(random.next() % UInt64(ascii.count))]
                    }
                }
                // A letter, a separator or an invalid byte at each window edge in turn.
                let edge = 64 * (1 + round % 3) - 1 - round % 4
                if round % 5 == 0, edge < bytes.count {
                    bytes.replaceSubrange(edge..<min(edge + 4, bytes.count), with: rare[round % rare.count])
                }
                #expect(words(bytes) == wordsByteByByte(bytes), "\(bytes)")
            }
        }
        let wholeLine = [UInt8](repeating: UInt8(ascii: "k"), count: 64 * 3)
        #expect(words(wholeLine) == [String(repeating: "k", count: 64 * 3)])
        #expect(words(wholeLine + [0x20]) == [String(repeating: "k", count: 64 * 3)])
    }
}
