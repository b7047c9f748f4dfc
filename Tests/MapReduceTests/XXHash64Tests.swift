import MapReduce
import Testing

@Suite struct XXHash64Tests {
    /// Vectors computed with the reference implementation (Python's `xxhash` package), seed 0.
    static let vectors: [([UInt8], UInt64)] = [
        ([], 0xEF46_DB37_51D8_E999),
        (Array("a".utf8), 0xD24E_C4F1_A98C_6E5B),
        (Array("abc".utf8), 0x44BC_2CF5_AD77_0999),
        (Array("hello".utf8) + [0, 1], 0xA9C3_B6A7_B506_8EFA),
        (Array("The quick brown fox jumps over the lazy dog".utf8), 0x0B24_2D36_1FDA_71BC),
        ((0..<100).map { UInt8($0) }, 0x6AC1_E580_3216_6597),
    ]

    @Test func matchesReferenceVectors() {
        for (bytes, expected) in Self.vectors {
            #expect(XXHash64.hash(bytes) == expected, "\(bytes.count) bytes")
        }
    }

}
