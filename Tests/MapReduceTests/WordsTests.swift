import MapReduce
import Testing

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
}
